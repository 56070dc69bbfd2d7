//! The Dockerfile parser and rules, through the scanner as a real scan runs them.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use seccoach::source::FileKind;

fuzz_target!(|data: &[u8]| {
    common::check("Dockerfile", FileKind::Dockerfile, data);
});
