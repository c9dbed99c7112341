/* cmd_targets.c - `weld targets`: does a component conform to a WIT world? */
#include "input.h"
#include "base/base.h"
#include "weld/targets.h"
#include <stdlib.h>
#include <string.h>

extern const weld_cmd cmd_targets;

static void item_text(const weld_targets_diff *x, char *buf, size_t cap)
{
    bool iface = strcmp(x->what, "interface") == 0 && strchr(x->name, '/');
    if (iface) snprintf(buf, cap, "%s", x->name);
    else snprintf(buf, cap, "%s: %s", x->name, x->what);
}

static int run_targets(int argc, char **argv)
{
    const char *path = NULL, *wit = NULL, *world = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--wit") == 0 && i + 1 < argc) wit = argv[++i];
        else if ((strcmp(a, "--world") == 0 || strcmp(a, "-w") == 0) && i + 1 < argc) world = argv[++i];
        else if (a[0] == '-' && a[1]) return cli_usage_error(&cmd_targets, "unknown option '%s'", a);
        else if (!path) path = a;
        else return cli_usage_error(&cmd_targets, "more than one COMPONENT given ('%s')", a);
    }
    if (!path) return cli_usage_error(&cmd_targets, "missing COMPONENT");
    if (!wit) return cli_usage_error(&cmd_targets, "missing --wit PATH (the WIT package holding the world)");
    weld_arena *arena = weld_arena_new();
    if (!arena) return CLI_REJECTED;
    int rc = CLI_OK;
    weld_wit_resolve *r = weld_wit_resolve_new(arena);
    weld_diag d;
    weld_diag_init(&d, wit);
    uint32_t main = 0, wid = 0;
    const char *src = NULL;
    size_t srclen = 0;
    if (!r) rc = CLI_REJECTED;
    else if (weld_wit_add_path(r, wit, &main, &src, &srclen, &d) != WELD_OK) rc = cli_report(&d, src, srclen);
    if (rc == CLI_OK && world) {
        if (weld_wit_select_world(r, main, world, &wid, &d) != WELD_OK) rc = cli_report(&d, NULL, 0);
    } else if (rc == CLI_OK) {
        const weld_wit_package *p = &r->packages[main];
        if (p->nworlds != 1) {
            char pid[300];
            weld_wit_package_id(p, pid, sizeof pid);
            fprintf(stderr, "weld targets: package `%s` has %u worlds; choose one with --world:", pid, p->nworlds);
            for (uint32_t i = 0; i < p->nworlds; i++) fprintf(stderr, " %s", p->worlds[i].name);
            fprintf(stderr, "\n");
            rc = CLI_USAGE;
        } else {
            wid = p->worlds[0].id;
        }
    }
    cli_input in;
    memset(&in, 0, sizeof in);
    if (rc == CLI_OK) rc = cli_load(path, &in);
    if (rc == CLI_OK && in.kind != CLI_INPUT_COMPONENT) {
        weld_diag_set(&in.diag, WELD_ERR_INVALID, 0, "not a component (expected the component preamble \\0asm 0d 00 01 00)");
        rc = cli_report(&in.diag, NULL, 0);
    }
    weld_component *c = NULL;
    if (rc == CLI_OK) {
        weld_component_read_opts ro = {.skip_bodies = true};
        if (weld_component_read(arena, in.data, in.len, &ro, &c, &in.diag) != WELD_OK) rc = cli_report(&in.diag, NULL, 0);
    }
    weld_targets_report rep;
    if (rc == CLI_OK && weld_targets(arena, c, r, wid, &rep, &in.diag) != WELD_OK) rc = cli_report(&in.diag, NULL, 0);
    if (rc == CLI_OK) {
        const char *wn = r->worlds[wid].name;
        if (rep.conforms) {
            printf("%s conforms to world `%s`\n", path, wn);
        } else {
            fprintf(stderr, "weld targets: %s does not conform to world `%s` (%u difference%s):\n", path, wn, rep.ndiffs,
                    rep.ndiffs == 1 ? "" : "s");
            for (uint32_t i = 0; i < rep.ndiffs; i++) {
                const weld_targets_diff *x = &rep.diffs[i];
                char it[600];
                item_text(x, it, sizeof it);
                switch (x->kind) {
                case WELD_TARGETS_EXTRA_IMPORT:
                    printf("extra import: `import %s;`: world `%s` does not offer it\n", it, wn);
                    break;
                case WELD_TARGETS_MISSING_EXPORT:
                    printf("missing export: world `%s` has `export %s;`, the component does not export it\n", wn, it);
                    break;
                case WELD_TARGETS_IMPORT_TYPE:
                    printf("import `%s` (%s): the world's type does not fit the component's: %s\n", x->name, x->what, x->why);
                    break;
                case WELD_TARGETS_EXPORT_TYPE:
                    printf("export `%s` (%s): the component's type does not fit the world's: %s\n", x->name, x->what, x->why);
                    break;
                default:
                    printf("types differ: %s\n", x->why ? x->why : "(no detail)");
                    break;
                }
            }
            rc = CLI_REJECTED;
        }
    }
    cli_input_free(&in);
    weld_arena_free(arena);
    return rc;
}

const weld_cmd cmd_targets = {
    "targets", "check that a component conforms to a WIT world",
    "usage: weld targets COMPONENT --wit PATH [--world W]\n\n"
    "Exit 0 when COMPONENT conforms to world W of the WIT package at PATH: it imports\n"
    "nothing the world does not offer, exports everything the world expects, and the\n"
    "types fit (the component's type is a subtype of the world's). Otherwise lists each\n"
    "difference (extra import, missing export, type mismatch) and exits 1.\n\n"
    "  --wit PATH   a .wit file or a package directory (with deps/), or a .wasm package\n"
    "  --world W    the world (`w` or `ns:pkg/w@version`); needed when the package has\n"
    "               more than one\n",
    run_targets,
};
