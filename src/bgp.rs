//! BGP NOTIFICATION codes and subcodes (RFC 4271 section 4.5, Cease subcodes RFC 4486 and
//! RFC 8203/9003), for sources that log only the numbers.

/// The name of a notification, as `Code/Subcode` text.
pub fn notification_text(code: u32, subcode: Option<u32>) -> Option<&'static str> {
    let sub = subcode.unwrap_or(0);
    Some(match (code, sub) {
        (1, 1) => "Message Header Error/Connection Not Synchronized",
        (1, 2) => "Message Header Error/Bad Message Length",
        (1, 3) => "Message Header Error/Bad Message Type",
        (1, _) => "Message Header Error",
        (2, 1) => "OPEN Message Error/Unsupported Version Number",
        (2, 2) => "OPEN Message Error/Bad Peer AS",
        (2, 3) => "OPEN Message Error/Bad BGP Identifier",
        (2, 4) => "OPEN Message Error/Unsupported Optional Parameter",
        (2, 6) => "OPEN Message Error/Unacceptable Hold Time",
        (2, 7) => "OPEN Message Error/Unsupported Capability",
        (2, _) => "OPEN Message Error",
        (3, 1) => "UPDATE Message Error/Malformed Attribute List",
        (3, 2) => "UPDATE Message Error/Unrecognized Well-known Attribute",
        (3, 3) => "UPDATE Message Error/Missing Well-known Attribute",
        (3, 4) => "UPDATE Message Error/Attribute Flags Error",
        (3, 5) => "UPDATE Message Error/Attribute Length Error",
        (3, 6) => "UPDATE Message Error/Invalid ORIGIN Attribute",
        (3, 8) => "UPDATE Message Error/Invalid NEXT_HOP Attribute",
        (3, 9) => "UPDATE Message Error/Optional Attribute Error",
        (3, 10) => "UPDATE Message Error/Invalid Network Field",
        (3, 11) => "UPDATE Message Error/Malformed AS_PATH",
        (3, _) => "UPDATE Message Error",
        (4, _) => "Hold Timer Expired",
        (5, _) => "Finite State Machine Error",
        (6, 1) => "Cease/Maximum Number of Prefixes Reached",
        (6, 2) => "Cease/Administrative Shutdown",
        (6, 3) => "Cease/Peer De-configured",
        (6, 4) => "Cease/Administrative Reset",
        (6, 5) => "Cease/Connection Rejected",
        (6, 6) => "Cease/Other Configuration Change",
        (6, 7) => "Cease/Connection Collision Resolution",
        (6, 8) => "Cease/Out of Resources",
        (6, 9) => "Cease/Hard Reset",
        (6, 10) => "Cease/BFD Down",
        (6, _) => "Cease",
        (7, _) => "ROUTE-REFRESH Message Error",
        _ => return None,
    })
}
