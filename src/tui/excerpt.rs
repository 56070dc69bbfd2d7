//! The user's code around a finding, made safe to show: control characters escaped, tabs
//! expanded, very long lines cut, and the values of secret findings redacted on every line shown
//! (the focus finding and any other secret finding in view).

use crate::display::{redact, sanitize, window};
use crate::finding::Finding;

/// Lines shown above and below the finding.
pub const RADIUS: u32 = 3;
/// Longest line shown, in characters.
const MAX_LINE: usize = 240;

/// A few numbered lines of a file, with the finding's lines marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// 1-based number of `lines[0]`.
    pub first_line: u32,
    pub lines: Vec<String>,
    /// 1-based lines of the finding (inclusive).
    pub focus: (u32, u32),
}

/// Cuts the excerpt around `focus` out of `bytes`. `secrets` are the secret findings in this file
/// (the focus included when it is one): their values are redacted wherever they show.
pub fn excerpt(bytes: &[u8], focus: &Finding, secrets: &[&Finding]) -> Excerpt {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let focus_end = focus.end_line.max(focus.line);
    // Show at most a dozen lines of a long multi-line finding (a private key block).
    let last_focus = focus_end.min(focus.line.saturating_add(8));
    let first = focus.line.saturating_sub(RADIUS).max(1);
    let last = last_focus.saturating_add(RADIUS);
    let newlines = text.matches('\n').count() as u32;
    let total = if text.ends_with('\n') {
        newlines
    } else {
        newlines + 1
    };
    let mut lines = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let number = i as u32 + 1;
        if number < first {
            continue;
        }
        if number > last || number > total {
            break;
        }
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let masked = mask_line(raw, number, secrets);
        let focus_column = if number == focus.line {
            focus.column.saturating_sub(1) as usize
        } else {
            0
        };
        let (cut, _) = window(&masked, focus_column, MAX_LINE);
        let expanded = cut.replace('\t', "    ");
        lines.push(sanitize(&expanded).into_owned());
    }
    Excerpt {
        first_line: first,
        lines,
        focus: (focus.line, last_focus),
    }
}

/// Replaces the parts of line `number` covered by a secret finding with their redacted form.
fn mask_line(raw: &str, number: u32, secrets: &[&Finding]) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for finding in secrets {
        let end_line = finding.end_line.max(finding.line);
        if number < finding.line || number > end_line {
            continue;
        }
        let (start, end) =
            if number == finding.line && number == end_line && finding.end_column <= finding.column
            {
                // No span (a whole-file finding): hide the whole line.
                (0, chars.len())
            } else {
                let start = if number == finding.line {
                    finding.column.saturating_sub(1) as usize
                } else {
                    0
                };
                let end = if number == end_line {
                    finding.end_column.saturating_sub(1) as usize
                } else {
                    chars.len()
                };
                (start, end)
            };
        let (start, end) = (start.min(chars.len()), end.min(chars.len()));
        if start < end {
            ranges.push((start, end));
        }
    }
    if ranges.is_empty() {
        return raw.to_owned();
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = String::new();
    let mut at = 0;
    for (start, end) in merged {
        out.extend(&chars[at..start]);
        let secret: String = chars[start..end].iter().collect();
        if secret.trim().is_empty() {
            out.push_str(&secret);
        } else {
            out.push_str(&redact(&secret));
        }
        at = end;
    }
    out.extend(&chars[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Autofix, Confidence, RuleId, Severity};

    fn finding(line: u32, column: u32, end_line: u32, end_column: u32) -> Finding {
        Finding {
            rule: RuleId::parse("secrets/generic-assignment").unwrap(),
            severity: Severity::High,
            confidence: Confidence::High,
            path: "app/settings.py".into(),
            line,
            column,
            end_line,
            end_column,
            message: String::new(),
            snippet: String::new(),
            snippet_column: 0,
            fingerprint: String::new(),
            fix: Autofix::None,
        }
    }

    const FILE: &str = "import os\n\nDEBUG = False\nAPI_KEY = \"sk_test_FAKEFAKEFAKEFAKE1234\"\nOTHER = \"abcdefghijklmnopqrstuv\"\nname = 'x'\n\tindented()\n";

    #[test]
    fn shows_numbered_lines_around_the_finding() {
        let f = finding(4, 12, 4, 40);
        let ex = excerpt(FILE.as_bytes(), &f, &[]);
        assert_eq!(ex.first_line, 1);
        assert_eq!(ex.focus, (4, 4));
        assert_eq!(ex.lines.len(), 7);
        assert_eq!(ex.lines[6], "    indented()");
    }

    #[test]
    fn redacts_every_secret_in_view() {
        let focus = finding(4, 12, 4, 40);
        let other = finding(5, 10, 5, 32);
        let ex = excerpt(FILE.as_bytes(), &focus, &[&focus, &other]);
        assert_eq!(
            ex.lines[3],
            format!("API_KEY = \"{}\"", redact("sk_test_FAKEFAKEFAKEFAKE1234"))
        );
        assert_eq!(
            ex.lines[4],
            format!("OTHER = \"{}\"", redact("abcdefghijklmnopqrstuv"))
        );
        assert!(!ex.lines.concat().contains("FAKEFAKE"));
    }

    #[test]
    fn whole_line_findings_hide_the_whole_line() {
        let f = finding(4, 1, 4, 1);
        let ex = excerpt(FILE.as_bytes(), &f, &[&f]);
        assert!(!ex.lines[3].contains("FAKE"), "{}", ex.lines[3]);
    }

    #[test]
    fn multi_line_secrets_are_masked_on_every_line() {
        let text = "key = '''\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n'''\n";
        let f = finding(2, 1, 4, 26);
        let ex = excerpt(text.as_bytes(), &f, &[&f]);
        assert!(!ex.lines.concat().contains("MIIEvQ"), "{:?}", ex.lines);
        assert_eq!(ex.lines[0], "key = '''");
    }

    #[test]
    fn escapes_control_characters_and_survives_odd_input() {
        let text = "a\x1b[2Jb\n";
        let f = finding(1, 1, 1, 2);
        assert_eq!(excerpt(text.as_bytes(), &f, &[]).lines, ["a\\u{1b}[2Jb"]);
        let f = finding(99, 1, 99, 1);
        assert!(excerpt(b"", &f, &[&f]).lines.is_empty());
        let _ = excerpt(&[0xff, 0xfe, 0x00], &finding(1, 5, 1, 2), &[]);
    }
}
