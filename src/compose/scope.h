/* scope.h - the component-level index spaces of a component (functions, values, types,
 * instances, components), each entry recording where it came from, and the rendering of a
 * type as WIT-like text through those spaces. The composer uses it to type-check edges
 * (by comparing renderings) and to copy import types into the composed component.
 * Internal to src/compose. */
#ifndef WELD_COMPOSE_SCOPE_H
#define WELD_COMPOSE_SCOPE_H

#include "base/base.h"
#include "weld/component.h"

/* Where an index-space entry comes from. */
enum {
    ORIG_DEF,          /* a type definition (p: weld_ctype) */
    ORIG_IMPORT,       /* an import (p: weld_cimport), or an import declaration */
    ORIG_ALIAS_EXPORT, /* alias of an instance export (a: instance, name) */
    ORIG_ALIAS_OUTER,  /* outer alias (a: count, b: index) */
    ORIG_EXPORT,       /* an export (p: weld_cexport) re-adds its item */
    ORIG_DECL_EXPORT,  /* an export declaration in an instance or component type (p: weld_cextern) */
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

/* A resolution context: spaces plus what they hang off.
 *  - parent: the lexically enclosing context (outer aliases count through it);
 *  - inst/argctx: when this component was instantiated, the instantiation whose arguments
 *    bind its imports, resolved in argctx. */
typedef struct cs_ctx cs_ctx;
struct cs_ctx {
    const cs_spaces *sp;
    const cs_ctx *parent;
    const weld_instance *inst;
    const cs_ctx *argctx;
    const weld_component *comp; /* NULL for a type declaration body */
};

/* A cache of built spaces, keyed by component or type definition, in one arena. */
typedef struct cs_cache cs_cache;
cs_cache *cs_cache_new(weld_arena *arena);
const cs_spaces *cs_component_spaces(cs_cache *c, const weld_component *comp);
const cs_spaces *cs_decl_spaces(cs_cache *c, const weld_ctype *t);

/* One export of an instance as the composer sees it: its name, sort and type rendering. */
typedef struct cs_item {
    weld_str name;
    uint8_t sort;
    const char *type; /* WIT-like text ("func(s: string) -> string") */
} cs_item;

/* The exports of the instance `idx` of ctx (kind "instance"), or of the instance type
 * `type_idx`; returns false when they cannot be determined (message in *why). */
bool cs_instance_items(cs_cache *c, const cs_ctx *ctx, uint32_t idx, cs_item **items,
                       uint32_t *n, char *why, size_t whylen);
bool cs_instance_type_items(cs_cache *c, const cs_ctx *ctx, uint32_t type_idx, cs_item **items,
                            uint32_t *n, char *why, size_t whylen);
/* The type of an item (sort, index) of ctx, rendered; NULL when it cannot be determined. */
const char *cs_item_type(cs_cache *c, const cs_ctx *ctx, uint8_t sort, uint32_t idx);
/* The type of an extern description (an import's type) in ctx, rendered. */
const char *cs_extern_type(cs_cache *c, const cs_ctx *ctx, const weld_cextern *e);

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
