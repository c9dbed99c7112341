/* cmd_new.c - `weld new`: a component from a core module with an embedded world. */
#include "embed_cli.h"
#include <stdlib.h>
#include <string.h>

extern const weld_cmd cmd_new;

static int run_new(int argc, char **argv)
{
    const char *input = NULL, *wit = NULL, *world = NULL, *out = NULL;
    weld_strenc enc = WELD_STRENC_UTF8;
    weld_new_opts opts = {0};
    const char *adapt = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(a, "--wit") == 0 && i + 1 < argc) wit = argv[++i];
        else if ((strcmp(a, "--world") == 0 || strcmp(a, "-w") == 0) && i + 1 < argc) world = argv[++i];
        else if (strcmp(a, "--string-encoding") == 0 && i + 1 < argc) {
            if (!embed_parse_encoding(argv[++i], &enc))
                return cli_usage_error(&cmd_new, "unknown string encoding `%s` (utf8, utf16, latin1+utf16)", argv[i]);
        } else if (strcmp(a, "--adapt") == 0 && i + 1 < argc) {
            adapt = argv[++i];
        } else if (strcmp(a, "--realloc") == 0 && i + 1 < argc) {
            if (strcmp(argv[++i], "synthesize") != 0)
                return cli_usage_error(&cmd_new, "--realloc takes `synthesize`");
            opts.synthesize_realloc = true;
        } else if (strcmp(a, "--ignore-extra-exports") == 0) {
            opts.ignore_extra_exports = true;
        } else if (strcmp(a, "--realloc-via-memory-grow") == 0) {
            opts.adapter_realloc_via_grow = true;
        } else if (strcmp(a, "--skip-validation") == 0) opts.skip_validation = true;
        else if (a[0] == '-' && a[1]) return cli_usage_error(&cmd_new, "unknown option `%s`", a);
        else if (!input) input = a;
        else return cli_usage_error(&cmd_new, "unexpected argument `%s`", a);
    }
    if (!input) return cli_usage_error(&cmd_new, "expected a core module");
    if (!out) return cli_usage_error(&cmd_new, "expected -o OUT");
    if (world && !wit) return cli_usage_error(&cmd_new, "--world needs --wit");
    weld_diag d;
    weld_diag_init(&d, input);
    uint8_t *data = NULL, *embedded = NULL, *bytes = NULL;
    size_t len = 0, elen = 0, n = 0;
    if (weld_file_read(input, &data, &len, &d) != WELD_OK) return cli_report(&d, NULL, 0);
    int rc = CLI_OK;
    uint8_t *adapter = NULL;
    char *adapt_name = NULL;
    if (adapt) {
        const char *eq = strchr(adapt, '=');
        if (!eq || eq == adapt) {
            free(data);
            return cli_usage_error(&cmd_new, "--adapt takes NAME=ADAPTER.wasm");
        }
        adapt_name = strndup(adapt, (size_t)(eq - adapt));
        weld_diag_init(&d, eq + 1);
        if (!adapt_name || weld_file_read(eq + 1, &adapter, &opts.adapter_len, &d) != WELD_OK) {
            rc = adapt_name ? cli_report(&d, NULL, 0) : CLI_REJECTED;
            free(adapt_name);
            free(data);
            return rc;
        }
        opts.adapter = adapter;
        opts.adapter_name = adapt_name;
    }
    if (wit) {
        rc = embed_world(wit, world, enc, data, len, input, &embedded, &elen);
        if (rc == CLI_OK) {
            free(data);
            data = embedded;
            len = elen;
        }
    }
    if (rc == CLI_OK) {
        weld_diag_init(&d, input);
        if (weld_new_component(data, len, &opts, &bytes, &n, &d) != WELD_OK) rc = cli_report(&d, NULL, 0);
    }
    if (rc == CLI_OK) {
        weld_diag_init(&d, out);
        if (weld_file_write_atomic(out, bytes, n, &d) != WELD_OK) rc = cli_report(&d, NULL, 0);
    }
    free(bytes);
    free(data);
    free(adapter);
    free(adapt_name);
    return rc;
}

const weld_cmd cmd_new = {
    "new",
    "make a component from a core module with an embedded WIT world",
    "usage: weld new CORE.wasm [--wit PATH [--world W] [--string-encoding ENC]]\n"
    "                [--adapt NAME=ADAPTER.wasm [--realloc-via-memory-grow]]\n"
    "                [--realloc synthesize] [--ignore-extra-exports] -o OUT\n"
    "\n"
    "Turns a core module into a component (what `jco new` / `wasm-tools component new`\n"
    "do). The world comes from the module's `component-type` section (see `weld embed`),\n"
    "or from --wit/--world, which embed it first. The module's imports and exports are\n"
    "matched to the world by the component model's naming conventions:\n"
    "  imports  `ns:pkg/iface@v` `f` (and `[method]r.m`, `[static]r.s`, `[constructor]r`,\n"
    "           `[resource-drop]r`), `$root` `f` for world-level functions (and\n"
    "           `$root` `[resource-drop]r` for resources defined in the world);\n"
    "  exports  `f`, `ns:pkg/iface@v#f`, `cabi_post_*`, `cabi_realloc`, `memory`,\n"
    "           `_initialize` (called when the component is instantiated).\n"
    "Imports whose lowering needs the module's memory or realloc go through a shim\n"
    "table filled once the module is instantiated, as wit-component lays it out.\n"
    "Errors name the core import or export that matches nothing, or the world item\n"
    "without a core counterpart and the core signature it needs. The component is\n"
    "validated before it is written. Several `component-type` sections (bindings made\n"
    "for several worlds) are merged into one world.\n"
    "\n"
    "  --wit PATH, --world W, --string-encoding ENC   as for `weld embed`\n"
    "  --adapt NAME=FILE      fuse an adapter module (a WASI preview1 adapter, such as\n"
    "                         jco's wasi_snapshot_preview1.reactor.wasm): the module's\n"
    "                         imports from NAME are served by it, trimmed to the functions\n"
    "                         used; its WASI 0.2 imports become the component's.\n"
    "                         A function the module imports twice is imported once\n"
    "  --realloc-via-memory-grow  the adapter takes its memory with memory.grow rather\n"
    "                         than the module's cabi_realloc (needed by Go's wasip1\n"
    "                         reactors, whose exports cannot run during _initialize)\n"
    "  --realloc synthesize   when the module exports no cabi_realloc, add one of weld's\n"
    "                         own (a bump allocator over pages from memory.grow)\n"
    "  --ignore-extra-exports leave out core exports that match nothing in the world\n"
    "                         (wit-component's behaviour; weld refuses them otherwise)\n"
    "  --skip-validation      do not validate the result\n"
    "  -o OUT                 where to write the component (atomically)\n",
    run_new,
};
