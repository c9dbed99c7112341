/* test_compose_rules.c - the composer's library API under wasm-compose's rules and WAC:
 * two instances importing different parts of one interface give one import whose type is
 * the union (its instance type exports both functions, in the importers' order); a
 * wasm-compose configuration with `root:` arguments and `definitions:`; its errors with
 * their positions; WAC loading and its errors with line:col. */
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
    static char path[4][1024];
    static int k;
    const char *root = getenv("WELD_ROOT");
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/fixtures/compose-rules/%s", root ? root : ".", name);
    return path[k];
}

/* The export names of the instance type the composed component's import `name` has. */
static void import_exports(const uint8_t *bytes, size_t n, const char *name, char *out, size_t on)
{
    weld_arena *a = weld_arena_new();
    weld_component *cc;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_component_read(a, bytes, n, NULL, &cc, &d), WELD_OK);
    const weld_ctype *types[64];
    uint32_t nt = 0;
    out[0] = 0;
    for (uint32_t i = 0; i < cc->nsections; i++) {
        const weld_csection *s = &cc->sections[i];
        if (s->id == WELD_CSEC_TYPE)
            for (uint32_t j = 0; j < s->count && nt < 64; j++) types[nt++] = s->u.types[j];
        if (s->id == WELD_CSEC_ALIAS)
            for (uint32_t j = 0; j < s->count && nt < 64; j++)
                if (s->u.aliases[j].sort.sort == WELD_SORT_TYPE) types[nt++] = NULL;
        if (s->id != WELD_CSEC_IMPORT) continue;
        for (uint32_t j = 0; j < s->count; j++) {
            const weld_cimport *im = &s->u.imports[j];
            if (strcmp(im->name.name.ptr, name) != 0 || im->type.kind != WELD_EXT_INSTANCE) continue;
            assert_true(im->type.index < nt && types[im->type.index]);
            const weld_ctype *t = types[im->type.index];
            for (uint32_t k = 0; k < t->u.decls.count; k++)
                if (t->u.decls.decls[k].kind == WELD_DECL_EXPORT) {
                    size_t l = strlen(out);
                    snprintf(out + l, on - l, "%s%s", l ? " " : "", t->u.decls.decls[k].u.ext.name.name.ptr);
                }
        }
    }
    weld_arena_free(a);
}

static void test_union(void **state)
{
    (void)state;
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_compose_pos none = {0, 0};
    weld_composer *c = weld_composer_new();
    uint32_t ka, kb, ia, ib;
    assert_int_equal(weld_composer_add_file(c, "ua", fixture("ua.wasm"), none, &ka, &d), WELD_OK);
    assert_int_equal(weld_composer_add_file(c, "ub", fixture("ub.wasm"), none, &kb, &d), WELD_OK);
    assert_int_equal(weld_composer_add_instance(c, "a", ka, none, &ia, &d), WELD_OK);
    assert_int_equal(weld_composer_add_instance(c, "b", kb, none, &ib, &d), WELD_OK);
    assert_int_equal(weld_composer_add_export(c, ia, "t:r/ua", NULL, none, &d), WELD_OK);
    assert_int_equal(weld_composer_add_export(c, ib, "t:r/ub", NULL, none, &d), WELD_OK);
    assert_int_equal(weld_composer_link(c, NULL, false, &d), WELD_OK);
    uint8_t *out = NULL;
    size_t n = 0;
    assert_int_equal(weld_composer_encode(c, NULL, &out, &n, &d), WELD_OK);
    char names[256];
    import_exports(out, n, "t:r/ops", names, sizeof names);
    assert_string_equal(names, "a b");
    free(out);
    weld_composer_free(c);

    /* ua's a: func() -> u32 and ub-bad's a: func(x: u32) -> u32 do not agree */
    c = weld_composer_new();
    assert_int_equal(weld_composer_add_file(c, "ua", fixture("ua.wasm"), none, &ka, &d), WELD_OK);
    assert_int_equal(weld_composer_add_file(c, "bad", fixture("ub-bad.wasm"), none, &kb, &d), WELD_OK);
    assert_int_equal(weld_composer_add_instance(c, "a", ka, none, &ia, &d), WELD_OK);
    assert_int_equal(weld_composer_add_instance(c, "b", kb, none, &ib, &d), WELD_OK);
    assert_int_equal(weld_composer_link(c, NULL, false, &d), WELD_ERR_LINK);
    assert_non_null(strstr(d.message, "func `a` is `func() -> u32` for instance `a` and `func(x: u32) -> u32` for instance `b`"));
    weld_composer_free(c);
}

static weld_status load_config(weld_composer *c, const char *root, const char *text, weld_diag *d)
{
    weld_wasm_compose_args a = {fixture(root), "c.yml", text, strlen(text), "/", NULL, 0, NULL, 0};
    weld_compose_opts o = {0};
    weld_status st = weld_wasm_compose_load(c, &a, &o, d);
    if (st == WELD_OK) st = weld_composer_link(c, &o, false, d);
    return st;
}

static void test_wasm_compose(void **state)
{
    (void)state;
    weld_diag d;
    weld_diag_init(&d, NULL);
    char text[2048];
    snprintf(text, sizeof text,
             "dependencies:\n  one: %s\n  two: %s\ninstantiations:\n  root:\n    arguments:\n"
             "      \"t:r/num\": two\n", fixture("num1.wasm"), fixture("num2.wasm"));
    weld_composer *c = weld_composer_new();
    assert_int_equal(load_config(c, "app.wasm", text, &d), WELD_OK);
    /* the root and `two`; `one` is not instantiated */
    assert_int_equal(weld_composer_instance_count(c), 2);
    assert_true(weld_composer_instance_feeds(c, weld_composer_find_instance(c, "two")));
    weld_composer_free(c);

    snprintf(text, sizeof text, "definitions: [%s]\n", fixture("num2.wasm"));
    c = weld_composer_new();
    assert_int_equal(load_config(c, "app.wasm", text, &d), WELD_OK);
    assert_true(weld_composer_find_instance(c, "num2") != UINT32_MAX);
    weld_composer_free(c);

    c = weld_composer_new();
    assert_int_equal(load_config(c, "app.wasm", "dependencies:\n  x: { path: a.wasm, bogus: 1 }\n", &d),
                     WELD_ERR_SYNTAX);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 22);
    assert_non_null(strstr(d.message, "unknown key `bogus`"));
    weld_composer_free(c);

    c = weld_composer_new();
    assert_int_equal(load_config(c, "leaf.wasm", "{}\n", &d), WELD_ERR_LINK);
    assert_non_null(strstr(d.message, "does not import any instances"));
    weld_composer_free(c);

    c = weld_composer_new();
    assert_int_equal(load_config(c, "app.wasm", "{}\n", &d), WELD_ERR_LINK);
    assert_non_null(strstr(d.message, "no dependencies of component"));
    weld_composer_free(c);
}

static weld_status load_wac(weld_composer *c, const char *text, weld_diag *d)
{
    char deps[3][1100];
    snprintf(deps[0], sizeof deps[0], "t:ua=%s", fixture("ua.wasm"));
    snprintf(deps[1], sizeof deps[1], "t:ops=%s", fixture("ops.wasm"));
    snprintf(deps[2], sizeof deps[2], "t:ub=%s", fixture("ub.wasm"));
    const char *dv[3] = {deps[0], deps[1], deps[2]};
    weld_compose_opts o = {0};
    weld_status st = weld_wac_load(c, "x.wac", text, strlen(text), "/nonexistent", dv, 3, &o, d);
    if (st == WELD_OK) st = weld_composer_link(c, &o, false, d);
    return st;
}

static void test_wac(void **state)
{
    (void)state;
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_composer *c = weld_composer_new();
    assert_int_equal(load_wac(c, "package a:b;\nlet o = new t:ops {};\n"
                                 "let x = new t:ua { t:r/ops: o };  // the whole instance\n"
                                 "export x.ua as \"t:r/ua\";\n", &d), WELD_OK);
    assert_int_equal(weld_composer_instance_count(c), 2);
    assert_true(weld_composer_instance_feeds(c, weld_composer_find_instance(c, "o")));
    uint8_t *out = NULL;
    size_t n = 0;
    assert_int_equal(weld_composer_encode(c, NULL, &out, &n, &d), WELD_OK);
    free(out);
    weld_composer_free(c);

    static const struct {
        const char *text;
        uint32_t line, col;
        const char *msg;
    } bad[] = {
        {"let x = 1;", 1, 1, "expected `package ns:name;` first"},
        {"package a:b;\nlet x = new t:ua { ... };\nexport x.nope;", 3, 10, "instance `x` has no export `nope`"},
        {"package a:b;\nlet x = new t:ua { };\nexport x.ua;", 2, 5, "import `t:r/ops` has no argument"},
        {"package a:b;\n/* open", 2, 1, "unterminated comment"},
        {"package a:b;\nlet x = new t:ua { ... };\nlet x = new t:ub { ... };", 3, 5, "`x` is already defined"},
        {"package a:b;\nlet x = new t:ua { ... } ;\nexport x[\"t:r/ua\";", 3, 18, "expected `]` after the export name"},
        {"package a:b;\nlet o = new t:ops {};\nlet x = new t:ua { t:r/ops: o.a.b };", 3, 31, "instance `o` has no export `a`"},
        {"package a:b;\nlet x = new t:ua { ... };\nlet y = x.ua;\nexport y.ra;", 4, 10, "is an export of an instance"},
        {"package a:b;\nlet x = new t:ua { ... };\n#", 3, 1, "unexpected character `#`"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        c = weld_composer_new();
        weld_diag_init(&d, NULL);
        assert_int_not_equal(load_wac(c, bad[i].text, &d), WELD_OK);
        if (!strstr(d.message, bad[i].msg) || d.line != bad[i].line || d.col != bad[i].col)
            fail_msg("case %zu: %u:%u %s", i, d.line, d.col, d.message);
        weld_composer_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_union),
        cmocka_unit_test(test_wasm_compose),
        cmocka_unit_test(test_wac),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
