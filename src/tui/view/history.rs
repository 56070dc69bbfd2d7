//! Secrets in the project's git history (`H`): each one under the commit that added it, with
//! whether HEAD still has it, then the clean-up in order (rotate first) and what the history
//! scan could not read. Read once, in the background, when first asked for.

use super::{section, wrap_words};
use crate::display::sanitize;
use crate::tui::app::{App, HistoryView, NotesState};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};

pub fn render(frame: &mut Frame, area: Rect, app: &App, state: &NotesState) {
    let area = super::text_column(area);
    super::render_scrolled(frame, area, history_text(app, area.width), state.scroll);
}

/// Lines of the history screen and the height they scroll in.
pub fn content_size(app: &App) -> (usize, usize) {
    let area = super::text_column(super::body_area(app.size));
    (
        history_text(app, area.width).lines.len(),
        usize::from(area.height),
    )
}

fn history_text(app: &App, width: u16) -> Text<'static> {
    let theme = app.theme;
    let text_width = usize::from(width).saturating_sub(2).max(10);
    let mut lines: Vec<Line<'static>> = vec![
        section("Secrets in the git history", width, theme),
        Line::raw(""),
    ];
    let wrapped = |lines: &mut Vec<Line<'static>>, text: &str, indent: &str| {
        for line in wrap_words(text, text_width.saturating_sub(indent.len()).max(10)) {
            lines.push(Line::raw(format!("{indent}{line}")));
        }
    };
    let report = match &app.history {
        HistoryView::NotRead | HistoryView::Reading => {
            wrapped(
                &mut lines,
                "Reading every commit of the repository (each file version once)…",
                "",
            );
            return Text::from(lines);
        }
        HistoryView::Failed(message) => {
            wrapped(
                &mut lines,
                &format!("The history could not be read: {}", sanitize(message)),
                "",
            );
            return Text::from(lines);
        }
        HistoryView::Read(report) => report,
    };
    let summary = report
        .history
        .as_ref()
        .map(|h| h.summary())
        .unwrap_or_default();
    if report.findings.is_empty() {
        wrapped(
            &mut lines,
            "No secret in the history: no commit reachable from a branch or tag ever added one.",
            "",
        );
    }
    let mut commit: Option<&str> = None;
    for (i, finding) in report.findings.iter().enumerate() {
        let Some(origin) = report.origin(i) else {
            continue;
        };
        if commit != Some(origin.commit.as_str()) {
            if commit.is_some() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::from(vec![
                Span::styled(format!("commit {}", origin.commit), theme.bold()),
                Span::styled(format!("  {}", origin.commit_date), theme.dim()),
            ]));
            commit = Some(&origin.commit);
        }
        let place = if origin.in_head {
            "still in HEAD"
        } else {
            "removed since, still in the history"
        };
        lines.push(Line::from(vec![
            Span::styled("• ", theme.accent()),
            Span::styled(
                format!("{}:{}", sanitize(&finding.path), finding.line),
                theme.bold(),
            ),
            Span::raw("  "),
            Span::styled(finding.rule.to_string(), theme.accent()),
            Span::styled(format!("  ({place})"), theme.dim()),
        ]));
        wrapped(&mut lines, &finding.message, "  ");
    }
    if !report.findings.is_empty() {
        lines.push(Line::raw(""));
        lines.push(section("Cleaning up", width, theme));
        lines.push(Line::raw(""));
        for paragraph in crate::history::CLEANUP.lines() {
            let indent = if paragraph.starts_with("  ") {
                "  "
            } else {
                ""
            };
            wrapped(&mut lines, paragraph.trim_start(), indent);
        }
    }
    lines.push(Line::raw(""));
    for note in std::iter::once(summary).chain(report.notes.iter().cloned()) {
        if !note.is_empty() {
            for line in wrap_words(&sanitize(&note), text_width) {
                lines.push(Line::styled(line, theme.dim()));
            }
        }
    }
    Text::from(lines)
}
