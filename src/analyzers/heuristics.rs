//! The judgements several analyzers share, in one copy each so every area reports alike: which
//! paths are a container runtime's socket (Compose volumes, Kubernetes `hostPath`), which
//! variable names hold secrets and which values are literal secrets (Compose `environment:`,
//! Kubernetes `env:`).

/// True for a path that is a container runtime's API socket (Docker, containerd, CRI-O,
/// Podman, on Linux or Windows), or a directory that holds one.
pub(crate) fn is_runtime_socket(path: &str) -> bool {
    let path = path.trim().trim_matches(|c| c == '"' || c == '\'');
    let lower = path.to_ascii_lowercase().replace('\\', "/");
    if lower.contains("pipe/docker_engine") || lower.contains("pipe/podman") {
        return true;
    }
    let mut normal = String::with_capacity(path.len());
    for part in path.split('/').filter(|p| !p.is_empty() && *p != ".") {
        normal.push('/');
        normal.push_str(part);
    }
    const SOCKETS: &[&str] = &[
        "docker.sock",
        "docker.sock.raw",
        "containerd.sock",
        "containerd.sock.ttrpc",
        "crio.sock",
        "podman.sock",
        "cri-dockerd.sock",
        "dockershim.sock",
    ];
    const SOCKET_DIRS: &[&str] = &[
        "/run",
        "/var/run",
        "/run/docker",
        "/var/run/docker",
        "/run/containerd",
        "/var/run/containerd",
        "/run/crio",
        "/var/run/crio",
        "/run/podman",
        "/var/run/podman",
        "/run/k3s/containerd",
    ];
    let file = normal.rsplit('/').next().unwrap_or("");
    SOCKETS.contains(&file) || SOCKET_DIRS.contains(&normal.as_str())
}

/// True for a variable name that usually holds a secret: `DB_PASSWORD`, `PGPASSWORD`,
/// `API_TOKEN`, `jwtSecret`, `jwtSigningKey`, `DB_CREDENTIALS`, `STRIPE_SECRET_KEY`; not for
/// names that describe one (`PASSWORD_FILE`, `TOKEN_TTL`, `SECRET_NAME`, `AWS_ACCESS_KEY_ID`,
/// `SECRET_KEY_BASE_DUMMY`) nor for `GPG_KEY`, which by convention holds a public key's
/// fingerprint. The one judgement for Dockerfile `ENV`/`ARG`, Compose `environment:` and
/// Kubernetes `env:`.
pub(crate) fn is_secret_like_name(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    const DESCRIBES_A_SECRET: &[&str] = &[
        "FILE",
        "PATH",
        "DIR",
        "LOCATION",
        "NAME",
        "USER",
        "USERNAME",
        "HOST",
        "PORT",
        "URL",
        "URI",
        "LENGTH",
        "LEN",
        "MIN",
        "MAX",
        "EXPIRY",
        "EXPIRES",
        "EXPIRATION",
        "TTL",
        "TIMEOUT",
        "LIFETIME",
        "AGE",
        "ENABLED",
        "ENABLE",
        "DISABLED",
        "DISABLE",
        "REQUIRED",
        "TYPE",
        "ID",
        "ENDPOINT",
        "HEADER",
        "FIELD",
        "POLICY",
        "ALGORITHM",
        "ALG",
        "METHOD",
        "REF",
        "VERSION",
        "MODE",
        "COUNT",
        "SIZE",
        "LIMIT",
        "PREFIX",
        "SUFFIX",
        "FORMAT",
        "ISSUER",
        "AUDIENCE",
        "SCOPE",
        "SCOPES",
        "REGION",
        "PROVIDER",
        "BACKEND",
        "STORE",
        "ARN",
        "ROTATION",
        "INTERVAL",
        "RETRIES",
        "KIND",
        "HASH",
        "ROUNDS",
        "COST",
        "DUMMY",
        "MOUNT",
        "SECONDS",
    ];
    if DESCRIBES_A_SECRET.contains(&last.as_str()) || (words.len() == 1 && last == "PWD") {
        return false;
    }
    const SECRET_WORDS: &[&str] = &[
        "PASSWORD",
        "PASSWD",
        "PASSPHRASE",
        "SECRET",
        "SECRETS",
        "TOKEN",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "PRIVATEKEY",
        "ACCESSKEY",
        "SECRETKEY",
    ];
    const KEY_QUALIFIERS: &[&str] = &[
        "API",
        "PRIVATE",
        "ACCESS",
        "SECRET",
        "AUTH",
        "ENCRYPTION",
        "SIGNING",
        "MASTER",
        "LICENSE",
        "CLIENT",
        "APP",
        "SERVICE",
        "ACCOUNT",
        "WEBHOOK",
        "SESSION",
        "CSRF",
        "COOKIE",
        "HMAC",
        "JWT",
        "SSH",
        "TLS",
        "SSL",
        "CRYPT",
        "CIPHER",
        "DECRYPTION",
    ];
    words.iter().enumerate().any(|(i, word)| {
        SECRET_WORDS.iter().any(|s| word.ends_with(s))
            || matches!(word.as_str(), "PASS" | "PWD")
            || (word == "KEY" && i > 0 && KEY_QUALIFIERS.contains(&words[i - 1].as_str()))
    })
}

/// Upper-case words of an identifier: split at `_`, `-`, `.` and lower→upper camel humps.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars().take(200) {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// True when an environment value is a literal worth reporting under a secret-like name: not
/// empty, not interpolated from elsewhere (`${VAR}`, `$VAR`, Kubernetes `$(VAR)`), not a
/// boolean or a short number, not an obvious placeholder, and not a reference to a secret
/// store or a secret file.
pub(crate) fn is_literal_secret(value: &str) -> bool {
    let value = value.trim();
    if value.is_empty() || value.contains("${") || value.contains("$(") {
        return false;
    }
    if value
        .strip_prefix('$')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
    {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "none"
    ) {
        return false;
    }
    if value.len() < 8 && value.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if (value.starts_with('<') && value.ends_with('>'))
        || (value.starts_with("{{") && value.ends_with("}}"))
    {
        return false;
    }
    let mut chars = value.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return false; // `xxxxxxxx`, `********`
    }
    const REFERENCES: &[&str] = &[
        "/run/secrets/",
        "/var/run/secrets/",
        "/etc/secrets/",
        "arn:aws:secretsmanager:",
        "arn:aws:ssm:",
        "vault:",
        "ref+",
        "op://",
        "secret://",
        "sm://",
        "projects/",
    ];
    !REFERENCES.iter().any(|r| lower.starts_with(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_socket_paths() {
        for yes in [
            "/var/run/docker.sock",
            "/run/docker.sock",
            "/var/run//docker.sock",
            "/run/user/1000/podman/podman.sock",
            "/var/run/crio/crio.sock",
            "/var/run",
            "/run/",
            "\\\\.\\pipe\\docker_engine",
        ] {
            assert!(is_runtime_socket(yes), "{yes}");
        }
        for no in [
            "/var/run/app",
            "/var/lib/docker",
            "/",
            "./docker.sock.md",
            "",
        ] {
            assert!(!is_runtime_socket(no), "{no}");
        }
    }

    /// Dockerfile `ENV`, Compose `environment:` and Kubernetes `env:` report the same names
    /// (the Dockerfile once missed `DB_CREDENTIALS` and `jwtSigningKey`, and Compose and
    /// Kubernetes reported `GPG_KEY`).
    #[test]
    fn every_format_agrees_on_which_names_hold_secrets() {
        use crate::analyzers::{Context, Sink, compose, dockerfile, kubernetes};
        use crate::rules::{
            BuiltinRule, COMPOSE_SECRET_IN_ENVIRONMENT, DOCKER_SECRET_IN_ENV_OR_ARG,
            K8S_SECRET_IN_ENV_LITERAL,
        };
        use crate::source::{FileKind, Source};
        let catalog = crate::catalog::Catalog::embedded().expect("embedded catalogue loads");
        let cx = Context {
            catalog: &catalog,
            today: jiff::civil::date(2026, 1, 1),
            advisories: None,
            chart: None,
        };
        let found = |path: &str, kind: FileKind, text: &str, rule: BuiltinRule| {
            let src = Source::new(path, kind, text.as_bytes());
            let mut sink = Sink::new();
            match kind {
                FileKind::Dockerfile => dockerfile::check(&src, &mut sink),
                FileKind::Compose => compose::check(&src, &mut sink),
                _ => kubernetes::check(&cx, &src, &mut sink),
            }
            assert!(sink.take_unparsed().is_none(), "{text}");
            sink.hits().iter().filter(|h| h.rule == rule).count()
        };
        for (name, secret) in [
            ("DB_CREDENTIALS", true),
            ("jwtSigningKey", true),
            ("APP_SECRETS", true),
            ("DB_PASSWORD", true),
            ("GPG_KEY", false),
            ("SECRET_KEY_BASE_DUMMY", false),
            ("DB_PASSWORD_FILE", false),
        ] {
            let value = "s3cr3t-value-42";
            let docker = format!("FROM a:1\nENV {name}={value}\n");
            let compose = format!(
                "services:\n  app:\n    image: a:1\n    environment:\n      {name}: {value}\n"
            );
            let k8s = format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: a:1\n      env:\n        - name: {name}\n          value: {value}\n"
            );
            let counts = [
                found(
                    "Dockerfile",
                    FileKind::Dockerfile,
                    &docker,
                    DOCKER_SECRET_IN_ENV_OR_ARG,
                ),
                found(
                    "compose.yaml",
                    FileKind::Compose,
                    &compose,
                    COMPOSE_SECRET_IN_ENVIRONMENT,
                ),
                found(
                    "k8s/pod.yaml",
                    FileKind::Yaml,
                    &k8s,
                    K8S_SECRET_IN_ENV_LITERAL,
                ),
            ];
            assert_eq!(counts, [usize::from(secret); 3], "{name}");
        }
    }

    #[test]
    fn secret_like_names() {
        for yes in [
            "DB_PASSWORD",
            "PGPASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "API_TOKEN",
            "GITHUB_TOKEN",
            "jwtSecret",
            "STRIPE_SECRET_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "SECRET_KEY_BASE",
            "SMTP_PASS",
            "OPENAI_API_KEY",
            "client-secret",
            "GOOGLE_APPLICATION_CREDENTIALS_JSON",
            "DB_CREDENTIALS",
            "jwtSigningKey",
            "APP_SECRETS",
            "DB_PASS",
            "DB_PWD",
            "aws_secret_access_key",
            "GPG_PRIVATE_KEY",
        ] {
            assert!(is_secret_like_name(yes), "{yes}");
        }
        for no in [
            "PASSWORD_FILE",
            "POSTGRES_PASSWORD_FILE",
            "TOKEN_TTL",
            "SECRET_NAME",
            "AWS_ACCESS_KEY_ID",
            "PWD",
            "TOKENIZER_MODEL",
            "CACHE_KEY",
            "PRIMARY_KEY",
            "LOG_LEVEL",
            "",
            "___",
            "GPG_KEY",
            "SECRET_KEY_BASE_DUMMY",
            "SECRETS_MOUNT",
            "TOKEN_TIMEOUT_SECONDS",
            "OLDPWD",
            "TOKENIZERS_PARALLELISM",
            "PASSWORDLESS_LOGIN",
        ] {
            assert!(!is_secret_like_name(no), "{no}");
        }
    }

    #[test]
    fn literal_secret_values() {
        for yes in ["changeme", "hunter2-long", "s3cr3t", "12345678901"] {
            assert!(is_literal_secret(yes), "{yes}");
        }
        for no in [
            "",
            "  ",
            "${X}",
            "$X",
            "$(OTHER)",
            "true",
            "12",
            "<your-token>",
            "xxxxxxxx",
            "/run/secrets/db",
            "vault:secret/data/db#password",
        ] {
            assert!(!is_literal_secret(no), "{no}");
        }
    }
}
