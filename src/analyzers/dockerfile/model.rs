//! The model every Dockerfile rule reads, built once per file: the build stages (`FROM … AS
//! name`, `FROM <earlier stage>`, `ARG`s before the first `FROM`), each instruction as the rules
//! see it (`ONBUILD X` unwrapped), and, computed on first use and shared by every rule, the
//! shell scripts an instruction runs and the sources of a `COPY`/`ADD`.

use super::parser::{Dockerfile, Text};
use super::shell::{self, Command, Word};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::ops::Range;

// ---------------------------------------------------------------------------------------------
// The model: stages and instructions.

/// What a stage is built on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Base {
    Scratch,
    /// An earlier stage of this file.
    Stage(usize),
    Image(ImageRef),
}

/// An image reference, after `ARG` substitution. Unresolved variables stay as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ImageRef {
    /// As resolved (`node:20-slim`), for messages.
    pub(super) text: String,
    /// Lowercase repository path with registry, without tag or digest.
    pub(super) name: String,
    pub(super) tag: Option<String>,
    pub(super) digest: Option<String>,
}

impl ImageRef {
    pub(super) fn parse(text: &str) -> ImageRef {
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
    pub(super) fn short_name(&self) -> &str {
        let mut name = self.name.as_str();
        for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
            name = name.strip_prefix(prefix).unwrap_or(name);
        }
        name.strip_prefix("library/").unwrap_or(name)
    }
}

#[derive(Debug)]
pub(super) struct Stage {
    /// Index of the `FROM` in the instructions.
    pub(super) from: usize,
    /// Lowercase `AS` name.
    pub(super) name: Option<String>,
    pub(super) base: Base,
    /// The image word in the `FROM`, as written and where.
    pub(super) image_word: String,
    pub(super) image_span: Range<usize>,
}

/// An instruction as the rules see it: `ONBUILD X …` is unwrapped to `X …`.
pub(super) struct View<'f> {
    pub(super) index: usize,
    pub(super) stage: Option<usize>,
    pub(super) keyword: Cow<'f, str>,
    pub(super) args: Cow<'f, Text>,
    pub(super) onbuild: bool,
    /// The scripts it runs (`RUN`, `CMD`, `ENTRYPOINT`), read on first use.
    pub(super) scripts: OnceCell<Vec<Script>>,
    /// Its flags and sources (`COPY`, `ADD`), read on first use.
    pub(super) copy: OnceCell<(Vec<Word>, Vec<Word>)>,
}

/// What the stage-level rules need to know about one stage (ONBUILD instructions excluded).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct StageFacts {
    /// Index in `views` of the stage's last `USER`.
    pub(super) last_user: Option<usize>,
    pub(super) healthcheck: bool,
    /// Has a `CMD` or `ENTRYPOINT`.
    pub(super) runs: bool,
}

pub(super) struct Model<'f> {
    pub(super) file: &'f Dockerfile,
    pub(super) stages: Vec<Stage>,
    pub(super) facts: Vec<StageFacts>,
    pub(super) views: Vec<View<'f>>,
    /// The final stage followed by the stages it is built on (`FROM <stage>`), nearest first.
    pub(super) chain: Vec<usize>,
    /// Per stage: part of the final image (in `chain`).
    pub(super) shipped: Vec<bool>,
    /// Some `RUN` writes an apt setting for `Install-Recommends`.
    pub(super) recommends_configured: bool,
}

impl<'f> Model<'f> {
    pub(super) fn new(file: &'f Dockerfile) -> Model<'f> {
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
                scripts: OnceCell::new(),
                copy: OnceCell::new(),
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

    pub(super) fn stage(
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

    pub(super) fn stage_keyword_span(&self, stage: usize) -> Range<usize> {
        self.file.instructions[self.stages[stage].from]
            .keyword_span
            .clone()
    }

    /// Flags and sources of a `COPY`/`ADD` (the last argument, the destination, left out;
    /// heredoc sources left out). Word ranges are in `view.args`.
    pub(super) fn copy_sources<'v>(&self, view: &'v View) -> &'v (Vec<Word>, Vec<Word>) {
        view.copy.get_or_init(|| self.read_copy_sources(view))
    }

    /// The shell scripts an instruction runs (see `read_scripts`).
    pub(super) fn scripts<'v>(&self, view: &'v View) -> &'v [Script] {
        view.scripts.get_or_init(|| self.read_scripts(view))
    }

    /// The instructions (after unwrapping `ONBUILD`) with one of these keywords.
    pub(super) fn views_of<'m>(
        &'m self,
        keywords: &'m [&str],
    ) -> impl Iterator<Item = &'m View<'f>> {
        self.views
            .iter()
            .filter(move |v| keywords.contains(&v.keyword.as_ref()))
    }

    /// Flags and sources of `COPY`/`ADD` (the last argument, the destination, left out; heredoc
    /// sources left out). Word ranges are in `view.args`.
    pub(super) fn read_copy_sources(&self, view: &View) -> (Vec<Word>, Vec<Word>) {
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

    /// The shell scripts an instruction runs: its shell form, the script of `sh -c` in its exec
    /// form, and heredocs fed to a shell.
    pub(super) fn read_scripts(&self, view: &View) -> Vec<Script> {
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
}

/// A shell script inside an instruction, with its commands, and the `RUN --mount` flags.
pub(super) struct Script {
    pub(super) text: Text,
    pub(super) commands: Vec<Command>,
    pub(super) mounts: Vec<String>,
}

impl Script {
    pub(super) fn new(text: Text, mounts: Vec<String>) -> Script {
        let commands = shell::commands(&text.text);
        Script {
            text,
            commands,
            mounts,
        }
    }
}

pub(super) fn contains_ignore_case(haystack: &str, lower_needle: &str) -> bool {
    haystack.to_ascii_lowercase().contains(lower_needle)
}

// ---------------------------------------------------------------------------------------------
// Build arguments.

/// Substitutes `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}` and
/// `${NAME+word}` from `args`. A reference whose value only the build knows stays as written.
pub(super) fn expand(text: &str, args: &BTreeMap<String, Option<String>>) -> String {
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
pub(super) fn is_template(text: &str) -> bool {
    let brace = text
        .match_indices('{')
        .any(|(i, _)| i == 0 || text.as_bytes()[i - 1] != b'$');
    brace
        || (text.starts_with('<') && text.ends_with('>'))
        || (text.len() > 2 && text.starts_with('%') && text.ends_with('%'))
}

/// An image reference for messages, its digest cut short (`node:20@sha256:1a2b3c4d5e6f…`).
pub(super) fn short_image(text: &str) -> String {
    match text.split_once("@sha256:") {
        Some((name, digest)) if digest.len() > 12 => {
            let cut: String = digest.chars().take(12).collect();
            format!("{name}@sha256:{cut}…")
        }
        _ => text.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Commands.

/// Where the program of a simple command is, after assignments, shell keywords, redirections
/// and wrappers (`sudo`, `env`, `nice`…); and where a `sudo` was, if any.
#[derive(Debug, Default)]
pub(super) struct Invocation {
    pub(super) sudo: Option<usize>,
    pub(super) program: Option<usize>,
}

pub(super) fn is_assignment(word: &str) -> bool {
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
pub(super) fn redirection(word: &str) -> Option<usize> {
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

pub(super) fn invocation(words: &[Word]) -> Invocation {
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
pub(super) enum Lang {
    Shell,
    Python,
    Perl,
    Ruby,
    Node,
    Php,
    PowerShell,
}

pub(super) fn lang(program: &str) -> Option<Lang> {
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

/// In exec form, the script of `["sh", "-c", "…"]`.
pub(super) fn dash_c_script(array: &[Word]) -> Option<&Word> {
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
pub(super) fn heredoc_owners<'c>(
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
pub(super) fn heredoc_is_script(owner: Option<&Command>, body: &Text) -> bool {
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
