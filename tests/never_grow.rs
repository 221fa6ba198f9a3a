//! Never grow: a million mixed records through the built module in one host instance, as a
//! Fluent Bit agent runs it for months. The module's linear memory after the run must equal
//! its memory after the warm-up (every distinct record once); a 4 MiB record may grow memory
//! once, and later records, big or small, reuse it. VPNLOG_GROW_RECORDS sets the count
//! (default 1,000,000). The figures are printed; fuzz/README.md records them.

mod common;

use vpnlog::catalogue::DOCS;

fn pool() -> Vec<Vec<u8>> {
    let mut pool: Vec<Vec<u8>> = DOCS.iter().flat_map(|d| d.examples.iter().map(|e| common::example_record(e.line))).collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/logs");
    let syslog = std::fs::read_to_string(dir.join("ordinary-syslog.log")).unwrap();
    let app = std::fs::read_to_string(dir.join("ordinary-app.ndjson")).unwrap();
    let vpn = pool.len();
    let ordinary: Vec<Vec<u8>> = syslog.lines().map(common::wrap_line).chain(app.lines().map(common::compact)).collect();
    pool.extend(ordinary.iter().cycle().take(vpn).cloned());
    pool.extend(common::golden("non_vpn").into_iter().map(|(r, _)| r));
    pool
}

fn count() -> usize {
    std::env::var("VPNLOG_GROW_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000)
}

/// A 4 MiB record: a DPD line (classified) and a long ordinary value.
fn big_record(fill: u8) -> Vec<u8> {
    let head = br#"{"log":"Feb 17 11:47:12 gw pluto[1874]: (office)[2] 203.0.113.66 #12: [Tunnel Negotiation Fail] DPD: No response from peer - declaring peer dead","pad":""#;
    let mut r = head.to_vec();
    r.resize(4 << 20, fill);
    r.extend_from_slice(b"\"}");
    r
}

#[test]
fn a_million_mixed_records_leave_memory_where_the_warm_up_left_it() {
    let pool = pool();
    let mut h = common::host();
    let start_pages = h.memory_pages();
    let mut by_size: Vec<&Vec<u8>> = pool.iter().collect();
    by_size.sort_by_key(|r| std::cmp::Reverse(r.len()));
    for r in &by_size {
        common::run(&mut h, r);
    }
    let warm = h.memory_pages();
    let n = count();
    let started = std::time::Instant::now();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut classified = 0usize;
    for _ in 0..n {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let r = &pool[(x >> 33) as usize % pool.len()];
        let out = h.process(b"vpn.test", Default::default(), r);
        match out.result {
            Ok(o) => classified += usize::from(o.len() != r.len()),
            Err(e) => panic!("record dropped: {e}: {}", String::from_utf8_lossy(r)),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "never grow: {} distinct records, {n} calls ({classified} classified) in {secs:.1} s ({:.1} us/record); memory pages: start {start_pages}, after warm-up {warm}, after the run {}",
        pool.len(),
        secs * 1e6 / n.max(1) as f64,
        h.memory_pages()
    );
    assert_eq!(h.memory_pages(), warm, "memory grew after the warm-up");
    assert!(classified > n / 3, "only {classified} of {n} records classified: the mix is not mixed");
}

#[test]
fn a_4_mib_record_grows_memory_once_and_later_records_reuse_it() {
    let pool = pool();
    let mut h = common::host();
    for r in &pool {
        common::run(&mut h, r);
    }
    let before = h.memory_pages();
    let big = big_record(b'x');
    let out = common::run(&mut h, &big);
    assert!(out.len() > big.len() && out.starts_with(&big[..big.len() - 1]), "the 4 MiB record is classified and kept");
    let peak = h.memory_pages();
    // The record copy and the output buffer, about 4 MiB each (64 pages each), at most.
    println!("4 MiB record: memory pages {before} -> {peak} ({} KiB more)", (peak - before) * 64);
    assert!(peak > before, "a 4 MiB record must need more memory than small ones");
    assert!(peak - before <= 2 * 65 + 4, "a 4 MiB record grew memory by {} pages", peak - before);
    for (k, r) in pool.iter().cycle().take(20_000).enumerate() {
        common::run(&mut h, r);
        if k % 5_000 == 0 {
            common::run(&mut h, &big_record(b'a' + (k / 5_000) as u8));
        }
    }
    assert_eq!(h.memory_pages(), peak, "records after the 4 MiB one grew memory again");
}
