//! `k8s/last-applied-secret`: a `kubectl.kubernetes.io/last-applied-configuration` annotation
//! whose JSON copy of the object carries secret values: a Secret's `data`/`stringData`, or a
//! ConfigMap's secret-named keys, judged as [`super::secret_manifest_data`] and
//! [`super::configmap_secret`] judge them.
//!
//! Such a manifest was exported with `kubectl get -o yaml` and committed; the annotation keeps
//! the values even where the visible `data` was cleaned. The annotation's value is reported and
//! masked as a whole.

use super::configmap_secret::secret_value;
use super::model::{Manifests, object_name};
use super::secret_manifest_data::{holds_value_for, names_public_part};
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, K8S_LAST_APPLIED_SECRET as LAST_APPLIED};
use serde_json::Value;

const ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

pub(super) struct LastAppliedSecret;

impl<'a> Rule<Manifests<'a>> for LastAppliedSecret {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[LAST_APPLIED]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        for &(kind, object) in &model.objects {
            let Some(value) = object.get_path(&["metadata", "annotations", ANNOTATION]) else {
                continue;
            };
            let Some(json) = value.as_str().and_then(|t| serde_json::from_str(t).ok()) else {
                continue;
            };
            let keys = secret_keys(&json);
            if keys.is_empty() {
                continue;
            }
            let shown = format!("{kind}/{} (keys {})", object_name(object), keys.join(", "));
            let span = value.span().range();
            sink.push(
                Hit::new(LAST_APPLIED, span.clone())
                    .with_value(shown)
                    .with_secret(span),
            );
        }
    }
}

/// The keys whose values the applied configuration carries in plain text (or base64).
fn secret_keys(json: &Value) -> Vec<String> {
    let mut keys = Vec::new();
    match json.get("kind").and_then(Value::as_str) {
        Some("Secret") => {
            for (field, encoded) in [("data", true), ("stringData", false)] {
                let Some(map) = json.get(field).and_then(Value::as_object) else {
                    continue;
                };
                for (key, value) in map {
                    if let Some(text) = value.as_str()
                        && !names_public_part(key)
                        && holds_value_for(key, text, encoded)
                    {
                        keys.push(key.clone());
                    }
                }
            }
        }
        Some("ConfigMap") => {
            if let Some(map) = json.get("data").and_then(Value::as_object) {
                for (key, value) in map {
                    if value.as_str().is_some_and(|text| secret_value(key, text)) {
                        keys.push(key.clone());
                    }
                }
            }
        }
        _ => {}
    }
    keys.truncate(8);
    keys.iter_mut()
        .for_each(|k| *k = crate::display::sanitize(k).into_owned());
    keys
}

#[cfg(test)]
mod tests {
    use crate::analyzers::kubernetes::tests::run;
    use crate::rules::K8S_LAST_APPLIED_SECRET as LAST_APPLIED;

    fn found(text: &str) -> Vec<(u32, String)> {
        run(text)
            .into_iter()
            .filter(|(rule, _, _)| *rule == LAST_APPLIED)
            .map(|(_, line, value)| (line, value))
            .collect()
    }

    #[test]
    fn an_exported_secret_keeps_its_values_in_the_annotation() {
        let text = r#"apiVersion: v1
kind: Secret
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"Secret","metadata":{"annotations":{},"name":"db","namespace":"shop"},"stringData":{"password":"hunter2-but-longer","username":"app"},"type":"Opaque"}
  name: db
  namespace: shop
type: Opaque
"#;
        assert_eq!(found(text), [(6, "Secret/db (keys password)".to_owned())]);
    }

    #[test]
    fn annotations_without_secret_values_are_not_reported() {
        let text = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}'
---
apiVersion: v1
kind: Secret
metadata:
  name: db
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"kind":"Secret","data":{"password":"Y2hhbmdlbWU="}}'
"#;
        assert_eq!(found(text), []);
    }
}
