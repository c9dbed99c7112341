/* test_text_parse.c - the text format reader: modules, abbreviations, literals, errors,
 * and the script (.wast) parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "weld/insn.h"
#include "weld/text.h"

/* Parse text and encode it; returns the status (bytes malloc'd in *out on success). */
static weld_status encode(const char *text, uint8_t **out, size_t *len, weld_diag *d)
{
    weld_arena *a = weld_arena_new();
    weld_module *m = NULL;
    weld_diag_init(d, "t.wat");
    weld_status st = weld_parse_wat(a, text, strlen(text), &m, d);
    if (!st) st = weld_module_write(m, NULL, out, len, d);
    weld_arena_free(a);
    return st;
}

static void assert_same_encoding(const char *x, const char *y)
{
    uint8_t *a = NULL, *b = NULL;
    size_t al = 0, bl = 0;
    weld_diag d;
    assert_int_equal(encode(x, &a, &al, &d), WELD_OK);
    assert_int_equal(encode(y, &b, &bl, &d), WELD_OK);
    assert_int_equal(al, bl);
    assert_memory_equal(a, b, al);
    free(a);
    free(b);
}

static void assert_error(const char *text, uint32_t line, uint32_t col, const char *msg)
{
    uint8_t *out = NULL;
    size_t len = 0;
    weld_diag d;
    assert_int_equal(encode(text, &out, &len, &d), WELD_ERR_SYNTAX);
    assert_null(out);
    if (!strstr(d.message, msg)) fail_msg("message \"%s\" lacks \"%s\"", d.message, msg);
    assert_int_equal(d.line, line);
    assert_int_equal(d.col, col);
}

/* The smallest module: exactly the preamble; a function is the four sections. */
static void test_empty_and_minimal(void **state)
{
    (void)state;
    uint8_t *out = NULL;
    size_t len = 0;
    weld_diag d;
    assert_int_equal(encode("(module)", &out, &len, &d), WELD_OK);
    assert_int_equal(len, 8);
    assert_memory_equal(out, "\0asm\1\0\0\0", 8);
    free(out);
    /* (func (result i32) i32.const 7): type, function, code sections by the binary format */
    assert_int_equal(encode("(module (func (result i32) i32.const 7))", &out, &len, &d), WELD_OK);
    static const uint8_t want[] = {0, 'a', 's', 'm', 1, 0, 0, 0,
                                   1, 5, 1, 0x60, 0, 1, 0x7f,  /* type: [] -> [i32] */
                                   3, 2, 1, 0,                 /* function: type 0 */
                                   10, 6, 1, 4, 0, 0x41, 7, 0x0b}; /* code */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(out, want, sizeof want);
    free(out);
}

/* Folded and flat instructions, names and numbers, inline exports and exports encode alike. */
static void test_folded_flat_symbolic_numeric(void **state)
{
    (void)state;
    assert_same_encoding(
        "(module (func $f (export \"f\") (param $a i32) (param $b i32) (result i32)"
        "  (local $t i32)"
        "  (block $out (result i32)"
        "    (br_if $out (i32.add (local.get $a) (local.get $b)) (local.get $t))"
        "    (if (result i32) (local.get $a) (then (call $f (local.get $b) (local.get $a))) (else (i32.const -1))))))",
        "(module (type (func (param i32 i32) (result i32)))"
        "(func (type 0) (local i32)"
        "  block (result i32)"
        "    local.get 0 local.get 1 i32.add local.get 2 br_if 0"
        "    local.get 0 if (result i32) local.get 1 local.get 0 call 0 else i32.const 0xffffffff end"
        "  end)"
        "(export \"f\" (func 0)))");
    /* block labels resolve by depth; end and else may repeat them */
    assert_same_encoding("(module (func block $a loop $b br $a br $b end $b end $a))",
                         "(module (func block loop br 1 br 0 end end))");
}

/* Implicit types are appended after the explicit ones, in the order they occur, reusing a
 * matching one; inline imports take the index space's first places. */
static void test_implicit_types_and_imports(void **state)
{
    (void)state;
    weld_arena *a = weld_arena_new();
    weld_module *m = NULL;
    weld_diag d;
    weld_diag_init(&d, NULL);
    const char *text = "(func $g (param i64))"
                       "(type $t (func (result f32)))"
                       "(func (import \"m\" \"f\") (param i32))"
                       "(func (param i64) (call $g (local.get 0)))"
                       "(func (result f32) (block (param i32) (result i32 i32) unreachable) unreachable)";
    assert_int_equal(weld_parse_wat(a, text, strlen(text), &m, &d), WELD_ERR_SYNTAX);
    assert_non_null(strstr(d.message, "import after function"));
    const char *ok = "(type $t (func (result f32)))"
                     "(func $g (import \"m\" \"f\") (param i32))"
                     "(func (param i64) (call $g (i32.const 0)))"
                     "(func (result f32) (block (param i32) (result i32 i32) unreachable) unreachable)"
                     "(func (param i64))";
    assert_int_equal(weld_parse_wat(a, ok, strlen(ok), &m, &d), WELD_OK);
    assert_int_equal(m->ntypes, 4); /* $t, [i32]->[], [i64]->[], [i32]->[i32 i32] */
    assert_int_equal(m->types[0].nresults, 1);
    assert_int_equal(m->types[1].nparams, 1);
    assert_int_equal(m->types[1].params[0], WELD_I32);
    assert_int_equal(m->types[2].params[0], WELD_I64);
    assert_int_equal(m->types[3].nresults, 2);
    assert_int_equal(m->nimports, 1);
    assert_int_equal(m->imports[0].type.u.func, 1);
    assert_int_equal(m->nfuncs, 3);
    assert_int_equal(m->func_types[0], 2);
    assert_int_equal(m->func_types[1], 0); /* (result f32) matches $t */
    assert_int_equal(m->func_types[2], 2);
    weld_arena_free(a);
}

/* Inline (data ...) in memory and (elem ...) in table become segments and limits. */
static void test_inline_segments(void **state)
{
    (void)state;
    assert_same_encoding("(module (memory (data \"ab\" \"\\63\\u{64}\")))",
                         "(module (memory 1 1) (data (i32.const 0) \"abcd\"))");
    assert_same_encoding("(module (table funcref (elem $f $f)) (func $f))",
                         "(module (table 2 2 funcref) (elem (i32.const 0) func 0 0) (func))");
}

/* Literals: hex floats, nan payloads, inf, underscores, the signed/unsigned i32 range. */
static void test_literals(void **state)
{
    (void)state;
    assert_same_encoding("(module (func f32.const 0x1.8p1 f32.const -nan:0x400000 f32.const inf drop drop drop"
                         " i32.const 1_000 i32.const -0x8000_0000 drop drop f64.const 1e3 drop))",
                         "(module (func f32.const 3.0 f32.const -nan f32.const +inf drop drop drop"
                         " i32.const 1000 i32.const 0x80000000 drop drop f64.const 1000 drop))");
    assert_error("(module (func i32.const 0x1_0000_0000 drop))", 1, 25, "constant out of range");
    assert_error("(module (func f32.const 1e39 drop))", 1, 25, "constant out of range");
    assert_error("(module (func i32.const 1__0 drop))", 1, 25, "constant out of range");
}

/* Errors carry line:col and say what was expected. */
static void test_errors(void **state)
{
    (void)state;
    assert_error("(module\n  (func i32.konst 1))", 2, 9, "unknown operator 'i32.konst'");
    assert_error("(module (func br $nowhere))", 1, 18, "unknown label $nowhere");
    assert_error("(module (func block $a end $b))", 1, 28, "mismatching label");
    assert_error("(module (func $f) (func $f))", 1, 25, "duplicate function $f");
    assert_error("(module (func call $g))", 1, 20, "unknown function $g");
    assert_error("(module (; open", 1, 9, "unclosed block comment");
    assert_error("(module\n (; a\n b ;)\n (; (; ;)\n x\n", 4, 2, "unclosed block comment");
    assert_error("(module (memory 1) (func i32.const 0 i32.load align=3 drop))", 1, 47, "alignment");
    assert_error("(module (func (local.get 0)", 1, 28, "expected ')'");
    assert_error("(module (data \"\\q\"))", 1, 15, "unknown escape");
    /* nesting deeper than the parser's bound is an error, not a stack overflow */
    size_t depth = 100000;
    char *deep = malloc(depth * 8 + 64);
    assert_non_null(deep);
    size_t n = (size_t)sprintf(deep, "(module (func ");
    for (size_t k = 0; k < depth; k++) n += (size_t)sprintf(deep + n, "(block ");
    for (size_t k = 0; k < depth; k++) deep[n++] = ')';
    strcpy(deep + n, "))");
    uint8_t *out = NULL;
    size_t len = 0;
    weld_diag d;
    assert_int_equal(encode(deep, &out, &len, &d), WELD_ERR_SYNTAX);
    assert_non_null(strstr(d.message, "nested more than"));
    free(deep);
}

/* A script: commands, modules in three forms, values and patterns. */
static void test_wast(void **state)
{
    (void)state;
    const char *s = "(module $m (func (export \"f\") (result f32) f32.const nan))\n"
                    "(register \"m\" $m)\n"
                    "(assert_return (invoke $m \"f\") (f32.const nan:canonical))\n"
                    "(assert_return (invoke \"g\" (i64.const -1) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 255))"
                    " (either (i32.const 1) (i32.const 2)))\n"
                    "(assert_malformed (module quote \"(func\" \" i32.const x)\") \"unknown operator\")\n"
                    "(assert_invalid (module binary \"\\00asm\" \"\\01\\00\\00\\00\") \"x\")\n"
                    "(assert_trap (module (func $s unreachable) (start $s)) \"unreachable\")\n"
                    "(assert_malformed (module (func i32.konst 0)) \"unknown operator\")\n";
    weld_arena *a = weld_arena_new();
    weld_wast_cmd *c = NULL;
    size_t n = 0;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_parse_wast(a, "t.wast", s, strlen(s), &c, &n, &d), WELD_OK);
    assert_int_equal(n, 8);
    assert_int_equal(c[0].kind, WELD_WAST_MODULE);
    assert_string_equal(c[0].name, "$m");
    assert_int_equal(c[0].parse_status, WELD_OK);
    assert_non_null(c[0].module);
    assert_int_equal(c[1].kind, WELD_WAST_REGISTER);
    assert_string_equal(c[1].as, "m");
    assert_int_equal(c[2].kind, WELD_WAST_ASSERT_RETURN);
    assert_string_equal(c[2].target, "$m");
    assert_int_equal(c[2].nresults, 1);
    assert_int_equal(c[2].results[0].nan, WELD_WAST_NAN_CANONICAL);
    assert_int_equal(c[3].nargs, 2);
    assert_true(c[3].args[0].bits == UINT64_MAX);
    assert_int_equal(c[3].args[1].v128[15], 255);
    assert_true(c[3].either);
    assert_int_equal(c[3].nresults, 2);
    assert_int_equal(c[4].form, WELD_WAST_QUOTE);
    assert_int_equal(c[4].len, strlen("(func i32.const x)"));
    assert_int_equal(c[5].form, WELD_WAST_BINARY);
    assert_int_equal(c[5].len, 8);
    assert_int_equal(c[6].kind, WELD_WAST_ASSERT_TRAP);
    assert_null(c[6].field.ptr);
    assert_int_equal(c[7].parse_status, WELD_ERR_SYNTAX);
    assert_int_equal(c[7].parse_diag.line, 8);
    assert_int_equal(c[7].line, 8);
    /* a broken script */
    const char *bad = "(assert_return (invoke \"f\")\n  (i32.const 1)";
    assert_int_equal(weld_parse_wast(a, "t.wast", bad, strlen(bad), &c, &n, &d), WELD_ERR_SYNTAX);
    assert_int_equal(d.line, 2);
    weld_arena_free(a);
}

/* --names: a name section with the module, function and local identifiers, decodable by
 * the reader into the names the text gave. */
static void test_name_section(void **state)
{
    (void)state;
    const char *text = "(module $mod (import \"m\" \"f\" (func $imp)) (func $g (param $p i32) (local $l i64)))";
    weld_arena *a = weld_arena_new();
    weld_module *m = NULL, *back = NULL;
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_wat_opts o = {.names = true};
    assert_int_equal(weld_parse_wat_opts(a, text, strlen(text), &o, &m, &d), WELD_OK);
    uint8_t *bytes = NULL;
    size_t len = 0;
    assert_int_equal(weld_module_write(m, NULL, &bytes, &len, &d), WELD_OK);
    assert_int_equal(weld_module_read(a, bytes, len, NULL, &back, &d), WELD_OK);
    assert_true(back->has_names);
    assert_true(back->names.has_module);
    assert_int_equal(back->names.module.len, 3);
    assert_memory_equal(back->names.module.ptr, "mod", 3);
    assert_int_equal(back->names.funcs.count, 2);
    assert_int_equal(back->names.funcs.items[1].index, 1);
    assert_memory_equal(back->names.funcs.items[1].name.ptr, "g", 1);
    assert_int_equal(back->names.locals.count, 1);
    assert_int_equal(back->names.locals.indices[0], 1);
    assert_int_equal(back->names.locals.maps[0].count, 2);
    assert_memory_equal(back->names.locals.maps[0].items[1].name.ptr, "l", 1);
    /* without the option: no custom section at all */
    assert_int_equal(weld_parse_wat(a, text, strlen(text), &m, &d), WELD_OK);
    assert_int_equal(m->ncustoms, 0);
    free(bytes);
    weld_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_minimal),
        cmocka_unit_test(test_folded_flat_symbolic_numeric),
        cmocka_unit_test(test_implicit_types_and_imports),
        cmocka_unit_test(test_inline_segments),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_wast),
        cmocka_unit_test(test_name_section),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
