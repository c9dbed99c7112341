/* bench.h - what every interpreter benchmark shares: `bench` is the workload, exported
 * from the wasm build and called by native_main.c in the native build; it returns a
 * checksum that must be the same in both. */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#ifdef __wasm__
#define BENCH __attribute__((export_name("bench")))
#else
#define BENCH
#endif
uint32_t bench(uint32_t n);
#endif
