//! Command lines of `vpnlog check` and `vpnlog report`: options, help texts, progress on a
//! terminal, and output. The work is in [`crate::check`], [`crate::report`] and
//! [`crate::report_html`].

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::events::{self, ReadOptions};
use crate::filter::{FluentBitHost, HostConfig};
use crate::report::{self, ReportOptions};
use crate::{DEFAULT_FUNCTION, DEFAULT_TAG, check, report_html};

pub const CHECK_HELP: &str = "\
vpnlog check: how much of a log the rule catalogue recognises

Usage: vpnlog check [--wasm PATH] [--json] [--top N] [--no-progress] [FILE...]

Sends every line of the FILEs (or standard input; `-` is standard input) through the
module the way Fluent Bit does. Each line is recognised on its own: a JSON object is sent
as the record, any other line as {\"log\":\"<line>\"}. Prints:
  - lines read, VPN events found, and the lines no rule matched;
  - the events by vendor, kind and outcome;
  - the unmatched lines that look VPN-related (they mention IKE, IPsec, ISAKMP, SA, ESP,
    SPI, DPD, BGP, tunnel, VPN, a VPN daemon, phase 1/2, neighbor...), grouped by shape:
    timestamps, addresses, hex ids, quoted values and numbers are masked (<time>, <ip>,
    <hex>, '<str>', <n>) so that similar lines group, with a count and the first line of
    each shape.
A progress line is shown on standard error when it is a terminal and reading takes more
than a second.

Options:
      --wasm PATH      Module to run [default: dist/vpnlog.wasm]
      --json           Print the summary as one JSON object
      --top N          Shapes listed [default: 20]
      --year YYYY      Year of BSD syslog timestamps, which have none [default: this year]
      --no-progress    Never show the progress line
  -h, --help           Show this help

Exit status: 0 done; 2 usage error, unreadable input, or a module that cannot be loaded.
";

pub const REPORT_HELP: &str = "\
vpnlog report: an HTML troubleshooting report of a log

Usage: vpnlog report [--wasm PATH] [-o FILE] [--flap-window SECONDS]
                     [--failover-window SECONDS] [--year YYYY] [FILE...]

Sends every line of the FILEs (or standard input) through the module, as `vpnlog check`
does, and writes one self-contained HTML page (no network access, no external file):
  - a timeline per tunnel or peer: tunnel up/down, phase 1 and 2, DPD, BGP sessions;
  - the failure reasons, most frequent first, with their hints and example lines;
  - flaps: a tunnel or BGP session down and up again within the flap window;
  - failovers: a tunnel down on one gateway instance and up on another within the
    failover window (Azure's two gateway instances).
Times come from the record: JSON time keys (time, timestamp, TimeGenerated, @timestamp,
event_timestamp, eventTime, date, ts), else the timestamp the line starts with (BSD
syslog, RFC 5424, ISO 8601). A line without one takes the time of the previous line of
its file; without any time, line order is the time axis.

Options:
      --wasm PATH                  Module to run [default: dist/vpnlog.wasm]
  -o, --output FILE                Where to write the page [default: report.html]
      --flap-window SECONDS        [default: 300]
      --failover-window SECONDS    [default: 60]
      --year YYYY                  Year of BSD syslog timestamps [default: this year]
  -h, --help                       Show this help

Exit status: 0 written; 2 usage error, unreadable input, or a module that cannot be loaded.
";

const DEFAULT_WASM: &str = "dist/vpnlog.wasm";

struct Options {
    wasm: String,
    json: bool,
    top: usize,
    year: Option<i64>,
    progress: bool,
    output: String,
    report: ReportOptions,
    files: Vec<String>,
    help: bool,
}

fn parse(args: &[String], for_report: bool) -> Result<Options, String> {
    let mut o = Options {
        wasm: DEFAULT_WASM.into(),
        json: false,
        top: 20,
        year: None,
        progress: true,
        output: "report.html".into(),
        report: ReportOptions::default(),
        files: Vec::new(),
        help: false,
    };
    let mut it = args.iter();
    let mut only_files = false;
    while let Some(arg) = it.next() {
        if only_files || !arg.starts_with('-') || arg == "-" {
            o.files.push(arg.clone());
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned()).ok_or(format!("{name} needs a value"));
        let number = |v: String| v.parse::<u64>().map_err(|_| format!("{name} needs a whole number, got `{v}`"));
        match name {
            "--" => only_files = true,
            "-h" | "--help" => o.help = true,
            "--wasm" => o.wasm = value()?,
            "--year" => o.year = Some(number(value()?)? as i64),
            "--json" if !for_report => o.json = true,
            "--no-progress" if !for_report => o.progress = false,
            "--top" if !for_report => o.top = number(value()?)? as usize,
            "-o" | "--output" if for_report => o.output = value()?,
            "--flap-window" if for_report => o.report.flap_window_ms = number(value()?)? as i64 * 1000,
            "--failover-window" if for_report => o.report.failover_window_ms = number(value()?)? as i64 * 1000,
            _ => return Err(format!("unknown option `{arg}`")),
        }
    }
    Ok(o)
}

/// Progress on standard error: only when it is a terminal, and only once reading has taken
/// a second, so that small inputs never show it.
struct Progress {
    enabled: bool,
    total: Option<u64>,
    started: Instant,
    last: Instant,
    shown: bool,
}

impl Progress {
    fn new(enabled: bool, files: &[String]) -> Progress {
        let total = if files.is_empty() || files.iter().any(|f| f == "-") {
            None
        } else {
            files.iter().map(|f| std::fs::metadata(f).map(|m| m.len()).ok()).sum()
        };
        let now = Instant::now();
        Progress {
            enabled: enabled && io::stderr().is_terminal(),
            total,
            started: now,
            last: now,
            shown: false,
        }
    }

    fn update(&mut self, bytes: u64) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(200) || self.started.elapsed() < Duration::from_secs(1) {
            return;
        }
        self.last = Instant::now();
        self.shown = true;
        let mib = bytes as f64 / 1048576.0;
        let line = match self.total.filter(|&t| t > 0) {
            Some(t) => {
                let frac = (bytes as f64 / t as f64).min(1.0);
                let filled = (frac * 30.0) as usize;
                format!("[{}{}] {:5.1}% {mib:.1} MiB", "#".repeat(filled), "-".repeat(30 - filled), frac * 100.0)
            }
            None => format!("{mib:.1} MiB read"),
        };
        let _ = write!(io::stderr(), "\r{line} ");
    }

    fn finish(&self) {
        if self.shown {
            let _ = write!(io::stderr(), "\r{}\r", " ".repeat(60));
        }
    }
}

fn load(wasm: &str) -> Result<FluentBitHost, String> {
    let bytes = std::fs::read(wasm).map_err(|e| format!("cannot read {wasm}: {e}"))?;
    let config = HostConfig {
        function: DEFAULT_FUNCTION.to_string(),
        ..HostConfig::default()
    };
    FluentBitHost::new(&bytes, &config).map_err(|e| format!("{wasm}: {e}"))
}

fn read(o: &Options, progress: &mut Progress) -> Result<Vec<events::Event>, String> {
    let mut host = load(&o.wasm)?;
    let opts = ReadOptions {
        syslog_year: o.year.unwrap_or_else(events::current_year),
        tag: DEFAULT_TAG.to_string(),
    };
    let events = events::read_all(&mut host, &opts, &o.files, |b| progress.update(b));
    progress.finish();
    events
}

fn usage_error(command: &str, e: &str) -> ExitCode {
    eprintln!("vpnlog {command}: {e}\nTry `vpnlog {command} --help`.");
    ExitCode::from(2)
}

fn write_stdout(text: &str) -> Result<(), String> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}

/// `vpnlog check ARGS`.
pub fn check_command(args: &[String]) -> ExitCode {
    let o = match parse(args, false) {
        Ok(o) => o,
        Err(e) => return usage_error("check", &e),
    };
    if o.help {
        print!("{CHECK_HELP}");
        return ExitCode::SUCCESS;
    }
    let mut progress = Progress::new(o.progress, &o.files);
    let result = read(&o, &mut progress).and_then(|events| {
        let c = check::coverage(&events);
        let text = if o.json {
            let mut s = check::render_json(&c, o.top).to_string();
            s.push('\n');
            s
        } else {
            check::render_text(&c, o.top)
        };
        write_stdout(&text)
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vpnlog check: {e}");
            ExitCode::from(2)
        }
    }
}

/// `vpnlog report ARGS`.
pub fn report_command(args: &[String]) -> ExitCode {
    let o = match parse(args, true) {
        Ok(o) => o,
        Err(e) => return usage_error("report", &e),
    };
    if o.help {
        print!("{REPORT_HELP}");
        return ExitCode::SUCCESS;
    }
    let mut progress = Progress::new(true, &o.files);
    let result = read(&o, &mut progress).and_then(|events| {
        let r = report::analyse(events, o.report);
        let inputs = if o.files.is_empty() { vec!["<stdin>".to_string()] } else { o.files.clone() };
        let html = report_html::render(&r, &inputs);
        std::fs::write(&o.output, html).map_err(|e| format!("cannot write {}: {e}", o.output))?;
        eprintln!(
            "vpnlog report: {} ({} lines, {} VPN events, {} tunnels/peers, {} failure reasons, {} flaps, {} failovers)",
            o.output,
            r.lines,
            r.classified,
            r.subjects.len(),
            r.reasons.len(),
            r.flaps.len(),
            r.failovers.len()
        );
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vpnlog report: {e}");
            ExitCode::from(2)
        }
    }
}
