//! `k8s/rbac-wildcard`: a Role or ClusterRole rule granting `*` verbs or `*` resources.
//!
//! Each `*` is reported on its own item. A ClusterRole's wildcard is `high`, a namespaced
//! Role's `medium`. A ClusterRole with an `aggregationRule` is skipped: the controller
//! overwrites its `rules`, so what the file says there is not what is granted. A rule confined
//! to the read-only metrics API groups (`metrics.k8s.io` and the custom and external metrics
//! APIs, which a metrics adapter's role grants with `*`) is not reported.

use super::model::{Manifests, object_name, str_items};
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, K8S_RBAC_WILDCARD as WILDCARD, Severity};
use crate::yaml::Node;

/// API groups that serve only reads (the metrics APIs a metrics adapter's role covers with
/// `*`): a wildcard there grants nothing to write or escalate with.
const READ_ONLY_GROUPS: &[&str] = &[
    "metrics.k8s.io",
    "custom.metrics.k8s.io",
    "external.metrics.k8s.io",
];

pub(super) struct RbacWildcard;

impl<'a> Rule<Manifests<'a>> for RbacWildcard {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[WILDCARD]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        for &(kind, role) in &model.objects {
            let severity = match kind {
                "ClusterRole" if role.get("aggregationRule").is_none() => Severity::High,
                "Role" => Severity::Medium,
                _ => continue,
            };
            let label = format!("{kind}/{}", object_name(role));
            for rule in role.get("rules").map(Node::items).unwrap_or_default() {
                let groups = str_items(rule, "apiGroups");
                if !groups.is_empty() && groups.iter().all(|(_, g)| READ_ONLY_GROUPS.contains(g)) {
                    continue;
                }
                for field in ["verbs", "resources"] {
                    for (at, _) in str_items(rule, field)
                        .into_iter()
                        .filter(|(_, s)| *s == "*")
                    {
                        let hit = Hit::new(WILDCARD, at.span().range())
                            .with_value(format!("{label} grants `*` {field}"))
                            .with_severity(severity);
                        sink.push(hit);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analyzers::kubernetes::tests::run;
    use crate::rules::K8S_RBAC_WILDCARD as WILDCARD;

    fn found(text: &str) -> Vec<(u32, String)> {
        run(text)
            .into_iter()
            .filter(|(rule, _, _)| *rule == WILDCARD)
            .map(|(_, line, value)| (line, value))
            .collect()
    }

    #[test]
    fn each_wildcard_verb_or_resource_is_reported_on_its_item() {
        let text = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ci-deployer
rules:
  - apiGroups: [\"apps\"]
    resources: [\"*\"]
    verbs: [\"*\"]
  - apiGroups: [\"\"]
    resources: [\"configmaps\"]
    verbs: [\"get\", \"list\"]
";
        assert_eq!(
            found(text),
            [
                (8, "ClusterRole/ci-deployer grants `*` verbs".to_owned()),
                (7, "ClusterRole/ci-deployer grants `*` resources".to_owned()),
            ]
        );
    }

    #[test]
    fn aggregated_roles_wildcard_api_groups_alone_and_metrics_apis_are_not_reported() {
        let text = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring
aggregationRule:
  clusterRoleSelectors:
    - matchLabels: {rbac.example.com/aggregate-to-monitoring: \"true\"}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules:
  - apiGroups: [\"*\"]
    resources: [\"pods\"]
    verbs: [\"get\"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: prometheus-adapter-server-resources}
rules:
  - apiGroups: [\"metrics.k8s.io\", \"custom.metrics.k8s.io\"]
    resources: [\"*\"]
    verbs: [\"*\"]
";
        assert_eq!(found(text), []);
    }
}
