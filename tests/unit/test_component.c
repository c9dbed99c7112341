/* test_component.c - the component reader and writer: byte-identical round trips of the
 * fixtures, structural equality, the walk, and malformed inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "base/base.h"
#include "weld/component.h"

static const char *const fixtures[] = {"types", "canon", "link", "start-value", "threads"};
enum { NFIXTURES = sizeof fixtures / sizeof fixtures[0] };

static uint8_t *load_fixture(const char *name, size_t *len)
{
    const char *root = getenv("WELD_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/fixtures/components/%s.wasm", root ? root : ".", name);
    uint8_t *data;
    weld_diag d;
    weld_diag_init(&d, path);
    if (weld_file_read(path, &data, len, &d) != WELD_OK) fail_msg("cannot read %s", path);
    return data;
}

static weld_status read(weld_arena *a, const uint8_t *data, size_t len, weld_component **c,
                        weld_diag *d)
{
    weld_diag_init(d, "test");
    weld_component_read_opts o = {.skip_modules = true};
    return weld_component_read(a, data, len, &o, c, d);
}

static void test_fixtures_round_trip_byte_identical(void **state)
{
    (void)state;
    for (int i = 0; i < NFIXTURES; i++) {
        size_t len;
        uint8_t *data = load_fixture(fixtures[i], &len);
        weld_arena *a = weld_arena_new();
        weld_component *c;
        weld_diag d;
        assert_int_equal(read(a, data, len, &c, &d), WELD_OK);
        assert_true(c->nsections > 0);
        uint8_t *out;
        size_t out_len;
        assert_int_equal(weld_component_write(c, &out, &out_len, &d), WELD_OK);
        assert_int_equal(out_len, len);
        assert_memory_equal(out, data, len);
        /* decode(encode(decode(x))) == decode(x) */
        weld_component *c2;
        assert_int_equal(read(a, out, out_len, &c2, &d), WELD_OK);
        assert_true(weld_component_equal(c, c2));
        free(out);
        weld_arena_free(a);
        free(data);
    }
}

/* types.wasm holds a type section with every defined value type: check a few decoded. */
static void test_types_decoded(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = load_fixture("types", &len);
    weld_arena *a = weld_arena_new();
    weld_component *c;
    weld_diag d;
    assert_int_equal(read(a, data, len, &c, &d), WELD_OK);
    const weld_csection *types = NULL;
    for (uint32_t i = 0; i < c->nsections; i++)
        if (c->sections[i].id == WELD_CSEC_TYPE && c->sections[i].count > 20) types = &c->sections[i];
    assert_non_null(types);
    bool seen[256] = {false};
    for (uint32_t i = 0; i < types->count; i++) seen[types->u.types[i]->kind] = true;
    static const uint8_t kinds[] = {
        WELD_CT_PRIM, WELD_CT_RECORD, WELD_CT_VARIANT, WELD_CT_LIST, WELD_CT_FIXED_LIST,
        WELD_CT_TUPLE, WELD_CT_FLAGS, WELD_CT_ENUM, WELD_CT_OPTION, WELD_CT_RESULT,
        WELD_CT_OWN, WELD_CT_BORROW, WELD_CT_STREAM, WELD_CT_FUTURE, WELD_CT_FUNC,
        WELD_CT_FUNC_ASYNC, WELD_CT_COMPONENT, WELD_CT_INSTANCE, WELD_CT_RESOURCE};
    for (size_t i = 0; i < sizeof kinds; i++) {
        if (!seen[kinds[i]]) fail_msg("type kind 0x%02x not decoded", kinds[i]);
    }
    /* the record (field "x" s32) (field "y" s32) */
    for (uint32_t i = 0; i < types->count; i++) {
        const weld_ctype *t = types->u.types[i];
        if (t->kind != WELD_CT_RECORD) continue;
        assert_int_equal(t->u.record.count, 2);
        assert_string_equal(t->u.record.fields[1].name.ptr, "y");
        assert_int_equal(t->u.record.fields[1].type.prim, WELD_CV_S32);
    }
    weld_arena_free(a);
    free(data);
}

static bool count_item(const weld_walk_item *it, void *ud)
{
    int *n = ud;
    n[it->module ? 0 : 1]++;
    if (it->depth > 1) n[2]++;
    return true;
}

static void test_walk_nested(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = load_fixture("link", &len);
    weld_arena *a = weld_arena_new();
    weld_component *c;
    weld_diag d;
    assert_int_equal(read(a, data, len, &c, &d), WELD_OK);
    int n[3] = {0, 0, 0}; /* modules, components, items below depth 1 */
    assert_true(weld_component_walk(c, count_item, n));
    assert_int_equal(n[0], 2); /* $m inside $inner, $m0 */
    assert_int_equal(n[1], 1); /* $inner */
    assert_int_equal(n[2], 1); /* $m */
    weld_arena_free(a);
    free(data);
}

/* Every proper prefix of every fixture is rejected with an offset inside the input. */
static void test_truncated_inputs_rejected(void **state)
{
    (void)state;
    for (int i = 0; i < NFIXTURES; i++) {
        size_t len;
        uint8_t *data = load_fixture(fixtures[i], &len);
        for (size_t cut = 0; cut < len; cut++) {
            uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees overreads */
            memcpy(copy, data, cut);
            weld_arena *a = weld_arena_new();
            weld_component *c;
            weld_diag d;
            weld_status st = read(a, copy, cut, &c, &d);
            /* a cut at a section boundary leaves a valid, shorter component */
            if (st == WELD_OK) {
                assert_true(c->nsections > 0 || cut == 8);
            } else {
                assert_int_equal(st, WELD_ERR_MALFORMED);
                assert_true(d.offset <= cut);
                assert_true(d.message[0] != 0);
            }
            weld_arena_free(a);
            free(copy);
        }
        free(data);
    }
}

/* Flipping any byte never crashes; what still decodes round-trips to an equal tree. */
static void test_corrupted_inputs_never_crash(void **state)
{
    (void)state;
    for (int i = 0; i < NFIXTURES; i++) {
        size_t len;
        uint8_t *data = load_fixture(fixtures[i], &len);
        uint8_t *copy = malloc(len);
        for (size_t at = 8; at < len; at++) {
            for (int v = 0; v < 3; v++) {
                static const uint8_t flips[] = {0xff, 0x80, 0x01};
                memcpy(copy, data, len);
                copy[at] ^= flips[v];
                weld_arena *a = weld_arena_new();
                weld_component *c;
                weld_diag d;
                if (read(a, copy, len, &c, &d) == WELD_OK) {
                    uint8_t *out;
                    size_t out_len;
                    weld_component *c2;
                    assert_int_equal(weld_component_write(c, &out, &out_len, &d), WELD_OK);
                    assert_int_equal(read(a, out, out_len, &c2, &d), WELD_OK);
                    assert_true(weld_component_equal(c, c2));
                    free(out);
                } else {
                    assert_true(d.offset < len);
                }
                weld_arena_free(a);
            }
        }
        free(copy);
        free(data);
    }
}

static weld_status read_bytes(const uint8_t *bytes, size_t len, weld_diag *d)
{
    weld_arena *a = weld_arena_new();
    weld_component *c;
    weld_status st = read(a, bytes, len, &c, d);
    weld_arena_free(a);
    return st;
}

#define PRE 0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00

static void test_malformed_messages(void **state)
{
    (void)state;
    weld_diag d;
    static const uint8_t bad_id[] = {PRE, 0x0d, 0x00};
    assert_int_equal(read_bytes(bad_id, sizeof bad_id, &d), WELD_ERR_MALFORMED);
    assert_int_equal(d.offset, 8);
    assert_non_null(strstr(d.message, "unknown section id 13"));

    static const uint8_t bad_leb[] = {PRE, 0x07, 0x80, 0x80, 0x80, 0x80, 0x80};
    assert_int_equal(read_bytes(bad_leb, sizeof bad_leb, &d), WELD_ERR_MALFORMED);
    assert_int_equal(d.offset, 9);
    assert_non_null(strstr(d.message, "type section"));

    static const uint8_t too_big[] = {PRE, 0x07, 0x05, 0x01, 0x70};
    assert_int_equal(read_bytes(too_big, sizeof too_big, &d), WELD_ERR_MALFORMED);
    assert_non_null(strstr(d.message, "runs past the end"));

    /* a count far beyond the section is refused before anything is allocated */
    static const uint8_t huge[] = {PRE, 0x07, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f};
    assert_int_equal(read_bytes(huge, sizeof huge, &d), WELD_ERR_MALFORMED);
    assert_non_null(strstr(d.message, "exceeds"));

    /* type section, item 0: (list <truncated>) */
    static const uint8_t trunc_item[] = {PRE, 0x07, 0x02, 0x01, 0x70};
    assert_int_equal(read_bytes(trunc_item, sizeof trunc_item, &d), WELD_ERR_MALFORMED);
    assert_int_equal(d.offset, 12);
    assert_non_null(strstr(d.message, "type section, item 0: unexpected end of section"));

    static const uint8_t bad_type[] = {PRE, 0x07, 0x02, 0x01, 0x30};
    assert_int_equal(read_bytes(bad_type, sizeof bad_type, &d), WELD_ERR_MALFORMED);
    assert_non_null(strstr(d.message, "unknown type definition 0x30"));

    static const uint8_t bad_canon[] = {PRE, 0x08, 0x02, 0x01, 0x3a};
    assert_int_equal(read_bytes(bad_canon, sizeof bad_canon, &d), WELD_ERR_MALFORMED);
    assert_non_null(strstr(d.message, "canon section, item 0: unknown canonical definition 0x3a"));

    static const uint8_t trailing[] = {PRE, 0x07, 0x03, 0x01, 0x73, 0x00};
    assert_int_equal(read_bytes(trailing, sizeof trailing, &d), WELD_ERR_MALFORMED);
    assert_non_null(strstr(d.message, "unread bytes"));

    static const uint8_t core[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    assert_int_equal(read_bytes(core, sizeof core, &d), WELD_ERR_MALFORMED);
    assert_non_null(strstr(d.message, "expected version 0x0d"));

    static const uint8_t bad_utf8[] = {PRE, 0x0a, 0x05, 0x01, 0x00, 0x01, 0xff, 0x01};
    assert_int_equal(read_bytes(bad_utf8, sizeof bad_utf8, &d), WELD_ERR_MALFORMED);
    assert_non_null(strstr(d.message, "UTF-8"));

    /* a nested module section that does not hold a core module */
    static const uint8_t bad_module[] = {PRE, 0x01, 0x02, 0x00, 0x61};
    assert_int_equal(read_bytes(bad_module, sizeof bad_module, &d), WELD_ERR_MALFORMED);
    assert_non_null(strstr(d.message, "core module"));

    /* deeply nested instance types are refused, not recursed into without bound */
    uint8_t deep[8 + 2 + 3 * 200 + 8];
    size_t n = 0;
    static const uint8_t pre[] = {PRE};
    memcpy(deep, pre, 8);
    n = 8;
    deep[n++] = 0x07;
    size_t size_at = n++;
    deep[n++] = 0x01;
    for (int i = 0; i < 120; i++) {
        deep[n++] = 0x42; /* instance type */
        deep[n++] = 0x01; /* one decl */
        deep[n++] = 0x01; /* a type */
    }
    deep[n++] = 0x73;
    deep[size_at] = 0; /* the size is patched below (it does not fit one byte) */
    size_t payload = n - size_at - 1;
    uint8_t buf[sizeof deep + 2];
    memcpy(buf, deep, size_at);
    buf[size_at] = (uint8_t)(0x80 | (payload & 0x7f));
    buf[size_at + 1] = (uint8_t)(payload >> 7);
    memcpy(buf + size_at + 2, deep + size_at + 1, payload);
    assert_int_equal(read_bytes(buf, n + 1, &d), WELD_ERR_MALFORMED);
    assert_non_null(strstr(d.message, "nested deeper"));
}

/* Non-minimal LEB128s decode; the writer re-encodes them minimally to an equal tree. */
static void test_non_minimal_leb(void **state)
{
    (void)state;
    /* type section of size 3 written as 0x83 0x00; (type (list u32)) */
    static const uint8_t in[] = {PRE, 0x07, 0x83, 0x00, 0x01, 0x70, 0x79};
    weld_arena *a = weld_arena_new();
    weld_component *c, *c2;
    weld_diag d;
    assert_int_equal(read(a, in, sizeof in, &c, &d), WELD_OK);
    uint8_t *out;
    size_t out_len;
    assert_int_equal(weld_component_write(c, &out, &out_len, &d), WELD_OK);
    assert_int_equal(out_len, sizeof in - 1);
    assert_int_equal(read(a, out, out_len, &c2, &d), WELD_OK);
    assert_true(weld_component_equal(c, c2));
    free(out);
    weld_arena_free(a);
}

/* The 0x02 name form with attributes, and the legacy 0x01 name form, round-trip. */
static void test_name_attributes(void **state)
{
    (void)state;
    static const uint8_t in[] = {
        PRE, 0x0a, 0x19, 0x02,
        /* import 0: 0x02 "a:b/c@1.0" attrs [versionsuffix "-rc"] (type (sub resource)) */
        0x02, 0x09, 'a', ':', 'b', '/', 'c', '@', '1', '.', '0', 0x01, 0x01, 0x03, '-', 'r',
        'c', 0x03, 0x01,
        /* import 1: 0x01 "x" (func (type 0)) */
        0x01, 0x01, 'x', 0x01, 0x00,
    };
    weld_arena *a = weld_arena_new();
    weld_component *c;
    weld_diag d;
    assert_int_equal(read(a, in, sizeof in, &c, &d), WELD_OK);
    const weld_cimport *im = c->sections[0].u.imports;
    assert_int_equal(im[0].name.tag, 0x02);
    assert_int_equal(im[0].name.nattrs, 1);
    assert_string_equal(im[0].name.attrs[0].value.ptr, "-rc");
    assert_int_equal(im[0].type.kind, WELD_EXT_TYPE);
    assert_int_equal(im[1].name.tag, 0x01);
    uint8_t *out;
    size_t out_len;
    assert_int_equal(weld_component_write(c, &out, &out_len, &d), WELD_OK);
    assert_int_equal(out_len, sizeof in);
    assert_memory_equal(out, in, sizeof in);
    free(out);
    weld_arena_free(a);
}

/* With nested modules decoded (the default), fixtures read and modules get their trees. */
static bool module_decoded(const weld_walk_item *it, void *ud)
{
    int *n = ud;
    if (it->module) {
        assert_non_null(it->module->module);
        assert_true(it->module->module->base_offset == it->module->offset);
        n[0]++;
    }
    return true;
}

static void test_nested_modules_decoded(void **state)
{
    (void)state;
    for (int i = 0; i < NFIXTURES; i++) {
        size_t len;
        uint8_t *data = load_fixture(fixtures[i], &len);
        weld_arena *a = weld_arena_new();
        weld_component *c;
        weld_diag d;
        weld_diag_init(&d, fixtures[i]);
        assert_int_equal(weld_component_read(a, data, len, NULL, &c, &d), WELD_OK);
        int n[1] = {0};
        weld_component_walk(c, module_decoded, n);
        if (strcmp(fixtures[i], "link") == 0) assert_int_equal(n[0], 2);
        weld_arena_free(a);
        free(data);
    }
}

/* An error inside a nested module carries its offset in the outermost file. */
static void test_nested_module_error_offset(void **state)
{
    (void)state;
    static const uint8_t in[] = {PRE, 0x01, 0x0a, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
                                 0x00, 0x20, 0x00};
    weld_arena *a = weld_arena_new();
    weld_component *c;
    weld_diag d;
    weld_diag_init(&d, "t");
    assert_int_equal(weld_component_read(a, in, sizeof in, NULL, &c, &d), WELD_ERR_MALFORMED);
    assert_int_equal(d.offset, 18);
    weld_arena_free(a);
}

static void test_canon_table(void **state)
{
    (void)state;
    assert_string_equal(weld_canon_info_of(0x00)->name, "lift");
    assert_string_equal(weld_canon_info_of(0x23)->name, "waitable.join");
    assert_null(weld_canon_info_of(0x3a));
    /* every entry is findable by its own opcode (the table is sorted) */
    int found = 0;
    for (int op = 0; op < 256; op++)
        if (weld_canon_info_of((uint8_t)op)) found++;
    assert_true(found >= 45);
    assert_string_equal(weld_csection_name(WELD_CSEC_CORE_MODULE), "core module");
    assert_true(weld_is_component((const uint8_t[]){PRE}, 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_round_trip_byte_identical),
        cmocka_unit_test(test_types_decoded),
        cmocka_unit_test(test_walk_nested),
        cmocka_unit_test(test_truncated_inputs_rejected),
        cmocka_unit_test(test_corrupted_inputs_never_crash),
        cmocka_unit_test(test_malformed_messages),
        cmocka_unit_test(test_non_minimal_leb),
        cmocka_unit_test(test_name_attributes),
        cmocka_unit_test(test_nested_modules_decoded),
        cmocka_unit_test(test_nested_module_error_offset),
        cmocka_unit_test(test_canon_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
