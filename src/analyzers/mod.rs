//! Analyses that need structure (Dockerfile instructions, YAML documents, the file tree).
//!
//! Each analyzer is one module plus one `AnalyzerKind` variant. It declares the rule ids it can
//! emit (`RULES`); the texts of those rules live in the TOML catalogue like every other rule, and
//! loading checks that the two agree. The exhaustive `match`es below are the only other place a
//! new analyzer touches.

pub mod dockerfile;
pub mod secrets;
pub mod suppressions;

use crate::catalog::Catalog;
use crate::source::{FileKind, Source};
use serde::Deserialize;
use std::ops::Range;
use std::path::Path;

/// The analyzers a rule can name with `matcher = { type = "analyzer", analyzer = "…" }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnalyzerKind {
    Dockerfile,
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
}

impl Hit {
    pub fn new(rule: &'static str, span: Range<usize>) -> Hit {
        Hit {
            rule,
            span,
            value: None,
        }
    }

    pub fn with_value(mut self, value: impl Into<String>) -> Hit {
        self.value = Some(value.into());
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
}

impl AnalyzerKind {
    pub const ALL: [AnalyzerKind; 3] = [
        AnalyzerKind::Dockerfile,
        AnalyzerKind::Secrets,
        AnalyzerKind::Suppressions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AnalyzerKind::Dockerfile => "dockerfile",
            AnalyzerKind::Secrets => "secrets",
            AnalyzerKind::Suppressions => "suppressions",
        }
    }

    /// The rule ids this analyzer may emit.
    pub fn rules(self) -> &'static [&'static str] {
        match self {
            AnalyzerKind::Dockerfile => dockerfile::RULES,
            AnalyzerKind::Secrets => secrets::RULES,
            AnalyzerKind::Suppressions => suppressions::RULES,
        }
    }

    /// Runs the per-file part of the analysis on one file the rule filters accepted.
    pub fn check_file(self, cx: &Context, src: &Source, out: &mut Vec<Hit>) {
        match self {
            AnalyzerKind::Dockerfile => dockerfile::check(src, out),
            AnalyzerKind::Secrets => secrets::check(src, out),
            AnalyzerKind::Suppressions => suppressions::check(cx, src, out),
        }
    }

    /// Runs the whole-tree part of the analysis once per scan.
    pub fn check_tree(self, _cx: &Context, _tree: &Tree, _out: &mut Vec<TreeHit>) {
        match self {
            AnalyzerKind::Dockerfile | AnalyzerKind::Secrets | AnalyzerKind::Suppressions => {}
        }
    }
}
