//! `docker/unpinned-base-image` and `docker/base-image-no-digest`: how a stage's base image is
//! pinned (by digest, by tag only, not at all).

use super::model::{Base, ImageRef, Model, is_template};
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{
    BuiltinRule, DOCKER_BASE_IMAGE_NO_DIGEST as BASE_IMAGE_NO_DIGEST,
    DOCKER_UNPINNED_BASE_IMAGE as UNPINNED_BASE_IMAGE,
};

/// Every stage built on an image that is not pinned by digest.
pub(super) struct BaseImagePin;

impl<'f> Rule<Model<'f>> for BaseImagePin {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[UNPINNED_BASE_IMAGE, BASE_IMAGE_NO_DIGEST]
    }

    fn check(&self, model: &Model<'f>, sink: &mut Sink) {
        for stage in &model.stages {
            let Base::Image(image) = &stage.base else {
                continue;
            };
            let rule = match pin_of(image) {
                Pin::Unpinned => UNPINNED_BASE_IMAGE,
                Pin::TagOnly => BASE_IMAGE_NO_DIGEST,
                Pin::Digest | Pin::Unknown => continue,
            };
            sink.push(Hit::new(rule, stage.image_span.clone()).with_value(&image.text));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pin {
    /// No tag or `latest`, and no digest.
    Unpinned,
    /// A tag but no digest.
    TagOnly,
    Digest,
    /// A build argument decides.
    Unknown,
}

fn pin_of(image: &ImageRef) -> Pin {
    if is_template(&image.text) {
        return Pin::Unknown;
    }
    if let Some(digest) = &image.digest {
        return if digest.contains('$') {
            Pin::Unknown
        } else {
            Pin::Digest
        };
    }
    match &image.tag {
        Some(tag) if tag.contains('$') => Pin::Unknown,
        Some(tag) if tag.is_empty() || tag == "latest" => Pin::Unpinned,
        Some(_) => Pin::TagOnly,
        None if image.name.rsplit('/').next().unwrap_or("").contains('$') => Pin::Unknown,
        None if image.name.is_empty() => Pin::Unknown,
        None => Pin::Unpinned,
    }
}
