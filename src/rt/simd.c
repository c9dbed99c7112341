/* simd.c - the lookup table from 0xFD opcodes to their operations (see simd.h for the
 * contract, simd_ops.h for the operations).
 *
 * The unit test compiles this file a second time with WELD_SIMD_PORTABLE defined and
 * WELD_SIMD_API renaming the entry points, and checks that both paths agree bit for bit.
 */
#ifndef WELD_SIMD_API
#define WELD_SIMD_API(name) weld_##name
#endif

#include "rt/simd_ops.h"

/* ---- the table: one entry per 0xFD opcode of opcodes.def ----------------------------- */

typedef void (*generic_fn)(void);
#define IMPL_0x00(id) NULL
#define IMPL_0xFC(id) NULL
#define IMPL_0xFE(id) NULL
#define IMPL_0xFD(id) (generic_fn)weld_simd_##id
static const generic_fn simd_impls[WELD_OP_COUNT] = {
#define OP(id, name, prefix, code, imm, sig, arg) [WELD_OP_##id] = IMPL_##prefix(id),
#include "binary/opcodes.def"
#undef OP
};

/* The shape of a 0xFD opcode, from its immediate kind and operand signature. */
static weld_simd_kind kind_of(const weld_opinfo *info)
{
    const char *s = info->sig;
    switch (info->imm) {
    case WELD_IMM_V128: return WELD_SIMD_LOAD;
    case WELD_IMM_MEMARG: return strcmp(s, "iv:") == 0 ? WELD_SIMD_STORE : WELD_SIMD_LOAD;
    case WELD_IMM_MEMARG_LANE:
        return strcmp(s, "iv:") == 0 ? WELD_SIMD_STORE_LANE : WELD_SIMD_LOAD_LANE;
    case WELD_IMM_LANE: return s[0] == 'v' && s[1] == ':' ? WELD_SIMD_EXTRACT : WELD_SIMD_REPLACE;
    case WELD_IMM_SHUFFLE: return WELD_SIMD_SHUFFLE;
    default: break;
    }
    if (strcmp(s, "v:v") == 0) return WELD_SIMD_UNARY;
    if (strcmp(s, "vv:v") == 0) return WELD_SIMD_BINARY;
    if (strcmp(s, "vvv:v") == 0) return WELD_SIMD_TERNARY;
    if (strcmp(s, "v:i") == 0) return WELD_SIMD_TEST;
    if (strcmp(s, "vi:v") == 0) return WELD_SIMD_SHIFT;
    return WELD_SIMD_SPLAT;
}

weld_simd_impl WELD_SIMD_API(simd_impl_of)(weld_opcode op)
{
    weld_simd_impl r;
    memset(&r, 0, sizeof r);
    if ((unsigned)op >= WELD_OP_COUNT || !simd_impls[op]) return r;
    generic_fn f = simd_impls[op];
    r.kind = kind_of(&weld_opinfos[op]);
    switch (r.kind) {
    case WELD_SIMD_LOAD: r.fn.load = (weld_simd_load_fn)f; break;
    case WELD_SIMD_STORE: r.fn.store = (weld_simd_store_fn)f; break;
    case WELD_SIMD_LOAD_LANE: r.fn.load_lane = (weld_simd_load_lane_fn)f; break;
    case WELD_SIMD_STORE_LANE: r.fn.store_lane = (weld_simd_store_lane_fn)f; break;
    case WELD_SIMD_SPLAT: r.fn.splat = (weld_simd_splat_fn)f; break;
    case WELD_SIMD_EXTRACT: r.fn.extract = (weld_simd_extract_fn)f; break;
    case WELD_SIMD_REPLACE: r.fn.replace = (weld_simd_replace_fn)f; break;
    case WELD_SIMD_SHUFFLE: r.fn.shuffle = (weld_simd_shuffle_fn)f; break;
    case WELD_SIMD_UNARY: r.fn.unary = (weld_simd_unary_fn)f; break;
    case WELD_SIMD_BINARY: r.fn.binary = (weld_simd_binary_fn)f; break;
    case WELD_SIMD_TERNARY: r.fn.ternary = (weld_simd_ternary_fn)f; break;
    case WELD_SIMD_TEST: r.fn.test = (weld_simd_test_fn)f; break;
    case WELD_SIMD_SHIFT: r.fn.shift = (weld_simd_shift_fn)f; break;
    case WELD_SIMD_NONE: break;
    }
    return r;
}

unsigned WELD_SIMD_API(simd_access_size)(weld_opcode op)
{
    if ((unsigned)op >= WELD_OP_COUNT || !simd_impls[op]) return 0;
    const weld_opinfo *info = &weld_opinfos[op];
    if (info->imm == WELD_IMM_V128) return 16;
    if (info->imm == WELD_IMM_MEMARG || info->imm == WELD_IMM_MEMARG_LANE) return 1u << info->arg;
    return 0;
}

const char *WELD_SIMD_API(simd_backend)(void)
{
    return WELD_SIMD_SSE2 ? "sse2" : WELD_SIMD_VEC ? "vector" : "portable";
}
