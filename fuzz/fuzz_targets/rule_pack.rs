//! Rule packs (`.seccoach/checks/*.toml`) loaded beside the embedded catalogue, as a repository
//! scan loads them: any bytes give a catalogue or an error naming the pack, never a panic. A pack
//! that loads is then run over its own text, so that a fuzzed regex also gets executed.
#![no_main]
use libfuzzer_sys::fuzz_target;
use seccoach::catalog::Catalog;
use seccoach::scan::{ScanOptions, Scanner};
use seccoach::source::{FileKind, Source};
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let checks = dir.path().join(".seccoach/checks");
    std::fs::create_dir_all(&checks).expect("create .seccoach/checks");
    std::fs::write(checks.join("fuzz.toml"), data).expect("write the pack");
    match Catalog::for_repository(dir.path()) {
        Ok(catalog) => {
            let scanner = Scanner::new(Arc::new(catalog), ScanOptions::default());
            let _ = scanner.check_source(&Source::new("fuzz.toml", FileKind::Toml, data));
        }
        Err(err) => assert!(err.file.ends_with("fuzz.toml"), "{err}"),
    }
});
