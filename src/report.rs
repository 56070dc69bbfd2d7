//! The result of a scan: findings (sorted), what was read and skipped, and notes for the user.

use crate::catalog::Severity;
use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// How every parse-error note starts (printers that classify notes, such as SARIF's, use it).
pub const PARSE_ERROR_NOTE: &str = "could not parse ";

/// Why a file was not read, or (`ParseError`) read but not analysed structurally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    Binary,
    TooLarge,
    Symlink,
    Unreadable,
    /// Read, and its text rules ran (so it is in `files_scanned` too), but a structural
    /// analyzer (YAML, JSON, TOML, Dockerfile) could not parse it; a note says where.
    ParseError,
    /// FIFOs, sockets and devices: never opened.
    Special,
    /// Read, but one of its checks crashed (a bug in seccoach); the others ran, and a note
    /// names the check. In `files_scanned` too.
    Crashed,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "over the size limit",
            SkipReason::Symlink => "symbolic links (not followed)",
            SkipReason::Unreadable => "unreadable",
            SkipReason::ParseError => "not parsed, text rules only",
            SkipReason::Special => "FIFOs, sockets and devices (not opened)",
            SkipReason::Crashed => "not fully checked (a check crashed)",
        }
    }

    /// True when a file skipped for this reason was still read (and counted as scanned).
    pub fn still_read(self) -> bool {
        matches!(self, SkipReason::ParseError | SkipReason::Crashed)
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
    /// Files not read at all: with `files_scanned`, every file the walk met (a `parse-error`
    /// file is scanned, so it is not in this total).
    pub fn skipped_total(&self) -> u64 {
        self.skipped
            .iter()
            .filter(|(reason, _)| !reason.still_read())
            .map(|(_, n)| n)
            .sum()
    }

    /// Files read whose structure an analyzer could not parse.
    pub fn parse_errors(&self) -> u64 {
        self.skipped
            .get(&SkipReason::ParseError)
            .copied()
            .unwrap_or(0)
    }

    /// "skipped 3 files (2 binary, 1 over the size limit); 1 file not parsed, text rules
    /// only": what the scan did not fully check, for every format's summary. Empty when the
    /// scan checked everything.
    pub fn skipped_summary(&self) -> String {
        let plural = |n: u64| if n == 1 { "file" } else { "files" };
        let mut parts = Vec::new();
        let unread = self.skipped_total();
        if unread > 0 {
            let reasons: Vec<String> = self
                .skipped
                .iter()
                .filter(|(reason, _)| !reason.still_read())
                .map(|(reason, n)| format!("{n} {}", reason.describe()))
                .collect();
            parts.push(format!(
                "skipped {unread} {} ({})",
                plural(unread),
                reasons.join(", ")
            ));
        }
        let unparsed = self.parse_errors();
        if unparsed > 0 {
            parts.push(format!(
                "{unparsed} {} not parsed, text rules only",
                plural(unparsed)
            ));
        }
        let crashed = self.skipped.get(&SkipReason::Crashed).copied().unwrap_or(0);
        if crashed > 0 {
            parts.push(format!(
                "{crashed} {} not fully checked (a check crashed)",
                plural(crashed)
            ));
        }
        parts.join("; ")
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
    /// With `scan --history`: what the walk read, and where each finding came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<crate::history::History>,
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

    /// With `scan --history`: where `findings[index]` came from.
    pub fn origin(&self, index: usize) -> Option<&crate::history::Origin> {
        self.history.as_ref()?.origins.get(index)
    }

    /// Number of distinct files with findings.
    pub fn files_with_findings(&self) -> usize {
        self.findings
            .iter()
            .map(|f| f.path.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_with_findings_counts_distinct_paths_in_any_order() {
        let finding = |path: &str| Finding {
            rule: crate::catalog::RuleId::try_from("repo/env-file-committed".to_owned()).unwrap(),
            severity: Severity::High,
            confidence: crate::catalog::Confidence::High,
            path: path.to_owned(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 2,
            message: String::new(),
            snippet: String::new(),
            snippet_column: 0,
            fingerprint: String::new(),
            legacy_fingerprint: None,
            fix: crate::catalog::Autofix::None,
            in_test_code: false,
        };
        let report = Report {
            findings: vec![finding("b.py"), finding("a.py"), finding("b.py")],
            ..Report::default()
        };
        assert_eq!(report.files_with_findings(), 2);
    }

    #[test]
    fn parse_errors_are_scanned_files_not_unread_ones() {
        let mut stats = Stats {
            files_scanned: 5,
            ..Stats::default()
        };
        assert_eq!(stats.skipped_summary(), "");
        stats.skipped.insert(SkipReason::ParseError, 1);
        assert_eq!(stats.skipped_total(), 0);
        assert_eq!(
            stats.skipped_summary(),
            "1 file not parsed, text rules only"
        );
        stats.skipped.insert(SkipReason::Binary, 2);
        stats.skipped.insert(SkipReason::TooLarge, 1);
        assert_eq!(stats.skipped_total(), 3);
        assert_eq!(
            stats.skipped_summary(),
            "skipped 3 files (2 binary, 1 over the size limit); 1 file not parsed, text rules only"
        );
    }
}
