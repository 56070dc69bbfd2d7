//! The realistic sample project (tests/fixtures/sample-app: a Flask API, a Node front end, a Go
//! worker, Dockerfile, Compose, a workflow and a Kubernetes manifest, mixing mistakes with their
//! safe counterparts). Its full findings list is a snapshot, so any change in what seccoach finds
//! on a real-looking project shows up in review.

use seccoach::catalog::Catalog;
use seccoach::scan::{ScanOptions, Scanner};
use std::path::Path;
use std::sync::Arc;

#[test]
fn sample_app_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sample-app");
    let scanner = Scanner::new(
        Arc::new(Catalog::embedded().unwrap()),
        ScanOptions::default(),
    );
    let report = scanner.scan(&root).unwrap();
    let lines: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            format!(
                "{:<8} {:<6} {:<38} {}:{}  {}",
                f.severity, f.confidence, f.rule, f.path, f.line, f.message
            )
        })
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}
