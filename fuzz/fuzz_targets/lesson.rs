//! Lesson files: TOML front matter and the Markdown body, parsed and rendered at several widths.
#![no_main]
use libfuzzer_sys::fuzz_target;
use seccoach::catalog::Lesson;
use seccoach::markdown::{RenderOptions, render};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Lesson::parse("lesson.md", &text) {
        Ok(lesson) => {
            for width in [1, 20, 80] {
                let _ = render(&lesson.body, RenderOptions { width, color: true });
            }
        }
        Err(err) => assert_eq!(err.file, "lesson.md"),
    }
    // The renderer on its own, on any text.
    let _ = render(
        &text,
        RenderOptions {
            width: 60,
            color: false,
        },
    );
});
