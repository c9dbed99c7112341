/* component_canon.c - the table of canonical definitions (Binary.md, "Canonical
 * Definitions"): opcode, text name and immediates. The reader, the writer and the printer
 * all follow this one table. */
#include "weld/component.h"

/* Immediate codes: see weld_canon_info in component.h. */
static const weld_canon_info canon_table[] = {
    {0x00, "lift", "Saob"},
    {0x01, "lower", "Sao"},
    {0x02, "resource.new", "a"},
    {0x03, "resource.drop", "a"},
    {0x04, "resource.rep", "a"},
    {0x05, "task.cancel", ""},
    {0x06, "subtask.cancel", "f"},
    {0x09, "task.return", "ro"},
    {0x0a, "context.get", "va"},
    {0x0b, "context.set", "va"},
    {0x0c, "thread.yield", "f"},
    {0x0d, "subtask.drop", ""},
    {0x0e, "stream.new", "a"},
    {0x0f, "stream.read", "ao"},
    {0x10, "stream.write", "ao"},
    {0x11, "stream.cancel-read", "af"},
    {0x12, "stream.cancel-write", "af"},
    {0x13, "stream.drop-readable", "a"},
    {0x14, "stream.drop-writable", "a"},
    {0x15, "future.new", "a"},
    {0x16, "future.read", "ao"},
    {0x17, "future.write", "ao"},
    {0x18, "future.cancel-read", "af"},
    {0x19, "future.cancel-write", "af"},
    {0x1a, "future.drop-readable", "a"},
    {0x1b, "future.drop-writable", "a"},
    {0x1c, "error-context.new", "o"},
    {0x1d, "error-context.debug-message", "o"},
    {0x1e, "error-context.drop", ""},
    {0x1f, "waitable-set.new", ""},
    {0x20, "waitable-set.wait", "fa"},
    {0x21, "waitable-set.poll", "fa"},
    {0x22, "waitable-set.drop", ""},
    {0x23, "waitable.join", ""},
    {0x24, "backpressure.inc", ""},
    {0x25, "backpressure.dec", ""},
    {0x26, "thread.index", ""},
    {0x27, "thread.new-indirect", "ab"},
    {0x28, "thread.resume-later", ""},
    {0x29, "thread.suspend", "f"},
    {0x2a, "thread.suspend-then-resume", "f"},
    {0x2b, "thread.yield-then-resume", "f"},
    {0x2c, "thread.suspend-then-promote", "f"},
    {0x2d, "thread.yield-then-promote", "f"},
    /* the shared-everything-threads built-ins, as wasm-tools encodes them (no shared?
     * byte before the type index) */
    {0x40, "thread.spawn-ref", "a"},
    {0x41, "thread.spawn-indirect", "ab"},
    {0x42, "thread.available_parallelism", ""},
};

/* The table entry of a canonical definition opcode, or NULL when it is unknown. */
const weld_canon_info *weld_canon_info_of(uint8_t op)
{
    /* entries are sorted by opcode */
    size_t lo = 0, hi = sizeof canon_table / sizeof canon_table[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (canon_table[mid].op == op) return &canon_table[mid];
        if (canon_table[mid].op < op) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* The name of a component section id. */
const char *weld_csection_name(uint8_t id)
{
    static const char *const names[] = {
        "custom", "core module", "core instance", "core type", "component", "instance",
        "alias", "type", "canon", "start", "import", "export", "value",
    };
    return id < sizeof names / sizeof names[0] ? names[id] : "unknown";
}
