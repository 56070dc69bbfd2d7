#![allow(dead_code)]
//! Shared by the targets: one scanner over the embedded catalogue, built once per process.

use seccoach::catalog::Catalog;
use seccoach::scan::{ScanOptions, Scanner};
use seccoach::source::{FileKind, Source};
use std::sync::{Arc, OnceLock};

pub fn catalog() -> Arc<Catalog> {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    CATALOG
        .get_or_init(|| Arc::new(Catalog::embedded().expect("the embedded catalogue loads")))
        .clone()
}

pub fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::new(catalog(), ScanOptions::default()))
}

/// Runs every rule that reads files of `kind` at `path` over `bytes`, and checks what a finding
/// must always satisfy.
pub fn check(path: &str, kind: FileKind, bytes: &[u8]) {
    let source = Source::new(path, kind, bytes);
    let (findings, _) = scanner().check_source(&source);
    for f in findings {
        assert!(f.line >= 1 && f.column >= 1, "{f:?}");
        assert!(
            !f.snippet.contains('\u{1b}') && !f.message.contains('\u{1b}'),
            "{f:?}"
        );
    }
}
