#!/usr/bin/env node
// The jco side of the differential Canonical ABI test (fixtures/canon/build.sh runs it):
//
//   node jco_run.mjs COMPONENT.wasm FUNCS.json VALUES.json OUTDIR > EXPECTED.txt
//
// Transpiles COMPONENT with jco (into OUTDIR), instantiates it with every import
// `echo-N` implemented as the identity in JS, calls the export of each line of VALUES
// (written by tests/canon/gen.py: [name, neutral value]) and prints "run-N<TAB>RESULT"
// per value, RESULT in WAVE, or "run-N<TAB>!trap MESSAGE" when jco throws. On stderr:
// how many results differ from their argument (the echo is the identity, so any is a
// bug of jco or of this script).
// $JCO_HOME/node_modules must hold @bytecodealliance/jco.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

const [input, funcsPath, valuesPath, outdir] = process.argv.slice(2);
const modules = join(resolve(process.env.JCO_HOME ?? '.'), 'node_modules');
const jco = await import(pathToFileURL(join(modules, '@bytecodealliance/jco/dist/api.js')).href);

const funcs = JSON.parse(readFileSync(funcsPath, 'utf8'));
const values = JSON.parse(readFileSync(valuesPath, 'utf8'));
const typeOf = new Map(funcs.map((f) => [f.name, f.type]));

// kebab-case -> jco's lowerCamelCase (record fields, flags, function names)
const camel = (s) => s.split('-').map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');

const INTS = new Set(['s8', 'u8', 's16', 'u16', 's32', 'u32']);
const TYPED = {
  u8: Uint8Array, s8: Int8Array, u16: Uint16Array, s16: Int16Array, u32: Uint32Array,
  s32: Int32Array, u64: BigUint64Array, s64: BigInt64Array, f32: Float32Array, f64: Float64Array,
};
// jco gives option<T> the form T | undefined, except when T is an option whose own form
// can be undefined: then { tag: 'none' } | { tag: 'some', val }
const tagged = (t) => t.k === 'option' && t.some.k === 'option' && !tagged(t.some);
const cases = (t) => (t.k === 'variant' ? t.cases
  : t.k === 'option' ? [['none', null], ['some', t.some]]
  : [['ok', t.ok], ['err', t.err]]);

const parseFloatN = (s) => (s === 'nan' ? NaN : s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s));

// neutral JSON value -> jco's JS value
function toJs(t, v) {
  switch (t.k) {
    case 'bool': case 'string': return v;
    case 's64': case 'u64': return BigInt(v);
    case 'f32': case 'f64': return parseFloatN(v);
    case 'char': return String.fromCodePoint(v);
    case 'list': {
      const items = v.map((x) => toJs(t.elem, x));
      return TYPED[t.elem.k] ? TYPED[t.elem.k].from(items) : items;
    }
    case 'record': return Object.fromEntries(t.fields.map(([n, ft], i) => [camel(n), toJs(ft, v[i])]));
    case 'tuple': return t.types.map((ft, i) => toJs(ft, v[i]));
    case 'enum': return t.labels[v];
    case 'flags': return Object.fromEntries(t.labels.map((l, i) => [camel(l), Boolean((v >>> i) & 1)]));
    case 'option':
      if (tagged(t)) return v[0] === 0 ? { tag: 'none' } : { tag: 'some', val: toJs(t.some, v[1]) };
      return v[0] === 0 ? undefined : toJs(t.some, v[1]);
    default: {
      if (INTS.has(t.k)) return v;
      const [name, ct] = cases(t)[v[0]];
      return ct ? { tag: name, val: toJs(ct, v[1]) } : { tag: name };
    }
  }
}

// WAVE text of jco's JS value x of type t
const KEYWORDS = new Set(['true', 'false', 'inf', 'nan', 'some', 'none', 'ok', 'err']);
const label = (s) => (KEYWORDS.has(s) ? `%${s}` : s);
function esc(c, quote) {
  const cp = c.codePointAt(0);
  if (c === '\\') return '\\\\';
  if (c === quote) return `\\${quote}`;
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (c === '\r') return '\\r';
  if (cp < 0x20 || cp === 0x7f) return `\\u{${cp.toString(16)}}`;
  if (cp >= 0xd800 && cp <= 0xdfff) throw new Error(`lone surrogate U+${cp.toString(16)}`);
  return c;
}
function fmtFloat(x) {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0.0';
  // the shortest digits that round-trip, laid out as Python's repr() (and gen.py) does
  const [m, e] = x.toExponential().split('e');
  const neg = m.startsWith('-');
  const digits = m.replace('-', '').replace('.', '');
  const exp = Number(e);
  let s;
  if (exp >= -4 && exp < 16) {
    if (exp < 0) s = `0.${'0'.repeat(-exp - 1)}${digits}`;
    else if (digits.length <= exp + 1) s = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
    else s = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    const ee = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
    s = `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${ee}`;
  }
  return neg ? `-${s}` : s;
}
function check(cond, what, x) {
  if (!cond) throw new Error(`jco returned ${String(x)} for ${what}`);
}
function wave(t, x) {
  switch (t.k) {
    case 'bool': check(typeof x === 'boolean', t.k, x); return x ? 'true' : 'false';
    case 's64': case 'u64': check(typeof x === 'bigint', t.k, x); return x.toString();
    case 'f32': case 'f64': check(typeof x === 'number', t.k, x); return fmtFloat(x);
    case 'char': {
      check(typeof x === 'string' && [...x].length === 1, t.k, x);
      return `'${esc(x, "'")}'`;
    }
    case 'string': check(typeof x === 'string', t.k, x); return `"${[...x].map((c) => esc(c, '"')).join('')}"`;
    case 'list': return `[${Array.from(x, (e) => wave(t.elem, e)).join(', ')}]`;
    case 'record': return `{${t.fields.map(([n, ft]) => `${n}: ${wave(ft, x[camel(n)])}`).join(', ')}}`;
    case 'tuple': return `(${t.types.map((ft, i) => wave(ft, x[i])).join(', ')})`;
    case 'enum': check(t.labels.includes(x), t.k, x); return label(x);
    case 'flags': return `{${t.labels.filter((l) => x[camel(l)]).join(', ')}}`;
    case 'option':
      if (tagged(t)) {
        check(x && (x.tag === 'none' || x.tag === 'some'), 'option', x);
        return x.tag === 'none' ? 'none' : `some(${wave(t.some, x.val)})`;
      }
      return x === undefined || x === null ? 'none' : `some(${wave(t.some, x)})`;
    default: {
      if (INTS.has(t.k)) { check(Number.isInteger(x), t.k, x); return String(x); }
      const c = cases(t).find(([n]) => n === x?.tag);
      check(c, t.k, x?.tag);
      const name = t.k === 'variant' ? label(c[0]) : c[0];
      return c[1] ? `${name}(${wave(c[1], x.val)})` : name;
    }
  }
}

const name = 'roundtrip';
const { files } = await jco.transpile(readFileSync(input), { name, instantiation: 'sync', noTypescript: true });
for (const [file, bytes] of Object.entries(files)) {
  const path = join(outdir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}
const mod = await import(pathToFileURL(join(resolve(outdir), `${name}.js`)).href);
const imports = {};
for (const f of funcs) {
  const echo = f.name.replace(/^run-/, 'echo-');
  // a result parameter arrives as { tag, val }; a result return is the ok value, or a
  // throw carrying the err payload
  imports[echo] = {
    default: f.type.k === 'result'
      ? (x) => { if (x.tag === 'ok') return x.val; throw { payload: x.val }; }
      : (x) => x,
  };
}
const exports = mod.instantiate((path) => new WebAssembly.Module(readFileSync(join(outdir, path))), imports);

let differ = 0;
const out = [];
for (const [fname, v] of values) {
  const t = typeOf.get(fname);
  const fn = exports[camel(fname)];
  let text;
  try {
    let r;
    try {
      r = fn(toJs(t, v));
      if (t.k === 'result') r = { tag: 'ok', val: r };
    } catch (e) {
      if (t.k !== 'result' || !e || !Object.prototype.hasOwnProperty.call(e, 'payload')) throw e;
      r = { tag: 'err', val: e.payload };
    }
    text = wave(t, r);
    if (text !== wave(t, toJs(t, v))) differ++;
  } catch (e) {
    text = `!trap ${String(e?.message ?? e).split('\n')[0]}`;
    differ++;
  }
  out.push(`${fname}\t${text}\n`);
}
process.stdout.write(out.join(''));
console.error(`jco_run: ${values.length} values, ${differ} results differ from their argument`);
