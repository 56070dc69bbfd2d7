//! Catalogue consistency: the embedded rules and lessons load, every cross reference resolves,
//! every rule is taught by a lesson, every rule the curriculum names exists, and every lesson
//! meets the bar for a lesson (length, example, quiz).

use seccoach::catalog::Catalog;
use std::collections::BTreeSet;

/// Every rule id the curriculum requires (../shared/CURRICULUM.md), plus seccoach's own.
const REQUIRED_RULES: &[&str] = &[
    "secrets/aws-access-key",
    "secrets/aws-secret-key",
    "secrets/github-token",
    "secrets/gitlab-token",
    "secrets/slack-token",
    "secrets/slack-webhook",
    "secrets/stripe-key",
    "secrets/google-api-key",
    "secrets/gcp-service-account",
    "secrets/azure-storage-key",
    "secrets/openai-key",
    "secrets/anthropic-key",
    "secrets/npm-token",
    "secrets/pypi-token",
    "secrets/sendgrid-key",
    "secrets/twilio-key",
    "secrets/jwt",
    "secrets/private-key",
    "secrets/password-in-url",
    "secrets/generic-assignment",
    "deps/missing-lockfile",
    "deps/unpinned-requirement",
    "deps/git-dependency-unpinned",
    "deps/wildcard-version",
    "deps/npm-install-script",
    "deps/known-vulnerable",
    "code/sql-string-concat",
    "code/shell-injection",
    "code/eval",
    "code/weak-hash-password",
    "code/weak-hash",
    "code/insecure-random",
    "code/ecb-mode",
    "code/hardcoded-iv-or-key",
    "code/tls-verify-disabled",
    "code/unsafe-deserialization",
    "code/xxe",
    "code/debug-enabled",
    "code/cors-wildcard-credentials",
    "code/cookie-insecure",
    "code/bind-all-interfaces",
    "docker/unpinned-base-image",
    "docker/base-image-no-digest",
    "docker/full-os-base",
    "docker/run-as-root",
    "docker/sudo",
    "docker/expose-ssh",
    "docker/secret-in-env-or-arg",
    "docker/copy-secrets",
    "docker/add-remote-url",
    "docker/curl-pipe-shell",
    "docker/apt-no-pin-or-cleanup",
    "docker/missing-healthcheck",
    "docker/copy-whole-context-no-dockerignore",
    "compose/privileged",
    "compose/docker-socket-mount",
    "compose/host-network",
    "compose/database-port-public",
    "compose/secret-in-environment",
    "actions/default-permissions",
    "actions/write-all-permissions",
    "actions/persist-credentials",
    "actions/template-injection",
    "actions/pull-request-target-checkout",
    "actions/self-hosted-runner",
    "actions/unpinned-action",
    "actions/curl-pipe-shell",
    "actions/secret-echo",
    "actions/secrets-inherit",
    "actions/secrets-in-workflow-env",
    "k8s/privileged",
    "k8s/allow-privilege-escalation",
    "k8s/run-as-root",
    "k8s/capabilities-not-dropped",
    "k8s/dangerous-capabilities",
    "k8s/writable-root-fs",
    "k8s/host-namespaces",
    "k8s/host-path",
    "k8s/docker-socket-mount",
    "k8s/no-resource-limits",
    "k8s/image-latest-tag",
    "k8s/secret-in-env-literal",
    "k8s/service-account-token-automount",
    "k8s/default-namespace",
    "repo/env-file-committed",
    "repo/gitignore-missing-env",
    "repo/private-key-file",
    "repo/no-security-policy",
    "repo/no-dependency-updates",
    "repo/large-binary-committed",
    "repo/invalid-suppression",
];

fn catalog() -> Catalog {
    Catalog::embedded().unwrap_or_else(|e| panic!("embedded catalogue fails to load: {e}"))
}

#[test]
fn cross_references_resolve() {
    let problems = catalog().consistency_problems();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_reference_a_rule_cites_has_a_title_and_a_link() {
    let catalog = catalog();
    let unknown: Vec<String> = catalog
        .rules()
        .iter()
        .flat_map(|r| {
            r.references
                .iter()
                .filter(|id| seccoach::catalog::reference::lookup(id).is_none())
                .map(move |id| format!("{}: {id}", r.id))
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "add these to assets/references.toml: {unknown:?}"
    );
}

#[test]
fn explain_links_each_reference_with_its_title() {
    let catalog = catalog();
    let rule = catalog.rule("compose/docker-socket-mount").unwrap();
    let text = seccoach::output::explain::markdown(rule, &catalog);
    assert!(
        text.contains("[CIS Docker Benchmark 5.32: Ensure that the Docker socket is not mounted inside any containers (v1.6.0)](https://www.cisecurity.org/benchmark/docker)"),
        "{text}"
    );
}

#[test]
fn every_required_rule_exists() {
    let catalog = catalog();
    let missing: Vec<&str> = REQUIRED_RULES
        .iter()
        .copied()
        .filter(|id| catalog.rule(id).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "{} rules missing: {missing:?}",
        missing.len()
    );
}

#[test]
fn every_rule_is_taught_by_a_lesson() {
    let catalog = catalog();
    let untaught: Vec<String> = catalog
        .rules()
        .iter()
        .filter(|r| catalog.lessons_for_rule(r.id.as_str()).is_empty())
        .map(|r| r.id.to_string())
        .collect();
    assert!(untaught.is_empty(), "rules no lesson teaches: {untaught:?}");
}

#[test]
fn rules_link_the_lessons_that_list_them_and_vice_versa() {
    let catalog = catalog();
    let mut problems = Vec::new();
    for rule in catalog.rules() {
        for lesson in &rule.lessons {
            if let Some(l) = catalog.lesson(lesson)
                && !l.checks.iter().any(|c| c == rule.id.as_str())
            {
                problems.push(format!(
                    "{} links {lesson}, which does not list it in `checks`",
                    rule.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn lessons_meet_the_bar() {
    let catalog = catalog();
    let mut problems = Vec::new();
    let mut ids = BTreeSet::new();
    for lesson in catalog.lessons() {
        let words = lesson.body.split_whitespace().count();
        if !(300..=900 + 250).contains(&words) {
            problems.push(format!("{}: {words} words", lesson.id));
        }
        if !lesson.body.contains("```") {
            problems.push(format!("{}: no code example", lesson.id));
        }
        if !(2..=5).contains(&lesson.quiz.len()) {
            problems.push(format!(
                "{}: {} quiz questions",
                lesson.id,
                lesson.quiz.len()
            ));
        }
        if lesson.quiz.iter().any(|q| q.explanation.trim().is_empty()) {
            problems.push(format!("{}: a quiz answer is not explained", lesson.id));
        }
        if !lesson.id.starts_with(&format!("{}/", lesson.track)) {
            problems.push(format!(
                "{}: id does not start with its track `{}`",
                lesson.id, lesson.track
            ));
        }
        ids.insert(lesson.track.clone());
    }
    for track in catalog.tracks() {
        if !ids.contains(&track.id) {
            problems.push(format!("track {} has no lessons", track.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The answer keys must not be guessable: no position holds more than 40% of the right answers,
/// "pick the longest choice" is right in at most 35% of the questions, and "pick the shortest"
/// in at most 40%. (The coach also shuffles the choices of every attempt.)
#[test]
fn quiz_answers_are_not_guessable_by_position_or_length() {
    let catalog = catalog();
    let questions: Vec<_> = catalog
        .lessons()
        .iter()
        .flat_map(|l| l.quiz.iter().map(move |q| (l.id.as_str(), q)))
        .collect();
    assert!(questions.len() >= 40, "{} questions", questions.len());
    let total = questions.len() as f64;
    let mut by_position = [0usize; 8];
    let mut longest_right = Vec::new();
    let mut shortest_right = 0usize;
    for (lesson, q) in &questions {
        by_position[q.answer] += 1;
        let len = |c: &String| c.chars().count();
        let longest = q.choices.iter().map(len).max().unwrap();
        // A tie counts too: the right answer is (one of) the longest.
        if len(&q.choices[q.answer]) == longest {
            longest_right.push(format!("{lesson}: {}", q.question));
        }
        // Shortening every right answer would only swap one tell for another.
        if len(&q.choices[q.answer]) == q.choices.iter().map(len).min().unwrap() {
            shortest_right += 1;
        }
    }
    let mut problems = Vec::new();
    for (position, &count) in by_position.iter().enumerate() {
        if count as f64 > 0.40 * total {
            problems.push(format!(
                "choice {} is the answer in {count} of {total} questions (more than 40%)",
                position + 1
            ));
        }
    }
    if longest_right.len() as f64 > 0.35 * total {
        problems.push(format!(
            "the longest choice is the answer in {} of {total} questions (more than 35%):\n  {}",
            longest_right.len(),
            longest_right.join("\n  ")
        ));
    }
    if shortest_right as f64 > 0.40 * total {
        problems.push(format!(
            "the shortest choice is the answer in {shortest_right} of {total} questions (more than 40%)"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every embedded lesson names the primary documentation it was checked against.
#[test]
fn every_lesson_lists_its_sources() {
    let catalog = catalog();
    let missing: Vec<&str> = catalog
        .lessons()
        .iter()
        .filter(|l| l.sources.is_empty())
        .map(|l| l.id.as_str())
        .collect();
    assert!(missing.is_empty(), "lessons without sources: {missing:?}");
}

#[test]
fn every_rule_has_complete_texts() {
    for rule in catalog().rules() {
        assert!(
            rule.what.split_whitespace().count() >= 12,
            "{}: `what` is too thin",
            rule.id
        );
        assert!(
            rule.why.split_whitespace().count() >= 20,
            "{}: `why` is too thin",
            rule.id
        );
        assert!(
            rule.fix.split_whitespace().count() >= 8,
            "{}: `fix` is too thin",
            rule.id
        );
        assert_ne!(
            rule.example.before.trim(),
            rule.example.after.trim(),
            "{}: example shows no change",
            rule.id
        );
        assert!(!rule.lessons.is_empty(), "{}: links no lesson", rule.id);
    }
}

#[test]
fn every_embedded_pattern_compiles() {
    // Loading takes embedded patterns on trust; the scan compiles them on first use. This is
    // the check that every one of them does compile (within the size limits), and that each
    // rule's value group exists.
    for rule in catalog().rules() {
        if let seccoach::catalog::Matcher::Regex(m) = &rule.matcher {
            for regex in std::iter::once(&m.regex).chain(&m.allow) {
                if let Err(e) = regex.compile() {
                    panic!("{}: `{}`: {e}", rule.id, regex.as_str());
                }
            }
            let groups = m.regex.compile().unwrap().captures_len();
            assert!(
                m.value_group < groups,
                "{}: value_group {} but the pattern has {} group(s)",
                rule.id,
                m.value_group,
                groups - 1
            );
        }
    }
}

/// The CI lesson shows, character for character, the GitHub workflow and the GitLab job
/// `seccoach init --from` writes for the commands it quotes, so the two cannot drift apart.
#[test]
fn the_ci_lesson_shows_exactly_what_init_writes() {
    let catalog = catalog();
    let lesson = catalog.lesson("pipelines/seccoach-in-ci").unwrap();
    let from = "https://github.com/seccoach/seccoach@009e32be4f70f8b6feaacad25487192123d57541";
    let install = seccoach::init::Install::parse_from(from).unwrap();
    let blocks: Vec<&str> = lesson
        .body
        .split("```yaml\n")
        .skip(1)
        .map(|rest| &rest[..rest.find("```").expect("the code block ends")])
        .collect();
    for (ci, written) in [
        ("github", seccoach::init::workflow(&install)),
        ("gitlab", seccoach::init::gitlab_job(&install)),
    ] {
        assert!(
            lesson
                .body
                .contains(&format!("`seccoach init --ci {ci} --from {from}`")),
            "the lesson quotes the command for {ci}"
        );
        assert!(
            blocks.contains(&written.as_str()),
            "the lesson does not show what `init --ci {ci}` writes:\n{written}"
        );
    }
}
