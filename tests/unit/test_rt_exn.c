/* test_rt_exn.c - exception handling in the interpreter, the Wasm 3.0 form (try_table with
 * catch, catch_ref, catch_all, catch_all_ref; throw, throw_ref, exnref), which wabt cannot
 * assemble: the modules are built here with a small byte emitter. Covered: each catch
 * kind and the payload it delivers, throw_ref of an exnref kept in a local, nested
 * try_table, a catch branching to the function's label, unwinding across calls and across
 * two instances sharing an imported tag, tags compared by identity, an uncaught exception
 * reaching the embedder (status, tag, payload, message), traps never caught, host
 * functions throwing, exceptions crossing a host frame, and fuel metering. (The legacy try/catch form runs
 * in the spec suite, tests/spec/spec.sh.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>
#include "weld/runtime.h"

/* ---- the byte emitter --------------------------------------------------------------- */

typedef struct bb {
    uint8_t *p;
    size_t n, cap;
} bb;

static void b_byte(bb *b, uint8_t x)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    b->p[b->n++] = x;
}

static void b_bytes(bb *b, const uint8_t *x, size_t n)
{
    for (size_t i = 0; i < n; i++) b_byte(b, x[i]);
}

static void b_u32(bb *b, uint32_t v)
{
    do {
        uint8_t x = v & 0x7f;
        v >>= 7;
        b_byte(b, (uint8_t)(x | (v ? 0x80 : 0)));
    } while (v);
}

static void b_str(bb *b, const char *s)
{
    b_u32(b, (uint32_t)strlen(s));
    b_bytes(b, (const uint8_t *)s, strlen(s));
}

/* A module under construction: one buffer per section, with its item count. */
enum { S_TYPE, S_IMPORT, S_FUNC, S_TAG, S_GLOBAL, S_EXPORT, S_CODE, S_COUNT };
static const uint8_t section_id[S_COUNT] = {1, 2, 3, 13, 6, 7, 10};

typedef struct mb {
    bb sec[S_COUNT];
    uint32_t count[S_COUNT];
    uint32_t nfuncs, ntags; /* index spaces, imports first */
} mb;

static uint8_t vt(char c)
{
    switch (c) {
    case 'i': return 0x7f;
    case 'l': return 0x7e;
    case 'f': return 0x7d;
    case 'd': return 0x7c;
    case 'x': return 0x69; /* exnref */
    default: fail(); return 0;
    }
}

/* A function type "params:results" (letters i l f d x); its index. */
static uint32_t mb_type(mb *m, const char *sig)
{
    bb *b = &m->sec[S_TYPE];
    const char *colon = strchr(sig, ':');
    b_byte(b, 0x60);
    b_u32(b, (uint32_t)(colon - sig));
    for (const char *p = sig; p < colon; p++) b_byte(b, vt(*p));
    b_u32(b, (uint32_t)strlen(colon + 1));
    for (const char *p = colon + 1; *p; p++) b_byte(b, vt(*p));
    return m->count[S_TYPE]++;
}

static uint32_t mb_import(mb *m, const char *mod, const char *name, uint8_t kind, uint32_t type)
{
    bb *b = &m->sec[S_IMPORT];
    b_str(b, mod);
    b_str(b, name);
    b_byte(b, kind);
    if (kind == 4) b_byte(b, 0x00); /* tag attribute: exception */
    b_u32(b, type);
    m->count[S_IMPORT]++;
    return kind == 0 ? m->nfuncs++ : m->ntags++;
}

static uint32_t mb_tag(mb *m, uint32_t type)
{
    b_byte(&m->sec[S_TAG], 0x00);
    b_u32(&m->sec[S_TAG], type);
    m->count[S_TAG]++;
    return m->ntags++;
}

/* A function of type `type` with `nx` exnref locals and i32 locals `ni`; body ends with end. */
static uint32_t mb_func(mb *m, uint32_t type, uint32_t ni, uint32_t nx, const uint8_t *body, size_t n)
{
    b_u32(&m->sec[S_FUNC], type);
    m->count[S_FUNC]++;
    bb f = {0};
    b_u32(&f, (ni > 0) + (nx > 0));
    if (ni) b_u32(&f, ni), b_byte(&f, 0x7f);
    if (nx) b_u32(&f, nx), b_byte(&f, 0x69);
    b_bytes(&f, body, n);
    b_u32(&m->sec[S_CODE], (uint32_t)f.n);
    b_bytes(&m->sec[S_CODE], f.p, f.n);
    free(f.p);
    m->count[S_CODE]++;
    return m->nfuncs++;
}

/* A mutable exnref global, initially null; its index (no global imports here). */
static uint32_t mb_global_exnref(mb *m)
{
    static const uint8_t g[] = {0x69, 0x01, 0xd0, 0x69, 0x0b};
    b_bytes(&m->sec[S_GLOBAL], g, sizeof g);
    return m->count[S_GLOBAL]++;
}

static void mb_export(mb *m, const char *name, uint8_t kind, uint32_t index)
{
    b_str(&m->sec[S_EXPORT], name);
    b_byte(&m->sec[S_EXPORT], kind);
    b_u32(&m->sec[S_EXPORT], index);
    m->count[S_EXPORT]++;
}

/* The module's bytes (malloc'd); frees the sections. */
static uint8_t *mb_finish(mb *m, size_t *len)
{
    static const uint8_t header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    bb out = {0};
    b_bytes(&out, header, 8);
    for (int s = 0; s < S_COUNT; s++) {
        if (!m->count[s]) continue;
        bb c = {0};
        b_u32(&c, m->count[s]);
        b_bytes(&c, m->sec[s].p, m->sec[s].n);
        b_byte(&out, section_id[s]);
        b_u32(&out, (uint32_t)c.n);
        b_bytes(&out, c.p, c.n);
        free(c.p);
        free(m->sec[s].p);
    }
    *len = out.n;
    return out.p;
}

/* Opcodes and immediates of the bodies below (constants stay under 64: one LEB byte). */
#define UNREACHABLE 0x00
#define BLOCK(bt) 0x02, (bt)
#define IF(bt) 0x04, (bt)
#define THROW(t) 0x08, (t)
#define THROW_REF 0x0a
#define END 0x0b
#define BR(l) 0x0c, (l)
#define RETURN 0x0f
#define CALL(f) 0x10, (f)
#define DROP 0x1a
#define TRY_TABLE(bt, n) 0x1f, (bt), (n)
#define CATCH(t, l) 0x00, (t), (l)
#define CATCH_REF(t, l) 0x01, (t), (l)
#define CATCH_ALL(l) 0x02, (l)
#define CATCH_ALL_REF(l) 0x03, (l)
#define LOCAL_GET(x) 0x20, (x)
#define LOCAL_SET(x) 0x21, (x)
#define GLOBAL_GET(x) 0x23, (x)
#define GLOBAL_SET(x) 0x24, (x)
#define I32(v) 0x41, (v)
#define I32_ADD 0x6a
#define I32_DIV_S 0x6d
#define REF_NULL_EXN 0xd0, 0x69
#define REF_IS_NULL 0xd1
#define EMPTY 0x40
#define RI32 0x7f
#define REXN 0x69

#define BODY(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* ---- fixture ------------------------------------------------------------------------ */

typedef struct fx {
    weld_rt_engine *e;
    weld_rt_instance *a, *b, *c; /* a: the main module; b, c: importers of a's tag */
    weld_rt_tag *host_tag;       /* made by the host, imported by a */
    weld_rt_func *thrower;       /* a's "thrower" (for the host functions) */
    int host_calls;
} fx;

static weld_rt_instance *load(fx *f, mb *m, const weld_rt_extern *imps, uint32_t n)
{
    size_t len = 0;
    uint8_t *bytes = mb_finish(m, &len);
    weld_diag d;
    weld_diag_init(&d, "test");
    weld_rt_module *mod = NULL;
    weld_status st = weld_rt_module_load(f->e, bytes, len, &mod, &d);
    free(bytes);
    if (st) fail_msg("load: %s", d.message);
    weld_rt_instance *in = NULL;
    st = weld_rt_instantiate(f->e, mod, imps, n, &in, &d);
    if (st) fail_msg("instantiate: %s", d.message);
    return in;
}

static weld_rt_extern get(weld_rt_instance *in, const char *name)
{
    weld_rt_extern x;
    memset(&x, 0, sizeof x);
    if (!weld_rt_instance_export(in, name, &x)) fail_msg("no export %s", name);
    return x;
}

/* host "throw_host" (param i32): throws the host's tag with its argument + 1 */
static weld_status host_throw(void *ctx, weld_rt_host_call *call, const uint64_t *a, uint64_t *r)
{
    fx *f = ctx;
    (void)r;
    f->host_calls++;
    weld_rt_val v = {.type = WELD_I32, .u.i32 = (int32_t)a[0] + 1};
    return weld_rt_throw(call, f->host_tag, &v, 1);
}

/* host "reenter" (param i32 mode) (result i32): calls a's thrower(5); mode 0 passes the
 * exception on, 1 swallows it and returns 42, 2 turns it into a trap */
static weld_status host_reenter(void *ctx, weld_rt_host_call *call, const uint64_t *a, uint64_t *r)
{
    fx *f = ctx;
    f->host_calls++;
    weld_rt_val arg = {.type = WELD_I32, .u.i32 = 5};
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_status st = weld_rt_call(f->e, f->thrower, &arg, 1, NULL, 0, &d);
    assert_int_equal(st, WELD_ERR_EXCEPTION);
    assert_non_null(weld_rt_exception_tag(f->e));
    switch ((uint32_t)a[0]) {
    case 0: return st;
    case 1: r[0] = 42; return WELD_OK;
    default: weld_rt_trap(call, "the host stopped the exception"); return WELD_ERR_TRAP;
    }
}

static fx *setup_with(const weld_rt_limits *lim)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->e = weld_rt_engine_new(lim);
    assert_non_null(f->e);
    static const weld_valtype i[1] = {WELD_I32};
    weld_functype ti = {1, 0, i, NULL}, tii = {1, 1, i, i};
    f->host_tag = weld_rt_tag_new(f->e, &ti);
    assert_non_null(f->host_tag);
    weld_rt_func *hthrow = weld_rt_func_new_host(f->e, &ti, host_throw, f);
    weld_rt_func *hreenter = weld_rt_func_new_host(f->e, &tii, host_reenter, f);

    /* module a */
    mb m = {0};
    uint32_t t_v = mb_type(&m, ":"), t_i = mb_type(&m, "i:"), t_ii = mb_type(&m, "i:i");
    uint32_t t_ix = mb_type(&m, ":ix"), t_r = mb_type(&m, ":i");
    (void)t_v;
    uint32_t f_hthrow = mb_import(&m, "host", "throw_host", 0, t_i);
    uint32_t f_hreenter = mb_import(&m, "host", "reenter", 0, t_ii);
    uint32_t g_host = mb_import(&m, "host", "tag", 4, t_i);
    uint32_t e = mb_tag(&m, t_i), e2 = mb_tag(&m, t_i);
    mb_export(&m, "e", 4, e);
    /* thrower (param i32): throw $e */
    uint32_t f_thrower = mb_func(&m, t_i, 0, 0, BODY(LOCAL_GET(0), THROW(e), END));
    mb_export(&m, "thrower", 0, f_thrower);
    /* catch (param i32) (result i32): the payload of $e thrown with x, plus 1 */
    mb_export(&m, "catch", 0, mb_func(&m, t_ii, 0, 0, BODY(
        BLOCK(RI32), TRY_TABLE(RI32, 1), CATCH(e, 0), LOCAL_GET(0), THROW(e), END, END,
        I32(1), I32_ADD, END)));
    /* catch_ref: catch_ref into a block of [i32 exnref], the exnref kept in a local, the
     * payload dropped, the exnref rethrown with throw_ref and caught by an outer catch:
     * its payload plus 10 */
    mb_export(&m, "catch_ref", 0, mb_func(&m, t_ii, 0, 1, BODY(
        BLOCK(RI32), TRY_TABLE(RI32, 1), CATCH(e, 0),
            BLOCK(t_ix), TRY_TABLE(EMPTY, 1), CATCH_REF(e, 0), LOCAL_GET(0), THROW(e), END,
                UNREACHABLE, END,
            LOCAL_SET(1), DROP, LOCAL_GET(1), THROW_REF,
        END, END, I32(10), I32_ADD, END)));
    /* catch_all (param i32) (result i32): 7 when caught */
    mb_export(&m, "catch_all", 0, mb_func(&m, t_ii, 0, 0, BODY(
        BLOCK(EMPTY), TRY_TABLE(EMPTY, 1), CATCH_ALL(0), LOCAL_GET(0), THROW(e), END,
        I32(0), RETURN, END, I32(7), END)));
    /* catch_all_ref: the exnref of catch_all_ref, checked non-null, rethrown with throw_ref
     * and caught by catch $e: the payload */
    mb_export(&m, "catch_all_ref", 0, mb_func(&m, t_ii, 0, 1, BODY(
        BLOCK(REXN), TRY_TABLE(EMPTY, 1), CATCH_ALL_REF(0), LOCAL_GET(0), THROW(e), END,
            REF_NULL_EXN, END,
        LOCAL_SET(1), LOCAL_GET(1), REF_IS_NULL, IF(EMPTY), I32(60), RETURN, END,
        BLOCK(RI32), TRY_TABLE(EMPTY, 1), CATCH(e, 0), LOCAL_GET(1), THROW_REF, END,
            UNREACHABLE, END, END)));
    /* nested (param i32 sel) (result i32): inner try_table catches $e2 only, outer $e;
     * sel != 0 throws $e 11 (outer: 11), else $e2 22 (inner: 22 + 33) */
    mb_export(&m, "nested", 0, mb_func(&m, t_ii, 0, 0, BODY(
        BLOCK(RI32), TRY_TABLE(RI32, 1), CATCH(e, 0),
            BLOCK(RI32), TRY_TABLE(RI32, 1), CATCH(e2, 0),
                LOCAL_GET(0), IF(EMPTY), I32(11), THROW(e), END, I32(22), THROW(e2),
            END, END,
            I32(33), I32_ADD,
        END, END, END)));
    /* mid (param i32): calls thrower inside a try_table that catches only $e2 */
    uint32_t f_mid = mb_func(&m, t_i, 0, 0, BODY(
        BLOCK(RI32), TRY_TABLE(EMPTY, 1), CATCH(e2, 0), LOCAL_GET(0), CALL(f_thrower), END,
        RETURN, END, DROP, END));
    /* across (param i32) (result i32): $e thrown two calls down, through mid's handler */
    mb_export(&m, "across", 0, mb_func(&m, t_ii, 0, 0, BODY(
        BLOCK(RI32), TRY_TABLE(EMPTY, 1), CATCH(e, 0), LOCAL_GET(0), CALL(f_mid), END,
        I32(0), RETURN, END, END)));
    /* catch_return (param i32) (result i32): the catch branches to the function's label */
    mb_export(&m, "catch_return", 0, mb_func(&m, t_ii, 0, 0, BODY(
        TRY_TABLE(EMPTY, 1), CATCH(e, 0), LOCAL_GET(0), CALL(f_thrower), END, I32(63), END)));
    /* trap_inside (param i32 sel) (result i32): unreachable, or 1/0 in a callee, under
     * catch_all: traps are not caught */
    uint32_t f_div = mb_func(&m, t_ii, 0, 0, BODY(I32(1), LOCAL_GET(0), I32_DIV_S, END));
    mb_export(&m, "trap_inside", 0, mb_func(&m, t_ii, 0, 0, BODY(
        BLOCK(EMPTY), TRY_TABLE(EMPTY, 1), CATCH_ALL(0),
            LOCAL_GET(0), IF(EMPTY), UNREACHABLE, END, I32(0), CALL(f_div), DROP,
        END, END, I32(9), END)));
    /* throw_ref_null (result i32): throw_ref of a null exnref traps */
    mb_export(&m, "throw_ref_null", 0, mb_func(&m, t_r, 0, 0, BODY(
        BLOCK(EMPTY), TRY_TABLE(EMPTY, 1), CATCH_ALL(0), REF_NULL_EXN, THROW_REF, END, END,
        I32(1), END)));
    /* from_host (param i32) (result i32): the host throws its tag with x + 1: caught */
    mb_export(&m, "from_host", 0, mb_func(&m, t_ii, 0, 0, BODY(
        BLOCK(RI32), TRY_TABLE(EMPTY, 1), CATCH(g_host, 0), LOCAL_GET(0), CALL(f_hthrow), END,
        I32(0), RETURN, END, END)));
    /* through_host (param i32 mode) (result i32): the host calls thrower(5); an exception
     * it passes on is caught here by catch $e (5 + 20); catch_all gives 50 */
    mb_export(&m, "through_host", 0, mb_func(&m, t_ii, 0, 0, BODY(
        BLOCK(EMPTY), BLOCK(RI32), TRY_TABLE(RI32, 2), CATCH(e, 0), CATCH_ALL(1),
            LOCAL_GET(0), CALL(f_hreenter), END, RETURN, END,
        I32(20), I32_ADD, RETURN, END, I32(50), END)));
    /* global_exn (param i32) (result i32): catch_all_ref stores the exnref in a global; a
     * second function call later rethrows it from there: the payload */
    uint32_t g = mb_global_exnref(&m);
    mb_export(&m, "store_exn", 0, mb_func(&m, t_i, 0, 0, BODY(
        BLOCK(REXN), TRY_TABLE(EMPTY, 1), CATCH_ALL_REF(0), LOCAL_GET(0), THROW(e), END,
            REF_NULL_EXN, END,
        GLOBAL_SET(g), END)));
    mb_export(&m, "rethrow_stored", 0, mb_func(&m, t_r, 0, 0, BODY(
        BLOCK(RI32), TRY_TABLE(EMPTY, 1), CATCH(e, 0), GLOBAL_GET(g), THROW_REF, END,
            UNREACHABLE, END, END)));
    mb_export(&m, "throw_e2", 0, mb_func(&m, t_i, 0, 0, BODY(LOCAL_GET(0), THROW(e2), END)));
    weld_rt_extern ia[3] = {{WELD_EXTERN_FUNC, {.func = hthrow}},
                            {WELD_EXTERN_FUNC, {.func = hreenter}},
                            {WELD_EXTERN_TAG, {.tag = f->host_tag}}};
    f->a = load(f, &m, ia, 3);
    f->thrower = get(f->a, "thrower").u.func;

    /* module b: imports a's tag $e and thrower; catches what a throws */
    mb n = {0};
    t_i = mb_type(&n, "i:");
    t_ii = mb_type(&n, "i:i");
    uint32_t f_thr = mb_import(&n, "a", "thrower", 0, t_i);
    uint32_t ie = mb_import(&n, "a", "e", 4, t_i);
    mb_export(&n, "catch_imported", 0, mb_func(&n, t_ii, 0, 0, BODY(
        BLOCK(RI32), TRY_TABLE(EMPTY, 1), CATCH(ie, 0), LOCAL_GET(0), CALL(f_thr), END,
        I32(0), RETURN, END, I32(30), I32_ADD, END)));
    /* b's own throw of the imported tag, for a to see as its own $e */
    mb_export(&n, "throw_imported", 0, mb_func(&n, t_i, 0, 0, BODY(LOCAL_GET(0), THROW(ie), END)));
    weld_rt_extern ib[2] = {get(f->a, "thrower"), get(f->a, "e")};
    f->b = load(f, &n, ib, 2);

    /* module c: a tag of its own with $e's type: a different tag */
    mb o = {0};
    t_i = mb_type(&o, "i:");
    t_ii = mb_type(&o, "i:i");
    uint32_t f_thr2 = mb_import(&o, "a", "thrower", 0, t_i);
    uint32_t own = mb_tag(&o, t_i);
    mb_export(&o, "catch_other", 0, mb_func(&o, t_ii, 0, 0, BODY(
        BLOCK(EMPTY), BLOCK(RI32), TRY_TABLE(EMPTY, 2), CATCH(own, 0), CATCH_ALL(1),
            LOCAL_GET(0), CALL(f_thr2), END,
        I32(0), RETURN, END, RETURN, END, I32(61), END)));
    weld_rt_extern ic[1] = {get(f->a, "thrower")};
    f->c = load(f, &o, ic, 1);
    return f;
}

static int setup(void **state)
{
    *state = setup_with(NULL);
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    weld_rt_engine_free(f->e);
    free(f);
    return 0;
}

/* Call in's export `name` with one i32 (or none when arg < 0... see nargs). */
static weld_status call1(fx *f, weld_rt_instance *in, const char *name, int nargs, int32_t arg,
                         int32_t *out, weld_diag *d)
{
    weld_rt_func *fn = get(in, name).u.func;
    weld_rt_val av = {.type = WELD_I32, .u.i32 = arg}, rv[1];
    uint32_t nres = weld_rt_func_type(fn)->nresults;
    weld_diag_init(d, NULL);
    weld_status st = weld_rt_call(f->e, fn, &av, (uint32_t)nargs, rv, nres, d);
    if (!st && nres) *out = rv[0].u.i32;
    return st;
}

static int32_t ok1(fx *f, weld_rt_instance *in, const char *name, int32_t arg)
{
    weld_diag d;
    int32_t r = -999;
    weld_status st = call1(f, in, name, 1, arg, &r, &d);
    if (st) fail_msg("%s(%d): %s", name, arg, d.message);
    return r;
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_catch_kinds(void **state)
{
    fx *f = *state;
    assert_int_equal(ok1(f, f->a, "catch", 41), 42);
    assert_int_equal(ok1(f, f->a, "catch", -5), -4);
    assert_int_equal(ok1(f, f->a, "catch_ref", 32), 42);
    assert_int_equal(ok1(f, f->a, "catch_all", 3), 7);
    assert_int_equal(ok1(f, f->a, "catch_all_ref", 17), 17);
    /* an exnref kept in a global across calls (and other throws in between) */
    weld_diag d;
    int32_t r = 0;
    assert_int_equal(call1(f, f->a, "store_exn", 1, 19, &r, &d), WELD_OK);
    assert_int_equal(ok1(f, f->a, "catch", 5), 6);
    assert_int_equal(call1(f, f->a, "rethrow_stored", 0, 0, &r, &d), WELD_OK);
    assert_int_equal(r, 19);
    /* many throws in a row: caught exceptions are reused, results stay right */
    for (int32_t i = 0; i < 1000; i++) assert_int_equal(ok1(f, f->a, "catch", i), i + 1);
}

static void test_nested_and_calls(void **state)
{
    fx *f = *state;
    assert_int_equal(ok1(f, f->a, "nested", 1), 11);
    assert_int_equal(ok1(f, f->a, "nested", 0), 55);
    assert_int_equal(ok1(f, f->a, "across", 12), 12);
    assert_int_equal(ok1(f, f->a, "catch_return", 23), 23);
}

static void test_instances_and_identity(void **state)
{
    fx *f = *state;
    /* a's $e, thrown in a, caught in b through the imported tag */
    assert_int_equal(ok1(f, f->b, "catch_imported", 4), 34);
    /* c's own tag has $e's type but is another tag: only catch_all catches */
    assert_int_equal(ok1(f, f->c, "catch_other", 4), 61);
    /* thrown in b with the imported tag: a catches it as its own $e */
    weld_diag d;
    int32_t r = 0;
    assert_int_equal(call1(f, f->b, "throw_imported", 1, 8, &r, &d), WELD_ERR_EXCEPTION);
    assert_ptr_equal(weld_rt_exception_tag(f->e), get(f->a, "e").u.tag);
}

static void test_uncaught(void **state)
{
    fx *f = *state;
    weld_diag d;
    int32_t r = 0;
    assert_int_equal(call1(f, f->a, "thrower", 1, 77, &r, &d), WELD_ERR_EXCEPTION);
    assert_string_equal(d.message, "uncaught exception: tag 1 \"e\"");
    assert_ptr_equal(weld_rt_exception_tag(f->e), get(f->a, "e").u.tag);
    weld_rt_val v[2];
    assert_int_equal(weld_rt_exception_payload(f->e, v, 2), 1);
    assert_int_equal(v[0].type, WELD_I32);
    assert_int_equal(v[0].u.i32, 77);
    /* an unexported tag is named by its index */
    assert_int_equal(call1(f, f->a, "throw_e2", 1, 1, &r, &d), WELD_ERR_EXCEPTION);
    assert_string_equal(d.message, "uncaught exception: tag 2");
    /* the engine keeps working, and the next call clears the exception */
    assert_int_equal(ok1(f, f->a, "catch", 1), 2);
    assert_null(weld_rt_exception_tag(f->e));
    assert_int_equal(weld_rt_exception_payload(f->e, v, 2), 0);
}

static void test_traps_not_caught(void **state)
{
    fx *f = *state;
    weld_diag d;
    int32_t r = 0;
    assert_int_equal(call1(f, f->a, "trap_inside", 1, 1, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "unreachable");
    assert_int_equal(call1(f, f->a, "trap_inside", 1, 0, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "integer divide by zero");
    assert_int_equal(call1(f, f->a, "throw_ref_null", 0, 0, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "null exception reference");
}

static void test_host_frames(void **state)
{
    fx *f = *state;
    weld_diag d;
    int32_t r = 0;
    /* a host function throws the host's tag: Wasm catches it with the payload */
    assert_int_equal(ok1(f, f->a, "from_host", 40), 41);
    /* called directly by the embedder, the host's exception is uncaught */
    weld_rt_val v = {.type = WELD_I32, .u.i32 = 3};
    weld_diag_init(&d, NULL);
    static const weld_valtype i[1] = {WELD_I32};
    weld_functype ti = {1, 0, i, NULL};
    weld_rt_func *h = weld_rt_func_new_host(f->e, &ti, host_throw, f);
    assert_int_equal(weld_rt_call(f->e, h, &v, 1, NULL, 0, &d), WELD_ERR_EXCEPTION);
    assert_ptr_equal(weld_rt_exception_tag(f->e), f->host_tag);
    assert_string_equal(d.message, "uncaught exception: a tag of the host");
    /* Wasm -> host -> Wasm throws: the host gets WELD_ERR_EXCEPTION; passing it on, the
     * exception unwinds into the Wasm caller (catch $e: 5 + 20) */
    int calls = f->host_calls;
    assert_int_equal(ok1(f, f->a, "through_host", 0), 25);
    /* swallowed by the host: a plain result, nothing caught */
    assert_int_equal(ok1(f, f->a, "through_host", 1), 42);
    /* turned into a trap by the host: not catchable, catch_all notwithstanding */
    assert_int_equal(call1(f, f->a, "through_host", 1, 2, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "the host stopped the exception");
    assert_int_equal(f->host_calls, calls + 3);
}

/* With fuel metering compiled in, handlers land at the start of a metered block: the
 * results are those of the unmetered engine, and fuel is charged. */
static void test_fuel(void **state)
{
    (void)state;
    weld_rt_limits lim = {.fuel = 1000000};
    fx *f = setup_with(&lim);
    assert_int_equal(ok1(f, f->a, "catch", 41), 42);
    uint64_t left = weld_rt_fuel_left(f->e);
    assert_true(left < 1000000 && left > 1000000 - 100);
    assert_int_equal(ok1(f, f->a, "nested", 0), 55);
    assert_int_equal(ok1(f, f->a, "across", 12), 12);
    assert_int_equal(ok1(f, f->a, "catch_return", 23), 23);
    assert_int_equal(ok1(f, f->b, "catch_imported", 4), 34);
    weld_rt_engine_free(f->e);
    free(f);
}

/* Modules the validator rejects (built with the emitter): one function each. */
static weld_status load_one(const char *sig, uint32_t ntag_params, const uint8_t *body, size_t n,
                            weld_diag *d)
{
    mb m = {0};
    uint32_t t = mb_type(&m, sig);
    uint32_t tt = mb_type(&m, ntag_params ? "i:" : ":i"); /* ":i" is not a valid tag type */
    mb_tag(&m, tt);
    mb_func(&m, t, 0, 1, body, n);
    size_t len = 0;
    uint8_t *bytes = mb_finish(&m, &len);
    weld_rt_engine *e = weld_rt_engine_new(NULL);
    weld_rt_module *mod = NULL;
    weld_diag_init(d, "bad");
    weld_status st = weld_rt_module_load(e, bytes, len, &mod, d);
    free(bytes);
    weld_rt_engine_free(e);
    return st;
}

static void test_invalid(void **state)
{
    (void)state;
    weld_diag d;
    /* a valid one first: the helper builds loadable modules */
    assert_int_equal(load_one("i:", 1, BODY(LOCAL_GET(0), THROW(0), END), &d), WELD_OK);
    /* a tag with results */
    assert_int_equal(load_one("i:", 0, BODY(END), &d), WELD_ERR_INVALID);
    assert_non_null(strstr(d.message, "non-empty tag result type"));
    /* throw without its payload */
    assert_int_equal(load_one("i:", 1, BODY(THROW(0), END), &d), WELD_ERR_INVALID);
    assert_non_null(strstr(d.message, "type mismatch"));
    /* throw_ref of an i32 */
    assert_int_equal(load_one("i:", 1, BODY(LOCAL_GET(0), THROW_REF, END), &d), WELD_ERR_INVALID);
    /* catch into a label that takes no values */
    assert_int_equal(load_one("i:", 1, BODY(BLOCK(EMPTY), TRY_TABLE(EMPTY, 1), CATCH(0, 0), END, END, END), &d),
                     WELD_ERR_INVALID);
    assert_non_null(strstr(d.message, "catch clause"));
    /* catch_ref needs an exnref after the payload */
    assert_int_equal(load_one("i:", 1, BODY(BLOCK(RI32), TRY_TABLE(EMPTY, 1), CATCH_REF(0, 0), END,
                                            I32(0), END, DROP, END), &d),
                     WELD_ERR_INVALID);
    /* unknown tag */
    assert_int_equal(load_one("i:", 1, BODY(LOCAL_GET(0), THROW(5), END), &d), WELD_ERR_INVALID);
    assert_non_null(strstr(d.message, "unknown tag 5"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_catch_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_and_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_instances_and_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uncaught, setup, teardown),
        cmocka_unit_test_setup_teardown(test_traps_not_caught, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_frames, setup, teardown),
        cmocka_unit_test(test_fuel),
        cmocka_unit_test(test_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
