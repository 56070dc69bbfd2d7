//! Hostile write targets and malformed input, built for real in temporary folders: outputs that
//! are links, FIFOs or devices; fixes on read-only and hard-linked files; suppressions that would
//! land in a string, a block scalar or the wrong comment syntax; classic-Mac line endings; a lab
//! started into a dangling link; malformed suppressions; linked rule packs and bad excludes.
//!
//! The tests may run as root, where permission bits do not stop a write: they check that
//! seccoach looks at the mode itself, and never depend on the system refusing.

#![cfg(unix)]

use assert_cmd::Command;
use seccoach::scan::{ScanOptions, Scanner};
use seccoach::tui::suppress::{self, FileStamp, Refusal};
use serde_json::Value;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
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
why = "Anyone who can read the repository, its forks, its CI logs or an image built from it can deploy as you."
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

const CLIENT_PY: &str = "import requests\n\n\ndef fetch(url):\n    return requests.get(url, timeout=10, verify=False)\n";

fn seccoach() -> Command {
    let mut cmd = Command::cargo_bin("seccoach").unwrap();
    cmd.env_remove("NO_COLOR")
        .env_remove("CI")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

fn run(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = seccoach().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A project with one finding (a committed ACME token) from the team pack.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join(".seccoach/checks/team.toml"), TEAM_PACK);
    write(
        &dir.path().join("app/settings.py"),
        format!("ACME = \"{TOKEN}\"\n"),
    );
    dir
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn leftovers(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(prefix))
        .collect()
}

// --- 1. Output targets ------------------------------------------------------------------------

#[test]
fn an_output_link_stays_a_link_and_its_target_keeps_its_mode() {
    let dir = project();
    let out = tempfile::tempdir().unwrap();
    let real = out.path().join("reports/report.json");
    write(&real, "old\n");
    set_mode(&real, 0o640);
    let link = out.path().join("report.json");
    symlink("reports/report.json", &link).unwrap();

    let root = dir.path().to_str().unwrap();
    let (code, _, stderr) = run(
        &[
            "scan",
            root,
            "--format",
            "json",
            "-o",
            link.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(report["findings"][0]["rule"], "secrets/acme-token");
    assert_eq!(mode(&real), 0o640);
    assert!(leftovers(&out.path().join("reports"), ".seccoach-").is_empty());

    // A dangling link: the file it names is created, and the link kept.
    let baseline_link = out.path().join("baseline.json");
    symlink("reports/baseline-real.json", &baseline_link).unwrap();
    let (code, _, stderr) = run(
        &[
            "scan",
            root,
            "--write-baseline",
            baseline_link.to_str().unwrap(),
        ],
        out.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        std::fs::symlink_metadata(&baseline_link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let baseline = std::fs::read_to_string(out.path().join("reports/baseline-real.json")).unwrap();
    assert!(baseline.contains("secrets/acme-token"), "{baseline}");
}

#[test]
fn a_new_output_file_gets_the_umask_permissions() {
    let dir = project();
    let bin = assert_cmd::cargo::cargo_bin("seccoach");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 077 && exec \"$0\" scan \"$1\" --format json -o \"$1/private.json\"")
        .arg(&bin)
        .arg(dir.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    assert_eq!(mode(&dir.path().join("private.json")), 0o600);
}

#[test]
fn fifos_devices_and_descriptor_links_are_written_through_never_replaced() {
    let dir = project();
    let root = dir.path().to_str().unwrap();
    let fifo = dir.path().join("report.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let (code, _, stderr) = run(
        &[
            "scan",
            root,
            "--format",
            "json",
            "-o",
            fifo.to_str().unwrap(),
        ],
        dir.path(),
    );
    let is_fifo = std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo();
    if !is_fifo {
        // Old behaviour: the FIFO was replaced. Release the reader before failing.
        let _ = std::fs::remove_file(&fifo);
    }
    assert!(is_fifo, "the FIFO was replaced by a regular file");
    assert_eq!(code, 1, "{stderr}");
    let received = reader.join().unwrap();
    assert!(received.contains("secrets/acme-token"), "{received}");

    // A device node (the null device) made here, not the system's: it must stay a device.
    let null = dir.path().join("null");
    let mknod = std::process::Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .status();
    if mknod.is_ok_and(|s| s.success()) {
        let (code, _, stderr) = run(&["scan", root, "-o", null.to_str().unwrap()], dir.path());
        assert_eq!(code, 1, "{stderr}");
        assert!(
            std::fs::symlink_metadata(&null)
                .unwrap()
                .file_type()
                .is_char_device(),
            "the device was replaced by a file"
        );
    }

    // `/dev/fd/1` is standard output, whatever it is (here a pipe).
    let (code, stdout, stderr) = run(
        &["scan", root, "--format", "json", "-o", "/dev/fd/1"],
        dir.path(),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("secrets/acme-token"), "{stdout}{stderr}");
    assert!(leftovers(dir.path(), ".seccoach-").is_empty());
}

// --- 2. fix --apply ---------------------------------------------------------------------------

#[test]
fn fix_refuses_read_only_files_even_as_root_and_reports_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked/client.py");
    let open = dir.path().join("open/client.py");
    write(&locked, CLIENT_PY);
    write(&open, CLIENT_PY);
    set_mode(&locked, 0o444);

    // The preview says so before anything is tried.
    let (code, stdout, _) = run(&["fix", "."], dir.path());
    assert_eq!(code, 0);
    assert!(
        stdout.contains(
            "# --apply will not change this file: locked/client.py: read-only (mode 444)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 findings in 2 files can be fixed automatically"),
        "{stdout}"
    );

    let (code, stdout, stderr) = run(&["fix", ".", "--apply"], dir.path());
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(
        std::fs::read_to_string(&locked).unwrap(),
        CLIENT_PY,
        "a read-only file was written"
    );
    assert_eq!(mode(&locked), 0o444);
    assert!(
        stderr.contains("locked/client.py: read-only (mode 444)"),
        "{stderr}"
    );
    assert!(
        std::fs::read_to_string(&open)
            .unwrap()
            .contains("verify=True")
    );
    assert!(
        stdout.contains("Applied fixes for 1 finding in 1 file.")
            && stdout.contains("1 file not changed"),
        "{stdout}"
    );

    // When nothing could be written, nothing is claimed.
    set_mode(&locked, 0o444);
    std::fs::write(&open, CLIENT_PY).unwrap();
    set_mode(&open, 0o400);
    let (code, stdout, _) = run(&["fix", ".", "--apply"], dir.path());
    assert_eq!(code, 2);
    assert!(!stdout.contains("Applied"), "{stdout}");
    assert!(
        stdout.contains("2 files not changed (the reason is above); no fixes were applied"),
        "{stdout}"
    );
}

#[test]
fn fix_keeps_hard_links_by_refusing_to_write_through_them() {
    let outside = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let shared = outside.path().join("store-client.py");
    write(&shared, CLIENT_PY);
    let linked = dir.path().join("client.py");
    std::fs::hard_link(&shared, &linked).unwrap();

    let (code, stdout, stderr) = run(&["fix", ".", "--apply"], dir.path());
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("client.py: has 2 hard links"), "{stderr}");
    assert_eq!(
        std::fs::metadata(&linked).unwrap().nlink(),
        2,
        "the hard link was broken"
    );
    assert_eq!(std::fs::read_to_string(&shared).unwrap(), CLIENT_PY);
    assert!(stdout.contains("1 file not changed"), "{stdout}");
}

// --- 3. Suppression comments ------------------------------------------------------------------

fn plan(root: &Path, rel: &str, line: u32, rule: &str) -> Result<suppress::Plan, Refusal> {
    let stamp = FileStamp::of(&std::fs::read(root.join(rel)).unwrap());
    suppress::plan(root, rel, line, rule, "test data only", Some(&stamp))
}

fn findings(root: &Path, rule: &str) -> Vec<(String, u32)> {
    let (catalog, config) = seccoach::cli::load_repository(root).unwrap();
    let report = Scanner::new(catalog, ScanOptions::from_config(&config))
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
fn suppressions_never_go_into_a_triple_quoted_string_or_a_block_scalar() {
    let dir = project();
    let root = dir.path();
    let python = format!("HELP = \"\"\"\nUse the token:\n{TOKEN}\n\"\"\"\n");
    write(&root.join("app/help.py"), &python);
    let workflow = format!(
        "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo start\n          deploy --token {TOKEN}\n"
    );
    write(&root.join(".github/workflows/deploy.yml"), &workflow);
    let found = findings(root, "secrets/acme-token");
    assert!(found.contains(&("app/help.py".into(), 3)), "{found:?}");
    assert!(
        found.contains(&(".github/workflows/deploy.yml".into(), 8)),
        "{found:?}"
    );

    let err = plan(root, "app/help.py", 3, "secrets/acme-token").unwrap_err();
    assert!(
        matches!(
            err,
            Refusal::InsideLiteral {
                what: "a triple-quoted string",
                ..
            }
        ),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains(r#"exclude = ["/app/help.py"]"#)
            && message.contains(r#"disable = ["secrets/acme-token"]"#),
        "{message}"
    );
    let err = plan(
        root,
        ".github/workflows/deploy.yml",
        8,
        "secrets/acme-token",
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Refusal::InsideLiteral {
                what: "a YAML block scalar",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("app/help.py")).unwrap(),
        python
    );

    // Above the string's opening line, a comment is a comment.
    write(
        &root.join("app/key.py"),
        format!("KEY = \"\"\"{TOKEN}\n\"\"\"\n"),
    );
    let planned = plan(root, "app/key.py", 1, "secrets/acme-token").unwrap();
    suppress::apply(&planned).unwrap();
    assert!(
        !findings(root, "secrets/acme-token")
            .iter()
            .any(|(p, _)| p == "app/key.py")
    );
}

#[test]
fn suppressions_use_the_files_own_comment_syntax_or_offer_the_config() {
    let dir = project();
    let root = dir.path();
    write(
        &root.join("src/Program.cs"),
        format!("class P {{\n    string k = \"{TOKEN}\";\n}}\n"),
    );
    let planned = plan(root, "src/Program.cs", 2, "secrets/acme-token").unwrap();
    assert_eq!(
        planned.comment,
        "    // seccoach:ignore secrets/acme-token -- test data only"
    );
    suppress::apply(&planned).unwrap();
    assert!(
        !findings(root, "secrets/acme-token")
            .iter()
            .any(|(p, _)| p == "src/Program.cs")
    );

    // SQL comments (`--`) are not read back: no comment, and the config entry it offers works.
    write(
        &root.join("db/seed.sql"),
        format!("INSERT INTO keys VALUES ('{TOKEN}');\n"),
    );
    let err = plan(root, "db/seed.sql", 1, "secrets/acme-token").unwrap_err();
    assert!(matches!(err, Refusal::NoCommentSyntax { .. }), "{err}");
    let message = err.to_string();
    let entry = message
        .split('`')
        .find(|part| part.starts_with("exclude = "))
        .unwrap_or_else(|| panic!("{message}"));
    write(&root.join(".seccoach.toml"), format!("{entry}\n"));
    assert!(
        !findings(root, "secrets/acme-token")
            .iter()
            .any(|(p, _)| p == "db/seed.sql")
    );
    assert!(
        findings(root, "secrets/acme-token")
            .iter()
            .any(|(p, _)| p == "app/settings.py")
    );
}

#[test]
fn suppressions_are_written_as_fixes_are_never_through_links_or_read_only_files() {
    let dir = project();
    let root = dir.path();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("shared.py");
    write(&target, format!("ACME = \"{TOKEN}\"\n"));
    symlink(&target, root.join("app/linked.py")).unwrap();
    let err = plan(root, "app/linked.py", 1, "secrets/acme-token").unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    symlink(outside.path(), root.join("vendor")).unwrap();
    let err = plan(root, "vendor/shared.py", 1, "secrets/acme-token").unwrap_err();
    assert!(
        err.to_string().contains("outside the scanned folder"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        format!("ACME = \"{TOKEN}\"\n")
    );

    let settings = root.join("app/settings.py");
    set_mode(&settings, 0o444);
    let err = plan(root, "app/settings.py", 1, "secrets/acme-token").unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    // Made read-only between the confirmation and the write: still refused.
    set_mode(&settings, 0o644);
    let planned = plan(root, "app/settings.py", 1, "secrets/acme-token").unwrap();
    set_mode(&settings, 0o444);
    let err = suppress::apply(&planned).unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&settings).unwrap(),
        format!("ACME = \"{TOKEN}\"\n")
    );
}

// --- 4. Classic Mac line endings --------------------------------------------------------------

#[test]
fn lone_carriage_returns_are_line_breaks_for_positions_and_fixes() {
    let dir = project();
    let root = dir.path();
    write(
        &root.join("app/mac.py"),
        format!("import os\rDEBUG = False\rACME = \"{TOKEN}\"\r"),
    );
    let found = findings(root, "secrets/acme-token");
    assert!(found.contains(&("app/mac.py".into(), 3)), "{found:?}");

    let client = root.join("app/client.py");
    write(&client, CLIENT_PY.replace('\n', "\r"));
    let (code, stdout, stderr) = run(
        &["fix", ".", "--apply", "--rule", "code/tls-verify-disabled"],
        root,
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let fixed = std::fs::read_to_string(&client).unwrap();
    assert_eq!(
        fixed,
        CLIENT_PY
            .replace('\n', "\r")
            .replace("verify=False", "verify=True")
    );

    // A suppression in such a file keeps its convention too.
    let planned = plan(root, "app/mac.py", 3, "secrets/acme-token").unwrap();
    suppress::apply(&planned).unwrap();
    let text = std::fs::read_to_string(root.join("app/mac.py")).unwrap();
    assert!(!text.contains('\n'), "{text:?}");
    assert!(
        text.contains("\r# seccoach:ignore secrets/acme-token -- test data only\rACME"),
        "{text:?}"
    );
    assert!(
        !findings(root, "secrets/acme-token")
            .iter()
            .any(|(p, _)| p == "app/mac.py")
    );
}

// --- 5. lab start -----------------------------------------------------------------------------

#[test]
fn lab_start_into_a_dangling_link_names_it_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("my-lab");
    symlink("missing/folder", &link).unwrap();
    let (code, _, stderr) = run(&["lab", "start", "secrets-to-env", "my-lab"], dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("my-lab is a link to missing/folder, which does not exist"),
        "{stderr}"
    );
    assert!(
        leftovers(dir.path(), ".seccoach-lab-").is_empty(),
        "a staging copy was left behind"
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // A link to an empty folder fills that folder.
    std::fs::create_dir(dir.path().join("real")).unwrap();
    symlink("real", dir.path().join("to-real")).unwrap();
    let (code, _, stderr) = run(&["lab", "start", "secrets-to-env", "to-real"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        std::fs::read_dir(dir.path().join("real"))
            .unwrap()
            .next()
            .is_some()
    );
    assert!(leftovers(dir.path(), ".seccoach-lab-").is_empty());

    // A file where the folder should go is named in the error.
    write(&dir.path().join("taken"), "x");
    let (code, _, stderr) = run(&["lab", "start", "secrets-to-env", "taken"], dir.path());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("taken exists and is not a folder"),
        "{stderr}"
    );
}

// --- 6. Malformed suppressions ----------------------------------------------------------------

#[test]
fn malformed_suppressions_are_reported_and_suppress_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("app/run.py"),
        "# seccoach:ignore * -- everything here is trusted\na = eval(x)\n\
         # seccoach:ignore code/* -- all code rules\nb = eval(y)\n\
         # seccoach:ignore\nc = eval(z)\n",
    );
    let (_, stdout, stderr) = run(&["scan", ".", "--format", "json"], root);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let of = |rule: &str| -> Vec<u64> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| f["line"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(of("repo/invalid-suppression"), [1, 3, 5], "{stdout}");
    assert_eq!(of("code/eval"), [2, 4, 6], "{stdout}");
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "repo/invalid-suppression")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(messages[1].contains("code/*"), "{messages:?}");
}

// --- 7. Same rules, same errors ---------------------------------------------------------------

#[test]
fn linked_rule_packs_are_read_inside_the_repository_and_refused_outside() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("shared/security/team.toml"), TEAM_PACK);
    std::fs::create_dir_all(root.join(".seccoach/checks")).unwrap();
    symlink(
        "../../shared/security/team.toml",
        root.join(".seccoach/checks/team.toml"),
    )
    .unwrap();
    write(
        &root.join("app/settings.py"),
        format!("ACME = \"{TOKEN}\"\n"),
    );
    let (code, stdout, stderr) = run(&["scan", ".", "--format", "json"], root);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.contains("secrets/acme-token"),
        "the linked pack was skipped: {stdout}"
    );

    let outside = tempfile::tempdir().unwrap();
    write(
        &outside.path().join("other.toml"),
        TEAM_PACK.replace("acme-token", "acme-other"),
    );
    symlink(
        outside.path().join("other.toml"),
        root.join(".seccoach/checks/other.toml"),
    )
    .unwrap();
    let (code, _, stderr) = run(&["scan", "."], root);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(".seccoach/checks/other.toml")
            && stderr.contains("leads outside the repository"),
        "{stderr}"
    );
    std::fs::remove_file(root.join(".seccoach/checks/other.toml")).unwrap();
    symlink("nowhere.toml", root.join(".seccoach/checks/gone.toml")).unwrap();
    let (code, _, stderr) = run(&["scan", "."], root);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("gone.toml: is a link that cannot be followed"),
        "{stderr}"
    );
}

#[test]
fn a_bad_exclude_pattern_is_an_error_on_the_command_line_as_in_the_config() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("a.py"), "x = 1\n");
    let (code, _, stderr) = run(&["scan", ".", "--exclude", "["], dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bad exclude pattern `[`"), "{stderr}");
    write(&dir.path().join(".seccoach.toml"), "exclude = [\"[\"]\n");
    let (code, _, stderr) = run(&["scan", "."], dir.path());
    assert_eq!(code, 2);
    assert!(
        stderr.contains(".seccoach.toml:1: bad exclude pattern `[`"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["scan", ".", "--exclude", "vendor/**"], dir.path());
    assert_eq!(code, 2, "the config's error still stands: {stderr}");
}

/// `fix --apply` racing an editor that saves the file: whichever comes first, the editor's
/// bytes are never lost. The editor writes in place (open, truncate, write) or saves through a
/// rename, as editors do; each trial starts the editor at a different moment of the apply.
#[test]
fn a_fix_never_loses_a_write_made_while_it_applies() {
    let catalog = std::sync::Arc::new(seccoach::catalog::Catalog::embedded().unwrap());
    let scanner = Scanner::new(catalog, ScanOptions::default());
    let dir = project();
    let file = dir.path().join("client.py");
    let mine = "import requests\n\n\ndef fetch(url):\n    return requests.get(url, timeout=5)\n";
    let (mut applied, mut refused) = (0, 0);
    for trial in 0..300u32 {
        write(&file, CLIENT_PY);
        let report = scanner.scan(dir.path()).unwrap();
        let (fixes, errors) = seccoach::fix::propose(&scanner, dir.path(), &report.findings, &[]);
        assert!(errors.is_empty(), "{errors:?}");
        let [proposed] = fixes.as_slice() else {
            panic!("one fix expected: {fixes:?}")
        };
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let editor = {
            let (barrier, file) = (barrier.clone(), file.clone());
            std::thread::spawn(move || {
                barrier.wait();
                // Spread the editor's start over the apply's steps.
                std::thread::sleep(std::time::Duration::from_micros(u64::from(trial % 60) * 15));
                if trial % 2 == 0 {
                    std::fs::write(&file, mine).unwrap();
                } else {
                    let temp = file.with_extension("py.swp");
                    std::fs::write(&temp, mine).unwrap();
                    std::fs::rename(&temp, &file).unwrap();
                }
            })
        };
        barrier.wait();
        let result = seccoach::fix::apply(dir.path(), proposed);
        editor.join().unwrap();
        match result {
            Ok(()) => applied += 1,
            Err(_) => refused += 1,
        }
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            mine,
            "trial {trial}: the editor's write was lost ({result:?})"
        );
        assert_eq!(leftovers(dir.path(), ".seccoach-"), Vec::<String>::new());
    }
    eprintln!("{applied} applied before the editor's save, {refused} refused after it");
}

/// Names that are not UTF-8, and a name that spells such a name's escape with a real
/// backslash: each is scanned, reported under its own escaped name with its own fingerprint,
/// and fixed and suppressed in itself, never in one of the others.
#[test]
fn non_utf8_names_are_reported_apart_and_fixed_in_the_file_they_name() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let names: [&[u8]; 3] = [b"a\xff.py", b"a\xfe.py", b"a\\xff.py"];
    let shown = ["a\\\\xff.py", "a\\xfe.py", "a\\xff.py"];
    let file = |name: &[u8]| dir.path().join(std::ffi::OsStr::from_bytes(name));
    for (i, name) in names.iter().enumerate() {
        write(
            &file(name),
            format!("import requests\n\n# file {i}\nr = requests.get(URL, verify=False)\n"),
        );
    }
    let catalog = std::sync::Arc::new(seccoach::catalog::Catalog::embedded().unwrap());
    let scanner = Scanner::new(catalog, ScanOptions::default());
    let report = scanner.scan(dir.path()).unwrap();
    let tls: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "code/tls-verify-disabled")
        .collect();
    let mut paths: Vec<&str> = tls.iter().map(|f| f.path.as_str()).collect();
    paths.sort();
    assert_eq!(paths, shown, "{tls:?}");
    let mut fingerprints: Vec<&str> = tls.iter().map(|f| f.fingerprint.as_str()).collect();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), 3);

    // A suppression of the second file lands in it, and only in it.
    let target = tls.iter().find(|f| f.path == "a\\\\xff.py").unwrap();
    let stamp = FileStamp::read(&file(names[2])).unwrap();
    let plan = suppress::plan(
        dir.path(),
        &target.path,
        target.line,
        "code/tls-verify-disabled",
        "test server",
        Some(&stamp),
    )
    .unwrap();
    suppress::apply(&plan).unwrap();
    assert!(
        std::fs::read_to_string(file(names[2]))
            .unwrap()
            .contains("seccoach:ignore")
    );

    // The fixes of the two others each change their own file.
    let report = scanner.scan(dir.path()).unwrap();
    let (fixes, errors) = seccoach::fix::propose(&scanner, dir.path(), &report.findings, &[]);
    assert!(errors.is_empty(), "{errors:?}");
    let mut fixed: Vec<&str> = fixes.iter().map(|f| f.path.as_str()).collect();
    fixed.sort();
    assert_eq!(fixed, ["a\\xfe.py", "a\\xff.py"]);
    for fix in &fixes {
        seccoach::fix::apply(dir.path(), fix).unwrap();
    }
    for (i, name) in names.iter().enumerate() {
        let text = std::fs::read_to_string(file(name)).unwrap();
        assert!(text.contains(&format!("# file {i}\n")), "{text}");
        assert_eq!(text.contains("verify=True"), i < 2, "{i}: {text}");
    }
    // Nothing else was created.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
}
