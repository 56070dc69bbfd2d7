//! `compose/docker-socket-mount`: a volume that mounts a container runtime's socket.

use super::model::{Compose, interpolation_default};
use crate::analyzers::heuristics::is_runtime_socket;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, COMPOSE_DOCKER_SOCKET_MOUNT as SOCKET};
use crate::yaml::Node;

/// Every `volumes:` entry, short or long syntax, whose source is a runtime socket.
pub(super) struct DockerSocketMount;

impl<'a> Rule<Compose<'a>> for DockerSocketMount {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[SOCKET]
    }

    fn check(&self, model: &Compose<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for &(name, service) in &model.services {
            for volume in service.get("volumes").map(Node::items).unwrap_or_default() {
                if let Some(at) = socket_volume(volume) {
                    hits.push(SOCKET, at, name);
                }
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
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
pub(super) fn split_volume(text: &str) -> (&str, &str) {
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
pub(super) fn socket_mount(source: &str, target: &str) -> bool {
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
