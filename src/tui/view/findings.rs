//! The findings walkthrough: the list, grouped by severity or by file, with its filters; on wide
//! terminals a preview of the selected finding beside it.

use super::{full_row, list_offset, shorten_path, truncate};
use crate::display::sanitize;
use crate::tui::app::{
    App, FindingsState, Grouping, ScanPhase, same_group, visible_findings, visible_fixed,
};
use crate::tui::theme::severity_tag;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::UnicodeWidthStr;

pub fn render(frame: &mut Frame, area: Rect, app: &App, state: &FindingsState) {
    let theme = app.theme;
    let visible = visible_findings(app, state);
    let wide = area.width >= 120 && !visible.is_empty();
    let (list_area, preview_area) = if wide {
        let [list, preview] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(area);
        (list, Some(preview))
    } else {
        (area, None)
    };
    // What the scan could not do (a rule that did not run, files skipped) is said under the
    // summary, as `seccoach scan` says it on stderr.
    let notes = app
        .scan
        .report
        .as_ref()
        .map_or(&[][..], |r| r.notes.as_slice());
    let mut header = vec![summary_line(app, state, visible.len(), list_area.width)];
    header.extend(notes_line(app, notes, usize::from(list_area.width)));
    let [summary_area, rows_area] =
        Layout::vertical([Constraint::Length(header.len() as u16), Constraint::Min(1)])
            .areas(list_area);
    frame.render_widget(Paragraph::new(header), summary_area);

    let width = usize::from(rows_area.width);
    let total = app.findings().len();
    let fixed = visible_fixed(app, state);
    if visible.is_empty() {
        let message = match (&app.scan.phase, total) {
            (ScanPhase::Running { files: 0, .. }, 0) => "Scanning your project…".to_owned(),
            (ScanPhase::Running { files, .. }, 0) => {
                format!(
                    "Scanning your project… {} read so far.",
                    crate::display::count(*files, "file")
                )
            }
            (ScanPhase::Failed(message), 0) => format!("The scan failed: {message}"),
            (_, 0) if app.scan.report.is_some() && !fixed.is_empty() => {
                "Nothing left to fix here. Well done.".to_owned()
            }
            (_, 0) if app.scan.report.is_some() && app.scan.watching => {
                "No findings in this project. Try a lesson; changes are re-checked as you save."
                    .to_owned()
            }
            (_, 0) if app.scan.report.is_some() => {
                "No findings in this project. Try a lesson, or press R after changing files."
                    .to_owned()
            }
            (_, 0) => "Not scanned yet. Press R to scan.".to_owned(),
            _ => "No findings match these filters. x clears them.".to_owned(),
        };
        if fixed.is_empty() {
            frame.render_widget(
                Paragraph::new(Line::raw(format!(" {message}")))
                    .wrap(ratatui::widgets::Wrap { trim: false }),
                rows_area,
            );
            return;
        }
        let mut rows = vec![Line::raw(format!(
            " {}",
            truncate(&message, width.saturating_sub(1))
        ))];
        rows.extend(fixed_rows(app, &fixed, width));
        frame.render_widget(Paragraph::new(rows), rows_area);
        return;
    }

    // Plan the rows cheaply (no text), then format only the ones on screen: a list of twenty
    // thousand findings costs no more to draw than a list of twenty.
    enum Row {
        Header(usize),
        Finding(usize),
        Fixed(Vec<Line<'static>>),
    }
    let findings = app.findings();
    let same_group = |a: usize, b: usize| same_group(findings, state.grouping, a, b);
    let mut plan: Vec<Row> = Vec::with_capacity(visible.len() + 16);
    let mut selected_row = 0;
    for (position, &index) in visible.iter().enumerate() {
        if position == 0 || !same_group(visible[position - 1], index) {
            plan.push(Row::Header(position));
        }
        if position == state.selected {
            selected_row = plan.len();
        }
        plan.push(Row::Finding(position));
    }
    if !fixed.is_empty() {
        plan.extend(
            fixed_rows(app, &fixed, width)
                .into_iter()
                .map(|line| Row::Fixed(vec![line])),
        );
    }
    let height = usize::from(rows_area.height);
    let offset = list_offset(selected_row, plan.len(), height);
    let mut shown: Vec<Line> = Vec::with_capacity(height);
    for row in plan.into_iter().skip(offset).take(height) {
        match row {
            Row::Fixed(lines) => shown.extend(lines),
            Row::Header(position) => {
                let finding = &findings[visible[position]];
                let count = visible[position..]
                    .iter()
                    .take_while(|&&i| same_group(i, visible[position]))
                    .count();
                let (label, style) = match state.grouping {
                    Grouping::BySeverity => (
                        finding.severity.as_str().to_uppercase(),
                        theme.severity(finding.severity),
                    ),
                    Grouping::ByFile => (sanitize(&finding.path).into_owned(), theme.bold()),
                    Grouping::ByRule => {
                        (finding.rule.to_string(), theme.severity(finding.severity))
                    }
                };
                let label = if finding.in_test_code {
                    format!("test code · {label}")
                } else {
                    label
                };
                shown.push(Line::from(vec![
                    Span::styled(
                        format!(" {}", truncate(&label, width.saturating_sub(8))),
                        style,
                    ),
                    Span::styled(format!(" · {count}"), theme.dim()),
                ]));
            }
            Row::Finding(position) => {
                let finding = &findings[visible[position]];
                let selected = position == state.selected;
                let reviewed = app.progress.is_reviewed(&finding.fingerprint);
                let mark = if reviewed {
                    Span::styled(" ✓ ", theme.ok())
                } else {
                    Span::raw("   ")
                };
                let place = match state.grouping {
                    Grouping::BySeverity | Grouping::ByRule => {
                        shorten_path(&finding.path, finding.line, place_width(width))
                    }
                    Grouping::ByFile => format!("line {}", finding.line),
                };
                let new = app.scan.new.contains(&finding.fingerprint);
                let tag = if new { "new " } else { "" };
                let used = 3 + 5 + place.width() + 2 + tag.len();
                let message = truncate(&finding.message, width.saturating_sub(used));
                let spans = vec![
                    mark,
                    Span::styled(
                        format!("{} ", severity_tag(finding.severity)),
                        theme.severity(finding.severity),
                    ),
                    Span::styled(place, theme.accent()),
                    Span::raw("  "),
                    Span::styled(tag, theme.key()),
                    Span::raw(message),
                ];
                shown.push(full_row(spans, width, selected.then(|| theme.selected())));
            }
        }
    }
    frame.render_widget(Paragraph::new(shown), rows_area);

    if let Some(preview_area) = preview_area
        && let Some(&index) = visible.get(state.selected)
    {
        render_preview(frame, preview_area, app, index);
    }
}

/// The findings fixed this session, after the list: a heading and one dimmed row each.
fn fixed_rows(app: &App, fixed: &[&crate::finding::Finding], width: usize) -> Vec<Line<'static>> {
    let theme = app.theme;
    let mut rows = vec![Line::from(vec![
        Span::styled(
            " FIXED THIS SESSION",
            theme.ok().add_modifier(ratatui::style::Modifier::BOLD),
        ),
        Span::styled(format!(" · {}", fixed.len()), theme.dim()),
    ])];
    for finding in fixed {
        let place = shorten_path(&finding.path, finding.line, place_width(width));
        let used = 3 + 5 + place.width() + 2;
        rows.push(Line::from(vec![
            Span::styled(" ✓ ", theme.ok()),
            Span::styled(format!("{} ", severity_tag(finding.severity)), theme.dim()),
            Span::styled(place, theme.dim()),
            Span::raw("  "),
            Span::styled(
                truncate(&finding.message, width.saturating_sub(used)),
                theme.dim(),
            ),
        ]));
    }
    rows
}

/// The scan's first note (and how many more there are), on one line; none without notes.
fn notes_line(app: &App, notes: &[String], width: usize) -> Option<Line<'static>> {
    let first = notes.first()?;
    let more = match notes.len() {
        1 => " (n: in full)".to_owned(),
        n => format!(" (+{} more: n shows all)", n - 1),
    };
    let budget = width.saturating_sub(" note: ".width() + more.width());
    Some(Line::styled(
        format!(" note: {}{more}", truncate(&sanitize(first), budget)),
        app.theme.dim(),
    ))
}

fn summary_line(app: &App, state: &FindingsState, shown: usize, width: u16) -> Line<'static> {
    let theme = app.theme;
    let total = app.findings().len();
    let mut parts: Vec<String> = Vec::new();
    parts.push(state.grouping.label().to_owned());
    if let Some(min) = state.min_severity {
        parts.push(format!("{min} and up"));
    }
    if let Some(area) = &state.area {
        parts.push(format!("area {area}"));
    }
    if let Some(rules) = &state.rules {
        parts.push(format!("checks of “{}”", rules.label));
    }
    if !state.query.is_empty() {
        parts.push(format!("“{}”", sanitize(&state.query)));
    }
    let scanning = if matches!(app.scan.phase, ScanPhase::Running { .. }) {
        " · scanning…"
    } else if app.scan.rechecking {
        " · re-checking…"
    } else {
        ""
    };
    let head = format!(" {shown} of {total}");
    let fixed = match app.scan.fixed.len() {
        0 => String::new(),
        n => format!(" · ✓ {n} fixed this session"),
    };
    let rest = format!(" · {}{scanning}", parts.join(" · "));
    let budget = usize::from(width).saturating_sub(head.width());
    let fixed = truncate(&fixed, budget);
    Line::from(vec![
        Span::styled(head.clone(), theme.bold()),
        Span::styled(fixed.clone(), theme.ok()),
        Span::styled(
            truncate(&rest, budget.saturating_sub(fixed.width())),
            theme.dim(),
        ),
    ])
}

fn render_preview(frame: &mut Frame, area: Rect, app: &App, index: usize) {
    let theme = app.theme;
    let Some(finding) = app.findings().get(index) else {
        return;
    };
    let block = Block::bordered()
        .border_style(theme.border())
        .title(Span::styled(" Preview ", theme.title()));
    let inner = block.inner(area).inner(ratatui::layout::Margin::new(1, 0));
    frame.render_widget(block, area);
    let width = inner.width;
    let rule = app.catalog.rule(finding.rule.as_str());
    let mut lines: Vec<Line<'static>> = Vec::new();
    let title = rule.map_or_else(
        || finding.rule.to_string(),
        |r| sanitize(&r.title).into_owned(),
    );
    lines.push(Line::from(vec![
        Span::styled(
            format!("{} ", severity_tag(finding.severity)),
            theme.severity(finding.severity),
        ),
        Span::styled(title, theme.bold()),
    ]));
    lines.push(Line::styled(finding.rule.to_string(), theme.dim()));
    // The whole path, wrapped: a deep path cut at the pane's edge lost the file name.
    let place = format!("{}:{}", sanitize(&finding.path), finding.line);
    for piece in wrap_path(&place, usize::from(width)) {
        lines.push(Line::styled(piece, theme.dim()));
    }
    lines.push(Line::raw(""));
    lines.extend(
        super::wrap_words(&finding.message, usize::from(width))
            .into_iter()
            .map(Line::raw),
    );
    if !finding.snippet.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            truncate(finding.snippet.trim(), usize::from(width)),
            theme.accent(),
        ));
    }
    if let Some(rule) = rule {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Fix", theme.title()));
        lines.extend(crate::markdown::render(&rule.fix_hint(), theme.markdown(width)).lines);
        if crate::tui::app::has_fix(finding) {
            lines.push(Line::from(vec![
                Span::styled("f", theme.key()),
                Span::raw(" previews the automatic fix."),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("Enter", theme.key()),
        Span::raw(" for the code, the why and the lesson."),
    ]));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Columns for a row's `path:line`: two fifths of the row, at least 20.
fn place_width(row: usize) -> usize {
    (row * 2 / 5).max(20)
}

/// A path in lines of at most `width` columns, broken after a `/` where it can be.
fn wrap_path(path: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for part in path.split_inclusive('/') {
        if line.width() + part.width() > width && !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        if part.width() > width {
            let mut pieces = super::wrap_plain(part, width);
            line = pieces.pop().unwrap_or_default();
            out.extend(pieces);
        } else {
            line.push_str(part);
        }
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}
