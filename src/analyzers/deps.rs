//! Dependency checks: what a project's manifests let in (wildcards, moving git refs, loose
//! requirements, install scripts), whether a lockfile pins it, and whether a pinned version is
//! known to be vulnerable according to an offline OSV advisory database.
//!
//! Per-file checks read manifests and lockfiles as the scan hands them over; the lockfile
//! check needs the whole tree (is there a lockfile beside this manifest, or above it in a
//! workspace?) and runs once per scan. Nothing is installed, resolved or fetched.

pub mod advisories;
mod dotnet;
pub mod json;
mod jvm;
pub mod lockfile;
pub mod manifest;
mod ruby_php;
pub mod version;

use super::{Context, Hit, Tree, TreeFile, TreeHit, Unparsed};
use crate::source::{Source, is_test_path};
use std::collections::BTreeSet;
use std::io::Read;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub use crate::rules::DEPS_GIT_DEPENDENCY_UNPINNED as GIT_UNPINNED;
pub use crate::rules::DEPS_KNOWN_VULNERABLE as KNOWN_VULNERABLE;
pub use crate::rules::DEPS_MISSING_LOCKFILE as MISSING_LOCKFILE;
pub use crate::rules::DEPS_NPM_INSTALL_SCRIPT as INSTALL_SCRIPT;
pub use crate::rules::DEPS_UNPINNED_REQUIREMENT as UNPINNED_REQUIREMENT;
pub use crate::rules::DEPS_WILDCARD_VERSION as WILDCARD;

/// Largest manifest the tree check reads to decide whether a lockfile is needed.
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// Directories holding other people's installed or vendored code, not the project's manifests.
const VENDORED_DIRS: [&str; 7] = [
    "node_modules",
    "bower_components",
    "vendor",
    ".venv",
    "venv",
    "site-packages",
    "__pypackages__",
];

/// Lockfiles that pin an npm-style `package.json` (npm, Yarn, pnpm, Bun).
const NPM_LOCKS: [&str; 6] = [
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "bun.lock",
];

/// Lockfiles of the Python project managers that read `pyproject.toml`.
const PYTHON_LOCKS: [&str; 4] = ["poetry.lock", "pdm.lock", "uv.lock", "pylock.toml"];

/// The last path component.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The directory part of a relative path (`""` at the root).
fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// `dir` and each directory above it, innermost first (the root is `""`).
fn dir_and_ancestors(dir: &str) -> impl Iterator<Item = &str> {
    let mut next = Some(dir);
    std::iter::from_fn(move || {
        let current = next?;
        next = if current.is_empty() {
            None
        } else {
            Some(dir_of(current))
        };
        Some(current)
    })
}

/// True for a path inside installed or vendored third-party code.
pub(crate) fn is_vendored(path: &str) -> bool {
    path.split('/').any(|part| VENDORED_DIRS.contains(&part))
}

/// `requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`, `requirements/*.txt`.
pub(crate) fn is_requirements_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = file_name(&lower);
    name.ends_with(".txt")
        && (name.contains("requirements") || dir_of(&lower).ends_with("requirements"))
}

/// True for the files `deps/known-vulnerable` reads versions from.
pub fn is_lockfile(path: &str) -> bool {
    let name = file_name(path);
    !is_vendored(path) && (lockfile::is_lockfile(name) || is_requirements_file(path))
}

/// The ecosystem of the packages a manifest or lockfile at `path` names (the files the deps
/// checks read); `None` for any other file and for vendored code.
pub fn ecosystem_of(path: &str) -> Option<version::Ecosystem> {
    use version::Ecosystem;
    if is_vendored(path) {
        return None;
    }
    if is_requirements_file(path) {
        return Some(Ecosystem::PyPI);
    }
    match file_name(path) {
        "package.json" => Some(Ecosystem::Npm),
        "Cargo.toml" => Some(Ecosystem::CratesIo),
        "pyproject.toml" | "Pipfile" => Some(Ecosystem::PyPI),
        name => lockfile::ecosystem(name),
    }
}

pub(crate) fn table_get<'a, 'i>(
    table: &'a DeTable<'i>,
    key: &str,
) -> Option<&'a Spanned<DeValue<'i>>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

pub(crate) fn toml_str<'a>(value: &'a Spanned<DeValue<'_>>) -> Option<&'a str> {
    match value.get_ref() {
        DeValue::String(s) => Some(s.as_ref()),
        _ => None,
    }
}

/// A TOML document, or why it is not one.
pub(crate) fn parse_toml_source<'a>(src: &Source<'a>) -> Result<Spanned<DeTable<'a>>, Unparsed> {
    let text = std::str::from_utf8(src.bytes).map_err(|_| Unparsed::not_utf8())?;
    DeTable::parse(text).map_err(|err| Unparsed::toml(src, &err))
}

/// The per-file checks.
pub fn check(cx: &Context, src: &Source, out: &mut Vec<Hit>) -> Result<(), Unparsed> {
    if is_vendored(src.rel_path) {
        return Ok(());
    }
    let name = file_name(src.rel_path);
    match name {
        "package.json" => manifest::package_json(src, out)?,
        "Cargo.toml" => manifest::cargo_toml(src, out)?,
        "pyproject.toml" => manifest::pyproject(src, out)?,
        "Pipfile" => manifest::pipfile(src, out)?,
        _ if is_requirements_file(src.rel_path) => manifest::requirements(src, out),
        _ => {}
    }
    if let Some(db) = cx.advisories
        && is_lockfile(src.rel_path)
    {
        let read = lockfile::locked(src);
        for dep in read.locked {
            for hit in db.lookup(dep.ecosystem, &dep.name, &dep.version) {
                out.push(
                    Hit::new(KNOWN_VULNERABLE, dep.span.clone()).with_value(hit.describe(
                        &dep.name,
                        &dep.version,
                        &dep.via,
                        dep.indirect,
                    )),
                );
            }
        }
        if let Some(problem) = read.problem {
            return Err(problem);
        }
    }
    Ok(())
}

/// The whole-tree check: manifests that need a lockfile and have none.
pub fn check_tree(_cx: &Context, tree: &Tree, out: &mut Vec<TreeHit>) {
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for file in tree.files {
        let path = file.path.as_str();
        // Manifests of installed packages and of test fixtures are never installed from.
        if is_vendored(path) || is_test_path(path) {
            continue;
        }
        let dir = dir_of(path);
        let has_lock = |names: &[&str], search_up: bool| {
            let mut dirs = dir_and_ancestors(dir);
            let check_dir = |d: &str| names.iter().any(|n| tree.contains(&join(d, n)));
            if search_up {
                dirs.any(check_dir)
            } else {
                check_dir(dir)
            }
        };
        let report_at = match file_name(path) {
            // A workspace member is pinned by the lockfile at the workspace root.
            "package.json" if !has_lock(&NPM_LOCKS, true) => read_manifest(tree, path)
                .is_some_and(|text| npm_has_dependencies(&text))
                .then(|| path.to_owned()),
            "Cargo.toml" if !has_lock(&["Cargo.lock"], true) => {
                cargo_needs_lock(tree, path).then(|| cargo_lock_owner(tree, path))
            }
            "pyproject.toml" if !has_lock(&PYTHON_LOCKS, true) && !has_pylock(tree, dir) => {
                read_manifest(tree, path)
                    .is_some_and(|text| pyproject_needs_lock(&text))
                    .then(|| path.to_owned())
            }
            "Pipfile" if !has_lock(&["Pipfile.lock"], false) => read_manifest(tree, path)
                .is_some_and(|text| pipfile_has_packages(&text))
                .then(|| path.to_owned()),
            _ => None,
        };
        if let Some(at) = report_at
            && reported.insert(at.clone())
        {
            out.push(TreeHit {
                rule: MISSING_LOCKFILE,
                path: at.clone(),
                line: 1,
                value: Some(at),
            });
        }
    }
}

/// The files whose path starts with `prefix` (a contiguous run, since the list is sorted).
fn with_prefix<'t>(tree: &Tree<'t>, prefix: &str) -> &'t [TreeFile] {
    let start = tree.files.partition_point(|f| f.path.as_str() < prefix);
    let len = tree.files[start..]
        .iter()
        .take_while(|f| f.path.starts_with(prefix))
        .count();
    &tree.files[start..start + len]
}

/// `pylock.<name>.toml` (PEP 751) beside the project.
fn has_pylock(tree: &Tree, dir: &str) -> bool {
    let prefix = join(dir, "pylock.");
    with_prefix(tree, &prefix)
        .iter()
        .any(|f| f.path.ends_with(".toml") && !f.path[prefix.len()..].contains('/'))
}

/// Reads a manifest the scan listed, bounded; `None` when unreadable or not UTF-8.
fn read_manifest(tree: &Tree, rel: &str) -> Option<String> {
    let file = crate::regular::open_no_follow(&crate::scan::fs_path(tree.root, rel)).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_MANIFEST_BYTES).read_to_end(&mut bytes).ok()?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).ok()
}

fn npm_has_dependencies(text: &str) -> bool {
    let Ok(doc) = json::parse(text.as_bytes()) else {
        return false;
    };
    ["dependencies", "devDependencies", "optionalDependencies"]
        .iter()
        .any(|section| doc.get(section).is_some_and(|d| !d.members().is_empty()))
}

fn parse_toml(text: &str) -> Option<Spanned<DeTable<'_>>> {
    DeTable::parse(text).ok()
}

fn table<'a, 'i>(root: &'a DeTable<'i>, path: &[&str]) -> Option<&'a DeTable<'i>> {
    let mut current = root;
    for key in path {
        match table_get(current, key)?.get_ref() {
            DeValue::Table(t) => current = t,
            _ => return None,
        }
    }
    Some(current)
}

fn non_empty(value: Option<&Spanned<DeValue>>) -> bool {
    match value.map(Spanned::get_ref) {
        Some(DeValue::Array(a)) => !a.is_empty(),
        Some(DeValue::Table(t)) => !t.is_empty(),
        _ => false,
    }
}

/// A binary crate (`src/main.rs`, `src/bin/`, or `[[bin]]`) with at least one dependency.
fn cargo_needs_lock(tree: &Tree, path: &str) -> bool {
    let dir = dir_of(path);
    let Some(text) = read_manifest(tree, path) else {
        return false;
    };
    let Some(doc) = parse_toml(&text) else {
        return false;
    };
    let doc = doc.get_ref();
    if table_get(doc, "package").is_none() {
        return false; // a virtual workspace manifest: its members decide
    }
    let bin_prefix = join(dir, "src/bin/");
    let is_binary = tree.contains(&join(dir, "src/main.rs"))
        || non_empty(table_get(doc, "bin"))
        || with_prefix(tree, &bin_prefix)
            .iter()
            .any(|f| f.path.ends_with(".rs"));
    let sections = ["dependencies", "dev-dependencies", "build-dependencies"];
    let has_deps = sections.iter().any(|s| non_empty(table_get(doc, s)))
        || table(doc, &["target"]).is_some_and(|targets| {
            targets.iter().any(|(_, t)| match t.get_ref() {
                DeValue::Table(t) => sections.iter().any(|s| non_empty(table_get(t, s))),
                _ => false,
            })
        });
    is_binary && has_deps
}

/// Where a missing Cargo.lock belongs: the nearest enclosing `[workspace]` manifest, else the
/// crate's own manifest.
fn cargo_lock_owner(tree: &Tree, path: &str) -> String {
    for dir in dir_and_ancestors(dir_of(path)) {
        let candidate = join(dir, "Cargo.toml");
        if !tree.contains(&candidate) {
            continue;
        }
        let is_workspace = read_manifest(tree, &candidate)
            .and_then(|text| {
                parse_toml(&text).map(|doc| table_get(doc.get_ref(), "workspace").is_some())
            })
            .unwrap_or(false);
        if is_workspace {
            return candidate;
        }
    }
    path.to_owned()
}

/// A project managed by Poetry, PDM or uv (so it has a lockfile format) with dependencies.
fn pyproject_needs_lock(text: &str) -> bool {
    let Some(doc) = parse_toml(text) else {
        return false;
    };
    let doc = doc.get_ref();
    let managed = ["poetry", "pdm", "uv"]
        .iter()
        .any(|tool| table(doc, &["tool", tool]).is_some());
    if !managed {
        return false;
    }
    let poetry_deps = table(doc, &["tool", "poetry", "dependencies"])
        .is_some_and(|t| t.iter().any(|(k, _)| k.get_ref().as_ref() != "python"))
        || table(doc, &["tool", "poetry", "group"]).is_some_and(|groups| {
            groups.iter().any(|(_, g)| match g.get_ref() {
                DeValue::Table(g) => non_empty(table_get(g, "dependencies")),
                _ => false,
            })
        });
    let project_deps = table(doc, &["project"]).is_some_and(|p| {
        non_empty(table_get(p, "dependencies"))
            || table(p, &["optional-dependencies"])
                .is_some_and(|o| o.iter().any(|(_, v)| non_empty(Some(v))))
    });
    let group_deps = [
        table(doc, &["dependency-groups"]),
        table(doc, &["tool", "pdm", "dev-dependencies"]),
    ]
    .into_iter()
    .flatten()
    .any(|groups| groups.iter().any(|(_, v)| non_empty(Some(v))))
        || non_empty(table(doc, &["tool", "uv"]).and_then(|uv| table_get(uv, "dev-dependencies")));
    poetry_deps || project_deps || group_deps
}

fn pipfile_has_packages(text: &str) -> bool {
    let Some(doc) = parse_toml(text) else {
        return false;
    };
    ["packages", "dev-packages"]
        .iter()
        .any(|s| non_empty(table_get(doc.get_ref(), s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_hits(files: &[(&str, &str)]) -> Vec<(String, u32)> {
        crate::analyzers::tree_hits_in(files, &[], check_tree)
            .into_iter()
            .map(|h| (h.path, h.line))
            .collect()
    }

    const PKG: &str = r#"{"name": "a", "dependencies": {"express": "^4.18.2"}}"#;
    const CRATE: &str = "[package]\nname = \"a\"\n\n[dependencies]\nserde = \"1\"\n";

    #[test]
    fn package_json_needs_a_lockfile_unless_a_workspace_root_has_one() {
        assert_eq!(
            tree_hits(&[("package.json", PKG)]),
            vec![("package.json".to_owned(), 1)]
        );
        assert!(tree_hits(&[("package.json", PKG), ("yarn.lock", "")]).is_empty());
        assert!(
            tree_hits(&[
                ("package.json", PKG),
                ("pnpm-lock.yaml", ""),
                ("apps/web/package.json", PKG)
            ])
            .is_empty()
        );
        // No dependencies, nothing to pin; node_modules is not the project.
        assert!(tree_hits(&[("package.json", r#"{"name": "a", "scripts": {}}"#)]).is_empty());
        assert!(
            tree_hits(&[
                ("package.json", PKG),
                ("package-lock.json", "{}"),
                ("node_modules/x/package.json", PKG)
            ])
            .is_empty()
        );
        assert!(tree_hits(&[("package.json", "{not json")]).is_empty());
        assert!(tree_hits(&[("test/fixtures/app/package.json", PKG)]).is_empty());
    }

    #[test]
    fn binary_crates_need_cargo_lock_libraries_do_not() {
        assert_eq!(
            tree_hits(&[("Cargo.toml", CRATE), ("src/main.rs", "fn main() {}")]),
            vec![("Cargo.toml".to_owned(), 1)]
        );
        assert!(tree_hits(&[("Cargo.toml", CRATE), ("src/lib.rs", "")]).is_empty());
        assert!(
            tree_hits(&[
                ("Cargo.toml", CRATE),
                ("src/main.rs", ""),
                ("Cargo.lock", "")
            ])
            .is_empty()
        );
        assert_eq!(
            tree_hits(&[("Cargo.toml", CRATE), ("src/bin/tool.rs", "")]),
            vec![("Cargo.toml".to_owned(), 1)]
        );
        // Members of a workspace are reported once, at the workspace manifest.
        let members = [
            ("Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n"),
            ("a/Cargo.toml", CRATE),
            ("a/src/main.rs", ""),
            ("b/Cargo.toml", CRATE),
            ("b/src/main.rs", ""),
        ];
        assert_eq!(tree_hits(&members), vec![("Cargo.toml".to_owned(), 1)]);
        let mut locked = members.to_vec();
        locked.push(("Cargo.lock", ""));
        assert!(tree_hits(&locked).is_empty());
        // A binary with no dependencies has nothing to pin.
        assert!(
            tree_hits(&[
                ("Cargo.toml", "[package]\nname = \"a\"\n"),
                ("src/main.rs", "")
            ])
            .is_empty()
        );
    }

    #[test]
    fn python_projects_need_their_managers_lockfile() {
        let poetry = "[tool.poetry]\nname = \"a\"\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\nflask = \"^3.0\"\n";
        assert_eq!(
            tree_hits(&[("pyproject.toml", poetry)]),
            vec![("pyproject.toml".to_owned(), 1)]
        );
        assert!(tree_hits(&[("pyproject.toml", poetry), ("poetry.lock", "")]).is_empty());
        let uv = "[project]\nname = \"a\"\ndependencies = [\"flask\"]\n\n[tool.uv]\ndev-dependencies = []\n";
        assert_eq!(tree_hits(&[("svc/pyproject.toml", uv)]).len(), 1);
        assert!(tree_hits(&[("svc/pyproject.toml", uv), ("uv.lock", "")]).is_empty());
        assert!(tree_hits(&[("pyproject.toml", uv), ("pylock.prod.toml", "")]).is_empty());
        // A plain PEP 621 library with no manager configured: no lock format to ask for.
        let plain = "[project]\nname = \"a\"\ndependencies = [\"flask>=3\"]\n";
        assert!(tree_hits(&[("pyproject.toml", plain)]).is_empty());
        let only_python = "[tool.poetry.dependencies]\npython = \"^3.11\"\n";
        assert!(tree_hits(&[("pyproject.toml", only_python)]).is_empty());

        let pipfile = "[packages]\nrequests = \"==2.31.0\"\n";
        assert_eq!(
            tree_hits(&[("Pipfile", pipfile)]),
            vec![("Pipfile".to_owned(), 1)]
        );
        assert!(tree_hits(&[("Pipfile", pipfile), ("Pipfile.lock", "{}")]).is_empty());
        assert!(tree_hits(&[("Pipfile", "[packages]\n")]).is_empty());
    }

    #[test]
    fn path_helpers() {
        assert_eq!(dir_of("a/b/c.json"), "a/b");
        assert_eq!(dir_of("c.json"), "");
        assert_eq!(
            dir_and_ancestors("a/b").collect::<Vec<_>>(),
            ["a/b", "a", ""]
        );
        assert_eq!(dir_and_ancestors("").collect::<Vec<_>>(), [""]);
        assert!(is_vendored("web/node_modules/x/package.json"));
        assert!(!is_vendored("web/package.json"));
        assert!(is_requirements_file("requirements-dev.txt"));
        assert!(is_requirements_file("dev-requirements.txt"));
        assert!(!is_requirements_file("requirements.in"));
        assert!(is_lockfile("app/package-lock.json"));
        assert!(is_lockfile("go.mod"));
        assert!(!is_lockfile("go.sum"));
        assert!(is_requirements_file("requirements/base.txt"));
        use version::Ecosystem;
        assert_eq!(ecosystem_of("web/package.json"), Some(Ecosystem::Npm));
        assert_eq!(ecosystem_of("api/poetry.lock"), Some(Ecosystem::PyPI));
        assert_eq!(ecosystem_of("requirements-dev.txt"), Some(Ecosystem::PyPI));
        assert_eq!(ecosystem_of("svc/Cargo.toml"), Some(Ecosystem::CratesIo));
        assert_eq!(ecosystem_of("go.mod"), Some(Ecosystem::Go));
        assert_eq!(ecosystem_of("node_modules/x/package.json"), None);
        assert_eq!(ecosystem_of("README.md"), None);
        assert!(!is_requirements_file("docs/notes.txt"));
    }
}
