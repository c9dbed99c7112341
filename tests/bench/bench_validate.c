/* bench_validate.c - validation throughput of libweld on real core modules and components.
 * usage: bench_validate FILE...   prints, per file, the best time of decode (bodies framed)
 * plus validation (every instruction typed) and the throughput in MB/s of the file and of
 * its code sections (the function bodies: what validation works on), on one core, best
 * of repeated runs for at least half a second; then the total over all files. Times are
 * the thread's CPU time, so that a loaded machine does not count other processes' time.
 * A component gets two lines: weld_validate_component (every component-level rule plus
 * its nested core modules), and, on the same bytes, decode + the core validator on its
 * nested modules alone: the difference is what the component-level checks cost. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "weld/weld.h"
#include "weld/module.h"
#include "weld/component.h"
#include "weld/validate.h"

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Best time of repeated decode + validate runs (the validator is reused, as an embedder
 * that loads many modules would). Returns a negative time on failure. */
static double best_time(weld_validator *v, const uint8_t *data, size_t len, double budget)
{
    double best = 1e30, start = wall();
    int runs = 0;
    do {
        weld_arena *arena = weld_arena_new();
        weld_diag d;
        weld_diag_init(&d, NULL);
        weld_read_opts opts = {0};
        opts.skip_bodies = true;
        weld_module *m = NULL;
        double t0 = now();
        weld_status st = weld_module_read(arena, data, len, &opts, &m, &d);
        if (st == WELD_OK) st = weld_validator_run(v, m, NULL, &d);
        double t = now() - t0;
        weld_arena_free(arena);
        if (st != WELD_OK) {
            char msg[1400];
            weld_diag_format(&d, msg, sizeof msg);
            fprintf(stderr, "bench_validate: %s\n", msg);
            return -1;
        }
        if (t < best) best = t;
        runs++;
    } while (wall() - start < budget || runs < 3);
    return best;
}

/* Bytes of a module's code section (id 10) payload: what "MB/s of code" is measured on. */
static double code_bytes(const weld_module *m)
{
    double n = 0;
    for (uint32_t i = 0; i < m->nsections; i++)
        if (m->sections[i].id == 10) n += m->sections[i].size;
    return n;
}

/* The code-section bytes of a file (every nested module of a component), from one decode. */
static double file_code_bytes(const uint8_t *data, size_t len);

typedef struct modules {
    const weld_module *m[64];
    int n;
} modules;

static bool collect(const weld_walk_item *it, void *ud)
{
    modules *ms = ud;
    if (it->module && it->module->module && ms->n < 64) ms->m[ms->n++] = it->module->module;
    return true;
}

/* Best time of decode + validation of a component: the whole of weld_validate_component
 * (core_only false), or its nested core modules through the reused core validator. */
static double best_time_component(weld_validator *v, const uint8_t *data, size_t len,
                                  bool core_only, double budget)
{
    double best = 1e30, start = wall();
    int runs = 0;
    do {
        weld_arena *arena = weld_arena_new();
        weld_diag d;
        weld_diag_init(&d, NULL);
        weld_component_read_opts opts = {0};
        opts.skip_bodies = true;
        weld_component *c = NULL;
        double t0 = now();
        weld_status st = weld_component_read(arena, data, len, &opts, &c, &d);
        if (st == WELD_OK && core_only) {
            modules ms = {.n = 0};
            weld_component_walk(c, collect, &ms);
            for (int i = 0; i < ms.n && st == WELD_OK; i++) st = weld_validator_run(v, ms.m[i], NULL, &d);
        } else if (st == WELD_OK) {
            st = weld_validate_component(c, &d);
        }
        double t = now() - t0;
        weld_arena_free(arena);
        if (st != WELD_OK) {
            char msg[1400];
            weld_diag_format(&d, msg, sizeof msg);
            fprintf(stderr, "bench_validate: %s\n", msg);
            return -1;
        }
        if (t < best) best = t;
        runs++;
    } while (wall() - start < budget || runs < 3);
    return best;
}

static double file_code_bytes(const uint8_t *data, size_t len)
{
    weld_arena *arena = weld_arena_new();
    weld_diag d;
    weld_diag_init(&d, NULL);
    double n = 0;
    if (!arena) return 0;
    if (weld_is_component(data, len)) {
        weld_component_read_opts opts = {0};
        opts.skip_bodies = true;
        weld_component *c = NULL;
        if (weld_component_read(arena, data, len, &opts, &c, &d) == WELD_OK) {
            modules ms = {.n = 0};
            weld_component_walk(c, collect, &ms);
            for (int i = 0; i < ms.n; i++) n += code_bytes(ms.m[i]);
        }
    } else {
        weld_read_opts opts = {0};
        opts.skip_bodies = true;
        weld_module *m = NULL;
        if (weld_module_read(arena, data, len, &opts, &m, &d) == WELD_OK) n = code_bytes(m);
    }
    weld_arena_free(arena);
    return n;
}

int main(int argc, char **argv)
{
    weld_validator *v = weld_validator_new();
    if (!v) return 1;
    double total_bytes = 0, total_code = 0, total_time = 0;
    int rc = 0;
    printf("%-56s %7s %7s %9s %7s %9s\n", "file", "MB", "code MB", "CPU ms", "MB/s", "code MB/s");
    for (int i = 1; i < argc; i++) {
        uint8_t *data;
        size_t len;
        weld_diag d;
        weld_diag_init(&d, argv[i]);
        if (weld_file_read(argv[i], &data, &len, &d) != WELD_OK) {
            fprintf(stderr, "bench_validate: cannot read %s\n", argv[i]);
            rc = 1;
            continue;
        }
        const char *name = strrchr(argv[i], '/');
        name = name ? name + 1 : argv[i];
        double code = file_code_bytes(data, len);
        double t;
        if (weld_is_component(data, len)) {
            double tc = best_time_component(v, data, len, true, 0.5);
            t = best_time_component(v, data, len, false, 0.5);
            if (tc > 0 && t > 0) {
                char label[96];
                snprintf(label, sizeof label, "%.40s (core modules only)", name);
                printf("%-56s %7.2f %7.2f %9.1f %7.0f %9.0f\n", label, len / 1e6, code / 1e6, tc * 1e3,
                       len / tc / 1e6, code / tc / 1e6);
                snprintf(label, sizeof label, "%.40s (component, %.2fx core)", name, t / tc);
                free(data);
                printf("%-56s %7.2f %7.2f %9.1f %7.0f %9.0f\n", label, len / 1e6, code / 1e6, t * 1e3,
                       len / t / 1e6, code / t / 1e6);
                total_bytes += (double)len;
                total_code += code;
                total_time += t;
                continue;
            }
        } else {
            t = best_time(v, data, len, 0.5);
        }
        free(data);
        if (t < 0) {
            printf("%-56s %7.2f %7.2f %9s %7s %9s\n", name, len / 1e6, code / 1e6, "invalid", "-", "-");
            rc = 1;
            continue;
        }
        printf("%-56s %7.2f %7.2f %9.1f %7.0f %9.0f\n", name, len / 1e6, code / 1e6, t * 1e3, len / t / 1e6,
               code / t / 1e6);
        total_bytes += (double)len;
        total_code += code;
        total_time += t;
    }
    if (total_time > 0)
        printf("%-56s %7.2f %7.2f %9.1f %7.0f %9.0f\n", "total (decode + validate, one core)",
               total_bytes / 1e6, total_code / 1e6, total_time * 1e3, total_bytes / total_time / 1e6,
               total_code / total_time / 1e6);
    weld_validator_free(v);
    return rc;
}
