//! The classifier for JavaScript: `classify`, `classifyLine` and `filter` over the library's own
//! `Filter`, compiled to wasm32-unknown-unknown and wrapped by wasm-bindgen (`make js`). A
//! classification crosses into JavaScript as the `vpn` object the Fluent Bit filter writes
//! (`write::member`), parsed by the engine's JSON.parse; the TypeScript types below describe it
//! (docs/SCHEMA.md is the reference).

use std::cell::RefCell;
use vpnlog::{Filter, json, write};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** What kind of event a record reports. */
export type Kind = "ike" | "dpd" | "tunnel" | "bgp" | "route" | "health" | "config";
export type Outcome = "success" | "failure" | "unknown";
export type Severity = "info" | "warn" | "critical";
export type State = "established" | "negotiating" | "rekeying" | "down" | "up";

/** An address and port of one end of a tunnel. */
export interface Endpoint {
  ip?: string;
  port?: number;
}

export interface Spi {
  in?: string;
  out?: string;
}

export interface Crypto {
  /** true for insecure algorithms. */
  weak?: boolean;
  algorithm?: string;
}

export interface BgpNotification {
  direction?: string;
  code?: number;
  subcode?: number;
  text?: string;
}

export interface Bgp {
  neighbor?: string;
  asn?: number;
  expected_asn?: number;
  state_from?: string;
  state_to?: string;
  notification?: BgpNotification;
  prefix?: string;
  as_path?: string;
  next_hop?: string;
  prefixes?: number;
  limit?: number;
  hold_time?: number;
  router_id?: string;
}

/** The `vpn` object the filter appends to a record (docs/SCHEMA.md); absent fields do not apply. */
export interface Classification {
  kind: Kind;
  /** From the event vocabulary (rules/vocabulary.toml). */
  event: string;
  outcome: Outcome;
  severity: Severity;
  phase?: number;
  ike_version?: number;
  /** From the reason vocabulary (rules/vocabulary.toml). */
  reason?: string;
  /** What to do about it. */
  hint?: string;
  vendor: string;
  /** The id of the rule that matched (docs/RULES.md). */
  rule: string;
  /** The vendor's own id of the message (Cisco ASA 713119, FortiGate logid ...). */
  code?: string;
  state?: State;
  peer?: Endpoint;
  local?: Endpoint;
  tunnel?: string;
  instance?: string;
  session?: string;
  user?: string;
  serial?: number;
  message_id?: string;
  retries?: number;
  spi?: Spi;
  nat_t?: boolean;
  dpd_enabled?: boolean;
  crypto?: Crypto;
  bgp?: Bgp;
  detail?: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &str) -> Result<JsValue, JsValue>;
}

/// One filter for the instance, with its buffers, and the buffer a classification is written to.
struct State {
    filter: Filter,
    text: Vec<u8>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State { filter: Filter::new(), text: Vec::new() });
}

/// The `vpn` object for a record, as JSON text in `text`; false when the record is no VPN event.
fn classify_into(state: &mut State, record: &[u8]) -> bool {
    let State { filter, text } = state;
    text.clear();
    let Some(c) = filter.classify(record) else { return false };
    write::member(text, b"", &c);
    true
}

fn classify_bytes(record: &[u8]) -> JsValue {
    STATE.with_borrow_mut(|state| {
        if !classify_into(state, record) {
            return JsValue::UNDEFINED;
        }
        // write::member wrote `"":{...}`; the object starts after the empty key and its colon.
        let object = state.text.get(3..).unwrap_or_default();
        std::str::from_utf8(object).ok().and_then(|t| json_parse(t).ok()).unwrap_or(JsValue::UNDEFINED)
    })
}

/// Classifies one record, a JSON object as text (as Fluent Bit hands it to the filter). Returns
/// the `vpn` object the filter would append, or undefined when the record is not a VPN or BGP
/// event or not a JSON object.
#[wasm_bindgen(unchecked_return_type = "Classification | undefined")]
pub fn classify(record: &str) -> JsValue {
    classify_bytes(record.as_bytes())
}

/// Classifies one raw log line, sent as the record `{"log":"<line>"}` (as Fluent Bit's `tail`
/// input without a parser does, and `vpnlog run --raw`).
#[wasm_bindgen(js_name = classifyLine, unchecked_return_type = "Classification | undefined")]
pub fn classify_line(line: &str) -> JsValue {
    let mut record = Vec::with_capacity(line.len() + 16);
    record.extend_from_slice(b"{\"log\":\"");
    json::escape_into(line.as_bytes(), &mut record);
    record.extend_from_slice(b"\"}");
    classify_bytes(&record)
}

/// The filter's output for a record, exactly as Fluent Bit receives it: the record with
/// `"vpn":{...}` appended, the record unchanged, or `{"vpnlog_invalid":...}` for input that is
/// not a JSON object.
#[wasm_bindgen]
pub fn filter(record: &str) -> String {
    STATE.with_borrow_mut(|state| String::from_utf8_lossy(state.filter.process(record.as_bytes())).into_owned())
}
