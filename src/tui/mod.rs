//! The terminal coach: lessons, quizzes and a walkthrough of the project's own findings.
//!
//! Elm-shaped: [`app::App`] is the state, [`app::update`] applies an [`app::Action`] and returns
//! [`app::Effect`]s, and [`view::render`] draws the state. This module is the runtime around
//! them: it owns the terminal ([`terminal::TerminalGuard`]), runs one loop over one channel of
//! events (keys, mouse, resize, ticks, and the progress and result of the scan, which runs on a
//! background thread and never blocks input), and performs the effects.

pub mod app;
pub mod editor;
pub mod excerpt;
pub mod keys;
pub mod suppress;
pub mod terminal;
pub mod theme;
pub mod view;

use crate::catalog::Catalog;
use crate::finding::Finding;
use crate::progress::Store;
use crate::scan::{ScanOptions, Scanner};
use app::{Action, App, Effect, ScanEvent};
use crossterm::event::{Event as TermEvent, KeyEventKind, MouseEventKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};
use suppress::FileStamp;
use terminal::TerminalGuard;

/// How often the input thread wakes when nothing happens (to notice SIGTERM promptly).
const TICK: Duration = Duration::from_millis(200);
/// Least time between two scan progress messages.
const PROGRESS_EVERY: Duration = Duration::from_millis(50);

/// What the coach starts on.
pub struct CoachOptions {
    pub root: PathBuf,
    pub catalog: Arc<Catalog>,
    pub scan: ScanOptions,
    pub store: Store,
    pub start: Start,
    /// Set when the coach was started; the first frame's delay is measured from it.
    pub started: Instant,
}

/// The screen the coach opens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    Home,
    /// `seccoach learn`: the lesson to continue with.
    Continue,
    /// `seccoach learn ID`.
    Lesson(String),
}

/// What the coach did, for the caller to report.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Time from `CoachOptions::started` to the first frame on screen.
    pub first_frame: Option<Duration>,
}

/// One event on the loop's channel.
enum Event {
    Terminal(TermEvent),
    Tick,
    Scan(ScanEvent),
    /// The terminal can no longer be read (it went away): time to leave.
    InputClosed,
}

/// Messages to the input thread.
enum InputControl {
    /// Stop reading the terminal (the editor has it) and acknowledge.
    Pause(mpsc::Sender<()>),
    Resume,
}

/// Runs the coach until the user quits. The terminal is restored on every way out.
pub fn run(options: CoachOptions) -> anyhow::Result<Outcome> {
    let loaded = options.store.load();
    let mut app = App::new(
        Arc::clone(&options.catalog),
        options.root.clone(),
        loaded.progress,
        theme::Theme::from_env(),
    );
    if let Some(warning) = loaded.warning {
        app.set_error(warning);
    }

    let stop = Arc::new(AtomicBool::new(false));
    register_signals(&stop)?;

    let (tx, rx) = mpsc::channel::<Event>();
    let mut guard = TerminalGuard::enter()?;
    let (control_tx, control_rx) = mpsc::channel::<InputControl>();
    spawn_input(tx.clone(), control_rx);

    let size = guard.terminal.size()?;
    let mut runtime = Runtime {
        root: options.root.clone(),
        catalog: Arc::clone(&options.catalog),
        scan: options.scan.clone(),
        store: options.store.clone(),
        tx,
        control: control_tx,
    };
    let mut pending: Vec<Effect> = app::update(&mut app, Action::Resize(size.width, size.height));
    pending.extend(app.start_scan());
    let lesson = match &options.start {
        Start::Home => None,
        Start::Continue => app.continue_lesson().map(|l| l.id.clone()),
        Start::Lesson(id) => Some(id.clone()),
    };
    if let Some(id) = lesson {
        pending.extend(app.open_lesson(&id));
    }

    let mut outcome = Outcome::default();
    let mut dirty = true;
    loop {
        // Effects may produce actions, which may produce effects.
        while !pending.is_empty() {
            let effects = std::mem::take(&mut pending);
            for effect in effects {
                if let Some(action) = runtime.perform(effect, &mut app, &mut guard) {
                    pending.extend(app::update(&mut app, action));
                }
                dirty = true;
            }
        }
        if app.quit || stop.load(Ordering::Relaxed) {
            break;
        }
        if dirty {
            guard.terminal.draw(|frame| view::render(frame, &app))?;
            if outcome.first_frame.is_none() {
                outcome.first_frame = Some(options.started.elapsed());
            }
            dirty = false;
        }
        let first = match rx.recv_timeout(TICK) {
            Ok(event) => event,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        // Handle everything already queued before drawing again.
        for event in std::iter::once(first).chain(rx.try_iter()) {
            if matches!(event, Event::InputClosed) {
                app.quit = true;
                break;
            }
            let Some(action) = to_action(event) else {
                continue;
            };
            dirty = true;
            pending.extend(app::update(&mut app, action));
            if app.quit {
                break;
            }
        }
    }
    // Keep what was learned even if a save failed earlier.
    let _ = runtime.store.save(&app.progress);
    drop(guard);
    Ok(outcome)
}

fn to_action(event: Event) -> Option<Action> {
    match event {
        Event::Tick | Event::InputClosed => None,
        Event::Scan(event) => Some(Action::Scan(event)),
        Event::Terminal(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => {
            Some(Action::Key(key))
        }
        Event::Terminal(TermEvent::Mouse(mouse)) => match mouse.kind {
            MouseEventKind::ScrollDown => Some(Action::Scroll(3)),
            MouseEventKind::ScrollUp => Some(Action::Scroll(-3)),
            _ => None,
        },
        Event::Terminal(TermEvent::Resize(width, height)) => Some(Action::Resize(width, height)),
        Event::Terminal(_) => None,
    }
}

/// SIGTERM, SIGINT and SIGHUP set `stop`; the loop then leaves and the guard restores the
/// terminal. A second SIGTERM or SIGINT ends the process at once.
fn register_signals(stop: &Arc<AtomicBool>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::flag;
    for signal in [SIGTERM, SIGINT] {
        flag::register_conditional_shutdown(signal, 1, Arc::clone(stop))?;
        flag::register(signal, Arc::clone(stop))?;
    }
    #[cfg(unix)]
    flag::register(signal_hook::consts::SIGHUP, Arc::clone(stop))?;
    Ok(())
}

/// Reads terminal events into the channel; pauses while the editor owns the terminal.
fn spawn_input(tx: mpsc::Sender<Event>, control: mpsc::Receiver<InputControl>) {
    let spawned = std::thread::Builder::new()
        .name("seccoach-input".into())
        .spawn(move || {
            loop {
                match control.try_recv() {
                    Ok(InputControl::Pause(ack)) => {
                        let _ = ack.send(());
                        match control.recv() {
                            Ok(InputControl::Resume) => {}
                            Ok(InputControl::Pause(ack)) => {
                                let _ = ack.send(());
                            }
                            Err(_) => return,
                        }
                        continue;
                    }
                    Ok(InputControl::Resume) | Err(mpsc::TryRecvError::Empty) => {}
                    Err(mpsc::TryRecvError::Disconnected) => return,
                }
                let event = match crossterm::event::poll(TICK) {
                    Ok(true) => match crossterm::event::read() {
                        Ok(event) => Event::Terminal(event),
                        Err(_) => Event::InputClosed,
                    },
                    Ok(false) => Event::Tick,
                    Err(_) => Event::InputClosed,
                };
                let closed = matches!(event, Event::InputClosed);
                if tx.send(event).is_err() || closed {
                    return;
                }
            }
        });
    // Without an input thread the loop still ends: the sender is dropped and recv fails.
    drop(spawned);
}

/// Performs effects: the world outside `update`.
struct Runtime {
    root: PathBuf,
    catalog: Arc<Catalog>,
    scan: ScanOptions,
    store: Store,
    tx: mpsc::Sender<Event>,
    control: mpsc::Sender<InputControl>,
}

impl Runtime {
    fn perform(
        &mut self,
        effect: Effect,
        app: &mut App,
        guard: &mut TerminalGuard,
    ) -> Option<Action> {
        match effect {
            Effect::Quit => {
                app.quit = true;
                None
            }
            Effect::StartScan { generation } => {
                spawn_scan(
                    generation,
                    Arc::clone(&self.catalog),
                    self.scan.clone(),
                    self.root.clone(),
                    self.tx.clone(),
                );
                None
            }
            Effect::SaveProgress => Some(Action::ProgressSaved(
                self.store.save(&app.progress).map_err(|e| e.to_string()),
            )),
            Effect::LoadExcerpt { index } => Some(Action::ExcerptLoaded {
                index,
                excerpt: load_excerpt(&self.root, app, index),
            }),
            Effect::OpenEditor { file, line } => {
                Some(Action::EditorClosed(self.edit(guard, &file, line)))
            }
            Effect::PlanSuppression { index, reason } => {
                let finding = app.findings().get(index)?;
                let result = suppress::plan(
                    &self.root,
                    &finding.path,
                    finding.line,
                    finding.rule.as_str(),
                    &reason,
                    app.scan.stamps.get(&finding.path),
                );
                Some(Action::SuppressionPlanned(result.map(Box::new)))
            }
            Effect::WriteSuppression(plan) => {
                let result = suppress::apply(&plan);
                Some(Action::Suppressed { plan, result })
            }
        }
    }

    /// Suspends the coach, runs the editor, and takes the terminal back.
    fn edit(&mut self, guard: &mut TerminalGuard, file: &Path, line: u32) -> Result<(), String> {
        let (ack_tx, ack_rx) = mpsc::channel();
        let paused = self.control.send(InputControl::Pause(ack_tx)).is_ok()
            && ack_rx.recv_timeout(Duration::from_secs(2)).is_ok();
        if !paused {
            return Err("could not pause the coach's input to open the editor".to_owned());
        }
        let result = guard
            .suspend()
            .map_err(|e| format!("could not give the terminal to the editor: {e}"))
            .and_then(|()| editor::open(file, line));
        let resumed = guard.resume();
        let _ = self.control.send(InputControl::Resume);
        resumed.map_err(|e| format!("could not take the terminal back: {e}"))?;
        result
    }
}

/// Reads the file of finding `index` and cuts the excerpt, secrets redacted.
fn load_excerpt(root: &Path, app: &App, index: usize) -> Result<excerpt::Excerpt, String> {
    let finding = app
        .findings()
        .get(index)
        .ok_or_else(|| "the finding is gone".to_owned())?;
    let bytes = read_limited(&root.join(&finding.path))?;
    let secrets: Vec<&Finding> = app
        .findings()
        .iter()
        .filter(|f| {
            f.path == finding.path
                && app
                    .catalog
                    .rule(f.rule.as_str())
                    .is_some_and(|rule| rule.secret)
        })
        .collect();
    Ok(excerpt::excerpt(&bytes, finding, &secrets))
}

/// Reads at most 16 MiB of a file (an excerpt never needs more).
fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(16 << 20)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Scans on a background thread, streaming progress and then the report into the channel.
fn spawn_scan(
    generation: u64,
    catalog: Arc<Catalog>,
    options: ScanOptions,
    root: PathBuf,
    tx: mpsc::Sender<Event>,
) {
    let failed_tx = tx.clone();
    let spawned = std::thread::Builder::new()
        .name("seccoach-scan".into())
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                scan(generation, catalog, options, &root, &tx)
            }));
            let event = match outcome {
                Ok(event) => event,
                Err(payload) => {
                    let message = payload
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown error".to_owned());
                    ScanEvent::Failed {
                        generation,
                        message: format!("the scan crashed ({message}); please report it"),
                    }
                }
            };
            let _ = tx.send(Event::Scan(event));
        });
    if let Err(e) = spawned {
        let _ = failed_tx.send(Event::Scan(ScanEvent::Failed {
            generation,
            message: format!("could not start the scan: {e}"),
        }));
    }
}

fn scan(
    generation: u64,
    catalog: Arc<Catalog>,
    options: ScanOptions,
    root: &Path,
    tx: &mpsc::Sender<Event>,
) -> ScanEvent {
    let scanner = Scanner::new(catalog, options);
    let mut files = 0u64;
    let mut findings = 0u64;
    let mut last = Instant::now();
    let mut stamps: BTreeMap<String, FileStamp> = BTreeMap::new();
    let result = scanner.scan_observed(root, &mut |outcome| {
        if outcome.skipped.is_none() {
            files += 1;
        }
        findings += outcome.findings.len() as u64;
        // Stamp files with findings right after the scan read them.
        if let Some(first) = outcome.findings.first()
            && let Ok(stamp) = FileStamp::read(&root.join(&first.path))
        {
            stamps.insert(first.path.clone(), stamp);
        }
        if last.elapsed() >= PROGRESS_EVERY {
            last = Instant::now();
            let _ = tx.send(Event::Scan(ScanEvent::Progress {
                generation,
                files,
                findings,
            }));
        }
    });
    match result {
        Ok(report) => {
            for finding in &report.findings {
                if !stamps.contains_key(&finding.path)
                    && let Ok(stamp) = FileStamp::read(&root.join(&finding.path))
                {
                    stamps.insert(finding.path.clone(), stamp);
                }
            }
            ScanEvent::Done {
                generation,
                report: Box::new(report),
                stamps,
            }
        }
        Err(e) => ScanEvent::Failed {
            generation,
            message: e.to_string(),
        },
    }
}
