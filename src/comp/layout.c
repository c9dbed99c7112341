/* layout.c - size, alignment and flattening of value types (CanonicalABI.md: alignment,
 * elem_size, flatten_type, flatten_functype), cached per type node. */
#include "comp/layout.h"
#include <stdlib.h>

static uint64_t align_up(uint64_t x, uint32_t a) { return (x + a - 1) & ~(uint64_t)(a - 1); }

static uint32_t sat32(uint64_t x) { return x > UINT32_MAX ? UINT32_MAX : (uint32_t)x; }

static void flat_push(canon_layout *l, weld_valtype t)
{
    if (l->nflat < CANON_LAYOUT_MAX_FLAT)
        l->flat[l->nflat++] = t;
    else
        l->over = true;
}

static void flat_append(canon_layout *l, const canon_layout *s)
{
    for (uint32_t i = 0; i < s->nflat; i++) flat_push(l, s->flat[i]);
    if (s->over) l->over = true;
}

/* join of CanonicalABI.md */
static weld_valtype flat_join(weld_valtype a, weld_valtype b)
{
    if (a == b) return a;
    if ((a == WELD_I32 && b == WELD_F32) || (a == WELD_F32 && b == WELD_I32)) return WELD_I32;
    return WELD_I64;
}

static void prim_layout(canon_layout *l, uint8_t prim)
{
    switch (prim) {
    case WELD_CV_BOOL:
        l->size = l->align = 1;
        flat_push(l, WELD_I32);
        break;
    case WELD_CV_S8:
    case WELD_CV_U8:
        l->size = l->align = 1;
        l->pure = true;
        flat_push(l, WELD_I32);
        break;
    case WELD_CV_S16:
    case WELD_CV_U16:
        l->size = l->align = 2;
        l->pure = true;
        flat_push(l, WELD_I32);
        break;
    case WELD_CV_S32:
    case WELD_CV_U32:
        l->size = l->align = 4;
        l->pure = true;
        flat_push(l, WELD_I32);
        break;
    case WELD_CV_S64:
    case WELD_CV_U64:
        l->size = l->align = 8;
        l->pure = true;
        flat_push(l, WELD_I64);
        break;
    case WELD_CV_F32:
        l->size = l->align = 4;
        l->pure = true;
        flat_push(l, WELD_F32);
        break;
    case WELD_CV_F64:
        l->size = l->align = 8;
        l->pure = true;
        flat_push(l, WELD_F64);
        break;
    case WELD_CV_CHAR:
    case WELD_CV_ERROR_CONTEXT:
        l->size = l->align = 4;
        flat_push(l, WELD_I32);
        break;
    case WELD_CV_STRING:
        l->size = 8;
        l->align = 4;
        flat_push(l, WELD_I32);
        flat_push(l, WELD_I32);
        break;
    default: l->size = 0; l->align = 1; break;
    }
}

static uint8_t disc_size_of(uint32_t ncases)
{
    if (ncases <= 256) return 1;
    if (ncases <= 65536) return 2;
    return 4;
}

/* A variant-like type of n cases whose payload layouts are subs[i] (NULL: none). */
static void variant_layout(canon_layout *l, uint32_t n, const canon_layout *const *subs)
{
    l->disc_size = disc_size_of(n);
    uint32_t case_align = 1;
    uint64_t case_size = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!subs[i]) continue;
        if (subs[i]->align > case_align) case_align = subs[i]->align;
        if (subs[i]->size > case_size) case_size = subs[i]->size;
    }
    l->align = l->disc_size > case_align ? l->disc_size : case_align;
    l->payload_off = (uint32_t)align_up(l->disc_size, case_align);
    l->size = sat32(align_up(l->payload_off + case_size, l->align));
    /* flat: the discriminant, then the payloads joined position by position */
    flat_push(l, WELD_I32);
    uint32_t base = l->nflat, nj = 0;
    for (uint32_t i = 0; i < n; i++) {
        const canon_layout *s = subs[i];
        if (!s) continue;
        if (s->over) l->over = true;
        for (uint32_t j = 0; j < s->nflat; j++) {
            if (j < nj) {
                if (base + j < CANON_LAYOUT_MAX_FLAT)
                    l->flat[base + j] = flat_join(l->flat[base + j], s->flat[j]);
            } else {
                flat_push(l, s->flat[j]);
                nj++;
            }
        }
    }
}

static const canon_layout *compute(canon_layouts *c, const weld_tnode *t);

const canon_layout *canon_layout_of(canon_layouts *c, const weld_tnode *t)
{
    if (!t) return NULL;
    t = weld_tnode_strip(t);
    const canon_layout *l = pmap_get(&c->map, t);
    if (l) return l;
    return compute(c, t);
}

static const canon_layout *compute(canon_layouts *c, const weld_tnode *t)
{
    canon_layout *l = weld_arena_alloc(c->arena, sizeof *l);
    if (!l) return NULL;
    l->align = 1;
    switch (t->kind) {
    case WELD_TK_PRIM: prim_layout(l, t->u.prim); break;
    case WELD_TK_RECORD:
    case WELD_TK_TUPLE:
    case WELD_TK_FUNC: { /* a function: the tuple of its parameters */
        uint32_t n = t->kind == WELD_TK_RECORD  ? t->u.record.count
                     : t->kind == WELD_TK_TUPLE ? t->u.tuple.count
                                                : t->u.func.nparams;
        const canon_layout **sub = n ? weld_arena_alloc(c->arena, n * sizeof *sub) : NULL;
        uint32_t *offs = n ? weld_arena_alloc(c->arena, n * sizeof *offs) : NULL;
        if (n && (!sub || !offs)) return NULL;
        uint64_t off = 0;
        l->pure = true;
        for (uint32_t i = 0; i < n; i++) {
            const weld_tnode *ft = t->kind == WELD_TK_RECORD  ? t->u.record.fields[i].type
                                   : t->kind == WELD_TK_TUPLE ? t->u.tuple.types[i]
                                                              : t->u.func.params[i].type;
            const canon_layout *s = canon_layout_of(c, ft);
            if (!s) return NULL;
            sub[i] = s;
            off = align_up(off, s->align);
            offs[i] = sat32(off);
            off += s->size;
            if (s->align > l->align) l->align = s->align;
            if (!s->pure) l->pure = false;
            flat_append(l, s);
        }
        l->size = sat32(align_up(off, l->align));
        l->sub = sub;
        l->offs = offs;
        break;
    }
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST: {
        const canon_layout *e = canon_layout_of(c, t->u.list.elem);
        if (!e) return NULL;
        const canon_layout **sub = weld_arena_alloc(c->arena, sizeof *sub);
        if (!sub) return NULL;
        sub[0] = e;
        l->sub = sub;
        if (t->kind == WELD_TK_LIST || t->u.list.len == 0) {
            l->size = 8;
            l->align = 4;
            flat_push(l, WELD_I32);
            flat_push(l, WELD_I32);
        } else {
            uint32_t len = t->u.list.len;
            l->align = e->align;
            l->size = sat32((uint64_t)e->size * len);
            l->pure = e->pure;
            for (uint32_t i = 0; i < len && !l->over; i++) flat_append(l, e);
        }
        break;
    }
    case WELD_TK_FLAGS: {
        uint32_t n = t->u.labels.count;
        if (n == 0) {
            l->size = 0;
        } else if (n <= 8) {
            l->size = l->align = 1;
            flat_push(l, WELD_I32);
        } else if (n <= 16) {
            l->size = l->align = 2;
            flat_push(l, WELD_I32);
        } else {
            uint32_t words = (n + 31) / 32;
            l->size = 4 * words;
            l->align = 4;
            for (uint32_t i = 0; i < words; i++) flat_push(l, WELD_I32);
        }
        break;
    }
    case WELD_TK_ENUM: {
        uint32_t n = t->u.labels.count;
        const canon_layout **sub = n ? weld_arena_alloc(c->arena, n * sizeof *sub) : NULL;
        if (n && !sub) return NULL;
        variant_layout(l, n, sub);
        l->sub = sub;
        break;
    }
    case WELD_TK_VARIANT: {
        uint32_t n = t->u.variant.count;
        const canon_layout **sub = n ? weld_arena_alloc(c->arena, n * sizeof *sub) : NULL;
        if (n && !sub) return NULL;
        for (uint32_t i = 0; i < n; i++) {
            const weld_tnode *ct = t->u.variant.cases[i].type;
            if (ct && !(sub[i] = canon_layout_of(c, ct))) return NULL;
        }
        variant_layout(l, n, sub);
        l->sub = sub;
        break;
    }
    case WELD_TK_OPTION:
    case WELD_TK_RESULT: {
        const canon_layout **sub = weld_arena_alloc(c->arena, 2 * sizeof *sub);
        if (!sub) return NULL;
        const weld_tnode *a = t->kind == WELD_TK_OPTION ? NULL : t->u.result.ok;
        const weld_tnode *b = t->kind == WELD_TK_OPTION ? t->u.option : t->u.result.err;
        if (a && !(sub[0] = canon_layout_of(c, a))) return NULL;
        if (b && !(sub[1] = canon_layout_of(c, b))) return NULL;
        variant_layout(l, 2, sub);
        l->sub = sub;
        break;
    }
    case WELD_TK_OWN:
    case WELD_TK_BORROW:
    case WELD_TK_STREAM:
    case WELD_TK_FUTURE:
        l->size = l->align = 4;
        flat_push(l, WELD_I32);
        break;
    case WELD_TK_MAP:
        l->size = 8;
        l->align = 4;
        flat_push(l, WELD_I32);
        flat_push(l, WELD_I32);
        break;
    default: break; /* not a value type: no layout of its own */
    }
    if (!pmap_put(&c->map, t, l)) return NULL;
    return l;
}

void canon_layouts_free(canon_layouts *c)
{
    pmap_free(&c->map);
    weld_arena_free(c->arena);
    c->arena = NULL;
}

weld_status canon_sig_of(canon_layouts *c, const weld_tnode *ft, bool lower, canon_sig *out)
{
    memset(out, 0, sizeof *out);
    ft = ft ? weld_tnode_strip(ft) : NULL;
    if (!ft || ft->kind != WELD_TK_FUNC) return WELD_ERR_USAGE;
    uint32_t n = 0;
    bool over = false;
    for (uint32_t i = 0; i < ft->u.func.nparams; i++) {
        const canon_layout *l = canon_layout_of(c, ft->u.func.params[i].type);
        if (!l) return WELD_ERR_NOMEM;
        if (l->over || n + l->nflat > CANON_MAX_FLAT_PARAMS) {
            over = true;
            continue;
        }
        for (uint32_t j = 0; j < l->nflat; j++) out->params[n++] = l->flat[j];
    }
    if (over) {
        out->params_spilled = true;
        out->params[0] = WELD_I32;
        n = 1;
    }
    out->nparams = n;
    if (ft->u.func.result) {
        const canon_layout *l = canon_layout_of(c, ft->u.func.result);
        if (!l) return WELD_ERR_NOMEM;
        if (l->over || l->nflat > CANON_MAX_FLAT_RESULTS) {
            out->results_spilled = true;
            if (lower) {
                out->params[out->nparams++] = WELD_I32;
            } else {
                out->results[0] = WELD_I32;
                out->nresults = 1;
            }
        } else {
            for (uint32_t j = 0; j < l->nflat; j++) out->results[out->nresults++] = l->flat[j];
        }
    }
    return WELD_OK;
}
