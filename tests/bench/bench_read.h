/* bench_read.h - one call that decodes a core module or a component (by its preamble),
 * for the benchmarks and the reader's fuzz target. */
#ifndef WELD_BENCH_READ_H
#define WELD_BENCH_READ_H
#include "weld/component.h"
#include "weld/module.h"

static inline weld_status bench_read(weld_arena *arena, const uint8_t *data, size_t len,
                                     bool skip_bodies, weld_diag *d)
{
    if (weld_is_component(data, len)) {
        weld_component_read_opts copts = {0};
        copts.skip_bodies = skip_bodies;
        weld_component *c;
        return weld_component_read(arena, data, len, &copts, &c, d);
    }
    weld_read_opts opts = {0};
    opts.skip_bodies = skip_bodies;
    weld_module *m;
    return weld_module_read(arena, data, len, &opts, &m, d);
}
#endif
