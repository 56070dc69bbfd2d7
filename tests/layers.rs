//! End-to-end tests of `seccoach layers`: repositories built in temporary directories with and
//! without each layer, the binary as users run it, every output format.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const FROM: &str = "https://github.com/seccoach/seccoach@009e32be4f70f8b6feaacad25487192123d57541";

fn seccoach(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("seccoach").unwrap();
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env("SECCOACH_HOME", dir.join(".seccoach-home-for-tests"))
        .env(
            "SECCOACH_CACHE",
            std::env::temp_dir().join("seccoach-layers-tests-no-cache"),
        );
    cmd
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn layers_json(dir: &Path) -> Value {
    let out = seccoach(dir)
        .args(["layers", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Each layer's id and status, in order.
fn verdicts(map: &Value) -> Vec<(String, String)> {
    map["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_owned(),
                l["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn status<'a>(map: &'a Value, id: &str) -> &'a Value {
    map["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .unwrap_or_else(|| panic!("no layer {id}"))
}

const LAYER_IDS: [&str; 8] = [
    "secrets",
    "code-scanning",
    "dependencies",
    "containers",
    "ci-hardening",
    "infrastructure",
    "runtime",
    "security-policy",
];

/// A small service with every layer: a pull-request workflow running the tools, Dependabot,
/// manifests enforcing Pod Security with a NetworkPolicy, and a security policy.
fn full_repository(root: &Path) {
    write(
        root,
        "package.json",
        "{\"name\": \"shop\", \"version\": \"1.0.0\"}\n",
    );
    write(
        root,
        "Dockerfile",
        "FROM node:22-slim\nUSER node\nCOPY . /app\n",
    );
    write(
        root,
        ".github/workflows/security.yml",
        "name: security\non:\n  pull_request:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  secrets:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n        with:\n          persist-credentials: false\n      - uses: gitleaks/gitleaks-action@ff98106e4c7b2bc287b24eaf42907196329070c7 # v2.3.9\n  codeql:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: github/codeql-action/init@4e828ff8d448a8a6e532957b1811f387a63867e8 # v3\n      - uses: github/codeql-action/analyze@4e828ff8d448a8a6e532957b1811f387a63867e8 # v3\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -t shop:ci .\n      - run: trivy image --exit-code 1 shop:ci\n      - run: |\n          pipx run zizmor .\n          checkov -d deploy\n",
    );
    write(
        root,
        ".github/dependabot.yml",
        "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: weekly\n",
    );
    write(
        root,
        "deploy/namespace.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n",
    );
    write(
        root,
        "deploy/deny.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n",
    );
    write(
        root,
        "deploy/app.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: shop\n          image: shop:1\n",
    );
    write(
        root,
        "SECURITY.md",
        "# Security\n\nReport vulnerabilities to security@shop.example, never in public issues.\n",
    );
}

#[test]
fn a_repository_without_any_layer_is_missing_everywhere_with_a_suggestion_and_a_lesson() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "package.json", "{\"name\": \"app\"}\n");
    write(dir.path(), "index.js", "console.log('hi')\n");
    let map = layers_json(dir.path());
    assert_eq!(map["version"], 1);
    let got = verdicts(&map);
    let ids: Vec<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, LAYER_IDS);
    assert!(got.iter().all(|(_, s)| s == "missing"), "{got:?}");
    for layer in map["layers"].as_array().unwrap() {
        assert!(
            !layer["suggestion"].as_array().unwrap().is_empty(),
            "{layer}"
        );
        assert!(!layer["lessons"].as_array().unwrap().is_empty(), "{layer}");
    }
    // Dependencies apply (a manifest is here), images do not (no Dockerfile).
    assert_eq!(status(&map, "dependencies")["applies"], true);
    assert_eq!(status(&map, "containers")["applies"], false);
}

#[test]
fn a_repository_with_every_layer_is_present_everywhere_with_its_evidence() {
    let dir = tempfile::tempdir().unwrap();
    full_repository(dir.path());
    let map = layers_json(dir.path());
    let got = verdicts(&map);
    assert!(got.iter().all(|(_, s)| s == "present"), "{got:#?}\n{map:#}");
    let secrets = status(&map, "secrets");
    let evidence = &secrets["evidence"][0];
    assert_eq!(evidence["tool"], "gitleaks");
    assert_eq!(evidence["path"], ".github/workflows/security.yml");
    assert_eq!(evidence["line"], 15);
    assert_eq!(evidence["reach"]["kind"], "every-change");
    assert_eq!(evidence["reach"]["detail"], "on pull_request");
    assert!(secrets["suggestion"].as_array().unwrap().is_empty());
    let tools = |id: &str| -> Vec<String> {
        status(&map, id)["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["tool"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(tools("containers").contains(&"Trivy".to_owned()));
    assert!(tools("ci-hardening").contains(&"zizmor".to_owned()));
    assert!(tools("infrastructure").contains(&"Checkov".to_owned()));
    assert!(tools("dependencies").contains(&"Dependabot".to_owned()));
    assert_eq!(
        tools("code-scanning"),
        ["CodeQL"],
        "one line per tool and reach"
    );
    assert!(tools("runtime").contains(&"NetworkPolicy".to_owned()));
    assert!(map["notes"].as_array().unwrap().is_empty());
}

#[test]
fn tools_after_merge_on_a_timer_or_only_locally_make_a_layer_partial() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerfile", "FROM python:3.13-slim\n");
    write(root, "requirements.txt", "flask==3.1.0\n");
    // Scanners, but only on a schedule and on pushes to main.
    write(
        root,
        ".github/workflows/nightly.yml",
        "on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - run: trivy image app:latest\n",
    );
    write(
        root,
        ".github/workflows/main.yml",
        "on:\n  push:\n    branches: [main]\njobs:\n  sast:\n    runs-on: ubuntu-latest\n    steps:\n      - run: semgrep scan --error\n      - run: pip-audit -r requirements.txt\n",
    );
    // A pre-commit hook that no CI job runs.
    write(
        root,
        ".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/gitleaks/gitleaks\n    rev: v8.24.2\n    hooks:\n      - id: gitleaks\n",
    );
    // A configuration file, nothing that runs the tool.
    write(root, ".checkov.yml", "compact: true\n");
    write(
        root,
        "k8s/app.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n",
    );
    write(
        root,
        "k8s/ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n  labels:\n    pod-security.kubernetes.io/warn: restricted\n",
    );
    write(
        root,
        "SECURITY.md",
        "# Security\n\nWe take security seriously.\n",
    );
    let map = layers_json(root);
    let want = [
        ("secrets", "partial"),
        ("code-scanning", "partial"),
        ("dependencies", "partial"),
        ("containers", "partial"),
        ("ci-hardening", "missing"),
        ("infrastructure", "partial"),
        ("runtime", "partial"),
        ("security-policy", "partial"),
    ];
    let got = verdicts(&map);
    let got: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(got, want, "{map:#}");
    let reason = |id: &str| status(&map, id)["reason"].as_str().unwrap().to_owned();
    assert!(
        reason("secrets").contains("pre-commit hook"),
        "{}",
        reason("secrets")
    );
    assert!(
        reason("containers").contains("on a schedule"),
        "{}",
        reason("containers")
    );
    assert!(
        reason("code-scanning").contains("on push to main"),
        "{}",
        reason("code-scanning")
    );
    assert!(reason("infrastructure").contains("nothing in CI runs it"));
    assert!(reason("runtime").contains("nothing enforces Pod Security"));
    assert!(
        !status(&map, "containers")["suggestion"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn pre_commit_hooks_count_where_ci_runs_pre_commit_and_reusable_workflows_take_their_callers_triggers()
 {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/hadolint/hadolint\n    rev: v2.12.0\n    hooks:\n      - id: hadolint-docker\n",
    );
    write(
        root,
        ".github/workflows/lint.yml",
        "on: [pull_request]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: pre-commit/action@2c7b3805fd2a0fd8c1884dcaebf91fc102a13ecd # v3.0.1\n  scan:\n    uses: ./.github/workflows/scan.yml\n",
    );
    write(
        root,
        ".github/workflows/scan.yml",
        "on:\n  workflow_call:\njobs:\n  leaks:\n    runs-on: ubuntu-latest\n    container: zricethezav/gitleaks:v8.24.2\n    steps:\n      - run: gitleaks dir .\n",
    );
    let map = layers_json(root);
    assert_eq!(status(&map, "containers")["status"], "present", "{map:#}");
    let hook = &status(&map, "containers")["evidence"][0];
    assert_eq!(hook["tool"], "hadolint");
    assert!(
        hook["reach"]["detail"]
            .as_str()
            .unwrap()
            .contains("pre-commit, run by .github/workflows/lint.yml")
    );
    let secrets = status(&map, "secrets");
    assert_eq!(secrets["status"], "present");
    assert!(
        secrets["reason"]
            .as_str()
            .unwrap()
            .contains("called from .github/workflows/lint.yml"),
        "{secrets}"
    );
}

#[test]
fn gitlab_templates_jobs_and_local_includes_are_read_and_remote_includes_noted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerfile", "FROM alpine:3.21\n");
    write(
        root,
        ".gitlab-ci.yml",
        "include:\n  - template: Jobs/Secret-Detection.gitlab-ci.yml\n  - local: /ci/lint.yml\n  - remote: https://example.com/ci/shared.yml\n\nsemgrep:\n  image: semgrep/semgrep\n  script:\n    - semgrep ci\n  only:\n    - main\n",
    );
    write(
        root,
        "ci/lint.yml",
        ".lint:\n  image: hadolint/hadolint:latest-debian\n\ndockerfile:\n  extends: .lint\n  script:\n    - hadolint Dockerfile\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n",
    );
    let map = layers_json(root);
    assert_eq!(status(&map, "secrets")["status"], "present");
    assert_eq!(
        status(&map, "secrets")["evidence"][0]["tool"],
        "GitLab Secret Detection"
    );
    let code = status(&map, "code-scanning");
    assert_eq!(code["status"], "partial");
    assert!(
        code["reason"].as_str().unwrap().contains("only on main"),
        "{code}"
    );
    // GitLab snippets are suggested for a GitLab project.
    assert!(
        code["suggestion"]
            .to_string()
            .contains("seccoach init --ci gitlab")
    );
    let containers = status(&map, "containers");
    assert_eq!(containers["status"], "present", "{containers}");
    assert_eq!(containers["evidence"][0]["path"], "ci/lint.yml");
    let notes = map["notes"].to_string();
    assert!(
        notes.contains("https://example.com/ci/shared.yml"),
        "{notes}"
    );
    assert!(notes.contains("not followed"), "{notes}");
}

#[test]
fn the_pipeline_init_writes_makes_the_file_layers_present() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "app.py", "print('hi')\n");
    let out = seccoach(root)
        .args(["init", "--ci", "github", "--from", FROM])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let map = layers_json(root);
    for id in ["secrets", "code-scanning", "ci-hardening"] {
        let layer = status(&map, id);
        assert_eq!(layer["status"], "present", "{layer}");
        assert_eq!(layer["evidence"][0]["tool"], "seccoach");
    }
    assert_eq!(status(&map, "runtime")["status"], "missing");
}

#[test]
fn text_and_markdown_show_the_verdicts_evidence_and_lessons() {
    let dir = tempfile::tempdir().unwrap();
    full_repository(dir.path());
    let out = seccoach(dir.path()).args(["layers"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[x] Secret scanning"), "{text}");
    assert!(
        text.contains(
            ".github/workflows/security.yml:15: gitleaks uses `gitleaks/gitleaks-action@"
        ),
        "{text}"
    );
    assert!(text.contains("Lesson: seccoach learn secrets/history-and-push-protection"));
    assert!(text.contains("8 present, 0 partial, 0 missing."), "{text}");
    let out = seccoach(dir.path())
        .args(["layers", "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("| Layer | Status | Why |"), "{md}");
    assert!(md.contains("| Secret scanning | present |"), "{md}");
    assert!(md.contains("## Runtime protection: present"), "{md}");
}

#[test]
fn a_broken_workflow_is_noted_by_name_and_test_manifests_do_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".github/workflows/broken.yml",
        "on: [pull_request\njobs: {\n",
    );
    // A NetworkPolicy in test fixtures protects nothing that is deployed.
    write(
        root,
        "tests/fixtures/deny.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: x\n",
    );
    let map = layers_json(root);
    let notes = map["notes"].to_string();
    assert!(notes.contains(".github/workflows/broken.yml"), "{notes}");
    assert!(notes.contains("not valid YAML"), "{notes}");
    assert_eq!(status(&map, "runtime")["status"], "missing");
    assert_eq!(status(&map, "runtime")["applies"], false);
    let out = seccoach(root).args(["layers"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("note: .github/workflows/broken.yml"),
        "{text}"
    );
}

#[test]
fn a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = seccoach(dir.path())
        .args(["layers", "no-such-dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-dir"));
}
