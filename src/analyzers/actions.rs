//! CI pipeline definitions: GitHub Actions workflows (`.github/workflows/*.yml`), composite
//! actions (`action.yml`) and, where the same mistake exists, GitLab CI (`.gitlab-ci.yml`).
//!
//! Each file is read with [`crate::yaml`], so findings point at the exact key or value, and at
//! the exact line of an expression inside a `run: |` block. Scripts are looked at line by line
//! (with `\` continuations joined) and split into commands with a small quote-aware splitter; we
//! never try to be a shell, only to recognise the handful of shapes each rule is about.
//!
//! What "later runs untrusted code" means for `actions/persist-credentials`: after the checkout,
//! the same job uploads an artifact (`actions/upload-artifact`, `actions/upload-pages-artifact`)
//! or runs a command that executes code the repository does not contain: a package manager that
//! runs dependencies' install or build scripts (`npm ci`, `pip install`, `cargo build`, …) or a
//! downloaded script (`curl … | sh`). A job that later runs `git push` needs the stored
//! credential and is left alone.

use super::{Hit, Unparsed};
use crate::rules::Severity;
use crate::source::{FileKind, Source};
use crate::yaml::{self, Node, ScalarStyle};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use crate::rules::ACTIONS_CURL_PIPE_SHELL as CURL_PIPE_SHELL;
use crate::rules::ACTIONS_DEFAULT_PERMISSIONS as DEFAULT_PERMISSIONS;
use crate::rules::ACTIONS_INVALID_WORKFLOW as INVALID_WORKFLOW;
use crate::rules::ACTIONS_PERSIST_CREDENTIALS as PERSIST_CREDENTIALS;
use crate::rules::ACTIONS_PULL_REQUEST_TARGET_CHECKOUT as PR_TARGET_CHECKOUT;
use crate::rules::ACTIONS_SECRET_ECHO as SECRET_ECHO;
use crate::rules::ACTIONS_SECRETS_IN_WORKFLOW_ENV as SECRETS_IN_WORKFLOW_ENV;
use crate::rules::ACTIONS_SECRETS_INHERIT as SECRETS_INHERIT;
use crate::rules::ACTIONS_SELF_HOSTED_RUNNER as SELF_HOSTED;
use crate::rules::ACTIONS_TEMPLATE_INJECTION as TEMPLATE_INJECTION;
use crate::rules::ACTIONS_UNPINNED_ACTION as UNPINNED;
use crate::rules::ACTIONS_WRITE_ALL_PERMISSIONS as WRITE_ALL;

/// Analyses one workflow, composite action or GitLab CI file.
///
/// A file that is not valid YAML is an error (the scan notes it), and GitHub rejects such a
/// workflow or action: that is reported as `actions/invalid-workflow` at the parser's line, and
/// the checks that need no tree (untrusted `${{ }}` in `run:` lines) still run on the text.
pub fn check(src: &Source, out: &mut Vec<Hit>) -> Result<(), Unparsed> {
    let docs = match yaml::parse_documents(src) {
        Ok(docs) => docs,
        Err(err) => {
            let mut unparsed = Unparsed::from(err);
            if matches!(src.kind, FileKind::GithubWorkflow | FileKind::GithubAction) {
                let at = unparsed.line.map_or(0, |line| src.offset_of(line, 1));
                let end = src.line_range(src.position(at).line).map_or(at, |r| r.end);
                out.push(
                    Hit::new(INVALID_WORKFLOW, at..end.max(at))
                        .with_value(unparsed.message.clone()),
                );
                text_level_injection(src, out);
                unparsed.partial = true;
            }
            return Err(unparsed);
        }
    };
    let mut hits = Vec::new();
    for doc in docs.iter().filter(|d| d.is_map()) {
        match src.kind {
            FileKind::GithubWorkflow => workflow(src, doc, &mut hits),
            FileKind::GithubAction => composite_action(src, doc, &mut hits),
            FileKind::GitlabCi => gitlab(src, doc, &mut hits),
            _ => {}
        }
    }
    // Anchors copied by aliases keep their spans: report each place once.
    hits.sort_by(|a, b| {
        (a.span.start, a.span.end, a.rule).cmp(&(b.span.start, b.span.end, b.rule))
    });
    hits.dedup_by(|a, b| a.rule == b.rule && a.span == b.span);
    out.extend(hits);
    Ok(())
}

/// `${{ }}` with untrusted text in the `run:` scripts of a file that did not parse, found line
/// by line: a `run:` key and its value on the same line, or the lines of its `|`/`>` block
/// (more indented than the key).
fn text_level_injection(src: &Source, out: &mut Vec<Hit>) {
    let Ok(text) = std::str::from_utf8(src.bytes) else {
        return;
    };
    // Indentation of the `run:` key whose block we are in.
    let mut block: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start().len();
        if let Some(key_indent) = block {
            if content.trim().is_empty() || indent > key_indent {
                push_injections(content, start, out);
                continue;
            }
            block = None;
        }
        let Some((key_indent, value_at)) = run_key(content) else {
            continue;
        };
        let value = content[value_at..].trim();
        if value.starts_with(['|', '>']) {
            block = Some(key_indent);
        } else {
            push_injections(&content[value_at..], start + value_at, out);
        }
    }
}

/// A line holding a `run:` key (`run: …`, `- run: …`): the key's indentation and where its
/// value starts.
fn run_key(line: &str) -> Option<(usize, usize)> {
    let trimmed = line.trim_start();
    let mut indent = line.len() - trimmed.len();
    let mut rest = trimmed;
    if let Some(after) = rest.strip_prefix("- ") {
        let item = after.trim_start();
        indent += rest.len() - item.len();
        rest = item;
    }
    let after = rest.strip_prefix("run")?.trim_start();
    let value = after.strip_prefix(':')?;
    if !(value.is_empty() || value.starts_with([' ', '\t'])) {
        return None;
    }
    Some((indent, line.len() - value.len()))
}

fn push_injections(text: &str, base: usize, out: &mut Vec<Hit>) {
    for (start, end, what) in untrusted_references(text, &[]) {
        out.push(Hit::new(TEMPLATE_INJECTION, base + start..base + end).with_value(what));
    }
}

// ---------------------------------------------------------------------------------------------
// GitHub workflows

/// What a workflow's jobs need to know about the workflow as a whole.
struct Workflow {
    triggers: BTreeSet<String>,
    /// Workflow-level `env:`: what each variable carries.
    env: EnvFacts,
}

/// What the variables of one `env:` block carry: name -> the expression they read.
#[derive(Default)]
struct EnvFacts {
    /// Filled from `secrets.*` or `github.token`.
    secrets: BTreeMap<String, String>,
    /// Filled from attacker-set text (`github.event.issue.title`, …).
    untrusted: BTreeMap<String, String>,
}

impl EnvFacts {
    fn of(env: Option<&Node>) -> EnvFacts {
        let mut facts = EnvFacts::default();
        for (key, value) in env.map(Node::entries).unwrap_or_default() {
            let (Some(name), Some(text)) = (key.as_str(), value.as_str()) else {
                continue;
            };
            if let Some(secret) = secret_reference(text) {
                facts.secrets.insert(name.to_owned(), secret);
            }
            if let Some(context) = untrusted_references(text, &[]).into_iter().next() {
                facts.untrusted.insert(name.to_owned(), context.2);
            }
        }
        facts
    }
}

/// `env:` blocks in scope for a step, innermost first (step, job, workflow).
type EnvScope<'a> = [&'a EnvFacts];

fn lookup<'a>(
    scope: &'a EnvScope,
    name: &str,
    pick: fn(&EnvFacts) -> &BTreeMap<String, String>,
) -> Option<&'a String> {
    scope.iter().find_map(|facts| pick(facts).get(name))
}

fn workflow(src: &Source, doc: &Node, out: &mut Vec<Hit>) {
    let wf = Workflow {
        triggers: triggers(doc.get("on")),
        env: EnvFacts::of(doc.get("env")),
    };
    let jobs = doc.get("jobs");

    // actions/default-permissions
    if doc.get("permissions").is_none()
        && let Some((jobs_key, jobs)) = doc.entry("jobs")
    {
        let bare: Vec<&str> = jobs
            .entries()
            .iter()
            .filter(|(_, job)| job.is_map() && job.get("permissions").is_none())
            .filter_map(|(id, _)| id.as_str())
            .collect();
        if !bare.is_empty() {
            let mut names = bare
                .iter()
                .take(5)
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if bare.len() > 5 {
                names.push_str(&format!(" and {} more", bare.len() - 5));
            }
            let names = if bare.len() == 1 {
                format!("job {names} runs")
            } else {
                format!("jobs {names} run")
            };
            out.push(Hit::new(DEFAULT_PERMISSIONS, jobs_key.span().range()).with_value(names));
        }
    }

    // actions/write-all-permissions
    write_all(doc.get("permissions"), "the whole workflow", out);

    // actions/secrets-in-workflow-env
    for (key, value) in doc.get("env").map(Node::entries).unwrap_or_default() {
        if value.as_str().is_some_and(mentions_secret) {
            let name = key.as_str().unwrap_or("?");
            out.push(Hit::new(SECRETS_IN_WORKFLOW_ENV, value.span().range()).with_value(name));
        }
    }

    for (id, job) in jobs.map(Node::entries).unwrap_or_default() {
        if job.is_map() {
            self::job(src, &wf, id.as_str().unwrap_or("?"), job, out);
        }
    }
}

fn job(src: &Source, wf: &Workflow, id: &str, job: &Node, out: &mut Vec<Hit>) {
    write_all(job.get("permissions"), &format!("job `{id}`"), out);

    // A reusable-workflow call.
    if let Some(uses) = job.get("uses") {
        unpinned(uses, out);
        if let Some(secrets) = job.get("secrets")
            && secrets.as_str() == Some("inherit")
        {
            let callee = uses.as_str().unwrap_or("the called workflow");
            out.push(
                Hit::new(SECRETS_INHERIT, secrets.span().range()).with_value(format!("`{callee}`")),
            );
        }
    }

    self_hosted(wf, job, out);

    let job_env = EnvFacts::of(job.get("env"));
    let job_guarded = job.get("if").is_some_and(same_repo_guard);
    let steps = job.get("steps").map(Node::items).unwrap_or_default();
    for step in steps {
        let step_env = EnvFacts::of(step.get("env"));
        step_checks(src, step, &[&step_env, &job_env, &wf.env], out);
        let guarded = job_guarded || step.get("if").is_some_and(same_repo_guard);
        if !guarded && wf.runs_untrusted_refs() {
            pr_head_checkout(src, step, out);
        }
    }
    persist_credentials(src, steps, out);
}

impl Workflow {
    /// Triggered by an event that runs with the base repository's secrets and write token while
    /// a pull request's code is available to fetch.
    fn runs_untrusted_refs(&self) -> bool {
        self.triggers.contains("pull_request_target") || self.triggers.contains("workflow_run")
    }
}

/// Checks shared by workflow steps and composite-action steps.
fn step_checks(src: &Source, step: &Node, env: &EnvScope, out: &mut Vec<Hit>) {
    if let Some(uses) = step.get("uses") {
        unpinned(uses, out);
        if action_name(uses) == "actions/github-script"
            && let Some(script) = step.get("with").and_then(|w| w.get("script"))
        {
            template_injection(src, script, env, out);
        }
    }
    if let Some(run) = step.get("run")
        && run.as_str().is_some()
    {
        template_injection(src, run, env, out);
        let text = ScalarText::of(src, run);
        for line in text.logical_lines() {
            if line.is_comment() {
                continue;
            }
            curl_pipe_shell(&text, &line, out);
            secret_echo(&text, &line, &SecretNames::Env(env), out);
        }
    }
}

/// The event names a workflow runs on, from any of the three `on:` forms.
fn triggers(on: Option<&Node>) -> BTreeSet<String> {
    let Some(on) = on else {
        return BTreeSet::new();
    };
    let names: Vec<&str> = match on {
        Node::Scalar { value, .. } => vec![value.as_str()],
        Node::Seq { items, .. } => items.iter().filter_map(Node::as_str).collect(),
        Node::Map { entries, .. } => entries.iter().filter_map(|(k, _)| k.as_str()).collect(),
        Node::Null { .. } => Vec::new(),
    };
    names.into_iter().map(str::to_owned).collect()
}

fn write_all(permissions: Option<&Node>, scope: &str, out: &mut Vec<Hit>) {
    if let Some(node) = permissions
        && node.as_str() == Some("write-all")
    {
        out.push(Hit::new(WRITE_ALL, node.span().range()).with_value(scope));
    }
}

static SECRET_EXPR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\$\{\{[^}]*?\b(secrets\s*\.\s*[A-Za-z0-9_-]+|secrets\s*\[\s*['"][^'"]+['"]\s*\]|github\s*\.\s*token\b)[^}]*\}\}"#,
    )
    .expect("static regex")
});

fn mentions_secret(text: &str) -> bool {
    SECRET_EXPR
        .captures(text)
        .and_then(|c| c.get(1))
        .is_some_and(|m| m.as_str().to_ascii_lowercase().starts_with("secrets"))
}

/// The first `secrets.X` or `github.token` an expression in `text` reads.
fn secret_reference(text: &str) -> Option<String> {
    let caps = SECRET_EXPR.captures(text)?;
    Some(caps.get(1)?.as_str().split_whitespace().collect())
}

fn self_hosted(wf: &Workflow, job: &Node, out: &mut Vec<Hit>) {
    let Some(runs_on) = job.get("runs-on") else {
        return;
    };
    let labels = match runs_on {
        Node::Map { .. } => runs_on.get("labels"),
        _ => Some(runs_on),
    };
    let Some(labels) = labels else {
        return;
    };
    let mut candidates: Vec<&Node> = match labels {
        Node::Seq { items, .. } => items.iter().collect(),
        other => vec![other],
    };
    // `runs-on: ${{ matrix.os }}`: look the matrix values up.
    let matrix = job.get("strategy").and_then(|s| s.get("matrix"));
    let mut expanded = Vec::new();
    for label in &candidates {
        if let (Some(text), Some(matrix)) = (label.as_str(), matrix)
            && let Some(key) = matrix_key(text)
            && let Some(values) = matrix.get(&key)
        {
            expanded.extend(values.descendants().filter(|n| n.as_str().is_some()));
            if let Some(include) = matrix.get("include") {
                for entry in include.items() {
                    if let Some(v) = entry.get(&key) {
                        expanded.extend(v.descendants().filter(|n| n.as_str().is_some()));
                    }
                }
            }
        }
    }
    candidates.extend(expanded);
    let Some(hit) = candidates.iter().find(|n| {
        n.as_str()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("self-hosted"))
    }) else {
        return;
    };
    let exposed = ["pull_request", "pull_request_target", "issue_comment"]
        .iter()
        .find(|t| wf.triggers.contains(**t));
    let value = match exposed {
        Some(trigger) => {
            format!("and the workflow runs on `{trigger}`, so outside code may run there")
        }
        None => "that keeps whatever earlier jobs left behind".to_owned(),
    };
    out.push(Hit::new(SELF_HOSTED, hit.span().range()).with_value(value));
}

/// `matrix.os` in `${{ matrix.os }}`.
fn matrix_key(text: &str) -> Option<String> {
    let inner = text.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let key = inner.strip_prefix("matrix.")?;
    key.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        .then(|| key.to_owned())
}

/// `owner/repo` of a `uses:` (lowercased, without path or ref).
fn action_name(uses: &Node) -> String {
    let text = uses.as_str().unwrap_or("").trim();
    let without_ref = text.split('@').next().unwrap_or("");
    let mut parts = without_ref.split('/');
    match (parts.next(), parts.next()) {
        (Some(owner), Some(repo)) => format!("{owner}/{repo}").to_ascii_lowercase(),
        _ => without_ref.to_ascii_lowercase(),
    }
}

fn unpinned(uses: &Node, out: &mut Vec<Hit>) {
    let Some(text) = uses.as_str() else {
        return;
    };
    let text = text.trim();
    if text.starts_with("./") || text.starts_with(".\\") || text.contains("${{") {
        return;
    }
    if let Some(image) = text.strip_prefix("docker://") {
        if !image.contains("@sha256:") {
            out.push(Hit::new(UNPINNED, uses.span().range()).with_value(format!("`{text}`")));
        }
        return;
    }
    let reference = text.rsplit_once('@').map_or("", |(_, r)| r);
    if is_commit_sha(reference) {
        return;
    }
    let owner = text.split('/').next().unwrap_or("").to_ascii_lowercase();
    let hit = Hit::new(UNPINNED, uses.span().range());
    out.push(if owner == "actions" || owner == "github" {
        hit.with_value(format!(
            "`{text}` (maintained by GitHub: lower risk, but its tags can still move)"
        ))
        .with_severity(Severity::Low)
    } else {
        hit.with_value(format!("`{text}`"))
    });
}

static UNTRUSTED_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \b(?:npm|pnpm)\s+(?:install|ci|i|add|test|t|run|run-script|exec|rebuild)\b
        | \b(?:npx|bunx)\s
        | (?:^|[;&|(]\s*|\s)yarn(?:\s|$)
        | \bbun\s+(?:install|i|add|run|test)\b
        | \bpip[0-9.]*\s+install\b
        | \bpython[0-9.]*\s+-m\s+pip\s+install\b
        | \b(?:poetry|pipenv|pdm)\s+install\b
        | \buv\s+(?:sync|run|pip\s+install)\b
        | \bbundle\s+(?:install|exec)\b
        | \bgem\s+install\b
        | \bcomposer\s+(?:install|update|require)\b
        | \bcargo\s+(?:build|test|run|install|check|clippy)\b
        | (?:^|[\s/])(?:mvn|mvnw|gradle|gradlew)\b
        | \bdotnet\s+(?:restore|build|test|run)\b
        | \bgo\s+(?:generate|test|run)\b",
    )
    .expect("static regex")
});

static GIT_PUSH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bgit\s+(?:-\S+\s+)*push\b").expect("static regex"));

/// Why running this step after a checkout exposes the stored token, if it does.
fn exposes_token(src: &Source, step: &Node) -> Option<String> {
    if let Some(uses) = step.get("uses") {
        let name = action_name(uses);
        if name == "actions/upload-artifact" || name == "actions/upload-pages-artifact" {
            return Some(format!(
                "a later step uploads an artifact (line {})",
                uses.line()
            ));
        }
    }
    let run = step.get("run").filter(|r| r.as_str().is_some())?;
    let text = ScalarText::of(src, run);
    text.logical_lines().into_iter().find_map(|line| {
        if line.is_comment() {
            return None;
        }
        let m = UNTRUSTED_CODE
            .find(&line.text)
            .or_else(|| CURL_PIPE.find(&line.text))?;
        let at = text.offset(line.source(m.start()));
        Some(format!(
            "a later step runs `{}` (line {})",
            shorten(m.as_str().trim()),
            src.position(at).line
        ))
    })
}

/// `actions/persist-credentials` over one job's steps: see the module comment for what counts
/// as untrusted code. One backwards pass, so the cost stays linear in the number of steps.
fn persist_credentials(src: &Source, steps: &[Node], out: &mut Vec<Hit>) {
    let mut pushes_later = false;
    let mut next_exposure: Option<String> = None;
    let mut found = Vec::new();
    for step in steps.iter().rev() {
        let is_checkout = step
            .get("uses")
            .is_some_and(|u| action_name(u) == "actions/checkout");
        if is_checkout && !pushes_later {
            let persist = step.get("with").and_then(|w| w.get("persist-credentials"));
            let disabled_or_unknown = persist
                .and_then(Node::as_str)
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("false") || s.contains("${{"));
            if !disabled_or_unknown
                && let (Some(reason), Some(uses)) = (&next_exposure, step.get("uses"))
            {
                // An explicit `persist-credentials: true` is the setting to change: pointed at.
                let at = persist.filter(|p| p.as_str().is_some()).unwrap_or(uses);
                found.push(Hit::new(PERSIST_CREDENTIALS, at.span().range()).with_value(reason));
            }
        }
        if step
            .get("run")
            .and_then(Node::as_str)
            .is_some_and(|t| GIT_PUSH.is_match(t))
        {
            pushes_later = true;
        }
        if let Some(reason) = exposes_token(src, step) {
            next_exposure = Some(reason);
        }
    }
    out.extend(found);
}

/// A job or step `if:` that only lets pull requests from the same repository through.
fn same_repo_guard(condition: &Node) -> bool {
    let text: String = condition
        .as_str()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    text.contains("head.repo.full_name==github.repository")
        || text.contains("github.repository==github.event.pull_request.head.repo.full_name")
        || text.contains("head.repo.fork==false")
        || text.contains("!github.event.pull_request.head.repo.fork")
}

/// Expression fragments that name a pull request's (or a triggering run's) own code.
const HEAD_REFS: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.repo.full_name",
    "github.event.pull_request.merge_commit_sha",
    "github.head_ref",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_repository.full_name",
    "github.event.workflow_run.pull_requests",
    "refs/pull/",
];

fn names_pr_head(text: &str) -> bool {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    HEAD_REFS.iter().any(|r| compact.contains(r))
}

static FETCH_PR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bgh\s+pr\s+checkout\b|\bgit\s+(?:-\S+\s+)*(?:fetch|checkout|switch|pull|reset)\b")
        .expect("static regex")
});

/// `actions/pull-request-target-checkout` for one step of a pull_request_target/workflow_run job.
fn pr_head_checkout(src: &Source, step: &Node, out: &mut Vec<Hit>) {
    if let Some(uses) = step.get("uses")
        && action_name(uses) == "actions/checkout"
    {
        let with = step.get("with");
        for key in ["ref", "repository"] {
            if let Some(value) = with.and_then(|w| w.get(key))
                && value.as_str().is_some_and(names_pr_head)
            {
                let shown = value.as_str().unwrap_or("").trim().to_owned();
                out.push(Hit::new(PR_TARGET_CHECKOUT, value.span().range()).with_value(shown));
                return;
            }
        }
    }
    if let Some(run) = step.get("run")
        && run.as_str().is_some()
    {
        let text = ScalarText::of(src, run);
        for line in text.logical_lines() {
            if line.is_comment() {
                continue;
            }
            let Some(m) = FETCH_PR.find(&line.text) else {
                continue;
            };
            if m.as_str().starts_with("gh") || names_pr_head(&line.text) {
                let at = text.offset(line.source(m.start()));
                out.push(
                    Hit::new(PR_TARGET_CHECKOUT, at..at + m.len())
                        .with_value(shorten(line.text.trim())),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Composite actions

fn composite_action(src: &Source, doc: &Node, out: &mut Vec<Hit>) {
    let Some(runs) = doc.get("runs") else {
        return;
    };
    if let Some(image) = runs.get("image")
        && image.as_str().is_some_and(|s| s.starts_with("docker://"))
    {
        unpinned(image, out);
    }
    for step in runs.get("steps").map(Node::items).unwrap_or_default() {
        let step_env = EnvFacts::of(step.get("env"));
        step_checks(src, step, &[&step_env], out);
    }
}

// ---------------------------------------------------------------------------------------------
// GitLab CI

/// Top-level keys of `.gitlab-ci.yml` that are not jobs.
const GITLAB_GLOBAL: &[&str] = &[
    "stages",
    "variables",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "spec",
];

fn gitlab(src: &Source, doc: &Node, out: &mut Vec<Hit>) {
    for (key, value) in doc.entries() {
        let name = key.as_str().unwrap_or("");
        if name == "include" {
            gitlab_includes(value, out);
            continue;
        }
        if GITLAB_GLOBAL.contains(&name) {
            continue;
        }
        if matches!(name, "before_script" | "after_script") {
            gitlab_script(src, value, out);
            continue;
        }
        for script_key in ["before_script", "script", "after_script"] {
            if let Some(script) = value.get(script_key) {
                gitlab_script(src, script, out);
            }
        }
    }
}

/// `include:` entries whose content can change under the pipeline: another project's file at a
/// branch or tag (or, with no `ref`, at its default branch), a CI/CD component at a version that
/// is not a commit SHA, and a remote URL without an `integrity` hash. Local files and GitLab's
/// own templates ship with the repository or the GitLab instance.
fn gitlab_includes(include: &Node, out: &mut Vec<Hit>) {
    let entries: Vec<&Node> = if include.is_seq() {
        include.items().iter().collect()
    } else {
        vec![include]
    };
    for entry in entries {
        if let Some(text) = entry.as_str() {
            // The short form: a URL is a remote include, anything else a local file.
            if is_url(text) {
                out.push(Hit::new(UNPINNED, entry.span().range()).with_value(format!(
                    "`include: {text}` (a remote file without an integrity hash)"
                )));
            }
            continue;
        }
        if let Some(project) = entry.get("project").and_then(Node::as_str) {
            match entry.get("ref") {
                Some(reference) if reference.as_str().is_some_and(is_commit_sha) => {}
                Some(reference) => out.push(
                    Hit::new(UNPINNED, reference.span().range()).with_value(format!(
                        "`include: project {project}` at `{}`",
                        reference.as_str().unwrap_or("")
                    )),
                ),
                None => out.push(Hit::new(UNPINNED, entry.span().range()).with_value(format!(
                    "`include: project {project}` at its default branch (no `ref`)"
                ))),
            }
        } else if let Some(remote) = entry.get("remote") {
            if entry.get("integrity").is_none() {
                out.push(
                    Hit::new(UNPINNED, remote.span().range()).with_value(format!(
                        "`include: remote {}` (no integrity hash)",
                        remote.as_str().unwrap_or("")
                    )),
                );
            }
        } else if let Some(component) = entry.get("component") {
            let text = component.as_str().unwrap_or("");
            let version = text.rsplit_once('@').map_or("", |(_, v)| v);
            if !is_commit_sha(version) {
                out.push(
                    Hit::new(UNPINNED, component.span().range())
                        .with_value(format!("`include: component {text}`")),
                );
            }
        }
    }
}

fn is_url(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn is_commit_sha(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn gitlab_script(src: &Source, script: &Node, out: &mut Vec<Hit>) {
    for item in script.descendants().filter(|n| n.as_str().is_some()) {
        let text = ScalarText::of(src, item);
        for line in text.logical_lines() {
            if line.is_comment() {
                continue;
            }
            curl_pipe_shell(&text, &line, out);
            secret_echo(&text, &line, &SecretNames::LooksSecret, out);
            gitlab_injection(&text, &line, out);
        }
    }
}

static EVAL_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)(?:^|[\s;&|(`])(?:
            eval
            | (?:ba|z|da|k)?sh\s+-c
            | python[0-9.]*\s+-c
            | node\s+(?:-e|--eval)
            | (?:ruby|perl)\s+-e
            | php\s+-r
            | (?:pwsh|powershell)\s+-c(?:ommand)?
        )\b",
    )
    .expect("static regex")
});

static GITLAB_UNTRUSTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\$\{?(CI_COMMIT_MESSAGE|CI_COMMIT_TITLE|CI_COMMIT_DESCRIPTION|CI_COMMIT_TAG_MESSAGE|CI_COMMIT_BRANCH|CI_COMMIT_REF_NAME|CI_COMMIT_AUTHOR|CI_MERGE_REQUEST_TITLE|CI_MERGE_REQUEST_DESCRIPTION|CI_MERGE_REQUEST_SOURCE_BRANCH_NAME|CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME)\b\}?",
    )
    .expect("static regex")
});

/// GitLab expands variables in the shell, so `echo "$CI_COMMIT_MESSAGE"` is data. It becomes
/// code when the outer shell pastes it into a program another interpreter parses: `eval "…"`,
/// `sh -c "…"`, `python -c "…"`. Single quotes keep it a variable reference and are fine.
fn gitlab_injection(text: &ScalarText, line: &Line, out: &mut Vec<Hit>) {
    let Some(eval) = EVAL_LIKE.find(&line.text) else {
        return;
    };
    let single = single_quoted_regions(&line.text);
    for caps in GITLAB_UNTRUSTED.captures_iter(&line.text) {
        let (Some(m), Some(name)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        if m.start() < eval.end() || single.iter().any(|r| r.contains(&m.start())) {
            continue;
        }
        let at = text.offset(line.source(m.start()));
        out.push(
            Hit::new(TEMPLATE_INJECTION, at..at + m.len())
                .with_value(format!("`${}`", name.as_str())),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Template injection (GitHub expressions)

/// Event fields that whoever opens the issue, pull request, comment or commit can set to any
/// text. `*` stands for an array index.
const UNTRUSTED_CONTEXTS: &[&str] = &[
    "github.head_ref",
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.pull_request.head.repo.description",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.commits.*.message",
    "github.event.commits.*.author.email",
    "github.event.commits.*.author.name",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.head_commit.committer.email",
    "github.event.head_commit.committer.name",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.display_title",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author.email",
    "github.event.workflow_run.head_commit.author.name",
    "github.event.workflow_run.pull_requests.*.head.ref",
    "github.event.workflow_run.head_repository.description",
];

static CONTEXT_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\bgithub(?:\s*\.\s*(?:[a-z0-9_-]+|\*)|\s*\[\s*(?:'[^']*'|"[^"]*"|[0-9]+|\*)\s*\])*"#,
    )
    .expect("static regex")
});

/// A context reference as path segments: `github.event['issue'].title` -> github/event/issue/title.
fn segments(reference: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = reference;
    while !rest.is_empty() {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '.');
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']').unwrap_or(inner.len());
            let key = inner[..end].trim().trim_matches(|c| c == '\'' || c == '"');
            let key = if key.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                key
            };
            out.push(key.to_ascii_lowercase());
            rest = inner.get(end + 1..).unwrap_or("");
        } else {
            let end = rest
                .find(|c: char| c == '.' || c == '[' || c.is_whitespace())
                .unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            out.push(rest[..end].to_ascii_lowercase());
            rest = &rest[end..];
        }
    }
    out
}

/// True when the reference is, or holds (`toJSON(github.event.issue)`), attacker-set text.
fn untrusted(segments: &[String]) -> bool {
    UNTRUSTED_CONTEXTS.iter().any(|pattern| {
        let pattern: Vec<&str> = pattern.split('.').collect();
        segments.len() <= pattern.len()
            && segments
                .iter()
                .zip(&pattern)
                .all(|(s, p)| *p == "*" || s == p)
    })
}

static ENV_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\benv\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)").expect("static regex")
});

/// Every untrusted value an expression-bearing text reads: (start, end) of its `${{ }}` in
/// `body`, and what it reads (`github.event.issue.title`, or `env.TITLE` and where that came
/// from). Comparisons (`== 'x'`, `contains(…)`) yield booleans, not text, and are skipped.
fn untrusted_references(body: &str, env: &EnvScope) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = body.get(from..).and_then(|rest| rest.find("${{")) {
        let start = from + open;
        let Some(close) = body[start..].find("}}") else {
            break;
        };
        let end = start + close + 2;
        let expr = &body[start + 3..end - 2];
        let compared = |at: usize, to: usize| {
            let before = expr[..at].trim_end().to_ascii_lowercase();
            let after = expr[to..].trim_start();
            before.ends_with('\'')
                || before.ends_with('"')
                || after.starts_with("==")
                || after.starts_with("!=")
                || before.ends_with("==")
                || before.ends_with("!=")
                || ["contains(", "startswith(", "endswith("]
                    .iter()
                    .any(|f| before.ends_with(f))
        };
        for m in CONTEXT_REF.find_iter(expr) {
            let path = segments(m.as_str());
            if !compared(m.start(), m.end()) && untrusted(&path) {
                out.push((start, end, format!("`{}`", path.join("."))));
            }
        }
        for caps in ENV_REF.captures_iter(expr) {
            let (Some(m), Some(name)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if compared(m.start(), m.end()) {
                continue;
            }
            if let Some(source) = lookup(env, name.as_str(), |f| &f.untrusted) {
                out.push((
                    start,
                    end,
                    format!("`env.{}` (set from {source})", name.as_str()),
                ));
            }
        }
        from = end;
    }
    out
}

/// `${{ }}` expressions in a `run:` or github-script `script:` that paste untrusted text into
/// the program before it runs.
fn template_injection(src: &Source, node: &Node, env: &EnvScope, out: &mut Vec<Hit>) {
    if node.as_str().is_none() {
        return;
    }
    let text = ScalarText::of(src, node);
    for (start, end, what) in untrusted_references(&text.text, env) {
        let at = text.offset(start);
        let to = text.offset(end).max(at);
        out.push(Hit::new(TEMPLATE_INJECTION, at..to).with_value(what));
    }
}

// ---------------------------------------------------------------------------------------------
// Shell lines: curl | sh, echo of secrets

static CURL_PIPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        \b(?:curl|wget)\b[^|\n]*(?:\|\s*(?:tee|cat)\b[^|\n]*)*
            \|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+(?:\S+=\S*\s+)*)?(?:/usr)?(?:/bin/)?
            (?:(?:ba|z|da|k|fi)?sh\b|(?:python[0-9.]*|perl|ruby|node)\s*-?\s*(?:$|[;&|)]))
        | \b(?:source|\.|(?:ba|z|da|k)?sh)\s+<\(\s*(?:curl|wget)\b
        | \b(?:(?:ba|z|da|k)?sh\s+-c|eval)\s+[\x22']?\$\(\s*(?:curl|wget)\b
        | \b(?:iwr|irm|invoke-webrequest|invoke-restmethod)\b[^|\n]*\|\s*(?:iex|invoke-expression)\b
        | \b(?:iex|invoke-expression)\s*\(?\s*\(?\s*(?:iwr|irm|invoke-webrequest|invoke-restmethod|new-object\s+(?:system\.)?net\.webclient)\b",
    )
    .expect("static regex")
});

fn curl_pipe_shell(text: &ScalarText, line: &Line, out: &mut Vec<Hit>) {
    if let Some(m) = CURL_PIPE.find(&line.text) {
        let at = text.offset(line.source(m.start()));
        out.push(
            Hit::new(CURL_PIPE_SHELL, at..at + m.len()).with_value(shorten(m.as_str().trim())),
        );
    }
}

/// Which `$NAME` variables count as secrets when echoed.
enum SecretNames<'a> {
    /// GitHub: names the workflow, job or step `env:` fills from `secrets.*` or `github.token`.
    Env(&'a EnvScope<'a>),
    /// GitLab: secrets live in project settings, so go by the name (`…_TOKEN`, `…PASSWORD`).
    LooksSecret,
}

static SHELL_VAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?").expect("static regex"));

static SECRETISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:TOKEN|PASSWORD|PASSWD|SECRET|API_?KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS?)(?:_[0-9]+)?$",
    )
    .expect("static regex")
});

const PRINTERS: &[&str] = &[
    "echo",
    "printf",
    "print",
    "write-host",
    "write-output",
    "say",
];

/// Commands that pass a piped secret straight on to the log, often unmasked (`| base64`).
const PASS_THROUGH: &[&str] = &[
    "base64", "rev", "xxd", "od", "hexdump", "sed", "tr", "cut", "awk", "tee", "cat", "fold",
];

fn secret_echo(text: &ScalarText, line: &Line, names: &SecretNames, out: &mut Vec<Hit>) {
    let commands = split_commands(&line.text);
    for (index, command) in commands.iter().enumerate() {
        let words = &line.text[command.start..command.end];
        if first_word(words).is_none_or(|w| !PRINTERS.contains(&w.as_str()))
            || words.contains("::add-mask::")
        {
            continue;
        }
        // Where does the printed text end up?
        let mut last = command;
        let mut leaks = !command.redirected;
        let mut next = index;
        while last.piped {
            next += 1;
            let Some(receiver) = commands.get(next) else {
                break;
            };
            let receiver_word = first_word(&line.text[receiver.start..receiver.end]);
            leaks = receiver_word.is_some_and(|w| PASS_THROUGH.contains(&w.as_str()))
                && !receiver.redirected;
            if !leaks {
                break;
            }
            last = receiver;
        }
        if !leaks {
            continue;
        }
        if let Some(found) = printed_secret(words, names) {
            let at = text.offset(line.source(command.start + found.0));
            out.push(Hit::new(SECRET_ECHO, at..at + found.1).with_value(found.2));
        }
    }
}

/// (offset in `words`, length, description) of the first secret the command prints.
fn printed_secret(words: &str, names: &SecretNames) -> Option<(usize, usize, String)> {
    if let Some(caps) = SECRET_EXPR.captures(words)
        && let (Some(m), Some(name)) = (caps.get(0), caps.get(1))
    {
        let name: String = name.as_str().split_whitespace().collect();
        return Some((m.start(), m.len(), format!("`{name}`")));
    }
    let single = single_quoted_regions(words);
    for caps in SHELL_VAR.captures_iter(words) {
        let (Some(m), Some(name)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        if single.iter().any(|r| r.contains(&m.start())) {
            continue;
        }
        let name = name.as_str();
        let described = match names {
            SecretNames::Env(scope) => lookup(scope, name, |f| &f.secrets)
                .map(|secret| format!("`${name}` (set from `{secret}`)")),
            SecretNames::LooksSecret => {
                let noise = ["_FILE", "_PATH", "_URL", "_NAME", "_ID", "_USER", "_TYPE"];
                (SECRETISH.is_match(name) && !noise.iter().any(|n| name.ends_with(n)))
                    .then(|| format!("`${name}`"))
            }
        };
        if let Some(described) = described {
            return Some((m.start(), m.len(), described));
        }
    }
    None
}

/// The command name, skipping shell keywords that may precede it (`then echo …`).
fn first_word(command: &str) -> Option<String> {
    command
        .split_whitespace()
        .map(|w| w.trim_start_matches(['(', '{']))
        .find(|w| !w.is_empty() && !matches!(*w, "then" | "do" | "else" | "!" | "time" | "command"))
        .map(|w| w.to_ascii_lowercase())
}

/// One command of a shell line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Command {
    start: usize,
    end: usize,
    /// Output goes into the next command (`|`).
    piped: bool,
    /// Standard output goes to a file (`>`, `>>`, `&>`).
    redirected: bool,
}

/// Splits at unquoted `;`, `&&`, `||`, `&` and `|`, outside `$( )`.
fn split_commands(line: &str) -> Vec<Command> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let (mut single, mut double, mut depth) = (false, false, 0usize);
    let mut start = 0;
    let mut redirected = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\\' if !single => {
                i += 2;
                continue;
            }
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'$' if !single && bytes.get(i + 1) == Some(&b'(') => {
                depth += 1;
                i += 2;
                continue;
            }
            b')' if !single && depth > 0 => depth -= 1,
            _ if single || double || depth > 0 => {}
            b'>' => {
                let prev = if i > 0 { bytes[i - 1] } else { b' ' };
                let stderr_only = prev.is_ascii_digit() && prev != b'1';
                let dup = bytes.get(i + 1) == Some(&b'&');
                if !stderr_only && !dup {
                    redirected = true;
                }
            }
            b';' | b'&' | b'|' => {
                let double_op = bytes.get(i + 1) == Some(&b);
                // `>&` / `&>` belong to redirections, `|&` to a pipe.
                if b == b'&' && (i > 0 && bytes[i - 1] == b'>') {
                    i += 1;
                    continue;
                }
                if b == b'&' && bytes.get(i + 1) == Some(&b'>') {
                    redirected = true;
                    i += 2;
                    continue;
                }
                let piped = b == b'|' && !double_op;
                out.push(Command {
                    start,
                    end: i,
                    piped,
                    redirected,
                });
                redirected = false;
                i += if double_op { 2 } else { 1 };
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(Command {
        start: start.min(line.len()),
        end: line.len(),
        piped: false,
        redirected,
    });
    out
}

/// Byte ranges of `'…'` regions (outside double quotes).
fn single_quoted_regions(line: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut double = false;
    let mut open: Option<usize> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if open.is_none() => escaped = true,
            '"' if open.is_none() => double = !double,
            '\'' if !double => match open.take() {
                Some(from) => out.push(from..i + 1),
                None => open = Some(i),
            },
            _ => {}
        }
    }
    if let Some(from) = open {
        out.push(from..line.len());
    }
    out
}

fn shorten(text: &str) -> String {
    const MAX: usize = 100;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text.as_str();
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

// ---------------------------------------------------------------------------------------------
// Scalar text with file positions

/// The text of a scalar as written in the file (block scalars keep their indentation, quoted
/// ones lose their quotes), so a match maps straight back to a byte offset. When the node is a
/// copy made by an alias, its parsed value is used and every offset is the node's start.
struct ScalarText {
    text: String,
    base: usize,
    exact: bool,
}

impl ScalarText {
    fn of(src: &Source, node: &Node) -> ScalarText {
        let span = node.span();
        let value = node.as_str().unwrap_or("");
        let raw = src
            .bytes
            .get(span.range())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("");
        let quoted = matches!(
            node.style(),
            Some(ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
        );
        let looks_right = !raw.starts_with('*') && !raw.is_empty() || value.is_empty();
        if !looks_right {
            return ScalarText {
                text: value.to_owned(),
                base: span.start,
                exact: false,
            };
        }
        if quoted && raw.len() >= 2 {
            let inner = raw.get(1..raw.len() - 1).unwrap_or(raw);
            return ScalarText {
                text: inner.to_owned(),
                base: span.start + 1,
                exact: true,
            };
        }
        ScalarText {
            text: raw.to_owned(),
            base: span.start,
            exact: true,
        }
    }

    /// File offset of a byte position in `text`.
    fn offset(&self, pos: usize) -> usize {
        if self.exact {
            self.base + pos
        } else {
            self.base
        }
    }

    /// Lines with `\`-continuations joined.
    fn logical_lines(&self) -> Vec<Line> {
        let mut out = Vec::new();
        let mut current: Option<Line> = None;
        let mut pos = 0;
        for physical in self.text.split('\n') {
            let start = pos;
            pos += physical.len() + 1;
            let content = physical.strip_suffix('\r').unwrap_or(physical);
            let (content, continues) = match content.trim_end().strip_suffix('\\') {
                Some(head) => (head, true),
                None => (content, false),
            };
            let line = current.get_or_insert_with(|| Line {
                text: String::new(),
                pieces: Vec::new(),
            });
            if !line.text.is_empty() {
                line.text.push(' ');
            }
            line.pieces.push((line.text.len(), start));
            line.text.push_str(content);
            if !continues && let Some(done) = current.take() {
                out.push(done);
            }
        }
        out.extend(current);
        out
    }
}

/// A logical line of a script and where each joined piece started in the scalar text.
struct Line {
    text: String,
    /// (position in `text`, position in the scalar text)
    pieces: Vec<(usize, usize)>,
}

impl Line {
    /// Position in the scalar text of byte `pos` of this line.
    fn source(&self, pos: usize) -> usize {
        let piece = self
            .pieces
            .iter()
            .rev()
            .find(|(at, _)| *at <= pos)
            .copied()
            .unwrap_or((0, 0));
        piece.1 + (pos - piece.0)
    }

    fn is_comment(&self) -> bool {
        self.text.trim_start().starts_with('#')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::BuiltinRule;

    fn hits(kind: FileKind, text: &str) -> Vec<(BuiltinRule, u32, Option<String>)> {
        let src = Source::new("f.yml", kind, text.as_bytes());
        let mut out = Vec::new();
        let _ = check(&src, &mut out);
        out.iter()
            .map(|h| (h.rule, src.position(h.span.start).line, h.value.clone()))
            .collect()
    }

    fn lines_of(kind: FileKind, text: &str, rule: BuiltinRule) -> Vec<u32> {
        hits(kind, text)
            .into_iter()
            .filter(|h| h.0 == rule)
            .map(|h| h.1)
            .collect()
    }

    const WF: FileKind = FileKind::GithubWorkflow;

    #[test]
    fn template_injection_points_at_the_line_inside_the_block() {
        let text = "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo start\n          echo \"${{ github.event.issue.title }}\"\n      - run: echo \"${{ github.event.issue.number }}\"\n      - env:\n          T: ${{ github.event.issue.body }}\n        run: echo \"$T\"\n";
        let found = hits(WF, text);
        let injections: Vec<_> = found.iter().filter(|h| h.0 == TEMPLATE_INJECTION).collect();
        assert_eq!(injections.len(), 1, "{found:?}");
        assert_eq!(injections[0].1, 9);
        assert_eq!(
            injections[0].2.as_deref(),
            Some("`github.event.issue.title`")
        );
    }

    #[test]
    fn env_values_from_untrusted_text_stay_untrusted_inside_expressions() {
        let text = "on: issues\nenv:\n  TITLE: ${{ github.event.issue.title }}\njobs:\n  a:\n    env:\n      N: ${{ github.event.issue.number }}\n    steps:\n      - run: echo \"${{ env.TITLE }} $TITLE ${{ env.N }}\"\n";
        let found = hits(WF, text);
        let injections: Vec<_> = found.iter().filter(|h| h.0 == TEMPLATE_INJECTION).collect();
        assert_eq!(injections.len(), 1, "{found:?}");
        assert_eq!(injections[0].1, 9);
        assert!(injections[0].2.as_deref().unwrap().contains("`env.TITLE`"));
    }

    #[test]
    fn context_references_normalise() {
        assert_eq!(
            segments("github.event['pull_request'].title"),
            ["github", "event", "pull_request", "title"]
        );
        assert_eq!(
            segments("github.event.commits[0].message"),
            ["github", "event", "commits", "*", "message"]
        );
        assert!(untrusted(&segments("github.event.commits.*.message")));
        assert!(untrusted(&segments("GitHub.Event.Issue")));
        assert!(!untrusted(&segments("github.event.pull_request.number")));
        assert!(!untrusted(&segments("github.event.pull_request.head.sha")));
    }

    #[test]
    fn comparisons_are_not_injections() {
        let text = "on: issues\njobs:\n  a:\n    steps:\n      - run: echo ${{ github.event.issue.title == 'x' && 'yes' || 'no' }} ${{ contains(github.event.issue.body, 'y') }}\n";
        assert!(lines_of(WF, text, TEMPLATE_INJECTION).is_empty());
    }

    #[test]
    fn github_script_counts_and_quoted_scalars_map_exactly() {
        let text = "on: pull_request_target\njobs:\n  a:\n    steps:\n      - uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          script: \"console.log('${{ github.event.pull_request.title }}')\"\n";
        assert_eq!(lines_of(WF, text, TEMPLATE_INJECTION), [7]);
        let src = Source::new("f.yml", WF, text.as_bytes());
        let mut out = Vec::new();
        let _ = check(&src, &mut out);
        let hit = out.iter().find(|h| h.rule == TEMPLATE_INJECTION).unwrap();
        assert_eq!(
            &text[hit.span.clone()],
            "${{ github.event.pull_request.title }}"
        );
    }

    #[test]
    fn on_forms_are_all_understood() {
        for on in [
            "on: pull_request_target",
            "on: [push, pull_request_target]",
            "on:\n  pull_request_target:\n    types: [opened]",
        ] {
            let text = format!(
                "{on}\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{{{ github.event.pull_request.head.sha }}}}\n"
            );
            let lines = lines_of(WF, &text, PR_TARGET_CHECKOUT);
            assert_eq!(lines.len(), 1, "{on}: {lines:?}");
        }
        let text = "on: pull_request\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n";
        assert!(lines_of(WF, text, PR_TARGET_CHECKOUT).is_empty());
    }

    #[test]
    fn pinning() {
        let text = "on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: acme/deploy@main\n      - uses: acme/deploy@0123456789abcdef0123456789abcdef01234567\n      - uses: ./local\n      - uses: docker://alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n      - uses: docker://alpine:3\n  b:\n    uses: acme/wf/.github/workflows/x.yml@v1\n";
        let found: Vec<_> = hits(WF, text)
            .into_iter()
            .filter(|h| h.0 == UNPINNED)
            .collect();
        let lines: Vec<u32> = found.iter().map(|h| h.1).collect();
        assert_eq!(lines, [5, 6, 10, 12]);
        assert!(
            found[0]
                .2
                .as_deref()
                .unwrap()
                .contains("maintained by GitHub")
        );
        // GitHub's own actions are reported at low severity; the rest at the rule's.
        let src = Source::new("f.yml", WF, text.as_bytes());
        let mut out = Vec::new();
        let _ = check(&src, &mut out);
        let severities: Vec<_> = out
            .iter()
            .filter(|h| h.rule == UNPINNED)
            .map(|h| h.severity)
            .collect();
        assert_eq!(severities, [Some(Severity::Low), None, None, None]);
    }

    #[test]
    fn gitlab_includes_in_their_short_forms() {
        let lines = |text: &str| lines_of(FileKind::GitlabCi, text, UNPINNED);
        assert_eq!(lines("include: https://example.com/ci.yml\n"), [1]);
        assert_eq!(lines("include: /ci/local.yml\n"), Vec::<u32>::new());
        assert_eq!(
            lines("include:\n  - /ci/a.yml\n  - 'https://example.com/b.yml'\n"),
            [3]
        );
        assert_eq!(
            lines("include:\n  project: a/b\n  ref: v1.2.3\n  file: c.yml\n"),
            [3]
        );
    }

    #[test]
    fn curl_pipe_shell_shapes() {
        let yes = [
            "curl -fsSL https://x.sh | sh",
            "curl -sSf https://sh.rustup.rs | sh -s -- -y",
            "wget -qO- https://x | sudo -E bash",
            "curl https://x | tee log | bash",
            "bash <(curl -s https://x)",
            "sh -c \"$(curl -fsSL https://x)\"",
            "curl https://x | python3 -",
            "iwr https://x | iex",
        ];
        let no = [
            "curl -fsSL https://x -o install.sh",
            "curl https://x | tar xz",
            "curl https://x | sha256sum -c",
            "curl https://api | python3 -c 'import json,sys; print(json.load(sys.stdin))'",
            "curl https://x | jq .",
        ];
        for line in yes {
            assert!(CURL_PIPE.is_match(line), "{line}");
        }
        for line in no {
            assert!(!CURL_PIPE.is_match(line), "{line}");
        }
    }

    #[test]
    fn continuation_lines_join_and_report_the_first() {
        let text = "on: push\njobs:\n  a:\n    steps:\n      - run: |\n          curl -fsSL https://example.com/install.sh \\\n            | bash\n";
        assert_eq!(lines_of(WF, text, CURL_PIPE_SHELL), [6]);
    }

    #[test]
    fn secret_echo_sees_direct_and_env_secrets_but_not_pipes_into_logins() {
        let text = "on: push\nenv:\n  TOKEN: ${{ secrets.API_TOKEN }}\njobs:\n  a:\n    steps:\n      - run: |\n          echo \"${{ secrets.NPM_TOKEN }}\" | docker login --password-stdin\n          echo \"${{ secrets.NPM_TOKEN }}\"\n          echo \"token is $TOKEN\"\n          echo '$TOKEN'\n          echo \"::add-mask::${{ secrets.X }}\"\n          echo \"${{ secrets.X }}\" > key.pem\n          echo \"${{ secrets.X }}\" | base64\n";
        assert_eq!(lines_of(WF, text, SECRET_ECHO), [9, 10, 14]);
    }

    #[test]
    fn splitting_commands() {
        let c = split_commands("echo \"a|b\" | docker login && echo $(x | y) > f 2>&1; ls 2> err");
        assert_eq!(c.len(), 4, "{c:?}");
        assert!(c[0].piped && !c[0].redirected);
        assert!(!c[1].piped);
        assert!(c[2].redirected);
        assert!(!c[3].redirected);
    }

    #[test]
    fn persist_credentials_needs_a_later_risk() {
        let base = "on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n";
        assert_eq!(
            lines_of(
                WF,
                &format!("{base}      - run: npm ci\n"),
                PERSIST_CREDENTIALS
            ),
            [5]
        );
        assert_eq!(
            lines_of(
                WF,
                &format!("{base}      - uses: actions/upload-artifact@v4\n"),
                PERSIST_CREDENTIALS
            ),
            [5]
        );
        assert!(lines_of(WF, &format!("{base}      - run: ls\n"), PERSIST_CREDENTIALS).is_empty());
        let pushes = format!("{base}      - run: npm ci\n      - run: git push origin HEAD\n");
        assert!(lines_of(WF, &pushes, PERSIST_CREDENTIALS).is_empty());
        let off = "on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n      - run: npm ci\n";
        assert!(lines_of(WF, off, PERSIST_CREDENTIALS).is_empty());
    }

    #[test]
    fn self_hosted_forms() {
        let text = "on: pull_request\njobs:\n  a:\n    runs-on: [self-hosted, linux]\n  b:\n    runs-on:\n      labels: self-hosted\n  c:\n    runs-on: ${{ matrix.os }}\n    strategy:\n      matrix:\n        os: [ubuntu-latest, self-hosted]\n  d:\n    runs-on: ubuntu-latest\n";
        assert_eq!(lines_of(WF, text, SELF_HOSTED), [4, 7, 12]);
    }

    #[test]
    fn gitlab_mistakes() {
        let text = "variables:\n  X: '1'\n.base: &base\n  before_script:\n    - curl -s https://x/install.sh | bash\njob1:\n  <<: *base\n  script:\n    - echo \"$CI_COMMIT_MESSAGE\"\n    - eval \"deploy $CI_MERGE_REQUEST_TITLE\"\n    - sh -c 'echo $CI_COMMIT_MESSAGE'\n    - echo $DEPLOY_TOKEN\n    - echo $DEPLOY_TOKEN_FILE\n";
        let found = hits(FileKind::GitlabCi, text);
        let by = |rule| -> Vec<u32> { found.iter().filter(|h| h.0 == rule).map(|h| h.1).collect() };
        assert_eq!(by(CURL_PIPE_SHELL), [5], "{found:?}");
        assert_eq!(by(TEMPLATE_INJECTION), [10]);
        assert_eq!(by(SECRET_ECHO), [12]);
    }

    #[test]
    fn default_permissions_and_friends() {
        let text = "on: push\nenv:\n  KEY: ${{ secrets.KEY }}\n  PLAIN: x\njobs:\n  a:\n    permissions: write-all\n    runs-on: ubuntu-latest\n  b:\n    uses: ./.github/workflows/x.yml\n    secrets: inherit\n";
        let found = hits(WF, text);
        let by = |rule| -> Vec<u32> { found.iter().filter(|h| h.0 == rule).map(|h| h.1).collect() };
        assert_eq!(by(DEFAULT_PERMISSIONS), [5]);
        assert_eq!(by(WRITE_ALL), [7]);
        assert_eq!(by(SECRETS_IN_WORKFLOW_ENV), [3]);
        assert_eq!(by(SECRETS_INHERIT), [11]);
        let all_set = "on: push\njobs:\n  a:\n    permissions: {contents: read}\n";
        assert!(lines_of(WF, all_set, DEFAULT_PERMISSIONS).is_empty());
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep = format!("jobs: {}{}", "[".repeat(5000), "]".repeat(5000));
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        let long = format!(
            "on: push\njobs:\n  a:\n    steps:\n      - run: echo {}${{{{ github.head_ref }}}} \\\n",
            "x".repeat(1_000_000)
        );
        let weird = "on: {pull_request_target: }\njobs:\n  a:\n    runs-on: {labels: [[self-hosted]]}\n    steps: [{uses: ~, run: ~, with: [1]}, 3, {run: \"${{\"}, {run: \"}}${{ github.head_ref\"}]\n";
        for kind in [WF, FileKind::GithubAction, FileKind::GitlabCi] {
            for text in [
                deep.as_str(),
                bomb,
                long.as_str(),
                weird,
                "",
                "- a\n- b\n",
                ": :",
            ] {
                let _ = hits(kind, text);
            }
        }
        assert_eq!(lines_of(WF, &long, TEMPLATE_INJECTION), [5]);
        // Many steps stay linear (one checkout per step, an install at the end).
        let mut many = String::from("on: push\njobs:\n  a:\n    steps:\n");
        for _ in 0..20_000 {
            many.push_str("      - uses: actions/checkout@v4\n");
        }
        many.push_str("      - run: npm ci\n");
        let started = std::time::Instant::now();
        assert_eq!(lines_of(WF, &many, PERSIST_CREDENTIALS).len(), 20_000);
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn an_invalid_workflow_is_reported_and_its_run_lines_still_checked() {
        let text = "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"New issue: ${{ github.event.issue.title }}\"\n      - name: Body\n        run: |\n          echo ok\n          echo \"${{ github.event.issue.body }}\"\n      - run: echo ${{ github.event.issue.number }}\n      - name: \"${{ github.event.issue.title }}\"\n";
        let src = Source::new("w.yml", FileKind::GithubWorkflow, text.as_bytes());
        let mut out = Vec::new();
        let err = check(&src, &mut out).unwrap_err();
        assert_eq!(err.line, Some(6));
        assert!(err.partial);
        let got: Vec<_> = out
            .iter()
            .map(|h| (h.rule, src.position(h.span.start).line))
            .collect();
        // Not the issue number (a number is not text anyone can shape), not a step's name.
        assert_eq!(
            got,
            vec![
                (INVALID_WORKFLOW, 6),
                (TEMPLATE_INJECTION, 6),
                (TEMPLATE_INJECTION, 10)
            ]
        );
        let injection = &out[1];
        assert_eq!(
            &text[injection.span.clone()],
            "${{ github.event.issue.title }}"
        );
        // GitLab CI has no such rule; the file is still an error for the scan's note.
        let src = Source::new(".gitlab-ci.yml", FileKind::GitlabCi, text.as_bytes());
        let mut out = Vec::new();
        assert!(check(&src, &mut out).is_err());
        assert!(out.is_empty());
    }

    #[test]
    fn composite_actions() {
        let text = "name: x\nruns:\n  using: composite\n  steps:\n    - uses: acme/setup@v2\n    - run: echo \"${{ github.event.pull_request.body }}\"\n      shell: bash\n";
        let found = hits(FileKind::GithubAction, text);
        let rules: Vec<_> = found.iter().map(|h| (h.0, h.1)).collect();
        assert_eq!(rules, [(UNPINNED, 5), (TEMPLATE_INJECTION, 6)]);
    }
}
