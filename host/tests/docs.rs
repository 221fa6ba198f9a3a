//! The generated reference documents and the `vpnlog rules` / `vpnlog docs` commands:
//! docs/RULES.md and docs/SCHEMA.md must be exactly what the renderer produces from the
//! current catalogue, and the renderer's hand-written tables must cover every field and slot.

use std::path::PathBuf;
use std::process::Command;

use vpnlog::catalogue::{DOCS, RULES};
use vpnlog::fields::{FIELDS, SLOTS};
use vpnlog_host::docs;

fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

/// Fails with the first differing line when the committed file is not the rendered one.
fn assert_up_to_date(rel: &str, rendered: &str) {
    let path = repo_file(rel);
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{rel} cannot be read ({e}): run `make docs` to generate it")
    });
    if committed == rendered {
        return;
    }
    let first_diff = committed
        .lines()
        .zip(rendered.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| committed.lines().count().min(rendered.lines().count()));
    let line = |s: &str| s.lines().nth(first_diff).unwrap_or("<end of file>").to_string();
    panic!(
        "{rel} is out of date with the catalogue: run `make docs` and commit the result.\n\
         first difference at line {}:\n  committed: {}\n  rendered:  {}",
        first_diff + 1,
        line(&committed),
        line(&rendered)
    );
}

#[test]
fn rules_md_is_up_to_date() {
    assert_up_to_date(docs::RULES_MD, &docs::rules_md());
}

#[test]
fn schema_md_is_up_to_date() {
    assert_up_to_date(docs::SCHEMA_MD, &docs::schema_md());
}

fn sorted<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = names.collect();
    v.sort_unstable();
    v
}

#[test]
fn every_output_field_has_a_meaning() {
    assert_eq!(
        sorted(docs::FIELD_MEANINGS.iter().map(|(n, _)| *n)),
        sorted(FIELDS.iter().map(|f| f.name)),
        "host/src/docs.rs FIELD_MEANINGS must describe exactly the fields of src/fields.rs"
    );
}

#[test]
fn every_input_slot_has_its_keys() {
    assert_eq!(
        sorted(docs::SLOT_KEYS.iter().map(|(n, _)| *n)),
        sorted(SLOTS.iter().copied()),
        "host/src/docs.rs SLOT_KEYS must list exactly the slots of src/fields.rs"
    );
}

#[test]
fn every_kind_in_use_is_documented() {
    for r in RULES.iter() {
        assert!(
            docs::KINDS.iter().any(|(k, _)| *k == r.kind),
            "kind `{}` of {} is not in host/src/docs.rs KINDS",
            r.kind,
            r.id
        );
    }
}

#[test]
fn rules_md_has_every_rule_and_example() {
    let md = docs::rules_md();
    for (r, d) in RULES.iter().zip(DOCS.iter()) {
        assert!(md.contains(&format!("\n### {}\n", r.id)), "{} missing", r.id);
        for ex in d.examples {
            assert!(md.contains(ex.line), "{}: example missing", r.id);
        }
    }
}

fn vpnlog(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpnlog"))
        .args(args)
        .output()
        .expect("vpnlog starts");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn rules_command_prints_one_line_per_rule() {
    let (code, stdout, stderr) = vpnlog(&["rules"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), RULES.len());
    for ((line, r), d) in lines.iter().zip(RULES.iter()).zip(DOCS.iter()) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 5, "{line}");
        assert_eq!(&cols[..4], &[r.id, r.vendor, r.kind, r.event], "{line}");
        let example: String = d.examples[0]
            .line
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        assert_eq!(cols[4], example, "{line}");
    }
}

#[test]
fn docs_command_prints_the_documents() {
    let (code, stdout, _) = vpnlog(&["docs", "rules"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, docs::rules_md());
    let (code, stdout, _) = vpnlog(&["docs", "schema"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, docs::schema_md());
    for args in [&["docs"][..], &["docs", "bogus"], &["docs", "rules", "x"], &["rules", "x"]] {
        assert_eq!(vpnlog(args).0, 2, "{args:?}");
    }
    for args in [&["help", "rules"][..], &["help", "docs"], &["rules", "--help"], &["docs", "-h"]] {
        let (code, stdout, _) = vpnlog(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(stdout.contains("Usage: vpnlog"), "{args:?}: {stdout}");
    }
}
