//! Changing a user's file in place — an automatic fix, its undo, a suppression comment — in one
//! way: the file is found inside the scan root and never through a link ([`resolve`]); it is
//! changed only if it still holds what was read ([`FileStamp`]), checked again as the new text
//! is swapped into place ([`replace`]); a file that is read-only (by its mode, which also binds
//! root) or has other hard links is refused with the reason, never overwritten; an edit is undone
//! only while the file holds exactly what it wrote ([`undo`]); and a change is shown as a diff
//! with every secret masked ([`diff`]). Edits of a text are byte ranges and their replacements
//! ([`Edit`]).

use crate::redact::Secrets;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One change to a text: the bytes in `range` replaced by `replacement` (an empty range
/// inserts). A fix is a list of them, checked against its finding's lines before it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: std::ops::Range<usize>,
    pub replacement: String,
}

impl Edit {
    pub fn replace(range: std::ops::Range<usize>, replacement: impl Into<String>) -> Edit {
        Edit {
            range,
            replacement: replacement.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(at..at, text)
    }
}

/// `text` with `edits` made, or `None` when an edit falls outside the text, splits a
/// character, or overlaps another (two insertions at one offset are kept in their order).
pub fn apply_edits(text: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in sorted {
        let range = edit.range.clone();
        if range.start < cursor
            || range.end < range.start
            || !text.is_char_boundary(range.start)
            || !text.is_char_boundary(range.end)
            || range.end > text.len()
        {
            return None;
        }
        out.push_str(&text[cursor..range.start]);
        out.push_str(&edit.replacement);
        cursor = range.end;
    }
    out.push_str(&text[cursor..]);
    Some(out)
}

/// What a file looked like when it was read: enough to tell whether it changed since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    pub len: u64,
    pub sha256: [u8; 32],
}

impl FileStamp {
    pub fn of(bytes: &[u8]) -> FileStamp {
        FileStamp {
            len: bytes.len() as u64,
            sha256: Sha256::digest(bytes).into(),
        }
    }

    /// Reads and stamps a file.
    pub fn read(path: &Path) -> std::io::Result<FileStamp> {
        std::fs::read(path).map(|bytes| FileStamp::of(&bytes))
    }
}

/// Why a file was not changed. Paths are relative to the scan root, as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("{0}: outside the scanned folder, not changing it")]
    OutsideRoot(String),
    #[error("{0}: not a regular file (links are never written through)")]
    NotRegular(String),
    #[error(
        "{path}: read-only (mode {mode:03o}), not changing it; make it writable (chmod u+w) if it should change"
    )]
    ReadOnly { path: String, mode: u32 },
    #[error(
        "{path}: has {links} hard links, not changing it: another name shares its content (perhaps outside the project) and would change with it; change it by hand if that is intended"
    )]
    HardLinks { path: String, links: u64 },
    #[error("{0}: changed since it was checked; re-run the scan and try again")]
    Changed(String),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

impl EditError {
    fn io(rel: &str, e: &std::io::Error) -> EditError {
        EditError::Io {
            path: rel.to_owned(),
            message: e.to_string(),
        }
    }

    /// The error with its path shown as `shown` (control characters escaped).
    fn shown_as(self, shown: &str) -> EditError {
        let shown = shown.to_owned();
        match self {
            EditError::OutsideRoot(_) => EditError::OutsideRoot(shown),
            EditError::NotRegular(_) => EditError::NotRegular(shown),
            EditError::Changed(_) => EditError::Changed(shown),
            EditError::ReadOnly { mode, .. } => EditError::ReadOnly { path: shown, mode },
            EditError::HardLinks { links, .. } => EditError::HardLinks { path: shown, links },
            EditError::Io { message, .. } => EditError::Io {
                path: shown,
                message,
            },
        }
    }
}

/// Resolves `rel` (relative to `root`, `/`-separated) to a real path inside the root, refusing
/// paths that leave it and links. A missing file resolves when its folder is inside the root.
pub fn resolve(root: &Path, rel: &str) -> Result<PathBuf, EditError> {
    let root = root
        .canonicalize()
        .map_err(|e| EditError::io(&root.display().to_string(), &e))?;
    if rel.split('/').any(|part| part == "..") || Path::new(rel).is_absolute() {
        return Err(EditError::OutsideRoot(rel.to_owned()));
    }
    let path = crate::scan::fs_path(&root, rel);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() || !meta.is_file() => {
            Err(EditError::NotRegular(rel.to_owned()))
        }
        Ok(_) => {
            let real = path.canonicalize().map_err(|e| EditError::io(rel, &e))?;
            if real.starts_with(&root) {
                Ok(real)
            } else {
                Err(EditError::OutsideRoot(rel.to_owned()))
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = path.parent().unwrap_or(&root);
            match parent.canonicalize() {
                Ok(p) if p.starts_with(&root) => Ok(path),
                _ => Err(EditError::OutsideRoot(rel.to_owned())),
            }
        }
        Err(e) => Err(EditError::io(rel, &e)),
    }
}

/// Replaces the file at `path` (from [`resolve`]; `rel` names it in messages) with `bytes`, if
/// it still holds `expected` (`None`: if it still does not exist). Atomic, keeping the file's
/// mode; refuses read-only files, files with other hard links, and a change made meanwhile.
pub fn replace(
    path: &Path,
    rel: &str,
    expected: Option<&[u8]>,
    bytes: &[u8],
) -> Result<(), EditError> {
    replace_checked(path, rel, expected, bytes, &mut || {})
}

/// [`replace`], with `meanwhile` run after the new text is written aside and before the final
/// check (tests use it to change the file at the worst moment).
pub(crate) fn replace_checked(
    path: &Path,
    rel: &str,
    expected: Option<&[u8]>,
    bytes: &[u8],
    meanwhile: &mut dyn FnMut(),
) -> Result<(), EditError> {
    let io = |e: std::io::Error| EditError::io(rel, &e);
    crate::persist::uninterrupted(|| {
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => Some(meta),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(e)),
        };
        let (expected, meta) = match (expected, meta) {
            (Some(expected), Some(meta)) => (expected, meta),
            (None, None) => {
                let temp = crate::persist::temp_beside(path, bytes, None).map_err(io)?;
                meanwhile();
                // Never replaces a file that appeared meanwhile.
                return match temp.persist_noclobber(path) {
                    Ok(_) => {
                        crate::persist::sync_folder(path);
                        Ok(())
                    }
                    Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                        Err(EditError::Changed(rel.to_owned()))
                    }
                    Err(e) => Err(io(e.error)),
                };
            }
            _ => return Err(EditError::Changed(rel.to_owned())),
        };
        if meta.file_type().is_symlink() || !meta.is_file() {
            return Err(EditError::NotRegular(rel.to_owned()));
        }
        check_writable(path, rel, &meta)?;
        let temp = crate::persist::temp_beside(path, bytes, Some(&meta)).map_err(io)?;
        meanwhile();
        #[cfg(target_os = "linux")]
        if let Some(result) = exchange(temp.path(), path, rel, expected, bytes) {
            // `temp` now names the text swapped out (or, refused, the new text): removed on drop.
            return result;
        }
        // The last look before the rename: a write since the file was read is never lost.
        let still = std::fs::symlink_metadata(path).map_err(io)?;
        if still.file_type().is_symlink() || !still.is_file() {
            return Err(EditError::Changed(rel.to_owned()));
        }
        let now = std::fs::read(path).map_err(io)?;
        if now != expected {
            return Err(EditError::Changed(rel.to_owned()));
        }
        crate::persist::rename_over(temp, path).map_err(io)
    })
}

/// Swaps the new text at `temp` with the file at `path` in one step (`renameat2` with
/// `RENAME_EXCHANGE`), then reads what was swapped out: if it is not `expected`, someone wrote
/// the file between the read and the swap, and the swap is undone, so their write stays in
/// place. Checking after the swap, not before a rename, leaves no moment in which a write can be
/// lost: an editor that writes in place truncated the old file before the swap (seen here),
/// and one that saves after it writes over the new text. `None` when the filesystem cannot
/// swap (the caller checks and renames instead).
#[cfg(target_os = "linux")]
fn exchange(
    temp: &Path,
    path: &Path,
    rel: &str,
    expected: &[u8],
    bytes: &[u8],
) -> Option<Result<(), EditError>> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    let io = |e: std::io::Error| EditError::io(rel, &e);
    if renameat_with(CWD, temp, CWD, path, RenameFlags::EXCHANGE).is_err() {
        return None;
    }
    // What was swapped out must still be the regular file that was read, not a link put there.
    let swapped_out = std::fs::symlink_metadata(temp)
        .and_then(|meta| Ok(meta.is_file() && std::fs::read(temp)? == expected));
    if let Ok(true) = swapped_out {
        crate::persist::sync_folder(path);
        return Some(Ok(()));
    }
    // Put the changed file back, unless it was replaced again meanwhile (then the newest write
    // is the one in place already, and the older one it superseded is let go).
    if std::fs::read(path).is_ok_and(|now| now == bytes)
        && let Err(e) = renameat_with(CWD, temp, CWD, path, RenameFlags::EXCHANGE)
    {
        return Some(Err(io(e.into())));
    }
    if let Err(e) = swapped_out {
        return Some(Err(io(e)));
    }
    Some(Err(EditError::Changed(rel.to_owned())))
}

/// A unified diff of `before` → `after` of the file `rel`, with `a/` and `b/` paths as git
/// shows them, safe to show: every secret found in the file before or after (`secrets`, found
/// in each text without its byte-order mark) masked in both, control characters escaped (line
/// breaks kept).
pub fn diff(rel: &str, before: &str, after: &str, secrets: &(Secrets, Secrets)) -> String {
    let shown = crate::display::sanitize(rel).into_owned();
    let both = secrets.0.union(&secrets.1);
    let mask = |text: &str, secrets: &Secrets| {
        let (bom, body) = match text.strip_prefix('\u{feff}') {
            Some(rest) => ("\u{feff}", rest),
            None => ("", text),
        };
        format!("{bom}{}", both.mask_str(&secrets.mask_text(body)))
    };
    let before = mask(before, &secrets.0);
    let after = mask(after, &secrets.1);
    let diff = similar::TextDiff::from_lines(&before, &after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{shown}"), &format!("b/{shown}"))
        .to_string();
    crate::display::sanitize_lines(&diff)
}

/// Undoes an edit of `rel` (under `root`) that wrote `written`: puts back `before`, or removes
/// the file when the edit created it (`before` is `None`), only while the file holds exactly
/// `written`, so an edit made since is never overwritten. Links and paths leaving `root` are
/// refused, and so are read-only and hard-linked files.
pub fn undo(
    root: &Path,
    rel: &str,
    before: Option<&[u8]>,
    written: &[u8],
) -> Result<(), EditError> {
    let shown = crate::display::sanitize(rel).into_owned();
    let real = resolve(root, rel).map_err(|e| e.shown_as(&shown))?;
    if let Some(before) = before {
        return replace(&real, &shown, Some(written), before);
    }
    crate::persist::uninterrupted(|| {
        let meta = std::fs::symlink_metadata(&real).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => EditError::Changed(shown.clone()),
            _ => EditError::io(&shown, &e),
        })?;
        if meta.file_type().is_symlink() || !meta.is_file() {
            return Err(EditError::NotRegular(shown.clone()));
        }
        match std::fs::read(&real) {
            Ok(now) if now == written => {
                std::fs::remove_file(&real).map_err(|e| EditError::io(&shown, &e))?;
                crate::persist::sync_folder(&real);
                Ok(())
            }
            Ok(_) => Err(EditError::Changed(shown.clone())),
            Err(e) => Err(EditError::io(&shown, &e)),
        }
    })
}

/// Whether [`replace`] could change the existing file at `path` now (a regular file, writable,
/// without other hard links): lets a caller refuse before asking the user anything.
pub fn check(path: &Path, rel: &str) -> Result<(), EditError> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| EditError::io(rel, &e))?;
    if meta.file_type().is_symlink() || !meta.is_file() {
        return Err(EditError::NotRegular(rel.to_owned()));
    }
    check_writable(path, rel, &meta)
}

/// Refuses a file whose mode allows nobody to write it (root could, so the mode is checked, not
/// only the attempt), that this user may not write, or that has other hard links.
fn check_writable(path: &Path, rel: &str, meta: &std::fs::Metadata) -> Result<(), EditError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o222 == 0 {
            return Err(EditError::ReadOnly {
                path: rel.to_owned(),
                mode,
            });
        }
        if meta.nlink() > 1 {
            return Err(EditError::HardLinks {
                path: rel.to_owned(),
                links: meta.nlink(),
            });
        }
    }
    #[cfg(not(unix))]
    if meta.permissions().readonly() {
        return Err(EditError::ReadOnly {
            path: rel.to_owned(),
            mode: 0o444,
        });
    }
    // Opening for writing (without truncating) changes nothing and asks the system whether this
    // user may write the file: its owner, group and ACLs, not only the bits above.
    match std::fs::OpenOptions::new().write(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            #[cfg(unix)]
            let mode = {
                use std::os::unix::fs::PermissionsExt;
                meta.permissions().mode() & 0o7777
            };
            #[cfg(not(unix))]
            let mode = 0o444;
            Err(EditError::ReadOnly {
                path: rel.to_owned(),
                mode,
            })
        }
        Err(e) => Err(EditError::io(rel, &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_made_between_the_check_and_the_rename_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        std::fs::write(&path, "old\n").unwrap();
        let result = replace_checked(&path, "a.py", Some(b"old\n"), b"fixed\n", &mut || {
            std::fs::write(&path, "edited meanwhile\n").unwrap()
        });
        assert_eq!(result, Err(EditError::Changed("a.py".into())));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "edited meanwhile\n"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "the temporary copy is removed");

        // A file created meanwhile where the edit meant to create one is kept too.
        let new = dir.path().join(".gitignore");
        let result = replace_checked(&new, ".gitignore", None, b".env\n", &mut || {
            std::fs::write(&new, "mine\n").unwrap()
        });
        assert_eq!(result, Err(EditError::Changed(".gitignore".into())));
        assert_eq!(std::fs::read_to_string(&new).unwrap(), "mine\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_put_in_place_meanwhile_is_kept_even_when_its_target_reads_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        let elsewhere = dir.path().join("elsewhere.py");
        std::fs::write(&path, "old\n").unwrap();
        std::fs::write(&elsewhere, "old\n").unwrap();
        let result = replace_checked(&path, "a.py", Some(b"old\n"), b"fixed\n", &mut || {
            std::fs::remove_file(&path).unwrap();
            std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
        });
        assert_eq!(result, Err(EditError::Changed("a.py".into())));
        assert!(std::fs::symlink_metadata(&path).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "old\n");
    }

    #[test]
    fn replaces_when_unchanged_keeping_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sh");
        std::fs::write(&path, "old\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o750)).unwrap();
        }
        replace(&path, "a.sh", Some(b"old\n"), b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o750);
        }
        assert_eq!(
            replace(&path, "a.sh", Some(b"old\n"), b"x\n"),
            Err(EditError::Changed("a.sh".into()))
        );
    }
}
