/* scope.h - the component-level index spaces of a component (functions, values, types,
 * instances, components), each entry recording where it came from (a definition, an
 * import, an alias, an instantiation...). The encoder follows origins to copy an import's
 * type and what it depends on into the composed component; `weld graph` follows them to
 * recover a composition from a binary. Types themselves are the component type model's
 * business (weld/ctypes.h). Internal to src/compose. */
#ifndef WELD_COMPOSE_SCOPE_H
#define WELD_COMPOSE_SCOPE_H

#include "base/base.h"
#include "weld/component.h"

/* Where an index-space entry comes from. */
enum {
    ORIG_DEF,          /* a type definition (p: weld_ctype) */
    ORIG_IMPORT,       /* an import (p: weld_cimport) */
    ORIG_ALIAS_EXPORT, /* alias of an instance export (a: instance, name) */
    ORIG_ALIAS_OUTER,  /* outer alias (a: count, b: index) */
    ORIG_EXPORT,       /* an export (p: weld_cexport) re-adds its item */
    ORIG_INSTANTIATE,  /* an instance (p: weld_instance, kind 0 or 1) */
    ORIG_NESTED,       /* a nested component (p: weld_component) */
    ORIG_LIFT          /* canon lift (a: the function type) */
};

typedef struct cs_entry {
    uint8_t orig;
    const void *p;
    uint32_t a, b;
    weld_str name;
} cs_entry;

typedef struct cs_space {
    cs_entry *items;
    uint32_t n, cap;
} cs_space;

/* The spaces of one component or one type declaration body, indexed by the sort byte
 * (1 func, 2 value, 3 type, 4 component, 5 instance). */
typedef struct cs_spaces {
    cs_space s[6];
} cs_spaces;

/* A cache of built spaces, keyed by component, in one arena. */
typedef struct cs_cache cs_cache;
cs_cache *cs_cache_new(weld_arena *arena);
const cs_spaces *cs_component_spaces(cs_cache *c, const weld_component *comp);

/* The entry `idx` of the sort's space, or NULL when out of range. */
static inline const cs_entry *cs_get(const cs_spaces *sp, uint8_t sort, uint32_t idx)
{
    if (sort > 5 || idx >= sp->s[sort].n) return NULL;
    return &sp->s[sort].items[idx];
}

/* The sort byte of an extern kind (WELD_EXT_*), 0 for core modules. */
static inline uint8_t cs_ext_sort(uint8_t kind)
{
    return kind == WELD_EXT_MODULE ? 0 : kind;
}

#endif
