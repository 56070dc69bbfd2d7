//! `k8s/image-latest-tag`: a container image on `latest` or without a tag.

use super::model::Manifests;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::helm::PLACEHOLDER;
use crate::rules::{BuiltinRule, K8S_IMAGE_LATEST_TAG as LATEST};

/// Every container image that is not pinned (a template's unresolved image is not judged).
pub(super) struct ImageLatestTag;

impl<'a> Rule<Manifests<'a>> for ImageLatestTag {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[LATEST]
    }

    fn check(&self, model: &Manifests<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for (_, c) in model.containers() {
            if let Some(image) = c.node.get("image")
                && let Some(text) = image.as_str()
                && unpinned(text)
                && !text.contains(PLACEHOLDER)
            {
                hits.push(LATEST, image, text.trim());
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
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
