/* runtime.h - weld's embedded interpreter for core WebAssembly modules.
 *
 * An engine owns everything the interpreter creates: compiled modules, instances, host
 * functions, tables, memories, globals, and the execution stacks. Freeing the engine frees
 * all of them. Nothing here prints, exits or keeps global state.
 *
 *   weld_rt_engine *e = weld_rt_engine_new(NULL);
 *   weld_rt_module *m;   weld_rt_module_load(e, bytes, len, &m, &d);   // read+validate+compile
 *   weld_rt_instance *i; weld_rt_instantiate(e, m, imports, nimports, &i, &d);
 *   weld_rt_extern x;    weld_rt_instance_export(i, "fib", &x);
 *   weld_rt_val arg = {.type = WELD_I32, .u.i32 = 30}, res;
 *   if (weld_rt_call(e, x.u.func, &arg, 1, &res, 1, &d) == WELD_ERR_TRAP) ... d.message
 *
 * Values cross the API as weld_rt_val; host functions see raw 64-bit slots (i32 in the low
 * 32 bits, floats as their bits, references as weld_rt_ref; a v128 takes two consecutive
 * slots, its low 8 bytes first).
 */
#ifndef WELD_RUNTIME_H
#define WELD_RUNTIME_H

#include "weld/module.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weld_rt_engine weld_rt_engine;
typedef struct weld_rt_module weld_rt_module;
typedef struct weld_rt_instance weld_rt_instance;
typedef struct weld_rt_func weld_rt_func;
typedef struct weld_rt_table weld_rt_table;
typedef struct weld_rt_memory weld_rt_memory;
typedef struct weld_rt_global weld_rt_global;
typedef struct weld_rt_tag weld_rt_tag;

/* A reference value: 0 is null; a funcref is a weld_rt_func pointer; an externref is the
 * host's value plus one (weld_rt_extern_ref). */
typedef uint64_t weld_rt_ref;
static inline weld_rt_ref weld_rt_extern_ref(uint64_t host_value) { return host_value + 1; }

typedef struct weld_rt_val {
    weld_valtype type;
    union {
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        uint32_t f32_bits;
        uint64_t f64_bits;
        weld_rt_ref ref;
        uint8_t v128[16];
    } u;
} weld_rt_val;

/* Limits an embedder sets; zero fields take the defaults. */
typedef struct weld_rt_limits {
    uint64_t max_memory_bytes; /* per linear memory (default 4 GiB) */
    uint32_t max_table_elems;  /* per table (default 10,000,000) */
    uint32_t max_call_depth;   /* Wasm frames (default 10,000) */
    uint32_t stack_slots;      /* value-stack slots, one per value (16 bytes each; default 1 Mi) */
    uint64_t fuel;             /* budget per call, in Wasm instructions (0 = unlimited):
                                  see weld_rt_set_fuel */
    uint32_t max_code_cells;   /* internal code cells (8 bytes each) one function may compile
                                  to (0 = no limit): larger functions fail to load "out of
                                  memory", as when the allocation fails */
} weld_rt_limits;

weld_rt_engine *weld_rt_engine_new(const weld_rt_limits *limits);
void weld_rt_engine_free(weld_rt_engine *e);
/* Change the fuel budget of the following calls (0 = unlimited). Fuel counts the Wasm
 * instructions executed (every instruction but the markers block, loop, else and end). It
 * is charged a basic block at a time, when the block is entered (function entry, loop
 * header, after else/end and after if/br_if): a block costing more than what is left
 * traps "all fuel consumed" before it runs. Only code of modules loaded while the engine
 * has a budget (weld_rt_limits.fuel or this call before weld_rt_module_load) is metered:
 * the others run without any accounting. */
void weld_rt_set_fuel(weld_rt_engine *e, uint64_t fuel);
/* Fuel left after the last call (meaningful when a budget is set). */
uint64_t weld_rt_fuel_left(const weld_rt_engine *e);

/* Read, validate and compile a core module. The bytes are copied. */
weld_status weld_rt_module_load(weld_rt_engine *e, const uint8_t *data, size_t len,
                                weld_rt_module **out, weld_diag *d);
/* The decoded module (imports, exports, types). */
const weld_module *weld_rt_module_ast(const weld_rt_module *m);

/* An external value: what an import receives and an export yields. */
typedef struct weld_rt_extern {
    uint8_t kind; /* weld_extern_kind */
    union {
        weld_rt_func *func;
        weld_rt_table *table;
        weld_rt_memory *memory;
        weld_rt_global *global;
        weld_rt_tag *tag;
    } u;
} weld_rt_extern;

/* Host functions. args and results are raw slots. To trap, call weld_rt_trap() and return
 * WELD_ERR_TRAP. */
typedef struct weld_rt_host_call weld_rt_host_call;
typedef weld_status (*weld_rt_host_fn)(void *ctx, weld_rt_host_call *call, const uint64_t *args,
                                       uint64_t *results);
weld_rt_func *weld_rt_func_new_host(weld_rt_engine *e, const weld_functype *type,
                                    weld_rt_host_fn fn, void *ctx);
void weld_rt_trap(weld_rt_host_call *call, const char *message);
/* The memory 0 of the instance whose code called the host function (NULL if none). */
weld_rt_memory *weld_rt_host_memory(weld_rt_host_call *call);

weld_rt_table *weld_rt_table_new(weld_rt_engine *e, const weld_tabletype *type, weld_rt_ref init);
weld_rt_memory *weld_rt_memory_new(weld_rt_engine *e, const weld_limits *limits);
weld_rt_global *weld_rt_global_new(weld_rt_engine *e, const weld_globaltype *type,
                                   const weld_rt_val *init);

/* A tag made by the host (exception handling): type has parameters only. Tags are compared
 * by identity: two tags are the same only when they are the same object. */
weld_rt_tag *weld_rt_tag_new(weld_rt_engine *e, const weld_functype *type);
const weld_functype *weld_rt_tag_type(const weld_rt_tag *t);

const weld_functype *weld_rt_func_type(const weld_rt_func *f);
uint8_t *weld_rt_memory_data(weld_rt_memory *m, uint64_t *len);
weld_rt_val weld_rt_global_get(const weld_rt_global *g);

/* Instantiate with imports given in the module's import order. Link errors are
 * WELD_ERR_LINK ("unknown import", "incompatible import type"); a trap while initialising
 * segments or in the start function is WELD_ERR_TRAP (the instance is then not returned). */
weld_status weld_rt_instantiate(weld_rt_engine *e, weld_rt_module *m, const weld_rt_extern *imports,
                                uint32_t nimports, weld_rt_instance **out, weld_diag *d);
/* Look an export up by name (the _n form takes names that may contain NUL). */
bool weld_rt_instance_export(const weld_rt_instance *i, const char *name, weld_rt_extern *out);
bool weld_rt_instance_export_n(const weld_rt_instance *i, const char *name, size_t len,
                               weld_rt_extern *out);

/* Call a function. A trap returns WELD_ERR_TRAP with its message in d ("integer divide by
 * zero", "call stack exhausted", ...); weld_rt_backtrace() then gives the Wasm frames.
 * An exception that no Wasm handler catches returns WELD_ERR_EXCEPTION ("uncaught
 * exception: tag 0 \"e\"", naming the tag by index in its defining module and by its
 * export name when it has one); weld_rt_exception_tag() and weld_rt_exception_payload()
 * then give the exception. Traps are never caught by exception handlers. */
weld_status weld_rt_call(weld_rt_engine *e, weld_rt_func *f, const weld_rt_val *args,
                         uint32_t nargs, weld_rt_val *results, uint32_t nresults, weld_diag *d);

/* Exceptions and host functions. A host function called from Wasm may throw: it calls
 * weld_rt_throw() and returns what it returned (WELD_ERR_EXCEPTION); the exception then
 * unwinds the Wasm frames that called it, where handlers may catch it. When a host
 * function calls back into Wasm (weld_rt_call) and an exception escapes that call, the
 * call returns WELD_ERR_EXCEPTION to the host function, whose C frame is never unwound:
 * returning WELD_ERR_EXCEPTION passes the exception on to the Wasm code that called the
 * host function; returning anything else ends it there (an error status traps as usual). */
weld_status weld_rt_throw(weld_rt_host_call *call, weld_rt_tag *tag, const weld_rt_val *payload,
                          uint32_t npayload);
/* The exception that escaped the last weld_rt_call (NULL / 0 when it did not end so). */
weld_rt_tag *weld_rt_exception_tag(const weld_rt_engine *e);
uint32_t weld_rt_exception_payload(const weld_rt_engine *e, weld_rt_val *vals, uint32_t cap);
/* The backtrace of the last trap, one frame a line, innermost first ("" if none). */
const char *weld_rt_backtrace(const weld_rt_engine *e);

#ifdef __cplusplus
}
#endif
#endif
