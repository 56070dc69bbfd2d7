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
    for rel in scanner.walk_paths(root).0 {
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

// ---------------------------------------------------------------------------------------------
// Raw control characters: nothing from a repository or the state file reaches a terminal raw.

/// Characters that move the cursor, recolour, or reorder text, raw.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && !matches!(c, '\n' | '\t'))
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn json_and_sarif_escape_del_c1_and_bidi_in_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let name = "x\u{7f}y\u{9b}31m\u{202e}yp.py";
    write(dir.path(), name, "result = eval(expression)\n");
    for format in ["json", "sarif"] {
        let out = seccoach(dir.path())
            .args(["scan", "--exit-zero", "--format", format, "."])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(raw_controls(&stdout).is_empty(), "{format}: {stdout:?}");
        let value: Value = serde_json::from_str(&stdout).unwrap();
        if format == "json" {
            // Escaped in the text, the same name once decoded.
            assert_eq!(value["findings"][0]["path"], name, "{stdout}");
            assert!(
                stdout.contains("\\u007f") && stdout.contains("\\u202e"),
                "{stdout}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn non_utf8_file_names_keep_their_bytes_escaped() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    for bytes in [&b"a\xff.py"[..], b"a\xfe.py"] {
        let path = dir.path().join(std::ffi::OsStr::from_bytes(bytes));
        std::fs::write(path, "result = eval(expression)\n").unwrap();
    }
    let findings = json_findings(dir.path());
    let paths: Vec<&str> = findings
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["a\\xfe.py", "a\\xff.py"], "{findings:?}");
    let fingerprints: Vec<&Value> = findings.iter().map(|f| &f["fingerprint"]).collect();
    assert_ne!(fingerprints[0], fingerprints[1]);
}

#[test]
fn lessons_and_progress_escape_what_the_state_file_says() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join(".home");
    let hostile = "t/x\u{1b}]0;owned\u{7}\u{9b}2J\u{202e}";
    let store = seccoach::progress::Store::in_dir(&home);
    let mut progress = store.load().progress;
    progress.lessons_read.insert(hostile.to_owned());
    progress.record_quiz(hostile, 1, 2);
    progress.last_lesson = Some(hostile.to_owned());
    progress.labs_solved.insert(hostile.to_owned());
    store.save(&mut progress).unwrap();
    for args in [
        &["progress"][..],
        &["progress", "--format", "markdown"],
        &["progress", "--format", "json"],
        &["lessons"],
        &["lessons", "--format", "json"],
    ] {
        let out = seccoach(dir.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(raw_controls(&stdout).is_empty(), "{args:?}: {stdout:?}");
    }
    let out = seccoach(dir.path()).args(["progress"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("t/x\\u{1b}]0;owned\\u{7}"), "{stdout}");
}

#[test]
fn a_repository_lesson_with_a_hostile_id_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let lesson = "+++\nid = \"team/intro\\u001b[2J\"\ntitle = \"Intro\"\ntrack = \"day-one\"\norder = 1\nminutes = 5\nlevel = \"beginner\"\nsummary = \"s\"\n+++\n# Intro\n\nBody.\n";
    write(dir.path(), ".seccoach/lessons/intro.md", lesson);
    let out = seccoach(dir.path()).args(["lessons"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("intro.md"), "{stderr}");
    assert!(stderr.contains("track/slug"), "{stderr}");
    assert!(raw_controls(&stderr).is_empty(), "{stderr:?}");
}

#[test]
fn config_errors_mask_credentials_they_echo() {
    let dir = tempfile::tempdir().unwrap();
    let token = ["tk", "9Fq2", "Lm7Xz"].concat();
    write(
        dir.path(),
        ".seccoach.toml",
        &format!("advisories = \"https://deploy:{token}@mirror.example.com/osv.zip\"\n"),
    );
    let out = seccoach(dir.path()).args(["scan", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains(".seccoach.toml:1"), "{stderr}");
    assert!(
        stderr.contains("deploy:****@mirror.example.com"),
        "{stderr}"
    );
    assert!(!stderr.contains(&token), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Fingerprints of secret findings hold no hash of the secret.

fn sha_fingerprint(rule: &str, path: &str, matched: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [rule, path] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.update(matched.as_bytes());
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn token(n: u32) -> String {
    format!("ghp_{}{n:04}", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY")
}

#[test]
fn secret_fingerprints_do_not_hash_the_value_and_survive_line_moves() {
    let dir = tempfile::tempdir().unwrap();
    let same = token(1);
    write(
        dir.path(),
        "app/settings.py",
        &format!("A = \"{same}\"\nA = \"{same}\"\n"),
    );
    let findings = json_findings(dir.path());
    let tokens: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "secrets/github-token")
        .collect();
    assert_eq!(tokens.len(), 2, "{findings:?}");
    let old = sha_fingerprint("secrets/github-token", "app/settings.py", &same);
    for f in &tokens {
        assert_ne!(
            f["fingerprint"],
            old.as_str(),
            "the value's hash is the fingerprint"
        );
    }
    // Identical values on identical lines still get a fingerprint each.
    assert_ne!(tokens[0]["fingerprint"], tokens[1]["fingerprint"]);
    let before: Vec<Value> = tokens.iter().map(|f| f["fingerprint"].clone()).collect();
    write(
        dir.path(),
        "app/settings.py",
        &format!("import os\n\n\nA = \"{same}\"\nA = \"{same}\"\n"),
    );
    let after: Vec<Value> = json_findings(dir.path())
        .into_iter()
        .filter(|f| f["rule"] == "secrets/github-token")
        .map(|f| f["fingerprint"].clone())
        .collect();
    assert_eq!(before, after, "fingerprints survive lines moving");
}

#[test]
fn an_old_baseline_still_suppresses_and_asks_to_be_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let secret = token(7);
    write(root, "app/settings.py", &format!("GH = \"{secret}\"\n"));
    // A version 1 baseline, as older seccoach wrote it: the fingerprint hashes the value.
    let old = sha_fingerprint("secrets/github-token", "app/settings.py", &secret);
    let baseline = format!(
        "{{\"version\": 1, \"findings\": [{{\"rule\": \"secrets/github-token\", \"path\": \"app/settings.py\", \"fingerprint\": \"{old}\"}}]}}"
    );
    write(root, "old-baseline.json", &baseline);
    let out = seccoach(root)
        .args([
            "scan",
            "--baseline",
            "old-baseline.json",
            "--format",
            "json",
            ".",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["baselined"], 1, "{report}");
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "secrets/github-token"),
        "{report}"
    );
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("--write-baseline old-baseline.json"),
        "{notes}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("older seccoach"), "{stderr}");

    // Rewritten, it holds no hash of the value and still suppresses, without the note.
    let out = seccoach(root)
        .args(["scan", "--write-baseline", "new-baseline.json", "."])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rewritten = std::fs::read_to_string(root.join("new-baseline.json")).unwrap();
    assert!(rewritten.contains("\"version\": 2"), "{rewritten}");
    assert!(!rewritten.contains(&old), "{rewritten}");
    let out = seccoach(root)
        .args([
            "scan",
            "--baseline",
            "new-baseline.json",
            "--format",
            "json",
            ".",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["baselined"], 1, "{report}");
    assert!(!report["notes"].to_string().contains("older seccoach"));
}

#[test]
fn kubernetes_secret_configmap_and_last_applied_values_are_masked_in_every_format() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let encoded = base64::engine::general_purpose::STANDARD.encode(password());
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\n  annotations:\n    \
         kubectl.kubernetes.io/last-applied-configuration: '{{\"kind\":\"Secret\",\"stringData\":{{\"password\":\"{pw}\"}}}}'\n\
         data:\n  password: {encoded}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: shop\n\
         data:\n  DB_PASSWORD: {pw}\n",
        pw = password()
    );
    write(dir.path(), "k8s/secrets.yaml", &manifest);
    let findings = json_findings(dir.path());
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "k8s/secret-manifest-data",
        "k8s/configmap-secret",
        "k8s/last-applied-secret",
    ] {
        assert!(rules.contains(&rule), "{rule} in {rules:?}");
    }
    let outputs = every_format(dir.path());
    assert_hidden(&outputs, &password());
    assert_hidden(&outputs, &encoded);
}
