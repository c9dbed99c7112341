/* sieve.c - loops over arrays: the sieve of Eratosthenes, then a prefix sum over it. */
#include "bench.h"
#define N (1 << 20)
static uint8_t composite[N];
static uint32_t sums[N];
BENCH uint32_t bench(uint32_t rounds)
{
    uint32_t h = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        memset(composite, 0, sizeof composite);
        for (uint32_t i = 2; i * i < N; i++)
            if (!composite[i])
                for (uint32_t j = i * i; j < N; j += i) composite[j] = 1;
        uint32_t acc = r;
        for (uint32_t i = 2; i < N; i++) {
            if (!composite[i]) acc += i;
            sums[i] = acc;
        }
        for (uint32_t i = 0; i < N; i += 4096) h = h * 31 + sums[i];
    }
    return h;
}
