/* crt.h - weld's component runtime: load, instantiate and call WebAssembly components
 * through the Canonical ABI, on top of the core interpreter (weld/runtime.h) and the
 * component type model (weld/ctypes.h).
 *
 *   weld_crt *rt = weld_crt_new(NULL);                         // default limits
 *   weld_crt_component *c;  weld_crt_component_load(rt, bytes, len, &c, &d);
 *   weld_crt_linker *l = weld_crt_linker_new(rt);
 *   weld_crt_linker_func(l, "demo:greeter/names@0.1.0", "get-name", get_name, ctx);
 *   weld_crt_instance *i;   weld_crt_instantiate(rt, c, l, &i, &d);
 *   weld_crt_func *f = weld_crt_instance_func(i, "greet");
 *   weld_cval arg = weld_cval_string("world"), res;
 *   if (weld_crt_call(rt, f, &arg, 1, &res, &d) == WELD_ERR_TRAP) ... d.message
 *   ... res.u.str.ptr ...
 *   weld_cval_free(&arg); weld_cval_free(&res);
 *   weld_crt_free(rt);      // frees components, instances, linkers, the core engine
 *
 * Values cross the API as weld_cval trees (below); inside, guest-to-guest calls copy
 * from one linear memory into the other without building them. Nothing here prints,
 * exits or keeps global state.
 */
#ifndef WELD_CRT_H
#define WELD_CRT_H

#include "weld/ctypes.h"
#include "weld/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weld_crt weld_crt;
typedef struct weld_crt_component weld_crt_component;
typedef struct weld_crt_instance weld_crt_instance;
typedef struct weld_crt_func weld_crt_func;
typedef struct weld_crt_linker weld_crt_linker;
typedef struct weld_crt_host_call weld_crt_host_call;
typedef struct weld_crt_resource_type weld_crt_resource_type;

/* ---- values ------------------------------------------------------------------------ */

/* A component value. Its shape follows its type's kind (weld_tnode.kind; a type with
 * alias_of has the kind and fields of the type it names):
 *
 *   PRIM bool              u.b
 *   PRIM s8 s16 s32 s64    u.s (sign-extended)
 *   PRIM u8 u16 u32 u64    u.u (zero-extended)
 *   PRIM f32 / f64         u.f32 / u.f64
 *   PRIM char              u.c (a Unicode scalar value)
 *   PRIM string            u.str: UTF-8, NUL-terminated, len bytes without the NUL
 *   LIST, FIXED_LIST       u.list: count items; when the element type is a number type
 *                          (u8..u64, s8..s64, f32, f64; see weld_cval_list_packed) the
 *                          elements are packed in u.list.bytes (count * size bytes,
 *                          little-endian, as in linear memory) and u.list.items is NULL
 *   RECORD, TUPLE          u.list.items: the fields / members in order, count of them
 *   VARIANT                u.var: case index, payload (NULL for a case without one)
 *   ENUM                   u.var.tag: the case index (payload NULL)
 *   OPTION                 u.var: tag 0 none, 1 some(payload)
 *   RESULT                 u.var: tag 0 ok, 1 err; payload NULL when that side has no type
 *   FLAGS                  u.flags: bit i set when label i is (at most 32 labels)
 *   OWN, BORROW            u.res: the resource's representation and its runtime type
 *
 * Every value the runtime produces (results, host-function arguments) has `type` set and
 * owns its children (malloc'd): weld_cval_free releases them. Values the host passes in
 * (arguments of weld_crt_call, results of host functions) are read by the type of their
 * position; their `type` field is not consulted and may be NULL. */
typedef struct weld_cval weld_cval;
struct weld_cval {
    const weld_tnode *type;
    union {
        bool b;
        int64_t s;
        uint64_t u;
        float f32;
        double f64;
        uint32_t c;
        struct {
            char *ptr;
            uint32_t len;
        } str;
        struct {
            weld_cval *items;
            void *bytes;
            uint32_t count;
        } list;
        struct {
            uint32_t tag;
            weld_cval *payload;
        } var;
        uint32_t flags;
        struct {
            uint32_t rep;
            const weld_crt_resource_type *rt;
        } res;
    } u;
};

/* Release what v owns (strings, items, payloads, packed bytes), recursively; v itself
 * is left zeroed. */
void weld_cval_free(weld_cval *v);
/* A deep copy (NULL type kept); WELD_ERR_NOMEM on failure. */
weld_status weld_cval_copy(weld_cval *dst, const weld_cval *src);
/* Constructors for host code; strings are copied (NULL ptr on allocation failure). */
weld_cval weld_cval_string(const char *s);
weld_cval weld_cval_string_n(const char *s, size_t len);
/* The byte size of a packed element of lists of `elem` (1..8), or 0 when lists of that
 * type hold weld_cval items. */
uint32_t weld_cval_list_packed(const weld_tnode *elem);

/* ---- the runtime ------------------------------------------------------------------- */

/* A runtime owns a core engine (limits as weld_rt_engine_new takes them) and everything
 * loaded or instantiated through it. */
weld_crt *weld_crt_new(const weld_rt_limits *limits);
void weld_crt_free(weld_crt *rt);
weld_rt_engine *weld_crt_engine(weld_crt *rt);

/* Read, validate (every rule of weld_validate_component) and prepare a component:
 * nested core modules are compiled once here. The bytes are copied. */
weld_status weld_crt_component_load(weld_crt *rt, const uint8_t *data, size_t len,
                                    weld_crt_component **out, weld_diag *d);
/* The component's type: its imports and exports (kind WELD_TK_COMPONENT). */
const weld_tnode *weld_crt_component_type(const weld_crt_component *c);

/* ---- host definitions -------------------------------------------------------------- */

/* A host function. `args` (nargs of them, typed by the import's function type, owned by
 * the runtime and valid during the call) hold the lifted arguments; when the function
 * has a result, the host writes it to *result (the runtime lowers it, then frees it with
 * weld_cval_free). To trap, call weld_crt_trap() and return WELD_ERR_TRAP. */
typedef weld_status (*weld_crt_host_fn)(void *ctx, weld_crt_host_call *call, const weld_cval *args,
                                        uint32_t nargs, weld_cval *result);
/* Make the call trap with this message (copied). */
void weld_crt_trap(weld_crt_host_call *call, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The function type of the import being called (kind WELD_TK_FUNC). */
const weld_tnode *weld_crt_call_type(const weld_crt_host_call *call);
/* The runtime the call runs in. */
weld_crt *weld_crt_call_runtime(const weld_crt_host_call *call);

/* A resource type implemented by the host. Its representations are the host's own u32s;
 * `dtor` (may be NULL) runs when the guest drops the last own handle. Owned by rt. */
typedef void (*weld_crt_dtor_fn)(void *ctx, uint32_t rep);
weld_crt_resource_type *weld_crt_resource_type_new(weld_crt *rt, const char *name,
                                                   weld_crt_dtor_fn dtor, void *ctx);
/* The name a resource type was made with (host) or exported under (guest). */
const char *weld_crt_resource_type_name(const weld_crt_resource_type *t);

/* A linker maps import names to host definitions. `instance` names an imported
 * instance ("wasi:cli/stdout@0.2.0"), NULL or "" a top-level function import. An import
 * binds to the definition of the same name, or else of the same interface at a
 * semver-compatible version (0.2.3 binds to 0.2.0 or 0.2.12; 1.4 to 1.0; 0.0.x only
 * exactly), so several patch versions inside one component share one host. Owned by rt. */
weld_crt_linker *weld_crt_linker_new(weld_crt *rt);
weld_status weld_crt_linker_func(weld_crt_linker *l, const char *instance, const char *name,
                                 weld_crt_host_fn fn, void *ctx);
weld_status weld_crt_linker_resource(weld_crt_linker *l, const char *instance, const char *name,
                                     weld_crt_resource_type *t);
/* Provide an instance of another component as the import `instance` (all its exports). */
weld_status weld_crt_linker_instance(weld_crt_linker *l, const char *instance,
                                     weld_crt_instance *provider);

/* ---- instances and calls ----------------------------------------------------------- */

/* Instantiate: bind every import through the linker (NULL: no imports), build the core
 * and component instances, the canonical trampolines and resource tables, run start
 * functions. Missing imports fail with WELD_ERR_LINK before anything runs, the message
 * listing each one in WIT terms; a trap in a start function is WELD_ERR_TRAP. */
weld_status weld_crt_instantiate(weld_crt *rt, weld_crt_component *c, weld_crt_linker *l,
                                 weld_crt_instance **out, weld_diag *d);
/* An exported function: "greet" (top level), "ns:pkg/iface@1.0.0#name" or "iface#name"
 * (a function of an exported instance). NULL when there is none. */
weld_crt_func *weld_crt_instance_func(weld_crt_instance *i, const char *name);
/* The function's type (kind WELD_TK_FUNC). */
const weld_tnode *weld_crt_func_type(const weld_crt_func *f);

/* Call a component function with host values. nargs must match the type; *result is
 * written when the function has a result (owned by the caller: weld_cval_free). A trap
 * (in core code or a Canonical ABI rule) is WELD_ERR_TRAP with the message in d and the
 * frames in weld_crt_backtrace(). */
weld_status weld_crt_call(weld_crt *rt, weld_crt_func *f, const weld_cval *args, uint32_t nargs,
                          weld_cval *result, weld_diag *d);
const char *weld_crt_backtrace(const weld_crt *rt);

/* Drop an own handle the host received (runs the resource's destructor). */
weld_status weld_crt_resource_drop(weld_crt *rt, const weld_cval *own, weld_diag *d);

#ifdef __cplusplus
}
#endif
#endif
