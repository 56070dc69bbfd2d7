//! `k8s/writable-root-fs`: a container that does not set `readOnlyRootFilesystem: true`.

use super::model::Manifests;
use super::model::report_unless;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_WRITABLE_ROOT_FS as WRITABLE_ROOT};

/// Every container without a read-only root filesystem.
pub(super) struct WritableRootFs;

impl<'a> Rule<Manifests<'a>> for WritableRootFs {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[WRITABLE_ROOT]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for (w, c) in model.containers() {
            let own = c
                .node
                .get("securityContext")
                .and_then(|s| s.entry("readOnlyRootFilesystem"));
            report_unless(own, true, WRITABLE_ROOT, c, w.missing_counts(), &mut hits);
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}
