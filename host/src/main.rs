//! The `vpnlog` command: runs and measures the WebAssembly filter outside Fluent Bit, with the
//! same calling convention and the same record-loss rules.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::process::ExitCode;
use std::time::Instant;

use vpnlog_host::input::{self, BASE_TIME};
use vpnlog_host::{DEFAULT_FUNCTION, DEFAULT_TAG, FluentBitHost, HostConfig, Timestamp};

const DEFAULT_WASM: &str = "dist/vpnlog.wasm";

const MAIN_HELP: &str = "\
vpnlog: run the vpnlog WebAssembly filter the way Fluent Bit's wasm filter does

Usage: vpnlog <COMMAND> [OPTIONS]

Commands:
  run     Filter records from standard input to standard output
  bench   Measure fuel, time and memory per record
  rules   List the rules of the catalogue, one per line
  docs    Print a reference document (docs/RULES.md, docs/SCHEMA.md)
  check   Coverage of a log: VPN events found, unmatched VPN-looking lines by shape
  report  An HTML troubleshooting report of a log (timelines, failures, flaps, failovers)
  help    Show help for a command

Options:
  -h, --help     Show this help
  -V, --version  Show the version

`vpnlog help <COMMAND>` or `vpnlog <COMMAND> --help` shows a command's options.
";

const RUN_HELP: &str = "\
vpnlog run: filter records from standard input to standard output

Usage: vpnlog run [--wasm PATH] [--function NAME] [--tag TAG] [--raw]

Each input line is one record: a JSON object, or with --raw a line of text sent as
{\"log\":\"<line>\"}. Records are passed compact (whitespace outside strings removed,
every other byte kept), with a trailing NUL, as Fluent Bit does; empty lines are skipped.
The module is instantiated once. Record i (from 0) gets time_sec=1700000000+i, time_nsec=0.

For each record the module's returned string is written to standard output, one line per
record. A record Fluent Bit would lose (trap, invalid pointer, empty or non-JSON result,
root not an object, failed copy, stale exception) is reported on standard error with its
line number and reason; so is an input line that is not a JSON object, which is skipped.

Options:
      --wasm PATH      Module to run [default: dist/vpnlog.wasm]
      --function NAME  Exported filter function [default: vpnlog_filter]
      --tag TAG        Tag passed with every record [default: vpn.log]
      --raw            Treat each line as text, not JSON
  -h, --help           Show this help

Exit status: 0 all records came out; 1 some record was dropped or some input line was
invalid; 2 usage error, unreadable input, or a module that cannot be loaded.
";

const BENCH_HELP: &str = "\
vpnlog bench: measure fuel, time and memory per record

Usage: vpnlog bench [--wasm PATH] [--function NAME] [--tag TAG] [--raw] [--repeat K] [FILE...]

Reads records from the FILEs (or standard input; `-` is standard input), like `vpnlog run`,
then sends them through one module instance K times and prints:
  records=N dropped=N
  fuel_per_record mean=N max=N        fuel of the filter call (integers)
  us_per_record mean=X                wall clock per record, host work included
  memory_pages start=N end=N          after the first 1000 records (or the last) / at the end
Dropped records are counted, and the first few reported on standard error. A module built with
`make profile` (the `probe` feature) also gets a table of fuel per stretch between its marks.

Options:
      --wasm PATH      Module to run [default: dist/vpnlog.wasm]
      --function NAME  Exported filter function [default: vpnlog_filter]
      --tag TAG        Tag passed with every record [default: vpn.log]
      --raw            Treat each line as text, not JSON
      --repeat K       Go over the input K times [default: 1]
  -h, --help           Show this help

Exit status: 0 measured; 1 some input line was invalid (skipped, still measured);
2 usage error, unreadable input, or a module that cannot be loaded.
";

const RULES_HELP: &str = "\
vpnlog rules: list the rules of the catalogue built into this program

Usage: vpnlog rules

Prints one line per rule, in the order rules are tried:
  id<TAB>vendor<TAB>kind<TAB>event<TAB>first example line
The catalogue is the one compiled from rules/*.toml when this program was built; the
module in dist/vpnlog.wasm is built from the same files by `make`.

Options:
  -h, --help  Show this help
";

const DOCS_HELP: &str = "\
vpnlog docs: print a reference document rendered from the catalogue

Usage: vpnlog docs <rules|schema>

  rules   docs/RULES.md: every rule by vendor (anchors, patterns, meaning, examples)
  schema  docs/SCHEMA.md: the `vpn` object, its vocabularies, and the record keys read

`make docs` writes both files; a test fails when the committed ones are out of date.

Options:
  -h, --help  Show this help
";

/// Failure that ends the command with status 2.
struct Fatal(String);

impl From<io::Error> for Fatal {
    fn from(e: io::Error) -> Self {
        Fatal(e.to_string())
    }
}

struct Options {
    wasm: String,
    function: String,
    tag: String,
    raw: bool,
    repeat: u64,
    files: Vec<String>,
    help: bool,
}

fn parse_options(args: &[String], bench: bool) -> Result<Options, Fatal> {
    let mut o = Options {
        wasm: DEFAULT_WASM.into(),
        function: DEFAULT_FUNCTION.into(),
        tag: DEFAULT_TAG.into(),
        raw: false,
        repeat: 1,
        files: Vec::new(),
        help: false,
    };
    let mut it = args.iter();
    let mut only_files = false;
    while let Some(arg) = it.next() {
        if only_files || !arg.starts_with('-') || arg == "-" {
            if !bench {
                return Err(Fatal(format!("unexpected argument `{arg}`")));
            }
            o.files.push(arg.clone());
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, Fatal> {
            match inline.clone().or_else(|| it.next().cloned()) {
                Some(v) => Ok(v),
                None => Err(Fatal(format!("{name} needs a value"))),
            }
        };
        match name {
            "--" => only_files = true,
            "-h" | "--help" => o.help = true,
            "--raw" if inline.is_none() => o.raw = true,
            "--wasm" => o.wasm = value(name)?,
            "--function" => o.function = value(name)?,
            "--tag" => o.tag = value(name)?,
            "--repeat" if bench => {
                let v = value(name)?;
                o.repeat = v.parse().ok().filter(|&k| k >= 1).ok_or_else(|| {
                    Fatal(format!("--repeat needs a positive integer, got `{v}`"))
                })?;
            }
            _ => return Err(Fatal(format!("unknown option `{arg}`"))),
        }
    }
    Ok(o)
}

fn load(o: &Options) -> Result<FluentBitHost, Fatal> {
    let wasm = std::fs::read(&o.wasm).map_err(|e| Fatal(format!("cannot read {}: {e}", o.wasm)))?;
    let config = HostConfig {
        function: o.function.clone(),
        ..HostConfig::default()
    };
    FluentBitHost::new(&wasm, &config).map_err(|e| Fatal(format!("{}: {e}", o.wasm)))
}

fn timestamp(index: u64) -> Timestamp {
    Timestamp {
        sec: BASE_TIME.wrapping_add(index as u32),
        nsec: 0,
    }
}

/// Output line for a returned string: as returned, unless it spans lines (then compacted).
fn output_line(s: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if s.iter().any(|&b| b == b'\n' || b == b'\r') {
        vpnlog_host::json::strip_whitespace(s).into()
    } else {
        s.into()
    }
}

fn run(o: &Options) -> Result<ExitCode, Fatal> {
    let mut host = load(o)?;
    let mut stdin = io::stdin().lock();
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let (mut line_no, mut records, mut dropped, mut invalid) = (0u64, 0u64, 0u64, 0u64);
    let mut line = Vec::new();
    loop {
        line.clear();
        if stdin.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        line_no += 1;
        let record = match input::record_from_line(input::strip_newline(&line), o.raw) {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(e) => {
                eprintln!("vpnlog: line {line_no}: invalid input, skipped: {e}");
                invalid += 1;
                continue;
            }
        };
        let outcome = host.process(o.tag.as_bytes(), timestamp(records), &record);
        records += 1;
        let written = match &outcome.result {
            Ok(s) => out
                .write_all(&output_line(s))
                .and_then(|()| out.write_all(b"\n")),
            Err(reason) => {
                dropped += 1;
                eprintln!("vpnlog: line {line_no}: record dropped: {reason}");
                Ok(())
            }
        };
        if let Err(e) = written {
            if e.kind() == io::ErrorKind::BrokenPipe {
                return Ok(status(dropped, invalid));
            }
            return Err(e.into());
        }
    }
    match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e.into()),
        _ => {}
    }
    if dropped > 0 || invalid > 0 {
        eprintln!("vpnlog: {records} records, {dropped} dropped, {invalid} invalid input line(s)");
    }
    Ok(status(dropped, invalid))
}

fn status(dropped: u64, invalid: u64) -> ExitCode {
    if dropped > 0 || invalid > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A record to bench, with where it came from.
struct Sourced {
    record: Vec<u8>,
    file: String,
    line: u64,
}

fn read_records(o: &Options, invalid: &mut u64) -> Result<Vec<Sourced>, Fatal> {
    let files = if o.files.is_empty() {
        vec!["-".to_string()]
    } else {
        o.files.clone()
    };
    let mut records = Vec::new();
    for file in files {
        let (name, reader): (String, Box<dyn Read>) = if file == "-" {
            ("<stdin>".into(), Box::new(io::stdin()))
        } else {
            let f = File::open(&file).map_err(|e| Fatal(format!("cannot open {file}: {e}")))?;
            (file.clone(), Box::new(f))
        };
        let mut reader = BufReader::with_capacity(1 << 16, reader);
        let mut line = Vec::new();
        let mut line_no = 0;
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| Fatal(format!("cannot read {name}: {e}")))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            match input::record_from_line(input::strip_newline(&line), o.raw) {
                Ok(Some(record)) => records.push(Sourced {
                    record,
                    file: name.clone(),
                    line: line_no,
                }),
                Ok(None) => {}
                Err(e) => {
                    eprintln!("vpnlog: {name}:{line_no}: invalid input, skipped: {e}");
                    *invalid += 1;
                }
            }
        }
    }
    Ok(records)
}

fn bench(o: &Options) -> Result<ExitCode, Fatal> {
    const REPORTED_DROPS: u64 = 10;
    const START_AFTER: u64 = 1000;
    let mut invalid = 0;
    let records = read_records(o, &mut invalid)?;
    let mut host = load(o)?;
    let (mut n, mut dropped, mut fuel_sum, mut fuel_max) = (0u64, 0u64, 0u128, 0u64);
    let mut start_pages = None;
    let started = Instant::now();
    for _ in 0..o.repeat {
        for r in &records {
            let outcome = host.process(o.tag.as_bytes(), timestamp(n), &r.record);
            n += 1;
            fuel_sum += u128::from(outcome.fuel);
            fuel_max = fuel_max.max(outcome.fuel);
            if let Err(reason) = &outcome.result {
                dropped += 1;
                if dropped <= REPORTED_DROPS {
                    eprintln!("vpnlog: {}:{}: record dropped: {reason}", r.file, r.line);
                }
            }
            if n == START_AFTER {
                start_pages = Some(host.memory_pages());
            }
        }
    }
    let elapsed = started.elapsed();
    if dropped > REPORTED_DROPS {
        eprintln!(
            "vpnlog: {} more dropped record(s) not shown",
            dropped - REPORTED_DROPS
        );
    }
    let end_pages = host.memory_pages();
    let fuel_mean = if n == 0 {
        0
    } else {
        (fuel_sum + u128::from(n) / 2) / u128::from(n)
    };
    let us_mean = if n == 0 {
        0.0
    } else {
        elapsed.as_secs_f64() * 1e6 / n as f64
    };
    let mut out = io::stdout().lock();
    writeln!(out, "records={n} dropped={dropped}")?;
    writeln!(out, "fuel_per_record mean={fuel_mean} max={fuel_max}")?;
    writeln!(out, "us_per_record mean={us_mean:.2}")?;
    writeln!(
        out,
        "memory_pages start={} end={end_pages}",
        start_pages.unwrap_or(end_pages)
    )?;
    // A module built with `--features probe` marks stage boundaries: show where fuel goes.
    let probes = &host.probes().spans;
    if probes.keys().any(|&k| k != (0, u32::MAX)) && n > 0 {
        writeln!(out, "fuel by stretch between probe marks (per record; 0 = call start, end = return):")?;
        for (&(from, to), &(fuel, times)) in probes {
            let name = |m: u32| if m == u32::MAX { "end".to_string() } else { m.to_string() };
            if from == 0 && to == u32::MAX {
                continue; // the copies' malloc/free calls
            }
            writeln!(out, "  {:>4} -> {:<4} {:>8} fuel/record  ({} times)", name(from), name(to), fuel / u128::from(n) as u64, times)?;
        }
    }
    out.flush()?;
    Ok(if invalid > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes a whole text to standard output; a closed pipe (`vpnlog rules | head`) is not an error.
fn print_text(text: &str) -> Result<ExitCode, Fatal> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprint!("{MAIN_HELP}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match command.as_str() {
        "-h" | "--help" => {
            print!("{MAIN_HELP}");
            return ExitCode::SUCCESS;
        }
        "-V" | "--version" => {
            println!("vpnlog {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        "help" => {
            let text = match rest.first().map(String::as_str) {
                None => MAIN_HELP,
                Some("run") => RUN_HELP,
                Some("bench") => BENCH_HELP,
                Some("rules") => RULES_HELP,
                Some("docs") => DOCS_HELP,
                Some("check") => vpnlog_host::check_report_cli::CHECK_HELP,
                Some("report") => vpnlog_host::check_report_cli::REPORT_HELP,
                Some(other) => {
                    eprintln!("vpnlog: unknown command `{other}`\n\n{MAIN_HELP}");
                    return ExitCode::from(2);
                }
            };
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        "run" | "bench" => {
            let bench_mode = command == "bench";
            match parse_options(rest, bench_mode) {
                Ok(o) if o.help => {
                    print!("{}", if bench_mode { BENCH_HELP } else { RUN_HELP });
                    return ExitCode::SUCCESS;
                }
                Ok(o) if bench_mode => bench(&o),
                Ok(o) => run(&o),
                Err(Fatal(e)) => {
                    eprintln!("vpnlog {command}: {e}\nTry `vpnlog {command} --help`.");
                    return ExitCode::from(2);
                }
            }
        }
        "check" => return vpnlog_host::check_report_cli::check_command(rest),
        "report" => return vpnlog_host::check_report_cli::report_command(rest),
        "rules" => match rest.first().map(String::as_str) {
            None => print_text(&vpnlog_host::docs::rules_tsv()),
            Some("-h" | "--help") => print_text(RULES_HELP),
            Some(other) => {
                eprintln!("vpnlog rules: unexpected argument `{other}`\nTry `vpnlog rules --help`.");
                return ExitCode::from(2);
            }
        },
        "docs" => match (rest.first().map(String::as_str), rest.len()) {
            (Some("rules"), 1) => print_text(&vpnlog_host::docs::rules_md()),
            (Some("schema"), 1) => print_text(&vpnlog_host::docs::schema_md()),
            (Some("-h" | "--help"), _) => print_text(DOCS_HELP),
            _ => {
                eprintln!("vpnlog docs: name one document: `rules` or `schema`\nTry `vpnlog docs --help`.");
                return ExitCode::from(2);
            }
        },
        other => {
            eprintln!("vpnlog: unknown command `{other}`\n\n{MAIN_HELP}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(Fatal(e)) => {
            eprintln!("vpnlog: {e}");
            ExitCode::from(2)
        }
    }
}
