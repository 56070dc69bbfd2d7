//! Writing an inline suppression from the coach: one `seccoach:ignore <rule> -- <reason>` comment
//! line inserted directly above the finding, in the file's own comment syntax (see
//! [`crate::syntax`]) and with the line's indentation and line ending. Nothing else in the file
//! changes, and the file is found and written as fixes are ([`crate::edit`]: inside the root,
//! never through a link, atomic, read-only and hard-linked files refused). It is refused when the
//! file changed since the scan (the line may no longer be the finding's), when seccoach knows no
//! comment syntax for the file that it reads back, and when the line lies inside a multi-line
//! string, heredoc or YAML block scalar or continues the line above, where a comment would
//! change the program; those refusals say what to write in `.seccoach.toml` instead.

use crate::edit::{self, EditError};
use crate::source::FileKind;
use std::path::{Path, PathBuf};

pub use crate::edit::FileStamp;

/// Why a suppression was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{path} changed since the scan; rescan (R) and try again")]
    Changed { path: String },
    #[error("{path} was not recorded by the scan; rescan (R) and try again")]
    NotStamped { path: String },
    #[error(
        "seccoach knows no comment syntax for {path} that it would read back, so it writes none. {}",
        config_alternative(path, rule)
    )]
    NoCommentSyntax { path: String, rule: String },
    #[error("{path} is UTF-16; add the suppression by hand")]
    Utf16 { path: String },
    #[error("{path} has no line {line}")]
    NoSuchLine { path: String, line: u32 },
    #[error(
        "line {line} of {path} continues the line above; a comment there would break it. {}",
        config_alternative(path, rule)
    )]
    Continuation {
        path: String,
        line: u32,
        rule: String,
    },
    #[error(
        "line {line} of {path} is inside {what}; a comment there would become part of it. {}",
        config_alternative(path, rule)
    )]
    InsideLiteral {
        path: String,
        line: u32,
        what: &'static str,
        rule: String,
    },
    #[error(
        "line {above} of {path} already holds a seccoach:ignore comment; add `{rule}` to it by hand"
    )]
    AlreadyAbove {
        path: String,
        above: u32,
        rule: String,
    },
    #[error("give a reason: a suppression records why the finding is safe")]
    EmptyReason,
    #[error("that finding is gone since (fixed or changed); nothing was suppressed")]
    Gone,
    #[error("the reason must be one line of plain text")]
    BadReason,
    #[error("could not read {path}: {message}")]
    Read { path: String, message: String },
    #[error("could not write {path}: {message}")]
    Write { path: String, message: String },
    /// Not a file seccoach may change (outside the root, a link, read-only, hard-linked).
    #[error("{0}")]
    NotWritable(EditError),
}

impl From<EditError> for Refusal {
    fn from(e: EditError) -> Refusal {
        match e {
            EditError::Changed(path) => Refusal::Changed { path },
            EditError::Io { path, message } => Refusal::Write { path, message },
            other => Refusal::NotWritable(other),
        }
    }
}

/// What to write in `.seccoach.toml` instead of a comment: the exact entries, quoted for TOML.
pub fn config_alternative(path: &str, rule: &str) -> String {
    let mut pattern = String::from("/");
    for c in path.chars() {
        // Matched as a gitignore pattern: its special characters are escaped.
        if matches!(c, '*' | '?' | '[' | ']' | '\\' | '!' | '#') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    let quoted = |text: &str| toml::Value::String(text.to_owned()).to_string();
    format!(
        "To skip it without a comment, write in .seccoach.toml `exclude = [{}]` (this file, every rule) or `disable = [{}]` (this rule, every file)",
        quoted(&pattern),
        quoted(rule)
    )
}

/// A suppression ready to write: the file's new content and the comment line shown to confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Absolute path of the file.
    pub file: PathBuf,
    /// Path relative to the scan root, for messages and for updating findings.
    pub rel_path: String,
    pub rule: String,
    /// 1-based line the comment is inserted at (the finding moves to `line + 1`).
    pub line: u32,
    /// The inserted line, without its line ending.
    pub comment: String,
    /// What the file held when planned.
    pub before: FileStamp,
    pub new_bytes: Vec<u8>,
}

/// Checks a reason and returns it trimmed.
pub fn clean_reason(reason: &str) -> Result<&str, Refusal> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Refusal::EmptyReason);
    }
    if reason.chars().any(char::is_control) || reason.contains("*/") {
        return Err(Refusal::BadReason);
    }
    Ok(reason)
}

/// Inserts the suppression comment above 1-based `line` of `bytes`. Returns the new content and
/// the inserted line (without its line ending).
pub fn insert_comment(
    bytes: &[u8],
    rel_path: &str,
    kind: FileKind,
    line: u32,
    rule: &str,
    reason: &str,
) -> Result<(Vec<u8>, String), Refusal> {
    let path = rel_path.to_owned();
    let reason = clean_reason(reason)?;
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(Refusal::Utf16 { path });
    }
    let Some(marker) = crate::syntax::comment_marker(rel_path, kind) else {
        return Err(Refusal::NoCommentSyntax {
            path,
            rule: rule.to_owned(),
        });
    };
    let starts = crate::source::line_starts(bytes);
    let index = (line as usize)
        .checked_sub(1)
        .filter(|&i| i < starts.len() && (starts[i] < bytes.len() || i == 0))
        .ok_or(Refusal::NoSuchLine {
            path: path.clone(),
            line,
        })?;
    let start = starts[index];
    let end = starts.get(index + 1).copied().unwrap_or(bytes.len());
    let text = &bytes[start..end];
    // The line's own ending, or for a last line without one, the file's convention.
    let eol: &[u8] = if text.ends_with(b"\r\n") {
        b"\r\n"
    } else if text.ends_with(b"\n") {
        b"\n"
    } else if text.ends_with(b"\r") {
        b"\r"
    } else {
        crate::fix::text::newline_of(bytes).as_bytes()
    };
    if index > 0 {
        let above = &bytes[starts[index - 1]..start];
        let above_text = String::from_utf8_lossy(above);
        let trimmed = above_text.trim_end_matches(['\r', '\n']);
        if trimmed.ends_with('\\') && kind != FileKind::Dockerfile {
            return Err(Refusal::Continuation {
                path,
                line,
                rule: rule.to_owned(),
            });
        }
        if trimmed.contains("seccoach:ignore") {
            return Err(Refusal::AlreadyAbove {
                path,
                above: line - 1,
                rule: rule.to_owned(),
            });
        }
    }
    if let Some(what) = crate::syntax::literal_at(bytes, start, rel_path, kind) {
        return Err(Refusal::InsideLiteral {
            path,
            line,
            what,
            rule: rule.to_owned(),
        });
    }
    let indent_len = text
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    let indent = String::from_utf8_lossy(&text[..indent_len]);
    let comment = format!("{indent}{marker} seccoach:ignore {rule} -- {reason}");
    let mut out = Vec::with_capacity(bytes.len() + comment.len() + 2);
    out.extend_from_slice(&bytes[..start]);
    out.extend_from_slice(comment.as_bytes());
    out.extend_from_slice(eol);
    out.extend_from_slice(&bytes[start..]);
    Ok((out, comment))
}

/// Plans a suppression of `rule` at `line` of `root/rel_path`, refusing when the file is not
/// what the scan saw (`stamp`).
pub fn plan(
    root: &Path,
    rel_path: &str,
    line: u32,
    rule: &str,
    reason: &str,
    stamp: Option<&FileStamp>,
) -> Result<Plan, Refusal> {
    let file = edit::resolve(root, rel_path)?;
    // Refused before the confirmation, not after it.
    edit::check(&file, rel_path)?;
    let bytes = std::fs::read(&file).map_err(|e| Refusal::Read {
        path: rel_path.to_owned(),
        message: e.to_string(),
    })?;
    let before = FileStamp::of(&bytes);
    match stamp {
        None => {
            return Err(Refusal::NotStamped {
                path: rel_path.to_owned(),
            });
        }
        Some(stamp) if *stamp != before => {
            return Err(Refusal::Changed {
                path: rel_path.to_owned(),
            });
        }
        Some(_) => {}
    }
    let head = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let kind = FileKind::detect(rel_path, &head[..head.len().min(256)]);
    let (new_bytes, comment) = insert_comment(&bytes, rel_path, kind, line, rule, reason)?;
    Ok(Plan {
        file,
        rel_path: rel_path.to_owned(),
        rule: rule.to_owned(),
        line,
        comment,
        before,
        new_bytes,
    })
}

/// Writes a planned suppression if the file is still as planned (checked again immediately
/// before the rename); returns the stamp of the new content.
pub fn apply(plan: &Plan) -> Result<FileStamp, Refusal> {
    let now = std::fs::read(&plan.file).map_err(|e| Refusal::Read {
        path: plan.rel_path.clone(),
        message: e.to_string(),
    })?;
    if FileStamp::of(&now) != plan.before {
        return Err(Refusal::Changed {
            path: plan.rel_path.clone(),
        });
    }
    edit::replace(&plan.file, &plan.rel_path, Some(&now), &plan.new_bytes)?;
    Ok(FileStamp::of(&plan.new_bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert(text: &str, kind: FileKind, line: u32) -> Result<String, Refusal> {
        insert_comment(text.as_bytes(), "f", kind, line, "code/x", "test data")
            .map(|(bytes, _)| String::from_utf8(bytes).unwrap())
    }

    #[test]
    fn inserts_above_with_the_indentation_and_comment_syntax() {
        assert_eq!(
            insert("a = 1\n    b = 2\n", FileKind::Python, 2).unwrap(),
            "a = 1\n    # seccoach:ignore code/x -- test data\n    b = 2\n"
        );
        assert_eq!(
            insert("x();\n\ty();", FileKind::Javascript, 2).unwrap(),
            "x();\n\t// seccoach:ignore code/x -- test data\n\ty();"
        );
        assert_eq!(
            insert("only", FileKind::Shell, 1).unwrap(),
            "# seccoach:ignore code/x -- test data\nonly"
        );
    }

    #[test]
    fn keeps_crlf_line_endings() {
        assert_eq!(
            insert("a\r\nb\r\n", FileKind::Yaml, 2).unwrap(),
            "a\r\n# seccoach:ignore code/x -- test data\r\nb\r\n"
        );
        assert_eq!(
            insert("a\r\nb", FileKind::Yaml, 2).unwrap(),
            "a\r\n# seccoach:ignore code/x -- test data\r\nb"
        );
    }

    #[test]
    fn refuses_what_it_cannot_do_safely() {
        assert!(matches!(
            insert("{}", FileKind::Json, 1),
            Err(Refusal::NoCommentSyntax { .. })
        ));
        assert!(matches!(
            insert("a\nb\n", FileKind::Python, 3),
            Err(Refusal::NoSuchLine { .. })
        ));
        assert!(matches!(
            insert("a\n", FileKind::Python, 0),
            Err(Refusal::NoSuchLine { .. })
        ));
        assert!(matches!(
            insert("run a \\\n  --token x\n", FileKind::Shell, 2),
            Err(Refusal::Continuation { .. })
        ));
        assert!(insert("RUN a \\\n  && b\n", FileKind::Dockerfile, 2).is_ok());
        assert!(matches!(
            insert("# seccoach:ignore code/y -- ok\nx\n", FileKind::Python, 2),
            Err(Refusal::AlreadyAbove { .. })
        ));
        assert_eq!(
            insert_comment(b"x", "f", FileKind::Python, 1, "code/x", "  "),
            Err(Refusal::EmptyReason)
        );
        assert_eq!(
            insert_comment(b"x", "f", FileKind::Python, 1, "code/x", "a\nb"),
            Err(Refusal::BadReason)
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
            ..Default::default()
        })]

        /// Above any line of any text: a refusal, or exactly one comment line inserted at the
        /// line's start in the file's own line ending, every other byte unchanged.
        #[test]
        fn inserts_one_line_or_refuses(
            input in "([\"'`<>|#/*\\ \t\n\r:-]|\r\n|EOF|x|é){0,120}",
            pick in 0usize..6,
        ) {
            let (path, kind) = [
                ("a.py", FileKind::Python),
                ("ci.yml", FileKind::Yaml),
                ("run.sh", FileKind::Shell),
                ("Program.cs", FileKind::Text),
                ("a.rs", FileKind::Rust),
                ("Dockerfile", FileKind::Dockerfile),
            ][pick];
            let bytes = input.as_bytes();
            let starts = crate::source::line_starts(bytes);
            for line in 1..=starts.len() as u32 {
                let Ok((out, comment)) =
                    insert_comment(bytes, path, kind, line, "code/x", "test data")
                else {
                    continue;
                };
                let at = starts[line as usize - 1];
                let eol = out.len() - bytes.len() - comment.len();
                proptest::prop_assert!(eol == 1 || eol == 2);
                proptest::prop_assert_eq!(&out[..at], &bytes[..at]);
                proptest::prop_assert_eq!(&out[at + comment.len() + eol..], &bytes[at..]);
                let ending = &out[at + comment.len()..at + comment.len() + eol];
                // The inserted line ends the way the file's lines do.
                proptest::prop_assert!(
                    ending == b"\r\n" && input.contains("\r\n")
                        || ending == b"\n" && input.contains('\n')
                        || ending == b"\r" && input.contains('\r')
                        || !input.contains(['\n', '\r']),
                    "{:?}", String::from_utf8_lossy(&out)
                );
            }
        }
    }
}
