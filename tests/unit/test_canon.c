/* test_canon.c - the Canonical ABI (src/canon): layouts and flattened signatures against
 * values computed by hand from CanonicalABI.md, cval helpers, handle tables and borrow
 * scopes, lift/lower round trips for every kind of value (flat and through memory),
 * strings in the three encodings, the fused guest-to-guest transfer, and every trap rule.
 * Guests are simulated: a linear memory and a bump-allocator realloc (a host function). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "canon/canon.h"

/* ---- type nodes ---------------------------------------------------------------------- */

#define S(x) {x, (uint32_t)(sizeof(x) - 1)}
#define PRIM(n, p) static const weld_tnode n = {.kind = WELD_TK_PRIM, .u.prim = p}
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

/* an alias name of u32 */
static const weld_tnode T_U32_ALIAS = {.kind = WELD_TK_PRIM, .alias_of = &T_U32, .u.prim = WELD_CV_U32};

/* record { a: u8, b: u32, c: u8, d: u64 } */
static const weld_tfield F_MIX[] = {{S("a"), &T_U8}, {S("b"), &T_U32}, {S("c"), &T_U8}, {S("d"), &T_U64}};
static const weld_tnode T_MIX = {.kind = WELD_TK_RECORD, .u.record = {4, F_MIX}};
/* record { x: u32, y: u16 } (numbers only: pure) */
static const weld_tfield F_PT[] = {{S("x"), &T_U32}, {S("y"), &T_U16}};
static const weld_tnode T_PT = {.kind = WELD_TK_RECORD, .u.record = {2, F_PT}};
/* record { ok: bool, y: u16 } (a bool: not pure) */
static const weld_tfield F_BR[] = {{S("ok"), &T_BOOL}, {S("y"), &T_U16}};
static const weld_tnode T_BREC = {.kind = WELD_TK_RECORD, .u.record = {2, F_BR}};
static const weld_tnode T_LIST_U8 = {.kind = WELD_TK_LIST, .u.list = {&T_U8, 0}};
static const weld_tnode T_LIST_U16 = {.kind = WELD_TK_LIST, .u.list = {&T_U16, 0}};
static const weld_tnode T_LIST_U32 = {.kind = WELD_TK_LIST, .u.list = {&T_U32, 0}};
static const weld_tnode T_LIST_STR = {.kind = WELD_TK_LIST, .u.list = {&T_STRING, 0}};
static const weld_tnode T_LIST_PT = {.kind = WELD_TK_LIST, .u.list = {&T_PT, 0}};
static const weld_tnode T_LIST_CHAR = {.kind = WELD_TK_LIST, .u.list = {&T_CHAR, 0}};
static const weld_tnode T_FIX_U16 = {.kind = WELD_TK_FIXED_LIST, .u.list = {&T_U16, 3}};
static const weld_tnode T_FIX_STR = {.kind = WELD_TK_FIXED_LIST, .u.list = {&T_STRING, 2}};
static const weld_tnode T_OPT_LU8 = {.kind = WELD_TK_OPTION, .u.option = &T_LIST_U8};
static const weld_tnode T_OPT_STR = {.kind = WELD_TK_OPTION, .u.option = &T_STRING};
static const weld_tnode T_OPT_U32 = {.kind = WELD_TK_OPTION, .u.option = &T_U32};
/* record { name: string, data: option<list<u8>> } and a list of them */
static const weld_tfield F_ENT[] = {{S("name"), &T_STRING}, {S("data"), &T_OPT_LU8}};
static const weld_tnode T_ENT = {.kind = WELD_TK_RECORD, .u.record = {2, F_ENT}};
static const weld_tnode T_LIST_ENT = {.kind = WELD_TK_LIST, .u.list = {&T_ENT, 0}};
/* variant { a(u8), b(f32), c(u64), d } */
static const weld_tfield C_V[] = {{S("a"), &T_U8}, {S("b"), &T_F32}, {S("c"), &T_U64}, {S("d"), NULL}};
static const weld_tnode T_VAR = {.kind = WELD_TK_VARIANT, .u.variant = {4, C_V}};
/* variant { x(f32), y(f32) }, variant { x(f32), y(u32) }, variant { x(f64), y(f32) } */
static const weld_tfield C_FF[] = {{S("x"), &T_F32}, {S("y"), &T_F32}};
static const weld_tnode T_VFF = {.kind = WELD_TK_VARIANT, .u.variant = {2, C_FF}};
static const weld_tfield C_FI[] = {{S("x"), &T_F32}, {S("y"), &T_U32}};
static const weld_tnode T_VFI = {.kind = WELD_TK_VARIANT, .u.variant = {2, C_FI}};
static const weld_tfield C_DF[] = {{S("x"), &T_F64}, {S("y"), &T_F32}};
static const weld_tnode T_VDF = {.kind = WELD_TK_VARIANT, .u.variant = {2, C_DF}};
/* variant { p, q(u8), r } (3 cases) */
static const weld_tfield C_3[] = {{S("p"), NULL}, {S("q"), &T_U8}, {S("r"), NULL}};
static const weld_tnode T_VAR3 = {.kind = WELD_TK_VARIANT, .u.variant = {3, C_3}};
static const weld_tnode T_RES = {.kind = WELD_TK_RESULT, .u.result = {&T_U64, &T_STRING}};
static const weld_tnode T_RES_EMPTY = {.kind = WELD_TK_RESULT, .u.result = {NULL, NULL}};
static const weld_str L9[] = {S("a"), S("b"), S("c"), S("d"), S("e"), S("f"), S("g"), S("h"), S("i")};
static const weld_str L40[40];
static const weld_tnode T_FLAGS0 = {.kind = WELD_TK_FLAGS, .u.labels = {0, L9}};
static const weld_tnode T_FLAGS4 = {.kind = WELD_TK_FLAGS, .u.labels = {4, L9}};
static const weld_tnode T_FLAGS8 = {.kind = WELD_TK_FLAGS, .u.labels = {8, L9}};
static const weld_tnode T_FLAGS9 = {.kind = WELD_TK_FLAGS, .u.labels = {9, L9}};
static const weld_tnode T_FLAGS17 = {.kind = WELD_TK_FLAGS, .u.labels = {17, L40}};
static const weld_tnode T_FLAGS32 = {.kind = WELD_TK_FLAGS, .u.labels = {32, L40}};
static const weld_tnode T_ENUM3 = {.kind = WELD_TK_ENUM, .u.labels = {3, L9}};
static const weld_str L300[300];
static const weld_tnode T_ENUM300 = {.kind = WELD_TK_ENUM, .u.labels = {300, L300}};
static const weld_tnode *const TU_SU64[] = {&T_STRING, &T_U64};
static const weld_tnode T_TUP = {.kind = WELD_TK_TUPLE, .u.tuple = {2, TU_SU64}};
static const weld_tnode *const TU_EMPTY[1];
static const weld_tnode T_TUP0 = {.kind = WELD_TK_TUPLE, .u.tuple = {0, TU_EMPTY}};

/* resources: `file` and `dir`, and for the second instance its own node of `file` */
static const weld_tnode R_FILE = {.kind = WELD_TK_RESOURCE, .u.resource = {.name = S("file")}};
static const weld_tnode R_FILE_B = {.kind = WELD_TK_RESOURCE, .u.resource = {.name = S("file")}};
static const weld_tnode R_DIR = {.kind = WELD_TK_RESOURCE, .u.resource = {.name = S("dir")}};
static const weld_tnode T_OWN_FILE = {.kind = WELD_TK_OWN, .u.handle = &R_FILE};
static const weld_tnode T_BORROW_FILE = {.kind = WELD_TK_BORROW, .u.handle = &R_FILE};
static const weld_tnode T_OWN_FILE_B = {.kind = WELD_TK_OWN, .u.handle = &R_FILE_B};
static const weld_tnode T_BORROW_FILE_B = {.kind = WELD_TK_BORROW, .u.handle = &R_FILE_B};
static const weld_tnode T_OWN_DIR = {.kind = WELD_TK_OWN, .u.handle = &R_DIR};

/* function types */
#define FUNC1(name, pt, rt)                                                                   \
    static const weld_tfield name##_P[] = {{S("p"), pt}};                                     \
    static const weld_tnode name = {.kind = WELD_TK_FUNC, .u.func = {1, name##_P, rt, false}}
#define FUNC0(name, rt)                                                                       \
    static const weld_tnode name = {.kind = WELD_TK_FUNC, .u.func = {0, NULL, rt, false}}

/* ---- the simulated guests -------------------------------------------------------------- */

enum { RA_OK, RA_TRAP, RA_MISALIGN, RA_OOB, RA_GROW };

typedef struct side {
    weld_rt_engine *e;
    weld_rt_memory *mem;
    weld_rt_func *realloc;
    crt_inst *inst;
    canon_opts o;
    canon_cx cx;
    uint32_t bump;
    int mode;
    uint32_t calls;
    uint32_t log[64][4];
} side;

typedef struct env {
    weld_crt *rt;
    crt_scope scope;
    side a, b;
    weld_crt_resource_type *file, *dir;
} env;

/* realloc(old_ptr, old_size, align, new_size): a bump allocator; shrinking stays in place,
 * growing moves and copies. */
static weld_status bump_realloc(void *ctx, weld_rt_host_call *call, const uint64_t *a, uint64_t *r)
{
    side *s = ctx;
    uint32_t op = (uint32_t)a[0], os = (uint32_t)a[1], al = (uint32_t)a[2], ns = (uint32_t)a[3];
    if (s->calls < 64) {
        s->log[s->calls][0] = op;
        s->log[s->calls][1] = os;
        s->log[s->calls][2] = al;
        s->log[s->calls][3] = ns;
    }
    s->calls++;
    if (s->mode == RA_TRAP) {
        weld_rt_trap(call, "realloc: out of memory (test)");
        return WELD_ERR_TRAP;
    }
    if (s->mode == RA_GROW) rt_memory_grow(s->e, s->mem, 1); /* moves the memory's bytes */
    if (op && ns <= os) {
        r[0] = op;
        return WELD_OK;
    }
    uint32_t p = (s->bump + al - 1) & ~(al - 1);
    s->bump = p + ns;
    if (op) memmove(s->mem->data + p, s->mem->data + op, os < ns ? os : ns);
    if (s->mode == RA_MISALIGN) p += 1;
    if (s->mode == RA_OOB) p = (uint32_t)s->mem->size - 2;
    r[0] = p;
    return WELD_OK;
}

static void side_init(env *e, side *s, uint8_t enc)
{
    static const weld_valtype i4[4] = {WELD_I32, WELD_I32, WELD_I32, WELD_I32}, i1[1] = {WELD_I32};
    static const weld_functype ft = {4, 1, i4, i1};
    weld_limits lim = {WELD_LIMITS_HAS_MAX, 1, 100};
    s->e = crt_engine(e->rt);
    s->mem = weld_rt_memory_new(s->e, &lim);
    assert_non_null(s->mem);
    s->realloc = weld_rt_func_new_host(s->e, &ft, bump_realloc, s);
    assert_non_null(s->realloc);
    s->inst = calloc(1, sizeof *s->inst);
    assert_non_null(s->inst);
    s->inst->rt = e->rt;
    s->inst->may_enter = s->inst->may_leave = true;
    s->o = (canon_opts){s->inst, s->mem, s->realloc, NULL, enc};
    s->cx = (canon_cx){e->rt, &s->o, &e->scope, false};
    s->bump = 1024;
}

static void side_free(side *s)
{
    crt_table_free(&s->inst->table);
    pmap_free(&s->inst->resources);
    free(s->inst);
}

static int setup(void **state)
{
    env *e = calloc(1, sizeof *e);
    assert_non_null(e);
    e->rt = weld_crt_new(NULL);
    assert_non_null(e->rt);
    side_init(e, &e->a, CANON_UTF8);
    side_init(e, &e->b, CANON_UTF8);
    e->b.cx.callee = true;
    e->scope.inst = e->b.inst;
    e->file = weld_crt_resource_type_new(e->rt, "file", NULL, NULL);
    e->dir = weld_crt_resource_type_new(e->rt, "dir", NULL, NULL);
    assert_true(pmap_put(&e->a.inst->resources, &R_FILE, e->file));
    assert_true(pmap_put(&e->a.inst->resources, &R_DIR, e->dir));
    assert_true(pmap_put(&e->b.inst->resources, &R_FILE_B, e->file));
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    side_free(&e->a);
    side_free(&e->b);
    free(e->scope.lenders);
    weld_crt_free(e->rt);
    free(e);
    return 0;
}

static const char *trapmsg(env *e) { return e->rt->trap; }

/* ---- cval helpers ---------------------------------------------------------------------- */

static weld_cval cv_u(uint64_t x)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.u = x;
    return v;
}

static weld_cval cv_s(int64_t x)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.s = x;
    return v;
}

static weld_cval cv_items(weld_cval *items, uint32_t n)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.list.items = items;
    v.u.list.count = n;
    return v;
}

static weld_cval cv_bytes(void *b, uint32_t n)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.list.bytes = b;
    v.u.list.count = n;
    return v;
}

static weld_cval cv_var(uint32_t tag, weld_cval *payload)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.var.tag = tag;
    v.u.var.payload = payload;
    return v;
}

static weld_cval cv_str(const char *s)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.str.ptr = (char *)s;
    v.u.str.len = (uint32_t)strlen(s);
    return v;
}

/* Deep equality of two values of type t. */
static bool cv_eq(const weld_tnode *t0, const weld_cval *a, const weld_cval *b)
{
    const weld_tnode *t = weld_tnode_strip(t0);
    switch (t->kind) {
    case WELD_TK_PRIM:
        switch (t->u.prim) {
        case WELD_CV_BOOL: return a->u.b == b->u.b;
        case WELD_CV_S8:
        case WELD_CV_S16:
        case WELD_CV_S32:
        case WELD_CV_S64: return a->u.s == b->u.s;
        case WELD_CV_F32: return memcmp(&a->u.f32, &b->u.f32, 4) == 0;
        case WELD_CV_F64: return memcmp(&a->u.f64, &b->u.f64, 8) == 0;
        case WELD_CV_CHAR: return a->u.c == b->u.c;
        case WELD_CV_STRING:
            return a->u.str.len == b->u.str.len &&
                   memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0;
        default: return a->u.u == b->u.u;
        }
    case WELD_TK_RECORD:
    case WELD_TK_TUPLE: {
        uint32_t n = t->kind == WELD_TK_RECORD ? t->u.record.count : t->u.tuple.count;
        if (a->u.list.count != n || b->u.list.count != n) return false;
        for (uint32_t i = 0; i < n; i++) {
            const weld_tnode *ft = t->kind == WELD_TK_RECORD ? t->u.record.fields[i].type : t->u.tuple.types[i];
            if (!cv_eq(ft, &a->u.list.items[i], &b->u.list.items[i])) return false;
        }
        return true;
    }
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST: {
        if (a->u.list.count != b->u.list.count) return false;
        uint32_t esz = weld_cval_list_packed(t->u.list.elem);
        if (esz) return !a->u.list.count || memcmp(a->u.list.bytes, b->u.list.bytes, (size_t)esz * a->u.list.count) == 0;
        for (uint32_t i = 0; i < a->u.list.count; i++)
            if (!cv_eq(t->u.list.elem, &a->u.list.items[i], &b->u.list.items[i])) return false;
        return true;
    }
    case WELD_TK_FLAGS: return a->u.flags == b->u.flags;
    case WELD_TK_ENUM: return a->u.var.tag == b->u.var.tag;
    case WELD_TK_VARIANT:
    case WELD_TK_OPTION:
    case WELD_TK_RESULT: {
        if (a->u.var.tag != b->u.var.tag) return false;
        const weld_tnode *ct = t->kind == WELD_TK_VARIANT ? t->u.variant.cases[a->u.var.tag].type
                               : t->kind == WELD_TK_OPTION ? (a->u.var.tag ? t->u.option : NULL)
                               : a->u.var.tag ? t->u.result.err : t->u.result.ok;
        if (!ct) return true;
        return cv_eq(ct, a->u.var.payload, b->u.var.payload);
    }
    case WELD_TK_OWN:
    case WELD_TK_BORROW: return a->u.res.rep == b->u.res.rep;
    default: return false;
    }
}

/* host -> guest -> host through the flat form: lower as arguments of a lifted function,
 * lift as arguments of a lowered import. */
static weld_status round_flat(side *s, const weld_tnode *ft, const weld_cval *args, weld_cval *out,
                              uint64_t *core)
{
    weld_status st = canon_lower_params(&s->cx, ft, args, core);
    if (st) return st;
    return canon_lift_params(&s->cx, ft, core, out);
}

/* host -> memory -> host through a spilled result: lower the result through a return
 * pointer, lift it from the pointer the callee returns. */
static weld_status round_mem(side *s, const weld_tnode *ft, const weld_cval *v, weld_cval *out)
{
    const canon_layout *l = canon_layout_of(crt_layouts(s->cx.rt), ft->u.func.result);
    assert_non_null(l);
    uint32_t area = (s->bump + 7) & ~7u;
    s->bump = area + l->size;
    uint64_t core_args[2] = {area, area}, res[1] = {0};
    canon_sig sig;
    assert_int_equal(canon_sig_of(crt_layouts(s->cx.rt), ft, true, &sig), WELD_OK);
    assert_true(sig.results_spilled);
    weld_status st = canon_lower_result(&s->cx, ft, v, core_args, res);
    if (st) return st;
    uint64_t lifted[1] = {area};
    return canon_lift_result(&s->cx, ft, lifted, out);
}

/* ---- layout ---------------------------------------------------------------------------- */

static void expect_layout(env *e, const weld_tnode *t, uint32_t size, uint32_t align, const char *flat,
                          bool pure)
{
    const canon_layout *l = canon_layout_of(crt_layouts(e->rt), t);
    assert_non_null(l);
    assert_int_equal(l->size, size);
    assert_int_equal(l->align, align);
    char got[CANON_LAYOUT_MAX_FLAT + 1];
    for (uint32_t i = 0; i < l->nflat; i++)
        got[i] = l->flat[i] == WELD_I32 ? 'i' : l->flat[i] == WELD_I64 ? 'I' : l->flat[i] == WELD_F32 ? 'f' : 'F';
    got[l->nflat] = 0;
    assert_string_equal(got, flat);
    assert_int_equal(l->pure, pure);
    assert_false(l->over);
}

static void test_layout_prims(void **state)
{
    env *e = *state;
    expect_layout(e, &T_BOOL, 1, 1, "i", false);
    expect_layout(e, &T_S8, 1, 1, "i", true);
    expect_layout(e, &T_U8, 1, 1, "i", true);
    expect_layout(e, &T_S16, 2, 2, "i", true);
    expect_layout(e, &T_U16, 2, 2, "i", true);
    expect_layout(e, &T_S32, 4, 4, "i", true);
    expect_layout(e, &T_U32, 4, 4, "i", true);
    expect_layout(e, &T_S64, 8, 8, "I", true);
    expect_layout(e, &T_U64, 8, 8, "I", true);
    expect_layout(e, &T_F32, 4, 4, "f", true);
    expect_layout(e, &T_F64, 8, 8, "F", true);
    expect_layout(e, &T_CHAR, 4, 4, "i", false);
    expect_layout(e, &T_STRING, 8, 4, "ii", false);
    /* an alias has the layout of what it names, and the same cached node */
    expect_layout(e, &T_U32_ALIAS, 4, 4, "i", true);
    assert_ptr_equal(canon_layout_of(crt_layouts(e->rt), &T_U32_ALIAS),
                     canon_layout_of(crt_layouts(e->rt), &T_U32));
}

static void test_layout_compound(void **state)
{
    env *e = *state;
    /* u8 @0, u32 @4, u8 @8, u64 @16: 24 bytes, align 8 */
    expect_layout(e, &T_MIX, 24, 8, "iiiI", true);
    const canon_layout *l = canon_layout_of(crt_layouts(e->rt), &T_MIX);
    assert_int_equal(l->offs[0], 0);
    assert_int_equal(l->offs[1], 4);
    assert_int_equal(l->offs[2], 8);
    assert_int_equal(l->offs[3], 16);
    expect_layout(e, &T_PT, 8, 4, "ii", true);
    expect_layout(e, &T_BREC, 4, 2, "ii", false);
    expect_layout(e, &T_TUP, 16, 8, "iiI", false);
    expect_layout(e, &T_TUP0, 0, 1, "", true);
    expect_layout(e, &T_LIST_U8, 8, 4, "ii", false);
    expect_layout(e, &T_LIST_PT, 8, 4, "ii", false);
    expect_layout(e, &T_FIX_U16, 6, 2, "iii", true);
    expect_layout(e, &T_FIX_STR, 16, 4, "iiii", false);
    /* flags: 0 labels nothing, <= 8: u8, <= 16: u16, <= 32: u32 */
    expect_layout(e, &T_FLAGS0, 0, 1, "", false);
    expect_layout(e, &T_FLAGS4, 1, 1, "i", false);
    expect_layout(e, &T_FLAGS8, 1, 1, "i", false);
    expect_layout(e, &T_FLAGS9, 2, 2, "i", false);
    expect_layout(e, &T_FLAGS17, 4, 4, "i", false);
    expect_layout(e, &T_FLAGS32, 4, 4, "i", false);
    /* enums: the discriminant only (u8 up to 256 cases, then u16) */
    expect_layout(e, &T_ENUM3, 1, 1, "i", false);
    expect_layout(e, &T_ENUM300, 2, 2, "i", false);
    /* variant { a(u8), b(f32), c(u64), d }: u8 disc, payload at 8, 16 bytes; payload
     * flat join(i32, f32, i64) = i64 */
    expect_layout(e, &T_VAR, 16, 8, "iI", false);
    l = canon_layout_of(crt_layouts(e->rt), &T_VAR);
    assert_int_equal(l->disc_size, 1);
    assert_int_equal(l->payload_off, 8);
    expect_layout(e, &T_VFF, 8, 4, "if", false); /* join(f32, f32) = f32 */
    expect_layout(e, &T_VFI, 8, 4, "ii", false); /* join(f32, i32) = i32 */
    expect_layout(e, &T_VDF, 16, 8, "iI", false); /* join(f64, f32) = i64 */
    expect_layout(e, &T_VAR3, 2, 1, "ii", false);
    /* option<string>: disc, payload at 4, 12 bytes */
    expect_layout(e, &T_OPT_STR, 12, 4, "iii", false);
    /* result<u64, string>: payload at 8; flat [i32, join(i64, i32), i32] */
    expect_layout(e, &T_RES, 16, 8, "iIi", false);
    expect_layout(e, &T_RES_EMPTY, 1, 1, "i", false);
    expect_layout(e, &T_ENT, 20, 4, "iiiii", false);
    expect_layout(e, &T_OWN_FILE, 4, 4, "i", false);
    expect_layout(e, &T_BORROW_FILE, 4, 4, "i", false);
}

/* a record of 70 u8: 70 flat values, past the layout's array */
static weld_tfield F70[70];
static void test_layout_over(void **state)
{
    env *e = *state;
    for (int i = 0; i < 70; i++) F70[i] = (weld_tfield){S("f"), &T_U8};
    weld_tnode t = {.kind = WELD_TK_RECORD, .u.record = {70, F70}};
    const canon_layout *l = canon_layout_of(crt_layouts(e->rt), &t);
    assert_non_null(l);
    assert_int_equal(l->size, 70);
    assert_int_equal(l->nflat, CANON_LAYOUT_MAX_FLAT);
    assert_true(l->over);
    weld_tfield p[1] = {{S("r"), &t}};
    weld_tnode ft = {.kind = WELD_TK_FUNC, .u.func = {1, p, &t, false}};
    canon_sig sig;
    assert_int_equal(canon_sig_of(crt_layouts(e->rt), &ft, false, &sig), WELD_OK);
    assert_true(sig.params_spilled);
    assert_true(sig.results_spilled);
    assert_int_equal(sig.nparams, 1);
    assert_int_equal(sig.nresults, 1);
}

/* 16 u32: not spilled; 17: spilled */
static weld_tfield P16[16], P17[17];
static void test_sig(void **state)
{
    env *e = *state;
    canon_layouts *c = crt_layouts(e->rt);
    for (int i = 0; i < 17; i++) {
        if (i < 16) P16[i] = (weld_tfield){S("p"), &T_U32};
        P17[i] = (weld_tfield){S("p"), &T_U32};
    }
    weld_tnode f16 = {.kind = WELD_TK_FUNC, .u.func = {16, P16, &T_U32, false}};
    weld_tnode f17 = {.kind = WELD_TK_FUNC, .u.func = {17, P17, &T_STRING, false}};
    canon_sig s;
    assert_int_equal(canon_sig_of(c, &f16, false, &s), WELD_OK);
    assert_int_equal(s.nparams, 16);
    assert_false(s.params_spilled);
    assert_int_equal(s.nresults, 1);
    assert_int_equal(s.results[0], WELD_I32);
    assert_false(s.results_spilled);
    assert_int_equal(canon_sig_of(c, &f16, true, &s), WELD_OK);
    assert_int_equal(s.nparams, 16);
    assert_int_equal(s.nresults, 1);
    /* lift: params through a pointer, the result pointer returned */
    assert_int_equal(canon_sig_of(c, &f17, false, &s), WELD_OK);
    assert_true(s.params_spilled && s.results_spilled);
    assert_int_equal(s.nparams, 1);
    assert_int_equal(s.params[0], WELD_I32);
    assert_int_equal(s.nresults, 1);
    assert_int_equal(s.results[0], WELD_I32);
    /* lower: params through a pointer, then the return pointer */
    assert_int_equal(canon_sig_of(c, &f17, true, &s), WELD_OK);
    assert_int_equal(s.nparams, 2);
    assert_int_equal(s.nresults, 0);
    /* (f64, string) -> u64: lift [f64 i32 i32] -> [i64] */
    static const weld_tfield pp[] = {{S("a"), &T_F64}, {S("b"), &T_STRING}};
    weld_tnode f = {.kind = WELD_TK_FUNC, .u.func = {2, pp, &T_U64, false}};
    assert_int_equal(canon_sig_of(c, &f, false, &s), WELD_OK);
    assert_int_equal(s.nparams, 3);
    assert_int_equal(s.params[0], WELD_F64);
    assert_int_equal(s.params[1], WELD_I32);
    assert_int_equal(s.results[0], WELD_I64);
    /* no result */
    weld_tnode f0 = {.kind = WELD_TK_FUNC, .u.func = {0, NULL, NULL, false}};
    assert_int_equal(canon_sig_of(c, &f0, true, &s), WELD_OK);
    assert_int_equal(s.nparams + s.nresults, 0);
    /* not a function */
    assert_int_equal(canon_sig_of(c, &T_U32, true, &s), WELD_ERR_USAGE);
}

/* ---- values, tables ------------------------------------------------------------------ */

static void test_cval_helpers(void **state)
{
    (void)state;
    assert_ptr_equal(weld_tnode_strip(&T_U32_ALIAS), &T_U32);
    assert_ptr_equal(weld_tnode_strip(&T_U8), &T_U8);
    assert_int_equal(weld_cval_list_packed(&T_U8), 1);
    assert_int_equal(weld_cval_list_packed(&T_S16), 2);
    assert_int_equal(weld_cval_list_packed(&T_F32), 4);
    assert_int_equal(weld_cval_list_packed(&T_U32_ALIAS), 4);
    assert_int_equal(weld_cval_list_packed(&T_F64), 8);
    assert_int_equal(weld_cval_list_packed(&T_BOOL), 0);
    assert_int_equal(weld_cval_list_packed(&T_CHAR), 0);
    assert_int_equal(weld_cval_list_packed(&T_PT), 0);

    weld_cval s = weld_cval_string("héllo");
    assert_non_null(s.u.str.ptr);
    assert_int_equal(s.u.str.len, 6);
    assert_non_null(s.type);
    weld_cval s2 = weld_cval_string_n("a\0b", 3);
    assert_int_equal(s2.u.str.len, 3);
    assert_int_equal(s2.u.str.ptr[2], 'b');
    assert_int_equal(s2.u.str.ptr[3], 0);

    /* a nested value with types set: list<record{string, option<list<u8>>}> */
    uint8_t bytes[3] = {1, 2, 3};
    weld_cval *items = calloc(2, sizeof *items);
    for (int i = 0; i < 2; i++) {
        weld_cval *f = calloc(2, sizeof *f);
        f[0] = weld_cval_string(i ? "second" : "first");
        f[0].type = &T_STRING;
        f[1].type = &T_OPT_LU8;
        f[1].u.var.tag = (uint32_t)i;
        if (i) {
            weld_cval *p = calloc(1, sizeof *p);
            p->type = &T_LIST_U8;
            p->u.list.bytes = malloc(3);
            memcpy(p->u.list.bytes, bytes, 3);
            p->u.list.count = 3;
            f[1].u.var.payload = p;
        }
        items[i].type = &T_ENT;
        items[i].u.list.items = f;
        items[i].u.list.count = 2;
    }
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.type = &T_LIST_ENT;
    v.u.list.items = items;
    v.u.list.count = 2;
    weld_cval c;
    assert_int_equal(weld_cval_copy(&c, &v), WELD_OK);
    assert_true(cv_eq(&T_LIST_ENT, &c, &v));
    assert_ptr_not_equal(c.u.list.items, v.u.list.items);
    assert_ptr_not_equal(c.u.list.items[1].u.list.items[1].u.var.payload->u.list.bytes,
                         v.u.list.items[1].u.list.items[1].u.var.payload->u.list.bytes);
    weld_cval_free(&v);
    assert_null(v.u.list.items); /* zeroed */
    assert_string_equal(c.u.list.items[1].u.list.items[0].u.str.ptr, "second");
    weld_cval_free(&c);
    weld_cval_free(&s);
    weld_cval_free(&s2);
    weld_cval_free(NULL);

    /* a host-built tree (types NULL, children malloc'd) freed by the type of its position:
     * list<record{string, option<list<u8>>}> (LeakSanitizer checks it is all released) */
    weld_cval h;
    memset(&h, 0, sizeof h);
    h.u.list.count = 2;
    h.u.list.items = calloc(2, sizeof(weld_cval));
    for (int i = 0; i < 2; i++) {
        weld_cval *f = calloc(2, sizeof *f);
        f[0].u.str.ptr = strdup("name");
        f[0].u.str.len = 4;
        f[1].u.var.tag = 1;
        f[1].u.var.payload = calloc(1, sizeof(weld_cval));
        f[1].u.var.payload->u.list.bytes = malloc(8);
        f[1].u.var.payload->u.list.count = 8;
        h.u.list.items[i].u.list.items = f;
        h.u.list.items[i].u.list.count = 2;
    }
    canon_cval_free_as(&h, &T_LIST_ENT);
    assert_null(h.u.list.items);
    weld_cval r;
    memset(&r, 0, sizeof r);
    r.u.var.tag = 1;
    r.u.var.payload = calloc(1, sizeof(weld_cval));
    r.u.var.payload->u.str.ptr = strdup("err");
    canon_cval_free_as(&r, &T_RES);
    canon_cval_free_as(NULL, &T_RES);
}

static void test_table(void **state)
{
    (void)state;
    crt_table t;
    memset(&t, 0, sizeof t);
    assert_null(crt_table_get(&t, 0));
    assert_null(crt_table_get(&t, 1));
    crt_handle h;
    memset(&h, 0, sizeof h);
    h.own = true;
    uint32_t idx[40];
    for (uint32_t i = 0; i < 40; i++) {
        h.rep = 100 + i;
        idx[i] = crt_table_add(&t, h);
        assert_int_equal(idx[i], i + 1); /* index 0 never used */
    }
    assert_int_equal(crt_table_get(&t, 7)->rep, 106);
    assert_true(crt_table_get(&t, 7)->used);
    crt_table_remove(&t, 7);
    crt_table_remove(&t, 20);
    crt_table_remove(&t, 20); /* twice: nothing */
    assert_null(crt_table_get(&t, 7));
    assert_null(crt_table_get(&t, 20));
    assert_null(crt_table_get(&t, 41));
    /* freed slots are reused, the last freed first */
    h.rep = 500;
    assert_int_equal(crt_table_add(&t, h), 20);
    assert_int_equal(crt_table_add(&t, h), 7);
    assert_int_equal(crt_table_add(&t, h), 41);
    assert_int_equal(crt_table_get(&t, 7)->rep, 500);

    /* lenders: lends rise while the call runs, fall at its end */
    crt_scope s;
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 5; i++) assert_true(crt_scope_add_lender(&s, &t, 3));
    assert_true(crt_scope_add_lender(&s, &t, 4));
    assert_false(crt_scope_add_lender(&s, &t, 99));
    assert_int_equal(crt_table_get(&t, 3)->lends, 5);
    assert_null(crt_scope_end(&s));
    assert_int_equal(crt_table_get(&t, 3)->lends, 0);
    assert_int_equal(crt_table_get(&t, 4)->lends, 0);
    assert_int_equal(s.nlenders, 0);
    s.borrow_count = 2;
    const char *m = crt_scope_end(&s);
    assert_non_null(m);
    assert_non_null(strstr(m, "borrow handle(s) still held at the end of the call"));
    crt_table_free(&t);
}

/* ---- round trips ------------------------------------------------------------------------ */

FUNC1(F_BOOL, &T_BOOL, NULL);
FUNC1(F_S8, &T_S8, NULL);
FUNC1(F_U8, &T_U8, NULL);
FUNC1(F_F32, &T_F32, NULL);
FUNC1(F_F64, &T_F64, NULL);
FUNC1(F_CHAR, &T_CHAR, NULL);
FUNC1(F_VAR, &T_VAR, NULL);
FUNC1(F_VFF, &T_VFF, NULL);

/* every scalar through flat values */
static void test_scalars_flat(void **state)
{
    env *e = *state;
    side *s = &e->a;
    static const weld_tfield ps[] = {{S("a"), &T_BOOL}, {S("b"), &T_S8}, {S("c"), &T_U8}, {S("d"), &T_S16},
                                     {S("e"), &T_U16},  {S("f"), &T_S32}, {S("g"), &T_U32}, {S("h"), &T_S64},
                                     {S("i"), &T_U64},  {S("j"), &T_F32}, {S("k"), &T_F64}, {S("l"), &T_CHAR}};
    weld_tnode ft = {.kind = WELD_TK_FUNC, .u.func = {12, ps, NULL, false}};
    weld_cval args[12], out[12];
    memset(args, 0, sizeof args);
    args[0].u.b = true;
    args[1] = cv_s(-128);
    args[2] = cv_u(255);
    args[3] = cv_s(-32768);
    args[4] = cv_u(65535);
    args[5] = cv_s(INT32_MIN);
    args[6] = cv_u(UINT32_MAX);
    args[7] = cv_s(INT64_MIN);
    args[8] = cv_u(UINT64_MAX);
    args[9].u.f32 = -1.5f;
    args[10].u.f64 = 3.25;
    args[11].u.c = 0x1F600;
    uint64_t core[16];
    assert_int_equal(round_flat(s, &ft, args, out, core), WELD_OK);
    /* core values: i32 two's complement in the low 32 bits */
    assert_int_equal(core[0], 1);
    assert_int_equal(core[1], 0xFFFFFF80u);
    assert_int_equal(core[2], 255);
    assert_int_equal(core[3], 0xFFFF8000u);
    assert_int_equal(core[5], 0x80000000u);
    assert_int_equal(core[7], 0x8000000000000000ull);
    assert_int_equal(core[9], 0xBFC00000u);
    assert_int_equal(core[11], 0x1F600);
    for (int i = 0; i < 12; i++) {
        assert_ptr_equal(out[i].type, ps[i].type);
        assert_true(cv_eq(ps[i].type, &args[i], &out[i]));
        weld_cval_free(&out[i]);
    }
}

/* lifting wraps integers to their width, makes nonzero true, canonicalizes NaNs */
static void test_lift_rules(void **state)
{
    env *e = *state;
    canon_cx *cx = &e->a.cx;
    weld_cval v;
    uint64_t c = 2;
    assert_int_equal(canon_lift_params(cx, &F_BOOL, &c, &v), WELD_OK);
    assert_true(v.u.b);
    c = 0x1FF;
    assert_int_equal(canon_lift_params(cx, &F_U8, &c, &v), WELD_OK);
    assert_int_equal(v.u.u, 0xFF);
    c = 0x180;
    assert_int_equal(canon_lift_params(cx, &F_S8, &c, &v), WELD_OK);
    assert_int_equal(v.u.s, -128);
    c = 0x7FA00001; /* a signalling NaN with a payload */
    assert_int_equal(canon_lift_params(cx, &F_F32, &c, &v), WELD_OK);
    uint32_t b32;
    memcpy(&b32, &v.u.f32, 4);
    assert_int_equal(b32, 0x7FC00000);
    c = 0xFFF0000000000001ull;
    assert_int_equal(canon_lift_params(cx, &F_F64, &c, &v), WELD_OK);
    uint64_t b64;
    memcpy(&b64, &v.u.f64, 8);
    assert_int_equal(b64, 0x7FF8000000000000ull);
    /* NaNs in a packed list<f32> / list<f64> too */
    static const weld_tnode lf32 = {.kind = WELD_TK_LIST, .u.list = {&T_F32, 0}};
    static const weld_tnode lf64 = {.kind = WELD_TK_LIST, .u.list = {&T_F64, 0}};
    FUNC1(F_LF32, &lf32, NULL);
    FUNC1(F_LF64, &lf64, NULL);
    uint32_t f32s[3] = {0x3F800000u, 0xFFC00001u, 0x7F800000u}; /* 1.0, a NaN, +inf */
    memcpy(e->a.mem->data + 512, f32s, sizeof f32s);
    uint64_t lc[2] = {512, 3};
    assert_int_equal(canon_lift_params(cx, &F_LF32, lc, &v), WELD_OK);
    uint32_t got[3];
    memcpy(got, v.u.list.bytes, sizeof got);
    assert_int_equal(got[0], 0x3F800000u);
    assert_int_equal(got[1], 0x7FC00000u);
    assert_int_equal(got[2], 0x7F800000u);
    weld_cval_free(&v);
    uint64_t f64s[2] = {0x7FF0000000000001ull, 0x4000000000000000ull};
    memcpy(e->a.mem->data + 512, f64s, sizeof f64s);
    lc[1] = 2;
    assert_int_equal(canon_lift_params(cx, &F_LF64, lc, &v), WELD_OK);
    uint64_t g64[2];
    memcpy(g64, v.u.list.bytes, sizeof g64);
    assert_int_equal(g64[0], 0x7FF8000000000000ull);
    assert_int_equal(g64[1], 0x4000000000000000ull);
    weld_cval_free(&v);
    c = 0x10FFFF;
    assert_int_equal(canon_lift_params(cx, &F_CHAR, &c, &v), WELD_OK);
    assert_int_equal(v.u.c, 0x10FFFF);
}

/* variants with joined flat payloads */
static void test_variant_flat(void **state)
{
    env *e = *state;
    canon_cx *cx = &e->a.cx;
    uint64_t core[2];
    weld_cval p, v, out;
    /* b(1.5): an f32 in the i64 slot (its bits, zero-extended) */
    memset(&p, 0, sizeof p);
    p.u.f32 = 1.5f;
    v = cv_var(1, &p);
    assert_int_equal(canon_lower_params(cx, &F_VAR, &v, core), WELD_OK);
    assert_int_equal(core[0], 1);
    assert_int_equal(core[1], 0x3FC00000u);
    assert_int_equal(canon_lift_params(cx, &F_VAR, core, &out), WELD_OK);
    assert_int_equal(out.u.var.tag, 1);
    assert_true(out.u.var.payload->u.f32 == 1.5f);
    weld_cval_free(&out);
    /* c(2^32 + 2) */
    p = cv_u(0x100000002ull);
    v = cv_var(2, &p);
    assert_int_equal(canon_lower_params(cx, &F_VAR, &v, core), WELD_OK);
    assert_int_equal(core[1], 0x100000002ull);
    assert_int_equal(canon_lift_params(cx, &F_VAR, core, &out), WELD_OK);
    assert_int_equal(out.u.var.payload->u.u, 0x100000002ull);
    weld_cval_free(&out);
    /* d: no payload, the slot zeroed */
    v = cv_var(3, NULL);
    core[1] = 77;
    assert_int_equal(canon_lower_params(cx, &F_VAR, &v, core), WELD_OK);
    assert_int_equal(core[0], 3);
    assert_int_equal(core[1], 0);
    /* a(u8) from an i64 slot: wrapped to i32, then to u8 */
    core[0] = 0;
    core[1] = 0xFFFFFFFF00000107ull;
    assert_int_equal(canon_lift_params(cx, &F_VAR, core, &out), WELD_OK);
    assert_int_equal(out.u.var.tag, 0);
    assert_int_equal(out.u.var.payload->u.u, 7);
    weld_cval_free(&out);
    /* a variant whose case fills fewer slots than the variant, followed by a parameter:
     * result<u64, string> then u32 is [i32 i64 i32] [i32] */
    static const weld_tfield pr[] = {{S("r"), &T_RES}, {S("x"), &T_U32}};
    weld_tnode fr = {.kind = WELD_TK_FUNC, .u.func = {2, pr, NULL, false}};
    weld_cval okv = cv_u(5), two[2] = {cv_var(0, &okv), cv_u(9)}, back[2];
    uint64_t c4[4] = {1, 1, 1, 1};
    assert_int_equal(canon_lower_params(cx, &fr, two, c4), WELD_OK);
    assert_int_equal(c4[0], 0);
    assert_int_equal(c4[1], 5);
    assert_int_equal(c4[2], 0); /* the unused slot zeroed */
    assert_int_equal(c4[3], 9);
    assert_int_equal(canon_lift_params(cx, &fr, c4, back), WELD_OK);
    assert_int_equal(back[0].u.var.payload->u.u, 5);
    assert_int_equal(back[1].u.u, 9);
    weld_cval_free(&back[0]);
    uint64_t to4[4];
    assert_int_equal(canon_transfer_params(cx, &fr, &e->b.cx, &fr, c4, to4), WELD_OK);
    assert_memory_equal(to4, c4, sizeof c4);
    /* variant { x(f32), y(f32) }: an f32 slot */
    memset(&p, 0, sizeof p);
    p.u.f32 = -2.0f;
    v = cv_var(1, &p);
    assert_int_equal(canon_lower_params(cx, &F_VFF, &v, core), WELD_OK);
    assert_int_equal(core[1], 0xC0000000u);
    assert_int_equal(canon_lift_params(cx, &F_VFF, core, &out), WELD_OK);
    assert_true(out.u.var.payload->u.f32 == -2.0f);
    weld_cval_free(&out);
}

/* 17+ params (spilled through a tuple in memory) with every kind of value */
static const weld_tfield P_BIG[] = {
    {S("a"), &T_BOOL},    {S("b"), &T_S8},       {S("c"), &T_U16},      {S("d"), &T_S32},
    {S("e"), &T_U64},     {S("f"), &T_F32},      {S("g"), &T_F64},      {S("h"), &T_CHAR},
    {S("i"), &T_STRING},  {S("j"), &T_FLAGS9},   {S("k"), &T_ENUM3},    {S("l"), &T_LIST_U16},
    {S("m"), &T_OPT_U32}, {S("n"), &T_RES},      {S("o"), &T_LIST_ENT}, {S("p"), &T_FIX_U16},
    {S("q"), &T_TUP},     {S("r"), &T_VAR},      {S("s"), &T_MIX},      {S("t"), &T_LIST_CHAR},
    {S("u"), &T_FIX_STR}, {S("v"), &T_FLAGS32}, {S("w"), &T_BREC},
};
#define NBIG (sizeof P_BIG / sizeof P_BIG[0])
static const weld_tnode F_BIG = {.kind = WELD_TK_FUNC, .u.func = {NBIG, P_BIG, NULL, false}};

/* Values for P_BIG (host-built: items on the stack, no types). */
typedef struct bigvals {
    weld_cval args[NBIG];
    uint16_t l16[4];
    weld_cval opt_payload, res_payload, ent[3], ent_f[3][2], ent_opt[2], ent_bytes[2];
    uint8_t b0[5], b1[1];
    uint16_t fix[3];
    weld_cval tup[2], var_payload, mix[4], chars[3], fixs[2], brec[2];
} bigvals;

static void big_init(bigvals *b)
{
    memset(b, 0, sizeof *b);
    weld_cval *a = b->args;
    a[0].u.b = true;
    a[1] = cv_s(-5);
    a[2] = cv_u(60000);
    a[3] = cv_s(-123456);
    a[4] = cv_u(0xDEADBEEFCAFEull);
    a[5].u.f32 = 0.25f;
    a[6].u.f64 = -1e300;
    a[7].u.c = 0xE9;
    a[8] = cv_str("spilled ☃");
    a[9].u.flags = 0x101;
    a[10] = cv_var(2, NULL);
    uint16_t l16[4] = {1, 2, 65535, 4};
    memcpy(b->l16, l16, sizeof l16);
    a[11] = cv_bytes(b->l16, 4);
    b->opt_payload = cv_u(99);
    a[12] = cv_var(1, &b->opt_payload);
    b->res_payload = cv_str("an error");
    a[13] = cv_var(1, &b->res_payload);
    /* list<record{string, option<list<u8>>}>: some(5 bytes), none, some(1 byte) */
    static const char *names[3] = {"one", "", "thrée"};
    memcpy(b->b0, "\x01\x02\x03\x04\x05", 5);
    b->b1[0] = 0xFF;
    b->ent_bytes[0] = cv_bytes(b->b0, 5);
    b->ent_bytes[1] = cv_bytes(b->b1, 1);
    b->ent_opt[0] = cv_var(1, &b->ent_bytes[0]);
    b->ent_opt[1] = cv_var(1, &b->ent_bytes[1]);
    for (int i = 0; i < 3; i++) {
        b->ent_f[i][0] = cv_str(names[i]);
        b->ent_f[i][1] = i == 1 ? cv_var(0, NULL) : b->ent_opt[i == 0 ? 0 : 1];
        b->ent[i] = cv_items(b->ent_f[i], 2);
    }
    a[14] = cv_items(b->ent, 3);
    b->fix[0] = 7, b->fix[1] = 8, b->fix[2] = 9;
    a[15] = cv_bytes(b->fix, 3);
    b->tup[0] = cv_str("tuple");
    b->tup[1] = cv_u(42);
    a[16] = cv_items(b->tup, 2);
    b->var_payload = cv_u(0x1122334455667788ull);
    a[17] = cv_var(2, &b->var_payload);
    b->mix[0] = cv_u(1), b->mix[1] = cv_u(2), b->mix[2] = cv_u(3), b->mix[3] = cv_u(4);
    a[18] = cv_items(b->mix, 4);
    b->chars[0].u.c = 'a', b->chars[1].u.c = 0x10FFFF, b->chars[2].u.c = 0x263A;
    a[19] = cv_items(b->chars, 3);
    b->fixs[0] = cv_str("x"), b->fixs[1] = cv_str("yz");
    a[20] = cv_items(b->fixs, 2);
    a[21].u.flags = 0x80000001u;
    b->brec[0].u.b = true, b->brec[1] = cv_u(513);
    a[22] = cv_items(b->brec, 2);
}

static void test_spilled_params(void **state)
{
    env *e = *state;
    side *s = &e->a;
    bigvals b;
    big_init(&b);
    canon_sig sig;
    assert_int_equal(canon_sig_of(crt_layouts(e->rt), &F_BIG, false, &sig), WELD_OK);
    assert_true(sig.params_spilled);
    weld_cval out[NBIG];
    uint64_t core[2] = {0, 0};
    assert_int_equal(round_flat(s, &F_BIG, b.args, out, core), WELD_OK);
    /* the tuple was realloc'd first, with the tuple's alignment and size */
    const canon_layout *tl = canon_layout_of(crt_layouts(e->rt), &F_BIG);
    assert_int_equal(s->log[0][0], 0);
    assert_int_equal(s->log[0][2], tl->align);
    assert_int_equal(s->log[0][3], tl->size);
    assert_int_equal(core[0] % tl->align, 0);
    for (uint32_t i = 0; i < NBIG; i++) {
        assert_true(cv_eq(P_BIG[i].type, &b.args[i], &out[i]));
        weld_cval_free(&out[i]);
    }
    /* the u16 list went in as one memcpy of its bytes */
    uint32_t off = tl->offs[11];
    uint32_t lp, ln;
    memcpy(&lp, s->mem->data + core[0] + off, 4);
    memcpy(&ln, s->mem->data + core[0] + off + 4, 4);
    assert_int_equal(ln, 4);
    assert_memory_equal(s->mem->data + lp, b.l16, 8);
}

/* Through memory: results spill (more than one flat value). */
FUNC0(R_LIST_ENT, &T_LIST_ENT);
FUNC0(R_RES, &T_RES);
FUNC0(R_TUP, &T_TUP);
FUNC0(R_VAR, &T_VAR);
FUNC0(R_OPT_STR, &T_OPT_STR);
FUNC0(R_FIX_U16, &T_FIX_U16);
FUNC0(R_MIX, &T_MIX);
FUNC0(R_U32, &T_U32);
FUNC0(R_FLAGS9, &T_FLAGS9);
FUNC0(R_NONE, NULL);

static void test_results_memory(void **state)
{
    env *e = *state;
    side *s = &e->a;
    s->mode = RA_GROW; /* every realloc grows (moves) the memory */
    bigvals b;
    big_init(&b);
    weld_cval out;
    assert_int_equal(round_mem(s, &R_LIST_ENT, &b.args[14], &out), WELD_OK);
    assert_true(cv_eq(&T_LIST_ENT, &b.args[14], &out));
    assert_ptr_equal(out.type, &T_LIST_ENT);
    assert_ptr_equal(out.u.list.items[0].type, &T_ENT);
    assert_string_equal(out.u.list.items[2].u.list.items[0].u.str.ptr, "thrée");
    weld_cval_free(&out);
    assert_int_equal(round_mem(s, &R_RES, &b.args[13], &out), WELD_OK);
    assert_true(cv_eq(&T_RES, &b.args[13], &out));
    weld_cval_free(&out);
    weld_cval okv = cv_u(1234567890123ull), ok = cv_var(0, &okv);
    assert_int_equal(round_mem(s, &R_RES, &ok, &out), WELD_OK);
    assert_true(cv_eq(&T_RES, &ok, &out));
    weld_cval_free(&out);
    assert_int_equal(round_mem(s, &R_TUP, &b.args[16], &out), WELD_OK);
    assert_true(cv_eq(&T_TUP, &b.args[16], &out));
    weld_cval_free(&out);
    assert_int_equal(round_mem(s, &R_VAR, &b.args[17], &out), WELD_OK);
    assert_true(cv_eq(&T_VAR, &b.args[17], &out));
    weld_cval_free(&out);
    weld_cval sv = cv_str(""), some = cv_var(1, &sv), none = cv_var(0, NULL);
    assert_int_equal(round_mem(s, &R_OPT_STR, &some, &out), WELD_OK);
    assert_true(cv_eq(&T_OPT_STR, &some, &out));
    assert_int_equal(out.u.var.payload->u.str.len, 0);
    assert_non_null(out.u.var.payload->u.str.ptr);
    weld_cval_free(&out);
    assert_int_equal(round_mem(s, &R_OPT_STR, &none, &out), WELD_OK);
    assert_int_equal(out.u.var.tag, 0);
    assert_null(out.u.var.payload);
    weld_cval_free(&out);
    assert_int_equal(round_mem(s, &R_FIX_U16, &b.args[15], &out), WELD_OK);
    assert_true(cv_eq(&T_FIX_U16, &b.args[15], &out));
    weld_cval_free(&out);
    assert_int_equal(round_mem(s, &R_MIX, &b.args[18], &out), WELD_OK);
    assert_true(cv_eq(&T_MIX, &b.args[18], &out));
    weld_cval_free(&out);
    assert_true(s->mem->size > 65536); /* it did grow */

    /* a one-flat result goes back as a core result */
    weld_cval u = cv_u(0xFFFFFFFF);
    uint64_t res[1] = {0};
    assert_int_equal(canon_lower_result(&s->cx, &R_U32, &u, NULL, res), WELD_OK);
    assert_int_equal(res[0], 0xFFFFFFFF);
    assert_int_equal(canon_lift_result(&s->cx, &R_U32, res, &out), WELD_OK);
    assert_int_equal(out.u.u, 0xFFFFFFFF);
    weld_cval fl;
    memset(&fl, 0, sizeof fl);
    fl.u.flags = 0x1FF;
    assert_int_equal(canon_lower_result(&s->cx, &R_FLAGS9, &fl, NULL, res), WELD_OK);
    assert_int_equal(res[0], 0x1FF);
    assert_int_equal(canon_lift_result(&s->cx, &R_FLAGS9, res, &out), WELD_OK);
    assert_int_equal(out.u.flags, 0x1FF);
    /* no result: nothing */
    assert_int_equal(canon_lower_result(&s->cx, &R_NONE, NULL, NULL, NULL), WELD_OK);
    assert_int_equal(canon_lift_result(&s->cx, &R_NONE, NULL, &out), WELD_OK);
}

/* ---- strings ------------------------------------------------------------------------- */

FUNC1(F_STR, &T_STRING, NULL);
FUNC1(F_LSTR, &T_LIST_STR, NULL);

static void lower_str(side *s, const char *str, uint64_t core[2])
{
    weld_cval v = cv_str(str);
    s->calls = 0;
    assert_int_equal(canon_lower_params(&s->cx, &F_STR, &v, core), WELD_OK);
    weld_cval out;
    assert_int_equal(canon_lift_params(&s->cx, &F_STR, core, &out), WELD_OK);
    assert_string_equal(out.u.str.ptr, str);
    assert_int_equal(out.u.str.len, strlen(str));
    weld_cval_free(&out);
}

static void expect_log(side *s, uint32_t i, uint32_t op, uint32_t os, uint32_t al, uint32_t ns)
{
    assert_true(i < s->calls);
    if (op != UINT32_MAX) assert_int_equal(s->log[i][0], op);
    assert_int_equal(s->log[i][1], os);
    assert_int_equal(s->log[i][2], al);
    assert_int_equal(s->log[i][3], ns);
}

static void test_strings_utf8(void **state)
{
    env *e = *state;
    side *s = &e->a;
    uint64_t core[2];
    lower_str(s, "aé☃😀", core);
    assert_int_equal(core[1], 10);
    assert_memory_equal(s->mem->data + core[0], "aé☃😀", 10);
    assert_int_equal(s->calls, 1);
    expect_log(s, 0, 0, 0, 1, 10);
    lower_str(s, "", core);
    assert_int_equal(core[1], 0);
    expect_log(s, 0, 0, 0, 1, 0); /* realloc is called even for nothing */
}

static void test_strings_utf16(void **state)
{
    env *e = *state;
    side *s = &e->a;
    s->o.encoding = CANON_UTF16;
    uint64_t core[2];
    lower_str(s, "aé☃😀", core);
    assert_int_equal(core[1], 5); /* code units */
    assert_int_equal(core[0] % 2, 0);
    static const uint8_t want[10] = {0x61, 0, 0xE9, 0, 0x03, 0x26, 0x3D, 0xD8, 0x00, 0xDE};
    assert_memory_equal(s->mem->data + core[0], want, 10);
    /* worst case 2 * 10 bytes, then shrunk to 10 */
    assert_int_equal(s->calls, 2);
    expect_log(s, 0, 0, 0, 2, 20);
    expect_log(s, 1, (uint32_t)core[0], 20, 2, 10);
}

static void test_strings_latin1_utf16(void **state)
{
    env *e = *state;
    side *s = &e->a;
    s->o.encoding = CANON_LATIN1_UTF16;
    uint64_t core[2];
    /* all latin1: one byte each, untagged; allocated for 6 (UTF-8 bytes), shrunk to 5 */
    lower_str(s, "héllo", core);
    assert_int_equal(core[1], 5);
    assert_memory_equal(s->mem->data + core[0], "h\xE9llo", 5);
    assert_int_equal(s->calls, 2);
    expect_log(s, 0, 0, 0, 2, 6);
    expect_log(s, 1, (uint32_t)core[0], 6, 2, 5);
    /* a non-latin1 char: inflated to UTF-16, tagged */
    lower_str(s, "h\xC3\xA9\xE2\x98\x83", core); /* "hé☃" */
    assert_int_equal(core[1], 3u | (1u << 31));
    static const uint8_t want[6] = {'h', 0, 0xE9, 0, 0x03, 0x26};
    assert_memory_equal(s->mem->data + core[0], want, 6);
    assert_int_equal(s->calls, 3);
    expect_log(s, 0, 0, 0, 2, 6);
    expect_log(s, 1, UINT32_MAX, 6, 2, 12);
    expect_log(s, 2, (uint32_t)core[0], 12, 2, 6);
    /* a list of strings in memory */
    weld_cval items[3] = {cv_str("plain"), cv_str("ünï"), cv_str("€uro")}, v = cv_items(items, 3), out;
    uint64_t c2[2];
    assert_int_equal(canon_lower_params(&s->cx, &F_LSTR, &v, c2), WELD_OK);
    assert_int_equal(canon_lift_params(&s->cx, &F_LSTR, c2, &out), WELD_OK);
    assert_true(cv_eq(&T_LIST_STR, &v, &out));
    weld_cval_free(&out);
}

/* lifting a guest's string in each encoding */
static void test_strings_lift(void **state)
{
    env *e = *state;
    side *s = &e->a;
    weld_cval out;
    uint8_t *m = s->mem->data;
    /* utf16 with a surrogate pair */
    s->o.encoding = CANON_UTF16;
    static const uint8_t u16[8] = {'o', 0, 'k', 0, 0x3D, 0xD8, 0x00, 0xDE};
    memcpy(m + 100, u16, 8);
    uint64_t core[2] = {100, 4};
    assert_int_equal(canon_lift_params(&s->cx, &F_STR, core, &out), WELD_OK);
    assert_string_equal(out.u.str.ptr, "ok😀");
    weld_cval_free(&out);
    /* latin1+utf16: untagged latin1, tagged utf16 */
    s->o.encoding = CANON_LATIN1_UTF16;
    memcpy(m + 200, "caf\xE9", 4);
    core[0] = 200, core[1] = 4;
    assert_int_equal(canon_lift_params(&s->cx, &F_STR, core, &out), WELD_OK);
    assert_string_equal(out.u.str.ptr, "café");
    weld_cval_free(&out);
    core[0] = 100, core[1] = 4u | (1u << 31);
    assert_int_equal(canon_lift_params(&s->cx, &F_STR, core, &out), WELD_OK);
    assert_string_equal(out.u.str.ptr, "ok😀");
    weld_cval_free(&out);
}

/* ---- transfer ------------------------------------------------------------------------ */

/* a string written into side s's memory at ptr, in s's encoding form, by lowering it */
static void put_str(side *s, const char *str, uint64_t core[2])
{
    weld_cval v = cv_str(str);
    assert_int_equal(canon_lower_params(&s->cx, &F_STR, &v, core), WELD_OK);
}

static void xfer_str(env *e, uint8_t from_enc, uint8_t to_enc, const char *str, uint64_t to[2])
{
    e->a.o.encoding = from_enc;
    e->b.o.encoding = to_enc;
    uint64_t from[2];
    put_str(&e->a, str, from);
    e->b.calls = 0;
    assert_int_equal(canon_transfer_params(&e->a.cx, &F_STR, &e->b.cx, &F_STR, from, to), WELD_OK);
    weld_cval out;
    assert_int_equal(canon_lift_params(&e->b.cx, &F_STR, to, &out), WELD_OK);
    assert_string_equal(out.u.str.ptr, str);
    weld_cval_free(&out);
}

static void test_transfer_strings(void **state)
{
    env *e = *state;
    side *b = &e->b;
    uint64_t to[2];
    /* utf8 -> utf16 */
    xfer_str(e, CANON_UTF8, CANON_UTF16, "aé☃😀", to);
    assert_int_equal(to[1], 5);
    static const uint8_t w1[10] = {0x61, 0, 0xE9, 0, 0x03, 0x26, 0x3D, 0xD8, 0x00, 0xDE};
    assert_memory_equal(b->mem->data + to[0], w1, 10);
    assert_int_equal(b->calls, 2);
    expect_log(b, 0, 0, 0, 2, 20);
    expect_log(b, 1, (uint32_t)to[0], 20, 2, 10);
    /* utf8 -> utf8: one copy */
    xfer_str(e, CANON_UTF8, CANON_UTF8, "plain ascii", to);
    assert_int_equal(b->calls, 1);
    assert_memory_equal(b->mem->data + to[0], "plain ascii", 11);
    /* utf16 -> latin1+utf16: latin1 fits: compacted */
    xfer_str(e, CANON_UTF16, CANON_LATIN1_UTF16, "héllo", to);
    assert_int_equal(to[1], 5);
    assert_memory_equal(b->mem->data + to[0], "h\xE9llo", 5);
    assert_int_equal(b->calls, 1); /* every char fit: no shrink */
    expect_log(b, 0, 0, 0, 2, 5);
    /* utf16 -> latin1+utf16 with a non-latin1 char: tagged utf16 */
    xfer_str(e, CANON_UTF16, CANON_LATIN1_UTF16, "é€", to);
    assert_int_equal(to[1], 2u | (1u << 31));
    static const uint8_t w2[4] = {0xE9, 0, 0xAC, 0x20};
    assert_memory_equal(b->mem->data + to[0], w2, 4);
    /* latin1+utf16 -> utf16 and back */
    xfer_str(e, CANON_LATIN1_UTF16, CANON_UTF16, "naïve", to);
    assert_int_equal(to[1], 5);
    assert_int_equal(b->calls, 1); /* a straight copy, widened */
    xfer_str(e, CANON_LATIN1_UTF16, CANON_UTF16, "☃!", to);
    assert_int_equal(to[1], 2);
    /* latin1+utf16 -> latin1+utf16: latin1 copied; utf16 that fits latin1 compacted */
    xfer_str(e, CANON_LATIN1_UTF16, CANON_LATIN1_UTF16, "déjà", to);
    assert_int_equal(to[1], 4);
    assert_int_equal(b->calls, 1);
    xfer_str(e, CANON_LATIN1_UTF16, CANON_LATIN1_UTF16, "☃x", to);
    assert_int_equal(to[1], 2u | (1u << 31));
    {
        /* a tagged utf16 source whose chars all fit latin1 */
        e->a.o.encoding = CANON_LATIN1_UTF16;
        static const uint8_t u[6] = {'a', 0, 0xFF, 0, 'z', 0};
        memcpy(e->a.mem->data + 300, u, 6);
        uint64_t from[2] = {300, 3u | (1u << 31)};
        b->calls = 0;
        assert_int_equal(canon_transfer_params(&e->a.cx, &F_STR, &b->cx, &F_STR, from, to), WELD_OK);
        assert_int_equal(to[1], 3);
        assert_memory_equal(b->mem->data + to[0], "a\xFFz", 3);
        assert_int_equal(b->calls, 2);
        expect_log(b, 0, 0, 0, 2, 6);
        expect_log(b, 1, (uint32_t)to[0], 6, 1, 3);
    }
    /* latin1+utf16 -> utf8: latin1 grows to UTF-8 */
    xfer_str(e, CANON_LATIN1_UTF16, CANON_UTF8, "héllo", to);
    assert_int_equal(to[1], 6);
    assert_int_equal(b->calls, 3);
    expect_log(b, 0, 0, 0, 1, 5);
    expect_log(b, 1, UINT32_MAX, 5, 1, 10);
    expect_log(b, 2, (uint32_t)to[0], 10, 1, 6);
    /* utf16 -> utf8 */
    xfer_str(e, CANON_UTF16, CANON_UTF8, "ok😀", to);
    assert_int_equal(to[1], 6);
    expect_log(b, 1, UINT32_MAX, 4, 1, 12);
    xfer_str(e, CANON_UTF16, CANON_UTF8, "ascii", to);
    assert_int_equal(b->calls, 1);
}

FUNC1(F_LIST_PT, &T_LIST_PT, NULL);
FUNC1(F_LIST_ENT, &T_LIST_ENT, NULL);

static void test_transfer_lists(void **state)
{
    env *e = *state;
    side *a = &e->a, *b = &e->b;
    /* list<record{u32, u16}>: one realloc, one memcpy */
    weld_cval f[3][2], it[3];
    for (int i = 0; i < 3; i++) {
        f[i][0] = cv_u(0x01020304u * (i + 1));
        f[i][1] = cv_u(100 + i);
        it[i] = cv_items(f[i], 2);
    }
    weld_cval v = cv_items(it, 3), out;
    uint64_t from[2], to[2];
    assert_int_equal(canon_lower_params(&a->cx, &F_LIST_PT, &v, from), WELD_OK);
    b->calls = 0;
    assert_int_equal(canon_transfer_params(&a->cx, &F_LIST_PT, &b->cx, &F_LIST_PT, from, to), WELD_OK);
    assert_int_equal(b->calls, 1);
    expect_log(b, 0, 0, 0, 4, 24);
    assert_int_equal(to[1], 3);
    assert_memory_equal(b->mem->data + to[0], a->mem->data + from[0], 24);
    assert_int_equal(canon_lift_params(&b->cx, &F_LIST_PT, to, &out), WELD_OK);
    assert_true(cv_eq(&T_LIST_PT, &v, &out));
    weld_cval_free(&out);

    /* list<record{string, option<list<u8>>}> from utf8 into utf16 */
    b->o.encoding = CANON_UTF16;
    bigvals bv;
    big_init(&bv);
    assert_int_equal(canon_lower_params(&a->cx, &F_LIST_ENT, &bv.args[14], from), WELD_OK);
    assert_int_equal(canon_transfer_params(&a->cx, &F_LIST_ENT, &b->cx, &F_LIST_ENT, from, to), WELD_OK);
    assert_int_equal(canon_lift_params(&b->cx, &F_LIST_ENT, to, &out), WELD_OK);
    assert_true(cv_eq(&T_LIST_ENT, &bv.args[14], &out));
    weld_cval_free(&out);
}

static void test_transfer_spilled(void **state)
{
    env *e = *state;
    side *a = &e->a, *b = &e->b;
    b->o.encoding = CANON_LATIN1_UTF16;
    b->mode = RA_GROW;
    bigvals bv;
    big_init(&bv);
    uint64_t from[2], to[2];
    assert_int_equal(canon_lower_params(&a->cx, &F_BIG, bv.args, from), WELD_OK);
    assert_int_equal(canon_transfer_params(&a->cx, &F_BIG, &b->cx, &F_BIG, from, to), WELD_OK);
    weld_cval out[NBIG];
    assert_int_equal(canon_lift_params(&b->cx, &F_BIG, to, out), WELD_OK);
    for (uint32_t i = 0; i < NBIG; i++) {
        assert_true(cv_eq(P_BIG[i].type, &bv.args[i], &out[i]));
        weld_cval_free(&out[i]);
    }

    /* a spilled result: the callee (b) returns a pointer, the caller (a) passed one */
    weld_cval tv[2] = {cv_str("résult ☃"), cv_u(77)}, t = cv_items(tv, 2), r;
    uint32_t barea = (b->bump + 7) & ~7u;
    b->bump = barea + 16;
    uint64_t bargs[1] = {barea}, bres[1] = {barea};
    assert_int_equal(canon_lower_result(&b->cx, &R_TUP, &t, bargs, NULL), WELD_OK);
    uint32_t aarea = (a->bump + 7) & ~7u;
    a->bump = aarea + 16;
    uint64_t aargs[1] = {aarea};
    assert_int_equal(canon_transfer_result(&b->cx, &R_TUP, &a->cx, &R_TUP, bres, aargs, NULL), WELD_OK);
    uint64_t ares[1] = {aarea};
    assert_int_equal(canon_lift_result(&a->cx, &R_TUP, ares, &r), WELD_OK);
    assert_true(cv_eq(&T_TUP, &t, &r));
    weld_cval_free(&r);

    /* a flat result */
    uint64_t fr[1] = {0xABCD}, tr[1] = {0};
    assert_int_equal(canon_transfer_result(&b->cx, &R_U32, &a->cx, &R_U32, fr, NULL, tr), WELD_OK);
    assert_int_equal(tr[0], 0xABCD);
}

/* flat transfer normalizes: integers wrapped, bool 0/1, variant slots */
static void test_transfer_flat(void **state)
{
    env *e = *state;
    uint64_t from[2], to[2];
    from[0] = 0x1FF;
    assert_int_equal(canon_transfer_params(&e->a.cx, &F_U8, &e->b.cx, &F_U8, from, to), WELD_OK);
    assert_int_equal(to[0], 0xFF);
    from[0] = 0x80;
    assert_int_equal(canon_transfer_params(&e->a.cx, &F_S8, &e->b.cx, &F_S8, from, to), WELD_OK);
    assert_int_equal(to[0], 0xFFFFFF80u);
    from[0] = 42;
    assert_int_equal(canon_transfer_params(&e->a.cx, &F_BOOL, &e->b.cx, &F_BOOL, from, to), WELD_OK);
    assert_int_equal(to[0], 1);
    from[0] = 3, from[1] = 99; /* case d: no payload, slot zeroed */
    to[1] = 5;
    assert_int_equal(canon_transfer_params(&e->a.cx, &F_VAR, &e->b.cx, &F_VAR, from, to), WELD_OK);
    assert_int_equal(to[0], 3);
    assert_int_equal(to[1], 0);
    from[0] = 2, from[1] = 0x123456789ull;
    assert_int_equal(canon_transfer_params(&e->a.cx, &F_VAR, &e->b.cx, &F_VAR, from, to), WELD_OK);
    assert_int_equal(to[1], 0x123456789ull);
    /* shapes that differ are refused */
    assert_int_equal(canon_transfer_params(&e->a.cx, &F_U8, &e->b.cx, &F_S8, from, to), WELD_ERR_TRAP);
    assert_non_null(strstr(trapmsg(e), "cannot transfer"));
}

/* both sides on one memory (the source is read before the destination's realloc can move
 * or overwrite it), the memory growing on every realloc */
static void test_transfer_shared_memory(void **state)
{
    env *e = *state;
    side *a = &e->a, *b = &e->b;
    b->mem = a->mem;
    b->o.mem = a->mem;
    b->bump = 32768;
    b->mode = RA_GROW;
    b->o.encoding = CANON_UTF16;
    weld_cval items[3] = {cv_str("shared"), cv_str("mémoire"), cv_str("☃☃☃")}, v = cv_items(items, 3), out;
    uint64_t from[2], to[2];
    assert_int_equal(canon_lower_params(&a->cx, &F_LSTR, &v, from), WELD_OK);
    assert_int_equal(canon_transfer_params(&a->cx, &F_LSTR, &b->cx, &F_LSTR, from, to), WELD_OK);
    assert_true(a->mem->size > 65536);
    assert_int_equal(canon_lift_params(&b->cx, &F_LSTR, to, &out), WELD_OK);
    assert_true(cv_eq(&T_LIST_STR, &v, &out));
    weld_cval_free(&out);
    /* and the source is intact */
    assert_int_equal(canon_lift_params(&a->cx, &F_LSTR, from, &out), WELD_OK);
    assert_true(cv_eq(&T_LIST_STR, &v, &out));
    weld_cval_free(&out);
}

/* empty strings and lists still call realloc (for 0 bytes); fixed-length lists in flat form */
static void test_transfer_empty_and_fixed(void **state)
{
    env *e = *state;
    side *a = &e->a, *b = &e->b;
    weld_cval v = cv_items(NULL, 0), out;
    uint64_t from[2], to[2];
    assert_int_equal(canon_lower_params(&a->cx, &F_LSTR, &v, from), WELD_OK);
    assert_int_equal(from[1], 0);
    b->calls = 0;
    assert_int_equal(canon_transfer_params(&a->cx, &F_LSTR, &b->cx, &F_LSTR, from, to), WELD_OK);
    assert_int_equal(to[1], 0);
    assert_int_equal(b->calls, 1);
    expect_log(b, 0, 0, 0, 4, 0);
    assert_int_equal(canon_lift_params(&b->cx, &F_LSTR, to, &out), WELD_OK);
    assert_int_equal(out.u.list.count, 0);
    weld_cval_free(&out);

    FUNC1(F_FIX, &T_FIX_U16, NULL);
    uint16_t fx[3] = {1, 0xFFFF, 300};
    weld_cval f = cv_bytes(fx, 3);
    uint64_t c3[3], t3[3];
    assert_int_equal(canon_lower_params(&a->cx, &F_FIX, &f, c3), WELD_OK);
    assert_int_equal(c3[0], 1);
    assert_int_equal(c3[1], 0xFFFF);
    assert_int_equal(c3[2], 300);
    assert_int_equal(canon_lift_params(&a->cx, &F_FIX, c3, &out), WELD_OK);
    assert_true(cv_eq(&T_FIX_U16, &f, &out));
    weld_cval_free(&out);
    c3[1] = 0x1FFFF; /* wrapped to u16 on the way */
    assert_int_equal(canon_transfer_params(&a->cx, &F_FIX, &b->cx, &F_FIX, c3, t3), WELD_OK);
    assert_int_equal(t3[1], 0xFFFF);
    /* a fixed-length list value of the wrong length */
    weld_cval short2 = cv_bytes(fx, 2);
    assert_int_equal(canon_lower_params(&a->cx, &F_FIX, &short2, c3), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: fixed-length list of 3 elements given 2");
    /* a trap in the destination's realloc during a transfer */
    uint64_t s2[2];
    put_str(a, "abc", s2);
    b->mode = RA_TRAP;
    assert_int_equal(canon_transfer_params(&a->cx, &F_STR, &b->cx, &F_STR, s2, to), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "realloc: out of memory (test)");
}

/* ---- handles --------------------------------------------------------------------------- */

FUNC1(F_OWN, &T_OWN_FILE, NULL);
FUNC1(F_OWN_B, &T_OWN_FILE_B, NULL);
FUNC1(F_BORROW, &T_BORROW_FILE, NULL);
FUNC1(F_BORROW_B, &T_BORROW_FILE_B, NULL);
FUNC1(F_OWN_DIR, &T_OWN_DIR, NULL);

static uint32_t add_own(side *s, const weld_crt_resource_type *rt, uint32_t rep)
{
    crt_handle h;
    memset(&h, 0, sizeof h);
    h.rt = rt;
    h.rep = rep;
    h.own = true;
    uint32_t i = crt_table_add(&s->inst->table, h);
    assert_int_not_equal(i, 0);
    return i;
}

static void test_handles_host(void **state)
{
    env *e = *state;
    side *a = &e->a;
    /* a host own into the guest: a new own handle; lifted back: removed */
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.res.rep = 42;
    v.u.res.rt = e->file;
    uint64_t core[1];
    assert_int_equal(canon_lower_params(&a->cx, &F_OWN, &v, core), WELD_OK);
    crt_handle *h = crt_table_get(&a->inst->table, (uint32_t)core[0]);
    assert_non_null(h);
    assert_true(h->own);
    assert_int_equal(h->rep, 42);
    assert_ptr_equal(h->rt, e->file);
    weld_cval out;
    assert_int_equal(canon_lift_params(&a->cx, &F_OWN, core, &out), WELD_OK);
    assert_int_equal(out.u.res.rep, 42);
    assert_ptr_equal(out.u.res.rt, e->file);
    assert_null(crt_table_get(&a->inst->table, (uint32_t)core[0]));
    /* a borrow into the guest: a borrow handle counted in the call's scope */
    assert_int_equal(canon_lower_params(&a->cx, &F_BORROW, &v, core), WELD_OK);
    h = crt_table_get(&a->inst->table, (uint32_t)core[0]);
    assert_non_null(h);
    assert_false(h->own);
    assert_ptr_equal(h->scope, &e->scope);
    assert_int_equal(e->scope.borrow_count, 1);
    /* into the resource's implementation: the rep itself */
    e->file->impl = a->inst;
    assert_int_equal(canon_lower_params(&a->cx, &F_BORROW, &v, core), WELD_OK);
    assert_int_equal(core[0], 42);
    assert_int_equal(e->scope.borrow_count, 1);
    e->file->impl = NULL;
    /* a borrow lifted from the guest's own handle: a lender until the call ends */
    uint32_t i = add_own(a, e->file, 7);
    core[0] = i;
    assert_int_equal(canon_lift_params(&a->cx, &F_BORROW, core, &out), WELD_OK);
    assert_int_equal(out.u.res.rep, 7);
    assert_int_equal(crt_table_get(&a->inst->table, i)->lends, 1);
    e->scope.borrow_count = 0;
    assert_null(crt_scope_end(&e->scope));
    assert_int_equal(crt_table_get(&a->inst->table, i)->lends, 0);
}

static void test_handles_transfer(void **state)
{
    env *e = *state;
    side *a = &e->a, *b = &e->b;
    /* own: moved from a's table into b's (b's own type node of `file`) */
    uint32_t i = add_own(a, e->file, 42);
    uint64_t from[1] = {i}, to[1] = {0};
    assert_int_equal(canon_transfer_params(&a->cx, &F_OWN, &b->cx, &F_OWN_B, from, to), WELD_OK);
    assert_null(crt_table_get(&a->inst->table, i));
    crt_handle *h = crt_table_get(&b->inst->table, (uint32_t)to[0]);
    assert_non_null(h);
    assert_true(h->own);
    assert_int_equal(h->rep, 42);
    /* borrow: a lends, b holds a borrow handle of the call */
    i = add_own(a, e->file, 9);
    from[0] = i;
    assert_int_equal(canon_transfer_params(&a->cx, &F_BORROW, &b->cx, &F_BORROW_B, from, to), WELD_OK);
    assert_int_equal(crt_table_get(&a->inst->table, i)->lends, 1);
    h = crt_table_get(&b->inst->table, (uint32_t)to[0]);
    assert_non_null(h);
    assert_false(h->own);
    assert_int_equal(h->rep, 9);
    assert_int_equal(e->scope.borrow_count, 1);
    /* while lent, the own handle cannot move */
    assert_int_equal(canon_transfer_params(&a->cx, &F_OWN, &b->cx, &F_OWN_B, from, to), WELD_ERR_TRAP);
    char want[128];
    snprintf(want, sizeof want, "canonical ABI: own handle %u has outstanding borrows", i);
    assert_string_equal(trapmsg(e), want);
    /* the call ends with the borrow still held: a trap */
    const char *m = crt_scope_end(&e->scope);
    assert_non_null(m);
    assert_string_equal(m, "canonical ABI: 1 borrow handle(s) still held at the end of the call");
    assert_int_equal(crt_table_get(&a->inst->table, i)->lends, 0);
    /* into the implementation: the rep */
    e->file->impl = b->inst;
    e->scope.borrow_count = 0;
    assert_int_equal(canon_transfer_params(&a->cx, &F_BORROW, &b->cx, &F_BORROW_B, from, to), WELD_OK);
    assert_int_equal(to[0], 9);
    assert_int_equal(e->scope.borrow_count, 0);
    assert_null(crt_scope_end(&e->scope));
    e->file->impl = NULL;
    /* now it moves */
    assert_int_equal(canon_transfer_params(&a->cx, &F_OWN, &b->cx, &F_OWN_B, from, to), WELD_OK);
}

/* ---- traps ----------------------------------------------------------------------------- */

static void test_trap_string_oob(void **state)
{
    env *e = *state;
    uint64_t core[2] = {0x10000, 12};
    weld_cval out;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_STR, core, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e),
                        "canonical ABI: string (ptr 0x10000, 12 bytes) out of bounds of memory (65536 bytes)");
    /* ptr + len wrapping past 2^32 is still out of bounds */
    core[0] = 0xFFFFFFF0, core[1] = 0x20;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_STR, core, &out), WELD_ERR_TRAP);
    assert_non_null(strstr(trapmsg(e), "out of bounds"));
    /* utf16: the length counts code units (2 bytes each) */
    e->a.o.encoding = CANON_UTF16;
    core[0] = 0xFFF0, core[1] = 9;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_STR, core, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e),
                        "canonical ABI: string (ptr 0xfff0, 18 bytes) out of bounds of memory (65536 bytes)");
}

static void test_trap_string_align(void **state)
{
    env *e = *state;
    e->a.o.encoding = CANON_UTF16;
    uint64_t core[2] = {0x11, 1};
    weld_cval out;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_STR, core, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: string pointer 0x11 not aligned to 2");
}

static void test_trap_list_align(void **state)
{
    env *e = *state;
    FUNC1(F_LU32, &T_LIST_U32, NULL);
    uint64_t core[2] = {0x13, 1};
    weld_cval out;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_LU32, core, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: list pointer 0x13 not aligned to 4");
    /* and in a transfer */
    uint64_t to[2];
    assert_int_equal(canon_transfer_params(&e->a.cx, &F_LU32, &e->b.cx, &F_LU32, core, to), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: list pointer 0x13 not aligned to 4");
    /* a list whose byte length overflows 32 bits */
    core[0] = 0x100, core[1] = 0x40000001;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_LU32, core, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e),
                        "canonical ABI: list (ptr 0x100, 4294967300 bytes) out of bounds of memory (65536 bytes)");
}

static void test_trap_utf8(void **state)
{
    env *e = *state;
    static const char *bad[] = {"\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "ab\xE2\x98", "\x80", "\xF8\x88\x80\x80\x80"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = strlen(bad[i]);
        memcpy(e->a.mem->data + 64, bad[i], n);
        uint64_t core[2] = {64, n};
        weld_cval out;
        assert_int_equal(canon_lift_params(&e->a.cx, &F_STR, core, &out), WELD_ERR_TRAP);
        assert_string_equal(trapmsg(e), "canonical ABI: invalid UTF-8 in string");
    }
    /* a host string that is not UTF-8 is refused too */
    weld_cval v = cv_str("\xFF");
    uint64_t core[2];
    assert_int_equal(canon_lower_params(&e->a.cx, &F_STR, &v, core), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: invalid UTF-8 in string");
}

static void test_trap_utf16(void **state)
{
    env *e = *state;
    e->a.o.encoding = CANON_UTF16;
    static const uint8_t lone_hi[4] = {0x3D, 0xD8, 'a', 0}, lone_lo[2] = {0x00, 0xDE}, end_hi[4] = {'a', 0, 0x3D, 0xD8};
    const uint8_t *cases[3] = {lone_hi, lone_lo, end_hi};
    uint32_t units[3] = {2, 1, 2};
    for (int i = 0; i < 3; i++) {
        memcpy(e->a.mem->data + 64, cases[i], 2 * units[i]);
        uint64_t core[2] = {64, units[i]};
        weld_cval out;
        assert_int_equal(canon_lift_params(&e->a.cx, &F_STR, core, &out), WELD_ERR_TRAP);
        assert_string_equal(trapmsg(e), "canonical ABI: invalid UTF-16 in string (unpaired surrogate)");
        uint64_t to[2];
        assert_int_equal(canon_transfer_params(&e->a.cx, &F_STR, &e->b.cx, &F_STR, core, to), WELD_ERR_TRAP);
        assert_string_equal(trapmsg(e), "canonical ABI: invalid UTF-16 in string (unpaired surrogate)");
    }
}

static void test_trap_char(void **state)
{
    env *e = *state;
    uint64_t core[1] = {0xD800};
    weld_cval out;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_CHAR, core, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: invalid char 0xd800");
    core[0] = 0x110000;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_CHAR, core, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: invalid char 0x110000");
    uint64_t to[1];
    core[0] = 0xDFFF;
    assert_int_equal(canon_transfer_params(&e->a.cx, &F_CHAR, &e->b.cx, &F_CHAR, core, to), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: invalid char 0xdfff");
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.c = 0xDABC;
    assert_int_equal(canon_lower_params(&e->a.cx, &F_CHAR, &v, to), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: invalid char 0xdabc");
    /* in memory, inside a list */
    FUNC1(F_LC, &T_LIST_CHAR, NULL);
    uint32_t c = 0xD900;
    memcpy(e->a.mem->data + 128, &c, 4);
    uint64_t lc[2] = {128, 1};
    assert_int_equal(canon_lift_params(&e->a.cx, &F_LC, lc, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: invalid char 0xd900");
}

static void test_trap_discriminant(void **state)
{
    env *e = *state;
    FUNC1(F_V3, &T_VAR3, NULL);
    FUNC1(F_E3, &T_ENUM3, NULL);
    FUNC1(F_OPT, &T_OPT_U32, NULL);
    uint64_t core[2] = {5, 0}, to[2];
    weld_cval out;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_V3, core, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: invalid discriminant 5 for variant of 3 cases");
    assert_int_equal(canon_transfer_params(&e->a.cx, &F_V3, &e->b.cx, &F_V3, core, to), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: invalid discriminant 5 for variant of 3 cases");
    core[0] = 3;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_E3, core, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: invalid discriminant 3 for enum of 3 cases");
    core[0] = 2;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_OPT, core, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: invalid discriminant 2 for option of 2 cases");
    /* in memory: a result<u64, string> with discriminant 2 */
    uint32_t area = 256;
    memset(e->a.mem->data + area, 0, 16);
    e->a.mem->data[area] = 2;
    uint64_t res[1] = {area};
    assert_int_equal(canon_lift_result(&e->a.cx, &R_RES, res, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: invalid discriminant 2 for result of 2 cases");
    /* a host value with a bad case */
    weld_cval v = cv_var(7, NULL);
    assert_int_equal(canon_lower_params(&e->a.cx, &F_V3, &v, to), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: invalid discriminant 7 for variant of 3 cases");
}

/* Flags: the bits past the labels are ignored, as unpack_flags_from_int does (no trap). */
static void test_flags_unknown_bits(void **state)
{
    env *e = *state;
    FUNC1(F_FL4, &T_FLAGS4, NULL);
    uint64_t core[1] = {0x1F}, to[1] = {0};
    weld_cval out;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_FL4, core, &out), WELD_OK);
    assert_int_equal(out.u.flags, 0xF);
    assert_int_equal(canon_transfer_params(&e->a.cx, &F_FL4, &e->b.cx, &F_FL4, core, to), WELD_OK);
    assert_int_equal(to[0], 0xF);
    core[0] = 0xF0;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_FL4, core, &out), WELD_OK);
    assert_int_equal(out.u.flags, 0);
    /* 32 labels: every bit is known */
    FUNC1(F_FL32, &T_FLAGS32, NULL);
    core[0] = 0xFFFFFFFF;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_FL32, core, &out), WELD_OK);
    assert_int_equal(out.u.flags, 0xFFFFFFFF);
}

static void test_trap_realloc(void **state)
{
    env *e = *state;
    side *a = &e->a;
    weld_cval v = cv_str("hello");
    uint64_t core[2];
    a->mode = RA_MISALIGN;
    a->o.encoding = CANON_UTF16;
    assert_int_equal(canon_lower_params(&a->cx, &F_STR, &v, core), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: realloc returned 0x401, not aligned to 2");
    a->mode = RA_OOB;
    a->o.encoding = CANON_UTF8;
    assert_int_equal(canon_lower_params(&a->cx, &F_STR, &v, core), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e),
                        "canonical ABI: realloc returned 0xfffe, and 5 bytes there are out of bounds of memory (65536 bytes)");
    /* a trap inside realloc propagates with its message */
    a->mode = RA_TRAP;
    assert_int_equal(canon_lower_params(&a->cx, &F_STR, &v, core), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "realloc: out of memory (test)");
    assert_true(a->inst->may_leave); /* restored */
    /* no realloc option at all */
    a->mode = RA_OK;
    a->o.realloc = NULL;
    assert_int_equal(canon_lower_params(&a->cx, &F_STR, &v, core), WELD_ERR_TRAP);
    assert_non_null(strstr(trapmsg(e), "no realloc option"));
    /* no memory option */
    a->o.mem = NULL;
    assert_int_equal(canon_lower_params(&a->cx, &F_STR, &v, core), WELD_ERR_TRAP);
    assert_non_null(strstr(trapmsg(e), "no memory option"));
}

static void test_trap_handles(void **state)
{
    env *e = *state;
    side *a = &e->a;
    uint64_t core[1] = {7};
    weld_cval out;
    assert_int_equal(canon_lift_params(&a->cx, &F_OWN, core, &out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: unknown handle index 7");
    /* a `dir` handle where a `file` is expected */
    uint32_t d = add_own(a, e->dir, 1);
    core[0] = d;
    assert_int_equal(canon_lift_params(&a->cx, &F_OWN, core, &out), WELD_ERR_TRAP);
    char want[128];
    snprintf(want, sizeof want, "canonical ABI: handle index %u is a `dir` resource, expected `file`", d);
    assert_string_equal(trapmsg(e), want);
    assert_non_null(crt_table_get(&a->inst->table, d)); /* not removed */
    /* a borrow handle where an own is expected */
    crt_handle h;
    memset(&h, 0, sizeof h);
    h.rt = e->file;
    h.rep = 3;
    uint32_t bi = crt_table_add(&a->inst->table, h);
    core[0] = bi;
    assert_int_equal(canon_lift_params(&a->cx, &F_OWN, core, &out), WELD_ERR_TRAP);
    snprintf(want, sizeof want, "canonical ABI: handle index %u is a borrow handle, expected an own handle", bi);
    assert_string_equal(trapmsg(e), want);
    /* an own with outstanding lends */
    uint32_t oi = add_own(a, e->file, 5);
    crt_table_get(&a->inst->table, oi)->lends = 1;
    core[0] = oi;
    assert_int_equal(canon_lift_params(&a->cx, &F_OWN, core, &out), WELD_ERR_TRAP);
    snprintf(want, sizeof want, "canonical ABI: own handle %u has outstanding borrows", oi);
    assert_string_equal(trapmsg(e), want);
    /* a host value of the wrong resource type */
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.res.rep = 1;
    v.u.res.rt = e->dir;
    assert_int_equal(canon_lower_params(&a->cx, &F_OWN, &v, core), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: a `dir` resource given where a `file` is expected");
    /* a resource the instance does not know */
    assert_int_equal(canon_lower_params(&e->b.cx, &F_OWN_DIR, &v, core), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: resource type `dir` is unknown in this instance");
    /* borrows still held at the end of a call */
    e->scope.borrow_count = 0;
    v.u.res.rt = e->file;
    assert_int_equal(canon_lower_params(&a->cx, &F_BORROW, &v, core), WELD_OK);
    assert_int_equal(canon_lower_params(&a->cx, &F_BORROW, &v, core), WELD_OK);
    uint32_t held = (uint32_t)core[0];
    assert_ptr_equal(crt_table_get(&a->inst->table, held)->scope, &e->scope);
    assert_string_equal(crt_scope_end(&e->scope),
                        "canonical ABI: 2 borrow handle(s) still held at the end of the call");
    /* the handles left behind no longer point at the ended call */
    assert_null(crt_table_get(&a->inst->table, held)->scope);
    assert_false(crt_table_get(&a->inst->table, held)->own);
}

static void test_trap_spilled_bounds(void **state)
{
    env *e = *state;
    const canon_layout *tl = canon_layout_of(crt_layouts(e->rt), &F_BIG);
    uint64_t core[1] = {0x10000 - 8};
    weld_cval out[NBIG];
    assert_int_equal(canon_lift_params(&e->a.cx, &F_BIG, core, out), WELD_ERR_TRAP);
    char want[160];
    snprintf(want, sizeof want,
             "canonical ABI: parameter tuple (ptr 0xfff8, %u bytes) out of bounds of memory (65536 bytes)",
             tl->size);
    assert_string_equal(trapmsg(e), want);
    core[0] = 4;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_BIG, core, out), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: parameter tuple pointer 0x4 not aligned to 8");
    /* a returned result pointer out of bounds */
    uint64_t res[1] = {0xFFF8};
    weld_cval r;
    assert_int_equal(canon_lift_result(&e->a.cx, &R_RES, res, &r), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e),
                        "canonical ABI: result (ptr 0xfff8, 16 bytes) out of bounds of memory (65536 bytes)");
    /* a partial lift is freed (ASan checks): a list of strings whose second is bad */
    uint32_t rec[4] = {512, 3, 0xFFFF0, 2};
    memcpy(e->a.mem->data + 600, rec, sizeof rec);
    memcpy(e->a.mem->data + 512, "abc", 3);
    uint64_t lc[2] = {600, 2};
    weld_cval lo;
    assert_int_equal(canon_lift_params(&e->a.cx, &F_LSTR, lc, &lo), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e),
                        "canonical ABI: string (ptr 0xffff0, 2 bytes) out of bounds of memory (65536 bytes)");
}

/* host values that do not fit their type trap with a message (never crash) */
static void test_trap_host_values(void **state)
{
    env *e = *state;
    canon_cx *cx = &e->a.cx;
    FUNC1(F_PTV, &T_PT, NULL);
    FUNC1(F_OPTU, &T_OPT_U32, NULL);
    FUNC1(F_LU8, &T_LIST_U8, NULL);
    uint64_t core[4];
    weld_cval one[1] = {cv_u(1)}, r = cv_items(one, 1);
    assert_int_equal(canon_lower_params(cx, &F_PTV, &r, core), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: a record value of 1 items where its type has 2");
    weld_cval some = cv_var(1, NULL);
    assert_int_equal(canon_lower_params(cx, &F_OPTU, &some, core), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: case 1 of the option value has no payload");
    weld_cval nolist = cv_items(NULL, 3);
    assert_int_equal(canon_lower_params(cx, &F_LU8, &nolist, core), WELD_ERR_TRAP);
    assert_string_equal(trapmsg(e), "canonical ABI: a list value without items");
    /* a list of numbers given as items rather than packed bytes is accepted */
    weld_cval its[2] = {cv_u(7), cv_u(300)}, l = cv_items(its, 2), out;
    assert_int_equal(canon_lower_params(cx, &F_LU8, &l, core), WELD_OK);
    assert_int_equal(canon_lift_params(cx, &F_LU8, core, &out), WELD_OK);
    assert_int_equal(out.u.list.count, 2);
    assert_null(out.u.list.items);
    assert_int_equal(((uint8_t *)out.u.list.bytes)[0], 7);
    assert_int_equal(((uint8_t *)out.u.list.bytes)[1], 300 & 0xFF);
    weld_cval_free(&out);
}

/* Random memory and random core values: lifting and transferring either succeed or trap,
 * never read or write out of bounds (run under ASan), never leak. */
static uint64_t rnd(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 33;
}

static void test_random_inputs(void **state)
{
    env *e = *state;
    side *a = &e->a, *b = &e->b;
    FUNC1(F_RES, &T_RES, NULL);
    FUNC1(F_TUP, &T_TUP, NULL);
    const weld_tnode *fts[] = {&F_BIG, &F_LIST_ENT, &F_LSTR, &F_VAR, &F_RES, &F_TUP, &F_STR, &F_OWN, &F_BORROW};
    uint64_t seed = 12345;
    uint32_t ok = 0, trapped = 0;
    add_own(a, e->file, 1);
    for (int it = 0; it < 3000; it++) {
        /* a small region of structured-looking data: small numbers and in-range pointers */
        for (uint32_t k = 0; k < 4096; k += 4) {
            uint32_t r = (uint32_t)rnd(&seed), v;
            switch (r % 4) {
            case 0: v = r % 8; break;
            case 1: v = 4096 + (r >> 4) % 2048; break;
            case 2: v = (r >> 3) % 64; break;
            default: v = r; break;
            }
            memcpy(a->mem->data + 4096 + k, &v, 4);
        }
        a->o.encoding = (uint8_t)(rnd(&seed) % 3);
        b->o.encoding = (uint8_t)(rnd(&seed) % 3);
        const weld_tnode *ft = fts[rnd(&seed) % (sizeof fts / sizeof fts[0])];
        uint64_t core[CANON_MAX_FLAT_PARAMS + 1], to[CANON_MAX_FLAT_PARAMS + 1];
        for (int k = 0; k <= CANON_MAX_FLAT_PARAMS; k++) {
            uint64_t r = rnd(&seed);
            core[k] = r % 3 == 0 ? r % 5 : r % 3 == 1 ? 4096 + (r >> 2) % 4096 : r;
        }
        weld_cval out[NBIG];
        weld_status st = canon_lift_params(&a->cx, ft, core, out);
        assert_true(st == WELD_OK || st == WELD_ERR_TRAP);
        if (st == WELD_OK) {
            ok++;
            for (uint32_t k = 0; k < ft->u.func.nparams; k++) weld_cval_free(&out[k]);
        } else {
            trapped++;
        }
        b->bump = 1024;
        st = canon_transfer_params(&a->cx, ft, &b->cx, ft, core, to);
        assert_true(st == WELD_OK || st == WELD_ERR_TRAP);
        crt_scope_end(&e->scope);
        e->scope.borrow_count = 0;
        a->bump = 8192 + 1024;
    }
    assert_true(ok > 0);
    assert_true(trapped > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_layout_prims),
        T(test_layout_compound),
        T(test_layout_over),
        T(test_sig),
        T(test_cval_helpers),
        T(test_table),
        T(test_scalars_flat),
        T(test_lift_rules),
        T(test_variant_flat),
        T(test_spilled_params),
        T(test_results_memory),
        T(test_strings_utf8),
        T(test_strings_utf16),
        T(test_strings_latin1_utf16),
        T(test_strings_lift),
        T(test_transfer_strings),
        T(test_transfer_lists),
        T(test_transfer_spilled),
        T(test_transfer_flat),
        T(test_transfer_shared_memory),
        T(test_transfer_empty_and_fixed),
        T(test_handles_host),
        T(test_handles_transfer),
        T(test_trap_string_oob),
        T(test_trap_string_align),
        T(test_trap_list_align),
        T(test_trap_utf8),
        T(test_trap_utf16),
        T(test_trap_char),
        T(test_trap_discriminant),
        T(test_flags_unknown_bits),
        T(test_trap_realloc),
        T(test_trap_handles),
        T(test_trap_spilled_bounds),
        T(test_trap_host_values),
        T(test_random_inputs),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
