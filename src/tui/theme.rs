//! Styles for the coach. Only the 16 basic ANSI colours are used, so any colour terminal shows
//! them; with `NO_COLOR` set every style falls back to bold, underline and reverse.

use crate::catalog::Severity;
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub const COLOR: Theme = Theme { color: true };
    pub const PLAIN: Theme = Theme { color: false };

    /// Colour unless `NO_COLOR` is set to something non-empty.
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn bold(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn severity(self, severity: Severity) -> Style {
        if !self.color {
            return match severity {
                Severity::Critical | Severity::High => self.bold(),
                _ => Style::new(),
            };
        }
        let color = match severity {
            Severity::Critical => Color::LightMagenta,
            Severity::High => Color::LightRed,
            Severity::Medium => Color::Yellow,
            Severity::Low => Color::Cyan,
            Severity::Info => Color::DarkGray,
        };
        Style::new().fg(color).add_modifier(Modifier::BOLD)
    }

    /// The selected row of a list.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// The highlighted line in a code excerpt.
    pub fn highlight(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn title(self) -> Style {
        self.bold().patch(self.fg(Color::Cyan))
    }

    pub fn accent(self) -> Style {
        self.fg(Color::Blue)
    }

    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn bad(self) -> Style {
        if self.color {
            Style::new().fg(Color::Red)
        } else {
            self.bold()
        }
    }

    pub fn border(self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn key(self) -> Style {
        if self.color {
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.bold()
        }
    }

    pub fn header(self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Cyan)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn gauge_done(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn gauge_todo(self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn error(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD)
        } else {
            self.bold()
        }
    }

    pub fn markdown(self, width: u16) -> crate::markdown::RenderOptions {
        crate::markdown::RenderOptions {
            width,
            color: self.color,
        }
    }
}

/// Short upper-case label of a severity, padded to four columns.
pub fn severity_tag(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "CRIT",
        Severity::High => "HIGH",
        Severity::Medium => "MED ",
        Severity::Low => "LOW ",
        Severity::Info => "INFO",
    }
}
