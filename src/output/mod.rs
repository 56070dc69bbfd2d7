//! Printers: a `Report` in, text out. Each format is a pure function of the report and the
//! catalogue, so output is deterministic and testable.

pub mod explain;
pub mod gitlab;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod style;
pub mod text;

use crate::catalog::Catalog;
use crate::report::Report;
use serde::ser::{Serialize, SerializeSeq, Serializer};

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
    /// GitLab's SAST report (`artifacts:reports:sast`), for merge requests and the
    /// vulnerability report.
    GitlabSast,
}

/// Renders `report` in `format`.
pub fn render(format: Format, report: &Report, catalog: &Catalog, style: style::Style) -> String {
    match format {
        Format::Text => text::render(report, catalog, style),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report, catalog),
        Format::Markdown => markdown::render(report, catalog),
        // A report rendered on its own (`scan --watch`) was made just now.
        Format::GitlabSast => {
            let now = jiff::Timestamp::now();
            gitlab::render(report, catalog, now, now)
        }
    }
}

/// A JSON array whose elements are made one at a time as they are written: a report's findings
/// become JSON without a tree of values for all of them at once, so memory stays at the
/// report, the output text and one element (a value tree costs several kilobytes a finding).
/// `make` returns `None` for an item that is left out.
pub(crate) struct Each<'a, T, V> {
    items: &'a [T],
    make: Make<'a, T, V>,
}

/// How [`Each`] makes an element from an item (and its index in the items).
type Make<'a, T, V> = Box<dyn Fn(usize, &T) -> Option<V> + 'a>;

impl<'a, T, V> Each<'a, T, V> {
    /// `make` is given each item and its index (a history finding's origin is found by it).
    pub(crate) fn indexed(
        items: &'a [T],
        make: impl Fn(usize, &T) -> Option<V> + 'a,
    ) -> Each<'a, T, V> {
        Each {
            items,
            make: Box::new(make),
        }
    }
}

impl<T, V: Serialize> Serialize for Each<'_, T, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for (index, item) in self.items.iter().enumerate() {
            if let Some(element) = (self.make)(index, item) {
                seq.serialize_element(&element)?;
            }
        }
        seq.end()
    }
}
