//! Making untrusted text safe to show: file names and contents never reach a terminal or a report
//! raw (control characters and escape sequences are shown escaped), and secrets are redacted.

use std::borrow::Cow;

/// True for characters that could move the cursor, change colours or reorder text.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Escapes control characters, escape sequences and bidi overrides as `\u{…}`; tabs become a
/// space. Ordinary text (any language) passes through unchanged.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) || c == '\t') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\t' {
            out.push(' ');
        } else if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text of `value` (pretty, or one line) in which every character that could control a
/// terminal or reorder text is written as a `\uXXXX` escape: JSON escapes C0 controls itself, but
/// not DEL, C1 controls (U+009B starts an escape sequence) or bidirectional overrides. The value
/// decodes unchanged; the text carries none of them raw. No trailing newline.
pub fn json<T: serde::Serialize + ?Sized>(value: &T, pretty: bool) -> String {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .expect("values made of strings, numbers and maps always serialise");
    // Such characters only ever occur inside JSON strings, where an escape means the same.
    // C0 controls never occur raw in serde_json's output (line breaks there are layout).
    let escape = |c: char| (c as u32 >= 0x7f && is_unsafe(c)) || is_line_separator(c);
    if !text.chars().any(escape) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escape(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// U+2028 and U+2029: line breaks to some readers of JSON (JavaScript before ES2019).
fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// Like [`sanitize`], but keeps line breaks (for multi-line diagnostics).
pub fn sanitize_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| sanitize(line.trim_end_matches('\r')))
        .collect::<Vec<_>>()
        .join("\n")
}

/// "1 finding", "2 findings": a count with its noun, plural when it is not one. Every message
/// that counts something goes through here (nouns with a plain `s` plural).
pub fn count(n: impl TryInto<u64>, noun: &str) -> String {
    let n: u64 = n.try_into().unwrap_or(u64::MAX);
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Redacts a secret: at most the first 4 and the last 2 characters stay visible, and only when
/// the secret is long enough that those reveal little.
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 12 {
        return "****".to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}****{tail}")
}

/// Cuts `text` to at most `max` characters around character index `focus`, marking cuts with
/// `…`. Returns the window and the character index in it where `focus` now lands.
pub fn window(text: &str, focus: usize, max: usize) -> (String, usize) {
    window_of(|| text.chars(), text.chars().count(), focus, max)
}

/// [`window`] over `count` characters that `chars` yields afresh each time it is called, so a
/// caller can window a text it never builds (a long line with a secret redacted on the fly).
pub fn window_of<I: Iterator<Item = char>>(
    chars: impl Fn() -> I,
    count: usize,
    focus: usize,
    max: usize,
) -> (String, usize) {
    if count <= max {
        return (chars().collect(), focus);
    }
    let before = max / 3;
    let start = focus.saturating_sub(before).min(count.saturating_sub(max));
    let end = (start + max).min(count);
    let mut out = String::new();
    let mut new_focus = focus - start;
    if start > 0 {
        out.push('…');
        new_focus += 1;
    }
    out.extend(chars().skip(start).take(end - start));
    if end < count {
        out.push('…');
    }
    (out, new_focus)
}

#[cfg(test)]
mod tests {

    #[test]
    fn counts_say_one_thing_and_many_things() {
        assert_eq!(count(1u32, "finding"), "1 finding");
        assert_eq!(count(0usize, "file"), "0 files");
        assert_eq!(count(12u64, "rule"), "12 rules");
    }

    use super::*;

    #[test]
    fn escapes_terminal_sequences() {
        assert_eq!(sanitize("plain ünïcode"), "plain ünïcode");
        assert_eq!(sanitize("a\x1b[31mred\x07"), "a\\u{1b}[31mred\\u{7}");
        assert_eq!(sanitize("line\nbreak\r"), "line\\u{a}break\\u{d}");
        assert_eq!(sanitize("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(sanitize("\u{9b}31m"), "\\u{9b}31m");
    }

    #[test]
    fn json_escapes_what_could_control_a_terminal_and_decodes_unchanged() {
        let path = "a\u{7f}b\u{9b}31m\u{202e}gpj.exe\u{2028}\x1b[2J\tü";
        for pretty in [true, false] {
            let text = json(&serde_json::json!({ "path": path }), pretty);
            assert!(
                !text.chars().any(|c| c.is_control() && c != '\n' && c != ' '
                    || matches!(c, '\u{202e}' | '\u{2028}')),
                "{text:?}"
            );
            assert!(
                text.contains("\\u007f") && text.contains("\\u202e"),
                "{text}"
            );
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back["path"], path);
        }
    }

    #[test]
    fn redaction_shows_at_most_four_and_two() {
        assert_eq!(redact("AKIAABCDEFGHIJKLMNOP"), "AKIA****OP");
        assert_eq!(redact("short"), "****");
    }

    #[test]
    fn windows_long_lines_around_the_focus() {
        let line = "x".repeat(1000) + "SECRET" + &"y".repeat(1000);
        let (w, focus) = window(&line, 1000, 120);
        assert!(w.chars().count() <= 122);
        assert_eq!(w.chars().skip(focus).take(6).collect::<String>(), "SECRET");
        assert_eq!(window("short", 2, 120), ("short".to_owned(), 2));
    }
}
