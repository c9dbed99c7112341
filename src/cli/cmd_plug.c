/* cmd_plug.c - `weld plug SOCKET.wasm --plug P.wasm... -o OUT.wasm`: satisfy the socket's
 * imports (and, transitively, the plugs' imports) with the plugs' exports, by name. */
#include "cli.h"
#include "weld/compose.h"
#include <stdlib.h>
#include <string.h>

extern const weld_cmd cmd_plug;

static void instance_name(const char *path, char *buf, size_t n)
{
    const char *s = strrchr(path, '/');
    snprintf(buf, n, "%s", s ? s + 1 : path);
    char *dot = strrchr(buf, '.');
    if (dot && strcmp(dot, ".wasm") == 0) *dot = 0;
}

static int run_plug(int argc, char **argv)
{
    const char *socket = NULL, *out = NULL;
    const char *plugs[256];
    uint32_t nplugs = 0;
    bool explain = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(a, "--plug") == 0 && i + 1 < argc) {
            if (nplugs == 256) return cli_usage_error(&cmd_plug, "too many plugs");
            plugs[nplugs++] = argv[++i];
        }
        else if (strcmp(a, "--explain") == 0) explain = true;
        else if (a[0] == '-' && a[1]) return cli_usage_error(&cmd_plug, "unknown option '%s'", a);
        else if (!socket) socket = a;
        else return cli_usage_error(&cmd_plug, "more than one socket ('%s')", a);
    }
    if (!socket) return cli_usage_error(&cmd_plug, "missing SOCKET.wasm");
    if (!nplugs) return cli_usage_error(&cmd_plug, "missing --plug P.wasm");
    if (!out && !explain) return cli_usage_error(&cmd_plug, "missing -o OUT.wasm");
    weld_composer *c = weld_composer_new();
    if (!c) return CLI_REJECTED;
    weld_diag d;
    weld_diag_init(&d, socket);
    weld_compose_opts opts = {.auto_plug = true};
    uint32_t sid, sinst;
    weld_compose_pos none = {0, 0};
    weld_status st = weld_composer_add_file(c, "socket", socket, none, &sid, &d);
    if (!st) st = weld_composer_add_instance(c, "socket", sid, none, &sinst, &d);
    if (!st) st = weld_composer_export_all(c, sinst, &d);
    for (uint32_t i = 0; st == WELD_OK && i < nplugs; i++) {
        char name[256], uniq[300];
        instance_name(plugs[i], name, sizeof name);
        snprintf(uniq, sizeof uniq, "%s", name);
        for (int k = 2; weld_composer_find_component(c, uniq) != UINT32_MAX; k++)
            snprintf(uniq, sizeof uniq, "%s-%d", name, k);
        uint32_t id;
        weld_diag_init(&d, plugs[i]);
        st = weld_composer_add_file(c, uniq, plugs[i], none, &id, &d);
        if (!st) st = weld_composer_add_instance(c, uniq, id, none, NULL, &d);
    }
    if (st == WELD_OK) {
        weld_diag_init(&d, socket);
        st = weld_composer_link(c, &opts, explain, &d);
        if (explain) fputs(weld_composer_explanation(c), stdout);
    }
    /* every plug must be used */
    for (uint32_t i = 1; st == WELD_OK && i < weld_composer_instance_count(c); i++)
        if (!weld_composer_instance_feeds(c, i)) {
            weld_diag_init(&d, plugs[i - 1]);
            snprintf(d.message, sizeof d.message, "plug `%s` satisfies no import of the socket or "
                     "of the other plugs (see --explain)", weld_composer_instance_name(c, i));
            d.status = st = WELD_ERR_LINK;
        }
    if (st == WELD_OK && out) {
        uint8_t *bytes = NULL;
        size_t n = 0;
        st = weld_composer_encode(c, &opts, &bytes, &n, &d);
        if (st == WELD_OK) {
            weld_diag_init(&d, out);
            st = weld_file_write_atomic(out, bytes, n, &d);
        }
        free(bytes);
    }
    int rc = st == WELD_OK ? CLI_OK : cli_report(&d, NULL, 0);
    weld_composer_free(c);
    return rc;
}

const weld_cmd cmd_plug = {
    "plug",
    "plug components' exports into a socket component's imports, transitively",
    "usage: weld plug SOCKET.wasm --plug P.wasm [--plug P2.wasm]... -o OUT.wasm [--explain]\n"
    "\n"
    "Every import of the socket, and of each plug, is satisfied by name from the exports of\n"
    "the other components (exactly, or by a semver-compatible version, the highest one);\n"
    "an import two plugs could satisfy equally is an error listing them. The result\n"
    "exports what the socket exports; imports nothing satisfies stay imports.\n"
    "\n"
    "options:\n"
    "  -o OUT.wasm   the composed component\n"
    "  --explain     for each import, the candidates considered and why each was or was\n"
    "                not taken (without -o: only the explanation)\n",
    run_plug,
};
