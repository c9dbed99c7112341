/* text.h - printing binaries in the WebAssembly text format.
 *
 * The output follows the layout of wasm-tools' printer (`wasm-tools print`, `jco print`):
 * flat instructions, `(;N;)` index comments, `;; label = @N` block comments, names from
 * the name section as `$name`. */
#ifndef WELD_TEXT_H
#define WELD_TEXT_H

#include "weld/module.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse a core module in the text format (WAT): "(module ...)" or bare module fields.
 * The module is built in `arena`; its instruction sequences are encoded there with the
 * opcode table, so weld_module_write encodes it. The text must outlive nothing: names are
 * copied. Errors are WELD_ERR_SYNTAX with line:col (and a span) in d. */
weld_status weld_parse_wat(weld_arena *arena, const char *text, size_t len, weld_module **out,
                           weld_diag *d);

/* Print a core module as text; *out is malloc'd and NUL-terminated (free with free()). */
weld_status weld_print_module(const weld_module *m, char **out, size_t *out_len, weld_diag *d);

#ifdef __cplusplus
}
#endif
#endif
