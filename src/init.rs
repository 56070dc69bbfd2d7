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

/// Writes the workflow under `root`; refuses to replace an existing file unless `force`.
pub fn write(root: &Path, fail_on: Severity, force: bool) -> anyhow::Result<PathBuf> {
    let path = root.join(WORKFLOW_PATH);
    if path.exists() && !force {
        anyhow::bail!(
            "{} already exists; pass --force to replace it",
            path.display()
        );
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::persist::write_atomic(&path, workflow(fail_on).as_bytes())?;
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
