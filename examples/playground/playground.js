// The playground: classifies what is pasted, in the page, with the wasm-bindgen build of the
// classifier (pkg/vpnlog.js, its module inlined as base64 in pkg/vpnlog_wasm.js; `make js`).
'use strict';

const EXAMPLES = [
  'Nov 22 03:40:02 vpn-gw charon[1423]: 15[IKE] <office|4> received AUTHENTICATION_FAILED notify error',
  'Nov 22 03:41:17 asa-edge : %ASA-3-713903: Group = 203.0.113.5, IP = 203.0.113.5, ERROR, had problems decrypting packet, probably due to mismatched pre-shared key.  Aborting',
  'date=2026-11-22 time=03:42:51 devname="FGT-HQ" devid="FG100FTK19000001" logid="0101037136" type="event" subtype="vpn" level="error" vd="root" msg="IPsec DPD failure" action="dpd" remip=192.0.2.77 locip=198.51.100.2 remport=4500 locport=4500 outintf="wan1" user="N/A" group="N/A" assignip=N/A vpntunnel="dc-east" status="dpd_failure"',
  'Nov 22 03:44:40 rtr-a bgpd[1234]: %ADJCHANGE: neighbor 192.0.2.1(rtr-b) in vrf default Up',
  '{"event_timestamp":1763783100,"details":"AWS tunnel DPD timed out after 3 retransmits","dpd_enabled":true,"nat_t_detected":true,"ike_phase1_state":"Down","ike_phase2_state":"Down"}',
  '{"TimeGenerated":"2026-11-22T03:46:29.641Z","Category":"TunnelDiagnosticLog","OperationName":"TunnelDisconnected","Message":"Tunnel to 203.0.113.7 disconnected","remoteIP_s":"203.0.113.7","instance_s":"GatewayTenantWorker_IN_1"}',
  'Nov 22 03:47:00 web-1 nginx[411]: 192.0.2.10 - - "GET /healthz HTTP/1.1" 200 2',
].join('\n');

const $ = (id) => document.getElementById(id);

/** Decodes the inlined module (no fetch, so file:// works). */
function moduleBytes() {
  const text = atob(VPNLOG_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * The pasted text as a list of inputs: {text, record} where record is JSON object text or null
 * for a raw line. One JSON object or array over several lines counts as a whole; otherwise each
 * non-empty line is one input.
 */
function splitInput(text) {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if ((trimmed.startsWith('[') || trimmed.startsWith('{')) && trimmed.includes('\n')) {
    try {
      const value = JSON.parse(trimmed);
      const items = Array.isArray(value) ? value : [value];
      if (items.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
        return items.map((v) => { const s = JSON.stringify(v); return { text: s, record: s }; });
      }
    } catch (_) { /* not one document: line by line */ }
  }
  return text.split(/\r?\n/).filter((l) => l.trim() !== '').map((line) => {
    const t = line.trim();
    return { text: line, record: t.startsWith('{') && isObject(t) ? t : null };
  });
}

function isObject(text) {
  try { const v = JSON.parse(text); return v !== null && typeof v === 'object' && !Array.isArray(v); } catch (_) { return false; }
}

function cell(tr, text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  tr.appendChild(td);
  return td;
}

const SHOWN = new Set(['kind', 'event', 'outcome', 'severity', 'vendor', 'rule', 'reason', 'hint']);

/** The fields not in their own column, as `key=value` with nested objects flattened. */
function details(c) {
  const parts = [];
  const walk = (prefix, obj) => {
    for (const [k, v] of Object.entries(obj)) {
      if (!prefix && SHOWN.has(k)) continue;
      const name = prefix ? `${prefix}.${k}` : k;
      if (v !== null && typeof v === 'object') walk(name, v);
      else parts.push(`${name}=${v}`);
    }
  };
  walk('', c);
  return parts.join(' ');
}

function render(inputs) {
  const tbody = $('results').querySelector('tbody');
  tbody.replaceChildren();
  let found = 0;
  inputs.forEach((input, i) => {
    const c = input.record !== null ? wasm_bindgen.classify(input.record) : wasm_bindgen.classifyLine(input.text);
    const tr = document.createElement('tr');
    cell(tr, String(i + 1));
    cell(tr, input.text, 'input');
    if (c) {
      found++;
      tr.className = 'event';
      tr.dataset.kind = c.kind;
      tr.dataset.outcome = c.outcome;
      cell(tr, c.kind, 'kind');
      cell(tr, c.event, 'event');
      cell(tr, c.outcome, `outcome outcome-${c.outcome}`);
      cell(tr, c.severity, `severity severity-${c.severity}`);
      cell(tr, c.vendor, 'vendor');
      cell(tr, c.rule, 'rule');
      const hint = cell(tr, '', 'hint');
      if (c.reason) {
        const reason = document.createElement('span');
        reason.className = 'reason';
        reason.textContent = c.reason;
        hint.appendChild(reason);
      }
      if (c.hint) hint.appendChild(document.createTextNode(c.hint));
      cell(tr, details(c), 'details');
    } else {
      tr.className = 'none';
      const td = cell(tr, 'not a VPN or BGP event', 'kind');
      td.colSpan = 8;
    }
    tbody.appendChild(tr);
  });
  $('results').hidden = inputs.length === 0;
  $('summary').textContent = inputs.length === 0 ? '' : `${inputs.length} input${inputs.length === 1 ? '' : 's'}, ${found} VPN or BGP event${found === 1 ? '' : 's'}`;
}

function run() {
  render(splitInput($('input').value));
}

function start() {
  try {
    wasm_bindgen.initSync({ module: moduleBytes() });
  } catch (e) {
    $('status').textContent = `The classifier did not load: ${e}`;
    $('status').classList.add('error');
    return;
  }
  $('status').textContent = 'Ready.';
  $('classify').disabled = false;
  $('classify').addEventListener('click', run);
  $('input').addEventListener('input', run);
  $('input').addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run(); });
  $('examples').addEventListener('click', () => { $('input').value = EXAMPLES; run(); });
  $('clear').addEventListener('click', () => { $('input').value = ''; run(); });
  if ($('input').value) run();
}

if (typeof wasm_bindgen === 'undefined' || typeof VPNLOG_WASM_BASE64 === 'undefined') {
  $('status').textContent = 'pkg/ is missing: run `make js` to build the classifier for this page.';
  $('status').classList.add('error');
} else {
  start();
}
