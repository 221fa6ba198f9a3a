//! Reference documents rendered from the compiled catalogue and the output schema:
//! `vpnlog rules` (one line per rule), docs/RULES.md and docs/SCHEMA.md (`make docs`).
//!
//! The rule data, the field list and the vocabularies come from the `vpnlog` library
//! (`vpnlog::catalogue`, `vpnlog::fields`), so they cannot drift from what the module does.
//! What the library holds only as code (which record keys fill which input slot, which
//! structured keys are copied into which field, the output contract) is written here as text;
//! the tests in host/tests/docs.rs check that it names every slot and field the library has.

use std::fmt::Write as _;

use vpnlog::catalogue::{Const, DOCS, EVENTS, REASONS, RULES, Rule, RuleDoc, SOURCES};
use vpnlog::fields::{FIELDS, FieldType, SLOTS};

/// Where the generated files live, relative to the repository root.
pub const RULES_MD: &str = "docs/RULES.md";
pub const SCHEMA_MD: &str = "docs/SCHEMA.md";

/// One line per rule: `id<TAB>vendor<TAB>kind<TAB>event<TAB>first example line`.
pub fn rules_tsv() -> String {
    let mut out = String::new();
    for (rule, doc) in RULES.iter().zip(DOCS.iter()) {
        let example = doc.examples.first().map_or("", |e| e.line);
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            rule.id,
            rule.vendor,
            rule.kind,
            rule.event,
            one_line(example)
        );
    }
    out
}

/// Control characters (tabs, line breaks) become spaces, so a field stays on its line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Meaning of each output field (every name in `vpnlog::fields::FIELDS` must have one; the
/// table is rendered in the order of FIELDS).
pub const FIELD_MEANINGS: &[(&str, &str)] = &[
    ("kind", "What the event is about: one of the kinds below."),
    (
        "event",
        "What happened: a name from the event vocabulary below.",
    ),
    (
        "outcome",
        "`success`, `failure` or `unknown` (informational steps, warnings that do not stop anything).",
    ),
    (
        "severity",
        "`info`, `warn` or `critical`. The rule's severity; for Alibaba events the level the event states (`INFO`, `WARN`, `CRITICAL`) wins.",
    ),
    (
        "phase",
        "`1` (IKE SA / ISAKMP SA) or `2` (IPsec SA / CHILD_SA), when the message belongs to one phase.",
    ),
    (
        "ike_version",
        "`1` or `2`, when the message is specific to IKEv1 or IKEv2.",
    ),
    (
        "code",
        "The vendor's own id of the message, where the source has one: Cisco ASA `713119`, Cisco IOS `IKMP_NO_SA`, FortiGate `logid`, a Juniper tag, a Palo Alto event id, FRR's message id, an Alibaba event name. Set by the rule (`set`) or captured from the line. ECS `event.code`, OCSF `metadata.event_code`.",
    ),
    (
        "state",
        "The state the source reports, normalised: `established`, `negotiating`, `rekeying`, `down` or `up` (AWS phase states and BGP status; see \"Structured keys\").",
    ),
    (
        "reason",
        "A normalised cause from the reason vocabulary below (failures and notable events only).",
    ),
    (
        "hint",
        "What to do about it, in English: the rule's own hint, or the reason's default hint.",
    ),
    (
        "vendor",
        "The log source: one of the vendors of docs/RULES.md.",
    ),
    (
        "rule",
        "The id of the rule that matched (docs/RULES.md). Its presence marks the object as vpnlog's own.",
    ),
    (
        "peer.ip",
        "Address of the remote gateway or client (IPv4 or IPv6, as logged).",
    ),
    ("peer.port", "UDP/TCP port of the remote side."),
    ("local.ip", "Address of this side (the logging gateway)."),
    ("local.port", "Port of this side."),
    (
        "tunnel",
        "The tunnel or connection: a connection name (Openswan `(name)`), an AWS tunnel resource id (`vpn-..._<outside ip>`) or an Alibaba connection id (`vco-...`).",
    ),
    (
        "instance",
        "The gateway instance that logged the event (Azure `GatewayTenantWorker_IN_0`).",
    ),
    (
        "session",
        "A session id of the source (Azure IKE `SESSION_ID`, point-to-site session).",
    ),
    (
        "user",
        "The point-to-site user name, as logged (Azure masks part of it).",
    ),
    (
        "serial",
        "The IKE state serial number (pluto `#N`): ties the lines of one negotiation together.",
    ),
    ("message_id", "The IKE message id of a request or response."),
    ("retries", "How many retransmissions were made."),
    (
        "spi.in",
        "Inbound SPI of the IPsec SA, hexadecimal, without `0x`.",
    ),
    (
        "spi.out",
        "Outbound SPI of the IPsec SA, hexadecimal, without `0x`.",
    ),
    ("nat_t", "`true` when NAT traversal was detected or is in use."),
    (
        "dpd_enabled",
        "Whether Dead Peer Detection is enabled for the tunnel.",
    ),
    (
        "crypto.weak",
        "`true` when the message reports an insecure algorithm (a weak-crypto finding).",
    ),
    (
        "crypto.algorithm",
        "The algorithm the message names, as logged.",
    ),
    ("bgp.neighbor", "Address of the BGP neighbour."),
    ("bgp.asn", "AS number the neighbour announced."),
    (
        "bgp.expected_asn",
        "AS number this side expected (a rejected OPEN).",
    ),
    ("bgp.state_from", "BGP FSM state before the change, as logged."),
    ("bgp.state_to", "BGP FSM state after the change, as logged."),
    (
        "bgp.notification.direction",
        "`sent` or `received`: who sent the NOTIFICATION.",
    ),
    ("bgp.notification.code", "NOTIFICATION error code (RFC 4271)."),
    (
        "bgp.notification.subcode",
        "NOTIFICATION error subcode (RFC 4271, RFC 4486).",
    ),
    (
        "bgp.notification.text",
        "NOTIFICATION name: as logged, or the RFC 4271 / RFC 4486 name when the source gives numbers only.",
    ),
    ("bgp.prefix", "The route's prefix (CIDR)."),
    ("bgp.as_path", "The route's AS path, as logged."),
    ("bgp.next_hop", "The route's next hop."),
    ("bgp.prefixes", "Number of prefixes received from the neighbour."),
    ("bgp.limit", "The configured maximum number of prefixes."),
    ("bgp.hold_time", "Hold time of an OPEN message, in seconds."),
    ("bgp.router_id", "BGP identifier of an OPEN message."),
    (
        "detail",
        "Free text the source gives as the cause (AWS's reason for a DENIED route, Azure's state change reason).",
    ),
];

/// Which record keys fill each input slot, in priority order (from src/locate.rs; every slot of
/// `vpnlog::fields::SLOTS` must have an entry).
pub const SLOT_KEYS: &[(&str, &str)] = &[
    (
        "message",
        "`log`, `message` (when a string), `msg`, `MESSAGE`, `Message`, `details`, `message.details`, `properties.message`, `properties.Message`",
    ),
    ("category", "`Category`, `category`"),
    ("operation", "`OperationName`, `operationName`"),
    (
        "event_name",
        "`name`, `eventName`, `data.name`, `type` (CloudEvents `vpn:CloudMonitor:...`)",
    ),
    ("type", "`type`"),
    ("status", "`status`, `status_s`, `properties.status`"),
    ("level", "`level`, `Level`, `data.level`"),
    ("topic", "`Topic` (GoBGP's JSON log)"),
    ("phase1_state", "`ike_phase1_state`"),
    ("phase2_state", "`ike_phase2_state`"),
    (
        "dpd_enabled",
        "`dpd_enabled` (a JSON boolean or the string `true`/`false`)",
    ),
    (
        "nat_t_detected",
        "`nat_t_detected` (a JSON boolean or the string `true`/`false`)",
    ),
    ("resource", "`resource_id`, `resourceId`, `data.resourceId`"),
    ("prefix", "`message.prefix`"),
    ("as_path", "`message.asPath`"),
    ("next_hop", "`message.nextHopIp`"),
    ("remote_ip", "`remoteIP_s`, `properties.remoteIP`"),
    ("instance", "`instance_s`, `properties.instance`"),
    (
        "change_reason",
        "`stateChangeReason_s`, `properties.stateChangeReason`",
    ),
];

/// Kinds, with what each covers (the kinds build.rs accepts).
pub const KINDS: &[(&str, &str)] = &[
    (
        "ike",
        "Phase 1 and phase 2 negotiation: SAs established, failed, rekeyed and deleted, authentication, proposals, traffic selectors, weak crypto.",
    ),
    ("dpd", "Dead Peer Detection: enabled, peer declared dead."),
    (
        "tunnel",
        "A tunnel or connection going up or down, tunnel status, point-to-site sessions.",
    ),
    (
        "bgp",
        "BGP sessions: state changes, OPEN and NOTIFICATION messages, hold timer, prefix limits, End-of-RIB.",
    ),
    (
        "route",
        "Routes advertised, updated, withdrawn or denied; static and BGP route updates.",
    ),
    ("health", "Health checks of a connection."),
    (
        "config",
        "Gateway configuration and maintenance: configuration applied, failover, maintenance, certificates.",
    ),
];

const OUTCOMES: &[(&str, &str)] = &[
    (
        "success",
        "The step succeeded (an SA was established, a session came up, a check passed).",
    ),
    (
        "failure",
        "The step failed or something went down; `reason` and `hint` usually say why.",
    ),
    (
        "unknown",
        "Informational: a negotiation step, a configuration event, a warning that does not stop anything.",
    ),
];

const SEVERITIES: &[(&str, &str)] = &[
    (
        "info",
        "Normal operation. The default for rules whose outcome is not `failure`.",
    ),
    (
        "warn",
        "Needs attention. The default for failures.",
    ),
    (
        "critical",
        "Service is affected (for example every tunnel of a connection failed, an expired certificate).",
    ),
];

/// The meaning of a field, if documented.
pub fn field_meaning(name: &str) -> Option<&'static str> {
    FIELD_MEANINGS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, m)| *m)
}

fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::Str => "string",
        FieldType::Num => "number",
        FieldType::Bool => "boolean",
    }
}

/// A Markdown code span that survives backticks in the text.
fn code(s: &str) -> String {
    if !s.contains('`') {
        return format!("`{s}`");
    }
    let mut ticks = 1;
    while s.contains(&"`".repeat(ticks)) {
        ticks += 1;
    }
    let fence = "`".repeat(ticks);
    format!("{fence} {s} {fence}")
}

/// Text for a Markdown table cell: pipes escaped, line breaks removed.
fn cell(s: &str) -> String {
    one_line(s).replace('|', "\\|")
}

/// A fenced code block that survives backtick runs in the text.
fn fenced(out: &mut String, s: &str) {
    let mut ticks = 3;
    while s.contains(&"`".repeat(ticks)) {
        ticks += 1;
    }
    let fence = "`".repeat(ticks);
    let _ = writeln!(out, "{fence}text\n{s}\n{fence}");
}

/// GitHub's heading anchor for a heading text.
fn slug(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_alphanumeric() {
                Some(c.to_ascii_lowercase())
            } else if c == ' ' || c == '-' {
                Some('-')
            } else if c == '_' {
                Some('_')
            } else {
                None
            }
        })
        .collect()
}

fn const_text(c: &Const) -> String {
    match c {
        Const::Str(s) => format!("\"{}\"", String::from_utf8_lossy(s)),
        Const::Num(d) => String::from_utf8_lossy(d).into_owned(),
        Const::Bool(b) => b.to_string(),
    }
}

fn slot_name(i: u8) -> &'static str {
    SLOTS.get(i as usize).copied().unwrap_or("?")
}

fn field_name(i: u8) -> &'static str {
    FIELDS.get(i as usize).map_or("?", |f| f.name)
}

fn rules_of(vendor: &str) -> impl Iterator<Item = (&'static Rule, &'static RuleDoc)> + '_ {
    RULES
        .iter()
        .zip(DOCS.iter())
        .filter(move |(r, _)| r.vendor == vendor)
}

const GENERATED: &str = "<!-- Generated by `vpnlog docs rules` (`make docs`). Do not edit: \
edit rules/*.toml and run `make docs`. -->";

/// docs/RULES.md: every rule of the catalogue, by vendor.
pub fn rules_md() -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{GENERATED}\n");
    let _ = writeln!(o, "# Rule reference\n");
    let _ = writeln!(
        o,
        "Every message vpnlog recognises, by log source: {} rules in {} files. Each rule is \
         data in `rules/<vendor>.toml` (format: [rules/README.md](../rules/README.md)); its \
         example lines are tests that run through the built module. Rules are tried in the \
         order below, and the first whose anchor, condition and pattern match wins. The fields \
         they produce are described in [SCHEMA.md](SCHEMA.md).\n",
        RULES.len(),
        SOURCES.len()
    );
    let _ = writeln!(
        o,
        "To look up a message: search this page for a distinctive piece of its text (the \
         anchors are literal text), or run `vpnlog rules` for one line per rule.\n"
    );
    let _ = writeln!(o, "| vendor | source | rules |\n|---|---|---|");
    for s in SOURCES {
        let heading = source_heading(s.vendor, s.title);
        let _ = writeln!(
            o,
            "| [`{}`](#{}) | {} | {} |",
            s.vendor,
            slug(&heading),
            cell(s.title),
            rules_of(s.vendor).count()
        );
    }
    o.push('\n');
    for s in SOURCES {
        let _ = writeln!(o, "## {}\n", source_heading(s.vendor, s.title));
        let _ = writeln!(
            o,
            "Vendor `{}`, file `rules/{}`. Reads: {}.\n",
            s.vendor,
            s.file,
            s.source.trim_end_matches('.')
        );
        let _ = writeln!(
            o,
            "| id | kind | event | outcome | severity |\n|---|---|---|---|---|"
        );
        for (r, _) in rules_of(s.vendor) {
            let _ = writeln!(
                o,
                "| [`{}`](#{}) | {} | {} | {} | {} |",
                r.id,
                slug(r.id),
                r.kind,
                r.event,
                r.outcome,
                r.severity()
            );
        }
        o.push('\n');
        for (r, d) in rules_of(s.vendor) {
            rule_section(&mut o, r, d);
        }
    }
    trim_end(o)
}

fn source_heading(vendor: &str, title: &str) -> String {
    format!("{title} ({vendor})")
}

fn rule_section(o: &mut String, r: &Rule, d: &RuleDoc) {
    let _ = writeln!(o, "### {}\n", r.id);
    if !d.description.is_empty() {
        let _ = writeln!(o, "{}\n", d.description.trim());
    }
    let mut facts = vec![
        format!("kind `{}`", r.kind),
        format!("event `{}`", r.event),
        format!("outcome `{}`", r.outcome),
        format!("severity `{}`", r.severity()),
    ];
    if r.phase > 0 {
        facts.push(format!("phase {}", r.phase));
    }
    if r.ike_version > 0 {
        facts.push(format!("IKEv{}", r.ike_version));
    }
    let _ = writeln!(o, "- {}", facts.join(", "));
    if !r.reason.is_empty() {
        let _ = writeln!(o, "- reason `{}`: {}", r.reason, r.hint);
    } else if !r.hint.is_empty() {
        let _ = writeln!(o, "- hint: {}", r.hint);
    }
    let slots: Vec<String> = d.fields.iter().map(|f| format!("`{f}`")).collect();
    let _ = writeln!(o, "- searched in: {}", slots.join(", "));
    if r.text != 255 {
        let _ = writeln!(o, "- patterns read: `{}`", slot_name(r.text));
    }
    let anchors: Vec<String> = d.anchors.iter().map(|a| code(a)).collect();
    let _ = writeln!(
        o,
        "- anchor{}: {}",
        if anchors.len() == 1 { "" } else { "s (any)" },
        anchors.join(", ")
    );
    if !r.when().is_empty() {
        let when: Vec<String> = r
            .when()
            .iter()
            .map(|(s, lit, exact, _)| {
                format!(
                    "`{}` {} {}",
                    slot_name(*s),
                    if *exact { "is" } else { "contains" },
                    code(&String::from_utf8_lossy(lit))
                )
            })
            .collect();
        let _ = writeln!(o, "- only when: {}", when.join(" and "));
    }
    if !r.set().is_empty() {
        let set: Vec<String> = r
            .set()
            .iter()
            .map(|s| s.get())
            .map(|(f, c)| format!("`{}` = `{}`", field_name(f), const_text(&c)))
            .collect();
        let _ = writeln!(o, "- sets: {}", set.join(", "));
    }
    o.push('\n');
    match d.patterns.len() {
        0 => {
            let _ = writeln!(o, "No pattern: the anchor alone decides.\n");
        }
        1 => {
            let _ = writeln!(o, "Pattern:\n");
            fenced(o, d.patterns[0]);
            o.push('\n');
        }
        _ => {
            let _ = writeln!(o, "Patterns (the first that matches is used):\n");
            fenced(o, &d.patterns.join("\n"));
            o.push('\n');
        }
    }
    let _ = writeln!(
        o,
        "Example{}:\n",
        if d.examples.len() == 1 { "" } else { "s" }
    );
    let lines: Vec<&str> = d.examples.iter().map(|e| e.line).collect();
    fenced(o, &lines.join("\n"));
    o.push('\n');
}

fn trim_end(mut s: String) -> String {
    while s.ends_with("\n\n") {
        s.pop();
    }
    s
}

/// A record shown in SCHEMA.md with the output the native filter gives for it.
const SAMPLE_RECORD: &str = r#"{"log":"Nov 22 03:14:09 qno-gw pluto[2231]: (g2gips5)[13] 192.0.2.44 #532: [Tunnel Established] IPsec SA established {ESP=>0x5e0c2a71 < 0x9d41f0c3 NATOA=0.0.0.0"}"#;

/// docs/SCHEMA.md: the `vpn` object, its vocabularies, and which record keys are read.
pub fn schema_md() -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<!-- Generated by `vpnlog docs schema` (`make docs`) from src/fields.rs, \
         rules/vocabulary.toml and rules/*.toml. Do not edit: run `make docs`. -->\n"
    );
    let _ = writeln!(o, "# The `vpn` object\n");
    let _ = writeln!(
        o,
        "vpnlog appends one object, under the key `vpn`, to every record it classifies. It \
         holds only the fields that apply to the event. The rules that fill it are listed in \
         [RULES.md](RULES.md).\n"
    );
    sample(&mut o);
    contract(&mut o);
    fields(&mut o);
    values(&mut o);
    vocabularies(&mut o);
    inputs(&mut o);
    trim_end(o)
}

fn sample(o: &mut String) {
    let mut filter = vpnlog::Filter::new();
    let out = String::from_utf8_lossy(filter.process(SAMPLE_RECORD.as_bytes())).into_owned();
    let _ = writeln!(o, "## Example\n");
    let _ = writeln!(
        o,
        "A pluto line read by Fluent Bit's `tail` input (no parser), as the filter receives it:\n"
    );
    fenced(o, SAMPLE_RECORD);
    let _ = writeln!(
        o,
        "\nThe filter returns the same bytes with one more member:\n"
    );
    fenced(o, &out);
    if let Some(at) = out.rfind(",\"vpn\":") {
        let _ = writeln!(o, "\nThe appended object, indented:\n");
        let member = &out[at + 7..out.len() - 1];
        fenced(o, &pretty(member));
    }
    o.push('\n');
}

/// Indents compact JSON (the filter writes no whitespace outside strings).
fn pretty(compact: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut in_str = false;
    let mut esc = false;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    for c in compact.chars() {
        if in_str {
            out.push(c);
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

fn contract(o: &mut String) {
    let _ = writeln!(o, "## What the filter returns\n");
    let _ = writeln!(
        o,
        "The filter never re-encodes the record: keys, key order, number literals, string \
         escapes and unicode stay byte for byte. For every input it returns a JSON object:\n"
    );
    let _ = writeln!(
        o,
        "| input | output |\n|---|---|\n\
         | a JSON object that is a VPN or BGP event | the original bytes with `\"vpn\":{{...}}` added as the last member of the root object |\n\
         | a JSON object that is not such an event | the original bytes, unchanged |\n\
         | an object that already has a `vpn` key holding vpnlog's own object (an object with a `rule` member) | unchanged, so filtering twice gives the same result as filtering once |\n\
         | an object that already has some other `vpn` key | the classification goes under `vpnlog` instead; when `vpnlog` is taken too, the record comes back unchanged |\n\
         | input that is not a JSON object (Fluent Bit never sends one in json mode) | `{{\"vpnlog_invalid\":\"<the input as a JSON string>\"}}`, so that nothing is lost silently |\n\
         | no record: Fluent Bit passed pointer 0 because it could not copy the record into the module | `{{\"vpnlog_error\":\"record not copied into the filter\",\"record_len\":N}}` with the length Fluent Bit passed |\n"
    );
    let _ = writeln!(
        o,
        "The returned string is NUL-terminated and lives in a buffer the module owns and reuses \
         for the next record.\n"
    );
}

fn fields(o: &mut String) {
    let _ = writeln!(o, "## Fields\n");
    let _ = writeln!(
        o,
        "In output order. A dotted name is a nested object: `peer.ip` is written \
         `\"peer\":{{\"ip\":...}}`, and `bgp.notification.code` \
         `\"bgp\":{{\"notification\":{{\"code\":...}}}}`. Numbers are written without leading \
         zeros; strings are the text of the log, JSON-escaped.\n"
    );
    let _ = writeln!(o, "| field | type | meaning |\n|---|---|---|");
    for f in FIELDS {
        let _ = writeln!(
            o,
            "| `{}` | {} | {} |",
            f.name,
            type_name(f.ty),
            cell(field_meaning(f.name).unwrap_or("(not documented)"))
        );
    }
    o.push('\n');
}

fn values(o: &mut String) {
    let _ = writeln!(o, "## `kind`\n");
    let _ = writeln!(o, "| kind | covers | rules |\n|---|---|---|");
    for (k, m) in KINDS {
        let n = RULES.iter().filter(|r| r.kind == *k).count();
        let _ = writeln!(o, "| `{k}` | {} | {n} |", cell(m));
    }
    let _ = writeln!(o, "\n## `outcome`\n");
    let _ = writeln!(o, "| outcome | meaning |\n|---|---|");
    for (k, m) in OUTCOMES {
        let _ = writeln!(o, "| `{k}` | {} |", cell(m));
    }
    let _ = writeln!(o, "\n## `severity`\n");
    let _ = writeln!(o, "| severity | meaning |\n|---|---|");
    for (k, m) in SEVERITIES {
        let _ = writeln!(o, "| `{k}` | {} |", cell(m));
    }
    let _ = writeln!(o, "\n## `vendor`\n");
    let _ = writeln!(o, "| vendor | source |\n|---|---|");
    for s in SOURCES {
        let _ = writeln!(o, "| `{}` | {} |", s.vendor, cell(s.title));
    }
    let _ = writeln!(
        o,
        "\nReserved for sources not covered yet: `strongswan`, `libreswan`, `cisco_asa`, \
         `cisco_ios`, `fortigate`, `paloalto`, `juniper`, `frr`, `bird`, `gobgp`, `openvpn`, \
         `wireguard`.\n"
    );
}

fn vocabularies(o: &mut String) {
    let _ = writeln!(o, "## Event vocabulary\n");
    let _ = writeln!(
        o,
        "The values of `event`, defined in `rules/vocabulary.toml` (a rule may use no other). \
         \"Kinds\" lists the kinds of the rules that use the event; an event no rule uses yet \
         is there for the sources still to come.\n"
    );
    let _ = writeln!(o, "| event | kinds | meaning | rules |\n|---|---|---|---|");
    for (name, meaning) in EVENTS {
        let mut kinds: Vec<&str> = Vec::new();
        for r in RULES.iter().filter(|r| r.event == *name) {
            if !kinds.contains(&r.kind) {
                kinds.push(r.kind);
            }
        }
        let n = RULES.iter().filter(|r| r.event == *name).count();
        let kinds = if kinds.is_empty() {
            "-".to_string()
        } else {
            kinds.join(", ")
        };
        let _ = writeln!(o, "| `{name}` | {kinds} | {} | {n} |", cell(meaning));
    }
    let _ = writeln!(o, "\n## Reason vocabulary\n");
    let _ = writeln!(
        o,
        "The values of `reason`, defined in `rules/vocabulary.toml`, with the default `hint` \
         written with them. A rule may give a more precise hint of its own (see RULES.md).\n"
    );
    let _ = writeln!(o, "| reason | default hint | rules |\n|---|---|---|");
    for (name, hint) in REASONS {
        let n = RULES.iter().filter(|r| r.reason == *name).count();
        let _ = writeln!(o, "| `{name}` | {} | {n} |", cell(hint));
    }
    o.push('\n');
}

fn inputs(o: &mut String) {
    let _ = writeln!(o, "## Which record keys are read\n");
    let _ = writeln!(
        o,
        "The record is scanned once, without building a tree. The values of the keys below \
         fill the input slots the rules read (the `fields` and `when` of a rule). When several \
         keys of a slot are present, the one listed first wins, wherever it is in the record. \
         A dotted key is a member of an object (`message.details` is `details` inside the \
         object `message`; `data.name` is `name` inside `data`). Only string values count, \
         except for the two flags. Keys are matched exactly (case-sensitive); keys at other \
         depths are ignored.\n"
    );
    let _ = writeln!(o, "| slot | keys, in priority order |\n|---|---|");
    for slot in SLOTS {
        let keys = SLOT_KEYS.iter().find(|(n, _)| n == slot).map_or("(not documented)", |(_, k)| k);
        let _ = writeln!(o, "| `{slot}` | {} |", cell(keys));
    }
    let _ = writeln!(
        o,
        "\nA JSON document left unparsed inside `log` (a string that starts with `{{`, as a \
         container runtime writes an application's JSON line) is scanned too, with the same \
         table, and the slots it fills replace those of the outer record.\n"
    );
    let _ = writeln!(o, "## Structured keys copied into fields\n");
    let _ = writeln!(
        o,
        "After a rule matched, the record's structured keys add what the message text does not \
         say. They never overwrite a value the rule's pattern or `set` gave (except `severity`, \
         see below).\n"
    );
    let _ = writeln!(
        o,
        "| record key (slot) | field | how |\n|---|---|---|\n\
         | `ike_phase1_state`, or `ike_phase2_state` for a phase 2 rule | `state` | AWS tunnel log: `Established`, `Negotiating`, `Rekeying`, `Down`, `Up` in lower case; other values are ignored |\n\
         | `status` when `type` is `BGPStatus` | `state` | AWS BGP log: `UP` / `DOWN` become `up` / `down` |\n\
         | `dpd_enabled` | `dpd_enabled` | `true` / `false` |\n\
         | `nat_t_detected` | `nat_t` | `true` / `false` |\n\
         | `resource_id`, `resourceId`, `data.resourceId` | `tunnel` | Alibaba: the connection id after `vpnconnection/`; AWS: the whole value when it starts with `vpn-` |\n\
         | `remoteIP_s`, `properties.remoteIP` | `peer.ip` | Azure, copied |\n\
         | `instance_s`, `properties.instance` | `instance` | Azure, copied |\n\
         | `message.prefix` | `bgp.prefix` | AWS route status, copied |\n\
         | `message.asPath` | `bgp.as_path` | AWS route status, copied |\n\
         | `message.nextHopIp` | `bgp.next_hop` | AWS route status, copied |\n\
         | `stateChangeReason_s`, `properties.stateChangeReason` | `detail` | Azure, copied |\n\
         | `level`, `Level`, `data.level` | `severity` | Alibaba rules only: `INFO`, `WARN`, `CRITICAL` replace the rule's severity |\n"
    );
    let _ = writeln!(
        o,
        "When a rule captured a BGP notification code (and subcode) but no text, \
         `bgp.notification.text` is filled with the RFC 4271 / RFC 4486 name, for example \
         `Cease/Administrative Shutdown` for 6/2."
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_indents_compact_json() {
        assert_eq!(
            pretty(r#"{"a":{"b":"x,{"},"c":1}"#),
            "{\n  \"a\": {\n    \"b\": \"x,{\"\n  },\n  \"c\": 1\n}"
        );
    }

    #[test]
    fn slugs_match_github() {
        assert_eq!(
            slug("Openswan / pluto (including Qno routers) (openswan)"),
            "openswan--pluto-including-qno-routers-openswan"
        );
        assert_eq!(slug("aws.dpd.timeout.v1"), "awsdpdtimeoutv1");
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
