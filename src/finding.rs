//! The one finding type: owned plain data that crosses from the scan thread to the TUI and into
//! JSON, SARIF and Markdown unchanged.

use crate::catalog::{Autofix, Confidence, Rule, RuleId, Severity};
use crate::display::{redact, sanitize, window};
use crate::redact::Secrets;
use crate::source::Source;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::ops::Range;

/// Longest snippet kept, in characters (minified files have megabyte-long lines).
const SNIPPET_MAX: usize = 160;

/// Bytes beyond the snippet's reach that are masked too, so a copy of a secret that the window
/// cuts is recognised whole (secret values are shorter).
const NEIGHBOURHOOD_SLACK: usize = 1024;

/// Bytes of the line on each side of a secret finding that its fingerprint hashes (with every
/// secret replaced by a constant).
const KEY_CONTEXT: usize = 120;

/// Bytes of a line decoded each side of a finding for its snippet: more than `SNIPPET_MAX`
/// characters of up to 4 bytes each.
const SNIPPET_CONTEXT_BYTES: usize = 4 * (SNIPPET_MAX + 2);

/// One problem found at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    pub confidence: Confidence,
    /// Relative to the scan root, `/`-separated, as on disk (sanitise before display).
    pub path: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub end_line: u32,
    /// 1-based, exclusive.
    pub end_column: u32,
    /// Safe to display: sanitised, secrets redacted.
    pub message: String,
    /// The source line (a window of it when long), sanitised, secrets redacted.
    pub snippet: String,
    /// Character index in `snippet` where the finding starts.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub snippet_column: u32,
    /// Stable across line moves: rule + path + hash of the normalised matched content; for a
    /// finding that shows a secret, of its line(s) with every secret replaced by a constant, and
    /// the occurrence index among equal ones in the file (no hash of a secret ever leaves).
    pub fingerprint: String,
    /// The fingerprint seccoach gave this finding before secrets were kept out of fingerprints
    /// (a hash over the value), for a finding that shows a secret. Only in memory, to honour
    /// baselines written then; never printed or saved.
    #[serde(skip)]
    pub legacy_fingerprint: Option<String>,
    /// Whether a machine-applicable fix exists.
    pub fix: Autofix,
    /// The file is test, example or documentation code (by convention or `[paths] tests`).
    #[serde(default)]
    pub in_test_code: bool,
}

/// Names one finding across re-scans, where its position in a list does not (a re-check adds
/// and removes findings under an open prompt): its rule, file and fingerprint (stable across
/// line moves), and the line it was on, which tells apart equal fingerprints in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingKey {
    pub rule: RuleId,
    pub path: String,
    pub fingerprint: String,
    pub line: u32,
}

impl FindingKey {
    /// The index of this finding in `findings`, if it is still there: same rule, file and
    /// fingerprint, the nearest line among equals.
    pub fn find(&self, findings: &[Finding]) -> Option<usize> {
        findings
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.rule == self.rule && f.path == self.path && f.fingerprint == self.fingerprint
            })
            .min_by_key(|(_, f)| f.line.abs_diff(self.line))
            .map(|(i, _)| i)
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Where a finding's primary location and concrete value come from.
pub enum Place<'s, 'a> {
    /// A byte range in a file the scan has read.
    Span {
        source: &'s Source<'a>,
        span: Range<usize>,
    },
    /// A whole-file or tree-level finding at a line of a file (read when it could be).
    Line {
        path: &'s str,
        line: u32,
        source: Option<&'s Source<'a>>,
    },
}

impl Finding {
    /// Builds a finding of `rule` at `place`, naming `value` in the message. `severity` is the
    /// effective severity (after any configured override); `secrets` are every secret the rules
    /// found in the file, masked in the snippet and the message and kept out of the fingerprint.
    /// `in_test_code`: the file is test, example or documentation code, where a secret is most
    /// likely a fixture: its finding gets low confidence and at most `low` severity, unless its
    /// rule's values have a live-key format (`live_format` in the rule's TOML).
    pub fn build(
        rule: &Rule,
        severity: Severity,
        place: Place,
        value: Option<&str>,
        secrets: &Secrets,
        in_test_code: bool,
    ) -> Finding {
        let (path, start, end, line, focus, matched, key) = match &place {
            Place::Span { source, span } => {
                let start = source.position(span.start);
                let end = source.position(span.end.max(span.start));
                let line_range = source
                    .line_range(start.line)
                    .unwrap_or(span.start..span.start);
                let matched = String::from_utf8_lossy(&source.bytes[span.clone()]).into_owned();
                // A finding that shows a secret is fingerprinted by its lines with every secret
                // replaced by a constant, never by the value.
                let key = secrets.touches(source.bytes, span.clone()).then(|| {
                    let last = source.line_range(end.line).map_or(span.end, |r| r.end);
                    let context = line_range.start.max(span.start.saturating_sub(KEY_CONTEXT))
                        ..last.max(span.end).min(span.end.saturating_add(KEY_CONTEXT));
                    secrets.placeholder_span(source.bytes, context)
                });
                let focus = span.start.clamp(line_range.start, line_range.end);
                (
                    source.rel_path,
                    start,
                    end,
                    Some((*source, line_range)),
                    focus,
                    matched,
                    key,
                )
            }
            Place::Line { path, line, source } => {
                let start = crate::source::Position {
                    line: *line,
                    column: 1,
                };
                let line_range = source.and_then(|s| Some((s, s.line_range(*line)?)));
                let chars = line_range.as_ref().map_or(0, |(s, r)| {
                    String::from_utf8_lossy(&s.bytes[r.clone()]).chars().count()
                });
                let end = crate::source::Position {
                    line: *line,
                    column: chars as u32 + 1,
                };
                let matched = value.unwrap_or("").to_owned();
                let key = match secrets.placeholder_str(&matched) {
                    std::borrow::Cow::Owned(masked) => Some(masked),
                    std::borrow::Cow::Borrowed(_) => None,
                };
                let focus = line_range.as_ref().map_or(0, |(_, r)| r.start);
                (*path, start, end, line_range, focus, matched, key)
            }
        };

        let shown_value = value.map(|v| {
            if rule.secret {
                redact(v)
            } else {
                secrets.mask_str(v).into_owned()
            }
        });
        let message = rule.render_message(shown_value.as_deref());
        let message = sanitize(&secrets.mask_str(&message)).into_owned();

        let focus_column = start.column.saturating_sub(1) as usize;
        let (snippet, snippet_column) = match line {
            Some((source, range)) if !secrets.is_empty() => {
                masked_window(source.bytes, range, focus, secrets)
            }
            Some((source, range)) => {
                // Only the part of the line a snippet can show is decoded: more than
                // SNIPPET_MAX characters each side of the finding (a character is at most 4
                // bytes), so the window is the one the whole line would give, and a finding
                // costs the same on a megabyte-long line as on a short one.
                let near = source.window_within(
                    range.clone(),
                    focus.saturating_sub(SNIPPET_CONTEXT_BYTES)
                        ..focus.saturating_add(SNIPPET_CONTEXT_BYTES),
                );
                // Borrowed, not copied, when the text is valid UTF-8.
                let text = String::from_utf8_lossy(&source.bytes[near.clone()]);
                let skipped = if near.start == range.start {
                    0
                } else {
                    source.position(near.start).column as usize - 1
                };
                let (mut cut, mut at) =
                    window(&text, focus_column.saturating_sub(skipped), SNIPPET_MAX);
                if near.start > range.start && !cut.starts_with('…') {
                    cut.insert(0, '…');
                    at += 1;
                }
                if near.end < range.end && !cut.ends_with('…') {
                    cut.push('…');
                }
                (cut, at)
            }
            None => (String::new(), 0),
        };
        let snippet_column = if snippet_column == focus_column {
            0
        } else {
            snippet_column
        };

        let (severity, confidence) = if in_test_code && rule.secret && !rule.live_format {
            (severity.min(Severity::Low), Confidence::Low)
        } else {
            (severity, rule.confidence)
        };
        let legacy = fingerprint(rule.id.as_str(), path, &matched);
        let (fingerprint, legacy_fingerprint) = match key {
            Some(key) => (fingerprint(rule.id.as_str(), path, &key), Some(legacy)),
            None => (legacy, None),
        };
        Finding {
            rule: rule.id.clone(),
            severity,
            confidence,
            path: path.to_owned(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            message,
            snippet: sanitize(&snippet).into_owned(),
            snippet_column: snippet_column as u32,
            fingerprint,
            legacy_fingerprint,
            fix: rule.autofix,
            in_test_code,
        }
    }

    /// The key that finds this finding again after the list changes.
    pub fn key(&self) -> FindingKey {
        FindingKey {
            rule: self.rule.clone(),
            path: self.path.clone(),
            fingerprint: self.fingerprint.clone(),
            line: self.line,
        }
    }

    /// The sort key that makes every output deterministic.
    pub fn sort_key(&self) -> (&str, u32, u32, &str) {
        (&self.path, self.line, self.column, self.rule.as_str())
    }

    /// Character index in `snippet` of the finding's start.
    pub fn caret_column(&self) -> usize {
        if self.snippet_column > 0 {
            self.snippet_column as usize
        } else {
            self.column.saturating_sub(1) as usize
        }
    }
}

/// The snippet of a line in a file with secrets: the line around byte `focus`, every secret in
/// it masked, cut to [`SNIPPET_MAX`] characters. Only a neighbourhood of the focus is masked, so
/// a finding on a megabyte-long line costs work bounded by the snippet, not by the line.
fn masked_window(
    bytes: &[u8],
    line: Range<usize>,
    focus: usize,
    secrets: &Secrets,
) -> (String, usize) {
    let reach = 4 * SNIPPET_MAX + NEIGHBOURHOOD_SLACK;
    let near = secrets.widen(
        bytes,
        line.start.max(focus.saturating_sub(reach))..line.end.min(focus.saturating_add(reach)),
    );
    let near = near.start.max(line.start)..near.end.min(line.end);
    let (masked, focus) = secrets.mask_span(bytes, near.clone(), focus);
    let (mut cut, mut focus) = window(&masked, focus, SNIPPET_MAX);
    if near.start > line.start && !cut.starts_with('…') {
        cut.insert(0, '…');
        focus += 1;
    }
    if near.end < line.end && !cut.ends_with('…') {
        cut.push('…');
    }
    (cut, focus)
}

/// Sorts findings by (path, line, column, rule).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Gives findings that show a secret (those with a [`Finding::legacy_fingerprint`]) and share a
/// fingerprint in one file (the same key assigned the same way twice) each their own: the
/// occurrence index, in file order, joins the hash. `findings` are one file's.
pub fn number_secret_occurrences(findings: &mut [Finding]) {
    let mut secret: Vec<usize> = (0..findings.len())
        .filter(|&i| findings[i].legacy_fingerprint.is_some())
        .collect();
    if secret.len() < 2 {
        return;
    }
    secret.sort_by(|&a, &b| {
        let (fa, fb) = (&findings[a], &findings[b]);
        (&fa.fingerprint, fa.line, fa.column).cmp(&(&fb.fingerprint, fb.line, fb.column))
    });
    let mut previous = String::new();
    let mut index = 0u32;
    for i in secret {
        if findings[i].fingerprint == previous {
            index += 1;
            let mut hasher = Sha256::new();
            hasher.update(previous.as_bytes());
            hasher.update([0]);
            hasher.update(index.to_string().as_bytes());
            let digest = hasher.finalize();
            findings[i].fingerprint = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        } else {
            previous = findings[i].fingerprint.clone();
            index = 0;
        }
    }
}

/// rule + path + hash of the matched content with whitespace folded: survives lines moving.
fn fingerprint(rule: &str, path: &str, matched: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule.as_bytes());
    hasher.update([0]);
    hasher.update(path.as_bytes());
    hasher.update([0]);
    let mut first = true;
    for word in matched.split_whitespace() {
        if !first {
            hasher.update(b" ");
        }
        hasher.update(word.as_bytes());
        first = false;
    }
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::source::FileKind;

    fn build_at(
        catalog: &Catalog,
        rule: &str,
        text: &str,
        needle: &str,
        secrets: &[&str],
    ) -> Finding {
        let source = Source::new("app/.env", FileKind::Env, text.as_bytes());
        let at = |n: &str| {
            let start = text.find(n).unwrap();
            start..start + n.len()
        };
        let secrets = Secrets::new(text.as_bytes(), secrets.iter().map(|s| at(s)));
        let rule = catalog.rule(rule).unwrap();
        let place = Place::Span {
            source: &source,
            span: at(needle),
        };
        Finding::build(rule, rule.severity, place, Some(needle), &secrets, false)
    }

    /// A finding deep in a long line gets the snippet (and columns) that windowing the whole
    /// line gives, though only a few hundred bytes of the line are decoded for it.
    #[test]
    fn findings_on_long_lines_window_as_the_whole_line_would() {
        let catalog = crate::catalog::Catalog::embedded().unwrap();
        let line = format!(
            "{}x = eval(payload) {}",
            "é a".repeat(3_000),
            "ü b".repeat(2_000)
        );
        let text = format!("head\n{line}\ntail\n");
        let source = Source::new("a.py", crate::source::FileKind::Python, text.as_bytes());
        let rule = catalog.rule("code/eval").unwrap();
        for needle in ["eval", "é a", "ü b\n"] {
            let at = match needle {
                "é a" => text.find(needle).unwrap() + 2 * 1_000,
                "ü b\n" => text.rfind("ü b").unwrap(),
                _ => text.find(needle).unwrap(),
            };
            let span = at..at + 20.min(text.len() - at - 6);
            let finding = Finding::build(
                rule,
                rule.severity,
                Place::Span {
                    source: &source,
                    span: span.clone(),
                },
                None,
                &Secrets::default(),
                false,
            );
            let column = line[..at - 5].chars().count();
            let end_column = line[..span.end - 5].chars().count();
            assert_eq!((finding.line, finding.column), (2, column as u32 + 1));
            assert_eq!(finding.end_column, end_column as u32 + 1);
            // What windowing the whole, decoded line gives.
            let (snippet, focus) = window(&line, column, SNIPPET_MAX);
            assert_eq!(finding.snippet, sanitize(&snippet), "{needle}");
            let expected_column = if focus == column { 0 } else { focus };
            assert_eq!(finding.snippet_column as usize, expected_column, "{needle}");
        }
    }

    #[test]
    fn a_secret_found_by_one_rule_is_masked_in_another_rules_snippet() {
        let catalog = Catalog::embedded().unwrap();
        // Pieces joined at build time, so this file holds no URL with a password.
        let line = concat!(
            "DATABASE_URL=postgres://admin:",
            "Sup3rS3cretPassw0rd",
            "@db:5432/app"
        );
        let text = &format!("{line}\n");
        let f = build_at(
            &catalog,
            "repo/env-file-committed",
            text,
            line,
            &["Sup3rS3cretPassw0rd"],
        );
        assert!(!f.snippet.contains("Sup3rS3cretPassw0rd"), "{}", f.snippet);
        assert!(!f.message.contains("Sup3rS3cretPassw0rd"), "{}", f.message);
        assert!(
            f.snippet.contains(&redact("Sup3rS3cretPassw0rd")),
            "{}",
            f.snippet
        );
        assert!(f.legacy_fingerprint.is_some());
        let legacy = fingerprint("repo/env-file-committed", "app/.env", line);
        assert_eq!(f.legacy_fingerprint.as_deref(), Some(legacy.as_str()));
        assert_ne!(f.fingerprint, legacy);
        // Without secrets the snippet is the line, and the fingerprint what it always was.
        let plain = build_at(&catalog, "code/eval", "x = eval(y)\n", "eval(y)", &[]);
        assert_eq!(plain.snippet, "x = eval(y)");
        assert_eq!(plain.legacy_fingerprint, None);
    }

    #[test]
    fn secret_fingerprints_ignore_the_value_and_count_equal_lines() {
        let catalog = Catalog::embedded().unwrap();
        let text = "K=abcdefghijklmnop1\nK=qrstuvwxyzabcdef2\nK=abcdefghijklmnop1\n";
        let mut findings: Vec<Finding> = ["abcdefghijklmnop1", "qrstuvwxyzabcdef2"]
            .iter()
            .map(|v| build_at(&catalog, "secrets/generic-assignment", text, v, &[v]))
            .collect();
        // Different values on equal lines: equal before numbering, distinct after.
        assert_eq!(findings[0].fingerprint, findings[1].fingerprint);
        number_secret_occurrences(&mut findings);
        assert_ne!(findings[0].fingerprint, findings[1].fingerprint);
        assert_ne!(
            findings[0].legacy_fingerprint,
            findings[1].legacy_fingerprint
        );
    }

    #[test]
    fn the_masked_window_of_a_long_line_is_the_window_of_the_masked_line() {
        let secret = concat!("sk_", "live_0123456789abcdefABCDEF");
        for (before, after) in [(5000, 5000), (10, 5000), (5000, 10), (10, 10), (0, 300)] {
            let text = format!(
                "{}{secret}{}x{secret}",
                "a".repeat(before),
                "é".repeat(after)
            );
            let bytes = text.as_bytes();
            let at = before..before + secret.len();
            let secrets = Secrets::new(bytes, [at.clone()]);
            for focus in [
                0,
                at.start,
                at.start + 3,
                at.end,
                text.len() - 1,
                text.len() / 2,
            ] {
                let focus = (0..=focus)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap();
                let (whole, f) = secrets.mask_span(bytes, 0..bytes.len(), focus);
                let expected = window(&whole, f, SNIPPET_MAX);
                let got = masked_window(bytes, 0..bytes.len(), focus, &secrets);
                assert_eq!(got, expected, "{before}/{after} focus {focus}");
                assert!(!got.0.contains(secret));
            }
        }
    }
}
