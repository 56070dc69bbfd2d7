//! RubyGems' `Gemfile.lock` and Packagist's `composer.lock`.

use super::json;
use super::lockfile::{Locked, lines, via_paths};
use super::version::Ecosystem;
use crate::analyzers::Unparsed;
use crate::source::Source;
use std::collections::{BTreeMap, BTreeSet};

/// One `name (version)` spec of a Gemfile.lock section and the gems it depends on.
struct Spec {
    name: String,
    version: String,
    span: std::ops::Range<usize>,
    /// From the `GEM` section (a registry), not `GIT` or `PATH`.
    registry: bool,
    deps: Vec<String>,
}

/// `Gemfile.lock` (and `gems.locked`): the `specs:` of its `GEM`, `GIT` and `PATH` sections,
/// four spaces in, with their dependencies six spaces in, and the project's own `DEPENDENCIES`.
/// Only `GEM` specs come from rubygems.org; a platform suffix (`1.15.4-x86_64-linux`) is not
/// part of the version. A line that fits none of this is reported; the rest is still read.
pub(super) fn gemfile_lock(src: &Source, out: &mut Vec<Locked>) -> Result<(), Unparsed> {
    let mut specs: Vec<Spec> = Vec::new();
    let mut direct: Vec<String> = Vec::new();
    let mut section = "";
    let mut problem: Option<Unparsed> = None;
    for (start, line) in lines(src.bytes) {
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let text = line.trim();
        if indent == 0 {
            section = text;
            continue;
        }
        let malformed = match (section, indent) {
            ("GEM" | "GIT" | "PATH", 4) => match gem_spec(text) {
                Some((name, version)) => {
                    let version = version.split('-').next().unwrap_or(version);
                    specs.push(Spec {
                        name: name.to_owned(),
                        version: version.to_owned(),
                        span: start + indent..start + line.trim_end().len(),
                        registry: section == "GEM",
                        deps: Vec::new(),
                    });
                    false
                }
                None => true,
            },
            ("GEM" | "GIT" | "PATH", 6) => match (specs.last_mut(), gem_name(text)) {
                (Some(spec), Some(name)) => {
                    spec.deps.push(name.to_owned());
                    false
                }
                _ => true,
            },
            ("DEPENDENCIES", 2) => match gem_name(text) {
                Some(name) => {
                    direct.push(name.trim_end_matches('!').to_owned());
                    false
                }
                None => true,
            },
            _ => false,
        };
        if malformed && problem.is_none() {
            let mut note = Unparsed::at(src, start + indent, "not a Gemfile.lock entry");
            note.partial = true;
            problem = Some(note);
        }
    }
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, spec) in specs.iter().enumerate() {
        index.entry(spec.name.as_str()).or_insert(i);
    }
    let names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
    let roots: Vec<usize> = direct
        .iter()
        .filter_map(|d| index.get(d.as_str()).copied())
        .collect();
    let edges: Vec<Vec<usize>> = specs
        .iter()
        .map(|s| {
            s.deps
                .iter()
                .filter_map(|d| index.get(d.as_str()).copied())
                .collect()
        })
        .collect();
    let via = via_paths(&names, &roots, &edges);
    // The same gem for several platforms is one version to check.
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for (spec, via) in specs.into_iter().zip(via) {
        if spec.registry && seen.insert((spec.name.clone(), spec.version.clone())) {
            out.push(Locked {
                ecosystem: Ecosystem::RubyGems,
                name: spec.name,
                version: spec.version,
                span: spec.span,
                via,
                indirect: false,
            });
        }
    }
    problem.map_or(Ok(()), Err)
}

/// `name (version)`.
fn gem_spec(text: &str) -> Option<(&str, &str)> {
    let (name, rest) = text.split_once(" (")?;
    let version = rest.strip_suffix(')')?;
    (valid_gem_name(name) && !version.is_empty() && !version.contains(char::is_whitespace))
        .then_some((name, version))
}

/// The gem named at the start of a dependency line (`rack (~> 2.0)`, `rails`, `mygem!`).
fn gem_name(text: &str) -> Option<&str> {
    let name = text.split(" (").next().unwrap_or(text);
    let bare = name.trim_end_matches('!');
    valid_gem_name(bare).then_some(name)
}

fn valid_gem_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// `composer.lock`: the `packages` and `packages-dev` lists, each entry's `name` and `version`
/// (`v` prefixes and all, as Composer writes them; branch versions such as `dev-main` match no
/// advisory range).
pub(super) fn composer_lock(src: &Source, out: &mut Vec<Locked>) -> Result<(), Unparsed> {
    let doc = json::parse(src.bytes).map_err(|e| e.unparsed(src))?;
    for section in ["packages", "packages-dev"] {
        let Some(json::Value::Array(packages)) = doc.get(section).map(|n| &n.value) else {
            continue;
        };
        for package in packages {
            let (Some(name), Some(version)) = (package.get("name"), package.get("version")) else {
                continue;
            };
            let (Some(name_text), Some(version_text)) = (name.as_str(), version.as_str()) else {
                continue;
            };
            out.push(Locked {
                ecosystem: Ecosystem::Packagist,
                name: name_text.to_owned(),
                version: version_text.to_owned(),
                span: name.span.start.min(version.span.start)..name.span.end.max(version.span.end),
                via: Vec::new(),
                indirect: false,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::lockfile::{read_rows as read, row};

    const GEMFILE_LOCK: &str = "GIT\n  remote: https://github.com/acme/widget.git\n  revision: 0123abc\n  specs:\n    widget (0.1.0)\n      rack (>= 2)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    actionpack (6.1.7)\n      rack (~> 2.0, >= 2.0.9)\n      rails-html-sanitizer (~> 1.0)\n    nokogiri (1.13.9-x86_64-linux)\n      racc (~> 1.4)\n    nokogiri (1.13.9-arm64-darwin)\n      racc (~> 1.4)\n    rack (2.2.3)\n    racc (1.6.0)\n    rails-html-sanitizer (1.4.3)\n      loofah (~> 2.3)\n    loofah (2.19.0)\n      nokogiri (>= 1.5.9)\n\nPLATFORMS\n  arm64-darwin\n  x86_64-linux\n\nDEPENDENCIES\n  actionpack (~> 6.1)\n  widget!\n\nBUNDLED WITH\n   2.3.26\n";

    #[test]
    fn gemfile_lock_gem_specs_with_paths() {
        let (found, problem) = read("Gemfile.lock", GEMFILE_LOCK);
        assert_eq!(
            found,
            vec![
                row("actionpack", "6.1.7", 11, ""),
                row(
                    "nokogiri",
                    "1.13.9",
                    14,
                    "actionpack > rails-html-sanitizer > loofah"
                ),
                row("rack", "2.2.3", 18, "actionpack"),
                row(
                    "racc",
                    "1.6.0",
                    19,
                    "actionpack > rails-html-sanitizer > loofah > nokogiri"
                ),
                row("rails-html-sanitizer", "1.4.3", 20, "actionpack"),
                row("loofah", "2.19.0", 22, "actionpack > rails-html-sanitizer"),
            ]
        );
        assert_eq!(problem, None);
        // A git checkout of a gem is not the rubygems.org release: not listed.
        assert!(!found.iter().any(|r| r.0 == "widget"));
    }

    #[test]
    fn malformed_gemfile_lock_lines_are_named_and_the_rest_read() {
        let broken = GEMFILE_LOCK.replace("    rack (2.2.3)\n", "    rack 2.2.3 oops\n");
        let (found, problem) = read("Gemfile.lock", &broken);
        assert_eq!(problem, Some(18));
        assert_eq!(found.len(), 5);
        assert!(found.iter().any(|r| r.0 == "loofah"));
        let (found, problem) = read("Gemfile.lock", "GEM\n  specs:\n    (1.0)\n      \n");
        assert!(found.is_empty());
        assert_eq!(problem, Some(3));
    }

    #[test]
    fn composer_lock_packages_and_dev_packages() {
        let text = r#"{
    "_readme": ["This file locks the dependencies of your project"],
    "content-hash": "abc",
    "packages": [
        {
            "name": "guzzlehttp/psr7",
            "version": "1.8.1",
            "require": {"php": ">=5.4.0"}
        },
        {
            "name": "laravel/framework",
            "version": "v8.83.27"
        },
        {
            "name": "acme/fork",
            "version": "dev-main"
        }
    ],
    "packages-dev": [
        {"name": "phpunit/phpunit", "version": "9.5.10"}
    ]
}"#;
        let (found, problem) = read("composer.lock", text);
        assert_eq!(
            found,
            vec![
                row("guzzlehttp/psr7", "1.8.1", 6, ""),
                row("laravel/framework", "v8.83.27", 11, ""),
                row("acme/fork", "dev-main", 15, ""),
                row("phpunit/phpunit", "9.5.10", 20, ""),
            ]
        );
        assert_eq!(problem, None);
        let (found, problem) = read("composer.lock", "{\"packages\": [{\"name\": ");
        assert!(found.is_empty());
        assert_eq!(problem, Some(1));
    }
}
