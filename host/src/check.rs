//! `vpnlog check`: coverage of a log by the catalogue. Counts the VPN events the module found
//! (by vendor, kind, outcome and event) and groups the lines that look VPN-related but matched
//! no rule by their shape, so that the gaps show at once.
//!
//! A line looks VPN-related when its message text contains one of [`KEYWORDS`] as a word
//! (case-insensitive; `SA` only in capitals). Its shape is the text with the variable parts
//! masked (see [`shape`]), so that lines differing only in addresses, numbers, ids, quoted
//! values or timestamps fall into one group.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::events::Event;

/// Words that make an unmatched line look VPN-related (compared case-insensitively, as whole
/// words; a word also counts inside `IKE_SA`-style names split at `_`).
pub const KEYWORDS: [&str; 31] = [
    "ike", "ikev1", "ikev2", "ipsec", "isakmp", "esp", "spi", "dpd", "bgp", "bgpd", "tunnel",
    "tunnels", "vpn", "l2tp", "gre", "xfrm", "pluto", "charon", "racoon", "strongswan",
    "libreswan", "openswan", "openvpn", "wireguard", "phase1", "phase2", "neighbor", "neighbour",
    "rekey", "rekeying", "vti",
];

/// The VPN keywords a text contains (lower case, in order of [`KEYWORDS`], each once).
/// `SA` counts in capitals only (`SA`, `IKE_SA`, `CHILD_SA`), as `sa` is common in prose;
/// "phase 1" and "phase 2" count as `phase1`/`phase2`, "dead peer" as `dpd`.
pub fn vpn_keywords(text: &str) -> Vec<&'static str> {
    let mut found = [false; KEYWORDS.len()];
    let mut sa = false;
    let mut prev_phase = false;
    let mut prev_dead = false;
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let lower = word.to_ascii_lowercase();
        if word == "SA" || word == "SAs" {
            sa = true;
        }
        let phase_n = prev_phase && (lower == "1" || lower == "2");
        let mut mark = |k: &str| {
            if let Some(i) = KEYWORDS.iter().position(|&w| w == k) {
                found[i] = true;
            }
        };
        if phase_n {
            mark(if lower == "1" { "phase1" } else { "phase2" });
        }
        if prev_dead && lower == "peer" {
            mark("dpd");
        }
        mark(&lower);
        prev_phase = lower == "phase";
        prev_dead = lower == "dead";
    }
    // `IKE_SA`, `CHILD_SA`: `_` is not alphanumeric, so `SA` was seen above.
    let mut out: Vec<&'static str> = KEYWORDS
        .iter()
        .zip(found)
        .filter_map(|(k, f)| f.then_some(*k))
        .collect();
    if sa {
        out.push("sa");
    }
    out
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Length of an IPv4 address at the start of `b` (four dotted numbers of 1-3 digits).
fn ipv4_len(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    for part in 0..4 {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 3 {
            i += 1;
        }
        if i == start {
            return None;
        }
        if part < 3 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
    }
    if b.get(i).is_some_and(|&c| c.is_ascii_digit() || c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
        return None; // a version number or a longer dotted sequence
    }
    Some(i)
}

/// Length of an IPv6 address at the start of `b`: hex groups and colons, with at least two
/// colons and one hex digit, not a clock time (`10:21:03`).
fn ipv6_len(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    let (mut colons, mut hex, mut group) = (0, 0, 0);
    while i < b.len() {
        let c = b[i];
        if c == b':' {
            colons += 1;
            group = 0;
        } else if c.is_ascii_hexdigit() {
            hex += 1;
            group += 1;
            if group > 4 {
                return None;
            }
        } else {
            break;
        }
        i += 1;
    }
    // An embedded IPv4 tail (`::ffff:192.0.2.1`).
    if b.get(i) == Some(&b'.') {
        let back = b[..i].iter().rposition(|&c| c == b':')? + 1;
        let tail = ipv4_len(&b[back..])?;
        i = back + tail;
    }
    while i > 0 && b[i - 1] == b':' && !(i >= 2 && b[i - 2] == b':') {
        i -= 1; // a trailing `:` belongs to the text (`fe80::1: message`)
        colons -= 1;
    }
    let all_digits_clock = b[..i].iter().all(|c| c.is_ascii_digit() || *c == b':') && colons == 2 && i <= 8;
    if colons < 2 || hex == 0 || all_digits_clock || b.get(i).is_some_and(|&c| is_word_byte(c)) {
        return None;
    }
    Some(i)
}

/// Length of a timestamp at the start of `b`: an ISO date-time or date, a clock time
/// `hh:mm:ss[.frac]`, or a BSD syslog `Mmm dd hh:mm:ss`.
fn time_len(s: &str) -> Option<usize> {
    if let Some((_, n)) = crate::timestamps::parse_iso_prefix(s) {
        return Some(n);
    }
    let b = s.as_bytes();
    if MONTHS.iter().any(|m| s.starts_with(m)) && crate::timestamps::from_line(s, 2000).is_some() {
        // `Mmm dd hh:mm:ss` and an optional fraction.
        let mut i = 3;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i += 1 + 8;
        if b.get(i) == Some(&b'.') {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        return Some(i);
    }
    // yyyy-mm-dd alone
    if b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && !b.get(10).is_some_and(|&c| is_word_byte(c))
    {
        return Some(10);
    }
    // hh:mm:ss[.frac]
    if b.len() >= 8
        && b[0].is_ascii_digit()
        && b[1].is_ascii_digit()
        && b[2] == b':'
        && b[3].is_ascii_digit()
        && b[4].is_ascii_digit()
        && b[5] == b':'
        && b[6].is_ascii_digit()
        && b[7].is_ascii_digit()
    {
        let mut i = 8;
        if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        return Some(i);
    }
    None
}

/// Length of a hexadecimal id at the start of `b`: `0x` and hex digits, or a word of at least
/// 8 hex digits (dashes allowed between them, as in a UUID) with at least one digit.
fn hex_len(b: &[u8]) -> Option<usize> {
    if b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') && b[2].is_ascii_hexdigit() {
        let mut i = 2;
        while b.get(i).is_some_and(u8::is_ascii_hexdigit) {
            i += 1;
        }
        return (!b.get(i).is_some_and(|&c| is_word_byte(c))).then_some(i);
    }
    let mut i = 0;
    let (mut hex, mut digit) = (0, false);
    while let Some(&c) = b.get(i) {
        if c.is_ascii_hexdigit() {
            hex += 1;
            digit |= c.is_ascii_digit();
        } else if !(c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && hex > 0) {
            break;
        }
        i += 1;
    }
    let alpha = b[..i].iter().any(|c| c.is_ascii_alphabetic());
    (hex >= 8 && digit && alpha && !b.get(i).is_some_and(|&c| is_word_byte(c))).then_some(i)
}

/// The shape of a message: the text with its variable parts replaced by placeholders, in
/// this order at each word start: a BSD syslog header's host and process id
/// (`<time> <host> prog[<n>]:`), timestamps `<time>`, IP addresses `<ip>` (IPv4, IPv6),
/// hexadecimal ids `<hex>` (`0x...`, SPIs, cookies, UUIDs), quoted text `'<str>'` / `"<str>"`,
/// and numbers `<n>` (a run of digits that no letter touches, so `IKEv2` and `3DES` stay).
/// Runs of spaces become one space, and the result is cut at 300 characters.
pub fn shape(text: &str) -> String {
    const MAX: usize = 300;
    let mut out = String::with_capacity(text.len().min(MAX));
    let b = text.as_bytes();
    let mut i = 0;
    // A BSD syslog header: time, host, and the program's pid.
    let bsd = MONTHS.iter().any(|m| text.starts_with(m));
    if let Some(n) = time_len(text).filter(|_| bsd) {
        if b.get(n) == Some(&b' ') {
            if let Some(host_end) = text[n + 1..].find(' ').map(|e| n + 1 + e) {
                let host = &text[n + 1..host_end];
                if !host.is_empty() && !host.ends_with(':') {
                    out.push_str("<time> <host>");
                    i = host_end;
                }
            }
        }
    }
    while i < b.len() && out.len() < MAX {
        let c = b[i];
        let at_word_start = i == 0 || !is_word_byte(b[i - 1]) && b[i - 1] != b'.';
        if at_word_start {
            let rest = &text[i..];
            if let Some(n) = time_len(rest) {
                out.push_str("<time>");
                i += n;
                continue;
            }
            if let Some(n) = ipv4_len(&b[i..]).or_else(|| ipv6_len(&b[i..])) {
                out.push_str("<ip>");
                i += n;
                continue;
            }
            if let Some(n) = hex_len(&b[i..]) {
                out.push_str("<hex>");
                i += n;
                continue;
            }
        }
        if (c == b'"' || c == b'\'') && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            if let Some(end) = b[i + 1..].iter().take(200).position(|&q| q == c) {
                out.push(c as char);
                out.push_str("<str>");
                out.push(c as char);
                i += end + 2;
                continue;
            }
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let touches_letter = (start > 0 && b[start - 1].is_ascii_alphabetic())
                || b.get(i).is_some_and(u8::is_ascii_alphabetic);
            if touches_letter {
                out.push_str(&text[start..i]);
            } else {
                out.push_str("<n>");
            }
            continue;
        }
        if c == b' ' && out.ends_with(' ') {
            i += 1;
            continue;
        }
        // Copy one whole character.
        let len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + len]);
        i += len;
    }
    if out.len() >= MAX {
        let mut cut = MAX;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Unmatched lines of one shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub shape: String,
    pub count: u64,
    /// The first line of this shape: where, and the line itself.
    pub example_source: String,
    pub example_line: u64,
    pub example: String,
    pub keywords: Vec<&'static str>,
}

/// The coverage summary of a set of events.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    pub lines: u64,
    pub json_lines: u64,
    pub raw_lines: u64,
    pub events: u64,
    pub dropped: u64,
    pub unmatched: u64,
    pub unmatched_vpn_like: u64,
    pub by_vendor: BTreeMap<String, u64>,
    pub by_kind: BTreeMap<String, u64>,
    pub by_outcome: BTreeMap<String, u64>,
    pub by_event: BTreeMap<String, u64>,
    /// Every shape of the VPN-looking unmatched lines, most frequent first (ties: first seen).
    pub gaps: Vec<Gap>,
}

/// Counts events and groups the VPN-looking unmatched lines by shape.
pub fn coverage(events: &[Event]) -> Coverage {
    let mut c = Coverage::default();
    let mut gaps: Vec<Gap> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for e in events {
        c.lines += 1;
        match e.format {
            crate::events::LineFormat::Json => c.json_lines += 1,
            crate::events::LineFormat::Raw => c.raw_lines += 1,
        }
        if e.dropped.is_some() {
            c.dropped += 1;
            continue;
        }
        if let Some(v) = &e.vpn {
            c.events += 1;
            *c.by_vendor.entry(v.vendor.clone()).or_default() += 1;
            *c.by_kind.entry(v.kind.clone()).or_default() += 1;
            *c.by_outcome.entry(v.outcome.clone()).or_default() += 1;
            *c.by_event.entry(v.event.clone()).or_default() += 1;
            continue;
        }
        c.unmatched += 1;
        let keywords = vpn_keywords(&e.text);
        if keywords.is_empty() {
            continue;
        }
        c.unmatched_vpn_like += 1;
        let s = shape(&e.text);
        match index.get(&s) {
            Some(&at) => gaps[at].count += 1,
            None => {
                index.insert(s.clone(), gaps.len());
                gaps.push(Gap {
                    shape: s,
                    count: 1,
                    example_source: e.source.clone(),
                    example_line: e.line,
                    example: e.raw.clone(),
                    keywords,
                });
            }
        }
    }
    // Stable: equal counts keep the order in which they were first seen.
    gaps.sort_by(|a, b| b.count.cmp(&a.count));
    c.gaps = gaps;
    c
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "0.0%".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn table(out: &mut String, title: &str, counts: &BTreeMap<String, u64>, total: u64) {
    let mut rows: Vec<(&String, &u64)> = counts.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(8);
    let _ = writeln!(out, "{title}");
    for (name, n) in rows {
        let _ = writeln!(out, "  {name:<width$}  {n:>7}  {:>6}", percent(*n, total));
    }
}

/// The text summary; `top` limits the shapes listed.
pub fn render_text(c: &Coverage, top: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "lines read        {:>7}  ({} JSON records, {} text lines)",
        c.lines, c.json_lines, c.raw_lines
    );
    let _ = writeln!(out, "VPN events        {:>7}  {:>6}", c.events, percent(c.events, c.lines));
    let _ = writeln!(out, "no rule matched   {:>7}  {:>6}", c.unmatched, percent(c.unmatched, c.lines));
    let _ = writeln!(
        out,
        "  VPN-looking     {:>7}  {:>6}  in {} shape(s)",
        c.unmatched_vpn_like,
        percent(c.unmatched_vpn_like, c.lines),
        c.gaps.len()
    );
    if c.dropped > 0 {
        let _ = writeln!(out, "dropped           {:>7}  (records Fluent Bit would lose)", c.dropped);
    }
    if c.events > 0 {
        out.push('\n');
        table(&mut out, "by vendor", &c.by_vendor, c.events);
        table(&mut out, "by kind", &c.by_kind, c.events);
        table(&mut out, "by outcome", &c.by_outcome, c.events);
    }
    out.push('\n');
    if c.gaps.is_empty() {
        let _ = writeln!(out, "No unmatched line looks VPN-related.");
        return out;
    }
    let shown = c.gaps.len().min(top);
    let _ = writeln!(
        out,
        "Unmatched VPN-looking lines, by shape (top {shown} of {}):",
        c.gaps.len()
    );
    for g in &c.gaps[..shown] {
        let _ = writeln!(out, "  {:>6}  {}", g.count, g.shape);
        let _ = writeln!(out, "          e.g. {}:{}: {}", g.example_source, g.example_line, g.example);
    }
    out
}

/// The summary for machines (`--json`); `top` limits the shapes listed.
pub fn render_json(c: &Coverage, top: usize) -> Value {
    let gaps: Vec<Value> = c
        .gaps
        .iter()
        .take(top)
        .map(|g| {
            json!({
                "shape": g.shape,
                "count": g.count,
                "keywords": g.keywords,
                "example": {"source": g.example_source, "line": g.example_line, "text": g.example},
            })
        })
        .collect();
    json!({
        "lines": c.lines,
        "json_records": c.json_lines,
        "text_lines": c.raw_lines,
        "events": c.events,
        "unmatched": c.unmatched,
        "unmatched_vpn_like": c.unmatched_vpn_like,
        "dropped": c.dropped,
        "by_vendor": c.by_vendor,
        "by_kind": c.by_kind,
        "by_outcome": c.by_outcome,
        "by_event": c.by_event,
        "shapes": c.gaps.len(),
        "gaps": gaps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_whole_words() {
        assert_eq!(vpn_keywords("IKE_SA deleted"), vec!["ike", "sa"]);
        assert_eq!(vpn_keywords("the tunnel to 10.0.0.1 is down"), vec!["tunnel"]);
        assert_eq!(vpn_keywords("Phase 2 failed"), vec!["phase2"]);
        assert_eq!(vpn_keywords("declaring dead peer"), vec!["dpd"]);
        assert!(vpn_keywords("spike in bikes; usa sales").is_empty());
        assert!(vpn_keywords("sa is lowercase here").is_empty());
        assert_eq!(vpn_keywords("BGP neighbor 10.1.1.1"), vec!["bgp", "neighbor"]);
    }

    #[test]
    fn shapes_mask_variable_parts() {
        assert_eq!(
            shape("Feb 17 11:47:13 qno-edge pluto[1874]: packet from 203.0.113.66:4500: unknown SA 0x5a3c9e71"),
            "<time> <host> pluto[<n>]: packet from <ip>:<n>: unknown SA <hex>"
        );
        assert_eq!(
            shape("2026-02-17T10:00:01.5Z IKEv2 peer 2001:db8::1 id 'gw@corp' rekey 3DES in 12s"),
            "<time> IKEv2 peer <ip> id '<str>' rekey 3DES in 12s"
        );
        assert_eq!(
            shape("SA 4d8e2b61-0c7a-4f93-b25e-9a1c6d3f7e08 spi 5e0c2a71 at 10:21:03 len 120"),
            "SA <hex> spi <hex> at <time> len <n>"
        );
        // A word of hex letters only, or short hex, is text; a version number is not an IP.
        assert_eq!(shape("deadbeef cafe 1.2.3.4.5 v1.2"), "deadbeef cafe <n>.<n>.<n>.<n>.<n> v1.<n>");
        assert_eq!(shape("a   b"), "a b");
    }

    #[test]
    fn similar_lines_share_a_shape() {
        let a = shape("Feb 17 10:21:03 gw1 charon[812]: 07[IKE] unknown notify 40123 from 192.0.2.9[500]");
        let b = shape("Feb  7 09:01:00 edge-2 charon[99]: 07[IKE] unknown notify 7 from 198.51.100.1[4500]");
        assert_eq!(a, b);
    }
}
