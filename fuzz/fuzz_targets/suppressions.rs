//! Suppression comments: parsing, validation and application, in several comment syntaxes; and
//! writing one above any line (comment syntax, multi-line literals, line endings).
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use seccoach::source::{FileKind, Source};

const KINDS: [(&str, FileKind); 8] = [
    ("app.py", FileKind::Python),
    ("app.js", FileKind::Javascript),
    ("main.tf", FileKind::Terraform),
    ("index.php", FileKind::Php),
    ("ci.yml", FileKind::Yaml),
    ("run.sh", FileKind::Shell),
    ("Program.cs", FileKind::Text),
    ("lib.rs", FileKind::Rust),
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let (path, kind) = KINDS[first as usize % KINDS.len()];
    let source = Source::new(path, kind, rest);
    for s in seccoach::analyzers::suppressions::parse(&source) {
        assert!(
            s.span.end <= rest.len() && s.span.start <= s.span.end,
            "{s:?}"
        );
    }
    // Writing a suppression above each line: either a refusal, or the input with exactly one
    // line (the comment and one line ending) inserted at a line start.
    let starts = seccoach::source::line_starts(rest);
    for line in 1..=starts.len().min(64) as u32 {
        let Ok((out, comment)) = seccoach::tui::suppress::insert_comment(
            rest, path, kind, line, "code/eval", "fuzzed input",
        ) else {
            continue;
        };
        let at = starts[line as usize - 1];
        assert_eq!(&out[..at], &rest[..at]);
        assert!(out[at..].starts_with(comment.as_bytes()));
        let eol = out.len() - rest.len() - comment.len();
        assert!(eol == 1 || eol == 2, "{eol}");
        assert_eq!(&out[at + comment.len() + eol..], &rest[at..]);
    }
    common::check(path, kind, rest);
});
