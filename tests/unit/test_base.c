/* test_base.c - arena, buffers, LEB128, diagnostics, atomic file writes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "base/base.h"

static void test_arena_alloc_zeroed_and_aligned(void **state)
{
    (void)state;
    weld_arena *a = weld_arena_new();
    assert_non_null(a);
    for (int i = 1; i < 2000; i += 37) {
        unsigned char *p = weld_arena_alloc(a, (size_t)i);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (int j = 0; j < i; j++) assert_int_equal(p[j], 0);
        memset(p, 0xab, (size_t)i);
    }
    void *big = weld_arena_alloc(a, 1 << 20); /* larger than a chunk */
    assert_non_null(big);
    char *s = weld_arena_strndup(a, "hello world", 5);
    assert_string_equal(s, "hello");
    assert_true(weld_arena_used(a) >= (1 << 20));
    weld_arena_free(a);
}

static void roundtrip_u64(uint64_t v)
{
    weld_buf b;
    weld_buf_init(&b);
    weld_buf_u64leb(&b, v);
    assert_int_equal(b.len, weld_leb_u64_size(v));
    const uint8_t *p = b.data;
    uint64_t out;
    assert_true(weld_leb_u64(&p, b.data + b.len, &out));
    assert_true(out == v);
    assert_ptr_equal(p, b.data + b.len);
    weld_buf_free(&b);
}

static void roundtrip_s64(int64_t v)
{
    weld_buf b;
    weld_buf_init(&b);
    weld_buf_s64leb(&b, v);
    const uint8_t *p = b.data;
    int64_t out;
    assert_true(weld_leb_s64(&p, b.data + b.len, &out));
    assert_true(out == v);
    if (v >= INT32_MIN && v <= INT32_MAX) {
        int32_t o32;
        p = b.data;
        assert_true(weld_leb_s32(&p, b.data + b.len, &o32));
        assert_int_equal(o32, (int32_t)v);
    }
    weld_buf_free(&b);
}

static void test_leb_roundtrip(void **state)
{
    (void)state;
    uint64_t us[] = {0, 1, 63, 64, 127, 128, 255, 16383, 16384, UINT32_MAX, (uint64_t)UINT32_MAX + 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) roundtrip_u64(us[i]);
    int64_t ss[] = {0, 1, -1, 63, 64, -64, -65, 8191, -8192, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++) roundtrip_s64(ss[i]);
}

static void test_leb_rejects(void **state)
{
    (void)state;
    uint32_t u;
    int32_t s;
    const uint8_t too_long[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    const uint8_t *p = too_long;
    assert_false(weld_leb_u32(&p, too_long + sizeof too_long, &u));
    const uint8_t too_big[] = {0xff, 0xff, 0xff, 0xff, 0x1f}; /* bits above 32 set */
    p = too_big;
    assert_false(weld_leb_u32(&p, too_big + sizeof too_big, &u));
    const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    p = max;
    assert_true(weld_leb_u32(&p, max + sizeof max, &u));
    assert_int_equal(u, UINT32_MAX);
    const uint8_t trunc[] = {0x80};
    p = trunc;
    assert_false(weld_leb_u32(&p, trunc + 1, &u));
    const uint8_t bad_sign[] = {0xff, 0xff, 0xff, 0xff, 0x4f}; /* unused bits not sign ext */
    p = bad_sign;
    assert_false(weld_leb_s32(&p, bad_sign + sizeof bad_sign, &s));
    const uint8_t neg[] = {0xff, 0xff, 0xff, 0xff, 0x7f};
    p = neg;
    assert_true(weld_leb_s32(&p, neg + sizeof neg, &s));
    assert_int_equal(s, -1);
    /* non-minimal but in range encodings are accepted */
    const uint8_t nonmin[] = {0x81, 0x80, 0x00};
    p = nonmin;
    assert_true(weld_leb_u32(&p, nonmin + 3, &u));
    assert_int_equal(u, 1);
}

static void test_buf_size_patch(void **state)
{
    (void)state;
    weld_buf b;
    weld_buf_init(&b);
    weld_buf_byte(&b, 0x01);
    size_t pos = weld_buf_size_begin(&b);
    for (int i = 0; i < 200; i++) weld_buf_byte(&b, (uint8_t)i);
    weld_buf_size_end(&b, pos);
    assert_int_equal(b.len, 1 + 2 + 200);
    assert_int_equal(b.data[1], 0xc8);
    assert_int_equal(b.data[2], 0x01);
    assert_int_equal(b.data[3], 0);
    assert_int_equal(b.data[202], 199);
    weld_buf_free(&b);
}

static void test_diag_format(void **state)
{
    (void)state;
    weld_diag d;
    weld_diag_init(&d, "x.wasm");
    assert_int_equal(weld_diag_set(&d, WELD_ERR_MALFORMED, 0x1a3, "code section, function %d: %s", 4,
                                   "unexpected end of section"),
                     WELD_ERR_MALFORMED);
    char buf[256];
    weld_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "x.wasm: offset 0x1a3: code section, function 4: unexpected end of section");
    weld_diag_set_text(&d, WELD_ERR_SYNTAX, 3, 7, 1, "expected `;`");
    weld_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "x.wasm:3:7: expected `;`");
    assert_int_equal(weld_diag_set(NULL, WELD_ERR_IO, 0, "ignored"), WELD_ERR_IO);
}

static void test_atomic_write(void **state)
{
    (void)state;
    char dir[] = "/tmp/weld-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/out.bin", dir);
    weld_diag d;
    weld_diag_init(&d, path);
    assert_int_equal(weld_file_write_atomic(path, "abc", 3, &d), WELD_OK);
    uint8_t *data;
    size_t len;
    assert_int_equal(weld_file_read(path, &data, &len, &d), WELD_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(data, "abc", 3);
    free(data);
    assert_int_equal(weld_file_read("/nonexistent/x", &data, &len, &d), WELD_ERR_IO);
    snprintf(path, sizeof path, "%s/missing-dir/out.bin", dir);
    assert_int_equal(weld_file_write_atomic(path, "abc", 3, &d), WELD_ERR_IO);
    snprintf(path, sizeof path, "%s/out.bin", dir);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alloc_zeroed_and_aligned),
        cmocka_unit_test(test_leb_roundtrip),
        cmocka_unit_test(test_leb_rejects),
        cmocka_unit_test(test_buf_size_patch),
        cmocka_unit_test(test_diag_format),
        cmocka_unit_test(test_atomic_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
