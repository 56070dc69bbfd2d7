//! What the files of the repository say by themselves: tool and service configurations, what
//! the layers protect (Dockerfiles, manifests, Terraform, dependency manifests), the runtime
//! layer's manifests and the security policy.

use super::{Evidence, Found, LayerId, Reach, tools};
use crate::source::{FileKind, TestPaths};
use std::path::Path;

/// Largest manifest or policy file read for the runtime layer.
const MAX_MANIFEST_BYTES: u64 = 2 << 20;

/// The evidence name of an `enforce` Pod Security label.
pub const PSA_ENFORCE: &str = "Pod Security enforce label";

pub(super) fn classify(root: &Path, files: &[String], tests: &TestPaths, found: &mut Found) {
    for rel in files {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let kind = FileKind::detect(rel, b"");
        let in_tests = tests.contains(rel);
        match kind {
            FileKind::GithubWorkflow => found.has_github = true,
            FileKind::GitlabCi if !rel.contains('/') => found.has_gitlab = true,
            FileKind::Dockerfile if !in_tests => found.has_dockerfile = true,
            FileKind::Terraform if !in_tests && rel.ends_with(".tf") => found.has_terraform = true,
            _ => {}
        }
        if !in_tests
            && (crate::analyzers::deps::ecosystem_of(rel).is_some()
                || matches!(
                    name,
                    "pom.xml"
                        | "build.gradle"
                        | "build.gradle.kts"
                        | "Gemfile"
                        | "composer.json"
                        | "packages.config"
                        | "mix.exs"
                ))
        {
            found.has_dependencies = true;
        }
        if name == "Chart.yaml" && !in_tests {
            found.has_manifests = true;
        }
        if let Some((_, tool)) = tools::CONFIG_FILES.iter().find(|(file, _)| {
            // Dot files name their tool wherever they are; other names (`deny.toml`,
            // `zizmor.yml`) only at the path the tool reads them from.
            *file == rel.as_str() || (file.starts_with('.') && *file == name)
        }) && let Some(tool) = tools::by_name(tool)
            && !in_tests
        {
            found.evidence.push(Evidence {
                tool: tool.name.to_owned(),
                path: rel.clone(),
                line: None,
                what: "configuration file".to_owned(),
                reach: Reach::ConfigOnly,
                layers: tool.layers.to_vec(),
                optional: false,
            });
        }
        if rel.starts_with(".semgrep/") || rel.starts_with(".github/codeql/") {
            let tool = if rel.starts_with(".semgrep/") {
                "Semgrep"
            } else {
                "CodeQL"
            };
            found.evidence.push(Evidence {
                tool: tool.to_owned(),
                path: rel.clone(),
                line: None,
                what: "configuration file".to_owned(),
                reach: Reach::ConfigOnly,
                layers: vec![LayerId::CodeScanning],
                optional: false,
            });
        }
        if rel == ".github/dependabot.yml" || rel == ".github/dependabot.yaml" {
            found.evidence.push(Evidence {
                tool: "Dependabot".to_owned(),
                path: rel.clone(),
                line: None,
                what: "version updates configured".to_owned(),
                reach: Reach::Service("as a GitHub service, from this file".to_owned()),
                layers: vec![LayerId::Dependencies],
                optional: false,
            });
        }
        if tools::RENOVATE_FILES.contains(&rel.as_str()) {
            found.evidence.push(Evidence {
                tool: "Renovate".to_owned(),
                path: rel.clone(),
                line: None,
                what: "dependency updates configured".to_owned(),
                reach: Reach::Service("as the Renovate app, from this file".to_owned()),
                layers: vec![LayerId::Dependencies],
                optional: false,
            });
        }
        if matches!(
            rel.as_str(),
            "SECURITY.md" | ".github/SECURITY.md" | "docs/SECURITY.md" | "SECURITY.rst"
        ) && found.policy.is_none()
        {
            let text = crate::regular::read_no_follow_limited(&root.join(rel), 1 << 20)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            found.policy = Some((rel.clone(), names_contact(&text)));
        }
        let yamlish = kind == FileKind::Yaml || name.ends_with(".yaml") || name.ends_with(".yml");
        if yamlish && !in_tests && !rel.starts_with(".github/") {
            runtime_file(root, rel, found);
        }
    }
}

/// Whether a security policy names a way to report: an e-mail address or a link.
fn names_contact(text: &str) -> bool {
    text.contains("http://")
        || text.contains("https://")
        || text
            .split(|c: char| c.is_whitespace() || "<>()[]`*".contains(c))
            .any(|word| {
                word.split_once('@').is_some_and(|(user, host)| {
                    !user.is_empty() && host.contains('.') && !host.starts_with('.')
                })
            })
}

/// The runtime evidence of one manifest (or Helm template), read line by line so that
/// templated files count too: a Kubernetes object (`apiVersion` and `kind` at the top), Pod
/// Security labels, and the kinds of the runtime layer.
fn runtime_file(root: &Path, rel: &str, found: &mut Found) {
    let Ok(bytes) = crate::regular::read_no_follow_limited(&root.join(rel), MAX_MANIFEST_BYTES)
    else {
        return;
    };
    let text = String::from_utf8_lossy(&bytes);
    if !text.contains("kind:") && !text.contains("- rule:") {
        return;
    }
    let mut api = false;
    let mut workload = false;
    let mut api_version = "";
    // A Helm template wrapped in `{{- if .Values… }}` renders only when a value enables it.
    let optional = text
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with("{{- if") || l.starts_with("{{ if"));
    let suffix = if optional {
        " (only when a chart value enables it)"
    } else {
        ""
    };
    for (i, line) in text.lines().enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if let Some(rest) = line.strip_prefix("apiVersion:") {
            api = true;
            api_version = rest.trim().trim_matches(['"', '\'']);
        }
        let trimmed = line.trim_start();
        if let Some(kind) = line.strip_prefix("kind:") {
            let kind = kind.trim().trim_matches(['"', '\'']);
            workload |= WORKLOAD_KINDS.contains(&kind);
            let what = match kind {
                "NetworkPolicy"
                | "CiliumNetworkPolicy"
                | "CiliumClusterwideNetworkPolicy"
                | "GlobalNetworkPolicy"
                | "AdminNetworkPolicy" => Some("NetworkPolicy"),
                "ValidatingAdmissionPolicy" => Some("ValidatingAdmissionPolicy"),
                "ClusterPolicy" | "Policy" if api_version.starts_with("kyverno.io") => {
                    Some("Kyverno policy")
                }
                "ConstraintTemplate" => Some("Gatekeeper constraint"),
                _ if api_version.starts_with("constraints.gatekeeper.sh") => {
                    Some("Gatekeeper constraint")
                }
                "TracingPolicy" | "TracingPolicyNamespaced" => Some("runtime detection"),
                "FalcoRule" | "FalcoRules" => Some("runtime detection"),
                _ => None,
            };
            if let Some(what) = what {
                push_runtime(
                    found,
                    what,
                    rel,
                    number,
                    &format!("kind: {kind}{suffix}"),
                    optional,
                );
            }
        }
        if let Some(rest) = trimmed.strip_prefix("pod-security.kubernetes.io/") {
            let (mode, level) = rest.split_once(':').unwrap_or((rest, ""));
            let level = level.trim().trim_matches(['"', '\'']);
            let tool = match mode.trim_matches(['"', '\'']) {
                // `privileged` allows everything: a label, but no protection.
                "enforce" if level != "privileged" => PSA_ENFORCE,
                "enforce" | "warn" | "audit" => "Pod Security label, not enforcing",
                _ => continue,
            };
            let what = format!("pod-security.kubernetes.io/{mode}: {level}{suffix}");
            push_runtime(found, tool, rel, number, &what, optional);
        }
        if trimmed.starts_with("- rule:") && rel.to_ascii_lowercase().contains("falco") {
            push_runtime(
                found,
                "runtime detection",
                rel,
                number,
                "a Falco rule",
                optional,
            );
        }
    }
    if api && workload {
        found.has_manifests = true;
    }
}

/// Kinds that make a file a Kubernetes manifest for what the layers protect (other files with
/// `apiVersion` and `kind`, such as a Backstage `catalog-info.yaml`, are not).
const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Pod",
    "Job",
    "CronJob",
    "Namespace",
    "Service",
    "Ingress",
];

fn push_runtime(found: &mut Found, tool: &str, rel: &str, line: u32, what: &str, optional: bool) {
    // One line of evidence per kind and file is enough to show where it is.
    if found
        .runtime
        .iter()
        .any(|e| e.tool == tool && e.path == rel)
    {
        return;
    }
    found.runtime.push(Evidence {
        tool: tool.to_owned(),
        path: rel.to_owned(),
        line: Some(line),
        what: crate::display::sanitize(what).into_owned(),
        reach: Reach::Declared,
        layers: vec![LayerId::Runtime],
        optional,
    });
}
