/* fuzz_validate.c - libFuzzer target: decode arbitrary bytes as a core module and, when
 * that succeeds, validate it with every feature and then with the Wasm 2.0 rules only.
 * Any crash, leak, out-of-bounds access or undefined behaviour is a bug. */
#include <stddef.h>
#include <stdint.h>
#include "weld/module.h"
#include "weld/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    weld_arena *arena = weld_arena_new();
    weld_validator *v = weld_validator_new();
    if (!arena || !v) goto out;
    weld_read_opts opts = {0};
    opts.skip_bodies = true; /* the validator decodes the bodies itself */
    weld_module *m = NULL;
    weld_diag d;
    weld_diag_init(&d, NULL);
    if (weld_module_read(arena, data, size, &opts, &m, &d) == WELD_OK) {
        weld_validator_run(v, m, NULL, &d);
        weld_validator_set_features(v, WELD_VALID_WASM2);
        weld_validator_run(v, m, NULL, &d);
    }
out:
    weld_validator_free(v);
    weld_arena_free(arena);
    return 0;
}
