/* test_ctypes.c - the component type model: index spaces and their types, resource
 * identity through imports and instantiation, equality, subtyping and its messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "comp/names.h"
#include "weld/ctypes.h"
#include "weld/validate.h"

typedef struct loaded {
    uint8_t *data;
    weld_arena *arena;
    weld_component *c;
    weld_ctypes *m;
    weld_diag d;
} loaded;

static weld_status load(const char *rel, loaded *l)
{
    const char *root = getenv("WELD_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root ? root : ".", rel);
    size_t len;
    memset(l, 0, sizeof *l);
    weld_diag_init(&l->d, path);
    if (weld_file_read(path, &l->data, &len, &l->d) != WELD_OK) fail_msg("cannot read %s", path);
    l->arena = weld_arena_new();
    weld_component_read_opts o = {.skip_modules = true};
    assert_int_equal(weld_component_read(l->arena, l->data, len, &o, &l->c, &l->d), WELD_OK);
    return weld_ctypes_build(l->c, NULL, &l->m, &l->d);
}

static void unload(loaded *l)
{
    weld_ctypes_free(l->m);
    weld_arena_free(l->arena);
    free(l->data);
}

static const weld_textern *find(const weld_textern *v, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(v[i].name.ptr, name) == 0) return &v[i];
    fail_msg("no extern named %s", name);
    return NULL;
}

static const weld_tnode *export_type(const weld_tnode *inst, const char *name)
{
    return find(inst->u.ext.exports, inst->u.ext.nexports, name)->type;
}

static void test_imports_exports_and_spaces(void **state)
{
    (void)state;
    loaded l;
    assert_int_equal(load("fixtures/ctypes/model.wasm", &l), WELD_OK);
    const weld_tnode *self = weld_ctypes_self(l.m);
    assert_int_equal(self->kind, WELD_TK_COMPONENT);
    assert_int_equal(self->u.ext.nimports, 4);
    assert_int_equal(self->u.ext.nexports, 3);
    const weld_textern *one = find(self->u.ext.imports, 4, "a:b/one");
    assert_int_equal(one->sort, WELD_EXT_INSTANCE);
    assert_int_equal(one->type->kind, WELD_TK_INSTANCE);
    assert_int_equal(one->index, 0);
    const weld_textern *get = find(self->u.ext.imports, 4, "get");
    assert_int_equal(get->sort, WELD_EXT_FUNC);
    assert_int_equal(get->type->kind, WELD_TK_FUNC);
    assert_int_equal(get->type->u.func.nparams, 1);
    assert_string_equal(get->type->u.func.params[0].name.ptr, "p");
    const weld_tnode *p = get->type->u.func.params[0].type;
    assert_int_equal(p->kind, WELD_TK_RECORD);
    assert_int_equal(p->u.record.count, 2);
    assert_string_equal(p->u.record.fields[1].name.ptr, "y");
    assert_int_equal(p->u.record.fields[1].type->u.prim, WELD_CV_S32);
    char buf[128];
    weld_tnode_describe(get->type->u.func.result, buf, sizeof buf);
    assert_string_equal(buf, "option<string>");

    /* the type index space, in definition order */
    static const uint8_t kinds[] = {
        WELD_TK_INSTANCE, WELD_TK_RESOURCE, WELD_TK_RESOURCE, WELD_TK_RECORD, WELD_TK_VARIANT,
        WELD_TK_LIST, WELD_TK_TUPLE, WELD_TK_FLAGS, WELD_TK_ENUM, WELD_TK_OPTION,
        WELD_TK_RESULT, WELD_TK_OWN, WELD_TK_FIXED_LIST, WELD_TK_RECORD, WELD_TK_FUNC,
        WELD_TK_RESOURCE,
    };
    assert_true(weld_ctypes_count(l.m, WELD_TS_TYPE) >= sizeof kinds);
    for (size_t i = 0; i < sizeof kinds; i++)
        assert_int_equal(weld_ctypes_get(l.m, WELD_TS_TYPE, (uint32_t)i)->kind, kinds[i]);
    assert_null(weld_ctypes_get(l.m, WELD_TS_TYPE, 1000));
    assert_int_equal(weld_ctypes_get(l.m, WELD_TS_TYPE, 12)->u.list.len, 4);
    /* the imported `point` (eq bound) is a new name for the record */
    const weld_tnode *pi = weld_ctypes_get(l.m, WELD_TS_TYPE, 13);
    assert_ptr_equal(pi->alias_of, weld_ctypes_get(l.m, WELD_TS_TYPE, 3));
    assert_true(weld_tnode_equal(pi, pi->alias_of));
    assert_ptr_equal(p, pi);

    /* core funcs of the resource built-ins */
    assert_int_equal(weld_ctypes_count(l.m, WELD_TS_CORE_FUNC), 3);
    const weld_tnode *nw = weld_ctypes_get(l.m, WELD_TS_CORE_FUNC, 0);
    assert_int_equal(nw->kind, WELD_TK_CORE_FUNC);
    assert_int_equal(nw->u.core.func->nparams, 1);
    assert_int_equal(nw->u.core.func->nresults, 1);
    assert_int_equal(weld_ctypes_get(l.m, WELD_TS_CORE_FUNC, 1)->u.core.func->nresults, 0);
    assert_int_equal(weld_ctypes_count(l.m, WELD_TS_COMPONENT), 1);
    assert_int_equal(weld_ctypes_count(l.m, WELD_TS_INSTANCE), 4); /* 2 imports, 1 made, 1 export */
    unload(&l);
}

static void test_resource_identity(void **state)
{
    (void)state;
    loaded l;
    assert_int_equal(load("fixtures/ctypes/model.wasm", &l), WELD_OK);
    const weld_tnode *r1 = weld_ctypes_get(l.m, WELD_TS_TYPE, 1);
    const weld_tnode *r2 = weld_ctypes_get(l.m, WELD_TS_TYPE, 2);
    const weld_tnode *local = weld_ctypes_get(l.m, WELD_TS_TYPE, 15);
    /* one instance type imported twice: two resources */
    assert_ptr_not_equal(r1, r2);
    assert_null(r1->u.resource.scope);
    assert_string_equal(r1->u.resource.name.ptr, "r");
    assert_false(r1->u.resource.defined);
    assert_true(local->u.resource.defined);
    /* the interface's own resource stays abstract, bound by the instance type */
    const weld_tnode *iface = weld_ctypes_get(l.m, WELD_TS_TYPE, 0);
    const weld_tnode *ir = export_type(iface, "r");
    assert_ptr_equal(ir->u.resource.scope, iface);
    /* handles point at the resource of their instance */
    const weld_tnode *self = weld_ctypes_self(l.m);
    const weld_tnode *one = find(self->u.ext.imports, 4, "a:b/one")->type;
    const weld_tnode *two = find(self->u.ext.imports, 4, "a:b/two")->type;
    assert_ptr_equal(export_type(one, "r"), r1);
    assert_ptr_equal(export_type(one, "make")->u.func.result->u.handle, r1);
    assert_ptr_equal(export_type(two, "peek")->u.func.params[0].type->u.handle, r2);
    assert_ptr_equal(weld_ctypes_get(l.m, WELD_TS_TYPE, 11)->u.handle, r1);
    /* instantiation substitutes the argument's resource for the component's import */
    const weld_tnode *inst = export_type(self, "i");
    assert_ptr_equal(export_type(inst, "r2"), r1);
    assert_ptr_equal(export_type(inst, "mk2")->u.func.result->u.handle, r1);
    /* a nested component's type binds its imported resource */
    const weld_tnode *c = weld_ctypes_get(l.m, WELD_TS_COMPONENT, 0);
    const weld_tnode *cr = find(c->u.ext.imports, c->u.ext.nimports, "r")->type;
    assert_ptr_equal(cr->u.resource.scope, c);
    unload(&l);
}

static void test_subtyping(void **state)
{
    (void)state;
    loaded l;
    assert_int_equal(load("fixtures/ctypes/model.wasm", &l), WELD_OK);
    const weld_tnode *self = weld_ctypes_self(l.m);
    const weld_tnode *one = find(self->u.ext.imports, 4, "a:b/one")->type;
    const weld_tnode *two = find(self->u.ext.imports, 4, "a:b/two")->type;
    const weld_tnode *iface = weld_ctypes_get(l.m, WELD_TS_TYPE, 0);
    char why[512];
    /* a concrete instance satisfies the interface type: its abstract resource binds */
    assert_true(weld_tnode_subtype(one, iface, why, sizeof why));
    assert_true(weld_tnode_subtype(two, iface, why, sizeof why));
    /* two imports are different resources */
    assert_false(weld_tnode_subtype(one, two, why, sizeof why));
    assert_string_equal(why, "type mismatch in instance export `r` resource types are not the same");
    /* the interface does not satisfy an instance with more exports */
    const weld_tnode *inst = export_type(self, "i");
    assert_false(weld_tnode_subtype(inst, iface, why, sizeof why));
    assert_string_equal(why, "missing expected export `r`");

    /* functions: exact parameters and result */
    const weld_tnode *get = find(self->u.ext.imports, 4, "get")->type;
    weld_tnode f = *get;
    const weld_tnode *string = get->u.func.result->u.option;
    f.u.func.result = string;
    assert_false(weld_tnode_subtype(&f, get, why, sizeof why));
    assert_string_equal(why, "type mismatch with result type expected option, found string");
    f.u.func.result = NULL;
    assert_false(weld_tnode_subtype(&f, get, why, sizeof why));
    /* (wasmparser's wording, from the expected side's point of view reversed) */
    assert_string_equal(why, "expected no result, found one");
    weld_tfield renamed = {{"q", 1}, get->u.func.params[0].type};
    f = *get;
    f.u.func.params = &renamed;
    assert_false(weld_tnode_subtype(&f, get, why, sizeof why));
    assert_string_equal(why, "expected parameter named `p`, found `q`");
    assert_true(weld_tnode_subtype(get, get, why, sizeof why));

    /* records: structural, field names and types */
    const weld_tnode *point = weld_ctypes_get(l.m, WELD_TS_TYPE, 3);
    weld_tnode copy = *point;
    assert_true(weld_tnode_equal(&copy, point));
    weld_tfield fields[2] = {point->u.record.fields[0], {{"z", 1}, point->u.record.fields[1].type}};
    copy.u.record.fields = fields;
    assert_false(weld_tnode_equal(&copy, point));
    assert_false(weld_tnode_subtype(&copy, point, why, sizeof why));
    assert_string_equal(why, "expected field name `y`, found `z`");
    fields[1] = (weld_tfield){{"y", 1}, string};
    assert_false(weld_tnode_subtype(&copy, point, why, sizeof why));
    assert_string_equal(why, "type mismatch in record field `y` expected primitive `s32` found primitive `string`");
    /* enums and flags compare their labels */
    const weld_tnode *perm = weld_ctypes_get(l.m, WELD_TS_TYPE, 7);
    const weld_tnode *color = weld_ctypes_get(l.m, WELD_TS_TYPE, 8);
    assert_false(weld_tnode_subtype(perm, color, why, sizeof why));
    assert_string_equal(why, "expected enum, found flags");
    /* resources: identity only */
    const weld_tnode *r1 = weld_ctypes_get(l.m, WELD_TS_TYPE, 1);
    assert_true(weld_tnode_equal(r1, r1));
    assert_false(weld_tnode_equal(r1, weld_ctypes_get(l.m, WELD_TS_TYPE, 2)));
    /* extern sorts are compared first */
    weld_textern fe = {{"x", 1}, WELD_EXT_FUNC, get, 0}, ie = {{"x", 1}, WELD_EXT_INSTANCE, iface, 0};
    assert_false(weld_textern_subtype(&fe, &ie, why, sizeof why));
    assert_string_equal(why, "expected instance, found func");
    unload(&l);
}

static void test_corpus_components_build(void **state)
{
    (void)state;
    static const char *const files[] = {
        "fixtures/demo/app-c.wasm", "fixtures/demo/text-js.wasm",
        "fixtures/components/types.wasm", "fixtures/components/start-value.wasm",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        loaded l;
        weld_status st = load(files[i], &l);
        if (st) fail_msg("%s: %s", files[i], l.d.message);
        assert_non_null(weld_ctypes_self(l.m));
        unload(&l);
    }
}

static void test_ill_typed_component_fails_with_offset(void **state)
{
    (void)state;
    loaded l;
    /* link.wat aliases an outer core module defined after the nested component */
    assert_int_equal(load("fixtures/components/link.wasm", &l), WELD_ERR_INVALID);
    assert_null(l.m);
    assert_string_equal(l.d.message, "unknown module 0: module index out of bounds");
    assert_true(l.d.offset != WELD_NO_OFFSET && l.d.offset > 8);
    unload(&l);
}

static void test_validate_component(void **state)
{
    (void)state;
    loaded l;
    assert_int_equal(load("fixtures/ctypes/model.wasm", &l), WELD_OK);
    weld_diag d;
    weld_diag_init(&d, "model");
    assert_int_equal(weld_validate_component(l.c, &d), WELD_OK);
    unload(&l);
    /* an invalid fixture: the message and the offset of the offending item */
    assert_int_equal(load("fixtures/components-invalid/type-record-empty.wasm", &l), WELD_OK);
    weld_diag_init(&d, "x");
    assert_int_equal(weld_validate_component(l.c, &d), WELD_ERR_INVALID);
    assert_string_equal(d.message, "record type must have at least one field");
    assert_int_equal(d.offset, 0xb);
    unload(&l);
    assert_int_equal(load("fixtures/components-invalid/inst-arg-func-result-mismatch.wasm", &l),
                     WELD_ERR_INVALID);
    assert_string_equal(l.d.message, "type mismatch for import `f` type mismatch with result type "
                                     "expected primitive `u32` found primitive `string`");
    assert_int_equal(l.d.offset, 0x48);
    unload(&l);
}

static void test_extern_names(void **state)
{
    (void)state;
    assert_true(cname_is_kebab("get-value", 9));
    assert_true(cname_is_kebab("GET-IT", 6));
    assert_true(cname_is_kebab("item-2nd", 8));
    assert_false(cname_is_kebab("fooBar", 6));
    assert_false(cname_is_kebab("1st", 3));
    assert_false(cname_is_kebab("a--b", 4));
    assert_false(cname_is_kebab("name-", 5));
    assert_false(cname_is_kebab("", 0));
    assert_true(cname_kebab_eq("RUN", 3, "run", 3));
    cname_info ni;
    char err[256];
    const char *n = "[method]counter.bump";
    assert_true(cname_parse(n, strlen(n), &ni, err, sizeof err));
    assert_int_equal(ni.kind, CNAME_METHOD);
    assert_int_equal(ni.resource_len, 7);
    n = "wasi:cli/run@0.2.3";
    assert_true(cname_parse(n, strlen(n), &ni, err, sizeof err));
    assert_int_equal(ni.kind, CNAME_INTERFACE);
    assert_int_equal(ni.version_len, 5);
    n = "ns:pkg/my_iface";
    assert_false(cname_parse(n, strlen(n), &ni, err, sizeof err));
    assert_string_equal(err, "trailing characters found: `_iface`");
    n = "wasi:cli";
    assert_false(cname_parse(n, strlen(n), &ni, err, sizeof err));
    assert_string_equal(err, "expected `/` after package name");
    n = "unlocked-dep=<demo:dep@{>=1.0.0}>";
    assert_true(cname_parse(n, strlen(n), &ni, err, sizeof err));
    assert_int_equal(ni.kind, CNAME_DEPENDENCY);
    assert_true(cname_semver("1.2.3-rc.1+build.5", 18, err, sizeof err));
    assert_false(cname_semver("01.0.0", 6, err, sizeof err));
    assert_string_equal(err, "invalid leading zero in major version number");
    assert_false(cname_semver("1.0", 3, err, sizeof err));
    assert_string_equal(err, "unexpected end of input while parsing minor version number");
}

/* A component of one type section: `n` types, type i+1 built from type i by `op`
 * (0x70 list, 0x6f tuple of two), over a first `list<bool>`. */
static size_t chain_component(uint8_t *buf, uint8_t op, uint32_t n)
{
    uint8_t body[8192];
    size_t b = 0, len = 0;
    body[b++] = (uint8_t)(0x80 | (n & 0x7f));
    body[b++] = (uint8_t)(n >> 7);
    body[b++] = 0x70;
    body[b++] = 0x7f;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t prev = i - 1;
        body[b++] = op;
        if (op == 0x6f) body[b++] = 2;
        for (int k = 0; k < (op == 0x6f ? 2 : 1); k++) {
            body[b++] = (uint8_t)(0x80 | (prev & 0x7f));
            body[b++] = (uint8_t)(prev >> 7);
        }
    }
    static const uint8_t pre[] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07};
    memcpy(buf, pre, sizeof pre);
    len = sizeof pre;
    buf[len++] = (uint8_t)(0x80 | (b & 0x7f));
    buf[len++] = (uint8_t)(b >> 7);
    memcpy(buf + len, body, b);
    return len + b;
}

static void test_type_size_limits(void **state)
{
    (void)state;
    static uint8_t buf[9000];
    struct {
        uint8_t op;
        uint32_t n;
        weld_status st;
        const char *msg;
    } cases[] = {
        /* list<bool> is depth 2: 99 lists nest 100 deep, wasmparser's limit */
        {0x70, 99, WELD_OK, ""},
        {0x70, 100, WELD_ERR_INVALID, "type nesting is too deep"},
        /* tuple<T, T> has size 1 + 2 * size(T): 2^19 * 3 - 1 fits, 2^20 * 3 - 1 does not */
        {0x6f, 19, WELD_OK, ""},
        {0x6f, 20, WELD_ERR_INVALID, "effective type size exceeds the limit of 1000000"},
        {0x6f, 40, WELD_ERR_INVALID, "effective type size exceeds the limit of 1000000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = chain_component(buf, cases[i].op, cases[i].n);
        weld_arena *a = weld_arena_new();
        weld_component *c;
        weld_diag d;
        weld_diag_init(&d, "chain");
        weld_component_read_opts o = {.skip_modules = true};
        assert_int_equal(weld_component_read(a, buf, len, &o, &c, &d), WELD_OK);
        weld_ctypes *m = NULL;
        assert_int_equal(weld_ctypes_build(c, NULL, &m, &d), cases[i].st);
        if (cases[i].st) assert_string_equal(d.message, cases[i].msg);
        else {
            /* the accounting kept on the last node: wasmparser's size and depth */
            const weld_tnode *t = weld_ctypes_get(m, WELD_TS_TYPE, cases[i].n - 1);
            assert_non_null(t);
            if (cases[i].op == 0x70) {
                assert_int_equal(t->size, cases[i].n + 1);
                assert_int_equal(t->depth, cases[i].n + 1);
            } else {
                assert_int_equal(t->size, (3u << (cases[i].n - 1)) - 1);
                assert_int_equal(t->depth, cases[i].n + 1);
            }
        }
        weld_ctypes_free(m);
        weld_arena_free(a);
    }
}

/* Feature gates: wasmparser's defaults refuse the `error-context` type with its message;
 * the feature turned on, or the ungated entry point, accepts it. */
static void test_feature_gates(void **state)
{
    (void)state;
    loaded l;
    assert_int_equal(load("fixtures/validate-rules/feature-error-context-off.wasm", &l), WELD_OK);
    weld_diag d;
    weld_diag_init(&d, "x");
    assert_int_equal(weld_validate_component_features(l.c, WELD_FEAT_DEFAULT, &d), WELD_ERR_INVALID);
    assert_string_equal(d.message, "`error-context` requires the component model error-context feature");
    assert_int_equal(d.offset, 0xb);
    assert_int_equal(weld_validate_component_features(l.c, WELD_FEAT_DEFAULT | WELD_FEAT_CM_ERROR_CONTEXT, &d),
                     WELD_OK);
    assert_int_equal(weld_validate_component(l.c, &d), WELD_OK);
    unload(&l);
    assert_true(weld_feature_by_name("cm-error-context") == WELD_FEAT_CM_ERROR_CONTEXT);
    assert_true(weld_feature_by_name("cm-values") == WELD_FEAT_CM_VALUES);
    assert_true(weld_feature_by_name("memory64") == WELD_FEAT_CORE_FIXED);
    assert_false(weld_feature_can_disable(weld_feature_by_name("memory64")));
    assert_true(weld_feature_can_disable(WELD_FEAT_CM_ASYNC));
    assert_true(weld_feature_by_name("no-such-feature") == 0);
    assert_true((WELD_FEAT_DEFAULT & WELD_FEAT_CM_ASYNC) && !(WELD_FEAT_DEFAULT & WELD_FEAT_CM_VALUES));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_imports_exports_and_spaces),
        cmocka_unit_test(test_resource_identity),
        cmocka_unit_test(test_subtyping),
        cmocka_unit_test(test_corpus_components_build),
        cmocka_unit_test(test_ill_typed_component_fails_with_offset),
        cmocka_unit_test(test_validate_component),
        cmocka_unit_test(test_extern_names),
        cmocka_unit_test(test_type_size_limits),
        cmocka_unit_test(test_feature_gates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
