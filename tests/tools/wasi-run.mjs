#!/usr/bin/env node
// Runs a WASI preview1 module under node's built-in WASI, for tests/cli/wasi_node.sh:
//   node wasi-run.mjs [--dir HOST::GUEST | --dir DIR] [--env K=V]... PROG.wasm [-- ARGS...]
// Arguments, environment, preopened directories and stdin/stdout/stderr (the process's own
// descriptors 0, 1, 2) are handed to the program as `weld run` does (argv[0] is the module's
// path). The exit code is the program's proc_exit code (returnOnExit). A trap prints
// "trap: MESSAGE" on stderr and exits 134, node's own failure paths exit 125.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let prog = null;
const args = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (prog === null && a === '--dir' && i + 1 < argv.length) {
    const d = argv[++i];
    const k = d.indexOf('::');
    if (k >= 0) preopens[d.slice(k + 2)] = d.slice(0, k);
    else preopens[d] = d;
  } else if (prog === null && a === '--env' && i + 1 < argv.length) {
    const e = argv[++i];
    const k = e.indexOf('=');
    if (k < 0) env[e] = '';
    else env[e.slice(0, k)] = e.slice(k + 1);
  } else if (prog === null) {
    prog = a;
  } else if (a === '--' && args.length === 0) {
    continue;
  } else {
    args.push(a);
  }
}
if (prog === null) {
  process.stderr.write('usage: wasi-run.mjs [--dir HOST::GUEST] [--env K=V] PROG.wasm [-- ARGS]\n');
  process.exit(125);
}

let code;
try {
  const wasi = new WASI({
    version: 'preview1', args: [prog, ...args], env, preopens, returnOnExit: true,
    stdin: 0, stdout: 1, stderr: 2,
  });
  const module = await WebAssembly.compile(readFileSync(prog));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  code = wasi.start(instance);
} catch (e) {
  if (e instanceof WebAssembly.RuntimeError) {
    process.stderr.write(`trap: ${e.message}\n`);
    code = 134;
  } else {
    process.stderr.write(`wasi-run: ${e?.stack ?? e}\n`);
    code = 125;
  }
}
process.exitCode = code ?? 0;
