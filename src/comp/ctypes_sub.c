/* ctypes_sub.c - type equality, subtyping (with resource binding), resource
 * substitution and type descriptions for the component type model. */
#include "comp.h"
#include <stdio.h>
#include <stdlib.h>

/* ---- vectors and maps ------------------------------------------------------------- */

bool tvec_push(tvec *v, const weld_tnode *t)
{
    if (v->n == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 16;
        const weld_tnode **nv = realloc(v->v, cap * sizeof *nv);
        if (!nv) return false;
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = t;
    return true;
}

void tvec_free(tvec *v)
{
    free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}

static uint32_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (uint32_t)x;
}

const void *pmap_get(const pmap *m, const void *key)
{
    if (!m->cap) return NULL;
    for (uint32_t i = ptr_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i]) return NULL;
        if (m->keys[i] == key) return m->vals[i];
    }
}

/* Grow the table to hold at least n entries at most half full. */
static bool pmap_grow(pmap *m, uint32_t n)
{
    if (n * 2 <= m->cap) return true;
    {
        uint32_t cap = m->cap ? m->cap : 16;
        while (cap < n * 2) cap *= 2;
        const void **keys = calloc(cap, sizeof *keys), **vals = calloc(cap, sizeof *vals);
        if (!keys || !vals) {
            free(keys);
            free(vals);
            return false;
        }
        for (uint32_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            uint32_t j = ptr_hash(m->keys[i]) & (cap - 1);
            while (keys[j]) j = (j + 1) & (cap - 1);
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
        free(m->keys);
        free(m->vals);
        m->keys = keys;
        m->vals = vals;
        m->cap = cap;
    }
    return true;
}

bool pmap_put(pmap *m, const void *key, const void *val)
{
    if ((m->n + 1) * 2 > m->cap && !pmap_grow(m, m->n + 1 > 8 ? (m->n + 1) * 2 : 8)) return false;
    uint32_t i = ptr_hash(key) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != key) i = (i + 1) & (m->cap - 1);
    if (!m->keys[i]) m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
    return true;
}

void pmap_free(pmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---- messages --------------------------------------------------------------------- */

void why_set(char *why, size_t cap, const char *fmt, ...)
{
    if (!why || !cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
}

void why_wrap(char *why, size_t cap, const char *fmt, ...)
{
    if (!why || !cap) return;
    char ctx[512], inner[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
    snprintf(inner, sizeof inner, "%s", why);
    snprintf(why, cap, "%s %s", ctx, inner);
}

/* ---- type accounting ---------------------------------------------------------------- */

void tinfo_leaf(weld_tnode *t)
{
    t->size = 1;
    t->depth = 1;
    switch (t->kind) {
    case WELD_TK_BORROW: t->flags = WELD_TF_BORROW | WELD_TF_RESOURCE; break;
    case WELD_TK_OWN:
    case WELD_TK_RESOURCE: t->flags = WELD_TF_RESOURCE; break;
    default: t->flags = 0; break;
    }
}

int tinfo_combine(weld_tnode *t, const weld_tnode *c)
{
    if (!c) return TINFO_OK;
    uint32_t d = c->depth < UINT16_MAX ? c->depth + 1u : UINT16_MAX;
    if (d > CTYPES_MAX_TYPE_DEPTH) return TINFO_DEPTH;
    if (d > t->depth) t->depth = (uint16_t)d;
    t->flags |= c->flags;
    uint64_t sum = (uint64_t)t->size + c->size;
    if (sum >= CTYPES_MAX_TYPE_SIZE) {
        t->size = CTYPES_MAX_TYPE_SIZE;
        return TINFO_SIZE;
    }
    t->size = (uint32_t)sum;
    return TINFO_OK;
}

int tinfo_node(weld_tnode *t)
{
    tinfo_leaf(t);
    int ok = TINFO_OK;
    switch (t->kind) {
    case WELD_TK_RECORD:
    case WELD_TK_VARIANT:
    case WELD_TK_FUNC: {
        const weld_tfield *f = t->kind == WELD_TK_FUNC ? t->u.func.params : t->u.record.fields;
        uint32_t n = t->kind == WELD_TK_FUNC ? t->u.func.nparams : t->u.record.count;
        for (uint32_t i = 0; i < n && !ok; i++) ok = tinfo_combine(t, f[i].type);
        if (t->kind == WELD_TK_FUNC && !ok) ok = tinfo_combine(t, t->u.func.result);
        return ok;
    }
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST: return tinfo_combine(t, t->u.list.elem);
    case WELD_TK_TUPLE:
        for (uint32_t i = 0; i < t->u.tuple.count && !ok; i++) ok = tinfo_combine(t, t->u.tuple.types[i]);
        return ok;
    case WELD_TK_OPTION: return tinfo_combine(t, t->u.option);
    case WELD_TK_RESULT: ok = tinfo_combine(t, t->u.result.ok);
        return ok ? ok : tinfo_combine(t, t->u.result.err);
    case WELD_TK_STREAM:
    case WELD_TK_FUTURE: return tinfo_combine(t, t->u.elem);
    case WELD_TK_MAP: ok = tinfo_combine(t, t->u.map.key);
        return ok ? ok : tinfo_combine(t, t->u.map.value);
    case WELD_TK_COMPONENT:
    case WELD_TK_INSTANCE:
        for (uint32_t i = 0; i < t->u.ext.nimports && !ok; i++) ok = tinfo_combine(t, t->u.ext.imports[i].type);
        for (uint32_t i = 0; i < t->u.ext.nexports && !ok; i++) ok = tinfo_combine(t, t->u.ext.exports[i].type);
        return ok;
    case WELD_TK_CORE_FUNC:
    case WELD_TK_CORE_TAG:
        /* a core function type counts itself, its composite and each value type */
        t->size = 2 + (t->u.core.func ? t->u.core.func->nparams + t->u.core.func->nresults : 0);
        return t->size < CTYPES_MAX_TYPE_SIZE ? TINFO_OK : TINFO_SIZE;
    case WELD_TK_CORE_MODULE: {
        /* a module type is a leaf of the size of its imports and exports */
        uint64_t size = 1;
        for (uint32_t i = 0; i < t->u.core_module.nimports; i++) size += t->u.core_module.imports[i].type->size;
        for (uint32_t i = 0; i < t->u.core_module.nexports; i++) size += t->u.core_module.exports[i].type->size;
        t->size = size >= CTYPES_MAX_TYPE_SIZE ? CTYPES_MAX_TYPE_SIZE : (uint32_t)size;
        return size < CTYPES_MAX_TYPE_SIZE ? TINFO_OK : TINFO_SIZE;
    }
    case WELD_TK_CORE_INSTANCE:
        for (uint32_t i = 0; i < t->u.core_module.nexports && !ok; i++)
            ok = tinfo_combine(t, t->u.core_module.exports[i].type);
        return ok;
    default: return TINFO_OK;
    }
}

/* ---- substitution ----------------------------------------------------------------- */

/* One pass of substitution: `map` replaces resources; with `fresh`, a resource bound by
 * `scope` that is not in `map` gets a new identity bound by `new_scope`, added to `map`.
 * `memo` holds every node already copied, so shared parts are copied once. */
typedef struct scx {
    weld_arena *a;
    pmap *map, memo;
    bool fresh, oom;
    const weld_tnode *scope, *new_scope;
} scx;

static const weld_tnode *subst_rec(scx *x, const weld_tnode *t);

/* Substitute inside a field array; returns the original when nothing changed. */
static const weld_tfield *subst_fields(scx *x, const weld_tfield *f, uint32_t n)
{
    weld_tfield *out = NULL;
    for (uint32_t i = 0; i < n; i++) {
        const weld_tnode *s = f[i].type ? subst_rec(x, f[i].type) : NULL;
        if (x->oom) return f;
        if (s != f[i].type && !out) {
            out = weld_arena_alloc(x->a, n * sizeof *out);
            if (!out) {
                x->oom = true;
                return f;
            }
            memcpy(out, f, n * sizeof *out);
        }
        if (out) out[i].type = s;
    }
    return out ? out : f;
}

static const weld_textern *subst_externs(scx *x, const weld_textern *e, uint32_t n)
{
    weld_textern *out = NULL;
    for (uint32_t i = 0; i < n; i++) {
        const weld_tnode *s = subst_rec(x, e[i].type);
        if (x->oom) return e;
        if (s != e[i].type && !out) {
            out = weld_arena_alloc(x->a, n * sizeof *out);
            if (!out) {
                x->oom = true;
                return e;
            }
            memcpy(out, e, n * sizeof *out);
        }
        if (out) out[i].type = s;
    }
    return out ? out : e;
}

static const weld_tnode *subst_rec(scx *x, const weld_tnode *t)
{
    if (!t || !(t->flags & WELD_TF_RESOURCE)) return t;
    const weld_tnode *m = pmap_get(x->map, t);
    if (m) return m;
    if (t->kind >= WELD_TK_CORE_FUNC || t->kind == WELD_TK_PRIM) return t;
    if (t->kind == WELD_TK_RESOURCE) {
        if (!x->fresh || t->u.resource.scope != x->scope) return t;
        weld_tnode *n = weld_arena_alloc(x->a, sizeof *n);
        if (!n || !pmap_put(x->map, t, n)) {
            x->oom = true;
            return t;
        }
        *n = *t;
        n->u.resource.scope = x->new_scope;
        return n;
    }
    const weld_tnode *done = pmap_get(&x->memo, t);
    if (done) return done;
    weld_tnode tmp = *t;
    if (t->alias_of) tmp.alias_of = subst_rec(x, t->alias_of);
    switch (t->kind) {
    case WELD_TK_RECORD: tmp.u.record.fields = subst_fields(x, t->u.record.fields, t->u.record.count); break;
    case WELD_TK_VARIANT: tmp.u.variant.cases = subst_fields(x, t->u.variant.cases, t->u.variant.count); break;
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST: tmp.u.list.elem = subst_rec(x, t->u.list.elem); break;
    case WELD_TK_TUPLE: {
        weld_tnode **out = NULL;
        for (uint32_t i = 0; i < t->u.tuple.count && !x->oom; i++) {
            const weld_tnode *s = subst_rec(x, t->u.tuple.types[i]);
            if (s != t->u.tuple.types[i] && !out) {
                out = weld_arena_alloc(x->a, t->u.tuple.count * sizeof *out);
                if (!out) {
                    x->oom = true;
                    break;
                }
                memcpy(out, t->u.tuple.types, t->u.tuple.count * sizeof *out);
            }
            if (out) out[i] = (weld_tnode *)s;
        }
        if (out) tmp.u.tuple.types = (const weld_tnode *const *)out;
        break;
    }
    case WELD_TK_OPTION: tmp.u.option = subst_rec(x, t->u.option); break;
    case WELD_TK_RESULT:
        tmp.u.result.ok = subst_rec(x, t->u.result.ok);
        tmp.u.result.err = subst_rec(x, t->u.result.err);
        break;
    case WELD_TK_OWN:
    case WELD_TK_BORROW: tmp.u.handle = subst_rec(x, t->u.handle); break;
    case WELD_TK_STREAM:
    case WELD_TK_FUTURE: tmp.u.elem = subst_rec(x, t->u.elem); break;
    case WELD_TK_MAP:
        tmp.u.map.key = subst_rec(x, t->u.map.key);
        tmp.u.map.value = subst_rec(x, t->u.map.value);
        break;
    case WELD_TK_FUNC:
        tmp.u.func.params = subst_fields(x, t->u.func.params, t->u.func.nparams);
        tmp.u.func.result = subst_rec(x, t->u.func.result);
        break;
    case WELD_TK_COMPONENT:
    case WELD_TK_INSTANCE:
        tmp.u.ext.imports = subst_externs(x, t->u.ext.imports, t->u.ext.nimports);
        tmp.u.ext.exports = subst_externs(x, t->u.ext.exports, t->u.ext.nexports);
        break;
    default: break;
    }
    if (x->oom) return t;
    const weld_tnode *res = t;
    if (memcmp(&tmp, t, sizeof tmp) != 0) {
        weld_tnode *n = weld_arena_alloc(x->a, sizeof *n);
        if (!n) {
            x->oom = true;
            return t;
        }
        *n = tmp;
        res = n;
    }
    if (!pmap_put(&x->memo, t, res)) x->oom = true;
    return res;
}

const weld_tnode *ctypes_subst(weld_arena *a, const pmap *map, pmap *memo,
                               const weld_tnode *t)
{
    if (!map->n) return t;
    scx x = {.a = a, .map = (pmap *)map, .memo = *memo};
    const weld_tnode *r = subst_rec(&x, t);
    *memo = x.memo;
    return x.oom ? NULL : r;
}

const weld_tnode *ctypes_refresh(weld_arena *a, pmap *map, pmap *memo, const weld_tnode *t,
                                 const weld_tnode *scope, const weld_tnode *new_scope)
{
    scx x = {.a = a, .map = map, .memo = *memo, .fresh = true, .scope = scope, .new_scope = new_scope};
    const weld_tnode *r = subst_rec(&x, t);
    *memo = x.memo;
    return x.oom ? NULL : r;
}

/* ---- descriptions ----------------------------------------------------------------- */

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

const char *weld_tkind_name(int kind)
{
    static const char *const names[] = {
        "?", "primitive", "record", "variant", "list", "fixed-length list", "tuple",
        "flags", "enum", "option", "result", "own", "borrow", "stream", "future", "map",
        "func", "component", "instance", "resource", "core func", "core table",
        "core memory", "core global", "core tag", "core module", "core instance",
    };
    return kind > 0 && (size_t)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

const char *weld_tspace_name(int space)
{
    static const char *const names[] = {
        "core func", "core table", "core memory", "core global", "core tag", "core type",
        "core module", "core instance", "func", "value", "type", "component", "instance",
    };
    return space >= 0 && space < WELD_TS_COUNT ? names[space] : "?";
}

int weld_tspace_of(weld_sort s)
{
    switch (s.sort) {
    case WELD_SORT_CORE:
        switch (s.core) {
        case WELD_CORE_SORT_FUNC: return WELD_TS_CORE_FUNC;
        case WELD_CORE_SORT_TABLE: return WELD_TS_CORE_TABLE;
        case WELD_CORE_SORT_MEMORY: return WELD_TS_CORE_MEMORY;
        case WELD_CORE_SORT_GLOBAL: return WELD_TS_CORE_GLOBAL;
        case WELD_CORE_SORT_TAG: return WELD_TS_CORE_TAG;
        case WELD_CORE_SORT_TYPE: return WELD_TS_CORE_TYPE;
        case WELD_CORE_SORT_MODULE: return WELD_TS_CORE_MODULE;
        case WELD_CORE_SORT_INSTANCE: return WELD_TS_CORE_INSTANCE;
        default: return -1;
        }
    case WELD_SORT_FUNC: return WELD_TS_FUNC;
    case WELD_SORT_VALUE: return WELD_TS_VALUE;
    case WELD_SORT_TYPE: return WELD_TS_TYPE;
    case WELD_SORT_COMPONENT: return WELD_TS_COMPONENT;
    case WELD_SORT_INSTANCE: return WELD_TS_INSTANCE;
    default: return -1;
    }
}

bool weld_tnode_is_value(const weld_tnode *t)
{
    return t && t->kind >= WELD_TK_PRIM && t->kind <= WELD_TK_MAP;
}

typedef struct sbuf {
    char *buf;
    size_t cap, len;
} sbuf;

static void sb_puts(sbuf *s, const char *str, size_t n)
{
    if (s->len < s->cap) {
        size_t room = s->cap - s->len - 1;
        memcpy(s->buf + s->len, str, n < room ? n : room);
        s->buf[s->len + (n < room ? n : room)] = 0;
    }
    s->len += n;
}
static void sb_str(sbuf *s, const char *str) { sb_puts(s, str, strlen(str)); }

static void describe(sbuf *s, const weld_tnode *t, int depth)
{
    if (!t) {
        sb_str(s, "_");
        return;
    }
    if (depth > 4) {
        sb_str(s, "...");
        return;
    }
    char num[32];
    switch (t->kind) {
    case WELD_TK_PRIM: sb_str(s, prim_name(t->u.prim)); return;
    case WELD_TK_LIST:
        sb_str(s, "list<");
        describe(s, t->u.list.elem, depth + 1);
        sb_str(s, ">");
        return;
    case WELD_TK_FIXED_LIST:
        sb_str(s, "list<");
        describe(s, t->u.list.elem, depth + 1);
        snprintf(num, sizeof num, ", %u>", t->u.list.len);
        sb_str(s, num);
        return;
    case WELD_TK_OPTION:
        sb_str(s, "option<");
        describe(s, t->u.option, depth + 1);
        sb_str(s, ">");
        return;
    case WELD_TK_RESULT:
        sb_str(s, "result");
        if (t->u.result.ok || t->u.result.err) {
            sb_str(s, "<");
            describe(s, t->u.result.ok, depth + 1);
            if (t->u.result.err) {
                sb_str(s, ", ");
                describe(s, t->u.result.err, depth + 1);
            }
            sb_str(s, ">");
        }
        return;
    case WELD_TK_TUPLE:
        sb_str(s, "tuple<");
        for (uint32_t i = 0; i < t->u.tuple.count; i++) {
            if (i) sb_str(s, ", ");
            describe(s, t->u.tuple.types[i], depth + 1);
        }
        sb_str(s, ">");
        return;
    case WELD_TK_OWN:
    case WELD_TK_BORROW:
        sb_str(s, t->kind == WELD_TK_OWN ? "own<" : "borrow<");
        if (t->u.handle && t->u.handle->u.resource.name.len)
            sb_puts(s, t->u.handle->u.resource.name.ptr, t->u.handle->u.resource.name.len);
        else sb_str(s, "resource");
        sb_str(s, ">");
        return;
    case WELD_TK_STREAM:
    case WELD_TK_FUTURE:
        sb_str(s, t->kind == WELD_TK_STREAM ? "stream" : "future");
        if (t->u.elem) {
            sb_str(s, "<");
            describe(s, t->u.elem, depth + 1);
            sb_str(s, ">");
        }
        return;
    case WELD_TK_MAP:
        sb_str(s, "map<");
        describe(s, t->u.map.key, depth + 1);
        sb_str(s, ", ");
        describe(s, t->u.map.value, depth + 1);
        sb_str(s, ">");
        return;
    case WELD_TK_FUNC:
        sb_str(s, t->u.func.async ? "async func(" : "func(");
        for (uint32_t i = 0; i < t->u.func.nparams; i++) {
            if (i) sb_str(s, ", ");
            sb_puts(s, t->u.func.params[i].name.ptr, t->u.func.params[i].name.len);
            sb_str(s, ": ");
            describe(s, t->u.func.params[i].type, depth + 1);
        }
        sb_str(s, ")");
        if (t->u.func.result) {
            sb_str(s, " -> ");
            describe(s, t->u.func.result, depth + 1);
        }
        return;
    case WELD_TK_RESOURCE:
        sb_str(s, "resource");
        if (t->u.resource.name.len) {
            sb_str(s, " ");
            sb_puts(s, t->u.resource.name.ptr, t->u.resource.name.len);
        }
        return;
    case WELD_TK_CORE_FUNC:
    case WELD_TK_CORE_TAG: {
        char tmp[512];
        ctypes_functype_text(t->u.core.func, tmp, sizeof tmp);
        sb_str(s, tmp);
        return;
    }
    default: sb_str(s, weld_tkind_name(t->kind)); return;
    }
}

size_t weld_tnode_describe(const weld_tnode *t, char *buf, size_t cap)
{
    sbuf s = {buf, cap, 0};
    if (cap) buf[0] = 0;
    describe(&s, t, 0);
    return s.len;
}

size_t ctypes_functype_text(const weld_functype *f, char *buf, size_t cap)
{
    sbuf s = {buf, cap, 0};
    if (cap) buf[0] = 0;
    sb_str(&s, "(func");
    if (f->nparams) {
        sb_str(&s, " (param");
        for (uint32_t i = 0; i < f->nparams; i++) {
            sb_str(&s, " ");
            sb_str(&s, weld_valtype_name(f->params[i]));
        }
        sb_str(&s, ")");
    }
    if (f->nresults) {
        sb_str(&s, " (result");
        for (uint32_t i = 0; i < f->nresults; i++) {
            sb_str(&s, " ");
            sb_str(&s, weld_valtype_name(f->results[i]));
        }
        sb_str(&s, ")");
    }
    sb_str(&s, ")");
    return s.len;
}

const char *ctypes_core_desc(const weld_tnode *t)
{
    switch (t->kind) {
    case WELD_TK_CORE_FUNC: return "func";
    case WELD_TK_CORE_TABLE: return "table";
    case WELD_TK_CORE_MEMORY: return "memory";
    case WELD_TK_CORE_GLOBAL: return "global";
    case WELD_TK_CORE_TAG: return "tag";
    default: return weld_tkind_name(t->kind);
    }
}

const char *ctypes_sort_desc(uint8_t sort)
{
    switch (sort) {
    case WELD_EXT_MODULE: return "module";
    case WELD_EXT_FUNC: return "func";
    case WELD_EXT_VALUE: return "value";
    case WELD_EXT_TYPE: return "type";
    case WELD_EXT_COMPONENT: return "component";
    case WELD_EXT_INSTANCE: return "instance";
    default: return "?";
    }
}

/* ---- core subtyping ----------------------------------------------------------------- */

bool ctypes_functype_equal(const weld_functype *a, const weld_functype *b)
{
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           (!a->nparams || memcmp(a->params, b->params, a->nparams) == 0) &&
           (!a->nresults || memcmp(a->results, b->results, a->nresults) == 0);
}

static bool limits_match(const weld_limits *a, const weld_limits *b)
{
    if (a->min < b->min) return false;
    if (!(b->flags & WELD_LIMITS_HAS_MAX)) return true;
    if (!(a->flags & WELD_LIMITS_HAS_MAX)) return false;
    return a->max <= b->max;
}

bool ctypes_core_subtype(const weld_tnode *a, const weld_tnode *b, char *why, size_t cap)
{
    if (a->kind != b->kind) {
        why_set(why, cap, "expected %s, found %s", ctypes_core_desc(b), ctypes_core_desc(a));
        return false;
    }
    switch (a->kind) {
    case WELD_TK_CORE_FUNC:
    case WELD_TK_CORE_TAG:
        if (!ctypes_functype_equal(a->u.core.func, b->u.core.func)) {
            char ta[256], tb[256];
            ctypes_functype_text(a->u.core.func, ta, sizeof ta);
            ctypes_functype_text(b->u.core.func, tb, sizeof tb);
            why_set(why, cap, "expected: %s found: %s", tb, ta);
            return false;
        }
        return true;
    case WELD_TK_CORE_TABLE: {
        const weld_tabletype *x = &a->u.core.ext.u.table, *y = &b->u.core.ext.u.table;
        if (x->elem != y->elem) {
            why_set(why, cap, "expected table element type %s, found %s",
                    weld_valtype_name(y->elem), weld_valtype_name(x->elem));
            return false;
        }
        if ((x->limits.flags ^ y->limits.flags) & WELD_LIMITS_SHARED) {
            why_set(why, cap, "mismatch in the shared flag for tables");
            return false;
        }
        if (!limits_match(&x->limits, &y->limits)) {
            why_set(why, cap, "mismatch in table limits");
            return false;
        }
        return true;
    }
    case WELD_TK_CORE_MEMORY: {
        const weld_limits *x = &a->u.core.ext.u.memory, *y = &b->u.core.ext.u.memory;
        if ((x->flags ^ y->flags) & WELD_LIMITS_SHARED) {
            why_set(why, cap, "mismatch in the shared flag for memories");
            return false;
        }
        if ((x->flags ^ y->flags) & WELD_LIMITS_64) {
            why_set(why, cap, "mismatch in index type used for memories");
            return false;
        }
        if (!limits_match(x, y)) {
            why_set(why, cap, "mismatch in memory limits");
            return false;
        }
        return true;
    }
    case WELD_TK_CORE_GLOBAL: {
        const weld_globaltype *x = &a->u.core.ext.u.global, *y = &b->u.core.ext.u.global;
        if (x->mut != y->mut) {
            why_set(why, cap, "global types differ in mutability");
            return false;
        }
        if (x->type != y->type) {
            why_set(why, cap, "expected global type %s, found %s", weld_valtype_name(y->type),
                    weld_valtype_name(x->type));
            return false;
        }
        return true;
    }
    default: return true;
    }
}

/* Core module types: exports covariant, imports contravariant (by module::name). */
static bool core_module_subtype(const weld_tnode *a, const weld_tnode *b, char *why, size_t cap)
{
    for (uint32_t i = 0; i < a->u.core_module.nimports; i++) {
        const weld_tcore_extern *ai = &a->u.core_module.imports[i];
        const weld_tcore_extern *bi = NULL;
        for (uint32_t j = 0; j < b->u.core_module.nimports && !bi; j++) {
            const weld_tcore_extern *c = &b->u.core_module.imports[j];
            if (c->module.len == ai->module.len && c->name.len == ai->name.len &&
                !memcmp(c->module.ptr, ai->module.ptr, c->module.len) &&
                !memcmp(c->name.ptr, ai->name.ptr, c->name.len))
                bi = c;
        }
        if (!bi) {
            why_set(why, cap, "missing expected import `%s::%s`", ai->module.ptr, ai->name.ptr);
            return false;
        }
        if (!ctypes_core_subtype(bi->type, ai->type, why, cap)) {
            why_wrap(why, cap, "type mismatch in import `%s::%s`", ai->module.ptr, ai->name.ptr);
            return false;
        }
    }
    for (uint32_t i = 0; i < b->u.core_module.nexports; i++) {
        const weld_tcore_extern *be = &b->u.core_module.exports[i];
        const weld_tcore_extern *ae = NULL;
        for (uint32_t j = 0; j < a->u.core_module.nexports && !ae; j++) {
            const weld_tcore_extern *c = &a->u.core_module.exports[j];
            if (c->name.len == be->name.len && !memcmp(c->name.ptr, be->name.ptr, c->name.len))
                ae = c;
        }
        if (!ae) {
            why_set(why, cap, "missing expected export `%s`", be->name.ptr);
            return false;
        }
        if (!ctypes_core_subtype(ae->type, be->type, why, cap)) {
            why_wrap(why, cap, "type mismatch in export `%s`", be->name.ptr);
            return false;
        }
    }
    return true;
}

/* ---- component subtyping ------------------------------------------------------------ */

static const char *defined_desc(const weld_tnode *t)
{
    if (t->kind == WELD_TK_PRIM) return "primitive";
    return weld_tkind_name(t->kind);
}

/* How wasmparser names a type in "expected X, found Y" at the type-reference level. */
static const char *any_desc(const weld_tnode *t)
{
    switch (t->kind) {
    case WELD_TK_RESOURCE: return "resource";
    case WELD_TK_FUNC: return "func";
    case WELD_TK_INSTANCE: return "instance";
    case WELD_TK_COMPONENT: return "component";
    default: return weld_tnode_is_value(t) ? "defined type" : weld_tkind_name(t->kind);
    }
}

static bool same_str(weld_str a, weld_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static bool resource_same(subcx *cx, const weld_tnode *a, const weld_tnode *b)
{
    const weld_tnode *mb = pmap_get(&cx->map, b);
    if (mb) return mb == a;
    const weld_tnode *ma = pmap_get(&cx->map, a);
    if (ma) return ma == b;
    if (a == b) return true;
    if (cx->bind_expected && b->u.resource.scope == cx->bind_expected)
        return pmap_put(&cx->map, b, a);
    if (cx->bind_found && a->u.resource.scope == cx->bind_found)
        return pmap_put(&cx->map, a, b);
    return false;
}

static bool val_subtype(subcx *cx, const weld_tnode *a, const weld_tnode *b);

static bool opt_val(subcx *cx, const weld_tnode *a, const weld_tnode *b, const char *what,
                    const char *ctx)
{
    if (!a && !b) return true;
    if (a && b) {
        if (val_subtype(cx, a, b)) return true;
        why_wrap(cx->why, cx->cap, "%s", ctx);
        return false;
    }
    if (!a) why_set(cx->why, cx->cap, "expected %s type, but found none", what);
    else why_set(cx->why, cx->cap, "expected %s type to not be present", what);
    return false;
}

static bool val_subtype(subcx *cx, const weld_tnode *a, const weld_tnode *b)
{
    if (a == b && a->kind != WELD_TK_RESOURCE && cx->map.n == 0) return true;
    if (a->kind == WELD_TK_PRIM && b->kind == WELD_TK_PRIM) {
        if (a->u.prim == b->u.prim) return true;
        why_set(cx->why, cx->cap, "expected primitive `%s` found primitive `%s`",
                prim_name(b->u.prim), prim_name(a->u.prim));
        return false;
    }
    if (a->kind == WELD_TK_PRIM) {
        why_set(cx->why, cx->cap, "expected %s, found %s", defined_desc(b), prim_name(a->u.prim));
        return false;
    }
    if (b->kind == WELD_TK_PRIM) {
        why_set(cx->why, cx->cap, "expected %s, found %s", prim_name(b->u.prim), defined_desc(a));
        return false;
    }
    bool same_kind = a->kind == b->kind;
    if (!same_kind) {
        why_set(cx->why, cx->cap, "expected %s, found %s", defined_desc(b), defined_desc(a));
        return false;
    }
    switch (a->kind) {
    case WELD_TK_RECORD:
        if (a->u.record.count != b->u.record.count) {
            why_set(cx->why, cx->cap, "expected %u fields, found %u", b->u.record.count,
                    a->u.record.count);
            return false;
        }
        for (uint32_t i = 0; i < a->u.record.count; i++) {
            const weld_tfield *x = &a->u.record.fields[i], *y = &b->u.record.fields[i];
            if (!same_str(x->name, y->name)) {
                why_set(cx->why, cx->cap, "expected field name `%s`, found `%s`", y->name.ptr,
                        x->name.ptr);
                return false;
            }
            if (!val_subtype(cx, x->type, y->type)) {
                why_wrap(cx->why, cx->cap, "type mismatch in record field `%s`", x->name.ptr);
                return false;
            }
        }
        return true;
    case WELD_TK_VARIANT:
        if (a->u.variant.count != b->u.variant.count) {
            why_set(cx->why, cx->cap, "expected %u cases, found %u", b->u.variant.count,
                    a->u.variant.count);
            return false;
        }
        for (uint32_t i = 0; i < a->u.variant.count; i++) {
            const weld_tfield *x = &a->u.variant.cases[i], *y = &b->u.variant.cases[i];
            if (!same_str(x->name, y->name)) {
                why_set(cx->why, cx->cap, "expected case named `%s`, found `%s`", y->name.ptr,
                        x->name.ptr);
                return false;
            }
            if (x->type && y->type) {
                if (!val_subtype(cx, x->type, y->type)) {
                    why_wrap(cx->why, cx->cap, "type mismatch in variant case `%s`", x->name.ptr);
                    return false;
                }
            } else if (!x->type && y->type) {
                why_set(cx->why, cx->cap, "expected case `%s` to have a type, found none",
                        x->name.ptr);
                return false;
            } else if (x->type && !y->type) {
                why_set(cx->why, cx->cap, "expected case `%s` to have no type", x->name.ptr);
                return false;
            }
        }
        return true;
    case WELD_TK_LIST: return val_subtype(cx, a->u.list.elem, b->u.list.elem);
    case WELD_TK_FIXED_LIST:
        if (a->u.list.len != b->u.list.len) {
            why_set(cx->why, cx->cap, "expected fixed-length %u, found size %u", b->u.list.len,
                    a->u.list.len);
            return false;
        }
        return val_subtype(cx, a->u.list.elem, b->u.list.elem);
    case WELD_TK_OPTION: return val_subtype(cx, a->u.option, b->u.option);
    case WELD_TK_MAP:
        if (!val_subtype(cx, a->u.map.key, b->u.map.key)) {
            why_wrap(cx->why, cx->cap, "type mismatch in map key");
            return false;
        }
        if (!val_subtype(cx, a->u.map.value, b->u.map.value)) {
            why_wrap(cx->why, cx->cap, "type mismatch in map value");
            return false;
        }
        return true;
    case WELD_TK_TUPLE:
        if (a->u.tuple.count != b->u.tuple.count) {
            why_set(cx->why, cx->cap, "expected %u types, found %u", b->u.tuple.count,
                    a->u.tuple.count);
            return false;
        }
        for (uint32_t i = 0; i < a->u.tuple.count; i++)
            if (!val_subtype(cx, a->u.tuple.types[i], b->u.tuple.types[i])) {
                why_wrap(cx->why, cx->cap, "type mismatch in tuple field %u", i);
                return false;
            }
        return true;
    case WELD_TK_FLAGS:
    case WELD_TK_ENUM: {
        bool eq = a->u.labels.count == b->u.labels.count;
        for (uint32_t i = 0; eq && i < a->u.labels.count; i++)
            eq = same_str(a->u.labels.names[i], b->u.labels.names[i]);
        if (!eq)
            why_set(cx->why, cx->cap, "mismatch in %s elements",
                    a->kind == WELD_TK_FLAGS ? "flags" : "enum");
        return eq;
    }
    case WELD_TK_RESULT:
        return opt_val(cx, a->u.result.ok, b->u.result.ok, "ok", "type mismatch in ok variant") &&
               opt_val(cx, a->u.result.err, b->u.result.err, "err", "type mismatch in err variant");
    case WELD_TK_OWN:
    case WELD_TK_BORROW:
        if (resource_same(cx, a->u.handle, b->u.handle)) return true;
        why_set(cx->why, cx->cap, "resource types are not the same");
        return false;
    case WELD_TK_FUTURE:
        return opt_val(cx, a->u.elem, b->u.elem, "future", "type mismatch in future");
    case WELD_TK_STREAM:
        return opt_val(cx, a->u.elem, b->u.elem, "stream", "type mismatch in stream");
    default: return true;
    }
}

static bool func_subtype(subcx *cx, const weld_tnode *a, const weld_tnode *b)
{
    if (a->u.func.async != b->u.func.async) {
        why_set(cx->why, cx->cap, "expected %s function, found %s function",
                b->u.func.async ? "async" : "sync", a->u.func.async ? "async" : "sync");
        return false;
    }
    if (a->u.func.nparams != b->u.func.nparams) {
        why_set(cx->why, cx->cap, "expected %u parameters, found %u", b->u.func.nparams,
                a->u.func.nparams);
        return false;
    }
    for (uint32_t i = 0; i < a->u.func.nparams; i++) {
        const weld_tfield *x = &a->u.func.params[i], *y = &b->u.func.params[i];
        if (!same_str(x->name, y->name)) {
            why_set(cx->why, cx->cap, "expected parameter named `%s`, found `%s`", y->name.ptr,
                    x->name.ptr);
            return false;
        }
        if (!val_subtype(cx, x->type, y->type)) {
            why_wrap(cx->why, cx->cap, "type mismatch in function parameter `%s`", x->name.ptr);
            return false;
        }
    }
    const weld_tnode *ra = a->u.func.result, *rb = b->u.func.result;
    if (ra && rb) {
        if (!val_subtype(cx, ra, rb)) {
            why_wrap(cx->why, cx->cap, "type mismatch with result type");
            return false;
        }
    } else if (ra && !rb) {
        why_set(cx->why, cx->cap, "expected a result, found none");
        return false;
    } else if (!ra && rb) {
        why_set(cx->why, cx->cap, "expected no result, found one");
        return false;
    }
    return true;
}

static const weld_textern *find_extern(const weld_textern *v, uint32_t n, weld_str name)
{
    for (uint32_t i = 0; i < n; i++)
        if (same_str(v[i].name, name)) return &v[i];
    return NULL;
}

static bool instance_subtype(subcx *cx, const weld_tnode *a, const weld_tnode *b)
{
    for (uint32_t i = 0; i < b->u.ext.nexports; i++)
        if (!find_extern(a->u.ext.exports, a->u.ext.nexports, b->u.ext.exports[i].name)) {
            why_set(cx->why, cx->cap, "missing expected export `%s`", b->u.ext.exports[i].name.ptr);
            return false;
        }
    for (uint32_t i = 0; i < b->u.ext.nexports; i++) {
        const weld_textern *y = &b->u.ext.exports[i];
        const weld_textern *x = find_extern(a->u.ext.exports, a->u.ext.nexports, y->name);
        if (!ctypes_subtype_ext(cx, x->sort, x->type, y->sort, y->type)) {
            why_wrap(cx->why, cx->cap, "type mismatch in instance export `%s`", y->name.ptr);
            return false;
        }
    }
    return true;
}

static bool component_subtype(subcx *cx, const weld_tnode *a, const weld_tnode *b)
{
    /* imports: b's imports must satisfy a's (contravariant) */
    for (uint32_t i = 0; i < a->u.ext.nimports; i++) {
        const weld_textern *x = &a->u.ext.imports[i];
        const weld_textern *y = find_extern(b->u.ext.imports, b->u.ext.nimports, x->name);
        if (!y) {
            why_set(cx->why, cx->cap, "missing import named `%s`", x->name.ptr);
            return false;
        }
        if (!ctypes_subtype_ext(cx, y->sort, y->type, x->sort, x->type)) {
            why_wrap(cx->why, cx->cap, "type mismatch for import `%s`", x->name.ptr);
            return false;
        }
    }
    for (uint32_t i = 0; i < b->u.ext.nexports; i++) {
        const weld_textern *y = &b->u.ext.exports[i];
        const weld_textern *x = find_extern(a->u.ext.exports, a->u.ext.nexports, y->name);
        if (!x) {
            why_set(cx->why, cx->cap, "missing export named `%s`", y->name.ptr);
            return false;
        }
        if (!ctypes_subtype_ext(cx, x->sort, x->type, y->sort, y->type)) {
            why_wrap(cx->why, cx->cap, "type mismatch for export `%s`", y->name.ptr);
            return false;
        }
    }
    return true;
}

/* Compare two types referenced by `type` externs or type-level checks. */
bool ctypes_subtype_node(subcx *cx, const weld_tnode *a, const weld_tnode *b)
{
    int ka = a->kind == WELD_TK_RESOURCE ? 0 : weld_tnode_is_value(a) ? 1 : a->kind;
    int kb = b->kind == WELD_TK_RESOURCE ? 0 : weld_tnode_is_value(b) ? 1 : b->kind;
    if (ka != kb) {
        if (a->kind == WELD_TK_CORE_MODULE || b->kind == WELD_TK_CORE_MODULE ||
            a->kind == WELD_TK_CORE_FUNC || b->kind == WELD_TK_CORE_FUNC)
            why_set(cx->why, cx->cap, "expected %s, found %s", weld_tkind_name(b->kind),
                    weld_tkind_name(a->kind));
        else
            why_set(cx->why, cx->cap, "expected %s, found %s%s", any_desc(b), any_desc(a),
                    (a->kind == WELD_TK_FUNC || a->kind == WELD_TK_INSTANCE ||
                     a->kind == WELD_TK_COMPONENT) ? " type" : "");
        return false;
    }
    switch (a->kind) {
    case WELD_TK_RESOURCE:
        if (resource_same(cx, a, b)) return true;
        why_set(cx->why, cx->cap, "resource types are not the same");
        return false;
    case WELD_TK_FUNC: return func_subtype(cx, a, b);
    case WELD_TK_INSTANCE: return instance_subtype(cx, a, b);
    case WELD_TK_COMPONENT: return component_subtype(cx, a, b);
    case WELD_TK_CORE_MODULE: return core_module_subtype(a, b, cx->why, cx->cap);
    case WELD_TK_CORE_FUNC: return ctypes_core_subtype(a, b, cx->why, cx->cap);
    default: return val_subtype(cx, a, b);
    }
}

bool ctypes_subtype_ext(subcx *cx, uint8_t fsort, const weld_tnode *a, uint8_t esort,
                        const weld_tnode *b)
{
    if (fsort != esort) {
        why_set(cx->why, cx->cap, "expected %s, found %s", ctypes_sort_desc(esort),
                ctypes_sort_desc(fsort));
        return false;
    }
    switch (fsort) {
    case WELD_EXT_VALUE: return val_subtype(cx, a, b);
    case WELD_EXT_MODULE: return core_module_subtype(a, b, cx->why, cx->cap);
    default: return ctypes_subtype_node(cx, a, b);
    }
}

static bool subtype_top(uint8_t fsort, const weld_tnode *a, uint8_t esort, const weld_tnode *b,
                        char *why, size_t cap)
{
    subcx cx = {.why = why, .cap = cap};
    if (why && cap) why[0] = 0;
    if (b->kind == WELD_TK_INSTANCE || b->kind == WELD_TK_COMPONENT) cx.bind_expected = b;
    if (a->kind == WELD_TK_COMPONENT) cx.bind_found = a;
    bool ok = ctypes_subtype_ext(&cx, fsort, a, esort, b);
    pmap_free(&cx.map);
    return ok;
}

static uint8_t sort_of_node(const weld_tnode *t)
{
    switch (t->kind) {
    case WELD_TK_FUNC: return WELD_EXT_FUNC;
    case WELD_TK_INSTANCE: return WELD_EXT_INSTANCE;
    case WELD_TK_COMPONENT: return WELD_EXT_COMPONENT;
    case WELD_TK_CORE_MODULE: return WELD_EXT_MODULE;
    default: return WELD_EXT_TYPE;
    }
}

bool weld_tnode_subtype(const weld_tnode *found, const weld_tnode *expected, char *why,
                        size_t cap)
{
    return subtype_top(sort_of_node(found), found, sort_of_node(expected), expected, why, cap);
}

bool weld_textern_subtype(const weld_textern *found, const weld_textern *expected, char *why,
                          size_t cap)
{
    return subtype_top(found->sort, found->type, expected->sort, expected->type, why, cap);
}

bool weld_tnode_equal(const weld_tnode *a, const weld_tnode *b)
{
    if (a == b) return true;
    if (!a || !b) return false;
    if (a->kind == WELD_TK_RESOURCE || b->kind == WELD_TK_RESOURCE) return false;
    /* function and value types are compared exactly by the subtype check; component and
     * instance types are equal when each is a subtype of the other */
    subcx cx = {0};
    bool ok = ctypes_subtype_node(&cx, a, b);
    pmap_free(&cx.map);
    if (ok && (a->kind == WELD_TK_INSTANCE || a->kind == WELD_TK_COMPONENT ||
               a->kind == WELD_TK_CORE_MODULE)) {
        subcx cy = {0};
        ok = ctypes_subtype_node(&cy, b, a);
        pmap_free(&cy.map);
    }
    return ok;
}

const weld_tnode *weld_tnode_strip(const weld_tnode *t)
{
    while (t && t->alias_of) t = t->alias_of;
    return t;
}
