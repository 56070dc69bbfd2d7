//! Regex gates: for any pattern and haystack, when the real regex matches, the gate must let
//! the haystack through (a gate that turned it away would silently lose a finding).
#![no_main]
use libfuzzer_sys::fuzz_target;
use seccoach::pattern::LazyRegex;

fuzz_target!(|data: &[u8]| {
    // The pattern, a NUL, then the haystack.
    let Some(split) = data.iter().position(|&b| b == 0) else {
        return;
    };
    let Ok(pattern) = std::str::from_utf8(&data[..split]) else {
        return;
    };
    let haystack = &data[split + 1..];
    let Ok((regex, _)) = LazyRegex::parse(pattern) else {
        return;
    };
    let Ok(compiled) = regex.compile() else {
        return;
    };
    if compiled.is_match(haystack) {
        assert!(
            regex.may_match(haystack),
            "gate of {pattern:?} rejects {haystack:?}"
        );
    }
});
