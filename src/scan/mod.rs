//! The scan: walk the tree in parallel, read each file once, let a literal prefilter pick the
//! rules worth running on it, run them and the structural analyzers, apply suppressions, and
//! return a sorted `Report`. Never executes anything and never touches the network.

pub mod live;
pub mod paths;
mod plan;

use crate::analyzers::deps::{self, advisories::AdvisoryDb};
use crate::analyzers::{Context, Hit, Tree, TreeFile, TreeHit, suppressions};
use crate::catalog::{Catalog, Matcher, RegexMatcher, Rule, Severity};
use crate::config::{Config, DEFAULT_MAX_FILE_SIZE};
use crate::display::sanitize;
use crate::finding::{self, Finding, Place};
use crate::report::{Report, SkipReason};
use crate::source::{FileKind, Source};
use ignore::{WalkBuilder, WalkState};
use paths::PathFilter;
use plan::Plan;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

/// Most findings one rule may report in one file; past that the file is clearly generated.
const MAX_HITS_PER_RULE_PER_FILE: usize = 200;

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
        }
    }
}

/// The outcome of reading one file.
#[derive(Debug, Clone, Default)]
pub struct FileOutcome {
    pub findings: Vec<Finding>,
    pub suppressed: u64,
    pub bytes: u64,
    pub skipped: Option<SkipReason>,
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
}

impl Scanner {
    pub fn new(catalog: Arc<Catalog>, options: ScanOptions) -> Scanner {
        let plan = Plan::new(&catalog, &options.disabled);
        let today = jiff::ZonedDateTime::now().date();
        let advisories = match &options.advisories {
            Some(path) => AdvisoryDb::load(path)
                .map(|db| Some(Arc::new(db)))
                .map_err(|e| e.to_string()),
            None => Ok(None),
        };
        Scanner {
            catalog,
            options,
            plan,
            today,
            advisories,
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// The scan set's filter for `root`: what git tracks, what the ignore files and the
    /// configured excludes leave out. See [`paths`].
    pub fn path_filter(&self, root: &Path) -> PathFilter {
        PathFilter::new(root, &self.options.exclude)
    }

    fn context(&self) -> Context<'_> {
        Context {
            catalog: &self.catalog,
            today: self.today,
            advisories: self.advisories.as_ref().ok().and_then(Option::as_deref),
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
        Ok((report, filter.notes()))
    }

    /// The whole-tree part of a scan, once every file's outcome is in `report`: the tree
    /// analyzers over `tree_files`, the notes, and the report's order.
    pub(crate) fn finish(&self, root: &Path, tree_files: &mut [TreeFile], report: &mut Report) {
        tree_files.sort_by(|a, b| a.path.cmp(&b.path));
        self.run_tree_analyzers(root, tree_files, report);
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
        let threads = if self.options.threads == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            self.options.threads
        };
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
        builder.filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            for_walk.admit(&relative_path(&root_for_filter, entry.path()), is_dir)
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
        report.stats.suppressed += outcome.suppressed;
        report.findings.append(&mut outcome.findings);
        if let Some(note) = outcome.note.take() {
            report.notes.push(note);
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
        let (findings, suppressed) = self.check_source(&source);
        FileOutcome {
            findings,
            suppressed,
            bytes: bytes.len() as u64,
            skipped: None,
            note: None,
            tree_file: Some(tree_file),
        }
    }

    /// Runs every applicable rule on one file's text; returns findings and how many were
    /// suppressed inline.
    pub fn check_source(&self, source: &Source) -> (Vec<Finding>, u64) {
        let mut findings = Vec::new();
        let cx = self.context();
        for rule_index in self.plan.regex_candidates(source) {
            let rule = &self.catalog.rules()[rule_index];
            let Matcher::Regex(matcher) = &rule.matcher else {
                continue;
            };
            if !rule.files.accepts(source.kind, source.rel_path)
                || !matcher.regex.may_match(source.bytes)
            {
                continue;
            }
            for (span, value) in regex_hits(matcher, source)
                .into_iter()
                .take(MAX_HITS_PER_RULE_PER_FILE)
            {
                let place = Place::Span { source, span };
                findings.push(Finding::build(
                    rule,
                    self.severity_of(rule),
                    place,
                    Some(&value),
                ));
            }
        }
        let mut hits: Vec<Hit> = Vec::new();
        for (analyzer, rule_indices) in self.plan.file_analyzers() {
            let accepts = rule_indices.iter().any(|&i| {
                self.catalog.rules()[i]
                    .files
                    .accepts(source.kind, source.rel_path)
            });
            if !accepts {
                continue;
            }
            hits.clear();
            analyzer.check_file(&cx, source, &mut hits);
            for hit in hits.drain(..) {
                let Some(rule) = self.plan.active_rule(&self.catalog, hit.rule) else {
                    continue;
                };
                if !rule.files.accepts(source.kind, source.rel_path) {
                    continue;
                }
                let span =
                    hit.span.start.min(source.bytes.len())..hit.span.end.min(source.bytes.len());
                let place = Place::Span { source, span };
                findings.push(Finding::build(
                    rule,
                    self.severity_with(rule, hit.severity),
                    place,
                    hit.value.as_deref(),
                ));
            }
        }
        self.drop_yielding(&mut findings);
        let mut suppressed = 0;
        if !findings.is_empty() && memchr::memmem::find(source.bytes, b"seccoach:ignore").is_some()
        {
            let valid: Vec<_> = suppressions::parse(source)
                .into_iter()
                .filter(|s| s.problem(&cx).is_none())
                .collect();
            findings.retain(|f| {
                let covered = valid.iter().any(|s| s.covers(f.rule.as_str(), f.line));
                suppressed += u64::from(covered);
                !covered
            });
        }
        (findings, suppressed)
    }

    /// Says once when `deps/known-vulnerable` could not look at lockfiles that are there: no
    /// database was given, or a lockfile was over the size limit.
    fn note_advisories(&self, files: &[TreeFile], report: &mut Report) {
        if self
            .plan
            .active_rule(&self.catalog, deps::KNOWN_VULNERABLE)
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
        if !matches!(self.advisories, Ok(Some(_))) {
            report.notes.push(
                "deps/known-vulnerable did not run: pass --advisories PATH (a directory or .zip \
                 of OSV advisories), or set `advisories` in .seccoach.toml, to check lockfiles \
                 for known vulnerabilities"
                    .to_owned(),
            );
            return;
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
    fn drop_yielding(&self, findings: &mut Vec<Finding>) {
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
        let keep: Vec<bool> = findings
            .iter()
            .map(|f| !yields(f) || !findings.iter().any(|g| !yields(g) && overlaps(f, g)))
            .collect();
        let mut keep = keep.into_iter();
        findings.retain(|_| keep.next().unwrap_or(true));
    }

    fn run_tree_analyzers(&self, root: &Path, files: &[TreeFile], report: &mut Report) {
        let cx = self.context();
        let tree = Tree { root, files };
        let mut hits: Vec<TreeHit> = Vec::new();
        for analyzer in self.plan.tree_analyzers() {
            analyzer.check_tree(&cx, &tree, &mut hits);
        }
        let mut by_path: BTreeMap<String, Vec<TreeHit>> = BTreeMap::new();
        for hit in hits {
            by_path.entry(hit.path.clone()).or_default().push(hit);
        }
        for (path, hits) in by_path {
            // Read the file the hits point at (if it is a readable text file within the size
            // limit) for the snippet and for its inline suppressions.
            let bytes = tree_file_text(&root.join(&path), self.options.max_file_size);
            let kind = FileKind::detect(&path, bytes.as_deref().unwrap_or_default());
            let source = bytes.as_deref().map(|b| Source::new(&path, kind, b));
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
                let Some(rule) = self.plan.active_rule(&self.catalog, hit.rule) else {
                    continue;
                };
                if !rule.files.accepts(kind, &hit.path) {
                    continue;
                }
                if valid.iter().any(|s| s.covers(hit.rule, hit.line)) {
                    report.stats.suppressed += 1;
                    continue;
                }
                let line_text = source.as_ref().map(|s| s.line_text(hit.line));
                let place = Place::Line {
                    path: &hit.path,
                    line: hit.line,
                    text: line_text.as_deref(),
                };
                report.findings.push(Finding::build(
                    rule,
                    self.severity_of(rule),
                    place,
                    hit.value.as_deref(),
                ));
            }
        }
    }
}

/// Every match of a regex rule in the file: the value's byte range and text.
fn regex_hits(matcher: &RegexMatcher, source: &Source) -> Vec<(std::ops::Range<usize>, String)> {
    let accept = |m: &regex::bytes::Match| {
        let value = m.as_bytes();
        !(matcher.min_entropy.is_some_and(|min| entropy(value) < min)
            || matcher.allow.iter().any(|allow| allow.is_match(value))
            || (matcher.skip_comments && source.in_comment(m.start())))
    };
    let to_hit = |m: regex::bytes::Match| {
        (
            m.range(),
            String::from_utf8_lossy(m.as_bytes()).into_owned(),
        )
    };
    if matcher.value_group == 0 {
        matcher
            .regex
            .find_iter(source.bytes)
            .filter(accept)
            .take(MAX_HITS_PER_RULE_PER_FILE)
            .map(to_hit)
            .collect()
    } else {
        matcher
            .regex
            .captures_iter(source.bytes)
            .filter_map(|caps| caps.get(matcher.value_group))
            .filter(accept)
            .take(MAX_HITS_PER_RULE_PER_FILE)
            .map(to_hit)
            .collect()
    }
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

/// `path` relative to `root`, `/`-separated.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

/// Resolves the directory a scan starts from.
pub fn resolve_root(path: Option<&Path>) -> PathBuf {
    path.map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

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
