//! Log lines through the module, for `vpnlog check` and `vpnlog report`: each input line is
//! recognised as a JSON record or raw text (per line), sent through [`FluentBitHost`], and
//! comes back as an [`Event`]: where it came from, its time, its message text, and the `vpn`
//! object the module appended (if any), read into a [`Classification`].

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use serde_json::Value;

use crate::filter::{FluentBitHost, Timestamp};
use crate::input::BASE_TIME;
use crate::json;
use crate::timestamps;

/// Record keys whose string value is the message text, in the filter's priority order.
const MESSAGE_KEYS: [&[&str]; 9] = [
    &["log"],
    &["message"],
    &["msg"],
    &["MESSAGE"],
    &["Message"],
    &["details"],
    &["message", "details"],
    &["properties", "message"],
    &["properties", "Message"],
];

/// What the module said about a record: the fields of its `vpn` object that check and report use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Classification {
    pub vendor: String,
    pub kind: String,
    pub event: String,
    pub outcome: String,
    pub severity: String,
    pub rule: String,
    pub reason: Option<String>,
    pub hint: Option<String>,
    pub phase: Option<u64>,
    pub state: Option<String>,
    pub peer: Option<String>,
    pub tunnel: Option<String>,
    pub instance: Option<String>,
    pub bgp_neighbor: Option<String>,
    pub bgp_state_to: Option<String>,
    pub bgp_state_from: Option<String>,
    pub detail: Option<String>,
}

impl Classification {
    /// Reads vpnlog's object (one with a `rule` member) from a returned record: under `vpn`,
    /// or under `vpnlog` when the record had a `vpn` key of its own.
    pub fn from_output(root: &Value) -> Option<Classification> {
        let vpn = ["vpn", "vpnlog"]
            .iter()
            .filter_map(|k| root.get(*k))
            .find(|v| v.get("rule").is_some_and(Value::is_string))?;
        let text = |path: &[&str]| -> Option<String> {
            let mut v = vpn;
            for p in path {
                v = v.get(*p)?;
            }
            v.as_str().map(str::to_string)
        };
        let word = |k: &str| text(&[k]).unwrap_or_default();
        Some(Classification {
            vendor: word("vendor"),
            kind: word("kind"),
            event: word("event"),
            outcome: word("outcome"),
            severity: word("severity"),
            rule: word("rule"),
            reason: text(&["reason"]),
            hint: text(&["hint"]),
            phase: vpn.get("phase").and_then(Value::as_u64),
            state: text(&["state"]),
            peer: text(&["peer", "ip"]),
            tunnel: text(&["tunnel"]),
            instance: text(&["instance"]),
            bgp_neighbor: text(&["bgp", "neighbor"]),
            bgp_state_to: text(&["bgp", "state_to"]),
            bgp_state_from: text(&["bgp", "state_from"]),
            detail: text(&["detail"]),
        })
    }
}

/// How an input line was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineFormat {
    /// A JSON object, sent as the record.
    Json,
    /// Text, sent as `{"log":"<line>"}`.
    Raw,
}

/// One input line after the module saw it.
#[derive(Debug, Clone)]
pub struct Event {
    /// File name as given (`<stdin>` for standard input) and 1-based line number.
    pub source: String,
    pub line: u64,
    /// Position in the whole input, from 0 (line order across files).
    pub seq: u64,
    pub format: LineFormat,
    /// The input line, without its line terminator (lossy UTF-8).
    pub raw: String,
    /// The message text: the first message key of a JSON record, or the raw line.
    pub text: String,
    /// Milliseconds since the epoch, from the record (JSON time keys, then the line's
    /// leading timestamp); `None` when it states none.
    pub time_ms: Option<i64>,
    /// The module's classification; `None` when no rule matched.
    pub vpn: Option<Classification>,
    /// Why the record would be lost in Fluent Bit (the module returned no usable record).
    pub dropped: Option<String>,
}

/// Reading options.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Year assumed for BSD syslog timestamps, which carry none.
    pub syslog_year: i64,
    /// Tag passed with every record.
    pub tag: String,
}

/// Turns one input line into the record to send, recognising its format. Empty lines give
/// `None`. A line that starts with `{` and is a valid JSON object is a record; any other line
/// is raw text.
pub fn record_for_line(line: &str) -> Option<(Vec<u8>, LineFormat)> {
    let trimmed = line.trim_matches(|c| c == ' ' || c == '\t' || c == '\r');
    if trimmed.is_empty() {
        return None;
    }
    if trimmed.starts_with('{') {
        if let Ok((record, json::Kind::Object)) = json::compact(trimmed.as_bytes()) {
            return Some((record, LineFormat::Json));
        }
    }
    Some((json::wrap_raw_line(line), LineFormat::Raw))
}

/// The message text of a parsed JSON record (first string among the message keys).
pub fn message_text(root: &Value) -> Option<&str> {
    MESSAGE_KEYS.iter().find_map(|path| {
        let mut v = root;
        for p in *path {
            v = v.get(*p)?;
        }
        v.as_str()
    })
}

/// The text of a JSON record without a message key: its top-level members as `key=value`
/// (strings without quotes, other values as compact JSON), separated by spaces.
pub fn members_text(root: &Value) -> String {
    let Some(map) = root.as_object() else {
        return root.to_string();
    };
    let parts: Vec<String> = map
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    parts.join(" ")
}

/// Sends one line through the module and describes the result.
pub fn process_line(
    host: &mut FluentBitHost,
    opts: &ReadOptions,
    source: &str,
    line_no: u64,
    seq: u64,
    line: &str,
) -> Option<Event> {
    let (record, format) = record_for_line(line)?;
    let time = Timestamp {
        sec: BASE_TIME.wrapping_add(seq as u32),
        nsec: 0,
    };
    let outcome = host.process(opts.tag.as_bytes(), time, &record);
    let input: Option<Value> = match format {
        LineFormat::Json => serde_json::from_slice(&record).ok(),
        LineFormat::Raw => None,
    };
    let text = match &input {
        Some(root) => message_text(root)
            .map(str::to_string)
            .unwrap_or_else(|| members_text(root)),
        None => line.to_string(),
    };
    let time_ms = input
        .as_ref()
        .and_then(timestamps::from_record)
        .or_else(|| timestamps::from_line(&text, opts.syslog_year));
    let (vpn, dropped) = match &outcome.result {
        Ok(bytes) => (
            serde_json::from_slice::<Value>(bytes)
                .ok()
                .as_ref()
                .and_then(Classification::from_output),
            None,
        ),
        Err(reason) => (None, Some(reason.to_string())),
    };
    Some(Event {
        source: source.to_string(),
        line: line_no,
        seq,
        format,
        raw: line.to_string(),
        text,
        time_ms,
        vpn,
        dropped,
    })
}

/// An input: a file name, or `-` for standard input.
pub fn open_input(name: &str) -> io::Result<(String, Box<dyn Read>)> {
    if name == "-" {
        Ok(("<stdin>".to_string(), Box::new(io::stdin())))
    } else {
        Ok((name.to_string(), Box::new(File::open(name)?)))
    }
}

/// Reads every line of the inputs (standard input when none) through the module. `progress`
/// is called after each line with the bytes read so far.
pub fn read_all(
    host: &mut FluentBitHost,
    opts: &ReadOptions,
    files: &[String],
    mut progress: impl FnMut(u64),
) -> Result<Vec<Event>, String> {
    let stdin_only = ["-".to_string()];
    let files = if files.is_empty() { &stdin_only[..] } else { files };
    let mut events = Vec::new();
    let (mut seq, mut bytes) = (0u64, 0u64);
    for file in files {
        let (name, reader) = open_input(file).map_err(|e| format!("cannot open {file}: {e}"))?;
        let mut reader = BufReader::with_capacity(1 << 16, reader);
        let mut buf = Vec::new();
        let mut line_no = 0;
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| format!("cannot read {name}: {e}"))?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
            line_no += 1;
            let text = String::from_utf8_lossy(buf.strip_suffix(b"\n").unwrap_or(&buf));
            let text = text.strip_suffix('\r').unwrap_or(&text);
            if let Some(event) = process_line(host, opts, &name, line_no, seq, text) {
                events.push(event);
                seq += 1;
            }
            progress(bytes);
        }
    }
    Ok(events)
}

/// The current year (UTC), the default for BSD syslog timestamps.
pub fn current_year() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    timestamps::civil_from_days(secs.div_euclid(86_400)).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_records_or_text() {
        assert_eq!(record_for_line(""), None);
        assert_eq!(record_for_line(" \r"), None);
        assert_eq!(
            record_for_line(" { \"a\" : 1 } "),
            Some((b"{\"a\":1}".to_vec(), LineFormat::Json))
        );
        assert_eq!(
            record_for_line("{not json"),
            Some((b"{\"log\":\"{not json\"}".to_vec(), LineFormat::Raw))
        );
        assert_eq!(
            record_for_line("[1]"),
            Some((b"{\"log\":\"[1]\"}".to_vec(), LineFormat::Raw))
        );
    }

    #[test]
    fn message_keys_in_priority_order() {
        let v: Value =
            serde_json::from_str(r#"{"Message":"b","message":{"details":"c"},"msg":"a"}"#).unwrap();
        assert_eq!(message_text(&v), Some("a"));
        let v: Value = serde_json::from_str(r#"{"message":{"details":"c"}}"#).unwrap();
        assert_eq!(message_text(&v), Some("c"));
        let v: Value = serde_json::from_str(r#"{"name":"x","n":1,"o":{"a":true}}"#).unwrap();
        assert_eq!(message_text(&v), None);
        assert_eq!(members_text(&v), r#"name=x n=1 o={"a":true}"#);
    }

    #[test]
    fn classification_from_vpn_or_vpnlog() {
        let v: Value = serde_json::from_str(
            r#"{"log":"x","vpn":{"kind":"tunnel","event":"tunnel_down","outcome":"failure","severity":"warn","vendor":"azure","rule":"azure.t","peer":{"ip":"192.0.2.1"},"instance":"IN_1","bgp":{"neighbor":"169.254.0.1"}}}"#,
        )
        .unwrap();
        let c = Classification::from_output(&v).unwrap();
        assert_eq!(c.event, "tunnel_down");
        assert_eq!(c.peer.as_deref(), Some("192.0.2.1"));
        assert_eq!(c.instance.as_deref(), Some("IN_1"));
        assert_eq!(c.bgp_neighbor.as_deref(), Some("169.254.0.1"));
        let v: Value =
            serde_json::from_str(r#"{"vpn":"mine","vpnlog":{"rule":"r","kind":"ike"}}"#).unwrap();
        assert_eq!(Classification::from_output(&v).unwrap().kind, "ike");
        let v: Value = serde_json::from_str(r#"{"vpn":{"kind":"ike"}}"#).unwrap();
        assert_eq!(Classification::from_output(&v), None);
    }
}
