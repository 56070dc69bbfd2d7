//! Rule ids (`area/slug`): validated once when the catalogue loads, then passed around typed.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The areas a rule id may start with.
pub const AREAS: [&str; 8] = [
    "secrets", "docker", "compose", "actions", "k8s", "code", "deps", "repo",
];

/// A rule id such as `docker/run-as-root`. Stable forever once released.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RuleId(String);

impl RuleId {
    /// Parses and validates an id: a known area, `/`, then a lowercase slug of `a-z0-9-`.
    pub fn parse(text: &str) -> Result<RuleId, String> {
        let Some((area, slug)) = text.split_once('/') else {
            return Err(format!("rule id `{text}` must look like `area/slug`"));
        };
        if !AREAS.contains(&area) {
            return Err(format!(
                "rule id `{text}` has unknown area `{area}` (expected one of: {})",
                AREAS.join(", ")
            ));
        }
        let valid_slug = !slug.is_empty()
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid_slug {
            return Err(format!(
                "rule id `{text}`: the slug must be lowercase letters, digits and single dashes"
            ));
        }
        Ok(RuleId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn area(&self) -> &str {
        self.0.split_once('/').map_or("", |(area, _)| area)
    }
}

impl TryFrom<String> for RuleId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        RuleId::parse(&value)
    }
}

impl From<RuleId> for String {
    fn from(id: RuleId) -> String {
        id.0
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl PartialEq<crate::rules::BuiltinRule> for RuleId {
    fn eq(&self, other: &crate::rules::BuiltinRule) -> bool {
        self.0 == other.as_str()
    }
}

impl std::borrow::Borrow<str> for RuleId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_formed_ids() {
        let id = RuleId::parse("docker/run-as-root").unwrap();
        assert_eq!(id.area(), "docker");
        assert_eq!(id.as_str(), "docker/run-as-root");
    }

    #[test]
    fn rejects_bad_ids() {
        for bad in [
            "docker",
            "web/x",
            "docker/Run",
            "docker/",
            "docker/-x",
            "docker/a_b",
        ] {
            assert!(RuleId::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
