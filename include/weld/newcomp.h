/* newcomp.h - core module to component: embed a WIT world into a core module (the
 * `component-type` custom section in wit-component's layout) and turn a core module
 * with such a section into a component (canon lift/lower of the world's functions
 * matched to the module's imports and exports by the component-model naming rules).
 */
#ifndef WELD_NEWCOMP_H
#define WELD_NEWCOMP_H

#include "weld/wit.h"

#ifdef __cplusplus
extern "C" {
#endif

/* String encodings, as wit-component numbers them in `wit-component-encoding`. */
typedef enum weld_strenc {
    WELD_STRENC_UTF8 = 0,
    WELD_STRENC_UTF16 = 1,
    WELD_STRENC_COMPACT_UTF16 = 2 /* latin1+utf16 */
} weld_strenc;

/* The payload of a `component-type` section for world `world` of `r`: a component with
 * the `wit-component-encoding` custom section, the world's type wrapped in a component
 * type exported under the world's name. *out is malloc'd. */
weld_status weld_embed_payload(const weld_wit_resolve *r, uint32_t world, weld_strenc enc,
                               uint8_t **out, size_t *out_len, weld_diag *d);

/* The core module `core` with any `component-type*` custom section replaced by one
 * `component-type` section describing world `world`. *out is malloc'd. */
weld_status weld_embed(const uint8_t *core, size_t len, const weld_wit_resolve *r, uint32_t world,
                       weld_strenc enc, uint8_t **out, size_t *out_len, weld_diag *d);

typedef struct weld_new_opts {
    bool skip_validation; /* do not validate the component built */
    /* A preview1 adapter to fuse (as wit-component's --adapt NAME=FILE): the module's
     * imports from `adapter_name` are served by the adapter's exports, the adapter's own
     * imports become the component's. Trimmed to the functions the module uses. */
    const char *adapter_name;
    const uint8_t *adapter;
    size_t adapter_len;
    /* When the module exports no cabi_realloc, add one of weld's own (a bump allocator
     * over pages from memory.grow) instead of failing where the ABI needs one. */
    bool synthesize_realloc;
    /* The adapter allocates its state and stack with memory.grow instead of calling the
     * module's cabi_realloc (wit-component's --realloc-via-memory-grow): for modules whose
     * cabi_realloc cannot run while their own initialization calls into the adapter (Go's
     * wasip1 reactors: a //go:wasmexport function called before _initialize returns
     * traps). */
    bool adapter_realloc_via_grow;
    /* A core function export that matches nothing the world exports is left out of the
     * component (as wit-component leaves it) instead of being an error. */
    bool ignore_extra_exports;
} weld_new_opts;

/* A component from a core module that carries a `component-type` section. The module's
 * imports and exports are matched to the world; diagnostics name the core item or the
 * world item left without a counterpart. The result is validated unless opts says not
 * to. *out is malloc'd. */
weld_status weld_new_component(const uint8_t *core, size_t len, const weld_new_opts *opts,
                               uint8_t **out, size_t *out_len, weld_diag *d);

#ifdef __cplusplus
}
#endif
#endif
