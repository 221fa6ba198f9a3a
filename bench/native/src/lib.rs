//! The benchmark corpus (`make bench`, docs/BENCHMARKS.md): half VPN records, every example line
//! of every rule in the catalogue, and half ordinary records, the syslog and JSON lines of
//! examples/logs/ordinary-*, repeated until there are as many. Built the same way as the corpus
//! of tests/budget.rs, deterministically, as the compact records Fluent Bit hands over.

use std::path::{Path, PathBuf};

use vpnlog::catalogue::DOCS;

/// The repository's examples/logs directory.
pub fn logs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/logs")
}

/// A raw log line as a Fluent Bit `tail` input without a parser hands it over.
pub fn wrap_line(line: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "log": line })).expect("a string serializes")
}

/// A catalogue example line as a record: a JSON line compacted, any other line wrapped.
pub fn example_record(line: &str) -> Vec<u8> {
    if line.starts_with('{') { vpnlog_host::json::strip_whitespace(line.as_bytes()) } else { wrap_line(line) }
}

/// Every example line of every rule, in catalogue order.
pub fn vpn_records() -> Vec<Vec<u8>> {
    DOCS.iter().flat_map(|d| d.examples.iter().map(|e| example_record(e.line))).collect()
}

/// `n` ordinary records: the lines of ordinary-syslog.log (wrapped) then those of
/// ordinary-app.ndjson (compacted), repeated.
pub fn ordinary_records(n: usize) -> Vec<Vec<u8>> {
    let read = |name: &str| {
        let path = logs_dir().join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let (syslog, app) = (read("ordinary-syslog.log"), read("ordinary-app.ndjson"));
    let base: Vec<Vec<u8>> = syslog
        .lines()
        .map(wrap_line)
        .chain(app.lines().map(|l| vpnlog_host::json::strip_whitespace(l.as_bytes())))
        .collect();
    base.iter().cycle().take(n).cloned().collect()
}

/// The mixed corpus: `(vpn, ordinary)`, the same number of records each.
pub fn corpus() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let vpn = vpn_records();
    let ordinary = ordinary_records(vpn.len());
    (vpn, ordinary)
}

/// Records as NDJSON text: one record per line.
pub fn ndjson(records: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.iter().map(|r| r.len() + 1).sum());
    for r in records {
        out.extend_from_slice(r);
        out.push(b'\n');
    }
    out
}
