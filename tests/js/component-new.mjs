// Makes a WebAssembly component of a core module that carries its WIT world (wit-bindgen embeds
// it), with wasm-tools' component encoder as the npm package @bytecodealliance/jco-transpile
// ships it: node component-new.mjs CORE.wasm OUT.wasm (scripts/build-bindings.sh component).
import { readFileSync, writeFileSync } from 'node:fs';
import { componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';

const [core, out] = process.argv.slice(2);
if (!core || !out) {
  console.error('usage: node component-new.mjs CORE.wasm OUT.wasm');
  process.exit(2);
}
// No adapters: the module is built for wasm32-unknown-unknown and imports nothing from WASI.
writeFileSync(out, await componentNew(readFileSync(core), undefined));
