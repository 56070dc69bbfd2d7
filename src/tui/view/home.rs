//! Home: the curriculum with progress per track, "continue where you left off", and the state of
//! the project's scan.

use super::{full_row, gauge, list_offset, truncate};
use crate::catalog::Severity;
use crate::display::count;
use crate::tui::app::{App, HomeItem, HomeState, ScanPhase, home_items};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::UnicodeWidthStr;

pub fn render(frame: &mut Frame, area: Rect, app: &App, state: &HomeState) {
    let theme = app.theme;
    let wide = area.width >= 100;
    let (learn_area, project_area, about_area) = if wide {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(area);
        let [project, about] =
            Layout::vertical([Constraint::Length(8), Constraint::Min(3)]).areas(right);
        (left, project, Some(about))
    } else {
        let [project, learn] =
            Layout::vertical([Constraint::Length(5), Constraint::Min(3)]).areas(area);
        (learn, project, None)
    };

    let project_block = Block::bordered()
        .border_style(theme.border())
        .title(Span::styled(" Your project ", theme.title()));
    let inner = project_block
        .inner(project_area)
        .inner(ratatui::layout::Margin::new(1, 0));
    frame.render_widget(project_block, project_area);
    frame.render_widget(Paragraph::new(project_lines(app, inner.width, wide)), inner);

    let learn_block = Block::bordered()
        .border_style(theme.border())
        .title(Span::styled(" Learn ", theme.title()));
    let inner = learn_block.inner(learn_area);
    frame.render_widget(learn_block, learn_area);
    let (rows, selected_row) = learn_rows(app, state, usize::from(inner.width.saturating_sub(1)));
    let height = usize::from(inner.height);
    let offset = list_offset(selected_row, rows.len(), height);
    let visible: Vec<Line> = rows.into_iter().skip(offset).take(height).collect();
    frame.render_widget(Paragraph::new(visible), inner);

    if let Some(about_area) = about_area {
        let block = Block::bordered()
            .border_style(theme.border())
            .title(Span::styled(" About this lesson ", theme.title()));
        let inner = block
            .inner(about_area)
            .inner(ratatui::layout::Margin::new(1, 0));
        frame.render_widget(block, about_area);
        frame.render_widget(Paragraph::new(about_lines(app, state, inner.width)), inner);
    }
}

/// Scan state and counts by severity.
fn project_lines(app: &App, width: u16, wide: bool) -> Vec<Line<'static>> {
    let theme = app.theme;
    let width = usize::from(width);
    let mut lines = Vec::new();
    let report = app.scan.report.as_ref();
    match &app.scan.phase {
        ScanPhase::NotStarted => lines.push(Line::raw("Not scanned yet. Press R to scan.")),
        ScanPhase::Running {
            files: 0,
            findings: 0,
        } => {
            lines.push(Line::styled("Scanning your project…", theme.bold()));
            if let Some(report) = report {
                lines.push(Line::styled(
                    format!("Last scan: {}", count(report.findings.len(), "finding")),
                    theme.dim(),
                ));
            }
        }
        ScanPhase::Running { files, findings } => {
            lines.push(Line::from(vec![
                Span::styled("Scanning… ", theme.bold()),
                Span::raw(format!(
                    "{} read, {} so far",
                    count(*files, "file"),
                    count(*findings, "finding")
                )),
            ]));
            if let Some(report) = report {
                lines.push(Line::styled(
                    format!("Last scan: {}", count(report.findings.len(), "finding")),
                    theme.dim(),
                ));
            }
        }
        ScanPhase::Failed(message) => lines.push(Line::styled(
            truncate(&format!("Scan failed: {message}"), width),
            theme.error(),
        )),
        ScanPhase::Done => {}
    }
    if let (ScanPhase::Done, Some(report)) = (&app.scan.phase, report) {
        let total = report.findings.len();
        let files = report.stats.files_scanned;
        if total == 0 {
            lines.push(Line::raw(format!(
                "No findings in {}. Nice work.",
                count(files, "file")
            )));
        } else {
            let reviewed = report
                .findings
                .iter()
                .filter(|f| app.progress.is_reviewed(&f.fingerprint))
                .count();
            lines.push(Line::from(vec![
                Span::styled(count(total, "finding"), theme.bold()),
                // Not "of N files": findings can sit in files the scan did not read (a missing
                // .gitignore entry, a key file skipped as binary), which made "3 of 2 files".
                Span::raw(format!(
                    " in {} · {reviewed} reviewed",
                    count(report.files_with_findings(), "file")
                )),
            ]));
        }
        let mut counts: Vec<Span> = Vec::new();
        for (severity, count) in report.counts() {
            if !wide && severity == Severity::Info && count == 0 {
                continue;
            }
            let style = if count > 0 {
                theme.severity(severity)
            } else {
                theme.dim()
            };
            counts.push(Span::styled(format!("{count} {severity}"), style));
            counts.push(Span::raw("  "));
        }
        if wide {
            lines.push(Line::raw(""));
        }
        lines.push(Line::from(counts));
        let fixed = app.scan.fixed.len();
        if fixed > 0 {
            lines.push(Line::styled(
                format!("✓ {fixed} fixed this session"),
                theme.ok().add_modifier(ratatui::style::Modifier::BOLD),
            ));
        }
        if total > 0 {
            if wide {
                lines.push(Line::raw(""));
            }
            lines.push(Line::from(vec![
                Span::styled("f", theme.key()),
                Span::raw(" walks you through them, one at a time."),
            ]));
        }
    }
    lines
}

/// The curriculum as rows, and which row is selected.
fn learn_rows(app: &App, state: &HomeState, width: usize) -> (Vec<Line<'static>>, usize) {
    let theme = app.theme;
    let items = home_items(app);
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut selected_row = 0;
    let mut item_index = 0;
    let mut push_item = |rows: &mut Vec<Line<'static>>, spans: Vec<Span<'static>>| {
        let selected = item_index == state.selected;
        if selected {
            selected_row = rows.len();
        }
        rows.push(full_row(spans, width, selected.then(|| theme.selected())));
        item_index += 1;
    };
    let gauge_width = 12;
    // The team's onboarding plan first: its completion, then each section's lessons (which
    // open like any other) and labs.
    if let Some(plan) = &app.plan {
        let status = plan.status(&app.catalog, &app.progress);
        let count = format!(" {}/{}", status.done, status.total);
        let title_width = width.saturating_sub(gauge_width + count.width() + 3);
        let title = truncate("Your onboarding plan", title_width);
        let pad = title_width.saturating_sub(title.width());
        let mut spans = vec![
            Span::raw(" "),
            Span::styled(title, theme.title()),
            Span::raw(" ".repeat(pad + 1)),
        ];
        spans.extend(gauge(status.done, status.total, gauge_width, theme));
        spans.push(Span::styled(count, theme.dim()));
        rows.push(Line::from(spans));
        for section in &status.sections {
            rows.push(Line::from(vec![
                Span::styled(
                    format!(" {}", truncate(&section.title, width.saturating_sub(10))),
                    theme.bold(),
                ),
                Span::styled(format!(" {}/{}", section.done, section.total), theme.dim()),
            ]));
            for item in &section.items {
                let mark = if item.done {
                    Span::styled("   ✓ ", theme.ok())
                } else {
                    Span::raw("   · ")
                };
                let kind = if item.kind == "lab" { " lab" } else { "" };
                let title = truncate(&item.title, width.saturating_sub(5 + kind.width() + 1));
                let spans = vec![mark, Span::raw(title), Span::styled(kind, theme.dim())];
                if item.kind == "lesson" {
                    push_item(&mut rows, spans);
                } else {
                    rows.push(full_row(spans, width, None));
                }
            }
        }
        rows.push(Line::raw(""));
    }
    let continue_item = items.iter().find(|i| matches!(i, HomeItem::Continue(_)));
    if let Some(HomeItem::Continue(id)) = continue_item
        && let Some(lesson) = app.catalog.lesson(id)
    {
        let verb = if app.progress.last_lesson.is_some() {
            "Continue"
        } else {
            "Start here"
        };
        let text = truncate(&lesson.title, width.saturating_sub(verb.width() + 5));
        push_item(
            &mut rows,
            vec![
                Span::styled(format!(" ▶ {verb}: "), theme.key()),
                Span::styled(text, theme.bold()),
            ],
        );
    } else if app.continue_lesson().is_none() {
        rows.push(Line::styled(
            " ✓ Every lesson read. Revisit any of them below.",
            theme.ok(),
        ));
    }
    for track in app.catalog.tracks() {
        let lessons: Vec<_> = app
            .catalog
            .lessons()
            .into_iter()
            .filter(|l| l.track == track.id)
            .collect();
        if lessons.is_empty() {
            continue;
        }
        let done = lessons
            .iter()
            .filter(|l| app.progress.is_read(&l.id))
            .count();
        rows.push(Line::raw(""));
        let count = format!(" {done}/{}", lessons.len());
        let title_width = width.saturating_sub(gauge_width + count.width() + 3);
        let title = truncate(&track.title, title_width);
        let pad = title_width.saturating_sub(title.width());
        let mut spans = vec![
            Span::raw(" "),
            Span::styled(title, theme.bold()),
            Span::raw(" ".repeat(pad + 1)),
        ];
        spans.extend(gauge(done, lessons.len(), gauge_width, theme));
        spans.push(Span::styled(count, theme.dim()));
        rows.push(Line::from(spans));
        for lesson in lessons {
            let read = app.progress.is_read(&lesson.id);
            let mark = if read {
                Span::styled("   ✓ ", theme.ok())
            } else {
                Span::raw("   · ")
            };
            let minutes = format!(" {} min", lesson.minutes);
            let score = app
                .progress
                .quiz_scores
                .get(&lesson.id)
                .map(|s| format!(" quiz {}/{}", s.best, s.total))
                .unwrap_or_default();
            // The practical part: a lab, done or to do.
            let lab = match (app.lab_of(lesson).is_some(), app.lab_solved(lesson)) {
                (_, true) => Span::styled(" lab ✓", theme.ok()),
                (true, false) => Span::styled(" lab", theme.dim()),
                (false, false) => Span::raw(""),
            };
            let tail = format!("{score}{minutes}");
            let title_width = width.saturating_sub(5 + tail.width() + lab.content.width() + 1);
            let title = truncate(&lesson.title, title_width);
            let pad = title_width.saturating_sub(title.width());
            push_item(
                &mut rows,
                vec![
                    mark,
                    Span::raw(title),
                    Span::raw(" ".repeat(pad + 1)),
                    Span::styled(score, theme.dim()),
                    lab,
                    Span::styled(minutes, theme.dim()),
                ],
            );
        }
    }
    (rows, selected_row)
}

/// The selected lesson's summary (wide layout only).
fn about_lines(app: &App, state: &HomeState, width: u16) -> Vec<Line<'static>> {
    let theme = app.theme;
    let items = home_items(app);
    let Some(HomeItem::Continue(id) | HomeItem::Lesson(id)) = items.get(state.selected) else {
        return Vec::new();
    };
    let Some(lesson) = app.catalog.lesson(id) else {
        return Vec::new();
    };
    let track = app
        .catalog
        .tracks()
        .iter()
        .find(|t| t.id == lesson.track)
        .map_or(lesson.track.as_str(), |t| t.title.as_str());
    let track = crate::display::sanitize(track);
    let mut lines = vec![
        Line::styled(
            crate::display::sanitize(&lesson.title).into_owned(),
            theme.bold(),
        ),
        Line::styled(
            format!(
                "{track} · {} min · {}",
                lesson.minutes,
                lesson.level.as_str()
            ),
            theme.dim(),
        ),
        Line::raw(""),
    ];
    let summary = crate::markdown::render(&lesson.summary, theme.markdown(width));
    lines.extend(summary.lines);
    if let Some(lab) = app.lab_of(lesson) {
        lines.push(Line::raw(""));
        let done = if app.lab_solved(lesson) {
            Span::styled(" · ✓ solved", theme.ok())
        } else {
            Span::raw("")
        };
        lines.push(Line::from(vec![
            Span::styled("Hands-on lab: ", theme.bold()),
            Span::raw(crate::display::sanitize(&lab.title).into_owned()),
            done,
        ]));
    }
    if !lesson.checks.is_empty() {
        lines.push(Line::raw(""));
        let findings = app
            .findings()
            .iter()
            .filter(|f| lesson.checks.iter().any(|c| c == f.rule.as_str()))
            .count();
        lines.push(Line::raw(format!(
            "Teaches {} · {} in your project",
            count(lesson.checks.len(), "check"),
            count(findings, "finding")
        )));
    }
    lines
}
