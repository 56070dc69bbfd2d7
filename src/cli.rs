//! Command-line interface: argument parsing and dispatch. Data goes to stdout, diagnostics to
//! stderr; exit codes are 0 (clean), 1 (findings at or above the threshold) and 2 (an error).

use crate::baseline::Baseline;
use crate::catalog::{Catalog, Severity};
use crate::config::{Config, parse_size};
use crate::output::{self, Format, style::ColorChoice};
use crate::scan::{ScanOptions, Scanner};
use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// A security coach in your terminal: short lessons paired with live checks on your own project.
///
/// Run `seccoach` in a repository to open the coach; `seccoach scan` runs the same checks
/// non-interactively, for CI.
#[derive(Debug, Parser)]
#[command(name = "seccoach", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub packs: PackArgs,
}

/// `--pack DIR`: team packs kept outside the repository, for every command that reads the
/// catalogue.
#[derive(Debug, Args, Default)]
pub struct PackArgs {
    /// Also load the team pack in this folder (checks/*.toml, lessons/**/*.md), beside the
    /// repository's .seccoach/ and the `packs` in .seccoach.toml (repeatable).
    #[arg(long = "pack", value_name = "DIR")]
    pub packs: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a directory and report findings (text, JSON, SARIF or Markdown).
    #[command(
        after_help = "Exit status: 0 no finding at or above --fail-on, 1 some, 2 an \
                            error (bad input names its file and line), 130/143 interrupted by \
                            SIGINT/SIGTERM (an output file is then either whole or not written).\n\n\
                            A scan never uses the network: deps/known-vulnerable reads the \
                            database `seccoach advisories update` downloaded, or --advisories."
    )]
    Scan(ScanArgs),
    /// Download the OSV advisory database deps/known-vulnerable checks lockfiles against (the
    /// only command that uses the network).
    #[command(subcommand)]
    Advisories(AdvisoriesCommand),
    /// Explain a rule: what it finds, why it matters, how to fix it.
    Explain {
        /// The rule id, e.g. docker/run-as-root.
        rule: String,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Set a repository up: .seccoach.toml with every option, and on request a CI pipeline
    /// and an example team pack.
    #[command(
        after_help = "Writes .seccoach.toml (every option, commented). With --ci github: \
                            .github/workflows/seccoach.yml (SARIF to code scanning); with --ci \
                            gitlab: .gitlab-ci.yml, or .gitlab/seccoach.yml to include when a \
                            pipeline exists (a SAST report for merge requests). With --pack: an \
                            example rule and lesson in .seccoach/. Both pipelines fail at \
                            `fail_on`, refresh the advisory database and cache it and the \
                            seccoach build.\n\n\
                            Nothing is replaced without --force: an existing file is an error \
                            (exit 2) and nothing is written. An existing .seccoach.toml is kept \
                            when --ci or --pack is given."
    )]
    Init(InitArgs),
    /// Show (or apply) the machine-applicable fixes for a directory's findings.
    Fix {
        /// The directory to fix.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Only fix findings of this rule (repeatable).
        #[arg(long = "rule", value_name = "RULE")]
        rules: Vec<String>,
        /// Write the changes (without it, only the diffs are printed and nothing changes). Links,
        /// read-only and hard-linked files, and files changed meanwhile are refused, each with
        /// its reason.
        #[arg(long)]
        apply: bool,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Hands-on labs: a small vulnerable project to fix, checked by the same rules.
    #[command(subcommand)]
    Lab(LabCommand),
    /// Open the coach on a lesson (by default, where you left off).
    Learn {
        /// The lesson id, e.g. secrets/how-secrets-leak (see `seccoach lessons`).
        lesson: Option<String>,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// List the lessons: id, title, track, minutes, and whether you have done them.
    Lessons {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Show your progress: the team's onboarding plan, lessons read per track, quiz scores,
    /// labs solved, findings reviewed. JSON and Markdown are a report to share, with nothing
    /// about you or your machine beyond that.
    Progress {
        #[arg(long, value_enum, default_value_t = crate::progress::SummaryFormat::Text)]
        format: crate::progress::SummaryFormat,
        /// Print only the onboarding plan (.seccoach/onboarding.toml) and its completion.
        #[arg(long)]
        plan: bool,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Map the project's layers of automated security (secrets, code, dependencies, images,
    /// CI, infrastructure, runtime, policy): present, partial or missing, with the evidence.
    #[command(
        after_help = "Present: a tool of the layer runs on every proposed change (a workflow \
                            on pull_request or on every push, a GitLab job not limited to the \
                            default branch, a pre-commit hook CI runs) or a service is configured \
                            (Dependabot, Renovate). Partial: it runs only after merge, on a \
                            timer, by hand or locally, or only its configuration file is here. \
                            Runtime protection is present when manifests enforce Pod Security (or \
                            admission policies) and have NetworkPolicies; a security policy when \
                            SECURITY.md names a way to report.\n\n\
                            Reads files only: nothing is run, no remote include or action is \
                            fetched (a note says so). Exit status: 0, or 2 on an error."
    )]
    Layers {
        /// The project's root.
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_enum, default_value_t = crate::progress::SummaryFormat::Text)]
        format: crate::progress::SummaryFormat,
    },
    /// List every rule seccoach knows.
    Checks {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// The repository whose team packs (`.seccoach/`, `packs` in its .seccoach.toml) are
        /// listed too [default: the current directory].
        #[arg(long, value_name = "DIR")]
        repo: Option<PathBuf>,
        #[command(flatten)]
        packs: PackArgs,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The repository root.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Also write a pipeline for this CI system (needs --from or --published).
    #[arg(long, value_enum, value_name = "SYSTEM")]
    pub ci: Option<crate::init::Ci>,
    /// The pipeline builds seccoach from this repository at this full commit:
    /// `cargo install --locked --git URL --rev COMMIT`.
    #[arg(long, value_name = "URL@COMMIT", value_parser = crate::init::Install::parse_from)]
    pub from: Option<crate::init::Install>,
    /// The pipeline installs this version of seccoach from crates.io (only when it is
    /// published there).
    #[arg(long, conflicts_with = "from")]
    pub published: bool,
    /// Write an example team pack (one rule, one lesson, commented) into .seccoach/.
    #[arg(long)]
    pub pack: bool,
    /// The `fail_on` written into .seccoach.toml: the pipeline fails on findings at or above
    /// it [default: high].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Replace files that already exist.
    #[arg(long)]
    pub force: bool,
    /// Install a git pre-commit hook that runs `seccoach scan --staged` instead (in the folder
    /// `core.hooksPath` names when it is set; an existing hook is never replaced).
    #[arg(long, conflicts_with_all = ["force", "ci", "pack"])]
    pub hook: bool,
}

#[derive(Debug, Subcommand)]
pub enum AdvisoriesCommand {
    /// Download (or refresh) the OSV database for the ecosystems of a project's manifests and
    /// lockfiles. Uses the network; `scan` and the coach never do.
    #[command(
        after_help = "Downloads <base>/<Ecosystem>/all.zip for each ecosystem (base: the \
                            public OSV export, or SECCOACH_OSV_URL) into the user's cache \
                            directory (or SECCOACH_CACHE), where `scan`, `scan --watch` and the \
                            coach find it when .seccoach.toml names no `advisories`. A copy that \
                            is still current (same ETag) is not downloaded again. HTTPS_PROXY \
                            and the system's certificate store are honoured.\n\n\
                            Exit status: 0 downloaded or already current, 2 an error (network \
                            unreachable, an HTTP error, not a zip of OSV records, disk full); \
                            the previous database then stays in place and usable."
    )]
    Update {
        /// The project whose manifests and lockfiles decide the ecosystems.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Download this ecosystem (npm, PyPI, crates.io, Go, Maven, RubyGems, Packagist,
        /// NuGet) instead of those found in the
        /// project (repeatable).
        #[arg(long = "ecosystem", value_name = "ECOSYSTEM", value_parser = crate::osv::parse_ecosystem)]
        ecosystems: Vec<crate::analyzers::deps::version::Ecosystem>,
    },
}

#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// List the labs.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Copy a lab's starting project into DIR (default: a folder in seccoach's data directory).
    Start {
        /// The lab id (see `seccoach lab list`).
        id: String,
        /// Where to put the project; must be missing or empty.
        dir: Option<PathBuf>,
    },
    /// Check a lab: exit 0 when solved, 1 with what remains and the next hint.
    Check { id: String, dir: Option<PathBuf> },
}

/// Formats for listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The directory to scan. In a git checkout: every tracked file, plus untracked files that
    /// are not ignored (.gitignore never hides a tracked file). Files, or several paths (as
    /// pre-commit passes them), scan just those, with the .seccoach.toml found from the first
    /// path upward (else the git work tree's top) as the root. Findings in test, example and
    /// documentation code (tests/, *_test.go, *.spec.ts, docs/…, or `[paths] tests` in
    /// .seccoach.toml) are marked `in_test_code` and shown last; a secret there is at most low
    /// unless it has a live-key format.
    #[arg(default_value = ".", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to this file instead of standard output (replaced atomically; a link's
    /// target is replaced and the link kept; devices and FIFOs are written through).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a finding is at or above this severity [default: high, or `fail_on` in
    /// .seccoach.toml].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Never exit with 1 because of findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file (and exit 0).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Skip files larger than this (e.g. 2MiB) [default: 2MiB, or `max_file_size`].
    #[arg(long, value_name = "SIZE", value_parser = parse_size_arg)]
    pub max_file_size: Option<u64>,
    /// Skip paths matching this gitignore-style pattern, tracked or not (repeatable).
    #[arg(long, value_name = "GLOB", value_parser = parse_exclude_arg)]
    pub exclude: Vec<String>,
    /// Do not run this rule (repeatable).
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,
    /// Check lockfiles against this OSV advisory database (a directory or .zip of OSV JSON
    /// records, read offline) for deps/known-vulnerable [default: `advisories` in
    /// .seccoach.toml].
    #[arg(long, value_name = "PATH")]
    pub advisories: Option<PathBuf>,
    /// Colour: auto (terminal and no NO_COLOR), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Keep watching and re-report after every change (JSON: one report per line).
    #[arg(long, conflicts_with_all = ["write_baseline", "output"])]
    pub watch: bool,
    /// Worker threads (0: one per core; at most 256).
    #[arg(long, default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// After the report, print to standard error the slowest rules and the slowest
    /// (rule, file) pairs: what each rule of your packs costs.
    #[arg(long)]
    pub timings: bool,
    #[command(flatten)]
    pub packs: PackArgs,
    /// Scan the repository's history instead of the working tree: every blob reachable from
    /// HEAD, branches, remote-tracking branches and tags, once, with the secrets rules and
    /// repo/private-key-file, repo/env-file-committed. Each secret is reported at the commit
    /// that introduced it, with whether HEAD still has it. Bare repositories work too.
    #[arg(long, conflicts_with_all = ["watch", "staged"])]
    pub history: bool,
    /// With --history: every ref, stashes (all of them), notes and other refs included.
    #[arg(long, requires = "history")]
    pub all_refs: bool,
    /// With --history: only commits made on or after this date (2024-05-01, or an RFC 3339
    /// time).
    #[arg(long, value_name = "DATE", requires = "history", value_parser = parse_since)]
    pub since: Option<jiff::Timestamp>,
    /// With --history: only commits not reachable from this revision (a branch, tag,
    /// remote-tracking branch such as origin/main, or a full commit id).
    #[arg(long, value_name = "REV", requires = "history")]
    pub since_commit: Option<String>,
    /// Scan what is staged for the next commit (git's index), not the working-tree files: the
    /// check a pre-commit hook runs (`seccoach init --hook`). Exit 1 blocks the commit.
    #[arg(long, conflicts_with = "watch")]
    pub staged: bool,
}

/// `--since`: a date (midnight UTC) or an RFC 3339 time.
fn parse_since(text: &str) -> Result<jiff::Timestamp, String> {
    if let Ok(time) = text.parse::<jiff::Timestamp>() {
        return Ok(time);
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|date| {
            jiff::tz::TimeZone::UTC
                .to_timestamp(date.at(0, 0, 0, 0))
                .ok()
        })
        .ok_or_else(|| format!("`{text}` is not a date (try 2024-05-01 or 2024-05-01T12:00:00Z)"))
}

fn parse_threads(text: &str) -> Result<usize, String> {
    let max = crate::scan::MAX_THREADS;
    match text.trim().parse::<u64>() {
        Ok(n) if n <= max as u64 => Ok(n as usize),
        Ok(_) => Err(format!(
            "at most {max} worker threads (0 picks one per core)"
        )),
        Err(_) => Err(format!("`{text}` is not a number of threads (0 to {max})")),
    }
}

fn parse_exclude_arg(text: &str) -> Result<String, String> {
    crate::config::check_exclude(text).map(|()| text.to_owned())
}

fn parse_size_arg(text: &str) -> Result<u64, String> {
    parse_size(text).ok_or_else(|| format!("`{text}` is not a size (try 2MiB or 500KB)"))
}

/// Entry point for the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: {}", safe_message(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}

/// An error message made safe to print: control characters escaped, and credentials in URLs
/// and anything else secret-shaped (a configuration value echoed back, a path holding a
/// token) redacted.
pub fn safe_message(text: &str) -> String {
    let masked = match Catalog::embedded() {
        Ok(catalog) => crate::scan::secret_shaped(&catalog, text).mask_text(text),
        Err(_) => text.to_owned(),
    };
    crate::display::sanitize(&masked).into_owned()
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli) -> Result<ExitCode> {
    if !matches!(cli.command, None | Some(Command::Learn { .. })) {
        // Commands that run to completion stop at once on Ctrl-C, but never half-way through
        // writing a file. (The coach restores the terminal on its own signal handling.)
        crate::persist::exit_on_interrupt()?;
    }
    match cli.command {
        None => coach(None, &cli.packs.packs),
        Some(Command::Learn { lesson, packs }) => {
            coach(Some(lesson), &[cli.packs.packs, packs.packs].concat())
        }
        Some(Command::Lessons { format, packs }) => lessons(format, &packs.packs),
        Some(Command::Progress {
            format,
            plan,
            packs,
        }) => progress(format, plan, &packs.packs),
        Some(Command::Scan(args)) => scan(args),
        Some(Command::Explain { rule, packs }) => explain(&rule, &packs.packs),
        Some(Command::Checks {
            format,
            repo,
            packs,
        }) => checks(format, repo.as_deref(), &packs.packs),
        Some(Command::Lab(command)) => lab(command),
        Some(Command::Advisories(AdvisoriesCommand::Update { path, ecosystems })) => {
            advisories_update(&path, ecosystems)
        }
        Some(Command::Fix {
            path,
            rules,
            apply,
            packs,
        }) => fix(&path, &rules, apply, &packs.packs),
        Some(Command::Init(args)) => init(args),
        Some(Command::Layers { path, format }) => layers(&path, format),
    }
}

/// `seccoach layers`: the pipeline layer map of a project.
fn layers(root: &Path, format: crate::progress::SummaryFormat) -> Result<ExitCode> {
    use crate::progress::SummaryFormat;
    if !root.is_dir() {
        bail!("{} is not a directory", root.display());
    }
    let map = layer_map(root)?;
    let shown = root.display().to_string();
    let text = match format {
        SummaryFormat::Text => crate::layers::text(&map, &shown),
        SummaryFormat::Markdown => crate::layers::markdown(&map, &shown),
        SummaryFormat::Json => crate::display::json(&map, true) + "\n",
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The layer map of the repository at `root`, over the files a scan would read (its
/// `exclude` and test paths applied).
pub fn layer_map(root: &Path) -> Result<crate::layers::LayerMap> {
    let (catalog, config) = load_repository(root)?;
    let tests = crate::source::TestPaths::new(&config.tests);
    let options = ScanOptions {
        exclude: config.exclude.clone(),
        ..ScanOptions::default()
    };
    let (files, walk_notes) = Scanner::new(catalog, options).walk_paths(root);
    let mut map = crate::layers::map(root, &files, &tests);
    map.notes.extend(walk_notes);
    Ok(map)
}

/// `seccoach init`: writes the files, then says what each is.
fn init(args: InitArgs) -> Result<ExitCode> {
    if args.hook {
        let installed =
            crate::init::install_hook(&args.path, args.fail_on.unwrap_or(Severity::High))?;
        let shown = crate::display::sanitize(&installed.path.display().to_string()).into_owned();
        let place = if installed.hooks_path {
            " (the folder core.hooksPath names)"
        } else {
            ""
        };
        write_stdout(&format!(
            "Wrote the pre-commit hook {shown}{place}. Each commit is now checked; `git commit \
             --no-verify` skips it once.\n"
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let install = match (args.from, args.published) {
        (Some(from), _) => Some(from),
        (None, true) => Some(crate::init::Install::published()),
        (None, false) => None,
    };
    let outcome = crate::init::run(
        &args.path,
        &crate::init::Request {
            fail_on: args.fail_on,
            ci: args.ci,
            install,
            pack: args.pack,
            force: args.force,
        },
    )?;
    let mut text = String::new();
    for kept in &outcome.kept {
        text.push_str(&format!("Kept {kept} (it exists; its settings apply)\n"));
    }
    for written in &outcome.written {
        text.push_str(&format!("Wrote {}", written.path));
        if let Some(note) = &written.note {
            text.push_str(&format!(": {note}"));
        }
        text.push('\n');
    }
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Opens the coach on the current directory: at home, or on a lesson (`Some(None)`: the one to
/// continue with).
fn coach(lesson: Option<Option<String>>, packs: &[PathBuf]) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!(
            "seccoach: the coach needs an interactive terminal. Use `seccoach scan` for a report \
             (e.g. `seccoach scan --format sarif` in CI)."
        );
        return Ok(ExitCode::from(2));
    }
    let root = PathBuf::from(".");
    let (catalog, config) = load_repository_with(&root, packs)?;
    let store = crate::progress::Store::locate()?;
    let start = match lesson {
        None => crate::tui::Start::Home,
        Some(None) => crate::tui::Start::Continue,
        Some(Some(id)) => {
            if catalog.lesson(&id).is_none() {
                let close: Vec<&str> = catalog
                    .lessons()
                    .iter()
                    .map(|l| l.id.as_str())
                    .filter(|l| {
                        l.contains(id.as_str())
                            || l.rsplit('/').next().is_some_and(|slug| id.contains(slug))
                    })
                    .take(5)
                    .collect();
                let hint = if close.is_empty() {
                    "run `seccoach lessons` for the list".to_owned()
                } else {
                    format!("did you mean: {}?", close.join(", "))
                };
                bail!("unknown lesson `{id}`; {hint}");
            }
            crate::tui::Start::Lesson(id)
        }
    };
    let plan = crate::plan::Plan::load(&root, &catalog)?;
    let outcome = crate::tui::run(crate::tui::CoachOptions {
        root,
        scan: ScanOptions::from_config(&config),
        catalog,
        store,
        start,
        started,
        plan,
    })?;
    if std::env::var_os("SECCOACH_DEBUG_TIMING").is_some()
        && let Some(first) = outcome.first_frame
    {
        eprintln!("seccoach: first frame after {} ms", first.as_millis());
    }
    Ok(ExitCode::SUCCESS)
}

/// `seccoach lessons`.
fn lessons(format: ListFormat, packs: &[PathBuf]) -> Result<ExitCode> {
    let catalog = catalog_for(Path::new("."), packs)?;
    let progress = load_progress()?;
    let text = crate::progress::lessons_listing(&catalog, &progress, format == ListFormat::Json);
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `seccoach progress`.
fn progress(
    format: crate::progress::SummaryFormat,
    plan_only: bool,
    packs: &[PathBuf],
) -> Result<ExitCode> {
    use crate::progress::SummaryFormat;
    let catalog = catalog_for(Path::new("."), packs)?;
    let plan = crate::plan::Plan::load(Path::new("."), &catalog)?;
    let store = crate::progress::Store::locate()?;
    let loaded = store.load();
    if let Some(warning) = &loaded.warning {
        eprintln!("seccoach: {warning}");
    }
    let status = plan.map(|p| p.status(&catalog, &loaded.progress));
    if plan_only {
        let Some(status) = status else {
            bail!(
                "no onboarding plan here: {} lists what a new team member completes (see \
                 README, Onboarding plans)",
                crate::plan::PATH
            );
        };
        let text = match format {
            SummaryFormat::Text => status.text(),
            SummaryFormat::Markdown => status.markdown("#"),
            SummaryFormat::Json => crate::display::json(&status, true) + "\n",
        };
        write_stdout(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = crate::progress::summary(
        &catalog,
        &loaded.progress,
        store.path(),
        format,
        status.as_ref(),
    );
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The learner's progress, with any warning about its file on stderr.
fn load_progress() -> Result<crate::progress::Progress> {
    let loaded = crate::progress::Store::locate()?.load();
    if let Some(warning) = &loaded.warning {
        eprintln!("seccoach: {warning}");
    }
    Ok(loaded.progress)
}

fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        // A closed pipe (`seccoach scan | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e).context("writing to standard output"),
    }
}

/// Loads the catalogue (embedded + the repository's packs) and the repository's config.
pub fn load_repository(root: &Path) -> Result<(Arc<Catalog>, Config)> {
    load_repository_with(root, &[])
}

/// [`load_repository`] with team packs from `--pack DIR` too.
pub fn load_repository_with(root: &Path, packs: &[PathBuf]) -> Result<(Arc<Catalog>, Config)> {
    let catalog = catalog_for(root, packs)?;
    let config = Config::load(root, &catalog)?;
    Ok((Arc::new(catalog), config))
}

/// The catalogue for the repository at `root`: the embedded one, its `.seccoach/`, the `packs`
/// its config lists, and `packs` from the command line.
pub fn catalog_for(root: &Path, packs: &[PathBuf]) -> Result<Catalog> {
    let mut dirs = Config::pack_dirs(root)?;
    dirs.extend(packs.iter().cloned());
    Ok(Catalog::with_packs(root, &dirs)?)
}

/// Where a scan of `paths` starts, and (for files, or several paths) the paths under it to
/// scan alone. One directory is the root itself, as always. Otherwise the root is the nearest
/// folder above the first path holding `.seccoach.toml`, else the top of its git work tree,
/// else the first path's own folder; every path must be inside it.
pub fn scan_target(paths: &[PathBuf]) -> Result<(PathBuf, Option<Vec<String>>)> {
    let shown = |p: &Path| crate::display::sanitize(&p.display().to_string()).into_owned();
    for path in paths {
        if std::fs::symlink_metadata(path).is_err() {
            bail!("{} does not exist", shown(path));
        }
    }
    match paths {
        [] => return Ok((PathBuf::from("."), None)),
        [one] if one.is_dir() => return Ok((one.clone(), None)),
        _ => {}
    }
    let real = |p: &Path| {
        p.canonicalize()
            .with_context(|| format!("reading {}", shown(p)))
    };
    let first = real(&paths[0])?;
    let start = if first.is_dir() {
        first.clone()
    } else {
        first
            .parent()
            .map_or_else(|| first.clone(), Path::to_path_buf)
    };
    let mut root = start.clone();
    for dir in start.ancestors() {
        if dir.join(crate::config::FILE_NAME).is_file() || dir.join(".git").exists() {
            root = dir.to_path_buf();
            break;
        }
    }
    let mut only = Vec::new();
    for path in paths {
        let full = real(path)?;
        let Ok(rel) = full.strip_prefix(&root) else {
            bail!(
                "{} is outside {}, the repository of the first path; scan it on its own",
                shown(path),
                shown(&root)
            );
        };
        if rel.as_os_str().is_empty() {
            // The root itself among the paths: the whole repository.
            return Ok((root, None));
        }
        only.push(crate::scan::relative_path(Path::new(""), rel));
    }
    only.sort();
    only.dedup();
    Ok((root, Some(only)))
}

fn scan(args: ScanArgs) -> Result<ExitCode> {
    let (root, only) = scan_target(&args.paths)?;
    let root = root.as_path();
    if !root.is_dir() {
        bail!("{} is not a directory", root.display());
    }
    if only.is_some() && args.watch {
        bail!("--watch takes one directory, not files");
    }
    let (catalog, config) = load_repository_with(root, &args.packs.packs)?;
    for id in &args.disable {
        if catalog.rule(id).is_none() {
            bail!("--disable {id}: unknown rule id (see `seccoach checks`)");
        }
    }
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    // An old-format baseline still works; a note says to rewrite it.
    let legacy_note = baseline.as_ref().and_then(|b| baseline_note(&args, b));
    let mut options = ScanOptions::from_config(&config);
    // The scanner leaves accepted findings out as it goes, so that they do not count towards
    // a rule's per-file cap.
    // (`--write-baseline` records every finding, as before.)
    options.baseline = baseline
        .filter(|_| args.write_baseline.is_none())
        .map(Arc::new);
    options.timings = args.timings;
    options.exclude.extend(args.exclude.iter().cloned());
    options.disabled.extend(args.disable.iter().cloned());
    if let Some(size) = args.max_file_size {
        options.max_file_size = size;
    }
    options.threads = args.threads;
    options.only = only.clone().map(Arc::new);
    if let Some(db) = &args.advisories {
        options.advisories = Some(db.clone());
    }
    if args.history {
        options
            .disabled
            .extend(crate::history::other_rules(&catalog));
    }
    let scanner = Scanner::new(Arc::clone(&catalog), options);
    if args.watch {
        return watch_loop(scanner, root, &args, &catalog, legacy_note);
    }
    let started = jiff::Timestamp::now();
    let mut report = if args.history {
        let history = crate::history::HistoryOptions {
            all_refs: args.all_refs,
            since: args.since,
            since_commit: args.since_commit.clone(),
        };
        crate::history::scan(&scanner, root, &history)
    } else if args.staged {
        crate::history::scan_staged(&scanner, root)
    } else {
        scanner.scan(root).map_err(anyhow::Error::from)
    }
    .with_context(|| format!("scanning {}", root.display()))?;

    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::from_findings(&report.findings);
        crate::persist::write_atomic(path, baseline.to_json().as_bytes())
            .with_context(|| format!("writing baseline {}", path.display()))?;
        eprintln!(
            "seccoach: recorded {} findings in {}",
            baseline.findings.len(),
            crate::display::sanitize(&path.display().to_string())
        );
        return Ok(ExitCode::SUCCESS);
    }
    report.notes.extend(legacy_note);
    if let Some(only) = &only {
        report.notes.extend(unscanned_note(&scanner, root, only));
    }

    let style = match (&args.output, args.format) {
        (None, Format::Text) => args.color.resolve(),
        _ => output::style::Style::PLAIN,
    };
    let rendered = match args.format {
        Format::GitlabSast => {
            output::gitlab::render(&report, &catalog, started, jiff::Timestamp::now())
        }
        format => output::render(format, &report, &catalog, style),
    };
    match &args.output {
        Some(path) => crate::persist::write_atomic(path, rendered.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?,
        None => write_stdout(&rendered)?,
    }
    for note in &report.notes {
        eprintln!("seccoach: {note}");
    }
    if args.timings {
        eprint!("{}", report.timings.render(15));
    }
    let threshold = args.fail_on.or(config.fail_on).unwrap_or(Severity::High);
    if !args.exit_zero && report.fails(threshold) {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// What a scan of chosen paths left out, and why: a given file that git ignores or an
/// `exclude` pattern matches is not read, and is said so.
fn unscanned_note(scanner: &Scanner, root: &Path, only: &[String]) -> Option<String> {
    let (walked, _) = scanner.walk_paths(root);
    let left_out: Vec<String> = only
        .iter()
        .filter(|path| root.join(path).is_file() && walked.binary_search(path).is_err())
        .map(|path| crate::display::sanitize(path).into_owned())
        .collect();
    (!left_out.is_empty()).then(|| {
        format!(
            "not scanned, as git ignores them or `exclude` leaves them out: {}",
            left_out.join(", ")
        )
    })
}

/// The note for an old-format `--baseline`.
fn baseline_note(args: &ScanArgs, baseline: &Baseline) -> Option<String> {
    let path = args.baseline.as_deref()?;
    baseline.note(&path.display().to_string())
}

/// `scan --watch`: report, then re-report after every batch of changes until interrupted.
fn watch_loop(
    scanner: Scanner,
    root: &Path,
    args: &ScanArgs,
    catalog: &Catalog,
    legacy_note: Option<String>,
) -> Result<ExitCode> {
    let mut live = crate::scan::live::LiveScan::new(scanner, root)
        .with_context(|| format!("scanning {}", root.display()))?;
    let (tx, rx) = std::sync::mpsc::channel();
    // `seccoach scan --watch --format json > report.jsonl` inside the project: each report
    // written would count as a change and start the next. The file standard output writes to
    // is never a change.
    let own_output = crate::watch::FileId::of_stdout();
    let exclude = live.scanner().options().exclude.clone();
    let _watch = crate::watch::watch(root, &exclude, move |mut paths| {
        if let Some(own) = own_output {
            paths.retain(|p| crate::watch::FileId::of(p) != Some(own));
        }
        if !paths.is_empty() {
            let _ = tx.send(paths);
        }
    })
    .with_context(|| format!("watching {}", root.display()))?;
    let style = match args.format {
        Format::Text => args.color.resolve(),
        _ => output::style::Style::PLAIN,
    };
    // The report as printed (the scanner has left baselined findings out).
    let current = |live: &crate::scan::live::LiveScan| {
        let mut report = live.report().clone();
        report.notes.extend(legacy_note.clone());
        report
    };
    let emit =
        |report: &crate::report::Report, delta: Option<&crate::scan::live::Delta>| -> Result<()> {
            let text = match args.format {
                Format::Json => output::json::render_line(report),
                format => {
                    let mut text = String::new();
                    if let Some(delta) = delta {
                        text.push_str(&format!(
                            "\n── change detected: {} fixed, {} new ──\n\n",
                            delta.fixed.len(),
                            delta.new.len()
                        ));
                    }
                    text.push_str(&output::render(format, report, catalog, style));
                    text
                }
            };
            write_stdout(&text)?;
            // As after a single scan: what could not be checked, on standard error.
            for note in &report.notes {
                eprintln!("seccoach: {note}");
            }
            Ok(())
        };
    let mut last = current(&live);
    emit(&last, None)?;
    eprintln!(
        "seccoach: watching {} for changes (Ctrl-C to stop)",
        crate::display::sanitize(&root.display().to_string())
    );
    while let Ok(mut paths) = rx.recv() {
        // Coalesce whatever else arrived meanwhile into one re-scan.
        while let Ok(more) = rx.try_recv() {
            paths.extend(more);
        }
        let delta = live.update(&paths);
        // A save that changes nothing the report says (a comment, a formatter run) is not news.
        let report = current(&live);
        if report.findings == last.findings && report.notes == last.notes {
            continue;
        }
        emit(&report, Some(&delta))?;
        last = report;
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(id: &str, packs: &[PathBuf]) -> Result<ExitCode> {
    let catalog = catalog_for(Path::new("."), packs)?;
    let Some(rule) = catalog.rule(id) else {
        let mut close: Vec<(f64, &str)> = catalog
            .rules()
            .iter()
            .map(|r| (strsim::jaro_winkler(id, r.id.as_str()), r.id.as_str()))
            .filter(|(score, _)| *score > 0.85)
            .collect();
        close.sort_by(|a, b| b.0.total_cmp(&a.0));
        let close: Vec<&str> = close.into_iter().take(3).map(|(_, id)| id).collect();
        let hint = if close.is_empty() {
            "run `seccoach checks` for the list".to_owned()
        } else {
            format!("did you mean: {}?", close.join(", "))
        };
        bail!("unknown rule `{id}`; {hint}");
    };
    write_stdout(&output::explain::markdown(rule, &catalog))?;
    Ok(ExitCode::SUCCESS)
}

fn checks(format: ListFormat, repo: Option<&Path>, packs: &[PathBuf]) -> Result<ExitCode> {
    let catalog = catalog_for(repo.unwrap_or(Path::new(".")), packs)?;
    let text = match format {
        ListFormat::Json => {
            let rules: Vec<serde_json::Value> = catalog
                .rules()
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id.as_str(),
                        "area": r.id.area(),
                        "severity": r.severity,
                        "confidence": r.confidence,
                        "title": r.title,
                        "fix": r.autofix,
                        "lessons": r.lessons,
                    })
                })
                .collect();
            let mut text = crate::display::json(&rules, true);
            text.push('\n');
            text
        }
        ListFormat::Text => {
            let width = catalog
                .rules()
                .iter()
                .map(|r| r.id.as_str().len())
                .max()
                .unwrap_or(0);
            let mut text = String::new();
            for rule in catalog.rules() {
                text.push_str(&format!(
                    "{:<width$}  {:<8}  {}\n",
                    rule.id.as_str(),
                    rule.severity.as_str(),
                    crate::display::sanitize(&rule.title)
                ));
            }
            text.push_str(&format!(
                "\n{}. `seccoach explain <id>` for details.\n",
                crate::display::count(catalog.rules().len(), "rule")
            ));
            text
        }
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `seccoach advisories update`.
fn advisories_update(
    root: &Path,
    mut ecosystems: Vec<crate::analyzers::deps::version::Ecosystem>,
) -> Result<ExitCode> {
    let Some(cache) = crate::osv::cache_dir() else {
        bail!(
            "no cache directory for this user; set {} to a directory",
            crate::osv::CACHE_ENV
        );
    };
    let shown_root = crate::display::sanitize(&root.display().to_string()).into_owned();
    if ecosystems.is_empty() {
        if !root.is_dir() {
            bail!("{shown_root} is not a directory");
        }
        let (catalog, config) = load_repository(root)?;
        if let Some(own) = &config.advisories {
            eprintln!(
                "seccoach: note: {} names its own database (`advisories = {}`), which scans use \
                 instead of this download",
                crate::config::FILE_NAME,
                crate::display::sanitize(&own.display().to_string())
            );
        }
        // The files a scan would read, classified as the deps checks classify them.
        let options = ScanOptions {
            exclude: config.exclude.clone(),
            ..ScanOptions::default()
        };
        let found: std::collections::BTreeSet<_> = Scanner::new(catalog, options)
            .walk_paths(root)
            .0
            .iter()
            .filter_map(|p| crate::analyzers::deps::ecosystem_of(p))
            .collect();
        if found.is_empty() {
            write_stdout(&format!(
                "No manifests or lockfiles in {shown_root} that seccoach reads (npm, PyPI, \
                 crates.io, Go, Maven, RubyGems, Packagist, NuGet): nothing to download. Choose \
                 with --ecosystem.\n"
            ))?;
            return Ok(ExitCode::SUCCESS);
        }
        ecosystems = found.into_iter().collect();
    }
    ecosystems.sort();
    ecosystems.dedup();
    let base = crate::osv::base_url();
    let shown_cache = crate::display::sanitize(&cache.display().to_string()).into_owned();
    let mut failed = 0;
    for ecosystem in ecosystems {
        let name = ecosystem.as_str();
        match crate::osv::update(&cache, &base, ecosystem) {
            Ok(crate::osv::Outcome::Downloaded { bytes, records }) => write_stdout(&format!(
                "{name}: downloaded {records} advisories ({:.1} MB) into {shown_cache}\n",
                bytes as f64 / 1_000_000.0
            ))?,
            Ok(crate::osv::Outcome::Unchanged) => write_stdout(&format!(
                "{name}: already current (unchanged since the last download)\n"
            ))?,
            Err(e) => {
                failed += 1;
                eprintln!(
                    "seccoach: {name}: {}; the previous database, if any, is unchanged",
                    crate::display::sanitize(&e.to_string())
                );
            }
        }
    }
    Ok(if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn lab_dir(id: &str, dir: Option<PathBuf>) -> Result<PathBuf> {
    match dir {
        Some(dir) => Ok(dir),
        None => Ok(crate::lab::dir_for(&crate::progress::Store::locate()?, id)),
    }
}

fn lab(command: LabCommand) -> Result<ExitCode> {
    let catalog = Arc::new(Catalog::embedded()?);
    match command {
        LabCommand::List { format } => {
            let labs = crate::lab::all(&catalog)?;
            let text = match format {
                ListFormat::Json => {
                    let mut text = crate::display::json(&labs, true);
                    text.push('\n');
                    text
                }
                ListFormat::Text => {
                    let width = labs.iter().map(|l| l.id.len()).max().unwrap_or(0);
                    let mut text = String::new();
                    for l in &labs {
                        text.push_str(&format!(
                            "{:<width$}  {}  (lesson {})\n",
                            l.id, l.title, l.lesson
                        ));
                    }
                    text.push_str("\n`seccoach lab start <id>` copies a lab's project to a folder you can edit.\n");
                    text
                }
            };
            write_stdout(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        LabCommand::Start { id, dir } => {
            let l = crate::lab::find(&catalog, &id)?;
            let dir = lab_dir(&id, dir)?;
            crate::lab::start(&l, &dir)?;
            let shown = crate::display::sanitize(&dir.display().to_string()).into_owned();
            write_stdout(&format!(
                "{}\n\n{}\n\nThe project is in {shown}. Fix it in your editor, then run:\n  seccoach lab check {id} {shown}\n",
                l.title,
                l.goal.trim()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        LabCommand::Check { id, dir } => {
            let l = crate::lab::find(&catalog, &id)?;
            let dir = lab_dir(&id, dir)?;
            let outcome = crate::lab::check(&l, Arc::clone(&catalog), &dir)?;
            if outcome.solved() {
                if let Ok(store) = crate::progress::Store::locate() {
                    let solved = l.id.clone();
                    if let Err(e) = store.update(|p| {
                        p.labs_solved.insert(solved);
                    }) {
                        eprintln!("seccoach: {}", crate::display::sanitize(&e.to_string()));
                    }
                }
                write_stdout(&format!(
                    "Solved: {}. Every check passes and the project still does its job.\n",
                    l.title
                ))?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut text = String::from("Not yet.\n");
            for f in &outcome.remaining {
                text.push_str(&format!(
                    "  {}:{}  {}  {}\n",
                    crate::display::sanitize(&f.path),
                    f.line,
                    f.rule,
                    f.message
                ));
            }
            for inv in &outcome.broken {
                text.push_str(&format!(
                    "  broken: {} ({})\n",
                    inv.description,
                    crate::display::sanitize(&inv.path)
                ));
            }
            text.push_str(&format!("\nHint: {}\n", crate::lab::next_hint(&l, &dir)));
            write_stdout(&text)?;
            Ok(ExitCode::from(1))
        }
    }
}

fn fix(root: &Path, rules: &[String], apply: bool, packs: &[PathBuf]) -> Result<ExitCode> {
    if !root.is_dir() {
        bail!("{} is not a directory", root.display());
    }
    let (catalog, config) = load_repository_with(root, packs)?;
    for id in rules {
        match catalog.rule(id) {
            None => bail!("--rule {id}: unknown rule id (see `seccoach checks`)"),
            Some(rule) if !rule.autofix.is_available() => {
                bail!("--rule {id}: this rule has no automatic fix")
            }
            Some(_) => {}
        }
    }
    let mut options = ScanOptions::from_config(&config);
    // No fix comes from an advisory: do not load the downloaded database just to fix files.
    options.advisory_cache = None;
    let scanner = Scanner::new(Arc::clone(&catalog), options);
    let report = scanner
        .scan(root)
        .with_context(|| format!("scanning {}", root.display()))?;
    let (fixes, errors) = crate::fix::propose(&scanner, root, &report.findings, rules);
    for error in &errors {
        eprintln!("seccoach: {}", safe_message(&error.to_string()));
    }
    let mut out = String::new();
    let mut failed = errors.len();
    let mut applied = 0;
    let mut applied_findings = 0;
    let mut not_applied = 0;
    for file_fix in &fixes {
        let label = match file_fix.safety {
            crate::catalog::Autofix::Safe => "safe",
            _ => "needs review",
        };
        let mut rules_fixed: Vec<&str> = file_fix.fixed.iter().map(|(r, _)| r.as_str()).collect();
        rules_fixed.dedup();
        if apply {
            // Applied and reported as one step, and said at once: if the run is interrupted,
            // the screen lists exactly the files that were changed.
            let result = crate::persist::uninterrupted(|| {
                crate::fix::apply(root, file_fix)?;
                write_stdout(&format!(
                    "fixed {} ({}): {}\n",
                    crate::display::sanitize(&file_fix.path),
                    label,
                    rules_fixed.join(", ")
                ))
            });
            match result {
                Ok(()) => {
                    applied += 1;
                    applied_findings += file_fix.fixed.len();
                }
                Err(e) => {
                    failed += 1;
                    not_applied += 1;
                    eprintln!("seccoach: {}", crate::display::sanitize(&format!("{e:#}")));
                }
            }
        } else {
            out.push_str(&format!("# {} — {label}\n", rules_fixed.join(", ")));
            for rule in &rules_fixed {
                out.push_str(&format!("# {}\n", crate::fix::rationale(rule)));
            }
            // Said now, not only when --apply refuses: a read-only or hard-linked file.
            if file_fix.existed
                && let Err(e) = crate::edit::resolve(root, &file_fix.path)
                    .and_then(|path| crate::edit::check(&path, &file_fix.path))
            {
                out.push_str(&format!(
                    "# --apply will not change this file: {}\n",
                    crate::display::sanitize(&e.to_string())
                ));
            }
            out.push_str(&file_fix.diff());
            out.push('\n');
        }
    }
    let findings: usize = fixes.iter().map(|f| f.fixed.len()).sum();
    let count = crate::display::count;
    if fixes.is_empty() {
        out.push_str("No automatic fixes apply here.\n");
    } else if apply {
        if applied > 0 {
            out.push_str(&format!(
                "\nApplied fixes for {} in {}. Run `seccoach scan` to confirm.\n",
                count(applied_findings, "finding"),
                count(applied, "file")
            ));
        }
        if not_applied > 0 {
            out.push_str(&format!(
                "{}{} not changed (the reason is above){}.\n",
                if applied > 0 { "" } else { "\n" },
                count(not_applied, "file"),
                if applied > 0 {
                    ""
                } else {
                    "; no fixes were applied"
                },
            ));
        }
    } else {
        out.push_str(&format!(
            "{} in {} can be fixed automatically. Nothing was changed; run with --apply to write these changes.\n",
            count(findings, "finding"),
            count(fixes.len(), "file")
        ));
    }
    write_stdout(&out)?;
    Ok(if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
