//! `k8s/privileged`: a container with `privileged: true`.

use super::model::Manifests;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::yaml_rules::truthy;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_PRIVILEGED as PRIVILEGED};

/// Every container whose own security context makes it privileged.
pub(super) struct Privileged;

impl<'a> Rule<Manifests<'a>> for Privileged {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[PRIVILEGED]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for (_, c) in model.containers() {
            if let Some((at, value)) = c
                .node
                .get("securityContext")
                .and_then(|s| s.entry("privileged"))
                && truthy(value) == Some(true)
            {
                hits.push(PRIVILEGED, at, &c.name);
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}
