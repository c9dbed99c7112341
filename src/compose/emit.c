/* emit.c - encoding a linked composition as one component: the imports that stay (with the
 * types they need copied from the components that import them), the embedded component
 * definitions, their instantiations in dependency order, aliases, exports and a
 * component-name section; then the result is validated (validate_output, with the
 * component type model). */
#include "compose/compose_int.h"
#include "weld/wit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct item {
    uint8_t sec;
    union {
        const weld_ctype *type;
        weld_cimport imp;
        weld_alias alias;
        const weld_component *comp;
        weld_instance inst;
        weld_cexport exp;
        weld_custom custom;
    } u;
} item;

enum { UNMAPPED = UINT32_MAX, IN_PROGRESS = UINT32_MAX - 1 };

typedef struct alias_memo {
    uint32_t inst;
    const char *name;
    uint8_t sort;
    uint32_t index;
} alias_memo;

typedef struct emitter {
    weld_composer *c;
    weld_arena *a;
    item *items;
    uint32_t nitems, capitems;
    uint32_t count[6];
    uint32_t **tmap;        /* per instance: its definition's type index -> outer type index */
    uint32_t *outer_idx;    /* per outer import: its index in its sort */
    uint32_t *inst_idx;     /* per instance: the outer instance index */
    uint32_t *comp_idx;     /* per definition: the outer component index */
    alias_memo *aliases;
    uint32_t naliases, capaliases;
    uint32_t *alias_hash;   /* open addressing over `aliases` (index + 1; 0 empty) */
    uint32_t alias_hash_cap;
    weld_diag *d;
    weld_status st;
} emitter;

static bool failed(emitter *E)
{
    return E->st != WELD_OK;
}

static void efail(emitter *E, weld_status st, const char *fmt, ...) WELD_PRINTF(3, 4);
static void efail(emitter *E, weld_status st, const char *fmt, ...)
{
    if (E->st) return;
    E->st = st;
    if (!E->d) return;
    va_list ap;
    va_start(ap, fmt);
    weld_diag_vset(E->d, st, WELD_NO_OFFSET, fmt, ap);
    va_end(ap);
}

static item *push_item(emitter *E, uint8_t sec)
{
    if (!compose_grow(E->a, (void **)&E->items, E->nitems, &E->capitems, sizeof *E->items)) {
        efail(E, WELD_ERR_NOMEM, "out of memory while encoding the composition");
        return NULL;
    }
    item *it = &E->items[E->nitems++];
    memset(it, 0, sizeof *it);
    it->sec = sec;
    return it;
}

static weld_str str_of(emitter *E, const char *s)
{
    size_t n = strlen(s);
    char *p = weld_arena_strndup(E->a, s, n);
    if (!p) efail(E, WELD_ERR_NOMEM, "out of memory while encoding the composition");
    return (weld_str){p ? p : "", p ? (uint32_t)n : 0};
}

static uint64_t hash_alias(uint32_t inst, const char *name, uint8_t sort)
{
    uint64_t h = 1469598103934665603ull ^ inst ^ ((uint64_t)sort << 32);
    for (const char *p = name; *p; p++) h = (h ^ (uint8_t)*p) * 1099511628211ull;
    return h;
}

static bool alias_hash_grow(emitter *E)
{
    uint32_t cap = E->alias_hash_cap ? E->alias_hash_cap * 2 : 64;
    uint32_t *h = weld_arena_alloc(E->a, (size_t)cap * sizeof *h);
    if (!h) return false;
    for (uint32_t i = 0; i < E->naliases; i++) {
        const alias_memo *m = &E->aliases[i];
        uint64_t k = hash_alias(m->inst, m->name, m->sort) & (cap - 1);
        while (h[k]) k = (k + 1) & (cap - 1);
        h[k] = i + 1;
    }
    E->alias_hash = h;
    E->alias_hash_cap = cap;
    return true;
}

/* The outer index of export `name` (sort) of outer instance `inst`, aliased once. */
static uint32_t alias_export(emitter *E, uint32_t inst, const char *name, uint8_t sort)
{
    if (failed(E)) return 0;
    uint64_t hv = hash_alias(inst, name, sort);
    if (E->alias_hash_cap) {
        for (uint64_t k = hv & (E->alias_hash_cap - 1); E->alias_hash[k];
             k = (k + 1) & (E->alias_hash_cap - 1)) {
            const alias_memo *m = &E->aliases[E->alias_hash[k] - 1];
            if (m->inst == inst && m->sort == sort && strcmp(m->name, name) == 0) return m->index;
        }
    }
    item *it = push_item(E, WELD_CSEC_ALIAS);
    if (!it) return 0;
    it->u.alias.sort.sort = sort;
    it->u.alias.tag = 0x00;
    it->u.alias.instance = inst;
    it->u.alias.name = str_of(E, name);
    uint32_t idx = E->count[sort]++;
    if (!compose_grow(E->a, (void **)&E->aliases, E->naliases, &E->capaliases, sizeof *E->aliases) ||
        ((E->naliases + 1) * 2 > E->alias_hash_cap && !alias_hash_grow(E))) {
        efail(E, WELD_ERR_NOMEM, "out of memory while encoding the composition");
        return 0;
    }
    E->aliases[E->naliases++] = (alias_memo){inst, it->u.alias.name.ptr, sort, idx};
    uint64_t k = hv & (E->alias_hash_cap - 1);
    while (E->alias_hash[k]) k = (k + 1) & (E->alias_hash_cap - 1);
    E->alias_hash[k] = E->naliases;
    return idx;
}

static uint32_t copy_type(emitter *E, uint32_t node, uint32_t idx);
static uint32_t ensure_outer(emitter *E, uint32_t o);

/* How a type definition's indices are rewritten: `fn(E, ctx, index)` gives the new index. */
typedef uint32_t (*idx_map)(emitter *E, void *ctx, uint32_t idx);

static weld_cvaltype map_val(emitter *E, idx_map fn, void *ctx, weld_cvaltype v)
{
    if (!v.prim) v.index = fn(E, ctx, v.index);
    return v;
}

/* A copy of the defined (non-declarator) type `t` with each type index it refers to
 * rewritten by `fn`. `path` names the component in errors. */
static const weld_ctype *map_def(emitter *E, const weld_ctype *t, idx_map fn, void *ctx,
                                 const char *path)
{
    weld_ctype *nt = weld_arena_alloc(E->a, sizeof *nt);
    if (!nt) {
        efail(E, WELD_ERR_NOMEM, "out of memory while encoding the composition");
        return NULL;
    }
    *nt = *t;
    switch (t->kind) {
    case WELD_CT_RECORD: {
        weld_cfield *f = weld_arena_alloc(E->a, (t->u.record.count + 1) * sizeof *f);
        if (!f) break;
        for (uint32_t i = 0; i < t->u.record.count; i++) {
            f[i] = t->u.record.fields[i];
            f[i].type = map_val(E, fn, ctx, f[i].type);
        }
        nt->u.record.fields = f;
        return nt;
    }
    case WELD_CT_VARIANT: {
        weld_ccase *cs = weld_arena_alloc(E->a, (t->u.variant.count + 1) * sizeof *cs);
        if (!cs) break;
        for (uint32_t i = 0; i < t->u.variant.count; i++) {
            cs[i] = t->u.variant.cases[i];
            if (cs[i].has_type) cs[i].type = map_val(E, fn, ctx, cs[i].type);
        }
        nt->u.variant.cases = cs;
        return nt;
    }
    case WELD_CT_LIST:
    case WELD_CT_FIXED_LIST: nt->u.list.elem = map_val(E, fn, ctx, t->u.list.elem); return nt;
    case WELD_CT_TUPLE: {
        weld_cvaltype *ts = weld_arena_alloc(E->a, (t->u.tuple.count + 1) * sizeof *ts);
        if (!ts) break;
        for (uint32_t i = 0; i < t->u.tuple.count; i++) ts[i] = map_val(E, fn, ctx, t->u.tuple.types[i]);
        nt->u.tuple.types = ts;
        return nt;
    }
    case WELD_CT_OPTION: nt->u.option = map_val(E, fn, ctx, t->u.option); return nt;
    case WELD_CT_RESULT:
        if (t->u.result.has_ok) nt->u.result.ok = map_val(E, fn, ctx, t->u.result.ok);
        if (t->u.result.has_err) nt->u.result.err = map_val(E, fn, ctx, t->u.result.err);
        return nt;
    case WELD_CT_OWN:
    case WELD_CT_BORROW: nt->u.handle = fn(E, ctx, t->u.handle); return nt;
    case WELD_CT_STREAM:
    case WELD_CT_FUTURE:
        if (t->u.async_value.has_elem) nt->u.async_value.elem = map_val(E, fn, ctx, t->u.async_value.elem);
        return nt;
    case WELD_CT_MAP:
        nt->u.map.key = map_val(E, fn, ctx, t->u.map.key);
        nt->u.map.value = map_val(E, fn, ctx, t->u.map.value);
        return nt;
    case WELD_CT_FUNC:
    case WELD_CT_FUNC_ASYNC: {
        weld_cfield *f = weld_arena_alloc(E->a, (t->u.func.nparams + 1) * sizeof *f);
        if (!f) break;
        for (uint32_t i = 0; i < t->u.func.nparams; i++) {
            f[i] = t->u.func.params[i];
            f[i].type = map_val(E, fn, ctx, f[i].type);
        }
        nt->u.func.params = f;
        if (t->u.func.has_result) nt->u.func.result = map_val(E, fn, ctx, t->u.func.result);
        return nt;
    }
    case WELD_CT_RESOURCE:
        efail(E, WELD_ERR_UNSUPPORTED, "component %s: an import's type uses a resource the "
              "component defines itself; it cannot become an import of the composition", path);
        return NULL;
    default: return nt; /* primitives, flags, enums: no indices */
    }
    efail(E, WELD_ERR_NOMEM, "out of memory while encoding the composition");
    return NULL;
}

static uint32_t copy_type_of(emitter *E, void *node, uint32_t idx)
{
    return copy_type(E, *(uint32_t *)node, idx);
}

/* A copy of type definition `t` of instance `node`'s component for the outer component.
 * `level` counts the declaration scopes between t and the component (0: t is in the
 * component's type space); outer aliases that leave the component are remapped. */
static const weld_ctype *clone_def(emitter *E, uint32_t node, const weld_ctype *t, uint32_t level)
{
    const cdef *k = &E->c->defs[E->c->insts[node].def];
    if (t->kind == WELD_CT_INSTANCE || t->kind == WELD_CT_COMPONENT) {
        uint32_t n = t->u.decls.count;
        weld_cdecl *decls = weld_arena_alloc(E->a, (n ? n : 1) * sizeof *decls);
        weld_ctype *nt = weld_arena_alloc(E->a, sizeof *nt);
        if (!decls || !nt) {
            efail(E, WELD_ERR_NOMEM, "out of memory while encoding the composition");
            return NULL;
        }
        *nt = *t;
        for (uint32_t i = 0; i < n; i++) {
            decls[i] = t->u.decls.decls[i];
            weld_cdecl *dc = &decls[i];
            if (dc->kind == WELD_DECL_ALIAS && dc->u.alias.tag == 0x02) {
                uint32_t count = dc->u.alias.instance;
                if (count > level + 1) {
                    efail(E, WELD_ERR_MALFORMED, "component %s: an outer alias leaves the component",
                          k->path);
                    return NULL;
                }
                if (count == level + 1) {
                    if (dc->u.alias.sort.sort != WELD_SORT_TYPE) {
                        efail(E, WELD_ERR_UNSUPPORTED, "component %s: an import type aliases a "
                              "non-type item of the component (weld copies only types)", k->path);
                        return NULL;
                    }
                    dc->u.alias.index = copy_type(E, node, dc->u.alias.index);
                }
            } else if (dc->kind == WELD_DECL_TYPE &&
                       (dc->u.type->kind == WELD_CT_INSTANCE || dc->u.type->kind == WELD_CT_COMPONENT)) {
                dc->u.type = clone_def(E, node, dc->u.type, level + 1);
                if (!dc->u.type) return NULL;
            }
        }
        nt->u.decls.decls = decls;
        return nt;
    }
    if (level > 0) return t; /* its indices are local to the declaration scope */
    return map_def(E, t, copy_type_of, &node, k->path);
}

/* Which import of a definition `p` (a weld_cimport) is; UINT32_MAX if none. */
static uint32_t import_index(const cdef *k, const void *p)
{
    for (uint32_t j = 0; j < k->nimports; j++)
        if (k->imports[j] == p) return j;
    return UINT32_MAX;
}

/* The outer index of an import of instance `node` that the composition imports. */
static uint32_t outer_of_import(emitter *E, uint32_t node, uint32_t j, const char *why)
{
    const inode *n = &E->c->insts[node];
    const cdef *k = &E->c->defs[n->def];
    if (n->args[j].kind == BIND_OUTER) return ensure_outer(E, n->args[j].outer);
    efail(E, WELD_ERR_UNSUPPORTED,
          "import `%s` of instance `%s` (component %s) uses %s of its import `%s`, which the "
          "composition satisfies with instance `%s`; weld copies import types only from imports "
          "the composition keeps", why, n->name, k->path, why, k->imports[j]->name.name.ptr,
          E->c->insts[n->args[j].from].name);
    return 0;
}

static uint32_t copy_type(emitter *E, uint32_t node, uint32_t idx)
{
    if (failed(E)) return 0;
    const cdef *k = &E->c->defs[E->c->insts[node].def];
    uint32_t ntypes = k->sp->s[WELD_SORT_TYPE].n;
    if (idx >= ntypes) {
        efail(E, WELD_ERR_MALFORMED, "component %s: type index %u out of range", k->path, idx);
        return 0;
    }
    if (!E->tmap[node]) {
        E->tmap[node] = weld_arena_alloc(E->a, (size_t)ntypes * sizeof **E->tmap);
        if (!E->tmap[node]) {
            efail(E, WELD_ERR_NOMEM, "out of memory while encoding the composition");
            return 0;
        }
        for (uint32_t i = 0; i < ntypes; i++) E->tmap[node][i] = UNMAPPED;
    }
    uint32_t *slot = &E->tmap[node][idx];
    if (*slot == IN_PROGRESS) {
        efail(E, WELD_ERR_MALFORMED, "component %s: type %u refers to itself", k->path, idx);
        return 0;
    }
    if (*slot != UNMAPPED) return *slot;
    *slot = IN_PROGRESS;
    const cs_entry *e = cs_get(k->sp, WELD_SORT_TYPE, idx);
    uint32_t out = 0;
    switch (e->orig) {
    case ORIG_DEF: {
        const weld_ctype *t = clone_def(E, node, e->p, 0);
        item *it = t ? push_item(E, WELD_CSEC_TYPE) : NULL;
        if (!it) break;
        it->u.type = t;
        out = E->count[WELD_SORT_TYPE]++;
        break;
    }
    case ORIG_ALIAS_EXPORT: {
        const cs_entry *ie = cs_get(k->sp, WELD_SORT_INSTANCE, e->a);
        uint32_t j = ie && ie->orig == ORIG_IMPORT ? import_index(k, ie->p) : UINT32_MAX;
        if (j == UINT32_MAX) {
            efail(E, WELD_ERR_UNSUPPORTED, "component %s: an import's type is aliased from an "
                  "instance the component creates itself", k->path);
            break;
        }
        uint32_t oi = outer_of_import(E, node, j, "a type");
        if (!failed(E)) out = alias_export(E, oi, e->name.ptr, WELD_SORT_TYPE);
        break;
    }
    case ORIG_IMPORT: {
        uint32_t j = import_index(k, e->p);
        if (j != UINT32_MAX) out = outer_of_import(E, node, j, "the imported type");
        break;
    }
    default:
        efail(E, WELD_ERR_UNSUPPORTED, "component %s: an import's type %u is an export or an "
              "outer alias, which weld does not copy", k->path, idx);
        break;
    }
    *slot = failed(E) ? UNMAPPED : out;
    return out;
}

/* Does declaration `dc` of an instance type add an entry to its type index space? */
static bool decl_makes_type(const weld_cdecl *dc)
{
    return dc->kind == WELD_DECL_TYPE ||
           (dc->kind == WELD_DECL_ALIAS && dc->u.alias.sort.sort == WELD_SORT_TYPE &&
            !dc->u.alias.sort.core) ||
           (dc->kind == WELD_DECL_EXPORT && dc->u.ext.type.kind == WELD_EXT_TYPE);
}

typedef struct local_map {
    uint32_t *map;
    uint32_t n;
    const char *path;
} local_map;

static uint32_t local_of(emitter *E, void *ctx, uint32_t idx)
{
    local_map *m = ctx;
    if (idx >= m->n) {
        efail(E, WELD_ERR_MALFORMED, "component %s: an instance type refers to its type %u "
              "before defining it", m->path, idx);
        return 0;
    }
    return m->map[idx];
}

/* The instance type of view `v` of a merged import, copied for the outer component. */
static const weld_ctype *view_type(emitter *E, uint32_t inst, uint32_t imp)
{
    const cdef *k = &E->c->defs[E->c->insts[inst].def];
    const weld_cimport *im = k->imports[imp];
    const cs_entry *e = cs_get(k->sp, WELD_SORT_TYPE, im->type.index);
    if (!e || e->orig != ORIG_DEF || ((const weld_ctype *)e->p)->kind != WELD_CT_INSTANCE) {
        efail(E, WELD_ERR_UNSUPPORTED, "import `%s` of component %s: merging its views needs an "
              "instance type defined in the component itself", im->name.name.ptr, k->path);
        return NULL;
    }
    return clone_def(E, inst, e->p, 0);
}

/* The union of the instance types of an import's views: the first view's declarations,
 * then each further view's exports the type so far lacks, with the types they need (an
 * export both have is the same item: a resource keeps one identity). Order: the first
 * view's, then additions in the order each view declares them. */
static const weld_ctype *union_type(emitter *E, const outer_import *x)
{
    const weld_ctype *ta = view_type(E, x->inst, x->import);
    if (!ta) return NULL;
    uint32_t cap = ta->u.decls.count;
    for (uint32_t v = 0; v < x->nviews; v++) {
        const cdef *k = &E->c->defs[E->c->insts[x->views[v].inst].def];
        const cs_entry *e = cs_get(k->sp, WELD_SORT_TYPE, k->imports[x->views[v].import]->type.index);
        if (e && e->orig == ORIG_DEF) cap += ((const weld_ctype *)e->p)->u.decls.count;
    }
    weld_cdecl *decls = weld_arena_alloc(E->a, (cap + 1) * sizeof *decls);
    weld_ctype *nt = weld_arena_alloc(E->a, sizeof *nt);
    if (!decls || !nt) {
        efail(E, WELD_ERR_NOMEM, "out of memory while encoding the composition");
        return NULL;
    }
    uint32_t nd = 0, ntypes = 0;
    for (uint32_t i = 0; i < ta->u.decls.count; i++) {
        decls[nd++] = ta->u.decls.decls[i];
        ntypes += decl_makes_type(&ta->u.decls.decls[i]);
    }
    for (uint32_t v = 0; v < x->nviews && !failed(E); v++) {
        const cdef *k = &E->c->defs[E->c->insts[x->views[v].inst].def];
        const weld_ctype *tb = view_type(E, x->views[v].inst, x->views[v].import);
        if (!tb) return NULL;
        local_map m = {weld_arena_alloc(E->a, (tb->u.decls.count + 1) * sizeof *m.map), 0, k->path};
        if (!m.map) {
            efail(E, WELD_ERR_NOMEM, "out of memory while encoding the composition");
            return NULL;
        }
        for (uint32_t i = 0; i < tb->u.decls.count && !failed(E); i++) {
            weld_cdecl dc = tb->u.decls.decls[i];
            if (dc.kind == WELD_DECL_TYPE) {
                if (dc.u.type->kind == WELD_CT_INSTANCE || dc.u.type->kind == WELD_CT_COMPONENT) {
                    efail(E, WELD_ERR_UNSUPPORTED, "import `%s` of component %s: merging views "
                          "whose instance types nest instance or component types is not "
                          "supported", x->name, k->path);
                    return NULL;
                }
                dc.u.type = map_def(E, dc.u.type, local_of, &m, k->path);
                if (!dc.u.type) return NULL;
                decls[nd++] = dc;
                m.map[m.n++] = ntypes++;
            } else if (dc.kind == WELD_DECL_ALIAS) {
                if (!decl_makes_type(&dc)) continue;
                /* an outer alias (already in the outer space): reuse an identical one */
                uint32_t found = UINT32_MAX, t = 0;
                for (uint32_t j = 0; j < nd && found == UINT32_MAX; j++) {
                    if (decls[j].kind == WELD_DECL_ALIAS && decl_makes_type(&decls[j]) &&
                        decls[j].u.alias.tag == dc.u.alias.tag &&
                        decls[j].u.alias.instance == dc.u.alias.instance &&
                        decls[j].u.alias.index == dc.u.alias.index)
                        found = t;
                    t += decl_makes_type(&decls[j]);
                }
                if (found == UINT32_MAX) {
                    decls[nd++] = dc;
                    found = ntypes++;
                }
                m.map[m.n++] = found;
            } else if (dc.kind == WELD_DECL_EXPORT) {
                /* the same export in the union so far: the same item */
                uint32_t found = UINT32_MAX, t = 0;
                bool have = false;
                for (uint32_t j = 0; j < nd && !have; j++) {
                    if (decls[j].kind == WELD_DECL_EXPORT &&
                        strcmp(decls[j].u.ext.name.name.ptr, dc.u.ext.name.name.ptr) == 0) {
                        have = true;
                        if (decl_makes_type(&decls[j])) found = t;
                    }
                    t += decl_makes_type(&decls[j]);
                }
                if (have) {
                    if (decl_makes_type(&dc)) m.map[m.n++] = found;
                    continue;
                }
                switch (dc.u.ext.type.kind) {
                case WELD_EXT_FUNC:
                case WELD_EXT_INSTANCE:
                case WELD_EXT_COMPONENT:
                    dc.u.ext.type.index = local_of(E, &m, dc.u.ext.type.index);
                    break;
                case WELD_EXT_TYPE:
                    if (dc.u.ext.type.bound == 0x00)
                        dc.u.ext.type.index = local_of(E, &m, dc.u.ext.type.index);
                    break;
                case WELD_EXT_VALUE:
                    dc.u.ext.type.val = map_val(E, local_of, &m, dc.u.ext.type.val);
                    break;
                default:
                    efail(E, WELD_ERR_UNSUPPORTED, "import `%s` of component %s: merging views "
                          "that export core modules is not supported", x->name, k->path);
                    return NULL;
                }
                decls[nd++] = dc;
                if (decl_makes_type(&dc)) m.map[m.n++] = ntypes++;
            } else {
                efail(E, WELD_ERR_UNSUPPORTED, "import `%s` of component %s: merging views whose "
                      "instance types declare core types is not supported", x->name, k->path);
                return NULL;
            }
        }
    }
    *nt = *ta;
    nt->u.decls.decls = decls;
    nt->u.decls.count = nd;
    return failed(E) ? NULL : nt;
}

static uint32_t ensure_outer(emitter *E, uint32_t o)
{
    if (failed(E)) return 0;
    if (E->outer_idx[o] == IN_PROGRESS) {
        efail(E, WELD_ERR_MALFORMED, "the type of import `%s` refers to the import itself",
              E->c->outer[o].name);
        return 0;
    }
    if (E->outer_idx[o] != UNMAPPED) return E->outer_idx[o];
    E->outer_idx[o] = IN_PROGRESS;
    const outer_import *x = &E->c->outer[o];
    const cdef *k = &E->c->defs[E->c->insts[x->inst].def];
    weld_cimport im = *k->imports[x->import];
    if (x->nviews && im.type.kind == WELD_EXT_INSTANCE) {
        const weld_ctype *t = union_type(E, x);
        item *ti = t ? push_item(E, WELD_CSEC_TYPE) : NULL;
        if (ti) {
            ti->u.type = t;
            im.type.index = E->count[WELD_SORT_TYPE]++;
        }
    } else switch (im.type.kind) {
    case WELD_EXT_FUNC:
    case WELD_EXT_INSTANCE:
    case WELD_EXT_COMPONENT: im.type.index = copy_type(E, x->inst, im.type.index); break;
    case WELD_EXT_TYPE:
        if (im.type.bound == 0x00) im.type.index = copy_type(E, x->inst, im.type.index);
        break;
    case WELD_EXT_VALUE:
        if (!im.type.val.prim) im.type.val.index = copy_type(E, x->inst, im.type.val.index);
        break;
    default:
        efail(E, WELD_ERR_UNSUPPORTED, "import `%s` of component %s: core module imports are not "
              "composed", x->name, k->path);
        break;
    }
    item *it = failed(E) ? NULL : push_item(E, WELD_CSEC_IMPORT);
    if (!it) return 0;
    im.name.tag = 0x00;
    im.name.nattrs = 0;
    im.name.attrs = NULL;
    it->u.imp = im;
    uint8_t sort = cs_ext_sort(im.type.kind);
    E->outer_idx[o] = E->count[sort]++;
    return E->outer_idx[o];
}

/* ---- the name section ---------------------------------------------------------------------- */

static void put_sortnames(weld_buf *b, uint8_t sort, const char *const *names, uint32_t n)
{
    uint32_t named = 0;
    for (uint32_t i = 0; i < n; i++) named += names[i] && names[i][0];
    if (!named) return;
    weld_buf_byte(b, 0x01);
    size_t pos = weld_buf_size_begin(b);
    weld_buf_byte(b, sort);
    weld_buf_u32leb(b, named);
    for (uint32_t i = 0; i < n; i++) {
        if (!names[i] || !names[i][0]) continue;
        weld_buf_u32leb(b, i);
        weld_buf_name(b, names[i], strlen(names[i]));
    }
    weld_buf_size_end(b, pos);
}

/* ---- validation (one place) ---------------------------------------------------------------- */

/* Validate the encoded composition with the component type model in its validating mode
 * (weld_ctypes_build with `validate`: every index, alias, instantiation argument against
 * the nested component's imports, canonical definition, and every nested core module). */
static weld_status validate_output(const weld_composer *c, const uint8_t *bytes, size_t len,
                                   weld_diag *d)
{
    weld_arena *a = weld_arena_new();
    if (!a) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    weld_component *cc;
    weld_component_read_opts ro = {0};
    weld_diag vd;
    weld_diag_init(&vd, d ? d->file : NULL);
    weld_status st = weld_component_read(a, bytes, len, &ro, &cc, &vd);
    weld_ctypes *m = NULL;
    weld_ctypes_opts vo = {.validate = true};
    if (st == WELD_OK) st = weld_ctypes_build(cc, &vo, &m, &vd);
    if (st != WELD_OK && d) {
        /* name the merges only this validation could decide */
        char merged[400] = "";
        size_t l = 0;
        for (uint32_t o = 0; o < c->nouter && l < sizeof merged - 1; o++)
            if (c->outer[o].deferred)
                l += (size_t)snprintf(merged + l, sizeof merged - l, "%s`%s` (instances `%s` and `%s`)",
                                      l ? ", " : "", c->outer[o].name, c->insts[c->outer[o].inst].name,
                                      c->insts[c->outer[o].other].name);
        char edges[400] = "";
        l = 0;
        for (uint32_t i = 0; i < c->ninsts && l < sizeof edges - 1; i++) {
            const cdef *k = &c->defs[c->insts[i].def];
            for (uint32_t j = 0; j < k->nimports && l < sizeof edges - 1; j++)
                if (c->insts[i].args[j].kind == BIND_EDGE && c->insts[i].args[j].deferred)
                    l += (size_t)snprintf(edges + l, sizeof edges - l, "%simport `%s` of instance `%s`",
                                          l ? ", " : "", k->imports[j]->name.name.ptr, c->insts[i].name);
        }
        char at[48] = "";
        if (vd.offset != WELD_NO_OFFSET)
            snprintf(at, sizeof at, " (at its offset 0x%llx)", (unsigned long long)vd.offset);
        weld_diag_set(d, st == WELD_ERR_NOMEM ? st : WELD_ERR_INVALID, WELD_NO_OFFSET,
                      "the composed component does not validate%s: %s%s%s%s%s", at, vd.message,
                      merged[0] ? "; imports merged from differing views: " : "", merged,
                      edges[0] ? "; edges whose resources only this validation could match: " : "",
                      edges);
        st = d->status;
    }
    weld_ctypes_free(m);
    weld_arena_free(a);
    return st;
}

/* A definition's name as a plain kebab-case import name: lower-case letters and digits,
 * anything else a single `-` ("$input" -> "input", "My_Lib" -> "my-lib"); a word may not
 * start with a digit, so such a name gets a "component-" prefix. */
static const char *kebab_name(emitter *E, const char *name)
{
    size_t n = strlen(name);
    char *out = weld_arena_alloc(E->a, n + sizeof "component-");
    if (!out) return name;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) out[o++] = ch;
        else if (o && out[o - 1] != '-') out[o++] = '-';
    }
    while (o && out[o - 1] == '-') o--;
    out[o] = 0;
    if (!o || (out[0] >= '0' && out[0] <= '9')) {
        memmove(out + 10, out, o + 1);
        memcpy(out, "component-", 10);
        if (!o) out[9] = 0;
    }
    return out;
}

/* With import_dependencies (or a definition's own import name): the definition becomes an
 * import of a component, named after it (or by that import name), whose type is its world (decoded into WIT and written back as a component type, so
 * the type is self-contained). The caller counts the component index. */
static void import_definition(emitter *E, const cdef *k)
{
    weld_wit_resolve *r = weld_wit_resolve_new(E->a);
    if (!r) {
        efail(E, WELD_ERR_NOMEM, "out of memory");
        return;
    }
    uint32_t pkg = 0, world = 0;
    bool is_pkg = false;
    const weld_ctype *ct = NULL;
    weld_diag sub;
    weld_diag_init(&sub, k->path);
    if (weld_wit_decode(r, k->data, k->len, &pkg, &is_pkg, &sub) != WELD_OK ||
        weld_wit_select_world(r, pkg, "root", &world, &sub) != WELD_OK ||
        weld_wit_world_ctype(r, world, E->a, &ct, &sub) != WELD_OK) {
        efail(E, sub.status ? sub.status : WELD_ERR_INVALID,
              "component %s: its type cannot be written out for importing it: %s", k->path,
              sub.message);
        return;
    }
    item *it = push_item(E, WELD_CSEC_TYPE);
    if (!it) return;
    it->u.type = ct;
    uint32_t tidx = E->count[WELD_SORT_TYPE]++;
    it = push_item(E, WELD_CSEC_IMPORT);
    if (!it) return;
    memset(&it->u.imp, 0, sizeof it->u.imp);
    it->u.imp.name.name = str_of(E, k->import_name ? k->import_name : kebab_name(E, k->name));
    it->u.imp.type.kind = WELD_EXT_COMPONENT;
    it->u.imp.type.index = tidx;
}

/* ---- the encoder ------------------------------------------------------------------------------ */

weld_status weld_composer_encode(weld_composer *c, const weld_compose_opts *opts, uint8_t **out,
                                 size_t *out_len, weld_diag *d)
{
    weld_compose_opts none = {0};
    if (!opts) opts = &none;
    if (!c->linked)
        return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET,
                             "weld_composer_encode: link the composition first");
    weld_arena *a = weld_arena_new();
    if (!a) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    emitter E = {0};
    E.c = c;
    E.a = a;
    E.d = d;
    E.tmap = weld_arena_alloc(a, (c->ninsts + 1) * sizeof *E.tmap);
    E.outer_idx = weld_arena_alloc(a, (c->nouter + 1) * sizeof *E.outer_idx);
    E.inst_idx = weld_arena_alloc(a, (c->ninsts + 1) * sizeof *E.inst_idx);
    E.comp_idx = weld_arena_alloc(a, (c->ndefs + 1) * sizeof *E.comp_idx);
    if (!E.tmap || !E.outer_idx || !E.inst_idx || !E.comp_idx) {
        weld_arena_free(a);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    }
    for (uint32_t o = 0; o < c->nouter; o++) E.outer_idx[o] = UNMAPPED;
    /* 1. the imports that stay, each after the types it needs */
    for (uint32_t o = 0; o < c->nouter && !failed(&E); o++) ensure_outer(&E, o);
    /* 2. the component definitions, in the order they were given */
    const char **comp_names = weld_arena_alloc(a, (c->ndefs + 1) * sizeof *comp_names);
    const char **inst_names = weld_arena_alloc(a, (c->ninsts + 1) * sizeof *inst_names);
    if (!comp_names || !inst_names) efail(&E, WELD_ERR_NOMEM, "out of memory");
    for (uint32_t k = 0; k < c->ndefs && !failed(&E); k++) {
        if (!c->defs[k].used) continue;
        if (opts->import_dependencies || c->defs[k].import_name) {
            import_definition(&E, &c->defs[k]);
            if (failed(&E)) break;
        } else {
            item *it = push_item(&E, WELD_CSEC_COMPONENT);
            if (!it) break;
            it->u.comp = c->defs[k].tree;
        }
        comp_names[E.count[WELD_SORT_COMPONENT]] = c->defs[k].name;
        E.comp_idx[k] = E.count[WELD_SORT_COMPONENT]++;
    }
    /* 3. instances in dependency order */
    uint32_t ncomp_names = E.count[WELD_SORT_COMPONENT];
    uint32_t first_instance = E.count[WELD_SORT_INSTANCE];
    for (uint32_t oi = 0; oi < c->ninsts && !failed(&E); oi++) {
        uint32_t i = c->order[oi];
        const inode *n = &c->insts[i];
        const cdef *k = &c->defs[n->def];
        weld_inst_arg *args = weld_arena_alloc(a, (k->nimports + 1) * sizeof *args);
        if (!args) {
            efail(&E, WELD_ERR_NOMEM, "out of memory");
            break;
        }
        for (uint32_t j = 0; j < k->nimports && !failed(&E); j++) {
            const binding *b = &n->args[j];
            args[j].name.name = k->imports[j]->name.name;
            if (b->kind == BIND_OUTER) {
                args[j].item.sort.sort = c->outer[b->outer].sort;
                args[j].item.index = ensure_outer(&E, b->outer);
            } else if (b->export_name) {
                args[j].item.sort.sort = b->export_sort;
                args[j].item.index = alias_export(&E, E.inst_idx[b->from], b->export_name, b->export_sort);
            } else {
                args[j].item.sort.sort = WELD_SORT_INSTANCE;
                args[j].item.index = E.inst_idx[b->from];
            }
        }
        item *it = failed(&E) ? NULL : push_item(&E, WELD_CSEC_INSTANCE);
        if (!it) break;
        it->u.inst = (weld_instance){0x00, E.comp_idx[n->def], k->nimports, args};
        E.inst_idx[i] = E.count[WELD_SORT_INSTANCE]++;
    }
    /* instance names by outer index (imports of instances come first, unnamed) */
    uint32_t ninst_total = E.count[WELD_SORT_INSTANCE];
    const char **iname_by_idx = weld_arena_alloc(a, (ninst_total + 1) * sizeof *iname_by_idx);
    if (!iname_by_idx) efail(&E, WELD_ERR_NOMEM, "out of memory");
    for (uint32_t o = 0; !failed(&E) && o < c->nouter; o++)
        if (c->outer[o].sort == WELD_SORT_INSTANCE) iname_by_idx[E.outer_idx[o]] = c->outer[o].name;
    for (uint32_t i = 0; !failed(&E) && i < c->ninsts; i++) iname_by_idx[E.inst_idx[i]] = c->insts[i].name;
    (void)first_instance;
    (void)inst_names;
    /* 4. exports */
    for (uint32_t x = 0; x < c->nexports && !failed(&E); x++) {
        const cexport_req *r = &c->exports[x];
        weld_sortidx si;
        if (r->export_name) {
            si.sort.sort = r->sort;
            si.sort.core = 0;
            si.index = alias_export(&E, E.inst_idx[r->inst], r->export_name, r->sort);
        } else {
            si = (weld_sortidx){{WELD_SORT_INSTANCE, 0}, E.inst_idx[r->inst]};
        }
        item *it = failed(&E) ? NULL : push_item(&E, WELD_CSEC_EXPORT);
        if (!it) break;
        it->u.exp.name.name = str_of(&E, r->as);
        it->u.exp.item = si;
        E.count[si.sort.sort]++;
    }
    /* 5. the component-name section */
    weld_buf nb;
    weld_buf_init(&nb);
    if (!failed(&E)) {
        put_sortnames(&nb, WELD_SORT_COMPONENT, comp_names, ncomp_names);
        /* instance names: only a prefix without gaps can be named in index order */
        const char **names = weld_arena_alloc(a, (ninst_total + 1) * sizeof *names);
        if (names) {
            for (uint32_t i = 0; i < ninst_total; i++) names[i] = iname_by_idx[i];
            put_sortnames(&nb, WELD_SORT_INSTANCE, names, ninst_total);
        }
        item *it = push_item(&E, WELD_CSEC_CUSTOM);
        uint8_t *payload = it ? weld_arena_alloc(a, nb.len + 1) : NULL;
        if (payload && !nb.oom) {
            memcpy(payload, nb.data, nb.len);
            it->u.custom.name = str_of(&E, "component-name");
            it->u.custom.data = payload;
            it->u.custom.len = (uint32_t)nb.len;
        } else {
            efail(&E, WELD_ERR_NOMEM, "out of memory");
        }
    }
    weld_buf_free(&nb);
    /* group the items into sections */
    weld_status st = E.st;
    if (st == WELD_OK) {
        weld_csection *secs = weld_arena_alloc(a, (E.nitems + 1) * sizeof *secs);
        weld_component *out_c = weld_arena_alloc(a, sizeof *out_c);
        if (!secs || !out_c) st = weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
        uint32_t ns = 0;
        for (uint32_t i = 0; st == WELD_OK && i < E.nitems;) {
            uint8_t id = E.items[i].sec;
            uint32_t j = i + 1;
            bool single = id == WELD_CSEC_COMPONENT || id == WELD_CSEC_CUSTOM;
            while (!single && j < E.nitems && E.items[j].sec == id) j++;
            weld_csection *s = &secs[ns++];
            s->id = id;
            s->count = j - i;
            size_t sz = id == WELD_CSEC_TYPE ? sizeof(const weld_ctype *)
                        : id == WELD_CSEC_IMPORT ? sizeof(weld_cimport)
                        : id == WELD_CSEC_ALIAS ? sizeof(weld_alias)
                        : id == WELD_CSEC_INSTANCE ? sizeof(weld_instance)
                        : id == WELD_CSEC_EXPORT ? sizeof(weld_cexport) : 0;
            uint8_t *arr = sz ? weld_arena_alloc(a, sz * s->count) : NULL;
            if (sz && !arr) {
                st = weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
                break;
            }
            for (uint32_t m = i; m < j; m++) {
                uint8_t *dst = arr + sz * (m - i);
                switch (id) {
                case WELD_CSEC_TYPE: memcpy(dst, &E.items[m].u.type, sz); break;
                case WELD_CSEC_IMPORT: memcpy(dst, &E.items[m].u.imp, sz); break;
                case WELD_CSEC_ALIAS: memcpy(dst, &E.items[m].u.alias, sz); break;
                case WELD_CSEC_INSTANCE: memcpy(dst, &E.items[m].u.inst, sz); break;
                case WELD_CSEC_EXPORT: memcpy(dst, &E.items[m].u.exp, sz); break;
                default: break;
                }
            }
            switch (id) {
            case WELD_CSEC_TYPE: s->u.types = (const weld_ctype *const *)arr; break;
            case WELD_CSEC_IMPORT: s->u.imports = (const weld_cimport *)arr; break;
            case WELD_CSEC_ALIAS: s->u.aliases = (const weld_alias *)arr; break;
            case WELD_CSEC_INSTANCE: s->u.instances = (const weld_instance *)arr; break;
            case WELD_CSEC_EXPORT: s->u.exports = (const weld_cexport *)arr; break;
            case WELD_CSEC_COMPONENT: s->u.component = E.items[i].u.comp; break;
            case WELD_CSEC_CUSTOM: s->u.custom = &E.items[i].u.custom; break;
            default: break;
            }
            i = j;
        }
        if (st == WELD_OK) {
            out_c->arena = a;
            out_c->nsections = ns;
            out_c->sections = secs;
            st = weld_component_write(out_c, out, out_len, d);
        }
    }
    weld_arena_free(a);
    if (st == WELD_OK && !opts->skip_validation) {
        st = validate_output(c, *out, *out_len, d);
        if (st != WELD_OK) {
            free(*out);
            *out = NULL;
            *out_len = 0;
        }
    }
    return st;
}
