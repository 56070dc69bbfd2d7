//! Compose files (`docker-compose*.yml`, `compose*.yaml`): the handful of service keys that undo
//! container isolation (`privileged`, the Docker socket, the host network), database ports
//! published on every host interface, and secrets written into `environment:`.
//!
//! The judgements that Compose shares with Kubernetes manifests, which paths are a container
//! runtime's socket and which environment variables hold secrets, live here as `pub(crate)`
//! functions and the Kubernetes analyzer reuses them, so both areas agree on what they report.

use super::{Hit, Unparsed};
use crate::rules::BuiltinRule;
use crate::source::Source;
use crate::yaml::{self, Node};
use std::collections::HashMap;

use crate::rules::COMPOSE_DATABASE_PORT_PUBLIC as DB_PORT;
use crate::rules::COMPOSE_DOCKER_SOCKET_MOUNT as SOCKET;
use crate::rules::COMPOSE_HOST_NETWORK as HOST_NETWORK;
use crate::rules::COMPOSE_PRIVILEGED as PRIVILEGED;
use crate::rules::COMPOSE_SECRET_IN_ENVIRONMENT as SECRET_ENV;

/// Well-known database ports that should never face the network unprotected.
const DATABASE_PORTS: &[(u32, &str)] = &[
    (5432, "PostgreSQL"),
    (3306, "MySQL"),
    (6379, "Redis"),
    (27017, "MongoDB"),
    (9200, "Elasticsearch"),
    (11211, "Memcached"),
];

/// Longest value (names joined) a hit carries, so a hostile file cannot build huge messages.
const MAX_VALUE_CHARS: usize = 200;

/// Most names one hit collects (a pod-level setting shared by thousands of containers).
const MAX_SUBJECTS: usize = 16;

pub fn check(src: &Source, out: &mut Vec<Hit>) -> Result<(), Unparsed> {
    let docs = yaml::parse_documents(src)?;
    let mut hits = Hits::default();
    for doc in &docs {
        for (name, service) in services(doc) {
            check_service(src, name, service, &mut hits);
        }
    }
    out.extend(hits.into_hits());
    Ok(())
}

/// The services of a Compose document: under `services:`, or at the top level in the legacy
/// (version 1) format, where every mapping with an `image` or `build` is a service.
fn services(doc: &Node) -> Vec<(&str, &Node)> {
    fn pick((key, value): &(Node, Node)) -> Option<(&str, &Node)> {
        Some((key.as_str()?, value)).filter(|(_, v)| v.is_map())
    }
    match doc.get("services") {
        Some(services) => services.entries().iter().filter_map(pick).collect(),
        None if doc.get("version").is_none() => doc
            .entries()
            .iter()
            .filter_map(pick)
            .filter(|(_, v)| v.get("image").is_some() || v.get("build").is_some())
            .collect(),
        None => Vec::new(),
    }
}

fn check_service(src: &Source, name: &str, service: &Node, hits: &mut Hits) {
    if let Some((key, value)) = service.entry("privileged")
        && truthy(value) == Some(true)
    {
        hits.push(PRIVILEGED, key, name);
    }
    // `net` is the version 1 spelling of `network_mode`.
    for mode_key in ["network_mode", "net"] {
        if let Some((key, value)) = service.entry(mode_key)
            && value.as_str().map(str::trim) == Some("host")
        {
            hits.push(HOST_NETWORK, key, name);
        }
    }
    for volume in service.get("volumes").map(Node::items).unwrap_or_default() {
        if let Some(at) = socket_volume(volume) {
            hits.push(SOCKET, at, name);
        }
    }
    for port in service.get("ports").map(Node::items).unwrap_or_default() {
        if let Some((at, port, db)) = public_database_port(port) {
            hits.push(DB_PORT, at, &format!("{port} ({db}) of service {name}"));
        }
    }
    if let Some(env) = service.get("environment") {
        check_environment(src, name, env, hits);
    }
}

/// The node to report when this `volumes:` entry mounts a runtime socket.
fn socket_volume(volume: &Node) -> Option<&Node> {
    if let Some(text) = volume.as_str() {
        let (source, target) = split_volume(text);
        return socket_mount(source, target).then_some(volume);
    }
    let source = volume.get("source").and_then(Node::as_str)?;
    let target = volume.get("target").and_then(Node::as_str).unwrap_or("");
    if volume
        .get("type")
        .and_then(Node::as_str)
        .is_some_and(|t| t == "volume" || t == "tmpfs")
    {
        return None;
    }
    socket_mount(source, target).then(|| volume.key_node("source").unwrap_or(volume))
}

/// Splits the short volume syntax `SOURCE:TARGET[:MODE]` into source and target (a lone path
/// is an anonymous volume: no source). Windows drive letters (`C:\…`) stay in one piece.
fn split_volume(text: &str) -> (&str, &str) {
    let text = text.trim();
    let drive = |s: &str| {
        let b = s.as_bytes();
        b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && (b[2] == b'\\' || b[2] == b'/')
    };
    let split_at = if drive(text) {
        text[2..].find(':').map(|i| i + 2)
    } else if text.starts_with("${") {
        // `${SOCK:-/var/run/docker.sock}:/var/run/docker.sock`: skip the interpolation first.
        text.find('}')
            .and_then(|close| text[close..].find(':').map(|i| i + close))
    } else {
        text.find(':')
    };
    let Some(at) = split_at else {
        return ("", text);
    };
    let source = &text[..at];
    let rest = &text[at + 1..];
    let target = if drive(rest) {
        rest[2..].find(':').map_or(rest, |i| &rest[..i + 2])
    } else {
        rest.split(':').next().unwrap_or(rest)
    };
    (source, target)
}

/// True when a bind mount from `source` exposes a container runtime socket. A source that is
/// only known at deploy time (`${VAR}`) counts when the target is a socket path.
fn socket_mount(source: &str, target: &str) -> bool {
    let source = source.trim();
    // A source that is not a path names a volume Docker manages, not a host file.
    let host_path =
        source.starts_with(['/', '.', '~', '\\', '$']) || source.as_bytes().get(1) == Some(&b':');
    if !host_path {
        return false;
    }
    let resolved = interpolation_default(source);
    match resolved {
        Some(path) if !path.contains('$') => is_runtime_socket(&path),
        _ => source.contains('$') && is_runtime_socket(target),
    }
}

/// `${VAR:-default}` / `${VAR-default}` → the default; text without interpolation → itself;
/// anything else → `None` (only known at deploy time).
fn interpolation_default(text: &str) -> Option<String> {
    let text = text.trim();
    if !text.contains('$') {
        return Some(text.to_owned());
    }
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let operator = &inner[name_len..];
    let default = operator
        .strip_prefix(":-")
        .or_else(|| operator.strip_prefix('-'))?;
    Some(default.to_owned()).filter(|d| !d.contains('$'))
}

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

/// A published port of a database reachable on every host interface: the node to report,
/// the container port and the database's name.
fn public_database_port(port: &Node) -> Option<(&Node, u32, &'static str)> {
    let (at, host_ip, container) = match port {
        Node::Map { .. } => {
            let target = port.get("target").and_then(Node::as_str)?;
            // Point at the host side of the mapping, where the fix goes.
            let at = ["host_ip", "published", "target"]
                .iter()
                .find_map(|key| port.key_node(key))
                .unwrap_or(port);
            let host_ip = port.get("host_ip").and_then(Node::as_str).unwrap_or("");
            (at, host_ip.to_owned(), target.to_owned())
        }
        _ => {
            let (host_ip, container) = parse_short_port(port.as_str()?)?;
            (port, host_ip, container)
        }
    };
    let host_ip = interpolation_default(&host_ip)?;
    if !all_interfaces(&host_ip) {
        return None;
    }
    let container = interpolation_default(&container)?;
    let (low, high) = match container.split_once('-') {
        Some((low, high)) => (low.trim().parse().ok()?, high.trim().parse().ok()?),
        None => {
            let n = container.trim().parse().ok()?;
            (n, n)
        }
    };
    DATABASE_PORTS
        .iter()
        .find(|(db_port, _)| (low..=high).contains(db_port))
        .map(|&(db_port, db)| (at, db_port, db))
}

/// Parses the short port syntax `[[HOST_IP:][HOST_PORT]:]CONTAINER_PORT[/PROTOCOL]` into the
/// host address (empty when none is given) and the container port or range.
fn parse_short_port(text: &str) -> Option<(String, String)> {
    let text = text.trim();
    let text = text.rsplit_once('/').map_or(text, |(spec, _proto)| spec);
    if let Some(rest) = text.strip_prefix('[') {
        // `[::1]:6379:6379`
        let (ip, rest) = rest.split_once("]:")?;
        let container = rest.rsplit(':').next()?;
        return Some((ip.to_owned(), container.to_owned()));
    }
    // Keep `${VAR:-default}` in one piece while splitting on colons.
    let mut parts: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    let container = parts.pop()?;
    let host_ip = match parts.len() {
        0 => String::new(),
        // `HOST_PORT:CONTAINER_PORT`; an address in the host port's place (`127.0.0.1:9200`,
        // which Docker rejects) is read as the address it was meant to be.
        1 if parts[0].contains('.') => parts[0].clone(),
        1 => String::new(),
        2 => parts[0].clone(),
        // An unbracketed IPv6 address: everything before the host port.
        n => parts[..n - 1].join(":"),
    };
    Some((host_ip, container))
}

fn all_interfaces(host_ip: &str) -> bool {
    matches!(
        host_ip.trim().trim_start_matches('[').trim_end_matches(']'),
        "" | "0.0.0.0" | "::" | "*"
    )
}

/// The byte range of a scalar's text in the file, without its quotes.
fn scalar_text(src: &Source, node: &Node) -> std::ops::Range<usize> {
    let range = node.span().range();
    let range = range.start.min(src.bytes.len())..range.end.min(src.bytes.len());
    match &src.bytes[range.clone()] {
        [open @ (b'"' | b'\''), .., close] if open == close && range.len() >= 2 => {
            range.start + 1..range.end - 1
        }
        [b'"' | b'\'', ..] => range.start + 1..range.end,
        _ => range,
    }
}

/// The byte range of `value` in a `- KEY=value` list item.
fn list_item_value(src: &Source, item: &Node) -> std::ops::Range<usize> {
    let text = scalar_text(src, item);
    match memchr::memchr(b'=', &src.bytes[text.clone()]) {
        Some(at) => text.start + at + 1..text.end,
        None => text,
    }
}

fn check_environment(src: &Source, service: &str, env: &Node, hits: &mut Hits) {
    match env {
        Node::Seq { items, .. } => {
            for item in items {
                let Some((key, value)) = item.as_str().and_then(|s| s.split_once('=')) else {
                    continue; // `- KEY` passes the variable through from the host
                };
                let key = key.trim();
                if is_secret_like_name(key) && is_literal_secret(value) {
                    hits.push_secret(
                        SECRET_ENV,
                        item,
                        &format!("{key} of service {service}"),
                        list_item_value(src, item),
                    );
                }
            }
        }
        Node::Map { entries, .. } => {
            for (key, value) in entries {
                let (Some(name), Some(text)) = (key.as_str(), value.as_str()) else {
                    continue;
                };
                if is_secret_like_name(name) && is_literal_secret(text) {
                    hits.push_secret(
                        SECRET_ENV,
                        key,
                        &format!("{name} of service {service}"),
                        value.span().range(),
                    );
                }
            }
        }
        _ => {}
    }
}

/// True for an environment variable name that usually holds a secret: `DB_PASSWORD`,
/// `PGPASSWORD`, `API_TOKEN`, `jwtSecret`, `STRIPE_SECRET_KEY`; not for names that describe
/// one (`PASSWORD_FILE`, `TOKEN_TTL`, `SECRET_NAME`, `AWS_ACCESS_KEY_ID`).
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
    ];
    if DESCRIBES_A_SECRET.contains(&last.as_str()) || (words.len() == 1 && last == "PWD") {
        return false;
    }
    const SECRET_WORDS: &[&str] = &[
        "PASSWORD",
        "PASSWD",
        "PASSPHRASE",
        "SECRET",
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
        "GPG",
        "PGP",
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

/// A YAML boolean, accepting the YAML 1.1 spellings (`yes`, `on`) that Compose v1 and
/// Kubernetes tooling honour; quoted strings are not booleans.
pub(crate) fn truthy(node: &Node) -> Option<bool> {
    if let Some(b) = node.as_bool() {
        return Some(b);
    }
    if node.style() != Some(yaml::ScalarStyle::Plain) {
        return None;
    }
    match node.as_str()? {
        "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => Some(true),
        "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => Some(false),
        _ => None,
    }
}

/// Hits keyed by (rule, start offset), so a node reached twice (through a YAML alias or
/// merge key, or a pod-level setting shared by several containers) is reported once, naming
/// everything it applies to.
#[derive(Default)]
pub(crate) struct Hits {
    pending: Vec<Pending>,
    index: HashMap<(BuiltinRule, usize), usize>,
}

/// One reported place and everything it applies to.
struct Pending {
    rule: BuiltinRule,
    span: std::ops::Range<usize>,
    subjects: Vec<String>,
    /// More subjects than [`MAX_SUBJECTS`] applied.
    more: bool,
    detail: Option<String>,
    /// Literal credentials at this place (see [`Hit::secrets`]).
    secrets: Vec<std::ops::Range<usize>>,
}

impl Hits {
    /// Reports `rule` at `node` for `subject` (a container, service or value name).
    pub(crate) fn push(&mut self, rule: BuiltinRule, node: &Node, subject: &str) {
        self.push_detail(rule, node, subject, None);
    }

    /// Like [`Hits::push`], with a detail shown once after the joined subjects.
    pub(crate) fn push_detail(
        &mut self,
        rule: BuiltinRule,
        node: &Node,
        subject: &str,
        detail: Option<&str>,
    ) {
        let span = node.span().range();
        let at = *self.index.entry((rule, span.start)).or_insert_with(|| {
            self.pending.push(Pending {
                rule,
                span,
                subjects: Vec::new(),
                more: false,
                detail: detail.map(str::to_owned),
                secrets: Vec::new(),
            });
            self.pending.len() - 1
        });
        let Some(pending) = self.pending.get_mut(at) else {
            return;
        };
        if pending.subjects.iter().any(|s| s == subject) {
            return;
        }
        if pending.subjects.len() < MAX_SUBJECTS {
            pending.subjects.push(subject.to_owned());
        } else {
            pending.more = true;
        }
    }

    /// Like [`Hits::push`], for a place whose literal credential is at `secret` (a byte range):
    /// masked in every output.
    pub(crate) fn push_secret(
        &mut self,
        rule: BuiltinRule,
        node: &Node,
        subject: &str,
        secret: std::ops::Range<usize>,
    ) {
        self.push(rule, node, subject);
        if let Some(&at) = self.index.get(&(rule, node.span().range().start))
            && let Some(pending) = self.pending.get_mut(at)
            && !pending.secrets.contains(&secret)
        {
            pending.secrets.push(secret);
        }
    }

    pub(crate) fn into_hits(self) -> Vec<Hit> {
        self.pending
            .into_iter()
            .map(|pending| {
                let mut value = String::new();
                let mut more = pending.more;
                for subject in &pending.subjects {
                    if value.chars().count() + subject.chars().count() > MAX_VALUE_CHARS {
                        more = true;
                        break;
                    }
                    if !value.is_empty() {
                        value.push_str(", ");
                    }
                    value.push_str(subject);
                }
                if more {
                    value.push_str(", …");
                }
                if let Some(detail) = pending.detail {
                    value.push_str(&format!(" ({detail})"));
                }
                let mut hit = Hit::new(pending.rule, pending.span).with_value(value);
                hit.secrets = pending.secrets;
                hit
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    fn run(text: &str) -> Vec<(BuiltinRule, u32, String)> {
        crate::analyzers::hits_in(
            "docker-compose.yml",
            FileKind::Compose,
            text,
            |src, sink| {
                let _ = check(src, sink.hits_mut());
            },
        )
    }

    fn lines(text: &str, rule: BuiltinRule) -> Vec<u32> {
        run(text)
            .into_iter()
            .filter(|(r, _, _)| *r == rule)
            .map(|(_, line, _)| line)
            .collect()
    }

    #[test]
    fn short_port_syntax() {
        let cases = [
            ("5432:5432", Some(("", "5432"))),
            ("5432", Some(("", "5432"))),
            ("0.0.0.0:6379:6379/tcp", Some(("0.0.0.0", "6379"))),
            ("127.0.0.1:5432:5432", Some(("127.0.0.1", "5432"))),
            ("127.0.0.1::5432", Some(("127.0.0.1", "5432"))),
            ("127.0.0.1:5432", Some(("127.0.0.1", "5432"))),
            ("[::1]:6379:6379", Some(("::1", "6379"))),
            ("::1:6379:6379", Some(("::1", "6379"))),
            ("8000-8010:8000-8010", Some(("", "8000-8010"))),
            (
                "${BIND:-127.0.0.1}:3306:3306",
                Some(("${BIND:-127.0.0.1}", "3306")),
            ),
        ];
        for (text, want) in cases {
            let got = parse_short_port(text);
            let got = got.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn database_ports_in_every_syntax() {
        let text = r#"services:
  db:
    image: postgres:16
    ports:
      - "5432:5432"
      - 127.0.0.1:5433:5432
      - "15432:5432/tcp"
      - 5432
      - target: 6379
        published: 6379
      - published: 9200
        target: 9200
        host_ip: 0.0.0.0
      - target: 27017
        host_ip: 127.0.0.1
      - "[::]:9200:9200"
      - "[::1]:11211:11211"
      - "${IP:-0.0.0.0}:3306:3306"
      - "${IP}:3306:3306"
      - "8080:8080"
      - "5432:8000"
      - "5400-5500:5400-5500"
"#;
        assert_eq!(
            lines(text, DB_PORT),
            vec![5, 7, 8, 10, 13, 16, 18, 22],
            "{:?}",
            run(text)
        );
        let hits = run(text);
        assert_eq!(hits[0].2, "5432 (PostgreSQL) of service db");
    }

    #[test]
    fn socket_mounts_in_short_and_long_syntax() {
        let text = r#"services:
  a:
    image: x:1
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - /var/run/:/host/run
      - ./data:/data
      - docker.sock:/var/run/docker.sock
      - type: bind
        source: /run/containerd/containerd.sock
        target: /run/containerd/containerd.sock
      - type: volume
        source: sockets
        target: /var/run/docker.sock
      - ${SOCK:-/var/run/docker.sock}:/var/run/docker.sock
      - ${SOCK}:/var/run/docker.sock
      - //./pipe/docker_engine://./pipe/docker_engine
      - C:\data:/data
"#;
        assert_eq!(
            lines(text, SOCKET),
            vec![5, 6, 10, 15, 16, 17],
            "{:?}",
            run(text)
        );
    }

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

    #[test]
    fn privileged_and_host_network_and_legacy_format() {
        let text = "web:\n  image: nginx:1.27\n  privileged: yes\n  net: host\nother:\n  name: not-a-service\n  privileged: true\n";
        assert_eq!(lines(text, PRIVILEGED), vec![3]);
        assert_eq!(lines(text, HOST_NETWORK), vec![4]);
        let quoted = "services:\n  a:\n    privileged: 'true'\n    network_mode: \"host\"\n";
        assert!(lines(quoted, PRIVILEGED).is_empty());
        assert_eq!(lines(quoted, HOST_NETWORK), vec![4]);
    }

    #[test]
    fn merge_keys_report_the_anchor_once_naming_every_service() {
        let text = "x-base: &base\n  privileged: true\nservices:\n  a:\n    <<: *base\n    image: a:1\n  b:\n    <<: *base\n    image: b:1\n";
        let hits = run(text);
        assert_eq!(hits, vec![(PRIVILEGED, 2, "a, b".to_owned())]);
    }

    #[test]
    fn environment_list_and_map() {
        let text = r#"services:
  api:
    environment:
      - DB_PASSWORD=hunter2-but-longer
      - API_TOKEN
      - TOKEN_TTL=3600
      - "SECRET_KEY_BASE=${SECRET_KEY_BASE:?}"
      - pgpassword=secret-value-here
  db:
    environment:
      POSTGRES_PASSWORD: postgres
      POSTGRES_PASSWORD_FILE: /run/secrets/pg
      MYSQL_ALLOW_EMPTY_PASSWORD: "yes"
      REDIS_PASSWORD:
      jwtSecret: $JWT_SECRET
      stripeSecretKey: sk_test_placeholder_value
"#;
        assert_eq!(
            lines(text, SECRET_ENV),
            vec![4, 8, 11, 16],
            "{:?}",
            run(text)
        );
        let hits = run(text);
        assert_eq!(hits[0].2, "DB_PASSWORD of service api");
        assert!(hits.iter().all(|h| !h.2.contains("hunter2")));
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

    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep = "services:\n  a:\n    ports: ".to_owned() + &"[".repeat(5000);
        let _ = run(&deep);
        let many: String = std::iter::once("services:\n  a:\n    ports:\n".to_owned())
            .chain((0..20_000).map(|i| format!("      - \"{i}:5432\"\n")))
            .collect();
        assert_eq!(lines(&many, DB_PORT).len(), 20_000);
        for text in [
            "",
            "services: 3",
            "services: [1, 2]",
            "services:\n  a: [x]\n",
            "services:\n  a:\n    ports: 5432\n    volumes: x\n    environment: 7\n",
            "services:\n  a:\n    ports:\n      - \"[::1\"\n      - \":::\"\n      - \"${\"\n      - target: [1]\n",
            "services:\n  a:\n    volumes:\n      - \"${A:-${B}}:/var/run/docker.sock\"\n      - \"C:\"\n      - \":\"\n",
            "\u{0}\u{1}: é\n",
        ] {
            let _ = run(text);
        }
    }
}
