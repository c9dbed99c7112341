/* test_newcomp.c - core module to component: the embedded world section, weld_new_component
 * on small hand-built modules (lifts, a lowered $root import, _initialize), and the
 * diagnostics for what does not match. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "weld/component.h"
#include "weld/newcomp.h"
#include "weld/validate.h"
#include "weld/wit.h"
#include "newcomp/newcomp_int.h"

static const char WIT[] =
    "package t:u@1.0.0;\n"
    "interface names { get: func() -> string; }\n"
    "world w {\n"
    "  import f: func(x: u32) -> u32;\n"
    "  import names;\n"
    "  export run: func(s: string) -> u32;\n"
    "}\n";

typedef struct bytes {
    uint8_t b[1024];
    size_t n;
} bytes;

static void put(bytes *o, const void *p, size_t n)
{
    assert_true(o->n + n <= sizeof o->b);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}
static void byte(bytes *o, uint8_t v) { put(o, &v, 1); }
static void name(bytes *o, const char *s)
{
    byte(o, (uint8_t)strlen(s));
    put(o, s, strlen(s));
}
/* a section whose payload (under 128 bytes) is in p */
static void section(bytes *o, uint8_t id, const bytes *p)
{
    assert_true(p->n < 128);
    byte(o, id);
    byte(o, (uint8_t)p->n);
    put(o, p->b, p->n);
}

/* A module for world w: imports $root.f (and names.get when `with_get`), exports memory,
 * cabi_realloc and `run_name` of type (i32 i32)->i32 (or (i32)->i32 when `bad_type`). */
static void module(bytes *o, const char *run_name, bool bad_type, bool with_get)
{
    static const uint8_t pre[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    bytes s;
    memset(o, 0, sizeof *o);
    put(o, pre, 8);
    memset(&s, 0, sizeof s); /* types: 0 (i32)->i32, 1 (i32 x4)->i32, 2 (i32 i32)->i32, 3 (i32)->() */
    static const uint8_t types[] = {4, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f,
                                    0x60, 2, 0x7f, 0x7f, 1, 0x7f, 0x60, 1, 0x7f, 0};
    put(&s, types, sizeof types);
    section(o, 1, &s);
    memset(&s, 0, sizeof s);
    byte(&s, with_get ? 2 : 1);
    name(&s, "$root");
    name(&s, "f");
    byte(&s, 0);
    byte(&s, 0);
    if (with_get) {
        name(&s, "t:u/names@1.0.0");
        name(&s, "get");
        byte(&s, 0);
        byte(&s, 3);
    }
    section(o, 2, &s);
    memset(&s, 0, sizeof s);
    byte(&s, 2);
    byte(&s, 1);
    byte(&s, bad_type ? 0 : 2);
    section(o, 3, &s);
    memset(&s, 0, sizeof s);
    static const uint8_t mem[] = {1, 0, 1};
    put(&s, mem, sizeof mem);
    section(o, 5, &s);
    uint8_t nimp = with_get ? 2 : 1;
    memset(&s, 0, sizeof s);
    byte(&s, 3);
    name(&s, "memory");
    byte(&s, 2);
    byte(&s, 0);
    name(&s, "cabi_realloc");
    byte(&s, 0);
    byte(&s, nimp);
    name(&s, run_name);
    byte(&s, 0);
    byte(&s, (uint8_t)(nimp + 1));
    section(o, 7, &s);
    memset(&s, 0, sizeof s);
    static const uint8_t code[] = {2, 4, 0, 0x41, 0, 0x0b, 4, 0, 0x41, 0, 0x0b};
    put(&s, code, sizeof code);
    section(o, 10, &s);
}

static weld_wit_resolve *load(weld_arena *a, uint32_t *world)
{
    weld_wit_resolve *r = weld_wit_resolve_new(a);
    weld_diag d;
    weld_diag_init(&d, "t.wit");
    uint32_t main = 0;
    assert_int_equal(weld_wit_add_source(r, "t.wit", WIT, strlen(WIT), &main, &d), WELD_OK);
    assert_int_equal(weld_wit_select_world(r, main, "w", world, &d), WELD_OK);
    return r;
}

static weld_status make(const char *run_name, bool bad_type, bool with_get, weld_strenc enc, uint8_t **out,
                        size_t *n, weld_diag *d)
{
    weld_arena *a = weld_arena_new();
    uint32_t w;
    weld_wit_resolve *r = load(a, &w);
    bytes m;
    module(&m, run_name, bad_type, with_get);
    uint8_t *e = NULL;
    size_t en = 0;
    weld_status st = weld_embed(m.b, m.n, r, w, enc, &e, &en, d);
    if (st == WELD_OK) st = weld_new_component(e, en, NULL, out, n, d);
    free(e);
    weld_arena_free(a);
    return st;
}

static void test_payload(void **state)
{
    (void)state;
    weld_arena *a = weld_arena_new();
    uint32_t w;
    weld_wit_resolve *r = load(a, &w);
    uint8_t *p = NULL;
    size_t n = 0;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_embed_payload(r, w, WELD_STRENC_UTF16, &p, &n, &d), WELD_OK);
    /* wit-component-encoding: version 4, utf16 */
    static const uint8_t enc[] = {0x00, 0x19, 0x16};
    assert_memory_equal(p + 8, enc, sizeof enc);
    assert_memory_equal(p + 11, "wit-component-encoding\x04\x01", 24);
    /* decodes back to a package with world w */
    weld_arena *b = weld_arena_new();
    weld_wit_resolve *s = weld_wit_resolve_new(b);
    uint32_t main = 0, w2 = 0;
    bool is_pkg = false;
    assert_int_equal(weld_wit_decode(s, p, n, &main, &is_pkg, &d), WELD_OK);
    assert_true(is_pkg);
    assert_int_equal(weld_wit_select_world(s, main, "w", &w2, &d), WELD_OK);
    assert_int_equal(s->worlds[w2].nexports, 1);
    free(p);
    weld_arena_free(b);
    weld_arena_free(a);
}

static void test_embed_replaces(void **state)
{
    (void)state;
    weld_arena *a = weld_arena_new();
    uint32_t w;
    weld_wit_resolve *r = load(a, &w);
    bytes m;
    module(&m, "run", false, false);
    uint8_t *e1 = NULL, *e2 = NULL;
    size_t n1 = 0, n2 = 0;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_embed(m.b, m.n, r, w, WELD_STRENC_UTF8, &e1, &n1, &d), WELD_OK);
    assert_int_equal(weld_embed(e1, n1, r, w, WELD_STRENC_UTF8, &e2, &n2, &d), WELD_OK);
    assert_int_equal(n1, n2);
    assert_memory_equal(e1, e2, n1);
    free(e1);
    free(e2);
    weld_arena_free(a);
}

static void test_new_ok(void **state)
{
    (void)state;
    uint8_t *c = NULL;
    size_t n = 0;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(make("run", false, true, WELD_STRENC_UTF8, &c, &n, &d), WELD_OK);
    assert_true(weld_is_component(c, n));
    weld_arena *a = weld_arena_new();
    weld_component *comp = NULL;
    assert_int_equal(weld_component_read(a, c, n, NULL, &comp, &d), WELD_OK);
    assert_int_equal(weld_validate_component(comp, &d), WELD_OK);
    /* its world: imports f and names, exports run */
    weld_wit_resolve *r = weld_wit_resolve_new(a);
    uint32_t main = 0;
    bool is_pkg = true;
    assert_int_equal(weld_wit_decode(r, c, n, &main, &is_pkg, &d), WELD_OK);
    assert_false(is_pkg);
    const weld_wit_world *w = &r->worlds[r->packages[main].worlds[0].id];
    assert_int_equal(w->nimports, 2);
    assert_int_equal(w->nexports, 1);
    assert_string_equal(w->exports[0].name, "run");
    free(c);
    weld_arena_free(a);
}

static void test_unused_import_pruned(void **state)
{
    (void)state;
    uint8_t *c = NULL;
    size_t n = 0;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(make("run", false, false, WELD_STRENC_UTF8, &c, &n, &d), WELD_OK);
    weld_arena *a = weld_arena_new();
    weld_wit_resolve *r = weld_wit_resolve_new(a);
    uint32_t main = 0;
    bool is_pkg = true;
    assert_int_equal(weld_wit_decode(r, c, n, &main, &is_pkg, &d), WELD_OK);
    const weld_wit_world *w = &r->worlds[r->packages[main].worlds[0].id];
    assert_int_equal(w->nimports, 1); /* names is not called: left out */
    free(c);
    weld_arena_free(a);
}

static void test_errors(void **state)
{
    (void)state;
    uint8_t *c = NULL;
    size_t n = 0;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(make("runn", false, false, WELD_STRENC_UTF8, &c, &n, &d), WELD_ERR_LINK);
    assert_null(c);
    assert_non_null(strstr(d.message, "exports no function `run` (func (param i32 i32) (result i32))"));
    weld_diag_init(&d, NULL);
    assert_int_equal(make("run", true, false, WELD_STRENC_UTF8, &c, &n, &d), WELD_ERR_INVALID);
    assert_non_null(strstr(d.message, "core export `run` has type (func (param i32) (result i32))"));
    assert_true(d.offset != WELD_NO_OFFSET);
    /* no component-type section */
    bytes m;
    module(&m, "run", false, false);
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_new_component(m.b, m.n, NULL, &c, &n, &d), WELD_ERR_USAGE);
    assert_non_null(strstr(d.message, "component-type"));
    /* not a module */
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_new_component((const uint8_t *)"junk", 4, NULL, &c, &n, &d), WELD_ERR_MALFORMED);
}

static weld_module *read_fixture(weld_arena *a, const char *name, uint8_t **data)
{
    const char *root = getenv("WELD_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/fixtures/new/%s", root ? root : ".", name);
    size_t len = 0;
    weld_diag d;
    weld_diag_init(&d, path);
    if (weld_file_read(path, data, &len, &d) != WELD_OK) fail_msg("cannot read %s", path);
    weld_module *m = NULL;
    assert_int_equal(weld_module_read(a, *data, len, NULL, &m, &d), WELD_OK);
    return m;
}

static bool has_export(const weld_module *m, const char *name)
{
    for (uint32_t i = 0; i < m->nexports; i++)
        if (strcmp(m->exports[i].name.ptr, name) == 0) return true;
    return false;
}

static void test_adapter_trim(void **state)
{
    (void)state;
    for (int synth = 0; synth < 2; synth++) {
        weld_arena *a = weld_arena_new();
        uint8_t *data = NULL, *out = NULL;
        size_t n = 0;
        weld_module *m = read_fixture(a, "adapter-mini.core.wasm", &data);
        static const char *const keep[] = {"fd_write", "cabi_import_realloc"};
        weld_diag d;
        weld_diag_init(&d, NULL);
        assert_int_equal(nc_adapter_trim(a, m, keep, 2, synth, &out, &n, &d), WELD_OK);
        weld_module *t = NULL;
        assert_int_equal(weld_module_read(a, out, n, NULL, &t, &d), WELD_OK);
        assert_int_equal(weld_validate_module(t, &d), WELD_OK);
        /* `unused` (reached only from fd_read) and fd_read are gone; the main module's
         * realloc stays for the stack allocator, or becomes a memory.grow allocator */
        assert_int_equal(t->nimported_funcs, synth ? 1 : 2);
        assert_string_equal(t->imports[1].name.ptr, "used");
        assert_true(has_export(t, "fd_write"));
        assert_false(has_export(t, "fd_read"));
        /* in_table, helper, fd_write, cabi_import_realloc, the stack allocator (+ realloc) */
        assert_int_equal(t->nfuncs, synth ? 6 : 5);
        free(out);
        free(data);
        weld_arena_free(a);
    }
}

static void test_add_realloc(void **state)
{
    (void)state;
    weld_arena *a = weld_arena_new();
    uint8_t *data = NULL, *out = NULL;
    size_t n = 0;
    weld_module *m = read_fixture(a, "echo.core.wasm", &data);
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(nc_add_realloc(a, m, &out, &n, &d), WELD_OK);
    weld_module *t = NULL;
    assert_int_equal(weld_module_read(a, out, n, NULL, &t, &d), WELD_OK);
    assert_int_equal(weld_validate_module(t, &d), WELD_OK);
    assert_true(has_export(t, "cabi_realloc"));
    assert_int_equal(t->nglobals, m->nglobals + 2);
    free(out);
    free(data);
    weld_arena_free(a);
}

/* The export named `name`'s index. */
static uint32_t export_index(const weld_module *m, const char *name)
{
    for (uint32_t i = 0; i < m->nexports; i++)
        if (strcmp(m->exports[i].name.ptr, name) == 0) return m->exports[i].index;
    fail_msg("no export %s", name);
    return UINT32_MAX;
}

static void test_dedup_imports(void **state)
{
    (void)state;
    weld_arena *a = weld_arena_new();
    uint8_t *data = NULL, *out = NULL;
    size_t n = 0;
    weld_module *m = read_fixture(a, "../go/dup-calls.core.wasm", &data);
    weld_diag d;
    weld_diag_init(&d, NULL);
    bool changed = false;
    assert_int_equal(nc_dedup_imports(a, m, 0, &changed, &out, &n, &d), WELD_OK);
    assert_true(changed);
    weld_module *t = NULL;
    assert_int_equal(weld_module_read(a, out, n, NULL, &t, &d), WELD_OK);
    assert_int_equal(weld_validate_module(t, &d), WELD_OK);
    /* f (0), g (1); h and r move from 3, 4 to 2, 3; the second f is the first */
    assert_int_equal(t->nimports, 2);
    assert_string_equal(t->imports[0].name.ptr, "f");
    assert_string_equal(t->imports[1].name.ptr, "g");
    assert_int_equal(export_index(t, "h"), 2);
    assert_int_equal(export_index(t, "r"), 3);
    assert_int_equal(export_index(t, "f2"), 0);
    assert_int_equal(t->elems[0].count, 2);
    assert_int_equal(t->elems[0].funcs[0], 0);
    assert_int_equal(t->elems[0].funcs[1], 2);
    /* h: local.get 0, call 0 (was 2), call 1, call 0, end */
    static const uint8_t h_body[] = {0x20, 0x00, 0x10, 0x00, 0x10, 0x01, 0x10, 0x00, 0x0b};
    assert_int_equal(t->code[0].code.len, sizeof h_body);
    assert_memory_equal(t->code[0].code.code, h_body, sizeof h_body);
    /* r: ref.func 0 (was 2) */
    static const uint8_t r_body[] = {0xd2, 0x00, 0x0b};
    assert_int_equal(t->code[1].code.len, sizeof r_body);
    assert_memory_equal(t->code[1].code.code, r_body, sizeof r_body);
    free(out);
    free(data);
    /* nothing repeated: nothing written */
    out = NULL;
    m = read_fixture(a, "echo.core.wasm", &data);
    assert_int_equal(nc_dedup_imports(a, m, 0, &changed, &out, &n, &d), WELD_OK);
    assert_false(changed);
    assert_null(out);
    free(data);
    /* two types under one name */
    m = read_fixture(a, "../go/dup-types.core.wasm", &data);
    assert_int_equal(nc_dedup_imports(a, m, 7, &changed, &out, &n, &d), WELD_ERR_UNSUPPORTED);
    assert_int_equal(d.offset, 7);
    assert_non_null(strstr(d.message, "`wasi_snapshot_preview1` `fd_write` is imported twice with different types"));
    assert_null(out);
    free(data);
    weld_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payload),
        cmocka_unit_test(test_embed_replaces),
        cmocka_unit_test(test_new_ok),
        cmocka_unit_test(test_unused_import_pruned),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_adapter_trim),
        cmocka_unit_test(test_add_realloc),
        cmocka_unit_test(test_dedup_imports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
