#!/usr/bin/env python3
"""gen_simd_vectors.py - turn the spec testsuite's SIMD assertions into C test vectors.

Reads ../shared/spec/simd_*.wast and ../shared/spec/proposals/relaxed-simd/*.wast (or
$WELD_SPEC_DIR), converts each with wast2json, disassembles each module with wasm2wat, and
keeps every assert_return whose exported function is one SIMD instruction applied to its
parameters and/or constants (no control flow), every load whose address is a constant or
a parameter and whose module never stores, and every store read back at once by a load of
the same address (the store files' pattern). Writes tests/unit/simd_vectors.h:

  { WELD_OP_<ID>, "file.wast", line, "imm", "args", "expected" }

  imm       hex bytes of the immediate: a lane index, 16 shuffle lanes or v128.const bytes;
            for WELD_OP_COUNT rows, a straight-line program (see program()) run on args
  args      space-separated operands "T:hex" (T = v, i, l, f, d; hex = little-endian bytes
            for v, the value's bits for scalars; m = the memory bytes a load reads, taken
            from the module's data segments at the effective address)
  expected  alternatives separated by "|" (an `either` gives several), each "T:shape:lanes"
            with lanes comma-separated hex bits per lane, or C (canonical NaN) / A
            (arithmetic NaN); shape is the lane type (i8 ... f64) or "-" for scalars

Usage: python3 tests/unit/gen_simd_vectors.py [SPEC_DIR]   (run from the repository root)
"""
import glob
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPCODES = os.path.join(ROOT, "src/binary/opcodes.def")
OUT = os.path.join(ROOT, "tests/unit/simd_vectors.h")

# wabt 1.0.32 spells two relaxed dot products without the "relaxed_" prefix.
WABT_ALIASES = {
    "i16x8.relaxed_dot_i8x16_i7x16_s": "i16x8.dot_i8x16_i7x16_s",
    "i32x4.relaxed_dot_i8x16_i7x16_add_s": "i32x4.dot_i8x16_i7x16_add_s",
}

LANE_BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "f32": 32, "f64": 64}
SCALAR = {"i32": "i", "i64": "l", "f32": "f", "f64": "d"}
SCALAR_BITS = {"i": 32, "l": 64, "f": 32, "d": 64}


def load_opcodes():
    """Text name -> (enum id, immediate kind) for every 0xFD opcode."""
    ops = {}
    pat = re.compile(r'^OP\((\w+),\s*"([^"]+)",\s*0xFD,\s*\w+,\s*(\w+)')
    with open(OPCODES) as f:
        for line in f:
            m = pat.match(line)
            if m:
                ops[m.group(2)] = (m.group(1), m.group(3))
    for new, old in WABT_ALIASES.items():
        ops[old] = ops[new]
    return ops


def load_sizes():
    """Enum id -> bytes accessed, for the 0xFD memory instructions."""
    sizes = {}
    pat = re.compile(r'^OP\((\w+),\s*"[^"]+",\s*0xFD,\s*\w+,\s*(MEMARG\w*),\s*"[^"]*",\s*(\d+)')
    with open(OPCODES) as f:
        for line in f:
            m = pat.match(line)
            if m:
                sizes[m.group(1)] = 1 << int(m.group(3))
    return sizes


def float_bits(text, bits):
    """Bits of a wat float literal (hex float, decimal, inf, nan, nan:0x...)."""
    t = text.replace("_", "")
    neg = t.startswith("-")
    if t[0] in "+-":
        t = t[1:]
    exp_bits, mant_bits = (8, 23) if bits == 32 else (11, 52)
    sign = (1 << (bits - 1)) if neg else 0
    if t.startswith("nan"):
        payload = int(t[4:], 16) if t.startswith("nan:") else 1 << (mant_bits - 1)
        return sign | (((1 << exp_bits) - 1) << mant_bits) | payload
    if t == "inf":
        return sign | (((1 << exp_bits) - 1) << mant_bits)
    v = float.fromhex(t) if t.startswith("0x") else float(t)
    if bits == 32:
        return struct.unpack("<I", struct.pack("<f", -v if neg else v))[0]
    return struct.unpack("<Q", struct.pack("<d", -v if neg else v))[0]


def hexle(value, nbytes):
    return (value & ((1 << (8 * nbytes)) - 1)).to_bytes(nbytes, "little").hex()


def parse_funcs(wat):
    """Function index -> (param count, [instruction lines]) from wasm2wat's flat output."""
    funcs = {}
    for m in re.finditer(r"\(func \(;(\d+);\) \(type \d+\)([^\n]*)\n((?:    [^\n]*\n)*)", wat):
        header, body = m.group(2), m.group(3)
        params = sum(len(p.split()) for p in re.findall(r"\(param ([^)]*)\)", header))
        lines = [re.sub(r"\(;.*?;\)", "", l).strip() for l in body.splitlines()]
        if lines and lines[-1].endswith(")"):
            lines[-1] = lines[-1][:-1]
        funcs[int(m.group(1))] = (params, [l for l in lines if l and not l.startswith("(local")])
    exports = {m.group(1): int(m.group(2))
               for m in re.finditer(r'\(export "([^"]*)" \(func (\d+)\)\)', wat)}
    return funcs, exports


def const_operand(line):
    """The operand a constant instruction pushes, as "T:hex", or None."""
    parts = line.split()
    if parts[0] == "i32.const":
        return "i:" + hexle(int(parts[1], 0), 4)
    if parts[0] == "i64.const":
        return "l:" + hexle(int(parts[1], 0), 8)
    if parts[0] == "f32.const":
        return "f:" + hexle(float_bits(parts[1], 32), 4)
    if parts[0] == "f64.const":
        return "d:" + hexle(float_bits(parts[1], 64), 8)
    if parts[0] == "v128.const" and parts[1] == "i32x4":
        return "v:" + "".join(hexle(int(x, 0), 4) for x in parts[2:6])
    return None


def single_op(params, lines, ops):
    """(enum id, imm hex, [operand templates]) when the body is pushes then one SIMD op."""
    if not lines:
        return None
    *pushes, last = lines
    parts = last.split()
    if parts[0] not in ops:
        return None
    opid, imm = ops[parts[0]]
    if imm.startswith("MEMARG"):
        return None
    operands = []
    for p in pushes:
        m = re.fullmatch(r"local\.get (\d+)", p)
        if m:
            operands.append(("param", int(m.group(1))))
            continue
        c = const_operand(p)
        if c is None:
            return None
        operands.append(("const", c))
    imm_hex = ""
    if imm == "LANE":
        imm_hex = hexle(int(parts[1]), 1)
    elif imm == "SHUFFLE":
        imm_hex = "".join(hexle(int(x), 1) for x in parts[1:17])
    elif imm == "V128":
        imm_hex = const_operand(last)[2:]
    elif imm != "NONE":
        return None
    used = sorted(i for kind, i in operands if kind == "param")
    if used != list(range(params)):
        return None
    return opid, imm_hex, operands


def program(params, lines, ops):
    """Tokens of a straight-line body of parameters, constants and non-memory SIMD
    instructions that leaves one value: "p<k>" (parameter k), an operand "T:hex", or an
    instruction's text name with "@hex" immediate bytes. None for anything else."""
    tokens, used = [], set()
    for line in lines:
        m = re.fullmatch(r"local\.get (\d+)", line)
        if m:
            tokens.append("p" + m.group(1))
            used.add(int(m.group(1)))
            continue
        c = const_operand(line)
        if c is not None:
            tokens.append(c)
            continue
        parts = line.split()
        if parts[0] not in ops or ops[parts[0]][1] not in ("NONE", "LANE", "SHUFFLE"):
            return None
        name = [n for n, v in ops.items() if v == ops[parts[0]] and n not in WABT_ALIASES.values()]
        imm = ops[parts[0]][1]
        imm_hex = ("@" + hexle(int(parts[1]), 1) if imm == "LANE" else
                   "@" + "".join(hexle(int(x), 1) for x in parts[1:17]) if imm == "SHUFFLE" else "")
        tokens.append(name[0] + imm_hex)
    if used != set(range(params)):
        return None
    return tokens


def parse_data(wat):
    """The initial memory image (address -> byte) from active data segments."""
    image = {}
    for m in re.finditer(r'\(data \(;\d+;\) \(i32\.const (\d+)\) "((?:[^"\\]|\\.)*)"\)', wat):
        addr, text, i = int(m.group(1)), m.group(2), 0
        while i < len(text):
            if text[i] == "\\":
                esc = text[i + 1]
                if esc in "tnr'\"\\":
                    byte = ord({"t": "\t", "n": "\n", "r": "\r"}.get(esc, esc))
                    i += 2
                else:
                    byte = int(text[i + 1:i + 3], 16)
                    i += 3
            else:
                byte = ord(text[i])
                i += 1
            image[addr] = byte
            addr += 1
    return image


def memarg_offset(parts):
    """The offset= of a memory instruction's text (0 when absent) and the other tokens."""
    offset, rest = 0, []
    for p in parts[1:]:
        if p.startswith("offset="):
            offset = int(p[7:], 0)
        elif not p.startswith("align="):
            rest.append(p)
    return offset, rest


def address_of(line, args):
    """The address an instruction pushes: a constant, or parameter 0's argument."""
    m = re.fullmatch(r"i32\.const (\S+)", line)
    if m:
        return int(m.group(1), 0) & 0xffffffff
    m = re.fullmatch(r"local\.get (\d+)", line)
    if m:
        return int(args[int(m.group(1))]["value"]) & 0xffffffff
    return None


def memory_vector(lines, args, ops, sizes, image):
    """(enum id, imm hex, args text) of a load, a lane load, or a store read back."""
    names = [l.split()[0] for l in lines]
    # loads: address [lane value] then the load
    if (names[-1] in ops and ops[names[-1]][1].startswith("MEMARG")
            and not any("store" in n for n in names)):
        opid, imm = ops[names[-1]]
        offset, rest = memarg_offset(lines[-1].split())
        if len(lines) != (3 if imm == "MEMARG_LANE" else 2):
            return None
        addr = address_of(lines[0], args)
        if addr is None or image is None:
            return None
        ea, size = addr + offset, sizes[opid]
        if ea + size > 65536:
            return None
        mem = "m:" + bytes(image.get(ea + i, 0) for i in range(size)).hex()
        if imm == "MEMARG_LANE":
            m = re.fullmatch(r"local\.get (\d+)", lines[1])
            if not m:
                return None
            return opid, hexle(int(rest[0]), 1), mem + " " + arg_text(args[int(m.group(1))])
        return opid, "", mem
    # stores read back from the same address: address value store address load ...
    if len(lines) < 5 or names[2] not in ops or "store" not in names[2]:
        return None
    opid, imm = ops[names[2]]
    offset, rest = memarg_offset(lines[2].split())
    load_offset, _ = memarg_offset(lines[4].split())
    if lines[0] != lines[3] or offset != load_offset:
        return None
    if names[4] != ("v128.load" if imm == "MEMARG" else "i64.load"):
        return None
    m = re.fullmatch(r"local\.get (\d+)", lines[1])
    value = arg_text(args[int(m.group(1))]) if m else const_operand(lines[1])
    if value is None:
        return None
    return opid, hexle(int(rest[0]), 1) if imm == "MEMARG_LANE" else "", value


def arg_text(a):
    if a["type"] == "v128":
        n = LANE_BITS[a["lane_type"]] // 8
        return "v:" + "".join(hexle(int(x), n) for x in a["value"])
    t = SCALAR[a["type"]]
    return "%s:%s" % (t, hexle(int(a["value"]), SCALAR_BITS[t] // 8))


def lane_token(x, bits):
    if x == "nan:canonical":
        return "C"
    if x == "nan:arithmetic":
        return "A"
    return "%x" % (int(x) & ((1 << bits) - 1))


def expect_text(e):
    if e["type"] == "v128":
        bits = LANE_BITS[e["lane_type"]]
        return "v:%s:%s" % (e["lane_type"], ",".join(lane_token(x, bits) for x in e["value"]))
    t = SCALAR[e["type"]]
    return "%s:-:%s" % (t, lane_token(e["value"], SCALAR_BITS[t]))


def convert(path, tmp, relaxed, ops, stats):
    base = os.path.join(tmp, os.path.basename(path)[:-5])
    src = path
    if relaxed:
        with open(path) as f:
            text = f.read()
        for new, old in WABT_ALIASES.items():
            text = text.replace(new, old)
        src = base + ".wast"
        with open(src, "w") as f:
            f.write(text)
    flags = ["--enable-relaxed-simd"] if relaxed else []
    subprocess.run(["wast2json", *flags, src, "-o", base + ".json"], check=True,
                   capture_output=True)
    with open(base + ".json") as f:
        script = json.load(f)
    rows, funcs, exports, image = [], {}, {}, None
    sizes = load_sizes()
    for cmd in script["commands"]:
        if cmd["type"] == "module":
            wat = subprocess.run(["wasm2wat", *flags, os.path.join(tmp, cmd["filename"])],
                                 check=True, capture_output=True, text=True).stdout
            funcs, exports = parse_funcs(wat)
            # a module whose functions store may change memory between assertions
            image = None if re.search(r"\.store", wat) else parse_data(wat)
            continue
        if cmd["type"] != "assert_return" or cmd["action"]["type"] != "invoke":
            continue
        stats["assert_return"] += 1
        if cmd["action"].get("module") or cmd["action"]["field"] not in exports:
            continue
        params, lines = funcs[exports[cmd["action"]["field"]]]
        args = cmd["action"]["args"]
        shape = single_op(params, lines, ops)
        if shape is not None:
            opid, imm_hex, operands = shape
            args_text = " ".join(arg_text(args[i]) if kind == "param" else i
                                 for kind, i in operands)
        else:
            mem = memory_vector(lines, args, ops, sizes, image) if lines else None
            if mem is None:
                prog = program(params, lines, ops) if lines else None
                if prog is None:
                    continue
                opid, imm_hex = "COUNT", " ".join(prog)
                args_text = " ".join(arg_text(a) for a in args)
            else:
                opid, imm_hex, args_text = mem
        if "either" in cmd:
            alts = cmd["either"]
        elif len(cmd["expected"]) == 1:
            alts = cmd["expected"]
        else:
            continue
        expected = "|".join(expect_text(a) for a in alts)
        stats["used" if opid != "COUNT" else "programs"] += 1
        rows.append((opid, os.path.basename(path), cmd["line"], imm_hex, args_text, expected))
    return rows


def main():
    spec = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "WELD_SPEC_DIR", os.path.join(ROOT, "../shared/spec"))
    ops = load_opcodes()
    files = [(p, False) for p in sorted(glob.glob(os.path.join(spec, "simd_*.wast")))]
    files += [(p, True) for p in
              sorted(glob.glob(os.path.join(spec, "proposals/relaxed-simd/*.wast")))]
    rows, seen, stats = [], set(), {"assert_return": 0, "used": 0, "programs": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for path, relaxed in files:
            for r in convert(path, tmp, relaxed, ops, stats):
                key = (r[0], r[3], r[4], r[5])
                if key not in seen:
                    seen.add(key)
                    rows.append(r)
    with open(OUT, "w") as f:
        f.write("/* simd_vectors.h - generated by tests/unit/gen_simd_vectors.py from the spec\n"
                " * testsuite's simd_*.wast and relaxed-simd files; do not edit. %d vectors,\n"
                " * %d operations. */\n" % (len(rows), len({r[0] for r in rows} - {"COUNT"})))
        for r in rows:
            f.write('{WELD_OP_%s, "%s", %d, "%s", "%s", "%s"},\n' % r)
    print("%d files: %d assert_return invocations, %d of one SIMD instruction, "
          "%d of straight-line SIMD code; %d distinct vectors over %d operations" %
          (len(files), stats["assert_return"], stats["used"], stats["programs"], len(rows),
           len({r[0] for r in rows} - {"COUNT"})))


if __name__ == "__main__":
    main()
