//! Fluent Bit's `event_format msgpack` mode, emulated by vpnlog_host::msgpack: which records
//! survive. The host copies the msgpack body in without a NUL and reads the module's answer as
//! a C string, so a body survives only when it has no 0x00 byte. vpnlog classifies in json mode
//! only: in msgpack mode it hands each map back unchanged, and one with a 0x00 byte (which the
//! host would cut and append raw, corrupting the chunk) as a small `vpnlog_error` map.

mod common;

use vpnlog::catalogue::DOCS;
use vpnlog_host::msgpack::{self, MsgpackMode, MsgpackOutcome};
use vpnlog_host::Timestamp;

const T: Timestamp = Timestamp { sec: 1_762_580_429, nsec: 0 };
const REPLACEMENT: &[u8] = br#"{"vpnlog_error":"event_format msgpack cuts records at a 0x00 byte: use event_format json"}"#;

fn outcome(h: &mut vpnlog_host::FluentBitHost, json: &str) -> MsgpackOutcome {
    MsgpackMode(h).process_json(b"vpn.test", T, json.as_bytes()).unwrap()
}

#[test]
fn maps_without_a_zero_byte_survive_unchanged_and_unclassified() {
    let mut h = common::host();
    for rec in [
        r#"{"log":"Feb 17 11:47:12 gw pluto[1874]: (office)[2] 203.0.113.66 #12: [Tunnel Negotiation Fail] DPD: No response from peer - declaring peer dead"}"#,
        r#"{"a":1,"b":-5,"c":true,"d":null,"e":[1,2,3],"f":{"g":"h"}}"#,
        r#"{"n":255,"m":-100}"#,
        r#"{}"#,
    ] {
        let body = msgpack::from_json(rec.as_bytes()).unwrap();
        assert!(!body.contains(&0), "{rec}: the test record must have no 0x00 byte");
        match outcome(&mut h, rec) {
            MsgpackOutcome::Survives { body: got, json } => {
                assert_eq!(got, body, "{rec}: the body comes back byte for byte");
                assert_eq!(json, rec.as_bytes(), "{rec}");
            }
            other => panic!("{rec}: {other:?}"),
        }
    }
}

#[test]
fn maps_with_a_zero_byte_are_replaced_by_an_error_map_not_cut() {
    let mut h = common::host();
    // Each encodes with a 0x00 byte (worked out from the msgpack specification): the integer 0
    // (0x00), 256 (cd 01 00), any float64 with zero bytes (1.5 is cb 3f f8 00 ...), a 256-byte
    // string (da 01 00), 16 members (de 00 10), a NUL in a string.
    let long = "x".repeat(256);
    let many: Vec<String> = (1..=16).map(|i| format!("\"k{i}\":{i}")).collect();
    for rec in [
        r#"{"log":"DPD: No response from peer - declaring peer dead","n":0}"#.to_string(),
        r#"{"status":256}"#.to_string(),
        r#"{"latency":1.5}"#.to_string(),
        format!(r#"{{"log":"{long}"}}"#),
        format!("{{{}}}", many.join(",")),
        r#"{"log":"nul\u0000inside"}"#.to_string(),
    ] {
        assert!(msgpack::from_json(rec.as_bytes()).unwrap().contains(&0), "{rec}: the test record must have a 0x00 byte");
        match outcome(&mut h, &rec) {
            MsgpackOutcome::Survives { body, json } => {
                assert!(!body.contains(&0));
                assert_eq!(json, REPLACEMENT, "{rec}");
            }
            other => panic!("{rec}: {other:?}"),
        }
    }
}

/// Every catalogue example and golden record: which survive msgpack mode intact is exactly
/// which encode without a 0x00 byte; none is corrupted or dropped.
#[test]
fn which_catalogue_and_golden_records_survive() {
    let mut h = common::host();
    let mut records: Vec<Vec<u8>> = DOCS.iter().flat_map(|d| d.examples.iter().map(|e| common::example_record(e.line))).collect();
    for src in ["aws_tunnel", "aws_bgp", "azure", "alibaba", "openswan", "non_vpn"] {
        records.extend(common::golden(src).into_iter().map(|(r, _)| r));
    }
    let (mut intact, mut replaced) = (0, 0);
    for rec in &records {
        let body = msgpack::from_json(rec).unwrap();
        match MsgpackMode(&mut h).process(b"vpn.test", T, &body) {
            MsgpackOutcome::Survives { body: got, .. } if got == body => {
                assert!(!body.contains(&0));
                intact += 1;
            }
            MsgpackOutcome::Survives { json, .. } => {
                assert!(body.contains(&0), "{}: replaced although it has no 0x00 byte", String::from_utf8_lossy(rec));
                assert_eq!(json, REPLACEMENT);
                replaced += 1;
            }
            other => panic!("{}: {other:?}", String::from_utf8_lossy(rec)),
        }
    }
    println!("msgpack mode: {} records, {intact} intact (unclassified), {replaced} replaced by the error map", records.len());
    assert!(intact > 0 && replaced > 0);
}

/// What the host does with a JSON answer in msgpack mode (what vpnlog returned before it knew
/// msgpack, and what any JSON-only filter returns): `{` is the integer 123, the rest garbage.
#[test]
fn a_json_answer_would_corrupt_the_record() {
    let mut h = common::host();
    let json_record = br#"{"log":"x"}"#;
    let MsgpackOutcome::Corrupted { body, .. } = MsgpackMode(&mut h).process(b"t", T, json_record) else {
        panic!("JSON text is not a msgpack map");
    };
    assert_eq!(body.first(), Some(&b'{'));
}

#[test]
fn vpnlog_run_event_format_msgpack() {
    let exe = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/vpnlog");
    let input = "{\"log\":\"hello\",\"n\":1}\n{\"log\":\"zero\",\"n\":0}\n";
    let mut child = std::process::Command::new(&exe)
        .args(["run", "--event-format", "msgpack", "--wasm"])
        .arg(common::wasm_path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e} (run `make`)", exe.display()));
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), format!("{{\"log\":\"hello\",\"n\":1}}\n{}\n", String::from_utf8_lossy(REPLACEMENT)));
    assert!(out.status.success());
}
