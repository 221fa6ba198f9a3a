//! One-pass JSON scanner. It validates a record (RFC 8259 grammar and UTF-8), finds the root
//! object's closing brace, and records where the keys vpnlog reads are (see `locate`), without
//! building a tree. Depth lives in a bit stack on the heap, never on the call stack, so nesting
//! of any depth cannot overflow the interpreter's stack. String bodies are skipped eight bytes at
//! a time.

use crate::locate::{Found, Key, Parent, classify_key};

/// Where a value sits in a buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    /// A string value that contains at least one backslash escape.
    pub escaped: bool,
    /// A string value (otherwise a number or literal token).
    pub string: bool,
}

/// What the scan learnt about the root object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Root {
    /// Index of the root object's closing brace.
    pub close: usize,
    /// `{}` (no members).
    pub empty: bool,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

#[inline(always)]
fn has_zero(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & HIGHS
}

/// Eight bytes hold a quote, a backslash, a control character or a non-ASCII byte.
#[inline(always)]
fn special(w: u64) -> bool {
    let quote = has_zero(w ^ (ONES * b'"' as u64));
    let bslash = has_zero(w ^ (ONES * b'\\' as u64));
    let ctl = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    (quote | bslash | ctl | (w & HIGHS)) != 0
}

#[inline(always)]
fn load8(b: &[u8], i: usize) -> Option<u64> {
    let s = b.get(i..i + 8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_le_bytes(a))
}

fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

/// Validates one UTF-8 sequence starting at `i` (a byte >= 0x80); returns the index after it.
fn utf8_seq(b: &[u8], i: usize) -> Option<usize> {
    let c0 = *b.get(i)?;
    let cont = |k: usize| b.get(i + k).is_some_and(|c| (0x80..=0xBF).contains(c));
    match c0 {
        0xC2..=0xDF => cont(1).then_some(i + 2),
        0xE0..=0xEF => {
            let c1 = *b.get(i + 1)?;
            let ok1 = match c0 {
                0xE0 => (0xA0..=0xBF).contains(&c1),
                0xED => (0x80..=0x9F).contains(&c1),
                _ => (0x80..=0xBF).contains(&c1),
            };
            (ok1 && cont(2)).then_some(i + 3)
        }
        0xF0..=0xF4 => {
            let c1 = *b.get(i + 1)?;
            let ok1 = match c0 {
                0xF0 => (0x90..=0xBF).contains(&c1),
                0xF4 => (0x80..=0x8F).contains(&c1),
                _ => (0x80..=0xBF).contains(&c1),
            };
            (ok1 && cont(2) && cont(3)).then_some(i + 4)
        }
        _ => None,
    }
}

/// Scans a string body starting after the opening quote. Returns the index of the closing quote
/// and whether the body holds escapes.
pub fn string_end(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        while let Some(w) = load8(b, i) {
            if special(w) {
                break;
            }
            i += 8;
        }
        let c = *b.get(i)?;
        match c {
            b'"' => return Some((i, escaped)),
            b'\\' => {
                escaped = true;
                match *b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        let h = b.get(i + 2..i + 6)?;
                        if !h.iter().all(|c| is_hex(*c)) {
                            return None;
                        }
                        i += 6;
                    }
                    _ => return None,
                }
            }
            0..=0x1F => return None,
            0x80..=0xFF => i = utf8_seq(b, i)?,
            _ => i += 1,
        }
    }
}

fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        let s = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > s).then_some(i)
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match *b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(b, i)?,
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Some(i)
}

#[inline(always)]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// A growable stack of container kinds (1 = object, 0 = array), one bit per level.
struct BitStack<'a> {
    words: &'a mut Vec<u64>,
    depth: usize,
}

impl BitStack<'_> {
    fn push(&mut self, object: bool) {
        let (w, bit) = (self.depth / 64, self.depth % 64);
        if w >= self.words.len() {
            self.words.push(0);
        }
        if let Some(x) = self.words.get_mut(w) {
            if object {
                *x |= 1 << bit;
            } else {
                *x &= !(1 << bit);
            }
        }
        self.depth += 1;
    }
    fn top_is_object(&self) -> bool {
        let d = self.depth.wrapping_sub(1);
        self.words.get(d / 64).is_some_and(|x| x >> (d % 64) & 1 == 1)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    ObjStart,
    Key,
    Colon,
    ArrStart,
    Value,
    After,
}

/// Scans `b`, which must be exactly one JSON object (surrounding whitespace allowed). Records the
/// spans of known keys into `found`. Returns None when `b` is not a valid JSON object.
pub fn scan(b: &[u8], stack: &mut Vec<u64>, found: &mut Found, src: u8) -> Option<Root> {
    let mut st = BitStack { words: stack, depth: 0 };
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    st.push(true);
    i += 1;
    let mut state = State::ObjStart;
    let mut empty = true;
    // The key of the current member at depth 1 and 2, and the container the depth-2 key is in.
    let mut key1 = Key::Other;
    let mut key2 = Key::Other;
    let mut parent = Parent::Other;
    loop {
        i = skip_ws(b, i);
        let c = *b.get(i)?;
        match state {
            State::ObjStart => {
                if c == b'}' {
                    st.depth -= 1;
                    i += 1;
                    if st.depth == 0 {
                        return finish(b, i, empty);
                    }
                    state = State::After;
                } else {
                    state = State::Key;
                }
            }
            State::ArrStart => {
                if c == b']' {
                    st.depth -= 1;
                    i += 1;
                    state = State::After;
                } else {
                    state = State::Value;
                }
            }
            State::Key => {
                if c != b'"' {
                    return None;
                }
                let (end, _) = string_end(b, i + 1)?;
                let k = b.get(i + 1..end)?;
                if st.depth == 1 {
                    empty = false;
                    key1 = classify_key(Parent::Root, k);
                    found.note_key1(k);
                } else if st.depth == 2 && parent != Parent::Other {
                    key2 = classify_key(parent, k);
                    if parent == Parent::Vpn && k == b"rule" {
                        found.vpn_is_ours = true;
                    }
                }
                i = end + 1;
                state = State::Colon;
            }
            State::Colon => {
                if c != b':' {
                    return None;
                }
                i += 1;
                state = State::Value;
            }
            State::Value => {
                let in_obj = st.top_is_object();
                let key = match st.depth {
                    1 => key1,
                    2 if in_obj && parent != Parent::Other => key2,
                    _ => Key::Other,
                };
                match c {
                    b'"' => {
                        let (end, escaped) = string_end(b, i + 1)?;
                        if key != Key::Other {
                            let span = Span { start: (i + 1) as u32, end: end as u32, escaped, string: true };
                            found.record(key, span, src);
                        }
                        i = end + 1;
                        state = State::After;
                    }
                    b'{' => {
                        if st.depth == 1 {
                            parent = key.as_parent();
                        }
                        st.push(true);
                        i += 1;
                        state = State::ObjStart;
                    }
                    b'[' => {
                        if st.depth == 1 {
                            parent = Parent::Other;
                        }
                        st.push(false);
                        i += 1;
                        state = State::ArrStart;
                    }
                    b't' | b'f' | b'n' => {
                        let lit: &[u8] = match c {
                            b't' => b"true",
                            b'f' => b"false",
                            _ => b"null",
                        };
                        if b.get(i..i + lit.len())? != lit {
                            return None;
                        }
                        if key != Key::Other {
                            let span = Span { start: i as u32, end: (i + lit.len()) as u32, escaped: false, string: false };
                            found.record(key, span, src);
                        }
                        i += lit.len();
                        state = State::After;
                    }
                    b'-' | b'0'..=b'9' => {
                        let end = number_end(b, i)?;
                        if key != Key::Other {
                            let span = Span { start: i as u32, end: end as u32, escaped: false, string: false };
                            found.record(key, span, src);
                        }
                        i = end;
                        state = State::After;
                    }
                    _ => return None,
                }
            }
            State::After => {
                let obj = st.top_is_object();
                match c {
                    b',' => {
                        i += 1;
                        state = if obj { State::Key } else { State::Value };
                    }
                    b'}' if obj => {
                        st.depth -= 1;
                        i += 1;
                        if st.depth == 0 {
                            return finish(b, i, empty);
                        }
                    }
                    b']' if !obj => {
                        st.depth -= 1;
                        i += 1;
                    }
                    _ => return None,
                }
                if st.depth == 1 {
                    parent = Parent::Other;
                }
            }
        }
    }
}

/// After the root's closing brace (at `i - 1`) only whitespace may follow.
fn finish(b: &[u8], i: usize, empty: bool) -> Option<Root> {
    (skip_ws(b, i) == b.len()).then_some(Root { close: i - 1, empty })
}

/// Decodes a JSON string body (valid, as `scan` checked) into UTF-8, appending to `out`.
/// A lone surrogate becomes U+FFFD.
pub fn unescape(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < s.len() {
        let Some(rel) = s.get(i..).and_then(|r| r.iter().position(|&c| c == b'\\')) else {
            out.extend_from_slice(s.get(i..).unwrap_or(&[]));
            return;
        };
        out.extend_from_slice(s.get(i..i + rel).unwrap_or(&[]));
        i += rel;
        let e = s.get(i + 1).copied().unwrap_or(b'\\');
        i += 2;
        let c = match e {
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let hi = hex4(s, i);
                i += 4;
                let cp = if (0xD800..0xDC00).contains(&hi) && s.get(i) == Some(&b'\\') && s.get(i + 1) == Some(&b'u') {
                    let lo = hex4(s, i + 2);
                    if (0xDC00..0xE000).contains(&lo) {
                        i += 6;
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        0xFFFD
                    }
                } else if (0xD800..0xE000).contains(&hi) {
                    0xFFFD
                } else {
                    hi
                };
                let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                continue;
            }
            other => other,
        };
        out.push(c);
    }
}

fn hex4(s: &[u8], i: usize) -> u32 {
    let mut v = 0u32;
    for k in 0..4 {
        let c = s.get(i + k).copied().unwrap_or(b'0');
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 0,
        };
        v = v << 4 | d as u32;
    }
    v
}

/// Appends `s` as the body of a JSON string (no quotes), escaping what JSON requires.
/// Invalid UTF-8 becomes U+FFFD so that the result is always valid.
pub fn escape_into(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    let mut run = 0;
    while i < s.len() {
        let c = s[i];
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1F => b"",
            0x80..=0xFF => {
                if let Some(n) = utf8_seq(s, i) {
                    i = n;
                    continue;
                }
                b"\xEF\xBF\xBD"
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(s.get(run..i).unwrap_or(&[]));
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(c >> 4) as usize]);
            out.push(HEX[(c & 15) as usize]);
        } else {
            out.extend_from_slice(esc);
        }
        i += 1;
        run = i;
    }
    out.extend_from_slice(s.get(run..).unwrap_or(&[]));
}
