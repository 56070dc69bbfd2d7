//! The preview of an automatic fix: the file it edits, how far it can be trusted (safe or needs
//! review), why it works, and the unified diff (additions green, removals red), scrollable.
//! Nothing is written until the user says yes.

use super::{popup, popup_rect, truncate};
use crate::catalog::Autofix;
use crate::display::sanitize;
use crate::tui::app::{App, FixPreview};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Widest the preview gets: diffs read best at their natural width.
const MAX_WIDTH: u16 = 104;

/// Inside the border, a column of margin on each side.
fn text_area(inner: Rect) -> Rect {
    inner.inner(ratatui::layout::Margin::new(1, 0))
}

/// The box (as tall as its text needs, at most the screen) and its lines.
fn layout(app: &App, area: Rect, preview: &FixPreview) -> (Rect, Vec<Line<'static>>) {
    let width = popup_rect(area, MAX_WIDTH, area.height).width;
    // Border and margin on both sides.
    let lines = preview_lines(app, preview, width.saturating_sub(4));
    // Border above and below, and the closing line.
    let needed = u16::try_from(lines.len() + 3).unwrap_or(u16::MAX);
    (popup_rect(area, MAX_WIDTH, needed), lines)
}

/// The scrolling part of the text: all but its last line.
fn content_area(text: Rect) -> Rect {
    Rect {
        height: text.height.saturating_sub(1),
        ..text
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, preview: &FixPreview) {
    let theme = app.theme;
    let title = format!("Fix · {}", preview.rule);
    let (rect, lines) = layout(app, area, preview);
    let inner = text_area(popup(frame, area, rect.width, rect.height, &title, theme));
    let content = content_area(inner);
    let scroll = preview
        .scroll
        .min(lines.len().saturating_sub(usize::from(content.height)));
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(usize::from(content.height))
        .collect();
    frame.render_widget(Paragraph::new(shown), content);
    if inner.height > 1 {
        let last = Rect {
            y: inner.y + inner.height - 1,
            height: 1,
            ..inner
        };
        let hint = Line::from(vec![
            Span::styled("y", theme.key()),
            Span::raw(" applies it (then "),
            Span::styled("u", theme.key()),
            Span::raw(" undoes it) · "),
            Span::styled("n", theme.key()),
            Span::raw(" cancels: nothing is written"),
        ]);
        frame.render_widget(Paragraph::new(hint), last);
    }
}

/// Lines of the preview and the height they scroll in.
pub fn content_size(app: &App, preview: &FixPreview) -> (usize, usize) {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let (rect, lines) = layout(app, area, preview);
    let content = content_area(text_area(rect.inner(ratatui::layout::Margin::new(1, 1))));
    (lines.len(), usize::from(content.height))
}

fn preview_lines(app: &App, preview: &FixPreview, width: u16) -> Vec<Line<'static>> {
    let theme = app.theme;
    let w = usize::from(width);
    let fix = &preview.fix;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let (badge, style, meaning) = match fix.safety {
        Autofix::Safe => (" safe ", theme.ok(), "it keeps the behaviour"),
        _ => (
            " needs review ",
            theme.severity(crate::catalog::Severity::Medium),
            "read the diff: it can change behaviour",
        ),
    };
    let count = fix.fixed.len();
    let what = format!(
        " {} · {count} change{} · {meaning}",
        sanitize(&fix.path),
        if count == 1 { "" } else { "s" }
    );
    lines.push(Line::from(vec![
        Span::styled(
            badge,
            style.add_modifier(Modifier::REVERSED | Modifier::BOLD),
        ),
        Span::raw(truncate(&what, w.saturating_sub(badge.len()))),
    ]));
    lines.push(Line::raw(""));
    let rationale = crate::fix::rationale(&preview.rule);
    if !rationale.is_empty() {
        let mut why = crate::markdown::render(
            &format!("**Why this works.** {rationale}"),
            theme.markdown(width),
        );
        lines.append(&mut why.lines);
        lines.push(Line::raw(""));
    }
    for text in &preview.lines {
        let style = if text.starts_with("+++") || text.starts_with("---") {
            theme.bold()
        } else if text.starts_with('+') {
            theme.ok()
        } else if text.starts_with('-') {
            theme.bad()
        } else if text.starts_with("@@") {
            theme.accent()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::styled(truncate(text, w), style));
    }
    lines
}
