//! Lessons (Markdown with TOML front matter) and the tracks that order them.

use super::LoadError;
use serde::{Deserialize, Serialize};

/// A track: an ordered group of lessons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Track {
    pub id: String,
    pub title: String,
    pub order: u32,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TracksFile {
    pub track: Vec<Track>,
}

/// How demanding a lesson is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Beginner,
    Intermediate,
    Advanced,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Beginner => "beginner",
            Level::Intermediate => "intermediate",
            Level::Advanced => "advanced",
        }
    }
}

/// One quiz question with its explained answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub question: String,
    pub choices: Vec<String>,
    /// 0-based index into `choices`.
    pub answer: usize,
    pub explanation: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    title: String,
    track: String,
    order: u32,
    minutes: u32,
    level: Level,
    #[serde(default)]
    checks: Vec<String>,
    summary: String,
    #[serde(default)]
    lab: Option<String>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    quiz: Vec<Question>,
}

/// A loaded lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    pub track: String,
    pub order: u32,
    pub minutes: u32,
    pub level: Level,
    pub checks: Vec<String>,
    pub summary: String,
    pub lab: Option<String>,
    /// The primary documentation the lesson was checked against (`https://` URLs).
    pub sources: Vec<String>,
    pub quiz: Vec<Question>,
    /// The Markdown body after the front matter.
    #[serde(skip)]
    pub body: String,
    /// Where it came from (for error messages).
    #[serde(skip)]
    pub file: String,
    /// Line of the body's first line in the file.
    #[serde(skip)]
    pub body_line: usize,
}

/// Why `source` is not a usable link to a source, if it is not: an absolute `https://` URL with a
/// host and no whitespace.
fn source_problem(source: &str) -> Option<&'static str> {
    let Some(rest) = source.strip_prefix("https://") else {
        return Some("a source must be an https:// URL");
    };
    if source.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("a source URL cannot contain spaces or control characters");
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || !host.contains('.') {
        return Some("a source URL needs a host name");
    }
    None
}

impl Lesson {
    /// Parses a lesson file: `+++`, TOML front matter, `+++`, Markdown.
    pub fn parse(file: &str, text: &str) -> Result<Lesson, LoadError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.split_inclusive('\n');
        let first = lines.next().unwrap_or("");
        if first.trim_end() != "+++" {
            return Err(LoadError::at(
                file,
                Some(1),
                "a lesson must start with a `+++` line opening its TOML front matter",
            ));
        }
        let mut front = String::new();
        let mut line_no = 1;
        let mut closed = false;
        let mut consumed = first.len();
        for line in lines {
            line_no += 1;
            consumed += line.len();
            if line.trim_end() == "+++" {
                closed = true;
                break;
            }
            front.push_str(line);
        }
        if !closed {
            return Err(LoadError::at(
                file,
                Some(1),
                "the front matter opened on line 1 is never closed with `+++`",
            ));
        }
        let meta: FrontMatter = toml::from_str(&front).map_err(|e| {
            // Lines in the TOML error are relative to the front matter, which starts on line 2.
            let line = e
                .span()
                .map(|s| front[..s.start.min(front.len())].matches('\n').count() + 2);
            LoadError::at(file, line, format!("front matter: {}", e.message()))
        })?;
        let err = |message: String| LoadError::at(file, Some(1), message);
        if !valid_id(&meta.id) {
            return Err(err(format!(
                "lesson id `{}` must look like `track/slug`: lowercase letters, digits and \
                 single dashes on each side of one `/`",
                meta.id
            )));
        }
        for (i, q) in meta.quiz.iter().enumerate() {
            if q.choices.len() < 2 {
                return Err(err(format!(
                    "quiz question {} needs at least two choices",
                    i + 1
                )));
            }
            if q.answer >= q.choices.len() {
                return Err(err(format!(
                    "quiz question {}: answer {} is out of range (0..{})",
                    i + 1,
                    q.answer,
                    q.choices.len()
                )));
            }
        }
        for (i, source) in meta.sources.iter().enumerate() {
            if let Some(problem) = source_problem(source) {
                return Err(err(format!("sources[{i}] `{source}`: {problem}")));
            }
        }
        Ok(Lesson {
            id: meta.id,
            title: meta.title,
            track: meta.track,
            order: meta.order,
            minutes: meta.minutes,
            level: meta.level,
            checks: meta.checks,
            summary: meta.summary,
            lab: meta.lab,
            sources: meta.sources,
            quiz: meta.quiz,
            body: text[consumed.min(text.len())..].to_owned(),
            file: file.to_owned(),
            body_line: line_no + 1,
        })
    }

    /// Number of words in the body, code included.
    pub fn word_count(&self) -> usize {
        self.body.split_whitespace().count()
    }
}

/// `track/slug`, each part lowercase letters, digits and dashes (not at either end), like a
/// rule id: safe to print anywhere and to use in a file name.
pub fn valid_id(id: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && !p.starts_with('-')
            && !p.ends_with('-')
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    id.split_once('/')
        .is_some_and(|(track, slug)| part(track) && part(slug))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\nid = \"t/one\"\ntitle = \"One\"\ntrack = \"t\"\norder = 1\nminutes = 5\nlevel = \"beginner\"\nsummary = \"s\"\n[[quiz]]\nquestion = \"q\"\nchoices = [\"a\", \"b\"]\nanswer = 1\nexplanation = \"e\"\n+++\n# One\n\nBody.\n";

    #[test]
    fn parses_front_matter_and_body() {
        let lesson = Lesson::parse("one.md", GOOD).unwrap();
        assert_eq!(lesson.id, "t/one");
        assert_eq!(lesson.quiz[0].answer, 1);
        assert!(lesson.body.starts_with("# One"));
        assert_eq!(lesson.body_line, 15);
    }

    #[test]
    fn reports_front_matter_errors_with_file_and_line() {
        let bad = GOOD.replace("minutes = 5", "minutes = \"five\"");
        let err = Lesson::parse("one.md", &bad).unwrap_err();
        assert_eq!(err.line, Some(6));
        assert!(err.to_string().starts_with("one.md:6:"), "{err}");
    }

    #[test]
    fn sources_are_https_links() {
        let with = |sources: &str| {
            GOOD.replace(
                "summary = \"s\"\n",
                &format!("summary = \"s\"\nsources = {sources}\n"),
            )
        };
        let lesson = Lesson::parse(
            "one.md",
            &with("[\"https://kubernetes.io/docs/concepts/security/pod-security-standards/\"]"),
        )
        .unwrap();
        assert_eq!(lesson.sources.len(), 1);
        assert!(Lesson::parse("one.md", GOOD).unwrap().sources.is_empty());
        for bad in [
            "[\"http://example.com/x\"]",
            "[\"see the docs\"]",
            "[\"https:///path\"]",
            "[\"https://example.com/a b\"]",
            "[\"https://localhost/\"]",
        ] {
            let err = Lesson::parse("one.md", &with(bad)).unwrap_err();
            assert!(err.message.contains("sources[0]"), "{bad}: {err}");
        }
        let err = Lesson::parse("one.md", &with("\"https://example.com/\"")).unwrap_err();
        assert!(err.message.contains("front matter"), "{err}");
    }

    #[test]
    fn rejects_out_of_range_answers_and_unclosed_front_matter() {
        let bad = GOOD.replace("answer = 1", "answer = 2");
        assert!(
            Lesson::parse("x.md", &bad)
                .unwrap_err()
                .message
                .contains("out of range")
        );
        assert!(Lesson::parse("x.md", "+++\nid = 1\n").is_err());
        assert!(Lesson::parse("x.md", "# no front matter").is_err());
    }

    #[test]
    fn lesson_ids_are_validated_like_rule_ids() {
        for bad in [
            "t/one\u{1b}[2J",
            "t/\u{202e}eno",
            "T/one",
            "t/one/two",
            "t/-one",
            "/one",
            "t/on e",
            "t/\u{9b}31m",
        ] {
            let quoted: String = bad
                .chars()
                .map(|c| match c {
                    ' '..='~' => c.to_string(),
                    _ => format!("\\u{:04X}", c as u32),
                })
                .collect();
            let text = GOOD.replace("id = \"t/one\"", &format!("id = \"{quoted}\""));
            let err = Lesson::parse("x.md", &text).unwrap_err();
            assert!(err.message.contains("track/slug"), "{bad:?}: {err}");
        }
        assert!(valid_id("repo-hygiene/clean-repository"));
    }
}
