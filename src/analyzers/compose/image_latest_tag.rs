//! `compose/image-latest-tag`: a service pulling an image on `latest` or without a tag.

use super::model::Compose;
use crate::analyzers::kubernetes::unpinned;
use crate::analyzers::yaml_rules::Hits;
use crate::analyzers::{Rule, Sink};
use crate::rules::{BuiltinRule, COMPOSE_IMAGE_LATEST_TAG as LATEST};

/// Every service whose `image:` is on `latest` or has no tag, unless the service builds it.
pub(super) struct ImageLatestTag;

impl<'a> Rule<Compose<'a>> for ImageLatestTag {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[LATEST]
    }

    fn check(&self, model: &Compose<'a>, sink: &mut Sink) {
        let mut hits = Hits::default();
        for &(name, service) in &model.services {
            // With `build:`, `image:` names the image Compose builds and tags: nothing is pulled.
            if service.get("build").is_some_and(|b| !b.is_null()) {
                continue;
            }
            let Some(image) = service.get("image") else {
                continue;
            };
            if image.as_str().is_some_and(unpinned) {
                let text = image.as_str().unwrap_or_default().trim();
                hits.push_detail(LATEST, image, text, Some(&format!("service {name}")));
            }
        }
        for hit in hits.into_hits() {
            sink.push(hit);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::COMPOSE_IMAGE_LATEST_TAG as LATEST;
    use crate::source::FileKind;

    #[test]
    fn only_pulled_images_without_a_version() {
        let text = r#"services:
  web:
    image: nginx
  cache:
    image: "redis:latest"
  api:
    build: ./api
    image: shop/api
  db:
    image: postgres:16.4
  proxy:
    image: traefik@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  worker:
    image: ${REGISTRY}/worker:${TAG:-latest}
  mq:
    image: localhost:5000/rabbitmq
"#;
        let hits: Vec<(u32, String)> =
            crate::analyzers::hits_in("compose.yaml", FileKind::Compose, text, super::super::check)
                .into_iter()
                .filter(|(rule, _, _)| *rule == LATEST)
                .map(|(_, line, value)| (line, value))
                .collect();
        assert_eq!(
            hits,
            vec![
                (3, "nginx (service web)".to_owned()),
                (5, "redis:latest (service cache)".to_owned()),
                (16, "localhost:5000/rabbitmq (service mq)".to_owned()),
            ]
        );
    }
}
