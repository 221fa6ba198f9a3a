//! Native throughput of the filter (one core): the mixed benchmark corpus, and each half alone,
//! through one `vpnlog::Filter`, as records per second. Run by `make bench`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn filter_all(filter: &mut vpnlog::Filter, records: &[Vec<u8>]) -> usize {
    records.iter().map(|r| filter.process(black_box(r)).len()).sum()
}

fn native(c: &mut Criterion) {
    let (vpn, ordinary) = vpnlog_bench::corpus();
    let mixed: Vec<Vec<u8>> = vpn.iter().chain(&ordinary).cloned().collect();
    let mut group = c.benchmark_group("filter");
    for (name, records) in [("mixed", &mixed), ("vpn", &vpn), ("ordinary", &ordinary)] {
        let mut filter = vpnlog::Filter::new();
        group.throughput(Throughput::Elements(records.len() as u64));
        group.bench_function(name, |b| b.iter(|| filter_all(&mut filter, records)));
    }
    group.finish();
}

criterion_group!(benches, native);
criterion_main!(benches);
