//! `k8s/capabilities-not-dropped` and `k8s/dangerous-capabilities`: a container that does
//! not drop `ALL` capabilities, or adds one that gives power over the node.

use super::model::Manifests;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{
    BuiltinRule, K8S_CAPABILITIES_NOT_DROPPED as CAPS_NOT_DROPPED,
    K8S_DANGEROUS_CAPABILITIES as DANGEROUS_CAPS,
};
use crate::yaml::Node;

/// The `capabilities` of every container.
pub(super) struct Capabilities;

impl<'a> Rule<Manifests<'a>> for Capabilities {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[CAPS_NOT_DROPPED, DANGEROUS_CAPS]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for (w, c) in model.containers() {
            let name = c.name.as_str();
            let missing_counts = w.missing_counts();
            let capabilities = c
                .node
                .get("securityContext")
                .and_then(|s| s.entry("capabilities"));
            let drop = capabilities.and_then(|(_, caps)| caps.entry("drop"));
            let drops_all = drop.is_some_and(|(_, list)| {
                list.items()
                    .iter()
                    .filter_map(Node::as_str)
                    .any(|cap| capability(cap) == "ALL")
            });
            if !drops_all {
                match (drop, capabilities) {
                    (Some((at, _)), _) => hits.push(CAPS_NOT_DROPPED, at, name),
                    (None, Some((at, _))) if missing_counts => {
                        hits.push(CAPS_NOT_DROPPED, at, name)
                    }
                    (None, None) if missing_counts => hits.push(CAPS_NOT_DROPPED, c.anchor(), name),
                    _ => {}
                }
            }
            if let Some((_, caps)) = capabilities {
                for item in caps.get("add").map(Node::items).unwrap_or_default() {
                    let Some(cap) = item.as_str().map(capability) else {
                        continue;
                    };
                    if DANGEROUS_CAPABILITIES.contains(&cap.as_str()) {
                        hits.push(DANGEROUS_CAPS, item, &format!("{cap} to container {name}"));
                    }
                }
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}

/// Capabilities that give power over the node or its network. All are outside the set the
/// baseline Pod Security Standard allows a container to add.
const DANGEROUS_CAPABILITIES: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "DAC_READ_SEARCH",
    "SYS_BOOT",
    "SYS_TIME",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "NET_RAW",
];

/// `cap_sys_admin` → `SYS_ADMIN`.
pub(crate) fn capability(text: &str) -> String {
    let upper = text.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map_or_else(|| upper.clone(), str::to_owned)
}
