/* cmd_print.c - `weld print`: a binary in the text format. */
#include "input.h"
#include "weld/module.h"
#include "weld/text.h"
#include <stdlib.h>
#include <string.h>

extern const weld_cmd cmd_print;

static int print_core(cli_input *in, const char *out_path)
{
    weld_arena *arena = weld_arena_new();
    weld_module *m = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = CLI_OK;
    if (!arena) return CLI_REJECTED;
    if (weld_module_read(arena, in->data, in->len, NULL, &m, &in->diag) != WELD_OK ||
        weld_print_module(m, &text, &len, &in->diag) != WELD_OK) {
        rc = cli_report(&in->diag, NULL, 0);
    } else if (out_path) {
        if (weld_file_write_atomic(out_path, text, len, &in->diag) != WELD_OK)
            rc = cli_report(&in->diag, NULL, 0);
    } else {
        fwrite(text, 1, len, stdout);
    }
    free(text);
    weld_arena_free(arena);
    return rc;
}

static int run_print(int argc, char **argv)
{
    const char *path = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) out = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error(&cmd_print, "unknown option '%s'", argv[i]);
        else if (!path) path = argv[i];
        else return cli_usage_error(&cmd_print, "unexpected argument '%s'", argv[i]);
    }
    if (!path) return cli_usage_error(&cmd_print, "missing input file");
    cli_input in;
    int rc = cli_load(path, &in);
    if (rc) return rc;
    switch (in.kind) {
    case CLI_INPUT_CORE: rc = print_core(&in, out); break;
    default: rc = cli_unsupported_input(&in, "print"); break;
    }
    cli_input_free(&in);
    return rc;
}

const weld_cmd cmd_print = {
    "print", "print a binary in the WebAssembly text format",
    "usage: weld print IN [-o OUT]\n\n"
    "Prints the WebAssembly binary IN as text, laid out as wasm-tools prints it: flat\n"
    "instructions, (;N;) index comments, names from the name section.\n\n"
    "  -o OUT   write the text to OUT (atomically) instead of standard output\n",
    run_print,
};
