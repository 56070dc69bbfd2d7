//! The one regex type of the scan: compiled on first use, and guarded by a gate (see [`gate`])
//! that turns away, at DFA speed, the files it cannot match. Rule packs' patterns and the code
//! analyzer's per-language patterns both use it.

mod gate;

use gate::Gate;
use regex::bytes::{Regex, RegexBuilder};
use std::sync::OnceLock;

/// A regex compiled on first use. Loading the embedded catalogue compiles (and parses) nothing,
/// so the coach draws its first frame without waiting on regex compilation; the scan, on its
/// background threads, compiles each pattern (and its gate) the first time a file needs it. A
/// repository's own patterns are compiled at load, so that an error names its line.
#[derive(Debug)]
pub struct LazyRegex {
    pattern: String,
    cell: OnceLock<Regex>,
    gate: OnceLock<Option<Gate>>,
}

impl Clone for LazyRegex {
    /// A copy of the pattern, compiled again when first used: compiled automata are not shared.
    fn clone(&self) -> Self {
        LazyRegex {
            pattern: self.pattern.clone(),
            cell: OnceLock::new(),
            gate: OnceLock::new(),
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
