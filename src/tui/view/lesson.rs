//! The lesson reader and its quiz.

use crate::catalog::Lesson;
use crate::tui::app::{App, LessonState, QuizState};
use crate::tui::theme::severity_tag;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, app: &App, state: &LessonState) {
    let area = super::text_column(area);
    let Some(lesson) = app.catalog.lesson(&state.id) else {
        frame.render_widget(Paragraph::new("This lesson is no longer available."), area);
        return;
    };
    let (text, scroll) = match &state.quiz {
        Some(quiz) => (quiz_text(app, lesson, quiz, area.width), quiz.scroll),
        None => (
            lesson_text_scrolled(app, lesson, area.width, state.code_scroll),
            state.scroll,
        ),
    };
    super::render_scrolled(frame, area, text, scroll);
}

/// Lines of the lesson text and the height they scroll in.
pub fn content_size(app: &App, state: &LessonState) -> (usize, usize) {
    let area = super::text_column(super::body_area(app.size));
    let total = app
        .catalog
        .lesson(&state.id)
        .map_or(0, |l| lesson_text(app, l, area.width).lines.len());
    (total, usize::from(area.height))
}

/// Lines of the quiz pane and the height they scroll in.
pub fn quiz_size(app: &App, state: &LessonState) -> (usize, usize) {
    let area = super::text_column(super::body_area(app.size));
    let total = match (app.catalog.lesson(&state.id), &state.quiz) {
        (Some(lesson), Some(quiz)) => quiz_text(app, lesson, quiz, area.width).lines.len(),
        _ => 0,
    };
    (total, usize::from(area.height))
}

/// Lines of [`lesson_text`] above the Markdown body: the facts line and a blank line.
const HEADER_LINES: usize = 2;

/// The first code block at least partly on screen, as written in the lesson (for copying).
pub fn code_on_screen(app: &App, state: &LessonState) -> Option<String> {
    let area = super::text_column(super::body_area(app.size));
    let lesson = app.catalog.lesson(&state.id)?;
    let (_, blocks) = crate::markdown::render_with_code(
        &lesson.body,
        app.theme.markdown(area.width),
        state.code_scroll,
    );
    let top = state.scroll;
    let bottom = top + usize::from(area.height);
    blocks
        .into_iter()
        .find(|b| {
            let start = b.first_line + HEADER_LINES;
            start < bottom && start + b.lines > top
        })
        .map(|b| b.text)
}

/// How far the lesson's code blocks may scroll right: until the end of the widest line shows.
pub fn code_scroll_limit(app: &App, state: &LessonState) -> usize {
    let area = super::text_column(super::body_area(app.size));
    // The gutter and a marker on each side take four columns of the code block.
    let room = usize::from(area.width).saturating_sub(4).max(1);
    app.catalog.lesson(&state.id).map_or(0, |l| {
        crate::markdown::widest_code_line(&l.body).saturating_sub(room)
    })
}

/// The lesson: a line of facts, the Markdown body, the checks it teaches and the quiz prompt.
pub fn lesson_text(app: &App, lesson: &Lesson, width: u16) -> Text<'static> {
    lesson_text_scrolled(app, lesson, width, 0)
}

/// [`lesson_text`] with its code blocks scrolled `code_scroll` columns to the right.
pub fn lesson_text_scrolled(
    app: &App,
    lesson: &Lesson,
    width: u16,
    code_scroll: usize,
) -> Text<'static> {
    let theme = app.theme;
    let track = app
        .catalog
        .tracks()
        .iter()
        .find(|t| t.id == lesson.track)
        .map_or(lesson.track.as_str(), |t| t.title.as_str());
    let track = crate::display::sanitize(track);
    let lessons = app.catalog.lessons();
    let in_track: Vec<_> = lessons.iter().filter(|l| l.track == lesson.track).collect();
    let position = in_track
        .iter()
        .position(|l| l.id == lesson.id)
        .map_or(String::new(), |p| {
            format!(" {} of {}", p + 1, in_track.len())
        });
    let read = if app.progress.is_read(&lesson.id) {
        " · ✓ read"
    } else {
        ""
    };
    let mut lines: Vec<Line<'static>> = vec![
        Line::styled(
            format!(
                "{track}{position} · {} min · {}{read}",
                lesson.minutes,
                lesson.level.as_str()
            ),
            theme.dim(),
        ),
        Line::raw(""),
    ];
    debug_assert_eq!(lines.len(), HEADER_LINES);
    lines.extend(
        crate::markdown::render_scrolled(&lesson.body, theme.markdown(width), code_scroll).lines,
    );

    if !lesson.checks.is_empty() {
        lines.push(Line::raw(""));
        lines.push(section("In your project", width, app));
        let mut in_project = 0;
        for check in &lesson.checks {
            let count = app
                .findings()
                .iter()
                .filter(|f| f.rule.as_str() == check)
                .count();
            in_project += count;
            let Some(rule) = app.catalog.rule(check) else {
                continue;
            };
            let found = if count > 0 {
                Span::styled(format!("  {count} found"), theme.severity(rule.severity))
            } else {
                Span::raw("")
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!(" {} ", severity_tag(rule.severity)),
                    theme.severity(rule.severity),
                ),
                Span::raw(super::truncate(
                    &format!("{} ({})", rule.title, rule.id),
                    usize::from(width).saturating_sub(16),
                )),
                found,
            ]));
        }
        let scanned = app.scan.report.is_some();
        let hint = match (scanned, in_project) {
            (false, _) => "The scan of your project is still running.".to_owned(),
            (true, 0) => "None of these checks fire in your project.".to_owned(),
            (true, n) => format!(
                "{n} finding{} in your project.",
                if n == 1 { "" } else { "s" }
            ),
        };
        lines.push(Line::from(vec![
            Span::raw(format!(" {hint} ")),
            Span::styled("f", theme.key()),
            Span::raw(" shows them."),
        ]));
    }

    if let Some(lab) = app.lab_of(lesson) {
        lines.push(Line::raw(""));
        lines.push(section("Hands-on lab", width, app));
        lines.push(Line::styled(format!(" {}", lab.title), theme.bold()));
        let solved = app.lab_solved(lesson);
        let (text, style, key) = if solved {
            (
                "✓ Solved: the practical part of this lesson is done.",
                theme.ok(),
                " opens it again.",
            )
        } else {
            (
                "Fix a small vulnerable project in your own editor; the coach checks it each time you save.",
                ratatui::style::Style::new(),
                " starts it.",
            )
        };
        for line in super::wrap_words(text, usize::from(width).saturating_sub(1)) {
            lines.push(Line::styled(format!(" {line}"), style));
        }
        lines.push(Line::from(vec![
            Span::raw(" "),
            Span::styled("l", theme.key()),
            Span::raw(key),
        ]));
    }

    lines.push(Line::raw(""));
    lines.push(section("Quiz", width, app));
    if lesson.quiz.is_empty() {
        lines.push(Line::raw(" This lesson has no quiz."));
    } else {
        let count = lesson.quiz.len();
        let score = match app.progress.quiz_scores.get(&lesson.id) {
            Some(score) => format!(
                " Last time: {}/{} (best {}/{}). ",
                score.correct, score.total, score.best, score.total
            ),
            None => format!(
                " {count} question{} to check what stuck. ",
                if count == 1 { "" } else { "s" }
            ),
        };
        lines.push(Line::from(vec![
            Span::raw(score),
            Span::styled("t", theme.key()),
            Span::raw(" takes the quiz."),
        ]));
    }
    lines.push(Line::from(vec![
        Span::raw(" "),
        Span::styled("n", theme.key()),
        Span::raw(" next lesson · "),
        Span::styled("p", theme.key()),
        Span::raw(" previous · "),
        Span::styled("Esc", theme.key()),
        Span::raw(" back"),
    ]));
    Text::from(lines)
}

fn section(title: &str, width: u16, app: &App) -> Line<'static> {
    super::section(title, width, app.theme)
}

/// The current question, its choices, and after answering the feedback and explanation.
pub fn quiz_text(app: &App, lesson: &Lesson, quiz: &QuizState, width: u16) -> Text<'static> {
    let theme = app.theme;
    let total = lesson.quiz.len();
    let mut lines: Vec<Line<'static>> = Vec::new();
    if quiz.finished {
        lines.push(Line::styled(
            format!("Quiz · {}", lesson.title),
            theme.title(),
        ));
        lines.push(Line::raw(""));
        let score = format!("You got {} of {total} right.", quiz.correct);
        let style = if quiz.correct as usize == total {
            theme.ok().add_modifier(ratatui::style::Modifier::BOLD)
        } else {
            theme.bold()
        };
        lines.push(Line::styled(score, style));
        if let Some(best) = app.progress.quiz_scores.get(&lesson.id) {
            lines.push(Line::styled(
                format!(
                    "Best so far: {}/{}. Your score is saved.",
                    best.best, best.total
                ),
                theme.dim(),
            ));
        }
        lines.push(Line::raw(""));
        let advice = if quiz.correct as usize == total {
            "Every answer right. Try the checks on your own project next."
        } else {
            "Reread the parts you missed, then retake the quiz."
        };
        lines.push(Line::raw(advice));
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled("Enter", theme.key()),
            Span::raw(" back to the lesson · "),
            Span::styled("r", theme.key()),
            Span::raw(" retake"),
        ]));
        return Text::from(lines);
    }
    let Some(question) = lesson.quiz.get(quiz.question) else {
        return Text::from(lines);
    };
    lines.push(Line::styled(
        format!("Question {} of {total}", quiz.question + 1),
        theme.title(),
    ));
    lines.push(Line::raw(""));
    let mut prompt = crate::markdown::render(&question.question, theme.markdown(width));
    for line in &mut prompt.lines {
        *line = std::mem::take(line).patch_style(theme.bold());
    }
    lines.extend(prompt.lines);
    lines.push(Line::raw(""));
    // Choices appear in this attempt's shuffled order; positions on screen are what the learner
    // picks, and what the feedback names.
    let right = quiz.answer_position(question);
    for (i, &index) in quiz.order(question).iter().enumerate() {
        let choice = &question.choices[index];
        let cursor = i == quiz.cursor && quiz.answered.is_none();
        let (mark, style) = match quiz.answered {
            Some(_) if i == right => ("✓", theme.ok().add_modifier(ratatui::style::Modifier::BOLD)),
            Some(chosen) if chosen == i => ("✗", theme.bad()),
            _ if cursor => ("›", theme.selected()),
            _ => (" ", ratatui::style::Style::new()),
        };
        let label = format!("{mark} {}) ", i + 1);
        let indent = label.chars().count();
        let body =
            crate::markdown::render(choice, theme.markdown(width.saturating_sub(indent as u16)));
        for (n, line) in body.lines.into_iter().enumerate() {
            let lead = if n == 0 {
                label.clone()
            } else {
                " ".repeat(indent)
            };
            let mut spans = vec![Span::styled(lead, style)];
            spans.extend(line.spans);
            let line = Line::from(spans);
            lines.push(
                if cursor || quiz.answered.is_some() && style != ratatui::style::Style::new() {
                    line.patch_style(style)
                } else {
                    line
                },
            );
        }
    }
    lines.push(Line::raw(""));
    match quiz.answered {
        None => lines.push(Line::from(vec![
            Span::raw("Pick with "),
            Span::styled("1", theme.key()),
            Span::raw("–"),
            Span::styled(question.choices.len().to_string(), theme.key()),
            Span::raw(", or "),
            Span::styled("↑↓", theme.key()),
            Span::raw(" and "),
            Span::styled("Enter", theme.key()),
            Span::raw("."),
        ])),
        Some(chosen) => {
            if chosen == right {
                lines.push(Line::styled(
                    "Correct.",
                    theme.ok().add_modifier(ratatui::style::Modifier::BOLD),
                ));
            } else {
                lines.push(Line::styled(
                    format!("Not quite: the answer is {}.", right + 1),
                    theme.bad(),
                ));
            }
            lines.extend(
                crate::markdown::render(&question.explanation, theme.markdown(width)).lines,
            );
            lines.push(Line::raw(""));
            let next = if quiz.question + 1 < total {
                " next question"
            } else {
                " see your score"
            };
            lines.push(Line::from(vec![
                Span::styled("Enter", theme.key()),
                Span::raw(next),
            ]));
        }
    }
    Text::from(lines)
}
