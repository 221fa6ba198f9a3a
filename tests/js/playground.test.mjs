// The playground (examples/playground/, built by `make js`) in a real headless Chromium: opened
// from the file system and from a static server, examples of several vendors pasted, and the
// rendered table checked. A screenshot goes to tests/js/test-output/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { LINES, RECORDS, ORDINARY_LINES } from './examples.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PAGE_DIR = fileURLToPath(new URL('../../examples/playground/', import.meta.url));
const OUTPUT = fileURLToPath(new URL('./test-output/', import.meta.url));
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let context, userData, server, serverUrl;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing (apt-get install chromium chromium-driver)`);
  assert.ok(existsSync(join(PAGE_DIR, 'pkg', 'vpnlog_wasm.js')), 'examples/playground/pkg is missing: run `make js`');
  userData = mkdtempSync(join(tmpdir(), 'vpnlog-chromium-'));
  context = await chromium.launchPersistentContext(userData, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1400, height: 900 },
  });
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  server = createServer((req, res) => {
    const path = normalize(join(PAGE_DIR, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(PAGE_DIR) || !existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  serverUrl = `http://127.0.0.1:${server.address().port}/`;
});

after(async () => {
  await context?.close();
  server?.close();
  if (userData) rmSync(userData, { recursive: true, force: true });
});

/** Opens the page, recording errors and any request that leaves the page's own origin. */
async function open(url) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('file:') && !u.startsWith(serverUrl) && !u.startsWith('data:')) problems.push(`request: ${u}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('status').textContent === 'Ready.', null, { timeout: 10_000 })
    .catch(async () => assert.fail(`not ready: ${await page.textContent('#status')} ${problems.join('; ')}`));
  return { page, problems };
}

/** The rendered rows: kind and outcome (data attributes), rule, and the hint cell's text. */
async function rows(page) {
  return page.$$eval('#results tbody tr', (trs) => trs.map((tr) => ({
    cls: tr.className,
    kind: tr.dataset.kind,
    outcome: tr.dataset.outcome,
    kindText: tr.querySelector('td.kind')?.textContent,
    outcomeText: tr.querySelector('td.outcome')?.textContent,
    rule: tr.querySelector('td.rule')?.textContent,
    hint: tr.querySelector('td.hint')?.textContent,
    reason: tr.querySelector('td.hint .reason')?.textContent,
  })));
}

// Three vendors' raw lines and two clouds' records, then an ordinary line.
const PASTED = [LINES[0], LINES[1], RECORDS[0], LINES[2], RECORDS[1]];
const PASTED_TEXT = [...PASTED.map((e) => e.line ?? e.record), ORDINARY_LINES[0]].join('\n');

function checkRows(got) {
  assert.equal(got.length, PASTED.length + 1);
  PASTED.forEach((ex, i) => {
    const row = got[i];
    const what = `row ${i + 1} (${ex.vendor})`;
    assert.equal(row.cls, 'event', what);
    assert.equal(row.kind, ex.expect.kind, what);
    assert.equal(row.kindText, ex.expect.kind, what);
    assert.equal(row.outcome, ex.expect.outcome, what);
    assert.equal(row.outcomeText, ex.expect.outcome, what);
    assert.equal(row.rule, ex.expect.rule, what);
    assert.equal(row.reason, ex.expect.reason, what);
    assert.ok(row.hint.includes(ex.hint), `${what}: hint ${row.hint}`);
  });
  assert.equal(got[PASTED.length].cls, 'none');
  assert.equal(got[PASTED.length].kindText, 'not a VPN or BGP event');
}

for (const [name, url] of [['file system', () => pathToFileURL(join(PAGE_DIR, 'index.html')).href], ['static server', () => serverUrl]]) {
  test(`playground from the ${name}: pasted lines and records of several vendors`, async () => {
    const { page, problems } = await open(url());
    await page.fill('#input', PASTED_TEXT);
    await page.click('#classify');
    checkRows(await rows(page));
    assert.equal(await page.textContent('#summary'), '6 inputs, 5 VPN or BGP events');
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, `playground-${name.replace(' ', '-')}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('playground: an indented JSON array of records is one input per element', async () => {
  const { page, problems } = await open(serverUrl);
  const text = JSON.stringify(RECORDS.map((r) => JSON.parse(r.record)), null, 2);
  await page.fill('#input', text);
  const got = await rows(page);
  assert.deepEqual(got.map((r) => [r.kind, r.outcome, r.rule]), RECORDS.map((r) => [r.expect.kind, r.expect.outcome, r.expect.rule]));
  assert.deepEqual(problems, []);
  await page.close();
});

test('playground: its own examples button renders events and the ordinary line', async () => {
  const { page, problems } = await open(serverUrl);
  await page.click('#examples');
  const got = await rows(page);
  assert.equal(got.length, 7);
  assert.deepEqual(got.map((r) => r.kind ?? null), ['ike', 'ike', 'dpd', 'bgp', 'dpd', 'tunnel', null]);
  assert.deepEqual(got.map((r) => r.outcome ?? null), ['failure', 'failure', 'failure', 'success', 'failure', 'failure', null]);
  assert.deepEqual(problems, []);
  await page.close();
});

test('playground: text is shown as text, never as markup', async () => {
  const { page, problems } = await open(serverUrl);
  await page.fill('#input', '<img src=x onerror="window.injected=1"> %ADJCHANGE: neighbor <b>x</b> Up');
  await page.click('#classify');
  assert.equal(await page.$('#results img'), null);
  assert.equal(await page.evaluate(() => window.injected), undefined);
  assert.deepEqual(problems.filter((p) => !p.startsWith('request')), []);
  await page.close();
});
