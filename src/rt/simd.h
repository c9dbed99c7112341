/* simd.h - the semantics of every 0xFD (SIMD and relaxed-SIMD) instruction, as pure
 * functions on 128-bit values. The interpreter does the memory accesses and bounds checks;
 * this layer computes lanes.
 *
 * The operations are keyed to the opcode table (src/binary/opcodes.def): for each 0xFD
 * opcode WELD_OP_<ID> there is one implementation, found with weld_simd_impl_of(). Its
 * calling shape (weld_simd_kind) follows from the table's immediate kind and signature, so
 * an interpreter dispatches on the kind without listing opcodes again (or includes
 * rt/simd_ops.h and calls weld_simd_<ID> directly, inlined): at compile time it
 * looks up weld_simd_impl_of(op) and stores the function pointer as an operand of one
 * handler per kind (13 handlers in all); at run time the handler moves operands between
 * frame slots and the function. For memory kinds the handler checks bounds for
 * weld_simd_access_size(op) bytes at the effective address and passes a pointer to them.
 *
 * Floating point: results are exact IEEE-754 (round to nearest even) and the same under
 * every compiler and optimisation level. Every NaN an arithmetic operation produces is
 * the positive canonical NaN (0x7fc00000 / 0x7ff8000000000000), which the spec allows in
 * all cases; abs, neg, pmin, pmax, bitwise ops and lane moves keep NaN bits unchanged.
 *
 * Relaxed SIMD, one deterministic choice each:
 *   relaxed_swizzle            = swizzle (an index >= 16 gives 0)
 *   relaxed_trunc*             = trunc_sat* (NaN gives 0, out of range saturates)
 *   relaxed_madd / nmadd       = fused multiply-add, one rounding: fma(a, b, c), fma(-a, b, c)
 *   relaxed_laneselect         = bitselect
 *   relaxed_min / max          = min / max
 *   relaxed_q15mulr_s          = q15mulr_sat_s
 *   relaxed_dot_i8x16_i7x16_s  = both operands signed, pair sums wrap to 16 bits
 *   relaxed_dot_..._add_s      = the i16 dot above, widened pairwise to i32, plus c (wrapping)
 */
#ifndef WELD_RT_SIMD_H
#define WELD_RT_SIMD_H

#include "weld/insn.h"
#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "weld's SIMD lanes assume a little-endian host"
#endif

/* A v128 value. Lane i of every view is element i (lane 0 is the lowest-addressed byte in
 * memory, as in Wasm). Floats are viewed as raw bits when NaN payloads matter. */
typedef union weld_v128 {
    uint8_t u8[16];
    int8_t i8[16];
    uint16_t u16[8];
    int16_t i16[8];
    uint32_t u32[4];
    int32_t i32[4];
    uint64_t u64[2];
    int64_t i64[2];
    float f32[4];
    double f64[2];
} weld_v128;

/* The calling shape of an operation. Scalars travel as raw bits in a uint64_t: an i32 or
 * f32 in the low 32 bits (the upper bits are ignored on input and zero on output). */
typedef enum weld_simd_kind {
    WELD_SIMD_NONE,    /* not a 0xFD opcode */
    WELD_SIMD_LOAD,    /* v128 f(const uint8_t *p): v128.load*, v128.const (p = immediate);
                          reads the access size from weld_simd_load_size() */
    WELD_SIMD_STORE,   /* void f(uint8_t *p, v128 v): v128.store (16 bytes) */
    WELD_SIMD_LOAD_LANE,  /* v128 f(v128 v, unsigned lane, const uint8_t *p) */
    WELD_SIMD_STORE_LANE, /* void f(uint8_t *p, v128 v, unsigned lane) */
    WELD_SIMD_SPLAT,   /* v128 f(uint64_t x) */
    WELD_SIMD_EXTRACT, /* uint64_t f(v128 v, unsigned lane) */
    WELD_SIMD_REPLACE, /* v128 f(v128 v, unsigned lane, uint64_t x) */
    WELD_SIMD_SHUFFLE, /* v128 f(v128 a, v128 b, const uint8_t lanes[16]) */
    WELD_SIMD_UNARY,   /* v128 f(v128 a) */
    WELD_SIMD_BINARY,  /* v128 f(v128 a, v128 b) */
    WELD_SIMD_TERNARY, /* v128 f(v128 a, v128 b, v128 c) */
    WELD_SIMD_TEST,    /* uint32_t f(v128 a): any_true, all_true, bitmask */
    WELD_SIMD_SHIFT    /* v128 f(v128 a, uint32_t count): count is taken modulo lane width */
} weld_simd_kind;

typedef weld_v128 (*weld_simd_load_fn)(const uint8_t *p);
typedef void (*weld_simd_store_fn)(uint8_t *p, weld_v128 v);
typedef weld_v128 (*weld_simd_load_lane_fn)(weld_v128 v, unsigned lane, const uint8_t *p);
typedef void (*weld_simd_store_lane_fn)(uint8_t *p, weld_v128 v, unsigned lane);
typedef weld_v128 (*weld_simd_splat_fn)(uint64_t x);
typedef uint64_t (*weld_simd_extract_fn)(weld_v128 v, unsigned lane);
typedef weld_v128 (*weld_simd_replace_fn)(weld_v128 v, unsigned lane, uint64_t x);
typedef weld_v128 (*weld_simd_shuffle_fn)(weld_v128 a, weld_v128 b, const uint8_t *lanes);
typedef weld_v128 (*weld_simd_unary_fn)(weld_v128 a);
typedef weld_v128 (*weld_simd_binary_fn)(weld_v128 a, weld_v128 b);
typedef weld_v128 (*weld_simd_ternary_fn)(weld_v128 a, weld_v128 b, weld_v128 c);
typedef uint32_t (*weld_simd_test_fn)(weld_v128 a);
typedef weld_v128 (*weld_simd_shift_fn)(weld_v128 a, uint32_t count);

/* One operation: its shape and the function (use the member that matches kind). */
typedef struct weld_simd_impl {
    weld_simd_kind kind;
    union {
        weld_simd_load_fn load;
        weld_simd_store_fn store;
        weld_simd_load_lane_fn load_lane;
        weld_simd_store_lane_fn store_lane;
        weld_simd_splat_fn splat;
        weld_simd_extract_fn extract;
        weld_simd_replace_fn replace;
        weld_simd_shuffle_fn shuffle;
        weld_simd_unary_fn unary;
        weld_simd_binary_fn binary;
        weld_simd_ternary_fn ternary;
        weld_simd_test_fn test;
        weld_simd_shift_fn shift;
    } fn;
} weld_simd_impl;

/* The implementation of opcode op; kind WELD_SIMD_NONE (and a NULL function) for any
 * opcode that is not in the 0xFD group. Never fails for a 0xFD opcode of the table. */
weld_simd_impl weld_simd_impl_of(weld_opcode op);

/* How many bytes of memory a LOAD, STORE, LOAD_LANE or STORE_LANE opcode accesses
 * (16 for v128.load/store/const, 8 for load8x8_s, 4 for load32_zero, ...); 0 otherwise. */
unsigned weld_simd_access_size(weld_opcode op);

/* Whether the fast path (host vector instructions) is compiled in: "sse2", "vector" or
 * "portable". Both paths compute bit-identical results. */
const char *weld_simd_backend(void);

#endif
