//! The YAML parser and the analyzers that read YAML (workflows, actions, GitLab CI, Compose,
//! Kubernetes, Helm templates), through the scanner. The first byte picks the file kind.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use seccoach::source::FileKind;

const KINDS: [(&str, FileKind); 6] = [
    (".github/workflows/ci.yml", FileKind::GithubWorkflow),
    ("action.yml", FileKind::GithubAction),
    (".gitlab-ci.yml", FileKind::GitlabCi),
    ("docker-compose.yml", FileKind::Compose),
    ("k8s/deploy.yaml", FileKind::Yaml),
    // A chart template: read through the Helm neutraliser.
    ("chart/templates/deploy.yaml", FileKind::Yaml),
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let (path, kind) = KINDS[first as usize % KINDS.len()];
    common::check(path, kind, rest);
    let _ = seccoach::yaml::parse_str(&String::from_utf8_lossy(rest));
});
