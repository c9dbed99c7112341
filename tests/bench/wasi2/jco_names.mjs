#!/usr/bin/env node
// Start-up of a transpiled component on jco (the reference of tests/bench/wasi2.sh): imports
// OUTDIR/names.js (names-js.wasm transpiled by `jco transpile --name names`), calls
// demo:greeter/names@0.1.0#get-name once and prints its result.  The benchmark times the
// whole node process.  Usage: node jco_names.mjs OUTDIR
// OUTDIR must sit where node can resolve @bytecodealliance/preview2-shim.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const m = await import(pathToFileURL(join(resolve(process.argv[2]), 'names.js')).href);
const names = m.names ?? m['demo:greeter/names@0.1.0'];
console.log(JSON.stringify(names.getName()));
