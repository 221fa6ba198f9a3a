//! Locates the text vpnlog classifies: which record keys fill which input slot (the table below
//! is the documented order), and the decoding of those values into plain text, including a JSON
//! document left unparsed inside `log`.

use core::mem::MaybeUninit;

use crate::fields::SLOTS;
use crate::json::{self, Padded, Span};

pub const NSLOTS: usize = SLOTS.len();

/// Slot indices, by name from `fields::SLOTS`.
pub mod slot {
    const fn slot_index(name: &str) -> u8 {
        match crate::fields::find_slot(name) {
            Some(i) => i as u8,
            None => panic!("no such slot"),
        }
    }
    pub const MESSAGE: u8 = slot_index("message");
    pub const CATEGORY: u8 = slot_index("category");
    pub const OPERATION: u8 = slot_index("operation");
    pub const EVENT_NAME: u8 = slot_index("event_name");
    pub const TYPE: u8 = slot_index("type");
    pub const STATUS: u8 = slot_index("status");
    pub const LEVEL: u8 = slot_index("level");
    pub const PHASE1_STATE: u8 = slot_index("phase1_state");
    pub const PHASE2_STATE: u8 = slot_index("phase2_state");
    pub const DPD_ENABLED: u8 = slot_index("dpd_enabled");
    pub const NAT_T_DETECTED: u8 = slot_index("nat_t_detected");
    pub const RESOURCE: u8 = slot_index("resource");
    pub const PREFIX: u8 = slot_index("prefix");
    pub const AS_PATH: u8 = slot_index("as_path");
    pub const NEXT_HOP: u8 = slot_index("next_hop");
    pub const REMOTE_IP: u8 = slot_index("remote_ip");
    pub const INSTANCE: u8 = slot_index("instance");
    pub const CHANGE_REASON: u8 = slot_index("change_reason");
    pub const TOPIC: u8 = slot_index("topic");
}

/// The key `log` at the root (KEYS[0]).
pub const LOG_KEY: Key = 1;
const _: () = assert!(KEYS[0].1.len() == 3 && KEYS[0].1[0] == b'l' && KEYS[0].1[2] == b'g');

/// The container a depth-2 key sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parent {
    Root,
    Message,
    Properties,
    Data,
    Vpn,
    Other,
}

/// A classified key: 0 for a key vpnlog does not read, otherwise 1 + its index in KEYS
/// (which slots its value fills and, when the value is an object, its members' parent).
pub type Key = u8;

/// A key vpnlog does not read.
pub const OTHER: Key = 0;

/// The container the members of a key's object value sit in.
pub fn key_parent(k: Key) -> Parent {
    KEYS.get((k as usize).wrapping_sub(1)).map_or(Parent::Other, |e| e.3)
}

use slot::*;
const NONE: Parent = Parent::Other;
/// Pseudo-slots that mark the keys of the existing-`vpn` rule (filter.rs).
const MARK_VPN: u8 = 250;
const MARK_VPNLOG: u8 = 251;
const MARK_OURS: u8 = 252;

/// The key table: (container, key, slots filled with priority, parent of its members). Slots
/// numbered NSLOTS and above are marks of the existing-`vpn` rule, not input slots.
/// Message keys in priority order: `log`, `message`, `msg`, `MESSAGE`, `Message`, `details`,
/// `message.details`, `properties.message`, `properties.Message`.
pub type KeyEntry = (Parent, &'static [u8], &'static [(u8, u8)], Parent);
pub static KEYS: [KeyEntry; 45] = [
    (Parent::Root, b"log", &[(MESSAGE, 0)], NONE),
    (Parent::Root, b"message", &[(MESSAGE, 1)], Parent::Message),
    (Parent::Root, b"msg", &[(MESSAGE, 2)], NONE),
    (Parent::Root, b"MESSAGE", &[(MESSAGE, 3)], NONE),
    (Parent::Root, b"Message", &[(MESSAGE, 4)], NONE),
    (Parent::Root, b"details", &[(MESSAGE, 5)], NONE),
    (Parent::Root, b"Category", &[(CATEGORY, 0)], NONE),
    (Parent::Root, b"category", &[(CATEGORY, 1)], NONE),
    (Parent::Root, b"OperationName", &[(OPERATION, 0)], NONE),
    (Parent::Root, b"operationName", &[(OPERATION, 1)], NONE),
    (Parent::Root, b"name", &[(EVENT_NAME, 0)], NONE),
    (Parent::Root, b"eventName", &[(EVENT_NAME, 1)], NONE),
    (Parent::Root, b"type", &[(TYPE, 0), (EVENT_NAME, 3)], NONE),
    (Parent::Root, b"status", &[(STATUS, 0)], NONE),
    (Parent::Root, b"status_s", &[(STATUS, 1)], NONE),
    (Parent::Root, b"level", &[(LEVEL, 0)], NONE),
    (Parent::Root, b"Level", &[(LEVEL, 1)], NONE),
    (Parent::Root, b"ike_phase1_state", &[(PHASE1_STATE, 0)], NONE),
    (Parent::Root, b"ike_phase2_state", &[(PHASE2_STATE, 0)], NONE),
    (Parent::Root, b"dpd_enabled", &[(DPD_ENABLED, 0)], NONE),
    (Parent::Root, b"nat_t_detected", &[(NAT_T_DETECTED, 0)], NONE),
    (Parent::Root, b"resource_id", &[(RESOURCE, 0)], NONE),
    (Parent::Root, b"resourceId", &[(RESOURCE, 1)], NONE),
    (Parent::Root, b"remoteIP_s", &[(REMOTE_IP, 0)], NONE),
    (Parent::Root, b"instance_s", &[(INSTANCE, 0)], NONE),
    (Parent::Root, b"stateChangeReason_s", &[(CHANGE_REASON, 0)], NONE),
    (Parent::Root, b"Topic", &[(TOPIC, 0)], NONE),
    (Parent::Root, b"properties", &[], Parent::Properties),
    (Parent::Root, b"data", &[], Parent::Data),
    (Parent::Root, b"vpn", &[(MARK_VPN, 0)], Parent::Vpn),
    (Parent::Root, b"vpnlog", &[(MARK_VPNLOG, 0)], NONE),
    (Parent::Vpn, b"rule", &[(MARK_OURS, 0)], NONE),
    (Parent::Message, b"details", &[(MESSAGE, 6)], NONE),
    (Parent::Message, b"prefix", &[(PREFIX, 0)], NONE),
    (Parent::Message, b"asPath", &[(AS_PATH, 0)], NONE),
    (Parent::Message, b"nextHopIp", &[(NEXT_HOP, 0)], NONE),
    (Parent::Properties, b"message", &[(MESSAGE, 7)], NONE),
    (Parent::Properties, b"Message", &[(MESSAGE, 8)], NONE),
    (Parent::Properties, b"status", &[(STATUS, 2)], NONE),
    (Parent::Properties, b"remoteIP", &[(REMOTE_IP, 1)], NONE),
    (Parent::Properties, b"instance", &[(INSTANCE, 1)], NONE),
    (Parent::Properties, b"stateChangeReason", &[(CHANGE_REASON, 1)], NONE),
    (Parent::Data, b"name", &[(EVENT_NAME, 2)], NONE),
    (Parent::Data, b"level", &[(LEVEL, 2)], NONE),
    (Parent::Data, b"resourceId", &[(RESOURCE, 2)], NONE),
];

/// Bit k is set when key k (1 + its index in KEYS) is a mark of the existing-`vpn` rule.
const MARK_KEYS: u64 = {
    let mut m = 0u64;
    let mut e = 0;
    while e < KEYS.len() {
        let slots = KEYS[e].2;
        if !slots.is_empty() && slots[0].0 >= MARK_VPN {
            m |= 1 << (e + 1);
        }
        e += 1;
    }
    m
};
const _: () = assert!(KEYS.len() < 64);

/// A key's bytes as three little-endian words: bytes 0..8 (zero-padded), the last eight (0 for a
/// key of at most eight bytes) and bytes 8..16 (0 for a key of at most sixteen). Together they
/// hold every byte of a key of up to 24 bytes; with its length they tell such keys apart.
type KeyWords = [u64; 3];

/// The longest key the table holds (KEYS' longest is shorter).
const MAX_KEY: usize = 24;

const fn word_at(k: &[u8], at: usize) -> u64 {
    let mut w = 0u64;
    let mut i = 0;
    while i < 8 && at + i < k.len() {
        w |= (k[at + i] as u64) << (8 * i);
        i += 1;
    }
    w
}

const fn key_words(k: &[u8]) -> KeyWords {
    let n = k.len();
    [word_at(k, 0), if n > 8 { word_at(k, n - 8) } else { 0 }, if n > 16 { word_at(k, 8) } else { 0 }]
}

/// The key hash: the words and the container, mixed by one multiplication. KEY_MUL is chosen at
/// compile time so that no two entries of KEYS share a slot (a perfect hash: one probe).
const fn key_slot(w: &KeyWords, parent: Parent, mul: u64) -> usize {
    let x = w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42) ^ (parent as u64);
    (x.wrapping_mul(mul) >> (64 - KEY_SLOT_BITS)) as usize
}

const KEY_SLOT_BITS: u32 = 8;

/// The first odd multiplier, from a fixed start, under which KEYS' hashes are all distinct.
const KEY_MUL: u64 = {
    let mut mul = 0x9E37_79B9_7F4A_7C15u64;
    let mut tries = 0;
    loop {
        assert!(tries < 100_000, "no perfect key hash found: widen KEY_SLOT_BITS");
        tries += 1;
        let mut used = [false; 1 << KEY_SLOT_BITS];
        let mut e = 0;
        while e < KEYS.len() {
            let h = key_slot(&key_words(KEYS[e].1), KEYS[e].0, mul);
            if used[h] {
                break;
            }
            used[h] = true;
            e += 1;
        }
        if e == KEYS.len() {
            break mul;
        }
        mul = mul.wrapping_add(0x2_0000_0002);
    }
};

/// By hash slot: the key there (1 + its index in KEYS; 0 = none).
static KEY_AT: [u8; 1 << KEY_SLOT_BITS] = {
    let mut t = [0u8; 1 << KEY_SLOT_BITS];
    let mut e = 0;
    while e < KEYS.len() {
        assert!(KEYS[e].1.len() <= MAX_KEY && !KEYS[e].1.is_empty());
        t[key_slot(&key_words(KEYS[e].1), KEYS[e].0, KEY_MUL)] = (e + 1) as u8;
        e += 1;
    }
    t
};

/// KEYS' entries as compared: the words, then the length and the container in the last word.
static KEY_WORDS: [[u64; 4]; KEYS.len()] = {
    let mut t = [[0u64; 4]; KEYS.len()];
    let mut e = 0;
    while e < KEYS.len() {
        let w = key_words(KEYS[e].1);
        t[e] = [w[0], w[1], w[2], KEYS[e].1.len() as u64 | (KEYS[e].0 as u64) << 8];
        e += 1;
    }
    t
};

/// The key with words `w`, `len` bytes long, in `parent`: one hash, one comparison.
#[inline(always)]
fn key_of_words(w: &KeyWords, len: usize, parent: Parent) -> Key {
    // SAFETY: key_slot's result has KEY_SLOT_BITS bits.
    let k = unsafe { *KEY_AT.get_unchecked(key_slot(w, parent, KEY_MUL)) };
    match KEY_WORDS.get((k as usize).wrapping_sub(1)) {
        Some(x) if x[0] == w[0] && x[1] == w[1] && x[2] == w[2] && x[3] == (len as u64 | (parent as u64) << 8) => k,
        _ => OTHER,
    }
}

/// For each ASCII first byte, a bit per key length (1..=31) that some key in KEYS has.
static KEY_SHAPES: [u32; 128] = {
    let mut t = [0u32; 128];
    let mut e = 0;
    while e < KEYS.len() {
        let k = KEYS[e].1;
        t[k[0] as usize & 127] |= 1 << (k.len() & 31);
        e += 1;
    }
    t
};

/// A cheap filter before `classify_key`: false when no key of that first byte and length exists.
#[inline(always)]
pub fn maybe_known_key(b: &[u8], s: usize, e: usize) -> bool {
    let len = e.wrapping_sub(s);
    match b.get(s) {
        Some(&c) if c < 128 && len < 32 => KEY_SHAPES[c as usize] >> len & 1 == 1,
        _ => false,
    }
}

/// `maybe_known_key` for a plain-ASCII key (a printable first byte `first` and `len` bytes)
/// without its range checks: a key longer than 31 bytes may pass, and `classify_key` then
/// turns it away.
#[inline(always)]
pub fn key_shape_known(first: u8, len: usize) -> bool {
    KEY_SHAPES[(first & 127) as usize] >> (len & 31) & 1 == 1
}

/// Classifies a key of a member of `parent`.
pub fn classify_key(parent: Parent, k: &[u8]) -> Key {
    if parent == Parent::Other || k.is_empty() || k.len() > MAX_KEY {
        return OTHER;
    }
    key_of_words(&key_words(k), k.len(), parent)
}

/// `classify_key` for a key of `len` bytes (1 to 8) whose first eight bytes, read where it
/// lies, are `w` (the bytes after the key are masked off).
#[inline(always)]
pub fn short_key(w: u64, len: usize, parent: Parent) -> Key {
    debug_assert!((1..=8).contains(&len));
    if parent == Parent::Other {
        return OTHER;
    }
    key_of_words(&[w & (u64::MAX >> ((64 - 8 * len as u32) & 63)), 0, 0], len, parent)
}

/// `classify_key` for the key `b[s..e]`, read as words where they lie when the record holds
/// eight bytes from the key's start (a key is followed by at least `":` and a value, so this
/// fails only near the end of a short input).
#[inline(never)]
pub fn classify_key_at(b: &[u8], s: usize, e: usize, parent: Parent) -> Key {
    let len = e.wrapping_sub(s);
    if parent == Parent::Other || len.wrapping_sub(1) >= MAX_KEY || s + 8 > b.len() || e > b.len() {
        return classify_key(parent, b.get(s..e).unwrap_or(&[]));
    }
    let load = |i: usize| {
        // SAFETY: every caller below keeps i + 8 <= b.len() (s + 8 <= b.len(), and e - 8 >= s,
        // s + 16 <= e when they are read).
        u64::from_le(unsafe { (b.as_ptr().add(i) as *const u64).read_unaligned() })
    };
    let first = load(s);
    let w = if len <= 8 {
        [first & (u64::MAX >> (64 - 8 * len as u32)), 0, 0]
    } else {
        [first, load(e - 8), if len > 16 { load(s + 8) } else { 0 }]
    };
    key_of_words(&w, len, parent)
}

/// Where each slot's value is: buffer (0 = record, 1 = unparsed document from `log`), span and
/// priority. Also what the record says about an existing `vpn` key. Only the slots whose bit is
/// in `present` hold meaningful values, so a filter reuses one `Found` after a `reset`.
pub struct Found {
    /// Bit mask of the slots that hold a value.
    pub present: u32,
    pub prio: [u8; NSLOTS],
    pub span: [Span; NSLOTS],
    pub src: [u8; NSLOTS],
    pub has_vpn: bool,
    pub has_vpnlog: bool,
    pub vpn_is_ours: bool,
}

impl Default for Found {
    fn default() -> Self {
        // SAFETY: a Span of zeros is valid (0..0, not escaped, not a string); zeroing the array
        // takes one fill where `[Span::default(); NSLOTS]` takes a store per field.
        let span: [Span; NSLOTS] = unsafe { core::mem::zeroed() };
        Found { present: 0, prio: [255; NSLOTS], span, src: [0; NSLOTS], has_vpn: false, has_vpnlog: false, vpn_is_ours: false }
    }
}

impl Found {
    /// Forgets the previous record's slots (their arrays are not cleared: see `present`).
    #[inline(always)]
    pub fn reset(&mut self) {
        self.present = 0;
        self.has_vpn = false;
        self.has_vpnlog = false;
        self.vpn_is_ours = false;
    }

    /// Notes the keys of the existing-`vpn` rule. The test of MARK_KEYS is inline, the rest
    /// out of line: almost no key is one of them.
    #[inline(always)]
    pub fn note_key(&mut self, key: Key) {
        if MARK_KEYS >> (key & 63) & 1 == 1 {
            self.note_mark(key);
        }
    }

    #[inline(never)]
    fn note_mark(&mut self, key: Key) {
        if let Some(&(_, _, &[(m, _), ..], _)) = KEYS.get((key as usize).wrapping_sub(1)) {
            match m {
                MARK_VPN => self.has_vpn = true,
                MARK_VPNLOG => self.has_vpnlog = true,
                MARK_OURS => self.vpn_is_ours = true,
                _ => {}
            }
        }
    }

    /// Records a value for every slot its key fills. Only the two flag slots take non-strings.
    #[inline(always)]
    pub fn record(&mut self, key: Key, span: Span, src: u8) {
        self.record_parts(key, span.start, span.end, span.escaped, span.string, src)
    }

    /// `record`, the span passed as its parts (a struct argument is passed through memory on
    /// wasm32).
    #[inline(never)]
    fn record_parts(&mut self, key: Key, start: u32, end: u32, escaped: bool, string: bool, src: u8) {
        let span = Span { start, end, escaped, string };
        let Some(&(_, _, slots, _)) = KEYS.get((key as usize).wrapping_sub(1)) else { return };
        for &(s, p) in slots {
            let flag = s == DPD_ENABLED || s == NAT_T_DETECTED;
            if !(span.string || flag) {
                continue;
            }
            let i = s as usize;
            let absent = self.present >> (i & 31) & 1 == 0;
            if let Some(cur) = self.prio.get_mut(i) {
                if absent || p < *cur {
                    *cur = p;
                    self.present |= 1 << i;
                    self.span[i] = span;
                    self.src[i] = src;
                }
            }
        }
    }

    /// Replaces slots with those found in the unparsed document (src 1).
    pub fn overlay(&mut self, inner: &Found) {
        let mut m = inner.present;
        while m != 0 {
            let i = m.trailing_zeros() as usize;
            m &= m - 1;
            self.prio[i] = inner.prio[i];
            self.span[i] = inner.span[i];
            self.src[i] = 1;
        }
        self.present |= inner.present;
    }

    /// The `log` value, when it is the message slot.
    pub fn log_span(&self) -> Option<Span> {
        let m = MESSAGE as usize;
        (self.present >> m & 1 == 1 && self.prio[m] == 0 && self.src[m] == 0).then_some(self.span[m])
    }
}

/// Reused buffers for decoded text.
#[derive(Default)]
pub struct Buffers {
    pub stack: Vec<u64>,
    /// The unparsed JSON document from `log`, decoded.
    pub doc: Vec<u8>,
    /// Decoded (unescaped) slot values.
    pub text: Vec<u8>,
}

/// A slot value resolved to (buffer, start, end): buffer 0 = record, 1 = doc, 2 = text.
pub type Loc = Option<(u8, u32, u32)>;

/// Scans `record`, follows a JSON document inside `log`, and decodes every present slot.
/// Returns None when the record is not a valid JSON object.
#[inline(never)]
pub fn locate(record: Padded, bufs: &mut Buffers, found: &mut Found, locs: &mut [Loc; NSLOTS]) -> Option<json::Root> {
    let root = record.scan(&mut bufs.stack, found, 0)?;
    crate::probe!(10);
    bufs.text.clear();
    if let Some(log) = found.log_span() {
        if log.escaped {
            nested_document(&record, log, bufs, found);
        }
    }
    resolve(&record, bufs, found, found.present, locs);
    Some(root)
}

/// Resolves the slots of `mask`, decoding the escaped values into `bufs.text`.
#[inline(always)]
fn resolve(record: &[u8], bufs: &mut Buffers, found: &Found, mut m: u32, locs: &mut [Loc; NSLOTS]) {
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        let sp = found.span[i];
        locs[i] = if sp.escaped { decode(record, bufs, found.src[i], sp) } else { Some((found.src[i], sp.start, sp.end)) };
    }
}

/// A `log` value holding a JSON document as a string (a `tail` input without a parser): when it
/// is one, its keys replace the record's.
#[inline(never)]
fn nested_document(record: &[u8], log: Span, bufs: &mut Buffers, found: &mut Found) {
    let raw = record.get(log.start as usize..log.end as usize).unwrap_or(&[]);
    if !maybe_document(raw) {
        return;
    }
    bufs.doc.clear();
    json::unescape(raw, &mut bufs.doc);
    overlay_document(bufs, found);
}

/// When the decoded `log` text in `bufs.doc` is a JSON document, its keys replace the record's.
fn overlay_document(bufs: &mut Buffers, found: &mut Found) {
    let mut inner = Found::default();
    if Padded::of(&mut bufs.doc).scan(&mut bufs.stack, &mut inner, 1).is_some() {
        found.overlay(&inner);
    }
}

/// `locate` for a record whose first member is `log` (its string body ends at `q`), whose
/// text the caller already decoded: into `bufs.text`, or, when it may be a JSON document
/// (`document`), into `bufs.doc`, whose keys then replace the record's as in `locate`. Only
/// the members after the text are scanned (filter.rs: `{"log":"..."}` with escapes, Docker's
/// `{"log":"...\n","stream":...}`). None when they are not compact JSON (the caller then
/// uses `locate`).
#[inline(never)]
pub fn locate_after_log(record: Padded, q: usize, document: bool, bufs: &mut Buffers, found: &mut Found, locs: &mut [Loc; NSLOTS]) -> Option<json::Root> {
    // First, as in the record: a later duplicate `log` key does not replace it.
    found.record(LOG_KEY, Span { start: 8, end: q as u32, escaped: true, string: true }, 0);
    let root = if q + 2 == record.len() {
        json::Root { close: q + 1, empty: false }
    } else if record.get(q + 1) == Some(&b',') {
        record.scan_rest(q + 2, found)?
    } else {
        return None;
    };
    let m = MESSAGE as usize;
    if document {
        overlay_document(bufs, found);
        bufs.text.clear();
        if found.src[m] == 0 {
            // No message key in the document: the message is the document's text.
            bufs.text.extend_from_slice(&bufs.doc);
        }
    }
    let mut mask = found.present;
    if found.src[m] == 0 {
        // The log text (priority 0, nothing in the record outranks it), decoded.
        locs[m] = Some((2, 0, bufs.text.len() as u32));
        mask &= !(1 << m);
    }
    resolve(&record, bufs, found, mask, locs);
    Some(root)
}

/// A `log` value (raw JSON string body) that may be a JSON document: `{` after spaces or tabs.
pub fn maybe_document(raw: &[u8]) -> bool {
    let first = raw.iter().position(|c| !matches!(c, b' ' | b'\t'));
    first.and_then(|i| raw.get(i)) == Some(&b'{')
}

/// Unescapes a slot value into the text buffer.
#[inline(never)]
fn decode(record: &[u8], bufs: &mut Buffers, src: u8, sp: Span) -> Loc {
    let buf: &[u8] = if src == 0 { record } else { &bufs.doc };
    let raw = buf.get(sp.start as usize..sp.end as usize).unwrap_or(&[]);
    let start = bufs.text.len() as u32;
    json::unescape(raw, &mut bufs.text);
    Some((2, start, bufs.text.len() as u32))
}

/// The slot texts of a record: slot i's text when bit i of `present` is set. The others are
/// not written: a record fills few of the NSLOTS slots, and clearing the rest would cost an
/// interpreter a store each for every record classified.
#[derive(Clone, Copy)]
pub struct Texts<'a> {
    present: u32,
    vals: [MaybeUninit<&'a [u8]>; NSLOTS],
}

impl<'a> Texts<'a> {
    /// The texts of a record whose only slot is the message.
    #[inline(always)]
    pub fn message(text: &'a [u8]) -> Self {
        let mut t = Texts { present: 1 << MESSAGE, vals: [MaybeUninit::uninit(); NSLOTS] };
        t.vals[MESSAGE as usize] = MaybeUninit::new(text);
        t
    }

    /// The slots that have a text (bit i: slot i).
    #[inline(always)]
    pub fn present(&self) -> u32 {
        self.present
    }

    /// Slot `s`'s text, if the record has one.
    #[inline(always)]
    pub fn get(&self, s: usize) -> Option<&'a [u8]> {
        match self.vals.get(s) {
            // SAFETY: bit s of `present` is set only where vals[s] was written.
            Some(v) if self.present >> (s & 31) & 1 == 1 => Some(unsafe { v.assume_init() }),
            _ => None,
        }
    }
}

/// Turns resolved locations into slices.
pub fn texts<'a>(record: &'a [u8], bufs: &'a Buffers, present: u32, locs: &[Loc; NSLOTS]) -> Texts<'a> {
    let mut out = Texts { present: 0, vals: [MaybeUninit::uninit(); NSLOTS] };
    let mut m = present;
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        if let (Some(o), Some(&Some((b, s, e)))) = (out.vals.get_mut(i), locs.get(i)) {
            let buf: &[u8] = match b {
                0 => record,
                1 => &bufs.doc,
                _ => &bufs.text,
            };
            if let Some(t) = buf.get(s as usize..e as usize) {
                *o = MaybeUninit::new(t);
                out.present |= 1 << i;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of KEYS is found in its container, read in place (`classify_key_at`, at every
    /// offset and with the record ending right after the key or later) and from a slice; a
    /// key one byte off, shorter or longer, or in another container, is not.
    #[test]
    fn the_key_table_finds_exactly_its_keys() {
        // The eight bytes from `i` of a padded buffer.
        let word = |p: &json::Padded, i: usize| {
            let mut w = [0u8; 8];
            // SAFETY: i < p.len(), and the pad covers the bytes after the end.
            unsafe { core::ptr::copy_nonoverlapping(p.as_ptr().add(i), w.as_mut_ptr(), 8) };
            u64::from_le_bytes(w)
        };
        let parents = [Parent::Root, Parent::Message, Parent::Properties, Parent::Data, Parent::Vpn, Parent::Other];
        for (i, &(parent, key, _, _)) in KEYS.iter().enumerate() {
            let want = (i + 1) as Key;
            assert_eq!(classify_key(parent, key), want, "{}", String::from_utf8_lossy(key));
            for pad in 0..9 {
                for tail in [&b""[..], b"\":\"value\"}"] {
                    let mut b = vec![b'x'; pad];
                    b.extend_from_slice(key);
                    b.extend_from_slice(tail);
                    assert_eq!(classify_key_at(&b, pad, pad + key.len(), parent), want, "{} at {pad}", String::from_utf8_lossy(key));
                    if key.len() <= 8 {
                        // As the compact scanner reads a short key: one word where it lies, in
                        // a padded buffer (what follows the key must not matter).
                        let p = json::Padded::of(&mut b);
                        assert_eq!(short_key(word(&p, pad), key.len(), parent), want, "{} at {pad} (short)", String::from_utf8_lossy(key));
                    }
                }
            }
            for &other in parents.iter().filter(|&&p| p != parent) {
                let k = classify_key(other, key);
                assert!(k == OTHER || KEYS[k as usize - 1].0 == other, "{} in {other:?}", String::from_utf8_lossy(key));
            }
            let mut variants: Vec<Vec<u8>> = vec![key[..key.len() - 1].to_vec(), [key, b"s"].concat()];
            for j in 0..key.len() {
                let mut v = key.to_vec();
                v[j] ^= 0x20;
                variants.push(v);
            }
            for v in variants.iter().filter(|v| !KEYS.iter().any(|e| e.0 == parent && e.1 == v.as_slice())) {
                assert_eq!(classify_key(parent, v), OTHER, "{}", String::from_utf8_lossy(v));
                let mut b = [v.as_slice(), b"\":1}"].concat();
                assert_eq!(classify_key_at(&b, 0, v.len(), parent), OTHER, "{}", String::from_utf8_lossy(v));
                if (1..=8).contains(&v.len()) {
                    let p = json::Padded::of(&mut b);
                    assert_eq!(short_key(word(&p, 0), v.len(), parent), OTHER, "{} (short)", String::from_utf8_lossy(v));
                }
            }
        }
    }
}
