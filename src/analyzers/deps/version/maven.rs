//! Maven versions, ordered as Maven's `ComparableVersion` orders them (the ordering OSV
//! specifies for the Maven ecosystem).
//!
//! A version is a list of items: numbers, qualifiers and sub-lists. `.` separates items, `-`
//! and a switch between digits and letters open a sub-list, and trailing "null" items (`0`,
//! `final`, `ga`, `release`, empty) are dropped, so `1.0` = `1` = `1-final`. Qualifiers order
//! `alpha < beta < milestone < rc = cr < snapshot < (release) < sp`, other words after these,
//! alphabetically; a number always sorts after a qualifier (`1.0.1 > 1.0-sp`).

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Digits without leading zeros (`""` is zero), compared by length then text.
    Int(String),
    /// A qualifier, mapped to its sort key.
    Str(String),
    List(Vec<Item>),
}

/// A parsed Maven version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MavenVersion(Vec<Item>);

impl MavenVersion {
    /// Parses any non-empty text (Maven accepts every string as a version); `None` for an
    /// empty one.
    pub fn parse(text: &str) -> Option<MavenVersion> {
        let text = text.trim().to_ascii_lowercase();
        if text.is_empty() {
            return None;
        }
        // Stack of lists being built; each sub-list is pushed into its parent when closed.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let chars: Vec<char> = text.chars().collect();
        let mut start = 0;
        let mut is_digit = false;
        let top = |stack: &mut Vec<Vec<Item>>| stack.len() - 1;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '.' || c == '-' {
                let item = if i == start {
                    Item::Int(String::new())
                } else {
                    item_of(&chars[start..i], is_digit, chars.get(i + 1))
                };
                let t = top(&mut stack);
                stack[t].push(item);
                start = i + 1;
                if c == '-' {
                    stack.push(Vec::new());
                }
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    let item = item_of(&chars[start..i], false, Some(&c));
                    let t = top(&mut stack);
                    stack[t].push(item);
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    let item = item_of(&chars[start..i], true, None);
                    let t = top(&mut stack);
                    stack[t].push(item);
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = false;
            }
            i += 1;
        }
        if chars.len() > start {
            let item = item_of(&chars[start..], is_digit, None);
            let t = top(&mut stack);
            stack[t].push(item);
        }
        while stack.len() > 1 {
            let mut list = stack.pop().unwrap_or_default();
            normalize(&mut list);
            let t = top(&mut stack);
            stack[t].push(Item::List(list));
        }
        let mut root = stack.pop().unwrap_or_default();
        normalize(&mut root);
        Some(MavenVersion(root))
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_lists(&self.0, &other.0)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn item_of(chars: &[char], digits: bool, next: Option<&char>) -> Item {
    let text: String = chars.iter().collect();
    if digits {
        return Item::Int(text.trim_start_matches('0').to_owned());
    }
    let followed_by_digit = next.is_some_and(char::is_ascii_digit);
    let text = match text.as_str() {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(qualifier_key(text))
}

/// The sort key of a qualifier: its rank among the known ones, unknown ones after all of them.
fn qualifier_key(text: &str) -> String {
    const KNOWN: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
    match KNOWN.iter().position(|k| *k == text) {
        Some(rank) => rank.to_string(),
        None => format!("7-{text}"),
    }
}

/// The key of the release itself (the empty qualifier).
const RELEASE_KEY: &str = "5";

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(digits) => digits.is_empty(),
        Item::Str(key) => key == RELEASE_KEY,
        Item::List(items) => items.is_empty(),
    }
}

/// Drops trailing null items, looking past trailing sub-lists as Maven does.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if is_null(&list[i]) {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

fn compare_ints(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Compares an item with a missing one (the shorter version padded).
fn compare_with_missing(item: &Item) -> Ordering {
    match item {
        Item::Int(digits) => {
            if digits.is_empty() {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        Item::Str(key) => key.as_str().cmp(RELEASE_KEY),
        Item::List(items) => items.first().map_or(Ordering::Equal, compare_with_missing),
    }
}

fn compare_items(a: Option<&Item>, b: Option<&Item>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (Some(a), None) => compare_with_missing(a),
        (None, Some(b)) => compare_with_missing(b).reverse(),
        (Some(a), Some(b)) => match (a, b) {
            (Item::Int(x), Item::Int(y)) => compare_ints(x, y),
            (Item::Int(_), _) => Ordering::Greater,
            (_, Item::Int(_)) => Ordering::Less,
            (Item::Str(x), Item::Str(y)) => x.cmp(y),
            (Item::Str(_), Item::List(_)) => Ordering::Less,
            (Item::List(_), Item::Str(_)) => Ordering::Greater,
            (Item::List(x), Item::List(y)) => compare_lists(x, y),
        },
    }
}

fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let order = compare_items(a.get(i), b.get(i));
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> MavenVersion {
        MavenVersion::parse(text).unwrap()
    }

    #[test]
    fn maven_orders_qualifiers_numbers_and_padding() {
        // Each strictly before the next (cases from Maven's own ComparableVersion tests).
        let ordered = [
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
            "2.0.0",
            "2.0.1",
            "2.9",
            "2.10",
            "2.13.4",
            "2.13.4.2",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(v(pair[0]).cmp(&v(pair[1])), Ordering::Less, "{pair:?}");
        }
        for (a, b) in [
            ("1", "1.0.0"),
            ("1.0", "1-final"),
            ("1-ga", "1"),
            ("1.0.RELEASE", "1.0"),
            ("1a1", "1-alpha-1"),
            ("1cr1", "1rc1"),
            ("1.0000000000000000000000001", "1.1"),
        ] {
            assert_eq!(v(a).cmp(&v(b)), Ordering::Equal, "{a} = {b}");
        }
        assert!(MavenVersion::parse("").is_none());
        // Huge numbers do not overflow.
        assert!(v("99999999999999999999999999.1") > v("99999999999999999999999998.2"));
    }
}
