//! Analyses that need structure (Dockerfile instructions, YAML documents, the file tree).
//!
//! Each analyzer is one module plus one `AnalyzerKind` variant. Which rules it emits is said once,
//! by each rule's TOML (`matcher = { type = "analyzer", analyzer = "…" }`), and it names them by
//! their generated constants in [`crate::rules`]. The exhaustive `match`es below are the only
//! other place a new analyzer touches.

pub mod actions;
pub mod code;
pub mod compose;
pub mod deps;
pub mod dockerfile;
pub mod heuristics;
pub mod kubernetes;
pub mod repo;
pub mod rule;
pub mod secrets;
pub mod suppressions;
pub mod yaml_rules;

use crate::catalog::Catalog;
use crate::display::sanitize;
pub use crate::rules::AnalyzerKind;
use crate::rules::BuiltinRule;
use crate::rules::Severity;
use crate::source::{FileKind, Source};
pub use rule::{Rule, Sink};
use std::ops::Range;
use std::path::Path;

/// What an analyzer found in one file: a rule id, where (byte range of the primary location)
/// and optionally the concrete value that the rule's message names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: BuiltinRule,
    pub span: Range<usize>,
    pub value: Option<String>,
    /// This finding's severity when it differs from the rule's (a repository's `[severity]`
    /// setting for the rule still wins).
    pub severity: Option<Severity>,
    /// Byte ranges of literal credentials the finding points at (the value of a secret-named
    /// variable), masked in every output. A rule marked `secret` needs none: its span is one.
    pub secrets: Vec<Range<usize>>,
}

impl Hit {
    pub fn new(rule: BuiltinRule, span: Range<usize>) -> Hit {
        Hit {
            rule,
            span,
            value: None,
            severity: None,
            secrets: Vec::new(),
        }
    }

    pub fn with_value(mut self, value: impl Into<String>) -> Hit {
        self.value = Some(value.into());
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Hit {
        self.severity = Some(severity);
        self
    }

    /// Marks `range` as a literal credential (see [`Hit::secrets`]).
    pub fn with_secret(mut self, range: Range<usize>) -> Hit {
        self.secrets.push(range);
        self
    }
}

/// Why an analyzer could not read a file's structure: the parser's 1-based line (when it knows
/// one) and its message, already naming line and column. The scan turns it into a
/// `parse-error` note ([`Unparsed::note`]); the file's text rules still ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unparsed {
    pub line: Option<u32>,
    pub message: String,
    /// True when the analyzer still checked the parts it could read (a Dockerfile with one
    /// unknown instruction), false when it checked nothing.
    pub partial: bool,
}

/// Longest parser message carried into a note (a parser may quote the offending text).
const MAX_PARSE_MESSAGE: usize = 200;

impl Unparsed {
    /// A problem at byte `offset` of `src`.
    pub fn at(src: &Source, offset: usize, message: &str) -> Unparsed {
        let at = src.position(offset);
        Unparsed {
            line: Some(at.line),
            message: format!("line {}, column {}: {message}", at.line, at.column),
            partial: false,
        }
    }

    /// The file is not UTF-8 text, which every structured format here requires.
    pub fn not_utf8() -> Unparsed {
        Unparsed {
            line: None,
            message: "the file is not valid UTF-8".to_owned(),
            partial: false,
        }
    }

    /// A TOML document's parse error.
    pub fn toml(src: &Source, err: &toml::de::Error) -> Unparsed {
        let message = err.message().trim().replace('\n', "; ");
        match err.span() {
            Some(span) => Unparsed::at(src, span.start, &message),
            None => Unparsed {
                line: None,
                message,
                partial: false,
            },
        }
    }

    /// The note a scan reports for a file at `path` that `analyzers` could not read.
    pub fn note(&self, path: &str, analyzers: &[AnalyzerKind]) -> String {
        let names: Vec<&str> = analyzers.iter().map(|a| a.as_str()).collect();
        let mut message: String = self.message.chars().take(MAX_PARSE_MESSAGE).collect();
        if message.len() < self.message.len() {
            message.push('…');
        }
        let what = if self.partial {
            "skipped what they could not read"
        } else {
            "did not run on it"
        };
        format!(
            "{}{} ({}): its {} checks {what}; the text checks did run",
            crate::report::PARSE_ERROR_NOTE,
            sanitize(path),
            sanitize(&message),
            names.join(" and "),
        )
    }
}

impl From<crate::yaml::YamlError> for Unparsed {
    fn from(err: crate::yaml::YamlError) -> Unparsed {
        Unparsed {
            line: err.line(),
            message: err.to_string(),
            partial: false,
        }
    }
}

/// What a tree analyzer found: a rule id, a path relative to the root, and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeHit {
    pub rule: BuiltinRule,
    pub path: String,
    pub line: u32,
    pub value: Option<String>,
}

/// One file of the scanned tree, as tree analyzers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub kind: FileKind,
    pub size: u64,
    pub binary: bool,
}

/// The scanned tree: every file the walk saw (including skipped ones), sorted by path.
pub struct Tree<'a> {
    pub root: &'a Path,
    pub files: &'a [TreeFile],
}

impl Tree<'_> {
    /// True when a file with this relative path was seen.
    pub fn contains(&self, path: &str) -> bool {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .is_ok()
    }
}

/// What every analyzer may consult besides the file itself.
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub today: jiff::civil::Date,
    /// The OSV advisory database given with `--advisories`, loaded once per scan.
    pub advisories: Option<&'a deps::advisories::AdvisoryDb>,
    /// The Helm chart the file is a template of, when the scan found one.
    pub chart: Option<&'a crate::helm::Chart>,
}

impl AnalyzerKind {
    /// Runs the per-file part of the analysis on one file the rule filters accepted, reporting
    /// into `sink`: findings, and a note when the analyzer could not read the file's structure
    /// (findings may still be there when the note is partial); the scan reports the note as a
    /// `parse-error`.
    pub fn check_file(self, cx: &Context, src: &Source, sink: &mut Sink) {
        let read = match self {
            AnalyzerKind::Actions => actions::check(src, sink.hits_mut()),
            AnalyzerKind::Compose => {
                compose::check(src, sink);
                Ok(())
            }
            AnalyzerKind::Deps => deps::check(cx, src, sink.hits_mut()),
            AnalyzerKind::Dockerfile => {
                dockerfile::check(src, sink);
                Ok(())
            }
            AnalyzerKind::Kubernetes => {
                kubernetes::check(cx, src, sink);
                Ok(())
            }
            AnalyzerKind::Code => {
                code::check(src, sink.hits_mut());
                Ok(())
            }
            AnalyzerKind::Repo => {
                repo::check(cx, src, sink.hits_mut());
                Ok(())
            }
            AnalyzerKind::Secrets => {
                secrets::check(src, sink.hits_mut());
                Ok(())
            }
            AnalyzerKind::Suppressions => {
                suppressions::check(cx, src, sink.hits_mut());
                Ok(())
            }
        };
        if let Err(note) = read {
            sink.unparsed(note);
        }
    }

    /// Runs the whole-tree part of the analysis once per scan.
    pub fn check_tree(self, cx: &Context, tree: &Tree, out: &mut Vec<TreeHit>) {
        match self {
            AnalyzerKind::Deps => deps::check_tree(cx, tree, out),
            AnalyzerKind::Repo => repo::check_tree(cx, tree, out),
            AnalyzerKind::Dockerfile => dockerfile::check_tree(cx, tree, out),
            AnalyzerKind::Kubernetes => kubernetes::check_tree(cx, tree, out),
            AnalyzerKind::Actions
            | AnalyzerKind::Code
            | AnalyzerKind::Compose
            | AnalyzerKind::Secrets
            | AnalyzerKind::Suppressions => {}
        }
    }
}

/// Test support for file analyzers: every hit `check` reports in `text` (read as a file at
/// `path` of `kind`), as (rule, 1-based line, value or "").
#[cfg(test)]
pub(crate) fn hits_in(
    path: &str,
    kind: FileKind,
    text: &str,
    check: impl Fn(&Source, &mut Sink),
) -> Vec<(BuiltinRule, u32, String)> {
    let src = Source::new(path, kind, text.as_bytes());
    let mut sink = Sink::new();
    check(&src, &mut sink);
    sink.drain_hits()
        .map(|h| {
            (
                h.rule,
                src.position(h.span.start).line,
                h.value.unwrap_or_default(),
            )
        })
        .collect()
}

/// Test support for tree analyzers: writes `files` (path, content) into a temporary folder, adds
/// `unread` entries (path, size, binary) that exist only in the file list, and returns every hit
/// `check` reports over that tree.
#[cfg(test)]
pub(crate) fn tree_hits_in(
    files: &[(&str, &str)],
    unread: &[(&str, u64, bool)],
    check: fn(&Context, &Tree, &mut Vec<TreeHit>),
) -> Vec<TreeHit> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut tree_files = Vec::new();
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a file has a folder"))
            .expect("create folders");
        std::fs::write(&full, text).expect("write a test file");
        tree_files.push(TreeFile {
            path: (*path).to_owned(),
            kind: FileKind::detect(path, b""),
            size: text.len() as u64,
            binary: false,
        });
    }
    for (path, size, binary) in unread {
        tree_files.push(TreeFile {
            path: (*path).to_owned(),
            kind: FileKind::detect(path, b""),
            size: *size,
            binary: *binary,
        });
    }
    tree_files.sort_by(|a, b| a.path.cmp(&b.path));
    let catalog = Catalog::embedded().expect("embedded catalogue loads");
    let cx = Context {
        catalog: &catalog,
        today: jiff::civil::date(2026, 1, 1),
        advisories: None,
        chart: None,
    };
    let tree = Tree {
        root: dir.path(),
        files: &tree_files,
    };
    let mut out = Vec::new();
    check(&cx, &tree, &mut out);
    out
}
