/* input.h - what the binary-reading subcommands (parse, dump, print) share: loading the
 * input file and dispatching on its preamble (core module version 1, or component
 * version 0x0d layer 1). */
#ifndef WELD_CLI_INPUT_H
#define WELD_CLI_INPUT_H

#include "cli.h"
#include <stdint.h>

typedef enum cli_input_kind {
    CLI_INPUT_UNKNOWN,
    CLI_INPUT_CORE,      /* \0asm 01 00 00 00 */
    CLI_INPUT_COMPONENT  /* \0asm 0d 00 01 00 */
} cli_input_kind;

typedef struct cli_input {
    uint8_t *data;
    size_t len;
    cli_input_kind kind;
    weld_diag diag; /* initialised with the file name */
} cli_input;

cli_input_kind cli_input_kind_of(const uint8_t *data, size_t len);
/* Does the buffer look like the text format (not \0asm; first non-space '(' or ';')? */
bool cli_looks_like_text(const uint8_t *data, size_t len);
/* Parse a text module and encode it (*out malloc'd). */
weld_status cli_text_to_binary(const char *path, const uint8_t *text, size_t len, bool names,
                               uint8_t **out, size_t *out_len, weld_diag *d);
/* Read a file; text is parsed and encoded, so *data is a binary. Returns CLI_OK or the
 * exit code after reporting the error (with a caret line for text). */
int cli_read_input(const char *path, uint8_t **data, size_t *len, weld_diag *d);
/* Read the whole file (text is encoded as above); returns CLI_OK or the exit code after reporting the error. */
int cli_load(const char *path, cli_input *in);
/* cli_load; text input gets a name section for its identifiers when `names`. */
int cli_load_names(const char *path, cli_input *in, bool names);
void cli_input_free(cli_input *in);
/* Is `path` a regular file that starts with the WebAssembly magic bytes? */
bool cli_is_wasm_file(const char *path);
/* Report that the input's kind is not handled here; returns the exit code. */
int cli_unsupported_input(cli_input *in, const char *what);

#endif
