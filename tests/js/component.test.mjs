// The component of wit/vpnlog.wit (dist/vpnlog-component.wasm, `make component`), loaded in a
// component host: jco's transpiler lifts and lowers its values by the canonical ABI in
// JavaScript. Results are compared with the hand-worked expectations of examples.mjs, renamed
// to the WIT's shape (kebab-case fields in jco's camelCase, crypto flattened, u64 as BigInt).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { componentWit } from '@bytecodealliance/jco-transpile/wasm-tools';
import { LINES, RECORDS, ORDINARY_RECORDS } from './examples.mjs';

const COMPONENT = new URL('../../dist/vpnlog-component.wasm', import.meta.url);
const WIT = new URL('../../wit/vpnlog.wit', import.meta.url);
let dir, api, types;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vpnlog-component-'));
  const bytes = readFileSync(COMPONENT);
  const { files } = await transpileBytes(bytes, { name: 'vpnlog', emitTypescriptDeclarations: true });
  types = files;
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  api = (await import(pathToFileURL(join(dir, 'vpnlog.js')).href)).classify;
});

after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/** A classification in the JSON output's shape -> the WIT record as jco presents it. */
function toWit(json) {
  const out = {};
  for (const [k, v] of Object.entries(json)) {
    if (k === 'crypto') {
      if (v.weak !== undefined) out.weakCrypto = v.weak;
      if (v.algorithm !== undefined) out.cryptoAlgorithm = v.algorithm;
    } else if (k === 'serial') {
      out.serial = BigInt(v);
    } else if (v !== null && typeof v === 'object') {
      out[camel(k)] = toWit(v);
    } else {
      out[camel(k)] = v;
    }
  }
  return out;
}

/** Drops the fields the component reports as none (undefined), recursively. */
function defined(v) {
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, defined(x)]));
}

function check(got, { expect, hint }, what) {
  assert.ok(got, `${what}: classified`);
  const { hint: gotHint, ...rest } = defined(got);
  assert.deepEqual(rest, toWit(expect), what);
  if (hint) assert.ok(gotHint?.startsWith(hint), `${what}: hint ${gotHint}`);
}

test('the component exports the interface of wit/vpnlog.wit with its types', async () => {
  const world = await componentWit(readFileSync(COMPONENT));
  assert.match(world, /export vpnlog:filter\/classify@0\.1\.0;/);
  // The host's view of the component's embedded types: one member per field of the source
  // WIT's classification record, in order, optional exactly where the WIT says option<...>.
  const dts = new TextDecoder().decode(types['interfaces/vpnlog-filter-classify.d.ts']);
  assert.match(dts, /export function classify\(record: string\): Classification \| undefined;/);
  const members = dts.slice(dts.indexOf('export interface Classification {')).split('}')[0]
    .split('\n').slice(1).map((l) => l.trim().replace(/:.*/, '')).filter(Boolean);
  const source = readFileSync(WIT, 'utf8');
  const body = source.slice(source.indexOf('record classification {')).split('}')[0];
  const fields = [...body.matchAll(/^\s*(%?[a-z][a-z0-9-]*):\s*([^,]+),/gm)]
    .map(([, name, type]) => camel(name.replace('%', '').replace(/-/g, '_')) + (type.startsWith('option<') ? '?' : ''));
  assert.ok(fields.length >= 20, `fields read from the WIT: ${fields}`);
  assert.deepEqual(members, fields);
});

for (const ex of LINES) {
  test(`component classify: ${ex.vendor} line`, () => check(api.classify(JSON.stringify({ log: ex.line })), ex, ex.vendor));
}
for (const ex of RECORDS) {
  test(`component classify: ${ex.vendor} record`, () => check(api.classify(ex.record), ex, ex.vendor));
}

test('component classify: none for ordinary records and text that is not a JSON object', () => {
  for (const r of [...ORDINARY_RECORDS, 'not json', '']) assert.equal(api.classify(r), undefined, r);
});
