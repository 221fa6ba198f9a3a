//! The `vpnlog` command end to end, with WAT test modules written to a temporary directory.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vpnlog-host-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_module(name: &str, wat: &str) -> String {
    let path = temp_dir(name).join("filter.wat");
    std::fs::write(&path, wat).unwrap();
    path.to_string_lossy().into_owned()
}

fn vpnlog(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vpnlog"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vpnlog starts");
    // vpnlog may exit before reading its input (usage errors).
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[test]
fn run_passes_compact_records_and_prints_results() {
    let wasm = write_module("run", &common::copy_module());
    let r = vpnlog(
        &["run", "--wasm", &wasm],
        "{ \"log\" : \"a  b\" , \"n\" : 1.0e2 }\n\n  \n{\"esc\":\"\\u00e9\\\" x\"}\r\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "{\"log\":\"a  b\",\"n\":1.0e2}\n{\"esc\":\"\\u00e9\\\" x\"}\n"
    );
    assert_eq!(r.stderr, "");
}

#[test]
fn run_reports_invalid_input_lines_and_skips_them() {
    let wasm = write_module("invalid", &common::copy_module());
    let r = vpnlog(
        &["run", "--wasm", &wasm],
        "{\"a\":1}\nnot json\n[1]\n{\"b\":2}\n",
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "{\"a\":1}\n{\"b\":2}\n");
    assert!(r.stderr.contains("line 2: invalid input"), "{}", r.stderr);
    assert!(r.stderr.contains("line 3: invalid input"), "{}", r.stderr);
    assert!(r.stderr.contains("2 invalid input line(s)"), "{}", r.stderr);
}

#[test]
fn run_raw_wraps_lines_as_log_field() {
    let wasm = write_module("raw", &common::copy_module());
    let r = vpnlog(
        &["run", "--raw", "--wasm", &wasm],
        "IKE \"SA\"\tup\r\n\nnot json\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "{\"log\":\"IKE \\\"SA\\\"\\tup\\r\"}\n{\"log\":\"not json\"}\n"
    );
}

#[test]
fn run_reports_dropped_records_with_line_numbers() {
    let wasm = write_module("dropped", &common::non_json_module());
    let input = "{\"a\":1}\n{\"a\":1}\n{\"a\":1}\n{\"a\":1}\n{\"a\":1}\n{\"a\":1}\n";
    let r = vpnlog(&["run", "--wasm", &wasm], input);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "{\"a\":1}\n");
    assert!(
        r.stderr
            .contains("line 1: record dropped: returned string is not valid JSON")
    );
    assert!(
        r.stderr
            .contains("line 2: record dropped: returned string is empty")
    );
    assert!(
        r.stderr
            .contains("line 3: record dropped: returned JSON root is an array")
    );
    assert!(r.stderr.contains("6 records, 5 dropped"), "{}", r.stderr);
}

#[test]
fn run_honours_function_and_tag() {
    let wasm = write_module("tag", &common::copy_module());
    let r = vpnlog(
        &[
            "run",
            "--wasm",
            &wasm,
            "--function",
            "echo_tag",
            "--tag={\"t\":1}",
        ],
        "{}\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "{\"t\":1}\n");
}

#[test]
fn bench_prints_the_four_lines() {
    let wasm = write_module("bench", &common::copy_module());
    let dir = temp_dir("bench");
    let file = dir.join("records.json");
    std::fs::write(&file, "{\"a\":1}\n{\"b\":\"two\"}\n").unwrap();
    let r = vpnlog(
        &[
            "bench",
            "--wasm",
            &wasm,
            "--repeat",
            "600",
            file.to_str().unwrap(),
            "-",
        ],
        "{\"c\":3}\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    assert_eq!(lines[0], "records=1800 dropped=0");
    let fuel: Vec<u64> = lines[1]
        .strip_prefix("fuel_per_record mean=")
        .unwrap()
        .split(" max=")
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(fuel[0] > 0 && fuel[1] >= fuel[0], "{}", lines[1]);
    let us = lines[2].strip_prefix("us_per_record mean=").unwrap();
    assert_eq!(
        us.split('.').nth(1).map(str::len),
        Some(2),
        "two decimals: {us}"
    );
    assert_eq!(lines[3], "memory_pages start=3 end=3");
}

#[test]
fn bench_counts_drops() {
    let wasm = write_module("bench-drops", &common::non_json_module());
    let r = vpnlog(
        &["bench", "--wasm", &wasm],
        "{\"a\":1}\n{\"a\":1}\n{\"a\":1}\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("records=3 dropped=3\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("<stdin>:2: record dropped"),
        "{}",
        r.stderr
    );
}

#[test]
fn help_and_usage_errors() {
    for args in [
        &["--help"][..],
        &["help"],
        &["help", "run"],
        &["run", "--help"],
        &["bench", "-h"],
    ] {
        let r = vpnlog(args, "");
        assert_eq!(r.code, 0, "{args:?}");
        assert!(r.stdout.contains("Usage: vpnlog"), "{args:?}: {}", r.stdout);
    }
    assert!(
        vpnlog(&["bench", "--help"], "")
            .stdout
            .contains("--repeat K")
    );
    for args in [
        &[][..],
        &["frobnicate"],
        &["run", "--bogus"],
        &["run", "--wasm"],
        &["bench", "--repeat", "0"],
    ] {
        assert_eq!(vpnlog(args, "").code, 2, "{args:?}");
    }
    let r = vpnlog(&["run", "--wasm", "/nonexistent/x.wasm"], "{}\n");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/x.wasm"), "{}", r.stderr);
}
