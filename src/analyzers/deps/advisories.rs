//! An offline advisory database in the OSV format, and the question it answers: which
//! advisories affect this exact version of this package?
//!
//! The database is whatever the user points `--advisories` at: a directory of OSV JSON records
//! (searched recursively, as in a checkout of the GitHub Advisory Database), a `.zip` of them
//! (OSV's per-ecosystem `all.zip` export), or a single record; without one, the exports that
//! `seccoach advisories update` downloaded (see [`crate::osv`]). It is loaded once per scan.
//! Nothing is fetched: a scan never touches the network.

use super::version::{Ecosystem, Version};
use serde::Deserialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest single record accepted (real records are a few kilobytes).
const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;
/// Most records one database may hold (OSV's largest ecosystem export is far below this).
const MAX_RECORDS: usize = 2_000_000;
/// Deepest directory level searched for records.
const MAX_DIR_DEPTH: usize = 16;

/// Why a database could not be loaded. Every variant names the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum AdvisoryError {
    #[error("advisory database {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("advisory database {path}: not an OSV record: {source}")]
    Record {
        path: String,
        source: serde_json::Error,
    },
    #[error("advisory database {path}: not a readable zip archive: {source}")]
    Zip {
        path: PathBuf,
        source: zip::result::ZipError,
    },
    #[error("advisory database {path}: {what} is larger than {limit} bytes")]
    TooLarge {
        path: String,
        what: &'static str,
        limit: u64,
    },
    #[error("advisory database {path}: holds no OSV records (expected .json files)")]
    Empty { path: PathBuf },
}

/// The records of `assets/advisories`, embedded.
pub const SAMPLE: &[(&str, &str)] = &[
    (
        "GHSA-35jh-r3h4-6jhm.json",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/advisories/GHSA-35jh-r3h4-6jhm.json"
        )),
    ),
    (
        "PYSEC-2021-142.json",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/advisories/PYSEC-2021-142.json"
        )),
    ),
    (
        "RUSTSEC-2019-0009.json",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/advisories/RUSTSEC-2019-0009.json"
        )),
    ),
    (
        "GO-2020-0001.json",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/advisories/GO-2020-0001.json"
        )),
    ),
];

/// One range event, with `introduced: "0"` kept as "from the very first version".
#[derive(Debug, Clone)]
enum Event {
    Introduced(Option<Version>),
    Fixed(Version, String),
    LastAffected(Version),
    Limit(Version),
}

impl Event {
    fn version(&self) -> Option<&Version> {
        match self {
            Event::Introduced(v) => v.as_ref(),
            Event::Fixed(v, _) | Event::LastAffected(v) | Event::Limit(v) => Some(v),
        }
    }
}

/// An advisory as it applies to one package.
#[derive(Debug, Clone)]
pub struct PackageAdvisory {
    pub id: Arc<str>,
    pub aliases: Arc<[String]>,
    pub summary: Arc<str>,
    /// Each range's events, sorted by version.
    ranges: Vec<Vec<Event>>,
    /// Versions listed one by one (kept as text, parsed when matching).
    versions: Vec<String>,
}

/// What a match says about one dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: String,
    /// The first fixed version above the installed one, as the advisory writes it.
    pub fixed: Option<String>,
}

impl Match {
    /// The finding's value: `pkg 1.0.0 (via a > b): GHSA-… (CVE-…) summary; fixed in 1.2.3`,
    /// `via` being the packages a transitive dependency comes through, or, for an `indirect`
    /// one whose path the lockfile does not show, a word saying so.
    pub fn describe(&self, package: &str, version: &str, via: &[String], indirect: bool) -> String {
        let mut text = format!("{package} {version}");
        if !via.is_empty() {
            text.push_str(&format!(" (via {})", via.join(" > ")));
        } else if indirect {
            text.push_str(" (indirect: required by another package, which the file does not name)");
        }
        text.push_str(&format!(": {}", self.id));
        let cves: Vec<&str> = self
            .aliases
            .iter()
            .filter(|a| a.starts_with("CVE-"))
            .map(String::as_str)
            .take(3)
            .collect();
        if !cves.is_empty() {
            text.push_str(&format!(" ({})", cves.join(", ")));
        }
        if !self.summary.is_empty() {
            text.push_str(&format!(" {}", self.summary));
        }
        match &self.fixed {
            Some(fixed) => text.push_str(&format!("; fixed in {fixed}")),
            None => text.push_str("; no fixed version listed"),
        }
        text
    }
}

/// The loaded database, indexed by (ecosystem, normalised package name).
#[derive(Debug, Default)]
pub struct AdvisoryDb {
    packages: BTreeMap<(Ecosystem, String), Vec<PackageAdvisory>>,
    records: usize,
}

// The OSV record, read leniently: only the fields matching needs, all optional.
#[derive(Deserialize)]
struct OsvRecord {
    id: String,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    affected: Option<Vec<OsvAffected>>,
}

#[derive(Deserialize)]
struct OsvAffected {
    #[serde(default)]
    package: Option<OsvPackage>,
    #[serde(default)]
    ranges: Option<Vec<OsvRange>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct OsvPackage {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct OsvRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Option<Vec<OsvEvent>>,
}

#[derive(Deserialize)]
struct OsvEvent {
    #[serde(default)]
    introduced: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    last_affected: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// A file's content is one record, or (accepted for convenience) an array of records.
#[derive(Deserialize)]
#[serde(untagged)]
enum OsvDocument {
    One(Box<OsvRecord>),
    Many(Vec<OsvRecord>),
}

impl AdvisoryDb {
    /// Loads a directory, a `.zip` or a single `.json` file of OSV records.
    pub fn load(path: &Path) -> Result<AdvisoryDb, AdvisoryError> {
        AdvisoryDb::load_all(std::slice::from_ref(&path.to_path_buf()))
    }

    /// Loads several databases into one (the cached per-ecosystem exports); each must hold
    /// records.
    pub fn load_all(paths: &[PathBuf]) -> Result<AdvisoryDb, AdvisoryError> {
        let mut db = AdvisoryDb::default();
        for path in paths {
            let before = db.records;
            db.load_one(path)?;
            if db.records == before {
                return Err(AdvisoryError::Empty { path: path.clone() });
            }
        }
        for list in db.packages.values_mut() {
            list.sort_by(|a, b| a.id.cmp(&b.id));
        }
        Ok(db)
    }

    fn load_one(&mut self, path: &Path) -> Result<(), AdvisoryError> {
        let io = |source| AdvisoryError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            self.load_dir(path, 0)
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
        {
            self.load_zip(path)
        } else {
            let file = crate::regular::open(path).map_err(io)?;
            let text = read_bounded(file, &path.display().to_string())?;
            self.add_document(&path.display().to_string(), &text)
        }
    }

    /// The small sample database shipped in `assets/advisories` (one real advisory for each
    /// ecosystem), embedded for lessons and labs.
    pub fn sample() -> AdvisoryDb {
        // The records are part of the source tree and checked by a unit test.
        AdvisoryDb::from_records(SAMPLE.iter().copied()).unwrap_or_default()
    }

    /// Builds a database from record texts (`(name, json)`), as tests and embedders have them.
    pub fn from_records<'a>(
        records: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<AdvisoryDb, AdvisoryError> {
        let mut db = AdvisoryDb::default();
        for (name, text) in records {
            db.add_document(name, text.as_bytes())?;
        }
        Ok(db)
    }

    /// Number of (non-withdrawn) records loaded, of every ecosystem.
    pub fn len(&self) -> usize {
        self.records
    }

    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    fn load_dir(&mut self, dir: &Path, depth: usize) -> Result<(), AdvisoryError> {
        if depth > MAX_DIR_DEPTH {
            return Ok(());
        }
        let io = |path: &Path, source| AdvisoryError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| io(dir, e))?
            .collect::<Result<_, _>>()
            .map_err(|e| io(dir, e))?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let path = entry.path();
            // Symbolic links are not followed, as in the scan itself.
            let kind = entry.file_type().map_err(|e| io(&path, e))?;
            if kind.is_dir() {
                if entry.file_name() != ".git" {
                    self.load_dir(&path, depth + 1)?;
                }
            } else if kind.is_file() && is_json_name(&entry.file_name().to_string_lossy()) {
                let file = crate::regular::open(&path).map_err(|e| io(&path, e))?;
                let text = read_bounded(file, &path.display().to_string())?;
                self.add_document(&path.display().to_string(), &text)?;
            }
        }
        Ok(())
    }

    fn load_zip(&mut self, path: &Path) -> Result<(), AdvisoryError> {
        let file = crate::regular::open(path).map_err(|source| AdvisoryError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let zip_error = |source| AdvisoryError::Zip {
            path: path.to_path_buf(),
            source,
        };
        let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(zip_error)?;
        if archive.len() > MAX_RECORDS {
            return Err(AdvisoryError::TooLarge {
                path: path.display().to_string(),
                what: "the number of entries",
                limit: MAX_RECORDS as u64,
            });
        }
        for index in 0..archive.len() {
            let entry = archive.by_index(index).map_err(zip_error)?;
            let entry_name = entry.name().map_err(zip_error)?.into_owned();
            if entry.is_dir() || !is_json_name(&entry_name) {
                continue;
            }
            let name = format!("{}!{entry_name}", path.display());
            if entry.size() > MAX_RECORD_BYTES {
                return Err(AdvisoryError::TooLarge {
                    path: name,
                    what: "a record",
                    limit: MAX_RECORD_BYTES,
                });
            }
            let text = read_bounded(entry, &name)?;
            self.add_document(&name, &text)?;
        }
        Ok(())
    }

    fn add_document(&mut self, name: &str, text: &[u8]) -> Result<(), AdvisoryError> {
        let document: OsvDocument =
            serde_json::from_slice(text).map_err(|source| AdvisoryError::Record {
                path: name.to_owned(),
                source,
            })?;
        match document {
            OsvDocument::One(record) => self.add_record(*record),
            OsvDocument::Many(records) => records.into_iter().for_each(|r| self.add_record(r)),
        }
        if self.records > MAX_RECORDS {
            return Err(AdvisoryError::TooLarge {
                path: name.to_owned(),
                what: "the number of records",
                limit: MAX_RECORDS as u64,
            });
        }
        Ok(())
    }

    fn add_record(&mut self, record: OsvRecord) {
        if record.withdrawn.is_some() {
            return;
        }
        self.records += 1;
        let id: Arc<str> = Arc::from(record.id.as_str());
        let aliases: Arc<[String]> = Arc::from(record.aliases.unwrap_or_default());
        let summary = record
            .summary
            .filter(|s| !s.trim().is_empty())
            .or_else(|| {
                record
                    .details
                    .as_deref()
                    .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        let summary: Arc<str> = Arc::from(one_line(&summary, 200).as_str());
        for affected in record.affected.unwrap_or_default() {
            let Some(package) = affected.package else {
                continue;
            };
            let Some(ecosystem) = Ecosystem::from_osv(&package.ecosystem) else {
                continue;
            };
            let ranges: Vec<Vec<Event>> = affected
                .ranges
                .unwrap_or_default()
                .into_iter()
                .filter(|r| r.kind == "SEMVER" || r.kind == "ECOSYSTEM")
                .filter_map(|r| parse_events(ecosystem, r.events.unwrap_or_default()))
                .collect();
            let versions = affected.versions.unwrap_or_default();
            if ranges.is_empty() && versions.is_empty() {
                continue;
            }
            let key = (ecosystem, ecosystem.normalize_name(&package.name));
            let list = self.packages.entry(key).or_default();
            // One record may list the same package in several `affected` entries: merge them.
            if let Some(existing) = list.iter_mut().find(|a| a.id == id) {
                existing.ranges.extend(ranges);
                existing.versions.extend(versions);
            } else {
                list.push(PackageAdvisory {
                    id: Arc::clone(&id),
                    aliases: Arc::clone(&aliases),
                    summary: Arc::clone(&summary),
                    ranges,
                    versions,
                });
            }
        }
    }

    /// Every advisory that affects `version` of `name`, sorted by id.
    pub fn lookup(&self, ecosystem: Ecosystem, name: &str, version: &str) -> Vec<Match> {
        let Some(list) = self
            .packages
            .get(&(ecosystem, ecosystem.normalize_name(name)))
        else {
            return Vec::new();
        };
        let Some(installed) = ecosystem.parse(version) else {
            return Vec::new();
        };
        list.iter()
            .filter_map(|advisory| advisory.affects(ecosystem, &installed))
            .collect()
    }
}

impl PackageAdvisory {
    fn affects(&self, ecosystem: Ecosystem, installed: &Version) -> Option<Match> {
        let in_range = self
            .ranges
            .iter()
            .any(|events| range_affects(events, installed));
        let listed = self.versions.iter().any(|v| {
            ecosystem
                .parse(v)
                .is_some_and(|v| v.compare(installed) == Some(Ordering::Equal))
        });
        if !in_range && !listed {
            return None;
        }
        // The smallest fixed version above the installed one, from any range.
        let fixed = self
            .ranges
            .iter()
            .flatten()
            .filter_map(|e| match e {
                Event::Fixed(v, text) if v.compare(installed) == Some(Ordering::Greater) => {
                    Some((v, text))
                }
                _ => None,
            })
            .min_by(|a, b| a.0.compare(b.0).unwrap_or(Ordering::Equal))
            .map(|(_, text)| text.clone());
        Some(Match {
            id: self.id.to_string(),
            aliases: self.aliases.to_vec(),
            summary: self.summary.to_string(),
            fixed,
        })
    }
}

/// Parses and sorts a range's events; `None` when any version in it cannot be read (a range
/// seccoach cannot evaluate is not guessed at).
fn parse_events(ecosystem: Ecosystem, events: Vec<OsvEvent>) -> Option<Vec<Event>> {
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        if let Some(text) = event.introduced {
            if text.trim() == "0" {
                out.push(Event::Introduced(None));
            } else {
                out.push(Event::Introduced(Some(ecosystem.parse(&text)?)));
            }
        }
        if let Some(text) = event.fixed {
            out.push(Event::Fixed(ecosystem.parse(&text)?, text));
        }
        if let Some(text) = event.last_affected {
            out.push(Event::LastAffected(ecosystem.parse(&text)?));
        }
        if let Some(text) = event.limit {
            if text.trim() == "*" {
                continue;
            }
            out.push(Event::Limit(ecosystem.parse(&text)?));
        }
    }
    if out.is_empty() {
        return None;
    }
    // "0" first, then by version; the sort is stable, so equal versions keep file order.
    out.sort_by(|a, b| match (a.version(), b.version()) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.compare(y).unwrap_or(Ordering::Equal),
    });
    Some(out)
}

/// The OSV evaluation: walk the sorted events up to the installed version; an `introduced`
/// opens the affected range, a `fixed` (or a `limit`) at or below it closes it, and a
/// `last_affected` strictly below it closes it.
fn range_affects(events: &[Event], installed: &Version) -> bool {
    let mut affected = false;
    for event in events {
        let at_or_below =
            |v: &Version| matches!(v.compare(installed), Some(Ordering::Less | Ordering::Equal));
        match event {
            Event::Introduced(None) => affected = true,
            Event::Introduced(Some(v)) => {
                if at_or_below(v) {
                    affected = true;
                }
            }
            Event::Fixed(v, _) | Event::Limit(v) => {
                if at_or_below(v) {
                    affected = false;
                }
            }
            Event::LastAffected(v) => {
                if v.compare(installed) == Some(Ordering::Less) {
                    affected = false;
                }
            }
        }
    }
    affected
}

fn is_json_name(name: &str) -> bool {
    name.len() > 5 && name[name.len() - 5..].eq_ignore_ascii_case(".json")
}

fn read_bounded(reader: impl Read, name: &str) -> Result<Vec<u8>, AdvisoryError> {
    let mut buffer = Vec::new();
    reader
        .take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut buffer)
        .map_err(|source| AdvisoryError::Io {
            path: PathBuf::from(name),
            source,
        })?;
    if buffer.len() as u64 > MAX_RECORD_BYTES {
        return Err(AdvisoryError::TooLarge {
            path: name.to_owned(),
            what: "a record",
            limit: MAX_RECORD_BYTES,
        });
    }
    Ok(buffer)
}

/// The first line of `text`, whitespace folded and cut to `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let folded: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max {
        folded
    } else {
        let mut cut: String = folded.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LODASH: &str = r#"{
      "id": "GHSA-35jh-r3h4-6jhm",
      "aliases": ["CVE-2021-23337"],
      "summary": "Command Injection in lodash",
      "affected": [{
        "package": {"ecosystem": "npm", "name": "lodash"},
        "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]
      }]
    }"#;

    fn db(records: &[&str]) -> AdvisoryDb {
        AdvisoryDb::from_records(records.iter().map(|r| ("test.json", *r))).unwrap()
    }

    #[test]
    fn introduced_zero_to_fixed_covers_everything_below_the_fix() {
        let db = db(&[LODASH]);
        let hits = db.lookup(Ecosystem::Npm, "lodash", "4.17.20");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id, "GHSA-35jh-r3h4-6jhm");
        assert_eq!(hits[0].fixed.as_deref(), Some("4.17.21"));
        assert_eq!(
            hits[0].describe("lodash", "4.17.20", &[], false),
            "lodash 4.17.20: GHSA-35jh-r3h4-6jhm (CVE-2021-23337) Command Injection in lodash; \
             fixed in 4.17.21"
        );
        assert!(
            hits[0]
                .describe("lodash", "4.17.20", &["a".into(), "b".into()], false)
                .starts_with("lodash 4.17.20 (via a > b): GHSA-35jh-r3h4-6jhm")
        );
        assert!(
            hits[0]
                .describe("lodash", "4.17.20", &[], true)
                .starts_with("lodash 4.17.20 (indirect: required by another package, which the file does not name): GHSA-")
        );
        assert_eq!(db.lookup(Ecosystem::Npm, "lodash", "0.1.0").len(), 1);
        assert!(db.lookup(Ecosystem::Npm, "lodash", "4.17.21").is_empty());
        assert!(db.lookup(Ecosystem::Npm, "lodash", "5.0.0").is_empty());
        assert!(db.lookup(Ecosystem::Npm, "lodash", "4.17.21-rc.1").len() == 1);
        // Names are exact in npm, and other ecosystems do not match.
        assert!(db.lookup(Ecosystem::Npm, "Lodash", "4.17.20").is_empty());
        assert!(db.lookup(Ecosystem::PyPI, "lodash", "4.17.20").is_empty());
        // An unreadable installed version matches nothing.
        assert!(db.lookup(Ecosystem::Npm, "lodash", "github:x/y").is_empty());
    }

    #[test]
    fn the_embedded_sample_covers_each_ecosystem() {
        assert!(AdvisoryDb::from_records(SAMPLE.iter().copied()).is_ok());
        let db = AdvisoryDb::sample();
        assert_eq!(db.len(), 4);
        assert_eq!(db.lookup(Ecosystem::Npm, "lodash", "4.17.20").len(), 1);
        assert_eq!(db.lookup(Ecosystem::PyPI, "PyYAML", "5.3.1").len(), 1);
        assert_eq!(db.lookup(Ecosystem::CratesIo, "smallvec", "0.6.9").len(), 1);
        assert!(
            db.lookup(Ecosystem::CratesIo, "smallvec", "0.6.4")
                .is_empty()
        );
        assert_eq!(
            db.lookup(Ecosystem::Go, "github.com/gin-gonic/gin", "v1.5.0")[0]
                .fixed
                .as_deref(),
            Some("1.6.0")
        );
    }

    #[test]
    fn several_ranges_and_last_affected() {
        let record = r#"{
          "id": "TEST-1", "summary": "two branches",
          "affected": [{
            "package": {"ecosystem": "npm", "name": "pkg"},
            "ranges": [{"type": "SEMVER", "events": [
              {"introduced": "1.0.0"}, {"fixed": "1.4.2"},
              {"introduced": "2.0.0"}, {"fixed": "2.1.0"}
            ]}, {"type": "SEMVER", "events": [
              {"introduced": "3.0.0"}, {"last_affected": "3.2.0"}
            ]}]
          }]
        }"#;
        let db = db(&[record]);
        let affected = |v: &str| !db.lookup(Ecosystem::Npm, "pkg", v).is_empty();
        assert!(!affected("0.9.0"));
        assert!(affected("1.0.0"));
        assert!(affected("1.4.1"));
        assert!(!affected("1.4.2"));
        assert!(!affected("1.9.9"));
        assert!(affected("2.0.5"));
        assert!(!affected("2.1.0"));
        assert!(affected("3.2.0"));
        assert!(!affected("3.2.1"));
        let hits = db.lookup(Ecosystem::Npm, "pkg", "1.2.0");
        assert_eq!(hits[0].fixed.as_deref(), Some("1.4.2"));
        let hits = db.lookup(Ecosystem::Npm, "pkg", "3.0.0");
        assert_eq!(hits[0].fixed, None);
    }

    #[test]
    fn unsorted_events_are_sorted_before_evaluation() {
        let record = r#"{"id": "TEST-2", "affected": [{
          "package": {"ecosystem": "crates.io", "name": "c"},
          "ranges": [{"type": "SEMVER", "events": [{"fixed": "0.3.8"}, {"introduced": "0.3.0"}]}]
        }]}"#;
        let db = db(&[record]);
        assert_eq!(db.lookup(Ecosystem::CratesIo, "c", "0.3.7").len(), 1);
        assert!(db.lookup(Ecosystem::CratesIo, "c", "0.2.9").is_empty());
        assert!(db.lookup(Ecosystem::CratesIo, "c", "0.3.8").is_empty());
    }

    #[test]
    fn pypi_uses_pep440_and_normalised_names() {
        let record = r#"{
          "id": "GHSA-8q59-q68h-6hv4", "aliases": ["CVE-2020-14343"],
          "summary": "Improper Input Validation in PyYAML",
          "affected": [{
            "package": {"ecosystem": "PyPI", "name": "PyYAML"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.4"}]}],
            "versions": ["5.3", "5.3.1"]
          }]
        }"#;
        let db = db(&[record]);
        assert_eq!(db.lookup(Ecosystem::PyPI, "pyyaml", "5.3.1").len(), 1);
        assert_eq!(db.lookup(Ecosystem::PyPI, "PyYaml", "5.4b2").len(), 1);
        assert_eq!(db.lookup(Ecosystem::PyPI, "pyyaml", "5.4.dev1").len(), 1);
        assert!(db.lookup(Ecosystem::PyPI, "pyyaml", "5.4").is_empty());
        assert!(db.lookup(Ecosystem::PyPI, "pyyaml", "5.4.0").is_empty());
        assert!(db.lookup(Ecosystem::PyPI, "pyyaml", "5.4.post1").is_empty());
        assert!(db.lookup(Ecosystem::PyPI, "pyyaml", "6.0").is_empty());
    }

    #[test]
    fn explicit_versions_match_without_ranges() {
        let record = r#"{"id": "TEST-3", "affected": [{
          "package": {"ecosystem": "PyPI", "name": "x"}, "versions": ["1.0", "1.1"]}]}"#;
        let db = db(&[record]);
        assert_eq!(db.lookup(Ecosystem::PyPI, "x", "1.0.0").len(), 1);
        assert!(db.lookup(Ecosystem::PyPI, "x", "1.2").is_empty());
        assert_eq!(db.lookup(Ecosystem::PyPI, "x", "1.1")[0].fixed, None);
    }

    #[test]
    fn go_ranges_ignore_the_v_prefix() {
        let record = r#"{"id": "GO-2020-0001", "affected": [{
          "package": {"ecosystem": "Go", "name": "github.com/gin-gonic/gin"},
          "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.6.0"}]}]
        }]}"#;
        let db = db(&[record]);
        assert_eq!(
            db.lookup(Ecosystem::Go, "github.com/gin-gonic/gin", "v1.5.0")
                .len(),
            1
        );
        assert!(
            db.lookup(Ecosystem::Go, "github.com/gin-gonic/gin", "v1.6.0")
                .is_empty()
        );
    }

    #[test]
    fn withdrawn_git_only_and_unreadable_ranges_are_ignored() {
        let withdrawn = r#"{"id": "W-1", "withdrawn": "2022-01-01T00:00:00Z", "affected": [{
          "package": {"ecosystem": "npm", "name": "a"},
          "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}"#;
        let git_only = r#"{"id": "G-1", "affected": [{
          "package": {"ecosystem": "npm", "name": "a"},
          "ranges": [{"type": "GIT", "repo": "x", "events": [{"introduced": "abc"}]}]}]}"#;
        let garbage = r#"{"id": "B-1", "affected": [{
          "package": {"ecosystem": "npm", "name": "a"},
          "ranges": [{"type": "SEMVER", "events": [{"introduced": "banana"}]}]}]}"#;
        let other = r#"{"id": "D-1", "affected": [{
          "package": {"ecosystem": "Debian:12", "name": "a"},
          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}"#;
        let db = db(&[withdrawn, git_only, garbage, other]);
        assert!(db.lookup(Ecosystem::Npm, "a", "1.0.0").is_empty());
        assert_eq!(db.len(), 3);
    }

    #[test]
    fn malformed_records_are_errors_naming_the_file() {
        let err = AdvisoryDb::from_records([("bad.json", "{\"id\": 5}")]).unwrap_err();
        assert!(err.to_string().contains("bad.json"), "{err}");
        let err = AdvisoryDb::from_records([("trunc.json", "{\"id\": \"x\"")]).unwrap_err();
        assert!(err.to_string().contains("trunc.json"), "{err}");
        let deep = "[".repeat(100_000);
        assert!(AdvisoryDb::from_records([("deep.json", deep.as_str())]).is_err());
    }

    #[test]
    fn loads_directories_zips_and_single_files() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("npm/2021");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(nested.join("GHSA-35jh-r3h4-6jhm.json"), LODASH).unwrap();
        std::fs::write(dir.path().join("README.md"), "not a record").unwrap();
        let db = AdvisoryDb::load(dir.path()).unwrap();
        assert_eq!(db.len(), 1);
        assert_eq!(db.lookup(Ecosystem::Npm, "lodash", "4.17.20").len(), 1);

        let single = nested.join("GHSA-35jh-r3h4-6jhm.json");
        assert_eq!(AdvisoryDb::load(&single).unwrap().len(), 1);

        let zip_path = dir.path().join("all.zip");
        {
            let file = std::fs::File::create(&zip_path).unwrap();
            let mut writer = zip::ZipWriter::new(file);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            writer
                .start_file("GHSA-35jh-r3h4-6jhm.json", options)
                .unwrap();
            std::io::Write::write_all(&mut writer, LODASH.as_bytes()).unwrap();
            writer.finish().unwrap();
        }
        let db = AdvisoryDb::load(&zip_path).unwrap();
        assert_eq!(db.lookup(Ecosystem::Npm, "lodash", "4.17.20").len(), 1);
    }

    #[test]
    fn bad_databases_are_errors_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = AdvisoryDb::load(&missing).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");

        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let err = AdvisoryDb::load(&empty).unwrap_err();
        assert!(err.to_string().contains("no OSV records"), "{err}");

        let fake_zip = dir.path().join("db.zip");
        std::fs::write(&fake_zip, b"PK not really").unwrap();
        let err = AdvisoryDb::load(&fake_zip).unwrap_err();
        assert!(err.to_string().contains("db.zip"), "{err}");

        let bad = dir.path().join("bad");
        std::fs::create_dir(&bad).unwrap();
        std::fs::write(bad.join("GHSA-x.json"), b"{not json").unwrap();
        let err = AdvisoryDb::load(&bad).unwrap_err();
        assert!(err.to_string().contains("GHSA-x.json"), "{err}");
    }
}
