//! The layer map as text and Markdown (JSON is the serialised [`LayerMap`]), and what would
//! add each layer.

use super::{LayerId, LayerMap, Platform, Reach, Status};
use crate::display::sanitize;

/// What `seccoach init` or a short CI step would add for a layer that is missing or partial.
pub(super) fn suggestion(id: LayerId, platform: Platform) -> Vec<String> {
    let init = match platform {
        Platform::Github => "`seccoach init --ci github --from URL@COMMIT`",
        Platform::Gitlab => "`seccoach init --ci gitlab --from URL@COMMIT`",
    };
    let gh = platform == Platform::Github;
    let lines: Vec<String> = match id {
        LayerId::Secrets => vec![
            format!("{init} adds a pull-request scan whose secrets/* rules catch keys in new code."),
            if gh {
                "For the history too, a pull-request job step: `uses: gitleaks/gitleaks-action@<full commit SHA>` (fetch-depth: 0)".to_owned()
            } else {
                "For the history too: `include: - template: Jobs/Secret-Detection.gitlab-ci.yml`".to_owned()
            },
        ],
        LayerId::CodeScanning => vec![
            format!("{init} adds seccoach's code/* rules on every pull request."),
            if gh {
                "For deeper analysis: `uses: github/codeql-action/init@<SHA>` then `github/codeql-action/analyze@<SHA>`, on pull_request".to_owned()
            } else {
                "For deeper analysis: `include: - template: Jobs/SAST.gitlab-ci.yml`".to_owned()
            },
        ],
        LayerId::Dependencies => vec![
            if gh {
                "Updates: .github/dependabot.yml with one `updates:` entry per ecosystem (package-ecosystem, directory: \"/\", schedule: weekly)".to_owned()
            } else {
                "Updates: a renovate.json (`{\"extends\": [\"config:recommended\"]}`) with the Renovate bot".to_owned()
            },
            format!("Known-vulnerable versions on every change: {init}, with `seccoach advisories update` in the job (init writes it)."),
        ],
        LayerId::Containers => vec![
            format!("{init} checks Dockerfiles (docker/* rules) on every change."),
            "For the built image: `trivy image --exit-code 1 --severity HIGH,CRITICAL app:$TAG` after `docker build`, in the same pull-request job".to_owned(),
        ],
        LayerId::CiHardening => vec![
            format!("{init} runs seccoach's actions/* checks (permissions, pinning, injection) on every change."),
            if gh {
                "Or a pull-request job step: `run: pipx run zizmor --format sarif .` (zizmor audits workflows)".to_owned()
            } else {
                "Review the pipeline itself on merge requests: protected variables, pinned images by digest.".to_owned()
            },
        ],
        LayerId::Infrastructure => vec![
            format!("{init} runs seccoach's k8s/* checks on manifests and Helm charts on every change."),
            "For Terraform and more policies: `checkov -d . --compact` (or `kube-linter lint .`) in the pull-request job".to_owned(),
        ],
        LayerId::Runtime => vec![
            "Label namespaces `pod-security.kubernetes.io/enforce: restricted`, add a default-deny NetworkPolicy per namespace,".to_owned(),
            "and run runtime detection (Falco) in the cluster; the lessons below show each.".to_owned(),
        ],
        LayerId::SecurityPolicy => vec![
            "Add SECURITY.md: the supported versions and a private way to report (an address, or GitHub's private vulnerability reporting).".to_owned(),
        ],
    };
    lines
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Present => "[x]",
        Status::Partial => "[~]",
        Status::Missing => "[ ]",
    }
}

fn reach_suffix(reach: &Reach) -> String {
    match reach {
        Reach::Declared => String::new(),
        other => format!(" — {}", other.describe()),
    }
}

/// The map as plain text.
pub fn text(map: &LayerMap, root_shown: &str) -> String {
    let mut out = format!("Pipeline layers of {}\n\n", sanitize(root_shown));
    for layer in &map.layers {
        out.push_str(&format!(
            "{} {:<38} {}\n",
            mark(layer.status),
            layer.title,
            layer.status.label()
        ));
        out.push_str(&format!("    {}\n", sanitize(&layer.reason)));
        for e in &layer.evidence {
            out.push_str(&format!(
                "    - {}: {} {}{}\n",
                sanitize(&e.location()),
                sanitize(&e.tool),
                sanitize(&e.what),
                sanitize(&reach_suffix(&e.reach))
            ));
        }
        for line in &layer.suggestion {
            out.push_str(&format!("    + {line}\n"));
        }
        out.push_str(&format!(
            "    Lesson: seccoach learn {}\n\n",
            layer.lessons[0]
        ));
    }
    let counts = |s: Status| map.layers.iter().filter(|l| l.status == s).count();
    out.push_str(&format!(
        "{} present, {} partial, {} missing. Partial: the tool runs only after merge, on a \
         timer, by hand or locally, or only its configuration is here.\n",
        counts(Status::Present),
        counts(Status::Partial),
        counts(Status::Missing)
    ));
    for note in &map.notes {
        out.push_str(&format!("note: {}\n", sanitize(note)));
    }
    out
}

/// Text inside Markdown: what could be read as markup is escaped.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in sanitize(text).chars() {
        if "\\`*_[]<>|#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The map as Markdown: a summary table, then each layer's evidence.
pub fn markdown(map: &LayerMap, root_shown: &str) -> String {
    let mut out = format!("# Pipeline layers of {}\n\n", md(root_shown));
    out.push_str("| Layer | Status | Why |\n|---|---|---|\n");
    for layer in &map.layers {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            layer.title,
            layer.status.label(),
            md(&layer.reason)
        ));
    }
    for layer in &map.layers {
        out.push_str(&format!(
            "\n## {}: {}\n\n",
            layer.title,
            layer.status.label()
        ));
        for e in &layer.evidence {
            out.push_str(&format!(
                "- `{}`: {} {}{}\n",
                sanitize(&e.location()).replace('`', "'"),
                md(&e.tool),
                md(&e.what),
                md(&reach_suffix(&e.reach))
            ));
        }
        if !layer.suggestion.is_empty() {
            out.push_str("\nTo add:\n\n");
            for line in &layer.suggestion {
                out.push_str(&format!("- {line}\n"));
            }
        }
        out.push_str(&format!(
            "\nLessons: {}\n",
            layer
                .lessons
                .iter()
                .map(|l| format!("`{l}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !map.notes.is_empty() {
        out.push_str("\n## Not checked\n\n");
        for note in &map.notes {
            out.push_str(&format!("- {}\n", md(note)));
        }
    }
    out
}
