//! `.seccoach.toml`: any bytes give a configuration or an error naming the file.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use seccoach::config::Config;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(err) = Config::parse(".seccoach.toml", &text, &common::catalog()) {
        assert_eq!(err.file, ".seccoach.toml");
    }
});
