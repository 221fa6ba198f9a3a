//! Runs a VRL program on JSON records from standard input, one per line, as Vector's `remap`
//! transform would, and prints each result as a JSON line.
//!
//!     cargo run --profile vector-check -p vpnlog-vector-check --example remap -- examples/vector/vpnlog.vrl < records.ndjson

use std::io::{BufRead, Write};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: remap PROGRAM.vrl < records.ndjson");
        std::process::exit(2);
    };
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    });
    let mut remap = vpnlog_vector_check::Remap::compile(&source).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    let mut out = std::io::stdout().lock();
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.expect("standard input is readable");
        if line.trim().is_empty() {
            continue;
        }
        let result = serde_json::from_str(&line).map_err(|e| e.to_string()).and_then(|record| remap.run(record));
        match result {
            Ok(v) => writeln!(out, "{v}").expect("standard output is writable"),
            Err(e) => eprintln!("line {}: {e}", n + 1),
        }
    }
}
