//! The page of `vpnlog report`: one self-contained HTML file (inline CSS, SVG and script; no
//! network access, no external resource) drawn from a [`Report`]. Everything is readable
//! without the script; the script adds a tunnel filter and a detail panel for clicked events.

use std::fmt::Write as _;

use crate::report::{Bounce, Direction, Lane, Layer, Placed, Report, transition};
use crate::timestamps::format_ms;

const WIDTH: f64 = 960.0;
const LABEL_W: f64 = 80.0;
const LANE_H: f64 = 22.0;
const AXIS_H: f64 = 20.0;
/// Most rows of one subject's event table.
const TABLE_ROWS: usize = 500;

const STYLE: &str = r#"
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#bf8700;--muted:#6e7781;--line:#d0d7de;--bg:#f6f8fa}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328}
header{background:#24292f;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#d0d7de}
main{padding:8px 24px 40px;max-width:1200px}
h2{border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:28px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:120px;background:var(--bg)}
.card b{display:block;font-size:22px}
.card.bad b{color:var(--bad)}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:var(--bg)}
td.n{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
pre{white-space:pre-wrap;word-break:break-all;margin:2px 0;background:var(--bg);padding:3px 5px;border-radius:4px}
.subject{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:12px 0}
.subject h3{margin:0 0 4px;font-size:16px}
.meta{color:var(--muted);font-size:12px}
svg.timeline{display:block;margin:6px 0;max-width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#57606a}
.lane-bg{fill:#fbfcfd;stroke:#eaeef2}
.up{fill:#dafbe1}.down{fill:#ffebe9}
.ev{cursor:pointer}
.ev.success{fill:var(--ok)}.ev.failure{fill:var(--bad)}.ev.unknown{fill:#8c959f}
.ev.sel{stroke:#0969da;stroke-width:3}
.bounce{fill:none;stroke-width:2}.bounce.flap{stroke:var(--warn)}.bounce.failover{stroke:#8250df}
tr.sel td{background:#ddf4ff}
table.events{table-layout:fixed}
table.events code{word-break:break-all}
table.events th:nth-child(-n+6){width:9%}
table.events th:nth-child(7){width:12%}
.outcome-failure{color:var(--bad)}.outcome-success{color:var(--ok)}
#detail{position:sticky;bottom:0;background:#fff;border-top:2px solid #0969da;padding:6px 12px;display:none}
#detail.show{display:block}
#filter{font:inherit;padding:3px 6px;width:260px}
.legend span{margin-right:14px}.dot{display:inline-block;width:10px;height:10px;border-radius:50%;vertical-align:middle;margin-right:4px}
.hidden{display:none}
.grid{stroke:#eaeef2}
"#;

const SCRIPT: &str = r#"
(function(){
  var detail=document.getElementById('detail');
  function select(i){
    document.querySelectorAll('.sel').forEach(function(e){e.classList.remove('sel');});
    var row=document.getElementById('ev-'+i);
    document.querySelectorAll('.ev[data-i="'+i+'"]').forEach(function(e){e.classList.add('sel');});
    if(!row)return;
    row.classList.add('sel');
    var d=row.closest('details'); if(d)d.open=true;
    var cells=row.querySelectorAll('td');
    detail.innerHTML='';
    var h=document.createElement('b'); h.textContent=cells[0].textContent+'  '+cells[2].textContent+' ('+cells[3].textContent+')';
    var p=document.createElement('pre'); p.textContent=cells[6].textContent+'\n'+cells[7].textContent;
    detail.appendChild(h); detail.appendChild(p); detail.classList.add('show');
  }
  document.querySelectorAll('.ev').forEach(function(e){
    e.addEventListener('click',function(){select(e.getAttribute('data-i'));});
  });
  var filter=document.getElementById('filter');
  function apply(){
    var q=filter.value.toLowerCase(), shown=0;
    document.querySelectorAll('.subject').forEach(function(s){
      var hit=!q||s.getAttribute('data-search').indexOf(q)>=0;
      s.classList.toggle('hidden',!hit); if(hit)shown++;
    });
    document.getElementById('shown').textContent=shown;
  }
  filter.addEventListener('input',apply);
  apply();
  document.body.setAttribute('data-script','ready');
})();
"#;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn when(p: &Placed) -> String {
    match p.at_ms {
        Some(t) if p.inherited => format!("≈ {}", format_ms(t)),
        Some(t) => format_ms(t),
        None => format!("line {}", p.event.seq + 1),
    }
}

fn duration(ms: Option<i64>) -> String {
    match ms {
        None => "unknown (no time)".into(),
        Some(ms) if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        Some(ms) if ms < 3_600_000 => format!("{} min {} s", ms / 60_000, ms / 1000 % 60),
        Some(ms) => format!("{} h {} min", ms / 3_600_000, ms / 60_000 % 60),
    }
}

/// Maps a placed event to an x coordinate over one subject's events: by time when the
/// report has times, else by input order.
struct Scale {
    lo: f64,
    hi: f64,
    by_time: bool,
}

impl Scale {
    fn new(r: &Report, indices: &[usize]) -> Scale {
        let by_time = r.span_ms.is_some();
        let mut s = Scale { lo: f64::MAX, hi: f64::MIN, by_time };
        for &i in indices {
            let v = s.value(&r.events[i]);
            s.lo = s.lo.min(v);
            s.hi = s.hi.max(v);
        }
        if indices.is_empty() {
            (s.lo, s.hi) = (0.0, 0.0);
        }
        s
    }
    fn value(&self, p: &Placed) -> f64 {
        match (self.by_time, p.at_ms) {
            (true, Some(t)) => t as f64,
            _ => p.event.seq as f64,
        }
    }
    fn x(&self, v: f64) -> f64 {
        let plot = WIDTH - LABEL_W - 24.0;
        if self.hi <= self.lo {
            return LABEL_W + 8.0 + plot / 2.0;
        }
        LABEL_W + 8.0 + (v - self.lo) / (self.hi - self.lo) * plot
    }
    fn tick_label(&self, v: f64) -> String {
        if self.by_time {
            let s = format_ms(v as i64);
            s[5..19].to_string() // MM-DD hh:mm:ss
        } else {
            format!("line {}", v as i64 + 1)
        }
    }
}

fn lane_of(p: &Placed) -> Option<Lane> {
    p.event.vpn.as_ref().map(Lane::of)
}

/// A row of the drawing: an up/down band of a layer, or the events of a lane.
#[derive(Clone, Copy, PartialEq)]
enum Row {
    State(Layer),
    Events(Lane),
}

fn svg_timeline(out: &mut String, r: &Report, indices: &[usize], subject: &str) {
    let scale = Scale::new(r, indices);
    let has_layer = |layer: Layer| {
        indices.iter().any(|&i| {
            r.events[i].event.vpn.as_ref().and_then(transition).is_some_and(|(l, _)| l == layer)
        })
    };
    let mut rows: Vec<Row> = [Layer::Tunnel, Layer::Bgp]
        .into_iter()
        .filter(|&l| has_layer(l))
        .map(Row::State)
        .collect();
    rows.extend(
        Lane::ALL
            .into_iter()
            .filter(|l| indices.iter().any(|&i| lane_of(&r.events[i]) == Some(*l)))
            .map(Row::Events),
    );
    let height = AXIS_H + LANE_H * rows.len() as f64 + 4.0;
    let _ = write!(
        out,
        r#"<svg class="timeline" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="timeline of {}">"#,
        esc(subject)
    );
    let y_of = |row: Row| AXIS_H + LANE_H * rows.iter().position(|&x| x == row).unwrap_or(0) as f64;
    for &row in &rows {
        let y = y_of(row);
        let label = match row {
            Row::State(Layer::Tunnel) => "up/down",
            Row::State(Layer::Bgp) => "BGP up/down",
            Row::Events(lane) => lane.label(),
        };
        let _ = write!(
            out,
            r#"<rect class="lane-bg" x="{LABEL_W}" y="{y}" width="{}" height="{}"/><text x="4" y="{}">{label}</text>"#,
            WIDTH - LABEL_W,
            LANE_H - 2.0,
            y + 14.0,
        );
    }
    // Axis: five ticks over the subject's range.
    for k in 0..5 {
        let v = scale.lo + (scale.hi - scale.lo) * k as f64 / 4.0;
        let x = scale.x(v);
        let anchor = match k {
            0 if scale.hi > scale.lo => "start",
            4 => "end",
            _ => "middle",
        };
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" x2="{x:.1}" y1="14" y2="{height}" class="grid"/><text x="{x:.1}" y="11" text-anchor="{anchor}">{}</text>"#,
            esc(&scale.tick_label(v))
        );
        if scale.hi <= scale.lo {
            break;
        }
    }
    // Up/down bands from each state change to the next (the last one to the end).
    for layer in [Layer::Tunnel, Layer::Bgp] {
        if !rows.contains(&Row::State(layer)) {
            continue;
        }
        let mut state: Option<(Direction, f64)> = None;
        let mut bands = Vec::new();
        for &i in indices {
            let Some((l, d)) = r.events[i].event.vpn.as_ref().and_then(transition) else { continue };
            if l != layer || state.is_some_and(|s| s.0 == d) {
                continue;
            }
            let x = scale.x(scale.value(&r.events[i]));
            if let Some((prev, x0)) = state {
                bands.push((prev, x0, x));
            }
            state = Some((d, x));
        }
        if let Some((d, x0)) = state {
            bands.push((d, x0, WIDTH - 8.0));
        }
        let y = y_of(Row::State(layer));
        for (d, x0, x1) in bands {
            let class = if d == Direction::Up { "up" } else { "down" };
            let _ = write!(
                out,
                r#"<rect class="band {class}" x="{x0:.1}" y="{}" width="{:.1}" height="{}"><title>{} {class}</title></rect>"#,
                y + 1.0,
                (x1 - x0).max(1.0),
                LANE_H - 4.0,
                layer.label()
            );
        }
    }
    // Flaps and failovers: a bracket over the state row from the down to the up.
    for (b, class) in r
        .flaps
        .iter()
        .map(|b| (b, "flap"))
        .chain(r.failovers.iter().map(|b| (b, "failover")))
        .filter(|(b, _)| b.subject == subject)
    {
        let (x0, x1) = (scale.x(scale.value(&r.events[b.down])), scale.x(scale.value(&r.events[b.up])));
        let y = y_of(Row::State(b.layer)) + 3.0;
        let _ = write!(
            out,
            r#"<path class="bounce {class}" d="M{x0:.1} {:.1} V{y:.1} H{:.1} V{:.1}"><title>{class}: {}</title></path>"#,
            y + 12.0,
            x1.max(x0 + 3.0),
            y + 12.0,
            esc(&duration(b.gap_ms))
        );
    }
    // One marker per event, except where one of the same lane and outcome already sits on
    // the same pixel (keeps the page small for long logs).
    let mut drawn = std::collections::HashSet::new();
    for &i in indices {
        let p = &r.events[i];
        let (Some(c), Some(lane)) = (&p.event.vpn, lane_of(p)) else { continue };
        let x = scale.x(scale.value(p));
        let y = y_of(Row::Events(lane)) + LANE_H / 2.0 - 1.0;
        let outcome = match c.outcome.as_str() {
            "success" | "failure" => c.outcome.as_str(),
            _ => "unknown",
        };
        if !drawn.insert((lane, x.round() as i64, outcome)) {
            continue;
        }
        let title = format!("{} {} ({}) {}", when(p), c.event, c.rule, p.event.text);
        let _ = write!(
            out,
            r#"<circle class="ev {outcome}" data-i="{i}" cx="{x:.1}" cy="{y:.1}" r="5"><title>{}</title></circle>"#,
            esc(&title)
        );
    }
    out.push_str("</svg>");
}

/// Rows of a subject's event table: all events, or for a long log at most [`TABLE_ROWS`]:
/// failures and state changes first, then the other events in order; shown in time order.
fn table_rows(r: &Report, indices: &[usize]) -> Vec<usize> {
    if indices.len() <= TABLE_ROWS {
        return indices.to_vec();
    }
    let notable = |i: &usize| {
        r.events[*i]
            .event
            .vpn
            .as_ref()
            .is_some_and(|c| c.outcome == "failure" || transition(c).is_some())
    };
    let mut rows: Vec<usize> = indices.iter().copied().filter(notable).take(TABLE_ROWS).collect();
    let room = TABLE_ROWS - rows.len();
    rows.extend(indices.iter().copied().filter(|i| !notable(i)).take(room));
    rows.sort_unstable();
    rows
}

fn event_row(out: &mut String, r: &Report, i: usize) {
    let p = &r.events[i];
    let Some(c) = &p.event.vpn else { return };
    let _ = write!(
        out,
        r#"<tr id="ev-{i}"><td><code>{}</code></td><td>{}</td><td>{}</td><td class="outcome-{}">{}</td><td>{}</td><td>{}</td><td><code>{}:{}</code></td><td><code>{}</code></td></tr>"#,
        esc(&when(p)),
        Lane::of(c).label(),
        esc(&c.event),
        esc(&c.outcome),
        esc(&c.outcome),
        esc(c.reason.as_deref().unwrap_or("")),
        esc(c.instance.as_deref().unwrap_or("")),
        esc(&p.event.source),
        p.event.line,
        esc(&p.event.raw),
    );
}

fn bounce_table(out: &mut String, r: &Report, list: &[Bounce], id: &str, failover: bool) {
    if list.is_empty() {
        let _ = write!(out, r#"<p id="{id}-none">None found.</p>"#);
        return;
    }
    let _ = write!(
        out,
        r#"<table id="{id}"><tr><th>tunnel / peer</th><th>layer</th><th>down</th><th>up</th><th>after</th>{}</tr>"#,
        if failover { "<th>instance</th>" } else { "" }
    );
    for b in list {
        let (d, u) = (&r.events[b.down], &r.events[b.up]);
        let ev = |p: &Placed| {
            format!(
                "<code>{}</code> {} <code>{}:{}</code>",
                esc(&when(p)),
                esc(p.event.vpn.as_ref().map_or("", |c| c.event.as_str())),
                esc(&p.event.source),
                p.event.line
            )
        };
        let _ = write!(
            out,
            r#"<tr class="{id}-row"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td>"#,
            esc(&b.subject),
            b.layer.label(),
            ev(d),
            ev(u),
            esc(&duration(b.gap_ms))
        );
        if failover {
            let _ = write!(
                out,
                "<td>{} → {}</td>",
                esc(b.from_instance.as_deref().unwrap_or("?")),
                esc(b.to_instance.as_deref().unwrap_or("?"))
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

/// The whole page. `inputs` names the files read (for the header).
pub fn render(r: &Report, inputs: &[String]) -> String {
    let mut o = String::with_capacity(64 * 1024 + r.events.len() * 600);
    let failures: u64 = r.reasons.iter().map(|x| x.count).sum();
    let _ = write!(
        o,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>vpnlog report</title><style>{STYLE}</style></head><body data-script="none"><header><h1>vpnlog report</h1><p>{} · {} lines, {} VPN events{}</p></header><main>"#,
        esc(&inputs.join(", ")),
        r.lines,
        r.classified,
        match r.span_ms {
            Some((a, b)) => format!(" · {} to {} UTC", format_ms(a), format_ms(b)),
            None => " · no timestamps: placed in line order".into(),
        }
    );
    let _ = write!(
        o,
        r#"<div class="cards"><div class="card" id="card-subjects"><b>{}</b>tunnels / peers</div><div class="card bad" id="card-failures"><b>{failures}</b>failures</div><div class="card" id="card-reasons"><b>{}</b>failure reasons</div><div class="card" id="card-flaps"><b>{}</b>flaps</div><div class="card" id="card-failovers"><b>{}</b>failovers</div></div>"#,
        r.subjects.len(),
        r.reasons.len(),
        r.flaps.len(),
        r.failovers.len()
    );

    // Timelines.
    let _ = write!(
        o,
        r#"<h2 id="timelines">Timeline per tunnel / peer</h2><p><input id="filter" type="search" placeholder="filter by tunnel, peer, vendor, instance" aria-label="filter"> showing <span id="shown">{}</span> of {}</p><p class="legend"><span><i class="dot" style="background:var(--ok)"></i>success</span><span><i class="dot" style="background:var(--bad)"></i>failure</span><span><i class="dot" style="background:#8c959f"></i>other</span><span style="background:#dafbe1">&nbsp;up&nbsp;</span> <span style="background:#ffebe9">&nbsp;down&nbsp;</span><span style="color:var(--warn)">⊓ flap</span><span style="color:#8250df">⊓ failover</span></p>"#,
        r.subjects.len(),
        r.subjects.len()
    );
    for s in &r.subjects {
        let search = format!(
            "{} {} {} {}",
            s.key,
            s.peers.iter().cloned().collect::<Vec<_>>().join(" "),
            s.vendors.iter().cloned().collect::<Vec<_>>().join(" "),
            s.instances.iter().cloned().collect::<Vec<_>>().join(" ")
        )
        .to_lowercase();
        let _ = write!(
            o,
            r#"<section class="subject" data-subject="{}" data-search="{}"><h3>{}</h3><div class="meta">{} events, {} failures · vendor {}{}{}</div>"#,
            esc(&s.key),
            esc(&search),
            esc(&s.key),
            s.events.len(),
            s.failures,
            esc(&s.vendors.iter().cloned().collect::<Vec<_>>().join(", ")),
            if s.peers.is_empty() || (s.peers.len() == 1 && s.peers.contains(&s.key)) {
                String::new()
            } else {
                format!(" · peer {}", esc(&s.peers.iter().cloned().collect::<Vec<_>>().join(", ")))
            },
            if s.instances.is_empty() {
                String::new()
            } else {
                format!(" · instance {}", esc(&s.instances.iter().cloned().collect::<Vec<_>>().join(", ")))
            }
        );
        svg_timeline(&mut o, r, &s.events, &s.key);
        let rows = table_rows(r, &s.events);
        let _ = write!(
            o,
            r#"<details><summary>{}</summary><table class="events"><tr><th>time (UTC)</th><th>lane</th><th>event</th><th>outcome</th><th>reason</th><th>instance</th><th>line</th><th>record</th></tr>"#,
            if rows.len() == s.events.len() {
                format!("{} events", s.events.len())
            } else {
                format!("{} of {} events: every failure and state change first, then the others in order", rows.len(), s.events.len())
            }
        );
        for i in rows {
            event_row(&mut o, r, i);
        }
        o.push_str("</table></details></section>");
    }

    // Failure reasons.
    o.push_str(r#"<h2 id="failures">Failure reasons, most frequent first</h2>"#);
    if r.reasons.is_empty() {
        o.push_str(r#"<p id="failures-none">No failure events.</p>"#);
    } else {
        o.push_str(r#"<table id="reasons"><tr><th>#</th><th>reason</th><th class="n">count</th><th>what to do</th><th>tunnels / peers</th><th>examples</th></tr>"#);
        for (rank, x) in r.reasons.iter().enumerate() {
            let events: Vec<String> = x.events.iter().map(|(e, n)| format!("{e} ×{n}")).collect();
            let _ = write!(
                o,
                r#"<tr class="reason" data-reason="{}"><td class="n">{}</td><td><b>{}</b><div class="meta">{} · {}</div></td><td class="n">{}</td><td>{}</td><td>{}</td><td>"#,
                esc(&x.reason),
                rank + 1,
                esc(&x.reason),
                esc(&events.join(", ")),
                esc(&x.vendors.iter().cloned().collect::<Vec<_>>().join(", ")),
                x.count,
                esc(x.hint.as_deref().unwrap_or("")),
                esc(&x.subjects.iter().cloned().collect::<Vec<_>>().join(", ")),
            );
            for &i in &x.examples {
                let p = &r.events[i];
                let _ = write!(
                    o,
                    "<pre>{}:{}: {}</pre>",
                    esc(&p.event.source),
                    p.event.line,
                    esc(&p.event.raw)
                );
            }
            o.push_str("</td></tr>");
        }
        o.push_str("</table>");
    }

    // Flaps and failovers.
    let _ = write!(
        o,
        r#"<h2 id="flaps">Flaps: down and up again within {}</h2>"#,
        duration(Some(r.options.flap_window_ms))
    );
    bounce_table(&mut o, r, &r.flaps, "flap", false);
    let _ = write!(
        o,
        r#"<h2 id="failovers">Failovers: down on one gateway instance, up on another within {}</h2>"#,
        duration(Some(r.options.failover_window_ms))
    );
    bounce_table(&mut o, r, &r.failovers, "failover", true);

    let _ = write!(
        o,
        r#"<h2 id="method">How this report is made</h2><ul><li>Every line went through the vpnlog filter module, called as Fluent Bit calls it. {} of {} lines carried a time of their own; the others take the time of the closest earlier line of the same file (marked ≈).</li><li>Times come from the record: JSON keys <code>time</code>, <code>timestamp</code>, <code>TimeGenerated</code>, <code>@timestamp</code>, <code>event_timestamp</code>, <code>eventTime</code>, <code>date</code>, <code>ts</code> (also under <code>data</code>), else the timestamp the message starts with (BSD syslog, whose year is assumed, RFC 5424, ISO 8601). Without any time, events are placed in line order.</li><li>Up: <code>tunnel_up</code>, <code>child_sa_established</code>, <code>bgp_session_up</code>, a BGP change to Established. Down: <code>tunnel_down</code>, <code>all_tunnels_failed</code>, <code>dpd_timeout</code>, <code>bgp_session_down</code>, <code>bgp_hold_timer_expired</code>, a BGP change from Established.</li><li>A failover is a tunnel down on one gateway instance followed by an up on another within {} (<code>--failover-window</code>); a flap is any other down followed by an up within {} (<code>--flap-window</code>).</li></ul>"#,
        r.timed,
        r.lines,
        duration(Some(r.options.failover_window_ms)),
        duration(Some(r.options.flap_window_ms)),
    );
    let _ = write!(
        o,
        r#"</main><div id="detail" aria-live="polite"></div><script>{SCRIPT}</script></body></html>"#
    );
    o.push('\n');
    o
}
