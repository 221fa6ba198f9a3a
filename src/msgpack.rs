//! Records in Fluent Bit's `event_format msgpack` mode (a msgpack map, never JSON: a JSON text
//! cannot start with a map marker). vpnlog classifies JSON only; such a record goes back as it
//! came, which the host keeps intact only when it holds no 0x00 byte (the host measures the
//! returned buffer with strlen). A record with a 0x00 byte cannot survive that host in any
//! encoding, so it is replaced by [`ZERO_BYTE_RECORD`], a map with no 0x00 byte, rather than
//! cut at the zero into bytes that corrupt the rest of the chunk.

/// `{"vpnlog_error":"event_format msgpack cuts records at a 0x00 byte: use event_format json"}`
/// in msgpack (fixmap 1, fixstr key, str8 value).
pub const ZERO_BYTE_RECORD: &[u8] =
    b"\x81\xacvpnlog_error\xd9\x47event_format msgpack cuts records at a 0x00 byte: use event_format json";

/// Whether `b` is exactly one msgpack map: walks it once, counting the objects still to read
/// (no recursion, so nesting costs no call depth).
pub fn is_one_map(b: &[u8]) -> bool {
    if !matches!(b.first(), Some(0x80..=0x8f | 0xde | 0xdf)) {
        return false;
    }
    let mut pending: u64 = 1;
    let mut i = 0usize;
    let be = |i: usize, n: usize| -> Option<u64> { Some(b.get(i..i.checked_add(n)?)?.iter().fold(0u64, |a, &c| a << 8 | u64::from(c))) };
    while pending > 0 {
        let Some(&t) = b.get(i) else { return false };
        i += 1;
        pending -= 1;
        // (bytes of length field, or of fixed payload; payload length from the field; objects added)
        let (skip, more): (u64, u64) = match t {
            0x00..=0x7f | 0xc0 | 0xc2 | 0xc3 | 0xe0..=0xff => (0, 0),
            0x80..=0x8f => (0, 2 * u64::from(t & 0x0f)),
            0x90..=0x9f => (0, u64::from(t & 0x0f)),
            0xa0..=0xbf => (u64::from(t & 0x1f), 0),
            0xc4..=0xc6 | 0xd9..=0xdb => {
                let n = if t <= 0xc6 { 1usize << (t - 0xc4) } else { 1usize << (t - 0xd9) };
                let Some(len) = be(i, n) else { return false };
                i += n;
                (len, 0)
            }
            0xc7..=0xc9 => {
                let n = 1usize << (t - 0xc7);
                let Some(len) = be(i, n) else { return false };
                i += n;
                (len + 1, 0)
            }
            0xca => (4, 0),
            0xcb => (8, 0),
            0xcc..=0xcf => (1 << (t - 0xcc), 0),
            0xd0..=0xd3 => (1 << (t - 0xd0), 0),
            0xd4..=0xd8 => (1 + (1 << (t - 0xd4)), 0),
            0xdc..=0xdf => {
                let n = if t & 1 == 0 { 2 } else { 4 };
                let Some(count) = be(i, n) else { return false };
                i += n;
                (0, if t >= 0xde { 2 * count } else { count })
            }
            0xc1 => return false,
        };
        let Some(end) = usize::try_from(skip).ok().and_then(|s| i.checked_add(s)).filter(|&e| e <= b.len()) else { return false };
        i = end;
        pending += more;
        // Every object takes at least one byte: more pending objects than bytes left is a lie.
        if pending > (b.len() - i) as u64 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_exactly_one_map() {
        assert!(is_one_map(b"\x80"));
        assert!(is_one_map(b"\x81\xa1a\x01"));
        assert!(is_one_map(b"\x81\xa1a\x92\xcd\x01\x00\xc0"));
        assert!(is_one_map(b"\xde\x00\x01\xa1k\xd9\x02hi"));
        assert!(!is_one_map(b"\x81\xa1a"));
        assert!(!is_one_map(b"\x81\xa1a\x01\x01"));
        assert!(!is_one_map(b"\x91\x01"));
        assert!(!is_one_map(b"{\"a\":1}"));
        assert!(!is_one_map(b"\xdf\xff\xff\xff\xff\x01"));
        assert!(!is_one_map(b"\x81\xc1\x01"));
    }

    #[test]
    fn the_replacement_record_has_no_zero_byte() {
        assert!(!ZERO_BYTE_RECORD.contains(&0));
        assert!(is_one_map(ZERO_BYTE_RECORD));
        assert_eq!(ZERO_BYTE_RECORD.len(), 2 + 12 + 2 + 0x47);
    }
}
