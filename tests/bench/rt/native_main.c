/* native_main.c - times the native build of a benchmark's `bench` function (CPU time). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
uint32_t bench(uint32_t);
int main(int argc, char **argv)
{
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    uint32_t r = bench((uint32_t)atoi(argc > 1 ? argv[1] : "1"));
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    printf("i32:%d\n", (int32_t)r);
    fprintf(stderr, "native: %.3f s CPU\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}
