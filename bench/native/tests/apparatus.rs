//! Checks of the benchmark apparatus (`make bench`, docs/BENCHMARKS.md), cheap enough for
//! `make test`: the corpus is what it claims, the copy-only module returns every record byte for
//! byte, and the naive module classifies catalogue examples of three sources by their own rules.
//! The modules are the ones `make` builds into dist/bench/, run in the Fluent Bit host.

use serde_json::Value;
use vpnlog::catalogue::{Const, DOCS, RULES};
use vpnlog_host::{FluentBitHost, HostConfig, Timestamp};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn host(module: &str) -> FluentBitHost {
    let path = root().join(module);
    let wasm = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run `make` first)", path.display()));
    FluentBitHost::new(&wasm, &HostConfig::default()).expect("module loads as Fluent Bit loads it")
}

fn run(h: &mut FluentBitHost, record: &[u8]) -> Vec<u8> {
    let out = h.process(b"vpn.bench", Timestamp { sec: 1_763_781_247, nsec: 0 }, record);
    out.result.unwrap_or_else(|e| panic!("record dropped: {e}: {}", String::from_utf8_lossy(record)))
}

/// Example lines counted in the rule files themselves, not through the compiled catalogue.
fn examples_in_rule_files() -> usize {
    let dir = root().join("rules");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| std::fs::read_to_string(&p).unwrap().lines().filter(|l| l.trim() == "[[rule.example]]").count())
        .sum()
}

#[test]
fn corpus_is_half_catalogue_examples_half_ordinary_records() {
    let (vpn, ordinary) = vpnlog_bench::corpus();
    assert_eq!(vpn.len(), examples_in_rule_files());
    assert_eq!(ordinary.len(), vpn.len());
    assert_eq!(vpnlog_bench::corpus(), (vpn.clone(), ordinary.clone()), "the corpus is deterministic");
    for r in vpn.iter().chain(&ordinary) {
        assert!(r.len() <= 2048, "at most 2 KiB: {}", String::from_utf8_lossy(r));
        let v: Value = serde_json::from_slice(r).expect("a record is JSON");
        assert!(v.is_object());
        assert!(!r.contains(&b'\n'), "one record per line");
    }
    // The first ordinary records are the lines of ordinary-syslog.log, each wrapped as a `tail`
    // input without a parser hands it over.
    let first = std::fs::read_to_string(vpnlog_bench::logs_dir().join("ordinary-syslog.log")).unwrap();
    let first = first.lines().next().unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&ordinary[0]).unwrap(), serde_json::json!({ "log": first }));
    // The ordinary half holds no VPN event: vpnlog returns each record unchanged.
    let mut h = host("dist/vpnlog.wasm");
    for r in &ordinary {
        assert_eq!(run(&mut h, r), *r, "ordinary record classified: {}", String::from_utf8_lossy(r));
    }
}

#[test]
fn copy_module_returns_every_record_byte_for_byte() {
    let mut h = host("dist/bench/copy.wasm");
    let (vpn, ordinary) = vpnlog_bench::corpus();
    let big = format!("{{\"log\":\"{}\",\"n\":-0.0e0,\"u\":\"\\u00e9\\ud83d\\ude00\"}}", "x".repeat(100_000)).into_bytes();
    let odd: [&[u8]; 3] = [b"{}", b"{\"a\":[1,{\"b\":null}],\"c\":\"\\\"\"}", &big];
    for r in vpn.iter().map(Vec::as_slice).chain(ordinary.iter().map(Vec::as_slice)).chain(odd) {
        assert_eq!(run(&mut h, r), r);
    }
    // The floor: a small fixed cost per record once the buffer has grown (DESIGN-NOTES: about 100).
    let out = h.process(b"vpn.bench", Timestamp::default(), &vpn[0]);
    assert!(out.fuel < 1_000, "copy-only costs {} fuel", out.fuel);
}

fn const_json(c: &Const) -> Value {
    match c {
        Const::Str(s) => Value::String(String::from_utf8(s.to_vec()).unwrap()),
        Const::Num(d) => serde_json::from_slice(d).unwrap(),
        Const::Bool(b) => Value::Bool(*b),
    }
}

#[test]
fn naive_module_classifies_examples_by_their_rules() {
    let mut h = host("dist/bench/naive.wasm");
    let mut checked = 0;
    for file in ["openswan.toml", "cisco_asa.toml", "fortigate.toml"] {
        let rules = RULES.iter().zip(DOCS.iter()).filter(|(_, d)| d.file == file);
        for (rule, doc) in rules.take(4) {
            let ex = &doc.examples[0];
            let record = vpnlog_bench::example_record(ex.line);
            let out: Value = serde_json::from_slice(&run(&mut h, &record)).expect("output is JSON");
            let mut rest = out.clone();
            let vpn = rest.as_object_mut().unwrap().remove("vpn").unwrap_or_else(|| panic!("{}: not classified: {}", rule.id, ex.line));
            // Re-serialized, not byte for byte, but the same members.
            assert_eq!(rest, serde_json::from_slice::<Value>(&record).unwrap(), "{}", rule.id);
            assert_eq!(vpn["rule"], rule.id, "{}", ex.line);
            assert_eq!((&vpn["kind"], &vpn["event"]), (&rule.kind.into(), &rule.event.into()), "{}", rule.id);
            for (path, want) in ex.expect {
                let got = path.split('.').try_fold(&vpn, |v, k| v.get(k));
                assert_eq!(got, Some(&const_json(want)), "{}: {path} in {vpn}", rule.id);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
    // An ordinary line comes back with the same members and no `vpn`.
    let line = br#"{"log":"Nov 22 03:14:01 web-01 sshd[811]: Accepted publickey for deploy from 198.51.100.7 port 52144 ssh2"}"#;
    let out: Value = serde_json::from_slice(&run(&mut h, line)).unwrap();
    assert_eq!(out, serde_json::from_slice::<Value>(line).unwrap());
}
