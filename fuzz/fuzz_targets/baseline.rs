//! Baseline files: any bytes give a baseline or an error naming the file, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use seccoach::baseline::Baseline;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Baseline::parse("baseline.json", &text) {
        Ok(baseline) => {
            // What loads must survive a round trip.
            let again = Baseline::parse("baseline.json", &baseline.to_json()).expect("round trip");
            assert_eq!(again, baseline);
        }
        Err(err) => assert_eq!(err.file, "baseline.json"),
    }
});
