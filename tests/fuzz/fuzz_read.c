/* fuzz_read.c - libFuzzer target for the binary readers and writers: any bytes are decoded
 * as a component or a core module (by their preamble); whatever decodes is written back,
 * decoded again, and must give an equal tree. Run with `make fuzz`. */
#include <stdlib.h>
#include "weld/component.h"
#include "weld/module.h"

static void roundtrip_module(weld_arena *arena, const uint8_t *data, size_t len)
{
    weld_diag d;
    weld_diag_init(&d, "fuzz");
    weld_read_opts opts = {0};
    weld_module *m = NULL;
    if (weld_module_read(arena, data, len, &opts, &m, &d) != WELD_OK) return;
    uint8_t *out = NULL;
    size_t out_len = 0;
    weld_write_opts wopts = {.reencode_code = true};
    if (weld_module_write(m, &wopts, &out, &out_len, &d) != WELD_OK) abort();
    weld_module *again = NULL;
    if (weld_module_read(arena, out, out_len, &opts, &again, &d) != WELD_OK) abort();
    if (!weld_module_equal(m, again)) abort();
    free(out);
}

static void roundtrip_component(weld_arena *arena, const uint8_t *data, size_t len)
{
    weld_diag d;
    weld_diag_init(&d, "fuzz");
    weld_component_read_opts opts = {0};
    weld_component *c = NULL;
    if (weld_component_read(arena, data, len, &opts, &c, &d) != WELD_OK) return;
    uint8_t *out = NULL;
    size_t out_len = 0;
    if (weld_component_write(c, &out, &out_len, &d) != WELD_OK) abort();
    weld_component *again = NULL;
    if (weld_component_read(arena, out, out_len, &opts, &again, &d) != WELD_OK) abort();
    if (!weld_component_equal(c, again)) abort();
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    weld_arena *arena = weld_arena_new();
    if (weld_is_component(data, len))
        roundtrip_component(arena, data, len);
    else
        roundtrip_module(arena, data, len);
    weld_arena_free(arena);
    return 0;
}
