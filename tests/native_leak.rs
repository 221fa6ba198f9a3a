//! The native library over the never-grow corpus (catalogue examples, ordinary lines, a 4 MiB
//! record), for the leak check: scripts/leak-check.sh runs this test binary under valgrind,
//! which must report no byte lost. Run plainly, it checks the records come out.
//! VPNLOG_LEAK_RECORDS sets the count (default 20,000).

mod common;

use vpnlog::Filter;
use vpnlog::catalogue::DOCS;

#[test]
fn native_filter_over_the_mixed_corpus() {
    let mut pool: Vec<Vec<u8>> = DOCS.iter().flat_map(|d| d.examples.iter().map(|e| common::example_record(e.line))).collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/logs");
    let syslog = std::fs::read_to_string(dir.join("ordinary-syslog.log")).unwrap();
    pool.extend(syslog.lines().map(common::wrap_line));
    pool.extend(common::golden("non_vpn").into_iter().map(|(r, _)| r));
    let mut big = br#"{"log":"DPD: No response from peer - declaring peer dead","pad":""#.to_vec();
    big.resize(4 << 20, b'x');
    big.extend_from_slice(b"\"}");
    let n: usize = std::env::var("VPNLOG_LEAK_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    // Filters made and dropped too, as a host that reloads the module would.
    for round in 0..2 {
        let mut f = Filter::new();
        let mut classified = 0;
        for i in 0..n {
            let r = if i == n / 2 { &big } else { &pool[i * 7919 % pool.len()] };
            let out = f.process(r);
            assert!(out.starts_with(&r[..r.len() - 1]), "round {round}, record {i}");
            classified += usize::from(out.len() != r.len());
        }
        assert!(classified > n / 4, "only {classified} of {n} classified");
    }
}
