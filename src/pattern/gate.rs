//! Regex gates: for a rule whose regex is slow to run, a relaxed copy of it that matches
//! everything the rule matches (and a little more) and that the regex engine's DFA can run at
//! full speed. A file the gate does not match cannot hold a match of the rule, so the real regex
//! runs only on the few files that pass.
//!
//! Four things make a regex slow on ordinary source files: Unicode word boundaries (`\b` in the
//! default Unicode mode), on which the lazy DFA gives up at the first non-ASCII byte and the
//! search falls back to the PikeVM, often a hundred times slower; long counted repetitions
//! (`[^}]{0,400}`), which multiply the automaton's states until the DFA's cache thrashes; Unicode
//! classes (`\w`, `[^"]`), whose UTF-8 automata are slow to compile and swell the DFA; and no
//! literal to start from (`\b\w+\.run\(…`), which makes the DFA walk every byte. The gate
//! drops the word boundaries (an assertion removed only admits more matches), widens every long
//! repetition `{m,n}` to `{min(m,16),}` (more repetitions admitted), widens each Unicode class to
//! its ASCII part or any run of non-ASCII bytes (which every UTF-8 encoding of its other
//! characters is), drops capture groups, and keeps of a concatenation only the tail that starts
//! with the most telling literals (a match of `AB` contains a match of `B`), branch by branch, so
//! that a literal prefilter can skip ahead.

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::pool::Pool;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{Input, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, HirKind, Look, Repetition};

/// Repetitions with bounds above this are widened.
const LONG_REPETITION: u32 = 16;

/// Lazy DFA cache per gate and thread. Small: a gate that needs more gives up, and gives way.
const CACHE_CAPACITY: usize = 1 << 20;

type CachePool = Pool<Cache, Box<dyn Fn() -> Cache + Send + Sync>>;

/// A necessary condition for a rule's regex to match a haystack: a forward lazy DFA (with the
/// relaxed regex's literal prefilter) that only answers "may it match?".
pub(super) struct Gate {
    dfa: DFA,
    caches: CachePool,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate").finish_non_exhaustive()
    }
}

impl Gate {
    /// The gate for `pattern` (in the syntax of `regex::bytes::Regex` with default flags), when
    /// one would help: relaxing the pattern changed it.
    pub(super) fn new(pattern: &str) -> Option<Gate> {
        // As `regex::bytes::RegexBuilder` parses: Unicode on, but patterns may match any bytes.
        let hir = regex_syntax::ParserBuilder::new()
            .utf8(false)
            .build()
            .parse(pattern)
            .ok()?;
        let mut changed = false;
        let relaxed = relax(&hir, &mut changed);
        let relaxed = match narrow(&relaxed) {
            Some(narrowed) if narrowed != relaxed => {
                changed = true;
                narrowed
            }
            _ => relaxed,
        };
        if !changed {
            return None;
        }
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .utf8(false)
                    .which_captures(WhichCaptures::None)
                    .nfa_size_limit(Some(8 << 20)),
            )
            .build_from_hir(&relaxed)
            .ok()?;
        let prefilter = Prefilter::from_hir_prefix(MatchKind::LeftmostFirst, &relaxed);
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .prefilter(prefilter)
                    .cache_capacity(CACHE_CAPACITY)
                    .skip_cache_capacity_check(true)
                    .minimum_cache_clear_count(Some(3))
                    .minimum_bytes_per_state(Some(10)),
            )
            .build_from_nfa(nfa)
            .ok()?;
        let for_pool = dfa.clone();
        let caches: CachePool = Pool::new(Box::new(move || for_pool.create_cache()));
        Some(Gate { dfa, caches })
    }

    /// False when the rule's regex cannot match anywhere in `haystack`.
    pub(super) fn may_match(&self, haystack: &[u8]) -> bool {
        let mut cache = self.caches.get();
        let input = Input::new(haystack).earliest(true);
        // A search that gives up (the DFA thrashes) cannot rule anything out.
        !matches!(self.dfa.try_search_fwd(&mut cache, &input), Ok(None))
    }
}

/// How well a literal prefilter can skip ahead for `hir`: `None` when it cannot, else the
/// length of its shortest prefix literal (longer literals match less often). Judged on the
/// extracted literals alone (a few, none too short), which is much cheaper than building a
/// prefilter for every candidate; `Gate::new` builds one for the expression it keeps.
fn prefix_quality(hir: &Hir) -> Option<usize> {
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let literals = extractor.extract(hir);
    let count = literals.len()?;
    let shortest = literals.min_literal_len()?;
    (count > 0 && count <= 64 && shortest >= 3).then_some(shortest)
}

/// A sub-expression of `hir` that every match of `hir` contains a match of, chosen to start
/// with good literals: of a concatenation, the best tail (or a part's own narrowed form); of an
/// alternation, each branch narrowed. `None` when nothing starts with a good literal.
fn narrow(hir: &Hir) -> Option<Hir> {
    match hir.kind() {
        HirKind::Capture(capture) => narrow(&capture.sub),
        HirKind::Alternation(branches) => {
            let narrowed = branches.iter().map(narrow).collect::<Option<Vec<_>>>()?;
            let alternation = Hir::alternation(narrowed);
            prefix_quality(&alternation).map(|_| alternation)
        }
        HirKind::Concat(parts) => {
            let mut best: Option<(usize, Hir)> = None;
            let mut consider = |candidate: Hir| {
                if let Some(quality) = prefix_quality(&candidate)
                    && best.as_ref().is_none_or(|(q, _)| quality > *q)
                {
                    best = Some((quality, candidate));
                }
            };
            for i in 0..parts.len() {
                consider(Hir::concat(parts[i..].to_vec()));
                if let Some(part) = narrow(&parts[i]) {
                    let mut tail = vec![part];
                    tail.extend_from_slice(&parts[i + 1..]);
                    consider(Hir::concat(tail));
                }
            }
            best.map(|(_, hir)| hir)
        }
        _ => prefix_quality(hir).map(|_| hir.clone()),
    }
}

/// The relaxed copy of `hir`; sets `changed` when it differs from the original.
fn relax(hir: &Hir, changed: &mut bool) -> Hir {
    match hir.kind() {
        HirKind::Look(look) => match look {
            Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode => {
                *changed = true;
                Hir::empty()
            }
            _ => hir.clone(),
        },
        HirKind::Repetition(rep) => {
            let long = rep.min > LONG_REPETITION || rep.max.is_some_and(|m| m > LONG_REPETITION);
            let (min, max) = if long {
                *changed = true;
                (rep.min.min(LONG_REPETITION), None)
            } else {
                (rep.min, rep.max)
            };
            Hir::repetition(Repetition {
                min,
                max,
                greedy: rep.greedy,
                sub: Box::new(relax(&rep.sub, changed)),
            })
        }
        HirKind::Capture(capture) => {
            *changed = true;
            relax(&capture.sub, changed)
        }
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(|h| relax(h, changed)).collect()),
        HirKind::Alternation(parts) => {
            Hir::alternation(parts.iter().map(|h| relax(h, changed)).collect())
        }
        HirKind::Class(Class::Unicode(class)) if class_is_large(class) => {
            let ascii: Vec<ClassBytesRange> = class
                .ranges()
                .iter()
                .filter(|r| r.start().is_ascii())
                .map(|r| ClassBytesRange::new(r.start() as u8, r.end().min('\x7f') as u8))
                .collect();
            let ascii = Hir::class(Class::Bytes(ClassBytes::new(ascii)));
            if class.ranges().iter().all(|r| r.end().is_ascii()) {
                return ascii;
            }
            *changed = true;
            let non_ascii = Hir::repetition(Repetition {
                min: 1,
                max: None,
                greedy: true,
                sub: Box::new(Hir::class(Class::Bytes(ClassBytes::new([
                    ClassBytesRange::new(0x80, 0xff),
                ])))),
            });
            Hir::alternation(vec![ascii, non_ascii])
        }
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => hir.clone(),
    }
}

/// Whether a Unicode class has enough non-ASCII characters to be worth widening. Small ones,
/// such as `(?i)s` (which holds `ſ`) or `(?i)k` (the Kelvin sign), stay exact: widening them
/// would let every non-ASCII byte stand in for a letter.
fn class_is_large(class: &regex_syntax::hir::ClassUnicode) -> bool {
    let non_ascii: u32 = class
        .ranges()
        .iter()
        .filter(|r| !r.end().is_ascii())
        .map(|r| u32::from(r.end()) - u32::from(r.start().max('\u{80}')) + 1)
        .sum();
    non_ascii > 16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(pattern: &str) -> Gate {
        Gate::new(pattern).expect("a gate")
    }

    #[test]
    fn patterns_without_a_leading_literal_get_a_narrower_gate() {
        let g = gate(r"[a-z]+\.run\(debug=True\)");
        assert!(g.may_match(b"x app.run(debug=True) y"));
        assert!(!g.may_match(b"app.run(debug=False)"));
    }

    #[test]
    fn plain_patterns_need_no_gate() {
        assert!(Gate::new("abc[0-9]+").is_none());
        assert!(Gate::new(r"(?-u:\b)abc").is_none());
        assert!(Gate::new("(unclosed").is_none());
    }

    #[test]
    fn gates_admit_every_match_of_the_original() {
        let cases: [(&str, &[u8]); 6] = [
            (r"\bAKIA[A-Z2-7]{16}\b", b"x AKIAABCDEFGHIJKLMNOP y"),
            (r"\bfoo\b", "é foo é".as_bytes()),
            (
                r"(?i)secret\s*=\s*'([^']{8,200})'",
                b"SECRET = 'abcdefghij'",
            ),
            (r"\b\w+\.run\([^)]{0,400}\)", b"app.run(debug=True)"),
            (
                r"(?m)^\s*key:\s*(\S{20,})$",
                b"a:\n  key: aaaaaaaaaaaaaaaaaaaaaaaaa\n",
            ),
            (r"(?-u:\xff)\bx", b"\xffx"),
        ];
        for (pattern, text) in cases {
            let original = regex::bytes::Regex::new(pattern).unwrap();
            assert!(original.is_match(text), "{pattern}");
            assert!(gate(pattern).may_match(text), "{pattern}");
        }
    }

    #[test]
    fn large_unicode_classes_widen_and_small_ones_stay_exact() {
        // `\w` holds the letters of every script: any run of non-ASCII bytes stands for them.
        let g = gate(r"\bkey_\w{3}\b");
        assert!(g.may_match("x key_ключ y".as_bytes()));
        assert!(g.may_match(b"key_abc"));
        assert!(!g.may_match(b"key_ab "));
        // `(?i)k` holds only the Kelvin sign beyond ASCII; it is kept as it is, so other
        // non-ASCII letters do not pass for it.
        let g = gate(r"(?i)\bkey\b");
        assert!(g.may_match("\u{212A}EY".as_bytes()));
        assert!(!g.may_match("éey".as_bytes()));
    }

    #[test]
    fn gates_still_reject_files_without_the_shape() {
        let g = gate(r"\bAKIA[A-Z2-7]{16}\b");
        assert!(!g.may_match("nothing to see here, ünïcode".as_bytes()));
        let g = gate(r"\bmodes\.ECB\b");
        assert!(!g.may_match("modes.CBC é".as_bytes()));
    }

    /// Against random haystacks: whenever the original matches, the gate does.
    #[test]
    fn gates_are_a_necessary_condition() {
        let patterns = [
            r"(?:\w+_app|server)\.?(?:[^()]|\([^()]*\))*?(kk?\s*=\s*(?:ab|cd)|y=)",
            r"[a-e ]+(?:x|ab=)(?:cd|e)[^}]*",
            r"(?:a|b)(?:[ =]+ab|c(?:dé|ee))",
            r"\b(?:ab|cd)\w{2,20}\b",
            r"\B[ab]{3}\b",
            r"\b\w*[cC]ookie\w*\s*[:=][^;{}]{0,40}\}",
            r"(?i)\bk(?:e|é)y\b\s*=\s*([a-zé]{4,30})",
            r"\b{start}ab\b{end}",
        ];
        let alphabet = [
            "a", "b", "c", "d", "é", " ", "=", "k", "e", "y", "}", "\n", "C", "ookie", ":",
            "\u{ff}",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let (mut gated, mut matched) = (0, 0);
        for pattern in patterns {
            let original = regex::bytes::Regex::new(pattern).unwrap();
            let Some(g) = Gate::new(pattern) else {
                continue;
            };
            gated += 1;
            for _ in 0..20_000 {
                let mut text = String::new();
                for _ in 0..24 {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    text.push_str(alphabet[(state % alphabet.len() as u64) as usize]);
                }
                if original.is_match(text.as_bytes()) {
                    matched += 1;
                    assert!(g.may_match(text.as_bytes()), "{pattern} on {text:?}");
                }
            }
        }
        assert!(gated >= 5, "{gated}");
        assert!(
            matched >= 1_000,
            "the haystacks exercise the patterns: {matched}"
        );
    }
}
