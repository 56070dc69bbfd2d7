//! Pure render functions: `&App` in, widgets on a frame out. Each screen has its module; the
//! frame around them (header, status line, footer generated from the key table, overlays and
//! the too-small message) lives here.

pub mod detail;
pub mod findings;
pub mod fix;
pub mod history;
pub mod home;
pub mod lab;
pub mod layers;
pub mod lesson;
pub mod notes;

use super::app::{App, Overlay, Screen};
use super::keys::{self, Ctx};
use super::theme::Theme;
use crate::finding::FindingKey;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

/// Below this size the coach shows a message instead of a cramped layout.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// The area screens draw in: everything but the header, status and footer rows.
pub fn body_area(size: (u16, u16)) -> Rect {
    let (width, height) = size;
    Rect {
        x: 0,
        y: 1.min(height),
        width,
        height: height.saturating_sub(3),
    }
}

/// Draws the whole coach.
pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, app.theme);
        return;
    }
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(frame, header, app);
    match app.screens.last() {
        Some(Screen::Home(state)) => home::render(frame, body, app, state),
        Some(Screen::Lesson(state)) => lesson::render(frame, body, app, state),
        Some(Screen::Findings(state)) => findings::render(frame, body, app, state),
        Some(Screen::Detail(state)) => detail::render(frame, body, app, state),
        Some(Screen::Lab(state)) => lab::render(frame, body, app, state),
        Some(Screen::Notes(state)) => notes::render(frame, body, app, state),
        Some(Screen::History(state)) => history::render(frame, body, app, state),
        Some(Screen::Layers(state)) => layers::render(frame, body, app, state),
        None => {}
    }
    render_status(frame, status, app);
    render_footer(frame, footer, app);
    match &app.overlay {
        Some(Overlay::Help) => render_help(frame, area, app),
        Some(Overlay::Reason { key, input }) => render_reason(frame, area, app, key, input),
        Some(Overlay::Confirm(plan)) => render_confirm(frame, area, app, plan),
        Some(Overlay::Fix(preview)) => fix::render(frame, area, app, preview),
        Some(Overlay::Group(group)) => render_group(frame, area, app, group),
        Some(Overlay::Search { .. }) | None => {}
    }
}

fn too_small(frame: &mut Frame, area: Rect, theme: Theme) {
    let text = Text::from(vec![
        Line::styled("seccoach needs a larger terminal", theme.bold()),
        Line::raw(format!(
            "at least {MIN_WIDTH}×{MIN_HEIGHT}; this one is {}×{}.",
            area.width, area.height
        )),
        Line::raw("Enlarge the window, or press q to quit."),
    ]);
    let height = 3.min(area.height);
    let y = area.y + area.height.saturating_sub(height) / 2;
    let rect = Rect {
        x: area.x,
        y,
        width: area.width,
        height,
    };
    frame.render_widget(
        Paragraph::new(text)
            .alignment(ratatui::layout::HorizontalAlignment::Center)
            .wrap(ratatui::widgets::Wrap { trim: true }),
        rect,
    );
}

fn render_header(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let place = match app.screens.last() {
        Some(Screen::Home(_)) | None => "Home".to_owned(),
        Some(Screen::Lesson(state)) => {
            let title = app
                .catalog
                .lesson(&state.id)
                .map_or(state.id.as_str(), |l| l.title.as_str());
            if state.quiz.is_some() {
                format!("Quiz · {title}")
            } else {
                format!("Lesson · {title}")
            }
        }
        Some(Screen::Findings(_)) => "Findings".to_owned(),
        Some(Screen::Detail(state)) => match detail::shown_finding(app, state) {
            Some(f) => format!("Finding · {}", f.rule),
            None => "Finding".to_owned(),
        },
        Some(Screen::Lab(state)) => match app.lab(&state.id) {
            Some(lab) => format!("Lab · {}", lab.title),
            None => "Lab".to_owned(),
        },
        Some(Screen::Notes(_)) => "Scan notes".to_owned(),
        Some(Screen::History(_)) => "History".to_owned(),
        Some(Screen::Layers(_)) => "Pipeline layers".to_owned(),
    };
    // How far through a long text the reader is.
    let (scroll, (total, height)) = match app.screens.last() {
        Some(Screen::Lesson(state)) => match &state.quiz {
            Some(quiz) => (quiz.scroll, lesson::quiz_size(app, state)),
            None => (state.scroll, lesson::content_size(app, state)),
        },
        Some(Screen::Detail(state)) => (state.scroll, detail::content_size(app, state)),
        Some(Screen::Lab(state)) => (state.scroll, lab::content_size(app, state)),
        Some(Screen::Notes(state)) => (state.scroll, notes::content_size(app)),
        Some(Screen::History(state)) => (state.scroll, history::content_size(app)),
        Some(Screen::Layers(state)) => (state.scroll, layers::content_size(app, state)),
        _ => (0, (0, 0)),
    };
    let position = if total > height && height > 0 {
        let shown = (scroll.min(total - height) + height) * 100 / total;
        format!("{shown}% · ")
    } else {
        String::new()
    };
    let right = format!(" {position}{} ", app.project_name);
    let left_budget = usize::from(area.width).saturating_sub(right.width() + 12);
    let spans = vec![
        Span::styled(
            " seccoach ",
            theme.header().add_modifier(ratatui::style::Modifier::BOLD),
        ),
        Span::raw(" "),
        Span::styled(truncate(&place, left_budget), theme.bold()),
    ];
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    let gap = usize::from(area.width).saturating_sub(used + right.width());
    let mut spans = spans;
    spans.push(Span::raw(" ".repeat(gap)));
    spans.push(Span::styled(right, theme.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_status(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let line = if let Some(Overlay::Search { .. }) = &app.overlay {
        let query = match app.screens.last() {
            Some(Screen::Findings(state)) => state.query.as_str(),
            _ => "",
        };
        Line::from(vec![
            Span::styled(" / ", theme.key()),
            Span::raw(crate::display::sanitize(query).into_owned()),
            Span::styled("▏", theme.key()),
        ])
    } else if let Some(status) = &app.status {
        let style = if status.error {
            theme.error()
        } else {
            theme.ok()
        };
        Line::styled(
            format!(
                " {}",
                truncate(&status.text, usize::from(area.width).saturating_sub(2))
            ),
            style,
        )
    } else {
        Line::raw("")
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The footer: the keys that apply here, from the key table, as many as fit. "back", "help"
/// and "quit" always keep their place at the end.
pub fn footer_line(ctx: Ctx, width: u16, theme: Theme) -> Line<'static> {
    use keys::Command::{Back, Help, Quit};
    let items: Vec<(&str, &str, bool)> = keys::footer(ctx)
        .filter_map(|b| {
            let text = b.footer?;
            let (key, what) = text.split_once(' ').unwrap_or((text, ""));
            Some((key, what, matches!(b.command, Back | Help | Quit)))
        })
        .collect();
    let cost = |(key, what, _): &(&str, &str, bool)| key.width() + 1 + what.width() + 2;
    let reserved: usize = items.iter().filter(|i| i.2).map(cost).sum();
    let mut budget = usize::from(width).saturating_sub(1 + reserved);
    let mut spans: Vec<Span<'static>> = vec![Span::raw(" ")];
    for item in &items {
        let fits = item.2 || cost(item) <= budget;
        if !fits {
            continue;
        }
        if !item.2 {
            budget -= cost(item);
        }
        spans.push(Span::styled(item.0.to_owned(), theme.key()));
        spans.push(Span::raw(format!(" {}  ", item.1)));
    }
    Line::from(spans)
}

fn render_footer(frame: &mut Frame, area: Rect, app: &App) {
    frame.render_widget(
        Paragraph::new(footer_line(app.context(), area.width, app.theme)),
        area,
    );
}

/// Where a centred box of at most `width`×`height` goes inside `area`.
fn popup_rect(area: Rect, width: u16, height: u16) -> Rect {
    let width = width
        .min(area.width.saturating_sub(4))
        .max(10.min(area.width));
    let height = height
        .min(area.height.saturating_sub(2))
        .max(3.min(area.height));
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// A centred box of at most `width`×`height` inside `area`, cleared, with a titled border.
fn popup(
    frame: &mut Frame,
    area: Rect,
    width: u16,
    height: u16,
    title: &str,
    theme: Theme,
) -> Rect {
    let rect = popup_rect(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_style(theme.border())
        .title(Span::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

fn render_help(frame: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme;
    let ctx = screen_context(app);
    let bindings: Vec<_> = keys::applicable(ctx).collect();
    // Rows the box can hold inside its border (the popup keeps a line free above and below).
    let room = usize::from(area.height.saturating_sub(4));
    let mut lines: Vec<Line> = Vec::new();
    if bindings.len() <= room {
        for binding in &bindings {
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<11}", binding.label), theme.key()),
                Span::raw(binding.what),
            ]));
        }
    } else {
        // Too many keys for one column on a small terminal: two columns, so none is cut off.
        let inner = usize::from(area.width.saturating_sub(6)).min(70);
        let column = inner / 2;
        let half = bindings.len().div_ceil(2);
        let cell = |b: &keys::Binding| {
            vec![
                Span::styled(format!(" {:<11}", truncate(b.label, 11)), theme.key()),
                Span::raw(format!(
                    "{:<w$}",
                    truncate(b.what, column.saturating_sub(12)),
                    w = column.saturating_sub(12)
                )),
            ]
        };
        for row in 0..half {
            let mut spans = cell(bindings[row]);
            if let Some(right) = bindings.get(row + half) {
                spans.extend(cell(right));
            }
            lines.push(Line::from(spans));
        }
    }
    // The closing note only when there is room for it.
    if lines.len() + 6 <= usize::from(area.height) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            " The mouse wheel scrolls. Esc goes back; Ctrl-C quits from anywhere.",
            theme.dim(),
        ));
    }
    let height = lines.len() as u16 + 2;
    let inner = popup(frame, area, 72, height, "Keys", theme);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Widest column of reading text (lessons, labs): long lines are hard to read.
const MAX_TEXT_WIDTH: u16 = 100;

/// Where reading text goes inside the body: one column of margin, at most `MAX_TEXT_WIDTH`
/// wide, centred.
pub fn text_column(body: Rect) -> Rect {
    let width = body.width.saturating_sub(2).min(MAX_TEXT_WIDTH);
    Rect {
        x: body.x + (body.width - width) / 2,
        y: body.y,
        width,
        height: body.height,
    }
}

/// Draws `text` in `area` scrolled down by `scroll` lines, never past its end.
pub fn render_scrolled(frame: &mut Frame, area: Rect, text: Text<'_>, scroll: usize) {
    let scroll = scroll.min(text.lines.len().saturating_sub(usize::from(area.height)));
    frame.render_widget(
        Paragraph::new(text).scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        area,
    );
}

/// The context of the screen under any overlay.
pub fn screen_context(app: &App) -> Ctx {
    match app.screens.last() {
        Some(Screen::Lesson(state)) if state.quiz.is_some() => Ctx::Quiz,
        Some(Screen::Lesson(_)) => Ctx::Lesson,
        Some(Screen::Findings(_)) => Ctx::Findings,
        Some(Screen::Detail(_)) => Ctx::Detail,
        Some(Screen::Lab(_)) => Ctx::Lab,
        // The history screen is read like the notes: the same keys.
        Some(Screen::Notes(_) | Screen::History(_)) => Ctx::Notes,
        Some(Screen::Layers(_)) => Ctx::Layers,
        Some(Screen::Home(_)) | None => Ctx::Home,
    }
}

/// A section heading: `── Title ─────`.
pub fn section(title: &str, width: u16, theme: Theme) -> Line<'static> {
    let rule = "─".repeat(usize::from(width).saturating_sub(title.width() + 4));
    Line::from(vec![
        Span::styled("── ", theme.border()),
        Span::styled(title.to_owned(), theme.title()),
        Span::styled(format!(" {rule}"), theme.border()),
    ])
}

fn render_reason(frame: &mut Frame, area: Rect, app: &App, key: &FindingKey, input: &str) {
    let theme = app.theme;
    let Some(finding) = key.find(app.findings()).map(|i| &app.findings()[i]) else {
        return;
    };
    let inner = popup(frame, area, 72, 8, "Suppress this finding", theme);
    let width = usize::from(inner.width);
    let location = format!(
        "{}:{}",
        crate::display::sanitize(&finding.path),
        finding.line
    );
    let shown = {
        // Keep the end of a long reason in view.
        let text = crate::display::sanitize(input).into_owned();
        let budget = width.saturating_sub(3);
        let chars: Vec<char> = text.chars().collect();
        let mut start = 0;
        while start < chars.len() && chars[start..].iter().collect::<String>().width() > budget {
            start += 1;
        }
        chars[start..].iter().collect::<String>()
    };
    let lines = vec![
        Line::from(vec![
            Span::raw("Ignore "),
            Span::styled(finding.rule.to_string(), theme.bold()),
            Span::raw(format!(" at {location}.")),
        ]),
        Line::raw("Why is it safe? (written into the file for reviewers)"),
        Line::raw(""),
        Line::from(vec![
            Span::styled("> ", theme.key()),
            Span::raw(shown),
            Span::styled("▏", theme.key()),
        ]),
        Line::raw(""),
        Line::styled("Enter to continue, Esc to cancel.", theme.dim()),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
}

fn render_confirm(frame: &mut Frame, area: Rect, app: &App, plan: &super::suppress::Plan) {
    let theme = app.theme;
    let inner = popup(frame, area, 76, 9, "Write this suppression?", theme);
    let width = usize::from(inner.width);
    let comment = crate::display::sanitize(&plan.comment).into_owned();
    let mut lines = vec![
        Line::raw(format!(
            "Insert above line {} of {}:",
            plan.line,
            crate::display::sanitize(&plan.rel_path)
        )),
        Line::raw(""),
    ];
    for chunk in wrap_plain(&comment, width.saturating_sub(2).max(1)) {
        lines.push(Line::styled(
            format!("  {chunk}"),
            theme.accent().add_modifier(ratatui::style::Modifier::BOLD),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Nothing else in the file changes. y writes it, n cancels.",
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The bulk actions on one group of the findings list: only those that apply to it.
fn render_group(frame: &mut Frame, area: Rect, app: &App, group: &crate::tui::app::GroupActions) {
    let theme = app.theme;
    let n = group.fingerprints.len();
    let reviewed = group
        .fingerprints
        .iter()
        .all(|f| app.progress.is_reviewed(f));
    let mut actions: Vec<(&str, String)> = vec![(
        "r",
        match (reviewed, n) {
            (true, 1) => "mark it as not reviewed".to_owned(),
            (false, 1) => "mark it as reviewed".to_owned(),
            (true, _) => format!("mark all {n} as not reviewed"),
            (false, _) => format!("mark all {n} as reviewed"),
        },
    )];
    if let Some(rule) = &group.rule {
        let lesson = app
            .catalog
            .lessons_for_rule(rule)
            .first()
            .map(|l| l.title.clone());
        actions.push((
            "l",
            match lesson {
                Some(title) => format!("open the lesson “{}”", crate::display::sanitize(&title)),
                None => format!("no lesson teaches {rule} yet"),
            },
        ));
    }
    actions.push(("Esc", "close".to_owned()));
    let width = area.width.saturating_sub(4).min(72);
    let text_width = usize::from(width.saturating_sub(4)).max(10);
    let mut lines: Vec<Line> = Vec::new();
    for chunk in wrap_words(
        &format!("{} in {}", crate::display::count(n, "finding"), group.label),
        text_width,
    ) {
        lines.push(Line::styled(chunk, theme.bold()));
    }
    lines.push(Line::raw(""));
    for (key, what) in &actions {
        let key_width = 4;
        for (i, chunk) in wrap_words(what, text_width.saturating_sub(key_width).max(8))
            .into_iter()
            .enumerate()
        {
            let key = if i == 0 { *key } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{key:<key_width$}"), theme.key()),
                Span::raw(chunk),
            ]));
        }
    }
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let inner = popup(frame, area, width, height, "This group", theme);
    let padded = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    frame.render_widget(Paragraph::new(lines), padded);
}

/// Cuts text to `width` columns, ending with `…` when cut; control characters and bidi
/// overrides (a repository's lesson or rule pack may hold them) are shown escaped.
pub fn truncate(text: &str, width: usize) -> String {
    let text = &*crate::display::sanitize(text);
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        let mut next = out.clone();
        next.push(c);
        if next.width() + 1 > width {
            break;
        }
        out = next;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// `path:line` in at most `width` columns, for lists: the file name and line always show, and
/// directories are dropped from the middle first (`services/…/handlers/settings.py:12`), so rows
/// in one deep folder stay tell-apart. A file name too long on its own keeps its end.
pub fn shorten_path(path: &str, line: u32, width: usize) -> String {
    let path = crate::display::sanitize(path);
    let full = format!("{path}:{line}");
    if full.width() <= width {
        return full;
    }
    let parts: Vec<&str> = path.split('/').collect();
    let (dirs, file) = parts.split_at(parts.len() - 1);
    let tail = format!("{}:{line}", file[0]);
    let with = |head: &[&str], back: &[&str]| {
        let mut out = String::new();
        for d in head {
            out.push_str(d);
            out.push('/');
        }
        out.push_str("…/");
        for d in back {
            out.push_str(d);
            out.push('/');
        }
        out.push_str(&tail);
        out
    };
    // Grow from both ends while it fits: first the top directory, then the nearest ones.
    let (mut front, mut back) = (0, 0);
    let mut best = None;
    loop {
        let candidate = with(&dirs[..front], &dirs[dirs.len() - back..]);
        if candidate.width() > width {
            break;
        }
        best = Some(candidate);
        if front + back >= dirs.len() {
            break;
        }
        if front <= back {
            front += 1;
        } else {
            back += 1;
        }
        if front + back > dirs.len() {
            break;
        }
    }
    if let Some(best) = best {
        // No directory fitted whole: the start of the top one still tells rows apart
        // (`elasticsearch-lo…/compose.yaml:9` rather than `…/compose.yaml:9`).
        if let (Some(top), true) = (dirs.first(), best == format!("…/{tail}")) {
            let room = width.saturating_sub(tail.width() + 2);
            let mut head = String::new();
            for c in top.chars() {
                if head.width() + c.to_string().width() > room {
                    break;
                }
                head.push(c);
            }
            if head.chars().count() >= 4 {
                return format!("{head}…/{tail}");
            }
        }
        return best;
    }
    // Not even `…/name:line` fits: keep the end of the name, where the extension and line are.
    let chars: Vec<char> = tail.chars().collect();
    let mut kept = String::new();
    for c in chars.iter().rev() {
        let next = format!("{c}{kept}");
        if next.width() + 1 > width {
            break;
        }
        kept = next;
    }
    format!("…{kept}")
}

/// Word-wraps plain text (no Markdown) to `width` columns; long words are cut.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = if line.is_empty() {
            word.width()
        } else {
            line.width() + 1 + word.width()
        };
        if needed <= width {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        if word.width() <= width {
            line.push_str(word);
        } else {
            let mut pieces = wrap_plain(word, width);
            line = pieces.pop().unwrap_or_default();
            out.extend(pieces);
        }
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// Hard-wraps plain text into chunks of at most `width` columns.
pub fn wrap_plain(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    for c in text.chars() {
        line.push(c);
        if line.width() > width {
            line.pop();
            out.push(std::mem::replace(&mut line, c.to_string()));
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// Pads spans with spaces to `width` and applies `style` to the whole row (for selection).
pub fn full_row(
    mut spans: Vec<Span<'static>>,
    width: usize,
    style: Option<Style>,
) -> Line<'static> {
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    if used < width {
        spans.push(Span::raw(" ".repeat(width - used)));
    }
    let line = Line::from(spans);
    match style {
        Some(style) => line.patch_style(style),
        None => line,
    }
}

/// The first row to show so that `selected` stays visible with a little context below it.
pub fn list_offset(selected: usize, total: usize, height: usize) -> usize {
    if total <= height || height == 0 {
        return 0;
    }
    let margin = 2.min(height.saturating_sub(1) / 2);
    (selected + margin + 1)
        .saturating_sub(height)
        .min(total - height)
}

/// A text progress bar: `done` of `total` in `width` cells.
pub fn gauge(done: usize, total: usize, width: usize, theme: Theme) -> Vec<Span<'static>> {
    let filled = (done * width + total / 2)
        .checked_div(total)
        .unwrap_or(0)
        .min(width);
    vec![
        Span::styled("█".repeat(filled), theme.gauge_done()),
        Span::styled("░".repeat(width - filled), theme.gauge_todo()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_paths_lose_middle_directories_never_the_file_name() {
        let path = "services/payments/internal/handlers/settings.py";
        assert_eq!(shorten_path(path, 12, 80), format!("{path}:12"));
        let short = shorten_path(path, 12, 36);
        assert_eq!(short, "services/…/handlers/settings.py:12");
        assert!(short.width() <= 36);
        assert_eq!(shorten_path(path, 12, 20), "serv…/settings.py:12");
        // One long top folder: its start, not just `…/`.
        assert_eq!(
            shorten_path("elasticsearch-logstash-kibana/compose.yaml", 9, 32),
            "elasticsearch-lo…/compose.yaml:9"
        );
        // Rows of one deep folder stay distinct.
        assert_ne!(
            shorten_path("a/b/c/d/e/one_settings.py", 3, 22),
            shorten_path("a/b/c/d/e/two_settings.py", 3, 22)
        );
        // A name longer than the column keeps its end.
        let long = shorten_path("x/a_really_long_generated_file_name.py", 7, 16);
        assert!(
            long.starts_with('…') && long.ends_with("name.py:7"),
            "{long}"
        );
        assert!(long.width() <= 16, "{long}");
        // Escape sequences in names never reach the terminal.
        assert!(!shorten_path("a/\u{1b}[31mred.py", 1, 80).contains('\u{1b}'));
    }
}
