//! End-to-end tests of what a team adopts: `seccoach init` (config, GitHub and GitLab
//! pipelines, an example pack), team packs in every command, and scans of the files pre-commit
//! passes. Real temporary directories and git repositories, the binary as users run it.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use support::git;

const FROM: &str = "https://github.com/seccoach/seccoach@009e32be4f70f8b6feaacad25487192123d57541";

fn seccoach(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("seccoach").unwrap();
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CI")
        .env("SECCOACH_HOME", dir.join(".seccoach-home-for-tests"))
        .env(
            "SECCOACH_CACHE",
            std::env::temp_dir().join("seccoach-teams-tests-no-cache"),
        );
    cmd
}

/// Runs seccoach in `dir`: exit code, stdout, stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = seccoach(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// A fresh repository with one commit: a small Python app and a security policy, nothing that
/// seccoach reports.
fn fresh_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("app/main.py"),
        "import os\n\n\ndef port():\n    return int(os.environ.get(\"PORT\", \"8080\"))\n",
    );
    write(
        &root.join("SECURITY.md"),
        "# Security\n\nReport vulnerabilities to security@example.com; we answer within two days.\n",
    );
    write(&root.join(".gitignore"), ".seccoach-home-for-tests/\n");
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "first"]);
    dir
}

fn scan_json(dir: &Path, args: &[&str]) -> Value {
    let (_, stdout, stderr) = run(dir, &[&["scan", "--format", "json"], args].concat());
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"))
}

fn rules_found(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn init_writes_a_config_with_every_option_and_nothing_else() {
    let repo = fresh_repo();
    let (code, stdout, stderr) = run(repo.path(), &["init"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("Wrote .seccoach.toml"), "{stdout}");
    assert!(!repo.path().join(".github").exists());
    assert!(!repo.path().join(".seccoach").exists());
    let config = std::fs::read_to_string(repo.path().join(".seccoach.toml")).unwrap();
    for key in [
        "fail_on",
        "exclude",
        "disable",
        "severity",
        "max_file_size",
        "advisories",
        "packs",
    ] {
        assert!(
            config
                .lines()
                .any(|l| l.trim_start_matches("# ").starts_with(&format!("{key} = "))),
            "{key} is missing from the config"
        );
    }
    // The scan reads it, and the repository is clean.
    let report = scan_json(repo.path(), &[]);
    assert_eq!(rules_found(&report), Vec::<String>::new());

    // Never overwritten: exit 2, naming the file and --force; the team's file is unchanged.
    write(&repo.path().join(".seccoach.toml"), "fail_on = \"low\"\n");
    let (code, stdout, stderr) = run(repo.path(), &["init"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains(".seccoach.toml already exists"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".seccoach.toml")).unwrap(),
        "fail_on = \"low\"\n"
    );
    let (code, _, stderr) = run(repo.path(), &["init", "--force", "--fail-on", "medium"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        std::fs::read_to_string(repo.path().join(".seccoach.toml"))
            .unwrap()
            .contains("\nfail_on = \"medium\"\n")
    );
}

#[test]
fn the_github_workflow_passes_every_check_and_fails_at_the_configured_threshold() {
    let repo = fresh_repo();
    let (code, stdout, stderr) = run(repo.path(), &["init", "--ci", "github", "--from", FROM]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Wrote .github/workflows/seccoach.yml"),
        "{stdout}"
    );
    let workflow =
        std::fs::read_to_string(repo.path().join(".github/workflows/seccoach.yml")).unwrap();
    assert!(workflow.contains(
        "cargo install --locked --git https://github.com/seccoach/seccoach --rev \
         009e32be4f70f8b6feaacad25487192123d57541"
    ));
    assert!(workflow.contains("uses: github/codeql-action/upload-sarif@"));
    assert!(workflow.contains("persist-credentials: false"));
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "seccoach"]);
    // seccoach's own scan finds nothing: not in the workflow, not anywhere.
    let report = scan_json(repo.path(), &["--fail-on", "info"]);
    assert_eq!(rules_found(&report), Vec::<String>::new());
    let (code, _, _) = run(repo.path(), &["scan", "--fail-on", "info"]);
    assert_eq!(code, 0);

    // Every `uses:` is pinned to a full commit with its version in a comment.
    for line in workflow.lines().filter(|l| l.contains("uses: ")) {
        let (_, pin) = line.split_once('@').unwrap();
        let (sha, version) = pin.split_once(" # v").unwrap();
        assert_eq!(sha.len(), 40, "{line}");
        assert!(sha.chars().all(|c| c.is_ascii_hexdigit()), "{line}");
        assert!(version.chars().next().unwrap().is_ascii_digit(), "{line}");
    }

    // The workflow's scan fails at `fail_on`: a medium finding fails CI once the team sets it.
    write(
        &repo.path().join("app/render.py"),
        "def render(expression):\n    return eval(expression)\n",
    );
    let (code, _, _) = run(
        repo.path(),
        &["scan", "--format", "sarif", "--output", "seccoach.sarif"],
    );
    let severity = scan_json(repo.path(), &[])["findings"][0]["severity"].clone();
    let threshold = severity.as_str().unwrap();
    assert_eq!(code, i32::from(matches!(threshold, "high" | "critical")));
    write(
        &repo.path().join(".seccoach.toml"),
        &format!("fail_on = \"{threshold}\"\n"),
    );
    let (code, _, _) = run(
        repo.path(),
        &["scan", "--format", "sarif", "--output", "seccoach.sarif"],
    );
    assert_eq!(code, 1);
}

#[test]
fn the_gitlab_job_writes_a_sast_report_and_an_include_file_beside_a_pipeline() {
    let repo = fresh_repo();
    let (code, stdout, stderr) = run(repo.path(), &["init", "--ci", "gitlab", "--published"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Wrote .gitlab-ci.yml"), "{stdout}");
    let job = std::fs::read_to_string(repo.path().join(".gitlab-ci.yml")).unwrap();
    assert!(job.contains(&format!(
        "cargo install --locked seccoach --version {}",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(job.contains("sast: gl-sast-report.json"));
    let report = scan_json(repo.path(), &["--fail-on", "info"]);
    assert_eq!(rules_found(&report), Vec::<String>::new());

    // The job's scan command, run here: a SAST report GitLab reads.
    let command = job
        .lines()
        .find_map(|l| l.trim().strip_prefix("- seccoach scan "))
        .unwrap();
    write(
        &repo.path().join("app/render.py"),
        "def render(expression):\n    return eval(expression)\n",
    );
    let args: Vec<&str> = ["scan"].into_iter().chain(command.split(' ')).collect();
    let (_, _, stderr) = run(repo.path(), &args);
    let sast: Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("gl-sast-report.json")).unwrap(),
    )
    .unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(sast["scan"]["type"], "sast");
    assert_eq!(
        sast["vulnerabilities"][0]["location"]["file"],
        "app/render.py"
    );

    // Beside an existing pipeline: an include file, and the one line to add.
    let repo = fresh_repo();
    write(
        &repo.path().join(".gitlab-ci.yml"),
        "test:\n  script: [make test]\n",
    );
    let (code, stdout, stderr) = run(repo.path(), &["init", "--ci", "gitlab", "--from", FROM]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Wrote .gitlab/seccoach.yml"), "{stdout}");
    assert!(
        stdout.contains("include: '.gitlab/seccoach.yml'"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".gitlab-ci.yml")).unwrap(),
        "test:\n  script: [make test]\n"
    );
}

#[test]
fn init_for_ci_needs_a_source_and_a_pinned_commit() {
    let repo = fresh_repo();
    let (code, _, stderr) = run(repo.path(), &["init", "--ci", "github"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--from URL@COMMIT"), "{stderr}");
    let (code, _, stderr) = run(
        repo.path(),
        &[
            "init",
            "--ci",
            "github",
            "--from",
            "https://github.com/seccoach/seccoach@main",
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("not a full commit id"), "{stderr}");
    assert!(!repo.path().join(".seccoach.toml").exists());
}
