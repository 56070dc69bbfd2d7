//! `seccoach scan --advisories PATH`: the OSV database is read from a directory, a zip or a
//! single record; findings name the advisory and the fixed version at the lockfile line; a bad
//! database is an error (exit 2) naming the file; without a database the scan says once that
//! `deps/known-vulnerable` did not run.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use support::copy_tree;

mod support;

fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn fixture() -> PathBuf {
    repo_path("tests/fixtures/checks/deps/known-vulnerable/positive")
}

fn seccoach() -> Command {
    let mut cmd = Command::cargo_bin("seccoach").expect("binary builds");
    cmd.env("NO_COLOR", "1").env_remove("CI");
    cmd
}

/// Runs a JSON scan and returns (exit code, report).
fn scan_json(args: &[&str]) -> (i32, Value) {
    let output = seccoach()
        .arg("scan")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), report)
}

/// (path, line, message) of every deps/known-vulnerable finding.
fn vulnerable(report: &Value) -> Vec<(String, u64, String)> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "deps/known-vulnerable")
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// (path, line) of every deps/known-vulnerable finding.
fn vulnerable_lines(report: &Value) -> Vec<(String, u64)> {
    vulnerable(report)
        .into_iter()
        .map(|(p, l, _)| (p, l))
        .collect()
}

fn owned(lines: Vec<(&str, u64)>) -> Vec<(String, u64)> {
    lines.into_iter().map(|(p, l)| (p.to_owned(), l)).collect()
}

fn expected_lines() -> Vec<(&'static str, u64)> {
    vec![
        ("api/poetry.lock", 4),
        ("api/requirements.txt", 2),
        ("gateway/go.mod", 6),
        ("svc/Cargo.lock", 13),
        ("web/package-lock.json", 12),
        ("web/package-lock.json", 20),
        ("web/yarn.lock", 5),
    ]
}

#[test]
fn sample_database_directory_finds_every_vulnerable_lockfile_entry() {
    let db = repo_path("assets/advisories");
    let fixture = fixture();
    let (code, report) = scan_json(&[
        fixture.to_str().unwrap(),
        "--advisories",
        db.to_str().unwrap(),
    ]);
    // High findings fail the default threshold.
    assert_eq!(code, 1, "{report}");
    let found = vulnerable(&report);
    let lines: Vec<(&str, u64)> = found.iter().map(|(p, l, _)| (p.as_str(), *l)).collect();
    assert_eq!(lines, expected_lines());
    let lodash = &found[4].2;
    assert!(
        lodash.contains("lodash 4.17.20")
            && lodash.contains("GHSA-35jh-r3h4-6jhm")
            && lodash.contains("CVE-2021-23337")
            && lodash.contains("Command Injection in lodash")
            && lodash.contains("fixed in 4.17.21"),
        "{lodash}"
    );
    assert!(found[0].2.contains("pyyaml 5.4b2") && found[0].2.contains("fixed in 5.4"));
    assert!(report["notes"].as_array().is_none_or(|n| {
        n.iter()
            .all(|n| !n.as_str().unwrap_or("").contains("did not run"))
    }));
}

#[test]
fn a_zip_export_and_a_single_record_work_too() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("all.zip");
    {
        let file = std::fs::File::create(&zip_path).unwrap();
        let mut writer = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for entry in std::fs::read_dir(repo_path("assets/advisories")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                writer.start_file(name, options).unwrap();
                writer.write_all(&std::fs::read(&path).unwrap()).unwrap();
            }
        }
        writer.finish().unwrap();
    }
    let fixture = fixture();
    let (_, report) = scan_json(&[
        fixture.to_str().unwrap(),
        "--advisories",
        zip_path.to_str().unwrap(),
    ]);
    let lines = vulnerable_lines(&report);
    assert_eq!(lines, owned(expected_lines()));

    let single = repo_path("assets/advisories/GO-2020-0001.json");
    let (_, report) = scan_json(&[
        fixture.to_str().unwrap(),
        "--advisories",
        single.to_str().unwrap(),
    ]);
    let found = vulnerable(&report);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].0.as_str(), found[0].1), ("gateway/go.mod", 6));
}

#[test]
fn without_a_database_the_rule_is_skipped_with_one_note() {
    let fixture = fixture();
    let (code, report) = scan_json(&[fixture.to_str().unwrap()]);
    assert_eq!(code, 0, "{report}");
    assert!(vulnerable(&report).is_empty());
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|n| n.contains("deps/known-vulnerable did not run"))
        .collect();
    assert_eq!(notes.len(), 1, "{report}");
    assert!(notes[0].contains("--advisories"));

    // A tree without lockfiles has nothing to say about advisories.
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("app.py"), "print('hi')\n").unwrap();
    let (_, report) = scan_json(&[empty.path().to_str().unwrap()]);
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| !n.as_str().unwrap_or("").contains("known-vulnerable"))
    );
}

#[test]
fn the_database_can_be_named_in_the_repository_config() {
    // A copy of the fixture that names the sample database in its .seccoach.toml, relative to
    // the repository root.
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(), dir.path());
    copy_tree(&repo_path("assets/advisories"), &dir.path().join("osv"));
    std::fs::write(dir.path().join(".seccoach.toml"), "advisories = \"osv\"\n").unwrap();
    let (code, report) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{report}");
    let lines = vulnerable_lines(&report);
    assert_eq!(lines, owned(expected_lines()));

    // --advisories wins over the config: with only the Go record, only go.mod is reported.
    let single = repo_path("assets/advisories/GO-2020-0001.json");
    let (_, report) = scan_json(&[
        dir.path().to_str().unwrap(),
        "--advisories",
        single.to_str().unwrap(),
    ]);
    let lines = vulnerable_lines(&report);
    assert_eq!(lines, vec![("gateway/go.mod".to_owned(), 6)], "{report}");
}

#[test]
fn a_bad_database_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("GHSA-bad.json");
    std::fs::write(&bad, "{ not json").unwrap();
    let fixture = fixture();
    for db in [bad.clone(), dir.path().join("missing.zip")] {
        let output = seccoach()
            .arg("scan")
            .arg(&fixture)
            .arg("--advisories")
            .arg(&db)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        let name = db.file_name().unwrap().to_string_lossy().into_owned();
        assert!(stderr.contains(&name), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn a_rescan_reuses_the_loaded_database_until_its_file_changes() {
    use seccoach::catalog::Catalog;
    use seccoach::scan::{ScanOptions, Scanner};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("GO-2020-0001.json");
    std::fs::copy(repo_path("assets/advisories/GO-2020-0001.json"), &db).unwrap();
    let catalog = Arc::new(Catalog::embedded().unwrap());
    let options = ScanOptions {
        advisories: Some(db.clone()),
        ..ScanOptions::default()
    };
    let first = Scanner::new(Arc::clone(&catalog), options.clone());
    let loaded = Arc::clone(first.advisory_db().expect("loads"));
    let second = Scanner::reusing(Arc::clone(&catalog), options.clone(), Some(&first));
    assert!(
        Arc::ptr_eq(&loaded, second.advisory_db().unwrap()),
        "an unchanged database is not read again"
    );
    // Rewritten (a refresh): read again.
    let file = std::fs::File::options().write(true).open(&db).unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    let third = Scanner::reusing(Arc::clone(&catalog), options, Some(&second));
    assert!(!Arc::ptr_eq(&loaded, third.advisory_db().unwrap()));
}
