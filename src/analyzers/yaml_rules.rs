//! What rules over YAML documents (Compose, Kubernetes) share: YAML 1.1 booleans, and
//! [`Hits`], which reports a node reached several times (through an alias or merge key, or a
//! pod-level setting shared by several containers) once, naming everything it applies to.

use super::Hit;
use crate::rules::BuiltinRule;
use crate::yaml::{self, Node};
use std::collections::HashMap;

/// Longest value (names joined) a hit carries, so a hostile file cannot build huge messages.
const MAX_VALUE_CHARS: usize = 200;

/// Most names one hit collects (a pod-level setting shared by thousands of containers).
const MAX_SUBJECTS: usize = 16;

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
