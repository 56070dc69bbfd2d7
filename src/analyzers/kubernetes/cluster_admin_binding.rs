//! `k8s/cluster-admin-binding`: a ClusterRoleBinding or RoleBinding whose `roleRef` is the
//! `cluster-admin` ClusterRole.
//!
//! Reported on the role's name. Cluster-wide (a ClusterRoleBinding) is `critical`; a
//! RoleBinding still grants everything in its namespace and is `high`.

use super::model::{Manifests, object_name};
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, K8S_CLUSTER_ADMIN_BINDING as CLUSTER_ADMIN, Severity};
use crate::yaml::Node;

pub(super) struct ClusterAdminBinding;

/// Most subjects named in one message.
const MAX_SUBJECTS: usize = 4;

impl<'a> Rule<Manifests<'a>> for ClusterAdminBinding {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[CLUSTER_ADMIN]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        for &(kind, binding) in &model.objects {
            let severity = match kind {
                "ClusterRoleBinding" => Severity::Critical,
                "RoleBinding" => Severity::High,
                _ => continue,
            };
            let Some(role_ref) = binding.get("roleRef") else {
                continue;
            };
            let Some(name) = role_ref.get("name") else {
                continue;
            };
            let ref_kind = role_ref.get("kind").and_then(Node::as_str);
            if name.as_str().map(str::trim) != Some("cluster-admin")
                || ref_kind.is_some_and(|k| k != "ClusterRole")
            {
                continue;
            }
            let value = format!(
                "{kind}/{} gives cluster-admin to {}",
                object_name(binding),
                subjects(binding)
            );
            sink.push(
                Hit::new(CLUSTER_ADMIN, name.span().range())
                    .with_value(value)
                    .with_severity(severity),
            );
        }
    }
}

/// `ServiceAccount kube-system/deployer, Group ops`: who the binding names.
fn subjects(binding: &Node) -> String {
    let items = binding.get("subjects").map(Node::items).unwrap_or_default();
    let mut named: Vec<String> = items
        .iter()
        .take(MAX_SUBJECTS)
        .map(|s| {
            let kind = s.get("kind").and_then(Node::as_str).unwrap_or("subject");
            let name = s.get("name").and_then(Node::as_str).unwrap_or("(unnamed)");
            match s.get("namespace").and_then(Node::as_str) {
                Some(ns) => format!("{kind} {ns}/{name}"),
                None => format!("{kind} {name}"),
            }
        })
        .map(|s| super::model::shown(&s))
        .collect();
    if items.len() > MAX_SUBJECTS {
        named.push("…".to_owned());
    }
    if named.is_empty() {
        "no subjects yet".to_owned()
    } else {
        named.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use crate::analyzers::kubernetes::tests::run;
    use crate::rules::K8S_CLUSTER_ADMIN_BINDING as CLUSTER_ADMIN;

    fn found(text: &str) -> Vec<(u32, String)> {
        run(text)
            .into_iter()
            .filter(|(rule, _, _)| *rule == CLUSTER_ADMIN)
            .map(|(_, line, value)| (line, value))
            .collect()
    }

    #[test]
    fn bindings_to_cluster_admin_name_their_subjects() {
        let text = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: tiller
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: tiller
    namespace: kube-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-admin, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: Group, name: developers, apiGroup: rbac.authorization.k8s.io}
";
        assert_eq!(
            found(text),
            [
                (
                    8,
                    "ClusterRoleBinding/tiller gives cluster-admin to ServiceAccount kube-system/tiller"
                        .to_owned()
                ),
                (
                    17,
                    "RoleBinding/dev-admin gives cluster-admin to Group developers".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn other_roles_and_a_namespaced_role_called_cluster_admin_are_not_reported() {
        let text = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: auditors}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: local, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cluster-admin}
subjects: [{kind: User, name: jane}]
";
        assert_eq!(found(text), []);
    }
}
