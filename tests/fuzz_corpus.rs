//! The fuzzers' findings kept as regression tests (fuzz/README.md): every file of the minimized
//! corpora and every crasher, through the built module in the host, with the contract oracle
//! of the property tests (`common::check`, vpnlog_host::contract).
//! - fuzz/corpus/classify_bytes/: raw records;
//! - fuzz/regressions/json_records/: the json_records corpus rendered as records;
//! - fuzz/corpus/wasm_abi/: calls of the exported function (first byte: the call's shape);
//! - fuzz/regressions/crashers/TARGET/: inputs that once broke the contract, read as their
//!   target reads them (json_records crashers rendered as records).

mod common;

use std::path::{Path, PathBuf};

use vpnlog_host::contract::AbiCase;

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut v: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    v.sort();
    v
}

fn records(dirs: &[&str]) -> usize {
    let mut h = common::host();
    let mut n = 0;
    for d in dirs {
        for f in files(d) {
            let rec = std::fs::read(&f).unwrap();
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| common::check(&mut h, &rec)))
                .unwrap_or_else(|_| panic!("{}: contract broken (see above)", f.display()));
            n += 1;
        }
    }
    n
}

#[test]
fn raw_record_corpus_keeps_the_contract() {
    let n = records(&["fuzz/corpus/classify_bytes", "fuzz/regressions/crashers/classify_bytes"]);
    assert!(n >= 50, "only {n} corpus files: the corpus is missing");
}

#[test]
fn rendered_record_corpus_keeps_the_contract() {
    let n = records(&["fuzz/regressions/json_records", "fuzz/regressions/crashers/json_records"]);
    assert!(n >= 50, "only {n} rendered records: the corpus is missing");
}

#[test]
fn abi_corpus_keeps_the_contract() {
    let mut h = common::host();
    let mut n = 0;
    for d in ["fuzz/corpus/wasm_abi", "fuzz/regressions/crashers/wasm_abi"] {
        for f in files(d) {
            let case = AbiCase::from_bytes(&std::fs::read(&f).unwrap());
            if let Err(e) = case.check(&mut h) {
                panic!("{}: {e}", f.display());
            }
            n += 1;
        }
    }
    assert!(n >= 50, "only {n} corpus files: the corpus is missing");
}
