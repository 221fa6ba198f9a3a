//! Records that are not VPN events come back unchanged: other daemons' syslog (sshd, cron,
//! kernel, mail, web access logs), application JSON, and lines that only mention IPsec, BGP,
//! tunnels or VPNs in prose, URLs, commands or package names (tests/data/not-vpn.*,
//! examples/logs/ordinary-*).

mod common;

fn records() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for file in ["tests/data/not-vpn.log", "examples/logs/ordinary-syslog.log"] {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            out.push((format!("{file}:{}", n + 1), common::wrap_line(line)));
        }
    }
    for file in ["tests/data/not-vpn.ndjson", "examples/logs/ordinary-app.ndjson"] {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            out.push((format!("{file}:{}", n + 1), common::compact(line)));
        }
    }
    out
}

#[test]
fn other_traffic_and_prose_about_vpns_are_not_events() {
    let mut h = common::host();
    let recs = records();
    assert!(recs.len() >= 100, "the corpus shrank to {} records", recs.len());
    let mut wrong = Vec::new();
    for (at, rec) in &recs {
        let out = common::run(&mut h, rec);
        if out != *rec {
            wrong.push(format!("{at}: {}", String::from_utf8_lossy(&out)));
        }
    }
    assert!(wrong.is_empty(), "{} false positives:\n{}", wrong.len(), wrong.join("\n"));
}
