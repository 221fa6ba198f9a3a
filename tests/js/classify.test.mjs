// The JavaScript API built by `make js` (dist/js/node), as a Node user calls it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { LINES, RECORDS, ORDINARY_LINES, ORDINARY_RECORDS } from './examples.mjs';

const require = createRequire(import.meta.url);
const DIST = new URL('../../dist/js/node/', import.meta.url);
const vpnlog = require(new URL('vpnlog.js', DIST).pathname);

/** Checks a classification: the hint by its start, every other field exactly. */
function check(got, { expect, hint }, what) {
  assert.ok(got, `${what}: classified`);
  const { hint: gotHint, ...rest } = got;
  assert.deepEqual(rest, expect, what);
  if (hint) assert.ok(gotHint?.startsWith(hint), `${what}: hint ${JSON.stringify(gotHint)}`);
  else assert.equal(gotHint, undefined, `${what}: no hint`);
}

for (const ex of LINES) {
  test(`classifyLine: ${ex.vendor}`, () => check(vpnlog.classifyLine(ex.line), ex, ex.vendor));
  test(`classify of {"log": line}: ${ex.vendor}`, () =>
    check(vpnlog.classify(JSON.stringify({ log: ex.line })), ex, ex.vendor));
}

for (const ex of RECORDS) {
  test(`classify: ${ex.vendor} record`, () => check(vpnlog.classify(ex.record), ex, ex.vendor));
  test(`classify: ${ex.vendor} record, indented`, () =>
    check(vpnlog.classify(JSON.stringify(JSON.parse(ex.record), null, 2)), ex, ex.vendor));
}

test('ordinary lines and records are not classified', () => {
  for (const line of ORDINARY_LINES) assert.equal(vpnlog.classifyLine(line), undefined, line);
  for (const record of ORDINARY_RECORDS) assert.equal(vpnlog.classify(record), undefined, record);
});

test('input that is not a JSON object is not classified', () => {
  for (const text of ['', 'not json', '[1,2]', '"text"', '{"log":', '{"log":"x"} trailing']) {
    assert.equal(vpnlog.classify(text), undefined, JSON.stringify(text));
  }
});

test('filter returns what Fluent Bit receives', () => {
  const { record, expect } = RECORDS[0];
  const out = vpnlog.filter(record);
  assert.ok(out.startsWith(record.slice(0, -1) + ',"vpn":{'), out);
  assert.deepEqual(JSON.parse(out).vpn.rule, expect.rule);
  assert.equal(vpnlog.filter(ORDINARY_RECORDS[0]), ORDINARY_RECORDS[0]);
  assert.equal(vpnlog.filter('not json'), '{"vpnlog_invalid":"not json"}');
});

test('filter and classify agree', () => {
  for (const { record } of RECORDS) assert.deepEqual(JSON.parse(vpnlog.filter(record)).vpn, vpnlog.classify(record));
});

test('many records through one instance', () => {
  const { record, expect } = RECORDS[1];
  for (let i = 0; i < 2000; i++) {
    assert.equal(vpnlog.classify(record).rule, expect.rule);
    assert.equal(vpnlog.classify(ORDINARY_RECORDS[0]), undefined);
  }
  const big = JSON.stringify({ log: 'x'.repeat(200_000) + ' %ADJCHANGE: neighbor 192.0.2.1 Up' });
  assert.equal(vpnlog.classify(big)?.event, 'bgp_session_up');
});

test('TypeScript declarations are emitted', () => {
  const dts = readFileSync(new URL('vpnlog.d.ts', DIST), 'utf8');
  assert.match(dts, /export function classify\(record: string\): Classification \| undefined;/);
  assert.match(dts, /export function classifyLine\(line: string\): Classification \| undefined;/);
  assert.match(dts, /export interface Classification \{/);
  assert.match(dts, /kind: Kind;/);
});
