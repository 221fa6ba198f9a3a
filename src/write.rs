//! Output: the original record bytes with the classification appended as one more member of the
//! root object. Nothing of the original is re-encoded. The rule's own fields come from texts
//! build.rs rendered once each (catalogue::Rule::head...); only the record's values are escaped
//! here.

use crate::classify::{Classification, Val};
use crate::fields::{FIELDS, GROUPS};
use crate::json;

/// Room enough for one field's separators and name: closing two groups, a comma, opening two
/// groups and the leaf (`"notification":` ...), whatever the field.
const FIELD_ROOM: usize = {
    let (mut leaf, mut open, mut i) = (0, 0, 0);
    while i < FIELDS.len() {
        if FIELDS[i].leaf.len() > leaf {
            leaf = FIELDS[i].leaf.len();
        }
        i += 1;
    }
    i = 0;
    while i < GROUPS.len() {
        if GROUPS[i].0.len() > open {
            open = GROUPS[i].0.len();
        }
        i += 1;
    }
    leaf + 2 * open + 4
};

/// Appends `b`, for which the caller reserved room: one copy, no capacity check (this is the
/// path every classified record takes, and each check is paid for in the interpreter).
#[inline(always)]
fn put(out: &mut Vec<u8>, b: &[u8]) {
    let n = out.len();
    debug_assert!(out.capacity() - n >= b.len());
    // SAFETY: every caller reserves at least b.len() bytes of spare capacity before it puts
    // them (`member`, `enter`, `value`, `quoted`), and a slice never overlaps the spare capacity.
    unsafe {
        core::ptr::copy_nonoverlapping(b.as_ptr(), out.as_mut_ptr().add(n), b.len());
        out.set_len(n + b.len());
    }
}

/// Appends `"key":{...}` for the classification.
#[inline(never)]
pub fn member(out: &mut Vec<u8>, key: &[u8], c: &Classification) {
    let r = c.rule;
    let (head, sev, tail, hint, after, id) = (r.head(), c.severity.as_bytes(), r.tail(), r.hint_json(), r.after(), r.id_tail.as_bytes());
    out.reserve(key.len() + head.len() + sev.len() + tail.len() + hint.len() + after.len() + id.len() + 6);
    put(out, b"\"");
    put(out, key);
    put(out, b"\":{");
    put(out, head);
    put(out, sev);
    put(out, tail);
    put(out, hint);
    put(out, after);
    put(out, id);
    put(out, b"\"");
    let mut group = 0u8;
    let mut m = c.set;
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        let Some(field) = FIELDS.get(i) else { break };
        out.reserve(FIELD_ROOM);
        if field.group == group {
            put(out, b",");
        } else {
            enter(out, group, field.group);
            group = field.group;
        }
        put(out, field.leaf.as_bytes());
        match c.set_val(i) {
            Val::Str(s) => string(out, s),
            v => value(out, v),
        }
    }
    out.reserve(4);
    let mut g = group;
    while g != 0 {
        put(out, b"}");
        g = parent(g);
    }
    put(out, b"}");
}

pub(crate) fn parent(g: u8) -> u8 {
    GROUPS.get(g as usize).map_or(0, |x| x.1)
}

/// For each pair of groups (from, to): how many groups to close (bits 0-1), and the groups to
/// open then (bits 2-4 and 5-7; 0: none), so that `enter` only copies. Groups nest at most two
/// deep, and there are at most 8 of them; the members of one group are contiguous in FIELDS.
const TRANSITIONS: [[u8; GROUPS.len()]; GROUPS.len()] = {
    assert!(GROUPS.len() <= 8);
    const fn parent_of(g: usize) -> usize {
        GROUPS[g].1 as usize
    }
    let mut t = [[0u8; GROUPS.len()]; GROUPS.len()];
    let mut from = 0;
    while from < GROUPS.len() {
        let mut to = 0;
        while to < GROUPS.len() {
            let (pf, pt) = (parent_of(from), parent_of(to));
            // The closest common ancestor (0, the `vpn` object, is everyone's).
            let common = if pt == from {
                from
            } else if pf == to {
                to
            } else if pf == pt {
                pt
            } else {
                0
            };
            let mut closes = 0u8;
            let mut g = from;
            while g != common {
                closes += 1;
                g = parent_of(g);
            }
            let (mut o1, mut o2) = (0u8, 0u8);
            if to != common {
                if pt != common {
                    o1 = pt as u8;
                    o2 = to as u8;
                } else {
                    o1 = to as u8;
                }
            }
            t[from][to] = closes | o1 << 2 | o2 << 5;
            to += 1;
        }
        from += 1;
    }
    t
};

/// Leaves group `from` for group `to`: closes up to their common ancestor, then opens down to
/// `to`, so that the caller writes the next member without a comma.
#[inline(never)]
pub(crate) fn enter(out: &mut Vec<u8>, from: u8, to: u8) {
    out.reserve(FIELD_ROOM);
    let x = TRANSITIONS.get(from as usize).and_then(|r| r.get(to as usize)).copied().unwrap_or(0);
    let (closes, o1, o2) = (x & 3, x >> 2 & 7, x >> 5);
    for _ in 0..closes {
        put(out, b"}");
    }
    // The group we are in has members already (the root always does), hence the comma.
    put(out, b",");
    for g in [o1, o2] {
        if g != 0 {
            put(out, GROUPS.get(g as usize).map_or("", |x| x.0).as_bytes());
        }
    }
}

/// A string value, quoted, escaped where JSON requires (rarely, in log text).
#[inline(never)]
fn string(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len() + 2);
    put(out, b"\"");
    let i = json::clean_run(s, 0);
    if i == s.len() {
        put(out, s);
    } else {
        json::escape_from(s, i, out);
        out.reserve(1);
    }
    put(out, b"\"");
}

#[inline(never)]
pub(crate) fn value(out: &mut Vec<u8>, v: Val) {
    match v {
        Val::Str(s) => string(out, s),
        Val::Num(d) => {
            out.reserve(d.len() + 1);
            put(out, if d.is_empty() { b"0" } else { d });
        }
        Val::Bool(b) => {
            out.reserve(5);
            put(out, if b { b"true" } else { b"false" });
        }
        Val::None => {
            out.reserve(4);
            put(out, b"null");
        }
    }
}
