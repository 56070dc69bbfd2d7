//! The pipeline layer map of the project (`seccoach layers`): each layer's verdict, why, the
//! evidence, what would add it and the lesson that explains it.

use super::{section, wrap_words};
use crate::display::sanitize;
use crate::layers::{LayerMap, Status};
use crate::tui::app::{App, LayersState};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};

pub fn render(frame: &mut Frame, area: Rect, app: &App, state: &LayersState) {
    let area = super::text_column(area);
    super::render_scrolled(
        frame,
        area,
        layers_text(app, state, area.width),
        state.scroll,
    );
}

/// Lines of the screen and the height they scroll in.
pub fn content_size(app: &App, state: &LayersState) -> (usize, usize) {
    let area = super::text_column(super::body_area(app.size));
    (
        layers_text(app, state, area.width).lines.len(),
        usize::from(area.height),
    )
}

fn layers_text(app: &App, state: &LayersState, width: u16) -> Text<'static> {
    let theme = app.theme;
    let text_width = usize::from(width).saturating_sub(4).max(10);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let map: &LayerMap = match &state.map {
        Ok(map) => map,
        Err(error) => {
            lines.push(section("Pipeline layers", width, theme));
            for line in wrap_words(
                &format!("The layer map could not be made: {}", sanitize(error)),
                usize::from(width),
            ) {
                lines.push(Line::styled(line, theme.error()));
            }
            return Text::from(lines);
        }
    };
    let counts = |s: Status| map.layers.iter().filter(|l| l.status == s).count();
    for line in wrap_words(
        &format!(
            "{} present, {} partial, {} missing. Partial: the tool runs only after merge, on a \
             timer, by hand or locally, or only its configuration is here.",
            counts(Status::Present),
            counts(Status::Partial),
            counts(Status::Missing)
        ),
        usize::from(width),
    ) {
        lines.push(Line::styled(line, theme.dim()));
    }
    for layer in &map.layers {
        lines.push(Line::raw(""));
        lines.push(section(layer.title, width, theme));
        let (mark, style) = match layer.status {
            Status::Present => ("✓ present", theme.ok()),
            Status::Partial => ("~ partial", theme.accent()),
            Status::Missing => ("✗ missing", theme.bad()),
        };
        let mut reason = wrap_words(&sanitize(&layer.reason), text_width).into_iter();
        lines.push(Line::from(vec![
            Span::styled(format!("{mark}  "), style),
            Span::raw(reason.next().unwrap_or_default()),
        ]));
        lines.extend(reason.map(|l| Line::raw(format!("           {l}"))));
        for evidence in &layer.evidence {
            let text = format!(
                "{}: {} {}",
                evidence.location(),
                evidence.tool,
                evidence.what
            );
            for (i, line) in wrap_words(&sanitize(&text), text_width)
                .into_iter()
                .enumerate()
            {
                let bullet = if i == 0 { "  • " } else { "    " };
                lines.push(Line::from(vec![
                    Span::styled(bullet, theme.accent()),
                    Span::raw(line),
                ]));
            }
        }
        for suggestion in &layer.suggestion {
            for (i, line) in wrap_words(suggestion, text_width).into_iter().enumerate() {
                let bullet = if i == 0 { "  + " } else { "    " };
                lines.push(Line::from(vec![
                    Span::styled(bullet, theme.ok()),
                    Span::raw(line),
                ]));
            }
        }
        lines.push(Line::styled(
            format!("  Lesson: {}", layer.lessons.join(", ")),
            theme.dim(),
        ));
    }
    if !map.notes.is_empty() {
        lines.push(Line::raw(""));
        lines.push(section("Not checked", width, theme));
        for note in &map.notes {
            for line in wrap_words(&sanitize(note), text_width) {
                lines.push(Line::raw(format!("  {line}")));
            }
        }
    }
    lines.push(Line::raw(""));
    for line in wrap_words(
        "seccoach layers prints the same map (--format text, json or markdown).",
        usize::from(width),
    ) {
        lines.push(Line::styled(line, theme.dim()));
    }
    Text::from(lines)
}
