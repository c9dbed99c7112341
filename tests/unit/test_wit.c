/* test_wit.c - the WIT front end: every construct resolves and prints back to text that
 * resolves to the same graph; invalid inputs fail with the right message and location. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "weld/wit.h"

/* Resolve `src`; returns the resolve (arena in *a) or NULL with d filled. */
static weld_wit_resolve *load(const char *src, weld_arena **a, uint32_t *main, weld_diag *d)
{
    *a = weld_arena_new();
    weld_wit_resolve *r = weld_wit_resolve_new(*a);
    weld_diag_init(d, "t.wit");
    if (weld_wit_add_source(r, "t.wit", src, strlen(src), main, d) != WELD_OK) return NULL;
    return r;
}

static char *print_all(const weld_wit_resolve *r, uint32_t main)
{
    uint32_t nested[64], n = 0;
    for (uint32_t i = 0; i < r->npackages && n < 64; i++)
        if (i != main) nested[n++] = i;
    char *out = NULL;
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_wit_print(r, main, nested, n, &out, NULL, &d), WELD_OK);
    return out;
}

/* parse -> print -> parse gives an equal resolve, and printing is a fixed point */
static void roundtrip(const char *src, const char *expect)
{
    weld_arena *a1, *a2;
    weld_diag d;
    uint32_t m1 = 0, m2 = 0;
    weld_wit_resolve *r1 = load(src, &a1, &m1, &d);
    if (!r1) fail_msg("%s:%u:%u: %s", d.file, d.line, d.col, d.message);
    char *t1 = print_all(r1, m1);
    if (expect) assert_string_equal(t1, expect);
    weld_wit_resolve *r2 = load(t1, &a2, &m2, &d);
    if (!r2) fail_msg("reparse: %u:%u: %s\n%s", d.line, d.col, d.message, t1);
    char why[200];
    if (!weld_wit_resolve_equal(r1, r2, why, sizeof why)) fail_msg("%s\n%s", why, t1);
    char *t2 = print_all(r2, m2);
    assert_string_equal(t1, t2);
    free(t1);
    free(t2);
    weld_arena_free(a1);
    weld_arena_free(a2);
}

static void test_basic_print(void **s)
{
    (void)s;
    roundtrip("package a:b@1.0.0;\n/// docs\ninterface i { f: func(x: u32) -> string; }\n"
              "world w { import i; export g: func(); }\n",
              "package a:b@1.0.0;\n\n/// docs\ninterface i {\n  f: func(x: u32) -> string;\n}\n\n"
              "world w {\n  import i;\n\n  export g: func();\n}\n");
}

static void test_all_types(void **s)
{
    (void)s;
    roundtrip("package a:types;\n"
              "interface t {\n"
              "  type p = tuple<bool, s8, u8, s16, u16, s32, u32, s64, u64, f32, f64, char, string>;\n"
              "  type l = list<u8>;\n  type fl = list<u32, 4>;\n  type o = option<l>;\n"
              "  type r1 = result;\n  type r2 = result<u8>;\n  type r3 = result<_, string>;\n"
              "  type r4 = result<u8, string>;\n"
              "  record rec { a: u32, b: option<string>, }\n"
              "  variant v { none, some(rec), }\n  enum e { x, y, z }\n  flags f { r, w, x }\n"
              "  type fu = future<u32>;\n  type fu0 = future;\n  type st = stream<u8>;\n  type st0 = stream;\n"
              "  resource res { constructor(x: u32); m: func() -> u32; s: static func() -> res; }\n"
              "  type ow = own<res>;\n  type bo = borrow<res>;\n"
              "  take: func(a: borrow<res>, b: res) -> tuple<u8, e>;\n"
              "  async-f: async func() -> u32;\n"
              "}\n",
              NULL);
}

static void test_use_and_include(void **s)
{
    (void)s;
    roundtrip("package a:b;\n"
              "interface base { type t = u32; record r { x: t } }\n"
              "interface user { use base.{t, r as rr}; f: func(a: t) -> rr; }\n"
              "world w1 { import x: func(); export user; }\n"
              "world w2 { include w1 with { x as y } import z: interface { g: func(); } }\n",
              NULL);
}

static void test_elaboration_adds_imports(void **s)
{
    (void)s;
    weld_arena *a;
    weld_diag d;
    uint32_t m;
    weld_wit_resolve *r = load("package a:b;\ninterface base { type t = u32; }\n"
                               "interface user { use base.{t}; }\nworld w { export user; }\n", &a, &m, &d);
    assert_non_null(r);
    assert_int_equal(r->worlds[0].nimports, 1); /* base, pulled in by user's `use` */
    assert_int_equal(r->worlds[0].imports[0].id, 0);
    weld_arena_free(a);
}

static void test_nested_packages_and_versions(void **s)
{
    (void)s;
    roundtrip("package a:main;\n"
              "interface i { use wasi:io/streams@0.2.0.{input-stream}; f: func(s: borrow<input-stream>); }\n"
              "world w { import wasi:io/streams@0.2.0; export i; }\n"
              "package wasi:io@0.2.0 { interface streams { resource input-stream; } }\n",
              NULL);
}

static void test_gates_and_features(void **s)
{
    (void)s;
    const char *src = "package a:b@1.0.0;\n"
                      "@since(version = 1.0.0)\ninterface i {\n"
                      "  @unstable(feature = fancy)\n  f: func();\n"
                      "  @since(version = 0.9.0)\n  @deprecated(version = 1.0.0)\n  g: func();\n}\n";
    roundtrip(src, NULL);
    weld_arena *a;
    weld_diag d;
    uint32_t m;
    weld_wit_resolve *r = load(src, &a, &m, &d);
    assert_non_null(r);
    assert_int_equal(r->interfaces[0].nfuncs, 1); /* f is gated off */
    weld_arena_free(a);
    a = weld_arena_new();
    r = weld_wit_resolve_new(a);
    r->features = "other,fancy";
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_wit_add_source(r, "t.wit", src, strlen(src), &m, &d), WELD_OK);
    assert_int_equal(r->interfaces[0].nfuncs, 2);
    weld_arena_free(a);
}

static void test_escapes_and_keywords(void **s)
{
    (void)s;
    roundtrip("package a:b;\ninterface %interface { record %record { %type: u32 } %list: func(); }\n",
              "package a:b;\n\ninterface %interface {\n  record %record {\n    %type: u32,\n  }\n\n"
              "  %list: func();\n}\n\n");
}

static void test_top_level_use(void **s)
{
    (void)s;
    roundtrip("package a:b;\nuse c:d/x as y;\ninterface i { use y.{t}; }\n"
              "package c:d { interface x { type t = u8; } }\n", NULL);
}

static void test_json_layout(void **s)
{
    (void)s;
    weld_arena *a;
    weld_diag d;
    uint32_t m;
    weld_wit_resolve *r = load("package a:b;\ninterface i { type t = u32; }\n", &a, &m, &d);
    assert_non_null(r);
    char *j = NULL;
    assert_int_equal(weld_wit_to_json(r, &j, NULL, &d), WELD_OK);
    assert_non_null(strstr(j, "\"interfaces\": ["));
    assert_non_null(strstr(j, "\"owner\": {\n        \"interface\": 0"));
    assert_non_null(strstr(j, "\"name\": \"a:b\""));
    free(j);
    weld_arena_free(a);
}


static void test_include_renames_resources(void **s)
{
    (void)s;
    roundtrip("package foo:foo;\n\nworld a {\n  resource r {\n    constructor();\n    m: func();\n  }\n"
              "  import f: func(x: r) -> option<r>;\n}\nworld b {\n  include a with { r as s }\n}\n",
              "package foo:foo;\n\nworld a {\n  resource r {\n    constructor();\n    m: func();\n  }\n"
              "  import f: func(x: r) -> option<r>;\n}\nworld b {\n  resource s {\n    constructor();\n    m: func();\n  }\n"
              "  import f: func(x: s) -> option<s>;\n}\n");
}

static void test_reordered_print_is_equal(void **s)
{
    (void)s;
    /* the printer moves functions after types; the resolves are still equal */
    roundtrip("package a:b;\ninterface i {\n  f: func(x: r) -> string;\n  resource r { m: func(); }\n"
              "  type later = list<r>;\n}\n",
              "package a:b;\n\ninterface i {\n  resource r {\n    m: func();\n  }\n\n  type later = list<r>;\n\n"
              "  f: func(x: r) -> string;\n}\n\n");
}

static void test_external_include_drops_since(void **s)
{
    (void)s;
    weld_arena *a;
    weld_diag d;
    uint32_t m;
    weld_wit_resolve *r = load("package app:host@0.1.0;\nworld w { include x:y/imports@2.0.0; }\n"
                               "package x:y@2.0.0 {\n  @since(version = 1.0.0)\n  interface i { f: func(); }\n"
                               "  world imports { @since(version = 1.0.0) import i; }\n}\n", &a, &m, &d);
    if (!r) fail_msg("%u:%u: %s", d.line, d.col, d.message);
    const weld_wit_package *p = &r->packages[m];
    const weld_wit_world *w = &r->worlds[p->worlds[0].id];
    assert_int_equal(w->nimports, 1);
    assert_int_equal(w->imports[0].stability.kind, WELD_WIT_STAB_UNKNOWN);
    weld_arena_free(a);
}

static void test_own_handles_and_json(void **s)
{
    (void)s;
    weld_arena *a;
    weld_diag d;
    uint32_t m;
    weld_wit_resolve *r = load("package a:b;\ninterface i {\n  resource r { constructor(); }\n"
                               "  record rec { x: r }\n  f: func() -> r;\n}\n", &a, &m, &d);
    assert_non_null(r);
    /* types: r, own<r> (for rec), rec; the function's result shares the handle */
    assert_int_equal(r->ntypes, 3);
    assert_int_equal(r->types[1].kind, WELD_WIT_OWN);
    assert_null(r->types[1].name);
    assert_int_equal(r->types[2].fields[0].type, WELD_WIT_TREF(1));
    const weld_wit_interface *in = &r->interfaces[0];
    for (uint32_t k = 0; k < in->nfuncs; k++) assert_int_equal(in->funcs[k].result, WELD_WIT_TREF(1));
    char *j = NULL;
    assert_int_equal(weld_wit_to_json(r, &j, NULL, &d), WELD_OK);
    assert_non_null(strstr(j, "\"handle\": {\n          \"own\": 0"));
    assert_non_null(strstr(j, "\"constructor\": 0"));
    free(j);
    weld_arena_free(a);
}

static void test_more_types_and_items(void **s)
{
    (void)s;
    roundtrip("package a:b@0.1.0;\n"
              "interface i {\n  type m = map<string, u32>;\n  type ec = error-context;\n"
              "  resource r { constructor() -> result<r, string>; }\n}\n"
              "world w {\n  import named: i;\n  export other: i;\n  use i.{m};\n"
              "  resource wr;\n  import g: func(x: m, y: borrow<wr>);\n}\n", NULL);
}

static void test_select_world(void **s)
{
    (void)s;
    weld_arena *a;
    weld_diag d;
    uint32_t m, w = 99;
    weld_wit_resolve *r = load("package a:b@1.2.3;\nworld one {}\nworld two {}\n", &a, &m, &d);
    assert_non_null(r);
    assert_int_equal(weld_wit_select_world(r, m, "two", &w, &d), WELD_OK);
    assert_string_equal(r->worlds[w].name, "two");
    assert_int_equal(weld_wit_select_world(r, m, "a:b/one@1.2.3", &w, &d), WELD_OK);
    assert_string_equal(r->worlds[w].name, "one");
    assert_int_not_equal(weld_wit_select_world(r, m, "a:b/one@9.9.9", &w, &d), WELD_OK);
    assert_int_not_equal(weld_wit_select_world(r, m, "three", &w, &d), WELD_OK);
    assert_non_null(strstr(d.message, "world `three` not found in package `a:b@1.2.3`"));
    char *out = NULL;
    assert_int_equal(weld_wit_print_world(r, w, &out, NULL, &d), WELD_OK);
    assert_string_equal(out, "package a:b@1.2.3;\n\nworld one {\n}\n");
    free(out);
    weld_arena_free(a);
}

static void test_directory_with_deps(void **s)
{
    (void)s;
    char dir[] = "/tmp/weld-wit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/deps/lib", dir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", path);
    assert_int_equal(system(cmd), 0);
    const struct { const char *name, *text; } files[] = {
        {"a.wit", "package top:app;\ninterface x { use dep:lib/t.{n}; }\n"},
        {"b.wit", "/// second file of the same package\ninterface y { use x.{n}; }\n"},
        {"deps/lib/t.wit", "package dep:lib;\ninterface t { type n = u8; }\n"},
        {"deps/other.wit", "package dep:other;\ninterface o {}\n"},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(files[i].text, f);
        fclose(f);
    }
    weld_arena *a = weld_arena_new();
    weld_wit_resolve *r = weld_wit_resolve_new(a);
    weld_diag d;
    weld_diag_init(&d, dir);
    uint32_t m;
    if (weld_wit_add_path(r, dir, &m, NULL, NULL, &d) != WELD_OK) fail_msg("%s", d.message);
    assert_int_equal(r->npackages, 3);
    assert_string_equal(r->packages[m].name, "app");
    assert_int_equal(r->packages[m].ninterfaces, 2);
    assert_string_equal(r->interfaces[r->packages[m].interfaces[1].id].docs, "second file of the same package");
    weld_arena_free(a);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_tab_docs_reprint_equal(void **s)
{
    (void)s;
    /* tab-indented docs gain a space on reprint; the resolves still compare equal */
    const char *src = "//\t\ttr\t\t\npackage a:b;\ninterface a {}\n";
    weld_arena *a1, *a2;
    weld_diag d;
    uint32_t m1, m2;
    weld_wit_resolve *r1 = load(src, &a1, &m1, &d);
    assert_non_null(r1);
    assert_string_equal(r1->packages[0].docs, "\t\ttr");
    char *t = print_all(r1, m1);
    weld_wit_resolve *r2 = load(t, &a2, &m2, &d);
    assert_non_null(r2);
    assert_true(weld_wit_resolve_equal(r1, r2, NULL, 0));
    free(t);
    weld_arena_free(a1);
    weld_arena_free(a2);
}

/* ---- invalid inputs: message and line:col ---- */
typedef struct bad {
    const char *src;
    unsigned line, col;
    const char *msg;
} bad;

static const bad bads[] = {
    {"package a:b;\ninterface i { record r { a: u32 ] }\n", 2, 33, "expected `,` or `}` after a record field, found `]`"},
    {"package a:b;\ninterface i { f: func(; }\n", 2, 23, "expected a parameter name or `)`, found `;`"},
    {"package a:b;\ninterface i { type t = u32 }\n", 2, 28, "expected `;` after the type definition, found `}`"},
    {"package a:b;\ninterface i { type t = list<u32; }\n", 2, 32, "expected `>` or `,` after the list element type"},
    {"package a:b;\ninterface i { type t = option<>; }\n", 2, 31, "expected a type, found `>`"},
    {"package a:b;\ninterface i { type t = result<_>; }\n", 2, 32, "expected `,` and an error type"},
    {"package a:b;\ninterface i { type t = tuple<u8 u8>; }\n", 2, 33, "expected `,` or `>` after a tuple member"},
    {"package a:b;\ninterface i { type t = own<u8>; }\n", 2, 28, "expected a resource name, found keyword `u8`"},
    {"package a:b;\ninterface i { type t = u32 = 1; }\n", 2, 28, "expected `;` after the type definition, found `=`"},
    {"package a:b;\ninterface i { variant v { a(u32 } }\n", 2, 33, "expected `)` after the case payload type"},
    {"package a:b;\ninterface i { enum e { a b } }\n", 2, 26, "expected `,` or `}` after an enum case"},
    {"package a:b;\ninterface i { flags f { a; } }\n", 2, 26, "expected `,` or `}` after a flag"},
    {"package a:b;\ninterface i { resource r { m: u32; } }\n", 2, 31, "expected `func`, found keyword `u32`"},
    {"package a:b;\ninterface i { resource r }\n", 2, 26, "expected `;` or `{` after the resource name"},
    {"package a:b;\ninterface i { use x; }\n", 2, 20, "expected `.` and `{` after the interface path in `use`"},
    {"package a:b;\ninterface i { use x.{a b}; }\n", 2, 24, "expected `,` or `}` after a name in `use`"},
    {"package a:b;\ninterface i { 42 }\n", 2, 15, "expected `use`, a type definition, a function or `}` in the interface"},
    {"package a:b;\nworld w { import; }\n", 2, 17, "expected an interface name, a function or `name: interface`"},
    {"package a:b;\nworld w { export f: func() }\n", 2, 28, "expected `;` after the function type, found `}`"},
    {"package a:b;\nworld w { include x with { a b } }\n", 2, 30, "expected `as` after the name in `with`"},
    {"package a:b;\nworld w { type }\n", 2, 16, "expected a type name, found `}`"},
    {"package a:b;\nworld w { func }\n", 2, 11, "expected `import`, `export`, `include`, `use`, a type definition or `}`"},
    {"package a:b;\nfoo\n", 2, 1, "expected `interface`, `world`, `use` or `package`, found identifier `foo`"},
    {"package a:b\ninterface i {}\n", 2, 1, "expected `{` after the nested package name, found keyword `interface`"},
    {"package a;\n", 1, 10, "expected `:` between the package namespace and name, found `;`"},
    {"package a:b@1.0;\n", 1, 13, "invalid semantic version `1.0`"},
    {"package a:b@01.0.0;\n", 1, 13, "invalid semantic version `01.0.0`"},
    {"package a:b;\ninterface Foo-bar {}\n", 2, 12, "invalid character `o` in identifier `Foo-bar`"},
    {"package a:b;\ninterface a--b {}\n", 2, 11, "identifier parts may not be empty"},
    {"package a:b;\ninterface 1a {}\n", 2, 11, "expected an interface name, found integer `1`"},
    {"package a:b;\ninterface i { f: func() -> $; }\n", 2, 28, "expected a type, found `$`"},
    {"package a:b;\ninterface i { f: func() -> \x01; }\n", 2, 28, "control character (byte 0x01) is not allowed"},
    {"package a:b;\n/* never closed\n", 2, 1, "unterminated block comment"},
    {"package a:b;\ninterface i { @since(version = 1.0.0) f: func(); }\n", 2, 15, "package `a:b` has a feature gate with a version (@since), so it must have a version"},
    {"package a:b@1.0.0;\ninterface i { @since(version = 2.0.0) f: func(); }\n", 2, 15, "feature gate cannot reference unreleased version 2.0.0 of package `a:b@1.0.0` (current version 1.0.0)"},
    {"package a:b@1.0.0;\ninterface i { @since(version = 1.0.0) @since(version = 1.0.0) f: func(); }\n", 2, 39, "cannot specify @since twice"},
    {"package a:b@1.0.0;\ninterface i { @since(version = 1.0.0) @unstable(feature = x) f: func(); }\n", 2, 15, "cannot specify both @since and @unstable"},
    {"package a:b@1.0.0;\ninterface i { @deprecated(version = 1.0.0) f: func(); }\n", 2, 15, "@deprecated needs @since or @unstable"},
    {"package a:b;\ninterface i { @foo f: func(); }\n", 2, 16, "unknown attribute `@foo`"},
    {"package a:b;\ninterface i { type t = u32; type t = u8; }\n", 2, 34, "name `t` is defined more than once"},
    {"package a:b;\ninterface i { type t = u32; t: func(); }\n", 2, 29, "name `t` is defined more than once"},
    {"package a:b;\ninterface i { record r { a: u8, a: u8 } }\n", 2, 33, "field `a` is defined more than once"},
    {"package a:b;\ninterface i { f: func(a: u8, a: u8); }\n", 2, 30, "param `a` is defined more than once"},
    {"package a:b;\ninterface i {}\ninterface i {}\n", 3, 11, "duplicate name `i` in this file"},
    {"package a:b;\ninterface i { type t = nope; }\n", 2, 24, "type `nope` does not exist"},
    {"package a:b;\ninterface i { type t = float32; }\n", 2, 24, "the type is now spelled `f32`"},
    {"package a:b;\ninterface i { type a = b; type b = a; }\n", 2, 24, "depends on itself"},
    {"package a:b;\ninterface i { record r { x: r } }\n", 2, 29, "type `r` depends on itself"},
    {"package a:b;\ninterface i { use j.{t}; }\ninterface j { use i.{u}; type t = u8; }\n", 2, 19, "depends on itself (a cycle of `use`"},
    {"package a:b;\ninterface i { use nope.{t}; }\n", 2, 19, "interface or world `nope` not found in package `a:b`"},
    {"package a:b;\ninterface i { use j.{t}; }\ninterface j {}\n", 2, 22, "type `t` not defined in interface `j`"},
    {"package a:b;\ninterface i { use j.{f}; }\ninterface j { f: func(); }\n", 2, 22, "cannot import function `f`"},
    {"package a:b;\ninterface i { use x:y/z.{t}; }\n", 2, 19, "package `x:y` not found"},
    {"package a:b;\ninterface i { use a:a/z@1.0.0.{t}; }\npackage a:a@2.0.0 { interface z { type t = u8; } }\n", 2, 19, "version mismatch, `z` asks for version 1.0.0 but the package found is version 2.0.0"},
    {"package a:b;\ninterface i { use x:y/nope.{t}; }\npackage x:y { interface z {} }\n", 2, 23, "interface `nope` not found in package `x:y`"},
    {"package a:b;\nworld w {}\ninterface i { use w.{t}; }\n", 3, 19, "name `w` is defined as a world, not an interface"},
    {"package a:b;\ninterface i {}\nworld w { include i; }\n", 3, 19, "name `i` is defined as an interface, not a world"},
    {"package a:b;\ninterface i { type t = borrow<u8x>; }\n", 2, 31, "type `u8x` does not exist"},
    {"package a:b;\ninterface i { type x = u8; type t = borrow<x>; }\n", 2, 44, "type `x` used in a handle must be a resource"},
    {"package a:b;\ninterface i {}\nworld w { import i; import i; }\n", 3, 28, "interface cannot be imported more than once"},
    {"package a:b;\nworld w { import f: func(); import f: func(); }\n", 2, 36, "import `f` conflicts with prior func of same name"},
    {"package a:b;\nworld w { export f: func(); export f: func(); }\n", 2, 36, "export `f` conflicts with prior func of same name"},
    {"package a:b;\nworld v { import x: func(); }\nworld w { include v with { y as z } }\n", 3, 28, "`with` renames `y`, but world `v` has no import or export named `y`"},
    {"package a:b;\nworld v { include w; }\nworld w { include v; }\n", 2, 7, "includes itself"},
    {"package a:b;\ninterface i { resource r { constructor() -> u32; } }\n", 2, 45, "if a constructor return type is declared it must be a `result`"},
    {"package a:b;\ninterface i { resource r { m: func(self: u8); } }\n", 2, 36, "param `self` is defined more than once"},
    {"package a:b;\ninterface i { resource r { m: func(); m: func(); } }\n", 2, 39, "function `m` is defined more than once in resource `r`"},
    {"package a:b;\ninterface i { type t = list<u8, 0>; }\n", 2, 33, "invalid fixed-size list length `0`"},
    {"package a:b;\npackage c:d;\n", 2, 1, "`package c:d;` must come first in the file"},
    {"package a:b;\npackage c:d { package e:f {} }\n", 2, 15, "nested packages must be placed at the top level"},
    {"interface i {}\n", 1, 1, "no `package` header was found"},
    {"package a:b;\ninterface i {}\npackage a:b { }\n", 1, 9, "package `a:b` is defined more than once"},
    {"package a:b;\nuse c:d/x;\npackage c:d { use a:b/i; interface x {} }\ninterface i {}\n", 3, 19, "depends on itself (a cycle between packages)"},
    {"package a:b;\nworld w { import A: func(); import a: func(); }\n", 2, 7, "conflicts with import `A` (kebab-case identifiers are case-insensitive)"},
    {"package a:b;\ninterface i { type t = \"s\"; }\n", 2, 24, "expected a type, found a string literal"},
    {"package a:b;\ninterface i { f: func() -> }\n", 2, 28, "expected a type, found `}`"},
    {"package a:b;\ninterface i { f: async u32; }\n", 2, 24, "expected `func` after `async`, found keyword `u32`"},
    {"package a:b;\ninterface i {\n", 3, 1, "found end of file"},
    {"package a:b;\ninterface i { resource r; f: func() -> option<borrow<r>>; }\n", 2, 27, "function `f` returns a type which contains a `borrow<T>`"},
    {"package a:b;\ninterface i { type m = map<f32, u8>; }\n", 2, 28, "invalid map key type"},
    {"package a:b;\ninterface i { @unstable(feature = off) resource r { constructor(); } }\n", 2, 53, "resource `r` is gated off but this function is not"},
    {"package a:b;\n/// bad \xff byte\ninterface i {}\n", 2, 9, "invalid UTF-8 (byte 0xff)"},
    {"package a:b;\ninterface i { \x7f }\n", 2, 15, "control character (byte 0x7f) is not allowed"},
    {"package a:b;\ninterface \xc3\xa9 {}\n", 2, 11, "unexpected character (byte 0xc3)"},
};

static void test_invalid_inputs(void **s)
{
    (void)s;
    unsigned failures = 0;
    /* deep nesting is refused, not a stack overflow */
    {
        char deep[2048] = "package a:b;\ninterface i { type t = ";
        for (int k = 0; k < 150; k++) strcat(deep, "list<");
        strcat(deep, "u8");
        for (int k = 0; k < 150; k++) strcat(deep, ">");
        strcat(deep, "; }\n");
        weld_arena *a;
        weld_diag d;
        uint32_t m;
        assert_null(load(deep, &a, &m, &d));
        assert_non_null(strstr(d.message, "types are nested more than 100 levels deep"));
        assert_int_equal(d.line, 2);
        assert_int_equal(d.col, 24 + 5 * 100);
        weld_arena_free(a);
    }
    for (size_t i = 0; i < sizeof bads / sizeof *bads; i++) {
        weld_arena *a;
        weld_diag d;
        uint32_t m;
        weld_wit_resolve *r = load(bads[i].src, &a, &m, &d);
        if (r) {
            print_message("case %zu: accepted, expected \"%s\"\n", i, bads[i].msg);
            failures++;
        } else if (!strstr(d.message, bads[i].msg) || d.line != bads[i].line || d.col != bads[i].col) {
            print_message("case %zu: got %u:%u \"%s\", expected %u:%u \"%s\"\n", i, d.line, d.col, d.message,
                          bads[i].line, bads[i].col, bads[i].msg);
            failures++;
        }
        weld_arena_free(a);
    }
    assert_true(sizeof bads / sizeof *bads >= 60);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_print),
        cmocka_unit_test(test_all_types),
        cmocka_unit_test(test_use_and_include),
        cmocka_unit_test(test_elaboration_adds_imports),
        cmocka_unit_test(test_nested_packages_and_versions),
        cmocka_unit_test(test_gates_and_features),
        cmocka_unit_test(test_escapes_and_keywords),
        cmocka_unit_test(test_top_level_use),
        cmocka_unit_test(test_json_layout),
        cmocka_unit_test(test_include_renames_resources),
        cmocka_unit_test(test_reordered_print_is_equal),
        cmocka_unit_test(test_external_include_drops_since),
        cmocka_unit_test(test_own_handles_and_json),
        cmocka_unit_test(test_more_types_and_items),
        cmocka_unit_test(test_select_world),
        cmocka_unit_test(test_directory_with_deps),
        cmocka_unit_test(test_tab_docs_reprint_equal),
        cmocka_unit_test(test_invalid_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
