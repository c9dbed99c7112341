/* parse_core.c - the WebAssembly text format of core modules into the module tree.
 *
 * Two passes over the tokens of a module's fields. The first assigns every index (types,
 * functions, tables, memories, globals, tags, element and data segments; imports come
 * first because the text format requires them to), records identifiers, and decodes the
 * explicit type definitions. The second builds the items in text order, encoding every
 * instruction sequence with weld_insn_write from the one opcode table; function types
 * that a type use names only inline are appended after the explicit ones in the order
 * they occur (the text format's rule). Errors leave by longjmp to weld_parse_wat's frame,
 * which frees what the parse allocated outside the arena. */
#include "text_int.h"
#include "weld/insn.h"
#include <setjmp.h>
#include <stdlib.h>

enum { SP_TYPE, SP_FUNC, SP_TABLE, SP_MEM, SP_GLOBAL, SP_TAG, SP_ELEM, SP_DATA, SP_LOCAL, SP_COUNT };
static const char *const space_names[SP_COUNT] = {"type", "function", "table", "memory", "global",
                                                  "tag", "elem segment", "data segment", "local"};

typedef struct idmap {
    const char **keys;
    uint32_t *klen, *vals;
    uint32_t cap, n;
} idmap;

/* a growable array of fixed-size items (malloc'd; copied into the arena at the end) */
typedef struct vec {
    uint8_t *p;
    size_t n, cap, size;
} vec;

typedef struct label {
    const char *p;
    uint32_t len;
} label;

typedef struct parser {
    const tok *t;
    size_t i, n;
    weld_arena *arena;
    weld_diag *d;
    jmp_buf jb;
    op_index ops;
    idmap ids[SP_COUNT];
    uint32_t count[SP_COUNT];  /* pass 1: items per index space */
    uint32_t nexplicit_types;
    vec types, imports, funcs, tables, mems, mem64, tags, globals, exports, elems, datas, code;
    vec labels;
    vec tmp_types;             /* valtypes being collected */
    weld_buf body;             /* the instruction sequence being encoded */
    weld_buf scratch;
    bool *is64;                /* per memory (pass 1) */
    bool *table64;             /* per table (pass 1) */
    bool has_start;
    uint32_t start;
    bool uses_data;
    uint32_t nmems;            /* memories (pass 1) */
    bool no_param_ids;         /* parsing a block type or call_indirect's type use */
    vec customs, custom_keys;  /* (@custom ...) and where each goes (see field_custom) */
    vec items, items2;         /* element segment items being collected */
    bool want_names;           /* write a name section for the identifiers */
    uint32_t depth;            /* nesting of folded instructions and blocks */
    const tok *module_id;
    vec fnames;                /* (index, identifier) of named functions, in index order */
    weld_buf lnames;           /* local names subsection entries being built */
    uint32_t nlnames;
    weld_buf catches;          /* try_table catch clauses being encoded */
} parser;

/* ---- errors and tokens -------------------------------------------------------------- */

static _Noreturn void failv(parser *P, const tok *t, const char *fmt, va_list ap)
{
    char msg[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    text_err(P->d, t, "%s", msg);
    longjmp(P->jb, 1);
}

static _Noreturn WELD_PRINTF(3, 4) void fail(parser *P, const tok *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    failv(P, t, fmt, ap);
}

static _Noreturn void oom(parser *P)
{
    weld_diag_set(P->d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while parsing text");
    longjmp(P->jb, 1);
}

static const tok *cur(parser *P) { return &P->t[P->i]; }
static const tok *peekk(parser *P, size_t k)
{
    return P->i + k < P->n ? &P->t[P->i + k] : &P->t[P->n - 1];
}
static const char *tok_desc(const tok *t, char *buf, size_t cap)
{
    switch (t->kind) {
    case TK_EOF: return "the end of the input";
    case TK_LPAR: return "'('";
    case TK_RPAR: return "')'";
    default:
        snprintf(buf, cap, "'%.*s'", t->len > 40 ? 40 : (int)t->len, t->p);
        return buf;
    }
}

static _Noreturn void expected(parser *P, const char *what)
{
    char b[64];
    fail(P, cur(P), "expected %s, found %s", what, tok_desc(cur(P), b, sizeof b));
}

static bool at_lpar_kw(parser *P, const char *kw)
{
    return cur(P)->kind == TK_LPAR && tok_is(peekk(P, 1), kw);
}

static void expect_lpar(parser *P, const char *ctx)
{
    if (cur(P)->kind != TK_LPAR) expected(P, ctx);
    P->i++;
}

static void expect_rpar(parser *P)
{
    if (cur(P)->kind != TK_RPAR) expected(P, "')'");
    P->i++;
}

static void expect_kw(parser *P, const char *kw)
{
    if (!tok_is(cur(P), kw)) {
        char w[64];
        snprintf(w, sizeof w, "'%s'", kw);
        expected(P, w);
    }
    P->i++;
}

/* skip a balanced parenthesized group starting at '(' */
static void skip_group(parser *P)
{
    int depth = 0;
    do {
        const tok *t = cur(P);
        if (t->kind == TK_EOF) expected(P, "')'");
        if (t->kind == TK_LPAR) depth++;
        else if (t->kind == TK_RPAR) depth--;
        P->i++;
    } while (depth > 0);
}

/* ---- vectors and identifier maps ------------------------------------------------------ */

static void *vec_push(parser *P, vec *v, size_t size)
{
    v->size = size;
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 16;
        uint8_t *np = realloc(v->p, nc * size);
        if (!np) oom(P);
        v->p = np;
        v->cap = nc;
    }
    void *r = v->p + v->n * size;
    memset(r, 0, size);
    v->n++;
    return r;
}
#define PUSH(P, v, T) ((T *)vec_push(P, &(P)->v, sizeof(T)))
#define AT(P, v, T, k) (((T *)(P)->v.p)[k])

static void *to_arena(parser *P, const void *src, size_t bytes)
{
    if (!bytes) return NULL;
    void *p = weld_arena_alloc(P->arena, bytes);
    if (!p) oom(P);
    memcpy(p, src, bytes);
    return p;
}

static uint32_t hash_id(const char *p, uint32_t len)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
    return h;
}

static bool idmap_get(const idmap *m, const char *p, uint32_t len, uint32_t *out)
{
    if (!m->cap) return false;
    for (uint32_t h = hash_id(p, len) & (m->cap - 1);; h = (h + 1) & (m->cap - 1)) {
        if (!m->keys[h]) return false;
        if (m->klen[h] == len && !memcmp(m->keys[h], p, len)) {
            *out = m->vals[h];
            return true;
        }
    }
}

static void idmap_free(idmap *m)
{
    free(m->keys);
    free(m->klen);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static bool idmap_put(parser *P, idmap *m, const char *p, uint32_t len, uint32_t val)
{
    uint32_t dummy;
    if (idmap_get(m, p, len, &dummy)) return false;
    if ((m->n + 1) * 2 > m->cap) {
        idmap old = *m;
        uint32_t nc = m->cap ? m->cap * 2 : 16;
        m->keys = calloc(nc, sizeof *m->keys);
        m->klen = calloc(nc, sizeof *m->klen);
        m->vals = calloc(nc, sizeof *m->vals);
        m->cap = nc;
        m->n = 0;
        if (!m->keys || !m->klen || !m->vals) {
            idmap_free(&old);
            oom(P);
        }
        for (uint32_t k = 0; k < old.cap; k++)
            if (old.keys[k]) idmap_put(P, m, old.keys[k], old.klen[k], old.vals[k]);
        idmap_free(&old);
    }
    uint32_t h = hash_id(p, len) & (m->cap - 1);
    while (m->keys[h]) h = (h + 1) & (m->cap - 1);
    m->keys[h] = p;
    m->klen[h] = len;
    m->vals[h] = val;
    m->n++;
    return true;
}

static void idmap_clear(idmap *m)
{
    if (m->cap) {
        memset(m->keys, 0, m->cap * sizeof *m->keys);
        m->n = 0;
    }
}

typedef struct fname {
    uint32_t index;
    const char *p;
    uint32_t len;
} fname;

/* Bind an optional $id at the cursor to index `index` of space sp. */
static void bind_id(parser *P, int sp, uint32_t index)
{
    const tok *t = cur(P);
    if (t->kind != TK_ID) return;
    if (sp == SP_FUNC && P->want_names) {
        fname *f = vec_push(P, &P->fnames, sizeof *f);
        f->index = index;
        f->p = t->p + 1;
        f->len = t->len - 1;
    }
    if (!idmap_put(P, &P->ids[sp], t->p, t->len, index))
        fail(P, t, "duplicate %s %.*s", space_names[sp], (int)t->len, t->p);
    P->i++;
}

/* An index: a u32 or a $id of space sp. */
static uint32_t parse_index(parser *P, int sp)
{
    const tok *t = cur(P);
    uint32_t v;
    if (t->kind == TK_NUM) {
        if (!text_u32(t, &v)) fail(P, t, "malformed %s index (expected a u32)", space_names[sp]);
        P->i++;
        return v;
    }
    if (t->kind == TK_ID) {
        if (!idmap_get(&P->ids[sp], t->p, t->len, &v))
            fail(P, t, "unknown %s %.*s", space_names[sp], (int)t->len, t->p);
        P->i++;
        return v;
    }
    char w[64];
    snprintf(w, sizeof w, "a %s index", space_names[sp]);
    expected(P, w);
}

static bool at_index(parser *P)
{
    return cur(P)->kind == TK_NUM || cur(P)->kind == TK_ID;
}

/* ---- types -------------------------------------------------------------------------- */

static bool heaptype_kw(const tok *t, uint8_t *out)
{
    if (tok_is(t, "func")) *out = WELD_FUNCREF;
    else if (tok_is(t, "extern")) *out = WELD_EXTERNREF;
    else if (tok_is(t, "exn")) *out = WELD_EXNREF;
    else return false;
    return true;
}

static bool try_valtype(parser *P, weld_valtype *out)
{
    const tok *t = cur(P);
    if (t->kind == TK_KEYWORD) {
        static const struct { const char *n; uint8_t v; } vts[] = {
            {"i32", WELD_I32}, {"i64", WELD_I64}, {"f32", WELD_F32}, {"f64", WELD_F64},
            {"v128", WELD_V128}, {"funcref", WELD_FUNCREF}, {"externref", WELD_EXTERNREF},
            {"exnref", WELD_EXNREF}};
        for (size_t k = 0; k < sizeof vts / sizeof vts[0]; k++)
            if (tok_is(t, vts[k].n)) {
                *out = vts[k].v;
                P->i++;
                return true;
            }
        return false;
    }
    if (at_lpar_kw(P, "ref")) {
        size_t save = P->i;
        P->i += 2;
        bool null = false;
        if (tok_is(cur(P), "null")) {
            null = true;
            P->i++;
        }
        uint8_t h;
        if (null && heaptype_kw(cur(P), &h) && peekk(P, 1)->kind == TK_RPAR) {
            P->i += 2;
            *out = h;
            return true;
        }
        P->i = save;
        fail(P, cur(P), "unsupported reference type (weld reads (ref null func|extern|exn))");
    }
    return false;
}

static weld_valtype parse_valtype(parser *P)
{
    weld_valtype v;
    if (!try_valtype(P, &v)) expected(P, "a value type");
    return v;
}

static bool reftype_ok(weld_valtype v)
{
    return v == WELD_FUNCREF || v == WELD_EXTERNREF || v == WELD_EXNREF;
}

static weld_valtype parse_reftype(parser *P)
{
    const tok *t = cur(P);
    weld_valtype v;
    if (!try_valtype(P, &v) || !reftype_ok(v)) {
        P->i = (size_t)(t - P->t);
        expected(P, "a reference type");
    }
    return v;
}

/* Params (with optional names bound as locals when `names`) and results into *ft. Returns
 * whether any were written. */
static bool parse_params_results(parser *P, weld_functype *ft, bool names, bool allow_params)
{
    bool any = false;
    P->tmp_types.n = 0;
    while (allow_params && at_lpar_kw(P, "param")) {
        any = true;
        P->i += 2;
        if (cur(P)->kind == TK_ID) {
            const tok *id = cur(P);
            if (P->no_param_ids) fail(P, id, "unexpected token: parameters of a block or call_indirect type have no names");
            if (names && !idmap_put(P, &P->ids[SP_LOCAL], id->p, id->len, (uint32_t)P->tmp_types.n))
                fail(P, id, "duplicate local %.*s", (int)id->len, id->p);
            P->i++;
            *PUSH(P, tmp_types, weld_valtype) = parse_valtype(P);
        } else {
            weld_valtype v;
            while (try_valtype(P, &v)) *PUSH(P, tmp_types, weld_valtype) = v;
        }
        expect_rpar(P);
    }
    uint32_t np = (uint32_t)P->tmp_types.n;
    while (at_lpar_kw(P, "result")) {
        any = true;
        P->i += 2;
        weld_valtype v;
        while (try_valtype(P, &v)) *PUSH(P, tmp_types, weld_valtype) = v;
        expect_rpar(P);
    }
    uint32_t total = (uint32_t)P->tmp_types.n;
    weld_valtype *all = to_arena(P, P->tmp_types.p, total);
    ft->nparams = np;
    ft->nresults = total - np;
    ft->params = np ? all : NULL;
    ft->results = total - np ? all + np : NULL;
    return any;
}

static bool functype_eq(const weld_functype *a, const weld_functype *b)
{
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           (!a->nparams || !memcmp(a->params, b->params, a->nparams)) &&
           (!a->nresults || !memcmp(a->results, b->results, a->nresults));
}

static uint32_t find_or_add_type(parser *P, const weld_functype *ft)
{
    for (size_t k = 0; k < P->types.n; k++)
        if (functype_eq(&AT(P, types, weld_functype, k), ft)) return (uint32_t)k;
    *PUSH(P, types, weld_functype) = *ft;
    return (uint32_t)(P->types.n - 1);
}

/* A type use: (type x)? (param ...)* (result ...)*. Param names bound when `names`. */
static uint32_t parse_typeuse(parser *P, bool names, weld_functype *sig)
{
    bool has_idx = false;
    uint32_t idx = 0;
    const tok *at = cur(P);
    if (at_lpar_kw(P, "type")) {
        P->i += 2;
        idx = parse_index(P, SP_TYPE);
        expect_rpar(P);
        has_idx = true;
    }
    weld_functype ft;
    bool inline_sig = parse_params_results(P, &ft, names, true);
    if (has_idx) {
        if (idx >= P->types.n) {
            /* an index past the types: the validator rejects it ("unknown type") */
            if (sig) memset(sig, 0, sizeof *sig);
            return idx;
        }
        const weld_functype *tt = &AT(P, types, weld_functype, idx);
        if (inline_sig && !functype_eq(tt, &ft))
            fail(P, at, "inline function type does not match the type it names (type %u)", idx);
        if (sig) *sig = *tt;
        return idx;
    }
    if (sig) *sig = ft;
    return find_or_add_type(P, &ft);
}

static void parse_limits(parser *P, weld_limits *l, bool is64)
{
    uint64_t v;
    const tok *t = cur(P);
    if (!text_u64(t, &v) || (!is64 && v > UINT32_MAX))
        fail(P, t, "%s (expected a %s)", t->kind == TK_NUM ? "constant out of range" : "missing limits",
             is64 ? "u64" : "u32");
    P->i++;
    l->min = v;
    l->flags = is64 ? WELD_LIMITS_64 : 0;
    if (cur(P)->kind == TK_NUM) {
        t = cur(P);
        if (!text_u64(t, &v) || (!is64 && v > UINT32_MAX))
            fail(P, t, "constant out of range (expected a %s maximum)", is64 ? "u64" : "u32");
        P->i++;
        l->max = v;
        l->flags |= WELD_LIMITS_HAS_MAX;
    }
}

static void parse_memtype(parser *P, weld_limits *l)
{
    bool is64 = false;
    if (tok_is(cur(P), "i64")) is64 = true, P->i++;
    else if (tok_is(cur(P), "i32")) P->i++;
    parse_limits(P, l, is64);
    if (tok_is(cur(P), "shared")) {
        l->flags |= WELD_LIMITS_SHARED;
        P->i++;
    }
}

static void parse_tabletype(parser *P, weld_tabletype *tt)
{
    bool is64 = false;
    if (tok_is(cur(P), "i64")) is64 = true, P->i++;
    else if (tok_is(cur(P), "i32")) P->i++;
    parse_limits(P, &tt->limits, is64);
    tt->elem = parse_reftype(P);
}

static void parse_globaltype(parser *P, weld_globaltype *g)
{
    if (at_lpar_kw(P, "mut")) {
        P->i += 2;
        g->type = parse_valtype(P);
        g->mut = true;
        expect_rpar(P);
    } else {
        g->type = parse_valtype(P);
        g->mut = false;
    }
}

/* ---- instructions ------------------------------------------------------------------ */

static void emit(parser *P, const weld_insn *in)
{
    weld_insn_write(&P->body, in);
    if (P->body.oom) oom(P);
    if (in->op == WELD_OP_MEMORY_INIT || in->op == WELD_OP_DATA_DROP) P->uses_data = true;
}

static void emit_op(parser *P, int op)
{
    weld_insn in = {0};
    in.op = (uint16_t)op;
    emit(P, &in);
}

static void push_label(parser *P)
{
    label *l = PUSH(P, labels, label);
    if (cur(P)->kind == TK_ID) {
        l->p = cur(P)->p;
        l->len = cur(P)->len;
        P->i++;
    }
}

static void pop_label(parser *P) { P->labels.n--; }

/* `end $id` / `else $id` must repeat the block's label. */
static void check_end_label(parser *P)
{
    if (cur(P)->kind != TK_ID) return;
    const label *l = &AT(P, labels, label, P->labels.n - 1);
    if (!l->p || l->len != cur(P)->len || memcmp(l->p, cur(P)->p, l->len))
        fail(P, cur(P), "mismatching label %.*s (expected the block's label%s%.*s)",
             (int)cur(P)->len, cur(P)->p, l->p ? " " : ", which has none", l->p ? (int)l->len : 0,
             l->p ? l->p : "");
    P->i++;
}

static uint32_t parse_label(parser *P)
{
    const tok *t = cur(P);
    if (t->kind == TK_ID) {
        for (size_t k = P->labels.n; k-- > 0;) {
            const label *l = &AT(P, labels, label, k);
            if (l->p && l->len == t->len && !memcmp(l->p, t->p, t->len)) {
                P->i++;
                return (uint32_t)(P->labels.n - 1 - k);
            }
        }
        fail(P, t, "unknown label %.*s", (int)t->len, t->p);
    }
    uint32_t v;
    if (t->kind != TK_NUM || !text_u32(t, &v)) expected(P, "a label");
    P->i++;
    return v;
}

static void parse_blocktype(parser *P, weld_blocktype *bt)
{
    const tok *at = cur(P);
    if (at_lpar_kw(P, "type")) {
        uint32_t idx = parse_typeuse(P, false, NULL);
        bt->kind = WELD_BLOCK_TYPEIDX;
        bt->index = idx;
        return;
    }
    weld_functype ft;
    parse_params_results(P, &ft, false, true);
    (void)at;
    if (ft.nparams == 0 && ft.nresults == 0) bt->kind = WELD_BLOCK_EMPTY;
    else if (ft.nparams == 0 && ft.nresults == 1) {
        bt->kind = WELD_BLOCK_VALUE;
        bt->value = ft.results[0];
    } else {
        bt->kind = WELD_BLOCK_TYPEIDX;
        bt->index = find_or_add_type(P, &ft);
    }
}

static uint32_t keyword_num(parser *P, const tok *t, size_t prefix, bool is64)
{
    tok n = *t;
    n.p += prefix;
    n.len -= (uint32_t)prefix;
    n.kind = TK_NUM;
    uint64_t v;
    if (!text_u64(&n, &v) || (!is64 && v > UINT32_MAX))
        fail(P, t, "malformed %.*s (expected a %s)", (int)prefix - 1, t->p, is64 ? "u64" : "u32");
    return (uint32_t)v;
}

static bool mem_is64(parser *P, uint32_t mem)
{
    return mem < P->nmems && P->is64[mem];
}

static void parse_memarg(parser *P, weld_memarg *ma, unsigned natural, bool lane_follows)
{
    ma->memory = 0;
    if (cur(P)->kind == TK_ID ||
        (cur(P)->kind == TK_NUM && (!lane_follows || peekk(P, 1)->kind == TK_NUM ||
                                    (peekk(P, 1)->kind == TK_KEYWORD &&
                                     (!strncmp(peekk(P, 1)->p, "offset=", 7) ||
                                      !strncmp(peekk(P, 1)->p, "align=", 6))))))
        ma->memory = parse_index(P, SP_MEM);
    ma->offset = 0;
    ma->align = natural;
    const tok *t = cur(P);
    if (t->kind == TK_KEYWORD && t->len > 7 && !strncmp(t->p, "offset=", 7)) {
        tok n = *t;
        n.p += 7;
        n.len -= 7;
        n.kind = TK_NUM;
        uint64_t v;
        if (!text_u64(&n, &v) || (!mem_is64(P, ma->memory) && v > UINT32_MAX))
            fail(P, t, "offset out of range (expected a %s)", mem_is64(P, ma->memory) ? "u64" : "u32");
        ma->offset = v;
        P->i++;
        t = cur(P);
    }
    if (t->kind == TK_KEYWORD && t->len > 6 && !strncmp(t->p, "align=", 6)) {
        uint32_t a = keyword_num(P, t, 6, false);
        if (!a || (a & (a - 1))) fail(P, t, "alignment must be a power of two");
        unsigned lg = 0;
        while ((1u << lg) < a) lg++;
        ma->align = lg;
        P->i++;
    }
}

static uint8_t parse_lane(parser *P)
{
    uint32_t v;
    const tok *t = cur(P);
    if (t->kind != TK_NUM || !text_u32(t, &v) || v > 255) fail(P, t, "malformed lane index (expected a u8)");
    P->i++;
    return (uint8_t)v;
}

static void parse_v128(parser *P, uint8_t out[16])
{
    const tok *shape = cur(P);
    unsigned w = 0;
    bool fl = false;
    if (tok_is(shape, "i8x16")) w = 1;
    else if (tok_is(shape, "i16x8")) w = 2;
    else if (tok_is(shape, "i32x4")) w = 4;
    else if (tok_is(shape, "i64x2")) w = 8;
    else if (tok_is(shape, "f32x4")) w = 4, fl = true;
    else if (tok_is(shape, "f64x2")) w = 8, fl = true;
    else expected(P, "a v128 shape (i8x16 i16x8 i32x4 i64x2 f32x4 f64x2)");
    P->i++;
    for (unsigned k = 0; k < 16 / w; k++) {
        const tok *t = cur(P);
        uint64_t v = 0;
        bool ok;
        if (fl && w == 4) {
            uint32_t b;
            ok = text_f32(t, &b);
            v = b;
        } else if (fl) ok = text_f64(t, &v);
        else ok = text_int(t, w * 8, &v);
        if (!ok) {
            if (t->kind == TK_NUM) fail(P, t, "constant out of range");
            fail(P, t, "wrong number of lane literals (expected %u for %.*s)", 16 / w, (int)shape->len, shape->p);
        }
        for (unsigned b = 0; b < w; b++) out[k * w + b] = (uint8_t)(v >> (8 * b));
        P->i++;
    }
}

enum { MAX_DEPTH = 4000 }; /* the parser recurses per level: bounded well inside an 8 MB stack */

static void enter(parser *P)
{
    if (++P->depth > MAX_DEPTH) fail(P, cur(P), "instructions nested more than %u deep", MAX_DEPTH);
}

static void parse_instrs(parser *P);
static void parse_folded(parser *P);

/* The immediates of a plain instruction `op` (the cursor is after its name). */
static void parse_immediates(parser *P, int op, weld_insn *in)
{
    const weld_opinfo *oi = &weld_opinfos[op];
    in->op = (uint16_t)op;
    switch ((weld_imm_kind)oi->imm) {
    case WELD_IMM_NONE:
        if (op == WELD_OP_SELECT && at_lpar_kw(P, "result")) {
            P->tmp_types.n = 0;
            while (at_lpar_kw(P, "result")) {
                P->i += 2;
                weld_valtype v;
                while (try_valtype(P, &v)) *PUSH(P, tmp_types, weld_valtype) = v;
                expect_rpar(P);
            }
            in->op = WELD_OP_SELECT_T;
            in->u.select.count = (uint32_t)P->tmp_types.n;
            in->u.select.types = to_arena(P, P->tmp_types.p, P->tmp_types.n);
        }
        break;
    case WELD_IMM_BLOCK:
        P->no_param_ids = true;
        parse_blocktype(P, &in->u.block);
        P->no_param_ids = false;
        break;
    case WELD_IMM_LABEL: in->u.index = parse_label(P); break;
    case WELD_IMM_BR_TABLE: {
        P->scratch.len = 0;
        uint32_t n = 0, last = parse_label(P);
        while (at_index(P)) {
            weld_buf_u32leb(&P->scratch, last);
            n++;
            last = parse_label(P);
        }
        if (P->scratch.oom) oom(P);
        in->u.br_table.count = n;
        in->u.br_table.default_label = last;
        in->u.br_table.targets = P->scratch.data;
        break;
    }
    case WELD_IMM_FUNC: in->u.index = parse_index(P, SP_FUNC); break;
    case WELD_IMM_CALL_INDIRECT:
        in->u.pair.b = at_index(P) ? parse_index(P, SP_TABLE) : 0;
        P->no_param_ids = true;
        in->u.pair.a = parse_typeuse(P, false, NULL);
        P->no_param_ids = false;
        break;
    case WELD_IMM_LOCAL: in->u.index = parse_index(P, SP_LOCAL); break;
    case WELD_IMM_GLOBAL: in->u.index = parse_index(P, SP_GLOBAL); break;
    case WELD_IMM_TABLE: in->u.index = at_index(P) ? parse_index(P, SP_TABLE) : 0; break;
    case WELD_IMM_MEMARG: parse_memarg(P, &in->u.memarg, oi->arg, false); break;
    case WELD_IMM_MEMARG_LANE:
        parse_memarg(P, &in->u.memarg, oi->arg, true);
        in->lane = parse_lane(P);
        break;
    case WELD_IMM_MEMORY: in->u.index = at_index(P) ? parse_index(P, SP_MEM) : 0; break;
    case WELD_IMM_I32: {
        uint64_t v;
        if (!text_int(cur(P), 32, &v)) {
            if (cur(P)->kind == TK_NUM) fail(P, cur(P), "constant out of range (expected an i32)");
            expected(P, "an i32 literal");
        }
        in->u.i32 = (int32_t)(uint32_t)v;
        P->i++;
        break;
    }
    case WELD_IMM_I64: {
        uint64_t v;
        if (!text_int(cur(P), 64, &v)) {
            if (cur(P)->kind == TK_NUM) fail(P, cur(P), "constant out of range (expected an i64)");
            expected(P, "an i64 literal");
        }
        in->u.i64 = (int64_t)v;
        P->i++;
        break;
    }
    case WELD_IMM_F32:
        if (!text_f32(cur(P), &in->u.f32)) {
            if (cur(P)->kind == TK_NUM) fail(P, cur(P), "constant out of range (expected an f32)");
            expected(P, "an f32 literal");
        }
        P->i++;
        break;
    case WELD_IMM_F64:
        if (!text_f64(cur(P), &in->u.f64)) {
            if (cur(P)->kind == TK_NUM) fail(P, cur(P), "constant out of range (expected an f64)");
            expected(P, "an f64 literal");
        }
        P->i++;
        break;
    case WELD_IMM_V128: parse_v128(P, in->u.v128); break;
    case WELD_IMM_LANE: in->lane = parse_lane(P); break;
    case WELD_IMM_SHUFFLE:
        for (int k = 0; k < 16; k++) {
            if (cur(P)->kind != TK_NUM) fail(P, cur(P), "invalid lane length (expected 16 lane indices)");
            in->u.v128[k] = parse_lane(P);
        }
        break;
    case WELD_IMM_SELECT_T: break;
    case WELD_IMM_HEAPTYPE: {
        uint8_t h;
        if (heaptype_kw(cur(P), &h)) {
            in->u.heap.abstract = h;
            P->i++;
        } else if (at_index(P)) {
            in->u.heap.index = parse_index(P, SP_TYPE);
        } else expected(P, "a heap type (func, extern, exn or a type index)");
        break;
    }
    case WELD_IMM_DATA: in->u.index = parse_index(P, SP_DATA); break;
    case WELD_IMM_ELEM: in->u.index = parse_index(P, SP_ELEM); break;
    case WELD_IMM_MEMORY_INIT: {
        /* memory.init mem? data */
        if (at_index(P) && (peekk(P, 1)->kind == TK_NUM || peekk(P, 1)->kind == TK_ID)) {
            in->u.pair.b = parse_index(P, SP_MEM);
            in->u.pair.a = parse_index(P, SP_DATA);
        } else {
            in->u.pair.b = 0;
            in->u.pair.a = parse_index(P, SP_DATA);
        }
        break;
    }
    case WELD_IMM_MEMORY_COPY:
        in->u.pair.a = in->u.pair.b = 0;
        if (at_index(P)) {
            in->u.pair.a = parse_index(P, SP_MEM);
            in->u.pair.b = parse_index(P, SP_MEM);
        }
        break;
    case WELD_IMM_TABLE_INIT:
        if (at_index(P) && (peekk(P, 1)->kind == TK_NUM || peekk(P, 1)->kind == TK_ID)) {
            in->u.pair.b = parse_index(P, SP_TABLE);
            in->u.pair.a = parse_index(P, SP_ELEM);
        } else {
            in->u.pair.b = 0;
            in->u.pair.a = parse_index(P, SP_ELEM);
        }
        break;
    case WELD_IMM_TABLE_COPY:
        in->u.pair.a = in->u.pair.b = 0;
        if (at_index(P)) {
            in->u.pair.a = parse_index(P, SP_TABLE);
            in->u.pair.b = parse_index(P, SP_TABLE);
        }
        break;
    case WELD_IMM_TAG: in->u.index = parse_index(P, SP_TAG); break;
    case WELD_IMM_TRY_TABLE: {
        P->no_param_ids = true;
        parse_blocktype(P, &in->u.try_table.block);
        P->no_param_ids = false;
        weld_buf *cb = &P->catches;
        cb->len = 0;
        uint32_t n = 0;
        /* the label is pushed by the caller after the immediates; catch labels are
         * relative to the enclosing blocks, so resolve them before pushing */
        for (;;) {
            int kind = at_lpar_kw(P, "catch") ? WELD_CATCH : at_lpar_kw(P, "catch_ref") ? WELD_CATCH_REF
                     : at_lpar_kw(P, "catch_all") ? WELD_CATCH_ALL
                     : at_lpar_kw(P, "catch_all_ref") ? WELD_CATCH_ALL_REF : -1;
            if (kind < 0) break;
            P->i += 2;
            weld_buf_byte(cb, (uint8_t)kind);
            if (kind < WELD_CATCH_ALL) weld_buf_u32leb(cb, parse_index(P, SP_TAG));
            /* the try_table's own label is on the stack already: catch labels skip it */
            P->labels.n--;
            uint32_t l = parse_label(P);
            P->labels.n++;
            weld_buf_u32leb(cb, l);
            expect_rpar(P);
            n++;
        }
        if (cb->oom) oom(P);
        in->u.try_table.count = n;
        in->u.try_table.catches = to_arena(P, cb->data, cb->len);
        break;
    }
    case WELD_IMM_FENCE: break;
    }
}

static int op_at(parser *P, const tok *t)
{
    if (t->kind != TK_KEYWORD) return -1;
    return text_op_lookup(&P->ops, t->p, t->len);
}

static _Noreturn void unknown_op(parser *P, const tok *t)
{
    char b[64];
    fail(P, t, "unknown operator %s (expected an instruction)", tok_desc(t, b, sizeof b));
}

static bool is_block_op(int op)
{
    return op == WELD_OP_BLOCK || op == WELD_OP_LOOP || op == WELD_OP_IF ||
           op == WELD_OP_TRY_TABLE || op == WELD_OP_TRY;
}

/* block/loop/if/try_table/try in the plain form: the cursor is after the keyword. */
static void parse_plain_block_in(parser *P, int op);
static void parse_plain_block(parser *P, int op)
{
    enter(P);
    parse_plain_block_in(P, op);
    P->depth--;
}

static void parse_plain_block_in(parser *P, int op)
{
    weld_insn in = {0};
    push_label(P);
    parse_immediates(P, op, &in);
    emit(P, &in);
    parse_instrs(P);
    if (op == WELD_OP_IF && tok_is(cur(P), "else")) {
        P->i++;
        check_end_label(P);
        emit_op(P, WELD_OP_ELSE);
        parse_instrs(P);
    }
    if (op == WELD_OP_TRY) {
        while (tok_is(cur(P), "catch") || tok_is(cur(P), "catch_all")) {
            bool all = tok_is(cur(P), "catch_all");
            P->i++;
            weld_insn c = {0};
            c.op = all ? WELD_OP_CATCH_ALL : WELD_OP_CATCH;
            if (!all) c.u.index = parse_index(P, SP_TAG);
            emit(P, &c);
            parse_instrs(P);
        }
        if (tok_is(cur(P), "delegate")) {
            P->i++;
            pop_label(P);
            weld_insn dl = {0};
            dl.op = WELD_OP_DELEGATE;
            dl.u.index = parse_label(P);
            emit(P, &dl);
            return;
        }
    }
    expect_kw(P, "end");
    check_end_label(P);
    pop_label(P);
    emit_op(P, WELD_OP_END);
}

static void parse_plain(parser *P)
{
    const tok *t = cur(P);
    int op = op_at(P, t);
    if (op < 0) unknown_op(P, t);
    P->i++;
    if (is_block_op(op)) {
        parse_plain_block(P, op);
        return;
    }
    weld_insn in = {0};
    parse_immediates(P, op, &in);
    emit(P, &in);
}

static void parse_folded_in(parser *P);

/* ( op immediates folded* ) or the folded block forms. The cursor is at '('. */
static void parse_folded(parser *P)
{
    enter(P);
    parse_folded_in(P);
    P->depth--;
}

static void parse_folded_in(parser *P)
{
    P->i++;
    const tok *t = cur(P);
    int op = op_at(P, t);
    if (op < 0) unknown_op(P, t);
    P->i++;
    weld_insn in = {0};
    if (op == WELD_OP_BLOCK || op == WELD_OP_LOOP || op == WELD_OP_TRY_TABLE) {
        push_label(P);
        parse_immediates(P, op, &in);
        emit(P, &in);
        parse_instrs(P);
        pop_label(P);
        emit_op(P, WELD_OP_END);
        expect_rpar(P);
        return;
    }
    if (op == WELD_OP_IF) {
        push_label(P);
        parse_immediates(P, op, &in);
        /* the condition: folded instructions before (then ...) */
        P->labels.n--;
        while (cur(P)->kind == TK_LPAR && !at_lpar_kw(P, "then")) parse_folded(P);
        P->labels.n++;
        emit(P, &in);
        if (!at_lpar_kw(P, "then")) expected(P, "'(then ...)'");
        P->i += 2;
        parse_instrs(P);
        expect_rpar(P);
        if (at_lpar_kw(P, "else")) {
            P->i += 2;
            emit_op(P, WELD_OP_ELSE);
            parse_instrs(P);
            expect_rpar(P);
        }
        pop_label(P);
        emit_op(P, WELD_OP_END);
        expect_rpar(P);
        return;
    }
    if (op == WELD_OP_TRY) fail(P, t, "the folded form of the legacy 'try' is not supported");
    parse_immediates(P, op, &in);
    /* the br_table targets live in scratch: copy before folded operands reuse it */
    uint8_t tgt[64];
    uint8_t *heap = NULL;
    if (op == WELD_OP_BR_TABLE) {
        if (P->scratch.len <= sizeof tgt) {
            if (P->scratch.len) memcpy(tgt, P->scratch.data, P->scratch.len);
            in.u.br_table.targets = tgt;
        } else {
            heap = to_arena(P, P->scratch.data, P->scratch.len);
            in.u.br_table.targets = heap;
        }
    }
    while (cur(P)->kind == TK_LPAR) parse_folded(P);
    emit(P, &in);
    expect_rpar(P);
}

/* Instructions up to ')' or a keyword that ends a block (end, else, catch, delegate). */
static void parse_instrs(parser *P)
{
    for (;;) {
        const tok *t = cur(P);
        if (t->kind == TK_LPAR) {
            parse_folded(P);
            continue;
        }
        if (t->kind != TK_KEYWORD) return;
        if (tok_is(t, "end") || tok_is(t, "else") || tok_is(t, "catch") ||
            tok_is(t, "catch_all") || tok_is(t, "delegate"))
            return;
        parse_plain(P);
    }
}

/* An instruction sequence into the arena as an expression ending with `end`. */
static weld_expr finish_expr(parser *P)
{
    weld_buf_byte(&P->body, 0x0B);
    if (P->body.oom) oom(P);
    weld_expr e = {0};
    e.code = to_arena(P, P->body.data, P->body.len);
    e.len = (uint32_t)P->body.len;
    P->body.len = 0;
    return e;
}

static weld_expr parse_const_expr(parser *P)
{
    P->body.len = 0;
    P->labels.n = 0;
    parse_instrs(P);
    if (cur(P)->kind != TK_RPAR) {
        char b[64];
        fail(P, cur(P), "unexpected %s in a constant expression (expected an instruction or ')')",
             tok_desc(cur(P), b, sizeof b));
    }
    return finish_expr(P);
}

/* an offset: (offset instr*) or one folded instruction */
static weld_expr parse_offset(parser *P)
{
    if (at_lpar_kw(P, "offset")) {
        P->i += 2;
        weld_expr e = parse_const_expr(P);
        expect_rpar(P);
        return e;
    }
    if (cur(P)->kind != TK_LPAR) expected(P, "an offset expression");
    P->body.len = 0;
    P->labels.n = 0;
    parse_folded(P);
    return finish_expr(P);
}

/* ---- module fields ------------------------------------------------------------------ */

static weld_str parse_name(parser *P)
{
    const tok *t = cur(P);
    if (t->kind != TK_STRING) expected(P, "a string");
    weld_buf b;
    weld_buf_init(&b);
    const char *why = NULL;
    if (!text_string(t, &b, &why)) {
        weld_buf_free(&b);
        fail(P, t, "%s", why);
    }
    if (!text_utf8_valid(b.data, b.len)) {
        weld_buf_free(&b);
        fail(P, t, "malformed UTF-8 encoding in a name");
    }
    weld_str s;
    s.len = b.len;
    char *p = weld_arena_alloc(P->arena, b.len + 1);
    if (!p) {
        weld_buf_free(&b);
        oom(P);
    }
    if (b.len) memcpy(p, b.data, b.len);
    p[b.len] = 0;
    s.ptr = p;
    weld_buf_free(&b);
    P->i++;
    return s;
}

/* data strings: concatenated bytes into the arena */
static const uint8_t *parse_datastrings(parser *P, uint32_t *len)
{
    weld_buf b;
    weld_buf_init(&b);
    while (cur(P)->kind == TK_STRING) {
        const char *why = NULL;
        if (!text_string(cur(P), &b, &why)) {
            weld_buf_free(&b);
            fail(P, cur(P), "%s", why);
        }
        P->i++;
    }
    if (b.oom) oom(P);
    *len = (uint32_t)b.len;
    const uint8_t *r = b.len ? to_arena(P, b.data, b.len) : (const uint8_t *)"";
    weld_buf_free(&b);
    return r;
}

static void add_export(parser *P, weld_str name, uint8_t kind, uint32_t index)
{
    weld_export *e = PUSH(P, exports, weld_export);
    e->name = name;
    e->kind = kind;
    e->index = index;
}

/* (export "name")* inline exports */
static void inline_exports(parser *P, uint8_t kind, uint32_t index)
{
    while (at_lpar_kw(P, "export")) {
        P->i += 2;
        add_export(P, parse_name(P), kind, index);
        expect_rpar(P);
    }
}

/* (import "m" "n") inline import: true when present */
static bool inline_import(parser *P, weld_import *im)
{
    if (!at_lpar_kw(P, "import")) return false;
    P->i += 2;
    im->module = parse_name(P);
    im->name = parse_name(P);
    expect_rpar(P);
    return true;
}

static void add_import(parser *P, const weld_import *im)
{
    *PUSH(P, imports, weld_import) = *im;
}

/* The local names of function `func` (the identifiers bound in SP_LOCAL) as an entry of
 * the name section's local names subsection. */
static void record_local_names(parser *P, uint32_t func)
{
    idmap *m = &P->ids[SP_LOCAL];
    if (!P->want_names || !m->n) return;
    uint32_t *order = malloc(m->n * sizeof *order), k = 0;
    if (!order) oom(P);
    for (uint32_t h = 0; h < m->cap; h++)
        if (m->keys[h]) order[k++] = h;
    for (uint32_t a = 1; a < k; a++) /* by local index */
        for (uint32_t b = a; b > 0 && m->vals[order[b - 1]] > m->vals[order[b]]; b--) {
            uint32_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    weld_buf_u32leb(&P->lnames, func);
    weld_buf_u32leb(&P->lnames, k);
    for (uint32_t a = 0; a < k; a++) {
        weld_buf_u32leb(&P->lnames, m->vals[order[a]]);
        weld_buf_name(&P->lnames, m->keys[order[a]] + 1, m->klen[order[a]] - 1);
    }
    P->nlnames++;
    free(order);
}

static void parse_locals_and_body(parser *P, const weld_functype *sig)
{
    weld_func_body *fb = PUSH(P, code, weld_func_body);
    vec groups = {0};
    uint32_t nlocals = sig->nparams;
    P->tmp_types.n = 0;
    while (at_lpar_kw(P, "local")) {
        P->i += 2;
        if (cur(P)->kind == TK_ID) {
            const tok *id = cur(P);
            if (!idmap_put(P, &P->ids[SP_LOCAL], id->p, id->len, nlocals))
                fail(P, id, "duplicate local %.*s", (int)id->len, id->p);
            P->i++;
            *PUSH(P, tmp_types, weld_valtype) = parse_valtype(P);
            nlocals++;
        } else {
            weld_valtype v;
            while (try_valtype(P, &v)) {
                *PUSH(P, tmp_types, weld_valtype) = v;
                nlocals++;
            }
        }
        expect_rpar(P);
    }
    /* consecutive locals of one type form one group */
    weld_local_group *gs = NULL;
    uint32_t ng = 0;
    for (size_t k = 0; k < P->tmp_types.n; k++) {
        weld_valtype v = AT(P, tmp_types, weld_valtype, k);
        if (ng && gs[ng - 1].type == v) gs[ng - 1].count++;
        else {
            weld_local_group *g = vec_push(P, &groups, sizeof *g);
            gs = (weld_local_group *)groups.p;
            g->count = 1;
            g->type = v;
            ng++;
        }
    }
    fb->nlocal_groups = ng;
    fb->nlocals = nlocals - sig->nparams;
    fb->locals = to_arena(P, groups.p, ng * sizeof *gs);
    free(groups.p);
    P->body.len = 0;
    P->labels.n = 0;
    PUSH(P, labels, label); /* the function's own label (no name) */
    parse_instrs(P);
    if (cur(P)->kind != TK_RPAR) {
        char b[64];
        const tok *t = cur(P);
        if (tok_is(t, "end") || tok_is(t, "else") || tok_is(t, "catch") || tok_is(t, "catch_all") || tok_is(t, "delegate"))
            fail(P, t, "unexpected %s (no block is open)", tok_desc(t, b, sizeof b));
        fail(P, t, "unexpected %s in a function body (expected an instruction or ')')", tok_desc(t, b, sizeof b));
    }
    fb->code = finish_expr(P);
}

static void field_func(parser *P)
{
    weld_import im = {0};
    if (cur(P)->kind == TK_ID) P->i++; /* bound in pass 1 */
    uint32_t my = P->count[SP_FUNC]++;
    inline_exports(P, WELD_EXTERN_FUNC, my);
    idmap_clear(&P->ids[SP_LOCAL]);
    if (inline_import(P, &im)) {
        im.type.kind = WELD_EXTERN_FUNC;
        im.type.u.func = parse_typeuse(P, true, NULL);
        add_import(P, &im);
        return;
    }
    weld_functype sig;
    uint32_t ti = parse_typeuse(P, true, &sig);
    *PUSH(P, funcs, uint32_t) = ti;
    parse_locals_and_body(P, &sig);
    record_local_names(P, my);
}

static void field_table(parser *P)
{
    if (cur(P)->kind == TK_ID) P->i++;
    uint32_t my = P->count[SP_TABLE]++;
    inline_exports(P, WELD_EXTERN_TABLE, my);
    weld_import im = {0};
    if (inline_import(P, &im)) {
        im.type.kind = WELD_EXTERN_TABLE;
        parse_tabletype(P, &im.type.u.table);
        add_import(P, &im);
        return;
    }
    weld_tabletype tt = {0};
    bool is64 = false;
    size_t save = P->i;
    if (tok_is(cur(P), "i64")) is64 = true, P->i++;
    else if (tok_is(cur(P), "i32")) P->i++;
    weld_valtype rt;
    if (cur(P)->kind != TK_NUM && try_valtype(P, &rt)) {
        /* (table reftype (elem ...)) */
        if (!reftype_ok(rt)) expected(P, "a reference type");
        if (!at_lpar_kw(P, "elem")) expected(P, "'(elem ...)'");
        P->i += 2;
        weld_elem *e = PUSH(P, elems, weld_elem);
        P->count[SP_ELEM]++;
        vec *items = &P->items;
        items->n = 0;
        bool exprs = cur(P)->kind == TK_LPAR;
        uint32_t n = 0;
        if (exprs) {
            weld_expr *ex = NULL;
            while (cur(P)->kind == TK_LPAR) {
                P->body.len = 0;
                P->labels.n = 0;
                if (at_lpar_kw(P, "item")) {
                    P->i += 2;
                    parse_instrs(P);
                    expect_rpar(P);
                } else parse_folded(P);
                ex = vec_push(P, items, sizeof *ex);
                *ex = finish_expr(P);
                n++;
            }
            e->uses_exprs = true;
            e->exprs = to_arena(P, items->p, n * sizeof(weld_expr));
        } else {
            while (at_index(P)) {
                *(uint32_t *)vec_push(P, items, 4) = parse_index(P, SP_FUNC);
                n++;
            }
            e->funcs = to_arena(P, items->p, n * 4u);
        }
        expect_rpar(P);
        e->mode = WELD_SEG_ACTIVE;
        e->table = my;
        e->type = rt;
        e->count = n;
        uint8_t off[3] = {is64 ? 0x42 : 0x41, 0x00, 0x0B};
        e->offset.code = to_arena(P, off, 3);
        e->offset.len = 3;
        e->flags = (rt != WELD_FUNCREF || my != 0) ? 2 : 0;
        if (e->uses_exprs) e->flags |= 4;
        tt.elem = rt;
        tt.limits.flags = WELD_LIMITS_HAS_MAX | (is64 ? WELD_LIMITS_64 : 0);
        tt.limits.min = tt.limits.max = n;
        *PUSH(P, tables, weld_tabletype) = tt;
        return;
    }
    P->i = save;
    parse_tabletype(P, &tt);
    if (cur(P)->kind == TK_LPAR) fail(P, cur(P), "table initializer expressions are not supported");
    *PUSH(P, tables, weld_tabletype) = tt;
}

static void field_memory(parser *P)
{
    if (cur(P)->kind == TK_ID) P->i++;
    uint32_t my = P->count[SP_MEM]++;
    inline_exports(P, WELD_EXTERN_MEMORY, my);
    weld_import im = {0};
    if (inline_import(P, &im)) {
        im.type.kind = WELD_EXTERN_MEMORY;
        parse_memtype(P, &im.type.u.memory);
        add_import(P, &im);
        *PUSH(P, mem64, bool) = (im.type.u.memory.flags & WELD_LIMITS_64) != 0;
        return;
    }
    weld_limits l = {0};
    size_t save = P->i;
    bool is64 = false;
    if (tok_is(cur(P), "i64")) is64 = true, P->i++;
    else if (tok_is(cur(P), "i32")) P->i++;
    if (at_lpar_kw(P, "data")) {
        P->i += 2;
        weld_data *ds = PUSH(P, datas, weld_data);
        P->count[SP_DATA]++;
        ds->bytes = parse_datastrings(P, &ds->len);
        expect_rpar(P);
        ds->mode = WELD_SEG_ACTIVE;
        ds->memory = my;
        ds->flags = my ? 2 : 0;
        uint8_t off[3] = {is64 ? 0x42 : 0x41, 0x00, 0x0B};
        ds->offset.code = to_arena(P, off, 3);
        ds->offset.len = 3;
        uint64_t pages = ((uint64_t)ds->len + 65535) / 65536;
        l.flags = WELD_LIMITS_HAS_MAX | (is64 ? WELD_LIMITS_64 : 0);
        l.min = l.max = pages;
    } else {
        P->i = save;
        parse_memtype(P, &l);
    }
    *PUSH(P, mems, weld_limits) = l;
    *PUSH(P, mem64, bool) = (l.flags & WELD_LIMITS_64) != 0;
}

static void field_global(parser *P)
{
    if (cur(P)->kind == TK_ID) P->i++;
    uint32_t my = P->count[SP_GLOBAL]++;
    inline_exports(P, WELD_EXTERN_GLOBAL, my);
    weld_import im = {0};
    if (inline_import(P, &im)) {
        im.type.kind = WELD_EXTERN_GLOBAL;
        parse_globaltype(P, &im.type.u.global);
        add_import(P, &im);
        return;
    }
    weld_global *g = PUSH(P, globals, weld_global);
    weld_globaltype gt;
    parse_globaltype(P, &gt);
    weld_expr init = parse_const_expr(P);
    g = &AT(P, globals, weld_global, P->globals.n - 1);
    g->type = gt;
    g->init = init;
}

static void field_tag(parser *P)
{
    if (cur(P)->kind == TK_ID) P->i++;
    uint32_t my = P->count[SP_TAG]++;
    inline_exports(P, WELD_EXTERN_TAG, my);
    weld_import im = {0};
    if (inline_import(P, &im)) {
        im.type.kind = WELD_EXTERN_TAG;
        im.type.u.tag = parse_typeuse(P, false, NULL);
        add_import(P, &im);
        return;
    }
    uint32_t ti = parse_typeuse(P, false, NULL);
    *PUSH(P, tags, uint32_t) = ti;
}

static void field_import(parser *P)
{
    weld_import im = {0};
    im.module = parse_name(P);
    im.name = parse_name(P);
    expect_lpar(P, "an import description '(func ...)', '(table ...)', '(memory ...)', '(global ...)' or '(tag ...)'");
    const tok *k = cur(P);
    P->i++;
    if (cur(P)->kind == TK_ID) P->i++;
    idmap_clear(&P->ids[SP_LOCAL]);
    if (tok_is(k, "func")) {
        im.type.kind = WELD_EXTERN_FUNC;
        im.type.u.func = parse_typeuse(P, true, NULL);
        P->count[SP_FUNC]++;
    } else if (tok_is(k, "table")) {
        im.type.kind = WELD_EXTERN_TABLE;
        parse_tabletype(P, &im.type.u.table);
        P->count[SP_TABLE]++;
    } else if (tok_is(k, "memory")) {
        im.type.kind = WELD_EXTERN_MEMORY;
        parse_memtype(P, &im.type.u.memory);
        *PUSH(P, mem64, bool) = (im.type.u.memory.flags & WELD_LIMITS_64) != 0;
        P->count[SP_MEM]++;
    } else if (tok_is(k, "global")) {
        im.type.kind = WELD_EXTERN_GLOBAL;
        parse_globaltype(P, &im.type.u.global);
        P->count[SP_GLOBAL]++;
    } else if (tok_is(k, "tag")) {
        im.type.kind = WELD_EXTERN_TAG;
        im.type.u.tag = parse_typeuse(P, false, NULL);
        P->count[SP_TAG]++;
    } else {
        P->i--;
        expected(P, "func, table, memory, global or tag");
    }
    expect_rpar(P);
    add_import(P, &im);
}

static void field_export(parser *P)
{
    weld_str name = parse_name(P);
    expect_lpar(P, "an export description such as '(func $f)'");
    const tok *k = cur(P);
    P->i++;
    uint8_t kind;
    int sp;
    if (tok_is(k, "func")) kind = WELD_EXTERN_FUNC, sp = SP_FUNC;
    else if (tok_is(k, "table")) kind = WELD_EXTERN_TABLE, sp = SP_TABLE;
    else if (tok_is(k, "memory")) kind = WELD_EXTERN_MEMORY, sp = SP_MEM;
    else if (tok_is(k, "global")) kind = WELD_EXTERN_GLOBAL, sp = SP_GLOBAL;
    else if (tok_is(k, "tag")) kind = WELD_EXTERN_TAG, sp = SP_TAG;
    else {
        P->i--;
        expected(P, "func, table, memory, global or tag");
    }
    add_export(P, name, kind, parse_index(P, sp));
    expect_rpar(P);
}

/* an element item: (item instr*) or one folded instruction; *func set when it is exactly
 * ref.func x */
static weld_expr parse_elem_item(parser *P, bool *is_func, uint32_t *func)
{
    P->body.len = 0;
    P->labels.n = 0;
    if (at_lpar_kw(P, "item")) {
        P->i += 2;
        parse_instrs(P);
        expect_rpar(P);
    } else parse_folded(P);
    weld_expr e = finish_expr(P);
    *is_func = false;
    if (e.len >= 3 && e.code[0] == 0xD2) {
        const uint8_t *q = e.code + 1;
        uint32_t v;
        if (weld_leb_u32(&q, e.code + e.len, &v) && q + 1 == e.code + e.len) {
            *is_func = true;
            *func = v;
        }
    }
    return e;
}

static void field_elem(parser *P)
{
    if (cur(P)->kind == TK_ID) P->i++;
    P->count[SP_ELEM]++;
    weld_elem e = {0};
    e.type = WELD_FUNCREF;
    bool have_table = false;
    if (tok_is(cur(P), "declare")) {
        e.mode = WELD_SEG_DECLARATIVE;
        P->i++;
    } else if (at_lpar_kw(P, "table")) {
        P->i += 2;
        e.table = parse_index(P, SP_TABLE);
        expect_rpar(P);
        have_table = true;
        e.mode = WELD_SEG_ACTIVE;
        e.offset = parse_offset(P);
    } else if (cur(P)->kind == TK_LPAR && !at_lpar_kw(P, "ref")) {
        e.mode = WELD_SEG_ACTIVE;
        e.offset = parse_offset(P);
    } else e.mode = WELD_SEG_PASSIVE;
    vec *funcs = &P->items, *exprs = &P->items2;
    funcs->n = exprs->n = 0;
    uint32_t n = 0;
    bool all_func = true;
    if (tok_is(cur(P), "func")) {
        P->i++;
        while (at_index(P)) {
            *(uint32_t *)vec_push(P, funcs, 4) = parse_index(P, SP_FUNC);
            n++;
        }
    } else if (e.mode == WELD_SEG_ACTIVE && (at_index(P) || cur(P)->kind == TK_RPAR)) {
        while (at_index(P)) {
            *(uint32_t *)vec_push(P, funcs, 4) = parse_index(P, SP_FUNC);
            n++;
        }
    } else {
        e.type = parse_reftype(P);
        while (cur(P)->kind == TK_LPAR) {
            bool isf;
            uint32_t f = 0;
            weld_expr x = parse_elem_item(P, &isf, &f);
            *(weld_expr *)vec_push(P, exprs, sizeof x) = x;
            *(uint32_t *)vec_push(P, funcs, 4) = f;
            if (!isf) all_func = false;
            n++;
        }
        /* the expression form stays one, as wasm-tools encodes it (wat2wasm turns a list of
         * ref.func into function indices) */
        (void)all_func;
        e.uses_exprs = true;
    }
    e.count = n;
    if (e.uses_exprs) e.exprs = to_arena(P, exprs->p, n * sizeof(weld_expr));
    else e.funcs = to_arena(P, funcs->p, n * 4u);
    switch (e.mode) {
    case WELD_SEG_ACTIVE:
        /* an explicit (table x) keeps the form with a table index, as wasm-tools encodes it */
        e.flags = (have_table || e.type != WELD_FUNCREF || e.table != 0) ? 2 : 0;
        break;
    case WELD_SEG_PASSIVE: e.flags = 1; break;
    default: e.flags = 3; break;
    }
    if (e.uses_exprs) e.flags |= 4;
    *PUSH(P, elems, weld_elem) = e;
}

static void field_data(parser *P)
{
    if (cur(P)->kind == TK_ID) P->i++;
    P->count[SP_DATA]++;
    weld_data ds = {0};
    if (at_lpar_kw(P, "memory")) {
        P->i += 2;
        ds.memory = parse_index(P, SP_MEM);
        expect_rpar(P);
        ds.mode = WELD_SEG_ACTIVE;
        ds.offset = parse_offset(P);
    } else if (cur(P)->kind == TK_LPAR) {
        ds.mode = WELD_SEG_ACTIVE;
        ds.offset = parse_offset(P);
    } else ds.mode = WELD_SEG_PASSIVE;
    ds.bytes = parse_datastrings(P, &ds.len);
    ds.flags = ds.mode == WELD_SEG_PASSIVE ? 1 : ds.memory ? 2 : 0;
    *PUSH(P, datas, weld_data) = ds;
}

/* Where a section goes, as a sort key: 2 * its place in the canonical order; a custom
 * section (before X) is one less, (after X) one more; (before first) 0, (after last) 100. */
static const uint8_t canonical_order[] = {1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11};
static const char *const section_names[] = {"type", "import", "func", "table", "memory", "tag",
                                            "global", "export", "start", "elem", "datacount",
                                            "code", "data"};

static void field_custom(parser *P)
{
    weld_custom *c = PUSH(P, customs, weld_custom);
    c->name = parse_name(P);
    uint32_t key = 100;
    if (cur(P)->kind == TK_LPAR) {
        P->i++;
        bool before = tok_is(cur(P), "before");
        if (!before && !tok_is(cur(P), "after")) expected(P, "'before' or 'after'");
        P->i++;
        const tok *w = cur(P);
        if (tok_is(w, "first")) key = before ? 0 : 1;
        else if (tok_is(w, "last")) key = before ? 99 : 100;
        else {
            size_t k = 0;
            for (; k < sizeof section_names / sizeof section_names[0]; k++)
                if (tok_is(w, section_names[k])) break;
            if (k == sizeof section_names / sizeof section_names[0])
                expected(P, "first, last or a section name (type, import, func, table, memory, "
                            "tag, global, export, start, elem, datacount, code, data)");
            key = (uint32_t)(2 * (k + 1) + (before ? -1 : 1));
        }
        P->i++;
        expect_rpar(P);
    }
    c = &AT(P, customs, weld_custom, P->customs.n - 1);
    c->data = parse_datastrings(P, &c->len);
    *PUSH(P, custom_keys, uint32_t) = key;
}

/* ---- pass 1 ------------------------------------------------------------------------- */

static int field_space(const tok *k)
{
    if (tok_is(k, "func")) return SP_FUNC;
    if (tok_is(k, "table")) return SP_TABLE;
    if (tok_is(k, "memory")) return SP_MEM;
    if (tok_is(k, "global")) return SP_GLOBAL;
    if (tok_is(k, "tag")) return SP_TAG;
    return -1;
}

/* After `(kind $id?`: skip inline exports; is an inline import next? */
static bool skip_to_import(parser *P)
{
    while (at_lpar_kw(P, "export")) skip_group(P);
    return at_lpar_kw(P, "import");
}

static void pass1(parser *P, size_t first)
{
    P->i = first;
    bool seen_def = false;
    const char *def_kind = NULL;
    while (cur(P)->kind == TK_LPAR) {
        size_t start = P->i;
        const tok *k = peekk(P, 1);
        P->i += 2;
        int sp = field_space(k);
        if (tok_is(k, "type")) {
            uint32_t idx = (uint32_t)P->types.n;
            bind_id(P, SP_TYPE, idx);
            expect_lpar(P, "'(func ...)'");
            expect_kw(P, "func");
            if (cur(P)->kind == TK_ID) P->i++;
            weld_functype ft;
            idmap_clear(&P->ids[SP_LOCAL]);
            parse_params_results(P, &ft, true, true);
            expect_rpar(P);
            expect_rpar(P);
            *PUSH(P, types, weld_functype) = ft;
            P->i = start;
            skip_group(P);
            continue;
        }
        if (tok_is(k, "import")) {
            if (seen_def)
                fail(P, k, "import after %s (imports must come before definitions)", def_kind);
            P->i += 2; /* the names */
            if (cur(P)->kind != TK_LPAR || (sp = field_space(peekk(P, 1))) < 0) {
                P->i = start;
                skip_group(P);
                continue;
            }
            P->i += 2;
            bind_id(P, sp, P->count[sp]);
            if (sp == SP_MEM) {
                bool *n = realloc(P->is64, (P->count[SP_MEM] + 1) * sizeof *n);
                if (!n) oom(P);
                P->is64 = n;
                n[P->count[SP_MEM]] = tok_is(cur(P), "i64");
            }
            P->count[sp]++;
        } else if (sp >= 0) {
            bind_id(P, sp, P->count[sp]);
            bool imp = skip_to_import(P);
            if (imp && seen_def)
                fail(P, peekk(P, 1), "import after %s (imports must come before definitions)", def_kind);
            if (!imp && !seen_def) {
                seen_def = true;
                def_kind = sp == SP_FUNC ? "function" : sp == SP_TABLE ? "table" : sp == SP_MEM ? "memory"
                         : sp == SP_GLOBAL ? "global" : "tag";
            }
            if (imp) skip_group(P);
            if (sp == SP_MEM) {
                bool *n = realloc(P->is64, (P->count[SP_MEM] + 1) * sizeof *n);
                if (!n) oom(P);
                P->is64 = n;
                n[P->count[SP_MEM]] = tok_is(cur(P), "i64");
            }
            if (sp == SP_TABLE && !imp) {
                /* (table i64? reftype (elem ...)) defines an element segment too */
                size_t s2 = P->i;
                if (tok_is(cur(P), "i64") || tok_is(cur(P), "i32")) P->i++;
                weld_valtype v;
                if (cur(P)->kind != TK_NUM && try_valtype(P, &v) && at_lpar_kw(P, "elem"))
                    P->count[SP_ELEM]++;
                P->i = s2;
            }
            if (sp == SP_MEM && !imp) {
                size_t s2 = P->i;
                if (tok_is(cur(P), "i64") || tok_is(cur(P), "i32")) P->i++;
                if (at_lpar_kw(P, "data")) P->count[SP_DATA]++;
                P->i = s2;
            }
            P->count[sp]++;
        } else if (tok_is(k, "elem")) {
            bind_id(P, SP_ELEM, P->count[SP_ELEM]);
            P->count[SP_ELEM]++;
        } else if (tok_is(k, "data")) {
            bind_id(P, SP_DATA, P->count[SP_DATA]);
            P->count[SP_DATA]++;
        } else if (k->kind == TK_RESERVED && k->p[0] == '@') {
            /* an annotation: (@custom ...) is read in pass 2, others are ignored */
        } else if (!tok_is(k, "export") && !tok_is(k, "start")) {
            char b[64];
            if (k->kind == TK_KEYWORD && (tok_is(k, "rec") || tok_is(k, "module")))
                fail(P, k, "unsupported module field %s", tok_desc(k, b, sizeof b));
            fail(P, k, "unknown module field %s (expected type, import, func, table, memory, "
                       "global, tag, export, start, elem or data)", tok_desc(k, b, sizeof b));
        }
        P->i = start;
        skip_group(P);
    }
    P->nexplicit_types = (uint32_t)P->types.n;
    P->nmems = P->count[SP_MEM];
}

static void pass2(parser *P, size_t first)
{
    P->i = first;
    memset(P->count, 0, sizeof P->count);
    while (cur(P)->kind == TK_LPAR) {
        const tok *k = peekk(P, 1);
        P->i += 2;
        if (tok_is(k, "type")) {
            P->i -= 2;
            skip_group(P);
            P->i--; /* the ')' checked below */
        } else if (tok_is(k, "func")) field_func(P);
        else if (tok_is(k, "table")) field_table(P);
        else if (tok_is(k, "memory")) field_memory(P);
        else if (tok_is(k, "global")) field_global(P);
        else if (tok_is(k, "tag")) field_tag(P);
        else if (tok_is(k, "import")) field_import(P);
        else if (tok_is(k, "export")) field_export(P);
        else if (tok_is(k, "start")) {
            if (P->has_start) fail(P, k, "multiple start sections");
            P->start = parse_index(P, SP_FUNC);
            P->has_start = true;
        } else if (tok_is(k, "elem")) field_elem(P);
        else if (tok_is(k, "data")) field_data(P);
        else if (k->kind == TK_RESERVED && k->len == 7 && !memcmp(k->p, "@custom", 7)) field_custom(P);
        else if (k->kind == TK_RESERVED && k->p[0] == '@') {
            P->i -= 2;
            skip_group(P);
            P->i--;
        }
        if (cur(P)->kind != TK_RPAR) {
            char b[64];
            fail(P, cur(P), "unexpected %s in the %.*s field (expected ')')", tok_desc(cur(P), b, sizeof b),
                 (int)k->len, k->p);
        }
        P->i++;
    }
}

static void build(parser *P, weld_module *m)
{
    m->arena = P->arena;
    m->ntypes = (uint32_t)P->types.n;
    m->types = to_arena(P, P->types.p, P->types.n * sizeof(weld_functype));
    m->nimports = (uint32_t)P->imports.n;
    m->imports = to_arena(P, P->imports.p, P->imports.n * sizeof(weld_import));
    for (uint32_t k = 0; k < m->nimports; k++) {
        switch (m->imports[k].type.kind) {
        case WELD_EXTERN_FUNC: m->nimported_funcs++; break;
        case WELD_EXTERN_TABLE: m->nimported_tables++; break;
        case WELD_EXTERN_MEMORY: m->nimported_memories++; break;
        case WELD_EXTERN_GLOBAL: m->nimported_globals++; break;
        case WELD_EXTERN_TAG: m->nimported_tags++; break;
        }
    }
    m->nfuncs = (uint32_t)P->funcs.n;
    m->func_types = to_arena(P, P->funcs.p, P->funcs.n * 4);
    m->ntables = (uint32_t)P->tables.n;
    m->tables = to_arena(P, P->tables.p, P->tables.n * sizeof(weld_tabletype));
    m->nmemories = (uint32_t)P->mems.n;
    m->memories = to_arena(P, P->mems.p, P->mems.n * sizeof(weld_limits));
    m->mem64 = to_arena(P, P->mem64.p, P->mem64.n * sizeof(bool));
    m->ntags = (uint32_t)P->tags.n;
    m->tags = to_arena(P, P->tags.p, P->tags.n * 4);
    m->nglobals = (uint32_t)P->globals.n;
    m->globals = to_arena(P, P->globals.p, P->globals.n * sizeof(weld_global));
    m->nexports = (uint32_t)P->exports.n;
    m->exports = to_arena(P, P->exports.p, P->exports.n * sizeof(weld_export));
    m->has_start = P->has_start;
    m->start = P->start;
    m->nelems = (uint32_t)P->elems.n;
    m->elems = to_arena(P, P->elems.p, P->elems.n * sizeof(weld_elem));
    m->ncode = (uint32_t)P->code.n;
    m->code = to_arena(P, P->code.p, P->code.n * sizeof(weld_func_body));
    m->ndatas = (uint32_t)P->datas.n;
    m->datas = to_arena(P, P->datas.p, P->datas.n * sizeof(weld_data));
    m->has_datacount = P->uses_data;
    m->datacount = m->ndatas;
    if (P->want_names && (P->module_id || P->fnames.n || P->nlnames)) {
        weld_buf b;
        weld_buf_init(&b);
        if (P->module_id) {
            weld_buf_byte(&b, 0);
            size_t at = weld_buf_size_begin(&b);
            weld_buf_name(&b, P->module_id->p + 1, P->module_id->len - 1);
            weld_buf_size_end(&b, at);
        }
        if (P->fnames.n) {
            weld_buf_byte(&b, 1);
            size_t at = weld_buf_size_begin(&b);
            weld_buf_u32leb(&b, (uint32_t)P->fnames.n);
            for (size_t k = 0; k < P->fnames.n; k++) {
                const fname *f = &AT(P, fnames, fname, k);
                weld_buf_u32leb(&b, f->index);
                weld_buf_name(&b, f->p, f->len);
            }
            weld_buf_size_end(&b, at);
        }
        if (P->nlnames) {
            weld_buf_byte(&b, 2);
            size_t at = weld_buf_size_begin(&b);
            weld_buf_u32leb(&b, P->nlnames);
            weld_buf_append(&b, P->lnames.data, P->lnames.len);
            weld_buf_size_end(&b, at);
        }
        weld_custom *c = PUSH(P, customs, weld_custom);
        *PUSH(P, custom_keys, uint32_t) = 100;
        c->name.ptr = "name";
        c->name.len = 4;
        c->len = (uint32_t)b.len;
        c->data = b.oom ? NULL : to_arena(P, b.data, b.len);
        bool bad = b.oom || P->lnames.oom;
        weld_buf_free(&b);
        if (bad) oom(P);
    }
    m->ncustoms = (uint32_t)P->customs.n;
    m->customs = to_arena(P, P->customs.p, P->customs.n * sizeof(weld_custom));
    if (!m->ncustoms) return;
    /* the sections in canonical order, with the custom sections where they asked to go */
    weld_section_ref *refs = weld_arena_alloc(P->arena, (sizeof canonical_order + m->ncustoms) * sizeof *refs);
    uint32_t *keys = malloc((sizeof canonical_order + m->ncustoms) * sizeof *keys);
    if (!refs || !keys) {
        free(keys);
        oom(P);
    }
    uint32_t n = 0;
    for (size_t k = 0; k < sizeof canonical_order; k++) {
        uint8_t id = canonical_order[k];
        bool present = false;
        switch (id) {
        case WELD_SEC_TYPE: present = m->ntypes; break;
        case WELD_SEC_IMPORT: present = m->nimports; break;
        case WELD_SEC_FUNCTION: present = m->nfuncs; break;
        case WELD_SEC_TABLE: present = m->ntables; break;
        case WELD_SEC_MEMORY: present = m->nmemories; break;
        case WELD_SEC_TAG: present = m->ntags; break;
        case WELD_SEC_GLOBAL: present = m->nglobals; break;
        case WELD_SEC_EXPORT: present = m->nexports; break;
        case WELD_SEC_START: present = m->has_start; break;
        case WELD_SEC_ELEMENT: present = m->nelems; break;
        case WELD_SEC_DATACOUNT: present = m->has_datacount; break;
        case WELD_SEC_CODE: present = m->ncode; break;
        case WELD_SEC_DATA: present = m->ndatas; break;
        }
        if (!present) continue;
        refs[n] = (weld_section_ref){id, 0, 0, 0};
        keys[n++] = (uint32_t)(2 * (k + 1));
    }
    for (uint32_t c = 0; c < m->ncustoms; c++) {
        /* insertion after every entry whose key is not greater (stable) */
        uint32_t key = AT(P, custom_keys, uint32_t, c), at = n;
        while (at > 0 && keys[at - 1] > key) {
            refs[at] = refs[at - 1];
            keys[at] = keys[at - 1];
            at--;
        }
        refs[at] = (weld_section_ref){WELD_SEC_CUSTOM, c, 0, 0};
        keys[at] = key;
        n++;
    }
    free(keys);
    m->nsections = n;
    m->sections = refs;
}

static void parser_free(parser *P)
{
    vec *vs[] = {&P->types, &P->imports, &P->funcs, &P->tables, &P->mems, &P->mem64, &P->tags,
                 &P->globals, &P->exports, &P->elems, &P->datas, &P->code, &P->labels, &P->tmp_types,
                 &P->customs, &P->custom_keys, &P->items, &P->items2, &P->fnames};
    for (size_t k = 0; k < sizeof vs / sizeof vs[0]; k++) free(vs[k]->p);
    for (int k = 0; k < SP_COUNT; k++) idmap_free(&P->ids[k]);
    weld_buf_free(&P->body);
    weld_buf_free(&P->scratch);
    weld_buf_free(&P->catches);
    weld_buf_free(&P->lnames);
    free(P->is64);
    free(P->table64);
    text_op_index_free(&P->ops);
}

static void parse_all(parser *P, bool wrapped, size_t *pos, weld_module **out)
{
    if (!text_op_index_init(&P->ops)) oom(P);
    if (wrapped || at_lpar_kw(P, "module")) {
        if (!at_lpar_kw(P, "module")) expected(P, "'(module'");
        P->i += 2;
        if (cur(P)->kind == TK_ID) P->module_id = cur(P), P->i++;
        wrapped = true;
    }
    size_t first = P->i;
    pass1(P, first);
    if (wrapped) {
        if (cur(P)->kind != TK_RPAR) expected(P, "a module field '(...)' or ')'");
    } else if (cur(P)->kind != TK_EOF) expected(P, "a module field '(...)'");
    pass2(P, first);
    size_t end = P->i;
    if (wrapped) end++;
    else if (cur(P)->kind != TK_EOF) expected(P, "the end of the input");
    weld_module *m = weld_arena_alloc(P->arena, sizeof *m);
    if (!m) oom(P);
    memset(m, 0, sizeof *m);
    build(P, m);
    *out = m;
    *pos = end;
}

weld_status text_parse_module(weld_arena *arena, const tok *toks, size_t ntoks, size_t *pos,
                              bool wrapped, bool names, weld_module **out, weld_diag *d)
{
    parser *P = calloc(1, sizeof *P);
    if (!P) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    P->t = toks;
    P->n = ntoks;
    P->i = *pos;
    P->arena = arena;
    P->d = d;
    P->want_names = names;
    weld_buf_init(&P->body);
    weld_buf_init(&P->scratch);
    weld_buf_init(&P->catches);
    weld_buf_init(&P->lnames);
    weld_status st = WELD_OK;
    if (setjmp(P->jb)) {
        st = d && d->status != WELD_OK ? d->status : WELD_ERR_SYNTAX;
    } else {
        parse_all(P, wrapped, pos, out);
    }
    parser_free(P);
    free(P);
    return st;
}

weld_status weld_parse_wat(weld_arena *arena, const char *text, size_t len, weld_module **out,
                           weld_diag *d)
{
    return weld_parse_wat_opts(arena, text, len, NULL, out, d);
}

weld_status weld_parse_wat_opts(weld_arena *arena, const char *text, size_t len,
                                const weld_wat_opts *opts, weld_module **out, weld_diag *d)
{
    lexer lx;
    weld_status st = text_lex(&lx, text, len, 1, 1, d);
    if (st == WELD_OK) {
        size_t pos = 0;
        st = text_parse_module(arena, lx.toks, lx.ntoks, &pos, false, opts && opts->names, out, d);
        if (st == WELD_OK && lx.toks[pos].kind != TK_EOF)
            st = text_err(d, &lx.toks[pos], "unexpected text after the module (expected the end of the input)");
    }
    text_lex_free(&lx);
    return st;
}
