//! Test support: the built dist/vpnlog.wasm driven through the Fluent Bit host emulation.
#![allow(dead_code)]

use serde_json::Value;
use vpnlog_host::{FluentBitHost, HostConfig, Timestamp};

/// Path of the module under test (`make` builds it; VPNLOG_WASM overrides).
pub fn wasm_path() -> std::path::PathBuf {
    std::env::var_os("VPNLOG_WASM")
        .map(Into::into)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dist/vpnlog.wasm"))
}

pub fn host_with(function: &str) -> FluentBitHost {
    let path = wasm_path();
    let wasm = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run `make` first)", path.display()));
    let config = HostConfig { function: function.to_string(), ..HostConfig::default() };
    FluentBitHost::new(&wasm, &config).expect("module loads as Fluent Bit loads it")
}

pub fn host() -> FluentBitHost {
    host_with("vpnlog_filter")
}

/// Filters one record; panics with the reason when Fluent Bit would drop it.
pub fn run(h: &mut FluentBitHost, record: &[u8]) -> Vec<u8> {
    let out = h.process(b"vpn.test", Timestamp { sec: 1_762_580_429, nsec: 0 }, record);
    match out.result {
        Ok(v) => v,
        Err(e) => panic!("record dropped: {e}\nrecord: {}", String::from_utf8_lossy(record)),
    }
}

/// A raw line as a Fluent Bit `tail` input without a parser hands it over.
pub fn wrap_line(line: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "log": line })).unwrap()
}

/// Compact JSON text (no whitespace outside strings), as Fluent Bit renders records.
pub fn compact(text: &str) -> Vec<u8> {
    vpnlog_host::json::strip_whitespace(text.as_bytes())
}

/// An example line of the catalogue as the record the module receives.
pub fn example_record(line: &str) -> Vec<u8> {
    if line.starts_with('{') { compact(line) } else { wrap_line(line) }
}

pub fn parse(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("output is not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

/// The value at a dotted path under `vpn`.
pub fn vpn_field<'a>(out: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(out.get("vpn")?, |v, k| v.get(k))
}

/// Lines of a golden file in tests/golden/ (see tests/golden.rs): one record per line, no blank
/// lines, a final newline.
pub fn golden_lines(file: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let body = text.strip_suffix('\n').unwrap_or_else(|| panic!("{file}: must end with a newline"));
    let lines: Vec<String> = body.split('\n').map(str::to_string).collect();
    for (i, l) in lines.iter().enumerate() {
        assert!(!l.trim().is_empty(), "{file}:{}: blank line", i + 1);
        assert!(!l.ends_with('\r'), "{file}:{}: CRLF line ending", i + 1);
    }
    lines
}

/// A golden input line as the record the module receives: a line starting with `{` as is,
/// any other line wrapped as `{"log": line}`.
pub fn golden_record(line: &str) -> Vec<u8> {
    if line.starts_with('{') { line.as_bytes().to_vec() } else { wrap_line(line) }
}

/// (record, expected output) pairs of one golden source.
pub fn golden(source: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let inputs = golden_lines(&format!("{source}.input"));
    let expected = golden_lines(&format!("{source}.expected"));
    assert_eq!(inputs.len(), expected.len(), "{source}: .input and .expected differ in line count");
    inputs.iter().zip(expected).map(|(i, e)| (golden_record(i), e.into_bytes())).collect()
}

/// Every filter function the module exports: the native one and its backend projections
/// (docs/PROJECTIONS.md).
pub const FILTERS: [&str; 4] = ["vpnlog_filter", "vpnlog_filter_ecs", "vpnlog_filter_ocsf", "vpnlog_filter_flat"];
