//! `docker/secret-in-env-or-arg`: an `ENV` or `ARG` with a secret-like name and a literal value.

use super::model::{Model, View, is_template};
use super::shell;
use crate::analyzers::heuristics::is_secret_like_name;
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, DOCKER_SECRET_IN_ENV_OR_ARG as SECRET_IN_ENV_OR_ARG};
use std::ops::Range;

/// Every `ENV`/`ARG` setting of a secret-like name to a literal.
pub(super) struct SecretInEnvOrArg;

impl<'f> Rule<Model<'f>> for SecretInEnvOrArg {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[SECRET_IN_ENV_OR_ARG]
    }

    fn check(&self, model: &Model<'f>, sink: &mut Sink) {
        for view in model.views_of(&["ENV", "ARG"]) {
            secret_settings(view, sink);
        }
    }
}

/// True for a value that is a literal someone typed, not a reference to the build's input.
pub(super) fn is_literal_secret(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty()
        || v.contains('$')
        || is_template(v)
        || v.starts_with(['/', '~'])
        || v.starts_with("./")
        || v.bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    !matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "0" | "1" | "null" | "none"
    )
}

pub(super) fn secret_settings(view: &View, out: &mut Sink) {
    let text = &view.args.text;
    let words = shell::words(text);
    let mut push = |name: &str, value: &str, range: Range<usize>| {
        if is_secret_like_name(name) && is_literal_secret(value) {
            let range = unquoted(text, range);
            out.push(Hit::new(SECRET_IN_ENV_OR_ARG, view.args.span(range)).with_value(value));
        }
    };
    if view.keyword == "ENV"
        && let Some(first) = words.first()
        && !first.value.contains('=')
    {
        // Legacy form: `ENV NAME the rest of the line`.
        let rest = &text[first.range.end..];
        let start = first.range.end + (rest.len() - rest.trim_start().len());
        let end = first.range.end + rest.trim_end().len();
        let raw = text.get(start..end).unwrap_or("");
        let value = raw.trim_matches(['"', '\'']);
        push(&first.value, value, start..end);
        return;
    }
    for word in &words {
        let Some((name, value)) = word.value.split_once('=') else {
            continue;
        };
        let raw = text.get(word.range.clone()).unwrap_or("");
        let value_start = raw
            .find('=')
            .map_or(word.range.start, |i| word.range.start + i + 1);
        push(name, value, value_start..word.range.end);
    }
}

/// `range` without one pair of surrounding quotes, so that only the value is highlighted (and
/// redacted) in output.
pub(super) fn unquoted(text: &str, range: Range<usize>) -> Range<usize> {
    let raw = text.get(range.clone()).unwrap_or("");
    let quoted = raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"'))
            || (raw.starts_with('\'') && raw.ends_with('\'')));
    if quoted {
        range.start + 1..range.end - 1
    } else {
        range
    }
}
