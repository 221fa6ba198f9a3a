//! Anchor dispatch: one pass over a text finds every catalogue anchor in it, whatever the
//! number of rules. At each tested position a window of the text is hashed (eight bytes at
//! every 8th position in the message and the other sparse slots, four bytes at every position
//! elsewhere); a bit filter turns most positions away at once, and the others walk their bucket
//! of the table build.rs made.

use crate::catalogue::{ANCHORS, ENTRIES, FILTER, HEAD, SPARSE_SLOTS, STRIDE};

/// Must match HASH_BITS, FILTER_BITS and the ENTRY_ constants in build.rs.
const HASH_BITS: u32 = 12;
const FILTER_BITS: u32 = 17;
const ENTRY_REL_BITS: u32 = 7;
const ENTRY_ANCHOR_BITS: u32 = 10;
const ENTRY_TAG_BITS: u32 = 4;
const ENTRY_TAG_SHIFT: u32 = ENTRY_REL_BITS + ENTRY_ANCHOR_BITS;
const ENTRY_CHECK_SHIFT: u32 = ENTRY_TAG_SHIFT + ENTRY_TAG_BITS;

/// At most this many (rule, slot) candidates per record; more are ignored.
pub const MAX_CANDIDATES: usize = 64;

/// Rules whose anchor occurs in the record, with the slot it occurs in: each item is
/// `rule << 8 | slot` (`candidate` reads it), so that items sort by rule, then slot, as
/// integers, and a zeroed table (one fill, not a store per item) starts the filter.
pub struct Candidates {
    pub n: usize,
    pub items: [u32; MAX_CANDIDATES],
}

impl Default for Candidates {
    fn default() -> Self {
        Candidates { n: 0, items: [0; MAX_CANDIDATES] }
    }
}

/// An item of `Candidates` as (rule index, slot).
#[inline(always)]
pub fn candidate(item: u32) -> (u16, u8) {
    ((item >> 8) as u16, item as u8)
}

impl Candidates {
    #[inline(always)]
    fn push(&mut self, rule: u16, slot: u8) {
        if let Some(x) = self.items.get_mut(self.n) {
            *x = (rule as u32) << 8 | slot as u32;
            self.n += 1;
        }
    }

    /// Candidates in catalogue order (rule priority), insertion-sorted: the list is short and
    /// usually sorted already. Duplicates stay; the caller skips them. A list of one is
    /// returned as it is; a longer one is sorted out of line (wasmi charges a function's
    /// straight-line body whole, and most records have one candidate).
    #[inline(always)]
    pub fn sorted(&mut self) -> &[u32] {
        if self.n > 1 {
            return self.sort();
        }
        self.items.get(..self.n).unwrap_or(&[])
    }

    #[inline(never)]
    fn sort(&mut self) -> &[u32] {
        let Some(items) = self.items.get_mut(..self.n) else { return &[] };
        for i in 1..items.len() {
            let mut j = i;
            while j > 0 && items[j - 1] > items[j] {
                items.swap(j - 1, j);
                j -= 1;
            }
        }
        items
    }
}

/// Adds the rules of every anchor that occurs in `text` for `slot`. The message slot, and every
/// other slot whose anchors are all long enough (SPARSE_SLOTS), is tested at every STRIDE-th
/// position by an eight-byte window (build.rs enters each of their anchors once per residue);
/// the rest, whose short anchors need it, at every position by a four-byte window. The
/// skipping of empty buckets lives in a loop of its own (`next_wide_hit`, `next_hit`): an
/// interpreter charges for every instruction of a loop body at every step, so the body holds
/// only the window test.
#[inline(always)]
pub fn scan(text: &[u8], slot: u8, out: &mut Candidates) {
    // Two functions, as wasmi charges a function's straight-line body whole on entry; the
    // message slot's callers name their slot, so that the choice is made when compiling.
    if SPARSE_SLOTS >> slot & 1 == 1 { scan_sparse(text, slot, out) } else { scan_dense(text, slot, out) }
}

/// `scan` for a sparse slot: eight-byte windows at every STRIDE-th position.
#[inline(never)]
fn scan_sparse(text: &[u8], slot: u8, out: &mut Candidates) {
    scan_windows::<true>(text, slot, out);
}

/// `scan` for a dense slot: four-byte windows at every position.
#[inline(never)]
fn scan_dense(text: &[u8], slot: u8, out: &mut Candidates) {
    scan_windows::<false>(text, slot, out);
}

/// The walk of `scan_sparse` (WIDE) and `scan_dense`: the skipping loop finds the next window
/// that passes the filter, whose bucket is then walked.
#[inline(always)]
fn scan_windows<const WIDE: bool>(text: &[u8], slot: u8, out: &mut Candidates) {
    // Sparse anchors are longer than a window: a shorter text holds none.
    let Some(last) = text.len().checked_sub(if WIDE { 8 } else { 4 }) else { return };
    // On pointers: the skipping loop then steps one pointer and no index beside it.
    let (base, last) = (text.as_ptr(), text.as_ptr().wrapping_add(last));
    let mut p = base;
    loop {
        p = if WIDE { next_wide_hit(p, last) } else { next_hit(p, last) };
        if p > last {
            return;
        }
        let i = (p as usize).wrapping_sub(base as usize);
        let x = if WIDE { wide_hash(wide_window(text, i)) } else { hash(window(text, i)) };
        bucket(text, i, x, slot, out);
        p = p.wrapping_add(if WIDE { STRIDE } else { 1 });
    }
}

#[inline(always)]
fn window(text: &[u8], i: usize) -> u32 {
    // SAFETY: callers keep i + 4 <= text.len().
    u32::from_le(unsafe { (text.as_ptr().add(i) as *const u32).read_unaligned() })
}

#[inline(always)]
fn hash(w: u32) -> u32 {
    w.wrapping_mul(0x9E37_79B1)
}

#[inline(always)]
fn wide_window(text: &[u8], i: usize) -> u64 {
    // SAFETY: callers keep i + 8 <= text.len().
    u64::from_le(unsafe { (text.as_ptr().add(i) as *const u64).read_unaligned() })
}

/// Must match build.rs `wide_hash`.
#[inline(always)]
fn wide_hash(w: u64) -> u32 {
    (w.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32
}

/// Whether some entered window has the hash `x` (or one that agrees in FILTER_BITS bits).
#[inline(always)]
fn in_filter(x: u32) -> bool {
    let f = x >> (32 - FILTER_BITS);
    // SAFETY: f has FILTER_BITS bits: f / 32 < FILTER.len().
    (unsafe { *FILTER.get_unchecked((f / 32) as usize) }) >> (f % 32) & 1 != 0
}

/// The first address from `p` on whose four-byte window passes the filter, or an address past
/// `last`, the last address of a text where four bytes remain.
#[inline(never)]
fn next_hit(mut p: *const u8, last: *const u8) -> *const u8 {
    // SAFETY: p <= last, and four bytes of the text start at last.
    while p <= last && !in_filter(hash(u32::from_le(unsafe { (p as *const u32).read_unaligned() }))) {
        p = p.wrapping_add(1);
    }
    p
}

/// The first address from `p` on, in steps of STRIDE, whose eight-byte window passes the
/// filter, or an address past `last`, the last address of a text where eight bytes remain.
#[inline(never)]
fn next_wide_hit(mut p: *const u8, last: *const u8) -> *const u8 {
    // SAFETY: p <= last, and eight bytes of the text start at last.
    while p <= last && !in_filter(wide_hash(u64::from_le(unsafe { (p as *const u64).read_unaligned() }))) {
        p = p.wrapping_add(STRIDE);
    }
    p
}

/// Walks the bucket of the window hash `x` at `i`. An entry is verified (out of line, so that
/// the loop stays small) when its check bits equal the hash's and its tag equals that of the
/// text's four bytes where the anchor's first or last four would be (`rel` bytes from the
/// window, build.rs chose which): anchors that share this window are mostly told apart here
/// (FortiGate's logids differ in their last digits, "IKE SA established" and "IPsec SA
/// established" in their first).
#[inline(never)]
fn bucket(text: &[u8], i: usize, x: u32, slot: u8, out: &mut Candidates) {
    let h = (x >> (32 - HASH_BITS)) as usize;
    let (Some(&from), Some(&to)) = (HEAD.get(h), HEAD.get(h + 1)) else { return };
    let check = x << HASH_BITS >> ENTRY_CHECK_SHIFT;
    // A window lies at i, so text.len() >= 4.
    let last = text.len().wrapping_sub(4);
    for &e in ENTRIES.get(from as usize..to as usize).unwrap_or(&[]) {
        if e >> ENTRY_CHECK_SHIFT == check {
            let at = i.wrapping_add(rel(e) as usize);
            if at <= last && hash(window(text, at)) >> (32 - ENTRY_TAG_BITS) == e >> ENTRY_TAG_SHIFT & ((1 << ENTRY_TAG_BITS) - 1) {
                verify(text, at, e, slot, out);
            }
        }
    }
}

/// An entry's `rel`: the tag's offset from the window, sign-extended.
#[inline(always)]
fn rel(e: u32) -> isize {
    ((e << (32 - ENTRY_REL_BITS)) as i32 >> (32 - ENTRY_REL_BITS)) as isize
}

/// Checks that the anchor of entry `e`, whose tagged four bytes are at `at` in the text,
/// occurs there, and adds its rules.
#[inline(never)]
fn verify(text: &[u8], at: usize, e: u32, slot: u8, out: &mut Candidates) {
    let a = (e >> ENTRY_REL_BITS & ((1 << ENTRY_ANCHOR_BITS) - 1)) as usize;
    let Some(an) = ANCHORS.get(a) else { return };
    let anchor_text = an.text();
    // The tagged bytes are the anchor's last four (rel > 0) or its first four.
    let start = if rel(e) > 0 { (at + 4).wrapping_sub(anchor_text.len()) } else { at };
    if start > text.len() || text.len() - start < anchor_text.len() || an.slots >> slot & 1 == 0 {
        return;
    }
    let found = if anchor_text.len() >= 8 {
        // SAFETY: start + anchor_text.len() <= text.len() (checked above).
        unsafe { crate::template::words_eq(text.as_ptr().add(start), anchor_text.as_ptr(), anchor_text.len()) }
    } else {
        short_at(text, start, anchor_text)
    };
    if found {
        for &r in an.rules() {
            out.push(r, slot);
        }
    }
}

/// `starts_at` for anchors shorter than eight bytes (in the slots tested at every position).
#[inline(never)]
fn short_at(text: &[u8], start: usize, anchor: &[u8]) -> bool {
    crate::template::starts_at(text, start, anchor)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every anchor is found in every slot it is for, wherever it starts (each residue of the
    /// stride) and whether text follows it or not.
    #[test]
    fn every_anchor_is_found_at_every_alignment() {
        for an in ANCHORS.iter() {
            for slot in (0..32u8).filter(|s| an.slots >> s & 1 == 1) {
                for pad in 0..2 * STRIDE + 1 {
                    for tail in [&b""[..], b" ~~~~~~~"] {
                        let mut t = vec![b'~'; pad];
                        t.extend_from_slice(an.text());
                        t.extend_from_slice(tail);
                        let mut c = Candidates::default();
                        scan(&t, slot, &mut c);
                        for &r in an.rules() {
                            assert!(c.items[..c.n].iter().any(|&x| candidate(x) == (r, slot)), "{:?} in slot {slot} after {pad} bytes", String::from_utf8_lossy(an.text()));
                        }
                    }
                }
            }
        }
    }
}
