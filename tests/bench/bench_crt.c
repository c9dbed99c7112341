/* bench_crt.c - component calls through weld's runtime, the counterpart of
 * tests/bench/crt/jco_bench.mjs (same components, same calls):
 *   echo   host -> component calls of weld:bench/api#echo with a short string
 *   sum    host -> component calls of weld:bench/api#sum with a list of 1,000 records
 *   fused  component -> component calls: composed.wasm's run(n) calls echo n times
 * Prints "NAME<TAB>calls/s" lines.  Usage: bench_crt DIR */
#include "weld/crt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static weld_crt_instance *load(weld_crt *rt, const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    uint8_t *data;
    size_t len;
    weld_diag d;
    weld_diag_init(&d, path);
    weld_crt_component *c;
    weld_crt_instance *i;
    if (weld_file_read(path, &data, &len, &d) || weld_crt_component_load(rt, data, len, &c, &d) ||
        weld_crt_instantiate(rt, c, NULL, &i, &d)) {
        char msg[1400];
        weld_diag_format(&d, msg, sizeof msg);
        fprintf(stderr, "bench_crt: %s\n", msg);
        exit(1);
    }
    free(data);
    return i;
}

static void check(weld_status st, const weld_diag *d)
{
    if (st) {
        fprintf(stderr, "bench_crt: %s\n", d->message);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/bench/crt";
    weld_crt *rt = weld_crt_new(NULL);
    weld_crt_instance *callee = load(rt, dir, "callee.wasm");
    weld_crt_func *echo = weld_crt_instance_func(callee, "weld:bench/api#echo");
    weld_crt_func *sum = weld_crt_instance_func(callee, "weld:bench/api#sum");
    weld_diag d;
    weld_diag_init(&d, NULL);
    if (!echo || !sum) return fprintf(stderr, "bench_crt: exports missing\n"), 1;

    /* echo */
    weld_cval s = weld_cval_string("hello, component world"), r;
    check(weld_crt_call(rt, echo, &s, 1, &r, &d), &d);
    if (strcmp(r.u.str.ptr, "hello, component world")) return fprintf(stderr, "echo\n"), 1;
    weld_cval_free(&r);
    long n = 0;
    double t0 = now(), t;
    do {
        for (int k = 0; k < 1000; k++) {
            check(weld_crt_call(rt, echo, &s, 1, &r, &d), &d);
            weld_cval_free(&r);
        }
        n += 1000;
    } while ((t = now() - t0) < 1.0);
    printf("echo\t%.0f\n", n / t);

    /* sum over 1,000 records {id, weight, tag} */
    const weld_tnode *lt = weld_tnode_strip(weld_crt_func_type(sum)->u.func.params[0].type);
    weld_cval list = {.type = lt};
    list.u.list.count = 1000;
    list.u.list.items = calloc(1000, sizeof *list.u.list.items);
    uint64_t expected = 0;
    for (uint32_t k = 0; k < 1000; k++) {
        weld_cval *rec = &list.u.list.items[k];
        rec->u.list.count = 3;
        rec->u.list.items = calloc(3, sizeof *rec->u.list.items);
        char tag[32];
        snprintf(tag, sizeof tag, "tag-%u", k % 100);
        rec->u.list.items[0].u.u = k;
        rec->u.list.items[1].u.f64 = k * 0.5;
        rec->u.list.items[2] = weld_cval_string(tag);
        expected += k + strlen(tag);
    }
    check(weld_crt_call(rt, sum, &list, 1, &r, &d), &d);
    if (r.u.u != expected) return fprintf(stderr, "sum %llu != %llu\n", (unsigned long long)r.u.u,
                                          (unsigned long long)expected), 1;
    n = 0;
    t0 = now();
    do {
        for (int k = 0; k < 100; k++) check(weld_crt_call(rt, sum, &list, 1, &r, &d), &d);
        n += 100;
    } while ((t = now() - t0) < 1.0);
    printf("sum\t%.0f\n", n / t);
    weld_cval_free(&list);

    /* fused: run(1000) makes 1,000 component-to-component calls */
    weld_crt_instance *composed = load(rt, dir, "composed.wasm");
    weld_crt_func *run = weld_crt_instance_func(composed, "run");
    weld_cval per = {.u.u = 1000};
    check(weld_crt_call(rt, run, &per, 1, &r, &d), &d);
    if (r.u.u != 22 * 1000) return fprintf(stderr, "run %llu\n", (unsigned long long)r.u.u), 1;
    n = 0;
    t0 = now();
    do {
        for (int k = 0; k < 10; k++) check(weld_crt_call(rt, run, &per, 1, &r, &d), &d);
        n += 10 * 1000;
    } while ((t = now() - t0) < 1.0);
    printf("fused\t%.0f\n", n / t);
    weld_cval_free(&s);
    weld_crt_free(rt);
    return 0;
}
