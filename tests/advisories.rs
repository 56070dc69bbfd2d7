//! `seccoach scan --advisories PATH`: the OSV database is read from a directory, a zip or a
//! single record; findings name the advisory and the fixed version at the lockfile line; a bad
//! database is an error (exit 2) naming the file; without a database the scan says once that
//! `deps/known-vulnerable` did not run.
//!
//! `seccoach advisories update` against a local HTTP server on 127.0.0.1 (never the internet):
//! it downloads, a scan uses the download, a second update is a no-op by ETag, and a failed
//! update leaves the previous database in place.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use support::copy_tree;

mod support;

fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn fixture() -> PathBuf {
    repo_path("tests/fixtures/checks/deps/known-vulnerable/positive")
}

fn seccoach() -> Command {
    let mut cmd = Command::cargo_bin("seccoach").expect("binary builds");
    // No database from `advisories update` on this machine takes part unless a test says so.
    let no_cache = std::env::temp_dir().join(format!("seccoach-no-cache-{}", std::process::id()));
    cmd.env("NO_COLOR", "1")
        .env_remove("CI")
        .env("SECCOACH_CACHE", no_cache);
    for proxy in PROXY_VARS {
        cmd.env_remove(proxy);
    }
    cmd
}

/// Proxy settings the HTTP client honours; removed so that requests to the test server on
/// 127.0.0.1 go straight to it.
const PROXY_VARS: [&str; 8] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// Runs a JSON scan and returns (exit code, report).
fn scan_json(args: &[&str]) -> (i32, Value) {
    let output = seccoach()
        .arg("scan")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), report)
}

/// (path, line, message) of every deps/known-vulnerable finding.
fn vulnerable(report: &Value) -> Vec<(String, u64, String)> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "deps/known-vulnerable")
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// (path, line) of every deps/known-vulnerable finding.
fn vulnerable_lines(report: &Value) -> Vec<(String, u64)> {
    vulnerable(report)
        .into_iter()
        .map(|(p, l, _)| (p, l))
        .collect()
}

fn owned(lines: Vec<(&str, u64)>) -> Vec<(String, u64)> {
    lines.into_iter().map(|(p, l)| (p.to_owned(), l)).collect()
}

fn expected_lines() -> Vec<(&'static str, u64)> {
    vec![
        ("api/poetry.lock", 4),
        ("api/requirements.txt", 2),
        ("gateway/go.mod", 6),
        ("svc/Cargo.lock", 13),
        ("web/package-lock.json", 12),
        ("web/package-lock.json", 20),
        ("web/yarn.lock", 5),
    ]
}

#[test]
fn sample_database_directory_finds_every_vulnerable_lockfile_entry() {
    let db = repo_path("assets/advisories");
    let fixture = fixture();
    let (code, report) = scan_json(&[
        fixture.to_str().unwrap(),
        "--advisories",
        db.to_str().unwrap(),
    ]);
    // High findings fail the default threshold.
    assert_eq!(code, 1, "{report}");
    let found = vulnerable(&report);
    let lines: Vec<(&str, u64)> = found.iter().map(|(p, l, _)| (p.as_str(), *l)).collect();
    assert_eq!(lines, expected_lines());
    let lodash = &found[4].2;
    assert!(
        lodash.contains("lodash 4.17.20")
            && lodash.contains("GHSA-35jh-r3h4-6jhm")
            && lodash.contains("CVE-2021-23337")
            && lodash.contains("Command Injection in lodash")
            && lodash.contains("fixed in 4.17.21"),
        "{lodash}"
    );
    assert!(found[0].2.contains("pyyaml 5.4b2") && found[0].2.contains("fixed in 5.4"));
    assert!(report["notes"].as_array().is_none_or(|n| {
        n.iter()
            .all(|n| !n.as_str().unwrap_or("").contains("did not run"))
    }));
}

#[test]
fn a_zip_export_and_a_single_record_work_too() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("all.zip");
    {
        let file = std::fs::File::create(&zip_path).unwrap();
        let mut writer = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for entry in std::fs::read_dir(repo_path("assets/advisories")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                writer.start_file(name, options).unwrap();
                writer.write_all(&std::fs::read(&path).unwrap()).unwrap();
            }
        }
        writer.finish().unwrap();
    }
    let fixture = fixture();
    let (_, report) = scan_json(&[
        fixture.to_str().unwrap(),
        "--advisories",
        zip_path.to_str().unwrap(),
    ]);
    let lines = vulnerable_lines(&report);
    assert_eq!(lines, owned(expected_lines()));

    let single = repo_path("assets/advisories/GO-2020-0001.json");
    let (_, report) = scan_json(&[
        fixture.to_str().unwrap(),
        "--advisories",
        single.to_str().unwrap(),
    ]);
    let found = vulnerable(&report);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].0.as_str(), found[0].1), ("gateway/go.mod", 6));
}

#[test]
fn without_a_database_the_rule_is_skipped_with_one_note() {
    let fixture = fixture();
    let (code, report) = scan_json(&[fixture.to_str().unwrap()]);
    assert_eq!(code, 0, "{report}");
    assert!(vulnerable(&report).is_empty());
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|n| n.contains("deps/known-vulnerable did not run"))
        .collect();
    assert_eq!(notes.len(), 1, "{report}");
    assert!(
        notes[0].contains("seccoach advisories update") && notes[0].contains("--advisories"),
        "{notes:?}"
    );

    // A tree without lockfiles has nothing to say about advisories.
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("app.py"), "print('hi')\n").unwrap();
    let (_, report) = scan_json(&[empty.path().to_str().unwrap()]);
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| !n.as_str().unwrap_or("").contains("known-vulnerable"))
    );
}

#[test]
fn the_database_can_be_named_in_the_repository_config() {
    // A copy of the fixture that names the sample database in its .seccoach.toml, relative to
    // the repository root.
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(), dir.path());
    copy_tree(&repo_path("assets/advisories"), &dir.path().join("osv"));
    std::fs::write(dir.path().join(".seccoach.toml"), "advisories = \"osv\"\n").unwrap();
    let (code, report) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{report}");
    let lines = vulnerable_lines(&report);
    assert_eq!(lines, owned(expected_lines()));

    // --advisories wins over the config: with only the Go record, only go.mod is reported.
    let single = repo_path("assets/advisories/GO-2020-0001.json");
    let (_, report) = scan_json(&[
        dir.path().to_str().unwrap(),
        "--advisories",
        single.to_str().unwrap(),
    ]);
    let lines = vulnerable_lines(&report);
    assert_eq!(lines, vec![("gateway/go.mod".to_owned(), 6)], "{report}");
}

#[test]
fn a_bad_database_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("GHSA-bad.json");
    std::fs::write(&bad, "{ not json").unwrap();
    let fixture = fixture();
    for db in [bad.clone(), dir.path().join("missing.zip")] {
        let output = seccoach()
            .arg("scan")
            .arg(&fixture)
            .arg("--advisories")
            .arg(&db)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        let name = db.file_name().unwrap().to_string_lossy().into_owned();
        assert!(stderr.contains(&name), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn a_rescan_reuses_the_loaded_database_until_its_file_changes() {
    use seccoach::catalog::Catalog;
    use seccoach::scan::{ScanOptions, Scanner};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("GO-2020-0001.json");
    std::fs::copy(repo_path("assets/advisories/GO-2020-0001.json"), &db).unwrap();
    let catalog = Arc::new(Catalog::embedded().unwrap());
    let options = ScanOptions {
        advisories: Some(db.clone()),
        ..ScanOptions::default()
    };
    let first = Scanner::new(Arc::clone(&catalog), options.clone());
    let loaded = Arc::clone(first.advisory_db().expect("loads"));
    let second = Scanner::reusing(Arc::clone(&catalog), options.clone(), Some(&first));
    assert!(
        Arc::ptr_eq(&loaded, second.advisory_db().unwrap()),
        "an unchanged database is not read again"
    );
    // Rewritten (a refresh): read again.
    let file = std::fs::File::options().write(true).open(&db).unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    let third = Scanner::reusing(Arc::clone(&catalog), options, Some(&second));
    assert!(!Arc::ptr_eq(&loaded, third.advisory_db().unwrap()));
}

/// The sample records of `assets/advisories`, one per ecosystem, as OSV's directory names it.
const SAMPLE_BY_ECOSYSTEM: [(&str, &str); 4] = [
    ("npm", "GHSA-35jh-r3h4-6jhm.json"),
    ("PyPI", "PYSEC-2021-142.json"),
    ("crates.io", "RUSTSEC-2019-0009.json"),
    ("Go", "GO-2020-0001.json"),
];

/// A zip holding these files of `assets/advisories`.
fn zip_of(records: &[&str]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for name in records {
        writer.start_file(*name, options).unwrap();
        let path = repo_path(&format!("assets/advisories/{name}"));
        writer.write_all(&std::fs::read(path).unwrap()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// What the test server answers: status, ETag and body, per path.
#[derive(Clone)]
struct Canned {
    status: u16,
    etag: &'static str,
    body: Vec<u8>,
}

/// A request as the server saw it: path and `If-None-Match`.
type Seen = (String, Option<String>);

/// An HTTP/1.1 server on 127.0.0.1 answering from a table that the test may change between
/// commands; a matching `If-None-Match` gets 304. It runs until the test process ends.
struct Server {
    url: String,
    routes: Arc<Mutex<BTreeMap<String, Canned>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<Mutex<BTreeMap<String, Canned>>> = Arc::default();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (r, s) = (Arc::clone(&routes), Arc::clone(&seen));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let _ = serve(stream, &r, &s);
            }
        });
        Server { url, routes, seen }
    }

    fn route(&self, path: &str, status: u16, etag: &'static str, body: Vec<u8>) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), Canned { status, etag, body });
    }

    fn take_seen(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

fn serve(
    stream: TcpStream,
    routes: &Mutex<BTreeMap<String, Canned>>,
    seen: &Mutex<Vec<Seen>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    let mut if_none_match = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(value.trim().to_owned());
        }
    }
    seen.lock()
        .unwrap()
        .push((path.clone(), if_none_match.clone()));
    let canned = routes.lock().unwrap().get(&path).cloned();
    let (status, etag, body) = match canned {
        Some(c) if c.status == 200 && if_none_match.as_deref() == Some(c.etag) => {
            (304, c.etag, Vec::new())
        }
        Some(c) => (c.status, c.etag, c.body),
        None => (404, "", b"not found".to_vec()),
    };
    let mut stream = stream;
    let mut head = format!(
        "HTTP/1.1 {status} Canned\r\nConnection: close\r\nContent-Type: application/zip\r\n"
    );
    if !etag.is_empty() {
        head.push_str(&format!("ETag: {etag}\r\n"));
    }
    if status != 304 {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    stream.flush()
}

/// `seccoach advisories update ARGS` with this cache and server; (exit code, stdout, stderr).
fn update(cache: &Path, url: &str, args: &[&str]) -> (i32, String, String) {
    let output = seccoach()
        .env("SECCOACH_CACHE", cache)
        .env("SECCOACH_OSV_URL", url)
        .args(["advisories", "update"])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A JSON scan of the fixture using the database in `cache`.
fn scan_with_cache(cache: &Path, extra: &[&str]) -> (i32, Value) {
    let output = seccoach()
        .env("SECCOACH_CACHE", cache)
        .arg("scan")
        .arg(fixture())
        .args(extra)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), report)
}

fn notes(report: &Value) -> Vec<String> {
    report["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect()
}

fn cached_zip(cache: &Path, ecosystem: &str) -> PathBuf {
    cache.join("osv").join(ecosystem).join("all.zip")
}

fn serve_sample(server: &Server) {
    for (ecosystem, record) in SAMPLE_BY_ECOSYSTEM {
        server.route(
            &format!("/{ecosystem}/all.zip"),
            200,
            "\"v1\"",
            zip_of(&[record]),
        );
    }
}

#[test]
fn update_downloads_the_projects_ecosystems_and_the_scan_uses_them() {
    let server = Server::start();
    serve_sample(&server);
    let cache = tempfile::tempdir().unwrap();
    let fixture = fixture();

    let (code, stdout, stderr) = update(cache.path(), &server.url, &[fixture.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    // The four ecosystems of the fixture's manifests and lockfiles, each once.
    let mut paths: Vec<String> = server.take_seen().into_iter().map(|(p, _)| p).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/Go/all.zip",
            "/PyPI/all.zip",
            "/crates.io/all.zip",
            "/npm/all.zip"
        ]
    );
    for (ecosystem, _) in SAMPLE_BY_ECOSYSTEM {
        assert!(
            stdout.contains(&format!("{ecosystem}: downloaded 1 advisories")),
            "{stdout}"
        );
        assert!(cached_zip(cache.path(), ecosystem).is_file());
    }

    // The scan finds every vulnerable pinned package from the download, and says so.
    let (code, report) = scan_with_cache(cache.path(), &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(vulnerable_lines(&report), owned(expected_lines()));
    let found = vulnerable(&report);
    let lodash = &found[4].2;
    assert!(
        lodash.contains("GHSA-35jh-r3h4-6jhm")
            && lodash.contains("CVE-2021-23337")
            && lodash.contains("fixed in 4.17.21"),
        "{lodash}"
    );
    // The copy nested under report-builder says how it gets in.
    assert!(
        found[5]
            .2
            .contains("lodash 4.17.15 (via report-builder): GHSA-35jh-r3h4-6jhm"),
        "{}",
        found[5].2
    );
    let notes = notes(&report);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("used the OSV advisory database")
                && n.contains("npm (today)")
                && n.contains("Go (today)")),
        "{notes:?}"
    );
    assert!(
        !notes.iter().any(|n| n.contains("did not run")),
        "{notes:?}"
    );

    // scan --watch reads it too: its first report (one JSON line) has the same findings.
    let mut watch = std::process::Command::new(assert_cmd::cargo::cargo_bin("seccoach"))
        .env("SECCOACH_CACHE", cache.path())
        .env("NO_COLOR", "1")
        .args(["scan", "--watch", "--format", "json"])
        .arg(&fixture)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(watch.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    watch.kill().unwrap();
    watch.wait().unwrap();
    let watched: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(vulnerable_lines(&watched), owned(expected_lines()));

    // --advisories wins over the download.
    let single = repo_path("assets/advisories/GO-2020-0001.json");
    let (_, report) = scan_with_cache(cache.path(), &["--advisories", single.to_str().unwrap()]);
    assert_eq!(
        vulnerable_lines(&report),
        vec![("gateway/go.mod".to_owned(), 6)]
    );

    // A second update sends the ETag and downloads nothing.
    let before = std::fs::read(cached_zip(cache.path(), "npm")).unwrap();
    let (code, stdout, stderr) = update(cache.path(), &server.url, &[fixture.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let seen = server.take_seen();
    assert_eq!(seen.len(), 4);
    assert!(
        seen.iter()
            .all(|(_, etag)| etag.as_deref() == Some("\"v1\"")),
        "{seen:?}"
    );
    assert_eq!(stdout.matches("already current").count(), 4, "{stdout}");
    assert_eq!(
        std::fs::read(cached_zip(cache.path(), "npm")).unwrap(),
        before
    );

    // A database last refreshed long ago is still used, with a note saying how to refresh it.
    let state = cache.path().join("osv/npm/state.json");
    let text = std::fs::read_to_string(&state).unwrap();
    let mut parsed: Value = serde_json::from_str(&text).unwrap();
    parsed["checked"] = Value::from("2020-01-01T00:00:00Z");
    std::fs::write(&state, parsed.to_string()).unwrap();
    let (_, report) = scan_with_cache(cache.path(), &[]);
    assert_eq!(vulnerable_lines(&report), owned(expected_lines()));
    let notes = self::notes(&report);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("more than 7 days old for npm")
                && n.contains("seccoach advisories update")),
        "{notes:?}"
    );
}

#[test]
fn a_failed_update_leaves_the_previous_database_in_place() {
    let server = Server::start();
    serve_sample(&server);
    let cache = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = update(cache.path(), &server.url, &["--ecosystem", "go"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let zip = cached_zip(cache.path(), "Go");
    let good = std::fs::read(&zip).unwrap();
    let state = std::fs::read(zip.with_file_name("state.json")).unwrap();

    let failures: [(u16, Vec<u8>, &str); 3] = [
        (500, b"oops".to_vec(), "HTTP 500"),
        (
            200,
            b"<html>captive portal</html>".to_vec(),
            "did not send a zip",
        ),
        // A zip, but of something else.
        (
            200,
            {
                let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
                w.start_file("README.txt", zip::write::SimpleFileOptions::default())
                    .unwrap();
                w.write_all(b"hello").unwrap();
                w.finish().unwrap().into_inner()
            },
            "no OSV records",
        ),
    ];
    for (status, body, expected) in failures {
        server.route("/Go/all.zip", status, "\"v2\"", body);
        let (code, stdout, stderr) = update(cache.path(), &server.url, &["--ecosystem", "Go"]);
        assert_eq!(code, 2, "{stdout}\n{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(
            stderr.contains("/Go/all.zip"),
            "the error names the URL: {stderr}"
        );
        assert_eq!(std::fs::read(&zip).unwrap(), good);
        assert_eq!(
            std::fs::read(zip.with_file_name("state.json")).unwrap(),
            state
        );
        let leftovers: Vec<_> = std::fs::read_dir(zip.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers.len(),
            2,
            "no temporary file is left: {leftovers:?}"
        );
        // The old database still works.
        let (_, report) = scan_with_cache(cache.path(), &[]);
        assert!(
            vulnerable_lines(&report).contains(&("gateway/go.mod".to_owned(), 6)),
            "{report}"
        );
    }

    // Nothing listening: the network is unreachable.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let (code, _, stderr) = update(cache.path(), &url, &["--ecosystem", "Go"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot reach"), "{stderr}");
    assert_eq!(std::fs::read(&zip).unwrap(), good);

    // A cached copy damaged by hand does not stop the scan: a note says to download it again.
    std::fs::write(&zip, b"PK damaged").unwrap();
    let (code, report) = scan_with_cache(cache.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert!(vulnerable(&report).is_empty());
    assert!(
        notes(&report).iter().any(|n| n.contains("did not run")
            && n.contains("all.zip")
            && n.contains("download it again")),
        "{report}"
    );
}

#[test]
fn update_without_anything_to_download_and_unknown_ecosystems() {
    let server = Server::start();
    let cache = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("app.py"), "print('hi')\n").unwrap();
    let (code, stdout, _) = update(cache.path(), &server.url, &[empty.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(stdout.contains("nothing to download"), "{stdout}");
    assert!(server.take_seen().is_empty());

    let (code, _, stderr) = update(cache.path(), &server.url, &["--ecosystem", "COBOL"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("not an ecosystem") && stderr.contains("NuGet"),
        "{stderr}"
    );

    let help = seccoach()
        .args(["advisories", "update", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("Uses the network") && help.contains("`scan` and the coach never do"),
        "{help}"
    );
}

/// A zip of OSV records given as (file name, JSON text).
fn zip_of_texts(records: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in records {
        writer.start_file(*name, options).unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// An OSV record affecting one package from `introduced` up to `fixed`.
fn record(
    id: &str,
    cve: &str,
    ecosystem: &str,
    name: &str,
    introduced: &str,
    fixed: &str,
) -> String {
    format!(
        r#"{{"id": "{id}", "aliases": ["{cve}"], "summary": "Test advisory for {name}",
  "affected": [{{"package": {{"ecosystem": "{ecosystem}", "name": "{name}"}},
    "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "{introduced}"}}, {{"fixed": "{fixed}"}}]}}]}}]}}"#
    )
}

const GEMFILE_LOCK: &str = "GEM\n  remote: https://rubygems.org/\n  specs:\n    actionpack (6.1.7)\n      rack (~> 2.0, >= 2.0.9)\n    rack (2.2.3)\n    nokogiri (1.13.10-x86_64-linux)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  actionpack (~> 6.1)\n  nokogiri\n\nBUNDLED WITH\n   2.3.26\n";

const COMPOSER_LOCK: &str = r#"{
    "content-hash": "0f1e",
    "packages": [
        {"name": "guzzlehttp/psr7", "version": "1.8.1"},
        {"name": "monolog/monolog", "version": "2.9.1"}
    ],
    "packages-dev": []
}
"#;

const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>shop</artifactId>
  <version>1.0.0</version>
  <properties>
    <log4j.version>2.14.1</log4j.version>
  </properties>
  <dependencies>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-api</artifactId>
      <version>2.14.1</version>
    </dependency>
  </dependencies>
</project>
"#;

const GRADLE_LOCKFILE: &str = "# This is a Gradle generated file for dependency locking.\norg.apache.logging.log4j:log4j-core:2.0-beta8=runtimeClasspath\norg.apache.logging.log4j:log4j-core:2.0-rc1=testRuntimeClasspath\norg.apache.logging.log4j:log4j-core:2.15.0=compileClasspath\nempty=annotationProcessor\n";

const PACKAGES_LOCK: &str = r#"{
  "version": 1,
  "dependencies": {
    "net8.0": {
      "Swashbuckle.AspNetCore": {
        "type": "Direct",
        "requested": "[6.5.0, )",
        "resolved": "6.5.0",
        "dependencies": { "Newtonsoft.Json": "12.0.1" }
      },
      "Newtonsoft.Json": { "type": "Transitive", "resolved": "12.0.1" }
    }
  }
}
"#;

const CSPROJ: &str = r#"<Project Sdk="Microsoft.NET.Sdk.Web">
  <ItemGroup>
    <PackageReference Include="newtonsoft.json" Version="13.0.1" />
    <PackageReference Include="Swashbuckle.AspNetCore" Version="6.5.0" />
  </ItemGroup>
</Project>
"#;

#[test]
fn maven_rubygems_packagist_and_nuget_end_to_end() {
    let project = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = project.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("rails/Gemfile.lock", GEMFILE_LOCK);
    write("laravel/composer.lock", COMPOSER_LOCK);
    write("java/pom.xml", POM);
    write("java/gradle.lockfile", GRADLE_LOCKFILE);
    write("dotnet/Api/packages.lock.json", PACKAGES_LOCK);
    write("dotnet/Api/Api.csproj", CSPROJ);
    // Installed copies are not the project's.
    write(
        "laravel/vendor/composer/installed/composer.lock",
        COMPOSER_LOCK,
    );

    let server = Server::start();
    let zips = [
        (
            "Maven",
            record(
                "GHSA-jfh8-c2jp-5v3q",
                "CVE-2021-44228",
                "Maven",
                "org.apache.logging.log4j:log4j-core",
                "2.0-beta9",
                "2.15.0",
            ),
        ),
        (
            "RubyGems",
            record(
                "TEST-RACK-1",
                "CVE-2022-30123",
                "RubyGems",
                "rack",
                "2.2.0",
                "2.2.3.1",
            ),
        ),
        (
            "Packagist",
            record(
                "TEST-PSR7-1",
                "CVE-2022-24775",
                "Packagist",
                "guzzlehttp/psr7",
                "0",
                "1.8.4",
            ),
        ),
        (
            "NuGet",
            record(
                "GHSA-5crp-9r3c-p9vr",
                "CVE-2024-21907",
                "NuGet",
                "Newtonsoft.Json",
                "0",
                "13.0.1",
            ),
        ),
    ];
    for (ecosystem, text) in &zips {
        server.route(
            &format!("/{ecosystem}/all.zip"),
            200,
            "\"e1\"",
            zip_of_texts(&[("record.json", text.as_str())]),
        );
    }
    let cache = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = update(
        cache.path(),
        &server.url,
        &[project.path().to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let mut paths: Vec<String> = server.take_seen().into_iter().map(|(p, _)| p).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/Maven/all.zip",
            "/NuGet/all.zip",
            "/Packagist/all.zip",
            "/RubyGems/all.zip"
        ]
    );

    let output = seccoach()
        .env("SECCOACH_CACHE", cache.path())
        .arg("scan")
        .arg(project.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = vulnerable(&report);
    let lines: Vec<(&str, u64)> = found.iter().map(|(p, l, _)| (p.as_str(), *l)).collect();
    // Not found: nokogiri, monolog and log4j-api have no record; log4j-core 2.0-beta8 comes
    // before the affected range (Maven orders beta8 < beta9 < rc1) and 2.15.0 is the fix; the
    // .csproj pins the fixed Newtonsoft.Json (NuGet ids ignore case); vendor/ is not the
    // project's.
    assert_eq!(
        lines,
        vec![
            ("dotnet/Api/packages.lock.json", 11),
            ("java/gradle.lockfile", 3),
            ("java/pom.xml", 13),
            ("laravel/composer.lock", 4),
            ("rails/Gemfile.lock", 6),
        ],
        "{report}"
    );
    let message = |path: &str| &found.iter().find(|f| f.0 == path).unwrap().2;
    assert!(
        message("dotnet/Api/packages.lock.json").contains(
            "Newtonsoft.Json 12.0.1 (via Swashbuckle.AspNetCore): GHSA-5crp-9r3c-p9vr (CVE-2024-21907)"
        ),
        "{found:?}"
    );
    assert!(
        message("java/pom.xml")
            .contains("org.apache.logging.log4j:log4j-core 2.14.1: GHSA-jfh8-c2jp-5v3q")
    );
    assert!(message("java/pom.xml").contains("fixed in 2.15.0"));
    assert!(message("rails/Gemfile.lock").contains("rack 2.2.3 (via actionpack): TEST-RACK-1"));
    assert!(message("rails/Gemfile.lock").contains("fixed in 2.2.3.1"));
    assert!(message("laravel/composer.lock").contains("guzzlehttp/psr7 1.8.1: TEST-PSR7-1"));
    let notes = notes(&report);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("used the OSV advisory database")
                && n.contains("Maven (today)")
                && n.contains("NuGet (today)")
                && n.contains("Packagist (today)")
                && n.contains("RubyGems (today)")),
        "{notes:?}"
    );

    // A pom whose version comes from a parent's property, and a malformed Gemfile.lock line:
    // each a note naming the file and line, with the rest still checked.
    write(
        "java/pom.xml",
        &POM.replace("${log4j.version}", "${log4j2.version}"),
    );
    write(
        "rails/Gemfile.lock",
        &GEMFILE_LOCK.replace(
            "    nokogiri (1.13.10-x86_64-linux)",
            "    nokogiri 1.13.10",
        ),
    );
    let output = seccoach()
        .env("SECCOACH_CACHE", cache.path())
        .arg("scan")
        .arg(project.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let lines = vulnerable_lines(&report);
    assert!(!lines.iter().any(|(p, _)| p == "java/pom.xml"), "{report}");
    assert!(
        lines.contains(&("rails/Gemfile.lock".to_owned(), 6)),
        "{report}"
    );
    let notes = self::notes(&report);
    assert!(
        notes.iter().any(|n| n.contains("java/pom.xml")
            && n.contains("line 14")
            && n.contains("log4j-core")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("rails/Gemfile.lock") && n.contains("line 7")),
        "{notes:?}"
    );
}

#[test]
fn transitive_paths_in_yarn_pnpm_uv_and_go_mod_end_to_end() {
    let project = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = project.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "web/yarn.lock",
        "__metadata:\n  version: 6\n\n\"web@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"web@workspace:.\"\n  dependencies:\n    report-builder: \"npm:^1.0.0\"\n  languageName: unknown\n  linkType: soft\n\n\"report-builder@npm:^1.0.0\":\n  version: 1.0.0\n  resolution: \"report-builder@npm:1.0.0\"\n  dependencies:\n    lodash: \"npm:^4.17.0\"\n\n\"lodash@npm:^4.17.0\":\n  version: 4.17.15\n  resolution: \"lodash@npm:4.17.15\"\n",
    );
    write(
        "admin/pnpm-lock.yaml",
        "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      chart-kit:\n        specifier: ^2.0.0\n        version: 2.0.0\n      lodash:\n        specifier: ^4.17.21\n        version: 4.17.21\n\npackages:\n\n  chart-kit@2.0.0:\n    resolution: {integrity: sha512-a}\n\n  lodash@4.17.20:\n    resolution: {integrity: sha512-b}\n\n  lodash@4.17.21:\n    resolution: {integrity: sha512-c}\n\nsnapshots:\n\n  chart-kit@2.0.0:\n    dependencies:\n      lodash: 4.17.20\n\n  lodash@4.17.20: {}\n\n  lodash@4.17.21: {}\n",
    );
    write(
        "api/uv.lock",
        "version = 1\n\n[[package]]\nname = \"api\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\ndependencies = [{ name = \"config-loader\" }]\n\n[[package]]\nname = \"config-loader\"\nversion = \"1.2.0\"\nsource = { registry = \"https://pypi.org/simple\" }\ndependencies = [{ name = \"pyyaml\" }]\n\n[[package]]\nname = \"pyyaml\"\nversion = \"5.3.1\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
    );
    write(
        "gateway/go.mod",
        "module example.com/gateway\n\ngo 1.21\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.5.0 // indirect\n)\n",
    );
    let server = Server::start();
    serve_sample(&server);
    let cache = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = update(
        cache.path(),
        &server.url,
        &[project.path().to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let output = seccoach()
        .env("SECCOACH_CACHE", cache.path())
        .arg("scan")
        .arg(project.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = vulnerable(&report);
    let messages: Vec<(&str, u64, &str)> = found
        .iter()
        .map(|(p, l, m)| (p.as_str(), *l, m.as_str()))
        .collect();
    // lodash 4.17.21 (the fix, required directly) is not reported.
    assert_eq!(messages.len(), 4, "{report}");
    assert_eq!((messages[0].0, messages[0].1), ("admin/pnpm-lock.yaml", 19));
    assert!(
        messages[0]
            .2
            .contains("lodash 4.17.20 (via chart-kit): GHSA-35jh-r3h4-6jhm"),
        "{messages:?}"
    );
    assert_eq!((messages[1].0, messages[1].1), ("api/uv.lock", 16));
    assert!(
        messages[1]
            .2
            .contains("pyyaml 5.3.1 (via config-loader): PYSEC-2021-142"),
        "{messages:?}"
    );
    assert_eq!((messages[2].0, messages[2].1), ("gateway/go.mod", 6));
    assert!(
        messages[2].2.contains("github.com/gin-gonic/gin v1.5.0 (indirect: required by another package, which the file does not name)"),
        "{messages:?}"
    );
    assert_eq!((messages[3].0, messages[3].1), ("web/yarn.lock", 18));
    assert!(
        messages[3]
            .2
            .contains("lodash 4.17.15 (via report-builder): GHSA-35jh-r3h4-6jhm"),
        "{messages:?}"
    );
}
