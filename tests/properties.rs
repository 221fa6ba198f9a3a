//! Property tests through the built module, for every exported filter function, bounded to a
//! few seconds: random JSON objects and
//! random vendor-looking lines (catalogue examples cut, spliced and mutated). The oracle for
//! every record is `common::check` (vpnlog_host::contract): it is not dropped; the output is one
//! valid JSON object; the original bytes are kept (the output is the input, or the input with
//! one member appended before its closing brace); and filtering the output again gives the same
//! output.

mod common;

use vpnlog::catalogue::DOCS;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const KEYS: &[&str] = &[
    "log", "message", "msg", "MESSAGE", "Message", "details", "Category", "category", "OperationName",
    "operationName", "name", "type", "status", "level", "properties", "data", "vpn", "vpnlog",
    "ike_phase1_state", "dpd_enabled", "resource_id", "remoteIP_s", "x", "k\u{e9}y", "a\\\"b",
];

fn random_string(r: &mut Rng, lines: &[&str]) -> String {
    match r.below(6) {
        0 => r.pick(lines).to_string(),
        1 => {
            let l = r.pick(lines);
            let cut = l.char_indices().map(|(i, _)| i).nth(r.below(l.chars().count())).unwrap_or(0);
            l[cut..].to_string()
        }
        2 => (0..r.below(12)).map(|_| *r.pick(&["\u{0}", "\"", "\\", "\u{1f}", "é", "中", "🚀", "\u{fffd}", " ", "{", "}"])).collect(),
        3 => format!("{} {}", r.pick(lines), r.pick(lines)),
        _ => (0..r.below(20)).map(|_| (b'a' + r.below(26) as u8) as char).collect(),
    }
}

fn random_value(r: &mut Rng, depth: usize, lines: &[&str]) -> serde_json::Value {
    use serde_json::Value;
    match r.below(if depth > 3 { 4 } else { 7 }) {
        0 => Value::from(random_string(r, lines)),
        1 => Value::from(r.next() as i64 >> r.below(60)),
        2 => serde_json::from_str::<Value>(*r.pick(&["1e300", "-0.0", "0.1", "12345678901234567890", "true", "false", "null"])).unwrap(),
        3 => Value::from(random_string(r, lines)),
        4 => Value::Array((0..r.below(4)).map(|_| random_value(r, depth + 1, lines)).collect()),
        _ => random_object(r, depth + 1, lines),
    }
}

fn random_object(r: &mut Rng, depth: usize, lines: &[&str]) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for _ in 0..r.below(6) {
        m.insert(r.pick(KEYS).to_string(), random_value(r, depth, lines));
    }
    serde_json::Value::Object(m)
}

/// The contract for `function`: the shared oracle (host/src/contract.rs) for the native filter;
/// for a projection, which inserts other members than `vpn`, valid JSON, the original bytes kept
/// around the insertion, and filtering twice equal to once.
fn check(h: &mut vpnlog_host::FluentBitHost, function: &str, record: &[u8]) -> Vec<u8> {
    if function == "vpnlog_filter" {
        return common::check(h, record);
    }
    let out = common::run(h, record);
    vpnlog_host::json::validate(&out).unwrap_or_else(|e| panic!("invalid output ({e}) for {}", String::from_utf8_lossy(record)));
    if out != record {
        let close = record.iter().rposition(|&c| c == b'}').unwrap();
        assert!(
            out.starts_with(&record[..close]) && out.ends_with(&record[close..]),
            "original bytes not kept for {}",
            String::from_utf8_lossy(record)
        );
    }
    let again = common::run(h, &out);
    assert_eq!(again, out, "filtering twice differs from once for {}", String::from_utf8_lossy(record));
    out
}

#[test]
fn random_records_keep_the_contract() {
    let lines: Vec<&str> = DOCS.iter().flat_map(|d| d.examples.iter().map(|e| e.line)).filter(|l| !l.starts_with('{')).collect();
    // Every export (the native filter and its projections) keeps the contract.
    for function in common::FILTERS {
        let mut h = common::host_with(function);
        let mut r = Rng(0x5EED_1234_ABCD_0042);
        let mut classified = 0;
        for _ in 0..if function == "vpnlog_filter" { 3000 } else { 1000 } {
            let rec = common::compact(&random_object(&mut r, 0, &lines).to_string());
            if check(&mut h, function, &rec) != rec {
                classified += 1;
            }
        }
        // The generator reaches the classifier, not only the pass-through path.
        assert!(classified > 30, "{function}: only {classified} random records were classified");
    }
}

#[test]
fn mutated_vendor_lines_keep_the_contract() {
    let lines: Vec<&str> = DOCS.iter().flat_map(|d| d.examples.iter().map(|e| e.line)).filter(|l| !l.starts_with('{')).collect();
    for function in common::FILTERS {
        let mut h = common::host_with(function);
        let mut r = Rng(0xC0FF_EE00_1234_5678);
        for _ in 0..if function == "vpnlog_filter" { 3000 } else { 1000 } {
            let mut line: Vec<char> = r.pick(&lines).chars().collect();
            for _ in 0..r.below(4) {
                if line.is_empty() {
                    break;
                }
                let at = r.below(line.len());
                match r.below(4) {
                    0 => {
                        line.remove(at);
                    }
                    1 => line.insert(at, *r.pick(&['"', '\\', '\u{0}', '(', ':', ' ', '9', '.', '中'])),
                    2 => line.truncate(at),
                    _ => {
                        let dup: Vec<char> = line[at..].to_vec();
                        line.extend(dup);
                    }
                }
            }
            let text: String = line.into_iter().collect();
            check(&mut h, function, &common::wrap_line(&text));
        }
    }
}

/// The scanner has a fast path for compact JSON (what Fluent Bit renders) and a general loop
/// for everything else. Every JSON catalogue example and golden record, compact and pretty-printed
/// (whitespace sends the pretty one down the general loop), must get the same `vpn` object, and
/// each container nesting beyond the fast path's depth must too.
#[test]
fn compact_and_spaced_records_classify_alike() {
    let mut h = common::host();
    let mut records: Vec<Vec<u8>> = Vec::new();
    for d in DOCS.iter() {
        for ex in d.examples {
            if ex.line.trim_start().starts_with('{') {
                records.push(common::example_record(ex.line));
            }
        }
    }
    for source in ["aws_tunnel", "aws_bgp", "azure", "alibaba"] {
        records.extend(common::golden(source).into_iter().map(|(r, _)| r));
    }
    assert!(records.len() > 100, "too few JSON records: {}", records.len());
    let mut classified = 0;
    for compact in &records {
        let value: serde_json::Value = serde_json::from_slice(compact).unwrap();
        let spaced = serde_json::to_vec_pretty(&value).unwrap();
        // The same record one level deeper than the fast path goes, under an unread key.
        let mut deep = compact.clone();
        deep.truncate(deep.len() - 1);
        deep.extend_from_slice(br#","z":{"a":{"b":{"c":{"d":[1]}}}}}"#);
        let vpn = |out: Vec<u8>| common::parse(&out).get("vpn").cloned();
        let want = vpn(common::check(&mut h, compact));
        classified += want.is_some() as usize;
        assert_eq!(vpn(common::check(&mut h, &spaced)), want, "pretty-printed: {}", String::from_utf8_lossy(compact));
        assert_eq!(vpn(common::check(&mut h, &deep)), want, "nested deeper: {}", String::from_utf8_lossy(compact));
    }
    assert!(classified * 10 > records.len() * 9, "only {classified} of {} classified", records.len());
}

/// A record that is exactly `{"log":"<text>"}` skips the scanner (src/filter.rs). Every raw-line
/// catalogue example and every non-VPN line, with and without escapes and non-ASCII text, must
/// come out as the scanner's path would write it: the same record with a member before `log`
/// (which sends it down that path) gets the same `vpn` object, and so does Docker's shape
/// (`log`, then `stream`), and the record itself comes out as its
/// own bytes with only the `vpn` member added.
#[test]
fn log_only_records_classify_as_the_scanner_does() {
    let mut h = common::host();
    let mut lines: Vec<String> = Vec::new();
    for d in DOCS.iter() {
        for ex in d.examples {
            if !ex.line.trim_start().starts_with('{') {
                lines.push(ex.line.to_string());
            }
        }
    }
    let not_vpn = std::fs::read_to_string("tests/data/not-vpn.log").unwrap();
    lines.extend(not_vpn.lines().map(String::from));
    // Escapes, non-ASCII text and a JSON document inside `log`.
    lines.push("Nov 22 03:14:30 gw charon: 12[IKE] <\"quoted\"|7> IKE_SA \"quoted\"[7] established between 192.0.2.1[gw]...198.51.100.2[peer]".into());
    lines.push("Nov 22 03:14:30 gw charon: 12[IKE] <tunnel-ä|7> IKE_SA tunnel-ä[7] established between 192.0.2.1[gw]...198.51.100.2[peer]".into());
    lines.push("{\"message\":\"peer BGP session state has changed from Active to Established with neighbor 169.254.12.1\"}".into());
    let mut classified = 0;
    for line in &lines {
        let record = common::wrap_line(line);
        assert!(record.starts_with(br#"{"log":""#) && record.ends_with(br#""}"#));
        let out = common::check(&mut h, &record);
        // Docker's shape (`log` first, then more members) has a path of its own, which keeps
        // the decoded text; with another member first, the record takes the scanner's path.
        let mut docker = record.clone();
        docker.truncate(docker.len() - 1);
        docker.extend_from_slice(br#","stream":"stdout"}"#);
        let mut scanned = br#"{"stream":"stdout","#.to_vec();
        scanned.extend_from_slice(&record[1..]);
        let vpn = |out: &[u8]| common::parse(out).get("vpn").cloned();
        let want = vpn(&common::check(&mut h, &scanned));
        assert_eq!(vpn(&out), want, "{line}");
        assert_eq!(vpn(&common::check(&mut h, &docker)), want, "docker shape: {line}");
        match &want {
            Some(v) => {
                classified += 1;
                let mut expected = record[..record.len() - 1].to_vec();
                expected.extend_from_slice(b",\"vpn\":");
                expected.extend_from_slice(&serde_json::to_vec(v).unwrap());
                expected.push(b'}');
                assert_eq!(common::parse(&out), common::parse(&expected), "{line}");
                assert!(out.starts_with(&record[..record.len() - 1]), "{line}");
            }
            None => assert_eq!(out, record, "{line}"),
        }
    }
    assert!(classified > 400, "only {classified} of {} lines classified", lines.len());
}
