//! Guided fixes: for rules whose fix is mechanical, a recipe gives edits (a byte range and its
//! replacement) with the rule's applicability (safe / needs review); the engine refuses any edit
//! outside the finding's lines ([`bounded`]), re-checks the edited text until no fixable finding
//! is left, shows the result as a unified diff, and applies it only if the file is unchanged
//! since it was read.
//!
//! A fix never loses data: it refuses files outside the scan root, links, non-UTF-8, read-only
//! and hard-linked files and files changed since the proposal; it writes atomically, keeping
//! permissions, line endings and every byte it does not mean to change; and applying it twice
//! changes nothing.

mod recipes;
pub mod text;

pub use recipes::{RULES, rationale, target_file};

use crate::catalog::{Autofix, Catalog};
use crate::edit::{self, Edit, EditError};
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
    /// A unified diff of the change, safe to show (see [`edit::diff`]).
    pub fn diff(&self) -> String {
        edit::diff(&self.path, &self.before, &self.after, &self.secrets)
    }

    /// Puts back what the file held before this fix, if it still holds what the fix wrote (see
    /// [`edit::undo`]).
    pub fn undo(&self, root: &Path) -> Result<(), EditError> {
        let expected = self.existed.then_some(self.before.as_bytes());
        edit::undo(root, &self.path, expected, self.after.as_bytes())
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
        if let Some((fix, next)) = fix_for(catalog, kind, &text, finding, true) {
            text = next;
            fixed.push((finding.rule.to_string(), finding.line));
            safety = less_safe(safety, fix.applicability);
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
            match fix_for(catalog, kind, &text, f, false) {
                Some(n) => {
                    next = Some((f, n));
                    break;
                }
                None => skipped.push(key),
            }
        }
        let Some((finding, (fix, next))) = next else {
            break;
        };
        // An edit can make a recipe applicable that was not before (e.g. privilege escalation
        // can only be switched off once the container is no longer privileged).
        skipped.clear();
        fixed.push((finding.rule.to_string(), finding.line));
        safety = less_safe(safety, fix.applicability);
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

/// The edits that fix one finding, and how safe they are to apply without reading them (the
/// rule's `autofix` label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub edits: Vec<Edit>,
    pub applicability: Autofix,
}

/// The fix for `finding` in `text` (the file's text without its byte-order mark) and the text
/// it makes, when the rule has a recipe, the recipe applies, the result differs, and every edit
/// is [`bounded`] by the finding (`tree`: a whole-tree finding reported in another file, whose
/// fix may only add lines).
pub fn fix_for(
    catalog: &Catalog,
    kind: FileKind,
    text: &str,
    finding: &Finding,
    tree: bool,
) -> Option<(Fix, String)> {
    let applicability = catalog.rule(finding.rule.as_str())?.autofix;
    if !applicability.is_available() {
        return None;
    }
    let edits = recipes::apply(kind, text, finding)?;
    bounded(text, (!tree).then_some(finding), &edits).ok()?;
    let next = edit::apply_edits(text, &edits).filter(|n| n != text)?;
    Some((
        Fix {
            edits,
            applicability,
        },
        next,
    ))
}

/// Why an edit is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unbounded {
    /// It replaces text outside the finding's lines, or before its column on a one-line
    /// finding.
    OutsideFinding(Edit),
    /// An insertion that splits a line or joins the new text to the next line.
    SplitsLine(Edit),
    /// It falls outside the text, splits a character or overlaps another edit.
    Malformed(Edit),
}

/// Checks `edits` of `text` against `finding` (`None`: a whole-tree finding reported in another
/// file, whose fix may only add lines). An edit is accepted when it
/// - replaces (or inserts) text within the finding's lines, and on a one-line finding not before
///   its first column (what follows may change: a finding often points at a key whose value the
///   fix rewrites); or
/// - inserts whole new lines: at the start of a line (or at the end of the text), ending with a
///   line break (or starting with one at the end of a text without a final break).
///
/// Every other edit is refused, so a recipe cannot "fix" a finding by deleting or rewriting the
/// code around it, and no line outside the finding's lines is ever changed or removed.
pub fn bounded(text: &str, finding: Option<&Finding>, edits: &[Edit]) -> Result<(), Unbounded> {
    if edit::apply_edits(text, edits).is_none() {
        return Err(Unbounded::Malformed(
            edits.first().cloned().unwrap_or(Edit::insert(0, "")),
        ));
    }
    let span = finding.and_then(|f| {
        let start = text::offset_of_line(text, f.line)?;
        let end = text::line_range(text, f.end_line.max(f.line))?.end;
        let from = if f.end_line <= f.line {
            let body = &text[start..end];
            start
                + body
                    .char_indices()
                    .nth(f.column.saturating_sub(1) as usize)
                    .map_or(body.len(), |(i, _)| i)
        } else {
            start
        };
        Some(from..end)
    });
    for e in edits {
        if span
            .as_ref()
            .is_some_and(|s| s.start <= e.range.start && e.range.end <= s.end)
        {
            continue;
        }
        if !e.range.is_empty() {
            return Err(Unbounded::OutsideFinding(e.clone()));
        }
        let at = e.range.start;
        let at_line_start = at == 0
            || text[..at].ends_with('\n')
            || (text[..at].ends_with('\r') && !text[at..].starts_with('\n'));
        let whole = if at == text.len() && !text.is_empty() && !text::ends_with_break(text) {
            e.replacement.starts_with(['\n', '\r'])
        } else {
            at_line_start && (at == text.len() || text::ends_with_break(&e.replacement))
        };
        if !whole {
            return Err(Unbounded::SplitsLine(e.clone()));
        }
    }
    Ok(())
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
        // `verify=False` is at columns 26..38 of line 2, bytes 31..43 of the text.
        let finding = finding_at(2, 26, 38);
        let ok = |edits: &[Edit]| bounded(before, Some(&finding), edits);
        assert_eq!(&before[31..43], "verify=False");
        assert_eq!(ok(&[Edit::replace(38..43, "True")]), Ok(()));
        // A whole new line anywhere; text at the finding's column.
        assert_eq!(
            ok(&[Edit::insert(6, "# note\n"), Edit::insert(31, "x")]),
            Ok(())
        );
        // The old recipe's output: the call before the finding is gone.
        let old = Edit::replace(10..43, "verify=True");
        assert_eq!(
            ok(std::slice::from_ref(&old)),
            Err(Unbounded::OutsideFinding(old))
        );
        // Another line changed or removed.
        let other = Edit::replace(4..5, "9");
        assert_eq!(
            ok(std::slice::from_ref(&other)),
            Err(Unbounded::OutsideFinding(other))
        );
        let removed = Edit::replace(0..6, "");
        assert_eq!(
            ok(std::slice::from_ref(&removed)),
            Err(Unbounded::OutsideFinding(removed))
        );
        // An insertion that splits a line, or joins the next one.
        let split = Edit::insert(2, "x\n");
        assert_eq!(
            ok(std::slice::from_ref(&split)),
            Err(Unbounded::SplitsLine(split))
        );
        let joined = Edit::insert(6, "# note");
        assert_eq!(
            ok(std::slice::from_ref(&joined)),
            Err(Unbounded::SplitsLine(joined))
        );
        // Overlapping edits.
        assert!(matches!(
            ok(&[Edit::replace(38..43, "True"), Edit::replace(39..40, "x")]),
            Err(Unbounded::Malformed(_))
        ));
        // A whole-tree fix may only add lines, at the end of a text without a final break too.
        assert_eq!(bounded("a", None, &[Edit::insert(1, "\n.env\n")]), Ok(()));
        assert!(bounded("a", None, &[Edit::insert(1, ".env\n")]).is_err());
        assert!(bounded("a\r\nb", None, &[Edit::insert(2, "x\r\n")]).is_err());
    }
}
