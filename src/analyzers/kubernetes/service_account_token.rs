//! `k8s/service-account-token-automount`: a pod that mounts its service account's API token.

use super::model::Manifests;
use super::model::templated;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::yaml_rules::truthy;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_SERVICE_ACCOUNT_TOKEN_AUTOMOUNT as TOKEN};
use crate::yaml::Node;

/// `automountServiceAccountToken` not false, on the pod or (when the pod is silent) on a
/// service account the file defines.
pub(super) struct ServiceAccountToken;

impl<'a> Rule<Manifests<'a>> for ServiceAccountToken {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[TOKEN]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for w in &model.workloads {
            let spec = w.spec;
            match spec.entry("automountServiceAccountToken") {
                Some((at, value)) => {
                    if truthy(value) != Some(false) && !templated(value) {
                        hits.push(TOKEN, at, &w.label);
                    }
                }
                None => {
                    let account = spec
                        .get("serviceAccountName")
                        .or_else(|| spec.get("serviceAccount"))
                        .and_then(Node::as_str)
                        .unwrap_or("default");
                    if w.complete && !model.quiet_accounts.contains(&account) {
                        hits.push(TOKEN, w.spec_key, &w.label);
                    }
                }
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}
