//! `compose/privileged`: a service with `privileged: true`.

use super::model::Compose;
use crate::analyzers::yaml_rules::{Hits, truthy};
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, COMPOSE_PRIVILEGED as PRIVILEGED};

/// Every service that sets `privileged` to true.
pub(super) struct Privileged;

impl<'a> Rule<Compose<'a>> for Privileged {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[PRIVILEGED]
    }

    fn check(&self, model: &Compose<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for &(name, service) in &model.services {
            if let Some((key, value)) = service.entry("privileged")
                && truthy(value) == Some(true)
            {
                hits.push(PRIVILEGED, key, name);
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}
