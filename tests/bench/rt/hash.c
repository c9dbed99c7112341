/* hash.c - hashing: FNV-1a over bytes and an xxhash32-like multiply-rotate hash over
 * 32-bit words, of a buffer filled by a generator. */
#include "bench.h"
#define N (1 << 16)
static uint8_t buf[N];
static uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
static uint32_t xxh32(const uint8_t *p, size_t len, uint32_t seed)
{
    const uint32_t P1 = 2654435761u, P2 = 2246822519u, P3 = 3266489917u;
    uint32_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
    size_t i = 0;
    for (; i + 16 <= len; i += 16) {
        uint32_t w[4];
        memcpy(w, p + i, 16);
        v1 = rotl(v1 + w[0] * P2, 13) * P1;
        v2 = rotl(v2 + w[1] * P2, 13) * P1;
        v3 = rotl(v3 + w[2] * P2, 13) * P1;
        v4 = rotl(v4 + w[3] * P2, 13) * P1;
    }
    uint32_t h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18) + (uint32_t)len;
    for (; i < len; i++) h = rotl(h + p[i] * 374761393u, 11) * P1;
    h ^= h >> 15; h *= P2; h ^= h >> 13; h *= P3; h ^= h >> 16;
    return h;
}
static uint32_t fnv1a(const uint8_t *p, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}
BENCH uint32_t bench(uint32_t rounds)
{
    uint32_t x = 1, h = 0;
    for (size_t i = 0; i < N; i++) { x = x * 1664525u + 1013904223u; buf[i] = (uint8_t)(x >> 24); }
    for (uint32_t r = 0; r < rounds; r++) {
        buf[r % N] ^= (uint8_t)h;
        h ^= fnv1a(buf, N) + xxh32(buf, N, r);
    }
    return h;
}
