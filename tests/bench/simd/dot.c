/* dot.c - dot products of 16-bit integer vectors (4096 elements), i32x4.dot_i16x8_s
 * (pmaddwd) with 32-bit accumulation, `iters` rounds over shifting windows. Returns the
 * sum of all the products. */
#include "common.h"

#define LEN 4096
static int16_t x[LEN + 64], y[LEN + 64];

uint32_t bench(uint32_t iters)
{
    uint32_t s = 3;
    for (int i = 0; i < LEN + 64; i++) {
        x[i] = (int16_t)(lcg(&s) & 0xffff);
        y[i] = (int16_t)(lcg(&s) & 0xffff);
    }
    uint32_t total = 0;
    for (uint32_t it = 0; it < iters; it++) {
        const int16_t *p = x + (it & 7) * 8, *q = y + ((it >> 3) & 7) * 8;
        v128_t acc0 = wasm_i32x4_splat(0), acc1 = wasm_i32x4_splat(0);
        for (int i = 0; i < LEN; i += 16) {
            acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_v128_load(p + i), wasm_v128_load(q + i)));
            acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_v128_load(p + i + 8), wasm_v128_load(q + i + 8)));
        }
        v128_t acc = wasm_i32x4_add(acc0, acc1);
        total += (uint32_t)wasm_i32x4_extract_lane(acc, 0) + (uint32_t)wasm_i32x4_extract_lane(acc, 1) +
                 (uint32_t)wasm_i32x4_extract_lane(acc, 2) + (uint32_t)wasm_i32x4_extract_lane(acc, 3);
    }
    return total;
}
