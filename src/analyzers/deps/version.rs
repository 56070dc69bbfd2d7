//! Package ecosystems and their version orderings, as advisories use them.
//!
//! npm, crates.io and Go order versions by semver (Go writes a `v` in front; its
//! pseudo-versions are semver pre-releases, so they sort before the release they precede). PyPI
//! orders by PEP 440, where `1.0.dev1 < 1.0a1 < 1.0rc1 < 1.0 < 1.0.post1`. Comparing any of these
//! as strings gets `1.10` vs `1.9` wrong, which is exactly the kind of mistake that hides a
//! vulnerable version. Maven, NuGet, RubyGems and Packagist each have their own ordering,
//! as OSV specifies them (see the submodules).

mod composer;
mod maven;
mod nuget;
mod rubygems;

use std::cmp::Ordering;
use std::str::FromStr;

/// Longest version text read in the ecosystems parsed here item by item (real ones are far
/// shorter; this bounds the work a hostile one can cause).
const MAX_VERSION_LEN: usize = 256;

/// A package ecosystem seccoach can match advisories for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    Npm,
    PyPI,
    CratesIo,
    Go,
    Maven,
    RubyGems,
    Packagist,
    NuGet,
}

impl Ecosystem {
    /// The ecosystem named by an OSV record (`"npm"`, `"PyPI"`, `"crates.io"`, `"Go"`).
    pub fn from_osv(name: &str) -> Option<Ecosystem> {
        // Some ecosystems carry a suffix (`Debian:12`); ours do not, but tolerate one.
        let base = name.split(':').next().unwrap_or(name);
        match base {
            "npm" => Some(Ecosystem::Npm),
            "PyPI" => Some(Ecosystem::PyPI),
            "crates.io" => Some(Ecosystem::CratesIo),
            "Go" => Some(Ecosystem::Go),
            "Maven" => Some(Ecosystem::Maven),
            "RubyGems" => Some(Ecosystem::RubyGems),
            "Packagist" => Some(Ecosystem::Packagist),
            "NuGet" => Some(Ecosystem::NuGet),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::NuGet => "NuGet",
        }
    }

    /// The package name as the ecosystem compares it: PyPI folds case and treats runs of
    /// `-`, `_` and `.` as one `-` (PEP 503); NuGet ids and Packagist names are
    /// case-insensitive; the others compare names exactly.
    pub fn normalize_name(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut in_separator = false;
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !in_separator {
                            out.push('-');
                        }
                        in_separator = true;
                    } else {
                        out.extend(c.to_lowercase());
                        in_separator = false;
                    }
                }
                out
            }
            Ecosystem::NuGet | Ecosystem::Packagist => name.trim().to_ascii_lowercase(),
            _ => name.trim().to_owned(),
        }
    }

    /// Parses a version as this ecosystem writes it; `None` when it is not one.
    pub fn parse(self, text: &str) -> Option<Version> {
        let text = text.trim();
        match self {
            Ecosystem::PyPI => pep440_rs::Version::from_str(text)
                .ok()
                .map(|v| Version::Pep440(Box::new(v))),
            Ecosystem::Npm | Ecosystem::CratesIo | Ecosystem::Go => {
                let text = text.strip_prefix('v').unwrap_or(text);
                let text = if self == Ecosystem::Npm {
                    text.strip_prefix('=').unwrap_or(text)
                } else {
                    text
                };
                parse_semver(text).map(Version::Semver)
            }
            _ if text.len() > MAX_VERSION_LEN => None,
            Ecosystem::Maven => maven::MavenVersion::parse(text).map(Version::Maven),
            Ecosystem::NuGet => nuget::NuGetVersion::parse(text).map(Version::NuGet),
            Ecosystem::RubyGems => rubygems::GemVersion::parse(text).map(Version::RubyGems),
            Ecosystem::Packagist => composer::ComposerVersion::parse(text).map(Version::Packagist),
        }
    }
}

/// A parsed version of one ecosystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    Semver(semver::Version),
    Pep440(Box<pep440_rs::Version>),
    Maven(maven::MavenVersion),
    NuGet(nuget::NuGetVersion),
    RubyGems(rubygems::GemVersion),
    Packagist(composer::ComposerVersion),
}

impl Version {
    /// Orders two versions of the same ecosystem; `None` across schemes.
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        match (self, other) {
            (Version::Semver(a), Version::Semver(b)) => Some(a.cmp(b)),
            (Version::Pep440(a), Version::Pep440(b)) => Some(a.cmp(b)),
            (Version::Maven(a), Version::Maven(b)) => Some(a.cmp(b)),
            (Version::NuGet(a), Version::NuGet(b)) => Some(a.cmp(b)),
            (Version::RubyGems(a), Version::RubyGems(b)) => Some(a.cmp(b)),
            (Version::Packagist(a), Version::Packagist(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// Strict semver, made a little lenient where advisories are (`1.2` means `1.2.0`), with build
/// metadata dropped because it never takes part in ordering (Go's `+incompatible` included).
fn parse_semver(text: &str) -> Option<semver::Version> {
    let mut version = match semver::Version::parse(text) {
        Ok(v) => v,
        Err(_) => {
            // Pad a short core (`1`, `1.2`) and try again.
            let split = text.find(['-', '+']).unwrap_or(text.len());
            let (core, rest) = text.split_at(split);
            let parts = core.split('.').count();
            if core.is_empty() || parts >= 3 {
                return None;
            }
            let padded = format!("{core}{}{rest}", ".0".repeat(3 - parts));
            semver::Version::parse(&padded).ok()?
        }
    };
    version.build = semver::BuildMetadata::EMPTY;
    Some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(eco: Ecosystem, a: &str, b: &str) -> Ordering {
        let a = eco.parse(a).unwrap_or_else(|| panic!("parse {a}"));
        let b = eco.parse(b).unwrap_or_else(|| panic!("parse {b}"));
        a.compare(&b).unwrap()
    }

    #[test]
    fn semver_orders_numerically_and_puts_prereleases_first() {
        let e = Ecosystem::Npm;
        assert_eq!(cmp(e, "4.17.9", "4.17.21"), Ordering::Less);
        assert_eq!(cmp(e, "1.10.0", "1.9.0"), Ordering::Greater);
        assert_eq!(cmp(e, "1.0.0-rc.1", "1.0.0"), Ordering::Less);
        assert_eq!(cmp(e, "1.0.0-alpha", "1.0.0-alpha.1"), Ordering::Less);
        assert_eq!(cmp(e, "1.0.0-beta.11", "1.0.0-beta.2"), Ordering::Greater);
        assert_eq!(cmp(e, "1.0.0+build.5", "1.0.0"), Ordering::Equal);
        assert_eq!(cmp(e, "=1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(cmp(e, "1.2", "1.2.0"), Ordering::Equal);
        assert!(e.parse("not-a-version").is_none());
        assert!(e.parse("").is_none());
        assert!(e.parse("1.2.3.4").is_none());
    }

    #[test]
    fn go_versions_take_a_v_prefix_and_pseudo_versions_sort_before_releases() {
        let e = Ecosystem::Go;
        assert_eq!(
            cmp(e, "v0.0.0-20200622213623-75b288015ac9", "0.0.0"),
            Ordering::Less
        );
        assert_eq!(
            cmp(
                e,
                "v0.0.0-20200622213623-75b288015ac9",
                "0.0.0-20201216223049-8b5274cf687f"
            ),
            Ordering::Less
        );
        assert_eq!(cmp(e, "v2.0.0+incompatible", "2.0.0"), Ordering::Equal);
        assert_eq!(cmp(e, "v1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(cmp(e, "v0.3.7", "0.3.8"), Ordering::Less);
    }

    #[test]
    fn pep440_ordering_covers_pre_post_dev_and_epochs() {
        let e = Ecosystem::PyPI;
        let ordered = [
            "1.0.dev1",
            "1.0a1",
            "1.0a2.dev1",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0.post1",
            "1.1",
            "1.10",
            "2!0.1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(cmp(e, pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        assert_eq!(cmp(e, "1.0", "1.0.0"), Ordering::Equal);
        assert_eq!(cmp(e, "5.4", "5.4.0"), Ordering::Equal);
        assert_eq!(cmp(e, "5.3.1", "5.4"), Ordering::Less);
        assert_eq!(cmp(e, "1.0RC1", "1.0rc1"), Ordering::Equal);
        assert_eq!(cmp(e, "v1.0", "1.0"), Ordering::Equal);
        assert!(e.parse("one.two").is_none());
    }

    #[test]
    fn schemes_do_not_compare_across_ecosystems() {
        let a = Ecosystem::Npm.parse("1.0.0").unwrap();
        let b = Ecosystem::PyPI.parse("1.0.0").unwrap();
        assert_eq!(a.compare(&b), None);
    }

    #[test]
    fn names_normalise_per_ecosystem() {
        assert_eq!(Ecosystem::PyPI.normalize_name("PyYAML"), "pyyaml");
        assert_eq!(
            Ecosystem::PyPI.normalize_name("zope.interface"),
            "zope-interface"
        );
        assert_eq!(Ecosystem::PyPI.normalize_name("A__b-.c"), "a-b-c");
        assert_eq!(Ecosystem::Npm.normalize_name("@Scope/Pkg"), "@Scope/Pkg");
        assert_eq!(Ecosystem::from_osv("crates.io"), Some(Ecosystem::CratesIo));
        assert_eq!(Ecosystem::from_osv("Debian:12"), None);
        assert_eq!(
            Ecosystem::NuGet.normalize_name("Newtonsoft.JSON"),
            "newtonsoft.json"
        );
        assert_eq!(
            Ecosystem::Maven.normalize_name("org.apache.logging.log4j:log4j-core"),
            "org.apache.logging.log4j:log4j-core"
        );
        for e in [
            Ecosystem::Maven,
            Ecosystem::RubyGems,
            Ecosystem::Packagist,
            Ecosystem::NuGet,
        ] {
            assert_eq!(Ecosystem::from_osv(e.as_str()), Some(e));
            // A version far longer than any real one is not read.
            assert!(e.parse(&"1.".repeat(200)).is_none());
            assert!(e.parse("1.2.3").is_some());
        }
    }
}
