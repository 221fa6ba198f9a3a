//! `vpnlog report` end to end in a real browser: the report of every example log, opened in
//! Debian's headless Chromium through chromedriver's WebDriver protocol (plain HTTP on
//! loopback, std networking only). Checks the elements after the page's script ran, uses the
//! tunnel filter and the event detail panel, and saves screenshots in
//! target/tmp/report-browser/ (the test output).
//!
//! Needs the packages `chromium` and `chromium-driver` (.ci/run installs them);
//! VPNLOG_CHROMIUM and VPNLOG_CHROMEDRIVER override the programs' paths.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn program(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

/// Kills the child when dropped (chromedriver must not outlive a failed test).
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 request to chromedriver on loopback; returns the JSON body.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("chromedriver accepts connections");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read the head, then exactly Content-Length bytes (the server may keep the connection).
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let head_end = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "{method} {path}: connection closed before the response head");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse::<usize>().unwrap());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let have = raw.len() - head_end;
        let done = match length {
            Some(n) => have >= n,
            None if chunked => raw.ends_with(b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let payload = String::from_utf8_lossy(&raw[head_end..]).into_owned();
    let payload = if chunked { dechunk(&payload) } else { payload };
    serde_json::from_str(&payload).unwrap_or_else(|e| panic!("{method} {path}: {e}: {head}\n{payload}"))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = s.bytes().filter(|&c| c != b'=' && !c.is_ascii_whitespace()).map(val).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &d)| acc | u32::from(d) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

struct Session {
    port: u16,
    id: String,
}

impl Session {
    fn post(&self, path: &str, body: Value) -> Value {
        let v = http(self.port, "POST", &format!("/session/{}{path}", self.id), Some(&body));
        assert!(v["value"].get("error").is_none(), "POST {path}: {v}");
        v["value"].clone()
    }
    fn get(&self, path: &str) -> Value {
        http(self.port, "GET", &format!("/session/{}{path}", self.id), None)["value"].clone()
    }
    fn script(&self, js: &str) -> Value {
        self.post("/execute/sync", json!({"script": js, "args": []}))
    }
    fn element(&self, css: &str) -> String {
        let v = self.post("/element", json!({"using": "css selector", "value": css}));
        v.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).unwrap().to_string()
    }
    fn screenshot(&self, path: &Path) {
        let png = base64_decode(self.get("/screenshot").as_str().unwrap());
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        std::fs::write(path, png).unwrap();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_browser(profile: &Path) -> (Guard, Session) {
    let port = free_port();
    let log = std::fs::File::create(out_dir().join("chromedriver.log")).unwrap();
    let driver = Command::new(program("VPNLOG_CHROMEDRIVER", "chromedriver"))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("chromedriver runs (Debian package chromium-driver)");
    let guard = Guard(driver);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = TcpStream::connect(("127.0.0.1", port)).is_ok()
            && http(port, "GET", "/status", None)["value"]["ready"] == json!(true);
        if ready {
            break;
        }
        assert!(Instant::now() < deadline, "chromedriver did not become ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.push("--window-size=1280,1800".into());
    let caps = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": program("VPNLOG_CHROMIUM", "/usr/bin/chromium"), "args": args}
    }}});
    let v = http(port, "POST", "/session", Some(&caps));
    let id = v["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("new session: {v}")).to_string();
    (guard, Session { port, id })
}

fn render_report(out: &Path) {
    let mut files: Vec<String> = std::fs::read_dir(repo().join("examples/logs"))
        .unwrap()
        .map(|e| format!("examples/logs/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    files.sort();
    let status = Command::new(env!("CARGO_BIN_EXE_vpnlog"))
        .current_dir(repo())
        .args(["report", "--year", "2026", "-o"])
        .arg(out)
        .args(&files)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn report_of_the_examples_in_headless_chromium() {
    let dir = out_dir();
    let html_path = dir.join("report.html");
    render_report(&html_path);
    let html = std::fs::read_to_string(&html_path).unwrap();
    // Self-contained: nothing is fetched.
    for needle in ["<script src", "<link", "<img", "<iframe", "@import", "url(", "http://", "https://"] {
        assert!(!html.contains(needle), "the report must not load anything: found {needle}");
    }

    let profile = dir.join(format!("profile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let (_driver, s) = start_browser(&profile);
    let url = format!("file://{}", html_path.canonicalize().unwrap().display());
    s.post("/url", json!({"url": url}));

    // The page's script ran and every section is there.
    let page = s.script(
        "var q=function(c){return document.querySelectorAll(c).length;};
         var card=function(id){return document.querySelector('#'+id+' b').textContent;};
         var subjects=[].map.call(document.querySelectorAll('section.subject'),function(e){return e.getAttribute('data-subject');});
         var reasons=[].map.call(document.querySelectorAll('tr.reason'),function(e){return e.getAttribute('data-reason');});
         return {script: document.body.getAttribute('data-script'), subjects: subjects,
                 timelines: q('section.subject svg.timeline'), reasons: reasons,
                 flaps: q('tr.flap-row'), failovers: q('tr.failover-row'),
                 failover_text: [].map.call(document.querySelectorAll('tr.failover-row'),function(e){return e.textContent;}),
                 cards: [card('card-flaps'), card('card-failovers')], shown: document.getElementById('shown').textContent,
                 bands: q('section[data-subject=\"branch-ams\"] rect.band'), brackets: q('section[data-subject=\"branch-ams\"] path.bounce.flap'),
                 title: document.title};",
    );
    assert_eq!(page["script"], "ready", "{page}");
    assert_eq!(page["title"], "vpnlog report");
    let subjects: Vec<&str> = page["subjects"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for expected in ["g2gips4", "branch-ams", "203.0.113.50", "198.51.100.77"] {
        assert!(subjects.contains(&expected), "{expected} in {subjects:?}");
    }
    assert_eq!(page["timelines"].as_u64(), Some(subjects.len() as u64));
    assert_eq!(page["shown"], subjects.len().to_string());
    // Worked out from the example files: the two flap/failover examples hold 4 flaps and 2
    // failovers, the other files none (no down there is followed by an up in time).
    assert_eq!((page["flaps"].as_u64(), page["failovers"].as_u64()), (Some(4), Some(2)));
    assert_eq!(page["cards"], json!(["4", "2"]));
    for row in page["failover_text"].as_array().unwrap() {
        assert!(row.as_str().unwrap().contains("GatewayTenantWorker_IN_0 → GatewayTenantWorker_IN_1"), "{row}");
    }
    // branch-ams: up, down, up, down, up, down, up: 7 bands; 2 flap brackets.
    assert_eq!((page["bands"].as_u64(), page["brackets"].as_u64()), (Some(7), Some(2)));
    let reasons: Vec<&str> = page["reasons"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(reasons.contains(&"peer_dead") && reasons.contains(&"psk_mismatch"), "{reasons:?}");
    s.post("/window/rect", json!({"width": 1280, "height": 2400}));
    s.screenshot(&dir.join("report.png"));

    // The filter keeps only the matching tunnel.
    let filter = s.element("#filter");
    s.post(&format!("/element/{filter}/value"), json!({"text": "branch-ams"}));
    let visible = s.script(
        "return {shown: document.getElementById('shown').textContent,
                 visible: [].filter.call(document.querySelectorAll('section.subject'),function(e){return !e.classList.contains('hidden');}).map(function(e){return e.getAttribute('data-subject');})};",
    );
    assert_eq!(visible, json!({"shown": "1", "visible": ["branch-ams"]}));

    // Clicking the first failure of branch-ams (the DPD timeout at 03:02:40) shows its detail.
    let dot = s.element("section[data-subject=\"branch-ams\"] circle.ev.failure");
    s.post(&format!("/element/{dot}/click"), json!({}));
    let detail = s.script(
        "var d=document.getElementById('detail'); var row=document.querySelector('tr.sel');
         return {show: d.classList.contains('show'), text: d.textContent, row: row ? row.id : null};",
    );
    assert_eq!(detail["show"], true, "{detail}");
    let text = detail["text"].as_str().unwrap();
    assert!(text.contains("2026-03-03 03:02:40.000") && text.contains("dpd_timeout"), "{text}");
    assert!(text.contains("DPD check timed out"), "{text}");
    assert!(detail["row"].as_str().unwrap().starts_with("ev-"));
    s.screenshot(&dir.join("report-filtered.png"));

    http(s.port, "DELETE", &format!("/session/{}", s.id), None);
    let _ = std::fs::remove_dir_all(&profile);
    eprintln!("screenshots: {}", dir.display());
}

#[test]
fn base64_of_known_bytes() {
    assert_eq!(base64_decode("iVBORw0KGgo="), b"\x89PNG\r\n\x1a\n");
    assert_eq!(base64_decode("TWFu"), b"Man");
    assert_eq!(base64_decode("TWE="), b"Ma");
}
