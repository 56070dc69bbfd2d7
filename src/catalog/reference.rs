//! The frameworks rules cite (CWE, the OWASP Top 10 of 2021 and 2025, the OWASP Top 10 CI/CD
//! Security Risks, the CIS Docker Benchmark, the Kubernetes Pod Security Standards): one embedded
//! table of id, title and link (`assets/references.toml`), so that every place a rule's
//! references are shown can say what an id means and where to read it.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One citable item of a framework.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// As rules write it in `references`, e.g. `CWE-798` or `OWASP A05:2021`.
    pub id: String,
    pub title: String,
    pub url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    reference: Vec<Reference>,
}

const TABLE: &str = include_str!("../../assets/references.toml");

fn table() -> &'static BTreeMap<String, Reference> {
    static LOADED: OnceLock<BTreeMap<String, Reference>> = OnceLock::new();
    LOADED.get_or_init(|| {
        // The table is part of the binary and tests/catalog.rs parses it: a broken table never
        // ships, so this cannot fail at run time.
        let table: Table = toml::from_str(TABLE).expect("assets/references.toml parses");
        table
            .reference
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect()
    })
}

/// The entry for `id`, if the table has one (a team's own rule may cite anything).
pub fn lookup(id: &str) -> Option<&'static Reference> {
    table().get(id)
}

/// Every entry, by id.
pub fn all() -> impl Iterator<Item = &'static Reference> {
    table().values()
}

/// `id` for a Markdown list: `[id: title](url)` where the table knows it, the bare id
/// otherwise.
pub fn markdown(id: &str) -> String {
    match lookup(id) {
        Some(r) => format!("[{}: {}]({})", r.id, r.title, r.url),
        None => id.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_loads_with_unique_https_links() {
        let text: Table = toml::from_str(TABLE).unwrap();
        assert_eq!(text.reference.len(), all().count(), "duplicate ids");
        for r in all() {
            assert!(r.url.starts_with("https://"), "{}: {}", r.id, r.url);
            assert!(!r.title.trim().is_empty(), "{}", r.id);
        }
    }

    #[test]
    fn known_ids_render_as_titled_links_and_unknown_ones_bare() {
        assert_eq!(
            markdown("CWE-798"),
            "[CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)"
        );
        assert_eq!(
            markdown("OWASP A05:2021"),
            "[OWASP A05:2021: Security Misconfiguration](https://owasp.org/Top10/A05_2021-Security_Misconfiguration/)"
        );
        assert_eq!(markdown("ACME-INTERNAL-7"), "ACME-INTERNAL-7");
    }
}
