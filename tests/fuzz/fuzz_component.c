/* fuzz_component.c - libFuzzer target: decode arbitrary bytes as a component; when that
 * succeeds, validate it (the component type model with every rule on, nested core modules
 * through the core validator), and decode its world (or WIT package) into WIT and print it.
 * Any crash, leak, out-of-bounds access or undefined behaviour is a bug. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "weld/component.h"
#include "weld/validate.h"
#include "weld/wit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!weld_is_component(data, size)) return 0;
    weld_arena *arena = weld_arena_new();
    if (!arena) return 0;
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_component *c = NULL;
    if (weld_component_read(arena, data, size, NULL, &c, &d) == WELD_OK &&
        weld_validate_component(c, &d) == WELD_OK) {
        weld_arena *wa = weld_arena_new();
        weld_wit_resolve *r = wa ? weld_wit_resolve_new(wa) : NULL;
        uint32_t main = 0;
        bool is_pkg = false;
        if (r && weld_wit_decode(r, data, size, &main, &is_pkg, &d) == WELD_OK) {
            char *text = NULL;
            size_t len = 0;
            weld_wit_print(r, main, NULL, 0, &text, &len, &d);
            free(text);
        }
        weld_arena_free(wa);
    }
    weld_arena_free(arena);
    return 0;
}
