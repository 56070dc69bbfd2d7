//! `compose/host-network`: a service on the host's network stack.

use super::model::Compose;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, COMPOSE_HOST_NETWORK as HOST_NETWORK};

/// Every service with `network_mode: host` (or `net: host`, its version 1 spelling).
pub(super) struct HostNetwork;

impl<'a> Rule<Compose<'a>> for HostNetwork {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[HOST_NETWORK]
    }

    fn check(&self, model: &Compose<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for &(name, service) in &model.services {
            for mode_key in ["network_mode", "net"] {
                if let Some((key, value)) = service.entry(mode_key)
                    && value.as_str().map(str::trim) == Some("host")
                {
                    hits.push(HOST_NETWORK, key, name);
                }
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}
