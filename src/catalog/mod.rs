//! The catalogue: every rule and lesson seccoach knows, embedded at build time and extended by a
//! repository's own `.seccoach/checks/*.toml` and `.seccoach/lessons/**/*.md`.
//!
//! Loading validates everything (ids, regexes, texts, cross references) and fails with an error
//! that names the file and line, so a broken pack never turns into a silent gap in a scan.

mod id;
mod lesson;
pub mod reference;
mod rule;

pub use crate::rules::{Confidence, Severity};
pub use id::{AREAS, RuleId};
pub use lesson::{Lesson, Level, Question, Track};
pub use rule::{Autofix, Example, FileFilter, Matcher, Origin, RegexMatcher, Rule};

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// Files compiled into the binary by `build.rs`.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// A catalogue file that could not be loaded: the file, the line where known, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl LoadError {
    pub fn at(file: &str, line: Option<usize>, message: impl Into<String>) -> LoadError {
        LoadError {
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pack {
    rule: Vec<rule::RuleSpec>,
}

/// 1-based line of a byte offset in `text`. For many look-ups in one text, use [`LineIndex`].
pub fn line_of(text: &str, offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &text.as_bytes()[..offset.min(text.len())]).count() + 1
}

/// The line starts of one text, found once, so that each look-up is a binary search: a pack of
/// 10,000 rules asks for a line several times per rule, which counting newlines from the top
/// each time made quadratic.
pub struct LineIndex {
    /// Byte offset just past each `\n`.
    breaks: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex {
            breaks: memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| i + 1)
                .collect(),
            len: text.len(),
        }
    }

    /// 1-based line of byte `offset` (the same answer as [`line_of`]).
    pub fn line(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        self.breaks.partition_point(|&start| start <= offset) + 1
    }
}

/// Every rule and lesson, sorted by id.
#[derive(Debug, Clone)]
pub struct Catalog {
    rules: Vec<Rule>,
    index: BTreeMap<String, usize>,
    tracks: Vec<Track>,
    lessons: Vec<Lesson>,
    /// The labs' files, `<id>/lab.toml` and `<id>/project/<path>`, with their text (parsed by
    /// [`crate::lab::all`]).
    labs: Vec<(String, String)>,
}

/// Tracks, lessons and labs: the embedded curriculum, or another laid out as `lessons/` is.
struct Curriculum {
    /// `(file name, text)` of `tracks.toml`.
    tracks: (String, String),
    /// `(file name, text)` of each lesson.
    lessons: Vec<(String, String)>,
    /// `(path under labs/, text)` of each lab file.
    labs: Vec<(String, String)>,
}

impl Curriculum {
    fn embedded() -> Curriculum {
        Curriculum {
            tracks: (
                "lessons/tracks.toml".into(),
                embedded::LESSONS
                    .iter()
                    .find(|(path, _)| *path == "tracks.toml")
                    .map_or("track = []", |(_, text)| *text)
                    .to_owned(),
            ),
            lessons: embedded::LESSONS
                .iter()
                .filter(|(path, _)| path.ends_with(".md"))
                .map(|(path, text)| (format!("lessons/{path}"), (*text).to_owned()))
                .collect(),
            labs: embedded::LABS
                .iter()
                .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
                .collect(),
        }
    }

    /// The curriculum in folder `dir`: `tracks.toml`, lessons (`*.md` outside `labs/`, but
    /// `README.md`) and `labs/<id>/…`, as the embedded one is laid out. Files are named by their path as given, so errors point at them.
    fn read(dir: &Path) -> Result<Curriculum, LoadError> {
        let err = |path: &Path, e: std::io::Error| {
            LoadError::at(&path.display().to_string(), None, e.to_string())
        };
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(current) = stack.pop() {
            for entry in std::fs::read_dir(&current).map_err(|e| err(&current, e))? {
                let path = entry.map_err(|e| err(&current, e))?.path();
                let meta = std::fs::symlink_metadata(&path).map_err(|e| err(&path, e))?;
                if meta.is_dir() {
                    stack.push(path);
                } else if meta.is_file() {
                    let text = std::fs::read_to_string(&path).map_err(|e| err(&path, e))?;
                    let rel = path.strip_prefix(dir).unwrap_or(&path);
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    files.push((path.display().to_string(), rel, text));
                } else {
                    return Err(LoadError::at(
                        &path.display().to_string(),
                        None,
                        "not a regular file or folder",
                    ));
                }
            }
        }
        files.sort();
        let mut curriculum = Curriculum {
            tracks: (String::new(), "track = []".into()),
            lessons: Vec::new(),
            labs: Vec::new(),
        };
        for (name, rel, text) in files {
            if let Some(lab) = rel.strip_prefix("labs/") {
                curriculum.labs.push((lab.to_owned(), text));
            } else if rel == "tracks.toml" {
                curriculum.tracks = (name, text);
            } else if rel.ends_with(".md") && rel != "README.md" {
                curriculum.lessons.push((name, text));
            }
        }
        Ok(curriculum)
    }
}

impl Catalog {
    /// The catalogue compiled into the binary.
    pub fn embedded() -> Result<Catalog, LoadError> {
        Catalog::build(Vec::new(), Vec::new(), Curriculum::embedded())
    }

    /// The embedded catalogue plus the repository's own packs and lessons under `root/.seccoach`.
    /// A pack or lesson reached through a symbolic link is read when the link stays inside the
    /// repository (it is the repository's own text either way), and is an error naming the link
    /// when it leads outside, dangles or is not a regular file: never skipped without a word.
    pub fn for_repository(root: &Path) -> Result<Catalog, LoadError> {
        Catalog::with_packs(root, &[])
    }

    /// [`Catalog::for_repository`] plus team packs kept elsewhere (`--pack DIR`, `packs = [...]`
    /// in the config): folders holding `checks/*.toml` and `lessons/**/*.md`, read and validated
    /// the same way, each with its own folder as the limit its links may not leave. A pack
    /// folder that is missing or holds neither is an error naming it.
    pub fn with_packs(root: &Path, packs: &[std::path::PathBuf]) -> Result<Catalog, LoadError> {
        let dir = root.join(".seccoach");
        let mut rules = read_dir_files(root, &dir.join("checks"), "toml", false)?;
        let mut lessons = read_dir_files(root, &dir.join("lessons"), "md", true)?;
        for pack in packs {
            let name = pack.display().to_string();
            if !pack.is_dir() {
                return Err(LoadError::at(&name, None, "team pack folder not found"));
            }
            let (checks, taught) = (pack.join("checks"), pack.join("lessons"));
            if !checks.is_dir() && !taught.is_dir() {
                return Err(LoadError::at(
                    &name,
                    None,
                    "a team pack holds checks/*.toml or lessons/**/*.md, and this folder has \
                     neither",
                ));
            }
            rules.extend(read_dir_files(pack, &checks, "toml", false)?);
            lessons.extend(read_dir_files(pack, &taught, "md", true)?);
        }
        Catalog::build(rules, lessons, Curriculum::embedded())
    }

    /// [`Catalog::for_repository`] with the curriculum in folder `curriculum` (`tracks.toml`,
    /// lessons, `labs/<id>/lab.toml` and `labs/<id>/project/…`, laid out as `lessons/` is)
    /// instead of the embedded one: the embedded rules stay. Tests render the coach from a small
    /// fixed curriculum this way, so that lessons added to the real one change none of them.
    pub fn for_repository_with_curriculum(
        root: &Path,
        curriculum: &Path,
    ) -> Result<Catalog, LoadError> {
        let dir = root.join(".seccoach");
        let packs = read_dir_files(root, &dir.join("checks"), "toml", false)?;
        let lessons = read_dir_files(root, &dir.join("lessons"), "md", true)?;
        Catalog::build(packs, lessons, Curriculum::read(curriculum)?)
    }

    /// The labs' files, `<id>/lab.toml` and `<id>/project/<path>`, with their text.
    pub fn lab_files(&self) -> &[(String, String)] {
        &self.labs
    }

    fn build(
        extra_packs: Vec<(String, String)>,
        extra_lessons: Vec<(String, String)>,
        curriculum: Curriculum,
    ) -> Result<Catalog, LoadError> {
        let mut rules = Vec::new();
        let mut first_seen: BTreeMap<String, (String, usize)> = BTreeMap::new();
        let embedded_packs = embedded::CHECKS
            .iter()
            .map(|(path, text)| (format!("checks/{path}"), (*text).to_owned(), true));
        let user_packs = extra_packs
            .into_iter()
            .map(|(path, text)| (path, text, false));
        for (file, text, is_embedded) in embedded_packs.chain(user_packs) {
            let pack: Pack = toml::from_str(&text).map_err(|e| toml_error(&file, &text, &e))?;
            let lines = LineIndex::new(&text);
            for spec in pack.rule {
                let rule = spec.compile(&file, is_embedded, &|offset| lines.line(offset))?;
                if let Some((other, line)) = first_seen.get(rule.id.as_str()) {
                    return Err(LoadError::at(
                        &file,
                        Some(rule.origin.line),
                        format!(
                            "duplicate rule id `{}` (first declared at {other}:{line})",
                            rule.id
                        ),
                    ));
                }
                first_seen.insert(rule.id.to_string(), (file.clone(), rule.origin.line));
                rules.push(rule);
            }
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        let index = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.to_string(), i))
            .collect();

        let (tracks_file, tracks_text) = &curriculum.tracks;
        let mut tracks = toml::from_str::<lesson::TracksFile>(tracks_text)
            .map_err(|e| toml_error(tracks_file, tracks_text, &e))?
            .track;
        tracks.sort_by_key(|t| t.order);

        let mut lessons = Vec::new();
        for (file, text) in curriculum.lessons.into_iter().chain(extra_lessons) {
            lessons.push(Lesson::parse(&file, &text)?);
        }
        let catalog = Catalog {
            rules,
            index,
            tracks,
            lessons,
            labs: curriculum.labs,
        };
        catalog.validate()?;
        Ok(catalog)
    }

    fn validate(&self) -> Result<(), LoadError> {
        let mut seen = BTreeSet::new();
        for lesson in &self.lessons {
            if !seen.insert(lesson.id.as_str()) {
                return Err(LoadError::at(
                    &lesson.file,
                    Some(1),
                    format!("duplicate lesson id `{}`", lesson.id),
                ));
            }
        }
        // Cross references of a repository's own packs and lessons are checked at load time; the
        // embedded catalogue is checked by the test suite (`consistency_problems`), before release.
        for lesson in self
            .lessons
            .iter()
            .filter(|l| !l.file.starts_with("lessons/"))
        {
            if let Some(problem) = self.lesson_problems(lesson).into_iter().next() {
                return Err(LoadError::at(&lesson.file, Some(1), problem));
            }
        }
        for rule in self.rules.iter().filter(|r| !r.origin.embedded) {
            if let Some(problem) = self.rule_problems(rule).into_iter().next() {
                return Err(LoadError::at(
                    &rule.origin.file,
                    Some(rule.origin.line),
                    problem,
                ));
            }
        }
        Ok(())
    }

    fn lesson_problems(&self, lesson: &Lesson) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.tracks.iter().any(|t| t.id == lesson.track) {
            problems.push(format!(
                "lesson `{}` names unknown track `{}`",
                lesson.id, lesson.track
            ));
        }
        for check in &lesson.checks {
            if self.rule(check).is_none() {
                problems.push(format!(
                    "lesson `{}` teaches unknown rule `{check}`",
                    lesson.id
                ));
            }
        }
        problems
    }

    fn rule_problems(&self, rule: &Rule) -> Vec<String> {
        rule.lessons
            .iter()
            .filter(|id| self.lesson(id).is_none())
            .map(|id| format!("rule `{}` links unknown lesson `{id}`", rule.id))
            .collect()
    }

    /// Every broken cross reference in the whole catalogue, as `file:line: problem` lines.
    pub fn consistency_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for lesson in &self.lessons {
            out.extend(
                self.lesson_problems(lesson)
                    .into_iter()
                    .map(|p| format!("{}:1: {p}", lesson.file)),
            );
        }
        for rule in &self.rules {
            out.extend(
                self.rule_problems(rule)
                    .into_iter()
                    .map(|p| format!("{}:{}: {p}", rule.origin.file, rule.origin.line)),
            );
        }
        out
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.index.get(id).map(|&i| &self.rules[i])
    }

    /// Index of a rule in `rules()` (stable for one catalogue).
    pub fn rule_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// Lessons in curriculum order: by track order, then lesson order.
    pub fn lessons(&self) -> Vec<&Lesson> {
        let track_order = |id: &str| {
            self.tracks
                .iter()
                .position(|t| t.id == id)
                .unwrap_or(usize::MAX)
        };
        let mut lessons: Vec<&Lesson> = self.lessons.iter().collect();
        lessons.sort_by(|a, b| {
            (track_order(&a.track), a.order, &a.id).cmp(&(track_order(&b.track), b.order, &b.id))
        });
        lessons
    }

    pub fn lesson(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id == id)
    }

    /// Lessons that teach `rule`: those it links, then those that list it.
    pub fn lessons_for_rule(&self, rule: &str) -> Vec<&Lesson> {
        let mut out: Vec<&Lesson> = Vec::new();
        if let Some(r) = self.rule(rule) {
            out.extend(r.lessons.iter().filter_map(|id| self.lesson(id)));
        }
        for lesson in self.lessons() {
            if lesson.checks.iter().any(|c| c == rule) && !out.iter().any(|l| l.id == lesson.id) {
                out.push(lesson);
            }
        }
        out
    }
}

fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> LoadError {
    let line = e.span().map(|span| line_of(text, span.start));
    LoadError::at(file, line, e.message().trim().to_owned())
}

/// Reads every file with extension `ext` under `dir` (recursively if asked), sorted by path.
/// Links are followed only to files and folders inside `root`; anything else with the extension
/// that cannot be read (a link leading out, a dangling link, a FIFO) is an error.
fn read_dir_files(
    root: &Path,
    dir: &Path,
    ext: &str,
    recursive: bool,
) -> Result<Vec<(String, String)>, LoadError> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let real_root = root
        .canonicalize()
        .map_err(|e| LoadError::at(&root.display().to_string(), None, e.to_string()))?;
    let mut seen = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let name = current.display().to_string();
        let real = inside(&real_root, &current, &name)?;
        if !seen.insert(real) {
            // A folder reached twice through links: read once.
            continue;
        }
        let entries =
            std::fs::read_dir(&current).map_err(|e| LoadError::at(&name, None, e.to_string()))?;
        for entry in entries {
            let entry = entry.map_err(|e| LoadError::at(&name, None, e.to_string()))?;
            let path = entry.path();
            let name = path.display().to_string();
            let file_type = entry
                .file_type()
                .map_err(|e| LoadError::at(&name, None, e.to_string()))?;
            let wanted = path.extension().is_some_and(|e| e == ext);
            let meta = if file_type.is_symlink() {
                // A link to something that is neither a wanted file nor a folder to read is
                // not part of the catalogue, like any other such file.
                let to_dir = recursive && std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
                if !wanted && !to_dir {
                    continue;
                }
                inside(&real_root, &path, &name)?;
                std::fs::metadata(&path).map_err(|e| LoadError::at(&name, None, e.to_string()))?
            } else {
                entry
                    .metadata()
                    .map_err(|e| LoadError::at(&name, None, e.to_string()))?
            };
            if meta.is_dir() {
                if recursive {
                    stack.push(path);
                }
                continue;
            }
            if !wanted {
                continue;
            }
            if !meta.is_file() {
                return Err(LoadError::at(&name, None, "not a regular file"));
            }
            if meta.len() > 4 << 20 {
                return Err(LoadError::at(&name, None, "file is larger than 4 MiB"));
            }
            // Checked regular above; opened without blocking all the same (it may have changed).
            let bytes = crate::regular::read(&path)
                .map_err(|e| LoadError::at(&name, None, e.to_string()))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1;
                LoadError::at(&name, Some(line), "file is not valid UTF-8")
            })?;
            out.push((name, text));
        }
    }
    out.sort();
    Ok(out)
}

/// The real path of `path`, which must stay inside `real_root`.
fn inside(real_root: &Path, path: &Path, name: &str) -> Result<std::path::PathBuf, LoadError> {
    match path.canonicalize() {
        Ok(real) if real.starts_with(real_root) => Ok(real),
        Ok(real) => Err(LoadError::at(
            name,
            None,
            format!(
                "leads outside the repository (to {}); copy the file into the repository instead",
                real.display()
            ),
        )),
        Err(e) => Err(LoadError::at(
            name,
            None,
            format!("is a link that cannot be followed: {e}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_agrees_with_line_of() {
        let text = "a\n\nbc\r\nd\n";
        let lines = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(lines.line(offset), line_of(text, offset), "{offset}");
        }
        assert_eq!(LineIndex::new("").line(0), 1);
    }

    /// One rule of a generated pack; `pattern` goes in as written.
    fn pack_rule(n: usize, pattern: &str) -> String {
        format!(
            r#"[[rule]]
id = "code/generated-{n}"
title = "Generated rule {n}"
severity = "low"
confidence = "high"
message = "generated {{value}}"
what = "A generated rule."
why = "It stands for a team's own check."
fix = "Remove the marker."
references = ["CWE-798"]
lessons = []

[rule.example]
language = "python"
before = 'x = "gen{n}_a"'
after = 'x = ""'

[rule.matcher]
type = "regex"
keywords = ["gen{n}_"]
pattern = '{pattern}'

"#
        )
    }

    /// A pack of 10,000 rules in one file loads (each rule's lines looked up in one index of
    /// the file, not by counting from its top), and an error in its last rule names that
    /// rule's own line.
    #[test]
    fn ten_thousand_rules_in_one_pack() {
        const RULES: usize = 10_000;
        let mut pack = String::new();
        for n in 0..RULES {
            pack.push_str(&pack_rule(n, &format!("gen{n}_[a-z]+")));
        }
        let catalog = Catalog::build(
            vec![("big.toml".to_owned(), pack.clone())],
            Vec::new(),
            Curriculum::embedded(),
        )
        .expect("the generated pack loads");
        let last = catalog
            .rule(&format!("code/generated-{}", RULES - 1))
            .expect("the last rule is there");
        assert_eq!(
            last.origin.line,
            line_of(&pack, pack.rfind("id = ").unwrap())
        );
        assert!(catalog.rules().len() >= RULES);

        let bad = pack_rule(RULES, "gen_(unclosed");
        let bad_line = line_of(&pack, pack.len())
            + bad.lines().position(|l| l.starts_with("pattern")).unwrap();
        pack.push_str(&bad);
        let err = Catalog::build(
            vec![("big.toml".to_owned(), pack)],
            Vec::new(),
            Curriculum::embedded(),
        )
        .expect_err("a bad pattern is an error");
        assert_eq!(
            (err.file.as_str(), err.line),
            ("big.toml", Some(bad_line)),
            "{err}"
        );
    }

    /// `live_format` only means something for a secret rule: on another it is an error naming
    /// the rule's line.
    #[test]
    fn live_format_needs_a_secret_rule() {
        let rule = pack_rule(1, "gen1_[a-z]+");
        let live = rule.replace("lessons = []", "lessons = []\nlive_format = true");
        let err = Catalog::build(
            vec![("team.toml".to_owned(), live.clone())],
            Vec::new(),
            Curriculum::embedded(),
        )
        .expect_err("live_format without secret is refused");
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.message.contains("live_format"), "{err}");
        let secret = live.replace("lessons = []", "lessons = []\nsecret = true");
        let catalog = Catalog::build(
            vec![("team.toml".to_owned(), secret)],
            Vec::new(),
            Curriculum::embedded(),
        )
        .expect("a secret rule may say live_format");
        assert!(catalog.rule("code/generated-1").unwrap().live_format);
        let embedded = Catalog::embedded().unwrap();
        assert!(embedded.rule("secrets/stripe-key").unwrap().live_format);
        assert!(
            !embedded
                .rule("secrets/generic-assignment")
                .unwrap()
                .live_format
        );
    }

    /// A repository's own rule cannot name an analyzer: the analyzers emit only the embedded
    /// rules' ids (the generated `rules::ALL`), so loading says which ones instead.
    #[test]
    fn an_own_rule_naming_an_analyzer_is_an_error() {
        for (id, analyzer) in [
            ("docker/team-rule", "dockerfile"),
            ("code/team-rule", "kubernetes"),
        ] {
            let pack = pack_rule(0, "gen0_x")
                .replace("code/generated-0", id)
                .replace(
                    "type = \"regex\"\nkeywords = [\"gen0_\"]\npattern = 'gen0_x'",
                    &format!("type = \"analyzer\"\nanalyzer = \"{analyzer}\""),
                );
            let err = Catalog::build(
                vec![("own.toml".to_owned(), pack)],
                Vec::new(),
                Curriculum::embedded(),
            )
            .expect_err("an analyzer that does not emit the rule is an error");
            assert_eq!(err.file, "own.toml");
            assert!(
                err.message.contains(&format!(
                    "names analyzer `{analyzer}`, which does not emit it"
                )),
                "{err}"
            );
        }
    }
}
