//! The security tools the layer map recognises, and how each is spotted: a GitHub action, a
//! command in a shell script or a container image, a pre-commit hook, a configuration file.

use super::LayerId::{self, *};

pub struct Tool {
    pub name: &'static str,
    pub layers: &'static [LayerId],
    /// GitHub actions (`owner/repo` or `owner/repo/path`, lower case, before `@`).
    pub actions: &'static [&'static str],
    /// Command names (also matched as the last part of a path or an image name).
    pub commands: &'static [&'static str],
    /// Two-word commands (`npm audit`).
    pub subcommands: &'static [(&'static str, &'static str)],
    /// pre-commit hook ids.
    pub hooks: &'static [&'static str],
}

const ALL_FILE_LAYERS: &[LayerId] = &[
    Secrets,
    CodeScanning,
    Dependencies,
    Containers,
    CiHardening,
    Infrastructure,
];

pub const TOOLS: &[Tool] = &[
    Tool {
        name: "seccoach",
        layers: ALL_FILE_LAYERS,
        actions: &[],
        commands: &["seccoach"],
        subcommands: &[],
        hooks: &["seccoach"],
    },
    Tool {
        name: "gitleaks",
        layers: &[Secrets],
        actions: &["gitleaks/gitleaks-action"],
        commands: &["gitleaks"],
        subcommands: &[],
        hooks: &["gitleaks", "gitleaks-docker", "gitleaks-system"],
    },
    Tool {
        name: "trufflehog",
        layers: &[Secrets],
        actions: &["trufflesecurity/trufflehog"],
        commands: &["trufflehog"],
        subcommands: &[],
        hooks: &["trufflehog"],
    },
    Tool {
        name: "detect-secrets",
        layers: &[Secrets],
        actions: &[],
        commands: &["detect-secrets", "detect-secrets-hook"],
        subcommands: &[],
        hooks: &["detect-secrets"],
    },
    Tool {
        name: "ggshield",
        layers: &[Secrets],
        actions: &["gitguardian/ggshield-action", "gitguardian/ggshield"],
        commands: &["ggshield"],
        subcommands: &[],
        hooks: &["ggshield"],
    },
    Tool {
        name: "CodeQL",
        layers: &[CodeScanning],
        actions: &["github/codeql-action/init", "github/codeql-action/analyze"],
        commands: &["codeql"],
        subcommands: &[],
        hooks: &[],
    },
    Tool {
        name: "Semgrep",
        layers: &[CodeScanning],
        actions: &["returntocorp/semgrep-action", "semgrep/semgrep-action"],
        commands: &["semgrep"],
        subcommands: &[],
        hooks: &["semgrep", "semgrep-ci"],
    },
    Tool {
        name: "gosec",
        layers: &[CodeScanning],
        actions: &["securego/gosec"],
        commands: &["gosec"],
        subcommands: &[],
        hooks: &["gosec"],
    },
    Tool {
        name: "bandit",
        layers: &[CodeScanning],
        actions: &["pycqa/bandit-action"],
        commands: &["bandit"],
        subcommands: &[],
        hooks: &["bandit"],
    },
    Tool {
        name: "Dependabot",
        layers: &[Dependencies],
        actions: &[],
        commands: &[],
        subcommands: &[],
        hooks: &[],
    },
    Tool {
        name: "Renovate",
        layers: &[Dependencies],
        actions: &["renovatebot/github-action"],
        commands: &["renovate"],
        subcommands: &[],
        hooks: &[],
    },
    Tool {
        name: "dependency-review",
        layers: &[Dependencies],
        actions: &["actions/dependency-review-action"],
        commands: &[],
        subcommands: &[],
        hooks: &[],
    },
    Tool {
        name: "osv-scanner",
        layers: &[Dependencies],
        actions: &["google/osv-scanner-action"],
        commands: &["osv-scanner"],
        subcommands: &[],
        hooks: &["osv-scanner"],
    },
    Tool {
        name: "govulncheck",
        layers: &[Dependencies],
        actions: &["golang/govulncheck-action"],
        commands: &["govulncheck"],
        subcommands: &[],
        hooks: &["govulncheck"],
    },
    Tool {
        name: "audit",
        layers: &[Dependencies],
        actions: &["rustsec/audit-check", "embarkstudios/cargo-deny-action"],
        commands: &["pip-audit", "cargo-audit", "cargo-deny", "bundler-audit"],
        subcommands: &[
            ("npm", "audit"),
            ("yarn", "audit"),
            ("pnpm", "audit"),
            ("cargo", "audit"),
            ("cargo", "deny"),
        ],
        hooks: &["pip-audit"],
    },
    Tool {
        name: "Snyk",
        layers: &[Dependencies],
        actions: &["snyk/actions"],
        commands: &["snyk"],
        subcommands: &[],
        hooks: &[],
    },
    Tool {
        name: "Trivy",
        // Decided by the subcommand (see `trivy_layers`); this is `trivy image`.
        layers: &[Containers],
        actions: &["aquasecurity/trivy-action"],
        commands: &["trivy"],
        subcommands: &[],
        hooks: &[],
    },
    Tool {
        name: "Grype",
        layers: &[Containers, Dependencies],
        actions: &["anchore/scan-action"],
        commands: &["grype"],
        subcommands: &[],
        hooks: &[],
    },
    Tool {
        name: "Docker Scout",
        layers: &[Containers],
        actions: &["docker/scout-action"],
        commands: &[],
        subcommands: &[("docker", "scout")],
        hooks: &[],
    },
    Tool {
        name: "hadolint",
        layers: &[Containers],
        actions: &["hadolint/hadolint-action", "jbergstroem/hadolint-gh-action"],
        commands: &["hadolint"],
        subcommands: &[],
        hooks: &["hadolint", "hadolint-docker"],
    },
    Tool {
        name: "zizmor",
        layers: &[CiHardening],
        actions: &["zizmorcore/zizmor-action", "woodruffw/zizmor-action"],
        commands: &["zizmor"],
        subcommands: &[],
        hooks: &["zizmor"],
    },
    Tool {
        name: "OpenSSF Scorecard",
        layers: &[CiHardening],
        actions: &["ossf/scorecard-action"],
        commands: &[],
        subcommands: &[],
        hooks: &[],
    },
    Tool {
        name: "harden-runner",
        layers: &[CiHardening],
        actions: &["step-security/harden-runner"],
        commands: &[],
        subcommands: &[],
        hooks: &[],
    },
    Tool {
        name: "kube-linter",
        layers: &[Infrastructure],
        actions: &["stackrox/kube-linter-action"],
        commands: &["kube-linter"],
        subcommands: &[],
        hooks: &["kube-linter"],
    },
    Tool {
        name: "Checkov",
        layers: &[Infrastructure, Containers],
        actions: &["bridgecrewio/checkov-action"],
        commands: &["checkov"],
        subcommands: &[],
        hooks: &["checkov", "checkov_diff", "checkov_container"],
    },
    Tool {
        name: "tfsec",
        layers: &[Infrastructure],
        actions: &[
            "aquasecurity/tfsec-action",
            "aquasecurity/tfsec-sarif-action",
        ],
        commands: &["tfsec"],
        subcommands: &[],
        hooks: &["terraform_tfsec", "tfsec"],
    },
    Tool {
        name: "KICS",
        layers: &[Infrastructure],
        actions: &["checkmarx/kics-github-action"],
        commands: &["kics"],
        subcommands: &[],
        hooks: &[],
    },
    Tool {
        name: "conftest",
        layers: &[Infrastructure],
        actions: &[],
        commands: &["conftest"],
        subcommands: &[],
        hooks: &[],
    },
    Tool {
        name: "kubesec",
        layers: &[Infrastructure],
        actions: &["controlplaneio/kubesec-action"],
        commands: &["kubesec"],
        subcommands: &[],
        hooks: &[],
    },
];

/// Configuration files that name a tool: (file name or path, tool).
pub const CONFIG_FILES: &[(&str, &str)] = &[
    (".seccoach.toml", "seccoach"),
    (".gitleaks.toml", "gitleaks"),
    (".gitleaksignore", "gitleaks"),
    (".secrets.baseline", "detect-secrets"),
    (".semgrep.yml", "Semgrep"),
    (".semgrep.yaml", "Semgrep"),
    (".semgrepignore", "Semgrep"),
    (".trivyignore", "Trivy"),
    (".trivyignore.yaml", "Trivy"),
    ("trivy.yaml", "Trivy"),
    (".grype.yaml", "Grype"),
    (".hadolint.yaml", "hadolint"),
    (".hadolint.yml", "hadolint"),
    (".kube-linter.yaml", "kube-linter"),
    (".kube-linter.yml", "kube-linter"),
    (".checkov.yml", "Checkov"),
    (".checkov.yaml", "Checkov"),
    ("zizmor.yml", "zizmor"),
    (".github/zizmor.yml", "zizmor"),
    ("osv-scanner.toml", "osv-scanner"),
    ("deny.toml", "audit"),
    (".snyk", "Snyk"),
];

/// Files of the services that run from their configuration here.
pub const RENOVATE_FILES: &[&str] = &[
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
];

pub fn by_name(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name == name)
}

/// The tool of a GitHub action reference (`owner/repo[/path]@ref`, or `docker://image`).
pub fn of_action(uses: &str) -> Option<&'static Tool> {
    let lower = uses.trim().to_ascii_lowercase();
    if let Some(image) = lower.strip_prefix("docker://") {
        return of_image(image);
    }
    let name = lower.split('@').next().unwrap_or("");
    if name.contains("seccoach") {
        return by_name("seccoach");
    }
    TOOLS.iter().find(|t| {
        t.actions.iter().any(|a| {
            name == *a
                || name
                    .strip_prefix(a)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    })
}

/// The tool of a container image (`aquasec/trivy:0.58`, `zricethezav/gitleaks`).
pub fn of_image(image: &str) -> Option<&'static Tool> {
    let lower = image.trim().to_ascii_lowercase();
    let without_digest = lower.split('@').next().unwrap_or("");
    let base = without_digest.rsplit('/').next().unwrap_or("");
    let base = base.split(':').next().unwrap_or("");
    TOOLS
        .iter()
        .find(|t| t.commands.contains(&base) || (base == "semgrep" && t.name == "Semgrep"))
}

/// A tool found in a shell script, with the layers it covers there.
pub struct CommandHit {
    pub tool: &'static Tool,
    pub layers: Vec<LayerId>,
    /// The words that named it (`trivy image`).
    pub words: String,
}

/// Every tool a shell script runs, by its command words. Comments (`# …`) are left out;
/// `echo`ed text is not told apart (a script that only prints a tool's name is rare).
pub fn in_script(script: &str) -> Vec<CommandHit> {
    let mut hits: Vec<CommandHit> = Vec::new();
    for line in script.lines() {
        let code = match line.trim_start().starts_with('#') {
            true => continue,
            false => line.split(" #").next().unwrap_or(line),
        };
        let words: Vec<&str> = code
            .split(|c: char| c.is_whitespace() || ";|&()`\"'{}".contains(c))
            .filter(|w| !w.is_empty())
            .collect();
        for (i, word) in words.iter().enumerate() {
            let lower = word.to_ascii_lowercase();
            let base = lower.rsplit('/').next().unwrap_or("");
            let base = base.split(':').next().unwrap_or("");
            let next = words.get(i + 1).map(|w| w.to_ascii_lowercase());
            for tool in TOOLS {
                let single = tool.commands.contains(&base);
                let double = next.as_deref().is_some_and(|next| {
                    tool.subcommands
                        .iter()
                        .any(|(a, b)| *a == base && *b == next)
                });
                if !single && !double {
                    continue;
                }
                let layers = if tool.name == "Trivy" {
                    trivy_layers(next.as_deref().unwrap_or(""))
                } else {
                    tool.layers.to_vec()
                };
                let words = match (double, &next) {
                    (true, Some(next)) => format!("{base} {next}"),
                    _ if tool.name == "Trivy" => format!("trivy {}", next.as_deref().unwrap_or("")),
                    _ => base.to_owned(),
                };
                if !hits
                    .iter()
                    .any(|h| h.tool.name == tool.name && h.layers == layers)
                {
                    hits.push(CommandHit {
                        tool,
                        layers,
                        words: words.trim().to_owned(),
                    });
                }
            }
        }
    }
    hits
}

/// The layers a Trivy run covers, by its subcommand (or the action's `scan-type`): `image`
/// scans an image's packages; `fs`, `repo` and `rootfs` dependencies and secrets; `config`
/// misconfigurations of Dockerfiles, manifests and Terraform; `k8s` a cluster's workloads.
pub fn trivy_layers(subcommand: &str) -> Vec<LayerId> {
    match subcommand {
        "fs" | "filesystem" | "repo" | "repository" | "rootfs" => vec![Dependencies, Secrets],
        "config" | "conf" => vec![Infrastructure, Containers],
        "k8s" | "kubernetes" => vec![Infrastructure],
        _ => vec![Containers],
    }
}

/// The tool of a pre-commit hook, by its id or its repository's URL.
pub fn of_hook(id: &str, repo: &str) -> Option<&'static Tool> {
    let id = id.to_ascii_lowercase();
    let repo = repo.to_ascii_lowercase();
    TOOLS.iter().find(|t| {
        t.hooks.contains(&id.as_str())
            || (!t.hooks.is_empty()
                && repo
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .is_some_and(|r| t.hooks.contains(&r.trim_end_matches(".git"))))
    })
}
