//! Native throughput of the filter on one core: the mixed benchmark corpus, and each half alone,
//! through one `vpnlog::Filter`, in records per second. Time is the thread's CPU time, not the
//! wall clock, so that other work on a shared machine does not count. Run by `make bench`.

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// CPU time of the calling thread, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: a valid clock id and a valid pointer to a timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "CLOCK_THREAD_CPUTIME_ID is available");
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// Criterion measurement: the thread's CPU time in nanoseconds.
struct CpuTime;

impl Measurement for CpuTime {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns() - start
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuTimeFormatter
    }
}

/// Formats nanoseconds of CPU time as criterion formats wall time, and throughput per second.
struct CpuTimeFormatter;

impl ValueFormatter for CpuTimeFormatter {
    fn scale_values(&self, typical_ns: f64, values: &mut [f64]) -> &'static str {
        let (div, unit) = match typical_ns {
            t if t < 1e3 => (1.0, "ns"),
            t if t < 1e6 => (1e3, "µs"),
            t if t < 1e9 => (1e6, "ms"),
            _ => (1e9, "s"),
        };
        values.iter_mut().for_each(|v| *v /= div);
        unit
    }

    fn scale_throughputs(&self, typical_ns: f64, throughput: &Throughput, values: &mut [f64]) -> &'static str {
        let (n, name) = match *throughput {
            Throughput::Elements(n) => (n as f64, "elem/s"),
            Throughput::Bytes(n) | Throughput::BytesDecimal(n) => (n as f64, "B/s"),
            _ => (1.0, "/s"),
        };
        let per_second = n * 1e9 / typical_ns;
        let (div, unit) = match (per_second, name) {
            (p, "elem/s") if p >= 1e6 => (1e6, "Melem/s"),
            (p, "elem/s") if p >= 1e3 => (1e3, "Kelem/s"),
            (_, "elem/s") => (1.0, "elem/s"),
            (p, _) if p >= 1e6 => (1e6, "MB/s"),
            _ => (1.0, "B/s"),
        };
        values.iter_mut().for_each(|v| *v = n * 1e9 / *v / div);
        unit
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn filter_all(filter: &mut vpnlog::Filter, records: &[Vec<u8>]) -> usize {
    records.iter().map(|r| filter.process(black_box(r)).len()).sum()
}

fn native(c: &mut Criterion<CpuTime>) {
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

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = native
}
criterion_main!(benches);
