//! `compose/dangerous-capabilities`: a service whose `cap_add` grants a capability that gives
//! power over the host or its network.

use super::model::Compose;
use crate::analyzers::kubernetes::capability;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, COMPOSE_DANGEROUS_CAPABILITIES as DANGEROUS_CAPS, Severity};
use crate::yaml::Node;

/// Every `cap_add` entry naming a dangerous capability.
pub(super) struct DangerousCapabilities;

/// Capabilities outside Docker's default set that reach past the container. (`NET_RAW`, which
/// Kubernetes' baseline forbids, is in Docker's default set: adding it changes nothing.)
const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "DAC_READ_SEARCH",
    "SYS_BOOT",
    "SYS_TIME",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "NET_ADMIN",
];

/// Dangerous, but the usual need of VPN and network tools, which confine it to the container's
/// own network namespace unless the host's is shared: reported at `medium`.
const NETWORK_ONLY: &[&str] = &["NET_ADMIN"];

impl<'a> Rule<Compose<'a>> for DangerousCapabilities {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[DANGEROUS_CAPS]
    }

    fn check(&self, model: &Compose<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        let mut network_only = Vec::new();
        for &(name, service) in &model.services {
            for cap in service.get("cap_add").map(Node::items).unwrap_or_default() {
                let Some(text) = cap.as_str() else {
                    continue;
                };
                let cap_name = capability(text);
                if !DANGEROUS.contains(&cap_name.as_str()) {
                    continue;
                }
                if NETWORK_ONLY.contains(&cap_name.as_str()) {
                    network_only.push(cap.span().range().start);
                }
                hits.push_detail(DANGEROUS_CAPS, cap, name, Some(&format!("adds {cap_name}")));
            }
        }
        for hit in hits.into_hits() {
            if network_only.contains(&hit.span.start) {
                sink.push(hit.with_severity(Severity::Medium));
            } else {
                sink.push(hit);
            }
        }
    }
}
