//! `k8s/host-path` and `k8s/docker-socket-mount`: `hostPath` volumes; one that mounts a
//! container runtime's socket is reported as the socket mount it is.

use super::model::Manifests;
use crate::analyzers::heuristics::is_runtime_socket;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, K8S_DOCKER_SOCKET_MOUNT as SOCKET, K8S_HOST_PATH as HOST_PATH};
use crate::yaml::Node;

/// Every `hostPath` volume of a pod.
pub(super) struct HostPath;

impl<'a> Rule<Manifests<'a>> for HostPath {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[SOCKET, HOST_PATH]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for w in &model.workloads {
            for volume in w.spec.get("volumes").map(Node::items).unwrap_or_default() {
                let Some((host_path_key, host_path)) = volume.entry("hostPath") else {
                    continue;
                };
                let path_node = host_path.get("path");
                let path = path_node.and_then(Node::as_str).unwrap_or("");
                if is_runtime_socket(path) {
                    hits.push(SOCKET, path_node.unwrap_or(host_path_key), path);
                } else {
                    let shown = if path.is_empty() { "(no path)" } else { path };
                    hits.push(HOST_PATH, host_path_key, shown);
                }
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}
