//! Printers: a `Report` in, text out. Each format is a pure function of the report and the
//! catalogue, so output is deterministic and testable.

pub mod explain;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod style;
pub mod text;

use crate::catalog::Catalog;
use crate::report::Report;

/// The formats `seccoach scan` can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by file with code frames, for people.
    Text,
    /// A versioned JSON object, for scripts.
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub and others).
    Sarif,
    /// A summary fit for a pull-request comment.
    Markdown,
}

/// Renders `report` in `format`.
pub fn render(format: Format, report: &Report, catalog: &Catalog, style: style::Style) -> String {
    match format {
        Format::Text => text::render(report, catalog, style),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report, catalog),
        Format::Markdown => markdown::render(report, catalog),
    }
}
