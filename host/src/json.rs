//! Byte-level JSON handling for the host: strict (RFC 8259) validation, whitespace compaction
//! that leaves every significant byte untouched, and string escaping for `--raw` input.
//!
//! Nothing here builds a value tree: records are checked and passed on byte for byte.

use std::fmt;

/// Kind of a JSON document's root value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Object => "object",
            Kind::Array => "array",
            Kind::String => "string",
            Kind::Number => "number",
            Kind::Bool => "boolean",
            Kind::Null => "null",
        }
    }
}

/// Why a document is not valid JSON, and the byte offset where that was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub message: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for JsonError {}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, message: &'static str) -> JsonError {
        JsonError {
            offset: self.i,
            message,
        }
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && is_ws(self.s[self.i]) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, b: u8, message: &'static str) -> Result<(), JsonError> {
        if self.peek() == Some(b) {
            self.i += 1;
            Ok(())
        } else if self.peek().is_none() {
            Err(self.err("unexpected end of input"))
        } else {
            Err(self.err(message))
        }
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), JsonError> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<(), JsonError> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err("invalid number: digit expected after '.'"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("invalid number: digit expected in exponent"));
            }
        }
        Ok(())
    }

    /// Parses a string starting at its opening quote. The input is known to be UTF-8.
    fn string(&mut self) -> Result<(), JsonError> {
        self.expect(b'"', "string expected")?;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err("unterminated string"));
            };
            match b {
                b'"' => {
                    self.i += 1;
                    return Ok(());
                }
                b'\\' => {
                    self.i += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 1,
                        Some(b'u') => {
                            self.i += 1;
                            for _ in 0..4 {
                                if !self.peek().is_some_and(|h| h.is_ascii_hexdigit()) {
                                    return Err(self.err("invalid \\u escape"));
                                }
                                self.i += 1;
                            }
                        }
                        None => return Err(self.err("unterminated string")),
                        _ => return Err(self.err("invalid escape")),
                    }
                }
                0x00..=0x1f => return Err(self.err("unescaped control character in string")),
                _ => self.i += 1,
            }
        }
    }
}

/// Checks that `input` is exactly one valid JSON document (surrounding whitespace allowed) and
/// returns the kind of its root. Strings must be UTF-8; nesting depth is limited only by memory.
pub fn validate(input: &[u8]) -> Result<Kind, JsonError> {
    if let Err(e) = std::str::from_utf8(input) {
        return Err(JsonError {
            offset: e.valid_up_to(),
            message: "invalid UTF-8",
        });
    }
    enum State {
        Value,
        ValueOrClose,
        KeyOrClose,
        Key,
        After,
    }
    let mut p = Parser { s: input, i: 0 };
    let mut stack: Vec<u8> = Vec::new();
    let mut root: Option<Kind> = None;
    let mut state = State::Value;
    loop {
        p.ws();
        match state {
            State::Value => {
                let kind = match p.peek() {
                    Some(b'{') => {
                        p.i += 1;
                        stack.push(b'{');
                        state = State::KeyOrClose;
                        Kind::Object
                    }
                    Some(b'[') => {
                        p.i += 1;
                        stack.push(b'[');
                        state = State::ValueOrClose;
                        Kind::Array
                    }
                    Some(b'"') => {
                        p.string()?;
                        state = State::After;
                        Kind::String
                    }
                    Some(b'-' | b'0'..=b'9') => {
                        p.number()?;
                        state = State::After;
                        Kind::Number
                    }
                    Some(b't') => {
                        p.literal(b"true")?;
                        state = State::After;
                        Kind::Bool
                    }
                    Some(b'f') => {
                        p.literal(b"false")?;
                        state = State::After;
                        Kind::Bool
                    }
                    Some(b'n') => {
                        p.literal(b"null")?;
                        state = State::After;
                        Kind::Null
                    }
                    None => return Err(p.err("unexpected end of input")),
                    Some(_) => return Err(p.err("unexpected character")),
                };
                root.get_or_insert(kind);
            }
            State::ValueOrClose => {
                if p.peek() == Some(b']') {
                    p.i += 1;
                    stack.pop();
                    state = State::After;
                } else {
                    state = State::Value;
                }
            }
            State::KeyOrClose => {
                if p.peek() == Some(b'}') {
                    p.i += 1;
                    stack.pop();
                    state = State::After;
                } else {
                    state = State::Key;
                }
            }
            State::Key => {
                if p.peek() != Some(b'"') {
                    return Err(p.err("object key expected"));
                }
                p.string()?;
                p.ws();
                p.expect(b':', "':' expected after object key")?;
                state = State::Value;
            }
            State::After => match stack.last() {
                None => {
                    if p.i != input.len() {
                        return Err(p.err("trailing characters after JSON value"));
                    }
                    return Ok(root.expect("a value was parsed"));
                }
                Some(b'{') => match p.peek() {
                    Some(b',') => {
                        p.i += 1;
                        state = State::Key;
                    }
                    Some(b'}') => {
                        p.i += 1;
                        stack.pop();
                    }
                    None => return Err(p.err("unexpected end of input")),
                    Some(_) => return Err(p.err("',' or '}' expected")),
                },
                Some(_) => match p.peek() {
                    Some(b',') => {
                        p.i += 1;
                        state = State::Value;
                    }
                    Some(b']') => {
                        p.i += 1;
                        stack.pop();
                    }
                    None => return Err(p.err("unexpected end of input")),
                    Some(_) => return Err(p.err("',' or ']' expected")),
                },
            },
        }
    }
}

/// Removes whitespace outside strings from a document already known to be valid JSON.
/// Every other byte (numbers, escapes, key order, duplicates) is kept as it is.
pub fn strip_whitespace(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut in_string = false;
    let mut escaped = false;
    for &b in input {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !is_ws(b) {
            if b == b'"' {
                in_string = true;
            }
            out.push(b);
        }
    }
    out
}

/// Validates `input` and returns it compact (as Fluent Bit renders a record) with its root kind.
pub fn compact(input: &[u8]) -> Result<(Vec<u8>, Kind), JsonError> {
    let kind = validate(input)?;
    Ok((strip_whitespace(input), kind))
}

/// Appends `s` as a quoted JSON string: `"` and `\` escaped, control characters as
/// `\b \f \n \r \t` or `\u00XX`; everything else (including non-ASCII) kept as UTF-8.
pub fn push_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x00..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 0xf) as usize]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// Wraps one line of text as the record `{"log":"<line>"}`.
pub fn wrap_raw_line(line: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len() + 12);
    out.extend_from_slice(b"{\"log\":");
    push_string(&mut out, line);
    out.push(b'}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compaction_keeps_strings_numbers_and_escapes() {
        let input = b" {\n\t\"msg\" : \"a  b\\t\\\" { } , : \\\\\" ,\r\n \"n\": -1.50e+03 ,\"u\":\"\\u00e9 \xc3\xa9\", \"arr\" : [ 1 , { } , [ ] , true, false , null ] }  \n";
        let (out, kind) = compact(input).unwrap();
        assert_eq!(kind, Kind::Object);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            "{\"msg\":\"a  b\\t\\\" { } , : \\\\\",\"n\":-1.50e+03,\"u\":\"\\u00e9 \u{e9}\",\"arr\":[1,{},[],true,false,null]}"
        );
        // Already compact input comes back identical.
        assert_eq!(compact(&out).unwrap().0, out);
    }

    #[test]
    fn compaction_of_escaped_backslash_before_quote() {
        // The string ends after `\\`; the following whitespace is outside it.
        let (out, _) = compact(br#"{"a" : "x\\" , "b" : "y"}"#).unwrap();
        assert_eq!(out, br#"{"a":"x\\","b":"y"}"#);
    }

    #[test]
    fn validation_accepts_valid_documents() {
        for (doc, kind) in [
            (&b"{}"[..], Kind::Object),
            (b" [ ] ", Kind::Array),
            (b"\"s\"", Kind::String),
            (b"0", Kind::Number),
            (b"-0.0e-0", Kind::Number),
            (b"true", Kind::Bool),
            (b"null", Kind::Null),
            (
                br#"{"a":{"b":[{"c":[]}]},"d":"\/\b\f\n\r\t\u12aB"}"#,
                Kind::Object,
            ),
        ] {
            assert_eq!(validate(doc), Ok(kind), "{}", String::from_utf8_lossy(doc));
        }
    }

    #[test]
    fn validation_rejects_invalid_documents() {
        for doc in [
            &b""[..],
            b"   ",
            b"{",
            b"{\"a\"}",
            b"{\"a\":1,}",
            b"[1,]",
            b"[1 2]",
            b"{a:1}",
            b"{'a':1}",
            b"01",
            b"1.",
            b"1e",
            b"-",
            b"+1",
            b".5",
            b"NaN",
            b"tru",
            b"nulls",
            b"{} {}",
            b"{}x",
            b"\"a\nb\"",
            b"\"\\x\"",
            b"\"\\u12g4\"",
            b"\"abc",
            b"{\"a\":1}}",
            b"[1]]",
            b"\"\xff\"",
        ] {
            assert!(
                validate(doc).is_err(),
                "accepted {:?}",
                String::from_utf8_lossy(doc)
            );
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_host_stack() {
        let mut doc = Vec::new();
        doc.extend(std::iter::repeat_n(b'[', 200_000));
        doc.extend(std::iter::repeat_n(b']', 200_000));
        assert_eq!(validate(&doc), Ok(Kind::Array));
    }

    #[test]
    fn raw_lines_are_escaped() {
        let rec = wrap_raw_line("a\"b\\c\td\r\u{1}é/");
        assert_eq!(rec, "{\"log\":\"a\\\"b\\\\c\\td\\r\\u0001é/\"}".as_bytes());
        assert_eq!(validate(&rec), Ok(Kind::Object));
    }
}
