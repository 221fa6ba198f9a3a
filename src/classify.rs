//! Classification: dispatch on anchors, try the candidate rules in catalogue order, and describe
//! the first that matches: its static meaning, its captures, and what the record's structured
//! keys add (AWS phase states and flags, Azure remote IP and instance, resource ids, levels).

use crate::bgp;
use crate::catalogue::{ANCHOR_SLOT_MASK, Const, RULES, Rule};
use crate::dispatch::{self, Candidates};
use crate::fields::{FIELDS, FieldType};
use crate::locate::{NSLOTS, slot};
use crate::template::{self, Caps};

pub const NFIELDS: usize = FIELDS.len();

/// A field value; slices borrow the record or the decoded text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Val<'a> {
    None,
    Str(&'a [u8]),
    /// Decimal digits, no leading zeros.
    Num(&'a [u8]),
    Bool(bool),
}

/// The classification of one record.
pub struct Classification<'a> {
    pub rule: &'static Rule,
    pub vals: [Val<'a>; NFIELDS],
    /// Bit i is set when vals[i] holds a value.
    pub set: u64,
}

impl<'a> Classification<'a> {
    /// The value of a field by dotted name (for tests and tools; linear search).
    pub fn get(&self, name: &str) -> Val<'a> {
        FIELDS.iter().position(|f| f.name == name).map_or(Val::None, |i| self.vals[i])
    }

    fn put(&mut self, i: usize, v: Val<'a>) {
        if let Some(slot) = self.vals.get_mut(i) {
            *slot = v;
            self.set |= 1 << i;
        }
    }

    fn put_if_none(&mut self, i: usize, v: Val<'a>) {
        if self.set >> i & 1 == 0 {
            self.put(i, v);
        }
    }
}

/// Field indices used by the code below (positions in fields::FIELDS; checked by a test).
pub mod f {
    pub const KIND: usize = 0;
    pub const EVENT: usize = 1;
    pub const OUTCOME: usize = 2;
    pub const SEVERITY: usize = 3;
    pub const PHASE: usize = 4;
    pub const IKE_VERSION: usize = 5;
    pub const STATE: usize = 6;
    pub const REASON: usize = 7;
    pub const HINT: usize = 8;
    pub const VENDOR: usize = 9;
    pub const RULE: usize = 10;
    pub const PEER_IP: usize = 11;
    pub const TUNNEL: usize = 15;
    pub const INSTANCE: usize = 16;
    pub const NAT_T: usize = 24;
    pub const DPD_ENABLED: usize = 25;
    pub const BGP_NOTIFICATION_CODE: usize = 34;
    pub const BGP_NOTIFICATION_SUBCODE: usize = 35;
    pub const BGP_NOTIFICATION_TEXT: usize = 36;
    pub const BGP_PREFIX: usize = 37;
    pub const BGP_AS_PATH: usize = 38;
    pub const BGP_NEXT_HOP: usize = 39;
    pub const DETAIL: usize = 44;
}

/// Classifies a record from its slot texts. None: not a VPN event.
#[inline(never)]
pub fn classify<'a>(texts: &[Option<&'a [u8]>; NSLOTS], present: u32, cands: &mut Candidates) -> Option<Classification<'a>> {
    cands.n = 0;
    let mut m = present & ANCHOR_SLOT_MASK;
    while m != 0 {
        let s = m.trailing_zeros() as usize;
        m &= m - 1;
        if let Some(Some(t)) = texts.get(s) {
            dispatch::scan(t, s as u8, cands);
        }
    }
    crate::probe!(40);
    if cands.n == 0 {
        return None;
    }
    let mut caps = Caps::default();
    for &(r, s) in cands.sorted() {
        let Some(rule) = RULES.get(r as usize) else { continue };
        let Some(text) = texts.get(s as usize).copied().flatten() else { continue };
        if !when_ok(rule, texts) {
            continue;
        }
        caps.n = 0;
        let matched = rule.patterns.is_empty() || rule.patterns.iter().any(|p| template::matches(p, text, &mut caps));
        crate::probe!(41);
        if matched {
            let d = describe(rule, text, &caps, texts);
            crate::probe!(42);
            return Some(d);
        }
    }
    None
}

fn when_ok(rule: &Rule, texts: &[Option<&[u8]>; NSLOTS]) -> bool {
    rule.when.iter().all(|&(s, lit)| {
        texts.get(s as usize).copied().flatten().is_some_and(|t| template::find(t, lit, 0).is_some())
    })
}

const DIGITS: [&[u8]; 3] = [b"0", b"1", b"2"];

#[inline(never)]
fn describe<'a>(rule: &'static Rule, text: &'a [u8], caps: &Caps, texts: &[Option<&'a [u8]>; NSLOTS]) -> Classification<'a> {
    let mut c = Classification { rule, vals: [Val::None; NFIELDS], set: 0 };
    let st = |s: &'static str| Val::Str(s.as_bytes());
    c.put(f::KIND, st(rule.kind));
    c.put(f::EVENT, st(rule.event));
    c.put(f::OUTCOME, st(rule.outcome));
    c.put(f::SEVERITY, st(severity_from_level(rule, texts).unwrap_or(rule.severity)));
    if rule.phase > 0 {
        c.put(f::PHASE, Val::Num(DIGITS[rule.phase as usize % 3]));
    }
    if rule.ike_version > 0 {
        c.put(f::IKE_VERSION, Val::Num(DIGITS[rule.ike_version as usize % 3]));
    }
    if !rule.reason.is_empty() {
        c.put(f::REASON, st(rule.reason));
    }
    if !rule.hint.is_empty() {
        c.put(f::HINT, st(rule.hint));
    }
    c.put(f::VENDOR, st(rule.vendor));
    c.put(f::RULE, st(rule.id));
    for &(fi, k) in rule.set {
        let v = match k {
            Const::Str(s) => Val::Str(s),
            Const::Num(n) => Val::Num(n),
            Const::Bool(b) => Val::Bool(b),
        };
        c.put(fi as usize, v);
    }
    for &(fi, s, e) in &caps.items[..caps.n] {
        let Some(val) = text.get(s as usize..e as usize) else { continue };
        let Some(field) = FIELDS.get(fi as usize) else { continue };
        c.put(fi as usize, if field.ty == FieldType::Num { Val::Num(strip_zeros(val)) } else { Val::Str(val) });
    }
    enrich(rule, &mut c, texts);
    if c.vals[f::BGP_NOTIFICATION_TEXT] == Val::None {
        if let Val::Num(code) = c.vals[f::BGP_NOTIFICATION_CODE] {
            let sub = match c.vals[f::BGP_NOTIFICATION_SUBCODE] {
                Val::Num(s) => Some(small_num(s)),
                _ => None,
            };
            if let Some(t) = bgp::notification_text(small_num(code), sub) {
                c.put(f::BGP_NOTIFICATION_TEXT, st(t));
            }
        }
    }
    c
}

fn strip_zeros(d: &[u8]) -> &[u8] {
    let z = d.iter().take_while(|&&c| c == b'0').count();
    if z == d.len() { d.get(d.len().saturating_sub(1)..).unwrap_or(b"0") } else { &d[z..] }
}

fn small_num(d: &[u8]) -> u32 {
    if d.len() > 9 {
        return u32::MAX;
    }
    d.iter().fold(0u32, |a, &c| a * 10 + (c.wrapping_sub(b'0') as u32 % 10))
}

fn eq_ic(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

/// AWS phase states, BGP status and other states, normalised to the documented vocabulary.
fn norm_state(s: &[u8]) -> Option<&'static str> {
    ["established", "rekeying", "negotiating", "down", "up"].into_iter().find(|w| eq_ic(s, w))
}

/// Adds what the record's structured keys say (documented in docs/SCHEMA.md).
#[inline(never)]
fn enrich<'a>(rule: &Rule, c: &mut Classification<'a>, t: &[Option<&'a [u8]>; NSLOTS]) {
    let get = |s: u8| t.get(s as usize).copied().flatten().filter(|x| !x.is_empty());
    if c.vals[f::STATE] == Val::None {
        let phase_state = if rule.phase == 2 { get(slot::PHASE2_STATE) } else { get(slot::PHASE1_STATE) };
        let bgp_status = get(slot::TYPE).filter(|ty| *ty == b"BGPStatus").and(get(slot::STATUS));
        if let Some(s) = phase_state.or(bgp_status).and_then(norm_state) {
            c.put(f::STATE, Val::Str(s.as_bytes()));
        }
    }
    let flag = |x: &[u8]| eq_ic(x, "true").then_some(Val::Bool(true)).or(eq_ic(x, "false").then_some(Val::Bool(false)));
    if let Some(b) = get(slot::DPD_ENABLED).and_then(flag) {
        c.put_if_none(f::DPD_ENABLED, b);
    }
    if let Some(b) = get(slot::NAT_T_DETECTED).and_then(flag) {
        c.put_if_none(f::NAT_T, b);
    }
    if let Some(r) = get(slot::RESOURCE) {
        // Alibaba: acs:vpn:region:account:vpnconnection/vco-...; AWS: vpn-..._outside-ip.
        let marker = b"vpnconnection/";
        if let Some(at) = template::find(r, marker, 0) {
            c.put_if_none(f::TUNNEL, Val::Str(&r[at + marker.len()..]));
        } else if r.starts_with(b"vpn-") {
            c.put_if_none(f::TUNNEL, Val::Str(r));
        }
    }
    let copies = [
        (slot::REMOTE_IP, f::PEER_IP),
        (slot::INSTANCE, f::INSTANCE),
        (slot::PREFIX, f::BGP_PREFIX),
        (slot::AS_PATH, f::BGP_AS_PATH),
        (slot::NEXT_HOP, f::BGP_NEXT_HOP),
        (slot::CHANGE_REASON, f::DETAIL),
    ];
    for (s, fi) in copies {
        if let Some(x) = get(s) {
            c.put_if_none(fi, Val::Str(x));
        }
    }
}

/// Alibaba events state their level (INFO, WARN, CRITICAL); it overrides the rule's severity.
fn severity_from_level(rule: &Rule, t: &[Option<&[u8]>; NSLOTS]) -> Option<&'static str> {
    if rule.vendor != "alibaba" {
        return None;
    }
    match t.get(slot::LEVEL as usize).copied().flatten()? {
        b"INFO" => Some("info"),
        b"WARN" => Some("warn"),
        b"CRITICAL" => Some("critical"),
        _ => None,
    }
}
