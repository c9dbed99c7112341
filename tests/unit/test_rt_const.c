/* test_rt_const.c - extended constant expressions evaluated at instantiation: global
 * initialisers, element and data segment offsets computed with i32/i64 add, sub, mul and
 * global.get of imported globals; an expression deeper than the evaluator's inline stack;
 * element offsets computed out of bounds fail instantiation. The module is
 * tests/unit/fixtures/rt_const.wat. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>
#include "weld/runtime.h"
#include "fixtures/rt_const.h"

/* Instantiate rt_const with base and big as its imported globals; the status. */
static weld_status inst(weld_rt_engine *e, int32_t base, int64_t big, weld_rt_instance **out, weld_diag *d)
{
    weld_diag_init(d, "rt_const.wasm");
    weld_rt_module *m = NULL;
    assert_int_equal(weld_rt_module_load(e, rt_const_wasm, rt_const_wasm_len, &m, d), WELD_OK);
    weld_globaltype t32 = {WELD_I32, false}, t64 = {WELD_I64, false};
    weld_rt_val v32 = {.type = WELD_I32, .u.i32 = base}, v64 = {.type = WELD_I64, .u.i64 = big};
    weld_rt_extern imps[2] = {{WELD_EXTERN_GLOBAL, {.global = weld_rt_global_new(e, &t32, &v32)}},
                              {WELD_EXTERN_GLOBAL, {.global = weld_rt_global_new(e, &t64, &v64)}}};
    return weld_rt_instantiate(e, m, imps, 2, out, d);
}

static weld_rt_val global(weld_rt_instance *in, const char *name)
{
    weld_rt_extern x;
    assert_true(weld_rt_instance_export(in, name, &x));
    assert_int_equal(x.kind, WELD_EXTERN_GLOBAL);
    return weld_rt_global_get(x.u.global);
}

static int32_t call1(weld_rt_engine *e, weld_rt_instance *in, const char *name, int32_t arg)
{
    weld_rt_extern x;
    assert_true(weld_rt_instance_export(in, name, &x));
    weld_rt_val a = {.type = WELD_I32, .u.i32 = arg}, r = {0};
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_rt_call(e, x.u.func, &a, 1, &r, 1, &d), WELD_OK);
    return r.u.i32;
}

static void test_globals(void **state)
{
    (void)state;
    weld_rt_engine *e = weld_rt_engine_new(NULL);
    assert_non_null(e);
    weld_rt_instance *in = NULL;
    weld_diag d;
    assert_int_equal(inst(e, 100, INT64_C(0x4000000000000001), &in, &d), WELD_OK);
    assert_int_equal(global(in, "g_add").u.i32, 110);
    assert_int_equal(global(in, "g_sub").u.i32, -100);
    /* 0x10000 * 0x10001 wraps to 0x10000 in 32 bits */
    assert_int_equal(global(in, "g_mul").u.i32, 0x10000);
    /* 0x4000000000000001 * 3 - 1 wraps to 0xC000000000000002 in 64 bits */
    weld_rt_val g64 = global(in, "g64");
    assert_int_equal(g64.type, WELD_I64);
    assert_int_equal((uint64_t)g64.u.i64, UINT64_C(0xC000000000000002));
    assert_int_equal(global(in, "deep").u.i32, 210);
    weld_rt_engine_free(e);
}

static void test_segment_offsets(void **state)
{
    (void)state;
    weld_rt_engine *e = weld_rt_engine_new(NULL);
    weld_rt_instance *in = NULL;
    weld_diag d;
    assert_int_equal(inst(e, 100, 0, &in, &d), WELD_OK);
    assert_int_equal(call1(e, in, "load", 408), 42);
    assert_int_equal(call1(e, in, "load", 404), 0);
    assert_int_equal(call1(e, in, "call", 3), 7);
    assert_int_equal(call1(e, in, "call", 4), 8);
    /* another base moves both segments */
    assert_int_equal(inst(e, 101, 0, &in, &d), WELD_OK);
    assert_int_equal(call1(e, in, "load", 412), 42);
    assert_int_equal(call1(e, in, "call", 4), 7);
    weld_rt_engine_free(e);
}

static void test_offsets_out_of_bounds(void **state)
{
    (void)state;
    weld_rt_engine *e = weld_rt_engine_new(NULL);
    weld_rt_instance *in = NULL;
    weld_diag d;
    /* base 0: the elements at 0 - 97, far past the table */
    assert_int_not_equal(inst(e, 0, 0, &in, &d), WELD_OK);
    assert_non_null(strstr(d.message, "out of bounds table access"));
    /* base 104: the second element at 8, one past the table's end */
    assert_int_not_equal(inst(e, 104, 0, &in, &d), WELD_OK);
    assert_non_null(strstr(d.message, "out of bounds table access"));
    /* base 103: both fit */
    assert_int_equal(inst(e, 103, 0, &in, &d), WELD_OK);
    assert_int_equal(call1(e, in, "call", 7), 8);
    weld_rt_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_globals),
        cmocka_unit_test(test_segment_offsets),
        cmocka_unit_test(test_offsets_out_of_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
