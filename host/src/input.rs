//! Input lines to records: one JSON object per line, or (raw mode) one text line wrapped as
//! `{"log":"..."}`, always in the compact form Fluent Bit renders a record body in.

use std::fmt;

use crate::json::{self, JsonError, Kind};

/// Base of the timestamp handed to the filter: record `i` (0-based) gets `BASE_TIME + i` s.
pub const BASE_TIME: u32 = 1_700_000_000;

/// A line Fluent Bit could never hand to the filter as a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    InvalidJson(JsonError),
    NotAnObject(Kind),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::InvalidJson(e) => write!(f, "not valid JSON: {e}"),
            InputError::NotAnObject(k) => {
                write!(
                    f,
                    "a record must be a JSON object, this line is a {}",
                    k.name()
                )
            }
        }
    }
}

impl std::error::Error for InputError {}

/// Strips the line terminator (`\n` only; a `\r` before it is kept).
pub fn strip_newline(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\n").unwrap_or(line)
}

/// Turns one line (without its `\n`) into a record. `Ok(None)`: nothing to send (an empty
/// line; in JSON mode also a line of whitespace only).
pub fn record_from_line(line: &[u8], raw: bool) -> Result<Option<Vec<u8>>, InputError> {
    if line.is_empty() {
        return Ok(None);
    }
    if raw {
        // Invalid UTF-8 becomes U+FFFD: a record body is always valid UTF-8 JSON.
        return Ok(Some(json::wrap_raw_line(&String::from_utf8_lossy(line))));
    }
    if line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
        return Ok(None);
    }
    match json::compact(line) {
        Ok((record, Kind::Object)) => Ok(Some(record)),
        Ok((_, kind)) => Err(InputError::NotAnObject(kind)),
        Err(e) => Err(InputError::InvalidJson(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_are_compacted_and_checked() {
        assert_eq!(
            record_from_line(b"{ \"log\" : \"a  b\" }\r", false),
            Ok(Some(br#"{"log":"a  b"}"#.to_vec()))
        );
        assert_eq!(record_from_line(b"", false), Ok(None));
        assert_eq!(record_from_line(b" \t\r", false), Ok(None));
        assert_eq!(
            record_from_line(b"[1]", false),
            Err(InputError::NotAnObject(Kind::Array))
        );
        assert!(matches!(
            record_from_line(b"{\"a\":}", false),
            Err(InputError::InvalidJson(_))
        ));
    }

    #[test]
    fn raw_lines_are_wrapped_and_keep_carriage_return() {
        assert_eq!(
            record_from_line(strip_newline(b"IKE \"SA\" up\r\n"), true),
            Ok(Some(br#"{"log":"IKE \"SA\" up\r"}"#.to_vec()))
        );
        assert_eq!(record_from_line(b"", true), Ok(None));
        assert_eq!(
            record_from_line(b"  ", true),
            Ok(Some(br#"{"log":"  "}"#.to_vec()))
        );
        assert_eq!(
            record_from_line(b"a\xffb", true),
            Ok(Some("{\"log\":\"a\u{fffd}b\"}".as_bytes().to_vec()))
        );
    }
}
