//! `k8s/namespace-pod-security`: a `Namespace` without a Pod Security Admission
//! `pod-security.kubernetes.io/enforce` label.
//!
//! Reported on the namespace's `name:` (or `metadata:`) key. The control plane's own namespaces
//! (`kube-system`, `kube-public`, `kube-node-lease`) are left alone, and an explicit level
//! (even `privileged`) is a decision, not an omission.

use super::model::{Manifests, object_name, templated};
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_NAMESPACE_POD_SECURITY as NAMESPACE_PSA};

pub(super) const ENFORCE: &str = "pod-security.kubernetes.io/enforce";

pub(super) struct NamespacePodSecurity;

impl<'a> Rule<Manifests<'a>> for NamespacePodSecurity {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[NAMESPACE_PSA]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for namespace in model.of_kind("Namespace") {
            let name = object_name(namespace);
            if matches!(
                name.as_str(),
                "kube-system" | "kube-public" | "kube-node-lease"
            ) {
                continue;
            }
            let Some((metadata_key, metadata)) = namespace.entry("metadata") else {
                continue;
            };
            let labels = metadata.get("labels");
            // A template whose labels come from a block only rendering fills in may set it.
            if labels.is_some_and(templated) || (model.facts.unknown && labels.is_some()) {
                continue;
            }
            if labels.and_then(|l| l.get(ENFORCE)).is_some() {
                continue;
            }
            let at = metadata.key_node("name").unwrap_or(metadata_key);
            hits.push(NAMESPACE_PSA, at, &format!("Namespace/{name}"));
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analyzers::kubernetes::tests::run;
    use crate::rules::K8S_NAMESPACE_POD_SECURITY as NAMESPACE_PSA;

    fn found(text: &str) -> Vec<(u32, String)> {
        run(text)
            .into_iter()
            .filter(|(rule, _, _)| *rule == NAMESPACE_PSA)
            .map(|(_, line, value)| (line, value))
            .collect()
    }

    #[test]
    fn namespaces_without_an_enforce_label_are_reported() {
        let text = "\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/warn: restricted
    pod-security.kubernetes.io/audit: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: payments
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
---
apiVersion: v1
kind: Namespace
metadata:
  name: kube-system
---
apiVersion: v1
kind: Namespace
metadata:
  name: cni
  labels:
    pod-security.kubernetes.io/enforce: privileged
";
        assert_eq!(found(text), [(4, "Namespace/shop".to_owned())]);
    }
}
