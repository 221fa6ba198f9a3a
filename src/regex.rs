//! The catalogue's dissect-style patterns as regular expressions with named captures (Rust
//! `regex` syntax, which VRL and Vector use), for engines that cannot run the module's matcher.
//! Native builds only.
//!
//! One regex per pattern, in the order the rule tries them. A capture group is named after its
//! output field with each `.` written as `__` (`peer.ip` -> `peer__ip`); `{_}` holes do not
//! capture. The regex is unanchored like the pattern and matches `.` across line breaks.
//!
//! What a regex cannot say: the module's holes never backtrack. A lazy hole ends at the first
//! occurrence of the next literal and a typed hole takes its whole run, and when what follows
//! fails, the module gives up that start (it retries only the pattern's first literal, at most
//! 16 times). A regex engine instead backtracks into the holes, so it can match a text the
//! module rejects, with other captures. An optional part (`{?...?}`) is `(?:...)?`: the
//! module keeps a part that matched even when what follows then fails, where a regex may skip
//! it; and a leading part (a prefix) is looked for only once the rest matched, before where the
//! rest's first literal begins. On well-formed log lines both agree.

use crate::catalogue::{HoleTy, Rule, SKIP, Tok};
use crate::fields::FIELDS;

/// An IPv4 dotted quad (which stops before a `:port`), or an IPv6 address with at least two
/// colons, optionally ending in a dotted quad.
pub const IP: &str = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:]*(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3})?";

/// What the module trims from the end of a value that runs to the end of the text: spaces,
/// tabs, `\r`, `\n` and a literal `^M`.
const TRAILING: &str = r"(?:[ \t\r\n]|\^M)*$";

/// The regexes of a rule's patterns, in the order the rule tries them (empty when the anchor
/// alone decides).
pub fn rule_regexes(rule: &Rule) -> Vec<String> {
    rule.patterns.iter().map(|p| pattern_regex(p)).collect()
}

/// The capture group name of an output field (`bgp.notification.code` ->
/// `bgp__notification__code`).
pub fn group_name(field: usize) -> String {
    FIELDS.get(field).map_or_else(String::new, |f| f.name.replace('.', "__"))
}

/// The output field a capture group name stands for.
pub fn group_field(group: &str) -> Option<usize> {
    let name = group.replace("__", ".");
    FIELDS.iter().position(|f| f.name == name)
}

/// The regex of one pre-tokenised pattern.
pub fn pattern_regex(toks: &[Tok]) -> String {
    let mut re = String::from("(?s)");
    for (k, tok) in toks.iter().enumerate() {
        match *tok {
            Tok::Lit(l) => escape_into(&String::from_utf8_lossy(l), &mut re),
            // An optional part, which the module tries first and never gives back once it
            // matched; a regex backtracks into it (see above).
            Tok::Open => re.push_str("(?:"),
            Tok::Close => re.push_str(")?"),
            Tok::Hole(field, ty) => {
                // The end of the pattern: only the ends of optional parts follow.
                let last = toks[k + 1..].iter().all(|t| matches!(t, Tok::Close));
                // The literal a word stops at: the next one, across the bounds of optional
                // parts, unless a hole comes first.
                let next_char = toks[k + 1..]
                    .iter()
                    .find(|t| !matches!(t, Tok::Open | Tok::Close))
                    .and_then(|t| if let Tok::Lit(l) = t { String::from_utf8_lossy(l).chars().next() } else { None });
                let (body, tail) = hole_body(ty, last, next_char);
                match (field, ty) {
                    (SKIP, HoleTy::Hex) => re.push_str(&body.replace("(?P<>", "(?:")),
                    (SKIP, _) => re.push_str(&format!("(?:{body})")),
                    (f, HoleTy::Hex) => re.push_str(&body.replace("(?P<>", &format!("(?P<{}>", group_name(f as usize)))),
                    (f, _) => re.push_str(&format!("(?P<{}>{body})", group_name(f as usize))),
                }
                re.push_str(tail);
            }
        }
    }
    re
}

/// The regex a hole captures, and what must follow the capture. `hex` returns its whole text
/// with an empty group `(?P<>` around the digits (the `0x` prefix is not captured).
fn hole_body(ty: HoleTy, last: bool, next_char: Option<char>) -> (String, &'static str) {
    match ty {
        // At the end of the pattern: the rest of the text, trimmed, not empty.
        HoleTy::Lazy if last => (r".*?[^ \t\r\n]".into(), TRAILING),
        HoleTy::Lazy => (".*?".into(), ""),
        HoleTy::Rest => (".*?".into(), TRAILING),
        HoleTy::Ip => (IP.into(), ""),
        HoleTy::Num => ("[0-9]+".into(), ""),
        HoleTy::Hex => (r"(?:0[xX])?(?P<>[0-9A-Fa-f]+)".into(), ""),
        // No spaces or control characters, and not the first character of the next literal.
        HoleTy::Word => {
            let mut class = String::from(r"[^\x00-\x20");
            if let Some(c) = next_char.filter(|c| *c > ' ') {
                escape_class_char(c, &mut class);
            }
            class.push_str("]+");
            (class, "")
        }
    }
}

/// Appends `s` with every regex metacharacter escaped.
pub fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        if is_meta(c) {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            out.push_str(&format!("\\x{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
}

fn escape_class_char(c: char, out: &mut String) {
    if is_meta(c) {
        out.push('\\');
    }
    out.push(c);
}

/// The characters the `regex` crate treats as special somewhere in a pattern.
fn is_meta(c: char) -> bool {
    matches!(c, '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' | '#' | '&' | '-' | '~')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::find_field;

    fn f(name: &str) -> u8 {
        find_field(name).unwrap() as u8
    }

    #[test]
    fn literals_and_typed_holes() {
        // "packet from {peer.ip:ip}:{peer.port:num}: {_}no connection"
        let toks = [
            Tok::Lit(b"packet from "),
            Tok::Hole(f("peer.ip"), HoleTy::Ip),
            Tok::Lit(b":"),
            Tok::Hole(f("peer.port"), HoleTy::Num),
            Tok::Lit(b": "),
            Tok::Hole(SKIP, HoleTy::Lazy),
            Tok::Lit(b"no connection"),
        ];
        assert_eq!(
            pattern_regex(&toks),
            format!("(?s)packet from (?P<peer__ip>{IP}):(?P<peer__port>[0-9]+): (?:.*?)no connection")
        );
    }

    #[test]
    fn lazy_at_end_word_hex_and_escapes() {
        // "[{user:word}] SPI 0x{spi.in:hex} ({detail}"
        let toks = [
            Tok::Lit(b"["),
            Tok::Hole(f("user"), HoleTy::Word),
            Tok::Lit(b"] SPI 0x"),
            Tok::Hole(f("spi.in"), HoleTy::Hex),
            Tok::Lit(b" ("),
            Tok::Hole(f("detail"), HoleTy::Lazy),
        ];
        assert_eq!(
            pattern_regex(&toks),
            r"(?s)\[(?P<user>[^\x00-\x20\]]+)\] SPI 0x(?:0[xX])?(?P<spi__in>[0-9A-Fa-f]+) \((?P<detail>.*?[^ \t\r\n])(?:[ \t\r\n]|\^M)*$"
        );
    }

    #[test]
    fn skipped_hex_and_rest() {
        let toks = [Tok::Lit(b"id="), Tok::Hole(SKIP, HoleTy::Hex), Tok::Lit(b" msg="), Tok::Hole(f("detail"), HoleTy::Rest)];
        assert_eq!(pattern_regex(&toks), r"(?s)id=(?:0[xX])?(?:[0-9A-Fa-f]+) msg=(?P<detail>.*?)(?:[ \t\r\n]|\^M)*$");
    }

    #[test]
    fn group_names_round_trip() {
        for (i, field) in FIELDS.iter().enumerate() {
            let g = group_name(i);
            assert!(g.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{g}");
            assert_eq!(group_field(&g), Some(i), "{}", field.name);
        }
        assert_eq!(group_name(f("bgp.notification.code") as usize), "bgp__notification__code");
    }
}
