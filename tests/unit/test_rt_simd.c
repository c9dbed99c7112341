/* test_rt_simd.c - v128 values in the interpreter: API arguments and results, parameters,
 * locals live across calls, select, globals (v128.const initialiser, global.get/set),
 * host functions (a v128 packed as two 64-bit slots), lane loads and stores, and a
 * v128.load out of bounds. The module is tests/unit/fixtures/rt_simd.wat. The operations
 * themselves are tested in test_simd.c and by the spec suite's simd_* files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>
#include "weld/runtime.h"
#include "fixtures/rt_simd.h"

typedef struct fx {
    weld_rt_engine *e;
    weld_rt_instance *in;
    uint64_t seen[4];        /* the last arguments of host mix */
} fx;

/* mix(i32 x, v128 v, f64 d) -> (v with x added to lane 0, the bits of d) */
static weld_status host_mix(void *ctx, weld_rt_host_call *call, const uint64_t *a, uint64_t *r)
{
    fx *f = ctx;
    (void)call;
    memcpy(f->seen, a, sizeof f->seen);
    uint32_t lanes[4];
    memcpy(lanes, a + 1, 16);
    lanes[0] += (uint32_t)a[0];
    memcpy(r, lanes, 16);
    r[2] = a[3];
    return WELD_OK;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->e = weld_rt_engine_new(NULL);
    assert_non_null(f->e);
    weld_diag d;
    weld_diag_init(&d, "rt_simd.wasm");
    weld_rt_module *m = NULL;
    assert_int_equal(weld_rt_module_load(f->e, rt_simd_wasm, rt_simd_wasm_len, &m, &d), WELD_OK);
    static const weld_valtype p[3] = {WELD_I32, WELD_V128, WELD_F64}, r[2] = {WELD_V128, WELD_I64};
    weld_functype tmix = {3, 2, p, r};
    weld_rt_extern imp = {WELD_EXTERN_FUNC, {.func = weld_rt_func_new_host(f->e, &tmix, host_mix, f)}};
    assert_int_equal(weld_rt_instantiate(f->e, m, &imp, 1, &f->in, &d), WELD_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    weld_rt_engine_free(f->e);
    free(f);
    return 0;
}

static weld_rt_val v4(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    weld_rt_val v = {.type = WELD_V128};
    uint32_t l[4] = {a, b, c, d};
    memcpy(v.u.v128, l, 16);
    return v;
}

static void assert_v4(const weld_rt_val *v, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    assert_int_equal(v->type, WELD_V128);
    uint32_t l[4];
    memcpy(l, v->u.v128, 16);
    assert_int_equal(l[0], a);
    assert_int_equal(l[1], b);
    assert_int_equal(l[2], c);
    assert_int_equal(l[3], d);
}

static weld_status call(fx *f, const char *name, const weld_rt_val *args, uint32_t nargs,
                        weld_rt_val *res, weld_diag *d)
{
    weld_rt_extern x;
    assert_true(weld_rt_instance_export(f->in, name, &x));
    weld_diag_init(d, NULL);
    return weld_rt_call(f->e, x.u.func, args, nargs, res, weld_rt_func_type(x.u.func)->nresults, d);
}

static void test_params_results_select(void **state)
{
    fx *f = *state;
    weld_diag d;
    weld_rt_val a[3] = {v4(1, 2, 3, 0xffffffffu), v4(10, 20, 30, 1)}, r[2];
    assert_int_equal(call(f, "add", a, 2, r, &d), WELD_OK);
    assert_v4(&r[0], 11, 22, 33, 0);
    a[2] = (weld_rt_val){.type = WELD_I32, .u.i32 = 1};
    assert_int_equal(call(f, "pick", a, 3, r, &d), WELD_OK);
    assert_v4(&r[0], 1, 2, 3, 0xffffffffu);
    a[2].u.i32 = 0;
    assert_int_equal(call(f, "pick", a, 3, r, &d), WELD_OK);
    assert_v4(&r[0], 10, 20, 30, 1);
}

static void test_locals_across_calls(void **state)
{
    weld_diag d;
    weld_rt_val n = {.type = WELD_I32, .u.i32 = 100}, r[1];
    assert_int_equal(call(*state, "deep", &n, 1, r, &d), WELD_OK);
    assert_v4(&r[0], 5050, 5050, 5050, 5050);
}

static void test_globals(void **state)
{
    fx *f = *state;
    weld_diag d;
    weld_rt_extern g;
    assert_true(weld_rt_instance_export(f->in, "g", &g));
    weld_rt_val v = weld_rt_global_get(g.u.global), r[1];
    assert_v4(&v, 1, 2, 3, 4);
    assert_int_equal(call(f, "bump", NULL, 0, r, &d), WELD_OK);
    assert_v4(&r[0], 11, 22, 33, 44);
    assert_int_equal(call(f, "bump", NULL, 0, r, &d), WELD_OK);
    assert_v4(&r[0], 21, 42, 63, 84);
    v = weld_rt_global_get(g.u.global);
    assert_v4(&v, 21, 42, 63, 84);
}

static void test_host_packing(void **state)
{
    fx *f = *state;
    weld_diag d;
    weld_rt_val a[2] = {v4(5, 6, 7, 8), {.type = WELD_I32, .u.i32 = 1000}}, r[2];
    assert_int_equal(call(f, "callmix", a, 2, r, &d), WELD_OK);
    assert_int_equal(f->seen[0], 1000);
    assert_int_equal(f->seen[1], 5 | (uint64_t)6 << 32);
    assert_int_equal(f->seen[2], 7 | (uint64_t)8 << 32);
    double x = 2.5;
    uint64_t bits;
    memcpy(&bits, &x, 8);
    assert_int_equal(f->seen[3], bits);
    assert_v4(&r[0], 1005, 6, 7, 8);
    assert_int_equal(r[1].type, WELD_I64);
    assert_int_equal((uint64_t)r[1].u.i64, bits);
}

static void test_lanes_and_bounds(void **state)
{
    fx *f = *state;
    weld_diag d;
    weld_rt_val a[3] = {{.type = WELD_I32, .u.i32 = 64}, v4(1, 2, 3, 4), v4(1, 9, 9, 9)}, r[2];
    assert_int_equal(call(f, "lanes", a, 3, r, &d), WELD_OK);
    assert_v4(&r[0], 1, 9, 9, 2);
    /* v and the original w agree on lane 0 only: bytes 0-3 equal, plus the zero high
     * bytes of lanes 1-3 (bytes 5-7, 9-11, 13-15) */
    assert_int_equal(r[1].type, WELD_I32);
    assert_int_equal(r[1].u.i32, 0xeeef);
    weld_rt_extern m;
    assert_true(weld_rt_instance_export(f->in, "mem", &m));
    uint64_t len;
    uint8_t *mem = weld_rt_memory_data(m.u.memory, &len);
    assert_int_equal(mem[64 + 12], 4);
    weld_rt_val at = {.type = WELD_I32, .u.i32 = 65536 - 16};
    assert_int_equal(call(f, "load", &at, 1, r, &d), WELD_OK);
    at.u.i32 = 65536 - 15;
    assert_int_equal(call(f, "load", &at, 1, r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "out of bounds memory access");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_params_results_select, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locals_across_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_globals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_packing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lanes_and_bounds, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
