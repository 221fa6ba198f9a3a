//! Output: the original record bytes with the classification appended as one more member of the
//! root object. Nothing of the original is re-encoded; only captured values are escaped.

use crate::classify::{Classification, Val};
use crate::fields::{FIELDS, GROUPS};
use crate::json;

/// Appends `"key":{...}` for the classification. Only the fields that are set are visited, and
/// their keys and enclosing objects come from static tables (fields::FIELDS, fields::GROUPS).
#[inline(never)]
pub fn member(out: &mut Vec<u8>, key: &[u8], c: &Classification) {
    out.push(b'"');
    out.extend_from_slice(key);
    out.extend_from_slice(b"\":{");
    let mut group = 0u8;
    let mut first = true;
    let mut m = c.set;
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        let Some(field) = FIELDS.get(i) else { break };
        if field.group != group {
            first = enter(out, group, field.group, first);
            group = field.group;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(field.leaf.as_bytes());
        value(out, c.vals[i]);
    }
    enter(out, group, 0, first);
    out.push(b'}');
}

fn parent(g: u8) -> u8 {
    GROUPS.get(g as usize).map_or(0, |x| x.1)
}

/// Closes the open groups down to the common ancestor of `from` and `to`, then opens the
/// groups of `to` (at most two levels). Returns the new `first` flag.
#[inline(never)]
fn enter(out: &mut Vec<u8>, from: u8, to: u8, mut first: bool) -> bool {
    let to_chain = [to, parent(to)];
    let mut g = from;
    while g != 0 && !to_chain.contains(&g) {
        out.push(b'}');
        first = false;
        g = parent(g);
    }
    // Open what `to` needs below `g`, outermost first.
    let mut need = [0u8; 2];
    let mut n = 0;
    let mut t = to;
    while t != g && t != 0 && n < 2 {
        need[n] = t;
        n += 1;
        t = parent(t);
    }
    while n > 0 {
        n -= 1;
        if !first {
            out.push(b',');
        }
        out.extend_from_slice(GROUPS.get(need[n] as usize).map_or("", |x| x.0).as_bytes());
        first = true;
    }
    first
}

#[inline(never)]
fn value(out: &mut Vec<u8>, v: Val) {
    match v {
        Val::Str(s) => {
            out.push(b'"');
            json::escape_into(s, out);
            out.push(b'"');
        }
        Val::Num(d) => out.extend_from_slice(if d.is_empty() { b"0" } else { d }),
        Val::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Val::None => out.extend_from_slice(b"null"),
    }
}
