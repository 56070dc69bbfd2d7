//! The scan plan: the catalogue compiled once per scan into what each file needs, so that the
//! cost of a file is one pass of a keyword automaton plus the few rules whose keywords it holds.

use super::gate::Gate;
use crate::analyzers::AnalyzerKind;
use crate::catalog::{Catalog, Matcher, Rule};
use crate::source::{FileKind, Source};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

pub(super) struct Plan {
    active: Vec<bool>,
    /// One automaton over every keyword of every active regex rule (lowercased, deduplicated).
    prefilter: Option<AhoCorasick>,
    /// For each keyword pattern, the rules it unlocks.
    keyword_rules: Vec<Vec<usize>>,
    /// For each keyword pattern, whether an occurrence of another keyword can overlap one of it.
    overlaps: Vec<bool>,
    /// Length of the longest keyword, in bytes.
    max_keyword_len: usize,
    /// For each file kind, how many active regex rules may read it (0: skip the prefilter).
    regex_rules_per_kind: BTreeMap<FileKind, usize>,
    file_analyzers: Vec<(AnalyzerKind, Vec<usize>)>,
    tree_analyzers: Vec<AnalyzerKind>,
    /// Per rule, the gate its regex must pass first, for regexes slow to run (see `gate`);
    /// built on first use, so that rules no file unlocks cost nothing.
    gates: Vec<OnceLock<Option<Gate>>>,
}

impl Plan {
    pub(super) fn new(catalog: &Catalog, disabled: &BTreeSet<String>) -> Plan {
        let rules = catalog.rules();
        let active: Vec<bool> = rules
            .iter()
            .map(|r| !disabled.contains(r.id.as_str()))
            .collect();
        let mut keywords: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut analyzers: BTreeMap<AnalyzerKind, Vec<usize>> = BTreeMap::new();
        for (index, rule) in rules.iter().enumerate().filter(|(i, _)| active[*i]) {
            match &rule.matcher {
                Matcher::Regex(m) => {
                    for keyword in &m.keywords {
                        keywords
                            .entry(keyword.to_ascii_lowercase())
                            .or_default()
                            .push(index);
                    }
                }
                Matcher::Analyzer(kind) => analyzers.entry(*kind).or_default().push(index),
            }
        }
        let (patterns, keyword_rules): (Vec<String>, Vec<Vec<usize>>) =
            keywords.into_iter().unzip();
        let overlaps = patterns
            .iter()
            .enumerate()
            .map(|(i, a)| {
                patterns
                    .iter()
                    .enumerate()
                    .any(|(j, b)| i != j && can_overlap(a.as_bytes(), b.as_bytes()))
            })
            .collect();
        let max_keyword_len = patterns.iter().map(String::len).max().unwrap_or(0);
        let prefilter = (!patterns.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&patterns)
                .expect("keyword automaton builds from plain literals")
        });
        let regex_rules_per_kind = FileKind::ALL
            .iter()
            .map(|&kind| {
                let count = rules
                    .iter()
                    .enumerate()
                    .filter(|(i, r)| {
                        active[*i]
                            && matches!(r.matcher, Matcher::Regex(_))
                            && r.files.may_accept_kind(kind)
                    })
                    .count();
                (kind, count)
            })
            .collect();
        let tree_analyzers = analyzers.keys().copied().collect();
        let gates = rules.iter().map(|_| OnceLock::new()).collect();
        Plan {
            active,
            prefilter,
            keyword_rules,
            overlaps,
            max_keyword_len,
            regex_rules_per_kind,
            file_analyzers: analyzers.into_iter().collect(),
            tree_analyzers,
            gates,
        }
    }

    pub(super) fn active_rules(&self) -> usize {
        self.active.iter().filter(|a| **a).count()
    }

    /// The rule `id`, if it exists and is enabled.
    pub(super) fn active_rule<'c>(&self, catalog: &'c Catalog, id: &str) -> Option<&'c Rule> {
        let index = catalog.rule_index(id)?;
        self.active[index].then(|| &catalog.rules()[index])
    }

    /// Regex rules whose keywords occur in the file, in catalogue order.
    pub(super) fn regex_candidates(&self, source: &Source) -> Vec<usize> {
        let Some(prefilter) = &self.prefilter else {
            return Vec::new();
        };
        if self
            .regex_rules_per_kind
            .get(&source.kind)
            .copied()
            .unwrap_or(0)
            == 0
        {
            return Vec::new();
        }
        let bytes = source.bytes;
        let mut seen = vec![false; self.keyword_rules.len()];
        let mut remaining = seen.len();
        let mut mark = |pattern: usize, remaining: &mut usize| {
            if !seen[pattern] {
                seen[pattern] = true;
                *remaining -= 1;
            }
        };
        // A non-overlapping search runs on the automaton's literal prefilter and is several times
        // faster than an overlapping one. It resumes after each match, so a keyword occurrence it
        // skips always overlaps a match it reported: those are looked for in a window around the
        // match, for the few keywords that can overlap another at all.
        let reach = self.max_keyword_len.saturating_sub(1);
        for m in prefilter.find_iter(bytes) {
            let pattern = m.pattern().as_usize();
            mark(pattern, &mut remaining);
            if self.overlaps[pattern] {
                let window = m.start().saturating_sub(reach)..(m.end() + reach).min(bytes.len());
                for o in prefilter.find_overlapping_iter(Input::new(bytes).range(window)) {
                    mark(o.pattern().as_usize(), &mut remaining);
                }
            }
            if remaining == 0 {
                break;
            }
        }
        let mut rules: Vec<usize> = seen
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .flat_map(|(p, _)| self.keyword_rules[p].iter().copied())
            .collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }

    /// False when regex rule `rule` of `catalog` cannot match in `bytes` (its gate rejects them).
    pub(super) fn may_match(&self, catalog: &Catalog, rule: usize, bytes: &[u8]) -> bool {
        let Some(gate) = self.gates.get(rule) else {
            return true;
        };
        let gate = gate.get_or_init(|| match &catalog.rules()[rule].matcher {
            Matcher::Regex(m) => Gate::new(m.regex.as_str()),
            Matcher::Analyzer(_) => None,
        });
        gate.as_ref().is_none_or(|gate| gate.may_match(bytes))
    }

    pub(super) fn file_analyzers(&self) -> &[(AnalyzerKind, Vec<usize>)] {
        &self.file_analyzers
    }

    pub(super) fn tree_analyzers(&self) -> &[AnalyzerKind] {
        &self.tree_analyzers
    }
}

/// True when an occurrence of `a` and one of `b` can share a byte (ASCII case-insensitively):
/// one contains the other, or a suffix of one is a prefix of the other.
fn can_overlap(a: &[u8], b: &[u8]) -> bool {
    let eq = |x: &[u8], y: &[u8]| x.eq_ignore_ascii_case(y);
    let contains = |hay: &[u8], needle: &[u8]| {
        needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| eq(w, needle))
    };
    let suffix_is_prefix =
        |x: &[u8], y: &[u8]| (1..x.len().min(y.len())).any(|n| eq(&x[x.len() - n..], &y[..n]));
    contains(a, b) || contains(b, a) || suffix_is_prefix(a, b) || suffix_is_prefix(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    #[test]
    fn overlap_detection() {
        assert!(can_overlap(b"secret", b"secret_access_key"));
        assert!(can_overlap(b"token", b"KEN_ID"));
        assert!(can_overlap(b"sk-ant-", b"ant-"));
        assert!(!can_overlap(b"akia", b"ghp_"));
        assert!(!can_overlap(b"password", b"://"));
    }

    /// The fast keyword search finds exactly the keywords an overlapping search finds.
    #[test]
    fn candidates_match_an_overlapping_search() {
        let catalog = Catalog::embedded().unwrap();
        let plan = Plan::new(&catalog, &BTreeSet::new());
        let Some(prefilter) = &plan.prefilter else {
            return;
        };
        if plan.regex_rules_per_kind.get(&FileKind::Text) == Some(&0) {
            return;
        }
        let mut samples: Vec<String> = vec![
            "aws_secret_access_key = 1".into(),
            "AWS_SECRET_ACCESS_KEY=x SECRET token api_key://".into(),
            "xsecret_access_keyx sk-ant-sk-proj-".into(),
            String::new(),
        ];
        for rule in catalog.rules() {
            if let Matcher::Regex(m) = &rule.matcher {
                let all = m.keywords.join("");
                samples.push(all.clone());
                samples.push(all.to_ascii_uppercase());
                samples.push(m.keywords.join(" "));
                for k in &m.keywords {
                    // Each keyword glued into every other, to create overlaps.
                    for other in &m.keywords {
                        samples.push(format!("{k}{other}{k}"));
                        samples.push(format!("{}{}", &k[..k.len() / 2], other));
                    }
                }
            }
        }
        let every: String = samples.join("|");
        samples.push(every);
        for text in &samples {
            let source = Source::new("a.txt", FileKind::Text, text.as_bytes());
            let fast = plan.regex_candidates(&source);
            let mut seen = vec![false; plan.keyword_rules.len()];
            for m in prefilter.find_overlapping_iter(text.as_bytes()) {
                seen[m.pattern().as_usize()] = true;
            }
            let mut slow: Vec<usize> = seen
                .iter()
                .enumerate()
                .filter(|(_, s)| **s)
                .flat_map(|(p, _)| plan.keyword_rules[p].iter().copied())
                .collect();
            slow.sort_unstable();
            slow.dedup();
            assert_eq!(fast, slow, "{text:?}");
        }
    }
}
