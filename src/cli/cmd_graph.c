/* cmd_graph.c - `weld graph SPEC|COMPONENT --format dot|mermaid|json [--svg OUT.svg]`: the
 * composition as a picture; on a component binary, the graph recovered from its instances. */
#include "cli.h"
#include "weld/compose.h"
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

extern const weld_cmd cmd_graph;

static int write_svg(const char *dot_text, const char *svg)
{
    if (system("command -v dot >/dev/null 2>&1") != 0) {
        fprintf(stderr, "weld: error: --svg needs Graphviz's `dot`, which is not installed "
                        "(apt-get install graphviz)\n");
        return CLI_REJECTED;
    }
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", svg);
    char cmd[2400];
    snprintf(cmd, sizeof cmd, "dot -Tsvg -o '%s'", tmp);
    if (strchr(svg, '\'')) {
        fprintf(stderr, "weld: error: --svg: a path with a quote is not supported\n");
        return CLI_USAGE;
    }
    FILE *p = popen(cmd, "w");
    if (!p) {
        fprintf(stderr, "weld: error: cannot run dot\n");
        return CLI_REJECTED;
    }
    fputs(dot_text, p);
    if (pclose(p) != 0 || rename(tmp, svg) != 0) {
        remove(tmp);
        fprintf(stderr, "weld: error: dot failed to write %s\n", svg);
        return CLI_REJECTED;
    }
    return CLI_OK;
}

static int run_graph(int argc, char **argv)
{
    const char *input = NULL, *format = "dot", *out = NULL, *svg = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--format") == 0 || strcmp(a, "-f") == 0) && i + 1 < argc) format = argv[++i];
        else if (strcmp(a, "-o") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(a, "--svg") == 0 && i + 1 < argc) svg = argv[++i];
        else if (a[0] == '-' && a[1]) return cli_usage_error(&cmd_graph, "unknown option '%s'", a);
        else if (!input) input = a;
        else return cli_usage_error(&cmd_graph, "more than one input ('%s')", a);
    }
    if (!input) return cli_usage_error(&cmd_graph, "missing SPEC.yaml or COMPONENT.wasm");
    weld_graph_format fmt;
    if (strcmp(format, "dot") == 0) fmt = WELD_GRAPH_DOT;
    else if (strcmp(format, "mermaid") == 0) fmt = WELD_GRAPH_MERMAID;
    else if (strcmp(format, "json") == 0) fmt = WELD_GRAPH_JSON;
    else return cli_usage_error(&cmd_graph, "--format takes dot, mermaid or json (not '%s')", format);
    if (svg) fmt = WELD_GRAPH_DOT;
    weld_diag d;
    weld_diag_init(&d, input);
    uint8_t *data;
    size_t len;
    if (weld_file_read(input, &data, &len, &d) != WELD_OK) return cli_report(&d, NULL, 0);
    char *text = NULL;
    size_t tlen = 0;
    weld_status st;
    if (weld_is_component(data, len)) {
        st = weld_graph_from_component(data, len, input, fmt, &text, &tlen, &d);
    } else if (len >= 4 && memcmp(data, "\0asm", 4) == 0) {
        free(data);
        fprintf(stderr, "weld: error: %s: a core module, not a component or a compose spec\n", input);
        return CLI_REJECTED;
    } else {
        weld_composer *c = weld_composer_new();
        char *copy = strdup(input);
        weld_compose_opts opts = {0};
        st = c && copy ? weld_compose_spec_load(c, input, (const char *)data, len, dirname(copy), &opts, &d)
                       : WELD_ERR_NOMEM;
        if (st == WELD_OK) st = weld_composer_link(c, &opts, false, &d);
        if (st == WELD_OK) st = weld_composer_graph(c, fmt, &text, &tlen, &d);
        weld_composer_free(c);
        free(copy);
    }
    int rc;
    if (st != WELD_OK) {
        rc = cli_report(&d, d.line ? (const char *)data : NULL, len);
    } else if (svg) {
        rc = write_svg(text, svg);
    } else if (out) {
        weld_diag_init(&d, out);
        rc = weld_file_write_atomic(out, text, tlen, &d) == WELD_OK ? CLI_OK : cli_report(&d, NULL, 0);
    } else {
        fputs(text, stdout);
        rc = CLI_OK;
    }
    free(text);
    free(data);
    return rc;
}

const weld_cmd cmd_graph = {
    "graph",
    "draw a composition (spec or composed component) as dot, mermaid or json",
    "usage: weld graph SPEC.yaml|COMPONENT.wasm [--format dot|mermaid|json] [-o OUT] [--svg OUT.svg]\n"
    "\n"
    "On a spec: the linked composition (instances, the edges satisfying imports, the\n"
    "imports that stay, the exports). On a component binary: the graph recovered from its\n"
    "instances, their arguments, aliases and exports (names from its component-name\n"
    "section).\n"
    "\n"
    "options:\n"
    "  -f, --format F   dot (default), mermaid or json\n"
    "  -o OUT           write to a file instead of stdout\n"
    "  --svg OUT.svg    render with Graphviz's `dot` (when installed)\n",
    run_graph,
};
