//! Hands-on labs: a small vulnerable project the learner copies out, fixes in their own editor,
//! and has checked by the same rules that teach the lesson.
//!
//! A lab lives in `lessons/labs/<id>/`: `lab.toml` (goal, progressive hints, the rule ids that
//! must be gone, and invariants that must still hold so that deleting the file does not pass)
//! and `project/`, the files the learner starts from. Everything is embedded in the binary.

use crate::catalog::{Catalog, LoadError};
use crate::finding::Finding;
use crate::scan::{ScanOptions, Scanner};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Something that must still be true of the learner's project when the lab is solved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invariant {
    /// File, relative to the lab folder.
    pub path: String,
    /// A regex the file must match (multi-line mode).
    #[serde(default)]
    pub matches: Option<String>,
    /// What it protects, in words ("the app still reads the key from the environment").
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabFile {
    id: String,
    lesson: String,
    title: String,
    goal: String,
    hints: Vec<String>,
    rules: Vec<String>,
    #[serde(default)]
    invariant: Vec<Invariant>,
}

/// A lab: its definition and its starting files.
#[derive(Debug, Clone, Serialize)]
pub struct Lab {
    pub id: String,
    pub lesson: String,
    pub title: String,
    pub goal: String,
    pub hints: Vec<String>,
    pub rules: Vec<String>,
    pub invariants: Vec<Invariant>,
    /// (path relative to the project root, content)
    #[serde(skip)]
    pub files: Vec<(String, String)>,
}

/// What `check` found.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Findings of the lab's rules still present.
    pub remaining: Vec<Finding>,
    /// Invariants that no longer hold.
    pub broken: Vec<Invariant>,
}

impl Outcome {
    pub fn solved(&self) -> bool {
        self.remaining.is_empty() && self.broken.is_empty()
    }
}

/// A lab's files before parsing: `(path, lab.toml)` and `(path, text)` per project file.
type LabSources<'a> = (Option<(String, &'a str)>, Vec<(String, String)>);

/// Every embedded lab, sorted by id, validated against the catalogue.
pub fn all(catalog: &Catalog) -> Result<Vec<Lab>, LoadError> {
    let mut by_id: BTreeMap<String, LabSources> = BTreeMap::new();
    for (path, text) in catalog.lab_files() {
        let Some((id, rest)) = path.split_once('/') else {
            continue;
        };
        let entry = by_id.entry(id.to_owned()).or_default();
        if rest == "lab.toml" {
            entry.0 = Some((format!("lessons/labs/{path}"), text));
        } else if let Some(file) = rest.strip_prefix("project/") {
            entry.1.push((file.to_owned(), text.clone()));
        }
    }
    let mut labs = Vec::new();
    for (dir, (definition, files)) in by_id {
        let Some((file, text)) = definition else {
            return Err(LoadError::at(
                &format!("lessons/labs/{dir}"),
                None,
                "lab folder without lab.toml",
            ));
        };
        labs.push(parse(&file, text, files, catalog)?);
    }
    Ok(labs)
}

fn parse(
    file: &str,
    text: &str,
    files: Vec<(String, String)>,
    catalog: &Catalog,
) -> Result<Lab, LoadError> {
    let raw: LabFile = toml::from_str(text).map_err(|e| {
        LoadError::at(
            file,
            e.span().map(|s| crate::catalog::line_of(text, s.start)),
            e.message().trim().to_owned(),
        )
    })?;
    let err = |message: String| LoadError::at(file, None, message);
    if !file.contains(&format!("/{}/", raw.id)) {
        return Err(err(format!(
            "lab id `{}` does not match its folder",
            raw.id
        )));
    }
    if catalog.lesson(&raw.lesson).is_none() {
        return Err(err(format!(
            "lab `{}` names unknown lesson `{}`",
            raw.id, raw.lesson
        )));
    }
    for rule in &raw.rules {
        if catalog.rule(rule).is_none() {
            return Err(err(format!("lab `{}` names unknown rule `{rule}`", raw.id)));
        }
    }
    for inv in &raw.invariant {
        if let Some(pattern) = &inv.matches {
            Regex::new(pattern)
                .map_err(|e| err(format!("invariant on {}: bad regex: {e}", inv.path)))?;
        }
    }
    if raw.rules.is_empty() || raw.hints.is_empty() || files.is_empty() {
        return Err(err(format!(
            "lab `{}` needs rules, hints and project files",
            raw.id
        )));
    }
    Ok(Lab {
        id: raw.id,
        lesson: raw.lesson,
        title: raw.title,
        goal: raw.goal,
        hints: raw.hints,
        rules: raw.rules,
        invariants: raw.invariant,
        files,
    })
}

/// The lab with this id.
pub fn find(catalog: &Catalog, id: &str) -> anyhow::Result<Lab> {
    let labs = all(catalog)?;
    let known: Vec<String> = labs.iter().map(|l| l.id.clone()).collect();
    labs.into_iter()
        .find(|l| l.id == id)
        .ok_or_else(|| anyhow::anyhow!("unknown lab `{id}` (labs: {})", known.join(", ")))
}

/// Copies the lab's starting project into `dir`, which must be missing or an empty folder (a
/// link to an empty folder fills the folder it points to). Every error names the path it is
/// about, and nothing is left behind when it fails.
pub fn start(lab: &Lab, dir: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let shown = |path: &Path| crate::display::sanitize(&path.display().to_string()).into_owned();
    let dir = match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => match dir.canonicalize() {
            Ok(real) => real,
            Err(_) => {
                let target = std::fs::read_link(dir).unwrap_or_default();
                anyhow::bail!(
                    "{} is a link to {}, which does not exist; choose another folder or create that one (nothing was written)",
                    shown(dir),
                    shown(&target)
                );
            }
        },
        _ => dir.to_path_buf(),
    };
    let dir = dir.as_path();
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => {
            let mut entries =
                std::fs::read_dir(dir).with_context(|| format!("reading {}", shown(dir)))?;
            if entries.next().is_some() {
                anyhow::bail!(
                    "{} is not empty; choose a new folder (nothing was written)",
                    shown(dir)
                );
            }
        }
        Ok(_) => anyhow::bail!(
            "{} exists and is not a folder; choose a new folder (nothing was written)",
            shown(dir)
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", shown(dir))),
    }
    let parent = match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", shown(parent)))?;
    // Built beside the target and renamed into place, with interrupts held back: the copy is
    // whole or absent, never a half-copied folder that a second `lab start` would refuse. The
    // staging folder is removed on every error (it is only kept once renamed into place).
    crate::persist::uninterrupted(|| {
        let staging = tempfile::Builder::new()
            .prefix(".seccoach-lab-")
            .tempdir_in(parent)
            .with_context(|| format!("creating a folder in {}", shown(parent)))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("setting permissions of {}", shown(staging.path())))?;
        }
        for (rel, text) in &lab.files {
            let path = staging.path().join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", shown(parent)))?;
            }
            std::fs::write(&path, text.as_bytes())
                .with_context(|| format!("writing {}", shown(&path)))?;
        }
        if dir.exists() {
            std::fs::remove_dir(dir).with_context(|| format!("replacing {}", shown(dir)))?;
        }
        std::fs::rename(staging.path(), dir)
            .with_context(|| format!("moving the lab into {}", shown(dir)))?;
        let _ = staging.keep();
        Ok(())
    })
}

/// Checks the learner's copy in `dir`: scans it with the embedded catalogue and tests the
/// invariants.
pub fn check(lab: &Lab, catalog: Arc<Catalog>, dir: &Path) -> anyhow::Result<Outcome> {
    if !dir.is_dir() {
        anyhow::bail!(
            "{} does not exist; run `seccoach lab start {}` first",
            dir.display(),
            lab.id
        );
    }
    let scanner = Scanner::new(catalog, ScanOptions::default());
    let report = scanner.scan(dir)?;
    let remaining = report
        .findings
        .into_iter()
        .filter(|f| lab.rules.iter().any(|r| r == f.rule.as_str()))
        .collect();
    let broken = lab
        .invariants
        .iter()
        .filter(|inv| !holds(inv, dir))
        .cloned()
        .collect();
    Ok(Outcome { remaining, broken })
}

fn holds(invariant: &Invariant, dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join(&invariant.path)) else {
        return false;
    };
    match &invariant.matches {
        None => true,
        Some(pattern) => regex::RegexBuilder::new(pattern)
            .multi_line(true)
            .build()
            .is_ok_and(|re| re.is_match(&text)),
    }
}

/// Where `lab start` puts a lab when no folder is given.
pub fn default_dir(data_dir: &Path, id: &str) -> PathBuf {
    data_dir.join("labs").join(id)
}

/// The default folder of lab `id` beside `store`'s progress file, in the same data directory
/// (`SECCOACH_HOME` or the platform's). `seccoach lab` and the coach both use it.
pub fn dir_for(store: &crate::progress::Store, id: &str) -> PathBuf {
    let data = store.path().parent().unwrap_or(Path::new("."));
    default_dir(data, id)
}

/// Which hint to show next: remembers, in the lab folder, how many checks failed so far.
pub fn next_hint<'l>(lab: &'l Lab, dir: &Path) -> &'l str {
    let state = dir.join(".seccoach-lab");
    let shown: usize = std::fs::read_to_string(&state)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
    let index = shown.min(lab.hints.len().saturating_sub(1));
    let _ = crate::persist::write_atomic(&state, format!("{}\n", shown + 1).as_bytes());
    &lab.hints[index]
}
