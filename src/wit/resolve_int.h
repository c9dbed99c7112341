/* resolve_int.h - internal to src/wit: what resolve.c and pkgset.c share. */
#ifndef WELD_WIT_RESOLVE_INT_H
#define WELD_WIT_RESOLVE_INT_H

#include "wit/ast.h"

/* One package to resolve: its name and the files (or nested blocks) that make it up. */
typedef struct wit_pkgunit {
    const wit_pkgname *name;
    const char *docs;
    const wit_file **files;
    uint32_t nfiles, capfiles;
    /* packages this one names in `use`/import/include paths (for ordering) */
    const wit_usepath **deps;
    uint32_t ndeps, capdeps;
    uint32_t state; /* 0 new, 1 visiting, 2 done */
} wit_pkgunit;

/* Resolve one package whose dependencies are already in r. */
weld_status wit_resolve_package(weld_wit_resolve *r, const wit_srcmap *map, const wit_pkgunit *u,
                                uint32_t *pkg_out, weld_diag *d);

/* Give by-value resource references of the package's types and functions their
 * anonymous own-handle types (handles.c). */
weld_status wit_own_handles(weld_wit_resolve *r, uint32_t pkg, uint32_t first_type, uint32_t first_iface,
                            uint32_t first_world, weld_diag *d);

/* Helpers the printer, JSON and comparison share. */
uint32_t wit_resource_of(const weld_wit_resolve *r, uint32_t tid);
uint32_t wit_type_iface_dep(const weld_wit_resolve *r, uint32_t tid);
uint32_t wit_new_type(weld_wit_resolve *r);

/* ---- resolver state (resolve.c) ---- */
enum { LK_TYPE, LK_FUNC, LK_EXCLUDED };
typedef struct lookup_ent {
    const char *name;
    int kind;
    uint32_t id;
} lookup_ent;
typedef struct lookup {
    lookup_ent *v;
    uint32_t n, cap;
} lookup;

typedef struct pfile {
    uint32_t index;
    const wit_use **uses; /* top-level `use` */
    uint32_t nuses;
} pfile;

typedef struct pitem {
    const wit_id *name;
    uint32_t file;
    bool is_world, excluded;
    int state;
    uint32_t id;
    const wit_iface *iface;
    const wit_world *world;
} pitem;

typedef struct rctx {
    weld_wit_resolve *r;
    const wit_srcmap *map;
    weld_diag *d;
    uint32_t pkg;
    char pkgname[300];
    pfile *files;
    uint32_t nfiles;
    pitem *items;
    uint32_t nitems;
    uint32_t *order;
    lookup *lk;
    const weld_wit_stability *cur_stab; /* the gate of the type definition being resolved */
    uint32_t *anon;
    uint32_t nanon, cap_anon;
} rctx;

/* ---- shared between resolve.c, world.c and elaborate.c ---- */
/* Return the status of x when it is not WELD_OK. */
#define TRY(x) do { weld_status st_ = (x); if (st_ != WELD_OK) return st_; } while (0)

typedef struct item_list {
    weld_wit_world_item *v;
    uint32_t n, cap;
} item_list;

weld_status wit_nomem(rctx *c);
/* An error at a global offset, status WELD_ERR_INVALID. */
weld_status wit_err_at(rctx *c, uint32_t at, uint32_t span, const char *fmt, ...) WELD_PRINTF(4, 5);
const char *wit_pkg_label(rctx *c, uint32_t pkg, char *buf, size_t cap);
/* The gate of some attributes; whether an item with that gate is kept. */
weld_status wit_stability_of(rctx *c, const wit_attrs *a, weld_wit_stability *s);
weld_status wit_keep(rctx *c, const weld_wit_stability *s, uint32_t at, bool *out);
uint32_t wit_attrs_at(const wit_attrs *a, uint32_t dflt);
uint32_t wit_new_interface(weld_wit_resolve *r);
uint32_t wit_new_world(weld_wit_resolve *r);
lookup_ent *wit_lookup_find(lookup *lk, const char *name);
weld_status wit_lookup_define(rctx *c, lookup *lk, const wit_id *id, int kind, uint32_t tid);
int wit_find_named(const weld_wit_named *v, uint32_t n, const char *name);
/* A path used in file `file` to an interface (or world) index. */
weld_status wit_resolve_path(rctx *c, uint32_t file, const wit_usepath *p, bool want_world, uint32_t *out);
/* `use`s and type definitions of an interface or world, into c->lk and the resolve. */
weld_status wit_define_types(rctx *c, weld_wit_owner_kind ok, uint32_t owner, uint32_t file, const wit_use **uses,
                             uint32_t nuses, const wit_typedef **defs, uint32_t ndefs);
weld_status wit_resolve_func(rctx *c, const wit_func *f, const char *name, const wit_id *at, weld_wit_func_kind kind,
                             uint32_t resource,
                             const wit_docs *docs, const wit_attrs *attrs, weld_wit_func *out);
/* The functions of a resource definition, each handed to `push`. */
weld_status wit_resource_funcs(rctx *c, const wit_typedef *td,
                               weld_status (*push)(rctx *, weld_wit_func *, const wit_id *, void *), void *arg);
weld_status wit_resolve_interface(rctx *c, uint32_t id, uint32_t file, const wit_iface *ast);
/* The item of a list with this key (a name, or an interface when name is NULL). */
weld_wit_world_item *wit_find_key(weld_wit_world_item *v, uint32_t n, const char *name, uint32_t iface);
weld_wit_world_item *wit_list_push(rctx *c, item_list *l);
/* Elaborate world `wid` in place (elaborate.c). */
weld_status wit_elaborate(rctx *c, uint32_t wid, uint32_t at);
/* Resolve a world of the package being resolved, includes first (world.c). */
weld_status wit_ensure_world(rctx *c, pitem *it);

#endif
