//! The record-to-record filter every face uses (the wasm exports, the native API): validate and
//! locate, classify, and write the output into a buffer owned by the filter and reused.
//!
//! The output for every input:
//! - a classified JSON object: the original bytes with `"vpn":{...}` added as its last member;
//! - a JSON object that is not a VPN event: the original bytes, unchanged;
//! - a record that already has a `vpn` key: when that value is vpnlog's own (an object with a
//!   `rule` member) the record is returned unchanged, so filtering twice equals filtering once;
//!   otherwise the classification goes under `vpnlog`, or nowhere when `vpnlog` is taken too;
//! - input that is not a JSON object (never sent by Fluent Bit in json mode): the object
//!   `{"vpnlog_invalid":"<the input as a JSON string>"}`, so that nothing is lost silently;
//! - no record at all (the host failed to copy it in):
//!   `{"vpnlog_error":"record not copied into the filter","record_len":N}`.

use crate::catalogue::ANCHOR_SLOT_MASK;
use crate::classify::{self, Classification};
use crate::dispatch::Candidates;
use crate::json::{self, Padded};
use crate::msgpack;
use crate::locate::{self, Buffers, Found, Loc, NSLOTS};
use crate::projection::{self, Projection, Time};
use crate::write;

/// Appends `record` (or a part of it) to the output while the output is still empty:
/// `filter_with` cleared it and reserved the record's length and more, so no capacity check is
/// needed (every check costs the interpreter on every record).
#[inline(always)]
fn copy_record(out: &mut Vec<u8>, record: &[u8]) {
    debug_assert!(out.is_empty() && out.capacity() >= record.len());
    // SAFETY: out is empty and has room for the record (filter_with's reserve): every caller
    // copies before anything else is written.
    unsafe {
        core::ptr::copy_nonoverlapping(record.as_ptr(), out.as_mut_ptr(), record.len());
        out.set_len(record.len());
    }
}

/// A filter instance: every buffer it needs, kept for its whole life.
#[derive(Default)]
pub struct Filter {
    out: Vec<u8>,
    bufs: Buffers,
    cands: Candidates,
    /// A copy of the record with the scanner's pad after it, for callers that cannot vouch for
    /// the bytes after theirs (`process`).
    copy: Vec<u8>,
    /// Where the current record's slot values are; reset, not rebuilt, per record.
    found: Found,
    locs: [Loc; NSLOTS],
}

impl Filter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Filters one record. The result is valid until the next call; it is followed in memory by
    /// a NUL byte (not part of the slice) for C-string hosts. The record is copied first, to put
    /// the scanner's pad after it (json::Padded); `process_padded` does without the copy.
    pub fn process(&mut self, record: &[u8]) -> &[u8] {
        self.padded_copy(record, None)
    }

    /// Filters one record like `process`, with the classification written in a backend
    /// projection (src/projection.rs) instead of the native `vpn` object. `time` is the
    /// record's timestamp (OCSF `time`).
    pub fn process_projected(&mut self, record: &[u8], p: Projection, time: Time) -> &[u8] {
        self.padded_copy(record, Some((p, time)))
    }

    /// `process` for a record that already has the pad after it (a record Fluent Bit copied in
    /// with its trailing NUL, src/abi.rs).
    pub fn process_padded(&mut self, record: Padded, form: Option<(Projection, Time)>) -> &[u8] {
        self.filter_with(record, form);
        self.finished()
    }

    /// `process_padded` returning where the output starts (the module's exports need no more:
    /// a plain pointer is returned in a register, a slice through memory).
    #[cfg(target_family = "wasm")]
    #[inline(always)]
    pub(crate) fn process_padded_at(&mut self, record: Padded, form: Option<(Projection, Time)>) -> *const u8 {
        self.filter_with(record, form);
        self.out.as_ptr()
    }

    /// The record copied into `copy`, padded, and filtered.
    #[inline(never)]
    fn padded_copy(&mut self, record: &[u8], form: Option<(Projection, Time)>) -> &[u8] {
        let mut copy = core::mem::take(&mut self.copy);
        self.filter_with(Padded::copy_into(&mut copy, record), form);
        self.copy = copy;
        self.finished()
    }

    /// The pipeline every export shares; the classification is written, in the native form
    /// (`form` None) or a projection, where the root object closes (after the record's last
    /// member). One copy of it for every export keeps the module small.
    #[inline(never)]
    fn filter_with(&mut self, record: Padded, form: Option<(Projection, Time)>) {
        crate::probe!(1);
        self.out.clear();
        // One allocation for the record and what is appended; growing by doubling would leave
        // a big record's buffer twice as large as needed for the life of the instance. The
        // copies of the record (`copy_record`) rely on this room.
        self.out.reserve(record.len() + 4096);
        // The common `{"log":"<text>"}` shape needs neither the scanner nor the slot table.
        if !json::log_frame(&record) {
            self.scanned(record, form);
        } else {
            let e = record.plain_run(8);
            if e + 2 == record.len() {
                self.log_only(record, e, form);
            } else if !self.log_decoded(record, e, form) {
                self.scanned(record, form);
            }
        }
        self.out.push(0);
    }

    /// A record that is `{"log":"<plain text>"}`, the text ending at `end`.
    #[inline(never)]
    fn log_only(&mut self, record: Padded, end: usize, form: Option<(Projection, Time)>) {
        crate::probe!(10);
        let mut class = classify::classify_message(&record[8..end], &mut self.cands);
        if let Some(c) = &mut class {
            // Plain text: no quote, backslash or control byte in it.
            c.clean = true;
        }
        Self::write(&mut self.out, record, json::Root { close: end + 1, empty: false }, b"vpn", class, form);
        crate::probe!(5);
    }

    /// A record framed as `{"log":"` ... `"}` whose text holds escapes or non-ASCII bytes from
    /// `e` on: when it is that one member, its text decoded, classified and written; with more
    /// members, or a text that may be a JSON document, see `log_then_members`. False when the
    /// record is for `scanned` (the text is not a valid string, or what follows it is not
    /// compact JSON).
    #[inline(never)]
    fn log_decoded(&mut self, record: Padded, e: usize, form: Option<(Projection, Time)>) -> bool {
        let n = record.len();
        if locate::maybe_document(&record[8..]) {
            return self.log_document(record, e, form);
        }
        let text = &mut self.bufs.text;
        text.clear();
        text.extend_from_slice(&record[8..e]);
        match record.decode_string(e, text) {
            Some(q) if q == n - 2 => {}
            // More members after the text (Docker's `"stream"` and `"time"`): the decoded
            // text is kept, the rest scanned.
            Some(q) if record.get(q + 1) == Some(&b',') => return self.log_then_members(record, q, false, form),
            _ => return false,
        }
        crate::probe!(10);
        let class = classify::classify_message(text, &mut self.cands);
        Self::write(&mut self.out, record, json::Root { close: n - 1, empty: false }, b"vpn", class, form);
        crate::probe!(5);
        true
    }

    /// `log_decoded` for a text that may be a JSON document (`{` after spaces): decoded in one
    /// pass into the document buffer, whose keys locate::locate_after_log reads.
    #[inline(never)]
    fn log_document(&mut self, record: Padded, e: usize, form: Option<(Projection, Time)>) -> bool {
        let doc = &mut self.bufs.doc;
        doc.clear();
        doc.extend_from_slice(&record[8..e]);
        match record.decode_string(e, doc) {
            Some(q) => self.log_then_members(record, q, true, form),
            None => false,
        }
    }

    /// A record that begins with a `log` member whose text `log_decoded` decoded (it ends at
    /// `q`; into the document buffer when `document`): as `scanned`, without reading the text
    /// again. False when what follows the text is not compact JSON; the record is then for
    /// `scanned`.
    #[inline(never)]
    fn log_then_members(&mut self, record: Padded, q: usize, document: bool, form: Option<(Projection, Time)>) -> bool {
        self.found.reset();
        let Some(root) = locate::locate_after_log(record, q, document, &mut self.bufs, &mut self.found, &mut self.locs) else { return false };
        crate::probe!(10);
        if self.found.has_vpn && (self.found.vpn_is_ours || self.found.has_vpnlog) {
            copy_record(&mut self.out, &record);
        } else {
            self.classify_into_out(record, root, form);
        }
        crate::probe!(5);
        true
    }

    /// Any other record: scanned, its slots located.
    #[inline(never)]
    fn scanned(&mut self, record: Padded, form: Option<(Projection, Time)>) {
        self.found.reset();
        match locate::locate(record, &mut self.bufs, &mut self.found, &mut self.locs) {
            None => self.invalid(&record),
            // Nothing an anchor could be in, or already classified: the record as it is.
            Some(_) if self.found.present & ANCHOR_SLOT_MASK == 0 || (self.found.has_vpn && (self.found.vpn_is_ours || self.found.has_vpnlog)) => {
                copy_record(&mut self.out, &record)
            }
            Some(root) => self.classify_into_out(record, root, form),
        }
        crate::probe!(5);
    }

    /// Classifies and writes the output: the record with the classification appended, or the
    /// record.
    #[inline(never)]
    fn classify_into_out(&mut self, record: Padded, root: json::Root, form: Option<(Projection, Time)>) {
        crate::probe!(2);
        let found = &self.found;
        let key: &[u8] = if found.has_vpn { b"vpnlog" } else { b"vpn" };
        let texts = locate::texts(record.bytes(), &self.bufs, found.present, &self.locs);
        crate::probe!(3);
        let mut class = classify::classify(&texts, &mut self.cands);
        if let Some(c) = &mut class {
            // No slot value was decoded: every text is a string body as the record (or the
            // document in `log`) holds it, which has no quote, backslash or control byte.
            c.clean = self.bufs.text.is_empty();
        }
        crate::probe!(4);
        Self::write(&mut self.out, record, root, key, class, form);
    }

    /// The output: the record with the classification `class` appended under `key`, or the
    /// record.
    #[inline(always)]
    fn write(out: &mut Vec<u8>, record: Padded, root: json::Root, key: &[u8], class: Option<Classification>, form: Option<(Projection, Time)>) {
        match class {
            None => copy_record(out, &record),
            Some(c) => Self::append(out, record, root, key, c, form),
        }
    }

    /// The record with the classification `c` appended under `key`. Out of line: most records
    /// are not classified and do not pay for it.
    #[inline(never)]
    fn append(out: &mut Vec<u8>, record: Padded, root: json::Root, key: &[u8], c: Classification, form: Option<(Projection, Time)>) {
        let (head, tail) = record.split_at(root.close);
        copy_record(out, head);
        crate::probe!(50);
        match form {
            None => {
                if !root.empty {
                    out.push(b',');
                }
                write::member(out, key, &c);
            }
            Some((p, time)) => projection::append(out, record, root, key, &c, p, time),
        }
        crate::probe!(51);
        out.extend_from_slice(tail);
    }

    /// Input that is not a JSON object, wrapped so that nothing is lost; a msgpack map (Fluent
    /// Bit's msgpack mode) as described in msgpack.rs.
    #[cold]
    #[inline(never)]
    fn invalid(&mut self, record: &[u8]) {
        if msgpack::is_one_map(record) {
            let zero = record.contains(&0);
            self.out.extend_from_slice(if zero { msgpack::ZERO_BYTE_RECORD } else { record });
            return;
        }
        self.out.extend_from_slice(b"{\"vpnlog_invalid\":\"");
        json::escape_lossy(record, &mut self.out);
        self.out.extend_from_slice(b"\"}");
    }

    /// The output when the host could not copy the record in.
    #[cold]
    #[inline(never)]
    pub fn missing_record(&mut self, len: usize) -> &[u8] {
        self.out.clear();
        self.out.extend_from_slice(b"{\"vpnlog_error\":\"record not copied into the filter\",\"record_len\":");
        projection::number(&mut self.out, len as u64);
        self.out.push(b'}');
        self.finish()
    }

    fn finish(&mut self) -> &[u8] {
        self.out.push(0);
        self.finished()
    }

    /// The output `finish` terminated, without its NUL.
    fn finished(&self) -> &[u8] {
        &self.out[..self.out.len().saturating_sub(1)]
    }

    /// Classifies without writing (for tools and tests). The classification borrows this
    /// filter's copy of the record and its buffers.
    pub fn classify<'a>(&'a mut self, record: &[u8]) -> Option<Classification<'a>> {
        let mut found = Found::default();
        let mut locs: [Loc; NSLOTS] = [None; NSLOTS];
        let record = Padded::copy_into(&mut self.copy, record);
        locate::locate(record, &mut self.bufs, &mut found, &mut locs)?;
        let texts = locate::texts(record.bytes(), &self.bufs, found.present, &locs);
        classify::classify(&texts, &mut self.cands)
    }
}
