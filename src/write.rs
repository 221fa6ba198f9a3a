//! Output: the original record bytes with the classification appended as one more member of the
//! root object. Nothing of the original is re-encoded. The rule's own fields come from texts
//! build.rs rendered once each (catalogue::Rule::head...); only the record's values are escaped
//! here.

use crate::classify::{Classification, Val};
use crate::fields::{FIELDS, GROUPS};
use crate::json;

/// Appends `"key":{...}` for the classification.
#[inline(never)]
pub fn member(out: &mut Vec<u8>, key: &[u8], c: &Classification) {
    out.push(b'"');
    out.extend_from_slice(key);
    out.extend_from_slice(b"\":{");
    let r = c.rule;
    out.extend_from_slice(r.head());
    out.extend_from_slice(c.severity.as_bytes());
    out.extend_from_slice(r.tail());
    out.extend_from_slice(r.hint_json());
    out.extend_from_slice(r.after());
    out.extend_from_slice(r.id_tail.as_bytes());
    out.push(b'"');
    let mut group = 0u8;
    let mut m = c.set;
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        let Some(field) = FIELDS.get(i) else { break };
        if field.group == group {
            out.push(b',');
        } else {
            enter(out, group, field.group);
            group = field.group;
        }
        out.extend_from_slice(field.leaf.as_bytes());
        value(out, c.vals[i]);
    }
    let mut g = group;
    while g != 0 {
        out.push(b'}');
        g = parent(g);
    }
    out.push(b'}');
}

pub(crate) fn parent(g: u8) -> u8 {
    GROUPS.get(g as usize).map_or(0, |x| x.1)
}

/// Leaves group `from` for group `to` (groups nest at most two deep; the members of one group
/// are contiguous in FIELDS). Closes up to the common ancestor, then opens down to `to`, so
/// that the caller writes the next member without a comma.
#[inline(never)]
pub(crate) fn enter(out: &mut Vec<u8>, from: u8, to: u8) {
    let (pf, pt) = (parent(from), parent(to));
    let common = if pt == from {
        from
    } else if pf == to {
        to
    } else if pf == pt {
        pt
    } else {
        0
    };
    let mut g = from;
    while g != common {
        out.push(b'}');
        g = parent(g);
    }
    // The group we are in has members already (the root always does), hence the comma.
    out.push(b',');
    let opening = |out: &mut Vec<u8>, g: u8| out.extend_from_slice(GROUPS.get(g as usize).map_or("", |x| x.0).as_bytes());
    if to != common {
        if pt != common {
            opening(out, pt);
        }
        opening(out, to);
    }
}

#[inline(never)]
pub(crate) fn value(out: &mut Vec<u8>, v: Val) {
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
