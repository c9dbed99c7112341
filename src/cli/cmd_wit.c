/* cmd_wit.c - `weld wit`: resolve WIT packages and print them as WIT or JSON. */
#include "cli.h"
#include "input.h"
#include "base/base.h"
#include "weld/wit.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const weld_cmd cmd_wit;

static int run_wit(int argc, char **argv)
{
    const char *path = NULL, *world = NULL, *features = NULL, *out = NULL;
    bool json = false, wasm = false, all_features = false, main_only = false, timing = false, check = false;
    int repeat = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) json = true;
        else if (strcmp(a, "--all-features") == 0) all_features = true;
        else if (strcmp(a, "--main-only") == 0) main_only = true;
        else if (strcmp(a, "--time") == 0) timing = true;
        else if (strcmp(a, "--check") == 0) check = true;
        else if (strcmp(a, "--repeat") == 0 && i + 1 < argc) {
            repeat = atoi(argv[++i]);
            if (repeat < 1 || repeat > 100000) return cli_usage_error(&cmd_wit, "--repeat takes 1..100000");
        }
        else if ((strcmp(a, "--world") == 0 || strcmp(a, "-w") == 0) && i + 1 < argc) world = argv[++i];
        else if (strcmp(a, "--features") == 0 && i + 1 < argc) features = argv[++i];
        else if (strcmp(a, "-o") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(a, "--wasm") == 0) wasm = true;
        else if (a[0] == '-' && a[1]) return cli_usage_error(&cmd_wit, "unknown option '%s'", a);
        else if (!path) path = a;
        else return cli_usage_error(&cmd_wit, "more than one PATH given ('%s')", a);
    }
    if (!path) return cli_usage_error(&cmd_wit, "missing PATH (a .wit file or a directory)");
    if (wasm && (json || world || check))
        return cli_usage_error(&cmd_wit, "--wasm does not combine with --json, --world or --check");
    if (wasm && !out) return cli_usage_error(&cmd_wit, "--wasm needs -o FILE (the output is binary)");
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    for (int k = 1; k < repeat; k++) { /* extra rounds, for timing */
        weld_arena *ar = weld_arena_new();
        weld_wit_resolve *rr = ar ? weld_wit_resolve_new(ar) : NULL;
        uint32_t m = 0;
        char *tx = NULL;
        if (rr) {
            rr->features = features;
            rr->all_features = all_features;
            if (weld_wit_add_path(rr, path, &m, NULL, NULL, NULL) == WELD_OK) {
                if (json) weld_wit_to_json(rr, &tx, NULL, NULL);
                else {
                    uint32_t *nested = calloc(rr->npackages + 1, sizeof *nested), n = 0;
                    for (uint32_t i = 0; nested && i < rr->npackages; i++)
                        if (i != m) nested[n++] = i;
                    if (nested) weld_wit_print(rr, m, nested, n, &tx, NULL, NULL);
                    free(nested);
                }
            }
        }
        free(tx);
        weld_arena_free(ar);
    }
    weld_arena *arena = weld_arena_new();
    if (!arena) return CLI_REJECTED;
    weld_wit_resolve *r = weld_wit_resolve_new(arena);
    weld_diag d;
    weld_diag_init(&d, path);
    int rc = CLI_OK;
    if (!r) {
        weld_arena_free(arena);
        return CLI_REJECTED;
    }
    r->features = features;
    r->all_features = all_features;
    uint32_t main = 0;
    const char *src = NULL;
    size_t srclen = 0;
    weld_status st;
    uint8_t *bin = NULL;
    size_t binlen = 0;
    if (cli_is_wasm_file(path)) {
        /* a component: a binary WIT package, or an ordinary component whose world is
         * printed alone (as `root:component`) */
        bool is_pkg = false;
        st = weld_file_read(path, &bin, &binlen, &d);
        if (st == WELD_OK && cli_input_kind_of(bin, binlen) == CLI_INPUT_CORE)
            st = weld_diag_set(&d, WELD_ERR_INVALID, 0,
                               "a WebAssembly core module; expected WIT text, a WIT package encoded as a component, or a component");
        else if (st == WELD_OK) st = weld_wit_decode(r, bin, binlen, &main, &is_pkg, &d);
        free(bin);
        if (!is_pkg) main_only = true;
    } else {
        st = weld_wit_add_path(r, path, &main, &src, &srclen, &d);
    }
    char *text = NULL;
    size_t len = 0;
    if (st == WELD_OK) {
        if (wasm) {
            uint8_t *bytes = NULL;
            st = weld_wit_encode(r, main, &bytes, &len, &d);
            text = (char *)bytes;
        } else if (json) {
            st = weld_wit_to_json(r, &text, &len, &d);
        } else if (world) {
            uint32_t w;
            st = weld_wit_select_world(r, main, world, &w, &d);
            if (st == WELD_OK) st = weld_wit_print_world(r, w, &text, &len, &d);
        } else {
            uint32_t *nested = calloc(r->npackages + 1, sizeof *nested);
            uint32_t n = 0;
            if (!nested) st = WELD_ERR_NOMEM;
            for (uint32_t i = 0; nested && !main_only && i < r->npackages; i++)
                if (i != main) nested[n++] = i;
            if (nested) st = weld_wit_print(r, main, nested, n, &text, &len, &d);
            free(nested);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    if (timing)
        fprintf(stderr, "weld wit: %d round(s) of load+resolve+%s: %.3f ms each, %.3f ms of CPU time each "
                        "(%u packages, %u interfaces, %u worlds, %u types)\n",
                repeat, json ? "json" : "print",
                ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / repeat,
                ((double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) / 1e6) / repeat,
                r->npackages, r->ninterfaces, r->nworlds, r->ntypes);
    if (st == WELD_OK && check && !json && !world && !main_only) {
        /* the printed text must resolve to an equal resolve */
        weld_arena *a2 = weld_arena_new();
        weld_wit_resolve *r2 = a2 ? weld_wit_resolve_new(a2) : NULL;
        uint32_t m2;
        weld_diag d2;
        weld_diag_init(&d2, "<printed>");
        char why[512] = "out of memory";
        if (r2) {
            r2->features = features;
            r2->all_features = all_features;
        }
        if (!r2 || weld_wit_add_source(r2, "<printed>", text, len, &m2, &d2) != WELD_OK) {
            if (r2) weld_diag_format(&d2, why, sizeof why);
            fprintf(stderr, "weld wit: the printed WIT does not resolve: %s\n", why);
            rc = CLI_REJECTED;
        } else if (!weld_wit_resolve_equal(r, r2, why, sizeof why)) {
            fprintf(stderr, "weld wit: the printed WIT resolves differently: %s\n", why);
            rc = CLI_REJECTED;
        }
        weld_arena_free(a2);
    }
    if (st != WELD_OK) {
        rc = cli_report(&d, src, srclen);
    } else if (rc != CLI_OK) {
        /* --check failed: reported above */
    } else if (out) {
        weld_diag_init(&d, out);
        if (weld_file_write_atomic(out, text, len, &d) != WELD_OK) rc = cli_report(&d, NULL, 0);
    } else {
        fwrite(text, 1, len, stdout);
    }
    free(text);
    weld_arena_free(arena);
    return rc;
}

const weld_cmd cmd_wit = {
    "wit", "resolve WIT packages; print them as canonical WIT or JSON",
    "usage: weld wit PATH [--json] [--world W] [--features a,b | --all-features]\n"
    "                     [--main-only] [-o FILE]\n"
    "       weld wit PATH --wasm -o FILE\n\n"
    "Parses and resolves the WIT package at PATH (a .wit file, or a directory whose .wit\n"
    "files form one package and whose deps/ holds its dependencies) and prints it in\n"
    "canonical WIT, the package of PATH first and its dependencies as nested\n"
    "`package ns:name { ... }` blocks after it.\n\n"
    "  --json           print the whole resolve as JSON (wit-parser's layout)\n"
    "  --wasm           encode the package of PATH as a component (the binary form WIT\n"
    "                   packages travel in, as wit-component writes it) into FILE\n"
    "  --world W        print only world W (`w` or `ns:pkg/w@version`)\n"
    "  --features a,b   keep items gated by @unstable(feature = a) or b\n"
    "  --all-features   keep every @unstable item\n"
    "  --main-only      print the package of PATH without its dependencies\n"
    "  --check          also re-parse the printed WIT and check it resolves to an equal\n"
    "                   resolve (exit 1 if not)\n"
    "  --time           report the time spent (load, resolve, print) on stderr\n"
    "  --repeat N       do the work N times (with --time: the average)\n"
    "  -o FILE          write the output to FILE (atomically) instead of stdout\n",
    run_wit,
};
