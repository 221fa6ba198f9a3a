//! Classification: dispatch on anchors, try the candidate rules in catalogue order, and describe
//! the first that matches: its static meaning, its captures, and what the record's structured
//! keys add (AWS phase states and flags, Azure remote IP and instance, resource ids, levels).

use core::mem::MaybeUninit;

use crate::bgp;
use crate::catalogue::{ANCHOR_SLOT_MASK, RULES, Rule};
use crate::dispatch::{self, Candidates};
use crate::fields::{FIELDS, FieldType};
use crate::locate::{NSLOTS, Texts, slot};
use crate::template::{self, Caps};

pub use crate::fields::NFIELDS;

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
    /// The rule's severity, or the level an Alibaba record states.
    pub severity: &'static str,
    /// Values of the fields after the rule's own (index >= CORE_FIELDS), as the writer copies
    /// them: a string's text (unescaped), a number's digits, `true` or `false`; the field's
    /// type (FIELDS) tells which. Only those whose bit is in `set` are written (`val` reads
    /// them). Not initialised otherwise: zeroing every field costs more than the rest of
    /// `describe`.
    vals: [MaybeUninit<&'a [u8]>; NFIELDS],
    /// Bit i is set when vals[i] holds a value.
    pub set: u64,
    /// Its string values need no JSON escaping: they were cut from text that held no escape
    /// (a string body as the record has it, or a rule's own constant), so the writer copies
    /// them without looking (set by the filter, which knows where the text came from).
    pub clean: bool,
    /// At least the total length of the values in `vals` (for the writer's one reservation).
    pub(crate) bytes: usize,
}

impl<'a> Classification<'a> {
    /// A classification by `rule` with no field values yet.
    pub fn new(rule: &'static Rule, severity: &'static str) -> Self {
        Classification { rule, severity, vals: [MaybeUninit::uninit(); NFIELDS], set: 0, clean: false, bytes: 0 }
    }

    /// The text of field `i`, whose bit is in `set` (for loops over `set`).
    #[inline(always)]
    pub(crate) fn text(&self, i: usize) -> &'a [u8] {
        debug_assert!(self.set >> i & 1 == 1);
        match self.vals.get(i) {
            // SAFETY: callers pass a bit of `set`, which `put_text` wrote.
            Some(v) => unsafe { v.assume_init() },
            None => b"",
        }
    }

    /// The value of field `i`, whose bit is in `set` (for loops over `set`).
    #[inline(always)]
    pub(crate) fn set_val(&self, i: usize) -> Val<'a> {
        let t = self.text(i);
        match FIELDS.get(i).map(|f| f.ty) {
            Some(FieldType::Num) => Val::Num(t),
            Some(FieldType::Bool) => Val::Bool(t == b"true"),
            _ => Val::Str(t),
        }
    }

    /// The value of field `i` (an index into FIELDS), or None.
    #[inline(always)]
    pub fn val(&self, i: usize) -> Val<'a> {
        if i < NFIELDS && self.set >> (i & 63) & 1 == 1 { self.set_val(i) } else { Val::None }
    }

    /// The value of a field by dotted name (for tests and tools; linear search).
    #[cfg(not(target_os = "wasi"))]
    pub fn get(&self, name: &str) -> Val<'a> {
        let r = self.rule;
        let st = |s: &'static str| if s.is_empty() { Val::None } else { Val::Str(s.as_bytes()) };
        let num = |n: u8| if n == 0 { Val::None } else { Val::Num(DIGITS[n as usize % 3]) };
        match name {
            "kind" => st(r.kind),
            "event" => st(r.event),
            "outcome" => st(r.outcome),
            "severity" => st(self.severity),
            "phase" => num(r.phase),
            "ike_version" => num(r.ike_version),
            "reason" => st(r.reason),
            "hint" => st(r.hint),
            "vendor" => st(r.vendor),
            "rule" => st(r.id),
            _ => FIELDS.iter().position(|f| f.name == name).map_or(Val::None, |i| self.val(i)),
        }
    }

    /// Sets field `i` to `v`, which must have the field's type (a number may go into a string
    /// field); anything else is dropped, so that the writer never copies text where JSON wants
    /// a number or a literal.
    fn put(&mut self, i: usize, v: Val<'a>) {
        let t: &'a [u8] = match (FIELDS.get(i).map(|f| f.ty), v) {
            (Some(FieldType::Str), Val::Str(s) | Val::Num(s)) => s,
            (Some(FieldType::Num), Val::Num(d)) => if d.is_empty() { b"0" } else { d },
            (Some(FieldType::Bool), Val::Bool(b)) => if b { b"true" } else { b"false" },
            _ => {
                debug_assert!(false, "field {i}: a value of another type");
                return;
            }
        };
        self.put_text(i, t);
    }

    /// Sets field `i` to `t`, a text of the field's type (see `vals`).
    #[inline(always)]
    fn put_text(&mut self, i: usize, t: &'a [u8]) {
        if let Some(slot) = self.vals.get_mut(i) {
            *slot = MaybeUninit::new(t);
            self.set |= 1 << i;
            self.bytes += t.len();
        }
    }

    fn put_if_none(&mut self, i: usize, v: Val<'a>) {
        if self.set >> i & 1 == 0 {
            self.put(i, v);
        }
    }
}

/// Field indices used by the code below, by name from `fields::FIELDS`.
pub mod f {
    const fn field_index(name: &str) -> usize {
        match crate::fields::find_field(name) {
            Some(i) => i,
            None => panic!("no such output field"),
        }
    }
    pub const STATE: usize = field_index("state");
    pub const PEER_IP: usize = field_index("peer.ip");
    pub const TUNNEL: usize = field_index("tunnel");
    pub const INSTANCE: usize = field_index("instance");
    pub const NAT_T: usize = field_index("nat_t");
    pub const DPD_ENABLED: usize = field_index("dpd_enabled");
    pub const BGP_NOTIFICATION_CODE: usize = field_index("bgp.notification.code");
    pub const BGP_NOTIFICATION_SUBCODE: usize = field_index("bgp.notification.subcode");
    pub const BGP_NOTIFICATION_TEXT: usize = field_index("bgp.notification.text");
    pub const BGP_PREFIX: usize = field_index("bgp.prefix");
    pub const BGP_AS_PATH: usize = field_index("bgp.as_path");
    pub const BGP_NEXT_HOP: usize = field_index("bgp.next_hop");
    pub const DETAIL: usize = field_index("detail");
}

/// Classifies a record from its slot texts. None: not a VPN event.
#[inline(never)]
pub fn classify<'a>(texts: &Texts<'a>, cands: &mut Candidates) -> Option<Classification<'a>> {
    cands.n = 0;
    let mut m = texts.present() & ANCHOR_SLOT_MASK;
    while m != 0 {
        let s = m.trailing_zeros() as usize;
        m &= m - 1;
        if let Some(t) = texts.get(s) {
            dispatch::scan(t, s as u8, cands);
        }
    }
    crate::probe!(40);
    if cands.n == 0 {
        return None;
    }
    first_match(texts, cands)
}

/// `classify` for a record whose only slot is the message `text` (a `{"log":"..."}` record,
/// see filter.rs).
#[inline(never)]
pub fn classify_message<'a>(text: &'a [u8], cands: &mut Candidates) -> Option<Classification<'a>> {
    cands.n = 0;
    dispatch::scan(text, slot::MESSAGE, cands);
    crate::probe!(40);
    if cands.n == 0 {
        return None;
    }
    message_match(text, cands)
}

/// `first_match` with the message as the only slot. Out of line: most records have no
/// candidates and do not pay for the slot table.
#[inline(never)]
fn message_match<'a>(text: &'a [u8], cands: &mut Candidates) -> Option<Classification<'a>> {
    first_match(&Texts::message(text), cands)
}

/// The first candidate rule, in catalogue order, whose `when` and pattern match. Out of line: a
/// record without candidates (most records) does not pay for it.
#[inline(never)]
fn first_match<'a>(texts: &Texts<'a>, cands: &mut Candidates) -> Option<Classification<'a>> {
    let mut caps = Caps::default();
    // No item is u32::MAX (a rule index has 16 bits).
    let mut last = u32::MAX;
    for &item in cands.sorted() {
        if item == last {
            continue;
        }
        last = item;
        let (r, s) = dispatch::candidate(item);
        let Some(rule) = RULES.get(r as usize) else { continue };
        let ts = if rule.text == 255 { s } else { rule.text };
        let Some(text) = texts.get(ts as usize) else { continue };
        if !when_ok(rule, texts) {
            continue;
        }
        caps.clear();
        let matchers = rule.matchers();
        let matched = matchers.is_empty() || matchers.iter().any(|p| template::matches(p, text, &mut caps));
        crate::probe!(41);
        if matched {
            let d = describe(rule, &caps, texts);
            crate::probe!(42);
            return Some(d);
        }
    }
    None
}

fn when_ok(rule: &Rule, texts: &Texts) -> bool {
    rule.when().iter().all(|&(s, lit, exact, rare)| {
        texts.get(s as usize).is_some_and(|t| if exact { t == lit } else { template::find_at(t, lit, 0, rare).is_some() })
    })
}

#[cfg(not(target_os = "wasi"))]
const DIGITS: [&[u8]; 3] = [b"0", b"1", b"2"];

/// Bit i: field i is a number.
const NUM_FIELDS: u64 = {
    let (mut m, mut i) = (0u64, 0);
    while i < NFIELDS {
        if matches!(FIELDS[i].ty, FieldType::Num) {
            m |= 1 << i;
        }
        i += 1;
    }
    m
};
const _: () = assert!(NFIELDS <= 64);

#[inline(never)]
fn describe<'a>(rule: &'static Rule, caps: &Caps<'a>, texts: &Texts<'a>) -> Classification<'a> {
    let present = texts.present();
    let severity = if rule.level_severity { level_severity(rule, texts) } else { rule.severity() };
    // The captures' table becomes the classification's; the rule's constants fill the fields
    // no capture set.
    let mut c = Classification { rule, severity, vals: caps.vals, set: caps.set, clean: false, bytes: caps.bytes };
    // build.rs lets only `num` holes capture number fields, and no hole a flag.
    if c.set & NUM_FIELDS != 0 {
        strip_zeros(&mut c);
    }
    for s in rule.set() {
        let fi = s.field as usize;
        if c.set >> (fi & 63) & 1 == 0 {
            c.put_text(fi, s.text());
        }
    }
    if present & ENRICH_SLOTS != 0 {
        enrich(rule, &mut c, texts, present);
    }
    if c.set >> f::BGP_NOTIFICATION_CODE & 1 == 1 && c.set >> f::BGP_NOTIFICATION_TEXT & 1 == 0 {
        notification_text(&mut c);
    }
    c
}

/// The severity from the record's level, or the rule's (out of line: few rules read it).
#[inline(never)]
fn level_severity(rule: &Rule, texts: &Texts) -> &'static str {
    severity_from_level(texts).unwrap_or(rule.severity())
}

#[inline(never)]
fn notification_text(c: &mut Classification) {
    let Val::Num(code) = c.val(f::BGP_NOTIFICATION_CODE) else { return };
    let sub = match c.val(f::BGP_NOTIFICATION_SUBCODE) {
        Val::Num(s) => Some(small_num(s)),
        _ => None,
    };
    if let Some(t) = bgp::notification_text(small_num(code), sub) {
        c.put(f::BGP_NOTIFICATION_TEXT, Val::Str(t.as_bytes()));
    }
}

/// The captured numbers without their leading zeros (at least one digit each). Out of line:
/// few captures are numbers.
#[inline(never)]
fn strip_zeros(c: &mut Classification) {
    let mut m = c.set & NUM_FIELDS;
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        let d = c.text(i);
        let z = d.iter().take_while(|&&b| b == b'0').count().min(d.len().saturating_sub(1));
        if let Some(slot) = c.vals.get_mut(i) {
            *slot = MaybeUninit::new(&d[z..]);
        }
    }
}

fn small_num(d: &[u8]) -> u32 {
    if d.len() > 9 {
        return u32::MAX;
    }
    d.iter().fold(0u32, |a, &c| a * 10 + (c.wrapping_sub(b'0') as u32 % 10))
}

/// ASCII case-insensitive equality (a plain loop: cheaper under an interpreter than the
/// unrolled library version).
#[inline(never)]
fn eq_ic(a: &[u8], b: &str) -> bool {
    let b = b.as_bytes();
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i].to_ascii_lowercase() != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const STATES: [&str; 5] = ["established", "rekeying", "negotiating", "down", "up"];

/// AWS phase states, BGP status and other states, normalised to the documented vocabulary.
#[inline(never)]
fn norm_state(s: &[u8]) -> Option<&'static str> {
    let mut k = 0;
    while k < STATES.len() {
        // The lengths first, inline: most states are told apart by them, without a call.
        if s.len() == STATES[k].len() && eq_ic(s, STATES[k]) {
            return Some(STATES[k]);
        }
        k += 1;
    }
    None
}

/// For each slot, the output field its value is copied into as it is (0: none).
const COPY_TO: [u8; NSLOTS] = {
    let mut t = [0u8; NSLOTS];
    t[slot::REMOTE_IP as usize] = f::PEER_IP as u8;
    t[slot::INSTANCE as usize] = f::INSTANCE as u8;
    t[slot::PREFIX as usize] = f::BGP_PREFIX as u8;
    t[slot::AS_PATH as usize] = f::BGP_AS_PATH as u8;
    t[slot::NEXT_HOP as usize] = f::BGP_NEXT_HOP as u8;
    t[slot::CHANGE_REASON as usize] = f::DETAIL as u8;
    t
};
const COPY_SLOTS: u32 = {
    let mut m = 0;
    let mut i = 0;
    while i < NSLOTS {
        if COPY_TO[i] != 0 {
            m |= 1 << i;
        }
        i += 1;
    }
    m
};

/// Slots `enrich` reads.
const ENRICH_SLOTS: u32 = COPY_SLOTS
    | 1 << slot::PHASE1_STATE
    | 1 << slot::PHASE2_STATE
    | 1 << slot::STATUS
    | 1 << slot::DPD_ENABLED
    | 1 << slot::NAT_T_DETECTED
    | 1 << slot::RESOURCE;

/// Adds what the record's structured keys say (documented in docs/SCHEMA.md): AWS phase
/// states, BGP status and flags, resource ids, and the plain copies of COPY_TO. A rule's own
/// captures win. Only the slots the record has are visited.
#[inline(never)]
fn enrich<'a>(rule: &Rule, c: &mut Classification<'a>, t: &Texts<'a>, present: u32) {
    let mut m = present & COPY_SLOTS;
    while m != 0 {
        let s = m.trailing_zeros() as usize;
        m &= m - 1;
        if let Some(x) = t.get(s) {
            if !x.is_empty() {
                c.put_if_none(COPY_TO[s] as usize, Val::Str(x));
            }
        }
    }
    if present & (1 << slot::PHASE1_STATE | 1 << slot::PHASE2_STATE | 1 << slot::STATUS) != 0 {
        state(rule, c, t);
    }
    if present & (1 << slot::DPD_ENABLED | 1 << slot::NAT_T_DETECTED | 1 << slot::RESOURCE) != 0 {
        flags_and_tunnel(c, t);
    }
}

/// AWS: the phase state of the rule's phase, or the BGP status, as `state`.
#[inline(never)]
fn state(rule: &Rule, c: &mut Classification, t: &Texts) {
    let get = |s: u8| t.get(s as usize).filter(|x| !x.is_empty());
    if c.set >> f::STATE & 1 == 0 {
        let phase_state = if rule.phase == 2 { get(slot::PHASE2_STATE) } else { get(slot::PHASE1_STATE) };
        let bgp_status = get(slot::TYPE).filter(|ty| *ty == b"BGPStatus").and(get(slot::STATUS));
        if let Some(s) = phase_state.or(bgp_status).and_then(norm_state) {
            c.put(f::STATE, Val::Str(s.as_bytes()));
        }
    }
}

/// AWS: DPD and NAT-T flags; AWS and Alibaba: the tunnel from the resource id.
#[inline(never)]
fn flags_and_tunnel<'a>(c: &mut Classification<'a>, t: &Texts<'a>) {
    let get = |s: u8| t.get(s as usize).filter(|x| !x.is_empty());
    if let Some(b) = get(slot::DPD_ENABLED).and_then(flag) {
        c.put_if_none(f::DPD_ENABLED, b);
    }
    if let Some(b) = get(slot::NAT_T_DETECTED).and_then(flag) {
        c.put_if_none(f::NAT_T, b);
    }
    if let Some(r) = get(slot::RESOURCE) {
        tunnel_from_resource(c, r);
    }
}

fn flag(x: &[u8]) -> Option<Val<'static>> {
    if eq_ic(x, "true") {
        Some(Val::Bool(true))
    } else if eq_ic(x, "false") {
        Some(Val::Bool(false))
    } else {
        None
    }
}

/// Alibaba: acs:vpn:region:account:vpnconnection/vco-...; AWS: vpn-..._outside-ip.
#[inline(never)]
fn tunnel_from_resource<'a>(c: &mut Classification<'a>, r: &'a [u8]) {
    let marker = b"vpnconnection/";
    if let Some(at) = template::find(r, marker, 0) {
        c.put_if_none(f::TUNNEL, Val::Str(r.get(at + marker.len()..).unwrap_or(&[])));
    } else if r.starts_with(b"vpn-") {
        c.put_if_none(f::TUNNEL, Val::Str(r));
    }
}

/// Alibaba events state their level (INFO, WARN, CRITICAL); it overrides the rule's severity.
#[inline(never)]
fn severity_from_level(t: &Texts) -> Option<&'static str> {
    match t.get(slot::LEVEL as usize)? {
        b"INFO" => Some("info"),
        b"WARN" => Some("warn"),
        b"CRITICAL" => Some("critical"),
        _ => None,
    }
}
