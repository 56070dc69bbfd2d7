//! `--format markdown`: a summary fit for a pull-request comment — counts, then a table of
//! findings (capped, so a comment stays readable; findings in test, example and documentation
//! code last, marked), then how to learn more.

use crate::catalog::Catalog;
use crate::display::sanitize;
use crate::report::Report;
use std::fmt::Write;

/// Most findings listed in the table.
const MAX_ROWS: usize = 50;

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    sanitize(text)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "'")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn render(report: &Report, catalog: &Catalog) -> String {
    let mut out = String::from("## seccoach\n\n");
    if report.findings.is_empty() {
        let _ = writeln!(
            out,
            "No findings in {} scanned files.",
            report.stats.files_scanned
        );
        not_checked(report, &mut out);
        return out;
    }
    let counts: Vec<String> = report
        .counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("**{n}** {s}"))
        .collect();
    let in_tests = report.findings.iter().filter(|f| f.in_test_code).count();
    let _ = writeln!(
        out,
        "{} in {} ({}){}.\n",
        crate::display::count(report.findings.len(), "finding"),
        crate::display::count(report.files_with_findings(), "file"),
        counts.join(", "),
        if in_tests > 0 {
            format!("; {in_tests} of them in test, example or documentation code, listed last")
        } else {
            String::new()
        }
    );
    out.push_str("| Severity | Rule | Location | Finding |\n|---|---|---|---|\n");
    // Stable: the report's order within each group.
    let mut rows: Vec<_> = report.findings.iter().collect();
    rows.sort_by_key(|f| f.in_test_code);
    for finding in rows.into_iter().take(MAX_ROWS) {
        let title = catalog
            .rule(finding.rule.as_str())
            .map_or("", |r| r.title.as_str());
        let _ = writeln!(
            out,
            "| {} | `{}` {} | `{}:{}`{} | {} |",
            finding.severity,
            finding.rule,
            cell(title),
            cell(&finding.path),
            finding.line,
            if finding.in_test_code {
                " (test code)"
            } else {
                ""
            },
            cell(&finding.message)
        );
    }
    if report.findings.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n…and {} more. Run `seccoach scan` locally for all of them.",
            report.findings.len() - MAX_ROWS
        );
    }
    not_checked(report, &mut out);
    out.push_str(
        "\nRun `seccoach explain <rule>` for what each finding means and how to fix it.\n",
    );
    out
}

/// Most notes listed; the rest are counted.
const MAX_NOTES: usize = 20;

/// What the scan skipped and its notes, so a comment never looks cleaner than the scan was.
fn not_checked(report: &Report, out: &mut String) {
    let skipped = report.stats.skipped_summary();
    if !skipped.is_empty() {
        let mut skipped = cell(&skipped);
        if let Some(first) = skipped.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        let _ = writeln!(out, "\n{skipped}.");
    }
    if report.notes.is_empty() {
        return;
    }
    out.push_str("\n**Not fully checked:**\n\n");
    for note in report.notes.iter().take(MAX_NOTES) {
        let _ = writeln!(out, "- {}", cell(note));
    }
    if report.notes.len() > MAX_NOTES {
        let _ = writeln!(
            out,
            "- …and {} more notes (`seccoach scan` prints them all).",
            report.notes.len() - MAX_NOTES
        );
    }
}
