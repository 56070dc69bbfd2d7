//! The one way seccoach hides secrets: the scan collects, once per file, the byte ranges of every
//! secret value any rule found in it (a token, a password in a URL, the literal of a secret-named
//! variable in a manifest, every value of a committed `.env`), and every renderer of that file's
//! text — finding snippets and messages, the coach's code excerpt, fix diffs — masks through
//! [`Secrets`]. A copy of a found value elsewhere in the file or in a message is masked too.

use crate::display::redact;
use aho_corasick::AhoCorasick;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

/// Shortest value masked wherever a copy of it appears (shorter ones are masked only where a
/// rule found them: replacing every `abc` would garble unrelated text).
const MIN_COPY_CHARS: usize = 4;

/// What stands for a secret in a fingerprint: a constant, so no hash depends on the value.
pub const PLACEHOLDER: &str = "\u{2022}secret\u{2022}";

/// The secret values found in one text.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    /// Sorted, disjoint, each within one line (never covering `\n` or `\r`).
    ranges: Vec<Range<usize>>,
    /// Distinct values (per line of a multi-line secret), longest first.
    values: Vec<String>,
    /// Finds copies of `values`; built on first use.
    finder: OnceLock<Option<AhoCorasick>>,
}

impl PartialEq for Secrets {
    fn eq(&self, other: &Self) -> bool {
        self.ranges == other.ranges && self.values == other.values
    }
}

impl Eq for Secrets {}

impl Secrets {
    /// The secrets at `ranges` (byte ranges, in any order, overlapping or not) of `text`.
    pub fn new(text: &[u8], ranges: impl IntoIterator<Item = Range<usize>>) -> Secrets {
        let mut pieces: Vec<Range<usize>> = Vec::new();
        for range in ranges {
            let (start, end) = unquote(text, range);
            // One piece per line, so a mask never swallows a line break.
            let mut at = start;
            while at < end {
                let stop = memchr::memchr2(b'\n', b'\r', &text[at..end]).map_or(end, |i| at + i);
                if stop > at {
                    pieces.push(at..stop);
                }
                at = stop + 1;
            }
        }
        pieces.sort_by_key(|r| (r.start, r.end));
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for piece in pieces {
            match ranges.last_mut() {
                Some(last) if piece.start <= last.end => last.end = last.end.max(piece.end),
                _ => ranges.push(piece),
            }
        }
        let mut values: Vec<String> = ranges
            .iter()
            .map(|r| String::from_utf8_lossy(&text[r.clone()]).trim().to_owned())
            .filter(|v| v.chars().count() >= MIN_COPY_CHARS)
            .collect();
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        Secrets {
            ranges,
            values,
            finder: OnceLock::new(),
        }
    }

    /// True when no rule found a secret.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The values found (per line), longest first.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    fn finder(&self) -> Option<&AhoCorasick> {
        self.finder
            .get_or_init(|| {
                if self.values.is_empty() {
                    return None;
                }
                AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&self.values)
                    .ok()
            })
            .as_ref()
    }

    /// Byte ranges (absolute, sorted, disjoint) within `span` of `text` to hide: the found
    /// secrets and every copy of a found value.
    pub fn cover(&self, text: &[u8], span: Range<usize>) -> Vec<Range<usize>> {
        let span = span.start.min(text.len())..span.end.min(text.len());
        let first = self.ranges.partition_point(|r| r.end <= span.start);
        let mut cover: Vec<Range<usize>> = self.ranges[first..]
            .iter()
            .take_while(|r| r.start < span.end)
            .map(|r| r.start.max(span.start)..r.end.min(span.end))
            .collect();
        if let Some(finder) = self.finder() {
            cover.extend(
                finder
                    .find_iter(&text[span.clone()])
                    .map(|m| span.start + m.start()..span.start + m.end()),
            );
            cover.sort_by_key(|r| (r.start, r.end));
            let mut merged: Vec<Range<usize>> = Vec::with_capacity(cover.len());
            for range in cover {
                match merged.last_mut() {
                    Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                    _ => merged.push(range),
                }
            }
            cover = merged;
        }
        cover
    }

    /// `text[span]` (lossy UTF-8) with every secret in it redacted, and the character index in
    /// the result where byte `focus` (within `span`) lands; a focus inside a secret lands where
    /// its redacted form starts.
    pub fn mask_span(&self, text: &[u8], span: Range<usize>, focus: usize) -> (String, usize) {
        let span = span.start.min(text.len())..span.end.min(text.len());
        let focus = focus.clamp(span.start, span.end);
        let mut out = String::new();
        let mut focus_chars = None;
        let mut at = span.start;
        let mut chars = 0;
        let push = |out: &mut String, piece: &str, chars: &mut usize| {
            out.push_str(piece);
            *chars += piece.chars().count();
        };
        for range in self.cover(text, span.clone()) {
            let plain = String::from_utf8_lossy(&text[at..range.start]);
            if focus_chars.is_none() && focus < range.start {
                let before = String::from_utf8_lossy(&text[at..focus]).chars().count();
                focus_chars = Some(chars + before);
            }
            push(&mut out, &plain, &mut chars);
            if focus_chars.is_none() && focus < range.end {
                focus_chars = Some(chars);
            }
            push(&mut out, &hide(&text[range.clone()]), &mut chars);
            at = range.end;
        }
        if focus_chars.is_none() {
            let before = String::from_utf8_lossy(&text[at..focus]).chars().count();
            focus_chars = Some(chars + before);
        }
        out.push_str(&String::from_utf8_lossy(&text[at..span.end]));
        (out, focus_chars.unwrap_or(0))
    }

    /// `span` widened to cover whole every found secret that it cuts (clamped to `text`).
    pub fn widen(&self, text: &[u8], span: Range<usize>) -> Range<usize> {
        let (mut start, mut end) = (span.start.min(text.len()), span.end.min(text.len()));
        let first = self.ranges.partition_point(|r| r.end <= start);
        if let Some(r) = self.ranges.get(first)
            && r.start < start
        {
            start = r.start;
        }
        let last = self.ranges.partition_point(|r| r.start < end);
        if let Some(r) = last.checked_sub(1).and_then(|i| self.ranges.get(i))
            && r.end > end
        {
            end = r.end;
        }
        start..end.max(start)
    }

    /// True when `span` of `text` holds a secret or a copy of one.
    pub fn touches(&self, text: &[u8], span: Range<usize>) -> bool {
        !self.cover(text, span).is_empty()
    }

    /// `text[span]` with every secret replaced by [`PLACEHOLDER`]: what a fingerprint may hash.
    pub fn placeholder_span(&self, text: &[u8], span: Range<usize>) -> String {
        let span = span.start.min(text.len())..span.end.min(text.len());
        let mut out = String::new();
        let mut at = span.start;
        for range in self.cover(text, span.clone()) {
            out.push_str(&String::from_utf8_lossy(&text[at..range.start]));
            out.push_str(PLACEHOLDER);
            at = range.end;
        }
        out.push_str(&String::from_utf8_lossy(&text[at..span.end]));
        out
    }

    /// A text that is not a known place of the file (a message, a line of a diff, a line of the
    /// file after an edit): every copy of a found value redacted.
    pub fn mask_str<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.replace_copies(text, redact)
    }

    /// Like [`Secrets::mask_str`], with [`PLACEHOLDER`] for each copy.
    pub fn placeholder_str<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.replace_copies(text, |_| PLACEHOLDER.to_owned())
    }

    fn replace_copies<'t>(&self, text: &'t str, with: impl Fn(&str) -> String) -> Cow<'t, str> {
        let Some(finder) = self.finder() else {
            return Cow::Borrowed(text);
        };
        let mut out = String::new();
        let mut at = 0;
        for m in finder.find_iter(text) {
            out.push_str(&text[at..m.start()]);
            out.push_str(&with(&text[m.range()]));
            at = m.end();
        }
        if at == 0 {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// Every secret of both, for a text that holds either (a diff of a file before and after).
    pub fn union(&self, other: &Secrets) -> Secrets {
        let mut values = self.values.clone();
        values.extend(other.values.iter().cloned());
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        Secrets {
            ranges: Vec::new(),
            values,
            finder: OnceLock::new(),
        }
    }

    /// `text` (the whole text these secrets were found in) with every secret redacted, line
    /// structure kept.
    pub fn mask_text(&self, text: &str) -> String {
        self.mask_span(text.as_bytes(), 0..text.len(), 0).0
    }
}

/// `range` within `text`, without surrounding whitespace or a pair of quotes around it (a
/// YAML scalar's span includes its quotes).
fn unquote(text: &[u8], range: Range<usize>) -> (usize, usize) {
    let (mut start, mut end) = (range.start.min(text.len()), range.end.min(text.len()));
    while start < end && text[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && text[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    if end >= start + 2 && matches!(text[start], b'"' | b'\'') && text[end - 1] == text[start] {
        start += 1;
        end -= 1;
    }
    (start, end)
}

/// The redacted form of one secret piece (blank pieces stay as they are).
fn hide(piece: &[u8]) -> String {
    let text = String::from_utf8_lossy(piece);
    if text.trim().is_empty() {
        text.into_owned()
    } else {
        redact(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str) -> Range<usize> {
        let start = text.find(needle).unwrap();
        start..start + needle.len()
    }

    #[test]
    fn masks_found_ranges_and_every_copy() {
        let text = concat!(
            "A=hunter2hunter2\nB=postgres://u:",
            "hunter2hunter2",
            "@db/x\nC=ok\n"
        );
        let secrets = Secrets::new(text.as_bytes(), [at(text, "hunter2hunter2")]);
        let masked = secrets.mask_text(text);
        assert!(!masked.contains("hunter2hunter2"), "{masked}");
        assert_eq!(masked.lines().count(), 3);
        assert!(masked.ends_with("C=ok\n"), "{masked}");
        assert_eq!(
            secrets.mask_str("named hunter2hunter2 here"),
            format!("named {} here", redact("hunter2hunter2"))
        );
        assert_eq!(secrets.mask_str("nothing"), "nothing");
    }

    #[test]
    fn short_values_are_masked_where_found_only() {
        let text = "PW=abc\nname=abc\n";
        let secrets = Secrets::new(text.as_bytes(), std::iter::once(3..6));
        assert_eq!(secrets.mask_text(text), "PW=****\nname=abc\n");
    }

    #[test]
    fn multi_line_secrets_keep_line_breaks_and_overlaps_merge() {
        let text = "k = '''\nAAAAAAAAAAAAAAAA\r\nBBBBBBBBBBBBBBBB\n'''\n";
        let secrets = Secrets::new(text.as_bytes(), [8..43, 10..20]);
        let masked = secrets.mask_text(text);
        assert!(!masked.contains("AAAAAAAAAAAA") && !masked.contains("BBBBBBBBBBBB"));
        assert_eq!(masked.matches('\n').count(), 4, "{masked:?}");
        assert!(masked.contains("\r\n"), "{masked:?}");
    }

    #[test]
    fn the_focus_follows_the_mask() {
        let text = "x = 'sk_live_0123456789abcdef' # y";
        let secret = at(text, "sk_live_0123456789abcdef");
        let secrets = Secrets::new(text.as_bytes(), [secret.clone()]);
        let (masked, focus) = secrets.mask_span(text.as_bytes(), 0..text.len(), secret.start);
        assert_eq!(
            &masked[focus..],
            format!("{}' # y", redact("sk_live_0123456789abcdef"))
        );
        let (_, focus) = secrets.mask_span(text.as_bytes(), 0..text.len(), text.find('#').unwrap());
        assert_eq!(masked.chars().nth(focus), Some('#'));
        let (_, focus) = secrets.mask_span(text.as_bytes(), 0..text.len(), secret.start + 3);
        assert_eq!(focus, secret.start);
    }

    #[test]
    fn placeholders_hide_the_value_from_fingerprints() {
        let text = "TOKEN=ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let secrets = Secrets::new(text.as_bytes(), std::iter::once(6..text.len()));
        assert_eq!(
            secrets.placeholder_span(text.as_bytes(), 0..text.len()),
            format!("TOKEN={PLACEHOLDER}")
        );
        assert!(secrets.touches(text.as_bytes(), 0..7));
        assert!(!secrets.touches(text.as_bytes(), 0..5));
    }
}
