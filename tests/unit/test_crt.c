/* test_crt.c - the component runtime: instantiation (host imports, nested components and
 * fused calls between them, resources), the linker's name matching, missing imports, and
 * traps of the resource rules. Fixtures: fixtures/crt/ (component text beside binaries). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "weld/crt.h"

static uint8_t *load_fixture(const char *name, size_t *len)
{
    char path[512];
    const char *root = getenv("WELD_ROOT");
    snprintf(path, sizeof path, "%s/fixtures/crt/%s", root ? root : ".", name);
    uint8_t *data = NULL;
    weld_diag d;
    weld_diag_init(&d, path);
    assert_int_equal(weld_file_read(path, &data, len, &d), WELD_OK);
    return data;
}

static weld_crt_component *load(weld_crt *rt, const char *name)
{
    size_t len;
    uint8_t *data = load_fixture(name, &len);
    weld_crt_component *c = NULL;
    weld_diag d;
    weld_diag_init(&d, name);
    weld_status st = weld_crt_component_load(rt, data, len, &c, &d);
    if (st) fprintf(stderr, "%s: %s\n", name, d.message);
    assert_int_equal(st, WELD_OK);
    free(data);
    return c;
}

static weld_crt_instance *instantiate(weld_crt *rt, weld_crt_component *c, weld_crt_linker *l)
{
    weld_crt_instance *i = NULL;
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_status st = weld_crt_instantiate(rt, c, l, &i, &d);
    if (st) fprintf(stderr, "instantiate: %s\n", d.message);
    assert_int_equal(st, WELD_OK);
    return i;
}

/* Call a function taking nothing or one string, returning a string or a u32. */
static weld_status call(weld_crt *rt, weld_crt_instance *i, const char *name, const char *arg,
                        weld_cval *res, weld_diag *d)
{
    weld_crt_func *f = weld_crt_instance_func(i, name);
    assert_non_null(f);
    weld_cval a = arg ? weld_cval_string(arg) : (weld_cval){0};
    weld_status st = weld_crt_call(rt, f, &a, arg ? 1 : 0, res, d);
    weld_cval_free(&a);
    return st;
}

static void exported_instance_function(void **state)
{
    (void)state;
    weld_crt *rt = weld_crt_new(NULL);
    weld_crt_instance *i = instantiate(rt, load(rt, "names.wasm"), NULL);
    weld_cval res;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(call(rt, i, "demo:greeter/names@0.1.0#get-name", NULL, &res, &d), WELD_OK);
    assert_string_equal(res.u.str.ptr, "weld");
    assert_int_equal(res.u.str.len, 4);
    weld_cval_free(&res);
    /* the plain interface name and the name without version find it too */
    assert_non_null(weld_crt_instance_func(i, "names#get-name"));
    assert_non_null(weld_crt_instance_func(i, "demo:greeter/names#get-name"));
    assert_null(weld_crt_instance_func(i, "names#nope"));
    assert_null(weld_crt_instance_func(i, "get-name"));
    weld_crt_free(rt);
}

static weld_status host_get_name(void *ctx, weld_crt_host_call *call, const weld_cval *args,
                                 uint32_t nargs, weld_cval *result)
{
    (void)call, (void)args;
    assert_int_equal(nargs, 0);
    (*(int *)ctx)++;
    *result = weld_cval_string("host");
    return WELD_OK;
}

static void host_import(void **state)
{
    (void)state;
    weld_crt *rt = weld_crt_new(NULL);
    weld_crt_component *c = load(rt, "greet.wasm");
    weld_crt_linker *l = weld_crt_linker_new(rt);
    int calls = 0;
    /* 0.1.3 is semver-compatible with the import's 0.1.0 */
    assert_int_equal(weld_crt_linker_func(l, "demo:greeter/names@0.1.3", "get-name", host_get_name,
                                          &calls), WELD_OK);
    weld_crt_instance *i = instantiate(rt, c, l);
    weld_cval res;
    weld_diag d;
    weld_diag_init(&d, NULL);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(call(rt, i, "greet", "Hello", &res, &d), WELD_OK);
        assert_string_equal(res.u.str.ptr, "Hello, host!");
        weld_cval_free(&res);
    }
    assert_int_equal(calls, 3);
    weld_crt_free(rt);
}

static void missing_imports(void **state)
{
    (void)state;
    weld_crt *rt = weld_crt_new(NULL);
    weld_crt_component *c = load(rt, "greet.wasm");
    weld_crt_linker *l = weld_crt_linker_new(rt);
    int calls = 0;
    /* 0.2.0 is not compatible with 0.1.0 */
    assert_int_equal(weld_crt_linker_func(l, "demo:greeter/names@0.2.0", "get-name", host_get_name,
                                          &calls), WELD_OK);
    weld_crt_instance *i = NULL;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_crt_instantiate(rt, c, l, &i, &d), WELD_ERR_LINK);
    assert_null(i);
    assert_non_null(strstr(d.message, "1 import(s) not provided"));
    assert_non_null(strstr(d.message, "demo:greeter/names@0.1.0"));
    assert_non_null(strstr(d.message, "get-name"));
    assert_non_null(strstr(d.message, "func() -> string"));
    assert_int_equal(calls, 0);
    weld_crt_free(rt);
}

static void fused_call(void **state)
{
    (void)state;
    weld_crt *rt = weld_crt_new(NULL);
    weld_crt_instance *i = instantiate(rt, load(rt, "greet-names.wasm"), NULL);
    weld_cval res;
    weld_diag d;
    weld_diag_init(&d, NULL);
    for (int k = 0; k < 100; k++) {
        assert_int_equal(call(rt, i, "greet", "Hi", &res, &d), WELD_OK);
        assert_string_equal(res.u.str.ptr, "Hi, weld!");
        weld_cval_free(&res);
    }
    weld_crt_free(rt);
}

static void host_resources(void **state)
{
    (void)state;
    weld_crt *rt = weld_crt_new(NULL);
    weld_crt_instance *i = instantiate(rt, load(rt, "counter.wasm"), NULL);
    weld_crt_func *ctor = weld_crt_instance_func(i, "weld:test/counters#[constructor]counter");
    weld_crt_func *inc = weld_crt_instance_func(i, "counters#[method]counter.inc");
    weld_crt_func *drops = weld_crt_instance_func(i, "drops");
    assert_non_null(ctor);
    assert_non_null(inc);
    assert_non_null(drops);
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_cval start = {.u.u = 40}, own, n;
    assert_int_equal(weld_crt_call(rt, ctor, &start, 1, &own, &d), WELD_OK);
    assert_non_null(own.u.res.rt);
    assert_string_equal(weld_crt_resource_type_name(own.u.res.rt), "counter");
    weld_cval borrow = {.u.res = {own.u.res.rep, own.u.res.rt}};
    assert_int_equal(weld_crt_call(rt, inc, &borrow, 1, &n, &d), WELD_OK);
    assert_int_equal(n.u.u, 41);
    assert_int_equal(weld_crt_call(rt, inc, &borrow, 1, &n, &d), WELD_OK);
    assert_int_equal(n.u.u, 42);
    assert_int_equal(weld_crt_call(rt, drops, NULL, 0, &n, &d), WELD_OK);
    assert_int_equal(n.u.u, 0);
    assert_int_equal(weld_crt_resource_drop(rt, &own, &d), WELD_OK);
    assert_int_equal(weld_crt_call(rt, drops, NULL, 0, &n, &d), WELD_OK);
    assert_int_equal(n.u.u, 1);
    weld_crt_free(rt);
}

static void guest_resources(void **state)
{
    (void)state;
    weld_crt *rt = weld_crt_new(NULL);
    weld_crt_instance *i = instantiate(rt, load(rt, "counter-composed.wasm"), NULL);
    weld_cval res;
    weld_diag d;
    weld_diag_init(&d, NULL);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(call(rt, i, "run", NULL, &res, &d), WELD_OK);
        assert_int_equal(res.u.u, 42);
    }
    assert_int_equal(call(rt, i, "use-after-drop", NULL, &res, &d), WELD_ERR_TRAP);
    assert_non_null(strstr(d.message, "unknown handle index"));
    weld_crt_free(rt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exported_instance_function),
        cmocka_unit_test(host_import),
        cmocka_unit_test(missing_imports),
        cmocka_unit_test(fused_call),
        cmocka_unit_test(host_resources),
        cmocka_unit_test(guest_resources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
