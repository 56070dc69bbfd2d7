//! The pipeline layer map: which layers of automated security a project has, from the files in
//! its repository alone (never running anything, never the network).
//!
//! Evidence comes from GitHub Actions workflows (`uses:` actions and `run:` commands, with the
//! triggers of the workflow, following local reusable workflows), GitLab CI (jobs' `script`,
//! `image`, `extends` and the security templates and components in `include`), pre-commit
//! configurations, and the configuration files of the tools and services themselves
//! (Dependabot, Renovate, `.gitleaks.toml`, …). Kubernetes manifests and Helm templates give the
//! runtime layer (Pod Security labels, admission policies, NetworkPolicies, runtime detection).
//!
//! A layer is **present** when one of its tools runs on every proposed change: a workflow
//! triggered by `pull_request`, `pull_request_target`, `merge_group` or `push` to any branch; a
//! GitLab job not limited by `only`/`rules` to the default branch, tags or schedules; a
//! pre-commit hook that CI or pre-commit.ci runs; or a service configured in the repository
//! (Dependabot, Renovate). It is **partial** when its tools run only after the change is merged
//! (`push` limited to branches or tags), on a timer, by hand, only on a developer's machine (a
//! pre-commit hook no CI runs), or when only the tool's configuration file is there and nothing
//! in CI runs it. It is **missing** when nothing was found. The runtime layer and the security
//! policy have their own definitions (see [`runtime`] and [`policy`]).

mod ci;
mod files;
mod render;
mod tools;

pub use render::{markdown, text};

use serde::Serialize;
use std::path::Path;

/// One layer of the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayerId {
    Secrets,
    CodeScanning,
    Dependencies,
    Containers,
    CiHardening,
    Infrastructure,
    Runtime,
    SecurityPolicy,
}

impl LayerId {
    pub const ALL: [LayerId; 8] = [
        LayerId::Secrets,
        LayerId::CodeScanning,
        LayerId::Dependencies,
        LayerId::Containers,
        LayerId::CiHardening,
        LayerId::Infrastructure,
        LayerId::Runtime,
        LayerId::SecurityPolicy,
    ];

    pub fn title(self) -> &'static str {
        match self {
            LayerId::Secrets => "Secret scanning",
            LayerId::CodeScanning => "Code scanning (SAST)",
            LayerId::Dependencies => "Dependency scanning and updates",
            LayerId::Containers => "Container images and Dockerfiles",
            LayerId::CiHardening => "CI workflow hardening",
            LayerId::Infrastructure => "Infrastructure and Kubernetes policy",
            LayerId::Runtime => "Runtime protection",
            LayerId::SecurityPolicy => "Security policy",
        }
    }

    /// The lessons that explain the layer, the first being the one to start with.
    pub fn lessons(self) -> &'static [&'static str] {
        match self {
            LayerId::Secrets => &[
                "secrets/history-and-push-protection",
                "secrets/keeping-secrets-out",
            ],
            LayerId::CodeScanning => &["day-one/pipeline-layers", "pipelines/seccoach-in-ci"],
            LayerId::Dependencies => &[
                "repo-hygiene/dependency-updates",
                "supply-chain/known-vulnerable",
            ],
            LayerId::Containers => &[
                "supply-chain/image-scanning-and-sboms",
                "containers/base-images",
            ],
            LayerId::CiHardening => &["pipelines/least-privilege-tokens", "pipelines/pinning"],
            LayerId::Infrastructure => &[
                "kubernetes/pod-security-context",
                "runtime/pod-security-admission",
            ],
            LayerId::Runtime => &[
                "kubernetes/runtime-protection",
                "runtime/network-policy",
                "runtime/detection-and-audit-logs",
            ],
            LayerId::SecurityPolicy => &["repo-hygiene/security-policy"],
        }
    }
}

/// The verdict for one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Missing,
    Partial,
    Present,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Partial => "partial",
            Status::Missing => "missing",
        }
    }
}

/// When a tool runs, as far as the repository tells.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "detail")]
pub enum Reach {
    /// On every proposed change (the string says how: "on pull_request").
    EveryChange(String),
    /// A service run outside CI from its configuration here (Dependabot, Renovate,
    /// pre-commit.ci).
    Service(String),
    /// In CI, but only after merge, on a timer or by hand (the string says which).
    Restricted(String),
    /// Only on a developer's machine (a pre-commit hook nothing in CI runs).
    Local,
    /// A configuration file of the tool, and nothing here that runs it.
    ConfigOnly,
    /// A file of the layer itself (a policy, a label, SECURITY.md): judged by its layer.
    Declared,
}

impl Reach {
    /// Whether this reach alone makes a tool layer present.
    fn counts_fully(&self) -> bool {
        matches!(self, Reach::EveryChange(_) | Reach::Service(_))
    }

    pub fn describe(&self) -> String {
        match self {
            Reach::EveryChange(how) | Reach::Service(how) | Reach::Restricted(how) => how.clone(),
            Reach::Local => "only locally: a pre-commit hook that no CI job runs".to_owned(),
            Reach::ConfigOnly => "configuration only: nothing in CI runs the tool".to_owned(),
            Reach::Declared => String::new(),
        }
    }
}

/// One thing found in the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The tool, service or kind of file (`gitleaks`, `Dependabot`, `NetworkPolicy`).
    pub tool: String,
    /// The file, relative to the root.
    pub path: String,
    /// 1-based line, when one line says it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What the line is (`uses: gitleaks/gitleaks-action in job "scan"`).
    pub what: String,
    pub reach: Reach,
    /// The layers this evidence counts for.
    #[serde(skip)]
    pub layers: Vec<LayerId>,
    /// Rendered only when a Helm value enables it: counts for partial, never for present.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

impl Evidence {
    /// `path:line`, or the path alone.
    pub fn location(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.path),
            None => self.path.clone(),
        }
    }
}

/// One layer's verdict with what it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layer {
    pub id: LayerId,
    pub title: &'static str,
    pub status: Status,
    /// Why this verdict, in one sentence.
    pub reason: String,
    /// Whether the repository holds what the layer protects (a Dockerfile for images,
    /// manifests for Kubernetes, a CI configuration for workflow hardening).
    pub applies: bool,
    pub evidence: Vec<Evidence>,
    pub lessons: Vec<&'static str>,
    /// What would add or complete the layer (empty when present).
    pub suggestion: Vec<String>,
}

/// The whole map of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerMap {
    pub version: u32,
    pub layers: Vec<Layer>,
    /// What could not be read or followed (a file that is not valid YAML, a remote include).
    pub notes: Vec<String>,
}

/// Which CI system to suggest snippets for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Platform {
    Github,
    Gitlab,
}

/// What the walk of the repository found, before the verdicts.
#[derive(Debug, Default)]
struct Found {
    evidence: Vec<Evidence>,
    notes: Vec<String>,
    has_github: bool,
    has_gitlab: bool,
    has_dockerfile: bool,
    has_manifests: bool,
    has_terraform: bool,
    has_dependencies: bool,
    runtime: Vec<Evidence>,
    policy: Option<(String, bool)>,
}

/// Maps the project at `root` whose scan set is `files` (relative, `/`-separated, as
/// [`crate::scan::Scanner::walk_paths`] gives them); `tests` says which files are test,
/// example or documentation code (left out of the runtime layer and of what applies).
pub fn map(root: &Path, files: &[String], tests: &crate::source::TestPaths) -> LayerMap {
    let mut found = Found::default();
    files::classify(root, files, tests, &mut found);
    ci::read_pipelines(root, files, &mut found);
    let platform = if found.has_gitlab && !found.has_github {
        Platform::Gitlab
    } else {
        Platform::Github
    };
    let mut layers = Vec::new();
    for id in LayerId::ALL {
        layers.push(judge(id, &found, platform));
    }
    found.notes.sort();
    found.notes.dedup();
    LayerMap {
        version: 1,
        layers,
        notes: found.notes,
    }
}

fn judge(id: LayerId, found: &Found, platform: Platform) -> Layer {
    let (status, reason, applies, mut evidence) = match id {
        LayerId::Runtime => runtime(found),
        LayerId::SecurityPolicy => policy(found),
        _ => tool_layer(id, found),
    };
    evidence.sort_by(|a, b| {
        (a.path.as_str(), a.line, a.tool.as_str()).cmp(&(b.path.as_str(), b.line, b.tool.as_str()))
    });
    // A tool shows once per kind of reach (a step repeated in every job and workflow is one
    // line); files of the layer itself show once per file.
    let mut seen = std::collections::HashSet::new();
    evidence.retain(|e| {
        let place = match e.reach {
            Reach::Declared => e.path.clone(),
            _ => String::new(),
        };
        seen.insert((e.tool.clone(), std::mem::discriminant(&e.reach), place))
    });
    let suggestion = if status == Status::Present {
        Vec::new()
    } else {
        render::suggestion(id, platform)
    };
    Layer {
        id,
        title: id.title(),
        status,
        reason,
        applies,
        evidence,
        lessons: id.lessons().to_vec(),
        suggestion,
    }
}

fn tool_layer(id: LayerId, found: &Found) -> (Status, String, bool, Vec<Evidence>) {
    let evidence: Vec<Evidence> = found
        .evidence
        .iter()
        .filter(|e| e.layers.contains(&id))
        .cloned()
        .collect();
    let applies = match id {
        LayerId::Dependencies => found.has_dependencies,
        LayerId::Containers => found.has_dockerfile,
        LayerId::CiHardening => found.has_github || found.has_gitlab,
        LayerId::Infrastructure => found.has_manifests || found.has_terraform,
        _ => true,
    };
    let full = evidence.iter().find(|e| e.reach.counts_fully());
    let some = evidence
        .iter()
        .find(|e| !matches!(e.reach, Reach::Declared));
    let (status, reason) = match (full, some) {
        (Some(e), _) => (
            Status::Present,
            format!("{} runs {} ({})", e.tool, e.reach.describe(), e.location()),
        ),
        (None, Some(_)) => {
            // The reach closest to "every change" explains the verdict.
            let best = evidence
                .iter()
                .min_by_key(|e| match e.reach {
                    Reach::Restricted(_) => 0,
                    Reach::Local => 1,
                    _ => 2,
                })
                .expect("some evidence");
            let how = match &best.reach {
                Reach::Restricted(how) => format!("runs only {how}"),
                Reach::Local => "runs only locally, as a pre-commit hook no CI job runs".to_owned(),
                _ => "is configured, but nothing in CI runs it".to_owned(),
            };
            (
                Status::Partial,
                format!(
                    "{} {how} ({}): changes can merge unchecked",
                    best.tool,
                    best.location()
                ),
            )
        }
        (None, None) if !applies => (Status::Missing, not_applicable(id).to_owned()),
        (None, None) => (
            Status::Missing,
            "no tool of this layer runs in CI, and no configuration of one was found".to_owned(),
        ),
    };
    (status, reason, applies, evidence)
}

fn not_applicable(id: LayerId) -> &'static str {
    match id {
        LayerId::Dependencies => {
            "no tool found, and no dependency manifest or lockfile either: nothing to check yet"
        }
        LayerId::Containers => "no tool found, and no Dockerfile either: nothing to check yet",
        LayerId::CiHardening => {
            "no tool found, and no CI configuration either (.github/workflows, .gitlab-ci.yml)"
        }
        LayerId::Infrastructure => {
            "no tool found, and no Kubernetes manifests, Helm charts or Terraform either"
        }
        _ => "nothing found",
    }
}

/// Runtime protection: **present** when the manifests enforce Pod Security (an `enforce`
/// Pod Security label or an admission policy: ValidatingAdmissionPolicy, Kyverno, Gatekeeper)
/// *and* restrict traffic with NetworkPolicies; **partial** when only some of that is there (or
/// only `warn`/`audit` labels, or only runtime detection rules); **missing** otherwise.
fn runtime(found: &Found) -> (Status, String, bool, Vec<Evidence>) {
    let evidence = found.runtime.clone();
    let has = |tools: &[&str]| {
        evidence
            .iter()
            .any(|e| !e.optional && tools.contains(&e.tool.as_str()))
    };
    let enforced = has(&[
        files::PSA_ENFORCE,
        "ValidatingAdmissionPolicy",
        "Kyverno policy",
        "Gatekeeper constraint",
    ]);
    let network = has(&["NetworkPolicy"]);
    let applies = found.has_manifests;
    let (status, reason) = if enforced && network {
        (
            Status::Present,
            "the manifests enforce Pod Security or admission policies and restrict traffic with \
             NetworkPolicies"
                .to_owned(),
        )
    } else if !evidence.is_empty() {
        let mut lacking = Vec::new();
        if evidence.iter().any(|e| e.optional) {
            lacking.push("some of it renders only when a chart value enables it");
        }
        if !enforced {
            lacking.push("nothing enforces Pod Security (no `enforce` label, no admission policy)");
        }
        if !network {
            lacking.push("no NetworkPolicy restricts traffic");
        }
        (Status::Partial, lacking.join("; "))
    } else if applies {
        (
            Status::Missing,
            "the Kubernetes manifests here carry no Pod Security labels, admission policies, \
             NetworkPolicies or runtime detection rules (they may live in another repository)"
                .to_owned(),
        )
    } else {
        (
            Status::Missing,
            "no Kubernetes manifests or Helm charts here: runtime protection, if any, lives \
             where the project is deployed"
                .to_owned(),
        )
    };
    (status, reason, applies, evidence)
}

/// Security policy: **present** when SECURITY.md (at the root, in `.github/` or `docs/`) says
/// how to report (an e-mail address or a link); **partial** when it exists but names no way
/// to reach anyone; **missing** otherwise.
fn policy(found: &Found) -> (Status, String, bool, Vec<Evidence>) {
    match &found.policy {
        Some((path, true)) => (
            Status::Present,
            format!("{path} says how to report a vulnerability"),
            true,
            vec![declared("SECURITY.md", path, "names a way to report")],
        ),
        Some((path, false)) => (
            Status::Partial,
            format!("{path} exists but names no address or link to report a vulnerability to"),
            true,
            vec![declared("SECURITY.md", path, "no contact found")],
        ),
        None => (
            Status::Missing,
            "no SECURITY.md (root, .github/ or docs/); an organisation-wide policy in its .github \
             repository would not show here"
                .to_owned(),
            true,
            Vec::new(),
        ),
    }
}

fn declared(tool: &str, path: &str, what: &str) -> Evidence {
    Evidence {
        tool: tool.to_owned(),
        path: path.to_owned(),
        line: None,
        what: what.to_owned(),
        reach: Reach::Declared,
        layers: vec![LayerId::SecurityPolicy],
        optional: false,
    }
}

#[cfg(test)]
mod tests;
