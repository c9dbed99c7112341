/* ctypes_build.c - building the component type model: every section of a component,
 * in order, grows the index spaces of its sorts, and every entry gets its type node. */
#include "comp.h"
#include "weld/validate.h"
#include <stdio.h>
#include <stdlib.h>

enum { SC_COMPONENT, SC_COMPONENT_TYPE, SC_INSTANCE_TYPE };

typedef struct exvec {
    weld_textern *v;
    uint32_t n, cap;
} exvec;

typedef struct scope scope;
struct scope {
    scope *parent;
    int kind;
    tvec sp[WELD_TS_COUNT];
    exvec imports, exports;
    weld_tnode *self; /* the type node this scope fills (type scopes, nested components) */
};

struct weld_ctypes {
    weld_arena *arena;
    scope root;
    const weld_tnode *self;
    const weld_tnode *prims[256];
};

typedef struct bctx {
    weld_ctypes *m;
    weld_arena *a;
    weld_diag *d;
    bool validate;
    uint64_t off;   /* offset reported for the item being checked */
    uint32_t depth; /* scopes open */
} bctx;

static weld_status fail(bctx *b, weld_status st, const char *fmt, ...) WELD_PRINTF(3, 4);
static weld_status fail(bctx *b, weld_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    weld_diag_vset(b->d, st, b->off, fmt, ap);
    va_end(ap);
    return st;
}
#define INVALID(...) fail(b, WELD_ERR_INVALID, __VA_ARGS__)
#define NOMEM() fail(b, WELD_ERR_NOMEM, "out of memory")
#define TRY(x)                                                                                 \
    do {                                                                                       \
        weld_status st_ = (x);                                                                 \
        if (st_) return st_;                                                                   \
    } while (0)

static void *alloc(bctx *b, size_t n) { return weld_arena_alloc(b->a, n ? n : 1); }

static weld_tnode *new_node(bctx *b, uint8_t kind)
{
    weld_tnode *t = weld_arena_alloc(b->a, sizeof *t);
    if (t) t->kind = kind;
    return t;
}

static bool exvec_push(exvec *v, weld_textern e)
{
    if (v->n == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 8;
        weld_textern *nv = realloc(v->v, cap * sizeof *nv);
        if (!nv) return false;
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = e;
    return true;
}

static void scope_free(scope *sc)
{
    for (int i = 0; i < WELD_TS_COUNT; i++) tvec_free(&sc->sp[i]);
    free(sc->imports.v);
    free(sc->exports.v);
}

static weld_status push(bctx *b, scope *sc, int space, const weld_tnode *t)
{
    if (!tvec_push(&sc->sp[space], t)) return NOMEM();
    return WELD_OK;
}

/* How wasmparser names an index space in "unknown X N: Y index out of bounds". */
static const char *space_unknown(int space, const char **what)
{
    switch (space) {
    case WELD_TS_CORE_FUNC: *what = "function"; return "core function";
    case WELD_TS_CORE_TABLE: *what = "table"; return "table";
    case WELD_TS_CORE_MEMORY: *what = "memory"; return "memory";
    case WELD_TS_CORE_GLOBAL: *what = "global"; return "global";
    case WELD_TS_CORE_TAG: *what = "tag"; return "tag";
    case WELD_TS_CORE_TYPE: *what = "type"; return "type";
    case WELD_TS_CORE_MODULE: *what = "module"; return "module";
    case WELD_TS_CORE_INSTANCE: *what = "instance"; return "core instance";
    case WELD_TS_FUNC: *what = "function"; return "function";
    case WELD_TS_VALUE: *what = "value"; return "value";
    case WELD_TS_TYPE: *what = "type"; return "type";
    case WELD_TS_COMPONENT: *what = "component"; return "component";
    default: *what = "instance"; return "instance";
    }
}

static weld_status get(bctx *b, scope *sc, int space, uint32_t idx, const weld_tnode **out)
{
    if (idx >= sc->sp[space].n) {
        const char *what;
        const char *name = space_unknown(space, &what);
        return INVALID("unknown %s %u: %s index out of bounds", name, idx, what);
    }
    *out = sc->sp[space].v[idx];
    return WELD_OK;
}

/* ---- value types -------------------------------------------------------------------- */

static weld_status prim(bctx *b, uint8_t p, const weld_tnode **out)
{
    if (!b->m->prims[p]) {
        weld_tnode *t = new_node(b, WELD_TK_PRIM);
        if (!t) return NOMEM();
        t->u.prim = p;
        b->m->prims[p] = t;
    }
    *out = b->m->prims[p];
    return WELD_OK;
}

static weld_status valtype(bctx *b, scope *sc, weld_cvaltype v, const weld_tnode **out)
{
    if (v.prim) return prim(b, v.prim, out);
    TRY(get(b, sc, WELD_TS_TYPE, v.index, out));
    if (!weld_tnode_is_value(*out)) return INVALID("type index %u is not a defined type", v.index);
    return WELD_OK;
}

static weld_status resource_of(bctx *b, scope *sc, uint32_t idx, const weld_tnode **out)
{
    TRY(get(b, sc, WELD_TS_TYPE, idx, out));
    if ((*out)->kind != WELD_TK_RESOURCE) return INVALID("type index %u is not a resource type", idx);
    return WELD_OK;
}

static weld_status fields(bctx *b, scope *sc, const weld_cfield *in, uint32_t n,
                          const weld_tfield **out)
{
    weld_tfield *f = alloc(b, n * sizeof *f);
    if (!f) return NOMEM();
    for (uint32_t i = 0; i < n; i++) {
        f[i].name = in[i].name;
        TRY(valtype(b, sc, in[i].type, &f[i].type));
    }
    *out = f;
    return WELD_OK;
}

static weld_status type_decls(bctx *b, scope *sc, const weld_ctype *t, const weld_tnode **out);

/* A type definition (type section item or declared type). */
static weld_status deftype(bctx *b, scope *sc, const weld_ctype *ct, const weld_tnode **out)
{
    weld_tnode *t;
    switch (ct->kind) {
    case WELD_CT_PRIM: return prim(b, ct->u.prim, out);
    case WELD_CT_COMPONENT:
    case WELD_CT_INSTANCE: return type_decls(b, sc, ct, out);
    default: break;
    }
    static const uint8_t kinds[256] = {
        [WELD_CT_RECORD] = WELD_TK_RECORD, [WELD_CT_VARIANT] = WELD_TK_VARIANT,
        [WELD_CT_LIST] = WELD_TK_LIST, [WELD_CT_FIXED_LIST] = WELD_TK_FIXED_LIST,
        [WELD_CT_TUPLE] = WELD_TK_TUPLE, [WELD_CT_FLAGS] = WELD_TK_FLAGS,
        [WELD_CT_ENUM] = WELD_TK_ENUM, [WELD_CT_OPTION] = WELD_TK_OPTION,
        [WELD_CT_RESULT] = WELD_TK_RESULT, [WELD_CT_OWN] = WELD_TK_OWN,
        [WELD_CT_BORROW] = WELD_TK_BORROW, [WELD_CT_STREAM] = WELD_TK_STREAM,
        [WELD_CT_FUTURE] = WELD_TK_FUTURE, [WELD_CT_MAP] = WELD_TK_MAP,
        [WELD_CT_FUNC] = WELD_TK_FUNC, [WELD_CT_FUNC_ASYNC] = WELD_TK_FUNC,
        [WELD_CT_RESOURCE] = WELD_TK_RESOURCE,
    };
    if (!kinds[ct->kind]) return INVALID("unknown type definition 0x%02x", ct->kind);
    if (!(t = new_node(b, kinds[ct->kind]))) return NOMEM();
    switch (ct->kind) {
    case WELD_CT_RECORD:
        t->u.record.count = ct->u.record.count;
        TRY(fields(b, sc, ct->u.record.fields, ct->u.record.count, &t->u.record.fields));
        break;
    case WELD_CT_VARIANT: {
        weld_tfield *c = alloc(b, ct->u.variant.count * sizeof *c);
        if (!c) return NOMEM();
        for (uint32_t i = 0; i < ct->u.variant.count; i++) {
            c[i].name = ct->u.variant.cases[i].name;
            if (ct->u.variant.cases[i].has_type)
                TRY(valtype(b, sc, ct->u.variant.cases[i].type, &c[i].type));
        }
        t->u.variant.count = ct->u.variant.count;
        t->u.variant.cases = c;
        break;
    }
    case WELD_CT_LIST:
    case WELD_CT_FIXED_LIST:
        TRY(valtype(b, sc, ct->u.list.elem, &t->u.list.elem));
        t->u.list.len = ct->kind == WELD_CT_FIXED_LIST ? ct->u.list.len : 0;
        break;
    case WELD_CT_TUPLE: {
        const weld_tnode **ty = alloc(b, ct->u.tuple.count * sizeof *ty);
        if (!ty) return NOMEM();
        for (uint32_t i = 0; i < ct->u.tuple.count; i++)
            TRY(valtype(b, sc, ct->u.tuple.types[i], &ty[i]));
        t->u.tuple.count = ct->u.tuple.count;
        t->u.tuple.types = ty;
        break;
    }
    case WELD_CT_FLAGS:
    case WELD_CT_ENUM:
        t->u.labels.count = ct->u.labels.count;
        t->u.labels.names = ct->u.labels.names;
        break;
    case WELD_CT_OPTION: TRY(valtype(b, sc, ct->u.option, &t->u.option)); break;
    case WELD_CT_RESULT:
        if (ct->u.result.has_ok) TRY(valtype(b, sc, ct->u.result.ok, &t->u.result.ok));
        if (ct->u.result.has_err) TRY(valtype(b, sc, ct->u.result.err, &t->u.result.err));
        break;
    case WELD_CT_OWN:
    case WELD_CT_BORROW: TRY(resource_of(b, sc, ct->u.handle, &t->u.handle)); break;
    case WELD_CT_STREAM:
    case WELD_CT_FUTURE:
        if (ct->u.async_value.has_elem) TRY(valtype(b, sc, ct->u.async_value.elem, &t->u.elem));
        break;
    case WELD_CT_MAP:
        TRY(valtype(b, sc, ct->u.map.key, &t->u.map.key));
        TRY(valtype(b, sc, ct->u.map.value, &t->u.map.value));
        break;
    case WELD_CT_FUNC:
    case WELD_CT_FUNC_ASYNC:
        t->u.func.async = ct->kind == WELD_CT_FUNC_ASYNC;
        t->u.func.nparams = ct->u.func.nparams;
        TRY(fields(b, sc, ct->u.func.params, ct->u.func.nparams, &t->u.func.params));
        if (ct->u.func.has_result) TRY(valtype(b, sc, ct->u.func.result, &t->u.func.result));
        break;
    case WELD_CT_RESOURCE:
        if (sc->kind != SC_COMPONENT)
            return INVALID("resources can only be defined within a concrete component");
        if (ct->u.resource.rep != WELD_I32) {
            if (ct->u.resource.rep == WELD_I64)
                return INVALID("resources with `i64` require the `cm64` feature to be enabled");
            return INVALID("resources can only be represented by `i32`");
        }
        t->u.resource.defined = true;
        t->u.resource.rep = ct->u.resource.rep;
        t->u.resource.has_dtor = ct->u.resource.has_dtor;
        t->u.resource.dtor = ct->u.resource.dtor;
        if (ct->u.resource.has_dtor) {
            const weld_tnode *f = NULL;
            TRY(get(b, sc, WELD_TS_CORE_FUNC, ct->u.resource.dtor, &f));
            const weld_functype *ft = f->u.core.func;
            if (ft->nparams != 1 || ft->params[0] != ct->u.resource.rep || ft->nresults != 0)
                return INVALID("core function %u has wrong signature for a destructor",
                               ct->u.resource.dtor);
        }
        break;
    default: break;
    }
    *out = t;
    return WELD_OK;
}

/* ---- core types ----------------------------------------------------------------------- */

static weld_status core_func_node(bctx *b, const weld_functype *f, uint8_t kind,
                                  const weld_tnode **out)
{
    weld_tnode *t = new_node(b, kind);
    if (!t) return NOMEM();
    t->u.core.func = f;
    *out = t;
    return WELD_OK;
}

/* A core extern type whose function types come from `types` (n of them). */
static weld_status core_extern(bctx *b, const weld_externtype *e, const tvec *types,
                               const weld_tnode **out)
{
    weld_tnode *t;
    switch (e->kind) {
    case WELD_EXTERN_FUNC:
    case WELD_EXTERN_TAG: {
        uint32_t idx = e->kind == WELD_EXTERN_FUNC ? e->u.func : e->u.tag;
        if (idx >= types->n) return INVALID("unknown type %u: type index out of bounds", idx);
        const weld_tnode *ft = types->v[idx];
        if (ft->kind != WELD_TK_CORE_FUNC) return INVALID("type index %u is not a function type", idx);
        return core_func_node(b, ft->u.core.func,
                              e->kind == WELD_EXTERN_FUNC ? WELD_TK_CORE_FUNC : WELD_TK_CORE_TAG, out);
    }
    case WELD_EXTERN_TABLE: t = new_node(b, WELD_TK_CORE_TABLE); break;
    case WELD_EXTERN_MEMORY: t = new_node(b, WELD_TK_CORE_MEMORY); break;
    case WELD_EXTERN_GLOBAL: t = new_node(b, WELD_TK_CORE_GLOBAL); break;
    default: return INVALID("unknown external kind 0x%02x", e->kind);
    }
    if (!t) return NOMEM();
    t->u.core.ext = *e;
    *out = t;
    return WELD_OK;
}

static bool str_eq(weld_str a, weld_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static weld_status core_type(bctx *b, scope *sc, const weld_core_type *ct, const weld_tnode **out)
{
    if (ct->kind == WELD_CORE_TYPE_FUNC) return core_func_node(b, &ct->func, WELD_TK_CORE_FUNC, out);
    if (ct->kind != WELD_CORE_TYPE_MODULE) return INVALID("unknown core type 0x%02x", ct->kind);
    tvec types = {0};
    weld_tcore_extern *imps = alloc(b, ct->ndecls * sizeof *imps);
    weld_tcore_extern *exps = alloc(b, ct->ndecls * sizeof *exps);
    uint32_t ni = 0, ne = 0;
    weld_status st = WELD_OK;
    if (!imps || !exps) return NOMEM();
    for (uint32_t i = 0; i < ct->ndecls && !st; i++) {
        const weld_core_decl *dcl = &ct->decls[i];
        const weld_tnode *t = NULL;
        switch (dcl->kind) {
        case WELD_MDECL_IMPORT:
            st = core_extern(b, &dcl->u.import.type, &types, &t);
            if (!st) imps[ni++] = (weld_tcore_extern){dcl->u.import.module, dcl->u.import.name, t};
            break;
        case WELD_MDECL_TYPE:
            if (dcl->u.type->kind != WELD_CORE_TYPE_FUNC) {
                st = INVALID("a module type cannot contain a module type");
                break;
            }
            st = core_func_node(b, &dcl->u.type->func, WELD_TK_CORE_FUNC, &t);
            if (!st && !tvec_push(&types, t)) st = NOMEM();
            break;
        case WELD_MDECL_ALIAS: {
            scope *o = sc;
            uint32_t count = dcl->u.outer.count;
            if (count == 0) {
                if (dcl->u.outer.index >= types.n)
                    st = INVALID("unknown type %u: type index out of bounds", dcl->u.outer.index);
                else if (!tvec_push(&types, types.v[dcl->u.outer.index])) st = NOMEM();
                break;
            }
            for (uint32_t k = 1; k < count && o; k++) o = o->parent;
            if (!o) {
                st = INVALID("invalid outer alias count of %u", count);
                break;
            }
            st = get(b, o, WELD_TS_CORE_TYPE, dcl->u.outer.index, &t);
            if (!st && !tvec_push(&types, t)) st = NOMEM();
            break;
        }
        case WELD_MDECL_EXPORT:
            for (uint32_t k = 0; k < ne && !st; k++)
                if (str_eq(exps[k].name, dcl->u.export.name))
                    st = INVALID("duplicate export name `%s` already defined", dcl->u.export.name.ptr);
            if (!st) st = core_extern(b, &dcl->u.export.type, &types, &t);
            if (!st) exps[ne++] = (weld_tcore_extern){{"", 0}, dcl->u.export.name, t};
            break;
        default: st = INVALID("unknown module type declaration 0x%02x", dcl->kind);
        }
    }
    tvec_free(&types);
    if (st) return st;
    weld_tnode *t = new_node(b, WELD_TK_CORE_MODULE);
    if (!t) return NOMEM();
    t->u.core_module.nimports = ni;
    t->u.core_module.imports = imps;
    t->u.core_module.nexports = ne;
    t->u.core_module.exports = exps;
    *out = t;
    return WELD_OK;
}

/* The type of a nested core module, from its decoded tree. */
static weld_status module_node(bctx *b, const weld_module *m, const weld_tnode **out)
{
    tvec types = {0}, funcs = {0}, tables = {0}, mems = {0}, globals = {0}, tags = {0};
    weld_status st = WELD_OK;
    weld_tcore_extern *imps = alloc(b, m->nimports * sizeof *imps);
    weld_tcore_extern *exps = alloc(b, m->nexports * sizeof *exps);
    if (!imps || !exps) return NOMEM();
    for (uint32_t i = 0; i < m->ntypes && !st; i++) {
        const weld_tnode *t = NULL;
        st = core_func_node(b, &m->types[i], WELD_TK_CORE_FUNC, &t);
        if (!st && !tvec_push(&types, t)) st = NOMEM();
    }
    tvec *by_kind[5] = {&funcs, &tables, &mems, &globals, &tags};
    for (uint32_t i = 0; i < m->nimports && !st; i++) {
        const weld_tnode *t = NULL;
        st = core_extern(b, &m->imports[i].type, &types, &t);
        if (st) break;
        imps[i] = (weld_tcore_extern){m->imports[i].module, m->imports[i].name, t};
        if (m->imports[i].type.kind < 5 && !tvec_push(by_kind[m->imports[i].type.kind], t))
            st = NOMEM();
    }
    for (uint32_t i = 0; i < m->nfuncs && !st; i++) {
        weld_externtype e = {.kind = WELD_EXTERN_FUNC, .u.func = m->func_types[i]};
        const weld_tnode *t = NULL;
        st = core_extern(b, &e, &types, &t);
        if (!st && !tvec_push(&funcs, t)) st = NOMEM();
    }
    for (uint32_t i = 0; i < m->ntables && !st; i++) {
        weld_externtype e = {.kind = WELD_EXTERN_TABLE, .u.table = m->tables[i]};
        const weld_tnode *t = NULL;
        st = core_extern(b, &e, &types, &t);
        if (!st && !tvec_push(&tables, t)) st = NOMEM();
    }
    for (uint32_t i = 0; i < m->nmemories && !st; i++) {
        weld_externtype e = {.kind = WELD_EXTERN_MEMORY, .u.memory = m->memories[i]};
        const weld_tnode *t = NULL;
        st = core_extern(b, &e, &types, &t);
        if (!st && !tvec_push(&mems, t)) st = NOMEM();
    }
    for (uint32_t i = 0; i < m->nglobals && !st; i++) {
        weld_externtype e = {.kind = WELD_EXTERN_GLOBAL, .u.global = m->globals[i].type};
        const weld_tnode *t = NULL;
        st = core_extern(b, &e, &types, &t);
        if (!st && !tvec_push(&globals, t)) st = NOMEM();
    }
    for (uint32_t i = 0; i < m->ntags && !st; i++) {
        weld_externtype e = {.kind = WELD_EXTERN_TAG, .u.tag = m->tags[i]};
        const weld_tnode *t = NULL;
        st = core_extern(b, &e, &types, &t);
        if (!st && !tvec_push(&tags, t)) st = NOMEM();
    }
    for (uint32_t i = 0; i < m->nexports && !st; i++) {
        const weld_export *e = &m->exports[i];
        if (e->kind >= 5 || e->index >= by_kind[e->kind]->n) {
            st = INVALID("export `%s` of a nested module: index %u out of bounds", e->name.ptr, e->index);
            break;
        }
        exps[i] = (weld_tcore_extern){{"", 0}, e->name, by_kind[e->kind]->v[e->index]};
    }
    tvec_free(&types);
    for (int k = 0; k < 5; k++) tvec_free(by_kind[k]);
    if (st) return st;
    weld_tnode *t = new_node(b, WELD_TK_CORE_MODULE);
    if (!t) return NOMEM();
    t->u.core_module.nimports = m->nimports;
    t->u.core_module.imports = imps;
    t->u.core_module.nexports = m->nexports;
    t->u.core_module.exports = exps;
    *out = t;
    return WELD_OK;
}

/* ---- externs, aliases ------------------------------------------------------------------ */

static int space_of_ext(uint8_t sort)
{
    switch (sort) {
    case WELD_EXT_MODULE: return WELD_TS_CORE_MODULE;
    case WELD_EXT_FUNC: return WELD_TS_FUNC;
    case WELD_EXT_VALUE: return WELD_TS_VALUE;
    case WELD_EXT_TYPE: return WELD_TS_TYPE;
    case WELD_EXT_COMPONENT: return WELD_TS_COMPONENT;
    default: return WELD_TS_INSTANCE;
    }
}

/* The extern sort of a component sort (core modules: MODULE; other core sorts: 0xff). */
static uint8_t ext_of_sort(weld_sort s)
{
    if (s.sort == WELD_SORT_CORE) return s.core == WELD_CORE_SORT_MODULE ? WELD_EXT_MODULE : 0xff;
    return s.sort;
}

/* Give the resources that `t` binds fresh identities bound by the current scope. */
static weld_status freshen(bctx *b, scope *sc, const weld_tnode *t, const weld_tnode **out)
{
    pmap map = {0}, memo = {0};
    weld_status st = WELD_OK;
    if (!ctypes_fresh_resources(b->a, t, t, sc->self, &map)) st = NOMEM();
    else if (map.n && !(*out = ctypes_subst(b->a, &map, &memo, t))) st = NOMEM();
    else if (!map.n) *out = t;
    pmap_free(&map);
    pmap_free(&memo);
    return st;
}

static weld_status extern_type(bctx *b, scope *sc, const weld_cextern *e, weld_str name,
                               const weld_tnode **out)
{
    switch (e->kind) {
    case WELD_EXT_MODULE:
        TRY(get(b, sc, WELD_TS_CORE_TYPE, e->index, out));
        if ((*out)->kind != WELD_TK_CORE_MODULE)
            return INVALID("core type index %u is not a module type", e->index);
        return WELD_OK;
    case WELD_EXT_FUNC:
        TRY(get(b, sc, WELD_TS_TYPE, e->index, out));
        if ((*out)->kind != WELD_TK_FUNC) return INVALID("type index %u is not a function type", e->index);
        return WELD_OK;
    case WELD_EXT_VALUE: return valtype(b, sc, e->val, out);
    case WELD_EXT_TYPE:
        if (e->bound == 0x00) return get(b, sc, WELD_TS_TYPE, e->index, out);
        if (e->bound == 0x01) {
            weld_tnode *r = new_node(b, WELD_TK_RESOURCE);
            if (!r) return NOMEM();
            r->u.resource.name = name;
            r->u.resource.scope = sc->self;
            r->u.resource.rep = WELD_I32;
            *out = r;
            return WELD_OK;
        }
        return INVALID("unknown type bound 0x%02x", e->bound);
    case WELD_EXT_COMPONENT:
        TRY(get(b, sc, WELD_TS_TYPE, e->index, out));
        if ((*out)->kind != WELD_TK_COMPONENT)
            return INVALID("type index %u is not a component type", e->index);
        return WELD_OK;
    case WELD_EXT_INSTANCE:
        TRY(get(b, sc, WELD_TS_TYPE, e->index, out));
        if ((*out)->kind != WELD_TK_INSTANCE)
            return INVALID("type index %u is not an instance type", e->index);
        return freshen(b, sc, *out, out);
    default: return INVALID("unknown extern kind 0x%02x", e->kind);
    }
}

/* Does t refer to a resource that is concrete (not bound by a type)? */
static bool refers_to_concrete_resource(const weld_tnode *t, int depth)
{
    if (!t || depth > 64) return false;
    switch (t->kind) {
    case WELD_TK_RESOURCE: return t->u.resource.scope == NULL;
    case WELD_TK_RECORD:
    case WELD_TK_VARIANT:
        for (uint32_t i = 0; i < t->u.record.count; i++)
            if (refers_to_concrete_resource(t->u.record.fields[i].type, depth + 1)) return true;
        return false;
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST: return refers_to_concrete_resource(t->u.list.elem, depth + 1);
    case WELD_TK_TUPLE:
        for (uint32_t i = 0; i < t->u.tuple.count; i++)
            if (refers_to_concrete_resource(t->u.tuple.types[i], depth + 1)) return true;
        return false;
    case WELD_TK_OPTION: return refers_to_concrete_resource(t->u.option, depth + 1);
    case WELD_TK_RESULT:
        return refers_to_concrete_resource(t->u.result.ok, depth + 1) ||
               refers_to_concrete_resource(t->u.result.err, depth + 1);
    case WELD_TK_OWN:
    case WELD_TK_BORROW: return refers_to_concrete_resource(t->u.handle, depth + 1);
    case WELD_TK_STREAM:
    case WELD_TK_FUTURE: return refers_to_concrete_resource(t->u.elem, depth + 1);
    case WELD_TK_MAP:
        return refers_to_concrete_resource(t->u.map.key, depth + 1) ||
               refers_to_concrete_resource(t->u.map.value, depth + 1);
    case WELD_TK_FUNC:
        for (uint32_t i = 0; i < t->u.func.nparams; i++)
            if (refers_to_concrete_resource(t->u.func.params[i].type, depth + 1)) return true;
        return refers_to_concrete_resource(t->u.func.result, depth + 1);
    case WELD_TK_COMPONENT:
    case WELD_TK_INSTANCE:
        for (uint32_t i = 0; i < t->u.ext.nimports; i++)
            if (refers_to_concrete_resource(t->u.ext.imports[i].type, depth + 1)) return true;
        for (uint32_t i = 0; i < t->u.ext.nexports; i++)
            if (refers_to_concrete_resource(t->u.ext.exports[i].type, depth + 1)) return true;
        return false;
    default: return false;
    }
}

static const char *core_kind_desc(uint8_t core)
{
    switch (core) {
    case WELD_CORE_SORT_FUNC: return "function";
    case WELD_CORE_SORT_TABLE: return "table";
    case WELD_CORE_SORT_MEMORY: return "memory";
    case WELD_CORE_SORT_GLOBAL: return "global";
    case WELD_CORE_SORT_TAG: return "tag";
    default: return "item";
    }
}

static uint8_t core_kind_of_node(const weld_tnode *t)
{
    switch (t->kind) {
    case WELD_TK_CORE_FUNC: return WELD_CORE_SORT_FUNC;
    case WELD_TK_CORE_TABLE: return WELD_CORE_SORT_TABLE;
    case WELD_TK_CORE_MEMORY: return WELD_CORE_SORT_MEMORY;
    case WELD_TK_CORE_GLOBAL: return WELD_CORE_SORT_GLOBAL;
    case WELD_TK_CORE_TAG: return WELD_CORE_SORT_TAG;
    default: return 0xff;
    }
}

static weld_status alias(bctx *b, scope *sc, const weld_alias *al)
{
    int space = weld_tspace_of(al->sort);
    if (space < 0) return INVALID("unknown alias sort");
    const weld_tnode *t = NULL;
    switch (al->tag) {
    case 0x00: { /* export of a component instance */
        const weld_tnode *inst = NULL;
        TRY(get(b, sc, WELD_TS_INSTANCE, al->instance, &inst));
        const weld_textern *e = NULL;
        for (uint32_t i = 0; i < inst->u.ext.nexports && !e; i++)
            if (str_eq(inst->u.ext.exports[i].name, al->name)) e = &inst->u.ext.exports[i];
        if (!e) return INVALID("instance %u has no export named `%s`", al->instance, al->name.ptr);
        uint8_t want = ext_of_sort(al->sort);
        if (e->sort != want)
            return INVALID("export `%s` for instance %u is not a %s", al->name.ptr, al->instance,
                           ctypes_sort_desc(want));
        return push(b, sc, space, e->type);
    }
    case 0x01: { /* export of a core instance */
        const weld_tnode *inst = NULL;
        if (al->sort.sort != WELD_SORT_CORE) return INVALID("core export alias of a component sort");
        TRY(get(b, sc, WELD_TS_CORE_INSTANCE, al->instance, &inst));
        const weld_tcore_extern *e = NULL;
        for (uint32_t i = 0; i < inst->u.core_module.nexports && !e; i++)
            if (str_eq(inst->u.core_module.exports[i].name, al->name)) e = &inst->u.core_module.exports[i];
        if (!e) return INVALID("core instance %u has no export named `%s`", al->instance, al->name.ptr);
        if (core_kind_of_node(e->type) != al->sort.core)
            return INVALID("export `%s` for core instance %u is not a %s", al->name.ptr,
                           al->instance, core_kind_desc(al->sort.core));
        return push(b, sc, space, e->type);
    }
    case 0x02: { /* outer */
        scope *o = sc;
        for (uint32_t k = 0; k < al->instance && o; k++) o = o->parent;
        if (!o) return INVALID("invalid outer alias count of %u", al->instance);
        if (space != WELD_TS_TYPE && space != WELD_TS_CORE_TYPE && space != WELD_TS_CORE_MODULE &&
            space != WELD_TS_COMPONENT)
            return INVALID("only outer type, core type, core module and component aliases are allowed");
        TRY(get(b, o, space, al->index, &t));
        if (al->instance > 0 && sc->kind == SC_COMPONENT && space == WELD_TS_TYPE &&
            refers_to_concrete_resource(t, 0))
            return INVALID("cannot alias outer type which transitively refers to resources not "
                           "defined in the current component");
        return push(b, sc, space, t);
    }
    default: return INVALID("unknown alias target 0x%02x", al->tag);
    }
}

/* ---- component and instance types ---------------------------------------------------- */

static weld_status finish_ext(bctx *b, scope *sc, uint8_t kind, const weld_tnode **out)
{
    weld_tnode *t = sc->self ? sc->self : new_node(b, kind);
    if (!t) return NOMEM();
    weld_textern *imps = alloc(b, sc->imports.n * sizeof *imps);
    weld_textern *exps = alloc(b, sc->exports.n * sizeof *exps);
    if (!imps || !exps) return NOMEM();
    if (sc->imports.n) memcpy(imps, sc->imports.v, sc->imports.n * sizeof *imps);
    if (sc->exports.n) memcpy(exps, sc->exports.v, sc->exports.n * sizeof *exps);
    t->kind = kind;
    t->u.ext.nimports = sc->imports.n;
    t->u.ext.imports = imps;
    t->u.ext.nexports = sc->exports.n;
    t->u.ext.exports = exps;
    *out = t;
    return WELD_OK;
}

static weld_status type_decls(bctx *b, scope *parent, const weld_ctype *ct, const weld_tnode **out)
{
    scope sc = {.parent = parent,
                .kind = ct->kind == WELD_CT_COMPONENT ? SC_COMPONENT_TYPE : SC_INSTANCE_TYPE};
    if (!(sc.self = new_node(b, ct->kind == WELD_CT_COMPONENT ? WELD_TK_COMPONENT : WELD_TK_INSTANCE)))
        return NOMEM();
    weld_status st = WELD_OK;
    if (++b->depth > 100) st = INVALID("type nesting too deep");
    for (uint32_t i = 0; i < ct->u.decls.count && !st; i++) {
        const weld_cdecl *dcl = &ct->u.decls.decls[i];
        const weld_tnode *t = NULL;
        switch (dcl->kind) {
        case WELD_DECL_CORE_TYPE:
            st = core_type(b, &sc, dcl->u.core_type, &t);
            if (!st) st = push(b, &sc, WELD_TS_CORE_TYPE, t);
            break;
        case WELD_DECL_TYPE:
            st = deftype(b, &sc, dcl->u.type, &t);
            if (!st) st = push(b, &sc, WELD_TS_TYPE, t);
            break;
        case WELD_DECL_ALIAS: st = alias(b, &sc, &dcl->u.alias); break;
        case WELD_DECL_IMPORT:
        case WELD_DECL_EXPORT: {
            if (dcl->kind == WELD_DECL_IMPORT && sc.kind == SC_INSTANCE_TYPE) {
                st = INVALID("instance types cannot have imports");
                break;
            }
            st = extern_type(b, &sc, &dcl->u.ext.type, dcl->u.ext.name.name, &t);
            if (st) break;
            weld_textern e = {dcl->u.ext.name.name, dcl->u.ext.type.kind, t, UINT32_MAX};
            st = push(b, &sc, space_of_ext(e.sort), t);
            if (!st && !exvec_push(dcl->kind == WELD_DECL_IMPORT ? &sc.imports : &sc.exports, e))
                st = NOMEM();
            break;
        }
        default: st = INVALID("unknown declaration 0x%02x", dcl->kind);
        }
    }
    b->depth--;
    if (!st) st = finish_ext(b, &sc, sc.self->kind, out);
    scope_free(&sc);
    return st;
}

/* ---- canonical definitions ------------------------------------------------------------- */

typedef struct flat {
    weld_valtype t[17];
    uint32_t n;
    bool over; /* more than the limit */
} flat;

static void flat_push(flat *f, weld_valtype t, uint32_t limit)
{
    if (f->n >= limit) {
        f->over = true;
        return;
    }
    f->t[f->n++] = t;
}

static weld_valtype join(weld_valtype a, weld_valtype b)
{
    if (a == b) return a;
    if ((a == WELD_I32 && b == WELD_F32) || (a == WELD_F32 && b == WELD_I32)) return WELD_I32;
    return WELD_I64;
}

/* Flatten a value type (Canonical ABI `flatten_type`), up to `limit` core values. */
static void flatten(const weld_tnode *t, flat *f, uint32_t limit)
{
    if (f->over) return;
    switch (t->kind) {
    case WELD_TK_PRIM:
        switch (t->u.prim) {
        case WELD_CV_S64:
        case WELD_CV_U64: flat_push(f, WELD_I64, limit); return;
        case WELD_CV_F32: flat_push(f, WELD_F32, limit); return;
        case WELD_CV_F64: flat_push(f, WELD_F64, limit); return;
        case WELD_CV_STRING:
            flat_push(f, WELD_I32, limit);
            flat_push(f, WELD_I32, limit);
            return;
        default: flat_push(f, WELD_I32, limit); return;
        }
    case WELD_TK_LIST:
    case WELD_TK_MAP:
        flat_push(f, WELD_I32, limit);
        flat_push(f, WELD_I32, limit);
        return;
    case WELD_TK_FIXED_LIST:
        for (uint32_t i = 0; i < t->u.list.len && !f->over; i++) flatten(t->u.list.elem, f, limit);
        return;
    case WELD_TK_RECORD:
        for (uint32_t i = 0; i < t->u.record.count; i++) flatten(t->u.record.fields[i].type, f, limit);
        return;
    case WELD_TK_TUPLE:
        for (uint32_t i = 0; i < t->u.tuple.count; i++) flatten(t->u.tuple.types[i], f, limit);
        return;
    case WELD_TK_FLAGS:
        for (uint32_t i = 0; i < (t->u.labels.count + 31) / 32; i++) flat_push(f, WELD_I32, limit);
        return;
    case WELD_TK_VARIANT:
    case WELD_TK_OPTION:
    case WELD_TK_RESULT: {
        const weld_tnode *cases[2];
        const weld_tnode *const *cv = cases;
        uint32_t n = 0;
        weld_tfield const *vf = NULL;
        if (t->kind == WELD_TK_VARIANT) {
            vf = t->u.variant.cases;
            n = t->u.variant.count;
        } else if (t->kind == WELD_TK_OPTION) {
            cases[0] = NULL;
            cases[1] = t->u.option;
            n = 2;
        } else {
            cases[0] = t->u.result.ok;
            cases[1] = t->u.result.err;
            n = 2;
        }
        flat_push(f, WELD_I32, limit);
        uint32_t base = f->n;
        flat joined = {.n = 0};
        for (uint32_t i = 0; i < n; i++) {
            const weld_tnode *c = vf ? vf[i].type : cv[i];
            if (!c) continue;
            flat cf = {.n = 0};
            flatten(c, &cf, 17);
            if (cf.over) {
                f->over = true;
                return;
            }
            for (uint32_t k = 0; k < cf.n; k++) {
                if (k < joined.n) joined.t[k] = join(joined.t[k], cf.t[k]);
                else joined.t[joined.n++] = cf.t[k];
            }
        }
        (void)base;
        for (uint32_t k = 0; k < joined.n; k++) flat_push(f, joined.t[k], limit);
        return;
    }
    default: flat_push(f, WELD_I32, limit); return; /* enum, own, borrow, stream, future */
    }
}

static weld_functype *mkfunc(bctx *b, const weld_valtype *p, uint32_t np, const weld_valtype *r,
                             uint32_t nr)
{
    weld_functype *f = alloc(b, sizeof *f);
    weld_valtype *ps = alloc(b, np + 1), *rs = alloc(b, nr + 1);
    if (!f || !ps || !rs) return NULL;
    if (np) memcpy(ps, p, np);
    if (nr) memcpy(rs, r, nr);
    f->nparams = np;
    f->params = ps;
    f->nresults = nr;
    f->results = rs;
    return f;
}

/* The core signature of lifting/lowering func type ft: params and results as the
 * Canonical ABI flattens them (`lower`: a results pointer parameter when they spill). */
static weld_functype *flat_sig(bctx *b, const weld_tnode *ft, bool lower)
{
    flat p = {.n = 0}, r = {.n = 0};
    for (uint32_t i = 0; i < ft->u.func.nparams; i++) flatten(ft->u.func.params[i].type, &p, 16);
    if (p.over) {
        p.n = 1;
        p.t[0] = WELD_I32;
    }
    if (ft->u.func.result) flatten(ft->u.func.result, &r, 1);
    if (r.over) {
        if (lower) {
            p.t[p.n++] = WELD_I32;
            r.n = 0;
        } else {
            r.n = 1;
            r.t[0] = WELD_I32;
        }
    }
    return mkfunc(b, p.t, p.n, r.t, r.n);
}

static weld_status canon(bctx *b, scope *sc, const weld_canon *cn)
{
    static const weld_valtype I = WELD_I32, II[3] = {WELD_I32, WELD_I32, WELD_I32}, L = WELD_I64;
    const weld_tnode *t = NULL;
    const weld_functype *sig = NULL;
    switch (cn->op) {
    case 0x00: { /* lift */
        const weld_tnode *cf = NULL, *ft = NULL;
        TRY(get(b, sc, WELD_TS_CORE_FUNC, cn->a, &cf));
        TRY(get(b, sc, WELD_TS_TYPE, cn->b, &ft));
        if (ft->kind != WELD_TK_FUNC) return INVALID("type index %u is not a function type", cn->b);
        for (uint32_t i = 0; i < cn->nopts; i++) {
            int space = cn->opts[i].kind == 3 ? WELD_TS_CORE_MEMORY
                        : cn->opts[i].kind >= 4 ? WELD_TS_CORE_FUNC : -1;
            if (space >= 0) TRY(get(b, sc, space, cn->opts[i].index, &t));
        }
        return push(b, sc, WELD_TS_FUNC, ft);
    }
    case 0x01: { /* lower */
        const weld_tnode *ft = NULL;
        TRY(get(b, sc, WELD_TS_FUNC, cn->a, &ft));
        for (uint32_t i = 0; i < cn->nopts; i++) {
            int space = cn->opts[i].kind == 3 ? WELD_TS_CORE_MEMORY
                        : cn->opts[i].kind >= 4 ? WELD_TS_CORE_FUNC : -1;
            if (space >= 0) TRY(get(b, sc, space, cn->opts[i].index, &t));
        }
        if (!(sig = flat_sig(b, ft, true))) return NOMEM();
        break;
    }
    case 0x02:
    case 0x03:
    case 0x04: { /* resource.new / drop / rep */
        const weld_tnode *r = NULL;
        TRY(resource_of(b, sc, cn->a, &r));
        if (cn->op != 0x03 && !r->u.resource.defined)
            return INVALID("type %u is not a local resource", cn->a);
        weld_valtype rep = r->u.resource.defined ? r->u.resource.rep : WELD_I32;
        sig = cn->op == 0x02 ? mkfunc(b, &rep, 1, &I, 1)
              : cn->op == 0x03 ? mkfunc(b, &I, 1, NULL, 0)
                               : mkfunc(b, &I, 1, &rep, 1);
        break;
    }
    case 0x09: { /* task.return */
        flat p = {.n = 0};
        if (cn->has_result) {
            const weld_tnode *rt = NULL;
            TRY(valtype(b, sc, cn->result, &rt));
            flatten(rt, &p, 16);
            if (p.over) {
                p.n = 1;
                p.t[0] = WELD_I32;
            }
        }
        sig = mkfunc(b, p.t, p.n, NULL, 0);
        break;
    }
    case 0x0a: sig = mkfunc(b, NULL, 0, &cn->core_type, 1); break;   /* context.get */
    case 0x0b: sig = mkfunc(b, &cn->core_type, 1, NULL, 0); break;   /* context.set */
    case 0x0e:
    case 0x15: sig = mkfunc(b, NULL, 0, &L, 1); break;                /* stream/future.new */
    case 0x0f:
    case 0x10: sig = mkfunc(b, II, 3, &I, 1); break;                  /* stream.read/write */
    case 0x16:
    case 0x17:
    case 0x1c:
    case 0x20:
    case 0x21: sig = mkfunc(b, II, 2, &I, 1); break;
    case 0x1d:
    case 0x23: sig = mkfunc(b, II, 2, NULL, 0); break;
    case 0x06:
    case 0x11:
    case 0x12:
    case 0x18:
    case 0x19:
    case 0x2a:
    case 0x2b:
    case 0x27: sig = mkfunc(b, &I, 1, &I, 1); break;
    case 0x0d:
    case 0x13:
    case 0x14:
    case 0x1a:
    case 0x1b:
    case 0x1e:
    case 0x22:
    case 0x28: sig = mkfunc(b, &I, 1, NULL, 0); break;
    case 0x0c:
    case 0x1f:
    case 0x26:
    case 0x29:
    case 0x42: sig = mkfunc(b, NULL, 0, &I, 1); break;
    case 0x40:
    case 0x41: sig = mkfunc(b, II, 2, &I, 1); break;
    default: sig = mkfunc(b, NULL, 0, NULL, 0); break; /* task.cancel, backpressure.* */
    }
    if (!sig) return NOMEM();
    TRY(core_func_node(b, sig, WELD_TK_CORE_FUNC, &t));
    return push(b, sc, WELD_TS_CORE_FUNC, t);
}

/* ---- instantiation -------------------------------------------------------------------------- */

static weld_status core_instance(bctx *b, scope *sc, const weld_core_instance *ci)
{
    weld_tnode *inst = new_node(b, WELD_TK_CORE_INSTANCE);
    if (!inst) return NOMEM();
    if (ci->kind == 0x00) {
        const weld_tnode *mod = NULL;
        TRY(get(b, sc, WELD_TS_CORE_MODULE, ci->module, &mod));
        const weld_tnode **args = alloc(b, ci->count * sizeof *args);
        if (!args) return NOMEM();
        for (uint32_t i = 0; i < ci->count; i++) {
            for (uint32_t k = 0; k < i; k++)
                if (str_eq(ci->items[k].name, ci->items[i].name))
                    return INVALID("duplicate module instantiation argument named `%s`",
                                   ci->items[i].name.ptr);
            if (ci->items[i].sort != WELD_CORE_SORT_INSTANCE)
                return INVALID("module instantiation arguments must be core instances");
            TRY(get(b, sc, WELD_TS_CORE_INSTANCE, ci->items[i].index, &args[i]));
        }
        for (uint32_t i = 0; i < mod->u.core_module.nimports; i++) {
            const weld_tcore_extern *imp = &mod->u.core_module.imports[i];
            const weld_tnode *arg = NULL;
            for (uint32_t k = 0; k < ci->count && !arg; k++)
                if (str_eq(ci->items[k].name, imp->module)) arg = args[k];
            if (!arg) return INVALID("missing module instantiation argument named `%s`", imp->module.ptr);
            const weld_tcore_extern *e = NULL;
            for (uint32_t k = 0; k < arg->u.core_module.nexports && !e; k++)
                if (str_eq(arg->u.core_module.exports[k].name, imp->name))
                    e = &arg->u.core_module.exports[k];
            if (!e)
                return INVALID("module instantiation argument `%s` does not export an item named `%s`",
                               imp->module.ptr, imp->name.ptr);
            char why[512];
            if (!ctypes_core_subtype(e->type, imp->type, why, sizeof why))
                return INVALID("type mismatch for export `%s` of module instantiation argument `%s` %s",
                               imp->name.ptr, imp->module.ptr, why);
        }
        inst->u.core_module.nexports = mod->u.core_module.nexports;
        inst->u.core_module.exports = mod->u.core_module.exports;
    } else {
        weld_tcore_extern *exps = alloc(b, ci->count * sizeof *exps);
        if (!exps) return NOMEM();
        for (uint32_t i = 0; i < ci->count; i++) {
            const weld_core_arg *it = &ci->items[i];
            for (uint32_t k = 0; k < i; k++)
                if (str_eq(ci->items[k].name, it->name))
                    return INVALID("duplicate instantiation export name `%s` already defined",
                                   it->name.ptr);
            weld_sort s = {WELD_SORT_CORE, it->sort};
            int space = weld_tspace_of(s);
            if (space < 0 || space > WELD_TS_CORE_TAG)
                return INVALID("invalid core export kind in an inline instance");
            TRY(get(b, sc, space, it->index, &exps[i].type));
            exps[i].name = it->name;
            exps[i].module = (weld_str){"", 0};
        }
        inst->u.core_module.nexports = ci->count;
        inst->u.core_module.exports = exps;
    }
    return push(b, sc, WELD_TS_CORE_INSTANCE, inst);
}

static weld_status item_type(bctx *b, scope *sc, weld_sortidx it, uint8_t *sort,
                             const weld_tnode **out)
{
    int space = weld_tspace_of(it.sort);
    *sort = ext_of_sort(it.sort);
    if (space < 0 || *sort == 0xff) return INVALID("invalid sort for a component item");
    return get(b, sc, space, it.index, out);
}

static weld_status instance(bctx *b, scope *sc, const weld_instance *in)
{
    weld_tnode *inst = new_node(b, WELD_TK_INSTANCE);
    if (!inst) return NOMEM();
    if (in->kind == 0x00) {
        const weld_tnode *comp = NULL;
        TRY(get(b, sc, WELD_TS_COMPONENT, in->component, &comp));
        uint8_t *sorts = alloc(b, in->count + 1);
        const weld_tnode **types = alloc(b, (in->count + 1) * sizeof *types);
        if (!sorts || !types) return NOMEM();
        for (uint32_t i = 0; i < in->count; i++) {
            for (uint32_t k = 0; k < i; k++)
                if (str_eq(in->items[k].name.name, in->items[i].name.name))
                    return INVALID("instantiation argument `%s` conflicts with previous argument `%s`",
                                   in->items[i].name.name.ptr, in->items[k].name.name.ptr);
            TRY(item_type(b, sc, in->items[i].item, &sorts[i], &types[i]));
        }
        subcx cx = {.bind_expected = comp};
        char why[768];
        cx.why = why;
        cx.cap = sizeof why;
        weld_status st = WELD_OK;
        for (uint32_t i = 0; i < comp->u.ext.nimports && !st; i++) {
            const weld_textern *imp = &comp->u.ext.imports[i];
            uint32_t k = 0;
            while (k < in->count && !str_eq(in->items[k].name.name, imp->name)) k++;
            if (k == in->count) st = INVALID("missing import named `%s`", imp->name.ptr);
            else if (!ctypes_subtype_ext(&cx, sorts[k], types[k], imp->sort, imp->type))
                st = INVALID("type mismatch for import `%s` %s", imp->name.ptr, why);
        }
        /* exports: bound imports replaced by the arguments, the rest made fresh */
        pmap memo = {0};
        for (uint32_t i = 0; i < comp->u.ext.nexports && !st; i++)
            if (!ctypes_fresh_resources(b->a, comp->u.ext.exports[i].type, comp, sc->self, &cx.map))
                st = NOMEM();
        weld_textern *exps = st ? NULL : alloc(b, comp->u.ext.nexports * sizeof *exps);
        if (!st && !exps) st = NOMEM();
        for (uint32_t i = 0; i < comp->u.ext.nexports && !st; i++) {
            exps[i] = comp->u.ext.exports[i];
            exps[i].index = UINT32_MAX;
            if (!(exps[i].type = ctypes_subst(b->a, &cx.map, &memo, exps[i].type))) st = NOMEM();
        }
        pmap_free(&memo);
        pmap_free(&cx.map);
        if (st) return st;
        inst->u.ext.nexports = comp->u.ext.nexports;
        inst->u.ext.exports = exps;
    } else {
        weld_textern *exps = alloc(b, in->count * sizeof *exps);
        if (!exps) return NOMEM();
        for (uint32_t i = 0; i < in->count; i++) {
            for (uint32_t k = 0; k < i; k++)
                if (str_eq(in->items[k].name.name, in->items[i].name.name))
                    return INVALID("export name `%s` conflicts with previous name `%s`",
                                   in->items[i].name.name.ptr, in->items[k].name.name.ptr);
            exps[i].name = in->items[i].name.name;
            exps[i].index = UINT32_MAX;
            TRY(item_type(b, sc, in->items[i].item, &exps[i].sort, &exps[i].type));
        }
        inst->u.ext.nexports = in->count;
        inst->u.ext.exports = exps;
    }
    return push(b, sc, WELD_TS_INSTANCE, inst);
}

/* ---- components ------------------------------------------------------------------------------ */

static weld_status component(bctx *b, scope *sc, const weld_component *c);

static weld_status nested_component(bctx *b, scope *parent, const weld_component *c,
                                    const weld_tnode **out)
{
    scope sc = {.parent = parent, .kind = SC_COMPONENT};
    weld_tnode *final = new_node(b, WELD_TK_COMPONENT);
    if (!final) return NOMEM();
    weld_status st = WELD_OK;
    if (++b->depth > 100) st = INVALID("component nesting too deep");
    if (!st) st = component(b, &sc, c);
    b->depth--;
    const weld_tnode *t = NULL;
    if (!st) st = finish_ext(b, &sc, WELD_TK_COMPONENT, &t);
    scope_free(&sc);
    if (st) return st;
    /* seen from outside, the component's own resources are bound by its type */
    pmap map = {0}, memo = {0};
    if (!ctypes_fresh_resources(b->a, t, NULL, final, &map)) st = NOMEM();
    const weld_tnode *s = st ? NULL : ctypes_subst(b->a, &map, &memo, t);
    if (!st && !s) st = NOMEM();
    pmap_free(&map);
    pmap_free(&memo);
    if (st) return st;
    *final = *s;
    *out = final;
    return WELD_OK;
}

static weld_status add_extern(bctx *b, scope *sc, bool import, weld_str name, uint8_t sort,
                              const weld_tnode *t)
{
    int space = space_of_ext(sort);
    weld_textern e = {name, sort, t, sc->sp[space].n};
    TRY(push(b, sc, space, t));
    if (!exvec_push(import ? &sc->imports : &sc->exports, e)) return NOMEM();
    return WELD_OK;
}

static weld_status component(bctx *b, scope *sc, const weld_component *c)
{
    for (uint32_t s = 0; s < c->nsections; s++) {
        const weld_csection *sec = &c->sections[s];
        b->off = sec->offset;
        const weld_tnode *t = NULL;
        switch (sec->id) {
        case WELD_CSEC_CUSTOM: break;
        case WELD_CSEC_CORE_MODULE: {
            const weld_nested_module *nm = sec->u.module;
            const weld_module *m = nm->module;
            if (!m) {
                weld_module *rm;
                weld_read_opts ro = {.skip_bodies = true, .base_offset = nm->offset};
                TRY(weld_module_read(b->a, nm->data, nm->len, &ro, &rm, b->d));
                m = rm;
            }
            if (b->validate) TRY(weld_validate_module(m, b->d));
            TRY(module_node(b, m, &t));
            TRY(push(b, sc, WELD_TS_CORE_MODULE, t));
            break;
        }
        case WELD_CSEC_CORE_INSTANCE:
            for (uint32_t i = 0; i < sec->count; i++) TRY(core_instance(b, sc, &sec->u.core_instances[i]));
            break;
        case WELD_CSEC_CORE_TYPE:
            for (uint32_t i = 0; i < sec->count; i++) {
                TRY(core_type(b, sc, sec->u.core_types[i], &t));
                TRY(push(b, sc, WELD_TS_CORE_TYPE, t));
            }
            break;
        case WELD_CSEC_COMPONENT:
            TRY(nested_component(b, sc, sec->u.component, &t));
            TRY(push(b, sc, WELD_TS_COMPONENT, t));
            break;
        case WELD_CSEC_INSTANCE:
            for (uint32_t i = 0; i < sec->count; i++) TRY(instance(b, sc, &sec->u.instances[i]));
            break;
        case WELD_CSEC_ALIAS:
            for (uint32_t i = 0; i < sec->count; i++) TRY(alias(b, sc, &sec->u.aliases[i]));
            break;
        case WELD_CSEC_TYPE:
            for (uint32_t i = 0; i < sec->count; i++) {
                TRY(deftype(b, sc, sec->u.types[i], &t));
                TRY(push(b, sc, WELD_TS_TYPE, t));
            }
            break;
        case WELD_CSEC_CANON:
            for (uint32_t i = 0; i < sec->count; i++) TRY(canon(b, sc, &sec->u.canons[i]));
            break;
        case WELD_CSEC_START: {
            const weld_cstart *st = sec->u.start;
            const weld_tnode *f = NULL;
            TRY(get(b, sc, WELD_TS_FUNC, st->func, &f));
            for (uint32_t i = 0; i < st->nargs; i++) TRY(get(b, sc, WELD_TS_VALUE, st->args[i], &t));
            if (f->u.func.result && st->nresults == 1) TRY(push(b, sc, WELD_TS_VALUE, f->u.func.result));
            break;
        }
        case WELD_CSEC_IMPORT:
            for (uint32_t i = 0; i < sec->count; i++) {
                const weld_cimport *im = &sec->u.imports[i];
                TRY(extern_type(b, sc, &im->type, im->name.name, &t));
                TRY(add_extern(b, sc, true, im->name.name, im->type.kind, t));
            }
            break;
        case WELD_CSEC_EXPORT:
            for (uint32_t i = 0; i < sec->count; i++) {
                const weld_cexport *ex = &sec->u.exports[i];
                uint8_t sort;
                TRY(item_type(b, sc, ex->item, &sort, &t));
                if (ex->has_type) {
                    const weld_tnode *asc = NULL;
                    TRY(extern_type(b, sc, &ex->type, ex->name.name, &asc));
                    char why[768];
                    subcx cx = {.why = why, .cap = sizeof why};
                    bool ok = ctypes_subtype_ext(&cx, sort, t, ex->type.kind, asc);
                    pmap_free(&cx.map);
                    if (!ok) {
                        if (asc->kind == WELD_TK_RESOURCE && t->kind == WELD_TK_RESOURCE) ok = true;
                        else return INVALID("ascribed type of export is not compatible with item's type %s", why);
                    }
                    if (asc->kind != WELD_TK_RESOURCE) t = asc;
                }
                TRY(add_extern(b, sc, false, ex->name.name, sort, t));
            }
            break;
        case WELD_CSEC_VALUE:
            for (uint32_t i = 0; i < sec->count; i++) {
                TRY(valtype(b, sc, sec->u.values[i].type, &t));
                TRY(push(b, sc, WELD_TS_VALUE, t));
            }
            break;
        default: return INVALID("unknown component section id %u", sec->id);
        }
    }
    return WELD_OK;
}

weld_status weld_ctypes_build(const weld_component *c, const weld_ctypes_opts *opts,
                              weld_ctypes **out, weld_diag *d)
{
    *out = NULL;
    weld_ctypes *m = calloc(1, sizeof *m);
    if (!m || !(m->arena = weld_arena_new())) {
        free(m);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    }
    bctx b = {.m = m, .a = m->arena, .d = d, .validate = opts && opts->validate};
    m->root.kind = SC_COMPONENT;
    weld_status st = component(&b, &m->root, c);
    const weld_tnode *self = NULL;
    if (!st) st = finish_ext(&b, &m->root, WELD_TK_COMPONENT, &self);
    if (st) {
        weld_ctypes_free(m);
        return st;
    }
    m->self = self;
    *out = m;
    return WELD_OK;
}

void weld_ctypes_free(weld_ctypes *m)
{
    if (!m) return;
    scope_free(&m->root);
    weld_arena_free(m->arena);
    free(m);
}

const weld_tnode *weld_ctypes_self(const weld_ctypes *m) { return m->self; }

uint32_t weld_ctypes_count(const weld_ctypes *m, int space)
{
    return space >= 0 && space < WELD_TS_COUNT ? m->root.sp[space].n : 0;
}

const weld_tnode *weld_ctypes_get(const weld_ctypes *m, int space, uint32_t index)
{
    if (space < 0 || space >= WELD_TS_COUNT || index >= m->root.sp[space].n) return NULL;
    return m->root.sp[space].v[index];
}
