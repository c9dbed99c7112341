/* world.c - resolving a world: its `use`s and types, imports and exports (named or
 * inline interfaces, functions), `include`s with `with` renames (types the included
 * world owns are copied), then elaboration. */
#include "wit/resolve_int.h"
#include <stdio.h>
#include <stdlib.h>


/* ---- worlds ---- */

weld_wit_world_item *wit_find_key(weld_wit_world_item *v, uint32_t n, const char *name, uint32_t iface)
{
    for (uint32_t i = 0; i < n; i++) {
        if (name ? (v[i].name && strcmp(v[i].name, name) == 0) : (!v[i].name && v[i].id == iface)) return &v[i];
    }
    return NULL;
}


weld_wit_world_item *wit_list_push(rctx *c, item_list *l)
{
    return WIT_PUSH(c->r->arena, l->v, l->n, l->cap);
}

static weld_status push_world_func(rctx *c, weld_wit_func *f, const wit_id *at, void *arg)
{
    item_list *l = arg;
    (void)at;
    weld_wit_world_item *it = wit_list_push(c, l);
    if (!it) return wit_nomem(c);
    it->name = f->name;
    it->kind = WELD_WIT_ITEM_FUNC;
    it->func = *f;
    it->stability = f->stability;
    return WELD_OK;
}

static const char *item_kind_name(const weld_wit_world_item *it)
{
    return it->kind == WELD_WIT_ITEM_INTERFACE ? "interface" : it->kind == WELD_WIT_ITEM_FUNC ? "func" : "type";
}



static weld_status resolve_world_body(rctx *c, uint32_t wid, uint32_t file, const wit_world *ast);

/* Types owned by the included world are copied into the including one. */
typedef struct clone_map {
    uint32_t *from, *to;
    uint32_t n, cap, capto;
} clone_map;

static weld_status clone_tref(rctx *c, clone_map *m, uint32_t src_world, uint32_t dst_world,
                              weld_wit_tref t, weld_wit_tref *out, int depth)
{
    weld_wit_resolve *r = c->r;
    *out = t;
    if (!WELD_WIT_IS_ID(t) || depth > 200) return WELD_OK;
    uint32_t id = WELD_WIT_ID(t);
    for (uint32_t i = 0; i < m->n; i++)
        if (m->from[i] == id) {
            *out = WELD_WIT_TREF(m->to[i]);
            return WELD_OK;
        }
    weld_wit_typedef td = r->types[id];
    bool owned = td.owner_kind == WELD_WIT_OWNER_WORLD && td.owner == src_world;
    if (!owned && td.owner_kind != WELD_WIT_OWNER_NONE) return WELD_OK;
    bool changed = owned;
    weld_wit_tref a = td.a, b = td.b;
    if (td.kind != WELD_WIT_RESOURCE) {
        TRY(clone_tref(c, m, src_world, dst_world, td.a, &a, depth + 1));
        TRY(clone_tref(c, m, src_world, dst_world, td.b, &b, depth + 1));
    }
    changed |= a != td.a || b != td.b;
    weld_wit_field *nf = td.fields;
    if (td.nfields) {
        nf = weld_arena_alloc(r->arena, sizeof *nf * td.nfields);
        if (!nf) return wit_nomem(c);
        for (uint32_t i = 0; i < td.nfields; i++) {
            nf[i] = td.fields[i];
            TRY(clone_tref(c, m, src_world, dst_world, td.fields[i].type, &nf[i].type, depth + 1));
            changed |= nf[i].type != td.fields[i].type;
        }
    }
    if (!changed) return WELD_OK;
    uint32_t nid = wit_new_type(r);
    if (nid == UINT32_MAX) return wit_nomem(c);
    td.a = a;
    td.b = b;
    td.fields = nf;
    if (owned) td.owner = dst_world;
    r->types[nid] = td;
    uint32_t *f = WIT_PUSH(r->arena, m->from, m->n, m->cap);
    if (!f) return wit_nomem(c);
    m->n--;
    uint32_t *to = WIT_PUSH(r->arena, m->to, m->n, m->capto);
    if (!to) return wit_nomem(c);
    *f = id;
    *to = nid;
    *out = WELD_WIT_TREF(nid);
    return WELD_OK;
}

static weld_status clone_func(rctx *c, clone_map *m, uint32_t sw, uint32_t dw, weld_wit_func *f)
{
    weld_wit_field *np = f->params;
    if (f->nparams) {
        np = weld_arena_alloc(c->r->arena, sizeof *np * f->nparams);
        if (!np) return wit_nomem(c);
        for (uint32_t i = 0; i < f->nparams; i++) {
            np[i] = f->params[i];
            TRY(clone_tref(c, m, sw, dw, f->params[i].type, &np[i].type, 0));
        }
    }
    f->params = np;
    TRY(clone_tref(c, m, sw, dw, f->result, &f->result, 0));
    if (f->kind != WELD_WIT_FUNC_FREESTANDING) {
        weld_wit_tref t;
        TRY(clone_tref(c, m, sw, dw, WELD_WIT_TREF(f->resource), &t, 0));
        f->resource = WELD_WIT_ID(t);
    }
    return WELD_OK;
}

/* The name an included item takes under `with { a as b }`; resource functions
 * ("[method]a.m", "[constructor]a") follow their resource's new name. */
static const char *renamed(rctx *c, const wit_witem *inc, const char *name, bool *used)
{
    for (uint32_t i = 0; i < inc->nwith; i++) {
        const char *from = inc->with[i].from.name, *to = inc->with[i].to.name;
        if (strcmp(from, name) == 0) {
            used[i] = true;
            return to;
        }
        const char *close = name[0] == '[' ? strchr(name, ']') : NULL;
        if (!close) continue;
        const char *rest = close + 1, *dot = strchr(rest, '.');
        size_t fl = strlen(from), kl = (size_t)(close + 1 - name);
        if (dot ? (size_t)(dot - rest) == fl && strncmp(rest, from, fl) == 0 : strcmp(rest, from) == 0) {
            size_t n = kl + strlen(to) + (dot ? strlen(dot) : 0);
            char *s = weld_arena_alloc(c->r->arena, n + 1);
            if (!s) return name;
            memcpy(s, name, kl);
            strcpy(s + kl, to);
            if (dot) strcat(s, dot);
            used[i] = true;
            return s;
        }
    }
    return name;
}

static weld_status include_world(rctx *c, uint32_t wid, const wit_witem *inc, uint32_t src,
                                 item_list *imps, item_list *exps)
{
    weld_wit_resolve *r = c->r;
    bool *used = weld_arena_alloc(r->arena, inc->nwith + 1);
    if (!used) return wit_nomem(c);
    clone_map m = {0};
    for (int pass = 0; pass < 2; pass++) {
        const weld_wit_world *s = &r->worlds[src];
        uint32_t n = pass ? s->nexports : s->nimports;
        item_list *dst = pass ? exps : imps;
        for (uint32_t i = 0; i < n; i++) {
            weld_wit_world_item it = (pass ? r->worlds[src].exports : r->worlds[src].imports)[i];
            if (!it.name) {
                /* an interface from another package's world keeps no @since of that package */
                if (r->worlds[src].package != r->worlds[wid].package && it.stability.kind == WELD_WIT_STAB_STABLE)
                    memset(&it.stability, 0, sizeof it.stability);
                weld_wit_world_item *prev = wit_find_key(dst->v, dst->n, NULL, it.id);
                if (prev) {
                    if (!prev->stability.kind) prev->stability = it.stability;
                    continue;
                }
                weld_wit_world_item *nw = wit_list_push(c, dst);
                if (!nw) return wit_nomem(c);
                *nw = it;
                continue;
            }
            const char *nm = renamed(c, inc, it.name, used);
            if (wit_find_key(dst->v, dst->n, nm, 0))
                return wit_err_at(c, inc->span, 7, "%s `%s` from the included world `%s` conflicts with an item of the same name in world `%s`",
                              pass ? "export" : "import", nm, r->worlds[src].name, r->worlds[wid].name);
            if (it.kind == WELD_WIT_ITEM_FUNC) {
                TRY(clone_func(c, &m, src, wid, &it.func));
                it.func.name = nm;
            } else if (it.kind == WELD_WIT_ITEM_TYPE) {
                weld_wit_tref t;
                TRY(clone_tref(c, &m, src, wid, WELD_WIT_TREF(it.id), &t, 0));
                it.id = WELD_WIT_ID(t);
                if (r->types[it.id].owner_kind == WELD_WIT_OWNER_WORLD) r->types[it.id].name = nm;
            }
            it.name = nm;
            weld_wit_world_item *nw = wit_list_push(c, dst);
            if (!nw) return wit_nomem(c);
            *nw = it;
        }
    }
    for (uint32_t i = 0; i < inc->nwith; i++)
        if (!used[i])
            return wit_err_at(c, inc->with[i].from.span, inc->with[i].from.len,
                          "`with` renames `%s`, but world `%s` has no import or export named `%s`",
                          inc->with[i].from.name, r->worlds[src].name, inc->with[i].from.name);
    return WELD_OK;
}

static pitem *local_world_item(rctx *c, uint32_t wid)
{
    for (uint32_t i = 0; i < c->nitems; i++)
        if (c->items[i].is_world && c->items[i].id == wid) return &c->items[i];
    return NULL;
}

weld_status wit_ensure_world(rctx *c, pitem *it)
{
    if (it->state == 2) return WELD_OK;
    if (it->state == 1)
        return wit_err_at(c, it->name->span, it->name->len, "world `%s` includes itself (an include cycle)", it->name->name);
    it->state = 1;
    TRY(resolve_world_body(c, it->id, it->file, it->world));
    it->state = 2;
    return WELD_OK;
}

static weld_status resolve_world_body(rctx *c, uint32_t wid, uint32_t file, const wit_world *ast)
{
    weld_wit_resolve *r = c->r;
    lookup lk = {0};
    lookup *saved = c->lk;
    c->lk = &lk;
    weld_wit_world *w = &r->worlds[wid];
    w->docs = ast->docs.text;
    TRY(wit_stability_of(c, &ast->attrs, &w->stability));
    uint32_t nuses = 0, ndefs = 0;
    for (uint32_t i = 0; i < ast->nitems; i++) {
        nuses += ast->items[i].kind == WI_USE;
        ndefs += ast->items[i].kind == WI_TYPE;
    }
    const wit_use **uses = weld_arena_alloc(r->arena, sizeof *uses * (nuses + 1));
    const wit_typedef **defs = weld_arena_alloc(r->arena, sizeof *defs * (ndefs + 1));
    if (!uses || !defs) return wit_nomem(c);
    nuses = ndefs = 0;
    for (uint32_t i = 0; i < ast->nitems; i++) {
        if (ast->items[i].kind == WI_USE) uses[nuses++] = &ast->items[i].use;
        if (ast->items[i].kind == WI_TYPE) defs[ndefs++] = &ast->items[i].td;
    }
    TRY(wit_define_types(c, WELD_WIT_OWNER_WORLD, wid, file, uses, nuses, defs, ndefs));
    item_list imps = {0}, exps = {0};
    for (uint32_t i = 0; i < lk.n; i++) {
        if (lk.v[i].kind != LK_TYPE) continue;
        weld_wit_world_item *it = wit_list_push(c, &imps);
        if (!it) return wit_nomem(c);
        it->name = lk.v[i].name;
        it->kind = WELD_WIT_ITEM_TYPE;
        it->id = lk.v[i].id;
        it->stability = r->types[lk.v[i].id].stability;
    }
    for (uint32_t i = 0; i < ast->nitems; i++) {
        const wit_witem *x = &ast->items[i];
        if (x->kind == WI_TYPE && x->td.type->kind == AT_RESOURCE) {
            TRY(wit_resource_funcs(c, &x->td, push_world_func, &imps));
            continue;
        }
        if (x->kind != WI_IMPORT && x->kind != WI_EXPORT) continue;
        bool is_imp = x->kind == WI_IMPORT;
        const char *desc = is_imp ? "import" : "export";
        weld_wit_world_item it = {0};
        weld_wit_stability st;
        TRY(wit_stability_of(c, &x->attrs, &st));
        uint32_t gate_at = wit_attrs_at(&x->attrs, x->span);
        bool kept;
        TRY(wit_keep(c, &st, gate_at, &kept));
        if (!kept) continue;
        switch (x->ek) {
        case EK_INTERFACE: {
            uint32_t iid = wit_new_interface(r);
            if (iid == UINT32_MAX) return wit_nomem(c);
            r->interfaces[iid].package = c->pkg;
            wit_iface tmp = x->inline_iface;
            tmp.docs = x->docs;
            tmp.attrs = x->attrs;
            TRY(wit_resolve_interface(c, iid, file, &tmp));
            it.name = x->name.name;
            it.kind = WELD_WIT_ITEM_INTERFACE;
            it.id = iid;
            it.stability = r->interfaces[iid].stability;
            break;
        }
        case EK_PATH:
        case EK_NAMED_PATH:
            TRY(wit_resolve_path(c, file, &x->path, false, &it.id));
            it.kind = WELD_WIT_ITEM_INTERFACE;
            it.name = x->ek == EK_NAMED_PATH ? x->name.name : NULL;
            it.stability = st;
            it.docs = x->docs.text;
            break;
        case EK_FUNC:
            TRY(wit_resolve_func(c, &x->func, x->name.name, &x->name, WELD_WIT_FUNC_FREESTANDING, 0, &x->docs, &x->attrs, &it.func));
            it.name = x->name.name;
            it.kind = WELD_WIT_ITEM_FUNC;
            it.stability = st;
            break;
        }
        item_list *dst = is_imp ? &imps : &exps;
        weld_wit_world_item *prev = wit_find_key(dst->v, dst->n, it.name, it.id);
        if (prev) {
            uint32_t at = x->ek == EK_PATH ? x->path.span : x->name.span;
            uint32_t len = x->ek == EK_PATH ? x->path.len : x->name.len;
            if (!it.name) return wit_err_at(c, at, len, "interface cannot be %sed more than once", desc);
            return wit_err_at(c, at, len, "%s `%s` conflicts with prior %s of same name", desc, it.name, item_kind_name(prev));
        }
        weld_wit_world_item *slot = wit_list_push(c, dst);
        if (!slot) return wit_nomem(c);
        *slot = it;
    }
    /* includes, after the world's own items */
    for (uint32_t i = 0; i < ast->nitems; i++) {
        const wit_witem *x = &ast->items[i];
        if (x->kind != WI_INCLUDE) continue;
        weld_wit_stability st;
        TRY(wit_stability_of(c, &x->attrs, &st));
        bool kept;
        TRY(wit_keep(c, &st, wit_attrs_at(&x->attrs, x->span), &kept));
        if (!kept) continue;
        uint32_t src;
        TRY(wit_resolve_path(c, file, &x->path, true, &src));
        pitem *li = local_world_item(c, src);
        if (li) {
            lookup *cur = c->lk;
            TRY(wit_ensure_world(c, li));
            c->lk = cur;
        }
        TRY(include_world(c, wid, x, src, &imps, &exps));
    }
    w = &r->worlds[wid];
    w->imports = imps.v;
    w->nimports = imps.n;
    w->exports = exps.v;
    w->nexports = exps.n;
    /* names differing only in case collide */
    for (int pass = 0; pass < 2; pass++) {
        weld_wit_world_item *v = pass ? w->exports : w->imports;
        uint32_t n = pass ? w->nexports : w->nimports;
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t k = 0; k < i; k++)
                if (v[i].name && v[k].name && strcasecmp(v[i].name, v[k].name) == 0 && strcmp(v[i].name, v[k].name) != 0)
                    return wit_err_at(c, ast->name.span, ast->name.len,
                                  "%s `%s` in world `%s` conflicts with %s `%s` (kebab-case identifiers are case-insensitive)",
                                  pass ? "export" : "import", v[i].name, w->name, pass ? "export" : "import", v[k].name);
    }
    TRY(wit_elaborate(c, wid, ast->name.span));
    c->lk = saved;
    return WELD_OK;
}
