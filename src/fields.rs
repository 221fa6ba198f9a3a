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

/// Fields filled from the rule itself (written from text build.rs renders per rule); a pattern
/// or `set` may not name them.
pub const CORE_FIELDS: usize = 10;

/// One output field: its dotted name, JSON type, the object it sits in (GROUPS) and its key as
/// written (`"ip":`).
pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
    pub group: u8,
    pub leaf: &'static str,
}

/// Nested objects of the output: (opening text, parent group); group 0 is the `vpn` object.
pub const GROUPS: &[(&str, u8)] = &[
    ("", 0),
    ("\"peer\":{", 0),
    ("\"local\":{", 0),
    ("\"spi\":{", 0),
    ("\"crypto\":{", 0),
    ("\"bgp\":{", 0),
    ("\"notification\":{", 5),
];

/// The number of output fields (FIELDS below).
pub const NFIELDS: usize = FIELDS.len();

/// Every output field in output order (members of one group are contiguous).
pub const FIELDS: &[Field] = &[
    Field { name: "kind", ty: FieldType::Str, group: 0, leaf: "\"kind\":" },
    Field { name: "event", ty: FieldType::Str, group: 0, leaf: "\"event\":" },
    Field { name: "outcome", ty: FieldType::Str, group: 0, leaf: "\"outcome\":" },
    Field { name: "severity", ty: FieldType::Str, group: 0, leaf: "\"severity\":" },
    Field { name: "phase", ty: FieldType::Num, group: 0, leaf: "\"phase\":" },
    Field { name: "ike_version", ty: FieldType::Num, group: 0, leaf: "\"ike_version\":" },
    Field { name: "reason", ty: FieldType::Str, group: 0, leaf: "\"reason\":" },
    Field { name: "hint", ty: FieldType::Str, group: 0, leaf: "\"hint\":" },
    Field { name: "vendor", ty: FieldType::Str, group: 0, leaf: "\"vendor\":" },
    Field { name: "rule", ty: FieldType::Str, group: 0, leaf: "\"rule\":" },
    Field { name: "code", ty: FieldType::Str, group: 0, leaf: "\"code\":" },
    Field { name: "state", ty: FieldType::Str, group: 0, leaf: "\"state\":" },
    Field { name: "peer.ip", ty: FieldType::Str, group: 1, leaf: "\"ip\":" },
    Field { name: "peer.port", ty: FieldType::Num, group: 1, leaf: "\"port\":" },
    Field { name: "local.ip", ty: FieldType::Str, group: 2, leaf: "\"ip\":" },
    Field { name: "local.port", ty: FieldType::Num, group: 2, leaf: "\"port\":" },
    Field { name: "tunnel", ty: FieldType::Str, group: 0, leaf: "\"tunnel\":" },
    Field { name: "instance", ty: FieldType::Str, group: 0, leaf: "\"instance\":" },
    Field { name: "session", ty: FieldType::Str, group: 0, leaf: "\"session\":" },
    Field { name: "user", ty: FieldType::Str, group: 0, leaf: "\"user\":" },
    Field { name: "serial", ty: FieldType::Num, group: 0, leaf: "\"serial\":" },
    Field { name: "message_id", ty: FieldType::Str, group: 0, leaf: "\"message_id\":" },
    Field { name: "retries", ty: FieldType::Num, group: 0, leaf: "\"retries\":" },
    Field { name: "spi.in", ty: FieldType::Str, group: 3, leaf: "\"in\":" },
    Field { name: "spi.out", ty: FieldType::Str, group: 3, leaf: "\"out\":" },
    Field { name: "nat_t", ty: FieldType::Bool, group: 0, leaf: "\"nat_t\":" },
    Field { name: "dpd_enabled", ty: FieldType::Bool, group: 0, leaf: "\"dpd_enabled\":" },
    Field { name: "crypto.weak", ty: FieldType::Bool, group: 4, leaf: "\"weak\":" },
    Field { name: "crypto.algorithm", ty: FieldType::Str, group: 4, leaf: "\"algorithm\":" },
    Field { name: "bgp.neighbor", ty: FieldType::Str, group: 5, leaf: "\"neighbor\":" },
    Field { name: "bgp.asn", ty: FieldType::Num, group: 5, leaf: "\"asn\":" },
    Field { name: "bgp.expected_asn", ty: FieldType::Num, group: 5, leaf: "\"expected_asn\":" },
    Field { name: "bgp.state_from", ty: FieldType::Str, group: 5, leaf: "\"state_from\":" },
    Field { name: "bgp.state_to", ty: FieldType::Str, group: 5, leaf: "\"state_to\":" },
    Field { name: "bgp.notification.direction", ty: FieldType::Str, group: 6, leaf: "\"direction\":" },
    Field { name: "bgp.notification.code", ty: FieldType::Num, group: 6, leaf: "\"code\":" },
    Field { name: "bgp.notification.subcode", ty: FieldType::Num, group: 6, leaf: "\"subcode\":" },
    Field { name: "bgp.notification.text", ty: FieldType::Str, group: 6, leaf: "\"text\":" },
    Field { name: "bgp.prefix", ty: FieldType::Str, group: 5, leaf: "\"prefix\":" },
    Field { name: "bgp.as_path", ty: FieldType::Str, group: 5, leaf: "\"as_path\":" },
    Field { name: "bgp.next_hop", ty: FieldType::Str, group: 5, leaf: "\"next_hop\":" },
    Field { name: "bgp.prefixes", ty: FieldType::Num, group: 5, leaf: "\"prefixes\":" },
    Field { name: "bgp.limit", ty: FieldType::Num, group: 5, leaf: "\"limit\":" },
    Field { name: "bgp.hold_time", ty: FieldType::Num, group: 5, leaf: "\"hold_time\":" },
    Field { name: "bgp.router_id", ty: FieldType::Str, group: 5, leaf: "\"router_id\":" },
    Field { name: "detail", ty: FieldType::Str, group: 0, leaf: "\"detail\":" },
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
    "topic",
];

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The index of the output field `name` in FIELDS.
pub const fn find_field(name: &str) -> Option<usize> {
    let mut i = 0;
    while i < FIELDS.len() {
        if same(FIELDS[i].name, name) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The index of the input slot `name` in SLOTS.
pub const fn find_slot(name: &str) -> Option<usize> {
    let mut i = 0;
    while i < SLOTS.len() {
        if same(SLOTS[i], name) {
            return Some(i);
        }
        i += 1;
    }
    None
}
