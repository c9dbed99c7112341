/* simd.c - one function per 0xFD instruction (see simd.h for the contract).
 *
 * Every operation has a portable C definition. Where the compiler offers GCC/Clang vector
 * extensions or SSE2 intrinsics, some operations use them instead (the BINV, BINS and
 * SHIFTS templates and the SSE2 bitmasks);
 * defining WELD_SIMD_PORTABLE before this file compiles the portable path only. The unit
 * test compiles this file a second time that way (with WELD_SIMD_API renaming the entry
 * points) and checks that both paths agree bit for bit.
 *
 * Which operations take a fast path was measured: a weld_v128 argument travels in two
 * general registers on x86-64, so operations on 64-bit lanes (and a few others) are faster
 * as scalar code than as a round trip through a vector register, and stay portable.
 *
 * Floating point determinism: results go through memory-typed values (no excess precision
 * on FLT_EVAL_METHOD == 0 targets; on x87-only hosts build with -msse2 -mfpmath=sse), and no
 * expression here has the a*b+c shape a compiler may contract into an FMA (fused
 * multiply-add is only used explicitly, through fma()), so -O0 and -O2 agree.
 */
#ifndef WELD_SIMD_API
#define WELD_SIMD_API(name) weld_##name
#endif

#include "rt/simd.h"
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

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

#define CANON32 UINT32_C(0x7fc00000)
#define CANON64 UINT64_C(0x7ff8000000000000)

/* ---- scalar float helpers ----------------------------------------------------------- */

/* Bits of f, or the canonical NaN when f is a NaN. */
static inline uint32_t bits32(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return f != f ? CANON32 : u;
}
static inline uint64_t bits64(double f)
{
    uint64_t u;
    memcpy(&u, &f, 8);
    return f != f ? CANON64 : u;
}

#if FLT_EVAL_METHOD != 0
/* Rounds away excess precision (x87): a store to a float-typed object. */
static inline float r32(float x) { volatile float v = x; return v; }
static inline double r64(double x) { volatile double v = x; return v; }
#else
#define r32(x) (x)
#define r64(x) (x)
#endif

/* Wasm fmin/fmax: NaN if either is NaN, -0 below +0. */
static inline uint32_t fmin32(float x, float y, uint32_t xb, uint32_t yb)
{
    if (x != x || y != y) return CANON32;
    if (x == y) return xb | yb; /* equal: only ±0 can differ, and -0 has the sign bit */
    return x < y ? xb : yb;
}
static inline uint32_t fmax32(float x, float y, uint32_t xb, uint32_t yb)
{
    if (x != x || y != y) return CANON32;
    if (x == y) return xb & yb;
    return x > y ? xb : yb;
}
static inline uint64_t fmin64(double x, double y, uint64_t xb, uint64_t yb)
{
    if (x != x || y != y) return CANON64;
    if (x == y) return xb | yb;
    return x < y ? xb : yb;
}
static inline uint64_t fmax64(double x, double y, uint64_t xb, uint64_t yb)
{
    if (x != x || y != y) return CANON64;
    if (x == y) return xb & yb;
    return x > y ? xb : yb;
}

/* Saturating float to int truncations (NaN gives 0). */
static inline int32_t sat_s32(double x)
{
    if (x != x) return 0;
    if (x >= 2147483648.0) return INT32_MAX;
    if (x <= -2147483649.0) return INT32_MIN;
    return (int32_t)x;
}
static inline uint32_t sat_u32(double x)
{
    if (x != x || x <= -1.0) return 0;
    if (x >= 4294967296.0) return UINT32_MAX;
    return (uint32_t)x;
}

/* ---- integer helpers ---------------------------------------------------------------- */

static inline int32_t clamp(int32_t x, int32_t lo, int32_t hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}
/* Arithmetic right shift without relying on implementation-defined >> of negatives. */
static inline int64_t sar64(int64_t x, unsigned n)
{
    return x < 0 ? ~(~x >> n) : x >> n;
}

/* ---- vector extension types ---------------------------------------------------------- */

#if WELD_SIMD_VEC
typedef int8_t v_i8 __attribute__((vector_size(16)));
typedef uint8_t v_u8 __attribute__((vector_size(16)));
typedef int16_t v_i16 __attribute__((vector_size(16)));
typedef uint16_t v_u16 __attribute__((vector_size(16)));
typedef int32_t v_i32 __attribute__((vector_size(16)));
typedef uint32_t v_u32 __attribute__((vector_size(16)));
typedef int64_t v_i64 __attribute__((vector_size(16)));
typedef uint64_t v_u64 __attribute__((vector_size(16)));
typedef float v_f32 __attribute__((vector_size(16)));
typedef double v_f64 __attribute__((vector_size(16)));
#define TOV(VT, v) ({ VT t_; memcpy(&t_, &(v), 16); t_; })
#define FROMV(v) ({ weld_v128 t_; memcpy(&t_, &(v), 16); t_; })
/* Lanewise select by an all-ones/all-zeros mask m (C has no vector ?:). */
#define VSEL(m, a, b) ((__typeof__(a))((((__typeof__(m))(a)) & (m)) | (((__typeof__(m))(b)) & ~(m))))
#endif

/* ---- operation templates -------------------------------------------------------------
 * x, y, z name lane i of a, b, c in the view V (N lanes of type T). */

#define UN(id, V, N, T, EXPR)                                                              \
    static weld_v128 op_##id(weld_v128 a)                                                  \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) {                                                 \
            T x = a.V[i];                                                                  \
            r.V[i] = (EXPR);                                                               \
        }                                                                                  \
        return r;                                                                          \
    }
#define BIN(id, V, N, T, EXPR)                                                             \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b)                                     \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) {                                                 \
            T x = a.V[i], y = b.V[i];                                                      \
            (void)x;                                                                       \
            r.V[i] = (EXPR);                                                               \
        }                                                                                  \
        return r;                                                                          \
    }
/* Vector-extension form: x, y are whole vectors of type VT. */
#define BINV_(id, VT, VEXPR)                                                               \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b)                                     \
    {                                                                                      \
        VT x = TOV(VT, a), y = TOV(VT, b);                                                 \
        VT r = (VT)(VEXPR);                                                                \
        return FROMV(r);                                                                   \
    }
/* SSE2 form: one intrinsic on two __m128i. */
#define BINS_(id, FN)                                                                      \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b)                                     \
    {                                                                                      \
        __m128i r = FN(_mm_loadu_si128((const __m128i *)a.u8),                             \
                       _mm_loadu_si128((const __m128i *)b.u8));                            \
        weld_v128 o;                                                                       \
        _mm_storeu_si128((__m128i *)o.u8, r);                                              \
        return o;                                                                          \
    }
#if WELD_SIMD_VEC
#define BINV(id, V, N, T, EXPR, VT, VEXPR) BINV_(id, VT, VEXPR)
#else
#define BINV(id, V, N, T, EXPR, VT, VEXPR) BIN(id, V, N, T, EXPR)
#endif
#if WELD_SIMD_SSE2
#define BINS(id, V, N, T, EXPR, FN) BINS_(id, FN)
#else
#define BINS(id, V, N, T, EXPR, FN) BIN(id, V, N, T, EXPR)
#endif

/* All-ones lane when C holds. */
#define M(T, C) ((C) ? (T) - 1 : (T)0)

/* ---- v128.const, loads and stores ---------------------------------------------------- */

static weld_v128 op_V128_CONST(const uint8_t *p)
{
    weld_v128 r;
    memcpy(r.u8, p, 16);
    return r;
}
static weld_v128 op_V128_LOAD(const uint8_t *p) { return op_V128_CONST(p); }
static void op_V128_STORE(uint8_t *p, weld_v128 v) { memcpy(p, v.u8, 16); }

#define LOAD_EXT(id, SRC, DST, N)                                                          \
    static weld_v128 op_##id(const uint8_t *p)                                             \
    {                                                                                      \
        SRC s[N];                                                                          \
        weld_v128 r;                                                                       \
        memcpy(s, p, sizeof s);                                                            \
        for (unsigned i = 0; i < N; i++) r.DST[i] = s[i];                                  \
        return r;                                                                          \
    }
LOAD_EXT(V128_LOAD8X8_S, int8_t, i16, 8)
LOAD_EXT(V128_LOAD8X8_U, uint8_t, u16, 8)
LOAD_EXT(V128_LOAD16X4_S, int16_t, i32, 4)
LOAD_EXT(V128_LOAD16X4_U, uint16_t, u32, 4)
LOAD_EXT(V128_LOAD32X2_S, int32_t, i64, 2)
LOAD_EXT(V128_LOAD32X2_U, uint32_t, u64, 2)

#define LOAD_SPLAT(id, T, V, N)                                                            \
    static weld_v128 op_##id(const uint8_t *p)                                             \
    {                                                                                      \
        T s;                                                                               \
        weld_v128 r;                                                                       \
        memcpy(&s, p, sizeof s);                                                           \
        for (unsigned i = 0; i < N; i++) r.V[i] = s;                                       \
        return r;                                                                          \
    }
LOAD_SPLAT(V128_LOAD8_SPLAT, uint8_t, u8, 16)
LOAD_SPLAT(V128_LOAD16_SPLAT, uint16_t, u16, 8)
LOAD_SPLAT(V128_LOAD32_SPLAT, uint32_t, u32, 4)
LOAD_SPLAT(V128_LOAD64_SPLAT, uint64_t, u64, 2)

#define LOAD_ZERO(id, BYTES)                                                               \
    static weld_v128 op_##id(const uint8_t *p)                                             \
    {                                                                                      \
        weld_v128 r;                                                                       \
        memset(r.u8, 0, 16);                                                               \
        memcpy(r.u8, p, BYTES);                                                            \
        return r;                                                                          \
    }
LOAD_ZERO(V128_LOAD32_ZERO, 4)
LOAD_ZERO(V128_LOAD64_ZERO, 8)

/* Lane indices are masked to the lane count, so an unvalidated index cannot overrun. */
#define LANE_IO(BITS, V, N)                                                                \
    static weld_v128 op_V128_LOAD##BITS##_LANE(weld_v128 v, unsigned lane, const uint8_t *p) \
    {                                                                                      \
        memcpy(&v.V[lane & (N - 1)], p, BITS / 8);                                         \
        return v;                                                                          \
    }                                                                                      \
    static void op_V128_STORE##BITS##_LANE(uint8_t *p, weld_v128 v, unsigned lane)         \
    {                                                                                      \
        memcpy(p, &v.V[lane & (N - 1)], BITS / 8);                                         \
    }
LANE_IO(8, u8, 16)
LANE_IO(16, u16, 8)
LANE_IO(32, u32, 4)
LANE_IO(64, u64, 2)

/* ---- splat, extract_lane, replace_lane ----------------------------------------------- */

#define SPLAT(id, T, V, N)                                                                 \
    static weld_v128 op_##id(uint64_t x)                                                   \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) r.V[i] = (T)x;                                    \
        return r;                                                                          \
    }
SPLAT(I8X16_SPLAT, uint8_t, u8, 16)
SPLAT(I16X8_SPLAT, uint16_t, u16, 8)
SPLAT(I32X4_SPLAT, uint32_t, u32, 4)
SPLAT(I64X2_SPLAT, uint64_t, u64, 2)
SPLAT(F32X4_SPLAT, uint32_t, u32, 4)
SPLAT(F64X2_SPLAT, uint64_t, u64, 2)

#define EXTRACT(id, V, N, CONV)                                                            \
    static uint64_t op_##id(weld_v128 v, unsigned lane) { return CONV v.V[lane & (N - 1)]; }
EXTRACT(I8X16_EXTRACT_LANE_S, i8, 16, (uint32_t)(int32_t))
EXTRACT(I8X16_EXTRACT_LANE_U, u8, 16, (uint32_t))
EXTRACT(I16X8_EXTRACT_LANE_S, i16, 8, (uint32_t)(int32_t))
EXTRACT(I16X8_EXTRACT_LANE_U, u16, 8, (uint32_t))
EXTRACT(I32X4_EXTRACT_LANE, u32, 4, (uint32_t))
EXTRACT(I64X2_EXTRACT_LANE, u64, 2, (uint64_t))
EXTRACT(F32X4_EXTRACT_LANE, u32, 4, (uint32_t))
EXTRACT(F64X2_EXTRACT_LANE, u64, 2, (uint64_t))

#define REPLACE(id, T, V, N)                                                               \
    static weld_v128 op_##id(weld_v128 v, unsigned lane, uint64_t x)                       \
    {                                                                                      \
        v.V[lane & (N - 1)] = (T)x;                                                        \
        return v;                                                                          \
    }
REPLACE(I8X16_REPLACE_LANE, uint8_t, u8, 16)
REPLACE(I16X8_REPLACE_LANE, uint16_t, u16, 8)
REPLACE(I32X4_REPLACE_LANE, uint32_t, u32, 4)
REPLACE(I64X2_REPLACE_LANE, uint64_t, u64, 2)
REPLACE(F32X4_REPLACE_LANE, uint32_t, u32, 4)
REPLACE(F64X2_REPLACE_LANE, uint64_t, u64, 2)

/* ---- shuffle and swizzle ------------------------------------------------------------- */

static weld_v128 op_I8X16_SHUFFLE(weld_v128 a, weld_v128 b, const uint8_t *lanes)
{
    uint8_t both[32];
    weld_v128 r;
    memcpy(both, a.u8, 16);
    memcpy(both + 16, b.u8, 16);
    for (unsigned i = 0; i < 16; i++) r.u8[i] = both[lanes[i] & 31];
    return r;
}
BIN(I8X16_SWIZZLE, u8, 16, uint8_t, y < 16 ? a.u8[y] : 0)
BIN(I8X16_RELAXED_SWIZZLE, u8, 16, uint8_t, y < 16 ? a.u8[y] : 0)

/* ---- comparisons --------------------------------------------------------------------- */

#define CMP_INT(P, VS, VU, N, TS, TU, VTS, VTU)                                            \
    BINV(P##_EQ, VU, N, TU, M(TU, x == y), VTS, x == y)                                     \
    BINV(P##_NE, VU, N, TU, M(TU, x != y), VTS, x != y)                                     \
    BINV(P##_LT_S, VS, N, TS, M(TS, x < y), VTS, x < y)                                     \
    BINV(P##_GT_S, VS, N, TS, M(TS, x > y), VTS, x > y)                                     \
    BINV(P##_LE_S, VS, N, TS, M(TS, x <= y), VTS, x <= y)                                   \
    BINV(P##_GE_S, VS, N, TS, M(TS, x >= y), VTS, x >= y)
#define CMP_INT_P(P, VS, VU, N, TS, TU)                                                    \
    BIN(P##_EQ, VU, N, TU, M(TU, x == y))                                                  \
    BIN(P##_NE, VU, N, TU, M(TU, x != y))                                                  \
    BIN(P##_LT_S, VS, N, TS, M(TS, x < y))                                                 \
    BIN(P##_GT_S, VS, N, TS, M(TS, x > y))                                                 \
    BIN(P##_LE_S, VS, N, TS, M(TS, x <= y))                                                \
    BIN(P##_GE_S, VS, N, TS, M(TS, x >= y))
#define CMP_UNS(P, VU, N, TU, VTU)                                                         \
    BINV(P##_LT_U, VU, N, TU, M(TU, x < y), VTU, x < y)                                     \
    BINV(P##_GT_U, VU, N, TU, M(TU, x > y), VTU, x > y)                                     \
    BINV(P##_LE_U, VU, N, TU, M(TU, x <= y), VTU, x <= y)                                   \
    BINV(P##_GE_U, VU, N, TU, M(TU, x >= y), VTU, x >= y)
CMP_INT(I8X16, i8, u8, 16, int8_t, uint8_t, v_i8, v_u8)
CMP_UNS(I8X16, u8, 16, uint8_t, v_u8)
CMP_INT(I16X8, i16, u16, 8, int16_t, uint16_t, v_i16, v_u16)
CMP_UNS(I16X8, u16, 8, uint16_t, v_u16)
CMP_INT(I32X4, i32, u32, 4, int32_t, uint32_t, v_i32, v_u32)
CMP_UNS(I32X4, u32, 4, uint32_t, v_u32)
CMP_INT_P(I64X2, i64, u64, 2, int64_t, uint64_t)

/* Float comparisons: ordered except ne (true when either is NaN). */
#define FCMP(P, V, UV, N, T, TU, VT)                                                       \
    BINF(P##_EQ, V, UV, N, T, TU, M(TU, x == y), VT, x == y)                                \
    BINF(P##_NE, V, UV, N, T, TU, M(TU, x != y), VT, x != y)                                \
    BINF(P##_LT, V, UV, N, T, TU, M(TU, x < y), VT, x < y)                                  \
    BINF(P##_GT, V, UV, N, T, TU, M(TU, x > y), VT, x > y)                                  \
    BINF(P##_LE, V, UV, N, T, TU, M(TU, x <= y), VT, x <= y)                                \
    BINF(P##_GE, V, UV, N, T, TU, M(TU, x >= y), VT, x >= y)
/* A float-input, bit-output lanewise template. */
#define BINF_P(id, V, UV, N, T, TU, EXPR)                                                  \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b)                                     \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) {                                                 \
            T x = a.V[i], y = b.V[i];                                                      \
            r.UV[i] = (EXPR);                                                              \
        }                                                                                  \
        return r;                                                                          \
    }
#if WELD_SIMD_VECF
#define BINF(id, V, UV, N, T, TU, EXPR, VT, VEXPR)                                         \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b)                                     \
    {                                                                                      \
        VT x = TOV(VT, a), y = TOV(VT, b);                                                 \
        __typeof__(VEXPR) r = (VEXPR);                                                     \
        return FROMV(r);                                                                   \
    }
#else
#define BINF(id, V, UV, N, T, TU, EXPR, VT, VEXPR) BINF_P(id, V, UV, N, T, TU, EXPR)
#endif
#define FCMP_P(P, V, UV, N, T, TU)                                                         \
    BINF_P(P##_EQ, V, UV, N, T, TU, M(TU, x == y))                                         \
    BINF_P(P##_NE, V, UV, N, T, TU, M(TU, x != y))                                         \
    BINF_P(P##_LT, V, UV, N, T, TU, M(TU, x < y))                                          \
    BINF_P(P##_GT, V, UV, N, T, TU, M(TU, x > y))                                          \
    BINF_P(P##_LE, V, UV, N, T, TU, M(TU, x <= y))                                         \
    BINF_P(P##_GE, V, UV, N, T, TU, M(TU, x >= y))
FCMP(F32X4, f32, u32, 4, float, uint32_t, v_f32)
FCMP_P(F64X2, f64, u64, 2, double, uint64_t)

/* ---- bitwise ------------------------------------------------------------------------- */

UN(V128_NOT, u64, 2, uint64_t, ~x)
BINV(V128_AND, u64, 2, uint64_t, x & y, v_u64, x & y)
BINV(V128_ANDNOT, u64, 2, uint64_t, x & ~y, v_u64, x & ~y)
BINV(V128_OR, u64, 2, uint64_t, x | y, v_u64, x | y)
BINV(V128_XOR, u64, 2, uint64_t, x ^ y, v_u64, x ^ y)

static weld_v128 op_V128_BITSELECT(weld_v128 a, weld_v128 b, weld_v128 c)
{
    weld_v128 r;
    for (unsigned i = 0; i < 2; i++) r.u64[i] = (a.u64[i] & c.u64[i]) | (b.u64[i] & ~c.u64[i]);
    return r;
}
#define LANESELECT(id)                                                                     \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b, weld_v128 c)                        \
    {                                                                                      \
        return op_V128_BITSELECT(a, b, c);                                                 \
    }
LANESELECT(I8X16_RELAXED_LANESELECT)
LANESELECT(I16X8_RELAXED_LANESELECT)
LANESELECT(I32X4_RELAXED_LANESELECT)
LANESELECT(I64X2_RELAXED_LANESELECT)

static uint32_t op_V128_ANY_TRUE(weld_v128 a) { return (a.u64[0] | a.u64[1]) != 0; }

/* ---- all_true and bitmask ------------------------------------------------------------ */

#define ALL_TRUE(id, V, N)                                                                 \
    static uint32_t op_##id(weld_v128 a)                                                   \
    {                                                                                      \
        for (unsigned i = 0; i < N; i++)                                                   \
            if (!a.V[i]) return 0;                                                         \
        return 1;                                                                          \
    }
ALL_TRUE(I8X16_ALL_TRUE, u8, 16)
ALL_TRUE(I16X8_ALL_TRUE, u16, 8)
ALL_TRUE(I32X4_ALL_TRUE, u32, 4)
ALL_TRUE(I64X2_ALL_TRUE, u64, 2)

#define BITMASK_P(id, V, N, BITS)                                                          \
    static uint32_t op_##id(weld_v128 a)                                                   \
    {                                                                                      \
        uint32_t m = 0;                                                                    \
        for (unsigned i = 0; i < N; i++) m |= (uint32_t)(a.V[i] >> (BITS - 1)) << i;       \
        return m;                                                                          \
    }
#if WELD_SIMD_SSE2
static inline __m128i ld(weld_v128 a) { return _mm_loadu_si128((const __m128i *)a.u8); }
static uint32_t op_I8X16_BITMASK(weld_v128 a) { return (uint32_t)_mm_movemask_epi8(ld(a)); }
static uint32_t op_I16X8_BITMASK(weld_v128 a)
{
    return (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(ld(a), _mm_setzero_si128()));
}
static uint32_t op_I32X4_BITMASK(weld_v128 a)
{
    return (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(ld(a)));
}
static uint32_t op_I64X2_BITMASK(weld_v128 a)
{
    return (uint32_t)_mm_movemask_pd(_mm_castsi128_pd(ld(a)));
}
#else
BITMASK_P(I8X16_BITMASK, u8, 16, 8)
BITMASK_P(I16X8_BITMASK, u16, 8, 16)
BITMASK_P(I32X4_BITMASK, u32, 4, 32)
BITMASK_P(I64X2_BITMASK, u64, 2, 64)
#endif

/* ---- integer arithmetic -------------------------------------------------------------- */

/* Wrapping add/sub/neg/abs are computed on the unsigned view. */
BINV(I8X16_ADD, u8, 16, uint8_t, (uint8_t)(x + y), v_u8, x + y)
BINV(I16X8_ADD, u16, 8, uint16_t, (uint16_t)(x + y), v_u16, x + y)
BINV(I32X4_ADD, u32, 4, uint32_t, x + y, v_u32, x + y)
BIN(I64X2_ADD, u64, 2, uint64_t, x + y)
BINV(I8X16_SUB, u8, 16, uint8_t, (uint8_t)(x - y), v_u8, x - y)
BINV(I16X8_SUB, u16, 8, uint16_t, (uint16_t)(x - y), v_u16, x - y)
BINV(I32X4_SUB, u32, 4, uint32_t, x - y, v_u32, x - y)
BIN(I64X2_SUB, u64, 2, uint64_t, x - y)
BINV(I16X8_MUL, u16, 8, uint16_t, (uint16_t)((uint32_t)x * y), v_u16, x * y)
BINV(I32X4_MUL, u32, 4, uint32_t, x * y, v_u32, x * y)
BIN(I64X2_MUL, u64, 2, uint64_t, x * y)

UN(I8X16_NEG, u8, 16, uint8_t, (uint8_t)(0u - x))
UN(I16X8_NEG, u16, 8, uint16_t, (uint16_t)(0u - x))
UN(I32X4_NEG, u32, 4, uint32_t, 0u - x)
UN(I64X2_NEG, u64, 2, uint64_t, (uint64_t)0 - x)
UN(I8X16_ABS, u8, 16, uint8_t, (x & 0x80u) ? (uint8_t)(0u - x) : x)
UN(I16X8_ABS, u16, 8, uint16_t, (x & 0x8000u) ? (uint16_t)(0u - x) : x)
UN(I32X4_ABS, u32, 4, uint32_t, (x >> 31) ? 0u - x : x)
UN(I64X2_ABS, u64, 2, uint64_t, (x >> 63) ? (uint64_t)0 - x : x)

static inline unsigned popcnt8(unsigned x)
{
    x = x - ((x >> 1) & 0x55u);
    x = (x & 0x33u) + ((x >> 2) & 0x33u);
    return (x + (x >> 4)) & 0x0fu;
}
UN(I8X16_POPCNT, u8, 16, uint8_t, (uint8_t)popcnt8(x))

/* Saturating add/sub. */
BINS(I8X16_ADD_SAT_S, i8, 16, int8_t, (int8_t)clamp(x + y, INT8_MIN, INT8_MAX), _mm_adds_epi8)
BINS(I8X16_ADD_SAT_U, u8, 16, uint8_t, (uint8_t)clamp(x + y, 0, UINT8_MAX), _mm_adds_epu8)
BINS(I8X16_SUB_SAT_S, i8, 16, int8_t, (int8_t)clamp(x - y, INT8_MIN, INT8_MAX), _mm_subs_epi8)
BINS(I8X16_SUB_SAT_U, u8, 16, uint8_t, (uint8_t)clamp(x - y, 0, UINT8_MAX), _mm_subs_epu8)
BINS(I16X8_ADD_SAT_S, i16, 8, int16_t, (int16_t)clamp(x + y, INT16_MIN, INT16_MAX),
     _mm_adds_epi16)
BINS(I16X8_ADD_SAT_U, u16, 8, uint16_t, (uint16_t)clamp(x + y, 0, UINT16_MAX), _mm_adds_epu16)
BINS(I16X8_SUB_SAT_S, i16, 8, int16_t, (int16_t)clamp(x - y, INT16_MIN, INT16_MAX),
     _mm_subs_epi16)
BINS(I16X8_SUB_SAT_U, u16, 8, uint16_t, (uint16_t)clamp(x - y, 0, UINT16_MAX), _mm_subs_epu16)

/* min/max. */
BINS(I8X16_MIN_U, u8, 16, uint8_t, x < y ? x : y, _mm_min_epu8)
BINS(I8X16_MAX_U, u8, 16, uint8_t, x > y ? x : y, _mm_max_epu8)
BINS(I16X8_MIN_S, i16, 8, int16_t, x < y ? x : y, _mm_min_epi16)
BINS(I16X8_MAX_S, i16, 8, int16_t, x > y ? x : y, _mm_max_epi16)
BINV(I8X16_MIN_S, i8, 16, int8_t, x < y ? x : y, v_i8, VSEL(x < y, x, y))
BINV(I8X16_MAX_S, i8, 16, int8_t, x > y ? x : y, v_i8, VSEL(x > y, x, y))
BINV(I16X8_MIN_U, u16, 8, uint16_t, x < y ? x : y, v_u16, VSEL(x < y, x, y))
BINV(I16X8_MAX_U, u16, 8, uint16_t, x > y ? x : y, v_u16, VSEL(x > y, x, y))
BINV(I32X4_MIN_S, i32, 4, int32_t, x < y ? x : y, v_i32, VSEL(x < y, x, y))
BINV(I32X4_MAX_S, i32, 4, int32_t, x > y ? x : y, v_i32, VSEL(x > y, x, y))
BINV(I32X4_MIN_U, u32, 4, uint32_t, x < y ? x : y, v_u32, VSEL(x < y, x, y))
BINV(I32X4_MAX_U, u32, 4, uint32_t, x > y ? x : y, v_u32, VSEL(x > y, x, y))

/* Rounding average. */
BINS(I8X16_AVGR_U, u8, 16, uint8_t, (uint8_t)((x + y + 1u) >> 1), _mm_avg_epu8)
BIN(I16X8_AVGR_U, u16, 8, uint16_t, (uint16_t)((x + y + 1u) >> 1))

/* Q15 rounding multiply; only -32768 * -32768 saturates. */
static inline int16_t q15mulr(int32_t x, int32_t y)
{
    return (int16_t)clamp((int32_t)sar64(x * y + 0x4000, 15), INT16_MIN, INT16_MAX);
}
BIN(I16X8_Q15MULR_SAT_S, i16, 8, int16_t, q15mulr(x, y))
BIN(I16X8_RELAXED_Q15MULR_S, i16, 8, int16_t, q15mulr(x, y))

/* ---- shifts (count modulo the lane width) -------------------------------------------- */

#define SHIFT_P(id, V, N, T, BITS, EXPR)                                                   \
    static weld_v128 op_##id(weld_v128 a, uint32_t count)                                  \
    {                                                                                      \
        unsigned n = count & (BITS - 1);                                                   \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) {                                                 \
            T x = a.V[i];                                                                  \
            r.V[i] = (T)(EXPR);                                                            \
        }                                                                                  \
        return r;                                                                          \
    }
#define SHIFT_V(id, VT, BITS, OPR)                                                         \
    static weld_v128 op_##id(weld_v128 a, uint32_t count)                                  \
    {                                                                                      \
        VT x = TOV(VT, a);                                                                 \
        VT r = x OPR(int)(count & (BITS - 1));                                             \
        return FROMV(r);                                                                   \
    }
#define SHIFTS_P(P, BITS, VS, VU, N, TS, TU)                                               \
    SHIFT_P(P##_SHL, VU, N, TU, BITS, (uint64_t)x << n)                                    \
    SHIFT_P(P##_SHR_S, VS, N, TS, BITS, sar64(x, n))                                       \
    SHIFT_P(P##_SHR_U, VU, N, TU, BITS, x >> n)
#if WELD_SIMD_VEC
#define SHIFTS(P, BITS, VS, VU, N, TS, TU, VTS, VTU)                                       \
    SHIFT_V(P##_SHL, VTU, BITS, <<)                                                        \
    SHIFT_V(P##_SHR_S, VTS, BITS, >>)                                                      \
    SHIFT_V(P##_SHR_U, VTU, BITS, >>)
#else
#define SHIFTS(P, BITS, VS, VU, N, TS, TU, VTS, VTU) SHIFTS_P(P, BITS, VS, VU, N, TS, TU)
#endif
SHIFTS(I8X16, 8, i8, u8, 16, int8_t, uint8_t, v_i8, v_u8)
SHIFTS(I16X8, 16, i16, u16, 8, int16_t, uint16_t, v_i16, v_u16)
SHIFTS(I32X4, 32, i32, u32, 4, int32_t, uint32_t, v_i32, v_u32)
SHIFTS_P(I64X2, 64, i64, u64, 2, int64_t, uint64_t)

/* ---- narrowing, widening, extended arithmetic ---------------------------------------- */

#define NARROW(id, SV, DV, DT, N, LO, HI)                                                  \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b)                                     \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) {                                                 \
            r.DV[i] = (DT)clamp(a.SV[i], LO, HI);                                          \
            r.DV[i + N] = (DT)clamp(b.SV[i], LO, HI);                                      \
        }                                                                                  \
        return r;                                                                          \
    }
NARROW(I8X16_NARROW_I16X8_S, i16, i8, int8_t, 8, INT8_MIN, INT8_MAX)
NARROW(I8X16_NARROW_I16X8_U, i16, u8, uint8_t, 8, 0, UINT8_MAX)
NARROW(I16X8_NARROW_I32X4_S, i32, i16, int16_t, 4, INT16_MIN, INT16_MAX)
NARROW(I16X8_NARROW_I32X4_U, i32, u16, uint16_t, 4, 0, UINT16_MAX)

/* extend_low/high: lanes OFF.. of the narrow view, widened. */
#define EXTEND(id, SV, DV, N, OFF)                                                         \
    static weld_v128 op_##id(weld_v128 a)                                                  \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) r.DV[i] = a.SV[i + OFF];                          \
        return r;                                                                          \
    }
EXTEND(I16X8_EXTEND_LOW_I8X16_S, i8, i16, 8, 0)
EXTEND(I16X8_EXTEND_HIGH_I8X16_S, i8, i16, 8, 8)
EXTEND(I16X8_EXTEND_LOW_I8X16_U, u8, u16, 8, 0)
EXTEND(I16X8_EXTEND_HIGH_I8X16_U, u8, u16, 8, 8)
EXTEND(I32X4_EXTEND_LOW_I16X8_S, i16, i32, 4, 0)
EXTEND(I32X4_EXTEND_HIGH_I16X8_S, i16, i32, 4, 4)
EXTEND(I32X4_EXTEND_LOW_I16X8_U, u16, u32, 4, 0)
EXTEND(I32X4_EXTEND_HIGH_I16X8_U, u16, u32, 4, 4)
EXTEND(I64X2_EXTEND_LOW_I32X4_S, i32, i64, 2, 0)
EXTEND(I64X2_EXTEND_HIGH_I32X4_S, i32, i64, 2, 2)
EXTEND(I64X2_EXTEND_LOW_I32X4_U, u32, u64, 2, 0)
EXTEND(I64X2_EXTEND_HIGH_I32X4_U, u32, u64, 2, 2)

/* extmul: the widened product of lanes OFF.. (exact in the wide type; computed unsigned
 * for the 64-bit case so that no signed overflow can occur). */
#define EXTMUL(id, SV, DV, DT, WT, N, OFF)                                                 \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b)                                     \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++)                                                   \
            r.DV[i] = (DT)((WT)a.SV[i + OFF] * (WT)b.SV[i + OFF]);                         \
        return r;                                                                          \
    }
EXTMUL(I16X8_EXTMUL_LOW_I8X16_S, i8, i16, int16_t, int32_t, 8, 0)
EXTMUL(I16X8_EXTMUL_HIGH_I8X16_S, i8, i16, int16_t, int32_t, 8, 8)
EXTMUL(I16X8_EXTMUL_LOW_I8X16_U, u8, u16, uint16_t, uint32_t, 8, 0)
EXTMUL(I16X8_EXTMUL_HIGH_I8X16_U, u8, u16, uint16_t, uint32_t, 8, 8)
EXTMUL(I32X4_EXTMUL_LOW_I16X8_S, i16, i32, int32_t, int32_t, 4, 0)
EXTMUL(I32X4_EXTMUL_HIGH_I16X8_S, i16, i32, int32_t, int32_t, 4, 4)
EXTMUL(I32X4_EXTMUL_LOW_I16X8_U, u16, u32, uint32_t, uint32_t, 4, 0)
EXTMUL(I32X4_EXTMUL_HIGH_I16X8_U, u16, u32, uint32_t, uint32_t, 4, 4)
EXTMUL(I64X2_EXTMUL_LOW_I32X4_S, i32, i64, int64_t, int64_t, 2, 0)
EXTMUL(I64X2_EXTMUL_HIGH_I32X4_S, i32, i64, int64_t, int64_t, 2, 2)
EXTMUL(I64X2_EXTMUL_LOW_I32X4_U, u32, u64, uint64_t, uint64_t, 2, 0)
EXTMUL(I64X2_EXTMUL_HIGH_I32X4_U, u32, u64, uint64_t, uint64_t, 2, 2)

#define EXTADD(id, SV, DV, DT, N)                                                          \
    static weld_v128 op_##id(weld_v128 a)                                                  \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) r.DV[i] = (DT)(a.SV[2 * i] + a.SV[2 * i + 1]);    \
        return r;                                                                          \
    }
EXTADD(I16X8_EXTADD_PAIRWISE_I8X16_S, i8, i16, int16_t, 8)
EXTADD(I16X8_EXTADD_PAIRWISE_I8X16_U, u8, u16, uint16_t, 8)
EXTADD(I32X4_EXTADD_PAIRWISE_I16X8_S, i16, i32, int32_t, 4)
EXTADD(I32X4_EXTADD_PAIRWISE_I16X8_U, u16, u32, uint32_t, 4)

/* i32x4.dot_i16x8_s: the sum wraps (only -32768^2 * 2 exceeds i32). */
static weld_v128 op_I32X4_DOT_I16X8_S(weld_v128 a, weld_v128 b)
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
static weld_v128 op_I16X8_RELAXED_DOT_I8X16_I7X16_S(weld_v128 a, weld_v128 b)
{
    weld_v128 r;
    for (unsigned i = 0; i < 8; i++) {
        int32_t s = a.i8[2 * i] * b.i8[2 * i] + a.i8[2 * i + 1] * b.i8[2 * i + 1];
        r.u16[i] = (uint16_t)s;
    }
    return r;
}
static weld_v128 op_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S(weld_v128 a, weld_v128 b, weld_v128 c)
{
    weld_v128 d = op_I16X8_RELAXED_DOT_I8X16_I7X16_S(a, b), r;
    for (unsigned i = 0; i < 4; i++)
        r.u32[i] = (uint32_t)((int32_t)d.i16[2 * i] + d.i16[2 * i + 1]) + c.u32[i];
    return r;
}

/* ---- float arithmetic ---------------------------------------------------------------- */

/* Lanewise float op with NaN results canonicalised. */
#define FARITH_P(id, V, UV, N, T, BITS, EXPR)                                              \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b)                                     \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) {                                                 \
            T x = a.V[i], y = b.V[i];                                                      \
            r.UV[i] = BITS(EXPR);                                                          \
        }                                                                                  \
        return r;                                                                          \
    }
#if WELD_SIMD_VECF
#define FARITH(id, V, UV, N, T, BITS, EXPR, VT, VI, CANON, OPR)                            \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b)                                     \
    {                                                                                      \
        VT x = TOV(VT, a), y = TOV(VT, b);                                                 \
        VT z = x OPR y;                                                                    \
        VI nan = z != z, zb;                                                               \
        memcpy(&zb, &z, 16);                                                               \
        zb = (zb & ~nan) | (((VI){0} + (__typeof__(zb[0]))CANON) & nan);                    \
        return FROMV(zb);                                                                  \
    }
#else
#define FARITH(id, V, UV, N, T, BITS, EXPR, VT, VI, CANON, OPR)                            \
    FARITH_P(id, V, UV, N, T, BITS, EXPR)
#endif
FARITH(F32X4_ADD, f32, u32, 4, float, bits32, r32(x + y), v_f32, v_i32, CANON32, +)
FARITH(F32X4_SUB, f32, u32, 4, float, bits32, r32(x - y), v_f32, v_i32, CANON32, -)
FARITH(F32X4_MUL, f32, u32, 4, float, bits32, r32(x * y), v_f32, v_i32, CANON32, *)
FARITH(F32X4_DIV, f32, u32, 4, float, bits32, r32(x / y), v_f32, v_i32, CANON32, /)
FARITH_P(F64X2_ADD, f64, u64, 2, double, bits64, r64(x + y))
FARITH_P(F64X2_SUB, f64, u64, 2, double, bits64, r64(x - y))
FARITH_P(F64X2_MUL, f64, u64, 2, double, bits64, r64(x * y))
FARITH_P(F64X2_DIV, f64, u64, 2, double, bits64, r64(x / y))

#define FMINMAX(id, V, UV, N, FN)                                                          \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b)                                     \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) r.UV[i] = FN(a.V[i], b.V[i], a.UV[i], b.UV[i]);   \
        return r;                                                                          \
    }
FMINMAX(F32X4_MIN, f32, u32, 4, fmin32)
FMINMAX(F32X4_MAX, f32, u32, 4, fmax32)
FMINMAX(F64X2_MIN, f64, u64, 2, fmin64)
FMINMAX(F64X2_MAX, f64, u64, 2, fmax64)
FMINMAX(F32X4_RELAXED_MIN, f32, u32, 4, fmin32)
FMINMAX(F32X4_RELAXED_MAX, f32, u32, 4, fmax32)
FMINMAX(F64X2_RELAXED_MIN, f64, u64, 2, fmin64)
FMINMAX(F64X2_RELAXED_MAX, f64, u64, 2, fmax64)

/* pmin = b < a ? b : a, pmax = a < b ? b : a, on the bits (NaNs pass through). */
#define PMINMAX(id, V, UV, N, COND)                                                        \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b)                                     \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) r.UV[i] = (COND) ? b.UV[i] : a.UV[i];             \
        return r;                                                                          \
    }
PMINMAX(F32X4_PMIN, f32, u32, 4, b.f32[i] < a.f32[i])
PMINMAX(F32X4_PMAX, f32, u32, 4, a.f32[i] < b.f32[i])
PMINMAX(F64X2_PMIN, f64, u64, 2, b.f64[i] < a.f64[i])
PMINMAX(F64X2_PMAX, f64, u64, 2, a.f64[i] < b.f64[i])

/* Sign-bit operations: exact on the bits, NaN payloads kept. */
UN(F32X4_ABS, u32, 4, uint32_t, x & 0x7fffffffu)
UN(F32X4_NEG, u32, 4, uint32_t, x ^ 0x80000000u)
UN(F64X2_ABS, u64, 2, uint64_t, x & UINT64_C(0x7fffffffffffffff))
UN(F64X2_NEG, u64, 2, uint64_t, x ^ UINT64_C(0x8000000000000000))

#define FUN(id, V, UV, N, T, BITS, EXPR)                                                   \
    static weld_v128 op_##id(weld_v128 a)                                                  \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) {                                                 \
            T x = a.V[i];                                                                  \
            r.UV[i] = BITS(EXPR);                                                          \
        }                                                                                  \
        return r;                                                                          \
    }
FUN(F32X4_SQRT, f32, u32, 4, float, bits32, r32(sqrtf(x)))
FUN(F64X2_SQRT, f64, u64, 2, double, bits64, r64(sqrt(x)))
FUN(F32X4_CEIL, f32, u32, 4, float, bits32, ceilf(x))
FUN(F32X4_FLOOR, f32, u32, 4, float, bits32, floorf(x))
FUN(F32X4_TRUNC, f32, u32, 4, float, bits32, truncf(x))
FUN(F32X4_NEAREST, f32, u32, 4, float, bits32, nearbyintf(x))
FUN(F64X2_CEIL, f64, u64, 2, double, bits64, ceil(x))
FUN(F64X2_FLOOR, f64, u64, 2, double, bits64, floor(x))
FUN(F64X2_TRUNC, f64, u64, 2, double, bits64, trunc(x))
FUN(F64X2_NEAREST, f64, u64, 2, double, bits64, nearbyint(x))

/* Fused multiply-add, one rounding (the relaxed-SIMD choice documented in simd.h). */
#define MADD(id, V, UV, N, BITS, EXPR)                                                     \
    static weld_v128 op_##id(weld_v128 a, weld_v128 b, weld_v128 c)                        \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < N; i++) r.UV[i] = BITS(EXPR);                             \
        return r;                                                                          \
    }
MADD(F32X4_RELAXED_MADD, f32, u32, 4, bits32, fmaf(a.f32[i], b.f32[i], c.f32[i]))
MADD(F32X4_RELAXED_NMADD, f32, u32, 4, bits32, fmaf(-a.f32[i], b.f32[i], c.f32[i]))
MADD(F64X2_RELAXED_MADD, f64, u64, 2, bits64, fma(a.f64[i], b.f64[i], c.f64[i]))
MADD(F64X2_RELAXED_NMADD, f64, u64, 2, bits64, fma(-a.f64[i], b.f64[i], c.f64[i]))

/* ---- conversions --------------------------------------------------------------------- */

static weld_v128 op_F32X4_DEMOTE_F64X2_ZERO(weld_v128 a)
{
    weld_v128 r;
    r.u32[0] = bits32(r32((float)a.f64[0]));
    r.u32[1] = bits32(r32((float)a.f64[1]));
    r.u64[1] = 0;
    return r;
}
static weld_v128 op_F64X2_PROMOTE_LOW_F32X4(weld_v128 a)
{
    weld_v128 r;
    for (unsigned i = 0; i < 2; i++) r.u64[i] = bits64((double)a.f32[i]);
    return r;
}
static weld_v128 op_F32X4_CONVERT_I32X4_S(weld_v128 a)
{
    weld_v128 r;
    for (unsigned i = 0; i < 4; i++) r.f32[i] = r32((float)a.i32[i]);
    return r;
}
static weld_v128 op_F32X4_CONVERT_I32X4_U(weld_v128 a)
{
    weld_v128 r;
    for (unsigned i = 0; i < 4; i++) r.f32[i] = r32((float)a.u32[i]);
    return r;
}
static weld_v128 op_F64X2_CONVERT_LOW_I32X4_S(weld_v128 a)
{
    weld_v128 r;
    for (unsigned i = 0; i < 2; i++) r.f64[i] = (double)a.i32[i];
    return r;
}
static weld_v128 op_F64X2_CONVERT_LOW_I32X4_U(weld_v128 a)
{
    weld_v128 r;
    for (unsigned i = 0; i < 2; i++) r.f64[i] = (double)a.u32[i];
    return r;
}

#define TRUNC4(id, FN, OUT)                                                                \
    static weld_v128 op_##id(weld_v128 a)                                                  \
    {                                                                                      \
        weld_v128 r;                                                                       \
        for (unsigned i = 0; i < 4; i++) r.OUT[i] = FN(a.f32[i]);                          \
        return r;                                                                          \
    }
#define TRUNC2Z(id, FN, OUT)                                                               \
    static weld_v128 op_##id(weld_v128 a)                                                  \
    {                                                                                      \
        weld_v128 r;                                                                       \
        r.OUT[0] = FN(a.f64[0]);                                                           \
        r.OUT[1] = FN(a.f64[1]);                                                           \
        r.u64[1] = 0;                                                                      \
        return r;                                                                          \
    }
TRUNC4(I32X4_TRUNC_SAT_F32X4_S, sat_s32, i32)
TRUNC4(I32X4_TRUNC_SAT_F32X4_U, sat_u32, u32)
TRUNC2Z(I32X4_TRUNC_SAT_F64X2_S_ZERO, sat_s32, i32)
TRUNC2Z(I32X4_TRUNC_SAT_F64X2_U_ZERO, sat_u32, u32)
TRUNC4(I32X4_RELAXED_TRUNC_F32X4_S, sat_s32, i32)
TRUNC4(I32X4_RELAXED_TRUNC_F32X4_U, sat_u32, u32)
TRUNC2Z(I32X4_RELAXED_TRUNC_F64X2_S_ZERO, sat_s32, i32)
TRUNC2Z(I32X4_RELAXED_TRUNC_F64X2_U_ZERO, sat_u32, u32)

/* ---- the table: one entry per 0xFD opcode of opcodes.def ----------------------------- */

typedef void (*generic_fn)(void);
#define IMPL_0x00(id) NULL
#define IMPL_0xFC(id) NULL
#define IMPL_0xFE(id) NULL
#define IMPL_0xFD(id) (generic_fn)op_##id
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
