/* test_wave.c - WAVE text for component values: parsing every value type against hand-built
 * type nodes, escapes, multiline strings, flattened options and results, error messages
 * and their columns, function calls and arguments, printing and round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "weld/wave.h"

#define S(lit) {lit, sizeof(lit) - 1}
#define PRIM(name, p) static const weld_tnode name = {.kind = WELD_TK_PRIM, .u.prim = p}

PRIM(T_BOOL, WELD_CV_BOOL);
PRIM(T_S8, WELD_CV_S8);
PRIM(T_U8, WELD_CV_U8);
PRIM(T_S16, WELD_CV_S16);
PRIM(T_U16, WELD_CV_U16);
PRIM(T_S32, WELD_CV_S32);
PRIM(T_U32, WELD_CV_U32);
PRIM(T_S64, WELD_CV_S64);
PRIM(T_U64, WELD_CV_U64);
PRIM(T_F32, WELD_CV_F32);
PRIM(T_F64, WELD_CV_F64);
PRIM(T_CHAR, WELD_CV_CHAR);
PRIM(T_STRING, WELD_CV_STRING);

static const weld_tnode T_LIST_U8 = {.kind = WELD_TK_LIST, .u.list = {&T_U8, 0}};
static const weld_tnode T_LIST_S16 = {.kind = WELD_TK_LIST, .u.list = {&T_S16, 0}};
static const weld_tnode T_LIST_F64 = {.kind = WELD_TK_LIST, .u.list = {&T_F64, 0}};
static const weld_tnode T_LIST_STR = {.kind = WELD_TK_LIST, .u.list = {&T_STRING, 0}};
static const weld_tnode T_LIST_U8_2 = {.kind = WELD_TK_FIXED_LIST, .u.list = {&T_U8, 2}};
static const weld_tnode T_OPT_U8 = {.kind = WELD_TK_OPTION, .u.option = &T_U8};
static const weld_tnode T_OPT_OPT_U8 = {.kind = WELD_TK_OPTION, .u.option = &T_OPT_U8};
static const weld_tnode T_OPT_STR = {.kind = WELD_TK_OPTION, .u.option = &T_STRING};
static const weld_tnode T_OPT_LIST_U8 = {.kind = WELD_TK_OPTION, .u.option = &T_LIST_U8};
static const weld_tnode T_RES_U8_STR = {.kind = WELD_TK_RESULT, .u.result = {&T_U8, &T_STRING}};
static const weld_tnode T_RES = {.kind = WELD_TK_RESULT, .u.result = {NULL, NULL}};
static const weld_tnode T_RES_ERR_STR = {.kind = WELD_TK_RESULT, .u.result = {NULL, &T_STRING}};
static const weld_tnode T_RES_OPT = {.kind = WELD_TK_RESULT, .u.result = {&T_OPT_U8, NULL}};

static const weld_tnode *const tup_types[] = {&T_U8, &T_STRING};
static const weld_tnode T_TUPLE = {.kind = WELD_TK_TUPLE, .u.tuple = {2, tup_types}};

static const weld_tfield rec_fields[] = {
    {S("a"), &T_U32}, {S("b"), &T_STRING}, {S("opt-c"), &T_OPT_U8}};
static const weld_tnode T_REC = {.kind = WELD_TK_RECORD, .u.record = {3, rec_fields}};
static const weld_tfield allopt_fields[] = {{S("optional"), &T_OPT_U8}};
static const weld_tnode T_ALLOPT = {.kind = WELD_TK_RECORD, .u.record = {1, allopt_fields}};
/* a field named like a keyword */
static const weld_tfield kwrec_fields[] = {{S("true"), &T_BOOL}};
static const weld_tnode T_KWREC = {.kind = WELD_TK_RECORD, .u.record = {1, kwrec_fields}};

static const weld_tfield var_cases[] = {{S("empty"), NULL}, {S("body"), &T_LIST_U8}, {S("err"), &T_STRING}};
static const weld_tnode T_VAR = {.kind = WELD_TK_VARIANT, .u.variant = {3, var_cases}};

static const weld_str enum_names[] = {S("ok"), S("not-found"), S("HTTP3")};
static const weld_tnode T_ENUM = {.kind = WELD_TK_ENUM, .u.labels = {3, enum_names}};
static const weld_str flag_names[] = {S("read"), S("write"), S("exec")};
static const weld_tnode T_FLAGS = {.kind = WELD_TK_FLAGS, .u.labels = {3, flag_names}};

/* a type exported under another name: alias_of names the structure */
static const weld_tnode T_ALIAS_REC = {.kind = WELD_TK_RECORD, .alias_of = &T_REC, .u.record = {3, rec_fields}};
static const weld_tnode T_LIST_ALIAS_U8 = {.kind = WELD_TK_PRIM, .alias_of = &T_U8, .u.prim = WELD_CV_U8};
static const weld_tnode T_LIST_OF_ALIAS = {.kind = WELD_TK_LIST, .u.list = {&T_LIST_ALIAS_U8, 0}};

static const weld_tnode T_RESOURCE = {.kind = WELD_TK_RESOURCE, .u.resource = {.name = S("counter")}};
static const weld_tnode T_OWN = {.kind = WELD_TK_OWN, .u.handle = &T_RESOURCE};

static const weld_tfield fn_params[] = {{S("greeting"), &T_STRING}, {S("n"), &T_U32}, {S("extra"), &T_OPT_U8}};
static const weld_tnode T_FUNC = {.kind = WELD_TK_FUNC, .u.func = {3, fn_params, &T_STRING, false}};
static const weld_tnode T_FUNC0 = {.kind = WELD_TK_FUNC, .u.func = {0, NULL, NULL, false}};

static void vfree(weld_cval *v) { weld_cval_free(v); }

static weld_status parse(const weld_tnode *t, const char *text, weld_cval *v, weld_diag *d)
{
    weld_diag_init(d, NULL);
    return weld_wave_parse(t, text, strlen(text), v, d);
}

/* Parse text as t, which must succeed, print it and compare with want (NULL: text). */
static void check_print(const weld_tnode *t, const char *text, const char *want)
{
    weld_cval v;
    weld_diag d;
    if (parse(t, text, &v, &d) != WELD_OK) fail_msg("parse %s: %s", text, d.message);
    char *s = weld_wave_print(&v, t);
    assert_non_null(s);
    assert_string_equal(s, want ? want : text);
    /* and the printed form reads back to the same printed form */
    weld_cval w;
    if (parse(t, s, &w, &d) != WELD_OK) fail_msg("reparse %s: %s", s, d.message);
    char *s2 = weld_wave_print(&w, t);
    assert_string_equal(s2, s);
    free(s2);
    vfree(&w);
    free(s);
    vfree(&v);
}

/* Parsing must fail with status st at column col, the message containing msg. */
static void check_error(const weld_tnode *t, const char *text, weld_status st, uint32_t col, const char *msg)
{
    weld_cval v;
    weld_diag d;
    weld_status got = parse(t, text, &v, &d);
    if (got != st) fail_msg("parse %s: status %d, expected %d (%s)", text, got, st, d.message);
    if (!strstr(d.message, msg)) fail_msg("parse %s: message \"%s\" lacks \"%s\"", text, d.message, msg);
    if (d.col != col) fail_msg("parse %s: column %u, expected %u (%s)", text, d.col, col, d.message);
    assert_null(v.type);
    assert_null(v.u.list.items);
}

static void test_bool_and_integers(void **state)
{
    (void)state;
    weld_cval v;
    weld_diag d;
    assert_int_equal(parse(&T_BOOL, " true ", &v, &d), WELD_OK);
    assert_true(v.u.b);
    assert_ptr_equal(v.type, &T_BOOL);
    assert_int_equal(parse(&T_BOOL, "false", &v, &d), WELD_OK);
    assert_false(v.u.b);
    assert_int_equal(parse(&T_S8, "-128", &v, &d), WELD_OK);
    assert_int_equal(v.u.s, -128);
    assert_int_equal(parse(&T_S64, "-9223372036854775808", &v, &d), WELD_OK);
    assert_true(v.u.s == INT64_MIN);
    assert_int_equal(parse(&T_S64, "9223372036854775807", &v, &d), WELD_OK);
    assert_true(v.u.s == INT64_MAX);
    assert_int_equal(parse(&T_U64, "18446744073709551615", &v, &d), WELD_OK);
    assert_true(v.u.u == UINT64_MAX);
    assert_int_equal(parse(&T_U16, "65535", &v, &d), WELD_OK);
    assert_int_equal(v.u.u, 65535);
    assert_int_equal(parse(&T_U8, "-0", &v, &d), WELD_OK);
    assert_int_equal(v.u.u, 0);
    check_print(&T_S32, "-2147483648", NULL);
    check_print(&T_U32, "4294967295", NULL);
    check_print(&T_S16, "-300", NULL);
    check_print(&T_BOOL, "true", NULL);

    check_error(&T_U8, "256", WELD_ERR_SYNTAX, 1, "number 256 is out of range for `u8` (0 to 255)");
    check_error(&T_U8, "-1", WELD_ERR_SYNTAX, 1, "out of range for `u8`");
    check_error(&T_S8, "128", WELD_ERR_SYNTAX, 1, "out of range for `s8` (-128 to 127)");
    check_error(&T_S8, "-129", WELD_ERR_SYNTAX, 1, "out of range");
    check_error(&T_U64, "18446744073709551616", WELD_ERR_SYNTAX, 1, "out of range for `u64`");
    check_error(&T_S64, "-9223372036854775809", WELD_ERR_SYNTAX, 1, "out of range for `s64`");
    check_error(&T_S32, "  1.5", WELD_ERR_SYNTAX, 3, "expected `s32`, found number 1.5 (not an integer)");
    check_error(&T_U32, "1e3", WELD_ERR_SYNTAX, 1, "not an integer");
    check_error(&T_U32, "\"3\"", WELD_ERR_SYNTAX, 1, "expected `u32`, found string literal");
    check_error(&T_U32, "0x10", WELD_ERR_SYNTAX, 1, "invalid number `0x10`");
    check_error(&T_U32, "007", WELD_ERR_SYNTAX, 1, "invalid number `007`");
    check_error(&T_BOOL, "TRUE", WELD_ERR_SYNTAX, 1, "expected `bool`, found label `TRUE`");
    check_error(&T_BOOL, "%true", WELD_ERR_SYNTAX, 1, "expected `bool`");
    check_error(&T_BOOL, "", WELD_ERR_SYNTAX, 1, "expected `bool`, found end of input");
    check_error(&T_U8, "1 2", WELD_ERR_SYNTAX, 3, "unexpected number 2 after the value");
}

static void test_floats(void **state)
{
    (void)state;
    weld_cval v;
    weld_diag d;
    assert_int_equal(parse(&T_F32, "3.5", &v, &d), WELD_OK);
    assert_true(v.u.f32 == 3.5f);
    assert_int_equal(parse(&T_F64, "6.022e+23", &v, &d), WELD_OK);
    assert_true(v.u.f64 == 6.022e23);
    assert_int_equal(parse(&T_F64, "-1E-3", &v, &d), WELD_OK);
    assert_true(v.u.f64 == -1e-3);
    assert_int_equal(parse(&T_F64, "nan", &v, &d), WELD_OK);
    assert_true(isnan(v.u.f64));
    assert_int_equal(parse(&T_F32, "inf", &v, &d), WELD_OK);
    assert_true(isinf(v.u.f32) && v.u.f32 > 0);
    assert_int_equal(parse(&T_F64, "-inf", &v, &d), WELD_OK);
    assert_true(isinf(v.u.f64) && v.u.f64 < 0);
    assert_int_equal(parse(&T_F64, "7", &v, &d), WELD_OK);
    assert_true(v.u.f64 == 7.0);
    check_print(&T_F32, "0.1", NULL);
    check_print(&T_F64, "0.1", NULL);
    check_print(&T_F64, "3.141592653589793", NULL);
    check_print(&T_F32, "3.1415927", NULL);
    check_print(&T_F64, "1e+300", NULL);
    check_print(&T_F64, "-0", NULL);
    check_print(&T_F64, "-0.0025", NULL);
    check_print(&T_F64, "-12.5", NULL);
    check_print(&T_F32, "-1e-7", "-1e-07");
    check_print(&T_F64, "nan", NULL);
    check_print(&T_F64, "-inf", NULL);
    check_print(&T_F32, "inf", NULL);
    check_print(&T_F64, "2.5e-07", NULL);
    check_print(&T_F64, "100", NULL);
    check_print(&T_F64, "1e2", "100");
    check_print(&T_F64, "123456789012345680000", NULL);
    check_print(&T_F64, "1.2345678901234568e+21", NULL);
    check_print(&T_F64, "0.00001", NULL);
    check_print(&T_F64, "0.000001", "1e-06");
    check_print(&T_F32, "16777216", NULL);
    check_print(&T_F64, "5e-324", "5e-324");
    check_print(&T_F64, "1.7976931348623157e+308", NULL);
    check_error(&T_F64, "1.", WELD_ERR_SYNTAX, 1, "invalid number `1.`");
    check_error(&T_F64, ".5", WELD_ERR_SYNTAX, 1, "unexpected character `.`");
    check_error(&T_F64, "NAN", WELD_ERR_SYNTAX, 1, "expected `f64`, found label `NAN`");
    check_error(&T_F32, "-infinity", WELD_ERR_SYNTAX, 1, "invalid number");
    check_error(&T_F32, "true", WELD_ERR_SYNTAX, 1, "expected `f32`, found keyword `true`");
}

static void test_chars(void **state)
{
    (void)state;
    weld_cval v;
    weld_diag d;
    assert_int_equal(parse(&T_CHAR, "'x'", &v, &d), WELD_OK);
    assert_int_equal(v.u.c, 'x');
    assert_int_equal(parse(&T_CHAR, "'\\''", &v, &d), WELD_OK);
    assert_int_equal(v.u.c, '\'');
    assert_int_equal(parse(&T_CHAR, "'\"'", &v, &d), WELD_OK);
    assert_int_equal(v.u.c, '"');
    assert_int_equal(parse(&T_CHAR, "'\\u{1F600}'", &v, &d), WELD_OK);
    assert_int_equal(v.u.c, 0x1F600);
    assert_int_equal(parse(&T_CHAR, "'\xe2\x98\x83'", &v, &d), WELD_OK); /* U+2603 snowman */
    assert_int_equal(v.u.c, 0x2603);
    assert_int_equal(parse(&T_CHAR, "'\\u{0}'", &v, &d), WELD_OK);
    assert_int_equal(v.u.c, 0);
    check_print(&T_CHAR, "'x'", NULL);
    check_print(&T_CHAR, "'\\''", NULL);
    check_print(&T_CHAR, "'\\n'", NULL);
    check_print(&T_CHAR, "'\\\\'", NULL);
    check_print(&T_CHAR, "'\\u{7}'", NULL);
    check_print(&T_CHAR, "'\\u{1F600}'", "'\xf0\x9f\x98\x80'");
    check_print(&T_CHAR, "'\\u{41}'", "'A'");
    check_error(&T_CHAR, "'ab'", WELD_ERR_SYNTAX, 1, "a char literal holds one character");
    check_error(&T_CHAR, "''", WELD_ERR_SYNTAX, 1, "empty char literal");
    check_error(&T_CHAR, "'\\q'", WELD_ERR_SYNTAX, 2, "invalid escape in char literal");
    check_error(&T_CHAR, "'\\u{D800}'", WELD_ERR_SYNTAX, 2, "invalid escape");
    check_error(&T_CHAR, "'\\u{1234567}'", WELD_ERR_SYNTAX, 2, "invalid escape");
    check_error(&T_CHAR, "'x", WELD_ERR_SYNTAX, 1, "unterminated char literal");
    check_error(&T_CHAR, "\"x\"", WELD_ERR_SYNTAX, 1, "expected `char`, found string literal");
}

static void test_strings(void **state)
{
    (void)state;
    weld_cval v;
    weld_diag d;
    assert_int_equal(parse(&T_STRING, "\"a\\tb\\n\\\\\\\"\\'\\u{41}\\r\"", &v, &d), WELD_OK);
    assert_int_equal(v.u.str.len, 9);
    assert_memory_equal(v.u.str.ptr, "a\tb\n\\\"'A\r", 9);
    assert_int_equal(v.u.str.ptr[9], 0);
    vfree(&v);
    assert_int_equal(parse(&T_STRING, "\"nul\\u{0}in\"", &v, &d), WELD_OK);
    assert_int_equal(v.u.str.len, 6);
    assert_memory_equal(v.u.str.ptr, "nul\0in", 6);
    vfree(&v);
    assert_int_equal(parse(&T_STRING, "\"\"", &v, &d), WELD_OK);
    assert_int_equal(v.u.str.len, 0);
    assert_non_null(v.u.str.ptr);
    vfree(&v);
    check_print(&T_STRING, "\"hello, world\"", NULL);
    check_print(&T_STRING, "\"\"", NULL);
    check_print(&T_STRING, "\"tab\\there \\\"q\\\" back\\\\slash\\nnl\\r\"", NULL);
    check_print(&T_STRING, "\"it's\"", NULL);
    check_print(&T_STRING, "\"\\u{1b}[0m \\u{0}\"", NULL);
    check_print(&T_STRING, "\"\xf0\x9f\x91\x8b \xe2\x98\x83\"", NULL);
    check_print(&T_STRING, "\"\\u{1F44B}\"", "\"\xf0\x9f\x91\x8b\"");
    check_error(&T_STRING, "\"abc\\qdef\"", WELD_ERR_SYNTAX, 5, "invalid escape in string literal");
    check_error(&T_STRING, "\"abc", WELD_ERR_SYNTAX, 1, "unterminated string literal");
    check_error(&T_STRING, "\"ab\ncd\"", WELD_ERR_SYNTAX, 1, "a newline in a string is written \\n");
    check_error(&T_STRING, "\"\xff\"", WELD_ERR_SYNTAX, 2, "invalid UTF-8");
    check_error(&T_STRING, "\"\xed\xa0\x80\"", WELD_ERR_SYNTAX, 2, "invalid UTF-8"); /* a surrogate */
    check_error(&T_STRING, "abc", WELD_ERR_SYNTAX, 1, "expected `string`, found label `abc`");
    check_error(&T_STRING, "'a'", WELD_ERR_SYNTAX, 1, "expected `string`, found char literal");
}

static void expect_str(const char *text, const char *want)
{
    weld_cval v;
    weld_diag d;
    if (parse(&T_STRING, text, &v, &d) != WELD_OK) fail_msg("parse %s: %s", text, d.message);
    assert_int_equal(v.u.str.len, strlen(want));
    assert_string_equal(v.u.str.ptr, want);
    vfree(&v);
}

static void test_multiline_strings(void **state)
{
    (void)state;
    expect_str("\"\"\"\nA single line\n\"\"\"", "A single line");
    expect_str("\"\"\"\n    Indentation determined\n      by ending delimiter\n  \"\"\"",
               "  Indentation determined\n    by ending delimiter");
    expect_str("\"\"\"\n  Must escape carriage return at end of line: \\r\n  Must break up double quote triplets: "
               "\"\"\\\"\"\n  \"\"\"",
               "Must escape carriage return at end of line: \r\nMust break up double quote triplets: \"\"\"\"");
    expect_str("\"\"\"\r\n  crlf\r\n  lines\r\n  \"\"\"", "crlf\nlines");
    expect_str("\"\"\"\n\"\"\"", "");
    expect_str("\"\"\"\n\n\"\"\"", "");
    expect_str("\"\"\"\na\n\nb\n\"\"\"", "a\n\nb");
    expect_str("  \"\"\"\n  x \"y\" 'z'\n  \"\"\"  ", "x \"y\" 'z'");
    check_error(&T_STRING, "\"\"\"abc\n\"\"\"", WELD_ERR_SYNTAX, 1, "must be followed by a line break");
    check_error(&T_STRING, "\"\"\"\nabc\"\"\"", WELD_ERR_SYNTAX, 4, "must be on its own line");
    check_error(&T_STRING, "\"\"\"\n a\n  \"\"\"", WELD_ERR_SYNTAX, 1, "indented at least as much");
    check_error(&T_STRING, "\"\"\"\nabc\n", WELD_ERR_SYNTAX, 1, "unterminated multiline string");
    { /* a line of the multiline string: the error is on line 2 */
        weld_cval v;
        weld_diag d;
        assert_int_equal(parse(&T_STRING, "\"\"\"\n  ok \\x\n  \"\"\"", &v, &d), WELD_ERR_SYNTAX);
        assert_int_equal(d.line, 2);
        assert_int_equal(d.col, 6);
    }
}

static void test_lists(void **state)
{
    (void)state;
    weld_cval v;
    weld_diag d;
    /* number elements are packed, little-endian */
    assert_int_equal(parse(&T_LIST_U8, "[1, 2, 255]", &v, &d), WELD_OK);
    assert_int_equal(v.u.list.count, 3);
    assert_null(v.u.list.items);
    assert_memory_equal(v.u.list.bytes, "\x01\x02\xff", 3);
    vfree(&v);
    assert_int_equal(parse(&T_LIST_S16, "[-1, 300,]", &v, &d), WELD_OK);
    assert_int_equal(v.u.list.count, 2);
    assert_memory_equal(v.u.list.bytes, "\xff\xff\x2c\x01", 4);
    vfree(&v);
    assert_int_equal(parse(&T_LIST_F64, "[1.5]", &v, &d), WELD_OK);
    double x;
    memcpy(&x, v.u.list.bytes, 8);
    assert_true(x == 1.5);
    vfree(&v);
    assert_int_equal(parse(&T_LIST_U8, "[ ]", &v, &d), WELD_OK);
    assert_int_equal(v.u.list.count, 0);
    vfree(&v);
    /* aliased element types are still numbers */
    assert_int_equal(parse(&T_LIST_OF_ALIAS, "[7, 8]", &v, &d), WELD_OK);
    assert_null(v.u.list.items);
    assert_memory_equal(v.u.list.bytes, "\x07\x08", 2);
    vfree(&v);
    /* other elements are items, each typed */
    assert_int_equal(parse(&T_LIST_STR, "[\"a\", \"bc\", \"d\", \"e\", \"f\"]", &v, &d), WELD_OK);
    assert_int_equal(v.u.list.count, 5);
    assert_null(v.u.list.bytes);
    assert_string_equal(v.u.list.items[1].u.str.ptr, "bc");
    assert_ptr_equal(v.u.list.items[4].type, &T_STRING);
    vfree(&v);
    check_print(&T_LIST_U8, "[1, 2, 255]", NULL);
    check_print(&T_LIST_S16, "[-1,300]", "[-1, 300]");
    check_print(&T_LIST_F64, "[0.5, -inf, nan]", NULL);
    check_print(&T_LIST_STR, "[]", NULL);
    check_print(&T_LIST_STR, "[ \"x\" , // a comment\n \"y\", ]", "[\"x\", \"y\"]");
    check_print(&T_LIST_U8_2, "[1, 2]", NULL);
    check_error(&T_LIST_U8, "\"abc\"", WELD_ERR_SYNTAX, 1, "expected `list<u8>`, found string literal");
    check_error(&T_LIST_U8, "[1, 2, x]", WELD_ERR_SYNTAX, 8, "expected `u8`, found label `x`");
    check_error(&T_LIST_U8, "[1, 2 3]", WELD_ERR_SYNTAX, 7, "expected `,` or `]` in a list, found number 3");
    check_error(&T_LIST_U8, "[1, 300]", WELD_ERR_SYNTAX, 5, "out of range for `u8`");
    check_error(&T_LIST_STR, "[\"a\", 1]", WELD_ERR_SYNTAX, 7, "expected `string`, found number 1");
    check_error(&T_LIST_U8, "[1,", WELD_ERR_SYNTAX, 4, "expected `u8`, found end of input");
    check_error(&T_LIST_U8, "[,]", WELD_ERR_SYNTAX, 2, "expected `u8`, found `,`");
    check_error(&T_LIST_U8_2, "[1]", WELD_ERR_SYNTAX, 1, "expected 2 elements for `list<u8, 2>`, found 1");
}

static void test_records(void **state)
{
    (void)state;
    weld_cval v;
    weld_diag d;
    assert_int_equal(parse(&T_REC, "{b: \"x\", a: 7}", &v, &d), WELD_OK);
    assert_int_equal(v.u.list.count, 3);
    assert_int_equal(v.u.list.items[0].u.u, 7);
    assert_string_equal(v.u.list.items[1].u.str.ptr, "x");
    assert_ptr_equal(v.u.list.items[2].type, &T_OPT_U8);
    assert_int_equal(v.u.list.items[2].u.var.tag, 0);
    vfree(&v);
    assert_int_equal(parse(&T_REC, "{%a: 1, b: \"\", opt-c: 9,}", &v, &d), WELD_OK);
    assert_int_equal(v.u.list.items[2].u.var.tag, 1);
    assert_int_equal(v.u.list.items[2].u.var.payload->u.u, 9);
    vfree(&v);
    check_print(&T_REC, "{b: \"x\", a: 7}", "{a: 7, b: \"x\"}");
    check_print(&T_REC, "{a: 1, b: \"y\", opt-c: some(2)}", NULL);
    check_print(&T_REC, "{a: 1, b: \"y\", opt-c: 2}", "{a: 1, b: \"y\", opt-c: some(2)}");
    check_print(&T_REC, "{a: 1, b: \"y\", opt-c: none}", "{a: 1, b: \"y\"}");
    check_print(&T_ALLOPT, "{:}", NULL);
    check_print(&T_ALLOPT, "{optional: none}", "{:}");
    check_print(&T_ALLOPT, "{optional: 3}", "{optional: some(3)}");
    check_print(&T_KWREC, "{true: false}", NULL);
    check_print(&T_ALIAS_REC, "{a: 1, b: \"z\"}", NULL);
    check_error(&T_REC, "{b: \"x\"}", WELD_ERR_SYNTAX, 1, "missing field `a` (of type `u32`) of `record {a: u32, b: string, opt-c: option<u8>}`");
    check_error(&T_REC, "{a: 1, b: \"x\", d: 2}", WELD_ERR_SYNTAX, 16, "has no field `d`");
    check_error(&T_REC, "{a: 1, a: 2}", WELD_ERR_SYNTAX, 8, "field `a` is given twice");
    check_error(&T_REC, "{a 1}", WELD_ERR_SYNTAX, 4, "expected `:` after field name `a`, found number 1");
    check_error(&T_REC, "{a: \"1\", b: \"\"}", WELD_ERR_SYNTAX, 5, "expected `u32`, found string literal");
    check_error(&T_ALLOPT, "{}", WELD_ERR_SYNTAX, 1, "written `{:}`");
    check_error(&T_REC, "[1]", WELD_ERR_SYNTAX, 1, "expected `record {a: u32, b: string, opt-c: option<u8>}`, found `[`");
    check_error(&T_REC, "{\"a\": 1}", WELD_ERR_SYNTAX, 2, "expected a field name of `record");
}

static void test_tuples(void **state)
{
    (void)state;
    weld_cval v;
    weld_diag d;
    assert_int_equal(parse(&T_TUPLE, "(1, \"x\")", &v, &d), WELD_OK);
    assert_int_equal(v.u.list.count, 2);
    assert_int_equal(v.u.list.items[0].u.u, 1);
    assert_string_equal(v.u.list.items[1].u.str.ptr, "x");
    vfree(&v);
    check_print(&T_TUPLE, "(1, \"x\")", NULL);
    check_print(&T_TUPLE, "( 1 , \"x\" , )", "(1, \"x\")");
    check_error(&T_TUPLE, "(1)", WELD_ERR_SYNTAX, 1, "expected 2 members for `tuple<u8, string>`, found 1");
    check_error(&T_TUPLE, "(1, \"x\", 2)", WELD_ERR_SYNTAX, 10, "too many members for `tuple<u8, string>`");
    check_error(&T_TUPLE, "()", WELD_ERR_SYNTAX, 1, "expected 2 members");
}

static void test_variants_and_enums(void **state)
{
    (void)state;
    weld_cval v;
    weld_diag d;
    assert_int_equal(parse(&T_VAR, "empty", &v, &d), WELD_OK);
    assert_int_equal(v.u.var.tag, 0);
    assert_null(v.u.var.payload);
    assert_int_equal(parse(&T_VAR, "body([79, 75])", &v, &d), WELD_OK);
    assert_int_equal(v.u.var.tag, 1);
    assert_int_equal(v.u.var.payload->u.list.count, 2);
    vfree(&v);
    assert_int_equal(parse(&T_VAR, "%err(\"oops\")", &v, &d), WELD_OK);
    assert_int_equal(v.u.var.tag, 2);
    assert_string_equal(v.u.var.payload->u.str.ptr, "oops");
    vfree(&v);
    check_print(&T_VAR, "empty", NULL);
    check_print(&T_VAR, "%empty", "empty");
    check_print(&T_VAR, "body([79, 75])", NULL);
    check_print(&T_VAR, "%err(\"oops\")", NULL);
    check_error(&T_VAR, "err(\"oops\")", WELD_ERR_SYNTAX, 1, "found keyword `err` (write `%err` for the case of that name)");
    check_error(&T_VAR, "body", WELD_ERR_SYNTAX, 1, "case `body` needs a payload of type `list<u8>`");
    check_error(&T_VAR, "empty(1)", WELD_ERR_SYNTAX, 6, "case `empty` has no payload");
    check_error(&T_VAR, "full", WELD_ERR_SYNTAX, 1, "`variant {empty, body(list<u8>), err(string)}` has no case `full`");
    check_error(&T_VAR, "body([1]", WELD_ERR_SYNTAX, 9, "expected `)` to close the payload of `body`, found end of input");

    assert_int_equal(parse(&T_ENUM, "not-found", &v, &d), WELD_OK);
    assert_int_equal(v.u.var.tag, 1);
    assert_int_equal(parse(&T_ENUM, "%ok", &v, &d), WELD_OK);
    assert_int_equal(v.u.var.tag, 0);
    check_print(&T_ENUM, "%ok", NULL);
    check_print(&T_ENUM, "not-found", NULL);
    check_print(&T_ENUM, "HTTP3", NULL);
    check_error(&T_ENUM, "ok", WELD_ERR_SYNTAX, 1, "write `%ok`");
    check_error(&T_ENUM, "gone", WELD_ERR_SYNTAX, 1, "`enum {ok, not-found, HTTP3}` has no case `gone`");
    check_error(&T_ENUM, "not-found(1)", WELD_ERR_SYNTAX, 10, "enum case `not-found` has no payload");
    check_error(&T_ENUM, "Not-found", WELD_ERR_SYNTAX, 1, "invalid label `Not-found`");
    check_error(&T_ENUM, "NOT-found", WELD_ERR_SYNTAX, 1, "has no case `NOT-found`");
    check_error(&T_ENUM, "noT", WELD_ERR_SYNTAX, 1, "invalid label `noT`");
    check_error(&T_ENUM, "a--b", WELD_ERR_SYNTAX, 1, "invalid label");
    check_error(&T_ENUM, "a-", WELD_ERR_SYNTAX, 1, "invalid label");
    check_error(&T_ENUM, "a_b", WELD_ERR_SYNTAX, 1, "invalid label");
}

static void test_options_and_results(void **state)
{
    (void)state;
    weld_cval v;
    weld_diag d;
    assert_int_equal(parse(&T_OPT_U8, "none", &v, &d), WELD_OK);
    assert_int_equal(v.u.var.tag, 0);
    assert_null(v.u.var.payload);
    assert_int_equal(parse(&T_OPT_U8, "some(5)", &v, &d), WELD_OK);
    assert_int_equal(v.u.var.tag, 1);
    assert_int_equal(v.u.var.payload->u.u, 5);
    assert_ptr_equal(v.u.var.payload->type, &T_U8);
    vfree(&v);
    assert_int_equal(parse(&T_OPT_U8, "5", &v, &d), WELD_OK); /* flat */
    assert_int_equal(v.u.var.tag, 1);
    assert_int_equal(v.u.var.payload->u.u, 5);
    vfree(&v);
    check_print(&T_OPT_U8, "some(5)", NULL);
    check_print(&T_OPT_U8, "5", "some(5)");
    check_print(&T_OPT_U8, "none", NULL);
    check_print(&T_OPT_STR, "\"x\"", "some(\"x\")");
    check_print(&T_OPT_LIST_U8, "[1]", "some([1])");
    check_print(&T_OPT_OPT_U8, "some(none)", NULL);
    check_print(&T_OPT_OPT_U8, "some(some(1))", NULL);
    check_print(&T_OPT_OPT_U8, "some(1)", "some(some(1))");
    check_error(&T_OPT_OPT_U8, "1", WELD_ERR_SYNTAX, 1, "expected `option<option<u8>>`, found number 1");
    check_error(&T_OPT_U8, "\"x\"", WELD_ERR_SYNTAX, 1, "expected `option<u8>`, found string literal");
    check_error(&T_OPT_LIST_U8, "\"x\"", WELD_ERR_SYNTAX, 1, "expected `option<list<u8>>`, found string literal");
    check_error(&T_OPT_LIST_U8, "[\"x\"]", WELD_ERR_SYNTAX, 2, "expected `u8`, found string literal");
    check_error(&T_OPT_U8, "some", WELD_ERR_SYNTAX, 1, "`some` needs a payload of type `u8`: `some(...)`");
    check_error(&T_OPT_U8, "none(1)", WELD_ERR_SYNTAX, 5, "has no payload");
    check_error(&T_OPT_U8, "300", WELD_ERR_SYNTAX, 1, "out of range for `u8`");

    assert_int_equal(parse(&T_RES_U8_STR, "ok(3)", &v, &d), WELD_OK);
    assert_int_equal(v.u.var.tag, 0);
    assert_int_equal(v.u.var.payload->u.u, 3);
    vfree(&v);
    assert_int_equal(parse(&T_RES_U8_STR, "err(\"bad\")", &v, &d), WELD_OK);
    assert_int_equal(v.u.var.tag, 1);
    assert_string_equal(v.u.var.payload->u.str.ptr, "bad");
    vfree(&v);
    assert_int_equal(parse(&T_RES_U8_STR, "4", &v, &d), WELD_OK);
    assert_int_equal(v.u.var.tag, 0);
    assert_int_equal(v.u.var.payload->u.u, 4);
    vfree(&v);
    check_print(&T_RES_U8_STR, "4", "ok(4)");
    check_print(&T_RES_U8_STR, "err(\"e\")", NULL);
    check_print(&T_RES, "ok", NULL);
    check_print(&T_RES, "err", NULL);
    check_print(&T_RES_ERR_STR, "ok", NULL);
    check_print(&T_RES_ERR_STR, "err(\"oops\")", NULL);
    check_print(&T_RES_OPT, "ok(none)", NULL);
    check_error(&T_RES_ERR_STR, "ok(1)", WELD_ERR_SYNTAX, 3, "`ok` has no payload");
    check_error(&T_RES_ERR_STR, "err", WELD_ERR_SYNTAX, 1, "needs a payload of type `string`");
    check_error(&T_RES_ERR_STR, "\"x\"", WELD_ERR_SYNTAX, 1, "expected `result<_, string>`, found string literal");
    check_error(&T_RES, "1", WELD_ERR_SYNTAX, 1, "expected `result`, found number 1");
    check_error(&T_RES_OPT, "none", WELD_ERR_SYNTAX, 1, "expected `result<option<u8>>`, found keyword `none`");
}

static void test_flags(void **state)
{
    (void)state;
    weld_cval v;
    weld_diag d;
    assert_int_equal(parse(&T_FLAGS, "{write, read,}", &v, &d), WELD_OK);
    assert_int_equal(v.u.flags, 3);
    assert_int_equal(parse(&T_FLAGS, "{}", &v, &d), WELD_OK);
    assert_int_equal(v.u.flags, 0);
    assert_int_equal(parse(&T_FLAGS, "{%exec}", &v, &d), WELD_OK);
    assert_int_equal(v.u.flags, 4);
    check_print(&T_FLAGS, "{exec, read}", "{read, exec}");
    check_print(&T_FLAGS, "{}", NULL);
    check_print(&T_FLAGS, "{read, write, exec}", NULL);
    check_error(&T_FLAGS, "{read, all}", WELD_ERR_SYNTAX, 8, "`flags {read, write, exec}` has no flag `all`");
    check_error(&T_FLAGS, "{read, read}", WELD_ERR_SYNTAX, 8, "flag `read` is given twice");
    check_error(&T_FLAGS, "{read: true}", WELD_ERR_SYNTAX, 6, "expected `,` or `}` in flags, found `:`");
    check_error(&T_FLAGS, "[read]", WELD_ERR_SYNTAX, 1, "expected `flags {read, write, exec}`, found `[`");
}

static void test_handles(void **state)
{
    (void)state;
    weld_cval v = {.type = &T_OWN};
    v.u.res.rep = 3;
    char *s = weld_wave_print(&v, &T_OWN);
    assert_string_equal(s, "#counter<3>");
    free(s);
    check_error(&T_OWN, "3", WELD_ERR_UNSUPPORTED, 1, "`own<counter>`: resource handles have no WAVE syntax");
}

static void test_positions_and_nesting(void **state)
{
    (void)state;
    weld_cval v;
    weld_diag d;
    /* a line break before the error: line 2, column 3 */
    assert_int_equal(parse(&T_LIST_U8, "[1,\n  x]", &v, &d), WELD_ERR_SYNTAX);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 3);
    assert_int_equal(d.span, 1);
    assert_int_equal(parse(&T_STRING, "  \"abc\" @", &v, &d), WELD_ERR_SYNTAX);
    assert_int_equal(d.col, 9);
    assert_non_null(strstr(d.message, "unexpected character `@`"));
    /* text need not be NUL-terminated: only len bytes are read */
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_wave_parse(&T_U8, "12345", 2, &v, &d), WELD_OK);
    assert_int_equal(v.u.u, 12);
    /* deep nesting is refused, not a stack overflow */
    static weld_tnode deep[120];
    deep[0] = T_U8;
    for (int i = 1; i < 120; i++) deep[i] = (weld_tnode){.kind = WELD_TK_LIST, .u.list = {&deep[i - 1], 0}};
    char text[400];
    memset(text, '[', 110);
    memset(text + 110, ']', 110);
    text[220] = 0;
    assert_int_equal(parse(&deep[119], text, &v, &d), WELD_ERR_SYNTAX);
    assert_non_null(strstr(d.message, "nest deeper than 100"));
    memset(text, 0, sizeof text);
    memset(text, '[', 50);
    memset(text + 50, ']', 50);
    assert_int_equal(parse(&deep[119], text, &v, &d), WELD_OK);
    vfree(&v);
}

static void test_split_call(void **state)
{
    (void)state;
    weld_str name, args;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_wave_split_call("greet(\"world\")", &name, &args, &d), WELD_OK);
    assert_int_equal(name.len, 5);
    assert_memory_equal(name.ptr, "greet", 5);
    assert_int_equal(args.len, 7);
    assert_memory_equal(args.ptr, "\"world\"", 7);
    assert_int_equal(weld_wave_split_call("  ns:pkg/iface@1.0.0#fn ( 1, (2, 3) )  ", &name, &args, &d), WELD_OK);
    assert_int_equal(name.len, strlen("ns:pkg/iface@1.0.0#fn"));
    assert_memory_equal(name.ptr, "ns:pkg/iface@1.0.0#fn", name.len);
    assert_int_equal(args.len, 11);
    assert_memory_equal(args.ptr, " 1, (2, 3) ", 11);
    assert_int_equal(weld_wave_split_call("iface#name()", &name, &args, &d), WELD_OK);
    assert_memory_equal(name.ptr, "iface#name", name.len);
    assert_int_equal(args.len, 0);
    assert_int_equal(weld_wave_split_call("run", &name, &args, &d), WELD_OK);
    assert_int_equal(name.len, 3);
    assert_int_equal(args.len, 0);
    assert_int_equal(weld_wave_split_call("(1)", &name, &args, &d), WELD_ERR_SYNTAX);
    assert_int_equal(d.col, 1);
    assert_non_null(strstr(d.message, "expected a function name"));
    assert_int_equal(weld_wave_split_call("f(1", &name, &args, &d), WELD_ERR_SYNTAX);
    assert_int_equal(d.col, 4);
    assert_non_null(strstr(d.message, "expected `)` to close the arguments of `f`"));
    assert_int_equal(weld_wave_split_call("f x", &name, &args, &d), WELD_ERR_SYNTAX);
    assert_int_equal(d.col, 3);
    assert_int_equal(weld_wave_split_call("", &name, &args, &d), WELD_ERR_SYNTAX);
}

static void free_args(weld_cval *a, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) vfree(&a[i]);
}

static void check_args_error(const weld_tnode *ft, const char *text, uint32_t col, const char *msg)
{
    weld_cval a[3];
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_status st = weld_wave_parse_args(ft, text, strlen(text), a, &d);
    if (st != WELD_ERR_SYNTAX) fail_msg("args %s: status %d (%s)", text, st, d.message);
    if (!strstr(d.message, msg)) fail_msg("args %s: message \"%s\" lacks \"%s\"", text, d.message, msg);
    if (d.col != col) fail_msg("args %s: column %u, expected %u (%s)", text, d.col, col, d.message);
    for (uint32_t i = 0; i < ft->u.func.nparams; i++) assert_null(a[i].type);
}

static void test_parse_args(void **state)
{
    (void)state;
    weld_cval a[3];
    weld_diag d;
    weld_diag_init(&d, NULL);
    const char *t = "\"hi\", 3, 4";
    assert_int_equal(weld_wave_parse_args(&T_FUNC, t, strlen(t), a, &d), WELD_OK);
    assert_string_equal(a[0].u.str.ptr, "hi");
    assert_int_equal(a[1].u.u, 3);
    assert_int_equal(a[2].u.var.tag, 1);
    assert_int_equal(a[2].u.var.payload->u.u, 4);
    free_args(a, 3);
    /* trailing options may be left out */
    t = " \"hi\" , 3 , ";
    assert_int_equal(weld_wave_parse_args(&T_FUNC, t, strlen(t), a, &d), WELD_OK);
    assert_int_equal(a[1].u.u, 3);
    assert_ptr_equal(a[2].type, &T_OPT_U8);
    assert_int_equal(a[2].u.var.tag, 0);
    free_args(a, 3);
    assert_int_equal(weld_wave_parse_args(&T_FUNC0, "  ", 2, a, &d), WELD_OK);
    assert_int_equal(weld_wave_parse_args(&T_FUNC0, NULL, 0, a, &d), WELD_OK);
    check_args_error(&T_FUNC, "3, 4", 1, "argument `greeting`: expected `string`, found number 3");
    check_args_error(&T_FUNC, "\"x\", \"y\"", 6, "argument `n`: expected `u32`, found string literal");
    check_args_error(&T_FUNC, "\"x\"", 4,
                     "missing argument `n` (of type `u32`): the function takes 3 arguments (greeting: string, n: u32, "
                     "extra: option<u8>)");
    check_args_error(&T_FUNC, "\"x\", 1, 2, 3", 12, "too many arguments: the function takes 3 arguments");
    check_args_error(&T_FUNC, "\"x\" 1", 5, "expected `,` after the argument, found number 1");
    check_args_error(&T_FUNC, "\"x\", 1, 256", 9, "argument `extra`: number 256 is out of range for `u8`");
    check_args_error(&T_FUNC0, "1", 1, "too many arguments: the function takes 0 arguments ()");
}

/* Values printed from scratch (as the runtime hands them over) read back equal. */
static void test_round_trip_built_values(void **state)
{
    (void)state;
    static const weld_tfield f[] = {{S("name"), &T_STRING}, {S("tags"), &T_LIST_STR}, {S("scores"), &T_LIST_F64},
                                    {S("kind"), &T_VAR},    {S("perm"), &T_FLAGS},    {S("maybe"), &T_OPT_STR},
                                    {S("res"), &T_RES_U8_STR}, {S("pair"), &T_TUPLE}, {S("c"), &T_CHAR},
                                    {S("e"), &T_ENUM}};
    static const weld_tnode rec = {.kind = WELD_TK_RECORD, .u.record = {10, f}};
    weld_cval items[10] = {0}, tags[2] = {0}, body = {0}, some = {0}, ok = {0}, pair[2] = {0};
    double scores[2] = {0.25, -1e100};
    uint8_t bodybytes[2] = {0, 200};
    items[0].u.str.ptr = "Zo\xc3\xab \"q\"\n";
    items[0].u.str.len = (uint32_t)strlen(items[0].u.str.ptr);
    tags[0].u.str.ptr = "a";
    tags[0].u.str.len = 1;
    tags[1].u.str.ptr = "";
    items[1].u.list.items = tags;
    items[1].u.list.count = 2;
    items[2].u.list.bytes = scores; /* little-endian host */
    items[2].u.list.count = 2;
    body.u.list.bytes = bodybytes;
    body.u.list.count = 2;
    items[3].u.var.tag = 1;
    items[3].u.var.payload = &body;
    items[4].u.flags = 5;
    some.u.str.ptr = "%none";
    some.u.str.len = 5;
    items[5].u.var.tag = 1;
    items[5].u.var.payload = &some;
    ok.u.u = 255;
    items[6].u.var.payload = &ok;
    pair[0].u.u = 0;
    pair[1].u.str.ptr = "\t";
    pair[1].u.str.len = 1;
    items[7].u.list.items = pair;
    items[7].u.list.count = 2;
    items[8].u.c = 0x1F600;
    items[9].u.var.tag = 0;
    weld_cval v = {.type = NULL, .u.list = {items, NULL, 10}};
    char *s = weld_wave_print(&v, &rec);
    assert_non_null(s);
    assert_string_equal(s, "{name: \"Zo\xc3\xab \\\"q\\\"\\n\", tags: [\"a\", \"\"], scores: [0.25, -1e+100], "
                           "kind: body([0, 200]), perm: {read, exec}, maybe: some(\"%none\"), res: ok(255), "
                           "pair: (0, \"\\t\"), c: '\xf0\x9f\x98\x80', e: %ok}");
    weld_cval w;
    weld_diag d;
    if (parse(&rec, s, &w, &d)) fail_msg("%s", d.message);
    assert_string_equal(w.u.list.items[0].u.str.ptr, items[0].u.str.ptr);
    assert_memory_equal(w.u.list.items[2].u.list.bytes, scores, 16);
    assert_int_equal(w.u.list.items[4].u.flags, 5);
    assert_int_equal(w.u.list.items[8].u.c, 0x1F600);
    char *s2 = weld_wave_print(&w, &rec);
    assert_string_equal(s, s2);
    free(s2);
    free(s);
    vfree(&w);
}

static void test_print_edges(void **state)
{
    (void)state;
    /* packed signed elements are sign-extended when printed */
    static const weld_tnode ls8 = {.kind = WELD_TK_LIST, .u.list = {&T_S8, 0}};
    uint8_t bytes[3] = {0x80, 0xff, 0x7f};
    weld_cval v = {.u.list = {NULL, bytes, 3}};
    char *s = weld_wave_print(&v, &ls8);
    assert_string_equal(s, "[-128, -1, 127]");
    free(s);
    /* a string that is not UTF-8 prints the replacement character, still valid WAVE */
    weld_cval str = {.u.str = {"a\xff", 2}};
    s = weld_wave_print(&str, &T_STRING);
    assert_string_equal(s, "\"a\xef\xbf\xbd\"");
    free(s);
    /* a case index out of range is shown, not read past the type */
    weld_cval bad = {.u.var = {7, NULL}};
    s = weld_wave_print(&bad, &T_ENUM);
    assert_string_equal(s, "#invalid-case-7");
    free(s);
    /* an empty list value without storage */
    weld_cval empty = {.u.list = {NULL, NULL, 0}};
    s = weld_wave_print(&empty, &T_LIST_U8);
    assert_string_equal(s, "[]");
    free(s);
    /* maps have no WAVE syntax */
    static const weld_tnode map = {.kind = WELD_TK_MAP, .u.map = {&T_STRING, &T_U8}};
    check_error(&map, "[]", WELD_ERR_UNSUPPORTED, 1, "`map<string, u8>` values have no WAVE syntax");
    weld_cval a[1];
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_wave_parse_args(&T_U8, "1", 1, a, &d), WELD_ERR_USAGE);
}

/* Mutated inputs never crash or leak; whatever parses prints to a fixed point. */
static void test_mutations(void **state)
{
    (void)state;
    static const weld_tfield f[] = {{S("name"), &T_STRING}, {S("tags"), &T_LIST_STR}, {S("kind"), &T_VAR},
                                    {S("perm"), &T_FLAGS},  {S("maybe"), &T_OPT_OPT_U8}, {S("res"), &T_RES_U8_STR},
                                    {S("pair"), &T_TUPLE},  {S("c"), &T_CHAR},          {S("x"), &T_F32},
                                    {S("e"), &T_ENUM}};
    static const weld_tnode rec = {.kind = WELD_TK_RECORD, .u.record = {10, f}};
    const char *seed = "{name: \"a\\u{41}b\", tags: [\"x\", \"\"\"\n  y\n  \"\"\"], kind: body([1, 2]), perm: {read},"
                       " maybe: some(some(3)), res: err(\"e\"), pair: (1, \"p\"), c: '\\n', x: -1.5e3, e: %ok}";
    const char alphabet[] = "{}[](),:%'\"\\ \n-+.0123456789aeinoqrstuxyz/";
    size_t n = strlen(seed);
    {
        weld_cval v;
        weld_diag d;
        if (parse(&rec, seed, &v, &d)) fail_msg("seed: %s", d.message);
        vfree(&v);
    }
    char buf[512];
    uint32_t rng = 12345;
    unsigned parsed = 0;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(buf, seed, n + 1);
        size_t len = n;
        int edits = 1 + iter % 4;
        for (int k = 0; k < edits; k++) {
            rng = rng * 1103515245u + 12345u;
            size_t pos = (rng >> 8) % len;
            rng = rng * 1103515245u + 12345u;
            char c = alphabet[(rng >> 8) % (sizeof alphabet - 1)];
            switch ((rng >> 20) % 3) {
            case 0: buf[pos] = c; break;
            case 1: /* delete */
                memmove(buf + pos, buf + pos + 1, len - pos);
                len--;
                break;
            default: /* insert */
                if (len + 2 < sizeof buf) {
                    memmove(buf + pos + 1, buf + pos, len - pos + 1);
                    buf[pos] = c;
                    len++;
                }
            }
        }
        weld_cval v;
        weld_diag d;
        weld_diag_init(&d, NULL);
        weld_status st = weld_wave_parse(&rec, buf, len, &v, &d);
        if (st != WELD_OK) {
            assert_int_equal(st, WELD_ERR_SYNTAX);
            assert_true(d.col >= 1 && d.line >= 1);
            assert_null(v.type);
            continue;
        }
        parsed++;
        char *s1 = weld_wave_print(&v, &rec);
        weld_cval w;
        if (weld_wave_parse(&rec, s1, strlen(s1), &w, &d)) fail_msg("%s -> %s: %s", buf, s1, d.message);
        char *s2 = weld_wave_print(&w, &rec);
        assert_string_equal(s1, s2);
        free(s1);
        free(s2);
        vfree(&v);
        vfree(&w);
    }
    assert_true(parsed > 500); /* about 1 in 20 mutations keeps the value well-formed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bool_and_integers),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_chars),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_multiline_strings),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_tuples),
        cmocka_unit_test(test_variants_and_enums),
        cmocka_unit_test(test_options_and_results),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_handles),
        cmocka_unit_test(test_positions_and_nesting),
        cmocka_unit_test(test_split_call),
        cmocka_unit_test(test_parse_args),
        cmocka_unit_test(test_round_trip_built_values),
        cmocka_unit_test(test_print_edges),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
