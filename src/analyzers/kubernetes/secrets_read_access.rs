//! `k8s/secrets-read-access`: a ClusterRole that lets its holder read every Secret (`get`,
//! `list` or `watch` on `secrets` in the core API group, not narrowed by `resourceNames`).
//!
//! Reported on the `secrets` item. A `*` resource is `k8s/rbac-wildcard`'s, so only an explicit
//! `secrets` counts here (with any reading verb, `*` included). Aggregated ClusterRoles are skipped, as for wildcards.

use super::model::{Manifests, object_name, str_items};
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, K8S_SECRETS_READ_ACCESS as SECRETS_READ};
use crate::yaml::Node;

pub(super) struct SecretsReadAccess;

impl<'a> Rule<Manifests<'a>> for SecretsReadAccess {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[SECRETS_READ]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        for role in model.of_kind("ClusterRole") {
            if role.get("aggregationRule").is_some() {
                continue;
            }
            for rule in role.get("rules").map(Node::items).unwrap_or_default() {
                let core = str_items(rule, "apiGroups")
                    .iter()
                    .any(|(_, g)| g.is_empty() || *g == "*");
                let named = rule
                    .get("resourceNames")
                    .is_some_and(|n| !n.items().is_empty());
                let verbs: Vec<&str> = str_items(rule, "verbs")
                    .into_iter()
                    .map(|(_, v)| v)
                    .filter(|v| matches!(*v, "get" | "list" | "watch" | "*"))
                    .collect();
                if !core || named || verbs.is_empty() {
                    continue;
                }
                for (at, _) in str_items(rule, "resources")
                    .into_iter()
                    .filter(|(_, r)| *r == "secrets")
                {
                    let value = format!(
                        "ClusterRole/{} can {} every Secret",
                        object_name(role),
                        verbs.join(", ")
                    );
                    sink.push(Hit::new(SECRETS_READ, at.span().range()).with_value(value));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analyzers::kubernetes::tests::run;
    use crate::rules::K8S_SECRETS_READ_ACCESS as SECRETS_READ;

    fn found(text: &str) -> Vec<(u32, String)> {
        run(text)
            .into_iter()
            .filter(|(rule, _, _)| *rule == SECRETS_READ)
            .map(|(_, line, value)| (line, value))
            .collect()
    }

    const ROLE: &str = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: backup
rules:
  - apiGroups: [\"\"]
    resources: [\"configmaps\", \"secrets\"]
    verbs: [\"get\", \"list\", \"watch\"]
";

    #[test]
    fn reading_every_secret_is_reported_on_the_secrets_item() {
        assert_eq!(
            found(ROLE),
            [(
                7,
                "ClusterRole/backup can get, list, watch every Secret".to_owned()
            )]
        );
    }

    #[test]
    fn named_secrets_writes_only_namespaced_roles_and_other_groups_are_not_reported() {
        let named = ROLE.replace(
            "    verbs: [\"get\", \"list\", \"watch\"]",
            "    resourceNames: [\"backup-bucket\"]\n    verbs: [\"get\"]",
        );
        assert_eq!(found(&named), []);
        let writes = ROLE.replace("[\"get\", \"list\", \"watch\"]", "[\"create\", \"update\"]");
        assert_eq!(found(&writes), []);
        let role = ROLE.replace("kind: ClusterRole", "kind: Role");
        assert_eq!(found(&role), []);
        let other_group = ROLE.replace("apiGroups: [\"\"]", "apiGroups: [\"bitnami.com\"]");
        assert_eq!(found(&other_group), []);
    }
}
