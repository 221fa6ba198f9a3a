//! Event times read from a record: JSON time fields (RFC 3339 / ISO 8601 text or epoch
//! numbers) and the timestamp a log line starts with (BSD syslog, RFC 5424, ISO). All times are
//! milliseconds since the Unix epoch, UTC; a time without a zone is taken as UTC.

use serde_json::Value;

/// JSON keys holding the record's time, in the order they are tried (nested under `data` too).
pub const TIME_KEYS: [&str; 8] = [
    "time",
    "timestamp",
    "TimeGenerated",
    "@timestamp",
    "event_timestamp",
    "eventTime",
    "date",
    "ts",
];

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count from 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD hh:mm:ss.mmm` (UTC) for a time in milliseconds.
pub fn format_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{milli:03}")
}

/// Reads a fixed number of ASCII digits at `*i`, advancing past them.
fn digits(b: &[u8], i: &mut usize, n: usize) -> Option<u32> {
    let s = b.get(*i..*i + n)?;
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    *i += n;
    Some(s.iter().fold(0, |acc, &c| acc * 10 + u32::from(c - b'0')))
}

fn expect(b: &[u8], i: &mut usize, c: u8) -> Option<()> {
    (b.get(*i) == Some(&c)).then(|| *i += 1)
}

/// `hh:mm:ss[.fraction]` at `*i`: milliseconds into the day.
fn clock(b: &[u8], i: &mut usize) -> Option<i64> {
    let h = digits(b, i, 2)?;
    expect(b, i, b':')?;
    let m = digits(b, i, 2)?;
    expect(b, i, b':')?;
    let s = digits(b, i, 2)?;
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    let mut ms = 0i64;
    if matches!(b.get(*i), Some(b'.' | b',')) && b.get(*i + 1).is_some_and(u8::is_ascii_digit) {
        *i += 1;
        let mut scale = 100;
        while let Some(&c) = b.get(*i).filter(|c| c.is_ascii_digit()) {
            ms += i64::from(c - b'0') * scale;
            scale /= 10;
            *i += 1;
        }
    }
    Some(i64::from(h) * 3_600_000 + i64::from(m) * 60_000 + i64::from(s) * 1000 + ms)
}

/// An ISO 8601 / RFC 3339 date-time at the start of `s` (`T` or a space between date and
/// time, `-` or `/` in the date, optional fraction, `Z` or `±hh[:]mm` zone, else UTC), and
/// how many bytes it took.
pub fn parse_iso_prefix(s: &str) -> Option<(i64, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    let year = digits(b, &mut i, 4)?;
    let sep = *b.get(i)?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    i += 1;
    let month = digits(b, &mut i, 2)?;
    expect(b, &mut i, sep)?;
    let day = digits(b, &mut i, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if !matches!(b.get(i), Some(b'T' | b't' | b' ')) {
        return None;
    }
    i += 1;
    let in_day = clock(b, &mut i)?;
    let mut offset_ms = 0i64;
    match b.get(i) {
        Some(b'Z' | b'z') => i += 1,
        Some(&c @ (b'+' | b'-')) => {
            let mut j = i + 1;
            if let Some(h) = digits(b, &mut j, 2) {
                let _ = expect(b, &mut j, b':');
                if let Some(m) = digits(b, &mut j, 2) {
                    let sign = if c == b'+' { 1 } else { -1 };
                    offset_ms = sign * (i64::from(h) * 3_600_000 + i64::from(m) * 60_000);
                    i = j;
                }
            }
        }
        _ => {}
    }
    let days = days_from_civil(i64::from(year), month, day);
    Some((days * 86_400_000 + in_day - offset_ms, i))
}

/// An epoch number: seconds, milliseconds, microseconds or nanoseconds, told apart by size
/// (seconds from 10^9 up to 10^11, then each unit a thousand times more).
pub fn epoch_to_ms(n: f64) -> Option<i64> {
    if !n.is_finite() || n < 1e9 {
        return None;
    }
    let ms = if n < 1e11 {
        n * 1e3
    } else if n < 1e14 {
        n
    } else if n < 1e17 {
        n / 1e3
    } else if n < 1e20 {
        n / 1e6
    } else {
        return None;
    };
    Some(ms.round() as i64)
}

/// The time a JSON value states: an epoch number, a numeric string, or ISO text.
pub fn from_json_value(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => epoch_to_ms(n.as_f64()?),
        Value::String(s) => {
            let s = s.trim();
            if let Some((ms, _)) = parse_iso_prefix(s) {
                return Some(ms);
            }
            s.parse::<f64>().ok().and_then(epoch_to_ms)
        }
        _ => None,
    }
}

/// The record's time from its first time key that holds one (top level, then under `data`).
pub fn from_record(root: &Value) -> Option<i64> {
    let scopes = [Some(root), root.get("data")];
    for scope in scopes.into_iter().flatten() {
        for key in TIME_KEYS {
            if let Some(ms) = scope.get(key).and_then(from_json_value) {
                return Some(ms);
            }
        }
    }
    None
}

/// The timestamp a log line starts with: RFC 5424 (`<pri>1 2026-02-17T10:21:03Z ...`), ISO
/// (`2026-02-17T10:21:03.5+01:00 ...`, `2026/02/17 10:21:03 ...`) or BSD syslog
/// (`Feb 17 10:21:03 ...`, with an optional `<pri>`; it has no year, so `year` is used).
pub fn from_line(line: &str, year: i64) -> Option<i64> {
    let mut s = line.trim_start();
    if let Some(rest) = s.strip_prefix('<') {
        let end = rest.find('>')?;
        if end == 0 || end > 3 || !rest[..end].bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s = &rest[end + 1..];
        if let Some(after_version) = s.strip_prefix("1 ") {
            s = after_version;
        }
    }
    if let Some((ms, _)) = parse_iso_prefix(s) {
        return Some(ms);
    }
    bsd_syslog(s, year)
}

fn bsd_syslog(s: &str, year: i64) -> Option<i64> {
    let month = MONTHS.iter().position(|m| s.starts_with(m))? as u32 + 1;
    let b = s.as_bytes();
    let mut i = 3;
    expect(b, &mut i, b' ')?;
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    let mut day = 0u32;
    let start = i;
    while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        day = day * 10 + u32::from(c - b'0');
        i += 1;
    }
    if i == start || i - start > 2 || !(1..=31).contains(&day) {
        return None;
    }
    expect(b, &mut i, b' ')?;
    let in_day = clock(b, &mut i)?;
    Some(days_from_civil(year, month, day) * 86_400_000 + in_day)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-02-17T00:00:00Z = 1771286400 s: 56 years of days from 1970 (14 of them leap years:
    // 1972..2024) = 56*365+14 = 20454 days, plus 31 (January) + 16 = 20501 days * 86400 s.
    const FEB17_2026_MS: i64 = 20_501 * 86_400_000;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 2, 17), 20_501);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017); // 30 years (7 leap) + 59 days of 2000
        for d in [-1, 0, 59, 11_016, 20_501, 40_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(format_ms(FEB17_2026_MS + 8 * 3_600_000 + 2 * 60_000 + 11_500), "2026-02-17 08:02:11.500");
    }

    #[test]
    fn iso_variants() {
        let base = FEB17_2026_MS + 9 * 3_600_000 + 60_000 + 3_118;
        assert_eq!(parse_iso_prefix("2026-02-17T09:01:03.118Z").map(|x| x.0), Some(base));
        assert_eq!(parse_iso_prefix("2026-02-17 09:01:03.1180000Z").map(|x| x.0), Some(base));
        assert_eq!(parse_iso_prefix("2026-02-17T10:01:03.118+01:00").map(|x| x.0), Some(base));
        assert_eq!(parse_iso_prefix("2026/02/17 09:01:03.118 host").map(|x| x.0), Some(base));
        assert_eq!(parse_iso_prefix("2026-02-17T09:01:03.118Z rest").map(|x| x.1), Some(24));
        assert_eq!(parse_iso_prefix("2026-13-17T09:01:03Z"), None);
        assert_eq!(parse_iso_prefix("2026-02-17"), None);
    }

    #[test]
    fn epochs_by_magnitude() {
        let t = FEB17_2026_MS + 8 * 3_600_000 + 2 * 60_000 + 11_000; // 1771315331 s
        assert_eq!(epoch_to_ms(1_771_315_331.0), Some(t));
        assert_eq!(epoch_to_ms(1_771_315_331_000.0), Some(t));
        assert_eq!(epoch_to_ms(1_771_315_331_000_000.0), Some(t));
        assert_eq!(epoch_to_ms(42.0), None);
    }

    #[test]
    fn record_time_keys() {
        let v: Value = serde_json::from_str(r#"{"event_timestamp":1771315331,"timestamp":"2026-02-17 08:02:11.000Z"}"#).unwrap();
        assert_eq!(from_record(&v), Some(FEB17_2026_MS + 8 * 3_600_000 + 131_000));
        let v: Value = serde_json::from_str(r#"{"data":{"time":"1771315331"}}"#).unwrap();
        assert_eq!(from_record(&v), Some(FEB17_2026_MS + 8 * 3_600_000 + 131_000));
        let v: Value = serde_json::from_str(r#"{"time":"yesterday"}"#).unwrap();
        assert_eq!(from_record(&v), None);
    }

    #[test]
    fn line_prefixes() {
        let t = FEB17_2026_MS + 10 * 3_600_000 + 21 * 60_000 + 3_000;
        assert_eq!(from_line("Feb 17 10:21:03 qno-edge pluto[1874]: x", 2026), Some(t));
        assert_eq!(from_line("<30>Feb 17 10:21:03 gw x", 2026), Some(t));
        assert_eq!(from_line("Feb  7 10:21:03 gw x", 2026), Some(t - 10 * 86_400_000));
        assert_eq!(from_line("<34>1 2026-02-17T10:21:03Z gw kmd - - x", 1999), Some(t));
        assert_eq!(from_line("2026-02-17T11:21:03+01:00 gw x", 1999), Some(t));
        assert_eq!(from_line("Feb睦 17", 2026), None);
        assert_eq!(from_line("no time here", 2026), None);
        assert_eq!(from_line("<99999>x", 2026), None);
    }
}
