/* test_rt_memory.c - the interpreter's linear memories and its compiler's costs:
 * memory.grow in place (the data pointer never moves, old bytes kept, new pages zero, the
 * limits and the engine's cap), 64-bit memories (addresses past 4 GiB, address + offset
 * overflow, grow failing with -1 as an i64, bulk operations), several memories, loading
 * in linear time (local.set under deep operand stacks, calls among thousands of imports),
 * and the compiler's allocation failures (weld_rt_limits.max_code_cells). Modules are
 * built here byte by byte. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/base.h"
#include "weld/runtime.h"

/* ---- building modules ---------------------------------------------------------------- */

static void sec(weld_buf *b, uint8_t id, const weld_buf *payload)
{
    weld_buf_byte(b, id);
    weld_buf_u32leb(b, (uint32_t)payload->len);
    weld_buf_append(b, payload->data, payload->len);
}

static void bytes(weld_buf *b, const char *s, size_t n) { weld_buf_append(b, s, n); }
#define LIT(b, s) bytes(b, s, sizeof s - 1)

static void name(weld_buf *b, const char *s)
{
    weld_buf_u32leb(b, (uint32_t)strlen(s));
    weld_buf_append(b, s, strlen(s));
}

typedef struct fn {
    const char *export;   /* or NULL */
    uint32_t type;
    const char *locals;   /* the locals vector, raw */
    size_t nlocals;
    weld_buf code;        /* instructions, without the final end */
} fn;

/* A module: `types` (raw type section payload), `imports` (raw payload or NULL), `mems`
 * (raw memory section payload or NULL), the functions, each exported under its name. */
static void module(weld_buf *out, const char *types, size_t tn, const weld_buf *imports,
                   uint32_t nimported_funcs, const char *mems, size_t mn, fn *fs, uint32_t nf)
{
    weld_buf p;
    weld_buf_init(out);
    LIT(out, "\0asm\1\0\0\0");
    weld_buf_init(&p);
    bytes(&p, types, tn);
    sec(out, 1, &p);
    if (imports) sec(out, 2, imports);
    weld_buf_free(&p);
    weld_buf_init(&p);
    weld_buf_u32leb(&p, nf);
    for (uint32_t i = 0; i < nf; i++) weld_buf_u32leb(&p, fs[i].type);
    sec(out, 3, &p);
    weld_buf_free(&p);
    if (mems) {
        weld_buf_init(&p);
        bytes(&p, mems, mn);
        sec(out, 5, &p);
        weld_buf_free(&p);
    }
    weld_buf_init(&p);
    uint32_t ne = 0;
    for (uint32_t i = 0; i < nf; i++) ne += fs[i].export != NULL;
    weld_buf_u32leb(&p, ne);
    for (uint32_t i = 0; i < nf; i++)
        if (fs[i].export) {
            name(&p, fs[i].export);
            weld_buf_byte(&p, 0);
            weld_buf_u32leb(&p, nimported_funcs + i);
        }
    sec(out, 7, &p);
    weld_buf_free(&p);
    weld_buf_init(&p);
    weld_buf_u32leb(&p, nf);
    for (uint32_t i = 0; i < nf; i++) {
        weld_buf_u32leb(&p, (uint32_t)(fs[i].nlocals + fs[i].code.len + 1));
        bytes(&p, fs[i].locals, fs[i].nlocals);
        weld_buf_append(&p, fs[i].code.data, fs[i].code.len);
        weld_buf_byte(&p, 0x0b);
        weld_buf_free(&fs[i].code);
    }
    sec(out, 10, &p);
    weld_buf_free(&p);
}

static fn func(const char *export, uint32_t type, const char *locals, size_t nlocals)
{
    fn f = {export, type, locals, nlocals, {0}};
    weld_buf_init(&f.code);
    return f;
}

/* memarg: alignment, memory index (flag 0x40 when not 0), offset */
static void memarg(weld_buf *b, uint32_t align, uint32_t mem, uint64_t offset)
{
    if (mem) {
        weld_buf_u32leb(b, align | 0x40);
        weld_buf_u32leb(b, mem);
    } else {
        weld_buf_u32leb(b, align);
    }
    weld_buf_u64leb(b, offset);
}

typedef struct inst {
    weld_rt_engine *e;
    weld_rt_module *m;
    weld_rt_instance *in;
} inst;

static weld_status load(inst *x, const weld_rt_limits *lim, const weld_buf *b, weld_diag *d)
{
    x->e = weld_rt_engine_new(lim);
    assert_non_null(x->e);
    x->in = NULL;
    return weld_rt_module_load(x->e, b->data, b->len, &x->m, d);
}

static void instantiate(inst *x, const weld_rt_limits *lim, const weld_buf *b)
{
    weld_diag d;
    weld_diag_init(&d, "test");
    weld_status st = load(x, lim, b, &d);
    if (st) fprintf(stderr, "# %s\n", d.message);
    assert_int_equal(st, WELD_OK);
    st = weld_rt_instantiate(x->e, x->m, NULL, 0, &x->in, &d);
    if (st) fprintf(stderr, "# %s\n", d.message);
    assert_int_equal(st, WELD_OK);
}

static weld_rt_func *export_fn(inst *x, const char *n)
{
    weld_rt_extern ext;
    assert_true(weld_rt_instance_export(x->in, n, &ext));
    assert_int_equal(ext.kind, WELD_EXTERN_FUNC);
    return ext.u.func;
}

static weld_rt_memory *export_mem(inst *x, const char *n)
{
    weld_rt_extern ext;
    assert_true(weld_rt_instance_export(x->in, n, &ext));
    assert_int_equal(ext.kind, WELD_EXTERN_MEMORY);
    return ext.u.memory;
}

static weld_rt_val i32v(int32_t v) { weld_rt_val r = {.type = WELD_I32}; r.u.i32 = v; return r; }
static weld_rt_val i64v(int64_t v) { weld_rt_val r = {.type = WELD_I64}; r.u.i64 = v; return r; }

/* Call f; WELD_OK or a trap whose message must contain `trap`. */
static void call(inst *x, const char *f, const weld_rt_val *args, uint32_t nargs, weld_rt_val *res,
                 uint32_t nres, const char *trap)
{
    weld_diag d;
    weld_diag_init(&d, "test");
    weld_rt_func *fn_ = export_fn(x, f);
    weld_rt_val ignored[4];
    if (trap && !res) res = ignored, nres = weld_rt_func_type(fn_)->nresults;
    weld_status st = weld_rt_call(x->e, fn_, args, nargs, res, nres, &d);
    if (trap) {
        assert_int_equal(st, WELD_ERR_TRAP);
        assert_non_null(strstr(d.message, trap));
    } else {
        if (st) fprintf(stderr, "# %s: %s\n", f, d.message);
        assert_int_equal(st, WELD_OK);
    }
}

static int64_t call1(inst *x, const char *f, const weld_rt_val *args, uint32_t nargs)
{
    weld_rt_val r;
    call(x, f, args, nargs, &r, 1, NULL);
    return r.type == WELD_I32 ? r.u.i32 : r.u.i64;
}

static void done(inst *x) { weld_rt_engine_free(x->e); }

/* types: 0 (i32)->i32, 1 (i32 i32)->(), 2 (i64)->i64, 3 (i64 i32)->(), 4 (i64)->i32,
 * 5 ()->i32, 6 (i64 i32 i64)->() */
static const char TYPES[] =
    "\x07"
    "\x60\x01\x7f\x01\x7f" "\x60\x02\x7f\x7f\x00" "\x60\x01\x7e\x01\x7e" "\x60\x02\x7e\x7f\x00"
    "\x60\x01\x7e\x01\x7f" "\x60\x00\x01\x7f" "\x60\x03\x7e\x7f\x7e\x00";

/* ---- memory.grow ------------------------------------------------------------------- */

/* A module with the memory `mem` (raw memory section payload) exported as "mem", and
 * grow: (i32)->i32, store: (i32 i32)->(), load: (i32)->i32 on it. */
static void grow_module_exported(weld_buf *out, const char *mem, size_t mn)
{
    weld_buf p;
    weld_buf_init(out);
    LIT(out, "\0asm\1\0\0\0");
    weld_buf_init(&p);
    bytes(&p, TYPES, sizeof TYPES - 1);
    sec(out, 1, &p);
    weld_buf_free(&p);
    weld_buf_init(&p);
    LIT(&p, "\x03\x00\x01\x00");
    sec(out, 3, &p);
    weld_buf_free(&p);
    weld_buf_init(&p);
    bytes(&p, mem, mn);
    sec(out, 5, &p);
    weld_buf_free(&p);
    weld_buf_init(&p);
    LIT(&p, "\x04" "\x04grow\x00\x00" "\x05store\x00\x01" "\x04load\x00\x02" "\x03mem\x02\x00");
    sec(out, 7, &p);
    weld_buf_free(&p);
    weld_buf_init(&p);
    LIT(&p, "\x03"
            "\x06\x00\x20\x00\x40\x00\x0b"
            "\x09\x00\x20\x00\x20\x01\x36\x02\x00\x0b"
            "\x07\x00\x20\x00\x28\x02\x00\x0b");
    sec(out, 10, &p);
    weld_buf_free(&p);
}

static void test_grow_in_place(void **state)
{
    (void)state;
    weld_buf b;
    grow_module_exported(&b, "\x01\x01\x01\xc8\x01", 5); /* (memory 1 200) */
    inst x;
    instantiate(&x, NULL, &b);
    weld_rt_memory *mem = export_mem(&x, "mem");
    uint64_t len;
    uint8_t *data = weld_rt_memory_data(mem, &len);
    assert_int_equal(len, 65536);
    weld_rt_val a[2] = {i32v(0), i32v(0x11223344)};
    call(&x, "store", a, 2, NULL, 0, NULL);
    a[0] = i32v(65532), a[1] = i32v(-5);
    call(&x, "store", a, 2, NULL, 0, NULL);
    for (int32_t k = 1; k < 200; k++) {
        weld_rt_val d = i32v(1);
        assert_int_equal(call1(&x, "grow", &d, 1), k); /* the old size in pages */
        uint64_t n;
        assert_ptr_equal(weld_rt_memory_data(mem, &n), data); /* never moved */
        assert_int_equal(n, (uint64_t)(k + 1) * 65536);
        /* the new page is zero and accessible, the old bytes are kept */
        weld_rt_val at = i32v(k * 65536 + 65532);
        assert_int_equal(call1(&x, "load", &at, 1), 0);
        assert_int_equal(data[(size_t)k * 65536], 0);
        at = i32v(0);
        assert_int_equal(call1(&x, "load", &at, 1), 0x11223344);
        at = i32v(65532);
        assert_int_equal(call1(&x, "load", &at, 1), -5);
    }
    /* past the maximum: -1, nothing changes; 0 pages: the size */
    weld_rt_val d = i32v(1);
    assert_int_equal(call1(&x, "grow", &d, 1), -1);
    d = i32v(-1);
    assert_int_equal(call1(&x, "grow", &d, 1), -1);
    d = i32v(0);
    assert_int_equal(call1(&x, "grow", &d, 1), 200);
    weld_rt_val at = i32v(200 * 65536 - 4);
    assert_int_equal(call1(&x, "load", &at, 1), 0);
    at = i32v(200 * 65536 - 3);
    call(&x, "load", &at, 1, NULL, 0, "out of bounds memory access");
    done(&x);
    weld_buf_free(&b);
}

static void test_grow_engine_cap(void **state)
{
    (void)state;
    /* (memory 1) without a maximum, under an engine cap of 10 pages */
    weld_buf b;
    grow_module_exported(&b, "\x01\x00\x01", 3);
    weld_rt_limits lim = {.max_memory_bytes = 10 * 65536};
    inst x;
    instantiate(&x, &lim, &b);
    weld_rt_val d = i32v(9);
    assert_int_equal(call1(&x, "grow", &d, 1), 1);
    d = i32v(1);
    assert_int_equal(call1(&x, "grow", &d, 1), -1);
    uint64_t n;
    weld_rt_memory_data(export_mem(&x, "mem"), &n);
    assert_int_equal(n, 10 * 65536);
    done(&x);
    /* a minimum above the cap: instantiation fails */
    weld_buf_free(&b);
    grow_module_exported(&b, "\x01\x00\x0b", 3); /* (memory 11) */
    weld_diag dg;
    weld_diag_init(&dg, "test");
    assert_int_equal(load(&x, &lim, &b, &dg), WELD_OK);
    assert_int_not_equal(weld_rt_instantiate(x.e, x.m, NULL, 0, &x.in, &dg), WELD_OK);
    assert_non_null(strstr(dg.message, "limit"));
    done(&x);
    weld_buf_free(&b);
}

/* 1,024 one-page grows (the whole memory was copied on each before) and a host-made
 * memory imported by a module that grows it: the host's pointer stays valid. */
static void test_many_grows_and_host_memory(void **state)
{
    (void)state;
    weld_buf b;
    grow_module_exported(&b, "\x01\x00\x00", 3); /* (memory 0) */
    inst x;
    instantiate(&x, NULL, &b);
    clock_t t0 = clock();
    for (int32_t k = 0; k < 1024; k++) {
        weld_rt_val d = i32v(1);
        assert_int_equal(call1(&x, "grow", &d, 1), k);
    }
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_true(secs < 5.0);
    weld_rt_val at = i32v(1024 * 65536 - 4);
    assert_int_equal(call1(&x, "load", &at, 1), 0);
    done(&x);
    weld_buf_free(&b);

    /* (import "h" "mem" (memory 1 4)), grow/load/store */
    weld_buf_init(&b);
    LIT(&b, "\0asm\1\0\0\0");
    weld_buf p;
    weld_buf_init(&p);
    bytes(&p, TYPES, sizeof TYPES - 1);
    sec(&b, 1, &p);
    weld_buf_free(&p);
    weld_buf_init(&p);
    LIT(&p, "\x01\x01h\x03mem\x02\x01\x01\x04");
    sec(&b, 2, &p);
    weld_buf_free(&p);
    weld_buf_init(&p);
    LIT(&p, "\x02\x00\x00");
    sec(&b, 3, &p);
    weld_buf_free(&p);
    weld_buf_init(&p);
    LIT(&p, "\x02" "\x04grow\x00\x00" "\x04load\x00\x01");
    sec(&b, 7, &p);
    weld_buf_free(&p);
    weld_buf_init(&p);
    LIT(&p, "\x02" "\x06\x00\x20\x00\x40\x00\x0b" "\x07\x00\x20\x00\x28\x02\x00\x0b");
    sec(&b, 10, &p);
    weld_buf_free(&p);
    x.e = weld_rt_engine_new(NULL);
    weld_limits lim = {WELD_LIMITS_HAS_MAX, 1, 4};
    weld_rt_memory *mem = weld_rt_memory_new(x.e, &lim);
    assert_non_null(mem);
    uint64_t n;
    uint8_t *data = weld_rt_memory_data(mem, &n);
    assert_int_equal(n, 65536);
    memset(data, 0xab, 65536);
    weld_diag d;
    weld_diag_init(&d, "test");
    assert_int_equal(weld_rt_module_load(x.e, b.data, b.len, &x.m, &d), WELD_OK);
    weld_rt_extern imp = {WELD_EXTERN_MEMORY, {.memory = mem}};
    assert_int_equal(weld_rt_instantiate(x.e, x.m, &imp, 1, &x.in, &d), WELD_OK);
    weld_rt_val g = i32v(3);
    assert_int_equal(call1(&x, "grow", &g, 1), 1);
    assert_ptr_equal(weld_rt_memory_data(mem, &n), data);
    assert_int_equal(n, 4 * 65536);
    assert_int_equal(data[65535], 0xab);
    assert_int_equal(data[65536], 0);
    data[4 * 65536 - 1] = 7; /* the host writes the new last byte */
    at = i32v(4 * 65536 - 4);
    assert_int_equal(call1(&x, "load", &at, 1), 7 << 24);
    assert_int_equal(call1(&x, "grow", &g, 1), -1);
    done(&x);
    weld_buf_free(&b);
}

/* ---- 64-bit memories and several memories -------------------------------------------- */

/* memory 0: (memory i64 1 10); memory 1: (memory 1 2) (i32) */
static void mem64_module(weld_buf *b)
{
    fn fs[9] = {
        func("load", 4, "\x00", 1),    func("store", 3, "\x00", 1), func("load_off", 2, "\x00", 1),
        func("grow", 2, "\x00", 1),    func("size", 5, "\x00", 1),  func("fill", 6, "\x00", 1),
        func("load1", 0, "\x00", 1),   func("store1", 1, "\x00", 1), func("load8s", 2, "\x00", 1),
    };
    LIT(&fs[0].code, "\x20\x00\x28"); memarg(&fs[0].code, 2, 0, 0);                 /* i32.load */
    LIT(&fs[1].code, "\x20\x00\x20\x01\x36"); memarg(&fs[1].code, 2, 0, 0);         /* i32.store */
    /* i64.load offset=2^64-16: address + offset wraps around 2^64 */
    LIT(&fs[2].code, "\x20\x00\x29"); memarg(&fs[2].code, 3, 0, UINT64_MAX - 15);
    LIT(&fs[3].code, "\x20\x00\x40\x00");                                          /* memory.grow */
    LIT(&fs[4].code, "\x3f\x00\xa7");                                              /* memory.size; i32.wrap */
    LIT(&fs[5].code, "\x20\x00\x20\x01\x20\x02\xfc\x0b\x00");                      /* memory.fill */
    LIT(&fs[6].code, "\x20\x00\x28"); memarg(&fs[6].code, 2, 1, 4);                 /* i32.load 1 offset=4 */
    LIT(&fs[7].code, "\x20\x00\x20\x01\x36"); memarg(&fs[7].code, 2, 1, 0);         /* i32.store 1 */
    LIT(&fs[8].code, "\x20\x00\x30"); memarg(&fs[8].code, 0, 0, 0);                 /* i64.load8_s */
    module(b, TYPES, sizeof TYPES - 1, NULL, 0, "\x02\x05\x01\x0a\x01\x01\x02", 7, fs, 9);
}

static void test_memory64(void **state)
{
    (void)state;
    weld_buf b;
    mem64_module(&b);
    inst x;
    instantiate(&x, NULL, &b);
    weld_rt_val a[3] = {i64v(4), i32v(-7)};
    call(&x, "store", a, 2, NULL, 0, NULL);
    a[0] = i64v(4);
    assert_int_equal(call1(&x, "load", a, 1), -7);
    /* 0x100000004 is not 4: out of bounds (it read address 4 before) */
    a[0] = i64v(0x100000004);
    call(&x, "load", a, 1, NULL, 0, "out of bounds memory access");
    a[0] = i64v(0x100000000);
    call(&x, "load", a, 1, NULL, 0, "out of bounds memory access");
    a[0] = i64v(-1);
    call(&x, "load", a, 1, NULL, 0, "out of bounds memory access");
    a[0] = i64v(65532);
    assert_int_equal(call1(&x, "load", a, 1), 0);
    a[0] = i64v(65533);
    call(&x, "load", a, 1, NULL, 0, "out of bounds memory access");
    /* address + offset = 2^64 + 0 must not wrap to address 0 */
    a[0] = i64v(16);
    call(&x, "load_off", a, 1, NULL, 0, "out of bounds memory access");
    /* sign extension from a byte */
    a[0] = i64v(7), a[1] = i32v(0x80);
    call(&x, "store", a, 2, NULL, 0, NULL);
    a[0] = i64v(7);
    assert_int_equal(call1(&x, "load8s", a, 1), -128);
    /* grow: the old size; failures are -1 as an i64 (not 4294967295) */
    a[0] = i64v(2);
    assert_int_equal(call1(&x, "grow", a, 1), 1);
    a[0] = i64v(8);
    assert_int_equal(call1(&x, "grow", a, 1), -1);
    a[0] = i64v(0x100000001);   /* 1 page in the low 32 bits: must not be taken as 1 */
    assert_int_equal(call1(&x, "grow", a, 1), -1);
    assert_int_equal(call1(&x, "size", NULL, 0), 3);
    a[0] = i64v(3 * 65536 - 4);
    assert_int_equal(call1(&x, "load", a, 1), 0);
    /* memory.fill with i64 operands: an n whose low 32 bits are small still traps */
    weld_rt_val f[3] = {i64v(0), i32v(1), i64v(0x100000000)};
    call(&x, "fill", f, 3, NULL, 0, "out of bounds memory access");
    f[0] = i64v(3 * 65536 - 2), f[2] = i64v(2);
    call(&x, "fill", f, 3, NULL, 0, NULL);
    a[0] = i64v(3 * 65536 - 4);
    assert_int_equal(call1(&x, "load", a, 1), 0x01010000);
    /* memory 1 (32-bit) is separate from memory 0 */
    weld_rt_val s[2] = {i32v(8), i32v(1234)};
    call(&x, "store1", s, 2, NULL, 0, NULL);
    s[0] = i32v(4);
    assert_int_equal(call1(&x, "load1", s, 1), 1234);
    a[0] = i64v(8);
    assert_int_equal(call1(&x, "load", a, 1), 0);
    s[0] = i32v(65532);
    call(&x, "load1", s, 1, NULL, 0, "out of bounds memory access");
    done(&x);
    weld_buf_free(&b);
}

/* ---- loading in linear time -------------------------------------------------------- */

/* One function (i32)->i32: `depth` copies of local.get 0 stay deferred on the stack while
 * `pairs` local.get/local.set pairs rotate locals 1..4, then local.set 0 changes the
 * parameter under all of them; the sum is depth * p + the last locals. */
static void deep_stack_module(weld_buf *b, uint32_t depth, uint32_t pairs)
{
    fn f = func("f", 0, "\x01\x04\x7f", 3);
    for (uint32_t i = 0; i < depth; i++) LIT(&f.code, "\x20\x00");
    LIT(&f.code, "\x41\x05\x21\x01");                     /* local1 = 5 */
    for (uint32_t k = 0; k < pairs; k++) {
        weld_buf_byte(&f.code, 0x20);
        weld_buf_u32leb(&f.code, 1 + k % 4);
        weld_buf_byte(&f.code, 0x21);
        weld_buf_u32leb(&f.code, 1 + (k + 1) % 4);
    }
    LIT(&f.code, "\x41\xe4\x00\x21\x00");                 /* param = 100 */
    for (uint32_t i = 1; i < depth; i++) LIT(&f.code, "\x6a");
    LIT(&f.code, "\x20\x00\x6a\x20\x01\x6a\x20\x02\x6a\x20\x03\x6a\x20\x04\x6a");
    module(b, TYPES, sizeof TYPES - 1, NULL, 0, NULL, 0, &f, 1);
}

static void test_deep_stack_local_set(void **state)
{
    (void)state;
    /* small: the values under local.set keep the parameter's old value */
    weld_buf b;
    deep_stack_module(&b, 3, 5);
    inst x;
    instantiate(&x, NULL, &b);
    weld_rt_val p = i32v(7);
    assert_int_equal(call1(&x, "f", &p, 1), 3 * 7 + 100 + 4 * 5);
    done(&x);
    weld_buf_free(&b);
    /* large: 20,000 deferred operands under 100,000 local.set (2e9 steps when each
     * local.set scanned the stack) */
    deep_stack_module(&b, 20000, 100000);
    clock_t t0 = clock();
    instantiate(&x, NULL, &b);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(call1(&x, "f", &p, 1), 20000 * 7 + 100 + 4 * 5);
    assert_true(secs < 3.0);
    done(&x);
    weld_buf_free(&b);
}

static weld_status host_count(void *ctx, weld_rt_host_call *c, const uint64_t *a, uint64_t *r)
{
    (void)c;
    (void)a;
    (void)r;
    ++*(uint64_t *)ctx;
    return WELD_OK;
}

static weld_status host_id(void *ctx, weld_rt_host_call *c, const uint64_t *a, uint64_t *r)
{
    (void)ctx;
    (void)c;
    r[0] = (uint32_t)a[0] + 1000;
    return WELD_OK;
}

/* 10,000 imports ()->() and a last one (i32)->i32; 50,000 calls to import 9,999 and one
 * to the last; the call type lookup scanned the imports on each call. */
static void test_many_imports(void **state)
{
    (void)state;
    enum { NIMP = 10001, NCALLS = 50000 };
    weld_buf b, imp;
    weld_buf_init(&imp);
    weld_buf_u32leb(&imp, NIMP);
    char nm[16];
    for (uint32_t i = 0; i < NIMP; i++) {
        name(&imp, "env");
        snprintf(nm, sizeof nm, "f%u", i);
        name(&imp, nm);
        weld_buf_byte(&imp, 0);
        weld_buf_byte(&imp, i + 1 < NIMP ? 1 : 0); /* type 1: ()->(), type 0: (i32)->i32 */
    }
    fn f = func("f", 0, "\x00", 1);
    for (uint32_t k = 0; k < NCALLS; k++) {
        weld_buf_byte(&f.code, 0x10);
        weld_buf_u32leb(&f.code, NIMP - 2);
    }
    LIT(&f.code, "\x20\x00\x10");
    weld_buf_u32leb(&f.code, NIMP - 1);
    module(&b, "\x02\x60\x01\x7f\x01\x7f\x60\x00\x00", 9, &imp, NIMP, NULL, 0, &f, 1);
    weld_buf_free(&imp);
    inst x;
    x.e = weld_rt_engine_new(NULL);
    weld_diag d;
    weld_diag_init(&d, "test");
    clock_t t0 = clock();
    assert_int_equal(weld_rt_module_load(x.e, b.data, b.len, &x.m, &d), WELD_OK);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_true(secs < 3.0);
    uint64_t count = 0;
    weld_functype tv = {0, 0, NULL, NULL};
    static const weld_valtype i[1] = {WELD_I32};
    weld_functype ti = {1, 1, i, i};
    weld_rt_func *hv = weld_rt_func_new_host(x.e, &tv, host_count, &count);
    weld_rt_func *hi = weld_rt_func_new_host(x.e, &ti, host_id, NULL);
    weld_rt_extern *ext = calloc(NIMP, sizeof *ext);
    assert_non_null(ext);
    for (uint32_t k = 0; k < NIMP; k++) {
        ext[k].kind = WELD_EXTERN_FUNC;
        ext[k].u.func = k + 1 < NIMP ? hv : hi;
    }
    assert_int_equal(weld_rt_instantiate(x.e, x.m, ext, NIMP, &x.in, &d), WELD_OK);
    free(ext);
    weld_rt_val p = i32v(5);
    assert_int_equal(call1(&x, "f", &p, 1), 1005);
    assert_int_equal(count, NCALLS);
    done(&x);
    weld_buf_free(&b);
}

/* ---- allocation failures in the compiler ------------------------------------------- */

/* A function exercising the compiler's patching: blocks, if/else, a loop, br_table,
 * br_if, calls, a fused compare-and-branch, local.set into a previous result. Computes
 * sum of (i % 3 == 0 ? 2i : i) over i in [0, p) plus a br_table choice. */
static void busy_module(weld_buf *b)
{
    fn fs[2] = {func("f", 0, "\x01\x02\x7f", 3), func(NULL, 0, "\x00", 1)};
    LIT(&fs[0].code,
        "\x02\x40"                             /* block */
        "\x03\x40"                             /* loop */
        "\x20\x01\x20\x00\x4e\x0d\x01"         /* br_if 1 (i >= p) */
        "\x20\x01\x41\x03\x70\x45"             /* i % 3 == 0 */
        "\x04\x7f\x20\x01\x41\x01\x74"         /* if (result i32) i << 1 */
        "\x05\x20\x01\x0b"                     /* else i end */
        "\x20\x02\x6a\x21\x02"                 /* acc += */
        "\x20\x01\x41\x01\x6a\x21\x01"         /* i++ */
        "\x0c\x00\x0b\x0b"                     /* br 0 end end */
        "\x02\x40\x02\x40\x02\x40"
        "\x20\x00\x41\x03\x70\x0e\x02\x00\x01\x02" /* br_table 0 1 2 on p % 3 */
        "\x0b\x20\x02\x10\x01\x21\x02\x0c\x01" /* case 0: acc = g(acc) */
        "\x0b\x20\x02\x41\x07\x6a\x21\x02"     /* case 1: acc += 7 */
        "\x0b\x20\x02");
    LIT(&fs[1].code, "\x20\x00\x41\x0a\x6c"); /* g(x) = x * 10 */
    module(b, TYPES, sizeof TYPES - 1, NULL, 0, NULL, 0, fs, 2);
}

static int32_t busy_expected(int32_t p)
{
    int32_t acc = 0;
    for (int32_t i = 0; i < p; i++) acc += i % 3 == 0 ? 2 * i : i;
    return p % 3 == 0 ? acc * 10 : p % 3 == 1 ? acc + 7 : acc;
}

static void test_code_cell_limit(void **state)
{
    (void)state;
    weld_buf b;
    busy_module(&b);
    int failed = 0, passed = 0;
    for (uint32_t lim = 1; lim <= 160; lim++) {
        weld_rt_limits l = {.max_code_cells = lim};
        inst x;
        weld_diag d;
        weld_diag_init(&d, "test");
        weld_status st = load(&x, &l, &b, &d);
        if (st) {
            /* every cell past the limit is refused like a failed allocation */
            assert_non_null(strstr(d.message, "out of memory"));
            failed++;
        } else {
            assert_int_equal(weld_rt_instantiate(x.e, x.m, NULL, 0, &x.in, &d), WELD_OK);
            for (int32_t p = 0; p < 7; p++) {
                weld_rt_val a = i32v(p);
                assert_int_equal(call1(&x, "f", &a, 1), busy_expected(p));
            }
            passed++;
        }
        done(&x);
    }
    assert_true(failed > 20);
    assert_true(passed > 0);
    weld_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_in_place),
        cmocka_unit_test(test_grow_engine_cap),
        cmocka_unit_test(test_many_grows_and_host_memory),
        cmocka_unit_test(test_memory64),
        cmocka_unit_test(test_deep_stack_local_set),
        cmocka_unit_test(test_many_imports),
        cmocka_unit_test(test_code_cell_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
