/* numeric.h - the arithmetic of Wasm numeric instructions that C does not give directly:
 * trapping division and conversions, saturating conversions, float min/max/nearest,
 * rotations and bit counts. One definition each, shared by the dispatch loop. */
#ifndef WELD_RT_NUMERIC_H
#define WELD_RT_NUMERIC_H

#include "rt/rt.h"
#include <math.h>
#include <string.h>

static inline uint32_t rt_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float rt_bits_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint64_t rt_f64_bits(double f) { uint64_t u; memcpy(&u, &f, 8); return u; }
static inline double rt_bits_f64(uint64_t u) { double f; memcpy(&f, &u, 8); return f; }

static inline int32_t rt_i32_div_s(int32_t a, int32_t b, rt_trap *t)
{
    if (b == 0) { *t = RT_TRAP_DIV_ZERO; return 0; }
    if (a == INT32_MIN && b == -1) { *t = RT_TRAP_INT_OVERFLOW; return 0; }
    return a / b;
}
static inline uint32_t rt_i32_div_u(uint32_t a, uint32_t b, rt_trap *t)
{
    if (b == 0) { *t = RT_TRAP_DIV_ZERO; return 0; }
    return a / b;
}
static inline int32_t rt_i32_rem_s(int32_t a, int32_t b, rt_trap *t)
{
    if (b == 0) { *t = RT_TRAP_DIV_ZERO; return 0; }
    if (b == -1) return 0;
    return a % b;
}
static inline uint32_t rt_i32_rem_u(uint32_t a, uint32_t b, rt_trap *t)
{
    if (b == 0) { *t = RT_TRAP_DIV_ZERO; return 0; }
    return a % b;
}
static inline int64_t rt_i64_div_s(int64_t a, int64_t b, rt_trap *t)
{
    if (b == 0) { *t = RT_TRAP_DIV_ZERO; return 0; }
    if (a == INT64_MIN && b == -1) { *t = RT_TRAP_INT_OVERFLOW; return 0; }
    return a / b;
}
static inline uint64_t rt_i64_div_u(uint64_t a, uint64_t b, rt_trap *t)
{
    if (b == 0) { *t = RT_TRAP_DIV_ZERO; return 0; }
    return a / b;
}
static inline int64_t rt_i64_rem_s(int64_t a, int64_t b, rt_trap *t)
{
    if (b == 0) { *t = RT_TRAP_DIV_ZERO; return 0; }
    if (b == -1) return 0;
    return a % b;
}
static inline uint64_t rt_i64_rem_u(uint64_t a, uint64_t b, rt_trap *t)
{
    if (b == 0) { *t = RT_TRAP_DIV_ZERO; return 0; }
    return a % b;
}

static inline uint32_t rt_rotl32(uint32_t x, uint32_t n) { n &= 31; return (x << n) | (x >> ((32 - n) & 31)); }
static inline uint32_t rt_rotr32(uint32_t x, uint32_t n) { n &= 31; return (x >> n) | (x << ((32 - n) & 31)); }
static inline uint64_t rt_rotl64(uint64_t x, uint64_t n) { n &= 63; return (x << n) | (x >> ((64 - n) & 63)); }
static inline uint64_t rt_rotr64(uint64_t x, uint64_t n) { n &= 63; return (x >> n) | (x << ((64 - n) & 63)); }
static inline uint32_t rt_clz32(uint32_t x) { return x ? (uint32_t)__builtin_clz(x) : 32; }
static inline uint32_t rt_ctz32(uint32_t x) { return x ? (uint32_t)__builtin_ctz(x) : 32; }
static inline uint64_t rt_clz64(uint64_t x) { return x ? (uint64_t)__builtin_clzll(x) : 64; }
static inline uint64_t rt_ctz64(uint64_t x) { return x ? (uint64_t)__builtin_ctzll(x) : 64; }

/* min/max: a NaN operand gives a NaN (propagated quiet), -0 < +0. */
static inline float rt_fminf(float a, float b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return rt_bits_f32(rt_f32_bits(a) | rt_f32_bits(b));
    return a < b ? a : b;
}
static inline float rt_fmaxf(float a, float b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return rt_bits_f32(rt_f32_bits(a) & rt_f32_bits(b));
    return a > b ? a : b;
}
static inline double rt_fmin(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return rt_bits_f64(rt_f64_bits(a) | rt_f64_bits(b));
    return a < b ? a : b;
}
static inline double rt_fmax(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return rt_bits_f64(rt_f64_bits(a) & rt_f64_bits(b));
    return a > b ? a : b;
}
static inline uint32_t rt_copysign32(uint32_t a, uint32_t b) { return (a & 0x7fffffffu) | (b & 0x80000000u); }
static inline uint64_t rt_copysign64(uint64_t a, uint64_t b)
{
    return (a & 0x7fffffffffffffffull) | (b & 0x8000000000000000ull);
}

/* Float to integer: NaN traps "invalid conversion", out of range "integer overflow".
 * (lo, hi) are exclusive bounds exactly representable in the source type. */
#define RT_TRUNC(NAME, FT, IT, LO, HI) \
    static inline IT NAME(FT x, rt_trap *t) \
    { \
        if (x != x) { *t = RT_TRAP_INVALID_CONV; return 0; } \
        if (!(x > (FT)(LO) && x < (FT)(HI))) { *t = RT_TRAP_INT_OVERFLOW; return 0; } \
        return (IT)x; \
    }
RT_TRUNC(rt_i32_trunc_f32_s, float, int32_t, -2147483904.0, 2147483648.0)
RT_TRUNC(rt_i32_trunc_f32_u, float, uint32_t, -1.0, 4294967296.0)
RT_TRUNC(rt_i32_trunc_f64_s, double, int32_t, -2147483649.0, 2147483648.0)
RT_TRUNC(rt_i32_trunc_f64_u, double, uint32_t, -1.0, 4294967296.0)
RT_TRUNC(rt_i64_trunc_f32_s, float, int64_t, -9223373136366403584.0, 9223372036854775808.0)
RT_TRUNC(rt_i64_trunc_f32_u, float, uint64_t, -1.0, 18446744073709551616.0)
RT_TRUNC(rt_i64_trunc_f64_s, double, int64_t, -9223372036854777856.0, 9223372036854775808.0)
RT_TRUNC(rt_i64_trunc_f64_u, double, uint64_t, -1.0, 18446744073709551616.0)

#define RT_SAT(NAME, FT, IT, LO, HI, MIN, MAX) \
    static inline IT NAME(FT x) \
    { \
        if (x != x) return 0; \
        if (!(x > (FT)(LO))) return MIN; \
        if (!(x < (FT)(HI))) return MAX; \
        return (IT)x; \
    }
RT_SAT(rt_i32_sat_f32_s, float, int32_t, -2147483904.0, 2147483648.0, INT32_MIN, INT32_MAX)
RT_SAT(rt_i32_sat_f32_u, float, uint32_t, -1.0, 4294967296.0, 0, UINT32_MAX)
RT_SAT(rt_i32_sat_f64_s, double, int32_t, -2147483649.0, 2147483648.0, INT32_MIN, INT32_MAX)
RT_SAT(rt_i32_sat_f64_u, double, uint32_t, -1.0, 4294967296.0, 0, UINT32_MAX)
RT_SAT(rt_i64_sat_f32_s, float, int64_t, -9223373136366403584.0, 9223372036854775808.0, INT64_MIN, INT64_MAX)
RT_SAT(rt_i64_sat_f32_u, float, uint64_t, -1.0, 18446744073709551616.0, 0, UINT64_MAX)
RT_SAT(rt_i64_sat_f64_s, double, int64_t, -9223372036854777856.0, 9223372036854775808.0, INT64_MIN, INT64_MAX)
RT_SAT(rt_i64_sat_f64_u, double, uint64_t, -1.0, 18446744073709551616.0, 0, UINT64_MAX)

#endif
