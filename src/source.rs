//! A source file as the checks see it: its kind (from name, extension or shebang), its lines
//! (computed lazily, only when a finding needs a position) and its comment syntax.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// What kind of file this is, as far as the checks are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Dockerfile,
    Compose,
    GithubWorkflow,
    GithubAction,
    GitlabCi,
    Yaml,
    Json,
    Toml,
    Python,
    Javascript,
    Typescript,
    Go,
    Java,
    Ruby,
    Php,
    Rust,
    Shell,
    Env,
    Terraform,
    Markdown,
    Text,
}

impl FileKind {
    pub const ALL: [FileKind; 21] = [
        FileKind::Dockerfile,
        FileKind::Compose,
        FileKind::GithubWorkflow,
        FileKind::GithubAction,
        FileKind::GitlabCi,
        FileKind::Yaml,
        FileKind::Json,
        FileKind::Toml,
        FileKind::Python,
        FileKind::Javascript,
        FileKind::Typescript,
        FileKind::Go,
        FileKind::Java,
        FileKind::Ruby,
        FileKind::Php,
        FileKind::Rust,
        FileKind::Shell,
        FileKind::Env,
        FileKind::Terraform,
        FileKind::Markdown,
        FileKind::Text,
    ];

    /// Detects the kind from the path relative to the scan root (`/`-separated) and, for files
    /// without a telling name, the first line (a shebang).
    pub fn detect(rel_path: &str, head: &[u8]) -> FileKind {
        let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, ext)| ext).unwrap_or("");
        let is_yaml = ext == "yml" || ext == "yaml";
        let by_extension = Self::from_extension(ext);

        // `Dockerfile.prod` is a Dockerfile; `dockerfile.rs` or `dockerfile.yml` is not.
        if lower == "dockerfile"
            || lower == "containerfile"
            || (lower.starts_with("dockerfile.") && by_extension.is_none() && !is_yaml)
            || lower.starts_with("dockerfile-")
            || lower.starts_with("dockerfile_")
            || lower.ends_with(".dockerfile")
            || lower.ends_with(".containerfile")
        {
            return FileKind::Dockerfile;
        }
        if is_yaml {
            if lower.starts_with("docker-compose")
                || lower.starts_with("compose.")
                || lower.starts_with("compose-")
            {
                return FileKind::Compose;
            }
            if let Some(dir) = rel_path.strip_suffix(name)
                && (dir == ".github/workflows/" || dir.ends_with("/.github/workflows/"))
            {
                return FileKind::GithubWorkflow;
            }
            if lower == "action.yml" || lower == "action.yaml" {
                return FileKind::GithubAction;
            }
            if lower == ".gitlab-ci.yml" || lower == ".gitlab-ci.yaml" {
                return FileKind::GitlabCi;
            }
            return FileKind::Yaml;
        }
        if lower == ".env" || lower.starts_with(".env.") || ext == "env" {
            return FileKind::Env;
        }
        if let Some(kind) = by_extension {
            return kind;
        }
        if matches!(lower.as_str(), "gemfile" | "rakefile") {
            return FileKind::Ruby;
        }
        if ext.is_empty()
            && let Some(kind) = Self::from_shebang(head)
        {
            return kind;
        }
        FileKind::Text
    }

    /// The kind an extension alone says (YAML and `.env` aside, which depend on the name).
    fn from_extension(ext: &str) -> Option<FileKind> {
        Some(match ext {
            "json" => FileKind::Json,
            "toml" => FileKind::Toml,
            "py" | "pyw" => FileKind::Python,
            "js" | "mjs" | "cjs" | "jsx" => FileKind::Javascript,
            "ts" | "tsx" | "mts" | "cts" => FileKind::Typescript,
            "go" => FileKind::Go,
            "java" => FileKind::Java,
            "rb" | "rake" | "gemspec" => FileKind::Ruby,
            "php" | "phtml" => FileKind::Php,
            "rs" => FileKind::Rust,
            "sh" | "bash" | "zsh" | "ksh" => FileKind::Shell,
            "tf" | "tfvars" | "hcl" => FileKind::Terraform,
            "md" | "markdown" => FileKind::Markdown,
            _ => return None,
        })
    }

    fn from_shebang(head: &[u8]) -> Option<FileKind> {
        let line = head.strip_prefix(b"#!")?;
        let end = memchr::memchr(b'\n', line).unwrap_or(line.len()).min(200);
        let line = String::from_utf8_lossy(&line[..end]);
        let mut words = line.split_whitespace();
        let mut program = words.next()?.rsplit('/').next()?;
        if program == "env" {
            program = words.find(|w| !w.starts_with('-'))?;
        }
        let program = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        Some(match program {
            "python" | "pypy" => FileKind::Python,
            "node" | "deno" | "bun" => FileKind::Javascript,
            "sh" | "bash" | "zsh" | "dash" | "ksh" => FileKind::Shell,
            "ruby" => FileKind::Ruby,
            "php" => FileKind::Php,
            _ => return None,
        })
    }

    /// The prefixes that start a line comment in this kind of file.
    pub fn line_comments(self) -> &'static [&'static str] {
        match self {
            FileKind::Python
            | FileKind::Shell
            | FileKind::Ruby
            | FileKind::Yaml
            | FileKind::Compose
            | FileKind::GithubWorkflow
            | FileKind::GithubAction
            | FileKind::GitlabCi
            | FileKind::Dockerfile
            | FileKind::Toml
            | FileKind::Env => &["#"],
            FileKind::Javascript
            | FileKind::Typescript
            | FileKind::Go
            | FileKind::Java
            | FileKind::Rust => &["//", "/*", "*"],
            FileKind::Php => &["//", "#", "/*", "*"],
            FileKind::Terraform => &["#", "//", "/*", "*"],
            // Plain text covers requirements.txt, Pipfile, go.mod, yarn.lock, .gitignore and
            // friends, whose comments start with `#` or `//`.
            FileKind::Text => &["#", "//"],
            FileKind::Json | FileKind::Markdown => &[],
        }
    }

    /// The kebab-case name used in rule packs.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "dockerfile",
            FileKind::Compose => "compose",
            FileKind::GithubWorkflow => "github-workflow",
            FileKind::GithubAction => "github-action",
            FileKind::GitlabCi => "gitlab-ci",
            FileKind::Yaml => "yaml",
            FileKind::Json => "json",
            FileKind::Toml => "toml",
            FileKind::Python => "python",
            FileKind::Javascript => "javascript",
            FileKind::Typescript => "typescript",
            FileKind::Go => "go",
            FileKind::Java => "java",
            FileKind::Ruby => "ruby",
            FileKind::Php => "php",
            FileKind::Rust => "rust",
            FileKind::Shell => "shell",
            FileKind::Env => "env",
            FileKind::Terraform => "terraform",
            FileKind::Markdown => "markdown",
            FileKind::Text => "text",
        }
    }

    /// True for YAML of any flavour (workflows, compose files and plain YAML).
    pub fn is_yaml(self) -> bool {
        matches!(
            self,
            FileKind::Yaml
                | FileKind::Compose
                | FileKind::GithubWorkflow
                | FileKind::GithubAction
                | FileKind::GitlabCi
        )
    }
}

/// Characters in `bytes` as `String::from_utf8_lossy` decodes them.
fn lossy_chars(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes).chars().count()
}

/// Directory names that hold test, example or documentation code, by convention (compared
/// lowercased): a file anywhere below one is test code.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "spec",
    "specs",
    "__tests__",
    "__specs__",
    "testdata",
    "_testdata",
    "test-data",
    "test_data",
    "testing",
    "fixtures",
    "fixture",
    "__fixtures__",
    "testfixtures",
    "mocks",
    "__mocks__",
    "fake",
    "fakes",
    "testutil",
    "testutils",
    "testhelpers",
    "cypress",
    "e2e",
    "playwright",
    "androidtest",
    "integration-tests",
    "integration_tests",
    "examples",
    "_examples",
    "samples",
    "docs",
    "doc",
    "documentation",
];

/// File-name parts that mark a test or example by convention, per language (lowercased name):
/// `*.test.js`, `*.spec.ts`, `*_test.go`, `*_spec.rb`, `*.cy.ts` (Cypress), `*.stories.tsx`.
const TEST_NAME_PARTS: &[&str] = &[
    ".test.",
    ".spec.",
    "_test.",
    "_spec.",
    "-test.",
    "-spec.",
    ".cy.",
    ".e2e.",
    ".stories.",
];

/// Extensions of documentation files, whose code blocks are examples.
const DOC_EXTENSIONS: &[&str] = &["md", "mdx", "markdown", "rst", "adoc"];

/// Test, example and documentation code by convention, per language: a directory such as
/// `test/`, `tests/`, `spec/`, `__tests__/`, `cypress/`, `e2e/`, `fixtures/`, `testdata/`,
/// `examples/`, `docs/`, Go's `fake/` and `testutil/` (and Maven's `src/test/java`), a name such
/// as `*_test.go`, `*.spec.ts`, `*.test.js`, `*_spec.rb`, `test_*.py`, `conftest.py`,
/// `*Test.java`, `*Tests.swift`, `*IT.java`, `*Spec.scala`, a .NET or Xcode test project
/// (`App.Tests/`, `AppTests/`), a template such as `.env.example`, or a documentation file
/// (`*.md`). A repository adds its own with `[paths] tests` (see [`TestPaths`]).
pub fn is_test_path(rel_path: &str) -> bool {
    let mut parts = rel_path.split('/');
    let name = parts.next_back().unwrap_or(rel_path);
    if parts.any(is_test_dir) {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, ext.to_ascii_lowercase()),
        _ => (name, String::new()),
    };
    lower.starts_with("test_")
        || lower == "conftest.py"
        || TEST_NAME_PARTS.iter().any(|part| lower.contains(part))
        || DOC_EXTENSIONS.contains(&ext.as_str())
        || ["example", "sample", "template", "dist"].contains(&ext.as_str())
        || lower.contains(".example.")
        || lower.contains(".sample.")
        || camel_test_suffix(stem, &["Tests", "Test", "IT"])
        || (["scala", "groovy", "kt", "swift"].contains(&ext.as_str())
            && camel_test_suffix(stem, &["Spec"]))
}

/// A directory of test, example or documentation code (see [`is_test_path`]).
fn is_test_dir(dir: &str) -> bool {
    let lower = dir.to_ascii_lowercase();
    TEST_DIRS.contains(&lower.as_str())
        || [
            ".tests",
            "-tests",
            "_tests",
            ".test",
            ".unittests",
            ".specs",
        ]
        .iter()
        .any(|suffix| lower.ends_with(suffix))
        || camel_test_suffix(dir, &["Tests", "Test"])
}

/// `UserServiceTest`, `LoginTests`, `CartSpec`, `OrderIT`, `AppTests`: a CamelCase name ending
/// in one of `suffixes` (JUnit, XCTest, ScalaTest, Spock, Failsafe), where a lowercase letter
/// or digit comes before the suffix, so `Contest` and `EDIT` are not.
fn camel_test_suffix(name: &str, suffixes: &[&str]) -> bool {
    suffixes.iter().any(|suffix| {
        name.strip_suffix(suffix).is_some_and(|head| {
            head.chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
    })
}

/// Which files hold test, example or documentation code: the conventions of [`is_test_path`]
/// and a repository's `[paths] tests` patterns (gitignore syntax; `!pattern` says a path is
/// not test code even where a convention says it is).
#[derive(Debug, Clone, Default)]
pub struct TestPaths {
    configured: Option<ignore::gitignore::Gitignore>,
}

impl TestPaths {
    /// The conventions plus `patterns` (already checked with [`crate::config::check_exclude`];
    /// a pattern that does not parse is left out).
    pub fn new(patterns: &[String]) -> TestPaths {
        if patterns.is_empty() {
            return TestPaths::default();
        }
        let mut builder = crate::config::exclude_builder(std::path::Path::new("/"));
        for pattern in patterns {
            let _ = builder.add_line(None, pattern);
        }
        TestPaths {
            configured: builder.build().ok(),
        }
    }

    /// True when `rel_path` (relative to the scan root, `/`-separated) is test code.
    pub fn contains(&self, rel_path: &str) -> bool {
        if let Some(matcher) = &self.configured {
            let found = matcher.matched_path_or_any_parents(rel_path, false);
            if found.is_ignore() {
                return true;
            }
            if found.is_whitelist() {
                return false;
            }
        }
        is_test_path(rel_path)
    }
}

/// Byte offsets where each line starts: after every `\n`, `\r\n` and lone `\r` (classic Mac
/// line endings), so a trailing line break yields a start equal to the length.
pub fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(bytes.len() / 40 + 1);
    starts.push(0);
    starts.extend(
        memchr::memchr2_iter(b'\n', b'\r', bytes)
            .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
            .map(|i| i + 1),
    );
    starts
}

/// The text of one file with its line starts computed on first use.
pub struct Source<'a> {
    pub rel_path: &'a str,
    pub kind: FileKind,
    pub bytes: &'a [u8],
    line_starts: OnceLock<Vec<usize>>,
    /// Character counts from the start of the file at character boundaries about every
    /// `CHAR_MARK_EVERY` bytes, made on first need: a column on a long line is then a lookup
    /// and a short count, not a count from the start of the line.
    char_marks: OnceLock<Vec<(usize, usize)>>,
}

/// Bytes between two character-count marks (see `Source::position`).
const CHAR_MARK_EVERY: usize = 4096;

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl<'a> Source<'a> {
    pub fn new(rel_path: &'a str, kind: FileKind, bytes: &'a [u8]) -> Self {
        Source {
            rel_path,
            kind,
            bytes,
            line_starts: OnceLock::new(),
            char_marks: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| line_starts(self.bytes))
    }

    /// Number of lines (a trailing newline does not start a new line).
    pub fn line_count(&self) -> usize {
        let starts = self.line_starts();
        if self.bytes.ends_with(b"\n") || self.bytes.ends_with(b"\r") {
            starts.len() - 1
        } else {
            starts.len()
        }
    }

    /// 0-based line index holding byte `offset`.
    fn line_index(&self, offset: usize) -> usize {
        let starts = self.line_starts();
        match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// The 1-based position of a byte offset. Columns count the characters of the line as
    /// `String::from_utf8_lossy` decodes it up to the offset; on a long line that count is
    /// taken from the nearest marks, so that a position costs the same anywhere in a line.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.bytes.len());
        let index = self.line_index(offset);
        let start = self.line_starts()[index];
        let column = if offset - start <= CHAR_MARK_EVERY {
            lossy_chars(&self.bytes[start..offset])
        } else {
            self.chars_before(offset) - self.chars_before(start)
        } + 1;
        Position {
            line: index as u32 + 1,
            column: column as u32,
        }
    }

    /// Characters (as decoded lossily) before byte `offset`, counted from the nearest mark
    /// before it. Lossy decoding is additive at a mark: each is a character boundary inside
    /// valid UTF-8, where neither side's decoding depends on the other.
    fn chars_before(&self, offset: usize) -> usize {
        let marks = self.char_marks.get_or_init(|| {
            let mut marks = vec![(0, 0)];
            let (mut at, mut chars) = (0, 0);
            for chunk in self.bytes.utf8_chunks() {
                for (i, _) in chunk.valid().char_indices() {
                    if at + i >= marks[marks.len() - 1].0 + CHAR_MARK_EVERY {
                        marks.push((at + i, chars));
                    }
                    chars += 1;
                }
                at += chunk.valid().len();
                if !chunk.invalid().is_empty() {
                    chars += 1;
                    at += chunk.invalid().len();
                }
            }
            marks
        });
        let (mark, chars) = marks[marks.partition_point(|&(at, _)| at <= offset) - 1];
        chars + lossy_chars(&self.bytes[mark..offset])
    }

    /// The part of `line` (a line's byte range) within `want`, widened to whole characters:
    /// the text around a finding on a line too long to decode for each finding.
    pub fn window_within(
        &self,
        line: std::ops::Range<usize>,
        want: std::ops::Range<usize>,
    ) -> std::ops::Range<usize> {
        // Past the continuation bytes of a character cut in two (at most three).
        let at_char = |mut i: usize| {
            for _ in 0..3 {
                if i < line.end && self.bytes[i] & 0xc0 == 0x80 {
                    i += 1;
                }
            }
            i
        };
        let start = if want.start > line.start {
            at_char(want.start.min(line.end))
        } else {
            line.start
        };
        let end = if want.end < line.end {
            at_char(want.end).max(start)
        } else {
            line.end
        };
        start..end
    }

    /// Byte range of 1-based `line`, without its line terminator.
    pub fn line_range(&self, line: u32) -> Option<std::ops::Range<usize>> {
        let starts = self.line_starts();
        let index = (line as usize).checked_sub(1)?;
        let start = *starts.get(index)?;
        if start > self.bytes.len() || (start == self.bytes.len() && index > 0) {
            return None;
        }
        let mut end = starts
            .get(index + 1)
            .map_or(self.bytes.len(), |next| next - 1);
        if end > start && self.bytes[end - 1] == b'\r' && self.bytes.get(end) == Some(&b'\n') {
            end -= 1;
        }
        Some(start..end)
    }

    /// The text of 1-based `line` (lossy for invalid UTF-8).
    pub fn line_text(&self, line: u32) -> std::borrow::Cow<'a, str> {
        match self.line_range(line) {
            Some(range) => String::from_utf8_lossy(&self.bytes[range]),
            None => std::borrow::Cow::Borrowed(""),
        }
    }

    /// Byte offset of a 1-based line and column (clamped to the line).
    pub fn offset_of(&self, line: u32, column: u32) -> usize {
        let Some(range) = self.line_range(line) else {
            return self.bytes.len();
        };
        let text = String::from_utf8_lossy(&self.bytes[range.clone()]);
        let skip = (column as usize).saturating_sub(1);
        let byte_in_line: usize = text.chars().take(skip).map(char::len_utf8).sum();
        (range.start + byte_in_line).min(range.end)
    }

    /// True when `offset` lies in a line comment, or on a line that is itself a comment.
    pub fn in_comment(&self, offset: usize) -> bool {
        let prefixes = self.kind.line_comments();
        if prefixes.is_empty() {
            return false;
        }
        let offset = offset.min(self.bytes.len());
        let index = self.line_index(offset);
        let start = self.line_starts()[index];
        let before = &self.bytes[start..offset];
        // Whole-line comment: the first non-blank characters are a comment marker. Only the
        // start of the line is decoded (cut at a character boundary), unless it is all blank.
        let mut head_len = before.len().min(256);
        while head_len > 0 && head_len < before.len() && before[head_len] & 0xc0 == 0x80 {
            head_len -= 1;
        }
        let starts_comment = |text: &str| {
            let trimmed = text.trim_start();
            prefixes.iter().any(|p| trimmed.starts_with(p))
        };
        let head = String::from_utf8_lossy(&before[..head_len]);
        let whole_line = if head_len == before.len() || head.trim_start().len() >= 4 {
            starts_comment(&head)
        } else {
            starts_comment(&String::from_utf8_lossy(before))
        };
        if whole_line {
            return true;
        }
        // A trailing line comment before the match (`x = 1  # note`): the marker must stand
        // outside any string literal on the line.
        let Some(marker) = prefixes.iter().find(|p| **p == "#" || **p == "//") else {
            return false;
        };
        // Byte-wise: the quotes and markers are ASCII, and UTF-8 never reuses ASCII bytes.
        let marker = marker.as_bytes();
        let mut quote: Option<u8> = None;
        let mut escaped = false;
        for (i, &b) in before.iter().enumerate() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == q {
                    quote = None;
                }
                continue;
            }
            if matches!(b, b'"' | b'\'' | b'`') {
                quote = Some(b);
            } else if before[i..].starts_with(marker)
                && !(marker == b"//" && before[..i].ends_with(b":"))
            {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_kinds_from_names() {
        let cases = [
            ("Dockerfile", FileKind::Dockerfile),
            ("build/Dockerfile.prod", FileKind::Dockerfile),
            ("api.dockerfile", FileKind::Dockerfile),
            ("Dockerfile-dev", FileKind::Dockerfile),
            // Source files named after Dockerfiles are source files.
            ("src/analyzers/dockerfile.rs", FileKind::Rust),
            ("lint/dockerfile.go", FileKind::Go),
            ("ci/dockerfile.yml", FileKind::Yaml),
            ("docker-compose.yml", FileKind::Compose),
            ("compose.yaml", FileKind::Compose),
            (".github/workflows/ci.yml", FileKind::GithubWorkflow),
            ("sub/.github/workflows/ci.yaml", FileKind::GithubWorkflow),
            (".github/workflows/nested/ci.yml", FileKind::Yaml),
            ("action.yml", FileKind::GithubAction),
            (".gitlab-ci.yml", FileKind::GitlabCi),
            ("k8s/deploy.yaml", FileKind::Yaml),
            (".env", FileKind::Env),
            (".env.production", FileKind::Env),
            ("app/main.py", FileKind::Python),
            ("web/index.tsx", FileKind::Typescript),
            ("Gemfile", FileKind::Ruby),
            ("README.md", FileKind::Markdown),
            ("notes.txt", FileKind::Text),
        ];
        for (path, kind) in cases {
            assert_eq!(FileKind::detect(path, b""), kind, "{path}");
        }
    }

    #[test]
    fn detects_kinds_from_shebangs() {
        assert_eq!(
            FileKind::detect("bin/run", b"#!/usr/bin/env python3\n"),
            FileKind::Python
        );
        assert_eq!(
            FileKind::detect("bin/run", b"#!/bin/bash -e\n"),
            FileKind::Shell
        );
        assert_eq!(
            FileKind::detect("bin/run", b"#!/usr/bin/env -S node\n"),
            FileKind::Javascript
        );
        assert_eq!(FileKind::detect("bin/run", b"plain"), FileKind::Text);
    }

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\r\nçd x\nlast";
        let src = Source::new("f", FileKind::Text, text.as_bytes());
        assert_eq!(src.position(0), Position { line: 1, column: 1 });
        let x = text.find('x').unwrap();
        assert_eq!(src.position(x), Position { line: 2, column: 4 });
        assert_eq!(src.line_text(1), "ab");
        assert_eq!(src.line_text(3), "last");
        assert_eq!(src.line_count(), 3);
        assert_eq!(src.offset_of(2, 4), x);
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let text = "a = 1\rb = 2\rTOKEN = x\r\nlast\r";
        let src = Source::new("f", FileKind::Text, text.as_bytes());
        let at = text.find("TOKEN").unwrap();
        assert_eq!(src.position(at), Position { line: 3, column: 1 });
        assert_eq!(src.line_text(2), "b = 2");
        assert_eq!(src.line_text(3), "TOKEN = x");
        assert_eq!(src.line_text(4), "last");
        assert_eq!(src.line_count(), 4);
        assert_eq!(src.offset_of(3, 1), at);
        assert_eq!(line_starts(b"a\r\r\nb"), [0, 2, 4]);
    }

    #[test]
    fn recognises_comments() {
        let text = "# token = 1\nx = 2  # token\ny = \"#not\" + token\n";
        let src = Source::new("a.py", FileKind::Python, text.as_bytes());
        assert!(src.in_comment(text.find("token").unwrap()));
        assert!(src.in_comment(text.find("# token").unwrap() + 2));
        assert!(!src.in_comment(text.rfind("token").unwrap()));
        let js = "const u = 'https://x'; run(u)\n// run(a)\n";
        let src = Source::new("a.js", FileKind::Javascript, js.as_bytes());
        assert!(!src.in_comment(js.find("run").unwrap()));
        assert!(src.in_comment(js.rfind("run").unwrap()));
    }

    /// `in_comment` as first written (decoding the line up to the offset for every call).
    fn in_comment_reference(src: &Source, offset: usize) -> bool {
        let prefixes = src.kind.line_comments();
        if prefixes.is_empty() {
            return false;
        }
        let index = src.line_index(offset.min(src.bytes.len()));
        let start = src.line_starts()[index];
        let before = String::from_utf8_lossy(&src.bytes[start..offset.min(src.bytes.len())]);
        if prefixes.iter().any(|p| before.trim_start().starts_with(p)) {
            return true;
        }
        let Some(marker) = prefixes.iter().find(|p| **p == "#" || **p == "//") else {
            return false;
        };
        // Decoded, character by character: a marker outside string literals.
        let mut quote = None;
        let mut escaped = false;
        for (i, c) in before.char_indices() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            } else if matches!(c, '"' | '\'' | '`') {
                quote = Some(c);
            } else if before[i..].starts_with(marker)
                && !(*marker == "//" && before[..i].ends_with(':'))
            {
                return true;
            }
        }
        false
    }

    #[test]
    fn in_comment_matches_the_reference_on_odd_lines() {
        let mut lines: Vec<Vec<u8>> = vec![
            b"x = 1 # note token".to_vec(),
            b"  // token".to_vec(),
            b"url = 'https://x' // token".to_vec(),
            b"a = \"#\" + token # t".to_vec(),
            b"\xff\xfe # token \xc3".to_vec(),
            b"\xe2\x82 // token".to_vec(),
        ];
        let mut long_blank = " ".repeat(255).into_bytes();
        long_blank.extend("\u{3000}# token".as_bytes());
        lines.push(long_blank);
        let mut split = " ".repeat(255).into_bytes();
        split.extend(b"// token");
        lines.push(split);
        let mut blanks = "\u{2003}".repeat(200).into_bytes();
        blanks.extend(b"* token");
        lines.push(blanks);
        let mut cont = vec![0x80u8; 300];
        cont.extend(b"# token");
        lines.push(cont);
        lines.push(format!("{}# token", "é".repeat(200)).into_bytes());
        for kind in [
            FileKind::Python,
            FileKind::Javascript,
            FileKind::Php,
            FileKind::Json,
        ] {
            for line in &lines {
                let mut text = b"first\n".to_vec();
                text.extend(line);
                text.extend(b"\nlast\n");
                let src = Source::new("f", kind, &text);
                for offset in 0..=text.len() {
                    assert_eq!(
                        src.in_comment(offset),
                        in_comment_reference(&src, offset),
                        "{kind:?} {:?} at {offset}",
                        String::from_utf8_lossy(line)
                    );
                }
            }
        }
    }

    #[test]
    fn comment_markers_inside_strings_do_not_count() {
        let rb = "User.where(\"name = '#{params[:q]}'\")  # search\n";
        let src = Source::new("a.rb", FileKind::Ruby, rb.as_bytes());
        assert!(!src.in_comment(rb.find("params").unwrap()));
        assert!(src.in_comment(rb.find("search").unwrap()));
        let py = "x = 'it\\'s # not' + y  # yes\n";
        let src = Source::new("a.py", FileKind::Python, py.as_bytes());
        assert!(!src.in_comment(py.find("+ y").unwrap()));
        assert!(src.in_comment(py.find("yes").unwrap()));
    }

    #[test]
    fn plain_text_files_take_hash_and_slash_comments() {
        let text = "flask  # seccoach:ignore x\n// go.mod comment\nhttps://example.com/a\n";
        let src = Source::new("requirements.txt", FileKind::Text, text.as_bytes());
        assert!(src.in_comment(text.find("seccoach").unwrap()));
        assert!(src.in_comment(text.find("go.mod").unwrap()));
        assert!(!src.in_comment(text.find("example").unwrap()));
    }

    /// Positions on long lines (counted from the marks) agree with counting the whole line,
    /// with multi-byte characters, invalid bytes and a character cut by a mark.
    #[test]
    fn positions_on_long_lines_agree_with_counting_from_the_line_start() {
        let mut text = b"first line\n".to_vec();
        for i in 0..3_000 {
            match i % 5 {
                0 => text.extend("é€😀".as_bytes()),
                1 => text.extend(b"\xff\xe2\x82"),
                2 => text.extend(b"plain ascii "),
                3 => text.push(b'x'),
                _ => text.extend("ключ ".as_bytes()),
            }
        }
        text.extend(b"\nshort\n");
        text.extend("中".repeat(5_000).as_bytes());
        let src = Source::new("f", FileKind::Text, &text);
        let reference = |offset: usize| {
            let start = text[..offset]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            String::from_utf8_lossy(&text[start..offset])
                .chars()
                .count() as u32
                + 1
        };
        for offset in (0..=text.len()).step_by(7).chain([text.len()]) {
            assert_eq!(
                src.position(offset).column,
                reference(offset),
                "at {offset}"
            );
        }
    }

    #[test]
    fn test_paths_are_recognised() {
        for path in [
            "tests/data/key.txt",
            "src/auth_test.go",
            "web/login.spec.ts",
            "test/api/2fa.test.ts",
            "frontend/src/app/last-login-ip/last-login-ip.component.spec.ts",
            "app/__tests__/login.js",
            "test/cypress/e2e/forgedJwt.spec.ts",
            "cypress/support/commands.js",
            "e2e/framework/addon/helmserver.go",
            "runtime/template/v2/_testdata/foo.key",
            "providers/v1/chef/fake/fake.go",
            "pkg/testutil/certs.go",
            "pkg/testdata/config.yaml",
            "src/test/java/com/acme/AuthServiceTest.java",
            "src/main/java/com/acme/AuthServiceTest.java",
            "src/main/java/com/acme/OrderRepositoryIT.java",
            "app/src/androidTest/java/LoginTest.kt",
            "spec/models/user_spec.rb",
            "lib/user_spec.rb",
            "Tests/AppTests/LoginTests.swift",
            "src/test/scala/CartSpec.scala",
            "MyAppTests/KeychainTests.swift",
            "src/Acme.Api.Tests/AuthControllerTests.cs",
            "hc/accounts/tests/test_login.py",
            "test_settings.py",
            "conftest.py",
            "src/components/Button.stories.tsx",
            "cypress/component/Login.cy.ts",
            "examples/basic/main.py",
            "docs/snippets/azkv-credentials-secret.yaml",
            "README.md",
            "guide/setup.rst",
            ".env.example",
            "config/settings.example.yml",
            "config/database.yml.sample",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in [
            "src/contest.py",
            "src/Contest.java",
            "src/main/java/com/acme/EDIT.java",
            "src/main/java/com/acme/UserSpec.java",
            "lib/insecurity.ts",
            "routes/login.ts",
            "hc/settings.py",
            "cmd/controller/root.go",
            "src/latest.rs",
            "src/attestation/verify.go",
            "app/testimonials/view.py",
            "Dockerfile",
            ".env",
            "src/main/resources/application.properties",
            "specification/api.yaml",
            // `example` alone names projects and Java packages (`com.example`), not samples.
            "src/main/java/com/example/web/LoginController.java",
            "django/app/example/settings.py",
        ] {
            assert!(!is_test_path(path), "{path}");
        }
    }

    #[test]
    fn configured_test_paths_add_to_the_conventions_and_may_take_away() {
        let paths = TestPaths::new(&[
            "qa/".to_owned(),
            "**/*.fake.ts".to_owned(),
            "!docs/deploy/".to_owned(),
        ]);
        assert!(paths.contains("qa/load/users.py"));
        assert!(paths.contains("src/api/client.fake.ts"));
        assert!(paths.contains("tests/unit/test_auth.py"));
        assert!(!paths.contains("docs/deploy/secret.yaml"));
        assert!(paths.contains("docs/guide/secret.yaml"));
        assert!(!paths.contains("src/api/client.ts"));
        assert!(!paths.contains("quality/report.py"));
        // Without configuration: the conventions alone.
        let plain = TestPaths::default();
        assert!(plain.contains("tests/unit/test_auth.py"));
        assert!(!plain.contains("qa/load/users.py"));
    }
}
