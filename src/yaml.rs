//! YAML documents as an owned tree that remembers where every key and value came from, so a
//! finding in a workflow, manifest or compose file points at the exact line of the offending key.
//!
//! Why `saphyr-parser`: it is the maintained YAML 1.2 parser of the `saphyr` project (the
//! successor of `yaml-rust`/`yaml-rust2`), it passes the YAML test suite, it is a pull parser
//! built on explicit state stacks (no recursion, so deep input cannot overflow our stack), and
//! every event carries a start/end marker. We build the tree ourselves instead of using a
//! ready-made loader because the tree is where the hostile-input policy lives:
//! - `serde_yaml` is archived, and `serde` gives no positions;
//! - `marked-yaml` keeps spans but rejects anchors and aliases, which GitLab CI and Compose files
//!   use all the time (`<<: *defaults`);
//! - `saphyr`'s own loader hashes mappings (losing duplicate keys and their order) and its alias
//!   budget is not shared with the cost of storing anchors.
//!
//! Limits, so that no input can take the scan down:
//! - nesting deeper than [`MAX_DEPTH`] is an error (the parser itself stops flow collections at
//!   256 levels, but block nesting is unbounded; our consumers recurse over the tree);
//! - aliases are expanded by copying the anchored subtree, and every node copied (when an anchor
//!   is stored and when an alias is resolved) is charged to a budget of [`MAX_ALIAS_NODES`]; a
//!   "billion laughs" document fails after a bounded amount of work instead of eating memory;
//! - invalid UTF-8 and syntax errors are errors, never panics; a panic inside the parser (none is
//!   known) is caught and reported as an error too.
//!
//! Merge keys (`<<: *anchor`, YAML 1.1, honoured by GitLab CI, Docker Compose and Kubernetes
//! tooling) are resolved: explicit keys win over merged ones, earlier merged maps over later ones.
//! Nodes copied through an alias or merge keep the spans of the anchor they were copied from
//! (the alias node itself points at the `*alias`), so a consumer that visits both the anchor and
//! its copies may see the same span twice and should deduplicate its hits.

use crate::source::Source;
use saphyr_parser::{Event, Parser, ScalarStyle as RawStyle, Span as RawSpan, Tag};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// Deepest nesting of mappings and sequences accepted (real files stay well below 50).
pub const MAX_DEPTH: usize = 200;

/// Most nodes that anchors and aliases may copy in one file.
pub const MAX_ALIAS_NODES: usize = 250_000;

/// Where a node starts and ends in the file: byte offsets plus the 1-based line and column
/// (in characters) of the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub column: u32,
}

impl Span {
    /// The byte range, ready for a [`crate::analyzers::Hit`].
    pub fn range(&self) -> Range<usize> {
        self.start..self.end.max(self.start)
    }
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

impl ScalarStyle {
    fn from_raw(style: RawStyle) -> ScalarStyle {
        match style {
            RawStyle::Plain => ScalarStyle::Plain,
            RawStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            RawStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            RawStyle::Literal => ScalarStyle::Literal,
            RawStyle::Folded => ScalarStyle::Folded,
        }
    }

    /// True for `|` and `>` blocks, whose text starts on the line after the key.
    pub fn is_block(self) -> bool {
        matches!(self, ScalarStyle::Literal | ScalarStyle::Folded)
    }
}

/// One node of a YAML document.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A mapping, its entries in file order (duplicates kept; lookups take the last).
    Map {
        span: Span,
        entries: Vec<(Node, Node)>,
    },
    Seq {
        span: Span,
        items: Vec<Node>,
    },
    /// Any non-null scalar, as text (numbers and booleans too: `8080`, `true`).
    Scalar {
        span: Span,
        value: String,
        style: ScalarStyle,
    },
    /// `null`, `~`, or nothing at all (`key:`).
    Null {
        span: Span,
    },
}

const EMPTY_ENTRIES: &[(Node, Node)] = &[];
const EMPTY_ITEMS: &[Node] = &[];

impl Node {
    pub fn span(&self) -> Span {
        match self {
            Node::Map { span, .. }
            | Node::Seq { span, .. }
            | Node::Scalar { span, .. }
            | Node::Null { span } => *span,
        }
    }

    /// 1-based line where the node starts.
    pub fn line(&self) -> u32 {
        self.span().line
    }

    /// The text of a scalar; `None` for null, mappings and sequences.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// A YAML 1.2 core-schema boolean (`true`/`True`/`TRUE`, `false`/…), plain scalars only.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Scalar {
                value,
                style: ScalarStyle::Plain,
                ..
            } => match value.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// The scalar's style, if it is a scalar.
    pub fn style(&self) -> Option<ScalarStyle> {
        match self {
            Node::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self, Node::Map { .. })
    }

    pub fn is_seq(&self) -> bool {
        matches!(self, Node::Seq { .. })
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Node::Null { .. })
    }

    /// A mapping's entries (empty for anything else).
    pub fn entries(&self) -> &[(Node, Node)] {
        match self {
            Node::Map { entries, .. } => entries,
            _ => EMPTY_ENTRIES,
        }
    }

    /// A sequence's items (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match self {
            Node::Seq { items, .. } => items,
            _ => EMPTY_ITEMS,
        }
    }

    /// The (key, value) entry whose key is the scalar `key`; the last one if repeated.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.entries()
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// The value under the scalar key `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node itself, to point a finding at `key:` rather than at its value.
    pub fn key_node(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(k, _)| k)
    }

    /// Follows a path of mapping keys: `doc.get_path(&["jobs", "build", "steps"])`.
    pub fn get_path(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// Every node below and including this one, depth first, keys before their values.
    /// Iterative, so it never recurses however the tree is shaped.
    pub fn descendants(&self) -> Descendants<'_> {
        Descendants { stack: vec![self] }
    }

    /// "mapping", "sequence", "scalar" or "null", for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Node::Map { .. } => "mapping",
            Node::Seq { .. } => "sequence",
            Node::Scalar { .. } => "scalar",
            Node::Null { .. } => "null",
        }
    }

    fn with_span(mut self, new: Span) -> Node {
        match &mut self {
            Node::Map { span, .. }
            | Node::Seq { span, .. }
            | Node::Scalar { span, .. }
            | Node::Null { span } => *span = new,
        }
        self
    }

    fn is_merge_key(&self) -> bool {
        matches!(self, Node::Scalar { value, style: ScalarStyle::Plain, .. } if value == "<<")
    }
}

/// See [`Node::descendants`].
pub struct Descendants<'a> {
    stack: Vec<&'a Node>,
}

impl<'a> Iterator for Descendants<'a> {
    type Item = &'a Node;

    fn next(&mut self) -> Option<&'a Node> {
        let node = self.stack.pop()?;
        match node {
            Node::Map { entries, .. } => {
                for (k, v) in entries.iter().rev() {
                    self.stack.push(v);
                    self.stack.push(k);
                }
            }
            Node::Seq { items, .. } => self.stack.extend(items.iter().rev()),
            Node::Scalar { .. } | Node::Null { .. } => {}
        }
        Some(node)
    }
}

/// Why a file could not be read as YAML. The analyzers skip such files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YamlError {
    #[error("the file is not valid UTF-8")]
    NotUtf8,
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: u32,
        column: u32,
        message: String,
    },
    #[error("line {line}: nested deeper than {MAX_DEPTH} levels")]
    TooDeep { line: u32 },
    #[error("line {line}: anchors and aliases expand to more than {MAX_ALIAS_NODES} nodes")]
    AliasBudget { line: u32 },
    #[error("line {line}: alias to an unknown anchor")]
    UnknownAnchor { line: u32 },
    #[error("the YAML parser failed on this input")]
    ParserFailed,
}

impl YamlError {
    /// 1-based line of the problem, when known.
    pub fn line(&self) -> Option<u32> {
        match self {
            YamlError::Syntax { line, .. }
            | YamlError::TooDeep { line }
            | YamlError::AliasBudget { line }
            | YamlError::UnknownAnchor { line } => Some(*line),
            YamlError::NotUtf8 | YamlError::ParserFailed => None,
        }
    }
}

/// Every document of a (possibly multi-document, `---`-separated) YAML file.
pub fn parse_documents(src: &Source) -> Result<Vec<Node>, YamlError> {
    let text = std::str::from_utf8(src.bytes).map_err(|_| YamlError::NotUtf8)?;
    parse_str(text)
}

/// [`parse_documents`] on a string.
pub fn parse_str(text: &str) -> Result<Vec<Node>, YamlError> {
    // The parser is fuzzed upstream and has no known panic; should one surface, the file is
    // skipped like any other unreadable file instead of taking the scan thread down.
    std::panic::catch_unwind(|| Builder::new(text).run()).unwrap_or(Err(YamlError::ParserFailed))
}

/// Converts the parser's character indices into byte offsets. Events arrive nearly in file
/// order, so a cursor that walks forwards (and occasionally back) is linear overall.
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl Offsets<'_> {
    fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        while self.chars < char_index && self.bytes < self.text.len() {
            let width = self.text[self.bytes..]
                .chars()
                .next()
                .map_or(1, char::len_utf8);
            self.bytes += width;
            self.chars += 1;
        }
        while self.chars > char_index && self.bytes > 0 {
            self.bytes -= 1;
            while self.bytes > 0 && !self.text.is_char_boundary(self.bytes) {
                self.bytes -= 1;
            }
            self.chars -= 1;
        }
        self.bytes
    }
}

/// A mapping or sequence being built.
struct Frame {
    span: Span,
    anchor: usize,
    /// Nodes in this subtree so far (itself included).
    size: usize,
    /// Height of the tallest child.
    height: usize,
    kind: FrameKind,
}

enum FrameKind {
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
    Seq {
        items: Vec<Node>,
    },
}

/// A finished node with its size (node count) and height, needed to charge alias copies.
struct Built {
    node: Node,
    size: usize,
    height: usize,
}

struct Builder<'a> {
    text: &'a str,
    offsets: Offsets<'a>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Built>,
    budget: usize,
    root: Option<Node>,
    docs: Vec<Node>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Builder<'a> {
        Builder {
            text,
            offsets: Offsets {
                text,
                ascii: text.is_ascii(),
                chars: 0,
                bytes: 0,
            },
            stack: Vec::new(),
            anchors: HashMap::new(),
            budget: MAX_ALIAS_NODES,
            root: None,
            docs: Vec::new(),
        }
    }

    fn run(mut self) -> Result<Vec<Node>, YamlError> {
        let mut parser = Parser::new_from_str(self.text);
        while let Some(next) = parser.next_event() {
            let (event, raw) = next.map_err(|e| YamlError::Syntax {
                line: to_u32(e.marker().line()),
                column: to_u32(e.marker().col() + 1),
                message: e.info().to_owned(),
            })?;
            self.event(event, raw)?;
        }
        Ok(self.docs)
    }

    fn span(&mut self, raw: RawSpan) -> Span {
        let start = self.offsets.byte(raw.start.index());
        let end = self.offsets.byte(raw.end.index()).max(start);
        Span {
            start,
            end,
            line: to_u32(raw.start.line()),
            column: to_u32(raw.start.col() + 1),
        }
    }

    fn event(&mut self, event: Event<'_>, raw: RawSpan) -> Result<(), YamlError> {
        match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.root = None;
            }
            Event::DocumentEnd => {
                if let Some(root) = self.root.take() {
                    self.docs.push(root);
                }
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                let span = self.span(raw);
                if self.stack.len() >= MAX_DEPTH {
                    return Err(YamlError::TooDeep { line: span.line });
                }
                let kind = if matches!(event, Event::MappingStart(..)) {
                    FrameKind::Map {
                        entries: Vec::new(),
                        key: None,
                    }
                } else {
                    FrameKind::Seq { items: Vec::new() }
                };
                self.stack.push(Frame {
                    span,
                    anchor,
                    size: 1,
                    height: 0,
                    kind,
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let end = self.span(raw);
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let mut span = frame.span;
                let node = match frame.kind {
                    FrameKind::Map { entries, key } => {
                        let mut entries = entries;
                        if let Some(key) = key {
                            // A key without a value: the parser normally sends an empty scalar.
                            let at = key.span();
                            entries.push((key, Node::Null { span: at }));
                        }
                        span.end =
                            closing_end(entries.last().map(|(_, v)| v.span()), end).max(span.start);
                        Node::Map {
                            span,
                            entries: merge_keys(entries),
                        }
                    }
                    FrameKind::Seq { items } => {
                        span.end = closing_end(items.last().map(Node::span), end).max(span.start);
                        Node::Seq { span, items }
                    }
                };
                let built = Built {
                    node,
                    size: frame.size,
                    height: frame.height + 1,
                };
                self.finish(built, frame.anchor)?;
            }
            Event::Scalar(value, style, anchor, tag) => {
                let mut span = self.span(raw);
                // Block scalars end where the next token starts; drop the trailing blank run.
                let tail = self.text.get(span.start..span.end).unwrap_or("");
                span.end = span.start + tail.trim_end().len();
                let style = ScalarStyle::from_raw(style);
                let node = if is_null(&value, style, tag.as_deref()) {
                    Node::Null { span }
                } else {
                    Node::Scalar {
                        span,
                        value: value.into_owned(),
                        style,
                    }
                };
                self.finish(
                    Built {
                        node,
                        size: 1,
                        height: 0,
                    },
                    anchor,
                )?;
            }
            Event::Alias(id) => {
                let span = self.span(raw);
                let Some(anchored) = self.anchors.get(&id) else {
                    return Err(YamlError::UnknownAnchor { line: span.line });
                };
                if self.stack.len() + anchored.height > MAX_DEPTH {
                    return Err(YamlError::TooDeep { line: span.line });
                }
                self.budget = self
                    .budget
                    .checked_sub(anchored.size)
                    .ok_or(YamlError::AliasBudget { line: span.line })?;
                let built = Built {
                    node: anchored.node.clone().with_span(span),
                    size: anchored.size,
                    height: anchored.height,
                };
                self.finish(built, 0)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Hands a finished node to its parent (or makes it the document root), storing a copy
    /// under its anchor first.
    fn finish(&mut self, built: Built, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            let line = built.node.line();
            self.budget = self
                .budget
                .checked_sub(built.size)
                .ok_or(YamlError::AliasBudget { line })?;
            let copy = Built {
                node: built.node.clone(),
                size: built.size,
                height: built.height,
            };
            self.anchors.insert(anchor, copy);
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(built.node);
            return Ok(());
        };
        parent.size = parent.size.saturating_add(built.size);
        parent.height = parent.height.max(built.height);
        match &mut parent.kind {
            FrameKind::Seq { items } => items.push(built.node),
            FrameKind::Map { entries, key } => match key.take() {
                None => *key = Some(built.node),
                Some(k) => entries.push((k, built.node)),
            },
        }
        Ok(())
    }
}

/// The end of a collection: a flow collection's closing bracket, else its last child.
fn closing_end(last: Option<Span>, end_event: Span) -> usize {
    if end_event.end > end_event.start {
        end_event.end
    } else {
        last.map_or(end_event.start, |s| s.end)
    }
}

fn is_null(value: &str, style: ScalarStyle, tag: Option<&Tag>) -> bool {
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
        return tag.suffix == "null";
    }
    style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

/// Resolves `<<` merge keys: the merged maps' entries are spliced in where the `<<` stood,
/// except keys the mapping sets itself or an earlier merge already provided.
fn merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let mergeable = |v: &Node| match v {
        Node::Map { .. } => true,
        Node::Seq { items, .. } => items.iter().all(Node::is_map),
        _ => false,
    };
    if !entries
        .iter()
        .any(|(k, v)| k.is_merge_key() && mergeable(v))
    {
        return entries;
    }
    let mut seen: HashSet<String> = entries
        .iter()
        .filter(|(k, _)| !k.is_merge_key())
        .filter_map(|(k, _)| k.as_str().map(str::to_owned))
        .collect();
    let mut out = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        if !(key.is_merge_key() && mergeable(&value)) {
            out.push((key, value));
            continue;
        }
        let sources = match value {
            Node::Map { .. } => vec![value],
            Node::Seq { items, .. } => items,
            _ => Vec::new(),
        };
        for source in sources {
            let Node::Map { entries, .. } = source else {
                continue;
            };
            for (k, v) in entries {
                if let Some(name) = k.as_str()
                    && !seen.insert(name.to_owned())
                {
                    continue;
                }
                out.push((k, v));
            }
        }
    }
    out
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;
    use std::time::{Duration, Instant};

    fn one(text: &str) -> Node {
        let mut docs = parse_str(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(docs.len(), 1, "{docs:?}");
        docs.remove(0)
    }

    #[test]
    fn keys_and_values_know_their_lines_and_offsets() {
        let text = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n";
        let doc = one(text);
        let (key, value) = doc
            .get("jobs")
            .unwrap()
            .get("build")
            .unwrap()
            .entry("runs-on")
            .unwrap();
        assert_eq!((key.line(), key.span().column), (4, 5));
        assert_eq!(value.as_str(), Some("ubuntu-latest"));
        assert_eq!(&text[value.span().range()], "ubuntu-latest");
        assert_eq!(doc.get("on").unwrap().as_str(), Some("push"));
        assert_eq!(
            doc.get_path(&["jobs", "build", "runs-on"]).unwrap().line(),
            4
        );
    }

    #[test]
    fn byte_offsets_account_for_multibyte_characters() {
        let text = "é: ü\nname: \"naïve ${{ x }}\"\nnext: [α, β]\n";
        let doc = one(text);
        let name = doc.get("name").unwrap();
        assert_eq!(&text[name.span().range()], "\"naïve ${{ x }}\"");
        let beta = &doc.get("next").unwrap().items()[1];
        assert_eq!(&text[beta.span().range()], "β");
        assert_eq!((beta.line(), beta.span().column), (3, 11));
        let crlf = "a: é\r\nb: |\r\n  ünï ${{ x }}\r\n  two\r\nc: x\r\n";
        let doc = one(crlf);
        let c = doc.get("c").unwrap();
        assert_eq!(&crlf[c.span().range()], "x");
        assert_eq!(c.line(), 5);
        let b = doc.get("b").unwrap();
        assert!(crlf[b.span().range()].starts_with("ünï ${{ x }}"));
    }

    #[test]
    fn block_scalars_span_their_text_only() {
        let text = "run: |\n  echo one\n  echo two\n\nafter: 1\n";
        let doc = one(text);
        let run = doc.get("run").unwrap();
        assert_eq!(run.as_str(), Some("echo one\necho two\n"));
        assert_eq!(run.style(), Some(ScalarStyle::Literal));
        assert_eq!(run.line(), 2);
        assert_eq!(&text[run.span().range()], "echo one\n  echo two");
    }

    #[test]
    fn nulls_booleans_and_styles() {
        let doc = one("a:\nb: ~\nc: null\nd: 'null'\ne: !!str null\nf: false\ng: 'false'\n");
        assert!(doc.get("a").unwrap().is_null());
        assert!(doc.get("b").unwrap().is_null());
        assert!(doc.get("c").unwrap().is_null());
        assert_eq!(doc.get("d").unwrap().as_str(), Some("null"));
        assert_eq!(doc.get("e").unwrap().as_str(), Some("null"));
        assert_eq!(doc.get("f").unwrap().as_bool(), Some(false));
        assert_eq!(doc.get("g").unwrap().as_bool(), None);
        assert_eq!(doc.get("a").unwrap().line(), 1);
    }

    #[test]
    fn keeps_order_and_duplicate_keys() {
        let doc = one("b: 1\na: 2\nb: 3\n");
        let keys: Vec<_> = doc
            .entries()
            .iter()
            .filter_map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["b", "a", "b"]);
        assert_eq!(doc.get("b").unwrap().as_str(), Some("3"));
    }

    #[test]
    fn multiple_documents() {
        let docs = parse_str("a: 1\n---\nb: 2\n---\n# only a comment\n").unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[1].get("b").unwrap().line(), 3);
        assert!(parse_str("").unwrap().is_empty());
        assert!(parse_str("# nothing\n").unwrap().is_empty());
    }

    #[test]
    fn aliases_and_merge_keys_resolve() {
        let text = ".base: &base\n  image: alpine\n  script: [a]\njob:\n  <<: *base\n  script: [b]\nother: *base\n";
        let doc = one(text);
        let job = doc.get("job").unwrap();
        assert_eq!(job.get("image").unwrap().as_str(), Some("alpine"));
        assert_eq!(job.get("image").unwrap().line(), 2);
        assert_eq!(job.get("script").unwrap().items()[0].as_str(), Some("b"));
        assert!(job.get("<<").is_none());
        let other = doc.get("other").unwrap();
        assert_eq!(other.line(), 7);
        assert_eq!(other.get("image").unwrap().as_str(), Some("alpine"));
        // A list of maps merges in order; the first provides a key first.
        let doc = one("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n");
        let c = doc.get("c").unwrap();
        assert_eq!(c.get("x").unwrap().as_str(), Some("1"));
        assert_eq!(c.get("y").unwrap().as_str(), Some("2"));
        // A quoted "<<" is an ordinary key.
        let doc = one("a: &a {x: 1}\nc: {'<<': *a}\n");
        assert!(doc.get("c").unwrap().get("<<").is_some());
    }

    #[test]
    fn descendants_visit_everything_in_order() {
        let doc = one("a: [1, {b: 2}]\nc: 3\n");
        let scalars: Vec<_> = doc.descendants().filter_map(Node::as_str).collect();
        assert_eq!(scalars, ["a", "1", "b", "2", "c", "3"]);
    }

    #[test]
    fn invalid_yaml_is_an_error_with_a_line() {
        for bad in [
            "a: [1, 2\n",
            "a: b: c\n",
            "key: 'open\n",
            "\t- x\n: :\n",
            "a: *nope\n",
        ] {
            let err = parse_str(bad).unwrap_err();
            assert!(err.line().is_some(), "{bad:?}: {err}");
        }
        let src = Source::new("x.yml", FileKind::Yaml, b"a: \xff\xfe\n");
        assert_eq!(parse_documents(&src), Err(YamlError::NotUtf8));
    }

    #[test]
    fn billion_laughs_stops_quickly() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for name in names {
            let refs = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
            prev = name;
        }
        let started = Instant::now();
        let result = parse_str(&text);
        assert!(
            matches!(result, Err(YamlError::AliasBudget { .. })),
            "{result:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "hang guard only"
        );
    }

    #[test]
    fn many_small_aliases_within_budget_are_fine() {
        let mut text = String::from("base: &b {image: alpine, tags: [x]}\n");
        for i in 0..2000 {
            text.push_str(&format!("job{i}:\n  <<: *b\n  script: [run]\n"));
        }
        let doc = one(&text);
        assert_eq!(
            doc.get("job1999").unwrap().get("image").unwrap().as_str(),
            Some("alpine")
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        // Flow: the parser refuses it.
        let flow = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert!(parse_str(&flow).is_err());
        let unclosed = "[".repeat(5000);
        assert!(parse_str(&unclosed).is_err());
        // Block: we refuse it.
        let mut block = String::new();
        for depth in 0..5000 {
            block.push_str(&" ".repeat(depth));
            block.push_str("a:\n");
        }
        assert!(matches!(parse_str(&block), Err(YamlError::TooDeep { .. })));
        let dashes = format!("{}x\n", "- ".repeat(5000));
        assert!(matches!(parse_str(&dashes), Err(YamlError::TooDeep { .. })));
        // Nesting within the limit is fine.
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_str(&ok).is_ok());
    }

    #[test]
    fn aliases_cannot_smuggle_depth_past_the_limit() {
        let deep = format!("{}x{}", "[".repeat(150), "]".repeat(150));
        let text = format!(
            "a: &a {deep}\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
        );
        assert!(matches!(parse_str(&text), Err(YamlError::TooDeep { .. })));
    }

    #[test]
    fn enormous_lines_parse() {
        let items = vec!["ab"; 200_000].join(", ");
        let text = format!("k: [{items}]\nlong: {}\n", "x".repeat(2_000_000));
        let started = Instant::now();
        let doc = one(&text);
        assert_eq!(doc.get("k").unwrap().items().len(), 200_000);
        assert_eq!(doc.get("long").unwrap().line(), 2);
        assert!(started.elapsed() < Duration::from_secs(20));
        // Multibyte on one enormous line keeps offsets linear and right.
        let items = vec!["é"; 50_000].join(", ");
        let text = format!("k: [{items}]\n");
        let doc = one(&text);
        let last = doc.get("k").unwrap().items().last().unwrap().span();
        assert_eq!(&text[last.range()], "é");
    }

    #[test]
    fn mutated_inputs_never_panic() {
        let seed = "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  a: &j\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          echo \"${{ github.head_ref }}\"\n  b:\n    <<: *j\n    env: {X: \"1\", 'Y': ~}\n";
        let alphabet = b"[]{}:-?&*!|>'\"#%@`, \n\t\\x";
        for text in crate::mutate::mutations(seed, alphabet, 3000, 4, 0x9E37_79B9_7F4A_7C15) {
            let _ = parse_str(&text);
        }
    }
}
