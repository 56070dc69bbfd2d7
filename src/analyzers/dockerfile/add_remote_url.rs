//! `docker/add-remote-url`: `ADD` of a URL or git remote with nothing that verifies it.

use super::model::Model;
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, DOCKER_ADD_REMOTE_URL as ADD_REMOTE_URL};

/// Every unverified remote source of an `ADD` without `--checksum`.
pub(super) struct AddRemoteUrl;

impl<'f> Rule<Model<'f>> for AddRemoteUrl {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[ADD_REMOTE_URL]
    }

    fn check(&self, model: &Model<'f>, sink: &mut Sink) {
        for view in model.views_of(&["ADD"]) {
            let (flags, sources) = model.copy_sources(view);
            if flags.iter().any(|f| f.value.starts_with("--checksum")) {
                continue;
            }
            for source in sources {
                if is_unverified_remote(&source.value) {
                    sink.push(
                        Hit::new(ADD_REMOTE_URL, view.args.span(source.range.clone()))
                            .with_value(source.value.clone()),
                    );
                }
            }
        }
    }
}

/// `ADD https://…` (or a git URL) with nothing that verifies what arrives.
fn is_unverified_remote(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    let remote = ["http://", "https://", "git@", "git://", "ssh://"]
        .iter()
        .any(|p| lower.starts_with(p));
    if !remote || lower.contains("checksum=") {
        return false;
    }
    // A git source pinned to a full commit.
    if let Some((_, fragment)) = lower.split_once('#') {
        let reference = fragment.split(':').next().unwrap_or("");
        if reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
    }
    true
}
