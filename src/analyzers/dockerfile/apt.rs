//! `docker/apt-no-pin-or-cleanup`: `apt-get install` without version pins, or, in a stage of
//! the final image, without removing the package lists or without `--no-install-recommends`.

use super::model::{Model, Script, View, invocation, redirection};
use super::shell::Word;
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, DOCKER_APT_NO_PIN_OR_CLEANUP as APT_NO_PIN_OR_CLEANUP};

/// Every `apt-get install` / `apt install` / `aptitude install` in a `RUN`.
pub(super) struct Apt;

impl<'f> Rule<Model<'f>> for Apt {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[APT_NO_PIN_OR_CLEANUP]
    }

    fn check(&self, model: &Model<'f>, sink: &mut Sink) {
        for view in model.views_of(&["RUN"]) {
            apt(model, view, model.scripts(view), sink);
        }
    }
}

fn apt(model: &Model, view: &View, scripts: &[Script], sink: &mut Sink) {
    let Some(stage) = view.stage else {
        return;
    };
    let shipped = model.shipped.get(stage).copied().unwrap_or(false);
    let recommends_configured = model.recommends_configured;
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
            sink.push(Hit::new(APT_NO_PIN_OR_CLEANUP, span).with_value(problems.join("; ")));
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
