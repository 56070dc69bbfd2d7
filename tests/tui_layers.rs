//! The coach's pipeline layer map: opened with `m` from home on the project's root, scrolled,
//! closed with Esc, drawn on ratatui's TestBackend.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use seccoach::catalog::Catalog;
use seccoach::progress::Progress;
use seccoach::tui::app::{Action, App, Screen, update};
use seccoach::tui::theme::Theme;
use seccoach::tui::view;
use std::path::Path;
use std::sync::Arc;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn app(root: &Path) -> App {
    let catalog = Arc::new(Catalog::embedded().unwrap());
    let mut app = App::new(
        catalog,
        root.to_path_buf(),
        Progress::default(),
        Theme::COLOR,
    );
    update(&mut app, Action::Resize(80, 24));
    app
}

fn key(app: &mut App, code: KeyCode) {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn screen_text(app: &App) -> String {
    let (width, height) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view::render(frame, app)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn m_on_home_opens_the_layer_map_of_the_project_which_scrolls_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/leaks.yml",
        "on: [pull_request]\njobs:\n  leaks:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gitleaks dir .\n",
    );
    let mut app = app(dir.path());
    key(&mut app, KeyCode::Char('m'));
    assert!(matches!(app.screens.last(), Some(Screen::Layers(_))));
    let first = screen_text(&app);
    assert!(first.contains("Pipeline layers"), "{first}");
    assert!(first.contains("Secret scanning"), "{first}");
    assert!(first.contains("✓ present"), "{first}");
    assert!(
        first.contains(".github/workflows/leaks.yml:6: gitleaks"),
        "{first}"
    );
    assert!(!first.contains("Security policy"), "{first}");
    key(&mut app, KeyCode::Char('G'));
    let last = screen_text(&app);
    assert!(last.contains("Security policy"), "{last}");
    assert!(last.contains("✗ missing"), "{last}");
    assert!(last.contains("repo-hygiene/security-policy"), "{last}");
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.screens.last(), Some(Screen::Home(_))));
}

#[test]
fn a_broken_config_is_shown_on_the_layer_screen_instead_of_a_map() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".seccoach.toml", "fail_on = \"nope\"\n");
    let mut app = app(dir.path());
    key(&mut app, KeyCode::Char('m'));
    let Some(Screen::Layers(state)) = app.screens.last() else {
        panic!("the layer screen opens");
    };
    let error = state.map.as_ref().unwrap_err();
    assert!(error.contains(".seccoach.toml"), "{error}");
    let text = screen_text(&app);
    assert!(text.contains("The layer map could not be made"), "{text}");
}
