/* fuzz_read.c - libFuzzer target for the binary reader and writer: any bytes are decoded
 * as a core module (or a component, by their preamble); whatever decodes is written back,
 * decoded again, and must give an equal tree. Run with `make fuzz`. */
#include <stdlib.h>
#include "weld/weld.h"
#include "weld/module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    weld_arena *arena = weld_arena_new();
    weld_diag d;
    weld_diag_init(&d, "fuzz");
    weld_read_opts opts = {0};
    weld_module *m = NULL;
    if (weld_module_read(arena, data, len, &opts, &m, &d) == WELD_OK) {
        uint8_t *out = NULL;
        size_t out_len = 0;
        weld_write_opts wopts = {.reencode_code = true};
        if (weld_module_write(m, &wopts, &out, &out_len, &d) != WELD_OK) abort();
        weld_module *again = NULL;
        if (weld_module_read(arena, out, out_len, &opts, &again, &d) != WELD_OK) abort();
        if (!weld_module_equal(m, again)) abort();
        free(out);
    }
    weld_arena_free(arena);
    return 0;
}
