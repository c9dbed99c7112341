/* test_print_core.c - the core module printer: layout, names, literals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "base/base.h"
#include "weld/module.h"
#include "weld/text.h"
#include "text/print_core.h"

static void section(weld_buf *b, uint8_t id, const char *payload, size_t n)
{
    weld_buf_byte(b, id);
    weld_buf_u32leb(b, (uint32_t)n);
    weld_buf_append(b, payload, n);
}
#define SEC(b, id, lit) section(b, id, lit, sizeof lit - 1)

/* Read the module in b, print it, compare with `want`. */
static void expect_text(weld_buf *b, const char *want)
{
    weld_arena *a = weld_arena_new();
    weld_module *m = NULL;
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_status st = weld_module_read(a, b->data, b->len, NULL, &m, &d);
    if (st) fprintf(stderr, "# %s\n", d.message);
    assert_int_equal(st, WELD_OK);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(weld_print_module(m, &text, &len, &d), WELD_OK);
    if (strcmp(text, want) != 0) fprintf(stderr, "# got:\n%s# want:\n%s", text, want);
    assert_string_equal(text, want);
    assert_int_equal(len, strlen(want));
    free(text);
    weld_arena_free(a);
    weld_buf_free(b);
}

static void start(weld_buf *b)
{
    weld_buf_init(b);
    weld_buf_append(b, "\0asm\1\0\0\0", 8);
}

static void test_blocks_labels_and_branches(void **state)
{
    (void)state;
    weld_buf b;
    start(&b);
    SEC(&b, 1, "\x01\x60\x01\x7f\x01\x7f");
    SEC(&b, 3, "\x01\x00");
    /* block (result i32) / loop / local.get 0 / br_if 1 / br 0 / end / i32.const 7 / end */
    SEC(&b, 10, "\x01\x16\x01\x01\x7e"
                "\x02\x7f\x03\x40\x20\x00\x0d\x01\x0c\x00\x0b\x41\x07\x0b"
                "\x0e\x01\x00\x00\x0b");
    expect_text(&b,
                "(module\n"
                "  (type (;0;) (func (param i32) (result i32)))\n"
                "  (func (;0;) (type 0) (param i32) (result i32)\n"
                "    (local i64)\n"
                "    block (result i32) ;; label = @1\n"
                "      loop ;; label = @2\n"
                "        local.get 0\n"
                "        br_if 1 (;@1;)\n"
                "        br 0 (;@2;)\n"
                "      end\n"
                "      i32.const 7\n"
                "    end\n"
                "    br_table 0 0\n"
                "  )\n"
                ")\n");
}

static void test_floats(void **state)
{
    (void)state;
    weld_buf b;
    start(&b);
    SEC(&b, 6, "\x06"
               "\x7d\x00\x43\x00\x00\x80\x3f\x0b"                   /* 1.0 */
               "\x7c\x00\x44\x9a\x99\x99\x99\x99\x99\xb9\x3f\x0b"   /* 0.1 */
               "\x7d\x00\x43\x00\x00\x80\xff\x0b"                   /* -inf */
               "\x7d\x00\x43\x00\x00\xa0\x7f\x0b"                   /* nan:0x200000 */
               "\x7d\x00\x43\x01\x00\x00\x00\x0b"                   /* smallest subnormal */
               "\x7c\x00\x44\x00\x00\x00\x00\x00\x00\x00\x80\x0b"); /* -0 */
    expect_text(&b,
                "(module\n"
                "  (global (;0;) f32 f32.const 0x1p+0 (;=1;))\n"
                "  (global (;1;) f64 f64.const 0x1.999999999999ap-4 (;=0.1;))\n"
                "  (global (;2;) f32 f32.const -inf (;=-inf;))\n"
                "  (global (;3;) f32 f32.const nan:0x200000 (;=NaN;))\n"
                "  (global (;4;) f32 f32.const 0x1.p-149 (;=0.000000000000000000000000000000000000000000001;))\n"
                "  (global (;5;) f64 f64.const -0x0p+0 (;=-0;))\n"
                ")\n");
}

static void test_names_and_escapes(void **state)
{
    (void)state;
    weld_buf b;
    start(&b);
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 2, "\x01\x01m\x04q\"\xc3\xa9\x00\x00");
    SEC(&b, 3, "\x02\x00\x00");
    SEC(&b, 10, "\x02\x04\x00\x10\x01\x0b\x02\x00\x0b");
    SEC(&b, 11, "\x01\x01\x03\"\\\n");
    /* module "m"; funcs: 0 "a b", 1 "x", 2 "x" (a duplicate) */
    SEC(&b, 0, "\x04name\x00\x02\x01m\x01\x0c\x03\x00\x03" "a b\x01\x01x\x02\x01x");
    expect_text(&b,
                "(module $m\n"
                "  (type (;0;) (func))\n"
                "  (import \"m\" \"q\\u{22}\\u{e9}\" (func $\"a b\" (;0;) (type 0)))\n"
                "  (func $x (;1;) (type 0)\n"
                "    call $x\n"
                "  )\n"
                "  (func $\"#func2 x\" (@name \"x\") (;2;) (type 0))\n"
                "  (data (;0;) \"\\22\\5c\\0a\")\n"
                ")\n");
}

static void test_segments_and_custom(void **state)
{
    (void)state;
    weld_buf b;
    start(&b);
    SEC(&b, 0, "\x02hi\x01\x02");
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x01\x00");
    SEC(&b, 4, "\x01\x70\x00\x02");
    SEC(&b, 5, "\x01\x01\x01\x02");
    SEC(&b, 9, "\x03"
               "\x00\x41\x01\x0b\x01\x00"
               "\x03\x00\x01\x00"
               "\x05\x70\x02\xd2\x00\x0b\xd0\x70\x0b");
    SEC(&b, 10, "\x01\x02\x00\x0b");
    SEC(&b, 11, "\x01\x00\x41\x00\x41\x01\x6a\x0b\x00");
    SEC(&b, 0, "\x03" "end");
    expect_text(&b,
                "(module\n"
                "  (@custom \"hi\" (before first) \"\\01\\02\")\n"
                "  (type (;0;) (func))\n"
                "  (table (;0;) 2 funcref)\n"
                "  (memory (;0;) 1 2)\n"
                "  (elem (;0;) (i32.const 1) func 0)\n"
                "  (elem (;1;) declare func 0)\n"
                "  (elem (;2;) funcref (ref.func 0) (ref.null func))\n"
                "  (func (;0;) (type 0))\n"
                "  (data (;0;) (offset i32.const 0 i32.const 1 i32.add) \"\")\n"
                "  (@custom \"end\" (after data) \"\")\n"
                ")\n");
}

static void test_helpers_for_components(void **state)
{
    (void)state;
    weld_buf b;
    weld_buf_init(&b);
    static const weld_valtype ps[] = {WELD_I32, WELD_I64};
    weld_functype t = {2, 0, ps, NULL};
    weld_print_functype(&b, &t);
    weld_buf_byte(&b, '|');
    weld_externtype g = {WELD_EXTERN_GLOBAL, {.global = {WELD_F32, true}}};
    weld_print_core_externtype(&b, &g);
    weld_buf_byte(&b, 0);
    assert_string_equal((char *)b.data, " (param i32 i64)|(global (mut f32))");
    weld_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_labels_and_branches),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_names_and_escapes),
        cmocka_unit_test(test_segments_and_custom),
        cmocka_unit_test(test_helpers_for_components),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
