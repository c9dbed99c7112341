/* input.c - loading an input for the CLI and telling what it is by its preamble; a file
 * that does not start with \0asm and looks like text is read as a core module in the
 * text format and encoded, so every command that takes a .wasm takes a .wat. */
#include "input.h"
#include "base/base.h"
#include "weld/text.h"
#include <stdlib.h>
#include <string.h>

cli_input_kind cli_input_kind_of(const uint8_t *data, size_t len)
{
    if (len < 8 || memcmp(data, "\0asm", 4) != 0) return CLI_INPUT_UNKNOWN;
    if (memcmp(data + 4, "\1\0\0\0", 4) == 0) return CLI_INPUT_CORE;
    if (memcmp(data + 4, "\x0d\0\1\0", 4) == 0) return CLI_INPUT_COMPONENT;
    return CLI_INPUT_UNKNOWN;
}

bool cli_looks_like_text(const uint8_t *data, size_t len)
{
    if (len >= 4 && memcmp(data, "\0asm", 4) == 0) return false;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        return c == '(' || c == ';';
    }
    return false;
}

weld_status cli_text_to_binary(const char *path, const uint8_t *text, size_t len, bool names,
                               uint8_t **out, size_t *out_len, weld_diag *d)
{
    weld_arena *arena = weld_arena_new();
    weld_module *m = NULL;
    if (!arena) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    weld_diag_init(d, path);
    weld_wat_opts o = {names};
    weld_status st = weld_parse_wat_opts(arena, (const char *)text, len, &o, &m, d);
    if (st == WELD_OK) st = weld_module_write(m, NULL, out, out_len, d);
    weld_arena_free(arena);
    return st;
}

static int read_input(const char *path, uint8_t **data, size_t *len, bool names, weld_diag *d)
{
    weld_diag_init(d, path);
    if (weld_file_read(path, data, len, d) != WELD_OK) return cli_report(d, NULL, 0);
    if (!cli_looks_like_text(*data, *len)) return CLI_OK;
    uint8_t *bin = NULL;
    size_t blen = 0;
    if (cli_text_to_binary(path, *data, *len, names, &bin, &blen, d) != WELD_OK) {
        int rc = cli_report(d, (const char *)*data, *len);
        free(*data);
        *data = NULL;
        return rc;
    }
    free(*data);
    *data = bin;
    *len = blen;
    return CLI_OK;
}

int cli_read_input(const char *path, uint8_t **data, size_t *len, weld_diag *d)
{
    return read_input(path, data, len, false, d);
}

int cli_load_names(const char *path, cli_input *in, bool names)
{
    memset(in, 0, sizeof *in);
    int rc = read_input(path, &in->data, &in->len, names, &in->diag);
    if (rc) return rc;
    weld_diag_init(&in->diag, path);
    in->kind = cli_input_kind_of(in->data, in->len);
    return CLI_OK;
}

int cli_load(const char *path, cli_input *in)
{
    return cli_load_names(path, in, false);
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
                      "%s: not a WebAssembly binary or text module (expected the core module "
                      "preamble \\0asm 01 00 00 00, the component preamble \\0asm 0d 00 01 00, "
                      "or text starting with '(')", what);
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
