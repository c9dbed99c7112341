/* decode.c - component types back to WIT, on the component type model (weld/ctypes.h).
 *
 * Two inputs share this code:
 *  - a WIT package encoded as a component (what weld_wit_encode and wit-component write):
 *    every export is a component type; one exporting an instance `ns:pkg/i@v` is
 *    interface i (its imports are the interfaces it uses), one exporting a component
 *    `ns:pkg/w@v` is world w. Docs and gates come back from `package-docs`.
 *  - an ordinary component: its imports and exports become world `root` of package
 *    `root:component`, as wit-component names it.
 *
 * Names come from the model's type exports: an exported type is a node, and a later
 * reference to that node (the same pointer) is a reference to the named type. Primitive
 * nodes are shared by every use, so a named alias of a primitive is never used for that
 * mapping. Interfaces of other packages are filled in lazily, with the types and functions
 * the input mentions. */
#include "wit/resolve_int.h"
#include "weld/ctypes.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct ptrmap {
    const void **k;
    uint32_t *v;
    uint32_t n, cap;
} ptrmap;

typedef struct dec {
    weld_wit_resolve *r;
    weld_diag *d;
    ptrmap global; /* node -> named type id, per document */
    ptrmap local;  /* node -> named type id, in the interface or world being read */
    ptrmap anon;   /* node -> anonymous type id */
    weld_wit_owner_kind owner_kind;
    uint32_t owner;
    uint32_t depth;
} dec;

static weld_status nomem(dec *x)
{
    return weld_diag_set(x->d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while decoding WIT");
}

static bool map_put(ptrmap *m, const void *k, uint32_t v)
{
    for (uint32_t i = 0; i < m->n; i++)
        if (m->k[i] == k) {
            m->v[i] = v;
            return true;
        }
    if (m->n == m->cap) {
        uint32_t nc = m->cap ? m->cap * 2 : 64;
        const void **nk = realloc(m->k, sizeof *nk * nc);
        if (!nk) return false;
        m->k = nk;
        uint32_t *nv = realloc(m->v, sizeof *nv * nc);
        if (!nv) return false;
        m->v = nv;
        m->cap = nc;
    }
    m->k[m->n] = k;
    m->v[m->n++] = v;
    return true;
}

static uint32_t map_get(const ptrmap *m, const void *k)
{
    for (uint32_t i = m->n; i-- > 0;)
        if (m->k[i] == k) return m->v[i];
    return UINT32_MAX;
}

static void map_free(ptrmap *m)
{
    free(m->k);
    free(m->v);
    memset(m, 0, sizeof *m);
}

static const char *dupstr(dec *x, const char *s, size_t n)
{
    return weld_arena_strndup(x->r->arena, s, n);
}

static const char *dupw(dec *x, weld_str s)
{
    return dupstr(x, s.ptr, s.len);
}

/* Append one element to an arena array of n elements (copying: arrays stay exact). */
static void *append(dec *x, void **v, uint32_t *n, size_t size)
{
    uint8_t *nv = weld_arena_alloc(x->r->arena, size * (*n + 1));
    if (!nv) return NULL;
    if (*n) memcpy(nv, *v, size * *n);
    *v = nv;
    return nv + size * (*n)++;
}

/* ---- packages and interfaces by name ---- */

typedef struct iname {
    char ns[128], pkg[128], item[128], version[64];
    bool has_version;
} iname;

/* "ns:pkg/item@version" */
static bool parse_iname(const char *s, size_t n, iname *o)
{
    memset(o, 0, sizeof *o);
    const char *colon = memchr(s, ':', n), *slash = memchr(s, '/', n);
    if (!colon || !slash || colon > slash) return false;
    const char *at = memchr(slash, '@', n - (size_t)(slash - s));
    const char *end = at ? at : s + n;
    if ((size_t)(colon - s) >= sizeof o->ns || (size_t)(slash - colon - 1) >= sizeof o->pkg ||
        (size_t)(end - slash - 1) >= sizeof o->item)
        return false;
    memcpy(o->ns, s, (size_t)(colon - s));
    memcpy(o->pkg, colon + 1, (size_t)(slash - colon - 1));
    memcpy(o->item, slash + 1, (size_t)(end - slash - 1));
    if (at) {
        size_t vl = (size_t)(s + n - at - 1);
        if (vl >= sizeof o->version) return false;
        memcpy(o->version, at + 1, vl);
        o->has_version = true;
    }
    return o->ns[0] && o->pkg[0] && o->item[0];
}

static uint32_t get_package(dec *x, const char *ns, const char *name, const char *version)
{
    weld_wit_resolve *r = x->r;
    for (uint32_t i = 0; i < r->npackages; i++) {
        const weld_wit_package *p = &r->packages[i];
        if (strcmp(p->ns, ns) == 0 && strcmp(p->name, name) == 0 &&
            ((!p->version && !version) || (p->version && version && strcmp(p->version, version) == 0)))
            return i;
    }
    weld_wit_package *p = append(x, (void **)&r->packages, &r->npackages, sizeof *p);
    if (!p) return UINT32_MAX;
    r->cap_packages = r->npackages;
    memset(p, 0, sizeof *p);
    p->ns = dupstr(x, ns, strlen(ns));
    p->name = dupstr(x, name, strlen(name));
    p->version = version ? dupstr(x, version, strlen(version)) : NULL;
    return r->npackages - 1;
}

static uint32_t new_interface(dec *x, uint32_t pkg, const char *name)
{
    weld_wit_resolve *r = x->r;
    weld_wit_interface *in = append(x, (void **)&r->interfaces, &r->ninterfaces, sizeof *in);
    if (!in) return UINT32_MAX;
    r->cap_interfaces = r->ninterfaces;
    memset(in, 0, sizeof *in);
    in->package = pkg;
    uint32_t id = r->ninterfaces - 1;
    if (name) {
        in->name = dupstr(x, name, strlen(name));
        weld_wit_package *p = &r->packages[pkg];
        weld_wit_named *e = append(x, (void **)&p->interfaces, &p->ninterfaces, sizeof *e);
        if (!e) return UINT32_MAX;
        e->name = in->name;
        e->id = id;
    }
    return id;
}

/* The interface named by "ns:pkg/i@v", created when missing; *existed says whether it was
 * there already. */
static weld_status interface_by_name(dec *x, weld_str full, uint32_t *out, bool *existed)
{
    iname n;
    if (!parse_iname(full.ptr, full.len, &n))
        return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "`%.*s` is not an interface name (ns:pkg/name)",
                             (int)full.len, full.ptr);
    uint32_t pkg = get_package(x, n.ns, n.pkg, n.has_version ? n.version : NULL);
    if (pkg == UINT32_MAX) return nomem(x);
    const weld_wit_package *p = &x->r->packages[pkg];
    int k = wit_find_named(p->interfaces, p->ninterfaces, n.item);
    *existed = k >= 0;
    if (k >= 0) {
        *out = p->interfaces[k].id;
        return WELD_OK;
    }
    *out = new_interface(x, pkg, n.item);
    return *out == UINT32_MAX ? nomem(x) : WELD_OK;
}

/* ---- types ---- */

static uint32_t new_type(dec *x, const char *name, weld_wit_kind kind)
{
    weld_wit_resolve *r = x->r;
    weld_wit_typedef *t = append(x, (void **)&r->types, &r->ntypes, sizeof *t);
    if (!t) return UINT32_MAX;
    r->cap_types = r->ntypes;
    memset(t, 0, sizeof *t);
    t->name = name;
    t->kind = kind;
    t->owner_kind = name ? x->owner_kind : WELD_WIT_OWNER_NONE;
    t->owner = name ? x->owner : 0;
    return r->ntypes - 1;
}

static weld_wit_tref prim_tref(uint8_t p)
{
    switch (p) {
    case WELD_CV_BOOL: return WELD_WIT_T_BOOL;
    case WELD_CV_S8: return WELD_WIT_T_S8;
    case WELD_CV_U8: return WELD_WIT_T_U8;
    case WELD_CV_S16: return WELD_WIT_T_S16;
    case WELD_CV_U16: return WELD_WIT_T_U16;
    case WELD_CV_S32: return WELD_WIT_T_S32;
    case WELD_CV_U32: return WELD_WIT_T_U32;
    case WELD_CV_S64: return WELD_WIT_T_S64;
    case WELD_CV_U64: return WELD_WIT_T_U64;
    case WELD_CV_F32: return WELD_WIT_T_F32;
    case WELD_CV_F64: return WELD_WIT_T_F64;
    case WELD_CV_CHAR: return WELD_WIT_T_CHAR;
    case WELD_CV_STRING: return WELD_WIT_T_STRING;
    case WELD_CV_ERROR_CONTEXT: return WELD_WIT_T_ERROR_CONTEXT;
    default: return WELD_WIT_T_NONE;
    }
}

static weld_status conv(dec *x, const weld_tnode *t, weld_wit_tref *out);

static weld_status conv_opt(dec *x, const weld_tnode *t, weld_wit_tref *out)
{
    if (!t) {
        *out = WELD_WIT_T_NONE;
        return WELD_OK;
    }
    return conv(x, t, out);
}

static weld_status fields_of(dec *x, const weld_tfield *in, uint32_t n, bool opt, weld_wit_field **out)
{
    weld_wit_field *f = weld_arena_alloc(x->r->arena, sizeof *f * (n ? n : 1));
    if (!f) return nomem(x);
    for (uint32_t i = 0; i < n; i++) {
        f[i].name = dupw(x, in[i].name);
        if (!f[i].name) return nomem(x);
        TRY(opt ? conv_opt(x, in[i].type, &f[i].type) : conv(x, in[i].type, &f[i].type));
    }
    *out = f;
    return WELD_OK;
}

/* Fill type `id` with the structure of node t (its kind and payload). */
static weld_status define(dec *x, uint32_t id, const weld_tnode *t)
{
    weld_wit_typedef td;
    memset(&td, 0, sizeof td);
    if (++x->depth > 1000) return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "types nested too deeply");
    switch (t->kind) {
    case WELD_TK_PRIM:
        td.kind = WELD_WIT_ALIAS;
        td.a = prim_tref(t->u.prim);
        break;
    case WELD_TK_RECORD:
        td.kind = WELD_WIT_RECORD;
        td.nfields = t->u.record.count;
        TRY(fields_of(x, t->u.record.fields, td.nfields, false, &td.fields));
        break;
    case WELD_TK_VARIANT:
        td.kind = WELD_WIT_VARIANT;
        td.nfields = t->u.variant.count;
        TRY(fields_of(x, t->u.variant.cases, td.nfields, true, &td.fields));
        break;
    case WELD_TK_FLAGS:
    case WELD_TK_ENUM:
        td.kind = t->kind == WELD_TK_FLAGS ? WELD_WIT_FLAGS : WELD_WIT_ENUM;
        td.nfields = t->u.labels.count;
        td.fields = weld_arena_alloc(x->r->arena, sizeof *td.fields * (td.nfields ? td.nfields : 1));
        if (!td.fields) return nomem(x);
        for (uint32_t i = 0; i < td.nfields; i++)
            if (!(td.fields[i].name = dupw(x, t->u.labels.names[i]))) return nomem(x);
        break;
    case WELD_TK_TUPLE:
        td.kind = WELD_WIT_TUPLE;
        td.nfields = t->u.tuple.count;
        td.fields = weld_arena_alloc(x->r->arena, sizeof *td.fields * (td.nfields ? td.nfields : 1));
        if (!td.fields) return nomem(x);
        for (uint32_t i = 0; i < td.nfields; i++) TRY(conv(x, t->u.tuple.types[i], &td.fields[i].type));
        break;
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST:
        td.kind = t->kind == WELD_TK_LIST ? WELD_WIT_LIST : WELD_WIT_FIXED_LIST;
        td.n = t->u.list.len;
        TRY(conv(x, t->u.list.elem, &td.a));
        break;
    case WELD_TK_OPTION:
        td.kind = WELD_WIT_OPTION;
        TRY(conv(x, t->u.option, &td.a));
        break;
    case WELD_TK_RESULT:
        td.kind = WELD_WIT_RESULT;
        TRY(conv_opt(x, t->u.result.ok, &td.a));
        TRY(conv_opt(x, t->u.result.err, &td.b));
        break;
    case WELD_TK_OWN:
    case WELD_TK_BORROW:
        td.kind = t->kind == WELD_TK_OWN ? WELD_WIT_OWN : WELD_WIT_BORROW;
        TRY(conv(x, t->u.handle, &td.a));
        break;
    case WELD_TK_STREAM:
    case WELD_TK_FUTURE:
        td.kind = t->kind == WELD_TK_STREAM ? WELD_WIT_STREAM : WELD_WIT_FUTURE;
        TRY(conv_opt(x, t->u.elem, &td.a));
        break;
    case WELD_TK_MAP:
        td.kind = WELD_WIT_MAP;
        TRY(conv(x, t->u.map.key, &td.a));
        TRY(conv(x, t->u.map.value, &td.b));
        break;
    case WELD_TK_RESOURCE:
        td.kind = WELD_WIT_RESOURCE;
        break;
    default:
        return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "a %s is not a WIT type", weld_tkind_name(t->kind));
    }
    x->depth--;
    weld_wit_typedef *dst = &x->r->types[id];
    dst->kind = td.kind;
    dst->a = td.a;
    dst->b = td.b;
    dst->n = td.n;
    dst->nfields = td.nfields;
    dst->fields = td.fields;
    return WELD_OK;
}

/* Whether a node can carry a WIT name: every node but the shared primitive nodes (a named
 * alias of a primitive, `type id = u64;`, is a node of its own with `alias_of` set). */
static bool nameable(const weld_tnode *t)
{
    return t->kind != WELD_TK_PRIM || t->alias_of;
}

/* The WIT type already named for t, or for the type t is an alias of. */
static uint32_t lookup_named(dec *x, const weld_tnode *t)
{
    for (; t && nameable(t); t = t->alias_of) {
        uint32_t id = map_get(&x->local, t);
        if (id == UINT32_MAX) id = map_get(&x->global, t);
        if (id != UINT32_MAX) return id;
    }
    return UINT32_MAX;
}

static weld_status conv(dec *x, const weld_tnode *t, weld_wit_tref *out)
{
    uint32_t id = lookup_named(x, t);
    if (id == UINT32_MAX && t->kind == WELD_TK_PRIM) {
        *out = prim_tref(t->u.prim);
        return WELD_OK;
    }
    if (id == UINT32_MAX) id = map_get(&x->anon, t);
    if (id != UINT32_MAX) {
        *out = WELD_WIT_TREF(id);
        return WELD_OK;
    }
    if (t->kind == WELD_TK_RESOURCE) {
        /* a resource no export named here: name it after its import or export */
        const char *nm = t->u.resource.name.len ? dupw(x, t->u.resource.name) : "resource";
        id = new_type(x, nm, WELD_WIT_RESOURCE);
        if (id == UINT32_MAX || !map_put(&x->global, t, id)) return nomem(x);
        *out = WELD_WIT_TREF(id);
        return WELD_OK;
    }
    id = new_type(x, NULL, WELD_WIT_UNKNOWN);
    if (id == UINT32_MAX || !map_put(&x->anon, t, id)) return nomem(x);
    TRY(define(x, id, t));
    *out = WELD_WIT_TREF(id);
    return WELD_OK;
}

/* A type exported under `name` by the interface or world being read: a new named type
 * (or, when the node already has a name, an alias of that type). */
static weld_status named_type(dec *x, weld_str name, const weld_tnode *t, uint32_t *out)
{
    const char *nm = dupw(x, name);
    if (!nm) return nomem(x);
    uint32_t prev = lookup_named(x, t);
    uint32_t id = new_type(x, nm, WELD_WIT_UNKNOWN);
    if (id == UINT32_MAX) return nomem(x);
    if (prev != UINT32_MAX) {
        x->r->types[id].kind = WELD_WIT_ALIAS;
        x->r->types[id].a = WELD_WIT_TREF(prev);
    } else {
        TRY(define(x, id, t));
        if (nameable(t) && !map_put(&x->global, t, id)) return nomem(x);
    }
    /* references go to the first local name (`type b = a;` keeps them on `a`) */
    if (nameable(t) && map_get(&x->local, t) == UINT32_MAX && !map_put(&x->local, t, id)) return nomem(x);
    *out = id;
    return WELD_OK;
}

/* ---- functions ---- */

static weld_status func_of(dec *x, weld_str name, const weld_tnode *t, const weld_wit_named *types, uint32_t ntypes,
                           weld_wit_func *f)
{
    memset(f, 0, sizeof *f);
    if (t->kind != WELD_TK_FUNC)
        return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "`%.*s` is a %s, not a function", (int)name.len,
                             name.ptr, weld_tkind_name(t->kind));
    f->name = dupw(x, name);
    if (!f->name) return nomem(x);
    f->is_async = t->u.func.async;
    f->kind = WELD_WIT_FUNC_FREESTANDING;
    const char *s = f->name, *res = NULL;
    size_t reslen = 0;
    static const struct { const char *prefix; weld_wit_func_kind kind; bool dotted; } forms[] = {
        {"[constructor]", WELD_WIT_FUNC_CONSTRUCTOR, false},
        {"[method]", WELD_WIT_FUNC_METHOD, true},
        {"[static]", WELD_WIT_FUNC_STATIC, true},
        {"[async method]", WELD_WIT_FUNC_METHOD, true},
        {"[async static]", WELD_WIT_FUNC_STATIC, true},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        size_t pl = strlen(forms[i].prefix);
        if (strncmp(s, forms[i].prefix, pl) != 0) continue;
        res = s + pl;
        const char *dot = forms[i].dotted ? strchr(res, '.') : NULL;
        reslen = dot ? (size_t)(dot - res) : strlen(res);
        f->kind = forms[i].kind;
        break;
    }
    if (res) {
        char rn[256];
        if (reslen >= sizeof rn) reslen = sizeof rn - 1;
        memcpy(rn, res, reslen);
        rn[reslen] = 0;
        int k = types ? wit_find_named(types, ntypes, rn) : -1;
        if (k < 0)
            return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "function `%s`: no resource `%s` here", f->name, rn);
        f->resource = types[k].id;
        f->resource = types[k].id;
    }
    f->nparams = t->u.func.nparams;
    TRY(fields_of(x, t->u.func.params, f->nparams, false, &f->params));
    TRY(conv_opt(x, t->u.func.result, &f->result));
    return WELD_OK;
}

/* ---- interfaces ---- */

/* Read instance type `inst` into interface `iface`. When the interface was defined
 * already (`existed`), its types are matched by name and only what is missing is added. */
static weld_status fill_interface(dec *x, uint32_t iface, const weld_tnode *inst, bool existed)
{
    if (inst->kind != WELD_TK_INSTANCE)
        return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "expected an instance type, found a %s",
                             weld_tkind_name(inst->kind));
    map_free(&x->local);
    x->owner_kind = WELD_WIT_OWNER_INTERFACE;
    x->owner = iface;
    weld_wit_resolve *r = x->r;
    for (uint32_t i = 0; i < inst->u.ext.nexports; i++) {
        const weld_textern *e = &inst->u.ext.exports[i];
        if (e->sort == WELD_EXT_TYPE) {
            weld_wit_interface *in = &r->interfaces[iface];
            char nm[256];
            snprintf(nm, sizeof nm, "%.*s", (int)e->name.len, e->name.ptr);
            int k = existed ? wit_find_named(in->types, in->ntypes, nm) : -1;
            if (k >= 0) {
                if (nameable(e->type)) {
                    if (!map_put(&x->local, e->type, in->types[k].id)) return nomem(x);
                    if (map_get(&x->global, e->type) == UINT32_MAX && !map_put(&x->global, e->type, in->types[k].id))
                        return nomem(x);
                }
                continue;
            }
            uint32_t id;
            TRY(named_type(x, e->name, e->type, &id));
            in = &r->interfaces[iface];
            weld_wit_named *n = append(x, (void **)&in->types, &in->ntypes, sizeof *n);
            if (!n) return nomem(x);
            n->name = r->types[id].name;
            n->id = id;
        } else if (e->sort == WELD_EXT_FUNC) {
            weld_wit_interface *in = &r->interfaces[iface];
            bool have = false;
            for (uint32_t k = 0; existed && k < in->nfuncs && !have; k++)
                have = strlen(in->funcs[k].name) == e->name.len && memcmp(in->funcs[k].name, e->name.ptr, e->name.len) == 0;
            if (have) continue;
            weld_wit_func f;
            TRY(func_of(x, e->name, e->type, in->types, in->ntypes, &f));
            in = &r->interfaces[iface];
            weld_wit_func *slot = append(x, (void **)&in->funcs, &in->nfuncs, sizeof *slot);
            if (!slot) return nomem(x);
            *slot = f;
        } else {
            return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET,
                                 "instance export `%.*s` is neither a type nor a function", (int)e->name.len, e->name.ptr);
        }
    }
    return WELD_OK;
}

static bool is_iface_name(weld_str s)
{
    return memchr(s.ptr, ':', s.len) && memchr(s.ptr, '/', s.len);
}

/* ---- worlds ---- */

static weld_status world_items(dec *x, uint32_t wid, uint32_t pkg, const weld_textern *ext, uint32_t n, bool imports)
{
    weld_wit_resolve *r = x->r;
    for (uint32_t i = 0; i < n; i++) {
        const weld_textern *e = &ext[i];
        weld_wit_world_item it;
        memset(&it, 0, sizeof it);
        if (e->sort == WELD_EXT_INSTANCE) {
            it.kind = WELD_WIT_ITEM_INTERFACE;
            if (is_iface_name(e->name)) {
                bool existed;
                TRY(interface_by_name(x, e->name, &it.id, &existed));
                TRY(fill_interface(x, it.id, e->type, existed));
            } else {
                it.name = dupw(x, e->name);
                it.id = new_interface(x, pkg, NULL);
                if (!it.name || it.id == UINT32_MAX) return nomem(x);
                TRY(fill_interface(x, it.id, e->type, false));
            }
        } else if (e->sort == WELD_EXT_FUNC) {
            x->owner_kind = WELD_WIT_OWNER_WORLD;
            x->owner = wid;
            it.kind = WELD_WIT_ITEM_FUNC;
            it.name = dupw(x, e->name);
            /* resources of world-level methods are world types */
            weld_wit_named *tn = NULL;
            uint32_t ntn = 0;
            const weld_wit_world *w = &r->worlds[wid];
            for (uint32_t k = 0; k < w->nimports; k++)
                if (w->imports[k].kind == WELD_WIT_ITEM_TYPE) {
                    weld_wit_named *s = append(x, (void **)&tn, &ntn, sizeof *s);
                    if (!s) return nomem(x);
                    s->name = w->imports[k].name;
                    s->id = w->imports[k].id;
                }
            TRY(func_of(x, e->name, e->type, tn, ntn, &it.func));
        } else if (e->sort == WELD_EXT_TYPE && imports) {
            x->owner_kind = WELD_WIT_OWNER_WORLD;
            x->owner = wid;
            it.kind = WELD_WIT_ITEM_TYPE;
            it.name = dupw(x, e->name);
            TRY(named_type(x, e->name, e->type, &it.id));
        } else {
            return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET,
                                 "%s `%.*s` (a %s) has no WIT form", imports ? "import" : "export", (int)e->name.len,
                                 e->name.ptr, weld_tkind_name(e->type ? e->type->kind : 0));
        }
        weld_wit_world *w = &r->worlds[wid];
        weld_wit_world_item *slot = imports ? append(x, (void **)&w->imports, &w->nimports, sizeof *slot)
                                            : append(x, (void **)&w->exports, &w->nexports, sizeof *slot);
        if (!slot) return nomem(x);
        *slot = it;
    }
    return WELD_OK;
}

static weld_status add_world(dec *x, uint32_t pkg, const char *name, const weld_tnode *ct, uint32_t *out)
{
    weld_wit_resolve *r = x->r;
    if (ct->kind != WELD_TK_COMPONENT)
        return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "world `%s`: expected a component type", name);
    weld_wit_world *w = append(x, (void **)&r->worlds, &r->nworlds, sizeof *w);
    if (!w) return nomem(x);
    r->cap_worlds = r->nworlds;
    memset(w, 0, sizeof *w);
    uint32_t wid = r->nworlds - 1;
    w->name = dupstr(x, name, strlen(name));
    w->package = pkg;
    weld_wit_package *p = &r->packages[pkg];
    weld_wit_named *e = append(x, (void **)&p->worlds, &p->nworlds, sizeof *e);
    if (!e || !w->name) return nomem(x);
    e->name = r->worlds[wid].name;
    e->id = wid;
    map_free(&x->local);
    TRY(world_items(x, wid, pkg, ct->u.ext.imports, ct->u.ext.nimports, true));
    map_free(&x->local);
    TRY(world_items(x, wid, pkg, ct->u.ext.exports, ct->u.ext.nexports, false));
    *out = wid;
    return WELD_OK;
}

/* ---- package-docs ---- */

static const char *jstr(dec *x, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? dupstr(x, json_string_value(v), json_string_length(v)) : NULL;
}

static void jstab(dec *x, json_t *o, weld_wit_stability *s)
{
    json_t *v = json_object_get(o, "stability");
    if (!json_is_object(v)) return;
    json_t *st = json_object_get(v, "stable"), *un = json_object_get(v, "unstable");
    if (json_is_object(st)) {
        s->kind = WELD_WIT_STAB_STABLE;
        s->since = jstr(x, st, "since");
        s->deprecated = jstr(x, st, "deprecated");
    } else if (json_is_object(un)) {
        s->kind = WELD_WIT_STAB_UNSTABLE;
        s->feature = jstr(x, un, "feature");
        s->deprecated = jstr(x, un, "deprecated");
    }
}

static void jstab_value(dec *x, json_t *v, weld_wit_stability *s)
{
    json_t *wrap = json_object();
    json_object_set(wrap, "stability", v);
    jstab(x, wrap, s);
    json_decref(wrap);
}

/* docs/stability of a function: either a string (docs only) or an object */
static void jfunc(dec *x, json_t *v, weld_wit_func *f)
{
    if (json_is_string(v)) {
        f->docs = dupstr(x, json_string_value(v), json_string_length(v));
        return;
    }
    f->docs = jstr(x, v, "docs");
    jstab(x, v, &f->stability);
}

static void jtype(dec *x, json_t *v, uint32_t tid)
{
    weld_wit_typedef *t = &x->r->types[tid];
    t->docs = jstr(x, v, "docs");
    jstab(x, v, &t->stability);
    json_t *items = json_object_get(v, "items");
    for (uint32_t i = 0; json_is_object(items) && i < t->nfields; i++) {
        json_t *d = json_object_get(items, t->fields[i].name);
        if (json_is_string(d)) t->fields[i].docs = dupstr(x, json_string_value(d), json_string_length(d));
    }
}

static void jiface(dec *x, json_t *v, uint32_t iface)
{
    weld_wit_interface *in = &x->r->interfaces[iface];
    in->docs = jstr(x, v, "docs");
    jstab(x, v, &in->stability);
    json_t *types = json_object_get(v, "types"), *funcs = json_object_get(v, "funcs");
    for (uint32_t i = 0; json_is_object(types) && i < in->ntypes; i++) {
        json_t *t = json_object_get(types, in->types[i].name);
        if (t) jtype(x, t, in->types[i].id);
    }
    for (uint32_t i = 0; json_is_object(funcs) && i < in->nfuncs; i++) {
        json_t *f = json_object_get(funcs, in->funcs[i].name);
        if (f) jfunc(x, f, &in->funcs[i]);
    }
}

static weld_wit_world_item *item_named(weld_wit_world_item *v, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (v[i].name && strcmp(v[i].name, name) == 0) return &v[i];
    return NULL;
}

static weld_wit_world_item *item_by_id(dec *x, weld_wit_world_item *v, uint32_t n, const char *name)
{
    char buf[400];
    for (uint32_t i = 0; i < n; i++) {
        if (v[i].kind != WELD_WIT_ITEM_INTERFACE) continue;
        if (v[i].name) {
            if (strcmp(v[i].name, name) == 0) return &v[i];
            continue;
        }
        const weld_wit_interface *in = &x->r->interfaces[v[i].id];
        weld_wit_package_id(&x->r->packages[in->package], buf, sizeof buf);
        const char *at = strchr(buf, '@');
        char full[600];
        if (at)
            snprintf(full, sizeof full, "%.*s/%s%s", (int)(at - buf), buf, in->name, at);
        else
            snprintf(full, sizeof full, "%s/%s", buf, in->name);
        if (strcmp(full, name) == 0) return &v[i];
    }
    return NULL;
}

static void jworld(dec *x, json_t *v, uint32_t wid)
{
    weld_wit_world *w = &x->r->worlds[wid];
    w->docs = jstr(x, v, "docs");
    jstab(x, v, &w->stability);
    const char *key;
    json_t *val;
    json_t *m;
    if ((m = json_object_get(v, "interfaces")))
        json_object_foreach(m, key, val) {
            weld_wit_world_item *it = item_named(w->imports, w->nimports, key);
            if (!it) it = item_named(w->exports, w->nexports, key);
            if (it && it->kind == WELD_WIT_ITEM_INTERFACE) {
                jstab(x, val, &it->stability);
                jiface(x, val, it->id);
            }
        }
    if ((m = json_object_get(v, "interface_exports")))
        json_object_foreach(m, key, val) {
            weld_wit_world_item *it = item_named(w->exports, w->nexports, key);
            if (it && it->kind == WELD_WIT_ITEM_INTERFACE) {
                jstab(x, val, &it->stability);
                jiface(x, val, it->id);
            }
        }
    if ((m = json_object_get(v, "types")))
        json_object_foreach(m, key, val) {
            weld_wit_world_item *it = item_named(w->imports, w->nimports, key);
            if (it && it->kind == WELD_WIT_ITEM_TYPE) {
                jtype(x, val, it->id);
                it->stability = x->r->types[it->id].stability;
            }
        }
    if ((m = json_object_get(v, "funcs")))
        json_object_foreach(m, key, val) {
            weld_wit_world_item *it = item_named(w->imports, w->nimports, key);
            if (!it) it = item_named(w->exports, w->nexports, key);
            if (it && it->kind == WELD_WIT_ITEM_FUNC) {
                jfunc(x, val, &it->func);
                it->stability = it->func.stability;
                it->docs = it->func.docs;
            }
        }
    if ((m = json_object_get(v, "func_exports")))
        json_object_foreach(m, key, val) {
            weld_wit_world_item *it = item_named(w->exports, w->nexports, key);
            if (it && it->kind == WELD_WIT_ITEM_FUNC) {
                jfunc(x, val, &it->func);
                it->stability = it->func.stability;
                it->docs = it->func.docs;
            }
        }
    static const char *const maps[] = {"interface_import_stability", "interface_export_stability",
                                       "interface_import_docs", "interface_export_docs"};
    for (int k = 0; k < 4; k++) {
        if (!(m = json_object_get(v, maps[k]))) continue;
        bool import = k % 2 == 0;
        json_object_foreach(m, key, val) {
            weld_wit_world_item *it = import ? item_by_id(x, w->imports, w->nimports, key)
                                             : item_by_id(x, w->exports, w->nexports, key);
            if (!it) continue;
            if (k < 2) jstab_value(x, val, &it->stability);
            else if (json_is_string(val)) it->docs = dupstr(x, json_string_value(val), json_string_length(val));
        }
    }
}

static weld_status package_docs(dec *x, uint32_t pkg, const uint8_t *data, size_t len)
{
    if (len < 1 || data[0] > 1)
        return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "package-docs: unknown format version %u",
                             len ? data[0] : 0);
    json_error_t err;
    json_t *o = json_loadb((const char *)data + 1, len - 1, 0, &err);
    if (!json_is_object(o)) {
        json_decref(o);
        return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "package-docs: bad JSON: %s", err.text);
    }
    weld_wit_package *p = &x->r->packages[pkg];
    p->docs = jstr(x, o, "docs");
    json_t *worlds = json_object_get(o, "worlds"), *ifaces = json_object_get(o, "interfaces");
    for (uint32_t i = 0; json_is_object(worlds) && i < p->nworlds; i++) {
        json_t *v = json_object_get(worlds, p->worlds[i].name);
        if (v) jworld(x, v, p->worlds[i].id);
    }
    for (uint32_t i = 0; json_is_object(ifaces) && i < p->ninterfaces; i++) {
        json_t *v = json_object_get(ifaces, p->interfaces[i].name);
        if (v) jiface(x, v, p->interfaces[i].id);
    }
    json_decref(o);
    return WELD_OK;
}

/* ---- entry points ---- */

static bool is_package(const weld_tnode *self)
{
    if (self->u.ext.nexports == 0 || self->u.ext.nimports) return false;
    for (uint32_t i = 0; i < self->u.ext.nexports; i++) {
        const weld_textern *e = &self->u.ext.exports[i];
        if (e->sort != WELD_EXT_TYPE || !e->type || e->type->kind != WELD_TK_COMPONENT) return false;
    }
    return !is_iface_name(self->u.ext.exports[0].name);
}

static weld_status decode_package(dec *x, const weld_component *c, const weld_tnode *self, uint32_t *main)
{
    uint32_t pkg = UINT32_MAX;
    for (uint32_t i = 0; i < self->u.ext.nexports; i++) {
        const weld_textern *e = &self->u.ext.exports[i];
        const weld_tnode *ct = e->type;
        if (ct->u.ext.nexports != 1)
            return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET,
                                 "package item `%.*s`: expected one export in its component type, found %u", (int)e->name.len,
                                 e->name.ptr, ct->u.ext.nexports);
        const weld_textern *inner = &ct->u.ext.exports[0];
        iname n;
        if (!parse_iname(inner->name.ptr, inner->name.len, &n))
            return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "package item `%.*s`: `%.*s` is not ns:pkg/name",
                                 (int)e->name.len, e->name.ptr, (int)inner->name.len, inner->name.ptr);
        uint32_t p = get_package(x, n.ns, n.pkg, n.has_version ? n.version : NULL);
        if (p == UINT32_MAX) return nomem(x);
        if (pkg == UINT32_MAX) pkg = p;
        else if (p != pkg)
            return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "package item `%.*s` belongs to another package",
                                 (int)inner->name.len, inner->name.ptr);
        map_free(&x->global);
        map_free(&x->anon);
        if (inner->sort == WELD_EXT_INSTANCE) {
            /* the interfaces it uses, then itself */
            for (uint32_t k = 0; k < ct->u.ext.nimports; k++) {
                const weld_textern *im = &ct->u.ext.imports[k];
                if (im->sort != WELD_EXT_INSTANCE)
                    return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "interface `%s`: import `%.*s` is not an instance",
                                         n.item, (int)im->name.len, im->name.ptr);
                uint32_t dep;
                bool existed;
                TRY(interface_by_name(x, im->name, &dep, &existed));
                TRY(fill_interface(x, dep, im->type, existed));
            }
            uint32_t id;
            bool existed;
            TRY(interface_by_name(x, inner->name, &id, &existed));
            TRY(fill_interface(x, id, inner->type, existed));
        } else if (inner->sort == WELD_EXT_COMPONENT) {
            uint32_t wid;
            TRY(add_world(x, pkg, n.item, inner->type, &wid));
        } else {
            return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET,
                                 "package item `%.*s`: exports neither an instance nor a component", (int)inner->name.len,
                                 inner->name.ptr);
        }
    }
    /* docs and gates */
    for (uint32_t i = 0; i < c->nsections; i++) {
        const weld_csection *s = &c->sections[i];
        if (s->id == WELD_CSEC_CUSTOM && s->u.custom->name.len == 12 && memcmp(s->u.custom->name.ptr, "package-docs", 12) == 0)
            TRY(package_docs(x, pkg, s->u.custom->data, s->u.custom->len));
    }
    *main = pkg;
    return WELD_OK;
}

weld_status weld_wit_decode(weld_wit_resolve *r, const uint8_t *data, size_t len, uint32_t *main, bool *is_pkg,
                            weld_diag *d)
{
    weld_arena *ca = weld_arena_new();
    if (!ca) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    weld_component *c = NULL;
    weld_component_read_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.skip_bodies = true;
    weld_status st = weld_component_read(ca, data, len, &ro, &c, d);
    weld_ctypes *m = NULL;
    if (st == WELD_OK) st = weld_ctypes_build(c, NULL, &m, d);
    dec x;
    memset(&x, 0, sizeof x);
    x.r = r;
    x.d = d;
    if (st == WELD_OK) {
        const weld_tnode *self = weld_ctypes_self(m);
        bool pkg = is_package(self);
        if (is_pkg) *is_pkg = pkg;
        if (pkg) {
            st = decode_package(&x, c, self, main);
        } else {
            uint32_t p = get_package(&x, "root", "component", NULL);
            uint32_t wid;
            if (p == UINT32_MAX) st = nomem(&x);
            else st = add_world(&x, p, "root", self, &wid);
            *main = p;
        }
    }
    map_free(&x.global);
    map_free(&x.local);
    map_free(&x.anon);
    weld_ctypes_free(m);
    weld_arena_free(ca);
    return st;
}
