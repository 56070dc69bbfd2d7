//! A rule as declared in a TOML rule pack, and its compiled form the scan runs.

use super::{Confidence, LoadError, RuleId, Severity};
use crate::pattern::LazyRegex;
use crate::rules::{AnalyzerKind, BuiltinRule};
use crate::source::FileKind;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// Whether a rule offers a machine-applicable fix, and how far it can be trusted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Autofix {
    #[default]
    None,
    /// Behaviour-preserving: safe to apply without reading it.
    Safe,
    /// Mechanical but may change behaviour: read the diff first.
    NeedsReview,
}

impl Autofix {
    pub fn is_available(self) -> bool {
        self != Autofix::None
    }
}

/// A before/after pair that shows the mistake and its fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub language: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilesSpec {
    #[serde(default)]
    kinds: Vec<FileKind>,
    #[serde(default)]
    globs: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum MatcherType {
    Regex,
    Analyzer,
}

/// `[rule.matcher]`: a plain struct rather than a tagged enum so that fields keep their spans
/// (for error lines); which fields go with which `type` is checked in `compile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatcherSpec {
    #[serde(rename = "type")]
    kind: Spanned<MatcherType>,
    #[serde(default)]
    keywords: Vec<String>,
    pattern: Option<Spanned<String>>,
    #[serde(default)]
    value_group: usize,
    min_entropy: Option<f64>,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    skip_comments: bool,
    analyzer: Option<AnalyzerKind>,
}

/// One `[[rule]]` table as written in a pack.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RuleSpec {
    id: Spanned<String>,
    title: String,
    severity: Severity,
    confidence: Confidence,
    message: String,
    #[serde(default)]
    secret: bool,
    #[serde(default)]
    live_format: bool,
    #[serde(default)]
    yield_to_overlaps: bool,
    what: String,
    why: String,
    fix: String,
    references: Vec<String>,
    lessons: Vec<String>,
    #[serde(default)]
    autofix: Autofix,
    example: Example,
    #[serde(default)]
    files: FilesSpec,
    matcher: MatcherSpec,
}

/// Which files a rule reads.
#[derive(Debug, Clone)]
pub struct FileFilter {
    kinds: Vec<FileKind>,
    globs: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl FileFilter {
    /// True when the rule reads a file of this kind at this path.
    pub fn accepts(&self, kind: FileKind, rel_path: &str) -> bool {
        if self
            .exclude
            .as_ref()
            .is_some_and(|ex| ex.is_match(rel_path))
        {
            return false;
        }
        let any_selector = !self.kinds.is_empty() || self.globs.is_some();
        !any_selector
            || self.kinds.contains(&kind)
            || self.globs.as_ref().is_some_and(|g| g.is_match(rel_path))
    }

    /// True when the rule may read files of this kind (ignoring path globs).
    pub fn may_accept_kind(&self, kind: FileKind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind) || self.globs.is_some()
    }
}

/// A regex matcher.
#[derive(Debug, Clone)]
pub struct RegexMatcher {
    pub keywords: Vec<String>,
    pub regex: LazyRegex,
    pub value_group: usize,
    pub min_entropy: Option<f64>,
    pub allow: Vec<LazyRegex>,
    pub skip_comments: bool,
}

/// How a rule finds its findings.
#[derive(Debug, Clone)]
pub enum Matcher {
    Regex(Box<RegexMatcher>),
    Analyzer(AnalyzerKind),
}

/// Where a rule was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `checks/<file>` for embedded packs, the path on disk for a repository's own packs.
    pub file: String,
    pub line: usize,
    pub embedded: bool,
}

/// A loaded, validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: RuleId,
    pub title: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    pub secret: bool,
    /// A secret rule whose values have a provider's live-key format (`sk_live_`, `AKIA…`, a
    /// private key block): a finding in test code keeps its severity and confidence, where
    /// other secret findings there drop to `low`.
    pub live_format: bool,
    /// A catch-all rule: its finding is dropped where another rule reports the same place.
    pub yield_to_overlaps: bool,
    pub what: String,
    pub why: String,
    pub fix: String,
    pub references: Vec<String>,
    pub lessons: Vec<String>,
    pub autofix: Autofix,
    pub example: Example,
    pub files: FileFilter,
    pub matcher: Matcher,
    pub origin: Origin,
}

impl Rule {
    /// The first sentence of the fix text, for one-line hints.
    pub fn fix_hint(&self) -> String {
        let paragraph = self.fix.trim().split("\n\n").next().unwrap_or("");
        let joined = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
        match joined.find(". ") {
            Some(end) => joined[..=end].to_owned(),
            None => joined,
        }
    }

    /// The message with `{value}` replaced.
    pub fn render_message(&self, value: Option<&str>) -> String {
        match value {
            Some(value) => self.message.replace("{value}", value),
            None => self.message.replace("{value}", "").replace("  ", " "),
        }
    }

    pub fn analyzer(&self) -> Option<AnalyzerKind> {
        match self.matcher {
            Matcher::Analyzer(kind) => Some(kind),
            Matcher::Regex(_) => None,
        }
    }
}

fn glob_set(
    patterns: &[String],
    what: &str,
    err: &dyn Fn(String) -> LoadError,
) -> Result<Option<GlobSet>, LoadError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob =
            Glob::new(pattern).map_err(|e| err(format!("bad {what} glob `{pattern}`: {e}")))?;
        builder.add(glob);
        // `dir/**` should also match files directly under `dir`, and a pattern without a `/`
        // should match at any depth, as in .gitignore.
        if !pattern.contains('/')
            && let Ok(deep) = Glob::new(&format!("**/{pattern}"))
        {
            builder.add(deep);
        }
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| err(format!("bad {what} globs: {e}")))
}

impl RuleSpec {
    /// Validates and compiles (regexes of embedded packs lazily; see [`crate::pattern::LazyRegex`]). `line_of` maps a byte offset in the pack to a line number.
    pub(super) fn compile(
        self,
        file: &str,
        embedded: bool,
        line_of: &dyn Fn(usize) -> usize,
    ) -> Result<Rule, LoadError> {
        let line = line_of(self.id.span().start);
        let err = |message: String| LoadError::at(file, Some(line), message);
        let id = RuleId::parse(self.id.get_ref()).map_err(&err)?;
        for (field, text) in [
            ("title", &self.title),
            ("message", &self.message),
            ("what", &self.what),
            ("why", &self.why),
            ("fix", &self.fix),
            ("example.before", &self.example.before),
            ("example.after", &self.example.after),
        ] {
            if text.trim().is_empty() {
                return Err(err(format!("rule `{id}`: `{field}` must not be empty")));
            }
        }
        if self.references.is_empty() {
            return Err(err(format!(
                "rule `{id}`: give at least one reference (e.g. a CWE)"
            )));
        }
        if self.live_format && !self.secret {
            return Err(err(format!(
                "rule `{id}`: `live_format` describes a secret's value; it needs `secret = true`"
            )));
        }
        let files = FileFilter {
            kinds: self.files.kinds,
            globs: glob_set(&self.files.globs, "files.globs", &err)?,
            exclude: glob_set(&self.files.exclude, "files.exclude", &err)?,
        };
        let spec = self.matcher;
        let matcher_line = line_of(spec.kind.span().start);
        let matcher_err = |message: String| LoadError::at(file, Some(matcher_line), message);
        let matcher = match *spec.kind.get_ref() {
            MatcherType::Analyzer => {
                let Some(analyzer) = spec.analyzer else {
                    return Err(matcher_err(format!(
                        "rule `{id}`: an analyzer matcher needs `analyzer = \"…\"`"
                    )));
                };
                if spec.pattern.is_some() || !spec.keywords.is_empty() || !spec.allow.is_empty() {
                    return Err(matcher_err(format!(
                        "rule `{id}`: `pattern`, `keywords` and `allow` belong to regex matchers, not analyzers"
                    )));
                }
                let emitted = BuiltinRule::find(id.as_str()).and_then(BuiltinRule::analyzer);
                if emitted != Some(analyzer) {
                    let emits: Vec<&str> = analyzer.rules().map(BuiltinRule::as_str).collect();
                    return Err(err(format!(
                        "rule `{id}` names analyzer `{}`, which does not emit it (it emits: {})",
                        analyzer.as_str(),
                        emits.join(", ")
                    )));
                }
                Matcher::Analyzer(analyzer)
            }
            MatcherType::Regex => {
                if spec.analyzer.is_some() {
                    return Err(matcher_err(format!(
                        "rule `{id}`: `analyzer` belongs to analyzer matchers"
                    )));
                }
                let Some(pattern) = spec.pattern else {
                    return Err(matcher_err(format!(
                        "rule `{id}`: a regex matcher needs a `pattern`"
                    )));
                };
                let pattern_line = line_of(pattern.span().start);
                let bad_pattern = |e: String| {
                    LoadError::at(
                        file,
                        Some(pattern_line),
                        format!("rule `{id}`: bad pattern: {e}"),
                    )
                };
                // A repository's own pack is parsed and compiled now, so that a bad pattern or
                // one too large to compile is an error naming its line rather than a failure
                // mid-scan. Embedded packs are checked by the test suite instead
                // (tests/catalog.rs), which keeps ~4 ms of parsing off every start.
                let value_group = spec.value_group;
                let regex = if embedded {
                    LazyRegex::unchecked(pattern.get_ref())
                } else {
                    let (regex, groups) =
                        LazyRegex::parse(pattern.get_ref()).map_err(bad_pattern)?;
                    regex.compile().map_err(|e| bad_pattern(e.to_string()))?;
                    if value_group >= groups {
                        return Err(LoadError::at(
                            file,
                            Some(pattern_line),
                            format!(
                                "rule `{id}`: value_group {value_group} but the pattern has {} \
                                 group(s)",
                                groups - 1
                            ),
                        ));
                    }
                    regex
                };
                let keywords = spec.keywords;
                if keywords.is_empty() || keywords.iter().any(|k| k.trim().is_empty()) {
                    return Err(matcher_err(format!(
                        "rule `{id}`: a regex matcher needs non-empty `keywords` (a literal prefilter)"
                    )));
                }
                let mut allow = Vec::with_capacity(spec.allow.len());
                for a in &spec.allow {
                    let bad = |e: String| {
                        matcher_err(format!("rule `{id}`: bad allow pattern `{a}`: {e}"))
                    };
                    let lazy = if embedded {
                        LazyRegex::unchecked(a)
                    } else {
                        let (lazy, _) = LazyRegex::parse(a).map_err(bad)?;
                        lazy.compile().map_err(|e| bad(e.to_string()))?;
                        lazy
                    };
                    allow.push(lazy);
                }
                Matcher::Regex(Box::new(RegexMatcher {
                    keywords,
                    regex,
                    value_group,
                    min_entropy: spec.min_entropy,
                    allow,
                    skip_comments: spec.skip_comments,
                }))
            }
        };
        Ok(Rule {
            id,
            title: self.title,
            severity: self.severity,
            confidence: self.confidence,
            message: self.message,
            secret: self.secret,
            live_format: self.live_format,
            yield_to_overlaps: self.yield_to_overlaps,
            what: self.what,
            why: self.why,
            fix: self.fix,
            references: self.references,
            lessons: self.lessons,
            autofix: self.autofix,
            example: self.example,
            files,
            matcher,
            origin: Origin {
                file: file.to_owned(),
                line,
                embedded,
            },
        })
    }
}
