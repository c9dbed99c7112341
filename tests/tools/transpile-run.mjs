#!/usr/bin/env node
// Transpiles components with jco (in one process) and calls exports of each on node, for
// the composition tests:   node transpile-run.mjs < LIST
//   LIST  lines "INPUT.wasm<TAB>OUTDIR<TAB>CALL<TAB>CALL...": each CALL is
//         "EXPORT:ARG,ARG..." where EXPORT is a function export (`greet`) or an interface
//         export and its function (`text.shout`), in jco's camelCase names; an ARG made of
//         digits is passed as a number, anything else as a string.
// Prints one line per input: "ok<TAB>INPUT<TAB>RESULT RESULT..." (one result per call,
// separated by a space) or "error<TAB>INPUT<TAB>MESSAGE".
// OUTDIR must sit where node can resolve @bytecodealliance/preview2-shim (a node_modules
// beside or above it). $JCO_HOME/node_modules must hold @bytecodealliance/jco.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = join(resolve(process.env.JCO_HOME ?? '.'), 'node_modules');
const jco = await import(pathToFileURL(join(modules, '@bytecodealliance/jco/dist/api.js')).href);

const lines = readFileSync(0, 'utf8').split('\n').filter((l) => l.length > 0);
for (const line of lines) {
  const [input, outdir, ...calls] = line.split('\t');
  try {
    const name = 'composed';
    const { files } = await jco.transpile(readFileSync(input), { name, noTypescript: true });
    for (const [file, bytes] of Object.entries(files)) {
      const path = join(outdir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
    const mod = await import(pathToFileURL(join(resolve(outdir), `${name}.js`)).href);
    const results = [];
    for (const call of calls) {
      const colon = call.indexOf(':');
      const exp = colon < 0 ? call : call.slice(0, colon);
      const args = colon < 0 || colon === call.length - 1 ? [] : call.slice(colon + 1).split(',')
        .map((a) => (/^[0-9]+$/.test(a) ? Number(a) : a));
      let fn = mod;
      let self;
      for (const part of exp.split('.')) {
        self = fn;
        fn = fn?.[part];
      }
      if (typeof fn !== 'function') throw new Error(`no export function ${exp}`);
      results.push(String(fn.apply(self, args)));
    }
    console.log(`ok\t${input}\t${results.join(' ')}`);
  } catch (e) {
    console.log(`error\t${input}\t${String(e?.message ?? e).split('\n')[0]}`);
  }
}
