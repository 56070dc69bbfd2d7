//! The user's code around a finding, made safe to show: control characters escaped, tabs
//! expanded, very long lines cut, and every secret the rules find in the file redacted on every
//! line shown (through [`Secrets`], as everywhere else).

use crate::display::{sanitize, window};
use crate::finding::Finding;
use crate::redact::Secrets;
use crate::scan::Scanner;
use crate::source::{FileKind, Source};
use std::path::Path;

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

/// The file's text as the scan reads it: without a UTF-8 byte-order mark.
pub fn text_of(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// Reads the file of `finding` under `root` and cuts its excerpt, every secret `scanner`'s rules
/// find in the file as it is now redacted.
pub fn load(scanner: &Scanner, root: &Path, finding: &Finding) -> Result<Excerpt, String> {
    let bytes = super::jobs::read_limited(&crate::scan::fs_path(root, &finding.path))?;
    let text = text_of(&bytes);
    let kind = FileKind::detect(&finding.path, &text[..text.len().min(256)]);
    let secrets = scanner.secrets_in(&Source::new(&finding.path, kind, text));
    Ok(excerpt(text, finding, &secrets))
}

/// Cuts the excerpt around `focus` out of `text` (see [`text_of`]). `secrets` are the secrets
/// found in that text: they are redacted wherever they show.
pub fn excerpt(text: &[u8], focus: &Finding, secrets: &Secrets) -> Excerpt {
    let focus_end = focus.end_line.max(focus.line);
    // Show at most a dozen lines of a long multi-line finding (a private key block).
    let last_focus = focus_end.min(focus.line.saturating_add(8));
    let first = focus.line.saturating_sub(RADIUS).max(1);
    let last = last_focus.saturating_add(RADIUS);
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        let number = i as u32 + 1;
        let range = start..start + raw.len();
        start += raw.len() + 1;
        if number < first {
            continue;
        }
        // The piece after the last line break is a line only when it holds something.
        if number > last || (range.is_empty() && range.start == text.len() && number > 1) {
            break;
        }
        let end = if raw.ends_with(b"\r") {
            range.end - 1
        } else {
            range.end
        };
        let (masked, _) = secrets.mask_span(text, range.start..end, range.start);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Autofix, Confidence, RuleId, Severity};
    use crate::display::redact;

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
            legacy_fingerprint: None,
            fix: Autofix::None,
            in_test_code: false,
        }
    }

    const FILE: &str = "import os\n\nDEBUG = False\nAPI_KEY = \"sk_test_FAKEFAKEFAKEFAKE1234\"\nOTHER = \"abcdefghijklmnopqrstuv\"\nname = 'x'\n\tindented()\n";

    fn secrets(text: &str, values: &[&str]) -> Secrets {
        Secrets::new(
            text.as_bytes(),
            values.iter().map(|v| {
                let at = text.find(v).unwrap();
                at..at + v.len()
            }),
        )
    }

    #[test]
    fn shows_numbered_lines_around_the_finding() {
        let f = finding(4, 12, 4, 40);
        let ex = excerpt(FILE.as_bytes(), &f, &Secrets::default());
        assert_eq!(ex.first_line, 1);
        assert_eq!(ex.focus, (4, 4));
        assert_eq!(ex.lines.len(), 7);
        assert_eq!(ex.lines[6], "    indented()");
    }

    #[test]
    fn redacts_every_secret_in_view_and_its_copies() {
        let text = format!("{FILE}again = 'sk_test_FAKEFAKEFAKEFAKE1234'\n");
        let focus = finding(4, 12, 4, 40);
        let found = secrets(
            &text,
            &["sk_test_FAKEFAKEFAKEFAKE1234", "abcdefghijklmnopqrstuv"],
        );
        let ex = excerpt(text.as_bytes(), &focus, &found);
        assert_eq!(
            ex.lines[3],
            format!("API_KEY = \"{}\"", redact("sk_test_FAKEFAKEFAKEFAKE1234"))
        );
        assert_eq!(
            ex.lines[4],
            format!("OTHER = \"{}\"", redact("abcdefghijklmnopqrstuv"))
        );
        assert!(!ex.lines.concat().contains("FAKEFAKE"), "{:?}", ex.lines);
        assert_eq!(ex.lines.len(), 5 + 2);
    }

    #[test]
    fn multi_line_secrets_are_masked_on_every_line() {
        let text = "key = '''\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n'''\n";
        let f = finding(2, 1, 4, 26);
        let block = &text[text.find("-----BEGIN").unwrap()..text.find("\n'''").unwrap()];
        let ex = excerpt(text.as_bytes(), &f, &secrets(text, &[block]));
        assert!(!ex.lines.concat().contains("MIIEvQ"), "{:?}", ex.lines);
        assert_eq!(ex.lines[0], "key = '''");
        assert_eq!(ex.lines.len(), 5);
    }

    #[test]
    fn escapes_control_characters_and_survives_odd_input() {
        let text = "a\x1b[2Jb\n";
        let f = finding(1, 1, 1, 2);
        assert_eq!(
            excerpt(text.as_bytes(), &f, &Secrets::default()).lines,
            ["a\\u{1b}[2Jb"]
        );
        let f = finding(99, 1, 99, 1);
        assert!(excerpt(b"", &f, &Secrets::default()).lines.is_empty());
        let _ = excerpt(
            &[0xff, 0xfe, 0x00],
            &finding(1, 5, 1, 2),
            &Secrets::default(),
        );
        assert_eq!(text_of(b"\xef\xbb\xbfx = 1"), b"x = 1");
    }
}
