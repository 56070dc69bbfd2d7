//! `k8s/allow-privilege-escalation`: a container that does not set
//! `allowPrivilegeEscalation: false`.

use super::model::Manifests;
use super::model::report_unless;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_ALLOW_PRIVILEGE_ESCALATION as ESCALATION};

/// Reported for privileged containers too, as Pod Security Admission does: the API rejects
/// `allowPrivilegeEscalation: false` next to `privileged: true`, so the fix is both changes.
pub(super) struct AllowPrivilegeEscalation;

impl<'a> Rule<Manifests<'a>> for AllowPrivilegeEscalation {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[ESCALATION]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for (w, c) in model.containers() {
            let own = c
                .node
                .get("securityContext")
                .and_then(|s| s.entry("allowPrivilegeEscalation"));
            report_unless(own, false, ESCALATION, c, w.missing_counts(), &mut hits);
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}
