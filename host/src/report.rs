//! `vpnlog report`: what the classified events of a log say about its tunnels. Owns the
//! analysis (the HTML page is drawn by [`crate::report_html`]):
//!
//! - **Time of an event.** The record's own time: a JSON time key (`time`, `timestamp`,
//!   `TimeGenerated`, `@timestamp`, `event_timestamp`, `eventTime`, `date`, `ts`, also under
//!   `data`), else the timestamp the message starts with (BSD syslog, RFC 5424, ISO 8601).
//!   A line without one takes the time of the closest earlier line of the same file that has
//!   one (or, at the top of a file, of the first later one). Events are ordered by time, then
//!   by input order; when no line has a time, input order is the time axis.
//! - **Subjects.** Each event belongs to a tunnel or peer: its `tunnel`, else its peer address
//!   (mapped to the tunnel that address belongs to when exactly one tunnel has it), else its
//!   BGP neighbour.
//! - **Up and down.** Two layers per subject. Tunnel: up on `tunnel_up` and
//!   `child_sa_established`, down on `tunnel_down`, `all_tunnels_failed` and `dpd_timeout`.
//!   BGP: up on `bgp_session_up` or a state change to `Established`, down on
//!   `bgp_session_down`, `bgp_hold_timer_expired` or a state change from `Established`.
//!   Repeats of the current state change nothing.
//! - **Failover.** On the tunnel layer, a down on one gateway instance followed by an up on
//!   another instance within the failover window (default 60 s): Azure's sign that the gateway
//!   moved to its standby instance, usually for maintenance. The instance of the down is the
//!   first one the down events of that outage name (an IKE log line carries none).
//! - **Flap.** Any other down followed by an up within the flap window (default 300 s). When
//!   either event has no time, the pair is listed with its window unchecked.

use std::collections::{BTreeMap, BTreeSet};

use crate::events::{Classification, Event};

/// Default flap window: a down and the next up at most this far apart.
pub const DEFAULT_FLAP_WINDOW_MS: i64 = 300_000;
/// Default failover window: a down on one instance and an up on another at most this far apart.
pub const DEFAULT_FAILOVER_WINDOW_MS: i64 = 60_000;
/// Example lines kept per failure reason.
pub const EXAMPLES_PER_REASON: usize = 3;

#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    pub flap_window_ms: i64,
    pub failover_window_ms: i64,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            flap_window_ms: DEFAULT_FLAP_WINDOW_MS,
            failover_window_ms: DEFAULT_FAILOVER_WINDOW_MS,
        }
    }
}

/// A row of a subject's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lane {
    Tunnel,
    Phase1,
    Phase2,
    Ike,
    Dpd,
    Bgp,
}

impl Lane {
    pub const ALL: [Lane; 6] = [Lane::Tunnel, Lane::Phase1, Lane::Phase2, Lane::Ike, Lane::Dpd, Lane::Bgp];

    pub fn label(self) -> &'static str {
        match self {
            Lane::Tunnel => "tunnel",
            Lane::Phase1 => "phase 1",
            Lane::Phase2 => "phase 2",
            Lane::Ike => "IKE",
            Lane::Dpd => "DPD",
            Lane::Bgp => "BGP",
        }
    }

    pub fn of(c: &Classification) -> Lane {
        match c.kind.as_str() {
            "ike" if c.phase == Some(1) || c.event.starts_with("ike_sa") => Lane::Phase1,
            "ike" if c.phase == Some(2) || c.event.starts_with("child_sa") => Lane::Phase2,
            "ike" => Lane::Ike,
            "dpd" => Lane::Dpd,
            "bgp" | "route" => Lane::Bgp,
            _ => Lane::Tunnel,
        }
    }
}

/// Which up/down state a transition belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    Tunnel,
    Bgp,
}

impl Layer {
    pub fn label(self) -> &'static str {
        match self {
            Layer::Tunnel => "tunnel",
            Layer::Bgp => "BGP session",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// The state change an event stands for, if any.
pub fn transition(c: &Classification) -> Option<(Layer, Direction)> {
    let established = |s: &Option<String>| s.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("established"));
    match c.event.as_str() {
        "tunnel_up" | "child_sa_established" => Some((Layer::Tunnel, Direction::Up)),
        "tunnel_down" | "all_tunnels_failed" | "dpd_timeout" => Some((Layer::Tunnel, Direction::Down)),
        "bgp_session_up" => Some((Layer::Bgp, Direction::Up)),
        "bgp_session_down" | "bgp_hold_timer_expired" => Some((Layer::Bgp, Direction::Down)),
        "bgp_state_change" if established(&c.bgp_state_to) => Some((Layer::Bgp, Direction::Up)),
        "bgp_state_change" if established(&c.bgp_state_from) => Some((Layer::Bgp, Direction::Down)),
        _ => None,
    }
}

/// An event in report order, with the time it is placed at.
#[derive(Debug, Clone)]
pub struct Placed {
    pub event: Event,
    /// The event's own time, or the one it inherits (see the module comment).
    pub at_ms: Option<i64>,
    /// `at_ms` was inherited from another line.
    pub inherited: bool,
}

/// A down followed by an up: a flap, or a failover when the instance changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounce {
    pub subject: String,
    pub layer: Layer,
    /// Indices into [`Report::events`].
    pub down: usize,
    pub up: usize,
    /// Time between them; `None` when either has no time (window not checked).
    pub gap_ms: Option<i64>,
    /// Gateway instances of the down and the up event.
    pub from_instance: Option<String>,
    pub to_instance: Option<String>,
}

/// One tunnel or peer.
#[derive(Debug, Clone, Default)]
pub struct Subject {
    pub key: String,
    pub peers: BTreeSet<String>,
    pub vendors: BTreeSet<String>,
    pub instances: BTreeSet<String>,
    /// Indices into [`Report::events`], in report order.
    pub events: Vec<usize>,
    pub failures: u64,
}

/// Failures of one reason.
#[derive(Debug, Clone, Default)]
pub struct ReasonSummary {
    /// The `reason` field, or `event:<name>` for failures without one.
    pub reason: String,
    pub count: u64,
    pub hint: Option<String>,
    pub events: BTreeMap<String, u64>,
    pub vendors: BTreeSet<String>,
    pub subjects: BTreeSet<String>,
    /// Indices into [`Report::events`], the first few.
    pub examples: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub options: ReportOptions,
    /// Every input line, in report order (time, then input order).
    pub events: Vec<Placed>,
    /// Lines that were read, classified, and that had a time of their own.
    pub lines: u64,
    pub classified: u64,
    pub timed: u64,
    pub subjects: Vec<Subject>,
    pub reasons: Vec<ReasonSummary>,
    pub flaps: Vec<Bounce>,
    pub failovers: Vec<Bounce>,
    /// First and last time of the classified events.
    pub span_ms: Option<(i64, i64)>,
}

/// Places events in time: own time, else inherited from the same file (see the module comment).
pub fn place(events: Vec<Event>) -> Vec<Placed> {
    let mut placed: Vec<Placed> = Vec::with_capacity(events.len());
    let mut start = 0;
    while start < events.len() {
        let mut end = start;
        while end < events.len() && events[end].source == events[start].source {
            end += 1;
        }
        let first_time = events[start..end].iter().find_map(|e| e.time_ms);
        let mut last = first_time;
        for e in &events[start..end] {
            let own = e.time_ms;
            if own.is_some() {
                last = own;
            }
            placed.push(Placed {
                at_ms: own.or(last),
                inherited: own.is_none() && last.is_some(),
                event: e.clone(),
            });
        }
        start = end;
    }
    placed.sort_by(|a, b| {
        (a.at_ms.unwrap_or(i64::MIN), a.event.seq).cmp(&(b.at_ms.unwrap_or(i64::MIN), b.event.seq))
    });
    placed
}

/// The subject key of each classified event (see the module comment), by index.
fn subject_keys(events: &[Placed]) -> Vec<Option<String>> {
    let mut tunnels_of_peer: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for p in events {
        if let Some(c) = &p.event.vpn {
            if let (Some(peer), Some(tunnel)) = (&c.peer, &c.tunnel) {
                tunnels_of_peer.entry(peer).or_default().insert(tunnel);
            }
        }
    }
    events
        .iter()
        .map(|p| {
            let c = p.event.vpn.as_ref()?;
            if let Some(t) = &c.tunnel {
                return Some(t.clone());
            }
            if let Some(peer) = &c.peer {
                return Some(match tunnels_of_peer.get(peer.as_str()) {
                    Some(ts) if ts.len() == 1 => ts.iter().next().unwrap().to_string(),
                    _ => peer.clone(),
                });
            }
            if let Some(n) = &c.bgp_neighbor {
                return Some(n.clone());
            }
            Some(format!("{} (no tunnel or peer named)", c.vendor))
        })
        .collect()
}

fn failure_key(c: &Classification) -> String {
    c.reason.clone().unwrap_or_else(|| format!("event:{}", c.event))
}

/// Finds flaps and failovers on one subject's transitions.
fn bounces(subject: &str, events: &[Placed], indices: &[usize], opts: &ReportOptions) -> (Vec<Bounce>, Vec<Bounce>) {
    let (mut flaps, mut failovers) = (Vec::new(), Vec::new());
    for layer in [Layer::Tunnel, Layer::Bgp] {
        let mut state: Option<Direction> = None;
        let mut down_at: Option<usize> = None;
        // The instance the tunnel went down on: the first one a down event of the run names.
        let mut down_instance: Option<String> = None;
        for &i in indices {
            let Some(c) = &events[i].event.vpn else { continue };
            let Some((l, dir)) = transition(c) else { continue };
            if l != layer {
                continue;
            }
            if dir == Direction::Down && down_instance.is_none() {
                down_instance = c.instance.clone();
            }
            if state == Some(dir) {
                continue;
            }
            state = Some(dir);
            match dir {
                Direction::Down => {
                    down_at = Some(i);
                    down_instance = c.instance.clone();
                }
                Direction::Up => {
                    let Some(d) = down_at.take() else { continue };
                    let gap_ms = match (events[d].at_ms, events[i].at_ms) {
                        (Some(a), Some(b)) => Some(b - a),
                        _ => None,
                    };
                    let from_instance = down_instance.take();
                    let to_instance = c.instance.clone();
                    let moved = layer == Layer::Tunnel
                        && from_instance.is_some()
                        && to_instance.is_some()
                        && from_instance != to_instance;
                    let b = Bounce {
                        subject: subject.to_string(),
                        layer,
                        down: d,
                        up: i,
                        gap_ms,
                        from_instance,
                        to_instance,
                    };
                    let within = |w: i64| gap_ms.is_none_or(|g| g <= w);
                    if moved && within(opts.failover_window_ms) {
                        failovers.push(b);
                    } else if within(opts.flap_window_ms) {
                        flaps.push(b);
                    }
                }
            }
        }
    }
    (flaps, failovers)
}

/// Analyses the events of a log (in input order, as [`crate::events::read_all`] gives them).
pub fn analyse(events: Vec<Event>, opts: ReportOptions) -> Report {
    let lines = events.len() as u64;
    let timed = events.iter().filter(|e| e.time_ms.is_some()).count() as u64;
    let events = place(events);
    let keys = subject_keys(&events);
    let mut subjects: Vec<Subject> = Vec::new();
    let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut reasons: Vec<ReasonSummary> = Vec::new();
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    let mut classified = 0;
    let mut span: Option<(i64, i64)> = None;
    for (i, p) in events.iter().enumerate() {
        let (Some(c), Some(key)) = (&p.event.vpn, &keys[i]) else { continue };
        classified += 1;
        if let Some(t) = p.at_ms {
            span = Some(span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
        }
        let at = *by_key.entry(key.clone()).or_insert_with(|| {
            subjects.push(Subject {
                key: key.clone(),
                ..Subject::default()
            });
            subjects.len() - 1
        });
        let s = &mut subjects[at];
        s.events.push(i);
        s.vendors.insert(c.vendor.clone());
        s.peers.extend(c.peer.clone());
        s.instances.extend(c.instance.clone());
        if c.outcome == "failure" {
            s.failures += 1;
            let rk = failure_key(c);
            let at = *by_reason.entry(rk.clone()).or_insert_with(|| {
                reasons.push(ReasonSummary {
                    reason: rk.clone(),
                    ..ReasonSummary::default()
                });
                reasons.len() - 1
            });
            let r = &mut reasons[at];
            r.count += 1;
            if r.hint.is_none() {
                r.hint = c.hint.clone();
            }
            *r.events.entry(c.event.clone()).or_default() += 1;
            r.vendors.insert(c.vendor.clone());
            r.subjects.insert(key.clone());
            if r.examples.len() < EXAMPLES_PER_REASON {
                r.examples.push(i);
            }
        }
    }
    // Most failures first; ties keep the order of first appearance (stable sort).
    reasons.sort_by(|a, b| b.count.cmp(&a.count));
    let (mut flaps, mut failovers) = (Vec::new(), Vec::new());
    for s in &subjects {
        let (f, o) = bounces(&s.key, &events, &s.events, &opts);
        flaps.extend(f);
        failovers.extend(o);
    }
    flaps.sort_by_key(|b| b.down);
    failovers.sort_by_key(|b| b.down);
    Report {
        options: opts,
        events,
        lines,
        classified,
        timed,
        subjects,
        reasons,
        flaps,
        failovers,
        span_ms: span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::LineFormat;

    const T0: i64 = 1_771_315_200_000; // 2026-02-17 08:00:00Z

    fn ev(seq: u64, secs: Option<i64>, event: &str, peer: &str, instance: Option<&str>) -> Event {
        let (kind, outcome) = match event {
            "tunnel_up" | "tunnel_down" => ("tunnel", if event == "tunnel_up" { "success" } else { "failure" }),
            "dpd_timeout" => ("dpd", "failure"),
            "bgp_session_up" => ("bgp", "success"),
            "bgp_session_down" => ("bgp", "failure"),
            "auth_failed" => ("ike", "failure"),
            _ => ("ike", "success"),
        };
        Event {
            source: "t.log".into(),
            line: seq + 1,
            seq,
            format: LineFormat::Raw,
            raw: format!("line {seq}"),
            text: format!("line {seq}"),
            time_ms: secs.map(|s| T0 + s * 1000),
            vpn: Some(Classification {
                vendor: "azure".into(),
                kind: kind.into(),
                event: event.into(),
                outcome: outcome.into(),
                rule: format!("azure.{event}"),
                peer: Some(peer.into()),
                instance: instance.map(str::to_string),
                reason: (event == "auth_failed").then(|| "psk_mismatch".to_string()),
                ..Classification::default()
            }),
            dropped: None,
        }
    }

    #[test]
    fn failover_needs_another_instance_within_its_window() {
        let a = Some("GatewayTenantWorker_IN_0");
        let b = Some("GatewayTenantWorker_IN_1");
        let events = vec![
            ev(0, Some(0), "tunnel_up", "192.0.2.1", a),
            ev(1, Some(100), "tunnel_down", "192.0.2.1", a),
            ev(2, Some(107), "tunnel_up", "192.0.2.1", b), // 7 s later on IN_1: failover
            ev(3, Some(500), "tunnel_down", "192.0.2.1", b),
            ev(4, Some(530), "tunnel_up", "192.0.2.1", b), // 30 s, same instance: flap
            ev(5, Some(1000), "tunnel_down", "192.0.2.1", b),
            ev(6, Some(1090), "tunnel_up", "192.0.2.1", a), // 90 s > 60 s: not a failover, a flap
            ev(7, Some(2000), "tunnel_down", "192.0.2.1", a),
            ev(8, Some(2400), "tunnel_up", "192.0.2.1", a), // 400 s > 300 s: neither
        ];
        let r = analyse(events, ReportOptions::default());
        assert_eq!(r.failovers.len(), 1);
        let f = &r.failovers[0];
        assert_eq!((f.down, f.up, f.gap_ms), (1, 2, Some(7_000)));
        assert_eq!(f.from_instance.as_deref(), a);
        assert_eq!(f.to_instance.as_deref(), b);
        let flaps: Vec<(usize, usize, Option<i64>)> = r.flaps.iter().map(|b| (b.down, b.up, b.gap_ms)).collect();
        assert_eq!(flaps, vec![(3, 4, Some(30_000)), (5, 6, Some(90_000))]);
        // A wider failover window makes the 90 s move a failover.
        let wide = ReportOptions { failover_window_ms: 120_000, ..ReportOptions::default() };
        let events: Vec<Event> = r.events.iter().map(|p| p.event.clone()).collect();
        let r = analyse(events, wide);
        assert_eq!(r.failovers.iter().map(|b| b.up).collect::<Vec<_>>(), vec![2, 6]);
        assert_eq!(r.flaps.iter().map(|b| b.up).collect::<Vec<_>>(), vec![4]);
    }

    #[test]
    fn repeated_downs_count_from_the_first_and_layers_are_separate() {
        let events = vec![
            ev(0, Some(0), "tunnel_up", "p", None),
            ev(1, Some(10), "dpd_timeout", "p", None),
            ev(2, Some(11), "tunnel_down", "p", None), // still down: the flap starts at 10
            ev(3, Some(12), "bgp_session_down", "p", None), // BGP has never been up: a down
            ev(4, Some(40), "tunnel_up", "p", None),
            ev(5, Some(41), "child_sa_established", "p", None), // already up: nothing
            ev(6, Some(50), "bgp_session_up", "p", None),
        ];
        let r = analyse(events, ReportOptions::default());
        let flaps: Vec<(Layer, usize, usize, Option<i64>)> =
            r.flaps.iter().map(|b| (b.layer, b.down, b.up, b.gap_ms)).collect();
        assert_eq!(
            flaps,
            vec![(Layer::Tunnel, 1, 4, Some(30_000)), (Layer::Bgp, 3, 6, Some(38_000))]
        );
        assert!(r.failovers.is_empty());
    }

    #[test]
    fn the_down_instance_may_come_from_a_later_line_of_the_same_outage() {
        let a = Some("IN_0");
        let b = Some("IN_1");
        let events = vec![
            ev(0, Some(0), "tunnel_up", "p", a),
            ev(1, Some(10), "dpd_timeout", "p", None), // IKE log: no instance
            ev(2, Some(11), "tunnel_down", "p", a),
            ev(3, Some(20), "tunnel_up", "p", b),
        ];
        let r = analyse(events, ReportOptions::default());
        assert!(r.flaps.is_empty());
        let f = &r.failovers[0];
        assert_eq!((f.down, f.up, f.gap_ms), (1, 3, Some(10_000)));
        assert_eq!((f.from_instance.as_deref(), f.to_instance.as_deref()), (a, b));
    }

    #[test]
    fn untimed_lines_inherit_and_pairs_without_time_skip_the_window() {
        let events = vec![
            ev(0, None, "tunnel_down", "p", None),
            ev(1, None, "tunnel_up", "p", None),
        ];
        let r = analyse(events, ReportOptions::default());
        assert_eq!(r.flaps.len(), 1);
        assert_eq!(r.flaps[0].gap_ms, None);
        // Line 1 has no time: it inherits line 0's; line 2 is placed by its own, earlier, time.
        let events = vec![
            ev(0, Some(100), "tunnel_down", "p", None),
            ev(1, None, "auth_failed", "p", None),
            ev(2, Some(50), "tunnel_up", "p", None),
        ];
        let r = analyse(events, ReportOptions::default());
        let order: Vec<(u64, Option<i64>, bool)> =
            r.events.iter().map(|p| (p.event.seq, p.at_ms.map(|t| (t - T0) / 1000), p.inherited)).collect();
        assert_eq!(order, vec![(2, Some(50), false), (0, Some(100), false), (1, Some(100), true)]);
    }

    #[test]
    fn peers_join_their_tunnel_and_failures_rank_by_count() {
        let mut named = ev(0, Some(0), "tunnel_up", "203.0.113.66", None);
        named.vpn.as_mut().unwrap().tunnel = Some("g2gips4".into());
        let events = vec![
            named,
            ev(1, Some(1), "auth_failed", "203.0.113.66", None), // no tunnel: joins g2gips4
            ev(2, Some(2), "tunnel_down", "198.51.100.9", None),
            ev(3, Some(3), "auth_failed", "198.51.100.9", None),
            ev(4, Some(4), "auth_failed", "198.51.100.9", None),
        ];
        let r = analyse(events, ReportOptions::default());
        let keys: Vec<(&str, usize)> = r.subjects.iter().map(|s| (s.key.as_str(), s.events.len())).collect();
        assert_eq!(keys, vec![("g2gips4", 2), ("198.51.100.9", 3)]);
        let reasons: Vec<(&str, u64)> = r.reasons.iter().map(|x| (x.reason.as_str(), x.count)).collect();
        assert_eq!(reasons, vec![("psk_mismatch", 3), ("event:tunnel_down", 1)]);
        assert_eq!(r.reasons[0].examples, vec![1, 3, 4]);
        assert_eq!(r.reasons[0].subjects.len(), 2);
    }
}
