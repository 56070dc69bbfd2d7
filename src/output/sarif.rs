//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it — rules with Markdown help and
//! `security-severity`, results with 1-based regions and `partialFingerprints`.

use super::{Each, explain};
use crate::catalog::{Catalog, Rule};
use crate::finding::Finding;
use crate::history::{History, Origin};
use crate::report::{PARSE_ERROR_NOTE, Report};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn rule_descriptor(rule: &Rule, catalog: &Catalog) -> Value {
    let help_markdown = explain::markdown(rule, catalog);
    let mut tags = vec!["security".to_owned(), rule.id.area().to_owned()];
    tags.extend(
        rule.references
            .iter()
            .filter(|r| r.starts_with("CWE-"))
            .map(|cwe| format!("external/cwe/{}", cwe.to_ascii_lowercase())),
    );
    let text = |t: &str| explain::shown(rule, catalog, t.trim());
    json!({
        "id": rule.id.as_str(),
        "name": rule.id.as_str().replace(['/', '-'], "_"),
        "shortDescription": { "text": text(&rule.title) },
        "fullDescription": { "text": text(&rule.what) },
        "help": {
            "text": format!("{}\n\nFix: {}", text(&rule.what), text(&rule.fix)),
            "markdown": help_markdown,
        },
        "defaultConfiguration": { "level": rule.severity.sarif_level() },
        "properties": {
            "security-severity": rule.severity.security_severity(),
            "precision": rule.confidence.sarif_precision(),
            "problem.severity": rule.severity.sarif_level(),
            "tags": tags,
        },
    })
}

fn result(finding: &Finding, rule_index: usize, origin: Option<&Origin>) -> Value {
    let mut value = json!({
        "ruleId": finding.rule.as_str(),
        "ruleIndex": rule_index,
        "level": finding.severity.sarif_level(),
        "message": { "text": finding.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&finding.path), "uriBaseId": "%SRCROOT%" },
                "region": {
                    "startLine": finding.line,
                    "startColumn": finding.column,
                    "endLine": finding.end_line.max(finding.line),
                    "endColumn": if finding.end_line > finding.line { finding.end_column } else { finding.end_column.max(finding.column + 1) },
                    "snippet": { "text": finding.snippet },
                },
            },
        }],
        "partialFingerprints": { "seccoach/v1": finding.fingerprint },
        "properties": {
            "severity": finding.severity.as_str(),
            "confidence": finding.confidence.as_str(),
            "in_test_code": finding.in_test_code,
        },
    });
    // A history finding: the commit that introduced it, and a fingerprint of its own per commit
    // (the same line may hold a secret in two commits).
    if let Some(origin) = origin {
        value["properties"]["commit"] = json!(origin.commit);
        value["properties"]["commitDate"] = json!(origin.commit_date);
        value["properties"]["inHead"] = json!(origin.in_head);
        value["partialFingerprints"]["seccoach/history/v1"] =
            json!(format!("{}:{}", finding.fingerprint, origin.commit));
    }
    value
}

/// With `scan --history`: the repository and the revision HEAD was at, as SARIF's
/// `versionControlProvenance` (the source root is the repository's top).
fn provenance(history: &History) -> Value {
    let mut details = json!({
        "repositoryUri": history.repository_uri,
        "mappedTo": { "uriBaseId": "%SRCROOT%" },
    });
    if let Some(head) = &history.head {
        details["revisionId"] = json!(head);
    }
    if let Some(branch) = &history.branch {
        details["branch"] = json!(branch);
    }
    json!([details])
}

/// Percent-encodes what a relative URI reference may not contain raw.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The run's invocation: what the scan skipped (`properties.skipped`, by reason) and every note,
/// as tool execution notifications, so code scanning shows what was not checked.
fn invocation(report: &Report) -> Value {
    let mut notifications: Vec<Value> = Vec::new();
    let skipped = report.stats.skipped_summary();
    if !skipped.is_empty() {
        notifications.push(json!({
            "level": "note",
            "descriptor": { "id": "skipped" },
            "message": { "text": format!("{skipped}.") },
        }));
    }
    for note in &report.notes {
        let id = if note.starts_with(PARSE_ERROR_NOTE) {
            "parse-error"
        } else {
            "note"
        };
        notifications.push(json!({
            "level": "warning",
            "descriptor": { "id": id },
            "message": { "text": note },
        }));
    }
    json!({
        "executionSuccessful": true,
        "toolExecutionNotifications": notifications,
        "properties": { "skipped": report.stats.skipped },
    })
}

/// The SARIF log as written: results are serialised one at a time (see [`super::Each`]).
/// Fields in the order a JSON map sorts them, as the rest of the log is.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    column_kind: &'static str,
    invocations: [Value; 1],
    original_uri_base_ids: Value,
    results: Each<'a, Finding, Value>,
    tool: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_control_provenance: Option<Value>,
}

fn log<'a>(report: &'a Report, catalog: &Catalog) -> Log<'a> {
    // Only the rules that have results, in id order; results point at them by index.
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in &report.findings {
        used.entry(finding.rule.as_str()).or_default();
    }
    let rules: Vec<&Rule> = used.keys().filter_map(|id| catalog.rule(id)).collect();
    let index: BTreeMap<String, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| (rule.id.to_string(), i))
        .collect();
    Log {
        schema: SCHEMA,
        runs: [Run {
            column_kind: "unicodeCodePoints",
            invocations: [invocation(report)],
            original_uri_base_ids: json!({
                "%SRCROOT%": { "description": { "text": "The scanned directory." } }
            }),
            results: Each::indexed(&report.findings, move |n, f| {
                index
                    .get(f.rule.as_str())
                    .map(|&i| result(f, i, report.origin(n)))
            }),
            tool: json!({
                "driver": {
                    "name": "seccoach",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/seccoach/seccoach",
                    "rules": rules.iter().map(|r| rule_descriptor(r, catalog)).collect::<Vec<_>>(),
                },
            }),
            version_control_provenance: report.history.as_ref().map(provenance),
        }],
        version: "2.1.0",
    }
}

/// The SARIF log as a JSON value (for callers that inspect it; printing streams instead).
pub fn value(report: &Report, catalog: &Catalog) -> Value {
    serde_json::to_value(log(report, catalog)).expect("the log is plain data")
}

pub fn render(report: &Report, catalog: &Catalog) -> String {
    let mut text = crate::display::json(&log(report, catalog), true);
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("src/a b/ü.py"), "src/a%20b/%C3%BC.py");
        assert_eq!(uri("x\x1b[31m"), "x%1B%5B31m");
    }

    /// Streaming the results writes the same log a value tree would, key order included.
    #[test]
    fn the_streamed_log_is_the_value_tree_written_out() {
        let catalog = Catalog::embedded().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("app.py"),
            "import os\n\ndef run(expression):\n    return eval(expression)\n\nos.system(cmd + x)\n",
        )
        .unwrap();
        let scanner = crate::scan::Scanner::new(
            std::sync::Arc::new(catalog.clone()),
            crate::scan::ScanOptions::default(),
        );
        let mut report = scanner.scan(dir.path()).unwrap();
        report.notes.push("a note".to_owned());
        assert!(!report.findings.is_empty());
        let tree = value(&report, &catalog);
        assert_eq!(
            render(&report, &catalog),
            crate::display::json(&tree, true) + "\n"
        );
        let results = tree["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), report.findings.len());
    }
}
