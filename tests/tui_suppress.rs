//! Writing a suppression from the coach, on real files: the comment goes above the finding in
//! the file's comment syntax, CRLF line endings survive, every other byte is unchanged, the scan
//! then honours it, and a file that changed since the scan is never touched.

use seccoach::catalog::Catalog;
use seccoach::scan::{ScanOptions, Scanner};
use seccoach::tui::suppress::{self, FileStamp, Refusal};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use support::copy_tree;

mod support;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui-project")
}

/// A copy of the fixture project in a temporary directory.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(), dir.path());
    dir
}

fn findings_of(root: &Path, rule: &str) -> Vec<(String, u32)> {
    let catalog = Arc::new(Catalog::for_repository(root).unwrap());
    let report = Scanner::new(catalog, ScanOptions::default())
        .scan(root)
        .unwrap();
    report
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == rule)
        .map(|f| (f.path.clone(), f.line))
        .collect()
}

#[test]
fn inserts_the_comment_above_keeping_crlf_and_every_other_byte() {
    let dir = project();
    let root = dir.path();
    let rule = "secrets/tui-fixture-token";
    assert_eq!(findings_of(root, rule), [("app/settings.py".to_owned(), 3)]);
    let path = root.join("app/settings.py");
    let before = std::fs::read(&path).unwrap();
    let stamp = FileStamp::of(&before);

    let plan = suppress::plan(
        root,
        "app/settings.py",
        3,
        rule,
        "fake token for tests",
        Some(&stamp),
    )
    .unwrap();
    assert_eq!(
        plan.comment,
        "# seccoach:ignore secrets/tui-fixture-token -- fake token for tests"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "planning writes nothing"
    );
    let new_stamp = suppress::apply(&plan).unwrap();

    let after = std::fs::read(&path).unwrap();
    assert_eq!(FileStamp::of(&after), new_stamp);
    let inserted = b"# seccoach:ignore secrets/tui-fixture-token -- fake token for tests\r\n";
    let at = before
        .windows(b"SERVICE_TOKEN".len())
        .position(|w| w == b"SERVICE_TOKEN")
        .unwrap();
    let mut expected = before[..at].to_vec();
    expected.extend_from_slice(inserted);
    expected.extend_from_slice(&before[at..]);
    assert_eq!(after, expected, "only the comment line is added");
    // The scan now honours it.
    assert!(findings_of(root, rule).is_empty());
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(root.join("app"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn keeps_the_indentation_of_the_finding_line() {
    let dir = project();
    let root = dir.path();
    let rule = "code/tui-fixture-eval";
    let path = root.join("app/main.py");
    let stamp = FileStamp::read(&path).unwrap();
    let plan = suppress::plan(
        root,
        "app/main.py",
        8,
        rule,
        "input is a constant",
        Some(&stamp),
    )
    .unwrap();
    suppress::apply(&plan).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(
            "    # seccoach:ignore code/tui-fixture-eval -- input is a constant\n    return eval(expression)\n"
        ),
        "{text}"
    );
    assert!(findings_of(root, rule).is_empty());
}

#[test]
fn refuses_a_file_that_changed_since_the_scan() {
    let dir = project();
    let root = dir.path();
    let path = root.join("app/main.py");
    let stamp = FileStamp::read(&path).unwrap();
    // Changed before planning.
    std::fs::write(&path, "eval('1')\n").unwrap();
    let err = suppress::plan(
        root,
        "app/main.py",
        1,
        "code/tui-fixture-eval",
        "x",
        Some(&stamp),
    )
    .unwrap_err();
    assert!(matches!(err, Refusal::Changed { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "eval('1')\n");

    // Changed between the confirmation and the write.
    let stamp = FileStamp::read(&path).unwrap();
    let plan = suppress::plan(
        root,
        "app/main.py",
        1,
        "code/tui-fixture-eval",
        "x",
        Some(&stamp),
    )
    .unwrap();
    std::fs::write(&path, "eval('2')\n").unwrap();
    let err = suppress::apply(&plan).unwrap_err();
    assert!(matches!(err, Refusal::Changed { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "eval('2')\n");

    // Never stamped by the scan.
    let err =
        suppress::plan(root, "app/main.py", 1, "code/tui-fixture-eval", "x", None).unwrap_err();
    assert!(matches!(err, Refusal::NotStamped { .. }), "{err}");
}

#[test]
fn refuses_files_without_line_comments() {
    let dir = project();
    let root = dir.path();
    std::fs::write(root.join("config.json"), "{\"token\": \"x\"}\n").unwrap();
    let stamp = FileStamp::read(&root.join("config.json")).unwrap();
    let err = suppress::plan(
        root,
        "config.json",
        1,
        "secrets/tui-fixture-token",
        "x",
        Some(&stamp),
    )
    .unwrap_err();
    assert!(matches!(err, Refusal::NoCommentSyntax { .. }), "{err}");
    assert!(err.to_string().contains("json"));
}

#[test]
fn uses_the_comment_syntax_of_the_file_kind() {
    let cases = [
        ("Dockerfile", "FROM a\nUSER root\n", 2, "# seccoach:ignore"),
        (
            "web/app.ts",
            "const a = 1;\n  run(a);\n",
            2,
            "  // seccoach:ignore",
        ),
        ("deploy.yaml", "a:\n  b: 1\n", 2, "  # seccoach:ignore"),
        (
            "main.go",
            "package main\n\tx()\n",
            2,
            "\t// seccoach:ignore",
        ),
        (
            "bin/run",
            "#!/bin/sh\ncurl x | sh\n",
            2,
            "# seccoach:ignore",
        ),
    ];
    for (rel, content, line, prefix) in cases {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        let stamp = FileStamp::read(&path).unwrap();
        let plan =
            suppress::plan(dir.path(), rel, line, "code/x", "reviewed", Some(&stamp)).unwrap();
        assert!(plan.comment.starts_with(prefix), "{rel}: {}", plan.comment);
    }
}
