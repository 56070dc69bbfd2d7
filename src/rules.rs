//! What the rest of the program names rules by: the typed id of every embedded rule, generated
//! by `build.rs` from the TOML packs in `checks/`, and the analyzers that emit them.
//!
//! A leaf module: it imports nothing of the crate, so the catalogue (which reads rules) and the
//! analyzers (which emit them) both build on it without importing each other for types. Code
//! names a rule with its constant (`rules::DOCKER_RUN_AS_ROOT`): a misspelt or removed rule is a
//! compile error, and the TOML's `matcher = { type = "analyzer", analyzer = "…" }` is the one
//! place that says which analyzer emits it ([`AnalyzerKind::rules`]).

use serde::Deserialize;
use std::fmt;

/// The id of a rule embedded in the binary, such as `docker/run-as-root`. Only the generated
/// constants below make one, so each names a rule the catalogue has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BuiltinRule(&'static str);

impl BuiltinRule {
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// The embedded rule with this id, if there is one.
    pub fn find(id: &str) -> Option<BuiltinRule> {
        ALL.binary_search_by(|(rule, _)| rule.0.cmp(id))
            .ok()
            .map(|i| ALL[i].0)
    }

    /// The analyzer that emits this rule (`None` for a rule matched by its TOML pattern).
    pub fn analyzer(self) -> Option<AnalyzerKind> {
        ALL.binary_search_by(|(rule, _)| rule.0.cmp(self.0))
            .ok()
            .and_then(|i| ALL[i].1)
    }
}

impl fmt::Display for BuiltinRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.0)
    }
}

impl PartialEq<str> for BuiltinRule {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for BuiltinRule {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<BuiltinRule> for str {
    fn eq(&self, other: &BuiltinRule) -> bool {
        self == other.0
    }
}

impl PartialEq<BuiltinRule> for &str {
    fn eq(&self, other: &BuiltinRule) -> bool {
        *self == other.0
    }
}

include!(concat!(env!("OUT_DIR"), "/rule_ids.rs"));

/// The analyzers a rule can name with `matcher = { type = "analyzer", analyzer = "…" }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnalyzerKind {
    Actions,
    Code,
    Compose,
    Deps,
    Dockerfile,
    Kubernetes,
    Repo,
    Secrets,
    Suppressions,
}

impl AnalyzerKind {
    pub const ALL: [AnalyzerKind; 9] = [
        AnalyzerKind::Actions,
        AnalyzerKind::Code,
        AnalyzerKind::Compose,
        AnalyzerKind::Deps,
        AnalyzerKind::Dockerfile,
        AnalyzerKind::Kubernetes,
        AnalyzerKind::Repo,
        AnalyzerKind::Secrets,
        AnalyzerKind::Suppressions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AnalyzerKind::Actions => "actions",
            AnalyzerKind::Code => "code",
            AnalyzerKind::Compose => "compose",
            AnalyzerKind::Deps => "deps",
            AnalyzerKind::Dockerfile => "dockerfile",
            AnalyzerKind::Kubernetes => "kubernetes",
            AnalyzerKind::Repo => "repo",
            AnalyzerKind::Secrets => "secrets",
            AnalyzerKind::Suppressions => "suppressions",
        }
    }

    /// The rules this analyzer emits: those whose TOML names it.
    pub fn rules(self) -> impl Iterator<Item = BuiltinRule> {
        ALL.iter()
            .filter(move |(_, analyzer)| *analyzer == Some(self))
            .map(|(rule, _)| *rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_carry_the_ids_of_the_toml() {
        assert_eq!(DOCKER_RUN_AS_ROOT.as_str(), "docker/run-as-root");
        assert_eq!(
            DOCKER_RUN_AS_ROOT.analyzer(),
            Some(AnalyzerKind::Dockerfile)
        );
        assert_eq!(SECRETS_AWS_ACCESS_KEY.analyzer(), None);
        assert_eq!(BuiltinRule::find("k8s/privileged"), Some(K8S_PRIVILEGED));
        assert_eq!(BuiltinRule::find("k8s/no-such-rule"), None);
    }

    #[test]
    fn the_table_is_sorted_and_has_each_id_once() {
        assert!(ALL.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn every_analyzer_emits_some_rule() {
        for analyzer in AnalyzerKind::ALL {
            assert!(
                analyzer.rules().next().is_some(),
                "no rule names the {} analyzer",
                analyzer.as_str()
            );
        }
    }
}
