//! Compose files (`docker-compose*.yml`, `compose*.yaml`): the service keys that undo container
//! isolation (`privileged`, dangerous `cap_add`, the Docker socket and sensitive host paths, the
//! host network), database ports published on every host interface, secrets written into
//! `environment:`, and images pulled on `latest`.
//!
//! [`model`] finds the services once per file; each rule is a module of its own, listed in
//! [`RULES`]. What Compose shares with Kubernetes manifests (which paths are a runtime's socket,
//! which variables hold secrets) lives in [`super::heuristics`].

mod dangerous_capabilities;
mod database_port_public;
mod docker_socket_mount;
mod host_network;
mod image_latest_tag;
mod model;
mod privileged;
mod secret_in_environment;
mod sensitive_host_mount;

use super::rule::run_all;
use super::{Rule, Sink};
use crate::source::Source;
use crate::yaml;
use model::Compose;

/// The rules over a Compose file, in the order they run.
static RULES: &[&dyn for<'a> Rule<Compose<'a>>] = &[
    &privileged::Privileged,
    &host_network::HostNetwork,
    &docker_socket_mount::DockerSocketMount,
    &database_port_public::DatabasePortPublic,
    &secret_in_environment::SecretInEnvironment,
    &dangerous_capabilities::DangerousCapabilities,
    &sensitive_host_mount::SensitiveHostMount,
    &image_latest_tag::ImageLatestTag,
];

/// Runs every Compose rule on one file; a file that is not YAML is reported as unparsed.
pub fn check(src: &Source, sink: &mut Sink) {
    let docs = match yaml::parse_documents(src) {
        Ok(docs) => docs,
        Err(err) => {
            sink.unparsed(err.into());
            return;
        }
    };
    let model = Compose {
        src,
        services: docs.iter().flat_map(model::services).collect(),
    };
    run_all(RULES, &model, sink);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{
        BuiltinRule, COMPOSE_DATABASE_PORT_PUBLIC as DB_PORT,
        COMPOSE_DOCKER_SOCKET_MOUNT as SOCKET, COMPOSE_HOST_NETWORK as HOST_NETWORK,
        COMPOSE_PRIVILEGED as PRIVILEGED, COMPOSE_SECRET_IN_ENVIRONMENT as SECRET_ENV,
    };
    use crate::source::FileKind;
    use database_port_public::parse_short_port;

    fn run(text: &str) -> Vec<(BuiltinRule, u32, String)> {
        crate::analyzers::hits_in("docker-compose.yml", FileKind::Compose, text, check)
    }

    fn lines(text: &str, rule: BuiltinRule) -> Vec<u32> {
        run(text)
            .into_iter()
            .filter(|(r, _, _)| *r == rule)
            .map(|(_, line, _)| line)
            .collect()
    }

    /// The registry lists each rule whose TOML names this analyzer, once.
    #[test]
    fn the_registry_covers_the_analyzers_rules() {
        let mut listed: Vec<BuiltinRule> = RULES
            .iter()
            .flat_map(|rule| rule.ids().iter().copied())
            .collect();
        listed.sort();
        let declared: Vec<BuiltinRule> = crate::rules::AnalyzerKind::Compose.rules().collect();
        assert_eq!(listed, declared);
    }

    #[test]
    fn short_port_syntax() {
        let cases = [
            ("5432:5432", Some(("", "5432"))),
            ("5432", Some(("", "5432"))),
            ("0.0.0.0:6379:6379/tcp", Some(("0.0.0.0", "6379"))),
            ("127.0.0.1:5432:5432", Some(("127.0.0.1", "5432"))),
            ("127.0.0.1::5432", Some(("127.0.0.1", "5432"))),
            ("127.0.0.1:5432", Some(("127.0.0.1", "5432"))),
            ("[::1]:6379:6379", Some(("::1", "6379"))),
            ("::1:6379:6379", Some(("::1", "6379"))),
            ("8000-8010:8000-8010", Some(("", "8000-8010"))),
            (
                "${BIND:-127.0.0.1}:3306:3306",
                Some(("${BIND:-127.0.0.1}", "3306")),
            ),
        ];
        for (text, want) in cases {
            let got = parse_short_port(text);
            let got = got.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn database_ports_in_every_syntax() {
        let text = r#"services:
  db:
    image: postgres:16
    ports:
      - "5432:5432"
      - 127.0.0.1:5433:5432
      - "15432:5432/tcp"
      - 5432
      - target: 6379
        published: 6379
      - published: 9200
        target: 9200
        host_ip: 0.0.0.0
      - target: 27017
        host_ip: 127.0.0.1
      - "[::]:9200:9200"
      - "[::1]:11211:11211"
      - "${IP:-0.0.0.0}:3306:3306"
      - "${IP}:3306:3306"
      - "8080:8080"
      - "5432:8000"
      - "5400-5500:5400-5500"
"#;
        assert_eq!(
            lines(text, DB_PORT),
            vec![5, 7, 8, 10, 13, 16, 18, 22],
            "{:?}",
            run(text)
        );
        let hits = run(text);
        assert_eq!(hits[0].2, "5432 (PostgreSQL) of service db");
    }

    /// A range publishes every database port inside it, and the finding names each one, not
    /// only the first.
    #[test]
    fn a_port_range_names_every_database_port_in_it() {
        let text = "services:\n  dev:\n    image: x:1\n    ports:\n      - \"3000-7000:3000-7000\"\n      - \"127.0.0.1:3000-7000:3000-7000\"\n";
        assert_eq!(
            run(text),
            vec![(
                DB_PORT,
                5,
                "5432 (PostgreSQL) of service dev, 3306 (MySQL) of service dev, 6379 (Redis) of service dev".to_owned()
            )]
        );
    }

    #[test]
    fn socket_mounts_in_short_and_long_syntax() {
        let text = r#"services:
  a:
    image: x:1
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - /var/run/:/host/run
      - ./data:/data
      - docker.sock:/var/run/docker.sock
      - type: bind
        source: /run/containerd/containerd.sock
        target: /run/containerd/containerd.sock
      - type: volume
        source: sockets
        target: /var/run/docker.sock
      - ${SOCK:-/var/run/docker.sock}:/var/run/docker.sock
      - ${SOCK}:/var/run/docker.sock
      - //./pipe/docker_engine://./pipe/docker_engine
      - C:\data:/data
"#;
        assert_eq!(
            lines(text, SOCKET),
            vec![5, 6, 10, 15, 16, 17],
            "{:?}",
            run(text)
        );
    }

    #[test]
    fn privileged_and_host_network_and_legacy_format() {
        let text = "web:\n  image: nginx:1.27\n  privileged: yes\n  net: host\nother:\n  name: not-a-service\n  privileged: true\n";
        assert_eq!(lines(text, PRIVILEGED), vec![3]);
        assert_eq!(lines(text, HOST_NETWORK), vec![4]);
        let quoted = "services:\n  a:\n    privileged: 'true'\n    network_mode: \"host\"\n";
        assert!(lines(quoted, PRIVILEGED).is_empty());
        assert_eq!(lines(quoted, HOST_NETWORK), vec![4]);
    }

    #[test]
    fn merge_keys_report_the_anchor_once_naming_every_service() {
        let text = "x-base: &base\n  privileged: true\nservices:\n  a:\n    <<: *base\n    image: a:1\n  b:\n    <<: *base\n    image: b:1\n";
        let hits = run(text);
        assert_eq!(hits, vec![(PRIVILEGED, 2, "a, b".to_owned())]);
    }

    #[test]
    fn environment_list_and_map() {
        let text = r#"services:
  api:
    environment:
      - DB_PASSWORD=hunter2-but-longer
      - API_TOKEN
      - TOKEN_TTL=3600
      - "SECRET_KEY_BASE=${SECRET_KEY_BASE:?}"
      - pgpassword=secret-value-here
  db:
    environment:
      POSTGRES_PASSWORD: postgres
      POSTGRES_PASSWORD_FILE: /run/secrets/pg
      MYSQL_ALLOW_EMPTY_PASSWORD: "yes"
      REDIS_PASSWORD:
      jwtSecret: $JWT_SECRET
      stripeSecretKey: sk_test_placeholder_value
"#;
        assert_eq!(
            lines(text, SECRET_ENV),
            vec![4, 8, 11, 16],
            "{:?}",
            run(text)
        );
        let hits = run(text);
        assert_eq!(hits[0].2, "DB_PASSWORD of service api");
        assert!(hits.iter().all(|h| !h.2.contains("hunter2")));
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep = "services:\n  a:\n    ports: ".to_owned() + &"[".repeat(5000);
        let _ = run(&deep);
        let many: String = std::iter::once("services:\n  a:\n    ports:\n".to_owned())
            .chain((0..20_000).map(|i| format!("      - \"{i}:5432\"\n")))
            .collect();
        assert_eq!(lines(&many, DB_PORT).len(), 20_000);
        for text in [
            "",
            "services: 3",
            "services: [1, 2]",
            "services:\n  a: [x]\n",
            "services:\n  a:\n    ports: 5432\n    volumes: x\n    environment: 7\n",
            "services:\n  a:\n    ports:\n      - \"[::1\"\n      - \":::\"\n      - \"${\"\n      - target: [1]\n",
            "services:\n  a:\n    volumes:\n      - \"${A:-${B}}:/var/run/docker.sock\"\n      - \"C:\"\n      - \":\"\n",
            "\u{0}\u{1}: é\n",
        ] {
            let _ = run(text);
        }
    }
}
