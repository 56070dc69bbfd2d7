//! The pipelines: which tools GitHub Actions workflows, GitLab CI jobs and pre-commit hooks run,
//! and when. Files are parsed with the one YAML model ([`crate::yaml`]); nothing is run and no
//! remote include, action or reusable workflow is fetched (a note says what was not followed).

use super::tools::{self, Tool};
use super::{Evidence, Found, LayerId, Reach};
use crate::display::sanitize;
use crate::source::FileKind;
use crate::yaml::Node;
use std::collections::BTreeSet;
use std::path::Path;

/// Largest pipeline file read.
const MAX_PIPELINE_BYTES: u64 = 2 << 20;
/// How deep local reusable workflows and GitLab local includes are followed.
const MAX_DEPTH: usize = 4;

pub(super) fn read_pipelines(root: &Path, files: &[String], found: &mut Found) {
    let set: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    let mut precommit_ci: Vec<(Reach, String)> = Vec::new();
    github(root, files, &set, found, &mut precommit_ci);
    for name in [".gitlab-ci.yml", ".gitlab-ci.yaml"] {
        if set.contains(name) {
            gitlab(root, name, &set, found, &mut precommit_ci);
        }
    }
    for name in [".pre-commit-config.yaml", ".pre-commit-config.yml"] {
        if set.contains(name) {
            precommit(root, name, found, &precommit_ci);
        }
    }
}

/// Reads and parses one YAML file of the scan set; a note when it cannot.
fn load(root: &Path, rel: &str, found: &mut Found) -> Option<Vec<Node>> {
    let bytes = match crate::regular::read_no_follow_limited(&root.join(rel), MAX_PIPELINE_BYTES) {
        Ok(bytes) => bytes,
        Err(e) => {
            found.notes.push(format!(
                "{} was not read for the layer map: {}",
                sanitize(rel),
                sanitize(&e.to_string())
            ));
            return None;
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        found.notes.push(format!(
            "{} was not read for the layer map: it is not valid UTF-8",
            sanitize(rel)
        ));
        return None;
    };
    match crate::yaml::parse_str(&text) {
        Ok(docs) => Some(docs),
        Err(e) => {
            found.notes.push(format!(
                "{} was not read for the layer map: not valid YAML ({})",
                sanitize(rel),
                sanitize(&e.to_string())
            ));
            None
        }
    }
}

/// A tool found in a pipeline, before its reach is known.
struct Hit {
    tool: &'static Tool,
    layers: Vec<LayerId>,
    path: String,
    line: u32,
    what: String,
}

impl Hit {
    fn evidence(&self, reach: Reach) -> Evidence {
        Evidence {
            tool: self.tool.name.to_owned(),
            path: self.path.clone(),
            line: Some(self.line),
            what: sanitize(&self.what).into_owned(),
            reach,
            layers: self.layers.clone(),
            optional: false,
        }
    }
}

/// Everything a script runs, as hits (and whether it runs pre-commit).
fn script_hits(script: &str, path: &str, line: u32, job: &str, hits: &mut Vec<Hit>) -> bool {
    for hit in tools::in_script(script) {
        hits.push(Hit {
            tool: hit.tool,
            layers: hit.layers,
            path: path.to_owned(),
            line,
            what: format!("runs `{}` in job `{job}`", hit.words),
        });
    }
    runs_precommit(script)
}

fn runs_precommit(script: &str) -> bool {
    script.lines().any(|line| {
        let line = line.trim_start();
        !line.starts_with('#') && (line.contains("pre-commit run") || line.contains("prek run"))
    })
}

/// What one workflow file holds.
struct Workflow {
    path: String,
    /// When its own triggers run it (`None`: only when called as a reusable workflow).
    reach: Option<Reach>,
    hits: Vec<Hit>,
    /// Lines where it runs pre-commit.
    precommit: Option<u32>,
    /// Local reusable workflows its jobs call.
    calls: Vec<String>,
}

fn github(
    root: &Path,
    files: &[String],
    set: &BTreeSet<&str>,
    found: &mut Found,
    precommit_ci: &mut Vec<(Reach, String)>,
) {
    let mut flows: Vec<Workflow> = Vec::new();
    for rel in files {
        if FileKind::detect(rel, b"") != FileKind::GithubWorkflow || rel.contains("/.github/") {
            continue;
        }
        let Some(docs) = load(root, rel, found) else {
            continue;
        };
        let Some(doc) = docs.first() else { continue };
        flows.push(workflow(root, rel, doc, set, found));
    }
    // Reusable workflows take the reach of the workflows that call them.
    let mut called_with: Vec<Vec<Reach>> = vec![Vec::new(); flows.len()];
    for caller in &flows {
        let Some(reach) = &caller.reach else { continue };
        let mut queue: Vec<(String, usize)> = caller.calls.iter().map(|c| (c.clone(), 1)).collect();
        let mut seen = BTreeSet::new();
        while let Some((callee, depth)) = queue.pop() {
            if depth > MAX_DEPTH || !seen.insert(callee.clone()) {
                continue;
            }
            if let Some(i) = flows.iter().position(|f| f.path == callee) {
                let how = format!("{} (called from {})", reach.describe(), caller.path);
                called_with[i].push(match reach {
                    Reach::EveryChange(_) => Reach::EveryChange(how),
                    _ => Reach::Restricted(how),
                });
                queue.extend(flows[i].calls.iter().map(|c| (c.clone(), depth + 1)));
            }
        }
    }
    for (flow, called) in flows.iter().zip(called_with) {
        let mut reaches: Vec<Reach> = flow.reach.iter().cloned().collect();
        // The caller that runs it most often decides.
        if let Some(best) = called
            .iter()
            .find(|r| matches!(r, Reach::EveryChange(_)))
            .or(called.first())
        {
            reaches.push(best.clone());
        }
        if reaches.is_empty() {
            reaches.push(Reach::Restricted(
                "when another repository calls it (a reusable workflow no workflow here calls)"
                    .to_owned(),
            ));
        }
        let reach = reaches
            .iter()
            .find(|r| matches!(r, Reach::EveryChange(_)))
            .unwrap_or(&reaches[0])
            .clone();
        for hit in &flow.hits {
            found.evidence.push(hit.evidence(reach.clone()));
        }
        if flow.precommit.is_some() {
            precommit_ci.push((reach.clone(), flow.path.clone()));
        }
    }
}

fn workflow(
    root: &Path,
    rel: &str,
    doc: &Node,
    set: &BTreeSet<&str>,
    found: &mut Found,
) -> Workflow {
    let mut flow = Workflow {
        path: rel.to_owned(),
        reach: doc.get("on").and_then(github_reach),
        hits: Vec::new(),
        precommit: None,
        calls: Vec::new(),
    };
    let Some(jobs) = doc.get("jobs") else {
        return flow;
    };
    for (key, job) in jobs.entries() {
        let name = key.as_str().unwrap_or("?");
        if let Some(uses) = job.get("uses").and_then(Node::as_str) {
            if let Some(local) = uses.strip_prefix("./") {
                flow.calls.push(local.to_owned());
            } else if let Some(tool) = tools::of_action(uses) {
                flow.hits.push(Hit {
                    tool,
                    layers: tool.layers.to_vec(),
                    path: rel.to_owned(),
                    line: job.get("uses").map_or(job.line(), Node::line),
                    what: format!("calls `{uses}` in job `{name}`"),
                });
            } else if let Some(tool) = remote_workflow_tool(uses) {
                flow.hits.push(Hit {
                    tool,
                    layers: tool.layers.to_vec(),
                    path: rel.to_owned(),
                    line: job.get("uses").map_or(job.line(), Node::line),
                    what: format!("calls the reusable workflow `{uses}` in job `{name}`"),
                });
            } else {
                found.notes.push(format!(
                    "{}: job `{}` calls the reusable workflow `{}` of another repository, which \
                     the layer map does not fetch",
                    sanitize(rel),
                    sanitize(name),
                    sanitize(uses)
                ));
            }
        }
        let image = job
            .get("container")
            .and_then(|c| c.as_str().or_else(|| c.get("image")?.as_str()));
        if let Some(image) = image
            && let Some(tool) = tools::of_image(image)
        {
            flow.hits.push(Hit {
                tool,
                layers: tool.layers.to_vec(),
                path: rel.to_owned(),
                line: job.get("container").map_or(job.line(), Node::line),
                what: format!("job `{name}` runs in the image `{image}`"),
            });
        }
        for step in job.get("steps").map_or(&[][..], Node::items) {
            steps(root, rel, name, step, set, found, &mut flow, 0);
        }
    }
    flow
}

/// The tool a remote reusable workflow is named after (`org/.github/.github/workflows/zizmor.yml`).
fn remote_workflow_tool(uses: &str) -> Option<&'static Tool> {
    let file = uses.split('@').next()?.rsplit('/').next()?;
    let stem = file
        .strip_suffix(".yml")
        .or_else(|| file.strip_suffix(".yaml"))?;
    tools::of_image(stem)
}

/// One step: an action (a tool's action, `pre-commit/action`, a local composite action whose
/// own steps are read) or a `run:` script.
#[allow(clippy::too_many_arguments)]
fn steps(
    root: &Path,
    rel: &str,
    job: &str,
    step: &Node,
    set: &BTreeSet<&str>,
    found: &mut Found,
    flow: &mut Workflow,
    depth: usize,
) {
    if let Some(uses_node) = step.get("uses")
        && let Some(uses) = uses_node.as_str()
    {
        let lower = uses.to_ascii_lowercase();
        if lower.starts_with("pre-commit/action") {
            flow.precommit.get_or_insert(uses_node.line());
        } else if let Some(local) = uses.strip_prefix("./")
            && depth == 0
        {
            let local = local.trim_end_matches('/');
            let action = [
                format!("{local}/action.yml"),
                format!("{local}/action.yaml"),
            ]
            .into_iter()
            .find(|p| set.contains(p.as_str()));
            if let Some(action) = action
                && let Some(docs) = load(root, &action, found)
                && let Some(doc) = docs.first()
            {
                for inner in doc
                    .get_path(&["runs", "steps"])
                    .map_or(&[][..], Node::items)
                {
                    steps(root, &action, job, inner, set, found, flow, depth + 1);
                }
            }
        } else if let Some(tool) = tools::of_action(uses) {
            let layers = if tool.name == "Trivy" {
                let scan_type = step
                    .get_path(&["with", "scan-type"])
                    .and_then(Node::as_str)
                    .unwrap_or("image");
                tools::trivy_layers(scan_type)
            } else {
                tool.layers.to_vec()
            };
            flow.hits.push(Hit {
                tool,
                layers,
                path: rel.to_owned(),
                line: uses_node.line(),
                what: format!("uses `{uses}` in job `{job}`"),
            });
        }
    }
    if let Some(run) = step.get("run")
        && let Some(script) = run.as_str()
        && script_hits(script, rel, run.line(), job, &mut flow.hits)
    {
        flow.precommit.get_or_insert(run.line());
    }
}

/// When a workflow's `on:` runs it. `None` when only `workflow_call` does.
fn github_reach(on: &Node) -> Option<Reach> {
    let mut events: Vec<(String, Option<&Node>)> = Vec::new();
    match on {
        Node::Scalar { value, .. } => events.push((value.clone(), None)),
        Node::Seq { items, .. } => {
            events.extend(
                items
                    .iter()
                    .filter_map(|i| Some((i.as_str()?.to_owned(), None))),
            );
        }
        Node::Map { entries, .. } => {
            events.extend(
                entries
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), Some(v)))),
            );
        }
        Node::Null { .. } => {}
    }
    let mut restricted: Vec<String> = Vec::new();
    for (event, config) in &events {
        match event.as_str() {
            "pull_request" | "pull_request_target" | "merge_group" => {
                return Some(Reach::EveryChange(format!("on {event}")));
            }
            "push" => {
                let branches: Vec<&str> = config
                    .and_then(|c| c.get("branches"))
                    .map(|b| match b.as_str() {
                        Some(one) => vec![one],
                        None => b.items().iter().filter_map(Node::as_str).collect(),
                    })
                    .unwrap_or_default();
                let tags_only =
                    config.is_some_and(|c| c.get("tags").is_some() && c.get("branches").is_none());
                if tags_only {
                    restricted.push("on pushed tags".to_owned());
                } else if branches.is_empty() || branches.iter().any(|b| b.starts_with('*')) {
                    return Some(Reach::EveryChange("on every push".to_owned()));
                } else {
                    restricted.push(format!("on push to {}", branches.join(", ")));
                }
            }
            "schedule" => restricted.push("on a schedule".to_owned()),
            "workflow_dispatch" => restricted.push("when started by hand".to_owned()),
            "workflow_call" => {}
            other => restricted.push(format!("on {other}")),
        }
    }
    (!restricted.is_empty()).then(|| Reach::Restricted(restricted.join(" or ")))
}

/// GitLab CI: the jobs of `.gitlab-ci.yml` and its local includes, and the security templates
/// and components it includes.
fn gitlab(
    root: &Path,
    rel: &str,
    set: &BTreeSet<&str>,
    found: &mut Found,
    precommit_ci: &mut Vec<(Reach, String)>,
) {
    let mut queue = vec![(rel.to_owned(), 0usize)];
    let mut seen = BTreeSet::new();
    while let Some((path, depth)) = queue.pop() {
        if depth > MAX_DEPTH || !seen.insert(path.clone()) {
            continue;
        }
        let Some(docs) = load(root, &path, found) else {
            continue;
        };
        let Some(doc) = docs.first() else { continue };
        if let Some(include) = doc.get("include") {
            includes(&path, include, set, found, &mut queue, depth);
        }
        let hidden: Vec<(&str, &Node)> = doc
            .entries()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?, v)))
            .filter(|(k, _)| k.starts_with('.'))
            .collect();
        for (key, job) in doc.entries() {
            let Some(name) = key.as_str() else { continue };
            if name.starts_with('.') || !job.is_map() || RESERVED.contains(&name) {
                continue;
            }
            // A job's own keys, then those of the hidden jobs it extends.
            let mut parts = vec![job];
            let extends: Vec<&str> = match job.get("extends") {
                Some(e) => match e.as_str() {
                    Some(one) => vec![one],
                    None => e.items().iter().filter_map(Node::as_str).collect(),
                },
                None => Vec::new(),
            };
            for parent in extends {
                parts.extend(hidden.iter().filter(|(k, _)| *k == parent).map(|(_, v)| *v));
            }
            let get = |key: &str| parts.iter().find_map(|p| p.get(key));
            let reach = gitlab_reach(get("when"), get("rules"), get("only"));
            let mut hits = Vec::new();
            let mut precommit = false;
            for key in ["before_script", "script", "after_script"] {
                let Some(script) = get(key) else { continue };
                for line in script_lines(script) {
                    precommit |= script_hits(line.0, &path, line.1, name, &mut hits);
                }
            }
            let image = get("image").and_then(|i| i.as_str().or_else(|| i.get("name")?.as_str()));
            if let Some(image) = image
                && let Some(tool) = tools::of_image(image)
            {
                hits.push(Hit {
                    tool,
                    layers: tool.layers.to_vec(),
                    path: path.clone(),
                    line: get("image").map_or(job.line(), Node::line),
                    what: format!("job `{name}` runs in the image `{image}`"),
                });
            }
            for hit in &hits {
                found.evidence.push(hit.evidence(reach.clone()));
            }
            if precommit {
                precommit_ci.push((reach, path.clone()));
            }
        }
    }
}

/// Top-level keys of `.gitlab-ci.yml` that are not jobs.
const RESERVED: &[&str] = &[
    "stages",
    "variables",
    "include",
    "default",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "spec",
];

/// The lines of a `script` (a string or a list, possibly nested), each with its line.
fn script_lines(node: &Node) -> Vec<(&str, u32)> {
    match node {
        Node::Scalar { value, .. } => vec![(value.as_str(), node.line())],
        Node::Seq { items, .. } => items.iter().flat_map(script_lines).collect(),
        _ => Vec::new(),
    }
}

/// When a GitLab job runs: in every pipeline (branches and merge requests) unless `when:
/// manual`, `only:` or every one of its `rules:` limit it to the default branch, tags or
/// schedules.
fn gitlab_reach(when: Option<&Node>, rules: Option<&Node>, only: Option<&Node>) -> Reach {
    if when.and_then(Node::as_str) == Some("manual") {
        return Reach::Restricted("when started by hand (when: manual)".to_owned());
    }
    if let Some(only) = only {
        let refs: Vec<&str> = match only.as_str() {
            Some(one) => vec![one],
            None if only.is_seq() => only.items().iter().filter_map(Node::as_str).collect(),
            None => only
                .get("refs")
                .map(|r| r.items().iter().filter_map(Node::as_str).collect())
                .unwrap_or_default(),
        };
        let every = refs.is_empty()
            || refs.iter().any(|r| {
                matches!(
                    *r,
                    "merge_requests" | "branches" | "pushes" | "external_pull_requests"
                ) || r.starts_with('/')
            });
        if !every {
            return Reach::Restricted(format!("only on {}", refs.join(", ")));
        }
    }
    if let Some(rules) = rules {
        let mut limited = Vec::new();
        for rule in rules.items() {
            let never = rule.get("when").and_then(Node::as_str) == Some("never");
            let Some(condition) = rule.get("if").and_then(Node::as_str) else {
                if never {
                    continue;
                }
                return Reach::EveryChange("in every pipeline".to_owned());
            };
            if never {
                continue;
            }
            let lower = condition.to_ascii_lowercase();
            if lower.contains("merge_request") {
                return Reach::EveryChange("in merge request pipelines".to_owned());
            }
            let what = if lower.contains("ci_default_branch")
                || lower.contains("\"main\"")
                || lower.contains("\"master\"")
            {
                "on the default branch"
            } else if lower.contains("ci_commit_tag") {
                "on tags"
            } else if lower.contains("schedule") {
                "on a schedule"
            } else if lower.contains("web") {
                "when started by hand"
            } else {
                return Reach::EveryChange("in the pipelines its rules allow".to_owned());
            };
            if !limited.contains(&what) {
                limited.push(what);
            }
        }
        if !limited.is_empty() {
            return Reach::Restricted(format!("only {}", limited.join(" or ")));
        }
    }
    Reach::EveryChange("in every pipeline".to_owned())
}

/// `include:` entries: local files are read (queued), templates and components of GitLab's
/// security scanners count as their layer, remote and project includes are noted.
fn includes(
    path: &str,
    include: &Node,
    set: &BTreeSet<&str>,
    found: &mut Found,
    queue: &mut Vec<(String, usize)>,
    depth: usize,
) {
    let items: Vec<&Node> = if include.is_seq() {
        include.items().iter().collect()
    } else {
        vec![include]
    };
    for item in items {
        let (kind, value) = match item.as_str() {
            Some(s) if s.contains("://") => ("remote", s),
            Some(s) => ("local", s),
            None => match ["local", "template", "component", "project", "remote"]
                .into_iter()
                .find_map(|k| Some((k, item.get(k)?.as_str()?)))
            {
                Some(found) => found,
                None => continue,
            },
        };
        match kind {
            "local" => {
                let local = value.trim_start_matches('/');
                if set.contains(local) {
                    queue.push((local.to_owned(), depth + 1));
                } else {
                    found.notes.push(format!(
                        "{}: the local include `{}` is not a file of the scan set (globs are not \
                         expanded)",
                        sanitize(path),
                        sanitize(value)
                    ));
                }
            }
            "template" | "component" => {
                if let Some((tool, layers)) = gitlab_scanner(value) {
                    found.evidence.push(Evidence {
                        tool: tool.to_owned(),
                        path: path.to_owned(),
                        line: Some(item.line()),
                        what: sanitize(&format!("includes the {kind} `{value}`")).into_owned(),
                        reach: Reach::EveryChange(
                            "in every pipeline (GitLab's own scanner job)".to_owned(),
                        ),
                        layers,
                        optional: false,
                    });
                } else if kind == "component" {
                    found.notes.push(format!(
                        "{}: the component `{}` is not followed (the layer map never uses the \
                         network)",
                        sanitize(path),
                        sanitize(value)
                    ));
                }
            }
            _ => found.notes.push(format!(
                "{}: the {kind} include `{}` is not followed (the layer map never uses the \
                 network or other repositories)",
                sanitize(path),
                sanitize(value)
            )),
        }
    }
}

/// GitLab's security scanner templates and components, by name.
fn gitlab_scanner(name: &str) -> Option<(&'static str, Vec<LayerId>)> {
    let lower = name.to_ascii_lowercase();
    let lower = lower.split('@').next().unwrap_or("");
    if lower.contains("secret-detection") || lower.contains("secret_detection") {
        Some(("GitLab Secret Detection", vec![LayerId::Secrets]))
    } else if lower.contains("sast-iac") || lower.contains("sast_iac") {
        Some(("GitLab IaC scanning", vec![LayerId::Infrastructure]))
    } else if lower.contains("dependency-scanning") || lower.contains("dependency_scanning") {
        Some(("GitLab Dependency Scanning", vec![LayerId::Dependencies]))
    } else if lower.contains("container-scanning") || lower.contains("container_scanning") {
        Some(("GitLab Container Scanning", vec![LayerId::Containers]))
    } else if lower.contains("sast") {
        Some(("GitLab SAST", vec![LayerId::CodeScanning]))
    } else if lower.contains("auto-devops") {
        Some((
            "GitLab Auto DevOps",
            vec![
                LayerId::Secrets,
                LayerId::CodeScanning,
                LayerId::Dependencies,
                LayerId::Containers,
            ],
        ))
    } else {
        None
    }
}

/// pre-commit hooks: their reach is that of the CI job that runs pre-commit, pre-commit.ci
/// when the configuration has its `ci:` section, else only the developer's machine.
fn precommit(root: &Path, rel: &str, found: &mut Found, in_ci: &[(Reach, String)]) {
    let Some(docs) = load(root, rel, found) else {
        return;
    };
    let Some(doc) = docs.first() else { return };
    let reach = if doc.get("ci").is_some() {
        Reach::Service(
            "on pull requests by pre-commit.ci (the config has its `ci:` section)".to_owned(),
        )
    } else if let Some((reach, path)) = in_ci
        .iter()
        .find(|(r, _)| matches!(r, Reach::EveryChange(_)))
        .or(in_ci.first())
    {
        let how = format!("{} (pre-commit, run by {path})", reach.describe());
        match reach {
            Reach::EveryChange(_) => Reach::EveryChange(how),
            _ => Reach::Restricted(how),
        }
    } else {
        Reach::Local
    };
    for repo in doc.get("repos").map_or(&[][..], Node::items) {
        let url = repo.get("repo").and_then(Node::as_str).unwrap_or("");
        for hook in repo.get("hooks").map_or(&[][..], Node::items) {
            let Some(id_node) = hook.get("id") else {
                continue;
            };
            let id = id_node.as_str().unwrap_or("");
            if let Some(tool) = tools::of_hook(id, url) {
                found.evidence.push(Evidence {
                    tool: tool.name.to_owned(),
                    path: rel.to_owned(),
                    line: Some(id_node.line()),
                    what: sanitize(&format!("pre-commit hook `{id}`")).into_owned(),
                    reach: reach.clone(),
                    layers: tool.layers.to_vec(),
                    optional: false,
                });
            }
        }
    }
}
