//! Matches a pre-tokenised dissect-style pattern (rules/README.md, "Patterns") against a text
//! and captures spans. Literals are found with plain substring searches; only the first literal
//! is retried at later occurrences, so the cost stays linear in the text.

use crate::catalogue::{HoleTy, SKIP, Tok};

/// At most this many captures per pattern.
pub const MAX_CAPS: usize = 16;

/// Captured (field, start, end) spans of the text.
#[derive(Default)]
pub struct Caps {
    pub n: usize,
    pub items: [(u8, u32, u32); MAX_CAPS],
}

impl Caps {
    fn push(&mut self, field: u8, s: usize, e: usize) {
        if field != SKIP && self.n < MAX_CAPS {
            self.items[self.n] = (field, s as u32, e as u32);
            self.n += 1;
        }
    }
}

/// First occurrence of `needle` in `hay` at or after `from`.
pub fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut i = from;
    while i + needle.len() <= hay.len() {
        let off = hay.get(i..hay.len() - rest.len())?.iter().position(|&c| c == first)?;
        i += off;
        if hay.get(i + 1..i + needle.len()) == Some(rest) {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn run_class(ty: HoleTy, c: u8, stop: u8) -> bool {
    match ty {
        HoleTy::Ip => c.is_ascii_hexdigit() || c == b'.' || c == b':',
        HoleTy::Num => c.is_ascii_digit(),
        HoleTy::Hex => c.is_ascii_hexdigit(),
        HoleTy::Word => !c.is_ascii_whitespace() && c != stop,
        HoleTy::Lazy | HoleTy::Rest => true,
    }
}

/// Trims an IP run: an IPv4 address stops before `:port`; sentence punctuation is dropped.
fn ip_trim(t: &[u8], s: usize, mut e: usize) -> Option<usize> {
    let run = t.get(s..e)?;
    if let Some(dot) = run.iter().position(|&c| c == b'.') {
        let head_is_v4 = !run[..dot].contains(&b':');
        if head_is_v4 {
            if let Some(colon) = run[dot..].iter().position(|&c| c == b':') {
                e = s + dot + colon;
            }
        }
    }
    while e > s && matches!(t.get(e - 1), Some(b'.' | b':')) {
        // Keep "::" forms like "fe80::" intact; drop a lone trailing '.' or ':'.
        if t.get(e - 1) == Some(&b':') && t.get(e.wrapping_sub(2)) == Some(&b':') {
            break;
        }
        e -= 1;
    }
    let v = t.get(s..e)?;
    let ok = v.first().is_some_and(|c| c.is_ascii_hexdigit() || *c == b':')
        && (v.iter().filter(|&&c| c == b'.').count() == 3 || v.iter().filter(|&&c| c == b':').count() >= 2);
    ok.then_some(e)
}

/// Captures a typed run starting at `i`; returns its end. Hex skips a `0x` prefix.
fn typed_run(t: &[u8], i: usize, ty: HoleTy, stop: u8) -> Option<(usize, usize)> {
    let mut s = i;
    if ty == HoleTy::Hex && t.get(i) == Some(&b'0') && matches!(t.get(i + 1), Some(b'x' | b'X')) {
        s = i + 2;
    }
    if ty == HoleTy::Rest {
        return Some((s, trim_end(t, s, t.len())));
    }
    let mut e = s;
    while t.get(e).is_some_and(|&c| run_class(ty, c, stop)) {
        e += 1;
    }
    if ty == HoleTy::Ip {
        e = ip_trim(t, s, e)?;
    }
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

fn stop_byte(toks: &[Tok], k: usize) -> u8 {
    match toks.get(k + 1) {
        Some(Tok::Lit(l)) => l.first().copied().unwrap_or(0),
        _ => 0,
    }
}

/// Matches the tokens from `k` on, anchored at `pos`.
fn match_from(toks: &[Tok], t: &[u8], mut k: usize, mut pos: usize, caps: &mut Caps) -> bool {
    let mut lazy: Option<(u8, usize)> = None;
    while let Some(tok) = toks.get(k) {
        match *tok {
            Tok::Lit(l) => {
                if let Some((f, s)) = lazy.take() {
                    let Some(at) = find(t, l, pos) else { return false };
                    caps.push(f, s, at);
                    pos = at + l.len();
                } else {
                    if !t.get(pos..).is_some_and(|r| r.starts_with(l)) {
                        return false;
                    }
                    pos += l.len();
                }
            }
            Tok::Hole(f, HoleTy::Lazy) => {
                if k + 1 == toks.len() {
                    let e = trim_end(t, pos, t.len());
                    if e <= pos {
                        return false;
                    }
                    caps.push(f, pos, e);
                    return true;
                }
                lazy = Some((f, pos));
            }
            Tok::Hole(f, ty) => {
                let Some((s, e)) = typed_run(t, pos, ty, stop_byte(toks, k)) else { return false };
                caps.push(f, s, e);
                pos = if ty == HoleTy::Rest { t.len() } else { e };
            }
        }
        k += 1;
    }
    true
}

/// Matches `toks` anywhere in `t`. On success the captures are in `caps`.
#[inline(never)]
pub fn matches(toks: &[Tok], t: &[u8], caps: &mut Caps) -> bool {
    match (toks.first(), toks.get(1)) {
        (Some(Tok::Lit(l)), _) => {
            let mut from = 0;
            while let Some(at) = find(t, l, from) {
                caps.n = 0;
                if match_from(toks, t, 1, at + l.len(), caps) {
                    return true;
                }
                from = at + 1;
            }
            false
        }
        (Some(Tok::Hole(f, ty)), Some(Tok::Lit(l))) => {
            // A leading typed hole: find the literal, then take the run just before it.
            let mut from = 0;
            while let Some(at) = find(t, l, from) {
                let mut s = at;
                while s > 0 && t.get(s - 1).is_some_and(|&c| run_class(*ty, c, 0)) {
                    s -= 1;
                }
                if let Some((cs, ce)) = typed_run(t, s, *ty, l.first().copied().unwrap_or(0)) {
                    if ce == at {
                        caps.n = 0;
                        caps.push(*f, cs, ce);
                        if match_from(toks, t, 2, at + l.len(), caps) {
                            return true;
                        }
                    }
                }
                from = at + 1;
            }
            false
        }
        _ => false,
    }
}
