//! `k8s/no-network-policy`, a rule over the whole tree: namespaces that run workloads in the
//! repository's manifests but have no NetworkPolicy in it.
//!
//! How a manifest's namespace is resolved, as `kubectl apply -k` would: a `kustomization.yaml`
//! with `namespace:` sets it for every file and folder it lists under `resources:` (or the old
//! `bases:`), overriding `metadata.namespace`; a file several overlays list is in each of
//! their namespaces. Otherwise `metadata.namespace`, else `default`.
//!
//! What it cannot see: Helm templates (files with `{{`: their namespace is chosen at install
//! time), remote Kustomize resources, and policies kept in another repository or applied by a
//! platform team. A Cilium or Calico cluster-wide policy in the repository counts for every
//! namespace; a CiliumNetworkPolicy counts for its namespace. The finding is reported once per
//! namespace, on its first workload.

use super::model::{Facts, Manifests, objects};
use crate::analyzers::{Context, Tree, TreeHit};
use crate::rules::K8S_NO_NETWORK_POLICY as NO_NETWORK_POLICY;
use crate::source::{FileKind, Source};
use crate::yaml::{self, Node};
use std::collections::{BTreeMap, BTreeSet};

/// The rules this tree check reports (it reads the whole tree, so it is not in [`super::RULES`]);
/// the registry test counts them.
#[cfg(test)]
pub(super) const TREE_RULES: &[crate::rules::BuiltinRule] = &[NO_NETWORK_POLICY];

const MAX_TREE_READ: u64 = crate::config::DEFAULT_MAX_FILE_SIZE;

/// Workloads named in one finding's message.
const MAX_NAMED: usize = 3;

/// Namespaced policy kinds that select pods.
const POLICY_KINDS: &[&str] = &["NetworkPolicy", "CiliumNetworkPolicy"];

/// Policy kinds that apply to every namespace.
const CLUSTER_POLICY_KINDS: &[&str] = &[
    "CiliumClusterwideNetworkPolicy",
    "GlobalNetworkPolicy",
    "AdminNetworkPolicy",
    "BaselineAdminNetworkPolicy",
];

/// A YAML file of the tree that parsed.
struct Parsed {
    path: String,
    bytes: Vec<u8>,
    docs: Vec<Node>,
}

/// The first workload seen in a namespace, and every workload's label there.
struct Namespace {
    path: String,
    line: u32,
    labels: Vec<String>,
}

pub fn check_tree(_cx: &Context, tree: &Tree, out: &mut Vec<TreeHit>) {
    let files = read_yaml(tree);
    let assigned = kustomize_namespaces(&files);
    let mut covered = BTreeSet::new();
    let mut cluster_wide = false;
    let mut running: BTreeMap<String, Namespace> = BTreeMap::new();
    for file in files.iter().filter(|f| !is_kustomization(&f.path)) {
        let source = Source::new(&file.path, FileKind::Yaml, &file.bytes);
        for (kind, object) in objects(&file.docs) {
            if CLUSTER_POLICY_KINDS.contains(&kind) {
                cluster_wide = true;
            } else if POLICY_KINDS.contains(&kind) {
                covered.extend(namespaces_of(&assigned, &file.path, object));
            }
        }
        let model = Manifests::new(&file.docs, Facts::default());
        for w in model.workloads.iter().filter(|w| w.complete) {
            let line = source
                .position(w.object.key_node("kind").unwrap_or(w.object).span().start)
                .line;
            for namespace in namespaces_of(&assigned, &file.path, w.object) {
                let entry = running.entry(namespace).or_insert_with(|| Namespace {
                    path: file.path.clone(),
                    line,
                    labels: Vec::new(),
                });
                entry.labels.push(w.label.clone());
            }
        }
    }
    if cluster_wide {
        return;
    }
    for (namespace, first) in running {
        if covered.contains(&namespace) {
            continue;
        }
        let mut named = first.labels[..first.labels.len().min(MAX_NAMED)].join(", ");
        if first.labels.len() > MAX_NAMED {
            named.push_str(&format!(" and {} more", first.labels.len() - MAX_NAMED));
        }
        out.push(TreeHit {
            rule: NO_NETWORK_POLICY,
            path: first.path,
            line: first.line,
            value: Some(format!(
                "Namespace {} runs {named}",
                crate::display::sanitize(&namespace)
            )),
        });
    }
}

/// Every YAML file of the tree that is not a template and parses (one that does not parse is
/// reported by the per-file check).
fn read_yaml(tree: &Tree) -> Vec<Parsed> {
    let mut out = Vec::new();
    for entry in tree.files {
        if entry.kind != FileKind::Yaml || entry.binary || entry.size > MAX_TREE_READ {
            continue;
        }
        let Some(bytes) = read_bounded(&crate::scan::fs_path(tree.root, &entry.path)) else {
            continue;
        };
        if memchr::memmem::find(&bytes, b"{{").is_some()
            || (!is_kustomization(&entry.path) && memchr::memmem::find(&bytes, b"kind").is_none())
        {
            continue;
        }
        let Ok(docs) = yaml::parse_documents(&Source::new(&entry.path, FileKind::Yaml, &bytes))
        else {
            continue;
        };
        out.push(Parsed {
            path: entry.path.clone(),
            bytes,
            docs,
        });
    }
    out
}

fn read_bounded(path: &std::path::Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let file = crate::regular::open_no_follow(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_TREE_READ + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= MAX_TREE_READ).then_some(bytes)
}

fn is_kustomization(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    )
}

/// (path of a listed file or folder, namespace) for every kustomization that sets one.
fn kustomize_namespaces(files: &[Parsed]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for file in files.iter().filter(|f| is_kustomization(&f.path)) {
        let Some(doc) = file.docs.first() else {
            continue;
        };
        let Some(namespace) = doc.get("namespace").and_then(Node::as_str) else {
            continue;
        };
        let dir = file.path.rsplit_once('/').map_or("", |(dir, _)| dir);
        for field in ["resources", "bases"] {
            for item in doc.get(field).map(Node::items).unwrap_or_default() {
                if let Some(listed) = item.as_str().and_then(|rel| join(dir, rel)) {
                    out.push((listed, namespace.trim().to_owned()));
                }
            }
        }
    }
    out
}

/// `dir` joined with a relative `rel`, `.` and `..` resolved; None for a remote resource or
/// a path that leaves the tree.
fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.contains("://") || rel.starts_with("github.com/") || rel.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The namespaces an object in the file at `path` is applied to.
fn namespaces_of(assigned: &[(String, String)], path: &str, object: &Node) -> BTreeSet<String> {
    let from_kustomize: BTreeSet<String> = assigned
        .iter()
        .filter(|(listed, _)| {
            path == listed
                || path
                    .strip_prefix(listed.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
                || listed.is_empty()
        })
        .map(|(_, namespace)| namespace.clone())
        .collect();
    if !from_kustomize.is_empty() {
        return from_kustomize;
    }
    let own = object
        .get_path(&["metadata", "namespace"])
        .and_then(Node::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty());
    BTreeSet::from([own.unwrap_or("default").to_owned()])
}

#[cfg(test)]
mod tests {
    use super::check_tree;
    use crate::analyzers::tree_hits_in;

    const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: orders
          image: registry.example.com/shop/orders:1.4.2
";

    const DENY_ALL: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
";

    fn found(files: &[(&str, &str)]) -> Vec<(String, u32, String)> {
        tree_hits_in(files, &[], check_tree)
            .into_iter()
            .map(|h| (h.path, h.line, h.value.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn a_namespace_without_a_policy_is_reported_once_on_its_first_workload() {
        let worker = DEPLOYMENT.replace("name: orders", "name: worker");
        assert_eq!(
            found(&[
                ("k8s/orders.yaml", DEPLOYMENT),
                ("k8s/worker.yaml", &worker)
            ]),
            [(
                "k8s/orders.yaml".to_owned(),
                2,
                "Namespace shop runs Deployment/orders, Deployment/worker".to_owned()
            )]
        );
        assert_eq!(
            found(&[
                ("k8s/orders.yaml", DEPLOYMENT),
                ("k8s/policies.yaml", DENY_ALL)
            ]),
            []
        );
    }

    #[test]
    fn a_policy_in_another_namespace_does_not_count_and_no_namespace_means_default() {
        let elsewhere = DENY_ALL.replace("namespace: shop", "namespace: payments");
        let bare = DEPLOYMENT.replace("  namespace: shop\n", "");
        let got = found(&[
            ("k8s/a.yaml", &bare),
            ("k8s/b.yaml", DEPLOYMENT),
            ("k8s/c.yaml", &elsewhere),
        ]);
        let namespaces: Vec<&str> = got.iter().map(|(_, _, v)| v.as_str()).collect();
        assert_eq!(
            namespaces,
            [
                "Namespace default runs Deployment/orders",
                "Namespace shop runs Deployment/orders"
            ]
        );
    }

    #[test]
    fn kustomize_overlays_set_the_namespace_of_the_bases_they_list() {
        let bare = DEPLOYMENT.replace("  namespace: shop\n", "");
        let policy = DENY_ALL.replace("  namespace: shop\n", "");
        let files = [
            (
                "deploy/base/kustomization.yaml",
                "resources:\n  - orders.yaml\n",
            ),
            ("deploy/base/orders.yaml", bare.as_str()),
            (
                "deploy/overlays/prod/kustomization.yaml",
                "namespace: shop-prod\nresources:\n  - ../../base\n  - deny-all.yaml\n",
            ),
            ("deploy/overlays/prod/deny-all.yaml", policy.as_str()),
            (
                "deploy/overlays/staging/kustomization.yaml",
                "namespace: shop-staging\nresources:\n  - ../../base\n",
            ),
        ];
        assert_eq!(
            found(&files),
            [(
                "deploy/base/orders.yaml".to_owned(),
                2,
                "Namespace shop-staging runs Deployment/orders".to_owned()
            )]
        );
    }

    #[test]
    fn cluster_wide_policies_cover_every_namespace_and_templates_are_not_read() {
        let cluster = "\
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: default-deny
spec:
  endpointSelector: {}
  ingress: [{}]
";
        assert_eq!(
            found(&[
                ("k8s/orders.yaml", DEPLOYMENT),
                ("k8s/cluster.yaml", cluster)
            ]),
            []
        );
        let template = DEPLOYMENT.replace("namespace: shop", "namespace: {{ .Release.Namespace }}");
        assert_eq!(found(&[("chart/templates/orders.yaml", &template)]), []);
    }
}
