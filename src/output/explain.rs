//! A rule's full documentation as Markdown, generated from its one definition in the catalogue.
//! `seccoach explain`, SARIF rule help and the TUI detail pane all use this.

use crate::catalog::{Catalog, Rule};
use crate::display::{sanitize, sanitize_lines};
use std::fmt::Write;

/// One of `rule`'s texts as it may be shown: control characters escaped (line breaks kept) and,
/// for a repository's rule pack, anything secret-shaped redacted.
pub fn shown(rule: &Rule, catalog: &Catalog, text: &str) -> String {
    let clean = sanitize_lines(text.trim_end());
    if rule.origin.embedded {
        clean
    } else {
        crate::scan::secret_shaped(catalog, &clean).mask_text(&clean)
    }
}

/// What / why / fix / example / references / lessons, as Markdown. A repository's rule pack
/// wrote these texts: control characters are escaped, and anything secret-shaped (what the
/// secret rules would report) is redacted.
pub fn markdown(rule: &Rule, catalog: &Catalog) -> String {
    let text = |t: &str| shown(rule, catalog, t);
    let line = |t: &str| text(t).replace('\n', " ");
    let mut out = String::new();
    let _ = writeln!(out, "# {} (`{}`)\n", line(&rule.title), rule.id);
    let _ = writeln!(
        out,
        "Severity: **{}** · Confidence: **{}** · Fix: **{}**\n",
        rule.severity,
        rule.confidence,
        match rule.autofix {
            crate::catalog::Autofix::None => "manual",
            crate::catalog::Autofix::Safe => "automatic (safe)",
            crate::catalog::Autofix::NeedsReview => "automatic (review the diff)",
        }
    );
    let _ = writeln!(out, "## What it is\n\n{}\n", text(rule.what.trim()));
    let _ = writeln!(out, "## Why it matters\n\n{}\n", text(rule.why.trim()));
    let _ = writeln!(out, "## How to fix it\n\n{}\n", text(rule.fix.trim()));
    let lang = line(&rule.example.language);
    let _ = writeln!(
        out,
        "### Before\n\n```{lang}\n{}\n```\n",
        text(&rule.example.before)
    );
    let _ = writeln!(
        out,
        "### After\n\n```{lang}\n{}\n```\n",
        text(&rule.example.after)
    );
    let _ = writeln!(out, "## References\n");
    for reference in &rule.references {
        let _ = writeln!(
            out,
            "- {}",
            crate::catalog::reference::markdown(&line(reference))
        );
    }
    let lessons = catalog.lessons_for_rule(rule.id.as_str());
    if !lessons.is_empty() {
        let _ = writeln!(out, "\n## Learn more\n");
        for lesson in lessons {
            let _ = writeln!(
                out,
                "- {} — `seccoach learn {}`",
                sanitize(&lesson.title),
                lesson.id
            );
        }
    }
    out
}
