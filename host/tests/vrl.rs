//! The VRL rendering of the catalogue (`vpnlog vrl`): examples/vector/vpnlog.vrl must be exactly
//! what the renderer produces from the current catalogue, and it must carry every rule. Running
//! it in the VRL engine is vector-check's test (`make test`).

use std::path::PathBuf;
use std::process::Command;

use vpnlog::catalogue::RULES;
use vpnlog_host::vrl;

fn committed() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(vrl::VRL_FILE);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} cannot be read ({e}): run `make vrl`", vrl::VRL_FILE))
}

#[test]
fn committed_program_is_up_to_date() {
    let (committed, rendered) = (committed(), vrl::program());
    if committed != rendered {
        let n = committed.lines().zip(rendered.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{} is out of date with the catalogue: run `make vrl` and commit the result.\n\
             first difference at line {}:\n  committed: {}\n  rendered:  {}",
            vrl::VRL_FILE,
            n + 1,
            committed.lines().nth(n).unwrap_or("<end of file>"),
            rendered.lines().nth(n).unwrap_or("<end of file>")
        );
    }
}

#[test]
fn every_rule_has_its_block_in_catalogue_order() {
    let program = vrl::program();
    let mut at = 0;
    for rule in RULES.iter() {
        let marker = format!("\n# {}\n", rule.id);
        let found = program[at..].find(&marker).unwrap_or_else(|| panic!("{} missing or out of order", rule.id));
        at += found + marker.len();
        assert!(program[at..].contains(&format!("r = \"{}\"", rule.id)));
    }
}

#[test]
fn vrl_command_prints_the_program() {
    let out = Command::new(env!("CARGO_BIN_EXE_vpnlog")).arg("vrl").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), vrl::program());
    let bad = Command::new(env!("CARGO_BIN_EXE_vpnlog")).args(["vrl", "extra"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
