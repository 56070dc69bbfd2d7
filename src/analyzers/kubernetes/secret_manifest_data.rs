//! `k8s/secret-manifest-data`: a committed `Secret` whose `data` or `stringData` holds real
//! values.
//!
//! `data` values are base64: each is decoded to tell a value from a placeholder (`changeme`,
//! `<password>`, an empty string, `${VAR}` left for a substitution tool). Public certificates
//! (`-----BEGIN CERTIFICATE`) are not secrets. Service account token Secrets are filled in by
//! the control plane. Keys for the public half of a credential (`username`, `host`, `tls.crt`)
//! are left alone. Each value is reported on its own line and masked in every output; the
//! decoded text is never shown.

use super::model::{Manifests, object_name, templated};
use crate::analyzers::heuristics::{is_literal_secret, is_secret_like_name};
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_SECRET_MANIFEST_DATA as SECRET_DATA};
use crate::yaml::Node;
use base64::Engine as _;

pub(super) struct SecretManifestData;

impl<'a> Rule<Manifests<'a>> for SecretManifestData {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[SECRET_DATA]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for secret in model.of_kind("Secret") {
            let kind = secret.get("type").and_then(Node::as_str).unwrap_or("");
            if kind == "kubernetes.io/service-account-token" {
                continue;
            }
            let label = format!("Secret/{}", object_name(secret));
            for (field, encoded) in [("data", true), ("stringData", false)] {
                let entries = secret.get(field).map(Node::entries).unwrap_or_default();
                for (key, value) in entries {
                    let (Some(name), Some(text)) = (key.as_str(), value.as_str()) else {
                        continue;
                    };
                    if templated(value)
                        || names_public_part(name)
                        || !holds_value_for(name, text, encoded)
                    {
                        continue;
                    }
                    hits.push_secret(
                        SECRET_DATA,
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

/// Extensions of keys that hold a whole configuration file (`alertmanager.yaml`,
/// `grafana.ini`): such a value is judged by the secret-named settings inside it.
const CONFIG_FILES: &[&str] = &[
    "yaml",
    "yml",
    "json",
    "ini",
    "conf",
    "cfg",
    "toml",
    "properties",
    "xml",
    "env",
];

/// [`holds_value`] for the value of key `name`: a configuration file counts when one of its
/// settings is named like a secret and holds a literal.
pub(super) fn holds_value_for(name: &str, text: &str, encoded: bool) -> bool {
    let is_config = name
        .rsplit_once('.')
        .is_some_and(|(_, ext)| CONFIG_FILES.contains(&ext.to_ascii_lowercase().as_str()));
    if !is_config {
        return holds_value(text, encoded);
    }
    let Some(plain) = decoded(text, encoded) else {
        return false;
    };
    plain.lines().any(|line| {
        let line = line.trim().trim_start_matches("- ");
        let Some((key, value)) = line.split_once(": ").or_else(|| line.split_once('=')) else {
            return false;
        };
        let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
        let value = value
            .trim()
            .trim_end_matches(',')
            .trim_matches(|c| c == '"' || c == '\'');
        is_secret_like_name(key) && is_literal_secret(value) && !is_placeholder(value)
    })
}

/// The text of a value: base64-decoded when `encoded` (None when it is not base64 or not
/// UTF-8).
fn decoded(text: &str, encoded: bool) -> Option<String> {
    if !encoded {
        return Some(text.to_owned());
    }
    let compact: String = text.split_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// True when a Secret's value (base64 when `encoded`) is a real value rather than a
/// placeholder or public material.
pub(super) fn holds_value(text: &str, encoded: bool) -> bool {
    let decoded;
    let plain = if encoded {
        let compact: String = text.split_whitespace().collect();
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) else {
            // Not base64: the API server would reject it, so it is not a deployed value.
            return false;
        };
        match String::from_utf8(bytes) {
            Ok(text) => {
                decoded = text;
                decoded.as_str()
            }
            // Binary (a keystore, a key file): a value.
            Err(_) => return true,
        }
    } else {
        text
    };
    let plain = plain.trim();
    is_literal_secret(plain)
        && !is_placeholder(plain)
        && !plain.starts_with("-----BEGIN CERTIFICATE")
}

/// Keys that name the public half of a credential or a connection (`username`, `host`,
/// `tls.crt`, `apiAddress`, `auth.username_in`): kept in the Secret for convenience, not
/// secret themselves. Judged on the key's words and on how the whole key ends
/// (`azurestorageaccountname`).
pub(super) fn names_public_part(key: &str) -> bool {
    const PUBLIC: &[&str] = &[
        "username",
        "user",
        "host",
        "hostname",
        "port",
        "address",
        "database",
        "dbname",
        "region",
        "email",
        "endpoint",
        "crt",
        "cert",
        "certificate",
        "namespace",
        "name",
    ];
    let compact = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    if PUBLIC.iter().any(|p| compact.ends_with(p)) {
        return true;
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && prev_lower) {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        }
    }
    words.push(word);
    words.iter().any(|w| PUBLIC.contains(&w.as_str()))
}

/// Values that stand for a secret instead of being one: `changeme`, `<password>`,
/// `REPLACE_ME`, `your-api-key`, `TODO`, `%(x)s`.
pub(super) fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "changeme",
        "change-me",
        "change_me",
        "replace",
        "placeholder",
        "your-",
        "your_",
        "yourpassword",
        "todo",
        "fixme",
        "redacted",
        "example",
        "dummy",
        "%(",
        "{{",
        "<",
    ];
    // A value that only names what it stands for.
    const STAND_INS: &[&str] = &[
        "password", "passwd", "secret", "pass", "admin", "root", "test", "demo", "default",
    ];
    MARKERS.iter().any(|m| lower.contains(m)) || STAND_INS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::holds_value;
    use crate::analyzers::kubernetes::tests::run;
    use crate::rules::K8S_SECRET_MANIFEST_DATA as SECRET_DATA;

    fn found(text: &str) -> Vec<(u32, String)> {
        run(text)
            .into_iter()
            .filter(|(rule, _, _)| *rule == SECRET_DATA)
            .map(|(_, line, value)| (line, value))
            .collect()
    }

    #[test]
    fn decoded_values_are_told_from_placeholders() {
        // "s3cr3t-Passw0rd!" and "changeme"
        assert!(holds_value("czNjcjN0LVBhc3N3MHJkIQ==", true));
        assert!(!holds_value("Y2hhbmdlbWU=", true));
        assert!(!holds_value("", true));
        assert!(!holds_value("not base64!", true));
        assert!(!holds_value("<your-db-password>", false));
        assert!(!holds_value("${DB_PASSWORD}", false));
        assert!(holds_value(
            &["postgres://app:", "hunter2hunter2", "@db:5432/app"].concat(),
            false
        ));
    }

    #[test]
    fn configuration_files_count_by_the_settings_inside() {
        use super::holds_value_for;
        let plain = "global:\n  resolve_timeout: 5m\nroute:\n  receiver: Default\n";
        assert!(!holds_value_for("alertmanager.yaml", plain, false));
        let with_key = ["global:\n  smtp_auth_password: 'Ma1l-", "Pa55w0rd'\n"].concat();
        assert!(holds_value_for("alertmanager.yaml", &with_key, false));
        let ini = "[security]\nadmin_user = admin\nadmin_password = changeme\n";
        assert!(!holds_value_for("grafana.ini", ini, false));
    }

    #[test]
    fn public_parts_of_a_credential_are_told_by_the_key() {
        use super::names_public_part;
        for public in [
            "username",
            "DB_USER",
            "apiAddress",
            "discovery.sendtargets.auth.username_in",
            "azurestorageaccountname",
            "ca.crt",
        ] {
            assert!(names_public_part(public), "{public}");
        }
        for secret in [
            "password",
            "apiPassword",
            "node.session.auth.password_in",
            "azurestorageaccountkey",
            "tls.key",
            ".dockerconfigjson",
        ] {
            assert!(!names_public_part(secret), "{secret}");
        }
        assert!(!holds_value("password", false));
        assert!(!holds_value("demo", false));
    }

    #[test]
    fn each_real_value_is_reported_and_never_shown() {
        let text = "\
apiVersion: v1
kind: Secret
metadata:
  name: db
type: Opaque
data:
  username: YXBw
  password: ENCODED
  placeholder: Y2hhbmdlbWU=
stringData:
  url: postgres://app:PASSWORD@db:5432/app
  api-key: REPLACE_ME
---
apiVersion: v1
kind: Secret
metadata:
  name: builder-token
  annotations: {kubernetes.io/service-account.name: builder}
type: kubernetes.io/service-account-token
data:
  token: ENCODED
";
        assert_eq!(
            // Values joined at run time so that this file holds no credential.
            found(
                &text
                    .replace("PASSWORD", &["hunter2", "hunter2"].concat())
                    .replace("ENCODED", &["czNjcjN0", "LVBhc3N3MHJkIQ=="].concat())
            ),
            [
                (8, "Secret/db key password".to_owned()),
                (11, "Secret/db key url".to_owned()),
            ]
        );
    }
}
