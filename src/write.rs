//! Output: the original record bytes with the classification appended as one more member of the
//! root object. Nothing of the original is re-encoded. The rule's own fields come from texts
//! build.rs rendered once each (catalogue::Rule::head...); only the record's values are escaped
//! here.

use crate::classify::{Classification, Val};
use crate::fields::{FIELDS, FieldType, GROUPS};
use crate::json;

/// Room enough for one field's separators, name and quotes: closing two groups, a comma,
/// opening two groups, the leaf (`"bgp":{"notification":{"direction":` ...) and two quotes,
/// whatever the field.
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
    leaf + 2 * open + 6
};

/// Appends `b`, for which the caller reserved room: one copy, no capacity check (this is the
/// path every classified record takes, and each check is paid for in the interpreter).
#[inline(always)]
fn put(out: &mut Vec<u8>, b: &[u8]) {
    let n = out.len();
    debug_assert!(out.capacity() - n >= b.len());
    // SAFETY: every caller reserves at least b.len() bytes of spare capacity before it puts
    // them (`member`, `string`, `escaped_string`, `value`), and a slice never overlaps the
    // spare capacity.
    unsafe {
        core::ptr::copy_nonoverlapping(b.as_ptr(), out.as_mut_ptr().add(n), b.len());
        out.set_len(n + b.len());
    }
}

/// Appends `"key":{...}` for the classification.
#[inline(never)]
pub fn member(out: &mut Vec<u8>, key: &[u8], c: &Classification) {
    let r = c.rule;
    let (head, sev, tail, hint, after, id) = (r.head(), c.severity.as_bytes(), r.tail(), r.hint_json(), r.after(), r.id_tail().as_bytes());
    // Room for all of it but what escaping adds (`string` makes its own room).
    let fields = c.set.count_ones() as usize * FIELD_ROOM + c.bytes;
    out.reserve(key.len() + head.len() + sev.len() + tail.len() + hint.len() + after.len() + id.len() + 6 + fields);
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
    // Two loops, one for text that needs no escaping (most): wasmi charges a loop's whole body
    // at every turn, and the clean loop has no call to the escaping writer.
    let group = if c.clean { write_fields::<true>(out, c, fields) } else { write_fields::<false>(out, c, fields) };
    out.reserve(4);
    let mut g = group;
    while g != 0 {
        put(out, b"}");
        g = parent(g);
    }
    put(out, b"}");
}

/// Writes the fields of `c` after its rule's own (`member`), for which `fields` bytes are
/// reserved; CLEAN: `c.clean`. Returns the group the last field is in.
#[inline(always)]
fn write_fields<const CLEAN: bool>(out: &mut Vec<u8>, c: &Classification, fields: usize) -> u8 {
    let mut group = 0u8;
    let mut m = c.set;
    // The fields are written through a cursor, the length stored once at the end: `fields`
    // bytes are reserved, and each field takes at most FIELD_ROOM plus its text.
    let (mut base, mut n) = (out.as_mut_ptr(), out.len());
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        let Some(field) = FIELDS.get(i) else { break };
        let t = c.text(i);
        let quoted = (field.ty == FieldType::Str) as usize;
        // SAFETY (the copies and stores below): n <= the reserved room, see above; a quote byte
        // stored where an unquoted value follows is overwritten by it (or lies past the end).
        unsafe {
            let to = transition(group, field.group);
            core::ptr::copy_nonoverlapping(to.as_ptr(), base.add(n), to.len());
            n += to.len();
            group = field.group;
            let leaf = field.leaf.as_bytes();
            core::ptr::copy_nonoverlapping(leaf.as_ptr(), base.add(n), leaf.len());
            n += leaf.len();
            // Text that may need escaping is checked here; what needs it (rare) is written
            // out of line.
            if !CLEAN && quoted == 1 {
                let clean = json::clean_run(t, 0);
                if clean != t.len() {
                    out.set_len(n);
                    escaped_string(out, t, clean);
                    out.reserve(fields);
                    (base, n) = (out.as_mut_ptr(), out.len());
                    continue;
                }
            }
            *base.add(n) = b'"';
            n += quoted;
            core::ptr::copy_nonoverlapping(t.as_ptr(), base.add(n), t.len());
            n += t.len();
            *base.add(n) = b'"';
            n += quoted;
        }
    }
    // SAFETY: the bytes up to n were written above.
    unsafe { out.set_len(n) };
    group
}

pub(crate) fn parent(g: u8) -> u8 {
    GROUPS.get(g as usize).map_or(0, |x| x.1)
}

/// Group pairs (from, to), as `from * GROUPS.len() + to`.
const NPAIRS: usize = GROUPS.len() * GROUPS.len();

/// The text between a member of group `from` and the key of the next member, in group `to`:
/// the braces that close up to the two groups' common ancestor, a comma, and the openings down
/// to `to` (`},"bgp":{`; a lone comma within one group). Groups nest at most two deep.
const fn transition_parts(from: usize, to: usize) -> (usize, usize, usize) {
    const fn parent_of(g: usize) -> usize {
        GROUPS[g].1 as usize
    }
    let (pf, pt) = (parent_of(from), parent_of(to));
    // The closest common ancestor (0, the `vpn` object, is everyone's).
    let common = if from == to {
        from
    } else if pt == from {
        from
    } else if pf == to {
        to
    } else if pf == pt {
        pt
    } else {
        0
    };
    let mut closes = 0;
    let mut g = from;
    while g != common {
        closes += 1;
        g = parent_of(g);
    }
    let (mut o1, mut o2) = (0, 0);
    if to != common {
        if pt != common {
            o1 = pt;
            o2 = to;
        } else {
            o1 = to;
        }
    }
    (closes, o1, o2)
}

const fn transition_len(from: usize, to: usize) -> usize {
    let (closes, o1, o2) = transition_parts(from, to);
    closes + 1 + GROUPS[o1].0.len() + GROUPS[o2].0.len()
}

/// Every transition's text, one after the other; TRANSITION_AT[pair] is where each starts.
const TRANSITION_BYTES: usize = {
    let (mut n, mut p) = (0, 0);
    while p < NPAIRS {
        n += transition_len(p / GROUPS.len(), p % GROUPS.len());
        p += 1;
    }
    n
};
static TRANSITION_TEXT: [u8; TRANSITION_BYTES] = {
    let mut t = [0u8; TRANSITION_BYTES];
    let (mut n, mut p) = (0, 0);
    while p < NPAIRS {
        let (closes, o1, o2) = transition_parts(p / GROUPS.len(), p % GROUPS.len());
        let mut k = 0;
        while k < closes {
            t[n] = b'}';
            n += 1;
            k += 1;
        }
        t[n] = b',';
        n += 1;
        let opens = [o1, o2];
        let mut j = 0;
        while j < 2 {
            if opens[j] != 0 {
                let o = GROUPS[opens[j]].0.as_bytes();
                let mut k = 0;
                while k < o.len() {
                    t[n] = o[k];
                    n += 1;
                    k += 1;
                }
            }
            j += 1;
        }
        p += 1;
    }
    t
};
static TRANSITION_AT: [u16; NPAIRS + 1] = {
    let mut a = [0u16; NPAIRS + 1];
    let mut p = 0;
    while p < NPAIRS {
        a[p + 1] = a[p] + transition_len(p / GROUPS.len(), p % GROUPS.len()) as u16;
        p += 1;
    }
    a
};

/// The text that leads from a member of group `from` to the next member, in group `to`.
#[inline(always)]
pub(crate) fn transition(from: u8, to: u8) -> &'static [u8] {
    // Both are groups (GROUPS_ARE_IN_RANGE), so p < NPAIRS: no modulo (a multiply and shifts
    // in wasm) at every field written.
    debug_assert!((from as usize) < GROUPS.len() && (to as usize) < GROUPS.len());
    let p = from as usize * GROUPS.len() + to as usize;
    // SAFETY: p < NPAIRS, TRANSITION_AT has NPAIRS + 1 entries, and they are increasing
    // offsets into TRANSITION_TEXT, the last its length (all built above).
    unsafe {
        let (s, e) = (*TRANSITION_AT.get_unchecked(p) as usize, *TRANSITION_AT.get_unchecked(p + 1) as usize);
        core::slice::from_raw_parts(TRANSITION_TEXT.as_ptr().add(s), e - s)
    }
}

/// Every field's group is a group: `transition`'s callers pass only 0 and field groups.
const GROUPS_ARE_IN_RANGE: () = {
    let mut i = 0;
    while i < FIELDS.len() {
        assert!((FIELDS[i].group as usize) < GROUPS.len());
        i += 1;
    }
};
const _: () = GROUPS_ARE_IN_RANGE;

/// Leaves group `from` for group `to` (see `transition`), so that the caller writes the next
/// member's key.
#[inline(never)]
pub(crate) fn enter(out: &mut Vec<u8>, from: u8, to: u8) {
    out.extend_from_slice(transition(from, to));
}

/// A string value, quoted, escaped where JSON requires (rarely, in log text).
#[inline(never)]
fn string(out: &mut Vec<u8>, s: &[u8]) {
    let i = json::clean_run(s, 0);
    if i != s.len() {
        return escaped_string(out, s, i);
    }
    out.reserve(s.len() + 2);
    put(out, b"\"");
    put(out, s);
    put(out, b"\"");
}

/// `string` for a value whose first byte to escape is at `i`.
#[inline(never)]
fn escaped_string(out: &mut Vec<u8>, s: &[u8], i: usize) {
    out.reserve(s.len() + 2);
    put(out, b"\"");
    json::escape_from(s, i, out);
    out.reserve(1);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every group transition against one made from the groups' paths from the root: a brace
    /// for each group left, a comma, and the opening of each group entered.
    #[test]
    fn transitions_close_and_open_along_the_group_paths() {
        let path = |mut g: usize| {
            let mut p = vec![];
            while g != 0 {
                p.insert(0, g);
                g = GROUPS[g].1 as usize;
            }
            p
        };
        for from in 0..GROUPS.len() {
            for to in 0..GROUPS.len() {
                let (pf, pt) = (path(from), path(to));
                let common = pf.iter().zip(&pt).take_while(|(a, b)| a == b).count();
                let mut want = "}".repeat(pf.len() - common) + ",";
                for &g in &pt[common..] {
                    want += GROUPS[g].0;
                }
                assert_eq!(String::from_utf8_lossy(transition(from as u8, to as u8)), want, "{from} -> {to}");
            }
        }
    }
}
