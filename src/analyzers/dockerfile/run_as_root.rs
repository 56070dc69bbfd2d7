//! `docker/run-as-root`: the final image's last `USER` is root, or there is none.

use super::model::{Base, Model, short_image};
use super::shell;
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, DOCKER_RUN_AS_ROOT as RUN_AS_ROOT};

/// The last `USER` of the stages the final image is built from, or its absence.
pub(super) struct RunAsRoot;

impl<'f> Rule<Model<'f>> for RunAsRoot {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[RUN_AS_ROOT]
    }

    fn check(&self, model: &Model<'f>, sink: &mut Sink) {
        let chain = &model.chain;
        let Some(&last) = chain.first() else {
            return;
        };
        for &stage in chain {
            let Some(user) = model.facts[stage].last_user.map(|v| &model.views[v]) else {
                continue;
            };
            let words = shell::words(&user.args.text);
            let Some(word) = words.first() else {
                return;
            };
            let name = word.value.split(':').next().unwrap_or("");
            if name == "root" || name == "0" {
                let span = user.args.span(word.range.clone());
                sink.push(Hit::new(RUN_AS_ROOT, span).with_value(format!("USER {}", word.value)));
            }
            return;
        }
        // No USER anywhere: the base image decides, and almost every image runs as root.
        let root = chain.last().copied().unwrap_or(last);
        if let Base::Image(image) = &model.stages[root].base
            && image
                .tag
                .as_deref()
                .is_some_and(|t| t.to_ascii_lowercase().contains("nonroot"))
        {
            return;
        }
        let value = format!(
            "no USER after FROM {}",
            short_image(&model.stages[last].image_word)
        );
        sink.push(Hit::new(RUN_AS_ROOT, model.stage_keyword_span(last)).with_value(value));
    }
}
