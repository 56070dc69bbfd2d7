//! The result of a scan: findings (sorted), what was read and skipped, and notes for the user.

use crate::catalog::Severity;
use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Why a file was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    Binary,
    TooLarge,
    Symlink,
    Unreadable,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "over the size limit",
            SkipReason::Symlink => "symbolic links (not followed)",
            SkipReason::Unreadable => "unreadable",
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
    /// (rule, file) pairs whose findings were cut short: a rule reached its cap of reported
    /// findings in the file, or went over its work budget there (each has a note).
    #[serde(default)]
    pub truncated: u64,
    pub rules: usize,
}

impl Stats {
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// How many of the slowest (rule, file) pairs `scan --timings` keeps.
const SLOWEST_PAIRS: usize = 10;

/// With `scan --timings`: the time each rule (or analyzer, as `analyzer:NAME`) spent, in all
/// and on its slowest files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timings {
    /// Per rule: total time and the number of files it ran on.
    pub rules: BTreeMap<String, (Duration, u64)>,
    /// The slowest (time, rule, file) triples, slowest first.
    pub slowest: Vec<(Duration, String, String)>,
}

impl Timings {
    /// Adds one file's timings.
    pub fn record(&mut self, path: &str, entries: &[(String, Duration)]) {
        for (rule, time) in entries {
            let total = self.rules.entry(rule.clone()).or_default();
            total.0 += *time;
            total.1 += 1;
            let slower_than_kept = self.slowest.len() < SLOWEST_PAIRS
                || self.slowest.last().is_some_and(|(t, _, _)| time > t);
            if slower_than_kept {
                self.slowest.push((*time, rule.clone(), path.to_owned()));
                self.slowest
                    .sort_by(|a, b| b.0.cmp(&a.0).then_with(|| (&a.1, &a.2).cmp(&(&b.1, &b.2))));
                self.slowest.truncate(SLOWEST_PAIRS);
            }
        }
    }

    /// The table `scan --timings` prints: the `top` slowest rules, then the slowest pairs.
    pub fn render(&self, top: usize) -> String {
        use std::fmt::Write;
        let mut rules: Vec<(&String, &(Duration, u64))> = self.rules.iter().collect();
        rules.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(b.0)));
        let total: Duration = self.rules.values().map(|(t, _)| *t).sum();
        let mut out = format!(
            "seccoach: timings (time in rules, all threads: {:.3} s; a rule's first file includes \
             compiling it)\n  slowest rules:\n",
            total.as_secs_f64()
        );
        for (rule, (time, files)) in rules.into_iter().take(top) {
            let _ = writeln!(
                out,
                "    {:>9.3} ms  {:>7} files  {}",
                time.as_secs_f64() * 1e3,
                files,
                crate::display::sanitize(rule)
            );
        }
        out.push_str("  slowest rule x file:\n");
        for (time, rule, path) in &self.slowest {
            let _ = writeln!(
                out,
                "    {:>9.3} ms  {}  {}",
                time.as_secs_f64() * 1e3,
                crate::display::sanitize(rule),
                crate::display::sanitize(path)
            );
        }
        out
    }
}

/// Everything a printer or the TUI needs to show a scan's outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub stats: Stats,
    /// Diagnostics for the user (unreadable files, skipped rules), already sanitised.
    pub notes: Vec<String>,
    /// With `scan --timings`: where the time went (never part of a printed report).
    #[serde(skip)]
    pub timings: Timings,
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
