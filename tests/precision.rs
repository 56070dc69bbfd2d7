//! Precision behaviours that the fixture comparison (path and line) cannot see: the severity
//! and message a finding gets from its context. Each test builds a small realistic project.

use seccoach::catalog::{Catalog, Severity};
use seccoach::finding::Finding;
use seccoach::scan::{ScanOptions, Scanner};
use std::path::Path;
use std::sync::Arc;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn scan_with(root: &Path, options: ScanOptions) -> Vec<Finding> {
    let catalog = Arc::new(Catalog::embedded().unwrap());
    Scanner::new(catalog, options).scan(root).unwrap().findings
}

fn scan(root: &Path) -> Vec<Finding> {
    scan_with(root, ScanOptions::default())
}

fn of<'f>(findings: &'f [Finding], rule: &str, path: &str) -> &'f Finding {
    findings
        .iter()
        .find(|f| f.rule.as_str() == rule && f.path == path)
        .unwrap_or_else(|| panic!("no {rule} in {path}: {findings:#?}"))
}

const FLASK_APP: &str = "from flask import Flask\n\napp = Flask(__name__)\n\n\nif __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", port=5000)\n";

/// A Compose examples layout: `flask/app` has its own Dockerfile, `api` is built by the root
/// Compose file's `build: context:`, `tools/devserver.py` runs on a laptop.
#[test]
fn bind_all_interfaces_is_info_in_code_a_container_is_built_from() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "flask/app/app.py", FLASK_APP);
    write(
        root,
        "flask/app/Dockerfile",
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n",
    );
    write(root, "services/api/server.py", FLASK_APP);
    write(
        root,
        "compose.yaml",
        "services:\n  api:\n    build:\n      context: ./services/api\n      dockerfile: ../../docker/api.Dockerfile\n    ports:\n      - \"8000:5000\"\n",
    );
    write(root, "tools/devserver.py", FLASK_APP);
    let rule = "code/bind-all-interfaces";
    let findings = scan(root);
    let flask = of(&findings, rule, "flask/app/app.py");
    assert_eq!(flask.severity, Severity::Info);
    assert!(
        flask
            .message
            .contains("flask/app/Dockerfile builds this code into a container image"),
        "{}",
        flask.message
    );
    let api = of(&findings, rule, "services/api/server.py");
    assert_eq!(api.severity, Severity::Info);
    assert!(
        api.message.contains("compose.yaml builds"),
        "{}",
        api.message
    );
    let tool = of(&findings, rule, "tools/devserver.py");
    assert_eq!(tool.severity, Severity::Low);
    assert!(!tool.message.contains("container"), "{}", tool.message);

    // The repository's own `[severity]` for the rule wins over the container context.
    let options = ScanOptions {
        severity: [(rule.to_owned(), Severity::Medium)].into_iter().collect(),
        ..ScanOptions::default()
    };
    let findings = scan_with(root, options);
    assert_eq!(
        of(&findings, rule, "flask/app/app.py").severity,
        Severity::Medium
    );
}

/// A committed `.env` of plain settings is low; one with a password stays high.
#[test]
fn env_file_committed_follows_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "plex/.env",
        "MEDIA_PATH=/srv/media\nTZ=Europe/Berlin\n",
    );
    write(
        root,
        "wordpress/.env",
        concat!(
            "WORDPRESS_DB_USER=wp\nWORDPRESS_DB_PASSWORD=",
            "Qm7-vT2x-Lp9\n"
        ),
    );
    let findings = scan(root);
    let rule = "repo/env-file-committed";
    assert_eq!(of(&findings, rule, "plex/.env").severity, Severity::Low);
    assert_eq!(
        of(&findings, rule, "wordpress/.env").severity,
        Severity::High
    );
}

const INSECURITY_TS: &str = "import crypto from 'node:crypto'\n\nexport const hash = (data: string) => crypto.createHash('md5').update(data).digest('hex')\n";

/// An MD5 wrapper that the user model calls on the password is the application's password
/// hash: `code/weak-hash` at the wrapper is raised to high and names the caller. Where the
/// wrapper only hashes e-mail addresses (passwords go through bcrypt), it stays low.
#[test]
fn weak_hash_in_a_wrapper_called_on_passwords_is_high() {
    let rule = "code/weak-hash";
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "lib/insecurity.ts", INSECURITY_TS);
    write(
        root,
        "models/user.ts",
        "import * as security from '../lib/insecurity'\n\nexport function setPassword (user: User, clearTextPassword: string) {\n  user.password = security.hash(clearTextPassword)\n}\n",
    );
    write(
        root,
        "routes/dataExport.ts",
        "const emailHash = security.hash(email).slice(0, 4)\n",
    );
    write(
        root,
        "app/accounts.py",
        "import hashlib\n\n\ndef digest(value):\n    return hashlib.sha1(value.encode()).hexdigest()\n\n\ndef store(user, new_password):\n    user.password_hash = digest(new_password)\n",
    );
    let findings = scan(root);
    let ts = of(&findings, rule, "lib/insecurity.ts");
    assert_eq!(ts.severity, Severity::High);
    assert!(
        ts.message
            .contains("(raised: `hash` hashes passwords, as at models/user.ts:4)"),
        "{}",
        ts.message
    );
    let py = of(&findings, rule, "app/accounts.py");
    assert_eq!(py.severity, Severity::High);
    assert!(py.message.contains("app/accounts.py:9"), "{}", py.message);

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "lib/insecurity.ts", INSECURITY_TS);
    write(
        root,
        "routes/dataExport.ts",
        "const emailHash = security.hash(email).slice(0, 4)\nconst stored = await bcrypt.hash(password, 12)\n",
    );
    write(
        root,
        "app/accounts.py",
        "import hashlib\n\n\ndef digest(password):\n    return hashlib.sha1(b'etag').hexdigest()\n",
    );
    let findings = scan(root);
    let ts = of(&findings, rule, "lib/insecurity.ts");
    assert_eq!(ts.severity, Severity::Low);
    assert!(!ts.message.contains("raised"), "{}", ts.message);
    assert_eq!(
        of(&findings, rule, "app/accounts.py").severity,
        Severity::Low
    );
}
