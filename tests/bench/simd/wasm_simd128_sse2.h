/* wasm_simd128_sse2.h - the few wasm_simd128.h intrinsics the SIMD benchmarks use, mapped
 * to SSE2 for the native build, so that one source gives both the Wasm program and its
 * native reference (each wasm_* function here is the SSE2 instruction with the same
 * lane semantics). */
#ifndef WASM_SIMD128_SSE2_H
#define WASM_SIMD128_SSE2_H
#include <emmintrin.h>
#include <stdint.h>

typedef __m128i v128_t;

static inline v128_t wasm_v128_load(const void *p) { return _mm_loadu_si128((const __m128i *)p); }
static inline void wasm_v128_store(void *p, v128_t v) { _mm_storeu_si128((__m128i *)p, v); }
static inline v128_t wasm_u16x8_load8x8(const void *p)
{
    return _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)p), _mm_setzero_si128());
}
static inline v128_t wasm_i16x8_add(v128_t a, v128_t b) { return _mm_add_epi16(a, b); }
static inline v128_t wasm_i16x8_shl(v128_t a, uint32_t n) { return _mm_slli_epi16(a, (int)n); }
static inline v128_t wasm_u16x8_shr(v128_t a, uint32_t n) { return _mm_srli_epi16(a, (int)n); }
static inline v128_t wasm_u8x16_narrow_i16x8(v128_t a, v128_t b) { return _mm_packus_epi16(a, b); }
static inline v128_t wasm_i32x4_splat(int32_t x) { return _mm_set1_epi32(x); }
static inline v128_t wasm_i32x4_add(v128_t a, v128_t b) { return _mm_add_epi32(a, b); }
static inline v128_t wasm_i32x4_dot_i16x8(v128_t a, v128_t b) { return _mm_madd_epi16(a, b); }
static inline int32_t wasm_i32x4_extract_lane(v128_t a, int i)
{
    int32_t l[4];
    _mm_storeu_si128((__m128i *)l, a);
    return l[i];
}
static inline v128_t wasm_f32x4_splat(float x) { return _mm_castps_si128(_mm_set1_ps(x)); }
static inline v128_t wasm_f32x4_add(v128_t a, v128_t b)
{
    return _mm_castps_si128(_mm_add_ps(_mm_castsi128_ps(a), _mm_castsi128_ps(b)));
}
static inline v128_t wasm_f32x4_mul(v128_t a, v128_t b)
{
    return _mm_castps_si128(_mm_mul_ps(_mm_castsi128_ps(a), _mm_castsi128_ps(b)));
}
#endif
