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
