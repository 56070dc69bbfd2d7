//! Guided fixes from the coach: the fix for one finding (the recipes in [`crate::fix`] do the
//! work) and undoing the last applied fix, both through [`crate::edit`], which never overwrites
//! an edit made since; refusals are worded for the coach here.

use crate::display::sanitize;
use crate::edit::EditError;
use crate::finding::Finding;
use crate::fix::{self, FileFix};
use crate::scan::Scanner;
use std::path::Path;

/// Proposes the fix for `finding`: its rule's recipe, applied to every occurrence of that rule in
/// the file the recipe edits. The file is read now, so the proposal reflects it as it is.
pub fn propose(scanner: &Scanner, root: &Path, finding: &Finding) -> Result<FileFix, String> {
    let rules = vec![finding.rule.to_string()];
    let (fixes, errors) = fix::propose(scanner, root, std::slice::from_ref(finding), &rules);
    if let Some(fix) = fixes.into_iter().next() {
        return Ok(fix);
    }
    Err(match errors.into_iter().next() {
        Some(error) => sanitize(&error.to_string()).into_owned(),
        None => format!(
            "the automatic fix does not apply to {} as it is now; the detail explains the fix by hand",
            sanitize(&finding.path)
        ),
    })
}

/// Why an undo was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UndoRefusal {
    #[error(
        "{0} changed since the fix; your edits are kept, so the fix can no longer be undone here"
    )]
    Changed(String),
    #[error("{0} is no longer a regular file (links are never written through)")]
    NotRegular(String),
    #[error("{0} is outside the project")]
    OutsideRoot(String),
    /// Read-only or hard-linked now: the user may change that and try again.
    #[error("could not undo the fix: {0}")]
    Refused(EditError),
    #[error("could not undo the fix to {path}: {message}")]
    Io { path: String, message: String },
}

impl UndoRefusal {
    /// True when trying again cannot succeed (the fix is dropped from the undo list).
    pub fn is_final(&self) -> bool {
        !matches!(self, UndoRefusal::Io { .. } | UndoRefusal::Refused(_))
    }
}

impl From<EditError> for UndoRefusal {
    fn from(e: EditError) -> UndoRefusal {
        match e {
            EditError::Changed(path) => UndoRefusal::Changed(path),
            EditError::NotRegular(path) => UndoRefusal::NotRegular(path),
            EditError::OutsideRoot(path) => UndoRefusal::OutsideRoot(path),
            EditError::Io { path, message } => UndoRefusal::Io { path, message },
            refused => UndoRefusal::Refused(refused),
        }
    }
}

/// Puts back what the file held before `fix`, only if it still holds exactly what the fix wrote
/// (see [`edit::undo`]).
pub fn undo(root: &Path, fix: &FileFix) -> Result<(), UndoRefusal> {
    fix.undo(root).map_err(UndoRefusal::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Autofix;
    use crate::display::redact;
    use crate::redact::Secrets;

    fn fix(before: &str, after: &str) -> FileFix {
        let found = |text: &str| {
            let value = "sk_test_FAKEFAKEFAKE1234";
            Secrets::new(
                text.as_bytes(),
                text.find(value).map(|at| at..at + value.len()),
            )
        };
        FileFix {
            path: "app/settings.py".into(),
            before: before.into(),
            after: after.into(),
            existed: true,
            fixed: vec![("code/tls-verify-disabled".into(), 2)],
            safety: Autofix::Safe,
            secrets: (found(before), found(after)),
        }
    }

    #[test]
    fn the_diff_hides_secrets_in_context_and_escapes_control_characters() {
        let before =
            "TOKEN = 'sk_test_FAKEFAKEFAKE1234'\nr = get(url, verify=False)\nx = '\x1b[2J'\n";
        let after =
            "TOKEN = 'sk_test_FAKEFAKEFAKE1234'\nr = get(url, verify=True)\nx = '\x1b[2J'\n";
        let text = fix(before, after).diff();
        assert!(text.contains("-r = get(url, verify=False)"), "{text}");
        assert!(text.contains("+r = get(url, verify=True)"), "{text}");
        assert!(!text.contains("FAKEFAKE"), "{text}");
        assert!(text.contains(&redact("sk_test_FAKEFAKEFAKE1234")), "{text}");
        assert!(!text.contains('\x1b'), "{text}");
        // A copy of the value that the fix moved is masked too.
        let moved = fix(before, &format!("{after}# sk_test_FAKEFAKEFAKE1234\n")).diff();
        assert!(!moved.contains("FAKEFAKE"), "{moved}");
    }

    #[test]
    fn undo_restores_only_what_the_fix_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app/settings.py");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let f = fix("a = 1\r\n", "a = 2\r\n");
        std::fs::write(&path, &f.after).unwrap();
        undo(dir.path(), &f).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\r\n");
        // Undoing again: the file no longer holds the fix, so nothing is written.
        assert!(matches!(undo(dir.path(), &f), Err(UndoRefusal::Changed(_))));
        std::fs::write(&path, "a = 3\n").unwrap();
        assert!(matches!(undo(dir.path(), &f), Err(UndoRefusal::Changed(_))));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 3\n");
    }

    #[test]
    fn undo_removes_a_file_the_fix_created_and_refuses_links_and_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let created = FileFix {
            path: ".gitignore".into(),
            before: String::new(),
            after: ".env\n".into(),
            existed: false,
            fixed: vec![],
            safety: Autofix::Safe,
            secrets: Default::default(),
        };
        std::fs::write(dir.path().join(".gitignore"), ".env\n").unwrap();
        undo(dir.path(), &created).unwrap();
        assert!(!dir.path().join(".gitignore").exists());

        let outside = FileFix {
            path: "../x".into(),
            ..created.clone()
        };
        assert!(matches!(
            undo(dir.path(), &outside),
            Err(UndoRefusal::OutsideRoot(_))
        ));
        #[cfg(unix)]
        {
            let elsewhere = tempfile::tempdir().unwrap();
            let target = elsewhere.path().join("t");
            std::fs::write(&target, ".env\n").unwrap();
            std::os::unix::fs::symlink(&target, dir.path().join(".gitignore")).unwrap();
            assert!(matches!(
                undo(dir.path(), &created),
                Err(UndoRefusal::NotRegular(_))
            ));
            assert_eq!(std::fs::read_to_string(&target).unwrap(), ".env\n");
        }
    }
}
