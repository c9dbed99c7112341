#!/usr/bin/env node
// The reference view of a world (for the interop tests), many in one process:
//   node wit-embed.mjs < LIST      LIST lines "WITPATH<TAB>WORLD<TAB>OUTPUT"
// For each line: the wasm-tools build that jco ships makes a dummy core module for WORLD
// of the WIT at WITPATH (a .wit file, a directory, or a WIT package encoded as a .wasm),
// makes it a component and writes its text (`print`) to OUTPUT, or the error to
// OUTPUT.err. Two WITPATHs give equal texts exactly when the reference tools read the same
// world from them. $JCO_HOME/node_modules must hold @bytecodealliance/jco.
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';

const modules = join(resolve(process.env.JCO_HOME ?? '.'), 'node_modules');
const lines = readFileSync(0, 'utf8').split('\n').filter((l) => l.length > 0);
if (process.argv[2] !== '--child') {
  // a trap poisons the in-process tools: a child process takes the lines in order and
  // stops at the first trap; the next child resumes after that line
  const done = (l) => { const out = l.split('\t')[2]; return existsSync(out) || existsSync(out + '.err'); };
  let rest = lines;
  while (rest.length > 0) {
    spawnSync(process.execPath, [process.argv[1], '--child'], { input: rest.join('\n') + '\n', stdio: ['pipe', 'inherit', 'inherit'] });
    const next = rest.findIndex((l) => !done(l));
    if (next < 0) break;
    rest = rest.slice(next === 0 ? 1 : next);
  }
  process.exit(0);
}
// the WASI shim starts without filesystem preopens: preopen "/" so WIT paths are readable
function* shimDirs(dir, depth) {
  if (depth > 8 || !existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (path.endsWith(join('@bytecodealliance', 'preview2-shim'))) yield path;
    else if (entry.name === 'node_modules' || entry.name.startsWith('@') || depth > 0) yield* shimDirs(path, depth + 1);
  }
}
for (const dir of shimDirs(modules, 0)) {
  const fsModule = join(dir, 'dist/nodejs/filesystem.js');
  if (!existsSync(fsModule)) continue;
  const fs = await import(pathToFileURL(fsModule).href);
  if (typeof fs._setPreopens === 'function') fs._setPreopens({ '/': '/' });
}
const wt = await import(pathToFileURL(join(modules, '@bytecodealliance/jco-transpile/vendor/wasm-tools.js')).href);
await wt.$init;
for (const line of lines) {
  const [path, world, output] = line.split('\t');
  try {
    const core = wt.tools.componentEmbed({ witPath: resolve(path), dummy: true, world });
    writeFileSync(output, wt.tools.print(wt.tools.componentNew(core, undefined)));
  } catch (e) {
    const msg = String(e?.payload ?? e?.message ?? e);
    writeFileSync(output + '.err', msg + '\n');
    if (/unreachable|cannot enter component instance/.test(msg)) process.exit(3);
  }
}
