//! Dockerfile analysis: instructions with continuations, comments, heredocs and stages.

use super::Hit;
use crate::source::Source;

pub const RULES: &[&str] = &[];

pub fn check(_src: &Source, _out: &mut Vec<Hit>) {}
