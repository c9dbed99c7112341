/* fib.c - recursion: the naive Fibonacci function (calls and returns dominate). */
#include "bench.h"
__attribute__((noinline)) static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
BENCH uint32_t bench(uint32_t n) { return fib(n); }
