//! Performing the coach's effects: everything `update` asks of the world except the terminal
//! (the editor is the runtime's). Slow work goes to the background workers of [`super::live`];
//! file watches feed changes into the loop's one channel. Usable without a terminal, so tests
//! drive the real machinery.

use super::Event;
use super::app::{Action, App, Effect, ScanEvent, Watched};
use super::live::{self, Work};
use super::{excerpt, suppress};
use crate::catalog::Catalog;
use crate::display::sanitize;
use crate::progress::Store;
use crate::scan::{ScanOptions, Scanner};
use crate::watch::Watch;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

/// The file `lab::next_hint` keeps its count in: not a change worth re-checking.
const HINT_STATE: &str = ".seccoach-lab";

/// Performs effects; owns the workers and the watches.
pub struct Jobs {
    root: PathBuf,
    catalog: Arc<Catalog>,
    options: ScanOptions,
    store: Store,
    events: mpsc::Sender<Event>,
    project: Option<mpsc::Sender<Work>>,
    /// Kept alive while the coach runs: dropping it stops watching.
    _project_watch: Option<Watch>,
    lab: Option<LabJob>,
    /// See [`Jobs::secrets_scanner`].
    secrets: Option<Scanner>,
}

/// The open lab's checker and the watch on its folder.
struct LabJob {
    check: mpsc::Sender<()>,
    _watch: Option<Watch>,
}

impl Jobs {
    pub fn new(
        root: PathBuf,
        catalog: Arc<Catalog>,
        options: ScanOptions,
        store: Store,
        events: mpsc::Sender<Event>,
    ) -> Jobs {
        Jobs {
            root,
            catalog,
            options,
            store,
            events,
            project: None,
            _project_watch: None,
            lab: None,
            secrets: None,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The rules compiled once to find the secrets an excerpt masks (no advisory database: it
    /// finds no secret).
    fn secrets_scanner(&mut self) -> &Scanner {
        self.secrets.get_or_insert_with(|| {
            let options = ScanOptions {
                advisories: None,
                ..self.options.clone()
            };
            Scanner::new(Arc::clone(&self.catalog), options)
        })
    }

    /// Performs one effect; returns the action it results in right away, if any (background
    /// work answers later through the channel).
    pub fn perform(&mut self, effect: Effect, app: &mut App) -> Option<Action> {
        match effect {
            Effect::Quit => {
                app.quit = true;
                None
            }
            Effect::StartScan { generation } => self.start_scan(generation),
            Effect::ReadHistory => {
                self.read_history();
                None
            }
            Effect::Recheck { paths } => {
                // Without a worker there is no scan to update; the next one reads everything.
                if let Some(project) = &self.project {
                    let _ = project.send(Work::Recheck(paths));
                }
                None
            }
            Effect::SaveProgress => Some(Action::ProgressSaved(
                self.store
                    .save(&mut app.progress)
                    .map_err(|e| e.to_string()),
            )),
            Effect::LoadExcerpt { index } => {
                let excerpt = match app.findings().get(index) {
                    Some(finding) => {
                        let root = self.root.clone();
                        excerpt::load(self.secrets_scanner(), &root, finding)
                    }
                    None => Err("the finding is gone".to_owned()),
                };
                Some(Action::ExcerptLoaded { index, excerpt })
            }
            Effect::OpenEditor { .. } => Some(Action::EditorClosed(Err(
                "there is no terminal to open the editor in".to_owned(),
            ))),
            Effect::CopyToClipboard(_) => Some(Action::Copied(Err(
                "there is no terminal to copy through".to_owned(),
            ))),
            Effect::PlanSuppression { key, reason } => {
                let Some(finding) = key.find(app.findings()).map(|i| &app.findings()[i]) else {
                    return Some(Action::SuppressionPlanned(Err(suppress::Refusal::Gone)));
                };
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
            Effect::ProposeFix { key } => {
                let Some(index) = key.find(app.findings()) else {
                    return Some(Action::FixProposed(Err(
                        "that finding is gone since (fixed or changed); nothing to fix".to_owned(),
                    )));
                };
                let finding = app.findings()[index].clone();
                match &self.project {
                    Some(project) if project.send(Work::Propose(Box::new(finding))).is_ok() => None,
                    _ => Some(Action::FixProposed(Err(
                        "the project has not been scanned yet; press R to scan".to_owned(),
                    ))),
                }
            }
            Effect::ApplyFix(fix) => {
                let result = crate::fix::apply(&self.root, &fix)
                    .map_err(|e| sanitize(&e.to_string()).into_owned());
                Some(Action::FixApplied { fix, result })
            }
            Effect::UndoFix(fix) => {
                let result = super::fixes::undo(&self.root, &fix);
                Some(Action::FixUndone { fix, result })
            }
            Effect::OpenLab { id } => {
                let dir = crate::lab::dir_for(&self.store, &id);
                // A folder holding anything is an earlier attempt: never written over.
                let existing = std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some());
                Some(Action::LabOpened { id, dir, existing })
            }
            Effect::StartLab {
                id,
                dir,
                resume,
                generation,
            } => Some(self.start_lab(app, &id, dir, resume, generation)),
            Effect::CheckLab => {
                if let Some(lab) = &self.lab {
                    let _ = lab.check.send(());
                }
                None
            }
            Effect::LabHint { id, dir } => {
                let lab = app.lab(&id)?;
                Some(Action::LabHint(crate::lab::next_hint(lab, &dir).to_owned()))
            }
            Effect::StopLab => {
                self.lab = None;
                None
            }
        }
    }

    /// Scans the project's history on a thread of its own; the answer comes as an action.
    fn read_history(&self) {
        let (root, catalog, events) = (
            self.root.clone(),
            Arc::clone(&self.catalog),
            self.events.clone(),
        );
        let mut options = self.options.clone();
        options
            .disabled
            .extend(crate::history::other_rules(&catalog));
        std::thread::spawn(move || {
            let scanner = Scanner::new(catalog, options);
            let result = crate::history::scan(&scanner, &root, &Default::default())
                .map(Box::new)
                .map_err(|e| sanitize(&format!("{e:#}")).into_owned());
            let _ = events.send(Event::Done(Action::HistoryRead(result)));
        });
    }

    /// Starts the project worker and the watch (the first time), then a full scan.
    fn start_scan(&mut self, generation: u64) -> Option<Action> {
        let mut action = None;
        if self.project.is_none() {
            // Watch first, so that nothing saved during the first scan is missed.
            let watching = watch(
                &self.root,
                &self.options.exclude,
                Watched::Project,
                self.events.clone(),
            );
            action = Some(Action::Watching(match watching {
                Ok(watch) => {
                    self._project_watch = Some(watch);
                    Ok(())
                }
                Err(e) => Err(sanitize(&e.to_string()).into_owned()),
            }));
            match live::spawn_project(
                self.root.clone(),
                Arc::clone(&self.catalog),
                self.options.clone(),
                self.events.clone(),
            ) {
                Ok(project) => self.project = Some(project),
                Err(e) => {
                    return Some(Action::Scan(ScanEvent::Failed {
                        generation,
                        message: format!("could not start the scan: {e}"),
                    }));
                }
            }
        }
        if let Some(project) = &self.project {
            let _ = project.send(Work::Scan { generation });
        }
        action
    }

    /// Copies the lab (unless resuming), then watches its folder and checks it once.
    fn start_lab(
        &mut self,
        app: &App,
        id: &str,
        dir: PathBuf,
        resume: bool,
        generation: u64,
    ) -> Action {
        let failed = |message: String| Action::LabStarted {
            generation,
            result: Err(sanitize(&message).into_owned()),
            unwatched: None,
        };
        let Some(lab) = app.lab(id).cloned() else {
            return failed(format!("there is no lab `{id}`"));
        };
        // `lab::start` itself refuses a folder that is not empty: nothing is ever overwritten.
        if !resume && let Err(e) = crate::lab::start(&lab, &dir) {
            return failed(format!("{e:#}"));
        }
        self.lab = None;
        let watch = watch(&dir, &[], Watched::Lab, self.events.clone());
        let check = match live::spawn_lab(
            lab,
            dir,
            generation,
            Arc::clone(&self.catalog),
            self.events.clone(),
        ) {
            Ok(check) => check,
            Err(e) => return failed(format!("could not start checking: {e}")),
        };
        let _ = check.send(());
        let unwatched = watch
            .as_ref()
            .err()
            .map(|e| sanitize(&e.to_string()).into_owned());
        self.lab = Some(LabJob {
            check,
            _watch: watch.ok(),
        });
        Action::LabStarted {
            generation,
            result: Ok(()),
            unwatched,
        }
    }
}

/// Watches `root`, sending the paths that really changed (not the lab's hint counter) into the
/// loop's channel.
fn watch(
    root: &Path,
    exclude: &[String],
    watched: Watched,
    events: mpsc::Sender<Event>,
) -> notify::Result<crate::watch::Watch> {
    crate::watch::watch(root, exclude, move |paths: Vec<PathBuf>| {
        let paths: Vec<PathBuf> = paths
            .into_iter()
            .filter(|p| p.file_name().is_none_or(|n| n != HINT_STATE))
            .collect();
        if !paths.is_empty() {
            let _ = events.send(Event::Changed { watched, paths });
        }
    })
}

/// Reads at most 16 MiB of a file (an excerpt never needs more).
pub(crate) fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = crate::regular::open_no_follow(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(16 << 20)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}
