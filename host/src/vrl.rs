//! Renders the compiled catalogue as one VRL program (Vector's `remap` transform): the same
//! record keys in the same priority order as the module, the anchor checks, each pattern as a
//! regex (`vpnlog::regex`), the rule's meaning, set fields and captures, the enrichment from
//! structured keys, BGP notification names, Alibaba level severities and the existing-`vpn`
//! key rule. `vpnlog vrl` prints it; examples/vector/vpnlog.vrl is its committed output.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use vpnlog::bgp::notification_text;
use vpnlog::catalogue::{ANCHORS, Const, RULES, Rule, Tok};
use vpnlog::fields::{CORE_FIELDS, FIELDS, FieldType, SLOTS};
use vpnlog::locate::{KEYS, NSLOTS, Parent};
use vpnlog::regex::{escape_into, group_name, rule_regexes};

/// Where the rendered program is committed (a test keeps it in sync).
pub const VRL_FILE: &str = "examples/vector/vpnlog.vrl";

/// Slots that take any JSON value, not only strings (AWS's flags).
const FLAG_SLOTS: &[&str] = &["dpd_enabled", "nat_t_detected"];

/// Structured slots copied into an output field when the rule did not fill it (classify.rs).
const COPIES: &[(&str, &str)] = &[
    ("remote_ip", "peer.ip"),
    ("instance", "instance"),
    ("prefix", "bgp.prefix"),
    ("as_path", "bgp.as_path"),
    ("next_hop", "bgp.next_hop"),
    ("change_reason", "detail"),
];

/// The states `state` is normalised to (classify.rs).
const STATES: &[&str] = &["established", "rekeying", "negotiating", "down", "up"];

/// A VRL string literal.
pub fn string(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            '{' => o.push_str("\\{"),
            '}' => o.push_str("\\}"),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A VRL regex literal: only `'` needs escaping inside `r'...'`.
fn regex_literal(re: &str) -> String {
    format!("r'{}'", re.replace('\'', "\\'"))
}

/// The VRL path of a record key: (container, key).
fn key_path(container: Parent, key: &[u8]) -> String {
    let key = String::from_utf8_lossy(key);
    let parent = KEYS.iter().find(|e| e.0 == Parent::Root && e.3 == container && container != Parent::Root);
    match parent {
        Some(p) => format!("{}.{}", String::from_utf8_lossy(p.1), quoted_segment(&key)),
        None => quoted_segment(&key),
    }
}

fn quoted_segment(k: &str) -> String {
    if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !k.starts_with(|c: char| c.is_ascii_digit()) {
        k.to_string()
    } else {
        string(k)
    }
}

/// Record keys filling `slot`, in priority order (the first present wins).
fn slot_keys(slot: usize) -> Vec<String> {
    let mut keys: Vec<(u8, String)> = KEYS
        .iter()
        .flat_map(|e| e.2.iter().filter(|(s, _)| *s as usize == slot).map(move |(_, p)| (*p, key_path(e.0, e.1))))
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

/// An output field as a VRL path under `v`, a flat object keyed by the dotted field names
/// (VRL's type checker refuses assignments below a nested field it has not seen created);
/// `unflatten` nests it at the end.
fn out_path(field: &str) -> String {
    if field.contains('.') { format!("v.\"{field}\"") } else { format!("v.{field}") }
}

fn konst(k: &Const) -> String {
    match k {
        Const::Str(s) => string(&String::from_utf8_lossy(s)),
        Const::Num(n) => String::from_utf8_lossy(n).into_owned(),
        Const::Bool(b) => b.to_string(),
    }
}

/// For each slot (ascending), the anchors of rule `r` searched in it.
fn rule_anchors(r: usize) -> BTreeMap<usize, Vec<&'static str>> {
    let mut m: BTreeMap<usize, Vec<&'static str>> = BTreeMap::new();
    for a in ANCHORS.iter().filter(|a| a.rules().contains(&(r as u16))) {
        for s in (0..NSLOTS).filter(|s| a.slots >> s & 1 == 1) {
            m.entry(s).or_default().push(std::str::from_utf8(a.text()).unwrap_or(""));
        }
    }
    m
}

fn any_anchor(slot: usize, anchors: &[&str]) -> String {
    let t = format!("t_{}", SLOTS[slot]);
    let tests: Vec<String> = anchors.iter().map(|a| format!("contains({t}, {})", string(a))).collect();
    format!("a_{} && ({})", SLOTS[slot], tests.join(" || "))
}

/// `a_<slot>`: some anchor of the catalogue occurs in the slot (one regex over all of them), so
/// that a record with none skips the rules.
fn anchor_gates(o: &mut String) -> Vec<String> {
    o.push_str("\n# Does any anchor occur at all? One search per slot; most records stop here.\n");
    let mut gates = Vec::new();
    for (s, name) in SLOTS.iter().enumerate() {
        let mut alts: Vec<String> = Vec::new();
        for a in ANCHORS.iter().filter(|a| a.slots >> s & 1 == 1) {
            let mut e = String::new();
            escape_into(std::str::from_utf8(a.text()).unwrap_or(""), &mut e);
            alts.push(e);
        }
        if alts.is_empty() {
            continue;
        }
        let _ = writeln!(o, "a_{name} = p_{name} && match(t_{name}, {})", regex_literal(&alts.join("|")));
        gates.push(format!("a_{name}"));
    }
    gates
}

/// The program text.
pub fn program() -> String {
    let mut o = String::new();
    header(&mut o);
    slots(&mut o);
    let gates = anchor_gates(&mut o);
    o.push_str("\n# The rules, in catalogue order: the first whose anchor, `when` and pattern match wins.\n");
    o.push_str("r = \"\"\ncaps = {}\nv = {}\nlevel_severity = false\n");
    let _ = writeln!(o, "if {} {{", gates.join(" || "));
    for (i, rule) in RULES.iter().enumerate() {
        rule_block(&mut o, i, rule);
    }
    o.push_str("}\n");
    describe(&mut o);
    o
}

fn header(o: &mut String) {
    o.push_str(
        "# vpnlog: VPN and BGP events recognised in a Vector `remap` transform.\n\
         # Generated by `vpnlog vrl` from the rule catalogue (rules/*.toml); do not edit.\n\
         # Adds a `vpn` object to each record it recognises, as the vpnlog WebAssembly filter does\n\
         # in Fluent Bit (README.md, section Vector, says where the two differ). Other records\n\
         # pass through unchanged.\n\n",
    );
    o.push_str(
        "# A record that already has a `vpn` key: unchanged when it is vpnlog's own (an object with\n\
         # a `rule` member) or when `vpnlog` is taken too; otherwise the result goes under `vpnlog`.\n\
         out_key = \"vpn\"\nskip = false\n\
         if exists(.vpn) {\n  if exists(.vpnlog) || (is_object(.vpn) && exists(.vpn.rule)) {\n    skip = true\n  } else {\n    out_key = \"vpnlog\"\n  }\n}\n\n",
    );
    o.push_str(
        "# A JSON document left as a string in `log`: its keys take precedence over the record's.\n\
         doc = {}\n\
         if is_string(.log) && match(string!(.log), r'^[ \\t]*\\{') {\n  doc = object(parse_json(string!(.log)) ?? {}) ?? {}\n}\n",
    );
}

/// Fills `t_<slot>` (the text) and `p_<slot>` (present) for every input slot.
fn slots(o: &mut String) {
    o.push_str("\n# Input slots: the first key present (as a string) in priority order, the document's first.\n");
    for (s, name) in SLOTS.iter().enumerate() {
        let keys = slot_keys(s);
        let flag = FLAG_SLOTS.contains(name);
        let _ = writeln!(o, "p_{name} = false\nt_{name} = {}", if flag { "null" } else { "\"\"" });
        let mut first = true;
        for base in ["doc.", "."] {
            for k in &keys {
                let path = format!("{base}{k}");
                let (test, value) = if flag {
                    (format!("exists({path})"), path.clone())
                } else {
                    (format!("is_string({path})"), format!("string!({path})"))
                };
                let _ = write!(o, "{}if {test} {{\n  t_{name} = {value}\n  p_{name} = true\n", if first { "" } else { "} else " });
                first = false;
            }
        }
        o.push_str("}\n");
    }
}

fn rule_block(o: &mut String, i: usize, rule: &Rule) {
    let _ = writeln!(o, "\n# {}", rule.id);
    let anchors = rule_anchors(i);
    let when: Vec<String> = rule
        .when()
        .iter()
        .map(|(s, lit, exact, _)| {
            let (n, lit) = (SLOTS[*s as usize], string(&String::from_utf8_lossy(lit)));
            if *exact { format!("p_{n} && t_{n} == {lit}") } else { format!("p_{n} && contains(t_{n}, {lit})") }
        })
        .collect();
    // (condition, text slot) per attempt: one per anchor slot, or one when the text slot is fixed.
    let attempts: Vec<(String, usize)> = if rule.text == 255 {
        anchors.iter().map(|(s, a)| (any_anchor(*s, a), *s)).collect()
    } else {
        let any: Vec<String> = anchors.iter().map(|(s, a)| format!("({})", any_anchor(*s, a))).collect();
        vec![(format!("({}) && p_{}", any.join(" || "), SLOTS[rule.text as usize]), rule.text as usize)]
    };
    let regexes = rule_regexes(rule);
    for (cond, text) in attempts {
        let mut cond = format!("r == \"\" && {cond}");
        for w in &when {
            let _ = write!(cond, " && {w}");
        }
        let _ = writeln!(o, "if {cond} {{");
        if regexes.is_empty() {
            let _ = writeln!(o, "  r = {}", string(rule.id));
            meaning(o, rule, "  ");
        } else {
            // The first pattern that matches is used.
            for (k, re) in regexes.iter().enumerate() {
                let guard = if k == 0 { "" } else { "if err != null { " };
                let close = if k == 0 { "" } else { " }" };
                let _ = writeln!(o, "  {guard}c, err = parse_regex(t_{}, {}){close}", SLOTS[text], regex_literal(re));
            }
            let _ = writeln!(o, "  if err == null {{\n    r = {}\n    caps = c", string(rule.id));
            meaning(o, rule, "    ");
            o.push_str("  }\n");
        }
        o.push_str("}\n");
    }
}

/// The rule's static output and `set` fields.
fn meaning(o: &mut String, rule: &Rule, indent: &str) {
    let mut members = vec![
        ("kind", string(rule.kind)),
        ("event", string(rule.event)),
        ("outcome", string(rule.outcome)),
        ("severity", string(rule.severity())),
    ];
    if rule.phase > 0 {
        members.push(("phase", rule.phase.to_string()));
    }
    if rule.ike_version > 0 {
        members.push(("ike_version", rule.ike_version.to_string()));
    }
    if !rule.reason.is_empty() {
        members.push(("reason", string(rule.reason)));
    }
    if !rule.hint.is_empty() {
        members.push(("hint", string(rule.hint)));
    }
    members.push(("vendor", string(rule.vendor)));
    members.push(("rule", string(rule.id)));
    let body: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
    let _ = writeln!(o, "{indent}v = {{{}}}", body.join(", "));
    for (f, k) in rule.set().iter().map(|s| s.get()) {
        let _ = writeln!(o, "{indent}{} = {}", out_path(FIELDS[f as usize].name), konst(&k));
    }
    if rule.level_severity {
        let _ = writeln!(o, "{indent}level_severity = true");
    }
}

/// Fields some pattern captures, in output order.
fn captured_fields() -> Vec<usize> {
    let mut seen = vec![false; FIELDS.len()];
    for rule in RULES.iter() {
        for p in rule.patterns {
            for t in p.iter() {
                if let Tok::Hole(f, _) = t {
                    if let Some(x) = seen.get_mut(*f as usize) {
                        *x = true;
                    }
                }
            }
        }
    }
    (CORE_FIELDS..FIELDS.len()).filter(|&f| seen[f]).collect()
}

/// Captures, what the record's structured keys add, BGP notification names, level severity,
/// and the output.
fn describe(o: &mut String) {
    o.push_str("\nif r != \"\" && !skip {\n");
    o.push_str("  # Captures (numbers without leading zeros, as numbers).\n");
    for f in captured_fields() {
        let field = &FIELDS[f];
        let g = format!("caps.{}", group_name(f));
        let value = if field.ty == FieldType::Num { format!("to_int({g}) ?? {g}") } else { g.clone() };
        let _ = writeln!(o, "  if is_string({g}) {{ {} = {value} }}", out_path(field.name));
    }
    o.push_str("  # Structured keys fill what the rule did not.\n");
    for (slot, field) in COPIES {
        let p = out_path(field);
        let _ = writeln!(o, "  if p_{slot} && t_{slot} != \"\" && !exists({p}) {{ {p} = t_{slot} }}");
    }
    let states: Vec<String> = STATES.iter().map(|s| string(s)).collect();
    let _ = write!(
        o,
        "  if !exists(v.state) {{\n    st = \"\"\n    st_ok = false\n\
         \x20   if v.phase == 2 {{\n      if p_phase2_state && t_phase2_state != \"\" {{ st = t_phase2_state; st_ok = true }}\n\
         \x20   }} else if p_phase1_state && t_phase1_state != \"\" {{ st = t_phase1_state; st_ok = true }}\n\
         \x20   if !st_ok && p_type && t_type == \"BGPStatus\" && p_status && t_status != \"\" {{ st = t_status; st_ok = true }}\n\
         \x20   if st_ok && includes([{}], downcase(st)) {{ v.state = downcase(st) }}\n  }}\n",
        states.join(", ")
    );
    for (slot, field) in [("dpd_enabled", "dpd_enabled"), ("nat_t_detected", "nat_t")] {
        let p = out_path(field);
        let _ = write!(
            o,
            "  if p_{slot} && !exists({p}) {{\n    if is_boolean(t_{slot}) {{ {p} = t_{slot} }} else if is_string(t_{slot}) {{\n\
             \x20     fl = downcase(string!(t_{slot}))\n      if fl == \"true\" {{ {p} = true }} else if fl == \"false\" {{ {p} = false }}\n    }}\n  }}\n"
        );
    }
    o.push_str(
        "  if p_resource && t_resource != \"\" && !exists(v.tunnel) {\n\
         \x20   parts = split(t_resource, \"vpnconnection/\", limit: 2)\n\
         \x20   if length(parts) == 2 { v.tunnel = parts[1] } else if starts_with(t_resource, \"vpn-\") { v.tunnel = t_resource }\n  }\n",
    );
    o.push_str("  # BGP NOTIFICATION names (RFC 4271, RFC 4486) where the source gives only numbers.\n");
    let mut names: Vec<String> = Vec::new();
    for code in 1..=9u32 {
        let Some(general) = notification_text(code, None) else { continue };
        names.push(format!("{}: {}", string(&code.to_string()), string(general)));
        for sub in 0..=32u32 {
            if let Some(t) = notification_text(code, Some(sub)).filter(|t| *t != general) {
                names.push(format!("{}: {}", string(&format!("{code}/{sub}")), string(t)));
            }
        }
    }
    let _ = write!(
        o,
        "  if exists({code}) && !exists({text}) {{\n\
         \x20   names = {{{}}}\n\
         \x20   code = to_string({code})\n\
         \x20   sub = to_string({sub})\n\
         \x20   name = get(names, [code + \"/\" + sub]) ?? null\n\
         \x20   if name == null {{ name = get(names, [code]) ?? null }}\n\
         \x20   if name != null {{ {text} = name }}\n  }}\n",
        names.join(", "),
        code = out_path("bgp.notification.code"),
        sub = out_path("bgp.notification.subcode"),
        text = out_path("bgp.notification.text"),
    );
    o.push_str(
        "  # Alibaba events state their own level.\n\
         \x20 if level_severity && p_level {\n\
         \x20   if t_level == \"INFO\" { v.severity = \"info\" } else if t_level == \"WARN\" { v.severity = \"warn\" } else if t_level == \"CRITICAL\" { v.severity = \"critical\" }\n  }\n",
    );
    o.push_str("  if out_key == \"vpn\" { .vpn = unflatten(v) } else { .vpnlog = unflatten(v) }\n}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_escape_templates_and_quotes() {
        assert_eq!(string("a\"b\\c{{d}}\n"), "\"a\\\"b\\\\c\\{\\{d\\}\\}\\n\"");
        assert_eq!(regex_literal("it's"), "r'it\\'s'");
    }

    #[test]
    fn message_keys_in_documented_order() {
        assert_eq!(
            slot_keys(0),
            ["log", "message", "msg", "MESSAGE", "Message", "details", "message.details", "properties.message", "properties.Message"]
        );
        assert_eq!(slot_keys(SLOTS.iter().position(|s| *s == "event_name").unwrap()), ["name", "eventName", "data.name", "type"]);
    }

    #[test]
    fn patterns_render_as_regex_literals() {
        assert!(program().contains("parse_regex(t_message, r'(?s)"));
    }
}
