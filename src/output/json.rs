//! `--format json`: a versioned object for scripts.
//!
//! ```json
//! { "version": 1, "tool": {"name": "seccoach", "version": "…"},
//!   "summary": {"total": 2, "by_severity": {"critical": 0, "high": 1, …}, "files_scanned": …,
//!               "bytes_scanned": …, "skipped": {"binary": 1}, "suppressed": 0, "baselined": 0,
//!               "rules": 97},
//!   "findings": [ {"rule", "severity", "confidence", "path", "line", "column", "end_line",
//!                  "end_column", "message", "snippet", "fingerprint", "fix"} … ],
//!   "notes": [ "…" ] }
//! ```
//! Version 1 only ever gains fields; a removal or change of meaning bumps `version`.

use crate::report::Report;
use serde_json::{Map, Value, json};

pub const VERSION: u32 = 1;

/// The report as a JSON value.
pub fn value(report: &Report) -> Value {
    let by_severity: Map<String, Value> = report
        .counts()
        .into_iter()
        .map(|(s, n)| (s.as_str().to_owned(), json!(n)))
        .collect();
    json!({
        "version": VERSION,
        "tool": { "name": "seccoach", "version": env!("CARGO_PKG_VERSION") },
        "summary": {
            "total": report.findings.len(),
            "by_severity": by_severity,
            "files_scanned": report.stats.files_scanned,
            "bytes_scanned": report.stats.bytes_scanned,
            "skipped": report.stats.skipped,
            "suppressed": report.stats.suppressed,
            "baselined": report.stats.baselined,
            "rules": report.stats.rules,
        },
        "findings": report.findings,
        "notes": report.notes,
    })
}

/// Pretty JSON with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut text = crate::display::json(&value(report), true);
    text.push('\n');
    text
}

/// One line of JSON (for JSON Lines streams).
pub fn render_line(report: &Report) -> String {
    let mut text = crate::display::json(&value(report), false);
    text.push('\n');
    text
}
