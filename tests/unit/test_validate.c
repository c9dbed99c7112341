/* test_validate.c - the validator: instruction typing (stacks, unreachable code, blocks
 * with parameters, branches, SIMD lanes, memory immediates, references, tail calls,
 * atomics), module-level rules (limits, constant expressions, exports, start, segments,
 * declared references), the Wasm 2.0 strict mode, messages and offsets, and the hooks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "base/base.h"
#include "weld/module.h"
#include "weld/validate.h"

/* ---- building test modules ---------------------------------------------------------- */

/* Append a section with the given id and raw payload bytes. */
static void section(weld_buf *b, uint8_t id, const char *payload, size_t n)
{
    weld_buf_byte(b, id);
    weld_buf_u32leb(b, (uint32_t)n);
    weld_buf_append(b, payload, n);
}

/* A module with one type (`type`: the functype bytes after 0x60), one function of that
 * type whose body is `body` (locals vector, instructions, end), and the framed sections
 * `mid` (ids 4..9 and 12) between the function and code sections. */
static void module1(weld_buf *b, const char *type, size_t tn, const char *mid, size_t mn,
                    const char *body, size_t bn)
{
    weld_buf_init(b);
    weld_buf_append(b, "\0asm\1\0\0\0", 8);
    weld_buf tb;
    weld_buf_init(&tb);
    weld_buf_byte(&tb, 1);
    weld_buf_byte(&tb, 0x60);
    weld_buf_append(&tb, type, tn);
    section(b, 1, (const char *)tb.data, tb.len);
    weld_buf_free(&tb);
    section(b, 3, "\x01\x00", 2);
    weld_buf_append(b, mid, mn);
    weld_buf cb;
    weld_buf_init(&cb);
    weld_buf_byte(&cb, 1);
    weld_buf_u32leb(&cb, (uint32_t)bn);
    weld_buf_append(&cb, body, bn);
    section(b, 10, (const char *)cb.data, cb.len);
    weld_buf_free(&cb);
}

/* Read and validate b; on an expected failure, the message must contain `needle`. */
static void check(weld_buf *b, weld_status want, const char *needle, bool wasm2)
{
    weld_arena *a = weld_arena_new();
    weld_module *m = NULL;
    weld_diag d;
    weld_diag_init(&d, "test");
    weld_read_opts o = {true, 0};
    weld_status st = weld_module_read(a, b->data, b->len, &o, &m, &d);
    if (st == WELD_OK) {
        weld_validator *v = weld_validator_new();
        weld_validator_set_features(v, wasm2 ? WELD_VALID_WASM2 : WELD_VALID_ALL);
        st = weld_validator_run(v, m, NULL, &d);
        weld_validator_free(v);
    }
    if (st != want || (needle && !strstr(d.message, needle)))
        fprintf(stderr, "# got %s: %s (wanted %s '%s')\n", weld_status_name(st),
                st ? d.message : "", weld_status_name(want), needle ? needle : "");
    assert_int_equal(st, want);
    if (needle) assert_non_null(strstr(d.message, needle));
    weld_arena_free(a);
    weld_buf_free(b);
}

#define L(s) s, sizeof s - 1
#define NONE "", 0
/* types */
#define T_V "\x00\x00"             /* [] -> [] */
#define T_I "\x00\x01\x7f"         /* [] -> [i32] */
#define T_II_I "\x02\x7f\x7f\x01\x7f"
#define MEM1 "\x05\x03\x01\x00\x01" /* memory 1 */

static void func_ok(const char *type, size_t tn, const char *mid, size_t mn, const char *body,
                    size_t bn)
{
    weld_buf b;
    module1(&b, type, tn, mid, mn, body, bn);
    check(&b, WELD_OK, NULL, false);
}
static void func_bad(const char *type, size_t tn, const char *mid, size_t mn, const char *body,
                     size_t bn, const char *needle)
{
    weld_buf b;
    module1(&b, type, tn, mid, mn, body, bn);
    check(&b, WELD_ERR_INVALID, needle, false);
}

/* Local groups of count zero and no parameters: nothing to expand (found by fuzz_run:
 * the expansion used to offset a null locals array). */
static void test_empty_local_groups(void **state)
{
    (void)state;
    func_ok(L(T_V), NONE, L("\x03\x00\x7f\x00\x7e\x00\x7d\x0b"));
    func_bad(L(T_V), NONE, L("\x02\x00\x7f\x01\x7e\x20\x00\x0b"), "type mismatch");
}

/* ---- instruction typing ------------------------------------------------------------- */

static void test_simple_typing(void **state)
{
    (void)state;
    func_ok(L(T_II_I), NONE, L("\x00\x20\x00\x20\x01\x6a\x0b"));        /* local.get 0 1; add */
    func_bad(L(T_I), NONE, L("\x00\x44\0\0\0\0\0\0\0\0\x0b"), "type mismatch"); /* f64 result */
    func_bad(L(T_V), NONE, L("\x00\x41\x01\x0b"), "type mismatch");       /* value left over */
    func_bad(L(T_I), NONE, L("\x00\x0b"), "expected i32 on the stack, found nothing");
    func_bad(L(T_II_I), NONE, L("\x00\x20\x02\x0b"), "unknown local 2");
    /* locals: 2 x i64 */
    func_ok(L(T_V), NONE, L("\x01\x02\x7e\x20\x01\x21\x00\x0b"));
    /* 50001 locals: over the implementation limit every engine shares */
    weld_buf b;
    module1(&b, L(T_V), NONE, L("\x01\xd1\x86\x03\x7f\x0b"));
    check(&b, WELD_ERR_UNSUPPORTED, "too many locals", false);
    module1(&b, L(T_V), NONE, L("\x01\xd0\x86\x03\x7f\x0b"));
    check(&b, WELD_OK, NULL, false);
}

/* The message names the function, the instruction's offset and the rule. */
static void test_message_format(void **state)
{
    (void)state;
    weld_buf b;
    /* i32.const 1; f64.const 0; i32.add */
    module1(&b, L(T_I), NONE, L("\x00\x41\x01\x44\0\0\0\0\0\0\0\0\x6a\x0b"));
    size_t add_at = b.len - 2; /* the module ends with the body's i32.add, end */
    weld_arena *a = weld_arena_new();
    weld_module *m = NULL;
    weld_diag d;
    weld_diag_init(&d, "t");
    assert_int_equal(weld_module_read(a, b.data, b.len, NULL, &m, &d), WELD_OK);
    assert_int_equal(weld_validate_module(m, &d), WELD_ERR_INVALID);
    char want[128];
    snprintf(want, sizeof want, "func 0 at 0x%zx: type mismatch: expected i32 on the stack, found f64",
             add_at);
    if (strcmp(d.message, want)) fprintf(stderr, "# %s\n# %s\n", d.message, want);
    assert_string_equal(d.message, want);
    assert_int_equal(d.offset, add_at);
    weld_arena_free(a);
    weld_buf_free(&b);
}

static void test_unreachable_code(void **state)
{
    (void)state;
    /* unreachable; i32.add; (result i32) — operands come from the polymorphic stack */
    func_ok(L(T_I), NONE, L("\x00\x00\x6a\x0b"));
    /* return; then anything well-typed against unknowns */
    func_ok(L(T_I), NONE, L("\x00\x41\x00\x0f\x1a\x1a\x41\x01\x0b"));
    /* unreachable; f32.const; i32.add -> still a mismatch */
    func_bad(L(T_I), NONE, L("\x00\x00\x43\0\0\0\0\x6a\x0b"), "type mismatch");
    /* br_if in unreachable code pushes the label's concrete types */
    func_bad(L(T_V), NONE, L("\x00\x02\x7f\x00\x0d\x00\x43\0\0\0\0\x6a\x1a\x0b\x0b"),
             "type mismatch");
}

static void test_blocks_and_branches(void **state)
{
    (void)state;
    /* block type 0 = [i32 i32] -> [i32] used as a block with parameters */
    func_ok(L(T_II_I), NONE, L("\x00\x20\x00\x20\x01\x02\x00\x6a\x0b\x0b"));
    /* if without else must have params == results */
    func_bad(L(T_I), NONE, L("\x00\x41\x01\x04\x7f\x41\x01\x0b\x0b"), "if without else");
    /* br to an unknown label */
    func_bad(L(T_V), NONE, L("\x00\x0c\x01\x0b"), "unknown label 1");
    /* br_table with targets of different arity */
    func_bad(L(T_V), NONE, L("\x00\x02\x7f\x41\x00\x41\x00\x0e\x01\x00\x01\x0b\x1a\x0b"),
             "different arity");
    /* loop label carries the params: loop [] -> [i32] branching needs none */
    func_ok(L(T_I), NONE, L("\x00\x03\x7f\x41\x00\x0d\x00\x41\x02\x0b\x0b"));
    /* unknown block type index */
    func_bad(L(T_V), NONE, L("\x00\x02\x05\x0b\x0b"), "unknown type 5");
}

static void test_memory_immediates(void **state)
{
    (void)state;
    func_ok(L(T_I), L(MEM1), L("\x00\x41\x00\x28\x02\x00\x0b"));            /* i32.load align 4 */
    func_bad(L(T_I), L(MEM1), L("\x00\x41\x00\x28\x03\x00\x0b"),
             "alignment must not be larger than natural");
    func_bad(L(T_I), NONE, L("\x00\x41\x00\x28\x02\x00\x0b"), "unknown memory 0");
    /* atomics need exactly the natural alignment: i32.atomic.load align=2 */
    func_bad(L(T_I), L("\x05\x04\x01\x03\x01\x01"), L("\x00\x41\x00\xfe\x10\x01\x00\x0b"),
             "exactly natural");
    func_ok(L(T_I), L("\x05\x04\x01\x03\x01\x01"), L("\x00\x41\x00\xfe\x10\x02\x00\x0b"));
    /* memory.grow; memory.size */
    func_ok(L(T_I), L(MEM1), L("\x00\x41\x01\x40\x00\x1a\x3f\x00\x0b"));
}

/* Read b with bodies decoded by the reader (not skipped), then validate: the status. */
static weld_status read_full(weld_buf *b, const char *needle)
{
    weld_arena *a = weld_arena_new();
    weld_module *m = NULL;
    weld_diag d;
    weld_diag_init(&d, "test");
    weld_status st = weld_module_read(a, b->data, b->len, NULL, &m, &d);
    if (st == WELD_OK) {
        weld_validator *v = weld_validator_new();
        weld_validator_set_features(v, WELD_VALID_ALL);
        st = weld_validator_run(v, m, NULL, &d);
        weld_validator_free(v);
    }
    if (needle && st) assert_non_null(strstr(d.message, needle));
    weld_arena_free(a);
    return st;
}

/* A memarg's offset is a u64 for a 64-bit memory and a u32 for a 32-bit one, whichever
 * memory 0 is and whatever other memories there are (the memarg's memory index decides):
 * with memories of both kinds the reader decoded by "any memory is 64-bit" and the
 * validator by memory 0's type. */
static void test_memarg_offset_width_per_memory(void **state)
{
    (void)state;
    /* memory 0: i32, memory 1: i64 */
#define MEMS_32_64 "\x05\x05\x02\x00\x01\x04\x01"
#define MEMS_64_32 "\x05\x05\x02\x04\x01\x00\x01"
    /* i64.const 0; i32.load align=2 mem 1 offset=0x100000004; drop */
    static const char load1_far[] = "\x00\x42\x00\x28\x42\x01\x84\x80\x80\x80\x10\x1a\x0b";
    /* i32.const 0; i32.load align=2 mem 1 offset=0x100000000 (too large for a u32) */
    static const char load1_u64[] = "\x00\x41\x00\x28\x42\x01\x80\x80\x80\x80\x10\x1a\x0b";
    /* i32.const 0; i32.load align=2 (mem 0) offset=2 in 6 bytes (too long for a u32) */
    static const char load0_long[] = "\x00\x41\x00\x28\x02\x82\x80\x80\x80\x80\x00\x1a\x0b";
    weld_buf b;
    for (int full = 0; full < 2; full++) {
        /* valid: a 64-bit offset on the 64-bit memory 1 */
        module1(&b, L(T_V), L(MEMS_32_64), L(load1_far));
        if (full) {
            assert_int_equal(read_full(&b, NULL), WELD_OK);
            weld_buf_free(&b);
        } else {
            check(&b, WELD_OK, NULL, false);
        }
        /* malformed: a u32 offset too long on the 32-bit memory 0, though memory 1 is
         * 64-bit */
        module1(&b, L(T_V), L(MEMS_32_64), L(load0_long));
        if (full) {
            assert_int_equal(read_full(&b, "integer representation too long"), WELD_ERR_MALFORMED);
            weld_buf_free(&b);
        } else {
            check(&b, WELD_ERR_MALFORMED, "integer representation too long", false);
        }
        /* malformed: an offset past 2^32 on the 32-bit memory 1, though memory 0 is
         * 64-bit */
        module1(&b, L(T_V), L(MEMS_64_32), L(load1_u64));
        if (full) {
            assert_int_equal(read_full(&b, "integer too large"), WELD_ERR_MALFORMED);
            weld_buf_free(&b);
        } else {
            check(&b, WELD_ERR_MALFORMED, "integer too large", false);
        }
    }
#undef MEMS_32_64
#undef MEMS_64_32
}

static void test_simd(void **state)
{
    (void)state;
    /* v128.const; i8x16.extract_lane_s 15 -> i32 */
    func_ok(L(T_I), NONE,
            L("\x00\xfd\x0c\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\xfd\x15\x0f\x0b"));
    func_bad(L(T_I), NONE,
             L("\x00\xfd\x0c\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\xfd\x15\x10\x0b"), "invalid lane index 16");
    /* i8x16.shuffle lane 32 */
    func_bad(L("\x00\x01\x7b"), NONE,
             L("\x00\xfd\x0c\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\xfd\x0c\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
               "\xfd\x0d\x20\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x0b"),
             "invalid lane index 32");
    /* v128.load8_lane lane 16 */
    func_bad(L("\x00\x01\x7b"), L(MEM1),
             L("\x00\x41\x00\xfd\x0c\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\xfd\x54\x00\x00\x10\x0b"),
             "invalid lane index");
    /* f32x4.add on i32 operands */
    func_bad(L("\x00\x01\x7b"), NONE, L("\x00\x41\x00\x41\x00\xfd\xe4\x01\x0b"), "type mismatch");
}

static void test_select_and_refs(void **state)
{
    (void)state;
    /* select on i32 */
    func_ok(L(T_I), NONE, L("\x00\x41\x01\x41\x02\x41\x00\x1b\x0b"));
    /* untyped select on references is invalid; typed is fine */
    func_bad(L(T_V), NONE, L("\x00\xd0\x70\xd0\x70\x41\x00\x1b\x1a\x0b"), "type mismatch");
    func_ok(L(T_V), NONE, L("\x00\xd0\x70\xd0\x70\x41\x00\x1c\x01\x70\x1a\x0b"));
    /* ref.func 0 without a declaration */
    func_bad(L(T_V), NONE, L("\x00\xd2\x00\x1a\x0b"), "undeclared function reference");
    /* declared by an export */
    func_ok(L(T_V), L("\x07\x05\x01\x01\x66\x00\x00"), L("\x00\xd2\x00\x1a\x0b"));
    /* declared by a declarative element segment (form 3: elemkind, vec(funcidx)) */
    func_ok(L(T_V), L("\x09\x05\x01\x03\x00\x01\x00"), L("\x00\xd2\x00\x1a\x0b"));
}

static void test_calls(void **state)
{
    (void)state;
    func_bad(L(T_V), NONE, L("\x00\x10\x01\x0b"), "unknown function 1");
    func_ok(L(T_V), NONE, L("\x00\x10\x00\x0b"));
    /* call_indirect without a table */
    func_bad(L(T_V), NONE, L("\x00\x41\x00\x11\x00\x00\x0b"), "unknown table 0");
    /* return_call of itself: same results */
    func_ok(L(T_I), NONE, L("\x00\x12\x00\x0b"));
    /* global.set of an immutable global */
    func_bad(L(T_V), L("\x06\x06\x01\x7f\x00\x41\x00\x0b"), L("\x00\x41\x01\x24\x00\x0b"),
             "global is immutable");
}

/* ---- module-level rules ------------------------------------------------------------- */

static void test_module_rules(void **state)
{
    (void)state;
    weld_buf b;
    /* memory of 65537 pages */
    module1(&b, L(T_V), L("\x05\x05\x01\x00\x81\x80\x04"), L("\x00\x0b"));
    check(&b, WELD_ERR_INVALID, "memory size must be at most 65536 pages", false);
    /* min > max */
    module1(&b, L(T_V), L("\x05\x04\x01\x01\x02\x01"), L("\x00\x0b"));
    check(&b, WELD_ERR_INVALID, "size minimum must not be greater than maximum", false);
    /* duplicate export names */
    module1(&b, L(T_V), L("\x07\x09\x02\x01\x61\x00\x00\x01\x61\x00\x00"), L("\x00\x0b"));
    check(&b, WELD_ERR_INVALID, "duplicate export name", false);
    /* start function must be [] -> [] */
    module1(&b, L(T_I), L("\x08\x01\x00"), L("\x00\x41\x00\x0b"));
    check(&b, WELD_ERR_INVALID, "start function", false);
    /* a global initialiser reading a defined (not imported) global */
    module1(&b, L(T_V), L("\x06\x0b\x02\x7f\x00\x41\x00\x0b\x7f\x00\x23\x00\x0b"), L("\x00\x0b"));
    check(&b, WELD_ERR_INVALID, "unknown global 0", false);
    /* global.get of an imported mutable global in a constant expression */
    weld_buf_init(&b);
    weld_buf_append(&b, "\0asm\1\0\0\0", 8);
    section(&b, 2, "\x01\x01\x6d\x01\x67\x03\x7f\x01", 8);
    section(&b, 6, "\x01\x7f\x00\x23\x00\x0b", 6);
    check(&b, WELD_ERR_INVALID, "constant expression required", false);
    /* extended-const: i32.add in an initialiser */
    module1(&b, L(T_V), L("\x06\x09\x01\x7f\x00\x41\x01\x41\x02\x6a\x0b"), L("\x00\x0b"));
    check(&b, WELD_OK, NULL, false);
    module1(&b, L(T_V), L("\x06\x09\x01\x7f\x00\x41\x01\x41\x02\x6a\x0b"), L("\x00\x0b"));
    check(&b, WELD_ERR_INVALID, "constant expression required", true);
    /* a non-constant instruction */
    module1(&b, L(T_V), L("\x06\x05\x01\x7f\x00\x01\x0b"), L("\x00\x0b"));
    check(&b, WELD_ERR_INVALID, "constant expression required", false);
    /* two memories: fine by default, "multiple memories" in Wasm 2.0 mode */
    module1(&b, L(T_V), L("\x05\x05\x02\x00\x01\x00\x01"), L("\x00\x0b"));
    check(&b, WELD_OK, NULL, false);
    module1(&b, L(T_V), L("\x05\x05\x02\x00\x01\x00\x01"), L("\x00\x0b"));
    check(&b, WELD_ERR_INVALID, "multiple memories", true);
    /* shared memory needs a maximum */
    module1(&b, L(T_V), L("\x05\x03\x01\x02\x01"), L("\x00\x0b"));
    check(&b, WELD_ERR_INVALID, "shared memory must have maximum", false);
    /* element segment into an unknown table */
    module1(&b, L(T_V), L("\x09\x07\x01\x00\x41\x00\x0b\x01\x00"), L("\x00\x0b"));
    check(&b, WELD_ERR_INVALID, "unknown table 0", false);
    /* data segment into an unknown memory */
    module1(&b, L(T_V), NONE, L("\x00\x0b"));
    section(&b, 11, "\x01\x00\x41\x00\x0b\x00", 6);
    check(&b, WELD_ERR_INVALID, "unknown memory 0", false);
}

/* ---- hooks -------------------------------------------------------------------------- */

typedef struct counts {
    int begins, insns, ends;
    uint32_t max_height;
} counts;

static weld_status on_begin(void *ctx, const weld_valid_view *v, const weld_func_body *b)
{
    (void)v;
    (void)b;
    ((counts *)ctx)->begins++;
    return WELD_OK;
}
static weld_status on_insn(void *ctx, const weld_valid_view *v, const weld_insn *in)
{
    counts *c = ctx;
    (void)in;
    c->insns++;
    if (v->height > c->max_height) c->max_height = v->height;
    return WELD_OK;
}
static weld_status on_end(void *ctx, const weld_valid_view *v)
{
    (void)v;
    ((counts *)ctx)->ends++;
    return WELD_OK;
}

static void test_hooks(void **state)
{
    (void)state;
    weld_buf b;
    module1(&b, L(T_II_I), NONE, L("\x00\x20\x00\x20\x01\x6a\x0b"));
    weld_arena *a = weld_arena_new();
    weld_module *m = NULL;
    weld_diag d;
    weld_diag_init(&d, "t");
    assert_int_equal(weld_module_read(a, b.data, b.len, NULL, &m, &d), WELD_OK);
    counts c = {0, 0, 0, 0};
    weld_valid_hooks h = {&c, on_begin, on_insn, on_end};
    weld_validator *v = weld_validator_new();
    assert_int_equal(weld_validator_run(v, m, &h, &d), WELD_OK);
    assert_int_equal(c.begins, 1);
    assert_int_equal(c.insns, 4);      /* local.get, local.get, i32.add, end */
    assert_int_equal(c.ends, 1);
    assert_int_equal(c.max_height, 2); /* before i32.add */
    /* the validator is reusable */
    c = (counts){0, 0, 0, 0};
    assert_int_equal(weld_validator_run(v, m, &h, &d), WELD_OK);
    assert_int_equal(c.insns, 4);
    weld_validator_free(v);
    weld_arena_free(a);
    weld_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_typing),   cmocka_unit_test(test_message_format),
        cmocka_unit_test(test_unreachable_code), cmocka_unit_test(test_blocks_and_branches),
        cmocka_unit_test(test_memory_immediates), cmocka_unit_test(test_simd),
        cmocka_unit_test(test_select_and_refs), cmocka_unit_test(test_calls),
        cmocka_unit_test(test_module_rules),    cmocka_unit_test(test_hooks),
        cmocka_unit_test(test_empty_local_groups),
        cmocka_unit_test(test_memarg_offset_width_per_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
