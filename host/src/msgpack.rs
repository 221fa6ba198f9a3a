//! Fluent Bit's `event_format msgpack` mode, emulated: records encoded as msgpack the way Fluent
//! Bit encodes them, copied in without a trailing NUL, and the module's answer read back the way
//! the host reads it: as a C string (`strdup`), so the first 0x00 byte ends it, then taken as
//! the record's new msgpack body byte for byte.
//!
//! Owns: a small msgpack encoder (from JSON text, with msgpack-c's smallest encodings, as
//! `flb_pack_json` and `msgpack_pack_object` produce them), a strict decoder (exactly one
//! object, to JSON text), and [`MsgpackMode::process`], which says whether a record survives.

use crate::filter::{Dropped, FluentBitHost, Timestamp};

/// Encodes one JSON document as msgpack: integers in their smallest form, numbers with a
/// fraction or exponent as float64, strings unescaped (str8/16/32), maps and arrays with their
/// counts. `json` must be valid JSON.
pub fn from_json(json: &[u8]) -> Result<Vec<u8>, String> {
    let mut p = JsonReader { s: json, i: 0 };
    let mut out = Vec::with_capacity(json.len());
    p.value(&mut out)?;
    p.ws();
    if p.i != json.len() {
        return Err(format!("trailing bytes at {}", p.i));
    }
    Ok(out)
}

struct JsonReader<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonReader<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn value(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        self.ws();
        match self.s.get(self.i) {
            Some(b'{') => self.container(out, b'}', true),
            Some(b'[') => self.container(out, b']', false),
            Some(b'"') => {
                let s = self.string()?;
                put_str(out, s.as_bytes());
                Ok(())
            }
            Some(_) => self.scalar(out),
            None => Err("unexpected end".into()),
        }
    }

    fn container(&mut self, out: &mut Vec<u8>, close: u8, map: bool) -> Result<(), String> {
        self.i += 1;
        let mut body = Vec::new();
        let mut n = 0u32;
        self.ws();
        if self.s.get(self.i) == Some(&close) {
            self.i += 1;
        } else {
            loop {
                if map {
                    self.ws();
                    let k = self.string()?;
                    put_str(&mut body, k.as_bytes());
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return Err(format!("expected ':' at {}", self.i));
                    }
                    self.i += 1;
                }
                self.value(&mut body)?;
                n += 1;
                self.ws();
                match self.s.get(self.i) {
                    Some(b',') => self.i += 1,
                    Some(c) if *c == close => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(format!("expected ',' or close at {}", self.i)),
                }
            }
        }
        if map { put_map_len(out, n) } else { put_array_len(out, n) }
        out.extend_from_slice(&body);
        Ok(())
    }

    fn string(&mut self) -> Result<String, String> {
        if self.s.get(self.i) != Some(&b'"') {
            return Err(format!("expected a string at {}", self.i));
        }
        let start = self.i;
        self.i += 1;
        loop {
            match self.s.get(self.i) {
                Some(b'"') => break,
                Some(b'\\') => self.i += 2,
                Some(_) => self.i += 1,
                None => return Err("unterminated string".into()),
            }
        }
        self.i += 1;
        let lit = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
        unescape_json_string(lit)
    }

    fn scalar(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        let start = self.i;
        while self.s.get(self.i).is_some_and(|c| !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
        let tok = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
        match tok {
            "true" => out.push(0xc3),
            "false" => out.push(0xc2),
            "null" => out.push(0xc0),
            _ if tok.contains(['.', 'e', 'E']) => {
                let x: f64 = tok.parse().map_err(|_| format!("bad number {tok}"))?;
                out.push(0xcb);
                out.extend_from_slice(&x.to_bits().to_be_bytes());
            }
            _ => match tok.parse::<i64>() {
                Ok(v) => put_int(out, v),
                // Beyond i64: msgpack-c keeps unsigned 64-bit integers; larger ones become float64.
                Err(_) => match tok.parse::<u64>() {
                    Ok(v) => {
                        out.push(0xcf);
                        out.extend_from_slice(&v.to_be_bytes());
                    }
                    Err(_) => {
                        let x: f64 = tok.parse().map_err(|_| format!("bad number {tok}"))?;
                        out.push(0xcb);
                        out.extend_from_slice(&x.to_bits().to_be_bytes());
                    }
                },
            },
        }
        Ok(())
    }
}

/// The text of a JSON string literal (with its quotes).
fn unescape_json_string(lit: &str) -> Result<String, String> {
    let inner = &lit[1..lit.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    let hex4 = |chars: &mut std::str::Chars| -> Result<u32, String> {
        let h: String = chars.by_ref().take(4).collect();
        u32::from_str_radix(&h, 16).map_err(|_| format!("bad \\u escape {h}"))
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hi = hex4(&mut chars)?;
                let mut cp = hi;
                if (0xD800..0xDC00).contains(&hi) {
                    let rest = chars.as_str();
                    if rest.starts_with("\\u") {
                        chars.next();
                        chars.next();
                        let lo = hex4(&mut chars)?;
                        cp = if (0xDC00..0xE000).contains(&lo) { 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00) } else { 0xFFFD };
                    } else {
                        cp = 0xFFFD;
                    }
                }
                out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
            }
            Some(c) => out.push(c),
            None => return Err("dangling backslash".into()),
        }
    }
    Ok(out)
}

fn put_str(out: &mut Vec<u8>, s: &[u8]) {
    let n = s.len();
    match n {
        0..=31 => out.push(0xa0 | n as u8),
        32..=0xff => out.extend_from_slice(&[0xd9, n as u8]),
        0x100..=0xffff => {
            out.push(0xda);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        _ => {
            out.push(0xdb);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
    }
    out.extend_from_slice(s);
}

fn put_map_len(out: &mut Vec<u8>, n: u32) {
    match n {
        0..=15 => out.push(0x80 | n as u8),
        16..=0xffff => {
            out.push(0xde);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        _ => {
            out.push(0xdf);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

fn put_array_len(out: &mut Vec<u8>, n: u32) {
    match n {
        0..=15 => out.push(0x90 | n as u8),
        16..=0xffff => {
            out.push(0xdc);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        _ => {
            out.push(0xdd);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// msgpack-c's `msgpack_pack_int64`: the smallest encoding of the value.
fn put_int(out: &mut Vec<u8>, v: i64) {
    match v {
        0..=127 => out.push(v as u8),
        -32..=-1 => out.push(v as i8 as u8),
        128..=0xff => out.extend_from_slice(&[0xcc, v as u8]),
        0x100..=0xffff => {
            out.push(0xcd);
            out.extend_from_slice(&(v as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(0xce);
            out.extend_from_slice(&(v as u32).to_be_bytes());
        }
        _ if v > 0 => {
            out.push(0xcf);
            out.extend_from_slice(&(v as u64).to_be_bytes());
        }
        -128..=-33 => out.extend_from_slice(&[0xd0, v as i8 as u8]),
        -32768..=-129 => {
            out.push(0xd1);
            out.extend_from_slice(&(v as i16).to_be_bytes());
        }
        -2_147_483_648..=-32769 => {
            out.push(0xd2);
            out.extend_from_slice(&(v as i32).to_be_bytes());
        }
        _ => {
            out.push(0xd3);
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
}

/// Decodes exactly one msgpack object filling all of `b` into compact JSON text (binary and
/// extension values as arrays of byte values, non-finite floats as null, strings that are not
/// UTF-8 with U+FFFD, keys that are not strings as their type byte). Nesting deeper than 10,000
/// is refused.
pub fn to_json(b: &[u8]) -> Result<Vec<u8>, String> {
    let mut r = Reader { b, i: 0 };
    let mut out = Vec::new();
    r.object(&mut out, 0)?;
    if r.i != b.len() {
        return Err(format!("{} bytes after the first object", b.len() - r.i));
    }
    Ok(out)
}

/// Whether `b` is exactly one msgpack map.
pub fn is_one_map(b: &[u8]) -> bool {
    matches!(b.first(), Some(0x80..=0x8f | 0xde | 0xdf)) && to_json(b).is_ok()
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.i.checked_add(n).filter(|&e| e <= self.b.len()).ok_or("truncated msgpack")?;
        let s = &self.b[self.i..end];
        self.i = end;
        Ok(s)
    }

    fn uint(&mut self, n: usize) -> Result<u64, String> {
        Ok(self.take(n)?.iter().fold(0u64, |a, &c| a << 8 | u64::from(c)))
    }

    fn object(&mut self, out: &mut Vec<u8>, depth: usize) -> Result<(), String> {
        if depth > 10_000 {
            return Err("nesting too deep".into());
        }
        let t = self.take(1)?[0];
        match t {
            0x00..=0x7f => out.extend_from_slice(t.to_string().as_bytes()),
            0xe0..=0xff => out.extend_from_slice((t as i8).to_string().as_bytes()),
            0x80..=0x8f => self.map(out, u64::from(t & 0x0f), depth)?,
            0x90..=0x9f => self.array(out, u64::from(t & 0x0f), depth)?,
            0xa0..=0xbf => self.str(out, u64::from(t & 0x1f))?,
            0xc0 => out.extend_from_slice(b"null"),
            0xc2 => out.extend_from_slice(b"false"),
            0xc3 => out.extend_from_slice(b"true"),
            0xc4..=0xc6 => {
                let n = self.uint(1 << (t - 0xc4))?;
                self.bytes(out, n)?;
            }
            0xc7..=0xc9 => {
                let n = self.uint(1 << (t - 0xc7))?;
                self.take(1)?;
                self.bytes(out, n)?;
            }
            0xca => {
                let x = f32::from_bits(self.uint(4)? as u32);
                float(out, f64::from(x));
            }
            0xcb => float(out, f64::from_bits(self.uint(8)?)),
            0xcc..=0xcf => {
                let v = self.uint(1 << (t - 0xcc))?;
                out.extend_from_slice(v.to_string().as_bytes());
            }
            0xd0..=0xd3 => {
                let n = 1 << (t - 0xd0);
                let v = self.uint(n)?;
                let shift = 64 - 8 * n as u32;
                out.extend_from_slice((((v << shift) as i64) >> shift).to_string().as_bytes());
            }
            0xd4..=0xd8 => {
                self.take(1)?;
                self.bytes(out, 1 << (t - 0xd4))?;
            }
            0xd9..=0xdb => {
                let n = self.uint(1 << (t - 0xd9))?;
                self.str(out, n)?;
            }
            0xdc | 0xdd => {
                let n = self.uint(if t == 0xdc { 2 } else { 4 })?;
                self.array(out, n, depth)?;
            }
            0xde | 0xdf => {
                let n = self.uint(if t == 0xde { 2 } else { 4 })?;
                self.map(out, n, depth)?;
            }
            0xc1 => return Err("reserved byte 0xc1".into()),
        }
        Ok(())
    }

    fn map(&mut self, out: &mut Vec<u8>, n: u64, depth: usize) -> Result<(), String> {
        out.push(b'{');
        for k in 0..n {
            if k > 0 {
                out.push(b',');
            }
            let t = *self.b.get(self.i).ok_or("truncated msgpack")?;
            if matches!(t, 0xa0..=0xbf | 0xd9..=0xdb) {
                self.object(out, depth + 1)?;
            } else {
                // A key of another type (Fluent Bit's records have none): read, and shown as
                // its type byte (not its text, which nested keys would escape again and again).
                self.object(&mut Vec::new(), depth + 1)?;
                crate::json::push_string(out, &format!("(key of type {t:#04x})"));
            }
            out.push(b':');
            self.object(out, depth + 1)?;
        }
        out.push(b'}');
        Ok(())
    }

    fn array(&mut self, out: &mut Vec<u8>, n: u64, depth: usize) -> Result<(), String> {
        out.push(b'[');
        for k in 0..n {
            if k > 0 {
                out.push(b',');
            }
            self.object(out, depth + 1)?;
        }
        out.push(b']');
        Ok(())
    }

    fn str(&mut self, out: &mut Vec<u8>, n: u64) -> Result<(), String> {
        let s = self.take(usize::try_from(n).map_err(|_| "string too long")?)?;
        // msgpack does not promise UTF-8; invalid bytes are shown as U+FFFD.
        crate::json::push_string(out, &String::from_utf8_lossy(s));
        Ok(())
    }

    fn bytes(&mut self, out: &mut Vec<u8>, n: u64) -> Result<(), String> {
        let s = self.take(usize::try_from(n).map_err(|_| "binary too long")?)?;
        let text: Vec<String> = s.iter().map(u8::to_string).collect();
        out.push(b'[');
        out.extend_from_slice(text.join(",").as_bytes());
        out.push(b']');
        Ok(())
    }
}

fn float(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() { out.extend_from_slice(format!("{x:?}").as_bytes()) } else { out.extend_from_slice(b"null") }
}

/// How one record fares in msgpack mode.
#[derive(Debug, Clone, PartialEq)]
pub enum MsgpackOutcome {
    /// The host keeps the returned bytes as the body, and they are one msgpack map (shown as
    /// JSON).
    Survives { body: Vec<u8>, json: Vec<u8> },
    /// The call failed (trap, invalid pointer...): Fluent Bit skips the record.
    Dropped(Dropped),
    /// The host appended these bytes (the returned buffer up to its first 0x00) as the body,
    /// but they are not one msgpack map: the record is garbage, and so is what follows it in
    /// the chunk.
    Corrupted { body: Vec<u8>, why: String },
}

/// Runs records through a module the way Fluent Bit's msgpack mode does.
pub struct MsgpackMode<'h>(pub &'h mut FluentBitHost);

impl MsgpackMode<'_> {
    /// One record given as JSON text, encoded as Fluent Bit encodes it.
    pub fn process_json(&mut self, tag: &[u8], time: Timestamp, json: &[u8]) -> Result<MsgpackOutcome, String> {
        Ok(self.process(tag, time, &from_json(json)?))
    }

    /// One record given as compact JSON text: the surviving body as JSON text, or why the
    /// record is lost (for `vpnlog run --event-format msgpack`).
    pub fn process_json_line(&mut self, tag: &[u8], time: Timestamp, json: &[u8]) -> Result<Vec<u8>, String> {
        match self.process_json(tag, time, json)? {
            MsgpackOutcome::Survives { json, .. } => Ok(json),
            MsgpackOutcome::Dropped(d) => Err(d.to_string()),
            MsgpackOutcome::Corrupted { body, why } => {
                Err(format!("msgpack body cut at a 0x00 byte or not msgpack ({why}); the host would append these {} bytes raw: {body:02x?}", body.len()))
            }
        }
    }

    /// One record given as its msgpack body.
    pub fn process(&mut self, tag: &[u8], time: Timestamp, body: &[u8]) -> MsgpackOutcome {
        match self.0.process_msgpack(tag, time, body).result {
            Err(d) => MsgpackOutcome::Dropped(d),
            Ok(returned) => match to_json(&returned) {
                Ok(json) if matches!(returned.first(), Some(0x80..=0x8f | 0xde | 0xdf)) => MsgpackOutcome::Survives { body: returned, json },
                Ok(_) => MsgpackOutcome::Corrupted { body: returned, why: "the body is not a map".into() },
                Err(why) => MsgpackOutcome::Corrupted { body: returned, why },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_with_the_smallest_forms() {
        // Worked out by hand from the msgpack specification.
        assert_eq!(from_json(br#"{"a":1}"#).unwrap(), b"\x81\xa1a\x01");
        assert_eq!(from_json(br#"{"n":0}"#).unwrap(), b"\x81\xa1n\x00");
        assert_eq!(from_json(b"[200,-1,-33,300,70000,-40000]").unwrap(), b"\x96\xcc\xc8\xff\xd0\xdf\xcd\x01\x2c\xce\x00\x01\x11\x70\xd2\xff\xff\x63\xc0");
        assert_eq!(from_json(b"[true,false,null,1.5]").unwrap(), b"\x94\xc3\xc2\xc0\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00");
        assert_eq!(from_json(br#""a\n\u00e9""#).unwrap(), b"\xa4a\n\xc3\xa9");
        let long = format!("\"{}\"", "x".repeat(40));
        assert_eq!(&from_json(long.as_bytes()).unwrap()[..2], b"\xd9\x28");
        let keys: Vec<String> = (0..16).map(|i| format!("\"k{i:02}\":{i}")).collect();
        assert_eq!(&from_json(format!("{{{}}}", keys.join(",")).as_bytes()).unwrap()[..3], b"\xde\x00\x10");
    }

    #[test]
    fn decodes_exactly_one_object() {
        assert_eq!(to_json(b"\x82\xa1a\x01\xa1b\x93\xc3\xc0\xff").unwrap(), br#"{"a":1,"b":[true,null,-1]}"#);
        assert_eq!(to_json(b"\xd1\xff\x00").unwrap(), b"-256");
        assert!(to_json(b"\x81\xa1a").is_err());
        assert!(to_json(b"\x81\xa1a\x01\x01").is_err());
        assert!(to_json(b"{").unwrap() == b"123");
        assert!(is_one_map(b"\x80"));
        assert_eq!(to_json(b"\x81\x01\xa2\xffx").unwrap(), "{\"(key of type 0x01)\":\"\u{FFFD}x\"}".as_bytes());
        assert!(!is_one_map(b"{\"a\":1}"));
    }

    #[test]
    fn round_trips_records() {
        for rec in [r#"{"log":"x","n":[1,2.5,{"k":null}],"e":"\u00e9\ud83d\ude80"}"#, r#"{}"#] {
            let mp = from_json(rec.as_bytes()).unwrap();
            assert_eq!(String::from_utf8(to_json(&mp).unwrap()).unwrap(), rec.replace("\\u00e9", "é").replace("\\ud83d\\ude80", "🚀"));
        }
    }
}
