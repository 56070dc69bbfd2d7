//! `k8s/secret-in-env-literal`: a secret-like `env` variable with a literal `value`.

use super::model::Manifests;
use crate::analyzers::heuristics::{is_literal_secret, is_secret_like_name};
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::helm::PLACEHOLDER;
use crate::rules::{BuiltinRule, K8S_SECRET_IN_ENV_LITERAL as SECRET_ENV};
use crate::yaml::Node;

/// Every `env` entry of every container, named like a secret and set to a literal.
pub(super) struct SecretInEnvLiteral;

impl<'a> Rule<Manifests<'a>> for SecretInEnvLiteral {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[SECRET_ENV]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for (_, c) in model.containers() {
            for var in c.node.get("env").map(Node::items).unwrap_or_default() {
                let Some(var_name) = var.get("name").and_then(Node::as_str) else {
                    continue;
                };
                if var.get("valueFrom").is_some() {
                    continue;
                }
                let Some((at, value)) = var.entry("value") else {
                    continue;
                };
                if let Some(text) = value.as_str()
                    && is_secret_like_name(var_name)
                    && is_literal_secret(text)
                    && !text.contains(PLACEHOLDER)
                {
                    hits.push_secret(
                        SECRET_ENV,
                        at,
                        &format!("{var_name} in container {}", c.name),
                        value.span().range(),
                    );
                }
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}
