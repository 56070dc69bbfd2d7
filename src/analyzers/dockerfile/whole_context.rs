//! `docker/copy-whole-context-no-dockerignore`: `COPY . .` (or `ADD`) of the whole build
//! context. It runs in the tree pass, on Dockerfiles no `.dockerignore` applies to.

use super::model::{Model, View};
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, DOCKER_COPY_WHOLE_CONTEXT_NO_DOCKERIGNORE as COPY_WHOLE_CONTEXT};

/// Every `COPY`/`ADD` of the whole context (not `--from` another stage or image).
pub(super) struct WholeContext;

impl<'f> Rule<Model<'f>> for WholeContext {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[COPY_WHOLE_CONTEXT]
    }

    fn check(&self, model: &Model<'f>, sink: &mut Sink) {
        for view in model.views_of(&["COPY", "ADD"]) {
            whole_context(model, view, sink);
        }
    }
}

fn whole_context(model: &Model, view: &View, sink: &mut Sink) {
    if !matches!(view.keyword.as_ref(), "COPY" | "ADD") {
        return;
    }
    let (flags, sources) = model.copy_sources(view);
    if flags.iter().any(|f| f.value.starts_with("--from")) {
        return;
    }
    if let Some(source) = sources
        .iter()
        .find(|s| matches!(s.value.as_str(), "." | "./" | "*" | "./*"))
    {
        let text = view
            .args
            .text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let mut value = format!("{} {}", view.keyword, text);
        if value.chars().count() > 80 {
            value = value.chars().take(79).chain(['…']).collect();
        }
        sink.push(
            Hit::new(COPY_WHOLE_CONTEXT, view.args.span(source.range.clone())).with_value(value),
        );
    }
}
