/* encode.c - WIT as component types: a package as the binary WIT packages travel in (the
 * encoding of wit-component and `wasm-tools component wit --wasm`), and a world as the
 * component type a component targeting it has.
 *
 * A package becomes a component that exports one component type per interface and per
 * world, under the item's plain name:
 *  - an interface `i` is a component type that imports, as instance types, every
 *    interface `i` uses (transitively, dependencies first, each with all its types) and
 *    exports `ns:pkg/i@v` as an instance type holding i's types and functions;
 *  - a world `w` is a component type wrapping w's component type (its imports and
 *    exports) and exporting it as `ns:pkg/w@v`.
 * Docs and gates travel in the `package-docs` custom section (a version byte and JSON).
 * The encoder builds a weld_component tree and hands it to the component writer, so the
 * bytes come from the one component encoder. */
#include "wit/resolve_int.h"
#include "weld/component.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* One declaration list under construction (a component type or an instance type). */
typedef struct scope {
    weld_cdecl *v;
    uint32_t n, cap;
    uint32_t ntypes; /* size of its type index space */
} scope;

/* Maps from resolve types to indices of the current type index space. */
typedef struct maps {
    uint32_t *id_to_index;          /* per resolve type, UINT32_MAX when not encoded */
    uint32_t nfuncs, capfuncs;
    const weld_wit_func **funcs;    /* function types encoded, for reuse */
    uint32_t *func_index;
    uint32_t unit_future, unit_stream;
} maps;

typedef struct encoder {
    const weld_wit_resolve *r;
    weld_arena *arena;
    weld_diag *d;
    bool oom;
    scope outer;
    scope inner;
    bool in_instance;
    maps m, saved;
    uint32_t *import_map;     /* per interface: instance index in outer, UINT32_MAX none */
    uint32_t *outer_type_map; /* per type: alias index in outer, UINT32_MAX none */
    uint32_t instances;
    bool import_types;
    uint32_t interface;       /* the interface being encoded, UINT32_MAX none */
} encoder;

static void *alloc(encoder *e, size_t n)
{
    void *p = weld_arena_alloc(e->arena, n ? n : 1);
    if (!p) e->oom = true;
    return p;
}

static weld_str mkstr(encoder *e, const char *s)
{
    weld_str w = {"", 0};
    if (!s) return w;
    size_t n = strlen(s);
    char *c = weld_arena_strndup(e->arena, s, n);
    if (!c) {
        e->oom = true;
        return w;
    }
    w.ptr = c;
    w.len = (uint32_t)n;
    return w;
}

static bool maps_init(encoder *e, maps *m)
{
    memset(m, 0, sizeof *m);
    m->id_to_index = malloc(sizeof *m->id_to_index * (e->r->ntypes + 1));
    if (!m->id_to_index) return false;
    for (uint32_t i = 0; i <= e->r->ntypes; i++) m->id_to_index[i] = UINT32_MAX;
    m->unit_future = m->unit_stream = UINT32_MAX;
    return true;
}

static void maps_free(maps *m)
{
    free(m->id_to_index);
    free(m->funcs);
    free(m->func_index);
    memset(m, 0, sizeof *m);
}

static scope *cur(encoder *e)
{
    return e->in_instance ? &e->inner : &e->outer;
}

static weld_cdecl *push_decl(encoder *e, scope *s, uint8_t kind)
{
    if (s->n == s->cap) {
        uint32_t nc = s->cap ? s->cap * 2 : 16;
        weld_cdecl *nv = alloc(e, sizeof *nv * nc);
        if (!nv) return NULL;
        if (s->n) memcpy(nv, s->v, sizeof *nv * s->n);
        s->v = nv;
        s->cap = nc;
    }
    weld_cdecl *dc = &s->v[s->n++];
    memset(dc, 0, sizeof *dc);
    dc->kind = kind;
    return dc;
}

/* A new type definition in scope s; returns its index. */
static uint32_t define(encoder *e, scope *s, weld_ctype *t)
{
    weld_cdecl *dc = push_decl(e, s, WELD_DECL_TYPE);
    if (!dc) return 0;
    dc->u.type = t;
    return s->ntypes++;
}

static weld_ctype *new_type(encoder *e, uint8_t kind)
{
    weld_ctype *t = alloc(e, sizeof *t);
    if (t) t->kind = kind;
    return t;
}

static void ext_decl(encoder *e, scope *s, uint8_t kind, const char *name, weld_cextern x)
{
    weld_cdecl *dc = push_decl(e, s, kind);
    if (!dc) return;
    dc->u.ext.name.tag = 0x00;
    dc->u.ext.name.name = mkstr(e, name);
    dc->u.ext.type = x;
    if (x.kind == WELD_EXT_TYPE) s->ntypes++;
}

static weld_cextern ext(uint8_t kind, uint32_t index)
{
    weld_cextern x;
    memset(&x, 0, sizeof x);
    x.kind = kind;
    x.index = index;
    return x;
}

static weld_cvaltype prim_of(weld_wit_tref t)
{
    static const uint8_t codes[] = {
        [WELD_WIT_T_BOOL] = WELD_CV_BOOL, [WELD_WIT_T_S8] = WELD_CV_S8, [WELD_WIT_T_U8] = WELD_CV_U8,
        [WELD_WIT_T_S16] = WELD_CV_S16, [WELD_WIT_T_U16] = WELD_CV_U16, [WELD_WIT_T_S32] = WELD_CV_S32,
        [WELD_WIT_T_U32] = WELD_CV_U32, [WELD_WIT_T_S64] = WELD_CV_S64, [WELD_WIT_T_U64] = WELD_CV_U64,
        [WELD_WIT_T_F32] = WELD_CV_F32, [WELD_WIT_T_F64] = WELD_CV_F64, [WELD_WIT_T_CHAR] = WELD_CV_CHAR,
        [WELD_WIT_T_STRING] = WELD_CV_STRING, [WELD_WIT_T_ERROR_CONTEXT] = WELD_CV_ERROR_CONTEXT,
    };
    weld_cvaltype v = {0, 0};
    if (t < sizeof codes) v.prim = codes[t];
    return v;
}

static weld_cvaltype idx_val(uint32_t index)
{
    weld_cvaltype v = {0, index};
    return v;
}

/* The index in the current scope of type `tid` owned by another interface: an alias of
 * the export of that interface's instance in the outer scope (made once), reached from
 * an instance type through an outer alias. */
static uint32_t import_type(encoder *e, uint32_t owner, uint32_t tid)
{
    if (e->outer_type_map[tid] == UINT32_MAX) {
        weld_cdecl *dc = push_decl(e, &e->outer, WELD_DECL_ALIAS);
        if (!dc) return 0;
        dc->u.alias.sort.sort = WELD_SORT_TYPE;
        dc->u.alias.tag = 0x00;
        dc->u.alias.instance = e->import_map[owner];
        dc->u.alias.name = mkstr(e, e->r->types[tid].name);
        e->outer_type_map[tid] = e->outer.ntypes++;
    }
    uint32_t outer_idx = e->outer_type_map[tid];
    if (!e->in_instance) return outer_idx;
    weld_cdecl *dc = push_decl(e, &e->inner, WELD_DECL_ALIAS);
    if (!dc) return 0;
    dc->u.alias.sort.sort = WELD_SORT_TYPE;
    dc->u.alias.tag = 0x02;
    dc->u.alias.instance = 1;
    dc->u.alias.index = outer_idx;
    return e->inner.ntypes++;
}

static weld_status valtype(encoder *e, weld_wit_tref t, weld_cvaltype *out);

static weld_status opt_valtype(encoder *e, weld_wit_tref t, bool *has, weld_cvaltype *out)
{
    *has = t != WELD_WIT_T_NONE;
    if (!*has) return WELD_OK;
    return valtype(e, t, out);
}

/* The index of an exported (or, at world level, imported) type named `name` equal to
 * type `index`. */
static uint32_t export_type(encoder *e, uint32_t index, const char *name)
{
    scope *s = cur(e);
    weld_cextern x = ext(WELD_EXT_TYPE, index);
    x.bound = 0x00;
    ext_decl(e, s, e->import_types && !e->in_instance ? WELD_DECL_IMPORT : WELD_DECL_EXPORT, name, x);
    return s->ntypes - 1;
}

static weld_status valtype(encoder *e, weld_wit_tref t, weld_cvaltype *out)
{
    if (!WELD_WIT_IS_ID(t)) {
        *out = prim_of(t);
        if (!out->prim) return weld_diag_set(e->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "cannot encode type %u", t);
        return WELD_OK;
    }
    const weld_wit_resolve *r = e->r;
    uint32_t id = WELD_WIT_ID(t);
    if (e->m.id_to_index[id] != UINT32_MAX) {
        *out = idx_val(e->m.id_to_index[id]);
        return WELD_OK;
    }
    const weld_wit_typedef *td = &r->types[id];
    if (td->owner_kind == WELD_WIT_OWNER_INTERFACE && td->owner != e->interface) {
        uint32_t ix = import_type(e, td->owner, id);
        e->m.id_to_index[id] = ix;
        *out = idx_val(ix);
        return WELD_OK;
    }
    scope *s = cur(e);
    weld_cvaltype enc = {0, 0};
    weld_ctype *ct = NULL;
    switch (td->kind) {
    case WELD_WIT_RECORD: {
        weld_cfield *f = alloc(e, sizeof *f * td->nfields);
        if (!f) return WELD_ERR_NOMEM;
        for (uint32_t i = 0; i < td->nfields; i++) {
            f[i].name = mkstr(e, td->fields[i].name);
            TRY(valtype(e, td->fields[i].type, &f[i].type));
        }
        if (!(ct = new_type(e, WELD_CT_RECORD))) return WELD_ERR_NOMEM;
        ct->u.record.count = td->nfields;
        ct->u.record.fields = f;
        break;
    }
    case WELD_WIT_TUPLE: {
        weld_cvaltype *v = alloc(e, sizeof *v * td->nfields);
        if (!v) return WELD_ERR_NOMEM;
        for (uint32_t i = 0; i < td->nfields; i++) TRY(valtype(e, td->fields[i].type, &v[i]));
        if (!(ct = new_type(e, WELD_CT_TUPLE))) return WELD_ERR_NOMEM;
        ct->u.tuple.count = td->nfields;
        ct->u.tuple.types = v;
        break;
    }
    case WELD_WIT_FLAGS:
    case WELD_WIT_ENUM: {
        weld_str *n = alloc(e, sizeof *n * td->nfields);
        if (!n) return WELD_ERR_NOMEM;
        for (uint32_t i = 0; i < td->nfields; i++) n[i] = mkstr(e, td->fields[i].name);
        if (!(ct = new_type(e, td->kind == WELD_WIT_FLAGS ? WELD_CT_FLAGS : WELD_CT_ENUM))) return WELD_ERR_NOMEM;
        ct->u.labels.count = td->nfields;
        ct->u.labels.names = n;
        break;
    }
    case WELD_WIT_VARIANT: {
        weld_ccase *c = alloc(e, sizeof *c * td->nfields);
        if (!c) return WELD_ERR_NOMEM;
        for (uint32_t i = 0; i < td->nfields; i++) {
            c[i].name = mkstr(e, td->fields[i].name);
            TRY(opt_valtype(e, td->fields[i].type, &c[i].has_type, &c[i].type));
        }
        if (!(ct = new_type(e, WELD_CT_VARIANT))) return WELD_ERR_NOMEM;
        ct->u.variant.count = td->nfields;
        ct->u.variant.cases = c;
        break;
    }
    case WELD_WIT_OPTION: {
        weld_cvaltype v;
        TRY(valtype(e, td->a, &v));
        if (!(ct = new_type(e, WELD_CT_OPTION))) return WELD_ERR_NOMEM;
        ct->u.option = v;
        break;
    }
    case WELD_WIT_RESULT: {
        bool ho, he;
        weld_cvaltype ok = {0, 0}, er = {0, 0};
        TRY(opt_valtype(e, td->a, &ho, &ok));
        TRY(opt_valtype(e, td->b, &he, &er));
        if (!(ct = new_type(e, WELD_CT_RESULT))) return WELD_ERR_NOMEM;
        ct->u.result.has_ok = ho;
        ct->u.result.has_err = he;
        ct->u.result.ok = ok;
        ct->u.result.err = er;
        break;
    }
    case WELD_WIT_LIST:
    case WELD_WIT_FIXED_LIST: {
        weld_cvaltype v;
        TRY(valtype(e, td->a, &v));
        if (!(ct = new_type(e, td->kind == WELD_WIT_LIST ? WELD_CT_LIST : WELD_CT_FIXED_LIST))) return WELD_ERR_NOMEM;
        ct->u.list.elem = v;
        ct->u.list.len = td->n;
        break;
    }
    case WELD_WIT_MAP: {
        weld_cvaltype k, v;
        TRY(valtype(e, td->a, &k));
        TRY(valtype(e, td->b, &v));
        if (!(ct = new_type(e, WELD_CT_MAP))) return WELD_ERR_NOMEM;
        ct->u.map.key = k;
        ct->u.map.value = v;
        break;
    }
    case WELD_WIT_FUTURE:
    case WELD_WIT_STREAM: {
        bool has;
        weld_cvaltype v = {0, 0};
        TRY(opt_valtype(e, td->a, &has, &v));
        if (!has) {
            uint32_t *unit = td->kind == WELD_WIT_FUTURE ? &e->m.unit_future : &e->m.unit_stream;
            if (*unit == UINT32_MAX) {
                if (!(ct = new_type(e, td->kind == WELD_WIT_FUTURE ? WELD_CT_FUTURE : WELD_CT_STREAM)))
                    return WELD_ERR_NOMEM;
                *unit = define(e, s, ct);
            }
            enc = idx_val(*unit);
            ct = NULL;
            break;
        }
        if (!(ct = new_type(e, td->kind == WELD_WIT_FUTURE ? WELD_CT_FUTURE : WELD_CT_STREAM))) return WELD_ERR_NOMEM;
        ct->u.async_value.has_elem = true;
        ct->u.async_value.elem = v;
        break;
    }
    case WELD_WIT_ALIAS:
        TRY(valtype(e, td->a, &enc));
        break;
    case WELD_WIT_RESOURCE: {
        weld_cextern x = ext(WELD_EXT_TYPE, 0);
        x.bound = 0x01;
        ext_decl(e, s, e->import_types && !e->in_instance ? WELD_DECL_IMPORT : WELD_DECL_EXPORT, td->name, x);
        e->m.id_to_index[id] = s->ntypes - 1;
        *out = idx_val(s->ntypes - 1);
        return WELD_OK;
    }
    case WELD_WIT_OWN:
    case WELD_WIT_BORROW: {
        weld_cvaltype v;
        TRY(valtype(e, td->a, &v));
        if (v.prim) return weld_diag_set(e->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "a handle of a non-resource type");
        if (!(ct = new_type(e, td->kind == WELD_WIT_OWN ? WELD_CT_OWN : WELD_CT_BORROW))) return WELD_ERR_NOMEM;
        ct->u.handle = v.index;
        break;
    }
    default:
        return weld_diag_set(e->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "type `%s` cannot be encoded",
                             td->name ? td->name : "(anonymous)");
    }
    if (ct) enc = idx_val(define(e, s, ct));
    if (td->name) {
        uint32_t index;
        if (enc.prim) {
            weld_ctype *p = new_type(e, WELD_CT_PRIM);
            if (!p) return WELD_ERR_NOMEM;
            p->u.prim = enc.prim;
            index = define(e, s, p);
        } else {
            index = enc.index;
        }
        enc = idx_val(export_type(e, index, td->name));
    }
    if (!enc.prim) e->m.id_to_index[id] = enc.index;
    *out = enc;
    return e->oom ? WELD_ERR_NOMEM : WELD_OK;
}

static bool same_func_type(const weld_wit_func *a, const weld_wit_func *b)
{
    if (a->is_async != b->is_async || a->nparams != b->nparams || a->result != b->result) return false;
    for (uint32_t i = 0; i < a->nparams; i++)
        if (a->params[i].type != b->params[i].type || strcmp(a->params[i].name, b->params[i].name) != 0) return false;
    return true;
}

static weld_status func_type(encoder *e, const weld_wit_func *f, uint32_t *out)
{
    maps *m = &e->m;
    for (uint32_t i = 0; i < m->nfuncs; i++)
        if (same_func_type(m->funcs[i], f)) {
            *out = m->func_index[i];
            return WELD_OK;
        }
    weld_cfield *ps = alloc(e, sizeof *ps * f->nparams);
    if (!ps) return WELD_ERR_NOMEM;
    for (uint32_t i = 0; i < f->nparams; i++) {
        ps[i].name = mkstr(e, f->params[i].name);
        TRY(valtype(e, f->params[i].type, &ps[i].type));
    }
    weld_ctype *ct = new_type(e, f->is_async ? WELD_CT_FUNC_ASYNC : WELD_CT_FUNC);
    if (!ct) return WELD_ERR_NOMEM;
    ct->u.func.nparams = f->nparams;
    ct->u.func.params = ps;
    if (f->result) {
        ct->u.func.has_result = true;
        TRY(valtype(e, f->result, &ct->u.func.result));
    }
    *out = define(e, cur(e), ct);
    if (m->nfuncs == m->capfuncs) {
        uint32_t nc = m->capfuncs ? m->capfuncs * 2 : 16;
        const weld_wit_func **nf = realloc(m->funcs, sizeof *nf * nc);
        if (!nf) return WELD_ERR_NOMEM;
        m->funcs = nf;
        uint32_t *ni = realloc(m->func_index, sizeof *ni * nc);
        if (!ni) return WELD_ERR_NOMEM;
        m->func_index = ni;
        m->capfuncs = nc;
    }
    m->funcs[m->nfuncs] = f;
    m->func_index[m->nfuncs++] = *out;
    return e->oom ? WELD_ERR_NOMEM : WELD_OK;
}

static weld_status push_instance(encoder *e)
{
    e->saved = e->m;
    if (!maps_init(e, &e->m)) return WELD_ERR_NOMEM;
    memset(&e->inner, 0, sizeof e->inner);
    e->in_instance = true;
    return WELD_OK;
}

/* Ends the instance type being built: defines it in the outer scope, returns its index. */
static uint32_t pop_instance(encoder *e)
{
    maps_free(&e->m);
    e->m = e->saved;
    memset(&e->saved, 0, sizeof e->saved);
    e->in_instance = false;
    weld_ctype *ct = new_type(e, WELD_CT_INSTANCE);
    if (!ct) return 0;
    ct->u.decls.count = e->inner.n;
    ct->u.decls.decls = e->inner.v;
    return define(e, &e->outer, ct);
}

static const weld_wit_typedef *res_of_func(const weld_wit_resolve *r, const weld_wit_func *f)
{
    return f->kind == WELD_WIT_FUNC_FREESTANDING ? NULL : &r->types[f->resource];
}

/* The instance type of interface `id` (types, then functions: those of resources first,
 * in the order of their resources, freestanding ones last), defined in the outer scope. */
static weld_status encode_instance(encoder *e, uint32_t id, uint32_t *out)
{
    const weld_wit_resolve *r = e->r;
    const weld_wit_interface *in = &r->interfaces[id];
    TRY(push_instance(e));
    weld_status st = WELD_OK;
    for (uint32_t i = 0; i < in->ntypes && st == WELD_OK; i++) {
        weld_cvaltype v;
        st = valtype(e, WELD_WIT_TREF(in->types[i].id), &v);
    }
    /* stable order: resource functions by their resource's position, then the rest */
    for (uint32_t pos = 0; pos <= in->ntypes && st == WELD_OK; pos++) {
        for (uint32_t k = 0; k < in->nfuncs && st == WELD_OK; k++) {
            const weld_wit_func *f = &in->funcs[k];
            const weld_wit_typedef *res = res_of_func(r, f);
            uint32_t fpos = in->ntypes;
            if (res)
                for (uint32_t j = 0; j < in->ntypes; j++)
                    if (in->types[j].id == f->resource) fpos = j;
            if (fpos != pos) continue;
            uint32_t ft;
            st = func_type(e, f, &ft);
            if (st == WELD_OK) ext_decl(e, &e->inner, WELD_DECL_EXPORT, f->name, ext(WELD_EXT_FUNC, ft));
        }
    }
    if (st != WELD_OK) {
        maps_free(&e->m);
        e->m = e->saved;
        memset(&e->saved, 0, sizeof e->saved);
        e->in_instance = false;
        return st;
    }
    *out = pop_instance(e);
    e->import_map[id] = e->instances++;
    return e->oom ? WELD_ERR_NOMEM : WELD_OK;
}

static void iface_id(const weld_wit_resolve *r, uint32_t iface, char *buf, size_t cap)
{
    const weld_wit_interface *in = &r->interfaces[iface];
    const weld_wit_package *p = &r->packages[in->package];
    snprintf(buf, cap, "%s:%s/%s%s%s", p->ns, p->name, in->name, p->version ? "@" : "", p->version ? p->version : "");
}

static const char *item_name(const weld_wit_resolve *r, const weld_wit_world_item *it, char *buf, size_t cap)
{
    if (it->name) return it->name;
    iface_id(r, it->id, buf, cap);
    return buf;
}

static bool encoder_init(encoder *e, const weld_wit_resolve *r, weld_arena *arena, weld_diag *d)
{
    memset(e, 0, sizeof *e);
    e->r = r;
    e->arena = arena;
    e->d = d;
    e->interface = UINT32_MAX;
    e->import_map = malloc(sizeof *e->import_map * (r->ninterfaces + 1));
    e->outer_type_map = malloc(sizeof *e->outer_type_map * (r->ntypes + 1));
    if (!e->import_map || !e->outer_type_map || !maps_init(e, &e->m)) return false;
    for (uint32_t i = 0; i <= r->ninterfaces; i++) e->import_map[i] = UINT32_MAX;
    for (uint32_t i = 0; i <= r->ntypes; i++) e->outer_type_map[i] = UINT32_MAX;
    return true;
}

static void encoder_free(encoder *e)
{
    free(e->import_map);
    free(e->outer_type_map);
    maps_free(&e->m);
    maps_free(&e->saved);
}

static weld_ctype *outer_type(encoder *e, uint8_t kind)
{
    weld_ctype *ct = new_type(e, kind);
    if (!ct) return NULL;
    ct->u.decls.count = e->outer.n;
    ct->u.decls.decls = e->outer.v;
    return ct;
}

static weld_status encode_world_items(encoder *e, const weld_wit_world *w, bool imports)
{
    const weld_wit_resolve *r = e->r;
    uint32_t n = imports ? w->nimports : w->nexports;
    const weld_wit_world_item *items = imports ? w->imports : w->exports;
    for (uint32_t i = 0; i < n; i++) {
        const weld_wit_world_item *it = &items[i];
        char buf[400];
        weld_cextern x;
        if (it->kind == WELD_WIT_ITEM_INTERFACE) {
            e->interface = it->id;
            uint32_t idx;
            TRY(encode_instance(e, it->id, &idx));
            x = ext(WELD_EXT_INSTANCE, idx);
        } else if (it->kind == WELD_WIT_ITEM_FUNC) {
            e->interface = UINT32_MAX;
            uint32_t idx;
            TRY(func_type(e, &it->func, &idx));
            x = ext(WELD_EXT_FUNC, idx);
        } else {
            e->interface = UINT32_MAX;
            e->import_types = true;
            weld_cvaltype v;
            weld_status st = valtype(e, WELD_WIT_TREF(it->id), &v);
            e->import_types = false;
            TRY(st);
            continue;
        }
        ext_decl(e, &e->outer, imports ? WELD_DECL_IMPORT : WELD_DECL_EXPORT, item_name(r, it, buf, sizeof buf), x);
    }
    e->interface = UINT32_MAX;
    return e->oom ? WELD_ERR_NOMEM : WELD_OK;
}

/* The component type of world `wid`: its imports, then its exports. */
static weld_status world_type(const weld_wit_resolve *r, weld_arena *arena, uint32_t wid, weld_ctype **out,
                              weld_diag *d)
{
    encoder e;
    weld_status st = WELD_ERR_NOMEM;
    if (encoder_init(&e, r, arena, d)) {
        st = encode_world_items(&e, &r->worlds[wid], true);
        if (st == WELD_OK) st = encode_world_items(&e, &r->worlds[wid], false);
        if (st == WELD_OK) {
            *out = outer_type(&e, WELD_CT_COMPONENT);
            if (!*out) st = WELD_ERR_NOMEM;
        }
    }
    encoder_free(&e);
    if (st == WELD_ERR_NOMEM) weld_diag_set(d, st, WELD_NO_OFFSET, "out of memory while encoding WIT");
    return st;
}

weld_status weld_wit_world_ctype(const weld_wit_resolve *r, uint32_t world, weld_arena *arena,
                                 const weld_ctype **out, weld_diag *d)
{
    weld_ctype *t = NULL;
    weld_status st = world_type(r, arena, world, &t, d);
    *out = t;
    return st;
}

/* Interfaces that `id` uses, dependencies first, then `id` itself. */
static void live_interfaces(const weld_wit_resolve *r, uint32_t id, uint32_t *list, uint32_t *n, bool *seen, int depth)
{
    if (seen[id] || depth > 10000) return;
    const weld_wit_interface *in = &r->interfaces[id];
    for (uint32_t i = 0; i < in->ntypes; i++) {
        uint32_t dep = wit_type_iface_dep(r, in->types[i].id);
        if (dep != UINT32_MAX) live_interfaces(r, dep, list, n, seen, depth + 1);
    }
    if (seen[id]) return;
    seen[id] = true;
    list[(*n)++] = id;
}

static weld_status interface_type(const weld_wit_resolve *r, weld_arena *arena, uint32_t pkg, uint32_t id,
                                  weld_ctype **out, weld_diag *d)
{
    encoder e;
    weld_status st = WELD_ERR_NOMEM;
    uint32_t *list = malloc(sizeof *list * (r->ninterfaces + 1));
    bool *seen = calloc(r->ninterfaces + 1, sizeof *seen);
    if (list && seen && encoder_init(&e, r, arena, d)) {
        uint32_t n = 0;
        live_interfaces(r, id, list, &n, seen, 0);
        st = WELD_OK;
        for (uint32_t k = 0; k < n && st == WELD_OK; k++) {
            uint32_t iface = list[k];
            const weld_wit_interface *in = &r->interfaces[iface];
            char name[400];
            iface_id(r, iface, name, sizeof name);
            e.interface = iface;
            uint32_t idx = 0;
            if (iface == id) {
                st = encode_instance(&e, iface, &idx);
                if (st == WELD_OK) ext_decl(&e, &e.outer, WELD_DECL_EXPORT, name, ext(WELD_EXT_INSTANCE, idx));
            } else {
                st = push_instance(&e);
                for (uint32_t i = 0; i < in->ntypes && st == WELD_OK; i++) {
                    weld_cvaltype v;
                    st = valtype(&e, WELD_WIT_TREF(in->types[i].id), &v);
                }
                if (st != WELD_OK) break;
                idx = pop_instance(&e);
                e.import_map[iface] = e.instances++;
                ext_decl(&e, &e.outer, WELD_DECL_IMPORT, name, ext(WELD_EXT_INSTANCE, idx));
            }
        }
        if (st == WELD_OK && e.oom) st = WELD_ERR_NOMEM;
        if (st == WELD_OK && !(*out = outer_type(&e, WELD_CT_COMPONENT))) st = WELD_ERR_NOMEM;
        encoder_free(&e);
    } else if (list && seen) {
        encoder_free(&e);
    }
    (void)pkg;
    free(list);
    free(seen);
    if (st == WELD_ERR_NOMEM) weld_diag_set(d, st, WELD_NO_OFFSET, "out of memory while encoding WIT");
    return st;
}

/* ---- package-docs: docs and gates as JSON ---- */

static json_t *stab_json(const weld_wit_stability *s)
{
    json_t *inner = json_object();
    if (s->kind == WELD_WIT_STAB_STABLE) json_object_set_new(inner, "since", json_string(s->since));
    else json_object_set_new(inner, "feature", json_string(s->feature));
    if (s->deprecated) json_object_set_new(inner, "deprecated", json_string(s->deprecated));
    return json_pack("{s:o}", s->kind == WELD_WIT_STAB_STABLE ? "stable" : "unstable", inner);
}

static void put_meta(json_t *o, const char *docs, const weld_wit_stability *s)
{
    if (docs) json_object_set_new(o, "docs", json_string(docs));
    if (s && s->kind != WELD_WIT_STAB_UNKNOWN) json_object_set_new(o, "stability", stab_json(s));
}

static void set_nonempty(json_t *o, const char *key, json_t *v)
{
    if (json_object_size(v) > 0) json_object_set_new(o, key, v);
    else json_decref(v);
}

static json_t *type_meta(const weld_wit_resolve *r, uint32_t tid)
{
    const weld_wit_typedef *t = &r->types[tid];
    json_t *o = json_object();
    put_meta(o, t->docs, &t->stability);
    if (t->kind == WELD_WIT_RECORD || t->kind == WELD_WIT_FLAGS || t->kind == WELD_WIT_VARIANT ||
        t->kind == WELD_WIT_ENUM) {
        json_t *items = json_object();
        for (uint32_t i = 0; i < t->nfields; i++)
            if (t->fields[i].docs) json_object_set_new(items, t->fields[i].name, json_string(t->fields[i].docs));
        set_nonempty(o, "items", items);
    }
    return o;
}

static json_t *func_meta(const weld_wit_func *f)
{
    json_t *o = json_object();
    put_meta(o, f->docs, &f->stability);
    return o;
}

static json_t *iface_meta(const weld_wit_resolve *r, uint32_t id)
{
    const weld_wit_interface *in = &r->interfaces[id];
    json_t *o = json_object();
    put_meta(o, in->docs, &in->stability);
    json_t *funcs = json_object(), *types = json_object();
    for (uint32_t i = 0; i < in->nfuncs; i++) set_nonempty(funcs, in->funcs[i].name, func_meta(&in->funcs[i]));
    for (uint32_t i = 0; i < in->ntypes; i++) set_nonempty(types, in->types[i].name, type_meta(r, in->types[i].id));
    set_nonempty(o, "funcs", funcs);
    set_nonempty(o, "types", types);
    return o;
}

static json_t *world_meta(const weld_wit_resolve *r, uint32_t wid)
{
    const weld_wit_world *w = &r->worlds[wid];
    json_t *o = json_object();
    put_meta(o, w->docs, &w->stability);
    json_t *ifaces = json_object(), *types = json_object(), *funcs = json_object(), *iface_exports = json_object(),
           *func_exports = json_object(), *imp_stab = json_object(), *exp_stab = json_object(),
           *imp_docs = json_object(), *exp_docs = json_object();
    for (int pass = 0; pass < 2; pass++) {
        bool import = pass == 0;
        uint32_t n = import ? w->nimports : w->nexports;
        const weld_wit_world_item *items = import ? w->imports : w->exports;
        for (uint32_t i = 0; i < n; i++) {
            const weld_wit_world_item *it = &items[i];
            char buf[400];
            const char *name = item_name(r, it, buf, sizeof buf);
            if (it->kind == WELD_WIT_ITEM_INTERFACE && (!it->name || r->interfaces[it->id].name)) {
                if (it->stability.kind != WELD_WIT_STAB_UNKNOWN)
                    json_object_set_new(import ? imp_stab : exp_stab, name, stab_json(&it->stability));
                if (it->docs) json_object_set_new(import ? imp_docs : exp_docs, name, json_string(it->docs));
            } else if (it->kind == WELD_WIT_ITEM_INTERFACE) {
                json_t *m = iface_meta(r, it->id);
                if (it->stability.kind != WELD_WIT_STAB_UNKNOWN) json_object_set_new(m, "stability", stab_json(&it->stability));
                set_nonempty(import ? ifaces : iface_exports, name, m);
            } else if (it->kind == WELD_WIT_ITEM_TYPE) {
                set_nonempty(types, name, type_meta(r, it->id));
            } else {
                set_nonempty(import ? funcs : func_exports, name, func_meta(&it->func));
            }
        }
    }
    set_nonempty(o, "interfaces", ifaces);
    set_nonempty(o, "types", types);
    set_nonempty(o, "funcs", funcs);
    set_nonempty(o, "interface_exports", iface_exports);
    set_nonempty(o, "func_exports", func_exports);
    set_nonempty(o, "interface_import_stability", imp_stab);
    set_nonempty(o, "interface_export_stability", exp_stab);
    set_nonempty(o, "interface_import_docs", imp_docs);
    set_nonempty(o, "interface_export_docs", exp_docs);
    return o;
}

static char *package_docs(const weld_wit_resolve *r, uint32_t pkg)
{
    const weld_wit_package *p = &r->packages[pkg];
    json_t *o = json_object();
    if (p->docs) json_object_set_new(o, "docs", json_string(p->docs));
    json_t *worlds = json_object(), *ifaces = json_object();
    for (uint32_t i = 0; i < p->nworlds; i++) set_nonempty(worlds, p->worlds[i].name, world_meta(r, p->worlds[i].id));
    for (uint32_t i = 0; i < p->ninterfaces; i++)
        set_nonempty(ifaces, p->interfaces[i].name, iface_meta(r, p->interfaces[i].id));
    set_nonempty(o, "worlds", worlds);
    set_nonempty(o, "interfaces", ifaces);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

/* ---- the package component ---- */

typedef struct sections {
    weld_csection *v;
    uint32_t n, cap;
} sections;

static weld_csection *push_section(encoder *e, sections *s, uint8_t id)
{
    if (s->n == s->cap) {
        uint32_t nc = s->cap ? s->cap * 2 : 16;
        weld_csection *nv = alloc(e, sizeof *nv * nc);
        if (!nv) return NULL;
        if (s->n) memcpy(nv, s->v, sizeof *nv * s->n);
        s->v = nv;
        s->cap = nc;
    }
    weld_csection *sec = &s->v[s->n++];
    memset(sec, 0, sizeof *sec);
    sec->id = id;
    sec->count = 1;
    return sec;
}

/* Adds `type` as the next type of the component and exports it as `name`. */
static bool add_type_export(encoder *e, sections *secs, const weld_ctype *type, const char *name, uint32_t index)
{
    weld_csection *ts = push_section(e, secs, WELD_CSEC_TYPE);
    if (!ts) return false;
    const weld_ctype **tv = alloc(e, sizeof *tv);
    if (!tv) return false;
    tv[0] = type;
    ts->u.types = tv;
    weld_csection *es = push_section(e, secs, WELD_CSEC_EXPORT);
    if (!es) return false;
    weld_cexport *x = alloc(e, sizeof *x);
    if (!x) return false;
    x->name.tag = 0x00;
    x->name.name = mkstr(e, name);
    x->item.sort.sort = WELD_SORT_TYPE;
    x->item.index = index;
    es->u.exports = x;
    return !e->oom;
}

static bool add_custom(encoder *e, sections *secs, const char *name, const uint8_t *data, size_t len)
{
    weld_csection *cs = push_section(e, secs, WELD_CSEC_CUSTOM);
    weld_custom *c = alloc(e, sizeof *c);
    uint8_t *copy = alloc(e, len);
    if (!cs || !c || !copy) return false;
    memcpy(copy, data, len);
    c->name = mkstr(e, name);
    c->data = copy;
    c->len = (uint32_t)len;
    cs->u.custom = c;
    return !e->oom;
}

weld_status weld_wit_encode(const weld_wit_resolve *r, uint32_t pkg, uint8_t **out, size_t *out_len, weld_diag *d)
{
    *out = NULL;
    if (out_len) *out_len = 0;
    if (pkg >= r->npackages) return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET, "no package %u to encode", pkg);
    weld_arena *arena = weld_arena_new();
    if (!arena) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while encoding WIT");
    encoder top;
    memset(&top, 0, sizeof top);
    top.r = r;
    top.arena = arena;
    sections secs = {0};
    const weld_wit_package *p = &r->packages[pkg];
    weld_status st = WELD_OK;
    uint32_t ntypes = 0;
    for (uint32_t i = 0; i < p->ninterfaces && st == WELD_OK; i++) {
        weld_ctype *t = NULL;
        st = interface_type(r, arena, pkg, p->interfaces[i].id, &t, d);
        if (st == WELD_OK && !add_type_export(&top, &secs, t, p->interfaces[i].name, ntypes)) st = WELD_ERR_NOMEM;
        ntypes += 2; /* the type and its export */
    }
    for (uint32_t i = 0; i < p->nworlds && st == WELD_OK; i++) {
        weld_ctype *wt = NULL;
        st = world_type(r, arena, p->worlds[i].id, &wt, d);
        if (st != WELD_OK) break;
        /* the wrapper: the world's component type, exported under its full name */
        weld_cdecl *decls = alloc(&top, sizeof *decls * 2);
        weld_ctype *wrap = new_type(&top, WELD_CT_COMPONENT);
        char name[400];
        snprintf(name, sizeof name, "%s:%s/%s%s%s", p->ns, p->name, p->worlds[i].name, p->version ? "@" : "",
                 p->version ? p->version : "");
        if (!decls || !wrap) {
            st = WELD_ERR_NOMEM;
            break;
        }
        decls[0].kind = WELD_DECL_TYPE;
        decls[0].u.type = wt;
        decls[1].kind = WELD_DECL_EXPORT;
        decls[1].u.ext.name.name = mkstr(&top, name);
        decls[1].u.ext.type = ext(WELD_EXT_COMPONENT, 0);
        wrap->u.decls.count = 2;
        wrap->u.decls.decls = decls;
        if (!add_type_export(&top, &secs, wrap, p->worlds[i].name, ntypes)) st = WELD_ERR_NOMEM;
        ntypes += 2;
    }
    if (st == WELD_OK) {
        char *docs = package_docs(r, pkg);
        size_t n = docs ? strlen(docs) : 0;
        uint8_t *data = malloc(n + 1);
        if (!docs || !data) st = WELD_ERR_NOMEM;
        else {
            data[0] = 1; /* package-docs format version */
            memcpy(data + 1, docs, n);
            if (!add_custom(&top, &secs, "package-docs", data, n + 1)) st = WELD_ERR_NOMEM;
        }
        free(docs);
        free(data);
    }
    if (st == WELD_OK) {
        /* producers: processed-by weld VERSION */
        weld_buf b;
        weld_buf_init(&b);
        weld_buf_u32leb(&b, 1);
        weld_buf_name(&b, "processed-by", 12);
        weld_buf_u32leb(&b, 1);
        weld_buf_name(&b, "weld", 4);
        weld_buf_name(&b, WELD_VERSION, strlen(WELD_VERSION));
        if (b.oom || !add_custom(&top, &secs, "producers", b.data, b.len)) st = WELD_ERR_NOMEM;
        weld_buf_free(&b);
    }
    if (st == WELD_OK) {
        weld_component c;
        memset(&c, 0, sizeof c);
        c.arena = arena;
        c.nsections = secs.n;
        c.sections = secs.v;
        st = weld_component_write(&c, out, out_len, d);
    } else if (st == WELD_ERR_NOMEM) {
        weld_diag_set(d, st, WELD_NO_OFFSET, "out of memory while encoding WIT");
    }
    weld_arena_free(arena);
    return st;
}
