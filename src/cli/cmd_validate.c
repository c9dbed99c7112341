/* cmd_validate.c - `weld validate FILE`: decode a core module or a component and check
 * every validation rule; prints nothing on success unless --verbose, a diagnostic and
 * exit 1 on failure. */
#include "cli.h"
#include "input.h"
#include "weld/module.h"
#include "weld/validate.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const weld_cmd *self(void);

/* CPU time of this process (fair on a loaded machine). */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A component: decode (nested modules included) and validate, best of `repeat` runs. */
static int validate_component_file(const char *path, const uint8_t *data, size_t len,
                                   long repeat, bool verbose, uint64_t features, weld_diag *d)
{
    double best_read = 0, best_valid = 0;
    for (long k = 0; k < repeat; k++) {
        weld_arena *arena = weld_arena_new();
        if (!arena) {
            fprintf(stderr, "weld: out of memory\n");
            return CLI_REJECTED;
        }
        weld_component_read_opts opts = {.skip_bodies = true};
        weld_component *c;
        double t0 = now_seconds();
        weld_status st = weld_component_read(arena, data, len, &opts, &c, d);
        double t1 = now_seconds();
        if (!st) st = weld_validate_component_features(c, features, d);
        double t2 = now_seconds();
        weld_arena_free(arena);
        if (st) return cli_report(d, NULL, 0);
        if (k == 0 || t1 - t0 < best_read) best_read = t1 - t0;
        if (k == 0 || t2 - t1 < best_valid) best_valid = t2 - t1;
    }
    if (verbose) {
        double dt = best_read + best_valid;
        printf("%s: valid component (%zu bytes; decode %.1f ms + validate %.1f ms CPU, "
               "%.0f MB/s)\n", path, len, best_read * 1e3, best_valid * 1e3,
               dt > 0 ? (double)len / dt / 1e6 : 0.0);
    }
    return CLI_OK;
}

/* --features / --no-features LIST: names separated by commas ("all": every feature). */
static int feature_list(const char *list, bool on, uint64_t *features)
{
    char buf[512];
    if (strlen(list) >= sizeof buf) return cli_usage_error(self(), "feature list too long");
    strcpy(buf, list);
    for (char *save = NULL, *nm = strtok_r(buf, ",", &save); nm; nm = strtok_r(NULL, ",", &save)) {
        uint64_t bit = strcmp(nm, "all") == 0 ? WELD_FEAT_ALL : weld_feature_by_name(nm);
        if (!bit)
            return cli_usage_error(self(), "unknown feature '%s' (known: all, %s)", nm, weld_feature_names());
        if (!on && (bit == WELD_FEAT_ALL || !weld_feature_can_disable(bit)))
            return cli_usage_error(self(), "feature '%s' cannot be turned off: weld's core validator always applies it", nm);
        if (on) *features |= bit;
        else *features &= ~bit;
    }
    return CLI_OK;
}

static int run_validate(int argc, char **argv)
{
    const char *path = NULL;
    bool verbose = false, wasm2 = false;
    long repeat = 1;
    uint64_t features = WELD_FEAT_DEFAULT;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) verbose = true;
        else if (strcmp(argv[i], "--wasm2") == 0) wasm2 = true;
        else if ((strcmp(argv[i], "--features") == 0 || strcmp(argv[i], "--no-features") == 0) && i + 1 < argc) {
            bool on = argv[i][2] == 'f';
            int rc = feature_list(argv[++i], on, &features);
            if (rc) return rc;
        }
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            char *end;
            repeat = strtol(argv[++i], &end, 10);
            if (*end || repeat < 1 || repeat > 100000)
                return cli_usage_error(self(), "--repeat takes a count from 1 to 100000");
            verbose = true;
        }
        else if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error(self(), "unknown option '%s'", argv[i]);
        else if (path) return cli_usage_error(self(), "more than one input file");
        else path = argv[i];
    }
    if (!path) return cli_usage_error(self(), "missing input file");

    weld_diag d;
    weld_diag_init(&d, path);
    uint8_t *data = NULL;
    size_t len = 0;
    int lrc = cli_read_input(path, &data, &len, &d);
    if (lrc) return lrc;
    weld_arena *arena = weld_arena_new();
    weld_validator *v = weld_validator_new();
    int rc = CLI_OK;
    if (!arena || !v) {
        fprintf(stderr, "weld: out of memory\n");
        rc = CLI_REJECTED;
        goto out;
    }
    if (wasm2) features &= ~(uint64_t)(WELD_FEAT_MULTI_MEMORY | WELD_FEAT_EXTENDED_CONST);
    weld_validator_set_features(v, ((features & WELD_FEAT_MULTI_MEMORY) ? WELD_VALID_MULTI_MEMORY : 0u) |
                                       ((features & WELD_FEAT_EXTENDED_CONST) ? WELD_VALID_EXTENDED_CONST : 0u));
    if (weld_is_component(data, len)) {
        rc = validate_component_file(path, data, len, repeat, verbose, features, &d);
        goto out;
    }
    /* with --repeat, the best of N runs of decode + validate, in CPU time */
    double best_read = 0, best_valid = 0;
    weld_module *m = NULL;
    for (long k = 0; k < repeat; k++) {
        weld_arena_free(arena);
        if (!(arena = weld_arena_new())) {
            fprintf(stderr, "weld: out of memory\n");
            rc = CLI_REJECTED;
            goto out;
        }
        weld_read_opts opts = {.skip_bodies = true};
        double t0 = now_seconds();
        if (weld_module_read(arena, data, len, &opts, &m, &d)) {
            rc = cli_report(&d, NULL, 0);
            goto out;
        }
        double t1 = now_seconds();
        if (weld_validator_run(v, m, NULL, &d)) {
            rc = cli_report(&d, NULL, 0);
            goto out;
        }
        double t2 = now_seconds();
        if (k == 0 || t1 - t0 < best_read) best_read = t1 - t0;
        if (k == 0 || t2 - t1 < best_valid) best_valid = t2 - t1;
    }
    if (verbose) {
        double dt = best_read + best_valid;
        printf("%s: valid (%zu bytes, %u functions; decode %.1f ms + validate %.1f ms CPU, "
               "%.0f MB/s)\n", path, len, m->nimported_funcs + m->nfuncs, best_read * 1e3,
               best_valid * 1e3, dt > 0 ? (double)len / dt / 1e6 : 0.0);
    }
out:
    weld_validator_free(v);
    weld_arena_free(arena);
    free(data);
    return rc;
}

const weld_cmd cmd_validate = {
    "validate", "check that a core module or a component follows every validation rule",
    "usage: weld validate [--verbose] [--repeat N] [--wasm2] [--features LIST]\n"
    "                     [--no-features LIST] FILE\n\n"
    "Decodes the core WebAssembly module FILE and checks the validation rules of the core\n"
    "specification (Wasm 2.0, with tail calls, extended constant expressions, multiple\n"
    "memories and threads): every function body is type-checked instruction by\n"
    "instruction. Exits 0 when the module is valid, 1 with a diagnostic naming the\n"
    "function, the byte offset and the rule when it is not.\n\n"
    "A component FILE is checked against the component model's rules as wasmparser applies\n"
    "them (index spaces, types, canonical definitions, instantiation, names, values) and\n"
    "each nested core module against the core rules; the diagnostic gives the offset of\n"
    "the offending item.\n\n"
    "Features are wasmparser's, by its names, with its defaults: on are cm-async,\n"
    "multi-memory, extended-const and the core features weld always applies (simd,\n"
    "threads, tail-call, memory64, ...); off are cm-values, cm-error-context,\n"
    "cm-fixed-length-lists, cm-map, cm64, cm-gc, cm-nested-names, cm-async-stackful,\n"
    "cm-more-async-builtins, cm-threading, shared-everything-threads. A component using\n"
    "a feature that is off is refused with wasmparser's message naming it.\n\n"
    "  -v, --verbose       print a summary line with the CPU time taken and the throughput\n"
    "  --repeat N          decode and validate N times and report the best time\n"
    "  --wasm2             apply only the Wasm 2.0 rules (no multiple memories, no\n"
    "                      extended constant expressions)\n"
    "  --features LIST     turn on the comma-separated features (\"all\": every one)\n"
    "  --no-features LIST  turn them off\n",
    run_validate,
};

static const weld_cmd *self(void) { return &cmd_validate; }
