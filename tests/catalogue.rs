//! Every example line of every catalogue rule, run through the built module: it must be
//! classified by that rule, with the rule's static fields and the example's expected fields,
//! and the original record must come back byte for byte in front of the appended `vpn`.

mod common;

use serde_json::Value;
use vpnlog::catalogue::{Const, DOCS, RULES};

fn const_json(c: &Const) -> Value {
    match c {
        Const::Str(s) => Value::String(String::from_utf8(s.to_vec()).unwrap()),
        Const::Num(d) => serde_json::from_slice(d).unwrap(),
        Const::Bool(b) => Value::Bool(*b),
    }
}

#[test]
fn every_example_is_classified_by_its_rule() {
    let mut h = common::host();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (rule, doc) in RULES.iter().zip(DOCS.iter()) {
        for ex in doc.examples {
            let record = common::example_record(ex.line);
            let out = common::run(&mut h, &record);
            let v = common::parse(&out);
            let mut problems = Vec::new();
            // The original bytes, then `,"vpn":{...}}`.
            let close = record.iter().rposition(|&c| c == b'}').unwrap();
            if !out.starts_with(&record[..close]) || !out.ends_with(&record[close..]) {
                problems.push("original bytes not preserved".to_string());
            }
            let mut want: Vec<(&str, Value)> = vec![
                ("rule", rule.id.into()),
                ("vendor", rule.vendor.into()),
                ("kind", rule.kind.into()),
                ("event", rule.event.into()),
                ("outcome", rule.outcome.into()),
                ("severity", rule.severity().into()),
            ];
            if rule.phase > 0 {
                want.push(("phase", rule.phase.into()));
            }
            if !rule.reason.is_empty() {
                want.push(("reason", rule.reason.into()));
                want.push(("hint", rule.hint.into()));
            }
            for (k, c) in ex.expect {
                want.retain(|(w, _)| w != k);
                want.push((k, const_json(c)));
            }
            for (k, expected) in &want {
                let got = common::vpn_field(&v, k);
                if got != Some(expected) {
                    problems.push(format!("{k}: expected {expected}, got {}", got.map_or("nothing".into(), |g| g.to_string())));
                }
            }
            if !problems.is_empty() {
                failures.push(format!("{} | {}\n    {}\n    output: {}", rule.id, ex.line, problems.join("\n    "), String::from_utf8_lossy(&out)));
            }
            checked += 1;
        }
    }
    assert!(checked >= RULES.len(), "every rule has an example");
    assert!(failures.is_empty(), "{} of {checked} examples failed:\n{}", failures.len(), failures.join("\n"));
}
