//! The coach's state and its one `update` function. `App` is plain data made of per-screen
//! states; `update` applies an [`Action`] (a key, a scan result, the outcome of an effect) and
//! returns the [`Effect`]s for the runtime to perform. Nothing here touches the terminal, the
//! file system or a thread, so every transition is tested by feeding actions.

use super::excerpt::Excerpt;
use super::fixes::UndoRefusal;
use super::keys::{self, Command, Ctx};
use super::suppress::{FileStamp, Plan, Refusal};
use super::theme::Theme;
use super::view;
use crate::catalog::{Catalog, Lesson, Question, Severity};
use crate::finding::{Finding, FindingKey};
use crate::fix::FileFix;
use crate::lab::{self, Lab};
use crate::progress::Progress;
use crate::report::Report;
use crate::scan::live::Delta;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

/// Everything the coach knows.
pub struct App {
    pub catalog: Arc<Catalog>,
    /// The project being coached (the scan root).
    pub root: PathBuf,
    /// How the project is named on screen.
    pub project_name: String,
    pub progress: Progress,
    pub scan: ScanView,
    /// Never empty: `screens[0]` is Home; the last is shown.
    pub screens: Vec<Screen>,
    pub overlay: Option<Overlay>,
    pub status: Option<Status>,
    pub theme: Theme,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub quit: bool,
    /// The hands-on labs, by id (loaded once: lessons name them).
    pub labs: Vec<Lab>,
    /// Fixes applied from the coach this session, the last on top (`u` undoes it).
    pub applied: Vec<FileFix>,
    /// The file whose fix was just undone, until the re-check it started reports back: that
    /// report's returning findings are the undo's doing, and the status says so.
    pub undone: Option<String>,
    /// Incremented for each lab session started; checks of older ones are ignored.
    pub lab_generation: u64,
    /// The history scan, once asked for (`H`).
    pub history: HistoryView,
    /// Seeds the next quiz attempt's shuffle (advanced on every attempt). Fixed by `App::new`
    /// so the coach's tests are repeatable; the terminal coach starts it from the clock.
    pub quiz_seed: u64,
    /// The repository's onboarding plan (`.seccoach/onboarding.toml`): home shows it first.
    pub plan: Option<crate::plan::Plan>,
}

/// The project scan as the coach sees it.
#[derive(Debug, Default)]
pub struct ScanView {
    /// Incremented for each scan started; results of older scans are ignored.
    pub generation: u64,
    pub phase: ScanPhase,
    /// The last complete report (kept while a rescan runs).
    pub report: Option<Report>,
    /// What each file with findings held when scanned.
    pub stamps: BTreeMap<String, FileStamp>,
    /// Findings gone since the coach started (fixed this session), oldest first.
    pub fixed: Vec<Finding>,
    /// Fingerprints of findings that appeared since the coach started.
    pub new: BTreeSet<String>,
    /// Changed files are being re-checked.
    pub rechecking: bool,
    /// The project is watched: saved changes are re-checked without asking.
    pub watching: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ScanPhase {
    #[default]
    NotStarted,
    Running {
        files: u64,
        findings: u64,
    },
    Done,
    Failed(String),
}

/// A message from the scan thread.
#[derive(Debug)]
pub enum ScanEvent {
    Progress {
        generation: u64,
        files: u64,
        findings: u64,
    },
    /// A full scan finished (the first one, or a rescan with R).
    Done {
        generation: u64,
        report: Box<Report>,
        stamps: BTreeMap<String, FileStamp>,
        change: Change,
    },
    /// Changed files were re-checked: the whole report as it is now, and what changed.
    Updated {
        generation: u64,
        report: Box<Report>,
        stamps: BTreeMap<String, FileStamp>,
        change: Change,
    },
    Failed {
        generation: u64,
        message: String,
    },
}

/// What a re-check changed, as the coach tells it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// Findings fixed (gone) and new.
    pub delta: Delta,
    /// Findings gone because a `seccoach:ignore` comment now suppresses them: not fixes.
    pub suppressed: Vec<Finding>,
}

/// Which watched folder a change comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    Project,
    Lab,
}

pub enum Screen {
    Home(HomeState),
    Lesson(LessonState),
    Findings(FindingsState),
    Detail(DetailState),
    Lab(LabState),
    /// The last scan's notes in full: checks that did not run, files skipped or not parsed.
    Notes(NotesState),
    /// Secrets in the repository's history, by commit, with how to clean up.
    History(NotesState),
    /// The project's pipeline layer map (`seccoach layers`).
    Layers(LayersState),
}

#[derive(Debug, Clone)]
pub struct LayersState {
    pub scroll: usize,
    /// The map, or why it could not be made (a broken `.seccoach.toml`).
    pub map: Result<crate::layers::LayerMap, String>,
}

/// The coach's history scan (`scan --history`), read once when first asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum HistoryView {
    #[default]
    NotRead,
    Reading,
    Read(Box<Report>),
    Failed(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotesState {
    pub scroll: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HomeState {
    /// Index into [`home_items`].
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonState {
    pub id: String,
    pub scroll: usize,
    /// Columns of the code blocks scrolled out on the left (code lines are clipped, not wrapped).
    pub code_scroll: usize,
    pub quiz: Option<QuizState>,
}

/// One attempt at a lesson's quiz. `cursor` and `answered` are positions on screen: choices are
/// shown in an order shuffled by `seed`, fixed for the attempt and new for every retake, so the
/// position of the right answer in the lesson file teaches nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuizState {
    pub question: usize,
    pub cursor: usize,
    /// The choice made for the current question (its position on screen).
    pub answered: Option<usize>,
    pub correct: u32,
    pub finished: bool,
    pub scroll: usize,
    /// Decides the order of the choices of every question of this attempt.
    pub seed: u64,
}

impl QuizState {
    /// A fresh attempt whose choices are shuffled by `seed`.
    pub fn new(seed: u64) -> QuizState {
        QuizState {
            seed,
            ..QuizState::default()
        }
    }

    /// For each position on screen, the index in the lesson file of the choice shown there.
    pub fn order(&self, question: &Question) -> Vec<usize> {
        shuffled(
            self.seed ^ (self.question as u64).wrapping_mul(GOLDEN),
            question.choices.len(),
        )
    }

    /// The position on screen of the right answer to `question`.
    pub fn answer_position(&self, question: &Question) -> usize {
        self.order(question)
            .iter()
            .position(|&i| i == question.answer)
            .unwrap_or(question.answer)
    }
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// splitmix64: a small, well-mixed step, enough to shuffle a handful of choices.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A permutation of `0..n` (Fisher-Yates) decided by `seed`.
fn shuffled(seed: u64, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = seed;
    for i in (1..n).rev() {
        state = mix(state);
        let j = (state % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Grouping {
    #[default]
    BySeverity,
    ByFile,
    ByRule,
}

impl Grouping {
    /// The next grouping `Tab` switches to.
    pub fn next(self) -> Grouping {
        match self {
            Grouping::BySeverity => Grouping::ByFile,
            Grouping::ByFile => Grouping::ByRule,
            Grouping::ByRule => Grouping::BySeverity,
        }
    }

    /// How the list's summary line names it.
    pub fn label(self) -> &'static str {
        match self {
            Grouping::BySeverity => "by severity",
            Grouping::ByFile => "by file",
            Grouping::ByRule => "by rule",
        }
    }
}

/// True when findings `a` and `b` fall in one group of the list: test code is always its own
/// group, after the rest.
pub fn same_group(findings: &[Finding], grouping: Grouping, a: usize, b: usize) -> bool {
    let (a, b) = (&findings[a], &findings[b]);
    a.in_test_code == b.in_test_code
        && match grouping {
            Grouping::BySeverity => a.severity == b.severity,
            Grouping::ByFile => a.path == b.path,
            Grouping::ByRule => a.rule == b.rule,
        }
}

/// The bulk actions offered on one group of the findings list (`b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupActions {
    /// How the group is named (its header without the count).
    pub label: String,
    /// Fingerprints of the group's findings.
    pub fingerprints: Vec<String>,
    /// The rule every finding of the group breaks, when they share one.
    pub rule: Option<String>,
    /// The group is test, example or documentation code.
    pub test_code: bool,
    /// The deepest folder holding every finding of the group (`""`: the root), `/`-separated.
    pub folder: String,
}

/// Findings restricted to some rules (a lesson's checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFilter {
    pub label: String,
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingsState {
    pub grouping: Grouping,
    /// Show only findings at or above this severity.
    pub min_severity: Option<Severity>,
    pub area: Option<String>,
    pub rules: Option<RuleFilter>,
    pub query: String,
    /// Index into the visible findings.
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailState {
    /// Index into the report's findings.
    pub index: usize,
    pub scroll: usize,
    /// Columns of the rule's code examples scrolled out on the left (they are clipped, not
    /// wrapped).
    pub code_scroll: usize,
    /// The code around the finding, once loaded (or why it could not be).
    pub excerpt: Option<Result<Excerpt, String>>,
    /// Set when a re-check no longer finds the finding (fixed, or suppressed): what it was.
    /// `index` is then meaningless until the finding comes back (an undo).
    pub gone: Option<Box<Finding>>,
}

impl DetailState {
    pub fn new(index: usize) -> DetailState {
        DetailState {
            index,
            scroll: 0,
            code_scroll: 0,
            excerpt: None,
            gone: None,
        }
    }
}

/// A hands-on lab in progress.
#[derive(Debug, Clone)]
pub struct LabState {
    /// The lab's id.
    pub id: String,
    /// The learner's copy.
    pub dir: PathBuf,
    /// Which lab session this is (checks of another are ignored).
    pub generation: u64,
    pub phase: LabPhase,
    /// The hints asked for so far, in order.
    pub hints: Vec<String>,
    pub scroll: usize,
}

#[derive(Debug, Clone)]
pub enum LabPhase {
    /// A copy from an earlier session is in the folder: Enter resumes checking it.
    Resume,
    /// Copying the project and starting the watch.
    Starting,
    /// Checking the folder whenever it changes.
    Watching {
        /// The latest check (none until the first one arrives).
        outcome: Option<Result<lab::Outcome, String>>,
        /// A check is running.
        checking: bool,
        /// Why the folder is not watched, if it is not (then `c` checks by hand).
        unwatched: Option<String>,
    },
    /// The lab could not be started.
    Failed(String),
}

/// The fix preview: what will be written, waiting for a yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixPreview {
    pub fix: FileFix,
    /// The rule whose finding asked for the fix.
    pub rule: String,
    /// The unified diff, escaped and with secrets redacted, one entry per line.
    pub lines: Vec<String>,
    pub scroll: usize,
}

/// Something drawn over the screen that takes the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// Typing a search; the query lives in the findings state, `previous` restores it on Esc.
    Search {
        previous: String,
    },
    /// Typing the reason for suppressing the finding `key` names.
    Reason {
        key: FindingKey,
        input: String,
    },
    /// The exact comment to insert, waiting for a yes.
    Confirm(Box<Plan>),
    /// An automatic fix's diff, waiting for a yes.
    Fix(Box<FixPreview>),
    /// The bulk actions on one group of the findings list.
    Group(Box<GroupActions>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// Everything that can happen to the coach.
#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    /// Mouse wheel: positive scrolls down.
    Scroll(i32),
    Resize(u16, u16),
    Tick,
    Scan(ScanEvent),
    ExcerptLoaded {
        index: usize,
        excerpt: Result<Excerpt, String>,
    },
    EditorClosed(Result<(), String>),
    /// A code block was handed to the terminal's clipboard: its line count, or why not.
    Copied(Result<usize, String>),
    SuppressionPlanned(Result<Box<Plan>, Refusal>),
    Suppressed {
        plan: Box<Plan>,
        result: Result<FileStamp, Refusal>,
    },
    ProgressSaved(Result<(), String>),
    /// The history scan finished.
    HistoryRead(Result<Box<Report>, String>),
    /// Files changed in a watched folder.
    FilesChanged {
        watched: Watched,
        paths: Vec<PathBuf>,
    },
    /// Whether watching the project for changes could start.
    Watching(Result<(), String>),
    FixProposed(Result<Box<FileFix>, String>),
    FixApplied {
        fix: Box<FileFix>,
        result: Result<(), String>,
    },
    FixUndone {
        fix: Box<FileFix>,
        result: Result<(), UndoRefusal>,
    },
    /// Where the lab's copy goes, and whether an earlier copy is already there.
    LabOpened {
        id: String,
        dir: PathBuf,
        existing: bool,
    },
    LabStarted {
        generation: u64,
        result: Result<(), String>,
        /// Why the folder is not watched, if it is not.
        unwatched: Option<String>,
    },
    LabChecked {
        generation: u64,
        result: Result<lab::Outcome, String>,
    },
    LabHint(String),
}

/// Work for the runtime: the only way `update` reaches the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    StartScan {
        generation: u64,
    },
    LoadExcerpt {
        index: usize,
    },
    OpenEditor {
        file: PathBuf,
        line: u32,
    },
    /// Plan the suppression of the finding `key` names, if it is still there.
    PlanSuppression {
        key: FindingKey,
        reason: String,
    },
    WriteSuppression(Box<Plan>),
    SaveProgress,
    /// Put this text on the clipboard through the terminal (OSC 52).
    CopyToClipboard(String),
    /// Scan the project's git history for secrets.
    ReadHistory,
    /// Re-check these paths (relative to the root, or absolute) now.
    Recheck {
        paths: Vec<PathBuf>,
    },
    /// Propose the fix of the finding `key` names, if it is still there.
    ProposeFix {
        key: FindingKey,
    },
    ApplyFix(Box<FileFix>),
    UndoFix(Box<FileFix>),
    /// Find where lab `id`'s copy goes and whether one is there.
    OpenLab {
        id: String,
    },
    /// Copy the lab into `dir` (unless resuming an existing copy), then watch and check it.
    StartLab {
        id: String,
        dir: PathBuf,
        resume: bool,
        generation: u64,
    },
    /// Check the lab folder now.
    CheckLab,
    /// The lab's next hint.
    LabHint {
        id: String,
        dir: PathBuf,
    },
    /// Stop watching the lab folder.
    StopLab,
    Quit,
}

/// A selectable row of the home screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HomeItem {
    Continue(String),
    Lesson(String),
}

impl App {
    pub fn new(catalog: Arc<Catalog>, root: PathBuf, progress: Progress, theme: Theme) -> App {
        let project_name = root
            .canonicalize()
            .ok()
            .as_deref()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| root.display().to_string());
        App {
            project_name: crate::display::sanitize(&project_name).into_owned(),
            root,
            progress,
            scan: ScanView::default(),
            screens: vec![Screen::Home(HomeState::default())],
            overlay: None,
            status: None,
            labs: lab::all(&catalog).unwrap_or_default(),
            catalog,
            theme,
            size: (80, 24),
            quit: false,
            applied: Vec::new(),
            undone: None,
            lab_generation: 0,
            history: HistoryView::NotRead,
            quiz_seed: 0,
            plan: None,
        }
    }

    /// A new quiz attempt: its own shuffle of every question's choices.
    pub fn new_quiz(&mut self) -> QuizState {
        self.quiz_seed = mix(self.quiz_seed);
        QuizState::new(self.quiz_seed)
    }

    /// The lab with this id.
    pub fn lab(&self, id: &str) -> Option<&Lab> {
        self.labs.iter().find(|l| l.id == id)
    }

    /// The hands-on lab of a lesson, if it has one.
    pub fn lab_of(&self, lesson: &Lesson) -> Option<&Lab> {
        lesson.lab.as_deref().and_then(|id| self.lab(id))
    }

    /// True when the lesson's lab (its practical part) has been solved.
    pub fn lab_solved(&self, lesson: &Lesson) -> bool {
        lesson
            .lab
            .as_deref()
            .is_some_and(|id| self.progress.labs_solved.contains(id))
    }

    /// Where keys go now.
    pub fn context(&self) -> Ctx {
        match &self.overlay {
            Some(Overlay::Help) => return Ctx::Help,
            Some(Overlay::Search { .. } | Overlay::Reason { .. }) => return Ctx::Prompt,
            Some(Overlay::Confirm(_)) => return Ctx::Confirm,
            Some(Overlay::Fix(_)) => return Ctx::Fix,
            Some(Overlay::Group(_)) => return Ctx::Group,
            None => {}
        }
        view::screen_context(self)
    }

    pub fn findings(&self) -> &[Finding] {
        self.scan.report.as_ref().map_or(&[], |r| &r.findings)
    }

    pub fn set_status(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    pub fn set_error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    /// Opens a lesson on top of the current screen (the start of `seccoach learn`).
    pub fn open_lesson(&mut self, id: &str) -> Vec<Effect> {
        if self.catalog.lesson(id).is_none() {
            self.set_error(format!("no lesson `{id}`"));
            return Vec::new();
        }
        self.screens.push(Screen::Lesson(LessonState {
            id: id.to_owned(),
            scroll: 0,
            code_scroll: 0,
            quiz: None,
        }));
        self.progress.last_lesson = Some(id.to_owned());
        let mut effects = vec![Effect::SaveProgress];
        effects.extend(self.check_read());
        effects
    }

    /// Starts a scan (unless one is running).
    pub fn start_scan(&mut self) -> Vec<Effect> {
        if matches!(self.scan.phase, ScanPhase::Running { .. }) {
            return Vec::new();
        }
        self.scan.generation += 1;
        self.scan.phase = ScanPhase::Running {
            files: 0,
            findings: 0,
        };
        vec![Effect::StartScan {
            generation: self.scan.generation,
        }]
    }

    /// Installs a finished report (used by the runtime and by tests). Each open detail stays on
    /// its finding and each list keeps its selection on the same finding, found again by
    /// fingerprint; a detail whose finding is gone shows what it was.
    pub fn set_report(&mut self, report: Report, stamps: BTreeMap<String, FileStamp>) {
        // What each list has selected, before the findings change under it.
        let selected: Vec<Option<Finding>> = self
            .screens
            .iter()
            .map(|s| match s {
                Screen::Findings(state) => visible_findings(self, state)
                    .get(state.selected)
                    .and_then(|&i| self.findings().get(i))
                    .cloned(),
                _ => None,
            })
            .collect();
        let old: Vec<Finding> = self.findings().to_vec();
        self.scan.report = Some(report);
        self.scan.stamps = stamps;
        self.scan.phase = ScanPhase::Done;
        self.scan.rechecking = false;
        let findings = self.findings().to_vec();
        for screen in &mut self.screens {
            let Screen::Detail(state) = screen else {
                continue;
            };
            let before = match &state.gone {
                Some(gone) => (**gone).clone(),
                None => match old.get(state.index) {
                    Some(f) => f.clone(),
                    None => continue,
                },
            };
            match find_again(&findings, &before) {
                Some(index) => {
                    if state.gone.is_some()
                        || index != state.index
                        || findings[index].line != before.line
                    {
                        state.excerpt = None;
                    }
                    state.index = index;
                    state.gone = None;
                }
                None => {
                    state.index = usize::MAX;
                    state.excerpt = None;
                    state.gone = Some(Box::new(before));
                }
            }
        }
        // Lists follow their selected finding; when it is gone, the next one takes its place.
        let positions: Vec<Option<usize>> = self
            .screens
            .iter()
            .zip(&selected)
            .map(|(s, chosen)| match (s, chosen) {
                (Screen::Findings(state), Some(chosen)) => {
                    let index = find_again(self.findings(), chosen)?;
                    visible_findings(self, state)
                        .iter()
                        .position(|&i| i == index)
                }
                _ => None,
            })
            .collect();
        for (screen, position) in self.screens.iter_mut().zip(positions) {
            if let (Screen::Findings(state), Some(position)) = (screen, position) {
                state.selected = position;
            }
        }
        self.clamp_selections();
    }

    /// Takes in what a re-check changed: the findings fixed this session and the new ones.
    /// Returns whether the learner's record of findings fixed changed (to be saved).
    pub fn record_change(&mut self, change: &Change) -> bool {
        let fixed_before = self.progress.findings_fixed.clone();
        for finding in &change.delta.fixed {
            // Introduced and removed in this session: neither new nor a fix.
            if !self.scan.new.remove(&finding.fingerprint) {
                self.scan.fixed.push(finding.clone());
                self.progress
                    .findings_fixed
                    .insert(finding.fingerprint.clone());
            }
        }
        for finding in &change.suppressed {
            self.scan.new.remove(&finding.fingerprint);
        }
        // Back after an undo (or a reverted edit): no longer fixed, and not new either.
        let mut returned = 0;
        let mut new = Vec::new();
        for finding in &change.delta.new {
            match self
                .scan
                .fixed
                .iter()
                .position(|f| f.fingerprint == finding.fingerprint)
            {
                Some(i) => {
                    self.scan.fixed.remove(i);
                    self.progress.findings_fixed.remove(&finding.fingerprint);
                    returned += 1;
                }
                None => {
                    self.scan.new.insert(finding.fingerprint.clone());
                    new.push(finding);
                }
            }
        }
        let (fixed, suppressed) = (&change.delta.fixed, &change.suppressed);
        let mut parts = Vec::new();
        if let Some(path) = self.undone.take() {
            let back = match returned {
                1 => "1 finding is back".to_owned(),
                n => format!("{n} findings are back"),
            };
            parts.push(format!(
                "Undid the fix to {}; {back}",
                crate::display::sanitize(&path)
            ));
        } else if returned > 0 {
            parts.push(format!(
                "{} back",
                crate::display::count(returned, "finding")
            ));
        }
        match fixed.as_slice() {
            [] => {}
            [one] => parts.push(format!(
                "✓ Fixed: {} in {}",
                one.rule,
                crate::display::sanitize(&one.path)
            )),
            many => parts.push(format!(
                "✓ {} fixed",
                crate::display::count(many.len(), "finding")
            )),
        }
        if !suppressed.is_empty() {
            parts.push(format!("{} suppressed", suppressed.len()));
        }
        match new.as_slice() {
            [] => {}
            [one] => parts.push(format!(
                "new: {} in {}",
                one.rule,
                crate::display::sanitize(&one.path)
            )),
            many => parts.push(format!(
                "{} new",
                crate::display::count(many.len(), "finding")
            )),
        }
        if !parts.is_empty() {
            let total = self.scan.fixed.len();
            let mut text = parts.join(" · ");
            if total > 0 {
                text.push_str(&format!(" · {total} fixed this session"));
            }
            if let Some(still) = self.env_file_still_committed(fixed) {
                text.push_str(&still);
            }
            self.set_status(text);
        }
        self.progress.findings_fixed != fixed_before
    }

    /// After the `.gitignore` fix for env files: ignoring a committed `.env` does not untrack it,
    /// so say what still ends `repo/env-file-committed`.
    fn env_file_still_committed(&self, fixed: &[Finding]) -> Option<String> {
        use crate::analyzers::repo::{ENV_FILE, GITIGNORE_ENV};
        if !fixed.iter().any(|f| f.rule.as_str() == GITIGNORE_ENV) {
            return None;
        }
        let still = self
            .findings()
            .iter()
            .find(|f| f.rule.as_str() == ENV_FILE)?;
        let path = crate::display::sanitize(&still.path);
        Some(format!(
            " · {path} is still committed: `git rm --cached {path}`, then rotate every value in \
             it (git history keeps them)"
        ))
    }

    fn clamp_selections(&mut self) {
        let counts: Vec<Option<usize>> = self
            .screens
            .iter()
            .map(|s| match s {
                Screen::Findings(state) => Some(visible_findings(self, state).len()),
                _ => None,
            })
            .collect();
        for (screen, count) in self.screens.iter_mut().zip(counts) {
            if let (Screen::Findings(state), Some(count)) = (screen, count) {
                state.selected = state.selected.min(count.saturating_sub(1));
            }
        }
    }

    /// Marks the open lesson read once its end has been on screen.
    fn check_read(&mut self) -> Vec<Effect> {
        let Some(Screen::Lesson(state)) = self.screens.last() else {
            return Vec::new();
        };
        if state.quiz.is_some() || self.progress.is_read(&state.id) {
            return Vec::new();
        }
        let (total, height) = view::lesson::content_size(self, state);
        if state.scroll + height >= total {
            let id = state.id.clone();
            self.progress.lessons_read.insert(id);
            return vec![Effect::SaveProgress];
        }
        Vec::new()
    }

    /// The lesson to continue with: the last one opened if unfinished, else the next unread.
    pub fn continue_lesson(&self) -> Option<&Lesson> {
        let lessons = self.catalog.lessons();
        let last = self
            .progress
            .last_lesson
            .as_deref()
            .and_then(|id| lessons.iter().position(|l| l.id == id));
        if let Some(i) = last
            && !self.progress.is_read(&lessons[i].id)
        {
            return Some(lessons[i]);
        }
        let start = last.map_or(0, |i| i + 1);
        lessons[start..]
            .iter()
            .chain(lessons[..start].iter())
            .find(|l| !self.progress.is_read(&l.id))
            .copied()
    }
}

/// Where `finding` is in `findings` now: same rule and fingerprint, on the same line if possible.
fn find_again(findings: &[Finding], finding: &Finding) -> Option<usize> {
    let same = |f: &Finding| f.fingerprint == finding.fingerprint && f.rule == finding.rule;
    findings
        .iter()
        .position(|f| same(f) && f.line == finding.line)
        .or_else(|| findings.iter().position(same))
}

/// The selectable rows of the home screen: "continue", then every lesson in curriculum order.
pub fn home_items(app: &App) -> Vec<HomeItem> {
    let mut items = Vec::new();
    // The onboarding plan's lessons come first, as home shows them.
    for section in app.plan.iter().flat_map(|p| &p.sections) {
        items.extend(section.lessons.iter().cloned().map(HomeItem::Lesson));
    }
    if let Some(lesson) = app.continue_lesson() {
        items.push(HomeItem::Continue(lesson.id.clone()));
    }
    for track in app.catalog.tracks() {
        for lesson in app.catalog.lessons() {
            if lesson.track == track.id {
                items.push(HomeItem::Lesson(lesson.id.clone()));
            }
        }
    }
    items
}

/// Indices (into the report) of the findings a findings screen shows, in display order.
pub fn visible_findings(app: &App, state: &FindingsState) -> Vec<usize> {
    let query = state.query.trim().to_lowercase();
    let mut out: Vec<usize> = app
        .findings()
        .iter()
        .enumerate()
        .filter(|(_, f)| passes_filters(app, state, f, &query))
        .map(|(i, _)| i)
        .collect();
    let findings = app.findings();
    match state.grouping {
        Grouping::BySeverity => out.sort_by(|&a, &b| {
            findings[b]
                .severity
                .cmp(&findings[a].severity)
                .then_with(|| findings[a].sort_key().cmp(&findings[b].sort_key()))
        }),
        // The rules that matter most first (by their most severe finding), each rule's
        // findings together.
        Grouping::ByRule => {
            let mut worst: BTreeMap<&str, Severity> = BTreeMap::new();
            for &i in &out {
                let entry = worst
                    .entry(findings[i].rule.as_str())
                    .or_insert(findings[i].severity);
                *entry = (*entry).max(findings[i].severity);
            }
            out.sort_by(|&a, &b| {
                let (ra, rb) = (findings[a].rule.as_str(), findings[b].rule.as_str());
                worst[rb]
                    .cmp(&worst[ra])
                    .then_with(|| ra.cmp(rb))
                    .then_with(|| findings[a].sort_key().cmp(&findings[b].sort_key()))
            });
        }
        Grouping::ByFile => {}
    }
    // Findings in test, example and documentation code come last, in their own groups.
    out.sort_by_key(|&i| findings[i].in_test_code);
    out
}

/// The findings fixed this session that a findings screen's filters let through, in the order
/// they were fixed.
pub fn visible_fixed<'a>(app: &'a App, state: &FindingsState) -> Vec<&'a Finding> {
    let query = state.query.trim().to_lowercase();
    app.scan
        .fixed
        .iter()
        .filter(|f| passes_filters(app, state, f, &query))
        .collect()
}

fn passes_filters(app: &App, state: &FindingsState, f: &Finding, query: &str) -> bool {
    state.min_severity.is_none_or(|min| f.severity >= min)
        && state.area.as_deref().is_none_or(|a| f.rule.area() == a)
        && state
            .rules
            .as_ref()
            .is_none_or(|r| r.rules.iter().any(|id| id == f.rule.as_str()))
        && (query.is_empty() || matches_query(app, f, query))
}

fn matches_query(app: &App, finding: &Finding, query: &str) -> bool {
    finding.rule.as_str().contains(query)
        || finding.path.to_lowercase().contains(query)
        || finding.message.to_lowercase().contains(query)
        || app
            .catalog
            .rule(finding.rule.as_str())
            .is_some_and(|r| r.title.to_lowercase().contains(query))
}

/// Applies one action; returns the effects for the runtime.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) => on_key(app, key),
        Action::Scroll(delta) => scroll(app, delta),
        Action::Resize(width, height) => {
            app.size = (width, height);
            clamp_scrolls(app);
            scroll_fix(app, 0);
            app.check_read()
        }
        Action::Tick => Vec::new(),
        Action::Scan(event) => on_scan(app, event),
        Action::ExcerptLoaded { index, excerpt } => {
            for screen in &mut app.screens {
                if let Screen::Detail(state) = screen
                    && state.index == index
                {
                    state.excerpt = Some(excerpt.clone());
                }
            }
            Vec::new()
        }
        Action::Copied(result) => {
            match result {
                Ok(lines) => app.set_status(format!(
                    "Copied the code block ({lines} line{}) as written. Terminals without OSC 52 \
                     copy nothing; then scroll it with < > and select it.",
                    if lines == 1 { "" } else { "s" }
                )),
                Err(message) => app.set_error(format!("Could not copy the code block: {message}")),
            }
            Vec::new()
        }
        Action::EditorClosed(result) => {
            let watching = app.scan.watching;
            match result {
                Ok(()) if watching => {
                    app.set_status("Back from the editor; saved changes are re-checked.")
                }
                Ok(()) => app.set_status("Back from the editor; rescanning."),
                Err(message) => app.set_error(message),
            }
            // A watched project is re-checked as files are saved; otherwise rescan it all.
            if watching {
                Vec::new()
            } else {
                app.start_scan()
            }
        }
        Action::SuppressionPlanned(result) => {
            match result {
                Ok(plan) => app.overlay = Some(Overlay::Confirm(plan)),
                Err(refusal) => {
                    app.overlay = None;
                    app.set_error(format!("Not suppressed: {refusal}"));
                }
            }
            Vec::new()
        }
        Action::Suppressed { plan, result } => match result {
            Ok(stamp) => {
                on_suppressed(app, &plan, stamp);
                let mut effects = after_suppression(app);
                // Confirms the suppression with the scan itself (also when nothing is watched).
                effects.push(Effect::Recheck {
                    paths: vec![PathBuf::from(&plan.rel_path)],
                });
                effects
            }
            Err(refusal) => {
                app.set_error(format!("Not suppressed: {refusal}"));
                Vec::new()
            }
        },
        Action::HistoryRead(result) => {
            app.history = match result {
                Ok(report) => HistoryView::Read(report),
                Err(message) => HistoryView::Failed(message),
            };
            clamp_scrolls(app);
            Vec::new()
        }
        Action::ProgressSaved(result) => {
            if let Err(message) = result {
                app.set_error(format!("Progress not saved: {message}"));
            }
            Vec::new()
        }
        Action::FilesChanged { watched, paths } => on_files_changed(app, watched, paths),
        Action::Watching(result) => {
            app.scan.watching = result.is_ok();
            if let Err(message) = result {
                app.set_error(format!(
                    "Not watching the project for changes ({message}); press R to rescan after editing."
                ));
            }
            Vec::new()
        }
        Action::FixProposed(result) => {
            match result {
                Ok(fix) => {
                    app.status = None;
                    show_fix(app, *fix);
                }
                Err(message) => app.set_error(format!("No fix: {message}")),
            }
            Vec::new()
        }
        Action::FixApplied { fix, result } => match result {
            Ok(()) => {
                let path = crate::display::sanitize(&fix.path).into_owned();
                let count = fix.fixed.len();
                app.set_status(format!(
                    "Fix applied to {path} ({count} change{}); re-checking… u undoes it.",
                    if count == 1 { "" } else { "s" }
                ));
                let paths = vec![PathBuf::from(&fix.path)];
                app.applied.push(*fix);
                vec![Effect::Recheck { paths }]
            }
            Err(message) => {
                app.set_error(format!("Not fixed: {message}"));
                Vec::new()
            }
        },
        Action::FixUndone { fix, result } => {
            let on_top = app.applied.last() == Some(&*fix);
            match result {
                Ok(()) => {
                    if on_top {
                        app.applied.pop();
                    }
                    app.set_status(format!(
                        "Undid the fix to {}; re-checking.",
                        crate::display::sanitize(&fix.path)
                    ));
                    app.undone = Some(fix.path.clone());
                    vec![Effect::Recheck {
                        paths: vec![PathBuf::from(&fix.path)],
                    }]
                }
                Err(refusal) => {
                    if on_top && refusal.is_final() {
                        app.applied.pop();
                    }
                    app.set_error(format!("Not undone: {refusal}"));
                    Vec::new()
                }
            }
        }
        Action::LabOpened { id, dir, existing } => {
            app.lab_generation += 1;
            let generation = app.lab_generation;
            app.screens.push(Screen::Lab(LabState {
                id: id.clone(),
                dir: dir.clone(),
                generation,
                phase: if existing {
                    LabPhase::Resume
                } else {
                    LabPhase::Starting
                },
                hints: Vec::new(),
                scroll: 0,
            }));
            if existing {
                Vec::new()
            } else {
                vec![Effect::StartLab {
                    id,
                    dir,
                    resume: false,
                    generation,
                }]
            }
        }
        Action::LabStarted {
            generation,
            result,
            unwatched,
        } => {
            if let Some(state) = lab_state(app, generation) {
                state.phase = match result {
                    Ok(()) => LabPhase::Watching {
                        outcome: None,
                        checking: true,
                        unwatched,
                    },
                    Err(message) => LabPhase::Failed(message),
                };
            }
            Vec::new()
        }
        Action::LabChecked { generation, result } => on_lab_checked(app, generation, result),
        Action::LabHint(hint) => {
            if let Some(Screen::Lab(state)) = app.screens.last_mut() {
                if state.hints.last() != Some(&hint) {
                    state.hints.push(hint);
                }
                // Show the hint: it is at the end.
                state.scroll = usize::MAX;
            }
            clamp_scrolls(app);
            Vec::new()
        }
    }
}

/// A watched file changed: re-check the project, or the open lab.
fn on_files_changed(app: &mut App, watched: Watched, paths: Vec<PathBuf>) -> Vec<Effect> {
    match watched {
        Watched::Project => {
            // During the first scan the worker queues this for right after it: the scan may
            // have read the file before it changed.
            app.scan.rechecking = app.scan.report.is_some();
            vec![Effect::Recheck { paths }]
        }
        Watched::Lab => {
            let Some(Screen::Lab(state)) = app
                .screens
                .iter_mut()
                .rev()
                .find(|s| matches!(s, Screen::Lab(_)))
            else {
                return Vec::new();
            };
            match &mut state.phase {
                LabPhase::Watching { checking, .. } => {
                    *checking = true;
                    vec![Effect::CheckLab]
                }
                _ => Vec::new(),
            }
        }
    }
}

fn lab_state(app: &mut App, generation: u64) -> Option<&mut LabState> {
    app.screens.iter_mut().find_map(|s| match s {
        Screen::Lab(state) if state.generation == generation => Some(state),
        _ => None,
    })
}

/// A lab check finished: show it, and when solved record the lab (the lesson's practical part).
fn on_lab_checked(
    app: &mut App,
    generation: u64,
    result: Result<lab::Outcome, String>,
) -> Vec<Effect> {
    let solved = result.as_ref().is_ok_and(lab::Outcome::solved);
    let Some(state) = lab_state(app, generation) else {
        return Vec::new();
    };
    let LabPhase::Watching {
        outcome, checking, ..
    } = &mut state.phase
    else {
        return Vec::new();
    };
    let was_solved = outcome
        .as_ref()
        .is_some_and(|o| o.as_ref().is_ok_and(lab::Outcome::solved));
    *outcome = Some(result);
    *checking = false;
    let id = state.id.clone();
    clamp_scrolls(app);
    if !solved || was_solved {
        return Vec::new();
    }
    let title = app.lab(&id).map_or(id.clone(), |l| l.title.clone());
    app.set_status(format!(
        "Solved: {title}. Well done — the lesson's hands-on part is done."
    ));
    if app.progress.labs_solved.insert(id) {
        vec![Effect::SaveProgress]
    } else {
        Vec::new()
    }
}

/// Opens the preview of a proposed fix.
fn show_fix(app: &mut App, fix: FileFix) {
    let rule = fix
        .fixed
        .first()
        .map(|(rule, _)| rule.clone())
        .unwrap_or_default();
    let lines = fix.diff().lines().map(str::to_owned).collect();
    app.overlay = Some(Overlay::Fix(Box::new(FixPreview {
        fix,
        rule,
        lines,
        scroll: 0,
    })));
}

fn on_scan(app: &mut App, event: ScanEvent) -> Vec<Effect> {
    match event {
        ScanEvent::Progress {
            generation,
            files,
            findings,
        } if generation == app.scan.generation => {
            app.scan.phase = ScanPhase::Running { files, findings };
        }
        ScanEvent::Done {
            generation,
            report,
            stamps,
            change,
        }
        | ScanEvent::Updated {
            generation,
            report,
            stamps,
            change,
        } if generation == app.scan.generation => {
            app.set_report(*report, stamps);
            let mut effects = reload_excerpt(app);
            if app.record_change(&change) {
                effects.push(Effect::SaveProgress);
            }
            return effects;
        }
        ScanEvent::Failed {
            generation,
            message,
        } if generation == app.scan.generation => {
            app.scan.phase = ScanPhase::Failed(message);
            app.scan.rechecking = false;
        }
        _ => {}
    }
    Vec::new()
}

/// Loads the excerpt of the detail on screen if it has none (its finding moved or came back).
fn reload_excerpt(app: &App) -> Vec<Effect> {
    match app.screens.last() {
        Some(Screen::Detail(detail))
            if detail.excerpt.is_none()
                && detail.gone.is_none()
                && detail.index < app.findings().len() =>
        {
            vec![Effect::LoadExcerpt {
                index: detail.index,
            }]
        }
        _ => Vec::new(),
    }
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let ctx = app.context();
    let binding = keys::lookup(ctx, &key);
    if ctx == Ctx::Prompt && binding.is_none() {
        return edit_prompt(app, key);
    }
    let Some(binding) = binding else {
        return Vec::new();
    };
    if ctx != Ctx::Prompt {
        app.status = None;
    }
    let digit = match key.code {
        KeyCode::Char(c) => c.to_digit(10),
        _ => None,
    };
    command(app, ctx, binding.command, digit)
}

fn edit_prompt(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return Vec::new();
    }
    let edit = |text: &mut String| match key.code {
        KeyCode::Char(c) if !c.is_control() && text.chars().count() < 200 => {
            text.push(c);
            true
        }
        KeyCode::Backspace => text.pop().is_some(),
        _ => false,
    };
    match &mut app.overlay {
        Some(Overlay::Reason { input, .. }) => {
            edit(input);
        }
        Some(Overlay::Search { .. }) => {
            if let Some(Screen::Findings(state)) = app.screens.last_mut()
                && edit(&mut state.query)
            {
                state.selected = 0;
            }
        }
        _ => {}
    }
    Vec::new()
}

fn command(app: &mut App, ctx: Ctx, command: Command, digit: Option<u32>) -> Vec<Effect> {
    if ctx == Ctx::Fix {
        let step = match command {
            Command::Up => Some(-1),
            Command::Down => Some(1),
            Command::PageUp => Some(-page(app)),
            Command::PageDown => Some(page(app)),
            _ => None,
        };
        if let Some(step) = step {
            scroll_fix(app, step);
            return Vec::new();
        }
    }
    match command {
        Command::Quit => {
            app.quit = true;
            vec![Effect::Quit]
        }
        Command::ShowNotes => {
            let has_notes = app
                .scan
                .report
                .as_ref()
                .is_some_and(|r| !r.notes.is_empty());
            if has_notes {
                app.screens.push(Screen::Notes(NotesState::default()));
            } else {
                app.set_status("The scan left no notes: every file and check was covered.");
            }
            Vec::new()
        }
        Command::ShowHistory => {
            app.screens.push(Screen::History(NotesState::default()));
            if app.history == HistoryView::NotRead {
                app.history = HistoryView::Reading;
                return vec![Effect::ReadHistory];
            }
            Vec::new()
        }
        Command::ShowLayers => {
            let map = crate::cli::layer_map(&app.root).map_err(|e| format!("{e:#}"));
            app.screens
                .push(Screen::Layers(LayersState { scroll: 0, map }));
            Vec::new()
        }
        Command::Help => {
            app.overlay = match app.overlay {
                Some(Overlay::Help) => None,
                _ => Some(Overlay::Help),
            };
            Vec::new()
        }
        Command::Back => back(app),
        Command::GroupActions => {
            app.overlay = group_actions(app).map(|g| Overlay::Group(Box::new(g)));
            Vec::new()
        }
        Command::GroupReviewed => group_reviewed(app),
        Command::GroupLesson => {
            let rule = match &app.overlay {
                Some(Overlay::Group(group)) => group.rule.clone(),
                _ => None,
            };
            match rule {
                Some(rule) => {
                    app.overlay = None;
                    open_rule_lesson(app, &rule)
                }
                // A group of several rules has no one lesson; the action is not offered.
                None => Vec::new(),
            }
        }
        Command::Cancel => {
            if let Some(Overlay::Search { previous }) = app.overlay.take()
                && let Some(Screen::Findings(state)) = app.screens.last_mut()
            {
                state.query = previous;
                state.selected = 0;
            }
            Vec::new()
        }
        Command::Submit if ctx == Ctx::Prompt => submit_prompt(app),
        Command::Confirm => match app.overlay.take() {
            Some(Overlay::Confirm(plan)) => vec![Effect::WriteSuppression(plan)],
            Some(Overlay::Fix(preview)) => vec![Effect::ApplyFix(Box::new(preview.fix))],
            other => {
                app.overlay = other;
                Vec::new()
            }
        },
        Command::Up => move_by(app, -1),
        Command::Down => move_by(app, 1),
        Command::PageUp => {
            let page = page(app);
            move_by(app, -page)
        }
        Command::PageDown => {
            let page = page(app);
            move_by(app, page)
        }
        Command::Top => move_by(app, -1_000_000),
        Command::Bottom => move_by(app, 1_000_000),
        Command::Open => open(app),
        Command::Continue => match app.continue_lesson().map(|l| l.id.clone()) {
            Some(id) => app.open_lesson(&id),
            None => {
                app.set_status("You have read every lesson. Pick one to revisit.");
                Vec::new()
            }
        },
        Command::Findings => {
            app.screens.push(Screen::Findings(FindingsState::default()));
            Vec::new()
        }
        Command::Rescan => {
            let effects = app.start_scan();
            if effects.is_empty() {
                app.set_status("A scan is already running.");
            }
            effects
        }
        Command::CopyCode => copy_code(app),
        Command::CodeRight => scroll_code(app, CODE_STEP as isize),
        Command::CodeLeft => scroll_code(app, -(CODE_STEP as isize)),
        Command::NextLesson => step_lesson(app, 1),
        Command::PrevLesson => step_lesson(app, -1),
        Command::TakeQuiz => take_quiz(app),
        Command::ShowChecks => show_checks(app),
        Command::Answer => match digit {
            Some(d) if d >= 1 => answer(app, d as usize - 1),
            _ => Vec::new(),
        },
        Command::Submit => submit_quiz(app),
        Command::Retake => {
            let finished = matches!(
                app.screens.last(),
                Some(Screen::Lesson(state)) if state.quiz.as_ref().is_some_and(|q| q.finished)
            );
            if finished {
                let quiz = app.new_quiz();
                if let Some(Screen::Lesson(state)) = app.screens.last_mut() {
                    state.quiz = Some(quiz);
                }
            }
            Vec::new()
        }
        Command::Search => {
            if let Some(Screen::Findings(state)) = app.screens.last() {
                app.overlay = Some(Overlay::Search {
                    previous: state.query.clone(),
                });
            }
            Vec::new()
        }
        Command::CycleSeverity => {
            with_findings(app, |state| {
                state.min_severity = match state.min_severity {
                    None => Some(Severity::Low),
                    Some(Severity::Info | Severity::Low) => Some(Severity::Medium),
                    Some(Severity::Medium) => Some(Severity::High),
                    Some(Severity::High) => Some(Severity::Critical),
                    Some(Severity::Critical) => None,
                };
            });
            Vec::new()
        }
        Command::CycleArea => {
            let mut areas: Vec<String> = app
                .findings()
                .iter()
                .map(|f| f.rule.area().to_owned())
                .collect();
            areas.sort();
            areas.dedup();
            with_findings(app, |state| {
                let next = match &state.area {
                    None => areas.first().cloned(),
                    Some(current) => areas
                        .iter()
                        .position(|a| a == current)
                        .and_then(|i| areas.get(i + 1).cloned()),
                };
                state.area = next;
            });
            Vec::new()
        }
        Command::ToggleGrouping => {
            with_findings(app, |state| {
                state.grouping = state.grouping.next();
            });
            Vec::new()
        }
        Command::ClearFilters => {
            with_findings(app, |state| {
                state.min_severity = None;
                state.area = None;
                state.rules = None;
                state.query.clear();
            });
            Vec::new()
        }
        Command::ToggleReviewed => {
            let Some(index) = current_finding(app) else {
                return Vec::new();
            };
            let fingerprint = app.findings()[index].fingerprint.clone();
            if app.progress.reviewed.remove(&fingerprint) {
                app.set_status("Marked as not reviewed.");
            } else {
                app.progress.reviewed.insert(fingerprint);
                app.set_status("Marked as reviewed.");
            }
            vec![Effect::SaveProgress]
        }
        Command::Edit => {
            let Some(index) = current_finding(app) else {
                return Vec::new();
            };
            let finding = &app.findings()[index];
            vec![Effect::OpenEditor {
                file: crate::scan::fs_path(&app.root, &finding.path),
                line: finding.line.max(1),
            }]
        }
        Command::Suppress => {
            if let Some(index) = current_finding(app) {
                app.overlay = Some(Overlay::Reason {
                    key: app.findings()[index].key(),
                    input: String::new(),
                });
            }
            Vec::new()
        }
        Command::NextFinding => step_finding(app, 1),
        Command::PrevFinding => step_finding(app, -1),
        Command::PreviewFix => preview_fix(app),
        Command::UndoFix => match app.applied.last() {
            Some(fix) => vec![Effect::UndoFix(Box::new(fix.clone()))],
            None => {
                app.set_status("No fix to undo: none was applied from the coach this session.");
                Vec::new()
            }
        },
        Command::OpenLab => open_lab(app),
        Command::StartLab => {
            let Some(Screen::Lab(state)) = app.screens.last_mut() else {
                return Vec::new();
            };
            if !matches!(state.phase, LabPhase::Resume) {
                return Vec::new();
            }
            state.phase = LabPhase::Starting;
            vec![Effect::StartLab {
                id: state.id.clone(),
                dir: state.dir.clone(),
                resume: true,
                generation: state.generation,
            }]
        }
        Command::CheckLab => {
            let Some(Screen::Lab(state)) = app.screens.last_mut() else {
                return Vec::new();
            };
            match &mut state.phase {
                LabPhase::Watching { checking, .. } => {
                    *checking = true;
                    vec![Effect::CheckLab]
                }
                _ => Vec::new(),
            }
        }
        Command::Hint => match app.screens.last() {
            Some(Screen::Lab(state)) => vec![Effect::LabHint {
                id: state.id.clone(),
                dir: state.dir.clone(),
            }],
            _ => Vec::new(),
        },
        Command::OpenLesson => {
            let Some(index) = current_finding(app) else {
                return Vec::new();
            };
            let rule = app.findings()[index].rule.to_string();
            open_rule_lesson(app, &rule)
        }
    }
}

/// Opens the first lesson that teaches `rule`, or says there is none.
fn open_rule_lesson(app: &mut App, rule: &str) -> Vec<Effect> {
    let lesson = app
        .catalog
        .lessons_for_rule(rule)
        .first()
        .map(|l| l.id.clone());
    match lesson {
        Some(id) => app.open_lesson(&id),
        None => {
            app.set_status(format!("No lesson teaches {rule} yet."));
            Vec::new()
        }
    }
}

/// The group of the selected row of the findings list, with what can be done to all of it.
pub fn group_actions(app: &App) -> Option<GroupActions> {
    let Some(Screen::Findings(state)) = app.screens.last() else {
        return None;
    };
    let visible = visible_findings(app, state);
    let &selected = visible.get(state.selected)?;
    let findings = app.findings();
    let members: Vec<usize> = visible
        .iter()
        .copied()
        .filter(|&i| same_group(findings, state.grouping, i, selected))
        .collect();
    let first = &findings[selected];
    let rule = members
        .iter()
        .all(|&i| findings[i].rule == first.rule)
        .then(|| first.rule.to_string());
    let label = match state.grouping {
        Grouping::BySeverity => first.severity.as_str().to_uppercase(),
        Grouping::ByFile => crate::display::sanitize(&first.path).into_owned(),
        Grouping::ByRule => first.rule.to_string(),
    };
    let label = if first.in_test_code {
        format!("test code · {label}")
    } else {
        label
    };
    Some(GroupActions {
        label,
        fingerprints: members
            .iter()
            .map(|&i| findings[i].fingerprint.clone())
            .collect(),
        rule,
        test_code: first.in_test_code,
        folder: common_folder(members.iter().map(|&i| findings[i].path.as_str())),
    })
}

/// The deepest folder (`/`-separated, `""` for the root) holding every one of `paths`.
pub fn common_folder<'a>(paths: impl Iterator<Item = &'a str>) -> String {
    let mut common: Option<Vec<&str>> = None;
    for path in paths {
        let mut dirs: Vec<&str> = path.split('/').collect();
        dirs.pop();
        common = Some(match common {
            None => dirs,
            Some(prev) => prev
                .iter()
                .zip(&dirs)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    common.unwrap_or_default().join("/")
}

/// `r` on a group: every finding of it marked reviewed (or, when all already are, unmarked).
fn group_reviewed(app: &mut App) -> Vec<Effect> {
    let Some(Overlay::Group(group)) = app.overlay.take() else {
        return Vec::new();
    };
    let all = group
        .fingerprints
        .iter()
        .all(|f| app.progress.is_reviewed(f));
    let n = group.fingerprints.len();
    if all {
        for f in &group.fingerprints {
            app.progress.reviewed.remove(f);
        }
        app.set_status(format!(
            "Marked {} in {} as not reviewed.",
            crate::display::count(n, "finding"),
            group.label
        ));
    } else {
        app.progress
            .reviewed
            .extend(group.fingerprints.iter().cloned());
        app.set_status(format!(
            "Marked {} in {} as reviewed.",
            crate::display::count(n, "finding"),
            group.label
        ));
    }
    vec![Effect::SaveProgress]
}

/// `f` on a finding: ask for its fix, when its rule has a recipe.
fn preview_fix(app: &mut App) -> Vec<Effect> {
    let Some(index) = current_finding(app) else {
        if matches!(app.screens.last(), Some(Screen::Detail(d)) if d.gone.is_some()) {
            app.set_status("This finding is already gone.");
        }
        return Vec::new();
    };
    let finding = &app.findings()[index];
    if !has_fix(finding) {
        let rule = finding.rule.to_string();
        app.set_status(format!(
            "{rule} has no automatic fix; the detail explains how to fix it by hand."
        ));
        return Vec::new();
    }
    let key = finding.key();
    app.set_status("Preparing the fix…");
    vec![Effect::ProposeFix { key }]
}

/// True when the finding's rule has a machine-applicable fix.
pub fn has_fix(finding: &Finding) -> bool {
    finding.fix.is_available() && crate::fix::RULES.contains(&finding.rule.as_str())
}

/// `l` in a lesson: open its lab.
fn open_lab(app: &mut App) -> Vec<Effect> {
    let Some(Screen::Lesson(state)) = app.screens.last() else {
        return Vec::new();
    };
    let Some(lesson) = app.catalog.lesson(&state.id) else {
        return Vec::new();
    };
    match app.lab_of(lesson) {
        Some(lab) => vec![Effect::OpenLab { id: lab.id.clone() }],
        None => {
            app.set_status("This lesson has no hands-on lab.");
            Vec::new()
        }
    }
}

/// Scrolls the fix preview.
fn scroll_fix(app: &mut App, delta: i32) {
    let limit = match &app.overlay {
        Some(Overlay::Fix(preview)) => {
            let (total, height) = view::fix::content_size(app, preview);
            total.saturating_sub(height)
        }
        _ => return,
    };
    if let Some(Overlay::Fix(preview)) = &mut app.overlay {
        preview.scroll = add(preview.scroll, delta, limit);
    }
}

fn with_findings(app: &mut App, change: impl FnOnce(&mut FindingsState)) {
    if let Some(Screen::Findings(state)) = app.screens.last_mut() {
        change(state);
        state.selected = 0;
    }
}

fn back(app: &mut App) -> Vec<Effect> {
    if app.overlay.take().is_some() {
        return Vec::new();
    }
    if let Some(Screen::Lesson(state)) = app.screens.last_mut()
        && state.quiz.is_some()
    {
        state.quiz = None;
        return Vec::new();
    }
    // A search or filter the learner set is cleared first; the next Esc leaves the list. (A
    // lesson's rule filter stays: it is what the list was opened for.)
    if let Some(Screen::Findings(state)) = app.screens.last_mut()
        && (!state.query.is_empty() || state.min_severity.is_some() || state.area.is_some())
    {
        state.query.clear();
        state.min_severity = None;
        state.area = None;
        state.selected = 0;
        app.set_status("Search and filters cleared; Esc again to go back.");
        return Vec::new();
    }
    if app.screens.len() < 2 {
        return Vec::new();
    }
    let mut effects = Vec::new();
    let popped = app.screens.pop();
    if matches!(popped, Some(Screen::Lab(_)))
        && !app.screens.iter().any(|s| matches!(s, Screen::Lab(_)))
    {
        effects.push(Effect::StopLab);
    }
    if let Some(Screen::Detail(detail)) = popped {
        // The list below follows the detail's last finding.
        let index = detail.index;
        let position = match app.screens.last() {
            Some(Screen::Findings(state)) => visible_findings(app, state)
                .iter()
                .position(|&i| i == index),
            _ => None,
        };
        if let (Some(Screen::Findings(state)), Some(position)) = (app.screens.last_mut(), position)
        {
            state.selected = position;
        }
    }
    effects.extend(reload_excerpt(app));
    effects
}

/// Rows a page scroll moves.
fn page(app: &App) -> i32 {
    i32::from(view::body_area(app.size).height.saturating_sub(2)).max(1)
}

fn scroll(app: &mut App, delta: i32) -> Vec<Effect> {
    if let Some(Overlay::Fix(_)) = app.overlay {
        scroll_fix(app, delta);
        return Vec::new();
    }
    if app.overlay.is_some() {
        return Vec::new();
    }
    move_by(app, delta)
}

fn add(value: usize, delta: i32, max: usize) -> usize {
    let moved = if delta < 0 {
        value.saturating_sub(delta.unsigned_abs() as usize)
    } else {
        value.saturating_add(delta as usize)
    };
    moved.min(max)
}

fn move_by(app: &mut App, delta: i32) -> Vec<Effect> {
    let home_count = home_items(app).len();
    let limits = match app.screens.last() {
        Some(Screen::Home(_)) => home_count.saturating_sub(1),
        Some(Screen::Lesson(state)) => match &state.quiz {
            Some(quiz) if choosing(quiz) && delta.abs() == 1 => {
                current_question(app, state).map_or(0, |q| q.choices.len().saturating_sub(1))
            }
            Some(_) => {
                let (total, height) = view::lesson::quiz_size(app, state);
                total.saturating_sub(height)
            }
            None => {
                let (total, height) = view::lesson::content_size(app, state);
                total.saturating_sub(height)
            }
        },
        Some(Screen::Findings(state)) => visible_findings(app, state).len().saturating_sub(1),
        Some(Screen::Detail(state)) => {
            let (total, height) = view::detail::content_size(app, state);
            total.saturating_sub(height)
        }
        Some(Screen::Lab(state)) => {
            let (total, height) = view::lab::content_size(app, state);
            total.saturating_sub(height)
        }
        Some(Screen::Notes(_)) => {
            let (total, height) = view::notes::content_size(app);
            total.saturating_sub(height)
        }
        Some(Screen::History(_)) => {
            let (total, height) = view::history::content_size(app);
            total.saturating_sub(height)
        }
        Some(Screen::Layers(state)) => {
            let (total, height) = view::layers::content_size(app, state);
            total.saturating_sub(height)
        }
        None => 0,
    };
    match app.screens.last_mut() {
        Some(Screen::Home(state)) => state.selected = add(state.selected, delta, limits),
        Some(Screen::Lesson(state)) => match &mut state.quiz {
            Some(quiz) if choosing(quiz) && delta.abs() == 1 => {
                quiz.cursor = add(quiz.cursor, delta, limits);
            }
            Some(quiz) => quiz.scroll = add(quiz.scroll, delta, limits),
            None => state.scroll = add(state.scroll, delta, limits),
        },
        Some(Screen::Findings(state)) => state.selected = add(state.selected, delta, limits),
        Some(Screen::Detail(state)) => state.scroll = add(state.scroll, delta, limits),
        Some(Screen::Lab(state)) => state.scroll = add(state.scroll, delta, limits),
        Some(Screen::Notes(state) | Screen::History(state)) => {
            state.scroll = add(state.scroll, delta, limits);
        }
        Some(Screen::Layers(state)) => state.scroll = add(state.scroll, delta, limits),
        None => {}
    }
    clamp_scrolls(app);
    app.check_read()
}

/// True while the current quiz question waits for an answer (arrows move between choices).
fn choosing(quiz: &QuizState) -> bool {
    quiz.answered.is_none() && !quiz.finished
}

/// Keeps scroll offsets within their content after a resize or a content change.
fn clamp_scrolls(app: &mut App) {
    let limit = match app.screens.last() {
        Some(Screen::Lesson(state)) => match &state.quiz {
            Some(_) => {
                let (total, height) = view::lesson::quiz_size(app, state);
                Some(total.saturating_sub(height))
            }
            None => {
                let (total, height) = view::lesson::content_size(app, state);
                Some(total.saturating_sub(height))
            }
        },
        Some(Screen::Detail(state)) => {
            let (total, height) = view::detail::content_size(app, state);
            Some(total.saturating_sub(height))
        }
        Some(Screen::Lab(state)) => {
            let (total, height) = view::lab::content_size(app, state);
            Some(total.saturating_sub(height))
        }
        Some(Screen::Notes(_)) => {
            let (total, height) = view::notes::content_size(app);
            Some(total.saturating_sub(height))
        }
        Some(Screen::History(_)) => {
            let (total, height) = view::history::content_size(app);
            Some(total.saturating_sub(height))
        }
        Some(Screen::Layers(state)) => {
            let (total, height) = view::layers::content_size(app, state);
            Some(total.saturating_sub(height))
        }
        _ => None,
    };
    let Some(limit) = limit else {
        return;
    };
    match app.screens.last_mut() {
        Some(Screen::Lesson(state)) => match &mut state.quiz {
            Some(quiz) => quiz.scroll = quiz.scroll.min(limit),
            None => state.scroll = state.scroll.min(limit),
        },
        Some(Screen::Detail(state)) => state.scroll = state.scroll.min(limit),
        Some(Screen::Lab(state)) => state.scroll = state.scroll.min(limit),
        Some(Screen::Notes(state) | Screen::History(state)) => {
            state.scroll = state.scroll.min(limit);
        }
        Some(Screen::Layers(state)) => state.scroll = state.scroll.min(limit),
        _ => {}
    }
}

fn open(app: &mut App) -> Vec<Effect> {
    match app.screens.last() {
        Some(Screen::Home(state)) => {
            let id = match home_items(app).get(state.selected) {
                Some(HomeItem::Continue(id) | HomeItem::Lesson(id)) => id.clone(),
                None => return Vec::new(),
            };
            app.open_lesson(&id)
        }
        Some(Screen::Findings(state)) => {
            let Some(&index) = visible_findings(app, state).get(state.selected) else {
                return Vec::new();
            };
            app.screens.push(Screen::Detail(DetailState::new(index)));
            vec![Effect::LoadExcerpt { index }]
        }
        _ => Vec::new(),
    }
}

/// The finding the user is looking at (selected in the list, or open in the detail).
pub fn current_finding(app: &App) -> Option<usize> {
    match app.screens.last()? {
        Screen::Findings(state) => visible_findings(app, state).get(state.selected).copied(),
        Screen::Detail(state) => (state.index < app.findings().len()).then_some(state.index),
        _ => None,
    }
}

/// Copies the first code block on screen, as written in the lesson.
fn copy_code(app: &mut App) -> Vec<Effect> {
    let Some(Screen::Lesson(state)) = app.screens.last() else {
        return Vec::new();
    };
    match crate::tui::view::lesson::code_on_screen(app, state) {
        Some(text) => vec![Effect::CopyToClipboard(text)],
        None => {
            app.set_status("No code block on screen to copy; scroll to one first.");
            Vec::new()
        }
    }
}

/// Columns one `<` or `>` scrolls the lesson's code blocks.
const CODE_STEP: usize = 8;

/// Scrolls the code blocks of the open lesson, or of the finding's rule text, sideways, no
/// further than the widest line needs.
fn scroll_code(app: &mut App, delta: isize) -> Vec<Effect> {
    let limit = match app.screens.last() {
        Some(Screen::Lesson(state)) => crate::tui::view::lesson::code_scroll_limit(app, state),
        Some(Screen::Detail(state)) => crate::tui::view::detail::code_scroll_limit(app, state),
        _ => return Vec::new(),
    };
    let code_scroll = match app.screens.last_mut() {
        Some(Screen::Lesson(state)) => &mut state.code_scroll,
        Some(Screen::Detail(state)) => &mut state.code_scroll,
        _ => return Vec::new(),
    };
    *code_scroll = code_scroll.saturating_add_signed(delta).min(limit);
    Vec::new()
}

fn step_lesson(app: &mut App, delta: i32) -> Vec<Effect> {
    let Some(Screen::Lesson(state)) = app.screens.last() else {
        return Vec::new();
    };
    let lessons = app.catalog.lessons();
    let Some(position) = lessons.iter().position(|l| l.id == state.id) else {
        return Vec::new();
    };
    let target = if delta > 0 {
        lessons.get(position + 1)
    } else {
        position.checked_sub(1).and_then(|p| lessons.get(p))
    };
    let Some(target) = target.map(|l| l.id.clone()) else {
        app.set_status(if delta > 0 {
            "This is the last lesson."
        } else {
            "This is the first lesson."
        });
        return Vec::new();
    };
    app.screens.pop();
    app.open_lesson(&target)
}

fn current_question<'a>(app: &'a App, state: &LessonState) -> Option<&'a crate::catalog::Question> {
    let quiz = state.quiz.as_ref()?;
    app.catalog.lesson(&state.id)?.quiz.get(quiz.question)
}

fn take_quiz(app: &mut App) -> Vec<Effect> {
    let Some(Screen::Lesson(state)) = app.screens.last() else {
        return Vec::new();
    };
    let has_quiz = app
        .catalog
        .lesson(&state.id)
        .is_some_and(|l| !l.quiz.is_empty());
    if has_quiz {
        let quiz = app.new_quiz();
        if let Some(Screen::Lesson(state)) = app.screens.last_mut() {
            state.quiz = Some(quiz);
        }
    } else {
        app.set_status("This lesson has no quiz.");
    }
    Vec::new()
}

fn answer(app: &mut App, choice: usize) -> Vec<Effect> {
    let Some(Screen::Lesson(state)) = app.screens.last() else {
        return Vec::new();
    };
    let Some(question) = current_question(app, state) else {
        return Vec::new();
    };
    if choice >= question.choices.len() {
        return Vec::new();
    }
    let right = state
        .quiz
        .as_ref()
        .is_some_and(|quiz| quiz.answer_position(question) == choice);
    if let Some(Screen::Lesson(state)) = app.screens.last_mut()
        && let Some(quiz) = state.quiz.as_mut()
        && quiz.answered.is_none()
        && !quiz.finished
    {
        quiz.answered = Some(choice);
        quiz.cursor = choice;
        if right {
            quiz.correct += 1;
        }
    }
    Vec::new()
}

fn submit_quiz(app: &mut App) -> Vec<Effect> {
    let Some(Screen::Lesson(state)) = app.screens.last() else {
        return Vec::new();
    };
    let Some(quiz) = state.quiz.clone() else {
        return Vec::new();
    };
    let total = app.catalog.lesson(&state.id).map_or(0, |l| l.quiz.len());
    let id = state.id.clone();
    if quiz.finished {
        if let Some(Screen::Lesson(state)) = app.screens.last_mut() {
            state.quiz = None;
        }
        return Vec::new();
    }
    if quiz.answered.is_none() {
        return answer(app, quiz.cursor);
    }
    let Some(Screen::Lesson(state)) = app.screens.last_mut() else {
        return Vec::new();
    };
    let Some(quiz) = state.quiz.as_mut() else {
        return Vec::new();
    };
    quiz.scroll = 0;
    if quiz.question + 1 < total {
        quiz.question += 1;
        quiz.answered = None;
        quiz.cursor = 0;
        return Vec::new();
    }
    quiz.finished = true;
    let correct = quiz.correct;
    app.progress
        .record_quiz(&id, correct, u32::try_from(total).unwrap_or(u32::MAX));
    app.progress.lessons_read.insert(id);
    vec![Effect::SaveProgress]
}

fn show_checks(app: &mut App) -> Vec<Effect> {
    let Some(Screen::Lesson(state)) = app.screens.last() else {
        return Vec::new();
    };
    let Some(lesson) = app.catalog.lesson(&state.id) else {
        return Vec::new();
    };
    if lesson.checks.is_empty() {
        app.set_status("This lesson has no checks to run on your project.");
        return Vec::new();
    }
    let filter = RuleFilter {
        label: lesson.title.clone(),
        rules: lesson.checks.clone(),
    };
    app.screens.push(Screen::Findings(FindingsState {
        rules: Some(filter),
        ..FindingsState::default()
    }));
    Vec::new()
}

fn step_finding(app: &mut App, delta: i32) -> Vec<Effect> {
    let Some(Screen::Detail(detail)) = app.screens.last() else {
        return Vec::new();
    };
    let current = detail.index;
    let below = app.screens.len().checked_sub(2);
    let order = match below.and_then(|i| app.screens.get(i)) {
        Some(Screen::Findings(state)) => visible_findings(app, state),
        _ => (0..app.findings().len()).collect(),
    };
    let position = order.iter().position(|&i| i == current);
    let next = match position {
        Some(p) if delta > 0 => order.get(p + 1),
        Some(p) => p.checked_sub(1).and_then(|p| order.get(p)),
        None => order.first(),
    };
    let Some(&next) = next else {
        app.set_status(if delta > 0 {
            "That was the last finding."
        } else {
            "This is the first finding."
        });
        return Vec::new();
    };
    if let Some(Screen::Detail(detail)) = app.screens.last_mut() {
        *detail = DetailState::new(next);
    }
    vec![Effect::LoadExcerpt { index: next }]
}

fn submit_prompt(app: &mut App) -> Vec<Effect> {
    match app.overlay.take() {
        Some(Overlay::Search { .. }) => Vec::new(),
        Some(Overlay::Reason { key, input }) => {
            if input.trim().is_empty() {
                app.overlay = Some(Overlay::Reason { key, input });
                app.set_error("Give a reason: a suppression records why the finding is safe.");
                return Vec::new();
            }
            if key.find(app.findings()).is_none() {
                app.set_status(format!(
                    "That {} finding in {} is gone since (fixed or changed); nothing was suppressed.",
                    key.rule,
                    crate::display::sanitize(&key.path)
                ));
                return Vec::new();
            }
            app.status = None;
            vec![Effect::PlanSuppression { key, reason: input }]
        }
        other => {
            app.overlay = other;
            Vec::new()
        }
    }
}

/// Updates the findings after a suppression comment was written: the suppressed findings go,
/// later lines of the same file move down by one, and an open detail moves to the next finding.
fn on_suppressed(app: &mut App, plan: &Plan, stamp: FileStamp) {
    let finding_line = plan.line;
    let is_suppressed = |f: &Finding| {
        f.path == plan.rel_path && f.rule.as_str() == plan.rule && f.line == finding_line
    };
    // Where each open detail should go if its finding disappears: the next one in its list.
    let mut targets: Vec<Option<usize>> = Vec::new();
    for (i, screen) in app.screens.iter().enumerate() {
        let target = match screen {
            Screen::Detail(detail) if detail.gone.is_none() => {
                let order = match i.checked_sub(1).and_then(|b| app.screens.get(b)) {
                    Some(Screen::Findings(state)) => visible_findings(app, state),
                    _ => (0..app.findings().len()).collect(),
                };
                let position = order.iter().position(|&x| x == detail.index);
                let after = position.map_or(&order[..], |p| &order[p..]);
                let before = position.map_or(&[][..], |p| &order[..p]);
                after
                    .iter()
                    .chain(before.iter().rev())
                    .copied()
                    .find(|&x| app.findings().get(x).is_some_and(|f| !is_suppressed(f)))
            }
            _ => None,
        };
        targets.push(target);
    }
    let Some(report) = app.scan.report.as_mut() else {
        return;
    };
    let mut mapping: Vec<Option<usize>> = Vec::with_capacity(report.findings.len());
    let mut kept = Vec::with_capacity(report.findings.len());
    let mut removed = 0;
    for mut finding in std::mem::take(&mut report.findings) {
        if is_suppressed(&finding) {
            mapping.push(None);
            removed += 1;
            continue;
        }
        if finding.path == plan.rel_path && finding.line >= finding_line {
            finding.line += 1;
            finding.end_line += 1;
        }
        mapping.push(Some(kept.len()));
        kept.push(finding);
    }
    report.findings = kept;
    report.stats.suppressed += removed;
    app.scan.stamps.insert(plan.rel_path.clone(), stamp);
    let mut drop_details = false;
    for (screen, target) in app.screens.iter_mut().zip(targets) {
        if let Screen::Detail(detail) = screen
            && detail.gone.is_none()
        {
            let remapped = mapping.get(detail.index).copied().flatten();
            let moved = remapped.or_else(|| target.and_then(|t| mapping.get(t).copied().flatten()));
            match moved {
                Some(index) => {
                    detail.index = index;
                    detail.scroll = 0;
                    detail.excerpt = None;
                }
                None => {
                    detail.index = usize::MAX;
                    drop_details = true;
                }
            }
        }
    }
    if drop_details {
        app.screens
            .retain(|s| !matches!(s, Screen::Detail(d) if d.index == usize::MAX));
    }
    app.clamp_selections();
    app.set_status(format!(
        "Suppressed {} in {} (comment added on line {}).",
        plan.rule, plan.rel_path, plan.line
    ));
}

/// Effects to run right after a suppression: reload the excerpt of an open detail.
fn after_suppression(app: &App) -> Vec<Effect> {
    match app.screens.last() {
        Some(Screen::Detail(detail)) if detail.excerpt.is_none() => {
            vec![Effect::LoadExcerpt {
                index: detail.index,
            }]
        }
        _ => Vec::new(),
    }
}
