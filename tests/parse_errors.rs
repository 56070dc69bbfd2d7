//! Files a structural analyzer cannot parse are never passed over in silence: each is counted
//! under the `parse-error` skip reason (it was read and its text rules ran, so it is scanned
//! too) and named in a note with the parser's line and message, in every output format, in
//! `scan --watch` and in the coach.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

/// `privileged: true` indented one space too far: YAML reads a mapping value where a plain
/// scalar continues, and the Compose checks used to report nothing at all.
const BROKEN_COMPOSE: &str = "services:\n  web:\n    image: nginx:1.25\n     privileged: true\n    ports:\n      - \"8080:80\"\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("docker-compose.yml"), BROKEN_COMPOSE).unwrap();
    std::fs::write(dir.path().join("app.py"), "print('hello')\n").unwrap();
    dir
}

fn run(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("seccoach")
        .unwrap()
        .env("NO_COLOR", "1")
        .arg("scan")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const NOTE: &str = "could not parse docker-compose.yml (line 4, column 16: mapping values are not allowed in this context): its compose checks did not run on it";

#[test]
fn a_compose_file_with_an_indentation_error_is_noted_in_every_format() {
    let dir = project();

    let (code, stdout, stderr) = run(dir.path(), &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains(NOTE), "text, stderr: {stderr}");
    assert!(
        stdout.contains("Scanned 2 files") && stdout.contains("1 file not parsed, text rules only"),
        "text summary: {stdout}"
    );

    let (_, stdout, stderr) = run(dir.path(), &["--format", "json"]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["summary"]["skipped"]["parse-error"], 1, "{stdout}");
    // Read and scanned by the text rules: counted once as scanned, not as unread.
    assert_eq!(report["summary"]["files_scanned"], 2);
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(notes.iter().any(|n| n.starts_with(NOTE)), "{notes:?}");
    assert!(stderr.contains(NOTE));

    let (_, stdout, _) = run(dir.path(), &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    assert_valid_sarif(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["properties"]["skipped"]["parse-error"], 1);
    let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert!(
        notifications
            .iter()
            .any(|n| n["descriptor"]["id"] == "parse-error"
                && n["message"]["text"].as_str().unwrap().starts_with(NOTE)),
        "{notifications:#?}"
    );

    let (_, stdout, _) = run(dir.path(), &["--format", "markdown"]);
    assert!(stdout.contains(&format!("- {NOTE}")), "markdown: {stdout}");
    assert!(
        stdout.contains("1 file not parsed, text rules only."),
        "markdown: {stdout}"
    );
}

#[test]
fn sarif_and_markdown_say_what_was_skipped() {
    let dir = project();
    std::fs::write(dir.path().join("docker-compose.yml"), "services: {}\n").unwrap();
    std::fs::write(dir.path().join("logo.bin"), b"\x00\x01\x02binary").unwrap();
    std::fs::write(dir.path().join("big.txt"), "x".repeat(3000)).unwrap();
    let args = ["--max-file-size", "1KiB"];

    let (_, stdout, _) = run(dir.path(), &[&args[..], &["--format", "sarif"]].concat());
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    assert_valid_sarif(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["properties"]["skipped"]["binary"], 1);
    assert_eq!(invocation["properties"]["skipped"]["too-large"], 1);
    let text = invocation["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert_eq!(text, "skipped 2 files (1 binary, 1 over the size limit).");

    let (_, stdout, _) = run(dir.path(), &[&args[..], &["--format", "markdown"]].concat());
    assert!(
        stdout.contains("No findings in 2 scanned files.")
            && stdout.contains("Skipped 2 files (1 binary, 1 over the size limit)."),
        "{stdout}"
    );
}

#[test]
fn every_structured_format_names_its_parsers_line() {
    let dir = tempfile::tempdir().unwrap();
    let files: [(&str, &str); 5] = [
        (
            "web/package.json",
            "{\n  \"dependencies\": {\n    \"lodash\": \"*\",\n  }\n}\n",
        ),
        (
            "svc/Cargo.toml",
            "[package]\nname = \"svc\"\n[dependencies\nserde = \"*\"\n",
        ),
        (
            "k8s/pod.yaml",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers: [\n    {name: a, image: a:1\n",
        ),
        (
            "Dockerfile",
            "FROM alpine:3.19\nCOPY . /app\n%%INSTALL%%\nUSER root\n",
        ),
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\ndependencies = [\"a\" \"b\"]\n",
        ),
    ];
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    let (_, stdout, _) = run(dir.path(), &["--format", "json"]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["summary"]["skipped"]["parse-error"], 5, "{stdout}");
    let notes = report["notes"].to_string();
    for expected in [
        "could not parse web/package.json (line 4, column 3: expected a string)",
        "could not parse svc/Cargo.toml (line 3, column",
        "could not parse k8s/pod.yaml (line 6",
        "could not parse Dockerfile (line 3, column 1: unknown instruction `%%INSTALL%%`): its dockerfile checks skipped what they could not read",
        "could not parse pyproject.toml (line 3, column",
    ] {
        assert!(notes.contains(expected), "{expected}\nin {notes}");
    }
    // The Dockerfile's readable instructions were still checked.
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "Dockerfile")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"docker/run-as-root"), "{rules:?}");
}

#[test]
fn a_helm_template_that_does_not_parse_is_noted_at_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("charts/api");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: api\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "enabled: true\nreplicas: 2\n").unwrap();
    std::fs::write(
        chart.join("templates/deployment.yaml"),
        "{{- if .Values.enabled }}\napiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n        - name: api\n         image: api:1.0\n{{- end }}\n",
    )
    .unwrap();
    // Not manifests: never parsed, never noted.
    std::fs::write(
        chart.join("templates/_helpers.tpl"),
        "{{- define \"api.name\" -}}\napi\n{{- end }}\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/NOTES.txt"),
        "Installed {{ .Release.Name }}.\n",
    )
    .unwrap();
    let (_, stdout, _) = run(dir.path(), &["--format", "json"]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["summary"]["skipped"]["parse-error"], 1, "{stdout}");
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("could not parse charts/api/templates/deployment.yaml (line 10, column 10:")
            && notes.contains("after neutralising the template's actions"),
        "{notes}"
    );
}

#[test]
fn watch_mode_says_what_it_could_not_parse() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command as Std, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    let dir = project();
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("seccoach"))
        .args(["scan", "--watch"])
        .arg(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    for stream in [
        Box::new(stdout) as Box<dyn std::io::Read + Send>,
        Box::new(stderr),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    let mut seen = (false, false);
    while !(seen.0 && seen.1) {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("watch never said so; saw {seen:?}"));
        seen.0 |= line.contains(NOTE);
        seen.1 |= line.contains("1 file not parsed, text rules only");
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn assert_valid_sarif(sarif: &Value) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );
}
