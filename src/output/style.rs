//! Terminal colour: on only for a terminal, off with `NO_COLOR` or `--color never`.

use crate::catalog::Severity;
use anstyle::{AnsiColor, Effects};
use std::io::IsTerminal;

/// Whether to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Decides for standard output.
    pub fn resolve(self) -> Style {
        let enabled = match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        };
        Style { enabled }
    }
}

/// Paints text when colour is enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub enabled: bool,
}

impl Style {
    pub const PLAIN: Style = Style { enabled: false };

    fn paint(self, style: anstyle::Style, text: &str) -> String {
        if self.enabled {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }

    pub fn severity(self, severity: Severity, text: &str) -> String {
        let color = match severity {
            Severity::Critical => AnsiColor::BrightMagenta,
            Severity::High => AnsiColor::BrightRed,
            Severity::Medium => AnsiColor::Yellow,
            Severity::Low => AnsiColor::Cyan,
            Severity::Info => AnsiColor::BrightBlack,
        };
        self.paint(
            anstyle::Style::new()
                .fg_color(Some(color.into()))
                .effects(Effects::BOLD),
            text,
        )
    }

    pub fn bold(self, text: &str) -> String {
        self.paint(anstyle::Style::new().effects(Effects::BOLD), text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint(
            anstyle::Style::new().fg_color(Some(AnsiColor::BrightBlack.into())),
            text,
        )
    }

    pub fn accent(self, text: &str) -> String {
        self.paint(
            anstyle::Style::new()
                .fg_color(Some(AnsiColor::Blue.into()))
                .effects(Effects::BOLD),
            text,
        )
    }
}
