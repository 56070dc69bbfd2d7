//! Checks on dependency manifests: versions that accept anything (`*`, `latest`), git
//! dependencies that follow a branch or tag instead of a commit, requirements without an exact
//! pin, and npm install scripts. Each finding points at the offending value.

use super::json;
use super::lockfile::lines;
use super::{GIT_UNPINNED, INSTALL_SCRIPT, UNPINNED_REQUIREMENT, WILDCARD, table_get, toml_str};
use crate::analyzers::{Hit, Unparsed};
use crate::source::Source;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Longest value quoted in a message.
const VALUE_MAX: usize = 120;

/// npm dependency sections. `peerDependencies` ranges state compatibility with the host
/// project, which pins them in its own lockfile, so a `*` there is not a wildcard install.
const NPM_SECTIONS: [(&str, bool); 4] = [
    ("dependencies", true),
    ("devDependencies", true),
    ("optionalDependencies", true),
    ("peerDependencies", false),
];

/// npm lifecycle scripts that run when the package is installed.
const INSTALL_SCRIPTS: [&str; 3] = ["preinstall", "install", "postinstall"];

pub fn package_json(src: &Source, out: &mut Vec<Hit>) -> Result<(), Unparsed> {
    let doc = json::parse(src.bytes).map_err(|e| e.unparsed(src))?;
    for (section, check_wildcard) in NPM_SECTIONS {
        let Some(deps) = doc.get(section) else {
            continue;
        };
        for member in deps.members() {
            let Some(spec) = member.value.as_str() else {
                continue;
            };
            let value = || shorten(&format!("{} = \"{spec}\"", member.key));
            if is_npm_git_spec(spec) {
                if !npm_git_pinned(spec) {
                    out.push(Hit::new(GIT_UNPINNED, member.value.span.clone()).with_value(value()));
                }
            } else if check_wildcard && is_npm_wildcard(spec) {
                out.push(Hit::new(WILDCARD, member.value.span.clone()).with_value(value()));
            }
        }
    }
    if let Some(scripts) = doc.get("scripts") {
        for member in scripts.members() {
            if !INSTALL_SCRIPTS.contains(&member.key.as_str()) {
                continue;
            }
            let command = member.value.as_str().unwrap_or("");
            out.push(
                Hit::new(INSTALL_SCRIPT, member.key_span.start..member.value.span.end)
                    .with_value(shorten(&format!("{}: {command}", member.key))),
            );
        }
    }
    Ok(())
}

/// `*`, `latest`, `x`, an empty range, or the same through an `npm:` alias.
fn is_npm_wildcard(spec: &str) -> bool {
    let spec = spec.trim();
    if let Some(alias) = spec.strip_prefix("npm:") {
        return match alias.get(1..).and_then(|a| a.find('@')) {
            Some(at) => is_npm_wildcard(&alias[at + 2..]),
            None => true, // `npm:pkg` with no version means `latest`
        };
    }
    let lower = spec.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "" | "*" | "latest" | "x" | "x.x" | "x.x.x" | "*.*" | "*.*.*" | ">=0" | ">=0.0.0" | ">= 0"
    )
}

/// Git sources npm accepts: URLs with a git scheme, `host:user/repo` shortcuts, HTTPS URLs of a
/// `.git` repository, and the bare GitHub shorthand `user/repo`.
fn is_npm_git_spec(spec: &str) -> bool {
    let spec = spec.trim();
    let lower = spec.to_ascii_lowercase();
    if [
        "git+",
        "git://",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
        return true;
    }
    let without_fragment = lower.split('#').next().unwrap_or(&lower);
    if (lower.starts_with("https://") || lower.starts_with("http://"))
        && without_fragment.ends_with(".git")
    {
        return true;
    }
    // `user/repo` or `user/repo#ref`: one slash, no scheme, not a path or a scoped name.
    let head = spec.split('#').next().unwrap_or(spec);
    let mut parts = head.split('/');
    let is_part = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    matches!((parts.next(), parts.next(), parts.next()), (Some(user), Some(repo), None)
        if is_part(user) && is_part(repo) && !user.starts_with('.'))
}

/// True when the `#fragment` names a commit.
fn npm_git_pinned(spec: &str) -> bool {
    spec.split_once('#')
        .is_some_and(|(_, fragment)| is_commit(fragment))
}

/// A commit hash: 7 to 64 hex digits (abbreviated or full SHA-1, or SHA-256).
pub fn is_commit(text: &str) -> bool {
    let text = text.trim();
    (7..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The ref of a pip VCS URL (`git+https://host/org/repo.git@REF#egg=x`), if any.
fn pip_vcs_ref(url: &str) -> Option<&str> {
    let url = url.split('#').next().unwrap_or(url);
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    // The `@` of a ref comes after the path starts; an earlier one is `user@host`.
    let path_start = after_scheme.find('/')?;
    let path = &after_scheme[path_start..];
    path.rfind('@').map(|at| &path[at + 1..])
}

fn is_vcs_url(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// What one requirement line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequirementKind {
    /// `name [extras] specifiers` (specifiers may be empty).
    Named { specifiers: String },
    /// A VCS URL, with or without a name in front.
    Vcs { url: String },
}

/// One requirement of a requirements file, with its span (name through specifiers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub name: String,
    pub kind: RequirementKind,
    pub span: Range<usize>,
    pub text: String,
}

impl Requirement {
    /// The version of an exact `==X` or `===X` pin (not a `==1.*` prefix match).
    pub fn exact_version(&self) -> Option<&str> {
        let RequirementKind::Named { specifiers } = &self.kind else {
            return None;
        };
        specifiers.split(',').find_map(|clause| {
            let clause = clause.trim();
            if let Some(v) = clause.strip_prefix("===") {
                return Some(v.trim());
            }
            let v = clause.strip_prefix("==")?.trim();
            (!v.contains('*') && !v.is_empty()).then_some(v)
        })
    }
}

/// Every requirement in a pip requirements file. Comments, blank lines, options (`-r`, `-c`,
/// `-i`, `--hash`…), continuation lines, local paths and archive URLs are skipped; editable and
/// direct VCS URLs are kept as `Vcs`.
pub fn requirement_lines(bytes: &[u8]) -> Vec<Requirement> {
    let mut out = Vec::new();
    let mut continued = false;
    for (start, line) in lines(bytes) {
        let was_continued = continued;
        continued = line.trim_end().ends_with('\\');
        if was_continued {
            continue;
        }
        // A comment starts at `#` at the line start or after whitespace (not `#egg=`).
        let mut code = line;
        for (i, _) in line.match_indices('#') {
            if i == 0 || line[..i].ends_with(char::is_whitespace) {
                code = &line[..i];
                break;
            }
        }
        let code = code.trim_end().trim_end_matches('\\').trim_end();
        let indent = code.len() - code.trim_start().len();
        let code = code.trim_start();
        if code.is_empty() {
            continue;
        }
        let offset = start + indent;
        if let Some(option) = code.strip_prefix('-') {
            // Only an editable VCS URL is a dependency among the options.
            let value = option
                .strip_prefix("-editable")
                .or_else(|| option.strip_prefix('e'))
                .map(|v| v.trim_start_matches(['=', ' ', '\t']));
            if let Some(url) = value.filter(|v| is_vcs_url(v)) {
                let url = url.split_whitespace().next().unwrap_or(url);
                let at = code.len() - code.trim_start_matches('-').len();
                let url_start = code[at..].find(url).map_or(0, |i| i + at);
                out.push(Requirement {
                    name: egg_name(url),
                    kind: RequirementKind::Vcs {
                        url: url.to_owned(),
                    },
                    span: offset + url_start..offset + url_start + url.len(),
                    text: url.to_owned(),
                });
            }
            continue;
        }
        if is_vcs_url(code) {
            let url = code.split_whitespace().next().unwrap_or(code);
            out.push(Requirement {
                name: egg_name(url),
                kind: RequirementKind::Vcs {
                    url: url.to_owned(),
                },
                span: offset..offset + url.len(),
                text: url.to_owned(),
            });
            continue;
        }
        if let Some(requirement) = named_requirement(code, offset) {
            out.push(requirement);
        }
    }
    out
}

fn egg_name(url: &str) -> String {
    url.split_once("#egg=")
        .map(|(_, name)| name.split('&').next().unwrap_or(name).to_owned())
        .unwrap_or_default()
}

/// `name[extras] specifiers ; marker` or `name @ url`; `None` for paths, archives and junk.
fn named_requirement(code: &str, offset: usize) -> Option<Requirement> {
    let name_len = code
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        .count();
    if name_len == 0 || !code.as_bytes()[0].is_ascii_alphanumeric() {
        return None; // `./pkg`, `/abs/path`, `~`, …
    }
    let name = &code[..name_len];
    let mut rest = &code[name_len..];
    if rest.starts_with(['/', '\\', ':']) || name.ends_with(".whl") || name.ends_with(".zip") {
        return None; // `pkg/dir`, `C:\…`, `https:…`, an archive file
    }
    if let Some(extras) = rest.trim_start().strip_prefix('[') {
        rest = extras.split_once(']').map_or("", |(_, after)| after);
    }
    // The environment marker and any per-requirement options (`--hash=…`) end the specifiers.
    let mut end_of_spec = rest.len();
    if let Some(i) = rest.find(';') {
        end_of_spec = end_of_spec.min(i);
    }
    if let Some(i) = rest.find(" --") {
        end_of_spec = end_of_spec.min(i);
    }
    let spec = rest[..end_of_spec].trim();
    let consumed = code.len() - rest.len() + rest[..end_of_spec].trim_end().len();
    let span = offset..offset + consumed;
    let text = code[..consumed].to_owned();
    if let Some(url) = spec.strip_prefix('@') {
        let url = url.trim();
        if !is_vcs_url(url) {
            return None; // a direct URL to an archive or a local path
        }
        return Some(Requirement {
            name: name.to_owned(),
            kind: RequirementKind::Vcs {
                url: url.to_owned(),
            },
            span,
            text,
        });
    }
    // Specifiers must look like specifiers; anything else is not a requirement line.
    if !spec.is_empty() && !spec.starts_with(['=', '<', '>', '~', '!', '(']) {
        return None;
    }
    Some(Requirement {
        name: name.to_owned(),
        kind: RequirementKind::Named {
            specifiers: spec.trim_matches(['(', ')']).to_owned(),
        },
        span,
        text,
    })
}

pub fn requirements(src: &Source, out: &mut Vec<Hit>) {
    for requirement in requirement_lines(src.bytes) {
        match &requirement.kind {
            RequirementKind::Vcs { url } => {
                if !pip_vcs_ref(url).is_some_and(is_commit) {
                    out.push(
                        Hit::new(GIT_UNPINNED, requirement.span.clone())
                            .with_value(shorten(&requirement.text)),
                    );
                }
            }
            RequirementKind::Named { .. } => {
                if requirement.exact_version().is_none() {
                    out.push(
                        Hit::new(UNPINNED_REQUIREMENT, requirement.span.clone())
                            .with_value(shorten(&requirement.text)),
                    );
                }
            }
        }
    }
}

type Entry<'a, 'i> = (
    &'a Spanned<toml::de::DeString<'i>>,
    &'a Spanned<DeValue<'i>>,
);

fn parse_toml<'a>(src: &Source<'a>) -> Result<Spanned<DeTable<'a>>, Unparsed> {
    super::parse_toml_source(src)
}

fn as_table<'a, 'i>(value: &'a Spanned<DeValue<'i>>) -> Option<&'a DeTable<'i>> {
    match value.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

/// The table at a dotted path of keys.
fn table_at<'a, 'i>(root: &'a DeTable<'i>, path: &[&str]) -> Option<&'a DeTable<'i>> {
    let mut table = root;
    for key in path {
        table = as_table(table_get(table, key)?)?;
    }
    Some(table)
}

/// Checks one `name = "version"` or `name = { version = …, git = …, rev = … }` dependency of a
/// Cargo.toml, Poetry or Pipfile table. `ref_keys` are the keys that may pin a git commit.
fn check_toml_dependency(
    (key, value): Entry,
    ref_keys: &[&str],
    check_wildcard: bool,
    out: &mut Vec<Hit>,
) {
    let name = key.get_ref();
    match value.get_ref() {
        DeValue::String(spec) if check_wildcard && is_toml_wildcard(spec) => {
            out.push(
                Hit::new(WILDCARD, value.span())
                    .with_value(shorten(&format!("{name} = \"{spec}\""))),
            );
        }
        DeValue::Table(table) => {
            if let Some(git) = table_get(table, "git") {
                let pinned = ref_keys
                    .iter()
                    .filter_map(|k| table_get(table, k).and_then(toml_str))
                    .any(is_commit);
                if !pinned {
                    let url = toml_str(git).unwrap_or("");
                    let reference = ["branch", "tag", "rev", "ref"]
                        .iter()
                        .find_map(|k| table_get(table, k).and_then(toml_str).map(|v| (k, v)));
                    let value = match reference {
                        Some((k, v)) => format!("{name} (git {url}, {k} {v})"),
                        None => format!("{name} (git {url})"),
                    };
                    out.push(Hit::new(GIT_UNPINNED, git.span()).with_value(shorten(&value)));
                }
            } else if check_wildcard
                && let Some(version) = table_get(table, "version")
                && let Some(spec) = toml_str(version)
                && is_toml_wildcard(spec)
            {
                out.push(
                    Hit::new(WILDCARD, version.span())
                        .with_value(shorten(&format!("{name} = \"{spec}\""))),
                );
            }
        }
        // Poetry allows a list of constraints for different Python versions.
        DeValue::Array(items) => {
            for item in items {
                check_toml_dependency((key, item), ref_keys, check_wildcard, out);
            }
        }
        _ => {}
    }
}

fn is_toml_wildcard(spec: &str) -> bool {
    matches!(spec.trim(), "*" | "" | "latest")
}

/// Cargo.toml: every dependency table, including target-specific ones, the workspace's shared
/// dependencies, and `[patch]` git sources.
pub fn cargo_toml(src: &Source, out: &mut Vec<Hit>) -> Result<(), Unparsed> {
    let doc = parse_toml(src)?;
    let doc = doc.get_ref();
    const SECTIONS: [&str; 5] = [
        "dependencies",
        "dev-dependencies",
        "dev_dependencies",
        "build-dependencies",
        "build_dependencies",
    ];
    let mut tables: Vec<&DeTable> = Vec::new();
    for section in SECTIONS {
        tables.extend(table_at(doc, &[section]));
    }
    tables.extend(table_at(doc, &["workspace", "dependencies"]));
    if let Some(targets) = table_at(doc, &["target"]) {
        for (_, target) in targets.iter() {
            if let Some(target) = as_table(target) {
                for section in SECTIONS {
                    tables.extend(table_at(target, &[section]));
                }
            }
        }
    }
    let mut entries: Vec<Entry> = tables.iter().flat_map(|t| t.iter()).collect();
    let mut patches: Vec<Entry> = Vec::new();
    if let Some(patch) = table_at(doc, &["patch"]) {
        for (_, registry) in patch.iter() {
            if let Some(registry) = as_table(registry) {
                patches.extend(registry.iter());
            }
        }
    }
    entries.sort_by_key(|(k, _)| k.span().start);
    for entry in entries {
        check_toml_dependency(entry, &["rev"], true, out);
    }
    for entry in patches {
        check_toml_dependency(entry, &["rev"], false, out);
    }
    Ok(())
}

/// Pipfile: `[packages]` and `[dev-packages]`.
pub fn pipfile(src: &Source, out: &mut Vec<Hit>) -> Result<(), Unparsed> {
    let doc = parse_toml(src)?;
    for section in ["packages", "dev-packages"] {
        if let Some(table) = table_at(doc.get_ref(), &[section]) {
            for entry in table.iter() {
                check_toml_dependency(entry, &["ref"], true, out);
            }
        }
    }
    Ok(())
}

/// pyproject.toml: Poetry dependency tables (wildcards and git sources), uv git sources, and
/// PEP 508 `name @ git+…` requirements in `[project]`, `[dependency-groups]` and PDM groups.
pub fn pyproject(src: &Source, out: &mut Vec<Hit>) -> Result<(), Unparsed> {
    let doc = parse_toml(src)?;
    let doc = doc.get_ref();
    let mut poetry_tables: Vec<&DeTable> = Vec::new();
    poetry_tables.extend(table_at(doc, &["tool", "poetry", "dependencies"]));
    poetry_tables.extend(table_at(doc, &["tool", "poetry", "dev-dependencies"]));
    if let Some(groups) = table_at(doc, &["tool", "poetry", "group"]) {
        for (_, group) in groups.iter() {
            if let Some(group) = as_table(group) {
                poetry_tables.extend(table_at(group, &["dependencies"]));
            }
        }
    }
    for table in poetry_tables {
        for entry in table.iter() {
            if entry.0.get_ref() == "python" {
                continue;
            }
            check_toml_dependency(entry, &["rev"], true, out);
        }
    }
    if let Some(sources) = table_at(doc, &["tool", "uv", "sources"]) {
        for entry in sources.iter() {
            check_toml_dependency(entry, &["rev"], false, out);
        }
    }
    // PEP 508 strings: only direct VCS references can be judged; ranges are normal here.
    let mut arrays: Vec<&Spanned<DeValue>> = Vec::new();
    if let Some(project) = table_at(doc, &["project"]) {
        arrays.extend(table_get(project, "dependencies"));
        if let Some(optional) = table_at(project, &["optional-dependencies"]) {
            arrays.extend(optional.iter().map(|(_, v)| v));
        }
    }
    for groups in [
        table_at(doc, &["dependency-groups"]),
        table_at(doc, &["tool", "pdm", "dev-dependencies"]),
    ]
    .into_iter()
    .flatten()
    {
        arrays.extend(groups.iter().map(|(_, v)| v));
    }
    for array in arrays {
        let DeValue::Array(items) = array.get_ref() else {
            continue;
        };
        for item in items {
            let Some(text) = toml_str(item) else {
                continue;
            };
            let Some((name, url)) = text.split_once('@') else {
                continue;
            };
            let url = url.split(';').next().unwrap_or(url).trim();
            if is_vcs_url(url) && !pip_vcs_ref(url).is_some_and(is_commit) {
                out.push(
                    Hit::new(GIT_UNPINNED, item.span())
                        .with_value(shorten(&format!("{} @ {url}", name.trim()))),
                );
            }
        }
    }
    Ok(())
}

/// Cuts a value for a message to a readable length.
fn shorten(text: &str) -> String {
    let text = text.replace(['\n', '\r', '\t'], " ");
    if text.chars().count() <= VALUE_MAX {
        text
    } else {
        let mut cut: String = text.chars().take(VALUE_MAX - 1).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::BuiltinRule;
    use crate::source::FileKind;

    /// (rule, 1-based line, value) of every hit.
    fn hits<R>(
        path: &str,
        text: &str,
        check: fn(&Source, &mut Vec<Hit>) -> R,
    ) -> Vec<(BuiltinRule, u32, String)> {
        crate::analyzers::hits_in(path, FileKind::detect(path, b""), text, |src, sink| {
            let _ = check(src, sink.hits_mut());
        })
    }

    #[test]
    fn package_json_wildcards_git_and_install_scripts() {
        let text = r#"{
  "name": "billing-api",
  "scripts": {
    "test": "jest",
    "postinstall": "node scripts/fetch-binary.js"
  },
  "dependencies": {
    "express": "^4.18.2",
    "lodash": "*",
    "left-pad": "latest",
    "chalk": "",
    "util": "github:acme/util",
    "fmt": "git+https://github.com/acme/fmt.git#main",
    "pinned": "git+https://github.com/acme/pinned.git#4f1c2b9e0a7d8c6b5e4f3a2b1c0d9e8f7a6b5c4d",
    "short": "acme/short",
    "local": "file:../local",
    "aliased": "npm:left-pad@latest",
    "scoped": "@acme/thing",
    "tarball": "https://example.com/pkg-1.0.0.tgz"
  },
  "devDependencies": { "typescript": "x" },
  "peerDependencies": { "react": "*" }
}"#;
        let got = hits("package.json", text, package_json);
        let want = vec![
            (WILDCARD, 9, "lodash = \"*\"".to_owned()),
            (WILDCARD, 10, "left-pad = \"latest\"".to_owned()),
            (WILDCARD, 11, "chalk = \"\"".to_owned()),
            (GIT_UNPINNED, 12, "util = \"github:acme/util\"".to_owned()),
            (
                GIT_UNPINNED,
                13,
                "fmt = \"git+https://github.com/acme/fmt.git#main\"".to_owned(),
            ),
            (GIT_UNPINNED, 15, "short = \"acme/short\"".to_owned()),
            (WILDCARD, 17, "aliased = \"npm:left-pad@latest\"".to_owned()),
            (WILDCARD, 21, "typescript = \"x\"".to_owned()),
            (
                INSTALL_SCRIPT,
                5,
                "postinstall: node scripts/fetch-binary.js".to_owned(),
            ),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn npm_spec_classification() {
        for spec in [
            "*",
            "latest",
            "",
            " * ",
            "X",
            "x.x.x",
            ">=0.0.0",
            "npm:foo",
            "npm:@a/b@*",
        ] {
            assert!(is_npm_wildcard(spec), "{spec:?}");
        }
        for spec in ["^1.2.3", "~1.0", "1.x", "next", "npm:foo@^1.0.0", "1.2.3"] {
            assert!(!is_npm_wildcard(spec), "{spec:?}");
        }
        for spec in [
            "user/repo",
            "user/repo#v1",
            "github:u/r",
            "gitlab:u/r",
            "git://host/r.git",
            "git+ssh://git@github.com/u/r.git",
            "https://github.com/u/r.git#dev",
        ] {
            assert!(is_npm_git_spec(spec), "{spec:?}");
        }
        for spec in [
            "@scope/name",
            "file:../x",
            "../x",
            "./x",
            "^1",
            "a/b/c",
            "link:x",
        ] {
            assert!(!is_npm_git_spec(spec), "{spec:?}");
        }
        assert!(npm_git_pinned("u/r#4f1c2b9"));
        assert!(!npm_git_pinned("u/r#v1.0.0"));
        assert!(!npm_git_pinned("u/r#semver:^1.0"));
        assert!(!npm_git_pinned("u/r"));
    }

    #[test]
    fn requirements_lines() {
        let text = "\
# app requirements
-r base.txt
-c constraints.txt
--index-url https://pypi.org/simple
Django==4.2.7
requests>=2.31  # pinned later
flask
numpy==1.26.*
PyYAML===5.4.1
uvicorn[standard]==0.24.0 ; python_version >= \"3.8\"
gunicorn ~= 21.2
hashed==1.0 \\
    --hash=sha256:0123
-e .
./local-package
https://example.com/pkg-1.0.tar.gz
lib @ https://example.com/lib-1.0.whl
-e git+https://github.com/acme/tool.git@main#egg=tool
git+https://github.com/acme/other.git@4f1c2b9e0a7d8c6b5e4f3a2b1c0d9e8f7a6b5c4d#egg=other
pkg @ git+ssh://git@github.com/acme/pkg.git
    indented==1.0
";
        let got = hits("requirements.txt", text, requirements);
        let want = vec![
            (UNPINNED_REQUIREMENT, 6, "requests>=2.31".to_owned()),
            (UNPINNED_REQUIREMENT, 7, "flask".to_owned()),
            (UNPINNED_REQUIREMENT, 8, "numpy==1.26.*".to_owned()),
            (UNPINNED_REQUIREMENT, 11, "gunicorn ~= 21.2".to_owned()),
            (
                GIT_UNPINNED,
                18,
                "git+https://github.com/acme/tool.git@main#egg=tool".to_owned(),
            ),
            (
                GIT_UNPINNED,
                20,
                "pkg @ git+ssh://git@github.com/acme/pkg.git".to_owned(),
            ),
        ];
        assert_eq!(got, want);
        let reqs = requirement_lines(text.as_bytes());
        let exact: Vec<_> = reqs.iter().filter_map(|r| r.exact_version()).collect();
        assert_eq!(exact, ["4.2.7", "5.4.1", "0.24.0", "1.0", "1.0"]);
    }

    #[test]
    fn pip_vcs_refs() {
        assert_eq!(pip_vcs_ref("git+https://h/o/r.git@v1#egg=x"), Some("v1"));
        assert_eq!(pip_vcs_ref("git+ssh://git@h/o/r.git"), None);
        assert_eq!(
            pip_vcs_ref("git+ssh://git@h/o/r.git@abc1234"),
            Some("abc1234")
        );
        assert_eq!(pip_vcs_ref("git+https://h"), None);
    }

    #[test]
    fn cargo_toml_wildcards_and_git() {
        let text = r#"[package]
name = "svc"
version = "0.1.0"

[dependencies]
serde = "1"
rand = "*"
tokio = { version = "*", features = ["full"] }
fork = { git = "https://github.com/acme/fork", branch = "main" }
pinned = { git = "https://github.com/acme/pinned", rev = "4f1c2b9e" }
tagged = { git = "https://github.com/acme/tagged", tag = "v1.0" }
local = { path = "../local" }
shared = { workspace = true }

[dependencies.longform]
git = "https://github.com/acme/longform"

[target.'cfg(unix)'.dependencies]
nix = "*"

[patch.crates-io]
serde = { git = "https://github.com/acme/serde" }
"#;
        let got = hits("Cargo.toml", text, cargo_toml);
        let rules: Vec<_> = got.iter().map(|(r, l, _)| (*r, *l)).collect();
        assert_eq!(
            rules,
            vec![
                (WILDCARD, 7),
                (WILDCARD, 8),
                (GIT_UNPINNED, 9),
                (GIT_UNPINNED, 11),
                (GIT_UNPINNED, 16),
                (WILDCARD, 19),
                (GIT_UNPINNED, 22),
            ]
        );
        assert_eq!(
            got[2].2,
            "fork (git https://github.com/acme/fork, branch main)"
        );
    }

    #[test]
    fn pyproject_and_pipfile() {
        let text = r#"[project]
name = "svc"
dependencies = [
  "requests>=2",
  "tool @ git+https://github.com/acme/tool.git@main",
  "ok @ git+https://github.com/acme/ok.git@4f1c2b9e0a7d8c6b5e4f3a2b1c0d9e8f7a6b5c4d",
]

[tool.poetry.dependencies]
python = "*"
flask = "*"
lib = { git = "https://github.com/acme/lib.git", branch = "dev" }
pinned = { git = "https://github.com/acme/pinned.git", rev = "4f1c2b9e" }

[tool.poetry.group.dev.dependencies]
pytest = { version = "*" }

[tool.uv.sources]
other = { git = "https://github.com/acme/other", tag = "v2" }
"#;
        let got = hits("pyproject.toml", text, pyproject);
        let rules: Vec<_> = got.iter().map(|(r, l, _)| (*r, *l)).collect();
        assert_eq!(
            rules,
            vec![
                (WILDCARD, 11),
                (GIT_UNPINNED, 12),
                (WILDCARD, 16),
                (GIT_UNPINNED, 19),
                (GIT_UNPINNED, 5),
            ]
        );
        let pipfile_text = "[[source]]\nurl = \"https://pypi.org/simple\"\n\n[packages]\nrequests = \"*\"\nflask = \"==3.0.0\"\ntool = {git = \"https://github.com/acme/tool.git\", editable = true}\nok = {git = \"https://github.com/acme/ok.git\", ref = \"4f1c2b9e\"}\n\n[dev-packages]\npytest = {version = \"*\"}\n";
        let got = hits("Pipfile", pipfile_text, pipfile);
        let rules: Vec<_> = got.iter().map(|(r, l, _)| (*r, *l)).collect();
        assert_eq!(
            rules,
            vec![(WILDCARD, 5), (GIT_UNPINNED, 7), (WILDCARD, 11)]
        );
    }

    #[test]
    fn hostile_manifests_do_not_panic() {
        let deep_json = "{\"dependencies\":".repeat(100_000);
        let deep_toml = format!("[dependencies]\na = {}", "{b = ".repeat(50_000));
        let deep_array = format!("dependencies = {}", "[".repeat(100_000));
        let junk: String = (0..50_000u32)
            .map(|i| char::from_u32(i % 0x7f + 1).unwrap_or(' '))
            .collect();
        let long_line = format!("{}==1.0", "a".repeat(1_000_000));
        type Check = fn(&Source, &mut Vec<Hit>) -> Result<(), Unparsed>;
        fn requirements_ok(src: &Source, out: &mut Vec<Hit>) -> Result<(), Unparsed> {
            requirements(src, out);
            Ok(())
        }
        let checks: [(&str, Check); 5] = [
            ("package.json", package_json),
            ("requirements.txt", requirements_ok),
            ("Cargo.toml", cargo_toml),
            ("pyproject.toml", pyproject),
            ("Pipfile", pipfile),
        ];
        for (path, check) in checks {
            for text in [
                deep_json.as_str(),
                deep_toml.as_str(),
                deep_array.as_str(),
                junk.as_str(),
                long_line.as_str(),
                "",
                "-e",
                "--editable=",
                "é==1",
                "x @",
                "[",
            ] {
                let _ = hits(path, text, check);
            }
        }
    }
}
