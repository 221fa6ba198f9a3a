//! wit/vpnlog.wit against the library: the WIT `classification` record must carry every output
//! field of src/fields.rs with a matching type (and nothing else), and its enums must hold every
//! kind, outcome and severity the catalogue uses. The WIT file is parsed here, by a reader just
//! large enough for its records, enums and the one function.

use std::collections::{BTreeMap, BTreeSet};
use vpnlog::catalogue::RULES;
use vpnlog::fields::{FIELDS, FieldType};

const WIT: &str = include_str!("../wit/vpnlog.wit");

/// The types of the interface: enums (their cases) and records (their fields and types).
#[derive(Default, Debug)]
struct Interface {
    enums: BTreeMap<String, Vec<String>>,
    records: BTreeMap<String, Vec<(String, String)>>,
    funcs: Vec<String>,
}

/// WIT identifiers are kebab-case, `%` escapes a keyword; the JSON output uses snake_case.
fn ident(s: &str) -> String {
    s.trim().trim_start_matches('%').replace('-', "_")
}

fn parse(text: &str) -> Interface {
    let code: String = text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let mut it = Interface::default();
    let mut rest = code.as_str();
    while let Some(pos) = rest.find(|c: char| c.is_ascii_alphabetic()) {
        rest = &rest[pos..];
        let word: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        match word.as_str() {
            "enum" | "record" => {
                let open = rest.find('{').expect("{ after enum/record");
                let close = rest.find('}').expect("} after enum/record");
                let name = ident(&rest[word.len()..open]);
                let body = &rest[open + 1..close];
                let items = body.split(',').map(str::trim).filter(|s| !s.is_empty());
                if word == "enum" {
                    it.enums.insert(name, items.map(ident).collect());
                } else {
                    let fields = items.map(|f| {
                        let (k, t) = f.split_once(':').expect("field: type");
                        (ident(k), t.split_whitespace().collect::<String>())
                    });
                    it.records.insert(name, fields.collect());
                }
                rest = &rest[close + 1..];
            }
            _ => {
                let line_end = rest.find(['\n', ';']).unwrap_or(rest.len());
                let stmt = &rest[..line_end];
                if stmt.contains(": func(") {
                    it.funcs.push(stmt.split_whitespace().collect::<Vec<_>>().join(" "));
                }
                rest = &rest[line_end.min(rest.len())..];
                if rest.is_empty() {
                    break;
                }
                rest = &rest[1..];
            }
        }
    }
    it
}

/// `option<T>` -> (T, true); `T` -> (T, false).
fn unoption(t: &str) -> (&str, bool) {
    match t.strip_prefix("option<").and_then(|x| x.strip_suffix('>')) {
        Some(inner) => (inner, true),
        None => (t, false),
    }
}

/// The classification's leaves as dotted paths: (type, optional), records flattened.
fn leaves(it: &Interface, record: &str, prefix: &str, out: &mut BTreeMap<String, (String, bool)>) {
    for (name, ty) in &it.records[record] {
        let (inner, optional) = unoption(ty);
        let path = format!("{prefix}{name}");
        if it.records.contains_key(&ident(inner)) {
            leaves(it, &ident(inner), &format!("{path}."), out);
        } else {
            out.insert(path, (inner.to_string(), optional));
        }
    }
}

/// Where the WIT places an output field whose JSON nesting it flattens.
fn wit_path(json_path: &str) -> &str {
    match json_path {
        "crypto.weak" => "weak_crypto",
        "crypto.algorithm" => "crypto_algorithm",
        other => other,
    }
}

fn interface() -> Interface {
    let it = parse(WIT);
    assert!(it.records.contains_key("classification"), "no record classification in {it:?}");
    it
}

#[test]
fn the_reader_sees_the_whole_interface() {
    let it = interface();
    assert_eq!(it.enums.keys().collect::<Vec<_>>(), ["kind", "outcome", "severity"]);
    assert_eq!(it.records.keys().collect::<Vec<_>>(), ["bgp", "classification", "endpoint", "notification", "spi"]);
    assert_eq!(it.records["spi"], [("in".to_string(), "option<string>".to_string()), ("out".to_string(), "option<string>".to_string())]);
}

#[test]
fn classify_takes_a_record_and_returns_an_optional_classification() {
    assert_eq!(interface().funcs, ["classify: func(%record: string) -> option<classification>"]);
    assert!(WIT.contains("world vpnlog {") && WIT.contains("export classify;"));
}

#[test]
fn every_output_field_is_in_the_wit_with_its_type() {
    let it = interface();
    let mut wit = BTreeMap::new();
    leaves(&it, "classification", "", &mut wit);
    let mut missing = Vec::new();
    for f in FIELDS {
        let path = wit_path(f.name);
        let Some((ty, _)) = wit.get(path) else {
            missing.push(path);
            continue;
        };
        let ok = match f.ty {
            FieldType::Str => ty == "string" || it.enums.contains_key(ty.as_str()),
            FieldType::Num => ["u8", "u16", "u32", "u64"].contains(&ty.as_str()),
            FieldType::Bool => ty == "bool",
        };
        assert!(ok, "{}: {:?} in the library, {ty} in the WIT", f.name, f.ty);
    }
    assert!(missing.is_empty(), "output fields missing from the WIT: {missing:?}");
    let known: BTreeSet<&str> = FIELDS.iter().map(|f| wit_path(f.name)).collect();
    let extra: Vec<&String> = wit.keys().filter(|k| !known.contains(k.as_str())).collect();
    assert!(extra.is_empty(), "WIT fields the library never writes: {extra:?}");
}

#[test]
fn exactly_the_fields_every_classification_has_are_required() {
    let it = interface();
    let mut wit = BTreeMap::new();
    leaves(&it, "classification", "", &mut wit);
    let required: Vec<&str> = wit.iter().filter(|(_, (_, opt))| !opt).map(|(k, _)| k.as_str()).collect();
    assert_eq!(required, ["event", "kind", "outcome", "rule", "severity", "vendor"]);
    for r in RULES.iter() {
        for (name, v) in [("event", r.event), ("rule", r.id), ("vendor", r.vendor)] {
            assert!(!v.is_empty(), "{}: empty {name}", r.id);
        }
    }
}

#[test]
fn the_enums_hold_every_value_the_catalogue_uses() {
    let it = interface();
    for r in RULES.iter() {
        assert!(it.enums["kind"].iter().any(|k| k == r.kind), "{}: kind {}", r.id, r.kind);
        assert!(it.enums["outcome"].iter().any(|k| k == r.outcome), "{}: outcome {}", r.id, r.outcome);
        assert!(it.enums["severity"].iter().any(|k| k == r.severity()), "{}: severity {}", r.id, r.severity());
    }
    // Alibaba's levels (INFO, WARN, CRITICAL) map onto the same three severities.
    assert_eq!(it.enums["severity"], ["info", "warn", "critical"]);
}

#[test]
fn numbers_fit_their_wit_types() {
    let it = interface();
    let mut wit = BTreeMap::new();
    leaves(&it, "classification", "", &mut wit);
    assert_eq!(wit["phase"].0, "u8");
    assert_eq!(wit["ike_version"].0, "u8");
    for r in RULES.iter() {
        assert!(r.phase <= 2 && r.ike_version <= 2, "{}", r.id);
    }
    // BGP notification codes and subcodes are one octet on the wire (RFC 4271, 4.5).
    assert_eq!(wit["bgp.notification.code"].0, "u8");
    assert_eq!(wit["bgp.notification.subcode"].0, "u8");
    // AS numbers are four octets (RFC 6793); ports two.
    assert_eq!(wit["bgp.asn"].0, "u32");
    assert_eq!(wit["peer.port"].0, "u16");
}
