//! `k8s/host-namespaces`: a pod sharing the node's network, PID or IPC namespace.

use super::model::Manifests;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::yaml_rules::truthy;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_HOST_NAMESPACES as HOST_NAMESPACES};

/// `hostNetwork`, `hostPID` or `hostIPC` set to true.
pub(super) struct HostNamespaces;

impl<'a> Rule<Manifests<'a>> for HostNamespaces {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[HOST_NAMESPACES]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for w in &model.workloads {
            for key in ["hostNetwork", "hostPID", "hostIPC"] {
                if let Some((at, value)) = w.spec.entry(key)
                    && truthy(value) == Some(true)
                {
                    hits.push(HOST_NAMESPACES, at, key);
                }
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}
