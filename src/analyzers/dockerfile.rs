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

mod parser;
mod shell;

use super::{Context, Hit, Tree, TreeHit, Unparsed};
use crate::rules::BuiltinRule;
use crate::source::{FileKind, Source};
use parser::{Dockerfile, Text};
use shell::{Command, Word};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use crate::rules::DOCKER_ADD_REMOTE_URL as ADD_REMOTE_URL;
use crate::rules::DOCKER_APT_NO_PIN_OR_CLEANUP as APT_NO_PIN_OR_CLEANUP;
use crate::rules::DOCKER_BASE_IMAGE_NO_DIGEST as BASE_IMAGE_NO_DIGEST;
use crate::rules::DOCKER_COPY_SECRETS as COPY_SECRETS;
use crate::rules::DOCKER_COPY_WHOLE_CONTEXT_NO_DOCKERIGNORE as COPY_WHOLE_CONTEXT;
use crate::rules::DOCKER_CURL_PIPE_SHELL as CURL_PIPE_SHELL;
use crate::rules::DOCKER_EXPOSE_SSH as EXPOSE_SSH;
use crate::rules::DOCKER_FULL_OS_BASE as FULL_OS_BASE;
use crate::rules::DOCKER_MISSING_HEALTHCHECK as MISSING_HEALTHCHECK;
use crate::rules::DOCKER_RUN_AS_ROOT as RUN_AS_ROOT;
use crate::rules::DOCKER_SECRET_IN_ENV_OR_ARG as SECRET_IN_ENV_OR_ARG;
use crate::rules::DOCKER_SUDO as SUDO;
use crate::rules::DOCKER_UNPINNED_BASE_IMAGE as UNPINNED_BASE_IMAGE;

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
pub fn check(src: &Source, out: &mut Vec<Hit>) -> Result<(), Unparsed> {
    let file = parser::parse(src.bytes);
    let model = Model::new(&file);
    model.base_images(out);
    model.full_os_base(out);
    model.run_as_root(out);
    model.missing_healthcheck(out);
    for view in &model.views {
        model.instruction_rules(view, out);
    }
    cap_per_rule(out);
    match file
        .instructions
        .iter()
        .find(|i| !INSTRUCTIONS.contains(&i.keyword.as_str()))
    {
        Some(unknown) => {
            let shown: String = unknown.keyword.chars().take(40).collect();
            let mut err = Unparsed::at(
                src,
                unknown.keyword_span.start,
                &format!("unknown instruction `{shown}`"),
            );
            err.partial = true;
            Err(err)
        }
        None => Ok(()),
    }
}

/// Most hits one rule reports in one file, as for regex rules: past that the file is generated
/// or hostile, and more findings help nobody.
const MAX_HITS_PER_RULE: usize = 200;

fn cap_per_rule(hits: &mut Vec<Hit>) {
    let mut counts: BTreeMap<BuiltinRule, usize> = BTreeMap::new();
    hits.retain(|hit| {
        let count = counts.entry(hit.rule).or_default();
        *count += 1;
        *count <= MAX_HITS_PER_RULE
    });
}

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
        let Some(bytes) = read_bounded(&tree.root.join(&entry.path)) else {
            continue;
        };
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
        let file = parser::parse(bytes);
        let model = Model::new(&file);
        let mut hits = Vec::new();
        for view in &model.views {
            model.whole_context(view, &mut hits);
        }
        cap_per_rule(&mut hits);
        if hits.is_empty() {
            continue;
        }
        let source = Source::new(&entry.path, FileKind::Dockerfile, bytes);
        for hit in hits {
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

// ---------------------------------------------------------------------------------------------
// The model: stages and instructions.

/// What a stage is built on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Base {
    Scratch,
    /// An earlier stage of this file.
    Stage(usize),
    Image(ImageRef),
}

/// An image reference, after `ARG` substitution. Unresolved variables stay as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ImageRef {
    /// As resolved (`node:20-slim`), for messages.
    text: String,
    /// Lowercase repository path with registry, without tag or digest.
    name: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl ImageRef {
    fn parse(text: &str) -> ImageRef {
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.to_owned())),
            None => (text, None),
        };
        let last = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last..].rfind(':') {
            Some(colon) => (
                &rest[..last + colon],
                Some(rest[last + colon + 1..].to_owned()),
            ),
            None => (rest, None),
        };
        ImageRef {
            text: text.to_owned(),
            name: name.to_ascii_lowercase(),
            tag,
            digest,
        }
    }

    /// The name without a Docker Hub registry or `library/` prefix (`docker.io/library/node`
    /// → `node`).
    fn short_name(&self) -> &str {
        let mut name = self.name.as_str();
        for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
            name = name.strip_prefix(prefix).unwrap_or(name);
        }
        name.strip_prefix("library/").unwrap_or(name)
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

#[derive(Debug)]
struct Stage {
    /// Index of the `FROM` in the instructions.
    from: usize,
    /// Lowercase `AS` name.
    name: Option<String>,
    base: Base,
    /// The image word in the `FROM`, as written and where.
    image_word: String,
    image_span: Range<usize>,
}

/// An instruction as the rules see it: `ONBUILD X …` is unwrapped to `X …`.
struct View<'f> {
    index: usize,
    stage: Option<usize>,
    keyword: Cow<'f, str>,
    args: Cow<'f, Text>,
    onbuild: bool,
}

/// What the stage-level rules need to know about one stage (ONBUILD instructions excluded).
#[derive(Debug, Default, Clone, Copy)]
struct StageFacts {
    /// Index in `views` of the stage's last `USER`.
    last_user: Option<usize>,
    healthcheck: bool,
    /// Has a `CMD` or `ENTRYPOINT`.
    runs: bool,
}

struct Model<'f> {
    file: &'f Dockerfile,
    stages: Vec<Stage>,
    facts: Vec<StageFacts>,
    views: Vec<View<'f>>,
    /// The final stage followed by the stages it is built on (`FROM <stage>`), nearest first.
    chain: Vec<usize>,
    /// Per stage: part of the final image (in `chain`).
    shipped: Vec<bool>,
    /// Some `RUN` writes an apt setting for `Install-Recommends`.
    recommends_configured: bool,
}

impl<'f> Model<'f> {
    fn new(file: &'f Dockerfile) -> Model<'f> {
        let mut stages: Vec<Stage> = Vec::new();
        let mut facts: Vec<StageFacts> = Vec::new();
        let mut names: BTreeMap<String, usize> = BTreeMap::new();
        let mut views = Vec::with_capacity(file.instructions.len());
        let mut recommends_configured = false;
        // Build arguments declared before the first FROM: the only ones FROM can use.
        let mut global_args: BTreeMap<String, Option<String>> = BTreeMap::new();
        for (index, inst) in file.instructions.iter().enumerate() {
            match inst.keyword.as_str() {
                "ARG" if stages.is_empty() => {
                    for word in shell::words(&inst.args.text) {
                        let (name, default) = match word.value.split_once('=') {
                            Some((name, value)) => (name, Some(expand(value, &global_args))),
                            None => (word.value.as_str(), None),
                        };
                        global_args.insert(name.to_owned(), default);
                    }
                }
                "FROM" => {
                    let stage = Self::stage(index, &inst.args, &global_args, &names);
                    if let Some(name) = &stage.name {
                        names.insert(name.clone(), stages.len());
                    }
                    stages.push(stage);
                    facts.push(StageFacts::default());
                }
                "RUN" => {
                    recommends_configured = recommends_configured
                        || contains_ignore_case(&inst.args.text, "apt::install-recommends")
                        || inst
                            .heredocs
                            .iter()
                            .any(|h| contains_ignore_case(&h.body.text, "apt::install-recommends"));
                }
                _ => {}
            }
            if let Some(f) = facts.last_mut() {
                match inst.keyword.as_str() {
                    "USER" => f.last_user = Some(views.len()),
                    "HEALTHCHECK" => f.healthcheck = true,
                    "CMD" | "ENTRYPOINT" => f.runs = true,
                    _ => {}
                }
            }
            let (keyword, args, onbuild) = if inst.keyword == "ONBUILD" {
                let text = &inst.args.text;
                let start = text.len() - text.trim_start().len();
                let end = text[start..]
                    .find(char::is_whitespace)
                    .map_or(text.len(), |i| start + i);
                (
                    Cow::Owned(text[start..end].to_ascii_uppercase()),
                    Cow::Owned(inst.args.slice(end..text.len())),
                    true,
                )
            } else {
                (
                    Cow::Borrowed(inst.keyword.as_str()),
                    Cow::Borrowed(&inst.args),
                    false,
                )
            };
            views.push(View {
                index,
                stage: stages.len().checked_sub(1),
                keyword,
                args,
                onbuild,
            });
        }
        let mut chain = Vec::new();
        let mut current = stages.len().checked_sub(1);
        while let Some(stage) = current {
            chain.push(stage);
            current = match stages[stage].base {
                // Only earlier stages can be named, so this always ends.
                Base::Stage(parent) if parent < stage => Some(parent),
                _ => None,
            };
        }
        let mut shipped = vec![false; stages.len()];
        for &stage in &chain {
            shipped[stage] = true;
        }
        Model {
            file,
            stages,
            facts,
            views,
            chain,
            shipped,
            recommends_configured,
        }
    }

    fn stage(
        index: usize,
        args: &Text,
        global_args: &BTreeMap<String, Option<String>>,
        earlier: &BTreeMap<String, usize>,
    ) -> Stage {
        let words = shell::words(&args.text);
        let mut rest = words.iter().skip_while(|w| w.value.starts_with("--"));
        let image = rest.next();
        let name = match (rest.next(), rest.next()) {
            (Some(r#as), Some(name)) if r#as.value.eq_ignore_ascii_case("as") => {
                Some(name.value.to_ascii_lowercase())
            }
            _ => None,
        };
        let image_word = image.map_or(String::new(), |w| w.value.clone());
        let image_span = image.map_or_else(
            || {
                let at = args.offset(0);
                at..at
            },
            |w| args.span(w.range.clone()),
        );
        let resolved = expand(&image_word, global_args);
        let lower = resolved.to_ascii_lowercase();
        let base = if lower == "scratch" {
            Base::Scratch
        } else if let Some(&stage) = earlier.get(&lower) {
            Base::Stage(stage)
        } else {
            Base::Image(ImageRef::parse(&resolved))
        };
        Stage {
            from: index,
            name,
            base,
            image_word,
            image_span,
        }
    }

    fn stage_keyword_span(&self, stage: usize) -> Range<usize> {
        self.file.instructions[self.stages[stage].from]
            .keyword_span
            .clone()
    }

    // -----------------------------------------------------------------------------------------
    // Base images.

    fn base_images(&self, out: &mut Vec<Hit>) {
        for stage in &self.stages {
            let Base::Image(image) = &stage.base else {
                continue;
            };
            let rule = match pin_of(image) {
                Pin::Unpinned => UNPINNED_BASE_IMAGE,
                Pin::TagOnly => BASE_IMAGE_NO_DIGEST,
                Pin::Digest | Pin::Unknown => continue,
            };
            out.push(Hit::new(rule, stage.image_span.clone()).with_value(&image.text));
        }
    }

    fn full_os_base(&self, out: &mut Vec<Hit>) {
        let Some(&root) = self.chain.last() else {
            return;
        };
        let stage = &self.stages[root];
        if let Base::Image(image) = &stage.base
            && is_full_os(image)
        {
            out.push(
                Hit::new(FULL_OS_BASE, stage.image_span.clone())
                    .with_value(short_image(&image.text)),
            );
        }
    }

    // -----------------------------------------------------------------------------------------
    // The final stage: user and health check.

    fn run_as_root(&self, out: &mut Vec<Hit>) {
        let chain = &self.chain;
        let Some(&last) = chain.first() else {
            return;
        };
        for &stage in chain {
            let Some(user) = self.facts[stage].last_user.map(|v| &self.views[v]) else {
                continue;
            };
            let words = shell::words(&user.args.text);
            let Some(word) = words.first() else {
                return;
            };
            let name = word.value.split(':').next().unwrap_or("");
            if name == "root" || name == "0" {
                let span = user.args.span(word.range.clone());
                out.push(Hit::new(RUN_AS_ROOT, span).with_value(format!("USER {}", word.value)));
            }
            return;
        }
        // No USER anywhere: the base image decides, and almost every image runs as root.
        let root = chain.last().copied().unwrap_or(last);
        if let Base::Image(image) = &self.stages[root].base
            && image
                .tag
                .as_deref()
                .is_some_and(|t| t.to_ascii_lowercase().contains("nonroot"))
        {
            return;
        }
        let value = format!(
            "no USER after FROM {}",
            short_image(&self.stages[last].image_word)
        );
        out.push(Hit::new(RUN_AS_ROOT, self.stage_keyword_span(last)).with_value(value));
    }

    fn missing_healthcheck(&self, out: &mut Vec<Hit>) {
        let chain = &self.chain;
        let Some(&last) = chain.first() else {
            return;
        };
        if chain.iter().any(|&s| self.facts[s].healthcheck) {
            return;
        }
        // A `FROM scratch` image with nothing to run is an artifact export, not a service.
        let root = chain.last().copied().unwrap_or(last);
        let runs = chain.iter().any(|&s| self.facts[s].runs);
        if self.stages[root].base == Base::Scratch && !runs {
            return;
        }
        out.push(
            Hit::new(MISSING_HEALTHCHECK, self.stage_keyword_span(last))
                .with_value(short_image(&self.stages[last].image_word)),
        );
    }

    // -----------------------------------------------------------------------------------------
    // Rules on single instructions.

    fn instruction_rules(&self, view: &View, out: &mut Vec<Hit>) {
        match view.keyword.as_ref() {
            "RUN" | "CMD" | "ENTRYPOINT" => {
                let scripts = self.scripts(view);
                sudo(&scripts, out);
                curl_pipe_shell(&scripts, out);
                if view.keyword == "RUN" {
                    self.apt(view, &scripts, out);
                }
            }
            "EXPOSE" => {
                for word in shell::words(&view.args.text) {
                    let port = word.value.split('/').next().unwrap_or("");
                    if port == "22" {
                        out.push(
                            Hit::new(EXPOSE_SSH, view.args.span(word.range.clone()))
                                .with_value(word.value.clone()),
                        );
                    }
                }
            }
            "ENV" | "ARG" => secret_settings(view, out),
            "COPY" | "ADD" => {
                let (flags, sources) = self.copy_sources(view);
                for source in &sources {
                    if is_secret_file(&source.value) {
                        out.push(
                            Hit::new(COPY_SECRETS, view.args.span(source.range.clone()))
                                .with_value(source.value.clone()),
                        );
                    }
                }
                let checksum = flags.iter().any(|f| f.value.starts_with("--checksum"));
                if view.keyword == "ADD" && !checksum {
                    for source in &sources {
                        if is_unverified_remote(&source.value) {
                            out.push(
                                Hit::new(ADD_REMOTE_URL, view.args.span(source.range.clone()))
                                    .with_value(source.value.clone()),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Flags and sources of `COPY`/`ADD` (the last argument, the destination, left out; heredoc
    /// sources left out). Word ranges are in `view.args`.
    fn copy_sources(&self, view: &View) -> (Vec<Word>, Vec<Word>) {
        let text = &view.args.text;
        let mut words = shell::words(text);
        let split = words
            .iter()
            .position(|w| !w.value.starts_with("--"))
            .unwrap_or(words.len());
        let flags: Vec<Word> = words.drain(..split).collect();
        // Exec form after the flags: `COPY --chown=app ["a b", "/dst/"]`.
        let after_flags = flags.last().map_or(0, |f| f.range.end);
        let mut rest = match text.get(after_flags..).and_then(shell::json_array) {
            Some(array) => array
                .into_iter()
                .map(|w| Word {
                    range: w.range.start + after_flags..w.range.end + after_flags,
                    value: w.value,
                })
                .collect(),
            None => words
                .into_iter()
                .filter(|w| !w.value.starts_with("<<"))
                .collect::<Vec<_>>(),
        };
        rest.pop();
        (flags, rest)
    }

    fn whole_context(&self, view: &View, out: &mut Vec<Hit>) {
        if !matches!(view.keyword.as_ref(), "COPY" | "ADD") {
            return;
        }
        let (flags, sources) = self.copy_sources(view);
        if flags.iter().any(|f| f.value.starts_with("--from")) {
            return;
        }
        if let Some(source) = sources
            .iter()
            .find(|s| matches!(s.value.as_str(), "." | "./" | "*" | "./*"))
        {
            let text = view
                .args
                .text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let mut value = format!("{} {}", view.keyword, text);
            if value.chars().count() > 80 {
                value = value.chars().take(79).chain(['…']).collect();
            }
            out.push(
                Hit::new(COPY_WHOLE_CONTEXT, view.args.span(source.range.clone()))
                    .with_value(value),
            );
        }
    }

    /// The shell scripts an instruction runs: its shell form, the script of `sh -c` in its exec
    /// form, and heredocs fed to a shell.
    fn scripts(&self, view: &View) -> Vec<Script> {
        let mut out = Vec::new();
        let mut body: Cow<Text> = Cow::Borrowed(view.args.as_ref());
        let mut mounts = Vec::new();
        if view.keyword == "RUN" {
            // RUN flags (`--mount=…`, `--network=…`) come first.
            let words = shell::words(&body.text);
            let flags: Vec<&Word> = words
                .iter()
                .take_while(|w| w.value.starts_with("--"))
                .collect();
            if let Some(last) = flags.last() {
                mounts = flags
                    .iter()
                    .filter(|w| w.value.starts_with("--mount"))
                    .map(|w| w.value.to_ascii_lowercase())
                    .collect();
                body = Cow::Owned(body.slice(last.range.end..body.text.len()));
            }
        }
        if let Some(array) = shell::json_array(&body.text) {
            if let Some(script) = dash_c_script(&array) {
                let offset = body.offset(script.range.start);
                out.push(Script::new(
                    Text::opaque(script.value.clone(), offset),
                    mounts.clone(),
                ));
            }
            out.push(Script {
                text: body.into_owned(),
                commands: vec![Command {
                    words: array,
                    piped: false,
                }],
                mounts,
            });
            return out;
        }
        let commands = shell::commands(&body.text);
        // One level of `sh -c "…"` inside the shell form (not further: no recursion).
        for command in &commands {
            let inv = invocation(&command.words);
            if let Some(p) = inv.program
                && let Some(script) = dash_c_script(&command.words[p..])
            {
                let offset = body.offset(script.range.start);
                out.push(Script::new(
                    Text::opaque(script.value.clone(), offset),
                    mounts.clone(),
                ));
            }
        }
        if !view.onbuild && view.keyword == "RUN" {
            let heredocs = &self.file.instructions[view.index].heredocs;
            let markers = shell::heredoc_markers(&body.text);
            let owners = heredoc_owners(&commands, &markers);
            for (heredoc, owner) in heredocs.iter().zip(owners) {
                if heredoc_is_script(owner, &heredoc.body) {
                    out.push(Script::new(heredoc.body.clone(), mounts.clone()));
                }
            }
        }
        out.insert(
            0,
            Script {
                text: body.into_owned(),
                commands,
                mounts,
            },
        );
        out
    }

    fn apt(&self, view: &View, scripts: &[Script], out: &mut Vec<Hit>) {
        let Some(stage) = view.stage else {
            return;
        };
        let shipped = self.shipped.get(stage).copied().unwrap_or(false);
        let recommends_configured = self.recommends_configured;
        let cache_mounted = scripts.iter().any(|s| {
            s.mounts.iter().any(|m| {
                (m.contains("type=cache") || m.contains("type=tmpfs")) && m.contains("/var/lib/apt")
            })
        });
        // File offsets of everything that removes the package lists in this RUN.
        let cleanups: Vec<usize> = scripts
            .iter()
            .flat_map(|s| {
                s.commands.iter().filter_map(|c| {
                    let inv = invocation(&c.words);
                    let program = c.words.get(inv.program?)?;
                    let args = &c.words[inv.program? + 1..];
                    let removes = match program.program_name() {
                        "rm" | "find" => args
                            .iter()
                            .any(|a| a.value.starts_with("/var/lib/apt/lists")),
                        "apt-get" | "apt" => apt_subcommand(args)
                            .is_some_and(|(_, sub)| sub == "distclean" || sub == "dist-clean"),
                        _ => false,
                    };
                    removes.then(|| s.text.offset(program.range.start))
                })
            })
            .collect();
        for script in scripts {
            for command in &script.commands {
                let inv = invocation(&command.words);
                let Some(p) = inv.program else { continue };
                let program = &command.words[p];
                if !matches!(program.program_name(), "apt-get" | "apt" | "aptitude") {
                    continue;
                }
                let args = &command.words[p + 1..];
                let Some((sub_index, sub)) = apt_subcommand(args) else {
                    continue;
                };
                if sub != "install" {
                    continue;
                }
                let packages = apt_packages(&args[sub_index + 1..]);
                if packages.is_empty() {
                    continue;
                }
                let at = script.text.offset(program.range.start);
                let mut problems = Vec::new();
                let unpinned: Vec<&str> = packages
                    .iter()
                    .filter(|p| {
                        !p.contains('=')
                            && !p.contains('$')
                            && !p.ends_with(".deb")
                            && !p.starts_with(['/', '.'])
                    })
                    .copied()
                    .collect();
                if !unpinned.is_empty() {
                    let mut names = unpinned
                        .iter()
                        .take(3)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ");
                    if unpinned.len() > 3 {
                        names.push_str(", …");
                    }
                    problems.push(format!("no version pin for {names}"));
                }
                if shipped {
                    if !cache_mounted && !cleanups.iter().any(|&c| c > at) {
                        problems.push("/var/lib/apt/lists not removed in this RUN".to_owned());
                    }
                    let no_recommends = recommends_configured
                        || args.iter().any(|a| {
                            let v = a.value.to_ascii_lowercase();
                            v == "--no-install-recommends"
                                || v.contains("install-recommends=false")
                                || v.contains("install-recommends=0")
                        });
                    if !no_recommends {
                        problems.push("no --no-install-recommends".to_owned());
                    }
                }
                if problems.is_empty() {
                    continue;
                }
                let span = script.text.span(program.range.clone());
                out.push(Hit::new(APT_NO_PIN_OR_CLEANUP, span).with_value(problems.join("; ")));
            }
        }
    }
}

/// A shell script inside an instruction, with its commands, and the `RUN --mount` flags.
struct Script {
    text: Text,
    commands: Vec<Command>,
    mounts: Vec<String>,
}

impl Script {
    fn new(text: Text, mounts: Vec<String>) -> Script {
        let commands = shell::commands(&text.text);
        Script {
            text,
            commands,
            mounts,
        }
    }
}

fn contains_ignore_case(haystack: &str, lower_needle: &str) -> bool {
    haystack.to_ascii_lowercase().contains(lower_needle)
}

// ---------------------------------------------------------------------------------------------
// Build arguments.

/// Substitutes `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}` and
/// `${NAME+word}` from `args`. A reference whose value only the build knows stays as written.
fn expand(text: &str, args: &BTreeMap<String, Option<String>>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(inner_start) = after.strip_prefix('{') {
            let Some(close) = inner_start.find('}') else {
                out.push_str(&rest[dollar..]);
                return out;
            };
            let inner = &inner_start[..close];
            let reference = &rest[dollar..dollar + close + 3];
            let name_len = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            let (name, modifier) = inner.split_at(name_len);
            let value = args.get(name).cloned().flatten();
            let resolved = match modifier {
                "" => value,
                m if m.starts_with(":-") => Some(
                    value
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| m[2..].to_owned()),
                ),
                m if m.starts_with('-') => Some(value.unwrap_or_else(|| m[1..].to_owned())),
                m if m.starts_with(":+") => value.map(|v| {
                    if v.is_empty() {
                        String::new()
                    } else {
                        m[2..].to_owned()
                    }
                }),
                m if m.starts_with('+') => value.map(|_| m[1..].to_owned()),
                _ => None,
            };
            out.push_str(resolved.as_deref().unwrap_or(reference));
            rest = &inner_start[close + 1..];
        } else {
            let name_len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = &after[..name_len];
            match args.get(name).cloned().flatten() {
                Some(value) if !name.is_empty() => out.push_str(&value),
                _ => out.push_str(&rest[dollar..dollar + 1 + name_len]),
            }
            rest = &after[name_len..];
        }
    }
    out.push_str(rest);
    out
}

/// Text that a template engine or a person fills in before the build (`{{ image }}`,
/// `{base_image_tag}`, `<your-token>`, `%TOKEN%`): not a value seccoach can judge.
fn is_template(text: &str) -> bool {
    let brace = text
        .match_indices('{')
        .any(|(i, _)| i == 0 || text.as_bytes()[i - 1] != b'$');
    brace
        || (text.starts_with('<') && text.ends_with('>'))
        || (text.len() > 2 && text.starts_with('%') && text.ends_with('%'))
}

/// An image reference for messages, its digest cut short (`node:20@sha256:1a2b3c4d5e6f…`).
fn short_image(text: &str) -> String {
    match text.split_once("@sha256:") {
        Some((name, digest)) if digest.len() > 12 => {
            let cut: String = digest.chars().take(12).collect();
            format!("{name}@sha256:{cut}…")
        }
        _ => text.to_owned(),
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

// ---------------------------------------------------------------------------------------------
// Commands.

/// Where the program of a simple command is, after assignments, shell keywords, redirections
/// and wrappers (`sudo`, `env`, `nice`…); and where a `sudo` was, if any.
#[derive(Debug, Default)]
struct Invocation {
    sudo: Option<usize>,
    program: Option<usize>,
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// `>`, `2>&1`, `<<EOF`, `&>log`: returns how many words the redirection takes (1 or 2).
fn redirection(word: &str) -> Option<usize> {
    let op = word.trim_start_matches(|c: char| c.is_ascii_digit());
    if op.starts_with("<(") || op.starts_with(">(") {
        return None;
    }
    if !(op.starts_with(['<', '>']) || op.starts_with("&>")) {
        return None;
    }
    let bare = op.trim_start_matches(['<', '>', '&', '|', '-']).is_empty();
    Some(if bare { 2 } else { 1 })
}

fn invocation(words: &[Word]) -> Invocation {
    let mut inv = Invocation::default();
    let mut i = 0;
    while let Some(word) = words.get(i) {
        let value = word.value.as_str();
        if is_assignment(value)
            || matches!(
                value,
                "if" | "then"
                    | "else"
                    | "elif"
                    | "do"
                    | "while"
                    | "until"
                    | "!"
                    | "{"
                    | "}"
                    | "time"
                    | "command"
                    | "builtin"
                    | "exec"
                    | "nohup"
            )
        {
            i += 1;
            continue;
        }
        if let Some(n) = redirection(value) {
            i += n;
            continue;
        }
        // Options of the wrapper that take a value.
        let valued: &[&str] = match word.program_name() {
            "sudo" | "doas" => {
                inv.sudo.get_or_insert(i);
                &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"]
            }
            "env" => &["-u", "-C", "-S"],
            "nice" => &["-n"],
            "timeout" => &["-s", "-k"],
            _ => {
                inv.program = Some(i);
                return inv;
            }
        };
        let is_timeout = word.program_name() == "timeout";
        i += 1;
        while let Some(next) = words.get(i) {
            if valued.contains(&next.value.as_str()) {
                i += 2;
            } else if next.is_option() || is_assignment(&next.value) {
                i += 1;
            } else {
                break;
            }
        }
        if is_timeout {
            // The duration.
            i += 1;
        }
    }
    inv
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Shell,
    Python,
    Perl,
    Ruby,
    Node,
    Php,
    PowerShell,
}

fn lang(program: &str) -> Option<Lang> {
    let lower = program.to_ascii_lowercase();
    let base = lower
        .strip_suffix(".exe")
        .unwrap_or(&lower)
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match base {
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "mksh" => Lang::Shell,
        "python" | "pypy" => Lang::Python,
        "perl" => Lang::Perl,
        "ruby" => Lang::Ruby,
        "node" | "nodejs" => Lang::Node,
        "php" => Lang::Php,
        "iex" | "invoke-expression" => Lang::PowerShell,
        _ => return None,
    })
}

/// True when an interpreter called with `args` reads its program from standard input (rather
/// than from `-c`/`-e`/`-m` or a script file).
fn reads_program_from_stdin(lang: Lang, args: &[Word]) -> bool {
    if lang == Lang::PowerShell {
        return true;
    }
    let mut i = 0;
    while let Some(word) = args.get(i) {
        let v = word.value.as_str();
        if v == "-" {
            return true;
        }
        if v == "--" {
            return args.get(i + 1).is_none();
        }
        if let Some(long) = v.strip_prefix("--") {
            if matches!(long, "command" | "eval" | "print") {
                return false;
            }
            i += 1;
            continue;
        }
        let short = v
            .strip_prefix('-')
            .or_else(|| (lang == Lang::Shell).then(|| v.strip_prefix('+')).flatten());
        if let Some(flags) = short.filter(|f| !f.is_empty()) {
            let from_argument = match lang {
                Lang::Shell => flags.contains('c'),
                Lang::Python => flags.contains(['c', 'm']),
                Lang::Perl | Lang::Ruby => flags.contains(['e', 'E']),
                Lang::Node => flags.contains(['e', 'p']),
                Lang::Php => flags.contains(['r', 'f']),
                Lang::PowerShell => false,
            };
            if from_argument {
                return false;
            }
            if lang == Lang::Shell && flags.contains('s') {
                return true;
            }
            let takes_value = match lang {
                Lang::Shell => flags == "o",
                Lang::Python => flags == "W" || flags == "X",
                _ => false,
            };
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        // A script file: standard input is only data.
        return false;
    }
    true
}

/// In exec form, the script of `["sh", "-c", "…"]`.
fn dash_c_script(array: &[Word]) -> Option<&Word> {
    let first = array.first()?;
    if lang(first.program_name()) != Some(Lang::Shell) {
        return None;
    }
    let c = array.iter().position(|w| {
        w.value.len() > 1
            && w.value.starts_with('-')
            && !w.value.starts_with("--")
            && w.value.contains('c')
    })?;
    array.get(c + 1)
}

/// For each heredoc opener, the command it belongs to. Both lists are in text order, so one
/// forward walk pairs them.
fn heredoc_owners<'c>(
    commands: &'c [Command],
    markers: &[shell::HeredocMarker],
) -> Vec<Option<&'c Command>> {
    let mut out = Vec::with_capacity(markers.len());
    let mut index = 0;
    for marker in markers {
        let at = marker.range.start;
        while commands
            .get(index)
            .and_then(|c| c.words.last())
            .is_some_and(|w| w.range.end <= at)
        {
            index += 1;
        }
        let owner = commands
            .get(index)
            .filter(|c| c.words.first().is_some_and(|w| w.range.start <= at));
        out.push(owner);
    }
    out
}

/// Whether a heredoc body is a shell script (rather than a file's contents or another
/// language's program): it is when it feeds a shell, or nothing at all (the default shell).
fn heredoc_is_script(owner: Option<&Command>, body: &Text) -> bool {
    match owner.and_then(|c| invocation(&c.words).program.map(|p| (c, p))) {
        Some((command, p)) => {
            let program = &command.words[p];
            lang(program.program_name()) == Some(Lang::Shell)
                && !command.words[p + 1..].iter().any(|w| {
                    w.value.starts_with('-') && !w.value.starts_with("--") && w.value.contains('c')
                })
        }
        None => {
            let first_line = body.text.lines().next().unwrap_or("");
            match first_line.strip_prefix("#!") {
                Some(shebang) => {
                    let mut parts = shebang.split_whitespace();
                    let mut program = parts.next().unwrap_or("").rsplit('/').next().unwrap_or("");
                    if program == "env" {
                        program = parts.find(|p| !p.starts_with('-')).unwrap_or("");
                    }
                    lang(program) == Some(Lang::Shell)
                }
                None => true,
            }
        }
    }
}

fn is_downloader(program: &str) -> bool {
    let lower = program.to_ascii_lowercase();
    matches!(
        lower.strip_suffix(".exe").unwrap_or(&lower),
        "curl" | "wget" | "iwr" | "irm" | "invoke-webrequest" | "invoke-restmethod"
    )
}

fn curl_pipe_shell(scripts: &[Script], out: &mut Vec<Hit>) {
    for script in scripts {
        let mut downloader: Option<&Word> = None;
        let mut previous_piped = false;
        for command in &script.commands {
            if !previous_piped {
                downloader = None;
            }
            previous_piped = command.piped;
            let inv = invocation(&command.words);
            let Some(p) = inv.program else { continue };
            let program = &command.words[p];
            let args = &command.words[p + 1..];
            if let Some(from) = downloader
                && let Some(lang) = lang(program.program_name())
                && reads_program_from_stdin(lang, args)
            {
                let span = script.text.span(from.range.start..program.range.end);
                let value = format!("{} … | {}", from.program_name(), program.program_name());
                out.push(Hit::new(CURL_PIPE_SHELL, span).with_value(value));
                downloader = None;
                continue;
            }
            if downloader.is_none() && is_downloader(program.program_name()) {
                downloader = Some(program);
            }
            // `sh -c "$(curl …)"`, `bash <(curl …)`, `eval "$(wget -O- …)"`, `. <(curl …)`.
            let runs_code = lang(program.program_name()).is_some()
                || matches!(program.value.as_str(), "eval" | "source" | ".");
            if runs_code && let Some(arg) = args.iter().find(|a| is_download_substitution(&a.value))
            {
                let span = script.text.span(arg.range.clone());
                let (open, close) = if arg.value.starts_with('`') {
                    ("`", "`")
                } else {
                    (arg.value.get(..2).unwrap_or("$("), ")")
                };
                let downloader = shell::words(arg.value.get(open.len()..).unwrap_or(""))
                    .first()
                    .map_or(String::new(), |w| w.program_name().to_owned());
                let value = format!("{} {open}{downloader} …{close}", program.program_name());
                out.push(Hit::new(CURL_PIPE_SHELL, span).with_value(value));
            }
        }
        powershell_download_eval(script, out);
    }
}

/// `$(curl …)`, `` `wget …` ``, `<(curl …)` as a whole word.
fn is_download_substitution(value: &str) -> bool {
    let inner = if let Some(rest) = value
        .strip_prefix("$(")
        .or_else(|| value.strip_prefix("<("))
    {
        match rest.strip_suffix(')') {
            Some(inner) => inner,
            None => return false,
        }
    } else if let Some(rest) = value.strip_prefix('`') {
        match rest.strip_suffix('`') {
            Some(inner) => inner,
            None => return false,
        }
    } else {
        return false;
    };
    shell::commands(inner).first().is_some_and(|c| {
        invocation(&c.words)
            .program
            .and_then(|p| c.words.get(p))
            .is_some_and(|w| is_downloader(w.program_name()))
    })
}

/// PowerShell's `iex ((New-Object Net.WebClient).DownloadString('https://…'))`.
fn powershell_download_eval(script: &Script, out: &mut Vec<Hit>) {
    let lower = script.text.text.to_ascii_lowercase();
    if !["downloadstring", "invoke-webrequest", "invoke-restmethod"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return;
    }
    let mut line_start = 0;
    for line in lower.split_inclusive('\n') {
        let download = line.contains("downloadstring(")
            || line.contains("invoke-webrequest")
            || line.contains("invoke-restmethod");
        if download {
            let eval = ["invoke-expression", "iex"].iter().find_map(|word| {
                line.match_indices(word).map(|(i, _)| i).find(|&i| {
                    let before = line[..i].chars().next_back();
                    let after = line[i + word.len()..].chars().next();
                    !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
                        && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
                })
            });
            // A pipe into iex is already reported as a pipeline.
            if let Some(at) = eval
                && !line[..at].trim_end().ends_with('|')
            {
                let start = line_start + at;
                let span = script.text.span(start..start + 3);
                out.push(Hit::new(CURL_PIPE_SHELL, span).with_value("iex (…DownloadString(…))"));
            }
        }
        line_start += line.len();
    }
}

fn sudo(scripts: &[Script], out: &mut Vec<Hit>) {
    for script in scripts {
        for command in &script.commands {
            let inv = invocation(&command.words);
            if let Some(s) = inv.sudo {
                let span = script.text.span(command.words[s].range.clone());
                out.push(Hit::new(SUDO, span).with_value("runs commands through sudo"));
                return;
            }
            let Some(p) = inv.program else { continue };
            let args = &command.words[p + 1..];
            let manager = command.words[p].program_name();
            let installing = match manager {
                "apt-get" | "apt" | "aptitude" | "yum" | "dnf" | "microdnf" | "tdnf" | "zypper" => {
                    args.iter()
                        .find(|a| !a.is_option())
                        .is_some_and(|a| matches!(a.value.as_str(), "install" | "in"))
                }
                "apk" => args
                    .iter()
                    .find(|a| !a.is_option())
                    .is_some_and(|a| a.value == "add"),
                "pacman" => args.iter().any(|a| a.value.starts_with("-S")),
                _ => false,
            };
            if installing
                && let Some(package) = args.iter().find(|a| {
                    a.value == "sudo" || a.value == "sudo-ldap" || a.value.starts_with("sudo=")
                })
            {
                let span = script.text.span(package.range.clone());
                out.push(Hit::new(SUDO, span).with_value("installs sudo"));
                return;
            }
            if let Some(file) = command
                .words
                .iter()
                .find(|w| w.value.starts_with("/etc/sudoers"))
            {
                let span = script.text.span(file.range.clone());
                out.push(Hit::new(SUDO, span).with_value("configures /etc/sudoers"));
                return;
            }
        }
    }
}

/// apt-get options that take the next word as their value.
const APT_OPTIONS_WITH_VALUE: &[&str] = &[
    "-o",
    "-t",
    "-c",
    "--option",
    "--target-release",
    "--config-file",
    "--default-release",
];

/// The subcommand of `apt-get [options] <subcommand>`, skipping options and their values.
fn apt_subcommand(args: &[Word]) -> Option<(usize, &str)> {
    let mut i = 0;
    while let Some(word) = args.get(i) {
        let v = word.value.as_str();
        if APT_OPTIONS_WITH_VALUE.contains(&v) {
            i += 2;
        } else if word.is_option() {
            i += 1;
        } else {
            return Some((i, v));
        }
    }
    None
}

/// Package arguments of `apt-get install`, without options and their values.
fn apt_packages(args: &[Word]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        let v = word.value.as_str();
        if APT_OPTIONS_WITH_VALUE.contains(&v) {
            i += 2;
            continue;
        }
        if !word.is_option() && redirection(v).is_none() && !v.is_empty() {
            out.push(v);
        }
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// ENV and ARG.

/// Words in a variable name that make it a secret.
fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let parts: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect();
    let Some(last) = parts.last() else {
        return false;
    };
    // Names that hold where a secret is, or something about it, rather than the secret.
    const NOT_THE_SECRET: &[&str] = &[
        "FILE",
        "PATH",
        "DIR",
        "URL",
        "URI",
        "ENDPOINT",
        "HOST",
        "PORT",
        "NAME",
        "ID",
        "TYPE",
        "LENGTH",
        "LEN",
        "TTL",
        "EXPIRY",
        "EXPIRES",
        "HEADER",
        "FIELD",
        "ENABLED",
        "REQUIRED",
        "ALGORITHM",
        "VERSION",
        "LOCATION",
        "MOUNT",
        "PREFIX",
        "DUMMY",
        "REF",
        "ARN",
        "REGION",
        "SECONDS",
        "TIMEOUT",
        "LIFETIME",
        "MAX",
        "MIN",
        "SIZE",
        "COUNT",
        "LIMIT",
    ];
    if NOT_THE_SECRET.contains(last) || upper == "PWD" || upper == "OLDPWD" {
        return false;
    }
    let word = |p: &&str| {
        p.contains("PASSWORD")
            || p.contains("PASSWD")
            || p.contains("PASSPHRASE")
            || p.ends_with("SECRET")
            || *p == "SECRETS"
            || p.ends_with("TOKEN")
            || *p == "PASS"
            || (*p == "PWD" && parts.len() > 1)
            || matches!(
                *p,
                "APIKEY" | "PRIVATEKEY" | "ACCESSKEY" | "SECRETKEY" | "AUTHKEY"
            )
    };
    if parts.iter().any(word) {
        return true;
    }
    parts.windows(2).any(|pair| {
        pair[1] == "KEY"
            && matches!(
                pair[0],
                "API"
                    | "PRIVATE"
                    | "ACCESS"
                    | "AUTH"
                    | "ENCRYPTION"
                    | "SIGNING"
                    | "MASTER"
                    | "CLIENT"
            )
    })
}

/// True for a value that is a literal someone typed, not a reference to the build's input.
fn is_literal_secret(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty()
        || v.contains('$')
        || is_template(v)
        || v.starts_with(['/', '~'])
        || v.starts_with("./")
        || v.bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    !matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "0" | "1" | "null" | "none"
    )
}

fn secret_settings(view: &View, out: &mut Vec<Hit>) {
    let text = &view.args.text;
    let words = shell::words(text);
    let mut push = |name: &str, value: &str, range: Range<usize>| {
        if is_secret_name(name) && is_literal_secret(value) {
            let range = unquoted(text, range);
            out.push(Hit::new(SECRET_IN_ENV_OR_ARG, view.args.span(range)).with_value(value));
        }
    };
    if view.keyword == "ENV"
        && let Some(first) = words.first()
        && !first.value.contains('=')
    {
        // Legacy form: `ENV NAME the rest of the line`.
        let rest = &text[first.range.end..];
        let start = first.range.end + (rest.len() - rest.trim_start().len());
        let end = first.range.end + rest.trim_end().len();
        let raw = text.get(start..end).unwrap_or("");
        let value = raw.trim_matches(['"', '\'']);
        push(&first.value, value, start..end);
        return;
    }
    for word in &words {
        let Some((name, value)) = word.value.split_once('=') else {
            continue;
        };
        let raw = text.get(word.range.clone()).unwrap_or("");
        let value_start = raw
            .find('=')
            .map_or(word.range.start, |i| word.range.start + i + 1);
        push(name, value, value_start..word.range.end);
    }
}

/// `range` without one pair of surrounding quotes, so that only the value is highlighted (and
/// redacted) in output.
fn unquoted(text: &str, range: Range<usize>) -> Range<usize> {
    let raw = text.get(range.clone()).unwrap_or("");
    let quoted = raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"'))
            || (raw.starts_with('\'') && raw.ends_with('\'')));
    if quoted {
        range.start + 1..range.end - 1
    } else {
        range
    }
}

// ---------------------------------------------------------------------------------------------
// COPY and ADD.

/// Files that hold credentials by name: `.env`, SSH and TLS private keys, cloud and package
/// registry credentials.
fn is_secret_file(path: &str) -> bool {
    let trimmed = path.trim_end_matches('/');
    let name = trimmed
        .rsplit('/')
        .next()
        .unwrap_or(trimmed)
        .to_ascii_lowercase();
    if name == ".env" {
        return true;
    }
    if let Some(suffix) = name.strip_prefix(".env.") {
        return !matches!(
            suffix,
            "example" | "sample" | "template" | "tmpl" | "tpl" | "dist" | "defaults" | "schema"
        );
    }
    if matches!(
        name.as_str(),
        "id_rsa"
            | "id_dsa"
            | "id_ecdsa"
            | "id_ed25519"
            | "id_ecdsa_sk"
            | "id_ed25519_sk"
            | ".ssh"
            | ".aws"
            | ".gnupg"
            | ".kube"
            | ".npmrc"
            | ".pypirc"
            | ".netrc"
            | "_netrc"
            | ".pgpass"
            | ".git-credentials"
            | ".dockercfg"
            | "credentials"
            | "credentials.json"
            | "credentials.yml"
            | "credentials.yaml"
            | "credentials.xml"
            | "secrets.yml"
            | "secrets.yaml"
            | "secrets.json"
    ) {
        return true;
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
    let public = ["cert", "chain", "bundle", "pub", "trust"]
        .iter()
        .any(|w| stem.contains(w))
        || stem == "ca"
        || stem.starts_with("ca-")
        || stem.starts_with("ca_")
        || stem.ends_with("-ca")
        || stem.ends_with("_ca");
    match ext {
        "pem" | "key" => !public,
        "p12" | "pfx" | "jks" | "keystore" | "ppk" => true,
        _ => false,
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

#[cfg(test)]
mod tests {
    use super::*;

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
                (BASE_IMAGE_NO_DIGEST, 5, "node:20-slim".to_owned()),
                (BASE_IMAGE_NO_DIGEST, 7, "python:3.12-slim".to_owned()),
                (UNPINNED_BASE_IMAGE, 3, "node".to_owned()),
                (UNPINNED_BASE_IMAGE, 4, "node:latest".to_owned()),
            ]
        );
    }

    #[test]
    fn platform_flags_registries_and_stage_names() {
        let text = "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nFROM localhost:5000/app\nFROM build\nFROM BUILD\n";
        assert_eq!(lines_of(text, UNPINNED_BASE_IMAGE), vec![2]);
        assert_eq!(lines_of(text, BASE_IMAGE_NO_DIGEST), vec![1]);
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
        assert!(lines_of(text, FULL_OS_BASE).is_empty());
        assert_eq!(
            lines_of("FROM python:3.12\nUSER 1\n", FULL_OS_BASE),
            vec![1]
        );
        assert_eq!(
            lines_of("FROM ubuntu:24.04 AS base\nFROM base\n", FULL_OS_BASE),
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
                lines_of(&format!("FROM {small}\n"), FULL_OS_BASE).is_empty(),
                "{small}"
            );
        }
    }

    #[test]
    fn run_as_root_looks_at_the_final_stage() {
        assert_eq!(
            lines_of(
                "FROM a:1 AS build\nUSER app\nFROM b:1\nRUN x\n",
                RUN_AS_ROOT
            ),
            vec![3]
        );
        assert_eq!(
            lines_of("FROM a:1\nUSER app\nUSER root\n", RUN_AS_ROOT),
            vec![3]
        );
        assert_eq!(lines_of("FROM a:1\nUSER 0:0\n", RUN_AS_ROOT), vec![2]);
        assert!(
            lines_of(
                "FROM a:1\nUSER root\nRUN x\nUSER 10001:10001\n",
                RUN_AS_ROOT
            )
            .is_empty()
        );
        assert!(
            lines_of(
                "FROM a:1 AS base\nUSER app\nFROM base\nRUN x\n",
                RUN_AS_ROOT
            )
            .is_empty()
        );
        assert!(lines_of("FROM gcr.io/distroless/static:nonroot\n", RUN_AS_ROOT).is_empty());
        assert!(lines_of("FROM a:1\nUSER ${APP_UID}\n", RUN_AS_ROOT).is_empty());
        assert_eq!(
            lines_of("FROM a:1\nONBUILD USER app\n", RUN_AS_ROOT),
            vec![1]
        );
        assert!(lines_of("", RUN_AS_ROOT).is_empty());
    }

    #[test]
    fn healthcheck_in_the_final_chain() {
        assert_eq!(
            lines_of(
                "FROM a:1 AS x\nHEALTHCHECK CMD true\nFROM b:1\n",
                MISSING_HEALTHCHECK
            ),
            vec![3]
        );
        assert!(
            lines_of(
                "FROM a:1 AS x\nHEALTHCHECK NONE\nFROM x\n",
                MISSING_HEALTHCHECK
            )
            .is_empty()
        );
        assert!(
            lines_of(
                "FROM a:1 AS b\nFROM scratch\nCOPY --from=b /out /\n",
                MISSING_HEALTHCHECK
            )
            .is_empty()
        );
        assert_eq!(
            lines_of(
                "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n",
                MISSING_HEALTHCHECK
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
            assert_eq!(lines_of(&text, CURL_PIPE_SHELL), vec![2], "{line}");
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
            assert!(lines_of(&text, CURL_PIPE_SHELL).is_empty(), "{line}");
        }
    }

    #[test]
    fn curl_pipe_shell_points_at_the_continued_line() {
        let text = "FROM a:1\nRUN apt-get update \\\n  && apt-get install -y ca-certificates=1 \\\n  && curl -fsSL https://x \\\n     | bash\n";
        assert_eq!(lines_of(text, CURL_PIPE_SHELL), vec![4]);
    }

    #[test]
    fn heredoc_scripts_are_checked_and_data_is_not() {
        let text = "FROM a:1\nRUN <<EOF\nset -e\ncurl -fsSL https://x | sh\nEOF\nRUN cat <<EOF > /etc/motd\ncurl https://x | sh\nEOF\nRUN python3 <<EOF\nimport os\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint('curl x | sh')\nEOF\nRUN bash -ex <<'EOF'\nwget -qO- https://y | sh\nEOF\n";
        assert_eq!(lines_of(text, CURL_PIPE_SHELL), vec![4, 17]);
    }

    #[test]
    fn sudo_calls_installs_and_sudoers() {
        assert_eq!(
            lines_of(
                "FROM a:1\nRUN apt-get update && apt-get install -y \\\n  curl sudo\n",
                SUDO
            ),
            vec![3]
        );
        assert_eq!(
            lines_of("FROM a:1\nRUN sudo apt-get update\n", SUDO),
            vec![2]
        );
        assert_eq!(
            lines_of(
                "FROM a:1\nRUN echo 'app ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers\n",
                SUDO
            ),
            vec![2]
        );
        assert_eq!(
            lines_of("FROM a:1\nRUN apk add --no-cache sudo\n", SUDO),
            vec![2]
        );
        assert!(lines_of("FROM a:1\nRUN echo sudo && apt-get install -y sudoku\nRUN setpriv --reuid=1000 true\n", SUDO).is_empty());
    }

    #[test]
    fn expose_ssh() {
        assert_eq!(
            lines_of("FROM a:1\nEXPOSE 8080 \\\n  22/tcp\n", EXPOSE_SSH),
            vec![3]
        );
        assert!(lines_of("FROM a:1\nEXPOSE 2222 8022 220\n", EXPOSE_SSH).is_empty());
    }

    #[test]
    fn secrets_in_env_and_arg() {
        let text = "FROM a:1\nENV DB_PASSWORD=hunter2hunter2\nARG NPM_TOKEN=changeme\nENV API_KEY abc def\nENV A=1 \\\n    GITHUB_TOKEN=\"ghp_fake\"\nARG aws_secret_access_key=x1\nENV DB_PASS=letmein-2024 DB_PWD=s3cret-value\n";
        assert_eq!(
            lines_of(text, SECRET_IN_ENV_OR_ARG),
            vec![2, 3, 4, 6, 7, 8, 8]
        );
        let fine = "FROM a:1\nARG NPM_TOKEN\nENV TOKEN_URL=https://x\nENV DB_PASSWORD_FILE=/run/secrets/db\nENV GITHUB_TOKEN=${GITHUB_TOKEN}\nENV API_KEY=\nENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\nENV TOKENIZERS_PARALLELISM=false\nENV PWD=/app\nENV SECRET_KEY_BASE_DUMMY=1\nENV AWS_ACCESS_KEY_ID=AKIAEXAMPLE\n";
        assert!(lines_of(fine, SECRET_IN_ENV_OR_ARG).is_empty());
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
        assert_eq!(lines_of(text, COPY_SECRETS), vec![2, 3, 4]);
    }

    #[test]
    fn add_remote_url() {
        let text = "FROM a:1\nADD https://example.com/a.tar.gz /opt/\nADD --checksum=sha256:abc https://example.com/b.tar.gz /opt/\nADD https://github.com/moby/buildkit.git#0123456789abcdef0123456789abcdef01234567 /src\nADD git@github.com:org/repo.git#main /src\nADD local.tar.gz /opt/\nCOPY https://x /y\n";
        assert_eq!(lines_of(text, ADD_REMOTE_URL), vec![2, 5]);
    }

    #[test]
    fn apt_pins_cleanup_and_recommends() {
        let good = "FROM debian:12-slim\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends tini=0.19.0-1 \\\n && rm -rf /var/lib/apt/lists/*\n";
        assert!(lines_of(good, APT_NO_PIN_OR_CLEANUP).is_empty());
        let text = "FROM debian:12-slim\nRUN apt-get update\nRUN apt-get install -y curl\n";
        assert_eq!(
            hits(text).into_iter().filter(|h| h.0 == APT_NO_PIN_OR_CLEANUP).collect::<Vec<_>>(),
            vec![(
                APT_NO_PIN_OR_CLEANUP,
                3,
                "no version pin for curl; /var/lib/apt/lists not removed in this RUN; no --no-install-recommends".to_owned()
            )]
        );
        // A build stage that does not ship only needs pins.
        let build = "FROM debian:12 AS build\nRUN apt-get install -y gcc=4:12.2.0-3\nFROM gcr.io/distroless/base-debian12\n";
        assert!(lines_of(build, APT_NO_PIN_OR_CLEANUP).is_empty());
        // Cache mounts keep the lists out of the layer; variables and .deb files are not judged.
        let mounted = "FROM debian:12-slim\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get install -y --no-install-recommends $PKGS ./x.deb\n";
        assert!(lines_of(mounted, APT_NO_PIN_OR_CLEANUP).is_empty());
        // Cleanup before the install does not count.
        let early = "FROM debian:12-slim\nRUN rm -rf /var/lib/apt/lists/* && apt-get -y install --no-install-recommends a=1\n";
        assert_eq!(lines_of(early, APT_NO_PIN_OR_CLEANUP), vec![2]);
        // Heredoc scripts are read too.
        let heredoc = "FROM debian:12-slim\nRUN <<EOF\napt-get update\napt-get install -y --no-install-recommends a=1\nrm -rf /var/lib/apt/lists/*\nEOF\n";
        assert!(lines_of(heredoc, APT_NO_PIN_OR_CLEANUP).is_empty());
    }

    #[test]
    fn whole_context_copy_is_found() {
        let text =
            "FROM a:1\nCOPY . .\nCOPY --from=build . /app\nCOPY src/ ./src/\nONBUILD ADD ./ /app\n";
        let file = parser::parse(text.as_bytes());
        let model = Model::new(&file);
        let mut out = Vec::new();
        for view in &model.views {
            model.whole_context(view, &mut out);
        }
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
        let found = lines_of(&text, CURL_PIPE_SHELL);
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
