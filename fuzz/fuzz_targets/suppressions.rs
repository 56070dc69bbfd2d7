//! Suppression comments: parsing, validation and application, in several comment syntaxes.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use seccoach::source::{FileKind, Source};

const KINDS: [(&str, FileKind); 4] = [
    ("app.py", FileKind::Python),
    ("app.js", FileKind::Javascript),
    ("main.tf", FileKind::Terraform),
    ("index.php", FileKind::Php),
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
    common::check(path, kind, rest);
});
