//! End-to-end tests of the `seccoach` binary: formats, exit codes, config, suppressions,
//! baselines, redaction and terminal safety — the way CI and users meet them.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

/// A fake token format only this test's rule pack knows; the value is not a real secret.
const TOKEN: &str = "acme_k3j9x8w7v6u5t4s3r2q1p0zy";

const TEAM_PACK: &str = r#"
[[rule]]
id = "secrets/acme-token"
title = "ACME deploy token"
severity = "critical"
confidence = "high"
message = "ACME deploy token {value} is committed"
secret = true
what = "A deploy token for the ACME internal platform, written into the source where everyone with read access can copy it."
why = "Anyone who can read the repository, its forks, its CI logs or an image built from it can deploy as you. Tokens in git history stay there after the line is deleted, so a leaked token must be rotated."
fix = "Read the token from the environment or a secret manager and rotate the leaked one."
references = ["CWE-798"]
lessons = []

[rule.example]
language = "python"
before = 'TOKEN = "acme_..."'
after = 'TOKEN = os.environ["ACME_TOKEN"]'

[rule.matcher]
type = "regex"
keywords = ["acme_"]
pattern = '\b(acme_[a-z0-9]{24})\b'
value_group = 1
"#;

fn seccoach() -> Command {
    let mut cmd = Command::cargo_bin("seccoach").unwrap();
    cmd.env_remove("NO_COLOR")
        .env_remove("CI")
        .env_remove("CLICOLOR_FORCE")
        // A database downloaded by `advisories update` on this machine plays no part.
        .env(
            "SECCOACH_CACHE",
            std::env::temp_dir().join("seccoach-cli-tests-no-cache"),
        );
    cmd
}

/// A small project with one critical (team rule) finding and one low finding.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".seccoach/checks")).unwrap();
    std::fs::write(root.join(".seccoach/checks/team.toml"), TEAM_PACK).unwrap();
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::write(
        root.join("app/settings.py"),
        format!("import os\n\nDEBUG = False\nACME = \"{TOKEN}\"\n"),
    )
    .unwrap();
    std::fs::write(
        root.join("app/jobs.py"),
        "# seccoach:ignore secrets/acme-token\nx = 1\n",
    )
    .unwrap();
    dir
}

fn run(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = seccoach()
        .arg("scan")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(root: &Path, args: &[&str]) -> Value {
    let (_, stdout, stderr) = run(root, &[&["--format", "json"], args].concat());
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"))
}

#[test]
fn text_report_groups_by_file_with_a_code_frame_and_fails_on_high() {
    let dir = project();
    let (code, stdout, _) = run(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("app/settings.py\n"), "{stdout}");
    assert!(
        stdout.contains("4:9  critical secrets/acme-token"),
        "{stdout}"
    );
    assert!(stdout.contains("4 | ACME = \"acme****zy\""), "{stdout}");
    assert!(
        stdout.contains("= see: seccoach explain secrets/acme-token"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 findings in 2 files (1 critical, 1 low)"),
        "{stdout}"
    );
    assert!(!stdout.contains('\x1b'), "no colour when not a terminal");
}

#[test]
fn exit_codes_follow_the_threshold() {
    let dir = project();
    assert_eq!(run(dir.path(), &["--fail-on", "critical"]).0, 1);
    assert_eq!(run(dir.path(), &["--exit-zero"]).0, 0);
    std::fs::write(dir.path().join("app/settings.py"), "x = 1\n").unwrap();
    assert_eq!(run(dir.path(), &[]).0, 0, "only a low finding is left");
    assert_eq!(run(dir.path(), &["--fail-on", "low"]).0, 1);
    std::fs::write(dir.path().join(".seccoach.toml"), "fail_on = \"low\"\n").unwrap();
    assert_eq!(run(dir.path(), &[]).0, 1, "fail_on from the config");
    assert_eq!(
        run(dir.path(), &["--fail-on", "medium"]).0,
        0,
        "the flag wins over the config"
    );
}

#[test]
fn json_report_is_versioned_sorted_and_complete() {
    let dir = project();
    let report = json(dir.path(), &[]);
    assert_eq!(report["version"], 1);
    assert_eq!(report["summary"]["total"], 2);
    assert_eq!(report["summary"]["by_severity"]["critical"], 1);
    let findings = report["findings"].as_array().unwrap();
    let paths: Vec<&str> = findings
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["app/jobs.py", "app/settings.py"], "sorted by path");
    let secret = &findings[1];
    for field in [
        "rule",
        "severity",
        "confidence",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "snippet",
        "fingerprint",
        "fix",
    ] {
        assert!(!secret[field].is_null(), "missing {field}");
    }
    assert_eq!(secret["line"], 4);
    assert_eq!(secret["column"], 9);
    assert_eq!(secret["end_column"], 9 + TOKEN.len() as u64);
    assert_eq!(
        secret["message"],
        "ACME deploy token acme****zy is committed"
    );
}

#[test]
fn sarif_validates_against_the_schema_and_carries_what_code_scanning_needs() {
    let dir = project();
    let (_, stdout, _) = run(dir.path(), &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let acme = rules
        .iter()
        .find(|r| r["id"] == "secrets/acme-token")
        .unwrap();
    assert_eq!(acme["properties"]["security-severity"], "9.5");
    assert!(
        acme["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why it matters")
    );
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "secrets/acme-token")
        .unwrap();
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app/settings.py"
    );
    assert!(result["partialFingerprints"]["seccoach/v1"].is_string());
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "secrets/acme-token");
}

#[test]
fn markdown_summary_fits_a_pull_request_comment() {
    let dir = project();
    let (_, stdout, _) = run(dir.path(), &["--format", "markdown"]);
    assert!(stdout.starts_with("## seccoach\n"), "{stdout}");
    assert!(
        stdout.contains(
            "| critical | `secrets/acme-token` ACME deploy token | `app/settings.py:4` |"
        ),
        "{stdout}"
    );
}

#[test]
fn no_format_ever_prints_the_full_secret() {
    let dir = project();
    for format in ["text", "json", "sarif", "markdown"] {
        let (_, stdout, stderr) = run(dir.path(), &["--format", format]);
        assert!(
            !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
            "{format} leaks the secret"
        );
        assert!(
            !stdout.contains(&TOKEN[4..20]),
            "{format} leaks the middle of the secret"
        );
    }
    let out = dir.path().join("out.json");
    run(
        dir.path(),
        &["--format", "json", "--output", out.to_str().unwrap()],
    );
    assert!(!std::fs::read_to_string(out).unwrap().contains(TOKEN));
}

#[cfg(unix)]
#[test]
fn hostile_names_and_contents_never_reach_the_output_raw() {
    let dir = project();
    let evil_dir = dir.path().join("evil\x1b[31mdir\nname");
    std::fs::create_dir_all(&evil_dir).unwrap();
    std::fs::write(
        evil_dir.join("x\x1b]0;pwned\x07.py"),
        format!("A = \"{TOKEN}\" # \x1b[2J\x1b[31m cleared \u{202e}\n"),
    )
    .unwrap();
    for format in ["text", "json", "sarif", "markdown"] {
        let (_, stdout, stderr) = run(dir.path(), &["--format", format]);
        assert!(
            !stdout.contains('\x1b') && !stderr.contains('\x1b'),
            "{format}: raw ESC in output:\n{stdout}"
        );
        assert!(
            !stdout.contains('\x07') && !stdout.contains('\u{202e}'),
            "{format}: raw control in output"
        );
        assert!(!stdout.contains(TOKEN), "{format} leaks the secret");
    }
    let (_, stdout, _) = run(dir.path(), &[]);
    assert!(
        stdout.contains("evil\\u{1b}[31mdir\\u{a}name/x\\u{1b}]0;pwned\\u{7}.py"),
        "{stdout}"
    );
}

#[test]
fn config_errors_name_the_file_and_line() {
    let dir = project();
    std::fs::write(
        dir.path().join(".seccoach.toml"),
        "exclude = []\nunknown_key = true\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains(".seccoach.toml:2:") && stderr.contains("unknown_key"),
        "{stderr}"
    );
}

#[test]
fn a_broken_rule_pack_is_an_error_naming_the_file() {
    let dir = project();
    let broken = TEAM_PACK.replace(
        r#"pattern = '\b(acme_[a-z0-9]{24})\b'"#,
        "pattern = '(unclosed'",
    );
    let line = broken
        .lines()
        .position(|l| l.contains("(unclosed"))
        .unwrap()
        + 1;
    std::fs::write(dir.path().join(".seccoach/checks/team.toml"), &broken).unwrap();
    let (code, _, stderr) = run(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("team.toml:{line}:")) && stderr.contains("bad pattern"),
        "{stderr}"
    );
}

#[test]
fn github_owned_actions_are_low_unless_the_repository_says_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(
        workflows.join("ci.yml"),
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    \
         steps:\n      - uses: actions/checkout@v4\n        with:\n          \
         persist-credentials: false\n      - uses: acme/setup-tool@v2\n",
    )
    .unwrap();
    let severities = |report: &Value| -> Vec<(u64, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "actions/unpinned-action")
            .map(|f| {
                (
                    f["line"].as_u64().unwrap(),
                    f["severity"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let report = json(dir.path(), &[]);
    assert_eq!(
        severities(&report),
        [(8, "low".to_owned()), (11, "medium".to_owned())],
        "{report}"
    );
    std::fs::write(
        dir.path().join(".seccoach.toml"),
        "[severity]\n\"actions/unpinned-action\" = \"high\"\n",
    )
    .unwrap();
    let report = json(dir.path(), &[]);
    assert_eq!(
        severities(&report),
        [(8, "high".to_owned()), (11, "high".to_owned())],
        "{report}"
    );
}

#[test]
fn config_disables_rules_and_overrides_severity() {
    let dir = project();
    std::fs::write(
        dir.path().join(".seccoach.toml"),
        "disable = [\"repo/invalid-suppression\"]\n[severity]\n\"secrets/acme-token\" = \"medium\"\n",
    )
    .unwrap();
    let report = json(dir.path(), &[]);
    assert_eq!(report["summary"]["total"], 1);
    assert_eq!(report["findings"][0]["severity"], "medium");
    assert_eq!(
        run(dir.path(), &[]).0,
        0,
        "medium is under the default threshold"
    );
}

#[test]
fn excludes_from_flags_and_config_skip_paths() {
    let dir = project();
    let report = json(dir.path(), &["--exclude", "app/settings.py"]);
    assert_eq!(report["summary"]["total"], 1);
    std::fs::write(dir.path().join(".seccoach.toml"), "exclude = [\"app/\"]\n").unwrap();
    assert_eq!(json(dir.path(), &[])["summary"]["total"], 0);
}

#[test]
fn valid_inline_suppressions_hide_findings_and_are_counted() {
    let dir = project();
    std::fs::write(
        dir.path().join("app/settings.py"),
        format!(
            "# seccoach:ignore secrets/acme-token -- sandbox token, revoked\nACME = \"{TOKEN}\"\n"
        ),
    )
    .unwrap();
    let report = json(dir.path(), &[]);
    assert_eq!(report["summary"]["suppressed"], 1);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "secrets/acme-token")
    );
}

#[test]
fn baselines_hide_known_findings_even_after_lines_move() {
    let dir = project();
    let baseline = dir.path().join("baseline.json");
    let (code, _, stderr) = run(
        dir.path(),
        &["--write-baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("recorded 2 findings"), "{stderr}");
    let with_baseline = ["--baseline", baseline.to_str().unwrap()];
    assert_eq!(run(dir.path(), &with_baseline).0, 0);
    // Move the finding down three lines: still the same finding.
    let settings = dir.path().join("app/settings.py");
    let moved = format!("\n\n\n{}", std::fs::read_to_string(&settings).unwrap());
    std::fs::write(&settings, moved).unwrap();
    let report = json(dir.path(), &with_baseline);
    assert_eq!(report["summary"]["total"], 0, "{report}");
    assert_eq!(report["summary"]["baselined"], 2);
    // A new secret is new.
    std::fs::write(
        dir.path().join("app/new.py"),
        format!("B = \"{}\"\n", TOKEN.replace("k3j9", "zzzz")),
    )
    .unwrap();
    let report = json(dir.path(), &with_baseline);
    assert_eq!(report["summary"]["total"], 1);
    assert_eq!(report["findings"][0]["path"], "app/new.py");
    // A broken baseline is an error naming the file.
    std::fs::write(&baseline, "{ \"version\": 1,\n \"findings\": 7 }").unwrap();
    let (code, _, stderr) = run(dir.path(), &with_baseline);
    assert_eq!(code, 2);
    assert!(stderr.contains("baseline.json:2"), "{stderr}");
}

#[test]
fn missing_directories_are_usage_errors() {
    let (code, _, stderr) = run(Path::new("/definitely/not/here"), &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("/definitely/not/here does not exist"),
        "{stderr}"
    );
    seccoach()
        .args(["scan", "--fail-on", "severe"])
        .assert()
        .code(2);
}

#[test]
fn explain_prints_the_rule_and_unknown_rules_fail() {
    let out = seccoach()
        .args(["explain", "repo/invalid-suppression"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for heading in [
        "## What it is",
        "## Why it matters",
        "## How to fix it",
        "### Before",
        "### After",
        "## References",
    ] {
        assert!(text.contains(heading), "missing {heading}:\n{text}");
    }
    let out = seccoach()
        .args(["explain", "repo/invalid-supression"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean"));
}

#[test]
fn checks_lists_every_rule_as_text_and_json() {
    let out = seccoach()
        .args(["checks", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rules: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "repo/invalid-suppression" && r["area"] == "repo")
    );
    let text = seccoach().arg("checks").output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&format!("{} rules.", rules.len())), "{text}");
}

#[test]
fn the_coach_refuses_to_draw_without_a_terminal() {
    let out = seccoach().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("seccoach scan"));
}

#[test]
fn watch_mode_writes_one_json_report_per_change() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command as Std, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    let dir = project();
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("seccoach"))
        .args(["scan", "--watch", "--format", "json"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = |what: &str| -> Value {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no report {what}"));
        serde_json::from_str(&line).unwrap()
    };
    let first = next("at start");
    assert_eq!(first["summary"]["total"], 2);
    // Give the watcher a moment to be armed, then fix the secret.
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(
        dir.path().join("app/settings.py"),
        "import os\nACME = os.environ[\"ACME\"]\n",
    )
    .unwrap();
    let mut report = next("after the fix");
    // An editor may save in several steps; wait for the report that reflects the final content.
    while report["summary"]["total"] != 1 {
        report = next("after the fix settles");
    }
    assert_eq!(report["findings"][0]["rule"], "repo/invalid-suppression");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn watch_from_the_project_directory_rechecks_and_ignores_its_own_output() {
    use std::process::{Command as Std, Stdio};
    use std::time::{Duration, Instant};

    // The way a developer runs it: from the project, root `.`, JSON redirected into the tree.
    // Before, the watcher's absolute paths matched nothing under `.` (the fix was never seen),
    // and every report written to report.jsonl started the next one.
    let dir = project();
    let report_path = dir.path().join("report.jsonl");
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("seccoach"))
        .args(["scan", "--watch", "--format", "json"])
        .current_dir(dir.path())
        .stdout(std::fs::File::create(&report_path).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let reports = || -> Vec<Value> {
        std::fs::read_to_string(&report_path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let wait_for = |what: &str, done: &dyn Fn(&[Value]) -> bool| {
        let start = Instant::now();
        loop {
            let seen = reports();
            if done(&seen) {
                return seen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{what}: {seen:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for("the first report", &|r| !r.is_empty());
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(
        dir.path().join("app/settings.py"),
        "import os\nACME = os.environ[\"ACME\"]\n",
    )
    .unwrap();
    let seen = wait_for("a report without the fixed secret", &|r| {
        r.last().is_some_and(|l| l["summary"]["total"] == 1)
    });
    // Quiet now: no edit, so no further report (writing one must not trigger the next).
    std::thread::sleep(Duration::from_millis(1500));
    let after = reports();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(after.len(), seen.len(), "reports kept coming with no edit");
    assert!(seen.len() <= 3, "{} reports for one edit", seen.len());
}

#[test]
fn a_catch_all_rule_yields_to_a_specific_one_on_the_same_value() {
    let dir = project();
    std::fs::write(
        dir.path().join("app/settings.py"),
        format!("ACME_TOKEN = \"{TOKEN}\"\n"),
    )
    .unwrap();
    let report = json(dir.path(), &[]);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "app/settings.py")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["secrets/acme-token"],
        "secrets/generic-assignment yields to the specific rule"
    );
}

#[test]
fn this_repository_passes_its_own_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, stdout, stderr) = run(root, &["--fail-on", "info"]);
    assert_eq!(
        code, 0,
        "seccoach's own files have findings:\n{stdout}\n{stderr}"
    );
}
