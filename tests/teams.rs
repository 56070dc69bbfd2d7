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

/// The rule ids `seccoach checks --format json` lists in `dir`, with extra arguments.
fn checks_listed(dir: &Path, args: &[&str]) -> Vec<String> {
    let (code, stdout, stderr) = run(dir, &[&["checks", "--format", "json"], args].concat());
    assert_eq!(code, 0, "{stderr}");
    let rules: Value = serde_json::from_str(&stdout).unwrap();
    rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn lessons_listed(dir: &Path, args: &[&str]) -> Vec<String> {
    let (code, stdout, stderr) = run(dir, &[&["lessons", "--format", "json"], args].concat());
    assert_eq!(code, 0, "{stderr}");
    let lessons: Value = serde_json::from_str(&stdout).unwrap();
    lessons
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect()
}

const TEAM_RULE: &str = "code/use-internal-http-client";
const TEAM_LESSON: &str = "team/internal-http-client";

#[test]
fn init_pack_adds_a_rule_and_a_lesson_every_command_uses() {
    let repo = fresh_repo();
    let (code, stdout, stderr) = run(repo.path(), &["init", "--pack"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Wrote .seccoach/checks/internal-http-client.toml"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Wrote .seccoach/lessons/internal-http-client.md"),
        "{stdout}"
    );
    assert!(checks_listed(repo.path(), &[]).contains(&TEAM_RULE.to_owned()));
    assert!(lessons_listed(repo.path(), &[]).contains(&TEAM_LESSON.to_owned()));
    let (code, stdout, _) = run(repo.path(), &["explain", TEAM_RULE]);
    assert_eq!(code, 0);
    assert!(stdout.contains("acme_http"), "{stdout}");
    assert!(stdout.contains(TEAM_LESSON), "{stdout}");

    // The scan runs it: a direct import is a finding, the example's own client is not.
    assert_eq!(
        rules_found(&scan_json(repo.path(), &[])),
        Vec::<String>::new()
    );
    write(
        &repo.path().join("app/billing.py"),
        "import requests\n\n\ndef invoices():\n    return requests.get(\"https://billing.internal/api\", timeout=5).json()\n",
    );
    write(
        &repo.path().join("acme_http/client.py"),
        "import requests\n\nSESSION = requests.Session()\n",
    );
    write(
        &repo.path().join("app/notes.py"),
        "# import requests was replaced by acme_http\nfrom acme_http import client\n",
    );
    assert_eq!(
        rules_found(&scan_json(repo.path(), &[])),
        [format!("{TEAM_RULE}:app/billing.py")]
    );
}

#[test]
fn a_broken_team_pack_is_an_error_naming_the_file_and_line_in_every_command() {
    let repo = fresh_repo();
    run(repo.path(), &["init", "--pack"]);
    let rule = repo
        .path()
        .join(".seccoach/checks/internal-http-client.toml");
    let text = std::fs::read_to_string(&rule).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("pattern = "))
        .unwrap()
        + 1;
    std::fs::write(
        &rule,
        text.replace("(requests|httpx|urllib3|aiohttp)\\b", "(requests|httpx"),
    )
    .unwrap();
    for args in [
        &["scan"][..],
        &["checks"],
        &["lessons"],
        &["explain", TEAM_RULE],
        &["progress"],
    ] {
        let (code, stdout, stderr) = run(repo.path(), args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains(&format!("internal-http-client.toml:{line}:")),
            "{args:?}: {stderr}"
        );
    }

    // A lesson's broken front matter names its line too.
    std::fs::write(&rule, text).unwrap();
    let lesson = repo
        .path()
        .join(".seccoach/lessons/internal-http-client.md");
    let text = std::fs::read_to_string(&lesson).unwrap();
    std::fs::write(&lesson, text.replace("minutes = 5", "minutes = \"five\"")).unwrap();
    let line = text.lines().position(|l| l.starts_with("minutes")).unwrap() + 1;
    let (code, _, stderr) = run(repo.path(), &["lessons"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("internal-http-client.md:{line}:")),
        "{stderr}"
    );
}

#[test]
fn packs_from_elsewhere_come_from_the_flag_and_the_config() {
    let shared = tempfile::tempdir().unwrap();
    run(shared.path(), &["init", "--pack"]);
    let pack = shared.path().join(".seccoach");
    let repo = fresh_repo();
    let pack_arg = pack.to_str().unwrap();
    assert!(!checks_listed(repo.path(), &[]).contains(&TEAM_RULE.to_owned()));
    assert!(checks_listed(repo.path(), &["--pack", pack_arg]).contains(&TEAM_RULE.to_owned()));
    assert!(lessons_listed(repo.path(), &["--pack", pack_arg]).contains(&TEAM_LESSON.to_owned()));
    write(&repo.path().join("app/billing.py"), "import httpx\n");
    let report = scan_json(repo.path(), &["--pack", pack_arg]);
    assert_eq!(
        rules_found(&report),
        [format!("{TEAM_RULE}:app/billing.py")]
    );

    // `packs = [...]` in .seccoach.toml, relative to the repository; its rules may be named in
    // the same file.
    write(
        &repo.path().join(".seccoach.toml"),
        &format!(
            "packs = [{:?}]\nseverity = {{ \"{TEAM_RULE}\" = \"critical\" }}\n",
            pack.to_str().unwrap()
        ),
    );
    let report = scan_json(repo.path(), &[]);
    assert_eq!(report["findings"][0]["severity"], "critical");
    assert!(lessons_listed(repo.path(), &[]).contains(&TEAM_LESSON.to_owned()));

    // A pack folder that is not there is an error naming the config line, or the flag's folder.
    write(
        &repo.path().join(".seccoach.toml"),
        "fail_on = \"high\"\npacks = [\"../nowhere\"]\n",
    );
    let (code, _, stderr) = run(repo.path(), &["scan"]);
    assert_eq!(code, 2);
    assert!(stderr.contains(".seccoach.toml:2: packs:"), "{stderr}");
    std::fs::remove_file(repo.path().join(".seccoach.toml")).unwrap();
    let empty = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(
        repo.path(),
        &["checks", "--pack", empty.path().to_str().unwrap()],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("has neither"), "{stderr}");
}

/// The `entry` of the pre-commit hook this repository publishes, as words.
fn pre_commit_entry() -> Vec<String> {
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    assert!(hooks.lines().any(|l| l == "- id: seccoach"), "{hooks}");
    let entry = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .unwrap();
    entry.split(' ').map(str::to_owned).collect()
}

#[test]
fn the_pre_commit_hook_scans_the_files_it_is_given_with_the_repository_config() {
    let repo = fresh_repo();
    let root = repo.path();
    write(
        &root.join(".seccoach.toml"),
        "fail_on = \"medium\"\nexclude = [\"/generated/\"]\n",
    );
    let eval = "def render(expression):\n    return eval(expression)\n";
    write(&root.join("app/staged.py"), eval);
    write(&root.join("app/also_staged.py"), eval);
    write(&root.join("app/not_staged.py"), eval);
    write(&root.join("generated/out.py"), eval);
    write(&root.join("build/tmp.py"), eval);
    write(
        &root.join(".gitignore"),
        ".seccoach-home-for-tests/\nbuild/\n",
    );
    git(root, &["add", "app", ".seccoach.toml", ".gitignore"]);
    git(root, &["add", "-f", "generated"]);

    // As pre-commit calls it: the entry, then the staged files, from the repository's top.
    let entry = pre_commit_entry();
    assert_eq!(entry[0], "seccoach");
    let files = [
        "app/staged.py",
        "app/also_staged.py",
        "generated/out.py",
        "build/tmp.py",
    ];
    let args: Vec<&str> = entry[1..]
        .iter()
        .map(String::as_str)
        .chain(["--format", "json"])
        .chain(files)
        .collect();
    let (code, stdout, stderr) = run(root, &args);
    // The config's `fail_on = "medium"` applies.
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let found = rules_found(&report);
    assert!(
        found
            .iter()
            .all(|f| f.ends_with("app/staged.py") || f.ends_with("app/also_staged.py")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|f| f.ends_with(":app/also_staged.py")),
        "{found:?}"
    );
    let threshold_met = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["severity"] != "low" && f["severity"] != "info");
    assert_eq!(code, i32::from(threshold_met), "{stderr}");
    assert_eq!(report["summary"]["files_scanned"], 2, "{stdout}");
    // What was not checked is said: the excluded and the ignored file, the repository checks.
    let notes = report["notes"].to_string();
    assert!(notes.contains("generated/out.py"), "{notes}");
    assert!(notes.contains("build/tmp.py"), "{notes}");
    assert!(notes.contains("repository-wide checks"), "{notes}");
    // The tracked files not given were not meant to be read: they are not "missing".
    assert!(!notes.contains("not in the work tree"), "{notes}");

    // From a subfolder, the config is still found from the first path upward.
    let (_, stdout, stderr) = run(
        &root.join("app"),
        &["scan", "--format", "json", "staged.py"],
    );
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(report["summary"]["files_scanned"], 1);
    assert!(
        rules_found(&report)
            .iter()
            .all(|f| f.ends_with(":app/staged.py"))
    );

    // A path that is not there, or outside the first one's repository, is an error.
    let (code, _, stderr) = run(root, &["scan", "app/staged.py", "app/gone.py"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("app/gone.py does not exist"), "{stderr}");
    let elsewhere = tempfile::tempdir().unwrap();
    write(&elsewhere.path().join("x.py"), "x = 1\n");
    let outside = elsewhere.path().join("x.py");
    let (code, _, stderr) = run(root, &["scan", "app/staged.py", outside.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is outside"), "{stderr}");
}

const PLAN: &str = r#"# What a new member of the payments team completes.
[[section]]
title = "Week one"
lessons = ["day-one/pipeline-security", "secrets/how-secrets-leak"]
labs = ["secrets-to-env"]

[[section]]
title = "Week two"
lessons = ["team/internal-http-client"]
"#;

/// A repository with the example pack and a plan, and a learner who read one lesson of it,
/// solved its lab and took a quiz.
fn onboarding_repo() -> tempfile::TempDir {
    let repo = fresh_repo();
    run(repo.path(), &["init", "--pack"]);
    write(&repo.path().join(".seccoach/onboarding.toml"), PLAN);
    let mut progress = seccoach::progress::Progress::default();
    progress
        .lessons_read
        .insert("secrets/how-secrets-leak".into());
    progress.record_quiz("secrets/how-secrets-leak", 3, 4);
    progress.labs_solved.insert("secrets-to-env".into());
    progress.last_lesson = Some("secrets/how-secrets-leak".into());
    seccoach::progress::Store::in_dir(&repo.path().join(".seccoach-home-for-tests"))
        .save(&mut progress)
        .unwrap();
    repo
}

#[test]
fn the_plan_prints_with_its_completion_in_every_format() {
    let repo = onboarding_repo();
    let (code, text, stderr) = run(repo.path(), &["progress", "--plan"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(text.starts_with("Onboarding plan: 2 of 4 done\n"), "{text}");
    assert!(text.contains("Week one (2/3)"), "{text}");
    assert!(text.contains("[x] lab    secrets-to-env"), "{text}");
    assert!(
        text.contains("[ ] lesson team/internal-http-client"),
        "{text}"
    );

    let (_, markdown, _) = run(repo.path(), &["progress", "--plan", "--format", "markdown"]);
    assert!(
        markdown.starts_with("# Onboarding plan\n\n2 of 4 done.\n"),
        "{markdown}"
    );
    assert!(markdown.contains("## Week two (0/1)"), "{markdown}");

    let (_, json, _) = run(repo.path(), &["progress", "--plan", "--format", "json"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (json["done"].as_u64(), json["total"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!(
        json["sections"][0]["items"][1]["id"],
        "secrets/how-secrets-leak"
    );
    assert_eq!(json["sections"][0]["items"][1]["done"], true);

    // Without a plan, --plan says where one goes.
    let bare = fresh_repo();
    let (code, _, stderr) = run(bare.path(), &["progress", "--plan"]);
    assert_eq!(code, 2);
    assert!(stderr.contains(".seccoach/onboarding.toml"), "{stderr}");
}

#[test]
fn the_progress_report_holds_the_plan_and_nothing_about_the_machine() {
    let repo = onboarding_repo();
    let home = repo.path().join(".seccoach-home-for-tests");
    let (code, json, stderr) = run(repo.path(), &["progress", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&json).unwrap();
    let keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "findings_fixed",
            "findings_reviewed",
            "labs_solved",
            "lessons",
            "lessons_read",
            "lessons_total",
            "plan",
            "quiz_scores",
            "tracks",
            "version"
        ]
    );
    assert_eq!(report["plan"]["done"], 2);
    assert_eq!(report["quiz_scores"]["secrets/how-secrets-leak"]["best"], 3);
    assert_eq!(report["labs_solved"][0], "secrets-to-env");
    let (_, markdown, _) = run(repo.path(), &["progress", "--format", "markdown"]);
    assert!(markdown.contains("## Onboarding plan"), "{markdown}");
    assert!(markdown.contains("## Quiz scores"), "{markdown}");
    for export in [&json, &markdown] {
        let home = home.display().to_string();
        assert!(!export.contains(&home), "{export}");
        assert!(!export.contains("Last lesson"), "{export}");
        let user = std::env::var("USER").unwrap_or_default();
        assert!(
            user.len() < 3 || !export.contains(&format!("/{user}/")),
            "{export}"
        );
    }
}

#[test]
fn an_unknown_id_in_the_plan_names_the_file_and_line() {
    let repo = onboarding_repo();
    let plan = repo.path().join(".seccoach/onboarding.toml");
    write(
        &plan,
        &PLAN.replace("\"secrets-to-env\"", "\"secrets-to-vault\""),
    );
    for args in [&["progress", "--plan"][..], &["progress"]] {
        let (code, _, stderr) = run(repo.path(), args);
        assert_eq!(code, 2);
        assert!(
            stderr.contains("onboarding.toml:5: unknown lab `secrets-to-vault`"),
            "{stderr}"
        );
    }
    write(
        &plan,
        &PLAN.replace("team/internal-http-client", "team/no-such-lesson"),
    );
    let (code, _, stderr) = run(repo.path(), &["progress"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("onboarding.toml:9: unknown lesson"),
        "{stderr}"
    );
}

#[test]
fn the_coach_home_shows_the_plan_first_and_the_team_pack_beside_the_curriculum() {
    use seccoach::tui::app::{Action, App, update};
    let repo = onboarding_repo();
    let catalog = std::sync::Arc::new(seccoach::cli::catalog_for(repo.path(), &[]).unwrap());
    let plan = seccoach::plan::Plan::load(repo.path(), &catalog).unwrap();
    let progress = seccoach::progress::Store::in_dir(&repo.path().join(".seccoach-home-for-tests"))
        .load()
        .progress;
    let mut app = App::new(
        catalog,
        repo.path().to_path_buf(),
        progress,
        seccoach::tui::theme::Theme::COLOR,
    );
    app.plan = plan;
    update(&mut app, Action::Resize(100, 40));
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 40)).unwrap();
    terminal
        .draw(|frame| seccoach::tui::view::render(frame, &app))
        .unwrap();
    let screen = terminal.backend().to_string();
    let lines: Vec<&str> = screen.lines().collect();
    let row = |text: &str| {
        lines
            .iter()
            .position(|l| l.contains(text))
            .unwrap_or_else(|| panic!("{text} is not on the home screen:\n{screen}"))
    };
    assert!(
        lines[row("Your onboarding plan")].contains("2/4"),
        "{screen}"
    );
    assert!(row("Your onboarding plan") < row("Week one"));
    assert!(row("Week two") < row("Continue"));
    // The team pack's lesson is in the plan, titled as its front matter says.
    assert!(
        screen.contains("Calling services through our HTTP client"),
        "{screen}"
    );
    assert!(lines[row("Week one")].contains("2/3"), "{screen}");
}

#[test]
fn findings_fixed_in_the_coach_are_kept_and_exported() {
    use seccoach::scan::live::Delta;
    use seccoach::scan::{ScanOptions, Scanner};
    use seccoach::tui::app::{Action, App, Change, Effect, ScanEvent, update};
    let repo = fresh_repo();
    write(
        &repo.path().join("app/render.py"),
        "def render(expression):\n    return eval(expression)\n",
    );
    let catalog = std::sync::Arc::new(seccoach::catalog::Catalog::embedded().unwrap());
    let scanner = Scanner::new(std::sync::Arc::clone(&catalog), ScanOptions::default());
    let before = scanner.scan(repo.path()).unwrap();
    let eval = before.findings[0].clone();
    write(
        &repo.path().join("app/render.py"),
        "def render(expression):\n    return expression\n",
    );
    let after = scanner.scan(repo.path()).unwrap();
    let mut app = App::new(
        catalog,
        repo.path().to_path_buf(),
        seccoach::progress::Progress::default(),
        seccoach::tui::theme::Theme::COLOR,
    );
    app.set_report(before.clone(), Default::default());
    let event = |report: &seccoach::report::Report, fixed: Vec<_>, new: Vec<_>| {
        Action::Scan(ScanEvent::Updated {
            generation: 0,
            report: Box::new(report.clone()),
            stamps: Default::default(),
            change: Change {
                delta: Delta { fixed, new },
                suppressed: Vec::new(),
            },
        })
    };
    let effects = update(&mut app, event(&after, vec![eval.clone()], Vec::new()));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::SaveProgress)),
        "{effects:?}"
    );
    assert!(app.progress.findings_fixed.contains(&eval.fingerprint));
    // Undone (the finding is back): no longer counted.
    update(&mut app, event(&before, Vec::new(), vec![eval.clone()]));
    assert!(app.progress.findings_fixed.is_empty());
    update(&mut app, event(&after, vec![eval.clone()], Vec::new()));

    let home = repo.path().join(".seccoach-home-for-tests");
    seccoach::progress::Store::in_dir(&home)
        .save(&mut app.progress)
        .unwrap();
    let (_, json, _) = run(repo.path(), &["progress", "--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["findings_fixed"], 1);
    // The export counts them; which findings they were stays on this machine.
    assert!(!json.contains(&eval.fingerprint), "{json}");
}
