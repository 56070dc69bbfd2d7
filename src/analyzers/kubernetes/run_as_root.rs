//! `k8s/run-as-root`: a container that may run as root (`runAsUser: 0`, or no
//! `runAsNonRoot: true`), after the container-over-pod precedence.

use super::model::Manifests;
use super::model::{Container, setting, templated};
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::yaml_rules::truthy;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_RUN_AS_ROOT as ROOT};
use crate::yaml::Node;

/// Every container whose effective user may be root.
pub(super) struct RunAsRoot;

impl<'a> Rule<Manifests<'a>> for RunAsRoot {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[ROOT]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for (w, c) in model.containers() {
            let context = c.node.get("securityContext");
            run_as_root(c, context, w.pod_context, w.missing_counts(), &mut hits);
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}

/// Applies the container-over-pod precedence of `runAsUser` and `runAsNonRoot`.
fn run_as_root(
    c: &Container,
    context: Option<&Node>,
    pod_context: Option<&Node>,
    missing_counts: bool,
    hits: &mut Hits,
) {
    let effective = |key: &str| {
        setting(context, key)
            .map(|entry| (entry, false))
            .or_else(|| setting(pod_context, key).map(|entry| (entry, true)))
    };
    let from = |pod: bool, setting: &str| {
        if pod {
            format!("{setting} in the pod's securityContext")
        } else {
            setting.to_owned()
        }
    };
    if let Some(((at, value), pod)) = effective("runAsUser") {
        // A non-zero user is not root; a value that is not a number (a template placeholder)
        // says nothing certain either way.
        if value.as_str().and_then(|s| s.trim().parse::<i64>().ok()) == Some(0) {
            hits.push_detail(ROOT, at, &c.name, Some(from(pod, "runAsUser: 0").as_str()));
        }
        return;
    }
    match effective("runAsNonRoot") {
        Some(((_, value), _)) if truthy(value) == Some(true) || templated(value) => {}
        Some(((at, _), pod)) => {
            let detail = from(pod, "runAsNonRoot is not true");
            hits.push_detail(ROOT, at, &c.name, Some(detail.as_str()));
        }
        None if missing_counts => hits.push(ROOT, c.anchor(), &c.name),
        None => {}
    }
}
