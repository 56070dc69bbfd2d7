//! Catalogue consistency: the embedded rules and lessons load, every cross reference resolves,
//! every rule is taught by a lesson, every rule the curriculum names exists, and every lesson
//! meets the bar for a lesson (length, example, quiz).

use seccoach::catalog::Catalog;
use seccoach::rules::{self, BuiltinRule};
use std::collections::BTreeSet;

/// Every rule the curriculum requires (../shared/CURRICULUM.md), plus seccoach's own, named by
/// the constants `build.rs` generates from the TOML packs: a rule the curriculum requires that
/// has no pack does not compile.
const REQUIRED_RULES: &[BuiltinRule] = &[
    rules::SECRETS_AWS_ACCESS_KEY,
    rules::SECRETS_AWS_SECRET_KEY,
    rules::SECRETS_GITHUB_TOKEN,
    rules::SECRETS_GITLAB_TOKEN,
    rules::SECRETS_SLACK_TOKEN,
    rules::SECRETS_SLACK_WEBHOOK,
    rules::SECRETS_STRIPE_KEY,
    rules::SECRETS_GOOGLE_API_KEY,
    rules::SECRETS_GCP_SERVICE_ACCOUNT,
    rules::SECRETS_AZURE_STORAGE_KEY,
    rules::SECRETS_OPENAI_KEY,
    rules::SECRETS_ANTHROPIC_KEY,
    rules::SECRETS_NPM_TOKEN,
    rules::SECRETS_PYPI_TOKEN,
    rules::SECRETS_SENDGRID_KEY,
    rules::SECRETS_TWILIO_KEY,
    rules::SECRETS_JWT,
    rules::SECRETS_PRIVATE_KEY,
    rules::SECRETS_PASSWORD_IN_URL,
    rules::SECRETS_GENERIC_ASSIGNMENT,
    rules::DEPS_MISSING_LOCKFILE,
    rules::DEPS_UNPINNED_REQUIREMENT,
    rules::DEPS_GIT_DEPENDENCY_UNPINNED,
    rules::DEPS_WILDCARD_VERSION,
    rules::DEPS_NPM_INSTALL_SCRIPT,
    rules::DEPS_KNOWN_VULNERABLE,
    rules::CODE_SQL_STRING_CONCAT,
    rules::CODE_SHELL_INJECTION,
    rules::CODE_EVAL,
    rules::CODE_WEAK_HASH_PASSWORD,
    rules::CODE_WEAK_HASH,
    rules::CODE_INSECURE_RANDOM,
    rules::CODE_ECB_MODE,
    rules::CODE_HARDCODED_IV_OR_KEY,
    rules::CODE_TLS_VERIFY_DISABLED,
    rules::CODE_UNSAFE_DESERIALIZATION,
    rules::CODE_XXE,
    rules::CODE_DEBUG_ENABLED,
    rules::CODE_CORS_WILDCARD_CREDENTIALS,
    rules::CODE_COOKIE_INSECURE,
    rules::CODE_BIND_ALL_INTERFACES,
    rules::DOCKER_UNPINNED_BASE_IMAGE,
    rules::DOCKER_BASE_IMAGE_NO_DIGEST,
    rules::DOCKER_FULL_OS_BASE,
    rules::DOCKER_RUN_AS_ROOT,
    rules::DOCKER_SUDO,
    rules::DOCKER_EXPOSE_SSH,
    rules::DOCKER_SECRET_IN_ENV_OR_ARG,
    rules::DOCKER_COPY_SECRETS,
    rules::DOCKER_ADD_REMOTE_URL,
    rules::DOCKER_CURL_PIPE_SHELL,
    rules::DOCKER_APT_NO_PIN_OR_CLEANUP,
    rules::DOCKER_MISSING_HEALTHCHECK,
    rules::DOCKER_COPY_WHOLE_CONTEXT_NO_DOCKERIGNORE,
    rules::COMPOSE_PRIVILEGED,
    rules::COMPOSE_DOCKER_SOCKET_MOUNT,
    rules::COMPOSE_HOST_NETWORK,
    rules::COMPOSE_DATABASE_PORT_PUBLIC,
    rules::COMPOSE_SECRET_IN_ENVIRONMENT,
    rules::ACTIONS_DEFAULT_PERMISSIONS,
    rules::ACTIONS_WRITE_ALL_PERMISSIONS,
    rules::ACTIONS_PERSIST_CREDENTIALS,
    rules::ACTIONS_TEMPLATE_INJECTION,
    rules::ACTIONS_PULL_REQUEST_TARGET_CHECKOUT,
    rules::ACTIONS_SELF_HOSTED_RUNNER,
    rules::ACTIONS_UNPINNED_ACTION,
    rules::ACTIONS_CURL_PIPE_SHELL,
    rules::ACTIONS_SECRET_ECHO,
    rules::ACTIONS_SECRETS_INHERIT,
    rules::ACTIONS_SECRETS_IN_WORKFLOW_ENV,
    rules::K8S_PRIVILEGED,
    rules::K8S_ALLOW_PRIVILEGE_ESCALATION,
    rules::K8S_RUN_AS_ROOT,
    rules::K8S_CAPABILITIES_NOT_DROPPED,
    rules::K8S_DANGEROUS_CAPABILITIES,
    rules::K8S_WRITABLE_ROOT_FS,
    rules::K8S_HOST_NAMESPACES,
    rules::K8S_HOST_PATH,
    rules::K8S_DOCKER_SOCKET_MOUNT,
    rules::K8S_NO_RESOURCE_LIMITS,
    rules::K8S_IMAGE_LATEST_TAG,
    rules::K8S_SECRET_IN_ENV_LITERAL,
    rules::K8S_SERVICE_ACCOUNT_TOKEN_AUTOMOUNT,
    rules::K8S_DEFAULT_NAMESPACE,
    rules::REPO_ENV_FILE_COMMITTED,
    rules::REPO_GITIGNORE_MISSING_ENV,
    rules::REPO_PRIVATE_KEY_FILE,
    rules::REPO_NO_SECURITY_POLICY,
    rules::REPO_NO_DEPENDENCY_UPDATES,
    rules::REPO_LARGE_BINARY_COMMITTED,
    rules::REPO_INVALID_SUPPRESSION,
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
        .map(|id| id.as_str())
        .filter(|id| catalog.rule(id).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "{} rules missing: {missing:?}",
        missing.len()
    );
}

/// The generated ids are exactly the embedded catalogue's rules, each with the analyzer its
/// TOML names.
#[test]
fn the_generated_ids_are_the_embedded_rules() {
    let catalog = catalog();
    let embedded: Vec<(String, Option<rules::AnalyzerKind>)> = catalog
        .rules()
        .iter()
        .filter(|r| r.origin.embedded)
        .map(|r| (r.id.to_string(), r.analyzer()))
        .collect();
    let generated: Vec<(String, Option<rules::AnalyzerKind>)> = rules::ALL
        .iter()
        .map(|(id, analyzer)| (id.to_string(), *analyzer))
        .collect();
    assert_eq!(embedded, generated);
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
