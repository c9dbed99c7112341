/* fib_native.c - the native counterpart of fib.wat's "fib" export. */
#include <stdint.h>
__attribute__((noinline)) static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
uint32_t bench(uint32_t n) { return fib(n); }
