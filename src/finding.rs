//! The one finding type: owned plain data that crosses from the scan thread to the TUI and into
//! JSON, SARIF and Markdown unchanged.

use crate::catalog::{Autofix, Confidence, Rule, RuleId, Severity};
use crate::display::{redact, sanitize, window_of};
use crate::source::{Source, is_test_path};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::ops::Range;

/// Longest snippet kept, in characters (minified files have megabyte-long lines).
const SNIPPET_MAX: usize = 160;

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
    /// Stable across line moves: rule + path + hash of the normalised matched content.
    pub fingerprint: String,
    /// Whether a machine-applicable fix exists.
    pub fix: Autofix,
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
    /// A whole-file or tree-level finding at a line (no source text at hand).
    Line {
        path: &'s str,
        line: u32,
        text: Option<&'s str>,
    },
}

impl Finding {
    /// Builds a finding of `rule` at `place`, naming `value` in the message. `severity` is the
    /// effective severity (after any configured override).
    pub fn build(rule: &Rule, severity: Severity, place: Place, value: Option<&str>) -> Finding {
        let (path, start, end, line_text, snippet_range, focus, matched) = match &place {
            Place::Span { source, span } => {
                let start = source.position(span.start);
                let end = source.position(span.end.max(span.start));
                let line_range = source
                    .line_range(start.line)
                    .unwrap_or(span.start..span.start);
                let matched = String::from_utf8_lossy(&source.bytes[span.clone()]).into_owned();
                // The part of the line covered by the match.
                let cover_start = span.start.clamp(line_range.start, line_range.end);
                let cover_end = span.end.clamp(line_range.start, line_range.end);
                // Only the part of the line a snippet can show is decoded: more than
                // SNIPPET_MAX characters each side of the match (a character is at most 4
                // bytes), so the window is the one the whole line would give, and a finding
                // costs the same on a megabyte-long line as on a short one.
                let whole_line_start = line_range.start;
                let line_range = source.window_within(
                    line_range,
                    cover_start.saturating_sub(SNIPPET_CONTEXT_BYTES)
                        ..cover_end.saturating_add(SNIPPET_CONTEXT_BYTES),
                );
                // Borrowed, not copied, when the line is valid UTF-8.
                let line_text = String::from_utf8_lossy(&source.bytes[line_range.clone()]);
                let to_chars = |b: usize| {
                    String::from_utf8_lossy(&source.bytes[line_range.start..b])
                        .chars()
                        .count()
                };
                let range = to_chars(cover_start)..to_chars(cover_end);
                // The match's column, counted from the window's start.
                let skipped = if line_range.start == whole_line_start {
                    0
                } else {
                    source.position(line_range.start).column as usize - 1
                };
                let focus = (start.column as usize - 1).saturating_sub(skipped);
                (
                    source.rel_path,
                    start,
                    end,
                    line_text,
                    range,
                    focus,
                    matched,
                )
            }
            Place::Line { path, line, text } => {
                let start = crate::source::Position {
                    line: *line,
                    column: 1,
                };
                let text = std::borrow::Cow::Borrowed(text.unwrap_or(""));
                let end = crate::source::Position {
                    line: *line,
                    column: text.chars().count() as u32 + 1,
                };
                (
                    *path,
                    start,
                    end,
                    text,
                    0..0,
                    0,
                    value.unwrap_or("").to_owned(),
                )
            }
        };

        let shown_value = value.map(|v| if rule.secret { redact(v) } else { v.to_owned() });
        let message = sanitize(&rule.render_message(shown_value.as_deref())).into_owned();

        let secret_range = rule.secret.then_some(snippet_range);
        let (snippet, snippet_column) =
            snippet_window(&line_text, secret_range, focus, SNIPPET_MAX);
        let snippet_column = if snippet_column == start.column.saturating_sub(1) as usize {
            0
        } else {
            snippet_column
        };

        let confidence = if rule.secret && is_test_path(path) {
            rule.confidence.lowered()
        } else {
            rule.confidence
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
            fingerprint: fingerprint(rule.id.as_str(), path, &matched),
            fix: rule.autofix,
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

/// The snippet: `window(line', focus, max)` where `line'` is `line` with the characters in
/// `secret` (a character range) redacted. Computed without building `line'` (or a `Vec<char>`)
/// when the result is a window, so a finding on a megabyte-long line costs a few passes over it
/// and no copy.
fn snippet_window(
    line: &str,
    secret: Option<Range<usize>>,
    focus: usize,
    max: usize,
) -> (String, usize) {
    let (redacted, secret) = match secret {
        Some(range) if !range.is_empty() => {
            let value: String = line.chars().skip(range.start).take(range.len()).collect();
            (redact(&value), range)
        }
        _ => (String::new(), 0..0),
    };
    let chars = || {
        line.chars()
            .take(secret.start)
            .chain(redacted.chars())
            .chain(line.chars().skip(secret.end))
    };
    let count = line.chars().count() - secret.len() + redacted.chars().count();
    window_of(chars, count, focus, max)
}

/// Sorts findings by (path, line, column, rule).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
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

    /// The snippet as it was first computed: materialise the redacted line, then window it.
    fn reference(
        line: &str,
        secret: Option<Range<usize>>,
        focus: usize,
        max: usize,
    ) -> (String, usize) {
        let line = match secret {
            Some(range) if !range.is_empty() => {
                let chars: Vec<char> = line.chars().collect();
                let value: String = chars[range.clone()].iter().collect();
                let mut out: String = chars[..range.start].iter().collect();
                out.push_str(&redact(&value));
                out.extend(&chars[range.end..]);
                out
            }
            _ => line.to_owned(),
        };
        crate::display::window(&line, focus, max)
    }

    /// A finding deep in a long line gets the snippet (and columns) that windowing the whole
    /// line gives, though only a few hundred bytes of the line are decoded for it.
    #[test]
    fn findings_on_long_lines_window_as_the_whole_line_would() {
        let catalog = crate::catalog::Catalog::embedded().unwrap();
        let line = format!(
            "{}x = \"AKIAABCDEFGHIJKLMNOP\" {}",
            "é a".repeat(3_000),
            "ü b".repeat(2_000)
        );
        let text = format!("head\n{line}\ntail\n");
        let source = Source::new("a.py", crate::source::FileKind::Python, text.as_bytes());
        for (rule, secret) in [("secrets/aws-access-key", true), ("code/eval", false)] {
            let rule = catalog.rule(rule).unwrap();
            for needle in ["AKIA", "é a", "ü b\n"] {
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
                );
                let column = line[..at - 5].chars().count();
                let end_column = line[..span.end - 5].chars().count();
                assert_eq!((finding.line, finding.column), (2, column as u32 + 1));
                assert_eq!(finding.end_column, end_column as u32 + 1);
                let secret_range = secret.then_some(column..end_column);
                let (snippet, focus) = reference(&line, secret_range, column, SNIPPET_MAX);
                assert_eq!(finding.snippet, sanitize(&snippet), "{needle}");
                assert_eq!(finding.caret_column(), focus, "{needle}");
            }
        }
    }

    #[test]
    fn snippet_window_matches_the_reference() {
        let lines = [
            String::new(),
            "short".to_owned(),
            "é".repeat(300),
            format!(
                "{}SECRETVALUE1234567890{}",
                "a".repeat(500),
                "çb".repeat(400)
            ),
            format!("x = \"{}\"", "k".repeat(40)),
            "token".repeat(40),
        ];
        for line in &lines {
            let n = line.chars().count();
            for max in [1, 10, 160] {
                for focus in [0, 1, n / 3, n / 2, n.saturating_sub(1), n] {
                    let mut ranges = vec![None, Some(0..0)];
                    for len in [1, 11, 12, 30, n] {
                        let end = (focus + len).min(n);
                        ranges.push(Some(focus.min(end)..end));
                    }
                    for secret in ranges {
                        assert_eq!(
                            snippet_window(line, secret.clone(), focus, max),
                            reference(line, secret.clone(), focus, max),
                            "line of {n} chars, focus {focus}, max {max}, secret {secret:?}"
                        );
                    }
                }
            }
        }
    }
}
