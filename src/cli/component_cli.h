/* component_cli.h - the component side of `weld parse`, `weld dump` and `weld print`
 * (the commands dispatch here when the input starts with the component preamble). */
#ifndef WELD_CLI_COMPONENT_H
#define WELD_CLI_COMPONENT_H

#include "cli.h"
#include <stdint.h>

/* Decode the component at data/len (named `path`), write it back to `out` (if non-NULL);
 * with `reencode`, nested modules are re-encoded instruction by instruction; with `check`,
 * decode the result again and compare. Returns the exit code. */
int cli_component_parse(const char *path, const uint8_t *data, size_t len, const char *out,
                        bool check, bool reencode);
/* List sections (offset, size, count) and, recursively, the nested modules and
 * components with their imports and exports; as JSON with `json`. */
int cli_component_dump(const char *path, const uint8_t *data, size_t len, bool json);
/* Print the text format to `out` (or stdout when NULL). */
int cli_component_print(const char *path, const uint8_t *data, size_t len, const char *out);

#endif
