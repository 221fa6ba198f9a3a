//! The never-lose-a-record contract as an oracle, shared by the property tests, the corpus
//! regression test and the fuzz targets, whatever runs the filter (the built module in the host,
//! or the native library).
//!
//! For every record but msgpack maps the filter returns one valid JSON object, and:
//! - for a record that is a JSON object: the record itself, or the record with one member
//!   (`"vpn"` or `"vpnlog"`, an object) inserted before its closing brace, every original byte
//!   kept;
//! - for exactly one msgpack map (Fluent Bit's msgpack mode; never a JSON text): the map
//!   unchanged, or a `vpnlog_error` map without 0x00 bytes when it holds one;
//! - for anything else: `{"vpnlog_invalid":"..."}` whose string is the input with each byte
//!   that is not part of valid UTF-8 replaced by U+FFFD;
//! - filtering the output again gives the output.
//!
//! [`AbiCase`] describes one call of the exported function with the argument shapes a host can
//! produce (copied record with or without a trailing NUL, pointer 0, arbitrary spans), so that a
//! fuzzer and a regression test decode the same bytes into the same call.

use crate::filter::{Dropped, FluentBitHost, Timestamp};
use crate::json::{self, Kind};

/// Checks one record against the contract. `filter` runs the filter on a record and returns
/// its output, or why the record was lost. Returns the output.
pub fn check(record: &[u8], mut filter: impl FnMut(&[u8]) -> Result<Vec<u8>, String>) -> Result<Vec<u8>, String> {
    let out = filter(record)?;
    check_output(record, &out)?;
    let again = filter(&out).map_err(|e| format!("filtering the output again: {e}"))?;
    if again != out {
        return Err(format!(
            "filtering twice differs from once: {} then {}",
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&again)
        ));
    }
    Ok(out)
}

/// Checks one output of the filter for `record` (without the idempotence step).
pub fn check_output(record: &[u8], out: &[u8]) -> Result<(), String> {
    if crate::msgpack::is_one_map(record) {
        return msgpack_passed_through(record, out);
    }
    match json::validate(out) {
        Ok(Kind::Object) => {}
        Ok(k) => return Err(format!("output is a JSON {}, not an object", k.name())),
        Err(e) => return Err(format!("output is not valid JSON ({e}): {}", String::from_utf8_lossy(out))),
    }
    if json::validate(record) == Ok(Kind::Object) {
        kept_with_one_member(record, out)
    } else {
        wrapped_as_invalid(record, out)
    }
}

/// `out` is `record`, or `record` with `,"vpn":{...}` (or `"vpnlog"`; no comma in an empty
/// object) inserted before the closing brace of the root.
fn kept_with_one_member(record: &[u8], out: &[u8]) -> Result<(), String> {
    if out == record {
        return Ok(());
    }
    let lost = || format!("original bytes not kept: {} became {}", String::from_utf8_lossy(record), String::from_utf8_lossy(out));
    let close = record.iter().rposition(|&c| c == b'}').ok_or_else(lost)?;
    let (head, tail) = record.split_at(close);
    if out.len() <= record.len() || !out.starts_with(head) || !out.ends_with(tail) {
        return Err(lost());
    }
    let inserted = &out[head.len()..out.len() - tail.len()];
    let empty = head[1..].iter().all(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
    let member = if empty { inserted } else { inserted.strip_prefix(b",").ok_or_else(lost)? };
    if member.starts_with(b"\"vpn\":{") || member.starts_with(b"\"vpnlog\":{") {
        Ok(())
    } else {
        Err(format!("inserted text is not one vpn member: {}", String::from_utf8_lossy(inserted)))
    }
}

/// `out` is the msgpack map `record` unchanged, or when it holds a 0x00 byte, a map without
/// one holding only `vpnlog_error`.
fn msgpack_passed_through(record: &[u8], out: &[u8]) -> Result<(), String> {
    if !record.contains(&0) {
        return if out == record { Ok(()) } else { Err(format!("msgpack map {record:02x?} came back as {out:02x?}")) };
    }
    let json = crate::msgpack::to_json(out).map_err(|e| format!("msgpack replacement is not msgpack ({e}): {out:02x?}"))?;
    if out.contains(&0) || !crate::msgpack::is_one_map(out) || !json.starts_with(b"{\"vpnlog_error\":\"") {
        return Err(format!("msgpack map with a 0x00 byte came back as {}", String::from_utf8_lossy(&json)));
    }
    Ok(())
}

/// `out` is `{"vpnlog_invalid":"<record, invalid UTF-8 bytes as U+FFFD each>"}`.
fn wrapped_as_invalid(record: &[u8], out: &[u8]) -> Result<(), String> {
    let body = out
        .strip_prefix(b"{\"vpnlog_invalid\":\"")
        .and_then(|b| b.strip_suffix(b"\"}"))
        .ok_or_else(|| format!("input that is not an object must come back as vpnlog_invalid: {}", String::from_utf8_lossy(out)))?;
    let decoded = decode_string_body(body).ok_or("vpnlog_invalid holds more than one string")?;
    let expected = lossy_per_byte(record);
    if decoded != expected {
        return Err(format!("vpnlog_invalid is {decoded:?}, expected {expected:?}"));
    }
    Ok(())
}

/// The input as text, each byte that is not part of a valid UTF-8 sequence replaced by U+FFFD.
pub fn lossy_per_byte(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        s.push_str(chunk.valid());
        for _ in chunk.invalid() {
            s.push('\u{FFFD}');
        }
    }
    s
}

/// Decodes the inside of a valid JSON string literal (between the quotes). None when it holds
/// an unescaped quote (more than one string) or a lone surrogate.
fn decode_string_body(b: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(b).ok()?;
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    let hex4 = |chars: &mut std::str::Chars| -> Option<u32> {
        let h: String = chars.by_ref().take(4).collect();
        if h.len() == 4 { u32::from_str_radix(&h, 16).ok() } else { None }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => match chars.next()? {
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                '/' => out.push('/'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'u' => {
                    let hi = hex4(&mut chars)?;
                    let cp = if (0xD800..0xDC00).contains(&hi) {
                        if chars.next()? != '\\' || chars.next()? != 'u' {
                            return None;
                        }
                        let lo = hex4(&mut chars)?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return None;
                        }
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        hi
                    };
                    out.push(char::from_u32(cp)?);
                }
                _ => return None,
            },
            c => out.push(c),
        }
    }
    Some(out)
}

/// One call of the filter function as a host can make it, decoded from fuzzer bytes: the first
/// byte chooses the shape, the rest is the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AbiCase {
    /// Copied in as Fluent Bit's json mode does (module `malloc`, trailing NUL).
    Copied(Vec<u8>),
    /// Copied in without a trailing NUL, as msgpack mode copies records; the byte after the
    /// record is not NUL.
    NoNul(Vec<u8>),
    /// Pointer 0 with this length (the host's copy failed).
    NullPointer(u32),
    /// A span starting `before_end` bytes before the end of memory, `len` bytes long (may run
    /// past the end).
    NearEnd { before_end: u32, len: u32 },
}

impl AbiCase {
    pub fn from_bytes(data: &[u8]) -> AbiCase {
        let Some((&shape, rest)) = data.split_first() else {
            return AbiCase::Copied(Vec::new());
        };
        let word = |i: usize| rest.get(i..i + 4).map_or(0, |w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
        match shape % 8 {
            0..=4 => AbiCase::Copied(rest.to_vec()),
            5 => AbiCase::NoNul(rest.to_vec()),
            6 => AbiCase::NullPointer(word(0)),
            _ => AbiCase::NearEnd { before_end: word(0) % 256, len: word(4) },
        }
    }

    /// Runs the case through the module and checks the contract: for records, the full
    /// oracle; for spans the filter cannot read, the `vpnlog_error` object; and in every case
    /// no trap and no exception left for the next record.
    pub fn check(&self, h: &mut FluentBitHost) -> Result<(), String> {
        let t = Timestamp { sec: 1_762_580_429, nsec: 0 };
        let result = match self {
            // The oracle judges the returned string itself (a msgpack map's answer is not JSON).
            AbiCase::Copied(rec) => check(rec, |r| h.process_unchecked(b"vpn.fuzz", t, r).result.map_err(|e| e.to_string())).map(drop),
            AbiCase::NoNul(rec) => check(rec, |r| h.process_msgpack(b"vpn.fuzz", t, r).result.map_err(|e| e.to_string())).map(drop),
            AbiCase::NullPointer(len) => expect_error_object(h.call_raw(0, 0, t, 0, *len).result.map_err(|e| e.to_string()), *len),
            AbiCase::NearEnd { before_end, len } => {
                let end = (h.memory_pages() * 65536) as u32;
                let ptr = end.wrapping_sub(*before_end);
                let o = h.call_raw(0, 0, t, ptr, *len).result;
                if u64::from(ptr) + u64::from(*len) > u64::from(end) || ptr == 0 {
                    expect_error_object(o.map_err(|e| e.to_string()), *len)
                } else {
                    // Readable bytes, whatever memory holds there (possibly the filter's own
                    // buffers, which no host passes): no trap and a string to read is enough.
                    match o {
                        Err(e @ (Dropped::Trap(_) | Dropped::InvalidPointer { .. } | Dropped::PendingException(_))) => Err(e.to_string()),
                        _ => Ok(()),
                    }
                }
            }
        };
        if h.has_pending_exception() {
            return Err(format!("{self:?} left an exception: the next record would be lost"));
        }
        result
    }
}

fn expect_error_object(out: Result<Vec<u8>, String>, len: u32) -> Result<(), String> {
    let out = out?;
    let want = format!("{{\"vpnlog_error\":\"record not copied into the filter\",\"record_len\":{len}}}");
    if out == want.as_bytes() { Ok(()) } else { Err(format!("expected {want}, got {}", String::from_utf8_lossy(&out))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appended(rec: &str, out: &str) -> Result<(), String> {
        check_output(rec.as_bytes(), out.as_bytes())
    }

    #[test]
    fn accepts_the_record_or_one_vpn_member_appended() {
        assert!(appended(r#"{"a":1}"#, r#"{"a":1}"#).is_ok());
        assert!(appended(r#"{"a":1}"#, r#"{"a":1,"vpn":{"kind":"ike"}}"#).is_ok());
        assert!(appended(r#"{"vpn":2}"#, r#"{"vpn":2,"vpnlog":{"kind":"ike"}}"#).is_ok());
        assert!(appended(r#"{}"#, r#"{"vpn":{}}"#).is_ok());
    }

    #[test]
    fn rejects_changed_bytes_or_other_members() {
        assert!(appended(r#"{"a":1}"#, r#"{"a":2}"#).is_err());
        assert!(appended(r#"{"a":1.0}"#, r#"{"a":1,"vpn":{}}"#).is_err());
        assert!(appended(r#"{"a":1}"#, r#"{"a":1,"x":{}}"#).is_err());
        assert!(appended(r#"{"a":1}"#, r#"{"a":1,"vpn":3}"#).is_err());
        assert!(appended(r#"{"a":1}"#, r#"[1]"#).is_err());
        assert!(appended(r#"{"a":1}"#, r#"{"a":1"#).is_err());
    }

    #[test]
    fn invalid_input_is_wrapped_with_one_replacement_per_bad_byte() {
        assert!(check_output(b"not json", br#"{"vpnlog_invalid":"not json"}"#).is_ok());
        assert!(check_output(b"\"q\"\n", br#"{"vpnlog_invalid":"\"q\"\n"}"#).is_ok());
        assert!(check_output(b"a\xff\xfeb", "{\"vpnlog_invalid\":\"a\u{FFFD}\u{FFFD}b\"}".as_bytes()).is_ok());
        assert!(check_output(b"a\xffb", "{\"vpnlog_invalid\":\"a\u{FFFD}\u{FFFD}b\"}".as_bytes()).is_err());
        assert!(check_output(b"x", br#"{"vpnlog_invalid":"y"}"#).is_err());
        assert!(check_output(b"\xf0\x9f\x9a\x80", br#"{"vpnlog_invalid":"\ud83d\ude80"}"#).is_ok());
        assert_eq!(lossy_per_byte(b"\xe2\x82"), "\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn abi_cases_decode_from_their_first_byte() {
        assert_eq!(AbiCase::from_bytes(b""), AbiCase::Copied(vec![]));
        assert_eq!(AbiCase::from_bytes(b"\x00{}"), AbiCase::Copied(b"{}".to_vec()));
        assert_eq!(AbiCase::from_bytes(b"\x05{}"), AbiCase::NoNul(b"{}".to_vec()));
        assert_eq!(AbiCase::from_bytes(b"\x06\x01\x02\x00\x00"), AbiCase::NullPointer(0x201));
        assert_eq!(AbiCase::from_bytes(b"\x07\x0a\x00\x00\x00\x10\x00\x00\x00"), AbiCase::NearEnd { before_end: 10, len: 16 });
    }
}
