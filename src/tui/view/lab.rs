//! A hands-on lab: the goal, where the learner's copy is and how to work on it, what the latest
//! check found (the same rules that teach the lesson), and the hints asked for so far.

use super::{section, truncate, wrap_words};
use crate::display::sanitize;
use crate::tui::app::{App, LabPhase, LabState};
use crate::tui::theme::severity_tag;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span, Text};

pub fn render(frame: &mut Frame, area: Rect, app: &App, state: &LabState) {
    let area = super::text_column(area);
    super::render_scrolled(frame, area, lab_text(app, state, area.width), state.scroll);
}

/// Lines of the lab screen and the height they scroll in.
pub fn content_size(app: &App, state: &LabState) -> (usize, usize) {
    let area = super::text_column(super::body_area(app.size));
    (
        lab_text(app, state, area.width).lines.len(),
        usize::from(area.height),
    )
}

pub fn lab_text(app: &App, state: &LabState, width: u16) -> Text<'static> {
    let theme = app.theme;
    let w = usize::from(width);
    let Some(lab) = app.lab(&state.id) else {
        return Text::raw("This lab is no longer available.");
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    let lesson = app
        .catalog
        .lesson(&lab.lesson)
        .map_or(lab.lesson.as_str(), |l| l.title.as_str());
    let solved = app.progress.labs_solved.contains(&lab.id);
    let lesson = sanitize(lesson);
    lines.push(Line::styled(
        sanitize(&lab.title).into_owned(),
        theme.title(),
    ));
    lines.push(Line::from(vec![
        Span::styled(
            truncate(&format!("Hands-on lab · {lesson}"), w.saturating_sub(10)),
            theme.dim(),
        ),
        Span::styled(if solved { " · ✓ solved" } else { "" }, theme.ok()),
    ]));
    lines.push(Line::raw(""));
    lines.extend(crate::markdown::render(lab.goal.trim(), theme.markdown(width)).lines);
    lines.push(Line::raw(""));

    lines.push(section("Your copy", width, theme));
    let dir = sanitize(&state.dir.display().to_string()).into_owned();
    for chunk in super::wrap_plain(&dir, w.saturating_sub(1)) {
        lines.push(Line::styled(format!(" {chunk}"), theme.accent()));
    }
    let words = |lines: &mut Vec<Line<'static>>, text: &str, style| {
        for line in wrap_words(text, w.saturating_sub(1)) {
            lines.push(Line::styled(format!(" {line}"), style));
        }
    };
    let plain = ratatui::style::Style::new();
    match &state.phase {
        LabPhase::Resume => {
            words(
                &mut lines,
                "You started this lab before and your copy is still in this folder. Nothing in it \
                 is overwritten: press Enter to resume checking it. To start over, delete or \
                 rename the folder, then start the lab again from its lesson.",
                plain,
            );
        }
        LabPhase::Starting => lines.push(Line::styled(" Copying the project…", theme.dim())),
        LabPhase::Failed(message) => {
            words(
                &mut lines,
                &format!("The lab could not start: {message}"),
                theme.error(),
            );
        }
        LabPhase::Watching { unwatched, .. } => {
            words(
                &mut lines,
                "Open this folder in your own editor and fix the project. The coach checks it \
                 again every time you save.",
                plain,
            );
            if let Some(reason) = unwatched {
                words(
                    &mut lines,
                    &format!(
                        "This folder is not watched ({reason}): press c to check it after saving."
                    ),
                    theme.error(),
                );
            }
        }
    }
    lines.push(Line::raw(""));

    if let LabPhase::Watching {
        outcome, checking, ..
    } = &state.phase
    {
        lines.push(section("Checks", width, theme));
        match outcome {
            None => lines.push(Line::styled(" Checking your copy…", theme.dim())),
            Some(Err(message)) => words(
                &mut lines,
                &format!("The check failed: {message}"),
                theme.error(),
            ),
            Some(Ok(outcome)) if outcome.solved() => {
                lines.push(Line::styled(
                    " ✓ Solved! Every check passes and the project still does its job.",
                    theme.ok().add_modifier(Modifier::BOLD),
                ));
                words(
                    &mut lines,
                    "The lesson's hands-on part is marked done. Esc goes back to the lesson.",
                    plain,
                );
            }
            Some(Ok(outcome)) => {
                let left = outcome.remaining.len() + outcome.broken.len();
                let note = if *checking {
                    " (checking again…)"
                } else {
                    ""
                };
                lines.push(Line::styled(
                    format!(
                        " {left} problem{} left{note}:",
                        if left == 1 { "" } else { "s" }
                    ),
                    theme.bold(),
                ));
                for finding in &outcome.remaining {
                    let place = format!("{}:{}", sanitize(&finding.path), finding.line);
                    let used = 1 + 5 + place.chars().count() + 2;
                    lines.push(Line::from(vec![
                        Span::raw(" "),
                        Span::styled(
                            format!("{} ", severity_tag(finding.severity)),
                            theme.severity(finding.severity),
                        ),
                        Span::styled(place, theme.accent()),
                        Span::raw("  "),
                        Span::raw(truncate(&finding.message, w.saturating_sub(used))),
                    ]));
                }
                for invariant in &outcome.broken {
                    let text = format!(
                        "no longer true: {} ({})",
                        invariant.description,
                        sanitize(&invariant.path)
                    );
                    lines.push(Line::from(vec![
                        Span::styled(" ✗ ", theme.bad()),
                        Span::raw(truncate(&text, w.saturating_sub(4))),
                    ]));
                }
            }
        }
        lines.push(Line::raw(""));
    }

    if solved && state.hints.is_empty() {
        return Text::from(lines);
    }
    lines.push(section("Hints", width, theme));
    for (n, hint) in state.hints.iter().enumerate() {
        let body = crate::markdown::render(
            &format!("**Hint {}.** {hint}", n + 1),
            theme.markdown(width.saturating_sub(1)),
        );
        for line in body.lines {
            let mut spans = vec![Span::raw(" ")];
            spans.extend(line.spans);
            lines.push(Line::from(spans));
        }
    }
    let prompt = if state.hints.is_empty() {
        " Stuck? "
    } else {
        " "
    };
    lines.push(Line::from(vec![
        Span::raw(prompt),
        Span::styled("h", theme.key()),
        Span::raw(if state.hints.is_empty() {
            " shows a hint."
        } else {
            " shows the next hint."
        }),
    ]));
    Text::from(lines)
}
