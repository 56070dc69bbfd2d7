//! Helm chart templates, read best-effort without rendering them: nothing is executed, no
//! template function is evaluated. [`neutralise`] turns a template into YAML that has the
//! manifest's structure, and remembers where each piece of that YAML came from in the template,
//! so a finding points at the template's own line.
//!
//! What happens to each template action (`{{ … }}`):
//! - of each `if`/`with` block one branch is read: the first whose condition the default values
//!   do not make false (`.Values.a`, `not …`, `and …`, `or …` of such references; any other
//!   condition counts as true); the other branches' lines are dropped;
//! - a line holding only actions (`{{- if … }}`, `{{- end }}`, `{{- range … }}`, `{{- with … }}`,
//!   `{{/* comments */}}`, `{{- include … | nindent 8 }}`) becomes an empty line; when the action
//!   is `toYaml .Values.a.b` (or `toYaml .` inside `{{ with .Values.a.b }}`) with `nindent N` or
//!   `indent N`, and the chart's `values.yaml` has that value, the value is written there as
//!   YAML at that indentation instead, as Helm would with the default values;
//! - an action inside a line that is exactly `{{ .Values.a.b }}` (optionally `| quote`) whose
//!   value is a scalar in `values.yaml` is replaced by that value;
//! - any other action inside a line becomes the placeholder [`PLACEHOLDER`] (control actions
//!   inside a line disappear).
//!
//! The result says whether some block could not be resolved ([`Neutralised::unknown_blocks`]):
//! a manifest with content that only rendering would supply must not be judged on what it
//! seems to leave out.

use crate::yaml::{Node, ScalarStyle};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// What an unresolved action inside a line becomes.
pub const PLACEHOLDER: &str = "HELM_TEMPLATE_VALUE";

/// Longest value substituted for one action (a huge `values.yaml` subtree is left unresolved).
const MAX_SUBSTITUTION: usize = 64 * 1024;

/// A template turned into YAML, with the way back to the template's offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neutralised {
    pub text: String,
    /// (offset in `text`, offset in the template, copied verbatim), sorted by the first.
    segments: Vec<(usize, usize, bool)>,
    /// True when some block action (an `include`, a `toYaml` of an unknown value, …) was
    /// dropped: the manifest is incomplete.
    pub unknown_blocks: bool,
}

impl Neutralised {
    /// The template offset that `offset` in [`Neutralised::text`] came from: the same character
    /// for copied text, the start of the action for substituted text.
    pub fn original(&self, offset: usize) -> usize {
        let at = self.segments.partition_point(|s| s.0 <= offset);
        match at.checked_sub(1).map(|i| self.segments[i]) {
            Some((new, orig, true)) => orig + (offset - new),
            Some((_, orig, false)) => orig,
            None => offset,
        }
    }

    fn copy(&mut self, template: &str, range: std::ops::Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.segments.push((self.text.len(), range.start, true));
        self.text.push_str(&template[range]);
    }

    fn substitute(&mut self, orig: usize, text: &str) {
        if text.is_empty() {
            return;
        }
        self.segments.push((self.text.len(), orig, false));
        self.text.push_str(text);
    }
}

/// True when `path` (relative, `/`-separated) is a file in a `templates/` folder: where a chart
/// keeps its templates. Returns the index of that folder among the path's parts.
pub fn templates_dir_index(path: &str) -> Option<usize> {
    let parts: Vec<&str> = path.split('/').collect();
    parts
        .iter()
        .take(parts.len().saturating_sub(1))
        .rposition(|part| *part == "templates")
}

/// A chart a template belongs to: what the scan read of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chart {
    /// The first document of `values.yaml`, when there is one that parses and is within the
    /// size limit; templates are then read with these defaults.
    pub values: Option<Node>,
}

impl Chart {
    /// Reads the chart in `dir` (which holds `Chart.yaml`): its `values.yaml`, bounded by
    /// `limit` bytes. Never fails: a missing or broken `values.yaml` only means no values.
    pub fn load(dir: &Path, limit: u64) -> Chart {
        let values = read_bounded(&dir.join("values.yaml"), limit)
            .and_then(|text| crate::yaml::parse_str(&text).ok())
            .and_then(|docs| docs.into_iter().next())
            .filter(Node::is_map);
        Chart { values }
    }
}

fn read_bounded(path: &Path, limit: u64) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > limit {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() as u64 > limit {
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).ok()
}

/// The chart folder of the template at `file` (its path on disk; `rel` is the same path relative
/// to the scan root): the folder above the nearest `templates/`, when it holds a `Chart.yaml`.
pub fn chart_dir(file: &Path, rel: &str) -> Option<PathBuf> {
    let index = templates_dir_index(rel)?;
    let depth = rel.split('/').count() - index;
    let dir = file.ancestors().nth(depth)?;
    dir.join("Chart.yaml").is_file().then(|| dir.to_path_buf())
}

/// What `values.yaml` looked like when it was read: (modification time, size).
type Stamp = (Option<SystemTime>, u64);

/// Charts already read during a scan (and, for a live scan, re-read when `values.yaml`
/// changes). Shared by the scan's threads.
#[derive(Debug, Default)]
pub struct Charts {
    loaded: Mutex<HashMap<PathBuf, (Stamp, Arc<Chart>)>>,
}

impl Charts {
    /// The chart in `dir`, read once per version of its `values.yaml`.
    pub fn get(&self, dir: &Path, limit: u64) -> Arc<Chart> {
        let stamp = std::fs::metadata(dir.join("values.yaml"))
            .map(|m| (m.modified().ok(), m.len()))
            .unwrap_or((None, 0));
        if let Ok(loaded) = self.loaded.lock()
            && let Some((seen, chart)) = loaded.get(dir)
            && *seen == stamp
        {
            return Arc::clone(chart);
        }
        let chart = Arc::new(Chart::load(dir, limit));
        if let Ok(mut loaded) = self.loaded.lock() {
            loaded.insert(dir.to_path_buf(), (stamp, Arc::clone(&chart)));
        }
        chart
    }
}

/// One `{{ … }}` action: its byte range in the template and its inner text (trim markers and
/// surrounding blanks removed).
#[derive(Debug, Clone, Copy)]
struct Action<'a> {
    start: usize,
    end: usize,
    inner: &'a str,
}

/// Every action in the template, in order; an unclosed `{{` runs to the end.
fn actions(template: &str) -> Vec<Action<'_>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = template[from..].find("{{").map(|i| from + i) {
        let body_start = at + 2;
        // A comment may hold `}}`; it ends at `*/}}` (or `*/ -}}`).
        let comment = template[body_start..]
            .trim_start_matches('-')
            .trim_start()
            .starts_with("/*");
        let close = if comment {
            template[body_start..].find("*/").and_then(|c| {
                let after = body_start + c + 2;
                template[after..].find("}}").map(|e| after + e)
            })
        } else {
            template[body_start..].find("}}").map(|e| body_start + e)
        };
        let (inner_end, end) = match close {
            Some(close) => (close, close + 2),
            None => (template.len(), template.len()),
        };
        let inner = template[body_start..inner_end]
            .strip_prefix('-')
            .unwrap_or(&template[body_start..inner_end]);
        let inner = inner.strip_suffix('-').unwrap_or(inner).trim();
        out.push(Action {
            start: at,
            end,
            inner,
        });
        from = end;
    }
    out
}

/// The first word of an action, for telling control actions from output.
fn keyword(inner: &str) -> &str {
    inner
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
}

/// Actions that print nothing themselves.
fn is_control(inner: &str) -> bool {
    inner.starts_with("/*")
        || inner.is_empty()
        || matches!(
            keyword(inner),
            "if" | "else" | "end" | "range" | "with" | "define" | "block" | "break" | "continue"
        )
        || is_assignment(inner)
}

/// `$x := …` or `$x = …`.
fn is_assignment(inner: &str) -> bool {
    inner.starts_with('$')
        && inner
            .split_whitespace()
            .nth(1)
            .is_some_and(|op| op == ":=" || op == "=")
}

/// A `.Values.a.b` reference (or `$.Values.a.b`), as its path.
fn values_path(reference: &str) -> Option<Vec<&str>> {
    let rest = reference
        .strip_prefix("$.Values.")
        .or_else(|| reference.strip_prefix(".Values."))?;
    let parts: Vec<&str> = rest.split('.').collect();
    parts
        .iter()
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then_some(parts)
}

/// The node at `path` under `values`.
fn lookup<'v>(values: &'v Node, path: &[&str]) -> Option<&'v Node> {
    values.get_path(path)
}

/// What `.` is inside the enclosing `with`/`range` blocks.
#[derive(Debug, Clone)]
enum Dot<'a> {
    /// The chart's root context (or something that does not change it, like `if`).
    Root,
    /// `with .Values.a.b`.
    Values(Vec<&'a str>),
    /// `range`, or a `with` of something we cannot follow.
    Unknown,
}

/// Neutralises `template` (see the module documentation), substituting from `values` (the
/// parsed `values.yaml`, when the chart has one).
pub fn neutralise(template: &str, values: Option<&Node>) -> Neutralised {
    let mut out = Neutralised {
        text: String::with_capacity(template.len()),
        segments: Vec::new(),
        unknown_blocks: false,
    };
    let actions = actions(template);
    let mut next_action = 0;
    // Block structure, for what `.` means.
    let mut dots: Vec<Dot> = Vec::new();
    // One branch of each `if`/`with` is read: the first whose condition the default values
    // do not make false (a condition we cannot evaluate counts as true). Lines of the other
    // branches are dropped until the `end` that closes the block at that depth.
    let mut depth = 0usize;
    let mut dropping: Option<(usize, Branch)> = None;
    let mut line_start = 0;
    while line_start < template.len() {
        let line_end = template[line_start..]
            .find('\n')
            .map_or(template.len(), |i| line_start + i + 1);
        // Actions that start on this line, and on the lines a multi-line action runs into.
        let first = next_action;
        let mut line_stop = line_end;
        while let Some(action) = actions.get(next_action).filter(|a| a.start < line_stop) {
            if action.end > line_stop {
                line_stop = template[action.end..]
                    .find('\n')
                    .map_or(template.len(), |i| action.end + i + 1);
            }
            next_action += 1;
        }
        let on_line = &actions[first..next_action];
        if on_line.is_empty() {
            if dropping.is_none() {
                out.copy(template, line_start..line_end);
            } else if template[..line_end].ends_with('\n') {
                out.substitute(line_end - 1, "\n");
            }
            line_start = line_end;
            continue;
        }
        let dropped = dropping.is_some();
        for action in on_line {
            track_blocks(action.inner, &mut dots);
            match keyword(action.inner) {
                word @ ("if" | "with" | "range" | "define" | "block") => {
                    depth += 1;
                    if dropping.is_none()
                        && matches!(word, "if" | "with")
                        && condition(&action.inner[word.len()..], values, &dots) == Some(false)
                    {
                        dropping = Some((depth, Branch::Seeking));
                    }
                }
                "else" => match dropping {
                    None => dropping = Some((depth, Branch::Taken)),
                    Some((at, Branch::Seeking)) if at == depth => {
                        let rest = action.inner["else".len()..].trim_start();
                        let cond = rest
                            .strip_prefix("if ")
                            .or_else(|| rest.strip_prefix("with "))
                            .map_or(Some(true), |c| condition(c, values, &dots));
                        if cond != Some(false) {
                            dropping = None;
                        }
                    }
                    Some(_) => {}
                },
                "end" => {
                    if dropping.is_some_and(|(at, _)| at == depth) {
                        dropping = None;
                    }
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            }
        }
        if dropped {
            if template[..line_stop].ends_with('\n') {
                out.substitute(line_stop - 1, "\n");
            }
            line_start = line_stop;
            continue;
        }
        let mut text_outside = String::new();
        let mut cursor = line_start;
        for action in on_line {
            text_outside.push_str(&template[cursor..action.start]);
            cursor = action.end;
        }
        text_outside.push_str(&template[cursor.min(line_stop)..line_stop]);
        let newline = if template[..line_stop].ends_with('\n') {
            "\n"
        } else {
            ""
        };
        if text_outside.trim().is_empty() {
            // A line of actions only.
            let printing: Vec<&Action> = on_line.iter().filter(|a| !is_control(a.inner)).collect();
            match printing.as_slice() {
                [] => {}
                [one] => match block_value(one.inner, values, &dots) {
                    Some(yaml) => out.substitute(one.start, &yaml),
                    None => out.unknown_blocks = true,
                },
                _ => out.unknown_blocks = true,
            }
            out.substitute(line_stop.saturating_sub(newline.len()), newline);
        } else {
            let mut cursor = line_start;
            for action in on_line {
                out.copy(template, cursor..action.start);
                if is_control(action.inner) {
                    // Prints nothing.
                } else if nindented(action.inner) {
                    // `key: {{ toYaml … | nindent 4 }}`: a block that starts on the next line.
                    match block_value(action.inner, values, &dots) {
                        Some(yaml) => out.substitute(
                            action.start,
                            &format!("\n{}", yaml.trim_end_matches('\n')),
                        ),
                        None => out.unknown_blocks = true,
                    }
                } else {
                    let place = Place {
                        quoted: in_double_quotes(&template[line_start..action.start]),
                        starts_value: starts_value(&template[line_start..action.start]),
                        alone: {
                            let after = template[action.end.min(line_stop)..line_stop].trim();
                            after.is_empty() || after.starts_with('#')
                        },
                    };
                    let text = inline_value(action.inner, values, &dots, place);
                    out.substitute(action.start, &text);
                }
                cursor = action.end;
            }
            out.copy(template, cursor.min(line_stop)..line_stop);
        }
        line_start = line_stop;
    }
    out
}

/// Where a conditional's branches stand while lines are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Branch {
    /// A branch was read; the remaining ones are dropped.
    Taken,
    /// The branches so far were false; the next one that is not is read.
    Seeking,
}

/// What the default values make of an `if`/`with` condition: `.Values.a.b` or
/// `not .Values.a.b`, true or false as Helm's truth (a missing, null, false, zero or empty
/// value is false); `None` when it cannot be told without rendering.
fn condition(text: &str, values: Option<&Node>, dots: &[Dot]) -> Option<bool> {
    let values = values?;
    let text = text.trim();
    // `and A B …` / `or A B …` of plain references.
    for (op, all) in [("and ", true), ("or ", false)] {
        let Some(rest) = text.strip_prefix(op) else {
            continue;
        };
        if !rest.split_whitespace().all(|w| w.starts_with(['.', '$'])) {
            return None;
        }
        let parts: Vec<Option<bool>> = rest
            .split_whitespace()
            .map(|word| condition(word, Some(values), dots))
            .collect();
        return if parts.contains(&Some(!all)) {
            Some(!all)
        } else if parts.iter().all(|p| *p == Some(all)) {
            Some(all)
        } else {
            None
        };
    }
    let (negated, reference) = match text.strip_prefix("not ") {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    if reference.contains(char::is_whitespace) || !reference.starts_with(['.', '$']) {
        return None;
    }
    let truth = match resolve(reference, values, dots) {
        // Helm reads a missing value as nil, which is false; only a `.Values` path is known
        // to be missing (a `.` path may come from something we did not follow).
        None if values_path(reference).is_some() => false,
        None => return None,
        Some(Node::Null { .. }) => false,
        Some(Node::Map { entries, .. }) => !entries.is_empty(),
        Some(Node::Seq { items, .. }) => !items.is_empty(),
        Some(Node::Scalar { value, style, .. }) => {
            !(value.is_empty()
                || (*style == ScalarStyle::Plain && matches!(value.as_str(), "false" | "0")))
        }
    };
    Some(truth != negated)
}

/// Follows `with`, `range`, `if` and `end` so that `.` can be resolved.
fn track_blocks<'a>(inner: &'a str, dots: &mut Vec<Dot<'a>>) {
    match keyword(inner) {
        "with" => {
            let target = inner["with".len()..].trim();
            let current = dots.last().cloned().unwrap_or(Dot::Root);
            let dot = match (values_path(target), current) {
                (Some(path), _) if !target.contains(' ') => Dot::Values(path),
                _ => Dot::Unknown,
            };
            dots.push(dot);
        }
        "range" => dots.push(Dot::Unknown),
        "if" | "define" | "block" => {
            let current = dots.last().cloned().unwrap_or(Dot::Root);
            dots.push(current);
        }
        "end" => {
            dots.pop();
        }
        _ => {}
    }
}

/// True when the action's pipeline ends in `nindent N`: its output starts on a new line.
fn nindented(inner: &str) -> bool {
    inner
        .rsplit('|')
        .next()
        .is_some_and(|last| last.trim().starts_with("nindent "))
}

/// Where an action stands in its line.
#[derive(Debug, Clone, Copy)]
struct Place {
    /// Inside a double-quoted string.
    quoted: bool,
    /// At the start of a plain value (after `key: `, `- ` or at the line's start).
    starts_value: bool,
    /// Nothing but a comment follows it on the line.
    alone: bool,
}

/// True when `before` (the line up to an action) ends where a plain value starts.
fn starts_value(before: &str) -> bool {
    let trimmed = before.trim_end();
    trimmed.is_empty()
        || (before.len() > trimmed.len() && (trimmed.ends_with(':') || trimmed.ends_with('-')))
}

/// True when `before` (the line up to an action) has an open double-quoted string.
fn in_double_quotes(before: &str) -> bool {
    let mut open = false;
    let mut escaped = false;
    for c in before.chars() {
        match c {
            '\\' if open && !escaped => {
                escaped = true;
                continue;
            }
            '"' if !escaped => open = !open,
            _ => {}
        }
        escaped = false;
    }
    open
}

/// The text an action inside a line becomes.
fn inline_value(inner: &str, values: Option<&Node>, dots: &[Dot], place: Place) -> String {
    let (reference, quote) = match inner.split_once('|') {
        Some((reference, pipe)) if pipe.trim() == "quote" => (reference.trim(), true),
        Some(_) => return PLACEHOLDER.to_owned(),
        None => (inner, false),
    };
    let node = values.and_then(|v| resolve(reference, v, dots));
    let Some(Node::Scalar { value, .. }) = node else {
        return PLACEHOLDER.to_owned();
    };
    if value.len() > MAX_SUBSTITUTION || value.contains('\n') {
        return PLACEHOLDER.to_owned();
    }
    if place.quoted {
        // Inside a "…" string: escape as YAML's double-quoted style wants.
        let quoted = json_quote(value);
        return quoted[1..quoted.len() - 1].to_owned();
    }
    if place.starts_value && place.alone {
        // The whole value: quoted when it must be, as `| quote` asks.
        return if quote || !plain_safe(value) {
            json_quote(value)
        } else {
            value.clone()
        };
    }
    // Part of a longer plain value (`{{ .Values.url }}/path`): the text as it is, when that
    // keeps the value one plain scalar.
    let fits = !quote
        && !value.is_empty()
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && value.trim() == value
        && (!place.starts_value || value.starts_with(|c: char| c.is_alphanumeric() || c == '/'));
    if plain_safe(value) || fits {
        value.clone()
    } else {
        PLACEHOLDER.to_owned()
    }
}

/// The node a reference points at: `.Values.a.b`, or `.` / `.x` inside `with .Values.a`.
fn resolve<'v>(reference: &str, values: &'v Node, dots: &[Dot]) -> Option<&'v Node> {
    if let Some(path) = values_path(reference) {
        return lookup(values, &path);
    }
    let Some(Dot::Values(base)) = dots.last() else {
        return None;
    };
    if reference == "." {
        return lookup(values, base);
    }
    let rest = reference.strip_prefix('.')?;
    let mut path = base.clone();
    for part in rest.split('.') {
        if part.is_empty() || !part.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        path.push(part);
    }
    lookup(values, &path)
}

/// The YAML an action on a line of its own becomes: `toYaml X | nindent N` (or `indent N`)
/// with X a known value; `None` when it cannot be resolved.
fn block_value(inner: &str, values: Option<&Node>, dots: &[Dot]) -> Option<String> {
    let values = values?;
    let mut stages = inner.split('|').map(str::trim);
    let reference = stages.next()?.strip_prefix("toYaml")?.trim();
    let indent: usize = match stages.next()?.split_once(' ')? {
        ("nindent" | "indent", n) => n.trim().parse().ok()?,
        _ => return None,
    };
    if stages.next().is_some() || indent > 200 {
        return None;
    }
    let node = resolve(reference, values, dots)?;
    let mut out = String::new();
    // An empty value renders as `{}`, `[]` or `null`: where it stands among a mapping's
    // entries that would not parse, and as a key's whole value it says nothing either way.
    let empty = match node {
        Node::Map { entries, .. } => entries.is_empty(),
        Node::Seq { items, .. } => items.is_empty(),
        Node::Null { .. } => true,
        Node::Scalar { .. } => false,
    };
    if !empty {
        emit(node, indent, &mut out);
    }
    (out.len() <= MAX_SUBSTITUTION).then_some(out)
}

/// Scalars that may be written as plain YAML and read back as the same text.
fn plain_safe(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '/' | '-' | '@' | '+'))
        && !value.starts_with(['-', '@'])
}

fn json_quote(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| format!("\"{PLACEHOLDER}\""))
}

/// A scalar as YAML: plain when that reads back the same, double-quoted otherwise.
fn scalar(node: &Node) -> String {
    match node {
        Node::Scalar { value, style, .. } => {
            if *style == ScalarStyle::Plain && plain_safe(value) {
                value.clone()
            } else {
                json_quote(value)
            }
        }
        Node::Null { .. } => "null".to_owned(),
        Node::Map { .. } => "{}".to_owned(),
        Node::Seq { .. } => "[]".to_owned(),
    }
}

/// Writes `node` as block YAML, each line indented by `indent`, as `toYaml | nindent` would.
fn emit(node: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match node {
        Node::Map { entries, .. } if !entries.is_empty() => {
            for (key, value) in entries {
                out.push_str(&pad);
                out.push_str(&scalar(key));
                out.push(':');
                nested(value, indent, out);
            }
        }
        Node::Seq { items, .. } if !items.is_empty() => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                nested(item, indent, out);
            }
        }
        _ => {
            out.push_str(&pad);
            out.push_str(&scalar(node));
            out.push('\n');
        }
    }
}

fn nested(value: &Node, indent: usize, out: &mut String) {
    let collection = match value {
        Node::Map { entries, .. } => !entries.is_empty(),
        Node::Seq { items, .. } => !items.is_empty(),
        _ => false,
    };
    if collection {
        out.push('\n');
        emit(value, indent + 2, out);
    } else {
        out.push(' ');
        out.push_str(&scalar(value));
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_str;

    fn values(text: &str) -> Node {
        parse_str(text).unwrap().remove(0)
    }

    #[test]
    fn control_lines_vanish_and_offsets_map_back() {
        let template = "{{- if .Values.enabled }}\napiVersion: v1\nkind: Pod\n{{- end }}\n";
        let n = neutralise(template, None);
        assert_eq!(n.text, "\napiVersion: v1\nkind: Pod\n\n");
        let at = n.text.find("kind").unwrap();
        assert_eq!(&template[n.original(at)..n.original(at) + 4], "kind");
        assert!(!n.unknown_blocks);
    }

    #[test]
    fn simple_values_are_substituted_and_others_become_placeholders() {
        let vals = values(
            "image:\n  repository: nginx\n  tag: \"1.25\"\nprivileged: true\nname: \"a: b\"\n",
        );
        let template = "a: {{ .Values.privileged }}\nb: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\nc: {{ .Values.name }}\nd: {{ .Values.image.tag | quote }}\ne: {{ include \"x\" . }}\nf: {{ .Values.missing }}\n";
        let n = neutralise(template, Some(&vals));
        let doc = values(&n.text);
        assert_eq!(doc.get("a").unwrap().as_bool(), Some(true));
        assert_eq!(doc.get("b").unwrap().as_str(), Some("nginx:1.25"));
        assert_eq!(doc.get("c").unwrap().as_str(), Some("a: b"));
        assert_eq!(doc.get("d").unwrap().as_str(), Some("1.25"));
        assert_eq!(doc.get("e").unwrap().as_str(), Some(PLACEHOLDER));
        assert_eq!(doc.get("f").unwrap().as_str(), Some(PLACEHOLDER));
        // A substituted value points at its action in the template.
        let a = n.text.find("true").unwrap();
        assert_eq!(
            n.original(a),
            template.find("{{ .Values.privileged").unwrap()
        );
        // Text after a substitution maps back exactly.
        let e = n.text.find("e:").unwrap();
        assert_eq!(n.original(e), template.find("e:").unwrap());
    }

    #[test]
    fn to_yaml_blocks_are_written_at_their_indentation() {
        let vals = values(
            "securityContext:\n  privileged: true\n  capabilities:\n    add: [NET_ADMIN]\nresources: {}\nlabels:\n  - a\n",
        );
        let template = "spec:\n  securityContext:\n    {{- toYaml .Values.securityContext | nindent 4 }}\n  resources:\n    {{- toYaml .Values.resources | nindent 4 }}\n  {{- with .Values.labels }}\n  labels:\n    {{- toYaml . | nindent 4 }}\n  {{- end }}\n  other: 1\n";
        let n = neutralise(template, Some(&vals));
        let doc = values(&n.text);
        let spec = doc.get("spec").unwrap();
        assert_eq!(
            spec.get_path(&["securityContext", "privileged"])
                .unwrap()
                .as_bool(),
            Some(true)
        );
        assert_eq!(
            spec.get_path(&["securityContext", "capabilities", "add"])
                .unwrap()
                .items()[0]
                .as_str(),
            Some("NET_ADMIN")
        );
        // An empty value writes nothing: the key stays, with no settings.
        assert!(spec.get("resources").unwrap().is_null());
        assert_eq!(spec.get("labels").unwrap().items()[0].as_str(), Some("a"));
        assert_eq!(spec.get("other").unwrap().as_str(), Some("1"));
        assert!(!n.unknown_blocks);
        // The value's line in the neutralised text maps to the template's `toYaml` line.
        let at = n.text.find("privileged").unwrap();
        let line = template[..n.original(at)].lines().count();
        assert_eq!(line, 3, "{}", &template[n.original(at)..]);
    }

    #[test]
    fn only_the_first_branch_of_a_conditional_is_read() {
        let template = "spec:\n  {{- if .Values.custom }}\n  ports:\n    - 80\n  {{- else if .Values.other }}\n  ports: []\n  {{- else }}\n    {}\n  {{- end }}\n  {{- with .Values.x }}{{ end }}\n  hostNetwork: true\n";
        let n = neutralise(template, None);
        let doc = values(&n.text);
        let spec = doc.get("spec").unwrap();
        assert_eq!(spec.get("ports").unwrap().items()[0].as_str(), Some("80"));
        let at = n.text.find("hostNetwork").unwrap();
        assert_eq!(n.original(at), template.find("hostNetwork").unwrap());
    }

    #[test]
    fn conditions_the_default_values_decide_pick_their_branch() {
        let vals = values("debug: {enabled: false}\nnetwork: {host: true}\nempty: {}\n");
        let template = "spec:\n  {{- if .Values.debug.enabled }}\n  hostPID: true\n  {{- else if .Values.network.host }}\n  hostNetwork: true\n  {{- else }}\n  hostIPC: true\n  {{- end }}\n  {{- with .Values.empty }}\n  extra: {{ toYaml . }}\n  {{- end }}\n  {{- if not .Values.missing }}\n  kept: 1\n  {{- end }}\n  {{- if and .Values.network.host .Values.debug.enabled }}\n  both: 1\n  {{- end }}\n  {{- if or .Values.debug.enabled .Values.network.host }}\n  either: 1\n  {{- end }}\n  {{- if include \"x\" . }}\n  unknown: 1\n  {{- end }}\n";
        let n = neutralise(template, Some(&vals));
        let spec = values(&n.text).get("spec").cloned().unwrap();
        let keys: Vec<&str> = spec
            .entries()
            .iter()
            .filter_map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["hostNetwork", "kept", "either", "unknown"]);
        // Without values nothing is decided: the first branch of each block is read.
        let n = neutralise(template, None);
        let spec = values(&n.text).get("spec").cloned().unwrap();
        let keys: Vec<&str> = spec
            .entries()
            .iter()
            .filter_map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(
            keys,
            ["hostPID", "extra", "kept", "both", "either", "unknown"]
        );
    }

    #[test]
    fn includes_are_unknown_blocks() {
        let template =
            "metadata:\n  labels:\n    {{- include \"chart.labels\" . | nindent 4 }}\n  name: x\n";
        let n = neutralise(template, None);
        assert!(n.unknown_blocks);
        let doc = values(&n.text);
        assert_eq!(
            doc.get_path(&["metadata", "name"]).unwrap().as_str(),
            Some("x")
        );
    }

    #[test]
    fn comments_multi_line_actions_and_unclosed_braces() {
        let template = "{{/* a comment with }} inside */}}\n{{- $x := dict\n  \"a\" 1 }}\nkind: Pod\nname: {{ unclosed\n";
        let n = neutralise(template, None);
        assert!(n.text.contains("kind: Pod\n"), "{:?}", n.text);
        assert!(!n.text.contains("{{"), "{:?}", n.text);
        for offset in 0..n.text.len() {
            assert!(n.original(offset) <= template.len());
        }
    }

    /// The fuzz target's invariant (fuzz/fuzz_targets/helm.rs), over mutations of a template:
    /// never a panic, every offset maps inside the template, and never backwards.
    #[test]
    fn mutated_templates_map_inside_and_in_order() {
        let vals = values("image: {tag: \"1.0\"}\nsc: {privileged: true}\nlist: [a, b]\n");
        let seed = "{{- if .Values.x }}\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ include \"n\" . }}-x\n  labels: {{- include \"l\" . | nindent 4 }}\nspec:\n  {{- with .Values.sc }}\n  securityContext:\n    {{- toYaml . | nindent 4 }}\n  {{- end }}\n  image: \"a:{{ .Values.image.tag }}\"\n  args: {{ toYaml .Values.list | nindent 4 }}\n{{/* done }} */}}\n{{- end }}\n";
        let alphabet = b"{}-|.$:\"' \n\t/*#eVa";
        for template in crate::mutate::mutations(seed, alphabet, 3000, 5, 0x2545_F491_4F6C_DD1D) {
            let template = template.as_str();
            let n = neutralise(template, Some(&vals));
            let mut last = 0;
            for offset in 0..=n.text.len() {
                let original = n.original(offset);
                assert!(original <= template.len(), "{template:?}");
                assert!(original >= last, "{template:?}: {offset} -> {original}");
                last = original;
            }
            let _ = parse_str(&n.text);
        }
    }

    #[test]
    fn templates_folder() {
        assert_eq!(templates_dir_index("chart/templates/deploy.yaml"), Some(1));
        assert_eq!(templates_dir_index("chart/templates/sub/x.yaml"), Some(1));
        assert_eq!(templates_dir_index("templates"), None);
        assert_eq!(templates_dir_index("a/b.yaml"), None);
    }
}
