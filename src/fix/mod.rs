//! Guided fixes: for rules whose fix is mechanical, a recipe edits the file's text at the
//! located lines; the engine re-checks the edited text until no fixable finding is left, shows
//! the result as a unified diff, and applies it only if the file is unchanged since it was read.
//!
//! A fix never loses data: it refuses files outside the scan root, links, non-UTF-8, read-only
//! and hard-linked files and files changed since the proposal; it writes atomically, keeping
//! permissions, line endings and every byte it does not mean to change; and applying it twice
//! changes nothing.

mod recipes;
pub mod text;

pub use recipes::{RULES, rationale};

use crate::catalog::{Autofix, Catalog};
use crate::edit::{self, EditError};
use crate::finding::Finding;
use crate::redact::Secrets;
use crate::scan::Scanner;
use crate::source::{FileKind, Source};
use std::collections::BTreeMap;
use std::path::Path;

/// Most recipes applied to one file in one proposal (each removes a finding; this only guards
/// against a recipe that does not).
const MAX_STEPS: usize = 200;

/// Why a fix cannot be proposed or applied.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// The file cannot or may not be changed (outside the root, a link, read-only, hard-linked,
    /// changed since it was read).
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error("{0}: not UTF-8 text, not fixing")]
    NotText(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// The fix for one file: every fixable finding in it, applied in turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFix {
    /// Relative to the root, `/`-separated.
    pub path: String,
    /// The file as read (empty for a file the fix creates).
    pub before: String,
    pub after: String,
    /// Whether the file exists now.
    pub existed: bool,
    /// The rules fixed and the lines they were on, in the order they were applied.
    pub fixed: Vec<(String, u32)>,
    /// The least safe label among the recipes applied.
    pub safety: Autofix,
    /// The secrets the rules find in `before` and in `after` (each without its byte-order
    /// mark): masked in the diff.
    pub secrets: (Secrets, Secrets),
}

impl FileFix {
    /// A unified diff of the change, with `a/` and `b/` paths as git shows them, safe to show:
    /// every secret found in the file before or after the fix redacted, control characters
    /// escaped (line breaks kept).
    pub fn diff(&self) -> String {
        let shown = crate::display::sanitize(&self.path).into_owned();
        let both = self.secrets.0.union(&self.secrets.1);
        let mask = |text: &str, secrets: &Secrets| {
            let (bom, body) = match text.strip_prefix('\u{feff}') {
                Some(rest) => ("\u{feff}", rest),
                None => ("", text),
            };
            format!("{bom}{}", both.mask_str(&secrets.mask_text(body)))
        };
        let before = mask(&self.before, &self.secrets.0);
        let after = mask(&self.after, &self.secrets.1);
        let diff = similar::TextDiff::from_lines(&before, &after)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{shown}"), &format!("b/{shown}"))
            .to_string();
        crate::display::sanitize_lines(&diff)
    }
}

fn read_text(path: &Path, rel: &str) -> Result<Option<String>, FixError> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| FixError::NotText(rel.to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(FixError::Io {
            path: rel.to_owned(),
            source,
        }),
    }
}

fn less_safe(a: Autofix, b: Autofix) -> Autofix {
    match (a, b) {
        (Autofix::NeedsReview, _) | (_, Autofix::NeedsReview) => Autofix::NeedsReview,
        (Autofix::Safe, _) | (_, Autofix::Safe) => Autofix::Safe,
        _ => Autofix::None,
    }
}

/// Proposes fixes for `findings` (from a scan of `root`), restricted to `rules` when given.
/// Returns one `FileFix` per file that would change, sorted by path, and the errors met.
pub fn propose(
    scanner: &Scanner,
    root: &Path,
    findings: &[Finding],
    rules: &[String],
) -> (Vec<FileFix>, Vec<FixError>) {
    let catalog = scanner.catalog();
    let wanted = |rule: &str| {
        RULES.contains(&rule)
            && (rules.is_empty() || rules.iter().any(|r| r == rule))
            && catalog.rule(rule).is_some_and(|r| r.autofix.is_available())
    };
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in findings.iter().filter(|f| wanted(f.rule.as_str())) {
        // Some fixes edit another file than the one reported (a missing .gitignore entry is
        // reported where the .env is, and fixed in .gitignore).
        let target = recipes::target_file(finding.rule.as_str()).unwrap_or(finding.path.as_str());
        by_file.entry(target).or_default().push(finding);
    }
    let mut fixes = Vec::new();
    let mut errors = Vec::new();
    for (rel, file_findings) in by_file {
        match propose_file(scanner, catalog, root, rel, &file_findings, &wanted) {
            Ok(Some(fix)) => fixes.push(fix),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    (fixes, errors)
}

fn propose_file(
    scanner: &Scanner,
    catalog: &Catalog,
    root: &Path,
    rel: &str,
    reported: &[&Finding],
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Option<FileFix>, FixError> {
    let path = edit::resolve(root, rel)?;
    let existing = read_text(&path, rel)?;
    let existed = existing.is_some();
    let before = existing.unwrap_or_default();
    let (bom, body) = match before.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", before.as_str()),
    };
    let kind = FileKind::detect(rel, body.as_bytes());
    let mut text = body.to_owned();
    let mut fixed = Vec::new();
    let mut safety = Autofix::None;
    // Whole-tree findings (e.g. a .gitignore that misses .env) are not found again by checking
    // the file alone, so each is fixed once, as reported.
    let per_file: Vec<&Finding> = reported
        .iter()
        .copied()
        .filter(|f| is_tree_rule(catalog, f))
        .collect();
    for finding in per_file {
        if let Some(next) = recipes::apply(kind, &text, finding).filter(|n| *n != text) {
            text = next;
            fixed.push((finding.rule.to_string(), finding.line));
            safety = less_safe(
                safety,
                catalog
                    .rule(finding.rule.as_str())
                    .map_or(Autofix::None, |r| r.autofix),
            );
        }
    }
    // File-level findings: apply one recipe, re-check the edited text, repeat until stable.
    let mut skipped: Vec<(String, u32)> = Vec::new();
    for _ in 0..MAX_STEPS {
        let source = Source::new(rel, kind, text.as_bytes());
        let (current, _) = scanner.check_source(&source);
        let mut next = None;
        for f in current.iter().filter(|f| wanted(f.rule.as_str())) {
            let key = (f.rule.to_string(), f.line);
            if skipped.contains(&key) {
                continue;
            }
            match recipes::apply(kind, &text, f).filter(|n| *n != text && edits_only(&text, n, f)) {
                Some(n) => {
                    next = Some((f, n));
                    break;
                }
                None => skipped.push(key),
            }
        }
        let Some((finding, next)) = next else { break };
        // An edit can make a recipe applicable that was not before (e.g. privilege escalation
        // can only be switched off once the container is no longer privileged).
        skipped.clear();
        fixed.push((finding.rule.to_string(), finding.line));
        safety = less_safe(
            safety,
            catalog
                .rule(finding.rule.as_str())
                .map_or(Autofix::None, |r| r.autofix),
        );
        text = next;
    }
    if fixed.is_empty() {
        return Ok(None);
    }
    let secrets = (
        scanner.secrets_in(&Source::new(rel, kind, body.as_bytes())),
        scanner.secrets_in(&Source::new(rel, kind, text.as_bytes())),
    );
    Ok(Some(FileFix {
        path: rel.to_owned(),
        secrets,
        after: format!("{bom}{text}"),
        before,
        existed,
        fixed,
        safety,
    }))
}

/// True when `after` differs from `before` only where `finding` is: lines may be inserted
/// anywhere (a recipe adds a `permissions:` block or a `USER` line), but no line outside the
/// finding's lines is changed or removed, and on a one-line finding nothing before its first
/// column changes. The engine refuses any other edit, so a recipe cannot "fix" a finding by deleting
/// the code around it.
fn edits_only(before: &str, after: &str, finding: &Finding) -> bool {
    let lines = (finding.line as usize - 1)..(finding.end_line.max(finding.line) as usize);
    let diff = similar::TextDiff::from_lines(before, after);
    let old_lines: Vec<&str> = before.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = after.split_inclusive('\n').collect();
    for op in diff.ops() {
        let (old, new) = (op.old_range(), op.new_range());
        match op.tag() {
            similar::DiffTag::Equal | similar::DiffTag::Insert => {}
            similar::DiffTag::Delete => return false,
            similar::DiffTag::Replace => {
                if old.start < lines.start || old.end > lines.end {
                    return false;
                }
                // A one-line finding's line rewritten as one line: only its columns change.
                if finding.line == finding.end_line
                    && old.len() == 1
                    && new.len() == 1
                    && let (Some(old_line), Some(new_line)) =
                        (old_lines.get(old.start), new_lines.get(new.start))
                    && !same_outside(old_line, new_line, finding)
                {
                    return false;
                }
            }
        }
    }
    true
}

/// True when `new` keeps what `old` has before the finding's first column. (What follows it may
/// change: an analyzer's finding often points at a key whose value the recipe rewrites.)
fn same_outside(old: &str, new: &str, finding: &Finding) -> bool {
    let head = old
        .char_indices()
        .nth(finding.column.saturating_sub(1) as usize)
        .map_or(old, |(at, _)| &old[..at]);
    new.starts_with(head)
}

fn is_tree_rule(_catalog: &Catalog, finding: &Finding) -> bool {
    recipes::target_file(finding.rule.as_str()).is_some()
}

/// Writes a proposed fix, if the file is still exactly as it was when the fix was proposed
/// (checked again immediately before the new text is renamed into place). Read-only files and
/// files with other hard links are refused (see [`crate::edit`]).
pub fn apply(root: &Path, fix: &FileFix) -> Result<(), FixError> {
    let path = edit::resolve(root, &fix.path)?;
    let expected = fix.existed.then_some(fix.before.as_bytes());
    edit::replace(&path, &fix.path, expected, fix.after.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Confidence, RuleId, Severity};

    fn finding_at(line: u32, column: u32, end_column: u32) -> Finding {
        Finding {
            rule: RuleId::try_from("code/tls-verify-disabled".to_owned()).unwrap(),
            severity: Severity::High,
            confidence: Confidence::High,
            path: "a.py".into(),
            line,
            column,
            end_line: line,
            end_column,
            message: String::new(),
            snippet: String::new(),
            snippet_column: 0,
            fingerprint: String::new(),
            legacy_fingerprint: None,
            fix: Autofix::Safe,
            in_test_code: false,
        }
    }

    #[test]
    fn edits_that_delete_code_are_refused() {
        let before = "a = 1\ns = check(x); r = get(u, verify=False)\nb = 2\n";
        // `verify=False` is at columns 27..39 of line 2.
        let finding = finding_at(2, 27, 39);
        let good = "a = 1\ns = check(x); r = get(u, verify=True)\nb = 2\n";
        assert!(edits_only(before, good, &finding));
        let inserted = "a = 1\n# note\ns = check(x); r = get(u, verify=True)\nb = 2\n";
        assert!(
            edits_only(before, inserted, &finding),
            "insertions are fine"
        );
        // The old recipe's output: the call before the finding is gone.
        assert!(!edits_only(
            before,
            "a = 1\ns = verify=True)\nb = 2\n",
            &finding
        ));
        // Another line changed or removed.
        assert!(!edits_only(
            before,
            "a = 9\ns = check(x); r = get(u, verify=True)\nb = 2\n",
            &finding
        ));
        assert!(!edits_only(
            before,
            "s = check(x); r = get(u, verify=True)\nb = 2\n",
            &finding
        ));
    }
}
