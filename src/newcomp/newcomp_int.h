/* newcomp_int.h - what the parts of src/newcomp share. */
#ifndef WELD_NEWCOMP_INT_H
#define WELD_NEWCOMP_INT_H

#include "weld/module.h"
#include "weld/newcomp.h"

/* One section of a core module, as framed in its bytes. */
typedef struct nc_section {
    uint8_t id;
    const uint8_t *raw;   /* from the id byte to the end of the payload */
    size_t raw_len;
    const char *name;     /* custom sections: the name (not NUL-terminated) */
    uint32_t name_len;
    const uint8_t *body;  /* the payload (after the name for custom sections) */
    size_t body_len;
    uint64_t offset;      /* of the id byte */
} nc_section;

typedef weld_status (*nc_section_fn)(const nc_section *s, void *ud, weld_diag *d);

/* Calls fn for every section of the core module `core`, in order. */
weld_status nc_sections(const uint8_t *core, size_t len, nc_section_fn fn, void *ud, weld_diag *d);

/* "component-type" or "component-type:..." */
bool nc_is_component_type_name(const char *name, uint32_t len);

#define NC_TRY(x) do { weld_status nc_st_ = (x); if (nc_st_ != WELD_OK) return nc_st_; } while (0)

/* The adapter module `m` trimmed to the function exports named in keep[] (and what they
 * reach), with the stack allocator injected; with synth_realloc, its import of the main
 * module's cabi_realloc replaced by a memory.grow allocator. *out malloc'd. */
struct weld_module;
weld_status nc_adapter_trim(weld_arena *a, const struct weld_module *m, const char *const *keep, uint32_t nkeep,
                            bool synth_realloc, uint8_t **out, size_t *out_len, weld_diag *d);

/* `m` with a cabi_realloc of weld's own added and exported (a bump allocator over pages
 * from memory.grow); *out malloc'd. */
weld_status nc_add_realloc(weld_arena *a, const struct weld_module *m, uint8_t **out, size_t *out_len, weld_diag *d);

/* `e` with every function index rewritten through map[0..nmap) (an index past it is an
 * error; with prefix_call >= 0, a call to that function put first), into arena memory. */
struct weld_expr;
weld_status nc_rewrite_funcs(weld_arena *a, const struct weld_expr *e, const uint32_t *map, uint32_t nmap, int64_t prefix_call,
                             struct weld_expr *out, weld_diag *d);

/* When `m` imports the same function (module and name) more than once, as Go's wasip1
 * port does, `m` with each such import kept once (the first) and every function index
 * rewritten, in *out (malloc'd; its name section dropped), *changed set; otherwise
 * *changed false and nothing written. The same name imported with two different
 * types is an error. */
weld_status nc_dedup_imports(weld_arena *a, const struct weld_module *m, uint64_t import_off, bool *changed,
                             uint8_t **out, size_t *out_len, weld_diag *d);

#endif
