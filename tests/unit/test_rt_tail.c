/* test_rt_tail.c - tail calls in the interpreter: return_call and return_call_indirect
 * loops of 10^7 iterations and mutual recursion run within a call depth of 16 frames and
 * a value stack of 1024 slots (the same loop with plain calls exhausts them), tail calls
 * to host functions, callees with larger frames, traps in tail callees, tail calls into
 * another instance, fuel. The modules are tests/unit/fixtures/rt_tail.wat and
 * rt_tail_b.wat. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>
#include "weld/runtime.h"
#include "fixtures/rt_tail.h"
#include "fixtures/rt_tail_b.h"

#define N 10000000

typedef struct fx {
    weld_rt_engine *e;
    weld_rt_instance *in;
    int adds;
    uint64_t probes;
    uintptr_t sp_min, sp_max;  /* native stack addresses the probe saw */
} fx;

static weld_status host_add(void *ctx, weld_rt_host_call *call, const uint64_t *a, uint64_t *r)
{
    fx *f = ctx;
    (void)call;
    f->adds++;
    r[0] = (uint32_t)((uint32_t)a[0] + (uint32_t)a[1]);
    return WELD_OK;
}

static weld_status host_probe(void *ctx, weld_rt_host_call *call, const uint64_t *a, uint64_t *r)
{
    fx *f = ctx;
    volatile char here = 0;
    uintptr_t sp = (uintptr_t)&here;
    (void)call; (void)a; (void)r;
    if (!f->probes || sp < f->sp_min) f->sp_min = sp;
    if (!f->probes || sp > f->sp_max) f->sp_max = sp;
    f->probes++;
    return WELD_OK;
}

static fx *setup_fuel(uint64_t fuel)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    weld_rt_limits lim = {0};
    lim.max_call_depth = 16;
    lim.stack_slots = 1024;
    lim.fuel = fuel;
    f->e = weld_rt_engine_new(&lim);
    assert_non_null(f->e);
    weld_diag d;
    weld_diag_init(&d, "rt_tail.wasm");
    weld_rt_module *m = NULL;
    assert_int_equal(weld_rt_module_load(f->e, rt_tail_wasm, rt_tail_wasm_len, &m, &d), WELD_OK);
    static const weld_valtype ii[2] = {WELD_I32, WELD_I32}, i[1] = {WELD_I32}, l[1] = {WELD_I64};
    weld_functype tadd = {2, 1, ii, i}, tprobe = {1, 0, l, NULL};
    weld_rt_extern imps[2] = {{WELD_EXTERN_FUNC, {.func = weld_rt_func_new_host(f->e, &tadd, host_add, f)}},
                              {WELD_EXTERN_FUNC, {.func = weld_rt_func_new_host(f->e, &tprobe, host_probe, f)}}};
    assert_int_equal(weld_rt_instantiate(f->e, m, imps, 2, &f->in, &d), WELD_OK);
    return f;
}

static int setup(void **state)
{
    *state = setup_fuel(0);
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    weld_rt_engine_free(f->e);
    free(f);
    return 0;
}

/* Call export `name` with the arguments (each of the parameter's type, given as 64 bits);
 * the status, the first result's bits in *out. */
static weld_status call(fx *f, const char *name, uint32_t nargs, const uint64_t *args,
                        uint64_t *out, weld_diag *d)
{
    weld_rt_extern x;
    assert_true(weld_rt_instance_export(f->in, name, &x));
    assert_int_equal(x.kind, WELD_EXTERN_FUNC);
    const weld_functype *t = weld_rt_func_type(x.u.func);
    assert_int_equal(t->nparams, nargs);
    weld_rt_val av[4], rv[1];
    for (uint32_t i = 0; i < nargs; i++) {
        av[i].type = t->params[i];
        if (t->params[i] == WELD_I64) av[i].u.i64 = (int64_t)args[i];
        else av[i].u.i32 = (int32_t)args[i];
    }
    weld_diag_init(d, NULL);
    weld_status st = weld_rt_call(f->e, x.u.func, av, nargs, rv, t->nresults, d);
    if (!st && t->nresults)
        *out = rv[0].type == WELD_I64 ? (uint64_t)rv[0].u.i64 : (uint64_t)(uint32_t)rv[0].u.i32;
    return st;
}

static void test_return_call_loop(void **state)
{
    weld_diag d;
    uint64_t r = 0, a[2] = {N, 5};
    assert_int_equal(call(*state, "count", 2, a, &r, &d), WELD_OK);
    assert_int_equal(r, N + 5);
    /* the same recursion with plain calls needs a frame per iteration: 16 are not enough */
    a[0] = 100;
    assert_int_equal(call(*state, "count_call", 2, a, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "call stack exhausted");
    a[0] = 10;
    assert_int_equal(call(*state, "count_call", 2, a, &r, &d), WELD_OK);
    assert_int_equal(r, 15);
}

static void test_mutual_recursion(void **state)
{
    weld_diag d;
    uint64_t r = 9, a[1] = {N};
    assert_int_equal(call(*state, "even", 1, a, &r, &d), WELD_OK);
    assert_int_equal(r, 1);
    assert_int_equal(call(*state, "odd", 1, a, &r, &d), WELD_OK);
    assert_int_equal(r, 0);
    a[0] = N + 1;
    assert_int_equal(call(*state, "even", 1, a, &r, &d), WELD_OK);
    assert_int_equal(r, 0);
    /* through the table with return_call_indirect */
    assert_int_equal(call(*state, "even_ind", 1, a, &r, &d), WELD_OK);
    assert_int_equal(r, 0);
    a[0] = N;
    assert_int_equal(call(*state, "even_ind", 1, a, &r, &d), WELD_OK);
    assert_int_equal(r, 1);
    assert_int_equal(call(*state, "count_ind", 1, a, &r, &d), WELD_OK);
    assert_int_equal(r, 77);
}

static void test_tail_call_host(void **state)
{
    fx *f = *state;
    weld_diag d;
    uint64_t r = 0, a[3] = {1000000, 40, 2};
    assert_int_equal(call(f, "to_host", 3, a, &r, &d), WELD_OK);
    assert_int_equal(r, 42);
    assert_int_equal(f->adds, 1);
    a[0] = 0x7fffffff;
    a[1] = 1;
    assert_int_equal(call(f, "to_host_ind", 2, a, &r, &d), WELD_OK);
    assert_int_equal(r, 0x80000000u);
    assert_int_equal(f->adds, 2);
    assert_int_equal(call(f, "bad_type", 0, NULL, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "indirect call type mismatch");
    assert_int_equal(f->adds, 2);
}

static void test_constant_native_stack(void **state)
{
    fx *f = *state;
    weld_diag d;
    uint64_t r = 0, a[1] = {N};
    assert_int_equal(call(f, "probe_loop", 1, a, &r, &d), WELD_OK);
    assert_int_equal(r, 5);
    assert_int_equal(f->probes, N);
    /* every host call of the loop ran at the same native stack depth */
    assert_int_equal(f->sp_min, f->sp_max);
}

static void test_frame_sizes(void **state)
{
    weld_diag d;
    uint64_t r = 0, a[1] = {1};
    /* small(1) -> wide(1, ...): 1 + 7 + 4 + a zeroed local */
    assert_int_equal(call(*state, "small", 1, a, &r, &d), WELD_OK);
    assert_int_equal(r, 12);
    /* small and wide alternate 2 * 10^6 times; wide's locals start at zero each time */
    a[0] = 1000000;
    assert_int_equal(call(*state, "small", 1, a, &r, &d), WELD_OK);
    assert_int_equal(r, 12);
}

static void test_trap_in_tail_callee(void **state)
{
    fx *f = *state;
    weld_diag d;
    uint64_t r = 0, a[1] = {3};
    assert_int_equal(call(f, "outer", 1, a, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "unreachable");
    const char *bt = weld_rt_backtrace(f->e);
    const char *boom = strstr(bt, "boom"), *outer = strstr(bt, "outer");
    assert_non_null(boom);
    assert_non_null(outer);
    assert_true(boom < outer);
    assert_null(strstr(bt, "via")); /* its frame was replaced */
    /* the engine is usable afterwards */
    a[0] = 4;
    assert_int_equal(call(f, "even", 1, a, &r, &d), WELD_OK);
    assert_int_equal(r, 1);
}

static void test_cross_instance(void **state)
{
    fx *f = *state;
    weld_diag d;
    weld_diag_init(&d, "rt_tail_b.wasm");
    weld_rt_module *m = NULL;
    assert_int_equal(weld_rt_module_load(f->e, rt_tail_b_wasm, rt_tail_b_wasm_len, &m, &d), WELD_OK);
    weld_rt_extern imps[2];
    assert_true(weld_rt_instance_export(f->in, "peek", &imps[0]));
    assert_true(weld_rt_instance_export(f->in, "count", &imps[1]));
    weld_rt_instance *a = f->in, *b = NULL;
    assert_int_equal(weld_rt_instantiate(f->e, m, imps, 2, &b, &d), WELD_OK);
    f->in = b;
    uint64_t r = 0, a0[1] = {0};
    /* the tail callee reads its own instance's memory ("A"), not the caller's ("B") */
    assert_int_equal(call(f, "peek_a", 1, a0, &r, &d), WELD_OK);
    assert_int_equal(r, 'A');
    assert_int_equal(call(f, "peek_a_ind", 1, a0, &r, &d), WELD_OK);
    assert_int_equal(r, 'A');
    /* and the caller's memory is back after it: 'A' * 256 + 'A' + ('B' - 'A') */
    assert_int_equal(call(f, "both", 1, a0, &r, &d), WELD_OK);
    assert_int_equal(r, 'A' * 256 + 'B');
    a0[0] = N;
    assert_int_equal(call(f, "count_a", 1, a0, &r, &d), WELD_OK);
    assert_int_equal(r, N);
    f->in = a;
}

static void test_fuel(void **state)
{
    (void)state;
    fx *f = setup_fuel(100000);
    weld_diag d;
    uint64_t r = 0, a[2] = {1000, 0};
    assert_int_equal(call(f, "count", 2, a, &r, &d), WELD_OK);
    assert_int_equal(r, 1000);
    /* each iteration costs fuel: a long tail-call loop runs out */
    a[0] = N;
    assert_int_equal(call(f, "count", 2, a, &r, &d), WELD_ERR_TRAP);
    assert_string_equal(d.message, "all fuel consumed");
    a[0] = 1000;
    assert_int_equal(call(f, "count", 2, a, &r, &d), WELD_OK);
    assert_int_equal(r, 1000);
    weld_rt_engine_free(f->e);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_return_call_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutual_recursion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tail_call_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constant_native_stack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frame_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trap_in_tail_callee, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cross_instance, setup, teardown),
        cmocka_unit_test(test_fuel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
