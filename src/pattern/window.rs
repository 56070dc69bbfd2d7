//! Where in a file a rule's regex can match, found by lazy DFAs that never fall back to a slow
//! engine, so that the engines that resolve capture groups (and Unicode word boundaries) only
//! ever run on the few lines around each match.
//!
//! The regex crate resolves a match in three steps: a forward lazy DFA finds where it ends, a
//! reverse one where it starts, and only then, within that span, an NFA engine resolves the
//! groups. But its lazy DFA cannot evaluate a Unicode word boundary (`\b` in the default mode)
//! next to a non-ASCII byte: at the first such byte it quits, and the whole rest of the search
//! runs on the PikeVM, a hundred times slower. A Swagger file of 470 KB with one `é` in it took
//! 0.3 s for one rule that way.
//!
//! The finder is the pattern with its Unicode word boundaries made ASCII ones, which the lazy
//! DFA runs at full speed; on ASCII text the two agree, and next to letters outside ASCII the
//! exact regex decides, since it is run again, from the start of each match the finder reports,
//! on a window that ends a little past the match.

use regex_automata::hybrid::dfa::DFA;
use regex_automata::hybrid::regex::{Cache, Regex};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::pool::Pool;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{Input, MatchKind};
use regex_syntax::hir::{Hir, HirKind, Look, Repetition};
use std::ops::Range;
use std::sync::Arc;

/// Lazy DFA cache per direction, finder and thread. When it thrashes, the search gives up (and
/// the caller decides what a slower search may cost) rather than crawl.
const CACHE_CAPACITY: usize = 2 << 20;

type CachePool = Pool<Cache, Box<dyn Fn() -> Cache + Send + Sync>>;

pub(super) struct Finder {
    regex: Arc<Regex>,
    caches: CachePool,
}

impl std::fmt::Debug for Finder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finder").finish_non_exhaustive()
    }
}

/// Why the finder could not answer: its DFA gave up (its cache thrashed).
#[derive(Debug)]
pub(super) struct GaveUp;

impl Finder {
    /// The finder for `pattern`, or `None` when it cannot serve: the pattern does not parse,
    /// is too large, or anchors at the very start or end of the text (`\A`, `\z`, `^` and `$`
    /// outside multi-line mode), which a window of lines cannot answer for.
    pub(super) fn new(pattern: &str) -> Option<Finder> {
        let hir = regex_syntax::ParserBuilder::new()
            .utf8(false)
            .build()
            .parse(pattern)
            .ok()?;
        let mut text_anchor = false;
        let hir = ascii_words(&hir, &mut text_anchor);
        if text_anchor {
            return None;
        }
        let nfa_config = || {
            thompson::Config::new()
                .utf8(false)
                .which_captures(WhichCaptures::None)
                .nfa_size_limit(Some(8 << 20))
        };
        let forward_nfa = thompson::Compiler::new()
            .configure(nfa_config())
            .build_from_hir(&hir)
            .ok()?;
        let reverse_nfa = thompson::Compiler::new()
            .configure(nfa_config().reverse(true))
            .build_from_hir(&hir)
            .ok()?;
        let dfa_config = || {
            DFA::config()
                .cache_capacity(CACHE_CAPACITY)
                .skip_cache_capacity_check(true)
                .minimum_cache_clear_count(Some(3))
                .minimum_bytes_per_state(Some(10))
        };
        let prefilter = Prefilter::from_hir_prefix(MatchKind::LeftmostFirst, &hir);
        let forward = DFA::builder()
            .configure(dfa_config().prefilter(prefilter))
            .build_from_nfa(forward_nfa)
            .ok()?;
        let reverse = DFA::builder()
            .configure(
                dfa_config()
                    .specialize_start_states(false)
                    .match_kind(MatchKind::All),
            )
            .build_from_nfa(reverse_nfa)
            .ok()?;
        let regex = Arc::new(Regex::builder().build_from_dfas(forward, reverse));
        let for_pool = Arc::clone(&regex);
        let caches: CachePool = Pool::new(Box::new(move || for_pool.create_cache()));
        Some(Finder { regex, caches })
    }

    /// The leftmost-first match at or after `from`, `Ok(None)` when there is none.
    pub(super) fn find(
        &self,
        haystack: &[u8],
        from: usize,
    ) -> Result<Option<Range<usize>>, GaveUp> {
        let mut cache = self.caches.get();
        let input = Input::new(haystack).range(from..);
        match self.regex.try_search(&mut cache, &input) {
            Ok(found) => Ok(found.map(|m| m.range())),
            Err(_) => Err(GaveUp),
        }
    }
}

/// `hir` with Unicode word boundaries made ASCII ones. Sets `text_anchor` when the pattern
/// asserts the start or end of the whole text.
fn ascii_words(hir: &Hir, text_anchor: &mut bool) -> Hir {
    match hir.kind() {
        HirKind::Look(look) => {
            let ascii = match look {
                Look::Start | Look::End => {
                    *text_anchor = true;
                    *look
                }
                Look::WordUnicode => Look::WordAscii,
                Look::WordUnicodeNegate => Look::WordAsciiNegate,
                Look::WordStartUnicode => Look::WordStartAscii,
                Look::WordEndUnicode => Look::WordEndAscii,
                Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
                Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
                other => *other,
            };
            Hir::look(ascii)
        }
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            min: rep.min,
            max: rep.max,
            greedy: rep.greedy,
            sub: Box::new(ascii_words(&rep.sub, text_anchor)),
        }),
        HirKind::Capture(capture) => ascii_words(&capture.sub, text_anchor),
        HirKind::Concat(parts) => {
            Hir::concat(parts.iter().map(|h| ascii_words(h, text_anchor)).collect())
        }
        HirKind::Alternation(parts) => {
            Hir::alternation(parts.iter().map(|h| ascii_words(h, text_anchor)).collect())
        }
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => hir.clone(),
    }
}
