/* test_write_core.c - the writer: byte-exact reproduction, re-encoding, equality, and
 * modules built in memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/base.h"
#include "weld/module.h"

static void section(weld_buf *b, uint8_t id, const char *payload, size_t n)
{
    weld_buf_byte(b, id);
    weld_buf_u32leb(b, (uint32_t)n);
    weld_buf_append(b, payload, n);
}
#define SEC(b, id, lit) section(b, id, lit, sizeof lit - 1)

/* A module using every section, all element and data forms, and a name section. */
static void build(weld_buf *b)
{
    weld_buf_init(b);
    weld_buf_append(b, "\0asm\1\0\0\0", 8);
    SEC(b, 0, "\x04" "head" "\x01\x02");
    SEC(b, 1, "\x02\x60\x02\x7f\x7e\x01\x7d\x60\x00\x00");
    SEC(b, 2, "\x02\x01m\x01" "f\x00\x01\x01m\x03mem\x02\x05\x01\x02");
    SEC(b, 3, "\x01\x01");
    SEC(b, 4, "\x01\x70\x01\x01\x02");
    SEC(b, 13, "\x01\x00\x00");
    SEC(b, 6, "\x01\x7f\x01\x41\x2a\x0b");
    SEC(b, 7, "\x01\x01x\x00\x01");
    SEC(b, 8, "\x01");
    SEC(b, 9, "\x04"
              "\x00\x41\x00\x0b\x01\x01"
              "\x01\x00\x01\x01"
              "\x05\x70\x01\xd2\x01\x0b"
              "\x07\x70\x01\xd0\x70\x0b");
    SEC(b, 12, "\x02");
    SEC(b, 10, "\x01\x0e\x01\x01\x7f\x41\x00\x41\x00\x41\x00\xfc\x08\x01\x00\x0b");
    SEC(b, 11, "\x02\x00\x41\x00\x0b\x01z\x01\x02" "ab");
    SEC(b, 0, "\x04name\x01\x06\x01\x01\x03run");
}

static weld_module *read(weld_arena *a, const uint8_t *p, size_t n)
{
    weld_module *m = NULL;
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_status st = weld_module_read(a, p, n, NULL, &m, &d);
    if (st) fprintf(stderr, "# %s\n", d.message);
    assert_int_equal(st, WELD_OK);
    return m;
}

static void test_byte_exact(void **state)
{
    (void)state;
    weld_buf b;
    build(&b);
    weld_arena *a = weld_arena_new();
    weld_module *m = read(a, b.data, b.len);
    for (int reencode = 0; reencode < 2; reencode++) {
        weld_write_opts o = {reencode};
        uint8_t *out;
        size_t n;
        assert_int_equal(weld_module_write(m, &o, &out, &n, NULL), WELD_OK);
        assert_int_equal(n, b.len);
        assert_memory_equal(out, b.data, n);
        weld_module *again = read(a, out, n);
        assert_true(weld_module_equal(m, again));
        free(out);
    }
    weld_arena_free(a);
    weld_buf_free(&b);
}

static void test_non_minimal_canonicalised(void **state)
{
    (void)state;
    weld_buf b;
    weld_buf_init(&b);
    weld_buf_append(&b, "\0asm\1\0\0\0", 8);
    SEC(&b, 1, "\x81\x00\x60\x00\x00");                 /* padded type count */
    SEC(&b, 3, "\x01\x00");
    SEC(&b, 10, "\x01\x06\x00\x20\x80\x00\x1a\x0b"); /* padded local index */
    /* note: local.get 0 on no locals is invalid but well-formed */
    weld_arena *a = weld_arena_new();
    weld_module *m = read(a, b.data, b.len);
    weld_write_opts o = {true};
    uint8_t *out;
    size_t n;
    assert_int_equal(weld_module_write(m, &o, &out, &n, NULL), WELD_OK);
    assert_true(n < b.len);
    weld_module *again = read(a, out, n);
    assert_true(weld_module_equal(m, again));
    /* the body is now minimal: local.get 0 is two bytes */
    assert_int_equal(again->code[0].code.len, 4);
    free(out);
    weld_arena_free(a);
    weld_buf_free(&b);
}

static void test_equal_sees_differences(void **state)
{
    (void)state;
    weld_buf b;
    build(&b);
    weld_arena *a = weld_arena_new();
    weld_module *m = read(a, b.data, b.len);
    uint8_t *copy = malloc(b.len);
    memcpy(copy, b.data, b.len);
    /* change the global's initial value 42 -> 43 */
    uint8_t *p = NULL;
    for (size_t i = 0; i + 3 <= b.len && !p; i++)
        if (memcmp(copy + i, "\x41\x2a\x0b", 3) == 0) p = copy + i;
    assert_non_null(p);
    p[1] = 0x2b;
    weld_module *other = read(a, copy, b.len);
    assert_false(weld_module_equal(m, other));
    free(copy);
    weld_arena_free(a);
    weld_buf_free(&b);
}

static void test_module_built_in_memory(void **state)
{
    (void)state;
    static const weld_valtype i32 = WELD_I32;
    static const weld_functype type = {1, 1, &i32, &i32};
    static const uint32_t ftype = 0;
    static const uint8_t body[] = {0x20, 0x00, 0x0b};
    weld_func_body code = {0, NULL, 0, {body, sizeof body, 0}, 0};
    weld_export ex = {{"id", 2}, WELD_EXTERN_FUNC, 0};
    weld_module m;
    memset(&m, 0, sizeof m);
    m.ntypes = 1, m.types = &type;
    m.nfuncs = 1, m.func_types = &ftype;
    m.ncode = 1, m.code = &code;
    m.nexports = 1, m.exports = &ex;
    uint8_t *out;
    size_t n;
    assert_int_equal(weld_module_write(&m, NULL, &out, &n, NULL), WELD_OK);
    static const uint8_t want[] = {0, 'a', 's', 'm', 1, 0, 0, 0,
                                   1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f,
                                   3, 2, 1, 0,
                                   7, 6, 1, 2, 'i', 'd', 0, 0,
                                   10, 6, 1, 4, 0, 0x20, 0, 0x0b};
    assert_int_equal(n, sizeof want);
    assert_memory_equal(out, want, n);
    free(out);
}

/* Section sizes are u32s: a section of 4 GiB or more is refused (it used to be written
 * with a size LEB128 no reader accepts). The payloads are never read: the sizes alone
 * decide, before anything is copied. */
static void test_section_of_4gib_refused(void **state)
{
    (void)state;
    static const uint8_t small[16];
    weld_custom big = {{"x", 1}, small, UINT32_MAX, 0};
    weld_module m;
    memset(&m, 0, sizeof m);
    m.ncustoms = 1, m.customs = &big;
    uint8_t *out = NULL;
    size_t n = 0;
    weld_diag d;
    weld_diag_init(&d, "test");
    assert_int_equal(weld_module_write(&m, NULL, &out, &n, &d), WELD_ERR_UNSUPPORTED);
    assert_null(out);
    assert_non_null(strstr(d.message, "4 GiB"));
    /* data segments adding up past 4 GiB */
    static const uint8_t off[] = {0x41, 0x00, 0x0b};
    weld_data segs[2] = {{1, WELD_SEG_PASSIVE, 0, {off, 3, 0}, small, UINT32_MAX / 2 + 1},
                         {1, WELD_SEG_PASSIVE, 0, {off, 3, 0}, small, UINT32_MAX / 2 + 1}};
    memset(&m, 0, sizeof m);
    m.ndatas = 2, m.datas = segs;
    weld_diag_init(&d, "test");
    assert_int_equal(weld_module_write(&m, NULL, &out, &n, &d), WELD_ERR_UNSUPPORTED);
    assert_null(out);
    assert_non_null(strstr(d.message, "data section"));
    /* a small custom section still writes */
    weld_custom c = {{"x", 1}, small, 3, 0};
    memset(&m, 0, sizeof m);
    m.ncustoms = 1, m.customs = &c;
    assert_int_equal(weld_module_write(&m, NULL, &out, &n, &d), WELD_OK);
    static const uint8_t want[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 5, 1, 'x', 0, 0, 0};
    assert_int_equal(n, sizeof want);
    assert_memory_equal(out, want, n);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_byte_exact),
        cmocka_unit_test(test_non_minimal_canonicalised),
        cmocka_unit_test(test_equal_sees_differences),
        cmocka_unit_test(test_module_built_in_memory),
        cmocka_unit_test(test_section_of_4gib_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
