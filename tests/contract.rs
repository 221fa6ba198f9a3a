//! The never-lose-a-record contract (src/filter.rs), through the built module in the Fluent Bit
//! emulation: huge, deep, oddly escaped and oddly numbered records, records that already carry a
//! `vpn` key, input that is not a JSON object, a record the host failed to copy, and memory that
//! stays flat over many records. Every output must be one valid JSON object; a classified record
//! must keep its original bytes, followed by the appended member.

mod common;

use serde_json::{Map, Value};
use vpnlog::catalogue::{DOCS, RULES};
use vpnlog_host::json::{self, Kind};
use vpnlog_host::{FluentBitHost, Timestamp};

const T: Timestamp = Timestamp { sec: 1_762_580_429, nsec: 0 };
const MIB: usize = 1 << 20;

/// Classified by aws.dpd.timeout.v2 with retries 3.
const DPD: &str = "AWS tunnel DPD timed out after 3 retransmits";
/// Classified by openswan.ike.vendor_id_received; `detail` is what stands between the brackets.
const VID_HEAD: &str = "packet from 192.0.2.1:500: [Tunnel Negotiation Info] received Vendor ID payload [";

fn show(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    if s.len() > 300 { format!("{}… ({} bytes)", &s[..s.floor_char_boundary(300)], b.len()) } else { s.into_owned() }
}

/// Strict RFC 8259 grammar check (accepts lone surrogate escapes and any depth, unlike serde_json).
fn assert_one_object(out: &[u8], what: &str) {
    assert_eq!(json::validate(out), Ok(Kind::Object), "{what}: output is not one JSON object: {}", show(out));
}

/// Parses with serde_json (preserve_order); the root must be an object.
fn object(out: &[u8], what: &str) -> Map<String, Value> {
    match serde_json::from_slice::<Value>(out) {
        Ok(Value::Object(m)) => m,
        Ok(other) => panic!("{what}: root is not an object: {other}"),
        Err(e) => panic!("{what}: serde_json rejects the output ({e}): {}", show(out)),
    }
}

/// Checks that `out` is `input` without its final `}`, then `,"<key>":{...}}`, and returns the
/// appended object.
fn appended(input: &[u8], out: &[u8], key: &str, what: &str) -> Map<String, Value> {
    assert_one_object(out, what);
    assert_eq!(input.last(), Some(&b'}'), "{what}: test input must end with its root's `}}`");
    let close = input.len() - 1;
    assert!(out.len() > input.len(), "{what}: nothing appended: {}", show(out));
    assert!(out.starts_with(&input[..close]), "{what}: original bytes not preserved: {}", show(out));
    let rest = &out[close..];
    let head = format!(",\"{key}\":");
    assert!(rest.starts_with(head.as_bytes()), "{what}: expected `{head}` after the original bytes, got {}", show(rest));
    assert_eq!(rest.last(), Some(&b'}'), "{what}: output must end with the root's `}}`");
    let member = &rest[head.len()..rest.len() - 1];
    match serde_json::from_slice::<Value>(member) {
        Ok(Value::Object(m)) => m,
        other => panic!("{what}: appended `{key}` is not one JSON object ({other:?}): {}", show(member)),
    }
}

fn assert_rule(v: &Map<String, Value>, rule: &str, what: &str) {
    assert_eq!(v.get("rule").and_then(Value::as_str), Some(rule), "{what}: {v:?}");
}

fn assert_unchanged(input: &[u8], out: &[u8], what: &str) {
    assert_one_object(out, what);
    assert!(out == input, "{what}: changed\n  input:  {}\n  output: {}", show(input), show(out));
}

/// `{"log":"<text>"}` with `text` already escaped for JSON.
fn log_record(escaped: &str) -> Vec<u8> {
    format!(r#"{{"log":"{escaped}"}}"#).into_bytes()
}

/// A record of exactly `size` bytes whose `log` is a Vendor ID line with a detail of `fill`
/// repeated.
fn big_vpn_record(size: usize, fill: &str) -> (Vec<u8>, String) {
    let frame = log_record(&format!("{VID_HEAD}]")).len();
    let detail: String = fill.chars().cycle().take(size - frame).collect();
    let rec = log_record(&format!("{VID_HEAD}{detail}]"));
    assert_eq!(rec.len(), size);
    (rec, detail)
}

/// A record of exactly `size` bytes whose `log` is ordinary prose.
fn big_plain_record(size: usize, fill: &str) -> Vec<u8> {
    let text: String = fill.chars().cycle().take(size - log_record("").len()).collect();
    let rec = log_record(&text);
    assert_eq!(rec.len(), size);
    rec
}

/// The golden records of two sources, checked against their expected outputs.
fn check_small(h: &mut FluentBitHost, after: &str) {
    for source in ["aws_tunnel", "openswan"] {
        for (i, (rec, want)) in common::golden(source).into_iter().enumerate() {
            let out = common::run(h, &rec);
            assert!(out == want, "{source}:{} after {after}:\n  expected: {}\n  actual:   {}", i + 1, show(&want), show(&out));
        }
    }
}

#[test]
fn records_of_4_mib_come_back_whole_and_memory_does_not_grow_the_second_time() {
    let mut h = common::host();
    let start = h.memory_pages();
    // Pages after each 4 MiB record: VPN and ordinary, then the same again with other bytes.
    let mut pages = Vec::new();
    for (round, (fill, prose)) in [("0123456789abcdef", "lorem ipsum dolor sit amet "), ("fedcba9876543210", "the quick brown fox jumps ")].iter().enumerate() {
        let what = format!("round {}: 4 MiB VPN record", round + 1);
        let (rec, detail) = big_vpn_record(4 * MIB, fill);
        let out = common::run(&mut h, &rec);
        pages.push(h.memory_pages());
        let v = appended(&rec, &out, "vpn", &what);
        assert_rule(&v, "openswan.ike.vendor_id_received", &what);
        assert!(v.get("detail").and_then(Value::as_str) == Some(detail.as_str()), "{what}: detail is not the 4 MiB between the brackets");
        assert_eq!(v.get("peer"), Some(&serde_json::json!({"ip": "192.0.2.1", "port": 500})), "{what}");
        check_small(&mut h, &what);

        let what = format!("round {}: 4 MiB ordinary record", round + 1);
        let rec = big_plain_record(4 * MIB, prose);
        assert_unchanged(&rec, &common::run(&mut h, &rec), &what);
        pages.push(h.memory_pages());
        check_small(&mut h, &what);
    }
    assert!(pages[0] > start, "memory did not grow for a 4 MiB record ({start} pages): the test measures nothing");
    assert_eq!(pages[2..], [pages[1], pages[1]], "memory grew again for the second pair of 4 MiB records (pages: start {start}, after each {pages:?})");
}

#[test]
fn record_of_70_kb_then_small_ones() {
    let mut h = common::host();
    // Larger than WAMR's 63 KiB app heap: it survives only through the module's malloc.
    let size = 70 * 1024;
    let head = format!(r#"{{"event_timestamp":1763012188,"details":"{DPD}","dpd_enabled":true,"nat_t_detected":false,"ike_phase1_state":"Down","ike_phase2_state":"Down","debug":""#);
    let tail = r#""}"#;
    let pad: String = "0123456789".chars().cycle().take(size - head.len() - tail.len()).collect();
    let rec = format!("{head}{pad}{tail}").into_bytes();
    assert_eq!(rec.len(), size);
    let out = common::run(&mut h, &rec);
    let v = appended(&rec, &out, "vpn", "70 KB record");
    assert_rule(&v, "aws.dpd.timeout.v2", "70 KB record");
    assert_eq!(v.get("retries"), Some(&Value::from(3)), "70 KB record");
    check_small(&mut h, "a 70 KB VPN record");

    let rec = big_plain_record(size, "plain words ");
    assert_unchanged(&rec, &common::run(&mut h, &rec), "70 KB ordinary record");
    check_small(&mut h, "a 70 KB ordinary record");
}

#[test]
fn a_70_kb_line_with_many_parentheses_is_not_dropped() {
    // A stock pluto line (no Qno prefix) quoting a long peer ID full of `(`. The rule's two Qno
    // patterns start with `(`; each is retried at every `(` and searches the rest of the line for
    // `)[` every time, then the bare pattern matches.
    let mut h = common::host();
    let head = r#"Nov 13 11:31:02 vpn1 pluto[2210]: \"branch-sh\" #12: Peer ID is ID_FQDN: '"#;
    let frame = log_record(&format!("{head}'")).len();
    let id: String = "(x) ".chars().cycle().take(70 * 1024 - frame).collect();
    let rec = log_record(&format!("{head}{id}'"));
    assert_eq!(rec.len(), 70 * 1024);
    let o = h.process(b"vpn.test", T, &rec);
    let out = o.result.unwrap_or_else(|e| panic!("record dropped after {} fuel: {e}\nrecord: {}", o.fuel, show(&rec)));
    let v = appended(&rec, &out, "vpn", "70 KB line with parentheses");
    assert_rule(&v, "openswan.ike.peer_identified", "70 KB line with parentheses");
    assert!(v.get("detail").and_then(Value::as_str) == Some(id.as_str()), "detail is not the peer ID");
}

/// `levels` levels, alternating arrays and objects, around `1`.
fn deep(levels: usize) -> String {
    let mut s = String::new();
    for i in 0..levels {
        s.push_str(if i % 2 == 0 { "[" } else { r#"{"k":"# });
    }
    s.push('1');
    for i in (0..levels).rev() {
        s.push(if i % 2 == 0 { ']' } else { '}' });
    }
    s
}

#[test]
fn deep_nesting_does_not_trap() {
    let mut h = common::host();
    let d = deep(10_000);
    let cases = [
        (format!(r#"{{"log":"{DPD}","deep":{d}}}"#), true),
        (format!(r#"{{"deep":{d},"log":"{DPD}"}}"#), true),
        (format!(r#"{{"meta":{{"deep":{d}}},"details":"{DPD}","n":[{d},{d}]}}"#), true),
        (format!(r#"{{"deep":{d},"log":"nothing to see"}}"#), false),
    ];
    for (i, (rec, vpn)) in cases.iter().enumerate() {
        let what = format!("deep record {}", i + 1);
        let out = common::run(&mut h, rec.as_bytes());
        if *vpn {
            let v = appended(rec.as_bytes(), &out, "vpn", &what);
            assert_rule(&v, "aws.dpd.timeout.v2", &what);
        } else {
            assert_unchanged(rec.as_bytes(), &out, &what);
        }
    }
    // The same depth inside a JSON document left as a string in `log`.
    let inner = format!(r#"{{"deep":{d},"details":"{DPD}"}}"#);
    let rec = serde_json::to_vec(&serde_json::json!({ "log": inner })).unwrap();
    let v = appended(&rec, &common::run(&mut h, &rec), "vpn", "deep document in log");
    assert_rule(&v, "aws.dpd.timeout.v2", "deep document in log");
    // Never closed: not an object, kept whole as a string.
    let rec = format!(r#"{{"log":"{DPD}","deep":{}"#, "[".repeat(10_000)).into_bytes();
    let out = common::run(&mut h, &rec);
    let m = object(&out, "unclosed deep record");
    assert_eq!(m.get("vpnlog_invalid").and_then(Value::as_str).map(str::as_bytes), Some(&rec[..]));
}

#[test]
fn escapes_in_a_classified_record_are_kept_and_captures_are_escaped() {
    let mut h = common::host();
    // (record, rule, field, decoded value, the same record with nothing to classify)
    type Case = (Vec<u8>, &'static str, &'static str, &'static str, Vec<u8>);
    let cases: Vec<Case> = vec![
        (
            log_record(&format!(r#"{VID_HEAD}q\"uote back\\slash tab\there nl\nnul\u0000us\u001fsl\/acc\u00e9 \ud83d\ude00 é]"#)),
            "openswan.ike.vendor_id_received",
            "detail",
            "q\"uote back\\slash tab\there nl\nnul\0us\u{1f}sl/accé 😀 é",
            log_record(r#"vendor payload [q\"uote back\\slash tab\there nl\nnul\u0000us\u001fsl\/acc\u00e9 \ud83d\ude00 é]"#),
        ),
        (
            log_record(r#"(br\"anch\\01)[8] 192.0.2.130 #77: [Tunnel Established] ISAKMP SA established"#),
            "openswan.ike.ike_sa_established",
            "tunnel",
            "br\"anch\\01",
            log_record(r#"(br\"anch\\01)[8] 192.0.2.130 #77: [Tunnel Established] isakmp sa established"#),
        ),
        (
            br#"{"resource_id":"vpn-04c1d2e3f4a5b6c7d_198.51.100.7","type":"RouteStatus","status":"UPDATED","message":{"prefix":"10.9.0.0/16","asPath":"65000","nextHopIp":"169.254.1.1","details":"DENIED due to: route-map \"IMPORT\\IN\"\tdeny\r\n"}}"#.to_vec(),
            "aws.route.denied",
            "detail",
            "route-map \"IMPORT\\IN\"\tdeny",
            br#"{"resource_id":"vpn-04c1d2e3f4a5b6c7d_198.51.100.7","type":"Other","status":"UPDATED","message":{"prefix":"10.9.0.0/16","asPath":"65000","nextHopIp":"169.254.1.1","details":"DENIED due to: route-map \"IMPORT\\IN\"\tdeny\r\n"}}"#.to_vec(),
        ),
    ];
    for (i, (rec, rule, field, value, plain)) in cases.iter().enumerate() {
        let what = format!("escape case {}", i + 1);
        let out = common::run(&mut h, rec);
        let v = appended(rec, &out, "vpn", &what);
        assert_rule(&v, rule, &what);
        assert_eq!(v.get(*field).and_then(Value::as_str), Some(*value), "{what}: {}", show(&out));
        object(&out, &what);
        assert_unchanged(plain, &common::run(&mut h, plain), &format!("{what} (unclassified)"));
    }

    // Lone surrogates: the record keeps them (serde_json would refuse the whole output); the
    // captured text has U+FFFD in their place (src/json.rs).
    let rec = log_record(&format!(r#"{VID_HEAD}lone\ud800high \udc00low \ud800\u0041 end\ud83d]"#));
    let out = common::run(&mut h, &rec);
    let v = appended(&rec, &out, "vpn", "lone surrogates");
    assert_rule(&v, "openswan.ike.vendor_id_received", "lone surrogates");
    assert_eq!(v.get("detail").and_then(Value::as_str), Some("lone\u{fffd}high \u{fffd}low \u{fffd}A end\u{fffd}"));
    let plain = log_record(r#"lone\ud800 and \udfff in prose"#);
    assert_unchanged(&plain, &common::run(&mut h, &plain), "lone surrogates (unclassified)");
}

#[test]
fn number_literals_are_kept_byte_for_byte() {
    let mut h = common::host();
    let numbers = r#""a":1e400,"b":-0,"c":12345678901234567890123,"d":0.0000001e-7,"e":-0.0E+00,"f":[1E-400,-1e+400,0.1e1],"dpd_enabled":1e400"#;
    let rec = format!(r#"{{{numbers},"details":"{DPD}"}}"#).into_bytes();
    let v = appended(&rec, &common::run(&mut h, &rec), "vpn", "odd numbers");
    assert_rule(&v, "aws.dpd.timeout.v2", "odd numbers");
    assert_eq!(v.get("dpd_enabled"), None, "1e400 is not a flag");
    let rec = format!(r#"{{{numbers},"details":"nothing"}}"#).into_bytes();
    assert_unchanged(&rec, &common::run(&mut h, &rec), "odd numbers (unclassified)");
    // A captured count is written as a JSON number, whatever its leading zeros.
    for (n, want) in [("007", "7"), ("0", "0"), ("00", "0"), ("12345678901234567890123", "12345678901234567890123")] {
        let rec = log_record(&format!("AWS tunnel DPD timed out after {n} retransmits"));
        let out = common::run(&mut h, &rec);
        appended(&rec, &out, "vpn", &format!("retries {n}"));
        let needle = format!(r#""retries":{want}}}"#);
        assert!(out.windows(needle.len()).any(|w| w == needle.as_bytes()), "retries {n}: want {needle} in {}", show(&out));
    }
}

#[test]
fn filtering_twice_equals_filtering_once_for_every_catalogue_example() {
    let mut h = common::host();
    let mut checked = 0;
    for (rule, doc) in RULES.iter().zip(DOCS.iter()) {
        for ex in doc.examples {
            let x = common::example_record(ex.line);
            let y = common::run(&mut h, &x);
            let v = appended(&x, &y, "vpn", ex.line);
            assert_rule(&v, rule.id, ex.line);
            let z = common::run(&mut h, &y);
            assert!(z == y, "{}: second pass changed the record\n  once:  {}\n  twice: {}", rule.id, show(&y), show(&z));
            checked += 1;
        }
    }
    assert!(checked >= RULES.len(), "{checked} examples");
}

#[test]
fn a_foreign_vpn_key_is_kept_and_the_classification_goes_under_vpnlog() {
    let mut h = common::host();
    let foreign = [
        r#""corp-west""#,
        r#"{"name":"corp-west","gateway":"192.0.2.1"}"#,
        r#"{"meta":{"rule":"not at the top of vpn"}}"#,
        r#"[{"rule":"in an array"}]"#,
        r#"{}"#,
        "null",
        "42",
    ];
    for f in foreign {
        for rec in [format!(r#"{{"vpn":{f},"log":"{DPD}"}}"#), format!(r#"{{"log":"{DPD}","vpn":{f}}}"#)] {
            let out = common::run(&mut h, rec.as_bytes());
            let v = appended(rec.as_bytes(), &out, "vpnlog", &rec);
            assert_rule(&v, "aws.dpd.timeout.v2", &rec);
            let m = object(&out, &rec);
            assert_eq!(m.get("vpn"), Some(&serde_json::from_str::<Value>(f).unwrap()), "{rec}");
            // Now both keys are taken: a second pass changes nothing.
            assert_unchanged(&out, &common::run(&mut h, &out), &format!("{rec} (second pass)"));
        }
    }
}

/// A record whose first member is `log` and that has more (Docker's `{"log":"...\n",
/// "stream":...}`) keeps its decoded text and scans only the rest (src/filter.rs). It must read
/// as the scanner reads the same members with another one first: duplicate keys (the first
/// wins), an existing `vpn`, values with escapes, whitespace and invalid input after the text.
#[test]
fn a_log_first_record_with_more_members_reads_as_the_scanner_reads_it() {
    let mut h = common::host();
    let rests = [
        r#","stream":"stdout""#.to_string(),
        r#","stream":"stdout","time":"2026-11-22T03:14:07.1Z""#.to_string(),
        r#","log":"nothing to see""#.to_string(),
        r#","message":"nothing to see""#.to_string(),
        format!(r#","stream":"stderr","log":"{DPD}""#),
        r#","vpn":{"rule":"x"}"#.to_string(),
        r#","vpn":"corp-west""#.to_string(),
        r#","kubernetes":{"pod_name":"gw-0","labels":{"app":"vpn"}},"n":[1,2.5e3,{"a":null}]"#.to_string(),
        r#","note":"tab\t \"quoted\" \u00e9""#.to_string(),
        r#", "stream" : "stdout" "#.to_string(),
        r#","stream":"stdout","#.to_string(),
        r#","stream""#.to_string(),
    ];
    // The path is taken by records that end as `{"log":...}` does (`"}`): each rest is tried
    // as it is and with a string member after it.
    let rests: Vec<String> = rests.iter().flat_map(|r| [r.clone(), format!(r#"{r},"z":"end""#)]).collect();
    let texts = [
        format!("{DPD}\\n"),
        format!("{DPD}"),
        "nothing here\\n".to_string(),
        format!("{DPD} caf\\u00e9 \\\"q\\\""),
        // JSON documents in `log` (a `tail` input without a parser), valid or not, with and
        // without a message key.
        format!(r#"{{\"level\":\"warn\",\"msg\":\"{DPD}\",\"n\":1}}\n"#),
        format!(r#"  {{\"message\":{{\"details\":\"{DPD}\"}},\"vpn\":1}}"#),
        format!(r#"{{\"note\":\"{DPD}\"}}"#),
        // The document's message key is the message, not the document's whole text.
        format!(r#"{{\"msg\":\"nothing to see\",\"note\":\"{DPD}\"}}"#),
        format!(r#"{{ not json {DPD}"#),
    ];
    for text in texts {
        for rest in &rests {
            let docker = format!(r#"{{"log":"{text}"{rest}}}"#);
            let scanned = format!(r#"{{"first":1,"log":"{text}"{rest}}}"#);
            let (a, b) = (common::run(&mut h, docker.as_bytes()), common::run(&mut h, scanned.as_bytes()));
            assert_one_object(&a, &docker);
            let parsed = |out: &[u8]| serde_json::from_slice::<Value>(out).ok();
            match (parsed(&a), parsed(&b)) {
                (Some(Value::Object(mut x)), Some(Value::Object(mut y))) => {
                    y.remove("first");
                    for m in [&mut x, &mut y] {
                        // A record that is not valid JSON comes back as a string: compare
                        // whether both did.
                        if let Some(v) = m.get_mut("vpnlog_invalid") {
                            *v = Value::Bool(true);
                        }
                    }
                    assert_eq!(x, y, "{docker}");
                }
                other => panic!("{docker}: {other:?}"),
            }
            if !b.starts_with(br#"{"vpnlog_invalid""#) && !text.contains("nothing") && !rest.contains("vpn") && !text.contains("\\\"vpn\\\"") {
                assert!(String::from_utf8_lossy(&a).contains(r#""rule":"aws.dpd.timeout.v2""#), "{docker}");
            }
        }
    }
}

#[test]
fn with_both_vpn_and_vpnlog_the_record_is_unchanged() {
    let mut h = common::host();
    for rec in [
        format!(r#"{{"vpn":"corp-west","vpnlog":{{"note":1}},"log":"{DPD}"}}"#),
        format!(r#"{{"vpnlog":"x","log":"{DPD}","vpn":{{"site":"lisbon"}}}}"#),
        format!(r#"{{"vpnlog":null,"vpn":{{"rule":"aws.dpd.timeout.v2"}},"log":"{DPD}"}}"#),
    ] {
        assert_unchanged(rec.as_bytes(), &common::run(&mut h, rec.as_bytes()), &rec);
    }
    // `vpnlog` alone, or `vpn` anywhere but at the root, does not move the classification.
    for rec in [
        format!(r#"{{"vpnlog":"x","log":"{DPD}"}}"#),
        format!(r#"{{"data":{{"vpn":"corp-west"}},"log":"{DPD}"}}"#),
        format!(r#"{{"tag":"vpn","log":"{DPD}"}}"#),
    ] {
        let v = appended(rec.as_bytes(), &common::run(&mut h, rec.as_bytes()), "vpn", &rec);
        assert_rule(&v, "aws.dpd.timeout.v2", &rec);
    }
}

#[test]
fn escaped_keys_are_read_as_any_json_reader_reads_them() {
    let mut h = common::host();
    // `v\u0070n` is the key `vpn`: the classification must not add a second `vpn`.
    for rec in [
        format!(r#"{{"v\u0070n":"corp-west","log":"{DPD}"}}"#),
        format!(r#"{{"log":"{DPD}","\u0076\u0070\u006e":{{"site":"lisbon"}}}}"#),
    ] {
        let v = appended(rec.as_bytes(), &common::run(&mut h, rec.as_bytes()), "vpnlog", &rec);
        assert_rule(&v, "aws.dpd.timeout.v2", &rec);
    }
    let both = format!(r#"{{"vp\u006e":1,"vpnlo\u0067":2,"log":"{DPD}"}}"#);
    assert_unchanged(both.as_bytes(), &common::run(&mut h, both.as_bytes()), &both);
    // An escaped message key is a message key; an escaped unknown key is nothing.
    let log = format!(r#"{{"l\u006fg":"{DPD}"}}"#);
    let v = appended(log.as_bytes(), &common::run(&mut h, log.as_bytes()), "vpn", &log);
    assert_rule(&v, "aws.dpd.timeout.v2", &log);
    let other = format!(r#"{{"lo\u0067s":"{DPD}"}}"#);
    assert_unchanged(other.as_bytes(), &common::run(&mut h, other.as_bytes()), &other);
}

#[test]
fn input_that_is_not_a_json_object_comes_back_as_a_string() {
    let mut h = common::host();
    let truncated = format!(r#"{{"log":"{DPD}""#);
    let cases: Vec<&[u8]> = vec![
        b"[1,2]",
        br#""str""#,
        b"42",
        b"null",
        b"not json",
        b"",
        b"   ",
        b"{\"log\":\"caf\xe9 au lait\"}",
        b"\xff\xfe{\"a\":1}\xc0",
        truncated.as_bytes(),
        br#"{"a":1} x"#,
        br#"{"a":1}{"b":2}"#,
        br#"{"a":01}"#,
        br#"{"a":1,}"#,
        b"{\"a\":\"tab\there\"}",
        b"{\"log\":\"nul\0inside\"}",
        br#"{"log":"bad escape \x"}"#,
        br#"{'log':'single quotes'}"#,
    ];
    for rec in cases {
        let what = format!("input {}", show(rec));
        let out = common::run(&mut h, rec);
        let m = object(&out, &what);
        assert_eq!(m.len(), 1, "{what}: {}", show(&out));
        let s = m.get("vpnlog_invalid").and_then(Value::as_str);
        // Invalid UTF-8 bytes here are single bytes, so one U+FFFD each is the only decoding.
        assert_eq!(s, Some(&*String::from_utf8_lossy(rec)), "{what}: {}", show(&out));
    }
}

#[test]
fn a_record_that_was_not_copied_in_gets_an_error_object() {
    let mut h = common::host();
    // (bytes before the end of memory where the record would start, or None for pointer 0; length)
    for (before_end, len) in [(None, 1234), (None, 0), (None, u32::MAX), (Some(10), 100), (Some(0), 1)] {
        let end = (h.memory_pages() * 65536) as u32;
        let ptr = before_end.map_or(0, |k| end - k);
        let o = h.call_raw(0, 0, T, ptr, len);
        let out = match o.result {
            Ok(out) => out,
            Err(e) => panic!("record pointer {ptr:#x}, length {len}: dropped: {e}"),
        };
        assert_eq!(
            String::from_utf8_lossy(&out),
            format!(r#"{{"vpnlog_error":"record not copied into the filter","record_len":{len}}}"#),
            "record pointer {ptr:#x}, length {len}"
        );
        let m = object(&out, "error object");
        assert_eq!(m.get("record_len").and_then(Value::as_u64), Some(u64::from(len)));
        assert!(!o.leaves_stale_exception);
        // The next record is not affected.
        let rec = log_record(DPD);
        let v = appended(&rec, &common::run(&mut h, &rec), "vpn", "record after a missing one");
        assert_rule(&v, "aws.dpd.timeout.v2", "record after a missing one");
    }
}

/// The scanner reads eight bytes past a record (its NUL and seven more, src/abi.rs): a record
/// that ends right at the end of memory, where those bytes do not exist, is copied first and
/// does not trap. Memory there is unused (zero bytes), so the record is not a JSON object.
#[test]
fn a_record_that_ends_at_the_end_of_memory_does_not_trap() {
    let mut h = common::host();
    let end = (h.memory_pages() * 65536) as u32;
    for len in [1u32, 7, 8, 9, 64] {
        let o = h.call_raw(0, 0, T, end - len, len);
        assert!(!o.trapped, "record of {len} bytes at the end of memory: trapped");
        let out = match o.result {
            Ok(out) => out,
            Err(e) => panic!("record of {len} bytes at the end of memory: dropped: {e}"),
        };
        let m = object(&out, "record at the end of memory");
        let text = m.get("vpnlog_invalid").and_then(Value::as_str).unwrap_or_else(|| panic!("not wrapped: {}", show(&out)));
        assert_eq!(text.len(), len as usize, "the whole record is kept");
        let rec = log_record(DPD);
        let v = appended(&rec, &common::run(&mut h, &rec), "vpn", "record after one at the end of memory");
        assert_rule(&v, "aws.dpd.timeout.v2", "record after one at the end of memory");
    }
}

#[test]
fn memory_stays_flat_over_1000_mixed_records() {
    // (record, rule id or None for records that must come back unchanged)
    let mut pool: Vec<(Vec<u8>, Option<&str>)> = Vec::new();
    for (rule, doc) in RULES.iter().zip(DOCS.iter()) {
        for ex in doc.examples {
            pool.push((common::example_record(ex.line), Some(rule.id)));
        }
    }
    for (rec, _) in common::golden("non_vpn") {
        pool.push((rec, None));
    }
    for i in 0..40 {
        pool.push((log_record(&format!("Nov 13 12:{:02}:00 app-{i} worker[{}]: job {i} done in {}ms", i % 60, 1000 + i, 17 * i)), None));
    }
    // The largest records first, so that every buffer reaches its size in the first 100.
    pool.sort_by_key(|(r, _)| std::cmp::Reverse(r.len()));
    let n = pool.len();
    let mut order: Vec<usize> = (0..30.min(n)).collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while order.len() < 1000 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        order.push((x >> 33) as usize % n);
    }

    let mut h = common::host();
    let mut after_100 = 0;
    for (k, &i) in order.iter().enumerate() {
        let (rec, rule) = &pool[i];
        let what = format!("record {} ({})", k + 1, show(rec));
        let out = common::run(&mut h, rec);
        match rule {
            Some(id) => assert_rule(&appended(rec, &out, "vpn", &what), id, &what),
            None => assert_unchanged(rec, &out, &what),
        }
        if k + 1 == 100 {
            after_100 = h.memory_pages();
        }
    }
    assert_eq!(h.memory_pages(), after_100, "memory pages after 100 records vs after 1,000");
}

#[test]
fn a_control_byte_after_a_value_ends_the_scan_instead_of_looping() {
    // Found by fuzzing (fuzz/regressions/crashers/classify_bytes/): the scanner skipped
    // whitespace after a value with a loop that stopped on any other byte below 0x20 without
    // moving on, so such a record hung the filter (and Fluent Bit's engine thread) for ever.
    let wasm = std::fs::read(common::wasm_path()).unwrap();
    let config = vpnlog_host::HostConfig { fuel_budget: 5_000_000, ..Default::default() };
    let mut h = FluentBitHost::new(&wasm, &config).unwrap();
    for rec in [&b"{\"a\":1\x01}"[..], b"{\"log\":\"x\"\x0b,\"b\":2}", b"{\"a\":[1\x00]}", b"{\"a\":{}\x1f}", b"{\"a\":true \x02}"] {
        let what = format!("input {}", show(rec));
        let out = h.process(b"vpn.test", T, rec);
        let out = out.result.unwrap_or_else(|e| panic!("{what}: dropped: {e}"));
        assert_eq!(object(&out, &what).get("vpnlog_invalid").and_then(Value::as_str), Some(&*String::from_utf8_lossy(rec)), "{what}");
    }
}

#[test]
fn whitespace_before_the_first_member_still_gets_a_comma() {
    // Found by fuzzing (fuzz/regressions/crashers/classify_bytes/): a member reached after
    // whitespace did not count, so the root looked empty and the appended member had no comma.
    let mut h = common::host();
    for rec in [format!("{{ \"log\":\"{DPD}\"}}"), format!("{{\n\t\"log\" : \"{DPD}\" }}"), format!("{{ \"a\":{{}},\"log\":\"{DPD}\"}}")] {
        let out = common::run(&mut h, rec.as_bytes());
        let v = appended(rec.as_bytes(), &out, "vpn", &rec);
        assert_rule(&v, "aws.dpd.timeout.v2", &rec);
    }
    let out = common::run(&mut h, b"{ \n}");
    assert_eq!(out, b"{ \n}");
}
