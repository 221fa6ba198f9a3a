//! What the fuzz targets share: the native check against the contract oracle
//! (vpnlog_host::contract), the built module in the host, and the structured record generator
//! of target (b), which builds JSON records from the keys vpnlog reads and text made of the
//! catalogue's own example lines, anchors and pattern literals.

use std::cell::RefCell;

use arbitrary::Arbitrary;
use vpnlog::Filter;
use vpnlog::catalogue::{DOCS, RULES, Tok};
use vpnlog_host::{FluentBitHost, HostConfig};

thread_local! {
    static FILTER: RefCell<Filter> = RefCell::new(Filter::new());
    static MODULE: RefCell<Option<FluentBitHost>> = const { RefCell::new(None) };
}

/// Runs `record` through the native filter (one instance for the whole run) and panics when
/// the contract is broken.
pub fn check_native(record: &[u8]) {
    FILTER.with_borrow_mut(|f| {
        if let Err(e) = vpnlog_host::contract::check(record, |r| Ok(f.process(r).to_vec())) {
            panic!("contract broken for {:?}: {e}", String::from_utf8_lossy(record));
        }
    });
}

/// Fuel for one call in the fuzzed module: some 200 times the heaviest record of the budget
/// corpus, so that a runaway loop is a finding rather than a hang.
const FUZZ_FUEL: u64 = 10_000_000;

/// Runs `f` with the built module (VPNLOG_WASM, default dist/vpnlog.wasm), instantiated once.
pub fn with_module<R>(f: impl FnOnce(&mut FluentBitHost) -> R) -> R {
    MODULE.with_borrow_mut(|m| {
        let h = m.get_or_insert_with(|| {
            let path = std::env::var_os("VPNLOG_WASM")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist/vpnlog.wasm"));
            let wasm = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run `make` first)", path.display()));
            let config = HostConfig { fuel_budget: FUZZ_FUEL, ..HostConfig::default() };
            FluentBitHost::new(&wasm, &config).expect("module loads")
        });
        f(h)
    })
}

/// Record keys: every key vpnlog reads (message slots, structured keys, nested parents), its
/// own output keys, and a few it ignores.
const KEYS: &[&str] = &[
    "log", "message", "msg", "MESSAGE", "Message", "details", "Category", "category", "OperationName",
    "operationName", "name", "eventName", "type", "status", "status_s", "level", "Level", "properties",
    "data", "vpn", "vpnlog", "rule", "ike_phase1_state", "ike_phase2_state", "dpd_enabled",
    "nat_t_detected", "resource_id", "remoteIP_s", "remoteIP", "instance_s", "instance",
    "stateChangeReason_s", "stateChangeReason", "resourceId", "prefix", "asPath", "nextHopIp",
    "time", "host", "x", "k\u{e9}y", "a\\\"b", "",
];

/// Deepest nesting rendered; deeper values become `null`.
const MAX_DEPTH: usize = 6;

/// A JSON object record.
#[derive(Arbitrary, Debug)]
pub struct Record(Vec<Member>);

#[derive(Arbitrary, Debug)]
pub struct Member {
    key: Key,
    value: Value,
}

#[derive(Arbitrary, Debug)]
pub enum Key {
    Known(u8),
    Other(String),
}

#[derive(Arbitrary, Debug)]
pub enum Value {
    Text(Text),
    Int(i64),
    Float(f64),
    /// true, false, null, and number literals of unusual shapes.
    Literal(u8),
    Object(Vec<Member>),
    Array(Vec<Value>),
    /// A JSON document left as a string (what a container runtime's `log` holds).
    Document(Vec<Member>),
}

/// A string value made of pieces.
#[derive(Arbitrary, Debug)]
pub struct Text(Vec<Piece>);

#[derive(Arbitrary, Debug)]
pub enum Piece {
    /// A catalogue example line (index modulo their count).
    Example(u16),
    /// The tail of an example line from a byte offset (to a character boundary).
    ExampleTail(u16, u16),
    /// An anchor of a rule.
    Anchor(u16),
    /// A literal of a rule's pattern.
    PatternLiteral(u16, u8),
    Word(String),
    /// A run of digits.
    Digits(u8),
    Ip([u8; 4]),
    Hex(u32),
    /// A character often special somewhere: quotes, brackets, separators, controls.
    Special(u8),
    /// The same piece many times.
    Repeat(u8, Box<Piece>),
}

const LITERALS: &[&str] = &["true", "false", "null", "0", "-0", "-0.0", "1e300", "1E-7", "12345678901234567890", "0.5e+3", "[]", "{}"];
const SPECIALS: &[&str] = &[
    "\"", "\\", "\u{0}", "\u{1f}", "\t", "\n", "{", "}", "[", "]", ":", ",", " ", "=", "'", "(", ")", "<", ">", "|", "#",
    "%", "/", ".", "-", "\u{e9}", "\u{4e2d}", "\u{1f680}", "\u{fffd}", "\u{2028}", "\\u0000", "\\ud800",
];

impl Record {
    /// The record as compact JSON (as Fluent Bit renders one).
    pub fn render(&self) -> Vec<u8> {
        let mut out = Vec::new();
        render_object(&self.0, 0, &mut out);
        out
    }
}

fn render_object(members: &[Member], depth: usize, out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, m) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let key = match &m.key {
            Key::Known(k) => KEYS[*k as usize % KEYS.len()].to_string(),
            Key::Other(s) => s.clone(),
        };
        vpnlog_host::json::push_string(out, &key);
        out.push(b':');
        render_value(&m.value, depth + 1, out);
    }
    out.push(b'}');
}

fn render_value(v: &Value, depth: usize, out: &mut Vec<u8>) {
    if depth > MAX_DEPTH {
        out.extend_from_slice(b"null");
        return;
    }
    match v {
        Value::Text(t) => vpnlog_host::json::push_string(out, &t.render()),
        Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::Float(x) if x.is_finite() => out.extend_from_slice(format!("{x:?}").as_bytes()),
        Value::Float(_) => out.push(b'0'),
        Value::Literal(k) => out.extend_from_slice(LITERALS[*k as usize % LITERALS.len()].as_bytes()),
        Value::Object(ms) => render_object(ms, depth, out),
        Value::Array(vs) => {
            out.push(b'[');
            for (i, v) in vs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                render_value(v, depth + 1, out);
            }
            out.push(b']');
        }
        Value::Document(ms) => {
            let mut doc = Vec::new();
            render_object(ms, depth, &mut doc);
            vpnlog_host::json::push_string(out, &String::from_utf8_lossy(&doc));
        }
    }
}

impl Text {
    fn render(&self) -> String {
        let mut s = String::new();
        for p in &self.0 {
            p.render(&mut s, false);
        }
        s
    }
}

fn examples() -> &'static [&'static str] {
    static ALL: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| DOCS.iter().flat_map(|d| d.examples.iter().map(|e| e.line)).collect())
}

fn anchors() -> &'static [&'static str] {
    static ALL: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| DOCS.iter().flat_map(|d| d.anchors.iter().copied()).collect())
}

impl Piece {
    /// Renders the piece; a repeat inside a repeat renders its piece once.
    fn render(&self, s: &mut String, in_repeat: bool) {
        match self {
            Piece::Example(i) => s.push_str(examples()[*i as usize % examples().len()]),
            Piece::ExampleTail(i, from) => {
                let line = examples()[*i as usize % examples().len()];
                let mut at = *from as usize % (line.len() + 1);
                while !line.is_char_boundary(at) {
                    at -= 1;
                }
                s.push_str(&line[at..]);
            }
            Piece::Anchor(i) => s.push_str(anchors()[*i as usize % anchors().len()]),
            Piece::PatternLiteral(r, k) => {
                let rule = &RULES[*r as usize % RULES.len()];
                let lits: Vec<&[u8]> = rule.patterns.iter().flat_map(|p| p.iter()).filter_map(|t| match t {
                    Tok::Lit(l) => Some(*l),
                    Tok::Hole(..) | Tok::Open | Tok::Close => None,
                }).collect();
                if let Some(l) = lits.get(*k as usize % lits.len().max(1)) {
                    s.push_str(&String::from_utf8_lossy(l));
                }
            }
            Piece::Word(w) => s.push_str(w),
            Piece::Digits(n) => {
                for i in 0..*n as usize {
                    s.push(char::from(b'0' + (i * 7 % 10) as u8));
                }
            }
            Piece::Ip(o) => s.push_str(&format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3])),
            Piece::Hex(x) => s.push_str(&format!("{x:08x}")),
            Piece::Special(k) => s.push_str(SPECIALS[*k as usize % SPECIALS.len()]),
            Piece::Repeat(n, p) => {
                for _ in 0..if in_repeat { 1 } else { *n } {
                    p.render(s, true);
                }
            }
        }
    }
}
