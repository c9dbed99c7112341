/* qsort.c - sorting: the C library's qsort of pseudo-random ints with a comparison
 * function (an indirect call per comparison). */
#include "bench.h"
#include <stdlib.h>
#define N 100000
static int32_t a[N];
static int cmp(const void *p, const void *q)
{
    int32_t x = *(const int32_t *)p, y = *(const int32_t *)q;
    return (x > y) - (x < y);
}
BENCH uint32_t bench(uint32_t rounds)
{
    uint32_t x = 42, h = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        for (int i = 0; i < N; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; a[i] = (int32_t)(x % 1000000); }
        qsort(a, N, sizeof a[0], cmp);
        for (int i = 0; i < N; i += 97) h = h * 31 + (uint32_t)a[i];
    }
    return h;
}
