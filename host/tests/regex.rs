//! The catalogue's patterns as regular expressions (vpnlog::regex): on the text every catalogue
//! example hands its rule, each pattern's regex matches exactly when the module's matcher does,
//! and captures the same values.

use regex::Regex;
use vpnlog::catalogue::{DOCS, Pattern, RULES, Rule};
use vpnlog::fields::{FIELDS, SLOTS};
use vpnlog::locate::{self, Buffers, Found, Loc, NSLOTS};
use vpnlog::regex::{group_field, pattern_regex, rule_regexes};
use vpnlog::template::{self, Caps};
use vpnlog_host::input::record_from_line;

/// The text a rule's patterns read in this record, as the module chooses it: the rule's `text`
/// slot, or else the first slot (in slot order) of the rule's that holds one of its anchors.
fn pattern_text(rule: &Rule, anchors: &[&str], texts: &locate::Texts) -> Option<Vec<u8>> {
    if rule.text != 255 {
        return texts.get(rule.text as usize).map(<[u8]>::to_vec);
    }
    (0..NSLOTS).filter(|s| rule.slots >> s & 1 == 1).find_map(|s| {
        let t = texts.get(s)?;
        anchors.iter().any(|a| template::find(t, a.as_bytes(), 0).is_some()).then(|| t.to_vec())
    })
}

/// Field -> captured text, from the module's matcher (numbers as digits, unnormalised).
fn module_captures(pattern: &Pattern, text: &[u8]) -> Option<Vec<(String, String)>> {
    let mut caps = Caps::default();
    if !template::matches(pattern, text, &mut caps) {
        return None;
    }
    let mut v: Vec<(String, String)> = caps.fields().map(|(f, t)| (FIELDS[f].name.to_string(), String::from_utf8_lossy(t).into_owned())).collect();
    v.sort();
    Some(v)
}

fn regex_captures(re: &Regex, text: &str) -> Option<Vec<(String, String)>> {
    let caps = re.captures(text)?;
    let mut v: Vec<(String, String)> = re
        .capture_names()
        .flatten()
        .filter_map(|g| {
            let field = FIELDS[group_field(g).unwrap_or_else(|| panic!("group {g} names no field"))].name;
            caps.name(g).map(|m| (field.to_string(), m.as_str().to_string()))
        })
        .collect();
    v.sort();
    Some(v)
}

#[test]
fn every_pattern_compiles_and_every_example_captures_the_same() {
    let mut compared = 0;
    let mut matched = 0;
    let mut differences = Vec::new();
    for (rule, doc) in RULES.iter().zip(DOCS.iter()) {
        let regexes: Vec<Regex> = rule_regexes(rule)
            .iter()
            .map(|r| Regex::new(r).unwrap_or_else(|e| panic!("{}: {r}: {e}", rule.id)))
            .collect();
        for ex in doc.examples {
            let mut record = record_from_line(ex.line.as_bytes(), !ex.line.starts_with('{')).unwrap().unwrap();
            let record = vpnlog::json::Padded::of(&mut record);
            let mut bufs = Buffers::default();
            let mut found = Found::default();
            let mut locs: [Loc; NSLOTS] = [None; NSLOTS];
            locate::locate(record, &mut bufs, &mut found, &mut locs).expect("example is a JSON object");
            let texts = locate::texts(record.bytes(), &bufs, found.present, &locs);
            let Some(text) = pattern_text(rule, doc.anchors, &texts) else {
                panic!("{}: no slot of the rule holds its anchor in example {}", rule.id, ex.line)
            };
            let text_str = String::from_utf8(text.clone()).expect("slot text is UTF-8");
            // Patterns in order, as the rule tries them, up to the first the module matches.
            assert_eq!(rule.matchers().len(), regexes.len(), "{}", rule.id);
            for (pattern, re) in rule.matchers().iter().zip(&regexes) {
                compared += 1;
                let module = module_captures(pattern, &text);
                let by_regex = regex_captures(re, &text_str);
                if module != by_regex {
                    differences.push(format!(
                        "{} on {:?}\n  regex  {}\n  module {:?}\n  regex  {:?}",
                        rule.id, text_str, re.as_str(), module, by_regex
                    ));
                }
                if module.is_some() {
                    matched += 1;
                    break;
                }
            }
        }
    }
    assert!(differences.is_empty(), "{} of {compared} comparisons differ:\n{}", differences.len(), differences.join("\n"));
    // Every example's rule has a pattern that matched, or none at all (anchor only).
    let with_patterns: usize =
        RULES.iter().zip(DOCS.iter()).filter(|(r, _)| !r.patterns.is_empty()).map(|(_, d)| d.examples.len()).sum();
    assert_eq!(matched, with_patterns, "some example matched none of its rule's patterns");
    assert!(compared > 700, "only {compared} comparisons");
}

/// Texts made by hand around typed holes, with the answers worked out by hand; the module's
/// matcher gives the same.
#[test]
fn hand_made_texts() {
    let rule = RULES.iter().find(|r| r.id == "openvpn.tunnel.p2s_connected").expect("rule exists");
    // "[{user:word}] Peer Connection Initiated with [AF_INET]{peer.ip:ip}:{peer.port:num}"
    let (toks, pattern) = (rule.patterns[0], &rule.matchers()[0]);
    let re = Regex::new(&pattern_regex(toks)).unwrap();
    let check = |text: &str, expected: Option<Vec<(&str, &str)>>| {
        let expected: Option<Vec<(String, String)>> =
            expected.map(|v| v.into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect());
        assert_eq!(regex_captures(&re, text), expected, "regex on {text}");
        assert_eq!(module_captures(pattern, text.as_bytes()), expected, "module on {text}");
    };
    // IPv4 stops before the port; the port is digits only.
    check(
        "Wed Mar  4 10:00:00 2026 [alice] Peer Connection Initiated with [AF_INET]198.51.100.7:51820",
        Some(vec![("peer.ip", "198.51.100.7"), ("peer.port", "51820"), ("user", "alice")]),
    );
    // The documented difference: an IPv6 address before `:port`. The module's `ip` run takes
    // `2001:db8::7:1194` whole and the `:` after it is missing; a regex backtracks.
    let v6 = "[carol] Peer Connection Initiated with [AF_INET]2001:db8::7:1194";
    assert_eq!(module_captures(pattern, v6.as_bytes()), None);
    assert_eq!(
        regex_captures(&re, v6),
        Some(vec![("peer.ip".into(), "2001:db8::7".into()), ("peer.port".into(), "1194".into()), ("user".into(), "carol".into())])
    );
    // No address there, or a space inside the user name: no match.
    check("[bob] Peer Connection Initiated with [AF_INET]gateway:1194", None);
    check("[bob smith] Peer Connection Initiated with [AF_INET]192.0.2.1:1194", None);
    assert!(SLOTS.contains(&"message"));
}
