//! The naive filter: vpnlog's catalogue written the way most filters are written, as the
//! baseline of the benchmark (docs/BENCHMARKS.md). Each record is parsed into a serde_json
//! `Value`; the texts a rule reads are picked from it by key; the rules are tried in catalogue
//! order, each with regex-lite regexes compiled once: its anchors (one alternation, which must
//! match) and then its patterns (vpnlog's translation); the first rule that matches gives the
//! `vpn` object, built as a `Value` and inserted, and the whole record is serialized again. It
//! exports the same ABI as vpnlog.
//!
//! It does not read JSON documents left as strings inside `log`, and a regex may backtrack where
//! vpnlog's matcher does not, so on some records it finds another rule or none.

use regex_lite::{Captures, Regex};
use serde_json::{Map, Value};

/// One rule of the catalogue, as build.rs renders it.
pub struct NaiveRule {
    pub id: &'static str,
    pub vendor: &'static str,
    pub kind: &'static str,
    pub event: &'static str,
    pub outcome: &'static str,
    pub severity: &'static str,
    pub phase: u8,
    pub ike_version: u8,
    pub reason: &'static str,
    pub hint: &'static str,
    /// Input slots the rule reads (its anchors' slots).
    pub slots: &'static [&'static str],
    /// The slot the regexes run on, when not the anchor's.
    pub text: Option<&'static str>,
    /// (slot, literal, exact): the slot must contain the literal (exact: be it).
    pub when: &'static [(&'static str, &'static str, bool)],
    /// The anchors as one alternation: one must occur in a slot the rule reads.
    pub anchor: &'static str,
    /// The patterns, tried in order; none: the anchor alone decides.
    pub regexes: &'static [&'static str],
    /// (dotted output path, JSON value text)
    pub set: &'static [(&'static str, &'static str)],
}

include!(concat!(env!("OUT_DIR"), "/rules.rs"));

/// The record keys that fill an input slot, in priority order (rules/README.md); a path of two
/// keys names a member of an object.
fn slot_keys(slot: &str) -> &'static [&'static [&'static str]] {
    match slot {
        "message" => &[
            &["log"], &["message"], &["msg"], &["MESSAGE"], &["Message"], &["details"],
            &["message", "details"], &["properties", "message"], &["properties", "Message"],
        ],
        "category" => &[&["Category"], &["category"]],
        "operation" => &[&["OperationName"], &["operationName"]],
        "event_name" => &[&["name"], &["eventName"], &["data", "name"], &["type"]],
        "type" => &[&["type"]],
        "status" => &[&["status"], &["status_s"], &["properties", "status"]],
        "level" => &[&["level"], &["Level"], &["data", "level"]],
        "phase1_state" => &[&["ike_phase1_state"]],
        "phase2_state" => &[&["ike_phase2_state"]],
        "resource" => &[&["resource_id"], &["resourceId"], &["data", "resourceId"]],
        "prefix" => &[&["message", "prefix"]],
        "as_path" => &[&["message", "asPath"]],
        "next_hop" => &[&["message", "nextHopIp"]],
        "remote_ip" => &[&["remoteIP_s"], &["properties", "remoteIP"]],
        "instance" => &[&["instance_s"], &["properties", "instance"]],
        "change_reason" => &[&["stateChangeReason_s"], &["properties", "stateChangeReason"]],
        "topic" => &[&["Topic"]],
        _ => &[],
    }
}

/// The string value of a slot in the record, if any.
fn slot_text<'a>(record: &'a Value, slot: &str) -> Option<&'a str> {
    slot_keys(slot).iter().find_map(|path| path.iter().try_fold(record, |v, k| v.get(k))?.as_str())
}

/// A rule's compiled regexes: the anchor alternation and the patterns.
struct Compiled {
    anchor: Option<Regex>,
    patterns: Vec<Regex>,
}

/// The naive filter: the compiled regexes of every rule, and its output buffer.
pub struct NaiveFilter {
    rules: Vec<Compiled>,
    out: Vec<u8>,
}

impl Default for NaiveFilter {
    fn default() -> Self {
        Self::new()
    }
}

impl NaiveFilter {
    /// Compiles every rule's regexes (a regex that does not compile never matches).
    pub fn new() -> Self {
        let rules = RULES
            .iter()
            .map(|r| Compiled {
                anchor: Regex::new(r.anchor).ok(),
                patterns: r.regexes.iter().filter_map(|re| Regex::new(re).ok()).collect(),
            })
            .collect();
        NaiveFilter { rules, out: Vec::new() }
    }

    /// Filters one record; the result is followed in memory by a NUL byte.
    pub fn process(&mut self, record: &[u8]) -> &[u8] {
        self.out.clear();
        match serde_json::from_slice::<Value>(record) {
            Ok(mut value @ Value::Object(_)) => {
                if let Some(vpn) = self.classify(&value) {
                    value.as_object_mut().map(|o| o.insert("vpn".into(), vpn));
                }
                if serde_json::to_writer(&mut self.out, &value).is_err() {
                    self.out.clear();
                    self.out.extend_from_slice(record);
                }
            }
            _ => self.out.extend_from_slice(record),
        }
        self.out.push(0);
        &self.out[..self.out.len() - 1]
    }

    /// The `vpn` object of the first rule that matches, if any.
    pub fn classify(&self, record: &Value) -> Option<Value> {
        for (rule, compiled) in RULES.iter().zip(&self.rules) {
            let Some(anchor) = &compiled.anchor else { continue };
            let Some(found_in) = rule.slots.iter().filter_map(|s| slot_text(record, s)).find(|t| anchor.is_match(t))
            else {
                continue;
            };
            let holds = |&(slot, lit, exact): &(&str, &str, bool)| {
                slot_text(record, slot).is_some_and(|t| if exact { t == lit } else { t.contains(lit) })
            };
            if !rule.when.iter().all(holds) {
                continue;
            }
            let Some(text) = rule.text.map_or(Some(found_in), |slot| slot_text(record, slot)) else { continue };
            if compiled.patterns.is_empty() {
                return Some(describe(rule, None));
            }
            for re in &compiled.patterns {
                if let Some(caps) = re.captures(text) {
                    return Some(describe(rule, Some((re, &caps))));
                }
            }
        }
        None
    }
}

/// The `vpn` object: the rule's static fields, the captured fields, and its constants.
fn describe(rule: &NaiveRule, captured: Option<(&Regex, &Captures)>) -> Value {
    let mut vpn = static_fields(rule);
    if let Some((re, caps)) = captured {
        for name in re.capture_names().flatten() {
            let (Some(m), Some(&(_, path, numeric))) = (caps.name(name), CAPTURE_FIELDS.iter().find(|f| f.0 == name))
            else {
                continue;
            };
            let value = match (numeric, m.as_str().parse::<u64>()) {
                (true, Ok(n)) => Value::from(n),
                _ => Value::from(m.as_str()),
            };
            insert_path(&mut vpn, path, value);
        }
    }
    for (path, json) in rule.set {
        if let Ok(v) = serde_json::from_str(json) {
            insert_path(&mut vpn, path, v);
        }
    }
    Value::Object(vpn)
}

/// The rule's static fields.
fn static_fields(rule: &NaiveRule) -> Map<String, Value> {
    let mut vpn = Map::new();
    vpn.insert("kind".into(), rule.kind.into());
    vpn.insert("event".into(), rule.event.into());
    vpn.insert("outcome".into(), rule.outcome.into());
    vpn.insert("severity".into(), rule.severity.into());
    if rule.phase != 0 {
        vpn.insert("phase".into(), rule.phase.into());
    }
    if rule.ike_version != 0 {
        vpn.insert("ike_version".into(), rule.ike_version.into());
    }
    if !rule.reason.is_empty() {
        vpn.insert("reason".into(), rule.reason.into());
    }
    if !rule.hint.is_empty() {
        vpn.insert("hint".into(), rule.hint.into());
    }
    vpn.insert("vendor".into(), rule.vendor.into());
    vpn.insert("rule".into(), rule.id.into());
    vpn
}

/// Sets `a.b.c` in nested objects, creating them as needed.
fn insert_path(map: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            map.insert(path.into(), value);
        }
        Some((head, rest)) => {
            let child = map.entry(head).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = child {
                insert_path(m, rest, value);
            }
        }
    }
}

#[cfg(target_family = "wasm")]
mod abi {
    use core::cell::UnsafeCell;

    /// The one filter instance, created at the first call. Fluent Bit calls from one thread.
    struct Instance(UnsafeCell<Option<super::NaiveFilter>>);
    // SAFETY: wasm32 modules here are single-threaded.
    unsafe impl Sync for Instance {}
    static INSTANCE: Instance = Instance(UnsafeCell::new(None));

    /// The WASI reactor entry: runs static constructors once.
    #[unsafe(no_mangle)]
    pub extern "C" fn _initialize() {
        unsafe extern "C" {
            fn __wasm_call_ctors();
        }
        static DONE: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);
        if !DONE.swap(true, core::sync::atomic::Ordering::Relaxed) {
            // SAFETY: the linker-generated constructor function, called once.
            unsafe { __wasm_call_ctors() };
        }
    }

    /// Fluent Bit's filter signature; returns a NUL-terminated JSON object owned by the module.
    #[unsafe(no_mangle)]
    pub extern "C" fn vpnlog_filter(_tag: *const u8, _tag_len: u32, _sec: u32, _nsec: u32, record: *const u8, len: u32) -> *const u8 {
        // SAFETY: single-threaded; no reference outlives this call.
        let filter = unsafe { &mut *INSTANCE.0.get() }.get_or_insert_with(super::NaiveFilter::new);
        if record.is_null() {
            return filter.process(b"{}").as_ptr();
        }
        // SAFETY: the host wrote `len` bytes at `record` through this module's malloc.
        let rec = unsafe { core::slice::from_raw_parts(record, len as usize) };
        filter.process(rec).as_ptr()
    }
}
