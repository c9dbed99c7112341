/* test_read_core.c - the core module reader: every section, every element and data segment
 * form, the name section, and malformed inputs (message and offset). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "base/base.h"
#include "weld/module.h"
#include "weld/insn.h"

/* ---- building test modules ---------------------------------------------------------- */

static void preamble(weld_buf *b)
{
    weld_buf_init(b);
    weld_buf_append(b, "\0asm\1\0\0\0", 8);
}

/* Append a section with the given id and raw payload bytes. */
static void section(weld_buf *b, uint8_t id, const char *payload, size_t n)
{
    weld_buf_byte(b, id);
    weld_buf_u32leb(b, (uint32_t)n);
    weld_buf_append(b, payload, n);
}
#define SEC(b, id, lit) section(b, id, lit, sizeof lit - 1)

static weld_module *read_ok(weld_arena *a, const weld_buf *b, bool skip)
{
    weld_read_opts o = {skip, 0};
    weld_module *m = NULL;
    weld_diag d;
    weld_diag_init(&d, "test");
    weld_status st = weld_module_read(a, b->data, b->len, &o, &m, &d);
    if (st) fprintf(stderr, "# unexpected: %s\n", d.message);
    assert_int_equal(st, WELD_OK);
    assert_non_null(m);
    return m;
}

/* Read bytes expecting a malformed error whose message contains `needle` at `offset`. */
static void read_bad(const void *bytes, size_t n, const char *needle, uint64_t offset)
{
    weld_arena *a = weld_arena_new();
    weld_module *m = NULL;
    weld_diag d;
    weld_diag_init(&d, "test");
    weld_status st = weld_module_read(a, bytes, n, NULL, &m, &d);
    if (st == WELD_OK || !strstr(d.message, needle) || d.offset != offset)
        fprintf(stderr, "# got status %d offset 0x%llx: %s (wanted '%s' at 0x%llx)\n", st,
                (unsigned long long)d.offset, d.message, needle, (unsigned long long)offset);
    assert_int_equal(st, WELD_ERR_MALFORMED);
    assert_non_null(strstr(d.message, needle));
    assert_int_equal(d.offset, offset);
    weld_arena_free(a);
}
#define BAD(lit, needle, off) read_bad(lit, sizeof lit - 1, needle, off)

/* ---- well-formed modules --------------------------------------------------------------- */

static void test_empty_module(void **state)
{
    (void)state;
    weld_buf b;
    preamble(&b);
    weld_arena *a = weld_arena_new();
    weld_module *m = read_ok(a, &b, false);
    assert_int_equal(m->nsections, 0);
    assert_int_equal(m->ntypes, 0);
    assert_true(weld_is_core_module(b.data, b.len));
    weld_arena_free(a);
    weld_buf_free(&b);
}

/* A module with one of every non-segment section. */
static void build_full(weld_buf *b)
{
    preamble(b);
    SEC(b, 0, "\x04" "meta" "xyz");
    /* types: (i32 i64) -> (f32), () -> () */
    SEC(b, 1, "\x02\x60\x02\x7f\x7e\x01\x7d\x60\x00\x00");
    /* imports: func, table, memory (shared, max), global (mut i32), tag */
    SEC(b, 2, "\x05"
              "\x01m\x01" "f\x00\x01"
              "\x01m\x01t\x01\x70\x01\x01\x02"
              "\x01m\x03mem\x02\x03\x01\x02"
              "\x01m\x01g\x03\x7f\x01"
              "\x01m\x01" "e\x04\x00\x01");
    SEC(b, 3, "\x02\x01\x00");                 /* two functions */
    SEC(b, 4, "\x01\x6f\x00\x05");             /* table externref min 5 */
    SEC(b, 5, "\x01\x04\x80\x80\x04");         /* a 64-bit memory, min 65536 */
    SEC(b, 13, "\x01\x00\x01");                /* tag of type 1 */
    SEC(b, 6, "\x01\x7e\x00\x42\x7f\x0b");     /* global i64 = -1 */
    SEC(b, 7, "\x02\x03run\x00\x02\x03mem\x02\x00");
    SEC(b, 8, "\x02");                         /* start: function 2 */
    SEC(b, 12, "\x00");                        /* data count 0 */
    /* code: body 0 has locals 2 x i32 + 1 x f64 and uses a br_table and a v128 const */
    SEC(b, 10, "\x02"
               "\x10\x02\x02\x7f\x01\x7c"
               "\x02\x40\x41\x00\x0e\x01\x00\x00\x0b\x1a\x0b"
               "\x02\x00\x0b");
    SEC(b, 0, "\x04" "tail");
}

static void test_every_section(void **state)
{
    (void)state;
    weld_buf b;
    build_full(&b);
    weld_arena *a = weld_arena_new();
    weld_module *m = read_ok(a, &b, false);
    assert_int_equal(m->ntypes, 2);
    assert_int_equal(m->types[0].nparams, 2);
    assert_int_equal(m->types[0].params[1], WELD_I64);
    assert_int_equal(m->types[0].results[0], WELD_F32);
    assert_int_equal(m->nimports, 5);
    assert_int_equal(m->imports[2].type.kind, WELD_EXTERN_MEMORY);
    assert_int_equal(m->imports[2].type.u.memory.flags, 3);
    assert_int_equal(m->imports[2].type.u.memory.max, 2);
    assert_string_equal(m->imports[2].name.ptr, "mem");
    assert_true(m->imports[3].type.u.global.mut);
    assert_int_equal(m->imports[4].type.u.tag, 1);
    assert_int_equal(m->nimported_funcs, 1);
    assert_int_equal(m->nimported_tags, 1);
    assert_int_equal(m->nfuncs, 2);
    assert_int_equal(m->tables[0].elem, WELD_EXTERNREF);
    assert_int_equal(m->tables[0].limits.min, 5);
    assert_int_equal(m->memories[0].flags, WELD_LIMITS_64);
    assert_int_equal(m->memories[0].min, 65536);
    assert_int_equal(m->ntags, 1);
    assert_int_equal(m->globals[0].init.len, 3);
    assert_int_equal(m->nexports, 2);
    assert_string_equal(m->exports[1].name.ptr, "mem");
    assert_true(m->has_start);
    assert_int_equal(m->start, 2);
    assert_true(m->has_datacount);
    assert_int_equal(m->ncode, 2);
    assert_int_equal(m->code[0].nlocal_groups, 2);
    assert_int_equal(m->code[0].nlocals, 3);
    assert_int_equal(m->code[0].locals[1].type, WELD_F64);
    assert_int_equal(m->code[0].code.len, 11);
    assert_int_equal(m->ncustoms, 2);
    assert_string_equal(m->customs[0].name.ptr, "meta");
    assert_int_equal(m->customs[0].len, 3);
    /* section order recorded, custom sections in place */
    assert_int_equal(m->nsections, 13);
    assert_int_equal(m->sections[0].id, 0);
    assert_int_equal(m->sections[6].id, WELD_SEC_TAG);
    assert_int_equal(m->sections[10].id, WELD_SEC_DATACOUNT);
    assert_int_equal(m->sections[12].id, 0);
    assert_int_equal(m->sections[12].index, 1);
    assert_int_equal(m->sections[1].offset, 8 + 10);
    weld_arena_free(a);
    weld_buf_free(&b);
}

static void test_skip_bodies_frames_only(void **state)
{
    (void)state;
    weld_buf b;
    preamble(&b);
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x01\x00");
    /* an unknown opcode 0xff inside the body: only a full decode sees it */
    SEC(&b, 10, "\x01\x03\x00\xff\x0b");
    weld_arena *a = weld_arena_new();
    weld_module *m = read_ok(a, &b, true);
    assert_int_equal(m->code[0].code.len, 2);
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_module_read(a, b.data, b.len, NULL, &m, &d), WELD_ERR_MALFORMED);
    assert_non_null(strstr(d.message, "code section, function 0: unknown opcode 0xff"));
    assert_int_equal(d.offset, 8 + 6 + 4 + 5);
    weld_arena_free(a);
    weld_buf_free(&b);
}

static void test_element_forms(void **state)
{
    (void)state;
    weld_buf b;
    preamble(&b);
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x01\x00");
    SEC(&b, 4, "\x01\x70\x00\x01");
    SEC(&b, 9, "\x08"
               "\x00\x41\x00\x0b\x01\x00"               /* 0: active table 0, funcs */
               "\x01\x00\x01\x00"                       /* 1: passive, elemkind, funcs */
               "\x02\x00\x41\x01\x0b\x00\x02\x00\x00"   /* 2: active table x, elemkind */
               "\x03\x00\x01\x00"                       /* 3: declarative, funcs */
               "\x04\x41\x00\x0b\x01\xd2\x00\x0b"       /* 4: active, exprs */
               "\x05\x70\x02\xd0\x70\x0b\xd2\x00\x0b"   /* 5: passive, reftype, exprs */
               "\x06\x00\x41\x00\x0b\x70\x00"           /* 6: active table x, reftype */
               "\x07\x6f\x01\xd0\x6f\x0b");             /* 7: declarative, exprs */
    SEC(&b, 10, "\x01\x02\x00\x0b");
    weld_arena *a = weld_arena_new();
    weld_module *m = read_ok(a, &b, false);
    assert_int_equal(m->nelems, 8);
    static const uint8_t modes[8] = {WELD_SEG_ACTIVE, WELD_SEG_PASSIVE, WELD_SEG_ACTIVE,
                                     WELD_SEG_DECLARATIVE, WELD_SEG_ACTIVE, WELD_SEG_PASSIVE,
                                     WELD_SEG_ACTIVE, WELD_SEG_DECLARATIVE};
    for (uint32_t i = 0; i < 8; i++) {
        assert_int_equal(m->elems[i].flags, i);
        assert_int_equal(m->elems[i].mode, modes[i]);
        assert_int_equal(m->elems[i].uses_exprs, i >= 4);
    }
    assert_int_equal(m->elems[2].count, 2);
    assert_int_equal(m->elems[5].count, 2);
    assert_int_equal(m->elems[5].exprs[1].len, 3);
    assert_int_equal(m->elems[6].count, 0);
    assert_int_equal(m->elems[7].type, WELD_EXTERNREF);
    assert_int_equal(m->elems[0].offset.len, 3);
    weld_arena_free(a);
    weld_buf_free(&b);
}

static void test_data_forms(void **state)
{
    (void)state;
    weld_buf b;
    preamble(&b);
    SEC(&b, 5, "\x02\x00\x01\x00\x01");
    SEC(&b, 12, "\x03");
    SEC(&b, 11, "\x03"
                "\x00\x41\x08\x0b\x02" "hi"
                "\x01\x03" "abc"
                "\x02\x01\x41\x00\x0b\x00");
    weld_arena *a = weld_arena_new();
    weld_module *m = read_ok(a, &b, false);
    assert_int_equal(m->ndatas, 3);
    assert_int_equal(m->datas[0].mode, WELD_SEG_ACTIVE);
    assert_memory_equal(m->datas[0].bytes, "hi", 2);
    assert_int_equal(m->datas[1].mode, WELD_SEG_PASSIVE);
    assert_int_equal(m->datas[1].len, 3);
    assert_int_equal(m->datas[2].memory, 1);
    assert_int_equal(m->datas[2].len, 0);
    weld_arena_free(a);
    weld_buf_free(&b);
}

static void test_name_section(void **state)
{
    (void)state;
    weld_buf b;
    preamble(&b);
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x01\x00");
    SEC(&b, 10, "\x01\x04\x01\x01\x7f\x0b");
    /* module "m"; functions 0 "f" and 7 "ghost" (no such function: tolerated);
     * locals of function 0: 0 "x"; then an unknown subsection 9 kept raw */
    SEC(&b, 0, "\x04name"
               "\x00\x02\x01m"
               "\x01\x0b\x02\x00\x01" "f\x07\x05" "ghost"
               "\x02\x06\x01\x00\x01\x00\x01x"
               "\x09\x02\xaa\xbb");
    weld_arena *a = weld_arena_new();
    weld_module *m = read_ok(a, &b, false);
    assert_true(m->has_names);
    assert_true(m->names.has_module);
    assert_string_equal(m->names.module.ptr, "m");
    assert_int_equal(m->names.funcs.count, 2);
    assert_int_equal(m->names.funcs.items[1].index, 7);
    assert_string_equal(m->names.funcs.items[1].name.ptr, "ghost");
    assert_int_equal(m->names.locals.count, 1);
    assert_string_equal(m->names.locals.maps[0].items[0].name.ptr, "x");
    assert_int_equal(m->names.nsubsections, 4);
    assert_int_equal(m->names.subsections[3].id, 9);
    assert_int_equal(m->names.subsections[3].len, 2);
    weld_arena_free(a);
    weld_buf_free(&b);
}

static void test_bad_name_section_is_kept_raw(void **state)
{
    (void)state;
    weld_buf b;
    preamble(&b);
    SEC(&b, 0, "\x04name\x01\x09\x05");  /* subsection larger than the section */
    weld_arena *a = weld_arena_new();
    weld_module *m = read_ok(a, &b, false);
    assert_false(m->has_names);
    assert_int_equal(m->ncustoms, 1);
    weld_arena_free(a);
    weld_buf_free(&b);
}

/* ---- malformed inputs --------------------------------------------------------------- */

static void test_bad_preamble(void **state)
{
    (void)state;
    BAD("\0asn\1\0\0\0", "magic header not detected", 0);
    BAD("\0as", "unexpected end", 0);
    BAD("\0asm\2\0\0\0", "unknown binary version", 4);
    BAD("\0asm\x0d\0\1\0", "component", 4);
}

static void test_bad_sections(void **state)
{
    (void)state;
    BAD("\0asm\1\0\0\0\x0e\x00", "malformed section id 14", 8);
    BAD("\0asm\1\0\0\0\x03\x01\x00\x01\x01\x00", "unexpected content after last section", 11);
    BAD("\0asm\1\0\0\0\x01\x05\x00", "unexpected end", 8);
    BAD("\0asm\1\0\0\0\x01\x02\x00\x00", "section size mismatch", 11);
    /* junk after the last section: a lone section id without a size */
    BAD("\0asm\1\0\0\0\x01\x01\x00\x05", "memory section: section size: unexpected end", 12);
    /* LEB128: a type count with 6 bytes */
    BAD("\0asm\1\0\0\0\x01\x07\x80\x80\x80\x80\x80\x00\x00",
        "type section: type count: integer representation too long", 10);
    /* LEB128: a 5-byte section size with unused bits set */
    BAD("\0asm\1\0\0\0\x01\x80\x80\x80\x80\x70", "integer too large", 9);
}

static void test_bad_items(void **state)
{
    (void)state;
    BAD("\0asm\1\0\0\0\x06\x06\x01\x7f\x02\x41\x00\x0b", "global section, global 0: malformed mutability 0x02", 12);
    BAD("\0asm\1\0\0\0\x05\x03\x01\x08\x00", "memory section, memory 0: malformed limits flags 0x08", 11);
    BAD("\0asm\1\0\0\0\x04\x04\x01\x70\x02\x00", "table section, table 0: malformed limits flags", 12);
    BAD("\0asm\1\0\0\0\x01\x04\x01\x61\x00\x00", "type section, type 0: malformed type form 0x61", 11);
    BAD("\0asm\1\0\0\0\x01\x05\x01\x60\x01\x55\x00", "malformed value type 0x55", 13);
    /* the proposals' type forms the reader does not take are named */
    BAD("\0asm\1\0\0\0\x01\x06\x01\x60\x01\x63\x70\x00",
        "malformed value type 0x63 (a typed reference of the function-references proposal", 13);
    BAD("\0asm\1\0\0\0\x01\x05\x01\x60\x00\x01\x6b",
        "malformed value type 0x6b (a reference type of the gc proposal", 14);
    BAD("\0asm\1\0\0\0\x01\x04\x01\x5f\x00\x00", "malformed type form 0x5f (expected 0x60, func); "
        "rec, sub, struct and array types are the gc proposal's", 11);
    BAD("\0asm\1\0\0\0\x04\x07\x01\x40\x00\x70\x00\x01\xd2",
        "table with an initialiser expression, of the function-references proposal", 11);
    BAD("\0asm\1\0\0\0\x02\x07\x01\x01m\x02\xff\xfe\x00", "import section, import 0: item name: malformed UTF-8", 14);
    BAD("\0asm\1\0\0\0\x00\x03\x02\xc0\x80", "custom section: custom section name: malformed UTF-8", 11);
    BAD("\0asm\1\0\0\0\x02\x07\x01\x01m\x01" "f\x05\x00", "malformed import kind 0x05", 15);
    BAD("\0asm\1\0\0\0\x07\x05\x01\x01x\x05\x00", "malformed export kind", 13);
    BAD("\0asm\1\0\0\0\x09\x03\x01\x08\x00", "malformed element segment flags 8", 11);
    BAD("\0asm\1\0\0\0\x0b\x03\x01\x03\x00", "malformed data segment flags 3", 11);
}

static void test_bad_code(void **state)
{
    (void)state;
    /* one function declared, no code section */
    BAD("\0asm\1\0\0\0\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00",
        "function and code section have inconsistent lengths", 18);
    /* too many locals: 2 groups of 0x80000000 */
    BAD("\0asm\1\0\0\0\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"
        "\x0a\x10\x01\x0e\x02\x80\x80\x80\x80\x08\x7f\x80\x80\x80\x80\x08\x7f\x0b",
        "code section, function 0: too many locals", 29);
    /* i32.const swallows the final 0x0b as its immediate: the body ends early */
    BAD("\0asm\1\0\0\0\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"
        "\x0a\x05\x01\x03\x00\x41\x0b",
        "code section, function 0: unexpected end", 25);
    /* a truncated i64 constant */
    BAD("\0asm\1\0\0\0\x06\x05\x01\x7f\x00\x42\x80",
        "global section, global 0: i64 constant: unexpected end", 14);
    /* unknown prefixed opcode */
    BAD("\0asm\1\0\0\0\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"
        "\x0a\x06\x01\x04\x00\xfc\x55\x0b",
        "code section, function 0: unknown opcode 0xfc 0x55", 23);
    /* operators after the final end */
    BAD("\0asm\1\0\0\0\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"
        "\x0a\x06\x01\x04\x00\x0b\x01\x0b",
        "operators remaining after the end of the function", 24);
    /* memory.init without a data count section */
    BAD("\0asm\1\0\0\0\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x05\x03\x01\x00\x00"
        "\x0a\x0e\x01\x0c\x00\x41\x00\x41\x00\x41\x00\xfc\x08\x00\x00\x0b"
        "\x0b\x04\x01\x01\x01\x00",
        "code section, function 0: data count section required", 26);
    /* memarg alignment flags of 128 and above */
    BAD("\0asm\1\0\0\0\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x05\x03\x01\x00\x00"
        "\x0a\x0a\x01\x08\x00\x41\x00\x28\x80\x01\x00\x0b",
        "malformed memop alignment flag", 31);
    /* data count disagrees with the data section */
    BAD("\0asm\1\0\0\0\x0c\x01\x02\x0b\x01\x00",
        "data count and data section have inconsistent lengths", 13);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_module),
        cmocka_unit_test(test_every_section),
        cmocka_unit_test(test_skip_bodies_frames_only),
        cmocka_unit_test(test_element_forms),
        cmocka_unit_test(test_data_forms),
        cmocka_unit_test(test_name_section),
        cmocka_unit_test(test_bad_name_section_is_kept_raw),
        cmocka_unit_test(test_bad_preamble),
        cmocka_unit_test(test_bad_sections),
        cmocka_unit_test(test_bad_items),
        cmocka_unit_test(test_bad_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
