#!/usr/bin/env python3
"""Generate the modules of tests/bench/load/run.sh (loading and memory.grow costs).

usage: gen.py OUTDIR
  locals.wasm   one function: 50,000 values on the operand stack, then 200,000
                local.get/local.set pairs (export "f": () -> i32)
  imports.wasm  20,000 imported functions and 200,000 calls to the last one
  big.wasm      about 10 MB: 2,000 functions of mixed arithmetic, locals and calls
  grow.wasm     export "grow": 1,024 one-page memory.grow (returns the last old size)
"""
import os
import sys


def uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if (n == 0 and not b & 0x40) or (n == -1 and b & 0x40):
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def vec(items):
    return uleb(len(items)) + b"".join(items)


def name(s):
    return uleb(len(s)) + s.encode()


def section(sid, body):
    return bytes([sid]) + uleb(len(body)) + body


def functype(params, results):
    return b"\x60" + vec([bytes([p]) for p in params]) + vec([bytes([r]) for r in results])


def body(locals_, code):
    l = vec([uleb(n) + bytes([t]) for n, t in locals_])
    b = l + code + b"\x0b"
    return uleb(len(b)) + b


I32 = 0x7F
HDR = b"\x00asm\x01\x00\x00\x00"


def module(types, imports, funcs, mems, exports, codes):
    m = HDR + section(1, vec(types))
    if imports:
        m += section(2, vec(imports))
    m += section(3, vec([uleb(f) for f in funcs]))
    if mems:
        m += section(5, vec(mems))
    m += section(7, vec(exports))
    m += section(10, vec(codes))
    return m


def gen_locals():
    depth, pairs = 50000, 200000
    code = bytearray()
    for _ in range(depth):
        code += b"\x20\x00"            # local.get 0
    for k in range(pairs):
        code += b"\x20" + uleb(1 + k % 8) + b"\x21" + uleb(1 + (k + 1) % 8)
    for _ in range(depth - 1):
        code += b"\x6a"                # i32.add
    return module([functype([], [I32])], [], [0], [], [name("f") + b"\x00\x00"],
                  [body([(9, I32)], bytes(code))])


def gen_imports():
    nimp, ncalls = 20000, 200000
    imports = [name("env") + name("f%d" % i) + b"\x00\x00" for i in range(nimp)]
    code = b"\x10" + uleb(nimp - 1)      # call the last import
    code = code * ncalls
    return module([functype([], [])], imports, [0], [],
                  [name("f") + b"\x00" + uleb(nimp)], [body([], code)])


def gen_big():
    nf = 2000
    codes = []
    for f in range(nf):
        code = bytearray()
        for k in range(280):
            code += b"\x20\x00\x41" + sleb(k) + b"\x6a\x21" + uleb(1 + k % 4)   # l = p + k
            code += b"\x20\x01\x20\x02\x6c\x20\x03\x73\x21\x04"             # l4 = l1*l2^l3
        code += b"\x20\x04"
        if f:
            code += b"\x20\x04\x10" + uleb(f - 1) + b"\x6a"  # l4 + f-1(l4)
        codes.append(body([(4, I32)], bytes(code)))
    return module([functype([I32], [I32])], [], [0] * nf, [],
                  [name("f") + b"\x00" + uleb(nf - 1)], codes)


def gen_grow():
    # (loop (local.set 0 (memory.grow (i32.const 1))) (br_if 0 (local.tee 1 (i32.sub (local.get 1) 1))))
    code = (b"\x41" + sleb(1024) + b"\x21\x01"
            b"\x03\x40" b"\x41\x01\x40\x00\x21\x00"
            b"\x20\x01\x41\x01\x6b\x22\x01\x0d\x00" b"\x0b"
            b"\x20\x00")
    return module([functype([], [I32])], [], [0], [b"\x00\x00"],
                  [name("grow") + b"\x00\x00"], [body([(2, I32)], code)])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for n, g in [("locals", gen_locals), ("imports", gen_imports), ("big", gen_big),
                 ("grow", gen_grow)]:
        with open(os.path.join(out, n + ".wasm"), "wb") as f:
            f.write(g())


if __name__ == "__main__":
    main()
