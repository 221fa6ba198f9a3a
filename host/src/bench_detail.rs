//! `vpnlog bench --detail`: what the four summary lines do not say, for comparing modules
//! (`make bench`): CPU time per record, the module's size, fuel per input file, and the record
//! that cost the most.

use std::io::{self, Write};

/// Longest prefix of the worst record that is printed.
const SHOWN_BYTES: usize = 160;

/// Fuel per input file (in order of first appearance) and the costliest record.
#[derive(Default)]
pub struct Detail {
    files: Vec<(String, u64, u128, u64)>,
    worst: Option<(u64, String, u64, Vec<u8>)>,
}

impl Detail {
    /// Notes one measured call: `file:line` held `record`, which cost `fuel`.
    pub fn add(&mut self, file: &str, line: u64, record: &[u8], fuel: u64) {
        let i = match self.files.iter().position(|f| f.0 == file) {
            Some(i) => i,
            None => {
                self.files.push((file.to_string(), 0, 0, 0));
                self.files.len() - 1
            }
        };
        let f = &mut self.files[i];
        f.1 += 1;
        f.2 += u128::from(fuel);
        f.3 = f.3.max(fuel);
        if self.worst.as_ref().is_none_or(|w| fuel > w.0) {
            self.worst = Some((fuel, file.to_string(), line, record.to_vec()));
        }
    }

    /// Prints `cpu_us_per_record mean=X` (from `cpu_ns`, the CPU time of the measured calls, when
    /// known), `module_bytes=N`, one `file=PATH records=N fuel_mean=N fuel_max=N` line per file,
    /// and `worst_record fuel=N at=PATH:LINE record=<its first bytes>`.
    pub fn print(&self, out: &mut impl Write, cpu_ns: Option<u64>, module_bytes: u64) -> io::Result<()> {
        let records: u64 = self.files.iter().map(|f| f.1).sum();
        if let Some(ns) = cpu_ns.filter(|_| records > 0) {
            writeln!(out, "cpu_us_per_record mean={:.2}", ns as f64 / 1e3 / records as f64)?;
        }
        writeln!(out, "module_bytes={module_bytes}")?;
        for (file, n, sum, max) in &self.files {
            let mean = (sum + u128::from(*n) / 2) / u128::from((*n).max(1));
            writeln!(out, "file={file} records={n} fuel_mean={mean} fuel_max={max}")?;
        }
        if let Some((fuel, file, line, record)) = &self.worst {
            let shown = String::from_utf8_lossy(&record[..record.len().min(SHOWN_BYTES)]);
            let more = if record.len() > SHOWN_BYTES { "..." } else { "" };
            writeln!(out, "worst_record fuel={fuel} at={file}:{line} bytes={} record={shown}{more}", record.len())?;
        }
        Ok(())
    }
}

/// CPU time of the calling thread in nanoseconds: unlike the wall clock, it leaves out the time
/// other processes on a busy machine take.
#[cfg(unix)]
pub fn thread_cpu_ns() -> Option<u64> {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: a valid clock id and a valid pointer to a timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    (rc == 0).then(|| t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64)
}

#[cfg(not(unix))]
pub fn thread_cpu_ns() -> Option<u64> {
    None
}
