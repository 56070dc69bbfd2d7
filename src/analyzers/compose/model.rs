//! The model every Compose rule reads: the file's services, found once per file, and the
//! interpolation helper several rules share.

use crate::source::Source;
use crate::yaml::Node;

/// A parsed Compose file.
pub(super) struct Compose<'a> {
    pub(super) src: &'a Source<'a>,
    /// (name, definition) of every service of every document, in file order.
    pub(super) services: Vec<(&'a str, &'a Node)>,
}

/// The services of a Compose document: under `services:`, or at the top level in the legacy
/// (version 1) format, where every mapping with an `image` or `build` is a service.
pub(super) fn services(doc: &Node) -> Vec<(&str, &Node)> {
    fn pick((key, value): &(Node, Node)) -> Option<(&str, &Node)> {
        Some((key.as_str()?, value)).filter(|(_, v)| v.is_map())
    }
    match doc.get("services") {
        Some(services) => services.entries().iter().filter_map(pick).collect(),
        None if doc.get("version").is_none() => doc
            .entries()
            .iter()
            .filter_map(pick)
            .filter(|(_, v)| v.get("image").is_some() || v.get("build").is_some())
            .collect(),
        None => Vec::new(),
    }
}

/// `${VAR:-default}` / `${VAR-default}` → the default; text without interpolation → itself;
/// anything else → `None` (only known at deploy time).
pub(super) fn interpolation_default(text: &str) -> Option<String> {
    let text = text.trim();
    if !text.contains('$') {
        return Some(text.to_owned());
    }
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let operator = &inner[name_len..];
    let default = operator
        .strip_prefix(":-")
        .or_else(|| operator.strip_prefix('-'))?;
    Some(default.to_owned()).filter(|d| !d.contains('$'))
}
