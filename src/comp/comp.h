/* comp.h - internals of the component type model shared by its files: node
 * construction, resource substitution, and the subtype checker's context. */
#ifndef WELD_COMP_H
#define WELD_COMP_H

#include "base/base.h"
#include "weld/ctypes.h"

/* A growable pointer vector on the heap (index spaces grow one entry at a time). */
typedef struct tvec {
    const weld_tnode **v;
    uint32_t n, cap;
} tvec;
bool tvec_push(tvec *v, const weld_tnode *t);
void tvec_free(tvec *v);

/* A pointer-to-pointer map (open addressing), for resource substitution and memos. */
typedef struct pmap {
    const void **keys;
    const void **vals;
    uint32_t n, cap;
} pmap;
const void *pmap_get(const pmap *m, const void *key);
bool pmap_put(pmap *m, const void *key, const void *val);
void pmap_free(pmap *m);

/* wasmparser's limits on types (0.263): effective size (validator.rs combine_type_sizes) and
 * structural nesting (MAX_WASM_COMPONENT_TYPE_DEPTH, checked by TypeInfo::combine). */
enum { CTYPES_MAX_TYPE_SIZE = 1000000, CTYPES_MAX_TYPE_DEPTH = 100 };

/* Start t's accounting as a leaf (size 1, depth 1, flags of its own kind). */
void tinfo_leaf(weld_tnode *t);
/* Account child c (NULL: nothing) into t as wasmparser's TypeInfo::combine does: sizes add,
 * depth is the deepest child's plus one, flags are or-ed. TINFO_DEPTH when the depth goes
 * over CTYPES_MAX_TYPE_DEPTH ("type nesting is too deep"), TINFO_SIZE when the size
 * reaches CTYPES_MAX_TYPE_SIZE ("effective type size exceeds the limit of 1000000"). */
enum { TINFO_OK, TINFO_DEPTH, TINFO_SIZE };
int tinfo_combine(weld_tnode *t, const weld_tnode *c);
/* Set t's size, depth and flags from its children (every child already accounted). */
int tinfo_node(weld_tnode *t);

/* Copy `t` with every resource that `map` maps replaced (nodes without any return as
 * they are). NULL on allocation failure. */
const weld_tnode *ctypes_subst(weld_arena *a, const pmap *map, pmap *memo,
                               const weld_tnode *t);

/* Copy `t` giving every resource it reaches that `scope` binds a new identity bound by
 * `new_scope` (NULL: concrete), recorded in `map` (resources already in `map` are
 * replaced by their entry), in one pass over the distinct nodes; `memo` (old node -> copy)
 * may be shared by passes with the same map. NULL on allocation failure. */
const weld_tnode *ctypes_refresh(weld_arena *a, pmap *map, pmap *memo, const weld_tnode *t,
                                 const weld_tnode *scope, const weld_tnode *new_scope);

/* The subtype checker with an explicit resource binding map: resources bound by
 * `bind_scope` on the expected side are bound to found's resources as met. */
typedef struct subcx {
    pmap map;               /* expected resource -> found resource */
    const weld_tnode *bind_expected, *bind_found;
    char *why;
    size_t cap;
} subcx;
bool ctypes_subtype_ext(subcx *cx, uint8_t fsort, const weld_tnode *found, uint8_t esort,
                        const weld_tnode *expected);
bool ctypes_subtype_node(subcx *cx, const weld_tnode *found, const weld_tnode *expected);
/* Core extern types (core instantiation): module-style subtyping of func/table/memory/
 * global/tag nodes. */
bool ctypes_core_subtype(const weld_tnode *found, const weld_tnode *expected, char *why,
                         size_t cap);
bool ctypes_functype_equal(const weld_functype *a, const weld_functype *b);
/* "(func (param i32) (result i64))" */
size_t ctypes_functype_text(const weld_functype *f, char *buf, size_t cap);
/* "func", "table", ... for core extern nodes; "func", "type" ... for WELD_EXT_* sorts */
const char *ctypes_core_desc(const weld_tnode *t);
const char *ctypes_sort_desc(uint8_t sort);
/* printf into why (prefixing existing context is done by the caller via why_wrap) */
void why_set(char *why, size_t cap, const char *fmt, ...) WELD_PRINTF(3, 4);
/* Prefix `ctx ` to the message already in why. */
void why_wrap(char *why, size_t cap, const char *fmt, ...) WELD_PRINTF(3, 4);

#endif
