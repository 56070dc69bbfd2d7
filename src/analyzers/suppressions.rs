//! Inline suppressions: `seccoach:ignore <rule-id>[,<rule-id>…] -- <reason> [until YYYY-MM-DD]`
//! in any comment syntax, on the finding's line or the line above.
//!
//! The scan applies valid suppressions; this analyzer reports the invalid ones (no reason, an
//! unknown rule id, a date that has passed, a date that is not a date), so that a suppression is
//! always a decision someone wrote down and can be held to.

use super::{Context, Hit};
use crate::source::{FileKind, Source};
use jiff::civil::Date;
use std::ops::Range;

const MARKER: &str = "seccoach:ignore";

/// One parsed suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// 1-based line of the comment.
    pub line: u32,
    /// Byte range of the directive in the file.
    pub span: Range<usize>,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    pub until: Option<Date>,
    /// Set when `until` was given but is not a valid date.
    pub bad_date: Option<String>,
}

impl Suppression {
    /// Why this suppression does not count, if it does not.
    pub fn problem(&self, cx: &Context) -> Option<String> {
        if self.rules.is_empty() {
            return Some(
                "names no rule id (write `seccoach:ignore <rule-id> -- <why this is safe>`)"
                    .to_owned(),
            );
        }
        if let Some(pattern) = self.rules.iter().find(|r| r.contains(['*', '?', '['])) {
            return Some(format!(
                "uses the pattern `{pattern}`, but suppressions name each rule id; to switch rules off everywhere, use `disable` in .seccoach.toml"
            ));
        }
        if let Some(unknown) = self.rules.iter().find(|r| cx.catalog.rule(r).is_none()) {
            return Some(format!("names unknown rule `{unknown}`"));
        }
        if self.reason.is_none() {
            return Some(format!(
                "for {} gives no reason (add `-- <why this is safe>`)",
                self.rules.join(",")
            ));
        }
        if let Some(bad) = &self.bad_date {
            return Some(format!("has an invalid date `{bad}` (expected YYYY-MM-DD)"));
        }
        match self.until {
            Some(until) if until < cx.today => {
                Some(format!("for {} expired on {until}", self.rules.join(",")))
            }
            _ => None,
        }
    }

    /// True when this (valid) suppression covers `rule` on 1-based `line`.
    pub fn covers(&self, rule: &str, line: u32) -> bool {
        (self.line == line || self.line + 1 == line) && self.rules.iter().any(|r| r == rule)
    }
}

/// True when suppressions in this file are honoured (prose files only talk about them).
pub fn applies_to(kind: FileKind) -> bool {
    kind != FileKind::Markdown
}

/// Every suppression directive in the file.
pub fn parse(src: &Source) -> Vec<Suppression> {
    let mut out = Vec::new();
    if !applies_to(src.kind) {
        return out;
    }
    for at in memchr::memmem::find_iter(src.bytes, MARKER.as_bytes()) {
        // A directive lives in a comment; elsewhere the words are only being talked about.
        if !src.in_comment(at) {
            continue;
        }
        let pos = src.position(at);
        let Some(line_range) = src.line_range(pos.line) else {
            continue;
        };
        let rest_start = at + MARKER.len();
        // `seccoach:ignored`, `seccoach:ignore-all`: another word, not the directive.
        if src
            .bytes
            .get(rest_start)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        {
            continue;
        }
        // A comment that starts with the marker is a directive, however malformed; further in,
        // the words may only be talked about (`see seccoach:ignore <rule-id>`).
        let opens_comment = {
            let before = String::from_utf8_lossy(&src.bytes[line_range.start..at]);
            let before = before.trim_end();
            src.kind
                .line_comments()
                .iter()
                .any(|marker| before.ends_with(marker))
        };
        let rest =
            String::from_utf8_lossy(&src.bytes[rest_start.min(line_range.end)..line_range.end]);
        // The directive ends where a block comment closes.
        let rest = ["*/", "-->", "%>", "?>"]
            .iter()
            .filter_map(|close| rest.find(close))
            .min()
            .map_or(rest.as_ref(), |end| &rest[..end])
            .trim();
        let (ids, tail) = match rest.split_once("--") {
            Some((ids, tail)) => (ids.trim(), Some(tail.trim())),
            None => (rest, None),
        };
        let looks_like_id = |word: &str| {
            word.contains('/')
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/')
        };
        if !opens_comment
            && !ids
                .split([',', ' '])
                .find(|w| !w.is_empty())
                .is_some_and(looks_like_id)
        {
            continue;
        }
        let rules: Vec<String> = ids
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let mut reason = tail.map(str::to_owned);
        let mut until = None;
        let mut bad_date = None;
        if let Some(text) = reason.clone()
            && let Some(idx) = text
                .rfind(" until ")
                .or_else(|| text.starts_with("until ").then_some(0))
        {
            let date_text = text[idx..].trim().trim_start_matches("until").trim();
            match date_text.parse::<Date>() {
                Ok(date) if date_text.len() == 10 => until = Some(date),
                _ => bad_date = Some(date_text.to_owned()),
            }
            reason = Some(text[..idx].trim().to_owned());
        }
        let reason = reason.filter(|r| !r.trim().is_empty());
        out.push(Suppression {
            line: pos.line,
            span: at..line_range.end,
            rules,
            reason,
            until,
            bad_date,
        });
    }
    out
}

/// Reports every suppression that does not count.
pub fn check(cx: &Context, src: &Source, out: &mut Vec<Hit>) {
    for suppression in parse(src) {
        if let Some(problem) = suppression.problem(cx) {
            out.push(
                Hit::new(
                    crate::rules::REPO_INVALID_SUPPRESSION,
                    suppression.span.clone(),
                )
                .with_value(problem),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_one(text: &str) -> Suppression {
        let src = Source::new("a.py", FileKind::Python, text.as_bytes());
        let mut all = parse(&src);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    #[test]
    fn parses_rule_reason_and_date() {
        let s = parse_one(
            "x = 1\n# seccoach:ignore code/eval, code/weak-hash -- sandboxed input until 2030-01-31\n",
        );
        assert_eq!(s.line, 2);
        assert_eq!(s.rules, ["code/eval", "code/weak-hash"]);
        assert_eq!(s.reason.as_deref(), Some("sandboxed input"));
        assert_eq!(s.until, Some(jiff::civil::date(2030, 1, 31)));
        assert!(s.covers("code/eval", 3));
        assert!(s.covers("code/eval", 2));
        assert!(!s.covers("code/eval", 4));
    }

    #[test]
    fn missing_reason_and_bad_dates_are_noticed() {
        let s = parse_one("# seccoach:ignore code/eval\n");
        assert_eq!(s.reason, None);
        let s = parse_one("# seccoach:ignore code/eval -- ok until 2030-13-01\n");
        assert_eq!(s.bad_date.as_deref(), Some("2030-13-01"));
        assert_eq!(s.reason.as_deref(), Some("ok"));
    }

    #[test]
    fn block_comment_closers_end_the_directive() {
        let src = Source::new(
            "a.js",
            FileKind::Javascript,
            b"/* seccoach:ignore code/eval -- trusted */\n",
        );
        assert_eq!(parse(&src)[0].reason.as_deref(), Some("trusted"));
    }

    #[test]
    fn malformed_directives_are_parsed_so_they_can_be_reported() {
        for (text, rules) in [
            ("# seccoach:ignore * -- all of it\n", vec!["*"]),
            (
                "x = 1  # seccoach:ignore code/* -- every code rule\n",
                vec!["code/*"],
            ),
            ("# seccoach:ignore\n", vec![]),
            ("// seccoach:ignore -- no rule\n", vec![]),
        ] {
            let kind = if text.starts_with("//") {
                FileKind::Javascript
            } else {
                FileKind::Python
            };
            let src = Source::new("a", kind, text.as_bytes());
            let all = parse(&src);
            assert_eq!(all.len(), 1, "{text}");
            assert_eq!(all[0].rules, rules, "{text}");
        }
        let src = Source::new("a.py", FileKind::Python, b"# seccoach:ignored before\n");
        assert!(parse(&src).is_empty());
    }

    #[test]
    fn mentions_outside_comments_or_without_an_id_are_not_directives() {
        let src = Source::new(
            "a.py",
            FileKind::Python,
            b"MARK = \"seccoach:ignore code/eval\"\n# see seccoach:ignore <rule-id> docs\n",
        );
        assert!(parse(&src).is_empty());
    }
}
