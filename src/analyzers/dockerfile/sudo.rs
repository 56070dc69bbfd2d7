//! `docker/sudo`: a script runs commands through `sudo`, installs it, or configures sudoers.

use super::model::{Model, Script, invocation};
use crate::analyzers::{Hit, Rule, Sink};
use crate::rules::{BuiltinRule, DOCKER_SUDO as SUDO};

/// The first use of sudo in each instruction that runs scripts.
pub(super) struct Sudo;

impl<'f> Rule<Model<'f>> for Sudo {
    fn ids(&self) -> &'static [BuiltinRule] {
        &[SUDO]
    }

    fn check(&self, model: &Model<'f>, sink: &mut Sink) {
        for view in model.views_of(&super::RUNS_SCRIPTS) {
            sudo(model.scripts(view), sink);
        }
    }
}

fn sudo(scripts: &[Script], out: &mut Sink) {
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
