/* bench_read.h - one call that decodes a core module or a component, for the benchmarks. */
#ifndef WELD_BENCH_READ_H
#define WELD_BENCH_READ_H
#include "weld/module.h"

static inline weld_status bench_read(weld_arena *arena, const uint8_t *data, size_t len,
                                     bool skip_bodies, weld_diag *d)
{
    weld_read_opts opts = {0};
    opts.skip_bodies = skip_bodies;
    weld_module *m;
    return weld_module_read(arena, data, len, &opts, &m, d);
}
#endif
