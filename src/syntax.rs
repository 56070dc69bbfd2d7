//! Where seccoach may write a comment into a user's file, as opposed to which comments it
//! accepts when reading ([`FileKind::line_comments`], deliberately lenient for plain text).
//!
//! - [`comment_marker`]: the one line-comment marker to write, chosen by file kind and, for plain
//!   text, by extension or name (C#, Kotlin and Swift take `//`, a Makefile `#`). Files whose
//!   syntax is unknown, or whose comments seccoach would not read back (SQL's `--`, XML's
//!   `<!-- -->`), get none.
//! - [`literal_at`]: whether a line inserted at a line start would land inside a multi-line
//!   literal — a Python triple-quoted string, a YAML block scalar, a heredoc, a template
//!   literal — where it would become part of the program's data instead of a comment.
//!
//! Both err on the side of refusing: a refused suppression can still be written in
//! `.seccoach.toml`, a wrongly placed one changes the program.

use crate::source::FileKind;

/// The marker that starts the comment line to write in `rel_path`, if there is a safe one.
/// For a known kind it is the first marker the reader accepts for it ([`FileKind::line_comments`]
/// lists the usual one first), so the comment is always honoured; plain text, which the reader
/// takes leniently, is decided by name or extension.
pub fn comment_marker(rel_path: &str, kind: FileKind) -> Option<&'static str> {
    match kind {
        FileKind::Text => text_marker(rel_path),
        kind => kind.line_comments().first().copied(),
    }
}

/// Plain-text files whose line comments are known and read back: by name, then by extension.
fn text_marker(rel_path: &str) -> Option<&'static str> {
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    let lower = name.to_ascii_lowercase();
    let hash_names = [
        "makefile",
        "gnumakefile",
        "cmakelists.txt",
        "pipfile",
        "procfile",
        "brewfile",
        "vagrantfile",
        "podfile",
        "fastfile",
        "yarn.lock",
        ".gitignore",
        ".dockerignore",
        ".gitattributes",
        ".npmignore",
        ".editorconfig",
        ".npmrc",
        ".yarnrc",
        "codeowners",
    ];
    if hash_names.contains(&lower.as_str())
        || (lower.starts_with("requirements") && lower.ends_with(".txt"))
        || (lower.starts_with("constraints") && lower.ends_with(".txt"))
    {
        return Some("#");
    }
    if matches!(lower.as_str(), "go.mod" | "go.work" | "jenkinsfile") {
        return Some("//");
    }
    let ext = lower.rsplit_once('.').map(|(_, ext)| ext)?;
    match ext {
        "c" | "h" | "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "cs" | "kt" | "kts"
        | "swift" | "scala" | "sc" | "dart" | "groovy" | "gradle" | "proto" | "zig" | "sol"
        | "fs" | "fsx" | "jsonc" | "json5" => Some("//"),
        "pl" | "pm" | "r" | "ps1" | "psm1" | "ex" | "exs" | "cmake" | "mk" | "nix" | "jl"
        | "cr" | "tcl" | "awk" | "coffee" | "conf" | "properties" | "cfg" | "bzl" | "star"
        | "pp" => Some("#"),
        _ => None,
    }
}

/// A quoted literal: its delimiters, whether it may run over several lines, and whether a
/// backslash escapes the next character inside it.
#[derive(Clone, Copy)]
struct Quote {
    open: &'static str,
    close: &'static str,
    multiline: bool,
    escapes: bool,
    name: &'static str,
}

const fn quote(delim: &'static str, multiline: bool, escapes: bool, name: &'static str) -> Quote {
    Quote {
        open: delim,
        close: delim,
        multiline,
        escapes,
        name,
    }
}

const TRIPLE_DOUBLE: Quote = quote("\"\"\"", true, true, "a triple-quoted string");
const TRIPLE_SINGLE: Quote = quote("'''", true, true, "a triple-quoted string");
const DOUBLE: Quote = quote("\"", false, true, "a string");
const SINGLE: Quote = quote("'", false, true, "a string");
const DOUBLE_SPANNING: Quote = quote("\"", true, true, "a multi-line string");
const SINGLE_SPANNING: Quote = quote("'", true, false, "a multi-line string");
const TEMPLATE: Quote = quote("`", true, true, "a template literal");
const RAW_BACKTICK: Quote = quote("`", true, false, "a raw string");

/// How one language family writes comments, strings and heredocs, as far as finding the
/// multi-line literals goes.
struct Lexicon {
    /// Line comment markers.
    line: &'static [&'static str],
    /// `#` starts a comment only at the start of a word (shell: `${#x}`, `a#b` are not).
    hash_at_word_start: bool,
    block: Option<(&'static str, &'static str)>,
    /// Longest delimiters first.
    quotes: &'static [Quote],
    /// `<<EOF` (`<<-`, `<<~`, quoted) heredocs; `<<<` for PHP.
    heredoc: Option<&'static str>,
    /// Rust: `'` starts a character literal or a lifetime, never a string.
    rust_chars: bool,
}

const NONE: &[Quote] = &[];

fn lexicon(rel_path: &str, kind: FileKind) -> Lexicon {
    let c_block = Some(("/*", "*/"));
    let base = Lexicon {
        line: &["#"],
        hash_at_word_start: false,
        block: None,
        quotes: NONE,
        heredoc: None,
        rust_chars: false,
    };
    match kind {
        FileKind::Python => Lexicon {
            quotes: &[TRIPLE_DOUBLE, TRIPLE_SINGLE, DOUBLE, SINGLE],
            ..base
        },
        FileKind::Toml => Lexicon {
            quotes: &[TRIPLE_DOUBLE, TRIPLE_SINGLE, DOUBLE, SINGLE],
            ..base
        },
        FileKind::Javascript | FileKind::Typescript => Lexicon {
            line: &["//"],
            block: c_block,
            quotes: &[TEMPLATE, DOUBLE, SINGLE],
            ..base
        },
        FileKind::Go => Lexicon {
            line: &["//"],
            block: c_block,
            quotes: &[RAW_BACKTICK, DOUBLE, SINGLE],
            ..base
        },
        FileKind::Java => Lexicon {
            line: &["//"],
            block: c_block,
            quotes: &[TRIPLE_DOUBLE, DOUBLE, SINGLE],
            ..base
        },
        FileKind::Rust => Lexicon {
            line: &["//"],
            block: c_block,
            quotes: &[DOUBLE_SPANNING],
            rust_chars: true,
            ..base
        },
        FileKind::Ruby => Lexicon {
            quotes: &[DOUBLE, SINGLE],
            heredoc: Some("<<"),
            ..base
        },
        FileKind::Php => Lexicon {
            line: &["//", "#"],
            block: c_block,
            quotes: &[DOUBLE, SINGLE],
            heredoc: Some("<<<"),
            ..base
        },
        FileKind::Shell => Lexicon {
            hash_at_word_start: true,
            quotes: &[DOUBLE_SPANNING, SINGLE_SPANNING],
            heredoc: Some("<<"),
            ..base
        },
        FileKind::Dockerfile => Lexicon {
            hash_at_word_start: true,
            quotes: &[DOUBLE, SINGLE],
            heredoc: Some("<<"),
            ..base
        },
        FileKind::Env => Lexicon {
            hash_at_word_start: true,
            quotes: &[DOUBLE_SPANNING, SINGLE_SPANNING],
            ..base
        },
        FileKind::Terraform => Lexicon {
            line: &["#", "//"],
            block: c_block,
            quotes: &[DOUBLE],
            heredoc: Some("<<"),
            ..base
        },
        FileKind::Text if text_marker(rel_path) == Some("//") => Lexicon {
            line: &["//"],
            block: c_block,
            // Kotlin, Swift and C# 11 raw strings; C char literals hold a lone `"` safely.
            quotes: &[TRIPLE_DOUBLE, DOUBLE, SINGLE],
            ..base
        },
        _ => base,
    }
}

/// What a line inserted at `offset` (the start of a line) would be part of, when that is a
/// multi-line literal: "a triple-quoted string", "a YAML block scalar", "a heredoc", …
pub fn literal_at(
    bytes: &[u8],
    offset: usize,
    rel_path: &str,
    kind: FileKind,
) -> Option<&'static str> {
    if kind.is_yaml() {
        return yaml_block_scalar(bytes, offset).then_some("a YAML block scalar");
    }
    scan_literals(bytes, offset, &lexicon(rel_path, kind))
}

fn scan_literals(bytes: &[u8], offset: usize, lex: &Lexicon) -> Option<&'static str> {
    let mut i = 0;
    // Heredocs opened on the current line: their bodies start after it.
    let mut pending: Vec<(Vec<u8>, bool)> = Vec::new();
    let mut line_start = true;
    while i < offset.min(bytes.len()) {
        let b = bytes[i];
        if b == b'\n' {
            i += 1;
            line_start = true;
            for (word, php) in std::mem::take(&mut pending) {
                let body_start = i;
                let end = heredoc_end(bytes, i, &word, php);
                if body_start <= offset && offset <= end.terminator_start {
                    return Some("a heredoc");
                }
                i = end.after;
            }
            continue;
        }
        let rest = &bytes[i..];
        let word_start = line_start || bytes[i - 1].is_ascii_whitespace();
        if b != b' ' && b != b'\t' && b != b'\r' {
            line_start = false;
        }
        if let Some(marker) = lex.line.iter().find(|m| rest.starts_with(m.as_bytes()))
            && (*marker != "#" || !lex.hash_at_word_start || word_start)
        {
            i += memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            continue;
        }
        if let Some((open, close)) = lex.block
            && rest.starts_with(open.as_bytes())
        {
            let body = &rest[open.len()..];
            i += open.len()
                + memchr::memmem::find(body, close.as_bytes())
                    .map_or(body.len(), |at| at + close.len());
            continue;
        }
        if let Some(intro) = lex.heredoc
            && rest.starts_with(intro.as_bytes())
            && let Some((word, len)) = heredoc_word(&rest[intro.len()..], intro == "<<<")
        {
            pending.push((word, intro == "<<<"));
            i += intro.len() + len;
            continue;
        }
        if lex.rust_chars && b == b'\'' {
            i += rust_char_len(rest);
            continue;
        }
        if let Some(q) = lex
            .quotes
            .iter()
            .find(|q| rest.starts_with(q.open.as_bytes()))
        {
            let start = i;
            let end = quote_end(bytes, i + q.open.len(), q);
            if q.multiline && start < offset && offset < end {
                return Some(q.name);
            }
            i = end;
            continue;
        }
        i += 1;
    }
    None
}

/// Index just past the closing delimiter of a literal whose body starts at `from` (the end of
/// the line, or of the file, when it is not closed).
fn quote_end(bytes: &[u8], from: usize, q: &Quote) -> usize {
    let close = q.close.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if q.escapes && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i..].starts_with(close) {
            return i + close.len();
        }
        if bytes[i] == b'\n' && !q.multiline {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

/// A Rust `'` : a character literal (`'x'`, `'\n'`, `'\u{1F600}'`) or a lifetime (`'a`).
fn rust_char_len(rest: &[u8]) -> usize {
    if rest.get(1) == Some(&b'\\') {
        return rest
            .iter()
            .take(12)
            .skip(2)
            .position(|&b| b == b'\'')
            .map_or(1, |at| at + 3);
    }
    let ch_len = rest.get(1).map_or(1, |&b| match b.leading_ones() {
        0 => 1,
        n => n as usize,
    });
    if rest.get(1 + ch_len) == Some(&b'\'') {
        ch_len + 2
    } else {
        1
    }
}

/// The terminator word of a heredoc introduced just before `rest` (`-EOF`, `~'EOS'`, ` "END"`),
/// and how many bytes of `rest` it takes.
fn heredoc_word(rest: &[u8], php: bool) -> Option<(Vec<u8>, usize)> {
    let mut i = 0;
    if !php && matches!(rest.first(), Some(b'-' | b'~')) {
        i += 1;
    }
    while matches!(rest.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let quote = match rest.get(i) {
        Some(&q @ (b'\'' | b'"')) => {
            i += 1;
            Some(q)
        }
        _ => None,
    };
    let start = i;
    if !rest
        .get(i)
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        return None;
    }
    while rest
        .get(i)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        i += 1;
    }
    let word = rest[start..i].to_vec();
    if let Some(q) = quote {
        if rest.get(i) != Some(&q) {
            return None;
        }
        i += 1;
    }
    Some((word, i))
}

struct HeredocEnd {
    /// Start of the terminator line (or the end of the file when there is none).
    terminator_start: usize,
    /// Start of the line after it.
    after: usize,
}

fn heredoc_end(bytes: &[u8], from: usize, word: &[u8], php: bool) -> HeredocEnd {
    let mut start = from;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |at| start + at);
        let line = bytes[start..end].trim_ascii();
        let closes = line == word
            || (php
                && line.starts_with(word)
                && !line[word.len()..]
                    .first()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_'));
        if closes {
            return HeredocEnd {
                terminator_start: start,
                after: (end + 1).min(bytes.len()),
            };
        }
        start = end + 1;
    }
    HeredocEnd {
        terminator_start: bytes.len(),
        after: bytes.len(),
    }
}

/// True when a line inserted at `offset` would be inside a YAML block scalar (`key: |`,
/// `- >-`): some line above, less indented than everything between it and `offset`, ends with a
/// block indicator.
fn yaml_block_scalar(bytes: &[u8], offset: usize) -> bool {
    let offset = offset.min(bytes.len());
    let line_end = memchr::memchr(b'\n', &bytes[offset..]).map_or(bytes.len(), |at| offset + at);
    let indent_of = |line: &[u8]| line.iter().take_while(|b| **b == b' ').count();
    let mut below = indent_of(&bytes[offset..line_end]);
    if bytes[offset..line_end].trim_ascii().is_empty() {
        // A blank line: what matters is the next non-blank one.
        let next = bytes[line_end..]
            .split(|b| *b == b'\n')
            .find(|l| !l.trim_ascii().is_empty());
        below = next.map_or(0, indent_of);
    }
    let mut end = offset;
    while end > 0 {
        let start = memchr::memrchr(b'\n', &bytes[..end - 1]).map_or(0, |at| at + 1);
        let line = &bytes[start..end - 1];
        end = start;
        if line.trim_ascii().is_empty() {
            continue;
        }
        let indent = indent_of(line);
        if indent >= below {
            continue;
        }
        if ends_with_block_indicator(line) {
            return true;
        }
        below = indent;
        if below == 0 {
            return false;
        }
    }
    false
}

/// `key: |`, `- >-`, `run: |2 # comment`, `x: !!str |`.
fn ends_with_block_indicator(line: &[u8]) -> bool {
    let text = String::from_utf8_lossy(line);
    let mut text = text.trim_end();
    if let Some(at) = text.find(" #") {
        text = text[..at].trim_end();
    }
    let head = text.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
    if text.len() - head.len() > 2 {
        return false;
    }
    let Some(before) = head.strip_suffix(['|', '>']) else {
        return false;
    };
    before.is_empty() || before.ends_with([' ', '\t'])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The literal a line inserted before 1-based `line` would be in.
    fn at(text: &str, path: &str, line: usize) -> Option<&'static str> {
        let offset = text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        literal_at(text.as_bytes(), offset, path, FileKind::detect(path, b""))
    }

    #[test]
    fn markers_follow_the_language_and_are_read_back() {
        for (path, marker) in [
            ("a.py", Some("#")),
            ("a.ts", Some("//")),
            ("Program.cs", Some("//")),
            ("app/Main.kt", Some("//")),
            ("Sources/App.swift", Some("//")),
            ("src/main.c", Some("//")),
            ("Makefile", Some("#")),
            ("requirements-dev.txt", Some("#")),
            ("go.mod", Some("//")),
            ("schema.sql", None),
            ("pom.xml", None),
            ("index.html", None),
            ("notes.txt", None),
            ("data.json", None),
            ("README.md", None),
        ] {
            let kind = FileKind::detect(path, b"");
            assert_eq!(comment_marker(path, kind), marker, "{path}");
            if let Some(m) = marker {
                assert!(kind.line_comments().contains(&m), "{path}");
            }
        }
    }

    #[test]
    fn python_triple_quoted_strings_are_found() {
        let text = "x = 1\nDOC = \"\"\"\nkey = 'abc'\n\"\"\"\ny = '''a\n# no\n'''\nz = \"\"\"one line\"\"\"\nw = 2\n";
        assert_eq!(at(text, "a.py", 2), None, "above the opening line");
        assert_eq!(at(text, "a.py", 3), Some("a triple-quoted string"));
        assert_eq!(at(text, "a.py", 4), Some("a triple-quoted string"));
        assert_eq!(at(text, "a.py", 5), None);
        assert_eq!(at(text, "a.py", 7), Some("a triple-quoted string"));
        assert_eq!(at(text, "a.py", 10), None);
        // Quotes in comments and escaped quotes do not open strings.
        let text = "# it's \"\"\" here\ns = 'it\\'s'\nk = 1\n";
        assert_eq!(at(text, "a.py", 3), None);
    }

    #[test]
    fn yaml_block_scalars_are_found() {
        let text = "jobs:\n  a:\n    run: |\n      echo $TOKEN\n\n      echo done\n    env:\n      K: v\nlist:\n  - >-\n    folded\n  - plain\n";
        assert_eq!(at(text, "ci.yml", 3), None);
        assert_eq!(at(text, "ci.yml", 4), Some("a YAML block scalar"));
        assert_eq!(at(text, "ci.yml", 5), Some("a YAML block scalar"));
        assert_eq!(at(text, "ci.yml", 6), Some("a YAML block scalar"));
        assert_eq!(at(text, "ci.yml", 7), None);
        assert_eq!(at(text, "ci.yml", 8), None);
        assert_eq!(at(text, "ci.yml", 11), Some("a YAML block scalar"));
        assert_eq!(at(text, "ci.yml", 12), None);
        assert!(!ends_with_block_indicator(b"cmd: a | b"));
        assert!(ends_with_block_indicator(b"key: |2- # note"));
    }

    #[test]
    fn heredocs_template_literals_and_raw_strings_are_found() {
        let sh = "cat <<'EOF' > f\nTOKEN=x\nEOF\necho ${#x} 'a\nb'\nok\n";
        assert_eq!(at(sh, "a.sh", 1), None);
        assert_eq!(at(sh, "a.sh", 2), Some("a heredoc"));
        assert_eq!(at(sh, "a.sh", 3), Some("a heredoc"));
        assert_eq!(at(sh, "a.sh", 4), None);
        assert_eq!(at(sh, "a.sh", 5), Some("a multi-line string"));
        assert_eq!(at(sh, "a.sh", 6), None);
        let js = "const q = `\nselect ${a}\n`;\n// `not\nx();\n";
        assert_eq!(at(js, "a.js", 2), Some("a template literal"));
        assert_eq!(at(js, "a.js", 4), None);
        assert_eq!(at(js, "a.js", 5), None);
        let rs = "fn f<'a>(c: char) -> bool { c == '\"' }\nlet s = \"a\nb\";\nlet t = 1;\n";
        assert_eq!(at(rs, "a.rs", 2), None);
        assert_eq!(at(rs, "a.rs", 3), Some("a multi-line string"));
        assert_eq!(at(rs, "a.rs", 4), None);
        let php = "<?php\n$s = <<<SQL\nselect 1\nSQL;\n$t = 2;\n";
        assert_eq!(at(php, "a.php", 3), Some("a heredoc"));
        assert_eq!(at(php, "a.php", 5), None);
        let kt = "val s = \"\"\"\nkey\n\"\"\"\nval t = 1\n";
        assert_eq!(at(kt, "Main.kt", 2), Some("a triple-quoted string"));
        assert_eq!(at(kt, "Main.kt", 4), None);
        let docker = "RUN <<EOF\nset -e\nEOF\nENV A=1\n";
        assert_eq!(at(docker, "Dockerfile", 2), Some("a heredoc"));
        assert_eq!(at(docker, "Dockerfile", 4), None);
    }

    proptest::proptest! {
        // Quick by default; `PROPTEST_CASES=100000` for a long run.
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
            ..Default::default()
        })]

        /// Any text, any line start, any file kind: an answer, never a panic; and text without
        /// quotes, heredocs or block indicators is never inside a literal.
        #[test]
        fn every_line_start_gets_an_answer(
            input in "([\"'`<>|#/*\\ \t\n\r:-]|EOF|SQL|a|é){0,200}",
        ) {
            let bytes = input.as_bytes();
            let starts = crate::source::line_starts(bytes);
            for path in ["a.py", "a.sh", "Dockerfile", "a.rs", "a.js", "a.go", "a.php", "ci.yml", "a.kt", "a.tf", ".env", "a.toml"] {
                let kind = FileKind::detect(path, b"");
                for &start in &starts {
                    let found = literal_at(bytes, start, path, kind);
                    let plain = !input.contains(['"', '\'', '`', '<', '|', '>']);
                    proptest::prop_assert!(!(plain && found.is_some()), "{path} {input:?} at {start}");
                }
            }
        }
    }
}
