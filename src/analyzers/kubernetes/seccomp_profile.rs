//! `k8s/seccomp-profile`: a Linux pod whose containers run without a `RuntimeDefault` or
//! `Localhost` seccomp profile.
//!
//! A container's own `securityContext.seccompProfile` overrides the pod's. An explicit profile of
//! another type (`Unconfined`) is reported on its `type:` key; a missing one, when every
//! container leaves it to a pod that sets none, once on the pod's `spec:` key, else on each
//! container that has none. Templated values are left alone, and missing profiles count only
//! in a complete Linux pod spec.

use super::model::{Manifests, Workload, setting, templated};
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_SECCOMP_PROFILE as SECCOMP};
use crate::yaml::Node;

pub(super) struct SeccompProfile;

impl<'a> Rule<Manifests<'a>> for SeccompProfile {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[SECCOMP]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for w in model.workloads.iter().filter(|w| w.linux) {
            check_workload(w, &mut hits);
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}

/// What a `securityContext` says about seccomp.
enum Profile<'a> {
    /// No `seccompProfile` (or no `type` in it).
    Unset,
    /// `RuntimeDefault`, `Localhost`, or a value only rendering decides.
    Confined,
    /// Any other type (`Unconfined`): the `type` value node.
    Open(&'a Node),
}

fn profile(context: Option<&Node>) -> Profile<'_> {
    let Some((_, seccomp)) = setting(context, "seccompProfile") else {
        return Profile::Unset;
    };
    match seccomp.entry("type").filter(|(_, v)| !v.is_null()) {
        None => Profile::Unset,
        Some((_, value)) if templated(value) => Profile::Confined,
        Some((_, value)) => match value.as_str().map(str::trim) {
            Some("RuntimeDefault" | "Localhost") => Profile::Confined,
            _ => Profile::Open(value),
        },
    }
}

fn check_workload(w: &Workload, hits: &mut Hits) {
    let pod = profile(w.pod_context);
    let mut unset = Vec::new();
    for c in &w.containers {
        match profile(c.node.get("securityContext")) {
            Profile::Confined => {}
            Profile::Open(at) => hits.push(SECCOMP, at, &format!("Container {}", c.name)),
            Profile::Unset => match pod {
                Profile::Confined => {}
                Profile::Open(at) => hits.push(SECCOMP, at, &format!("Container {}", c.name)),
                Profile::Unset => unset.push(c),
            },
        }
    }
    if unset.is_empty() || !w.missing_counts() {
        return;
    }
    if unset.len() == w.containers.len() {
        hits.push(SECCOMP, w.spec_key, &w.label);
    } else {
        for c in unset {
            hits.push(SECCOMP, c.anchor(), &format!("Container {}", c.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analyzers::kubernetes::tests::run;
    use crate::rules::K8S_SECCOMP_PROFILE as SECCOMP;

    fn found(text: &str) -> Vec<(u32, String)> {
        run(text)
            .into_iter()
            .filter(|(rule, _, _)| *rule == SECCOMP)
            .map(|(_, line, value)| (line, value))
            .collect()
    }

    const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: shop
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
      initContainers:
        - name: migrate
          image: registry.example.com/shop/orders:1.4.2
      containers:
        - name: orders
          image: registry.example.com/shop/orders:1.4.2
";

    #[test]
    fn a_pod_without_any_profile_is_reported_once_on_its_spec() {
        assert_eq!(found(DEPLOYMENT), [(8, "Deployment/orders".to_owned())]);
    }

    #[test]
    fn a_pod_level_runtime_default_or_localhost_covers_every_container() {
        for kind in ["RuntimeDefault", "Localhost"] {
            let text = DEPLOYMENT.replace(
                "        runAsNonRoot: true\n",
                &format!(
                    "        runAsNonRoot: true\n        seccompProfile:\n          type: {kind}\n"
                ),
            );
            assert_eq!(found(&text), [], "{kind}");
        }
    }

    #[test]
    fn containers_without_their_own_profile_are_named_when_others_set_one() {
        let text = DEPLOYMENT.replace(
            "        - name: orders\n",
            "        - name: orders\n          securityContext:\n            seccompProfile: {type: RuntimeDefault}\n",
        );
        assert_eq!(found(&text), [(12, "Container migrate".to_owned())]);
    }

    #[test]
    fn unconfined_is_reported_on_its_key_at_either_level() {
        let pod = DEPLOYMENT.replace(
            "        runAsNonRoot: true\n",
            "        runAsNonRoot: true\n        seccompProfile:\n          type: Unconfined\n",
        );
        assert_eq!(
            found(&pod),
            [(12, "Container migrate, Container orders".to_owned())]
        );
        // A container's Unconfined overrides the pod's RuntimeDefault.
        let container = DEPLOYMENT
            .replace(
                "        runAsNonRoot: true\n",
                "        runAsNonRoot: true\n        seccompProfile:\n          type: RuntimeDefault\n",
            )
            .replace(
                "        - name: orders\n",
                "        - name: orders\n          securityContext:\n            seccompProfile:\n              type: Unconfined\n",
            );
        assert_eq!(found(&container), [(20, "Container orders".to_owned())]);
    }

    #[test]
    fn windows_pods_and_patches_without_an_image_are_not_asked_for_one() {
        let windows = DEPLOYMENT.replace(
            "      securityContext:\n",
            "      os:\n        name: windows\n      securityContext:\n",
        );
        assert_eq!(found(&windows), []);
        let patch = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  template:
    spec:
      containers:
        - name: orders
          resources:
            limits: {memory: 256Mi}
";
        assert_eq!(found(patch), []);
    }
}
