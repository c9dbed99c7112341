/* memmove.c - memory copying: memcpy and memmove of blocks of varied sizes and
 * alignments, overlapping and not, within a buffer. */
#include "bench.h"
#define N (1 << 20)
static uint8_t buf[N];
BENCH uint32_t bench(uint32_t rounds)
{
    uint32_t x = 7, h = 0;
    for (size_t i = 0; i < N; i++) buf[i] = (uint8_t)(i * 131);
    for (uint32_t r = 0; r < rounds; r++) {
        x = x * 1103515245u + 12345u;
        size_t len = 1 + (x >> 8) % 4096;
        size_t src = (x >> 4) % (N - len), dst = (x * 7 >> 3) % (N - len);
        if (r & 1) memmove(buf + dst, buf + src, len);
        else if (src + len <= dst || dst + len <= src) memcpy(buf + dst, buf + src, len);
        size_t small = 1 + (x & 31);
        for (int k = 0; k < 8; k++) {
            size_t o = (x >> (k + 3)) % (N - 64);
            memcpy(buf + o, buf + ((o + 977) % (N - 64)), small);
        }
        h = h * 31 + buf[(x >> 3) % N];
    }
    return h;
}
