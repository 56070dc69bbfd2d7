//! The coach's screens and state transitions, without a terminal: snapshots of every screen at
//! 80×24 and 120×40 drawn on ratatui's `TestBackend`, and `update` driven by key events.
//!
//! The app is built from a hand-made report over tests/fixtures/tui-project, whose own rule pack
//! and team lesson (`.seccoach/`) give the detail and lesson screens texts that do not change
//! when the embedded catalogue does, and with the small fixed curriculum of
//! tests/fixtures/tui-curriculum (tracks, lessons, a lab) instead of the real one, so that
//! lessons added to `lessons/` change no snapshot.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use seccoach::catalog::{Autofix, Catalog, Confidence, RuleId, Severity};
use seccoach::finding::Finding;
use seccoach::progress::Progress;
use seccoach::progress::Store;
use seccoach::report::Report;
use seccoach::scan::live::LiveScan;
use seccoach::scan::{ScanOptions, Scanner};
use seccoach::tui::Event;
use seccoach::tui::app::{
    Action, App, Change, Effect, FindingsState, Grouping, Overlay, ScanEvent, ScanPhase, Screen,
    update,
};
use seccoach::tui::excerpt;
use seccoach::tui::jobs::Jobs;
use seccoach::tui::keys::Ctx;
use seccoach::tui::suppress::{self, FileStamp};
use seccoach::tui::theme::Theme;
use seccoach::tui::view;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};
use support::copy_tree;

mod support;

const LESSON: &str = "secure-code/tui-fixture";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui-project")
}

fn curriculum() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui-curriculum")
}

/// Loaded once: compiling the catalogue is the slow part of building an app.
fn catalog() -> Arc<Catalog> {
    static CATALOG: std::sync::OnceLock<Arc<Catalog>> = std::sync::OnceLock::new();
    Arc::clone(CATALOG.get_or_init(|| {
        Arc::new(
            Catalog::for_repository_with_curriculum(&root(), &curriculum())
                .expect("the fixture catalogue loads"),
        )
    }))
}

#[allow(clippy::too_many_arguments)] // reason: one finding is eight plain facts
fn finding(
    rule: &str,
    severity: Severity,
    path: &str,
    line: u32,
    column: u32,
    end_column: u32,
    message: &str,
    fingerprint: &str,
) -> Finding {
    Finding {
        rule: RuleId::parse(rule).unwrap(),
        severity,
        confidence: Confidence::High,
        path: path.into(),
        line,
        column,
        end_line: line,
        end_column,
        message: message.into(),
        snippet: String::new(),
        snippet_column: 0,
        fingerprint: fingerprint.into(),
        legacy_fingerprint: None,
        fix: Autofix::None,
        in_test_code: false,
    }
}

/// The fixture project's findings, as a scan of it reports them (sorted by path and line).
fn report() -> Report {
    let mut findings = vec![
        finding(
            "docker/run-as-root",
            Severity::High,
            "Dockerfile",
            1,
            1,
            5,
            "The container runs as root: no USER after FROM python:3.12",
            "fp-root",
        ),
        finding(
            "docker/base-image-no-digest",
            Severity::Low,
            "Dockerfile",
            1,
            6,
            17,
            "Base image python:3.12 is pinned by tag but not by digest",
            "fp-digest",
        ),
        finding(
            "code/tui-fixture-eval",
            Severity::High,
            "app/main.py",
            8,
            12,
            17,
            "eval() runs its argument as code",
            "fp-eval",
        ),
        finding(
            "secrets/tui-fixture-token",
            Severity::Critical,
            "app/settings.py",
            3,
            18,
            45,
            "Service token tuif****9d is committed in the source",
            "fp-token",
        ),
    ];
    seccoach::finding::sort(&mut findings);
    let mut report = Report {
        findings,
        ..Report::default()
    };
    report.stats.files_scanned = 6;
    report
}

fn stamps() -> BTreeMap<String, FileStamp> {
    ["Dockerfile", "app/main.py", "app/settings.py"]
        .iter()
        .map(|p| (p.to_string(), FileStamp::read(&root().join(p)).unwrap()))
        .collect()
}

fn progress() -> Progress {
    let mut progress = Progress::default();
    for id in [
        "day-one/pipeline-security",
        "day-one/shared-vocabulary",
        "secrets/how-secrets-leak",
    ] {
        progress.lessons_read.insert(id.into());
    }
    progress.record_quiz("secrets/how-secrets-leak", 2, 3);
    progress.last_lesson = Some("secrets/how-secrets-leak".into());
    progress.reviewed.insert("fp-digest".into());
    progress
}

fn app_sized(width: u16, height: u16) -> App {
    let mut app = App::new(catalog(), root(), progress(), Theme::COLOR);
    update(&mut app, Action::Resize(width, height));
    app.set_report(report(), stamps());
    app
}

fn app() -> App {
    app_sized(80, 24)
}

fn draw(app: &App) -> Terminal<TestBackend> {
    let (width, height) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view::render(frame, app)).unwrap();
    terminal
}

fn screen_text(app: &App) -> String {
    draw(app).backend().to_string()
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn keys(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(key(app, KeyCode::Char(c)));
    }
    effects
}

fn ctrl_c(app: &mut App) -> Vec<Effect> {
    update(
        app,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    )
}

/// Opens the detail of the token finding (first in the list) with its excerpt loaded.
fn open_token_detail(app: &mut App) {
    keys(app, "f");
    let effects = key(app, KeyCode::Enter);
    let Some(Effect::LoadExcerpt { index }) = effects.first().cloned() else {
        panic!("opening a finding loads its excerpt: {effects:?}");
    };
    load_excerpt(app, index);
}

fn load_excerpt(app: &mut App, index: usize) {
    let finding = app.findings()[index].clone();
    let scanner = Scanner::new(Arc::clone(&app.catalog), ScanOptions::default());
    let excerpt = excerpt::load(&scanner, &root(), &finding).unwrap();
    update(
        app,
        Action::ExcerptLoaded {
            index,
            excerpt: Ok(excerpt),
        },
    );
}

fn top(app: &App) -> &Screen {
    app.screens.last().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Snapshots of every screen at both sizes.

fn snapshot_both(name: &str, prepare: impl Fn(&mut App)) {
    for (width, height) in [(80, 24), (120, 40)] {
        let mut app = app_sized(width, height);
        prepare(&mut app);
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), draw(&app).backend());
    }
}

#[test]
fn snapshot_home() {
    snapshot_both("home", |_| {});
}

#[test]
fn snapshot_home_while_scanning() {
    let mut app = App::new(catalog(), root(), Progress::default(), Theme::COLOR);
    update(&mut app, Action::Resize(80, 24));
    app.start_scan();
    let generation = app.scan.generation;
    update(
        &mut app,
        Action::Scan(ScanEvent::Progress {
            generation,
            files: 42,
            findings: 3,
        }),
    );
    insta::assert_snapshot!("home_scanning_80x24", draw(&app).backend());
}

#[test]
fn snapshot_lesson() {
    snapshot_both("lesson", |app| {
        app.open_lesson(LESSON);
    });
}

#[test]
fn snapshot_lesson_end() {
    snapshot_both("lesson_end", |app| {
        app.open_lesson(LESSON);
        key(app, KeyCode::End);
    });
}

#[test]
fn snapshot_quiz() {
    snapshot_both("quiz", |app| {
        app.open_lesson(LESSON);
        keys(app, "t");
    });
    snapshot_both("quiz_answered", |app| {
        app.open_lesson(LESSON);
        keys(app, "t1");
    });
    snapshot_both("quiz_finished", |app| {
        app.open_lesson(LESSON);
        // One right, one wrong (positions follow the attempt's fixed shuffle).
        keys(app, "t2");
        key(app, KeyCode::Enter);
        keys(app, "2");
        key(app, KeyCode::Enter);
    });
}

#[test]
fn snapshot_findings() {
    snapshot_both("findings", |app| {
        keys(app, "f");
    });
    snapshot_both("findings_by_file", |app| {
        keys(app, "f");
        key(app, KeyCode::Tab);
    });
}

#[test]
fn the_findings_list_says_what_the_scan_could_not_do() {
    let mut app = app();
    let mut report = report();
    report.notes = vec![
        "deps/known-vulnerable did not run: pass --advisories PATH (a directory or .zip of OSV \
         advisories), or set `advisories` in .seccoach.toml, to check lockfiles for known \
         vulnerabilities"
            .to_owned(),
        "skipped 2 files over the size limit".to_owned(),
    ];
    app.set_report(report, stamps());
    keys(&mut app, "f");
    let text = screen_text(&app);
    let line = text
        .lines()
        .find(|l| l.contains("note: deps/known-vulnerable did not run"))
        .unwrap_or_else(|| panic!("no note line:\n{text}"));
    assert!(line.contains("(+1 more: n shows all)"), "{line}");
    assert!(
        line.contains('…'),
        "a long note is cut to the width: {line}"
    );
    // The list still starts right under it, with the selection in view.
    assert!(text.contains("HIGH ·"), "{text}");

    // Without notes there is no such line.
    let text = screen_text(&{
        let mut app = self::app();
        keys(&mut app, "f");
        app
    });
    assert!(!text.contains("note:"), "{text}");
}

/// Findings in test code come after the rest in both groupings, under their own labelled
/// headers, though one is critical and sorts first by severity.
#[test]
fn test_code_findings_come_last_and_are_labelled() {
    let mut app = app_sized(120, 40);
    let mut report = report();
    let mut fixture = finding(
        "secrets/tui-fixture-token",
        Severity::Critical,
        "app/__tests__/settings.test.py",
        2,
        18,
        45,
        "Service token tuif****0e is committed in the source",
        "fp-test-token",
    );
    fixture.in_test_code = true;
    report.findings.insert(0, fixture);
    app.set_report(report, stamps());
    keys(&mut app, "f");
    let order = |app: &App| {
        let Some(Screen::Findings(state)) = app.screens.last() else {
            panic!("not on the findings screen");
        };
        seccoach::tui::app::visible_findings(app, state)
            .into_iter()
            .map(|i| app.findings()[i].fingerprint.clone())
            .collect::<Vec<_>>()
    };
    for grouping in ["by severity", "by file"] {
        let shown = order(&app);
        assert_eq!(shown.len(), 5, "{grouping}");
        assert_eq!(
            shown.last().unwrap(),
            "fp-test-token",
            "{grouping}: {shown:?}"
        );
        let text = screen_text(&app);
        let header = text
            .lines()
            .position(|l| l.contains("test code ·"))
            .unwrap_or_else(|| panic!("{grouping}: no test-code header:\n{text}"));
        let token = text
            .lines()
            .position(|l| l.contains("tuif****0e"))
            .unwrap_or_else(|| panic!("{grouping}: no test-code row:\n{text}"));
        let eval = text.lines().position(|l| l.contains("eval()")).unwrap();
        assert!(eval < header && header < token, "{grouping}:\n{text}");
        key(&mut app, KeyCode::Tab);
    }
}

#[test]
fn the_findings_list_notes_a_file_the_scan_could_not_parse() {
    let dir = tempfile::tempdir().unwrap();
    // `privileged: true` one space too deep: the Compose checks cannot read the file.
    std::fs::write(
        dir.path().join("docker-compose.yml"),
        "services:\n  web:\n    image: nginx:1.25\n     privileged: true\n",
    )
    .unwrap();
    let catalog = Arc::new(Catalog::embedded().unwrap());
    let live = LiveScan::new(Scanner::new(catalog, ScanOptions::default()), dir.path()).unwrap();
    let mut app = App::new(self::catalog(), root(), progress(), Theme::COLOR);
    update(&mut app, Action::Resize(120, 30));
    app.set_report(live.report().clone(), BTreeMap::new());
    keys(&mut app, "f");
    let text = screen_text(&app);
    assert!(
        text.contains("note: could not parse docker-compose.yml (line 4, column 16"),
        "{text}"
    );
}

#[test]
fn snapshot_detail() {
    snapshot_both("detail", open_token_detail);
}

#[test]
fn snapshot_help() {
    snapshot_both("help", |app| {
        keys(app, "?");
    });
    snapshot_both("help_findings", |app| {
        keys(app, "f?");
    });
}

#[test]
fn snapshot_suppression_prompts() {
    snapshot_both("suppress_reason", |app| {
        open_token_detail(app);
        keys(app, "ifake token for the tests");
    });
    snapshot_both("suppress_confirm", |app| {
        open_token_detail(app);
        keys(app, "ifake token for the tests");
        let effects = key(app, KeyCode::Enter);
        let Some(Effect::PlanSuppression { key, reason }) = effects.first().cloned() else {
            panic!("{effects:?}");
        };
        let f = app.findings()[key.find(app.findings()).unwrap()].clone();
        let plan = suppress::plan(
            &root(),
            &f.path,
            f.line,
            f.rule.as_str(),
            &reason,
            app.scan.stamps.get(&f.path),
        );
        update(app, Action::SuppressionPlanned(plan.map(Box::new)));
    });
}

#[test]
fn snapshot_too_small() {
    let mut app = app_sized(50, 14);
    insta::assert_snapshot!("too_small_50x14", draw(&app).backend());
    update(&mut app, Action::Resize(view::MIN_WIDTH, view::MIN_HEIGHT));
    assert!(!screen_text(&app).contains("larger terminal"));
}

// ---------------------------------------------------------------------------------------------
// What every frame must respect.

#[test]
fn secrets_never_reach_the_screen() {
    for (width, height) in [(80, 24), (120, 40)] {
        let mut app = app_sized(width, height);
        open_token_detail(&mut app);
        let text = screen_text(&app);
        assert!(text.contains("tuif****9d"), "{text}");
        assert!(!text.contains("0a1b2c3d"), "{text}");
    }
}

#[test]
fn colours_are_basic_ansi_and_no_color_has_none() {
    let prepare: [fn(&mut App); 6] = [
        |_| {},
        |app| {
            app.open_lesson(LESSON);
        },
        |app| {
            app.open_lesson(LESSON);
            keys(app, "t1");
        },
        |app| {
            keys(app, "f");
        },
        open_token_detail,
        |app| {
            let generation = open_lab(app, false);
            update(
                app,
                Action::LabChecked {
                    generation,
                    result: Ok(lab_outcome(false)),
                },
            );
        },
    ];
    for step in prepare {
        for theme in [Theme::COLOR, Theme::PLAIN] {
            let mut app = app_sized(120, 40);
            app.theme = theme;
            step(&mut app);
            let terminal = draw(&app);
            for cell in terminal.backend().buffer().content() {
                for color in [cell.fg, cell.bg] {
                    let basic = matches!(
                        color,
                        Color::Reset
                            | Color::Black
                            | Color::Red
                            | Color::Green
                            | Color::Yellow
                            | Color::Blue
                            | Color::Magenta
                            | Color::Cyan
                            | Color::Gray
                            | Color::DarkGray
                            | Color::LightRed
                            | Color::LightGreen
                            | Color::LightYellow
                            | Color::LightBlue
                            | Color::LightMagenta
                            | Color::LightCyan
                            | Color::White
                    );
                    assert!(basic, "{color:?} is not one of the 16 ANSI colours");
                    if !theme.color {
                        assert_eq!(color, Color::Reset, "NO_COLOR draws a colour");
                    }
                }
            }
        }
    }
}

#[test]
fn every_screen_draws_at_odd_sizes() {
    for (width, height) in [(60, 16), (61, 17), (200, 60), (1, 1), (0, 0), (59, 40)] {
        let mut app = app_sized(width, height);
        draw(&app);
        app.open_lesson(LESSON);
        draw(&app);
        keys(&mut app, "t1");
        draw(&app);
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Esc);
        open_token_detail(&mut app);
        draw(&app);
        keys(&mut app, "?");
        draw(&app);
    }
}

#[test]
fn the_footer_and_help_come_from_the_key_table() {
    let mut app = app();
    let text = screen_text(&app);
    let footer = text.lines().nth(23).unwrap();
    assert!(
        footer.contains("q quit") && footer.contains("? help"),
        "{footer}"
    );
    keys(&mut app, "f");
    let text = screen_text(&app);
    let footer = text.lines().nth(23).unwrap();
    assert!(
        footer.contains("Esc back") && footer.contains("? help"),
        "{footer}"
    );
    for binding in seccoach::tui::keys::applicable(Ctx::Findings) {
        let help_app = {
            let mut a = app_sized(120, 40);
            keys(&mut a, "f?");
            a
        };
        let help = screen_text(&help_app);
        assert!(help.contains(binding.what), "help lacks {}", binding.what);
    }
}

// ---------------------------------------------------------------------------------------------
// State transitions, driven by keys.

#[test]
fn q_quits_at_home_esc_goes_back_and_ctrl_c_always_quits() {
    let mut app = app();
    keys(&mut app, "f");
    assert!(matches!(top(&app), Screen::Findings(_)));
    keys(&mut app, "q");
    assert!(matches!(top(&app), Screen::Home(_)));
    assert!(!app.quit);
    key(&mut app, KeyCode::Esc);
    assert!(!app.quit, "Esc at home does not quit");
    assert_eq!(keys(&mut app, "q"), vec![Effect::Quit]);
    assert!(app.quit);

    let mut second = self::app();
    let app = &mut second;
    open_token_detail(app);
    keys(app, "ireason in progress");
    assert_eq!(app.context(), Ctx::Prompt);
    assert_eq!(ctrl_c(app), vec![Effect::Quit]);
    assert!(app.quit);
}

#[test]
fn help_opens_and_closes() {
    let mut app = app();
    keys(&mut app, "?");
    assert_eq!(app.overlay, Some(Overlay::Help));
    assert!(screen_text(&app).contains("Keys"));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, None);
    keys(&mut app, "??");
    assert_eq!(app.overlay, None);
}

#[test]
fn home_opens_lessons_and_continues_where_you_left_off() {
    let mut app = app();
    // Last lesson was read, so "continue" offers the next unread one.
    let next = app.continue_lesson().unwrap().id.clone();
    assert_eq!(next, "secrets/keeping-secrets-out");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(effects.contains(&Effect::SaveProgress));
    let Screen::Lesson(state) = top(&app) else {
        panic!("Enter on home opens a lesson");
    };
    assert_eq!(state.id, next);
    assert_eq!(app.progress.last_lesson.as_deref(), Some(next.as_str()));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    let Screen::Lesson(state) = top(&app) else {
        panic!()
    };
    assert_eq!(state.id, "day-one/pipeline-security");
}

#[test]
fn reading_to_the_end_marks_a_lesson_read() {
    let mut app = app();
    app.open_lesson(LESSON);
    assert!(!app.progress.is_read(LESSON));
    key(&mut app, KeyCode::Down);
    let Screen::Lesson(state) = top(&app) else {
        panic!()
    };
    assert_eq!(state.scroll, 1);
    let effects = key(&mut app, KeyCode::End);
    assert!(app.progress.is_read(LESSON));
    assert_eq!(effects, vec![Effect::SaveProgress]);
    // Scrolling is clamped to the content.
    let Screen::Lesson(state) = top(&app) else {
        panic!()
    };
    let end = state.scroll;
    key(&mut app, KeyCode::PageDown);
    let Screen::Lesson(state) = top(&app) else {
        panic!()
    };
    assert_eq!(state.scroll, end);
    // The mouse wheel scrolls too.
    update(&mut app, Action::Scroll(-3));
    let Screen::Lesson(state) = top(&app) else {
        panic!()
    };
    assert_eq!(state.scroll, end - 3);
}

#[test]
fn next_and_previous_lesson_follow_the_curriculum() {
    let mut app = app();
    app.open_lesson("day-one/pipeline-security");
    keys(&mut app, "n");
    let Screen::Lesson(state) = top(&app) else {
        panic!()
    };
    assert_eq!(state.id, "day-one/shared-vocabulary");
    keys(&mut app, "pp");
    let Screen::Lesson(state) = top(&app) else {
        panic!()
    };
    assert_eq!(state.id, "day-one/pipeline-security");
    assert!(app.status.as_ref().unwrap().text.contains("first lesson"));
    assert_eq!(
        app.screens.len(),
        2,
        "stepping replaces the lesson, never stacks"
    );
}

/// The position on screen (1-based) of the right answer, and of a wrong one, to the current
/// question of the quiz on top.
fn quiz_positions(app: &App) -> (usize, usize) {
    let Screen::Lesson(state) = top(app) else {
        panic!("a lesson is on top")
    };
    let quiz = state.quiz.as_ref().expect("a quiz is running");
    let question = &app.catalog.lesson(&state.id).unwrap().quiz[quiz.question];
    let right = quiz.answer_position(question);
    let wrong = (0..question.choices.len()).find(|&i| i != right).unwrap();
    (right + 1, wrong + 1)
}

fn digit(n: usize) -> String {
    n.to_string()
}

#[test]
fn the_quiz_gives_feedback_and_saves_the_score() {
    let mut app = app();
    app.open_lesson(LESSON);
    keys(&mut app, "t");
    assert_eq!(app.context(), Ctx::Quiz);
    // Wrong answer first: feedback names the right one by its position on screen.
    let (right, wrong) = quiz_positions(&app);
    keys(&mut app, &digit(wrong));
    let text = screen_text(&app);
    assert!(
        text.contains(&format!("Not quite: the answer is {right}")),
        "{text}"
    );
    assert!(text.contains("sender writes the code"), "{text}");
    // A second pick is ignored once answered.
    keys(&mut app, &digit(right));
    assert!(!screen_text(&app).contains("Correct."));
    key(&mut app, KeyCode::Enter);
    // Arrows and Enter answer too: the cursor starts on the first position.
    let (right, _) = quiz_positions(&app);
    for _ in 1..right {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    assert!(screen_text(&app).contains("Correct."));
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(effects, vec![Effect::SaveProgress]);
    let score = app.progress.quiz_scores[LESSON];
    assert_eq!((score.correct, score.total, score.best), (1, 2, 1));
    assert!(app.progress.is_read(LESSON));
    assert!(screen_text(&app).contains("You got 1 of 2 right."));
    // Retake, then do better: the best score is kept.
    keys(&mut app, "r");
    let (right, _) = quiz_positions(&app);
    keys(&mut app, &digit(right));
    key(&mut app, KeyCode::Enter);
    let (right, _) = quiz_positions(&app);
    keys(&mut app, &digit(right));
    key(&mut app, KeyCode::Enter);
    let score = app.progress.quiz_scores[LESSON];
    assert_eq!((score.correct, score.best), (2, 2));
    // Enter leaves the finished quiz for the lesson; Esc from the lesson goes home.
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Ctx::Lesson);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Ctx::Home);
}

#[test]
fn quiz_choices_are_shuffled_per_attempt_and_stable_within_one() {
    let mut app = app();
    app.open_lesson(LESSON);
    let lesson = app.catalog.lesson(LESSON).unwrap().clone();
    let mut orders = std::collections::BTreeSet::new();
    for attempt in 0..12 {
        keys(&mut app, "t");
        let Screen::Lesson(state) = top(&app) else {
            panic!("a lesson is on top")
        };
        let quiz = state.quiz.clone().unwrap();
        let order = quiz.order(&lesson.quiz[0]);
        // A permutation of the file's choices, drawn the same way on every frame.
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![0, 1, 2], "attempt {attempt}");
        let before = screen_text(&app);
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Up);
        assert_eq!(
            screen_text(&app),
            before,
            "attempt {attempt}: stable on screen"
        );
        assert_eq!(quiz.order(&lesson.quiz[0]), order);
        // Each choice is shown at the position the order gives it.
        for (position, &index) in order.iter().enumerate() {
            let label = format!("{}) {}", position + 1, lesson.quiz[0].choices[index]);
            assert!(before.contains(&label), "{label} in\n{before}");
        }
        orders.insert(order);
        key(&mut app, KeyCode::Esc);
    }
    // Twelve attempts do not all see the file's order: retakes reshuffle.
    assert!(orders.len() > 1, "{orders:?}");
    assert!(orders.iter().any(|o| o != &vec![0, 1, 2]));
}

#[test]
fn show_these_in_my_project_filters_to_the_lessons_checks() {
    let mut app = app();
    app.open_lesson(LESSON);
    keys(&mut app, "f");
    let Screen::Findings(state) = top(&app) else {
        panic!("f in a lesson opens the findings")
    };
    let shown = seccoach::tui::app::visible_findings(&app, state);
    let rules: Vec<&str> = shown
        .iter()
        .map(|&i| app.findings()[i].rule.as_str())
        .collect();
    assert_eq!(
        rules,
        ["secrets/tui-fixture-token", "code/tui-fixture-eval"]
    );
    assert!(screen_text(&app).contains("checks of “Fixture lesson"));
}

#[test]
fn filters_search_and_grouping() {
    let mut app = app();
    keys(&mut app, "f");
    let visible = |app: &App| match top(app) {
        Screen::Findings(state) => seccoach::tui::app::visible_findings(app, state)
            .iter()
            .map(|&i| app.findings()[i].fingerprint.clone())
            .collect::<Vec<_>>(),
        _ => panic!("not on the findings"),
    };
    // By severity: critical first.
    assert_eq!(
        visible(&app),
        ["fp-token", "fp-root", "fp-eval", "fp-digest"]
    );
    keys(&mut app, "sss");
    assert_eq!(visible(&app), ["fp-token", "fp-root", "fp-eval"]);
    keys(&mut app, "s");
    assert_eq!(visible(&app), ["fp-token"]);
    keys(&mut app, "x");
    keys(&mut app, "a");
    assert_eq!(visible(&app), ["fp-eval"], "first area: code");
    keys(&mut app, "a");
    assert_eq!(visible(&app), ["fp-root", "fp-digest"], "then docker");
    keys(&mut app, "x");
    key(&mut app, KeyCode::Tab);
    assert!(matches!(
        top(&app),
        Screen::Findings(FindingsState {
            grouping: Grouping::ByFile,
            ..
        })
    ));
    assert_eq!(
        visible(&app),
        ["fp-root", "fp-digest", "fp-eval", "fp-token"]
    );
    // Search filters as you type; Enter keeps it, Esc restores the previous query.
    keys(&mut app, "/");
    assert_eq!(app.context(), Ctx::Prompt);
    keys(&mut app, "eval");
    assert_eq!(visible(&app), ["fp-eval"]);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Ctx::Findings);
    assert_eq!(visible(&app), ["fp-eval"]);
    keys(&mut app, "/");
    key(&mut app, KeyCode::Backspace);
    keys(&mut app, "zzz");
    assert!(visible(&app).is_empty());
    assert!(screen_text(&app).contains("No findings match"));
    key(&mut app, KeyCode::Esc);
    assert_eq!(visible(&app), ["fp-eval"]);
    // Esc with a search (or filter) on clears it and stays; the next Esc leaves the list.
    keys(&mut app, "s");
    key(&mut app, KeyCode::Esc);
    assert!(
        matches!(top(&app), Screen::Findings(_)),
        "still on the list"
    );
    assert_eq!(visible(&app).len(), 4, "search and filters cleared");
    key(&mut app, KeyCode::Esc);
    assert!(!matches!(top(&app), Screen::Findings(_)), "left the list");
}

#[test]
fn the_detail_walks_the_list_and_links_the_lesson() {
    let mut app = app();
    open_token_detail(&mut app);
    let effects = keys(&mut app, "n");
    let Some(Effect::LoadExcerpt { index }) = effects.first().cloned() else {
        panic!("{effects:?}")
    };
    assert_eq!(app.findings()[index].fingerprint, "fp-root");
    keys(&mut app, "n");
    keys(&mut app, "n");
    keys(&mut app, "n");
    assert!(app.status.as_ref().unwrap().text.contains("last finding"));
    // Back on the list, the selection follows the detail.
    key(&mut app, KeyCode::Esc);
    let Screen::Findings(state) = top(&app) else {
        panic!()
    };
    assert_eq!(state.selected, 3);
    // The lesson link opens the lesson that teaches the rule.
    keys(&mut app, "gg");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "l");
    let Screen::Lesson(state) = top(&app) else {
        panic!("l opens the lesson")
    };
    assert_eq!(state.id, LESSON);
    key(&mut app, KeyCode::Esc);
    assert!(matches!(top(&app), Screen::Detail(_)));
}

#[test]
fn editing_and_reviewing_are_effects() {
    let mut app = app();
    open_token_detail(&mut app);
    assert_eq!(
        keys(&mut app, "e"),
        vec![Effect::OpenEditor {
            file: root().join("app/settings.py"),
            line: 3
        }]
    );
    assert_eq!(keys(&mut app, "r"), vec![Effect::SaveProgress]);
    assert!(app.progress.is_reviewed("fp-token"));
    assert!(screen_text(&app).contains("✓ reviewed"));
    keys(&mut app, "r");
    assert!(!app.progress.is_reviewed("fp-token"));
    // After the editor, the project is rescanned.
    let effects = update(&mut app, Action::EditorClosed(Ok(())));
    assert!(matches!(effects.as_slice(), [Effect::StartScan { .. }]));
}

#[test]
fn suppressing_asks_for_a_reason_then_a_confirmation() {
    let mut app = app();
    open_token_detail(&mut app);
    keys(&mut app, "i");
    // An empty reason is refused.
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(app.status.as_ref().unwrap().error);
    keys(&mut app, "fake token");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::PlanSuppression { key, reason }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(reason, "fake token");
    let f = app.findings()[key.find(app.findings()).unwrap()].clone();
    let plan = suppress::plan(
        &root(),
        &f.path,
        f.line,
        f.rule.as_str(),
        reason,
        app.scan.stamps.get(&f.path),
    )
    .unwrap();
    assert_eq!(
        plan.comment,
        "# seccoach:ignore secrets/tui-fixture-token -- fake token"
    );
    update(
        &mut app,
        Action::SuppressionPlanned(Ok(Box::new(plan.clone()))),
    );
    assert_eq!(app.context(), Ctx::Confirm);
    assert!(
        screen_text(&app).contains("# seccoach:ignore secrets/tui-fixture-token -- fake token")
    );
    // n cancels; nothing is written.
    assert!(keys(&mut app, "n").is_empty());
    assert_eq!(app.overlay, None);
    // y writes.
    update(
        &mut app,
        Action::SuppressionPlanned(Ok(Box::new(plan.clone()))),
    );
    let effects = keys(&mut app, "y");
    assert_eq!(
        effects,
        vec![Effect::WriteSuppression(Box::new(plan.clone()))]
    );
    // Once written, the finding is gone, later lines of the file move down, and the detail moves
    // to the next finding.
    let effects = update(
        &mut app,
        Action::Suppressed {
            plan: Box::new(plan),
            result: Ok(FileStamp::of(b"new")),
        },
    );
    assert!(!app.findings().iter().any(|f| f.fingerprint == "fp-token"));
    assert_eq!(app.scan.report.as_ref().unwrap().stats.suppressed, 1);
    // The excerpt is reloaded, and the file re-checked by the scan itself.
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadExcerpt { .. }, Effect::Recheck { paths }] if paths == &[PathBuf::from("app/settings.py")]
    ));
    let Screen::Detail(detail) = top(&app) else {
        panic!()
    };
    assert_eq!(app.findings()[detail.index].fingerprint, "fp-root");
    assert!(app.status.as_ref().unwrap().text.starts_with("Suppressed"));
}

#[test]
fn a_refused_suppression_says_why() {
    let mut app = app();
    open_token_detail(&mut app);
    update(
        &mut app,
        Action::SuppressionPlanned(Err(suppress::Refusal::Changed {
            path: "app/settings.py".into(),
        })),
    );
    let status = app.status.clone().unwrap();
    assert!(
        status.error && status.text.contains("changed since the scan"),
        "{status:?}"
    );
    assert_eq!(app.findings().len(), 4);
}

#[test]
fn scan_events_of_older_scans_are_ignored() {
    let mut app = App::new(catalog(), root(), Progress::default(), Theme::COLOR);
    let effects = app.start_scan();
    assert_eq!(effects, vec![Effect::StartScan { generation: 1 }]);
    assert!(app.start_scan().is_empty(), "one scan at a time");
    update(
        &mut app,
        Action::Scan(ScanEvent::Progress {
            generation: 0,
            files: 99,
            findings: 9,
        }),
    );
    assert_eq!(
        app.scan.phase,
        ScanPhase::Running {
            files: 0,
            findings: 0
        }
    );
    update(
        &mut app,
        Action::Scan(ScanEvent::Done {
            generation: 1,
            report: Box::new(report()),
            stamps: stamps(),
            change: Change::default(),
        }),
    );
    assert_eq!(app.scan.phase, ScanPhase::Done);
    assert_eq!(app.findings().len(), 4);
    // A rescan keeps the open detail on its finding.
    keys(&mut app, "f");
    key(&mut app, KeyCode::Enter);
    app.start_scan();
    let mut moved = report();
    moved.findings.remove(0);
    update(
        &mut app,
        Action::Scan(ScanEvent::Done {
            generation: 2,
            report: Box::new(moved),
            stamps: stamps(),
            change: Change::default(),
        }),
    );
    let Screen::Detail(detail) = top(&app) else {
        panic!()
    };
    assert_eq!(app.findings()[detail.index].fingerprint, "fp-token");
}

#[test]
fn resizing_keeps_scrolls_in_range() {
    let mut app = app();
    app.open_lesson(LESSON);
    key(&mut app, KeyCode::End);
    update(&mut app, Action::Resize(120, 60));
    let Screen::Lesson(state) = top(&app) else {
        panic!()
    };
    let (total, height) = view::lesson::content_size(&app, state);
    assert!(state.scroll + height <= total.max(height));
}

// ---------------------------------------------------------------------------------------------
// Live re-checking, guided fixes and labs.

/// A copy of the fixture project in a temporary directory (fixes and labs write files).
fn project_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root(), dir.path());
    dir
}

/// The app on a real project, with its real findings from a live scan of it.
fn live_app(dir: &Path, width: u16, height: u16) -> (App, LiveScan) {
    let scanner = Scanner::new(catalog(), ScanOptions::default());
    let live = LiveScan::new(scanner, dir).unwrap();
    let mut app = App::new(catalog(), dir.to_path_buf(), progress(), Theme::COLOR);
    app.project_name = "tui-project".into();
    update(&mut app, Action::Resize(width, height));
    app.set_report(live.report().clone(), BTreeMap::new());
    (app, live)
}

/// Re-checks `changed` with the live scan and hands the result to the app, as the worker does.
fn recheck(app: &mut App, live: &mut LiveScan, changed: &[&str]) -> Vec<Effect> {
    let paths: Vec<PathBuf> = changed.iter().map(PathBuf::from).collect();
    let delta = live.update(&paths);
    let generation = app.scan.generation;
    update(
        app,
        Action::Scan(ScanEvent::Updated {
            generation,
            report: Box::new(live.report().clone()),
            stamps: BTreeMap::new(),
            change: Change {
                delta,
                suppressed: Vec::new(),
            },
        }),
    )
}

/// Opens the findings list and the detail of the first finding of `rule`.
fn open_detail_of(app: &mut App, rule: &str) -> usize {
    keys(app, "f");
    let Screen::Findings(state) = top(app) else {
        panic!("f opens the findings")
    };
    let position = seccoach::tui::app::visible_findings(app, state)
        .iter()
        .position(|&i| app.findings()[i].rule.as_str() == rule)
        .unwrap_or_else(|| panic!("no {rule} finding"));
    for _ in 0..position {
        key(app, KeyCode::Down);
    }
    let effects = key(app, KeyCode::Enter);
    let Some(Effect::LoadExcerpt { index }) = effects.first().cloned() else {
        panic!("{effects:?}")
    };
    index
}

/// Presses `f` on the finding open in the detail and hands over the proposed fix.
fn preview_fix(app: &mut App, dir: &Path) {
    let effects = keys(app, "f");
    let [Effect::ProposeFix { key }] = effects.as_slice() else {
        panic!("f on a fixable finding asks for its fix: {effects:?}")
    };
    let scanner = Scanner::new(catalog(), ScanOptions::default());
    let finding = app.findings()[key.find(app.findings()).unwrap()].clone();
    let fix = seccoach::tui::fixes::propose(&scanner, dir, &finding).map(Box::new);
    update(app, Action::FixProposed(fix));
}

fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn live_updates_mark_fixed_and_new_findings_and_keep_the_selection() {
    let mut app = app();
    keys(&mut app, "f");
    // Select the eval finding (third by severity).
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    let selected = |app: &App| match top(app) {
        Screen::Findings(state) => {
            let i = seccoach::tui::app::visible_findings(app, state)[state.selected];
            app.findings()[i].fingerprint.clone()
        }
        _ => panic!("not on the findings"),
    };
    assert_eq!(selected(&app), "fp-eval");

    // The Dockerfile's root finding is fixed; a new eval appears in another file.
    let mut now = report();
    let root_finding = now.findings.remove(0);
    assert_eq!(root_finding.fingerprint, "fp-root");
    let added = finding(
        "code/tui-fixture-eval",
        Severity::High,
        "app/admin.py",
        2,
        5,
        10,
        "eval() runs its argument as code",
        "fp-new",
    );
    now.findings.push(added.clone());
    seccoach::finding::sort(&mut now.findings);
    update(
        &mut app,
        Action::FilesChanged {
            watched: seccoach::tui::app::Watched::Project,
            paths: vec![root().join("Dockerfile")],
        },
    );
    assert!(app.scan.rechecking);
    let generation = app.scan.generation;
    update(
        &mut app,
        Action::Scan(ScanEvent::Updated {
            generation,
            report: Box::new(now),
            stamps: stamps(),
            change: Change {
                delta: seccoach::scan::live::Delta {
                    fixed: vec![root_finding.clone()],
                    new: vec![added],
                },
                suppressed: Vec::new(),
            },
        }),
    );
    assert!(!app.scan.rechecking);
    assert_eq!(
        selected(&app),
        "fp-eval",
        "the selection stays on its finding"
    );
    assert_eq!(app.scan.fixed.len(), 1);
    assert!(app.scan.new.contains("fp-new"));
    let text = screen_text(&app);
    assert!(text.contains("1 fixed this session"), "{text}");
    assert!(text.contains("FIXED THIS SESSION"), "{text}");
    assert!(text.contains("new eval()"), "{text}");
    assert!(
        status(&app).contains("Fixed: docker/run-as-root"),
        "{}",
        status(&app)
    );
    key(&mut app, KeyCode::Esc);
    assert!(screen_text(&app).contains("✓ 1 fixed this session"));

    // The fix is undone: the finding is back, neither fixed nor new.
    let generation = app.scan.generation;
    update(
        &mut app,
        Action::Scan(ScanEvent::Updated {
            generation,
            report: Box::new(report()),
            stamps: stamps(),
            change: Change {
                delta: seccoach::scan::live::Delta {
                    fixed: vec![],
                    new: vec![root_finding],
                },
                suppressed: Vec::new(),
            },
        }),
    );
    assert!(app.scan.fixed.is_empty());
    assert!(!app.scan.new.contains("fp-root"));

    // Updates of an older scan are ignored.
    let before = app.findings().len();
    let stale = app.scan.generation + 7;
    update(
        &mut app,
        Action::Scan(ScanEvent::Updated {
            generation: stale,
            report: Box::new(Report::default()),
            stamps: BTreeMap::new(),
            change: Change::default(),
        }),
    );
    assert_eq!(app.findings().len(), before);
}

#[test]
fn a_suppressed_finding_is_not_counted_as_fixed() {
    let mut app = app();
    let mut now = report();
    let token = now.findings.pop().unwrap();
    let generation = app.scan.generation;
    update(
        &mut app,
        Action::Scan(ScanEvent::Updated {
            generation,
            report: Box::new(now),
            stamps: stamps(),
            change: Change {
                delta: Default::default(),
                suppressed: vec![token],
            },
        }),
    );
    assert!(app.scan.fixed.is_empty());
    assert!(status(&app).contains("1 suppressed"), "{}", status(&app));
}

#[test]
fn fix_preview_then_apply_then_undo() {
    let dir = project_copy();
    let root = dir.path();
    let original = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    let (mut app, mut live) = live_app(root, 80, 24);
    let index = open_detail_of(&mut app, "docker/run-as-root");
    update(
        &mut app,
        Action::ExcerptLoaded {
            index,
            excerpt: Err("not needed".into()),
        },
    );
    assert!(screen_text(&app).contains("Automatic fix (needs review)"));

    // A finding without a recipe says so, and asks for nothing.
    let mut other = live_app(root, 80, 24).0;
    open_detail_of(&mut other, "code/tui-fixture-eval");
    assert!(keys(&mut other, "f").is_empty());
    assert!(
        status(&other).contains("no automatic fix"),
        "{}",
        status(&other)
    );

    // f shows the diff; n cancels and nothing is written.
    preview_fix(&mut app, root);
    assert_eq!(app.context(), Ctx::Fix);
    let text = screen_text(&app);
    assert!(text.contains("needs review"), "{text}");
    assert!(text.contains("+USER 10001"), "{text}");
    assert!(text.contains("Why this works."), "{text}");
    keys(&mut app, "j");
    keys(&mut app, "n");
    assert_eq!(app.overlay, None);
    assert_eq!(
        std::fs::read_to_string(root.join("Dockerfile")).unwrap(),
        original
    );

    // y applies it; the re-check confirms the finding is gone.
    preview_fix(&mut app, root);
    let effects = keys(&mut app, "y");
    let [Effect::ApplyFix(fix)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let result = seccoach::fix::apply(root, fix).map_err(|e| e.to_string());
    let effects = update(
        &mut app,
        Action::FixApplied {
            fix: fix.clone(),
            result,
        },
    );
    assert_eq!(
        effects,
        vec![Effect::Recheck {
            paths: vec![PathBuf::from("Dockerfile")]
        }]
    );
    assert!(
        std::fs::read_to_string(root.join("Dockerfile"))
            .unwrap()
            .contains("USER 10001")
    );
    assert_eq!(app.applied.len(), 1);
    recheck(&mut app, &mut live, &["Dockerfile"]);
    let Screen::Detail(detail) = top(&app) else {
        panic!("the detail stays open")
    };
    assert!(detail.gone.is_some());
    let text = screen_text(&app);
    assert!(
        text.contains("✓ Fixed: the re-check no longer finds this."),
        "{text}"
    );
    assert!(text.contains("u undoes the fix"), "{text}");
    assert_eq!(app.scan.fixed.len(), 1);

    // u puts the file back as it was, and the finding returns.
    let effects = keys(&mut app, "u");
    let [Effect::UndoFix(fix)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let result = seccoach::tui::fixes::undo(root, fix);
    let effects = update(
        &mut app,
        Action::FixUndone {
            fix: fix.clone(),
            result,
        },
    );
    assert!(matches!(effects.as_slice(), [Effect::Recheck { .. }]));
    assert_eq!(
        std::fs::read_to_string(root.join("Dockerfile")).unwrap(),
        original
    );
    assert!(app.applied.is_empty());
    let effects = recheck(&mut app, &mut live, &["Dockerfile"]);
    let Screen::Detail(detail) = top(&app) else {
        panic!()
    };
    assert!(detail.gone.is_none(), "the finding is back in the detail");
    assert_eq!(
        app.findings()[detail.index].rule.as_str(),
        "docker/run-as-root"
    );
    // The learner's record of fixed findings lost this one again: saved.
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadExcerpt { .. }, Effect::SaveProgress]
    ));
    assert!(app.scan.fixed.is_empty());
    assert!(app.progress.findings_fixed.is_empty());
    // The status says what happened, not that something is "new".
    assert_eq!(
        status(&app),
        "Undid the fix to Dockerfile; 1 finding is back",
        "{}",
        status(&app)
    );
    assert!(keys(&mut app, "u").is_empty());
    assert!(status(&app).contains("No fix to undo"));

    // An undo never overwrites an edit made after the fix.
    preview_fix(&mut app, root);
    let effects = keys(&mut app, "y");
    let [Effect::ApplyFix(fix)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    seccoach::fix::apply(root, fix).unwrap();
    update(
        &mut app,
        Action::FixApplied {
            fix: fix.clone(),
            result: Ok(()),
        },
    );
    std::fs::write(root.join("Dockerfile"), "FROM scratch\n").unwrap();
    let effects = keys(&mut app, "u");
    let [Effect::UndoFix(fix)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let result = seccoach::tui::fixes::undo(root, fix);
    update(
        &mut app,
        Action::FixUndone {
            fix: fix.clone(),
            result,
        },
    );
    let shown = app.status.clone().unwrap();
    assert!(
        shown.error && shown.text.contains("changed since the fix"),
        "{shown:?}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("Dockerfile")).unwrap(),
        "FROM scratch\n"
    );
    assert!(
        app.applied.is_empty(),
        "a fix that can never be undone leaves the list"
    );
    // A refused proposal is a message too.
    update(
        &mut app,
        Action::FixProposed(Err("Dockerfile: changed since it was checked".into())),
    );
    assert!(app.status.as_ref().unwrap().error);
    assert_eq!(app.overlay, None);
}

#[test]
fn snapshot_fix_preview() {
    let dir = project_copy();
    for (width, height) in [(80, 24), (120, 40)] {
        let (mut app, _) = live_app(dir.path(), width, height);
        open_detail_of(&mut app, "docker/run-as-root");
        preview_fix(&mut app, dir.path());
        insta::assert_snapshot!(
            format!("fix_preview_{width}x{height}"),
            draw(&app).backend()
        );
        // Scrolling stays within the diff, at any size.
        key(&mut app, KeyCode::PageDown);
        key(&mut app, KeyCode::PageDown);
        update(&mut app, Action::Scroll(3));
        let Some(Overlay::Fix(preview)) = &app.overlay else {
            panic!()
        };
        let (total, shown) = view::fix::content_size(&app, preview);
        assert!(preview.scroll <= total.saturating_sub(shown));
        for (w, h) in [(60, 16), (1, 1), (200, 60)] {
            update(&mut app, Action::Resize(w, h));
            draw(&app);
        }
    }
}

const LAB: &str = "non-root-container";
const LAB_LESSON: &str = "containers/least-privilege";
const LAB_DIR: &str = "/home/learner/.local/share/seccoach/labs/non-root-container";

/// The lab's starting project, checked.
fn lab_outcome(solved: bool) -> seccoach::lab::Outcome {
    let dir = tempfile::tempdir().unwrap();
    let lab = seccoach::lab::find(&catalog(), LAB).unwrap();
    seccoach::lab::start(&lab, dir.path()).unwrap();
    if solved {
        let solution = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tui-curriculum/labs/non-root-container/solution/Dockerfile");
        std::fs::copy(solution, dir.path().join("Dockerfile")).unwrap();
    }
    seccoach::lab::check(&lab, catalog(), dir.path()).unwrap()
}

/// Opens the lesson's lab as the runtime would, with a fixed folder path for the snapshots.
fn open_lab(app: &mut App, existing: bool) -> u64 {
    app.open_lesson(LAB_LESSON);
    let effects = keys(app, "l");
    assert_eq!(
        effects,
        vec![Effect::OpenLab { id: LAB.into() }],
        "l in a lesson with a lab opens it"
    );
    let effects = update(
        app,
        Action::LabOpened {
            id: LAB.into(),
            dir: PathBuf::from(LAB_DIR),
            existing,
        },
    );
    let generation = app.lab_generation;
    if existing {
        assert!(effects.is_empty(), "an existing copy is never started over");
    } else {
        assert_eq!(
            effects,
            vec![Effect::StartLab {
                id: LAB.into(),
                dir: PathBuf::from(LAB_DIR),
                resume: false,
                generation
            }]
        );
        update(
            app,
            Action::LabStarted {
                generation,
                result: Ok(()),
                unwatched: None,
            },
        );
    }
    generation
}

#[test]
fn snapshot_lab() {
    let outcome = lab_outcome(false);
    snapshot_both("lab", |app| {
        let generation = open_lab(app, false);
        update(
            app,
            Action::LabChecked {
                generation,
                result: Ok(outcome.clone()),
            },
        );
        update(
            app,
            Action::LabHint("Three findings: the final stage has no USER, sudo is installed, and port 22 is exposed.".into()),
        );
    });
    let solved = lab_outcome(true);
    let mut app = app_sized(80, 24);
    let generation = open_lab(&mut app, false);
    update(
        &mut app,
        Action::LabChecked {
            generation,
            result: Ok(solved),
        },
    );
    insta::assert_snapshot!("lab_solved_80x24", draw(&app).backend());
    for (width, height) in [(60, 16), (1, 1), (0, 0), (200, 60)] {
        update(&mut app, Action::Resize(width, height));
        draw(&app);
        key(&mut app, KeyCode::End);
        draw(&app);
    }
}

#[test]
fn lab_resume_check_and_solve() {
    let mut app = app_sized(120, 40);
    let generation = open_lab(&mut app, true);
    assert_eq!(app.context(), Ctx::Lab);
    let text = screen_text(&app);
    assert!(text.contains("Nothing in it is overwritten"), "{text}");
    assert!(text.contains(LAB_DIR), "{text}");
    // Enter resumes checking the existing copy, never copying over it.
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        vec![Effect::StartLab {
            id: LAB.into(),
            dir: PathBuf::from(LAB_DIR),
            resume: true,
            generation
        }]
    );
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "only once");
    update(
        &mut app,
        Action::LabStarted {
            generation,
            result: Ok(()),
            unwatched: Some("too many watches".into()),
        },
    );
    assert!(screen_text(&app).contains("press c to check"));
    assert_eq!(keys(&mut app, "c"), vec![Effect::CheckLab]);
    update(
        &mut app,
        Action::LabChecked {
            generation,
            result: Ok(lab_outcome(false)),
        },
    );
    let text = screen_text(&app);
    assert!(text.contains("3 problems left"), "{text}");
    assert!(text.contains("Dockerfile:"), "{text}");
    assert_eq!(
        keys(&mut app, "h"),
        vec![Effect::LabHint {
            id: LAB.into(),
            dir: PathBuf::from(LAB_DIR)
        }]
    );
    // A change in the lab folder asks for a check; checks of another lab session are ignored.
    let effects = update(
        &mut app,
        Action::FilesChanged {
            watched: seccoach::tui::app::Watched::Lab,
            paths: vec![PathBuf::from(LAB_DIR).join("Dockerfile")],
        },
    );
    assert_eq!(effects, vec![Effect::CheckLab]);
    update(
        &mut app,
        Action::LabChecked {
            generation: generation + 1,
            result: Ok(lab_outcome(true)),
        },
    );
    assert!(!app.progress.labs_solved.contains(LAB));
    // Solved: congratulated, recorded, and saved.
    let effects = update(
        &mut app,
        Action::LabChecked {
            generation,
            result: Ok(lab_outcome(true)),
        },
    );
    assert_eq!(effects, vec![Effect::SaveProgress]);
    assert!(app.progress.labs_solved.contains(LAB));
    assert!(status(&app).starts_with("Solved"), "{}", status(&app));
    assert!(screen_text(&app).contains("✓ Solved!"));
    // A second passing check does not record it again.
    let effects = update(
        &mut app,
        Action::LabChecked {
            generation,
            result: Ok(lab_outcome(true)),
        },
    );
    assert!(effects.is_empty());
    // Back in the lesson, and at home, the practical part shows as done; leaving stops the
    // watch.
    assert_eq!(key(&mut app, KeyCode::Esc), vec![Effect::StopLab]);
    let lesson = app.catalog.lesson(LAB_LESSON).unwrap();
    let text: String = view::lesson::lesson_text(&app, lesson, 100)
        .lines
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    assert!(text.contains("✓ Solved: the practical part"), "{text}");
    key(&mut app, KeyCode::Esc);
    assert!(screen_text(&app).contains("lab ✓"));
    // A lesson without a lab says so.
    app.open_lesson(LESSON);
    assert!(keys(&mut app, "l").is_empty());
    assert!(status(&app).contains("no hands-on lab"));
}

// ---------------------------------------------------------------------------------------------
// The real machinery: watches, workers and the loop's channel, on a real folder.

/// Performs effects and feeds events back into `update` until `done` holds (or time runs out).
fn pump(
    app: &mut App,
    jobs: &mut Jobs,
    rx: &mpsc::Receiver<Event>,
    mut pending: Vec<Effect>,
    what: &str,
    done: impl Fn(&App) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        while !pending.is_empty() {
            for effect in std::mem::take(&mut pending) {
                if let Some(action) = jobs.perform(effect, app) {
                    pending.extend(update(app, action));
                }
            }
        }
        if done(app) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; status: {:?}",
            app.status
        );
        if let Ok(event) = rx.recv_timeout(Duration::from_millis(50))
            && let Some(action) = seccoach::tui::to_action(event)
        {
            pending.extend(update(app, action));
        }
    }
}

#[test]
fn saving_a_file_updates_the_coach_within_seconds() {
    let dir = project_copy();
    let home = tempfile::tempdir().unwrap();
    let (tx, rx) = mpsc::channel();
    let mut jobs = Jobs::new(
        dir.path().to_path_buf(),
        catalog(),
        ScanOptions::default(),
        Store::in_dir(home.path()),
        tx,
    );
    let mut app = App::new(
        catalog(),
        dir.path().to_path_buf(),
        Progress::default(),
        Theme::COLOR,
    );
    let start = app.start_scan();
    pump(&mut app, &mut jobs, &rx, start, "the first scan", |app| {
        app.scan.phase == ScanPhase::Done
    });
    assert!(app.scan.watching, "the project is watched");
    let eval = |app: &App| {
        app.findings()
            .iter()
            .filter(|f| f.rule.as_str() == "code/tui-fixture-eval" && f.path.starts_with("app/"))
            .count()
    };
    assert_eq!(eval(&app), 1);

    // Fix the eval in the editor of one's choice: the coach notices.
    let main = dir.path().join("app/main.py");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, text.replace("eval(expression)", "int(expression)")).unwrap();
    pump(
        &mut app,
        &mut jobs,
        &rx,
        Vec::new(),
        "the fix to be seen",
        |app| eval(app) == 0,
    );
    assert!(
        app.scan
            .fixed
            .iter()
            .any(|f| f.rule.as_str() == "code/tui-fixture-eval" && f.path == "app/main.py"),
        "{:?}",
        app.scan.fixed
    );

    // A new file with the mistake is a new finding.
    std::fs::write(
        dir.path().join("app/admin.py"),
        "def run(x):\n    return eval(x)\n",
    )
    .unwrap();
    pump(
        &mut app,
        &mut jobs,
        &rx,
        Vec::new(),
        "the new finding",
        |app| eval(app) == 1,
    );
    let new = app
        .findings()
        .iter()
        .find(|f| f.path == "app/admin.py")
        .unwrap();
    assert!(app.scan.new.contains(&new.fingerprint));

    // Checking reads files, and reading is not a change: once nothing is saved, the coach comes
    // to rest (a folder seen for the first time may cost one more re-check, never a loop).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut quiet_since = Instant::now();
    while quiet_since.elapsed() < Duration::from_millis(1200) {
        assert!(
            Instant::now() < deadline,
            "the coach keeps re-checking files nobody changed"
        );
        if let Ok(event) = rx.recv_timeout(Duration::from_millis(100)) {
            if matches!(event, Event::Changed { .. }) {
                quiet_since = Instant::now();
            }
            if let Some(action) = seccoach::tui::to_action(event) {
                let effects = update(&mut app, action);
                for effect in effects {
                    jobs.perform(effect, &mut app);
                }
            }
        }
    }
}

#[test]
fn a_lab_is_started_watched_and_solved_for_real() {
    let home = tempfile::tempdir().unwrap();
    let (tx, rx) = mpsc::channel();
    let store = Store::in_dir(home.path());
    let mut jobs = Jobs::new(root(), catalog(), ScanOptions::default(), store.clone(), tx);
    let mut app = App::new(catalog(), root(), Progress::default(), Theme::COLOR);
    update(&mut app, Action::Resize(120, 40));
    app.open_lesson(LAB_LESSON);
    let start = keys(&mut app, "l");
    let dir = seccoach::lab::dir_for(&store, LAB);
    pump(
        &mut app,
        &mut jobs,
        &rx,
        start,
        "the first check of the lab",
        |app| {
            matches!(
                app.screens.last(),
                Some(Screen::Lab(seccoach::tui::app::LabState {
                    phase: seccoach::tui::app::LabPhase::Watching {
                        outcome: Some(Ok(_)),
                        ..
                    },
                    ..
                }))
            )
        },
    );
    assert!(dir.join("Dockerfile").is_file(), "the lab was copied");
    assert!(screen_text(&app).contains("3 problems left"));
    // A hint, on request.
    let hint = keys(&mut app, "h");
    pump(
        &mut app,
        &mut jobs,
        &rx,
        hint,
        "a hint",
        |app| matches!(app.screens.last(), Some(Screen::Lab(state)) if !state.hints.is_empty()),
    );

    // The learner fixes the Dockerfile in their editor: solved, recorded, saved.
    let solution = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/labs/non-root-container/solution/Dockerfile");
    std::fs::write(dir.join("Dockerfile"), std::fs::read(solution).unwrap()).unwrap();
    pump(
        &mut app,
        &mut jobs,
        &rx,
        Vec::new(),
        "the lab to be solved",
        |app| app.progress.labs_solved.contains(LAB),
    );
    assert!(screen_text(&app).contains("✓ Solved!"));
    let saved = store.load().progress;
    assert!(
        saved.labs_solved.contains(LAB),
        "saved to the progress file"
    );

    // Opening it again offers to resume: the copy is never overwritten.
    key(&mut app, KeyCode::Esc);
    let again = keys(&mut app, "l");
    pump(
        &mut app,
        &mut jobs,
        &rx,
        again,
        "the lab screen",
        |app| matches!(app.screens.last(), Some(Screen::Lab(state)) if matches!(state.phase, seccoach::tui::app::LabPhase::Resume)),
    );
    assert!(
        std::fs::read_to_string(dir.join("Dockerfile"))
            .unwrap()
            .contains("USER 10001")
    );
}

/// A re-check's answer: `now` is the report, `fixed` went since the last one.
fn recheck_done(generation: u64, now: Report, fixed: Vec<Finding>) -> Action {
    Action::Scan(ScanEvent::Updated {
        generation,
        report: Box::new(now),
        stamps: stamps(),
        change: Change {
            delta: seccoach::scan::live::Delta {
                fixed,
                new: Vec::new(),
            },
            suppressed: Vec::new(),
        },
    })
}

/// Applies a live re-check that leaves `now` as the report.
fn live_update(app: &mut App, now: Report, fixed: Vec<Finding>) {
    update(
        app,
        Action::FilesChanged {
            watched: seccoach::tui::app::Watched::Project,
            paths: vec![root().join("Dockerfile")],
        },
    );
    let generation = app.scan.generation;
    update(app, recheck_done(generation, now, fixed));
}

#[test]
fn a_reason_typed_for_one_finding_never_suppresses_another() {
    // The reason prompt is open on the token finding; a re-check removes a finding listed
    // before it, so list positions shift under the prompt.
    let mut app = app_with_token_prompt();
    let mut now = report();
    let position = now
        .findings
        .iter()
        .position(|f| f.fingerprint != "fp-token")
        .unwrap();
    let gone = now.findings.remove(position);
    live_update(&mut app, now, vec![gone]);
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::PlanSuppression { key: named, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let target = &app.findings()[named.find(app.findings()).unwrap()];
    assert_eq!(
        target.fingerprint, "fp-token",
        "the reason goes to its finding"
    );

    // And when the finding itself goes while the prompt is open, nothing is suppressed.
    let mut app = app_with_token_prompt();
    let mut now = report();
    now.findings.retain(|f| f.fingerprint != "fp-token");
    let token = report()
        .findings
        .into_iter()
        .find(|f| f.fingerprint == "fp-token")
        .unwrap();
    live_update(&mut app, now, vec![token]);
    let effects = key(&mut app, KeyCode::Enter);
    assert!(effects.is_empty(), "{effects:?}");
    assert!(status(&app).contains("gone"), "{}", status(&app));
}

fn app_with_token_prompt() -> App {
    let mut app = app();
    open_token_detail(&mut app);
    keys(&mut app, "ifake token for the tests");
    app
}

#[test]
fn snapshot_findings_in_deep_folders_keep_their_file_names() {
    // A real monorepo: nine findings in one deep folder. Cutting the path at the end made the
    // rows read `services/payments/interna…` nine times over.
    let mut report = report();
    report.findings = (1..=9)
        .map(|n| {
            finding(
                "code/tui-fixture-eval",
                Severity::High,
                &format!("services/payments/internal/handlers/v2/handler_{n}.py"),
                n * 10,
                5,
                10,
                "eval() runs its argument as code",
                &format!("fp-deep-{n}"),
            )
        })
        .collect();
    seccoach::finding::sort(&mut report.findings);
    for (width, height) in [(80, 24), (100, 30), (120, 40)] {
        let mut app = App::new(catalog(), root(), progress(), Theme::COLOR);
        update(&mut app, Action::Resize(width, height));
        app.set_report(report.clone(), stamps());
        keys(&mut app, "f");
        let text = screen_text(&app);
        for n in 1..=9 {
            assert!(
                text.contains(&format!("handler_{n}.py:{}", n * 10)),
                "{width}x{height}: file name and line of row {n} shown:\n{text}"
            );
        }
        insta::assert_snapshot!(
            format!("findings_deep_paths_{width}x{height}"),
            draw(&app).backend()
        );
    }
}

#[test]
fn every_note_can_be_read_in_full() {
    let mut report = report();
    report.notes = vec![
        "deps/known-vulnerable did not run: pass --advisories PATH (a directory or .zip of OSV advisories), or set `advisories` in .seccoach.toml, to check lockfiles for known vulnerabilities".to_owned(),
        "could not parse deploy/compose.yaml (line 7, column 3: mapping values are not allowed here): its compose checks did not run on it; the text checks did run".to_owned(),
        "could not read vendor/blob.bin: permission denied".to_owned(),
    ];
    for (width, height) in [(80, 24), (120, 40)] {
        let mut app = App::new(catalog(), root(), progress(), Theme::COLOR);
        update(&mut app, Action::Resize(width, height));
        app.set_report(report.clone(), stamps());
        keys(&mut app, "f");
        let list = screen_text(&app);
        assert!(list.contains("+2 more: n shows all"), "{list}");
        keys(&mut app, "n");
        assert!(matches!(top(&app), Screen::Notes(_)));
        // Every note whole, whatever the wrapping: the words of the screen, in order.
        let text: Vec<String> = screen_text(&app)
            .split_whitespace()
            .map(|w| w.trim_matches('"').to_owned())
            .filter(|w| !w.is_empty())
            .collect();
        let text = text.join(" ");
        for note in &report.notes {
            assert!(
                text.contains(note.as_str()),
                "{width}x{height}: {note}:\n{text}"
            );
        }
        insta::assert_snapshot!(format!("notes_{width}x{height}"), draw(&app).backend());
        key(&mut app, KeyCode::Esc);
        assert!(matches!(top(&app), Screen::Findings(_)));
    }
    // No notes: n says so and stays.
    let mut app = app();
    keys(&mut app, "f");
    keys(&mut app, "n");
    assert!(matches!(top(&app), Screen::Findings(_)));
    assert!(status(&app).contains("no notes"), "{}", status(&app));
}

/// A password no rule's allow-list knows, joined at run time so this file holds no credential.
fn coach_password() -> String {
    ["Hv4", "rQt8", "nYx2", "kMe6"].concat()
}

#[test]
fn the_detail_and_the_fix_preview_mask_secrets_that_other_rules_found() {
    let dir = tempfile::tempdir().unwrap();
    let password = coach_password();
    std::fs::write(
        dir.path().join(".env"),
        format!("DATABASE_URL=postgres://admin:{password}@db:5432/app\nDEBUG=1\n"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("deploy")).unwrap();
    std::fs::write(
        dir.path().join("deploy/app.yaml"),
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: shop\nspec:\n  containers:\n    - name: app\n      image: app:1.2\n      securityContext:\n        allowPrivilegeEscalation: true\n      env:\n        - name: DB_PASSWORD\n          value: \"{password}\"\n"
        ),
    )
    .unwrap();
    let (mut app, _live) = live_app(dir.path(), 100, 40);
    let scanner = Scanner::new(catalog(), ScanOptions::default());
    for rule in ["repo/env-file-committed", "k8s/secret-in-env-literal"] {
        let index = open_detail_of(&mut app, rule);
        let finding = app.findings()[index].clone();
        let excerpt = excerpt::load(&scanner, dir.path(), &finding).unwrap();
        assert!(!excerpt.lines.concat().contains(&password), "{excerpt:?}");
        update(
            &mut app,
            Action::ExcerptLoaded {
                index,
                excerpt: Ok(excerpt),
            },
        );
        let text = screen_text(&app);
        assert!(text.contains("****"), "{text}");
        assert!(!text.contains(&password), "{rule}: {text}");
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Esc);
    }
    // The fix of the escalation shows the env literal as context, masked.
    open_detail_of(&mut app, "k8s/allow-privilege-escalation");
    preview_fix(&mut app, dir.path());
    let text = screen_text(&app);
    assert!(text.contains("allowPrivilegeEscalation: false"), "{text}");
    assert!(!text.contains(&password), "{text}");
}

#[test]
fn a_rule_packs_control_characters_never_reach_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let pack = r#"[[rule]]
id = "code/team-client"
title = "Team client\u001b[2J\u009b31m without timeout\u202e"
severity = "high"
confidence = "high"
message = "client without timeout"
what = "A client call without a timeout.\u001b]0;owned\u0007"
why = "It can hang forever."
fix = "Pass a timeout."
references = ["CWE-400"]
lessons = []

[rule.example]
language = "python"
before = 'client.get(url)'
after = 'client.get(url, timeout=5)'

[rule.matcher]
type = "regex"
keywords = ["client.get("]
pattern = 'client\.get\([^)]*\)'
"#;
    std::fs::create_dir_all(dir.path().join(".seccoach/checks")).unwrap();
    std::fs::write(dir.path().join(".seccoach/checks/team.toml"), pack).unwrap();
    std::fs::write(dir.path().join("app.py"), "client.get(url)\n").unwrap();
    let catalog = Arc::new(Catalog::for_repository(dir.path()).unwrap());
    let live = LiveScan::new(
        Scanner::new(Arc::clone(&catalog), ScanOptions::default()),
        dir.path(),
    )
    .unwrap();
    let mut app = App::new(catalog, dir.path().to_path_buf(), progress(), Theme::COLOR);
    update(&mut app, Action::Resize(120, 40));
    app.set_report(live.report().clone(), BTreeMap::new());
    let raw = |text: &str| {
        text.chars()
            .any(|c| matches!(c, '\u{1b}' | '\u{7}' | '\u{9b}' | '\u{202e}'))
    };
    keys(&mut app, "f");
    let list = screen_text(&app);
    assert!(list.contains("Team client"), "{list}");
    assert!(!raw(&list), "{list:?}");
    key(&mut app, KeyCode::Enter);
    let detail = screen_text(&app);
    assert!(detail.contains("Team client"), "{detail}");
    assert!(!raw(&detail), "{detail:?}");
}

#[test]
fn the_gitignore_fix_does_not_pass_for_untracking_a_committed_env_file() {
    let env_committed = finding(
        "repo/env-file-committed",
        Severity::High,
        ".env",
        1,
        1,
        20,
        "Env file .env is committed with values in it",
        "fp-env",
    );
    let missing_ignore = finding(
        "repo/gitignore-missing-env",
        Severity::Low,
        ".gitignore",
        1,
        1,
        1,
        ".env is not ignored by git, although this project uses env files",
        "fp-ignore",
    );
    let mut app = app();
    let mut before = report();
    before.findings.push(env_committed.clone());
    before.findings.push(missing_ignore.clone());
    seccoach::finding::sort(&mut before.findings);
    app.set_report(before, stamps());
    let mut after = report();
    after.findings.push(env_committed);
    seccoach::finding::sort(&mut after.findings);
    let generation = app.scan.generation;
    update(
        &mut app,
        recheck_done(generation, after, vec![missing_ignore.clone()]),
    );
    let text = status(&app);
    assert!(text.contains("Fixed: repo/gitignore-missing-env"), "{text}");
    assert!(text.contains(".env is still committed"), "{text}");
    assert!(text.contains("git rm --cached .env"), "{text}");
    assert!(text.contains("rotate every value"), "{text}");

    // Once untracked, the env finding goes too, and nothing more is said.
    let mut app = self::app();
    let mut before = report();
    before.findings.push(missing_ignore.clone());
    seccoach::finding::sort(&mut before.findings);
    app.set_report(before, stamps());
    let generation = app.scan.generation;
    update(
        &mut app,
        recheck_done(generation, report(), vec![missing_ignore]),
    );
    assert!(
        !status(&app).contains("still committed"),
        "{}",
        status(&app)
    );
}

// ---------------------------------------------------------------------------------------------
// Code blocks: long lines are clipped with a marker and scroll sideways, never wrapped mid-token.

const LONG_CODE_LESSON: &str = r#"+++
id = "containers/long-code-fixture"
title = "Fixture lesson: verifying a signed image"
track = "containers"
order = 99
minutes = 3
level = "beginner"
checks = []
summary = "A team lesson whose code block is wider than the window."

[[quiz]]
question = "What does `--certificate-identity` pin?"
choices = ["The workflow that signed the image", "The registry that stores the image"]
answer = 0
explanation = "Keyless signatures name the signer's identity; pinning it rejects any other signer."
+++

# Verify before you deploy

```sh
cosign verify ghcr.io/acme/shop@sha256:4b1f7a9c --certificate-identity=https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main --certificate-oidc-issuer=https://token.actions.githubusercontent.com
echo verified
```
"#;

const LONG_LINE: &str = "cosign verify ghcr.io/acme/shop@sha256:4b1f7a9c --certificate-identity=https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main --certificate-oidc-issuer=https://token.actions.githubusercontent.com";

/// An app on a temporary repository whose only team lesson has a 200-column code line.
fn long_code_app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let lessons = dir.path().join(".seccoach/lessons");
    std::fs::create_dir_all(&lessons).unwrap();
    std::fs::write(lessons.join("long-code.md"), LONG_CODE_LESSON).unwrap();
    let catalog = Arc::new(Catalog::for_repository(dir.path()).unwrap());
    let mut app = App::new(catalog, dir.path().to_path_buf(), progress(), Theme::COLOR);
    app.project_name = "long-code".into();
    update(&mut app, Action::Resize(80, 24));
    app.set_report(report(), BTreeMap::new());
    app.open_lesson("containers/long-code-fixture");
    (dir, app)
}

#[test]
fn snapshot_lesson_long_code_line() {
    let (_dir, mut app) = long_code_app();
    insta::assert_snapshot!("lesson_long_code_80x24", draw(&app).backend());
    // `>` scrolls the code sideways; the prose and the short line stay put.
    keys(&mut app, ">>>>");
    insta::assert_snapshot!("lesson_long_code_scrolled_80x24", draw(&app).backend());
}

#[test]
fn long_code_lines_are_never_wrapped_and_scroll_to_their_end() {
    let (_dir, mut app) = long_code_app();
    let line = LONG_LINE;
    let code_rows = |app: &App| -> Vec<String> {
        screen_text(app)
            .lines()
            .filter(|l| l.contains('│'))
            .map(|l| {
                l.split('│')
                    .nth(1)
                    .unwrap()
                    .trim_end()
                    .trim_end_matches('"')
                    .trim_end()
                    .to_owned()
            })
            .collect()
    };
    // Two source lines, two screen lines: the long one is cut and marked, not continued below.
    let rows = code_rows(&app);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].ends_with('»'), "{rows:?}");
    assert!(
        line.starts_with(rows[0].trim_start().trim_end_matches('»')),
        "{rows:?}"
    );
    assert_eq!(rows[1].trim(), "echo verified");
    // Scrolling right as far as it goes shows the end of the line, unchanged; further presses
    // stop there, and `<` comes back to the start.
    for _ in 0..60 {
        keys(&mut app, ">");
    }
    let rows = code_rows(&app);
    let shown = rows[0].trim_start().trim_start_matches('«');
    assert!(rows[0].trim_start().starts_with('«'), "{rows:?}");
    assert!(!rows[0].ends_with('»'), "{rows:?}");
    assert!(line.ends_with(shown), "{shown}");
    assert!(shown.len() > 40, "{shown}");
    for _ in 0..60 {
        keys(&mut app, "<");
    }
    assert_eq!(code_rows(&app)[0], code_rows(&long_code_app().1)[0]);
}

#[test]
fn y_copies_the_code_block_on_screen_as_written() {
    let (_dir, mut app) = long_code_app();
    assert!(LONG_CODE_LESSON.contains(LONG_LINE));
    // Scrolled sideways, the screen shows a clipped window; the copy is still the original.
    keys(&mut app, ">>");
    let effects = keys(&mut app, "y");
    assert_eq!(
        effects,
        vec![Effect::CopyToClipboard(format!(
            "{LONG_LINE}\necho verified"
        ))]
    );
    update(&mut app, Action::Copied(Ok(2)));
    assert!(
        status(&app).contains("Copied the code block (2 lines)"),
        "{}",
        status(&app)
    );
    // Without a terminal that takes it, the learner is told rather than left guessing.
    update(
        &mut app,
        Action::Copied(Err("there is no terminal to copy through".into())),
    );
    assert!(status(&app).contains("Could not copy"), "{}", status(&app));
    // With the block scrolled out of view there is nothing to copy, and the status says so.
    if let Some(Screen::Lesson(state)) = app.screens.last_mut() {
        state.scroll = 9;
    }
    assert!(keys(&mut app, "y").is_empty());
    assert!(
        status(&app).contains("No code block on screen"),
        "{}",
        status(&app)
    );
}

#[test]
fn a_rules_long_example_lines_scroll_sideways_in_the_finding_detail() {
    let mut app = app_sized(80, 24);
    let mut report = report();
    report.findings = vec![finding(
        "deps/git-dependency-unpinned",
        Severity::Medium,
        "requirements.txt",
        2,
        1,
        40,
        "A dependency installed from a git branch",
        "fp-git",
    )];
    app.set_report(report, BTreeMap::new());
    keys(&mut app, "f");
    key(&mut app, KeyCode::Enter);
    let rule = app.catalog.rule("deps/git-dependency-unpinned").unwrap();
    let longest = rule
        .example
        .before
        .lines()
        .chain(rule.example.after.lines())
        .max_by_key(|l| l.chars().count())
        .unwrap()
        .to_owned();
    assert!(longest.chars().count() > 80, "{longest}");
    let text = |app: &App| -> Vec<String> {
        let Some(Screen::Detail(state)) = app.screens.last() else {
            panic!("not on the detail screen");
        };
        view::detail::detail_text(app, state, 78)
            .lines
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    let head: String = longest.chars().take(20).collect();
    let row = |lines: &[String], needle: &str| -> String {
        lines
            .iter()
            .find(|l| l.contains(needle))
            .cloned()
            .unwrap_or_default()
    };
    // Clipped with the marker, on one row: the line is not continued below.
    let before = text(&app);
    assert!(row(&before, &head).ends_with('»'), "{before:#?}");
    // Scrolled to the end, the tail of the line shows unchanged and the marker is gone.
    for _ in 0..30 {
        keys(&mut app, ">");
    }
    let after = text(&app);
    let tail: String = longest.chars().skip(longest.chars().count() - 20).collect();
    let end = row(&after, &tail);
    assert!(end.contains('«') && !end.ends_with('»'), "{after:#?}");
}

/// The snapshots above depend on the fixture curriculum alone: not one embedded lesson, track
/// or lab is in the catalogue they are drawn from (the embedded rules are).
#[test]
fn the_screens_are_drawn_from_the_fixture_curriculum_only() {
    let catalog = catalog();
    let lessons: Vec<&str> = catalog.lessons().iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        lessons,
        [
            "day-one/pipeline-security",
            "day-one/shared-vocabulary",
            "secrets/how-secrets-leak",
            "secrets/keeping-secrets-out",
            LESSON,
            LAB_LESSON,
        ]
    );
    let tracks: Vec<&str> = catalog.tracks().iter().map(|t| t.title.as_str()).collect();
    assert!(
        tracks.iter().all(|t| t.starts_with("Fixture")),
        "{tracks:?}"
    );
    let labs: Vec<String> = seccoach::lab::all(&catalog)
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(labs, [LAB]);
    assert!(catalog.rule("docker/run-as-root").is_some());
}

// ---------------------------------------------------------------------------------------------
// Grouping by rule and the bulk actions on a group.

/// The fixture report with a second eval finding elsewhere and an eval in test code: the eval
/// rule then makes a group of two, and test code a group of its own.
fn grouped_report() -> Report {
    let mut report = report();
    report.findings.push(finding(
        "code/tui-fixture-eval",
        Severity::High,
        "app/api/handlers/views.py",
        41,
        9,
        14,
        "eval() runs its argument as code",
        "fp-eval-2",
    ));
    let mut test = finding(
        "code/tui-fixture-eval",
        Severity::High,
        "tests/unit/test_views.py",
        7,
        5,
        10,
        "eval() runs its argument as code",
        "fp-eval-test",
    );
    test.in_test_code = true;
    report.findings.push(test);
    seccoach::finding::sort(&mut report.findings);
    report
}

fn grouped_app(width: u16, height: u16) -> App {
    let mut app = app_sized(width, height);
    app.set_report(grouped_report(), stamps());
    keys(&mut app, "f");
    app
}

fn visible_prints(app: &App) -> Vec<String> {
    match top(app) {
        Screen::Findings(state) => seccoach::tui::app::visible_findings(app, state)
            .iter()
            .map(|&i| app.findings()[i].fingerprint.clone())
            .collect(),
        _ => panic!("not on the findings"),
    }
}

/// Moves the findings selection to the finding with `fingerprint`.
fn select(app: &mut App, fingerprint: &str) {
    let position = visible_prints(app)
        .iter()
        .position(|f| f == fingerprint)
        .unwrap_or_else(|| panic!("{fingerprint} is not listed"));
    let Some(Screen::Findings(state)) = app.screens.last_mut() else {
        panic!("not on the findings");
    };
    state.selected = position;
}

#[test]
fn snapshot_findings_by_rule_and_group_actions() {
    for (width, height) in [(80, 24), (100, 30), (120, 40)] {
        let mut app = grouped_app(width, height);
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Tab);
        insta::assert_snapshot!(
            format!("findings_by_rule_{width}x{height}"),
            draw(&app).backend()
        );
        select(&mut app, "fp-eval-2");
        keys(&mut app, "b");
        insta::assert_snapshot!(
            format!("group_actions_{width}x{height}"),
            draw(&app).backend()
        );
    }
}

#[test]
fn tab_cycles_severity_file_and_rule_and_rule_groups_hold_together() {
    let mut app = grouped_app(80, 24);
    let grouping = |app: &App| match top(app) {
        Screen::Findings(state) => state.grouping,
        _ => panic!("not on the findings"),
    };
    assert_eq!(grouping(&app), Grouping::BySeverity);
    key(&mut app, KeyCode::Tab);
    assert_eq!(grouping(&app), Grouping::ByFile);
    key(&mut app, KeyCode::Tab);
    assert_eq!(grouping(&app), Grouping::ByRule);
    assert!(screen_text(&app).contains("by rule"));
    // The critical rule first, then the high ones by id, each rule's findings together; the
    // eval in test code last, though its rule is listed above.
    assert_eq!(
        visible_prints(&app),
        [
            "fp-token",
            "fp-eval-2",
            "fp-eval",
            "fp-root",
            "fp-digest",
            "fp-eval-test"
        ]
    );
    let text = screen_text(&app);
    assert!(text.contains("code/tui-fixture-eval · 2"), "{text}");
    assert!(
        text.contains("test code · code/tui-fixture-eval · 1"),
        "{text}"
    );
    // Rows of a rule group name their file, since the header names the rule.
    assert!(text.contains("app/api/handlers/views.py:41"), "{text}");
    key(&mut app, KeyCode::Tab);
    assert_eq!(grouping(&app), Grouping::BySeverity);
}

#[test]
fn bulk_actions_mark_a_whole_group_reviewed_and_open_its_lesson() {
    let mut app = grouped_app(80, 24);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    select(&mut app, "fp-eval");
    keys(&mut app, "b");
    assert_eq!(app.context(), Ctx::Group);
    let Some(Overlay::Group(group)) = &app.overlay else {
        panic!("no group actions");
    };
    assert_eq!(group.fingerprints, ["fp-eval-2", "fp-eval"]);
    assert_eq!(group.rule.as_deref(), Some("code/tui-fixture-eval"));
    assert_eq!(group.folder, "app", "the deepest folder holding both");
    assert!(!group.test_code);

    let effects = keys(&mut app, "r");
    assert_eq!(effects, [Effect::SaveProgress]);
    assert!(app.overlay.is_none());
    assert!(app.progress.is_reviewed("fp-eval") && app.progress.is_reviewed("fp-eval-2"));
    assert!(
        !app.progress.is_reviewed("fp-eval-test"),
        "the test-code group is another group"
    );
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("Marked 2 findings"),
        "{:?}",
        app.status
    );
    // Again: all are reviewed, so the group is unmarked.
    keys(&mut app, "br");
    assert!(!app.progress.is_reviewed("fp-eval") && !app.progress.is_reviewed("fp-eval-2"));

    keys(&mut app, "bl");
    assert!(
        matches!(top(&app), Screen::Lesson(state) if state.id == LESSON),
        "l opens the lesson on the rule"
    );
}

#[test]
fn a_group_of_several_rules_offers_no_lesson() {
    let mut app = grouped_app(80, 24);
    // By severity, the high group holds two rules.
    select(&mut app, "fp-root");
    keys(&mut app, "b");
    let Some(Overlay::Group(group)) = &app.overlay else {
        panic!("no group actions");
    };
    assert_eq!(group.rule, None);
    assert_eq!(group.fingerprints.len(), 3);
    assert_eq!(group.folder, "", "the Dockerfile is at the root");
    let text = screen_text(&app);
    assert!(!text.contains("open the lesson"), "{text}");
    assert!(keys(&mut app, "l").is_empty());
    assert!(matches!(top(&app), Screen::Findings(_)), "l did nothing");
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none(), "Esc closes the group actions");
    assert!(matches!(top(&app), Screen::Findings(_)));
}

/// The test-code group holds one finding: its action speaks of one.
#[test]
fn a_group_of_one_is_spoken_of_as_one() {
    let mut app = grouped_app(80, 24);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    select(&mut app, "fp-eval-test");
    keys(&mut app, "b");
    let Some(Overlay::Group(group)) = &app.overlay else {
        panic!("no group actions");
    };
    assert!(group.test_code);
    assert_eq!(group.folder, "tests/unit");
    let text = screen_text(&app);
    assert!(
        text.contains("1 finding in test code · code/tui-fixture-eval"),
        "{text}"
    );
    assert!(text.contains("mark it as reviewed"), "{text}");
    assert!(!text.contains("mark all 1"), "{text}");
    keys(&mut app, "r");
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "Marked 1 finding in test code · code/tui-fixture-eval as reviewed."
    );
}
