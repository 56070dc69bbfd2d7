//! Markdown to styled terminal text. Lessons and rule documentation are written in Markdown; this
//! is the one place that turns them into ratatui [`Text`], wrapped to the width of the pane.
//!
//! Supported: headings, paragraphs, emphasis, strong, strikethrough, inline code, nested bullet
//! and numbered lists (with task markers), fenced code blocks (language label, distinct style,
//! comments dimmed), block quotes shown as callouts (GitHub `> [!NOTE]` alerts get a label),
//! GitHub tables, links and images shown with their target, horizontal rules, and raw HTML as
//! plain text. Code is never wrapped: a line wider than the pane is clipped, with `»` where text
//! continues to the right and `«` where the view is scrolled past its start, so no token is ever
//! split across two lines and what is shown is the original text. Any input renders without panicking: the text comes from repositories too
//! (`.seccoach/lessons`), and the renderer only ever pads, wraps and clips.

use crate::display::sanitize;
use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use unicode_width::UnicodeWidthStr;

/// How to render: the width to wrap to and whether colours may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Columns available; lines never exceed it except where a prefix alone is wider.
    pub width: u16,
    /// False under `NO_COLOR`: only bold, italic, underline and reverse are used.
    pub color: bool,
}

/// Renders Markdown to styled, wrapped lines.
pub fn render(markdown: &str, options: RenderOptions) -> Text<'static> {
    render_scrolled(markdown, options, 0)
}

/// Renders like [`render`], with the lines of code blocks shifted left by `code_scroll` columns
/// (a reader scrolls long code lines horizontally; prose still wraps).
pub fn render_scrolled(
    markdown: &str,
    options: RenderOptions,
    code_scroll: usize,
) -> Text<'static> {
    render_with_code(markdown, options, code_scroll).0
}

/// A code block as rendered: where its lines are in the rendered text, and its original content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// Index of its first rendered line (the language label, if it has one).
    pub first_line: usize,
    /// Rendered lines, label included.
    pub lines: usize,
    /// The code exactly as written, without the fence and its final line break.
    pub text: String,
}

/// Renders like [`render_scrolled`] and also says where each code block landed, so a reader can
/// copy the block on screen as it was written rather than as it was clipped.
pub fn render_with_code(
    markdown: &str,
    options: RenderOptions,
    code_scroll: usize,
) -> (Text<'static>, Vec<CodeBlock>) {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_GFM,
    );
    let mut renderer = Renderer::new(options);
    renderer.code_scroll = code_scroll;
    for event in parser {
        renderer.event(event);
    }
    renderer.finish()
}

/// The styles the renderer uses; with colour off, only text attributes.
#[derive(Debug, Clone, Copy)]
struct Palette {
    color: bool,
}

impl Palette {
    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    fn heading(self, level: HeadingLevel) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        match level {
            HeadingLevel::H1 => bold
                .add_modifier(Modifier::UNDERLINED)
                .patch(self.fg(Color::Magenta)),
            HeadingLevel::H2 => {
                if self.color {
                    bold.fg(Color::Cyan)
                } else {
                    bold.add_modifier(Modifier::UNDERLINED)
                }
            }
            _ => bold,
        }
    }

    fn inline_code(self) -> Style {
        self.fg(Color::Yellow)
    }

    fn code_block(self) -> Style {
        self.fg(Color::Cyan)
    }

    fn code_comment(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    fn code_label(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    fn gutter(self) -> Style {
        self.fg(Color::DarkGray)
    }

    fn quote(self, kind: Option<BlockQuoteKind>) -> Style {
        let color = match kind {
            Some(BlockQuoteKind::Warning | BlockQuoteKind::Caution) => Color::Red,
            Some(BlockQuoteKind::Tip) => Color::Green,
            Some(BlockQuoteKind::Important) => Color::Magenta,
            Some(BlockQuoteKind::Note) | None => Color::Blue,
        };
        self.fg(color)
    }

    fn link(self) -> Style {
        Style::new()
            .add_modifier(Modifier::UNDERLINED)
            .patch(self.fg(Color::Blue))
    }

    fn link_target(self) -> Style {
        self.fg(Color::DarkGray)
    }

    fn rule(self) -> Style {
        self.fg(Color::DarkGray)
    }
}

/// One piece of a paragraph: styled text or a hard line break.
#[derive(Debug, Clone)]
enum Piece {
    Text(String, Style),
    Break,
}

/// A line prefix contributed by an enclosing block (quote bar, list bullet or indentation).
#[derive(Debug, Clone)]
struct Prefix {
    first: Vec<Span<'static>>,
    rest: Vec<Span<'static>>,
    used_first: bool,
}

#[derive(Debug, Default)]
struct TableBuilder {
    alignments: Vec<Alignment>,
    rows: Vec<Vec<Vec<Piece>>>,
    header_rows: usize,
    in_head: bool,
    cell: Option<Vec<Piece>>,
}

struct CodeBuilder {
    language: String,
    text: String,
}

struct Renderer {
    width: usize,
    palette: Palette,
    lines: Vec<Line<'static>>,
    inline: Vec<Piece>,
    styles: Vec<Style>,
    prefixes: Vec<Prefix>,
    /// Next number of each open list (`None` for bullets).
    lists: Vec<Option<u64>>,
    /// Where each open link started in `inline` (or the cell), and its target.
    links: Vec<(usize, String)>,
    pending_blank: bool,
    code: Option<CodeBuilder>,
    html: Option<String>,
    table: Option<TableBuilder>,
    heading: Option<HeadingLevel>,
    /// Columns of every code line hidden on the left.
    code_scroll: usize,
    /// Every code block emitted so far.
    code_blocks: Vec<CodeBlock>,
}

impl Renderer {
    fn new(options: RenderOptions) -> Renderer {
        Renderer {
            width: usize::from(options.width).max(1),
            palette: Palette {
                color: options.color,
            },
            lines: Vec::new(),
            inline: Vec::new(),
            styles: Vec::new(),
            prefixes: Vec::new(),
            lists: Vec::new(),
            links: Vec::new(),
            pending_blank: false,
            code: None,
            html: None,
            table: None,
            heading: None,
            code_scroll: 0,
            code_blocks: Vec::new(),
        }
    }

    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push_style(&mut self, style: Style) {
        let next = self.style().patch(style);
        self.styles.push(next);
    }

    fn pop_style(&mut self) {
        self.styles.pop();
    }

    /// The inline buffer text goes to: the open table cell, or the paragraph.
    fn target(&mut self) -> &mut Vec<Piece> {
        if let Some(cell) = self.table.as_mut().and_then(|t| t.cell.as_mut()) {
            cell
        } else {
            &mut self.inline
        }
    }

    fn push_text(&mut self, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        let clean = sanitize(text).into_owned();
        let target = self.target();
        if let Some(Piece::Text(last, last_style)) = target.last_mut()
            && *last_style == style
        {
            last.push_str(&clean);
            return;
        }
        target.push(Piece::Text(clean, style));
    }

    fn event(&mut self, event: Event<'_>) {
        if let Some(code) = self.code.as_mut() {
            match event {
                Event::Text(text) => {
                    code.text.push_str(&text);
                    return;
                }
                Event::End(TagEnd::CodeBlock) => {}
                _ => return,
            }
        }
        if let Some(html) = self.html.as_mut() {
            match event {
                Event::Html(text) | Event::Text(text) => {
                    html.push_str(&text);
                    return;
                }
                Event::End(TagEnd::HtmlBlock) => {}
                _ => return,
            }
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => {
                let style = self.style();
                self.push_text(&text, style);
            }
            Event::Code(text) => {
                let style = self.style().patch(self.palette.inline_code());
                if self.palette.color {
                    self.push_text(&text, style);
                } else {
                    self.push_text(&format!("`{text}`"), style);
                }
            }
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                let style = self.style().patch(self.palette.inline_code());
                self.push_text(&text, style);
            }
            Event::Html(text) | Event::InlineHtml(text) => {
                if !text.trim_start().starts_with("<!--") {
                    let style = self.style();
                    self.push_text(&text, style);
                }
            }
            Event::FootnoteReference(label) => {
                let style = self.style();
                self.push_text(&format!("[^{label}]"), style);
            }
            Event::SoftBreak => {
                let style = self.style();
                self.push_text(" ", style);
            }
            Event::HardBreak => self.target().push(Piece::Break),
            Event::Rule => {
                self.flush();
                self.start_block();
                let width = self.content_width();
                let line = vec![Span::styled("─".repeat(width), self.palette.rule())];
                self.emit(line);
                self.pending_blank = true;
            }
            Event::TaskListMarker(done) => {
                let style = self.style();
                self.push_text(if done { "[x] " } else { "[ ] " }, style);
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                self.flush();
                self.start_block();
            }
            Tag::Heading { level, .. } => {
                self.flush();
                self.start_block();
                self.heading = Some(level);
                self.push_style(self.palette.heading(level));
            }
            Tag::BlockQuote(kind) => {
                self.flush();
                self.start_block();
                let bar = vec![Span::styled("▌ ", self.palette.quote(kind))];
                self.prefixes.push(Prefix {
                    first: bar.clone(),
                    rest: bar,
                    used_first: false,
                });
                if let Some(kind) = kind {
                    let label = match kind {
                        BlockQuoteKind::Note => "Note",
                        BlockQuoteKind::Tip => "Tip",
                        BlockQuoteKind::Important => "Important",
                        BlockQuoteKind::Warning => "Warning",
                        BlockQuoteKind::Caution => "Caution",
                    };
                    let style = self.palette.quote(Some(kind)).add_modifier(Modifier::BOLD);
                    self.push_text(label, style);
                    self.flush();
                }
            }
            Tag::CodeBlock(kind) => {
                self.flush();
                self.start_block();
                let language = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .unwrap_or("")
                        .to_owned(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some(CodeBuilder {
                    language,
                    text: String::new(),
                });
            }
            Tag::HtmlBlock => {
                self.flush();
                self.html = Some(String::new());
            }
            Tag::List(start) => {
                self.flush();
                if self.lists.is_empty() {
                    self.start_block();
                }
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                let depth = self.lists.len();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let marker = format!("{n}. ");
                        *n = n.saturating_add(1);
                        marker
                    }
                    _ => match depth {
                        0 | 1 => "• ".to_owned(),
                        2 => "◦ ".to_owned(),
                        _ => "▪ ".to_owned(),
                    },
                };
                let pad = " ".repeat(marker.width());
                let bullet_style = self.palette.fg(Color::Blue);
                self.prefixes.push(Prefix {
                    first: vec![Span::styled(marker, bullet_style)],
                    rest: vec![Span::raw(pad)],
                    used_first: false,
                });
            }
            Tag::Table(alignments) => {
                self.flush();
                self.start_block();
                self.table = Some(TableBuilder {
                    alignments,
                    ..TableBuilder::default()
                });
            }
            Tag::TableHead => {
                if let Some(table) = self.table.as_mut() {
                    table.in_head = true;
                    table.rows.push(Vec::new());
                }
            }
            Tag::TableRow => {
                if let Some(table) = self.table.as_mut() {
                    table.rows.push(Vec::new());
                }
            }
            Tag::TableCell => {
                if let Some(table) = self.table.as_mut() {
                    table.cell = Some(Vec::new());
                }
                if self.table.as_ref().is_some_and(|t| t.in_head) {
                    self.push_style(Style::new().add_modifier(Modifier::BOLD));
                } else {
                    self.push_style(Style::new());
                }
            }
            Tag::Emphasis => self.push_style(Style::new().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_style(Style::new().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => {
                self.push_style(Style::new().add_modifier(Modifier::CROSSED_OUT));
            }
            Tag::Superscript | Tag::Subscript => self.push_style(Style::new()),
            Tag::Link { dest_url, .. } => {
                let at = self.target().len();
                self.links.push((at, dest_url.into_string()));
                self.push_style(self.palette.link());
            }
            Tag::Image { dest_url, .. } => {
                let style = self.style();
                self.push_text("[image: ", style);
                let at = self.target().len();
                self.links.push((at, dest_url.into_string()));
                self.push_style(Style::new());
            }
            Tag::FootnoteDefinition(label) => {
                self.flush();
                self.start_block();
                let style = self.style();
                self.push_text(&format!("[^{label}]: "), style);
            }
            Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {
                self.flush();
            }
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush();
                self.pending_blank = true;
            }
            TagEnd::Heading(_) => {
                self.flush();
                self.pop_style();
                self.heading = None;
                self.pending_blank = true;
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.prefixes.pop();
                self.pending_blank = true;
            }
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    self.emit_code(&code);
                }
                self.pending_blank = true;
            }
            TagEnd::HtmlBlock => {
                if let Some(html) = self.html.take() {
                    let trimmed = html.trim();
                    if !trimmed.is_empty() && !trimmed.starts_with("<!--") {
                        self.start_block();
                        for line in trimmed.lines() {
                            let style = self.style();
                            self.push_text(line, style);
                            self.inline.push(Piece::Break);
                        }
                        self.flush();
                        self.pending_blank = true;
                    }
                }
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.pending_blank = true;
                }
            }
            TagEnd::Item => {
                self.flush();
                if let Some(prefix) = self.prefixes.last()
                    && !prefix.used_first
                {
                    self.emit(Vec::new());
                }
                self.prefixes.pop();
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    self.emit_table(table);
                }
                self.pending_blank = true;
            }
            TagEnd::TableHead => {
                if let Some(table) = self.table.as_mut() {
                    table.in_head = false;
                    table.header_rows = table.rows.len();
                }
            }
            TagEnd::TableRow => {}
            TagEnd::TableCell => {
                self.pop_style();
                if let Some(table) = self.table.as_mut()
                    && let Some(cell) = table.cell.take()
                {
                    match table.rows.last_mut() {
                        Some(row) => row.push(cell),
                        None => table.rows.push(vec![cell]),
                    }
                }
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript => self.pop_style(),
            TagEnd::Link => {
                self.pop_style();
                if let Some((at, dest)) = self.links.pop() {
                    let text: String = self
                        .target()
                        .get(at..)
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(|p| match p {
                            Piece::Text(t, _) => Some(t.as_str()),
                            Piece::Break => None,
                        })
                        .collect();
                    let bare = dest.strip_prefix("mailto:").unwrap_or(&dest);
                    if !dest.is_empty() && !dest.starts_with('#') && text.trim() != bare {
                        let style = self.palette.link_target();
                        self.push_text(&format!(" ({dest})"), style);
                    }
                }
            }
            TagEnd::Image => {
                self.pop_style();
                let dest = self.links.pop().map(|(_, dest)| dest).unwrap_or_default();
                let style = self.style();
                self.push_text("]", style);
                if !dest.is_empty() {
                    let style = self.palette.link_target();
                    self.push_text(&format!(" ({dest})"), style);
                }
            }
            TagEnd::FootnoteDefinition => {
                self.flush();
                self.pending_blank = true;
            }
            TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {
                self.flush();
                self.pending_blank = true;
            }
        }
    }

    /// Separates a new block from the previous one with a blank line.
    fn start_block(&mut self) {
        if self.pending_blank && !self.lines.is_empty() {
            let spans = trim_trailing_blank(self.prefix_spans(false));
            self.lines.push(Line::from(spans));
        }
        self.pending_blank = false;
    }

    /// Width of the prefixes, capped at half the width so deep nesting still leaves room.
    fn prefix_width(&self) -> usize {
        let total: usize = self
            .prefixes
            .iter()
            .map(|p| {
                let spans = if p.used_first { &p.rest } else { &p.first };
                spans.iter().map(|s| s.content.width()).sum::<usize>()
            })
            .sum();
        total.min(self.width / 2)
    }

    fn content_width(&self) -> usize {
        self.width.saturating_sub(self.prefix_width()).max(1)
    }

    /// Emits one line behind the current prefixes (each prefix's first form is used once).
    fn emit(&mut self, content: Vec<Span<'static>>) {
        let mut spans = self.prefix_spans(true);
        spans.extend(content);
        self.lines.push(Line::from(spans));
    }

    /// The prefix of the next line, at most half the width; `consume` uses up first forms.
    fn prefix_spans(&mut self, consume: bool) -> Vec<Span<'static>> {
        let budget = self.width / 2;
        let mut spans: Vec<Span<'static>> = Vec::new();
        let mut used = 0;
        for prefix in &mut self.prefixes {
            let parts = if prefix.used_first || !consume {
                &prefix.rest
            } else {
                prefix.used_first = true;
                &prefix.first
            };
            for span in parts {
                let w = span.content.width();
                if used + w <= budget {
                    spans.push(span.clone());
                    used += w;
                } else {
                    used = budget;
                }
            }
        }
        spans
    }

    /// Wraps and emits the paragraph (or heading, or list item text) collected so far.
    fn flush(&mut self) {
        if self.inline.is_empty() {
            return;
        }
        let pieces = std::mem::take(&mut self.inline);
        let width = self.content_width();
        for segment in pieces.split(|p| matches!(p, Piece::Break)) {
            let spans: Vec<(String, Style)> = segment
                .iter()
                .filter_map(|p| match p {
                    Piece::Text(t, s) => Some((t.clone(), *s)),
                    Piece::Break => None,
                })
                .collect();
            for line in wrap(&spans, width) {
                self.emit(line);
            }
        }
    }

    fn emit_code(&mut self, code: &CodeBuilder) {
        let first_line = self.lines.len();
        self.emit_code_lines(code);
        let text = code.text.strip_suffix('\n').unwrap_or(&code.text);
        self.code_blocks.push(CodeBlock {
            first_line,
            lines: self.lines.len() - first_line,
            text: text.to_owned(),
        });
    }

    fn emit_code_lines(&mut self, code: &CodeBuilder) {
        let language = sanitize(code.language.trim()).into_owned();
        if !language.is_empty() {
            let label = hard_wrap(&format!(" {language} "), self.content_width())
                .into_iter()
                .next()
                .unwrap_or_default();
            self.emit(vec![Span::styled(label, self.palette.code_label())]);
        }
        let comment_prefixes = comment_prefixes(&language);
        let text = code.text.strip_suffix('\n').unwrap_or(&code.text);
        let gutter_style = self.palette.gutter();
        for raw in text.split('\n') {
            let raw = raw.strip_suffix('\r').unwrap_or(raw).replace('\t', "    ");
            let clean = sanitize(&raw).into_owned();
            let trimmed = clean.trim_start();
            let style = if comment_prefixes.iter().any(|p| trimmed.starts_with(p)) {
                self.palette.code_comment()
            } else {
                self.palette.code_block()
            };
            let width = self.content_width().saturating_sub(2).max(1);
            let clipped = clip(&clean, self.code_scroll, width);
            let mut spans = vec![Span::styled("│ ", gutter_style)];
            if clipped.left {
                spans.push(Span::styled("«", gutter_style));
            }
            spans.push(Span::styled(clipped.text, style));
            if clipped.right {
                spans.push(Span::styled("»", gutter_style));
            }
            self.emit(spans);
        }
    }

    fn emit_table(&mut self, table: TableBuilder) {
        let columns = table.rows.iter().map(Vec::len).max().unwrap_or(0);
        if columns == 0 {
            return;
        }
        let cell_text = |cell: &[Piece]| -> Vec<(String, Style)> {
            cell.iter()
                .map(|p| match p {
                    Piece::Text(t, s) => (t.clone(), *s),
                    Piece::Break => (" ".to_owned(), Style::new()),
                })
                .collect()
        };
        let border = self.palette.rule();
        let content_width = self.content_width();
        if columns * 4 - 3 > content_width {
            // Too many columns to lay out side by side: one wrapped line per row.
            for row in &table.rows {
                let mut spans: Vec<(String, Style)> = Vec::new();
                for (i, cell) in row.iter().enumerate() {
                    if i > 0 {
                        spans.push((" │ ".to_owned(), border));
                    }
                    spans.extend(cell_text(cell));
                }
                for line in wrap(&spans, content_width) {
                    self.emit(line);
                }
            }
            return;
        }
        let available = content_width.saturating_sub(3 * (columns - 1)).max(columns);
        let mut widths = vec![1usize; columns];
        for row in &table.rows {
            for (i, cell) in row.iter().enumerate() {
                let w: usize = cell_text(cell).iter().map(|(t, _)| t.width()).sum();
                if let Some(slot) = widths.get_mut(i) {
                    *slot = (*slot).max(w.min(available));
                }
            }
        }
        // Shrink the widest columns until the table fits (each keeps at least 3 columns).
        let min = (available / columns).clamp(1, 3);
        let mut total: usize = widths.iter().sum();
        while total > available {
            let Some((index, &widest)) = widths.iter().enumerate().max_by_key(|(_, w)| **w) else {
                break;
            };
            if widest <= min {
                break;
            }
            widths[index] -= 1;
            total -= 1;
        }
        for (row_index, row) in table.rows.iter().enumerate() {
            let wrapped: Vec<Vec<Vec<Span<'static>>>> = (0..columns)
                .map(|i| {
                    let width = widths.get(i).copied().unwrap_or(1);
                    row.get(i)
                        .map(|cell| wrap(&cell_text(cell), width))
                        .unwrap_or_default()
                })
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(0).max(1);
            for line_index in 0..height {
                let mut spans: Vec<Span<'static>> = Vec::new();
                for (i, cell_lines) in wrapped.iter().enumerate() {
                    if i > 0 {
                        spans.push(Span::styled(" │ ", border));
                    }
                    let width = widths.get(i).copied().unwrap_or(1);
                    let content = cell_lines.get(line_index).cloned().unwrap_or_default();
                    let used: usize = content.iter().map(|s| s.content.width()).sum();
                    let pad = width.saturating_sub(used);
                    let alignment = table.alignments.get(i).copied().unwrap_or(Alignment::None);
                    let (left, right) = match alignment {
                        Alignment::Right => (pad, 0),
                        Alignment::Center => (pad / 2, pad - pad / 2),
                        Alignment::Left | Alignment::None => (0, pad),
                    };
                    if left > 0 {
                        spans.push(Span::raw(" ".repeat(left)));
                    }
                    spans.extend(content);
                    if right > 0 && i + 1 < columns {
                        spans.push(Span::raw(" ".repeat(right)));
                    }
                }
                self.emit(spans);
            }
            if table.header_rows > 0 && row_index + 1 == table.header_rows {
                let line: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                self.emit(vec![Span::styled(line.join("─┼─"), border)]);
            }
        }
    }

    /// The rendered text and where its code blocks are (an unclosed block is closed here).
    fn finish(mut self) -> (Text<'static>, Vec<CodeBlock>) {
        self.flush();
        if let Some(code) = self.code.take() {
            self.emit_code(&code);
        }
        if let Some(table) = self.table.take() {
            self.emit_table(table);
        }
        while self.lines.last().is_some_and(|l| l.width() == 0) {
            self.lines.pop();
        }
        (Text::from(self.lines), self.code_blocks)
    }
}

/// Line-comment markers of a code block's language, to dim comment lines.
fn comment_prefixes(language: &str) -> &'static [&'static str] {
    match language.to_ascii_lowercase().as_str() {
        "python" | "py" | "sh" | "bash" | "shell" | "zsh" | "yaml" | "yml" | "toml" | "ruby"
        | "rb" | "dockerfile" | "docker" | "env" | "dotenv" | "ini" | "hcl" | "terraform"
        | "tf" | "gitignore" | "conf" | "properties" => &["#"],
        "javascript" | "js" | "typescript" | "ts" | "jsx" | "tsx" | "go" | "rust" | "rs"
        | "java" | "c" | "cpp" | "c++" | "csharp" | "cs" | "kotlin" | "swift" | "json5"
        | "jsonc" => &["//"],
        "php" => &["//", "#"],
        "sql" | "lua" => &["--"],
        _ => &[],
    }
}

fn trim_trailing_blank(mut spans: Vec<Span<'static>>) -> Vec<Span<'static>> {
    while let Some(last) = spans.last_mut() {
        let trimmed = last.content.trim_end().to_owned();
        if trimmed.is_empty() {
            spans.pop();
        } else {
            last.content = trimmed.into();
            break;
        }
    }
    spans
}

/// The part of a code line shown in a window of `width` columns starting `offset` columns in.
#[derive(Debug, PartialEq, Eq)]
struct Clipped {
    text: String,
    /// Text before the window is hidden (a `«` marker takes the first column).
    left: bool,
    /// Text after the window is hidden (a `»` marker takes the last column).
    right: bool,
}

/// Cuts one code line to a window without ever breaking it onto a second line. Each marker takes
/// one column of the window, and a character never straddles its edge.
fn clip(line: &str, offset: usize, width: usize) -> Clipped {
    let width = width.max(1);
    let total = line.width();
    let left = offset > 0 && total > 0;
    let mut skipped = 0;
    let mut rest = line;
    // Skip whole characters until `offset` columns are hidden (a wide one is hidden entirely).
    for (i, c) in line.char_indices() {
        if skipped >= offset {
            rest = &line[i..];
            break;
        }
        skipped += c.to_string().width();
        rest = &line[i + c.len_utf8()..];
    }
    let room = width.saturating_sub(usize::from(left));
    let right = rest.width() > room;
    let room = room.saturating_sub(usize::from(right));
    let mut text = String::new();
    for c in rest.chars() {
        text.push(c);
        if text.width() > room {
            text.pop();
            break;
        }
    }
    Clipped { text, left, right }
}

/// The widest line of any code block in `markdown`, in columns (tabs count as four).
pub fn widest_code_line(markdown: &str) -> usize {
    let mut widest = 0;
    let mut in_code = false;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_GFM) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(text) if in_code => {
                for line in text.split('\n') {
                    let line = sanitize(&line.replace('\t', "    ")).into_owned();
                    widest = widest.max(line.width());
                }
            }
            _ => {}
        }
    }
    widest
}

/// Splits `text` into chunks of at most `width` columns (at least one character per chunk).
fn hard_wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        // Measure the whole chunk: a variation selector can widen the character before it.
        current.push(c);
        if current.width() > width && current.chars().nth(1).is_some() {
            current.pop();
            out.push(std::mem::replace(&mut current, c.to_string()));
        }
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

/// A word: adjacent styled pieces with no whitespace between them.
type Word = Vec<(String, Style)>;

/// Word-wraps styled text to `width` columns. Whitespace runs collapse to one space; a word wider
/// than the line is broken between characters.
fn wrap(spans: &[(String, Style)], width: usize) -> Vec<Vec<Span<'static>>> {
    let width = width.max(1);
    // Tokenise into words, remembering the style of the space before each word.
    let mut words: Vec<(Option<Style>, Word)> = Vec::new();
    let mut current: Word = Vec::new();
    let mut space_before: Option<Style> = None;
    let mut pending_space: Option<Style> = None;
    for (text, style) in spans {
        for c in text.chars() {
            if c.is_whitespace() {
                if !current.is_empty() {
                    words.push((space_before.take(), std::mem::take(&mut current)));
                }
                pending_space = Some(*style);
            } else {
                if current.is_empty() {
                    space_before = if words.is_empty() {
                        None
                    } else {
                        pending_space
                    };
                    pending_space = None;
                }
                match current.last_mut() {
                    Some((t, s)) if s == style => t.push(c),
                    _ => current.push((c.to_string(), *style)),
                }
            }
        }
    }
    if !current.is_empty() {
        words.push((space_before.take(), current));
    }

    let mut lines: Vec<Vec<Span<'static>>> = Vec::new();
    let mut line: Vec<Span<'static>> = Vec::new();
    let mut used = 0usize;
    let push = |line: &mut Vec<Span<'static>>, text: String, style: Style| {
        if let Some(last) = line.last_mut()
            && last.style == style
        {
            let mut joined = last.content.to_string();
            joined.push_str(&text);
            last.content = joined.into();
            return;
        }
        line.push(Span::styled(text, style));
    };
    for (space, word) in words {
        let word_width: usize = word.iter().map(|(t, _)| t.width()).sum();
        let space_width = usize::from(space.is_some() && used > 0);
        if used + space_width + word_width <= width {
            if space_width == 1
                && let Some(style) = space
            {
                push(&mut line, " ".to_owned(), style);
                used += 1;
            }
            for (text, style) in word {
                push(&mut line, text, style);
            }
            used += word_width;
        } else if word_width <= width {
            lines.push(std::mem::take(&mut line));
            for (text, style) in word {
                push(&mut line, text, style);
            }
            used = word_width;
        } else {
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            // Break the word between characters, measuring the line so far as a whole (a
            // variation selector can widen the character before it).
            let mut chunk = String::new();
            for (text, style) in word {
                for c in text.chars() {
                    chunk.push(c);
                    if used + chunk.width() > width && (used > 0 || chunk.chars().nth(1).is_some())
                    {
                        chunk.pop();
                        if !chunk.is_empty() {
                            push(&mut line, std::mem::take(&mut chunk), style);
                        }
                        lines.push(std::mem::take(&mut line));
                        used = 0;
                        chunk.push(c);
                    }
                }
                used += chunk.width();
                push(&mut line, std::mem::take(&mut chunk), style);
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(markdown: &str, width: u16) -> Vec<String> {
        let text = render(
            markdown,
            RenderOptions {
                width,
                color: false,
            },
        );
        text.lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    fn styled(markdown: &str) -> Text<'static> {
        render(
            markdown,
            RenderOptions {
                width: 60,
                color: true,
            },
        )
    }

    fn span_with<'a>(text: &'a Text<'static>, needle: &str) -> &'a Span<'static> {
        text.lines
            .iter()
            .flat_map(|l| l.spans.iter())
            .find(|s| s.content.contains(needle))
            .unwrap_or_else(|| panic!("no span contains {needle:?}"))
    }

    #[test]
    fn paragraphs_wrap_to_the_width_and_are_separated_by_a_blank_line() {
        let lines = plain(
            "one two three four five six seven eight nine ten\n\nsecond paragraph",
            20,
        );
        assert_eq!(
            lines,
            [
                "one two three four",
                "five six seven eight",
                "nine ten",
                "",
                "second paragraph"
            ]
        );
        assert!(lines.iter().all(|l| l.width() <= 20));
    }

    #[test]
    fn soft_breaks_join_and_hard_breaks_split() {
        assert_eq!(plain("a\nb", 40), ["a b"]);
        assert_eq!(plain("a  \nb", 40), ["a", "b"]);
    }

    #[test]
    fn long_words_are_broken_rather_than_overflowing() {
        let lines = plain(&"x".repeat(25), 10);
        assert_eq!(lines, ["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
    }

    #[test]
    fn headings_and_emphasis_are_styled() {
        let text = styled("# Title\n\nSome *soft* and **strong** words and ~~gone~~.");
        let title = span_with(&text, "Title");
        assert!(title.style.add_modifier.contains(Modifier::BOLD));
        assert!(title.style.add_modifier.contains(Modifier::UNDERLINED));
        assert!(
            span_with(&text, "soft")
                .style
                .add_modifier
                .contains(Modifier::ITALIC)
        );
        assert!(
            span_with(&text, "strong")
                .style
                .add_modifier
                .contains(Modifier::BOLD)
        );
        assert!(
            span_with(&text, "gone")
                .style
                .add_modifier
                .contains(Modifier::CROSSED_OUT)
        );
    }

    #[test]
    fn inline_code_is_coloured_or_keeps_its_backticks() {
        let text = styled("run `cargo test` now");
        assert_eq!(span_with(&text, "cargo").style.fg, Some(Color::Yellow));
        assert_eq!(plain("run `cargo test` now", 40), ["run `cargo test` now"]);
    }

    #[test]
    fn nested_lists_indent_and_number() {
        let md = "- one\n- two\n  - inner a\n  - inner b\n- three\n\n1. first\n2. second\n";
        assert_eq!(
            plain(md, 40),
            [
                "• one",
                "• two",
                "  ◦ inner a",
                "  ◦ inner b",
                "• three",
                "",
                "1. first",
                "2. second",
            ]
        );
    }

    #[test]
    fn list_items_wrap_under_their_text() {
        let lines = plain("- alpha beta gamma delta epsilon", 16);
        assert_eq!(lines, ["• alpha beta", "  gamma delta", "  epsilon"]);
        let lines = plain("3. alpha beta gamma", 12);
        assert_eq!(lines, ["3. alpha", "   beta", "   gamma"]);
    }

    #[test]
    fn task_lists_show_their_state() {
        assert_eq!(
            plain("- [x] done\n- [ ] todo", 40),
            ["• [x] done", "• [ ] todo"]
        );
    }

    #[test]
    fn code_blocks_have_a_label_a_gutter_and_a_distinct_style() {
        let md = "```python\n# comment\nimport os\n\tindented\n```\n";
        assert_eq!(
            plain(md, 40),
            [" python ", "│ # comment", "│ import os", "│     indented"]
        );
        let text = styled(md);
        assert_eq!(span_with(&text, "import").style.fg, Some(Color::Cyan));
        assert_eq!(
            span_with(&text, "# comment").style.fg,
            Some(Color::DarkGray)
        );
        assert!(
            span_with(&text, "python")
                .style
                .add_modifier
                .contains(Modifier::BOLD)
        );
        let label = render(
            md,
            RenderOptions {
                width: 40,
                color: false,
            },
        );
        assert!(
            span_with(&label, "python")
                .style
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }

    #[test]
    fn long_code_lines_are_clipped_with_a_marker_never_wrapped() {
        let md = "```sh\ncosign verify --certificate-identity-regexp '^https://github.com/acme/' img\nls -l\n```";
        // One line per source line: the long one ends in the marker, the token is not split.
        assert_eq!(
            plain(md, 24),
            [" sh ", "│ cosign verify --certi»", "│ ls -l"]
        );
        // Scrolled right, the hidden start is marked too, and short lines show only the marker.
        let scrolled = render_scrolled(
            md,
            RenderOptions {
                width: 24,
                color: false,
            },
            14,
        );
        let lines: Vec<String> = scrolled.lines.iter().map(ToString::to_string).collect();
        assert_eq!(lines, [" sh ", "│ «--certificate-identi»", "│ «"]);
        // Scrolled to the end, the rest of the line is there, unchanged.
        let end = render_scrolled(
            md,
            RenderOptions {
                width: 80,
                color: false,
            },
            40,
        );
        assert_eq!(
            end.lines[1].to_string(),
            "│ «exp '^https://github.com/acme/' img"
        );
    }

    #[test]
    fn clipping_keeps_wide_characters_whole_and_fits_the_window() {
        assert_eq!(
            clip("ab日本語cd", 0, 5),
            Clipped {
                text: "ab日".to_owned(),
                left: false,
                right: true
            }
        );
        // The offset falls inside `日`: it is hidden whole rather than cut in half.
        assert_eq!(
            clip("ab日本語cd", 3, 6),
            Clipped {
                text: "本語".to_owned(),
                left: true,
                right: true
            }
        );
        assert_eq!(
            clip("short", 0, 10),
            Clipped {
                text: "short".to_owned(),
                left: false,
                right: false
            }
        );
        for width in 1..12 {
            for offset in 0..12 {
                let c = clip("ab日本語cd\u{fe0f}x", offset, width);
                let used = c.text.width() + usize::from(c.left) + usize::from(c.right);
                assert!(used <= width.max(2), "{width} {offset} {c:?}");
            }
        }
    }

    #[test]
    fn code_blocks_say_where_they_were_rendered_and_keep_their_text() {
        let long = format!(
            "curl -fsSL https://example.com/{} | sha256sum -c",
            "x".repeat(60)
        );
        let md = format!("Intro text.\n\n```sh\n{long}\n\tls\n```\n\nMiddle.\n\n```\nplain\n```\n");
        let options = RenderOptions {
            width: 30,
            color: false,
        };
        let (text, blocks) = render_with_code(&md, options, 0);
        let lines: Vec<String> = text.lines.iter().map(ToString::to_string).collect();
        assert_eq!(blocks.len(), 2);
        // The text is the original: long line whole, tab kept, no gutter or marker.
        assert_eq!(blocks[0].text, format!("{long}\n\tls"));
        assert_eq!(blocks[1].text, "plain");
        // The ranges point at the label and the gutter lines of each block.
        assert_eq!(blocks[0].lines, 3);
        assert_eq!(lines[blocks[0].first_line], " sh ");
        assert!(lines[blocks[0].first_line + 1].ends_with('»'));
        assert_eq!(blocks[1].lines, 1);
        assert_eq!(lines[blocks[1].first_line], "│ plain");
        assert_eq!(render(&md, options), text);
        // A block the text never closes still counts.
        let (_, open) = render_with_code("```\nunclosed", options, 0);
        assert_eq!(open[0].text, "unclosed");
    }

    #[test]
    fn the_widest_code_line_is_measured_in_code_blocks_only() {
        let md = format!(
            "{}\n\n```\nabc\n\tx\n```\n\n- item\n\n  ```\n  {}\n  ```",
            "w".repeat(99),
            "y".repeat(12)
        );
        assert_eq!(widest_code_line(&md), 12);
        assert_eq!(widest_code_line("no code"), 0);
    }

    #[test]
    fn block_quotes_are_callouts_and_alerts_are_labelled() {
        assert_eq!(
            plain("> careful here\n> really", 40),
            ["▌ careful here really"]
        );
        assert_eq!(
            plain("> [!WARNING]\n> Rotate the key.", 40),
            ["▌ Warning", "▌ Rotate the key."]
        );
        let text = styled("> [!WARNING]\n> Rotate the key.");
        assert_eq!(span_with(&text, "Warning").style.fg, Some(Color::Red));
    }

    #[test]
    fn links_show_their_target_unless_it_is_the_text() {
        assert_eq!(
            plain("see [the docs](https://example.com/docs)", 60),
            ["see the docs (https://example.com/docs)"]
        );
        assert_eq!(plain("<https://example.com>", 60), ["https://example.com"]);
        assert_eq!(plain("[section](#why)", 60), ["section"]);
        assert_eq!(
            plain("![diagram](img/flow.png)", 60),
            ["[image: diagram] (img/flow.png)"]
        );
    }

    #[test]
    fn tables_align_columns_and_separate_the_header() {
        let md =
            "| Rule | Severity |\n|------|---------:|\n| docker/root | high |\n| a | critical |\n";
        assert_eq!(
            plain(md, 60),
            [
                "Rule        │ Severity",
                "────────────┼─────────",
                "docker/root │     high",
                "a           │ critical",
            ]
        );
    }

    #[test]
    fn wide_tables_wrap_their_cells_to_fit() {
        let md = "| a | b |\n|---|---|\n| one two three four five | six seven eight nine ten |\n";
        let lines = plain(md, 24);
        assert!(lines.iter().all(|l| l.width() <= 24), "{lines:#?}");
        assert!(lines.len() > 3);
    }

    #[test]
    fn rules_span_the_width() {
        assert_eq!(plain("a\n\n---\n\nb", 10), ["a", "", "──────────", "", "b"]);
    }

    #[test]
    fn control_characters_are_escaped() {
        let lines = plain("evil \u{1b}[31mred", 40);
        assert_eq!(lines, ["evil \\u{1b}[31mred"]);
    }

    #[test]
    fn html_comments_are_hidden_and_other_html_is_shown_plainly() {
        assert_eq!(plain("<!-- hidden -->\n\ntext", 40), ["text"]);
        assert_eq!(plain("<div>\nhi\n</div>", 40), ["<div>", "hi", "</div>"]);
    }

    #[test]
    fn tiny_and_zero_widths_do_not_panic() {
        for width in 0..4 {
            let _ = plain(
                "# T\n\n- a\n  - b\n    > c `d`\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```",
                width,
            );
        }
    }

    proptest::proptest! {
        // Quick by default; `PROPTEST_CASES=100000` for a long run.
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
            ..Default::default()
        })]

        #[test]
        fn never_panics_and_respects_the_width(
            input in "(\\PC|[#*_`>|\\-\\[\\]()!~ \n0-9.]){0,300}",
            width in 0u16..120,
        ) {
            let text = render(&input, RenderOptions { width, color: true });
            let limit = usize::from(width).max(1);
            for line in &text.lines {
                // One wide character (up to 3 columns, e.g. U+17D8) may overshoot a tiny width.
                proptest::prop_assert!(line.width() <= limit.max(3), "{line:?}");
            }
        }
    }
}
