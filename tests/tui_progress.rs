//! Progress kept between sessions, and the commands around the coach: where progress lives
//! (`SECCOACH_HOME`), what happens to a corrupt file, concurrent writers, `seccoach lessons`,
//! `seccoach progress`, and the coach's refusal to draw when not on a terminal.

mod support;

use assert_cmd::Command;
use seccoach::progress::{Progress, Store};
use std::path::Path;

fn seccoach(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("seccoach").unwrap();
    cmd.env("SECCOACH_HOME", home)
        .env_remove("NO_COLOR")
        .env_remove("CI")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn seccoach_home_chooses_where_progress_lives() {
    let home = tempfile::tempdir().unwrap();
    let mut progress = Progress::default();
    progress
        .lessons_read
        .insert("secrets/how-secrets-leak".into());
    progress.record_quiz("secrets/how-secrets-leak", 3, 4);
    progress.last_lesson = Some("secrets/how-secrets-leak".into());
    Store::in_dir(home.path()).save(&mut progress).unwrap();

    let json: serde_json::Value = serde_json::from_str(&stdout(
        seccoach(home.path()).args(["progress", "--format", "json"]),
    ))
    .unwrap();
    // The export is for sharing: nothing about the machine (where progress is stored) or
    // beyond the report (the last lesson opened).
    assert!(json.get("store").is_none(), "{json}");
    assert!(json.get("last_lesson").is_none(), "{json}");
    assert_eq!(json["lessons_read"], 1);
    assert!(json["lessons_total"].as_u64().unwrap() >= 29);
    assert_eq!(json["quiz_scores"]["secrets/how-secrets-leak"]["best"], 3);

    let text = stdout(seccoach(home.path()).arg("progress"));
    assert!(text.starts_with("1 of "), "{text}");
    assert!(
        text.contains(&home.path().join("progress.json").display().to_string()),
        "{text}"
    );
    assert!(text.contains("Secrets"), "{text}");
    let markdown = stdout(seccoach(home.path()).args(["progress", "--format", "markdown"]));
    assert!(
        markdown.contains("| Track | Read | Lessons |"),
        "{markdown}"
    );
    assert!(markdown.contains("## Quiz scores"), "{markdown}");

    let lessons: serde_json::Value = serde_json::from_str(&stdout(
        seccoach(home.path()).args(["lessons", "--format", "json"]),
    ))
    .unwrap();
    let lessons = lessons.as_array().unwrap();
    let done: Vec<&str> = lessons
        .iter()
        .filter(|l| l["done"] == true)
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(done, ["secrets/how-secrets-leak"]);
    for lesson in lessons {
        for field in ["id", "title", "track", "minutes"] {
            assert!(!lesson[field].is_null(), "{field} missing in {lesson}");
        }
    }
    let text = stdout(seccoach(home.path()).arg("lessons"));
    assert!(
        text.lines().next().unwrap().starts_with("DONE  ID"),
        "{text}"
    );
    assert!(text.contains("1 of "), "{text}");
}

#[test]
fn a_corrupt_progress_file_is_set_aside_with_a_warning() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("progress.json");
    std::fs::write(&file, "{ this is not json").unwrap();

    let output = seccoach(home.path()).arg("progress").output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("was unreadable"), "{stderr}");
    assert!(
        !file.exists(),
        "the corrupt file is moved, not left in place"
    );
    let moved: Vec<String> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("progress.json.corrupt-"))
        .collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    let kept = std::fs::read_to_string(home.path().join(&moved[0])).unwrap();
    assert_eq!(
        kept, "{ this is not json",
        "the old content is kept for the user"
    );
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("0 of "));
}

#[test]
fn concurrent_writers_never_leave_a_half_written_file() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::in_dir(home.path());
    store.save(&mut Progress::default()).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let text = std::fs::read_to_string(store.path()).unwrap();
                let parsed: Result<Progress, _> = serde_json::from_str(&text);
                assert!(parsed.is_ok(), "half-written file: {text:?}");
                reads += 1;
            }
            reads
        });
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let store = store.clone();
                scope.spawn(move || {
                    for i in 0..25 {
                        let mut progress = Progress::default();
                        progress.lessons_read.insert(format!("w{w}/lesson-{i}"));
                        store.save(&mut progress).unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    });
    let loaded = store.load();
    assert!(loaded.warning.is_none());
    // Saves are merged under a lock, so every writer's progress survives.
    assert_eq!(
        loaded.progress.lessons_read.len(),
        100,
        "{:?}",
        loaded.progress.lessons_read
    );
    let mut left: Vec<String> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["progress.json", "progress.json.lock"],
        "no temporary files are left behind"
    );
}

#[test]
fn the_coach_needs_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &[][..],
        &["learn"][..],
        &["learn", "secrets/how-secrets-leak"][..],
    ] {
        let output = seccoach(home.path())
            .args(args)
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("`seccoach scan`"), "{stderr}");
        assert!(output.stdout.is_empty(), "nothing is drawn on a pipe");
    }
}

#[test]
fn a_lab_solved_on_the_command_line_shows_in_progress() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let lab = work.path().join("lab");
    let lab_arg = lab.to_str().unwrap();
    let started =
        stdout(seccoach(home.path()).args(["lab", "start", "parameterise-query", lab_arg]));
    assert!(started.contains("Parameterise a search query"), "{started}");
    // Unsolved: exit 1, the remaining finding and a hint.
    let out = seccoach(home.path())
        .args(["lab", "check", "parameterise-query", lab_arg])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("code/sql-string-concat") && text.contains("Hint:"),
        "{text}"
    );
    // Starting again over the copy refuses and keeps the learner's files.
    let again = seccoach(home.path())
        .args(["lab", "start", "parameterise-query", lab_arg])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    // Solved with the reference solution: exit 0, recorded in progress.
    let solution = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/labs/parameterise-query/solution/search.py");
    std::fs::copy(solution, lab.join("search.py")).unwrap();
    let solved =
        stdout(seccoach(home.path()).args(["lab", "check", "parameterise-query", lab_arg]));
    assert!(solved.starts_with("Solved"), "{solved}");
    let text = stdout(seccoach(home.path()).args(["progress"]));
    assert!(text.contains("Labs solved: parameterise-query"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&stdout(
        seccoach(home.path()).args(["progress", "--format", "json"]),
    ))
    .unwrap();
    assert_eq!(json["labs_solved"][0], "parameterise-query");
}

#[test]
fn labs_checked_at_the_same_time_are_all_recorded() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let catalog = seccoach::catalog::Catalog::embedded().unwrap();
    let labs: Vec<String> = seccoach::lab::all(&catalog)
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert!(labs.len() >= 6);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/labs");
    for id in &labs {
        let dir = work.path().join(id);
        let dir_arg = dir.to_str().unwrap();
        stdout(seccoach(home.path()).args(["lab", "start", id, dir_arg]));
        support::copy_tree(&fixtures.join(id).join("solution"), &dir);
    }
    // Every `lab check` at once: each loads, records its lab and saves.
    let children: Vec<_> = labs
        .iter()
        .map(|id| {
            let dir = work.path().join(id);
            std::process::Command::new(assert_cmd::cargo::cargo_bin("seccoach"))
                .env("SECCOACH_HOME", home.path())
                .args(["lab", "check", id, dir.to_str().unwrap()])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(
            child.wait().unwrap().success(),
            "a reference solution failed its check"
        );
    }
    let solved = Store::in_dir(home.path()).load().progress.labs_solved;
    let expected: std::collections::BTreeSet<String> = labs.into_iter().collect();
    assert_eq!(solved, expected, "a concurrent save lost a solved lab");
}
