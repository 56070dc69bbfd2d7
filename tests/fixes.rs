//! Every automatic fix: applied to a fixture, the finding is gone, the file is byte-for-byte the
//! expected result (so nothing else moved: line endings, comments, indentation), files not
//! meant to change did not, and proposing again finds nothing to do.
//!
//! Fixtures: `tests/fixtures/fixes/<area>/<slug>/before/` (a small project) and `after/` (every
//! file the fix changes, as it must look afterwards).

use seccoach::catalog::Catalog;
use seccoach::fix;
use seccoach::scan::{ScanOptions, Scanner};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use support::copy_tree;

mod support;

fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                out.push(entry.path().strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn fixture_dirs() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fixes");
    let mut out = Vec::new();
    for area in std::fs::read_dir(&root).unwrap().flatten() {
        for rule in std::fs::read_dir(area.path()).unwrap().flatten() {
            out.push((
                format!(
                    "{}/{}",
                    area.file_name().to_string_lossy(),
                    rule.file_name().to_string_lossy()
                ),
                rule.path(),
            ));
        }
    }
    out.sort();
    out
}

fn check_fixture(rule: &str, dir: &Path) -> Result<(), String> {
    let catalog = Arc::new(Catalog::embedded().unwrap());
    let scanner = Scanner::new(catalog, ScanOptions::default());
    let temp = tempfile::tempdir().unwrap();
    let work = temp.path();
    copy_tree(&dir.join("before"), work);
    let report = scanner.scan(work).unwrap();
    if !report.findings.iter().any(|f| f.rule.as_str() == rule) {
        return Err(format!(
            "{rule}: the `before` project has no finding of the rule"
        ));
    }
    let rules = vec![rule.to_owned()];
    let (fixes, errors) = fix::propose(&scanner, work, &report.findings, &rules);
    if !errors.is_empty() || fixes.is_empty() {
        return Err(format!("{rule}: no fix proposed (errors: {errors:?})"));
    }
    for file_fix in &fixes {
        if !file_fix.diff().contains("@@") {
            return Err(format!(
                "{rule}: the diff of {} shows no hunk",
                file_fix.path
            ));
        }
        fix::apply(work, file_fix).map_err(|e| format!("{rule}: {e}"))?;
    }
    for rel in files(&dir.join("before"))
        .into_iter()
        .chain(files(&dir.join("after")))
    {
        let expected_path = if dir.join("after").join(&rel).exists() {
            dir.join("after").join(&rel)
        } else {
            dir.join("before").join(&rel)
        };
        let expected = std::fs::read(&expected_path).unwrap();
        let actual = std::fs::read(work.join(&rel))
            .map_err(|e| format!("{rule}: {}: {e}", rel.display()))?;
        if expected != actual {
            return Err(format!(
                "{rule}: {} differs from the expected result:\n--- expected\n{}\n--- actual\n{}",
                rel.display(),
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&actual)
            ));
        }
    }
    let after = scanner.scan(work).unwrap();
    if let Some(left) = after.findings.iter().find(|f| f.rule.as_str() == rule) {
        return Err(format!(
            "{rule}: still found after the fix at {}:{}",
            left.path, left.line
        ));
    }
    let (again, _) = fix::propose(&scanner, work, &after.findings, &rules);
    if !again.is_empty() {
        return Err(format!(
            "{rule}: applying again would change {:?}",
            again.iter().map(|f| &f.path).collect::<Vec<_>>()
        ));
    }
    Ok(())
}

#[test]
fn every_fix_removes_its_finding_and_nothing_else() {
    let failures: Vec<String> = fixture_dirs()
        .iter()
        .filter_map(|(rule, dir)| check_fixture(rule, dir).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_rule_with_an_autofix_has_a_recipe_and_a_fixture() {
    let catalog = Catalog::embedded().unwrap();
    let fixtures: Vec<String> = fixture_dirs().into_iter().map(|(rule, _)| rule).collect();
    for rule in catalog.rules() {
        let has_recipe = fix::RULES.contains(&rule.id.as_str());
        assert_eq!(
            rule.autofix.is_available(),
            has_recipe,
            "{}: autofix flag and recipe disagree",
            rule.id
        );
        if has_recipe {
            assert!(
                fixtures.contains(&rule.id.to_string()),
                "{}: no fix fixture",
                rule.id
            );
        }
    }
}

#[test]
fn a_file_changed_after_the_proposal_is_not_overwritten() {
    let catalog = Arc::new(Catalog::embedded().unwrap());
    let scanner = Scanner::new(catalog, ScanOptions::default());
    let temp = tempfile::tempdir().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fixes/code/tls-verify-disabled/before");
    copy_tree(&dir, temp.path());
    let report = scanner.scan(temp.path()).unwrap();
    let (fixes, _) = fix::propose(&scanner, temp.path(), &report.findings, &[]);
    assert!(!fixes.is_empty());
    std::fs::write(temp.path().join("client.py"), "# edited meanwhile\n").unwrap();
    let err = fix::apply(temp.path(), &fixes[0]).unwrap_err();
    assert!(err.to_string().contains("changed since"), "{err}");
    assert_eq!(
        std::fs::read_to_string(temp.path().join("client.py")).unwrap(),
        "# edited meanwhile\n"
    );
}

#[cfg(unix)]
#[test]
fn fixes_never_write_through_links_or_outside_the_root() {
    let catalog = Arc::new(Catalog::embedded().unwrap());
    let scanner = Scanner::new(catalog, ScanOptions::default());
    let outside = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("client.py"),
        "requests.get(u, verify=False)\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("client.py"),
        root.path().join("client.py"),
    )
    .unwrap();
    let fake = seccoach::finding::Finding {
        rule: seccoach::catalog::RuleId::parse("code/tls-verify-disabled").unwrap(),
        severity: seccoach::catalog::Severity::High,
        confidence: seccoach::catalog::Confidence::High,
        path: "client.py".into(),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 2,
        message: String::new(),
        snippet: String::new(),
        snippet_column: 0,
        fingerprint: "x".into(),
        legacy_fingerprint: None,
        fix: seccoach::catalog::Autofix::Safe,
        in_test_code: false,
    };
    let (fixes, errors) = fix::propose(&scanner, root.path(), std::slice::from_ref(&fake), &[]);
    assert!(fixes.is_empty());
    assert!(
        errors
            .iter()
            .any(|e| e.to_string().contains("not a regular file")),
        "{errors:?}"
    );
    let escape = seccoach::finding::Finding {
        path: "../client.py".into(),
        ..fake
    };
    let (_, errors) = fix::propose(&scanner, root.path(), &[escape], &[]);
    assert!(
        errors.iter().any(|e| e.to_string().contains("outside")),
        "{errors:?}"
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("client.py")).unwrap(),
        "requests.get(u, verify=False)\n"
    );
}

fn fix_all(files: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    let catalog = Arc::new(Catalog::embedded().unwrap());
    let scanner = Scanner::new(catalog, ScanOptions::default());
    let temp = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = temp.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let report = scanner.scan(temp.path()).unwrap();
    let (fixes, errors) = fix::propose(&scanner, temp.path(), &report.findings, &[]);
    assert!(errors.is_empty(), "{errors:?}");
    for f in &fixes {
        fix::apply(temp.path(), f).unwrap();
    }
    files
        .iter()
        .map(|(p, _)| {
            (
                p.to_string(),
                std::fs::read_to_string(temp.path().join(p)).unwrap(),
            )
        })
        .collect()
}

#[test]
fn privileged_is_switched_off_before_escalation_and_flow_style_is_respected() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: x\nspec:\n  containers:\n    - name: c\n      image: busybox:1.36\n      securityContext: {runAsNonRoot: true, privileged: true}\n";
    let out = fix_all(&[("pod.yaml", pod)]);
    let fixed = &out["pod.yaml"];
    assert!(
        fixed.contains("{runAsNonRoot: true, privileged: false}"),
        "{fixed}"
    );
    assert!(
        seccoach::yaml::parse_str(fixed).is_ok(),
        "the manifest stays valid YAML:\n{fixed}"
    );
    assert_eq!(
        fixed.lines().count(),
        pod.lines().count(),
        "a flow mapping gets no new lines:\n{fixed}"
    );
}

#[test]
fn a_bare_container_port_is_bound_to_localhost_with_an_ephemeral_host_port() {
    let compose =
        "services:\n  search:\n    image: elasticsearch:8.15.0\n    ports:\n      - \"9200\"\n";
    let out = fix_all(&[("compose.yaml", compose)]);
    assert!(
        out["compose.yaml"].contains("- \"127.0.0.1::9200\""),
        "{}",
        out["compose.yaml"]
    );
}

#[test]
fn the_tls_fix_turns_on_verification_and_touches_nothing_else() {
    // A review found the recipe rewrote from the first `verify` on the line to the next `False`,
    // deleting the call in between, and renamed aiohttp's `verify_ssl`.
    let client = "import aiohttp\nimport requests\n\n\ndef sync(u, x):\n    s = verify_signature(x); r = requests.get(u, verify=False)\n    return s, r\n\n\nasync def fetch(session, u):\n    async with session.get(u, verify_ssl=False) as r:\n        return await r.text()\n";
    let out = fix_all(&[("client.py", client)]);
    let fixed = &out["client.py"];
    assert!(
        fixed.contains("    s = verify_signature(x); r = requests.get(u, verify=True)\n"),
        "{fixed}"
    );
    assert!(
        fixed.contains("    async with session.get(u, verify_ssl=True) as r:\n"),
        "{fixed}"
    );
    assert_eq!(
        fixed
            .replace("verify=True", "verify=False")
            .replace("verify_ssl=True", "verify_ssl=False"),
        client,
        "only the two values changed"
    );
}

#[test]
fn a_finding_the_recipe_cannot_fix_in_place_is_left_alone() {
    // `ssl._create_unverified_context()` has no mechanical fix: nothing is proposed, and the
    // line is not rewritten into something else.
    let text = "import ssl\nimport urllib.request\n\nctx = ssl._create_unverified_context(); urllib.request.urlopen(URL, context=ctx, verify=0)\n";
    let out = fix_all(&[("legacy.py", text)]);
    assert_eq!(out["legacy.py"], text);
}
