//! Compiles the rule catalogue (rules/*.toml) into static Rust tables (OUT_DIR/catalogue.rs):
//! the rules with their compiled patterns, the anchor list, and the anchor hash table the
//! dispatcher scans with. Any rule that breaks a constraint of rules/README.md fails the build.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

include!("src/fields.rs");

/// Buckets of the anchor hash table, and bits of the filter in front of it (must match
/// src/dispatch.rs).
const HASH_BITS: u32 = 12;
const FILTER_BITS: u32 = 17;
/// ENTRIES layout (must match src/dispatch.rs), from the top: check bits, the tag of four of
/// the anchor's bytes, the anchor index, and where those four bytes start from the window's
/// start (`rel`, signed): the anchor's last four (rel > 0) or its first four (rel <= 0),
/// whichever tells the anchor better from the others of its bucket.
const ENTRY_REL_BITS: u32 = 7;
const ENTRY_ANCHOR_BITS: u32 = 10;
const ENTRY_TAG_BITS: u32 = 4;
const ENTRY_TAG_SHIFT: u32 = ENTRY_REL_BITS + ENTRY_ANCHOR_BITS;
const ENTRY_CHECK_SHIFT: u32 = ENTRY_TAG_SHIFT + ENTRY_TAG_BITS;

/// The bits of a window's hash an entry keeps to tell windows of one bucket apart: the ones
/// right below the bucket index.
fn entry_check(x: u32) -> u32 {
    x << HASH_BITS >> ENTRY_CHECK_SHIFT
}

/// The tag of a four-byte window: the top bits of its hash. Anchors that share a window are
/// told apart in the bucket walk by the tag of their first or last four bytes, before `verify`
/// is called: the FortiGate logids differ only in their last digits, "IKE SA established" and
/// "IPsec SA established" only at the start.
fn window_tag(w: u32) -> u32 {
    w.wrapping_mul(0x9E37_79B1) >> (32 - ENTRY_TAG_BITS)
}

/// Sparse slots (the message, and the slots whose anchors are all long enough) are tested at
/// every STRIDE-th position, by the hash of the WIDE bytes there (src/dispatch.rs); an anchor
/// then needs STRIDE + WIDE - 1 bytes, so that each residue of its position has a whole window
/// inside it. Other slots are tested at every position by a four-byte window.
const STRIDE: usize = 8;
const WIDE: usize = 8;
const MIN_SPARSE_ANCHOR: usize = STRIDE + WIDE - 1;

/// The hash of an eight-byte window (must match src/dispatch.rs).
fn wide_hash(w: u64) -> u32 {
    (w.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32
}

/// The WIDE bytes of `t` from `k`, little-endian.
fn wide_gram(t: &[u8], k: usize) -> u64 {
    u64::from_le_bytes(t[k..k + WIDE].try_into().expect("WIDE bytes"))
}

const KINDS: &[&str] = &["ike", "dpd", "tunnel", "bgp", "route", "health", "config"];
const OUTCOMES: &[&str] = &["success", "failure", "unknown"];
/// Must match catalogue::SEVERITY_NAMES.
const SEVERITIES: &[&str] = &["info", "warn", "critical"];
const HOLE_TYPES: &[&str] = &["lazy", "ip", "num", "hex", "word", "rest"];
/// catalogue::Pattern's `head_ty` for a head without a typed hole (must match src/catalogue.rs).
const HEAD_LIT: usize = 255;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-env-changed=VPNLOG_RULES_DIR");
    println!("cargo:rerun-if-changed=src/fields.rs");
    let out = std::env::var("OUT_DIR").unwrap();
    match build() {
        Ok(code) => std::fs::write(Path::new(&out).join("catalogue.rs"), code).unwrap(),
        Err(e) => {
            eprintln!("rule catalogue error: {e}");
            std::process::exit(1);
        }
    }
}

/// The catalogue directory: `rules/`, or VPNLOG_RULES_DIR (for trying a catalogue out).
fn rules_dir() -> String {
    std::env::var("VPNLOG_RULES_DIR").unwrap_or_else(|_| "rules".into())
}

fn read_toml(path: &str) -> Result<toml::Table, String> {
    println!("cargo:rerun-if-changed={path}");
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    text.parse::<toml::Table>().map_err(|e| format!("{path}: {e}"))
}

fn s<'a>(t: &'a toml::Table, k: &str, ctx: &str) -> Result<&'a str, String> {
    t.get(k).and_then(|v| v.as_str()).ok_or_else(|| format!("{ctx}: `{k}` missing or not a string"))
}

fn opt_s<'a>(t: &'a toml::Table, k: &str, ctx: &str) -> Result<Option<&'a str>, String> {
    match t.get(k) {
        None => Ok(None),
        Some(v) => v.as_str().map(Some).ok_or_else(|| format!("{ctx}: `{k}` is not a string")),
    }
}

fn str_list(t: &toml::Table, k: &str, ctx: &str) -> Result<Vec<String>, String> {
    match t.get(k) {
        None => Ok(vec![]),
        Some(toml::Value::String(x)) => Ok(vec![x.clone()]),
        Some(toml::Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(String::from).ok_or_else(|| format!("{ctx}: `{k}` must hold strings")))
            .collect(),
        _ => Err(format!("{ctx}: `{k}` must be a string or a list of strings")),
    }
}

/// A string as the body of a JSON string.
fn json_escape(s: &str) -> String {
    let mut o = String::new();
    for ch in s.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o
}

/// A byte string as a Rust literal.
fn lit(bytes: &[u8]) -> String {
    let mut o = String::from("b\"");
    for &b in bytes {
        match b {
            b'"' => o.push_str("\\\""),
            b'\\' => o.push_str("\\\\"),
            0x20..=0x7e => o.push(b as char),
            _ => {
                let _ = write!(o, "\\x{b:02x}");
            }
        }
    }
    o.push('"');
    o
}

/// A parsed pattern token.
enum Tok {
    Lit(Vec<u8>),
    Hole(Option<usize>, &'static str),
    /// `{?`: an optional part begins (it ends at the matching `Close`, `?}`).
    Open,
    /// `?}`: the end of an optional part.
    Close,
}

/// The first byte of the first literal in `toks` (optional parts' bounds skipped), if a literal
/// comes before the next hole: what a word hole before `toks` stops at.
fn next_lit_byte(toks: &[Tok]) -> Option<u8> {
    for t in toks {
        match t {
            Tok::Lit(l) => return l.first().copied(),
            Tok::Hole(..) => return None,
            Tok::Open | Tok::Close => {}
        }
    }
    None
}

/// The index of the `Close` that ends the optional part opened at `open`.
fn close_of(toks: &[Tok], open: usize) -> usize {
    let mut depth = 0;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    unreachable!("tokenize checks that optional parts are closed")
}

/// A hole type's index in HOLE_TYPES (the const parameter of the step functions, and
/// `Pattern::head_ty`).
fn hole_ty_index(ty: &str) -> usize {
    HOLE_TYPES.iter().position(|h| *h == ty).unwrap_or(0)
}

/// The byte a word hole stops at when no literal follows it at once: the first byte of the
/// next literal in `rest` (the tokens after it), or, when only ends of optional parts remain,
/// `after` (the byte of the literal that follows them).
fn stop_byte(rest: &[Tok], after: Option<u8>) -> Option<u8> {
    next_lit_byte(rest).or(if rest.iter().all(|t| matches!(t, Tok::Close)) { after } else { None })
}

fn hole_field(f: Option<usize>) -> u8 {
    f.map(|f| f as u8).unwrap_or(SKIP)
}

fn hole_ty(ty: &str) -> &'static str {
    match ty {
        "lazy" => "Lazy",
        "ip" => "Ip",
        "num" => "Num",
        "hex" => "Hex",
        "word" => "Word",
        _ => "Rest",
    }
}

/// A tokenised pattern as the matcher runs it (src/template.rs): its head (the first literal,
/// or a leading typed hole and the literal after it), then steps that each pair a hole with the
/// literal after it. `tokenize` guarantees the head's shape.
fn pattern_steps(toks: &[Tok], bytes: &[usize; 256]) -> String {
    // A leading optional part becomes the last step (`step_prefix`): it is looked for in the
    // text before the rest, once the rest matched.
    let (prefix, toks) = match toks.first() {
        Some(Tok::Open) => {
            let c = close_of(toks, 0);
            (Some(&toks[1..c]), &toks[c + 1..])
        }
        _ => (None, toks),
    };
    // The head as catalogue::Pattern keeps it: the literal, its searched byte, and for a leading
    // typed hole its field and type (HEAD_LIT for none).
    let ((l, field, ty), k) = match (&toks[0], toks.get(1)) {
        (Tok::Lit(l), _) => ((l, 0, HEAD_LIT), 1),
        (Tok::Hole(f, ty), Some(Tok::Lit(l))) => ((l, hole_field(*f), hole_ty_index(ty)), 2),
        _ => unreachable!("tokenize checks a pattern's head"),
    };
    assert!(l.len() <= u8::MAX as usize, "a pattern literal longer than 255 bytes");
    let head = format!("head_ptr: {}.as_ptr(), head_len: {}, head_rare: {}, head_field: {field}, head_ty: {ty}", lit(l), l.len(), rarest(l, bytes));
    let mut steps = steps_code(&toks[k..], None, false, bytes);
    if let Some(p) = prefix {
        // Its first literal is searched for, as a pattern's head is (the first step is that
        // literal's), and a lazy hole at its end runs to where the rest begins, untrimmed.
        let inner = steps_code(p, l.first().copied(), true, bytes);
        steps.push(format!(
            "Step {{ run: template::step_prefix, lit_ptr: (&[{}] as &[Step]).as_ptr() as *const u8, lit_len: {}, field: SKIP, rare: 0 }}",
            inner.join(", "),
            inner.len()
        ));
    }
    assert!(steps.len() <= u8::MAX as usize, "a pattern of more than 255 steps");
    format!("Pattern {{ {head}, steps_ptr: (&[{}] as &[Step]).as_ptr(), steps_len: {} }}", steps.join(", "), steps.len())
}

/// The steps of `toks` (a pattern after its head, or the inside of an optional part), each a
/// `Step` as Rust code. `after` is the first byte of the literal that follows `toks` (for a word
/// hole at their end); `prefix`: `toks` are a leading optional part, whose last lazy hole runs
/// to the end of the text it is given (`step_to_end`).
fn steps_code(toks: &[Tok], after: Option<u8>, prefix: bool, bytes: &[usize; 256]) -> Vec<String> {
    // Each step names the matcher function for its kind and hole type (src/template.rs,
    // `step_*`), so that the matcher's loop holds one indirect call and no dispatch.
    let step = |run: String, f: Option<usize>, l: &[u8]| {
        assert!(l.len() <= u8::MAX as usize, "a pattern literal longer than 255 bytes");
        format!("Step {{ run: template::{run}, lit_ptr: {}.as_ptr(), lit_len: {}, field: {}, rare: {} }}", lit(l), l.len(), hole_field(f), rarest(l, bytes))
    };
    let mut steps = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        match (&toks[k], toks.get(k + 1)) {
            (Tok::Hole(f, ty), Some(Tok::Lit(l))) => {
                // A one-byte literal after a lazy hole is found by a byte search alone.
                let run = match (*ty, l.len()) {
                    ("lazy", 1) => "step_lazy_byte".to_string(),
                    ("lazy", _) => "step_lazy".to_string(),
                    _ => format!("step_typed::<{}>", hole_ty_index(ty)),
                };
                steps.push(step(run, *f, l));
                k += 2;
            }
            (Tok::Hole(f, ty), _) => {
                // No literal follows at once: the hole's run is all it takes. A word stops at
                // the first byte of the literal that comes next (inside or after an optional
                // part), which `step_alone` reads as its literal.
                let stop: Vec<u8> = stop_byte(&toks[k + 1..], after).into_iter().collect();
                let run = if prefix && *ty == "lazy" && k + 1 == toks.len() { "step_to_end".to_string() } else { format!("step_alone::<{}>", hole_ty_index(ty)) };
                steps.push(step(run, *f, &stop));
                k += 1;
            }
            (Tok::Lit(l), _) => {
                steps.push(step("step_lit".to_string(), None, l));
                k += 1;
            }
            (Tok::Open, _) => {
                let c = close_of(toks, k);
                let inner = steps_code(&toks[k + 1..c], stop_byte(&toks[c + 1..], after), false, bytes);
                assert!(!inner.is_empty() && inner.len() <= u8::MAX as usize, "an optional part of no step or more than 255");
                steps.push(format!(
                    "Step {{ run: template::step_optional, lit_ptr: (&[{}] as &[Step]).as_ptr() as *const u8, lit_len: {}, field: SKIP, rare: 0 }}",
                    inner.join(", "),
                    inner.len()
                ));
                k = c + 1;
            }
            (Tok::Close, _) => unreachable!("close_of skips an optional part whole"),
        }
    }
    steps
}

/// The index of the byte of literal `l` least common in the example lines (`bytes`: a weight
/// per byte value, from the literal's own file first, then from all files; the first of equally
/// rare ones): the matcher searches for it (template::find_at), so that a literal starting with
/// a space does not stop at every word.
fn rarest(l: &[u8], bytes: &[usize; 256]) -> usize {
    (0..l.len().min(256)).min_by_key(|&k| (bytes[l[k] as usize], k)).unwrap_or(0)
}

/// How often each byte value occurs in the catalogue's example lines (for `rarest`).
fn example_bytes(files: &[String]) -> Result<[usize; 256], String> {
    let mut counts = [0usize; 256];
    for file in files {
        let path = format!("{}/{file}", rules_dir());
        let t = read_toml(&path)?;
        for r in t.get("rule").and_then(|v| v.as_array()).into_iter().flatten() {
            for ex in r.get("example").and_then(|v| v.as_array()).into_iter().flatten() {
                for &b in ex.get("line").and_then(|v| v.as_str()).unwrap_or("").as_bytes() {
                    counts[b as usize] += 1;
                }
            }
        }
    }
    Ok(counts)
}

/// Splits a dissect-style template into literals and holes (rules/README.md, "Patterns").
fn tokenize(p: &str, ctx: &str) -> Result<Vec<Tok>, String> {
    let b = p.as_bytes();
    let mut toks = Vec::new();
    let mut litbuf = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' && b.get(i + 1) == Some(&b'?') {
            // An optional part. No lazy hole comes before it (the hole's end would depend on
            // whether the part is there); a leading one begins with a literal (see below).
            if !litbuf.is_empty() {
                toks.push(Tok::Lit(std::mem::take(&mut litbuf)));
            }
            if let Some(Tok::Hole(_, "lazy")) = toks.last() {
                return Err(format!("{ctx}: a lazy hole must be followed by a literal, not an optional part"));
            }
            if toks.is_empty() && b.get(i + 2) == Some(&b'{') && b.get(i + 3) != Some(&b'{') {
                return Err(format!("{ctx}: a leading optional part must begin with a literal"));
            }
            toks.push(Tok::Open);
            depth += 1;
            i += 2;
        } else if b[i] == b'?' && b.get(i + 1) == Some(&b'}') && depth > 0 {
            if !litbuf.is_empty() {
                toks.push(Tok::Lit(std::mem::take(&mut litbuf)));
            }
            if matches!(toks.last(), Some(Tok::Open)) {
                return Err(format!("{ctx}: empty optional part"));
            }
            toks.push(Tok::Close);
            depth -= 1;
            i += 2;
        } else if b[i] == b'{' && b.get(i + 1) == Some(&b'{') {
            litbuf.push(b'{');
            i += 2;
        } else if b[i] == b'}' && b.get(i + 1) == Some(&b'}') {
            litbuf.push(b'}');
            i += 2;
        } else if b[i] == b'{' {
            let end = p[i..].find('}').ok_or_else(|| format!("{ctx}: unclosed hole in pattern"))? + i;
            let inner = &p[i + 1..end];
            let (name, ty) = match inner.split_once(':') {
                Some((n, t)) => (n, Some(t)),
                None => (inner, None),
            };
            let field = if name == "_" {
                None
            } else {
                let f = find_field(name).ok_or_else(|| format!("{ctx}: unknown field `{name}` in pattern"))?;
                if f < CORE_FIELDS {
                    return Err(format!("{ctx}: field `{name}` comes from the rule, not from a pattern"));
                }
                Some(f)
            };
            let ty: &'static str = match ty {
                Some(t) => HOLE_TYPES
                    .iter()
                    .find(|h| **h == t && t != "lazy")
                    .copied()
                    .ok_or_else(|| format!("{ctx}: unknown hole type `{t}`"))?,
                None => match field.map(|f| FIELDS[f].ty) {
                    Some(FieldType::Num) => "num",
                    _ => "lazy",
                },
            };
            if let Some(f) = field {
                if FIELDS[f].ty == FieldType::Num && ty != "num" {
                    return Err(format!("{ctx}: numeric field `{name}` needs a `num` hole"));
                }
                if FIELDS[f].ty == FieldType::Bool {
                    return Err(format!("{ctx}: boolean field `{name}` can only be set"));
                }
            }
            if !litbuf.is_empty() {
                toks.push(Tok::Lit(std::mem::take(&mut litbuf)));
            }
            if let Some(Tok::Hole(_, prev)) = toks.last() {
                if *prev == "lazy" || ty == "lazy" {
                    return Err(format!("{ctx}: a lazy hole must be followed by a literal, not another hole"));
                }
            }
            toks.push(Tok::Hole(field, ty));
            i = end + 1;
        } else {
            litbuf.push(b[i]);
            i += 1;
        }
    }
    if !litbuf.is_empty() {
        toks.push(Tok::Lit(litbuf));
    }
    if toks.is_empty() {
        return Err(format!("{ctx}: empty pattern"));
    }
    if depth > 0 {
        return Err(format!("{ctx}: unclosed optional part (`{{?` without its `?}}`)"));
    }
    // A pattern that starts with an optional part (a prefix, which the matcher looks for in
    // the text before the rest once the rest matched) continues with a literal.
    let lead = if matches!(toks[0], Tok::Open) { Some(close_of(&toks, 0)) } else { None };
    if let Some(c) = lead {
        if !matches!(toks.get(c + 1), Some(Tok::Lit(_))) {
            return Err(format!("{ctx}: a leading optional part must be followed by a literal"));
        }
    }
    // A lazy hole ends at the literal after it, or, at the end of the pattern, at the end of
    // the text, or at the end of a leading optional part, where the rest begins: not at the end
    // of another optional part that more of the pattern follows.
    for (k, t) in toks.iter().enumerate() {
        if let Tok::Hole(_, "lazy") = t {
            let rest = &toks[k + 1..];
            let ok = matches!(rest.first(), None | Some(Tok::Lit(_))) || rest.iter().all(|t| matches!(t, Tok::Close)) || lead == Some(k + 1);
            if !ok {
                return Err(format!("{ctx}: a lazy hole at the end of an optional part must end the pattern or its leading part"));
            }
        }
    }
    // A capture inside an optional part is the field's only one in the pattern: a part that
    // fails gives up its captures, which must not have replaced an earlier one.
    if toks.iter().any(|t| matches!(t, Tok::Open)) {
        let mut seen = Vec::new();
        for t in &toks {
            if let Tok::Hole(Some(f), _) = t {
                if seen.contains(f) {
                    return Err(format!("{ctx}: field `{}` captured twice in a pattern with an optional part", FIELDS[*f].name));
                }
                seen.push(*f);
            }
        }
    }
    if let Some(Tok::Hole(_, t)) = toks.first() {
        if *t == "lazy" || *t == "rest" {
            return Err(format!("{ctx}: a pattern must not start with an untyped hole"));
        }
        if !matches!(toks.get(1), Some(Tok::Lit(_))) {
            return Err(format!("{ctx}: a leading typed hole must be followed by a literal"));
        }
    }
    Ok(toks)
}

fn toml_value_code(f: usize, v: &toml::Value, ctx: &str) -> Result<String, String> {
    let (name, ty) = (FIELDS[f].name, FIELDS[f].ty);
    Ok(match (ty, v) {
        (FieldType::Str, toml::Value::String(x)) => format!("Const::Str({})", lit(x.as_bytes())),
        (FieldType::Num, toml::Value::Integer(n)) if *n >= 0 => format!("Const::Num({})", lit(n.to_string().as_bytes())),
        (FieldType::Bool, toml::Value::Boolean(x)) => format!("Const::Bool({x})"),
        _ => return Err(format!("{ctx}: `{name}` has the wrong type")),
    })
}

/// A rule's `set` entry as the module stores it (catalogue::SetField, 8 bytes): the field, the
/// kind of its value (0 string, 1 number, 2 flag), and the value's bytes (a flag's value in `len`).
fn set_field_code(f: usize, v: &toml::Value, ctx: &str) -> Result<String, String> {
    let (name, ty) = (FIELDS[f].name, FIELDS[f].ty);
    let (kind, bytes) = match (ty, v) {
        (FieldType::Str, toml::Value::String(x)) => (0, x.as_bytes().to_vec()),
        (FieldType::Num, toml::Value::Integer(n)) if *n >= 0 => (1, n.to_string().into_bytes()),
        (FieldType::Bool, toml::Value::Boolean(x)) => (2, if *x { b"true".to_vec() } else { b"false".to_vec() }),
        _ => return Err(format!("{ctx}: `{name}` has the wrong type")),
    };
    if bytes.len() > u8::MAX as usize {
        return Err(format!("{ctx}: the `set` value of `{name}` is longer than 255 bytes"));
    }
    Ok(format!("SetField {{ ptr: {}.as_ptr(), field: {f}, kind: {kind}, len: {} }}", lit(&bytes), bytes.len()))
}

/// The four tables of static output texts (see `Texts::code`).
#[derive(Clone, Copy)]
enum Text {
    Head,
    Tail,
    After,
    Hint,
}

/// Distinct output texts, each stored once; rules refer to them by index.
#[derive(Default)]
struct Texts {
    tables: [Vec<String>; 4],
}

impl Texts {
    const NAMES: [&str; 4] = ["HEADS", "TAILS", "AFTERS", "HINTS"];

    fn intern(&mut self, which: Text, text: String) -> Result<usize, String> {
        let table = &mut self.tables[which as usize];
        let i = table.iter().position(|t| *t == text).unwrap_or_else(|| {
            table.push(text);
            table.len() - 1
        });
        let limit = if matches!(which, Text::Hint) { u16::MAX as usize } else { u8::MAX as usize };
        if i > limit {
            return Err(format!("more than {limit} distinct {} texts", Self::NAMES[which as usize]));
        }
        Ok(i)
    }

    fn code(&self) -> String {
        let mut code = String::new();
        for (name, table) in Self::NAMES.iter().zip(&self.tables) {
            let items: Vec<String> = table.iter().map(|t| lit(t.as_bytes())).collect();
            let _ = writeln!(code, "pub static {name}: [&[u8]; {}] = [{}];", table.len(), items.join(", "));
        }
        code
    }
}

/// rules/projections.toml: per event its activity (0 other, 1 open, 2 close, 3 renew) and
/// whether it is an authentication; per vendor its display name and product.
struct Projections {
    activity: BTreeMap<String, u8>,
    authentication: Vec<String>,
    vendors: Vec<(String, String, String)>,
}

fn read_projections(events: &toml::Table) -> Result<Projections, String> {
    let path = format!("{}/projections.toml", rules_dir());
    let t = read_toml(&path)?;
    let mut activity = BTreeMap::new();
    let acts = t.get("activity").and_then(|v| v.as_table()).ok_or(format!("{path}: [activity] missing"))?;
    for (code, name) in [(1u8, "open"), (2, "close"), (3, "renew")] {
        for e in str_list(acts, name, &path)? {
            if !events.contains_key(&e) {
                return Err(format!("{path}: event `{e}` is not in vocabulary.toml"));
            }
            if activity.insert(e.clone(), code).is_some() {
                return Err(format!("{path}: event `{e}` has two activities"));
            }
        }
    }
    let auth = t.get("authentication").and_then(|v| v.as_table()).ok_or(format!("{path}: [authentication] missing"))?;
    let authentication = str_list(auth, "events", &path)?;
    if let Some(e) = authentication.iter().find(|e| !events.contains_key(*e)) {
        return Err(format!("{path}: event `{e}` is not in vocabulary.toml"));
    }
    let mut vendors = Vec::new();
    for (slug, v) in t.get("vendors").and_then(|v| v.as_table()).ok_or(format!("{path}: [vendors] missing"))? {
        let pair: Vec<&str> = v.as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect()).unwrap_or_default();
        let [name, product] = pair[..] else { return Err(format!("{path}: vendor `{slug}` needs [name, product]")) };
        vendors.push((slug.clone(), name.to_string(), product.to_string()));
    }
    Ok(Projections { activity, authentication, vendors })
}

impl Projections {
    /// One byte describing a rule's static meaning for the projections (src/projection.rs):
    /// bits 0-1 activity, bit 2 authentication, bits 3-5 the kind (index in KINDS), bits 6-7 the
    /// outcome (index in OUTCOMES).
    fn class(&self, kind: &str, event: &str, outcome: &str) -> u8 {
        let activity = self.activity.get(event).copied().unwrap_or(0);
        let auth = self.authentication.iter().any(|e| e == event) as u8;
        let k = KINDS.iter().position(|x| *x == kind).unwrap_or(0) as u8;
        let o = OUTCOMES.iter().position(|x| *x == outcome).unwrap_or(0) as u8;
        activity | auth << 2 | k << 3 | o << 6
    }

    fn vendor(&self, slug: &str, ctx: &str) -> Result<u8, String> {
        self.vendors
            .iter()
            .position(|v| v.0 == slug)
            .map(|i| i as u8)
            .ok_or_else(|| format!("{ctx}: vendor `{slug}` is not in projections.toml [vendors]"))
    }

    fn vendors_code(&self) -> String {
        let items: Vec<String> = self
            .vendors
            .iter()
            .map(|(s, n, p)| format!("({}, {}, {})", lit(s.as_bytes()), lit(json_escape(n).as_bytes()), lit(json_escape(p).as_bytes())))
            .collect();
        let names = |l: &[&str]| l.iter().map(|x| lit(x.as_bytes())).collect::<Vec<_>>().join(", ");
        format!(
            "/// Per vendor (AFTER_VENDOR): its id, name and product, JSON-escaped.\npub static VENDOR_NAMES: [(&[u8], &[u8], &[u8]); {}] = [{}];\n\
             /// The kinds and outcomes by their index in HEAD_CLASS.\npub static KIND_NAMES: [&[u8]; {}] = [{}];\npub static OUTCOME_NAMES: [&[u8]; {}] = [{}];\n",
            items.len(),
            items.join(", "),
            KINDS.len(),
            names(KINDS),
            OUTCOMES.len(),
            names(OUTCOMES),
        )
    }
}

struct AnchorAcc {
    text: Vec<u8>,
    slots: u32,
    rules: Vec<usize>,
}

fn build() -> Result<String, String> {
    let cat = read_toml(&format!("{}/catalogue.toml", rules_dir()))?;
    let files = str_list(&cat, "files", "rules/catalogue.toml")?;
    let all_bytes = example_bytes(&files)?;
    let vocab = read_toml(&format!("{}/vocabulary.toml", rules_dir()))?;
    let events = vocab.get("events").and_then(|v| v.as_table()).ok_or("vocabulary.toml: [events] missing")?;
    let reasons = vocab.get("reasons").and_then(|v| v.as_table()).ok_or("vocabulary.toml: [reasons] missing")?;

    let mut rules_code = String::new();
    let mut docs_code = String::new();
    let mut sources_code = String::new();
    let mut anchors: Vec<AnchorAcc> = Vec::new();
    // Every example line: how often each 4-byte window occurs in log text, to pick rare windows.
    let mut background: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    let mut background_wide: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    let mut texts = Texts::default();
    let projections = read_projections(events)?;
    // Per head (kind, event, outcome): Projections::class; per `after` text (vendor): its index
    // in VENDOR_NAMES.
    let mut head_class: Vec<u8> = Vec::new();
    let mut after_vendor: Vec<u8> = Vec::new();
    let mut ids = BTreeMap::new();
    let mut n = 0usize;

    for file in &files {
        let path = format!("{}/{file}", rules_dir());
        let t = read_toml(&path)?;
        let vendor = s(&t, "vendor", &path)?;
        let title = s(&t, "title", &path)?;
        let source = s(&t, "source", &path)?;
        let _ = writeln!(sources_code, "    Source {{ file: {file:?}, vendor: {vendor:?}, title: {title:?}, source: {source:?} }},");
        let rules = t.get("rule").and_then(|v| v.as_array()).ok_or(format!("{path}: no [[rule]]"))?;
        // Byte rarity for this file's literals: first in its own example lines (the text its
        // patterns are searched in; `=` is rare in the catalogue but in every FortiGate pair),
        // then in all of them.
        let own = example_bytes(std::slice::from_ref(file))?;
        let bytes: [usize; 256] = std::array::from_fn(|b| own[b] << 24 | all_bytes[b].min((1 << 24) - 1));
        for r in rules {
            let r = r.as_table().ok_or(format!("{path}: a rule is not a table"))?;
            let id = s(r, "id", &path)?;
            let ctx = format!("{path}: rule {id}");
            if ids.insert(id.to_string(), ()).is_some() {
                return Err(format!("{ctx}: duplicate id"));
            }
            if !id.starts_with(&format!("{vendor}.")) {
                return Err(format!("{ctx}: id must start with `{vendor}.`"));
            }
            let kind = s(r, "kind", &ctx)?;
            if !KINDS.contains(&kind) {
                return Err(format!("{ctx}: unknown kind `{kind}`"));
            }
            let event = s(r, "event", &ctx)?;
            if !events.contains_key(event) {
                return Err(format!("{ctx}: event `{event}` is not in vocabulary.toml"));
            }
            let outcome = s(r, "outcome", &ctx)?;
            if !OUTCOMES.contains(&outcome) {
                return Err(format!("{ctx}: unknown outcome `{outcome}`"));
            }
            let severity = opt_s(r, "severity", &ctx)?.unwrap_or(if outcome == "failure" { "warn" } else { "info" });
            let Some(sev_i) = SEVERITIES.iter().position(|&x| x == severity) else {
                return Err(format!("{ctx}: unknown severity `{severity}`"));
            };
            let small = |k: &str| -> Result<u8, String> {
                match r.get(k) {
                    None => Ok(0),
                    Some(toml::Value::Integer(x)) if *x == 1 || *x == 2 => Ok(*x as u8),
                    _ => Err(format!("{ctx}: `{k}` must be 1 or 2")),
                }
            };
            let phase = small("phase")?;
            let ike_version = small("ike_version")?;
            let reason = opt_s(r, "reason", &ctx)?.unwrap_or("");
            let default_hint = if reason.is_empty() {
                ""
            } else {
                reasons
                    .get(reason)
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| format!("{ctx}: reason `{reason}` is not in vocabulary.toml"))?
            };
            let hint = opt_s(r, "hint", &ctx)?.unwrap_or(default_hint);
            let description = opt_s(r, "description", &ctx)?.unwrap_or("");

            let slot_names = {
                let l = str_list(r, "fields", &ctx)?;
                if l.is_empty() { vec!["message".to_string()] } else { l }
            };
            let mut slot_mask = 0u32;
            for sn in &slot_names {
                let si = find_slot(sn).ok_or_else(|| format!("{ctx}: unknown slot `{sn}`"))?;
                slot_mask |= 1 << si;
            }

            let text_slot = match opt_s(r, "text", &ctx)? {
                None => 255u8,
                Some(t) => find_slot(t).ok_or_else(|| format!("{ctx}: unknown slot `{t}` in text"))? as u8,
            };
            // `when`: the slot contains the literal; `when_equals`: the slot is exactly the literal.
            let mut when_code = String::new();
            let mut when_n = 0usize;
            for (key, exact) in [("when", false), ("when_equals", true)] {
                if let Some(w) = r.get(key) {
                    let w = w.as_table().ok_or(format!("{ctx}: `{key}` must be a table"))?;
                    for (k, v) in w {
                        let si = find_slot(k).ok_or_else(|| format!("{ctx}: unknown slot `{k}` in {key}"))?;
                        let v = v.as_str().ok_or(format!("{ctx}: {key} values must be strings"))?;
                        let _ = write!(when_code, "({si}, {}, {exact}, {}), ", lit(v.as_bytes()), rarest(v.as_bytes(), &bytes));
                        when_n += 1;
                    }
                }
            }

            let mut patterns = str_list(r, "patterns", &ctx)?;
            if let Some(p) = opt_s(r, "pattern", &ctx)? {
                patterns.insert(0, p.to_string());
            }
            let mut captured: Vec<usize> = Vec::new();
            let mut pat_code = String::new();
            let mut matcher_code = String::new();
            for p in &patterns {
                let toks = tokenize(p, &ctx)?;
                pat_code.push_str("&[");
                for tk in &toks {
                    match tk {
                        Tok::Lit(l) => {
                            let _ = write!(pat_code, "Tok::Lit({}), ", lit(l));
                        }
                        Tok::Hole(f, ty) => {
                            if let Some(f) = f {
                                if !captured.contains(f) {
                                    captured.push(*f);
                                }
                            }
                            let _ = write!(pat_code, "Tok::Hole({}, HoleTy::{}), ", hole_field(*f), hole_ty(ty));
                        }
                        Tok::Open => pat_code.push_str("Tok::Open, "),
                        Tok::Close => pat_code.push_str("Tok::Close, "),
                    }
                }
                pat_code.push_str("], ");
                matcher_code.push_str(&pattern_steps(&toks, &bytes));
                matcher_code.push_str(", ");
            }

            let mut set_code = String::new();
            let mut set_n = 0usize;
            if let Some(st) = r.get("set") {
                let st = st.as_table().ok_or(format!("{ctx}: `set` must be a table"))?;
                for (k, v) in st {
                    let f = find_field(k).ok_or_else(|| format!("{ctx}: unknown field `{k}` in set"))?;
                    if f < CORE_FIELDS {
                        return Err(format!("{ctx}: `{k}` is a rule key, not a `set` field"));
                    }
                    // Written as they are (classify::Classification::clean): nothing to escape.
                    if v.as_str().is_some_and(|x| x.bytes().any(|c| c < 0x20 || c == b'"' || c == b'\\')) {
                        return Err(format!("{ctx}: the `set` string of `{k}` holds a character JSON escapes"));
                    }
                    let _ = write!(set_code, "{}, ", set_field_code(f, v, &ctx)?);
                    set_n += 1;
                }
            }

            let anchor_list = str_list(r, "anchors", &ctx)?;
            if anchor_list.is_empty() {
                return Err(format!("{ctx}: no anchors"));
            }
            for a in &anchor_list {
                if a.len() < 4 {
                    return Err(format!("{ctx}: anchor `{a}` is shorter than 4 bytes"));
                }
                let existing = anchors.iter_mut().find(|x| x.text == a.as_bytes());
                match existing {
                    Some(x) => {
                        x.slots |= slot_mask;
                        if !x.rules.contains(&n) {
                            x.rules.push(n);
                        }
                    }
                    None => anchors.push(AnchorAcc { text: a.as_bytes().to_vec(), slots: slot_mask, rules: vec![n] }),
                }
            }

            // Examples: every one is a test; every captured field must be expected somewhere.
            let examples = r.get("example").and_then(|v| v.as_array()).ok_or(format!("{ctx}: no [[rule.example]]"))?;
            let mut ex_code = String::new();
            let mut expected: Vec<usize> = Vec::new();
            for ex in examples {
                let ex = ex.as_table().ok_or(format!("{ctx}: an example is not a table"))?;
                let line = s(ex, "line", &ctx)?;
                for w in line.as_bytes().windows(4) {
                    *background.entry(u32::from_le_bytes([w[0], w[1], w[2], w[3]])).or_insert(0) += 1;
                }
                for w in line.as_bytes().windows(WIDE) {
                    *background_wide.entry(wide_gram(w, 0)).or_insert(0) += 1;
                }
                let mut exp_code = String::new();
                if let Some(e) = ex.get("expect") {
                    let e = e.as_table().ok_or(format!("{ctx}: `expect` must be a table"))?;
                    for (k, v) in e {
                        let f = find_field(k).ok_or_else(|| format!("{ctx}: unknown field `{k}` in expect"))?;
                        expected.push(f);
                        let _ = write!(exp_code, "({k:?}, {}), ", toml_value_code(f, v, &ctx)?);
                    }
                }
                let _ = write!(ex_code, "Example {{ line: {line:?}, expect: &[{exp_code}] }}, ");
            }
            if examples.is_empty() {
                return Err(format!("{ctx}: no examples"));
            }
            for f in &captured {
                if !expected.contains(f) {
                    return Err(format!("{ctx}: captured field `{}` is in no example's expect", FIELDS[*f].name));
                }
            }

            // The static output, rendered once per distinct text and referred to by index:
            // `head` (before the severity value: `"kind":"..",...,"severity":"`), `tail` (after
            // it, up to the hint: `","phase":1,...,"hint":"`), the hint (JSON-escaped, stored
            // once for all the rules that give it), and `after` (closing the hint, then the
            // vendor, up to the rule id's own part: `","vendor":"aws","rule":"aws.`).
            let head = format!(
                "\"kind\":\"{kind}\",\"event\":\"{event}\",\"outcome\":\"{outcome}\",\"severity\":\""
            );
            let mut tail = String::from("\"");
            if phase > 0 {
                let _ = write!(tail, ",\"phase\":{phase}");
            }
            if ike_version > 0 {
                let _ = write!(tail, ",\"ike_version\":{ike_version}");
            }
            if !reason.is_empty() {
                let _ = write!(tail, ",\"reason\":\"{}\"", json_escape(reason));
            }
            if !hint.is_empty() {
                tail.push_str(",\"hint\":\"");
            }
            // The rule id's vendor prefix is part of `after`; the rule keeps the rest.
            let after = format!("{},\"vendor\":\"{vendor}\",\"rule\":\"{vendor}.", if hint.is_empty() { "" } else { "\"" });
            let id_tail = &id[vendor.len() + 1..];
            if id.bytes().chain(vendor.bytes()).any(|c| c == b'"' || c == b'\\' || c < 0x20) {
                return Err(format!("{ctx}: id and vendor may not need JSON escaping"));
            }
            let head_i = texts.intern(Text::Head, head)?;
            let tail_i = texts.intern(Text::Tail, tail)?;
            let after_i = texts.intern(Text::After, after)?;
            let hint_i = texts.intern(Text::Hint, json_escape(hint))?;
            if head_i == head_class.len() {
                head_class.push(projections.class(kind, event, outcome));
            }
            if after_i == after_vendor.len() {
                after_vendor.push(projections.vendor(vendor, &ctx)?);
            }
            let native = "#[cfg(not(target_os = \"wasi\"))]";
            // A rule keeps each list's length in one byte (catalogue::Rule).
            let matchers_n = patterns.len();
            if [id_tail.len(), when_n, matchers_n, set_n].iter().any(|&n| n > u8::MAX as usize) {
                return Err(format!("{ctx}: id, `when`, patterns or `set` longer than 255"));
            }
            let _ = writeln!(
                rules_code,
                "    Rule {{ {native} id: {id:?}, id_ptr: {id_tail:?}.as_ptr(), id_len: {}, {native} vendor: {vendor:?}, \
                 {native} kind: {kind:?}, {native} event: {event:?}, \
                 {native} outcome: {outcome:?}, severity: {sev_i}, level_severity: {}, phase: {phase}, \
                 {native} ike_version: {ike_version}, {native} reason: {reason:?}, {native} hint: {hint:?}, \
                 slots: {slot_mask}, text: {text_slot}, when_ptr: {{ const W: &[When] = &[{when_code}]; W }}.as_ptr(), when_len: {}, {native} patterns: &[{pat_code}], \
                 matchers_ptr: {{ const M: &[Pattern] = &[{matcher_code}]; M }}.as_ptr(), matchers_len: {}, \
                 set_ptr: {{ const S: &[SetField] = &[{set_code}]; S }}.as_ptr(), set_len: {}, \
                 head: {head_i}, tail: {tail_i}, after: {after_i}, hint_text: {hint_i} }},",
                id_tail.len(),
                vendor == "alibaba",
                when_n,
                matchers_n,
                set_n,
            );
            let anchor_strs: Vec<String> = anchor_list.iter().map(|a| format!("{a:?}")).collect();
            let pattern_strs: Vec<String> = patterns.iter().map(|p| format!("{p:?}")).collect();
            let _ = writeln!(
                docs_code,
                "    RuleDoc {{ file: {file:?}, description: {description:?}, fields: &[{}], anchors: &[{}], patterns: &[{}], examples: &[{ex_code}] }},",
                slot_names.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", "),
                anchor_strs.join(", "),
                pattern_strs.join(", "),
            );
            n += 1;
        }
    }

    // Anchor hash table. A sparse slot is tested at every STRIDE-th position, so an occurrence
    // of an anchor at p has exactly one tested position per residue of p modulo STRIDE: the
    // anchor is entered once per residue r, with one of its WIDE-byte windows at an offset
    // k = r (mod STRIDE). A slot with a shorter anchor is tested at every position, where the
    // anchor needs one four-byte window. The message slot is always sparse: every record pays
    // for it, and a stride of 8 halves the positions tested (docs/BENCHMARKS.md).
    let message_bit = 1u32 << find_slot("message").unwrap();
    let shortest_in = |bit: u32| anchors.iter().filter(|a| a.slots & bit != 0).map(|a| a.text.len()).min();
    if let Some(a) = anchors.iter().find(|a| a.slots & message_bit != 0 && a.text.len() < MIN_SPARSE_ANCHOR) {
        return Err(format!(
            "anchor {:?} is searched in the message slot and has fewer than {MIN_SPARSE_ANCHOR} bytes: lengthen it, or anchor on a structured slot (rules/README.md)",
            String::from_utf8_lossy(&a.text)
        ));
    }
    let sparse_slots = (0..SLOTS.len() as u32).filter(|&s| shortest_in(1 << s).is_some_and(|n| n >= MIN_SPARSE_ANCHOR)).fold(message_bit, |m, s| m | 1 << s);
    let buckets = 1usize << HASH_BITS;
    let mut filter = vec![0u32; 1 << (FILTER_BITS - 5)];
    // (bucket, entry): entries are stored sorted by bucket, so a bucket is a range of ENTRIES.
    let mut entries: Vec<(usize, u32)> = Vec::new();
    let mut anchors_code = String::new();
    // Every anchor's rules, one after the other (Anchor::rules_at indexes it).
    let mut anchor_rules: Vec<u16> = Vec::new();
    // Which window per residue: the one least common in log text (the catalogue's example
    // lines), so that text rarely reaches the table; among equally rare ones, the one least
    // used by other anchors, so that buckets stay short. (Weighing the sharing in more made
    // the mean dearer: 8 times the use count cost 1 %, 400 times 5 %.) Anchors often share a
    // prefix ("AWS-side peer ..."); their distinctive ends are chosen.
    let mut used: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    let mut used_wide: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    let gram = |t: &[u8], k: usize| u32::from_le_bytes([t[k], t[k + 1], t[k + 2], t[k + 3]]);
    if anchors.len() > 1 << ENTRY_ANCHOR_BITS {
        return Err(format!("more than {} anchors: widen ENTRIES", 1 << ENTRY_ANCHOR_BITS));
    }
    // (bucket, check, anchor, the window's start in the anchor): the entries, before each
    // gets its tag (below).
    let mut windows: Vec<(usize, u32, usize, usize)> = Vec::new();
    let mut enter = |x: u32, ai: usize, k: usize| {
        let h = (x >> (32 - HASH_BITS)) as usize;
        let f = (x >> (32 - FILTER_BITS)) as usize;
        filter[f / 32] |= 1 << (f % 32);
        windows.push((h, entry_check(x), ai, k));
    };
    // The tag's offset from the window is stored in ENTRY_REL_BITS bits, signed: a window is
    // entered only where both the anchor's first and last four bytes are that close.
    let reach = (1usize << (ENTRY_REL_BITS - 1)) - 1;
    for (ai, a) in anchors.iter().enumerate() {
        let t = &a.text;
        let last_start = t.len() - 4;
        let first_start = last_start.saturating_sub(reach);
        let last_start_k = last_start.min(reach);
        if a.slots & sparse_slots != 0 {
            // Sparse: one WIDE-byte window per residue.
            for r in 0..STRIDE {
                let cost = |k: usize| {
                    let g = wide_gram(t, k);
                    (background_wide.get(&g).copied().unwrap_or(0), used_wide.get(&g).copied().unwrap_or(0))
                };
                let k = (first_start + r..=(t.len() - WIDE).min(last_start_k)).step_by(STRIDE).min_by_key(|&k| (cost(k), k)).ok_or("anchor too short or too long for its slot")?;
                let w = wide_gram(t, k);
                *used_wide.entry(w).or_insert(0) += 1;
                enter(wide_hash(w), ai, k);
            }
        }
        if a.slots & !sparse_slots != 0 {
            // Tested at every position: one four-byte window.
            let cost = |k: usize| {
                let g = gram(t, k);
                (background.get(&g).copied().unwrap_or(0), used.get(&g).copied().unwrap_or(0))
            };
            let k = (first_start..=last_start_k).min_by_key(|&k| (cost(k), k)).ok_or("anchor too long for its slot")?;
            let w = gram(t, k);
            *used.entry(w).or_insert(0) += 1;
            enter(w.wrapping_mul(0x9E37_79B1), ai, k);
        }
        if a.text.len() > u8::MAX as usize || a.rules.len() > u8::MAX as usize || anchor_rules.len() > u16::MAX as usize {
            return Err(format!("anchor {:?}: longer than 255 bytes or for more than 255 rules", String::from_utf8_lossy(&a.text)));
        }
        let _ = writeln!(
            anchors_code,
            "    Anchor {{ text_ptr: {}.as_ptr(), slots: {}, rules_at: {}, text_len: {}, rules_len: {} }},",
            lit(&a.text),
            a.slots,
            anchor_rules.len(),
            a.text.len(),
            a.rules.len()
        );
        anchor_rules.extend(a.rules.iter().map(|&r| r as u16));
    }
    // Each entry's tag: of the anchor's last four bytes or of its first four, whichever fewer
    // anchors entered with the same window have in the same place (those would pass the tag and
    // be verified in vain); the last four when it is a tie.
    for &(h, check, ai, k) in &windows {
        let t = &anchors[ai].text;
        let last_start = t.len() - 4;
        // In how many other anchors of the same window the four bytes `d` bytes from the
        // window are those of `t` there.
        let same = |d: isize| {
            let mine = &t[(k as isize + d) as usize..][..4];
            windows
                .iter()
                .filter(|&&(h2, c2, a2, _)| h2 == h && c2 == check && a2 != ai)
                .filter(|&&(_, _, a2, k2)| {
                    let o = &anchors[a2].text;
                    let at = k2 as isize + d;
                    at >= 0 && at as usize + 4 <= o.len() && &o[at as usize..at as usize + 4] == mine
                })
                .count()
        };
        let (d_last, d_first) = ((last_start - k) as isize, -(k as isize));
        let d = if d_last > 0 && same(d_last) <= same(d_first) { d_last } else { d_first };
        let tag = window_tag(gram(t, (k as isize + d) as usize));
        let rel = (d as u32) & ((1 << ENTRY_REL_BITS) - 1);
        entries.push((h, check << ENTRY_CHECK_SHIFT | tag << ENTRY_TAG_SHIFT | (ai as u32) << ENTRY_REL_BITS | rel));
    }
    if entries.len() >= 0xFFFF {
        return Err("too many anchor windows for the hash table".into());
    }
    entries.sort_by_key(|e| e.0);
    // HEAD[h]..HEAD[h + 1]: bucket h's entries.
    let mut head = vec![0u16; buckets + 1];
    for h in 0..buckets {
        head[h + 1] = head[h] + entries.iter().filter(|e| e.0 == h).count() as u16;
    }

    let mut vocab_code = String::new();
    let _ = writeln!(vocab_code, "#[cfg(not(target_os = \"wasi\"))]\npub static EVENTS: &[(&str, &str)] = &[");
    for (k, v) in events {
        let _ = writeln!(vocab_code, "    ({k:?}, {:?}),", v.as_str().unwrap_or(""));
    }
    let _ = writeln!(vocab_code, "];\n#[cfg(not(target_os = \"wasi\"))]\npub static REASONS: &[(&str, &str)] = &[");
    for (k, v) in reasons {
        let _ = writeln!(vocab_code, "    ({k:?}, {:?}),", v.as_str().unwrap_or(""));
    }
    let _ = writeln!(vocab_code, "];");

    let mut code = String::new();
    let _ = writeln!(code, "// Generated by build.rs from rules/*.toml. Do not edit.");
    let _ = writeln!(code, "pub static RULES: [Rule; {n}] = [\n{rules_code}];");
    code.push_str(&texts.code());
    let _ = writeln!(code, "/// Per HEADS entry: the projections' class of its event (build.rs, Projections::class).");
    let _ = writeln!(code, "pub static HEAD_CLASS: [u8; {}] = {head_class:?};", head_class.len());
    let _ = writeln!(code, "/// Per AFTERS entry: the index of its vendor in VENDOR_NAMES.");
    let _ = writeln!(code, "pub static AFTER_VENDOR: [u8; {}] = {after_vendor:?};", after_vendor.len());
    code.push_str(&projections.vendors_code());
    let _ = writeln!(code, "pub static ANCHORS: [Anchor; {}] = [\n{anchors_code}];", anchors.len());
    let _ = writeln!(code, "/// The rules of each anchor, one after the other (Anchor::rules).");
    let _ = writeln!(code, "pub static ANCHOR_RULES: [u16; {}] = {anchor_rules:?};", anchor_rules.len());
    let slot_mask = anchors.iter().fold(0u32, |m, a| m | a.slots);
    let _ = writeln!(code, "pub const ANCHOR_SLOT_MASK: u32 = {slot_mask};");
    let _ = writeln!(code, "/// Bucket h of the anchor hash table is ENTRIES[HEAD[h]..HEAD[h + 1]].");
    let _ = writeln!(code, "pub static HEAD: [u16; {}] = {head:?};", head.len());
    let _ = writeln!(code, "/// One bit per {FILTER_BITS}-bit window hash: set when some entry has that hash.");
    let _ = writeln!(code, "pub static FILTER: [u32; {}] = {filter:?};", filter.len());
    let _ = writeln!(code, "/// Positions between tested windows when scanning a sparse slot.\npub const STRIDE: usize = {STRIDE};");
    let _ = writeln!(code, "/// The slots scanned at every STRIDE-th position by {WIDE}-byte windows (the message and those\n/// whose anchors are all long enough); the others at every position by four-byte windows.\npub const SPARSE_SLOTS: u32 = {sparse_slots};");
    let _ = writeln!(code, "/// Per window entered: bits of its hash that the bucket index leaves out (see dispatch.rs), the");
    let _ = writeln!(code, "/// tag of the anchor's first or last four bytes, the anchor, and the tagged bytes' offset from the window.");
    let _ = writeln!(code, "pub static ENTRIES: [u32; {}] = {:?};", entries.len(), entries.iter().map(|e| e.1).collect::<Vec<_>>());
    let _ = writeln!(code, "#[cfg(not(target_os = \"wasi\"))]\npub static DOCS: [RuleDoc; {n}] = [\n{docs_code}];");
    let _ = writeln!(code, "#[cfg(not(target_os = \"wasi\"))]\npub static SOURCES: &[Source] = &[\n{sources_code}];");
    let _ = writeln!(code, "{vocab_code}");
    Ok(code)
}

/// Marks a hole that skips text without capturing (must match src/catalogue.rs).
const SKIP: u8 = 255;
