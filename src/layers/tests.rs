use super::tools;
use super::*;

fn layer(map: &LayerMap, id: LayerId) -> &Layer {
    map.layers.iter().find(|l| l.id == id).expect("every layer")
}

fn map_of(files: &[(&str, &str)]) -> LayerMap {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    let mut rels: Vec<String> = files.iter().map(|(p, _)| (*p).to_owned()).collect();
    rels.sort();
    map(dir.path(), &rels, &crate::source::TestPaths::default())
}

#[test]
fn scripts_name_tools_by_their_command_words_not_their_mentions_in_comments() {
    let hits = tools::in_script("# gitleaks is nice\nnpm audit --production\n./bin/trivy fs .\n");
    let names: Vec<(&str, String)> = hits
        .iter()
        .map(|h| (h.tool.name, h.words.clone()))
        .collect();
    assert_eq!(
        names,
        [
            ("audit", "npm audit".to_owned()),
            ("Trivy", "trivy fs".to_owned())
        ]
    );
    assert_eq!(hits[1].layers, [LayerId::Dependencies, LayerId::Secrets]);
    assert!(tools::in_script("echo trivial && npm install").is_empty());
}

#[test]
fn actions_and_images_are_recognised_by_owner_and_name() {
    assert_eq!(
        tools::of_action("github/codeql-action/analyze@v3").map(|t| t.name),
        Some("CodeQL")
    );
    assert_eq!(
        tools::of_action("gitleaks/gitleaks-action@ff98106e4c7b2bc287b24eaf42907196329070c7")
            .map(|t| t.name),
        Some("gitleaks")
    );
    assert!(tools::of_action("actions/checkout@v4").is_none());
    assert!(tools::of_action("github/codeql-action/upload-sarif@v3").is_none());
    assert_eq!(
        tools::of_image("aquasec/trivy:0.58.1").map(|t| t.name),
        Some("Trivy")
    );
    assert_eq!(
        tools::of_image("docker.io/zricethezav/gitleaks@sha256:abc").map(|t| t.name),
        Some("gitleaks")
    );
}

#[test]
fn push_to_main_only_is_partial_and_pull_request_is_present() {
    let main_only = "on:\n  push:\n    branches: [main]\njobs:\n  s:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gitleaks detect\n";
    let map = map_of(&[(".github/workflows/s.yml", main_only)]);
    let secrets = layer(&map, LayerId::Secrets);
    assert_eq!(secrets.status, Status::Partial, "{}", secrets.reason);
    assert!(
        secrets.reason.contains("on push to main"),
        "{}",
        secrets.reason
    );
    let on_pr = main_only.replace("push:\n    branches: [main]", "pull_request:");
    let map = map_of(&[(".github/workflows/s.yml", &on_pr)]);
    assert_eq!(layer(&map, LayerId::Secrets).status, Status::Present);
}

#[test]
fn security_policy_needs_a_contact_to_be_present() {
    let map = map_of(&[("SECURITY.md", "# Security\n\nMail security@example.org.\n")]);
    assert_eq!(layer(&map, LayerId::SecurityPolicy).status, Status::Present);
    let map = map_of(&[("SECURITY.md", "# Security\n\nWe care.\n")]);
    assert_eq!(layer(&map, LayerId::SecurityPolicy).status, Status::Partial);
    let map = map_of(&[("README.md", "hello\n")]);
    assert_eq!(layer(&map, LayerId::SecurityPolicy).status, Status::Missing);
}

#[test]
fn every_layer_names_lessons_of_the_embedded_catalogue() {
    let catalog = crate::catalog::Catalog::embedded().expect("catalogue");
    for id in LayerId::ALL {
        for lesson in id.lessons() {
            assert!(
                catalog.lesson(lesson).is_some(),
                "{id:?}: no lesson {lesson}"
            );
        }
    }
}
