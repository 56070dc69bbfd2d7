//! One finding in full: where it is, the user's code around it (the line highlighted, secrets
//! redacted), the lesson that teaches it, and the rule's documentation (what, why, fix, before
//! and after) rendered from the same Markdown `seccoach explain` prints.

use super::{truncate, wrap_words};
use crate::catalog::Autofix;
use crate::display::sanitize;
use crate::finding::Finding;
use crate::tui::app::{App, DetailState, has_fix};
use crate::tui::theme::severity_tag;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use unicode_width::UnicodeWidthStr;

const MAX_TEXT_WIDTH: u16 = 110;

fn text_area(body: Rect) -> Rect {
    let width = body.width.saturating_sub(2).min(MAX_TEXT_WIDTH);
    Rect {
        x: body.x + 1,
        y: body.y,
        width,
        height: body.height,
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, state: &DetailState) {
    let area = text_area(area);
    super::render_scrolled(
        frame,
        area,
        detail_text(app, state, area.width),
        state.scroll,
    );
}

/// Lines of the detail and the height they scroll in.
pub fn content_size(app: &App, state: &DetailState) -> (usize, usize) {
    let area = text_area(super::body_area(app.size));
    (
        detail_text(app, state, area.width).lines.len(),
        usize::from(area.height),
    )
}

/// How far the rule text's code examples may scroll right: until the end of the widest line
/// shows.
pub fn code_scroll_limit(app: &App, state: &DetailState) -> usize {
    let area = text_area(super::body_area(app.size));
    // The gutter and a marker on each side take four columns of the code block.
    let room = usize::from(area.width).saturating_sub(4).max(1);
    shown_finding(app, state)
        .and_then(|f| app.catalog.rule(f.rule.as_str()))
        .map_or(0, |rule| {
            let markdown = crate::output::explain::markdown(rule, &app.catalog);
            crate::markdown::widest_code_line(&markdown).saturating_sub(room)
        })
}

/// The finding a detail shows: the one in the report, or the one a re-check no longer finds.
pub fn shown_finding<'a>(app: &'a App, state: &'a DetailState) -> Option<&'a Finding> {
    match &state.gone {
        Some(gone) => Some(gone),
        None => app.findings().get(state.index),
    }
}

pub fn detail_text(app: &App, state: &DetailState, width: u16) -> Text<'static> {
    let theme = app.theme;
    let w = usize::from(width);
    let Some(finding) = shown_finding(app, state) else {
        return Text::raw("This finding is no longer in the report.");
    };
    let rule = app.catalog.rule(finding.rule.as_str());
    let mut lines: Vec<Line<'static>> = Vec::new();

    let title = rule.map_or_else(
        || finding.rule.to_string(),
        |r| sanitize(&r.title).into_owned(),
    );
    let reviewed = if app.progress.is_reviewed(&finding.fingerprint) {
        "  ✓ reviewed"
    } else {
        ""
    };
    lines.push(Line::from(vec![
        Span::styled(
            format!("{} ", severity_tag(finding.severity)),
            theme.severity(finding.severity),
        ),
        Span::styled(
            truncate(&title, w.saturating_sub(5 + reviewed.width())),
            theme.bold(),
        ),
        Span::styled(reviewed, theme.ok()),
    ]));
    let location = truncate(
        &format!(
            "{}:{}:{}",
            sanitize(&finding.path),
            finding.line,
            finding.column
        ),
        w / 2,
    );
    let facts = format!(" · {} · {} confidence", finding.rule, finding.confidence);
    lines.push(Line::from(vec![
        Span::styled(location.clone(), theme.accent()),
        Span::styled(
            truncate(&facts, w.saturating_sub(location.width())),
            theme.dim(),
        ),
    ]));
    lines.push(Line::raw(""));
    for line in wrap_words(&finding.message, w) {
        lines.push(Line::raw(line));
    }
    lines.push(Line::raw(""));

    let fixed = app
        .scan
        .fixed
        .iter()
        .any(|f| f.fingerprint == finding.fingerprint);
    match (&state.gone, &state.excerpt) {
        (Some(_), _) if fixed => {
            lines.push(Line::styled(
                "✓ Fixed: the re-check no longer finds this.",
                theme.ok().add_modifier(ratatui::style::Modifier::BOLD),
            ));
            if app
                .applied
                .last()
                .is_some_and(|fix| fix.path == finding.path)
            {
                lines.push(Line::from(vec![
                    Span::raw("Changed your mind? "),
                    Span::styled("u", theme.key()),
                    Span::raw(" undoes the fix."),
                ]));
            }
        }
        (Some(_), _) => lines.push(Line::styled(
            "The re-check no longer reports this finding (it was suppressed or the code moved on).",
            theme.dim(),
        )),
        (None, None) => lines.push(Line::styled("Reading the file…", theme.dim())),
        (None, Some(Err(message))) => lines.push(Line::styled(
            truncate(&format!("Cannot show the code: {message}"), w),
            theme.error(),
        )),
        (None, Some(Ok(excerpt))) => {
            let last = excerpt.first_line as usize + excerpt.lines.len().saturating_sub(1);
            let number_width = last.to_string().len().max(3);
            for (i, text) in excerpt.lines.iter().enumerate() {
                let number = excerpt.first_line + i as u32;
                let focus = number >= excerpt.focus.0 && number <= excerpt.focus.1;
                let gutter = format!(
                    "{}{:>number_width$} │ ",
                    if focus { "▶" } else { " " },
                    number
                );
                let code = truncate(text, w.saturating_sub(gutter.width()));
                if focus {
                    let pad = w.saturating_sub(gutter.width() + code.width());
                    lines.push(Line::from(vec![
                        Span::styled(gutter, theme.severity(finding.severity)),
                        Span::styled(format!("{code}{}", " ".repeat(pad)), theme.highlight()),
                    ]));
                } else {
                    lines.push(Line::from(vec![
                        Span::styled(gutter, theme.dim()),
                        Span::raw(code),
                    ]));
                }
            }
        }
    }
    lines.push(Line::raw(""));

    if state.gone.is_none() && has_fix(finding) {
        let label = match finding.fix {
            Autofix::Safe => "safe",
            _ => "needs review",
        };
        lines.push(Line::from(vec![
            Span::styled("Automatic fix", theme.bold()),
            Span::raw(format!(" ({label}) — press ")),
            Span::styled("f", theme.key()),
            Span::raw(" to preview it"),
        ]));
        lines.push(Line::raw(""));
    }

    if let Some(lesson) = app.catalog.lessons_for_rule(finding.rule.as_str()).first() {
        lines.push(Line::from(vec![
            Span::styled("Lesson: ", theme.bold()),
            Span::raw(truncate(&lesson.title, w.saturating_sub(24))),
            Span::raw(" — press "),
            Span::styled("l", theme.key()),
        ]));
        lines.push(Line::raw(""));
    }

    match rule {
        Some(rule) => {
            let markdown = crate::output::explain::markdown(rule, &app.catalog);
            lines.extend(
                crate::markdown::render_scrolled(
                    &markdown,
                    theme.markdown(width),
                    state.code_scroll,
                )
                .lines,
            );
        }
        None => lines.push(Line::styled(
            "This rule is not in the catalogue any more; rescan with R.",
            theme.dim(),
        )),
    }
    Text::from(lines)
}
