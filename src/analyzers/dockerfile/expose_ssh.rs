//! `docker/expose-ssh`: `EXPOSE 22`.

use super::model::Model;
use super::shell;
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, DOCKER_EXPOSE_SSH as EXPOSE_SSH};

/// Port 22 in an `EXPOSE`.
pub(super) struct ExposeSsh;

impl<'f> Rule<Model<'f>> for ExposeSsh {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[EXPOSE_SSH]
    }

    fn check(&self, model: &Model<'f>, sink: &mut Sink) {
        for view in model.views_of(&["EXPOSE"]) {
            for word in shell::words(&view.args.text) {
                let port = word.value.split('/').next().unwrap_or("");
                if port == "22" {
                    sink.push(
                        Hit::new(EXPOSE_SSH, view.args.span(word.range.clone()))
                            .with_value(word.value.clone()),
                    );
                }
            }
        }
    }
}
