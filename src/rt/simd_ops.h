/* simd_ops.h - the 0xFD operations themselves, as static inline functions named
 * weld_simd_<ID> after the opcode table's ids (weld_simd_I8X16_ADD, ...), with the calling
 * shapes of weld_simd_kind (simd.h). src/rt/simd.c builds the lookup table from them; an
 * interpreter may include this header to call them directly and let the compiler inline
 * them into its handlers.
 *
 * Every operation has a portable C definition. Where the compiler offers GCC/Clang vector
 * extensions or SSE2 intrinsics, some operations use them instead (the SIMD_BINV,
 * SIMD_BINS and SIMD_SHIFTS templates and the SSE2 bitmasks); defining WELD_SIMD_PORTABLE
 * before including this header selects the portable path only. Both give bit-identical
 * results (tests/unit/test_simd.c and tests/cli/simd_determinism.sh check it).
 *
 * Which operations take a fast path was measured: a weld_v128 argument travels in two
 * general registers on x86-64 when it is not inlined, so operations on 64-bit lanes (and a
 * few others) are faster as scalar code and stay portable.
 *
 * Floating point determinism: results go through memory-typed values (no excess precision
 * on FLT_EVAL_METHOD == 0 targets; on x87-only hosts build with -msse2 -mfpmath=sse), and
 * no expression here has the a*b+c shape a compiler may contract into an FMA (fused
 * multiply-add is only used explicitly, through fma()), so -O0 and -O2 agree.
 */
#ifndef WELD_RT_SIMD_OPS_H
#define WELD_RT_SIMD_OPS_H

#include "rt/simd.h"
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#if !defined(WELD_SIMD_PORTABLE) && (defined(__GNUC__) || defined(__clang__))
#define WELD_SIMD_VEC 1
#else
#define WELD_SIMD_VEC 0
#endif
#if WELD_SIMD_VEC && defined(__SSE2__)
#include <emmintrin.h>
#define WELD_SIMD_SSE2 1
#else
#define WELD_SIMD_SSE2 0
#endif
/* Float vectors only where the vector unit computes in the element type (not x87). */
#if WELD_SIMD_VEC && (defined(__SSE2__) || defined(__aarch64__)) && FLT_EVAL_METHOD == 0
#define WELD_SIMD_VECF 1
#else
#define WELD_SIMD_VECF 0
#endif

#define SIMD_CANON32 UINT32_C(0x7fc00000)
#define SIMD_CANON64 UINT64_C(0x7ff8000000000000)

/* ---- scalar float helpers ----------------------------------------------------------- */

/* Bits of f, or the canonical NaN when f is a NaN. */
static inline uint32_t simd_bits32(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return f != f ? SIMD_CANON32 : u;
}
static inline uint64_t simd_bits64(double f)
{
    uint64_t u;
    memcpy(&u, &f, 8);
    return f != f ? SIMD_CANON64 : u;
}

#if FLT_EVAL_METHOD != 0
/* Rounds away excess precision (x87): a store to a float-typed object. */
static inline float simd_r32(float x) { volatile float v = x; return v; }
static inline double simd_r64(double x) { volatile double v = x; return v; }
#else
#define simd_r32(x) (x)
#define simd_r64(x) (x)
#endif

/* Wasm fmin/fmax: NaN if either is NaN, -0 below +0. */
static inline uint32_t simd_fmin32(float x, float y, uint32_t xb, uint32_t yb)
{
    if (x != x || y != y) return SIMD_CANON32;
    if (x == y) return xb | yb; /* equal: only ±0 can differ, and -0 has the sign bit */
    return x < y ? xb : yb;
}
static inline uint32_t simd_fmax32(float x, float y, uint32_t xb, uint32_t yb)
{
    if (x != x || y != y) return SIMD_CANON32;
    if (x == y) return xb & yb;
    return x > y ? xb : yb;
}
static inline uint64_t simd_fmin64(double x, double y, uint64_t xb, uint64_t yb)
{
    if (x != x || y != y) return SIMD_CANON64;
    if (x == y) return xb | yb;
    return x < y ? xb : yb;
}
static inline uint64_t simd_fmax64(double x, double y, uint64_t xb, uint64_t yb)
{
    if (x != x || y != y) return SIMD_CANON64;
    if (x == y) return xb & yb;
    return x > y ? xb : yb;
}

/* Saturating float to int truncations (NaN gives 0). */
static inline int32_t simd_sat_s32(double x)
{
    if (x != x) return 0;
    if (x >= 2147483648.0) return INT32_MAX;
    if (x <= -2147483649.0) return INT32_MIN;
    return (int32_t)x;
}
static inline uint32_t simd_sat_u32(double x)
{
    if (x != x || x <= -1.0) return 0;
    if (x >= 4294967296.0) return UINT32_MAX;
    return (uint32_t)x;
}

/* ---- integer helpers ---------------------------------------------------------------- */

static inline int32_t simd_clamp(int32_t x, int32_t lo, int32_t hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}
/* Arithmetic right shift without relying on implementation-defined >> of negatives. */
static inline int64_t simd_sar64(int64_t x, unsigned n)
{
    return x < 0 ? ~(~x >> n) : x >> n;
}

/* ---- vector extension types ---------------------------------------------------------- */

#if WELD_SIMD_VEC
typedef int8_t simd_v_i8 __attribute__((vector_size(16)));
typedef uint8_t simd_v_u8 __attribute__((vector_size(16)));
typedef int16_t simd_v_i16 __attribute__((vector_size(16)));
typedef uint16_t simd_v_u16 __attribute__((vector_size(16)));
typedef int32_t simd_v_i32 __attribute__((vector_size(16)));
typedef uint32_t simd_v_u32 __attribute__((vector_size(16)));
typedef int64_t simd_v_i64 __attribute__((vector_size(16)));
typedef uint64_t simd_v_u64 __attribute__((vector_size(16)));
typedef float simd_v_f32 __attribute__((vector_size(16)));
typedef double simd_v_f64 __attribute__((vector_size(16)));
#define SIMD_TOV(VT, v) ({ VT t_; memcpy(&t_, &(v), 16); t_; })
#define SIMD_FROMV(v) ({ weld_v128 t_; memcpy(&t_, &(v), 16); t_; })
/* Lanewise select by an all-ones/all-zeros mask m (C has no vector ?:). */
#define SIMD_VSEL(m, a, b) ((__typeof__(a))((((__typeof__(m))(a)) & (m)) | (((__typeof__(m))(b)) & ~(m))))
#endif

/* ---- operation templates -------------------------------------------------------------
 * x, y, z name lane i of a, b, c in the view V (N lanes of type T). */

#define SIMD_UN(id, V, N, T, EXPR)                                                          \
    static inline weld_v128 weld_simd_##id(weld_v128 a)                                     \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) {                                                  \
            T x = a.V[i];                                                                   \
            r.V[i] = (EXPR);                                                                \
        }                                                                                   \
        return r;                                                                           \
    }
#define SIMD_BIN(id, V, N, T, EXPR)                                                         \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b)                        \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) {                                                  \
            T x = a.V[i], y = b.V[i];                                                       \
            (void)x;                                                                        \
            r.V[i] = (EXPR);                                                                \
        }                                                                                   \
        return r;                                                                           \
    }
/* Vector-extension form: x, y are whole vectors of type VT. */
#define SIMD_BINV_(id, VT, VEXPR)                                                           \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b)                        \
    {                                                                                       \
        VT x = SIMD_TOV(VT, a), y = SIMD_TOV(VT, b);                                        \
        VT r = (VT)(VEXPR);                                                                 \
        return SIMD_FROMV(r);                                                               \
    }
/* SSE2 form: one intrinsic on two __m128i. */
#define SIMD_BINS_(id, FN)                                                                  \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b)                        \
    {                                                                                       \
        __m128i r = FN(_mm_loadu_si128((const __m128i *)a.u8),                              \
                       _mm_loadu_si128((const __m128i *)b.u8));                             \
        weld_v128 o;                                                                        \
        _mm_storeu_si128((__m128i *)o.u8, r);                                               \
        return o;                                                                           \
    }
#if WELD_SIMD_VEC
#define SIMD_BINV(id, V, N, T, EXPR, VT, VEXPR) SIMD_BINV_(id, VT, VEXPR)
#else
#define SIMD_BINV(id, V, N, T, EXPR, VT, VEXPR) SIMD_BIN(id, V, N, T, EXPR)
#endif
#if WELD_SIMD_SSE2
#define SIMD_BINS(id, V, N, T, EXPR, FN) SIMD_BINS_(id, FN)
#else
#define SIMD_BINS(id, V, N, T, EXPR, FN) SIMD_BIN(id, V, N, T, EXPR)
#endif

/* All-ones lane when C holds. */
#define SIMD_M(T, C) ((C) ? (T) - 1 : (T)0)

/* ---- v128.const, loads and stores ---------------------------------------------------- */

static inline weld_v128 weld_simd_V128_CONST(const uint8_t *p)
{
    weld_v128 r;
    memcpy(r.u8, p, 16);
    return r;
}
static inline weld_v128 weld_simd_V128_LOAD(const uint8_t *p) { return weld_simd_V128_CONST(p); }
static inline void weld_simd_V128_STORE(uint8_t *p, weld_v128 v) { memcpy(p, v.u8, 16); }

#define SIMD_LOAD_EXT(id, SRC, DST, N)                                                      \
    static inline weld_v128 weld_simd_##id(const uint8_t *p)                                \
    {                                                                                       \
        SRC s[N];                                                                           \
        weld_v128 r;                                                                        \
        memcpy(s, p, sizeof s);                                                             \
        for (unsigned i = 0; i < N; i++) r.DST[i] = s[i];                                   \
        return r;                                                                           \
    }
SIMD_LOAD_EXT(V128_LOAD8X8_S, int8_t, i16, 8)
SIMD_LOAD_EXT(V128_LOAD8X8_U, uint8_t, u16, 8)
SIMD_LOAD_EXT(V128_LOAD16X4_S, int16_t, i32, 4)
SIMD_LOAD_EXT(V128_LOAD16X4_U, uint16_t, u32, 4)
SIMD_LOAD_EXT(V128_LOAD32X2_S, int32_t, i64, 2)
SIMD_LOAD_EXT(V128_LOAD32X2_U, uint32_t, u64, 2)

#define SIMD_LOAD_SPLAT(id, T, V, N)                                                        \
    static inline weld_v128 weld_simd_##id(const uint8_t *p)                                \
    {                                                                                       \
        T s;                                                                                \
        weld_v128 r;                                                                        \
        memcpy(&s, p, sizeof s);                                                            \
        for (unsigned i = 0; i < N; i++) r.V[i] = s;                                        \
        return r;                                                                           \
    }
SIMD_LOAD_SPLAT(V128_LOAD8_SPLAT, uint8_t, u8, 16)
SIMD_LOAD_SPLAT(V128_LOAD16_SPLAT, uint16_t, u16, 8)
SIMD_LOAD_SPLAT(V128_LOAD32_SPLAT, uint32_t, u32, 4)
SIMD_LOAD_SPLAT(V128_LOAD64_SPLAT, uint64_t, u64, 2)

#define SIMD_LOAD_ZERO(id, BYTES)                                                           \
    static inline weld_v128 weld_simd_##id(const uint8_t *p)                                \
    {                                                                                       \
        weld_v128 r;                                                                        \
        memset(r.u8, 0, 16);                                                                \
        memcpy(r.u8, p, BYTES);                                                             \
        return r;                                                                           \
    }
SIMD_LOAD_ZERO(V128_LOAD32_ZERO, 4)
SIMD_LOAD_ZERO(V128_LOAD64_ZERO, 8)

/* Lane indices are masked to the lane count, so an unvalidated index cannot overrun. */
#define SIMD_LANE_IO(BITS, V, N)                                                            \
    static inline weld_v128 weld_simd_V128_LOAD##BITS##_LANE(weld_v128 v, unsigned lane, const uint8_t *p) \
    {                                                                                       \
        memcpy(&v.V[lane & (N - 1)], p, BITS / 8);                                          \
        return v;                                                                           \
    }                                                                                       \
    static inline void weld_simd_V128_STORE##BITS##_LANE(uint8_t *p, weld_v128 v, unsigned lane) \
    {                                                                                       \
        memcpy(p, &v.V[lane & (N - 1)], BITS / 8);                                          \
    }
SIMD_LANE_IO(8, u8, 16)
SIMD_LANE_IO(16, u16, 8)
SIMD_LANE_IO(32, u32, 4)
SIMD_LANE_IO(64, u64, 2)

/* ---- splat, extract_lane, replace_lane ----------------------------------------------- */

#define SIMD_SPLAT(id, T, V, N)                                                             \
    static inline weld_v128 weld_simd_##id(uint64_t x)                                      \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) r.V[i] = (T)x;                                     \
        return r;                                                                           \
    }
SIMD_SPLAT(I8X16_SPLAT, uint8_t, u8, 16)
SIMD_SPLAT(I16X8_SPLAT, uint16_t, u16, 8)
SIMD_SPLAT(I32X4_SPLAT, uint32_t, u32, 4)
SIMD_SPLAT(I64X2_SPLAT, uint64_t, u64, 2)
SIMD_SPLAT(F32X4_SPLAT, uint32_t, u32, 4)
SIMD_SPLAT(F64X2_SPLAT, uint64_t, u64, 2)

#define SIMD_EXTRACT(id, V, N, CONV)                                                        \
    static inline uint64_t weld_simd_##id(weld_v128 v, unsigned lane) { return CONV v.V[lane & (N - 1)]; }
SIMD_EXTRACT(I8X16_EXTRACT_LANE_S, i8, 16, (uint32_t)(int32_t))
SIMD_EXTRACT(I8X16_EXTRACT_LANE_U, u8, 16, (uint32_t))
SIMD_EXTRACT(I16X8_EXTRACT_LANE_S, i16, 8, (uint32_t)(int32_t))
SIMD_EXTRACT(I16X8_EXTRACT_LANE_U, u16, 8, (uint32_t))
SIMD_EXTRACT(I32X4_EXTRACT_LANE, u32, 4, (uint32_t))
SIMD_EXTRACT(I64X2_EXTRACT_LANE, u64, 2, (uint64_t))
SIMD_EXTRACT(F32X4_EXTRACT_LANE, u32, 4, (uint32_t))
SIMD_EXTRACT(F64X2_EXTRACT_LANE, u64, 2, (uint64_t))

#define SIMD_REPLACE(id, T, V, N)                                                           \
    static inline weld_v128 weld_simd_##id(weld_v128 v, unsigned lane, uint64_t x)          \
    {                                                                                       \
        v.V[lane & (N - 1)] = (T)x;                                                         \
        return v;                                                                           \
    }
SIMD_REPLACE(I8X16_REPLACE_LANE, uint8_t, u8, 16)
SIMD_REPLACE(I16X8_REPLACE_LANE, uint16_t, u16, 8)
SIMD_REPLACE(I32X4_REPLACE_LANE, uint32_t, u32, 4)
SIMD_REPLACE(I64X2_REPLACE_LANE, uint64_t, u64, 2)
SIMD_REPLACE(F32X4_REPLACE_LANE, uint32_t, u32, 4)
SIMD_REPLACE(F64X2_REPLACE_LANE, uint64_t, u64, 2)

/* ---- shuffle and swizzle ------------------------------------------------------------- */

static inline weld_v128 weld_simd_I8X16_SHUFFLE(weld_v128 a, weld_v128 b, const uint8_t *lanes)
{
    uint8_t both[32];
    weld_v128 r;
    memcpy(both, a.u8, 16);
    memcpy(both + 16, b.u8, 16);
    for (unsigned i = 0; i < 16; i++) r.u8[i] = both[lanes[i] & 31];
    return r;
}
SIMD_BIN(I8X16_SWIZZLE, u8, 16, uint8_t, y < 16 ? a.u8[y] : 0)
SIMD_BIN(I8X16_RELAXED_SWIZZLE, u8, 16, uint8_t, y < 16 ? a.u8[y] : 0)

/* ---- comparisons --------------------------------------------------------------------- */

#define SIMD_CMP_INT(P, VS, VU, N, TS, TU, VTS, VTU)                                        \
    SIMD_BINV(P##_EQ, VU, N, TU, SIMD_M(TU, x == y), VTS, x == y)                           \
    SIMD_BINV(P##_NE, VU, N, TU, SIMD_M(TU, x != y), VTS, x != y)                           \
    SIMD_BINV(P##_LT_S, VS, N, TS, SIMD_M(TS, x < y), VTS, x < y)                           \
    SIMD_BINV(P##_GT_S, VS, N, TS, SIMD_M(TS, x > y), VTS, x > y)                           \
    SIMD_BINV(P##_LE_S, VS, N, TS, SIMD_M(TS, x <= y), VTS, x <= y)                         \
    SIMD_BINV(P##_GE_S, VS, N, TS, SIMD_M(TS, x >= y), VTS, x >= y)
#define SIMD_CMP_INT_P(P, VS, VU, N, TS, TU)                                                \
    SIMD_BIN(P##_EQ, VU, N, TU, SIMD_M(TU, x == y))                                         \
    SIMD_BIN(P##_NE, VU, N, TU, SIMD_M(TU, x != y))                                         \
    SIMD_BIN(P##_LT_S, VS, N, TS, SIMD_M(TS, x < y))                                        \
    SIMD_BIN(P##_GT_S, VS, N, TS, SIMD_M(TS, x > y))                                        \
    SIMD_BIN(P##_LE_S, VS, N, TS, SIMD_M(TS, x <= y))                                       \
    SIMD_BIN(P##_GE_S, VS, N, TS, SIMD_M(TS, x >= y))
#define SIMD_CMP_UNS(P, VU, N, TU, VTU)                                                     \
    SIMD_BINV(P##_LT_U, VU, N, TU, SIMD_M(TU, x < y), VTU, x < y)                           \
    SIMD_BINV(P##_GT_U, VU, N, TU, SIMD_M(TU, x > y), VTU, x > y)                           \
    SIMD_BINV(P##_LE_U, VU, N, TU, SIMD_M(TU, x <= y), VTU, x <= y)                         \
    SIMD_BINV(P##_GE_U, VU, N, TU, SIMD_M(TU, x >= y), VTU, x >= y)
SIMD_CMP_INT(I8X16, i8, u8, 16, int8_t, uint8_t, simd_v_i8, simd_v_u8)
SIMD_CMP_UNS(I8X16, u8, 16, uint8_t, simd_v_u8)
SIMD_CMP_INT(I16X8, i16, u16, 8, int16_t, uint16_t, simd_v_i16, simd_v_u16)
SIMD_CMP_UNS(I16X8, u16, 8, uint16_t, simd_v_u16)
SIMD_CMP_INT(I32X4, i32, u32, 4, int32_t, uint32_t, simd_v_i32, simd_v_u32)
SIMD_CMP_UNS(I32X4, u32, 4, uint32_t, simd_v_u32)
SIMD_CMP_INT_P(I64X2, i64, u64, 2, int64_t, uint64_t)

/* Float comparisons: ordered except ne (true when either is NaN). */
#define SIMD_FCMP(P, V, UV, N, T, TU, VT)                                                   \
    SIMD_BINF(P##_EQ, V, UV, N, T, TU, SIMD_M(TU, x == y), VT, x == y)                      \
    SIMD_BINF(P##_NE, V, UV, N, T, TU, SIMD_M(TU, x != y), VT, x != y)                      \
    SIMD_BINF(P##_LT, V, UV, N, T, TU, SIMD_M(TU, x < y), VT, x < y)                        \
    SIMD_BINF(P##_GT, V, UV, N, T, TU, SIMD_M(TU, x > y), VT, x > y)                        \
    SIMD_BINF(P##_LE, V, UV, N, T, TU, SIMD_M(TU, x <= y), VT, x <= y)                      \
    SIMD_BINF(P##_GE, V, UV, N, T, TU, SIMD_M(TU, x >= y), VT, x >= y)
/* A float-input, bit-output lanewise template. */
#define SIMD_BINF_P(id, V, UV, N, T, TU, EXPR)                                              \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b)                        \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) {                                                  \
            T x = a.V[i], y = b.V[i];                                                       \
            r.UV[i] = (EXPR);                                                               \
        }                                                                                   \
        return r;                                                                           \
    }
#if WELD_SIMD_VECF
#define SIMD_BINF(id, V, UV, N, T, TU, EXPR, VT, VEXPR)                                     \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b)                        \
    {                                                                                       \
        VT x = SIMD_TOV(VT, a), y = SIMD_TOV(VT, b);                                        \
        __typeof__(VEXPR) r = (VEXPR);                                                      \
        return SIMD_FROMV(r);                                                               \
    }
#else
#define SIMD_BINF(id, V, UV, N, T, TU, EXPR, VT, VEXPR) SIMD_BINF_P(id, V, UV, N, T, TU, EXPR)
#endif
#define SIMD_FCMP_P(P, V, UV, N, T, TU)                                                     \
    SIMD_BINF_P(P##_EQ, V, UV, N, T, TU, SIMD_M(TU, x == y))                                \
    SIMD_BINF_P(P##_NE, V, UV, N, T, TU, SIMD_M(TU, x != y))                                \
    SIMD_BINF_P(P##_LT, V, UV, N, T, TU, SIMD_M(TU, x < y))                                 \
    SIMD_BINF_P(P##_GT, V, UV, N, T, TU, SIMD_M(TU, x > y))                                 \
    SIMD_BINF_P(P##_LE, V, UV, N, T, TU, SIMD_M(TU, x <= y))                                \
    SIMD_BINF_P(P##_GE, V, UV, N, T, TU, SIMD_M(TU, x >= y))
SIMD_FCMP(F32X4, f32, u32, 4, float, uint32_t, simd_v_f32)
SIMD_FCMP_P(F64X2, f64, u64, 2, double, uint64_t)

/* ---- bitwise ------------------------------------------------------------------------- */

SIMD_UN(V128_NOT, u64, 2, uint64_t, ~x)
SIMD_BINV(V128_AND, u64, 2, uint64_t, x & y, simd_v_u64, x & y)
SIMD_BINV(V128_ANDNOT, u64, 2, uint64_t, x & ~y, simd_v_u64, x & ~y)
SIMD_BINV(V128_OR, u64, 2, uint64_t, x | y, simd_v_u64, x | y)
SIMD_BINV(V128_XOR, u64, 2, uint64_t, x ^ y, simd_v_u64, x ^ y)

static inline weld_v128 weld_simd_V128_BITSELECT(weld_v128 a, weld_v128 b, weld_v128 c)
{
    weld_v128 r;
    for (unsigned i = 0; i < 2; i++) r.u64[i] = (a.u64[i] & c.u64[i]) | (b.u64[i] & ~c.u64[i]);
    return r;
}
#define SIMD_LANESELECT(id)                                                                 \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b, weld_v128 c)           \
    {                                                                                       \
        return weld_simd_V128_BITSELECT(a, b, c);                                           \
    }
SIMD_LANESELECT(I8X16_RELAXED_LANESELECT)
SIMD_LANESELECT(I16X8_RELAXED_LANESELECT)
SIMD_LANESELECT(I32X4_RELAXED_LANESELECT)
SIMD_LANESELECT(I64X2_RELAXED_LANESELECT)

static inline uint32_t weld_simd_V128_ANY_TRUE(weld_v128 a) { return (a.u64[0] | a.u64[1]) != 0; }

/* ---- all_true and bitmask ------------------------------------------------------------ */

#define SIMD_ALL_TRUE(id, V, N)                                                             \
    static inline uint32_t weld_simd_##id(weld_v128 a)                                      \
    {                                                                                       \
        for (unsigned i = 0; i < N; i++)                                                    \
            if (!a.V[i]) return 0;                                                          \
        return 1;                                                                           \
    }
SIMD_ALL_TRUE(I8X16_ALL_TRUE, u8, 16)
SIMD_ALL_TRUE(I16X8_ALL_TRUE, u16, 8)
SIMD_ALL_TRUE(I32X4_ALL_TRUE, u32, 4)
SIMD_ALL_TRUE(I64X2_ALL_TRUE, u64, 2)

#define SIMD_BITMASK_P(id, V, N, BITS)                                                      \
    static inline uint32_t weld_simd_##id(weld_v128 a)                                      \
    {                                                                                       \
        uint32_t m = 0;                                                                     \
        for (unsigned i = 0; i < N; i++) m |= (uint32_t)(a.V[i] >> (BITS - 1)) << i;        \
        return m;                                                                           \
    }
#if WELD_SIMD_SSE2
static inline __m128i simd_ld(weld_v128 a) { return _mm_loadu_si128((const __m128i *)a.u8); }
static inline uint32_t weld_simd_I8X16_BITMASK(weld_v128 a) { return (uint32_t)_mm_movemask_epi8(simd_ld(a)); }
static inline uint32_t weld_simd_I16X8_BITMASK(weld_v128 a)
{
    return (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(simd_ld(a), _mm_setzero_si128()));
}
static inline uint32_t weld_simd_I32X4_BITMASK(weld_v128 a)
{
    return (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(simd_ld(a)));
}
static inline uint32_t weld_simd_I64X2_BITMASK(weld_v128 a)
{
    return (uint32_t)_mm_movemask_pd(_mm_castsi128_pd(simd_ld(a)));
}
#else
SIMD_BITMASK_P(I8X16_BITMASK, u8, 16, 8)
SIMD_BITMASK_P(I16X8_BITMASK, u16, 8, 16)
SIMD_BITMASK_P(I32X4_BITMASK, u32, 4, 32)
SIMD_BITMASK_P(I64X2_BITMASK, u64, 2, 64)
#endif

/* ---- integer arithmetic -------------------------------------------------------------- */

/* Wrapping add/sub/neg/abs are computed on the unsigned view. */
SIMD_BINV(I8X16_ADD, u8, 16, uint8_t, (uint8_t)(x + y), simd_v_u8, x + y)
SIMD_BINV(I16X8_ADD, u16, 8, uint16_t, (uint16_t)(x + y), simd_v_u16, x + y)
SIMD_BINV(I32X4_ADD, u32, 4, uint32_t, x + y, simd_v_u32, x + y)
SIMD_BIN(I64X2_ADD, u64, 2, uint64_t, x + y)
SIMD_BINV(I8X16_SUB, u8, 16, uint8_t, (uint8_t)(x - y), simd_v_u8, x - y)
SIMD_BINV(I16X8_SUB, u16, 8, uint16_t, (uint16_t)(x - y), simd_v_u16, x - y)
SIMD_BINV(I32X4_SUB, u32, 4, uint32_t, x - y, simd_v_u32, x - y)
SIMD_BIN(I64X2_SUB, u64, 2, uint64_t, x - y)
SIMD_BINV(I16X8_MUL, u16, 8, uint16_t, (uint16_t)((uint32_t)x * y), simd_v_u16, x * y)
SIMD_BINV(I32X4_MUL, u32, 4, uint32_t, x * y, simd_v_u32, x * y)
SIMD_BIN(I64X2_MUL, u64, 2, uint64_t, x * y)

SIMD_UN(I8X16_NEG, u8, 16, uint8_t, (uint8_t)(0u - x))
SIMD_UN(I16X8_NEG, u16, 8, uint16_t, (uint16_t)(0u - x))
SIMD_UN(I32X4_NEG, u32, 4, uint32_t, 0u - x)
SIMD_UN(I64X2_NEG, u64, 2, uint64_t, (uint64_t)0 - x)
SIMD_UN(I8X16_ABS, u8, 16, uint8_t, (x & 0x80u) ? (uint8_t)(0u - x) : x)
SIMD_UN(I16X8_ABS, u16, 8, uint16_t, (x & 0x8000u) ? (uint16_t)(0u - x) : x)
SIMD_UN(I32X4_ABS, u32, 4, uint32_t, (x >> 31) ? 0u - x : x)
SIMD_UN(I64X2_ABS, u64, 2, uint64_t, (x >> 63) ? (uint64_t)0 - x : x)

static inline unsigned simd_popcnt8(unsigned x)
{
    x = x - ((x >> 1) & 0x55u);
    x = (x & 0x33u) + ((x >> 2) & 0x33u);
    return (x + (x >> 4)) & 0x0fu;
}
SIMD_UN(I8X16_POPCNT, u8, 16, uint8_t, (uint8_t)simd_popcnt8(x))

/* Saturating add/sub. */
SIMD_BINS(I8X16_ADD_SAT_S, i8, 16, int8_t, (int8_t)simd_clamp(x + y, INT8_MIN, INT8_MAX), _mm_adds_epi8)
SIMD_BINS(I8X16_ADD_SAT_U, u8, 16, uint8_t, (uint8_t)simd_clamp(x + y, 0, UINT8_MAX), _mm_adds_epu8)
SIMD_BINS(I8X16_SUB_SAT_S, i8, 16, int8_t, (int8_t)simd_clamp(x - y, INT8_MIN, INT8_MAX), _mm_subs_epi8)
SIMD_BINS(I8X16_SUB_SAT_U, u8, 16, uint8_t, (uint8_t)simd_clamp(x - y, 0, UINT8_MAX), _mm_subs_epu8)
SIMD_BINS(I16X8_ADD_SAT_S, i16, 8, int16_t, (int16_t)simd_clamp(x + y, INT16_MIN, INT16_MAX),
     _mm_adds_epi16)
SIMD_BINS(I16X8_ADD_SAT_U, u16, 8, uint16_t, (uint16_t)simd_clamp(x + y, 0, UINT16_MAX), _mm_adds_epu16)
SIMD_BINS(I16X8_SUB_SAT_S, i16, 8, int16_t, (int16_t)simd_clamp(x - y, INT16_MIN, INT16_MAX),
     _mm_subs_epi16)
SIMD_BINS(I16X8_SUB_SAT_U, u16, 8, uint16_t, (uint16_t)simd_clamp(x - y, 0, UINT16_MAX), _mm_subs_epu16)

/* min/max. */
SIMD_BINS(I8X16_MIN_U, u8, 16, uint8_t, x < y ? x : y, _mm_min_epu8)
SIMD_BINS(I8X16_MAX_U, u8, 16, uint8_t, x > y ? x : y, _mm_max_epu8)
SIMD_BINS(I16X8_MIN_S, i16, 8, int16_t, x < y ? x : y, _mm_min_epi16)
SIMD_BINS(I16X8_MAX_S, i16, 8, int16_t, x > y ? x : y, _mm_max_epi16)
SIMD_BINV(I8X16_MIN_S, i8, 16, int8_t, x < y ? x : y, simd_v_i8, SIMD_VSEL(x < y, x, y))
SIMD_BINV(I8X16_MAX_S, i8, 16, int8_t, x > y ? x : y, simd_v_i8, SIMD_VSEL(x > y, x, y))
SIMD_BINV(I16X8_MIN_U, u16, 8, uint16_t, x < y ? x : y, simd_v_u16, SIMD_VSEL(x < y, x, y))
SIMD_BINV(I16X8_MAX_U, u16, 8, uint16_t, x > y ? x : y, simd_v_u16, SIMD_VSEL(x > y, x, y))
SIMD_BINV(I32X4_MIN_S, i32, 4, int32_t, x < y ? x : y, simd_v_i32, SIMD_VSEL(x < y, x, y))
SIMD_BINV(I32X4_MAX_S, i32, 4, int32_t, x > y ? x : y, simd_v_i32, SIMD_VSEL(x > y, x, y))
SIMD_BINV(I32X4_MIN_U, u32, 4, uint32_t, x < y ? x : y, simd_v_u32, SIMD_VSEL(x < y, x, y))
SIMD_BINV(I32X4_MAX_U, u32, 4, uint32_t, x > y ? x : y, simd_v_u32, SIMD_VSEL(x > y, x, y))

/* Rounding average. */
SIMD_BINS(I8X16_AVGR_U, u8, 16, uint8_t, (uint8_t)((x + y + 1u) >> 1), _mm_avg_epu8)
SIMD_BIN(I16X8_AVGR_U, u16, 8, uint16_t, (uint16_t)((x + y + 1u) >> 1))

/* Q15 rounding multiply; only -32768 * -32768 saturates. */
static inline int16_t simd_q15mulr(int32_t x, int32_t y)
{
    return (int16_t)simd_clamp((int32_t)simd_sar64(x * y + 0x4000, 15), INT16_MIN, INT16_MAX);
}
SIMD_BIN(I16X8_Q15MULR_SAT_S, i16, 8, int16_t, simd_q15mulr(x, y))
SIMD_BIN(I16X8_RELAXED_Q15MULR_S, i16, 8, int16_t, simd_q15mulr(x, y))

/* ---- shifts (count modulo the lane width) -------------------------------------------- */

#define SIMD_SHIFT_P(id, V, N, T, BITS, EXPR)                                               \
    static inline weld_v128 weld_simd_##id(weld_v128 a, uint32_t count)                     \
    {                                                                                       \
        unsigned n = count & (BITS - 1);                                                    \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) {                                                  \
            T x = a.V[i];                                                                   \
            r.V[i] = (T)(EXPR);                                                             \
        }                                                                                   \
        return r;                                                                           \
    }
#define SIMD_SHIFT_V(id, VT, BITS, OPR)                                                     \
    static inline weld_v128 weld_simd_##id(weld_v128 a, uint32_t count)                     \
    {                                                                                       \
        VT x = SIMD_TOV(VT, a);                                                             \
        VT r = x OPR(int)(count & (BITS - 1));                                              \
        return SIMD_FROMV(r);                                                               \
    }
#define SIMD_SHIFTS_P(P, BITS, VS, VU, N, TS, TU)                                           \
    SIMD_SHIFT_P(P##_SHL, VU, N, TU, BITS, (uint64_t)x << n)                                \
    SIMD_SHIFT_P(P##_SHR_S, VS, N, TS, BITS, simd_sar64(x, n))                              \
    SIMD_SHIFT_P(P##_SHR_U, VU, N, TU, BITS, x >> n)
#if WELD_SIMD_VEC
#define SIMD_SHIFTS(P, BITS, VS, VU, N, TS, TU, VTS, VTU)                                   \
    SIMD_SHIFT_V(P##_SHL, VTU, BITS, <<)                                                    \
    SIMD_SHIFT_V(P##_SHR_S, VTS, BITS, >>)                                                  \
    SIMD_SHIFT_V(P##_SHR_U, VTU, BITS, >>)
#else
#define SIMD_SHIFTS(P, BITS, VS, VU, N, TS, TU, VTS, VTU) SIMD_SHIFTS_P(P, BITS, VS, VU, N, TS, TU)
#endif
SIMD_SHIFTS(I8X16, 8, i8, u8, 16, int8_t, uint8_t, simd_v_i8, simd_v_u8)
SIMD_SHIFTS(I16X8, 16, i16, u16, 8, int16_t, uint16_t, simd_v_i16, simd_v_u16)
SIMD_SHIFTS(I32X4, 32, i32, u32, 4, int32_t, uint32_t, simd_v_i32, simd_v_u32)
SIMD_SHIFTS_P(I64X2, 64, i64, u64, 2, int64_t, uint64_t)

/* ---- narrowing, widening, extended arithmetic ---------------------------------------- */

#define SIMD_NARROW(id, SV, DV, DT, N, LO, HI)                                              \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b)                        \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) {                                                  \
            r.DV[i] = (DT)simd_clamp(a.SV[i], LO, HI);                                      \
            r.DV[i + N] = (DT)simd_clamp(b.SV[i], LO, HI);                                  \
        }                                                                                   \
        return r;                                                                           \
    }
SIMD_NARROW(I8X16_NARROW_I16X8_S, i16, i8, int8_t, 8, INT8_MIN, INT8_MAX)
SIMD_NARROW(I8X16_NARROW_I16X8_U, i16, u8, uint8_t, 8, 0, UINT8_MAX)
SIMD_NARROW(I16X8_NARROW_I32X4_S, i32, i16, int16_t, 4, INT16_MIN, INT16_MAX)
SIMD_NARROW(I16X8_NARROW_I32X4_U, i32, u16, uint16_t, 4, 0, UINT16_MAX)

/* extend_low/high: lanes OFF.. of the narrow view, widened. */
#define SIMD_EXTEND(id, SV, DV, N, OFF)                                                     \
    static inline weld_v128 weld_simd_##id(weld_v128 a)                                     \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) r.DV[i] = a.SV[i + OFF];                           \
        return r;                                                                           \
    }
SIMD_EXTEND(I16X8_EXTEND_LOW_I8X16_S, i8, i16, 8, 0)
SIMD_EXTEND(I16X8_EXTEND_HIGH_I8X16_S, i8, i16, 8, 8)
SIMD_EXTEND(I16X8_EXTEND_LOW_I8X16_U, u8, u16, 8, 0)
SIMD_EXTEND(I16X8_EXTEND_HIGH_I8X16_U, u8, u16, 8, 8)
SIMD_EXTEND(I32X4_EXTEND_LOW_I16X8_S, i16, i32, 4, 0)
SIMD_EXTEND(I32X4_EXTEND_HIGH_I16X8_S, i16, i32, 4, 4)
SIMD_EXTEND(I32X4_EXTEND_LOW_I16X8_U, u16, u32, 4, 0)
SIMD_EXTEND(I32X4_EXTEND_HIGH_I16X8_U, u16, u32, 4, 4)
SIMD_EXTEND(I64X2_EXTEND_LOW_I32X4_S, i32, i64, 2, 0)
SIMD_EXTEND(I64X2_EXTEND_HIGH_I32X4_S, i32, i64, 2, 2)
SIMD_EXTEND(I64X2_EXTEND_LOW_I32X4_U, u32, u64, 2, 0)
SIMD_EXTEND(I64X2_EXTEND_HIGH_I32X4_U, u32, u64, 2, 2)

/* extmul: the widened product of lanes OFF.. (exact in the wide type; computed unsigned
 * for the 64-bit case so that no signed overflow can occur). */
#define SIMD_EXTMUL(id, SV, DV, DT, WT, N, OFF)                                             \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b)                        \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++)                                                    \
            r.DV[i] = (DT)((WT)a.SV[i + OFF] * (WT)b.SV[i + OFF]);                          \
        return r;                                                                           \
    }
SIMD_EXTMUL(I16X8_EXTMUL_LOW_I8X16_S, i8, i16, int16_t, int32_t, 8, 0)
SIMD_EXTMUL(I16X8_EXTMUL_HIGH_I8X16_S, i8, i16, int16_t, int32_t, 8, 8)
SIMD_EXTMUL(I16X8_EXTMUL_LOW_I8X16_U, u8, u16, uint16_t, uint32_t, 8, 0)
SIMD_EXTMUL(I16X8_EXTMUL_HIGH_I8X16_U, u8, u16, uint16_t, uint32_t, 8, 8)
SIMD_EXTMUL(I32X4_EXTMUL_LOW_I16X8_S, i16, i32, int32_t, int32_t, 4, 0)
SIMD_EXTMUL(I32X4_EXTMUL_HIGH_I16X8_S, i16, i32, int32_t, int32_t, 4, 4)
SIMD_EXTMUL(I32X4_EXTMUL_LOW_I16X8_U, u16, u32, uint32_t, uint32_t, 4, 0)
SIMD_EXTMUL(I32X4_EXTMUL_HIGH_I16X8_U, u16, u32, uint32_t, uint32_t, 4, 4)
SIMD_EXTMUL(I64X2_EXTMUL_LOW_I32X4_S, i32, i64, int64_t, int64_t, 2, 0)
SIMD_EXTMUL(I64X2_EXTMUL_HIGH_I32X4_S, i32, i64, int64_t, int64_t, 2, 2)
SIMD_EXTMUL(I64X2_EXTMUL_LOW_I32X4_U, u32, u64, uint64_t, uint64_t, 2, 0)
SIMD_EXTMUL(I64X2_EXTMUL_HIGH_I32X4_U, u32, u64, uint64_t, uint64_t, 2, 2)

#define SIMD_EXTADD(id, SV, DV, DT, N)                                                      \
    static inline weld_v128 weld_simd_##id(weld_v128 a)                                     \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) r.DV[i] = (DT)(a.SV[2 * i] + a.SV[2 * i + 1]);     \
        return r;                                                                           \
    }
SIMD_EXTADD(I16X8_EXTADD_PAIRWISE_I8X16_S, i8, i16, int16_t, 8)
SIMD_EXTADD(I16X8_EXTADD_PAIRWISE_I8X16_U, u8, u16, uint16_t, 8)
SIMD_EXTADD(I32X4_EXTADD_PAIRWISE_I16X8_S, i16, i32, int32_t, 4)
SIMD_EXTADD(I32X4_EXTADD_PAIRWISE_I16X8_U, u16, u32, uint32_t, 4)

/* i32x4.dot_i16x8_s: the sum wraps (only -32768^2 * 2 exceeds i32). */
static inline weld_v128 weld_simd_I32X4_DOT_I16X8_S(weld_v128 a, weld_v128 b)
{
    weld_v128 r;
    for (unsigned i = 0; i < 4; i++) {
        uint32_t p0 = (uint32_t)((int32_t)a.i16[2 * i] * b.i16[2 * i]);
        uint32_t p1 = (uint32_t)((int32_t)a.i16[2 * i + 1] * b.i16[2 * i + 1]);
        r.u32[i] = p0 + p1;
    }
    return r;
}

/* Relaxed dot products: signed x signed, pair sums wrap to 16 bits. */
static inline weld_v128 weld_simd_I16X8_RELAXED_DOT_I8X16_I7X16_S(weld_v128 a, weld_v128 b)
{
    weld_v128 r;
    for (unsigned i = 0; i < 8; i++) {
        int32_t s = a.i8[2 * i] * b.i8[2 * i] + a.i8[2 * i + 1] * b.i8[2 * i + 1];
        r.u16[i] = (uint16_t)s;
    }
    return r;
}
static inline weld_v128 weld_simd_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S(weld_v128 a, weld_v128 b, weld_v128 c)
{
    weld_v128 d = weld_simd_I16X8_RELAXED_DOT_I8X16_I7X16_S(a, b), r;
    for (unsigned i = 0; i < 4; i++)
        r.u32[i] = (uint32_t)((int32_t)d.i16[2 * i] + d.i16[2 * i + 1]) + c.u32[i];
    return r;
}

/* ---- float arithmetic ---------------------------------------------------------------- */

/* Lanewise float op with NaN results canonicalised. */
#define SIMD_FARITH_P(id, V, UV, N, T, BITS, EXPR)                                          \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b)                        \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) {                                                  \
            T x = a.V[i], y = b.V[i];                                                       \
            r.UV[i] = BITS(EXPR);                                                           \
        }                                                                                   \
        return r;                                                                           \
    }
#if WELD_SIMD_VECF
#define SIMD_FARITH(id, V, UV, N, T, BITS, EXPR, VT, VI, CANON, OPR)                        \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b)                        \
    {                                                                                       \
        VT x = SIMD_TOV(VT, a), y = SIMD_TOV(VT, b);                                        \
        VT z = x OPR y;                                                                     \
        VI nan = z != z, zb;                                                                \
        memcpy(&zb, &z, 16);                                                                \
        zb = (zb & ~nan) | (((VI){0} + (__typeof__(zb[0]))CANON) & nan);                    \
        return SIMD_FROMV(zb);                                                              \
    }
#else
#define SIMD_FARITH(id, V, UV, N, T, BITS, EXPR, VT, VI, CANON, OPR)                        \
    SIMD_FARITH_P(id, V, UV, N, T, BITS, EXPR)
#endif
SIMD_FARITH(F32X4_ADD, f32, u32, 4, float, simd_bits32, simd_r32(x + y), simd_v_f32, simd_v_i32, SIMD_CANON32, +)
SIMD_FARITH(F32X4_SUB, f32, u32, 4, float, simd_bits32, simd_r32(x - y), simd_v_f32, simd_v_i32, SIMD_CANON32, -)
SIMD_FARITH(F32X4_MUL, f32, u32, 4, float, simd_bits32, simd_r32(x * y), simd_v_f32, simd_v_i32, SIMD_CANON32, *)
SIMD_FARITH(F32X4_DIV, f32, u32, 4, float, simd_bits32, simd_r32(x / y), simd_v_f32, simd_v_i32, SIMD_CANON32, /)
SIMD_FARITH_P(F64X2_ADD, f64, u64, 2, double, simd_bits64, simd_r64(x + y))
SIMD_FARITH_P(F64X2_SUB, f64, u64, 2, double, simd_bits64, simd_r64(x - y))
SIMD_FARITH_P(F64X2_MUL, f64, u64, 2, double, simd_bits64, simd_r64(x * y))
SIMD_FARITH_P(F64X2_DIV, f64, u64, 2, double, simd_bits64, simd_r64(x / y))

#define SIMD_FMINMAX(id, V, UV, N, FN)                                                      \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b)                        \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) r.UV[i] = FN(a.V[i], b.V[i], a.UV[i], b.UV[i]);    \
        return r;                                                                           \
    }
SIMD_FMINMAX(F32X4_MIN, f32, u32, 4, simd_fmin32)
SIMD_FMINMAX(F32X4_MAX, f32, u32, 4, simd_fmax32)
SIMD_FMINMAX(F64X2_MIN, f64, u64, 2, simd_fmin64)
SIMD_FMINMAX(F64X2_MAX, f64, u64, 2, simd_fmax64)
SIMD_FMINMAX(F32X4_RELAXED_MIN, f32, u32, 4, simd_fmin32)
SIMD_FMINMAX(F32X4_RELAXED_MAX, f32, u32, 4, simd_fmax32)
SIMD_FMINMAX(F64X2_RELAXED_MIN, f64, u64, 2, simd_fmin64)
SIMD_FMINMAX(F64X2_RELAXED_MAX, f64, u64, 2, simd_fmax64)

/* pmin = b < a ? b : a, pmax = a < b ? b : a, on the bits (NaNs pass through). */
#define SIMD_PMINMAX(id, V, UV, N, COND)                                                    \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b)                        \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) r.UV[i] = (COND) ? b.UV[i] : a.UV[i];              \
        return r;                                                                           \
    }
SIMD_PMINMAX(F32X4_PMIN, f32, u32, 4, b.f32[i] < a.f32[i])
SIMD_PMINMAX(F32X4_PMAX, f32, u32, 4, a.f32[i] < b.f32[i])
SIMD_PMINMAX(F64X2_PMIN, f64, u64, 2, b.f64[i] < a.f64[i])
SIMD_PMINMAX(F64X2_PMAX, f64, u64, 2, a.f64[i] < b.f64[i])

/* Sign-bit operations: exact on the bits, NaN payloads kept. */
SIMD_UN(F32X4_ABS, u32, 4, uint32_t, x & 0x7fffffffu)
SIMD_UN(F32X4_NEG, u32, 4, uint32_t, x ^ 0x80000000u)
SIMD_UN(F64X2_ABS, u64, 2, uint64_t, x & UINT64_C(0x7fffffffffffffff))
SIMD_UN(F64X2_NEG, u64, 2, uint64_t, x ^ UINT64_C(0x8000000000000000))

#define SIMD_FUN(id, V, UV, N, T, BITS, EXPR)                                               \
    static inline weld_v128 weld_simd_##id(weld_v128 a)                                     \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) {                                                  \
            T x = a.V[i];                                                                   \
            r.UV[i] = BITS(EXPR);                                                           \
        }                                                                                   \
        return r;                                                                           \
    }
SIMD_FUN(F32X4_SQRT, f32, u32, 4, float, simd_bits32, simd_r32(sqrtf(x)))
SIMD_FUN(F64X2_SQRT, f64, u64, 2, double, simd_bits64, simd_r64(sqrt(x)))
SIMD_FUN(F32X4_CEIL, f32, u32, 4, float, simd_bits32, ceilf(x))
SIMD_FUN(F32X4_FLOOR, f32, u32, 4, float, simd_bits32, floorf(x))
SIMD_FUN(F32X4_TRUNC, f32, u32, 4, float, simd_bits32, truncf(x))
SIMD_FUN(F32X4_NEAREST, f32, u32, 4, float, simd_bits32, nearbyintf(x))
SIMD_FUN(F64X2_CEIL, f64, u64, 2, double, simd_bits64, ceil(x))
SIMD_FUN(F64X2_FLOOR, f64, u64, 2, double, simd_bits64, floor(x))
SIMD_FUN(F64X2_TRUNC, f64, u64, 2, double, simd_bits64, trunc(x))
SIMD_FUN(F64X2_NEAREST, f64, u64, 2, double, simd_bits64, nearbyint(x))

/* Fused multiply-add, one rounding (the relaxed-SIMD choice documented in simd.h). */
#define SIMD_MADD(id, V, UV, N, BITS, EXPR)                                                 \
    static inline weld_v128 weld_simd_##id(weld_v128 a, weld_v128 b, weld_v128 c)           \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < N; i++) r.UV[i] = BITS(EXPR);                              \
        return r;                                                                           \
    }
SIMD_MADD(F32X4_RELAXED_MADD, f32, u32, 4, simd_bits32, fmaf(a.f32[i], b.f32[i], c.f32[i]))
SIMD_MADD(F32X4_RELAXED_NMADD, f32, u32, 4, simd_bits32, fmaf(-a.f32[i], b.f32[i], c.f32[i]))
SIMD_MADD(F64X2_RELAXED_MADD, f64, u64, 2, simd_bits64, fma(a.f64[i], b.f64[i], c.f64[i]))
SIMD_MADD(F64X2_RELAXED_NMADD, f64, u64, 2, simd_bits64, fma(-a.f64[i], b.f64[i], c.f64[i]))

/* ---- conversions --------------------------------------------------------------------- */

static inline weld_v128 weld_simd_F32X4_DEMOTE_F64X2_ZERO(weld_v128 a)
{
    weld_v128 r;
    r.u32[0] = simd_bits32(simd_r32((float)a.f64[0]));
    r.u32[1] = simd_bits32(simd_r32((float)a.f64[1]));
    r.u64[1] = 0;
    return r;
}
static inline weld_v128 weld_simd_F64X2_PROMOTE_LOW_F32X4(weld_v128 a)
{
    weld_v128 r;
    for (unsigned i = 0; i < 2; i++) r.u64[i] = simd_bits64((double)a.f32[i]);
    return r;
}
static inline weld_v128 weld_simd_F32X4_CONVERT_I32X4_S(weld_v128 a)
{
    weld_v128 r;
    for (unsigned i = 0; i < 4; i++) r.f32[i] = simd_r32((float)a.i32[i]);
    return r;
}
static inline weld_v128 weld_simd_F32X4_CONVERT_I32X4_U(weld_v128 a)
{
    weld_v128 r;
    for (unsigned i = 0; i < 4; i++) r.f32[i] = simd_r32((float)a.u32[i]);
    return r;
}
static inline weld_v128 weld_simd_F64X2_CONVERT_LOW_I32X4_S(weld_v128 a)
{
    weld_v128 r;
    for (unsigned i = 0; i < 2; i++) r.f64[i] = (double)a.i32[i];
    return r;
}
static inline weld_v128 weld_simd_F64X2_CONVERT_LOW_I32X4_U(weld_v128 a)
{
    weld_v128 r;
    for (unsigned i = 0; i < 2; i++) r.f64[i] = (double)a.u32[i];
    return r;
}

#define SIMD_TRUNC4(id, FN, OUT)                                                            \
    static inline weld_v128 weld_simd_##id(weld_v128 a)                                     \
    {                                                                                       \
        weld_v128 r;                                                                        \
        for (unsigned i = 0; i < 4; i++) r.OUT[i] = FN(a.f32[i]);                           \
        return r;                                                                           \
    }
#define SIMD_TRUNC2Z(id, FN, OUT)                                                           \
    static inline weld_v128 weld_simd_##id(weld_v128 a)                                     \
    {                                                                                       \
        weld_v128 r;                                                                        \
        r.OUT[0] = FN(a.f64[0]);                                                            \
        r.OUT[1] = FN(a.f64[1]);                                                            \
        r.u64[1] = 0;                                                                       \
        return r;                                                                           \
    }
SIMD_TRUNC4(I32X4_TRUNC_SAT_F32X4_S, simd_sat_s32, i32)
SIMD_TRUNC4(I32X4_TRUNC_SAT_F32X4_U, simd_sat_u32, u32)
SIMD_TRUNC2Z(I32X4_TRUNC_SAT_F64X2_S_ZERO, simd_sat_s32, i32)
SIMD_TRUNC2Z(I32X4_TRUNC_SAT_F64X2_U_ZERO, simd_sat_u32, u32)
SIMD_TRUNC4(I32X4_RELAXED_TRUNC_F32X4_S, simd_sat_s32, i32)
SIMD_TRUNC4(I32X4_RELAXED_TRUNC_F32X4_U, simd_sat_u32, u32)
SIMD_TRUNC2Z(I32X4_RELAXED_TRUNC_F64X2_S_ZERO, simd_sat_s32, i32)
SIMD_TRUNC2Z(I32X4_RELAXED_TRUNC_F64X2_U_ZERO, simd_sat_u32, u32)

/* The templates are private to this header. */
#undef SIMD_CANON32
#undef SIMD_CANON64
#undef SIMD_TOV
#undef SIMD_FROMV
#undef SIMD_VSEL
#undef SIMD_UN
#undef SIMD_BIN
#undef SIMD_BINV_
#undef SIMD_BINS_
#undef SIMD_BINV
#undef SIMD_BINS
#undef SIMD_M
#undef SIMD_LOAD_EXT
#undef SIMD_LOAD_SPLAT
#undef SIMD_LOAD_ZERO
#undef SIMD_LANE_IO
#undef SIMD_SPLAT
#undef SIMD_EXTRACT
#undef SIMD_REPLACE
#undef SIMD_CMP_INT
#undef SIMD_CMP_INT_P
#undef SIMD_CMP_UNS
#undef SIMD_FCMP
#undef SIMD_FCMP_P
#undef SIMD_BINF_P
#undef SIMD_BINF
#undef SIMD_LANESELECT
#undef SIMD_ALL_TRUE
#undef SIMD_BITMASK_P
#undef SIMD_SHIFT_P
#undef SIMD_SHIFT_V
#undef SIMD_SHIFTS_P
#undef SIMD_SHIFTS
#undef SIMD_NARROW
#undef SIMD_EXTEND
#undef SIMD_EXTMUL
#undef SIMD_EXTADD
#undef SIMD_FARITH_P
#undef SIMD_FARITH
#undef SIMD_FMINMAX
#undef SIMD_PMINMAX
#undef SIMD_FUN
#undef SIMD_MADD
#undef SIMD_TRUNC4
#undef SIMD_TRUNC2Z

#endif
