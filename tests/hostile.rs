//! A hostile repository, generated at test time: binary and enormous files, broken encodings,
//! link loops and links out of the tree, unreadable entries, names with newlines and terminal
//! escapes, huge folders, deep nesting, YAML bombs, absurd Dockerfiles, pathological Markdown.
//!
//! The scan must complete, say what it skipped and why, never follow a link out of the root, never
//! print a raw escape sequence from a name or a file, and stay within generous time and memory
//! bounds (the benchmark, scripts/bench.sh, measures the exact figures).

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Generous bounds: a debug build on a busy 2-core machine stays far below them.
const TIME_LIMIT: Duration = Duration::from_secs(60);
const MEMORY_LIMIT_MIB: u64 = 512;

/// A rule only these tests know, so that assertions do not depend on the shipped catalogue.
const PACK: &str = r#"
[[rule]]
id = "secrets/hostile-token"
title = "Hostile test token"
severity = "critical"
confidence = "high"
message = "hostile token {value} is committed"
secret = true
what = "A token format made up for the hostile-repository test."
why = "It stands for any credential: whoever reads the file can use it."
fix = "Read it from the environment."
references = ["CWE-798"]
lessons = []

[rule.example]
language = "python"
before = 'T = "hostile_..."'
after = 'T = os.environ["T"]'

[rule.matcher]
type = "regex"
keywords = ["hostile_"]
pattern = '\b(hostile_[a-z0-9]{24})\b'
value_group = 1
"#;

/// A fake token of the test rule's format, distinct per `seed`; not a real secret.
fn token(seed: u64) -> String {
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = String::from("hostile_");
    for _ in 0..24 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push(alphabet[(state >> 33) as usize % alphabet.len()] as char);
    }
    out
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join(".seccoach/checks/hostile.toml"), PACK);
    dir
}

/// What one run of the real binary did.
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    elapsed: Duration,
    /// Peak resident memory, where the platform tells (Linux: VmHWM, polled while it runs).
    peak_mib: Option<u64>,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}); stderr: {}\n{}",
                self.stderr,
                String::from_utf8_lossy(&self.stdout[..self.stdout.len().min(2000)])
            )
        })
    }

    fn assert_within_bounds(&self, what: &str) {
        assert!(
            self.code == Some(0) || self.code == Some(1),
            "{what}: exit {:?}; stderr:\n{}",
            self.code,
            self.stderr
        );
        assert!(
            self.elapsed < TIME_LIMIT,
            "{what}: took {:?} (limit {TIME_LIMIT:?})",
            self.elapsed
        );
        if let Some(peak) = self.peak_mib {
            assert!(
                peak < MEMORY_LIMIT_MIB,
                "{what}: peak memory {peak} MiB (limit {MEMORY_LIMIT_MIB} MiB)"
            );
        }
        assert!(
            !self.stderr.contains("panicked"),
            "{what}: panic:\n{}",
            self.stderr
        );
    }
}

fn peak_mib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// Runs `seccoach ARGS` and measures it. Output goes to files, so a large report never blocks.
fn seccoach(args: &[&str]) -> Run {
    let out = tempfile::tempfile().unwrap();
    let err = tempfile::tempfile().unwrap();
    let start = Instant::now();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("seccoach"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(err.try_clone().unwrap())
        .spawn()
        .unwrap();
    let mut peak = None;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if let Some(now) = peak_mib(child.id()) {
            peak = Some(peak.map_or(now, |p: u64| p.max(now)));
        }
        if start.elapsed() > TIME_LIMIT * 3 {
            let _ = child.kill();
            panic!("seccoach {args:?} hung for {:?}", start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let read = |mut f: std::fs::File| {
        use std::io::{Read, Seek};
        f.seek(std::io::SeekFrom::Start(0)).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        bytes
    };
    Run {
        code: status.code(),
        stdout: read(out),
        stderr: String::from_utf8_lossy(&read(err)).into_owned(),
        elapsed,
        peak_mib: peak,
    }
}

fn scan_json(root: &Path, extra: &[&str]) -> Run {
    let root = root.to_str().unwrap();
    let mut args = vec!["scan", root, "--format", "json", "--exit-zero"];
    args.extend_from_slice(extra);
    seccoach(&args)
}

fn findings(report: &Value) -> Vec<(String, String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn skipped(report: &Value, reason: &str) -> u64 {
    report["summary"]["skipped"][reason].as_u64().unwrap_or(0)
}

fn hostile_hits(report: &Value) -> Vec<(String, u64)> {
    findings(report)
        .into_iter()
        .filter(|(rule, _, _)| rule == "secrets/hostile-token")
        .map(|(_, path, line)| (path, line))
        .collect()
}

/// Running as root, permission bits do not stop reads: then the unreadable cases cannot be
/// produced and the test checks only that the scan completes.
fn permissions_are_enforced(probe_dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let probe = probe_dir.join("permission-probe");
        std::fs::write(&probe, "x").unwrap();
        std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).unwrap();
        let enforced = std::fs::read(&probe).is_err();
        std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::remove_file(&probe).unwrap();
        enforced
    }
    #[cfg(not(unix))]
    {
        let _ = probe_dir;
        false
    }
}

#[test]
fn hostile_repository_is_scanned_safely() {
    let outside = tempfile::tempdir().unwrap();
    let outside_secret = outside.path().join("secret.py");
    write(&outside_secret, format!("T = \"{}\"\n", token(900)));

    let dir = repo();
    let root = dir.path();

    // Binary files: a PNG header, an ELF-like blob with the token inside (never read as text).
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..20_000u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8));
    write(&root.join("assets/logo.png"), &png);
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.extend(format!("T = \"{}\"", token(1)).as_bytes());
    write(&root.join("bin/tool"), &elf);

    // Invalid UTF-8 around a token: found, at the right line.
    let mut bad = b"ok = 1\n\xff\xfe\xfd broken \xc3\x28 bytes\n".to_vec();
    bad.extend(format!("T = \"{}\"  # ", token(2)).as_bytes());
    bad.extend(b"\xe2\x82\n");
    write(&root.join("src/invalid_utf8.py"), &bad);

    // UTF-16 with a byte-order mark, both byte orders: decoded, the token found on line 3.
    for (name, little) in [("utf16le.py", true), ("utf16be.py", false)] {
        let text = format!("# UTF-16\nx = 1\nT = \"{}\"\n", token(3));
        let mut bytes = if little {
            vec![0xff, 0xfe]
        } else {
            vec![0xfe, 0xff]
        };
        for unit in text.encode_utf16() {
            bytes.extend(if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        write(&root.join("src").join(name), bytes);
    }

    // CRLF line endings: line numbers count CRLF once.
    let crlf = format!("a = 1\r\nb = 2\r\n\r\nT = \"{}\"\r\n", token(4));
    write(&root.join("src/crlf.py"), crlf);

    // Links: a loop, a link to /etc, a link to a file outside the root (holding a token), and a
    // link to a folder outside the root. None is followed.
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        std::fs::create_dir_all(root.join("links")).unwrap();
        symlink(root.join("links"), root.join("links/loop")).unwrap();
        symlink("a", root.join("links/b")).unwrap();
        symlink("b", root.join("links/a")).unwrap();
        symlink("/etc", root.join("links/etc")).unwrap();
        symlink(&outside_secret, root.join("links/outside.py")).unwrap();
        symlink(outside.path(), root.join("links/outside-dir")).unwrap();
        symlink("/nonexistent/dangling", root.join("links/dangling")).unwrap();
    }

    // Names with spaces, newlines and terminal escape sequences, each holding a token.
    let odd_names = [
        "with space/file name.py",
        "escape\u{1b}[31mred\u{1b}[0m.py",
        "bell\u{7}title\u{1b}]0;pwned\u{7}.py",
        "bidi\u{202e}txt.py",
    ];
    for (i, name) in odd_names.iter().enumerate() {
        write(
            &root.join("names").join(name),
            format!("T = \"{}\"\n", token(10 + i as u64)),
        );
    }
    #[cfg(unix)]
    write(
        &root.join("names/new\nline.py"),
        format!("T = \"{}\"\n", token(20)),
    );
    #[cfg(unix)]
    write(
        &root.join("names/dir\u{1b}[2J\nx/inner.py"),
        format!("T = \"{}\"\n", token(21)),
    );
    // File content with escape sequences around a token: shown escaped in snippets.
    write(
        &root.join("names/content.py"),
        format!("\u{1b}]0;owned\u{7}T = \"{}\" \u{1b}[2J\n", token(22)),
    );

    // 10,000 files in one folder, one with a token.
    let wide = root.join("wide");
    std::fs::create_dir_all(&wide).unwrap();
    for i in 0..10_000 {
        let body = if i == 7_777 {
            format!("T = \"{}\"\n", token(30))
        } else {
            format!("x_{i} = {i}\n")
        };
        std::fs::write(wide.join(format!("f{i:05}.py")), body).unwrap();
    }

    // A directory nested 200 levels deep with a token at the bottom.
    let mut deep = root.join("deep");
    for i in 0..200 {
        deep.push(format!("d{i}"));
    }
    write(&deep.join("bottom.py"), format!("T = \"{}\"\n", token(31)));

    // Unreadable file and folder (only effective when not running as root).
    let enforced = permissions_are_enforced(root);
    write(
        &root.join("locked/file.py"),
        format!("T = \"{}\"\n", token(40)),
    );
    write(
        &root.join("locked-dir/inner.py"),
        format!("T = \"{}\"\n", token(41)),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            root.join("locked/file.py"),
            std::fs::Permissions::from_mode(0o000),
        )
        .unwrap();
        std::fs::set_permissions(
            root.join("locked-dir"),
            std::fs::Permissions::from_mode(0o000),
        )
        .unwrap();
    }

    let run = scan_json(root, &[]);
    #[cfg(unix)]
    {
        // Let the temporary directory clean up after itself.
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(
            root.join("locked-dir"),
            std::fs::Permissions::from_mode(0o755),
        );
        let _ = std::fs::set_permissions(
            root.join("locked/file.py"),
            std::fs::Permissions::from_mode(0o644),
        );
    }
    run.assert_within_bounds("hostile repository");
    let report = run.json();
    let hits = hostile_hits(&report);
    let has = |path: &str, line: u64| hits.iter().any(|(p, l)| p == path && *l == line);

    assert!(has("src/invalid_utf8.py", 3), "{hits:?}");
    assert!(has("src/utf16le.py", 3), "{hits:?}");
    assert!(has("src/utf16be.py", 3), "{hits:?}");
    assert!(has("src/crlf.py", 4), "{hits:?}");
    assert!(has("wide/f07777.py", 1), "{hits:?}");
    let deep_rel = format!(
        "deep/{}/bottom.py",
        (0..200)
            .map(|i| format!("d{i}"))
            .collect::<Vec<_>>()
            .join("/")
    );
    assert!(has(&deep_rel, 1), "{hits:?}");
    assert!(has("names/with space/file name.py", 1), "{hits:?}");
    assert!(has("names/content.py", 1), "{hits:?}");
    #[cfg(unix)]
    assert!(has("names/new\nline.py", 1), "{hits:?}");

    // Binary files are skipped, never read as text.
    assert!(!hits.iter().any(|(p, _)| p.starts_with("bin/")), "{hits:?}");
    assert!(skipped(&report, "binary") >= 2, "{}", report["summary"]);

    // Links are reported as skipped and never followed: nothing from /etc or outside the root.
    #[cfg(unix)]
    {
        assert!(skipped(&report, "symlink") >= 6, "{}", report["summary"]);
        for (_, path, _) in findings(&report) {
            assert!(!path.starts_with("links/"), "followed a link: {path}");
        }
        assert!(!hits.iter().any(|(p, _)| p.contains("outside")));
    }

    if enforced {
        assert!(!has("locked/file.py", 1), "{hits:?}");
        assert!(skipped(&report, "unreadable") >= 2, "{}", report["summary"]);
        let notes = report["notes"].to_string();
        assert!(
            notes.contains("locked"),
            "unreadable entries are named: {notes}"
        );
    } else {
        // As root both are readable; they are simply scanned.
        assert!(has("locked/file.py", 1), "{hits:?}");
        assert!(has("locked-dir/inner.py", 1), "{hits:?}");
    }

    // Every file except the links, binaries and the unreadable ones was scanned.
    let scanned = report["summary"]["files_scanned"].as_u64().unwrap();
    assert!(scanned >= 10_000 + 10, "{}", report["summary"]);

    // Reports for people never carry a raw escape byte or a raw newline from a name or a file.
    let root_str = root.to_str().unwrap();
    for format in ["text", "markdown"] {
        let run = seccoach(&[
            "scan",
            root_str,
            "--format",
            format,
            "--color",
            "never",
            "--exit-zero",
        ]);
        run.assert_within_bounds(format);
        let out = &run.stdout;
        assert!(!out.contains(&0x1b), "{format}: raw ESC on stdout");
        assert!(!out.contains(&0x07), "{format}: raw BEL on stdout");
        let text = String::from_utf8_lossy(out);
        assert!(!text.contains('\u{202e}'), "{format}: raw bidi override");
        assert!(!text.contains('\u{9b}'), "{format}: raw CSI");
        assert!(
            !text.lines().any(|l| l.starts_with("line.py")),
            "{format}: a newline in a file name broke a line:\n{text}"
        );
        assert!(
            !run.stderr.contains('\u{1b}'),
            "{format}: raw ESC on stderr"
        );
        assert!(text.contains("wide/f07777.py"), "{format}:\n{text}");
    }
    // Machine formats escape control characters by construction; check they stay parseable.
    for format in ["json", "sarif"] {
        let run = seccoach(&["scan", root_str, "--format", format, "--exit-zero"]);
        run.assert_within_bounds(format);
        assert!(!run.stdout.contains(&0x1b), "{format}: raw ESC on stdout");
        let _: Value = serde_json::from_slice(&run.stdout).expect("valid JSON");
    }
}

/// A 50 MB minified file on one line: skipped by default (and said so), scanned in bounded time
/// and memory when the size limit is raised.
#[test]
fn fifty_megabyte_single_line() {
    let dir = repo();
    let root = dir.path();
    let chunk = "function a(b,c){var d=b.token||c.secret;return fetch(\"https://api.example.com/\"+d,{headers:{Authorization:\"Bearer \"+d,password:c.password}})};";
    let target = 50 * 1024 * 1024;
    let mut text = String::with_capacity(target + 200);
    let mut i = 0u64;
    while text.len() < target {
        text.push_str(chunk);
        if i.is_multiple_of(50_000) {
            // A few real hits spread over the line.
            text.push_str(&format!("var t=\"{}\";", token(100 + i)));
        }
        i += 1;
    }
    text.push('\n');
    write(&root.join("dist/app.min.js"), &text);
    write(&root.join("src/app.js"), "console.log(1)\n");
    drop(text);

    let run = scan_json(root, &[]);
    run.assert_within_bounds("default size limit");
    let report = run.json();
    assert_eq!(skipped(&report, "too-large"), 1, "{}", report["summary"]);
    assert!(hostile_hits(&report).is_empty());
    assert!(
        run.elapsed < Duration::from_secs(20),
        "skipping must not read the file"
    );

    let run = scan_json(root, &["--max-file-size", "64MiB"]);
    run.assert_within_bounds("raised size limit");
    let report = run.json();
    assert_eq!(skipped(&report, "too-large"), 0, "{}", report["summary"]);
    let hits = hostile_hits(&report);
    assert!(
        !hits.is_empty() && hits.iter().all(|(p, l)| p == "dist/app.min.js" && *l == 1),
        "{hits:?}"
    );
    for f in report["findings"].as_array().unwrap() {
        let snippet = f["snippet"].as_str().unwrap();
        assert!(
            snippet.chars().count() <= 200,
            "snippets stay short on a 50 MB line"
        );
        assert!(
            f["message"].as_str().unwrap().len() < 2000,
            "messages stay short on a 50 MB line"
        );
    }
}

/// Structured files built to blow up parsers: the analyzers must bound their work.
#[test]
fn parser_bombs_are_bounded() {
    let dir = repo();
    let root = dir.path();

    // YAML "billion laughs": nine levels of nine aliases.
    let mut bomb = String::from(
        "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for level in 1..10 {
        let prev = format!("*a{}", level - 1);
        let items = [prev.as_str(); 9].join(",");
        bomb.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    for name in [
        "k8s/bomb.yaml",
        ".github/workflows/bomb.yml",
        "docker-compose.yml",
        ".gitlab-ci.yml",
        "action.yml",
    ] {
        write(&root.join(name), &bomb);
    }

    // 5,000 levels of nesting, as YAML flow, YAML block and JSON.
    let depth = 5_000;
    let flow = format!("{}1{}\n", "[".repeat(depth), "]".repeat(depth));
    write(&root.join("k8s/deep-flow.yaml"), &flow);
    write(&root.join(".github/workflows/deep.yml"), &flow);
    let mut block = String::new();
    for i in 0..depth {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    write(&root.join("k8s/deep-block.yaml"), &block);
    write(&root.join("compose.yaml"), &block);
    let json = format!("{}1{}\n", "{\"a\":".repeat(depth), "}".repeat(depth));
    write(&root.join("config/deep.json"), &json);
    write(&root.join("config/deep-array.json"), &flow);

    // One enormous YAML line (just under the default size limit) and one with many keys.
    let long_value = "x".repeat(2 * 1024 * 1024 - 200);
    write(
        &root.join("k8s/long.yaml"),
        format!("apiVersion: v1\nkind: ConfigMap\ndata:\n  blob: \"{long_value}\"\n"),
    );
    let mut flow_map = String::from("{");
    let mut k = 0;
    while flow_map.len() < 1_900_000 {
        flow_map.push_str(&format!("k{k}: v{k}, "));
        k += 1;
    }
    flow_map.push_str("end: 1}\n");
    write(&root.join(".github/workflows/long.yml"), &flow_map);

    // A Dockerfile of 100,000 continuation lines, and one whose last line never ends.
    let mut docker = String::from("FROM debian:12\nRUN apt-get update \\\n");
    for i in 0..100_000 {
        docker.push_str(&format!("    && echo step{i} \\\n"));
    }
    docker.push_str("    && true\nUSER 1000\n");
    write(&root.join("Dockerfile"), &docker);
    let mut open = String::from("FROM debian:12\nRUN true");
    for _ in 0..100_000 {
        open.push_str(" \\\n");
    }
    write(&root.join("build/Dockerfile.open"), &open);
    write(
        &root.join("build/Dockerfile.crlf"),
        docker.replace('\n', "\r\n"),
    );

    // Lesson-like Markdown with pathological nesting.
    write(&root.join("docs/nested.md"), pathological_markdown());

    // Raise the size limit so that every bomb (the block-nested YAML is 12 MB) is parsed.
    let run = scan_json(root, &["--max-file-size", "32MiB"]);
    run.assert_within_bounds("parser bombs");
    let report = run.json();
    assert_eq!(skipped(&report, "too-large"), 0, "{}", report["summary"]);
    assert!(report["summary"]["files_scanned"].as_u64().unwrap() >= 17);
}

fn pathological_markdown() -> String {
    let mut md = String::from("# Lesson\n\n");
    // Deeply nested block quotes and lists.
    for i in 0..3_000 {
        md.push_str(&">".repeat(i.min(2_000)));
        md.push_str(" quote\n");
    }
    for i in 0..2_000 {
        md.push_str(&"  ".repeat(i));
        md.push_str("- item\n");
    }
    // Unclosed emphasis and links, nested brackets, long code fences.
    md.push_str(&"*_".repeat(20_000));
    md.push('\n');
    md.push_str(&"[".repeat(20_000));
    md.push_str(&"](x)".repeat(100));
    md.push('\n');
    md.push_str(&"`".repeat(10_000));
    md.push_str("\n```\n");
    md.push_str(&"| a | b |\n|---|---|\n".repeat(2_000));
    md.push_str(&"<div>".repeat(5_000));
    md.push('\n');
    md
}

/// The lesson renderer on pathological Markdown: completes, bounded, no panic.
#[test]
fn pathological_markdown_renders_in_bounded_time() {
    let md = pathological_markdown();
    let start = Instant::now();
    for width in [1u16, 40, 120] {
        let text = seccoach::markdown::render(
            &md,
            seccoach::markdown::RenderOptions { width, color: true },
        );
        assert!(!text.lines.is_empty());
    }
    assert!(start.elapsed() < TIME_LIMIT, "took {:?}", start.elapsed());

    // And as a repository's own lesson: loads or is rejected with an error, never a panic.
    let dir = repo();
    let lesson = format!(
        "+++\nid = \"secrets/hostile-nesting\"\ntitle = \"Nesting\"\ntrack = \"secrets\"\norder = 99\n\
         minutes = 1\nlevel = \"beginner\"\nsummary = \"Pathological nesting.\"\n+++\n{md}"
    );
    write(&dir.path().join(".seccoach/lessons/nested.md"), lesson);
    let run = scan_json(dir.path(), &[]);
    assert!(
        run.code == Some(0) || run.code == Some(2),
        "exit {:?}: {}",
        run.code,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.elapsed < TIME_LIMIT);
}

/// A file that changes or disappears between the walk and the read is not an error.
#[test]
fn files_vanishing_during_the_scan_are_tolerated() {
    let dir = repo();
    let root = dir.path().to_path_buf();
    for i in 0..2_000 {
        write(&root.join(format!("churn/f{i}.py")), format!("x = {i}\n"));
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let stop = stop.clone();
        let root: PathBuf = root.clone();
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let path = root.join(format!("churn/f{}.py", n % 2_000));
                if n.is_multiple_of(2) {
                    let _ = std::fs::remove_file(&path);
                } else if let Ok(mut f) = std::fs::File::create(&path) {
                    let _ = f.write_all(format!("T = \"{}\"\n", token(n)).as_bytes());
                }
                n += 1;
            }
        })
    };
    let run = scan_json(&root, &[]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    churn.join().unwrap();
    run.assert_within_bounds("churning tree");
    let _ = run.json();
}
