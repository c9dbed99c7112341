#!/usr/bin/env python3
"""Runs a WASI 0.2 command component under wasmtime (the `wasmtime` Python package's
component API and its WASI 0.2 host), for tests/cli/wasi2_sockets.sh:
    python3 wasmtime-run.py COMPONENT.wasm [ARGS...]
argv[0] is the component's path; stdout and stderr are the process's. That host grants no
network (no socket address and no name lookup is allowed), which is what `weld run`
without --net is compared with. Exits with the program's code (0 for ok, 1 for err, or the
code given to exit); 125 when wasmtime is not importable, 134 on a trap."""
import sys

try:
    import wasmtime
    from wasmtime import component
except ImportError:
    sys.exit(125)

path = sys.argv[1]
engine = wasmtime.Engine()
store = wasmtime.Store(engine)
wasi = wasmtime.WasiConfig()
wasi.inherit_stdout()
wasi.inherit_stderr()
wasi.argv = [path] + sys.argv[2:]
store.set_wasi(wasi)
linker = component.Linker(engine)
linker.add_wasip2()
inst = linker.instantiate(store, component.Component.from_file(engine, path))
run = None
for v in range(0, 10):
    iface = inst.get_export_index(store, "wasi:cli/run@0.2.%d" % v)
    if iface is not None:
        run = inst.get_func(store, inst.get_export_index(store, "run", iface))
        break
if run is None:
    print("no wasi:cli/run export", file=sys.stderr)
    sys.exit(125)
try:
    r = run(store)
except wasmtime.ExitTrap as e:
    sys.exit(e.code)
except wasmtime.Trap as e:
    print("trap: %s" % e, file=sys.stderr)
    sys.exit(134)
sys.stdout.flush()
sys.exit(0 if r is None or getattr(r, "tag", "ok") == "ok" else 1)
