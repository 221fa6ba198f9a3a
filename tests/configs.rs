//! Every shipped Fluent Bit configuration (examples/fluent-bit/*.yaml and *.conf,
//! examples/kubernetes/fluent-bit.yaml), read with a small parser for the two formats:
//! - every `wasm` filter names vpnlog.wasm (dist/vpnlog.wasm when the path is relative), a
//!   function the built module exports, json events, and the heap and stack settings README.md
//!   recommends (heap at its default 8192, stack 65536);
//! - every input names a sample (a `# sample: PATH` comment in its section); the sample's lines
//!   become records as that input's parser would make them (tail without parser: {"log":line};
//!   json; the syslog RFC 3164 / 5424 regexes of these files; the cri multiline parser) and go
//!   through `vpnlog run` with the function of the filter that matches the input's tag: every
//!   record must come out, and some must be classified in that function's shape.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Map, Value};

/// A section of a configuration: `input`, `filter`, `output`, `parser` or `service`, its
/// properties (keys lower-cased, values unquoted) and its `# sample:` paths.
#[derive(Debug, Default)]
struct Section {
    kind: String,
    props: Vec<(String, String)>,
    samples: Vec<String>,
}

impl Section {
    fn get(&self, key: &str) -> Option<&str> {
        self.props.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    for q in ['\'', '"'] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return v[1..v.len() - 1].to_string();
        }
    }
    v.to_string()
}

fn sample_comment(line: &str) -> Option<String> {
    line.trim().strip_prefix('#')?.trim().strip_prefix("sample:").map(|s| s.trim().to_string())
}

/// The classic format: `[SECTION]` headers, `Key Value` lines, comments on their own lines;
/// `Parsers_File` in [SERVICE] is read too (relative to the configuration's directory).
fn parse_classic(path: &Path) -> Vec<Section> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut sections: Vec<Section> = Vec::new();
    let mut pending_samples = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(s) = sample_comment(t) {
            match sections.last_mut() {
                Some(sec) if line.starts_with(' ') => sec.samples.push(s),
                _ => pending_samples.push(s),
            }
            continue;
        }
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('[') && t.ends_with(']') {
            let mut sec = Section { kind: t[1..t.len() - 1].to_ascii_lowercase(), ..Default::default() };
            sec.samples.append(&mut pending_samples);
            sections.push(sec);
            continue;
        }
        let (k, v) = t.split_once(char::is_whitespace).unwrap_or_else(|| panic!("{}:{}: not `Key Value`: {t}", path.display(), n + 1));
        let sec = sections.last_mut().unwrap_or_else(|| panic!("{}:{}: property outside a section", path.display(), n + 1));
        sec.props.push((k.to_ascii_lowercase(), v.trim().to_string()));
    }
    let parsers: Vec<String> = sections.iter().filter(|s| s.kind == "service").filter_map(|s| s.get("parsers_file").map(str::to_string)).collect();
    for p in parsers {
        let file = path.parent().unwrap().join(&p);
        assert!(file.exists(), "{}: Parsers_File {p} does not exist next to it", path.display());
        sections.extend(parse_classic(&file).into_iter().filter(|s| s.kind == "parser"));
    }
    sections
}

/// The YAML format, as far as these files use it: `service:` (a map), and `parsers:` and
/// `pipeline:` with `inputs:`, `filters:`, `outputs:` (lists of maps of scalars). A
/// `# sample:` comment belongs to the list item that follows it.
fn parse_yaml(path: &Path) -> Vec<Section> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut sections: Vec<Section> = Vec::new();
    let mut list = String::new();
    let mut pending = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let where_ = || format!("{}:{}", path.display(), n + 1);
        if let Some(s) = sample_comment(line) {
            pending.push(s);
            continue;
        }
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if let Some(item) = t.strip_prefix("- ") {
            let kind = match list.as_str() {
                "inputs" => "input",
                "filters" => "filter",
                "outputs" => "output",
                "parsers" => "parser",
                other => panic!("{}: list item under `{other}`", where_()),
            };
            let mut sec = Section { kind: kind.into(), ..Default::default() };
            sec.samples.append(&mut pending);
            let (k, v) = item.split_once(':').unwrap_or_else(|| panic!("{}: not `- key: value`", where_()));
            sec.props.push((k.trim().to_ascii_lowercase(), unquote(v)));
            sections.push(sec);
            continue;
        }
        let (k, v) = t.split_once(':').unwrap_or_else(|| panic!("{}: not `key: value`", where_()));
        let (k, v) = (k.trim().to_ascii_lowercase(), unquote(v));
        if v.is_empty() {
            // A new map or list: service, parsers, pipeline, inputs, filters, outputs.
            list = k.clone();
            if k == "service" {
                sections.push(Section { kind: "service".into(), ..Default::default() });
            }
            continue;
        }
        let sec = sections.last_mut().unwrap_or_else(|| panic!("{}: property outside a section", where_()));
        assert!(indent > 0, "{}: unexpected top-level scalar", where_());
        sec.props.push((k, v));
    }
    assert!(pending.is_empty(), "{}: `# sample:` comment not followed by an input", path.display());
    sections
}

fn configs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(repo().join("examples/fluent-bit")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if (name.ends_with(".yaml") || name.ends_with(".conf")) && !name.starts_with("parsers") {
            out.push(p);
        }
    }
    out.push(repo().join("examples/kubernetes/fluent-bit.yaml"));
    out.sort();
    out
}

fn sections_of(path: &Path) -> Vec<Section> {
    if path.extension().is_some_and(|e| e == "yaml") { parse_yaml(path) } else { parse_classic(path) }
}

/// Fluent Bit's tag matching: `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => text.starts_with(head) && (0..=text.len() - head.len()).any(|i| glob(rest, &text[head.len() + i..])),
    }
}

/// The files a sample path names (`dir/*.ext` or a file), relative to the repository.
fn sample_files(sample: &str) -> Vec<PathBuf> {
    let p = repo().join(sample);
    let name = p.file_name().unwrap().to_string_lossy().into_owned();
    if !name.contains('*') {
        assert!(p.exists(), "sample {sample} does not exist");
        return vec![p];
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(p.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|f| glob(&name, &f.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "sample {sample} matches no file");
    files
}

/// The exports of the built module.
fn exports() -> Vec<String> {
    let bytes = std::fs::read(common::wasm_path()).expect("dist/vpnlog.wasm (run `make`)");
    let m = wasmi::Module::new(&wasmi::Engine::default(), &bytes).unwrap();
    m.exports().map(|e| e.name().to_string()).collect()
}

const RFC3164: &str = r"^<(?<pri>\d{1,3})>(?<time>\w{3} [ \d]\d \d{2}:\d{2}:\d{2}) (?<host>[^ ]+) (?<ident>[^ :\[]*)(?:\[(?<pid>\d+)\])?: ?(?<message>.*)$";
const RFC5424: &str = r"^<(?<pri>\d{1,3})>1 (?<time>[^ ]+) (?<host>[^ ]+) (?<ident>[^ ]+) (?<pid>[^ ]+) (?<msgid>[^ ]+) (?<extradata>-|(?:\[[^\]]*\])+) ?(?<message>.*)$";

fn digits(s: &str, min: usize, max: usize) -> Option<(&str, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    (min..=max).contains(&n).then(|| s.split_at(n))
}

fn token(s: &str) -> Option<(&str, &str)> {
    let (t, rest) = s.split_once(' ')?;
    (!t.is_empty()).then_some((t, rest))
}

/// RFC3164 applied to a line, as Fluent Bit's regex parser with Time_Key time records it
/// (the time is taken out; an optional group that did not match is left out).
fn rfc3164(line: &str) -> Option<Map<String, Value>> {
    let (pri, rest) = digits(line.strip_prefix('<')?, 1, 3)?;
    let rest = rest.strip_prefix('>')?;
    let b = rest.as_bytes();
    let time_ok = b.len() > 16
        && b[..3].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && b[3] == b' '
        && (b[4] == b' ' || b[4].is_ascii_digit())
        && b[5].is_ascii_digit()
        && b[6] == b' '
        && b[7..15].iter().enumerate().all(|(i, c)| if i % 3 == 2 { *c == b':' } else { c.is_ascii_digit() })
        && b[15] == b' ';
    if !time_ok {
        return None;
    }
    let (host, rest) = token(&rest[16..])?;
    let ident_len = rest.find([' ', ':', '[']).unwrap_or(rest.len());
    let (ident, mut rest) = rest.split_at(ident_len);
    let mut m = Map::new();
    m.insert("pri".into(), pri.into());
    m.insert("host".into(), host.into());
    m.insert("ident".into(), ident.into());
    if let Some(r) = rest.strip_prefix('[') {
        if let Some((pid, r2)) = digits(r, 1, usize::MAX).and_then(|(p, r2)| Some((p, r2.strip_prefix(']')?))) {
            m.insert("pid".into(), pid.into());
            rest = r2;
        }
    }
    let rest = rest.strip_prefix(':')?;
    let message = rest.strip_prefix(' ').unwrap_or(rest);
    m.insert("message".into(), message.into());
    Some(m)
}

/// RFC5424 applied to a line (see `rfc3164`).
fn rfc5424(line: &str) -> Option<Map<String, Value>> {
    let (pri, rest) = digits(line.strip_prefix('<')?, 1, 3)?;
    let rest = rest.strip_prefix(">1 ")?;
    let (_time, rest) = token(rest)?;
    let (host, rest) = token(rest)?;
    let (ident, rest) = token(rest)?;
    let (pid, rest) = token(rest)?;
    let (msgid, rest) = token(rest)?;
    let sd_len = if rest.starts_with('-') {
        1
    } else {
        let mut i = 0;
        while rest[i..].starts_with('[') {
            i += rest[i..].find(']')? + 1;
        }
        if i == 0 {
            return None;
        }
        i
    };
    let (extradata, rest) = rest.split_at(sd_len);
    let message = rest.strip_prefix(' ').unwrap_or(rest);
    let mut m = Map::new();
    for (k, v) in [("pri", pri), ("host", host), ("ident", ident), ("pid", pid), ("msgid", msgid), ("extradata", extradata), ("message", message)] {
        m.insert(k.into(), v.into());
    }
    Some(m)
}

/// Fluent Bit's cri multiline parser: `time stream P|F text` -> stream, _p, log.
fn cri(line: &str) -> Option<Map<String, Value>> {
    let (_time, rest) = token(line)?;
    let (stream, rest) = token(rest)?;
    let (p, log) = rest.split_once(' ')?;
    let mut m = Map::new();
    m.insert("stream".into(), stream.into());
    m.insert("_p".into(), p.into());
    m.insert("log".into(), log.into());
    Some(m)
}

/// The records an input makes of a sample's lines; None for the `tail` without parser case
/// (sent with `vpnlog run --raw`).
fn records(config: &Path, input: &Section, parsers: &[&Section], lines: &[String]) -> Option<Vec<String>> {
    if input.get("multiline.parser") == Some("cri") {
        return Some(lines.iter().map(|l| Value::Object(cri(l).unwrap_or_else(|| panic!("not a CRI line: {l}"))).to_string()).collect());
    }
    let name = input.get("parser")?;
    let parser = parsers.iter().find(|p| p.get("name") == Some(name)).unwrap_or_else(|| panic!("{}: parser {name} is not defined", config.display()));
    match (parser.get("format"), parser.get("regex")) {
        (Some("json"), _) => Some(lines.to_vec()),
        (Some("regex"), Some(re)) if re == RFC3164 => {
            Some(lines.iter().map(|l| Value::Object(rfc3164(l).unwrap_or_else(|| panic!("{name}: no match: {l}"))).to_string()).collect())
        }
        (Some("regex"), Some(re)) if re == RFC5424 => {
            Some(lines.iter().map(|l| Value::Object(rfc5424(l).unwrap_or_else(|| panic!("{name}: no match: {l}"))).to_string()).collect())
        }
        other => panic!("{}: parser {name} ({other:?}) has no emulation in tests/configs.rs", config.display()),
    }
}

fn vpnlog_bin() -> PathBuf {
    std::env::var_os("VPNLOG_BIN").map(Into::into).unwrap_or_else(|| repo().join("target/release/vpnlog"))
}

/// `vpnlog run` over the lines; returns the output lines.
fn run(function: &str, raw: bool, input: &str) -> Vec<String> {
    use std::io::Write;
    let mut args = vec!["run", "--wasm", common::wasm_path().to_str().unwrap().to_owned().leak(), "--function", function];
    if raw {
        args.push("--raw");
    }
    let mut child = Command::new(vpnlog_bin())
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e} (run `make`)", vpnlog_bin().display()));
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "vpnlog run --function {function}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

/// Whether an output line carries the classification in `function`'s shape.
fn classified(function: &str, line: &str) -> bool {
    let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("output is not JSON ({e}): {line}"));
    let o = v.as_object().unwrap();
    match function {
        "vpnlog_filter" => o.get("vpn").is_some_and(|v| v.get("rule").is_some()),
        "vpnlog_filter_ecs" => o.get("vpn").is_some_and(|v| v.get("rule").is_some()) && o.get("observer").is_some(),
        "vpnlog_filter_ocsf" => o.get("class_uid").is_some() && o.get("unmapped").is_some(),
        "vpnlog_filter_flat" => o.get("vpn.rule").is_some(),
        other => panic!("unknown function {other}"),
    }
}

#[test]
fn every_shipped_config_names_a_real_export_with_the_recommended_settings_and_its_samples_classify() {
    let exports = exports();
    let configs = configs();
    assert!(configs.len() >= 11, "{configs:?}");
    let mut functions_used = std::collections::BTreeSet::new();
    for config in &configs {
        let what = config.strip_prefix(repo()).unwrap().display().to_string();
        let sections = sections_of(config);
        let filters: Vec<&Section> = sections.iter().filter(|s| s.kind == "filter" && s.get("name") == Some("wasm")).collect();
        assert!(!filters.is_empty(), "{what}: no wasm filter");
        for f in &filters {
            let path = f.get("wasm_path").unwrap_or_else(|| panic!("{what}: wasm_path missing"));
            assert!(path.ends_with("/vpnlog.wasm"), "{what}: wasm_path {path}");
            if !path.starts_with('/') {
                assert!(repo().join(path).exists(), "{what}: {path} does not exist (run `make`)");
            }
            let function = f.get("function_name").unwrap_or_else(|| panic!("{what}: function_name missing"));
            assert!(exports.iter().any(|e| e == function), "{what}: {function} is not an export of the module ({exports:?})");
            assert!(function.starts_with("vpnlog_filter"), "{what}: {function} is not a filter function");
            assert_eq!(f.get("event_format").unwrap_or("json"), "json", "{what}: event_format");
            // README.md, "Running it in Fluent Bit": heap at its default, stack 64 KiB.
            assert_eq!(f.get("wasm_heap_size").unwrap_or("8192"), "8192", "{what}: wasm_heap_size");
            assert_eq!(f.get("wasm_stack_size"), Some("65536"), "{what}: wasm_stack_size");
            functions_used.insert(function.to_string());
        }
        let parsers: Vec<&Section> = sections.iter().filter(|s| s.kind == "parser").collect();
        let inputs: Vec<&Section> = sections.iter().filter(|s| s.kind == "input").collect();
        assert!(!inputs.is_empty(), "{what}: no input");
        for input in inputs {
            let tag = input.get("tag").unwrap_or_else(|| panic!("{what}: input without tag")).replace('*', "var.log.containers.x.log");
            let filter = filters.iter().find(|f| glob(f.get("match").unwrap_or(""), &tag)).unwrap_or_else(|| panic!("{what}: no wasm filter matches tag {tag}"));
            let function = filter.get("function_name").unwrap();
            assert!(!input.samples.is_empty(), "{what}: input {tag} has no `# sample:` comment");
            for sample in &input.samples {
                let mut n = 0;
                for file in sample_files(sample) {
                    let lines: Vec<String> = std::fs::read_to_string(&file).unwrap().lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect();
                    let (raw, recs) = match records(config, input, &parsers, &lines) {
                        Some(r) => (false, r),
                        None => (true, lines.clone()),
                    };
                    let out = run(function, raw, &(recs.join("\n") + "\n"));
                    assert_eq!(out.len(), recs.len(), "{what}: {}: records lost", file.display());
                    n += out.iter().filter(|l| classified(function, l)).count();
                }
                assert!(n > 0, "{what}: {sample}: nothing classified by {function}");
            }
        }
    }
    // Between them, the configurations show every export.
    for f in common::FILTERS {
        assert!(functions_used.contains(f), "no shipped configuration uses {f}");
    }
}

#[test]
fn syslog_emulation_matches_the_documented_shapes() {
    let a = rfc3164("<166>Mar  3 07:42:10 asa-dc2 : %ASA-5-713119: Group = G, IP = 192.0.2.1, PHASE 1 COMPLETED").unwrap();
    assert_eq!(Value::Object(a).to_string(), r#"{"pri":"166","host":"asa-dc2","ident":"","message":"%ASA-5-713119: Group = G, IP = 192.0.2.1, PHASE 1 COMPLETED"}"#);
    let b = rfc3164("<30>Mar 13 07:45:17 r1 bgpd[977]: text").unwrap();
    assert_eq!(Value::Object(b).to_string(), r#"{"pri":"30","host":"r1","ident":"bgpd","pid":"977","message":"text"}"#);
    assert!(rfc3164("<30>2026-03-03 r1 x: y").is_none());
    let c = rfc5424("<29>1 2026-03-03T07:48:03.004Z leaf-3 bgpd 877 - [a x=\"1\"][b] hello world").unwrap();
    assert_eq!(
        Value::Object(c).to_string(),
        r#"{"pri":"29","host":"leaf-3","ident":"bgpd","pid":"877","msgid":"-","extradata":"[a x=\"1\"][b]","message":"hello world"}"#
    );
    assert!(rfc5424("<29>2 2026 h a p m - x").is_none());
    assert!(glob("kube.*", "kube.var.log.x") && glob("*", "a") && !glob("vpn.*", "net.a"));
}
