/* bench_decode.c - decode throughput of libweld's reader on real files.
 * usage: bench_decode FILE...   prints, per file, MB/s for framing only (function bodies
 * left raw) and for a full decode (every instruction decoded), best of several runs. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "weld/weld.h"
#include "weld/module.h"
#include "bench_read.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Best time of repeated decodes, running for at least `budget` seconds. */
static double best_time(const uint8_t *data, size_t len, bool skip_bodies, double budget, int *ok)
{
    double best = 1e30, start = now();
    int runs = 0;
    *ok = 1;
    do {
        weld_arena *arena = weld_arena_new();
        weld_diag d;
        weld_diag_init(&d, NULL);
        double t0 = now();
        weld_status st = bench_read(arena, data, len, skip_bodies, &d);
        double t = now() - t0;
        weld_arena_free(arena);
        if (st != WELD_OK) {
            char msg[1200];
            weld_diag_format(&d, msg, sizeof msg);
            fprintf(stderr, "bench_decode: %s\n", msg);
            *ok = 0;
            return 0;
        }
        if (t < best) best = t;
        runs++;
    } while (now() - start < budget || runs < 3);
    return best;
}

int main(int argc, char **argv)
{
    printf("%-48s %10s %14s %14s\n", "file", "MB", "frame MB/s", "decode MB/s");
    for (int i = 1; i < argc; i++) {
        uint8_t *data;
        size_t len;
        weld_diag d;
        weld_diag_init(&d, argv[i]);
        if (weld_file_read(argv[i], &data, &len, &d) != WELD_OK) {
            fprintf(stderr, "bench_decode: cannot read %s\n", argv[i]);
            return 1;
        }
        int ok1, ok2;
        double tf = best_time(data, len, true, 0.5, &ok1);
        double td = best_time(data, len, false, 0.5, &ok2);
        const char *name = strrchr(argv[i], '/');
        name = name ? name + 1 : argv[i];
        double mb = (double)len / 1e6;
        if (ok1 && ok2)
            printf("%-48s %10.2f %14.0f %14.0f\n", name, mb, mb / tf, mb / td);
        else
            printf("%-48s %10.2f %14s %14s\n", name, mb, "error", "error");
        free(data);
    }
    return 0;
}
