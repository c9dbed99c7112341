/* cmd_embed.c - `weld embed`: add a WIT world to a core module as the `component-type`
 * custom section wit-component reads (and `jco embed` / `wasm-tools component embed`
 * write). */
#include "embed_cli.h"
#include <stdlib.h>
#include <string.h>

extern const weld_cmd cmd_embed;

bool embed_parse_encoding(const char *s, weld_strenc *out)
{
    if (strcmp(s, "utf8") == 0) *out = WELD_STRENC_UTF8;
    else if (strcmp(s, "utf16") == 0) *out = WELD_STRENC_UTF16;
    else if (strcmp(s, "latin1+utf16") == 0 || strcmp(s, "compact-utf16") == 0) *out = WELD_STRENC_COMPACT_UTF16;
    else return false;
    return true;
}

int embed_world(const char *wit, const char *world, weld_strenc enc, const uint8_t *core, size_t len,
                const char *core_name, uint8_t **out, size_t *out_len)
{
    weld_diag d;
    weld_diag_init(&d, wit);
    weld_arena *a = weld_arena_new();
    weld_wit_resolve *r = a ? weld_wit_resolve_new(a) : NULL;
    if (!r) {
        weld_arena_free(a);
        fprintf(stderr, "weld: error: out of memory\n");
        return CLI_REJECTED;
    }
    int rc = CLI_OK;
    const char *src = NULL;
    size_t srclen = 0;
    uint32_t main = 0, w = 0;
    weld_status st = weld_wit_add_path(r, wit, &main, &src, &srclen, &d);
    if (st != WELD_OK) {
        rc = cli_report(&d, src, srclen);
        goto done;
    }
    if (world) {
        st = weld_wit_select_world(r, main, world, &w, &d);
    } else if (r->packages[main].nworlds == 1) {
        w = r->packages[main].worlds[0].id;
    } else {
        fprintf(stderr, "weld: error: %s: the package has %u worlds: pick one with --world\n", wit,
                r->packages[main].nworlds);
        rc = CLI_USAGE;
        goto done;
    }
    if (st == WELD_OK) {
        weld_diag_init(&d, core_name);
        st = weld_embed(core, len, r, w, enc, out, out_len, &d);
    }
    if (st != WELD_OK) rc = cli_report(&d, NULL, 0);
done:
    weld_arena_free(a);
    return rc;
}

static int run_embed(int argc, char **argv)
{
    const char *input = NULL, *wit = NULL, *world = NULL, *out = NULL;
    weld_strenc enc = WELD_STRENC_UTF8;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(a, "--wit") == 0 && i + 1 < argc) wit = argv[++i];
        else if ((strcmp(a, "--world") == 0 || strcmp(a, "-w") == 0) && i + 1 < argc) world = argv[++i];
        else if (strcmp(a, "--string-encoding") == 0 && i + 1 < argc) {
            if (!embed_parse_encoding(argv[++i], &enc))
                return cli_usage_error(&cmd_embed, "unknown string encoding `%s` (utf8, utf16, latin1+utf16)", argv[i]);
        } else if (a[0] == '-' && a[1]) return cli_usage_error(&cmd_embed, "unknown option `%s`", a);
        else if (!input) input = a;
        else if (!wit) wit = a;
        else return cli_usage_error(&cmd_embed, "unexpected argument `%s`", a);
    }
    if (!input || !wit) return cli_usage_error(&cmd_embed, "expected a core module and --wit PATH");
    if (!out) return cli_usage_error(&cmd_embed, "expected -o OUT");
    weld_diag d;
    weld_diag_init(&d, input);
    uint8_t *data = NULL, *bytes = NULL;
    size_t len = 0, n = 0;
    if (weld_file_read(input, &data, &len, &d) != WELD_OK) return cli_report(&d, NULL, 0);
    int rc = embed_world(wit, world, enc, data, len, input, &bytes, &n);
    if (rc == CLI_OK) {
        weld_diag_init(&d, out);
        if (weld_file_write_atomic(out, bytes, n, &d) != WELD_OK) rc = cli_report(&d, NULL, 0);
    }
    free(bytes);
    free(data);
    return rc;
}

const weld_cmd cmd_embed = {
    "embed",
    "add a WIT world to a core module (the component-type section)",
    "usage: weld embed CORE.wasm --wit PATH [--world W] [--string-encoding ENC] -o OUT\n"
    "\n"
    "Adds the `component-type` custom section that wit-component reads (the layout\n"
    "`jco embed` and `wasm-tools component embed` write) to a core module: world W of\n"
    "the WIT package at PATH, encoded as component types, and the string encoding the\n"
    "module's canonical ABI uses. A `component-type` section already present is\n"
    "replaced. `weld new` turns the result into a component.\n"
    "\n"
    "  --wit PATH              a .wit file, or a directory (with deps/)\n"
    "  --world W               the world (`w` or `ns:pkg/w@version`); needed when the\n"
    "                          package has more than one\n"
    "  --string-encoding ENC   utf8 (default), utf16 or latin1+utf16\n"
    "  -o OUT                  where to write the module (atomically)\n",
    run_embed,
};
