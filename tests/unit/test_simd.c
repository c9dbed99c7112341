/* test_simd.c - the SIMD semantics library against the spec testsuite's vectors.
 *
 * One test per 0xFD opcode runs every vector of tests/unit/simd_vectors.h for it (generated
 * by gen_simd_vectors.py from the spec's simd_*.wast and relaxed-simd files) through
 * weld_simd_impl_of(), on the library's fast path and on the portable path (this file
 * compiles src/rt/simd.c a second time with WELD_SIMD_PORTABLE), and checks both results.
 * Assertions whose function is straight-line code of several SIMD instructions run as
 * small programs on both paths.
 * Further tests compare the two paths on pseudo-random and special inputs for every
 * operation, and check the table's coverage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rt/simd.h"

/* The portable path, compiled into this test under other names. */
#define WELD_SIMD_PORTABLE 1
#define WELD_SIMD_API(name) portable_##name
#include "rt/simd.c"

typedef struct simd_vector {
    uint16_t op;
    const char *file;
    int line;
    const char *imm, *args, *expected;
} simd_vector;

static const simd_vector vectors[] = {
#include "simd_vectors.h"
};
#define NVECTORS (sizeof vectors / sizeof vectors[0])

/* ---- decoding the vector strings ----------------------------------------------------- */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10;
}

/* Reads n bytes of hex from s into out; returns the end of the hex. */
static const char *hexbytes(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++, s += 2) out[i] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
    return s;
}

/* One operand: a v128, memory bytes, or the little-endian bits of a scalar. */
typedef struct operand {
    char type; /* v i l f d m */
    weld_v128 v;
    uint64_t bits;
} operand;

/* Parses at most max operands of s into out; returns how many s holds (may exceed max). */
static int parse_args(const char *s, operand *out, int max)
{
    int n = 0;
    while (*s) {
        if (n == max) return n + 1;
        operand *o = &out[n++];
        o->type = s[0];
        s += 2;
        size_t len = strcspn(s, " ") / 2;
        if (len > 16) return max + 1;
        uint8_t b[16] = {0};
        s = hexbytes(s, b, len);
        memcpy(o->v.u8, b, 16);
        o->bits = 0;
        for (size_t i = 0; i < len && i < 8; i++) o->bits |= (uint64_t)b[i] << (8 * i);
        if (*s == ' ') s++;
    }
    return n;
}

/* A computed result: a v128 or a scalar's bits. */
typedef struct result {
    bool scalar;
    weld_v128 v;
    uint64_t bits;
} result;

/* Runs vector t through impl; false when the shape does not fit the kind. */
static bool run(weld_simd_impl impl, const simd_vector *t, result *r)
{
    operand a[3];
    uint8_t imm[16] = {0};
    int n = parse_args(t->args, a, 3);
    hexbytes(t->imm, imm, strlen(t->imm) / 2);
    r->scalar = false;
    memset(&r->v, 0, sizeof r->v);
    r->bits = 0;
    uint8_t mem[16] = {0};
    switch (impl.kind) {
    case WELD_SIMD_LOAD: /* v128.const reads its immediate, loads the memory operand */
        if (n == 0) {
            r->v = impl.fn.load(imm);
            return true;
        }
        r->v = impl.fn.load(a[0].v.u8);
        return n == 1 && a[0].type == 'm';
    case WELD_SIMD_LOAD_LANE:
        r->v = impl.fn.load_lane(a[1].v, imm[0], a[0].v.u8);
        return n == 2 && a[0].type == 'm';
    case WELD_SIMD_STORE: /* stored into zeroed memory, read back as a v128 */
        impl.fn.store(mem, a[0].v);
        memcpy(r->v.u8, mem, 16);
        return n == 1;
    case WELD_SIMD_STORE_LANE: /* stored into zeroed memory, read back as an i64 */
        r->scalar = true;
        impl.fn.store_lane(mem, a[0].v, imm[0]);
        memcpy(&r->bits, mem, 8);
        return n == 1;
    case WELD_SIMD_SPLAT: r->v = impl.fn.splat(a[0].bits); return n == 1;
    case WELD_SIMD_EXTRACT:
        r->scalar = true;
        r->bits = impl.fn.extract(a[0].v, imm[0]);
        return n == 1;
    case WELD_SIMD_REPLACE: r->v = impl.fn.replace(a[0].v, imm[0], a[1].bits); return n == 2;
    case WELD_SIMD_SHUFFLE: r->v = impl.fn.shuffle(a[0].v, a[1].v, imm); return n == 2;
    case WELD_SIMD_UNARY: r->v = impl.fn.unary(a[0].v); return n == 1;
    case WELD_SIMD_BINARY: r->v = impl.fn.binary(a[0].v, a[1].v); return n == 2;
    case WELD_SIMD_TERNARY: r->v = impl.fn.ternary(a[0].v, a[1].v, a[2].v); return n == 3;
    case WELD_SIMD_TEST:
        r->scalar = true;
        r->bits = impl.fn.test(a[0].v);
        return n == 1;
    case WELD_SIMD_SHIFT: r->v = impl.fn.shift(a[0].v, (uint32_t)a[1].bits); return n == 2;
    default: return false;
    }
}

/* Whether lane bits x of the given width match token tok (hex, C or A). */
static bool lane_matches(uint64_t x, unsigned bits, bool is_float, const char *tok)
{
    uint64_t mask = bits == 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
    x &= mask;
    if (tok[0] == 'C' || tok[0] == 'A') {
        unsigned mant = bits == 32 ? 23 : 52;
        uint64_t expo = (mask >> (mant + 1)) << mant, quiet = (uint64_t)1 << (mant - 1);
        uint64_t payload = x & (((uint64_t)1 << mant) - 1);
        if (!is_float || (x & expo) != expo || !(payload & quiet)) return false;
        return tok[0] == 'A' || payload == quiet;
    }
    return x == strtoull(tok, NULL, 16);
}

/* Whether r matches one alternative "T:shape:lanes" (length len). */
static bool alt_matches(const result *r, const char *alt, size_t len)
{
    char buf[512];
    if (len >= sizeof buf) return false;
    memcpy(buf, alt, len);
    buf[len] = 0;
    char type = buf[0], *shape = buf + 2, *lanes = strchr(shape, ':');
    if (!lanes) return false;
    *lanes++ = 0;
    if (type != 'v') {
        unsigned bits = type == 'l' || type == 'd' ? 64 : 32;
        return r->scalar && lane_matches(r->bits, bits, type == 'f' || type == 'd', lanes);
    }
    if (r->scalar) return false;
    unsigned bits = (unsigned)atoi(shape + 1), n = 128 / bits;
    bool is_float = shape[0] == 'f';
    char *save = NULL, *tok = strtok_r(lanes, ",", &save);
    for (unsigned i = 0; i < n; i++, tok = strtok_r(NULL, ",", &save)) {
        if (!tok) return false;
        uint64_t x = 0;
        memcpy(&x, r->v.u8 + i * bits / 8, bits / 8);
        if (!lane_matches(x, bits, is_float, tok)) return false;
    }
    return true;
}

static bool matches(const result *r, const char *expected)
{
    for (const char *p = expected;;) {
        size_t len = strcspn(p, "|");
        if (alt_matches(r, p, len)) return true;
        if (!p[len]) return false;
        p += len + 1;
    }
}

static void describe(const result *r, char *out, size_t n)
{
    if (r->scalar) {
        snprintf(out, n, "0x%llx", (unsigned long long)r->bits);
        return;
    }
    for (unsigned i = 0; i < 16 && n > 2; i++, out += 2, n -= 2) snprintf(out, n, "%02x", r->v.u8[i]);
}

/* ---- per-opcode tests ---------------------------------------------------------------- */

/* Count of 0xFD opcodes in the table. */
#define IS_FD_0x00 0
#define IS_FD_0xFC 0
#define IS_FD_0xFE 0
#define IS_FD_0xFD 1
enum {
    N_FD = 0
#define OP(id, name, prefix, code, imm, sig, arg) + IS_FD_##prefix
#include "binary/opcodes.def"
#undef OP
};

static void test_opcode(void **state)
{
    weld_opcode op = (weld_opcode)(uintptr_t)*state;
    weld_simd_impl fast = weld_simd_impl_of(op), port = portable_simd_impl_of(op);
    assert_int_not_equal(fast.kind, WELD_SIMD_NONE);
    assert_int_equal(fast.kind, port.kind);
    size_t count = 0, failed = 0;
    for (size_t i = 0; i < NVECTORS; i++) {
        const simd_vector *t = &vectors[i];
        if (t->op != op) continue;
        count++;
        result rf, rp;
        bool ok = run(fast, t, &rf) && run(port, t, &rp);
        if (ok && matches(&rf, t->expected) && matches(&rp, t->expected) &&
            rf.scalar == rp.scalar && rf.bits == rp.bits && !memcmp(&rf.v, &rp.v, 16))
            continue;
        char got[40] = "", gotp[40] = "";
        if (ok) {
            describe(&rf, got, sizeof got);
            describe(&rp, gotp, sizeof gotp);
        }
        if (failed++ < 5)
            print_error("%s:%d %s(%s): got %s (portable %s), expected %s\n", t->file, t->line,
                        weld_opinfos[op].name, t->args, got, gotp, t->expected);
    }
    if (count == 0) print_error("%s: no spec vectors\n", weld_opinfos[op].name);
    assert_true(count > 0);
    assert_int_equal(failed, 0);
}

/* ---- straight-line programs (WELD_OP_COUNT rows) -------------------------------------- */

typedef weld_simd_impl (*impl_of_fn)(weld_opcode op);

/* The 0xFD opcode with text name name (length n), or WELD_OP_COUNT. */
static weld_opcode opcode_named(const char *name, size_t n)
{
    for (unsigned op = 0; op < WELD_OP_COUNT; op++)
        if (weld_opinfos[op].prefix == 0xFD && strlen(weld_opinfos[op].name) == n &&
            !memcmp(weld_opinfos[op].name, name, n))
            return (weld_opcode)op;
    return WELD_OP_COUNT;
}

static void push_operand(result *stack, int *sp, const operand *o)
{
    result *r = &stack[(*sp)++];
    r->scalar = o->type != 'v';
    r->v = o->v;
    r->bits = o->bits;
}

/* Runs program t->imm on the arguments with the implementations of impl_of. */
static bool run_program(impl_of_fn impl_of, const simd_vector *t, result *out)
{
    operand args[8], c;
    result stack[16];
    int sp = 0, nargs = parse_args(t->args, args, 8);
    char tok[128];
    for (const char *p = t->imm; *p;) {
        size_t len = strcspn(p, " ");
        if (len >= sizeof tok || sp >= 14) return false;
        memcpy(tok, p, len);
        tok[len] = 0;
        p += len + (p[len] == ' ');
        if (tok[0] == 'p') {
            int k = atoi(tok + 1);
            if (k >= nargs || k >= 8) return false;
            push_operand(stack, &sp, &args[k]);
            continue;
        }
        if (tok[1] == ':') {
            if (parse_args(tok, &c, 1) != 1) return false;
            push_operand(stack, &sp, &c);
            continue;
        }
        size_t n = strcspn(tok, "@");
        uint8_t imm[16] = {0};
        if (tok[n] == '@') hexbytes(tok + n + 1, imm, strlen(tok + n + 1) / 2);
        weld_simd_impl f = impl_of(opcode_named(tok, n));
        result r = {0};
        int need = f.kind == WELD_SIMD_TERNARY ? 3
                 : f.kind == WELD_SIMD_BINARY || f.kind == WELD_SIMD_SHUFFLE ||
                           f.kind == WELD_SIMD_SHIFT || f.kind == WELD_SIMD_REPLACE ? 2
                                                                                      : 1;
        if (f.kind == WELD_SIMD_NONE || sp < need) return false;
        result *a = &stack[sp - need];
        switch (f.kind) {
        case WELD_SIMD_SPLAT: r.v = f.fn.splat(a[0].bits); break;
        case WELD_SIMD_EXTRACT: r.scalar = true; r.bits = f.fn.extract(a[0].v, imm[0]); break;
        case WELD_SIMD_REPLACE: r.v = f.fn.replace(a[0].v, imm[0], a[1].bits); break;
        case WELD_SIMD_SHUFFLE: r.v = f.fn.shuffle(a[0].v, a[1].v, imm); break;
        case WELD_SIMD_UNARY: r.v = f.fn.unary(a[0].v); break;
        case WELD_SIMD_BINARY: r.v = f.fn.binary(a[0].v, a[1].v); break;
        case WELD_SIMD_TERNARY: r.v = f.fn.ternary(a[0].v, a[1].v, a[2].v); break;
        case WELD_SIMD_TEST: r.scalar = true; r.bits = f.fn.test(a[0].v); break;
        case WELD_SIMD_SHIFT: r.v = f.fn.shift(a[0].v, (uint32_t)a[1].bits); break;
        default: return false;
        }
        sp -= need;
        stack[sp++] = r;
    }
    if (sp != 1) return false;
    *out = stack[0];
    return true;
}

/* Spec assertions whose function is straight-line code of several SIMD instructions. */
static void test_programs(void **state)
{
    (void)state;
    size_t count = 0, failed = 0;
    for (size_t i = 0; i < NVECTORS; i++) {
        const simd_vector *t = &vectors[i];
        if (t->op != WELD_OP_COUNT) continue;
        count++;
        result rf, rp;
        if (run_program(weld_simd_impl_of, t, &rf) && run_program(portable_simd_impl_of, t, &rp) &&
            matches(&rf, t->expected) && matches(&rp, t->expected))
            continue;
        if (failed++ < 5)
            print_error("%s:%d program %s (%s): expected %s\n", t->file, t->line, t->imm,
                        t->args, t->expected);
    }
    assert_true(count > 0);
    assert_int_equal(failed, 0);
}

/* ---- fast path against portable path on many inputs ---------------------------------- */

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Fills v with random lanes, some replaced by special values of the lane type. */
static void random_v128(uint64_t *s, weld_v128 *v)
{
    static const uint32_t f32s[] = {0x7fc00000, 0xffc00000, 0x7fa00001, 0x7f800000,
                                    0xff800000, 0x80000000, 0, 0x3f000000, 0xbfc00000,
                                    0x4f000000, 0xcf000000, 0x4f800000, 0x00000001};
    static const uint64_t f64s[] = {0x7ff8000000000000, 0xfff8000000000000,
                                    0x7ff4000000000001, 0x7ff0000000000000,
                                    0x8000000000000000, 0x3fe0000000000000,
                                    0x41e0000000000000, 0xc1e0000000200000, 1};
    v->u64[0] = rng(s);
    v->u64[1] = rng(s);
    uint64_t pick = rng(s);
    if (pick % 3 == 0)
        for (unsigned i = 0; i < 4; i++) v->u32[i] = f32s[rng(s) % (sizeof f32s / 4)];
    else if (pick % 3 == 1)
        for (unsigned i = 0; i < 2; i++) v->u64[i] = f64s[rng(s) % (sizeof f64s / 8)];
}

static void test_fast_matches_portable(void **state)
{
    (void)state;
    uint64_t s = 0x9e3779b97f4a7c15u;
    unsigned ops = 0;
    for (unsigned op = 0; op < WELD_OP_COUNT; op++) {
        weld_simd_impl f = weld_simd_impl_of((weld_opcode)op);
        weld_simd_impl p = portable_simd_impl_of((weld_opcode)op);
        if (f.kind == WELD_SIMD_NONE) continue;
        ops++;
        for (int iter = 0; iter < 2000; iter++) {
            weld_v128 a, b, c, rf, rp;
            uint8_t mem[16], memf[16], memp[16], lanes[16];
            random_v128(&s, &a);
            random_v128(&s, &b);
            random_v128(&s, &c);
            for (unsigned i = 0; i < 16; i++) {
                mem[i] = (uint8_t)rng(&s);
                lanes[i] = (uint8_t)(rng(&s) & 31);
            }
            unsigned lane = (unsigned)rng(&s) & 15;
            uint32_t count = (uint32_t)rng(&s) & 255;
            memset(&rf, 0, 16);
            memset(&rp, 0, 16);
            memcpy(memf, mem, 16);
            memcpy(memp, mem, 16);
            uint64_t sf = 0, sp = 0;
            switch (f.kind) {
            case WELD_SIMD_LOAD: rf = f.fn.load(mem); rp = p.fn.load(mem); break;
            case WELD_SIMD_STORE: f.fn.store(memf, a); p.fn.store(memp, a); break;
            case WELD_SIMD_LOAD_LANE:
                rf = f.fn.load_lane(a, lane, mem);
                rp = p.fn.load_lane(a, lane, mem);
                break;
            case WELD_SIMD_STORE_LANE:
                f.fn.store_lane(memf, a, lane);
                p.fn.store_lane(memp, a, lane);
                break;
            case WELD_SIMD_SPLAT: rf = f.fn.splat(b.u64[0]); rp = p.fn.splat(b.u64[0]); break;
            case WELD_SIMD_EXTRACT: sf = f.fn.extract(a, lane); sp = p.fn.extract(a, lane); break;
            case WELD_SIMD_REPLACE:
                rf = f.fn.replace(a, lane, b.u64[0]);
                rp = p.fn.replace(a, lane, b.u64[0]);
                break;
            case WELD_SIMD_SHUFFLE:
                rf = f.fn.shuffle(a, b, lanes);
                rp = p.fn.shuffle(a, b, lanes);
                break;
            case WELD_SIMD_UNARY: rf = f.fn.unary(a); rp = p.fn.unary(a); break;
            case WELD_SIMD_BINARY: rf = f.fn.binary(a, b); rp = p.fn.binary(a, b); break;
            case WELD_SIMD_TERNARY:
                rf = f.fn.ternary(a, b, c);
                rp = p.fn.ternary(a, b, c);
                break;
            case WELD_SIMD_TEST: sf = f.fn.test(a); sp = p.fn.test(a); break;
            case WELD_SIMD_SHIFT: rf = f.fn.shift(a, count); rp = p.fn.shift(a, count); break;
            case WELD_SIMD_NONE: break;
            }
            if (memcmp(&rf, &rp, 16) || sf != sp || memcmp(memf, memp, 16)) {
                print_error("%s: fast and portable paths differ (iteration %d)\n",
                            weld_opinfos[op].name, iter);
                fail();
            }
        }
    }
    assert_int_equal(ops, N_FD);
}

/* Every 0xFD opcode has an implementation of a definite kind; no other opcode has one. */
static void test_table_coverage(void **state)
{
    (void)state;
    unsigned fd = 0;
    for (unsigned op = 0; op < WELD_OP_COUNT; op++) {
        weld_simd_impl impl = weld_simd_impl_of((weld_opcode)op);
        bool is_fd = weld_opinfos[op].prefix == 0xFD;
        assert_int_equal(impl.kind != WELD_SIMD_NONE, is_fd);
        assert_int_equal(impl.fn.unary != NULL, is_fd);
        fd += is_fd;
        unsigned size = weld_simd_access_size((weld_opcode)op);
        bool memory = impl.kind == WELD_SIMD_LOAD || impl.kind == WELD_SIMD_STORE ||
                      impl.kind == WELD_SIMD_LOAD_LANE || impl.kind == WELD_SIMD_STORE_LANE;
        assert_int_equal(size != 0, memory);
    }
    assert_int_equal(fd, N_FD);
    assert_int_equal(weld_simd_access_size(WELD_OP_V128_LOAD8X8_S), 8);
    assert_int_equal(weld_simd_access_size(WELD_OP_V128_LOAD16_LANE), 2);
    assert_int_equal(weld_simd_access_size(WELD_OP_V128_CONST), 16);
    assert_int_equal(weld_simd_access_size(WELD_OP_I32_ADD), 0);
    assert_string_equal(portable_simd_backend(), "portable");
}

int main(void)
{
    static struct CMUnitTest tests[N_FD + 3];
    unsigned n = 0;
    for (unsigned op = 0; op < WELD_OP_COUNT; op++) {
        if (weld_opinfos[op].prefix != 0xFD) continue;
        tests[n].name = weld_opinfos[op].name;
        tests[n].test_func = test_opcode;
        tests[n].initial_state = (void *)(uintptr_t)op;
        n++;
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_programs);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fast_matches_portable);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_table_coverage);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
