//! A small JSON parser that remembers where every key and value sits in the file.
//!
//! `serde_json` answers "what does this manifest say", but a finding must also say *where*:
//! the line of `"lodash": "*"` in `package.json`, or of `"node_modules/lodash"` in a lockfile.
//! This parser keeps a byte span for every value and object key. It is strict JSON (what npm
//! and pipenv write), bounded in nesting depth, and never panics on malformed input.

use std::ops::Range;

/// Deepest nesting accepted; real manifests and lockfiles stay far below it.
const MAX_DEPTH: usize = 200;

/// A JSON value with the byte range it occupies.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Range<usize>,
}

/// One `"key": value` pair of an object, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Numbers are kept as written; nothing here needs their value.
    Number,
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

impl Node {
    /// The member `key` of an object (the first one, if repeated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.value)
    }

    /// The member `key` of an object, with its key's span.
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.members().iter().find(|m| m.key == key)
    }

    /// The members of an object, or nothing.
    pub fn members(&self) -> &[Member] {
        match &self.value {
            Value::Object(members) => members,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }
}

/// Why a document is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: &'static str,
}

impl ParseError {
    /// The error as a scan reports it, at its line and column in `src`.
    pub fn unparsed(&self, src: &crate::source::Source) -> crate::analyzers::Unparsed {
        crate::analyzers::Unparsed::at(src, self.offset, self.message)
    }
}

/// Parses one JSON document (surrounding whitespace allowed).
pub fn parse(bytes: &[u8]) -> Result<Node, ParseError> {
    let mut parser = Parser { bytes, pos: 0 };
    parser.skip_ws();
    let node = parser.value(0)?;
    parser.skip_ws();
    if parser.pos != bytes.len() {
        return Err(parser.error("trailing characters after the document"));
    }
    Ok(node)
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &'static str) -> ParseError {
        ParseError {
            offset: self.pos,
            message,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, message: &'static str) -> Result<(), ParseError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(message))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal(b"true", Value::Bool(true))?,
            Some(b'f') => self.literal(b"false", Value::Bool(false))?,
            Some(b'n') => self.literal(b"null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error("expected a value")),
            None => return Err(self.error("unexpected end of input")),
        };
        Ok(Node {
            value,
            span: start..self.pos,
        })
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Result<Value, ParseError> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let from = p.pos;
            while let Some(b'0'..=b'9') = p.peek() {
                p.pos += 1;
            }
            p.pos > from
        };
        if !digits(self) {
            return Err(self.error("invalid number"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.error("invalid number"));
            }
        }
        debug_assert!(self.pos > start);
        Ok(Value::Number)
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.expect(b'"', "expected a string")?;
        let mut out = Vec::new();
        loop {
            // Copy the run of plain bytes up to the next quote or backslash in one go.
            let rest = &self.bytes[self.pos..];
            let Some(stop) = memchr::memchr2(b'"', b'\\', rest) else {
                return Err(self.error("unterminated string"));
            };
            out.extend_from_slice(&rest[..stop]);
            self.pos += stop;
            if self.peek() == Some(b'"') {
                self.pos += 1;
                break;
            }
            // A backslash escape.
            self.pos += 1;
            let Some(escape) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 1;
            let ch = match escape {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => self.unicode_escape()?,
                _ => return Err(self.error("invalid escape")),
            };
            let mut buf = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        }
        String::from_utf8(out).map_err(|_| self.error("string is not UTF-8"))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("truncated \\u escape"))?;
        let text = std::str::from_utf8(digits).map_err(|_| self.error("invalid \\u escape"))?;
        let value = u32::from_str_radix(text, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.pos += 4;
        Ok(value)
    }

    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            // A high surrogate must be followed by `\u` and a low surrogate.
            if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                return Ok(char::REPLACEMENT_CHARACTER);
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Ok(char::REPLACEMENT_CHARACTER);
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        Ok(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    fn array(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.expect(b'[', "expected `[`")?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.expect(b'{', "expected `{`")?;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = key_start..self.pos;
            self.skip_ws();
            self.expect(b':', "expected `:`")?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_objects_with_spans() {
        let text = "{\n  \"dependencies\": {\n    \"lodash\": \"*\"\n  }\n}\n";
        let doc = parse(text.as_bytes()).unwrap();
        let deps = doc.get("dependencies").unwrap();
        let member = deps.member("lodash").unwrap();
        assert_eq!(&text[member.key_span.clone()], "\"lodash\"");
        assert_eq!(&text[member.value.span.clone()], "\"*\"");
        assert_eq!(member.value.as_str(), Some("*"));
    }

    #[test]
    fn parses_every_kind_of_value() {
        let doc = parse(
            br#"[null, true, false, -1.5e3, 0, "a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", {}, []]"#,
        )
        .unwrap();
        let Value::Array(items) = doc.value else {
            panic!("array")
        };
        assert_eq!(items.len(), 8);
        assert_eq!(items[0].value, Value::Null);
        assert_eq!(items[1].as_bool(), Some(true));
        assert_eq!(items[3].value, Value::Number);
        assert_eq!(items[5].as_str(), Some("a\"\\/\u{8}\u{c}\n\r\té😀"));
    }

    #[test]
    fn rejects_malformed_documents_without_panicking() {
        let cases: &[&[u8]] = &[
            b"",
            b"{",
            b"{\"a\"",
            b"{\"a\":",
            b"{\"a\":1,",
            b"[1,]x",
            b"\"abc",
            b"\"\\u12\"",
            b"\"\\uZZZZ\"",
            b"\"\\",
            b"tru",
            b"-",
            b"1.",
            b"1e",
            b"{} {}",
            b"\xff",
            b"\"\xff\xfe\"",
            b"{1:2}",
        ];
        for case in cases {
            assert!(parse(case).is_err(), "{:?}", String::from_utf8_lossy(case));
        }
        // A lone surrogate is replaced, not rejected.
        assert_eq!(parse(br#""\ud800x""#).unwrap().as_str(), Some("\u{fffd}x"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert!(parse(deep.as_bytes()).is_err());
        let deep_objects = "{\"a\":".repeat(100_000);
        assert!(parse(deep_objects.as_bytes()).is_err());
        let ok = format!("{}{}", "[".repeat(50), "]".repeat(50));
        assert!(parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn large_documents_parse() {
        let mut text = String::from("{\"packages\": {");
        for i in 0..20_000 {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                "\"node_modules/p{i}\": {{\"version\": \"1.0.{i}\"}}"
            ));
        }
        text.push_str("}}");
        let doc = parse(text.as_bytes()).unwrap();
        assert_eq!(doc.get("packages").unwrap().members().len(), 20_000);
    }
}
