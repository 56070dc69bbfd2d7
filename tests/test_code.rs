//! Test, example and documentation code: findings there are marked `in_test_code` in JSON and
//! SARIF, shown after the rest in text, and a secret there drops to `low` unless its rule's
//! values have a live-key format. `[paths] tests` in `.seccoach.toml` adds paths (and `!` takes
//! them away).

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

// Values joined at build time, so this file holds no literal secret.
const PASSWORD: &str = concat!("Vq7", "rZp2Lm9Tx4Kd");
const STRIPE: &str = concat!("sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc");

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A service with one real hard-coded password, a test that logs in with a seeded one, a test
/// fixture holding a live-format Stripe key, a seed script under `qa/` and the same password in
/// `docs/deploy/`, which the configuration says is not documentation.
fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "app/db.py",
        &format!("import psycopg\n\nDB_PASSWORD = \"{PASSWORD}\"\n"),
    );
    write(
        root,
        "tests/api/test_login.py",
        &format!(
            "def test_login(client):\n    resp = client.post(\"/login\", json={{\"email\": \"jim@example.org\", \"password\": \"{PASSWORD}\"}})\n    assert resp.status_code == 200\n"
        ),
    );
    write(
        root,
        "src/billing/charge.test.ts",
        &format!("const stripe = new Stripe(\"{STRIPE}\");\n"),
    );
    write(
        root,
        "qa/seed.py",
        &format!("ADMIN_PASSWORD = \"{PASSWORD}\"\n"),
    );
    write(
        root,
        "docs/deploy/settings.py",
        &format!("SMTP_PASSWORD = \"{PASSWORD}\"\n"),
    );
    write(root, ".seccoach.toml", config);
    dir
}

fn scan(root: &Path, format: &str) -> (i32, String, String) {
    let out = Command::cargo_bin("seccoach")
        .unwrap()
        .env("NO_COLOR", "1")
        .env(
            "SECCOACH_CACHE",
            std::env::temp_dir().join("seccoach-test-code-no-cache"),
        )
        .args(["scan", "--format", format])
        .arg(root)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CONFIG: &str = "[paths]\ntests = [\"qa/\", \"!docs/deploy/\"]\n";

#[test]
fn json_marks_test_code_and_caps_its_secrets_unless_live_format() {
    let dir = project(CONFIG);
    let (_, stdout, stderr) = scan(dir.path(), "json");
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let findings = report["findings"].as_array().unwrap();
    let at = |path: &str, rule: &str| {
        findings
            .iter()
            .find(|f| f["path"] == path && f["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {path}: {stdout}"))
    };
    let generic = "secrets/generic-assignment";
    // Production code: as the rule says.
    let real = at("app/db.py", generic);
    assert_eq!(real["in_test_code"], false);
    assert_eq!(real["severity"], "high");
    assert_eq!(real["confidence"], "medium");
    // `!docs/deploy/` in the configuration: not documentation after all.
    let deploy = at("docs/deploy/settings.py", generic);
    assert_eq!(deploy["in_test_code"], false);
    assert_eq!(deploy["severity"], "high");
    // A test by convention, and a path the configuration names.
    for path in ["tests/api/test_login.py", "qa/seed.py"] {
        let f = at(path, generic);
        assert_eq!(f["in_test_code"], true, "{path}");
        assert_eq!(f["severity"], "low", "{path}");
        assert_eq!(f["confidence"], "low", "{path}");
    }
    // A live-format key stays critical in a test file, and says where it is.
    let stripe = at("src/billing/charge.test.ts", "secrets/stripe-key");
    assert_eq!(stripe["in_test_code"], true);
    assert_eq!(stripe["severity"], "critical");
    assert_eq!(stripe["confidence"], "high");
    assert!(!stdout.contains(PASSWORD) && !stdout.contains(STRIPE));
}

#[test]
fn without_configuration_the_conventions_decide() {
    let dir = project("");
    let (_, stdout, _) = scan(dir.path(), "json");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let marked = |path: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("no finding in {path}"))["in_test_code"]
            .clone()
    };
    assert_eq!(marked("qa/seed.py"), false);
    assert_eq!(marked("docs/deploy/settings.py"), true);
    assert_eq!(marked("tests/api/test_login.py"), true);
}

#[test]
fn sarif_carries_in_test_code_and_validates() {
    let dir = project(CONFIG);
    let (_, stdout, _) = scan(dir.path(), "sarif");
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
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
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let uri = |r: &Value| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for result in results {
        let expected = ["tests/", "qa/", "src/billing/"]
            .iter()
            .any(|p| uri(result).starts_with(p));
        assert_eq!(
            result["properties"]["in_test_code"],
            expected,
            "{}",
            uri(result)
        );
    }
    let test_login = results
        .iter()
        .find(|r| uri(r) == "tests/api/test_login.py")
        .unwrap();
    assert_eq!(test_login["level"], "note");
}

#[test]
fn text_shows_test_code_in_its_own_group_after_the_rest() {
    let dir = project(CONFIG);
    let (code, stdout, _) = scan(dir.path(), "text");
    // The live key in a test still fails the scan (critical).
    assert_eq!(code, 1, "{stdout}");
    let header = stdout
        .find("In test, example and documentation code (3 findings):")
        .unwrap_or_else(|| panic!("{stdout}"));
    for path in ["app/db.py\n", "docs/deploy/settings.py\n"] {
        assert!(stdout.find(path).unwrap() < header, "{path}: {stdout}");
    }
    for path in [
        "qa/seed.py\n",
        "src/billing/charge.test.ts\n",
        "tests/api/test_login.py\n",
    ] {
        assert!(stdout.find(path).unwrap() > header, "{path}: {stdout}");
    }
    assert!(
        stdout.contains("; 3 of them in test, example or documentation code"),
        "{stdout}"
    );
}

#[test]
fn markdown_lists_test_code_last_and_marks_it() {
    let dir = project(CONFIG);
    let (_, stdout, _) = scan(dir.path(), "markdown");
    assert!(
        stdout.contains("; 3 of them in test, example or documentation code, listed last."),
        "{stdout}"
    );
    let row = |path: &str| {
        stdout
            .lines()
            .position(|l| l.contains(&format!("`{path}:")))
            .unwrap_or_else(|| panic!("no row for {path}: {stdout}"))
    };
    let last_real = row("app/db.py").max(row("docs/deploy/settings.py"));
    for path in [
        "qa/seed.py",
        "src/billing/charge.test.ts",
        "tests/api/test_login.py",
    ] {
        assert!(row(path) > last_real, "{path}: {stdout}");
        assert!(
            stdout
                .lines()
                .nth(row(path))
                .unwrap()
                .contains("(test code)")
        );
    }
    assert!(
        !stdout
            .lines()
            .nth(row("app/db.py"))
            .unwrap()
            .contains("(test code)")
    );
}

#[test]
fn a_bad_tests_pattern_is_an_error_naming_the_file_and_line() {
    let dir = project(
        "exclude = [\"vendor/\"]\n\n[paths]\ntests = [\n  \"qa/\",\n  \"fixtures/[\",\n]\n",
    );
    let (code, stdout, stderr) = scan(dir.path(), "json");
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains(".seccoach.toml"), "{stderr}");
    assert!(stderr.contains(":6"), "{stderr}");
    assert!(
        stderr.contains("bad tests pattern `fixtures/[`"),
        "{stderr}"
    );
}
