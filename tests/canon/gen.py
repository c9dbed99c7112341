#!/usr/bin/env python3
"""Generates the differential Canonical ABI test (fixtures/canon/build.sh runs it).

    gen.py OUTDIR

writes
    OUTDIR/roundtrip.wat  one component: for every type T (index N) it imports
                          `echo-N: func(x: T) -> T` and exports `run-N: func(x: T) -> T`
                          whose core code forwards its flat (or spilled) parameters to the
                          lowered import unchanged and returns what the import returned
                          (through a static return area when the result spills)
    OUTDIR/funcs.json     [{name, type, encoding}]: each export with its type tree
    OUTDIR/values.json    [[name, value], ...]: the arguments, in a neutral JSON form
                          (read by tests/canon/jco_run.mjs)
    OUTDIR/values.txt     "run-N<TAB>WAVE" per argument (read by tests/canon/diff_run.c)

Deterministic: the same seed gives the same files. Types are tuples:
    ('prim', 'u8') ('list', T) ('tuple', [T]) ('option', T) ('result', T|None, E|None)
    ('record', name, [(field, T)]) ('variant', name, [(case, T|None)])
    ('enum', name, [case]) ('flags', name, [label])
Neutral values: bool; ints (64-bit ones as decimal strings in JSON); floats as strings
("nan", "inf", "-inf", "-0.0", repr); char as its code point; str; lists; records and
tuples as lists; variant, option, result as [case index, payload or null]; enum as its
case index; flags as a bit mask.
"""
import json
import math
import random
import struct
import sys

SEED = 20261204
VALUES_PER_FUNC = 96          # arguments per function (edge cases first, then random)
RET_AREA = 1024               # static return area of spilled results ...
HEAP_BASE = 16384             # ... up to here, where the bump allocator starts

INTS = {'s8': (-2**7, 2**7 - 1), 'u8': (0, 2**8 - 1), 's16': (-2**15, 2**15 - 1),
        'u16': (0, 2**16 - 1), 's32': (-2**31, 2**31 - 1), 'u32': (0, 2**32 - 1),
        's64': (-2**63, 2**63 - 1), 'u64': (0, 2**64 - 1)}
NUMERIC = set(INTS) | {'f32', 'f64'}


def P(n):
    return ('prim', n)


# ---------------------------------------------------------------------------- layout


def strip(t):
    return t


def cases_of(t):
    """The cases of a variant-like type: [(name, payload type or None)]."""
    k = t[0]
    if k == 'variant':
        return t[2]
    if k == 'option':
        return [('none', None), ('some', t[1])]
    if k == 'result':
        return [('ok', t[1]), ('err', t[2])]
    if k == 'enum':
        return [(c, None) for c in t[2]]
    raise ValueError(k)


def disc_size(n):
    return 1 if n <= 256 else 2 if n <= 65536 else 4


def align_to(x, a):
    return (x + a - 1) // a * a


def size_align(t):
    k = t[0]
    if k == 'prim':
        n = t[1]
        if n in ('bool', 's8', 'u8'):
            return 1, 1
        if n in ('s16', 'u16'):
            return 2, 2
        if n in ('s32', 'u32', 'f32', 'char'):
            return 4, 4
        if n in ('s64', 'u64', 'f64'):
            return 8, 8
        return 8, 4  # string
    if k == 'list':
        return 8, 4
    if k in ('record', 'tuple'):
        ts = [f[1] for f in t[2]] if k == 'record' else t[1]
        off, al = 0, 1
        for ft in ts:
            s, a = size_align(ft)
            off = align_to(off, a) + s
            al = max(al, a)
        return align_to(off, al), al
    if k == 'flags':
        n = len(t[2])
        return (1, 1) if n <= 8 else (2, 2) if n <= 16 else (4, 4)
    cs = cases_of(t)
    d = disc_size(len(cs))
    pa, ps = 1, 0
    for _, ct in cs:
        if ct is not None:
            s, a = size_align(ct)
            pa, ps = max(pa, a), max(ps, s)
    al = max(d, pa)
    return align_to(align_to(d, pa) + ps, al), al


def join(a, b):
    if a == b:
        return a
    if {a, b} == {'i32', 'f32'}:
        return 'i32'
    return 'i64'


def flat(t):
    k = t[0]
    if k == 'prim':
        n = t[1]
        if n in ('s64', 'u64'):
            return ['i64']
        if n == 'f32':
            return ['f32']
        if n == 'f64':
            return ['f64']
        if n == 'string':
            return ['i32', 'i32']
        return ['i32']
    if k == 'list':
        return ['i32', 'i32']
    if k == 'record':
        return [x for f in t[2] for x in flat(f[1])]
    if k == 'tuple':
        return [x for ft in t[1] for x in flat(ft)]
    if k in ('flags', 'enum'):
        return ['i32']
    joined = []
    for _, ct in cases_of(t):
        if ct is None:
            continue
        for i, ft in enumerate(flat(ct)):
            if i < len(joined):
                joined[i] = join(joined[i], ft)
            else:
                joined.append(ft)
    return ['i32'] + joined


def has_string(t):
    k = t[0]
    if k == 'prim':
        return t[1] == 'string'
    if k == 'list':
        return has_string(t[1])
    if k == 'record':
        return any(has_string(f[1]) for f in t[2])
    if k == 'tuple':
        return any(has_string(x) for x in t[1])
    if k in ('flags', 'enum'):
        return False
    return any(ct is not None and has_string(ct) for _, ct in cases_of(t))


# ---------------------------------------------------------------------------- types


def labels(prefix, n):
    return ['%s%d' % (prefix, i) for i in range(n)]


def catalogue(rnd):
    """The types under test, in order."""
    point = ('record', 'point', [('x', P('s32')), ('y', P('s32'))])
    mixed = ('record', 'mixed', [('a', P('u8')), ('b', P('string')), ('c', P('f64')),
                                 ('d', P('bool')), ('e', P('char')), ('f-g', P('s16'))])
    color = ('enum', 'color', ['red', 'green', 'blue'])
    one = ('enum', 'lonely', ['only'])
    big_enum = ('enum', 'big-enum', labels('e', 300))
    nopay = ('variant', 'no-payload', [('a', None), ('b', None), ('c', None)])
    joined = ('variant', 'joined', [('a', P('u32')), ('b', P('f64')), ('c', P('string'))])
    i32f32 = ('variant', 'int-or-float', [('x', P('s32')), ('y', P('f32')), ('z', None)])
    f32f64 = ('variant', 'float-widths', [('x', P('f32')), ('y', P('f64'))])
    i64f32 = ('variant', 'wide-join', [('x', P('f32')), ('y', P('s64')), ('z', P('u8'))])
    mixvar = ('variant', 'shapes', [('empty', None), ('i', P('s64')), ('f', P('f32')),
                                    ('s', P('string')), ('l', ('list', P('u8'))), ('r', point),
                                    ('t', ('tuple', [P('u16'), P('char')]))])
    big_var = ('variant', 'big-variant',
               [('v%d' % i, P('u8') if i % 3 == 0 else (P('string') if i % 3 == 1 else None))
                for i in range(260)])
    nested = ('record', 'nested', [('inner', point), ('tags', ('list', P('string'))),
                                   ('opt', ('option', P('u64'))), ('shade', color)])
    wide = ('record', 'wide', [('f%d' % i, [P('u32'), P('f32'), P('u8'), P('s64'), P('f64')][i % 5])
                               for i in range(18)])
    wide_s = ('record', 'wide-strings', [('s%d' % i, P('string')) for i in range(9)])
    flags = {n: ('flags', 'flags%d' % n, labels('b', n)) for n in (1, 8, 9, 16, 17, 32)}
    u8s = ('tuple', [P('u8'), P('string')])
    types = [P(n) for n in ('bool', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64',
                            'f32', 'f64', 'char', 'string')]
    types += [('list', P(n)) for n in ('u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64',
                                        'f32', 'f64', 'bool', 'char', 'string')]
    types += [('list', ('list', P('u8'))), ('list', ('list', P('string')))]
    types += [point, mixed, nested, wide, wide_s]
    types += [u8s, ('tuple', [P('f32'), P('f64'), P('s64')]), ('tuple', [P('char'), P('bool'), P('u16')]),
              ('tuple', [P('u64'), P('u32')]), ('tuple', [P('string')] * 9), ('tuple', [P('u8')])]
    types += [nopay, joined, i32f32, f32f64, i64f32, mixvar, big_var]
    types += [color, one, big_enum]
    types += [('option', P('u8')), ('option', P('string')), ('option', ('option', P('u32'))),
              ('option', P('f64')), ('option', ('option', ('option', P('bool')))),
              ('option', point), ('option', ('list', P('string')))]
    types += [('result', None, None), ('result', P('u32'), None), ('result', None, P('string')),
              ('result', P('string'), P('u32')), ('result', P('f32'), P('s64')),
              ('result', ('list', u8s), joined),
              ('result', ('option', P('u8')), ('result', P('string'), P('char')))]
    types += [flags[n] for n in (1, 8, 9, 16, 17, 32)]
    types += [('list', point), ('list', mixed), ('list', ('option', P('string'))),
              ('list', ('result', P('u8'), P('string'))), ('list', mixvar), ('list', u8s),
              ('list', color), ('list', flags[9]), ('list', ('option', P('f32'))),
              ('tuple', [nested, ('list', joined)]),
              ('option', ('result', ('list', P('string')), nopay)),
              ('record', 'deep', [('a', ('list', ('record', 'deep-item', [
                  ('name', P('string')), ('vals', ('list', ('option', P('s16')))),
                  ('flags', flags[17])]))), ('b', ('tuple', [P('char'), ('list', P('f64'))]))])]
    # a few random nestings of the above
    pool = [P('u8'), P('s64'), P('f32'), P('f64'), P('char'), P('string'), P('bool'), point,
            color, joined, flags[8], i32f32]
    for i in range(8):
        types.append(random_type(rnd, pool, 3, 'r%d' % i))
    return types


def random_type(rnd, pool, depth, name):
    if depth == 0:
        return rnd.choice(pool)
    k = rnd.choice(['list', 'tuple', 'option', 'result', 'record', 'variant'])
    sub = lambda j: random_type(rnd, pool, depth - 1 if rnd.random() < 0.7 else 0, '%s-n%d' % (name, j))
    if k == 'list':
        return ('list', sub(0))
    if k == 'tuple':
        return ('tuple', [sub(j) for j in range(rnd.randint(1, 3))])
    if k == 'option':
        return ('option', sub(0))
    if k == 'result':
        return ('result', sub(0) if rnd.random() < 0.8 else None, sub(1) if rnd.random() < 0.8 else None)
    if k == 'record':
        return ('record', name, [('f%d' % j, sub(j)) for j in range(rnd.randint(1, 4))])
    return ('variant', name, [('c%d' % j, sub(j) if rnd.random() < 0.7 else None)
                              for j in range(rnd.randint(1, 4))])


# ---------------------------------------------------------------------------- values

CHARS_EDGE = [0, 9, 10, 13, 0x22, 0x27, 0x5c, 0x7f, 0x80, 0xe9, 0xff, 0x100, 0x7ff, 0x800,
              0xd7ff, 0xe000, 0xfeff, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff]
STR_EDGE = ['', 'a', 'hello', 'caf\u00e9', '\u00ff\u00fe\u00e0 latin-1 only', '\u20ac100',
            '\u4e2d\u6587', '\U0001f600', 'a\U0001f600b\U0001d11ec', '\x00', 'tab\there\nnewline',
            'quote"back\\slash\'', '\U0010ffff\ue000\ud7ff', 'x' * 300]
ALPHABET = ('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,!?"\'\\\t\n'
            '\u00e9\u00ff\u00df\u00a0\u0100\u03bb\u0416\u20ac\u4e2d\uffff\U0001f600\U0001d11e\U0010ffff')
F32_EDGE = [0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 1.401298464324817e-45,
            3.4028234663852886e+38, -3.4028234663852886e+38, 1.1754943508222875e-38, 0.5]
F64_EDGE = [0.0, -0.0, 1.0, -1.5, math.inf, -math.inf, math.nan, 5e-324, 1.7976931348623157e+308,
            -1.7976931348623157e+308, 2.2250738585072014e-308, 0.1, 1e16, 123456789.125]


def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


def rand_char(rnd):
    r = rnd.random()
    if r < 0.4:
        return rnd.randint(0x20, 0x7e)
    if r < 0.6:
        return rnd.randint(0x80, 0x7ff)
    if r < 0.8:
        c = rnd.randint(0x800, 0xfffd)
        return c if not 0xd800 <= c <= 0xdfff else 0xe000
    return rnd.randint(0x10000, 0x10ffff)


def rand_string(rnd):
    n = rnd.choice([0, 1, 2, 3, 5, 8, 13, 30])
    r = rnd.random()
    if r < 0.3:   # latin-1 only (latin1+utf16 keeps these in one byte per char)
        return ''.join(chr(rnd.randint(0x20, 0xff)) for _ in range(n))
    return ''.join(rnd.choice(ALPHABET) for _ in range(n))


def edges(t):
    """Edge-case values of t (for every variant case at least one)."""
    k = t[0]
    if k == 'prim':
        n = t[1]
        if n == 'bool':
            return [False, True]
        if n in INTS:
            lo, hi = INTS[n]
            return sorted({lo, hi, 0, 1, hi // 2, lo + 1, max(lo, -1)})
        if n == 'f32':
            return [f32(x) for x in F32_EDGE]
        if n == 'f64':
            return list(F64_EDGE)
        if n == 'char':
            return list(CHARS_EDGE)
        return list(STR_EDGE)
    if k == 'list':
        e = edges(t[1])
        return [[], e[:1], e, e[::-1] * 2]
    if k == 'flags':
        n = len(t[2])
        full = (1 << n) - 1
        return [0, full, 1, 1 << (n - 1), full & 0x55555555]
    if k == 'enum':
        n = len(t[2])
        return sorted({0, n - 1, n // 2})
    if k in ('record', 'tuple'):
        ts = [f[1] for f in t[2]] if k == 'record' else t[1]
        es = [edges(x) for x in ts]
        m = min(max(len(e) for e in es), 8)
        return [[e[i % len(e)] for e in es] for i in range(m)]
    out = []
    for i, (_, ct) in enumerate(cases_of(t)):
        if ct is None:
            out.append([i, None])
        else:
            e = edges(ct)
            out.append([i, e[0]])
            if len(cases_of(t)) < 20:
                out.append([i, e[-1]])
    return out


def rand_value(rnd, t, depth=0):
    k = t[0]
    if k == 'prim':
        n = t[1]
        if n == 'bool':
            return rnd.random() < 0.5
        if n in INTS:
            lo, hi = INTS[n]
            if rnd.random() < 0.2:
                return rnd.choice([lo, hi, 0, -1 if lo < 0 else 1])
            bits = rnd.randint(1, (hi - lo).bit_length())
            if lo == 0:
                return rnd.getrandbits(bits)
            return rnd.randint(-2**(bits - 1), 2**(bits - 1) - 1)
        if n == 'f32':
            if rnd.random() < 0.15:
                return f32(rnd.choice(F32_EDGE))
            while True:
                v = struct.unpack('<f', struct.pack('<I', rnd.getrandbits(32)))[0]
                if not math.isnan(v) and not math.isinf(v):
                    return v
        if n == 'f64':
            if rnd.random() < 0.15:
                return rnd.choice(F64_EDGE)
            if rnd.random() < 0.5:
                return round(rnd.uniform(-1e6, 1e6), rnd.randint(0, 6))
            while True:
                v = struct.unpack('<d', struct.pack('<Q', rnd.getrandbits(64)))[0]
                if not math.isnan(v) and not math.isinf(v):
                    return v
        if n == 'char':
            return rnd.choice(CHARS_EDGE) if rnd.random() < 0.2 else rand_char(rnd)
        return rnd.choice(STR_EDGE[:13]) if rnd.random() < 0.15 else rand_string(rnd)
    if k == 'list':
        n = rnd.choice([0, 1, 2, 3, 4, 7]) if depth < 2 else rnd.choice([0, 1, 2])
        if t[1] == P('u8') and rnd.random() < 0.1:
            n = rnd.randint(100, 600)
        return [rand_value(rnd, t[1], depth + 1) for _ in range(n)]
    if k == 'record':
        return [rand_value(rnd, f[1], depth + 1) for f in t[2]]
    if k == 'tuple':
        return [rand_value(rnd, x, depth + 1) for x in t[1]]
    if k == 'flags':
        return rnd.getrandbits(len(t[2]))
    if k == 'enum':
        return rnd.randrange(len(t[2]))
    cs = cases_of(t)
    i = rnd.randrange(len(cs))
    ct = cs[i][1]
    return [i, None if ct is None else rand_value(rnd, ct, depth + 1)]


def domain(t):
    """How many distinct values t has (capped: 1 << 20 stands for many)."""
    many = 1 << 20
    k = t[0]
    if k == 'prim':
        return 2 if t[1] == 'bool' else many
    if k == 'list':
        return many
    if k == 'enum':
        return len(t[2])
    if k == 'flags':
        return min(1 << len(t[2]), many)
    n = 1
    if k in ('record', 'tuple'):
        for ft in ([f[1] for f in t[2]] if k == 'record' else t[1]):
            n = min(n * domain(ft), many)
        return n
    return min(sum(1 if ct is None else domain(ct) for _, ct in cases_of(t)), many)


def values_for(rnd, t):
    # a type with few values (bool, small enums) gets four times as many arguments
    count = min(VALUES_PER_FUNC, 4 * domain(t))
    vs = edges(t)[:count // 2 + 1]
    while len(vs) < count:
        vs.append(rand_value(rnd, t))
    return vs


# ---------------------------------------------------------------------------- printing


def fmt_float(x):
    if math.isnan(x):
        return 'nan'
    if math.isinf(x):
        return 'inf' if x > 0 else '-inf'
    return repr(x)


def esc_char(c, quote):
    if c == '\\':
        return '\\\\'
    if c == quote:
        return '\\' + quote
    if c == '\n':
        return '\\n'
    if c == '\t':
        return '\\t'
    if c == '\r':
        return '\\r'
    if ord(c) < 0x20 or ord(c) == 0x7f:
        return '\\u{%x}' % ord(c)
    return c


KEYWORDS = {'true', 'false', 'inf', 'nan', 'some', 'none', 'ok', 'err'}


def label(s):
    return '%' + s if s in KEYWORDS else s


def wave(t, v):
    k = t[0]
    if k == 'prim':
        n = t[1]
        if n == 'bool':
            return 'true' if v else 'false'
        if n in INTS:
            return str(v)
        if n in ('f32', 'f64'):
            return fmt_float(v)
        if n == 'char':
            return "'" + esc_char(chr(v), "'") + "'"
        return '"' + ''.join(esc_char(c, '"') for c in v) + '"'
    if k == 'list':
        return '[' + ', '.join(wave(t[1], x) for x in v) + ']'
    if k == 'record':
        return '{' + ', '.join('%s: %s' % (f[0], wave(f[1], x)) for f, x in zip(t[2], v)) + '}'
    if k == 'tuple':
        return '(' + ', '.join(wave(a, x) for a, x in zip(t[1], v)) + ')'
    if k == 'flags':
        return '{' + ', '.join(l for i, l in enumerate(t[2]) if v >> i & 1) + '}'
    if k == 'enum':
        return label(t[2][v])
    name, ct = cases_of(t)[v[0]]
    name = name if k in ('option', 'result') else label(name)
    return name if ct is None else '%s(%s)' % (name, wave(ct, v[1]))


def neutral(t, v):
    """v in its JSON form (64-bit integers and floats as strings)."""
    k = t[0]
    if k == 'prim':
        n = t[1]
        if n in ('s64', 'u64'):
            return str(v)
        if n in ('f32', 'f64'):
            return '-0.0' if v == 0 and math.copysign(1, v) < 0 else fmt_float(v)
        return v
    if k == 'list':
        return [neutral(t[1], x) for x in v]
    if k == 'record':
        return [neutral(f[1], x) for f, x in zip(t[2], v)]
    if k == 'tuple':
        return [neutral(a, x) for a, x in zip(t[1], v)]
    if k in ('flags', 'enum'):
        return v
    ct = cases_of(t)[v[0]][1]
    return [v[0], None if ct is None else neutral(ct, v[1])]


def type_json(t):
    k = t[0]
    if k == 'prim':
        return {'k': t[1]}
    if k == 'list':
        return {'k': 'list', 'elem': type_json(t[1])}
    if k == 'record':
        return {'k': 'record', 'fields': [[f, type_json(ft)] for f, ft in t[2]]}
    if k == 'tuple':
        return {'k': 'tuple', 'types': [type_json(x) for x in t[1]]}
    if k in ('flags', 'enum'):
        return {'k': k, 'labels': t[2]}
    if k == 'option':
        return {'k': 'option', 'some': type_json(t[1])}
    if k == 'result':
        return {'k': 'result', 'ok': t[1] and type_json(t[1]), 'err': t[2] and type_json(t[2])}
    return {'k': 'variant', 'cases': [[c, ct and type_json(ct)] for c, ct in t[2]]}


# ---------------------------------------------------------------------------- component


class Types:
    """Type definitions of the component text: named types (record, variant, enum,
    flags) are defined and then imported with an `eq` bound, so function types refer to
    named types as imports and exports require."""

    def __init__(self):
        self.lines = []
        self.memo = {}
        self.names = {}
        self.names_rev = {}
        self.n = 0

    def ref(self, t):
        k = t[0]
        if k == 'prim':
            return t[1]
        key = repr(t)
        if key in self.memo:
            return self.memo[key]
        if k == 'list':
            body = '(list %s)' % self.ref(t[1])
        elif k == 'tuple':
            body = '(tuple %s)' % ' '.join(self.ref(x) for x in t[1])
        elif k == 'option':
            body = '(option %s)' % self.ref(t[1])
        elif k == 'result':
            body = '(result%s%s)' % ('' if t[1] is None else ' ' + self.ref(t[1]),
                                     '' if t[2] is None else ' (error %s)' % self.ref(t[2]))
        elif k == 'record':
            body = '(record %s)' % ' '.join('(field "%s" %s)' % (f, self.ref(ft)) for f, ft in t[2])
        elif k == 'variant':
            body = '(variant %s)' % ' '.join('(case "%s"%s)' % (c, '' if ct is None else ' ' + self.ref(ct))
                                             for c, ct in t[2])
        elif k == 'enum':
            body = '(enum %s)' % ' '.join('"%s"' % c for c in t[2])
        else:
            body = '(flags %s)' % ' '.join('"%s"' % c for c in t[2])
        d = '$d%d' % self.n
        self.n += 1
        self.lines.append('  (type %s %s)' % (d, body))
        if k in ('record', 'variant', 'enum', 'flags'):
            name = t[1]
            assert self.names.setdefault(name, key) == key, 'type name %s reused' % name
            self.names_rev[key] = name
            r = '$t-' + name
            self.lines.append('  (import "%s" (type %s (eq %s)))' % (name, r, d))
            d = r
        self.memo[key] = d
        return d


LIBC = '''  (core module $libc
    (memory (export "memory") %(pages)d)
    (global $heap (mut i32) (i32.const %(heap)d))
    ;; cabi_realloc(old, old_size, align, new_size): a bump allocator that grows memory
    (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32) (local $end i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
      (local.set $end (i32.add (local.get $p) (local.get $size)))
      (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
        (then
          (if (i32.lt_s (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
                                                           (i32.const 65535)) (i32.const 16)))
                        (i32.const 0))
            (then unreachable))))
      (global.set $heap (local.get $end))
      (if (local.get $old)
        (then (memory.copy (local.get $p) (local.get $old)
                (select (local.get $old_size) (local.get $size) (i32.lt_u (local.get $old_size) (local.get $size))))))
      (local.get $p))
    ;; called by every post-return: the next call starts from an empty heap
    (func (export "reset") (global.set $heap (i32.const %(heap)d))))
  (core instance $libc (instantiate $libc))
'''

ENCODINGS = {'utf8': 'string-encoding=utf8', 'utf16': 'string-encoding=utf16',
             'latin1+utf16': 'string-encoding=latin1+utf16'}


def component(funcs):
    """funcs: [(index, name suffix, type, encoding)] -> component text."""
    return '(component\n' + '\n'.join(component_body(funcs)) + '\n)\n'


def component_body(funcs):
    ty = Types()
    out = []
    fts = {}
    for i, (n, name, t, enc) in enumerate(funcs):
        r = ty.ref(t)
        if r not in fts:
            fts[r] = '$ft%d' % len(fts)
            ty.lines.append('  (type %s (func (param "x" %s) (result %s)))' % (fts[r], r, r))
    out += ty.lines
    for n, name, t, enc in funcs:
        out.append('  (import "echo-%s" (func $echo-%s (type %s)))' % (name, name, fts[ty.ref(t)]))
    out.append(LIBC % {'pages': 1, 'heap': HEAP_BASE})
    mem = '(memory (core memory $libc "memory")) (realloc (core func $libc "cabi_realloc"))'
    for n, name, t, enc in funcs:
        out.append('  (core func $lower-%s (canon lower (func $echo-%s) %s %s))' % (name, name, mem, ENCODINGS[enc]))
    core = ['  (core module $main', '    (import "libc" "reset" (func $reset))']
    sigs = {}
    for n, name, t, enc in funcs:
        fl = flat(t)
        params = fl if len(fl) <= 16 else ['i32']
        spill = len(fl) > 1
        if spill:
            size, _ = size_align(t)
            assert RET_AREA + size <= HEAP_BASE, (name, size)
        lp = params + (['i32'] if spill else [])
        core.append('    (import "host" "echo-%s" (func $echo-%s (param %s)%s))' % (
            name, name, ' '.join(lp), '' if spill else ' (result %s)' % fl[0]))
        sigs[name] = (params, spill, 'i32' if spill else fl[0])
    for n, name, t, enc in funcs:
        params, spill, res = sigs[name]
        body = ' '.join('local.get %d' % i for i in range(len(params)))
        if spill:
            body += ' i32.const %d call $echo-%s i32.const %d' % (RET_AREA, name, RET_AREA)
        else:
            body += ' call $echo-%s' % name
        core.append('    (func (export "run-%s") (param %s) (result %s) %s)' % (name, ' '.join(params), res, body))
    for res in sorted({s[2] for s in sigs.values()}):
        core.append('    (func (export "post-%s") (param %s) call $reset)' % (res, res))
    core.append('  )')
    out += core
    out.append('  (core instance $main (instantiate $main (with "libc" (instance $libc))')
    out.append('    (with "host" (instance')
    for n, name, t, enc in funcs:
        out.append('      (export "echo-%s" (func $lower-%s))' % (name, name))
    out.append('    ))))')
    for n, name, t, enc in funcs:
        res = sigs[name][2]
        out.append('  (func $run-%s (type %s) (canon lift (core func $main "run-%s") %s %s (post-return (core func $main "post-%s"))))'
                   % (name, fts[ty.ref(t)], name, mem, ENCODINGS[enc], res))
        out.append('  (export "run-%s" (func $run-%s))' % (name, name))
    return out


# The chains: one outer component holding instances of the forwarding component, in the
# string encodings below, each run-N calling the next one's (fused, guest to guest,
# transcoding between the encodings) and the last calling the host's echo-N. jco 1.35.0
# has no latin1+utf16 transcoder ("not implemented: latin to utf8 transcoder"), so the
# chain through latin1+utf16 is checked against its own arguments only.
CHAIN = ['utf8', 'utf16', 'utf8']
CHAIN_LATIN1 = ['utf8', 'latin1+utf16', 'utf16', 'latin1+utf16', 'utf8']


def chain(funcs, encodings=None):
    """funcs: [(index, name suffix, type, _)] -> component text of the chain."""
    CHAIN = encodings or globals()['CHAIN']
    out = []
    encs = sorted(set(CHAIN))
    for enc in encs:
        body = component_body([(n, name, t, enc) for n, name, t, _ in funcs])
        out.append('  (component $inner-%s' % enc.replace('+', '-'))
        out += ['  ' + l for l in body]
        out.append('  )')
    ty = Types()
    fts = {}
    for n, name, t, enc in funcs:
        r = ty.ref(t)
        if r not in fts:
            fts[r] = '$ft%d' % len(fts)
            ty.lines.append('  (type %s (func (param "x" %s) (result %s)))' % (fts[r], r, r))
    out += ty.lines
    for n, name, t, enc in funcs:
        out.append('  (import "echo-%s" (func $echo-%s (type %s)))' % (name, name, fts[ty.ref(t)]))
    types = ''.join(' (with "%s" (type %s))' % (k, v) for k, v in
                    sorted((name, ref) for name, ref in ((ty.names_rev[key], ty.memo[key])
                                                        for key in ty.names_rev)))
    prev = None
    for i, enc in reversed(list(enumerate(CHAIN))):
        out.append('  (instance $i%d (instantiate $inner-%s' % (i, enc.replace('+', '-')))
        for n, name, t, _ in funcs:
            src = '(func $echo-%s)' % name if prev is None else '(func $i%d "run-%s")' % (prev, name)
            out.append('    (with "echo-%s" %s)' % (name, src))
        out.append('   ' + types + '))')
        prev = i
    for n, name, t, enc in funcs:
        out.append('  (alias export $i0 "run-%s" (func $run-%s))' % (name, name))
        out.append('  (export "run-%s" (func $run-%s) (func (type %s)))' % (name, name, fts[ty.ref(t)]))
    return '(component\n' + '\n'.join(out) + '\n)\n'


def write_group(outdir, stem, funcs, make=component):
    vals = []
    for n, name, t, enc in funcs:
        vr = random.Random('%d/%s%s' % (SEED, '' if make is component else stem + '/', name))
        for v in values_for(vr, t):
            vals.append(('run-' + name, t, v))
    with open('%s/%s.wat' % (outdir, stem), 'w') as f:
        f.write(';; generated by tests/canon/gen.py: do not edit\n')
        f.write(make(funcs))
    with open('%s/%s.funcs.json' % (outdir, stem), 'w') as f:
        json.dump([{'name': 'run-' + name, 'type': type_json(t), 'encoding': enc}
                   for n, name, t, enc in funcs], f)
    with open('%s/%s.values.json' % (outdir, stem), 'w') as f:
        json.dump([[name, neutral(t, v)] for name, t, v in vals], f)
    with open('%s/%s.values.txt' % (outdir, stem), 'w', encoding='utf-8') as f:
        for name, t, v in vals:
            f.write('%s\t%s\n' % (name, wave(t, v)))
    print('%s: %d functions, %d values' % (stem, len(funcs), len(vals)), file=sys.stderr)


def main():
    outdir = sys.argv[1]
    rnd = random.Random(SEED)
    types = catalogue(rnd)
    funcs, latin1 = [], []
    for n, t in enumerate(types):
        funcs.append((n, str(n), t, 'utf8'))
        if has_string(t):
            funcs.append((n, '%d-utf16' % n, t, 'utf16'))
            latin1.append((n, '%d-latin1' % n, t, 'latin1+utf16'))
    print('%d types' % len(types), file=sys.stderr)
    # jco 1.35.0 cannot transpile latin1+utf16 (it panics): those functions live in a
    # component of their own, checked against their own arguments (echo is the identity)
    write_group(outdir, 'roundtrip', funcs)
    write_group(outdir, 'roundtrip-latin1', latin1)
    write_group(outdir, 'chain', [f for f in funcs if f[3] == 'utf8'], chain)
    write_group(outdir, 'chain-latin1', [f for f in funcs if f[3] == 'utf8' and has_string(f[2])],
                lambda fs: chain(fs, CHAIN_LATIN1))


if __name__ == '__main__':
    main()
