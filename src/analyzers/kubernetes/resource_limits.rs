//! `k8s/no-resource-limits`: a container without a memory limit.

use super::model::Manifests;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_NO_RESOURCE_LIMITS as NO_LIMITS};
use crate::yaml::Node;

/// Every container (but ephemeral ones, which cannot have resources) of a complete workload.
pub(super) struct ResourceLimits;

impl<'a> Rule<Manifests<'a>> for ResourceLimits {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[NO_LIMITS]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for (w, c) in model.containers() {
            if c.ephemeral || !w.complete {
                continue;
            }
            let resources = c.node.entry("resources");
            let limits = resources.and_then(|(_, r)| r.entry("limits"));
            let memory = limits.and_then(|(_, l)| l.get("memory"));
            if memory.is_none_or(Node::is_null) {
                let at = limits
                    .or(resources)
                    .map_or_else(|| c.anchor(), |(key, _)| key);
                hits.push(NO_LIMITS, at, &c.name);
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}
