//! `docker/full-os-base`: the final image is built on a full operating-system image.

use super::model::{Base, ImageRef, Model, short_image};
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, DOCKER_FULL_OS_BASE as FULL_OS_BASE};

/// The root stage of the final image, when its base is a full OS image.
pub(super) struct FullOsBase;

impl<'f> Rule<Model<'f>> for FullOsBase {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[FULL_OS_BASE]
    }

    fn check(&self, model: &Model<'f>, sink: &mut Sink) {
        let Some(&root) = model.chain.last() else {
            return;
        };
        let stage = &model.stages[root];
        if let Base::Image(image) = &stage.base
            && is_full_os(image)
        {
            sink.push(
                Hit::new(FULL_OS_BASE, stage.image_span.clone())
                    .with_value(short_image(&image.text)),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Base image knowledge.

/// Full-OS bases: distributions, and official language images in their default (full Debian)
/// variants. Slim, Alpine, distroless, minimal and Windows variants are not reported.
fn is_full_os(image: &ImageRef) -> bool {
    const DISTROS: &[&str] = &[
        "ubuntu",
        "debian",
        "centos",
        "fedora",
        "rockylinux",
        "almalinux",
        "amazonlinux",
        "oraclelinux",
        "archlinux",
        "opensuse/leap",
        "opensuse/tumbleweed",
        "kalilinux/kali-rolling",
        "redhat/ubi8",
        "redhat/ubi9",
        "registry.access.redhat.com/ubi8",
        "registry.access.redhat.com/ubi9",
        "registry.access.redhat.com/ubi8/ubi",
        "registry.access.redhat.com/ubi9/ubi",
    ];
    const LANGUAGES: &[&str] = &[
        "python",
        "node",
        "golang",
        "ruby",
        "openjdk",
        "php",
        "perl",
        "rust",
        "gcc",
        "buildpack-deps",
        "maven",
        "gradle",
        "elixir",
        "erlang",
    ];
    const SMALL: &[&str] = &[
        "slim",
        "alpine",
        "distroless",
        "minimal",
        "micro",
        "busybox",
        "nanoserver",
        "windowsservercore",
        "ltsc",
    ];
    let tag = image
        .tag
        .as_deref()
        .unwrap_or("latest")
        .to_ascii_lowercase();
    if tag.contains('$') || SMALL.iter().any(|s| tag.contains(s)) {
        return false;
    }
    let name = image.short_name();
    DISTROS.contains(&name) || LANGUAGES.contains(&name)
}
