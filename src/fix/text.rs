//! Line-level text editing that keeps a file's own conventions: its line endings (CRLF stays
//! CRLF), its indentation, and every byte the edit does not mean to touch. Each helper returns
//! an [`Edit`] of the text it is given.

use crate::edit::Edit;

/// The file's newline: `\r\n` if it uses CRLF anywhere, else `\r` if it uses lone carriage
/// returns (classic Mac), else `\n`.
pub fn newline(text: &str) -> &'static str {
    newline_of(text.as_bytes())
}

/// [`newline`] of bytes that may not be UTF-8.
pub fn newline_of(bytes: &[u8]) -> &'static str {
    if memchr::memmem::find(bytes, b"\r\n").is_some() {
        "\r\n"
    } else if memchr::memchr(b'\r', bytes).is_some() {
        "\r"
    } else {
        "\n"
    }
}

/// True when `text` ends with a line break of any convention.
pub fn ends_with_break(text: &str) -> bool {
    text.ends_with(['\n', '\r'])
}

/// Byte range of 1-based `line` without its line ending (`\n`, `\r\n` or a lone `\r`).
pub fn line_range(text: &str, line: u32) -> Option<std::ops::Range<usize>> {
    let index = (line as usize).checked_sub(1)?;
    let starts = crate::source::line_starts(text.as_bytes());
    let start = *starts.get(index)?;
    let end = match starts.get(index + 1) {
        Some(&next) => {
            let bytes = text.as_bytes();
            if next >= 2 && bytes[next - 1] == b'\n' && bytes[next - 2] == b'\r' {
                next - 2
            } else {
                next - 1
            }
        }
        None => text.len(),
    };
    Some(start..end)
}

/// Byte range in `line` of the 1-based character columns `start..end` (end exclusive), as
/// findings count them.
pub fn char_span(line: &str, start: u32, end: u32) -> Option<std::ops::Range<usize>> {
    let byte_at = |column: u32| {
        let index = usize::try_from(column.checked_sub(1)?).ok()?;
        line.char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(line.len()))
            .nth(index)
    };
    let (from, to) = (byte_at(start)?, byte_at(end)?);
    (from < to).then_some(from..to)
}

/// The text of 1-based `line` without its line ending.
pub fn line(text: &str, line: u32) -> Option<&str> {
    line_range(text, line).map(|r| &text[r])
}

/// Leading whitespace of a line.
pub fn indent(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// The indentation step the file uses (the smallest non-zero indentation), at least 2 spaces.
pub fn indent_unit(text: &str) -> usize {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .filter(|n| *n > 0)
        .min()
        .unwrap_or(2)
        .max(2)
}

/// Number of lines, counting a last line without a newline.
pub fn line_count(text: &str) -> u32 {
    let starts = crate::source::line_starts(text.as_bytes()).len() as u32;
    if ends_with_break(text) || text.is_empty() {
        starts - 1
    } else {
        starts
    }
}

/// Inserts `lines` before 1-based `line` (or at the end when `line` is past the last line), as
/// whole lines in the file's line ending.
pub fn insert_before(text: &str, line: u32, lines: &[String]) -> Edit {
    let nl = newline(text);
    let block: String = lines.iter().map(|l| format!("{l}{nl}")).collect();
    match line_range(text, line) {
        Some(range) if line <= line_count(text) => Edit::insert(range.start, block),
        _ if !text.is_empty() && !ends_with_break(text) => {
            Edit::insert(text.len(), format!("{nl}{block}"))
        }
        _ => Edit::insert(text.len(), block),
    }
}

/// Inserts `lines` after 1-based `line`.
pub fn insert_after(text: &str, line: u32, lines: &[String]) -> Edit {
    insert_before(text, line + 1, lines)
}

/// Replaces the first `from` at or after character column `column` (1-based) of `line` with
/// `to`.
pub fn replace_in_line(text: &str, line: u32, column: u32, from: &str, to: &str) -> Option<Edit> {
    let range = line_range(text, line)?;
    let body = &text[range.clone()];
    let skip = body
        .char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(body.len(), |(i, _)| i);
    let at = range.start + skip + body[skip..].find(from)?;
    Some(Edit::replace(at..at + from.len(), to))
}

/// Byte offset of the start of 1-based `line`.
pub fn offset_of_line(text: &str, line: u32) -> Option<usize> {
    line_range(text, line).map(|r| r.start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply_edits;

    fn with(text: &str, edit: Edit) -> String {
        apply_edits(text, &[edit]).unwrap()
    }

    #[test]
    fn inserts_keep_crlf_and_the_rest_of_the_file() {
        let text = "a\r\nb\r\nc";
        assert_eq!(
            with(text, insert_before(text, 2, &["x".into()])),
            "a\r\nx\r\nb\r\nc"
        );
        // Past the end of a file without a final line break: the break comes first.
        assert_eq!(
            with(text, insert_before(text, 9, &["x".into()])),
            "a\r\nb\r\nc\r\nx\r\n"
        );
        assert_eq!(
            with("a\nb\n", insert_after("a\nb\n", 2, &["x".into()])),
            "a\nb\nx\n"
        );
        assert_eq!(line(text, 2), Some("b"));
        assert_eq!(line_count("a\nb"), 2);
    }

    #[test]
    fn lone_carriage_returns_are_line_breaks_and_are_kept() {
        let text = "a\rb\rc";
        assert_eq!(newline(text), "\r");
        assert_eq!(line(text, 2), Some("b"));
        assert_eq!(line_count(text), 3);
        assert_eq!(line_count("a\rb\r"), 2);
        assert_eq!(
            with(text, insert_before(text, 2, &["x".into()])),
            "a\rx\rb\rc"
        );
        assert_eq!(
            with(text, insert_after(text, 3, &["x".into()])),
            "a\rb\rc\rx\r"
        );
        assert_eq!(
            with(text, replace_in_line(text, 3, 1, "c", "d").unwrap()),
            "a\rb\rd"
        );
    }

    #[test]
    fn replaces_within_one_line_only_from_the_column() {
        let text = "x: true\ny: true # true\n";
        assert_eq!(
            with(text, replace_in_line(text, 2, 1, "true", "false").unwrap()),
            "x: true\ny: false # true\n"
        );
        assert_eq!(
            with(text, replace_in_line(text, 2, 9, "true", "false").unwrap()),
            "x: true\ny: true # false\n"
        );
        assert_eq!(replace_in_line(text, 1, 1, "false", "true"), None);
        assert_eq!(indent_unit("a:\n    b: 1\n        c: 2\n"), 4);
    }
}
