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

/// The pre-commit hook `seccoach init --hook` installs: checks what is staged, and blocks the
/// commit (exit 1) on a finding at or above `fail_on`.
pub fn hook(fail_on: Severity) -> String {
    format!(
        "#!/bin/sh\n\
         # Installed by `seccoach init --hook`: checks what this commit adds (git's index, not the\n\
         # working-tree files) and blocks it on a finding at or above {fail_on}.\n\
         # Skip it once with `git commit --no-verify`.\n\
         exec seccoach scan --staged --fail-on {fail_on}\n",
        fail_on = fail_on.as_str()
    )
}

/// Where the hook was written, and whether `core.hooksPath` chose the folder.
pub struct Installed {
    pub path: PathBuf,
    pub hooks_path: bool,
}

/// Installs the pre-commit hook of the repository at (or above) `root`: in the folder
/// `core.hooksPath` names when it is set (git runs hooks only from there), else in the
/// repository's `hooks` folder. An existing hook is never replaced: the error says how to chain
/// seccoach into it. The file is created new (never through a link) and made executable.
pub fn install_hook(root: &Path, fail_on: Severity) -> anyhow::Result<Installed> {
    let repo = gix::discover(root).map_err(|e| {
        anyhow::anyhow!(
            "{} is not in a git repository ({e}); the pre-commit hook needs one",
            root.display()
        )
    })?;
    let configured = repo
        .config_snapshot()
        .string("core.hooksPath")
        .map(|p| p.to_string());
    let (dir, hooks_path) = match configured {
        Some(path) => {
            let path = PathBuf::from(path);
            // Relative to the top of the work tree, as git reads it (the git folder when bare).
            let base = repo.workdir().unwrap_or_else(|| repo.git_dir());
            (base.join(path), true)
        }
        None => (repo.common_dir().join("hooks"), false),
    };
    let path = dir.join("pre-commit");
    if std::fs::symlink_metadata(&path).is_ok() {
        anyhow::bail!(
            "{} already exists and is left as it is. To run seccoach from it too, add this line \
             to it (before any `exec`): `seccoach scan --staged --fail-on {} || exit 1`",
            path.display(),
            fail_on.as_str()
        );
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("could not create the hooks folder {}: {e}", dir.display()))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| anyhow::anyhow!("could not create {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut file, hook(fail_on).as_bytes())
        .map_err(|e| anyhow::anyhow!("could not write {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(Installed { path, hooks_path })
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
