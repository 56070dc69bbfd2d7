//! A rule's full documentation as Markdown, generated from its one definition in the catalogue.
//! `seccoach explain`, SARIF rule help and the TUI detail pane all use this.

use crate::catalog::{Catalog, Rule};
use std::fmt::Write;

/// What / why / fix / example / references / lessons, as Markdown.
pub fn markdown(rule: &Rule, catalog: &Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} (`{}`)\n", rule.title, rule.id);
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
    let _ = writeln!(out, "## What it is\n\n{}\n", rule.what.trim());
    let _ = writeln!(out, "## Why it matters\n\n{}\n", rule.why.trim());
    let _ = writeln!(out, "## How to fix it\n\n{}\n", rule.fix.trim());
    let lang = &rule.example.language;
    let _ = writeln!(
        out,
        "### Before\n\n```{lang}\n{}\n```\n",
        rule.example.before.trim_end()
    );
    let _ = writeln!(
        out,
        "### After\n\n```{lang}\n{}\n```\n",
        rule.example.after.trim_end()
    );
    let _ = writeln!(out, "## References\n");
    for reference in &rule.references {
        let _ = writeln!(out, "- {}", crate::catalog::reference::markdown(reference));
    }
    let lessons = catalog.lessons_for_rule(rule.id.as_str());
    if !lessons.is_empty() {
        let _ = writeln!(out, "\n## Learn more\n");
        for lesson in lessons {
            let _ = writeln!(out, "- {} — `seccoach learn {}`", lesson.title, lesson.id);
        }
    }
    out
}
