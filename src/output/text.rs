//! The default, human format: findings grouped by file, each with a code frame, a caret, the
//! one-line fix and where to read more; findings in test, example and documentation code in
//! their own group after the rest; then a summary.

use super::style::Style;
use crate::catalog::Catalog;
use crate::display::sanitize;
use crate::finding::Finding;
use crate::report::Report;
use std::fmt::Write;

pub fn render(report: &Report, catalog: &Catalog, style: Style) -> String {
    if report.history.is_some() {
        return render_history(report, catalog, style);
    }
    let mut out = String::new();
    let (tests, rest): (Vec<&Finding>, Vec<&Finding>) =
        report.findings.iter().partition(|f| f.in_test_code);
    render_group(&mut out, &rest, catalog, style);
    if !tests.is_empty() {
        let count = tests.len();
        let _ = writeln!(
            out,
            "{}",
            style.bold(&format!(
                "In test, example and documentation code ({count} {}):",
                if count == 1 { "finding" } else { "findings" }
            ))
        );
        out.push('\n');
        render_group(&mut out, &tests, catalog, style);
    }
    out.push_str(&summary(report, style));
    out
}

/// Findings grouped by file (they come sorted by path), with a blank line after each file.
fn render_group(out: &mut String, findings: &[&Finding], catalog: &Catalog, style: Style) {
    let mut current: Option<&str> = None;
    for finding in findings {
        if current != Some(finding.path.as_str()) {
            if current.is_some() {
                out.push('\n');
            }
            let _ = writeln!(out, "{}", style.bold(&sanitize(&finding.path)));
            current = Some(&finding.path);
        }
        render_finding(out, finding, catalog, style);
    }
    if !findings.is_empty() {
        out.push('\n');
    }
}

/// `scan --history`: findings grouped by the commit that introduced them, newest first, each
/// under its path at that commit.
fn render_history(report: &Report, catalog: &Catalog, style: Style) -> String {
    let mut out = String::new();
    let mut current: Option<(&str, &str)> = None;
    for (i, finding) in report.findings.iter().enumerate() {
        let Some(origin) = report.origin(i) else {
            continue;
        };
        if current.map(|(c, _)| c) != Some(origin.commit.as_str()) {
            if current.is_some() {
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "{} {}",
                style.bold(&format!("commit {}", origin.commit)),
                style.dim(&format!("({})", origin.commit_date))
            );
            current = Some((&origin.commit, ""));
        }
        if current.map(|(_, p)| p) != Some(finding.path.as_str()) {
            let where_now = if origin.in_head {
                "still in HEAD"
            } else {
                "no longer in HEAD, still in the history"
            };
            let _ = writeln!(
                out,
                "  {}  {}",
                style.bold(&sanitize(&finding.path)),
                style.dim(&format!("({where_now})"))
            );
            current = Some((&origin.commit, &finding.path));
        }
        render_finding(&mut out, finding, catalog, style);
    }
    if !report.findings.is_empty() {
        let _ = write!(out, "\n{}\n\n", crate::history::CLEANUP);
    }
    out.push_str(&summary(report, style));
    out
}

fn render_finding(out: &mut String, finding: &Finding, catalog: &Catalog, style: Style) {
    let severity = finding.severity.as_str();
    let _ = writeln!(
        out,
        "  {}  {} {}  {}",
        style.dim(&format!("{}:{}", finding.line, finding.column)),
        style.severity(finding.severity, &format!("{severity:<8}")),
        style.accent(finding.rule.as_str()),
        finding.message
    );
    let gutter = finding.line.to_string().len();
    let pad = " ".repeat(gutter);
    if !finding.snippet.trim().is_empty() {
        let _ = writeln!(out, "  {pad} {}", style.dim("|"));
        let _ = writeln!(
            out,
            "  {} {} {}",
            style.dim(&finding.line.to_string()),
            style.dim("|"),
            finding.snippet
        );
        let caret_at = finding.caret_column();
        let snippet_len = finding.snippet.chars().count();
        let width = if finding.end_line == finding.line {
            (finding.end_column.saturating_sub(finding.column) as usize).max(1)
        } else {
            snippet_len.saturating_sub(caret_at).max(1)
        }
        .min(snippet_len.saturating_sub(caret_at).max(1));
        let _ = writeln!(
            out,
            "  {pad} {} {}{}",
            style.dim("|"),
            " ".repeat(caret_at),
            style.severity(finding.severity, &"^".repeat(width))
        );
    }
    if let Some(rule) = catalog.rule(finding.rule.as_str()) {
        let _ = writeln!(
            out,
            "  {pad} {} fix: {}",
            style.dim("="),
            sanitize(&rule.fix_hint())
        );
    }
    let _ = writeln!(
        out,
        "  {pad} {} see: seccoach explain {}",
        style.dim("="),
        finding.rule
    );
}

/// The closing summary line(s), also used by other front ends.
pub fn summary(report: &Report, style: Style) -> String {
    let mut out = String::new();
    let total = report.findings.len();
    if total == 0 {
        let _ = write!(out, "{}", style.bold("No findings."));
    } else {
        let parts: Vec<String> = report
            .counts()
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| style.severity(s, &format!("{n} {s}")))
            .collect();
        let _ = write!(
            out,
            "{} {} in {} {} ({})",
            style.bold(&total.to_string()),
            if total == 1 { "finding" } else { "findings" },
            report.files_with_findings(),
            if report.files_with_findings() == 1 {
                "file"
            } else {
                "files"
            },
            parts.join(", ")
        );
        let in_tests = report.findings.iter().filter(|f| f.in_test_code).count();
        if in_tests > 0 {
            let _ = write!(
                out,
                "; {in_tests} of them in test, example or documentation code"
            );
        }
    }
    let stats = &report.stats;
    let _ = write!(
        out,
        "\nScanned {} {} ({}) with {} {}",
        stats.files_scanned,
        if stats.files_scanned == 1 {
            "file"
        } else {
            "files"
        },
        human_bytes(stats.bytes_scanned),
        stats.rules,
        if stats.rules == 1 { "rule" } else { "rules" }
    );
    let skipped = stats.skipped_summary();
    if !skipped.is_empty() {
        let _ = write!(out, "; {skipped}");
    }
    if stats.suppressed > 0 {
        let _ = write!(out, "; {} suppressed inline", stats.suppressed);
    }
    if stats.baselined > 0 {
        let _ = write!(out, "; {} in the baseline", stats.baselined);
    }
    if stats.truncated > 0 {
        let _ = write!(
            out,
            "; {} rule(s) cut short in a file (see the notes)",
            stats.truncated
        );
    }
    out.push_str(".\n");
    if let Some(history) = &report.history {
        let _ = writeln!(out, "{}.", history.summary());
    }
    out
}

/// `1.2 MiB`-style sizes.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
