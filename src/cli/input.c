/* input.c - loading a binary input for the CLI and telling what it is by its preamble. */
#include "input.h"
#include "base/base.h"
#include <stdlib.h>
#include <string.h>

cli_input_kind cli_input_kind_of(const uint8_t *data, size_t len)
{
    if (len < 8 || memcmp(data, "\0asm", 4) != 0) return CLI_INPUT_UNKNOWN;
    if (memcmp(data + 4, "\1\0\0\0", 4) == 0) return CLI_INPUT_CORE;
    if (memcmp(data + 4, "\x0d\0\1\0", 4) == 0) return CLI_INPUT_COMPONENT;
    return CLI_INPUT_UNKNOWN;
}

int cli_load(const char *path, cli_input *in)
{
    memset(in, 0, sizeof *in);
    weld_diag_init(&in->diag, path);
    if (weld_file_read(path, &in->data, &in->len, &in->diag) != WELD_OK)
        return cli_report(&in->diag, NULL, 0);
    in->kind = cli_input_kind_of(in->data, in->len);
    return CLI_OK;
}

void cli_input_free(cli_input *in)
{
    free(in->data);
    in->data = NULL;
}

int cli_unsupported_input(cli_input *in, const char *what)
{
    if (in->kind == CLI_INPUT_COMPONENT)
        weld_diag_set(&in->diag, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET,
                      "%s: components are not supported yet", what);
    else
        weld_diag_set(&in->diag, WELD_ERR_MALFORMED, 0,
                      "%s: not a WebAssembly binary (expected the core module preamble "
                      "\\0asm 01 00 00 00 or the component preamble \\0asm 0d 00 01 00)", what);
    return cli_report(&in->diag, NULL, 0);
}

bool cli_is_wasm_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    unsigned char magic[4];
    bool yes = fread(magic, 1, 4, f) == 4 && memcmp(magic, "\0asm", 4) == 0;
    fclose(f);
    return yes;
}
