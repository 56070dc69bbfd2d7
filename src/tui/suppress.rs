//! Writing an inline suppression from the coach: one `seccoach:ignore <rule> -- <reason>` comment
//! line inserted directly above the finding, in the file's own comment syntax and with the
//! line's indentation and line ending. Nothing else in the file changes, the write is atomic, and
//! it is refused when the file changed since the scan (the line may no longer be the finding's),
//! when the file kind has no line comments, or when a comment there would change meaning.

use crate::persist::write_atomic;
use crate::source::FileKind;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What a file looked like when it was scanned: enough to tell whether it changed since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    pub len: u64,
    pub sha256: [u8; 32],
}

impl FileStamp {
    pub fn of(bytes: &[u8]) -> FileStamp {
        FileStamp {
            len: bytes.len() as u64,
            sha256: Sha256::digest(bytes).into(),
        }
    }

    /// Reads and stamps a file.
    pub fn read(path: &Path) -> std::io::Result<FileStamp> {
        std::fs::read(path).map(|bytes| FileStamp::of(&bytes))
    }
}

/// Why a suppression was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{path} changed since the scan; rescan (R) and try again")]
    Changed { path: String },
    #[error("{path} was not recorded by the scan; rescan (R) and try again")]
    NotStamped { path: String },
    #[error("{kind} files have no line comments, so a suppression cannot be written in {path}")]
    NoCommentSyntax { path: String, kind: &'static str },
    #[error("{path} is UTF-16; add the suppression by hand")]
    Utf16 { path: String },
    #[error("{path} has no line {line}")]
    NoSuchLine { path: String, line: u32 },
    #[error(
        "line {line} of {path} continues the line above; a comment there would break it. Add the suppression by hand"
    )]
    Continuation { path: String, line: u32 },
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
    let Some(marker) = kind.line_comments().first() else {
        return Err(Refusal::NoCommentSyntax {
            path,
            kind: kind.as_str(),
        });
    };
    let starts = line_starts(bytes);
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
    let eol: &[u8] = if text.ends_with(b"\r\n") {
        b"\r\n"
    } else if text.ends_with(b"\n") {
        b"\n"
    } else if memchr::memmem::find(bytes, b"\r\n").is_some() {
        b"\r\n"
    } else {
        b"\n"
    };
    if index > 0 {
        let above = &bytes[starts[index - 1]..start];
        let above_text = String::from_utf8_lossy(above);
        let trimmed = above_text.trim_end_matches(['\r', '\n']);
        if trimmed.ends_with('\\') && kind != FileKind::Dockerfile {
            return Err(Refusal::Continuation { path, line });
        }
        if trimmed.contains("seccoach:ignore") {
            return Err(Refusal::AlreadyAbove {
                path,
                above: line - 1,
                rule: rule.to_owned(),
            });
        }
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

/// Byte offsets where each line starts (a trailing newline does not start a line).
fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        memchr::memchr_iter(b'\n', bytes)
            .map(|i| i + 1)
            .filter(|&i| i < bytes.len()),
    );
    starts
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
    let file = root.join(rel_path);
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

/// Writes a planned suppression atomically if the file is still as planned; returns the stamp
/// of the new content.
pub fn apply(plan: &Plan) -> Result<FileStamp, Refusal> {
    let now = FileStamp::read(&plan.file).map_err(|e| Refusal::Read {
        path: plan.rel_path.clone(),
        message: e.to_string(),
    })?;
    if now != plan.before {
        return Err(Refusal::Changed {
            path: plan.rel_path.clone(),
        });
    }
    write_atomic(&plan.file, &plan.new_bytes).map_err(|e| Refusal::Write {
        path: plan.rel_path.clone(),
        message: e.to_string(),
    })?;
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
}
