//! The scan plan: the catalogue compiled once per scan into what each file needs, so that the
//! cost of a file is one pass of a keyword automaton plus the few rules whose keywords it holds.

use crate::analyzers::AnalyzerKind;
use crate::catalog::{Catalog, Matcher, Rule};
use crate::source::{FileKind, Source};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use std::collections::{BTreeMap, BTreeSet};

pub(super) struct Plan {
    active: Vec<bool>,
    /// One automaton over every keyword of every active regex rule (lowercased, deduplicated).
    prefilter: Option<AhoCorasick>,
    /// For each keyword pattern, the rules it unlocks.
    keyword_rules: Vec<Vec<usize>>,
    /// For each file kind, how many active regex rules may read it (0: skip the prefilter).
    regex_rules_per_kind: BTreeMap<FileKind, usize>,
    file_analyzers: Vec<(AnalyzerKind, Vec<usize>)>,
    tree_analyzers: Vec<AnalyzerKind>,
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
        let prefilter = (!patterns.is_empty()).then(|| {
            // A DFA: keywords such as `token` or `debug` occur every few lines of ordinary code,
            // so the search is bound by the automaton's per-byte step, which a DFA makes one
            // table lookup (about twice the speed of the default NFA here).
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
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
        Plan {
            active,
            prefilter,
            keyword_rules,
            regex_rules_per_kind,
            file_analyzers: analyzers.into_iter().collect(),
            tree_analyzers,
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
        let mut seen = vec![false; self.keyword_rules.len()];
        let mut remaining = seen.len();
        for m in prefilter.find_overlapping_iter(source.bytes) {
            let pattern = m.pattern().as_usize();
            if !seen[pattern] {
                seen[pattern] = true;
                remaining -= 1;
                if remaining == 0 {
                    break;
                }
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

    pub(super) fn file_analyzers(&self) -> &[(AnalyzerKind, Vec<usize>)] {
        &self.file_analyzers
    }

    pub(super) fn tree_analyzers(&self) -> &[AnalyzerKind] {
        &self.tree_analyzers
    }
}
