//! `.seccoach.toml` at the scanned root: excludes, disabled rules, severity overrides, size limit,
//! the fail threshold, the OSV advisory database and which paths hold test code. Unknown keys, unknown rule ids and a missing
//! database are errors naming the file and line.

use crate::catalog::{Catalog, LoadError, Severity, line_of};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".seccoach.toml";

/// Default largest file read, in bytes.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Size {
    Bytes(u64),
    Text(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, Severity>,
    max_file_size: Option<Size>,
    fail_on: Option<Severity>,
    advisories: Option<String>,
    #[serde(default)]
    packs: Vec<String>,
    #[serde(default)]
    paths: RawPaths,
}

/// `[paths]`: where the repository keeps code of a given role.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaths {
    /// Test, example and documentation code beyond the conventions (gitignore syntax).
    #[serde(default)]
    tests: Vec<toml::Spanned<String>>,
}

/// The repository's settings, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub exclude: Vec<String>,
    pub disable: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub max_file_size: Option<u64>,
    pub fail_on: Option<Severity>,
    /// The OSV advisory database for `deps/known-vulnerable` (a directory, `.zip` or `.json`),
    /// relative to the repository root as written; [`Config::load`] makes it a full path.
    pub advisories: Option<PathBuf>,
    /// `[paths] tests`: patterns (gitignore syntax) of test, example and documentation code,
    /// added to the conventions of [`crate::source::is_test_path`]; `!pattern` takes a path out.
    pub tests: Vec<String>,
    /// Team packs kept elsewhere (`packs = [...]`), relative to the repository root as written;
    /// [`Config::pack_dirs`] reads them before the catalogue is built.
    pub packs: Vec<PathBuf>,
}

/// Parses sizes such as `2097152`, `"2MiB"`, `"500 KB"`, `"1M"`.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let number: u64 = text[..digits_end].parse().ok()?;
    let unit = text[digits_end..].trim().to_ascii_lowercase();
    let factor: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// The matcher builder for exclude patterns under `root`: gitignore syntax, except that an
/// unclosed `[` is an error rather than a literal bracket (it is almost always a typo).
pub fn exclude_builder(root: &Path) -> ignore::gitignore::GitignoreBuilder {
    let mut builder = ignore::gitignore::GitignoreBuilder::new(root);
    builder.allow_unclosed_class(false);
    builder
}

/// Checks an exclude pattern the way the scan reads it (gitignore syntax), so that a pattern in
/// `.seccoach.toml` and one given with `--exclude` fail alike.
pub fn check_exclude(pattern: &str) -> Result<(), String> {
    check_pattern("exclude", pattern)
}

/// Checks a gitignore-style pattern of the setting `what` (`exclude`, `tests`).
fn check_pattern(what: &str, pattern: &str) -> Result<(), String> {
    exclude_builder(Path::new("/"))
        .add_line(None, pattern)
        .map(|_| ())
        .map_err(|e| {
            let reason = match e {
                ignore::Error::Glob { err, .. } => err,
                other => other.to_string(),
            };
            format!(
                "bad {what} pattern `{}`: {reason}",
                crate::display::sanitize(pattern)
            )
        })
}

/// Only the `packs` of a config file, read before the catalogue they extend is built.
#[derive(Debug, Default, Deserialize)]
struct PacksOnly {
    #[serde(default)]
    packs: Vec<toml::Spanned<String>>,
}

impl Config {
    /// The team pack folders `root/.seccoach.toml` lists (`packs = [...]`), relative to the root.
    /// Read before the catalogue, since the rest of the file may name the packs' rules; a
    /// folder that is not there is an error naming the file and line.
    pub fn pack_dirs(root: &Path) -> Result<Vec<PathBuf>, LoadError> {
        let path = root.join(FILE_NAME);
        let name = path.display().to_string();
        let text = match crate::regular::read(&path) {
            Ok(bytes) => String::from_utf8(bytes)
                .map_err(|_| LoadError::at(&name, None, "file is not valid UTF-8"))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(LoadError::at(&name, None, e.to_string())),
        };
        let only: PacksOnly = toml::from_str(&text).map_err(|e| {
            LoadError::at(
                &name,
                e.span().map(|s| line_of(&text, s.start)),
                e.message().trim().to_owned(),
            )
        })?;
        let mut dirs = Vec::new();
        for pack in only.packs {
            let dir = root.join(pack.get_ref());
            if !dir.is_dir() {
                return Err(LoadError::at(
                    &name,
                    Some(line_of(&text, pack.span().start)),
                    format!("packs: {} is not a folder", dir.display()),
                ));
            }
            dirs.push(dir);
        }
        Ok(dirs)
    }

    /// Reads `root/.seccoach.toml`; a missing file is the default configuration.
    pub fn load(root: &Path, catalog: &Catalog) -> Result<Config, LoadError> {
        let path = root.join(FILE_NAME);
        let name = path.display().to_string();
        let text = match crate::regular::read(&path) {
            Ok(bytes) => String::from_utf8(bytes)
                .map_err(|_| LoadError::at(&name, None, "file is not valid UTF-8"))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(LoadError::at(&name, None, e.to_string())),
        };
        let mut config = Config::parse(&name, &text, catalog)?;
        config.packs = config.packs.iter().map(|p| root.join(p)).collect();
        if let Some(db) = config.advisories.take() {
            let db = root.join(db);
            if let Err(e) = std::fs::metadata(&db) {
                let line = text.find("advisories").map(|at| line_of(&text, at));
                return Err(LoadError::at(
                    &name,
                    line,
                    format!("advisories: {}: {e}", db.display()),
                ));
            }
            config.advisories = Some(db);
        }
        Ok(config)
    }

    /// Parses the text of a config file named `name`.
    pub fn parse(name: &str, text: &str, catalog: &Catalog) -> Result<Config, LoadError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            LoadError::at(
                name,
                e.span().map(|s| line_of(text, s.start)),
                e.message().trim().to_owned(),
            )
        })?;
        let line_for = |needle: &str| text.find(needle).map(|at| line_of(text, at));
        for id in raw.disable.iter().chain(raw.severity.keys()) {
            if catalog.rule(id).is_none() {
                return Err(LoadError::at(
                    name,
                    line_for(id),
                    format!("unknown rule id `{id}` (see `seccoach checks`)"),
                ));
            }
        }
        for pattern in &raw.exclude {
            if let Err(e) = check_exclude(pattern) {
                return Err(LoadError::at(name, line_for(pattern), e));
            }
        }
        let mut tests = Vec::with_capacity(raw.paths.tests.len());
        for pattern in raw.paths.tests {
            let line = line_of(text, pattern.span().start);
            let pattern = pattern.into_inner();
            if pattern.trim().is_empty() {
                return Err(LoadError::at(
                    name,
                    Some(line),
                    "an empty pattern in `[paths] tests` matches nothing (remove it)",
                ));
            }
            if let Err(e) = check_pattern("tests", &pattern) {
                return Err(LoadError::at(name, Some(line), format!("[paths] {e}")));
            }
            tests.push(pattern);
        }
        let max_file_size = match raw.max_file_size {
            None => None,
            Some(Size::Bytes(n)) => Some(n),
            Some(Size::Text(t)) => Some(parse_size(&t).ok_or_else(|| {
                LoadError::at(
                    name,
                    line_for("max_file_size"),
                    format!("`max_file_size = \"{t}\"` is not a size (try \"2MiB\")"),
                )
            })?),
        };
        Ok(Config {
            exclude: raw.exclude,
            disable: raw.disable,
            severity: raw.severity,
            max_file_size,
            fail_on: raw.fail_on,
            advisories: raw.advisories.map(PathBuf::from),
            tests,
            packs: raw.packs.into_iter().map(PathBuf::from).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("2MiB"), Some(2 * 1024 * 1024));
        assert_eq!(parse_size("500 kb"), Some(500 * 1024));
        assert_eq!(parse_size("12"), Some(12));
        assert_eq!(parse_size("lots"), None);
    }

    #[test]
    fn advisories_resolve_against_the_root_and_must_exist() {
        let catalog = Catalog::embedded().unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("osv")).unwrap();
        std::fs::write(root.path().join(FILE_NAME), "advisories = \"osv\"\n").unwrap();
        let config = Config::load(root.path(), &catalog).unwrap();
        assert_eq!(config.advisories, Some(root.path().join("osv")));

        std::fs::write(
            root.path().join(FILE_NAME),
            "fail_on = \"high\"\nadvisories = \"nowhere.zip\"\n",
        )
        .unwrap();
        let err = Config::load(root.path(), &catalog).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("nowhere.zip"), "{err}");
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let catalog = Catalog::embedded().unwrap();
        let err = Config::parse(
            "x.toml",
            "exclude = []\nfail_on = \"high\"\nbogus = 1\n",
            &catalog,
        )
        .unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("bogus"), "{err}");
        let err = Config::parse("x.toml", "\ndisable = [\"docker/nope\"]\n", &catalog).unwrap_err();
        assert_eq!(err.line, Some(2));
        let err = Config::parse("x.toml", "fail_on = \"severe\"\n", &catalog).unwrap_err();
        assert_eq!(err.line, Some(1));
    }

    #[test]
    fn exclude_patterns_are_checked_as_the_scan_reads_them() {
        let catalog = Catalog::embedded().unwrap();
        let err =
            Config::parse("x.toml", "exclude = [\"vendor/\", \"[\"]\n", &catalog).unwrap_err();
        assert!(err.message.contains("bad exclude pattern `[`"), "{err}");
        assert!(check_exclude("[").is_err());
        assert!(check_exclude("a/**/b").is_ok());
        assert!(check_exclude("/app/x\\[1\\].cs").is_ok());
    }

    #[test]
    fn test_paths_are_read_and_checked_with_their_line() {
        let catalog = Catalog::embedded().unwrap();
        let config = Config::parse(
            "x.toml",
            "exclude = [\"vendor/\"]\n\n[paths]\ntests = [\"qa/\", \"!docs/deploy/\"]\n",
            &catalog,
        )
        .unwrap();
        assert_eq!(config.tests, ["qa/", "!docs/deploy/"]);
        let err = Config::parse(
            "x.toml",
            "exclude = [\"[\"]\n[paths]\ntests = [\n  \"qa/\",\n  \"fixtures/[\",\n]\n",
            &catalog,
        );
        // The exclude error comes first; with a good exclude, the tests pattern's own line.
        assert_eq!(err.unwrap_err().line, Some(1));
        let err = Config::parse(
            "x.toml",
            "[paths]\ntests = [\n  \"qa/\",\n  \"fixtures/[\",\n]\n",
            &catalog,
        )
        .unwrap_err();
        assert_eq!(err.line, Some(4), "{err}");
        assert!(
            err.message.contains("bad tests pattern `fixtures/[`"),
            "{err}"
        );
        let err = Config::parse("x.toml", "[paths]\ntests = [\"\"]\n", &catalog).unwrap_err();
        assert_eq!(err.line, Some(2));
        let err = Config::parse("x.toml", "[paths]\ntest = [\"qa/\"]\n", &catalog).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("test"), "{err}");
    }
}
