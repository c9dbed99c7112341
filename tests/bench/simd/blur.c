/* blur.c - a separable 3x3 binomial blur ([1 2 1] horizontally, then vertically, each pass
 * divided by 4 with rounding) of a 256x256 8-bit image, `iters` times, in 16-bit lanes
 * (16 pixels a step). Returns a checksum of the final image. */
#include "common.h"

#define W 256
#define H 256
static uint8_t img[H][W + 16], tmp[H][W + 16];

/* (a + 2b + c + 2) >> 2 for 8 pixels of 8 bits each, widened to 16 bits */
static inline v128_t tap3(const uint8_t *a, const uint8_t *b, const uint8_t *c, v128_t two)
{
    v128_t s = wasm_i16x8_add(wasm_u16x8_load8x8(a), wasm_i16x8_shl(wasm_u16x8_load8x8(b), 1));
    s = wasm_i16x8_add(wasm_i16x8_add(s, wasm_u16x8_load8x8(c)), two);
    return wasm_u16x8_shr(s, 2);
}

uint32_t bench(uint32_t iters)
{
    uint32_t s = 1;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W + 16; x++) img[y][x] = (uint8_t)lcg(&s);
    const v128_t two = wasm_i32x4_splat(0x00020002);
    for (uint32_t it = 0; it < iters; it++) {
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x += 16) {
                const uint8_t *r = &img[y][x];
                v128_t lo = tap3(r, r + 1, r + 2, two), hi = tap3(r + 8, r + 9, r + 10, two);
                wasm_v128_store(&tmp[y][x], wasm_u8x16_narrow_i16x8(lo, hi));
            }
        for (int y = 0; y < H; y++) {
            int ya = y ? y - 1 : 0, yc = y + 1 < H ? y + 1 : H - 1;
            for (int x = 0; x < W; x += 16) {
                v128_t lo = tap3(&tmp[ya][x], &tmp[y][x], &tmp[yc][x], two);
                v128_t hi = tap3(&tmp[ya][x + 8], &tmp[y][x + 8], &tmp[yc][x + 8], two);
                wasm_v128_store(&img[y][x], wasm_u8x16_narrow_i16x8(lo, hi));
            }
        }
    }
    uint32_t h = 2166136261u;
    for (int y = 0; y < H; y++) h = fnv(h, img[y], W);
    return h;
}
