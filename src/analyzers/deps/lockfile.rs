//! The exact versions a project installs, read from its lockfiles (and from the few manifests
//! that pin exactly), each with the place in the file that names it.
//!
//! Ranges in a manifest say what *might* be installed; only these exact versions can be compared
//! with an advisory. `go.sum` is deliberately not read: it lists every version the module graph
//! ever considered, most of them not built, while `go.mod` lists the selected ones.

use super::json;
use super::version::Ecosystem;
use super::{file_name, table_get, toml_str};
use crate::analyzers::Unparsed;
use crate::source::Source;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Most packages a dependency path names, nearest the package first; a longer one starts with
/// [`ELIDED`]. Without it a hostile lockfile (one long chain of packages) would cost time and
/// memory quadratic in its length.
pub(crate) const MAX_PATH_LEN: usize = 32;

/// Where a dependency path was cut short.
pub(crate) const ELIDED: &str = "…";

/// One installed package version and where the file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    pub span: Range<usize>,
    /// For a package pulled in by another: the packages it comes through, from the one the
    /// project depends on directly down to its parent, where the lockfile shows it
    /// (`package-lock.json`, `Cargo.lock`). Empty for a direct dependency, or when unknown.
    pub via: Vec<String>,
    /// Pulled in by another package the lockfile does not name (go.mod's `// indirect`): the
    /// finding says so rather than showing no path.
    pub indirect: bool,
}

/// True for the file names this module reads exact versions from (lockfiles proper, and the
/// Maven and .NET project files that name exact versions).
pub fn is_lockfile(name: &str) -> bool {
    ecosystem(name).is_some()
}

/// .NET project files, whose `PackageReference`s name versions.
fn is_dotnet_project(name: &str) -> bool {
    [".csproj", ".fsproj", ".vbproj"]
        .iter()
        .any(|ext| name.len() > ext.len() && name.ends_with(ext))
}

/// The ecosystem of the packages a lockfile of this name pins; `None` for other names.
pub fn ecosystem(name: &str) -> Option<Ecosystem> {
    if is_dotnet_project(name) {
        return Some(Ecosystem::NuGet);
    }
    match name {
        "pom.xml" | "gradle.lockfile" => Some(Ecosystem::Maven),
        "Gemfile.lock" | "gems.locked" => Some(Ecosystem::RubyGems),
        "composer.lock" => Some(Ecosystem::Packagist),
        "packages.lock.json" | "Directory.Packages.props" => Some(Ecosystem::NuGet),
        "package-lock.json" | "npm-shrinkwrap.json" | "yarn.lock" | "pnpm-lock.yaml" => {
            Some(Ecosystem::Npm)
        }
        "Cargo.lock" => Some(Ecosystem::CratesIo),
        "poetry.lock" | "pdm.lock" | "uv.lock" | "Pipfile.lock" => Some(Ecosystem::PyPI),
        "go.mod" => Some(Ecosystem::Go),
        _ => None,
    }
}

/// What a lockfile gave: the exact versions it pins, in file order, and the problem that
/// stopped or interrupted the reading, naming the line (with `partial` set when the versions
/// around it were still read).
#[derive(Debug, Default)]
pub struct LockRead {
    pub locked: Vec<Locked>,
    pub problem: Option<Unparsed>,
}

/// Every exact version the file pins, in file order (unknown files give nothing), and why
/// (part of) it could not be read.
pub fn locked(src: &Source) -> LockRead {
    let mut out = Vec::new();
    let problem = read_into(src, &mut out).err();
    LockRead {
        locked: out,
        problem,
    }
}

fn read_into(src: &Source, out: &mut Vec<Locked>) -> Result<(), Unparsed> {
    let name = file_name(src.rel_path);
    match name {
        "pom.xml" => super::jvm::pom(src, out)?,
        "gradle.lockfile" => super::jvm::gradle_lockfile(src, out)?,
        "Gemfile.lock" | "gems.locked" => super::ruby_php::gemfile_lock(src, out)?,
        "composer.lock" => super::ruby_php::composer_lock(src, out)?,
        "packages.lock.json" => super::dotnet::packages_lock(src, out)?,
        "Directory.Packages.props" => super::dotnet::project(src, out)?,
        _ if is_dotnet_project(name) => super::dotnet::project(src, out)?,
        "package-lock.json" | "npm-shrinkwrap.json" => npm_lock(src, out)?,
        "yarn.lock" => yarn_lock(src, out),
        "pnpm-lock.yaml" => {
            let first = out.len();
            pnpm_lock(src, out);
            pnpm_paths(src, &mut out[first..]);
        }
        "Cargo.lock" => toml_packages(src, Ecosystem::CratesIo, out)?,
        "poetry.lock" | "pdm.lock" | "uv.lock" => toml_packages(src, Ecosystem::PyPI, out)?,
        "Pipfile.lock" => pipfile_lock(src, out)?,
        "go.mod" => go_mod(src, out),
        _ if super::is_requirements_file(src.rel_path) => requirements_pins(src, out),
        _ => {}
    }
    Ok(())
}

fn npm_lock(src: &Source, out: &mut Vec<Locked>) -> Result<(), Unparsed> {
    let doc = json::parse(src.bytes).map_err(|e| e.unparsed(src))?;
    if let Some(packages) = doc.get("packages") {
        // Lockfile v2/v3: one flat map keyed by install path.
        let first = out.len();
        let mut install_paths = Vec::new();
        for member in packages.members() {
            let Some(at) = member.key.rfind("node_modules/") else {
                continue; // the root project or a workspace folder
            };
            let entry = &member.value;
            if entry.get("link").and_then(json::Node::as_bool) == Some(true) {
                continue;
            }
            let name = entry
                .get("name")
                .and_then(json::Node::as_str)
                .unwrap_or(&member.key[at + "node_modules/".len()..]);
            let Some(version) = entry.get("version") else {
                continue;
            };
            let Some(text) = version.as_str() else {
                continue;
            };
            install_paths.push(member.key.as_str());
            out.push(Locked {
                ecosystem: Ecosystem::Npm,
                name: name.to_owned(),
                version: text.to_owned(),
                span: member.key_span.start..version.span.end.max(member.key_span.end),
                via: Vec::new(),
                indirect: false,
            });
        }
        let via = npm_paths(packages, &install_paths);
        for (locked, via) in out[first..].iter_mut().zip(via) {
            locked.via = via;
        }
    } else if let Some(deps) = doc.get("dependencies") {
        // Lockfile v1: nested `dependencies` objects.
        npm_v1(deps, &[], out);
    }
    Ok(())
}

/// The dependency path to each of `targets` (install paths in a v2/v3 `packages` map): a
/// breadth-first walk from the project (and its workspace folders) along each package's
/// `dependencies`, resolved the way Node resolves them, from the nearest `node_modules` up.
fn npm_paths(packages: &json::Node, targets: &[&str]) -> Vec<Vec<String>> {
    use std::collections::{BTreeMap, VecDeque};
    let entries: BTreeMap<&str, &json::Node> = packages
        .members()
        .iter()
        .map(|m| (m.key.as_str(), &m.value))
        .collect();
    let name_of = |path: &str| {
        let at = path
            .rfind("node_modules/")
            .map_or(0, |at| at + "node_modules/".len());
        entries
            .get(path)
            .and_then(|e| e.get("name"))
            .and_then(json::Node::as_str)
            .map_or_else(|| path[at..].to_owned(), str::to_owned)
    };
    // Where `name`, required by the package installed at `from`, is installed.
    let resolve = |from: &str, name: &str| -> Option<String> {
        let mut dir = from.to_owned();
        loop {
            let candidate = if dir.is_empty() {
                format!("node_modules/{name}")
            } else {
                format!("{dir}/node_modules/{name}")
            };
            if entries.contains_key(candidate.as_str()) {
                return Some(candidate);
            }
            if dir.is_empty() {
                return None;
            }
            dir = match dir.rfind("node_modules/") {
                Some(at) => dir[..at].trim_end_matches('/').to_owned(),
                None => String::new(),
            };
        }
    };
    let mut parent: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut queue = VecDeque::new();
    for path in entries.keys().filter(|k| !k.contains("node_modules/")) {
        parent.insert((*path).to_owned(), None);
        queue.push_back((*path).to_owned());
    }
    while let Some(at) = queue.pop_front() {
        let Some(entry) = entries.get(at.as_str()) else {
            continue;
        };
        let mut sections = vec!["dependencies", "optionalDependencies", "peerDependencies"];
        if !at.contains("node_modules/") {
            sections.push("devDependencies");
        }
        for section in sections {
            for dep in entry
                .get(section)
                .map(json::Node::members)
                .unwrap_or_default()
            {
                if let Some(found) = resolve(&at, &dep.key)
                    && !parent.contains_key(&found)
                {
                    parent.insert(found.clone(), Some(at.clone()));
                    queue.push_back(found);
                }
            }
        }
    }
    targets
        .iter()
        .map(|target| {
            let mut chain = Vec::new();
            let mut at = parent.get(*target).cloned().flatten();
            while let Some(path) = at {
                if !path.contains("node_modules/") {
                    break; // the project itself
                }
                if chain.len() == MAX_PATH_LEN {
                    chain.push(ELIDED.to_owned());
                    break;
                }
                chain.push(name_of(&path));
                at = parent.get(&path).cloned().flatten();
            }
            chain.reverse();
            chain
        })
        .collect()
}

fn npm_v1(deps: &json::Node, via: &[String], out: &mut Vec<Locked>) {
    for member in deps.members() {
        let entry = &member.value;
        if let Some(version) = entry.get("version")
            && let Some(text) = version.as_str()
            && !text.contains(':')
        {
            out.push(Locked {
                ecosystem: Ecosystem::Npm,
                name: member.key.clone(),
                version: text.to_owned(),
                span: member.key_span.start..version.span.end.max(member.key_span.end),
                via: via.to_vec(),
                indirect: false,
            });
        }
        if let Some(nested) = entry.get("dependencies") {
            // A package nested under another is there because that one needs it. Depth is
            // bounded by the JSON parser's own nesting limit.
            let mut inner = via.to_vec();
            inner.push(member.key.clone());
            npm_v1(nested, &inner, out);
        }
    }
}

/// The dependency path of every package in a graph: a breadth-first walk from `roots` (the
/// project's direct dependencies, whose path is empty) along `edges`, each reached package's
/// path being its parent's path plus the parent. Packages not reached get an empty path.
pub(crate) fn via_paths(
    names: &[String],
    roots: &[usize],
    edges: &[Vec<usize>],
) -> Vec<Vec<String>> {
    use std::collections::VecDeque;
    let mut parent: Vec<Option<Option<usize>>> = vec![None; names.len()];
    let mut queue = VecDeque::new();
    for &root in roots {
        if root < names.len() && parent[root].is_none() {
            parent[root] = Some(None);
            queue.push_back(root);
        }
    }
    while let Some(at) = queue.pop_front() {
        for &next in edges.get(at).map(Vec::as_slice).unwrap_or_default() {
            if next < names.len() && parent[next].is_none() {
                parent[next] = Some(Some(at));
                queue.push_back(next);
            }
        }
    }
    (0..names.len())
        .map(|i| {
            let mut chain = Vec::new();
            let mut at = parent[i].flatten();
            while let Some(p) = at {
                if chain.len() == MAX_PATH_LEN {
                    chain.push(ELIDED.to_owned());
                    break;
                }
                chain.push(names[p].clone());
                at = parent[p].flatten();
            }
            chain.reverse();
            chain
        })
        .collect()
}

/// A package a test read: (name, version, line, dependency path joined with ` > `).
#[cfg(test)]
pub(super) type Row = (String, String, u32, String);

/// What a test reads from `text` as a file at `path`: its packages, and the line of the
/// problem reported, if any.
#[cfg(test)]
pub(super) fn read_rows(path: &str, text: &str) -> (Vec<Row>, Option<u32>) {
    let src = Source::new(
        path,
        crate::source::FileKind::detect(path, b""),
        text.as_bytes(),
    );
    let read = locked(&src);
    let found = read
        .locked
        .into_iter()
        .map(|l| {
            let line = src.position(l.span.start).line;
            (l.name, l.version, line, l.via.join(" > "))
        })
        .collect();
    (found, read.problem.and_then(|p| p.line))
}

#[cfg(test)]
pub(super) fn row(name: &str, version: &str, line: u32, via: &str) -> Row {
    (name.to_owned(), version.to_owned(), line, via.to_owned())
}

/// Lines of a text file with their byte offsets (without the line terminator).
pub(crate) fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    bytes.split(|&b| b == b'\n').map(move |line| {
        let start = offset;
        offset += line.len() + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        (start, std::str::from_utf8(line).unwrap_or(""))
    })
}

/// The package name of a yarn or npm specifier `name@range`, following `npm:` aliases.
fn name_of_specifier(spec: &str) -> Option<&str> {
    let spec = spec.trim().trim_matches('"');
    let at = spec.get(1..)?.find('@')? + 1;
    let (name, range) = (&spec[..at], &spec[at + 1..]);
    if let Some(real) = range.strip_prefix("npm:")
        && let Some(real_at) = real.get(1..).and_then(|r| r.find('@'))
    {
        return Some(&real[..real_at + 1]);
    }
    if ["workspace:", "link:", "portal:", "file:", "exec:"]
        .iter()
        .any(|p| range.starts_with(p))
    {
        return None;
    }
    (!name.is_empty()).then_some(name)
}

/// One block of a yarn.lock: the specifiers of its header, the package it resolves (none for
/// a workspace or a link), its version line and the dependencies it lists.
struct YarnBlock {
    specifiers: Vec<String>,
    name: Option<String>,
    start: usize,
    version: Option<(String, usize)>,
    deps: Vec<(String, String)>,
    workspace: bool,
}

/// `yarn.lock`, v1 (`version "1.0.0"`, `dep "^1"`) and Berry (`version: 1.0.0`,
/// `dep: "npm:^1"`). Dependency paths: Berry records the workspaces, whose dependencies are
/// the direct ones; v1 does not, so what nothing else in the lockfile requires is taken as
/// direct (a package the project also requires itself may then show a path through another).
fn yarn_lock(src: &Source, out: &mut Vec<Locked>) {
    let mut blocks: Vec<YarnBlock> = Vec::new();
    let mut in_deps = false;
    for (start, line) in lines(src.bytes) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if indent == 0 {
            in_deps = false;
            let Some(header) = trimmed.strip_suffix(':') else {
                continue;
            };
            let specifiers: Vec<String> = header
                .split(',')
                .map(|s| s.trim().trim_matches('"').to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            let name = specifiers
                .first()
                .and_then(|s| name_of_specifier(s))
                .filter(|name| *name != "__metadata")
                .map(str::to_owned);
            let workspace = specifiers.iter().any(|s| s.contains("@workspace:"));
            blocks.push(YarnBlock {
                specifiers,
                name,
                start,
                version: None,
                deps: Vec::new(),
                workspace,
            });
            continue;
        }
        let Some(block) = blocks.last_mut() else {
            continue;
        };
        if indent == 2 {
            in_deps = matches!(trimmed, "dependencies:" | "optionalDependencies:");
            let value = trimmed
                .strip_prefix("version:")
                .or_else(|| trimmed.strip_prefix("version "));
            if let Some(value) = value
                && block.version.is_none()
            {
                let version = value.trim().trim_matches('"');
                if !version.is_empty() {
                    block.version = Some((version.to_owned(), start + line.len()));
                }
            }
        } else if indent == 4 && in_deps {
            // `"@scope/dep" "^1"` (v1) or `"@scope/dep": "npm:^1"` / `dep: ^1` (Berry).
            let (key, rest) = match trimmed.strip_prefix('"') {
                Some(quoted) => match quoted.split_once('"') {
                    Some((key, rest)) => (key, rest),
                    None => continue,
                },
                None => match trimmed.find([' ', ':']) {
                    Some(at) => (&trimmed[..at], &trimmed[at..]),
                    None => continue,
                },
            };
            let range = rest.trim_start_matches(':').trim().trim_matches('"');
            block.deps.push((key.to_owned(), range.to_owned()));
        }
    }
    let mut by_specifier: std::collections::BTreeMap<&str, usize> = Default::default();
    for (i, block) in blocks.iter().enumerate() {
        for spec in &block.specifiers {
            by_specifier.entry(spec.as_str()).or_insert(i);
        }
    }
    let edges: Vec<Vec<usize>> = blocks
        .iter()
        .map(|b| {
            b.deps
                .iter()
                .filter_map(|(name, range)| {
                    by_specifier
                        .get(format!("{name}@{range}").as_str())
                        .or_else(|| by_specifier.get(format!("{name}@npm:{range}").as_str()))
                        .copied()
                })
                .collect()
        })
        .collect();
    let roots: Vec<usize> = if blocks.iter().any(|b| b.workspace) {
        (0..blocks.len())
            .filter(|&i| blocks[i].workspace)
            .flat_map(|i| edges[i].clone())
            .collect()
    } else {
        let mut required = vec![false; blocks.len()];
        for &j in edges.iter().flatten() {
            required[j] = true;
        }
        (0..blocks.len()).filter(|&i| !required[i]).collect()
    };
    let names: Vec<String> = blocks
        .iter()
        .map(|b| {
            if b.workspace {
                String::new()
            } else {
                b.name.clone().unwrap_or_default()
            }
        })
        .collect();
    let via = via_paths(&names, &roots, &edges);
    for (block, via) in blocks.into_iter().zip(via) {
        let (Some(name), Some((version, end))) = (block.name, block.version) else {
            continue;
        };
        out.push(Locked {
            ecosystem: Ecosystem::Npm,
            name,
            version,
            span: block.start..end,
            via: via.into_iter().filter(|n| !n.is_empty()).collect(),
            indirect: false,
        });
    }
}

fn pnpm_lock(src: &Source, out: &mut Vec<Locked>) {
    let mut in_packages = false;
    for (start, line) in lines(src.bytes) {
        if !line.starts_with(' ') && !line.is_empty() {
            in_packages = line.trim_end() == "packages:";
            continue;
        }
        let bytes = line.as_bytes();
        if !in_packages || bytes.len() < 3 || !bytes.starts_with(b"  ") || bytes[2] == b' ' {
            continue;
        }
        let Some(key) = line.trim().strip_suffix(':') else {
            continue;
        };
        let key = key.trim_matches(|c| c == '\'' || c == '"');
        let key = key.strip_prefix('/').unwrap_or(key);
        // Peer-dependency suffixes: `(react@18.2.0)` (v6+) or `_react@18.2.0` (v5).
        let key = key.split('(').next().unwrap_or(key);
        // v5: `name/version`, `@scope/name/version`; v6+: `name@version`, `@scope/name@version`.
        let parsed = pnpm_v5_key(key).or_else(|| {
            let at = key.get(1..)?.rfind('@')? + 1;
            Some((&key[..at], &key[at + 1..]))
        });
        let Some((name, version)) = parsed else {
            continue;
        };
        let version = version.split('_').next().unwrap_or(version);
        if name.is_empty() || version.is_empty() || name.contains(':') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        out.push(Locked {
            ecosystem: Ecosystem::Npm,
            name: name.to_owned(),
            version: version.to_owned(),
            span: start + indent..start + line.trim_end().len(),
            via: Vec::new(),
            indirect: false,
        });
    }
}

/// Fills in `via` for pnpm-lock.yaml: the importers' (or, before v6 workspaces, the
/// top-level) `dependencies`, `devDependencies` and `optionalDependencies` are the direct
/// ones, and each entry of `packages` (v5, v6) or `snapshots` (v9) lists its own.
fn pnpm_paths(src: &Source, locked: &mut [Locked]) {
    use std::collections::BTreeMap;
    // A `name@version` key without peer suffixes, from a name and a version as written.
    let key = |name: &str, version: &str| {
        let version = version.trim().trim_matches(|c| c == '\'' || c == '"');
        let version = version.split('(').next().unwrap_or(version);
        let version = version.split('_').next().unwrap_or(version);
        format!(
            "{}@{version}",
            name.trim().trim_matches(|c| c == '\'' || c == '"')
        )
    };
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut edges: Vec<Vec<String>> = Vec::new();
    let mut roots: Vec<String> = Vec::new();
    let mut section = String::new();
    let mut in_deps = false;
    let mut current: Option<usize> = None;
    // A direct dependency written `name:` with its `version:` on a later line.
    let mut pending_root: Option<String> = None;
    for (_, line) in lines(src.bytes) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let (k, v) = match trimmed.split_once(": ") {
            Some((k, v)) => (k, v.trim()),
            None => (trimmed.trim_end_matches(':'), ""),
        };
        if indent == 0 {
            section = k.to_owned();
            in_deps = false;
            current = None;
            pending_root = None;
            continue;
        }
        let dep_header = matches!(
            k,
            "dependencies" | "devDependencies" | "optionalDependencies"
        ) && v.is_empty();
        match section.as_str() {
            "importers" | "dependencies" | "devDependencies" | "optionalDependencies" => {
                // importers: 2 = project, 4 = section, 6 = name, 8 = version;
                // top level: 0 = section, 2 = name, 4 = version.
                let (name_at, version_at) = if section == "importers" {
                    (6, 8)
                } else {
                    (2, 4)
                };
                if section == "importers" && indent == 4 {
                    in_deps = dep_header;
                } else if section != "importers" {
                    in_deps = true;
                }
                if !in_deps {
                    continue;
                }
                if indent == name_at {
                    if v.is_empty() {
                        pending_root = Some(k.to_owned());
                    } else {
                        roots.push(key(k, v));
                        pending_root = None;
                    }
                } else if indent == version_at
                    && k == "version"
                    && let Some(name) = pending_root.take()
                {
                    roots.push(key(&name, v));
                }
            }
            "packages" | "snapshots" => {
                if indent == 2 {
                    let package = k.trim_matches(|c| c == '\'' || c == '"');
                    let package = package.strip_prefix('/').unwrap_or(package);
                    let package = package.split('(').next().unwrap_or(package);
                    let parsed = pnpm_v5_key(package).or_else(|| {
                        let at = package.get(1..)?.rfind('@')? + 1;
                        Some((&package[..at], &package[at + 1..]))
                    });
                    current = parsed.map(|(name, version)| {
                        let node = key(name, version);
                        let next = names.len();
                        let i = *index.entry(node).or_insert(next);
                        if i == next {
                            names.push(name.to_owned());
                            edges.push(Vec::new());
                        }
                        i
                    });
                    in_deps = false;
                } else if indent == 4 {
                    in_deps = dep_header;
                } else if indent == 6
                    && in_deps
                    && let Some(i) = current
                    && !v.is_empty()
                {
                    edges[i].push(key(k, v));
                }
            }
            _ => {}
        }
    }
    let edges: Vec<Vec<usize>> = edges
        .iter()
        .map(|e| e.iter().filter_map(|k| index.get(k).copied()).collect())
        .collect();
    let roots: Vec<usize> = roots.iter().filter_map(|k| index.get(k).copied()).collect();
    let via = via_paths(&names, &roots, &edges);
    for entry in locked {
        if let Some(&i) = index.get(&key(&entry.name, &entry.version)) {
            entry.via = via[i].clone();
        }
    }
}

/// A pnpm v5 package key, `name/version` or `@scope/name/version` (the version may carry a
/// `_peer@…` suffix).
fn pnpm_v5_key(key: &str) -> Option<(&str, &str)> {
    let start = if key.starts_with('@') {
        key.find('/')? + 1
    } else {
        0
    };
    let slash = start + key.get(start..)?.find('/')?;
    let (name, version) = (&key[..slash], &key[slash + 1..]);
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some((name, version))
}

/// `[[package]]` tables with `name` and `version` (Cargo.lock, poetry.lock, pdm.lock, uv.lock).
fn toml_packages(
    src: &Source,
    ecosystem: Ecosystem,
    out: &mut Vec<Locked>,
) -> Result<(), Unparsed> {
    let doc = super::parse_toml_source(src)?;
    let Some(packages) = table_get(doc.get_ref(), "package") else {
        return Ok(());
    };
    let DeValue::Array(packages) = packages.get_ref() else {
        return Ok(());
    };
    let first = out.len();
    for package in packages {
        let DeValue::Table(table) = package.get_ref() else {
            continue;
        };
        let (Some(name), Some(version)) = (table_get(table, "name"), table_get(table, "version"))
        else {
            continue;
        };
        let (Some(name_text), Some(version_text)) = (toml_str(name), toml_str(version)) else {
            continue;
        };
        if !from_registry(ecosystem, table) {
            continue;
        }
        let (a, b) = (name.span(), version.span());
        out.push(Locked {
            ecosystem,
            name: name_text.to_owned(),
            version: version_text.to_owned(),
            span: a.start.min(b.start)..a.end.max(b.end),
            via: Vec::new(),
            indirect: false,
        });
    }
    if ecosystem == Ecosystem::CratesIo {
        cargo_paths(packages, &mut out[first..]);
    } else {
        python_paths(packages, &mut out[first..]);
    }
    Ok(())
}

/// Fills in `via` for poetry.lock, uv.lock and pdm.lock, from each package's dependencies:
/// uv's `dependencies = [{ name = … }]` (and its optional and dev groups), poetry's
/// `[package.dependencies]` table, pdm's `dependencies = ["name>=1", …]`. uv records the
/// project itself (an editable or virtual source), whose dependencies are the direct ones;
/// poetry and pdm do not, so there the packages nothing else in the lockfile requires are taken
/// as the direct ones (a package the project also requires itself may then show a path through
/// another).
fn python_paths(packages: &[Spanned<DeValue>], locked: &mut [Locked]) {
    use std::collections::BTreeMap;
    let normalize = |name: &str| Ecosystem::PyPI.normalize_name(name);
    let mut names: Vec<String> = Vec::new();
    let mut deps: Vec<Vec<String>> = Vec::new();
    let mut project: Vec<bool> = Vec::new();
    for package in packages {
        let DeValue::Table(table) = package.get_ref() else {
            continue;
        };
        let Some(name) = table_get(table, "name").and_then(toml_str) else {
            continue;
        };
        let mut wanted = Vec::new();
        let mut collect = |value: &DeValue| match value {
            // uv: [{ name = "x" }, …]; pdm: ["x>=1", …]
            DeValue::Array(items) => {
                for item in items {
                    match item.get_ref() {
                        DeValue::Table(t) => {
                            wanted.extend(table_get(t, "name").and_then(toml_str).map(normalize))
                        }
                        DeValue::String(req) => {
                            let end = req
                                .find(|c: char| {
                                    !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                                })
                                .unwrap_or(req.len());
                            wanted.push(normalize(&req[..end]));
                        }
                        _ => {}
                    }
                }
            }
            // poetry: { name = "constraint" | { version = … } }
            DeValue::Table(t) => wanted.extend(t.iter().map(|(k, _)| normalize(k.get_ref()))),
            _ => {}
        };
        if let Some(value) = table_get(table, "dependencies") {
            collect(value.get_ref());
        }
        for groups in ["optional-dependencies", "dev-dependencies"] {
            if let Some(DeValue::Table(groups)) = table_get(table, groups).map(Spanned::get_ref) {
                for (_, group) in groups.iter() {
                    collect(group.get_ref());
                }
            }
        }
        let is_project = match table_get(table, "source").map(Spanned::get_ref) {
            Some(DeValue::Table(t)) => {
                table_get(t, "editable").is_some() || table_get(t, "virtual").is_some()
            }
            _ => false,
        };
        names.push(normalize(name));
        deps.push(wanted);
        project.push(is_project);
    }
    let index: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = deps
        .iter()
        .map(|d| {
            d.iter()
                .filter_map(|n| index.get(n.as_str()).copied())
                .collect()
        })
        .collect();
    let roots: Vec<usize> = if project.iter().any(|p| *p) {
        // The project's own dependencies are the direct ones.
        (0..names.len())
            .filter(|&i| project[i])
            .flat_map(|i| edges[i].clone())
            .collect()
    } else {
        let mut required = vec![false; names.len()];
        for &j in edges.iter().flatten() {
            required[j] = true;
        }
        (0..names.len()).filter(|&i| !required[i]).collect()
    };
    let via = via_paths(&names, &roots, &edges);
    for entry in locked {
        if let Some(&i) = index.get(normalize(&entry.name).as_str()) {
            entry.via = via[i]
                .iter()
                .filter(|n| !project[index[n.as_str()]])
                .cloned()
                .collect();
        }
    }
}

/// Fills in `via` for Cargo.lock's registry packages: a breadth-first walk from the workspace
/// members (the packages without a `source`) along each package's `dependencies`.
fn cargo_paths(packages: &[Spanned<DeValue>], locked: &mut [Locked]) {
    use std::collections::{BTreeMap, VecDeque};
    // (name, version, is a workspace member, dependencies as written: `name` or `name version…`)
    let mut nodes: Vec<(&str, &str, bool, Vec<&str>)> = Vec::new();
    for package in packages {
        let DeValue::Table(table) = package.get_ref() else {
            continue;
        };
        let (Some(name), Some(version)) = (
            table_get(table, "name").and_then(toml_str),
            table_get(table, "version").and_then(toml_str),
        ) else {
            continue;
        };
        let deps = match table_get(table, "dependencies").map(Spanned::get_ref) {
            Some(DeValue::Array(deps)) => deps.iter().filter_map(toml_str).collect(),
            _ => Vec::new(),
        };
        nodes.push((name, version, table_get(table, "source").is_none(), deps));
    }
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, node) in nodes.iter().enumerate() {
        by_name.entry(node.0).or_default().push(i);
    }
    let find = |name: &str, version: Option<&str>| -> Option<usize> {
        by_name
            .get(name)?
            .iter()
            .copied()
            .find(|&i| version.is_none_or(|v| v == nodes[i].1))
    };
    let resolve = |dep: &str| {
        let mut parts = dep.split_whitespace();
        find(parts.next()?, parts.next())
    };
    let mut parent: BTreeMap<usize, Option<usize>> = BTreeMap::new();
    let mut queue = VecDeque::new();
    for i in (0..nodes.len()).filter(|&i| nodes[i].2) {
        parent.insert(i, None);
        queue.push_back(i);
    }
    while let Some(at) = queue.pop_front() {
        for dep in &nodes[at].3 {
            if let Some(found) = resolve(dep)
                && !parent.contains_key(&found)
            {
                parent.insert(found, Some(at));
                queue.push_back(found);
            }
        }
    }
    for entry in locked {
        let Some(index) = find(&entry.name, Some(&entry.version)) else {
            continue;
        };
        let mut chain = Vec::new();
        let mut at = parent.get(&index).copied().flatten();
        while let Some(i) = at {
            if nodes[i].2 {
                break; // a workspace member: the project itself
            }
            if chain.len() == MAX_PATH_LEN {
                chain.push(ELIDED.to_owned());
                break;
            }
            chain.push(nodes[i].0.to_owned());
            at = parent.get(&i).copied().flatten();
        }
        chain.reverse();
        entry.via = chain;
    }
}

/// False for packages built from a path, a git checkout or the project itself: an advisory for
/// a registry package of the same name says nothing about them.
fn from_registry(ecosystem: Ecosystem, table: &DeTable) -> bool {
    let Some(source) = table_get(table, "source") else {
        // Cargo.lock: no source means a workspace member or a path dependency.
        return ecosystem != Ecosystem::CratesIo;
    };
    match source.get_ref() {
        // Cargo.lock: `registry+https://…` or `sparse+https://…`; `git+…` is a checkout.
        DeValue::String(s) => s.starts_with("registry+") || s.starts_with("sparse+"),
        // uv.lock: `{ registry = "…" }` vs `{ editable = "." }`, `{ git = … }`, …;
        // poetry.lock: `[package.source] type = "git" | "directory" | "file" | "url" | "legacy"`.
        DeValue::Table(t) => {
            if let Some(kind) = table_get(t, "type").and_then(toml_str) {
                return kind == "legacy";
            }
            table_get(t, "registry").is_some()
        }
        _ => false,
    }
}

fn pipfile_lock(src: &Source, out: &mut Vec<Locked>) -> Result<(), Unparsed> {
    let doc = json::parse(src.bytes).map_err(|e| e.unparsed(src))?;
    for section in ["default", "develop"] {
        let Some(packages) = doc.get(section) else {
            continue;
        };
        for member in packages.members() {
            let Some(version) = member.value.get("version") else {
                continue; // git and path entries carry no version
            };
            let Some(text) = version.as_str().and_then(|v| v.strip_prefix("==")) else {
                continue;
            };
            out.push(Locked {
                ecosystem: Ecosystem::PyPI,
                name: member.key.clone(),
                version: text.trim().to_owned(),
                span: member.key_span.start..version.span.end.max(member.key_span.end),
                via: Vec::new(),
                indirect: false,
            });
        }
    }
    Ok(())
}

fn requirements_pins(src: &Source, out: &mut Vec<Locked>) {
    for requirement in super::manifest::requirement_lines(src.bytes) {
        if let Some(version) = requirement.exact_version() {
            out.push(Locked {
                ecosystem: Ecosystem::PyPI,
                name: requirement.name.clone(),
                version: version.to_owned(),
                span: requirement.span.clone(),
                via: Vec::new(),
                indirect: false,
            });
        }
    }
}

fn go_mod(src: &Source, out: &mut Vec<Locked>) {
    let mut required = Vec::new();
    let mut replaced: Vec<String> = Vec::new();
    let mut block: Option<&str> = None;
    for (start, raw) in lines(src.bytes) {
        let code = raw.split("//").next().unwrap_or(raw);
        let trimmed = code.trim();
        if trimmed.is_empty() {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let (verb, rest) = match block {
            Some(verb) => {
                if trimmed == ")" {
                    block = None;
                    continue;
                }
                (verb, trimmed)
            }
            None => {
                let (verb, rest) = trimmed
                    .split_once(char::is_whitespace)
                    .unwrap_or((trimmed, ""));
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(match verb {
                        "require" => "require",
                        "replace" => "replace",
                        _ => "other",
                    });
                    continue;
                }
                (verb, rest)
            }
        };
        let span = start + indent..start + code.trim_end().len();
        match verb {
            "require" => {
                let mut words = rest.split_whitespace();
                if let (Some(module), Some(version)) = (words.next(), words.next()) {
                    required.push(Locked {
                        ecosystem: Ecosystem::Go,
                        name: unquote(module).to_owned(),
                        version: unquote(version).to_owned(),
                        span,
                        via: Vec::new(),
                        // `// indirect`: required by another module, which go.mod does not name.
                        indirect: raw
                            .split_once("//")
                            .is_some_and(|(_, comment)| comment.trim().starts_with("indirect")),
                    });
                }
            }
            "replace" => {
                let Some((old, new)) = rest.split_once("=>") else {
                    continue;
                };
                if let Some(module) = old.split_whitespace().next() {
                    replaced.push(unquote(module).to_owned());
                }
                // A replacement by another module version is what gets built.
                let mut words = new.split_whitespace();
                if let (Some(module), Some(version)) = (words.next(), words.next()) {
                    out.push(Locked {
                        ecosystem: Ecosystem::Go,
                        name: unquote(module).to_owned(),
                        version: unquote(version).to_owned(),
                        span,
                        via: Vec::new(),
                        indirect: false,
                    });
                }
            }
            _ => {}
        }
    }
    // A replaced module is not built from the version `require` names.
    required.retain(|r| !replaced.contains(&r.name));
    out.extend(required);
    out.sort_by_key(|l| l.span.start);
}

fn unquote(text: &str) -> &str {
    text.trim_matches(|c| c == '"' || c == '`')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    fn locked_in(path: &str, text: &str) -> Vec<(String, String, String)> {
        let src = Source::new(path, FileKind::detect(path, b""), text.as_bytes());
        locked(&src)
            .locked
            .into_iter()
            .map(|l| {
                let line = src.position(l.span.start).line;
                (l.name, l.version, format!("{line}"))
            })
            .collect()
    }

    fn triple(name: &str, version: &str, line: u32) -> (String, String, String) {
        (name.to_owned(), version.to_owned(), line.to_string())
    }

    #[test]
    fn package_lock_v3_packages() {
        let text = r#"{
  "name": "app",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "app", "version": "1.0.0" },
    "node_modules/lodash": {
      "version": "4.17.20",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz"
    },
    "node_modules/@babel/core": { "version": "7.0.0" },
    "node_modules/a/node_modules/lodash": { "version": "3.10.1" },
    "node_modules/alias": { "name": "real-pkg", "version": "2.0.0" },
    "packages/web": { "version": "0.1.0" },
    "node_modules/web": { "resolved": "packages/web", "link": true }
  }
}"#;
        assert_eq!(
            locked_in("package-lock.json", text),
            vec![
                triple("lodash", "4.17.20", 6),
                triple("@babel/core", "7.0.0", 10),
                triple("lodash", "3.10.1", 11),
                triple("real-pkg", "2.0.0", 12),
            ]
        );
    }

    fn via_in(path: &str, text: &str) -> Vec<(String, String)> {
        let src = Source::new(path, FileKind::detect(path, b""), text.as_bytes());
        locked(&src)
            .locked
            .into_iter()
            .map(|l| (format!("{} {}", l.name, l.version), l.via.join(" > ")))
            .collect()
    }

    fn pair(package: &str, via: &str) -> (String, String) {
        (package.to_owned(), via.to_owned())
    }

    #[test]
    fn dependency_paths_of_transitive_packages() {
        // Hoisted and nested packages are traced from the project (and its workspace folders)
        // the way Node resolves them; a direct dependency has no path.
        let npm = r#"{
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "app", "dependencies": { "express": "^4" }, "devDependencies": { "jest": "^29" } },
    "node_modules/express": { "version": "4.0.0", "dependencies": { "body-parser": "^1", "qs": "^6" } },
    "node_modules/body-parser": { "version": "1.0.0", "dependencies": { "qs": "^5" } },
    "node_modules/body-parser/node_modules/qs": { "version": "5.0.0" },
    "node_modules/qs": { "version": "6.0.0" },
    "node_modules/jest": { "version": "29.0.0", "dependencies": { "@jest/core": "^29" } },
    "node_modules/@jest/core": { "version": "29.0.0" },
    "node_modules/orphan": { "version": "1.0.0" },
    "packages/tool": { "dependencies": { "left-pad": "^1" } },
    "node_modules/left-pad": { "version": "1.3.0" }
  }
}"#;
        assert_eq!(
            via_in("package-lock.json", npm),
            vec![
                pair("express 4.0.0", ""),
                pair("body-parser 1.0.0", "express"),
                pair("qs 5.0.0", "express > body-parser"),
                pair("qs 6.0.0", "express"),
                pair("jest 29.0.0", ""),
                pair("@jest/core 29.0.0", "jest"),
                pair("orphan 1.0.0", ""),
                pair("left-pad 1.3.0", ""),
            ]
        );
        let v1 = r#"{"lockfileVersion": 1, "dependencies": {
  "a": { "version": "1.0.0", "dependencies": { "b": { "version": "2.0.0",
    "dependencies": { "c": { "version": "3.0.0" } } } } } }}"#;
        assert_eq!(
            via_in("package-lock.json", v1),
            vec![
                pair("a 1.0.0", ""),
                pair("b 2.0.0", "a"),
                pair("c 3.0.0", "a > b")
            ]
        );
        let cargo = "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"reqwest\", \"smallvec 1.0.0\"]\n\n[[package]]\nname = \"reqwest\"\nversion = \"0.11.0\"\nsource = \"registry+x\"\ndependencies = [\"hyper\"]\n\n[[package]]\nname = \"hyper\"\nversion = \"0.14.0\"\nsource = \"registry+x\"\ndependencies = [\"smallvec 0.6.9\"]\n\n[[package]]\nname = \"smallvec\"\nversion = \"0.6.9\"\nsource = \"registry+x\"\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\n";
        assert_eq!(
            via_in("Cargo.lock", cargo),
            vec![
                pair("reqwest 0.11.0", ""),
                pair("hyper 0.14.0", "reqwest"),
                pair("smallvec 0.6.9", "reqwest > hyper"),
                pair("smallvec 1.0.0", ""),
            ]
        );
    }

    #[test]
    fn python_lockfile_and_go_mod_paths() {
        let uv = "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\ndependencies = [\n    { name = \"flask\" },\n]\n\n[package.dev-dependencies]\ndev = [{ name = \"pytest\" }]\n\n[[package]]\nname = \"flask\"\nversion = \"2.0.0\"\nsource = { registry = \"https://pypi.org/simple\" }\ndependencies = [{ name = \"werkzeug\" }, { name = \"jinja2\" }]\n\n[[package]]\nname = \"jinja2\"\nversion = \"3.0.0\"\nsource = { registry = \"https://pypi.org/simple\" }\ndependencies = [{ name = \"markupsafe\" }]\n\n[[package]]\nname = \"markupsafe\"\nversion = \"2.0.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n[[package]]\nname = \"werkzeug\"\nversion = \"2.0.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n[[package]]\nname = \"pytest\"\nversion = \"7.0.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        let rows = read_rows("uv.lock", uv).0;
        let paths: Vec<(&str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.3.as_str())).collect();
        assert_eq!(
            paths,
            vec![
                ("flask", ""),
                ("jinja2", "flask"),
                ("markupsafe", "flask > jinja2"),
                ("werkzeug", "flask"),
                ("pytest", ""),
            ]
        );
        // poetry.lock does not record the project: what nothing else requires is direct.
        let poetry = "[[package]]\nname = \"Flask\"\nversion = \"2.0.0\"\n\n[package.dependencies]\nWerkzeug = \">=2.0\"\nJinja2 = {version = \">=3.0\", markers = \"python_version >= '3.7'\"}\n\n[[package]]\nname = \"jinja2\"\nversion = \"3.0.0\"\n\n[package.dependencies]\nMarkupSafe = \">=2.0\"\n\n[[package]]\nname = \"markupsafe\"\nversion = \"2.0.0\"\n\n[[package]]\nname = \"werkzeug\"\nversion = \"2.0.0\"\n";
        let rows = read_rows("poetry.lock", poetry).0;
        let paths: Vec<(&str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.3.as_str())).collect();
        assert_eq!(
            paths,
            vec![
                ("Flask", ""),
                ("jinja2", "flask"),
                ("markupsafe", "flask > jinja2"),
                ("werkzeug", "flask"),
            ]
        );
        let pdm = "[[package]]\nname = \"requests\"\nversion = \"2.25.0\"\ndependencies = [\n    \"urllib3<1.27,>=1.21.1\",\n    \"idna>=2.5\",\n]\n\n[[package]]\nname = \"urllib3\"\nversion = \"1.26.0\"\n\n[[package]]\nname = \"idna\"\nversion = \"2.10\"\n";
        let rows = read_rows("pdm.lock", pdm).0;
        assert_eq!(rows[1], row("urllib3", "1.26.0", 10, "requests"));
        // go.mod's `// indirect` modules are marked; their path is not in go.mod.
        let go = "module example.com/app\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.5.0\n\tgolang.org/x/text v0.3.7 // indirect\n)\n";
        let src = Source::new("go.mod", FileKind::detect("go.mod", b""), go.as_bytes());
        let indirect: Vec<(String, bool)> = locked(&src)
            .locked
            .into_iter()
            .map(|l| (l.name, l.indirect))
            .collect();
        assert_eq!(
            indirect,
            vec![
                ("github.com/gin-gonic/gin".to_owned(), false),
                ("golang.org/x/text".to_owned(), true)
            ]
        );
    }

    #[test]
    fn package_lock_v1_nested_dependencies() {
        let text = r#"{
  "lockfileVersion": 1,
  "dependencies": {
    "lodash": { "version": "4.17.20" },
    "a": {
      "version": "1.0.0",
      "dependencies": { "lodash": { "version": "3.10.1" } }
    },
    "b": { "version": "github:user/b#abc" }
  }
}"#;
        assert_eq!(
            locked_in("npm-shrinkwrap.json", text),
            vec![
                triple("lodash", "4.17.20", 4),
                triple("a", "1.0.0", 5),
                triple("lodash", "3.10.1", 7),
            ]
        );
    }

    #[test]
    fn yarn_v1_and_berry() {
        let v1 = "# THIS IS AN AUTOGENERATED FILE.\n\n\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n  version \"7.12.13\"\n  resolved \"https://x\"\n  dependencies:\n    \"@babel/highlight\" \"^7.12.13\"\n\nlodash@^4.17.19:\n  version \"4.17.20\"\n\nstring-width-cjs@npm:string-width@^4.2.0:\n  version \"4.2.3\"\n";
        assert_eq!(
            locked_in("yarn.lock", v1),
            vec![
                triple("@babel/code-frame", "7.12.13", 3),
                triple("lodash", "4.17.20", 9),
                triple("string-width", "4.2.3", 12),
            ]
        );
        let berry = "__metadata:\n  version: 6\n\n\"lodash@npm:^4.17.19\":\n  version: 4.17.20\n  resolution: \"lodash@npm:4.17.20\"\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n";
        assert_eq!(
            locked_in("yarn.lock", berry),
            vec![triple("lodash", "4.17.20", 4)]
        );
    }

    #[test]
    fn yarn_dependency_paths() {
        let v1 = "express@^4.17.1:\n  version \"4.17.1\"\n  dependencies:\n    body-parser \"1.19.0\"\n    qs \"6.7.0\"\n\nbody-parser@1.19.0:\n  version \"1.19.0\"\n  dependencies:\n    qs \"6.7.0\"\n\nqs@6.7.0:\n  version \"6.7.0\"\n\n\"@types/node@^18\":\n  version \"18.0.0\"\n";
        let paths: Vec<(String, String)> = read_rows("yarn.lock", v1)
            .0
            .into_iter()
            .map(|r| (r.0, r.3))
            .collect();
        assert_eq!(
            paths,
            vec![
                ("express".to_owned(), "".to_owned()),
                ("body-parser".to_owned(), "express".to_owned()),
                ("qs".to_owned(), "express".to_owned()),
                ("@types/node".to_owned(), "".to_owned()),
            ]
        );
        let berry = "__metadata:\n  version: 6\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n  dependencies:\n    express: \"npm:^4.17.1\"\n  languageName: unknown\n\n\"express@npm:^4.17.1\":\n  version: 4.17.1\n  resolution: \"express@npm:4.17.1\"\n  dependencies:\n    qs: \"npm:6.7.0\"\n\n\"qs@npm:6.7.0\":\n  version: 6.7.0\n  resolution: \"qs@npm:6.7.0\"\n\n\"orphan@npm:^1\":\n  version: 1.0.0\n";
        assert_eq!(
            read_rows("yarn.lock", berry).0,
            vec![
                row("express", "4.17.1", 11, ""),
                row("qs", "6.7.0", 17, "express"),
                row("orphan", "1.0.0", 21, ""),
            ]
        );
    }

    #[test]
    fn pnpm_dependency_paths() {
        let v9 = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      express:\n        specifier: ^4.17.1\n        version: 4.17.1\n    devDependencies:\n      jest:\n        specifier: ^29\n        version: 29.0.0(@types/node@18.0.0)\n\npackages:\n\n  express@4.17.1:\n    resolution: {integrity: sha512-a}\n\n  qs@6.7.0:\n    resolution: {integrity: sha512-b}\n\n  jest@29.0.0:\n    resolution: {integrity: sha512-c}\n\nsnapshots:\n\n  express@4.17.1:\n    dependencies:\n      qs: 6.7.0\n\n  qs@6.7.0: {}\n\n  jest@29.0.0(@types/node@18.0.0):\n    dependencies:\n      qs: 6.7.0\n";
        assert_eq!(
            read_rows("pnpm-lock.yaml", v9).0,
            vec![
                row("express", "4.17.1", 17, ""),
                row("qs", "6.7.0", 20, "express"),
                row("jest", "29.0.0", 23, ""),
            ]
        );
        let v5 = "lockfileVersion: 5.4\n\nspecifiers:\n  express: ^4.17.1\n\ndependencies:\n  express: 4.17.1\n\npackages:\n\n  /express/4.17.1:\n    resolution: {integrity: sha512-a}\n    dependencies:\n      qs: 6.7.0\n    dev: false\n\n  /qs/6.7.0:\n    resolution: {integrity: sha512-b}\n    dev: false\n";
        assert_eq!(
            read_rows("pnpm-lock.yaml", v5).0,
            vec![
                row("express", "4.17.1", 11, ""),
                row("qs", "6.7.0", 17, "express")
            ]
        );
    }

    #[test]
    fn pnpm_v5_v6_and_v9_keys() {
        let text = "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies:\n      lodash:\n        specifier: ^4.17.19\n        version: 4.17.20\n\npackages:\n\n  lodash@4.17.20:\n    resolution: {integrity: sha512-x}\n\n  '@babel/core@7.0.0':\n    resolution: {integrity: sha512-y}\n\n  /old/1.2.3_peer@1.0.0:\n    resolution: {}\n\n  /six@2.0.0(react@18.2.0):\n    resolution: {}\n\nsnapshots:\n\n  lodash@4.17.20: {}\n";
        assert_eq!(
            locked_in("pnpm-lock.yaml", text),
            vec![
                triple("lodash", "4.17.20", 12),
                triple("@babel/core", "7.0.0", 15),
                triple("old", "1.2.3", 18),
                triple("six", "2.0.0", 21),
            ]
        );
    }

    #[test]
    fn cargo_lock_registry_packages_only() {
        let text = "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"smallvec\"\nversion = \"0.6.9\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"forked\"\nversion = \"1.0.0\"\nsource = \"git+https://example.com/forked#abc\"\n";
        assert_eq!(
            locked_in("Cargo.lock", text),
            vec![triple("smallvec", "0.6.9", 8)]
        );
    }

    #[test]
    fn python_lockfiles() {
        let poetry = "[[package]]\nname = \"PyYAML\"\nversion = \"5.3.1\"\n\n[[package]]\nname = \"local\"\nversion = \"0.1\"\n\n[package.source]\ntype = \"directory\"\nurl = \"../local\"\n";
        assert_eq!(
            locked_in("poetry.lock", poetry),
            vec![triple("PyYAML", "5.3.1", 2)]
        );
        let uv = "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n\n[[package]]\nname = \"pyyaml\"\nversion = \"5.3.1\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        assert_eq!(locked_in("uv.lock", uv), vec![triple("pyyaml", "5.3.1", 9)]);
        let pipfile = r#"{
  "_meta": {"hash": {"sha256": "x"}},
  "default": {
    "pyyaml": {"hashes": [], "version": "==5.3.1"},
    "local": {"path": "."}
  },
  "develop": {}
}"#;
        assert_eq!(
            locked_in("Pipfile.lock", pipfile),
            vec![triple("pyyaml", "5.3.1", 4)]
        );
        let reqs = "# pinned\nPyYAML==5.3.1 \\\n    --hash=sha256:abc\nflask>=2\n";
        assert_eq!(
            locked_in("requirements.txt", reqs),
            vec![triple("PyYAML", "5.3.1", 2)]
        );
    }

    #[test]
    fn go_mod_requires_and_replacements() {
        let text = "module example.com/app\n\ngo 1.21\n\nrequire github.com/gin-gonic/gin v1.5.0\n\nrequire (\n\tgolang.org/x/text v0.3.7 // indirect\n\tgithub.com/old/mod v1.0.0\n\tgithub.com/local/mod v1.0.0\n)\n\nreplace github.com/old/mod => github.com/new/mod v1.2.0\nreplace github.com/local/mod => ../local\n";
        assert_eq!(
            locked_in("go.mod", text),
            vec![
                triple("github.com/gin-gonic/gin", "v1.5.0", 5),
                triple("golang.org/x/text", "v0.3.7", 8),
                triple("github.com/new/mod", "v1.2.0", 13),
            ]
        );
    }

    #[test]
    fn hostile_inputs_of_every_format_are_notes_or_nothing() {
        // Nesting deeper than the JSON parser's limit: a note on line 1, no packages.
        let deep_json = format!("{{\"packages\": {}", "[".repeat(100_000));
        for name in ["composer.lock", "packages.lock.json"] {
            let (found, problem) = read_rows(name, &deep_json);
            assert!(found.is_empty(), "{name}");
            assert_eq!(problem, Some(1), "{name}");
        }
        // Deep, unclosed or non-XML project files: a note, no packages.
        let deep_xml = format!("<Project>{}", "<ItemGroup>".repeat(100_000));
        for name in ["pom.xml", "App.csproj", "Directory.Packages.props"] {
            for text in [deep_xml.as_str(), "<Project", "\u{0}\u{1}", "{}"] {
                let (found, problem) = read_rows(name, text);
                assert!(found.is_empty(), "{name}");
                assert!(problem.is_some(), "{name}: {text:.20}");
            }
        }
        // Binary junk in the line-based formats: every line that is not an entry is reported
        // once, with its line, and nothing is invented.
        let junk: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
        let junk = String::from_utf8_lossy(&junk).into_owned();
        for name in ["Gemfile.lock", "gradle.lockfile"] {
            let (found, _) = read_rows(name, &junk);
            assert!(found.is_empty(), "{name}");
        }
        let (_, problem) = read_rows("gradle.lockfile", &format!("a:b:1.0=x\n{junk}"));
        assert_eq!(problem, Some(2));
    }

    #[test]
    fn a_long_chain_of_packages_is_read_with_bounded_paths() {
        // 20,000 gems, each requiring the next: every one read, each path cut to the nearest
        // packages, and a cycle back to the start does not loop.
        let n = 20_000;
        let mut text = String::from("GEM\n  remote: https://rubygems.org/\n  specs:\n");
        for i in 0..n {
            text.push_str(&format!(
                "    g{i} (1.0.{i})\n      g{} (>= 0)\n",
                (i + 1) % n
            ));
        }
        text.push_str("\nDEPENDENCIES\n  g0\n");
        let (found, problem) = read_rows("Gemfile.lock", &text);
        assert_eq!(found.len(), n);
        assert_eq!(problem, None);
        assert_eq!(found[1].3, "g0");
        let last = &found[n - 1].3;
        assert!(last.starts_with("… > "), "{last:.40}");
        assert_eq!(last.split(" > ").count(), MAX_PATH_LEN + 1);
        assert!(last.ends_with(&format!("g{}", n - 2)));
        // The same for npm's and Cargo's own walks.
        let mut npm = String::from(
            "{\"lockfileVersion\": 3, \"packages\": {\"\": {\"dependencies\": {\"p0\": \"1\"}}",
        );
        for i in 0..2_000 {
            npm.push_str(&format!(
                ", \"node_modules/p{i}\": {{\"version\": \"1.0.0\", \"dependencies\": {{\"p{}\": \"1\"}}}}",
                i + 1
            ));
        }
        npm.push_str("}}");
        let (found, _) = read_rows("package-lock.json", &npm);
        assert_eq!(found.len(), 2_000);
        assert_eq!(found[1_999].3.split(" > ").count(), MAX_PATH_LEN + 1);
    }

    #[test]
    fn hostile_lockfiles_do_not_panic() {
        let huge = "[".repeat(200_000);
        let junk: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
        let junk = String::from_utf8_lossy(&junk).into_owned();
        for name in [
            "package-lock.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "Cargo.lock",
            "poetry.lock",
            "Pipfile.lock",
            "go.mod",
            "requirements.txt",
        ] {
            for text in [
                huge.as_str(),
                junk.as_str(),
                "",
                "\n\n",
                "@",
                "packages:\n  @:\n  /:\n",
            ] {
                let _ = locked_in(name, text);
            }
        }
        let deep_toml = format!("a = {}", "[".repeat(100_000));
        let _ = locked_in("Cargo.lock", &deep_toml);
        let deep_inline = format!("a = {}", "{b = ".repeat(50_000));
        let _ = locked_in("poetry.lock", &deep_inline);
    }
}
