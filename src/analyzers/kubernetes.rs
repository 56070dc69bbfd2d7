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
//!
//! [`model`] finds the workloads and their containers once per file; each rule is a module of
//! its own, listed in [`RULES`].

mod allow_privilege_escalation;
mod capabilities;
mod cluster_admin_binding;
mod configmap_secret;
mod default_namespace;
mod host_namespaces;
mod host_path;
mod image_latest_tag;
mod last_applied_secret;
mod model;
mod namespace_pod_security;
mod network_policy;
mod privileged;
mod rbac_wildcard;
mod resource_limits;
mod run_as_root;
mod seccomp_profile;
mod secret_in_env_literal;
mod secret_manifest_data;
mod secrets_read_access;
mod service_account_token;
mod writable_root_fs;

pub(crate) use capabilities::capability;
pub(crate) use image_latest_tag::unpinned;

use super::rule::run_all;
use super::{Context, Rule, Sink, Unparsed};
use crate::helm;
use crate::source::Source;
use crate::yaml::{self, Node, ScalarStyle, YamlError};
use model::{Facts, Manifests};
pub use network_policy::check_tree;
use std::ops::Range;

/// The rules over a file's workloads, in the order they run.
static RULES: &[&dyn for<'a> Rule<Manifests<'a>>] = &[
    &default_namespace::DefaultNamespace,
    &host_namespaces::HostNamespaces,
    &host_path::HostPath,
    &service_account_token::ServiceAccountToken,
    &privileged::Privileged,
    &allow_privilege_escalation::AllowPrivilegeEscalation,
    &run_as_root::RunAsRoot,
    &capabilities::Capabilities,
    &seccomp_profile::SeccompProfile,
    &writable_root_fs::WritableRootFs,
    &resource_limits::ResourceLimits,
    &image_latest_tag::ImageLatestTag,
    &secret_in_env_literal::SecretInEnvLiteral,
    &secret_manifest_data::SecretManifestData,
    &configmap_secret::ConfigMapSecret,
    &last_applied_secret::LastAppliedSecret,
    &namespace_pod_security::NamespacePodSecurity,
    &rbac_wildcard::RbacWildcard,
    &cluster_admin_binding::ClusterAdminBinding,
    &secrets_read_access::SecretsReadAccess,
];

/// Runs every Kubernetes rule on one file; a manifest that does not parse is reported as
/// unparsed.
pub fn check(cx: &Context, src: &Source, sink: &mut Sink) {
    if let Err(note) = check_file(cx, src, sink) {
        sink.unparsed(note);
    }
}

fn check_file(cx: &Context, src: &Source, sink: &mut Sink) -> Result<(), Unparsed> {
    let find = |needle: &[u8]| memchr::memmem::find(src.bytes, needle).is_some();
    if !find(b"apiVersion") || !find(b"kind") {
        return Ok(());
    }
    let templated = find(b"{{");
    if !templated {
        let docs = yaml::parse_documents(src)?;
        check_documents(&docs, Facts::default(), sink);
        return Ok(());
    }
    if helm::templates_dir_index(src.rel_path).is_none()
        && let Ok(docs) = yaml::parse_documents(src)
        && !has_template_outside_strings(src, &docs)
    {
        check_documents(&docs, Facts::default(), sink);
        return Ok(());
    }
    check_template(cx, src, sink)
}

fn check_documents(docs: &[Node], facts: Facts, sink: &mut Sink) {
    run_all(RULES, &Manifests::new(docs, facts), sink);
}

/// A Helm (or other `{{ … }}`) template: neutralised, checked, and every hit moved back onto
/// the template's own bytes.
fn check_template(cx: &Context, src: &Source, sink: &mut Sink) -> Result<(), Unparsed> {
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
    let mut own = Sink::new();
    check_documents(&docs, facts, &mut own);
    for mut hit in own.drain_hits() {
        let start = neutral.original(hit.span.start);
        let end = neutral.original(hit.span.end.saturating_sub(1)).max(start) + 1;
        hit.span = start..end.min(src.bytes.len()).max(start);
        sink.push(hit);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{
        BuiltinRule, K8S_ALLOW_PRIVILEGE_ESCALATION as ESCALATION,
        K8S_CAPABILITIES_NOT_DROPPED as CAPS_NOT_DROPPED,
        K8S_DANGEROUS_CAPABILITIES as DANGEROUS_CAPS, K8S_DEFAULT_NAMESPACE as DEFAULT_NAMESPACE,
        K8S_DOCKER_SOCKET_MOUNT as SOCKET, K8S_HOST_NAMESPACES as HOST_NAMESPACES,
        K8S_HOST_PATH as HOST_PATH, K8S_IMAGE_LATEST_TAG as LATEST,
        K8S_NO_RESOURCE_LIMITS as NO_LIMITS, K8S_PRIVILEGED as PRIVILEGED, K8S_RUN_AS_ROOT as ROOT,
        K8S_SECCOMP_PROFILE as SECCOMP, K8S_SECRET_IN_ENV_LITERAL as SECRET_ENV,
        K8S_SERVICE_ACCOUNT_TOKEN_AUTOMOUNT as TOKEN, K8S_WRITABLE_ROOT_FS as WRITABLE_ROOT,
    };
    use crate::source::FileKind;
    use image_latest_tag::unpinned;

    pub(super) fn run_at(path: &str, text: &str) -> Vec<(BuiltinRule, u32, String)> {
        let catalog = crate::catalog::Catalog::embedded().unwrap();
        let cx = Context {
            catalog: &catalog,
            today: jiff::civil::date(2026, 1, 1),
            advisories: None,
            chart: None,
        };
        crate::analyzers::hits_in(path, FileKind::Yaml, text, |src, sink| {
            check(&cx, src, sink)
        })
    }

    pub(super) fn run(text: &str) -> Vec<(BuiltinRule, u32, String)> {
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

    /// The registry (with the tree check's rules) lists each rule whose TOML names this
    /// analyzer, once.
    #[test]
    fn the_registry_covers_the_analyzers_rules() {
        let mut listed: Vec<BuiltinRule> = RULES
            .iter()
            .flat_map(|rule| rule.ids().iter().copied())
            .chain(network_policy::TREE_RULES.iter().copied())
            .collect();
        listed.sort();
        let declared: Vec<BuiltinRule> = crate::rules::AnalyzerKind::Kubernetes.rules().collect();
        assert_eq!(listed, declared);
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
    seccompProfile:
      type: RuntimeDefault
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
                (SECCOMP, 5),
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
        let mut sink = Sink::new();
        check(&cx, &src, &mut sink);
        let err = sink.take_unparsed().expect("an unparsed note");
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
