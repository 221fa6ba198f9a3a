//! One-pass JSON scanner. It validates a record (RFC 8259 grammar and UTF-8), finds the root
//! object's closing brace, and records where the keys vpnlog reads are (see `locate`), without
//! building a tree. Compact JSON nested at most six deep (what Fluent Bit renders) takes a fast
//! path of small recursive functions; anything else the general loop, whose depth lives in a bit
//! stack on the heap, never on the call stack, so nesting of any depth cannot overflow the
//! interpreter's stack. String bodies are skipped eight bytes at a time.
//!
//! Every buffer this module scans is a `Padded` one: a NUL byte and seven more readable bytes
//! follow it in memory. The string loops read eight bytes at a time without testing for the end
//! of the buffer: the NUL, which no string body may hold, stops them. The private functions below
//! take the padded buffer's bytes as a slice; the public ones take the `Padded` itself.

use crate::locate::{Found, Key, OTHER, Parent, classify_key_at, key_parent, key_shape_known, maybe_known_key, short_key};

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
/// non-ASCII. Bits above the lowest may be spurious; the lowest is exact: below it every byte is
/// printable ASCII, so no subtraction there borrows or sets a high bit. Quotes and control
/// characters share one subtraction: XOR with 0x02 maps the quote (0x22) to 0x20 and the control
/// characters onto themselves, and every other printable byte to 0x21 or above.
#[inline(always)]
fn special(w: u64) -> u64 {
    let quote_ctl = (w ^ (ONES * 0x02)).wrapping_sub(ONES * 0x21);
    let bslash = (w ^ (ONES * b'\\' as u64)).wrapping_sub(ONES);
    (quote_ctl | bslash | w) & HIGHS
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
/// needs a closer look (a quote, a backslash, a control or non-ASCII byte, or the end). `b` is a
/// `Padded`'s bytes: the NUL after them ends the run at the end at the latest, and the eight-byte
/// read there stays within the pad. The loop holds only the eight-byte step.
#[inline(always)]
fn plain_run(b: &[u8], i: usize) -> usize {
    let base = b.as_ptr();
    // The scan works on pointers, which the loop steps without an index beside them.
    (plain_from(base.wrapping_add(i), base.wrapping_add(b.len())) as usize).wrapping_sub(base as usize)
}

/// `plain_run` from `p` in a padded buffer that ends at `end`: the address of the first byte
/// that needs a closer look, or `end` when `p` is past it.
#[inline(never)]
fn plain_from(mut p: *const u8, end: *const u8) -> *const u8 {
    if p >= end {
        return end;
    }
    loop {
        // SAFETY: p < end + 1 on entry; the loop stops at the NUL at `end` at the latest, and
        // every eight-byte read starts at or before it, so it ends within the seven readable
        // bytes after it (`Padded`).
        let m = special(u64::from_le(unsafe { (p as *const u64).read_unaligned() }));
        p = p.wrapping_add(8);
        if m != 0 {
            return p.wrapping_sub(8).wrapping_add((m.trailing_zeros() / 8) as usize);
        }
    }
}

/// A byte slice followed in memory by a NUL byte and seven more readable bytes, which are not
/// part of it: what the scanner's eight-byte loops need (see the module's documentation).
/// Records from Fluent Bit arrive so (src/abi.rs checks the NUL); other buffers get the pad
/// written after their end (`Padded::of`).
#[derive(Clone, Copy, Debug)]
pub struct Padded<'a>(&'a [u8]);

/// Bytes after a `Padded`'s end that its readers may read: the NUL and seven more.
pub const PAD: usize = 8;

impl<'a> Padded<'a> {
    /// `b` as a padded buffer.
    ///
    /// # Safety
    /// The byte at `b.as_ptr() + b.len()` is 0 and the seven bytes after it are readable memory
    /// that nothing changes while the `Padded` is in use.
    #[inline(always)]
    pub unsafe fn new_unchecked(b: &'a [u8]) -> Self {
        Padded(b)
    }

    /// The bytes of `v`, with the pad written into its spare capacity (not part of it).
    #[inline(never)]
    pub fn of(v: &'a mut Vec<u8>) -> Self {
        v.reserve(PAD);
        // SAFETY: PAD bytes of spare capacity were reserved above.
        unsafe { core::ptr::write_bytes(v.as_mut_ptr().add(v.len()), 0, PAD) };
        Padded(v)
    }

    /// A copy of `bytes` in `buf` (its previous content dropped), padded.
    pub fn copy_into(buf: &'a mut Vec<u8>, bytes: &[u8]) -> Self {
        buf.clear();
        buf.extend_from_slice(bytes);
        Self::of(buf)
    }

    /// The bytes (without the pad).
    #[inline(always)]
    pub fn bytes(self) -> &'a [u8] {
        self.0
    }

    /// `plain_run` (above) from `i`.
    #[inline(always)]
    pub fn plain_run(self, i: usize) -> usize {
        plain_run(self.0, i)
    }

    /// `string_end` (below) from `i`.
    #[inline(always)]
    pub fn string_end(self, i: usize) -> Option<(usize, bool)> {
        string_end(self.0, i)
    }

    /// `decode_string` (below) from `i`.
    #[inline(always)]
    pub fn decode_string(self, i: usize, out: &mut Vec<u8>) -> Option<usize> {
        decode_string(self.0, i, out)
    }

    /// `scan` (below).
    #[inline(always)]
    pub fn scan(self, stack: &mut Vec<u64>, found: &mut Found, src: u8) -> Option<Root> {
        scan(self.0, stack, found, src)
    }

    /// `scan_rest` (below) from `i`.
    #[inline(always)]
    pub fn scan_rest(self, i: usize, found: &mut Found) -> Option<Root> {
        scan_rest(self.0, i, found)
    }
}

impl core::ops::Deref for Padded<'_> {
    type Target = [u8];
    #[inline(always)]
    fn deref(&self) -> &[u8] {
        self.0
    }
}

/// Scans a string body starting after the opening quote. Returns the index of the closing quote
/// and whether the body holds escapes. Plain ASCII is skipped eight bytes at a time; escapes,
/// control characters and UTF-8 sequences are checked out of line.
#[inline(always)]
fn string_end(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let r = string_end_packed(b, i);
    (r != NO_STRING).then_some(((r & !ESCAPED) as usize, r & ESCAPED != 0))
}

/// `string_end`'s answer packed in one integer, which wasm32 returns in a register (an Option of
/// a pair goes through memory): the index, ESCAPED when the body holds escapes, or NO_STRING.
const ESCAPED: u64 = 1 << 63;
const NO_STRING: u64 = u64::MAX;

/// `string_end`, packed.
#[inline(never)]
fn string_end_packed(b: &[u8], mut i: usize) -> u64 {
    let mut escaped = 0;
    loop {
        i = plain_run(b, i);
        let Some(&c) = b.get(i) else { return NO_STRING };
        if c == b'"' {
            return i as u64 | escaped;
        }
        // The common escapes (`\"`, `\\`, `\/`, `\n`...) inline; `\u`, control and non-ASCII
        // bytes out of line.
        if c == b'\\' && b.get(i + 1).is_some_and(|&e| SIMPLE_UNESCAPE[e as usize] != 0) {
            escaped = ESCAPED;
            i += 2;
            continue;
        }
        if c == b'\\' {
            escaped = ESCAPED;
        }
        let Some(next) = string_byte(b, i, c) else { return NO_STRING };
        i = next;
    }
}

/// One byte of a string body other than the closing quote and the simple escapes: a `\u`
/// escape, a byte that is not allowed, a run of UTF-8 sequences. Returns the index after it.
#[inline(never)]
fn string_byte(b: &[u8], i: usize, c: u8) -> Option<usize> {
    if c >= 0x80 {
        return utf8_run(b, i);
    }
    if c < 0x20 || c != b'\\' || b.get(i + 1) != Some(&b'u') {
        return None;
    }
    b.get(i + 2..i + 6)?.iter().all(|c| is_hex(*c)).then_some(i + 6)
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

/// Scanner state for the rare paths. The hot path (a member `"key":"value"` or `"key":number`
/// of an object) lives in the loop of `scan` itself, in locals: an interpreter charges for every
/// instruction of a loop body each time round, so everything else is called out of line.
struct Scanner<'f> {
    /// Container kinds, one bit per level (1 = object).
    words: &'f mut Vec<u64>,
    depth: usize,
    /// The container at the top of the stack is an object.
    obj: bool,
    /// Right after an opening bracket, where a closing one may follow.
    opened: bool,
    /// The container the members at depth 2 belong to.
    parent: Parent,
}

impl Scanner<'_> {
    fn top_is_object(&self) -> bool {
        let d = self.depth.wrapping_sub(1);
        self.words.get(d / 64).is_some_and(|x| x >> (d % 64) & 1 == 1)
    }

    /// An opening bracket (`object` or array) whose member key was `key`.
    #[inline(never)]
    fn open(&mut self, object: bool, key: Key) {
        if self.depth == 1 {
            self.parent = if object { key_parent(key) } else { Parent::Other };
        }
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
        self.obj = object;
        self.opened = true;
    }

    /// A closing bracket `c`; false when it does not match the open container.
    #[inline(never)]
    fn close(&mut self, c: u8) -> bool {
        if c != if self.obj { b'}' } else { b']' } || self.depth == 0 {
            return false;
        }
        self.depth -= 1;
        if self.depth == 1 {
            self.parent = Parent::Other;
        }
        self.obj = self.top_is_object();
        self.opened = false;
        true
    }
}

/// A value at `i` that is not a plain string: whitespace first, a string with escapes or
/// non-ASCII bytes, a number, a literal, or an opening bracket. Returns the index after it (after
/// the bracket for a container).
#[inline(never)]
fn slow_value(b: &[u8], i: usize, key: Key, s: &mut Scanner, found: &mut Found, src: u8) -> Option<usize> {
    let i = ws(b, i);
    let c = *b.get(i)?;
    let (start, end, string, escaped) = match c {
        b'"' => {
            let (e, escaped) = string_end(b, i + 1)?;
            (i + 1, e, true, escaped)
        }
        b'{' | b'[' => {
            s.open(c == b'{', key);
            return Some(i + 1);
        }
        _ => (i, scalar_end(b, i, c)?, false, false),
    };
    s.opened = false;
    if key != OTHER {
        found.record(key, Span { start: start as u32, end: end as u32, escaped, string }, src);
    }
    Some(if string { end + 1 } else { end })
}

/// `{"log":"`: how a record from Fluent Bit's tail input without a parser begins.
const LOG_HEAD: u64 = u64::from_le_bytes(*b"{\"log\":\"");

/// `b` is framed as `{"log":"` ... `"}`, the shape most records have when the text between is
/// one JSON string: the text then starts at 8 (see filter.rs).
#[inline(always)]
pub fn log_frame(b: &[u8]) -> bool {
    let n = b.len();
    n >= 10 && load8(b, 0) == Some(LOG_HEAD) && b.get(n - 2..) == Some(b"\"}")
}

/// What the simple escape `\c` stands for, by `c` (0: not a simple escape).
static SIMPLE_UNESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let pairs = [(b'"', b'"'), (b'\\', b'\\'), (b'/', b'/'), (b'b', 0x08), (b'f', 0x0C), (b'n', b'\n'), (b'r', b'\r'), (b't', b'\t')];
    let mut k = 0;
    while k < pairs.len() {
        t[pairs[k].0 as usize] = pairs[k].1;
        k += 1;
    }
    t
};

/// The rest of a JSON string body in `b` from `i` on, checked as `string_end` checks it and
/// decoded as `unescape` decodes it, in one pass, appended to `out`. Returns the index of the
/// closing quote, or None when the string is not valid. Plain runs and the common escapes are
/// `decode_plain`'s; this loop turns only for the rest (`\u` escapes, non-ASCII bytes) and the
/// end.
#[inline(always)]
fn decode_string(b: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    let e = decode_index(b, i, out);
    (e != usize::MAX).then_some(e)
}

/// `decode_string` returning usize::MAX for None (an Option is returned through memory on
/// wasm32).
#[inline(never)]
fn decode_index(b: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
    loop {
        i = decode_plain(b, i, out);
        if b.get(i) == Some(&b'"') {
            return i;
        }
        let Some(next) = decode_other(b, i, out) else { return usize::MAX };
        i = next;
    }
}

/// Appends the plain runs of a string body from `i` on, and the simple escapes between them,
/// decoded, to `out`; returns the index of the first other byte (the closing quote, a `\u`
/// escape, a non-ASCII byte, a byte a string may not hold, or the end). The plain runs are
/// found and copied by the string check's eight-byte step in a loop of its own, inside the
/// loop over the escapes, with no call between them: text such as FortiGate's `key=\"value\"`
/// has an escape every few bytes.
#[inline(never)]
fn decode_plain(b: &[u8], i: usize, out: &mut Vec<u8>) -> usize {
    let i = i.min(b.len());
    // The decoded text is never longer than what it is decoded from: when what is left of the
    // buffer is small, room for all of it is made at once and the loop checks nothing. Eight
    // bytes more, as the last word a plain run stores may reach past what the run decodes to.
    let room = b.len() - i + 1 + 8;
    if room > DECODE_AT_ONCE {
        return decode_plain_checked(b, i, out);
    }
    if out.capacity() - out.len() < room {
        grow(out, room);
    }
    let base = b.as_ptr();
    let start = out.as_mut_ptr();
    let mut p = base.wrapping_add(i);
    let mut q = start.wrapping_add(out.len());
    // SAFETY (the reads): p <= base + b.len() throughout: p moves past plain bytes only (the
    // NUL after the end is not one) and past an escape's two bytes only when both are in `b`
    // (the second is not the NUL); the pad covers eight bytes from the end.
    // SAFETY (the writes): q - start - out.len() <= p - base - i (a plain byte is copied, an
    // escape's two bytes give one), and each store ends at most eight bytes past q, within
    // `room`.
    unsafe {
        loop {
            // Each word read is stored whole; q then moves past its plain bytes only, so that
            // the bytes after them are written again.
            let m = loop {
                let w = (p as *const u64).read_unaligned();
                (q as *mut u64).write_unaligned(w);
                let m = special(u64::from_le(w));
                if m != 0 {
                    break m;
                }
                p = p.add(8);
                q = q.add(8);
            };
            let k = (m.trailing_zeros() / 8) as usize;
            p = p.add(k);
            q = q.add(k);
            let d = if *p == b'\\' { SIMPLE_UNESCAPE[*p.add(1) as usize] } else { 0 };
            if d == 0 {
                break;
            }
            *q = d;
            p = p.add(2);
            q = q.add(1);
        }
        out.set_len(q.offset_from(start) as usize);
        p.offset_from(base) as usize
    }
}

/// How much of the buffer `decode_plain` makes room for at once (the text buffer keeps that
/// much at most for the life of the filter). Past it, a big record's text is decoded with the
/// room made run by run (`decode_plain_checked`, slower per escape), so that a short string in
/// a 4 MiB record does not reserve the rest of the record.
const DECODE_AT_ONCE: usize = 256 << 10;

/// `decode_plain` making room run by run.
#[inline(never)]
fn decode_plain_checked(b: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
    loop {
        let j = plain_run(b, i);
        let d = match b.get(j..j + 2) {
            Some(&[b'\\', e]) => SIMPLE_UNESCAPE[e as usize],
            _ => 0,
        };
        out.extend_from_slice(&b[i..j]);
        if d == 0 {
            return j;
        }
        out.push(d);
        i = j + 2;
    }
}

/// Makes room for `more` bytes in `out` (out of `decode_plain`'s loop).
#[cold]
#[inline(never)]
fn grow(out: &mut Vec<u8>, more: usize) {
    out.reserve(more);
}

/// `decode_string` at a byte of a string body that is not plain ASCII and not a simple escape:
/// a `\u` escape, a run of UTF-8 sequences, or a byte a string may not hold (None).
#[inline(never)]
fn decode_other(b: &[u8], j: usize, out: &mut Vec<u8>) -> Option<usize> {
    let c = *b.get(j)?;
    if c >= 0x80 {
        let e = utf8_run(b, j)?;
        out.extend_from_slice(b.get(j..e)?);
        return Some(e);
    }
    if c != b'\\' || b.get(j + 1) != Some(&b'u') {
        return None;
    }
    // The escape's digits, and those of a `\u` escape right after it, which unicode_escape
    // reads when this one is a high surrogate.
    let hex = |k: usize| b.get(k..k + 4).is_some_and(|h| h.iter().all(|c| is_hex(*c)));
    if !hex(j + 2) || b.get(j + 6..j + 8) == Some(b"\\u") && !hex(j + 8) {
        return None;
    }
    Some(unicode_escape(b, j + 2, out))
}

/// Scans `b`, which must be exactly one JSON object (surrounding whitespace allowed). Records the
/// spans of known keys into `found`. Returns None when `b` is not a valid JSON object.
#[inline(never)]
fn scan(b: &[u8], stack: &mut Vec<u64>, found: &mut Found, src: u8) -> Option<Root> {
    let i = ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    // Compact JSON, as Fluent Bit renders records, takes the fast path; anything else (whitespace,
    // escaped keys, deep nesting, invalid input) the general loop, from the start.
    let j = compact_object(b, i + 1, 1, Parent::Root, found, src);
    if j == b.len() {
        // Compact to the end: the byte before the closing brace tells whether it is empty.
        return Some(Root { close: j - 1, empty: b.get(j.wrapping_sub(2)) == Some(&b'{') });
    }
    if j != BAIL {
        return finish(b, j);
    }
    found.reset();
    scan_general(b, i, stack, found, src)
}

/// `scan` for the members of the root object from `i` on (right after a comma), when the ones
/// before were read by the caller: the compact fast path only. None when the rest is not
/// compact JSON that closes the object (the caller then scans the whole record).
#[inline(never)]
fn scan_rest(b: &[u8], i: usize, found: &mut Found) -> Option<Root> {
    let j = compact_object(b, i, 1, Parent::Root, found, 0);
    if j == b.len() {
        return Some(Root { close: j - 1, empty: false });
    }
    if j == BAIL { None } else { finish(b, j) }
}

/// `scan`'s general loop, for any JSON: `b[i]` is the root's `{`.
#[inline(never)]
fn scan_general(b: &[u8], mut i: usize, stack: &mut Vec<u64>, found: &mut Found, src: u8) -> Option<Root> {
    let mut s = Scanner { words: stack, depth: 0, obj: true, opened: true, parent: Parent::Other };
    s.open(true, OTHER);
    i += 1;
    loop {
        // A member (in an object) or an element (in an array) is expected at `i`.
        if s.obj && b.get(i) == Some(&b'"') {
            let mut e = plain_run(b, i + 1);
            let mut key = OTHER;
            if b.get(e) != Some(&b'"') {
                (e, key) = escaped_key(b, i + 1, e, &s, found)?;
            } else if s.depth <= 2 && maybe_known_key(b, i + 1, e) {
                key = known_key(b, i + 1, e, &s, found);
            }
            i = if b.get(e + 1) == Some(&b':') { e + 2 } else { colon(b, e + 1)? };
            if b.get(i) == Some(&b'"') {
                let mut v = plain_run(b, i + 1);
                let mut escaped = false;
                if b.get(v) != Some(&b'"') {
                    (v, escaped) = string_end(b, v)?;
                }
                if key != OTHER {
                    found.record(key, Span { start: (i + 1) as u32, end: v as u32, escaped, string: true }, src);
                }
                i = v + 1;
                s.opened = false;
            } else {
                i = slow_value(b, i, key, &mut s, found, src)?;
                if s.opened {
                    continue;
                }
            }
        } else {
            i = slow_item(b, i, &mut s, found, src)?;
            if s.opened {
                continue;
            }
            if s.depth == 0 {
                return finish(b, i);
            }
        }
        // After a value: a comma, or closing brackets.
        loop {
            match b.get(i) {
                Some(b',') => {
                    i += 1;
                    break;
                }
                Some(&c) if c <= b' ' => {
                    // A control byte that is not whitespace ends the scan (skip_ws stops on it).
                    let j = skip_ws(b, i);
                    if j == i {
                        return None;
                    }
                    i = j;
                }
                Some(&c) => {
                    if !s.close(c) {
                        return None;
                    }
                    i += 1;
                    if s.depth == 0 {
                        return finish(b, i);
                    }
                }
                None => return None,
            }
        }
    }
}

/// `":` after a key, as a little-endian two-byte word.
const KEY_END: u16 = u16::from_le_bytes(*b"\":");

/// `compact_object`'s result when the input is not in the shape it takes.
const BAIL: usize = usize::MAX;

/// The fast path's nesting limit: deeper containers go to the general loop (the call stack
/// holds one frame per level here).
const COMPACT_DEPTH: usize = 6;

/// The members of an object from `i` (right after its `{`) at `depth` (1: the root), in compact
/// JSON: `"key":value` pairs with plain-ASCII keys and no whitespace, values strings, numbers,
/// literals, or containers at most COMPACT_DEPTH deep. `parent` is what the members' container
/// is (depth 1 and 2). Records what `scan`'s general loop would record for the same members.
/// Returns the index after the closing `}`, or BAIL (nothing is undone: `scan` resets `found`).
#[inline(never)]
fn compact_object(b: &[u8], mut i: usize, depth: usize, parent: Parent, found: &mut Found, src: u8) -> usize {
    // Every index read below is at most b.len() (plus one for the second byte of `":`), so the
    // reads stay within the pad (`at`): `i` starts at most one past a byte read before it, a
    // string ends at b.len() at the latest, and the NUL there fails every test that would
    // move on.
    if at(b, i) == b'}' {
        return i + 1;
    }
    loop {
        if at(b, i) != b'"' {
            return BAIL;
        }
        let e = plain_run(b, i + 1);
        // The key's closing quote and the colon, read as one two-byte word (SAFETY: e <=
        // b.len(), and the pad covers the two bytes from there).
        if u16::from_le(unsafe { (b.as_ptr().add(e) as *const u16).read_unaligned() }) != KEY_END {
            return BAIL;
        }
        let first = at(b, i + 1);
        let key = if depth <= 2 && key_shape_known(first, e - i - 1) { compact_key(b, i + 1, e, parent, found) } else { OTHER };
        let next = compact_value(b, e + 2, depth, key, found, src);
        if next >= b.len() {
            return BAIL;
        }
        match at(b, next) {
            b',' => i = next + 1,
            b'}' => return next + 1,
            _ => return BAIL,
        }
    }
}

/// The byte at `i` of a padded buffer's bytes `b`, where `i < b.len() + PAD`: the pad is
/// readable (`Padded`), and its first byte, the NUL, is no byte the scanner accepts.
#[inline(always)]
fn at(b: &[u8], i: usize) -> u8 {
    debug_assert!(i < b.len() + PAD);
    // SAFETY: callers keep i < b.len() + PAD (see `compact_object`); the bytes past b.len()
    // are the pad.
    unsafe { *b.as_ptr().add(i) }
}

/// A value at `i` in an object at `depth` under `key`: returns the index after it, or BAIL
/// (an index past the input, which no caller matches). `i <= b.len()`. A plain string (no
/// escape, no byte above 0x7E) is walked here, any other value out of line (`compact_other`):
/// wasmi charges the whole body of the member loop this is inlined into at every turn.
#[inline(always)]
fn compact_value(b: &[u8], i: usize, depth: usize, key: Key, found: &mut Found, src: u8) -> usize {
    if at(b, i) == b'"' {
        let v = plain_run(b, i + 1);
        if at(b, v) == b'"' {
            if key != OTHER {
                found.record(key, Span { start: (i + 1) as u32, end: v as u32, escaped: false, string: true }, src);
            }
            return v + 1;
        }
    }
    compact_other(b, i, depth, key, found, src)
}

/// A value that is not a plain string: a string with escapes or bytes above 0x7E, a
/// container, or a number or literal.
#[inline(never)]
fn compact_other(b: &[u8], i: usize, depth: usize, key: Key, found: &mut Found, src: u8) -> usize {
    let c = at(b, i);
    if c == b'"' {
        let Some((v, escaped)) = string_end(b, plain_run(b, i + 1)) else { return BAIL };
        if key != OTHER {
            found.record(key, Span { start: (i + 1) as u32, end: v as u32, escaped, string: true }, src);
        }
        return v + 1;
    }
    if depth >= COMPACT_DEPTH && (c == b'{' || c == b'[') {
        return BAIL;
    }
    match c {
        b'{' => {
            let parent = if depth == 1 { key_parent(key) } else { Parent::Other };
            compact_object(b, i + 1, depth + 1, parent, found, src)
        }
        b'[' => compact_array(b, i + 1, depth + 1, found, src),
        _ if c <= b' ' => BAIL,
        _ => {
            let Some(v) = scalar_end(b, i, c) else { return BAIL };
            if key != OTHER {
                found.record(key, Span { start: i as u32, end: v as u32, escaped: false, string: false }, src);
            }
            v
        }
    }
}

/// The elements of an array from `i` (right after its `[`) at `depth`; nothing in an array is
/// recorded. Returns the index after the closing `]`, or BAIL.
#[inline(never)]
fn compact_array(b: &[u8], mut i: usize, depth: usize, found: &mut Found, src: u8) -> usize {
    if at(b, i) == b']' {
        return i + 1;
    }
    loop {
        let next = compact_value(b, i, depth, OTHER, found, src);
        if next >= b.len() {
            return BAIL;
        }
        match at(b, next) {
            b',' => i = next + 1,
            b']' => return next + 1,
            _ => return BAIL,
        }
    }
}

/// A key at depth 1 or 2 that may be known, in the container `parent` (Root at depth 1): as
/// `known_key`.
#[inline(never)]
fn compact_key(b: &[u8], s: usize, e: usize, parent: Parent, found: &mut Found) -> Key {
    let len = e.wrapping_sub(s);
    // Most keys have at most eight bytes: one word read where the key lies identifies them; the
    // rest are classified out of line.
    let key = if len.wrapping_sub(1) < 8 {
        // SAFETY: s < b.len() (the key's first byte), and the pad covers the eight bytes from s.
        short_key(u64::from_le(unsafe { (b.as_ptr().add(s) as *const u64).read_unaligned() }), len, parent)
    } else {
        classify_key_at(b, s, e, parent)
    };
    found.note_key(key);
    key
}

/// Classifies a key at depth 1 or 2 (the bytes between `s` and `e`) that may be known.
#[inline(never)]
fn known_key(b: &[u8], s: usize, e: usize, sc: &Scanner, found: &mut Found) -> Key {
    compact_key(b, s, e, if sc.depth == 1 { Parent::Root } else { sc.parent }, found)
}

/// The rest of a key that is not plain ASCII from `from` on (the key starts at `s`): its end
/// and, at depth 1 or 2, its classification, read from the unescaped text, so that
/// `"v\u0070n"` is the key `vpn` as any JSON reader sees it.
#[inline(never)]
fn escaped_key(b: &[u8], s: usize, from: usize, sc: &Scanner, found: &mut Found) -> Option<(usize, Key)> {
    let (e, escaped) = string_end(b, from)?;
    // A known key is at most 31 ASCII characters, each at most six bytes escaped.
    if sc.depth > 2 || e - s > 6 * 31 {
        return Some((e, OTHER));
    }
    let raw = b.get(s..e).unwrap_or(&[]);
    if !escaped {
        return Some((e, if maybe_known_key(b, s, e) { known_key(b, s, e, sc, found) } else { OTHER }));
    }
    let mut text = Vec::new();
    unescape(raw, &mut text);
    let text = Padded::of(&mut text).bytes();
    let key = if maybe_known_key(text, 0, text.len()) { known_key(text, 0, text.len(), sc, found) } else { OTHER };
    Some((e, key))
}

/// What the main loop does not handle itself at the start of an item: whitespace, a closing
/// bracket right after an opening one, an array element, or malformed input.
#[inline(never)]
fn slow_item(b: &[u8], i: usize, s: &mut Scanner, found: &mut Found, src: u8) -> Option<usize> {
    let i = ws(b, i);
    let c = *b.get(i)?;
    if s.opened && (c == b'}' || c == b']') {
        // An empty container: close it and go on after it as after a value.
        if !s.close(c) {
            return None;
        }
        return Some(i + 1);
    }
    if s.obj {
        // A key must be a string; whitespace before it was skipped above.
        if c != b'"' {
            return None;
        }
        return slow_member(b, i, s, found, src);
    }
    let r = slow_value(b, i, OTHER, s, found, src)?;
    Some(r)
}

/// A member whose key follows whitespace (the main loop saw the whitespace, not the quote).
#[inline(never)]
fn slow_member(b: &[u8], i: usize, s: &mut Scanner, found: &mut Found, src: u8) -> Option<usize> {
    let (e, key) = escaped_key(b, i + 1, i + 1, s, found)?;
    let v = colon(b, e + 1)?;
    slow_value(b, v, key, s, found, src)
}

/// The colon after a key, with whitespace around it; returns the index after the whitespace
/// that follows it.
#[inline(never)]
fn colon(b: &[u8], i: usize) -> Option<usize> {
    let i = ws(b, i);
    (b.get(i) == Some(&b':')).then(|| ws(b, i + 1))
}

/// The end of a number or literal starting with `c` at `i`. A plain integer (the commonest
/// number) is read here; anything else by the full grammar.
#[inline(always)]
fn scalar_end(b: &[u8], i: usize, c: u8) -> Option<usize> {
    let e = scalar_index(b, i, c);
    (e != usize::MAX).then_some(e)
}

/// `scalar_end` returning usize::MAX for None (an Option is returned through memory on wasm32).
#[inline(never)]
fn scalar_index(b: &[u8], i: usize, c: u8) -> usize {
    let v = digits_end(b, i);
    if v > i && (c != b'0' || v == i + 1) && !matches!(at(b, v), b'.' | b'e' | b'E') {
        return v;
    }
    scalar_grammar(b, i, c).unwrap_or(usize::MAX)
}

/// The end of the run of ASCII digits from `i` (`i <= b.len()` of a padded buffer), eight
/// bytes at a time: timestamps in milliseconds have thirteen.
#[inline(always)]
fn digits_end(b: &[u8], mut i: usize) -> usize {
    loop {
        // SAFETY: i <= b.len() throughout: the NUL at b.len() (`Padded`) is no digit, so the
        // run ends there at the latest, and the pad covers the eight bytes read from there.
        let w = u64::from_le(unsafe { (b.as_ptr().add(i) as *const u64).read_unaligned() });
        // The high bit of every byte that is no digit: below '0' the subtraction borrows,
        // from ':' to 0xB9 the addition reaches 0x80, and from 0xBA on the subtraction leaves
        // it set. Below the lowest such byte all are digits, so nothing borrows or carries
        // there and the lowest is exact.
        let m = (w.wrapping_sub(ONES * b'0' as u64) | w.wrapping_add(ONES * 0x46)) & HIGHS;
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
}

/// `scalar_end` by the grammar: a literal, or any number.
#[inline(never)]
fn scalar_grammar(b: &[u8], i: usize, c: u8) -> Option<usize> {
    match c {
        b't' => literal(b, i, b"true"),
        b'f' => literal(b, i, b"false"),
        b'n' => literal(b, i, b"null"),
        _ => number_end(b, i),
    }
}

#[inline(never)]
fn literal(b: &[u8], i: usize, lit: &[u8]) -> Option<usize> {
    (b.get(i..i + lit.len())? == lit).then_some(i + lit.len())
}

/// After the root's closing brace (at `i - 1`) only whitespace may follow. The root is empty
/// when only whitespace stands between its braces: the last other byte before the closing
/// brace is then the opening one (any other `{` would still be open).
#[inline(never)]
fn finish(b: &[u8], i: usize) -> Option<Root> {
    let close = i - 1;
    let empty = b.get(..close).unwrap_or(&[]).iter().rev().find(|&&c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r')) == Some(&b'{');
    (skip_ws(b, i) == b.len()).then_some(Root { close, empty })
}

/// Decodes a JSON string body (valid, as `scan` checked) into UTF-8, appending to `out`.
/// A lone surrogate becomes U+FFFD.
#[inline(never)]
pub fn unescape(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    loop {
        let j = backslash(s, i);
        out.extend_from_slice(s.get(i..j).unwrap_or(&[]));
        let Some(&e) = s.get(j + 1) else { return };
        i = j + 2;
        let c = match e {
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                i = unicode_escape(s, i, out);
                continue;
            }
            other => other,
        };
        out.push(c);
    }
}

/// The index of the next backslash at or after `i` (or the end), eight bytes at a time.
#[inline(never)]
fn backslash(s: &[u8], mut i: usize) -> usize {
    while let Some(w) = load8(s, i) {
        let m = has_zero(w ^ (ONES * b'\\' as u64));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while s.get(i).is_some_and(|&c| c != b'\\') {
        i += 1;
    }
    i
}

/// The four hex digits of a `\u` escape at `i` (and a low surrogate escape after a high one):
/// appends the character as UTF-8 and returns the index after the escape(s). A lone surrogate
/// becomes U+FFFD.
#[inline(never)]
fn unicode_escape(s: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
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
    i
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
pub(crate) fn clean_run(s: &[u8], mut i: usize) -> usize {
    while let Some(w) = load8(s, i) {
        let m = needs_escape(w);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    clean_tail(s, i)
}

/// `clean_run` within the last eight bytes of `s`: when `s` holds eight bytes, its last eight
/// as one word shifted so that byte `i` comes first (the zero bytes shifted in stop the run at
/// the end, and the bytes before `i` are not looked at); otherwise byte by byte.
#[inline(never)]
fn clean_tail(s: &[u8], mut i: usize) -> usize {
    let n = s.len();
    if i >= n {
        return n;
    }
    match n.checked_sub(8).filter(|&last| i > last) {
        Some(last) => {
            // SAFETY: last + 8 == n; 0 < i - last < 8.
            let w = u64::from_le(unsafe { (s.as_ptr().add(last) as *const u64).read_unaligned() }) >> ((i - last) * 8);
            i + (needs_escape(w).trailing_zeros() / 8) as usize
        }
        None => {
            while s.get(i).is_some_and(|&c| c >= 0x20 && c != b'"' && c != b'\\') {
                i += 1;
            }
            i
        }
    }
}

/// Appends valid UTF-8 `s` as the body of a JSON string (no quotes), escaping what JSON
/// requires. Runs without special bytes are copied whole.
#[inline(never)]
pub fn escape_into(s: &[u8], out: &mut Vec<u8>) {
    let i = clean_run(s, 0);
    if i == s.len() {
        out.extend_from_slice(s);
        return;
    }
    escape_from(s, i, out);
}

/// `escape_into` from the first byte that needs escaping, at `i` (rare in log values).
#[inline(never)]
pub(crate) fn escape_from(s: &[u8], mut i: usize, out: &mut Vec<u8>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `decode_string` (one pass) against `string_end` then `unescape` (two passes), on every
    /// string of up to three fragments: plain text, each escape, surrogate pairs and lone
    /// surrogates, UTF-8, and what a string may not hold. Both agree on the end, on the
    /// `scalar_end` (its plain-integer path first) against the grammar alone, on every string
    /// of up to five bytes from number characters and a few others.
    #[test]
    fn scalar_end_agrees_with_the_grammar() {
        let alphabet = b"0123-.eE+,}x";
        let mut t = Vec::new();
        for len in 1..=5u32 {
            for mut k in 0..(alphabet.len() as u64).pow(len) {
                t.clear();
                for _ in 0..len {
                    t.push(alphabet[(k % alphabet.len() as u64) as usize]);
                    k /= alphabet.len() as u64;
                }
                let first = t[0];
                let p = Padded::of(&mut t);
                assert_eq!(scalar_end(&p, 0, first), scalar_grammar(&p, 0, first), "{:?}", String::from_utf8_lossy(&p));
            }
        }
    }

    /// `scalar_end` against the grammar on digit runs longer than the eight bytes it reads at
    /// once, ending in each kind of byte (and at the end of the buffer).
    #[test]
    fn scalar_end_agrees_with_the_grammar_on_long_numbers() {
        let ends: &[&[u8]] = &[b"", b",", b"}", b" ", b".5", b"e3", b"E+2", b"/", b":", b"x", b"\x7f", b"\x80", b"\xb9", b"\xba", b"\xff", "é".as_bytes()];
        for lead in [&b""[..], b"-"] {
            for n in 0..=24 {
                for end in ends {
                    let mut t = lead.to_vec();
                    t.extend((0..n).map(|k| b"1234567890"[k % 10]));
                    t.extend_from_slice(end);
                    let first = t.first().copied().unwrap_or(0);
                    let p = Padded::of(&mut t);
                    assert_eq!(scalar_end(&p, 0, first), scalar_grammar(&p, 0, first), "{:?}", String::from_utf8_lossy(&p));
                }
            }
        }
    }

    /// decoded text, and on rejecting.
    #[test]
    fn decode_string_agrees_with_string_end_and_unescape() {
        let fragments: &[&[u8]] = &[
            b"", b"plain text ", b"0123456789abcdef", br#"\""#, br"\\", br"\/", br"\b", br"\f", br"\n", br"\r", br"\t",
            br"\u00e9", br"\u20AC", br"\ud83d\ude00", br"\ud800", br"\udc00", br"\ud800\u0041", br"\ud800\uzzzz",
            "é€😀".as_bytes(), br"\x", br"\u12", br"\u12g4", b"\x01", b"\xff", b"\xc3", b"\\",
        ];
        let mut n = 0;
        for a in fragments {
            for b in fragments {
                for c in fragments {
                    let mut s = [*a, *b, *c].concat();
                    s.extend_from_slice(b"\"tail");
                    let s = Padded::of(&mut s);
                    let two = s.string_end(0).map(|(e, _)| {
                        let mut t = Vec::new();
                        unescape(&s[..e], &mut t);
                        (e, t)
                    });
                    let mut t = b"kept".to_vec();
                    let one = s.decode_string(0, &mut t).map(|e| (e, t[4..].to_vec()));
                    assert_eq!(one, two, "{}", String::from_utf8_lossy(&s));
                    n += two.is_some() as usize;
                }
            }
        }
        assert!(n > 1000, "only {n} valid strings");
    }

    /// The one-pass decoding of a long string (past DECODE_AT_ONCE, where room is made run by
    /// run) and of shorter ones, against `string_end` and `unescape`.
    #[test]
    fn long_strings_decode_as_short_ones_do() {
        let unit: &[u8] = br#"key=\"value\" k2=plain text\n\tmore\\ \/x"#;
        for units in [1usize, 10, DECODE_AT_ONCE / unit.len() + 1, 2 * DECODE_AT_ONCE / unit.len()] {
            let mut s = unit.repeat(units);
            s.extend_from_slice(b"\"tail");
            let s = Padded::of(&mut s);
            let (e, _) = s.string_end(0).expect("a valid string");
            let mut want = Vec::new();
            unescape(&s[..e], &mut want);
            let mut got = b"kept".to_vec();
            assert_eq!(s.decode_string(0, &mut got), Some(e), "{units} units");
            assert!(got[4..] == want[..], "{units} units: the decoded text differs");
        }
    }

    /// `clean_run` against a byte-at-a-time reference, as `plain_run` below.
    #[test]
    fn clean_run_agrees_with_a_byte_loop() {
        let reference = |b: &[u8], mut i: usize| {
            while b.get(i).is_some_and(|&c| c >= 0x20 && c != b'"' && c != b'\\') {
                i += 1;
            }
            i
        };
        for n in 0..26 {
            for &special in &[b'"', b'\\', 0x1F, 0, 0x80, 0xFF] {
                for at in 0..=n {
                    let mut b = vec![b'x'; n];
                    if at < n {
                        b[at] = special;
                    }
                    for i in 0..=n {
                        assert_eq!(clean_run(&b, i), reference(&b, i), "n={n} special={special:#x} at={at} i={i}");
                    }
                }
            }
        }
    }

    /// `plain_run` against a byte-at-a-time reference, for every length, start, position and
    /// value of one other byte among plain ones (a byte before the start must not be seen).
    /// Runs also end at the end of the buffer whatever follows it beyond the NUL.
    #[test]
    fn plain_run_agrees_with_a_byte_loop() {
        let plain = |c: u8| (0x20..0x80).contains(&c) && c != b'"' && c != b'\\';
        let reference = |b: &[u8], mut i: usize| {
            while b.get(i).is_some_and(|&c| plain(c)) {
                i += 1;
            }
            i
        };
        for n in 0..26 {
            for byte in 0..=255u8 {
                for at in 0..=n {
                    let mut b = vec![b'x'; n];
                    if at < n {
                        b[at] = byte;
                    }
                    // Plain bytes in the spare capacity beyond the pad, in case a read went there.
                    b.reserve(64);
                    b.spare_capacity_mut().iter_mut().for_each(|x| *x = core::mem::MaybeUninit::new(b'y'));
                    let p = Padded::of(&mut b);
                    for i in 0..=n {
                        assert_eq!(p.plain_run(i), reference(&p, i), "n={n} byte={byte:#x} at={at} i={i}");
                    }
                }
            }
        }
    }
}
