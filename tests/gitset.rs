//! Git decides what is scanned: real temporary repositories, built with the `git` binary (the
//! product never runs git; it reads the index with gitoxide). And only regular files are ever
//! opened: FIFOs named like ignore files or the config, and FIFOs in the tree, never block a scan.

mod support;

use seccoach::catalog::Catalog;
use seccoach::scan::live::LiveScan;
use seccoach::scan::{ScanOptions, Scanner};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::git;

/// A live Stripe key shape (issue 10's example); not a real key. Put together at run time, so
/// that this file itself passes seccoach's checks.
fn stripe() -> String {
    ["sk", "live", "51HxQbC2eZvKYlo2C0aBcDeFgHiJkLmNoPq"].join("_")
}

/// A Python line assigning the key.
fn key_line() -> String {
    format!("STRIPE = \"{}\"\n", stripe())
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// A new repository with `files` committed.
fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    for (path, text) in files {
        write(&dir.path().join(path), text);
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "initial"]);
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

/// Runs seccoach; a run that has not finished after two minutes is killed and fails the test
/// (the FIFO cases used to block forever).
fn seccoach(dir: &Path, args: &[&str]) -> Run {
    let out = tempfile::tempfile().unwrap();
    let err = tempfile::tempfile().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("seccoach"))
        .args(args)
        .current_dir(dir)
        .env("SECCOACH_HOME", dir.join(".seccoach-home-unused"))
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(err.try_clone().unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("seccoach {args:?} never finished");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let read = |mut f: std::fs::File| {
        use std::io::{Read, Seek};
        f.seek(std::io::SeekFrom::Start(0)).unwrap();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        text
    };
    Run {
        code: status.code(),
        stdout: read(out),
        stderr: read(err),
    }
}

fn scan_json(dir: &Path, root: &str) -> Value {
    let run = seccoach(dir, &["scan", root, "--format", "json", "--exit-zero"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    run.json()
}

fn findings(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn has(report: &Value, rule: &str, path: &str) -> bool {
    findings(report).iter().any(|(r, p)| r == rule && p == path)
}

fn notes(report: &Value) -> Vec<String> {
    report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect()
}

fn scanner() -> Scanner {
    Scanner::new(
        Arc::new(Catalog::embedded().unwrap()),
        ScanOptions::default(),
    )
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

#[test]
fn a_committed_file_listed_in_gitignore_is_still_scanned() {
    let repo = repo_with(&[("settings.py", &key_line())]);
    let before = scan_json(repo.path(), ".");
    assert!(
        has(&before, "secrets/stripe-key", "settings.py"),
        "{before}"
    );

    write(&repo.path().join(".gitignore"), "settings.py\n");
    let after = scan_json(repo.path(), ".");
    assert!(has(&after, "secrets/stripe-key", "settings.py"), "{after}");
    // Not printed in full, though it is found.
    assert!(!after.to_string().contains(&stripe()));
}

#[test]
fn an_ignored_untracked_file_is_not_scanned_but_an_unignored_one_is() {
    let repo = repo_with(&[
        (".gitignore", "local/\n*.secret.py\n"),
        ("app.py", "x = 1\n"),
    ]);
    let key = key_line();
    write(&repo.path().join("local/keys.py"), &key);
    write(&repo.path().join("dev.secret.py"), &key);
    write(&repo.path().join("new.py"), &key);
    let report = scan_json(repo.path(), ".");
    let paths: Vec<String> = findings(&report).into_iter().map(|(_, p)| p).collect();
    assert!(paths.contains(&"new.py".to_owned()), "{paths:?}");
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("keys.py") || p.contains("dev.secret"))
    );
}

#[test]
fn a_tracked_file_in_an_ignored_folder_is_scanned_and_its_untracked_neighbours_are_not() {
    let key = key_line();
    let repo = repo_with(&[("build/config.py", &key)]);
    write(&repo.path().join(".gitignore"), "build/\n");
    write(&repo.path().join("build/generated.py"), &key);
    let report = scan_json(repo.path(), ".");
    assert!(
        has(&report, "secrets/stripe-key", "build/config.py"),
        "{report}"
    );
    assert!(
        !has(&report, "secrets/stripe-key", "build/generated.py"),
        "{report}"
    );
}

#[test]
fn a_committed_env_file_stays_reported_after_it_is_ignored_until_it_is_untracked() {
    let repo = repo_with(&[
        (".env", "DATABASE_URL=postgres://app:hunter2@db/app\n"),
        ("app.py", "x = 1\n"),
    ]);
    let first = scan_json(repo.path(), ".");
    assert!(has(&first, "repo/env-file-committed", ".env"), "{first}");
    assert!(has(&first, "repo/gitignore-missing-env", ".env"), "{first}");

    // The .gitignore fix: the missing-ignore finding goes, the committed file does not.
    write(&repo.path().join(".gitignore"), ".env\n");
    let ignored = scan_json(repo.path(), ".");
    assert!(
        has(&ignored, "repo/env-file-committed", ".env"),
        "{ignored}"
    );
    assert!(
        !findings(&ignored)
            .iter()
            .any(|(r, _)| r == "repo/gitignore-missing-env")
    );

    // Untracked: now it is only a local file that git ignores.
    git(repo.path(), &["rm", "-q", "--cached", ".env"]);
    let untracked = scan_json(repo.path(), ".");
    assert!(
        !has(&untracked, "repo/env-file-committed", ".env"),
        "{untracked}"
    );

    // The rule's text says what ends it.
    let explain = seccoach(repo.path(), &["explain", "repo/env-file-committed"]);
    assert!(
        explain.stdout.contains("git rm --cached"),
        "{}",
        explain.stdout
    );
    assert!(explain.stdout.contains("rotate"), "{}", explain.stdout);
    assert!(explain.stdout.contains("history"), "{}", explain.stdout);
}

#[test]
fn a_scan_of_a_subdirectory_uses_the_work_trees_index_and_ignore_files() {
    let key = key_line();
    let repo = repo_with(&[("svc/api/settings.py", &key), ("svc/api/app.py", "x = 1\n")]);
    write(&repo.path().join(".gitignore"), "settings.py\nscratch.py\n");
    write(&repo.path().join("svc/api/scratch.py"), &key);
    let report = scan_json(&repo.path().join("svc"), ".");
    assert!(
        has(&report, "secrets/stripe-key", "api/settings.py"),
        "{report}"
    );
    assert!(
        !has(&report, "secrets/stripe-key", "api/scratch.py"),
        "{report}"
    );
    let from_root = scan_json(repo.path(), "svc/api");
    assert!(
        has(&from_root, "secrets/stripe-key", "settings.py"),
        "{from_root}"
    );
}

#[test]
fn a_linked_worktree_is_read_through_its_git_file() {
    let key = key_line();
    let repo = repo_with(&[("settings.py", &key), (".gitignore", "settings.py\n")]);
    // `.gitignore` came after settings.py in no order that matters: git add -A saw both, but
    // settings.py is ignored, so force it in as a committed file.
    git(repo.path(), &["add", "-f", "settings.py"]);
    git(repo.path(), &["commit", "-qm", "settings"]);
    let wt = tempfile::tempdir().unwrap();
    let linked = wt.path().join("linked");
    git(
        repo.path(),
        &[
            "worktree",
            "add",
            "-q",
            linked.to_str().unwrap(),
            "-b",
            "side",
        ],
    );
    assert!(linked.join(".git").is_file());
    let report = scan_json(&linked, ".");
    assert!(
        has(&report, "secrets/stripe-key", "settings.py"),
        "{report}"
    );
    assert!(
        notes(&report)
            .iter()
            .all(|n| !n.contains("index") && !n.contains("outside git")),
        "{report}"
    );
}

#[test]
fn a_repository_with_no_commits_is_scanned_by_its_ignore_files_and_staged_files() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    let key = key_line();
    write(&dir.path().join(".gitignore"), "ignored.py\nstaged.py\n");
    write(&dir.path().join("ignored.py"), &key);
    write(&dir.path().join("plain.py"), &key);
    let report = scan_json(dir.path(), ".");
    assert!(has(&report, "secrets/stripe-key", "plain.py"), "{report}");
    assert!(
        !has(&report, "secrets/stripe-key", "ignored.py"),
        "{report}"
    );
    // Staged before the first commit: in the index, so tracked.
    write(&dir.path().join("staged.py"), &key);
    git(dir.path(), &["add", "-f", "staged.py"]);
    let report = scan_json(dir.path(), ".");
    assert!(has(&report, "secrets/stripe-key", "staged.py"), "{report}");
}

#[test]
fn a_tracked_file_deleted_from_the_work_tree_is_noted_not_fatal() {
    let repo = repo_with(&[("gone.py", "x = 1\n"), ("app.py", "y = 2\n")]);
    std::fs::remove_file(repo.path().join("gone.py")).unwrap();
    let report = scan_json(repo.path(), ".");
    assert_eq!(report["summary"]["files_scanned"], 1, "{report}");
    assert!(
        notes(&report)
            .iter()
            .any(|n| n.contains("1 tracked file is not in the work tree") && n.contains("gone.py")),
        "{report}"
    );
}

#[test]
fn tracked_symlinks_are_counted_not_followed_and_excludes_still_apply() {
    let key = key_line();
    let outside = tempfile::tempdir().unwrap();
    write(&outside.path().join("secret.py"), &key);
    let repo = repo_with(&[("vendor/lib.py", &key), ("app.py", "x = 1\n")]);
    std::os::unix::fs::symlink(
        outside.path().join("secret.py"),
        repo.path().join("link.py"),
    )
    .unwrap();
    git(repo.path(), &["add", "link.py"]);
    git(repo.path(), &["commit", "-qm", "link"]);
    write(&repo.path().join(".gitignore"), "link.py\nvendor/\n");
    write(
        &repo.path().join(".seccoach.toml"),
        "exclude = [\"vendor/\"]\n",
    );
    let report = scan_json(repo.path(), ".");
    assert_eq!(report["summary"]["skipped"]["symlink"], 1, "{report}");
    assert!(!findings(&report).iter().any(|(_, p)| p.contains("lib.py")));
    assert!(!findings(&report).iter().any(|(_, p)| p.contains("link")));
    // Excluded is not missing.
    assert!(
        notes(&report)
            .iter()
            .all(|n| !n.contains("not in the work tree"))
    );
}

#[test]
fn a_corrupt_index_is_noted_and_the_ignore_files_decide() {
    let key = key_line();
    let repo = repo_with(&[("settings.py", &key), ("app.py", &key)]);
    write(&repo.path().join(".gitignore"), "settings.py\n");
    std::fs::write(repo.path().join(".git/index"), b"DIRC\0\0\0\x02garbage").unwrap();
    let report = scan_json(repo.path(), ".");
    assert!(has(&report, "secrets/stripe-key", "app.py"), "{report}");
    assert!(
        !has(&report, "secrets/stripe-key", "settings.py"),
        "{report}"
    );
    assert!(
        notes(&report)
            .iter()
            .any(|n| n.contains("could not read the git index") && n.contains("were not scanned")),
        "{report}"
    );
}

#[test]
fn outside_git_the_ignore_files_decide_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_line();
    write(&dir.path().join(".gitignore"), "ignored.py\n");
    write(&dir.path().join("sub/.ignore"), "local.py\n");
    write(&dir.path().join("ignored.py"), &key);
    write(&dir.path().join("sub/local.py"), &key);
    write(&dir.path().join("sub/kept.py"), &key);
    let report = scan_json(dir.path(), ".");
    let paths: Vec<String> = findings(&report).into_iter().map(|(_, p)| p).collect();
    assert_eq!(paths, ["sub/kept.py"], "{report}");
}

#[test]
fn fifo_ignore_files_and_config_never_block_the_scan() {
    let key = key_line();
    let repo = repo_with(&[("app.py", &key)]);
    write(&repo.path().join("sub/x.py"), &key);
    mkfifo(&repo.path().join(".gitignore"));
    mkfifo(&repo.path().join("sub/.ignore"));
    let report = scan_json(repo.path(), ".");
    assert!(has(&report, "secrets/stripe-key", "app.py"), "{report}");
    assert!(has(&report, "secrets/stripe-key", "sub/x.py"), "{report}");
    let notes = notes(&report);
    for name in [".gitignore", "sub/.ignore"] {
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with(name) && n.contains("a FIFO") && n.contains("not honoured")),
            "{name}: {notes:?}"
        );
    }
    // Both FIFOs are met in the tree too: counted, never silently dropped.
    assert_eq!(report["summary"]["skipped"]["special"], 2, "{report}");

    // A FIFO config is an error naming the file, not a hang.
    mkfifo(&repo.path().join(".seccoach.toml"));
    let run = seccoach(repo.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains(".seccoach.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
}

#[test]
fn fifos_sockets_in_the_tree_are_counted_and_noted() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("app.py"), "x = 1\n");
    mkfifo(&dir.path().join("pipe.py"));
    let socket = dir.path().join("daemon.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let report = scan_json(dir.path(), ".");
    assert_eq!(report["summary"]["skipped"]["special"], 2, "{report}");
    assert_eq!(report["summary"]["files_scanned"], 1, "{report}");
    let notes = notes(&report);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("pipe.py") && n.contains("a FIFO")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("daemon.sock") && n.contains("a socket"))
    );
    // The text report says so too.
    let run = seccoach(dir.path(), &["scan", "."]);
    assert!(
        run.stdout.contains("FIFOs, sockets and devices"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_fifo_git_file_falls_back_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("app.py"), &key_line());
    mkfifo(&dir.path().join(".git"));
    let report = scan_json(dir.path(), ".");
    assert!(has(&report, "secrets/stripe-key", "app.py"), "{report}");
    assert!(
        notes(&report)
            .iter()
            .any(|n| n.contains(".git is a FIFO") && n.contains("scanned as outside git")),
        "{report}"
    );
}

#[test]
fn the_live_rescan_and_the_watcher_agree_with_the_scan() {
    let key = key_line();
    let repo = repo_with(&[("settings.py", &key), ("app.py", "x = 1\n")]);
    write(&repo.path().join(".gitignore"), "settings.py\nbuild/\n");
    let root = repo.path();
    let mut live = LiveScan::new(scanner(), root).unwrap();
    let full = scanner().scan(root).unwrap();
    assert_eq!(live.report(), &full);
    assert!(full.findings.iter().any(|f| f.path == "settings.py"));

    // Editing the tracked, ignored file reaches the live scan, and the watcher passes it on.
    let filter = scanner().path_filter(root);
    assert!(filter.may_matter(&root.join("settings.py")));
    assert!(filter.may_matter(Path::new("app.py")));
    assert!(!filter.may_matter(&root.join("build/out.o")));
    assert!(!filter.may_matter(&root.join(".git/HEAD")));
    let index = filter.index_path().unwrap().to_path_buf();
    assert!(filter.may_matter(&index), "{index:?}");

    std::fs::write(root.join("settings.py"), "STRIPE = None\n").unwrap();
    let delta = live.update(&[root.join("settings.py")]);
    assert_eq!(delta.fixed.len(), 1, "{delta:?}");
    assert_eq!(live.report(), &scanner().scan(root).unwrap());

    // Untracking an ignored file takes it out of the set, in both.
    std::fs::write(root.join("settings.py"), &key).unwrap();
    live.update(&[root.join("settings.py")]);
    assert!(
        live.report()
            .findings
            .iter()
            .any(|f| f.path == "settings.py")
    );
    git(root, &["rm", "-q", "--cached", "settings.py"]);
    let delta = live.update(&[index]);
    assert_eq!(delta.fixed.len(), 1, "{delta:?}");
    assert_eq!(live.report(), &scanner().scan(root).unwrap());
    assert!(
        !scanner()
            .path_filter(root)
            .may_matter(&root.join("settings.py"))
    );

    // A file deleted from the work tree: the same note in both.
    std::fs::remove_file(root.join("app.py")).unwrap();
    live.update(&[root.join("app.py")]);
    let full = scanner().scan(root).unwrap();
    assert_eq!(live.report(), &full);
    assert!(
        full.notes.iter().any(|n| n.contains("app.py")),
        "{:?}",
        full.notes
    );
}

#[test]
fn the_watcher_delivers_changes_to_tracked_ignored_files() {
    let repo = repo_with(&[("settings.py", "x = 1\n")]);
    write(&repo.path().join(".gitignore"), "settings.py\nscratch/\n");
    std::fs::create_dir(repo.path().join("scratch")).unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<PathBuf>>();
    let _watch = seccoach::watch::watch(repo.path(), &[], move |paths| {
        let _ = tx.send(paths);
    })
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(repo.path().join("scratch/tmp.py"), "y = 2\n").unwrap();
    std::fs::write(repo.path().join("settings.py"), "x = 2\n").unwrap();
    let mut seen = Vec::new();
    while !seen.iter().any(|p: &PathBuf| p.ends_with("settings.py")) {
        let batch = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no batch with settings.py; saw {seen:?}"));
        seen.extend(batch);
    }
    assert!(!seen.iter().any(|p| p.ends_with("tmp.py")), "{seen:?}");
}

#[test]
fn a_fifo_gitignore_above_a_scanned_subdirectory_is_named_from_the_work_tree() {
    let repo = repo_with(&[("svc/app.py", &key_line())]);
    mkfifo(&repo.path().join(".gitignore"));
    let report = scan_json(&repo.path().join("svc"), ".");
    assert!(has(&report, "secrets/stripe-key", "app.py"), "{report}");
    assert!(
        notes(&report)
            .iter()
            .any(|n| n.starts_with("the work tree's .gitignore was not honoured")),
        "{report}"
    );
}
