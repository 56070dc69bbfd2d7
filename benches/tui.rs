//! TUI responsiveness: how long the coach takes to draw its first frame, and to move the
//! selection through a findings list of 20,000 entries (target: under 10 ms a move), measured on
//! ratatui's `TestBackend` so the figure is the coach's own work, not the terminal's.
//!
//! Run with `cargo bench --bench tui`. Prints figures; asserts nothing (machines are noisy).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use seccoach::catalog::{Autofix, Catalog, Confidence, Severity};
use seccoach::finding::Finding;
use seccoach::progress::Progress;
use seccoach::report::Report;
use seccoach::tui::app::{Action, App, update};
use seccoach::tui::theme::Theme;
use seccoach::tui::view;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

const FINDINGS: usize = 20_000;
const MOVES: usize = 500;

fn synthetic_report(catalog: &Catalog) -> Report {
    let rules: Vec<_> = catalog.rules().iter().collect();
    let severities = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    let findings = (0..FINDINGS)
        .map(|i| {
            let rule = rules[i % rules.len()];
            Finding {
                rule: rule.id.clone(),
                severity: severities[i % severities.len()],
                confidence: Confidence::High,
                path: format!("services/svc{:03}/src/module{:02}.py", i / 100, i % 37),
                line: (i % 900) as u32 + 1,
                column: 5,
                end_line: (i % 900) as u32 + 1,
                end_column: 30,
                message: format!("{} at site {i}", rule.title),
                snippet: format!("    value_{i} = call(arg, other_arg)  # line {i}"),
                snippet_column: 0,
                fingerprint: format!("{i:032x}"),
                legacy_fingerprint: None,
                fix: Autofix::None,
                in_test_code: false,
            }
        })
        .collect();
    Report {
        findings,
        ..Report::default()
    }
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn main() {
    let (width, height) = (120, 40);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");

    let started = Instant::now();
    let catalog = Arc::new(Catalog::embedded().expect("embedded catalogue loads"));
    let loaded = started.elapsed();
    let mut app = App::new(
        Arc::clone(&catalog),
        PathBuf::from("."),
        Progress::default(),
        Theme::COLOR,
    );
    update(&mut app, Action::Resize(width, height));
    terminal
        .draw(|frame| view::render(frame, &app))
        .expect("draw");
    let first_frame = started.elapsed();

    let report = synthetic_report(&catalog);
    let t = Instant::now();
    app.set_report(report, BTreeMap::new());
    let ingest = t.elapsed();

    update(&mut app, key(KeyCode::Char('f')));
    let t = Instant::now();
    terminal
        .draw(|frame| view::render(frame, &app))
        .expect("draw");
    let open_list = t.elapsed();

    let mut moves: Vec<Duration> = Vec::with_capacity(MOVES);
    for i in 0..MOVES {
        let code = if i % 50 < 45 {
            KeyCode::Down
        } else {
            KeyCode::PageDown
        };
        let t = Instant::now();
        update(&mut app, key(code));
        terminal
            .draw(|frame| view::render(frame, &app))
            .expect("draw");
        moves.push(t.elapsed());
    }
    moves.sort();
    let median = moves[moves.len() / 2];
    let p99 = moves[moves.len() * 99 / 100];

    println!("TUI benchmark ({width}x{height}, TestBackend, {FINDINGS} findings)");
    println!(
        "  catalogue load            {:>8.2} ms",
        loaded.as_secs_f64() * 1e3
    );
    println!(
        "  first frame (from start)  {:>8.2} ms",
        first_frame.as_secs_f64() * 1e3
    );
    println!(
        "  ingest report             {:>8.2} ms",
        ingest.as_secs_f64() * 1e3
    );
    println!(
        "  open findings list        {:>8.2} ms",
        open_list.as_secs_f64() * 1e3
    );
    println!(
        "  move selection + render   {:>8.2} ms median, {:.2} ms p99 ({MOVES} moves)",
        median.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
}
