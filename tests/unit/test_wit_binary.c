/* test_wit_binary.c - WIT packages as component binaries (encode, decode), a component's
 * world decoded, audit globs, and the producers reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "weld/wit.h"
#include "weld/audit.h"
#include "weld/component.h"
#include "weld/producers.h"

static char *print_main(const weld_wit_resolve *r, uint32_t main)
{
    char *out = NULL;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_wit_print(r, main, NULL, 0, &out, NULL, &d), WELD_OK);
    return out;
}

/* source -> encode -> decode -> print equals source -> print */
static void roundtrip(const char *src)
{
    weld_arena *a = weld_arena_new(), *b = weld_arena_new();
    weld_wit_resolve *r = weld_wit_resolve_new(a), *s = weld_wit_resolve_new(b);
    weld_diag d;
    weld_diag_init(&d, "t.wit");
    uint32_t m = 0, m2 = 0;
    if (weld_wit_add_source(r, "t.wit", src, strlen(src), &m, &d) != WELD_OK) fail_msg("%s", d.message);
    uint8_t *bin = NULL;
    size_t len = 0;
    if (weld_wit_encode(r, m, &bin, &len, &d) != WELD_OK) fail_msg("encode: %s", d.message);
    assert_true(weld_is_component(bin, len));
    bool is_pkg = false;
    if (weld_wit_decode(s, bin, len, &m2, &is_pkg, &d) != WELD_OK) fail_msg("decode: %s", d.message);
    assert_true(is_pkg);
    char *t1 = print_main(r, m), *t2 = print_main(s, m2);
    assert_string_equal(t1, t2);
    free(t1);
    free(t2);
    free(bin);
    weld_arena_free(a);
    weld_arena_free(b);
}

static void test_roundtrip_types(void **state)
{
    (void)state;
    roundtrip("/// Docs of the package.\n"
              "package t:types@1.0.0;\n\n"
              "/// An interface.\n"
              "interface shapes {\n"
              "  record point { x: f64, y: f64 }\n"
              "  variant shape { circle(f32), square(point), none }\n"
              "  enum color { red, green }\n"
              "  flags perms { read, write }\n"
              "  /// A resource.\n"
              "  resource canvas {\n"
              "    constructor(w: u32, h: u32);\n"
              "    draw: func(s: shape, c: color) -> result<_, string>;\n"
              "    open: static func(name: string) -> option<canvas>;\n"
              "  }\n"
              "  area: func(s: borrow<canvas>, l: list<tuple<u8, s64>>) -> result<f64>;\n"
              "  stream-of: func(f: future<u32>) -> stream<list<u8, 4>>;\n"
              "}\n\n"
              "interface user {\n"
              "  use shapes.{point, canvas};\n"
              "  paint: func(c: canvas, at: point);\n"
              "}\n\n"
              "world app {\n"
              "  import user;\n"
              "  import log: func(msg: string);\n"
              "  export shapes;\n"
              "  export run: func() -> bool;\n"
              "}\n");
}

static void test_roundtrip_gates_and_inline(void **state)
{
    (void)state;
    roundtrip("package t:gates@0.2.0;\n\n"
              "@since(version = 0.1.0)\n"
              "interface api {\n"
              "  @since(version = 0.1.0)\n"
              "  @deprecated(version = 0.2.0)\n"
              "  old: func();\n"
              "}\n\n"
              "world w {\n"
              "  /// Imported inline.\n"
              "  import inline: interface {\n"
              "    record r { a: u8 }\n"
              "    get: func() -> r;\n"
              "  }\n"
              "  @since(version = 0.2.0)\n"
              "  export api;\n"
              "}\n");
}

/* A hand-written component (no package): its world is root:component/root. */
static void test_component_world(void **state)
{
    (void)state;
    /* (component (import "f" (func (param "x" u32) (result string)))) */
    static const uint8_t bin[] = {
        0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00,
        0x07, 0x08, 0x01, 0x40, 0x01, 0x01, 'x', 0x79, 0x00, 0x73, /* type 0: func */
        0x0a, 0x06, 0x01, 0x00, 0x01, 'f', 0x01, 0x00,             /* import "f" (func (type 0)) */
    };
    weld_arena *a = weld_arena_new();
    weld_wit_resolve *r = weld_wit_resolve_new(a);
    weld_diag d;
    weld_diag_init(&d, NULL);
    uint32_t m = 0;
    bool is_pkg = true;
    if (weld_wit_decode(r, bin, sizeof bin, &m, &is_pkg, &d) != WELD_OK) fail_msg("%s", d.message);
    assert_false(is_pkg);
    char *t = print_main(r, m);
    assert_string_equal(t, "package root:component;\n\nworld root {\n  import f: func(x: u32) -> string;\n}\n");
    free(t);
    weld_arena_free(a);
}

static void test_decode_errors(void **state)
{
    (void)state;
    static const uint8_t truncated[] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0x08, 0x01};
    weld_arena *a = weld_arena_new();
    weld_wit_resolve *r = weld_wit_resolve_new(a);
    weld_diag d;
    weld_diag_init(&d, NULL);
    uint32_t m = 0;
    assert_int_not_equal(weld_wit_decode(r, truncated, sizeof truncated, &m, NULL, &d), WELD_OK);
    assert_true(d.offset != WELD_NO_OFFSET);
    weld_arena_free(a);
}

static void test_globs(void **state)
{
    (void)state;
    assert_true(weld_audit_glob("wasi:sockets/*", "wasi:sockets/tcp@0.2.0"));
    assert_true(weld_audit_glob("wasi:filesystem/*@0.2.*", "wasi:filesystem/types@0.2.12"));
    assert_false(weld_audit_glob("wasi:filesystem/*@0.2.*", "wasi:filesystem/types@0.3.0"));
    assert_true(weld_audit_glob("wasi:cli/stdout", "wasi:cli/stdout@0.2.0"));
    assert_false(weld_audit_glob("wasi:cli/stdout@0.2.1", "wasi:cli/stdout@0.2.0"));
    assert_true(weld_audit_glob("*", "greet"));
    assert_true(weld_audit_glob("wasi:?o/*", "wasi:io/streams"));
    assert_false(weld_audit_glob("wasi:io", "wasi:io/streams"));
}

static void test_policy_yaml(void **state)
{
    (void)state;
    weld_arena *a = weld_arena_new();
    weld_audit_policy p;
    memset(&p, 0, sizeof p);
    weld_diag d;
    weld_diag_init(&d, "p.yaml");
    const char *y = "allow:\n  - wasi:*\ndeny: wasi:sockets/*\n";
    assert_int_equal(weld_audit_policy_yaml(a, "p.yaml", y, strlen(y), &p, &d), WELD_OK);
    assert_int_equal(p.nallow, 1);
    assert_int_equal(p.ndeny, 1);
    assert_string_equal(p.deny[0], "wasi:sockets/*");
    const char *bad = "allow: [a]\nnope: [b]\n";
    assert_int_not_equal(weld_audit_policy_yaml(a, "p.yaml", bad, strlen(bad), &p, &d), WELD_OK);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 1);
    weld_arena_free(a);
}

static void test_producers(void **state)
{
    (void)state;
    static const uint8_t sec[] = {0x01, 0x08, 'l', 'a', 'n', 'g', 'u', 'a', 'g', 'e', 0x01, 0x01, 'C', 0x03, '9', '9', '!'};
    weld_arena *a = weld_arena_new();
    weld_producers p;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_producers_read(a, sec, sizeof sec, &p, &d), WELD_OK);
    assert_int_equal(p.nfields, 1);
    assert_int_equal(p.fields[0].count, 1);
    assert_memory_equal(p.fields[0].values[0].version.ptr, "99!", 3);
    assert_int_not_equal(weld_producers_read(a, sec, sizeof sec - 1, &p, &d), WELD_OK);
    weld_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_types),
        cmocka_unit_test(test_roundtrip_gates_and_inline),
        cmocka_unit_test(test_component_world),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_globs),
        cmocka_unit_test(test_policy_yaml),
        cmocka_unit_test(test_producers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
