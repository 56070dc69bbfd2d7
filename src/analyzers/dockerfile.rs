//! Dockerfile analysis: the `docker/*` rules, over a model of the file's build stages.
//!
//! [`parser`] turns the text into instructions (continuations, comments, heredocs, directives),
//! [`shell`] reads the commands inside `RUN`, and this module builds the stages (`FROM … AS
//! name`, `FROM <earlier stage>`, `ARG`s before the first `FROM`) and runs each rule over them.
//! Every hit points at the exact place: the image in `FROM`, the `USER root` line, the `curl`
//! on the third line of a continued `RUN`.
//!
//! One rule needs more than the file: `docker/copy-whole-context-no-dockerignore` depends on
//! whether a `.dockerignore` exists, so it runs in the tree pass ([`check_tree`]), which re-reads
//! each Dockerfile (size-bounded) once the walk has listed every file.

mod add_remote_url;
mod apt;
mod base_image;
mod copy_secrets;
mod curl_pipe_shell;
mod expose_ssh;
mod full_os_base;
mod missing_healthcheck;
mod model;
mod parser;
mod run_as_root;
mod secret_in_env_or_arg;
mod shell;
mod sudo;
mod whole_context;

use super::{Context, Rule, Sink, Tree, TreeHit, Unparsed, rule::run_all};
use crate::source::{FileKind, Source};
use model::Model;

/// The per-file rules, in the order they run.
static RULES: &[&dyn for<'f> Rule<Model<'f>>] = &[
    &base_image::BaseImagePin,
    &full_os_base::FullOsBase,
    &run_as_root::RunAsRoot,
    &missing_healthcheck::MissingHealthcheck,
    &sudo::Sudo,
    &curl_pipe_shell::CurlPipeShell,
    &apt::Apt,
    &expose_ssh::ExposeSsh,
    &secret_in_env_or_arg::SecretInEnvOrArg,
    &copy_secrets::CopySecrets,
    &add_remote_url::AddRemoteUrl,
];

/// The rules of the tree pass (they need to know which files exist besides the Dockerfile).
static TREE_RULES: &[&dyn for<'f> Rule<Model<'f>>] = &[&whole_context::WholeContext];

/// The instructions whose arguments are shell scripts (or exec-form commands).
const RUNS_SCRIPTS: [&str; 3] = ["RUN", "CMD", "ENTRYPOINT"];

/// Largest Dockerfile the tree pass reads again (the scan's default file-size limit).
const MAX_TREE_READ: u64 = crate::config::DEFAULT_MAX_FILE_SIZE;

/// The instructions BuildKit knows; any other word at the start of an instruction makes it
/// reject the file.
const INSTRUCTIONS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];

/// Runs every per-file rule on one Dockerfile. The parser reads any text; a line that starts
/// with no instruction BuildKit knows (a template placeholder, a stray word) is an error that
/// names the first such line, and the checks ran on the instructions around it.
pub fn check(src: &Source, sink: &mut Sink) {
    let file = parser::parse(src.bytes);
    let model = Model::new(&file);
    run_all(RULES, &model, sink);
    sink.cap_per_rule(MAX_HITS_PER_RULE);
    if let Some(unknown) = file
        .instructions
        .iter()
        .find(|i| !INSTRUCTIONS.contains(&i.keyword.as_str()))
    {
        let shown: String = unknown.keyword.chars().take(40).collect();
        let mut err = Unparsed::at(
            src,
            unknown.keyword_span.start,
            &format!("unknown instruction `{shown}`"),
        );
        err.partial = true;
        sink.unparsed(err);
    }
}

/// Most hits one rule reports in one file, as for regex rules: past that the file is generated
/// or hostile, and more findings help nobody.
const MAX_HITS_PER_RULE: usize = 200;

/// The tree pass: `COPY . .` in a Dockerfile with no `.dockerignore` that could apply to it.
///
/// The build context is not written in the Dockerfile, so any `.dockerignore` beside it, in a
/// directory above it, or named `<Dockerfile>.dockerignore` (BuildKit's per-Dockerfile ignore
/// file) counts. (The scan applies inline suppressions to tree findings, as to all others.)
pub fn check_tree(_cx: &Context, tree: &Tree, out: &mut Vec<TreeHit>) {
    for entry in tree.files {
        if entry.kind != FileKind::Dockerfile
            || entry.binary
            || entry.size > MAX_TREE_READ
            || has_dockerignore(tree, &entry.path)
        {
            continue;
        }
        let Some(bytes) = read_bounded(&crate::scan::fs_path(tree.root, &entry.path)) else {
            continue;
        };
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
        let file = parser::parse(bytes);
        let model = Model::new(&file);
        let mut sink = Sink::new();
        run_all(TREE_RULES, &model, &mut sink);
        sink.cap_per_rule(MAX_HITS_PER_RULE);
        if sink.hits().is_empty() {
            continue;
        }
        let source = Source::new(&entry.path, FileKind::Dockerfile, bytes);
        for hit in sink.drain_hits() {
            let line = source.position(hit.span.start).line;
            out.push(TreeHit {
                rule: hit.rule,
                path: entry.path.clone(),
                line,
                value: hit.value,
            });
        }
    }
}

fn read_bounded(path: &std::path::Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let file = crate::regular::open_no_follow(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_TREE_READ + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= MAX_TREE_READ).then_some(bytes)
}

/// True when a `.dockerignore` that may apply to the Dockerfile at `path` exists.
fn has_dockerignore(tree: &Tree, path: &str) -> bool {
    if tree.contains(&format!("{path}.dockerignore")) {
        return true;
    }
    let mut dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    loop {
        let candidate = if dir.is_empty() {
            ".dockerignore".to_owned()
        } else {
            format!("{dir}/.dockerignore")
        };
        if tree.contains(&candidate) {
            return true;
        }
        if dir.is_empty() {
            return false;
        }
        dir = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{
        BuiltinRule, DOCKER_ADD_REMOTE_URL, DOCKER_APT_NO_PIN_OR_CLEANUP,
        DOCKER_BASE_IMAGE_NO_DIGEST, DOCKER_COPY_SECRETS, DOCKER_CURL_PIPE_SHELL,
        DOCKER_EXPOSE_SSH, DOCKER_FULL_OS_BASE, DOCKER_MISSING_HEALTHCHECK, DOCKER_RUN_AS_ROOT,
        DOCKER_SECRET_IN_ENV_OR_ARG, DOCKER_SUDO, DOCKER_UNPINNED_BASE_IMAGE,
    };
    use copy_secrets::is_secret_file;
    use model::expand;
    use std::collections::BTreeMap;

    /// (rule, line, value) of every per-file hit.
    fn hits(text: &str) -> Vec<(BuiltinRule, u32, String)> {
        let mut got = crate::analyzers::hits_in("Dockerfile", FileKind::Dockerfile, text, check);
        got.sort();
        got
    }

    fn lines_of(text: &str, rule: BuiltinRule) -> Vec<u32> {
        hits(text)
            .into_iter()
            .filter(|(r, _, _)| *r == rule)
            .map(|(_, line, _)| line)
            .collect()
    }

    const GOOD_TAIL: &str = "USER 10001\nHEALTHCHECK CMD [\"/app\", \"health\"]\n";

    #[test]
    fn base_image_pinning() {
        let text = "ARG BASE=python:3.12-slim\nARG TAG\nFROM node AS a\nFROM node:latest AS b\nFROM node:20-slim AS c\nFROM node:20-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef AS d\nFROM ${BASE} AS e\nFROM node:${TAG} AS f\nFROM a AS g\nFROM scratch\n";
        let got: Vec<_> = hits(text)
            .into_iter()
            .filter(|(r, _, _)| r.as_str().contains("base-image"))
            .collect();
        assert_eq!(
            got,
            vec![
                (DOCKER_BASE_IMAGE_NO_DIGEST, 5, "node:20-slim".to_owned()),
                (
                    DOCKER_BASE_IMAGE_NO_DIGEST,
                    7,
                    "python:3.12-slim".to_owned()
                ),
                (DOCKER_UNPINNED_BASE_IMAGE, 3, "node".to_owned()),
                (DOCKER_UNPINNED_BASE_IMAGE, 4, "node:latest".to_owned()),
            ]
        );
    }

    #[test]
    fn platform_flags_registries_and_stage_names() {
        let text = "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nFROM localhost:5000/app\nFROM build\nFROM BUILD\n";
        assert_eq!(lines_of(text, DOCKER_UNPINNED_BASE_IMAGE), vec![2]);
        assert_eq!(lines_of(text, DOCKER_BASE_IMAGE_NO_DIGEST), vec![1]);
    }

    #[test]
    fn expands_build_arguments() {
        let args: BTreeMap<String, Option<String>> = [
            ("A".to_owned(), Some("x".to_owned())),
            ("E".to_owned(), Some(String::new())),
            ("U".to_owned(), None),
        ]
        .into_iter()
        .collect();
        assert_eq!(expand("$A-${A}", &args), "x-x");
        assert_eq!(
            expand("${E:-d} ${U:-d} ${U} $U ${Z-z} ${A:+y} ${E:+y}", &args),
            "d d ${U} $U z y "
        );
        assert_eq!(expand("$ ${ ${A", &args), "$ ${ ${A");
    }

    #[test]
    fn templates_are_not_judged() {
        let text = "FROM {{ base_image }}\nFROM ruby:{base_image_tag}\nFROM <your-image>\nENV API_KEY={{ api_key }}\nENV DB_PASSWORD=<password>\nUSER 1\nHEALTHCHECK NONE\n";
        assert_eq!(hits(text), vec![]);
    }

    #[test]
    fn full_os_only_in_the_final_stage() {
        let text = "FROM golang:1.22 AS build\nFROM gcr.io/distroless/static-debian12:nonroot\n";
        assert!(lines_of(text, DOCKER_FULL_OS_BASE).is_empty());
        assert_eq!(
            lines_of("FROM python:3.12\nUSER 1\n", DOCKER_FULL_OS_BASE),
            vec![1]
        );
        assert_eq!(
            lines_of(
                "FROM ubuntu:24.04 AS base\nFROM base\n",
                DOCKER_FULL_OS_BASE
            ),
            vec![1]
        );
        for small in [
            "python:3.12-slim",
            "debian:bookworm-slim",
            "node:20-alpine",
            "alpine:3.20",
            "nginx:1.27",
        ] {
            assert!(
                lines_of(&format!("FROM {small}\n"), DOCKER_FULL_OS_BASE).is_empty(),
                "{small}"
            );
        }
    }

    #[test]
    fn run_as_root_looks_at_the_final_stage() {
        assert_eq!(
            lines_of(
                "FROM a:1 AS build\nUSER app\nFROM b:1\nRUN x\n",
                DOCKER_RUN_AS_ROOT
            ),
            vec![3]
        );
        assert_eq!(
            lines_of("FROM a:1\nUSER app\nUSER root\n", DOCKER_RUN_AS_ROOT),
            vec![3]
        );
        assert_eq!(
            lines_of("FROM a:1\nUSER 0:0\n", DOCKER_RUN_AS_ROOT),
            vec![2]
        );
        assert!(
            lines_of(
                "FROM a:1\nUSER root\nRUN x\nUSER 10001:10001\n",
                DOCKER_RUN_AS_ROOT
            )
            .is_empty()
        );
        assert!(
            lines_of(
                "FROM a:1 AS base\nUSER app\nFROM base\nRUN x\n",
                DOCKER_RUN_AS_ROOT
            )
            .is_empty()
        );
        assert!(
            lines_of(
                "FROM gcr.io/distroless/static:nonroot\n",
                DOCKER_RUN_AS_ROOT
            )
            .is_empty()
        );
        assert!(lines_of("FROM a:1\nUSER ${APP_UID}\n", DOCKER_RUN_AS_ROOT).is_empty());
        assert_eq!(
            lines_of("FROM a:1\nONBUILD USER app\n", DOCKER_RUN_AS_ROOT),
            vec![1]
        );
        assert!(lines_of("", DOCKER_RUN_AS_ROOT).is_empty());
    }

    #[test]
    fn healthcheck_in_the_final_chain() {
        assert_eq!(
            lines_of(
                "FROM a:1 AS x\nHEALTHCHECK CMD true\nFROM b:1\n",
                DOCKER_MISSING_HEALTHCHECK
            ),
            vec![3]
        );
        assert!(
            lines_of(
                "FROM a:1 AS x\nHEALTHCHECK NONE\nFROM x\n",
                DOCKER_MISSING_HEALTHCHECK
            )
            .is_empty()
        );
        assert!(
            lines_of(
                "FROM a:1 AS b\nFROM scratch\nCOPY --from=b /out /\n",
                DOCKER_MISSING_HEALTHCHECK
            )
            .is_empty()
        );
        assert_eq!(
            lines_of(
                "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n",
                DOCKER_MISSING_HEALTHCHECK
            ),
            vec![1]
        );
    }

    #[test]
    fn curl_pipe_shell_forms() {
        let bad = [
            "RUN curl -fsSL https://x/install.sh | sh",
            "RUN wget -qO- https://x | sudo -E bash -",
            "RUN curl https://x | bash -s -- --yes",
            "RUN curl https://x | tee /tmp/i.sh | sh",
            "RUN curl https://x 2>&1 | python3 -",
            "RUN sh -c \"$(curl -fsSL https://x)\"",
            "RUN bash <(curl -s https://x)",
            "RUN eval \"$(wget -O- https://x)\"",
            "RUN [\"sh\", \"-c\", \"curl https://x | sh\"]",
            "RUN iwr https://x -UseBasicParsing | iex",
            "RUN iex ((New-Object System.Net.WebClient).DownloadString('https://x/install.ps1'))",
            "RUN if curl -s https://x | sh; then true; fi",
        ];
        for line in bad {
            let text = format!("FROM a:1\n{line}\n");
            assert_eq!(lines_of(&text, DOCKER_CURL_PIPE_SHELL), vec![2], "{line}");
        }
        let fine = [
            "RUN curl -fsSLo /tmp/i.sh https://x && sha256sum -c sums && sh /tmp/i.sh",
            "RUN curl -fsSL https://x | tar -xz -C /opt",
            "RUN curl -s https://api/x | python3 -c 'import json,sys; print(json.load(sys.stdin))'",
            "RUN curl -s https://x | jq -r .version",
            "RUN curl -fsSL https://x | gpg --dearmor -o /k.gpg",
            "RUN echo 'curl https://x | sh'",
            "RUN curl -fsSL https://x -o x.sh; sh x.sh",
            "RUN bash -c \"VERSION=$(curl -s https://x/latest) && echo $VERSION\"",
            "RUN curl https://x | sh -c 'cat > /out'",
            "# RUN curl https://x | sh",
        ];
        for line in fine {
            let text = format!("FROM a:1\n{line}\n");
            assert!(lines_of(&text, DOCKER_CURL_PIPE_SHELL).is_empty(), "{line}");
        }
    }

    #[test]
    fn curl_pipe_shell_points_at_the_continued_line() {
        let text = "FROM a:1\nRUN apt-get update \\\n  && apt-get install -y ca-certificates=1 \\\n  && curl -fsSL https://x \\\n     | bash\n";
        assert_eq!(lines_of(text, DOCKER_CURL_PIPE_SHELL), vec![4]);
    }

    #[test]
    fn heredoc_scripts_are_checked_and_data_is_not() {
        let text = "FROM a:1\nRUN <<EOF\nset -e\ncurl -fsSL https://x | sh\nEOF\nRUN cat <<EOF > /etc/motd\ncurl https://x | sh\nEOF\nRUN python3 <<EOF\nimport os\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint('curl x | sh')\nEOF\nRUN bash -ex <<'EOF'\nwget -qO- https://y | sh\nEOF\n";
        assert_eq!(lines_of(text, DOCKER_CURL_PIPE_SHELL), vec![4, 17]);
    }

    #[test]
    fn sudo_calls_installs_and_sudoers() {
        assert_eq!(
            lines_of(
                "FROM a:1\nRUN apt-get update && apt-get install -y \\\n  curl sudo\n",
                DOCKER_SUDO
            ),
            vec![3]
        );
        assert_eq!(
            lines_of("FROM a:1\nRUN sudo apt-get update\n", DOCKER_SUDO),
            vec![2]
        );
        assert_eq!(
            lines_of(
                "FROM a:1\nRUN echo 'app ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers\n",
                DOCKER_SUDO
            ),
            vec![2]
        );
        assert_eq!(
            lines_of("FROM a:1\nRUN apk add --no-cache sudo\n", DOCKER_SUDO),
            vec![2]
        );
        assert!(lines_of("FROM a:1\nRUN echo sudo && apt-get install -y sudoku\nRUN setpriv --reuid=1000 true\n", DOCKER_SUDO).is_empty());
    }

    #[test]
    fn expose_ssh() {
        assert_eq!(
            lines_of("FROM a:1\nEXPOSE 8080 \\\n  22/tcp\n", DOCKER_EXPOSE_SSH),
            vec![3]
        );
        assert!(lines_of("FROM a:1\nEXPOSE 2222 8022 220\n", DOCKER_EXPOSE_SSH).is_empty());
    }

    #[test]
    fn secrets_in_env_and_arg() {
        let text = "FROM a:1\nENV DB_PASSWORD=hunter2hunter2\nARG NPM_TOKEN=changeme\nENV API_KEY abc def\nENV A=1 \\\n    GITHUB_TOKEN=\"ghp_fake\"\nARG aws_secret_access_key=x1\nENV DB_PASS=letmein-2024 DB_PWD=s3cret-value\n";
        assert_eq!(
            lines_of(text, DOCKER_SECRET_IN_ENV_OR_ARG),
            vec![2, 3, 4, 6, 7, 8, 8]
        );
        let fine = "FROM a:1\nARG NPM_TOKEN\nENV TOKEN_URL=https://x\nENV DB_PASSWORD_FILE=/run/secrets/db\nENV GITHUB_TOKEN=${GITHUB_TOKEN}\nENV API_KEY=\nENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\nENV TOKENIZERS_PARALLELISM=false\nENV PWD=/app\nENV SECRET_KEY_BASE_DUMMY=1\nENV AWS_ACCESS_KEY_ID=AKIAEXAMPLE\n";
        assert!(lines_of(fine, DOCKER_SECRET_IN_ENV_OR_ARG).is_empty());
    }

    #[test]
    fn secret_files() {
        for bad in [
            ".env",
            "config/.env.production",
            "id_rsa",
            "/root/.ssh/",
            ".aws",
            "certs/server.key",
            "tls/privkey.pem",
            "*.pem",
            ".npmrc",
            "keystore.p12",
            "gcloud/credentials.json",
        ] {
            assert!(is_secret_file(bad), "{bad}");
        }
        for fine in [
            ".env.example",
            "id_rsa.pub",
            "certs/ca.pem",
            "fullchain.pem",
            "ca-bundle.pem",
            "cert.pem",
            "public.key",
            "src/",
            "environment.ts",
            "keys.py",
        ] {
            assert!(!is_secret_file(fine), "{fine}");
        }
        let text = "FROM a:1\nCOPY --chown=app:app .env package.json ./\nCOPY [\"id_rsa\", \"/root/.ssh/id_rsa\"]\nCOPY --chmod=600 [\"keys/deploy.pem\", \"/k/\"]\nCOPY --from=build /app/.env.example ./\nCOPY <<EOF /app/.env\nA=1\nEOF\n";
        assert_eq!(lines_of(text, DOCKER_COPY_SECRETS), vec![2, 3, 4]);
    }

    #[test]
    fn add_remote_url() {
        let text = "FROM a:1\nADD https://example.com/a.tar.gz /opt/\nADD --checksum=sha256:abc https://example.com/b.tar.gz /opt/\nADD https://github.com/moby/buildkit.git#0123456789abcdef0123456789abcdef01234567 /src\nADD git@github.com:org/repo.git#main /src\nADD local.tar.gz /opt/\nCOPY https://x /y\n";
        assert_eq!(lines_of(text, DOCKER_ADD_REMOTE_URL), vec![2, 5]);
    }

    #[test]
    fn apt_pins_cleanup_and_recommends() {
        let good = "FROM debian:12-slim\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends tini=0.19.0-1 \\\n && rm -rf /var/lib/apt/lists/*\n";
        assert!(lines_of(good, DOCKER_APT_NO_PIN_OR_CLEANUP).is_empty());
        let text = "FROM debian:12-slim\nRUN apt-get update\nRUN apt-get install -y curl\n";
        assert_eq!(
            hits(text).into_iter().filter(|h| h.0 == DOCKER_APT_NO_PIN_OR_CLEANUP).collect::<Vec<_>>(),
            vec![(
                DOCKER_APT_NO_PIN_OR_CLEANUP,
                3,
                "no version pin for curl; /var/lib/apt/lists not removed in this RUN; no --no-install-recommends".to_owned()
            )]
        );
        // A build stage that does not ship only needs pins.
        let build = "FROM debian:12 AS build\nRUN apt-get install -y gcc=4:12.2.0-3\nFROM gcr.io/distroless/base-debian12\n";
        assert!(lines_of(build, DOCKER_APT_NO_PIN_OR_CLEANUP).is_empty());
        // Cache mounts keep the lists out of the layer; variables and .deb files are not judged.
        let mounted = "FROM debian:12-slim\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get install -y --no-install-recommends $PKGS ./x.deb\n";
        assert!(lines_of(mounted, DOCKER_APT_NO_PIN_OR_CLEANUP).is_empty());
        // Cleanup before the install does not count.
        let early = "FROM debian:12-slim\nRUN rm -rf /var/lib/apt/lists/* && apt-get -y install --no-install-recommends a=1\n";
        assert_eq!(lines_of(early, DOCKER_APT_NO_PIN_OR_CLEANUP), vec![2]);
        // Heredoc scripts are read too.
        let heredoc = "FROM debian:12-slim\nRUN <<EOF\napt-get update\napt-get install -y --no-install-recommends a=1\nrm -rf /var/lib/apt/lists/*\nEOF\n";
        assert!(lines_of(heredoc, DOCKER_APT_NO_PIN_OR_CLEANUP).is_empty());
    }

    /// The registries list each rule whose TOML names this analyzer, once.
    #[test]
    fn the_registries_cover_the_analyzers_rules() {
        let mut listed: Vec<BuiltinRule> = RULES
            .iter()
            .chain(TREE_RULES)
            .flat_map(|rule| rule.ids().iter().copied())
            .collect();
        listed.sort();
        let declared: Vec<BuiltinRule> = crate::rules::AnalyzerKind::Dockerfile.rules().collect();
        assert_eq!(listed, declared);
    }

    #[test]
    fn whole_context_copy_is_found() {
        let text =
            "FROM a:1\nCOPY . .\nCOPY --from=build . /app\nCOPY src/ ./src/\nONBUILD ADD ./ /app\n";
        let file = parser::parse(text.as_bytes());
        let model = Model::new(&file);
        let mut sink = Sink::new();
        run_all(TREE_RULES, &model, &mut sink);
        let out = sink.hits();
        let src = Source::new("Dockerfile", FileKind::Dockerfile, text.as_bytes());
        let lines: Vec<u32> = out
            .iter()
            .map(|h| src.position(h.span.start).line)
            .collect();
        assert_eq!(lines, vec![2, 5]);
        assert_eq!(out[0].value.as_deref(), Some("COPY . ."));
    }

    #[test]
    fn dockerignore_lookup() {
        let files: Vec<super::super::TreeFile> = [
            ".dockerignore",
            "a/Dockerfile",
            "b/c/Dockerfile",
            "d/Dockerfile.prod",
            "d/Dockerfile.prod.dockerignore",
        ]
        .iter()
        .map(|p| super::super::TreeFile {
            path: (*p).to_owned(),
            kind: FileKind::detect(p, b""),
            size: 1,
            binary: false,
        })
        .collect();
        let mut sorted = files.clone();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        let tree = Tree {
            root: std::path::Path::new("."),
            files: &sorted,
        };
        assert!(has_dockerignore(&tree, "a/Dockerfile"));
        assert!(has_dockerignore(&tree, "d/Dockerfile.prod"));
        let without: Vec<_> = sorted
            .iter()
            .filter(|f| f.path != ".dockerignore")
            .cloned()
            .collect();
        let tree = Tree {
            root: std::path::Path::new("."),
            files: &without,
        };
        assert!(!has_dockerignore(&tree, "b/c/Dockerfile"));
        assert!(has_dockerignore(&tree, "d/Dockerfile.prod"));
    }

    #[test]
    fn a_clean_dockerfile_has_no_findings() {
        let text = format!(
            "# syntax=docker/dockerfile:1\nFROM golang:1.22-bookworm@sha256:{d} AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go build -o /out/app .\n\nFROM gcr.io/distroless/static-debian12:nonroot@sha256:{d}\nCOPY --from=build /out/app /app\nEXPOSE 8080\n{GOOD_TAIL}ENTRYPOINT [\"/app\"]\n",
            d = "0".repeat(64)
        );
        assert_eq!(hits(&text), vec![]);
    }

    #[test]
    fn hostile_input_is_bounded() {
        let mut text = String::from("FROM a:1\nRUN true");
        for _ in 0..100_000 {
            text.push_str(" \\\n  && curl -s https://x | sh");
        }
        text.push('\n');
        let start = std::time::Instant::now();
        let found = lines_of(&text, DOCKER_CURL_PIPE_SHELL);
        assert_eq!(found.len(), MAX_HITS_PER_RULE);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "hang guard only"
        );
        for odd in [
            "FROM",
            "FROM \\",
            "USER",
            "ENV",
            "ENV =",
            "ARG =x",
            "COPY",
            "ADD x",
            "EXPOSE",
            "RUN [",
            "ONBUILD",
            "ONBUILD RUN",
            "FROM ${",
            "FROM a@",
            "FROM :",
            "RUN <<EOF\n",
        ] {
            let _ = hits(odd);
        }
    }
}
