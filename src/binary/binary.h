/* binary.h - internals the binary reader and writer share (not public API). */
#ifndef WELD_BINARY_H
#define WELD_BINARY_H

#include "base/base.h"
#include "weld/module.h"

/* Is [s, s+n) well-formed UTF-8 (no overlongs, surrogates or code points > 0x10FFFF)? */
bool weld_utf8_valid(const uint8_t *s, size_t n);

/* Decode the payload of a "name" custom section into *out (arrays in arena). Returns false
 * when the payload does not parse; *out is then cleared. Name maps may name more items
 * than the module has: indices are not checked here. */
bool weld_names_decode(weld_arena *arena, const uint8_t *data, size_t len, weld_names *out);

/* Encode names: subsections 0, 1, 2 from their decoded form, the others from their raw
 * bytes, in the recorded order. */
void weld_names_encode(weld_buf *b, const weld_names *names);

#endif
