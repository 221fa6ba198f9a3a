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

use crate::classify::{self, Classification};
use crate::dispatch::Candidates;
use crate::json;
use crate::locate::{self, Buffers, Found, Loc, NSLOTS};
use crate::write;

/// A filter instance: every buffer it needs, kept for its whole life.
#[derive(Default)]
pub struct Filter {
    out: Vec<u8>,
    bufs: Buffers,
    cands: Candidates,
}

impl Filter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Filters one record. The result is valid until the next call; it is followed in memory by
    /// a NUL byte (not part of the slice) for C-string hosts.
    #[inline(never)]
    pub fn process(&mut self, record: &[u8]) -> &[u8] {
        crate::probe!(1);
        self.out.clear();
        let mut found = Found::default();
        let mut locs: [Loc; NSLOTS] = [None; NSLOTS];
        match locate::locate(record, &mut self.bufs, &mut found, &mut locs) {
            None => {
                self.out.extend_from_slice(b"{\"vpnlog_invalid\":\"");
                json::escape_lossy(record, &mut self.out);
                self.out.extend_from_slice(b"\"}");
            }
            Some(root) => {
                crate::probe!(2);
                let key: Option<&[u8]> = match (found.has_vpn, found.vpn_is_ours, found.has_vpnlog) {
                    (false, _, _) => Some(b"vpn"),
                    (true, false, false) => Some(b"vpnlog"),
                    _ => None,
                };
                let texts = locate::texts(record, &self.bufs, found.present, &locs);
                crate::probe!(3);
                let class = key.and_then(|k| classify::classify(&texts, found.present, &mut self.cands).map(|c| (k, c)));
                crate::probe!(4);
                match class {
                    Some((k, c)) => {
                        let (head, tail) = record.split_at(root.close);
                        self.out.extend_from_slice(head);
                        if !root.empty {
                            self.out.push(b',');
                        }
                        crate::probe!(50);
                        write::member(&mut self.out, k, &c);
                        crate::probe!(51);
                        self.out.extend_from_slice(tail);
                    }
                    None => self.out.extend_from_slice(record),
                }
            }
        }
        crate::probe!(5);
        self.finish()
    }

    /// The output when the host could not copy the record in.
    #[cold]
    #[inline(never)]
    pub fn missing_record(&mut self, len: usize) -> &[u8] {
        self.out.clear();
        self.out.extend_from_slice(b"{\"vpnlog_error\":\"record not copied into the filter\",\"record_len\":");
        let mut digits = [0u8; 20];
        let mut n = len;
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&digits[i..]);
        self.out.push(b'}');
        self.finish()
    }

    fn finish(&mut self) -> &[u8] {
        self.out.push(0);
        let n = self.out.len() - 1;
        &self.out[..n]
    }

    /// Classifies without writing (for tools and tests). The classification borrows the record
    /// and this filter's buffers.
    pub fn classify<'a>(&'a mut self, record: &'a [u8]) -> Option<Classification<'a>> {
        let mut found = Found::default();
        let mut locs: [Loc; NSLOTS] = [None; NSLOTS];
        locate::locate(record, &mut self.bufs, &mut found, &mut locs)?;
        let texts = locate::texts(record, &self.bufs, found.present, &locs);
        classify::classify(&texts, found.present, &mut self.cands)
    }
}
