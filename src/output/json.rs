//! `--format json`: a versioned object for scripts.
//!
//! ```json
//! { "version": 1, "tool": {"name": "seccoach", "version": "…"},
//!   "summary": {"total": 2, "by_severity": {"critical": 0, "high": 1, …}, "files_scanned": …,
//!               "bytes_scanned": …, "skipped": {"binary": 1}, "suppressed": 0, "baselined": 0, "truncated": 0,
//!               "rules": 97},
//!   "findings": [ {"rule", "severity", "confidence", "path", "line", "column", "end_line",
//!                  "end_column", "message", "snippet", "fingerprint", "fix"} … ],
//!   "notes": [ "…" ] }
//! ```
//! With `scan --history`, each finding also has `commit`, `commit_date` and `in_head`, and the
//! summary a `history` object (`commits`, `blobs`, `refs`, `missing_objects`, `shallow`).
//! Version 1 only ever gains fields; a removal or change of meaning bumps `version`.

use super::Each;
use crate::finding::Finding;
use crate::report::Report;
use serde::Serialize;
use serde_json::{Map, Value, json};

pub const VERSION: u32 = 1;

/// The report as written: the findings are serialised one at a time (see [`Each`]). Fields in
/// the order a JSON map sorts them, as the rest of the document is.
#[derive(Serialize)]
struct Document<'a> {
    findings: Each<'a, Finding, Value>,
    notes: &'a [String],
    summary: Value,
    tool: Value,
    version: u32,
}

fn document(report: &Report) -> Document<'_> {
    let by_severity: Map<String, Value> = report
        .counts()
        .into_iter()
        .map(|(s, n)| (s.as_str().to_owned(), json!(n)))
        .collect();
    Document {
        // Each finding through a map, so its keys are sorted like every other object's.
        findings: Each::indexed(&report.findings, |i, f| {
            let mut value = serde_json::to_value(f).ok()?;
            // A history finding names the commit that introduced it.
            if let (Some(origin), Value::Object(map)) = (report.origin(i), &mut value) {
                map.insert("commit".to_owned(), json!(origin.commit));
                map.insert("commit_date".to_owned(), json!(origin.commit_date));
                map.insert("in_head".to_owned(), json!(origin.in_head));
            }
            Some(value)
        }),
        notes: &report.notes,
        summary: json!({
            "total": report.findings.len(),
            "by_severity": by_severity,
            "files_scanned": report.stats.files_scanned,
            "bytes_scanned": report.stats.bytes_scanned,
            "skipped": report.stats.skipped,
            "suppressed": report.stats.suppressed,
            "baselined": report.stats.baselined,
            "truncated": report.stats.truncated,
            "rules": report.stats.rules,
        })
        .as_object()
        .cloned()
        .map(|mut summary| {
            if let Some(history) = &report.history {
                summary.insert(
                    "history".to_owned(),
                    json!({
                        "commits": history.commits,
                        "blobs": history.blobs,
                        "refs": history.refs,
                        "missing_objects": history.missing_objects,
                        "shallow": history.shallow,
                    }),
                );
            }
            Value::Object(summary)
        })
        .unwrap_or_default(),
        tool: json!({ "name": "seccoach", "version": env!("CARGO_PKG_VERSION") }),
        version: VERSION,
    }
}

/// The report as a JSON value (for callers that inspect it; printing streams instead).
pub fn value(report: &Report) -> Value {
    serde_json::to_value(document(report)).expect("the document is plain data")
}

/// Pretty JSON with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut text = crate::display::json(&document(report), true);
    text.push('\n');
    text
}

/// One line of JSON (for JSON Lines streams).
pub fn render_line(report: &Report) -> String {
    let mut text = crate::display::json(&document(report), false);
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Autofix, Confidence, RuleId, Severity};

    fn finding(n: u32) -> Finding {
        Finding {
            rule: RuleId::try_from("code/eval".to_owned()).unwrap(),
            severity: Severity::High,
            confidence: Confidence::High,
            path: format!("src/m{n}.py"),
            line: n,
            column: 5,
            end_line: n,
            end_column: 9,
            message: "eval() runs its argument as code \u{202e}".to_owned(),
            snippet: "eval(x)".to_owned(),
            snippet_column: 0,
            fingerprint: format!("fp{n}"),
            legacy_fingerprint: None,
            fix: Autofix::None,
            in_test_code: false,
        }
    }

    /// Streaming the findings writes the same document a value tree would, key order included.
    #[test]
    fn the_streamed_document_is_the_value_tree_written_out() {
        let mut report = Report {
            findings: (1..=3).map(finding).collect(),
            ..Report::default()
        };
        report.notes.push("a note".to_owned());
        let tree = value(&report);
        assert_eq!(render(&report), crate::display::json(&tree, true) + "\n");
        assert_eq!(
            render_line(&report),
            crate::display::json(&tree, false) + "\n"
        );
        assert_eq!(tree["findings"][2]["path"], "src/m3.py");
        assert_eq!(tree["summary"]["total"], 3);
    }
}
