//! Matches a dissect-style pattern (rules/README.md, "Patterns"), compiled by build.rs into a
//! head and steps (catalogue::Pattern), against a text, and captures texts by output field
//! (`Caps`, which the classification takes over whole). Literals are found with substring
//! searches that skip eight bytes at a time; only the head's literal is retried at later
//! occurrences, so the cost stays linear in the text. Each step names the small
//! function of its kind and hole type: an interpreter charges a function's or loop's whole body
//! each time it is entered, so the loop that walks the steps holds one call and no dispatch.

use core::mem::MaybeUninit;

use crate::catalogue::{Head, HoleTy, Pattern, SKIP, Step};
#[cfg(test)]
use crate::catalogue::HEAD_LIT;
use crate::fields::NFIELDS;

/// The captures of a pattern, by output field: the text each captured, in the table the
/// classification takes over whole (classify::describe), so that no capture is copied one by
/// one. Only the fields whose bit is in `set` are written (the table is not zeroed up front).
/// One `Caps` serves the patterns tried on the texts of one record: its cache of head searches
/// knows texts by their address, so a text must not change while the `Caps` is in use.
pub struct Caps<'t> {
    pub(crate) vals: [MaybeUninit<&'t [u8]>; NFIELDS],
    /// Bit i: vals[i] holds a capture.
    pub(crate) set: u64,
    /// The captures' total length.
    pub(crate) bytes: usize,
    /// Where the current start's head literal begins (for `step_prefix`).
    start: usize,
    /// The last head literal searched for from the start of a text (the literal's address and
    /// length, the text's address) and where it was found: a rule's alternatives mostly begin
    /// alike, so the next alternative does not search again.
    head: (*const u8, usize, *const u8, usize),
}

impl Default for Caps<'_> {
    fn default() -> Self {
        Caps { vals: [MaybeUninit::uninit(); NFIELDS], set: 0, bytes: 0, start: 0, head: (core::ptr::null(), 0, core::ptr::null(), NOT_FOUND) }
    }
}

impl<'t> Caps<'t> {
    /// Forgets the captures (before a pattern is tried).
    #[inline(always)]
    pub fn clear(&mut self) {
        self.set = 0;
        self.bytes = 0;
    }

    /// `t[s..e]` captured for `field` (SKIP: not kept). A later capture of the same field
    /// replaces the earlier one.
    #[inline(always)]
    fn push(&mut self, t: &'t [u8], field: u8, s: usize, e: usize) {
        if field != SKIP {
            if let (Some(x), Some(v)) = (self.vals.get_mut(field as usize), t.get(s..e)) {
                *x = MaybeUninit::new(v);
                self.set |= 1 << (field & 63);
                self.bytes += v.len();
            }
        }
    }

    /// The captures, in field order: (field index, text). For tools and tests.
    #[cfg(not(target_os = "wasi"))]
    pub fn fields(&self) -> impl Iterator<Item = (usize, &'t [u8])> + '_ {
        // SAFETY: `push` wrote vals[i] when it set bit i.
        (0..NFIELDS).filter(|&i| self.set >> i & 1 == 1).map(|i| (i, unsafe { self.vals[i].assume_init() }))
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// What the searches below return when there is no occurrence. They return a plain index, not
/// an Option: an Option<usize> is returned through memory on wasm32, which costs every call a
/// stack frame.
const NOT_FOUND: usize = usize::MAX;

/// `dotted_run`'s answer when there is no dotted run.
const NO_RUN: u64 = u64::MAX;

/// Index of the first `c` in `hay` at or after `from` (NOT_FOUND if none), eight bytes at a time.
#[inline(never)]
fn find_byte(hay: &[u8], c: u8, mut i: usize) -> usize {
    let pat = ONES * c as u64;
    if hay.len() >= 8 {
        let (last, p) = (hay.len() - 8, hay.as_ptr());
        while i <= last {
            // SAFETY: i + 8 <= hay.len().
            let x = u64::from_le(unsafe { (p.add(i) as *const u64).read_unaligned() }) ^ pat;
            let m = x.wrapping_sub(ONES) & !x & HIGHS;
            if m != 0 {
                return i + (m.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
    }
    find_byte_tail(hay, c, i)
}

/// `find_byte` within the last eight bytes.
#[inline(never)]
fn find_byte_tail(hay: &[u8], c: u8, mut i: usize) -> usize {
    while let Some(&x) = hay.get(i) {
        if x == c {
            return i;
        }
        i += 1;
    }
    NOT_FOUND
}

/// `hay[at..]` starts with `needle`: eight bytes at a time (`words_eq`), or four and the last
/// four (cheaper here than a call to memcmp).
#[inline(always)]
pub fn starts_at(hay: &[u8], at: usize, needle: &[u8]) -> bool {
    let Some(h) = hay.get(at..at.wrapping_add(needle.len())) else { return false };
    let n = needle.len();
    let (hp, np) = (h.as_ptr(), needle.as_ptr());
    // SAFETY (all reads): h.len() == needle.len() == n, and each read ends at or before n.
    let eq4 = |k: usize| unsafe { (hp.add(k) as *const u32).read_unaligned() == (np.add(k) as *const u32).read_unaligned() };
    if n >= 8 {
        // SAFETY: h and needle hold n bytes.
        return unsafe { words_eq(hp, np, n) };
    }
    if n >= 4 {
        return eq4(0) && eq4(n - 4);
    }
    // One byte (a bracket, a comma, a quote) without a call.
    if let ([a], [x]) = (h, needle) {
        return a == x;
    }
    short_eq(h, needle)
}

/// `h == needle` for slices of equal length below four bytes: the first two bytes as one
/// word (or the one byte), then the third. Cheaper here than a call to memcmp.
#[inline(never)]
fn short_eq(h: &[u8], needle: &[u8]) -> bool {
    match (h, needle) {
        ([a, b, c], [x, y, z]) => u16::from_le_bytes([*a, *b]) == u16::from_le_bytes([*x, *y]) && c == z,
        ([a, b], [x, y]) => u16::from_le_bytes([*a, *b]) == u16::from_le_bytes([*x, *y]),
        ([a], [x]) => a == x,
        _ => h.is_empty() && needle.is_empty(),
    }
}

/// `n >= 8` bytes at `a` and at `b` are equal: eight at a time, the last eight read where
/// they end, in one loop (no separate step for the last word).
///
/// # Safety
/// `n` bytes are readable at `a` and at `b`.
#[inline(always)]
pub(crate) unsafe fn words_eq(a: *const u8, b: *const u8, n: usize) -> bool {
    let last = n - 8;
    let mut k = 0;
    loop {
        let at = if k < last { k } else { last };
        // SAFETY: at + 8 <= n.
        if unsafe { (a.add(at) as *const u64).read_unaligned() != (b.add(at) as *const u64).read_unaligned() } {
            return false;
        }
        if at == last {
            return true;
        }
        k += 8;
    }
}

/// First occurrence of `needle` in `hay` at or after `from`.
#[inline(always)]
pub fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    find_at(hay, needle, from, 0)
}

/// `find`, searching for the needle's byte at index `k` (its rarest, chosen by build.rs), so
/// that fewer false starts are checked.
#[inline(always)]
pub fn find_at(hay: &[u8], needle: &[u8], from: usize, k: u8) -> Option<usize> {
    let at = find_index(hay, needle, from, k);
    (at != NOT_FOUND).then_some(at)
}

/// `find_at`, returning NOT_FOUND for None.
#[inline(never)]
fn find_index(hay: &[u8], needle: &[u8], from: usize, k: u8) -> usize {
    let k = k as usize;
    let Some(&c) = needle.get(k) else { return NOT_FOUND };
    let mut i = from + k;
    loop {
        i = find_byte(hay, c, i);
        if i == NOT_FOUND {
            return NOT_FOUND;
        }
        let s = i - k;
        if s + needle.len() > hay.len() {
            return NOT_FOUND;
        }
        if starts_at(hay, s, needle) {
            return s;
        }
        i += 1;
    }
}

fn run_class(ty: HoleTy, c: u8, stop: u8) -> bool {
    match ty {
        HoleTy::Ip => c.is_ascii_hexdigit() || c == b'.' || c == b':',
        HoleTy::Num => c.is_ascii_digit(),
        HoleTy::Hex => c.is_ascii_hexdigit(),
        HoleTy::Word => c > b' ' && c != stop,
        HoleTy::Lazy | HoleTy::Rest => true,
    }
}

/// End of the run of `ty` characters starting at `i`.
#[inline(never)]
fn run_end(t: &[u8], mut i: usize, ty: HoleTy, stop: u8) -> usize {
    match ty {
        HoleTy::Num => {
            while t.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        HoleTy::Hex => {
            while t.get(i).is_some_and(u8::is_ascii_hexdigit) {
                i += 1;
            }
        }
        _ => return word_end(t, i, stop),
    }
    i
}

/// End of the run of word characters (above space, not `stop`) from `i`, eight bytes at a
/// time. The last bytes are read as one word ending at the end of `t`, shifted so that they
/// come first: the zero bytes shifted in end the run there.
#[inline(never)]
fn word_end(t: &[u8], mut i: usize, stop: u8) -> usize {
    let n = t.len();
    let stops = ONES * stop as u64;
    // The high bit of every byte below 0x21 or equal to `stop`; the lowest is exact.
    let ends = |w: u64| {
        let x = w ^ stops;
        (w.wrapping_sub(ONES * 0x21) & !w | x.wrapping_sub(ONES) & !x) & HIGHS
    };
    if n < 8 {
        while t.get(i).is_some_and(|&c| c > b' ' && c != stop) {
            i += 1;
        }
        return i;
    }
    let (last, p) = (n - 8, t.as_ptr());
    while i <= last {
        // SAFETY: i + 8 <= n.
        let m = ends(u64::from_le(unsafe { (p.add(i) as *const u64).read_unaligned() }));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    if i >= n {
        return n;
    }
    // SAFETY: last + 8 == n; 0 < i - last < 8.
    let w = u64::from_le(unsafe { (p.add(last) as *const u64).read_unaligned() }) >> ((i - last) * 8);
    i + (ends(w).trailing_zeros() / 8) as usize
}

/// `ip_end`'s step per byte: 0 for a hex digit, 1 for `.`, COLON for `:`, IP_STOP otherwise.
static IP_STEP: [u16; 256] = {
    let mut t = [IP_STOP; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_hexdigit() {
            t[c] = 0;
        } else if b == b'.' {
            t[c] = 1;
        } else if b == b':' {
            t[c] = COLON;
        }
        c += 1;
    }
    t
};
const COLON: u16 = 1 << 8;
const IP_STOP: u16 = u16::MAX;

/// The whole of `t` is an IP address (as `ip` holes capture them).
pub fn is_ip(t: &[u8]) -> bool {
    ip_end(t, 0) == t.len()
}

/// An IP address starting at `s`: IPv4 dotted quad (stopping before `:port`) or IPv6. Returns
/// its end, or NOT_FOUND when the run there is not shaped like an address.
#[inline(never)]
fn ip_end(t: &[u8], s: usize) -> usize {
    let dotted = dotted_run(t, s);
    // The common case, a dotted quad not followed by a dot: nothing to trim.
    let i = (dotted >> 32) as usize;
    // (NO_RUN's low half is not 3.)
    if dotted as u32 == 3 && t.get(i.wrapping_sub(1)).is_some_and(u8::is_ascii_digit) {
        return i;
    }
    ip_end_other(t, s, dotted)
}

/// `ip_end` for the rest: trailing punctuation, IPv6, runs that are no address. `dotted` is
/// `dotted_run`'s answer.
#[inline(never)]
fn ip_end_other(t: &[u8], s: usize, dotted: u64) -> usize {
    let (mut i, mut dots, mut colons) = if dotted == NO_RUN { ip_run(t, s) } else { ((dotted >> 32) as usize, dotted as u32, 0) };
    // Sentence punctuation after an address is not part of it ("... peer 192.0.2.1.").
    while i > s && t.get(i - 1) == Some(&b'.') {
        i -= 1;
        dots -= 1;
    }
    if i > s + 1 && t.get(i - 1) == Some(&b':') && t.get(i - 2) != Some(&b':') {
        i -= 1;
        colons -= 1;
    }
    let v4 = dots == 3 && colons == 0;
    let v6 = colons >= 2 && dots == 0 || colons >= 2 && dots == 3;
    if i > s && (v4 || v6) { i } else { NOT_FOUND }
}

/// The run of address bytes from `s` and its dots and colons, one byte at a time.
#[inline(never)]
fn ip_run(t: &[u8], s: usize) -> (usize, u32, u32) {
    // Dots are counted in the low 8 bits, colons above.
    let (mut i, mut acc) = (s, 0u32);
    while let Some(&c) = t.get(i) {
        let k = IP_STEP[c as usize];
        if k == IP_STOP {
            break;
        }
        acc = acc.wrapping_add(k as u32);
        i += 1;
    }
    let (dots, colons) = (acc % COLON as u32, acc / COLON as u32);
    // Both, or a run too long for exact counts here: counted one by one.
    if dots != 0 && colons != 0 || i - s > 255 {
        return ip_run_ported(t, s);
    }
    (i, dots, colons)
}

/// `ip_run` for the common case, eight bytes at a time: a run of digits and dots (an IPv4
/// address), ended by a byte that is neither a hex digit nor a colon, or by a colon after a
/// dot (`192.0.2.1:500`, as `ip_run_ported` ends it). Returns its end and dots, or None for
/// anything else (hex letters, IPv6), which `ip_run` then reads. The last bytes of `t` are
/// read as one word shifted so that they come first; the zero bytes shifted in end the run.
/// The answer is packed in one integer (end << 32 | dots; NO_RUN for None), which wasm32
/// returns in a register.
#[inline(never)]
fn dotted_run(t: &[u8], s: usize) -> u64 {
    let n = t.len();
    if n < 8 || s >= n {
        return NO_RUN;
    }
    let (mut i, mut dots) = (s, 0u32);
    loop {
        // SAFETY: i < n and n >= 8: the word read ends at or before n.
        let w = if i + 8 <= n {
            u64::from_le(unsafe { (t.as_ptr().add(i) as *const u64).read_unaligned() })
        } else {
            u64::from_le(unsafe { (t.as_ptr().add(n - 8) as *const u64).read_unaligned() }) >> ((i + 8 - n) * 8)
        };
        let (digit, dot) = digits_and_dots(w);
        let stop = !(digit | dot) & HIGHS;
        if stop == 0 {
            dots += dot.count_ones();
            i += 8;
            if i >= n {
                return NO_RUN;
            }
            continue;
        }
        let below = stop & stop.wrapping_neg();
        dots += (dot & (below - 1)).count_ones();
        i += (stop.trailing_zeros() / 8) as usize;
        return match t.get(i) {
            Some(&c) if (c == b':' && dots == 0) || c.is_ascii_hexdigit() => NO_RUN,
            _ => (i as u64) << 32 | dots as u64,
        };
    }
}

/// The high bit of each byte of `w` that is an ASCII digit, and of each that is a dot: exact
/// up to the first byte that is neither (a borrow from a byte above 0xB9 spoils only the bytes
/// after it).
#[inline(always)]
fn digits_and_dots(w: u64) -> (u64, u64) {
    let ge0 = (w | HIGHS).wrapping_sub(ONES * 0x30);
    let le9 = (ONES * 0x39 | HIGHS).wrapping_sub(w);
    let digit = ge0 & le9 & !w & HIGHS;
    let x = w ^ (ONES * b'.' as u64);
    let nonzero = ((x & !HIGHS).wrapping_add(!HIGHS)) | x;
    (digit, !nonzero & HIGHS)
}

/// The address run from `s` when it holds both dots and colons: a colon after a dot ends it
/// (`192.0.2.1:500`; an IPv6 address with a dotted tail keeps its colons before the dots).
/// Returns its end, dots and colons.
#[inline(never)]
fn ip_run_ported(t: &[u8], s: usize) -> (usize, u32, u32) {
    let (mut i, mut dots, mut colons) = (s, 0u32, 0u32);
    while let Some(&c) = t.get(i) {
        match IP_STEP[c as usize] {
            1 => dots += 1,
            COLON if dots > 0 => break,
            COLON => colons += 1,
            0 => {}
            _ => break,
        }
        i += 1;
    }
    (i, dots, colons)
}

/// Captures a typed run starting at `i`; returns (start, end). Hex skips a `0x` prefix; Rest
/// takes the remainder of the text.
#[inline(always)]
fn typed_run(t: &[u8], i: usize, ty: HoleTy, stop: u8) -> Option<(usize, usize)> {
    let mut s = i;
    match ty {
        HoleTy::Rest => return Some((s, trim_end(t, s, t.len()))),
        HoleTy::Ip => {
            let e = ip_end(t, s);
            return (e != NOT_FOUND).then_some((s, e));
        }
        HoleTy::Hex if t.get(i) == Some(&b'0') && matches!(t.get(i + 1), Some(b'x' | b'X')) => s = i + 2,
        _ => {}
    }
    let e = if ty == HoleTy::Word { word_end(t, s, stop) } else { run_end(t, s, ty, stop) };
    (e > s).then_some((s, e))
}

/// Trailing spaces, `\r` and a literal `^M` are not part of a value at the end of a line.
fn trim_end(t: &[u8], s: usize, mut e: usize) -> usize {
    loop {
        if e > s && matches!(t.get(e - 1), Some(b' ' | b'\r' | b'\n' | b'\t')) {
            e -= 1;
        } else if e >= s + 2 && t.get(e - 2..e) == Some(b"^M") {
            e -= 2;
        } else {
            return e;
        }
    }
}

/// The matcher's step results that are not an index: the pattern failed from this start, or a literal
/// it searched for is absent from here on.
const FAILED: usize = usize::MAX - 1;
const IMPOSSIBLE: usize = usize::MAX;

/// A matcher step (catalogue::Step::run) at `pos`: returns the index after it, FAILED or
/// IMPOSSIBLE.
pub type StepFn = for<'t> fn(&'t [u8], usize, &Step, &mut Caps<'t>) -> usize;

/// The hole type a step function's const parameter names: its index in build.rs HOLE_TYPES.
pub(crate) const fn hole_ty(x: u8) -> HoleTy {
    match x {
        1 => HoleTy::Ip,
        2 => HoleTy::Num,
        3 => HoleTy::Hex,
        4 => HoleTy::Word,
        5 => HoleTy::Rest,
        _ => HoleTy::Lazy,
    }
}

/// A literal that must follow at once.
pub fn step_lit(t: &[u8], pos: usize, s: &Step, _: &mut Caps<'_>) -> usize {
    let l = s.lit();
    if starts_at(t, pos, l) { pos + l.len() } else { FAILED }
}

/// A lazy hole and the literal after it: the literal is searched for, and the hole captures
/// what lies before it.
pub fn step_lazy<'t>(t: &'t [u8], pos: usize, s: &Step, caps: &mut Caps<'t>) -> usize {
    let l = s.lit();
    let Some(at) = find_at(t, l, pos, s.rare) else { return IMPOSSIBLE };
    caps.push(t, s.field, pos, at);
    at + l.len()
}

/// `step_lazy` for a one-byte literal: a byte search, without `find_at`'s comparison.
pub fn step_lazy_byte<'t>(t: &'t [u8], pos: usize, s: &Step, caps: &mut Caps<'t>) -> usize {
    let Some(&c) = s.lit().first() else { return IMPOSSIBLE };
    let at = find_byte(t, c, pos);
    if at == NOT_FOUND {
        return IMPOSSIBLE;
    }
    caps.push(t, s.field, pos, at);
    at + 1
}

/// A typed hole (type TY, see `hole_ty`) and the literal after it: the hole captures its run,
/// which the literal must follow at once.
pub fn step_typed<'t, const TY: u8>(t: &'t [u8], pos: usize, s: &Step, caps: &mut Caps<'t>) -> usize {
    let l = s.lit();
    let Some((b, e)) = typed_run(t, pos, hole_ty(TY), l.first().copied().unwrap_or(0)) else { return FAILED };
    if !starts_at(t, e, l) {
        return FAILED;
    }
    caps.push(t, s.field, b, e);
    e + l.len()
}

/// A hole that no literal follows at once: the last one, a typed hole before another hole, or
/// one before or at the end of an optional part (a word then stops at the byte in the step's
/// literal).
pub fn step_alone<'t, const TY: u8>(t: &'t [u8], pos: usize, s: &Step, caps: &mut Caps<'t>) -> usize {
    let ty = hole_ty(TY);
    if ty == HoleTy::Lazy {
        // Only at the end (build.rs): the rest of the text, trimmed.
        let e = trim_end(t, pos, t.len());
        caps.push(t, s.field, pos, e);
        return if e > pos { t.len() } else { FAILED };
    }
    let Some((b, e)) = typed_run(t, pos, ty, s.lit().first().copied().unwrap_or(0)) else { return FAILED };
    caps.push(t, s.field, b, e);
    if ty == HoleTy::Rest { t.len() } else { e }
}

/// An optional part (`{?...?}`): its steps from `pos`, or, when they fail, nothing (its
/// captures are given up). It never backtracks: once it matched, it stays.
pub fn step_optional<'t>(t: &'t [u8], pos: usize, s: &Step, caps: &mut Caps<'t>) -> usize {
    let (set, bytes) = (caps.set, caps.bytes);
    let n = match_from(s.part(), t, pos, caps);
    if n < FAILED {
        return n;
    }
    // A field captured in a part is captured nowhere else in the pattern (build.rs), so
    // clearing the bits gives up exactly the part's captures.
    (caps.set, caps.bytes) = (set, bytes);
    pos
}

/// A lazy hole at the end of a leading optional part: it runs to the end of the text it is
/// given, which ends where the rest of the pattern begins (`step_prefix`), untrimmed and
/// possibly empty.
pub fn step_to_end<'t>(t: &'t [u8], pos: usize, s: &Step, caps: &mut Caps<'t>) -> usize {
    caps.push(t, s.field, pos, t.len());
    t.len()
}

/// A pattern's leading optional part (`{?...?}` before its first literal), the last step: once
/// the rest matched, the part is looked for in the text before the rest's head literal, and
/// must end where that literal begins. Its first step is its first literal, which is searched
/// for (at most MAX_STARTS occurrences are tried). Returns `pos` whether the part is there or
/// not; when it is not, its captures are given up.
pub fn step_prefix<'t>(t: &'t [u8], pos: usize, s: &Step, caps: &mut Caps<'t>) -> usize {
    let (Some(before), Some((first, rest))) = (t.get(..caps.start), s.part().split_first()) else { return pos };
    let (set, bytes) = (caps.set, caps.bytes);
    let l = first.lit();
    let mut from = 0;
    for _ in 0..MAX_STARTS {
        let at = find_index(before, l, from, first.rare);
        if at == NOT_FOUND {
            break;
        }
        let n = match_from(rest, before, at + l.len(), caps);
        if n == before.len() {
            return pos;
        }
        (caps.set, caps.bytes) = (set, bytes);
        if n == IMPOSSIBLE {
            break;
        }
        from = at + 1;
    }
    pos
}

/// Matches the steps, anchored at `pos`: a hole and the literal after it are one step (build.rs
/// pairs them), so the loop turns once per hole. Returns the index after the last step, or
/// FAILED (a later start might match) or IMPOSSIBLE (a literal searched for is absent from
/// here on, so no later start can match either).
#[inline(never)]
fn match_from<'t>(steps: &[Step], t: &'t [u8], mut pos: usize, caps: &mut Caps<'t>) -> usize {
    for step in steps {
        let n = (step.run)(t, pos, step, caps);
        if n >= FAILED {
            return n;
        }
        pos = n;
    }
    pos
}

/// At most this many occurrences of a pattern's first literal are tried, so that matching stays
/// linear in the text whatever it holds.
const MAX_STARTS: usize = 16;

/// Start of the run of `ty` characters that ends at `at`, for a pattern that begins with a
/// typed hole.
#[inline(never)]
fn run_start(t: &[u8], at: usize, ty: HoleTy) -> usize {
    let mut s = at;
    while s > 0 && t.get(s - 1).is_some_and(|&c| run_class(ty, c, 0)) {
        s -= 1;
    }
    s
}

/// The first occurrence of head literal `l` in `t` (NOT_FOUND if none), from the cache in
/// `caps` when the last pattern matched against `t` began with the same literal.
#[inline(never)]
fn first_head(t: &[u8], l: &'static [u8], k: u8, caps: &mut Caps<'_>) -> usize {
    let key = (l.as_ptr(), l.len(), t.as_ptr());
    if (caps.head.0, caps.head.1, caps.head.2) == key {
        return caps.head.3;
    }
    let at = find_index(t, l, 0, k);
    caps.head = (key.0, key.1, key.2, at);
    at
}

/// Matches pattern `p` anywhere in `t`. On success the captures are in `caps`.
#[inline(never)]
pub fn matches<'t>(p: &Pattern, t: &'t [u8], caps: &mut Caps<'t>) -> bool {
    let steps = p.steps();
    match p.head() {
        Head::Lit(l, k) => {
            let first = first_head(t, l, k, caps);
            let mut from = 0;
            for n in 0..MAX_STARTS {
                let at = if n == 0 { first } else { find_index(t, l, from, k) };
                if at == NOT_FOUND {
                    return false;
                }
                caps.clear();
                caps.start = at;
                match match_from(steps, t, at + l.len(), caps) {
                    FAILED => from = at + 1,
                    IMPOSSIBLE => return false,
                    _ => return true,
                }
            }
            false
        }
        Head::Typed(f, ty, l, k) => matches_typed(steps, f, ty, l, k, t, caps),
    }
}

/// `matches` for a pattern that begins with a typed hole (`Head::Typed`): few do, so this is
/// out of line (wasmi charges a function's straight-line body whole on entry).
#[inline(never)]
fn matches_typed<'t>(steps: &[Step], f: u8, ty: HoleTy, l: &'static [u8], k: u8, t: &'t [u8], caps: &mut Caps<'t>) -> bool {
    // A leading typed hole: find the literal, then take the run just before it.
    let mut from = 0;
    for _ in 0..MAX_STARTS {
        let Some(at) = find_at(t, l, from, k) else { return false };
        let s = run_start(t, at, ty);
        if let Some((cs, ce)) = typed_run(t, s, ty, l.first().copied().unwrap_or(0)) {
            if ce == at {
                caps.clear();
                caps.push(t, f, cs, ce);
                match match_from(steps, t, at + l.len(), caps) {
                    FAILED => {}
                    IMPOSSIBLE => return false,
                    _ => return true,
                }
            }
        }
        from = at + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn field(name: &str) -> u8 {
        match crate::fields::find_field(name) {
            Some(f) => f as u8,
            None => panic!("no such field"),
        }
    }
    const SERIAL: u8 = field("serial");
    const TUNNEL: u8 = field("tunnel");

    /// The captures of `p` in `t` (None: no match), in field order, as `Caps::fields` gives them.
    fn captured(p: &Pattern, t: &[u8]) -> Option<Vec<(usize, String)>> {
        let mut caps = Caps::default();
        matches(p, t, &mut caps).then(|| caps.fields().map(|(f, v)| (f, String::from_utf8_lossy(v).into_owned())).collect())
    }

    /// A match with these captures, in field order.
    fn with(captures: &[(u8, &str)]) -> Option<Vec<(usize, String)>> {
        let mut v: Vec<(usize, String)> = captures.iter().map(|&(f, t)| (f as usize, t.to_string())).collect();
        v.sort();
        Some(v)
    }

    /// `id={?{serial:num}/{tunnel:word}:?}{_}end`, as build.rs compiles it: a part that fails
    /// after it captured gives its captures up, and matching goes on where the part began.
    #[test]
    fn an_optional_part_that_fails_gives_up_its_captures() {
        static PART: [Step; 2] = [
            Step { run: step_typed::<2>, lit_ptr: b"/".as_ptr(), lit_len: 1, field: SERIAL, rare: 0 },
            Step { run: step_typed::<4>, lit_ptr: b":".as_ptr(), lit_len: 1, field: TUNNEL, rare: 0 },
        ];
        static STEPS: [Step; 2] = [
            Step { run: step_optional, lit_ptr: PART.as_ptr() as *const u8, lit_len: 2, field: SKIP, rare: 0 },
            Step { run: step_lazy, lit_ptr: b"end".as_ptr(), lit_len: 3, field: SKIP, rare: 0 },
        ];
        let p = Pattern { head_ptr: b"id=".as_ptr(), steps_ptr: STEPS.as_ptr(), head_len: 3, head_rare: 0, head_field: 0, head_ty: HEAD_LIT, steps_len: 2 };
        assert_eq!(captured(&p, b"id=7/a: end"), with(&[(SERIAL, "7"), (TUNNEL, "a")]));
        assert_eq!(captured(&p, b"id=7/a end"), with(&[]));
        assert_eq!(captured(&p, b"id=7x"), None);
    }

    /// `{?<{tunnel}|{serial:num}> ?}established`: the prefix is looked for before the rest's
    /// literal and must end right there; a start where it fails is retried at the next
    /// occurrence of its first literal, and a prefix that does not end there is given up.
    #[test]
    fn a_leading_optional_part_ends_where_the_rest_begins() {
        static PART: [Step; 3] = [
            Step { run: step_lit, lit_ptr: b"<".as_ptr(), lit_len: 1, field: SKIP, rare: 0 },
            Step { run: step_lazy_byte, lit_ptr: b"|".as_ptr(), lit_len: 1, field: TUNNEL, rare: 0 },
            Step { run: step_typed::<2>, lit_ptr: b"> ".as_ptr(), lit_len: 2, field: SERIAL, rare: 0 },
        ];
        static STEPS: [Step; 1] = [Step { run: step_prefix, lit_ptr: PART.as_ptr() as *const u8, lit_len: 3, field: SKIP, rare: 0 }];
        let p = Pattern { head_ptr: b"established".as_ptr(), steps_ptr: STEPS.as_ptr(), head_len: 11, head_rare: 0, head_field: 0, head_ty: HEAD_LIT, steps_len: 1 };
        assert_eq!(captured(&p, b"x <vpn|3> established"), with(&[(TUNNEL, "vpn"), (SERIAL, "3")]));
        assert_eq!(captured(&p, b"x <vpn|3>  established"), with(&[]));
        assert_eq!(captured(&p, b"established"), with(&[]));
        assert_eq!(captured(&p, b"<a|b> <vpn|4> established"), with(&[(TUNNEL, "vpn"), (SERIAL, "4")]));
        assert_eq!(captured(&p, b"x <vpn|3> "), None);
    }

    /// `starts_at` against slice equality, for every needle length, position and one
    /// differing byte anywhere in the needle.
    #[test]
    fn starts_at_agrees_with_slice_equality() {
        let hay: Vec<u8> = (0..40u8).map(|c| b'a' + c % 26).collect();
        for at in 0..=hay.len() + 1 {
            for n in 0..=hay.len() + 1 - at.min(hay.len()) {
                let Some(same) = hay.get(at..at + n) else {
                    assert!(!starts_at(&hay, at, &vec![b'a'; n]), "at={at} n={n}");
                    continue;
                };
                assert!(starts_at(&hay, at, same), "at={at} n={n}");
                for d in 0..n {
                    let mut other = same.to_vec();
                    other[d] ^= 0x20;
                    assert!(!starts_at(&hay, at, &other), "at={at} n={n} differs at {d}");
                }
            }
        }
    }

    /// `words_eq` against slice equality, for every length from 8 to 40 and one differing
    /// byte anywhere.
    #[test]
    fn words_eq_agrees_with_slice_equality() {
        let a: Vec<u8> = (0..40u8).map(|c| b'a' + c % 26).collect();
        for n in 8..=a.len() {
            // SAFETY: both slices hold n bytes.
            assert!(unsafe { words_eq(a.as_ptr(), a.clone().as_ptr(), n) }, "n={n}");
            for d in 0..n {
                let mut b = a.clone();
                b[d] ^= 0x20;
                assert!(!unsafe { words_eq(a.as_ptr(), b.as_ptr(), n) }, "n={n} differs at {d}");
            }
        }
    }

    /// `dotted_run`, where it answers, against `ip_run` (one byte at a time), on every string
    /// of address-like bytes up to 19 long from a small alphabet, at every start; and `ip_end`
    /// (its dotted-quad shortcut) against its general path on `ip_run`.
    #[test]
    fn dotted_run_agrees_with_the_byte_loop() {
        let alphabet = b"09.:a ]\xc3";
        let mut checked = 0;
        for len in 8..20 {
            for seed in 0..3000u64 {
                let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ len as u64;
                let t: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        // Mostly digits and dots, as addresses are.
                        let k = (x % 16) as usize;
                        if k < alphabet.len() { alphabet[k] } else if k < 13 { b'0' + (x >> 8) as u8 % 10 } else { b'.' }
                    })
                    .collect();
                for s in 0..len {
                    // ip_end's shortcut for a dotted quad agrees with its general path.
                    assert_eq!(ip_end(&t, s), ip_end_other(&t, s, NO_RUN), "{:?} from {s}", String::from_utf8_lossy(&t));
                    let d = dotted_run(&t, s);
                    if d != NO_RUN {
                        let (i, dots) = ((d >> 32) as usize, d as u32);
                        assert_eq!((i, dots, 0), ip_run(&t, s), "{:?} from {s}", String::from_utf8_lossy(&t));
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    /// `word_end` against a byte-at-a-time reference, for every length, start, stop byte and
    /// position of one ending byte (and of one before the start, which must not be seen).
    #[test]
    fn word_end_agrees_with_a_byte_loop() {
        let reference = |t: &[u8], mut i: usize, stop: u8| {
            while t.get(i).is_some_and(|&c| c > b' ' && c != stop) {
                i += 1;
            }
            i
        };
        for n in 0..26 {
            for &stop in &[b']', b' ', 0, 0xE5] {
                for &end in &[b' ', b'\t', 0, 0x20, b']', 0xE5, 0x80] {
                    for at in 0..=n {
                        let mut t = vec![b'x'; n];
                        if at < n {
                            t[at] = end;
                        }
                        for i in 0..=n {
                            assert_eq!(word_end(&t, i, stop), reference(&t, i, stop), "n={n} stop={stop:#x} end={end:#x} at={at} i={i}");
                        }
                    }
                }
            }
        }
    }
}
