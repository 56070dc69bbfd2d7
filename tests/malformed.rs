//! Broken input files — `.seccoach.toml`, baselines, rule packs under `.seccoach/checks` and
//! lessons under `.seccoach/lessons` that are malformed, truncated, huge or of the wrong type —
//! end a scan with exit code 2 and an error naming the file (and the line, where there is one).
//! Never a panic.

use assert_cmd::Command;
use std::path::Path;

fn seccoach() -> Command {
    let mut cmd = Command::cargo_bin("seccoach").unwrap();
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

/// A tiny repository with one clean file.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("app.py"), "print('hello')\n");
    dir
}

/// Runs `seccoach scan ROOT EXTRA…` and returns (exit code, stderr).
fn scan(root: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = seccoach()
        .arg("scan")
        .arg(root)
        .args(extra)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "panic on {extra:?}:\n{stderr}"
    );
    (out.status.code(), stderr)
}

/// Asserts exit 2 with an error that names `file` and, when given, `:line:`.
#[track_caller]
fn assert_error(result: (Option<i32>, String), file: &str, line: Option<usize>) {
    let (code, stderr) = result;
    assert_eq!(code, Some(2), "expected exit 2; stderr:\n{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(file), "error should name {file}:\n{stderr}");
    if let Some(line) = line {
        assert!(
            stderr.contains(&format!("{file}:{line}:")),
            "error should name {file}:{line}:\n{stderr}"
        );
    }
    assert!(stderr.lines().count() <= 20, "errors stay short:\n{stderr}");
}

/// For inputs where loading may reasonably succeed (huge but valid): either a clean scan or a
/// clean error naming the file.
#[track_caller]
fn assert_clean(result: (Option<i32>, String), file: &str) {
    let (code, stderr) = result;
    match code {
        Some(0) | Some(1) => {}
        Some(2) => assert!(stderr.contains(file), "{stderr}"),
        other => panic!("exit {other:?}:\n{stderr}"),
    }
}

const GOOD_RULE: &str = r#"[[rule]]
id = "secrets/team-token"
title = "Team token"
severity = "high"
confidence = "high"
message = "team token {value}"
secret = true
what = "A team token."
why = "Whoever reads it can use it."
fix = "Use the environment."
references = ["CWE-798"]
lessons = []

[rule.example]
language = "python"
before = 'T = "team_..."'
after = 'T = os.environ["T"]'

[rule.matcher]
type = "regex"
keywords = ["team_"]
pattern = '\b(team_[a-z0-9]{20})\b'
value_group = 1
"#;

const GOOD_LESSON: &str = "+++\nid = \"secrets/team-lesson\"\ntitle = \"Team\"\ntrack = \"secrets\"\n\
order = 90\nminutes = 3\nlevel = \"beginner\"\nsummary = \"Our own lesson.\"\n+++\n# Team\n\nBody.\n";

#[test]
fn the_good_inputs_load() {
    let dir = repo();
    write(&dir.path().join(".seccoach/checks/team.toml"), GOOD_RULE);
    write(&dir.path().join(".seccoach/lessons/team.md"), GOOD_LESSON);
    write(
        &dir.path().join(".seccoach.toml"),
        "exclude = [\"vendor/\"]\n",
    );
    let (code, stderr) = scan(dir.path(), &[]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn config_files() {
    let cases: &[(&str, &[u8], Option<usize>)] = &[
        // Syntax errors, with the line.
        (
            "syntax",
            b"exclude = [\"a\"]\nfail_on = \"high\nmax_file_size = 3\n",
            Some(2),
        ),
        ("truncated", b"exclude = [\"vendor/\",\n  \"bui", Some(2)),
        ("unterminated table", b"[severity\n", Some(1)),
        // Wrong types and unknown keys.
        ("list as string", b"\n\nexclude = \"vendor/\"\n", Some(3)),
        ("bool as size", b"max_file_size = true\n", Some(1)),
        ("bad size", b"max_file_size = \"lots\"\n", Some(1)),
        ("negative size", b"max_file_size = -1\n", Some(1)),
        ("unknown key", b"exclude = []\nbogus = 1\n", Some(2)),
        ("unknown severity", b"fail_on = \"severe\"\n", Some(1)),
        ("unknown rule", b"disable = [\"docker/nope\"]\n", Some(1)),
        ("bad glob", b"exclude = [\"a/[b\"]\n", Some(1)),
        ("array of tables", b"[[exclude]]\nx = 1\n", Some(1)),
        // Not text at all.
        ("invalid UTF-8", b"exclude = [\"\xff\xfe\"]\n", None),
        ("binary", b"\x00\x01\x02\x03\xff", None),
        ("empty key", b"= 1\n", Some(1)),
    ];
    for (what, text, line) in cases {
        let dir = repo();
        write(&dir.path().join(".seccoach.toml"), text);
        let result = scan(dir.path(), &[]);
        assert!(
            result.0 == Some(2),
            "{what}: exit {:?}\n{}",
            result.0,
            result.1
        );
        assert_error(result, ".seccoach.toml", *line);
    }
}

#[test]
fn config_of_the_wrong_file_type() {
    let dir = repo();
    std::fs::create_dir_all(dir.path().join(".seccoach.toml")).unwrap();
    assert_error(scan(dir.path(), &[]), ".seccoach.toml", None);
}

#[test]
fn huge_config() {
    let dir = repo();
    let mut text = String::from("exclude = [\n");
    for i in 0..200_000 {
        text.push_str(&format!("  \"generated/{i}/\",\n"));
    }
    text.push_str("]\n");
    write(&dir.path().join(".seccoach.toml"), &text);
    assert_clean(scan(dir.path(), &[]), ".seccoach.toml");

    let dir = repo();
    let deep = format!("x = {}1{}\n", "[".repeat(50_000), "]".repeat(50_000));
    write(&dir.path().join(".seccoach.toml"), deep);
    assert_error(scan(dir.path(), &[]), ".seccoach.toml", None);
}

#[test]
fn baselines() {
    let cases: &[(&str, &[u8], Option<usize>)] = &[
        (
            "syntax",
            b"{\n\"version\": 1,\n\"findings\": [,]\n}",
            Some(3),
        ),
        (
            "truncated",
            b"{\"version\": 1, \"findings\": [{\"rule\": \"a\"",
            Some(1),
        ),
        ("empty", b"", None),
        ("wrong top type", b"[1, 2, 3]\n", Some(1)),
        (
            "version as string",
            b"{\"version\": \"1\", \"findings\": []}",
            Some(1),
        ),
        (
            "future version",
            b"{\"version\": 9, \"findings\": []}",
            None,
        ),
        (
            "entry of the wrong type",
            b"{\n  \"version\": 1,\n  \"findings\": [\n    42\n  ]\n}",
            Some(4),
        ),
        ("missing findings", b"{\"version\": 1}", Some(1)),
        (
            "invalid UTF-8",
            b"{\"version\": 1, \"findings\": [\"\xff\"]}",
            None,
        ),
        ("binary", b"\x00\x00\x00\x00", None),
    ];
    for (what, text, line) in cases {
        let dir = repo();
        let baseline = dir.path().join("baseline.json");
        write(&baseline, text);
        let result = scan(dir.path(), &["--baseline", baseline.to_str().unwrap()]);
        assert!(
            result.0 == Some(2),
            "{what}: exit {:?}\n{}",
            result.0,
            result.1
        );
        assert_error(result, "baseline.json", *line);
    }

    // Missing, or a directory.
    let dir = repo();
    let missing = dir.path().join("nope.json");
    assert_error(
        scan(dir.path(), &["--baseline", missing.to_str().unwrap()]),
        "nope.json",
        None,
    );
    let folder = dir.path().join("folder.json");
    std::fs::create_dir_all(&folder).unwrap();
    assert_error(
        scan(dir.path(), &["--baseline", folder.to_str().unwrap()]),
        "folder.json",
        None,
    );

    // Deeply nested JSON: serde_json's recursion limit turns it into an error, not a crash.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let path = dir.path().join("deep.json");
    write(&path, deep);
    assert_error(
        scan(dir.path(), &["--baseline", path.to_str().unwrap()]),
        "deep.json",
        None,
    );

    // Huge but valid: loads.
    let mut huge = String::from("{\"version\": 1, \"findings\": [\n");
    for i in 0..100_000 {
        if i > 0 {
            huge.push_str(",\n");
        }
        huge.push_str(&format!(
            "{{\"rule\": \"secrets/jwt\", \"path\": \"f{i}.py\", \"fingerprint\": \"{i:032x}\"}}"
        ));
    }
    huge.push_str("]}\n");
    let path = dir.path().join("huge.json");
    write(&path, huge);
    assert_clean(
        scan(dir.path(), &["--baseline", path.to_str().unwrap()]),
        "huge.json",
    );
}

#[test]
fn rule_packs() {
    let pattern_line = GOOD_RULE
        .lines()
        .position(|l| l.starts_with("pattern"))
        .unwrap()
        + 1;
    let truncated = &GOOD_RULE[..GOOD_RULE.len() / 2];
    let cases: Vec<(&str, Vec<u8>, Option<usize>)> = vec![
        (
            "syntax",
            b"[[rule]]\nid = \"secrets/x\"\ntitle = \n".to_vec(),
            Some(3),
        ),
        ("truncated", truncated.as_bytes().to_vec(), None),
        ("wrong top type", b"rule = 3\n".to_vec(), Some(1)),
        ("empty", Vec::new(), None),
        (
            "bad regex",
            GOOD_RULE
                .replace(r"'\b(team_[a-z0-9]{20})\b'", "'(team_[a-z'")
                .into_bytes(),
            Some(pattern_line),
        ),
        (
            "value group out of range",
            GOOD_RULE
                .replace("value_group = 1", "value_group = 7")
                .into_bytes(),
            Some(pattern_line),
        ),
        (
            "severity of the wrong type",
            GOOD_RULE
                .replace("severity = \"high\"", "severity = 5")
                .into_bytes(),
            Some(4),
        ),
        (
            "unknown field",
            GOOD_RULE
                .replace("secret = true", "secret = true\ncolour = \"red\"")
                .into_bytes(),
            None,
        ),
        (
            "missing keywords",
            GOOD_RULE
                .replace("keywords = [\"team_\"]\n", "")
                .into_bytes(),
            None,
        ),
        (
            "empty keyword",
            GOOD_RULE
                .replace("keywords = [\"team_\"]", "keywords = [\"\"]")
                .into_bytes(),
            None,
        ),
        (
            "bad id",
            GOOD_RULE
                .replace("secrets/team-token", "Team Token")
                .into_bytes(),
            Some(2),
        ),
        (
            "unknown area",
            GOOD_RULE
                .replace("secrets/team-token", "nope/team-token")
                .into_bytes(),
            Some(2),
        ),
        (
            "unknown analyzer",
            GOOD_RULE
                .replace(
                    "type = \"regex\"",
                    "type = \"analyzer\"\nanalyzer = \"nope\"",
                )
                .into_bytes(),
            None,
        ),
        (
            "unknown lesson",
            GOOD_RULE
                .replace("lessons = []", "lessons = [\"secrets/nope\"]")
                .into_bytes(),
            Some(2),
        ),
        (
            "huge regex",
            GOOD_RULE
                .replace(r"'\b(team_[a-z0-9]{20})\b'", r"'\b(team_\w{1000}){1000}'")
                .into_bytes(),
            Some(pattern_line),
        ),
        (
            "value group the pattern lacks",
            GOOD_RULE
                .replace("value_group = 1", "value_group = 2")
                .into_bytes(),
            Some(pattern_line),
        ),
        (
            "invalid UTF-8",
            [GOOD_RULE.as_bytes(), b"\n# \xff\n"].concat(),
            Some(GOOD_RULE.lines().count() + 2),
        ),
        ("binary", b"\x00\x01\x02".to_vec(), None),
        (
            "duplicate of a shipped rule",
            GOOD_RULE
                .replace("secrets/team-token", "repo/invalid-suppression")
                .into_bytes(),
            Some(2),
        ),
    ];
    for (what, text, line) in &cases {
        let dir = repo();
        write(&dir.path().join(".seccoach/checks/team.toml"), text);
        let result = scan(dir.path(), &[]);
        assert!(
            result.0 == Some(2),
            "{what}: exit {:?}\n{}",
            result.0,
            result.1
        );
        assert_error(result, "team.toml", *line);
    }

    // Huge: over the 4 MiB limit for a pack.
    let dir = repo();
    let mut huge = GOOD_RULE.to_owned();
    huge.push_str(&"# padding padding padding padding padding padding padding\n".repeat(80_000));
    write(&dir.path().join(".seccoach/checks/team.toml"), huge);
    assert_error(scan(dir.path(), &[]), "team.toml", None);

    // Deeply nested TOML: an error, not a stack overflow.
    let dir = repo();
    let deep = format!("x = {}1{}\n", "[".repeat(50_000), "]".repeat(50_000));
    write(&dir.path().join(".seccoach/checks/team.toml"), deep);
    assert_error(scan(dir.path(), &[]), "team.toml", None);
}

#[test]
fn lessons() {
    let cases: Vec<(&str, String, Option<usize>)> = vec![
        ("no front matter", "# Just Markdown\n".to_owned(), Some(1)),
        ("empty", String::new(), Some(1)),
        (
            "unterminated front matter",
            "+++\nid = \"secrets/x\"\ntitle = \"X\"\n".to_owned(),
            Some(1),
        ),
        (
            "front matter syntax",
            GOOD_LESSON.replace("title = \"Team\"", "title = \"Team"),
            Some(3),
        ),
        (
            "wrong type",
            GOOD_LESSON.replace("order = 90", "order = \"ninety\""),
            Some(5),
        ),
        (
            "unknown field",
            GOOD_LESSON.replace("minutes = 3", "minutes = 3\ncolour = 1"),
            None,
        ),
        (
            "unknown track",
            GOOD_LESSON.replace("track = \"secrets\"", "track = \"nowhere\""),
            Some(1),
        ),
        (
            "teaches an unknown rule",
            GOOD_LESSON.replace("order = 90", "order = 90\nchecks = [\"secrets/nope\"]"),
            Some(1),
        ),
        (
            "bad quiz",
            GOOD_LESSON.replace(
                "+++\n# Team",
                "[[quiz]]\nquestion = \"q\"\nchoices = [\"a\"]\nanswer = 3\nexplanation = \"e\"\n+++\n# Team",
            ),
            Some(1),
        ),
        (
            "bad id",
            GOOD_LESSON.replace("secrets/team-lesson", "no-slash"),
            Some(1),
        ),
        (
            "duplicate of a shipped lesson",
            GOOD_LESSON.replace("secrets/team-lesson", "secrets/how-secrets-leak"),
            Some(1),
        ),
        (
            "truncated",
            GOOD_LESSON[..GOOD_LESSON.len() / 3].to_owned(),
            None,
        ),
    ];
    for (what, text, line) in &cases {
        let dir = repo();
        write(&dir.path().join(".seccoach/lessons/team.md"), text);
        let result = scan(dir.path(), &[]);
        assert!(
            result.0 == Some(2),
            "{what}: exit {:?}\n{}",
            result.0,
            result.1
        );
        assert_error(result, "team.md", *line);
    }

    // Invalid UTF-8 in the body names the line.
    let dir = repo();
    let mut bytes = GOOD_LESSON.as_bytes().to_vec();
    bytes.extend(b"more\n\xff\xfe\n");
    write(&dir.path().join(".seccoach/lessons/team.md"), &bytes);
    let line = GOOD_LESSON.lines().count() + 2;
    assert_error(scan(dir.path(), &[]), "team.md", Some(line));

    // Huge: over the 4 MiB limit.
    let dir = repo();
    let huge = format!(
        "{GOOD_LESSON}{}",
        "Lorem ipsum dolor sit amet.\n".repeat(200_000)
    );
    write(&dir.path().join(".seccoach/lessons/team.md"), huge);
    assert_error(scan(dir.path(), &[]), "team.md", None);

    // Huge but under the limit, with a pathological body: loads (the body renders lazily).
    let dir = repo();
    let body = format!("{GOOD_LESSON}{}\n", ">".repeat(100_000));
    write(&dir.path().join(".seccoach/lessons/team.md"), body);
    assert_clean(scan(dir.path(), &[]), "team.md");
}

/// `seccoach checks --repo` loads the same files and fails the same way.
#[test]
fn checks_listing_reports_broken_packs() {
    let dir = repo();
    write(&dir.path().join(".seccoach/checks/team.toml"), "rule = [\n");
    let out = seccoach()
        .args(["checks", "--repo"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("team.toml"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
