//! Dockerfile syntax as BuildKit reads it: parser directives (`# syntax=`, `# escape=`), then
//! instructions whose lines continue with the escape character, with comment and blank lines
//! inside a continuation dropped, and heredoc bodies (`RUN <<EOF … EOF`) after the line that
//! opens them.
//!
//! Every piece of text keeps its byte offsets in the file ([`Text`]), so a check can point at the
//! exact line inside a continued instruction. Parsing is one forward pass over the lines: no
//! recursion, and linear in the size of the file whatever it holds.

use super::shell;
use std::ops::Range;

/// Text assembled from pieces of the file (continuation lines joined), with a map from each
/// byte back to its offset in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    segments: Vec<Segment>,
    /// File offset reported for an empty text.
    base: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    /// Offset in `text` where the segment starts.
    at: usize,
    /// Offset in the file of that byte.
    file: usize,
    /// False when the text here is not a byte-for-byte copy (a replacement character for
    /// invalid UTF-8, or a decoded string): every byte maps to `file`.
    exact: bool,
}

impl Text {
    /// An empty text located at `file_offset`.
    pub fn at(file_offset: usize) -> Text {
        Text {
            text: String::new(),
            segments: Vec::new(),
            base: file_offset,
        }
    }

    /// A text that is not a copy of the file (a decoded JSON string): all of it maps to
    /// `file_offset`.
    pub fn opaque(text: String, file_offset: usize) -> Text {
        Text {
            text,
            segments: vec![Segment {
                at: 0,
                file: file_offset,
                exact: false,
            }],
            base: file_offset,
        }
    }

    /// Appends `bytes`, which start at `file_offset` in the file (invalid UTF-8 becomes U+FFFD).
    pub fn push(&mut self, bytes: &[u8], file_offset: usize) {
        let mut file = file_offset;
        for chunk in bytes.utf8_chunks() {
            let valid = chunk.valid();
            if !valid.is_empty() {
                self.segments.push(Segment {
                    at: self.text.len(),
                    file,
                    exact: true,
                });
                self.text.push_str(valid);
                file += valid.len();
            }
            let invalid = chunk.invalid();
            if !invalid.is_empty() {
                self.segments.push(Segment {
                    at: self.text.len(),
                    file,
                    exact: false,
                });
                self.text.push(char::REPLACEMENT_CHARACTER);
                file += invalid.len();
            }
        }
    }

    /// The file offset of byte `i` of the text.
    pub fn offset(&self, i: usize) -> usize {
        let index = self.segments.partition_point(|s| s.at <= i);
        match index.checked_sub(1).and_then(|k| self.segments.get(k)) {
            Some(seg) if seg.exact => seg.file + (i - seg.at),
            Some(seg) => seg.file,
            None => self.segments.first().map_or(self.base, |s| s.file),
        }
    }

    /// The file byte range of a range of the text.
    pub fn span(&self, range: Range<usize>) -> Range<usize> {
        let start = self.offset(range.start);
        let end = if range.end > range.start {
            self.offset(range.end - 1) + 1
        } else {
            start
        };
        start..end.max(start)
    }

    /// A copy of part of the text, still mapped to the file. `range` must fall on character
    /// boundaries; otherwise the result is empty.
    pub fn slice(&self, range: Range<usize>) -> Text {
        let Some(text) = self.text.get(range.clone()) else {
            return Text::at(self.offset(range.start));
        };
        let mut out = Text::at(self.offset(range.start));
        out.text = text.to_owned();
        let first = self
            .segments
            .partition_point(|s| s.at <= range.start)
            .saturating_sub(1);
        for seg in self.segments.get(first..).unwrap_or(&[]) {
            if seg.at >= range.end {
                break;
            }
            let at = seg.at.max(range.start);
            let file = if seg.exact {
                seg.file + (at - seg.at)
            } else {
                seg.file
            };
            out.segments.push(Segment {
                at: at - range.start,
                file,
                exact: seg.exact,
            });
        }
        out
    }
}

/// A parser directive from the top of the file (`# syntax=…`, `# escape=…`, `# check=…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lowercase.
    pub name: String,
    pub value: String,
    pub span: Range<usize>,
}

/// A heredoc body and the opener it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub marker: shell::HeredocMarker,
    /// The lines between the opener and the closing delimiter.
    pub body: Text,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Uppercase (`run`, `Run` and `RUN` are the same instruction).
    pub keyword: String,
    /// Where the keyword is in the file; its line is the instruction's line.
    pub keyword_span: Range<usize>,
    /// Everything after the keyword, continuation lines joined, comment lines dropped.
    pub args: Text,
    pub heredocs: Vec<Heredoc>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    /// `\` unless `# escape=` says otherwise.
    pub escape: u8,
    pub instructions: Vec<Instruction>,
}

#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    /// Exclusive, without `\n` or `\r\n`.
    end: usize,
}

fn split_lines(bytes: &[u8]) -> Vec<Line> {
    let mut lines = Vec::with_capacity(bytes.len() / 32 + 1);
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', bytes) {
        let end = if nl > start && bytes[nl - 1] == b'\r' {
            nl - 1
        } else {
            nl
        };
        lines.push(Line { start, end });
        start = nl + 1;
    }
    if start < bytes.len() {
        let mut end = bytes.len();
        if bytes[end - 1] == b'\r' {
            end -= 1;
        }
        lines.push(Line { start, end });
    }
    lines
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// True for lines BuildKit skips: empty, whitespace only, or a comment.
fn is_skipped(line: &[u8]) -> bool {
    match line.iter().position(|b| !is_blank(*b)) {
        None => true,
        Some(i) => line[i] == b'#',
    }
}

/// `# name=value` with a known directive name.
fn directive(line: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(line).ok()?;
    let rest = text.trim_start_matches([' ', '\t']).strip_prefix('#')?;
    let (name, value) = rest.split_once('=')?;
    let name = name.trim().to_ascii_lowercase();
    if !matches!(name.as_str(), "syntax" | "escape" | "check") {
        return None;
    }
    Some((name, value.trim().to_owned()))
}

/// Where the text of a line stops if it ends with the escape character (trailing blanks
/// allowed): the offset of that character.
fn continuation(line: &[u8], escape: u8) -> Option<usize> {
    let trimmed = line.iter().rposition(|b| !is_blank(*b))?;
    (line[trimmed] == escape).then_some(trimmed)
}

/// Parses a Dockerfile. Never fails: whatever is not an instruction is skipped.
pub fn parse(bytes: &[u8]) -> Dockerfile {
    let lines = split_lines(bytes);
    let text_of = |line: &Line| &bytes[line.start..line.end];
    let mut file = Dockerfile {
        escape: b'\\',
        ..Dockerfile::default()
    };

    // Parser directives: only before the first comment, blank line or instruction.
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        let Some((name, value)) = directive(text_of(line)) else {
            break;
        };
        if file.directives.iter().any(|d| d.name == name) {
            break;
        }
        if name == "escape" && (value == "`" || value == "\\") {
            file.escape = value.as_bytes()[0];
        }
        file.directives.push(Directive {
            name,
            value,
            span: line.start..line.end,
        });
        i += 1;
    }

    while let Some(line) = lines.get(i) {
        let text = text_of(line);
        let Some(lead) = text.iter().position(|b| !is_blank(*b)) else {
            i += 1;
            continue;
        };
        if text[lead] == b'#' {
            i += 1;
            continue;
        }
        let keyword_len = text[lead..]
            .iter()
            .take_while(|b| !b.is_ascii_whitespace())
            .count();
        let mut keyword_bytes = &text[lead..lead + keyword_len];
        // `RUN\` with the escape glued to the keyword.
        if keyword_bytes.len() > 1 && keyword_bytes.last() == Some(&file.escape) {
            keyword_bytes = &keyword_bytes[..keyword_bytes.len() - 1];
        }
        let keyword = String::from_utf8_lossy(keyword_bytes).to_ascii_uppercase();
        let keyword_start = line.start + lead;
        let keyword_span = keyword_start..keyword_start + keyword_bytes.len();

        let mut args = Text::at(keyword_span.end);
        let mut from = keyword_span.end;
        let mut current = i;
        while let Some(line) = lines.get(current) {
            let piece = &bytes[from.min(line.end)..line.end];
            match continuation(piece, file.escape) {
                Some(cut) => {
                    args.push(&piece[..cut], from);
                    current += 1;
                    while lines.get(current).is_some_and(|l| is_skipped(text_of(l))) {
                        current += 1;
                    }
                    match lines.get(current) {
                        Some(next) => from = next.start,
                        None => break,
                    }
                }
                None => {
                    args.push(piece, from);
                    break;
                }
            }
        }
        i = current + 1;

        let mut heredocs = Vec::new();
        if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD")
            && shell::json_array(&args.text).is_none()
        {
            for marker in shell::heredoc_markers(&args.text) {
                let Some(first) = lines.get(i) else {
                    // The file ends before the body starts.
                    heredocs.push(Heredoc {
                        marker,
                        body: Text::at(bytes.len()),
                    });
                    continue;
                };
                let body_start = first.start;
                let mut end_line = i;
                let mut closed = false;
                while let Some(line) = lines.get(end_line) {
                    let mut text = text_of(line);
                    if marker.strip_tabs {
                        let tabs = text.iter().take_while(|b| **b == b'\t').count();
                        text = &text[tabs..];
                    }
                    if text == marker.delimiter.as_bytes() {
                        closed = true;
                        break;
                    }
                    end_line += 1;
                }
                let body_end = lines.get(end_line).map_or(bytes.len(), |l| l.start);
                let mut body = Text::at(body_start);
                body.push(&bytes[body_start..body_end], body_start);
                heredocs.push(Heredoc { marker, body });
                i = if closed { end_line + 1 } else { lines.len() };
            }
        }

        file.instructions.push(Instruction {
            keyword,
            keyword_span,
            args,
            heredocs,
        });
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(bytes: &[u8], offset: usize) -> usize {
        bytes[..offset].iter().filter(|b| **b == b'\n').count() + 1
    }

    fn keywords(file: &Dockerfile) -> Vec<&str> {
        file.instructions
            .iter()
            .map(|i| i.keyword.as_str())
            .collect()
    }

    #[test]
    fn joins_continuations_and_drops_comments_and_blank_lines() {
        let src = b"FROM alpine:3.20\nRUN apk add \\\n    curl \\\n# a comment\n\n    git  \nCMD [\"sh\"]\n";
        let file = parse(src);
        assert_eq!(keywords(&file), ["FROM", "RUN", "CMD"]);
        let run = &file.instructions[1];
        assert_eq!(run.args.text, " apk add     curl     git  ");
        let git = run.args.text.find("git").unwrap();
        assert_eq!(line_of(src, run.args.offset(git)), 6);
        assert_eq!(line_of(src, run.keyword_span.start), 2);
    }

    #[test]
    fn case_insensitive_keywords_and_crlf() {
        let src = b"from alpine\r\nrun echo a \\\r\n  b\r\nUser app\r\n";
        let file = parse(src);
        assert_eq!(keywords(&file), ["FROM", "RUN", "USER"]);
        assert_eq!(file.instructions[1].args.text, " echo a   b");
        assert_eq!(file.instructions[2].args.text, " app");
    }

    #[test]
    fn escape_directive_switches_to_backtick() {
        let src = b"# escape=`\n# syntax=docker/dockerfile:1\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\ `\n    && echo done\nCOPY a C:\\\nRUN x\n";
        let file = parse(src);
        assert_eq!(file.escape, b'`');
        assert_eq!(file.directives.len(), 2);
        assert_eq!(file.directives[1].value, "docker/dockerfile:1");
        assert_eq!(keywords(&file), ["FROM", "RUN", "COPY", "RUN"]);
        assert_eq!(file.instructions[1].args.text, " dir C:\\     && echo done");
    }

    #[test]
    fn directives_stop_at_the_first_other_line() {
        let file = parse(b"# hello\n# escape=`\nFROM x\n");
        assert!(file.directives.is_empty());
        assert_eq!(file.escape, b'\\');
        let file = parse(b"# syntax=a\n\n# escape=`\nFROM x\n");
        assert_eq!(file.directives.len(), 1);
        assert_eq!(file.escape, b'\\');
    }

    #[test]
    fn heredocs_are_bodies_not_instructions() {
        let src = b"FROM debian\nRUN <<EOF\napt-get update\nUSER root\nEOF\nRUN <<-'ONE' cat > /a && <<TWO cat > /b\n\tfirst\n\tONE\nsecond\nTWO\nUSER app\n";
        let file = parse(src);
        assert_eq!(keywords(&file), ["FROM", "RUN", "RUN", "USER"]);
        let run = &file.instructions[1];
        assert_eq!(run.heredocs.len(), 1);
        assert_eq!(run.heredocs[0].body.text, "apt-get update\nUSER root\n");
        let at = run.heredocs[0].body.text.find("USER").unwrap();
        assert_eq!(line_of(src, run.heredocs[0].body.offset(at)), 4);
        let two = &file.instructions[2];
        assert_eq!(two.heredocs.len(), 2);
        assert!(two.heredocs[0].marker.strip_tabs && two.heredocs[0].marker.quoted);
        assert_eq!(two.heredocs[0].body.text, "\tfirst\n");
        assert_eq!(two.heredocs[1].body.text, "second\n");
    }

    #[test]
    fn unterminated_heredoc_runs_to_the_end() {
        let file = parse(b"RUN <<EOF\necho hi\nUSER root");
        assert_eq!(keywords(&file), ["RUN"]);
        assert_eq!(
            file.instructions[0].heredocs[0].body.text,
            "echo hi\nUSER root"
        );
        let file = parse(b"RUN <<EOF");
        assert_eq!(file.instructions[0].heredocs.len(), 1);
    }

    #[test]
    fn exec_form_is_not_a_heredoc() {
        let file = parse(b"RUN [\"sh\", \"-c\", \"cat <<EOF\"]\nUSER app\n");
        assert_eq!(keywords(&file), ["RUN", "USER"]);
        assert!(file.instructions[0].heredocs.is_empty());
    }

    #[test]
    fn invalid_utf8_keeps_offsets() {
        let src = b"RUN echo \xff\xfe \\\n  && curl x\n";
        let file = parse(src);
        let args = &file.instructions[0].args;
        let curl = args.text.find("curl").unwrap();
        assert_eq!(&src[args.offset(curl)..args.offset(curl) + 4], b"curl");
        let sliced = args.slice(curl..args.text.len());
        assert_eq!(sliced.offset(0), args.offset(curl));
    }

    #[test]
    fn odd_input_does_not_panic() {
        for src in [
            &b""[..],
            b"\\",
            b"\n\n\n",
            b"RUN \\",
            b"RUN \\\n",
            b"RUN \\\n# only comments\n",
            b"RUN\\\n x",
            b"# escape=\n",
            b"\r",
            b"RUN <<",
            b"RUN << \n",
            b"COPY <<\"\" x\n",
            b"\xff\xff\n\xfe",
        ] {
            let _ = parse(src);
        }
    }

    #[test]
    fn a_hundred_thousand_continuation_lines_parse_fast() {
        let mut src = b"FROM alpine:3.20\nRUN true".to_vec();
        for _ in 0..100_000 {
            src.extend_from_slice(b" \\\n  && echo x");
        }
        src.extend_from_slice(b"\nUSER app\n");
        let start = std::time::Instant::now();
        let file = parse(&src);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "hang guard only"
        );
        assert_eq!(keywords(&file), ["FROM", "RUN", "USER"]);
        let run = &file.instructions[1];
        let last = run.args.text.rfind("echo").unwrap();
        assert_eq!(line_of(&src, run.args.offset(last)), 100_002);

        // The same number of heredoc openers, none of them closed.
        let src = format!("RUN {}\n", "<<A ".repeat(100_000));
        let start = std::time::Instant::now();
        let file = parse(src.as_bytes());
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "hang guard only"
        );
        assert_eq!(file.instructions.len(), 1);
    }
}
