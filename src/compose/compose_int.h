/* compose_int.h - the composer's graph, shared by the files of src/compose. */
#ifndef WELD_COMPOSE_INT_H
#define WELD_COMPOSE_INT_H

#include "compose/scope.h"
#include "weld/compose.h"
#include "weld/ctypes.h"

/* A component definition. */
typedef struct cdef {
    char *name, *path;
    uint8_t *data;   /* owned copy (malloc) */
    size_t len;
    weld_component *tree;
    const cs_spaces *sp;     /* index spaces with each entry's origin (for the encoder) */
    weld_ctypes *model;      /* its component type model (for type checks) */
    const weld_tnode *as_instance; /* its exports as an instance type, once needed */
    uint32_t nimports, nexports;
    const weld_cimport **imports;
    const weld_cexport **exports;
    weld_compose_pos pos;
    bool used;
    const char *import_name;  /* imported under this name instead of embedded (NULL: embedded,
                               * unless the options import every definition) */
} cdef;

/* How one import of an instance is satisfied. */
enum { BIND_NONE, BIND_EDGE, BIND_OUTER };
typedef struct binding {
    uint8_t kind;
    bool explicit_arg;
    uint32_t from;            /* BIND_EDGE: the instance */
    const char *export_name;  /* BIND_EDGE: its export, NULL for the whole instance */
    uint8_t export_sort;
    uint32_t outer;           /* BIND_OUTER: index into composer.outer */
    weld_compose_pos pos;
    bool deferred;            /* BIND_EDGE: the types differ only in resource identities that
                               * come through other imports; the composed component's
                               * validation decides */
} binding;

typedef struct inode {
    char *name;
    uint32_t def;
    binding *args;            /* one per import of the definition */
    weld_compose_pos pos;
    uint8_t mark;             /* cycle detection */
} inode;

typedef struct cexport_req {
    uint32_t inst;
    char *export_name;        /* NULL: the whole instance */
    char *as;
    uint8_t sort;
    weld_compose_pos pos;
} cexport_req;

/* One instance's view of an import (which import of which instance). */
typedef struct import_view {
    uint32_t inst, import;
} import_view;

/* An import of the composed component (merged by name). */
typedef struct outer_import {
    const char *name;
    uint8_t sort;
    uint32_t inst, import;    /* the instance whose view of it is imported, and which import */
    bool deferred;            /* merged with another view whose agreement only the composed
                               * component's validation can decide */
    uint32_t other;           /* that other instance */
    import_view *views;       /* instance imports: further views whose exports the import's
                               * type adds (the union of what the importers use) */
    uint32_t nviews, capviews;
} outer_import;

struct weld_composer {
    weld_arena *arena;
    cs_cache *cache;
    char spec_file[256];
    cdef *defs;
    uint32_t ndefs, capdefs;
    inode *insts;
    uint32_t ninsts, capinsts;
    cexport_req *exports;
    uint32_t nexports, capexports;
    outer_import *outer;
    uint32_t nouter, capouter;
    uint32_t *order;          /* instances in dependency order, after link */
    bool linked;
    weld_buf explain;
};

/* Grow an arena array of `size`-byte items to hold one more. */
bool compose_grow(weld_arena *a, void **items, uint32_t n, uint32_t *cap, size_t size);
/* A diagnostic at a spec position (or without one). */
weld_status compose_fail(const weld_composer *c, weld_diag *d, weld_status st, weld_compose_pos pos,
                         const char *fmt, ...) WELD_PRINTF(5, 6);
/* The sort byte of an import of a definition. */
uint8_t compose_import_sort(const weld_cimport *im);

#endif
