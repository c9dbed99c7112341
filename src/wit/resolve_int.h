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

#endif
