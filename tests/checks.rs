//! Fixture tests for every rule: `tests/fixtures/checks/<area>/<slug>/` holds `positive/` (the
//! rule fires exactly at the places in `expected.toml`: each finding's path, line and column,
//! compared as a multiset, so two findings on one line are two entries and a finding that moves
//! to another column on its line fails) and `negative/` (the fixed or safe form, where the rule
//! stays silent). Every rule in the catalogue must have both.

use seccoach::catalog::Catalog;
use seccoach::scan::{ScanOptions, Scanner};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    finding: Vec<ExpectedFinding>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    path: String,
    line: u32,
    /// 1-based, in characters, as findings report it.
    column: u32,
}

/// Optional `options.toml` of a fixture: scan options the rule needs to run at all.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureOptions {
    /// An OSV advisory database for `--advisories`, relative to the repository root.
    advisories: Option<String>,
}

/// A scanner with the fixture's `options.toml`, when it has one.
fn fixture_scanner(dir: &Path) -> Result<Option<Scanner>, String> {
    let path = dir.join("options.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let options: FixtureOptions =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let scan_options = ScanOptions {
        advisories: options
            .advisories
            .map(|p| Path::new(env!("CARGO_MANIFEST_DIR")).join(p)),
        ..ScanOptions::default()
    };
    let catalog = Arc::new(Catalog::embedded().expect("embedded catalogue loads"));
    Ok(Some(Scanner::new(catalog, scan_options)))
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checks")
}

fn scanner() -> Scanner {
    let catalog = Arc::new(Catalog::embedded().expect("embedded catalogue loads"));
    Scanner::new(catalog, ScanOptions::default())
}

/// (path, line, column) of every finding of `rule` under `dir`, sorted, repeats kept.
fn found(scanner: &Scanner, dir: &Path, rule: &str) -> Vec<(String, u32, u32)> {
    let report = scanner
        .scan(dir)
        .unwrap_or_else(|e| panic!("scan {}: {e}", dir.display()));
    let mut found: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == rule)
        .map(|f| (f.path.clone(), f.line, f.column))
        .collect();
    found.sort();
    found
}

/// What `want` has more of than `got`, as multisets (both sorted).
fn excess<'a, T: Ord>(want: &'a [T], got: &[T]) -> Vec<&'a T> {
    let mut rest: Vec<&T> = got.iter().collect();
    let mut out = Vec::new();
    for item in want {
        match rest.iter().position(|r| *r == item) {
            Some(at) => {
                rest.remove(at);
            }
            None => out.push(item),
        }
    }
    out
}

fn fixture_dirs() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let root = fixtures_root();
    let Ok(areas) = std::fs::read_dir(&root) else {
        return out;
    };
    for area in areas.flatten().filter(|e| e.path().is_dir()) {
        for rule in std::fs::read_dir(area.path())
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
        {
            let id = format!(
                "{}/{}",
                area.file_name().to_string_lossy(),
                rule.file_name().to_string_lossy()
            );
            out.push((id, rule.path()));
        }
    }
    out.sort();
    out
}

#[test]
fn every_rule_fires_on_its_positive_fixture_and_not_on_its_negative() {
    let scanner = scanner();
    let mut failures = Vec::new();
    for (id, dir) in fixture_dirs() {
        if scanner.catalog().rule(&id).is_none() {
            failures.push(format!(
                "{id}: fixture folder for a rule that does not exist"
            ));
            continue;
        }
        let expected_path = dir.join("expected.toml");
        let expected: Expected = match std::fs::read_to_string(&expected_path) {
            Ok(text) => match toml::from_str(&text) {
                Ok(e) => e,
                Err(e) => {
                    failures.push(format!("{}: {e}", expected_path.display()));
                    continue;
                }
            },
            Err(e) => {
                failures.push(format!("{}: {e}", expected_path.display()));
                continue;
            }
        };
        let mut want: Vec<(String, u32, u32)> = expected
            .finding
            .into_iter()
            .map(|f| (f.path, f.line, f.column))
            .collect();
        want.sort();
        if want.is_empty() {
            failures.push(format!("{id}: expected.toml lists no finding"));
        }
        let own_scanner = match fixture_scanner(&dir) {
            Ok(own) => own,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let active = own_scanner.as_ref().unwrap_or(&scanner);
        let got = found(active, &dir.join("positive"), &id);
        if got != want {
            let missing = excess(&want, &got);
            let extra = excess(&got, &want);
            failures.push(format!(
                "{id}: positive fixture: missing {missing:?}, unexpected {extra:?}"
            ));
        }
        let negative = dir.join("negative");
        if negative.is_dir() {
            let got = found(active, &negative, &id);
            if !got.is_empty() {
                failures.push(format!("{id}: negative fixture flagged at {got:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_a_positive_and_a_negative_fixture() {
    let catalog = Catalog::embedded().unwrap();
    let root = fixtures_root();
    let missing: Vec<String> = catalog
        .rules()
        .iter()
        .filter(|rule| {
            let dir = root.join(rule.id.as_str());
            !(dir.join("positive").is_dir()
                && dir.join("negative").is_dir()
                && dir.join("expected.toml").is_file())
        })
        .map(|rule| rule.id.to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "rules without positive/negative fixtures: {missing:?}"
    );
}

#[test]
fn the_comparison_counts_repeats_and_columns() {
    let at = |line, column| ("a.py".to_owned(), line, column);
    let want = [at(3, 1), at(3, 9)];
    // One of two findings on a line lost: reported, though the line is still found.
    assert_eq!(excess(&want, &[at(3, 1)]), [&at(3, 9)]);
    // A finding moved along its line.
    assert_eq!(excess(&want, &[at(3, 1), at(3, 5)]), [&at(3, 9)]);
    assert!(excess(&want, &want).is_empty());
}
