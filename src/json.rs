//! One-pass JSON scanner. It validates a record (RFC 8259 grammar and UTF-8), finds the root
//! object's closing brace, and records where the keys vpnlog reads are (see `locate`), without
//! building a tree. Depth lives in a bit stack on the heap, never on the call stack, so nesting
//! of any depth cannot overflow the interpreter's stack. String bodies are skipped eight bytes at
//! a time.

use crate::locate::{Found, Key, OTHER, Parent, classify_key, key_parent, maybe_known_key};

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

/// The high bit of every byte of `w` that is a quote, a backslash, a control character or
/// non-ASCII. Bits above the lowest may be spurious; the lowest is exact.
#[inline(always)]
fn special(w: u64) -> u64 {
    let quote = has_zero(w ^ (ONES * b'"' as u64));
    let bslash = has_zero(w ^ (ONES * b'\\' as u64));
    let ctl = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    quote | bslash | ctl | (w & HIGHS)
}

/// A byte a string body may hold without a closer look.
#[inline(always)]
fn plain(c: u8) -> bool {
    (0x20..0x80).contains(&c) && c != b'"' && c != b'\\'
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
    let cont = |k: usize| b.get(i + k).is_some_and(|c| c & 0xC0 == 0x80);
    let (n, lo, hi) = match c0 {
        0xC2..=0xDF => (2, 0x80, 0xBF),
        0xE0 => (3, 0xA0, 0xBF),
        0xED => (3, 0x80, 0x9F),
        0xE1..=0xEF => (3, 0x80, 0xBF),
        0xF0 => (4, 0x90, 0xBF),
        0xF4 => (4, 0x80, 0x8F),
        0xF1..=0xF3 => (4, 0x80, 0xBF),
        _ => return None,
    };
    let c1 = *b.get(i + 1)?;
    let ok = c1 >= lo && c1 <= hi && (n < 3 || cont(2)) && (n < 4 || cont(3));
    ok.then_some(i + n)
}

/// Validates a run of non-ASCII characters starting at `i`; returns the index after it.
#[inline(never)]
fn utf8_run(b: &[u8], mut i: usize) -> Option<usize> {
    while b.get(i).is_some_and(|&c| c >= 0x80) {
        i = utf8_seq(b, i)?;
    }
    Some(i)
}

/// Skips plain ASCII string bytes, eight at a time; returns the index of the first byte that
/// needs a closer look (a quote, a backslash, a control or non-ASCII byte, or the end).
#[inline(never)]
fn plain_run(b: &[u8], mut i: usize) -> usize {
    while let Some(w) = load8(b, i) {
        let m = special(w);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while b.get(i).is_some_and(|&c| plain(c)) {
        i += 1;
    }
    i
}

/// Scans a string body starting after the opening quote. Returns the index of the closing quote
/// and whether the body holds escapes. Plain ASCII is skipped eight bytes at a time; escapes,
/// control characters and UTF-8 sequences are checked out of line.
#[inline(never)]
pub fn string_end(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        i = plain_run(b, i);
        let c = *b.get(i)?;
        if c == b'"' {
            return Some((i, escaped));
        }
        if c == b'\\' {
            escaped = true;
        }
        i = string_byte(b, i, c)?;
    }
}

/// One byte of a string body other than the closing quote: an escape, a byte that is not
/// allowed, a run of UTF-8 sequences or plain ASCII. Returns the index after it.
#[inline(never)]
fn string_byte(b: &[u8], i: usize, c: u8) -> Option<usize> {
    if c >= 0x80 {
        return utf8_run(b, i);
    }
    if c < 0x20 {
        return None;
    }
    if c != b'\\' {
        return Some(i + 1);
    }
    match *b.get(i + 1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(i + 2),
        b'u' => b.get(i + 2..i + 6)?.iter().all(|c| is_hex(*c)).then_some(i + 6),
        _ => None,
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

/// Skips whitespace; the common case (none, in compact JSON) costs one comparison.
#[inline(always)]
fn ws(b: &[u8], i: usize) -> usize {
    if b.get(i).is_some_and(|&c| c <= b' ') { skip_ws(b, i) } else { i }
}

#[inline(never)]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Scanner state. An interpreter charges for every instruction of a function or loop body each
/// time it is entered, so the main loop only alternates between two small steps (`item`,
/// `after`) and everything rarer is called out of line.
struct Scanner<'a, 'f> {
    b: &'a [u8],
    /// Container kinds, one bit per level (1 = object).
    words: &'f mut Vec<u64>,
    depth: usize,
    found: &'f mut Found,
    src: u8,
    /// Classified key of the current member at depth 1 and 2, and the container of depth 2.
    key1: Key,
    key2: Key,
    parent: Parent,
    empty: bool,
    /// A member or element is expected next (after an opening bracket or a comma).
    item: bool,
    /// Right after an opening bracket, where a closing one may follow.
    opened: bool,
}

impl Scanner<'_, '_> {
    #[inline(always)]
    fn in_object(&self) -> bool {
        let d = self.depth.wrapping_sub(1);
        self.words.get(d / 64).is_some_and(|x| x >> (d % 64) & 1 == 1)
    }

    #[inline(never)]
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

    /// One member or element starting at `i`. Returns the index after it (after the opening
    /// bracket when the value is a container). The common case, a member of an object with a
    /// plain key and a plain string value, stays in this small function; the rest is called.
    #[inline(never)]
    fn item(&mut self, i: usize) -> Option<usize> {
        let b = self.b;
        let i = ws(b, i);
        if b.get(i) != Some(&b'"') || !self.in_object() {
            return self.item_other(i);
        }
        let mut e = plain_run(b, i + 1);
        if b.get(e) != Some(&b'"') {
            e = string_end(b, e)?.0;
        }
        let key = self.key_of(i + 1, e);
        let v = if b.get(e + 1) == Some(&b':') { e + 2 } else { colon(b, e + 1)? };
        if b.get(v) != Some(&b'"') {
            return self.value_other(v, key);
        }
        self.string_value(v, key)
    }

    /// A string value whose opening quote is at `v`.
    #[inline(always)]
    fn string_value(&mut self, v: usize, key: Key) -> Option<usize> {
        let b = self.b;
        let mut e = plain_run(b, v + 1);
        let mut escaped = false;
        if b.get(e) != Some(&b'"') {
            (e, escaped) = string_end(b, e)?;
        }
        if key != OTHER {
            self.found.record(key, Span { start: (v + 1) as u32, end: e as u32, escaped, string: true }, self.src);
        }
        self.item = false;
        self.opened = false;
        Some(e + 1)
    }

    /// Everything `item` does not handle itself: a closing bracket right after an opening one,
    /// an array element, or a malformed member.
    #[inline(never)]
    fn item_other(&mut self, i: usize) -> Option<usize> {
        let c = *self.b.get(i)?;
        if self.opened && (c == b'}' || c == b']') {
            self.item = false;
            self.opened = false;
            return self.close(i, c);
        }
        if self.in_object() {
            return None;
        }
        self.value_other(i, OTHER)
    }

    /// A value at `v` that is not a plain string right there: after whitespace, or a container,
    /// number or literal.
    #[inline(never)]
    fn value_other(&mut self, v: usize, key: Key) -> Option<usize> {
        let v = ws(self.b, v);
        let c = *self.b.get(v)?;
        if c == b'"' {
            return self.string_value(v, key);
        }
        self.other_value(v, c, key)
    }

    /// The classified key of a member whose key spans `s..e`; also remembers it for the
    /// members of an object value.
    #[inline(never)]
    fn key_of(&mut self, s: usize, e: usize) -> Key {
        if self.depth == 1 {
            self.empty = false;
        }
        if self.depth <= 2 && maybe_known_key(self.b, s, e) {
            self.note_key(s, e);
        } else if self.depth == 1 {
            self.key1 = OTHER;
        } else {
            self.key2 = OTHER;
        }
        match self.depth {
            1 => self.key1,
            2 => self.key2,
            _ => OTHER,
        }
    }

    /// Classifies a key at depth 1 or 2 (the bytes between `s` and `e`).
    #[inline(never)]
    fn note_key(&mut self, s: usize, e: usize) {
        let k = self.b.get(s..e).unwrap_or(&[]);
        if self.depth == 1 {
            self.key1 = classify_key(Parent::Root, k);
            self.found.note_key(self.key1);
        } else if self.parent != Parent::Other {
            self.key2 = classify_key(self.parent, k);
            self.found.note_key(self.key2);
        } else {
            self.key2 = OTHER;
        }
    }

    /// A value that is not a string, at `i`. Returns the index after it (after the opening
    /// bracket for containers).
    #[inline(never)]
    fn other_value(&mut self, i: usize, c: u8, key: Key) -> Option<usize> {
        if c == b'{' || c == b'[' {
            return self.open(i, c, key);
        }
        let end = scalar_end(self.b, i, c)?;
        if key != OTHER {
            self.found.record(key, Span { start: i as u32, end: end as u32, escaped: false, string: false }, self.src);
        }
        self.item = false;
        self.opened = false;
        Some(end)
    }

    /// An opening bracket `c` at `i`.
    #[inline(never)]
    fn open(&mut self, i: usize, c: u8, key: Key) -> Option<usize> {
        if self.depth == 1 {
            self.parent = if c == b'{' { key_parent(key) } else { Parent::Other };
        }
        self.push(c == b'{');
        self.item = true;
        self.opened = true;
        Some(i + 1)
    }

    /// A closing bracket `c` at `i`. Returns the index after it.
    #[inline(never)]
    fn close(&mut self, i: usize, c: u8) -> Option<usize> {
        let want = if self.in_object() { b'}' } else { b']' };
        if c != want || self.depth == 0 {
            return None;
        }
        self.depth -= 1;
        if self.depth == 1 {
            self.parent = Parent::Other;
        }
        Some(i + 1)
    }
}

/// The colon after a key, with whitespace around it; returns the index after the whitespace
/// that follows it.
#[inline(never)]
fn colon(b: &[u8], i: usize) -> Option<usize> {
    let i = ws(b, i);
    (b.get(i) == Some(&b':')).then(|| ws(b, i + 1))
}

/// The end of a number or literal starting with `c` at `i`.
#[inline(never)]
fn scalar_end(b: &[u8], i: usize, c: u8) -> Option<usize> {
    match c {
        b't' => literal(b, i, b"true"),
        b'f' => literal(b, i, b"false"),
        b'n' => literal(b, i, b"null"),
        _ => number_end(b, i),
    }
}

fn literal(b: &[u8], i: usize, lit: &[u8]) -> Option<usize> {
    (b.get(i..i + lit.len())? == lit).then_some(i + lit.len())
}

/// Scans `b`, which must be exactly one JSON object (surrounding whitespace allowed). Records the
/// spans of known keys into `found`. Returns None when `b` is not a valid JSON object.
#[inline(never)]
pub fn scan(b: &[u8], stack: &mut Vec<u64>, found: &mut Found, src: u8) -> Option<Root> {
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let mut s = Scanner {
        b,
        words: stack,
        depth: 0,
        found,
        src,
        key1: OTHER,
        key2: OTHER,
        parent: Parent::Other,
        empty: true,
        item: true,
        opened: true,
    };
    s.push(true);
    i += 1;
    loop {
        if s.item {
            i = s.item(i)?;
            if s.item {
                continue;
            }
        }
        // After a value: a comma, or a closing bracket (then again after a value).
        i = ws(b, i);
        let c = *b.get(i)?;
        if c == b',' {
            i += 1;
            s.item = true;
        } else {
            i = s.close(i, c)?;
            if s.depth == 0 {
                return finish(b, i, s.empty);
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
#[inline(never)]
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

/// The high bit of every byte of `w` that is a quote, a backslash or a control character (the
/// lowest is exact).
#[inline(always)]
fn needs_escape(w: u64) -> u64 {
    let quote = has_zero(w ^ (ONES * b'"' as u64));
    let bslash = has_zero(w ^ (ONES * b'\\' as u64));
    let ctl = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    quote | bslash | ctl
}

/// Index of the first byte of `s` at or after `i` that JSON requires to escape (or the end).
#[inline(always)]
fn clean_run(s: &[u8], mut i: usize) -> usize {
    while let Some(w) = load8(s, i) {
        let m = needs_escape(w);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while s.get(i).is_some_and(|&c| c >= 0x20 && c != b'"' && c != b'\\') {
        i += 1;
    }
    i
}

/// Appends valid UTF-8 `s` as the body of a JSON string (no quotes), escaping what JSON
/// requires. Runs without special bytes are copied whole.
#[inline(never)]
pub fn escape_into(s: &[u8], out: &mut Vec<u8>) {
    let mut i = clean_run(s, 0);
    if i == s.len() {
        out.extend_from_slice(s);
        return;
    }
    let mut run = 0;
    while let Some(&c) = s.get(i) {
        out.extend_from_slice(s.get(run..i).unwrap_or(&[]));
        escape_byte(c, out);
        run = i + 1;
        i = clean_run(s, run);
    }
    out.extend_from_slice(s.get(run..).unwrap_or(&[]));
}

#[inline(never)]
fn escape_byte(c: u8, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match c {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        _ => {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(c >> 4) as usize & 15]);
            out.push(HEX[(c & 15) as usize]);
        }
    }
}

/// Appends arbitrary bytes as the body of a JSON string: invalid UTF-8 becomes U+FFFD.
#[inline(never)]
pub fn escape_lossy(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    let mut run = 0;
    while i < s.len() {
        if s[i] < 0x80 {
            i += 1;
            continue;
        }
        match utf8_seq(s, i) {
            Some(n) => i = n,
            None => {
                escape_into(s.get(run..i).unwrap_or(&[]), out);
                out.extend_from_slice("\u{FFFD}".as_bytes());
                i += 1;
                run = i;
            }
        }
    }
    escape_into(s.get(run..).unwrap_or(&[]), out);
}
