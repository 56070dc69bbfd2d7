//! Ctrl-C in the middle of `seccoach fix --apply` and `seccoach scan --output`: every file is
//! whole (as it was, or completely fixed), no temporary file is left behind, the exit status
//! says the run was interrupted, and what `fix` reported is exactly what it changed.
#![cfg(unix)]

use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Copies of the fixture project: enough that applying their fixes takes a while.
const COPIES: usize = 1500;

const SIGINT: i32 = 2;

/// The exit status after SIGINT: 128 + 2.
const INTERRUPTED: i32 = 130;

fn fixture(which: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fixes/k8s/privileged")
        .join(which)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A project of `COPIES` services, each with the fixture's privileged pod.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let before = read(&fixture("before").join("pod.yaml"));
    for i in 0..COPIES {
        let service = dir.path().join(format!("svc{i:04}"));
        std::fs::create_dir(&service).unwrap();
        std::fs::write(service.join("pod.yaml"), &before).unwrap();
    }
    dir
}

fn pods(root: &Path) -> Vec<PathBuf> {
    (0..COPIES)
        .map(|i| root.join(format!("svc{i:04}/pod.yaml")))
        .collect()
}

/// Files and folders seccoach writes as temporaries (`.seccoach-*`), anywhere under `root`.
fn leftovers(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(".seccoach-")
            {
                found.push(entry.path());
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            }
        }
    }
    found
}

fn spawn(args: &[&str], dir: &Path) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("seccoach"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -INT");
}

/// Waits for the child (a hang guard, not a timing assertion) and returns its status and output.
fn finish(mut child: Child) -> (ExitStatus, String) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "seccoach did not stop");
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status,
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn interrupting_fix_leaves_every_file_whole_and_reports_what_changed() {
    let before = read(&fixture("before").join("pod.yaml"));
    let after = read(&fixture("after").join("pod.yaml"));
    let mut interrupted_mid_way = false;
    // The interrupt is sent as soon as the first file has changed; with this many files the
    // run is then nearly always still applying. A run that finished first proves less, so try
    // again (it still has to leave everything whole).
    for _attempt in 0..3 {
        let dir = project();
        let pods = pods(dir.path());
        let child = spawn(
            &["fix", ".", "--rule", "k8s/privileged", "--apply"],
            dir.path(),
        );
        let deadline = Instant::now() + Duration::from_secs(120);
        while pods.iter().all(|p| read(p) == before) {
            assert!(Instant::now() < deadline, "no file was ever fixed");
            std::thread::sleep(Duration::from_millis(1));
        }
        interrupt(&child);
        let (status, stdout) = finish(child);

        let mut changed = BTreeSet::new();
        for pod in &pods {
            let text = read(pod);
            let rel = pod
                .strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if text == after {
                changed.insert(rel);
            } else {
                assert_eq!(
                    text, before,
                    "{rel} is neither the original nor the fixed file"
                );
            }
        }
        assert_eq!(
            leftovers(dir.path()),
            Vec::<PathBuf>::new(),
            "temporary files left"
        );
        let reported: BTreeSet<String> = stdout
            .lines()
            .filter_map(|l| l.strip_prefix("fixed "))
            .map(|l| l.split(" (").next().unwrap().to_owned())
            .collect();
        assert_eq!(
            reported, changed,
            "the report names exactly the files changed"
        );

        match status.code() {
            Some(INTERRUPTED) => {
                assert!(
                    changed.len() < COPIES,
                    "interrupted, yet every file was fixed"
                );
                interrupted_mid_way = true;
                break;
            }
            Some(0) => assert_eq!(changed.len(), COPIES, "finished, yet files were not fixed"),
            other => panic!("unexpected exit {other:?}:\n{stdout}"),
        }
    }
    assert!(
        interrupted_mid_way,
        "no attempt was interrupted while applying fixes"
    );
}

#[test]
fn interrupting_a_scan_never_leaves_a_partial_report() {
    let dir = project();
    // From immediately to late enough that the report is being written or already is.
    for delay_ms in [0u64, 5, 20, 50, 100, 200, 400] {
        let out = dir.path().join("report.json");
        let _ = std::fs::remove_file(&out);
        let child = spawn(
            &[
                "scan",
                ".",
                "--format",
                "json",
                "--output",
                "report.json",
                "--exit-zero",
            ],
            dir.path(),
        );
        std::thread::sleep(Duration::from_millis(delay_ms));
        interrupt(&child);
        let (status, _) = finish(child);
        // Before its handler is in place (the first milliseconds), SIGINT's default action
        // ends the process, which has written nothing yet.
        let interrupted = status.code() == Some(INTERRUPTED) || status.signal() == Some(SIGINT);
        assert!(
            interrupted || status.code() == Some(0),
            "after {delay_ms} ms: {status:?}"
        );
        if out.exists() {
            let report: serde_json::Value = serde_json::from_str(&read(&out))
                .unwrap_or_else(|e| panic!("after {delay_ms} ms, a partial report: {e}"));
            assert_eq!(report["summary"]["files_scanned"], COPIES);
        } else {
            assert!(
                interrupted,
                "after {delay_ms} ms: finished without a report"
            );
        }
        assert_eq!(
            leftovers(dir.path()),
            Vec::<PathBuf>::new(),
            "temporary files left"
        );
    }
}

/// Set in the child process of `an_interrupt_waits_for_the_section_in_progress`.
const CHILD: &str = "SECCOACH_TEST_INTERRUPT_CHILD";

/// A SIGINT that arrives inside `persist::uninterrupted` is held until the section ends, then
/// ends the process with status 130. Run in a child process (this test binary again), since it
/// ends the process that receives it.
#[test]
fn an_interrupt_waits_for_the_section_in_progress() {
    if let Some(marker) = std::env::var_os(CHILD) {
        seccoach::persist::exit_on_interrupt().unwrap();
        seccoach::persist::uninterrupted(|| {
            let me = std::process::id().to_string();
            let sent = Command::new("kill").args(["-INT", &me]).status().unwrap();
            assert!(sent.success(), "kill -INT");
            std::thread::sleep(Duration::from_millis(300));
            std::fs::write(&marker, "finished").unwrap();
        });
        panic!("the interrupt held back during the section should have ended the process");
    }
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("marker");
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "an_interrupt_waits_for_the_section_in_progress",
            "--nocapture",
        ])
        .env(CHILD, &marker)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(INTERRUPTED),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(
        read(&marker),
        "finished",
        "the section ran to its end first"
    );
}
