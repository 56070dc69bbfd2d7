//! The unit of structural analysis: a [`Rule`] reads one parsed model of a file and reports into
//! one [`Sink`].
//!
//! Each format is parsed once into its model (a Dockerfile's stages and instructions, a YAML
//! document, a JSON manifest, shell words); the registry of that model (`RULES` in the
//! analyzer's module) lists the rules that read it, and the analyzer runs them in turn. Adding a
//! structural rule is its TOML, one module with a type implementing [`Rule`], its fixtures, and
//! one line in that registry.

use super::{Hit, Unparsed};
use crate::rules::BuiltinRule;
use std::collections::BTreeMap;

/// A structural rule (or a small family that shares its work) over the model `M`.
pub trait Rule<M: ?Sized>: Sync {
    /// The rules this type reports; each one's TOML names the analyzer whose registry lists it.
    fn ids(&self) -> &'static [BuiltinRule];

    /// Reports every place in `model` that breaks the rule.
    fn check(&self, model: &M, sink: &mut Sink);
}

/// Runs every rule of a registry over one model.
pub fn run_all<M: ?Sized>(rules: &[&dyn Rule<M>], model: &M, sink: &mut Sink) {
    for rule in rules {
        rule.check(model, sink);
    }
}

/// What the analyzers report about one file: findings and, when they could not read all of it,
/// a note saying so. (Fix edits, once they are span-bounded, become a third kind of report
/// here; today src/fix derives them from findings.)
#[derive(Debug, Default)]
pub struct Sink {
    hits: Vec<Hit>,
    unparsed: Option<Unparsed>,
}

impl Sink {
    pub fn new() -> Sink {
        Sink::default()
    }

    /// Reports a finding.
    pub fn push(&mut self, hit: Hit) {
        self.hits.push(hit);
    }

    /// Reports that the file's structure could not be read (wholly, or in part when
    /// `note.partial`). The first note is kept: it names the first problem.
    pub fn unparsed(&mut self, note: Unparsed) {
        self.unparsed.get_or_insert(note);
    }

    /// The findings so far, for analyzers that search text and push as they go.
    pub fn hits_mut(&mut self) -> &mut Vec<Hit> {
        &mut self.hits
    }

    pub fn hits(&self) -> &[Hit] {
        &self.hits
    }

    /// Keeps the first `max` findings of each rule: past that a file is generated or hostile,
    /// and more findings help nobody.
    pub fn cap_per_rule(&mut self, max: usize) {
        let mut counts: BTreeMap<BuiltinRule, usize> = BTreeMap::new();
        self.hits.retain(|hit| {
            let count = counts.entry(hit.rule).or_default();
            *count += 1;
            *count <= max
        });
    }

    /// Empties the sink for the next file or analyzer (keeping its allocation).
    pub fn clear(&mut self) {
        self.hits.clear();
        self.unparsed = None;
    }

    /// Takes the note, if any analyzer left one.
    pub fn take_unparsed(&mut self) -> Option<Unparsed> {
        self.unparsed.take()
    }

    /// Takes the findings.
    pub fn drain_hits(&mut self) -> std::vec::Drain<'_, Hit> {
        self.hits.drain(..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{DOCKER_SUDO, K8S_PRIVILEGED};

    #[test]
    fn the_first_note_is_kept_and_caps_count_each_rule() {
        let mut sink = Sink::new();
        let first = Unparsed {
            line: Some(3),
            message: "line 3, column 1: unknown instruction `FORM`".to_owned(),
            partial: true,
        };
        sink.unparsed(first.clone());
        sink.unparsed(Unparsed {
            line: Some(9),
            ..first.clone()
        });
        for at in 0..5 {
            sink.push(Hit::new(DOCKER_SUDO, at..at + 1));
        }
        sink.push(Hit::new(K8S_PRIVILEGED, 0..1));
        sink.cap_per_rule(2);
        let kept: Vec<(BuiltinRule, usize)> =
            sink.hits().iter().map(|h| (h.rule, h.span.start)).collect();
        assert_eq!(
            kept,
            [(DOCKER_SUDO, 0), (DOCKER_SUDO, 1), (K8S_PRIVILEGED, 0)]
        );
        assert_eq!(sink.take_unparsed(), Some(first));
        sink.clear();
        assert!(sink.hits().is_empty() && sink.take_unparsed().is_none());
    }
}
