//! Anchor dispatch: one pass over a text finds every catalogue anchor in it, whatever the
//! number of rules. At each position the next four bytes are hashed into the table build.rs
//! made; most positions find an empty bucket and cost a handful of instructions.

use crate::catalogue::{ANCHORS, HEAD, NEXT};

/// Must match HASH_BITS in build.rs.
const HASH_BITS: u32 = 12;

/// At most this many (rule, slot) candidates per record; more are ignored.
pub const MAX_CANDIDATES: usize = 64;

/// Rules whose anchor occurs in the record, with the slot it occurs in.
pub struct Candidates {
    pub n: usize,
    pub items: [(u16, u8); MAX_CANDIDATES],
}

impl Default for Candidates {
    fn default() -> Self {
        Candidates { n: 0, items: [(0, 0); MAX_CANDIDATES] }
    }
}

impl Candidates {
    fn push(&mut self, rule: u16, slot: u8) {
        if self.items[..self.n].contains(&(rule, slot)) || self.n >= MAX_CANDIDATES {
            return;
        }
        self.items[self.n] = (rule, slot);
        self.n += 1;
    }

    /// Candidates in catalogue order (rule priority), insertion-sorted: the list is short.
    pub fn sorted(&mut self) -> &[(u16, u8)] {
        let items = &mut self.items[..self.n];
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

/// Adds the rules of every anchor that occurs in `text` for `slot`. The loop body is kept tiny
/// (an interpreter charges for every instruction of it at every position); a non-empty bucket
/// is handled out of line.
#[inline(never)]
pub fn scan(text: &[u8], slot: u8, out: &mut Candidates) {
    if text.len() < 4 {
        return;
    }
    let last = text.len() - 4;
    let p = text.as_ptr();
    let mut i = 0;
    while i <= last {
        // SAFETY: i + 4 <= text.len().
        let w = unsafe { (p.add(i) as *const u32).read_unaligned() };
        let h = (u32::from_le(w).wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize;
        // SAFETY: h < 1 << HASH_BITS == HEAD.len().
        let e = unsafe { *HEAD.get_unchecked(h) };
        if e != 0 {
            bucket(text, i, e, slot, out);
        }
        i += 1;
    }
}

/// Verifies the anchors of one bucket at position `i`.
#[inline(never)]
fn bucket(text: &[u8], i: usize, mut e: u16, slot: u8, out: &mut Candidates) {
    let bit = 1u32 << slot;
    let rest = text.get(i..).unwrap_or(&[]);
    while e != 0 {
        let Some(&(a, next)) = NEXT.get(e as usize - 1) else { break };
        if let Some(an) = ANCHORS.get(a as usize) {
            if an.slots & bit != 0 && rest.starts_with(an.text) {
                for &r in an.rules {
                    out.push(r, slot);
                }
            }
        }
        e = next;
    }
}
