//! The coach's background checking. One worker thread owns the project's [`LiveScan`]: it runs
//! the full scan, re-checks changed files, and proposes fixes (which need the compiled scanner).
//! Another checks an open lab's folder. Both take every request queued at once, so a burst of
//! saves (a formatter, a branch switch) costs one re-check, and both answer through the loop's
//! one channel, so input never waits for them.

use super::Event;
use super::app::{Action, Change, ScanEvent};
use super::suppress::FileStamp;
use crate::catalog::Catalog;
use crate::finding::Finding;
use crate::lab::Lab;
use crate::scan::live::{Delta, LiveScan, diff};
use crate::scan::{ScanOptions, Scanner};
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;

/// How often the first scan reports progress.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(100);
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

/// A request to the project worker.
#[derive(Debug)]
pub enum Work {
    /// Scan everything again (the first scan, or R).
    Scan { generation: u64 },
    /// These paths changed (absolute, or relative to the root).
    Recheck(Vec<PathBuf>),
    /// Propose the fix of this finding.
    Propose(Box<Finding>),
}

/// Starts the project worker; its answers go into `events`.
pub fn spawn_project(
    root: PathBuf,
    catalog: Arc<Catalog>,
    options: ScanOptions,
    events: mpsc::Sender<Event>,
) -> std::io::Result<mpsc::Sender<Work>> {
    let (tx, rx) = mpsc::channel::<Work>();
    std::thread::Builder::new()
        .name("seccoach-scan".into())
        .spawn(move || {
            let mut worker = Project {
                root,
                catalog,
                options,
                live: None,
                events,
            };
            while let Ok(first) = rx.recv() {
                let batch: Vec<Work> = std::iter::once(first).chain(rx.try_iter()).collect();
                if !worker.serve(batch) {
                    return;
                }
            }
        })?;
    Ok(tx)
}

/// The live scan and what goes with it.
struct Live {
    generation: u64,
    scan: LiveScan,
    stamps: BTreeMap<String, FileStamp>,
}

struct Project {
    root: PathBuf,
    catalog: Arc<Catalog>,
    options: ScanOptions,
    live: Option<Live>,
    events: mpsc::Sender<Event>,
}

impl Project {
    /// Serves one batch of requests. Returns false when the coach has gone.
    fn serve(&mut self, batch: Vec<Work>) -> bool {
        let mut scan = None;
        let mut changed: Vec<PathBuf> = Vec::new();
        let mut proposals = Vec::new();
        for work in batch {
            match work {
                Work::Scan { generation } => scan = Some(generation),
                Work::Recheck(paths) => changed.extend(paths),
                Work::Propose(finding) => proposals.push(finding),
            }
        }
        // A full scan reads every file as it is now, so it covers the changes queued with it.
        let event = match scan {
            Some(generation) => Some(self.full_scan(generation)),
            None if !changed.is_empty() => self.recheck(&changed),
            None => None,
        };
        if let Some(event) = event
            && self.events.send(Event::Done(Action::Scan(event))).is_err()
        {
            return false;
        }
        for finding in proposals {
            let result = match &self.live {
                Some(live) => guarded("proposing the fix", || {
                    super::fixes::propose(live.scan.scanner(), &self.root, &finding)
                })
                .and_then(|r| r),
                None => Err("the project has not been scanned yet; press R to scan".to_owned()),
            };
            let action = Action::FixProposed(result.map(Box::new));
            if self.events.send(Event::Done(action)).is_err() {
                return false;
            }
        }
        true
    }

    fn full_scan(&mut self, generation: u64) -> ScanEvent {
        let (catalog, options, root) =
            (Arc::clone(&self.catalog), self.options.clone(), &self.root);
        let events = self.events.clone();
        let previous = self.live.as_ref().map(|live| live.scan.scanner());
        let scanned = guarded("the scan", || {
            // Progress while the first scan runs: files read and findings so far, a few times a
            // second at most.
            let (mut files, mut findings) = (0u64, 0u64);
            let mut last = std::time::Instant::now();
            let mut observer = |outcome: &crate::scan::FileOutcome| {
                files += u64::from(outcome.skipped.is_none());
                findings += outcome.checked.findings.len() as u64;
                if last.elapsed() >= PROGRESS_EVERY {
                    last = std::time::Instant::now();
                    let progress = ScanEvent::Progress {
                        generation,
                        files,
                        findings,
                    };
                    let _ = events.send(Event::Done(Action::Scan(progress)));
                }
            };
            let scanner = Scanner::reusing(catalog, options, previous);
            LiveScan::new_observed(scanner, root, &mut observer).map_err(|e| e.to_string())
        })
        .and_then(|r| r);
        let scan = match scanned {
            Ok(scan) => scan,
            Err(message) => {
                self.live = None;
                return ScanEvent::Failed {
                    generation,
                    message,
                };
            }
        };
        let change = match &self.live {
            Some(previous) => classify(
                &self.root,
                diff(&previous.scan.report().findings, &scan.report().findings),
            ),
            None => Change::default(),
        };
        let stamps = stamp(&self.root, &scan.report().findings, &BTreeMap::new(), None);
        let event = ScanEvent::Done {
            generation,
            report: Box::new(scan.report().clone()),
            stamps: stamps.clone(),
            change,
        };
        self.live = Some(Live {
            generation,
            scan,
            stamps,
        });
        event
    }

    fn recheck(&mut self, changed: &[PathBuf]) -> Option<ScanEvent> {
        let live = self.live.as_mut()?;
        let generation = live.generation;
        let scan = &mut live.scan;
        let touched: Vec<String> = changed.iter().map(|p| scan.relative(p)).collect();
        let delta = match guarded("the re-check", || scan.update(changed)) {
            Ok(delta) => delta,
            Err(message) => {
                // The live scan may be half-updated: drop it; R starts afresh.
                self.live = None;
                return Some(ScanEvent::Failed {
                    generation,
                    message,
                });
            }
        };
        live.stamps = stamp(
            &self.root,
            &live.scan.report().findings,
            &live.stamps,
            Some(&touched),
        );
        Some(ScanEvent::Updated {
            generation,
            report: Box::new(live.scan.report().clone()),
            stamps: live.stamps.clone(),
            change: classify(&self.root, delta),
        })
    }
}

/// Separates findings that went because a `seccoach:ignore` comment now covers them (not
/// fixes) from the ones really fixed.
fn classify(root: &Path, delta: Delta) -> Change {
    let Delta { fixed, new } = delta;
    let mut texts: BTreeMap<String, Option<String>> = BTreeMap::new();
    let (suppressed, fixed): (Vec<Finding>, Vec<Finding>) = fixed.into_iter().partition(|f| {
        let text = texts.entry(f.path.clone()).or_insert_with(|| {
            super::jobs::read_limited(&crate::scan::fs_path(root, &f.path))
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        });
        text.as_deref().is_some_and(|text| {
            text.lines()
                .any(|line| line.contains("seccoach:ignore") && line.contains(f.rule.as_str()))
        })
    });
    Change {
        delta: Delta { fixed, new },
        suppressed,
    }
}

/// Stamps each file with findings. With `touched`, files outside it keep their old stamp;
/// without, every file is read.
fn stamp(
    root: &Path,
    findings: &[Finding],
    old: &BTreeMap<String, FileStamp>,
    touched: Option<&[String]>,
) -> BTreeMap<String, FileStamp> {
    let mut stamps = BTreeMap::new();
    for finding in findings {
        if stamps.contains_key(&finding.path) {
            continue;
        }
        let path = &finding.path;
        let changed = touched.is_none_or(|touched| {
            touched
                .iter()
                .any(|t| t == path || t.is_empty() || path.starts_with(&format!("{t}/")))
        });
        let kept = if changed {
            None
        } else {
            old.get(path).cloned()
        };
        if let Some(stamp) =
            kept.or_else(|| FileStamp::read(&crate::scan::fs_path(root, path)).ok())
        {
            stamps.insert(path.clone(), stamp);
        }
    }
    stamps
}

/// Runs `work`, turning a panic into an error message (the terminal stays usable).
fn guarded<T>(what: &str, work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown error".to_owned());
        format!("{what} crashed ({message}); please report it")
    })
}

/// Starts a worker that checks lab folder `dir` each time it is asked (asks queued together
/// make one check); results go into `events` tagged with `generation`.
pub fn spawn_lab(
    lab: Lab,
    dir: PathBuf,
    generation: u64,
    catalog: Arc<Catalog>,
    events: mpsc::Sender<Event>,
) -> std::io::Result<mpsc::Sender<()>> {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("seccoach-lab".into())
        .spawn(move || {
            while rx.recv().is_ok() {
                rx.try_iter().for_each(drop);
                let result = guarded("the lab check", || {
                    crate::lab::check(&lab, Arc::clone(&catalog), &dir)
                        .map_err(|e| crate::display::sanitize(&format!("{e:#}")).into_owned())
                })
                .and_then(|r| r);
                if events
                    .send(Event::Done(Action::LabChecked { generation, result }))
                    .is_err()
                {
                    return;
                }
            }
        })?;
    Ok(tx)
}
