/* wit.h - the WIT front end: parse WIT packages, resolve them into one graph, print them
 * back as canonical WIT, and dump them as JSON.
 *
 * A resolve holds every package, interface, world and type in flat arrays that refer to
 * each other by index, in dependency order (a package comes after the packages it uses,
 * a type after the types it refers to). Everything is owned by the arena passed to
 * weld_wit_resolve_new; nothing needs freeing on its own.
 */
#ifndef WELD_WIT_H
#define WELD_WIT_H

#include "weld/weld.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- type references -----------------------------------------------------------------
 * A weld_wit_tref is either 0 (no type), a primitive below WELD_WIT_T_ID, or
 * WELD_WIT_T_ID + index into resolve->types. */
typedef uint32_t weld_wit_tref;
enum {
    WELD_WIT_T_NONE = 0,
    WELD_WIT_T_BOOL, WELD_WIT_T_S8, WELD_WIT_T_U8, WELD_WIT_T_S16, WELD_WIT_T_U16,
    WELD_WIT_T_S32, WELD_WIT_T_U32, WELD_WIT_T_S64, WELD_WIT_T_U64, WELD_WIT_T_F32,
    WELD_WIT_T_F64, WELD_WIT_T_CHAR, WELD_WIT_T_STRING, WELD_WIT_T_ERROR_CONTEXT,
    WELD_WIT_T_ID = 32
};
#define WELD_WIT_IS_ID(t) ((t) >= WELD_WIT_T_ID)
#define WELD_WIT_ID(t) ((uint32_t)(t) - WELD_WIT_T_ID)
#define WELD_WIT_TREF(id) ((weld_wit_tref)(id) + WELD_WIT_T_ID)

/* The WIT spelling of a primitive ("u32"), NULL for ids and none. */
const char *weld_wit_prim_name(weld_wit_tref t);

typedef enum weld_wit_kind {
    WELD_WIT_RECORD, WELD_WIT_RESOURCE, WELD_WIT_OWN, WELD_WIT_BORROW, WELD_WIT_FLAGS,
    WELD_WIT_TUPLE, WELD_WIT_VARIANT, WELD_WIT_ENUM, WELD_WIT_OPTION, WELD_WIT_RESULT,
    WELD_WIT_LIST, WELD_WIT_FIXED_LIST, WELD_WIT_MAP, WELD_WIT_FUTURE, WELD_WIT_STREAM,
    WELD_WIT_ALIAS, WELD_WIT_UNKNOWN
} weld_wit_kind;

/* Feature gates: @since / @unstable, each optionally with @deprecated. */
typedef enum { WELD_WIT_STAB_UNKNOWN, WELD_WIT_STAB_STABLE, WELD_WIT_STAB_UNSTABLE } weld_wit_stab_kind;
typedef struct weld_wit_stability {
    weld_wit_stab_kind kind;
    const char *since;      /* STABLE: the version */
    const char *feature;    /* UNSTABLE: the feature name */
    const char *deprecated; /* version, or NULL */
} weld_wit_stability;

/* A record field, variant/enum case, flag, or tuple member (name NULL). */
typedef struct weld_wit_field {
    const char *name;
    const char *docs; /* NULL when none */
    weld_wit_tref type; /* 0 for enum cases, flags and payload-less variant cases */
} weld_wit_field;

typedef enum { WELD_WIT_OWNER_NONE, WELD_WIT_OWNER_INTERFACE, WELD_WIT_OWNER_WORLD } weld_wit_owner_kind;

typedef struct weld_wit_typedef {
    const char *name; /* NULL for anonymous types (list<u8>, option<T>, ...) */
    weld_wit_kind kind;
    weld_wit_owner_kind owner_kind;
    uint32_t owner;
    const char *docs;
    weld_wit_stability stability;
    /* payload, by kind: ALIAS/LIST/OPTION/FUTURE/STREAM: a (0 = none for future/stream);
     * RESULT: a = ok, b = err; MAP: a = key, b = value; FIXED_LIST: a, n; OWN/BORROW: a is
     * the resource (an id tref); RECORD/VARIANT/ENUM/FLAGS/TUPLE: fields. */
    weld_wit_tref a, b;
    uint32_t n;
    uint32_t nfields;
    weld_wit_field *fields;
} weld_wit_typedef;

typedef enum weld_wit_func_kind {
    WELD_WIT_FUNC_FREESTANDING, WELD_WIT_FUNC_METHOD, WELD_WIT_FUNC_STATIC,
    WELD_WIT_FUNC_CONSTRUCTOR
} weld_wit_func_kind;

typedef struct weld_wit_func {
    const char *name; /* "f", "[method]r.m", "[static]r.s", "[constructor]r" */
    weld_wit_func_kind kind;
    bool is_async;
    uint32_t resource; /* type index of the resource, for methods/statics/constructors */
    uint32_t nparams;
    weld_wit_field *params; /* methods start with `self: borrow<r>` */
    weld_wit_tref result;   /* 0 when none */
    const char *docs;
    weld_wit_stability stability;
} weld_wit_func;

typedef struct weld_wit_named {
    const char *name;
    uint32_t id;
} weld_wit_named;

typedef struct weld_wit_interface {
    const char *name; /* NULL for a world's inline `import x: interface { ... }` */
    const char *docs;
    weld_wit_stability stability;
    uint32_t package; /* UINT32_MAX when not yet attached */
    uint32_t ntypes, nfuncs;
    weld_wit_named *types; /* name -> type index, in definition order */
    weld_wit_func *funcs;
} weld_wit_interface;

typedef enum { WELD_WIT_ITEM_INTERFACE, WELD_WIT_ITEM_FUNC, WELD_WIT_ITEM_TYPE } weld_wit_item_kind;

/* One import or export of a world. Its key is a plain name (`name` set) or an interface
 * (`name` NULL, keyed by the interface `id`). */
typedef struct weld_wit_world_item {
    const char *name;
    weld_wit_item_kind kind;
    uint32_t id; /* interface or type index */
    weld_wit_func func; /* for ITEM_FUNC */
    const char *docs;   /* docs on the import/export statement of an interface */
    weld_wit_stability stability;
} weld_wit_world_item;

typedef struct weld_wit_world {
    const char *name;
    const char *docs;
    weld_wit_stability stability;
    uint32_t package;
    uint32_t nimports, nexports;
    weld_wit_world_item *imports, *exports;
} weld_wit_world;

typedef struct weld_wit_package {
    const char *ns, *name, *version; /* version NULL when none */
    const char *docs;
    uint32_t ninterfaces, nworlds;
    weld_wit_named *interfaces, *worlds;
} weld_wit_package;

typedef struct weld_wit_resolve {
    weld_arena *arena;
    uint32_t npackages, ninterfaces, nworlds, ntypes;
    weld_wit_package *packages;
    weld_wit_interface *interfaces;
    weld_wit_world *worlds;
    weld_wit_typedef *types;
    uint32_t cap_packages, cap_interfaces, cap_worlds, cap_types;
    /* features opened for @unstable gates: a comma-separated list, or all */
    const char *features;
    bool all_features;
} weld_wit_resolve;

/* An empty resolve owned by `arena`; NULL on exhaustion. Set `features` (comma list) or
 * `all_features` before adding packages to keep @unstable items of those features. */
weld_wit_resolve *weld_wit_resolve_new(weld_arena *arena);

/* Parse and resolve one source text (a `.wit` file, possibly with several nested
 * `package ... { }` blocks) and add its packages. `name` labels diagnostics. The first
 * top-level package becomes *main (may be NULL). Packages it uses must be present already
 * or be defined in the same text. */
weld_status weld_wit_add_source(weld_wit_resolve *r, const char *name, const char *text,
                                size_t len, uint32_t *main, weld_diag *d);

/* Add a path: a `.wit` file, or a directory whose `.wit` files form one package and whose
 * `deps/` holds its dependencies (directories or single files, recursively). Sets *main to
 * the package of the path. On a syntax error, *src_out (if non-NULL) receives the text of
 * the file the diagnostic points into (arena-owned) so that a caller can show the line. */
weld_status weld_wit_add_path(weld_wit_resolve *r, const char *path, uint32_t *main,
                              const char **src_out, size_t *src_len, weld_diag *d);

/* Find a world by name ("w", "ns:pkg/w", "ns:pkg/w@1.0.0"); `main` is the package
 * searched for a plain name. Returns WELD_OK and sets *world. */
weld_status weld_wit_select_world(const weld_wit_resolve *r, uint32_t main, const char *spec,
                                  uint32_t *world, weld_diag *d);

/* Print package `pkg` as canonical WIT (the `wasm-tools component wit` layout), followed
 * by the packages `nested[0..nnested)` as `package ns:name { ... }` blocks. Appends a
 * malloc'd NUL-terminated text to *out (free with free()). */
weld_status weld_wit_print(const weld_wit_resolve *r, uint32_t pkg, const uint32_t *nested,
                           uint32_t nnested, char **out, size_t *out_len, weld_diag *d);

/* Print one world alone, inside a `package` header of its package. */
weld_status weld_wit_print_world(const weld_wit_resolve *r, uint32_t world, char **out,
                                 size_t *out_len, weld_diag *d);

/* The resolve as JSON in wit-parser's layout (worlds, interfaces, types, packages arrays
 * referring to each other by index). malloc'd text, free with free(). */
weld_status weld_wit_to_json(const weld_wit_resolve *r, char **out, size_t *out_len,
                             weld_diag *d);

/* True when two resolves describe the same packages, interfaces, worlds and types (same
 * structure, names, docs and gates; items matched by name, anonymous types by
 * structure). On a difference
 * writes a short description into why (if non-NULL). */
bool weld_wit_resolve_equal(const weld_wit_resolve *a, const weld_wit_resolve *b, char *why,
                            size_t why_cap);

/* Encode package `pkg` as a component, the binary form WIT packages travel in (that of
 * wit-component and `wasm-tools component wit --wasm`): one exported component type per
 * interface and world, docs and gates in the `package-docs` custom section. *out is
 * malloc'd (free with free()). */
weld_status weld_wit_encode(const weld_wit_resolve *r, uint32_t pkg, uint8_t **out, size_t *out_len,
                            weld_diag *d);

/* The component type of world `world` (its imports, then its exports), as a component
 * with that world would declare it; allocated in `arena`. */
struct weld_ctype;
weld_status weld_wit_world_ctype(const weld_wit_resolve *r, uint32_t world, weld_arena *arena,
                                 const struct weld_ctype **out, weld_diag *d);

/* Decode a component into `r`: a WIT package encoded as a component (as weld_wit_encode
 * writes it; *is_pkg set) adds that package and the parts of the packages it uses that it
 * mentions; an ordinary component adds its world as world `root` of package
 * `root:component` (as wit-component names it). *main receives the package. */
weld_status weld_wit_decode(weld_wit_resolve *r, const uint8_t *data, size_t len, uint32_t *main,
                            bool *is_pkg, weld_diag *d);

/* "ns:name@version" of a package into buf. */
size_t weld_wit_package_id(const weld_wit_package *p, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
