//! Locates the text vpnlog classifies: which record keys fill which input slot (the table below
//! is the documented order), and the decoding of those values into plain text, including a JSON
//! document left unparsed inside `log`.

use crate::fields::SLOTS;
use crate::json::{self, Span};

pub const NSLOTS: usize = SLOTS.len();

/// Slot indices (same order as `fields::SLOTS`).
pub mod slot {
    pub const MESSAGE: u8 = 0;
    pub const CATEGORY: u8 = 1;
    pub const OPERATION: u8 = 2;
    pub const EVENT_NAME: u8 = 3;
    pub const TYPE: u8 = 4;
    pub const STATUS: u8 = 5;
    pub const LEVEL: u8 = 6;
    pub const PHASE1_STATE: u8 = 7;
    pub const PHASE2_STATE: u8 = 8;
    pub const DPD_ENABLED: u8 = 9;
    pub const NAT_T_DETECTED: u8 = 10;
    pub const RESOURCE: u8 = 11;
    pub const PREFIX: u8 = 12;
    pub const AS_PATH: u8 = 13;
    pub const NEXT_HOP: u8 = 14;
    pub const REMOTE_IP: u8 = 15;
    pub const INSTANCE: u8 = 16;
    pub const CHANGE_REASON: u8 = 17;
}

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

/// A classified key: which slots its value fills (slot, priority; lower wins) and, when its value
/// is an object, which parent its members have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Other,
    Known(&'static [(u8, u8)], Parent),
}

impl Key {
    pub fn as_parent(self) -> Parent {
        match self {
            Key::Known(_, p) => p,
            Key::Other => Parent::Other,
        }
    }
}

use slot::*;
const NONE: Parent = Parent::Other;

/// The key table. Message keys in priority order: `log`, `message`, `msg`, `MESSAGE`, `Message`,
/// `details`, `message.details`, `properties.message`, `properties.Message`.
pub fn classify_key(parent: Parent, k: &[u8]) -> Key {
    let known = |s: &'static [(u8, u8)], p| Key::Known(s, p);
    match parent {
        Parent::Root => match k {
            b"log" => known(&[(MESSAGE, 0)], NONE),
            b"message" => known(&[(MESSAGE, 1)], Parent::Message),
            b"msg" => known(&[(MESSAGE, 2)], NONE),
            b"MESSAGE" => known(&[(MESSAGE, 3)], NONE),
            b"Message" => known(&[(MESSAGE, 4)], NONE),
            b"details" => known(&[(MESSAGE, 5)], NONE),
            b"Category" => known(&[(CATEGORY, 0)], NONE),
            b"category" => known(&[(CATEGORY, 1)], NONE),
            b"OperationName" => known(&[(OPERATION, 0)], NONE),
            b"operationName" => known(&[(OPERATION, 1)], NONE),
            b"name" => known(&[(EVENT_NAME, 0)], NONE),
            b"eventName" => known(&[(EVENT_NAME, 1)], NONE),
            b"type" => known(&[(TYPE, 0), (EVENT_NAME, 3)], NONE),
            b"status" => known(&[(STATUS, 0)], NONE),
            b"status_s" => known(&[(STATUS, 1)], NONE),
            b"level" => known(&[(LEVEL, 0)], NONE),
            b"Level" => known(&[(LEVEL, 1)], NONE),
            b"ike_phase1_state" => known(&[(PHASE1_STATE, 0)], NONE),
            b"ike_phase2_state" => known(&[(PHASE2_STATE, 0)], NONE),
            b"dpd_enabled" => known(&[(DPD_ENABLED, 0)], NONE),
            b"nat_t_detected" => known(&[(NAT_T_DETECTED, 0)], NONE),
            b"resource_id" => known(&[(RESOURCE, 0)], NONE),
            b"resourceId" => known(&[(RESOURCE, 1)], NONE),
            b"remoteIP_s" => known(&[(REMOTE_IP, 0)], NONE),
            b"instance_s" => known(&[(INSTANCE, 0)], NONE),
            b"stateChangeReason_s" => known(&[(CHANGE_REASON, 0)], NONE),
            b"properties" => known(&[], Parent::Properties),
            b"data" => known(&[], Parent::Data),
            b"vpn" => known(&[], Parent::Vpn),
            _ => Key::Other,
        },
        Parent::Message => match k {
            b"details" => known(&[(MESSAGE, 6)], NONE),
            b"prefix" => known(&[(PREFIX, 0)], NONE),
            b"asPath" => known(&[(AS_PATH, 0)], NONE),
            b"nextHopIp" => known(&[(NEXT_HOP, 0)], NONE),
            _ => Key::Other,
        },
        Parent::Properties => match k {
            b"message" => known(&[(MESSAGE, 7)], NONE),
            b"Message" => known(&[(MESSAGE, 8)], NONE),
            b"status" => known(&[(STATUS, 2)], NONE),
            b"remoteIP" => known(&[(REMOTE_IP, 1)], NONE),
            b"instance" => known(&[(INSTANCE, 1)], NONE),
            b"stateChangeReason" => known(&[(CHANGE_REASON, 1)], NONE),
            _ => Key::Other,
        },
        Parent::Data => match k {
            b"name" => known(&[(EVENT_NAME, 2)], NONE),
            b"level" => known(&[(LEVEL, 2)], NONE),
            b"resourceId" => known(&[(RESOURCE, 2)], NONE),
            _ => Key::Other,
        },
        Parent::Vpn | Parent::Other => Key::Other,
    }
}

/// Where each slot's value is: buffer (0 = record, 1 = unparsed document from `log`), span and
/// priority (255 = absent). Also what the record says about an existing `vpn` key.
pub struct Found {
    pub prio: [u8; NSLOTS],
    pub span: [Span; NSLOTS],
    pub src: [u8; NSLOTS],
    pub has_vpn: bool,
    pub has_vpnlog: bool,
    pub vpn_is_ours: bool,
}

impl Default for Found {
    fn default() -> Self {
        Found { prio: [255; NSLOTS], span: [Span::default(); NSLOTS], src: [0; NSLOTS], has_vpn: false, has_vpnlog: false, vpn_is_ours: false }
    }
}

impl Found {
    pub fn note_key1(&mut self, k: &[u8]) {
        match k {
            b"vpn" => self.has_vpn = true,
            b"vpnlog" => self.has_vpnlog = true,
            _ => {}
        }
    }

    /// Records a value for every slot its key fills. Only the two flag slots take non-strings.
    pub fn record(&mut self, key: Key, span: Span, src: u8) {
        let Key::Known(slots, _) = key else { return };
        for &(s, p) in slots {
            let flag = s == DPD_ENABLED || s == NAT_T_DETECTED;
            if !(span.string || flag) {
                continue;
            }
            let i = s as usize;
            if let Some(cur) = self.prio.get_mut(i) {
                if p < *cur {
                    *cur = p;
                    self.span[i] = span;
                    self.src[i] = src;
                }
            }
        }
    }

    /// Replaces slots with those found in the unparsed document (src 1).
    pub fn overlay(&mut self, inner: &Found) {
        for i in 0..NSLOTS {
            if inner.prio[i] != 255 {
                self.prio[i] = inner.prio[i];
                self.span[i] = inner.span[i];
                self.src[i] = 1;
            }
        }
    }

    /// The `log` value, when it is the message slot.
    pub fn log_span(&self) -> Option<Span> {
        (self.prio[MESSAGE as usize] == 0 && self.src[MESSAGE as usize] == 0).then_some(self.span[MESSAGE as usize])
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
pub fn locate(record: &[u8], bufs: &mut Buffers, found: &mut Found, locs: &mut [Loc; NSLOTS]) -> Option<json::Root> {
    let root = json::scan(record, &mut bufs.stack, found, 0)?;
    bufs.doc.clear();
    bufs.text.clear();
    if let Some(log) = found.log_span() {
        let raw = record.get(log.start as usize..log.end as usize).unwrap_or(&[]);
        let first = raw.iter().position(|c| !matches!(c, b' ' | b'\t'));
        if log.escaped && first.and_then(|i| raw.get(i)) == Some(&b'{') {
            json::unescape(raw, &mut bufs.doc);
            let mut inner = Found::default();
            if json::scan(&bufs.doc, &mut bufs.stack, &mut inner, 1).is_some() {
                found.overlay(&inner);
            }
        }
    }
    for i in 0..NSLOTS {
        locs[i] = None;
        if found.prio[i] == 255 {
            continue;
        }
        let sp = found.span[i];
        if sp.escaped {
            let buf: &[u8] = if found.src[i] == 0 { record } else { &bufs.doc };
            let raw = buf.get(sp.start as usize..sp.end as usize).unwrap_or(&[]);
            let start = bufs.text.len() as u32;
            json::unescape(raw, &mut bufs.text);
            locs[i] = Some((2, start, bufs.text.len() as u32));
        } else {
            locs[i] = Some((found.src[i], sp.start, sp.end));
        }
    }
    Some(root)
}

/// Turns resolved locations into slices.
pub fn texts<'a>(record: &'a [u8], bufs: &'a Buffers, locs: &[Loc; NSLOTS]) -> [Option<&'a [u8]>; NSLOTS] {
    let mut out = [None; NSLOTS];
    for (o, l) in out.iter_mut().zip(locs.iter()) {
        if let Some((b, s, e)) = *l {
            let buf: &[u8] = match b {
                0 => record,
                1 => &bufs.doc,
                _ => &bufs.text,
            };
            *o = buf.get(s as usize..e as usize);
        }
    }
    out
}
