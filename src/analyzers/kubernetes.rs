//! Kubernetes manifests: every YAML document with an `apiVersion` and a `kind` whose pod spec
//! we can find (Pods, the workload controllers' `spec.template`, CronJobs'
//! `spec.jobTemplate.spec.template`, `List` items), checked for the security context, host
//! isolation and operability settings of the Pod Security Standards and the kubernetes track.
//!
//! Containers inherit `runAsUser` and `runAsNonRoot` from the pod's `securityContext` and
//! override them with their own, so those rules look at the effective value and point at
//! whichever key decided it. Settings that are *missing* are reported on the container's
//! `name:` line; settings that are *wrong* on their own key. Windows pods (`os.name: windows`)
//! are not asked for the Linux-only settings, and a `hostPath` to a runtime socket is reported
//! as the socket mount it is rather than as a plain host path.
//!
//! Two kinds of file look like manifests but are not what gets deployed, and are read
//! leniently:
//! - Helm templates: a file with `{{ … }}` under a `templates/` directory, or with `{{ … }}`
//!   outside YAML strings anywhere, is read through [`crate::helm::neutralise`] (with the
//!   chart's `values.yaml` when the scan found the chart), and findings point at the template's
//!   own lines. The namespace is chosen at install time, so it is not asked for; when some
//!   block of the template could not be resolved, nothing the manifest seems to leave out
//!   counts as missing. A template that still does not parse is reported as a parse error.
//! - Kustomize patches: a workload none of whose containers has an `image` is a fragment that
//!   is merged into a base elsewhere, so only settings it states explicitly are judged; nothing
//!   it leaves out counts as missing.

use super::heuristics::{is_literal_secret, is_runtime_socket, is_secret_like_name};
use super::yaml_rules::{Hits, truthy};
use super::{Context, Hit, Unparsed};
use crate::helm::{self, PLACEHOLDER};
use crate::rules::BuiltinRule;
use crate::source::Source;
use crate::yaml::{self, Node, ScalarStyle, YamlError};
use std::ops::Range;

use crate::rules::K8S_ALLOW_PRIVILEGE_ESCALATION as ESCALATION;
use crate::rules::K8S_CAPABILITIES_NOT_DROPPED as CAPS_NOT_DROPPED;
use crate::rules::K8S_DANGEROUS_CAPABILITIES as DANGEROUS_CAPS;
use crate::rules::K8S_DEFAULT_NAMESPACE as DEFAULT_NAMESPACE;
use crate::rules::K8S_DOCKER_SOCKET_MOUNT as SOCKET;
use crate::rules::K8S_HOST_NAMESPACES as HOST_NAMESPACES;
use crate::rules::K8S_HOST_PATH as HOST_PATH;
use crate::rules::K8S_IMAGE_LATEST_TAG as LATEST;
use crate::rules::K8S_NO_RESOURCE_LIMITS as NO_LIMITS;
use crate::rules::K8S_PRIVILEGED as PRIVILEGED;
use crate::rules::K8S_RUN_AS_ROOT as ROOT;
use crate::rules::K8S_SECRET_IN_ENV_LITERAL as SECRET_ENV;
use crate::rules::K8S_SERVICE_ACCOUNT_TOKEN_AUTOMOUNT as TOKEN;
use crate::rules::K8S_WRITABLE_ROOT_FS as WRITABLE_ROOT;

/// Capabilities that give power over the node or its network. All are outside the set the
/// baseline Pod Security Standard allows a container to add.
const DANGEROUS_CAPABILITIES: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "DAC_READ_SEARCH",
    "SYS_BOOT",
    "SYS_TIME",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "NET_RAW",
];

/// Controllers whose pod template is at `spec.template`.
const TEMPLATE_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
];

pub fn check(cx: &Context, src: &Source, out: &mut Vec<Hit>) -> Result<(), Unparsed> {
    let find = |needle: &[u8]| memchr::memmem::find(src.bytes, needle).is_some();
    if !find(b"apiVersion") || !find(b"kind") {
        return Ok(());
    }
    let templated = find(b"{{");
    if !templated {
        let docs = yaml::parse_documents(src)?;
        check_documents(&docs, Facts::default(), out);
        return Ok(());
    }
    if helm::templates_dir_index(src.rel_path).is_none()
        && let Ok(docs) = yaml::parse_documents(src)
        && !has_template_outside_strings(src, &docs)
    {
        check_documents(&docs, Facts::default(), out);
        return Ok(());
    }
    check_template(cx, src, out)
}

/// What a scan knows of a file beyond its documents.
#[derive(Debug, Clone, Copy, Default)]
struct Facts {
    /// A template: its namespace is chosen when it is installed.
    template: bool,
    /// Some of its content is only known after rendering.
    unknown: bool,
}

fn check_documents(docs: &[Node], facts: Facts, out: &mut Vec<Hit>) {
    let objects = objects(docs);
    let quiet_accounts = accounts_without_token(&objects);
    let mut hits = Hits::default();
    for &(kind, object) in &objects {
        check_object(kind, object, &quiet_accounts, facts, &mut hits);
    }
    out.extend(hits.into_hits());
}

/// A Helm (or other `{{ … }}`) template: neutralised, checked, and every hit moved back onto
/// the template's own bytes.
fn check_template(cx: &Context, src: &Source, out: &mut Vec<Hit>) -> Result<(), Unparsed> {
    let text = std::str::from_utf8(src.bytes).map_err(|_| Unparsed::not_utf8())?;
    let values = cx.chart.and_then(|chart| chart.values.as_ref());
    let neutral = helm::neutralise(text, values);
    let neutral_src = Source::new(src.rel_path, src.kind, neutral.text.as_bytes());
    let docs = yaml::parse_documents(&neutral_src).map_err(|err| match err {
        YamlError::Syntax {
            line,
            column,
            message,
        } => {
            let at = neutral_src.offset_of(line, column);
            Unparsed::at(
                src,
                neutral.original(at),
                &format!("{message} (after neutralising the template's actions)"),
            )
        }
        other => Unparsed::from(other),
    })?;
    let facts = Facts {
        template: true,
        unknown: neutral.unknown_blocks,
    };
    let mut hits = Vec::new();
    check_documents(&docs, facts, &mut hits);
    for mut hit in hits {
        let start = neutral.original(hit.span.start);
        let end = neutral.original(hit.span.end.saturating_sub(1)).max(start) + 1;
        hit.span = start..end.min(src.bytes.len()).max(start);
        out.push(hit);
    }
    Ok(())
}

/// Most `{{` outside strings whose line is checked for a comment before giving up.
const MAX_COMMENT_CHECKS: usize = 1_000;

/// True when some `{{` is neither in a comment nor inside a quoted or block scalar: template
/// syntax the YAML parser happened to accept, so the document is not what gets applied.
fn has_template_outside_strings(src: &Source, docs: &[Node]) -> bool {
    let mut strings: Vec<Range<usize>> = docs
        .iter()
        .flat_map(Node::descendants)
        .filter(|node| node.style().is_some_and(|s| s != ScalarStyle::Plain))
        .map(|node| node.span().range())
        .collect();
    strings.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    // Scalars never nest, so keeping the widest range per start suffices for the lookup.
    strings.dedup_by(|later, earlier| later.start == earlier.start);
    // Braces inside strings are cheap to rule out; a comment check costs a line scan, so a
    // file that keeps us checking comments for too long counts as a template.
    let mut comment_checks = 0;
    memchr::memmem::find_iter(src.bytes, b"{{").any(|at| {
        let after = strings.partition_point(|r| r.start <= at);
        if after > 0 && strings[after - 1].contains(&at) {
            return false;
        }
        comment_checks += 1;
        comment_checks > MAX_COMMENT_CHECKS || !src.in_comment(at)
    })
}

/// Every Kubernetes object in the file with its kind: each document with `apiVersion` and
/// `kind`, and the items of a `List`.
fn objects(docs: &[Node]) -> Vec<(&str, &Node)> {
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
struct Container<'a> {
    node: &'a Node,
    name: String,
    /// Ephemeral (debug) containers cannot have resources.
    ephemeral: bool,
}

impl<'a> Container<'a> {
    /// Where findings about a missing setting point: the `name:` key, else `image:`.
    fn anchor(&self) -> &'a Node {
        self.node
            .key_node("name")
            .or_else(|| self.node.key_node("image"))
            .unwrap_or(self.node)
    }
}

fn containers(spec: &Node) -> Vec<Container<'_>> {
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
fn templated(value: &Node) -> bool {
    value
        .as_str()
        .is_some_and(|text| text.contains(PLACEHOLDER))
}

/// A name for messages: a template's unresolved action shows as `{{…}}`.
fn shown(name: &str) -> String {
    name.replace(PLACEHOLDER, "{{…}}")
}

/// `Deployment/orders`, for messages about the whole workload.
fn workload_label(kind: &str, object: &Node) -> String {
    let metadata = object.get("metadata");
    let name = metadata
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .and_then(Node::as_str)
        .unwrap_or("(unnamed)");
    format!("{kind}/{}", shown(name))
}

fn check_object(kind: &str, object: &Node, quiet_accounts: &[&str], facts: Facts, hits: &mut Hits) {
    let Some((spec_key, spec)) = pod_spec(kind, object) else {
        return;
    };
    let workload = workload_label(kind, object);
    let containers = containers(spec);
    // A workload without any image is a patch or fragment completed elsewhere; a template
    // with blocks only rendering fills in is incomplete too.
    let complete = !facts.unknown && containers.iter().any(|c| c.node.get("image").is_some());
    let linux = spec.get_path(&["os", "name"]).and_then(Node::as_str) != Some("windows");

    if complete && !facts.template {
        check_namespace(object, &workload, hits);
    }
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if let Some((at, value)) = spec.entry(key)
            && truthy(value) == Some(true)
        {
            hits.push(HOST_NAMESPACES, at, key);
        }
    }
    for volume in spec.get("volumes").map(Node::items).unwrap_or_default() {
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
    match spec.entry("automountServiceAccountToken") {
        Some((at, value)) => {
            if truthy(value) != Some(false) && !templated(value) {
                hits.push(TOKEN, at, &workload);
            }
        }
        None => {
            let account = spec
                .get("serviceAccountName")
                .or_else(|| spec.get("serviceAccount"))
                .and_then(Node::as_str)
                .unwrap_or("default");
            if complete && !quiet_accounts.contains(&account) {
                hits.push(TOKEN, spec_key, &workload);
            }
        }
    }
    let pod_context = spec.get("securityContext");
    for container in &containers {
        check_container(container, pod_context, complete && linux, complete, hits);
    }
}

fn check_namespace(object: &Node, workload: &str, hits: &mut Hits) {
    let metadata = object.entry("metadata");
    match metadata.and_then(|(_, m)| m.entry("namespace")) {
        Some((at, value)) => {
            let namespace = value.as_str().map_or("", str::trim);
            if namespace.is_empty() || namespace == "default" {
                hits.push(DEFAULT_NAMESPACE, at, workload);
            }
        }
        None => {
            let at = metadata
                .and_then(|(key, m)| {
                    m.key_node("name")
                        .or_else(|| m.key_node("generateName"))
                        .or(Some(key))
                })
                .or_else(|| object.key_node("kind"))
                .unwrap_or(object);
            hits.push(DEFAULT_NAMESPACE, at, workload);
        }
    }
}

/// `missing_counts`: settings the container leaves out are reported (a complete Linux pod
/// spec). `complete`: the same for settings that apply on every OS.
fn check_container(
    c: &Container,
    pod_context: Option<&Node>,
    missing_counts: bool,
    complete: bool,
    hits: &mut Hits,
) {
    let context = c.node.get("securityContext");
    let own = |key: &str| context.and_then(|s| s.entry(key));
    let name = c.name.as_str();

    if let Some((at, value)) = own("privileged")
        && truthy(value) == Some(true)
    {
        hits.push(PRIVILEGED, at, name);
    }
    // Reported for privileged containers too, as Pod Security Admission does: the API rejects
    // `allowPrivilegeEscalation: false` next to `privileged: true`, so the fix is both changes.
    report_unless(
        own("allowPrivilegeEscalation"),
        false,
        ESCALATION,
        c,
        missing_counts,
        hits,
    );
    run_as_root(c, context, pod_context, missing_counts, hits);

    let capabilities = own("capabilities");
    let drop = capabilities.and_then(|(_, caps)| caps.entry("drop"));
    let drops_all = drop.is_some_and(|(_, list)| {
        list.items()
            .iter()
            .filter_map(Node::as_str)
            .any(|cap| capability(cap) == "ALL")
    });
    if !drops_all {
        match (drop, capabilities) {
            (Some((at, _)), _) => hits.push(CAPS_NOT_DROPPED, at, name),
            (None, Some((at, _))) if missing_counts => hits.push(CAPS_NOT_DROPPED, at, name),
            (None, None) if missing_counts => hits.push(CAPS_NOT_DROPPED, c.anchor(), name),
            _ => {}
        }
    }
    if let Some((_, caps)) = capabilities {
        for item in caps.get("add").map(Node::items).unwrap_or_default() {
            let Some(cap) = item.as_str().map(capability) else {
                continue;
            };
            if DANGEROUS_CAPABILITIES.contains(&cap.as_str()) {
                hits.push(DANGEROUS_CAPS, item, &format!("{cap} to container {name}"));
            }
        }
    }
    report_unless(
        own("readOnlyRootFilesystem"),
        true,
        WRITABLE_ROOT,
        c,
        missing_counts,
        hits,
    );

    if !c.ephemeral && complete {
        let resources = c.node.entry("resources");
        let limits = resources.and_then(|(_, r)| r.entry("limits"));
        let memory = limits.and_then(|(_, l)| l.get("memory"));
        if memory.is_none_or(Node::is_null) {
            let at = limits
                .or(resources)
                .map_or_else(|| c.anchor(), |(key, _)| key);
            hits.push(NO_LIMITS, at, name);
        }
    }
    if let Some(image) = c.node.get("image")
        && let Some(text) = image.as_str()
        && unpinned(text)
        && !text.contains(PLACEHOLDER)
    {
        hits.push(LATEST, image, text.trim());
    }
    for var in c.node.get("env").map(Node::items).unwrap_or_default() {
        let Some(var_name) = var.get("name").and_then(Node::as_str) else {
            continue;
        };
        if var.get("valueFrom").is_some() {
            continue;
        }
        let Some((at, value)) = var.entry("value") else {
            continue;
        };
        if let Some(text) = value.as_str()
            && is_secret_like_name(var_name)
            && is_literal_secret(text)
            && !text.contains(PLACEHOLDER)
        {
            hits.push_secret(
                SECRET_ENV,
                at,
                &format!("{var_name} in container {name}"),
                value.span().range(),
            );
        }
    }
}

/// Reports `rule` unless the boolean setting `entry` is explicitly `wanted`: at the key when
/// it says something else, at the container when it is missing (and missing settings count).
fn report_unless(
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

/// Applies the container-over-pod precedence of `runAsUser` and `runAsNonRoot`.
fn run_as_root(
    c: &Container,
    context: Option<&Node>,
    pod_context: Option<&Node>,
    missing_counts: bool,
    hits: &mut Hits,
) {
    let effective = |key: &str| {
        setting(context, key)
            .map(|entry| (entry, false))
            .or_else(|| setting(pod_context, key).map(|entry| (entry, true)))
    };
    let from = |pod: bool, setting: &str| {
        if pod {
            format!("{setting} in the pod's securityContext")
        } else {
            setting.to_owned()
        }
    };
    if let Some(((at, value), pod)) = effective("runAsUser") {
        // A non-zero user is not root; a value that is not a number (a template placeholder)
        // says nothing certain either way.
        if value.as_str().and_then(|s| s.trim().parse::<i64>().ok()) == Some(0) {
            hits.push_detail(ROOT, at, &c.name, Some(from(pod, "runAsUser: 0").as_str()));
        }
        return;
    }
    match effective("runAsNonRoot") {
        Some(((_, value), _)) if truthy(value) == Some(true) || templated(value) => {}
        Some(((at, _), pod)) => {
            let detail = from(pod, "runAsNonRoot is not true");
            hits.push_detail(ROOT, at, &c.name, Some(detail.as_str()));
        }
        None if missing_counts => hits.push(ROOT, c.anchor(), &c.name),
        None => {}
    }
}

/// The entry for `key` in a security context, unless it is absent or null.
fn setting<'a>(context: Option<&'a Node>, key: &str) -> Option<(&'a Node, &'a Node)> {
    context?.entry(key).filter(|(_, value)| !value.is_null())
}

/// `cap_sys_admin` → `SYS_ADMIN`.
pub(crate) fn capability(text: &str) -> String {
    let upper = text.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map_or_else(|| upper.clone(), str::to_owned)
}

/// True for an image reference on the `latest` tag or without a tag (which means `latest`);
/// a digest pins the image whatever its tag.
pub(crate) fn unpinned(image: &str) -> bool {
    let image = image.trim();
    if image.is_empty()
        || image.contains('@')
        || ["{{", "${", "$("].iter().any(|t| image.contains(t))
    {
        return false;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, tag)) => tag == "latest",
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    fn run_at(path: &str, text: &str) -> Vec<(BuiltinRule, u32, String)> {
        let catalog = crate::catalog::Catalog::embedded().unwrap();
        let cx = Context {
            catalog: &catalog,
            today: jiff::civil::date(2026, 1, 1),
            advisories: None,
            chart: None,
        };
        crate::analyzers::hits_in(path, FileKind::Yaml, text, |src, sink| {
            let _ = check(&cx, src, sink.hits_mut());
        })
    }

    fn run(text: &str) -> Vec<(BuiltinRule, u32, String)> {
        run_at("k8s/app.yaml", text)
    }

    fn lines(text: &str, rule: BuiltinRule) -> Vec<u32> {
        run(text)
            .into_iter()
            .filter(|(r, _, _)| *r == rule)
            .map(|(_, line, _)| line)
            .collect()
    }

    fn values(text: &str, rule: BuiltinRule) -> Vec<String> {
        run(text)
            .into_iter()
            .filter(|(r, _, _)| *r == rule)
            .map(|(_, _, value)| value)
            .collect()
    }

    const HARDENED: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
  containers:
    - name: api
      image: registry.example.com/api:1.0.0
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
      resources:
        limits:
          memory: 256Mi
";

    #[test]
    fn a_hardened_pod_is_clean() {
        assert_eq!(run(HARDENED), vec![]);
    }

    #[test]
    fn a_bare_pod_reports_every_missing_setting_on_the_name_line() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bare\nspec:\n  containers:\n    - image: nginx\n      name: web\n";
        let got: Vec<_> = run(text).into_iter().map(|(r, l, _)| (r, l)).collect();
        assert_eq!(
            got,
            vec![
                (DEFAULT_NAMESPACE, 4),
                (TOKEN, 5),
                (ESCALATION, 8),
                (ROOT, 8),
                (CAPS_NOT_DROPPED, 8),
                (WRITABLE_ROOT, 8),
                (NO_LIMITS, 8),
                (LATEST, 7),
            ]
        );
    }

    #[test]
    fn container_settings_override_the_pod() {
        let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x}
spec:
  securityContext:
    runAsUser: 0
    runAsNonRoot: false
  containers:
    - name: inherits
      image: a:1
    - name: overrides-user
      image: a:1
      securityContext: {runAsUser: 1000}
    - name: overrides-nonroot
      image: a:1
      securityContext:
        runAsNonRoot: true
    - name: also-inherits
      image: a:1
";
        // `overrides-nonroot` still inherits runAsUser: 0 (the kubelet refuses to start it).
        assert_eq!(lines(text, ROOT), vec![6]);
        assert_eq!(
            values(text, ROOT),
            vec![
                "inherits, overrides-nonroot, also-inherits (runAsUser: 0 in the pod's securityContext)"
            ]
        );
        let pod_nonroot = "\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x}
spec:
  securityContext:
    runAsNonRoot: true
  containers:
    - name: a
      image: a:1
    - name: b
      image: a:1
      securityContext:
        runAsNonRoot: false
    - name: c
      image: a:1
      securityContext:
        runAsUser: 0
";
        assert_eq!(lines(pod_nonroot, ROOT), vec![13, 17]);
    }

    #[test]
    fn every_workload_kind_finds_its_pod_template() {
        let text = "\
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: x}
spec:
  schedule: '0 3 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: a:1
              securityContext: {privileged: true}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s, namespace: x}
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: a:1
          securityContext: {privileged: true}
      ephemeralContainers:
        - name: debug
          image: a:1
          securityContext: {privileged: true}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r, namespace: x}
spec:
  template:
    spec:
      containers:
        - name: r
          image: a:1
          securityContext: {privileged: true}
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: listed, namespace: x}
    spec:
      containers:
        - name: listed
          image: a:1
          securityContext: {privileged: true}
---
apiVersion: example.com/v1
kind: Widget
spec:
  template:
    spec:
      privileged: true
";
        assert_eq!(lines(text, PRIVILEGED), vec![13, 24, 28, 39, 51]);
        assert_eq!(
            values(text, PRIVILEGED),
            vec!["job", "init", "debug", "r", "listed"]
        );
        // Ephemeral containers cannot have resources, so they are not asked for limits.
        assert!(!values(text, NO_LIMITS).contains(&"debug".to_owned()));
    }

    #[test]
    fn templates_are_read_through_their_actions_on_their_own_lines() {
        let unquoted = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-x\nspec:\n  hostNetwork: true\n";
        assert_eq!(lines(unquoted, HOST_NAMESPACES), vec![6]);
        let control = "{{- if .Values.enabled }}\napiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: true\n{{- end }}\n";
        assert_eq!(lines(control, HOST_NAMESPACES), vec![5]);
        let quoted = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"{{ x }}\"\n  namespace: a\nspec:\n  hostNetwork: true\n  # {{ comment }}\n";
        assert_eq!(lines(quoted, HOST_NAMESPACES), vec![7]);
        let in_chart: Vec<u32> = run_at("chart/templates/pod.yaml", quoted)
            .into_iter()
            .filter(|h| h.0 == HOST_NAMESPACES)
            .map(|h| h.1)
            .collect();
        assert_eq!(in_chart, vec![7]);
        let block = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: b}\nspec:\n  hostPID: true\n  containers:\n    - name: a\n      image: a:1\n      args:\n        - |\n          {{ range . }}{{ end }}\n";
        assert_eq!(lines(block, HOST_NAMESPACES), vec![5]);
        // Without braces, a file under templates/ renders as it is and is checked.
        let plain = "apiVersion: v1\nkind: Pod\nspec:\n  hostIPC: true\n";
        assert_eq!(
            run_at("chart/templates/pod.yaml", plain)
                .iter()
                .filter(|h| h.0 == HOST_NAMESPACES)
                .count(),
            1
        );
    }

    #[test]
    fn templates_with_unresolved_blocks_are_not_judged_on_what_they_leave_out() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"x.fullname\" . }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n          securityContext:\n            {{- include \"x.securityContext\" . | nindent 12 }}\n";
        assert_eq!(run_at("chart/templates/deployment.yaml", text), vec![]);
        // Stated settings are still judged, on the template's line.
        let privileged = text.replace(
            "            {{- include \"x.securityContext\" . | nindent 12 }}\n",
            "            privileged: {{ .Values.privileged }}\n            {{- include \"x.extra\" . | nindent 12 }}\n",
        );
        assert_eq!(
            run_at("chart/templates/deployment.yaml", &privileged),
            vec![]
        );
        let literal = privileged.replace("{{ .Values.privileged }}", "true");
        let got: Vec<_> = run_at("chart/templates/deployment.yaml", &literal)
            .into_iter()
            .map(|(rule, line, _)| (rule, line))
            .collect();
        assert_eq!(got, vec![(PRIVILEGED, 12)]);
    }

    #[test]
    fn a_template_that_still_does_not_parse_is_an_error_at_the_template_line() {
        let catalog = crate::catalog::Catalog::embedded().unwrap();
        let cx = Context {
            catalog: &catalog,
            today: jiff::civil::date(2026, 1, 1),
            advisories: None,
            chart: None,
        };
        let text = "{{- if .Values.x }}\napiVersion: v1\nkind: Pod\nspec:\n  containers: [a\n  hostPID: true\n";
        let src = Source::new("chart/templates/pod.yaml", FileKind::Yaml, text.as_bytes());
        let err = check(&cx, &src, &mut Vec::new()).unwrap_err();
        assert!(matches!(err.line, Some(5..=7)), "{err:?}");
        assert!(err.message.contains("after neutralising"), "{err:?}");
    }

    #[test]
    fn patches_only_report_what_they_state() {
        let text = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          resources:
            limits: {memory: 1Gi}
        - name: sidecar
          securityContext:
            privileged: true
            runAsUser: 0
";
        let got: Vec<_> = run(text).into_iter().map(|(r, l, _)| (r, l)).collect();
        assert_eq!(got, vec![(PRIVILEGED, 14), (ROOT, 15)]);
    }

    #[test]
    fn windows_pods_are_not_asked_for_linux_settings() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: w, namespace: x}\nspec:\n  automountServiceAccountToken: false\n  os: {name: windows}\n  containers:\n    - name: w\n      image: mcr.microsoft.com/windows/servercore:ltsc2022\n      resources: {limits: {memory: 1Gi}}\n";
        assert_eq!(run(text), vec![]);
    }

    #[test]
    fn host_paths_and_sockets() {
        let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x}
spec:
  volumes:
    - name: a
      hostPath: {path: /var/lib/app}
    - name: b
      hostPath:
        path: /var/run/docker.sock
    - name: c
      hostPath:
        type: Directory
    - name: d
      emptyDir: {}
  containers: []
";
        assert_eq!(lines(text, HOST_PATH), vec![7, 12]);
        assert_eq!(values(text, HOST_PATH), vec!["/var/lib/app", "(no path)"]);
        assert_eq!(lines(text, SOCKET), vec![10]);
    }

    #[test]
    fn capabilities() {
        let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x}
spec:
  containers:
    - name: a
      image: a:1
      securityContext:
        capabilities:
          add: [cap_sys_admin, NET_BIND_SERVICE, all]
    - name: b
      image: a:1
      securityContext:
        capabilities:
          drop: [all]
";
        assert_eq!(lines(text, DANGEROUS_CAPS), vec![10, 10]);
        assert_eq!(
            values(text, DANGEROUS_CAPS),
            vec!["SYS_ADMIN to container a", "ALL to container a"]
        );
        assert_eq!(lines(text, CAPS_NOT_DROPPED), vec![9]);
    }

    #[test]
    fn images() {
        for yes in [
            "nginx",
            "nginx:latest",
            "localhost:5000/tools",
            "ghcr.io/a/b:latest",
        ] {
            assert!(unpinned(yes), "{yes}");
        }
        for no in [
            "nginx:1.27",
            "localhost:5000/tools:1",
            "a/b@sha256:abc",
            "a:latest@sha256:abc",
            "{{ .Values.image }}",
            "${IMAGE}",
            "",
        ] {
            assert!(!unpinned(no), "{no}");
        }
    }

    #[test]
    fn service_accounts_in_the_same_file_opt_out() {
        let text = "\
apiVersion: v1
kind: ServiceAccount
metadata: {name: quiet}
automountServiceAccountToken: false
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x}
spec:
  serviceAccountName: quiet
  containers: [{name: a, image: 'a:1'}]
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x}
spec:
  serviceAccountName: loud
  containers: [{name: b, image: 'a:1'}]
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: x}
spec:
  serviceAccountName: quiet
  automountServiceAccountToken: true
  containers: [{name: c, image: 'a:1'}]
";
        assert_eq!(lines(text, TOKEN), vec![16, 25]);
        assert_eq!(values(text, TOKEN), vec!["Pod/b", "Pod/c"]);
    }

    #[test]
    fn env_secrets_name_the_variable_not_the_value() {
        let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x}
spec:
  containers:
    - name: a
      image: a:1
      env:
        - {name: DB_PASSWORD, value: hunter2-example}
        - name: API_TOKEN
          valueFrom: {secretKeyRef: {name: s, key: k}}
        - name: OTHER_TOKEN
          value: $(API_TOKEN)
        - name: X
          value: hunter2-example
";
        assert_eq!(lines(text, SECRET_ENV), vec![9]);
        assert_eq!(values(text, SECRET_ENV), vec!["DB_PASSWORD in container a"]);
    }

    #[test]
    fn namespaces() {
        let base = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: NS\nspec:\n  containers: [{name: a, image: 'a:1'}]\n";
        assert_eq!(
            lines(&base.replace("NS", "default"), DEFAULT_NAMESPACE),
            vec![5]
        );
        assert_eq!(lines(&base.replace("NS", "''"), DEFAULT_NAMESPACE), vec![5]);
        assert!(lines(&base.replace("NS", "shop"), DEFAULT_NAMESPACE).is_empty());
        let no_metadata =
            "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: 'a:1'}]\n";
        assert_eq!(lines(no_metadata, DEFAULT_NAMESPACE), vec![2]);
        assert_eq!(
            values(no_metadata, DEFAULT_NAMESPACE),
            vec!["Pod/(unnamed)"]
        );
    }

    #[test]
    fn yaml_aliases_are_reported_once() {
        let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x}
spec:
  containers:
    - name: a
      image: a:1
      securityContext: &ctx
        privileged: true
    - name: b
      image: a:1
      securityContext: *ctx
";
        assert_eq!(lines(text, PRIVILEGED), vec![9]);
        assert_eq!(values(text, PRIVILEGED), vec!["a, b"]);
    }

    #[test]
    fn other_yaml_is_ignored() {
        for text in [
            "kind: Pod\nspec:\n  hostNetwork: true\n",
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  spec: |\n    hostNetwork: true\n",
            "apiVersion: v1\nkind: Service\nspec:\n  template:\n    spec:\n      hostNetwork: true\n",
            "name: ci\non: push\n",
        ] {
            assert_eq!(run(text), vec![], "{text}");
        }
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep = "apiVersion: v1\nkind: Pod\nspec: ".to_owned() + &"[".repeat(10_000);
        assert_eq!(run(&deep), vec![]);
        let nested = "apiVersion: v1\nkind: Pod\nspec:\n".to_owned()
            + &(1..400)
                .map(|i| format!("{}a:\n", "  ".repeat(i)))
                .collect::<String>();
        let _ = run(&nested);
        let laughs = "apiVersion: v1\nkind: Pod\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        let _ = run(laughs);
        let many: String = std::iter::once(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  containers:\n"
                .to_owned(),
        )
        .chain((0..5_000).map(|i| format!("    - name: c{i}\n      image: a\n")))
        .collect();
        assert_eq!(lines(&many, LATEST).len(), 5_000);
        // One pod-level setting shared by thousands of containers: one hit, a bounded value.
        let shared = many.replace("spec:\n", "spec:\n  securityContext: {runAsUser: 0}\n");
        let root = values(&shared, ROOT);
        assert_eq!(root.len(), 1);
        assert!(
            root[0].len() < 400 && root[0].contains(", …"),
            "{}",
            root[0]
        );
        for text in [
            "apiVersion: v1\nkind: Pod\nspec: 3\n",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers: 7\n  volumes: [1, [2], {hostPath: 3}]\n",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers: [1, {securityContext: [x]}, {env: [{name: [1]}]}]\n",
            "apiVersion: [v1]\nkind: {a: b}\n",
            "apiVersion: v1\nkind: List\nitems: 5\n",
            "apiVersion: v1\nkind: CronJob\nspec:\n  jobTemplate: x\n",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      securityContext:\n        runAsUser: -1\n        capabilities: {add: 5, drop: x}\n",
            "apiVersion: v1\nkind: Pod\n\u{0}: {{\n",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"{{\n",
        ] {
            let _ = run(text);
        }
    }
}
