//! `docker/copy-secrets`: `COPY`/`ADD` of a file that holds secrets (`.env`, keys, credentials).

use super::model::Model;
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, DOCKER_COPY_SECRETS as COPY_SECRETS};

/// Every secret-looking source of a `COPY`/`ADD`.
pub(super) struct CopySecrets;

impl<'f> Rule<Model<'f>> for CopySecrets {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[COPY_SECRETS]
    }

    fn check(&self, model: &Model<'f>, sink: &mut Sink) {
        for view in model.views_of(&["COPY", "ADD"]) {
            let (_, sources) = model.copy_sources(view);
            for source in sources {
                if is_secret_file(&source.value) {
                    sink.push(
                        Hit::new(COPY_SECRETS, view.args.span(source.range.clone()))
                            .with_value(source.value.clone()),
                    );
                }
            }
        }
    }
}

/// Files that hold credentials by name: `.env`, SSH and TLS private keys, cloud and package
/// registry credentials.
pub(super) fn is_secret_file(path: &str) -> bool {
    let trimmed = path.trim_end_matches('/');
    let name = trimmed
        .rsplit('/')
        .next()
        .unwrap_or(trimmed)
        .to_ascii_lowercase();
    if name == ".env" {
        return true;
    }
    if let Some(suffix) = name.strip_prefix(".env.") {
        return !matches!(
            suffix,
            "example" | "sample" | "template" | "tmpl" | "tpl" | "dist" | "defaults" | "schema"
        );
    }
    if matches!(
        name.as_str(),
        "id_rsa"
            | "id_dsa"
            | "id_ecdsa"
            | "id_ed25519"
            | "id_ecdsa_sk"
            | "id_ed25519_sk"
            | ".ssh"
            | ".aws"
            | ".gnupg"
            | ".kube"
            | ".npmrc"
            | ".pypirc"
            | ".netrc"
            | "_netrc"
            | ".pgpass"
            | ".git-credentials"
            | ".dockercfg"
            | "credentials"
            | "credentials.json"
            | "credentials.yml"
            | "credentials.yaml"
            | "credentials.xml"
            | "secrets.yml"
            | "secrets.yaml"
            | "secrets.json"
    ) {
        return true;
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
    let public = ["cert", "chain", "bundle", "pub", "trust"]
        .iter()
        .any(|w| stem.contains(w))
        || stem == "ca"
        || stem.starts_with("ca-")
        || stem.starts_with("ca_")
        || stem.ends_with("-ca")
        || stem.ends_with("_ca");
    match ext {
        "pem" | "key" => !public,
        "p12" | "pfx" | "jks" | "keystore" | "ppk" => true,
        _ => false,
    }
}
