//! The one finding type: owned plain data that crosses from the scan thread to the TUI and into
//! JSON, SARIF and Markdown unchanged.

use crate::catalog::{Autofix, Confidence, Rule, RuleId, Severity};
use crate::display::{redact, sanitize, window};
use crate::source::{Source, is_test_path};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::ops::Range;

/// Longest snippet kept, in characters (minified files have megabyte-long lines).
const SNIPPET_MAX: usize = 160;

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
        let (path, start, end, line_text, snippet_range, matched) = match &place {
            Place::Span { source, span } => {
                let start = source.position(span.start);
                let end = source.position(span.end.max(span.start));
                let line_range = source
                    .line_range(start.line)
                    .unwrap_or(span.start..span.start);
                let matched = String::from_utf8_lossy(&source.bytes[span.clone()]).into_owned();
                let line_text =
                    String::from_utf8_lossy(&source.bytes[line_range.clone()]).into_owned();
                // The part of the line covered by the match, in characters.
                let cover_start = span.start.clamp(line_range.start, line_range.end);
                let cover_end = span.end.clamp(line_range.start, line_range.end);
                let to_chars = |b: usize| {
                    String::from_utf8_lossy(&source.bytes[line_range.start..b])
                        .chars()
                        .count()
                };
                let range = to_chars(cover_start)..to_chars(cover_end);
                (source.rel_path, start, end, line_text, range, matched)
            }
            Place::Line { path, line, text } => {
                let start = crate::source::Position {
                    line: *line,
                    column: 1,
                };
                let text = text.unwrap_or("").to_owned();
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
                    value.unwrap_or("").to_owned(),
                )
            }
        };

        let shown_value = value.map(|v| if rule.secret { redact(v) } else { v.to_owned() });
        let message = sanitize(&rule.render_message(shown_value.as_deref())).into_owned();

        let line_text = if rule.secret && !snippet_range.is_empty() {
            let chars: Vec<char> = line_text.chars().collect();
            let secret: String = chars[snippet_range.clone()].iter().collect();
            let mut out: String = chars[..snippet_range.start].iter().collect();
            out.push_str(&redact(&secret));
            out.extend(&chars[snippet_range.end..]);
            out
        } else {
            line_text
        };
        let (snippet, snippet_column) = window(
            &line_text,
            start.column.saturating_sub(1) as usize,
            SNIPPET_MAX,
        );
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
