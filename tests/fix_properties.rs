//! Properties of every fix recipe over generated, adversarial files: several statements on one
//! line, the value named twice, CRLF, tabs, non-ASCII text, a neighbouring finding on the next
//! line. For every fixable finding in such a file, the fix the engine accepts
//! - changes only that finding's lines: every other line is still there, in order, byte for byte
//!   (new whole lines may be inserted), and no line ending of another convention appears;
//! - leaves a file that still parses: YAML with seccoach's own YAML parser, Dockerfiles and YAML
//!   with the scan's parse check (no "could not analyse" note), Python by a tokenizer-level check
//!   of brackets and quotes (strings, comments and triple quotes honoured: no Python parser
//!   crate compiles in reasonable time for a dev-dependency, and every Python recipe edits
//!   inside one call, where a broken bracket or quote is the way it would break the file);
//! - removes its finding, and makes no other rule's finding appear or disappear (compared as a
//!   multiset of rule and fingerprint, which do not move with lines).
//!
//! No recipe edits JSON; the whole-tree `.gitignore` fix is checked on generated `.gitignore`s.

use proptest::prelude::*;
use seccoach::catalog::Catalog;
use seccoach::finding::Finding;
use seccoach::fix;
use seccoach::scan::{ScanOptions, Scanner};
use seccoach::source::{FileKind, Source};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        Scanner::new(
            Arc::new(Catalog::embedded().expect("embedded catalogue loads")),
            ScanOptions::default(),
        )
    })
}

/// The shapes a generated file varies in.
#[derive(Debug, Clone)]
struct Shape {
    crlf: bool,
    /// Tabs for Python and Dockerfile indentation, four spaces for YAML (tabs are not YAML).
    tabs: bool,
    /// A non-ASCII comment and string near the finding.
    unicode: bool,
    /// Another statement before the finding on its line, or the value named twice.
    crowded: bool,
    /// A second finding of the same rule on the next line.
    neighbour: bool,
    /// Text of the non-ASCII comment.
    filler: String,
}

fn shapes() -> impl Strategy<Value = Shape> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        "[a-zA-Z0-9 é日✓\"'(){}\\[\\]:#=-]{0,30}",
    )
        .prop_map(|(crlf, tabs, unicode, crowded, neighbour, filler)| Shape {
            crlf,
            tabs,
            unicode,
            crowded,
            neighbour,
            filler,
        })
}

/// A file (path, text) for the recipe of `rule`, in `shape`.
fn generate(rule: &str, s: &Shape) -> (&'static str, String) {
    let py = if s.tabs { "\t" } else { "    " };
    let ya = if s.tabs { "    " } else { "  " };
    let uni = |marker: &str| {
        if s.unicode {
            format!("{marker} café {}", s.filler)
        } else {
            String::new()
        }
    };
    let (path, lines): (&str, Vec<String>) = match rule {
        "code/tls-verify-disabled" => ("client.py", {
            let mut l = vec![
                "import requests".into(),
                uni("#"),
                "def fetch(u, x):".into(),
                if s.crowded {
                    format!(
                        "{py}s = verify_signature(x); r = requests.get(u, data=\"ünï\", verify=False)"
                    )
                } else {
                    format!("{py}r = requests.get(u, verify=False)")
                },
            ];
            if s.neighbour {
                l.push(format!(
                    "{py}q = aiohttp_get(u, verify_ssl=False)  # verify=False"
                ));
            }
            l.push(format!("{py}return r"));
            l
        }),
        "code/unsafe-deserialization" => ("settings.py", {
            let mut l = vec!["import yaml".into(), uni("#"), "def load(s, t, u):".into()];
            l.push(if s.crowded {
                format!("{py}a = yaml.load(s, Loader=yaml.Loader); b = yaml.load(t)")
            } else {
                format!("{py}a = yaml.load(s)  # \"é\"")
            });
            if s.neighbour {
                l.push(format!("{py}c = yaml.load(u, Loader=yaml.FullLoader)"));
            }
            l.push(format!("{py}return a"));
            l
        }),
        "actions/default-permissions"
        | "actions/persist-credentials"
        | "actions/template-injection" => (".github/workflows/ci.yml", {
            let mut l = vec![
                format!("name: ci {}", uni("#")),
                "on:".into(),
                format!("{ya}issues:"),
                format!("{ya}{ya}types: [opened]"),
                "jobs:".into(),
                format!("{ya}build:"),
                format!("{ya}{ya}runs-on: ubuntu-latest"),
                format!("{ya}{ya}steps:"),
                format!("{ya}{ya}{ya}- uses: actions/checkout@v4"),
            ];
            // The content of a step: past the list item's `- `.
            let item = format!("{ya}{ya}{ya}  ");
            if s.crowded {
                l.push(format!("{item}with:"));
                l.push(format!("{item}{ya}fetch-depth: 0"));
                l.push(format!(
                    "{item}{ya}persist-credentials: true # persist-credentials: true"
                ));
            }
            if s.neighbour {
                l.push(format!("{ya}{ya}{ya}- uses: actions/checkout@v4"));
            }
            l.push(format!("{ya}{ya}{ya}- run: npm ci"));
            l.push(format!("{ya}{ya}{ya}- name: greet"));
            l.push(format!("{item}run: |"));
            l.push(if s.crowded {
                format!(
                    "{item}{ya}echo \"${{{{ github.event.issue.title }}}}\" && echo ${{{{ github.event.issue.title }}}}"
                )
            } else {
                format!("{item}{ya}echo \"é ${{{{ github.event.issue.title }}}}\"")
            });
            if s.neighbour {
                l.push(format!("{item}{ya}echo ${{{{ github.event.issue.body }}}}"));
            }
            l
        }),
        "compose/database-port-public" => ("compose.yaml", {
            let mut l = vec![
                "services:".into(),
                format!("{ya}db: {}", uni("#")),
                format!("{ya}{ya}image: postgres:16"),
                format!("{ya}{ya}ports:"),
                if s.crowded {
                    format!("{ya}{ya}{ya}- \"0.0.0.0:5432:5432\" # 5432:5432")
                } else {
                    format!("{ya}{ya}{ya}- \"5432:5432\"")
                },
            ];
            if s.neighbour {
                l.push(format!("{ya}{ya}{ya}- 5433:5432"));
            }
            l
        }),
        "docker/run-as-root" => ("Dockerfile", {
            let mut l = vec![
                "FROM python:3.12-slim AS build".into(),
                uni("#"),
                format!("RUN pip install --no-cache-dir flask && \\\n{py}echo ünï"),
                "FROM python:3.12-slim".into(),
                "COPY --from=build /usr/local /usr/local".into(),
            ];
            if s.crowded {
                l.push("USER root".into());
            }
            if s.neighbour {
                l.push("ENV USER=root".into());
            }
            l.push("CMD [\"python\", \"-m\", \"app\"]".into());
            l
        }),
        "k8s/privileged" | "k8s/allow-privilege-escalation" => ("pod.yaml", {
            let mut l = vec![
                "apiVersion: v1".into(),
                "kind: Pod".into(),
                format!("metadata: {}", uni("#")),
                format!("{ya}name: web"),
                "spec:".into(),
                format!("{ya}containers:"),
                format!("{ya}{ya}- name: web"),
                format!("{ya}{ya}  image: nginx:1.27"),
                format!("{ya}{ya}  securityContext:"),
            ];
            let key = if rule == "k8s/privileged" {
                "privileged"
            } else {
                "allowPrivilegeEscalation"
            };
            l.push(if s.crowded {
                format!("{ya}{ya}  {ya}{key}: true # privileged: true")
            } else {
                format!("{ya}{ya}  {ya}{key}: true")
            });
            if s.neighbour {
                l.push(format!("{ya}{ya}- name: side"));
                l.push(format!("{ya}{ya}  image: busybox:1.36"));
                l.push(format!("{ya}{ya}  securityContext: {{privileged: true}}"));
            }
            l
        }),
        "repo/gitignore-missing-env" => (".gitignore", {
            let mut l = vec!["target/".into(), uni("#"), "node_modules/".into()];
            if s.crowded {
                l.push("!.env.sample # .env".into());
            }
            l
        }),
        other => panic!("no generator for {other}"),
    };
    let nl = if s.crlf { "\r\n" } else { "\n" };
    let mut text: String = lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| format!("{}{nl}", l.replace('\n', nl)))
        .collect();
    if s.neighbour && rule == "repo/gitignore-missing-env" {
        text.pop(); // a last line without its break
        if s.crlf {
            text.pop();
        }
    }
    (path, text)
}

/// Lines with their endings.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// True when `sub` is a subsequence of `all`.
fn in_order(sub: &[&str], all: &[&str]) -> bool {
    let mut it = all.iter();
    sub.iter().all(|s| it.any(|a| a == s))
}

/// Brackets and quotes of Python source balance: strings (single, double, triple-quoted) and
/// comments are skipped, and every `(`, `[`, `{` is closed in order.
fn python_balanced(text: &str) -> Result<(), String> {
    let b = text.as_bytes();
    let mut stack = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            q @ (b'"' | b'\'') => {
                let triple = b[i..].starts_with(&[q, q, q]);
                let close: &[u8] = if triple { &[q, q, q] } else { &[q] };
                i += close.len();
                loop {
                    if i >= b.len() || (!triple && b[i] == b'\n') {
                        return Err(format!("unterminated string at byte {i}"));
                    }
                    if b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i..].starts_with(close) {
                        i += close.len() - 1;
                        break;
                    }
                    i += 1;
                }
            }
            open @ (b'(' | b'[' | b'{') => stack.push(open),
            close @ (b')' | b']' | b'}') => {
                let want = match close {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                if stack.pop() != Some(want) {
                    return Err(format!("unbalanced `{}` at byte {i}", close as char));
                }
            }
            _ => {}
        }
        i += 1;
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("{} bracket(s) left open", stack.len()))
    }
}

fn parses(path: &str, kind: FileKind, text: &str) -> Result<(), String> {
    let checked = scanner().check(&Source::new(path, kind, text.as_bytes()));
    if let Some(note) = checked.unparsed {
        return Err(note);
    }
    match kind {
        FileKind::Python => python_balanced(text),
        FileKind::Yaml => seccoach::yaml::parse_str(text)
            .map(|_| ())
            .map_err(|e| format!("{e:?}")),
        _ => Ok(()),
    }
}

fn others(findings: &[Finding], rule: &str) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for f in findings.iter().filter(|f| f.rule.as_str() != rule) {
        *out.entry((f.rule.to_string(), f.fingerprint.clone()))
            .or_default() += 1;
    }
    out
}

/// A finding of the whole-tree rule, as a scan reports it (on the `.env` file).
fn gitignore_finding() -> Finding {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "DEBUG=1\n").unwrap();
    let report = scanner().scan(dir.path()).unwrap();
    report
        .findings
        .into_iter()
        .find(|f| f.rule.as_str() == "repo/gitignore-missing-env")
        .expect("a .env without a .gitignore is reported")
}

/// Checks every fix of `rule` in the file of `shape`; returns how many were accepted.
fn check(rule: &str, shape: &Shape) -> Result<usize, TestCaseError> {
    let catalog = scanner().catalog();
    let (path, text) = generate(rule, shape);
    let kind = FileKind::detect(path, text.as_bytes());
    prop_assert!(
        parses(path, kind, &text).is_ok(),
        "the generated file parses:\n{text}"
    );
    let tree = fix::target_file(rule).is_some();
    let findings = scanner()
        .check_source(&Source::new(path, kind, text.as_bytes()))
        .0;
    let targets: Vec<Finding> = if tree {
        vec![gitignore_finding()]
    } else {
        findings
            .iter()
            .filter(|f| f.rule.as_str() == rule)
            .cloned()
            .collect()
    };
    prop_assert!(!targets.is_empty(), "{rule}: no finding in\n{text}");
    let mut accepted = 0;
    for finding in &targets {
        let Some((_, after)) = fix::fix_for(catalog, kind, &text, finding, tree) else {
            continue;
        };
        accepted += 1;
        let context = format!(
            "{rule} at line {}\n--- before\n{text}\n--- after\n{after}",
            finding.line
        );
        // Only the finding's lines change.
        let old = lines(&text);
        let kept: Vec<&str> = old
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                tree || !((finding.line as usize - 1)..finding.end_line.max(finding.line) as usize)
                    .contains(i)
            })
            .map(|(_, l)| *l)
            .collect();
        let kept = match (kept.split_last(), text.ends_with(['\n', '\r'])) {
            // A last line without a break may gain one when lines are added after it.
            (Some((last, rest)), false) if tree => {
                let mut k = rest.to_vec();
                let last_nl = format!("{last}{}", if shape.crlf { "\r\n" } else { "\n" });
                let new = lines(&after);
                prop_assert!(
                    new.contains(&last_nl.as_str()) || new.contains(last),
                    "the last line changed: {context}"
                );
                k.truncate(rest.len());
                k
            }
            _ => kept,
        };
        prop_assert!(
            in_order(&kept, &lines(&after)),
            "another line changed: {context}"
        );
        if shape.crlf {
            prop_assert!(
                !after.replace("\r\n", "").contains('\n'),
                "a bare LF in a CRLF file: {context}"
            );
        } else {
            prop_assert!(!after.contains('\r'), "a CR in an LF file: {context}");
        }
        // Still parses.
        if let Err(e) = parses(path, kind, &after) {
            return Err(TestCaseError::fail(format!(
                "no longer parses ({e}): {context}"
            )));
        }
        // The finding is gone; no other rule's finding came or went.
        let now = scanner()
            .check_source(&Source::new(path, kind, after.as_bytes()))
            .0;
        if !tree {
            let count = |list: &[Finding]| list.iter().filter(|f| f.rule.as_str() == rule).count();
            prop_assert!(
                count(&now) < count(&findings),
                "the finding stays: {context}"
            );
        }
        prop_assert_eq!(
            others(&now, rule),
            others(&findings, rule),
            "another rule's findings changed: {}",
            context
        );
    }
    Ok(accepted)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_recipe_changes_only_its_findings_lines_and_keeps_the_file_valid(
        shape in shapes(),
        pick in 0..fix::RULES.len(),
    ) {
        let rule = fix::RULES[pick];
        let accepted = check(rule, &shape)?;
        // The plain shape of every recipe's file is fixable: the property is not met by
        // refusing everything.
        if !shape.crowded && !shape.neighbour {
            prop_assert!(accepted > 0, "{rule}: no fix accepted in {shape:?}");
        }
    }
}

/// Every recipe has a generator, and each is fixable in its plain and its hardest shape.
#[test]
fn every_recipe_is_generated_and_fixed_in_every_corner_shape() {
    for rule in fix::RULES {
        for bits in 0..32u8 {
            let shape = Shape {
                crlf: bits & 1 != 0,
                tabs: bits & 2 != 0,
                unicode: bits & 4 != 0,
                crowded: bits & 8 != 0,
                neighbour: bits & 16 != 0,
                filler: "— 日本語 ✓ (\"'[".into(),
            };
            let accepted = check(rule, &shape).unwrap_or_else(|e| panic!("{e}"));
            if !shape.crowded && !shape.neighbour {
                assert!(accepted > 0, "{rule}: no fix accepted in {shape:?}");
            }
        }
    }
}

#[test]
fn the_python_check_tells_broken_code_from_whole_code() {
    assert!(python_balanced("r = get(u, verify=True)  # (\ns = '''a(\n'''\n").is_ok());
    assert!(python_balanced("s = verify=True)\n").is_err());
    assert!(python_balanced("s = 'abc\n").is_err());
    assert!(python_balanced("f(a, [b)]\n").is_err());
}
