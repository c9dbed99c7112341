#!/usr/bin/env node
// Runs the reference printer (the wasm-tools build that jco ships) over many files in one
// process, for the interop tests:   node wasm-tools-batch.mjs MODE < LIST
//   MODE  print | wit
//   LIST  lines "INPUT<TAB>OUTPUT": writes the text to OUTPUT (byte for byte what
//         `jco print -o` writes), or the error to OUTPUT.err
// $JCO_HOME/node_modules must hold @bytecodealliance/jco (see fixtures/tools/npm-tools.sh).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const mode = process.argv[2];
if (mode !== 'print' && mode !== 'wit') {
  console.error('usage: wasm-tools-batch.mjs print|wit < LIST');
  process.exit(2);
}
const modules = join(resolve(process.env.JCO_HOME ?? '.'), 'node_modules');
const candidates = [
  join(modules, '@bytecodealliance/jco-transpile/vendor/wasm-tools.js'),
  join(modules, '@bytecodealliance/jco/obj/wasm-tools.js'),
];
const found = candidates.find((p) => existsSync(p));
if (!found) {
  console.error(`wasm-tools-batch: no vendored wasm-tools under ${modules}`);
  process.exit(2);
}
const wasmTools = await import(pathToFileURL(found).href);
await wasmTools.$init;

const lines = readFileSync(0, 'utf8').split('\n').filter((l) => l.length > 0);
let failures = 0;
for (const line of lines) {
  const [input, output] = line.split('\t');
  try {
    const bytes = readFileSync(input);
    const text = mode === 'print' ? wasmTools.tools.print(bytes) : wasmTools.tools.componentWit(bytes);
    writeFileSync(output, text); // as `jco print -o` / `jco wit -o` write it
  } catch (e) {
    failures++;
    writeFileSync(output + '.err', String(e?.payload ?? e?.message ?? e) + '\n');
  }
}
console.error(`wasm-tools-batch: ${lines.length} files, ${failures} errors`);
