//! Backend projections (docs/PROJECTIONS.md): the classification written as Elastic Common
//! Schema fields (`vpnlog_filter_ecs`), an OCSF 1.2 event (`vpnlog_filter_ocsf`) or flat dotted
//! keys (`vpnlog_filter_flat`) instead of the native `vpn` object. Rendered at run time from the
//! classification and the rule's static texts (catalogue HEADS, TAILS, AFTERS, HINTS and the
//! per-text tables HEAD_CLASS and AFTER_VENDOR), so the module holds no per-projection copy of
//! any rule.
//!
//! Like the native object, the members are appended after the record's own, which stay byte
//! for byte. A member whose key the record already has at its root (or a dotted root key under
//! it, `source.ip` for `source`) is not written: the record's value stays, and the fields it
//! would have carried stay in the namespace object (`vpn`, or `vpnlog` when the record has a
//! `vpn` of its own) under their native names.

use crate::catalogue::{AFTER_VENDOR, HEAD_CLASS, KIND_NAMES, OUTCOME_NAMES, VENDOR_NAMES};
use crate::classify::{Classification, NFIELDS, Val};
use crate::fields::{CORE_FIELDS, FIELDS, find_field};
use crate::json::{Padded, Root};
use crate::write;

/// The shape the classification is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Projection {
    Ecs,
    Ocsf,
    Flat,
}

/// The record's timestamp as the host passes it (OCSF `time`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Time {
    pub sec: u32,
    pub nsec: u32,
}

const fn field(name: &str) -> usize {
    match find_field(name) {
        Some(i) => i,
        None => panic!("no such output field"),
    }
}
const KIND: usize = field("kind");
const EVENT: usize = field("event");
const OUTCOME: usize = field("outcome");
const SEVERITY: usize = field("severity");
const PHASE: usize = field("phase");
const IKE_VERSION: usize = field("ike_version");
const REASON: usize = field("reason");
const HINT: usize = field("hint");
const VENDOR: usize = field("vendor");
const RULE: usize = field("rule");
const PEER_IP: usize = field("peer.ip");
const PEER_PORT: usize = field("peer.port");
const LOCAL_IP: usize = field("local.ip");
const LOCAL_PORT: usize = field("local.port");
const TUNNEL: usize = field("tunnel");
const SESSION: usize = field("session");
const USER: usize = field("user");
const CODE: usize = field("code");
const BGP_NEIGHBOR: usize = field("bgp.neighbor");
const BGP_NEXT_HOP: usize = field("bgp.next_hop");

const fn bit(i: usize) -> u64 {
    1 << i
}

/// A field's value: a classification value, or a string body that is JSON-escaped already.
#[derive(Clone, Copy)]
enum V<'a> {
    None,
    Val(Val<'a>),
    Escaped(&'a [u8]),
    /// A rule id: vendor, a dot, and the rest.
    Id(&'a [u8], &'a [u8]),
}

/// Every field of the native object, core fields included, by FIELDS index.
struct Fields<'a> {
    v: [V<'a>; NFIELDS],
    set: u64,
    /// build.rs Projections::class of the rule's event.
    class: u8,
    /// Index in VENDOR_NAMES.
    vendor: usize,
}

const DIGITS: [&[u8]; 3] = [b"0", b"1", b"2"];

impl<'a> Fields<'a> {
    #[inline(never)]
    fn of(c: &Classification<'a>) -> Self {
        let r = c.rule;
        let mut f = Fields {
            v: [V::None; NFIELDS],
            set: 0,
            class: HEAD_CLASS.get(r.head as usize).copied().unwrap_or(0),
            vendor: AFTER_VENDOR.get(r.after as usize).copied().unwrap_or(0) as usize,
        };
        // The head is `"kind":"<kind>","event":"<event>",...`; kind and outcome are known from
        // the class, the event is read at its offset.
        let kind = KIND_NAMES.get((f.class >> 3 & 7) as usize).copied().unwrap_or_default();
        f.put(KIND, str_val(kind));
        let event_at = b"\"kind\":\"".len() + kind.len() + b"\",\"event\":\"".len();
        f.put(EVENT, str_val(until_quote(r.head().get(event_at..).unwrap_or_default())));
        f.put(OUTCOME, str_val(OUTCOME_NAMES.get((f.class >> 6) as usize).copied().unwrap_or_default()));
        f.put(SEVERITY, str_val(c.severity.as_bytes()));
        if let Some(&d) = DIGITS.get(r.phase as usize).filter(|_| r.phase > 0) {
            f.put(PHASE, V::Val(Val::Num(d)));
        }
        // The tail is `"` then `,"phase":N`, `,"ike_version":N`, `,"reason":"<reason>"`, each
        // when the rule has it, then `,"hint":"` when it has a hint.
        let mut tail = r.tail().get(1..).unwrap_or_default();
        if r.phase > 0 {
            tail = tail.get(b",\"phase\":1".len()..).unwrap_or_default();
        }
        if let Some(rest) = tail.strip_prefix(b",\"ike_version\":") {
            if let Some(d) = rest.get(..1) {
                f.put(IKE_VERSION, V::Val(Val::Num(d)));
            }
            tail = rest.get(1..).unwrap_or_default();
        }
        if let Some(rest) = tail.strip_prefix(b",\"reason\":\"") {
            f.put(REASON, str_val(until_quote(rest)));
        }
        if !r.hint_json().is_empty() {
            f.put(HINT, V::Escaped(r.hint_json()));
        }
        let vendor = VENDOR_NAMES.get(f.vendor).map_or(&[][..], |v| v.0);
        f.put(VENDOR, str_val(vendor));
        f.put(RULE, V::Id(vendor, r.id_tail().as_bytes()));
        let mut m = c.set >> CORE_FIELDS << CORE_FIELDS;
        while m != 0 {
            let i = m.trailing_zeros() as usize;
            m &= m - 1;
            f.put(i, V::Val(c.set_val(i)));
        }
        f
    }

    fn put(&mut self, i: usize, v: V<'a>) {
        if let Some(slot) = self.v.get_mut(i) {
            *slot = v;
            self.set |= bit(i);
        }
    }

    fn has(&self, i: usize) -> bool {
        self.set & bit(i) != 0
    }

    /// Field `i` holds an IP address (not a name such as BIRD's neighbour `transit2`).
    fn address(&self, i: usize) -> bool {
        matches!(self.get(i), V::Val(Val::Str(x)) if crate::template::is_ip(x))
    }

    fn get(&self, i: usize) -> V<'a> {
        self.v.get(i).copied().unwrap_or(V::None)
    }

    fn activity(&self) -> u8 {
        self.class & 3
    }
    fn authentication(&self) -> bool {
        self.class & 4 != 0
    }
    /// Index in build.rs KINDS: ike, dpd, tunnel, bgp, route, health, config.
    fn kind(&self) -> u8 {
        self.class >> 3 & 7
    }
    /// Index in build.rs OUTCOMES: success, failure, unknown.
    fn outcome(&self) -> u8 {
        self.class >> 6
    }
    fn bgp(&self) -> bool {
        matches!(self.kind(), 3 | 4)
    }
    fn vendor_is(&self, slug: &[u8]) -> bool {
        matches!(self.get(VENDOR), V::Val(Val::Str(s)) if s == slug)
    }
}

const OPEN: u8 = 1;
const CLOSE: u8 = 2;
const RENEW: u8 = 3;
const SUCCESS: u8 = 0;
const FAILURE: u8 = 1;

fn str_val(s: &[u8]) -> V<'_> {
    V::Val(Val::Str(s))
}

#[inline(never)]
fn until_quote(s: &[u8]) -> &[u8] {
    let end = s.iter().position(|&c| c == b'"').unwrap_or(s.len());
    s.get(..end).unwrap_or_default()
}

/// Bit i is set when the record's root object has the key `names[i]`, or a key starting with
/// `names[i]` and a dot. Keys are compared as written (escapes are not decoded). The record was
/// validated by the scanner; anything unexpected ends the walk.
#[inline(never)]
fn root_keys(b: Padded, names: &[&[u8]]) -> u32 {
    let mut found = 0u32;
    let Some(open) = b.iter().position(|&c| c == b'{') else { return 0 };
    let mut i = open + 1;
    loop {
        i = skip_ws(&b, i);
        if b.get(i) != Some(&b'"') {
            return found;
        }
        let Some((end, _)) = b.string_end(i + 1) else { return found };
        let key = b.get(i + 1..end).unwrap_or_default();
        for (k, name) in names.iter().enumerate() {
            if key.first() == name.first() && key.starts_with(name) && (key.len() == name.len() || key.get(name.len()) == Some(&b'.')) {
                found |= 1 << k;
            }
        }
        i = skip_ws(&b, end + 1);
        if b.get(i) != Some(&b':') {
            return found;
        }
        i = skip_ws(&b, i + 1);
        let Some(next) = skip_value(b, i) else { return found };
        i = skip_ws(&b, next);
        if b.get(i) != Some(&b',') {
            return found;
        }
        i += 1;
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The index after the value at `i` (a valid JSON value); nesting is counted, not recursed.
#[inline(never)]
fn skip_value(b: Padded, mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match *b.get(i)? {
            b'"' => i = b.string_end(i + 1)?.0 + 1,
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                i += 1;
            }
            b',' | b' ' | b'\t' | b'\n' | b'\r' | b':' if depth > 0 => i += 1,
            b',' | b' ' | b'\t' | b'\n' | b'\r' => return Some(i),
            _ => i += 1,
        }
        if depth == 0 && matches!(b.get(i.wrapping_sub(1)), Some(b'"' | b'}' | b']')) {
            return Some(i);
        }
    }
}

/// Appends the projection's members for `c` (each preceded by a comma unless it is the first
/// member of an empty root). `key` is the namespace (`vpn` or `vpnlog`).
#[inline(never)]
pub fn append(out: &mut Vec<u8>, record: Padded, root: Root, key: &[u8], c: &Classification, p: Projection, time: Time) {
    let f = Fields::of(c);
    let mut w = Members { out, first: root.empty };
    match p {
        Projection::Ecs => ecs(&mut w, record, key, &f),
        Projection::Ocsf => ocsf(&mut w, record, key, &f, time),
        Projection::Flat => flat(&mut w, record, key, &f),
    }
}

/// Root members being appended.
struct Members<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl Members<'_> {
    /// Starts a member: `,"key":`.
    #[inline(never)]
    fn key(&mut self, k: &[u8]) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(k);
        self.out.extend_from_slice(b"\":");
    }
    #[inline(never)]
    fn s(&mut self, text: &[u8]) {
        self.out.extend_from_slice(text);
    }
}

#[inline(never)]
fn value(out: &mut Vec<u8>, v: V) {
    match v {
        V::Val(x) => write::value(out, x),
        V::Escaped(s) => {
            out.push(b'"');
            out.extend_from_slice(s);
            out.push(b'"');
        }
        V::Id(vendor, rest) => {
            out.push(b'"');
            out.extend_from_slice(vendor);
            out.push(b'.');
            out.extend_from_slice(rest);
            out.push(b'"');
        }
        V::None => out.extend_from_slice(b"null"),
    }
}

/// Writes `"name":value` for field `i` when it is set, after a comma unless `first`; returns
/// whether it wrote.
#[inline(never)]
fn opt(out: &mut Vec<u8>, f: &Fields, i: usize, name: &[u8], first: bool) -> bool {
    if !f.has(i) {
        return false;
    }
    if !first {
        out.push(b',');
    }
    out.extend_from_slice(name);
    value(out, f.get(i));
    true
}

/// `n` in decimal.
#[inline(never)]
pub(crate) fn number(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(i..).unwrap_or_default());
}

/// The fields of `mask` as one nested object, in native order and shape. KIND must be in the
/// mask (the first member, so that the groups after it follow a comma).
#[inline(never)]
fn nested(out: &mut Vec<u8>, f: &Fields, mask: u64) {
    out.push(b'{');
    let mut group = 0u8;
    let mut first = true;
    let mut m = mask & f.set | bit(KIND);
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        let Some(field) = FIELDS.get(i) else { break };
        if field.group == group {
            if !first {
                out.push(b',');
            }
        } else {
            write::enter(out, group, field.group);
            group = field.group;
        }
        first = false;
        out.extend_from_slice(field.leaf.as_bytes());
        value(out, f.get(i));
    }
    let mut g = group;
    while g != 0 {
        out.push(b'}');
        g = write::parent(g);
    }
    out.push(b'}');
}

/// The remote side: the peer, or for BGP without a peer the neighbour when it is an address
/// (BIRD names neighbours by protocol name) (field indices).
#[inline(never)]
fn remote(f: &Fields) -> Option<usize> {
    if f.has(PEER_IP) {
        Some(PEER_IP)
    } else if f.bgp() && f.address(BGP_NEIGHBOR) {
        Some(BGP_NEIGHBOR)
    } else {
        None
    }
}

/// `{"ip":..,"port":..}` of an endpoint; returns the fields it used.
#[inline(never)]
fn endpoint(out: &mut Vec<u8>, f: &Fields, ip: Option<usize>, port: usize) -> u64 {
    out.push(b'{');
    let mut used = 0;
    if let Some(ip) = ip {
        opt(out, f, ip, b"\"ip\":", true);
        used |= bit(ip);
    }
    if opt(out, f, port, b"\"port\":", used == 0) {
        used |= bit(port);
    }
    out.push(b'}');
    used
}

// ---- ECS -------------------------------------------------------------------------------------

const ECS_EVENT: u32 = 1;
const ECS_OBSERVER: u32 = 2;
const ECS_SOURCE: u32 = 4;
const ECS_DESTINATION: u32 = 8;
const ECS_USER: u32 = 16;
const ECS_NETWORK: u32 = 32;
const ECS_RELATED: u32 = 64;
const ECS_KEYS: [&[u8]; 7] = [b"event", b"observer", b"source", b"destination", b"user", b"network", b"related"];

/// ECS `network.protocol`.
#[inline(never)]
fn protocol(f: &Fields) -> Option<&'static [u8]> {
    if f.bgp() {
        Some(b"bgp")
    } else if f.vendor_is(b"openvpn") {
        Some(b"openvpn")
    } else if f.vendor_is(b"wireguard") {
        Some(b"wireguard")
    } else {
        match f.kind() {
            0 | 1 => Some(b"ike"),
            2 => Some(b"ipsec"),
            _ => None,
        }
    }
}

#[inline(never)]
fn ecs(w: &mut Members, record: Padded, key: &[u8], f: &Fields) {
    let taken = root_keys(record, &ECS_KEYS);
    let mut rest = f.set;
    if taken & ECS_EVENT == 0 {
        w.key(b"event");
        w.s(b"{\"kind\":\"event\",\"category\":[\"network\"");
        if f.authentication() || f.has(USER) {
            w.s(b",\"authentication\"");
        }
        w.s(b"],\"type\":[");
        w.s(match (f.activity(), f.outcome()) {
            (OPEN, SUCCESS) => b"\"connection\",\"start\"",
            (OPEN, FAILURE) if f.authentication() => b"\"connection\",\"denied\"",
            (OPEN, FAILURE) => b"\"connection\",\"error\"",
            (OPEN, _) => b"\"connection\"",
            (CLOSE, _) => b"\"connection\",\"end\"",
            (RENEW, _) => b"\"connection\",\"info\"",
            (_, FAILURE) => b"\"error\"",
            _ => b"\"info\"",
        });
        w.s(b"]");
        opt(w.out, f, EVENT, b"\"action\":", false);
        opt(w.out, f, OUTCOME, b"\"outcome\":", false);
        opt(w.out, f, REASON, b"\"reason\":", false);
        opt(w.out, f, CODE, b"\"code\":", false);
        w.s(b"}");
        rest &= !(bit(EVENT) | bit(OUTCOME) | bit(REASON) | bit(CODE));
    }
    if taken & ECS_OBSERVER == 0 {
        if let Some(&(_, name, product)) = VENDOR_NAMES.get(f.vendor) {
            w.key(b"observer");
            w.s(b"{\"vendor\":\"");
            w.s(name);
            w.s(b"\",\"product\":\"");
            w.s(product);
            w.s(b"\"}");
            rest &= !bit(VENDOR);
        }
    }
    let src = remote(f);
    if taken & ECS_SOURCE == 0 && (src.is_some() || f.has(PEER_PORT)) {
        w.key(b"source");
        rest &= !endpoint(w.out, f, src, PEER_PORT);
    }
    if taken & ECS_DESTINATION == 0 && (f.has(LOCAL_IP) || f.has(LOCAL_PORT)) {
        w.key(b"destination");
        rest &= !endpoint(w.out, f, f.has(LOCAL_IP).then_some(LOCAL_IP), LOCAL_PORT);
    }
    if taken & ECS_USER == 0 && f.has(USER) {
        w.key(b"user");
        opt(w.out, f, USER, b"{\"name\":", true);
        w.s(b"}");
        rest &= !bit(USER);
    }
    if taken & ECS_NETWORK == 0 {
        if let Some(p) = protocol(f) {
            w.key(b"network");
            w.s(b"{\"protocol\":\"");
            w.s(p);
            w.s(b"\"}");
        }
    }
    let ips = [PEER_IP, LOCAL_IP, BGP_NEIGHBOR, BGP_NEXT_HOP];
    if taken & ECS_RELATED == 0 && ips.iter().any(|&i| f.address(i)) {
        w.key(b"related");
        w.s(b"{\"ip\":[");
        let mut first = true;
        for (k, &i) in ips.iter().enumerate() {
            let V::Val(Val::Str(ip)) = f.get(i) else { continue };
            let seen = ips.get(..k).unwrap_or_default().iter().any(|&j| matches!(f.get(j), V::Val(Val::Str(x)) if x == ip));
            if f.address(i) && !seen {
                if !first {
                    w.s(b",");
                }
                first = false;
                value(w.out, f.get(i));
            }
        }
        w.s(b"]}");
    }
    w.key(key);
    nested(w.out, f, rest);
}

// ---- OCSF ------------------------------------------------------------------------------------

const OCSF_KEYS: [&[u8]; 17] = [
    b"class_uid",
    b"category_uid",
    b"activity_id",
    b"type_uid",
    b"time",
    b"severity_id",
    b"status_id",
    b"status_detail",
    b"src_endpoint",
    b"dst_endpoint",
    b"session",
    b"tunnel_interface",
    b"protocol_name",
    b"app_protocol_name",
    b"user",
    b"metadata",
    b"unmapped",
];

/// The OCSF version written in metadata.version.
const OCSF_VERSION: &[u8] = b"1.2.0";

#[inline(never)]
fn ocsf(w: &mut Members, record: Padded, key: &[u8], f: &Fields, time: Time) {
    let taken = root_keys(record, &OCSF_KEYS);
    let free = |k: usize| taken & (1 << k) == 0;
    let mut rest = f.set & !(bit(OUTCOME) | bit(VENDOR));
    let bgp = f.bgp();
    let class: u64 = if bgp { 4001 } else { 4014 };
    let activity: u64 = match (f.activity(), f.outcome(), bgp) {
        (OPEN, FAILURE, true) => 4,
        (OPEN, _, _) => 1,
        (CLOSE, _, _) => 2,
        (RENEW, _, _) => 3,
        _ => 99,
    };
    let severity: &[u8] = match c_severity(f) {
        b'i' => b"1",
        b'w' => b"3",
        b'c' => b"5",
        _ => b"0",
    };
    let status: &[u8] = match f.outcome() {
        SUCCESS => b"1",
        FAILURE => b"2",
        _ => b"0",
    };
    let numbers: [(usize, u64); 4] = [(0, class), (1, 4), (2, activity), (3, class * 100 + activity)];
    for (k, n) in numbers {
        if free(k) {
            w.key(OCSF_KEYS[k]);
            number(w.out, n);
        }
    }
    if free(4) {
        w.key(b"time");
        number(w.out, time.sec as u64 * 1000 + time.nsec as u64 / 1_000_000);
    }
    for (k, text) in [(5, severity), (6, status)] {
        if free(k) {
            w.key(OCSF_KEYS[k]);
            w.s(text);
        }
    }
    if free(7) && f.has(REASON) {
        w.key(b"status_detail");
        value(w.out, f.get(REASON));
        rest &= !bit(REASON);
    }
    let src = remote(f);
    if free(8) && (src.is_some() || f.has(PEER_PORT)) {
        w.key(b"src_endpoint");
        rest &= !endpoint(w.out, f, src, PEER_PORT);
    }
    if free(9) && (f.has(LOCAL_IP) || f.has(LOCAL_PORT)) {
        w.key(b"dst_endpoint");
        rest &= !endpoint(w.out, f, f.has(LOCAL_IP).then_some(LOCAL_IP), LOCAL_PORT);
    }
    if !bgp {
        if free(10) {
            w.key(b"session");
            w.s(b"{");
            if opt(w.out, f, SESSION, b"\"uid\":", true) {
                w.s(b",");
                rest &= !bit(SESSION);
            }
            w.s(b"\"is_vpn\":true}");
        }
        if free(11) && f.has(TUNNEL) {
            w.key(b"tunnel_interface");
            opt(w.out, f, TUNNEL, b"{\"name\":", true);
            w.s(b",\"type_id\":4,\"type\":\"Tunnel\"}");
            rest &= !bit(TUNNEL);
        }
        if free(12) {
            w.key(b"protocol_name");
            w.s(if f.vendor_is(b"openvpn") {
                b"\"OpenVPN\""
            } else if f.vendor_is(b"wireguard") {
                b"\"WireGuard\""
            } else {
                b"\"IPSec\""
            });
        }
    } else if free(13) {
        w.key(b"app_protocol_name");
        w.s(b"\"bgp\"");
    }
    if free(14) && f.has(USER) {
        w.key(b"user");
        opt(w.out, f, USER, b"{\"name\":", true);
        w.s(b"}");
        rest &= !bit(USER);
    }
    if free(15) {
        if let Some(&(_, name, product)) = VENDOR_NAMES.get(f.vendor) {
            w.key(b"metadata");
            w.s(b"{\"product\":{\"vendor_name\":\"");
            w.s(name);
            w.s(b"\",\"name\":\"");
            w.s(product);
            w.s(b"\"},\"version\":\"");
            w.s(OCSF_VERSION);
            w.s(b"\"");
            if opt(w.out, f, CODE, b"\"event_code\":", false) {
                rest &= !bit(CODE);
            }
            w.s(b"}");
        }
    }
    if free(16) {
        w.key(b"unmapped");
        w.s(b"{\"");
        w.s(key);
        w.s(b"\":");
        nested(w.out, f, rest);
        w.s(b"}");
    }
}

/// The first letter of the severity (info, warn, critical).
fn c_severity(f: &Fields) -> u8 {
    match f.get(SEVERITY) {
        V::Val(Val::Str(s)) => s.first().copied().unwrap_or(0),
        _ => 0,
    }
}

// ---- flat ------------------------------------------------------------------------------------

/// `"vpn.kind":"ike","vpn.peer.ip":"..."`: every field of the native object under its dotted
/// name. A record that already has a root key `vpn.<anything>` is taken as flattened already
/// and gets nothing.
#[inline(never)]
fn flat(w: &mut Members, record: Padded, key: &[u8], f: &Fields) {
    if root_keys(record, &[key]) != 0 {
        return;
    }
    let mut m = f.set;
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        let Some(field) = FIELDS.get(i) else { break };
        if !w.first {
            w.out.push(b',');
        }
        w.first = false;
        w.out.push(b'"');
        w.out.extend_from_slice(key);
        w.out.push(b'.');
        w.out.extend_from_slice(field.name.as_bytes());
        w.out.extend_from_slice(b"\":");
        value(w.out, f.get(i));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::RULES;

    #[test]
    fn the_core_fields_read_back_from_the_static_texts_are_each_rules_own() {
        let s = |x: &str| if x.is_empty() { None } else { Some(x.as_bytes().to_vec()) };
        for r in RULES.iter() {
            let c = Classification::new(r, r.severity());
            let f = Fields::of(&c);
            let text = |i: usize| match f.get(i) {
                V::Val(Val::Str(x)) | V::Val(Val::Num(x)) | V::Escaped(x) => Some(x.to_vec()),
                V::Id(v, t) => Some([v, b".", t].concat()),
                _ => None,
            };
            assert_eq!(text(KIND), s(r.kind), "{}", r.id);
            assert_eq!(text(EVENT), s(r.event), "{}", r.id);
            assert_eq!(text(OUTCOME), s(r.outcome), "{}", r.id);
            assert_eq!(text(SEVERITY), s(r.severity()), "{}", r.id);
            assert_eq!(text(PHASE), (r.phase > 0).then(|| r.phase.to_string().into_bytes()), "{}", r.id);
            assert_eq!(text(IKE_VERSION), (r.ike_version > 0).then(|| r.ike_version.to_string().into_bytes()), "{}", r.id);
            assert_eq!(text(REASON), s(r.reason), "{}", r.id);
            assert_eq!(text(HINT).is_some(), !r.hint.is_empty(), "{}", r.id);
            assert_eq!(text(VENDOR), s(r.vendor), "{}", r.id);
            assert_eq!(text(RULE), s(r.id), "{}", r.id);
        }
    }

    #[test]
    fn root_keys_sees_only_the_root() {
        let names: [&[u8]; 3] = [b"event", b"source", b"user"];
        let keys = |r: &[u8]| root_keys(Padded::of(&mut r.to_vec()), &names);
        assert_eq!(keys(br#"{"a":{"event":1},"b":["source"],"source.ip":"x"}"#), 2);
        assert_eq!(keys(br#"{"events":1,"user":{"n":[1,{"x":"}"}]},"event":null}"#), 5);
        assert_eq!(keys(br#" { "user" : "a\"b" , "event" : 12.5e3 } "#), 5);
        assert_eq!(keys(br#"{}"#), 0);
    }
}
