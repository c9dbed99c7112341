/* ctypes_build.c - building the component type model: every section of a component,
 * in order, grows the index spaces of its sorts, and every entry gets its type node. */
#include "comp.h"
#include "layout.h"
#include "names.h"
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
    weld_tnode acc;   /* size, depth, flags of the imports and exports so far (size 0: none) */
    /* validation state */
    pmap named_imp, named_exp; /* types valid to appear in imports / exports */
    exvec rnames_imp, rnames_exp; /* resource names registered by imports / exports */
    uint8_t *value_uses;          /* per value index: times used */
    uint32_t value_cap;
};

/* The index spaces of a nested component as seen from inside it, kept for the runtime. */
typedef struct saved_spaces {
    uint32_t n[WELD_TS_COUNT];
    const weld_tnode *const *v[WELD_TS_COUNT];
} saved_spaces;

struct weld_ctypes {
    weld_arena *arena;
    scope root;
    const weld_component *comp;
    pmap nested; /* const weld_component * -> saved_spaces */
    const weld_tnode *self;
    const weld_tnode *prims[256];
};

typedef struct bctx {
    weld_ctypes *m;
    weld_arena *a;
    weld_diag *d;
    bool validate;
    bool gate;         /* refuse what `features` leaves out */
    uint64_t features; /* WELD_FEAT_* */
    bool skip_bodies; /* nested modules are validated by the caller */
    uint64_t off;   /* offset reported for the item being checked */
    uint32_t depth; /* scopes open */
    weld_validator *validator; /* for nested core modules, made on first use */
    canon_layouts layouts;     /* flattening of canon signatures (made on first use) */
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

/* A feature outside the validated set: wasmparser's message. */
#define FEATURE(bit, ...) \
    do { \
        if (b->gate && !(b->features & (bit))) return INVALID(__VA_ARGS__); \
    } while (0)

/* cm-nested-names, asked for */
#define NESTED_NAMES(b) ((b)->gate && ((b)->features & WELD_FEAT_CM_NESTED_NAMES))

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
    pmap_free(&sc->named_imp);
    pmap_free(&sc->named_exp);
    free(sc->rnames_imp.v);
    free(sc->rnames_exp.v);
    free(sc->value_uses);
    sc->imports.v = sc->exports.v = sc->rnames_imp.v = sc->rnames_exp.v = NULL;
    sc->value_uses = NULL;
}

static weld_status push(bctx *b, scope *sc, int space, const weld_tnode *t)
{
    if (space == WELD_TS_VALUE) FEATURE(WELD_FEAT_CM_VALUES, "support for component model `value`s is not enabled");
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
    /* wasmparser checks the feature before the index */
    if (space == WELD_TS_VALUE) FEATURE(WELD_FEAT_CM_VALUES, "support for component model `value`s is not enabled");
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
    if (p == WELD_CV_ERROR_CONTEXT)
        FEATURE(WELD_FEAT_CM_ERROR_CONTEXT, "`error-context` requires the component model error-context feature");
    if (!b->m->prims[p]) {
        weld_tnode *t = new_node(b, WELD_TK_PRIM);
        if (!t) return NOMEM();
        t->u.prim = p;
        tinfo_leaf(t);
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
static weld_status check_deftype(bctx *b, const weld_tnode *t);

/* The limits wasmparser puts on a type, in its words. */
static weld_status tinfo_error(bctx *b, int r)
{
    if (r == TINFO_DEPTH) return INVALID("type nesting is too deep");
    if (r == TINFO_SIZE) return INVALID("effective type size exceeds the limit of %u", CTYPES_MAX_TYPE_SIZE);
    return WELD_OK;
}

static weld_status account(bctx *b, weld_tnode *t) { return tinfo_error(b, tinfo_node(t)); }

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
    if (ct->kind == WELD_CT_FIXED_LIST)
        FEATURE(WELD_FEAT_CM_FIXED_LENGTH_LISTS, "Fixed-length lists require the component model fixed-length lists feature");
    if (ct->kind == WELD_CT_MAP) FEATURE(WELD_FEAT_CM_MAP, "Maps require the component model map feature");
    if (ct->kind == WELD_CT_FUNC_ASYNC)
        FEATURE(WELD_FEAT_CM_ASYNC, "async component functions require the component model async feature");
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
        bool i64_ok = b->gate && (b->features & WELD_FEAT_CM64); /* cm64, asked for */
        if (ct->u.resource.rep != WELD_I32 && !(ct->u.resource.rep == WELD_I64 && i64_ok)) {
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
    TRY(account(b, t));
    if (b->validate) TRY(check_deftype(b, t));
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
    TRY(account(b, t));
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
    tinfo_leaf(t);
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
    TRY(account(b, t));
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
    TRY(account(b, t));
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

/* A new name for type t (an `eq` import or export): a copy that knows what it names;
 * resources keep their identity. */
static weld_status alias_type(bctx *b, const weld_tnode *t, const weld_tnode **out)
{
    if (t->kind == WELD_TK_RESOURCE) {
        *out = t;
        return WELD_OK;
    }
    weld_tnode *n = new_node(b, t->kind);
    if (!n) return NOMEM();
    *n = *t;
    n->alias_of = t;
    *out = n;
    return WELD_OK;
}

/* Give the resources that `t` binds fresh identities bound by the current scope. */
static weld_status freshen(bctx *b, scope *sc, const weld_tnode *t, const weld_tnode **out)
{
    pmap map = {0}, memo = {0};
    weld_status st = WELD_OK;
    if (!(*out = ctypes_refresh(b->a, &map, &memo, t, t, sc->self))) st = NOMEM();
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
    case WELD_EXT_VALUE:
        FEATURE(WELD_FEAT_CM_VALUES, "support for component model `value`s is not enabled");
        return valtype(b, sc, e->val, out);
    case WELD_EXT_TYPE:
        if (e->bound == 0x00) {
            TRY(get(b, sc, WELD_TS_TYPE, e->index, out));
            return alias_type(b, *out, out);
        }
        if (e->bound == 0x01) {
            weld_tnode *r = new_node(b, WELD_TK_RESOURCE);
            if (!r) return NOMEM();
            r->u.resource.name = name;
            r->u.resource.scope = sc->self;
            r->u.resource.rep = WELD_I32;
            tinfo_leaf(r);
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
        /* the import or export is about to be accounted into the scope's type: fail
         * before copying a type that cannot fit */
        {
            weld_tnode acc = sc->acc;
            if (!acc.size) tinfo_leaf(&acc);
            TRY(tinfo_error(b, tinfo_combine(&acc, *out)));
        }
        return freshen(b, sc, *out, out);
    default: return INVALID("unknown extern kind 0x%02x", e->kind);
    }
}

/* Does t refer to a resource that is concrete (not bound by a type)? */
static bool refers_to_concrete_resource(const weld_tnode *t, int depth)
{
    if (!t || depth > 64 || !(t->flags & WELD_TF_RESOURCE)) return false;
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

/* ---- validation: named types ------------------------------------------------------------
 * A type that appears in an import or export must be reachable by name: records, variants,
 * enums, flags and resources must themselves have been imported or exported (wasmparser's
 * "valid to be used as import/export"). */

static bool named_val(const weld_tnode *t, const pmap *set, int depth)
{
    if (!t || depth > 200) return true;
    switch (t->kind) {
    case WELD_TK_PRIM: return true;
    case WELD_TK_RECORD:
    case WELD_TK_VARIANT:
    case WELD_TK_ENUM:
    case WELD_TK_FLAGS: return pmap_get(set, t) != NULL;
    case WELD_TK_TUPLE:
        for (uint32_t i = 0; i < t->u.tuple.count; i++)
            if (!named_val(t->u.tuple.types[i], set, depth + 1)) return false;
        return true;
    case WELD_TK_RESULT:
        return named_val(t->u.result.ok, set, depth + 1) && named_val(t->u.result.err, set, depth + 1);
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST: return named_val(t->u.list.elem, set, depth + 1);
    case WELD_TK_OPTION: return named_val(t->u.option, set, depth + 1);
    case WELD_TK_MAP:
        return named_val(t->u.map.key, set, depth + 1) && named_val(t->u.map.value, set, depth + 1);
    case WELD_TK_OWN:
    case WELD_TK_BORROW: return pmap_get(set, t->u.handle) != NULL;
    case WELD_TK_STREAM:
    case WELD_TK_FUTURE: return named_val(t->u.elem, set, depth + 1);
    default: return true;
    }
}

/* The first layer of a defined type: its parts must be named. */
static bool named_parts(const weld_tnode *t, const pmap *set)
{
    switch (t->kind) {
    case WELD_TK_RECORD:
    case WELD_TK_VARIANT:
        for (uint32_t i = 0; i < t->u.record.count; i++)
            if (!named_val(t->u.record.fields[i].type, set, 0)) return false;
        return true;
    case WELD_TK_PRIM:
    case WELD_TK_FLAGS:
    case WELD_TK_ENUM: return true;
    default: return named_val(t, set, 0);
    }
}

static bool named_func(const weld_tnode *f, const pmap *set)
{
    for (uint32_t i = 0; i < f->u.func.nparams; i++)
        if (!named_val(f->u.func.params[i].type, set, 0)) return false;
    return named_val(f->u.func.result, set, 0);
}

static bool named_any(const weld_tnode *t, const pmap *set, int depth);

static bool named_instance(const weld_tnode *inst, const pmap *set, int depth)
{
    if (depth > 100) return true;
    for (uint32_t i = 0; i < inst->u.ext.nexports; i++) {
        const weld_textern *e = &inst->u.ext.exports[i];
        bool ok = true;
        switch (e->sort) {
        case WELD_EXT_FUNC: ok = named_func(e->type, set); break;
        case WELD_EXT_TYPE: ok = named_any(e->type, set, depth + 1); break;
        case WELD_EXT_VALUE: ok = e->type->kind == WELD_TK_PRIM || named_parts(e->type, set); break;
        case WELD_EXT_INSTANCE: ok = named_instance(e->type, set, depth + 1); break;
        default: break;
        }
        if (!ok) return false;
    }
    return true;
}

static bool named_any(const weld_tnode *t, const pmap *set, int depth)
{
    switch (t->kind) {
    case WELD_TK_RESOURCE:
    case WELD_TK_COMPONENT: return true;
    case WELD_TK_FUNC: return named_func(t, set);
    case WELD_TK_INSTANCE: return named_instance(t, set, depth);
    default: return named_parts(t->alias_of ? t->alias_of : t, set);
    }
}

/* Record the resource names an import or export brings, for `[method]` and friends. */
static weld_status register_resource_name(bctx *b, scope *sc, bool import, weld_str name,
                                          const weld_tnode *t)
{
    exvec *v = import ? &sc->rnames_imp : &sc->rnames_exp;
    weld_textern e = {name, WELD_EXT_TYPE, t, 0};
    if (!exvec_push(v, e)) return NOMEM();
    return WELD_OK;
}

/* wasmparser's validate_and_register_named_types; *ok = false when t may not be used. */
static weld_status register_named(bctx *b, scope *sc, bool import, uint8_t sort,
                                  const weld_tnode *t, bool *ok)
{
    *ok = true;
    if (sc->kind == SC_INSTANCE_TYPE) return WELD_OK;
    pmap *set = import ? &sc->named_imp : &sc->named_exp;
    switch (sort) {
    case WELD_EXT_TYPE:
        if (!named_any(t, set, 0)) {
            *ok = false;
            return WELD_OK;
        }
        if (!pmap_put(&sc->named_exp, t, t) || (import && !pmap_put(&sc->named_imp, t, t)))
            return NOMEM();
        return WELD_OK;
    case WELD_EXT_INSTANCE:
        for (uint32_t i = 0; i < t->u.ext.nexports && *ok; i++)
            TRY(register_named(b, sc, import, t->u.ext.exports[i].sort, t->u.ext.exports[i].type, ok));
        return WELD_OK;
    case WELD_EXT_FUNC: *ok = named_func(t, set); return WELD_OK;
    case WELD_EXT_VALUE: *ok = named_val(t, set, 0); return WELD_OK;
    default: return WELD_OK;
    }
}

/* ---- validation: extern names ----------------------------------------------------------- */

static const weld_tnode *registered_name(const exvec *v, const weld_tnode *res, weld_str *name)
{
    for (uint32_t i = 0; i < v->n; i++)
        if (v->v[i].type == res) {
            *name = v->v[i].name;
            return res;
        }
    return NULL;
}

/* The `[constructor]`/`[method]`/`[static]` and version rules of one name; NULL when it
 * is valid, else the reason (in buf). */
static const char *name_rule(const scope *sc, bool import, const cname_info *ni, uint8_t sort,
                             const weld_tnode *t, char *buf, size_t cap)
{
    const exvec *ctx = import ? &sc->rnames_imp : &sc->rnames_exp;
    const weld_tnode *res = NULL;
    switch (ni->kind) {
    case CNAME_INTERFACE:
        if (ni->has_version) {
            char e[256];
            if (!cname_semver(ni->version, ni->version_len, e, sizeof e)) {
                snprintf(buf, cap, "invalid interface version: %s", e);
                return buf;
            }
        }
        return NULL;
    case CNAME_CONSTRUCTOR: {
        if (sort != WELD_EXT_FUNC) return "item is not a func";
        if (t->u.func.async) return "constructor function cannot be async";
        const weld_tnode *r = t->u.func.result;
        if (!r) return "function should return one value";
        if (r->kind == WELD_TK_OWN) res = r->u.handle;
        else if (r->kind == WELD_TK_RESULT && r->u.result.ok && r->u.result.ok->kind == WELD_TK_OWN)
            res = r->u.result.ok->u.handle;
        if (!res) return "function should return `(own $T)` or `(result (own $T))`";
        break;
    }
    case CNAME_METHOD: {
        if (sort != WELD_EXT_FUNC) return "item is not a func";
        if (t->u.func.nparams == 0) return "function should have at least one argument";
        const weld_tfield *p = &t->u.func.params[0];
        if (p->name.len != 4 || memcmp(p->name.ptr, "self", 4) != 0)
            return "function should have a first argument called `self`";
        if (p->type->kind != WELD_TK_BORROW) return "function should take a first argument of `(borrow $T)`";
        res = p->type->u.handle;
        break;
    }
    case CNAME_STATIC:
        if (sort != WELD_EXT_FUNC) return "item is not a func";
        for (uint32_t i = 0; i < ctx->n; i++)
            if (ctx->v[i].name.len == ni->resource_len &&
                memcmp(ctx->v[i].name.ptr, ni->resource, ni->resource_len) == 0)
                return NULL;
        return "static resource name is not known in this context";
    default: return NULL;
    }
    weld_str expected;
    if (!registered_name(ctx, res, &expected))
        return "resource used in function does not have a name in this context";
    if (expected.len != ni->resource_len || memcmp(expected.ptr, ni->resource, expected.len) != 0) {
        snprintf(buf, cap, "function does not match expected resource name `%s`", expected.ptr);
        return buf;
    }
    return NULL;
}

/* Do two parsed names collide (wasmparser's ComponentName equality)? */
static bool names_collide(const char *a, size_t an, const cname_info *x, const char *b, size_t bn,
                          const cname_info *y)
{
    if (an == bn && memcmp(a, b, an) == 0) return true;
    bool xm = x->kind == CNAME_METHOD || x->kind == CNAME_STATIC;
    bool ym = y->kind == CNAME_METHOD || y->kind == CNAME_STATIC;
    if (xm && ym)
        return cname_kebab_eq(x->resource, x->resource_len, y->resource, y->resource_len) &&
               cname_kebab_eq(x->method, x->method_len, y->method, y->method_len);
    /* `[method]l.l` is the same name as `l` */
    if ((x->kind == CNAME_LABEL && ym) || (xm && y->kind == CNAME_LABEL)) {
        const cname_info *m = xm ? x : y;
        const char *l = xm ? b : a;
        size_t ln = xm ? bn : an;
        return cname_kebab_eq(m->resource, m->resource_len, m->method, m->method_len) &&
               cname_kebab_eq(l, ln, m->resource, m->resource_len);
    }
    if (x->kind != y->kind) return false;
    switch (x->kind) {
    case CNAME_LABEL: return cname_kebab_eq(a, an, b, bn);
    case CNAME_CONSTRUCTOR:
        return cname_kebab_eq(x->resource, x->resource_len, y->resource, y->resource_len);
    default: return false;
    }
}

/* Check an import or export name: its syntax, its rules, and that it is new among
 * `prior` (the names already imported or exported in this scope). */
static weld_status check_extern_name(bctx *b, scope *sc, bool import, weld_str name, uint8_t sort,
                                     const weld_tnode *t, const exvec *prior)
{
    const char *kd = import ? "import" : "export";
    char err[512], buf[512];
    cname_info ni;
    if (!cname_parse_ex(name.ptr, name.len, NESTED_NAMES(b), &ni, err, sizeof err))
        return INVALID("%s name `%s` is not a valid extern name %s", kd, name.ptr, err);
    if (!import && (ni.kind == CNAME_DEPENDENCY || ni.kind == CNAME_URL || ni.kind == CNAME_HASH))
        return INVALID("name `%s` is not a valid export name", name.ptr);
    const char *why = name_rule(sc, import, &ni, sort, t, buf, sizeof buf);
    if (why) return INVALID("%s name `%s` is not valid %s", kd, name.ptr, why);
    for (uint32_t i = 0; i < prior->n; i++) {
        cname_info pi;
        weld_str pn = prior->v[i].name;
        if (!cname_parse_ex(pn.ptr, pn.len, NESTED_NAMES(b), &pi, err, sizeof err)) continue;
        if (names_collide(name.ptr, name.len, &ni, pn.ptr, pn.len, &pi))
            return INVALID("%s name `%s` conflicts with previous name `%s`", kd, name.ptr, pn.ptr);
    }
    return WELD_OK;
}

/* Everything an import or export declares, in wasmparser's order: named types (and
 * resource names), then the name itself. */
static weld_status check_extern(bctx *b, scope *sc, bool import, weld_str name, uint8_t sort,
                                const weld_tnode *t)
{
    if (sort == WELD_EXT_TYPE && t->kind == WELD_TK_RESOURCE)
        TRY(register_resource_name(b, sc, import, name, t));
    bool ok;
    TRY(register_named(b, sc, import, sort, t, &ok));
    if (!ok) {
        const char *what = sort == WELD_EXT_FUNC ? "func" : sort == WELD_EXT_TYPE ? "type"
                           : sort == WELD_EXT_INSTANCE ? "instance" : ctypes_sort_desc(sort);
        return INVALID("%s not valid to be used as %s", what, import ? "import" : "export");
    }
    return check_extern_name(b, sc, import, name, sort, t, import ? &sc->imports : &sc->exports);
}

/* ---- validation: type definitions ---------------------------------------------------------- */

static weld_status check_labels(bctx *b, const char *desc, const char *prevdesc, const weld_str *names,
                                uint32_t n, size_t stride)
{
    for (uint32_t i = 0; i < n; i++) {
        const weld_str *s = (const weld_str *)((const char *)names + i * stride);
        if (!cname_is_kebab(s->ptr, s->len)) return INVALID("%s name `%s` is not in kebab case", desc, s->ptr);
        for (uint32_t k = 0; k < i; k++) {
            const weld_str *p = (const weld_str *)((const char *)names + k * stride);
            if (cname_kebab_eq(s->ptr, s->len, p->ptr, p->len))
                return INVALID("%s name `%s` conflicts with previous %s name `%s`", desc, s->ptr,
                               prevdesc, p->ptr);
        }
    }
    return WELD_OK;
}

/* The well-formedness rules of a defined type (wasmparser's messages). */
static weld_status check_deftype(bctx *b, const weld_tnode *t)
{
    switch (t->kind) {
    case WELD_TK_RECORD:
        if (!t->u.record.count) return INVALID("record type must have at least one field");
        return check_labels(b, "record field", "field", &t->u.record.fields[0].name,
                            t->u.record.count, sizeof(weld_tfield));
    case WELD_TK_VARIANT:
        if (!t->u.variant.count) return INVALID("variant type must have at least one case");
        return check_labels(b, "variant case", "case", &t->u.variant.cases[0].name,
                            t->u.variant.count, sizeof(weld_tfield));
    case WELD_TK_TUPLE:
        if (!t->u.tuple.count) return INVALID("tuple type must have at least one type");
        return WELD_OK;
    case WELD_TK_FLAGS:
        if (!t->u.labels.count) return INVALID("flags must have at least one entry");
        if (t->u.labels.count > 32) return INVALID("cannot have more than 32 flags");
        return check_labels(b, "flag", "flag", t->u.labels.names, t->u.labels.count, sizeof(weld_str));
    case WELD_TK_ENUM:
        if (!t->u.labels.count) return INVALID("enum type must have at least one variant");
        return check_labels(b, "enum tag", "tag", t->u.labels.names, t->u.labels.count, sizeof(weld_str));
    case WELD_TK_FIXED_LIST:
        if (!t->u.list.len) return INVALID("Fixed size lists must have more than zero elements");
        return WELD_OK;
    case WELD_TK_FUNC:
        if (t->u.func.nparams)
            TRY(check_labels(b, "function parameter", "parameter", &t->u.func.params[0].name,
                             t->u.func.nparams, sizeof(weld_tfield)));
        if ((t->u.func.result && (t->u.func.result->flags & WELD_TF_BORROW)))
            return INVALID("function result cannot contain a `borrow` type");
        return WELD_OK;
    default: return WELD_OK;
    }
}

/* ---- component and instance types ---------------------------------------------------- */

/* Account an import or export into the scope's type as wasmparser does, when it is added. */
static weld_status account_extern(bctx *b, scope *sc, const weld_tnode *t)
{
    if (!sc->acc.size) tinfo_leaf(&sc->acc);
    return tinfo_error(b, tinfo_combine(&sc->acc, t));
}

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
    if (!sc->acc.size) tinfo_leaf(&sc->acc);
    t->size = sc->acc.size;
    t->depth = sc->acc.depth;
    t->flags = sc->acc.flags;
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
            st = account_extern(b, &sc, t);
            if (!st) st = push(b, &sc, space_of_ext(e.sort), t);
            if (!st && b->validate)
                st = check_extern(b, &sc, dcl->kind == WELD_DECL_IMPORT, e.name, e.sort, t);
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

/* Flatten a value type (Canonical ABI `flatten_type`) onto f, up to `limit` core values,
 * with the one layout routine the runtime uses too (comp/layout.h). */
static weld_status flatten(bctx *b, const weld_tnode *t, flat *f, uint32_t limit)
{
    if (f->over) return WELD_OK;
    if (!b->layouts.arena && !(b->layouts.arena = weld_arena_new())) return NOMEM();
    const canon_layout *l = canon_layout_of(&b->layouts, t);
    if (!l) return NOMEM();
    if (l->over) {
        f->over = true;
        return WELD_OK;
    }
    for (uint32_t i = 0; i < l->nflat; i++) flat_push(f, l->flat[i], limit);
    return WELD_OK;
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

static bool contains_ptr(const weld_tnode *t, int depth)
{
    if (!t || depth > 200) return false;
    switch (t->kind) {
    case WELD_TK_PRIM: return t->u.prim == WELD_CV_STRING;
    case WELD_TK_LIST:
    case WELD_TK_MAP: return true;
    case WELD_TK_FIXED_LIST: return contains_ptr(t->u.list.elem, depth + 1);
    case WELD_TK_RECORD:
    case WELD_TK_VARIANT:
        for (uint32_t i = 0; i < t->u.record.count; i++)
            if (contains_ptr(t->u.record.fields[i].type, depth + 1)) return true;
        return false;
    case WELD_TK_TUPLE:
        for (uint32_t i = 0; i < t->u.tuple.count; i++)
            if (contains_ptr(t->u.tuple.types[i], depth + 1)) return true;
        return false;
    case WELD_TK_OPTION: return contains_ptr(t->u.option, depth + 1);
    case WELD_TK_RESULT: return contains_ptr(t->u.result.ok, depth + 1) || contains_ptr(t->u.result.err, depth + 1);
    default: return false;
    }
}

/* Canonical options, checked as wasmparser's check_options does. */
typedef struct copts {
    int enc;                                      /* -1 none, else the option kind 0..2 */
    bool memory, realloc, post_return, async, callback;
    uint32_t realloc_idx, post_idx, callback_idx;
} copts;

static const char *opt_name(uint8_t kind)
{
    static const char *const n[] = {"utf8", "utf16", "latin1-utf16", "memory", "realloc",
                                    "post-return", "async", "callback"};
    return kind < 8 ? n[kind] : "unknown";
}

static weld_status canon_opts(bctx *b, scope *sc, const weld_canon *cn, copts *o)
{
    memset(o, 0, sizeof *o);
    o->enc = -1;
    for (uint32_t i = 0; i < cn->nopts; i++) {
        const weld_canonopt *op = &cn->opts[i];
        const weld_tnode *t = NULL;
        bool *seen = NULL;
        switch (op->kind) {
        case 0:
        case 1:
        case 2:
            if (o->enc >= 0)
                return INVALID("canonical encoding option `%s` conflicts with option `%s`",
                               opt_name((uint8_t)o->enc), opt_name(op->kind));
            o->enc = op->kind;
            continue;
        case 3:
            if (o->memory) return INVALID("canonical option `memory` is specified more than once");
            TRY(get(b, sc, WELD_TS_CORE_MEMORY, op->index, &t));
            o->memory = true;
            continue;
        case 4: seen = &o->realloc; o->realloc_idx = op->index; break;
        case 5: seen = &o->post_return; o->post_idx = op->index; break;
        case 6: seen = &o->async; break;
        case 7: seen = &o->callback; o->callback_idx = op->index; break;
        default: return INVALID("unknown canonical option 0x%02x", op->kind);
        }
        if (*seen) return INVALID("canonical option `%s` is specified more than once", opt_name(op->kind));
        *seen = true;
    }
    if (o->callback && !o->async) return INVALID("cannot specify callback without async");
    if (o->async && o->post_return) return INVALID("cannot specify post-return function in async");
    if (o->realloc) {
        if (!o->memory) return INVALID("canonical option `realloc` requires `memory` to also be specified");
        const weld_tnode *f = NULL;
        TRY(get(b, sc, WELD_TS_CORE_FUNC, o->realloc_idx, &f));
        const weld_functype *ft = f->u.core.func;
        bool ok = ft->nparams == 4 && ft->nresults == 1 && ft->results[0] == WELD_I32;
        for (uint32_t k = 0; ok && k < 4; k++) ok = ft->params[k] == WELD_I32;
        if (!ok) return INVALID("canonical option `realloc` uses a core function with an incorrect signature");
    }
    return WELD_OK;
}

static weld_status require_memory(bctx *b, const copts *o)
{
    if (!o->memory) return INVALID("canonical option `memory` is required");
    return WELD_OK;
}

static weld_status require_realloc(bctx *b, const copts *o)
{
    TRY(require_memory(b, o));
    if (!o->realloc) return INVALID("canonical option `realloc` is required");
    return WELD_OK;
}

/* The core signature of lifting (lower == false) or lowering func type ft with options o,
 * as the Canonical ABI flattens it, requiring the options the types need. */
static weld_status flat_sig(bctx *b, const weld_tnode *ft, bool lower, const copts *o,
                            weld_functype **out)
{
    flat p = {.n = 0}, r = {.n = 0};
    uint32_t max_params = lower && o->async ? 4 : 16;
    for (uint32_t i = 0; i < ft->u.func.nparams; i++) {
        const weld_tnode *pt = ft->u.func.params[i].type;
        if (contains_ptr(pt, 0)) TRY(lower ? require_memory(b, o) : require_realloc(b, o));
        TRY(flatten(b, pt, &p, max_params));
        if (p.over) {
            p.n = 1;
            p.t[0] = WELD_I32;
            p.over = false;
            TRY(require_memory(b, o));
            if (!lower) TRY(require_realloc(b, o));
            break;
        }
    }
    const weld_tnode *res = ft->u.func.result;
    if (res && lower && contains_ptr(res, 0)) TRY(require_realloc(b, o));
    if (!o->async) {
        if (res) {
            TRY(flatten(b, res, &r, 1));
            if (r.over) {
                r.n = 0;
                r.over = false;
                TRY(require_memory(b, o));
                if (lower) p.t[p.n++] = WELD_I32;
                else r.t[r.n++] = WELD_I32;
            }
        }
    } else if (lower) {
        if (res) {
            p.t[p.n++] = WELD_I32;
            TRY(require_memory(b, o));
        }
        r.t[r.n++] = WELD_I32;
    } else {
        if (res) {
            flat tmp = {.n = 0};
            TRY(flatten(b, res, &tmp, 16));
            if (tmp.over || contains_ptr(res, 0)) TRY(require_memory(b, o));
        }
        if (o->callback) r.t[r.n++] = WELD_I32;
    }
    if (!(*out = mkfunc(b, p.t, p.n, r.t, r.n))) return NOMEM();
    return WELD_OK;
}

/* "[I32, I64]", as wasmparser prints core type lists. */
static void types_debug(const weld_valtype *v, uint32_t n, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    len += (size_t)snprintf(buf + len, cap - len, "[");
    for (uint32_t i = 0; i < n && len < cap; i++) {
        const char *name;
        switch (v[i]) {
        case WELD_I32: name = "I32"; break;
        case WELD_I64: name = "I64"; break;
        case WELD_F32: name = "F32"; break;
        case WELD_F64: name = "F64"; break;
        case WELD_V128: name = "V128"; break;
        default: name = weld_valtype_name(v[i]); break;
        }
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", name);
    }
    if (len < cap) snprintf(buf + len, cap - len, "]");
}

static weld_status canon_lift(bctx *b, scope *sc, const weld_canon *cn)
{
    const weld_tnode *cf = NULL, *ft = NULL;
    TRY(get(b, sc, WELD_TS_TYPE, cn->b, &ft));
    if (ft->kind != WELD_TK_FUNC) return INVALID("type index %u is not a function type", cn->b);
    TRY(get(b, sc, WELD_TS_CORE_FUNC, cn->a, &cf));
    copts o;
    TRY(canon_opts(b, sc, cn, &o));
    const weld_functype *core = cf->u.core.func;
    if (o.post_return) {
        const weld_tnode *pr = NULL;
        TRY(get(b, sc, WELD_TS_CORE_FUNC, o.post_idx, &pr));
        const weld_functype *pf = pr->u.core.func;
        if (pf->nresults || pf->nparams != core->nresults ||
            (pf->nparams && memcmp(pf->params, core->results, pf->nparams)))
            return INVALID("canonical option `post-return` uses a core function with an incorrect signature");
    }
    if (o.callback) {
        const weld_tnode *cb = NULL;
        TRY(get(b, sc, WELD_TS_CORE_FUNC, o.callback_idx, &cb));
        const weld_functype *f = cb->u.core.func;
        bool ok = f->nparams == 3 || f->nparams == 1;
        for (uint32_t k = 0; ok && k < f->nparams; k++) ok = f->params[k] == WELD_I32;
        if (!ok) return INVALID("canonical option `callback` uses a core function with an incorrect signature");
    }
    if (o.async && !ft->u.func.async)
        return INVALID("the `async` canonical option requires an async function type");
    weld_functype *sig;
    TRY(flat_sig(b, ft, false, &o, &sig));
    char x[256], y[256];
    if (sig->nparams != core->nparams ||
        (sig->nparams && memcmp(sig->params, core->params, sig->nparams))) {
        types_debug(sig->params, sig->nparams, x, sizeof x);
        types_debug(core->params, core->nparams, y, sizeof y);
        return INVALID("lowered parameter types `%s` do not match parameter types `%s` of core function %u",
                       x, y, cn->a);
    }
    if (sig->nresults != core->nresults ||
        (sig->nresults && memcmp(sig->results, core->results, sig->nresults))) {
        types_debug(sig->results, sig->nresults, x, sizeof x);
        types_debug(core->results, core->nresults, y, sizeof y);
        return INVALID("lowered result types `%s` do not match result types `%s` of core function %u",
                       x, y, cn->a);
    }
    return push(b, sc, WELD_TS_FUNC, ft);
}

static weld_status canon_lower(bctx *b, scope *sc, const weld_canon *cn, const weld_functype **sig)
{
    const weld_tnode *ft = NULL;
    TRY(get(b, sc, WELD_TS_FUNC, cn->a, &ft));
    copts o;
    TRY(canon_opts(b, sc, cn, &o));
    if (o.post_return) return INVALID("canonical option `post-return` cannot be specified for lowerings");
    if (o.callback) return INVALID("canonical option `callback` cannot be specified for lowerings");
    if (o.async && !ft->u.func.async)
        return INVALID("the `async` canonical option requires an async function type");
    weld_functype *f;
    TRY(flat_sig(b, ft, true, &o, &f));
    *sig = f;
    return WELD_OK;
}

static weld_status canon(bctx *b, scope *sc, const weld_canon *cn)
{
    static const weld_valtype I = WELD_I32, II[3] = {WELD_I32, WELD_I32, WELD_I32}, L = WELD_I64;
    const weld_tnode *t = NULL;
    const weld_functype *sig = NULL;
    if (b->gate) {
        const weld_canon_info *ci = weld_canon_info_of(cn->op);
        const char *nm = ci ? ci->name : "?";
        if (cn->op >= 0x1c && cn->op <= 0x1e)
            FEATURE(WELD_FEAT_CM_ERROR_CONTEXT, "`%s` requires the component model error-context feature", nm);
        else if (cn->op >= 0x26 && cn->op <= 0x2d)
            FEATURE(WELD_FEAT_CM_THREADING, "`%s` requires the component model threading feature", nm);
        else if (cn->op >= 0x40 && cn->op <= 0x42)
            FEATURE(WELD_FEAT_SHARED_EVERYTHING_THREADS, "`%s` requires the shared-everything-threads proposal", nm);
        else if (cn->op >= 0x05 && cn->op != 0x07 && cn->op != 0x08)
            FEATURE(WELD_FEAT_CM_ASYNC, "`%s` requires the component model async feature", nm);
    }
    switch (cn->op) {
    case 0x00: return canon_lift(b, sc, cn);
    case 0x01: TRY(canon_lower(b, sc, cn, &sig)); break;
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
            TRY(flatten(b, rt, &p, 16));
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
    case 0x41:
        /* weld's core types have no `shared` form, so no type here can be shared */
        return INVALID("spawn type must be shared");
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
    TRY(account(b, inst));
    return push(b, sc, WELD_TS_CORE_INSTANCE, inst);
}

/* A value is consumed exactly once (by an instantiation, the start function or an export). */
static weld_status use_value(bctx *b, scope *sc, uint32_t idx)
{
    const weld_tnode *t = NULL;
    TRY(get(b, sc, WELD_TS_VALUE, idx, &t));
    if (sc->kind != SC_COMPONENT) return WELD_OK;
    if (idx >= sc->value_cap) {
        uint32_t cap = sc->sp[WELD_TS_VALUE].n + 16;
        uint8_t *v = realloc(sc->value_uses, cap);
        if (!v) return NOMEM();
        memset(v + sc->value_cap, 0, cap - sc->value_cap);
        sc->value_uses = v;
        sc->value_cap = cap;
    }
    if (sc->value_uses[idx]++) return INVALID("value %u cannot be used more than once", idx);
    return WELD_OK;
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
            if (sorts[i] == WELD_EXT_VALUE) TRY(use_value(b, sc, in->items[i].item.index));
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
        weld_textern *exps = st ? NULL : alloc(b, comp->u.ext.nexports * sizeof *exps);
        if (!st && !exps) st = NOMEM();
        for (uint32_t i = 0; i < comp->u.ext.nexports && !st; i++) {
            exps[i] = comp->u.ext.exports[i];
            exps[i].index = UINT32_MAX;
            if (!(exps[i].type = ctypes_refresh(b->a, &cx.map, &memo, exps[i].type, comp, sc->self)))
                st = NOMEM();
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
            weld_str nm = in->items[i].name.name;
            char err[512];
            cname_info ni, pi;
            bool parsed = cname_parse_ex(nm.ptr, nm.len, NESTED_NAMES(b), &ni, err, sizeof err);
            if (b->validate && !parsed)
                return INVALID("export name `%s` is not a valid extern name %s", nm.ptr, err);
            for (uint32_t k = 0; k < i; k++) {
                weld_str pn = in->items[k].name.name;
                bool clash = str_eq(pn, nm);
                if (!clash && parsed && cname_parse_ex(pn.ptr, pn.len, NESTED_NAMES(b), &pi, err, sizeof err))
                    clash = names_collide(nm.ptr, nm.len, &ni, pn.ptr, pn.len, &pi);
                if (clash)
                    return INVALID("export name `%s` conflicts with previous name `%s`", nm.ptr, pn.ptr);
            }
            exps[i].name = nm;
            exps[i].index = UINT32_MAX;
            TRY(item_type(b, sc, in->items[i].item, &exps[i].sort, &exps[i].type));
            if (exps[i].sort == WELD_EXT_VALUE) TRY(use_value(b, sc, in->items[i].item.index));
        }
        inst->u.ext.nexports = in->count;
        inst->u.ext.exports = exps;
    }
    TRY(account(b, inst));
    return push(b, sc, WELD_TS_INSTANCE, inst);
}

/* ---- components ------------------------------------------------------------------------------ */

static weld_status component(bctx *b, scope *sc, const weld_component *c);

static weld_status save_spaces(bctx *b, const scope *sc, const weld_component *c)
{
    saved_spaces *s = alloc(b, sizeof *s);
    if (!s) return NOMEM();
    for (int i = 0; i < WELD_TS_COUNT; i++) {
        const weld_tnode **v = alloc(b, sizeof *v * (sc->sp[i].n ? sc->sp[i].n : 1));
        if (!v) return NOMEM();
        if (sc->sp[i].n) memcpy(v, sc->sp[i].v, sizeof *v * sc->sp[i].n);
        s->n[i] = sc->sp[i].n;
        s->v[i] = v;
    }
    if (!pmap_put(&b->m->nested, c, s)) return NOMEM();
    return WELD_OK;
}

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
    if (!st) st = save_spaces(b, &sc, c);
    const weld_tnode *t = NULL;
    if (!st) st = finish_ext(b, &sc, WELD_TK_COMPONENT, &t);
    scope_free(&sc);
    if (st) return st;
    /* seen from outside, the component's own resources are bound by its type */
    pmap map = {0}, memo = {0};
    const weld_tnode *s = ctypes_refresh(b->a, &map, &memo, t, NULL, final);
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
    TRY(account_extern(b, sc, t));
    TRY(push(b, sc, space, t));
    if (!exvec_push(import ? &sc->imports : &sc->exports, e)) return NOMEM();
    return WELD_OK;
}

#define ITEM(i) (b->off = sec->item_offsets ? sec->item_offsets[i] : sec->offset)

static weld_status component(bctx *b, scope *sc, const weld_component *c)
{
    for (uint32_t s = 0; s < c->nsections; s++) {
        const weld_csection *sec = &c->sections[s];
        b->off = sec->item_offsets && sec->count ? sec->item_offsets[0] : sec->offset;
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
            if (b->validate && !b->skip_bodies) {
                if (!b->validator) {
                    if (!(b->validator = weld_validator_new())) return NOMEM();
                    if (b->gate)
                        weld_validator_set_features(
                            b->validator, ((b->features & WELD_FEAT_MULTI_MEMORY) ? WELD_VALID_MULTI_MEMORY : 0u) |
                                              ((b->features & WELD_FEAT_EXTENDED_CONST) ? WELD_VALID_EXTENDED_CONST : 0u) |
                                              ((b->features & WELD_FEAT_EXCEPTIONS) ? WELD_VALID_EXCEPTIONS : 0u));
                }
                TRY(weld_validator_run(b->validator, m, NULL, b->d));
            }
            TRY(module_node(b, m, &t));
            TRY(push(b, sc, WELD_TS_CORE_MODULE, t));
            break;
        }
        case WELD_CSEC_CORE_INSTANCE:
            for (uint32_t i = 0; i < sec->count; i++) {
                ITEM(i);
                TRY(core_instance(b, sc, &sec->u.core_instances[i]));
            }
            break;
        case WELD_CSEC_CORE_TYPE:
            for (uint32_t i = 0; i < sec->count; i++) {
                ITEM(i);
                TRY(core_type(b, sc, sec->u.core_types[i], &t));
                TRY(push(b, sc, WELD_TS_CORE_TYPE, t));
            }
            break;
        case WELD_CSEC_COMPONENT:
            TRY(nested_component(b, sc, sec->u.component, &t));
            TRY(push(b, sc, WELD_TS_COMPONENT, t));
            break;
        case WELD_CSEC_INSTANCE:
            for (uint32_t i = 0; i < sec->count; i++) {
                ITEM(i);
                TRY(instance(b, sc, &sec->u.instances[i]));
            }
            break;
        case WELD_CSEC_ALIAS:
            for (uint32_t i = 0; i < sec->count; i++) {
                ITEM(i);
                TRY(alias(b, sc, &sec->u.aliases[i]));
            }
            break;
        case WELD_CSEC_TYPE:
            for (uint32_t i = 0; i < sec->count; i++) {
                ITEM(i);
                TRY(deftype(b, sc, sec->u.types[i], &t));
                TRY(push(b, sc, WELD_TS_TYPE, t));
            }
            break;
        case WELD_CSEC_CANON:
            for (uint32_t i = 0; i < sec->count; i++) {
                ITEM(i);
                TRY(canon(b, sc, &sec->u.canons[i]));
            }
            break;
        case WELD_CSEC_START: {
            const weld_cstart *st = sec->u.start;
            const weld_tnode *f = NULL;
            ITEM(0);
            FEATURE(WELD_FEAT_CM_VALUES, "support for component model `value`s is not enabled");
            TRY(get(b, sc, WELD_TS_FUNC, st->func, &f));
            if (st->nargs != f->u.func.nparams)
                return INVALID("component start function requires %u arguments but was given %u",
                               f->u.func.nparams, st->nargs);
            for (uint32_t i = 0; i < st->nargs; i++) {
                TRY(get(b, sc, WELD_TS_VALUE, st->args[i], &t));
                char why[512];
                subcx cx = {.why = why, .cap = sizeof why};
                bool ok = ctypes_subtype_node(&cx, t, f->u.func.params[i].type);
                pmap_free(&cx.map);
                if (!ok) return INVALID("value type mismatch for component start function argument %u %s", i, why);
                TRY(use_value(b, sc, st->args[i]));
            }
            if (st->nresults != (f->u.func.result ? 1u : 0u))
                return INVALID("component start function has a result count of %u but the function "
                               "type has a result count of %u", st->nresults, f->u.func.result ? 1u : 0u);
            if (f->u.func.result) TRY(push(b, sc, WELD_TS_VALUE, f->u.func.result));
            break;
        }
        case WELD_CSEC_IMPORT:
            for (uint32_t i = 0; i < sec->count; i++) {
                ITEM(i);
                const weld_cimport *im = &sec->u.imports[i];
                TRY(extern_type(b, sc, &im->type, im->name.name, &t));
                if (b->validate) TRY(check_extern(b, sc, true, im->name.name, im->type.kind, t));
                TRY(add_extern(b, sc, true, im->name.name, im->type.kind, t));
            }
            break;
        case WELD_CSEC_EXPORT:
            for (uint32_t i = 0; i < sec->count; i++) {
                ITEM(i);
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
                } else if (sort == WELD_EXT_TYPE) {
                    TRY(alias_type(b, t, &t));
                }
                if (sort == WELD_EXT_VALUE) TRY(use_value(b, sc, ex->item.index));
                if (b->validate) TRY(check_extern(b, sc, false, ex->name.name, sort, t));
                TRY(add_extern(b, sc, false, ex->name.name, sort, t));
                /* an exported value's new index counts as used */
                if (sort == WELD_EXT_VALUE) TRY(use_value(b, sc, sc->sp[WELD_TS_VALUE].n - 1));
            }
            break;
        case WELD_CSEC_VALUE:
            for (uint32_t i = 0; i < sec->count; i++) {
                ITEM(i);
                TRY(valtype(b, sc, sec->u.values[i].type, &t));
                TRY(push(b, sc, WELD_TS_VALUE, t));
            }
            break;
        default: return INVALID("unknown component section id %u", sec->id);
        }
    }
    b->off = c->base_offset + c->input_len; /* reported at the component's end */
    if (b->validate)
        for (uint32_t i = 0; i < sc->sp[WELD_TS_VALUE].n; i++)
            if (i >= sc->value_cap || !sc->value_uses[i])
                return INVALID("value index %u was not used as part of an instantiation, start "
                               "function, or export", i);
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
    bctx b = {.m = m, .a = m->arena, .d = d, .validate = opts && opts->validate,
              .skip_bodies = opts && opts->validate && opts->skip_module_bodies,
              .gate = opts && opts->gate_features, .features = opts ? opts->features : 0};
    m->root.kind = SC_COMPONENT;
    m->comp = c;
    weld_status st = component(&b, &m->root, c);
    weld_validator_free(b.validator);
    canon_layouts_free(&b.layouts);
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
    pmap_free(&m->nested);
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

uint32_t weld_ctypes_count_in(const weld_ctypes *m, const weld_component *c, int space)
{
    if (space < 0 || space >= WELD_TS_COUNT) return 0;
    if (c == m->comp) return m->root.sp[space].n;
    const saved_spaces *s = pmap_get(&m->nested, c);
    return s ? s->n[space] : 0;
}

const weld_tnode *weld_ctypes_get_in(const weld_ctypes *m, const weld_component *c, int space,
                                     uint32_t index)
{
    if (c == m->comp) return weld_ctypes_get(m, space, index);
    const saved_spaces *s = pmap_get(&m->nested, c);
    if (!s || space < 0 || space >= WELD_TS_COUNT || index >= s->n[space]) return NULL;
    return s->v[space][index];
}
