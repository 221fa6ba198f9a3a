// The output schema: every field of the `vpn` object, in output order, with its JSON type.
// This file is shared by build.rs (which checks rule files against it) and the library (which
// writes the fields in this order, grouping consecutive dotted names into nested objects).

/// JSON type of an output field.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FieldType {
    Str,
    Num,
    Bool,
}

/// Fields filled from the rule itself; a pattern or `set` may not name them.
pub const CORE_FIELDS: usize = 11;

/// Every output field in output order: `(dotted name, type)`.
pub const FIELDS: &[(&str, FieldType)] = &[
    ("kind", FieldType::Str),
    ("event", FieldType::Str),
    ("outcome", FieldType::Str),
    ("severity", FieldType::Str),
    ("phase", FieldType::Num),
    ("ike_version", FieldType::Num),
    ("state", FieldType::Str),
    ("reason", FieldType::Str),
    ("hint", FieldType::Str),
    ("vendor", FieldType::Str),
    ("rule", FieldType::Str),
    ("peer.ip", FieldType::Str),
    ("peer.port", FieldType::Num),
    ("local.ip", FieldType::Str),
    ("local.port", FieldType::Num),
    ("tunnel", FieldType::Str),
    ("instance", FieldType::Str),
    ("session", FieldType::Str),
    ("user", FieldType::Str),
    ("serial", FieldType::Num),
    ("message_id", FieldType::Str),
    ("retries", FieldType::Num),
    ("spi.in", FieldType::Str),
    ("spi.out", FieldType::Str),
    ("nat_t", FieldType::Bool),
    ("dpd_enabled", FieldType::Bool),
    ("crypto.weak", FieldType::Bool),
    ("crypto.algorithm", FieldType::Str),
    ("bgp.neighbor", FieldType::Str),
    ("bgp.asn", FieldType::Num),
    ("bgp.expected_asn", FieldType::Num),
    ("bgp.state_from", FieldType::Str),
    ("bgp.state_to", FieldType::Str),
    ("bgp.notification.direction", FieldType::Str),
    ("bgp.notification.code", FieldType::Num),
    ("bgp.notification.subcode", FieldType::Num),
    ("bgp.notification.text", FieldType::Str),
    ("bgp.prefix", FieldType::Str),
    ("bgp.as_path", FieldType::Str),
    ("bgp.next_hop", FieldType::Str),
    ("bgp.prefixes", FieldType::Num),
    ("bgp.limit", FieldType::Num),
    ("bgp.hold_time", FieldType::Num),
    ("bgp.router_id", FieldType::Str),
    ("detail", FieldType::Str),
];

/// Input slots: the parts of a record a rule can read (see rules/README.md).
pub const SLOTS: &[&str] = &[
    "message",
    "category",
    "operation",
    "event_name",
    "type",
    "status",
    "level",
    "phase1_state",
    "phase2_state",
    "dpd_enabled",
    "nat_t_detected",
    "resource",
    "prefix",
    "as_path",
    "next_hop",
    "remote_ip",
    "instance",
    "change_reason",
];
