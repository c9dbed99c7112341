/* elaborate.c - a world made self-contained: every interface its imports and exports
 * depend on (through `use`) is added as an import, ahead of what needs it; exports whose
 * dependencies would have to be both imported and exported are refused. */
#include "wit/resolve_int.h"
#include <stdio.h>
#include <stdlib.h>


/* The interface a type definition (an alias of another owner's type) pulls in. */
uint32_t wit_type_iface_dep(const weld_wit_resolve *r, uint32_t tid)
{
    const weld_wit_typedef *t = &r->types[tid];
    if (t->kind != WELD_WIT_ALIAS || !WELD_WIT_IS_ID(t->a)) return UINT32_MAX;
    const weld_wit_typedef *o = &r->types[WELD_WIT_ID(t->a)];
    if (o->owner_kind == t->owner_kind && o->owner == t->owner) return UINT32_MAX;
    return o->owner_kind == WELD_WIT_OWNER_INTERFACE ? o->owner : UINT32_MAX;
}



static weld_status elab_import(rctx *c, item_list *imp, const char *name, uint32_t iface,
                               const weld_wit_stability *st, const char *docs, int depth)
{
    weld_wit_resolve *r = c->r;
    if (wit_find_key(imp->v, imp->n, name, iface)) return WELD_OK;
    if (depth > 10000) return wit_nomem(c);
    const weld_wit_interface *in = &r->interfaces[iface];
    for (uint32_t i = 0; i < in->ntypes; i++) {
        uint32_t dep = wit_type_iface_dep(r, in->types[i].id);
        if (dep != UINT32_MAX) TRY(elab_import(c, imp, NULL, dep, st, NULL, depth + 1));
    }
    weld_wit_world_item *it = wit_list_push(c, imp);
    if (!it) return wit_nomem(c);
    it->name = name;
    it->kind = WELD_WIT_ITEM_INTERFACE;
    it->id = iface;
    it->stability = *st;
    it->docs = docs;
    return WELD_OK;
}

static int sort_key(const weld_wit_resolve *r, const weld_wit_world_item *it)
{
    if (it->kind == WELD_WIT_ITEM_INTERFACE) return 0;
    if (it->kind == WELD_WIT_ITEM_TYPE) {
        const weld_wit_typedef *t = &r->types[it->id];
        if (t->kind == WELD_WIT_ALIAS && WELD_WIT_IS_ID(t->a)) {
            const weld_wit_typedef *o = &r->types[WELD_WIT_ID(t->a)];
            if (o->owner_kind != t->owner_kind || o->owner != t->owner) return 1;
        }
        return 2;
    }
    return it->func.kind == WELD_WIT_FUNC_FREESTANDING ? 3 : 4;
}

static weld_status stable_sort(rctx *c, item_list *l)
{
    if (l->n < 2) return WELD_OK;
    weld_wit_world_item *tmp = weld_arena_alloc(c->r->arena, sizeof *tmp * l->n);
    if (!tmp) return wit_nomem(c);
    uint32_t k = 0;
    for (int key = 0; key <= 4; key++)
        for (uint32_t i = 0; i < l->n; i++)
            if (sort_key(c->r, &l->v[i]) == key) tmp[k++] = l->v[i];
    memcpy(l->v, tmp, sizeof *tmp * l->n);
    return WELD_OK;
}

typedef struct export_state {
    uint32_t *required;
    uint32_t nreq, capreq;
} export_state;

static bool has_u32(const uint32_t *v, uint32_t n, uint32_t x)
{
    for (uint32_t i = 0; i < n; i++)
        if (v[i] == x) return true;
    return false;
}

static int add_world_export(rctx *c, item_list *imp, item_list *exp, const item_list *exp_ifaces,
                            export_state *es, const char *name, uint32_t iface,
                            const weld_wit_stability *st, const char *docs, bool add_export, int depth)
{
    weld_wit_resolve *r = c->r;
    if (wit_find_key(exp->v, exp->n, name, iface)) return add_export ? 1 : 0;
    if (!add_export && has_u32(es->required, es->nreq, iface)) return 1;
    if (depth > 10000) return -1;
    const weld_wit_interface *in = &r->interfaces[iface];
    for (uint32_t i = 0; i < in->ntypes; i++) {
        uint32_t dep = wit_type_iface_dep(r, in->types[i].id);
        if (dep == UINT32_MAX) continue;
        bool sub_export = add_export && wit_find_key(exp_ifaces->v, exp_ifaces->n, NULL, dep);
        int ok = add_world_export(c, imp, exp, exp_ifaces, es, NULL, dep, st, NULL, sub_export, depth + 1);
        if (ok <= 0) return ok;
    }
    if (add_export) {
        if (has_u32(es->required, es->nreq, iface)) return 0;
        weld_wit_world_item *it = wit_list_push(c, exp);
        if (!it) return -1;
        it->name = name;
        it->kind = WELD_WIT_ITEM_INTERFACE;
        it->id = iface;
        it->stability = *st;
        it->docs = docs;
    } else {
        uint32_t *slot = WIT_PUSH(r->arena, es->required, es->nreq, es->capreq);
        if (!slot) return -1;
        *slot = iface;
        if (!wit_find_key(imp->v, imp->n, name, iface)) {
            weld_wit_world_item *it = wit_list_push(c, imp);
            if (!it) return -1;
            it->name = name;
            it->kind = WELD_WIT_ITEM_INTERFACE;
            it->id = iface;
            it->stability = *st;
        }
    }
    return 1;
}

/* Make the world list every interface its imports and exports depend on. */
weld_status wit_elaborate(rctx *c, uint32_t wid, uint32_t at)
{
    weld_wit_resolve *r = c->r;
    weld_wit_world *w = &r->worlds[wid];
    item_list src = {w->imports, w->nimports, w->nimports};
    TRY(stable_sort(c, &src));
    item_list imp = {0}, exp = {0}, exp_ifaces = {0};
    for (uint32_t i = 0; i < src.n; i++) {
        weld_wit_world_item *it = &src.v[i];
        if (it->kind == WELD_WIT_ITEM_INTERFACE) {
            TRY(elab_import(c, &imp, it->name, it->id, &it->stability, it->docs, 0));
        } else {
            if (it->kind == WELD_WIT_ITEM_TYPE) {
                uint32_t dep = wit_type_iface_dep(r, it->id);
                if (dep != UINT32_MAX) TRY(elab_import(c, &imp, NULL, dep, &r->types[it->id].stability, NULL, 0));
            }
            weld_wit_world_item *n = wit_list_push(c, &imp);
            if (!n) return wit_nomem(c);
            *n = *it;
        }
    }
    w = &r->worlds[wid];
    for (uint32_t i = 0; i < w->nexports; i++) {
        weld_wit_world_item *it = &w->exports[i];
        weld_wit_world_item *n = wit_list_push(c, it->kind == WELD_WIT_ITEM_INTERFACE ? &exp_ifaces : &exp);
        if (!n) return wit_nomem(c);
        *n = *it;
    }
    export_state es = {0};
    for (uint32_t i = 0; i < exp_ifaces.n; i++) {
        weld_wit_world_item *it = &exp_ifaces.v[i];
        int ok = add_world_export(c, &imp, &exp, &exp_ifaces, &es, it->name, it->id, &it->stability, it->docs, true, 0);
        if (ok < 0) return wit_nomem(c);
        if (!ok) {
            const weld_wit_interface *in = &r->interfaces[it->id];
            char b[300] = "";
            if (in->package != UINT32_MAX && !it->name) {
                weld_wit_package_id(&r->packages[in->package], b, sizeof b);
            }
            return wit_err_at(c, at, 5,
                          "world `%s`: export `%s%s%s` needs an interface both imported and exported; export the interfaces it uses too, or none of them",
                          r->worlds[wid].name, b, b[0] ? "/" : "", it->name ? it->name : in->name);
        }
    }
    TRY(stable_sort(c, &imp));
    w = &r->worlds[wid];
    w->imports = imp.v;
    w->nimports = imp.n;
    w->exports = exp.v;
    w->nexports = exp.n;
    return WELD_OK;
}

