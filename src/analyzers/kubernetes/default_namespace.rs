//! `k8s/default-namespace`: a workload with no namespace, or the `default` one.

use super::model::Manifests;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_DEFAULT_NAMESPACE as DEFAULT_NAMESPACE};
use crate::yaml::Node;

/// Complete workloads outside a template (whose namespace is chosen at install time).
pub(super) struct DefaultNamespace;

impl<'a> Rule<Manifests<'a>> for DefaultNamespace {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[DEFAULT_NAMESPACE]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for w in &model.workloads {
            if w.complete && !model.facts.template {
                check_namespace(w.object, &w.label, &mut hits);
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}

fn check_namespace(object: &Node, workload: &str, hits: &mut Hits) {
    let metadata = object.entry("metadata");
    match metadata.and_then(|(_, m)| m.entry("namespace")) {
        Some((at, value)) => {
            let namespace = value.as_str().map_or("", str::trim);
            if namespace.is_empty() || namespace == "default" {
                hits.push(DEFAULT_NAMESPACE, at, workload);
            }
        }
        None => {
            let at = metadata
                .and_then(|(key, m)| {
                    m.key_node("name")
                        .or_else(|| m.key_node("generateName"))
                        .or(Some(key))
                })
                .or_else(|| object.key_node("kind"))
                .unwrap_or(object);
            hits.push(DEFAULT_NAMESPACE, at, workload);
        }
    }
}
