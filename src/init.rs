//! `seccoach init`: puts seccoach into the repository's pipeline by writing a GitHub Actions
//! workflow that scans every push and pull request and uploads SARIF to code scanning.
//! The workflow itself follows every `actions/*` rule seccoach checks.

use crate::catalog::Severity;
use std::path::{Path, PathBuf};

const TEMPLATE: &str = include_str!("../assets/seccoach-workflow.yml");

/// Where the workflow goes, relative to the repository root.
pub const WORKFLOW_PATH: &str = ".github/workflows/seccoach.yml";

/// The workflow text for this version of seccoach and threshold.
pub fn workflow(fail_on: Severity) -> String {
    TEMPLATE
        .replace("{version}", env!("CARGO_PKG_VERSION"))
        .replace("{fail_on}", fail_on.as_str())
}

/// Writes the workflow under `root`; refuses to replace an existing file unless `force`. The
/// file is written as fixes are ([`crate::edit`]): inside the repository and never through a
/// link, so a repository cannot steer the write elsewhere.
pub fn write(root: &Path, fail_on: Severity, force: bool) -> anyhow::Result<PathBuf> {
    let path = root.join(WORKFLOW_PATH);
    let exists = std::fs::symlink_metadata(&path).is_ok();
    if exists && !force {
        anyhow::bail!(
            "{} already exists; pass --force to replace it",
            path.display()
        );
    }
    // The folders are created only where the nearest existing one is inside the repository.
    let real_root = root.canonicalize()?;
    let mut existing = path.parent();
    while let Some(dir) = existing.filter(|d| std::fs::symlink_metadata(d).is_err()) {
        existing = dir.parent();
    }
    if let Some(dir) = existing
        && !dir.canonicalize()?.starts_with(&real_root)
    {
        anyhow::bail!(
            "{} leads outside the repository; not writing the workflow there",
            dir.display()
        );
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let real = crate::edit::resolve(root, WORKFLOW_PATH)?;
    let before = if exists {
        Some(std::fs::read(&real)?)
    } else {
        None
    };
    crate::edit::replace(
        &real,
        WORKFLOW_PATH,
        before.as_deref(),
        workflow(fail_on).as_bytes(),
    )?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_placeholders_are_filled() {
        let text = workflow(Severity::Medium);
        assert!(text.contains("--fail-on medium"));
        assert!(text.contains(&format!("--version {}", env!("CARGO_PKG_VERSION"))));
        assert!(!text.contains('{') || !text.contains("{version}"));
        // The advisory database is refreshed, and cached between runs, before the scan.
        let update = text.find("run: seccoach advisories update").unwrap();
        assert!(text.find("uses: actions/cache@").unwrap() < update);
        assert!(update < text.find("run: seccoach scan").unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn never_writes_through_a_link_or_out_of_the_repository() {
        let repo = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("cron");
        let workflows = repo.path().join(".github/workflows");
        std::fs::create_dir_all(&workflows).unwrap();
        std::os::unix::fs::symlink(&target, workflows.join("seccoach.yml")).unwrap();
        let err = write(repo.path(), Severity::High, true).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(!target.exists(), "the dangling link was written through");

        let repo = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), repo.path().join(".github")).unwrap();
        let err = write(repo.path(), Severity::High, false).unwrap_err();
        assert!(
            err.to_string().contains("leads outside the repository"),
            "{err}"
        );
        assert!(!outside.path().join("workflows").exists());

        let repo = tempfile::tempdir().unwrap();
        let written = write(repo.path(), Severity::High, false).unwrap();
        assert!(
            std::fs::read_to_string(&written)
                .unwrap()
                .contains("--fail-on high")
        );
        assert!(write(repo.path(), Severity::Low, true).is_ok());
        assert!(
            std::fs::read_to_string(&written)
                .unwrap()
                .contains("--fail-on low")
        );
    }

    #[test]
    fn refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), Severity::High, false).unwrap();
        assert!(write(dir.path(), Severity::High, false).is_err());
        write(dir.path(), Severity::Low, true).unwrap();
        let text = std::fs::read_to_string(dir.path().join(WORKFLOW_PATH)).unwrap();
        assert!(text.contains("--fail-on low"));
    }
}
