/* native_main.c - runs the native build of a SIMD benchmark's `bench` function and prints
 * its result as `weld run` does; to stderr, the CPU time of one call, averaged over REPS
 * calls (a native call is too short to time alone). usage: PROG ROUNDS [REPS] */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
uint32_t bench(uint32_t);
int main(int argc, char **argv)
{
    uint32_t rounds = (uint32_t)strtoul(argc > 1 ? argv[1] : "1", NULL, 10);
    unsigned reps = (unsigned)strtoul(argc > 2 ? argv[2] : "1", NULL, 10);
    if (!reps) reps = 1;
    struct timespec a, b;
    uint32_t r = 0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    for (unsigned i = 0; i < reps; i++) {
        uint32_t x = bench(rounds);
        if (i && x != r) {
            fprintf(stderr, "native: call %u gave another result\n", i);
            return 1;
        }
        r = x;
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    printf("i32:%d\n", (int32_t)r);
    double t = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    fprintf(stderr, "native: %.4f s CPU\n", t / reps);
    return 0;
}
