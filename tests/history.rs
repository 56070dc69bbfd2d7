//! Secrets in history and before they land: `scan --history`, `scan --staged` and
//! `init --hook`, end to end on real temporary repositories built with the `git` binary (the
//! product never runs git; it reads the repository with gitoxide).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A live Stripe key shape; not a real key. Put together at run time, so that this file itself
/// passes seccoach's checks. `n` varies it (a rotated key).
fn stripe(n: u8) -> String {
    [
        "sk",
        "live",
        &format!("51HxQbC2eZvKYlo2C0aBcDeFgHiJkLmNoP{}", (b'a' + n) as char),
    ]
    .join("_")
}

fn key_line(n: u8) -> String {
    format!("STRIPE = \"{}\"\n", stripe(n))
}

/// A GitHub token shape, for a second kind of secret.
fn github_token() -> String {
    ["ghp", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"].join("_")
}

fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    command
}

/// Runs git in `dir`, isolated from the machine's configuration; returns its standard output.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = git_command(dir, args).output().expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// Writes `files`, stages everything and commits; returns the commit's id.
fn commit(dir: &Path, files: &[(&str, &str)], message: &str) -> String {
    for (path, text) in files {
        write(&dir.join(path), text);
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", message, "--allow-empty"]);
    git(dir, &["rev-parse", "HEAD"])
}

fn new_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    dir
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\nstderr: {}", self.stdout, self.stderr))
    }
}

fn seccoach(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(assert_cmd::cargo::cargo_bin("seccoach"))
        .args(args)
        .current_dir(dir)
        .env("SECCOACH_HOME", dir.join(".seccoach-home-unused"))
        .env("SECCOACH_CACHE", dir.join(".seccoach-cache-unused"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let run = Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    // Whatever the command, a full secret is never printed.
    for secret in [stripe(0), stripe(1), github_token()] {
        assert!(
            !run.stdout.contains(&secret) && !run.stderr.contains(&secret),
            "a full secret was printed: {}\n{}",
            run.stdout,
            run.stderr
        );
    }
    run
}

fn history_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--history", "--format", "json", "--exit-zero"];
    args.extend_from_slice(extra);
    let run = seccoach(dir, &args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    run.json()
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

fn notes(report: &Value) -> Vec<String> {
    report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect()
}

/// The findings of `rule` as (path, commit, in_head).
fn of_rule(report: &Value, rule: &str) -> Vec<(String, String, bool)> {
    findings(report)
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["commit"].as_str().unwrap().to_owned(),
                f["in_head"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_secret_added_then_deleted_is_found_with_the_commit_that_added_it() {
    let repo = new_repo();
    let dir = repo.path();
    commit(dir, &[("app.py", "print('hello')\n")], "start");
    let added = commit(
        dir,
        &[("app.py", &format!("print('hello')\n{}", key_line(0)))],
        "configure payments",
    );
    // Edited while the key stays: a new blob with the same secret, not a second finding.
    commit(
        dir,
        &[("app.py", &format!("print('hello!')\n{}", key_line(0)))],
        "greet louder",
    );
    commit(dir, &[("app.py", "print('hello!')\n")], "remove the key");
    // The working tree is clean: a plain scan finds nothing.
    let plain = seccoach(dir, &["scan", "--format", "json", "--exit-zero"]).json();
    assert!(
        !findings(&plain)
            .iter()
            .any(|f| f["rule"] == "secrets/stripe-key")
    );

    let report = history_json(dir, &[]);
    assert_eq!(
        of_rule(&report, "secrets/stripe-key"),
        vec![("app.py".to_owned(), added.clone(), false)]
    );
    let finding = &findings(&report)[0];
    assert_eq!(finding["line"], 2);
    let date = finding["commit_date"].as_str().unwrap();
    assert!(date.ends_with('Z') && date.len() == 20, "{date}");
    let summary = &report["summary"]["history"];
    assert_eq!(summary["commits"], 4);
    // Four versions of app.py, each read once.
    assert_eq!(summary["blobs"], 4);
    assert_eq!(summary["shallow"], false);

    // The text output groups by commit and says how to clean up, rotation first.
    let text = seccoach(dir, &["scan", "--history", "--color", "never"]);
    assert_eq!(text.code, Some(1), "{}", text.stderr);
    assert!(
        text.stdout.contains(&format!("commit {added}")),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("no longer in HEAD, still in the history")
    );
    let rotate = text.stdout.find("Rotate it first").unwrap();
    let rewrite = text.stdout.find("git filter-repo --replace-text").unwrap();
    let push = text.stdout.find("git push origin --force --all").unwrap();
    assert!(rotate < rewrite && rewrite < push, "{}", text.stdout);
    assert!(
        text.stdout
            .contains("history: read 4 commits and 4 blobs from 2 refs"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_secret_still_at_head_is_marked_so_and_a_rotated_key_is_a_second_finding() {
    let repo = new_repo();
    let dir = repo.path();
    let first = commit(dir, &[("pay.py", &key_line(0))], "first key");
    let second = commit(
        dir,
        &[("pay.py", &key_line(1))],
        "rotate into the source again",
    );
    let report = history_json(dir, &[]);
    let mut found = of_rule(&report, "secrets/stripe-key");
    found.sort();
    let mut expected = vec![
        ("pay.py".to_owned(), first, false),
        ("pay.py".to_owned(), second, true),
    ];
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn a_secret_only_on_another_branch_is_found() {
    let repo = new_repo();
    let dir = repo.path();
    commit(dir, &[("README.md", "# app\n")], "start");
    git(dir, &["checkout", "-qb", "experiment"]);
    let on_branch = commit(
        dir,
        &[("deploy/ci.sh", &format!("export GH={}\n", github_token()))],
        "try deploying",
    );
    git(dir, &["checkout", "-q", "main"]);
    // A tag on a commit no branch holds is walked too.
    git(dir, &["checkout", "-q", "--detach"]);
    let tagged = commit(
        dir,
        &[(".env", "DATABASE_PASSWORD=hunter2-but-longer\n")],
        "tagged",
    );
    git(dir, &["tag", "-a", "v0", "-m", "a tag object"]);
    git(dir, &["checkout", "-q", "main"]);
    assert!(!dir.join("deploy/ci.sh").exists());

    let report = history_json(dir, &[]);
    assert_eq!(
        of_rule(&report, "secrets/github-token"),
        vec![("deploy/ci.sh".to_owned(), on_branch, false)]
    );
    assert_eq!(
        of_rule(&report, "repo/env-file-committed"),
        vec![(".env".to_owned(), tagged, false)]
    );
    // Rules outside the secrets set stay on the working tree.
    assert!(
        findings(&report)
            .iter()
            .all(|f| f["rule"].as_str().unwrap().starts_with("secrets/")
                || f["rule"] == "repo/env-file-committed")
    );
}

#[test]
fn since_commit_and_since_limit_the_walk_to_new_commits() {
    let repo = new_repo();
    let dir = repo.path();
    let old = commit(dir, &[("old.py", &key_line(0))], "old secret");
    git(dir, &["branch", "base"]);
    commit(dir, &[("notes.txt", "unrelated\n")], "unrelated");
    let new = commit(
        dir,
        &[("new.sh", &format!("TOKEN={}\n", github_token()))],
        "new secret",
    );

    let all = history_json(dir, &[]);
    assert_eq!(findings(&all).len(), 2);

    let limited = history_json(dir, &["--since-commit", "base"]);
    assert_eq!(
        of_rule(&limited, "secrets/github-token"),
        vec![("new.sh".to_owned(), new.clone(), true)]
    );
    assert!(of_rule(&limited, "secrets/stripe-key").is_empty());
    assert_eq!(limited["summary"]["history"]["commits"], 2);
    // Only the blobs the new commits added were read, not old.py again.
    assert_eq!(limited["summary"]["history"]["blobs"], 2);
    // A full commit id works as well as a ref name.
    let by_id = history_json(dir, &["--since-commit", &old]);
    assert_eq!(findings(&by_id).len(), 1);

    // A new commit copies the old key elsewhere and a later one deletes the copy: reported at
    // the copy, and still in HEAD (old.py, from before the walk, holds it).
    let copied = commit(
        dir,
        &[("copy.py", &format!("# copied\n{}", key_line(0)))],
        "copy",
    );
    std::fs::remove_file(dir.join("copy.py")).unwrap();
    let dropped = commit(dir, &[], "drop the copy");
    let limited = history_json(dir, &["--since-commit", &new]);
    assert_eq!(
        of_rule(&limited, "secrets/stripe-key"),
        vec![("copy.py".to_owned(), copied, true)]
    );
    // A blob the repository had before the walk, under another name, is not new.
    commit(dir, &[("again.py", &key_line(0))], "same blob again");
    let limited = history_json(dir, &["--since-commit", &dropped]);
    assert_eq!(limited["summary"]["history"]["commits"], 1);
    assert_eq!(limited["summary"]["history"]["blobs"], 0);

    let future = history_json(dir, &["--since", "2999-01-01"]);
    assert!(findings(&future).is_empty());
    assert_eq!(future["summary"]["history"]["commits"], 0);

    let unknown = seccoach(
        dir,
        &["scan", "--history", "--since-commit", "no-such-branch"],
    );
    assert_eq!(unknown.code, Some(2));
    assert!(
        unknown.stderr.contains("--since-commit no-such-branch"),
        "{}",
        unknown.stderr
    );
    let bad_date = seccoach(dir, &["scan", "--history", "--since", "last tuesday"]);
    assert_eq!(bad_date.code, Some(2));
    assert!(
        bad_date.stderr.contains("is not a date"),
        "{}",
        bad_date.stderr
    );
}

#[test]
fn suppressions_and_baselines_apply_to_history() {
    let repo = new_repo();
    let dir = repo.path();
    commit(
        dir,
        &[(
            "fixture.py",
            &format!(
                "STRIPE = \"{}\"  # seccoach:ignore secrets/stripe-key -- revoked test key\n",
                stripe(0)
            ),
        )],
        "documented fixture",
    );
    commit(dir, &[("conf.py", &key_line(1))], "a key");
    let report = history_json(dir, &[]);
    assert_eq!(of_rule(&report, "secrets/stripe-key").len(), 1);
    assert_eq!(report["summary"]["suppressed"], 1);

    let baseline = dir.join("history-baseline.json");
    let written = seccoach(
        dir,
        &[
            "scan",
            "--history",
            "--write-baseline",
            baseline.to_str().unwrap(),
        ],
    );
    assert_eq!(written.code, Some(0), "{}", written.stderr);
    let again = history_json(dir, &["--baseline", baseline.to_str().unwrap()]);
    assert!(findings(&again).is_empty(), "{again}");
    assert_eq!(again["summary"]["baselined"], 1);
}

#[test]
fn a_shallow_clone_gives_a_note_and_a_bare_repository_is_read() {
    let repo = new_repo();
    let dir = repo.path();
    commit(dir, &[("a.py", &key_line(0))], "one");
    commit(dir, &[("a.py", "clean = True\n")], "two");
    commit(dir, &[("b.py", "more = 1\n")], "three");
    let url = format!("file://{}", dir.display());

    let clones = tempfile::tempdir().unwrap();
    git(
        clones.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let shallow = history_json(&clones.path().join("shallow"), &[]);
    assert!(findings(&shallow).is_empty());
    assert_eq!(shallow["summary"]["history"]["shallow"], true);
    assert_eq!(shallow["summary"]["history"]["commits"], 1);
    assert!(
        notes(&shallow)
            .iter()
            .any(|n| n.contains("shallow clone") && n.contains("git fetch --unshallow")),
        "{:?}",
        notes(&shallow)
    );

    git(clones.path(), &["clone", "-q", "--bare", &url, "bare.git"]);
    let bare = history_json(&clones.path().join("bare.git"), &[]);
    assert_eq!(of_rule(&bare, "secrets/stripe-key").len(), 1);
    assert_eq!(bare["summary"]["history"]["commits"], 3);
}

#[test]
fn sarif_names_the_repository_revision_and_each_results_commit() {
    let repo = new_repo();
    let dir = repo.path();
    let added = commit(dir, &[("k.py", &key_line(0))], "key");
    // Built at run time, so that this file passes seccoach's own checks.
    let url = format!(
        "https://someone:{}@example.com/team/app.git",
        "hunter2".repeat(2)
    );
    git(dir, &["remote", "add", "origin", &url]);
    let run = seccoach(
        dir,
        &["scan", "--history", "--format", "sarif", "--exit-zero"],
    );
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
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
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let provenance = &sarif["runs"][0]["versionControlProvenance"][0];
    // The remote, without the credentials its URL held.
    assert_eq!(
        provenance["repositoryUri"],
        "https://example.com/team/app.git"
    );
    assert!(!run.stdout.contains("hunter2"));
    assert_eq!(provenance["revisionId"], added.as_str());
    assert_eq!(provenance["branch"], "main");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["commit"], added.as_str());
    assert_eq!(result["properties"]["inHead"], true);
    let fingerprint = result["partialFingerprints"]["seccoach/history/v1"]
        .as_str()
        .unwrap();
    assert!(fingerprint.ends_with(&added), "{fingerprint}");
    assert!(result["partialFingerprints"]["seccoach/v1"].is_string());
}

#[test]
fn staged_content_is_checked_not_the_working_tree_file() {
    let repo = new_repo();
    let dir = repo.path();
    commit(
        dir,
        &[("old.py", &format!("TOKEN = \"{}\"\n", github_token()))],
        "an old finding, already committed",
    );
    // Staged with the key; the working-tree file was cleaned afterwards.
    write(&dir.join("pay.py"), &key_line(0));
    git(dir, &["add", "pay.py"]);
    write(&dir.join("pay.py"), "STRIPE = os.environ['STRIPE']\n");
    let run = seccoach(dir, &["scan", "--staged", "--format", "json"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let report = run.json();
    let rules: Vec<(&str, &str)> = findings(&report)
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["path"].as_str().unwrap()))
        .collect();
    // Only what this commit adds: the committed, unchanged file is not re-checked.
    assert_eq!(rules, vec![("secrets/stripe-key", "pay.py")]);
    // The working-tree scan sees the cleaned file only.
    let plain = seccoach(dir, &["scan", "--format", "json", "--exit-zero"]).json();
    assert!(
        !findings(&plain)
            .iter()
            .any(|f| f["path"] == "pay.py" && f["rule"] == "secrets/stripe-key")
    );

    // Fixed in the index too: nothing blocks the commit.
    git(dir, &["add", "pay.py"]);
    let clean = seccoach(dir, &["scan", "--staged"]);
    assert_eq!(clean.code, Some(0), "{}{}", clean.stdout, clean.stderr);
}

#[test]
fn staged_works_before_the_first_commit_and_from_a_subdirectory() {
    let repo = new_repo();
    let dir = repo.path();
    write(&dir.join("src/.env"), "API_TOKEN=not-a-template-value\n");
    git(dir, &["add", "-A"]);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let run = seccoach(&dir.join("src"), &["scan", "--staged", "--format", "json"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(findings(&run.json())[0]["path"], "src/.env");
}

fn seccoach_bin_dir() -> PathBuf {
    assert_cmd::cargo::cargo_bin("seccoach")
        .parent()
        .unwrap()
        .to_path_buf()
}

#[cfg(unix)]
#[test]
fn the_pre_commit_hook_blocks_a_commit_with_a_staged_secret() {
    let repo = new_repo();
    let dir = repo.path();
    commit(dir, &[("README.md", "# app\n")], "start");
    let run = seccoach(dir, &["init", "--hook"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let hook = dir.join(".git/hooks/pre-commit");
    assert!(run.stdout.contains("pre-commit"), "{}", run.stdout);
    let text = std::fs::read_to_string(&hook).unwrap();
    assert!(
        text.contains("seccoach scan --staged --fail-on high"),
        "{text}"
    );

    // git runs the hook; with seccoach on PATH, a staged key stops the commit.
    let path = format!(
        "{}:{}",
        seccoach_bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    write(&dir.join("pay.py"), &key_line(0));
    git(dir, &["add", "pay.py"]);
    let blocked = git_command(dir, &["commit", "-qm", "add key"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(!blocked.status.success());
    // git passes a hook's output on to its standard error.
    let said = String::from_utf8_lossy(&blocked.stdout) + String::from_utf8_lossy(&blocked.stderr);
    assert!(said.contains("secrets/stripe-key"), "{said}");
    assert!(!said.contains(&stripe(0)), "{said}");
    write(&dir.join("pay.py"), "STRIPE = os.environ['STRIPE']\n");
    git(dir, &["add", "pay.py"]);
    let allowed = git_command(dir, &["commit", "-qm", "read the key"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        allowed.status.success(),
        "{}",
        String::from_utf8_lossy(&allowed.stdout)
    );

    // An existing hook is never replaced; the error says how to chain seccoach into it.
    let again = seccoach(dir, &["init", "--hook"]);
    assert_eq!(again.code, Some(2));
    assert!(
        again
            .stderr
            .contains("seccoach scan --staged --fail-on high || exit 1"),
        "{}",
        again.stderr
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), text);
}

#[test]
fn init_hook_honours_core_hooks_path() {
    let repo = new_repo();
    let dir = repo.path();
    git(dir, &["config", "core.hooksPath", ".githooks"]);
    let run = seccoach(dir, &["init", "--hook", "--fail-on", "medium"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("core.hooksPath"), "{}", run.stdout);
    let text = std::fs::read_to_string(dir.join(".githooks/pre-commit")).unwrap();
    assert!(text.contains("--fail-on medium"));
    assert!(!dir.join(".git/hooks/pre-commit").exists());
    let outside = tempfile::tempdir().unwrap();
    let none = seccoach(outside.path(), &["init", "--hook"]);
    assert_eq!(none.code, Some(2));
    assert!(
        none.stderr.contains("not in a git repository"),
        "{}",
        none.stderr
    );
}

/// The parts of `report`'s summary a hostile history must still give.
fn history_summary(report: &Value) -> &Value {
    &report["summary"]["history"]
}

#[test]
fn a_blob_over_the_size_limit_is_counted_never_read() {
    let repo = new_repo();
    let dir = repo.path();
    // Stands for a 50 MB blob: the same path (over the limit) at a size a test can afford.
    let mut big = "x = 1\n".repeat(200_000);
    big.push_str(&key_line(0));
    commit(
        dir,
        &[("dump.sql", &big), ("small.py", &key_line(1))],
        "big",
    );
    let report = history_json(dir, &["--max-file-size", "64KiB"]);
    assert_eq!(report["summary"]["skipped"]["too-large"], 1);
    // The small file is still checked; the big one's key is not claimed.
    let found = of_rule(&report, "secrets/stripe-key");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "small.py");
    let text = seccoach(
        dir,
        &[
            "scan",
            "--history",
            "--max-file-size",
            "64KiB",
            "--exit-zero",
        ],
    );
    assert!(
        text.stdout.contains("1 over the size limit"),
        "{}",
        text.stdout
    );
}

#[test]
fn many_tiny_blobs_are_each_read_once() {
    let repo = new_repo();
    let dir = repo.path();
    // Stands for 100,000 tiny blobs: the same shape at a size a test can afford.
    for i in 0..3000 {
        write(
            &dir.join(format!("data/{}/{i}.txt", i % 50)),
            &format!("{i}\n"),
        );
    }
    write(&dir.join("data/7/conf.py"), &key_line(0));
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "lots"]);
    // Touch one file: only its new blob is new.
    commit(dir, &[("data/3/3.txt", "three\n")], "one change");
    let report = history_json(dir, &[]);
    assert_eq!(history_summary(&report)["blobs"], 3002);
    assert_eq!(report["summary"]["files_scanned"], 3002);
    assert_eq!(of_rule(&report, "secrets/stripe-key").len(), 1);
}

#[test]
fn a_graph_of_many_merges_reports_each_secret_once_at_the_commit_that_added_it() {
    let repo = new_repo();
    let dir = repo.path();
    commit(dir, &[("README.md", "# app\n")], "start");
    let mut added = String::new();
    for i in 0..12 {
        git(dir, &["checkout", "-qb", &format!("topic{i}"), "main"]);
        let id = commit(
            dir,
            &[(&format!("topic{i}.txt"), &format!("{i}\n"))],
            &format!("topic {i}"),
        );
        if i == 5 {
            added = commit(
                dir,
                &[("secret.sh", &format!("T={}\n", github_token()))],
                "oops",
            );
        }
        let _ = id;
        git(dir, &["checkout", "-q", "main"]);
        git(
            dir,
            &[
                "merge",
                "-q",
                "--no-ff",
                "-m",
                &format!("merge {i}"),
                &format!("topic{i}"),
            ],
        );
        // Criss-cross: main merged back into an earlier topic.
        if i > 0 {
            git(dir, &["checkout", "-q", &format!("topic{}", i - 1)]);
            git(dir, &["merge", "-q", "--no-ff", "-m", "back", "main"]);
            git(dir, &["checkout", "-q", "main"]);
        }
    }
    let report = history_json(dir, &[]);
    assert_eq!(
        of_rule(&report, "secrets/github-token"),
        vec![("secret.sh".to_owned(), added, true)]
    );
    let commits = git(dir, &["rev-list", "--all", "--count"]);
    assert_eq!(
        history_summary(&report)["commits"].to_string(),
        commits,
        "every commit once"
    );
}

#[test]
fn a_ref_to_a_missing_object_and_a_missing_blob_are_notes() {
    let repo = new_repo();
    let dir = repo.path();
    commit(
        dir,
        &[("a.py", &key_line(0)), ("b.py", "fine = 1\n")],
        "one",
    );
    // A ref naming an object the repository does not have.
    write(
        &dir.join(".git/refs/heads/ghost"),
        "0123456789abcdef0123456789abcdef01234567\n",
    );
    // A blob missing from the object store (as in a partial clone).
    let blob = git(dir, &["rev-parse", "HEAD:b.py"]);
    std::fs::remove_file(dir.join(format!(".git/objects/{}/{}", &blob[..2], &blob[2..]))).unwrap();
    let report = history_json(dir, &[]);
    let notes = notes(&report);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("refs/heads/ghost") && n.contains("could not be read")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains(&format!("blob {blob}")) && n.contains("not checked")),
        "{notes:?}"
    );
    assert_eq!(history_summary(&report)["missing_objects"], 1);
    // The rest was still read.
    assert_eq!(of_rule(&report, "secrets/stripe-key").len(), 1);
}

#[cfg(unix)]
#[test]
fn a_symlink_blob_is_counted_not_read_as_a_file() {
    let repo = new_repo();
    let dir = repo.path();
    // A link whose target text is secret-shaped: the target is a path, not file content.
    std::os::unix::fs::symlink(format!("/tmp/{}", stripe(0)), dir.join("link")).unwrap();
    commit(dir, &[("ok.py", "x = 1\n")], "a link");
    let report = history_json(dir, &[]);
    assert!(findings(&report).is_empty(), "{report}");
    assert_eq!(report["summary"]["skipped"]["symlink"], 1);
}

#[test]
fn all_refs_adds_every_stash() {
    let repo = new_repo();
    let dir = repo.path();
    commit(dir, &[("app.py", "x = 1\n")], "start");
    write(&dir.join("app.py"), &key_line(0));
    git(dir, &["stash", "-q"]);
    write(
        &dir.join("app.py"),
        &format!("T = \"{}\"\n", github_token()),
    );
    git(dir, &["stash", "-q"]);
    let default = history_json(dir, &[]);
    assert!(findings(&default).is_empty(), "{default}");
    let all = history_json(dir, &["--all-refs"]);
    assert_eq!(of_rule(&all, "secrets/stripe-key").len(), 1, "{all}");
    assert_eq!(of_rule(&all, "secrets/github-token").len(), 1, "{all}");
    let needs = seccoach(dir, &["scan", "--all-refs"]);
    assert_eq!(needs.code, Some(2));
}

/// The coach's screen text at 100×40, one string per row.
fn screen_text(app: &seccoach::tui::app::App) -> String {
    let backend = ratatui::backend::TestBackend::new(100, 40);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal
        .draw(|frame| seccoach::tui::view::render(frame, app))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

#[test]
fn the_coach_shows_history_secrets_by_commit_with_the_clean_up() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use seccoach::tui::app::{Action, App, HistoryView, update};
    use std::sync::{Arc, mpsc};
    use std::time::{Duration, Instant};

    let repo = new_repo();
    let dir = repo.path();
    let added = commit(dir, &[("pay.py", &key_line(0))], "key");
    commit(
        dir,
        &[("pay.py", "STRIPE = os.environ['STRIPE']\n")],
        "read it instead",
    );
    let catalog = Arc::new(seccoach::catalog::Catalog::embedded().unwrap());
    let home = tempfile::tempdir().unwrap();
    let (tx, rx) = mpsc::channel();
    let mut jobs = seccoach::tui::jobs::Jobs::new(
        dir.to_path_buf(),
        Arc::clone(&catalog),
        seccoach::scan::ScanOptions::default(),
        seccoach::progress::Store::in_dir(home.path()),
        tx,
    );
    let mut app = App::new(
        catalog,
        dir.to_path_buf(),
        seccoach::progress::Progress::default(),
        seccoach::tui::theme::Theme::COLOR,
    );
    update(&mut app, Action::Resize(100, 40));
    let mut pending = update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('H'), KeyModifiers::SHIFT)),
    );
    assert_eq!(app.history, HistoryView::Reading);
    assert!(screen_text(&app).contains("Reading every commit"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !matches!(app.history, HistoryView::Read(_) | HistoryView::Failed(_)) {
        for effect in std::mem::take(&mut pending) {
            if let Some(action) = jobs.perform(effect, &mut app) {
                pending.extend(update(&mut app, action));
            }
        }
        assert!(Instant::now() < deadline, "the history scan never answered");
        if let Ok(event) = rx.recv_timeout(Duration::from_millis(50))
            && let Some(action) = seccoach::tui::to_action(event)
        {
            pending.extend(update(&mut app, action));
        }
    }
    let text = screen_text(&app);
    assert!(text.contains(&format!("commit {added}")), "{text}");
    assert!(text.contains("pay.py:1"), "{text}");
    assert!(
        text.contains("removed since, still in the history"),
        "{text}"
    );
    assert!(text.contains("Rotate it first"), "{text}");
    assert!(!text.contains(&stripe(0)), "{text}");
    // The clean-up commands are further down: scroll to the end.
    for _ in 0..40 {
        update(
            &mut app,
            Action::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
        );
    }
    let text = screen_text(&app);
    assert!(text.contains("git filter-repo --replace-text"), "{text}");
    assert!(text.contains("read 2 commits and 2 blobs"), "{text}");
    // Asked again, the history is not read twice.
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    let again = update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('H'), KeyModifiers::SHIFT)),
    );
    assert!(again.is_empty());
}
