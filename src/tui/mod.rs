//! The terminal coach: lessons, quizzes and a walkthrough of the project's own findings.
//!
//! Elm-shaped: [`app::App`] is the state, [`app::update`] applies an [`app::Action`] and returns
//! [`app::Effect`]s, and [`view::render`] draws the state. This module is the runtime around
//! them: it owns the terminal ([`terminal::TerminalGuard`]), runs one loop over one channel of
//! events (keys, mouse, resize, ticks, changes in the watched folders, and the results of the
//! background work, which never blocks input), and performs the effects through [`jobs::Jobs`].
//! The screen is drawn only after events, never on a timer.

pub mod app;
pub mod editor;
pub mod excerpt;
pub mod fixes;
pub mod jobs;
pub mod keys;
pub mod live;
pub mod suppress;
pub mod terminal;
pub mod theme;
pub mod view;

use crate::catalog::Catalog;
use crate::progress::Store;
use crate::scan::ScanOptions;
use app::{Action, App, Effect, Watched};
use crossterm::event::{Event as TermEvent, KeyEventKind, MouseEventKind};
use jobs::Jobs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};
use terminal::TerminalGuard;

/// How often the input thread wakes when nothing happens (to notice SIGTERM promptly).
const TICK: Duration = Duration::from_millis(200);

/// What the coach starts on.
pub struct CoachOptions {
    pub root: PathBuf,
    pub catalog: Arc<Catalog>,
    pub scan: ScanOptions,
    pub store: Store,
    pub start: Start,
    /// Set when the coach was started; the first frame's delay is measured from it.
    pub started: Instant,
    /// The repository's onboarding plan, shown first on the home screen.
    pub plan: Option<crate::plan::Plan>,
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
#[derive(Debug)]
pub enum Event {
    Terminal(TermEvent),
    Tick,
    /// Files changed in a watched folder (the project, or the open lab).
    Changed {
        watched: Watched,
        paths: Vec<PathBuf>,
    },
    /// Background work finished: its result.
    Done(Action),
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
    app.plan = options.plan.clone();
    // Each session shuffles quiz choices differently; within a session every retake does too.
    app.quiz_seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
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
        jobs: Jobs::new(
            options.root.clone(),
            Arc::clone(&options.catalog),
            options.scan.clone(),
            options.store.clone(),
            tx,
        ),
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
    let _ = runtime.jobs.store().save(&mut app.progress);
    drop(guard);
    Ok(outcome)
}

/// What an event means to the coach, if anything.
pub fn to_action(event: Event) -> Option<Action> {
    match event {
        Event::Tick | Event::InputClosed => None,
        Event::Changed { watched, paths } => Some(Action::FilesChanged { watched, paths }),
        Event::Done(action) => Some(action),
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
    jobs: Jobs,
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
            Effect::OpenEditor { file, line } => {
                Some(Action::EditorClosed(self.edit(guard, &file, line)))
            }
            Effect::CopyToClipboard(text) => Some(Action::Copied(
                guard
                    .copy_to_clipboard(&text)
                    .map(|()| text.lines().count().max(1))
                    .map_err(|e| e.to_string()),
            )),
            other => self.jobs.perform(other, app),
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
