/* common.h - what the SIMD benchmarks share: the intrinsics (wasm_simd128.h for Wasm, the
 * SSE2 mapping natively) and a deterministic pseudo-random generator. */
#ifndef BENCH_SIMD_COMMON_H
#define BENCH_SIMD_COMMON_H
#include <stdint.h>
#ifdef __wasm__
#include <wasm_simd128.h>
#else
#include "wasm_simd128_sse2.h"
#endif

static inline uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* FNV-1a over bytes: the checksum both builds must agree on */
static inline uint32_t fnv(uint32_t h, const void *p, uint32_t n)
{
    const uint8_t *b = p;
    for (uint32_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
    return h;
}
#endif
