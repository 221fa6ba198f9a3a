//! Renders the catalogue for the naive filter: per rule its static meaning, the input slots it
//! reads, its `when` conditions, its anchors as one regex (an alternation of literals), and its
//! patterns as regexes (vpnlog::regex, one per pattern). Written to OUT_DIR/rules.rs.

use std::fmt::Write as _;

use vpnlog::catalogue::{Const, DOCS, RULES};
use vpnlog::fields::{FIELDS, FieldType, SLOTS};

fn slot_names(mask: u32) -> Vec<&'static str> {
    (0..SLOTS.len()).filter(|i| mask & (1 << i) != 0).map(|i| SLOTS[i]).collect()
}

fn json_const(c: &Const) -> String {
    match c {
        Const::Str(s) => serde_json_string(&String::from_utf8_lossy(s)),
        Const::Num(n) => String::from_utf8_lossy(n).into_owned(),
        Const::Bool(b) => b.to_string(),
    }
}

fn serde_json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let mut out = String::new();
    out.push_str("/// Output fields a capture may fill: (regex group name, dotted path, numeric).\n");
    out.push_str("pub static CAPTURE_FIELDS: &[(&str, &str, bool)] = &[\n");
    for (i, f) in FIELDS.iter().enumerate() {
        writeln!(out, "    ({:?}, {:?}, {}),", vpnlog::regex::group_name(i), f.name, f.ty == FieldType::Num).unwrap();
    }
    out.push_str("];\n\n/// The catalogue, in the order rules are tried.\npub static RULES: &[NaiveRule] = &[\n");
    for (rule, doc) in RULES.iter().zip(DOCS.iter()) {
        let regexes = vpnlog::regex::rule_regexes(rule);
        let mut anchor = String::new();
        for (k, a) in doc.anchors.iter().enumerate() {
            if k > 0 {
                anchor.push('|');
            }
            vpnlog::regex::escape_into(a, &mut anchor);
        }
        let text = SLOTS.get(rule.text as usize).copied();
        let when: Vec<(&str, String, bool)> = rule
            .when()
            .iter()
            .map(|(s, lit, exact, _)| (SLOTS[*s as usize], String::from_utf8_lossy(lit).into_owned(), *exact))
            .collect();
        let set: Vec<(&str, String)> = rule.set().iter().map(|s| s.get()).map(|(f, c)| (FIELDS[f as usize].name, json_const(&c))).collect();
        writeln!(
            out,
            "    NaiveRule {{ id: {:?}, vendor: {:?}, kind: {:?}, event: {:?}, outcome: {:?}, severity: {:?}, \
             phase: {}, ike_version: {}, reason: {:?}, hint: {:?}, slots: &{:?}, text: {:?}, when: &{:?}, \
             anchor: {:?}, regexes: &{:?}, set: &{:?} }},",
            rule.id, rule.vendor, rule.kind, rule.event, rule.outcome, rule.severity(), rule.phase, rule.ike_version,
            rule.reason, rule.hint, slot_names(rule.slots), text, when, anchor, regexes, set
        )
        .unwrap();
    }
    out.push_str("];\n");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("rules.rs");
    std::fs::write(path, out).unwrap();
}
