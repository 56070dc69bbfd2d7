//! Analyses that need structure (Dockerfile instructions, YAML documents, the file tree).
//!
//! Each analyzer is one module plus one `AnalyzerKind` variant. It declares the rule ids it can
//! emit (`RULES`); the texts of those rules live in the TOML catalogue like every other rule, and
//! loading checks that the two agree. The exhaustive `match`es below are the only other place a
//! new analyzer touches.

pub mod actions;
pub mod code;
pub mod compose;
pub mod deps;
pub mod dockerfile;
pub mod kubernetes;
pub mod repo;
pub mod secrets;
pub mod suppressions;

use crate::catalog::{Catalog, Severity};
use crate::source::{FileKind, Source};
use serde::Deserialize;
use std::ops::Range;
use std::path::Path;

/// The analyzers a rule can name with `matcher = { type = "analyzer", analyzer = "…" }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnalyzerKind {
    Actions,
    Code,
    Compose,
    Deps,
    Dockerfile,
    Kubernetes,
    Repo,
    Secrets,
    Suppressions,
}

/// What an analyzer found in one file: a rule id, where (byte range of the primary location)
/// and optionally the concrete value that the rule's message names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: &'static str,
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
    pub fn new(rule: &'static str, span: Range<usize>) -> Hit {
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

/// What a tree analyzer found: a rule id, a path relative to the root, and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeHit {
    pub rule: &'static str,
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
}

impl AnalyzerKind {
    pub const ALL: [AnalyzerKind; 9] = [
        AnalyzerKind::Actions,
        AnalyzerKind::Code,
        AnalyzerKind::Compose,
        AnalyzerKind::Deps,
        AnalyzerKind::Dockerfile,
        AnalyzerKind::Kubernetes,
        AnalyzerKind::Repo,
        AnalyzerKind::Secrets,
        AnalyzerKind::Suppressions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AnalyzerKind::Actions => "actions",
            AnalyzerKind::Code => "code",
            AnalyzerKind::Compose => "compose",
            AnalyzerKind::Deps => "deps",
            AnalyzerKind::Dockerfile => "dockerfile",
            AnalyzerKind::Kubernetes => "kubernetes",
            AnalyzerKind::Repo => "repo",
            AnalyzerKind::Secrets => "secrets",
            AnalyzerKind::Suppressions => "suppressions",
        }
    }

    /// The rule ids this analyzer may emit.
    pub fn rules(self) -> &'static [&'static str] {
        match self {
            AnalyzerKind::Actions => actions::RULES,
            AnalyzerKind::Code => code::RULES,
            AnalyzerKind::Compose => compose::RULES,
            AnalyzerKind::Deps => deps::RULES,
            AnalyzerKind::Dockerfile => dockerfile::RULES,
            AnalyzerKind::Kubernetes => kubernetes::RULES,
            AnalyzerKind::Repo => repo::RULES,
            AnalyzerKind::Secrets => secrets::RULES,
            AnalyzerKind::Suppressions => suppressions::RULES,
        }
    }

    /// Runs the per-file part of the analysis on one file the rule filters accepted.
    pub fn check_file(self, cx: &Context, src: &Source, out: &mut Vec<Hit>) {
        match self {
            AnalyzerKind::Actions => actions::check(src, out),
            AnalyzerKind::Code => code::check(src, out),
            AnalyzerKind::Compose => compose::check(src, out),
            AnalyzerKind::Deps => deps::check(cx, src, out),
            AnalyzerKind::Dockerfile => dockerfile::check(src, out),
            AnalyzerKind::Kubernetes => kubernetes::check(src, out),
            AnalyzerKind::Repo => repo::check(cx, src, out),
            AnalyzerKind::Secrets => secrets::check(src, out),
            AnalyzerKind::Suppressions => suppressions::check(cx, src, out),
        }
    }

    /// Runs the whole-tree part of the analysis once per scan.
    pub fn check_tree(self, cx: &Context, tree: &Tree, out: &mut Vec<TreeHit>) {
        match self {
            AnalyzerKind::Deps => deps::check_tree(cx, tree, out),
            AnalyzerKind::Repo => repo::check_tree(cx, tree, out),
            AnalyzerKind::Dockerfile => dockerfile::check_tree(cx, tree, out),
            AnalyzerKind::Actions
            | AnalyzerKind::Code
            | AnalyzerKind::Compose
            | AnalyzerKind::Kubernetes
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
    check: fn(&Source, &mut Vec<Hit>),
) -> Vec<(&'static str, u32, String)> {
    let src = Source::new(path, kind, text.as_bytes());
    let mut out = Vec::new();
    check(&src, &mut out);
    out.into_iter()
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
    };
    let tree = Tree {
        root: dir.path(),
        files: &tree_files,
    };
    let mut out = Vec::new();
    check(&cx, &tree, &mut out);
    out
}
