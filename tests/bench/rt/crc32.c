/* crc32.c - table-driven CRC-32 over a buffer (byte loads and table lookups). */
#include "bench.h"
#define N (1 << 16)
static uint8_t buf[N];
static uint32_t table[256];
BENCH uint32_t bench(uint32_t rounds)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    for (size_t i = 0; i < N; i++) buf[i] = (uint8_t)(i * 2654435761u >> 13);
    uint32_t h = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        uint32_t c = 0xFFFFFFFFu ^ r;
        for (size_t i = 0; i < N; i++) c = table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
        h += c ^ 0xFFFFFFFFu;
    }
    return h;
}
