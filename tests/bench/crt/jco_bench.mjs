#!/usr/bin/env node
// The component-call benchmark on jco (the reference): transpiles callee.wasm and
// composed.wasm into OUTDIR and times, in one process,
//   echo   host -> component calls of weld:bench/api#echo with a short string
//   sum    host -> component calls of weld:bench/api#sum with a list of 1,000 records
//   fused  component -> component calls: composed.wasm's run(n) calls echo n times
// Prints "NAME<TAB>calls/s" lines.  Usage: node jco_bench.mjs DIR OUTDIR
// $JCO_HOME/node_modules must hold @bytecodealliance/jco; OUTDIR must sit where node can
// resolve @bytecodealliance/preview2-shim.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, outdir] = process.argv.slice(2);
const modules = join(resolve(process.env.JCO_HOME ?? '.'), 'node_modules');
const jco = await import(pathToFileURL(join(modules, '@bytecodealliance/jco/dist/api.js')).href);

async function load(file, name) {
  const { files } = await jco.transpile(readFileSync(join(dir, file)), { name, noTypescript: true });
  for (const [f, bytes] of Object.entries(files)) {
    const path = join(outdir, f);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  return import(pathToFileURL(join(resolve(outdir), `${name}.js`)).href);
}

function rate(fn, chunk = 1000, minSeconds = 1.0) {
  for (let i = 0; i < chunk; i++) fn(); // warm up
  let n = 0;
  const t0 = process.hrtime.bigint();
  let t;
  do {
    for (let i = 0; i < chunk; i++) fn();
    n += chunk;
    t = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (t < minSeconds);
  return n / t;
}

const callee = await load('callee.wasm', 'callee');
const api = callee.api ?? callee['weld:bench/api'];
const items = [];
for (let i = 0; i < 1000; i++) items.push({ id: i, weight: i * 0.5, tag: `tag-${i % 100}` });
const expected = items.reduce((a, r) => a + r.id + Buffer.byteLength(r.tag), 0);
if (api.echo('hello, component world') !== 'hello, component world') throw new Error('echo');
if (Number(api.sum(items)) !== expected) throw new Error(`sum ${api.sum(items)} != ${expected}`);
console.log(`echo\t${rate(() => api.echo('hello, component world')).toFixed(0)}`);
console.log(`sum\t${rate(() => api.sum(items)).toFixed(0)}`);
const composed = await load('composed.wasm', 'composed');
const per = 1000;
if (composed.run(per) !== 22 * per) throw new Error('run');
console.log(`fused\t${(rate(() => composed.run(per), 10) * per).toFixed(0)}`);
