//! The last scan's notes in full, wrapped: which checks did not run and why, which files were
//! skipped or could not be parsed. The findings list shows only the first; here a learner reads
//! every one, so silence is never taken for a clean result.

use super::{section, wrap_words};
use crate::display::sanitize;
use crate::tui::app::{App, NotesState};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};

pub fn render(frame: &mut Frame, area: Rect, app: &App, state: &NotesState) {
    let area = super::text_column(area);
    super::render_scrolled(frame, area, notes_text(app, area.width), state.scroll);
}

/// Lines of the notes screen and the height they scroll in.
pub fn content_size(app: &App) -> (usize, usize) {
    let area = super::text_column(super::body_area(app.size));
    (
        notes_text(app, area.width).lines.len(),
        usize::from(area.height),
    )
}

fn notes_text(app: &App, width: u16) -> Text<'static> {
    let theme = app.theme;
    let notes: &[String] = app.scan.report.as_ref().map_or(&[], |r| &r.notes);
    let mut lines: Vec<Line<'static>> = vec![
        section("What the scan could not check", width, theme),
        Line::raw(""),
    ];
    if notes.is_empty() {
        lines.push(Line::raw("No notes: every file and check was covered."));
        return Text::from(lines);
    }
    let text_width = usize::from(width).saturating_sub(2).max(10);
    for note in notes {
        for (i, line) in wrap_words(&sanitize(note), text_width)
            .into_iter()
            .enumerate()
        {
            let bullet = if i == 0 { "• " } else { "  " };
            lines.push(Line::from(vec![
                Span::styled(bullet, theme.accent()),
                Span::raw(line),
            ]));
        }
        lines.push(Line::raw(""));
    }
    for line in wrap_words(
        "seccoach scan prints the same notes on standard error, and every report format carries them.",
        usize::from(width),
    ) {
        lines.push(Line::styled(line, theme.dim()));
    }
    Text::from(lines)
}
