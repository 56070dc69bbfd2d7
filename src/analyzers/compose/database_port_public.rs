//! `compose/database-port-public`: a well-known database port published on every host
//! interface.

use super::model::{Compose, interpolation_default};
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, COMPOSE_DATABASE_PORT_PUBLIC as DB_PORT};
use crate::yaml::Node;

/// Every `ports:` entry that publishes a database port on all interfaces.
pub(super) struct DatabasePortPublic;

impl<'a> Rule<Compose<'a>> for DatabasePortPublic {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[DB_PORT]
    }

    fn check(&self, model: &Compose<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for &(name, service) in &model.services {
            for port in service.get("ports").map(Node::items).unwrap_or_default() {
                let Some((at, databases)) = public_database_ports(port) else {
                    continue;
                };
                for (port, db) in databases {
                    hits.push(DB_PORT, at, &format!("{port} ({db}) of service {name}"));
                }
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}

/// Well-known database ports that should never face the network unprotected.
const DATABASE_PORTS: &[(u32, &str)] = &[
    (5432, "PostgreSQL"),
    (3306, "MySQL"),
    (6379, "Redis"),
    (27017, "MongoDB"),
    (9200, "Elasticsearch"),
    (11211, "Memcached"),
];

/// The database ports a `ports:` entry publishes on every host interface: the node to report,
/// and each database port (with its database's name) in its container port or range.
fn public_database_ports(port: &Node) -> Option<(&Node, Vec<(u32, &'static str)>)> {
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
    let databases: Vec<(u32, &'static str)> = DATABASE_PORTS
        .iter()
        .filter(|(db_port, _)| (low..=high).contains(db_port))
        .copied()
        .collect();
    Some((at, databases)).filter(|(_, found)| !found.is_empty())
}

/// Parses the short port syntax `[[HOST_IP:][HOST_PORT]:]CONTAINER_PORT[/PROTOCOL]` into the
/// host address (empty when none is given) and the container port or range.
pub(super) fn parse_short_port(text: &str) -> Option<(String, String)> {
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
