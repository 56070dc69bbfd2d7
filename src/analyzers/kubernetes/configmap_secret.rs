//! `k8s/configmap-secret`: a ConfigMap `data` key named like a secret (the one secret-name
//! heuristic) holding a literal value that is not a placeholder.

use super::model::{Manifests, object_name, templated};
use super::secret_manifest_data::is_placeholder;
use crate::analyzers::heuristics::{is_literal_secret, is_secret_like_name};
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_CONFIGMAP_SECRET as CONFIGMAP_SECRET};
use crate::yaml::Node;

pub(super) struct ConfigMapSecret;

impl<'a> Rule<Manifests<'a>> for ConfigMapSecret {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[CONFIGMAP_SECRET]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for map in model.of_kind("ConfigMap") {
            let label = format!("ConfigMap/{}", object_name(map));
            for (key, value) in map.get("data").map(Node::entries).unwrap_or_default() {
                if let (Some(name), Some(text)) = (key.as_str(), value.as_str())
                    && secret_value(name, text)
                    && !templated(value)
                {
                    hits.push_secret(
                        CONFIGMAP_SECRET,
                        value,
                        &format!("{label} key {name}"),
                        value.span().range(),
                    );
                }
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}

/// A ConfigMap entry that holds a secret: named like one, with a literal, non-placeholder
/// value.
pub(super) fn secret_value(name: &str, text: &str) -> bool {
    is_secret_like_name(name) && is_literal_secret(text) && !is_placeholder(text.trim())
}

#[cfg(test)]
mod tests {
    use crate::analyzers::kubernetes::tests::run;
    use crate::rules::K8S_CONFIGMAP_SECRET as CONFIGMAP_SECRET;

    #[test]
    fn secret_named_keys_with_literal_values_are_reported() {
        let text = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
data:
  LOG_LEVEL: info
  DB_HOST: postgres.shop.svc
  DB_PASSWORD: PASSWORD
  JWT_SECRET: changeme
  STRIPE_SECRET_KEY: \"${STRIPE_SECRET_KEY}\"
  PASSWORD_FILE: /run/secrets/db-password
  SESSION_TIMEOUT: \"3600\"
";
        // The value is joined at run time so that this file holds no credential.
        let text = text.replace("PASSWORD\n", &["Sup3r", "S3cret-2024\n"].concat());
        let found: Vec<(u32, String)> = run(&text)
            .into_iter()
            .filter(|(rule, _, _)| *rule == CONFIGMAP_SECRET)
            .map(|(_, line, value)| (line, value))
            .collect();
        assert_eq!(
            found,
            [(8, "ConfigMap/shop-config key DB_PASSWORD".to_owned())]
        );
    }
}
