/* matmul.c - C = A x B for 64x64 single-precision matrices, `iters` times (B is updated
 * from C between rounds so no round can be skipped), four columns a vector: splat of
 * A[i][k] times a row of B, accumulated with separate multiply and add (no fused
 * multiply-add, so both builds round alike). Returns a checksum of C's bits. */
#include "common.h"

#define N 64
static float a[N][N], b[N][N], c[N][N];

uint32_t bench(uint32_t iters)
{
    uint32_t s = 7;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (float)((int)(lcg(&s) & 255) - 128) / 128.0f;
            b[i][j] = (float)((int)(lcg(&s) & 255) - 128) / 128.0f;
        }
    const v128_t scale = wasm_f32x4_splat(0.125f);
    for (uint32_t it = 0; it < iters; it++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j += 4) {
                v128_t acc = wasm_f32x4_splat(0.0f);
                for (int k = 0; k < N; k++)
                    acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_splat(a[i][k]),
                                                             wasm_v128_load(&b[k][j])));
                wasm_v128_store(&c[i][j], acc);
            }
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j += 4)
                wasm_v128_store(&b[i][j], wasm_f32x4_mul(wasm_v128_load(&c[i][j]), scale));
    }
    return fnv(2166136261u, c, sizeof c);
}
