//! The backend projections (`vpnlog_filter_ecs`, `vpnlog_filter_ocsf`, `vpnlog_filter_flat`;
//! docs/PROJECTIONS.md) through the built module:
//! - hand-written golden files (tests/golden-projections/), byte for byte;
//! - every catalogue example and golden record of every vendor against an oracle: the mapping
//!   tables of docs/PROJECTIONS.md applied here, with serde_json, to the native `vpn` object that
//!   `vpnlog_filter` returns for the same record (itself checked by tests/catalogue.rs and
//!   tests/golden.rs);
//! - the never-lose contract for every export: huge records, input that is not an object, a
//!   record that was not copied in, existing keys, and filtering twice.

mod common;

use serde_json::{Map, Value, json};
use vpnlog::catalogue::DOCS;
use vpnlog_host::Timestamp;

/// The timestamp tests/common passes with every record.
const TIME_MS: u64 = 1_762_580_429_000;

fn show(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    if s.len() > 400 { format!("{}… ({} bytes)", &s[..s.floor_char_boundary(400)], b.len()) } else { s.into_owned() }
}

// ---- golden files --------------------------------------------------------------------------

fn golden_lines(file: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden-projections").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect()
}

fn check_golden(projection: &str) {
    let inputs = golden_lines("records.input");
    let expected = golden_lines(&format!("{projection}.expected"));
    assert_eq!(inputs.len(), expected.len(), "{projection}: records.input and {projection}.expected differ in line count");
    let mut h = common::host_with(&format!("vpnlog_filter_{projection}"));
    let mut failures = Vec::new();
    for (i, (line, want)) in inputs.iter().zip(&expected).enumerate() {
        let out = common::run(&mut h, &common::golden_record(line));
        if out != want.as_bytes() {
            failures.push(format!("{projection}.expected record {}:\n  expected: {want}\n  actual:   {}", i + 1, show(&out)));
        }
    }
    assert!(failures.is_empty(), "{} of {} records differ:\n{}", failures.len(), inputs.len(), failures.join("\n"));
}

#[test]
fn golden_ecs() {
    check_golden("ecs");
}

#[test]
fn golden_ocsf() {
    check_golden("ocsf");
}

#[test]
fn golden_flat() {
    check_golden("flat");
}

// ---- oracle --------------------------------------------------------------------------------

/// rules/projections.toml, read independently of build.rs.
struct Tables {
    activity: Map<String, Value>,
    authentication: Vec<String>,
    vendors: Map<String, Value>,
}

fn tables() -> Tables {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/projections.toml");
    let t: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let v: Value = serde_json::to_value(&t).unwrap();
    let mut activity = Map::new();
    for (name, events) in v["activity"].as_object().unwrap() {
        for e in events.as_array().unwrap() {
            activity.insert(e.as_str().unwrap().to_string(), Value::from(name.as_str()));
        }
    }
    let authentication = v["authentication"]["events"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_string()).collect();
    Tables { activity, authentication, vendors: v["vendors"].as_object().unwrap().clone() }
}

/// The value at a dotted path.
fn get<'a>(v: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut cur = v.get(parts.next()?)?;
    for p in parts {
        cur = cur.get(p)?;
    }
    Some(cur)
}

/// Removes a dotted path, and objects it leaves empty.
fn remove(v: &mut Map<String, Value>, path: &str) {
    match path.split_once('.') {
        None => {
            v.shift_remove(path);
        }
        Some((head, rest)) => {
            if let Some(Value::Object(inner)) = v.get_mut(head) {
                remove(inner, rest);
                if inner.is_empty() {
                    v.shift_remove(head);
                }
            }
        }
    }
}

/// Whether the record has the root key `k` or a root key `k.<anything>`.
fn taken(record: &Map<String, Value>, k: &str) -> bool {
    record.keys().any(|key| key == k || key.starts_with(&format!("{k}.")))
}

fn str_of<'a>(v: &'a Map<String, Value>, path: &str) -> &'a str {
    get(v, path).and_then(Value::as_str).unwrap_or("")
}

/// The endpoint object of `ip` and `port` paths (the fields it used are removed from `rest`).
fn endpoint(vpn: &Map<String, Value>, rest: &mut Map<String, Value>, ip: Option<&str>, port: &str) -> Map<String, Value> {
    let mut e = Map::new();
    if let Some(ip) = ip {
        e.insert("ip".into(), get(vpn, ip).unwrap().clone());
        remove(rest, ip);
    }
    if let Some(p) = get(vpn, port) {
        e.insert("port".into(), p.clone());
        remove(rest, port);
    }
    e
}

/// An IP address, as the standard library parses one (BIRD's neighbours are names).
fn is_address(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.parse::<std::net::IpAddr>().is_ok())
}

fn remote(vpn: &Map<String, Value>) -> Option<&'static str> {
    let bgp = matches!(str_of(vpn, "kind"), "bgp" | "route");
    if get(vpn, "peer.ip").is_some() {
        Some("peer.ip")
    } else if bgp && get(vpn, "bgp.neighbor").is_some_and(is_address) {
        Some("bgp.neighbor")
    } else {
        None
    }
}

/// docs/PROJECTIONS.md, "ECS": the members appended for the native object `vpn` under `ns`.
fn expect_ecs(t: &Tables, record: &Map<String, Value>, ns: &str, vpn: &Map<String, Value>) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut rest = vpn.clone();
    let event = str_of(vpn, "event");
    let outcome = str_of(vpn, "outcome");
    let kind = str_of(vpn, "kind");
    let vendor = str_of(vpn, "vendor");
    let auth = t.authentication.iter().any(|e| e == event);
    let activity = t.activity.get(event).and_then(Value::as_str).unwrap_or("other");
    if !taken(record, "event") {
        let mut category = vec!["network"];
        if auth || get(vpn, "user").is_some() {
            category.push("authentication");
        }
        let types: &[&str] = match (activity, outcome) {
            ("open", "success") => &["connection", "start"],
            ("open", "failure") if auth => &["connection", "denied"],
            ("open", "failure") => &["connection", "error"],
            ("open", _) => &["connection"],
            ("close", _) => &["connection", "end"],
            ("renew", _) => &["connection", "info"],
            (_, "failure") => &["error"],
            _ => &["info"],
        };
        let mut e = Map::new();
        e.insert("kind".into(), json!("event"));
        e.insert("category".into(), json!(category));
        e.insert("type".into(), json!(types));
        e.insert("action".into(), json!(event));
        e.insert("outcome".into(), json!(outcome));
        for (from, to) in [("reason", "reason"), ("code", "code")] {
            if let Some(x) = get(vpn, from) {
                e.insert(to.into(), x.clone());
            }
        }
        for f in ["event", "outcome", "reason", "code"] {
            remove(&mut rest, f);
        }
        out.push(("event".into(), Value::Object(e)));
    }
    if !taken(record, "observer") {
        let names = &t.vendors[vendor];
        out.push(("observer".into(), json!({"vendor": names[0], "product": names[1]})));
        remove(&mut rest, "vendor");
    }
    let src = remote(vpn);
    if !taken(record, "source") && (src.is_some() || get(vpn, "peer.port").is_some()) {
        out.push(("source".into(), Value::Object(endpoint(vpn, &mut rest, src, "peer.port"))));
    }
    let local = get(vpn, "local.ip").map(|_| "local.ip");
    if !taken(record, "destination") && (local.is_some() || get(vpn, "local.port").is_some()) {
        out.push(("destination".into(), Value::Object(endpoint(vpn, &mut rest, local, "local.port"))));
    }
    if !taken(record, "user") {
        if let Some(u) = get(vpn, "user") {
            out.push(("user".into(), json!({ "name": u })));
            remove(&mut rest, "user");
        }
    }
    let protocol = match (kind, vendor) {
        ("bgp" | "route", _) => Some("bgp"),
        (_, "openvpn") => Some("openvpn"),
        (_, "wireguard") => Some("wireguard"),
        ("ike" | "dpd", _) => Some("ike"),
        ("tunnel", _) => Some("ipsec"),
        _ => None,
    };
    if let (false, Some(p)) = (taken(record, "network"), protocol) {
        out.push(("network".into(), json!({ "protocol": p })));
    }
    let mut ips: Vec<Value> = Vec::new();
    for p in ["peer.ip", "local.ip", "bgp.neighbor", "bgp.next_hop"] {
        if let Some(ip) = get(vpn, p).filter(|v| is_address(v)) {
            if !ips.contains(ip) {
                ips.push(ip.clone());
            }
        }
    }
    if !taken(record, "related") && !ips.is_empty() {
        out.push(("related".into(), json!({ "ip": ips })));
    }
    out.push((ns.into(), Value::Object(rest)));
    out
}

/// docs/PROJECTIONS.md, "OCSF".
fn expect_ocsf(t: &Tables, record: &Map<String, Value>, ns: &str, vpn: &Map<String, Value>) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut rest = vpn.clone();
    remove(&mut rest, "outcome");
    remove(&mut rest, "vendor");
    let event = str_of(vpn, "event");
    let outcome = str_of(vpn, "outcome");
    let vendor = str_of(vpn, "vendor");
    let bgp = matches!(str_of(vpn, "kind"), "bgp" | "route");
    let activity = t.activity.get(event).and_then(Value::as_str).unwrap_or("other");
    let class = if bgp { 4001 } else { 4014 };
    let activity_id = match (activity, outcome, bgp) {
        ("open", "failure", true) => 4,
        ("open", _, _) => 1,
        ("close", _, _) => 2,
        ("renew", _, _) => 3,
        _ => 99,
    };
    let severity_id = match str_of(vpn, "severity") {
        "info" => 1,
        "warn" => 3,
        "critical" => 5,
        _ => 0,
    };
    let status_id = match outcome {
        "success" => 1,
        "failure" => 2,
        _ => 0,
    };
    let mut add = |k: &str, v: Value| {
        if !taken(record, k) {
            out.push((k.into(), v));
            true
        } else {
            false
        }
    };
    add("class_uid", json!(class));
    add("category_uid", json!(4));
    add("activity_id", json!(activity_id));
    add("type_uid", json!(class * 100 + activity_id));
    add("time", json!(TIME_MS));
    add("severity_id", json!(severity_id));
    add("status_id", json!(status_id));
    if let Some(r) = get(vpn, "reason") {
        if add("status_detail", r.clone()) {
            remove(&mut rest, "reason");
        }
    }
    let src = remote(vpn);
    if !taken(record, "src_endpoint") && (src.is_some() || get(vpn, "peer.port").is_some()) {
        let e = endpoint(vpn, &mut rest, src, "peer.port");
        add("src_endpoint", Value::Object(e));
    }
    let local = get(vpn, "local.ip").map(|_| "local.ip");
    if !taken(record, "dst_endpoint") && (local.is_some() || get(vpn, "local.port").is_some()) {
        let e = endpoint(vpn, &mut rest, local, "local.port");
        add("dst_endpoint", Value::Object(e));
    }
    if !bgp {
        let mut session = Map::new();
        if !taken(record, "session") {
            if let Some(s) = get(vpn, "session") {
                session.insert("uid".into(), s.clone());
                remove(&mut rest, "session");
            }
        }
        session.insert("is_vpn".into(), json!(true));
        add("session", Value::Object(session));
        if let Some(tn) = get(vpn, "tunnel") {
            if add("tunnel_interface", json!({"name": tn, "type_id": 4, "type": "Tunnel"})) {
                remove(&mut rest, "tunnel");
            }
        }
        let protocol = match vendor {
            "openvpn" => "OpenVPN",
            "wireguard" => "WireGuard",
            _ => "IPSec",
        };
        add("protocol_name", json!(protocol));
    } else {
        add("app_protocol_name", json!("bgp"));
    }
    if let Some(u) = get(vpn, "user") {
        if add("user", json!({ "name": u })) {
            remove(&mut rest, "user");
        }
    }
    let names = &t.vendors[vendor];
    let mut metadata = json!({"product": {"vendor_name": names[0], "name": names[1]}, "version": "1.2.0"});
    if let Some(code) = get(vpn, "code") {
        metadata["event_code"] = code.clone();
    }
    if add("metadata", metadata) && get(vpn, "code").is_some() {
        remove(&mut rest, "code");
    }
    let mut unmapped = Map::new();
    unmapped.insert(ns.into(), Value::Object(rest));
    add("unmapped", Value::Object(unmapped));
    out
}

/// docs/PROJECTIONS.md, "Flat": every leaf under its dotted path.
fn expect_flat(record: &Map<String, Value>, ns: &str, vpn: &Map<String, Value>) -> Vec<(String, Value)> {
    fn leaves(prefix: &str, v: &Map<String, Value>, out: &mut Vec<(String, Value)>) {
        for (k, x) in v {
            let path = format!("{prefix}.{k}");
            match x {
                Value::Object(inner) => leaves(&path, inner, out),
                _ => out.push((path, x.clone())),
            }
        }
    }
    let mut out = Vec::new();
    if !taken(record, ns) {
        leaves(ns, vpn, &mut out);
    }
    out
}

/// The record's root as an ordered map (serde_json keeps the last of duplicate keys).
fn object(b: &[u8]) -> Map<String, Value> {
    match serde_json::from_slice(b) {
        Ok(Value::Object(m)) => m,
        other => panic!("not a JSON object ({other:?}): {}", show(b)),
    }
}

/// Records of every vendor: each catalogue example and every golden record.
fn corpus() -> Vec<Vec<u8>> {
    let mut records: Vec<Vec<u8>> = DOCS.iter().flat_map(|d| d.examples.iter().map(|e| common::example_record(e.line))).collect();
    for source in ["aws_tunnel", "aws_bgp", "azure", "alibaba", "openswan", "non_vpn"] {
        records.extend(common::golden(source).into_iter().map(|(r, _)| r));
    }
    records.extend(golden_lines("records.input").iter().map(|l| common::golden_record(l)));
    records
}

#[test]
fn every_vendor_maps_as_documented() {
    let t = tables();
    let mut native = common::host();
    let mut hosts: Vec<_> = ["ecs", "ocsf", "flat"].iter().map(|p| (*p, common::host_with(&format!("vpnlog_filter_{p}")))).collect();
    let mut failures = Vec::new();
    let mut vendors = std::collections::BTreeSet::new();
    let records = corpus();
    for rec in &records {
        let n = common::run(&mut native, rec);
        let input = object(rec);
        let classified = n != *rec;
        let (ns, vpn) = if !classified {
            ("vpn", None)
        } else {
            // The native filter appended its object as the last member: `vpn`, or `vpnlog`.
            let out = object(&n);
            let (k, v) = out.iter().last().unwrap();
            (if k == "vpnlog" { "vpnlog" } else { "vpn" }, Some(v.as_object().unwrap().clone()))
        };
        if let Some(v) = &vpn {
            vendors.insert(str_of(v, "vendor").to_string());
        }
        for (p, h) in hosts.iter_mut() {
            let out = common::run(h, rec);
            let Some(vpn) = &vpn else {
                if out != *rec {
                    failures.push(format!("{p}: unclassified record changed: {}\n  -> {}", show(rec), show(&out)));
                }
                continue;
            };
            let members = match *p {
                "ecs" => expect_ecs(&t, &input, ns, vpn),
                "ocsf" => expect_ocsf(&t, &input, ns, vpn),
                _ => expect_flat(&input, ns, vpn),
            };
            let mut want = input.clone();
            for (k, v) in members {
                assert!(!want.contains_key(&k), "oracle would duplicate {k}");
                want.insert(k, v);
            }
            let close = rec.iter().rposition(|&c| c == b'}').unwrap();
            let kept = out.starts_with(&rec[..close]) && out.ends_with(b"}");
            let got = serde_json::from_slice::<Value>(&out).map(|v| v.to_string()).unwrap_or_default();
            if !kept || got != Value::Object(want.clone()).to_string() {
                failures.push(format!("{p}: {}\n  expected: {}\n  actual:   {}", show(rec), Value::Object(want), show(&out)));
            }
        }
    }
    assert!(vendors.len() >= 17, "only these vendors were seen: {vendors:?}");
    assert!(failures.is_empty(), "{} of {} checks failed:\n{}", failures.len(), records.len() * 3, failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
}

// ---- contract for every export -------------------------------------------------------------

/// The contract's oracle: not dropped, one valid JSON object, the original bytes kept (the
/// record, or the record with members inserted before its closing brace), no duplicate root
/// key, and filtering the output again gives the output.
fn keeps_contract(h: &mut vpnlog_host::FluentBitHost, function: &str, record: &[u8]) -> Vec<u8> {
    let out = common::run(h, record);
    vpnlog_host::json::validate(&out).unwrap_or_else(|e| panic!("{function}: invalid output ({e}) for {}", show(record)));
    if out != record {
        let close = record.iter().rposition(|&c| c == b'}').unwrap();
        assert!(
            out.starts_with(&record[..close]) && out.ends_with(&record[close..]),
            "{function}: original bytes not kept for {}",
            show(record)
        );
        if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(&out) {
            let keys = root_key_count(&out);
            assert_eq!(keys, m.len(), "{function}: duplicate root key in {}", show(&out));
        }
    }
    let again = common::run(h, &out);
    assert!(again == out, "{function}: filtering twice differs from once for {}\n  once:  {}\n  twice: {}", show(record), show(&out), show(&again));
    out
}

/// The number of members of the root object (duplicates counted), from the compact output.
fn root_key_count(b: &[u8]) -> usize {
    let (mut depth, mut in_str, mut esc, mut n) = (0, false, false, 0);
    for (i, &c) in b.iter().enumerate() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => {
                in_str = true;
                if depth == 1 && matches!(b[..i].iter().rev().find(|c| !c.is_ascii_whitespace()), Some(b'{' | b',')) {
                    n += 1;
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            _ => {}
        }
    }
    n
}

const DPD: &str = "AWS tunnel DPD timed out after 3 retransmits";

#[test]
fn every_export_keeps_the_contract() {
    for function in common::FILTERS {
        let mut h = common::host_with(function);
        // Every vendor's records, then the same with keys the projections write already present.
        for rec in corpus() {
            keeps_contract(&mut h, function, &rec);
        }
        let existing = [
            r#"{"event":{"action":"x"},"source.ip":"192.0.2.9","user":"u","log":"DPD"}"#,
            r#"{"class_uid":1,"unmapped":{},"time":5,"metadata":"m","log":"DPD"}"#,
            r#"{"vpn.kind":"mine","log":"DPD"}"#,
            r#"{"vpn":"corp-west","log":"DPD"}"#,
            r#"{"vpn":{"site":"lisbon"},"vpnlog":null,"log":"DPD"}"#,
            r#"{"vpn":{"rule":"aws.dpd.timeout.v2"},"log":"DPD"}"#,
            // Whitespace between tokens (Fluent Bit sends none), after a first member without.
            r#"{"log":"DPD" , "x" : [ 1 , { "event" : 2 } ] , "source" : "s" }"#,
        ];
        for rec in existing {
            keeps_contract(&mut h, function, rec.replace("DPD", DPD).as_bytes());
        }
        // Large records: a 70 KB and a 1 MiB VPN line, and as large ordinary ones.
        for size in [70 * 1024, 1 << 20] {
            let frame = format!(r#"{{"log":"{DPD} "}}"#).len();
            let vpn = format!(r#"{{"log":"{DPD} {}"}}"#, "x".repeat(size - frame));
            let out = keeps_contract(&mut h, function, vpn.as_bytes());
            assert!(out.len() > vpn.len(), "{function}: {size}-byte VPN record not classified");
            let plain = format!(r#"{{"log":"{}"}}"#, "lorem ipsum ".repeat(size / 12));
            assert_eq!(common::run(&mut h, plain.as_bytes()), plain.as_bytes(), "{function}: ordinary record changed");
        }
        // Input that is not a JSON object comes back wrapped.
        for rec in [&b"[1,2]"[..], b"not json", b"", b"{\"log\":\"caf\xe9\"}", br#"{"a":1,}"#] {
            let out = common::run(&mut h, rec);
            let m = object(&out);
            assert_eq!(m.get("vpnlog_invalid").and_then(Value::as_str), Some(&*String::from_utf8_lossy(rec)), "{function}");
        }
        // A record the host could not copy in.
        let o = h.call_raw(0, 0, Timestamp { sec: 1, nsec: 0 }, 0, 1234);
        let out = o.result.unwrap_or_else(|e| panic!("{function}: null record dropped: {e}"));
        assert_eq!(out, br#"{"vpnlog_error":"record not copied into the filter","record_len":1234}"#, "{function}");
    }
}

#[test]
fn memory_stays_flat_for_every_export() {
    let records = corpus();
    for function in common::FILTERS {
        let mut h = common::host_with(function);
        for r in &records {
            common::run(&mut h, r);
        }
        let pages = h.memory_pages();
        for _ in 0..3 {
            for r in &records {
                common::run(&mut h, r);
            }
        }
        assert_eq!(h.memory_pages(), pages, "{function}: memory grew over repeated records");
    }
}
