//! `compose/sensitive-host-mount`: a bind mount of a host directory that holds the host's
//! configuration, kernel interfaces or the whole filesystem.

use super::docker_socket_mount::split_volume;
use super::model::{Compose, interpolation_default};
use crate::analyzers::heuristics::is_runtime_socket;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, COMPOSE_SENSITIVE_HOST_MOUNT as SENSITIVE_MOUNT, Severity};
use crate::yaml::Node;

/// Every `volumes:` entry, short or long syntax, that binds a sensitive host path.
pub(super) struct SensitiveHostMount;

/// Host paths whose bind mount hands the container the host: its root, configuration, kernel
/// interfaces, modules, devices and root's home. Exact paths only: `/etc/localtime` or
/// `/sys/fs/cgroup` are not these. (Runtime sockets and `/var/run` are
/// `compose/docker-socket-mount`.)
const SENSITIVE: &[&str] = &[
    "/",
    "/etc",
    "/etc/shadow",
    "/etc/sudoers",
    "/etc/ssh",
    "/etc/kubernetes",
    "/proc",
    "/sys",
    "/lib/modules",
    "/usr/lib/modules",
    "/boot",
    "/dev",
    "/root",
    "/root/.ssh",
    "/var/lib/docker",
    "/var/lib/kubelet",
];

impl<'a> Rule<Compose<'a>> for SensitiveHostMount {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[SENSITIVE_MOUNT]
    }

    fn check(&self, model: &Compose<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        let mut read_only = Vec::new();
        for &(name, service) in &model.services {
            for volume in service.get("volumes").map(Node::items).unwrap_or_default() {
                if let Some((at, path, ro)) = sensitive_volume(volume) {
                    if ro {
                        read_only.push(at.span().range().start);
                    }
                    let detail = if ro {
                        format!("mounts {path} read-only")
                    } else {
                        format!("mounts {path}")
                    };
                    hits.push_detail(SENSITIVE_MOUNT, at, name, Some(&detail));
                }
            }
        }
        for hit in hits.into_hits() {
            if read_only.contains(&hit.span.start) {
                sink.push(hit.with_severity(Severity::Medium));
            } else {
                sink.push(hit);
            }
        }
    }
}

/// The node to report, the host path and whether it is read-only, when this `volumes:` entry
/// binds a sensitive host path.
fn sensitive_volume(volume: &Node) -> Option<(&Node, String, bool)> {
    if let Some(text) = volume.as_str() {
        let (source, _target) = split_volume(text);
        let path = sensitive_path(source)?;
        let mode = text.trim().rsplit(':').next().unwrap_or("");
        let ro = text.trim().matches(':').count() >= 2
            && mode
                .split(',')
                .any(|m| m.trim() == "ro" || m.trim() == "readonly");
        return Some((volume, path, ro));
    }
    if volume
        .get("type")
        .and_then(Node::as_str)
        .is_some_and(|t| t != "bind")
    {
        return None;
    }
    let path = sensitive_path(volume.get("source").and_then(Node::as_str)?)?;
    let ro = volume
        .get("read_only")
        .and_then(crate::analyzers::yaml_rules::truthy)
        == Some(true);
    Some((volume.key_node("source").unwrap_or(volume), path, ro))
}

/// The normalised host path when `source` is one of [`SENSITIVE`] (a `${VAR:-default}` counts
/// by its default).
fn sensitive_path(source: &str) -> Option<String> {
    let source = interpolation_default(source)?;
    if !source.starts_with('/') || is_runtime_socket(&source) {
        return None;
    }
    let mut normal = String::new();
    for part in source.split('/').filter(|p| !p.is_empty() && *p != ".") {
        if part == ".." {
            return None; // not resolved here; rare in host paths
        }
        normal.push('/');
        normal.push_str(part);
    }
    if normal.is_empty() {
        normal.push('/');
    }
    SENSITIVE.contains(&normal.as_str()).then_some(normal)
}
