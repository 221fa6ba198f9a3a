//! `vpnlog bench --warm-up N --detail`: the extra lines `make bench` reads, with a WAT module
//! whose fuel grows with the record's length, so the costliest record is known in advance.

mod common;

use std::process::Command;

#[test]
fn detail_reports_module_size_files_and_the_costliest_record() {
    let dir = std::env::temp_dir().join(format!("vpnlog-host-bench-detail-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wasm = dir.join("filter.wat");
    std::fs::write(&wasm, common::copy_module()).unwrap();
    let long = format!("{{\"b\":\"{}\"}}", "y".repeat(300));
    let (first, second) = (dir.join("first.ndjson"), dir.join("second.ndjson"));
    std::fs::write(&first, format!("{{\"a\":1}}\n{long}\n")).unwrap();
    std::fs::write(&second, "{\"c\":3}\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vpnlog"))
        .args(["bench", "--wasm", wasm.to_str().unwrap(), "--function", "spin", "--warm-up", "2", "--detail"])
        .args([&first, &second])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 9, "{stdout}");
    // Warm-up calls are not counted.
    assert_eq!(lines[0], "records=3 dropped=0");
    let fuel = |line: &str, key: &str| -> u64 {
        line.split(' ').find_map(|f| f.strip_prefix(key)).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{key} in {line}"))
    };
    let max = fuel(lines[1], "max=");
    let cpu_us: f64 = lines[4].strip_prefix("cpu_us_per_record mean=").unwrap().parse().unwrap();
    assert!(cpu_us > 0.0, "{}", lines[4]);
    assert_eq!(lines[5], format!("module_bytes={}", std::fs::metadata(&wasm).unwrap().len()));
    let (f1, f2) = (first.to_str().unwrap(), second.to_str().unwrap());
    assert!(lines[6].starts_with(&format!("file={f1} records=2 fuel_mean=")), "{}", lines[6]);
    assert!(lines[7].starts_with(&format!("file={f2} records=1 fuel_mean=")), "{}", lines[7]);
    // One record in the second file: its mean is its max. The long record is the costliest.
    assert_eq!(fuel(lines[7], "fuel_mean="), fuel(lines[7], "fuel_max="));
    assert_eq!(fuel(lines[6], "fuel_max="), max);
    assert!(max > fuel(lines[7], "fuel_max="));
    // `{"b":"` + 300 + `"}`: 308 bytes.
    assert_eq!(lines[8], format!("worst_record fuel={max} at={f1}:2 bytes=308 record={}...", &long[..160]));
    std::fs::remove_dir_all(&dir).ok();
}
