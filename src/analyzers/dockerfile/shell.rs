//! Just enough of the POSIX shell grammar to read `RUN` lines: words with their quotes removed,
//! pipes, command separators, comments, and command substitutions kept whole inside a word.
//!
//! The lexer is one loop over the bytes with an explicit stack for nested quotes and
//! substitutions, so hostile input (deep nesting, unbalanced quotes) costs linear time and never
//! recurses. It does not expand anything: `$VAR` stays `$VAR`.

use std::ops::Range;

/// One shell word: where it is in the text (quotes included) and its text with quotes removed.
/// Inside `$(…)`, backticks and `<(…)` the text is kept raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub range: Range<usize>,
    pub value: String,
}

impl Word {
    /// The last path component of the value (`/usr/bin/curl` → `curl`).
    pub fn program_name(&self) -> &str {
        self.value.rsplit('/').next().unwrap_or(&self.value)
    }

    pub fn is_option(&self) -> bool {
        self.value.starts_with('-') && self.value.len() > 1
    }
}

/// A simple command: its words, and whether its output is piped into the next command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<Word>,
    pub piped: bool,
}

/// How words are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Shell syntax: operators (`|`, `&&`, `;`, newlines, parentheses) and `#` comments.
    Shell,
    /// Plain argument lists (`COPY`, `ENV`, `FROM`): only whitespace separates words.
    Words,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nest {
    Single,
    Double,
    Paren,
    Backtick,
}

enum Token {
    Word(Word),
    Pipe,
    Separator,
}

/// Splits `text` into whitespace-separated words, honouring quotes.
pub fn words(text: &str) -> Vec<Word> {
    lex(text, Mode::Words)
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w),
            Token::Pipe | Token::Separator => None,
        })
        .collect()
}

/// Splits a shell script into simple commands.
pub fn commands(text: &str) -> Vec<Command> {
    let mut out = Vec::new();
    let mut current = Command::default();
    for token in lex(text, Mode::Shell) {
        match token {
            Token::Word(word) => current.words.push(word),
            Token::Pipe => {
                current.piped = true;
                out.push(std::mem::take(&mut current));
            }
            Token::Separator => {
                if !current.words.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.words.is_empty() {
        out.push(current);
    }
    out
}

fn lex(text: &str, mode: Mode) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == b' ' || c == b'\t' || c == b'\r' || (mode == Mode::Words && c == b'\n') {
            i += 1;
            continue;
        }
        if mode == Mode::Shell {
            match c {
                b'\n' | b';' | b'(' | b')' => {
                    out.push(Token::Separator);
                    i += 1;
                    continue;
                }
                b'|' => {
                    match next {
                        Some(b'|') => out.push(Token::Separator),
                        _ => out.push(Token::Pipe),
                    }
                    i += if matches!(next, Some(b'|' | b'&')) {
                        2
                    } else {
                        1
                    };
                    continue;
                }
                b'&' if next != Some(b'>') => {
                    out.push(Token::Separator);
                    i += if next == Some(b'&') { 2 } else { 1 };
                    continue;
                }
                b'#' => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                _ => {}
            }
        }
        let (word, end) = lex_word(text, i, mode);
        out.push(Token::Word(word));
        // A word always consumes at least one byte, so the loop always advances.
        i = end.max(i + 1);
    }
    out
}

/// Reads one word starting at `start`; returns it and the offset just past it.
fn lex_word(text: &str, start: usize, mode: Mode) -> (Word, usize) {
    let b = text.as_bytes();
    let mut value: Vec<u8> = Vec::new();
    let mut stack: Vec<Nest> = Vec::new();
    // How many `Paren`/`Backtick` entries the stack holds: inside them the text is kept raw.
    let mut raw_depth = 0usize;
    let mut i = start;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        match stack.last().copied() {
            None => {
                let ends_word = match c {
                    b' ' | b'\t' | b'\r' | b'\n' => true,
                    b';' | b'|' | b'(' | b')' => mode == Mode::Shell,
                    // `2>&1` and `&>file` keep their `&`.
                    b'&' => {
                        mode == Mode::Shell
                            && next != Some(b'>')
                            && !(i > start && matches!(b[i - 1], b'>' | b'<'))
                    }
                    _ => false,
                };
                if ends_word {
                    break;
                }
                match c {
                    b'\\' => {
                        match next {
                            Some(b'\n') => {}
                            Some(n) => value.push(n),
                            None => value.push(c),
                        }
                        i += 2;
                        continue;
                    }
                    b'\'' => stack.push(Nest::Single),
                    b'"' => stack.push(Nest::Double),
                    b'`' => {
                        stack.push(Nest::Backtick);
                        raw_depth += 1;
                        value.push(c);
                    }
                    b'$' | b'<' | b'>' if next == Some(b'(') => {
                        stack.push(Nest::Paren);
                        raw_depth += 1;
                        value.extend_from_slice(&[c, b'(']);
                        i += 2;
                        continue;
                    }
                    _ => value.push(c),
                }
                i += 1;
            }
            Some(Nest::Single) => {
                if c == b'\'' {
                    stack.pop();
                }
                if c != b'\'' || raw_depth > 0 {
                    value.push(c);
                }
                i += 1;
            }
            Some(Nest::Double) => {
                match c {
                    b'"' => {
                        stack.pop();
                        if raw_depth > 0 {
                            value.push(c);
                        }
                    }
                    b'\\' => {
                        match next {
                            Some(b'\n') => {}
                            Some(n @ (b'"' | b'\\' | b'$' | b'`')) if raw_depth == 0 => {
                                value.push(n)
                            }
                            Some(n) => value.extend_from_slice(&[c, n]),
                            None => value.push(c),
                        }
                        i += 2;
                        continue;
                    }
                    b'`' => {
                        stack.push(Nest::Backtick);
                        raw_depth += 1;
                        value.push(c);
                    }
                    b'$' if next == Some(b'(') => {
                        stack.push(Nest::Paren);
                        raw_depth += 1;
                        value.extend_from_slice(b"$(");
                        i += 2;
                        continue;
                    }
                    _ => value.push(c),
                }
                i += 1;
            }
            Some(Nest::Paren) => {
                match c {
                    b'(' => {
                        stack.push(Nest::Paren);
                        raw_depth += 1;
                    }
                    b')' => {
                        stack.pop();
                        raw_depth = raw_depth.saturating_sub(1);
                    }
                    b'\'' => stack.push(Nest::Single),
                    b'"' => stack.push(Nest::Double),
                    b'`' => {
                        stack.push(Nest::Backtick);
                        raw_depth += 1;
                    }
                    b'\\' => {
                        value.push(c);
                        if let Some(n) = next {
                            value.push(n);
                        }
                        i += 2;
                        continue;
                    }
                    _ => {}
                }
                value.push(c);
                i += 1;
            }
            Some(Nest::Backtick) => {
                match c {
                    b'`' => {
                        stack.pop();
                        raw_depth = raw_depth.saturating_sub(1);
                    }
                    b'\\' => {
                        value.push(c);
                        if let Some(n) = next {
                            value.push(n);
                        }
                        i += 2;
                        continue;
                    }
                    _ => {}
                }
                value.push(c);
                i += 1;
            }
        }
    }
    let end = i.min(b.len());
    let word = Word {
        range: start..end,
        value: String::from_utf8_lossy(&value).into_owned(),
    };
    (word, end)
}

/// A heredoc opener (`<<EOF`, `<<-EOF`, `<<'EOF'`, `<< "EOF"`) in an instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeredocMarker {
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from body lines and from the closing line.
    pub strip_tabs: bool,
    /// A quoted delimiter turns off expansion in the body.
    pub quoted: bool,
    /// Range of the opener in the text (the delimiter word included).
    pub range: Range<usize>,
}

/// Every heredoc opener in `text`, in order.
pub fn heredoc_markers(text: &str) -> Vec<HeredocMarker> {
    let all: Vec<Word> = lex(text, Mode::Shell)
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w),
            Token::Pipe | Token::Separator => None,
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let raw = text.get(all[i].range.clone()).unwrap_or("");
        i += 1;
        let Some(rest) = raw.strip_prefix("<<") else {
            continue;
        };
        if rest.starts_with('<') {
            continue;
        }
        let (strip_tabs, rest) = match rest.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let mut range = all[i - 1].range.clone();
        let word = if rest.is_empty() {
            // `<< EOF`: the delimiter is the next word.
            let Some(next) = all.get(i) else { break };
            i += 1;
            range.end = next.range.end;
            text.get(next.range.clone()).unwrap_or("")
        } else {
            rest
        };
        let quoted = word.contains(['\'', '"']);
        let delimiter: String = word.chars().filter(|c| !matches!(c, '\'' | '"')).collect();
        if delimiter.is_empty() || delimiter.contains('<') {
            continue;
        }
        out.push(HeredocMarker {
            delimiter,
            strip_tabs,
            quoted,
            range,
        });
    }
    out
}

/// Parses a JSON array of strings (the exec form of `RUN`, `CMD`, `COPY`…). Returns each
/// element's decoded text and the range of its quoted form in `text`, or `None` when `text` is
/// not exactly such an array (Docker then reads it as shell form).
pub fn json_array(text: &str) -> Option<Vec<Word>> {
    let b = text.as_bytes();
    let skip_ws = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut i = skip_ws(0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i = skip_ws(i + 1);
    let mut out = Vec::new();
    if b.get(i) == Some(&b']') {
        return (skip_ws(i + 1) == b.len()).then_some(out);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let start = i;
        i += 1;
        let mut value = String::new();
        let mut plain_from = i;
        loop {
            match b.get(i)? {
                b'"' => {
                    value.push_str(text.get(plain_from..i)?);
                    i += 1;
                    break;
                }
                b'\\' => {
                    value.push_str(text.get(plain_from..i)?);
                    let escaped = *b.get(i + 1)?;
                    i += 2;
                    match escaped {
                        b'"' => value.push('"'),
                        b'\\' => value.push('\\'),
                        b'/' => value.push('/'),
                        b'b' => value.push('\u{8}'),
                        b'f' => value.push('\u{c}'),
                        b'n' => value.push('\n'),
                        b'r' => value.push('\r'),
                        b't' => value.push('\t'),
                        b'u' => {
                            let hex = text.get(i..i + 4)?;
                            let code = u32::from_str_radix(hex, 16).ok()?;
                            value.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                            i += 4;
                        }
                        _ => return None,
                    }
                    plain_from = i;
                }
                c if *c < 0x20 => return None,
                _ => i += 1,
            }
        }
        out.push(Word {
            range: start..i,
            value,
        });
        i = skip_ws(i);
        match b.get(i)? {
            b',' => i = skip_ws(i + 1),
            b']' => return (skip_ws(i + 1) == b.len()).then_some(out),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(words: &[Word]) -> Vec<&str> {
        words.iter().map(|w| w.value.as_str()).collect()
    }

    #[test]
    fn splits_commands_and_pipes() {
        let cmds =
            commands("curl -fsSL https://x | sh && echo 'a | b' ; ls # not | a command\nrm x");
        let got: Vec<(Vec<&str>, bool)> =
            cmds.iter().map(|c| (values(&c.words), c.piped)).collect();
        assert_eq!(
            got,
            vec![
                (vec!["curl", "-fsSL", "https://x"], true),
                (vec!["sh"], false),
                (vec!["echo", "a | b"], false),
                (vec!["ls"], false),
                (vec!["rm", "x"], false),
            ]
        );
    }

    #[test]
    fn quotes_and_substitutions_stay_in_one_word() {
        let cmds = commands(r#"sh -c "$(curl -fsSL "https://x/install.sh")" 2>&1 | tee log"#);
        assert_eq!(cmds.len(), 2);
        assert_eq!(
            values(&cmds[0].words),
            vec![
                "sh",
                "-c",
                r#"$(curl -fsSL "https://x/install.sh")"#,
                "2>&1"
            ]
        );
        let cmds = commands("bash <(wget -qO- https://x) && echo `date` done");
        assert_eq!(
            values(&cmds[0].words),
            vec!["bash", "<(wget -qO- https://x)"]
        );
        assert_eq!(values(&cmds[1].words), vec!["echo", "`date`", "done"]);
    }

    #[test]
    fn escapes_and_ranges() {
        let text = r#"echo a\ b "c\"d" 'e\f'"#;
        let words = &commands(text)[0].words;
        assert_eq!(values(words), vec!["echo", "a b", "c\"d", "e\\f"]);
        assert_eq!(&text[words[3].range.clone()], "'e\\f'");
    }

    #[test]
    fn word_mode_ignores_operators() {
        let words = words("KEY=\"a b\" other=x|y  #z");
        assert_eq!(values(&words), vec!["KEY=a b", "other=x|y", "#z"]);
    }

    #[test]
    fn unbalanced_and_deep_input_is_linear() {
        let deep = "$(".repeat(50_000) + &"'\"`".repeat(10_000);
        let start = std::time::Instant::now();
        let cmds = commands(&deep);
        assert_eq!(cmds.len(), 1);
        assert!(start.elapsed().as_secs() < 60, "hang guard only");
        assert!(commands("echo \"unterminated").len() == 1);
        assert!(commands("").is_empty());
        assert!(commands("\\").len() == 1);
    }

    #[test]
    fn finds_heredoc_markers() {
        let m = heredoc_markers("<<EOF cat > a && <<-'END' cat >b && cat << \"X\" && cat <<<no");
        let got: Vec<(&str, bool, bool)> = m
            .iter()
            .map(|m| (m.delimiter.as_str(), m.strip_tabs, m.quoted))
            .collect();
        assert_eq!(
            got,
            vec![
                ("EOF", false, false),
                ("END", true, true),
                ("X", false, true)
            ]
        );
        assert!(heredoc_markers("echo \"<<EOF\"").is_empty());
    }

    #[test]
    fn parses_exec_form() {
        let text = r#" [ "sh", "-c" , "echo \"hi\" \u0041" ] "#;
        let words = json_array(text).unwrap();
        assert_eq!(values(&words), vec!["sh", "-c", "echo \"hi\" A"]);
        assert_eq!(&text[words[1].range.clone()], "\"-c\"");
        assert!(json_array("[]").unwrap().is_empty());
        for bad in [
            "[",
            "[\"a\"",
            "[\"a\",]",
            "[a]",
            "[\"a\"] x",
            "echo",
            "[\"\\x\"]",
        ] {
            assert!(json_array(bad).is_none(), "{bad}");
        }
    }
}
