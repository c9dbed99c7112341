#!/usr/bin/env node
// Transpiles components with jco (in one process) and calls one export of each on node,
// for the composition tests:   node transpile-run.mjs < LIST
//   LIST  lines "INPUT.wasm<TAB>OUTDIR<TAB>EXPORT<TAB>ARG...": EXPORT is a function export
//         (`greet`) or an interface export and its function (`text.shout`, jco's camelCase
//         names); each ARG is passed as a string.
// Prints one line per input: "ok<TAB>INPUT<TAB>RESULT" or "error<TAB>INPUT<TAB>MESSAGE".
// OUTDIR must sit where node can resolve @bytecodealliance/preview2-shim (a node_modules
// beside or above it). $JCO_HOME/node_modules must hold @bytecodealliance/jco.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = join(resolve(process.env.JCO_HOME ?? '.'), 'node_modules');
const jco = await import(pathToFileURL(join(modules, '@bytecodealliance/jco/dist/api.js')).href);

const lines = readFileSync(0, 'utf8').split('\n').filter((l) => l.length > 0);
for (const line of lines) {
  const [input, outdir, exp, ...args] = line.split('\t');
  try {
    const name = 'composed';
    const { files } = await jco.transpile(readFileSync(input), { name, noTypescript: true });
    for (const [file, bytes] of Object.entries(files)) {
      const path = join(outdir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
    const mod = await import(pathToFileURL(join(resolve(outdir), `${name}.js`)).href);
    let fn = mod;
    let self = undefined;
    for (const part of exp.split('.')) {
      self = fn;
      fn = fn?.[part];
    }
    if (typeof fn !== 'function') throw new Error(`no export function ${exp}`);
    const result = fn.apply(self, args);
    console.log(`ok\t${input}\t${result}`);
  } catch (e) {
    console.log(`error\t${input}\t${String(e?.message ?? e).split('\n')[0]}`);
  }
}
