//! The classifier as a WebAssembly component (`make component`): the world `vpnlog` of
//! wit/vpnlog.wit, whose Rust types wit-bindgen generates from the WIT file itself, filled from
//! the library's `Filter::classify`. Built for wasm32-unknown-unknown, so the component imports
//! nothing (no WASI, no adapter).

use std::cell::RefCell;
use vpnlog::catalogue::Rule;
use vpnlog::fields::find_field;
use vpnlog::{Filter, Val};

wit_bindgen::generate!({ path: "../../wit", world: "vpnlog" });

use exports::vpnlog::filter::classify::{
    Bgp, Classification, Endpoint, Guest, Kind, Notification, Outcome, Severity, Spi,
};

struct Component;
export!(Component);

thread_local! {
    static FILTER: RefCell<Filter> = RefCell::new(Filter::new());
}

impl Guest for Component {
    fn classify(record: String) -> Option<Classification> {
        FILTER.with_borrow_mut(|f| f.classify(record.as_bytes()).map(|c| convert(&c)))
    }
}

/// The library's classification as the WIT record: the rule's meaning, then the fields it set.
fn convert(c: &vpnlog::Classification) -> Classification {
    let r: &Rule = c.rule;
    let get = |name: &str| find_field(name).map_or(Val::None, |i| c.val(i));
    let s = |name: &str| match get(name) {
        Val::Str(b) | Val::Num(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    };
    let n = |name: &str| match get(name) {
        Val::Num(d) => std::str::from_utf8(d).ok().and_then(|t| t.parse::<u64>().ok()),
        _ => None,
    };
    let b = |name: &str| match get(name) {
        Val::Bool(v) => Some(v),
        _ => None,
    };
    let nonempty = |t: &'static str| (!t.is_empty()).then(|| t.to_string());
    let small = |x: u8| (x != 0).then_some(x);
    let endpoint = |side: &str| {
        let e = Endpoint { ip: s(&format!("{side}.ip")), port: n(&format!("{side}.port")).and_then(|p| p.try_into().ok()) };
        (e.ip.is_some() || e.port.is_some()).then_some(e)
    };
    let spi = Spi { in_: s("spi.in"), out: s("spi.out") };
    let notification = Notification {
        direction: s("bgp.notification.direction"),
        code: n("bgp.notification.code").and_then(|x| x.try_into().ok()),
        subcode: n("bgp.notification.subcode").and_then(|x| x.try_into().ok()),
        text: s("bgp.notification.text"),
    };
    let has_notification = notification.direction.is_some() || notification.code.is_some() || notification.subcode.is_some() || notification.text.is_some();
    let u32_of = |name: &str| n(name).and_then(|x| x.try_into().ok());
    let bgp = Bgp {
        neighbor: s("bgp.neighbor"),
        asn: u32_of("bgp.asn"),
        expected_asn: u32_of("bgp.expected_asn"),
        state_from: s("bgp.state_from"),
        state_to: s("bgp.state_to"),
        notification: has_notification.then_some(notification),
        prefix: s("bgp.prefix"),
        as_path: s("bgp.as_path"),
        next_hop: s("bgp.next_hop"),
        prefixes: u32_of("bgp.prefixes"),
        limit: u32_of("bgp.limit"),
        hold_time: u32_of("bgp.hold_time"),
        router_id: s("bgp.router_id"),
    };
    let bgp_set = c.set & group_mask("bgp.") != 0;
    Classification {
        kind: kind(r.kind),
        event: r.event.to_string(),
        outcome: outcome(r.outcome),
        severity: severity(c.severity),
        phase: small(r.phase),
        ike_version: small(r.ike_version),
        reason: nonempty(r.reason),
        hint: nonempty(r.hint),
        vendor: r.vendor.to_string(),
        rule: r.id.to_string(),
        code: s("code"),
        state: s("state"),
        peer: endpoint("peer"),
        local: endpoint("local"),
        tunnel: s("tunnel"),
        instance: s("instance"),
        session: s("session"),
        user: s("user"),
        serial: n("serial"),
        message_id: s("message_id"),
        retries: u32_of("retries"),
        spi: (spi.in_.is_some() || spi.out.is_some()).then_some(spi),
        nat_t: b("nat_t"),
        dpd_enabled: b("dpd_enabled"),
        weak_crypto: b("crypto.weak"),
        crypto_algorithm: s("crypto.algorithm"),
        bgp: bgp_set.then_some(bgp),
        detail: s("detail"),
    }
}

/// Bits of the fields whose names start with `prefix`.
fn group_mask(prefix: &str) -> u64 {
    vpnlog::fields::FIELDS.iter().enumerate().filter(|(_, f)| f.name.starts_with(prefix)).fold(0, |m, (i, _)| m | 1 << i)
}

fn kind(k: &str) -> Kind {
    match k {
        "ike" => Kind::Ike,
        "dpd" => Kind::Dpd,
        "tunnel" => Kind::Tunnel,
        "bgp" => Kind::Bgp,
        "route" => Kind::Route,
        "health" => Kind::Health,
        _ => Kind::Config,
    }
}

fn outcome(o: &str) -> Outcome {
    match o {
        "success" => Outcome::Success,
        "failure" => Outcome::Failure,
        _ => Outcome::Unknown,
    }
}

fn severity(s: &str) -> Severity {
    match s {
        "critical" => Severity::Critical,
        "warn" => Severity::Warn,
        _ => Severity::Info,
    }
}
