/* sort_hash.c - insertion sort of 64-element chunks of a generated array, then a hash of it. */
#include "bench.h"
static uint32_t arr[1 << 16];
BENCH uint32_t bench(uint32_t rounds) {
  uint32_t x = 12345, h = 0;
  for (uint32_t r = 0; r < rounds; r++) {
    for (uint32_t i = 0; i < (1 << 16); i++) { x = x * 1103515245u + 12345u; arr[i] = x >> 8; }
    /* insertion-sort chunks of 64 */
    for (uint32_t b = 0; b < (1 << 16); b += 64)
      for (uint32_t i = b + 1; i < b + 64; i++) { uint32_t v = arr[i], j = i; while (j > b && arr[j-1] > v) { arr[j] = arr[j-1]; j--; } arr[j] = v; }
    for (uint32_t i = 0; i < (1 << 16); i++) h = (h ^ arr[i]) * 16777619u;
  }
  return h;
}
