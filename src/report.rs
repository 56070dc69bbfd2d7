//! The result of a scan: findings (sorted), what was read and skipped, and notes for the user.

use crate::catalog::Severity;
use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a file was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    Binary,
    TooLarge,
    Symlink,
    Unreadable,
    /// FIFOs, sockets and devices: never opened.
    Special,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "over the size limit",
            SkipReason::Symlink => "symbolic links (not followed)",
            SkipReason::Unreadable => "unreadable",
            SkipReason::Special => "FIFOs, sockets and devices (not opened)",
        }
    }
}

/// Counts that describe the scan itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped: BTreeMap<SkipReason, u64>,
    pub suppressed: u64,
    pub baselined: u64,
    pub rules: usize,
}

impl Stats {
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// Everything a printer or the TUI needs to show a scan's outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub stats: Stats,
    /// Diagnostics for the user (unreadable files, skipped rules), already sanitised.
    pub notes: Vec<String>,
}

impl Report {
    /// Findings per severity, most severe first, zero counts included.
    pub fn counts(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .iter()
            .map(|&s| (s, self.findings.iter().filter(|f| f.severity == s).count()))
            .collect()
    }

    /// The worst severity present.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// True when some finding is at or above `threshold`.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.worst().is_some_and(|s| s >= threshold)
    }

    /// Number of distinct files with findings.
    pub fn files_with_findings(&self) -> usize {
        let mut paths: Vec<&str> = self.findings.iter().map(|f| f.path.as_str()).collect();
        paths.dedup();
        paths.len()
    }
}
