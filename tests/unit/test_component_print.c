/* test_component_print.c - the component printer: identifiers from the component-name
 * section (plain, quoted, made unique), outer alias counts named by their component,
 * escaping in custom sections. The expected texts are what `jco print` gives for the same
 * bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "weld/component.h"

#define PRE 0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00

static void expect_text(const uint8_t *bytes, size_t len, const char *expected)
{
    weld_arena *a = weld_arena_new();
    weld_component *c;
    weld_diag d;
    weld_diag_init(&d, "test");
    assert_int_equal(weld_component_read(a, bytes, len, NULL, &c, &d), WELD_OK);
    char *text;
    size_t n;
    assert_int_equal(weld_component_print(c, &text, &n, &d), WELD_OK);
    assert_int_equal(n, strlen(text));
    assert_string_equal(text, expected);
    free(text);
    weld_arena_free(a);
}

static void test_names(void **state)
{
    (void)state;
    static const uint8_t in[] = {
        PRE,
        /* type section: u32, u32, u32, (instance (alias outer 1 0 (type))) */
        0x07, 0x0b, 0x04, 0x79, 0x79, 0x79, 0x42, 0x01, 0x02, 0x03, 0x02, 0x01, 0x00,
        /* component-name: component "top"; types 0 "x", 1 "x", 2 "a b" */
        0x00, 0x24, 0x0e, 'c', 'o', 'm', 'p', 'o', 'n', 'e', 'n', 't', '-', 'n', 'a', 'm', 'e',
        0x00, 0x04, 0x03, 't', 'o', 'p',
        0x01, 0x0d, 0x03, 0x03, 0x00, 0x01, 'x', 0x01, 0x01, 'x', 0x02, 0x03, 'a', ' ', 'b',
    };
    expect_text(in, sizeof in,
                "(component $top\n"
                "  (type $x (;0;) u32)\n"
                "  (type $\"#type1 x\" (@name \"x\") (;1;) u32)\n"
                "  (type $\"a b\" (;2;) u32)\n"
                "  (type (;3;)\n"
                "    (instance\n"
                "      (alias outer $top $x (type (;0;)))\n"
                "    )\n"
                "  )\n"
                ")\n");
}

static void test_custom_escapes(void **state)
{
    (void)state;
    static const uint8_t in[] = {
        PRE, 0x00, 0x06, 0x01, 'n', 0x01, '"', 'a', '\t',
        0x00, 0x04, 0x02, 0xc3, 0xa9, 0x00,
    };
    expect_text(in, sizeof in,
                "(component\n"
                "  (@custom \"n\" \"\\01\\22a\\09\")\n"
                "  (@custom \"\\u{e9}\" \"\\00\")\n"
                ")\n");
}

/* A malformed name section never makes printing fail: names are simply absent. */
static void test_bad_name_section_ignored(void **state)
{
    (void)state;
    static const uint8_t in[] = {
        PRE, 0x07, 0x02, 0x01, 0x79,
        0x00, 0x13, 0x0e, 'c', 'o', 'm', 'p', 'o', 'n', 'e', 'n', 't', '-', 'n', 'a', 'm', 'e',
        0x01, 0x7f, 0x03, 0x03,
    };
    expect_text(in, sizeof in, "(component\n  (type (;0;) u32)\n)\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_custom_escapes),
        cmocka_unit_test(test_bad_name_section_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
