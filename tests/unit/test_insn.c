/* test_insn.c - the opcode table and the instruction decoder/encoder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "base/base.h"
#include "weld/insn.h"
#include "weld/module.h"

static const weld_opinfo *find(const char *name)
{
    for (unsigned i = 0; i < WELD_OP_COUNT; i++)
        if (strcmp(weld_opinfos[i].name, name) == 0) return &weld_opinfos[i];
    return NULL;
}

static void test_table_is_consistent(void **state)
{
    (void)state;
    for (unsigned i = 0; i < WELD_OP_COUNT; i++) {
        const weld_opinfo *a = &weld_opinfos[i];
        assert_true(a->prefix == 0 || a->prefix == 0xFC || a->prefix == 0xFD || a->prefix == 0xFE);
        assert_true(a->sig[0] == '*' || strchr(a->sig, ':') != NULL);
        for (unsigned j = i + 1; j < WELD_OP_COUNT; j++) {
            const weld_opinfo *b = &weld_opinfos[j];
            assert_false(a->prefix == b->prefix && a->code == b->code);
        }
    }
    /* spot checks across the proposals */
    assert_int_equal(find("i32.add")->code, 0x6A);
    assert_int_equal(find("memory.atomic.notify")->prefix, 0xFE);
    assert_int_equal(find("i8x16.shuffle")->imm, WELD_IMM_SHUFFLE);
    assert_int_equal(find("i32x4.relaxed_dot_i8x16_i7x16_add_s")->code, 0x113);
    assert_int_equal(find("return_call_indirect")->code, 0x13);
    assert_int_equal(find("try_table")->code, 0x1F);
    assert_int_equal(find("table.fill")->code, 17);
    assert_int_equal(find("i64.atomic.rmw32.cmpxchg_u")->code, 0x4E);
    assert_string_equal(find("i32.add")->sig, "ii:i");
    assert_int_equal(find("v128.load64_lane")->arg, 3);
    assert_int_equal(find("i16x8.extract_lane_s")->arg, 8);
    assert_true(WELD_OP_COUNT > 500);
}

/* Decode `n` bytes as exactly one instruction, re-encode, and compare with `canon`
 * (the minimal encoding; NULL when the input is already minimal). */
static weld_insn decode_one(const char *bytes, size_t n, const char *canon, size_t cn)
{
    weld_insn_reader r;
    weld_insn insn;
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_insn_reader_init(&r, (const uint8_t *)bytes, n, 100);
    weld_status st = weld_insn_read(&r, &insn, &d);
    if (st) fprintf(stderr, "# %s\n", d.message);
    assert_int_equal(st, WELD_OK);
    assert_true(weld_insn_reader_done(&r));
    assert_int_equal(insn.offset, 100);
    weld_buf b;
    weld_buf_init(&b);
    weld_insn_write(&b, &insn);
    if (!canon) canon = bytes, cn = n;
    assert_int_equal(b.len, cn);
    assert_memory_equal(b.data, canon, cn);
    /* the re-encoded form decodes to an equal instruction */
    weld_insn again;
    weld_insn_reader_init(&r, b.data, b.len, 0);
    assert_int_equal(weld_insn_read(&r, &again, &d), WELD_OK);
    assert_true(weld_insn_equal(&insn, &again));
    weld_buf_free(&b);
    return insn;
}
#define ONE(lit) decode_one(lit, sizeof lit - 1, NULL, 0)
#define CANON(lit, c) decode_one(lit, sizeof lit - 1, c, sizeof c - 1)

static void test_every_immediate_kind(void **state)
{
    (void)state;
    weld_insn i;
    i = ONE("\x6a");
    assert_int_equal(i.op, WELD_OP_I32_ADD);
    i = ONE("\x02\x40");
    assert_int_equal(i.u.block.kind, WELD_BLOCK_EMPTY);
    i = ONE("\x03\x7b");
    assert_int_equal(i.u.block.value, WELD_V128);
    i = ONE("\x04\x05");
    assert_int_equal(i.u.block.kind, WELD_BLOCK_TYPEIDX);
    assert_int_equal(i.u.block.index, 5);
    i = ONE("\x0c\x03");
    assert_int_equal(i.u.index, 3);
    i = ONE("\x0e\x03\x00\x81\x01\x02\x04");
    assert_int_equal(i.u.br_table.count, 3);
    assert_int_equal(i.u.br_table.default_label, 4);
    const uint8_t *t = i.u.br_table.targets;
    assert_int_equal(weld_insn_label_next(&t), 0);
    assert_int_equal(weld_insn_label_next(&t), 129);
    assert_int_equal(weld_insn_label_next(&t), 2);
    i = ONE("\x11\x02\x01");
    assert_int_equal(i.u.pair.a, 2);
    assert_int_equal(i.u.pair.b, 1);
    i = ONE("\x28\x02\x10");
    assert_int_equal(i.u.memarg.align, 2);
    assert_int_equal(i.u.memarg.offset, 16);
    i = ONE("\x28\x42\x03\x10"); /* multi-memory: flag bit 6, memory 3 */
    assert_int_equal(i.u.memarg.memory, 3);
    assert_int_equal(i.u.memarg.align, 2);
    i = ONE("\xfd\x54\x00\x00\x0f");
    assert_int_equal(i.op, WELD_OP_V128_LOAD8_LANE);
    assert_int_equal(i.lane, 15);
    i = ONE("\x3f\x00");
    i = ONE("\x41\x7f");
    assert_int_equal(i.u.i32, -1);
    i = ONE("\x42\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f");
    assert_true(i.u.i64 == INT64_MIN);
    i = ONE("\x43\x00\x00\x80\x3f");
    assert_int_equal(i.u.f32, 0x3f800000u);
    i = ONE("\x44\x00\x00\x00\x00\x00\x00\xf0\x3f");
    assert_true(i.u.f64 == 0x3ff0000000000000ull);
    i = ONE("\xfd\x0c\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10");
    assert_int_equal(i.u.v128[15], 0x10);
    i = ONE("\xfd\x0d\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x1f");
    assert_int_equal(i.op, WELD_OP_I8X16_SHUFFLE);
    i = ONE("\xfd\x15\x07");
    assert_int_equal(i.lane, 7);
    i = ONE("\x1c\x01\x7f");
    assert_int_equal(i.u.select.count, 1);
    assert_int_equal(i.u.select.types[0], WELD_I32);
    i = ONE("\xd0\x6f");
    assert_int_equal(i.u.heap.abstract, WELD_EXTERNREF);
    i = ONE("\xfc\x09\x02");
    assert_int_equal(i.op, WELD_OP_DATA_DROP);
    i = ONE("\xfc\x0d\x01");
    assert_int_equal(i.op, WELD_OP_ELEM_DROP);
    i = ONE("\xfc\x08\x01\x00");
    assert_int_equal(i.op, WELD_OP_MEMORY_INIT);
    i = ONE("\xfc\x0a\x00\x01");
    assert_int_equal(i.u.pair.b, 1);
    i = ONE("\xfc\x0c\x03\x01");
    assert_int_equal(i.op, WELD_OP_TABLE_INIT);
    i = ONE("\xfc\x0e\x01\x02");
    assert_int_equal(i.op, WELD_OP_TABLE_COPY);
    i = ONE("\x08\x04");
    assert_int_equal(i.op, WELD_OP_THROW);
    i = ONE("\x1f\x40\x04\x00\x01\x00\x01\x02\x03\x02\x01\x03\x00");
    assert_int_equal(i.u.try_table.count, 4);
    const uint8_t *c = i.u.try_table.catches;
    weld_catch k = weld_insn_catch_next(&c);
    assert_int_equal(k.kind, WELD_CATCH);
    assert_int_equal(k.tag, 1);
    assert_int_equal(k.label, 0);
    k = weld_insn_catch_next(&c);
    assert_int_equal(k.kind, WELD_CATCH_REF);
    k = weld_insn_catch_next(&c);
    assert_int_equal(k.kind, WELD_CATCH_ALL);
    assert_int_equal(k.label, 1);
    i = ONE("\x18\x00");
    assert_int_equal(i.op, WELD_OP_DELEGATE);
    i = ONE("\xfe\x03\x00");
    assert_int_equal(i.op, WELD_OP_ATOMIC_FENCE);
    i = ONE("\xfe\x00\x02\x00");
    assert_int_equal(i.op, WELD_OP_MEMORY_ATOMIC_NOTIFY);
    i = ONE("\xfd\x80\x02");
    assert_int_equal(i.op, WELD_OP_I8X16_RELAXED_SWIZZLE);
    i = ONE("\x12\x00");
    assert_int_equal(i.op, WELD_OP_RETURN_CALL);
}

static void test_non_minimal_lebs_reencode_minimal(void **state)
{
    (void)state;
    weld_insn i = CANON("\x20\x80\x80\x00", "\x20\x00");
    assert_int_equal(i.op, WELD_OP_LOCAL_GET);
    CANON("\x41\xff\xff\xff\xff\x7f", "\x41\x7f");
    CANON("\xfc\x80\x00", "\xfc\x00");
    CANON("\x0e\x81\x00\x80\x00\x80\x00", "\x0e\x01\x00\x00");
}

static void expect_bad(const char *bytes, size_t n, const char *needle, uint64_t off)
{
    weld_insn_reader r;
    weld_insn insn;
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_insn_reader_init(&r, (const uint8_t *)bytes, n, 0);
    assert_int_equal(weld_insn_read(&r, &insn, &d), WELD_ERR_MALFORMED);
    if (!strstr(d.message, needle)) fprintf(stderr, "# %s\n", d.message);
    assert_non_null(strstr(d.message, needle));
    assert_int_equal(d.offset, off);
}
#define BAD(lit, needle, off) expect_bad(lit, sizeof lit - 1, needle, off)

static void test_malformed_instructions(void **state)
{
    (void)state;
    BAD("\xfc\x55", "unknown opcode 0xfc 0x55", 0);
    BAD("\xfd\x9a\x01", "unknown opcode 0xfd 0x9a", 0);
    BAD("\x27", "unknown opcode 0x27", 0);
    BAD("", "unexpected end", 0);
    BAD("\x41\x80\x80\x80\x80\x80\x00", "integer representation too long", 1);
    BAD("\x41\x80\x80\x80\x80\x70", "integer too large", 1);
    BAD("\x20\x80", "unexpected end", 1);
    BAD("\x28\x80\x01\x00", "alignment flag", 1);
    BAD("\x0e\x05\x00", "unexpected end", 0);
    BAD("\xfe\x03\x01", "atomic.fence", 2);
    BAD("\x1f\x40\x01\x07\x00", "malformed catch kind", 3);
    BAD("\x1c\x01\x55", "malformed value type", 2);
    BAD("\x44\x00\x00", "unexpected end", 3);
}

static void test_expr_scan(void **state)
{
    (void)state;
    /* block (nested) end end, followed by trailing bytes the scan must not consume */
    static const uint8_t code[] = {0x02, 0x40, 0x41, 0x00, 0x1a, 0x0b, 0x0b, 0xff};
    uint32_t len = 0;
    bool uses = false;
    weld_diag d;
    assert_int_equal(weld_expr_scan(code, sizeof code, 0, false, &len, &uses, &d), WELD_OK);
    assert_int_equal(len, 7);
    assert_false(uses);
    static const uint8_t drop[] = {0xfc, 0x09, 0x00, 0x0b};
    assert_int_equal(weld_expr_scan(drop, sizeof drop, 0, false, &len, &uses, &d), WELD_OK);
    assert_true(uses);
    static const uint8_t open[] = {0x02, 0x40, 0x0b};
    assert_int_equal(weld_expr_scan(open, sizeof open, 0, false, &len, NULL, &d),
                     WELD_ERR_MALFORMED);
    /* a 64-bit memory's offsets may exceed 32 bits */
    static const uint8_t wide[] = {0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x0b};
    assert_int_equal(weld_expr_scan(wide, sizeof wide, 0, false, &len, NULL, &d),
                     WELD_ERR_MALFORMED);
    assert_int_equal(weld_expr_scan(wide, sizeof wide, 0, true, &len, NULL, &d), WELD_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_consistent),
        cmocka_unit_test(test_every_immediate_kind),
        cmocka_unit_test(test_non_minimal_lebs_reencode_minimal),
        cmocka_unit_test(test_malformed_instructions),
        cmocka_unit_test(test_expr_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
