//! Repository hygiene: files that should never be committed (`.env` files with values, private
//! keys, large binaries), and files a healthy repository has (a `.gitignore` that covers `.env`,
//! a security policy, a dependency update bot).
//!
//! What "committed" means here: in a git checkout the scan set is git's (see
//! `scan::paths`): every tracked file, plus untracked files that are not ignored. So a `.env`
//! that is tracked is reported even once `.gitignore` lists it (ignoring does not untrack it),
//! and an untracked `.env` that is ignored is not seen (correct: it is not committed). Symbolic
//! links are not followed.

use super::deps::{file_name, is_vendored};
use super::heuristics::{is_literal_secret, is_secret_like_name};
use super::{Context, Hit, Tree, TreeFile, TreeHit};
use crate::catalog::Severity;
use crate::rules::BuiltinRule;
use crate::source::Source;
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::collections::BTreeSet;
use std::io::Read;

pub use crate::rules::REPO_ENV_FILE_COMMITTED as ENV_FILE;
pub use crate::rules::REPO_GITIGNORE_MISSING_ENV as GITIGNORE_ENV;
pub use crate::rules::REPO_LARGE_BINARY_COMMITTED as LARGE_BINARY;
pub use crate::rules::REPO_NO_DEPENDENCY_UPDATES as NO_DEPENDENCY_UPDATES;
pub use crate::rules::REPO_NO_SECURITY_POLICY as NO_SECURITY_POLICY;
pub use crate::rules::REPO_PRIVATE_KEY_FILE as PRIVATE_KEY_FILE;

/// Files larger than this that are binary (or named like a binary format) are reported.
pub const LARGE_BINARY_BYTES: u64 = 5 * 1024 * 1024;

/// Largest `.gitignore` / `.gitattributes` read.
const MAX_IGNORE_FILE_BYTES: u64 = 1024 * 1024;

/// Name parts that mark an env file as a template meant to be committed (`.env.example`), or
/// an encrypted vault file meant to be committed (`.env.vault`).
const ENV_TEMPLATE_WORDS: [&str; 11] = [
    "example", "sample", "template", "tmpl", "tpl", "dist", "default", "defaults", "schema",
    "vault", "skel",
];

/// Key stores: binary containers of private keys, reported by name alone.
const KEYSTORE_EXTENSIONS: [&str; 4] = ["p12", "pfx", "jks", "keystore"];

/// Text key files: reported unless their content is only public material.
const KEY_EXTENSIONS: [&str; 4] = ["pem", "key", "ppk", "p8"];

/// Default OpenSSH key names (the private half; `.pub` is the public one).
const SSH_KEY_NAMES: [&str; 4] = ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"];

/// Extensions of formats that are binary whatever their content (for files over the scan's size
/// limit, which are listed but not read).
const BINARY_EXTENSIONS: &[&str] = &[
    "7z",
    "a",
    "aab",
    "apk",
    "avi",
    "bin",
    "bmp",
    "bz2",
    "ckpt",
    "class",
    "db",
    "deb",
    "dll",
    "dmg",
    "dylib",
    "ear",
    "exe",
    "flac",
    "gif",
    "gz",
    "h5",
    "hdf5",
    "iso",
    "img",
    "ipa",
    "jar",
    "jpeg",
    "jpg",
    "lib",
    "mkv",
    "mov",
    "mp3",
    "mp4",
    "msi",
    "npy",
    "npz",
    "o",
    "ogg",
    "onnx",
    "parquet",
    "pdb",
    "pdf",
    "pickle",
    "pkl",
    "png",
    "psd",
    "pt",
    "pth",
    "rar",
    "rpm",
    "safetensors",
    "so",
    "sqlite",
    "sqlite3",
    "tar",
    "tgz",
    "tiff",
    "war",
    "wasm",
    "wav",
    "webm",
    "xz",
    "zip",
    "zst",
];

/// Files that name a project's dependencies, for which an update bot has something to do.
const DEPENDENCY_MANIFESTS: &[&str] = &[
    "package.json",
    "requirements.txt",
    "pyproject.toml",
    "Pipfile",
    "Cargo.toml",
    "go.mod",
    "Gemfile",
    "composer.json",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
];

/// Dependabot and Renovate configuration files.
const UPDATE_BOT_CONFIGS: &[&str] = &[
    ".github/dependabot.yml",
    ".github/dependabot.yaml",
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
];

fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.')
        .filter(|(stem, _)| !stem.is_empty())
        .map(|(_, ext)| ext.to_ascii_lowercase())
}

/// `.env`, `.env.production`, `config/app.env`: an env file, but not a template.
pub fn is_env_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let parts: Vec<&str> = if lower == ".env" {
        Vec::new()
    } else if let Some(rest) = lower.strip_prefix(".env.") {
        rest.split('.').collect()
    } else if let Some(stem) = lower.strip_suffix(".env") {
        if stem.is_empty() {
            return false;
        }
        stem.split('.').collect()
    } else {
        return false;
    };
    !parts.iter().any(|p| ENV_TEMPLATE_WORDS.contains(p))
}

/// `.env` or `.env.<anything>`, templates included: evidence that the project uses env files.
fn is_env_style(name: &str) -> bool {
    name == ".env" || name.starts_with(".env.")
}

fn is_ssh_key_name(name: &str) -> bool {
    !name.ends_with(".pub") && SSH_KEY_NAMES.iter().any(|k| name.starts_with(k))
}

fn is_keystore_name(name: &str) -> bool {
    extension(name).is_some_and(|e| KEYSTORE_EXTENSIONS.contains(&e.as_str()))
}

fn is_key_name(name: &str) -> bool {
    is_ssh_key_name(name) || extension(name).is_some_and(|e| KEY_EXTENSIONS.contains(&e.as_str()))
}

/// The per-file checks: env files with values, and key files whose text holds a private key.
pub fn check(_cx: &Context, src: &Source, out: &mut Vec<Hit>) {
    if is_vendored(src.rel_path) {
        return;
    }
    let name = file_name(src.rel_path);
    if is_env_file(name) {
        let assignments = env_values(src.bytes);
        if let Some((span, _)) = assignments.first() {
            // Every value of a committed env file is treated as leaked: each one is masked. The
            // severity follows the content: without a secret-like value (a media path, a time
            // zone, a port) the file is a hygiene problem, not a leak.
            let mut hit = Hit::new(ENV_FILE, span.clone()).with_value(src.rel_path);
            if !assignments
                .iter()
                .any(|(line, value)| holds_secret(src.bytes, line.clone(), value.clone()))
            {
                hit.severity = Some(Severity::Low);
            }
            hit.secrets = assignments.into_iter().map(|(_, value)| value).collect();
            out.push(hit);
        }
    } else if is_key_name(name)
        && !is_keystore_name(name)
        && let Some(span) = private_key_evidence(src.bytes)
    {
        out.push(Hit::new(PRIVATE_KEY_FILE, span).with_value(src.rel_path));
    }
}

/// Every `KEY=value` (or `export KEY=value`) line with a non-empty value: the line's span and
/// the value's byte range. A file of comments and empty assignments is a template in all but
/// name.
fn env_values(bytes: &[u8]) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut found = Vec::new();
    let mut offset = 0;
    for raw in bytes.split(|&b| b == b'\n') {
        let start = offset;
        offset += raw.len() + 1;
        let indent = raw.len() - raw.trim_ascii_start().len();
        let trimmed = raw.trim_ascii();
        if trimmed.starts_with(b"#") {
            continue;
        }
        let body_at = if trimmed.starts_with(b"export ") {
            7
        } else {
            0
        };
        let body = &trimmed[body_at..];
        let Some(eq) = memchr::memchr(b'=', body) else {
            continue;
        };
        let key = body[..eq].trim_ascii();
        let valid_key = !key.is_empty()
            && key
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        let value_at = start + indent + body_at + eq + 1;
        let value = &raw[value_at - start..indent + trimmed.len()];
        let lead = value.len() - value.trim_ascii_start().len();
        let value_range = value_at + lead..value_at + value.trim_ascii_end().len();
        let value = value.trim_ascii();
        // A trailing comment is not a value: `KEY= # fill in`.
        let value = if value.starts_with(b"#") {
            &b""[..]
        } else {
            value
        };
        let unquoted = value
            .strip_prefix(b"\"")
            .or_else(|| value.strip_prefix(b"'"))
            .unwrap_or(value);
        let unquoted = unquoted
            .strip_suffix(b"\"")
            .or_else(|| unquoted.strip_suffix(b"'"))
            .unwrap_or(unquoted);
        if valid_key && !unquoted.is_empty() {
            found.push((start + indent..start + indent + trimmed.len(), value_range));
        }
    }
    found
}

/// True when an env file's assignment (`line`, with its `value` range) holds a secret: a
/// secret-like name (`DB_PASSWORD`, `API_TOKEN`, not `PASSWORD_FILE`) with a literal value that
/// is not a placeholder or a reference, or a URL with a password in it.
fn holds_secret(bytes: &[u8], line: std::ops::Range<usize>, value: std::ops::Range<usize>) -> bool {
    let text = String::from_utf8_lossy(&bytes[line.start..value.start]);
    let key = text
        .trim_start()
        .trim_start_matches("export ")
        .trim_end()
        .trim_end_matches('=')
        .trim();
    let raw = String::from_utf8_lossy(&bytes[value]);
    let quoted = raw.starts_with(['"', '\'']);
    let value = if quoted {
        raw[1..].split(['"', '\'']).next().unwrap_or_default()
    } else {
        // An unquoted value ends at a comment.
        raw.split(" #").next().unwrap_or_default().trim_end()
    };
    let url_password = value.split_once("://").is_some_and(|(_, rest)| {
        rest.split(['/', '?', '#'])
            .next()
            .and_then(|authority| authority.rsplit_once('@'))
            .and_then(|(credentials, _)| credentials.split_once(':'))
            .is_some_and(|(_, password)| is_literal_secret(password))
    });
    url_password || (is_secret_like_name(key) && is_literal_secret(value))
}

/// Where a key-named file shows it holds key material: the `BEGIN … PRIVATE KEY` line, line 1
/// for content seccoach cannot classify, and `None` for public material only (certificates,
/// public keys) or an empty file.
fn private_key_evidence(bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    let finder = |needle: &[u8]| memchr::memmem::find(bytes, needle);
    for marker in [&b"PRIVATE KEY-----"[..], b"PuTTY-User-Key-File"] {
        if let Some(at) = finder(marker) {
            let line_start = bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line_end = bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| at + i);
            return Some(line_start..line_end);
        }
    }
    let public_only = [
        &b"-----BEGIN CERTIFICATE"[..],
        b"-----BEGIN TRUSTED CERTIFICATE",
        b"-----BEGIN X509 CRL",
        b"-----BEGIN CERTIFICATE REQUEST",
        b"-----BEGIN NEW CERTIFICATE REQUEST",
        b"PUBLIC KEY-----",
        b"-----BEGIN DH PARAMETERS",
        b"-----BEGIN EC PARAMETERS",
        b"-----BEGIN PGP PUBLIC KEY",
        b"ssh-rsa ",
        b"ssh-ed25519 ",
        b"ecdsa-sha2-",
    ]
    .iter()
    .any(|m| finder(m).is_some());
    if public_only || bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    Some(0..end)
}

/// The whole-tree checks.
pub fn check_tree(_cx: &Context, tree: &Tree, out: &mut Vec<TreeHit>) {
    gitignore_missing_env(tree, out);
    binary_key_files(tree, out);
    large_binaries(tree, out);
    if is_project_root(tree) {
        security_policy(tree, out);
        dependency_updates(tree, out);
    }
}

fn hit(rule: BuiltinRule, path: &str, value: impl Into<String>) -> TreeHit {
    TreeHit {
        rule,
        path: path.to_owned(),
        line: 1,
        value: Some(value.into()),
    }
}

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

/// `path` relative to `dir`, when it lies below it.
fn relative_to<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
    if dir.is_empty() {
        return Some(path);
    }
    path.strip_prefix(dir)?.strip_prefix('/')
}

/// True when `dir` is `ancestor` or lies below it (`""` is the root).
fn is_within(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || dir == ancestor
        || (dir.starts_with(ancestor) && dir.as_bytes().get(ancestor.len()) == Some(&b'/'))
}

fn read_small(tree: &Tree, rel: &str) -> Option<String> {
    let file = crate::regular::open_no_follow(&crate::scan::fs_path(tree.root, rel)).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_IGNORE_FILE_BYTES)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// A matcher for one `.gitignore` (or `.gitattributes` patterns). It is always queried with
/// paths relative to the file's own directory (see `relative_to`), never with absolute ones,
/// so its root is only a placeholder.
fn matcher(patterns: impl Iterator<Item = String>) -> Gitignore {
    let mut builder = GitignoreBuilder::new("/");
    for pattern in patterns {
        // An invalid line is ignored by git too; it only loses itself.
        let _ = builder.add_line(None, &pattern);
    }
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

/// Every directory holding an env-style file (`.env`, `.env.example`…) must have `.env`
/// covered by the `.gitignore` files that apply to it.
fn gitignore_missing_env(tree: &Tree, out: &mut Vec<TreeHit>) {
    let ignore_files: Vec<&TreeFile> = tree
        .files
        .iter()
        .filter(|f| file_name(&f.path) == ".gitignore" && !is_vendored(&f.path))
        .collect();
    let mut matchers: Vec<(String, Gitignore)> = Vec::new();
    for file in &ignore_files {
        let dir = dir_of(&file.path);
        let text = read_small(tree, &file.path).unwrap_or_default();
        matchers.push((dir.to_owned(), matcher(text.lines().map(str::to_owned))));
    }
    // Deepest first: the innermost .gitignore that has a say decides.
    matchers.sort_by_key(|(dir, _)| std::cmp::Reverse(dir.len()));

    let mut seen_dirs = BTreeSet::new();
    let mut reported = BTreeSet::new();
    for file in tree.files {
        let name = file_name(&file.path);
        if !is_env_style(name) || is_vendored(&file.path) {
            continue;
        }
        let dir = dir_of(&file.path);
        if !seen_dirs.insert(dir) {
            continue;
        }
        let env_path = join(dir, ".env");
        let applicable = matchers.iter().filter(|(d, _)| is_within(dir, d));
        let mut ignored = false;
        for (gitignore_dir, gitignore) in applicable.clone() {
            let Some(relative) = relative_to(&env_path, gitignore_dir) else {
                continue;
            };
            match gitignore.matched_path_or_any_parents(relative, false) {
                Match::Ignore(_) => {
                    ignored = true;
                    break;
                }
                Match::Whitelist(_) => break,
                Match::None => {}
            }
        }
        if ignored {
            continue;
        }
        let at = match applicable.map(|(d, _)| d).next() {
            Some(d) => join(d, ".gitignore"),
            None => file.path.clone(),
        };
        if reported.insert(at.clone()) {
            out.push(hit(GITIGNORE_ENV, &at, env_path));
        }
    }
}

/// Key stores by name, and key-named files that are binary (DER) and so were not read.
fn binary_key_files(tree: &Tree, out: &mut Vec<TreeHit>) {
    for file in tree.files {
        let name = file_name(&file.path);
        if is_vendored(&file.path) {
            continue;
        }
        if is_keystore_name(name) || (file.binary && is_key_name(name)) {
            out.push(hit(PRIVATE_KEY_FILE, &file.path, file.path.clone()));
        }
    }
}

/// Paths stored in Git LFS (`filter=lfs` in a `.gitattributes`): the working tree holds the
/// real file, but the repository only a pointer, which is the recommended fix.
fn lfs_matchers(tree: &Tree) -> Vec<(String, Gitignore)> {
    tree.files
        .iter()
        .filter(|f| file_name(&f.path) == ".gitattributes")
        .map(|f| {
            let dir = dir_of(&f.path).to_owned();
            let text = read_small(tree, &f.path).unwrap_or_default();
            let patterns = text
                .lines()
                .filter(|l| l.split_whitespace().skip(1).any(|a| a == "filter=lfs"))
                .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
                .collect::<Vec<_>>();
            let m = matcher(patterns.into_iter());
            (dir, m)
        })
        .collect()
}

fn large_binaries(tree: &Tree, out: &mut Vec<TreeHit>) {
    let candidates: Vec<&TreeFile> = tree
        .files
        .iter()
        .filter(|f| f.size > LARGE_BINARY_BYTES && !is_vendored(&f.path))
        .filter(|f| {
            f.binary
                || extension(file_name(&f.path))
                    .is_some_and(|e| BINARY_EXTENSIONS.contains(&e.as_str()))
        })
        .collect();
    if candidates.is_empty() {
        return;
    }
    let lfs = lfs_matchers(tree);
    for file in candidates {
        let in_lfs = lfs.iter().any(|(dir, m)| {
            relative_to(&file.path, dir)
                .is_some_and(|rel| m.matched_path_or_any_parents(rel, false).is_ignore())
        });
        if in_lfs {
            continue;
        }
        let mib = file.size as f64 / (1024.0 * 1024.0);
        out.push(hit(
            LARGE_BINARY,
            &file.path,
            format!("{} ({mib:.1} MiB)", file.path),
        ));
    }
}

/// The scan root is a project's root when it has a README or is a git checkout; repository-wide
/// expectations (a security policy, an update bot) are not checked on arbitrary folders.
fn is_project_root(tree: &Tree) -> bool {
    readme(tree).is_some() || tree.root.join(".git").exists()
}

/// The root README, preferring `README.md`.
fn readme<'t>(tree: &'t Tree) -> Option<&'t str> {
    let mut names: Vec<&str> = tree
        .files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| !p.contains('/'))
        .filter(|p| {
            let lower = p.to_ascii_lowercase();
            lower == "readme" || lower.starts_with("readme.")
        })
        .collect();
    names.sort_by_key(|p| (!p.eq_ignore_ascii_case("README.md"), *p));
    names.first().copied()
}

fn security_policy(tree: &Tree, out: &mut Vec<TreeHit>) {
    let has_policy = tree.files.iter().any(|f| {
        let dir = dir_of(&f.path);
        let lower = file_name(&f.path).to_ascii_lowercase();
        matches!(dir, "" | ".github" | "docs")
            && (lower == "security"
                || lower
                    .strip_prefix("security.")
                    .is_some_and(|ext| matches!(ext, "md" | "markdown" | "rst" | "txt" | "adoc")))
    });
    if !has_policy {
        let at = readme(tree).unwrap_or(".");
        out.push(hit(NO_SECURITY_POLICY, at, "SECURITY.md"));
    }
}

fn dependency_updates(tree: &Tree, out: &mut Vec<TreeHit>) {
    if UPDATE_BOT_CONFIGS.iter().any(|c| tree.contains(c)) {
        return;
    }
    // The manifest closest to the root, as the place a developer looks first.
    let manifest = tree
        .files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| !is_vendored(p))
        .filter(|p| {
            let name = file_name(p);
            DEPENDENCY_MANIFESTS.contains(&name) || super::deps::is_requirements_file(p)
        })
        .min_by_key(|p| (p.matches('/').count(), *p));
    if let Some(path) = manifest {
        out.push(hit(NO_DEPENDENCY_UPDATES, path, path));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files are (path, content, size override for large files).
    fn tree_hits(
        files: &[(&str, &str)],
        sizes: &[(&str, u64, bool)],
    ) -> Vec<(BuiltinRule, String, String)> {
        crate::analyzers::tree_hits_in(files, sizes, check_tree)
            .into_iter()
            .map(|h| (h.rule, h.path, h.value.unwrap_or_default()))
            .collect()
    }

    fn rule_hits(files: &[(&str, &str)], rule: BuiltinRule) -> Vec<(String, String)> {
        tree_hits(files, &[])
            .into_iter()
            .filter(|(r, _, _)| *r == rule)
            .map(|(_, p, v)| (p, v))
            .collect()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn env_file_names() {
        for name in [
            ".env",
            ".env.production",
            ".env.local",
            ".env.keys",
            "prod.env",
            ".ENV",
        ] {
            assert!(is_env_file(name), "{name}");
        }
        for name in [
            ".env.example",
            ".env.sample",
            ".env.template",
            ".env.dist",
            ".env.local.example",
            ".env.vault",
            "example.env",
            ".envrc",
            "env",
            ".env_example",
            ".env.defaults",
            "environment.ts",
        ] {
            assert!(!is_env_file(name), "{name}");
        }
    }

    /// A committed env file is `high` when it holds a secret-like value and `low` otherwise
    /// (awesome-compose's `.env` files hold a media path or a time zone).
    #[test]
    fn env_file_severity_follows_its_content() {
        let severity = |text: &str| {
            let src = Source::new(".env", crate::source::FileKind::Env, text.as_bytes());
            let catalog = crate::catalog::Catalog::embedded().unwrap();
            let cx = Context {
                catalog: &catalog,
                today: jiff::civil::date(2026, 12, 6),
                advisories: None,
                chart: None,
            };
            let mut out = Vec::new();
            check(&cx, &src, &mut out);
            let hit = out.iter().find(|h| h.rule == ENV_FILE).expect("reported");
            hit.severity
        };
        for text in [
            "MEDIA_PATH=/srv/media\nTZ=Europe/Berlin\nPUID=1000\n",
            "COMPOSE_PROJECT_NAME=shop\nDB_PASSWORD=\nAPI_TOKEN=${API_TOKEN}\n",
            "DB_PASSWORD=<set me>\nPASSWORD_FILE=/run/secrets/db\nDEBUG=true\n",
            "export DATABASE_URL=postgres://app@db:5432/app # no password\n",
        ] {
            assert_eq!(severity(text), Some(Severity::Low), "{text}");
        }
        for text in [
            // Values joined at build time, so this file holds no literal secret.
            concat!("TZ=UTC\nDB_PASSWORD=", "Vt4q9-Lm2x\n"),
            concat!("export STRIPE_SECRET_KEY='sk_", "9f8e7d6c5b4a'\n"),
            concat!(
                "DATABASE_URL=postgres://app:",
                "Vt4q9Lm2x",
                "@db:5432/app\n"
            ),
            "JWT_SECRET=\"correct horse battery staple\" # local\n",
        ] {
            assert_eq!(severity(text), None, "{text}");
        }
    }

    #[test]
    fn env_values_and_templates() {
        let first = |text: &str| {
            env_values(text.as_bytes())
                .first()
                .map(|(r, _)| text[r.clone()].to_owned())
        };
        let values = |text: &str| -> Vec<String> {
            env_values(text.as_bytes())
                .into_iter()
                .map(|(_, r)| text[r].to_owned())
                .collect()
        };
        // Every value is found (each one is masked in every output), quotes and comments kept.
        assert_eq!(
            values("A=1\nexport B = 'two'\n# C=3\nD=\nE=x # note\n"),
            ["1", "'two'", "x # note"]
        );
        assert_eq!(
            first("# db\nDB_HOST=\nDB_PASSWORD=s3cr3t-Pa55\n").as_deref(),
            Some("DB_PASSWORD=s3cr3t-Pa55")
        );
        assert_eq!(
            first("export TOKEN='abc'\n").as_deref(),
            Some("export TOKEN='abc'")
        );
        assert_eq!(
            first("# API_KEY=abc\nAPI_KEY=\nOTHER=\"\"\nX= # fill in\n"),
            None
        );
        assert_eq!(first(""), None);
        assert_eq!(first("not an assignment\n= value\n"), None);
    }

    #[test]
    fn key_file_content() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(private_key_evidence(pem.as_bytes()), Some(0..31));
        let after_cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n";
        assert_eq!(
            private_key_evidence(after_cert.as_bytes()).map(|r| &after_cert[r]),
            Some("-----BEGIN PRIVATE KEY-----")
        );
        assert_eq!(
            private_key_evidence(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
            None
        );
        assert_eq!(
            private_key_evidence(b"-----BEGIN PUBLIC KEY-----\nMIIB\n"),
            None
        );
        assert_eq!(
            private_key_evidence(b"ssh-ed25519 AAAAC3Nza user@host\n"),
            None
        );
        assert_eq!(private_key_evidence(b"  \n"), None);
        assert_eq!(private_key_evidence(b"something\nelse"), Some(0..9));
        assert_eq!(
            private_key_evidence(b"PuTTY-User-Key-File-3: ssh-ed25519\n"),
            Some(0..34)
        );
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let junk: Vec<u8> = (0..=255u8).cycle().take(200_000).collect();
        let huge_line = "A=".to_owned() + &"x".repeat(2_000_000);
        for bytes in [
            &junk[..],
            huge_line.as_bytes(),
            b"",
            b"=",
            b"\n\n=\n",
            b"\xff\xfe=\x00",
        ] {
            let _ = env_values(bytes);
            let _ = private_key_evidence(bytes);
        }
        assert_eq!(env_values(huge_line.as_bytes()).len(), 1);
        // Garbage and pathological patterns in .gitignore / .gitattributes lose only themselves.
        let ignore = format!("[\n!\n\\\n{}\n**/**/**/[a-\n.env\n", "*".repeat(10_000));
        let hits = tree_hits(
            &[
                (".gitignore", ignore.as_str()),
                (".env.example", "A="),
                (".gitattributes", "[ filter=lfs\n\n  \n"),
            ],
            &[("big.bin", LARGE_BINARY_BYTES + 1, true)],
        );
        assert!(hits.iter().all(|h| h.0 != GITIGNORE_ENV), "{hits:?}");
        assert!(hits.iter().any(|h| h.0 == LARGE_BINARY));
    }

    #[test]
    fn key_names() {
        for name in [
            "id_rsa",
            "id_ed25519",
            "id_rsa_deploy",
            "server.key",
            "tls.pem",
            "AuthKey_X.p8",
            "a.ppk",
        ] {
            assert!(is_key_name(name), "{name}");
        }
        for name in [
            "id_rsa.pub",
            "key",
            "keys.json",
            ".pem",
            "monkey.txt",
            "identity",
        ] {
            assert!(!is_key_name(name), "{name}");
        }
        assert!(is_keystore_name("release.jks"));
        assert!(is_keystore_name("cert.PFX"));
        assert!(!is_keystore_name("p12"));
    }

    #[test]
    fn binary_keystores_are_reported_by_name() {
        let hits = tree_hits(
            &[("certs/client.p12", "x")],
            &[
                ("certs/server.key", 1200, true),
                ("docs/slides.txt", 10, true),
            ],
        );
        let keys: Vec<_> = hits.iter().filter(|h| h.0 == PRIVATE_KEY_FILE).collect();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].1, "certs/client.p12");
        assert_eq!(keys[1].1, "certs/server.key");
    }

    #[test]
    fn gitignore_must_cover_env_where_env_files_are_used() {
        // No .gitignore at all: reported at the env-style file.
        assert_eq!(
            rule_hits(&[(".env.example", "A=")], GITIGNORE_ENV),
            vec![pair(".env.example", ".env")]
        );
        // A .gitignore that does not cover .env: reported there.
        assert_eq!(
            rule_hits(
                &[(".gitignore", "node_modules/\n"), (".env.example", "A=")],
                GITIGNORE_ENV
            ),
            vec![pair(".gitignore", ".env")]
        );
        for covered in [
            ".env\n",
            ".env*\n!.env.example\n",
            "*.env\n.env\n",
            "/.env\n",
            "**/.env\n",
        ] {
            assert!(
                rule_hits(
                    &[(".gitignore", covered), (".env.example", "A=")],
                    GITIGNORE_ENV
                )
                .is_empty(),
                "{covered:?}"
            );
        }
        // A negation after the rule re-includes it.
        assert_eq!(
            rule_hits(
                &[(".gitignore", ".env\n!.env\n"), (".env.example", "A=")],
                GITIGNORE_ENV
            )
            .len(),
            1
        );
        // A nested .gitignore covers its own directory; the root one covers everything.
        assert!(
            rule_hits(
                &[
                    (".gitignore", "target/\n"),
                    ("api/.gitignore", ".env\n"),
                    ("api/.env.example", "A=")
                ],
                GITIGNORE_ENV
            )
            .is_empty()
        );
        assert_eq!(
            rule_hits(
                &[
                    (".gitignore", "target/\n"),
                    ("api/.gitignore", "dist/\n"),
                    ("api/.env.sample", "A=")
                ],
                GITIGNORE_ENV
            ),
            vec![pair("api/.gitignore", "api/.env")]
        );
        // No env-style file anywhere: nothing to say.
        assert!(
            rule_hits(
                &[(".gitignore", "target/\n"), ("src/main.rs", "")],
                GITIGNORE_ENV
            )
            .is_empty()
        );
    }

    #[test]
    fn security_policy_and_update_bot() {
        let base = [("README.md", "# app"), ("package.json", "{}")];
        let hits = tree_hits(&base, &[]);
        assert!(hits.contains(&(
            NO_SECURITY_POLICY,
            "README.md".to_owned(),
            "SECURITY.md".to_owned()
        )));
        assert!(hits.contains(&(
            NO_DEPENDENCY_UPDATES,
            "package.json".to_owned(),
            "package.json".to_owned()
        )));

        for policy in [
            "SECURITY.md",
            ".github/SECURITY.md",
            "docs/security.md",
            "SECURITY.rst",
        ] {
            let mut files = base.to_vec();
            files.push((policy, "x"));
            assert!(rule_hits(&files, NO_SECURITY_POLICY).is_empty(), "{policy}");
        }
        for config in [
            ".github/dependabot.yml",
            "renovate.json",
            ".github/renovate.json5",
            ".renovaterc",
        ] {
            let mut files = base.to_vec();
            files.push((config, "{}"));
            assert!(
                rule_hits(&files, NO_DEPENDENCY_UPDATES).is_empty(),
                "{config}"
            );
        }
        // Not a project root (no README, not a checkout): no repository-wide expectations.
        assert!(rule_hits(&[("package.json", "{}")], NO_SECURITY_POLICY).is_empty());
        assert!(rule_hits(&[("package.json", "{}")], NO_DEPENDENCY_UPDATES).is_empty());
        // No manifests: no update bot needed.
        assert!(
            rule_hits(
                &[("README.md", "x"), ("main.sh", "")],
                NO_DEPENDENCY_UPDATES
            )
            .is_empty()
        );
        // The shallowest manifest is named.
        assert_eq!(
            rule_hits(
                &[
                    ("README.md", "x"),
                    ("web/package.json", "{}"),
                    ("requirements.txt", "")
                ],
                NO_DEPENDENCY_UPDATES
            ),
            vec![pair("requirements.txt", "requirements.txt")]
        );
    }

    #[test]
    fn large_binaries_by_flag_or_extension_unless_in_lfs() {
        let big = LARGE_BINARY_BYTES + 1;
        let hits = tree_hits(
            &[],
            &[
                ("data/dump.sql.gz", 180 * 1024 * 1024, false),
                ("models/weights.bin", big, true),
                ("data/big.csv", big, false),
                ("small.zip", 1024, true),
            ],
        );
        let large: Vec<_> = hits.iter().filter(|h| h.0 == LARGE_BINARY).collect();
        assert_eq!(large.len(), 2);
        assert_eq!(large[0].1, "data/dump.sql.gz");
        assert_eq!(large[0].2, "data/dump.sql.gz (180.0 MiB)");
        assert_eq!(large[1].1, "models/weights.bin");

        let hits = tree_hits(
            &[(
                ".gitattributes",
                "*.bin filter=lfs diff=lfs merge=lfs -text\n",
            )],
            &[("models/weights.bin", big, true)],
        );
        assert!(hits.iter().all(|h| h.0 != LARGE_BINARY));
    }
}
