//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it — rules with Markdown help and
//! `security-severity`, results with 1-based regions and `partialFingerprints`.

use super::explain;
use crate::catalog::{Catalog, Rule};
use crate::finding::Finding;
use crate::report::Report;
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

fn result(finding: &Finding, rule_index: usize) -> Value {
    json!({
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
        },
    })
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

/// The SARIF log as a JSON value.
pub fn value(report: &Report, catalog: &Catalog) -> Value {
    // Only the rules that have results, in id order; results point at them by index.
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in &report.findings {
        used.entry(finding.rule.as_str()).or_default();
    }
    let rules: Vec<&Rule> = used.keys().filter_map(|id| catalog.rule(id)).collect();
    for (i, rule) in rules.iter().enumerate() {
        used.insert(rule.id.as_str(), i);
    }
    let results: Vec<Value> = report
        .findings
        .iter()
        .filter_map(|f| used.get(f.rule.as_str()).map(|&i| result(f, i)))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "seccoach",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/seccoach/seccoach",
                    "rules": rules.iter().map(|r| rule_descriptor(r, catalog)).collect::<Vec<_>>(),
                },
            },
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The scanned directory." } } },
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    })
}

pub fn render(report: &Report, catalog: &Catalog) -> String {
    let mut text = crate::display::json(&value(report, catalog), true);
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
}
