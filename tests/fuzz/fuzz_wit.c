/* fuzz_wit.c - libFuzzer target: any bytes through the WIT parser, resolver, printer and
 * JSON writer; whatever resolves must print to text that resolves again, to an equal
 * resolve. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "weld/wit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    weld_arena *a = weld_arena_new();
    if (!a) return 0;
    weld_wit_resolve *r = weld_wit_resolve_new(a);
    weld_diag d;
    weld_diag_init(&d, "fuzz.wit");
    uint32_t main = 0;
    r->all_features = size && (data[0] & 1);
    if (r && weld_wit_add_source(r, "fuzz.wit", (const char *)data, size, &main, &d) == WELD_OK) {
        uint32_t nested[256], n = 0;
        for (uint32_t i = 0; i < r->npackages && n < 256; i++)
            if (i != main) nested[n++] = i;
        char *text = NULL, *json = NULL;
        size_t len = 0;
        if (weld_wit_print(r, main, nested, n, &text, &len, &d) == WELD_OK) {
            weld_arena *b = weld_arena_new();
            weld_wit_resolve *r2 = b ? weld_wit_resolve_new(b) : NULL;
            if (r2) {
                r2->all_features = r->all_features;
                uint32_t m2;
                if (weld_wit_add_source(r2, "printed.wit", text, len, &m2, &d) != WELD_OK) abort();
                if (!weld_wit_resolve_equal(r, r2, NULL, 0)) abort();
            }
            weld_arena_free(b);
        }
        if (weld_wit_to_json(r, &json, NULL, &d) != WELD_OK) abort();
        free(text);
        free(json);
    }
    weld_arena_free(a);
    return 0;
}
