/* cmd_compose.c - `weld compose`: a composition from weld's YAML spec, or from a root
 * component with wasm-compose's configuration and flags, written as one component. */
#include "cli.h"
#include "weld/compose.h"
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

extern const weld_cmd cmd_compose;

/* Read a text file for a spec; on failure reports and returns false. */
static bool read_text(const char *path, char **text, size_t *len, int *rc)
{
    weld_diag d;
    weld_diag_init(&d, path);
    uint8_t *data;
    if (weld_file_read(path, &data, len, &d) != WELD_OK) {
        *rc = cli_report(&d, NULL, 0);
        return false;
    }
    *text = (char *)data;
    return true;
}

static char *dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return NULL;
    char *dir = strdup(dirname(copy));
    free(copy);
    return dir;
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int run_compose(int argc, char **argv)
{
    const char *input = NULL, *config = NULL, *out = NULL;
    const char *defs[256], *paths[32], *wdeps[256];
    uint32_t ndefs = 0, npaths = 0, nwdeps = 0;
    bool explain = false, verbose = false;
    weld_compose_opts opts = {0}, flags = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 && i + 1 < argc) out = argv[++i];
        else if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc) config = argv[++i];
        else if ((strcmp(a, "-d") == 0 || strcmp(a, "--definitions") == 0) && i + 1 < argc) {
            if (ndefs == 256) return cli_usage_error(&cmd_compose, "too many -d definitions");
            defs[ndefs++] = argv[++i];
        } else if ((strcmp(a, "-p") == 0 || strcmp(a, "--search-path") == 0) && i + 1 < argc) {
            if (npaths == 32) return cli_usage_error(&cmd_compose, "too many -p search paths");
            paths[npaths++] = argv[++i];
        }
        else if (strcmp(a, "--dep") == 0 && i + 1 < argc) {
            if (nwdeps == 256) return cli_usage_error(&cmd_compose, "too many --dep packages");
            if (!strchr(argv[i + 1], '='))
                return cli_usage_error(&cmd_compose, "--dep '%s': expected PKG=PATH", argv[i + 1]);
            wdeps[nwdeps++] = argv[++i];
        }
        else if (strcmp(a, "--skip-validation") == 0) flags.skip_validation = true;
        else if (strcmp(a, "--import-components") == 0 || strcmp(a, "--import-dependencies") == 0)
            flags.import_dependencies = true;
        else if (strcmp(a, "--no-imports") == 0 || strcmp(a, "--disallow-imports") == 0)
            flags.no_imports = true;
        else if (strcmp(a, "--explain") == 0) explain = true;
        else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) verbose = true;
        else if (a[0] == '-' && a[1]) return cli_usage_error(&cmd_compose, "unknown option '%s'", a);
        else if (!input) input = a;
        else return cli_usage_error(&cmd_compose, "more than one input ('%s')", a);
    }
    if (!input) return cli_usage_error(&cmd_compose, "missing SPEC.yaml or ROOT.wasm");
    if (!out) return cli_usage_error(&cmd_compose, "missing -o OUT.wasm");
    bool wac = has_suffix(input, ".wac");
    bool wasm_compose = !wac && (has_suffix(input, ".wasm") || config || ndefs || npaths);
    if (nwdeps && !wac) return cli_usage_error(&cmd_compose, "--dep goes with FILE.wac");
    if (!wasm_compose && !wac && (flags.no_imports || flags.skip_validation))
        return cli_usage_error(&cmd_compose, "--disallow-imports and --skip-validation go with ROOT.wasm "
                               "(a spec sets them under `options`)");
    int rc = CLI_OK;
    char *text = NULL, *dir = NULL;
    size_t len = 0;
    const char *src_file = wasm_compose ? config : input;
    if (src_file && !read_text(src_file, &text, &len, &rc)) return rc;
    dir = dir_of(src_file ? src_file : input);
    weld_composer *c = weld_composer_new();
    weld_diag d;
    weld_diag_init(&d, src_file ? src_file : input);
    weld_status st;
    if (!c || !dir) {
        fprintf(stderr, "weld: out of memory\n");
        rc = CLI_REJECTED;
        goto done;
    }
    /* -p directories are taken from the working directory (a configuration's search-paths
     * from its own directory) */
    char *abs_paths[32] = {0};
    for (uint32_t i = 0; i < npaths; i++)
        if (paths[i][0] != '/' && (abs_paths[i] = realpath(paths[i], NULL))) paths[i] = abs_paths[i];
    opts = flags; /* the loaders add the spec's own settings */
    if (wasm_compose) {
        weld_wasm_compose_args wa = {input, config, text, len, dir, defs, ndefs, paths, npaths};
        st = weld_wasm_compose_load(c, &wa, &opts, &d);
    } else if (wac) {
        st = weld_wac_load(c, input, text, len, dir, wdeps, nwdeps, &opts, &d);
    } else {
        st = weld_compose_spec_load(c, input, text, len, dir, &opts, &d);
    }
    opts.skip_validation |= flags.skip_validation;
    opts.no_imports |= flags.no_imports;
    opts.import_dependencies |= flags.import_dependencies;
    if (st == WELD_OK) st = weld_composer_link(c, &opts, explain, &d);
    if (explain) fputs(weld_composer_explanation(c), stdout);
    uint8_t *bytes = NULL;
    size_t n = 0;
    if (st == WELD_OK) st = weld_composer_encode(c, &opts, &bytes, &n, &d);
    if (st == WELD_OK) {
        weld_diag_init(&d, out);
        st = weld_file_write_atomic(out, bytes, n, &d);
    }
    if (st != WELD_OK) {
        rc = cli_report(&d, d.line ? text : NULL, len);
    } else if (verbose) {
        char *g = NULL;
        size_t gl;
        if (weld_composer_graph(c, WELD_GRAPH_MERMAID, &g, &gl, &d) == WELD_OK) fputs(g, stderr);
        free(g);
        fprintf(stderr, "wrote %s (%zu bytes)\n", out, n);
    }
    free(bytes);
    for (uint32_t i = 0; i < npaths; i++) free(abs_paths[i]);
done:
    weld_composer_free(c);
    free(text);
    free(dir);
    return rc;
}

const weld_cmd cmd_compose = {
    "compose",
    "compose components into one (weld's YAML spec, or wasm-compose's config)",
    "usage: weld compose SPEC.yaml -o OUT.wasm [--explain] [-v]\n"
    "       weld compose FILE.wac [--dep PKG=PATH]... -o OUT.wasm\n"
    "       weld compose ROOT.wasm [-c CONFIG.yml] [-d DEF.wasm]... [-p DIR]...\n"
    "                    [--skip-validation] [--import-dependencies] [--disallow-imports]\n"
    "                    -o OUT.wasm\n"
    "\n"
    "The first form reads weld's compose spec (see README, `Compose specs`, and\n"
    "compose-specs/): components, instances with their arguments, exports, options.\n"
    "The second reads wasm-compose's configuration format (dependencies, with `import:`\n"
    "to import one instead of embedding it; instantiations, `root:` giving the root's own\n"
    "arguments; definitions; search-paths; skip-validation; import-components;\n"
    "disallow-imports): the root component's instance imports are satisfied\n"
    "transitively, by name, from the definitions (-d and `definitions:`, by their\n"
    "instance exports), the instantiations' arguments, the dependencies and files named\n"
    "after the import in the search paths (-p); the root's exports are exported. A root\n"
    "without instance imports, or with no dependency found, is an error.\n"
    "\n"
    "The third reads the WAC language (a subset): `package ns:name;`, `let x = new\n"
    "ns:pkg { import: value, name, ... };`, `let y = x.export;`, `x[\"exact:name/i\"]`,\n"
    "`export x.name as other;`. Packages come from --dep PKG=PATH, else\n"
    "deps/NS/PKG.wasm beside the file; `...` leaves the imports no argument names as\n"
    "imports of the composition.\n"
    "\n"
    "Every edge is type-checked; imports nothing satisfies become imports of the result,\n"
    "merged by name (into the union of what the importers use). The result is validated\n"
    "before it is written.\n"
    "\n"
    "options:\n"
    "  -o OUT.wasm           the composed component\n"
    "  --explain             for each import, the candidates considered and why each was\n"
    "                        or was not taken\n"
    "  -v, --verbose         print the graph (mermaid) and the size written\n"
    "  --dep PKG=PATH        (WAC) the component of package PKG\n"
    "  -c, --config FILE     wasm-compose configuration (YAML)\n"
    "  -d, --definitions F   a component whose instance exports may satisfy imports\n"
    "  -p, --search-path D   a directory to look for dependencies in (NAME.wasm), from the\n"
    "                        working directory\n"
    "  --skip-validation     do not validate the result\n"
    "  --import-dependencies (or --import-components) import each component (under its\n"
    "                        name, made kebab-case, typed by its world) instead of\n"
    "                        embedding its definition\n"
    "  --disallow-imports    (or --no-imports) an unsatisfied import is an error\n",
    run_compose,
};
