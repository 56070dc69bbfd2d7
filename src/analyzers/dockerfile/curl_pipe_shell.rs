//! `docker/curl-pipe-shell`: a script runs what it downloads (`curl … | sh`, `sh -c "$(curl …)"`,
//! PowerShell's `iex (…DownloadString(…))`).

use super::model::{Lang, Model, Script, invocation, lang};
use super::shell::{self, Word};
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, DOCKER_CURL_PIPE_SHELL as CURL_PIPE_SHELL};

/// Downloads run as code, in each instruction that runs scripts.
pub(super) struct CurlPipeShell;

impl<'f> Rule<Model<'f>> for CurlPipeShell {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[CURL_PIPE_SHELL]
    }

    fn check(&self, model: &Model<'f>, sink: &mut Sink) {
        for view in model.views_of(&super::RUNS_SCRIPTS) {
            curl_pipe_shell(model.scripts(view), sink);
        }
    }
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

fn is_downloader(program: &str) -> bool {
    let lower = program.to_ascii_lowercase();
    matches!(
        lower.strip_suffix(".exe").unwrap_or(&lower),
        "curl" | "wget" | "iwr" | "irm" | "invoke-webrequest" | "invoke-restmethod"
    )
}

fn curl_pipe_shell(scripts: &[Script], out: &mut Sink) {
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
fn powershell_download_eval(script: &Script, out: &mut Sink) {
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
