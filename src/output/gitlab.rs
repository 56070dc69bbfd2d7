//! `--format gitlab-sast`: GitLab's SAST security report (schema 15.0.x), the file a job names
//! under `artifacts:reports:sast`, so findings show in merge requests and the vulnerability
//! report. Notes (what could not be checked) and skipped files become `scan.messages`.

use super::Each;
use crate::catalog::{Catalog, Severity};
use crate::finding::Finding;
use crate::report::Report;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The report schema version written (one GitLab accepts from 15.x on).
pub const SCHEMA_VERSION: &str = "15.0.6";

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// A stable UUID-shaped id for a finding: the same finding has the same id in every pipeline.
fn id(finding: &Finding) -> String {
    let digest = Sha256::new()
        .chain_update(finding.rule.as_str())
        .chain_update([0])
        .chain_update(&finding.path)
        .chain_update([0])
        .chain_update(&finding.fingerprint)
        .finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn vulnerability(finding: &Finding, catalog: &Catalog) -> Option<Value> {
    let rule = catalog.rule(finding.rule.as_str())?;
    let mut identifiers = vec![json!({
        "type": "seccoach_rule",
        "name": format!("seccoach {}", rule.id),
        "value": rule.id.as_str(),
    })];
    let mut links = Vec::new();
    for reference in &rule.references {
        if let Some(number) = reference.strip_prefix("CWE-") {
            identifiers.push(json!({
                "type": "cwe",
                "name": reference,
                "value": number,
                "url": format!("https://cwe.mitre.org/data/definitions/{number}.html"),
            }));
        } else if reference.starts_with("https://") {
            links.push(json!({ "url": reference }));
        }
    }
    Some(json!({
        "id": id(finding),
        "name": rule.title.trim(),
        "description": format!("{}\n\n{}", finding.message, rule.what.trim()),
        "severity": severity(finding.severity),
        "solution": rule.fix.trim(),
        "identifiers": identifiers,
        "links": links,
        "location": {
            "file": finding.path,
            "start_line": finding.line,
            "end_line": finding.end_line.max(finding.line),
        },
    }))
}

/// GitLab's date form: UTC, to the second, without a zone.
fn time(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

#[derive(Serialize)]
struct Log<'a> {
    scan: Value,
    version: &'static str,
    vulnerabilities: Each<'a, Finding, Value>,
}

/// The report, for a scan that ran from `started` to `finished`.
pub fn render(
    report: &Report,
    catalog: &Catalog,
    started: jiff::Timestamp,
    finished: jiff::Timestamp,
) -> String {
    let tool = json!({
        "id": "seccoach",
        "name": "seccoach",
        "vendor": { "name": "seccoach" },
        "version": env!("CARGO_PKG_VERSION"),
    });
    let mut messages = Vec::new();
    let skipped = report.stats.skipped_summary();
    if !skipped.is_empty() {
        messages.push(json!({ "level": "info", "value": format!("{skipped}.") }));
    }
    for note in &report.notes {
        messages.push(json!({ "level": "warn", "value": note }));
    }
    let log = Log {
        scan: json!({
            "analyzer": tool,
            "scanner": tool,
            "type": "sast",
            "start_time": time(started),
            "end_time": time(finished),
            "status": "success",
            "messages": messages,
        }),
        version: SCHEMA_VERSION,
        vulnerabilities: Each::indexed(&report.findings, move |_, f| vulnerability(f, catalog)),
    };
    let mut text = crate::display::json(&log, true);
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{ScanOptions, Scanner};
    use std::sync::Arc;

    #[test]
    fn findings_and_notes_follow_the_sast_schema() {
        let catalog = Arc::new(Catalog::embedded().unwrap());
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("app.py"),
            "def run(expression):\n    return eval(expression)\n",
        )
        .unwrap();
        let scanner = Scanner::new(Arc::clone(&catalog), ScanOptions::default());
        let mut report = scanner.scan(dir.path()).unwrap();
        report.notes.push("a check did not run".to_owned());
        let at: jiff::Timestamp = "2026-01-02T03:04:05Z".parse().unwrap();
        let text = render(&report, &catalog, at, at);
        let log: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(log["version"], SCHEMA_VERSION);
        assert_eq!(log["scan"]["type"], "sast");
        assert_eq!(log["scan"]["start_time"], "2026-01-02T03:04:05");
        assert_eq!(log["scan"]["analyzer"]["vendor"]["name"], "seccoach");
        assert_eq!(
            log["scan"]["messages"][0],
            json!({"level": "warn", "value": "a check did not run"})
        );
        let vulns = log["vulnerabilities"].as_array().unwrap();
        let eval = vulns
            .iter()
            .find(|v| v["identifiers"][0]["value"] == "code/eval")
            .unwrap_or_else(|| panic!("no eval finding: {text}"));
        assert_eq!(
            eval["location"],
            json!({"file": "app.py", "start_line": 2, "end_line": 2})
        );
        assert!(
            ["Critical", "High", "Medium", "Low", "Info"]
                .contains(&eval["severity"].as_str().unwrap())
        );
        let id = eval["id"].as_str().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
        // The same finding has the same id in the next pipeline.
        assert_eq!(render(&report, &catalog, at, at), text);
    }
}
