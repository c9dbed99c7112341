/* test_compose.c - the composer's library API: semver-aware name matching, building and
 * linking a graph, encoding (deterministic, re-readable), spec loading errors with their
 * positions, and the graph errors (unknown import, cycle, ambiguity, type mismatch). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "weld/compose.h"

static const char *fixture(const char *name)
{
    static char path[1024];
    const char *root = getenv("WELD_ROOT");
    snprintf(path, sizeof path, "%s/fixtures/compose/%s", root ? root : ".", name);
    return path;
}

static void test_semver(void **state)
{
    (void)state;
    uint64_t r1, r2;
    assert_true(weld_compose_name_matches("a:b/c@0.2.0", "a:b/c@0.2.0", &r1));
    assert_true(r1 == UINT64_MAX);
    assert_true(weld_compose_name_matches("a:b/c@0.2.0", "a:b/c@0.2.1", &r1));
    assert_true(weld_compose_name_matches("a:b/c@0.2.0", "a:b/c@0.2.3", &r2));
    assert_true(r2 > r1);
    assert_false(weld_compose_name_matches("a:b/c@0.2.1", "a:b/c@0.2.0", NULL));
    assert_false(weld_compose_name_matches("a:b/c@0.2.0", "a:b/c@0.3.0", NULL));
    assert_true(weld_compose_name_matches("a:b/c@1.0.0", "a:b/c@1.4.2", NULL));
    assert_false(weld_compose_name_matches("a:b/c@1.5.0", "a:b/c@1.4.2", NULL));
    assert_false(weld_compose_name_matches("a:b/c@1.0.0", "a:b/c@2.0.0", NULL));
    assert_false(weld_compose_name_matches("a:b/c@0.0.1", "a:b/c@0.0.2", NULL));
    assert_true(weld_compose_name_matches("a:b/c@0.0.1", "a:b/c@0.0.1", NULL));
    assert_false(weld_compose_name_matches("a:b/c@0.2.0", "a:b/c@0.2.1-rc.1", NULL));
    assert_false(weld_compose_name_matches("a:b/c@0.2.0-rc.1", "a:b/c@0.2.1", NULL));
    assert_false(weld_compose_name_matches("a:b/c@0.2.0", "a:b/d@0.2.0", NULL));
    assert_false(weld_compose_name_matches("a:b/c", "a:b/c@0.2.0", NULL));
    assert_true(weld_compose_name_matches("run", "run", NULL));
}

/* calc <- adder through the API; returns the composer (linked). */
static weld_composer *calc_adder(bool explicit_arg, weld_diag *d)
{
    weld_composer *c = weld_composer_new();
    assert_non_null(c);
    weld_compose_pos none = {0, 0};
    uint32_t kc, ka, ic, ia;
    assert_int_equal(weld_composer_add_file(c, "calc", fixture("calc.wasm"), none, &kc, d), WELD_OK);
    assert_int_equal(weld_composer_add_file(c, "adder", fixture("adder.wasm"), none, &ka, d), WELD_OK);
    assert_int_equal(weld_composer_add_instance(c, "adder", ka, none, &ia, d), WELD_OK);
    assert_int_equal(weld_composer_add_instance(c, "calc", kc, none, &ic, d), WELD_OK);
    if (explicit_arg)
        assert_int_equal(weld_composer_add_arg(c, ic, "t:math/add@0.2.0", ia, NULL, none, d), WELD_OK);
    assert_int_equal(weld_composer_add_export(c, ic, "run", "go", none, d), WELD_OK);
    weld_compose_opts o = {.auto_plug = !explicit_arg};
    assert_int_equal(weld_composer_link(c, &o, false, d), WELD_OK);
    return c;
}

static void test_encode(void **state)
{
    (void)state;
    weld_diag d;
    weld_diag_init(&d, NULL);
    uint8_t *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    weld_composer *c1 = calc_adder(true, &d), *c2 = calc_adder(false, &d);
    assert_int_equal(weld_composer_encode(c1, NULL, &a, &na, &d), WELD_OK);
    assert_int_equal(weld_composer_encode(c2, NULL, &b, &nb, &d), WELD_OK);
    /* explicit and auto-plugged arguments give the same bytes */
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    assert_true(weld_is_component(a, na));
    weld_arena *ar = weld_arena_new();
    weld_component *cc;
    assert_int_equal(weld_component_read(ar, a, na, NULL, &cc, &d), WELD_OK);
    /* the export is renamed */
    bool found = false;
    for (uint32_t i = 0; i < cc->nsections; i++)
        if (cc->sections[i].id == WELD_CSEC_EXPORT)
            for (uint32_t j = 0; j < cc->sections[i].count; j++)
                found |= strcmp(cc->sections[i].u.exports[j].name.name.ptr, "go") == 0;
    assert_true(found);
    char *g = NULL;
    size_t gl;
    assert_int_equal(weld_graph_from_component(a, na, "x", WELD_GRAPH_JSON, &g, &gl, &d), WELD_OK);
    assert_non_null(strstr(g, "\"import\": \"t:math/add@0.2.0\", \"export\": \"t:math/add@0.2.1\""));
    free(g);
    assert_int_equal(weld_composer_graph(c1, WELD_GRAPH_DOT, &g, &gl, &d), WELD_OK);
    assert_non_null(strstr(g, "digraph composition"));
    free(g);
    weld_arena_free(ar);
    free(a);
    free(b);
    weld_composer_free(c1);
    weld_composer_free(c2);
}

static void test_errors(void **state)
{
    (void)state;
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_compose_pos at = {7, 3};
    weld_composer *c = weld_composer_new();
    uint32_t kc, kb, ic, ib, ip, iq, kp, kq;
    assert_int_equal(weld_composer_add_file(c, "calc", fixture("calc.wasm"), at, &kc, &d), WELD_OK);
    assert_int_equal(weld_composer_add_file(c, "bad", fixture("adder-bad.wasm"), at, &kb, &d), WELD_OK);
    assert_int_equal(weld_composer_add_file(c, "calc", fixture("calc.wasm"), at, NULL, &d), WELD_ERR_USAGE);
    assert_int_equal(weld_composer_add_file(c, "x", fixture("nope.wasm"), at, NULL, &d), WELD_ERR_IO);
    assert_int_equal(weld_composer_add_instance(c, "c", kc, at, &ic, &d), WELD_OK);
    assert_int_equal(weld_composer_add_instance(c, "b", kb, at, &ib, &d), WELD_OK);
    weld_composer_set_spec_file(c, "s.yaml");
    assert_int_equal(weld_composer_add_arg(c, ic, "t:math/mul@0.2.0", ib, NULL, at, &d), WELD_ERR_USAGE);
    assert_int_equal(d.line, 7);
    assert_int_equal(d.col, 3);
    assert_non_null(strstr(d.message, "has no import `t:math/mul@0.2.0`"));
    assert_int_equal(weld_composer_add_arg(c, ic, "t:math/add", ib, NULL, at, &d), WELD_OK);
    uint8_t *out = NULL;
    size_t n;
    assert_int_equal(weld_composer_encode(c, NULL, &out, &n, &d), WELD_ERR_USAGE);
    assert_int_equal(weld_composer_link(c, NULL, false, &d), WELD_ERR_LINK);
    assert_non_null(strstr(d.message, "expected `func(a: u32, b: u32) -> u32`, found `func(a: u32, b: u32) -> u64`"));
    weld_composer_free(c);

    c = weld_composer_new();
    weld_compose_pos none = {0, 0};
    assert_int_equal(weld_composer_add_file(c, "ping", fixture("ping.wasm"), none, &kp, &d), WELD_OK);
    assert_int_equal(weld_composer_add_file(c, "pong", fixture("pong.wasm"), none, &kq, &d), WELD_OK);
    assert_int_equal(weld_composer_add_instance(c, "p", kp, none, &ip, &d), WELD_OK);
    assert_int_equal(weld_composer_add_instance(c, "q", kq, none, &iq, &d), WELD_OK);
    weld_compose_opts o = {.auto_plug = true};
    assert_int_equal(weld_composer_link(c, &o, true, &d), WELD_ERR_LINK);
    assert_non_null(strstr(d.message, "dependency cycle: `p` -> `q` -> `p`"));
    assert_non_null(strstr(weld_composer_explanation(c), "=> taken: `q` export `t:cyc/pong@0.1.0`"));
    weld_composer_free(c);
}

static void test_spec_errors(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        uint32_t line, col;
        const char *msg;
    } cases[] = {
        {"components: {}\nexport: []\n", 2, 1, "unknown key `export`"},
        {"components: 3\n", 1, 13, "components: expected a mapping, found a scalar"},
        {"- a\n", 1, 1, "expected a mapping, found a list"},
        {"components: { a: x.wasm }\n", 1, 18, "file `x.wasm` not found"},
        {"components: {}\ninstances: { a: { component: b } }\n", 2, 30, "unknown component `b`"},
        {"components: {}\noptions: { auto-plug: 2 }\n", 2, 23, "expected true or false"},
        {"components: {}\nexports: [ { as: x } ]\n", 2, 12, "missing key `instance`"},
        {"components: [\n", 2, 1, "YAML: "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        weld_composer *c = weld_composer_new();
        weld_diag d;
        weld_diag_init(&d, "s.yaml");
        weld_compose_opts o = {0};
        weld_status st = weld_compose_spec_load(c, "s.yaml", cases[i].src, strlen(cases[i].src), ".", &o, &d);
        assert_int_not_equal(st, WELD_OK);
        if (d.line != cases[i].line || d.col != cases[i].col || !strstr(d.message, cases[i].msg))
            fail_msg("case %zu: got %u:%u %s", i, d.line, d.col, d.message);
        weld_composer_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_semver),
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_spec_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
