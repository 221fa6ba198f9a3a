//! Output: the original record bytes with the classification appended as one more member of the
//! root object. Nothing of the original is re-encoded; only captured values are escaped.

use crate::classify::{Classification, Val};
use crate::fields::FIELDS;
use crate::json;

/// Appends `"key":{...}` for the classification, nesting dotted names (`peer.ip` -> `"peer":{"ip":..}`).
pub fn member(out: &mut Vec<u8>, key: &[u8], c: &Classification) {
    out.push(b'"');
    out.extend_from_slice(key);
    out.extend_from_slice(b"\":{");
    // The dotted prefix currently open, as (name parts), at most two levels.
    let mut open: [&str; 2] = ["", ""];
    let mut depth = 0usize;
    let mut first = true;
    for (i, (name, _)) in FIELDS.iter().enumerate() {
        let v = c.vals[i];
        if v == Val::None {
            continue;
        }
        let mut parts = name.split('.');
        let mut segs: [&str; 3] = ["", "", ""];
        let mut n = 0;
        for p in parts.by_ref().take(3) {
            segs[n] = p;
            n += 1;
        }
        let prefix = &segs[..n - 1];
        // Close objects that the new prefix leaves.
        let mut common = 0;
        while common < depth && common < prefix.len() && open[common] == prefix[common] {
            common += 1;
        }
        while depth > common {
            out.push(b'}');
            depth -= 1;
            first = false;
        }
        for seg in &prefix[common..] {
            if !first {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(seg.as_bytes());
            out.extend_from_slice(b"\":{");
            open[depth.min(1)] = seg;
            depth += 1;
            first = true;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        out.push(b'"');
        out.extend_from_slice(segs[n - 1].as_bytes());
        out.extend_from_slice(b"\":");
        match v {
            Val::Str(s) => {
                out.push(b'"');
                json::escape_into(s, out);
                out.push(b'"');
            }
            Val::Num(d) => out.extend_from_slice(if d.is_empty() { b"0" } else { d }),
            Val::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
            Val::None => {}
        }
    }
    for _ in 0..depth {
        out.push(b'}');
    }
    out.push(b'}');
}
