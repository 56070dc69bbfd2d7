//! `--format markdown`: a summary fit for a pull-request comment — counts, then a table of
//! findings (capped, so a comment stays readable), then how to learn more.

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
        return out;
    }
    let counts: Vec<String> = report
        .counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("**{n}** {s}"))
        .collect();
    let _ = writeln!(
        out,
        "{} in {} ({}).\n",
        crate::display::count(report.findings.len(), "finding"),
        crate::display::count(report.files_with_findings(), "file"),
        counts.join(", ")
    );
    out.push_str("| Severity | Rule | Location | Finding |\n|---|---|---|---|\n");
    for finding in report.findings.iter().take(MAX_ROWS) {
        let title = catalog
            .rule(finding.rule.as_str())
            .map_or("", |r| r.title.as_str());
        let _ = writeln!(
            out,
            "| {} | `{}` {} | `{}:{}` | {} |",
            finding.severity,
            finding.rule,
            cell(title),
            cell(&finding.path),
            finding.line,
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
    out.push_str(
        "\nRun `seccoach explain <rule>` for what each finding means and how to fix it.\n",
    );
    out
}
