//! No secret in any output: every secret value any rule finds in a file is masked wherever that
//! file's text is shown — text, JSON, SARIF, Markdown, fix diffs and the coach's code excerpt —
//! whichever rule's finding shows the line. A property over every fixture and lab, then the
//! hostile cases end to end through the binary.

use assert_cmd::Command;
use seccoach::catalog::Catalog;
use seccoach::output::{self, Format, style::Style};
use seccoach::report::Report;
use seccoach::scan::{ScanOptions, Scanner};
use seccoach::source::{FileKind, Source};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Values shorter than this are masked where a rule found them, but a report may hold the same
/// characters for other reasons (`postgres` as an image name), so the property skips them.
const MIN_CHECKED: usize = 8;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Every fixture project and lab: each rule's positive and negative fixtures, the fix and
/// sample projects, the labs' starting projects and their solutions.
fn projects() -> Vec<PathBuf> {
    let fixtures = manifest().join("tests/fixtures");
    let mut roots = Vec::new();
    for area in subdirs(&fixtures.join("checks")) {
        for rule in subdirs(&area) {
            roots.extend(subdirs(&rule));
        }
    }
    for name in ["fixes", "sample-app", "tui-project"] {
        roots.push(fixtures.join(name));
    }
    for lab in subdirs(&fixtures.join("labs")) {
        roots.extend(subdirs(&lab));
    }
    for lab in subdirs(&manifest().join("lessons/labs")) {
        roots.push(lab.join("project"));
    }
    roots
}

/// Every secret value (each line of one) the rules find in each file under `root`.
fn secret_values(scanner: &Scanner, root: &Path) -> BTreeMap<String, Vec<String>> {
    let mut values = BTreeMap::new();
    for rel in scanner.walk_paths(root) {
        let Ok(bytes) = std::fs::read(root.join(&rel)) else {
            continue;
        };
        let text = seccoach::tui::excerpt::text_of(&bytes);
        let kind = FileKind::detect(&rel, &text[..text.len().min(256)]);
        let secrets = scanner.secrets_in(&Source::new(&rel, kind, text));
        let found: Vec<String> = secrets
            .values()
            .iter()
            .filter(|v| v.chars().count() >= MIN_CHECKED)
            .cloned()
            .collect();
        if !found.is_empty() {
            values.insert(rel, found);
        }
    }
    values
}

/// Everything seccoach shows of file `rel` after a scan of `root`: its findings in the four
/// report formats (SARIF's rule descriptors aside: they are the catalogue's text, the same for
/// every project), its fix diff, and the coach's excerpt of each of its findings.
fn outputs(
    scanner: &Scanner,
    catalog: &Catalog,
    root: &Path,
    report: &Report,
    rel: &str,
) -> Vec<(String, String)> {
    let mut report = report.clone();
    report.findings.retain(|f| f.path == rel);
    let mut shown = Vec::new();
    for format in [Format::Text, Format::Json, Format::Markdown] {
        shown.push((
            format!("{format:?}"),
            output::render(format, &report, catalog, Style::PLAIN),
        ));
    }
    let mut sarif = output::sarif::value(&report, catalog);
    sarif["runs"][0]["tool"]["driver"]["rules"] = Value::Null;
    shown.push(("SARIF".to_owned(), sarif.to_string()));
    let (fixes, _) = seccoach::fix::propose(scanner, root, &report.findings, &[]);
    for fix in &fixes {
        shown.push((format!("fix diff of {}", fix.path), fix.diff()));
    }
    for finding in &report.findings {
        if let Ok(excerpt) = seccoach::tui::excerpt::load(scanner, root, finding) {
            shown.push((
                format!("excerpt of line {}", finding.line),
                excerpt.lines.join("\n"),
            ));
        }
    }
    shown
}

#[test]
fn no_output_of_any_fixture_or_lab_holds_a_whole_secret() {
    let catalog = Arc::new(Catalog::embedded().unwrap());
    let scanner = Scanner::new(Arc::clone(&catalog), ScanOptions::default());
    let mut leaks = Vec::new();
    let mut checked = 0;
    for root in projects() {
        let values = secret_values(&scanner, &root);
        if values.is_empty() {
            continue;
        }
        let report = scanner.scan(&root).unwrap();
        for (rel, values) in values {
            checked += values.len();
            for (what, text) in outputs(&scanner, &catalog, &root, &report, &rel) {
                for value in &values {
                    if text.contains(value.as_str()) {
                        leaks.push(format!("{}/{rel}: {what} shows {value:?}", root.display()));
                    }
                }
            }
        }
    }
    assert!(
        checked > 50,
        "the fixtures hold secrets to check: {checked}"
    );
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// End to end: the hostile cases, each built here, through the binary.

/// A password no rule's allow-list knows, joined at run time so this file holds no credential.
fn password() -> String {
    ["Qx7", "vLr2", "pWm9", "tZk4"].concat()
}

fn seccoach(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("seccoach").unwrap();
    cmd.current_dir(dir)
        .env("SECCOACH_HOME", dir.join(".home"))
        .env_remove("NO_COLOR");
    cmd
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The four formats of `scan` on `root`, as printed.
fn every_format(root: &Path) -> Vec<(String, String)> {
    ["text", "json", "sarif", "markdown"]
        .iter()
        .map(|format| {
            let out = seccoach(root)
                .args(["scan", "--exit-zero", "--format", format, "."])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let mut text = String::from_utf8(out.stdout).unwrap();
            text.push_str(&String::from_utf8_lossy(&out.stderr));
            ((*format).to_owned(), text)
        })
        .collect()
}

fn assert_hidden(outputs: &[(String, String)], secret: &str) {
    for (format, text) in outputs {
        assert!(!text.contains(secret), "{format} shows the secret:\n{text}");
    }
}

fn json_findings(root: &Path) -> Vec<Value> {
    let out = seccoach(root)
        .args(["scan", "--exit-zero", "--format", "json", "."])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"].as_array().unwrap().clone()
}

#[test]
fn a_password_found_in_a_url_is_masked_in_the_env_file_finding_too() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("postgres://admin:{}@db:5432/app", password());
    write(dir.path(), ".env", &format!("DATABASE_URL={url}\n"));
    let findings = json_findings(dir.path());
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"repo/env-file-committed"), "{rules:?}");
    assert!(rules.contains(&"secrets/password-in-url"), "{rules:?}");
    assert_hidden(&every_format(dir.path()), &password());
}

#[test]
fn every_value_of_a_committed_env_file_is_masked() {
    let dir = tempfile::tempdir().unwrap();
    let key = ["sk_", "live_", "51Hx", "QbC2eZvKYlo2C0aB"].concat();
    write(
        dir.path(),
        ".env.production",
        &format!("PLAIN_SETTING={}\nSTRIPE={key}\n", password()),
    );
    let outputs = every_format(dir.path());
    assert_hidden(&outputs, &password());
    assert_hidden(&outputs, &key);
}

#[test]
fn a_kubernetes_env_literal_is_masked_in_its_own_snippet() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "deploy/app.yaml",
        &format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1.2\n          env:\n            - name: DB_PASSWORD\n              value: \"{}\"\n",
            password()
        ),
    );
    let findings = json_findings(dir.path());
    let literal = findings
        .iter()
        .find(|f| f["rule"] == "k8s/secret-in-env-literal")
        .expect("the literal is reported");
    assert!(
        literal["snippet"]
            .as_str()
            .unwrap()
            .ends_with("value: \"Qx7v****k4\""),
        "{literal}"
    );
    assert_hidden(&every_format(dir.path()), &password());
}

#[test]
fn compose_environment_literals_are_masked_in_both_forms() {
    let dir = tempfile::tempdir().unwrap();
    let other = ["Zr8", "nBq3", "wLk7"].concat();
    write(
        dir.path(),
        "docker-compose.yml",
        &format!(
            "services:\n  api:\n    image: api:1\n    environment:\n      - API_TOKEN={}\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: '{other}'\n",
            password()
        ),
    );
    let findings = json_findings(dir.path());
    assert_eq!(
        findings
            .iter()
            .filter(|f| f["rule"] == "compose/secret-in-environment")
            .count(),
        2,
        "{findings:?}"
    );
    let outputs = every_format(dir.path());
    assert_hidden(&outputs, &password());
    assert_hidden(&outputs, &other);
}

#[test]
fn fix_diffs_mask_secrets_in_their_context_lines() {
    let dir = tempfile::tempdir().unwrap();
    let token = ["ghp_", "aB3dE5fG7hJ9kL1mN3p", "Q5rS7tU9vW1xY3z5A"].concat();
    write(
        dir.path(),
        "client.py",
        &format!("import requests\nTOKEN = \"{token}\"\nr = requests.get(URL, verify=False)\n"),
    );
    let out = seccoach(dir.path()).args(["fix", "."]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("+r = requests.get(URL, verify=True)"),
        "{stdout}"
    );
    assert!(stdout.contains(" TOKEN = \"ghp_****5A\""), "{stdout}");
    assert!(!stdout.contains(&token), "{stdout}");
}

#[test]
fn a_secret_in_a_rule_packs_example_is_masked_by_explain() {
    let dir = tempfile::tempdir().unwrap();
    let token = ["ghp_", "aB3dE5fG7hJ9kL1mN3p", "Q5rS7tU9vW1xY3z5A"].concat();
    let pack = format!(
        r#"[[rule]]
id = "code/team-client"
title = "Team client\u001b[2J without timeout"
severity = "low"
confidence = "high"
message = "client without timeout"
what = "A client call without a timeout.\u009b31m"
why = "It can hang forever."
fix = "Pass a timeout.\u001b]0;pwned\u0007"
references = ["CWE-400"]
lessons = []

[rule.example]
language = "python"
before = 'client.get(url, token="{token}")'
after = 'client.get(url, token=TOKEN, timeout=5)'

[rule.matcher]
type = "regex"
keywords = ["client.get("]
pattern = 'client\.get\([^)]*\)'
"#
    );
    write(dir.path(), ".seccoach/checks/team.toml", &pack);
    write(dir.path(), "app.py", "client.get(url)\n");
    let out = seccoach(dir.path())
        .args(["explain", "code/team-client"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}");
    assert!(!stdout.contains(&token), "{stdout}");
    assert!(stdout.contains("ghp_****5A"), "{stdout}");
    assert!(!stdout.contains(['\x1b', '\u{9b}', '\x07']), "{stdout:?}");
    assert!(stdout.contains("\\u{1b}[2J"), "{stdout}");
    // scan's `= fix:` line is the same text, escaped the same way.
    let out = seccoach(dir.path())
        .args(["scan", "--exit-zero", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("= fix: Pass a timeout.\\u{1b}]0;pwned\\u{7}"),
        "{stdout}"
    );
    assert!(!stdout.contains(['\x1b', '\x07']), "{stdout:?}");
}
