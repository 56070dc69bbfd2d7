//! The Helm template neutraliser: any template, with any `values.yaml`, gives text whose every
//! offset maps back inside the template, and the kubernetes analyzer reads it without panicking.
//! Input: `values.yaml`, a NUL byte, then the template (no NUL: the template alone).
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use seccoach::helm;
use seccoach::source::FileKind;

fuzz_target!(|data: &[u8]| {
    let (values, template) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&b""[..], data),
    };
    let values = seccoach::yaml::parse_str(&String::from_utf8_lossy(values))
        .ok()
        .and_then(|docs| docs.into_iter().next());
    let template = String::from_utf8_lossy(template);
    let neutral = helm::neutralise(&template, values.as_ref());
    let mut last = 0;
    for offset in 0..=neutral.text.len() {
        let original = neutral.original(offset);
        assert!(original <= template.len(), "{offset} -> {original}");
        assert!(original >= last || offset == 0, "offsets go back: {offset} -> {original}");
        last = original;
    }
    let _ = seccoach::yaml::parse_str(&neutral.text);
    common::check("chart/templates/deployment.yaml", FileKind::Yaml, template.as_bytes());
});
