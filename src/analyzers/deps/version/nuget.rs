//! NuGet versions (NuGet.Versioning, the ordering OSV specifies for NuGet): semver 2.0 with an
//! optional fourth number, missing numbers read as zero (`1.0` = `1.0.0.0`), pre-release labels
//! compared case-insensitively, and build metadata ignored.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Label {
    Number(u64),
    Text(String),
}

/// A parsed NuGet version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NuGetVersion {
    numbers: [u64; 4],
    pre: Vec<Label>,
}

impl NuGetVersion {
    pub fn parse(text: &str) -> Option<NuGetVersion> {
        let text = text.trim();
        let text = text.split('+').next().unwrap_or(text);
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 4 {
            return None;
        }
        let mut numbers = [0u64; 4];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            *slot = part.parse().ok()?;
        }
        let mut labels = Vec::new();
        if let Some(pre) = pre {
            for label in pre.split('.') {
                if label.is_empty()
                    || !label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                {
                    return None;
                }
                labels.push(if label.bytes().all(|b| b.is_ascii_digit()) {
                    Label::Number(label.parse().ok()?)
                } else {
                    Label::Text(label.to_ascii_lowercase())
                });
            }
        }
        Some(NuGetVersion {
            numbers,
            pre: labels,
        })
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.pre.iter().zip(&other.pre) {
                        let order = match (a, b) {
                            (Label::Number(x), Label::Number(y)) => x.cmp(y),
                            (Label::Number(_), Label::Text(_)) => Ordering::Less,
                            (Label::Text(_), Label::Number(_)) => Ordering::Greater,
                            (Label::Text(x), Label::Text(y)) => x.cmp(y),
                        };
                        if order != Ordering::Equal {
                            return order;
                        }
                    }
                    self.pre.len().cmp(&other.pre.len())
                }
            }
        })
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> NuGetVersion {
        NuGetVersion::parse(text).unwrap_or_else(|| panic!("parse {text}"))
    }

    #[test]
    fn nuget_has_four_numbers_and_case_insensitive_prereleases() {
        let ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-Alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
            "4.7.2",
            "4.10",
            "13.0.1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(v(pair[0]).cmp(&v(pair[1])), Ordering::Less, "{pair:?}");
        }
        assert_eq!(v("1.0").cmp(&v("1.0.0.0")), Ordering::Equal);
        assert_eq!(v("1.0.0-RC1").cmp(&v("1.0.0-rc1")), Ordering::Equal);
        assert_eq!(v("1.0.0+abc").cmp(&v("1.0.0")), Ordering::Equal);
        for bad in ["", "1.2.3.4.5", "a.b", "1..2", "1.0-", "$(Version)"] {
            assert!(NuGetVersion::parse(bad).is_none(), "{bad}");
        }
    }
}
