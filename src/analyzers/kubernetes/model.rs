//! The model every Kubernetes rule reads, built once per file: each workload whose pod spec we
//! can find, with its containers and what the file says about its completeness.

use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::yaml_rules::truthy;
use crate::helm::PLACEHOLDER;
use crate::rules::BuiltinRule;
use crate::yaml::Node;

/// Controllers whose pod template is at `spec.template`.
pub(super) const TEMPLATE_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
];

/// What a scan knows of a file beyond its documents.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Facts {
    /// A template: its namespace is chosen when it is installed.
    pub(super) template: bool,
    /// Some of its content is only known after rendering.
    pub(super) unknown: bool,
}

/// The objects and workloads of one file.
pub(super) struct Manifests<'a> {
    /// Every object with its kind (documents with `apiVersion` and `kind`, `List` items).
    pub(super) objects: Vec<(&'a str, &'a Node)>,
    pub(super) workloads: Vec<Workload<'a>>,
    /// Service accounts defined in the file with `automountServiceAccountToken: false`.
    pub(super) quiet_accounts: Vec<&'a str>,
    pub(super) facts: Facts,
}

impl<'a> Manifests<'a> {
    pub(super) fn new(docs: &'a [Node], facts: Facts) -> Manifests<'a> {
        let objects = objects(docs);
        let quiet_accounts = accounts_without_token(&objects);
        let workloads = objects
            .iter()
            .filter_map(|&(kind, object)| Workload::new(kind, object, facts))
            .collect();
        Manifests {
            objects,
            workloads,
            quiet_accounts,
            facts,
        }
    }

    /// The objects of one kind.
    pub(super) fn of_kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = &'a Node> + 's {
        self.objects
            .iter()
            .filter(move |(k, _)| *k == kind)
            .map(|&(_, object)| object)
    }

    /// Every container of every workload, with its workload.
    pub(super) fn containers(&self) -> impl Iterator<Item = (&Workload<'a>, &Container<'a>)> {
        self.workloads
            .iter()
            .flat_map(|w| w.containers.iter().map(move |c| (w, c)))
    }
}

/// An object with a pod spec (a Pod, a controller's template, a CronJob's job template).
pub(super) struct Workload<'a> {
    pub(super) object: &'a Node,
    /// The `spec:` key node, where pod-level findings about missing settings point.
    pub(super) spec_key: &'a Node,
    pub(super) spec: &'a Node,
    /// `Deployment/orders`, for messages about the whole workload.
    pub(super) label: String,
    pub(super) containers: Vec<Container<'a>>,
    /// Has an image (not a patch completed elsewhere) and no block only rendering fills in:
    /// settings it leaves out count as missing.
    pub(super) complete: bool,
    /// Not a Windows pod: the Linux-only settings apply.
    pub(super) linux: bool,
    /// The pod's `securityContext`, which containers inherit from.
    pub(super) pod_context: Option<&'a Node>,
}

impl<'a> Workload<'a> {
    fn new(kind: &'a str, object: &'a Node, facts: Facts) -> Option<Workload<'a>> {
        let (spec_key, spec) = pod_spec(kind, object)?;
        let containers = containers(spec);
        // A workload without any image is a patch or fragment completed elsewhere; a template
        // with blocks only rendering fills in is incomplete too.
        let complete = !facts.unknown && containers.iter().any(|c| c.node.get("image").is_some());
        let linux = spec.get_path(&["os", "name"]).and_then(Node::as_str) != Some("windows");
        Some(Workload {
            object,
            spec_key,
            spec,
            label: workload_label(kind, object),
            containers,
            complete,
            linux,
            pod_context: spec.get("securityContext"),
        })
    }

    /// Settings a container leaves out are reported (a complete Linux pod spec).
    pub(super) fn missing_counts(&self) -> bool {
        self.complete && self.linux
    }
}

/// Every Kubernetes object in the file with its kind: each document with `apiVersion` and
/// `kind`, and the items of a `List`.
pub(super) fn objects(docs: &[Node]) -> Vec<(&str, &Node)> {
    let mut out = Vec::new();
    for doc in docs {
        let Some(kind) = manifest_kind(doc) else {
            continue;
        };
        if kind.ends_with("List") {
            for item in doc.get("items").map(Node::items).unwrap_or_default() {
                if let Some(kind) = manifest_kind(item) {
                    out.push((kind, item));
                }
            }
        } else {
            out.push((kind, doc));
        }
    }
    out
}

fn manifest_kind(node: &Node) -> Option<&str> {
    node.get("apiVersion")?.as_str()?;
    node.get("kind")?.as_str()
}

/// Service accounts defined in the file with `automountServiceAccountToken: false`.
fn accounts_without_token<'a>(objects: &[(&str, &'a Node)]) -> Vec<&'a str> {
    objects
        .iter()
        .filter(|(kind, object)| {
            *kind == "ServiceAccount"
                && object.get("automountServiceAccountToken").and_then(truthy) == Some(false)
        })
        .filter_map(|&(_, object)| object.get_path(&["metadata", "name"])?.as_str())
        .collect()
}

/// The pod spec of a workload: the `spec:` key node (where pod-level findings about missing
/// settings point) and the spec itself.
fn pod_spec<'a>(kind: &str, object: &'a Node) -> Option<(&'a Node, &'a Node)> {
    let holder = match kind {
        "Pod" => object,
        "PodTemplate" => object.get("template")?,
        "CronJob" => object.get_path(&["spec", "jobTemplate", "spec", "template"])?,
        _ => object.get_path(&["spec", "template"])?,
    };
    let (key, spec) = holder.entry("spec")?;
    if !spec.is_map() {
        return None;
    }
    // Custom resources (Argo Rollouts, Knative Services, …) count when their template holds
    // a real pod spec.
    let known = matches!(kind, "Pod" | "PodTemplate" | "CronJob") || TEMPLATE_KINDS.contains(&kind);
    if !known && !spec.get("containers").is_some_and(Node::is_seq) {
        return None;
    }
    Some((key, spec))
}

/// One container of a pod spec.
pub(super) struct Container<'a> {
    pub(super) node: &'a Node,
    pub(super) name: String,
    /// Ephemeral (debug) containers cannot have resources.
    pub(super) ephemeral: bool,
}

impl<'a> Container<'a> {
    /// Where findings about a missing setting point: the `name:` key, else `image:`.
    pub(super) fn anchor(&self) -> &'a Node {
        self.node
            .key_node("name")
            .or_else(|| self.node.key_node("image"))
            .unwrap_or(self.node)
    }
}

pub(super) fn containers(spec: &Node) -> Vec<Container<'_>> {
    let mut out = Vec::new();
    for (field, ephemeral) in [
        ("initContainers", false),
        ("containers", false),
        ("ephemeralContainers", true),
    ] {
        let items = spec.get(field).map(Node::items).unwrap_or_default();
        for (index, node) in items.iter().enumerate().filter(|(_, n)| n.is_map()) {
            let name = node
                .get("name")
                .and_then(Node::as_str)
                .map_or_else(|| format!("#{} of {field}", index + 1), shown);
            out.push(Container {
                node,
                name,
                ephemeral,
            });
        }
    }
    out
}

/// True for a value a template's action left unknown ([`PLACEHOLDER`]): only rendering says
/// what it is, so it is neither the safe setting nor the unsafe one.
pub(super) fn templated(value: &Node) -> bool {
    value
        .as_str()
        .is_some_and(|text| text.contains(PLACEHOLDER))
}

/// A name for messages: a template's unresolved action shows as `{{…}}`.
pub(super) fn shown(name: &str) -> String {
    name.replace(PLACEHOLDER, "{{…}}")
}

/// `Deployment/orders`, for messages about the whole workload.
pub(super) fn workload_label(kind: &str, object: &Node) -> String {
    let metadata = object.get("metadata");
    let name = metadata
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .and_then(Node::as_str)
        .unwrap_or("(unnamed)");
    format!("{kind}/{}", shown(name))
}

/// Reports `rule` unless the boolean setting `entry` is explicitly `wanted`: at the key when
/// it says something else, at the container when it is missing (and missing settings count).
pub(super) fn report_unless(
    entry: Option<(&Node, &Node)>,
    wanted: bool,
    rule: BuiltinRule,
    c: &Container,
    missing_counts: bool,
    hits: &mut Hits,
) {
    match entry.filter(|(_, value)| !value.is_null()) {
        Some((_, value)) if truthy(value) == Some(wanted) || templated(value) => {}
        Some((at, _)) => hits.push(rule, at, &c.name),
        None if missing_counts => hits.push(rule, c.anchor(), &c.name),
        None => {}
    }
}

/// The entry for `key` in a security context, unless it is absent or null.
pub(super) fn setting<'a>(context: Option<&'a Node>, key: &str) -> Option<(&'a Node, &'a Node)> {
    context?.entry(key).filter(|(_, value)| !value.is_null())
}

/// The string items of a sequence field (`verbs`, `resources`), each with its node.
pub(super) fn str_items<'a>(node: &'a Node, key: &str) -> Vec<(&'a Node, &'a str)> {
    node.get(key)
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| Some((item, item.as_str()?.trim())))
        .collect()
}

/// `metadata.name` of an object, for messages (`(unnamed)` when it has none).
pub(super) fn object_name(object: &Node) -> String {
    shown(
        object
            .get_path(&["metadata", "name"])
            .and_then(Node::as_str)
            .unwrap_or("(unnamed)"),
    )
}
