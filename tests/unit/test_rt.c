/* test_rt.c - the interpreter through its embedding API: calls, results, traps with their
 * messages and backtraces, call-stack exhaustion, fuel, memory limits, host functions and
 * malformed input. The module is tests/unit/fixtures/rt_basic.wat. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>
#include "weld/runtime.h"
#include "fixtures/rt_basic.h"

typedef struct fx {
    weld_rt_engine *e;
    weld_rt_instance *in;
    int host_calls;
} fx;

static weld_status host_add(void *ctx, weld_rt_host_call *call, const uint64_t *a, uint64_t *r)
{
    fx *f = ctx;
    (void)call;
    f->host_calls++;
    r[0] = (uint32_t)((uint32_t)a[0] + (uint32_t)a[1]);
    return WELD_OK;
}

static weld_status host_fail(void *ctx, weld_rt_host_call *call, const uint64_t *a, uint64_t *r)
{
    (void)ctx; (void)a; (void)r;
    weld_rt_trap(call, "the host said no");
    return WELD_ERR_TRAP;
}

static fx *setup_with(const weld_rt_limits *lim)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->e = weld_rt_engine_new(lim);
    assert_non_null(f->e);
    weld_diag d;
    weld_diag_init(&d, "rt_basic.wasm");
    weld_rt_module *m = NULL;
    assert_int_equal(weld_rt_module_load(f->e, rt_basic_wasm, rt_basic_wasm_len, &m, &d), WELD_OK);
    static const weld_valtype ii[2] = {WELD_I32, WELD_I32}, i[1] = {WELD_I32};
    weld_functype tadd = {2, 1, ii, i}, tfail = {0, 0, NULL, NULL};
    weld_rt_extern imps[2] = {{WELD_EXTERN_FUNC, {.func = weld_rt_func_new_host(f->e, &tadd, host_add, f)}},
                              {WELD_EXTERN_FUNC, {.func = weld_rt_func_new_host(f->e, &tfail, host_fail, f)}}};
    assert_int_equal(weld_rt_instantiate(f->e, m, imps, 2, &f->in, &d), WELD_OK);
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

/* Call export `name` with i32 arguments; the status, result in *out. */
static weld_status call_i32(fx *f, const char *name, uint32_t nargs, const int32_t *args,
                            int32_t *out, weld_diag *d)
{
    weld_rt_extern x;
    assert_true(weld_rt_instance_export(f->in, name, &x));
    assert_int_equal(x.kind, WELD_EXTERN_FUNC);
    weld_rt_val av[4], rv[1];
    for (uint32_t i = 0; i < nargs; i++) av[i] = (weld_rt_val){.type = WELD_I32, .u.i32 = args[i]};
    uint32_t nres = weld_rt_func_type(x.u.func)->nresults;
    weld_diag_init(d, NULL);
    weld_status st = weld_rt_call(f->e, x.u.func, av, nargs, rv, nres, d);
    if (!st && nres) *out = rv[0].u.i32;
    return st;
}

static void test_fib(void **state)
{
    weld_diag d;
    int32_t r = 0;
    static const int32_t n[] = {0, 1, 2, 10, 25};
    static const int32_t want[] = {0, 1, 1, 55, 75025};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(call_i32(*state, "fib", 1, &n[i], &r, &d), WELD_OK);
        assert_int_equal(r, want[i]);
    }
}

static void test_traps_and_backtrace(void **state)
{
    weld_diag d;
    int32_t r = 0;
    int32_t a[2] = {7, 0};
    assert_int_equal(call_i32(*state, "div", 2, a, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "integer divide by zero");
    a[0] = INT32_MIN;
    a[1] = -1;
    assert_int_equal(call_i32(*state, "div", 2, a, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "integer overflow");
    a[0] = 0;
    assert_int_equal(call_i32(*state, "outer", 1, a, &r, &d), WELD_ERR_TRAP);
    const char *bt = weld_rt_backtrace(((fx *)*state)->e);
    const char *p = strstr(bt, "divide"), *q = strstr(bt, "outer");
    assert_non_null(p);
    assert_non_null(q);
    assert_true(p < q); /* innermost first */
    /* the engine is usable after a trap */
    a[0] = 84;
    a[1] = 2;
    assert_int_equal(call_i32(*state, "div", 2, a, &r, &d), WELD_OK);
    assert_int_equal(r, 42);
}

static void test_exhaustion(void **state)
{
    weld_diag d;
    int32_t r = 0, a = 0;
    assert_int_equal(call_i32(*state, "recurse", 1, &a, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "call stack exhausted");
}

static void test_fuel(void **state)
{
    (void)state;
    weld_rt_limits lim = {.fuel = 100000};
    fx *f = setup_with(&lim);
    weld_diag d;
    int32_t r = 0, n = 20;
    assert_int_equal(call_i32(f, "spin", 0, NULL, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "all fuel consumed");
    /* fib(20): 10946 calls with n < 2 run 5 instructions (local.get, i32.const,
     * i32.lt_u, if; local.get), the 10945 others 13 (the same 4, then 9 in the else) */
    weld_rt_set_fuel(f->e, 197015);
    assert_int_equal(call_i32(f, "fib", 1, &n, &r, &d), WELD_OK);
    assert_int_equal(r, 6765);
    assert_int_equal(weld_rt_fuel_left(f->e), 0);
    weld_rt_set_fuel(f->e, 197014);
    assert_int_equal(call_i32(f, "fib", 1, &n, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "all fuel consumed");
    /* count(10): the loop body's block is 7 instructions (local.get, i32.const, i32.add,
     * local.tee, local.get, i32.lt_u, br_if) run 10 times, then the block after it (local.get) */
    n = 10;
    weld_rt_set_fuel(f->e, 1000);
    assert_int_equal(call_i32(f, "count", 1, &n, &r, &d), WELD_OK);
    assert_int_equal(r, 10);
    assert_int_equal(1000 - weld_rt_fuel_left(f->e), 71);
    weld_rt_set_fuel(f->e, 71); /* exactly enough */
    assert_int_equal(call_i32(f, "count", 1, &n, &r, &d), WELD_OK);
    assert_int_equal(weld_rt_fuel_left(f->e), 0);
    weld_rt_set_fuel(f->e, 70); /* the last block cannot be paid */
    assert_int_equal(call_i32(f, "count", 1, &n, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "all fuel consumed");
    assert_int_equal(weld_rt_fuel_left(f->e), 0);
    weld_rt_set_fuel(f->e, 64); /* one loop iteration less */
    assert_int_equal(call_i32(f, "count", 1, &n, &r, &d), WELD_ERR_TRAP);
    assert_int_equal(weld_rt_fuel_left(f->e), 1);
    teardown((void **)&f);
}

static void test_unmetered(void **state)
{
    /* a module loaded without a fuel budget runs without fuel accounting */
    weld_diag d;
    int32_t r = 0, n = 1000;
    assert_int_equal(call_i32(*state, "count", 1, &n, &r, &d), WELD_OK);
    assert_int_equal(r, 1000);
}

static void test_memory_limit_and_data(void **state)
{
    (void)state;
    weld_rt_limits lim = {.max_memory_bytes = 4 * 65536};
    fx *f = setup_with(&lim);
    weld_diag d;
    int32_t r = 0, n = 2;
    assert_int_equal(call_i32(f, "grow", 1, &n, &r, &d), WELD_OK);
    assert_int_equal(r, 1);
    assert_int_equal(call_i32(f, "grow", 1, &n, &r, &d), WELD_OK);
    assert_int_equal(r, -1); /* 5 pages > the limit */
    int32_t a[2] = {3 * 65536 - 4, 0x11223344};
    assert_int_equal(call_i32(f, "store", 2, a, &r, &d), WELD_OK);
    a[0] = 3 * 65536 - 3;
    assert_int_equal(call_i32(f, "store", 2, a, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "out of bounds memory access");
    a[0] = -1; /* 0xffffffff: no wraparound */
    assert_int_equal(call_i32(f, "store", 2, a, &r, &d), WELD_ERR_TRAP);
    weld_rt_extern x;
    assert_true(weld_rt_instance_export(f->in, "mem", &x));
    uint64_t len = 0;
    uint8_t *mem = weld_rt_memory_data(x.u.memory, &len);
    assert_int_equal(len, 3 * 65536);
    assert_int_equal(mem[3 * 65536 - 4], 0x44);
    assert_int_equal(mem[3 * 65536 - 1], 0x11);
    teardown((void **)&f);
}

static void test_host_functions(void **state)
{
    fx *f = *state;
    weld_diag d;
    int32_t r = 0, a = 23;
    assert_int_equal(call_i32(f, "callhost", 1, &a, &r, &d), WELD_OK);
    assert_int_equal(r, 123);
    assert_int_equal(f->host_calls, 1);
    assert_int_equal(call_i32(f, "hostfail", 0, NULL, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "the host said no");
}

static void test_multi_value_and_types(void **state)
{
    fx *f = *state;
    weld_rt_extern x;
    assert_true(weld_rt_instance_export(f->in, "swap", &x));
    weld_rt_val av[2] = {{.type = WELD_I64, .u.i64 = -5}, {.type = WELD_F64, .u.f64 = 2.5}}, rv[2];
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_rt_call(f->e, x.u.func, av, 2, rv, 2, &d), WELD_OK);
    assert_int_equal(rv[0].type, WELD_F64);
    assert_true(rv[0].u.f64 == 2.5);
    assert_int_equal(rv[1].type, WELD_I64);
    assert_int_equal(rv[1].u.i64, -5);
    /* wrong argument types and counts are usage errors, not crashes */
    av[0].type = WELD_I32;
    assert_int_equal(weld_rt_call(f->e, x.u.func, av, 2, rv, 2, &d), WELD_ERR_USAGE);
    assert_int_equal(weld_rt_call(f->e, x.u.func, av, 1, rv, 2, &d), WELD_ERR_USAGE);
    assert_false(weld_rt_instance_export(f->in, "nope", &x));
}

static void test_malformed_and_unlinkable(void **state)
{
    (void)state;
    weld_rt_engine *e = weld_rt_engine_new(NULL);
    weld_diag d;
    weld_rt_module *m = NULL;
    /* truncations are rejected without a crash, except those that end exactly at one of
     * the module's 8 section boundaries (a shorter valid module) */
    unsigned rejected = 0, tried = 0;
    for (size_t n = 0; n < rt_basic_wasm_len; n++, tried++) {
        weld_diag_init(&d, NULL);
        if (weld_rt_module_load(e, rt_basic_wasm, n, &m, &d) != WELD_OK) rejected++;
    }
    assert_true(rejected + 8 >= tried);
    assert_int_equal(weld_rt_module_load(e, rt_basic_wasm, rt_basic_wasm_len, &m, &d), WELD_OK);
    weld_rt_instance *in = NULL;
    assert_int_equal(weld_rt_instantiate(e, m, NULL, 0, &in, &d), WELD_ERR_LINK);
    /* a host function of the wrong type */
    weld_functype t0 = {0, 0, NULL, NULL};
    weld_rt_func *h = weld_rt_func_new_host(e, &t0, host_fail, NULL);
    weld_rt_extern imps[2] = {{WELD_EXTERN_FUNC, {.func = h}}, {WELD_EXTERN_FUNC, {.func = h}}};
    assert_int_equal(weld_rt_instantiate(e, m, imps, 2, &in, &d), WELD_ERR_LINK);
    assert_non_null(strstr(d.message, "incompatible import type"));
    weld_rt_engine_free(e);
}

/* Bodies the compiler sees before the validator rejects them (found by fuzz_run and
 * fuzz_crt): each underflows the operand stack or names a missing function, type or local. Loading must fail
 * with the validator's message, never crash. */
static void test_invalid_bodies(void **state)
{
    (void)state;
    static const struct { uint8_t type; const char *body; uint8_t len; } cases[] = {
        {0, "\xd1\x0b", 2},                 /* ref.is_null */
        {0, "\x1b\x0b", 2},                 /* select */
        {0, "\x21\x00\x0b", 3},             /* local.set 0 */
        {0, "\x24\x00\x0b", 3},             /* global.set 0 */
        {0, "\x40\x00\x0b", 3},             /* memory.grow */
        {0, "\x0d\x00\x0b", 3},             /* br_if 0 */
        {0, "\x0e\x00\x00\x0b", 4},         /* br_table 0 */
        {0, "\x04\x40\x0b\x0b", 4},         /* if */
        {0, "\x02\x05\x0b\x0b", 4},         /* block of a missing type */
        {0, "\x10\x07\x0b", 3},             /* call of a missing function */
        {0, "\x10\x00\x0b", 3},             /* call needing an argument */
        {0, "\x11\x09\x00\x0b", 4},         /* call_indirect of a missing type */
        {0, "\xfc\x0b\x00\x0b", 4},         /* memory.fill */
        {1, "\x0f\x0b", 2},                 /* return without the result */
        {1, "\x0b", 1},                     /* end without the result */
        {0, "\x41\x00\x21\xa0\x8d\x06\x0b", 7}, /* local.set of missing local 100000 (fuzz_crt) */
        {0, "\x41\x00\x22\xa0\x8d\x06\x0b", 7}, /* local.tee of a missing local */
        {0, "\x20\xa0\x8d\x06\x1a\x0b", 6},     /* local.get of a missing local */
    };
    weld_rt_engine *e = weld_rt_engine_new(NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t mod[64];
        size_t n = 0;
        /* types: 0 (i32) -> (), 1 () -> i32; one function; a memory */
        static const uint8_t head[] = {0, 'a', 's', 'm', 1, 0, 0, 0,
                                       1, 9, 2, 0x60, 1, 0x7f, 0, 0x60, 0, 1, 0x7f,
                                       3, 2, 1, 0,
                                       5, 3, 1, 0, 1};
        memcpy(mod, head, sizeof head);
        n = sizeof head;
        mod[22] = cases[i].type;
        mod[n++] = 10;
        mod[n++] = (uint8_t)(cases[i].len + 3);
        mod[n++] = 1;
        mod[n++] = (uint8_t)(cases[i].len + 1);
        mod[n++] = 0; /* no locals */
        memcpy(mod + n, cases[i].body, cases[i].len);
        n += cases[i].len;
        weld_diag d;
        weld_diag_init(&d, NULL);
        weld_rt_module *m = NULL;
        assert_int_equal(weld_rt_module_load(e, mod, n, &m, &d), WELD_ERR_INVALID);
        assert_true(strstr(d.message, "func 0") != NULL);
    }
    weld_rt_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fib, setup, teardown),
        cmocka_unit_test_setup_teardown(test_traps_and_backtrace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
        cmocka_unit_test(test_fuel),
        cmocka_unit_test_setup_teardown(test_unmetered, setup, teardown),
        cmocka_unit_test(test_memory_limit_and_data),
        cmocka_unit_test_setup_teardown(test_host_functions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_value_and_types, setup, teardown),
        cmocka_unit_test(test_malformed_and_unlinkable),
        cmocka_unit_test(test_invalid_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
