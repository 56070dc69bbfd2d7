//! Packagist (Composer) versions, ordered as PHP's `version_compare` orders them after
//! Composer's normalisation (the ordering OSV specifies for Packagist): a leading `v` is
//! dropped, `-`, `_` and `+` read as `.`, a switch between digits and letters splits a part,
//! and the words order `dev < alpha = a < beta = b < RC = rc < (number) < patch = pl = p`; a
//! word outside that list sorts before `dev`.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Number(String),
    Word(String),
}

/// A parsed Composer version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposerVersion(Vec<Part>);

impl ComposerVersion {
    pub fn parse(text: &str) -> Option<ComposerVersion> {
        let text = text.trim();
        let text = text
            .strip_prefix(['v', 'V'])
            .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(text);
        if !text.starts_with(|c: char| c.is_ascii_digit())
            || !text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'))
        {
            return None;
        }
        let mut parts = Vec::new();
        let mut current = String::new();
        let mut digits = false;
        let mut flush = |current: &mut String, digits: bool| {
            if !current.is_empty() {
                parts.push(if digits {
                    Part::Number(current.trim_start_matches('0').to_owned())
                } else {
                    Part::Word(current.to_ascii_lowercase())
                });
                current.clear();
            }
        };
        for c in text.chars() {
            if matches!(c, '.' | '-' | '_' | '+') {
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
        Some(ComposerVersion(parts))
    }
}

/// `version_compare`'s rank of a word; numbers rank between `rc` and `patch`.
fn rank(word: &str) -> u8 {
    match word {
        "dev" => 1,
        "alpha" | "a" => 2,
        "beta" | "b" => 3,
        "rc" => 4,
        "#" => 5,
        "pl" | "p" | "patch" => 6,
        _ => 0,
    }
}

fn compare_parts(a: &Part, b: &Part) -> Ordering {
    match (a, b) {
        (Part::Number(x), Part::Number(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        (Part::Number(_), Part::Word(w)) => rank("#").cmp(&rank(w)),
        (Part::Word(w), Part::Number(_)) => rank(w).cmp(&rank("#")),
        (Part::Word(x), Part::Word(y)) => rank(x).cmp(&rank(y)),
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.0.iter().zip(&other.0) {
            let order = compare_parts(a, b);
            if order != Ordering::Equal {
                return order;
            }
        }
        // One ran out: a further number makes the longer one newer; a further word compares
        // with the release itself (`1.0-beta < 1.0 < 1.0-patch1`).
        let common = self.0.len().min(other.0.len());
        let release = Part::Number(String::new());
        match (self.0.get(common), other.0.get(common)) {
            (Some(Part::Number(_)), None) => Ordering::Greater,
            (None, Some(Part::Number(_))) => Ordering::Less,
            (Some(word), None) => compare_parts(word, &release),
            (None, Some(word)) => compare_parts(&release, word),
            _ => Ordering::Equal,
        }
    }
}

impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> ComposerVersion {
        ComposerVersion::parse(text).unwrap_or_else(|| panic!("parse {text}"))
    }

    #[test]
    fn composer_orders_stabilities_and_numbers() {
        let ordered = [
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-beta",
            "1.0.0-beta2",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-patch1",
            "1.0.1",
            "5.4.9",
            "5.4.10",
            "v10.48.29",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(v(pair[0]).cmp(&v(pair[1])), Ordering::Less, "{pair:?}");
        }
        assert_eq!(v("v5.4.1").cmp(&v("5.4.1")), Ordering::Equal);
        assert_eq!(v("1.0.0-b1").cmp(&v("1.0.0-beta1")), Ordering::Equal);
        for bad in ["", "dev-main", "v", "1.0 || 2.0"] {
            assert!(ComposerVersion::parse(bad).is_none(), "{bad}");
        }
    }
}
