//! Golden files: realistic records of each source through the built module, compared byte for
//! byte with hand-written expected outputs.
//!
//! Data in tests/golden/: `<source>.input` holds one record per line, `<source>.expected` the
//! exact output for the line with the same number. An input line that starts with `{` is a
//! compact JSON record and is passed as is; any other line is a raw log line and is passed as
//! `{"log":"<the line as a JSON string>"}` (a Fluent Bit `tail` input without a parser), so its
//! expected line holds that wrapped record. Blank lines are not allowed. `non_vpn` holds
//! ordinary lines that must come back unchanged.

mod common;

/// `around` bytes either side of `at`, lossily decoded (may cut a UTF-8 sequence).
fn excerpt(b: &[u8], at: usize, around: usize) -> String {
    let s = at.saturating_sub(around);
    let e = (at + around).min(b.len());
    format!("{}{}{}", if s > 0 { "…" } else { "" }, String::from_utf8_lossy(&b[s..e]), if e < b.len() { "…" } else { "" })
}

fn diff(name: &str, n: usize, expected: &[u8], actual: &[u8]) -> String {
    let at = expected.iter().zip(actual).position(|(a, b)| a != b).unwrap_or(expected.len().min(actual.len()));
    format!(
        "{name}:{n}: first difference at byte {at} (expected {} bytes, got {})\n  expected: {}\n  actual:   {}\n  full expected: {}\n  full actual:   {}",
        expected.len(),
        actual.len(),
        excerpt(expected, at, 60),
        excerpt(actual, at, 60),
        String::from_utf8_lossy(expected),
        String::from_utf8_lossy(actual),
    )
}

fn check(source: &str) {
    let inputs = common::golden_lines(&format!("{source}.input"));
    let expected = common::golden_lines(&format!("{source}.expected"));
    assert_eq!(inputs.len(), expected.len(), "{source}: .input and .expected differ in line count");
    assert!((6..=12).contains(&inputs.len()), "{source}: {} records, want 6 to 12", inputs.len());
    let mut h = common::host();
    let mut failures = Vec::new();
    let mut classified = 0;
    for (i, (line, want)) in inputs.iter().zip(&expected).enumerate() {
        let rec = common::golden_record(line);
        let out = common::run(&mut h, &rec);
        if out != want.as_bytes() {
            failures.push(diff(&format!("{source}.expected"), i + 1, want.as_bytes(), &out));
        }
        if out != rec {
            classified += 1;
        }
    }
    assert!(failures.is_empty(), "{} of {} {source} records differ:\n{}", failures.len(), inputs.len(), failures.join("\n\n"));
    if source == "non_vpn" {
        for (i, (line, want)) in inputs.iter().zip(&expected).enumerate() {
            assert_eq!(want.as_bytes(), &common::golden_record(line)[..], "non_vpn.expected:{}: must equal its input record", i + 1);
        }
    } else {
        assert!(classified > 0, "{source}: no record was classified");
    }
}

#[test]
fn aws_tunnel() {
    check("aws_tunnel");
}

#[test]
fn aws_bgp() {
    check("aws_bgp");
}

#[test]
fn azure() {
    check("azure");
}

#[test]
fn alibaba() {
    check("alibaba");
}

#[test]
fn openswan() {
    check("openswan");
}

#[test]
fn non_vpn() {
    check("non_vpn");
}
