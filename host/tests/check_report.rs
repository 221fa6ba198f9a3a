//! `vpnlog check` and `vpnlog report` on example logs, through the built module
//! (dist/vpnlog.wasm, `make`), with expectations worked out by hand from the example files.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use vpnlog_host::events::{self, ReadOptions};
use vpnlog_host::report::{self, Layer, ReportOptions};
use vpnlog_host::{FluentBitHost, HostConfig, check};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn example(name: &str) -> String {
    repo().join("examples/logs").join(name).to_string_lossy().into_owned()
}

fn read(files: &[&str]) -> Vec<events::Event> {
    let wasm = std::fs::read(repo().join("dist/vpnlog.wasm")).expect("dist/vpnlog.wasm (run `make`)");
    let mut host = FluentBitHost::new(&wasm, &HostConfig::default()).unwrap();
    let opts = ReadOptions { syslog_year: 2026, tag: "vpn.log".into() };
    let files: Vec<String> = files.iter().map(|f| example(f)).collect();
    events::read_all(&mut host, &opts, &files, |_| {}).unwrap()
}

/// 2026-03-03 00:00:00 UTC in ms: 2026-02-17 is day 20501 (see timestamps.rs), + 11 + 3 days.
const MAR3_MS: i64 = 20_515 * 86_400_000;

fn at(h: i64, m: i64, s: i64, ms: i64) -> i64 {
    MAR3_MS + ((h * 60 + m) * 60 + s) * 1000 + ms
}

#[test]
fn check_counts_events_and_groups_the_unmatched_restarts() {
    let events = read(&["strongswan-flap.log"]);
    let c = check::coverage(&events);
    // 16 lines: 4 IKE_SA and 4 CHILD_SA established, 3 DPD timeouts, one initiation, one
    // give-up are rules; the 3 "restarting CHILD_SA" lines are not.
    assert_eq!((c.lines, c.raw_lines, c.json_lines), (16, 16, 0));
    assert_eq!((c.events, c.unmatched, c.unmatched_vpn_like, c.dropped), (13, 3, 3, 0));
    assert_eq!(c.by_vendor.get("strongswan"), Some(&13));
    assert_eq!((c.by_kind.get("ike"), c.by_kind.get("dpd")), (Some(&10), Some(&3)));
    assert_eq!(
        (c.by_outcome.get("success"), c.by_outcome.get("failure"), c.by_outcome.get("unknown")),
        (Some(&8), Some(&4), Some(&1))
    );
    assert_eq!(c.gaps.len(), 1);
    let g = &c.gaps[0];
    assert_eq!(g.count, 3);
    assert_eq!(g.shape, "<time> <host> charon[<n>]: <n>[IKE] <branch-ams|<n>> restarting CHILD_SA branch-ams");
    assert_eq!(g.example_line, 4);
    assert_eq!(g.keywords, vec!["ike", "charon", "sa"]); // [IKE], charon, CHILD_SA
}

#[test]
fn check_on_ordinary_logs_finds_no_events_only_talk_about_vpns() {
    let events = read(&["ordinary-syslog.log"]);
    let c = check::coverage(&events);
    assert_eq!(c.events, 0);
    assert_eq!(c.unmatched, c.lines);
    // Every VPN-looking ordinary line mentions a keyword in prose; none is grouped with another.
    assert!(c.gaps.iter().all(|g| g.count == 1 && !g.keywords.is_empty()));
}

#[test]
fn report_finds_the_flaps_and_failovers_of_the_examples() {
    let events = read(&["azure-failover.ndjson", "strongswan-flap.log"]);
    let r = report::analyse(events, ReportOptions::default());
    let bounce = |b: &report::Bounce| {
        (
            b.subject.clone(),
            b.layer,
            r.events[b.down].at_ms.unwrap(),
            b.gap_ms,
            b.from_instance.clone(),
            b.to_instance.clone(),
        )
    };
    let in0 = Some("GatewayTenantWorker_IN_0".to_string());
    let in1 = Some("GatewayTenantWorker_IN_1".to_string());
    // Azure: both peers leave IN_0 at 02:40:12 (maintenance) and come back on IN_1 7.547 s
    // and 7.920 s later.
    assert_eq!(
        r.failovers.iter().map(bounce).collect::<Vec<_>>(),
        vec![
            ("203.0.113.50".into(), Layer::Tunnel, at(2, 40, 12, 4), Some(7_547), in0.clone(), in1.clone()),
            ("198.51.100.77".into(), Layer::Tunnel, at(2, 40, 12, 100), Some(7_920), in0.clone(), in1.clone()),
        ]
    );
    // strongSwan: DPD at 03:02:40, up at 03:03:25 (45 s); DPD at 03:10:02, up at 03:11:52
    // (110 s); the DPD at 03:20:15 is followed by an up only at 03:40:04 (beyond 300 s).
    // Azure: DPD timeout (no instance) at 04:05:29.870, the disconnect on IN_1 0.23 s later
    // names the instance, up on IN_1 at 04:06:12.400: a flap of 42.53 s; down on
    // IN_1 at 05:00:00.250, up on IN_0 at 05:02:30.750: 150.5 s, too late for a failover
    // (60 s), a flap.
    assert_eq!(
        r.flaps.iter().map(bounce).collect::<Vec<_>>(),
        vec![
            ("branch-ams".into(), Layer::Tunnel, at(3, 2, 40, 0), Some(45_000), None, None),
            ("branch-ams".into(), Layer::Tunnel, at(3, 10, 2, 0), Some(110_000), None, None),
            ("203.0.113.50".into(), Layer::Tunnel, at(4, 5, 29, 870), Some(42_530), in1.clone(), in1.clone()),
            ("198.51.100.77".into(), Layer::Tunnel, at(5, 0, 0, 250), Some(150_500), in1.clone(), in0.clone()),
        ]
    );
    // A 200 s failover window turns the last one into a failover; a 30 s flap window keeps
    // only the flaps of at most 30 s (none).
    let events = read(&["azure-failover.ndjson", "strongswan-flap.log"]);
    let r = report::analyse(events, ReportOptions { flap_window_ms: 30_000, failover_window_ms: 200_000 });
    assert_eq!(r.failovers.len(), 3);
    assert!(r.flaps.is_empty());
}

#[test]
fn report_ranks_failure_reasons() {
    let events = read(&["azure-failover.ndjson", "strongswan-flap.log"]);
    let r = report::analyse(events, ReportOptions::default());
    // Failures: peer_dead 3 (strongSwan DPD) + 1 (Azure DPD) = 4; tunnel_down: 4 Azure
    // disconnects; retransmit_timeout: 1 (giving up after 5 retransmits). Ties keep the order
    // of first appearance: the Azure disconnect (02:40:12) comes before the first DPD.
    let ranked: Vec<(&str, u64)> = r.reasons.iter().map(|x| (x.reason.as_str(), x.count)).collect();
    assert_eq!(ranked, vec![("tunnel_down", 4), ("peer_dead", 4), ("retransmit_timeout", 1)]);
    assert!(r.reasons[1].hint.as_deref().unwrap().contains("Dead Peer Detection"));
    assert_eq!(r.reasons[1].examples.len(), 3);
    let subjects: Vec<&str> = r.subjects.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(subjects, vec!["203.0.113.50", "198.51.100.77", "azure (no tunnel or peer named)", "branch-ams"]);
}

#[test]
fn check_command_prints_json_for_machines() {
    let out = Command::new(env!("CARGO_BIN_EXE_vpnlog"))
        .current_dir(repo())
        .args(["check", "--json", "--year", "2026", &example("strongswan-flap.log"), &example("azure-failover.ndjson")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "no progress line when stderr is not a terminal");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["lines"], 28);
    assert_eq!(v["events"], 25);
    assert_eq!(v["by_vendor"]["azure"], 12);
    assert_eq!(v["gaps"][0]["count"], 3);
    assert_eq!(v["gaps"][0]["example"]["line"], 4);
}

#[test]
fn check_and_report_reject_unknown_options() {
    for cmd in ["check", "report"] {
        let out = Command::new(env!("CARGO_BIN_EXE_vpnlog")).args([cmd, "--bogus"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("unknown option `--bogus`"));
    }
}
