//! Onboarding plans: `.seccoach/onboarding.toml` lists, in sections, the lessons and labs a new
//! team member should complete. Unknown ids are errors naming the file and line; completion
//! comes from the learner's progress.
//!
//! ```toml
//! [[section]]
//! title = "Week one"
//! lessons = ["day-one/pipeline-security", "secrets/how-secrets-leak"]
//! labs = ["secrets-to-env"]
//! ```

use crate::catalog::{Catalog, LoadError, line_of};
use crate::progress::Progress;
use serde::{Deserialize, Serialize};
use std::path::Path;
use toml::Spanned;

/// Where a repository keeps its plan.
pub const PATH: &str = ".seccoach/onboarding.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    section: Vec<RawSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    title: String,
    #[serde(default)]
    lessons: Vec<Spanned<String>>,
    #[serde(default)]
    labs: Vec<Spanned<String>>,
}

/// A plan, validated against the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub lessons: Vec<String>,
    pub labs: Vec<String>,
}

/// One item of a plan with its completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// `lesson` or `lab`.
    pub kind: &'static str,
    pub id: String,
    pub title: String,
    pub done: bool,
}

/// A section with its items' completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionStatus {
    pub title: String,
    pub done: usize,
    pub total: usize,
    pub items: Vec<Item>,
}

/// A plan's completion for one learner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub done: usize,
    pub total: usize,
    pub sections: Vec<SectionStatus>,
}

impl Plan {
    /// Reads `root/.seccoach/onboarding.toml`; `None` when the repository has none.
    pub fn load(root: &Path, catalog: &Catalog) -> Result<Option<Plan>, LoadError> {
        let path = root.join(PATH);
        let name = path.display().to_string();
        match crate::regular::read(&path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes)
                    .map_err(|_| LoadError::at(&name, None, "file is not valid UTF-8"))?;
                Plan::parse(&name, &text, catalog).map(Some)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(LoadError::at(&name, None, e.to_string())),
        }
    }

    /// Parses the text of a plan file named `name`.
    pub fn parse(name: &str, text: &str, catalog: &Catalog) -> Result<Plan, LoadError> {
        let raw: RawPlan = toml::from_str(text).map_err(|e| {
            LoadError::at(
                name,
                e.span().map(|s| line_of(text, s.start)),
                e.message().trim().to_owned(),
            )
        })?;
        let labs = crate::lab::all(catalog)?;
        let mut sections = Vec::new();
        for section in raw.section {
            for lesson in &section.lessons {
                if catalog.lesson(lesson.get_ref()).is_none() {
                    return Err(LoadError::at(
                        name,
                        Some(line_of(text, lesson.span().start)),
                        format!(
                            "unknown lesson `{}` (see `seccoach lessons`)",
                            crate::display::sanitize(lesson.get_ref())
                        ),
                    ));
                }
            }
            for lab in &section.labs {
                if !labs.iter().any(|l| &l.id == lab.get_ref()) {
                    return Err(LoadError::at(
                        name,
                        Some(line_of(text, lab.span().start)),
                        format!(
                            "unknown lab `{}` (see `seccoach lab list`)",
                            crate::display::sanitize(lab.get_ref())
                        ),
                    ));
                }
            }
            sections.push(Section {
                title: section.title,
                lessons: section
                    .lessons
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect(),
                labs: section.labs.into_iter().map(Spanned::into_inner).collect(),
            });
        }
        Ok(Plan { sections })
    }

    /// How far `progress` has come: a lesson is done when read to the end, a lab when solved.
    pub fn status(&self, catalog: &Catalog, progress: &Progress) -> Status {
        let labs = crate::lab::all(catalog).unwrap_or_default();
        let sections: Vec<SectionStatus> = self
            .sections
            .iter()
            .map(|section| {
                let lessons = section.lessons.iter().map(|id| Item {
                    kind: "lesson",
                    id: id.clone(),
                    title: catalog
                        .lesson(id)
                        .map_or_else(|| id.clone(), |l| l.title.clone()),
                    done: progress.is_read(id),
                });
                let lab_items = section.labs.iter().map(|id| Item {
                    kind: "lab",
                    id: id.clone(),
                    title: labs
                        .iter()
                        .find(|l| &l.id == id)
                        .map_or_else(|| id.clone(), |l| l.title.clone()),
                    done: progress.labs_solved.contains(id),
                });
                let items: Vec<Item> = lessons.chain(lab_items).collect();
                SectionStatus {
                    title: section.title.clone(),
                    done: items.iter().filter(|i| i.done).count(),
                    total: items.len(),
                    items,
                }
            })
            .collect();
        Status {
            done: sections.iter().map(|s| s.done).sum(),
            total: sections.iter().map(|s| s.total).sum(),
            sections,
        }
    }
}

impl Status {
    /// The plan as text, for a terminal.
    pub fn text(&self) -> String {
        let mut out = format!("Onboarding plan: {} of {} done\n", self.done, self.total);
        for section in &self.sections {
            out.push_str(&format!(
                "\n{} ({}/{})\n",
                crate::display::sanitize(&section.title),
                section.done,
                section.total
            ));
            for item in &section.items {
                out.push_str(&format!(
                    "  [{}] {:<6} {}  {}\n",
                    if item.done { "x" } else { " " },
                    item.kind,
                    crate::display::sanitize(&item.id),
                    crate::display::sanitize(&item.title)
                ));
            }
        }
        out
    }

    /// The plan as Markdown, headed at `level` (`##`: a section of a larger report).
    pub fn markdown(&self, level: &str) -> String {
        let cell = |t: &str| crate::display::sanitize(t).replace('`', "'");
        let mut out = format!(
            "{level} Onboarding plan\n\n{} of {} done.\n",
            self.done, self.total
        );
        for section in &self.sections {
            out.push_str(&format!(
                "\n{level}# {} ({}/{})\n\n",
                cell(&section.title),
                section.done,
                section.total
            ));
            for item in &section.items {
                out.push_str(&format!(
                    "- [{}] {} {} (`{}`)\n",
                    if item.done { "x" } else { " " },
                    item.kind,
                    cell(&item.title),
                    cell(&item.id)
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"
[[section]]
title = "Week one"
lessons = ["day-one/pipeline-security", "secrets/how-secrets-leak"]
labs = ["secrets-to-env"]

[[section]]
title = "Week two"
lessons = ["secure-code/injection"]
"#;

    #[test]
    fn completion_follows_progress() {
        let catalog = Catalog::embedded().unwrap();
        let plan = Plan::parse("onboarding.toml", PLAN, &catalog).unwrap();
        let mut progress = Progress::default();
        progress
            .lessons_read
            .insert("secrets/how-secrets-leak".into());
        progress.labs_solved.insert("secrets-to-env".into());
        let status = plan.status(&catalog, &progress);
        assert_eq!((status.done, status.total), (2, 4));
        assert_eq!((status.sections[0].done, status.sections[0].total), (2, 3));
        assert!(!status.sections[0].items[0].done);
        assert!(status.text().contains("[x] lab    secrets-to-env"));
        assert!(status.markdown("##").contains("### Week two (0/1)"));
    }

    #[test]
    fn unknown_ids_name_the_line() {
        let catalog = Catalog::embedded().unwrap();
        let bad = PLAN.replace("\"secure-code/injection\"", "\"secure-code/nope\"");
        let err = Plan::parse("onboarding.toml", &bad, &catalog).unwrap_err();
        assert_eq!(err.line, Some(9), "{err}");
        assert!(
            err.message.contains("unknown lesson `secure-code/nope`"),
            "{err}"
        );
        let bad = PLAN.replace("\"secrets-to-env\"", "\"no-such-lab\"");
        let err = Plan::parse("onboarding.toml", &bad, &catalog).unwrap_err();
        assert_eq!(err.line, Some(5), "{err}");
        assert!(err.message.contains("unknown lab"), "{err}");
        let err = Plan::parse("onboarding.toml", "[[section]]\ntitle = 1\n", &catalog).unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
    }
}
