//! `docker/missing-healthcheck`: the final image has no `HEALTHCHECK`.

use super::model::{Base, Model, short_image};
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, DOCKER_MISSING_HEALTHCHECK as MISSING_HEALTHCHECK};

/// No stage of the final image declares a health check (an artifact export is exempt).
pub(super) struct MissingHealthcheck;

impl<'f> Rule<Model<'f>> for MissingHealthcheck {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[MISSING_HEALTHCHECK]
    }

    fn check(&self, model: &Model<'f>, sink: &mut Sink) {
        let chain = &model.chain;
        let Some(&last) = chain.first() else {
            return;
        };
        if chain.iter().any(|&s| model.facts[s].healthcheck) {
            return;
        }
        // A `FROM scratch` image with nothing to run is an artifact export, not a service.
        let root = chain.last().copied().unwrap_or(last);
        let runs = chain.iter().any(|&s| model.facts[s].runs);
        if model.stages[root].base == Base::Scratch && !runs {
            return;
        }
        sink.push(
            Hit::new(MISSING_HEALTHCHECK, model.stage_keyword_span(last))
                .with_value(short_image(&model.stages[last].image_word)),
        );
    }
}
