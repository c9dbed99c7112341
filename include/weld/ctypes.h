/* ctypes.h - the component type model: every index space of a component resolved to
 * type nodes, and the type equality and subtyping the component model uses.
 *
 * Usage:
 *
 *     weld_component *c;              // from weld_component_read()
 *     weld_ctypes *m;
 *     weld_diag d;
 *     if (weld_ctypes_build(c, NULL, &m, &d)) { ... d says why (offset, message) ... }
 *     const weld_tnode *self = weld_ctypes_self(m);      // kind WELD_TK_COMPONENT
 *     for (uint32_t i = 0; i < self->u.ext.nimports; i++) {
 *         const weld_textern *imp = &self->u.ext.imports[i];
 *         // imp->name, imp->sort (WELD_EXT_*), imp->type (a node), imp->index
 *     }
 *     const weld_tnode *f = weld_ctypes_get(m, WELD_TS_FUNC, 3);  // func 3's type
 *     char why[512];
 *     if (!weld_textern_subtype(&found, &expected, why, sizeof why)) { ... why ... }
 *     weld_ctypes_free(m);
 *
 * A model is built from a decoded component (the component must outlive it: names point
 * into its tree) and owns every node in one arena. Building checks what it must to give
 * every index a type (index bounds, sorts, alias targets, instantiation arguments, canon
 * definitions): an ill-typed component fails with a diagnostic, never a half-built model.
 *
 * Nodes are immutable and shared. Value types are structural: two distinct nodes may be
 * equal (weld_tnode_equal). Resource types are nominal: two resource nodes denote the same
 * resource only if they are the same pointer. A resource node's `scope` says which
 * component or instance type binds it abstractly (an import or export of `(sub resource)`
 * inside that type); NULL for the concrete resources of the modelled component (defined
 * by it, imported by it, or exported by one of its instances). Importing an instance or
 * instantiating a component gives its bound resources fresh identities, as the component
 * model demands (two imports of one instance type have distinct resources).
 */
#ifndef WELD_CTYPES_H
#define WELD_CTYPES_H

#include "weld/component.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Node kinds. */
typedef enum weld_tkind {
    WELD_TK_PRIM = 1,   /* u.prim: WELD_CV_* (bool .. string, error-context) */
    WELD_TK_RECORD,     /* u.record */
    WELD_TK_VARIANT,    /* u.variant (a case's type may be NULL) */
    WELD_TK_LIST,       /* u.list (len 0) */
    WELD_TK_FIXED_LIST, /* u.list (len > 0) */
    WELD_TK_TUPLE,      /* u.tuple */
    WELD_TK_FLAGS,      /* u.labels */
    WELD_TK_ENUM,       /* u.labels */
    WELD_TK_OPTION,     /* u.option */
    WELD_TK_RESULT,     /* u.result (ok, err may be NULL) */
    WELD_TK_OWN,        /* u.handle: a WELD_TK_RESOURCE node */
    WELD_TK_BORROW,     /* u.handle */
    WELD_TK_STREAM,     /* u.elem (may be NULL) */
    WELD_TK_FUTURE,     /* u.elem (may be NULL) */
    WELD_TK_MAP,        /* u.map */
    WELD_TK_FUNC,       /* u.func: a component function type */
    WELD_TK_COMPONENT,  /* u.ext: imports and exports */
    WELD_TK_INSTANCE,   /* u.ext: exports (nimports 0) */
    WELD_TK_RESOURCE,   /* u.resource */
    WELD_TK_CORE_FUNC,  /* u.core.func: a core function type */
    WELD_TK_CORE_TABLE, /* u.core.ext */
    WELD_TK_CORE_MEMORY,/* u.core.ext */
    WELD_TK_CORE_GLOBAL,/* u.core.ext */
    WELD_TK_CORE_TAG,   /* u.core.func: the tag's function type */
    WELD_TK_CORE_MODULE,/* u.core_module: imports and exports */
    WELD_TK_CORE_INSTANCE /* u.core_module: exports only (nimports 0) */
} weld_tkind;

typedef struct weld_tnode weld_tnode;

/* A named value type: a record field, a function parameter, a variant case (type NULL
 * for a case without payload). */
typedef struct weld_tfield {
    weld_str name;
    const weld_tnode *type;
} weld_tfield;

/* An import or export of a component type, an instance type or the modelled component.
 * `sort` is WELD_EXT_* (MODULE: a core module; FUNC, VALUE, TYPE, COMPONENT, INSTANCE).
 * For sort TYPE, `type` is the type itself (a resource node for `(sub resource)`); for
 * VALUE, the value's type. `index` is the item's index in its sort's index space of the
 * modelled component (for weld_ctypes_self's imports and exports), else UINT32_MAX. */
typedef struct weld_textern {
    weld_str name;
    uint8_t sort;
    const weld_tnode *type;
    uint32_t index;
} weld_textern;

/* An import or export of a core module type, an export of a core instance type. `type`
 * is a WELD_TK_CORE_FUNC/TABLE/MEMORY/GLOBAL/TAG node. `module` is empty for exports. */
typedef struct weld_tcore_extern {
    weld_str module, name;
    const weld_tnode *type;
} weld_tcore_extern;

/* weld_tnode.flags */
enum {
    WELD_TF_BORROW = 1,   /* a borrow handle occurs in the type (value and function types) */
    WELD_TF_RESOURCE = 2  /* a resource occurs in the type (substitution skips it otherwise) */
};

struct weld_tnode {
    uint8_t kind; /* weld_tkind */
    /* wasmparser's accounting of the type: `size` its effective size (the nodes a walk
     * over it would visit, shared parts counted every time, under 1000000 in a valid
     * component), `depth` its structural nesting (1 for a leaf; saturates at 65535),
     * `flags` WELD_TF_*. Set by the model for every node it makes. */
    uint8_t flags;
    uint16_t depth;
    uint32_t size;
    /* A type imported or exported with an `eq` bound (or exported without ascription) is
     * a distinct node, a new name for the same structure: `alias_of` is the type it names
     * (NULL otherwise). Resources are never copied: an `eq` of a resource is the resource. */
    const weld_tnode *alias_of;
    union {
        uint8_t prim;
        struct {
            uint32_t count;
            const weld_tfield *fields;
        } record;
        struct {
            uint32_t count;
            const weld_tfield *cases;
        } variant;
        struct {
            const weld_tnode *elem;
            uint32_t len; /* FIXED_LIST: its length; LIST: 0 */
        } list;
        struct {
            uint32_t count;
            const weld_tnode *const *types;
        } tuple;
        struct {
            uint32_t count;
            const weld_str *names;
        } labels;
        const weld_tnode *option;
        struct {
            const weld_tnode *ok, *err;
        } result;
        const weld_tnode *handle;
        const weld_tnode *elem;
        struct {
            const weld_tnode *key, *value;
        } map;
        struct {
            uint32_t nparams;
            const weld_tfield *params;
            const weld_tnode *result; /* NULL: no result */
            bool async;
        } func;
        struct {
            uint32_t nimports, nexports;
            const weld_textern *imports, *exports;
        } ext;
        struct {
            /* the name of the import or export that introduced it ("" if none) */
            weld_str name;
            /* the component or instance type binding it abstractly; NULL if concrete */
            const weld_tnode *scope;
            /* a resource defined by a component's type section: its representation and
             * destructor (a core func index of that component) */
            bool defined, has_dtor;
            weld_valtype rep;
            uint32_t dtor;
        } resource;
        union {
            const weld_functype *func;  /* CORE_FUNC, CORE_TAG */
            weld_externtype ext;        /* CORE_TABLE, CORE_MEMORY, CORE_GLOBAL */
        } core;
        struct {
            uint32_t nimports, nexports;
            const weld_tcore_extern *imports, *exports;
        } core_module;
    } u;
};

/* Index spaces. */
typedef enum weld_tspace {
    WELD_TS_CORE_FUNC,
    WELD_TS_CORE_TABLE,
    WELD_TS_CORE_MEMORY,
    WELD_TS_CORE_GLOBAL,
    WELD_TS_CORE_TAG,
    WELD_TS_CORE_TYPE,
    WELD_TS_CORE_MODULE,
    WELD_TS_CORE_INSTANCE,
    WELD_TS_FUNC,
    WELD_TS_VALUE,
    WELD_TS_TYPE,
    WELD_TS_COMPONENT,
    WELD_TS_INSTANCE,
    WELD_TS_COUNT
} weld_tspace;

/* The index space of a sort; -1 for an unknown sort. */
int weld_tspace_of(weld_sort sort);
/* "core func", "func", "type", ... */
const char *weld_tspace_name(int space);
/* "record", "own", "core module", ... */
const char *weld_tkind_name(int kind);

typedef struct weld_ctypes weld_ctypes;

typedef struct weld_ctypes_opts {
    /* Also check the rules that do not affect typing (names, kebab-case, canon options,
     * value use, ...) and validate nested core modules: what weld_validate_component
     * does. Off: only what building the model needs. */
    bool validate;
    /* With validate: leave the function bodies of nested core modules to the caller, who
     * validates them itself (the component runtime compiles each module with the validator
     * and would otherwise walk every body twice). */
    bool skip_module_bodies;
    /* With gate_features: refuse what `features` (WELD_FEAT_* of weld/validate.h) leaves
     * out, with wasmparser's message. Off: everything weld implements is accepted. */
    bool gate_features;
    uint64_t features;
} weld_ctypes_opts;

/* Build the model of component c (opts may be NULL). *out is freed by weld_ctypes_free.
 * On failure d holds the byte offset (within the outermost input) and the reason. */
weld_status weld_ctypes_build(const weld_component *c, const weld_ctypes_opts *opts,
                              weld_ctypes **out, weld_diag *d);
void weld_ctypes_free(weld_ctypes *m);

/* The component's own type: its imports and exports (kind WELD_TK_COMPONENT), each with
 * `index` set to the item's index in its sort's space. */
const weld_tnode *weld_ctypes_self(const weld_ctypes *m);

/* The size of an index space of the outermost component, and the type of one of its
 * entries (NULL when out of range). Entries: core func/tag -> CORE_FUNC/CORE_TAG node;
 * core table/memory/global -> the matching CORE_* node; core type -> CORE_FUNC or
 * CORE_MODULE; core module -> CORE_MODULE; core instance -> CORE_INSTANCE; func -> FUNC;
 * value -> its value type; type -> the type (any kind; a RESOURCE node for resources);
 * component -> COMPONENT; instance -> INSTANCE. */
uint32_t weld_ctypes_count(const weld_ctypes *m, int space);
const weld_tnode *weld_ctypes_get(const weld_ctypes *m, int space, uint32_t index);

/* The same for a component nested at any depth in the modelled one (c is its node in the
 * tree), as seen from inside it; c may also be the modelled component itself. Entries are
 * those of the nested component's own scope: its imported resources are its own concrete
 * nodes. 0 / NULL for a component the model does not know. */
uint32_t weld_ctypes_count_in(const weld_ctypes *m, const weld_component *c, int space);
const weld_tnode *weld_ctypes_get_in(const weld_ctypes *m, const weld_component *c, int space,
                                     uint32_t index);

/* The type with alias names followed (the node that carries the structure). */
const weld_tnode *weld_tnode_strip(const weld_tnode *t);

/* Is this node a value type (PRIM .. MAP)? */
bool weld_tnode_is_value(const weld_tnode *t);

/* Structural type equality (resources by identity). */
bool weld_tnode_equal(const weld_tnode *a, const weld_tnode *b);

/* Is `found` a subtype of `expected`, as the component model checks instantiation
 * arguments and imports? Component and instance types are compared by export name
 * (covariant) and import name (contravariant); resources that `expected` binds
 * abstractly are matched with `found`'s resources of the same name. On failure, when
 * why != NULL, writes an explanation in wasmparser's words, outermost context first
 * ("type mismatch with result type expected primitive `u32` found primitive `string`"). */
bool weld_tnode_subtype(const weld_tnode *found, const weld_tnode *expected, char *why,
                        size_t cap);
/* The same for two externs (sorts compared first; names are not compared). */
bool weld_textern_subtype(const weld_textern *found, const weld_textern *expected, char *why,
                          size_t cap);

/* A short description of a type for messages: `u32`, `option<string>`, `record`,
 * `own<r>`, `func(x: u32) -> string`, `instance`, `core func (i32) -> i64`. Returns the
 * length it would need (snprintf-like); buf is always NUL-terminated when cap > 0. */
size_t weld_tnode_describe(const weld_tnode *t, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
