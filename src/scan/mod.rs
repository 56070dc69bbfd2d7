//! The scan: walk the tree in parallel, read each file once, let a literal prefilter pick the
//! rules worth running on it, run them and the structural analyzers, apply suppressions, and
//! return a sorted `Report`. Never executes anything and never touches the network.

pub mod live;
pub mod paths;
mod plan;

use crate::analyzers::deps::{self, advisories::AdvisoryDb};
use crate::analyzers::{
    AnalyzerKind, Context, Sink, Tree, TreeFile, TreeHit, Unparsed, suppressions,
};
use crate::baseline::Baseline;
use crate::catalog::{Catalog, Matcher, RegexMatcher, Rule, Severity};
use crate::config::{Config, DEFAULT_MAX_FILE_SIZE};
use crate::display::sanitize;
use crate::finding::{self, Finding, Place};
use crate::helm::{Chart, Charts};
use crate::pattern::{self, Work};
use crate::redact::Secrets;
use crate::report::{Report, SkipReason};
use crate::source::{FileKind, Source};
use ignore::{WalkBuilder, WalkState};
use paths::PathFilter;
use plan::Plan;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// Most findings one rule may report in one file; past that the file is clearly generated. Only
/// findings that are reported count: suppressed and baselined ones do not use up the cap, so
/// that a new secret after 200 accepted ones is still reported. A file cut short is noted.
pub const MAX_HITS_PER_RULE_PER_FILE: usize = 200;

/// Most matches of one rule in one file that are located, and so can be suppressed, baselined
/// or reported; past that the rule looks no further in the file, with a note. Far above the
/// cap, so that a new finding after many accepted ones is still reported.
pub const MAX_MATCHES_PER_RULE_PER_FILE: usize = 25 * MAX_HITS_PER_RULE_PER_FILE;

/// Most worker threads `--threads` may ask for: more only costs memory and start-up time (each
/// has its own stack and read buffer) on any machine seccoach runs on.
pub const MAX_THREADS: usize = 256;

/// File outcomes that may wait between the walking workers and the collecting thread.
const OUTCOME_QUEUE: usize = 256;

/// A worker keeps its read buffer between files up to this capacity; a larger one (after a file
/// over the default size limit, when the limit was raised) is freed.
const KEEP_BUFFER: usize = 8 << 20;

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub max_file_size: u64,
    pub exclude: Vec<String>,
    pub disabled: BTreeSet<String>,
    pub severity: BTreeMap<String, Severity>,
    /// Worker threads; 0 picks the number of cores.
    pub threads: usize,
    /// An OSV advisory database (directory, `.zip` or `.json`) for `deps/known-vulnerable`.
    pub advisories: Option<PathBuf>,
    /// Findings already accepted: they are left out of the report (counted as baselined) and do
    /// not count towards the per-file cap.
    pub baseline: Option<Arc<Baseline>>,
    /// Measure how long each rule takes on each file (`scan --timings`).
    pub timings: bool,
    /// Without `advisories`: the cache directory `seccoach advisories update` downloads into,
    /// whose databases are then used (read offline; see [`crate::osv`]).
    pub advisory_cache: Option<PathBuf>,
    /// `[paths] tests`: patterns of test, example and documentation code beyond the
    /// conventions (see [`crate::source::TestPaths`]).
    pub tests: Vec<String>,
    /// Scan only these paths (files or folders, relative to the root, `/`-separated), as
    /// pre-commit passes them; the root's ignore rules and excludes still apply. The
    /// repository-wide checks then do not run, and a note says so.
    pub only: Option<Arc<Vec<String>>>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
            disabled: BTreeSet::new(),
            severity: BTreeMap::new(),
            threads: 0,
            advisories: None,
            baseline: None,
            timings: false,
            advisory_cache: None,
            tests: Vec::new(),
            only: None,
        }
    }
}

impl ScanOptions {
    pub fn from_config(config: &Config) -> ScanOptions {
        ScanOptions {
            max_file_size: config.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
            exclude: config.exclude.clone(),
            disabled: config.disable.iter().cloned().collect(),
            severity: config.severity.clone(),
            threads: 0,
            advisories: config.advisories.clone(),
            baseline: None,
            timings: false,
            advisory_cache: crate::osv::cache_dir(),
            tests: config.tests.clone(),
            only: None,
        }
    }
}

/// The outcome of reading one file.
#[derive(Debug, Clone, Default)]
pub struct FileOutcome {
    /// What its checks found (empty when the file was not read).
    pub checked: Checked,
    pub bytes: u64,
    pub skipped: Option<SkipReason>,
    /// Why the file could not be read, or what it is when it was not opened.
    pub note: Option<String>,
    pub tree_file: Option<TreeFile>,
}

/// A catalogue compiled for scanning. Cheap to share between threads.
pub struct Scanner {
    catalog: Arc<Catalog>,
    options: ScanOptions,
    plan: Plan,
    today: jiff::civil::Date,
    /// The loaded `--advisories` database, or why it could not be loaded (reported by `scan`).
    advisories: Result<Option<Arc<AdvisoryDb>>, String>,
    /// The files the advisory database was loaded from, and when each was last modified.
    advisories_stamp: Vec<(PathBuf, Option<std::time::SystemTime>)>,
    /// The cached databases in use when none was configured (empty: none downloaded).
    cached: Vec<crate::osv::Cached>,
    /// `cached`, loaded when the first lockfile is checked (a tree without lockfiles never pays
    /// for reading them), or why they could not be read (a note; the scan goes on without).
    cache_db: std::sync::OnceLock<Result<Arc<AdvisoryDb>, String>>,
    /// Helm charts whose templates were met, with their `values.yaml`.
    charts: Charts,
    /// How many findings of each fingerprint the baseline accepts.
    baseline: BTreeMap<String, usize>,
    /// The baseline was written before fingerprints left secrets out (version 1): its entries
    /// match a finding's legacy fingerprint too.
    baseline_legacy: bool,
    /// Which files hold test, example and documentation code.
    test_paths: crate::source::TestPaths,
}

/// What checking one file's text found.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub findings: Vec<Finding>,
    pub suppressed: u64,
    pub baselined: u64,
    pub truncated: u64,
    pub notes: Vec<String>,
    pub timings: Vec<(String, Duration)>,
    /// Bytes the regex engines were asked to search (see [`pattern::Work`]).
    pub work: Work,
    /// The parse-error note, when an analyzer could not read the file's structure.
    pub unparsed: Option<String>,
    /// Rules cut short in this file (each counts once in `truncated`, with one note).
    cut: BTreeSet<String>,
    /// Rules that matched more than [`MAX_MATCHES_PER_RULE_PER_FILE`] times here.
    too_many: BTreeSet<String>,
    /// One note for each check that crashed on this file.
    pub crashed: Vec<String>,
}

/// Decides, finding by finding, whether a finding is reported or absorbed by an inline
/// suppression or the baseline, before it counts towards a cap.
struct Keeper<'s> {
    suppressions: Vec<suppressions::Suppression>,
    baseline: &'s BTreeMap<String, usize>,
    /// The baseline was written before fingerprints left secrets out: a finding's legacy
    /// fingerprint matches too.
    legacy: bool,
    used: BTreeMap<String, usize>,
    /// (rule, line, end line) of absorbed findings, for catch-all rules to yield to.
    absorbed: Vec<(RuleKey, u32, u32)>,
    suppressed: u64,
    baselined: u64,
}

type RuleKey = crate::catalog::RuleId;

impl Keeper<'_> {
    /// True when `finding` is to be reported.
    fn admit(&mut self, finding: &Finding) -> bool {
        let rule = finding.rule.as_str();
        if self
            .suppressions
            .iter()
            .any(|s| s.covers(rule, finding.line))
        {
            self.suppressed += 1;
        } else if self.in_baseline(finding) {
            self.baselined += 1;
        } else {
            return true;
        }
        self.absorbed
            .push((finding.rule.clone(), finding.line, finding.end_line));
        false
    }

    /// True when the baseline has an entry left for `finding` (its fingerprint, or with an old
    /// baseline its legacy one), using it up: each entry absorbs one finding.
    fn in_baseline(&mut self, finding: &Finding) -> bool {
        let old = finding
            .legacy_fingerprint
            .as_deref()
            .filter(|_| self.legacy);
        for fingerprint in std::iter::once(finding.fingerprint.as_str()).chain(old) {
            if let Some(&n) = self.baseline.get(fingerprint) {
                let used = self.used.entry(fingerprint.to_owned()).or_default();
                if *used < n {
                    *used += 1;
                    return true;
                }
            }
        }
        false
    }
}

/// The note for a rule cut short in a file.
fn cut_note(rule: &str, path: &str) -> String {
    format!(
        "{rule} reported its first {MAX_HITS_PER_RULE_PER_FILE} findings in {} and stopped \
         there (the file may hold more)",
        sanitize(path)
    )
}

impl Scanner {
    pub fn new(catalog: Arc<Catalog>, options: ScanOptions) -> Scanner {
        Scanner::reusing(catalog, options, None)
    }

    /// Like [`Scanner::new`], taking `previous`'s loaded advisory database when it was loaded
    /// from the same path and that file has not been modified since (a rescan in the coach
    /// would otherwise read and parse the whole OSV export again).
    pub fn reusing(
        catalog: Arc<Catalog>,
        options: ScanOptions,
        previous: Option<&Scanner>,
    ) -> Scanner {
        let plan = Plan::new(&catalog, &options.disabled);
        let today = jiff::ZonedDateTime::now().date();
        // A configured database wins; without one, whatever `advisories update` downloaded.
        let cached = match (&options.advisories, &options.advisory_cache) {
            (None, Some(cache)) => crate::osv::cached(cache),
            _ => Vec::new(),
        };
        let sources: Vec<PathBuf> = match &options.advisories {
            Some(path) => vec![path.clone()],
            None => cached.iter().map(|c| c.zip.clone()).collect(),
        };
        let stamp: Vec<_> = sources.iter().map(|p| (p.clone(), modified(p))).collect();
        let reused = previous
            .filter(|p| {
                !stamp.is_empty()
                    && stamp.iter().all(|(_, t)| t.is_some())
                    && p.advisories_stamp == stamp
            })
            .and_then(|p| p.advisory_db().cloned());
        let advisories = match (&options.advisories, reused) {
            (_, Some(db)) => Ok(Some(db)),
            (Some(path), None) => AdvisoryDb::load(path)
                .map(|db| Some(Arc::new(db)))
                .map_err(|e| e.to_string()),
            (None, None) => Ok(None),
        };
        let baseline_legacy = options.baseline.as_ref().is_some_and(|b| b.is_legacy());
        let mut baseline = BTreeMap::new();
        for entry in options.baseline.iter().flat_map(|b| &b.findings) {
            *baseline.entry(entry.fingerprint.clone()).or_default() += 1;
        }
        Scanner {
            test_paths: crate::source::TestPaths::new(&options.tests),
            catalog,
            options,
            plan,
            today,
            advisories,
            advisories_stamp: stamp,
            charts: Charts::default(),
            baseline_legacy,
            baseline,
            cached,
            cache_db: std::sync::OnceLock::new(),
        }
    }

    /// The loaded advisory database, if one was given (or downloaded) and has been loaded.
    pub fn advisory_db(&self) -> Option<&Arc<AdvisoryDb>> {
        self.advisories
            .as_ref()
            .ok()
            .and_then(Option::as_ref)
            .or_else(|| self.cache_db.get().and_then(|db| db.as_ref().ok()))
    }

    /// The database lockfiles are checked against: the configured one, else the downloaded
    /// ones, read now if they have not been yet.
    fn lockfile_db(&self) -> Option<&AdvisoryDb> {
        if let Ok(Some(db)) = &self.advisories {
            return Some(db);
        }
        if self.cached.is_empty() {
            return None;
        }
        self.cache_db
            .get_or_init(|| crate::osv::load(&self.cached).map(Arc::new))
            .as_ref()
            .ok()
            .map(|db| &**db)
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// How many rules this scanner runs.
    pub fn rule_count(&self) -> usize {
        self.plan.active_rules()
    }

    /// Worker threads a scan uses (`--threads`, or one per core).
    pub fn threads(&self) -> usize {
        if self.options.threads == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            self.options.threads.min(MAX_THREADS)
        }
    }

    /// The scan set's filter for `root`: what git tracks, what the ignore files and the
    /// configured excludes leave out. See [`paths`].
    pub fn path_filter(&self, root: &Path) -> PathFilter {
        PathFilter::new(root, &self.options.exclude)
    }

    /// What analyzers see: the chart a template belongs to, and the advisory database only for
    /// a lockfile `deps/known-vulnerable` checks (the only reader).
    fn context<'a>(&'a self, chart: Option<&'a Chart>, lockfile: bool) -> Context<'a> {
        let checks_lockfile = lockfile
            && self
                .plan
                .active_rule(&self.catalog, deps::KNOWN_VULNERABLE.as_str())
                .is_some();
        Context {
            catalog: &self.catalog,
            today: self.today,
            advisories: if checks_lockfile {
                self.lockfile_db()
            } else {
                None
            },
            chart,
        }
    }

    fn severity_of(&self, rule: &Rule) -> Severity {
        self.severity_with(rule, None)
    }

    /// A finding's severity: the repository's `[severity]` setting for the rule, else what the
    /// analyzer said of this finding, else the rule's.
    fn severity_with(&self, rule: &Rule, of_hit: Option<Severity>) -> Severity {
        self.options
            .severity
            .get(rule.id.as_str())
            .copied()
            .or(of_hit)
            .unwrap_or(rule.severity)
    }

    /// Scans the tree under `root`.
    pub fn scan(&self, root: &Path) -> Result<Report, std::io::Error> {
        self.scan_observed(root, &mut |_| {})
    }

    /// Scans the tree under `root`, handing each file's findings to `observer` as they arrive.
    pub fn scan_observed(
        &self,
        root: &Path,
        observer: &mut dyn FnMut(&FileOutcome),
    ) -> Result<Report, std::io::Error> {
        let (mut report, walk_notes) = self.scan_walked(root, observer)?;
        report.notes.extend(walk_notes);
        report.notes.sort();
        report.notes.dedup();
        Ok(report)
    }

    /// [`Scanner::scan_observed`], with the walk's own notes (ignore files not honoured, the
    /// index, tracked files missing) apart from the report's.
    pub(crate) fn scan_walked(
        &self,
        root: &Path,
        observer: &mut dyn FnMut(&FileOutcome),
    ) -> Result<(Report, Vec<String>), std::io::Error> {
        if let Err(message) = &self.advisories {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                message.clone(),
            ));
        }
        let meta = std::fs::metadata(root)?;
        if !meta.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                format!("{} is not a directory", root.display()),
            ));
        }
        let (builder, filter) = self.walker(root);
        // Bounded: when the consumer (a printer, the TUI) falls behind, the workers wait rather
        // than queue outcomes without limit.
        let (tx, rx) = mpsc::sync_channel::<FileOutcome>(OUTCOME_QUEUE);
        let mut report = Report::default();
        let mut tree_files = Vec::new();
        std::thread::scope(|scope| {
            let walker = builder.build_parallel();
            scope.spawn(move || {
                walker.run(|| {
                    let tx = tx.clone();
                    let mut buffer = Vec::new();
                    Box::new(move |entry| {
                        let outcome = match entry {
                            Ok(entry) => self.visit(root, &entry, &mut buffer),
                            Err(err) => Some(FileOutcome {
                                skipped: Some(SkipReason::Unreadable),
                                note: Some(sanitize(&err.to_string()).into_owned()),
                                ..FileOutcome::default()
                            }),
                        };
                        if let Some(outcome) = outcome
                            && tx.send(outcome).is_err()
                        {
                            return WalkState::Quit;
                        }
                        WalkState::Continue
                    })
                });
            });
            for mut outcome in rx {
                observer(&outcome);
                self.absorb(&mut report, &mut outcome);
                if let Some(file) = outcome.tree_file.take() {
                    tree_files.push(file);
                }
            }
        });

        self.finish(root, &mut tree_files, &mut report);
        let notes = match self.options.only.as_deref() {
            Some(only) => filter.notes_within(&|path| chosen(only, path, false)),
            None => filter.notes(),
        };
        Ok((report, notes))
    }

    /// The whole-tree part of a scan, once every file's outcome is in `report`: the tree
    /// analyzers over `tree_files`, the notes, and the report's order.
    pub(crate) fn finish(&self, root: &Path, tree_files: &mut [TreeFile], report: &mut Report) {
        tree_files.sort_by(|a, b| a.path.cmp(&b.path));
        if self.options.only.is_some() {
            report.notes.push(
                "the repository-wide checks (a missing SECURITY.md, lockfile or .dockerignore) did \
                 not run: only the given files were scanned; scan the repository's folder for them"
                    .to_owned(),
            );
        } else {
            self.run_tree_analyzers(root, tree_files, report);
            crate::analyzers::code::in_tree(
                &Tree {
                    root,
                    files: tree_files,
                },
                &mut report.findings,
                &|rule| self.options.severity.contains_key(rule),
            );
        }
        self.note_advisories(tree_files, report);
        report.stats.rules = self.plan.active_rules();
        finding::sort(&mut report.findings);
        report.notes.sort();
        report.notes.dedup();
    }

    /// The directory walk every scan uses: the [`PathFilter`] decides what is in the scan set (git's
    /// index, then the ignore files, which it reads itself), hidden files are seen, links are
    /// never followed.
    fn walker(&self, root: &Path) -> (WalkBuilder, Arc<PathFilter>) {
        let filter = Arc::new(self.path_filter(root));
        let threads = self.threads();
        let mut builder = WalkBuilder::new(root);
        // The ignore crate's own ignore-file reading is off: the filter reads them (only regular
        // files) and lets tracked files through.
        builder
            .hidden(false)
            .follow_links(false)
            .git_global(false)
            .git_ignore(false)
            .git_exclude(false)
            .ignore(false)
            .parents(false)
            .require_git(false)
            .threads(threads);
        let root_for_filter = root.to_path_buf();
        let for_walk = Arc::clone(&filter);
        let only = self.options.only.clone();
        builder.filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            let rel = relative_path(&root_for_filter, entry.path());
            only.as_deref()
                .is_none_or(|only| chosen(only, &rel, is_dir))
                && for_walk.admit(&rel, is_dir)
        });
        (builder, filter)
    }

    /// Relative paths of every regular file a scan of `root` would read, without reading them,
    /// and the walk's notes.
    pub fn walk_paths(&self, root: &Path) -> (Vec<String>, Vec<String>) {
        let (builder, filter) = self.walker(root);
        let mut paths: Vec<String> = builder
            .build()
            .flatten()
            .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
            .map(|entry| relative_path(root, entry.path()))
            .collect();
        paths.sort();
        (paths, filter.notes())
    }

    pub(crate) fn absorb(&self, report: &mut Report, outcome: &mut FileOutcome) {
        match outcome.skipped {
            Some(reason) => *report.stats.skipped.entry(reason).or_default() += 1,
            None => {
                report.stats.files_scanned += 1;
                report.stats.bytes_scanned += outcome.bytes;
            }
        }
        let checked = &mut outcome.checked;
        // Read, and counted as scanned, but not fully checked: counted under these too.
        if checked.unparsed.is_some() {
            *report
                .stats
                .skipped
                .entry(SkipReason::ParseError)
                .or_default() += 1;
        }
        if !checked.crashed.is_empty() {
            *report.stats.skipped.entry(SkipReason::Crashed).or_default() += 1;
        }
        report.stats.suppressed += checked.suppressed;
        report.stats.baselined += checked.baselined;
        report.stats.truncated += checked.truncated;
        report.findings.append(&mut checked.findings);
        report.notes.extend(outcome.note.take());
        report.notes.extend(checked.unparsed.take());
        report.notes.append(&mut checked.notes);
        report.notes.append(&mut checked.crashed);
        if self.options.timings {
            let path = outcome.tree_file.as_ref().map(|f| f.path.as_str());
            report
                .timings
                .record(path.unwrap_or_default(), &checked.timings);
        }
    }

    fn visit(
        &self,
        root: &Path,
        entry: &ignore::DirEntry,
        buffer: &mut Vec<u8>,
    ) -> Option<FileOutcome> {
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            return None;
        }
        let rel = relative_path(root, entry.path());
        if file_type.is_symlink() {
            return Some(FileOutcome {
                skipped: Some(SkipReason::Symlink),
                ..FileOutcome::default()
            });
        }
        if let Some(what) = crate::regular::special_kind(&file_type) {
            // FIFOs, sockets and devices: never opened (a FIFO would block the read).
            return Some(FileOutcome {
                skipped: Some(SkipReason::Special),
                note: Some(format!("{} was not read: it is {what}", sanitize(&rel))),
                ..FileOutcome::default()
            });
        }
        let outcome = self.scan_file_buffered(entry.path(), &rel, buffer);
        if buffer.capacity() > KEEP_BUFFER {
            *buffer = Vec::new();
        }
        Some(outcome)
    }

    /// Scans one file, `rel` being its path relative to the scan root.
    pub fn scan_file(&self, path: &Path, rel: &str) -> FileOutcome {
        self.scan_file_buffered(path, rel, &mut Vec::new())
    }

    fn scan_file_buffered(&self, path: &Path, rel: &str, buffer: &mut Vec<u8>) -> FileOutcome {
        let unreadable = |err: std::io::Error| FileOutcome {
            skipped: Some(SkipReason::Unreadable),
            note: Some(format!("could not read {}: {err}", sanitize(rel))),
            ..FileOutcome::default()
        };
        let mut file = match crate::regular::open_no_follow(path) {
            Ok(file) => file,
            Err(err) => return unreadable(err),
        };
        let size = match file.metadata() {
            Ok(meta) => meta.len(),
            Err(err) => return unreadable(err),
        };
        let mut tree_file = TreeFile {
            path: rel.to_owned(),
            kind: FileKind::detect(rel, b""),
            size,
            binary: false,
        };
        if size > self.options.max_file_size {
            return FileOutcome {
                skipped: Some(SkipReason::TooLarge),
                tree_file: Some(tree_file),
                ..FileOutcome::default()
            };
        }
        buffer.clear();
        // One allocation for the whole file (the size is known), bounded in case it lies.
        buffer.reserve(usize::try_from(size).unwrap_or(usize::MAX).min(64 << 20) + 1);
        // Read at most one byte past the limit: the file may grow while we read it.
        if let Err(err) = (&mut file)
            .take(self.options.max_file_size + 1)
            .read_to_end(buffer)
        {
            return unreadable(err);
        }
        let decoded;
        let mut bytes: &[u8] = buffer;
        if let Some(text) = decode_utf16(bytes) {
            decoded = text.into_bytes();
            bytes = &decoded;
        } else if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
            tree_file.binary = true;
            return FileOutcome {
                skipped: Some(SkipReason::Binary),
                tree_file: Some(tree_file),
                ..FileOutcome::default()
            };
        }
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        tree_file.kind = FileKind::detect(rel, &bytes[..bytes.len().min(256)]);
        let source = Source::new(rel, tree_file.kind, bytes);
        let chart = (tree_file.kind == FileKind::Yaml)
            .then(|| crate::helm::chart_dir(path, rel))
            .flatten()
            .map(|dir| self.charts.get(&dir, self.options.max_file_size));
        // A crash anywhere in checking this file costs this file, never the scan. (Each rule and
        // analyzer is also guarded on its own in `locate`, so a crash there costs only it.)
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.check_in(&source, chart.as_deref())
        }))
        .unwrap_or_else(|payload| Checked {
            crashed: vec![crash_note("seccoach", rel, payload.as_ref())],
            ..Checked::default()
        });
        FileOutcome {
            checked,
            bytes: bytes.len() as u64,
            skipped: None,
            note: None,
            tree_file: Some(tree_file),
        }
    }

    /// Runs every applicable rule on one file's text; returns findings and how many were
    /// suppressed inline.
    pub fn check_source(&self, source: &Source) -> (Vec<Finding>, u64) {
        let checked = self.check(source);
        (checked.findings, checked.suppressed)
    }

    /// Runs every applicable rule on one file's text (not a chart template).
    pub fn check(&self, source: &Source) -> Checked {
        self.check_in(source, None)
    }

    /// Runs every applicable rule on one file's text, which may be a template of `chart`.
    /// Matches are located first: every secret any rule found in the file is needed to mask
    /// each finding's text and to keep values out of fingerprints. Findings are then built,
    /// and suppressions and the baseline applied before a finding counts towards its rule's
    /// cap, so that a new secret after 200 accepted ones is still reported.
    fn check_in(&self, source: &Source, chart: Option<&Chart>) -> Checked {
        let cx = self.context(chart, deps::is_lockfile(source.rel_path));
        let mut checked = Checked::default();
        let (located, unparsed) = self.locate(&cx, source, &mut checked);
        checked.unparsed = unparsed.map(|(err, analyzers)| err.note(source.rel_path, &analyzers));
        // Every secret any rule found in this file, masked in every finding's text.
        let secrets = secrets_of(source, &located);
        let in_test_code = self.test_paths.contains(source.rel_path);
        let mut findings: Vec<Finding> = located
            .into_iter()
            .map(|at| {
                let place = Place::Span {
                    source,
                    span: at.span,
                };
                Finding::build(
                    at.rule,
                    at.severity,
                    place,
                    at.value.as_deref(),
                    &secrets,
                    in_test_code,
                )
            })
            .collect();
        finding::number_secret_occurrences(&mut findings);
        let suppressions = if memchr::memmem::find(source.bytes, b"seccoach:ignore").is_some() {
            suppressions::parse(source)
                .into_iter()
                .filter(|s| s.problem(&cx).is_none())
                .collect()
        } else {
            Vec::new()
        };
        let mut keeper = Keeper {
            suppressions,
            baseline: &self.baseline,
            legacy: self.baseline_legacy,
            used: BTreeMap::new(),
            absorbed: Vec::new(),
            suppressed: 0,
            baselined: 0,
        };
        let mut kept: BTreeMap<RuleKey, usize> = BTreeMap::new();
        let mut reported = Vec::with_capacity(findings.len());
        for finding in findings {
            if !keeper.admit(&finding) {
                continue;
            }
            let count = kept.entry(finding.rule.clone()).or_default();
            if *count >= MAX_HITS_PER_RULE_PER_FILE {
                if checked.cut.insert(finding.rule.to_string()) {
                    checked
                        .notes
                        .push(cut_note(finding.rule.as_str(), source.rel_path));
                }
                continue;
            }
            *count += 1;
            reported.push(finding);
        }
        // Rules that matched too often to look further, though fewer than the cap were reported.
        for rule in std::mem::take(&mut checked.too_many) {
            if checked.cut.insert(rule.clone()) {
                checked
                    .notes
                    .push(Stop::TooMany.note(&rule, source.rel_path));
            }
        }
        checked.truncated = checked.cut.len() as u64;
        self.drop_yielding(&mut reported, &keeper.absorbed);
        checked.findings = reported;
        checked.suppressed = keeper.suppressed;
        checked.baselined = keeper.baselined;
        checked
    }

    /// The secret values every active rule finds in one text (suppressed findings included):
    /// what the coach's excerpt and a fix's diff mask.
    pub fn secrets_in(&self, source: &Source) -> Secrets {
        let located = self
            .locate(
                &self.context(None, deps::is_lockfile(source.rel_path)),
                source,
                &mut Checked::default(),
            )
            .0;
        secrets_of(source, &located)
    }

    /// Where each applicable rule matches one file, before findings are built (at most
    /// [`MAX_MATCHES_PER_RULE_PER_FILE`] a rule; past that, or past a rule's work budget, a note
    /// in `checked`), and what the structural analyzers could not parse (the first parser's
    /// word, and every analyzer that failed). With `ScanOptions::timings`, each rule's time.
    fn locate<'c>(
        &'c self,
        cx: &Context,
        source: &Source,
        checked: &mut Checked,
    ) -> (Vec<Located<'c>>, Option<(Unparsed, Vec<AnalyzerKind>)>) {
        let mut located = Vec::new();
        let mut unparsed: Option<(Unparsed, Vec<AnalyzerKind>)> = None;
        let timing = self.options.timings;
        for rule_index in self.plan.regex_candidates(source) {
            let rule = &self.catalog.rules()[rule_index];
            let Matcher::Regex(matcher) = &rule.matcher else {
                continue;
            };
            if !rule.files.accepts(source.kind, source.rel_path) {
                continue;
            }
            let started = timing.then(Instant::now);
            if matcher.regex.may_match(source.bytes) {
                let severity = self.severity_of(rule);
                let work = &mut checked.work;
                let searched = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    regex_matches(matcher, source, work)
                }));
                let (spans, stop) = match searched {
                    Ok(found) => found,
                    Err(payload) => {
                        checked.crashed.push(crash_note(
                            rule.id.as_str(),
                            source.rel_path,
                            payload.as_ref(),
                        ));
                        (Vec::new(), None)
                    }
                };
                match stop {
                    Some(Stop::TooMany) => {
                        checked.too_many.insert(rule.id.to_string());
                    }
                    Some(stop) if checked.cut.insert(rule.id.to_string()) => {
                        checked
                            .notes
                            .push(stop.note(rule.id.as_str(), source.rel_path));
                    }
                    _ => {}
                }
                for span in spans {
                    located.push(Located {
                        rule,
                        severity,
                        secrets: if rule.secret {
                            vec![span.clone()]
                        } else {
                            Vec::new()
                        },
                        value: Some(
                            String::from_utf8_lossy(&source.bytes[span.clone()]).into_owned(),
                        ),
                        span,
                    });
                }
            }
            if let Some(started) = started {
                checked
                    .timings
                    .push((rule.id.to_string(), started.elapsed()));
            }
        }
        let mut sink = Sink::new();
        for (analyzer, rule_indices) in self.plan.file_analyzers() {
            let accepts = rule_indices.iter().any(|&i| {
                self.catalog.rules()[i]
                    .files
                    .accepts(source.kind, source.rel_path)
            });
            if !accepts {
                continue;
            }
            let started = timing.then(Instant::now);
            sink.clear();
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                #[cfg(test)]
                tests::crash_if_asked(source);
                analyzer.check_file(cx, source, &mut sink)
            }));
            match ran {
                Ok(()) => {
                    if let Some(err) = sink.take_unparsed() {
                        unparsed
                            .get_or_insert_with(|| (err, Vec::new()))
                            .1
                            .push(*analyzer);
                    }
                }
                Err(payload) => {
                    // What it found before crashing is not trusted.
                    sink.clear();
                    checked.crashed.push(crash_note(
                        &format!("the {} analyzer", analyzer.as_str()),
                        source.rel_path,
                        payload.as_ref(),
                    ));
                }
            }
            let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
            for hit in sink.drain_hits() {
                let Some(rule) = self.plan.active_rule(&self.catalog, hit.rule.as_str()) else {
                    continue;
                };
                if !rule.files.accepts(source.kind, source.rel_path) {
                    continue;
                }
                let count = per_rule.entry(hit.rule.as_str()).or_default();
                *count += 1;
                if *count > MAX_MATCHES_PER_RULE_PER_FILE {
                    checked.too_many.insert(hit.rule.to_string());
                    continue;
                }
                let span =
                    hit.span.start.min(source.bytes.len())..hit.span.end.min(source.bytes.len());
                let mut secrets = hit.secrets;
                if rule.secret {
                    secrets.push(span.clone());
                }
                located.push(Located {
                    rule,
                    severity: self.severity_with(rule, hit.severity),
                    span,
                    value: hit.value,
                    secrets,
                });
            }
            if let Some(started) = started {
                checked
                    .timings
                    .push((format!("analyzer:{}", analyzer.as_str()), started.elapsed()));
            }
        }
        (located, unparsed)
    }

    /// Says once when `deps/known-vulnerable` could not look at lockfiles that are there: no
    /// database was given, or a lockfile was over the size limit.
    fn note_advisories(&self, files: &[TreeFile], report: &mut Report) {
        if self
            .plan
            .active_rule(&self.catalog, deps::KNOWN_VULNERABLE.as_str())
            .is_none()
        {
            return;
        }
        let mut lockfiles = files
            .iter()
            .filter(|f| deps::is_lockfile(&f.path))
            .peekable();
        if lockfiles.peek().is_none() {
            return;
        }
        if self.lockfile_db().is_none()
            && let Some(Err(problem)) = self.cache_db.get()
        {
            report.notes.push(format!(
                "deps/known-vulnerable did not run: {}; run `seccoach advisories update` to \
                 download it again",
                sanitize(problem)
            ));
            return;
        }
        if self.lockfile_db().is_none() {
            report.notes.push(
                "deps/known-vulnerable did not run: no advisory database; run `seccoach \
                 advisories update` to download the OSV database (the scan itself stays \
                 offline), or pass --advisories PATH (a directory or .zip of OSV advisories)"
                    .to_owned(),
            );
            return;
        }
        if !self.cached.is_empty() {
            let ecosystems: BTreeSet<_> = lockfiles
                .clone()
                .filter_map(|f| deps::ecosystem_of(&f.path))
                .collect();
            report.notes.extend(crate::osv::notes(
                &self.cached,
                &ecosystems,
                jiff::Timestamp::now(),
            ));
        }
        for file in lockfiles.filter(|f| f.size > self.options.max_file_size) {
            report.notes.push(format!(
                "deps/known-vulnerable did not read {}: it is over the size limit (raise \
                 --max-file-size)",
                sanitize(&file.path)
            ));
        }
    }

    /// Drops findings of catch-all rules (`yield_to_overlaps`) where a more specific rule
    /// reports the same lines, so one secret is not reported twice.
    fn drop_yielding(&self, findings: &mut Vec<Finding>, absorbed: &[(RuleKey, u32, u32)]) {
        let yields = |f: &Finding| {
            self.catalog
                .rule(f.rule.as_str())
                .is_some_and(|r| r.yield_to_overlaps)
        };
        if !findings.iter().any(yields) {
            return;
        }
        // The same place, for a catch-all: the lines overlap (a specific rule may point at the
        // key while the catch-all points at the value).
        let overlaps = |a: &Finding, b: &Finding| {
            a.rule != b.rule && a.line <= b.end_line && b.line <= a.end_line
        };
        // Findings absorbed by a suppression or the baseline still stand for their place: the
        // catch-all yields to them as it did before they were absorbed.
        let yields_rule = |rule: &RuleKey| {
            self.catalog
                .rule(rule.as_str())
                .is_some_and(|r| r.yield_to_overlaps)
        };
        let keep: Vec<bool> = findings
            .iter()
            .map(|f| {
                !yields(f)
                    || !(findings.iter().any(|g| !yields(g) && overlaps(f, g))
                        || absorbed.iter().any(|(rule, line, end)| {
                            *rule != f.rule
                                && !yields_rule(rule)
                                && f.line <= *end
                                && *line <= f.end_line
                        }))
            })
            .collect();
        let mut keep = keep.into_iter();
        findings.retain(|_| keep.next().unwrap_or(true));
    }

    fn run_tree_analyzers(&self, root: &Path, files: &[TreeFile], report: &mut Report) {
        let cx = self.context(None, false);
        let tree = Tree { root, files };
        let mut hits: Vec<TreeHit> = Vec::new();
        for analyzer in self.plan.tree_analyzers() {
            let before = hits.len();
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                analyzer.check_tree(&cx, &tree, &mut hits);
            }));
            if let Err(payload) = ran {
                hits.truncate(before);
                report.notes.push(crash_note(
                    &format!("the {} analyzer", analyzer.as_str()),
                    "the whole tree",
                    payload.as_ref(),
                ));
            }
        }
        let mut by_path: BTreeMap<String, Vec<TreeHit>> = BTreeMap::new();
        for hit in hits {
            by_path.entry(hit.path.clone()).or_default().push(hit);
        }
        for (path, hits) in by_path {
            // Read the file the hits point at (if it is a readable text file within the size
            // limit) for the snippet and for its inline suppressions.
            let bytes = tree_file_text(&fs_path(root, &path), self.options.max_file_size);
            let kind = FileKind::detect(&path, bytes.as_deref().unwrap_or_default());
            let source = bytes.as_deref().map(|b| Source::new(&path, kind, b));
            let secrets = source
                .as_ref()
                .map(|s| self.secrets_in(s))
                .unwrap_or_default();
            let mut built = Vec::with_capacity(hits.len());
            let valid: Vec<_> = source
                .as_ref()
                .filter(|s| memchr::memmem::find(s.bytes, b"seccoach:ignore").is_some())
                .map(|s| {
                    suppressions::parse(s)
                        .into_iter()
                        .filter(|x| x.problem(&cx).is_none())
                        .collect()
                })
                .unwrap_or_default();
            for hit in hits {
                let Some(rule) = self.plan.active_rule(&self.catalog, hit.rule.as_str()) else {
                    continue;
                };
                if !rule.files.accepts(kind, &hit.path) {
                    continue;
                }
                if valid.iter().any(|s| s.covers(hit.rule.as_str(), hit.line)) {
                    report.stats.suppressed += 1;
                    continue;
                }
                let place = Place::Line {
                    path: &hit.path,
                    line: hit.line,
                    source: source.as_ref(),
                };
                built.push(Finding::build(
                    rule,
                    self.severity_of(rule),
                    place,
                    hit.value.as_deref(),
                    &secrets,
                    self.test_paths.contains(&hit.path),
                ));
            }
            finding::number_secret_occurrences(&mut built);
            // The baseline absorbs tree findings too (suppressions were applied above).
            let mut keeper = Keeper {
                suppressions: Vec::new(),
                baseline: &self.baseline,
                legacy: self.baseline_legacy,
                used: BTreeMap::new(),
                absorbed: Vec::new(),
                suppressed: 0,
                baselined: 0,
            };
            for finding in built {
                if keeper.admit(&finding) {
                    report.findings.push(finding);
                }
            }
            report.stats.baselined += keeper.baselined;
        }
    }
}

/// One rule's match in a file, before its finding is built.
struct Located<'c> {
    rule: &'c Rule,
    severity: Severity,
    span: std::ops::Range<usize>,
    value: Option<String>,
    /// Literal credentials this match found (byte ranges).
    secrets: Vec<std::ops::Range<usize>>,
}

/// The secrets of `source` that `located` found.
fn secrets_of(source: &Source, located: &[Located]) -> Secrets {
    Secrets::new(
        source.bytes,
        located.iter().flat_map(|at| at.secrets.iter().cloned()),
    )
}

/// The secret-shaped parts of a text that is not a file of the project (an error message, a rule
/// pack's example): what the catalogue's secret regex rules match in it, whatever kind of file
/// they are written for, and the password of any `scheme://user:password@` URL.
pub fn secret_shaped(catalog: &Catalog, text: &str) -> Secrets {
    let source = Source::new("", FileKind::Text, text.as_bytes());
    let mut ranges = url_passwords(text);
    for rule in catalog.rules().iter().filter(|r| r.secret) {
        if let Matcher::Regex(matcher) = &rule.matcher
            && matcher.regex.may_match(source.bytes)
        {
            ranges.extend(regex_matches(matcher, &source, &mut Work::default()).0);
        }
    }
    Secrets::new(source.bytes, ranges)
}

/// Byte ranges of the passwords in `scheme://user:password@host` URLs of `text`.
fn url_passwords(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for at in memchr::memmem::find_iter(bytes, b"://") {
        let start = at + 3;
        let authority = bytes[start..]
            .iter()
            .position(|b| matches!(b, b'/' | b'?' | b'#') || b.is_ascii_whitespace())
            .map_or(bytes.len(), |i| start + i);
        let Some(user_end) = bytes[start..authority].iter().rposition(|&b| b == b'@') else {
            continue;
        };
        let userinfo = start..start + user_end;
        if let Some(colon) = bytes[userinfo.clone()].iter().position(|&b| b == b':') {
            found.push(userinfo.start + colon + 1..userinfo.end);
        }
    }
    found
}

/// The note for a check that crashed (a bug in seccoach, never the repository's fault): which
/// check, on what, and the panic's message.
fn crash_note(check: &str, path: &str, payload: &(dyn std::any::Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    let message: String = message.chars().take(200).collect();
    format!(
        "{check} crashed on {} ({}), so it was not fully checked; the rest of the scan went on. \
         Please report this at seccoach's issue tracker",
        sanitize(path),
        sanitize(&message)
    )
}

/// Why a rule stopped early in a file.
enum Stop {
    /// It would have handed the exact regex more than this many bytes.
    OverBudget(u64),
    /// It matched more than [`MAX_MATCHES_PER_RULE_PER_FILE`] times.
    TooMany,
}

impl Stop {
    /// The note that says so, naming rule and file.
    fn note(&self, rule: &str, path: &str) -> String {
        match self {
            Stop::OverBudget(budget) => format!(
                "{rule} was stopped in {}: it went over its work budget ({budget} bytes for the \
                 regex engines, eight times the file plus 64 KiB); its findings there may be \
                 incomplete",
                sanitize(path)
            ),
            Stop::TooMany => format!(
                "{rule} matched more than {MAX_MATCHES_PER_RULE_PER_FILE} times in {} and was \
                 not looked for further there (the file may hold more)",
                sanitize(path)
            ),
        }
    }
}

/// Every accepted match of a regex rule in the file (its value group's byte range), in order,
/// and why the search stopped early, if it did.
fn regex_matches(
    matcher: &RegexMatcher,
    source: &Source,
    work: &mut Work,
) -> (Vec<std::ops::Range<usize>>, Option<Stop>) {
    let budget = pattern::budget_for(source.bytes.len());
    let mut spans = Vec::new();
    let mut too_many = false;
    let searched = matcher
        .regex
        .search(source.bytes, budget, work, &mut |found| {
            let Some(span) = found.get(matcher.value_group) else {
                return true;
            };
            if !accept(matcher, source, span.clone()) {
                return true;
            }
            if spans.len() == MAX_MATCHES_PER_RULE_PER_FILE {
                too_many = true;
                return false;
            }
            spans.push(span);
            true
        });
    let stop = if searched.is_err() {
        Some(Stop::OverBudget(budget))
    } else if too_many {
        Some(Stop::TooMany)
    } else {
        None
    };
    (spans, stop)
}

/// Whether a match of a regex rule is reported: its value has the entropy asked for, no
/// allow-list pattern takes it, and (when the rule says so) it is not in a comment.
fn accept(matcher: &RegexMatcher, source: &Source, span: std::ops::Range<usize>) -> bool {
    let value = &source.bytes[span.clone()];
    !(matcher.min_entropy.is_some_and(|min| entropy(value) < min)
        || matcher.allow.iter().any(|allow| allow.is_match(value))
        || (matcher.skip_comments && source.in_comment(span.start)))
}

/// The text of a file a tree finding points at: `None` when missing, too large or binary.
fn tree_file_text(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let file = crate::regular::open_no_follow(path).ok()?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() as u64 > limit || memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return None;
    }
    if bytes.starts_with(b"\xef\xbb\xbf") {
        bytes.drain(..3);
    }
    Some(bytes)
}

/// When the file or directory at `path` was last modified.
fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Shannon entropy in bits per byte.
pub fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Decodes UTF-16 text that starts with a byte-order mark.
fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let little = match bytes {
        [0xff, 0xfe, ..] => true,
        [0xfe, 0xff, ..] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks_exact(2).map(|pair| {
        if little {
            u16::from_le_bytes([pair[0], pair[1]])
        } else {
            u16::from_be_bytes([pair[0], pair[1]])
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

/// `path` relative to `root`, `/`-separated: the one name a file has in findings, reports and
/// fingerprints. Bytes of a name that are not UTF-8 are written as `\xNN`, so two such names stay
/// apart (never both U+FFFD), and a backslash of the name that would read as such an escape
/// (followed by `x`, another backslash or an escaped byte) is doubled, so the name maps back to
/// exactly one file ([`fs_path`]).
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        push_name(&mut out, part.as_os_str());
    }
    out
}

/// The file a name from [`relative_path`] stands for, under `root`: its escapes turned back into
/// the bytes they stand for. Every step after the scan that opens a reported file (a fix, its
/// undo, a suppression, the coach's excerpt, a re-check) goes through this, so a non-UTF-8 name
/// is opened as itself, never as another file or none.
pub fn fs_path(root: &Path, rel: &str) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        if !rel.contains('\\') {
            return root.join(rel);
        }
        let b = rel.as_bytes();
        let mut bytes = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            let hex = |at: usize| {
                b.get(at..at + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    // Only bytes that are never UTF-8 on their own are escaped: `\x2f` is no `/`.
                    .filter(|byte| *byte >= 0x80)
            };
            match (b[i], b.get(i + 1)) {
                (b'\\', Some(b'\\')) => {
                    bytes.push(b'\\');
                    i += 2;
                }
                (b'\\', Some(b'x')) if hex(i + 2).is_some() => {
                    bytes.extend(hex(i + 2));
                    i += 4;
                }
                (byte, _) => {
                    bytes.push(byte);
                    i += 1;
                }
            }
        }
        root.join(std::ffi::OsStr::from_bytes(&bytes))
    }
    #[cfg(not(unix))]
    root.join(rel)
}

#[cfg(unix)]
fn push_name(out: &mut String, name: &std::ffi::OsStr) {
    use std::os::unix::ffi::OsStrExt;
    let bytes = name.as_bytes();
    let mut chunks = bytes.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        let valid = chunk.valid();
        for (at, c) in valid.char_indices() {
            out.push(c);
            if c == '\\' {
                // Doubled when what follows could read as an escape.
                let next = valid[at + 1..].chars().next();
                let before_escape = next.is_none()
                    && (!chunk.invalid().is_empty()
                        || chunks.peek().is_some_and(|n| n.valid().is_empty()));
                if matches!(next, Some('x' | '\\')) || before_escape {
                    out.push('\\');
                }
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
}

#[cfg(not(unix))]
fn push_name(out: &mut String, name: &std::ffi::OsStr) {
    out.push_str(&name.to_string_lossy());
}

/// Whether the walk enters `rel` for a scan of the `only` paths: a chosen file or anything
/// under a chosen folder, and the folders on the way to them.
fn chosen(only: &[String], rel: &str, is_dir: bool) -> bool {
    only.iter().any(|path| {
        let under = |outer: &str, inner: &str| {
            inner == outer || inner.starts_with(outer) && inner[outer.len()..].starts_with('/')
        };
        under(path, rel) || is_dir && under(rel, path)
    })
}

/// Resolves the directory a scan starts from.
pub fn resolve_root(path: Option<&Path>) -> PathBuf {
    path.map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_paths_admit_their_folders_and_contents_only() {
        let only = vec!["app/a.py".to_owned(), "lib".to_owned()];
        assert!(chosen(&only, "app", true));
        assert!(chosen(&only, "app/a.py", false));
        assert!(!chosen(&only, "app/a.pyc", false));
        assert!(!chosen(&only, "app/b.py", false));
        assert!(!chosen(&only, "application", true));
        assert!(chosen(&only, "lib/deep/x.py", false));
        assert!(chosen(&only, "lib/deep", true));
        assert!(!chosen(&only, "library/x.py", false));
    }

    /// Files holding this marker make every file analyzer crash, in unit tests only: the
    /// stand-in for a bug that hostile input might hit.
    const CRASH_MARKER: &[u8] = b"seccoach-unit-test: crash here";

    pub(super) fn crash_if_asked(source: &Source) {
        if memchr::memmem::find(source.bytes, CRASH_MARKER).is_some() {
            panic!("a deliberate crash for the test");
        }
    }

    #[test]
    fn a_crashing_check_costs_its_file_never_the_scan() {
        let dir = tempfile::tempdir().unwrap();
        let compose = "services:\n  app:\n    image: nginx:1.27\n    privileged: true\n";
        std::fs::write(
            dir.path().join("compose.yaml"),
            format!("# seccoach-unit-test: crash here\n{compose}"),
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("other")).unwrap();
        std::fs::write(dir.path().join("other/compose.yaml"), compose).unwrap();
        std::fs::write(
            dir.path().join("settings.py"),
            "def run(expression):\n    return eval(expression)\n",
        )
        .unwrap();
        let catalog = Arc::new(Catalog::embedded().unwrap());
        let report = Scanner::new(catalog, ScanOptions::default())
            .scan(dir.path())
            .unwrap();
        // The crash is said, naming the analyzer and the file, and counted.
        let crashes: Vec<&String> = report
            .notes
            .iter()
            .filter(|n| n.contains("crashed on compose.yaml"))
            .collect();
        assert!(!crashes.is_empty(), "{:?}", report.notes);
        assert!(
            crashes.iter().all(|n| n.contains("analyzer")),
            "{crashes:?}"
        );
        assert_eq!(report.stats.skipped.get(&SkipReason::Crashed), Some(&1));
        // Every other file was still checked, and so were the crashed file's other checks.
        let rules_in = |path: &str| -> Vec<&str> {
            report
                .findings
                .iter()
                .filter(|f| f.path == path)
                .map(|f| f.rule.as_str())
                .collect()
        };
        assert!(rules_in("other/compose.yaml").contains(&"compose/privileged"));
        assert!(!rules_in("compose.yaml").contains(&"compose/privileged"));
        assert!(!rules_in("settings.py").is_empty(), "{:?}", report.findings);
    }

    #[test]
    fn secret_shaped_text_is_found_in_messages() {
        let catalog = Catalog::embedded().unwrap();
        let token = concat!("ghp_", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A");
        let message = format!(
            "advisories: {}: not found; token {token}",
            concat!("https://u:", "TOKEN", "@host/osv.zip")
        );
        let masked = secret_shaped(&catalog, &message).mask_text(&message);
        assert!(!masked.contains(":TOKEN@"), "{masked}");
        assert!(!masked.contains(token), "{masked}");
        assert!(masked.contains("https://u:****@host/osv.zip"), "{masked}");
        let plain = "no such file: osv/advisories.zip (https://example.com/x)";
        assert_eq!(secret_shaped(&catalog, plain).mask_text(plain), plain);
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_stay_distinguishable() {
        use std::os::unix::ffi::OsStrExt;
        let root = Path::new("/r");
        let name =
            |bytes: &[u8]| relative_path(root, &root.join(std::ffi::OsStr::from_bytes(bytes)));
        assert_eq!(name(b"a\xff.py"), "a\\xff.py");
        assert_ne!(name(b"a\xff.py"), name(b"a\xfe.py"));
        assert_eq!(name("é/b.py".as_bytes()), "é/b.py");
        // A backslash that would read as an escape is doubled; others show as they are.
        assert_eq!(name(b"a\\xff.py"), "a\\\\xff.py");
        assert_eq!(name(b"a\\b.py"), "a\\b.py");
        // Every name maps back to itself.
        for bytes in [
            &b"a\xff.py"[..],
            b"a\\xff.py",
            b"a\\\xff.py",
            b"\\\\",
            b"a\\",
            b"\\x4",
            b"d\xc3/\\\\x\\b\xe9",
            "é\\é".as_bytes(),
        ] {
            let path = root.join(std::ffi::OsStr::from_bytes(bytes));
            assert_eq!(fs_path(root, &name(bytes)), path, "{:?}", name(bytes));
        }
        // An escape seccoach never writes stays text: no separator or `..` comes out of one.
        assert_eq!(
            fs_path(root, "..\\x2f..\\x2fetc"),
            root.join("..\\x2f..\\x2fetc")
        );
    }

    #[test]
    fn entropy_separates_random_from_words() {
        assert!(entropy(b"aaaaaaaaaaaa") < 0.1);
        assert!(entropy(b"wJalrXUtnFEMIK7MDENGbPxRfiCY") > 4.0);
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xff, 0xfe];
        for unit in "key = 1".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        assert_eq!(decode_utf16(&bytes).as_deref(), Some("key = 1"));
        assert_eq!(decode_utf16(b"plain"), None);
    }
}
