/* scope.c - component index spaces with the origin of each entry, and WIT-like renderings
 * of the types reached through them (see scope.h). */
#include "compose/scope.h"
#include <stdio.h>

enum { MAX_RENDER_DEPTH = 128, CACHE_BUCKETS = 256 };

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

const cs_spaces *cs_decl_spaces(cs_cache *c, const weld_ctype *t)
{
    cs_spaces *sp = cache_find(c, t);
    if (sp) return sp;
    if (!(sp = cache_add(c, t))) return NULL;
    for (uint32_t i = 0; i < t->u.decls.count; i++) {
        const weld_cdecl *d = &t->u.decls.decls[i];
        bool ok = true;
        switch (d->kind) {
        case WELD_DECL_TYPE:
            ok = push(c->arena, &sp->s[WELD_SORT_TYPE], ORIG_DEF, d->u.type, 0, 0, no_name);
            break;
        case WELD_DECL_ALIAS: {
            const weld_alias *al = &d->u.alias;
            if (al->sort.sort == WELD_SORT_CORE || al->sort.sort > 5) break;
            if (al->tag == 0x02)
                ok = push(c->arena, &sp->s[al->sort.sort], ORIG_ALIAS_OUTER, al, al->instance,
                          al->index, no_name);
            else
                ok = push(c->arena, &sp->s[al->sort.sort], ORIG_ALIAS_EXPORT, al, al->instance, 0,
                          al->name);
            break;
        }
        case WELD_DECL_IMPORT:
        case WELD_DECL_EXPORT: {
            uint8_t so = cs_ext_sort(d->u.ext.type.kind);
            if (so) ok = push(c->arena, &sp->s[so], ORIG_DECL_EXPORT, &d->u.ext.type, 0, 0,
                              d->u.ext.name.name);
            break;
        }
        default: break;
        }
        if (!ok) return NULL;
    }
    return sp;
}

/* ---- rendering ------------------------------------------------------------------------ */

typedef struct render {
    cs_cache *c;
    weld_buf *b;
    int depth;
    bool failed;
} render;

static void rtype(render *r, const cs_ctx *ctx, uint32_t idx);
static void ritem(render *r, const cs_ctx *ctx, uint8_t sort, uint32_t idx);
static void rextern(render *r, const cs_ctx *ctx, const weld_cextern *e);

static const char *prim_name(uint8_t p)
{
    switch (p) {
    case WELD_CV_BOOL: return "bool";
    case WELD_CV_S8: return "s8";
    case WELD_CV_U8: return "u8";
    case WELD_CV_S16: return "s16";
    case WELD_CV_U16: return "u16";
    case WELD_CV_S32: return "s32";
    case WELD_CV_U32: return "u32";
    case WELD_CV_S64: return "s64";
    case WELD_CV_U64: return "u64";
    case WELD_CV_F32: return "f32";
    case WELD_CV_F64: return "f64";
    case WELD_CV_CHAR: return "char";
    case WELD_CV_STRING: return "string";
    case WELD_CV_ERROR_CONTEXT: return "error-context";
    default: return "?";
    }
}

static void rval(render *r, const cs_ctx *ctx, weld_cvaltype v)
{
    if (v.prim) weld_buf_puts(r->b, prim_name(v.prim));
    else rtype(r, ctx, v.index);
}

static void fail(render *r, const char *what)
{
    r->failed = true;
    weld_buf_printf(r->b, "<%s>", what);
}

static const cs_ctx *outer_ctx(const cs_ctx *ctx, uint32_t count)
{
    while (ctx && count--) ctx = ctx->parent;
    return ctx;
}

static cs_ctx *new_ctx(cs_cache *c, const cs_spaces *sp, const cs_ctx *parent,
                       const weld_instance *inst, const cs_ctx *argctx, const weld_component *comp)
{
    cs_ctx *x = weld_arena_alloc(c->arena, sizeof *x);
    if (x) *x = (cs_ctx){sp, parent, inst, argctx, comp};
    return x;
}

/* The argument an instantiation passes for import `name`, or NULL. */
static const weld_inst_arg *bound_arg(const cs_ctx *ctx, weld_str name)
{
    if (!ctx->inst || !ctx->argctx) return NULL;
    for (uint32_t i = 0; i < ctx->inst->count; i++) {
        const weld_inst_arg *a = &ctx->inst->items[i];
        if (a->name.name.len == name.len && memcmp(a->name.name.ptr, name.ptr, name.len) == 0)
            return a;
    }
    return NULL;
}

static void rfields(render *r, const cs_ctx *ctx, uint32_t n, const weld_cfield *f)
{
    for (uint32_t i = 0; i < n; i++) {
        weld_buf_printf(r->b, "%s%s: ", i ? ", " : "", f[i].name.ptr);
        rval(r, ctx, f[i].type);
    }
}

static void rdecls(render *r, const cs_ctx *ctx, const weld_ctype *t, const char *kw)
{
    const cs_spaces *sp = cs_decl_spaces(r->c, t);
    cs_ctx *dc = sp ? new_ctx(r->c, sp, ctx, NULL, NULL, NULL) : NULL;
    if (!dc) return fail(r, "out of memory");
    weld_buf_printf(r->b, "%s {", kw);
    bool first = true;
    for (uint32_t i = 0; i < t->u.decls.count; i++) {
        const weld_cdecl *d = &t->u.decls.decls[i];
        if (d->kind != WELD_DECL_IMPORT && d->kind != WELD_DECL_EXPORT) continue;
        weld_buf_printf(r->b, "%s%s %s: ", first ? " " : "; ",
                        d->kind == WELD_DECL_IMPORT ? "import" : "export", d->u.ext.name.name.ptr);
        rextern(r, dc, &d->u.ext.type);
        first = false;
    }
    weld_buf_puts(r->b, first ? "}" : " }");
}

static void rdef(render *r, const cs_ctx *ctx, const weld_ctype *t)
{
    weld_buf *b = r->b;
    switch (t->kind) {
    case WELD_CT_PRIM: weld_buf_puts(b, prim_name(t->u.prim)); return;
    case WELD_CT_RECORD:
        weld_buf_puts(b, "record { ");
        rfields(r, ctx, t->u.record.count, t->u.record.fields);
        weld_buf_puts(b, " }");
        return;
    case WELD_CT_VARIANT:
        weld_buf_puts(b, "variant { ");
        for (uint32_t i = 0; i < t->u.variant.count; i++) {
            const weld_ccase *cs = &t->u.variant.cases[i];
            weld_buf_printf(b, "%s%s", i ? ", " : "", cs->name.ptr);
            if (cs->has_type) {
                weld_buf_puts(b, "(");
                rval(r, ctx, cs->type);
                weld_buf_puts(b, ")");
            }
        }
        weld_buf_puts(b, " }");
        return;
    case WELD_CT_LIST:
    case WELD_CT_FIXED_LIST:
        weld_buf_puts(b, "list<");
        rval(r, ctx, t->u.list.elem);
        if (t->kind == WELD_CT_FIXED_LIST) weld_buf_printf(b, ", %u", t->u.list.len);
        weld_buf_puts(b, ">");
        return;
    case WELD_CT_TUPLE:
        weld_buf_puts(b, "tuple<");
        for (uint32_t i = 0; i < t->u.tuple.count; i++) {
            if (i) weld_buf_puts(b, ", ");
            rval(r, ctx, t->u.tuple.types[i]);
        }
        weld_buf_puts(b, ">");
        return;
    case WELD_CT_FLAGS:
    case WELD_CT_ENUM:
        weld_buf_puts(b, t->kind == WELD_CT_FLAGS ? "flags { " : "enum { ");
        for (uint32_t i = 0; i < t->u.labels.count; i++)
            weld_buf_printf(b, "%s%s", i ? ", " : "", t->u.labels.names[i].ptr);
        weld_buf_puts(b, " }");
        return;
    case WELD_CT_OPTION:
        weld_buf_puts(b, "option<");
        rval(r, ctx, t->u.option);
        weld_buf_puts(b, ">");
        return;
    case WELD_CT_RESULT:
        weld_buf_puts(b, "result");
        if (!t->u.result.has_ok && !t->u.result.has_err) return;
        weld_buf_puts(b, "<");
        if (t->u.result.has_ok) rval(r, ctx, t->u.result.ok);
        else weld_buf_puts(b, "_");
        if (t->u.result.has_err) {
            weld_buf_puts(b, ", ");
            rval(r, ctx, t->u.result.err);
        }
        weld_buf_puts(b, ">");
        return;
    case WELD_CT_OWN:
    case WELD_CT_BORROW:
        weld_buf_puts(b, t->kind == WELD_CT_OWN ? "own<" : "borrow<");
        rtype(r, ctx, t->u.handle);
        weld_buf_puts(b, ">");
        return;
    case WELD_CT_STREAM:
    case WELD_CT_FUTURE:
        weld_buf_puts(b, t->kind == WELD_CT_STREAM ? "stream" : "future");
        if (t->u.async_value.has_elem) {
            weld_buf_puts(b, "<");
            rval(r, ctx, t->u.async_value.elem);
            weld_buf_puts(b, ">");
        }
        return;
    case WELD_CT_MAP:
        weld_buf_puts(b, "map<");
        rval(r, ctx, t->u.map.key);
        weld_buf_puts(b, ", ");
        rval(r, ctx, t->u.map.value);
        weld_buf_puts(b, ">");
        return;
    case WELD_CT_FUNC:
    case WELD_CT_FUNC_ASYNC:
        weld_buf_puts(b, t->kind == WELD_CT_FUNC_ASYNC ? "async func(" : "func(");
        rfields(r, ctx, t->u.func.nparams, t->u.func.params);
        weld_buf_puts(b, ")");
        if (t->u.func.has_result) {
            weld_buf_puts(b, " -> ");
            rval(r, ctx, t->u.func.result);
        }
        return;
    case WELD_CT_RESOURCE: weld_buf_puts(b, "resource"); return;
    case WELD_CT_INSTANCE: rdecls(r, ctx, t, "instance"); return;
    case WELD_CT_COMPONENT: rdecls(r, ctx, t, "component"); return;
    default: fail(r, "unknown type"); return;
    }
}

static void rextern(render *r, const cs_ctx *ctx, const weld_cextern *e)
{
    switch (e->kind) {
    case WELD_EXT_FUNC:
    case WELD_EXT_INSTANCE:
    case WELD_EXT_COMPONENT: rtype(r, ctx, e->index); return;
    case WELD_EXT_TYPE:
        if (e->bound == 0x00) rtype(r, ctx, e->index);
        else weld_buf_puts(r->b, "resource");
        return;
    case WELD_EXT_VALUE: weld_buf_puts(r->b, "value"); return;
    default: weld_buf_puts(r->b, "core module"); return;
    }
}

static bool export_of(cs_cache *c, const cs_ctx *ctx, uint32_t inst, weld_str name, uint8_t sort,
                      const cs_ctx **octx, uint32_t *oidx, int depth);

static void ralias_export(render *r, const cs_ctx *ctx, const cs_entry *e)
{
    const weld_alias *al = e->p;
    const cs_ctx *x;
    uint32_t idx;
    if (!export_of(r->c, ctx, e->a, e->name, al->sort.sort, &x, &idx, 0))
        return fail(r, "missing export");
    ritem(r, x, al->sort.sort, idx);
}

static bool enter(render *r)
{
    if (++r->depth > MAX_RENDER_DEPTH) {
        r->depth--;
        fail(r, "too deep");
        return false;
    }
    return true;
}

static void ritem(render *r, const cs_ctx *ctx, uint8_t sort, uint32_t idx)
{
    if (sort == WELD_SORT_TYPE) return rtype(r, ctx, idx);
    if (sort == WELD_SORT_INSTANCE) {
        cs_item *items;
        uint32_t n;
        char why[256];
        if (!cs_instance_items(r->c, ctx, idx, &items, &n, why, sizeof why))
            return fail(r, "unknown");
        weld_buf_puts(r->b, "instance {");
        for (uint32_t i = 0; i < n; i++)
            weld_buf_printf(r->b, "%s export %s: %s", i ? ";" : "", items[i].name.ptr, items[i].type);
        weld_buf_puts(r->b, n ? " }" : "}");
        return;
    }
    if (sort != WELD_SORT_FUNC) {
        weld_buf_puts(r->b, sort == WELD_SORT_COMPONENT ? "component" : "value");
        return;
    }
    const cs_entry *e = cs_get(ctx->sp, sort, idx);
    if (!e) return fail(r, "index out of range");
    if (!enter(r)) return;
    switch (e->orig) {
    case ORIG_IMPORT: {
        const weld_cimport *im = e->p;
        const weld_inst_arg *a = bound_arg(ctx, im->name.name);
        if (a) ritem(r, ctx->argctx, a->item.sort.sort, a->item.index);
        else rextern(r, ctx, &im->type);
        break;
    }
    case ORIG_DECL_EXPORT: rextern(r, ctx, e->p); break;
    case ORIG_LIFT: rtype(r, ctx, e->a); break;
    case ORIG_ALIAS_EXPORT: ralias_export(r, ctx, e); break;
    case ORIG_ALIAS_OUTER: {
        const cs_ctx *o = outer_ctx(ctx, e->a);
        if (!o) fail(r, "outer alias out of range");
        else ritem(r, o, sort, e->b);
        break;
    }
    case ORIG_EXPORT: {
        const weld_cexport *x = e->p;
        if (x->has_type) rextern(r, ctx, &x->type);
        else ritem(r, ctx, sort, x->item.index);
        break;
    }
    default: fail(r, "unknown"); break;
    }
    r->depth--;
}

static void rtype(render *r, const cs_ctx *ctx, uint32_t idx)
{
    const cs_entry *e = cs_get(ctx->sp, WELD_SORT_TYPE, idx);
    if (!e) return fail(r, "type index out of range");
    if (!enter(r)) return;
    switch (e->orig) {
    case ORIG_DEF: rdef(r, ctx, e->p); break;
    case ORIG_ALIAS_OUTER: {
        const cs_ctx *o = outer_ctx(ctx, e->a);
        if (!o) fail(r, "outer alias out of range");
        else rtype(r, o, e->b);
        break;
    }
    case ORIG_ALIAS_EXPORT: ralias_export(r, ctx, e); break;
    case ORIG_IMPORT: {
        const weld_cimport *im = e->p;
        const weld_inst_arg *a = bound_arg(ctx, im->name.name);
        if (a) ritem(r, ctx->argctx, a->item.sort.sort, a->item.index);
        else rextern(r, ctx, &im->type);
        break;
    }
    case ORIG_DECL_EXPORT: rextern(r, ctx, e->p); break;
    case ORIG_EXPORT: {
        const weld_cexport *x = e->p;
        rtype(r, ctx, x->item.index);
        break;
    }
    default: fail(r, "unknown"); break;
    }
    r->depth--;
}

static const char *finish(render *r)
{
    if (r->b->oom || r->failed) return NULL;
    return weld_arena_strndup(r->c->arena, (const char *)r->b->data, r->b->len);
}

const char *cs_item_type(cs_cache *c, const cs_ctx *ctx, uint8_t sort, uint32_t idx)
{
    weld_buf b;
    weld_buf_init(&b);
    render r = {c, &b, 0, false};
    ritem(&r, ctx, sort, idx);
    const char *s = finish(&r);
    weld_buf_free(&b);
    return s;
}

const char *cs_extern_type(cs_cache *c, const cs_ctx *ctx, const weld_cextern *e)
{
    weld_buf b;
    weld_buf_init(&b);
    render r = {c, &b, 0, false};
    rextern(&r, ctx, e);
    const char *s = finish(&r);
    weld_buf_free(&b);
    return s;
}

/* Follow a type index to an instance type definition and the context it lives in. */
static const weld_ctype *instance_def(const cs_ctx **ctxp, uint32_t idx, int depth)
{
    const cs_ctx *ctx = *ctxp;
    const cs_entry *e = cs_get(ctx->sp, WELD_SORT_TYPE, idx);
    if (!e || depth > MAX_RENDER_DEPTH) return NULL;
    switch (e->orig) {
    case ORIG_DEF: {
        const weld_ctype *t = e->p;
        return t->kind == WELD_CT_INSTANCE ? t : NULL;
    }
    case ORIG_ALIAS_OUTER:
        if (!(*ctxp = outer_ctx(ctx, e->a))) return NULL;
        return instance_def(ctxp, e->b, depth + 1);
    case ORIG_DECL_EXPORT: {
        const weld_cextern *x = e->p;
        return x->bound == 0 ? instance_def(ctxp, x->index, depth + 1) : NULL;
    }
    case ORIG_IMPORT: {
        const weld_cimport *im = e->p;
        return im->type.bound == 0 ? instance_def(ctxp, im->type.index, depth + 1) : NULL;
    }
    default: return NULL;
    }
}

static bool set_why(char *why, size_t n, const char *msg)
{
    if (why && n) snprintf(why, n, "%s", msg);
    return false;
}

bool cs_instance_type_items(cs_cache *c, const cs_ctx *ctx, uint32_t type_idx, cs_item **items,
                            uint32_t *n, char *why, size_t whylen)
{
    const cs_ctx *at = ctx;
    const weld_ctype *t = instance_def(&at, type_idx, 0);
    if (!t) return set_why(why, whylen, "the import's type is not an instance type weld can follow");
    const cs_spaces *sp = cs_decl_spaces(c, t);
    cs_ctx *dc = sp ? new_ctx(c, sp, at, NULL, NULL, NULL) : NULL;
    uint32_t cnt = 0;
    for (uint32_t i = 0; i < t->u.decls.count; i++) cnt += t->u.decls.decls[i].kind == WELD_DECL_EXPORT;
    cs_item *out = dc ? weld_arena_alloc(c->arena, (cnt ? cnt : 1) * sizeof *out) : NULL;
    if (!out) return set_why(why, whylen, "out of memory");
    uint32_t k = 0;
    for (uint32_t i = 0; i < t->u.decls.count; i++) {
        const weld_cdecl *d = &t->u.decls.decls[i];
        if (d->kind != WELD_DECL_EXPORT) continue;
        out[k].name = d->u.ext.name.name;
        out[k].sort = cs_ext_sort(d->u.ext.type.kind);
        out[k].type = cs_extern_type(c, dc, &d->u.ext.type);
        if (!out[k].type) return set_why(why, whylen, "a type of the instance cannot be followed");
        k++;
    }
    *items = out;
    *n = k;
    return true;
}

/* The component an instantiation refers to, with the context it lives in. */
static const weld_component *nested_of(const cs_ctx **ctxp, uint32_t idx, int depth)
{
    const cs_entry *e = cs_get((*ctxp)->sp, WELD_SORT_COMPONENT, idx);
    if (!e || depth > MAX_RENDER_DEPTH) return NULL;
    if (e->orig == ORIG_NESTED) return e->p;
    if (e->orig == ORIG_ALIAS_OUTER) {
        if (!(*ctxp = outer_ctx(*ctxp, e->a))) return NULL;
        return nested_of(ctxp, e->b, depth + 1);
    }
    return NULL;
}

/* The index of the entry of `sort` in sp whose origin pointer is p; UINT32_MAX if none. */
static uint32_t entry_index(const cs_spaces *sp, uint8_t sort, const void *p)
{
    for (uint32_t i = 0; sort <= 5 && i < sp->s[sort].n; i++)
        if (sp->s[sort].items[i].p == p) return i;
    return UINT32_MAX;
}

static bool same_name(weld_str a, weld_str b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

/* Where export `name` (of `sort`) of instance `inst` of ctx is defined: a context and an
 * index in its space of that sort, from which it can be followed further. */
static bool export_of(cs_cache *c, const cs_ctx *ctx, uint32_t inst, weld_str name, uint8_t sort,
                      const cs_ctx **octx, uint32_t *oidx, int depth)
{
    while (depth++ < MAX_RENDER_DEPTH) {
        const cs_entry *e = cs_get(ctx->sp, WELD_SORT_INSTANCE, inst);
        if (!e) return false;
        switch (e->orig) {
        case ORIG_IMPORT:
        case ORIG_DECL_EXPORT: {
            const weld_cextern *x;
            if (e->orig == ORIG_IMPORT) {
                const weld_cimport *im = e->p;
                const weld_inst_arg *a = bound_arg(ctx, im->name.name);
                if (a) {
                    if (a->item.sort.sort != WELD_SORT_INSTANCE) return false;
                    inst = a->item.index;
                    ctx = ctx->argctx;
                    continue;
                }
                x = &im->type;
            } else {
                x = e->p;
            }
            const cs_ctx *at = ctx;
            const weld_ctype *t = instance_def(&at, x->index, 0);
            const cs_spaces *sp = t ? cs_decl_spaces(c, t) : NULL;
            cs_ctx *dc = sp ? new_ctx(c, sp, at, NULL, NULL, NULL) : NULL;
            if (!dc) return false;
            for (uint32_t i = 0; i < t->u.decls.count; i++) {
                const weld_cdecl *d = &t->u.decls.decls[i];
                if (d->kind == WELD_DECL_EXPORT && same_name(d->u.ext.name.name, name)) {
                    *octx = dc;
                    *oidx = entry_index(sp, sort, &d->u.ext.type);
                    return *oidx != UINT32_MAX;
                }
            }
            return false;
        }
        case ORIG_INSTANTIATE: {
            const weld_instance *in = e->p;
            if (in->kind == 0x01) {
                for (uint32_t i = 0; i < in->count; i++)
                    if (same_name(in->items[i].name.name, name) && in->items[i].item.sort.sort == sort) {
                        *octx = ctx;
                        *oidx = in->items[i].item.index;
                        return true;
                    }
                return false;
            }
            const cs_ctx *home = ctx;
            const weld_component *nc = nested_of(&home, in->component, 0);
            const cs_spaces *sp = nc ? cs_component_spaces(c, nc) : NULL;
            cs_ctx *cc = sp ? new_ctx(c, sp, home, in, ctx, nc) : NULL;
            if (!cc) return false;
            for (uint32_t i = 0; i < nc->nsections; i++) {
                const weld_csection *s = &nc->sections[i];
                if (s->id != WELD_CSEC_EXPORT) continue;
                for (uint32_t j = 0; j < s->count; j++)
                    if (same_name(s->u.exports[j].name.name, name)) {
                        *octx = cc;
                        *oidx = entry_index(sp, sort, &s->u.exports[j]);
                        return *oidx != UINT32_MAX;
                    }
            }
            return false;
        }
        case ORIG_ALIAS_EXPORT: {
            const cs_ctx *x;
            uint32_t idx;
            if (!export_of(c, ctx, e->a, e->name, WELD_SORT_INSTANCE, &x, &idx, depth)) return false;
            ctx = x;
            inst = idx;
            continue;
        }
        case ORIG_EXPORT: inst = ((const weld_cexport *)e->p)->item.index; continue;
        case ORIG_ALIAS_OUTER:
            if (!(ctx = outer_ctx(ctx, e->a))) return false;
            inst = e->b;
            continue;
        default: return false;
        }
    }
    return false;
}

bool cs_instance_items(cs_cache *c, const cs_ctx *ctx, uint32_t idx, cs_item **items, uint32_t *n,
                       char *why, size_t whylen)
{
    for (int depth = 0; depth < MAX_RENDER_DEPTH; depth++) {
        const cs_entry *e = cs_get(ctx->sp, WELD_SORT_INSTANCE, idx);
        if (!e) return set_why(why, whylen, "instance index out of range");
        switch (e->orig) {
        case ORIG_IMPORT: {
            const weld_cimport *im = e->p;
            const weld_inst_arg *a = bound_arg(ctx, im->name.name);
            if (a) {
                if (a->item.sort.sort != WELD_SORT_INSTANCE)
                    return set_why(why, whylen, "an instance import bound to a non-instance");
                idx = a->item.index;
                ctx = ctx->argctx;
                continue;
            }
            return cs_instance_type_items(c, ctx, im->type.index, items, n, why, whylen);
        }
        case ORIG_DECL_EXPORT: {
            const weld_cextern *x = e->p;
            return cs_instance_type_items(c, ctx, x->index, items, n, why, whylen);
        }
        case ORIG_EXPORT: idx = ((const weld_cexport *)e->p)->item.index; continue;
        case ORIG_ALIAS_OUTER:
            if (!(ctx = outer_ctx(ctx, e->a))) return set_why(why, whylen, "outer alias out of range");
            idx = e->b;
            continue;
        case ORIG_INSTANTIATE: {
            const weld_instance *in = e->p;
            if (in->kind == 0x01) {
                cs_item *out = weld_arena_alloc(c->arena, (in->count ? in->count : 1) * sizeof *out);
                if (!out) return set_why(why, whylen, "out of memory");
                for (uint32_t i = 0; i < in->count; i++) {
                    out[i].name = in->items[i].name.name;
                    out[i].sort = in->items[i].item.sort.sort;
                    out[i].type = cs_item_type(c, ctx, out[i].sort, in->items[i].item.index);
                    if (!out[i].type) return set_why(why, whylen, "an export's type cannot be followed");
                }
                *items = out;
                *n = in->count;
                return true;
            }
            const cs_ctx *home = ctx;
            const weld_component *nc = nested_of(&home, in->component, 0);
            if (!nc) return set_why(why, whylen, "the instantiated component is not nested in the component");
            const cs_spaces *sp = cs_component_spaces(c, nc);
            cs_ctx *cc = sp ? new_ctx(c, sp, home, in, ctx, nc) : NULL;
            if (!cc) return set_why(why, whylen, "out of memory");
            uint32_t cnt = 0;
            for (uint32_t i = 0; i < nc->nsections; i++)
                if (nc->sections[i].id == WELD_CSEC_EXPORT) cnt += nc->sections[i].count;
            cs_item *out = weld_arena_alloc(c->arena, (cnt ? cnt : 1) * sizeof *out);
            if (!out) return set_why(why, whylen, "out of memory");
            uint32_t k = 0;
            for (uint32_t i = 0; i < nc->nsections; i++) {
                const weld_csection *s = &nc->sections[i];
                if (s->id != WELD_CSEC_EXPORT) continue;
                for (uint32_t j = 0; j < s->count; j++) {
                    const weld_cexport *x = &s->u.exports[j];
                    out[k].name = x->name.name;
                    out[k].sort = x->item.sort.sort;
                    out[k].type = x->has_type ? cs_extern_type(c, cc, &x->type)
                                              : cs_item_type(c, cc, x->item.sort.sort, x->item.index);
                    if (!out[k].type) return set_why(why, whylen, "an export's type cannot be followed");
                    k++;
                }
            }
            *items = out;
            *n = k;
            return true;
        }
        case ORIG_ALIAS_EXPORT: {
            const cs_ctx *x;
            uint32_t ix;
            if (!export_of(c, ctx, e->a, e->name, WELD_SORT_INSTANCE, &x, &ix, depth))
                return set_why(why, whylen, "an instance aliased from an export that cannot be followed");
            ctx = x;
            idx = ix;
            continue;
        }
        default:
            return set_why(why, whylen, "an instance of an unknown origin");
        }
    }
    return set_why(why, whylen, "instance definitions nest too deeply");
}
