//! The catalogue rendered as VRL (`vpnlog vrl`, examples/vector/vpnlog.vrl), compiled and run by
//! the real VRL engine, against the built dist/vpnlog.wasm run as Fluent Bit runs it: for every
//! catalogue example, every golden input and every sample log, both leave the same record with
//! the same `vpn` object (keys compared as a map: VRL orders an object's keys alphabetically).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use vpnlog::catalogue::DOCS;
use vpnlog_host::input::record_from_line;
use vpnlog_host::{FluentBitHost, HostConfig, Timestamp};
use vpnlog_vector_check::Remap;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn module() -> FluentBitHost {
    let path = std::env::var_os("VPNLOG_WASM").map(PathBuf::from).unwrap_or_else(|| repo().join("dist/vpnlog.wasm"));
    let wasm = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run `make` first)", path.display()));
    FluentBitHost::new(&wasm, &HostConfig::default()).expect("module loads")
}

fn program() -> Remap {
    let source = vpnlog_host::vrl::program();
    Remap::compile(&source).unwrap_or_else(|e| panic!("the rendered program does not compile:\n{e}"))
}

/// A line as the record both receive: a JSON object as it is, any other line as `{"log": line}`.
fn record(line: &str) -> Vec<u8> {
    record_from_line(line.as_bytes(), !line.starts_with('{')).expect("valid line").expect("not empty")
}

/// Both outputs for one record, or a description of how they differ.
fn compare(h: &mut FluentBitHost, vrl: &mut Remap, rec: &[u8]) -> Result<Value, String> {
    let out = h.process(b"vpn.test", Timestamp { sec: 1_762_580_429, nsec: 0 }, rec).result.map_err(|e| format!("module dropped it: {e}"))?;
    let by_module: Value = serde_json::from_slice(&out).map_err(|e| format!("module output is not JSON: {e}"))?;
    let input: Value = serde_json::from_slice(rec).expect("record is JSON");
    let by_vrl = vrl.run(input).map_err(|e| format!("VRL runtime error: {e}"))?;
    for key in ["vpn", "vpnlog"] {
        if by_module.get(key) != by_vrl.get(key) {
            return Err(format!(
                "`{key}` differs\n  module: {}\n  vrl:    {}",
                by_module.get(key).unwrap_or(&Value::Null),
                by_vrl.get(key).unwrap_or(&Value::Null)
            ));
        }
    }
    if by_module != by_vrl {
        return Err(format!("the rest of the record differs\n  module: {by_module}\n  vrl:    {by_vrl}"));
    }
    Ok(by_module)
}

fn check_all(records: &[(String, Vec<u8>)]) -> (usize, Vec<String>) {
    let mut h = module();
    let mut vrl = program();
    let mut classified = 0;
    let mut failures = Vec::new();
    for (what, rec) in records {
        match compare(&mut h, &mut vrl, rec) {
            Ok(out) => classified += usize::from(out.get("vpn").is_some() || out.get("vpnlog").is_some()),
            Err(e) => failures.push(format!("{what}: {}\n  record: {}", e, String::from_utf8_lossy(rec))),
        }
    }
    // The VRL engine's time per record (the program alone, records already decoded).
    let values: Vec<Value> = records.iter().map(|(_, r)| serde_json::from_slice(r).unwrap()).collect();
    let start = std::time::Instant::now();
    for v in &values {
        let _ = vrl.run(v.clone());
    }
    eprintln!("vrl: {} records, {:.1} us per record", values.len(), start.elapsed().as_secs_f64() * 1e6 / values.len() as f64);
    (classified, failures)
}

#[test]
fn every_catalogue_example_gets_the_same_vpn_object() {
    let records: Vec<(String, Vec<u8>)> =
        DOCS.iter().flat_map(|d| d.examples.iter().map(|e| (format!("example of {}", d.file), record(e.line)))).collect();
    let (classified, failures) = check_all(&records);
    assert!(failures.is_empty(), "{} of {} examples differ:\n{}", failures.len(), records.len(), failures.join("\n"));
    assert_eq!(classified, records.len(), "every catalogue example is a VPN event");
    assert!(records.len() > 700);
}

#[test]
fn golden_inputs_and_sample_logs_get_the_same_output() {
    let mut records = Vec::new();
    for dir in ["tests/golden", "examples/logs"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files.iter().filter(|f| !f.to_string_lossy().ends_with(".expected")) {
            let text = std::fs::read_to_string(f).unwrap();
            for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                records.push((format!("{}:{}", f.display(), n + 1), record(line)));
            }
        }
    }
    let (classified, failures) = check_all(&records);
    assert!(failures.is_empty(), "{} of {} records differ:\n{}", failures.len(), records.len(), failures.join("\n"));
    assert!(classified > 40 && classified < records.len(), "{classified} of {} classified", records.len());
}

/// Records made by hand for the rules around the classification, with the outputs worked out
/// from README.md ("What the filter returns", "What the filter reads").
#[test]
fn record_level_rules() {
    let mut vrl = program();
    let mut h = module();
    let dpd = "(office)[2] 203.0.113.66 #12: [Tunnel Negotiation Fail] DPD: No response from peer - declaring peer dead";
    let cases: Vec<(Value, &str)> = vec![
        // vpnlog's own `vpn` object: unchanged.
        (json!({"log": dpd, "vpn": {"rule": "x"}}), "unchanged"),
        // Someone else's `vpn`: the result goes under `vpnlog`.
        (json!({"log": dpd, "vpn": "corp"}), "vpnlog"),
        // Both taken: unchanged.
        (json!({"log": dpd, "vpn": 1, "vpnlog": 2}), "unchanged"),
        // `log` outranks `message`, wherever it sits.
        (json!({"message": "nothing here", "log": dpd}), "vpn"),
        // A JSON document inside `log`: its `message` wins over `log` itself.
        (json!({"log": json!({"message": dpd}).to_string()}), "vpn"),
        // A non-string `message` does not fill the slot; `msg` does.
        (json!({"message": {"text": "x"}, "msg": dpd}), "vpn"),
    ];
    for (rec, want) in cases {
        let bytes = serde_json::to_vec(&rec).unwrap();
        let out = compare(&mut h, &mut vrl, &bytes).unwrap_or_else(|e| panic!("{rec}: {e}"));
        match want {
            "unchanged" => assert_eq!(out, rec),
            key => {
                assert_eq!(out[key]["event"], "dpd_timeout", "{rec} -> {out}");
                assert_eq!(out[key]["peer"]["ip"], "203.0.113.66");
                assert_eq!(out[key]["tunnel"], "office");
                assert_eq!(out[key]["serial"], 12);
            }
        }
    }
}

#[test]
fn committed_program_compiles() {
    let committed = std::fs::read_to_string(repo().join(vpnlog_host::vrl::VRL_FILE)).expect("examples/vector/vpnlog.vrl");
    Remap::compile(&committed).unwrap_or_else(|e| panic!("{e}"));
}

/// Vector's `syslog` source keeps only the MSG part of a line in `.message`. On the catalogue
/// examples that carry a syslog header, the program given `{"message": MSG}` (the header parsed
/// off by VRL's `parse_syslog`, as that source does) finds the same `vpn` object as the module
/// given the whole line, except where a rule's anchor or pattern lies in the header (FortiGate's
/// `logid=`, Junos message tags, BIRD's program name): README.md (section Vector) states these
/// figures, and this test fails when they change.
#[test]
fn syslog_source_messages_get_the_same_vpn_object() {
    let header = regex_lite_header();
    let mut strip = Remap::compile(
        "parsed, err = parse_syslog(.line)\nif err == null { . = {\"message\": parsed.message} } else { . = {\"message\": .line} }",
    )
    .unwrap();
    let mut h = module();
    let mut vrl = program();
    let (mut with_header, mut failures) = (0, Vec::new());
    for ex in DOCS.iter().flat_map(|d| d.examples.iter()).filter(|e| header.iter().any(|p| p(e.line))) {
        with_header += 1;
        let stripped = strip.run(json!({"line": ex.line})).unwrap();
        let by_vrl = vrl.run(stripped.clone()).unwrap();
        let out = h.process(b"vpn.test", Timestamp { sec: 0, nsec: 0 }, &record(ex.line)).result.unwrap();
        let by_module: Value = serde_json::from_slice(&out).unwrap();
        if by_module.get("vpn") != by_vrl.get("vpn") {
            failures.push(format!("{}\n  MSG:    {}\n  module: {}\n  vrl:    {}", ex.line, stripped["message"], by_module["vpn"], by_vrl.get("vpn").unwrap_or(&Value::Null)));
        }
    }
    eprintln!("syslog source: {} of {with_header} examples with a syslog header differ", failures.len());
    assert!(with_header > 100, "{with_header} examples with a header");
    assert_eq!(
        (failures.len(), with_header),
        (SYSLOG_SOURCE_MISSES, 365),
        "update README.md (section Vector) and these figures:\n{}",
        failures.join("\n")
    );
}

/// Catalogue examples with a syslog header that a `syslog` source's MSG part no longer matches.
const SYSLOG_SOURCE_MISSES: usize = 11;

/// Tests for a syslog header: RFC 3164 (`Mmm dd hh:mm:ss host ...`, optionally after `<PRI>`)
/// or RFC 5424 (`<PRI>1 `).
fn regex_lite_header() -> Vec<fn(&str) -> bool> {
    fn rfc3164(l: &str) -> bool {
        let l = strip_pri(l);
        let b = l.as_bytes();
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        b.len() > 16
            && MONTHS.iter().any(|m| l.starts_with(m))
            && b[3] == b' '
            && b[9] == b':'
            && b[12] == b':'
            && b[15] == b' '
    }
    fn rfc5424(l: &str) -> bool {
        l.starts_with('<') && strip_pri(l).starts_with("1 ")
    }
    fn strip_pri(l: &str) -> &str {
        match (l.strip_prefix('<'), l.find('>')) {
            (Some(_), Some(e)) if e <= 4 && l[1..e].bytes().all(|c| c.is_ascii_digit()) => &l[e + 1..],
            _ => l,
        }
    }
    vec![rfc3164, rfc5424]
}

/// examples/vector/vector.yaml: its remap steps, run as Vector runs them on what its file
/// sources emit (`.message` = the line, plus `.file`, `.host`, `.source_type`), give each
/// sample log line the `vpn` object the module gives it.
#[test]
fn vector_yaml_pipeline_on_the_sample_logs() {
    let yaml = std::fs::read_to_string(repo().join("examples/vector/vector.yaml")).unwrap();
    assert!(yaml.contains(&format!("file: {}", vpnlog_host::vrl::VRL_FILE)), "the remap step loads the rendered program");
    for glob in ["examples/logs/*.log", "examples/logs/*.ndjson"] {
        assert!(yaml.contains(glob), "{glob}");
    }
    // The inline `source: |` block of the json_records step.
    let lines: Vec<&str> = yaml.lines().collect();
    let at = lines.iter().position(|l| l.trim() == "source: |").expect("an inline remap source");
    let indent = lines[at + 1].len() - lines[at + 1].trim_start().len();
    let inline: String = lines[at + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= indent)
        .map(|l| format!("{}\n", l.get(indent..).unwrap_or("")))
        .collect();
    let mut json_records = Remap::compile(&inline).unwrap_or_else(|e| panic!("{e}"));
    let mut vrl = program();
    let mut h = module();
    let (mut n, mut classified) = (0, 0);
    for entry in std::fs::read_dir(repo().join("examples/logs")).unwrap() {
        let path = entry.unwrap().path();
        let json_lines = path.extension().is_some_and(|e| e == "ndjson");
        for line in std::fs::read_to_string(&path).unwrap().lines().filter(|l| !l.trim().is_empty()) {
            let event = json!({"message": line, "file": path.display().to_string(), "host": "collector", "source_type": "file"});
            let event = if json_lines { json_records.run(event).unwrap() } else { event };
            let by_vrl = vrl.run(event).unwrap();
            let out = h.process(b"vpn.test", Timestamp { sec: 0, nsec: 0 }, &record(line)).result.unwrap();
            let by_module: Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(by_vrl.get("vpn"), by_module.get("vpn"), "{}: {line}", path.display());
            n += 1;
            classified += usize::from(by_module.get("vpn").is_some());
        }
    }
    assert!(n > 50 && classified > 30, "{classified} of {n} lines classified");
}
