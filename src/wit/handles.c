/* handles.c - the last step of resolving a package: a resource named by value (`r`, not
 * `borrow<r>`) in a type or a function means an owned handle, so each such reference gets
 * an anonymous `own<r>` type, one per referenced type in the package. The package's types
 * are renumbered so that each handle comes just before the first type that needs it, and
 * handles needed only by functions come after all types (the order wit-parser uses, which
 * keeps JSON indices equal). */
#include "wit/resolve_int.h"
#include <stdlib.h>

typedef struct hctx {
    weld_wit_resolve *r;
    uint32_t first;         /* first type index of the package */
    uint32_t nold;
    uint32_t *newidx;       /* old index (relative) -> new index (absolute) */
    uint32_t *handle_of;    /* referenced absolute type id -> handle id + 1 (0 = none), by key */
    uint32_t *keys;
    uint32_t nkeys, capkeys, caphandles;
    weld_wit_typedef *out;  /* the new tail of the type array */
    uint32_t nout, capout;
} hctx;

static bool points_to_resource(const weld_wit_resolve *r, uint32_t id)
{
    for (int guard = 0; guard < 1000; guard++) {
        const weld_wit_typedef *t = &r->types[id];
        if (t->kind == WELD_WIT_RESOURCE) return true;
        if (t->kind != WELD_WIT_ALIAS || !WELD_WIT_IS_ID(t->a)) return false;
        id = WELD_WIT_ID(t->a);
    }
    return false;
}

/* The new (absolute) index of an old reference. */
static weld_wit_tref map_ref(const hctx *h, weld_wit_tref t)
{
    if (!WELD_WIT_IS_ID(t)) return t;
    uint32_t id = WELD_WIT_ID(t);
    if (id < h->first) return t;
    return WELD_WIT_TREF(h->newidx[id - h->first]);
}

/* A by-value reference to a resource becomes its own-handle (allocated on first use). */
static bool own_ref(hctx *h, weld_wit_tref *t)
{
    if (!WELD_WIT_IS_ID(*t)) return true;
    uint32_t id = WELD_WIT_ID(*t);
    if (!points_to_resource(h->r, id)) {
        *t = map_ref(h, *t);
        return true;
    }
    for (uint32_t i = 0; i < h->nkeys; i++)
        if (h->keys[i] == id) {
            *t = WELD_WIT_TREF(h->handle_of[i]);
            return true;
        }
    weld_wit_typedef *ht = WIT_PUSH(h->r->arena, h->out, h->nout, h->capout);
    uint32_t *k = WIT_PUSH(h->r->arena, h->keys, h->nkeys, h->capkeys);
    if (!ht || !k) return false;
    h->nkeys--;
    uint32_t *hv = WIT_PUSH(h->r->arena, h->handle_of, h->nkeys, h->caphandles);
    if (!hv) return false;
    *k = id;
    ht->kind = WELD_WIT_OWN;
    ht->a = map_ref(h, *t);
    *hv = h->first + h->nout - 1;
    *t = WELD_WIT_TREF(*hv);
    return true;
}

static bool func_refs(hctx *h, weld_wit_func *f)
{
    if (f->kind != WELD_WIT_FUNC_FREESTANDING) f->resource = WELD_WIT_ID(map_ref(h, WELD_WIT_TREF(f->resource)));
    if (f->nparams) { /* parameters may be shared with an included world's copy: write a fresh array */
        weld_wit_field *np = weld_arena_alloc(h->r->arena, sizeof *np * f->nparams);
        if (!np) return false;
        memcpy(np, f->params, sizeof *np * f->nparams);
        f->params = np;
    }
    for (uint32_t i = 0; i < f->nparams; i++)
        if (!own_ref(h, &f->params[i].type)) return false;
    return own_ref(h, &f->result);
}

weld_status wit_own_handles(weld_wit_resolve *r, uint32_t pkg, uint32_t first_type, uint32_t first_iface,
                            uint32_t first_world, weld_diag *d)
{
    hctx h = {.r = r, .first = first_type, .nold = r->ntypes - first_type};
    weld_arena *a = r->arena;
    h.newidx = weld_arena_alloc(a, sizeof(uint32_t) * (h.nold + 1));
    if (!h.newidx) goto oom;
    /* pass 1: the new order, known before any reference is rewritten: number old types and
     * the handles their references create */
    {
        /* walk once to decide positions; references are rewritten in pass 2 */
        uint32_t pos = first_type;
        uint32_t *seen = weld_arena_alloc(a, sizeof(uint32_t) * (h.nold * 4 + 8));
        uint32_t nseen = 0;
        if (!seen) goto oom;
        for (uint32_t i = 0; i < h.nold; i++) {
            weld_wit_typedef *t = &r->types[first_type + i];
            if (t->kind != WELD_WIT_ALIAS && t->kind != WELD_WIT_OWN && t->kind != WELD_WIT_BORROW &&
                t->kind != WELD_WIT_RESOURCE) {
                weld_wit_tref refs[2] = {t->a, t->b};
                for (uint32_t k = 0; k < 2 + t->nfields; k++) {
                    weld_wit_tref x = k < 2 ? refs[k] : t->fields[k - 2].type;
                    if (t->kind == WELD_WIT_FIXED_LIST && k == 1) continue;
                    if (!WELD_WIT_IS_ID(x) || !points_to_resource(r, WELD_WIT_ID(x))) continue;
                    bool dup = false;
                    for (uint32_t q = 0; q < nseen && !dup; q++) dup = seen[q] == WELD_WIT_ID(x);
                    if (dup) continue;
                    if (nseen < h.nold * 4 + 8) seen[nseen++] = WELD_WIT_ID(x);
                    pos++; /* a handle goes here */
                }
            }
            h.newidx[i] = pos++;
        }
    }
    /* pass 2: build the new tail */
    for (uint32_t i = 0; i < h.nold; i++) {
        weld_wit_typedef t = r->types[first_type + i];
        if (t.nfields) {
            weld_wit_field *nf = weld_arena_alloc(a, sizeof *nf * t.nfields);
            if (!nf) goto oom;
            memcpy(nf, t.fields, sizeof *nf * t.nfields);
            t.fields = nf;
        }
        if (t.kind == WELD_WIT_ALIAS || t.kind == WELD_WIT_OWN || t.kind == WELD_WIT_BORROW) {
            t.a = map_ref(&h, t.a);
        } else if (t.kind != WELD_WIT_RESOURCE) {
            if (!own_ref(&h, &t.a)) goto oom;
            if (t.kind != WELD_WIT_FIXED_LIST && !own_ref(&h, &t.b)) goto oom;
            for (uint32_t k = 0; k < t.nfields; k++)
                if (!own_ref(&h, &t.fields[k].type)) goto oom;
        }
        weld_wit_typedef *slot = WIT_PUSH(a, h.out, h.nout, h.capout);
        if (!slot) goto oom;
        *slot = t;
    }
    /* functions: interfaces, then worlds (imports, exports) */
    for (uint32_t i = first_iface; i < r->ninterfaces; i++) {
        weld_wit_interface *in = &r->interfaces[i];
        for (uint32_t k = 0; k < in->ntypes; k++) in->types[k].id = WELD_WIT_ID(map_ref(&h, WELD_WIT_TREF(in->types[k].id)));
        for (uint32_t k = 0; k < in->nfuncs; k++)
            if (!func_refs(&h, &in->funcs[k])) goto oom;
    }
    for (uint32_t i = first_world; i < r->nworlds; i++) {
        weld_wit_world *w = &r->worlds[i];
        for (int pass = 0; pass < 2; pass++) {
            weld_wit_world_item *v = pass ? w->exports : w->imports;
            uint32_t n = pass ? w->nexports : w->nimports;
            for (uint32_t k = 0; k < n; k++) {
                if (v[k].kind == WELD_WIT_ITEM_TYPE) v[k].id = WELD_WIT_ID(map_ref(&h, WELD_WIT_TREF(v[k].id)));
                else if (v[k].kind == WELD_WIT_ITEM_FUNC && !func_refs(&h, &v[k].func)) goto oom;
            }
        }
    }
    /* install the new tail */
    r->ntypes = first_type;
    for (uint32_t i = 0; i < h.nout; i++) {
        uint32_t id = wit_new_type(r);
        if (id == UINT32_MAX) goto oom;
        r->types[id] = h.out[i];
    }
    (void)pkg;
    return WELD_OK;
oom:
    return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while resolving WIT");
}
