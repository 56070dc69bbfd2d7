//! RubyGems versions, ordered as `Gem::Version` orders them (the ordering OSV specifies for
//! RubyGems): segments are runs of digits or of letters, a `-` reads as `.pre.`, any letter
//! makes a pre-release (`1.0.a < 1.0`), trailing zeros do not count (`1.0` = `1`), and a number
//! sorts after a word at the same place.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros, compared by length then text.
    Number(String),
    Word(String),
}

/// A parsed RubyGems version (its canonical segments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GemVersion(Vec<Segment>);

impl GemVersion {
    pub fn parse(text: &str) -> Option<GemVersion> {
        let text = text.trim();
        // Gem::Version's pattern: digits first, then `.`-separated alphanumerics, optionally a
        // `-` suffix.
        if !text.starts_with(|c: char| c.is_ascii_digit())
            || !text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            || text.contains("..")
            || text.ends_with(['.', '-'])
        {
            return None;
        }
        let text = text.replace('-', ".pre.");
        let mut segments = Vec::new();
        let mut current = String::new();
        let mut digits = false;
        let mut flush = |current: &mut String, digits: bool| {
            if !current.is_empty() {
                segments.push(if digits {
                    Segment::Number(current.trim_start_matches('0').to_owned())
                } else {
                    Segment::Word(std::mem::take(current))
                });
                current.clear();
            }
        };
        for c in text.chars() {
            if c == '.' {
                flush(&mut current, digits);
                continue;
            }
            let is_digit = c.is_ascii_digit();
            if is_digit != digits {
                flush(&mut current, digits);
                digits = is_digit;
            }
            current.push(c);
        }
        flush(&mut current, digits);
        // Canonical: trailing zeros dropped from the release part and from the pre-release part.
        let split = segments
            .iter()
            .position(|s| matches!(s, Segment::Word(_)))
            .unwrap_or(segments.len());
        let mut pre = segments.split_off(split);
        let is_zero = |s: &Segment| matches!(s, Segment::Number(d) if d.is_empty());
        while segments.last().is_some_and(is_zero) {
            segments.pop();
        }
        while pre.last().is_some_and(is_zero) {
            pre.pop();
        }
        segments.extend(pre);
        Some(GemVersion(segments))
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Number(String::new());
        for i in 0..self.0.len().max(other.0.len()) {
            let a = self.0.get(i).unwrap_or(&zero);
            let b = other.0.get(i).unwrap_or(&zero);
            let order = match (a, b) {
                (Segment::Number(x), Segment::Number(y)) => {
                    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
                }
                (Segment::Word(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::Word(_)) => Ordering::Greater,
                (Segment::Word(x), Segment::Word(y)) => x.cmp(y),
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> GemVersion {
        GemVersion::parse(text).unwrap_or_else(|| panic!("parse {text}"))
    }

    #[test]
    fn rubygems_prereleases_and_trailing_zeros() {
        let ordered = [
            "1.0.0.a",
            "1.0.0.a1",
            "1.0.0.b",
            "1.0.0.pre",
            "1.0.0.rc1",
            "1.0.0",
            "1.0.1",
            "1.9",
            "1.10",
            "6.1.7.3",
            "6.1.7.10",
            "7.0.0.alpha2",
            "7.0.0",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(v(pair[0]).cmp(&v(pair[1])), Ordering::Less, "{pair:?}");
        }
        assert_eq!(v("1.0").cmp(&v("1")), Ordering::Equal);
        assert_eq!(v("1.0.0-rc1").cmp(&v("1.0.0.pre.rc1")), Ordering::Equal);
        assert_eq!(v("1.0.b1").cmp(&v("1.0.b.1")), Ordering::Equal);
        for bad in ["", "a.1", "1..2", "1.0 beta", "1.", "=1.0"] {
            assert!(GemVersion::parse(bad).is_none(), "{bad}");
        }
    }
}
