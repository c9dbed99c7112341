/* embed_cli.h - what `weld embed` and `weld new` share: loading a WIT path and picking
 * a world, embedding it into a core module. */
#ifndef WELD_EMBED_CLI_H
#define WELD_EMBED_CLI_H

#include "cli.h"
#include "weld/newcomp.h"

/* Parse "utf8", "utf16", "latin1+utf16" (or "compact-utf16"). */
bool embed_parse_encoding(const char *s, weld_strenc *out);

/* Embed world `world` (NULL: the only world of the package) of the WIT at `wit` into the
 * core module `core`; on failure reports and returns the exit code (0 on success). */
int embed_world(const char *wit, const char *world, weld_strenc enc, const uint8_t *core, size_t len,
                const char *core_name, uint8_t **out, size_t *out_len);

#endif
