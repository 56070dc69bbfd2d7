//! What a scan may cost: every regex rule does work linear in the size of a file dense with its
//! own keywords, the exact regex never runs over a whole file, long lines cost the same per
//! finding as short ones, the per-file cap counts only reported findings (and says when it cuts),
//! `--threads` is bounded, and `--timings` tells where the time went. Each test builds its
//! hostile input; none asserts a wall time (scripts/bench.sh measures those).

use assert_cmd::Command;
use seccoach::catalog::{Catalog, Matcher};
use seccoach::pattern::{Work, budget_for};
use seccoach::scan::{ScanOptions, Scanner};
use seccoach::source::{FileKind, Source};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

fn seccoach() -> Command {
    let mut cmd = Command::cargo_bin("seccoach").unwrap();
    cmd.env_remove("NO_COLOR")
        .env_remove("CI")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A made-up token format only these tests know; not a real secret.
const PACK: &str = r#"
[[rule]]
id = "secrets/budget-token"
title = "Budget test token"
severity = "critical"
confidence = "high"
message = "test token {value} is committed"
secret = true
what = "A token format made up for the budget tests."
why = "It stands for any credential: whoever reads the file can use it."
fix = "Read it from the environment."
references = ["CWE-798"]
lessons = []

[rule.example]
language = "python"
before = 'T = "budget_..."'
after = 'T = os.environ["T"]'

[rule.matcher]
type = "regex"
keywords = ["budget_"]
pattern = '\b(budget_[a-z0-9]{20})\b'
value_group = 1
"#;

/// A distinct fake token per `n`.
fn token(n: usize) -> String {
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut state = (n as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut out = String::from("budget_");
    for _ in 0..20 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.push(alphabet[(state % alphabet.len() as u64) as usize] as char);
    }
    out
}

fn repo_with_pack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join(".seccoach/checks/budget.toml"), PACK);
    dir
}

fn scan_json(root: &Path, extra: &[&str]) -> (Value, String) {
    let out = seccoach()
        .arg("scan")
        .arg(root)
        .args(["--format", "json", "--exit-zero"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A file of about `size` bytes for `kind`, dense with the rule's keywords and its example, with
/// non-ASCII letters next to them (which is what sends a Unicode `\b` off the regex DFA).
fn dense_file(keywords: &[String], example: &str, size: usize) -> String {
    let mut text = String::with_capacity(size + 4096);
    let mut i = 0;
    while text.len() < size {
        let keyword = &keywords[i % keywords.len()];
        text.push_str(&format!(
            "é {keyword} = é{keyword}({keyword}, \"{keyword}\") # {i} ü\n{keyword}: x{i}\n"
        ));
        if i % 8 == 0 {
            text.push_str(example);
            text.push('\n');
        }
        i += 1;
    }
    text
}

/// For every embedded regex rule, over a ~1 MB file of the kind the rule reads, dense with its
/// own keywords and example: the search stays within its budget, and both the bytes its DFAs
/// span and the bytes handed to the exact regex are linear in the file.
#[test]
fn every_regex_rule_does_linear_work_on_a_file_dense_with_its_keywords() {
    let catalog = Catalog::embedded().unwrap();
    let mut checked = 0;
    for rule in catalog.rules() {
        let Matcher::Regex(matcher) = &rule.matcher else {
            continue;
        };
        let text = dense_file(&matcher.keywords, &rule.example.before, 1 << 20);
        let mut work = Work::default();
        let mut matches = 0;
        let len = text.len();
        let result = matcher
            .regex
            .search(text.as_bytes(), budget_for(len), &mut work, &mut |_| {
                matches += 1;
                true
            });
        assert!(result.is_ok(), "{} went over its budget: {work:?}", rule.id);
        assert!(
            work.scanned <= 3 * len as u64,
            "{}: its DFAs spanned {} bytes of {len}",
            rule.id,
            work.scanned
        );
        assert!(
            work.resolved <= budget_for(len),
            "{}: the exact regex was handed {} bytes of {len}",
            rule.id,
            work.resolved
        );
        checked += 1;
        let _ = matches;
    }
    assert!(checked >= 25, "{checked} regex rules");
}

/// The case seen on moby's Swagger files: 470 KB of YAML with a few non-ASCII letters, where
/// `code/tls-verify-disabled`'s gate lets the file through (it says `False` everywhere) but
/// nothing matches. The exact regex is handed nothing, instead of the whole file.
#[test]
fn tls_verify_on_a_swagger_file_never_hands_the_file_to_the_exact_regex() {
    let mut text = String::from("swagger: \"2.0\"\ninfo:\n  title: \"Engine API\" # café\n");
    for i in 0..6_000 {
        text.push_str(&format!(
            "      Enabled{i}:\n        description: |\n          True if the plugin is running. False when it is not; ssl, verify and curl are words here.\n        type: \"boolean\"\n"
        ));
    }
    assert!(text.len() > 470_000);
    let catalog = Arc::new(Catalog::embedded().unwrap());
    let scanner = Scanner::new(catalog, ScanOptions::default());
    let source = Source::new("api/docs/v1.40.yaml", FileKind::Yaml, text.as_bytes());
    let checked = scanner.check(&source);
    assert!(checked.findings.is_empty(), "{:?}", checked.findings);
    assert!(
        checked.work.resolved < 4_096,
        "the exact regex was handed {} bytes",
        checked.work.resolved
    );

    // With one real setting in it, that one is found, and only its neighbourhood is resolved.
    text.push_str("  - run: curl -k https://example.com/install.sh\n");
    let source = Source::new("api/docs/v1.40.yaml", FileKind::Yaml, text.as_bytes());
    let checked = scanner.check(&source);
    let rules: Vec<&str> = checked.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(rules.contains(&"code/tls-verify-disabled"), "{rules:?}");
    assert!(checked.work.resolved < 4_096, "{:?}", checked.work);
}

/// 200 findings already in the baseline, then a new secret: the new one is reported (the cap
/// counts only reported findings), and nothing is cut.
#[test]
fn a_new_secret_after_200_baselined_ones_is_reported() {
    let dir = repo_with_pack();
    let lines: String = (0..200)
        .map(|n| format!("T{n} = \"{}\"\n", token(n)))
        .collect();
    write(&dir.path().join("app/tokens.py"), &lines);
    let baseline = dir.path().join("baseline.json");
    seccoach()
        .arg("scan")
        .arg(dir.path())
        .arg("--write-baseline")
        .arg(&baseline)
        .assert()
        .success();
    write(
        &dir.path().join("app/tokens.py"),
        format!("{lines}NEW = \"{}\"\n", token(9_999)),
    );
    let (report, _) = scan_json(dir.path(), &["--baseline", baseline.to_str().unwrap()]);
    let findings = report["findings"].as_array().unwrap();
    let ours: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "secrets/budget-token")
        .collect();
    assert_eq!(ours.len(), 1, "{findings:#?}");
    assert_eq!(ours[0]["line"], 201);
    assert_eq!(report["summary"]["baselined"], 200);
    assert_eq!(report["summary"]["truncated"], 0);
}

/// The same with 200 suppressed lines.
#[test]
fn a_new_secret_after_200_suppressed_ones_is_reported() {
    let dir = repo_with_pack();
    let mut text: String = (0..200)
        .map(|n| {
            format!(
                "T{n} = \"{}\"  # seccoach:ignore secrets/budget-token -- revoked test key\n",
                token(n)
            )
        })
        .collect();
    // A line between, so that the last suppression (which also covers the line below it) does
    // not reach the new secret.
    text.push_str(&format!("x = 1\nNEW = \"{}\"\n", token(9_999)));
    write(&dir.path().join("app/tokens.py"), &text);
    let (report, _) = scan_json(dir.path(), &[]);
    let ours: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secrets/budget-token")
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0]["line"], 202);
    assert_eq!(report["summary"]["suppressed"], 200);
}

/// Past 200 reported findings a rule stops in the file, and says so: a note naming the rule and
/// the file, `summary.truncated`, and the text summary.
#[test]
fn a_file_cut_at_the_cap_is_noted() {
    let dir = repo_with_pack();
    let text: String = (0..250)
        .map(|n| format!("T{n} = \"{}\"\n", token(n)))
        .collect();
    write(&dir.path().join("gen/tokens.py"), &text);
    let (report, stderr) = scan_json(dir.path(), &[]);
    let ours = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secrets/budget-token")
        .count();
    assert_eq!(ours, 200);
    assert_eq!(report["summary"]["truncated"], 1);
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("secrets/budget-token") && n.contains("gen/tokens.py")),
        "{notes:?}"
    );
    assert!(stderr.contains("secrets/budget-token"), "{stderr}");
    let out = seccoach()
        .arg("scan")
        .arg(dir.path())
        .args(["--exit-zero", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 rule(s) cut short"), "{text}");
}

/// 60,000 untrusted expressions on one `run:` line (1.9 MB, under the size limit): each finding
/// costs the same as on a short line (the old scan spent minutes decoding the line for each),
/// the analyzer's findings are capped like a regex rule's, and the cut is noted.
#[test]
fn sixty_thousand_expressions_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut run =
        String::from("jobs:\n  greet:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo");
    for _ in 0..60_000 {
        run.push_str(" ${{ github.event.issue.title }}");
    }
    run.push('\n');
    assert!(run.len() > 1_900_000);
    write(&dir.path().join(".github/workflows/greet.yml"), &run);
    let (report, _) = scan_json(dir.path(), &[]);
    let findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "actions/template-injection")
        .collect();
    assert_eq!(findings.len(), 200);
    assert!(report["summary"]["truncated"].as_u64().unwrap() >= 1);
    // Positions are exact far along the line, and snippets stay short.
    let last = findings
        .iter()
        .map(|f| f["column"].as_u64().unwrap())
        .max()
        .unwrap();
    assert!(last > 6_000, "{last}");
    for f in &findings {
        assert_eq!(f["line"], 5);
        assert!(f["snippet"].as_str().unwrap().chars().count() <= 162);
        let column = f["column"].as_u64().unwrap() as usize;
        let line = run.lines().nth(4).unwrap();
        let at: String = line.chars().skip(column - 1).take(3).collect();
        assert_eq!(at, "${{", "column {column}");
    }
}

/// `--threads` beyond the cap is refused with a clear message, not a panic or an abort; the
/// cap itself is accepted.
#[test]
fn absurd_thread_counts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for threads in ["18446744073709551615", "4294967295", "2000", "many"] {
        let out = seccoach()
            .arg("scan")
            .arg(dir.path())
            .args(["--threads", threads])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--threads {threads}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--threads"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    seccoach()
        .arg("scan")
        .arg(dir.path())
        .args(["--threads", "256"])
        .assert()
        .success();
}

/// `--timings` adds, on standard error and after the report, the slowest rules and the slowest
/// (rule, file) pairs; the report itself is unchanged.
#[test]
fn timings_name_the_slow_rules_and_files() {
    let dir = repo_with_pack();
    write(
        &dir.path().join("app/settings.py"),
        format!(
            "T = \"{}\"\nresp = requests.get(u, verify=False)\n",
            token(1)
        ),
    );
    let (plain, _) = scan_json(dir.path(), &[]);
    let (timed, stderr) = scan_json(dir.path(), &["--timings"]);
    assert_eq!(plain["findings"], timed["findings"]);
    let rules_at = stderr.find("slowest rules").expect("a rules table");
    let pairs_at = stderr.find("slowest rule x file").expect("a pairs table");
    assert!(rules_at < pairs_at, "{stderr}");
    assert!(
        stderr[rules_at..].contains("secrets/budget-token"),
        "{stderr}"
    );
    assert!(stderr[pairs_at..].contains("app/settings.py"), "{stderr}");
}

/// A `package-lock.json` on one line with 10,000 packages, each with an advisory: the findings
/// are capped (and the cut noted) and each costs no more than on a pretty-printed lockfile.
#[test]
fn a_one_line_lockfile_against_ten_thousand_advisories() {
    const PACKAGES: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let packages: Vec<String> = (0..PACKAGES)
        .map(|n| format!("\"node_modules/pkg-{n}\":{{\"version\":\"1.0.{}\"}}", n % 7))
        .collect();
    write(
        &dir.path().join("web/package-lock.json"),
        format!(
            "{{\"name\":\"web\",\"lockfileVersion\":3,\"packages\":{{\"\":{{\"name\":\"web\"}},{}}}}}",
            packages.join(",")
        ),
    );
    let osv = dir.path().join("osv");
    std::fs::create_dir_all(&osv).unwrap();
    for n in 0..PACKAGES {
        let record = serde_json::json!({
            "schema_version": "1.6.0",
            "id": format!("GHSA-test-{n:05}"),
            "summary": format!("Test advisory {n}"),
            "affected": [{
                "package": {"ecosystem": "npm", "name": format!("pkg-{n}")},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]}]
            }]
        });
        std::fs::write(
            osv.join(format!("GHSA-test-{n:05}.json")),
            record.to_string(),
        )
        .unwrap();
    }
    let (report, _) = scan_json(dir.path(), &["--advisories", osv.to_str().unwrap()]);
    let findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "deps/known-vulnerable")
        .collect();
    assert_eq!(findings.len(), 200);
    assert!(findings.iter().all(|f| f["line"] == 1));
    assert_eq!(report["summary"]["truncated"], 1);
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("deps/known-vulnerable")),
        "{:?}",
        report["notes"]
    );
}
