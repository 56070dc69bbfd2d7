//! The one regex type of the scan: compiled on first use, and guarded by a gate (see [`gate`])
//! that turns away, at DFA speed, the files it cannot match. Rule packs' patterns and the code
//! analyzer's per-language patterns both use it.

mod gate;
mod window;

use gate::Gate;
use regex::bytes::{Captures, Regex, RegexBuilder};
use std::ops::Range;
use std::sync::OnceLock;
use window::Finder;

/// What searching one text for one pattern cost, in bytes each engine was asked to search:
/// the scan's work counter, which the tests hold to be linear in the size of the file.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    /// Bytes spanned by the finder's DFA searches (forward to each match's end, back to its
    /// start).
    pub scanned: u64,
    /// Bytes handed to the exact regex, which resolves groups and Unicode word boundaries and
    /// may run an NFA engine: the windows of lines around the finder's matches.
    pub resolved: u64,
    /// Searches started, by either.
    pub searches: u64,
}

impl std::ops::AddAssign for Work {
    fn add_assign(&mut self, other: Work) {
        self.scanned += other.scanned;
        self.resolved += other.resolved;
        self.searches += other.searches;
    }
}

/// How many bytes the exact regex may be handed for one text of `len` bytes: eight times the
/// text, plus 64 KiB for small files. Windows are never handed over twice except when a match
/// runs to a window's end and the window grows, so a search within the budget is linear.
pub fn budget_for(len: usize) -> u64 {
    8 * len as u64 + (64 << 10)
}

/// A search stopped because it would have handed the exact regex more than its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget;

/// One match of [`LazyRegex::search`]: its groups, as byte ranges of the whole text.
pub struct Found<'h> {
    captures: Captures<'h>,
}

impl Found<'_> {
    /// Group `i` (0: the whole match), if it took part in the match.
    pub fn get(&self, i: usize) -> Option<Range<usize>> {
        self.captures.get(i).map(|m| m.range())
    }

    /// The groups after the whole match, in order.
    pub fn groups(&self) -> impl Iterator<Item = Option<Range<usize>>> + '_ {
        (1..self.captures.len()).map(|i| self.get(i))
    }
}

/// A regex compiled on first use. Loading the embedded catalogue compiles (and parses) nothing,
/// so the coach draws its first frame without waiting on regex compilation; the scan, on its
/// background threads, compiles each pattern (and its gate) the first time a file needs it. A
/// repository's own patterns are compiled at load, so that an error names its line.
#[derive(Debug)]
pub struct LazyRegex {
    pattern: String,
    cell: OnceLock<Regex>,
    gate: OnceLock<Option<Gate>>,
    finder: OnceLock<Option<Finder>>,
}

impl Clone for LazyRegex {
    /// A copy of the pattern, compiled again when first used: compiled automata are not shared.
    fn clone(&self) -> Self {
        LazyRegex {
            pattern: self.pattern.clone(),
            cell: OnceLock::new(),
            gate: OnceLock::new(),
            finder: OnceLock::new(),
        }
    }
}

impl LazyRegex {
    /// Parses `pattern` (catching syntax errors now) without compiling it; also returns how
    /// many groups it has, counting the whole match.
    pub fn parse(pattern: &str) -> Result<(LazyRegex, usize), String> {
        let hir = regex_syntax::ParserBuilder::new()
            .utf8(false)
            .build()
            .parse(pattern)
            .map_err(|e| e.to_string())?;
        let groups = hir.properties().explicit_captures_len() + 1;
        Ok((LazyRegex::unchecked(pattern), groups))
    }

    /// `pattern` taken on trust, neither parsed nor compiled: for patterns the test suite
    /// compiles (the embedded packs). A bad one panics when first used.
    pub fn unchecked(pattern: &str) -> LazyRegex {
        LazyRegex {
            pattern: pattern.to_owned(),
            cell: OnceLock::new(),
            gate: OnceLock::new(),
            finder: OnceLock::new(),
        }
    }

    /// Compiles now, reporting what compilation alone can find (e.g. the size limit).
    pub fn compile(&self) -> Result<&Regex, regex::Error> {
        if let Some(regex) = self.cell.get() {
            return Ok(regex);
        }
        let regex = build_regex(&self.pattern)?;
        Ok(self.cell.get_or_init(|| regex))
    }

    /// The pattern as written (does not compile it).
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// False when the regex cannot match anywhere in `haystack`, as its gate tells without
    /// running the regex itself; true when it may (or it has no gate). Builds the gate on
    /// first use.
    pub fn may_match(&self, haystack: &[u8]) -> bool {
        self.gate
            .get_or_init(|| Gate::new(&self.pattern))
            .as_ref()
            .is_none_or(|gate| gate.may_match(haystack))
    }
}

impl LazyRegex {
    /// Every match in `haystack`, in order, as `captures_iter` over the whole text gives them,
    /// handed to `each` until it returns false. The finder, a pair of lazy DFAs that never
    /// fall back to a slow engine, finds each match; the exact regex (groups, Unicode word
    /// boundaries) then resolves it from the match's start within a window that ends a little
    /// past the match's end, grown while the match runs to its end. When the finder gives up
    /// (its cache thrashes) or cannot serve (a pattern anchored at the start or end of the
    /// text), the exact regex searches the rest of the text. `work` counts what it cost; past
    /// `budget` bytes handed to the exact regex the search stops with [`OverBudget`], having
    /// handed over the matches found until then.
    pub fn search(
        &self,
        haystack: &[u8],
        budget: u64,
        work: &mut Work,
        each: &mut dyn FnMut(&Found<'_>) -> bool,
    ) -> Result<(), OverBudget> {
        let len = haystack.len();
        let mut spent = 0u64;
        let mut charge = |bytes: usize, work: &mut Work| {
            spent += bytes as u64;
            work.resolved += bytes as u64;
            work.searches += 1;
            if spent > budget {
                Err(OverBudget)
            } else {
                Ok(())
            }
        };
        let finder = self.finder.get_or_init(|| Finder::new(&self.pattern));
        let mut from = 0;
        while from <= len {
            let found = match finder {
                Some(finder) => {
                    work.searches += 1;
                    finder.find(haystack, from)
                }
                None => Err(window::GaveUp),
            };
            let m = match found {
                Ok(Some(m)) => {
                    work.scanned += (m.end - from + m.end - m.start) as u64;
                    m
                }
                Ok(None) => {
                    work.scanned += (len - from) as u64;
                    return Ok(());
                }
                Err(window::GaveUp) => {
                    // The rest of the text, to the exact regex.
                    charge(len - from, work)?;
                    let mut at = from;
                    while at <= len {
                        let Some(captures) = self.captures_at(haystack, at) else {
                            break;
                        };
                        let whole = captures.get(0).expect("group 0 takes part").range();
                        if !each(&Found { captures }) {
                            break;
                        }
                        at = whole.end + usize::from(whole.is_empty());
                    }
                    return Ok(());
                }
            };
            // Resolve the match: from its start, in a window ending past its end.
            let mut end = (m.end + WINDOW_TAIL).min(len);
            let resolved = loop {
                charge(end - m.start, work)?;
                let resolved = self.captures_at(&haystack[..end], m.start);
                let reaches_end = resolved
                    .as_ref()
                    .and_then(|c| c.get(0))
                    .is_some_and(|whole| whole.end() == end);
                if reaches_end && end < len {
                    end = (end + (end - m.start).max(WINDOW_TAIL)).min(len);
                    continue;
                }
                break resolved;
            };
            from = match resolved {
                Some(captures) => {
                    let whole = captures.get(0).expect("group 0 takes part").range();
                    if !each(&Found { captures }) {
                        return Ok(());
                    }
                    whole.end + usize::from(whole.is_empty())
                }
                // The finder's ASCII word boundaries let through a match that the Unicode ones
                // do not: go on after it.
                None => m.end + usize::from(m.is_empty()),
            };
        }
        Ok(())
    }
}

/// Bytes past a match's end that the exact regex sees when it resolves the match: enough for
/// its look-ahead (`\b`, `$`) to see the text that follows; a match that runs to the window's
/// end is resolved again in a larger one.
const WINDOW_TAIL: usize = 16;

impl std::ops::Deref for LazyRegex {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.cell.get_or_init(|| {
            // Every embedded pattern is compiled by the test suite, and a repository's own packs
            // are compiled when they load; reaching this with a bad pattern is a bug.
            build_regex(&self.pattern).expect("patterns are compiled when validated")
        })
    }
}

fn build_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(8 << 20)
        .dfa_size_limit(8 << 20)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `search` as (group ranges) per match.
    fn searched(pattern: &str, haystack: &[u8]) -> (Vec<Vec<Option<Range<usize>>>>, Work) {
        let regex = LazyRegex::unchecked(pattern);
        let mut work = Work::default();
        let mut out = Vec::new();
        regex
            .search(haystack, u64::MAX, &mut work, &mut |found| {
                out.push((0..regex.captures_len()).map(|i| found.get(i)).collect());
                true
            })
            .expect("no budget to go over");
        (out, work)
    }

    fn reference(pattern: &str, haystack: &[u8]) -> Vec<Vec<Option<Range<usize>>>> {
        let regex = Regex::new(pattern).unwrap();
        regex
            .captures_iter(haystack)
            .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect())
            .collect()
    }

    /// Against random texts of short lines with non-ASCII letters next to the words: the
    /// windowed search finds exactly what `captures_iter` over the whole text finds. (A `\b`
    /// whose own side is a letter outside ASCII, as in `\w+é\b`, is the one difference: the
    /// finder decides it on ASCII and, finding no match, never asks the exact regex; no rule
    /// puts a word boundary there.)
    #[test]
    fn windowed_search_finds_what_the_whole_text_search_finds() {
        let patterns = [
            r"\b(ab|cd)\s*=\s*(ef)\b",
            r"(?m)^\s*ab:\s*(\S+)$",
            r"\bcd\b(?:[^\n|;]|\\\n)*?\s(-[a-z]*e)\b",
            r"(?:\bdef\s+\w+\s*\((?:[^()]|\([^()]*\))*?)?\bab\s*=\s*ef\b",
            r"(?s)ab.{0,40}?ef",
            r"ab\s*",
        ];
        let alphabet = [
            "ab", "cd", "ef", " ", "=", "\n", "é", "x", "(", ")", "def ", "-e", ":", "\\", "|",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut matched = 0;
        for pattern in patterns {
            for _ in 0..400 {
                let mut text = String::new();
                for _ in 0..60 {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    text.push_str(alphabet[(state % alphabet.len() as u64) as usize]);
                }
                let expected = reference(pattern, text.as_bytes());
                matched += expected.len();
                let (got, _) = searched(pattern, text.as_bytes());
                assert_eq!(got, expected, "{pattern} on {text:?}");
            }
        }
        assert!(
            matched > 1_000,
            "the texts exercise the patterns: {matched}"
        );
    }

    /// A Swagger-like file: one `é`, and a word the finder must look at on every line. The
    /// exact regex, whose Unicode `\b` sends the regex crate to its PikeVM on non-ASCII text,
    /// is handed only the lines of the two real matches.
    #[test]
    fn the_exact_regex_sees_only_the_lines_around_matches() {
        let mut text = String::from("info: café\n");
        for i in 0..20_000 {
            text.push_str(&format!(
                "  description: True if the plugin is running. False {i}\n"
            ));
        }
        text.push_str("  verify=False\n");
        text.push_str("x = requests.get(u, verify=False)\n");
        let pattern = r"(?:\bdef\s+\w+\s*\((?:[^()]|\([^()]*\))*?)?\b(verify)\s*=\s*False\b";
        let (got, work) = searched(pattern, text.as_bytes());
        assert_eq!(got, reference(pattern, text.as_bytes()));
        assert_eq!(got.len(), 2);
        assert!(work.resolved < 200, "{work:?}");
        assert!(work.scanned <= 2 * text.len() as u64, "{work:?}");
    }

    #[test]
    fn a_search_over_its_budget_stops_and_says_so() {
        let regex = LazyRegex::unchecked(r"\bkey\d");
        let text = "key1 key2\n".repeat(1_000);
        let mut seen = 0;
        let result = regex.search(text.as_bytes(), 1_000, &mut Work::default(), &mut |_| {
            seen += 1;
            true
        });
        assert_eq!(result, Err(OverBudget));
        assert!(seen < 2_000);
        let mut seen = 0;
        let result = regex.search(
            text.as_bytes(),
            budget_for(text.len()),
            &mut Work::default(),
            &mut |_| {
                seen += 1;
                true
            },
        );
        assert_eq!((result, seen), (Ok(()), 2_000));
    }

    /// Patterns anchored at the start or end of the text are searched as one window.
    #[test]
    fn text_anchors_are_searched_whole() {
        for pattern in [r"\Aab", r"ef\z", r"^ab", r"(?m)ef$"] {
            let text = b"ab cd\nab ef\ncd ef";
            assert_eq!(
                searched(pattern, text).0,
                reference(pattern, text),
                "{pattern}"
            );
        }
    }
}
