//! `compose/secret-in-environment`: a secret-like variable set to a literal in `environment:`.

use super::model::Compose;
use crate::analyzers::heuristics::{is_literal_secret, is_secret_like_name};
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, COMPOSE_SECRET_IN_ENVIRONMENT as SECRET_ENV};
use crate::source::Source;
use crate::yaml::Node;

/// Every `environment:` entry, list or map form, of a secret-like name with a literal value.
pub(super) struct SecretInEnvironment;

impl<'a> Rule<Compose<'a>> for SecretInEnvironment {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[SECRET_ENV]
    }

    fn check(&self, model: &Compose<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for &(name, service) in &model.services {
            if let Some(env) = service.get("environment") {
                check_environment(model.src, name, env, &mut hits);
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
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
