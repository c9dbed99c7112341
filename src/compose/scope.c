/* scope.c - the component-level index spaces of a component with the origin of each
 * entry (see scope.h). */
#include "compose/scope.h"

enum { CACHE_BUCKETS = 256 };

typedef struct cache_ent {
    const void *key;
    cs_spaces *sp;
    struct cache_ent *next;
} cache_ent;

struct cs_cache {
    weld_arena *arena;
    cache_ent *buckets[CACHE_BUCKETS];
};

cs_cache *cs_cache_new(weld_arena *arena)
{
    cs_cache *c = weld_arena_alloc(arena, sizeof *c);
    if (c) c->arena = arena;
    return c;
}

static bool push(weld_arena *a, cs_space *s, uint8_t orig, const void *p, uint32_t x, uint32_t y,
                 weld_str name)
{
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 8;
        cs_entry *n = weld_arena_alloc(a, (size_t)cap * sizeof *n);
        if (!n) return false;
        if (s->n) memcpy(n, s->items, (size_t)s->n * sizeof *n);
        s->items = n;
        s->cap = cap;
    }
    s->items[s->n++] = (cs_entry){orig, p, x, y, name};
    return true;
}

static size_t hash_ptr(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    return (size_t)((v >> 4) ^ (v >> 12)) % CACHE_BUCKETS;
}

static cs_spaces *cache_find(cs_cache *c, const void *key)
{
    for (cache_ent *e = c->buckets[hash_ptr(key)]; e; e = e->next)
        if (e->key == key) return e->sp;
    return NULL;
}

static cs_spaces *cache_add(cs_cache *c, const void *key)
{
    cache_ent *e = weld_arena_alloc(c->arena, sizeof *e);
    cs_spaces *sp = weld_arena_alloc(c->arena, sizeof *sp);
    if (!e || !sp) return NULL;
    e->key = key;
    e->sp = sp;
    size_t h = hash_ptr(key);
    e->next = c->buckets[h];
    c->buckets[h] = e;
    return sp;
}

static const weld_str no_name = {"", 0};

const cs_spaces *cs_component_spaces(cs_cache *c, const weld_component *comp)
{
    cs_spaces *sp = cache_find(c, comp);
    if (sp) return sp;
    if (!(sp = cache_add(c, comp))) return NULL;
    weld_arena *a = c->arena;
    for (uint32_t i = 0; i < comp->nsections; i++) {
        const weld_csection *s = &comp->sections[i];
        for (uint32_t j = 0; j < s->count; j++) {
            bool ok = true;
            switch (s->id) {
            case WELD_CSEC_IMPORT: {
                const weld_cimport *im = &s->u.imports[j];
                uint8_t so = cs_ext_sort(im->type.kind);
                if (so) ok = push(a, &sp->s[so], ORIG_IMPORT, im, 0, 0, im->name.name);
                break;
            }
            case WELD_CSEC_TYPE:
                ok = push(a, &sp->s[WELD_SORT_TYPE], ORIG_DEF, s->u.types[j], 0, 0, no_name);
                break;
            case WELD_CSEC_ALIAS: {
                const weld_alias *al = &s->u.aliases[j];
                if (al->sort.sort == WELD_SORT_CORE || al->sort.sort > 5) break;
                if (al->tag == 0x02)
                    ok = push(a, &sp->s[al->sort.sort], ORIG_ALIAS_OUTER, al, al->instance, al->index,
                              no_name);
                else if (al->tag == 0x00)
                    ok = push(a, &sp->s[al->sort.sort], ORIG_ALIAS_EXPORT, al, al->instance, 0,
                              al->name);
                break;
            }
            case WELD_CSEC_CANON:
                if (s->u.canons[j].op == 0x00)
                    ok = push(a, &sp->s[WELD_SORT_FUNC], ORIG_LIFT, &s->u.canons[j], s->u.canons[j].b,
                              0, no_name);
                break;
            case WELD_CSEC_COMPONENT:
                ok = push(a, &sp->s[WELD_SORT_COMPONENT], ORIG_NESTED, s->u.component, 0, 0, no_name);
                break;
            case WELD_CSEC_INSTANCE:
                ok = push(a, &sp->s[WELD_SORT_INSTANCE], ORIG_INSTANTIATE, &s->u.instances[j], 0, 0,
                          no_name);
                break;
            case WELD_CSEC_EXPORT: {
                const weld_cexport *e = &s->u.exports[j];
                if (e->item.sort.sort != WELD_SORT_CORE && e->item.sort.sort <= 5)
                    ok = push(a, &sp->s[e->item.sort.sort], ORIG_EXPORT, e, 0, 0, e->name.name);
                break;
            }
            case WELD_CSEC_VALUE:
                ok = push(a, &sp->s[WELD_SORT_VALUE], ORIG_DEF, &s->u.values[j], 0, 0, no_name);
                break;
            default: break;
            }
            if (!ok) return NULL;
        }
    }
    return sp;
}
