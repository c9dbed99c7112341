/* cmd_parse.c - `weld parse`: decode a binary (or read a text module) and write it from the
 * tree. Text input is parsed and encoded by the shared input loader (input.c). */
#include "input.h"
#include "component_cli.h"
#include "weld/module.h"
#include <stdlib.h>
#include <string.h>

extern const weld_cmd cmd_parse;

typedef struct parse_args {
    const char *in, *out;
    bool reencode, check, names;
} parse_args;

/* --check on a core module: decode, encode, decode again, compare. */
static int check_core(cli_input *in, const weld_module *m, const uint8_t *bytes, size_t len,
                      const parse_args *a)
{
    bool identical = len == in->len && memcmp(bytes, in->data, len) == 0;
    weld_arena *arena = weld_arena_new();
    weld_module *again = NULL;
    weld_diag d;
    weld_diag_init(&d, a->in);
    if (!arena) return CLI_REJECTED;
    if (weld_module_read(arena, bytes, len, NULL, &again, &d) != WELD_OK) {
        fprintf(stderr, "weld: error: %s: the re-encoded module does not decode: %s\n", a->in,
                d.message);
        weld_arena_free(arena);
        return CLI_REJECTED;
    }
    bool equal = weld_module_equal(m, again);
    int rc = CLI_OK;
    if (equal && identical) {
        printf("%s: identical bytes, equal trees\n", a->in);
    } else if (equal) {
        /* bytes differ: the input was not minimally encoded if our output is a fixed point */
        uint8_t *twice = NULL;
        size_t twice_len = 0;
        weld_write_opts wo = {a->reencode};
        bool fixed = weld_module_write(again, &wo, &twice, &twice_len, &d) == WELD_OK &&
                     twice_len == len && memcmp(twice, bytes, len) == 0;
        free(twice);
        printf("%s: bytes differ (%s), equal trees\n", a->in,
               fixed ? "non-minimal input encoding; the output is a fixed point"
                     : "and the output is not a fixed point");
    } else {
        /* name the first section whose bytes differ */
        uint32_t n = m->nsections < again->nsections ? m->nsections : again->nsections, i;
        for (i = 0; i < n; i++) {
            const weld_section_ref *x = &m->sections[i], *y = &again->sections[i];
            if (x->id != y->id || x->size != y->size ||
                memcmp(in->data + x->offset, bytes + y->offset, x->size))
                break;
        }
        if (i < n)
            printf("%s: trees differ: section %u (id %u) at input offset 0x%x\n", a->in, i,
                   m->sections[i].id, m->sections[i].offset);
        else
            printf("%s: trees differ: section counts %u and %u\n", a->in, m->nsections,
                   again->nsections);
        rc = CLI_REJECTED;
    }
    weld_arena_free(arena);
    return rc;
}

static int parse_core(cli_input *in, const parse_args *a)
{
    weld_arena *arena = weld_arena_new();
    weld_module *m = NULL;
    int rc = CLI_OK;
    uint8_t *bytes = NULL;
    size_t len = 0;
    weld_write_opts wo = {a->reencode};
    if (!arena) return CLI_REJECTED;
    if (weld_module_read(arena, in->data, in->len, NULL, &m, &in->diag) != WELD_OK ||
        weld_module_write(m, &wo, &bytes, &len, &in->diag) != WELD_OK) {
        rc = cli_report(&in->diag, NULL, 0);
        goto done;
    }
    if (a->out && weld_file_write_atomic(a->out, bytes, len, &in->diag) != WELD_OK) {
        rc = cli_report(&in->diag, NULL, 0);
        goto done;
    }
    if (a->check) rc = check_core(in, m, bytes, len, a);
done:
    free(bytes);
    weld_arena_free(arena);
    return rc;
}

/* Parse one input; returns the exit code for it. */
static int parse_one(parse_args *a)
{
    cli_input in;
    int rc = cli_load_names(a->in, &in, a->names);
    if (rc) return rc;
    switch (in.kind) {
    case CLI_INPUT_CORE: rc = parse_core(&in, a); break;
    case CLI_INPUT_COMPONENT:
        rc = cli_component_parse(a->in, in.data, in.len, a->out, a->check, a->reencode);
        break;
    default: rc = cli_unsupported_input(&in, "parse"); break;
    }
    cli_input_free(&in);
    return rc;
}

static int run_parse(int argc, char **argv)
{
    parse_args a = {0};
    int ninputs = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) a.out = argv[++i];
        else if (strcmp(argv[i], "--reencode") == 0) a.reencode = true;
        else if (strcmp(argv[i], "--check") == 0) a.check = true;
        else if (strcmp(argv[i], "--names") == 0) a.names = true;
        else if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error(&cmd_parse, "unknown option '%s'", argv[i]);
        else ninputs++;
    }
    if (!ninputs) return cli_usage_error(&cmd_parse, "missing input file");
    if (!a.out && !a.check) return cli_usage_error(&cmd_parse, "missing -o OUT (or --check)");
    if (ninputs > 1 && (a.out || !a.check))
        return cli_usage_error(&cmd_parse, "several inputs are only accepted with --check and no -o");
    int worst = CLI_OK;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0) {
            i++;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) continue;
        a.in = argv[i];
        int rc = parse_one(&a);
        if (rc > worst) worst = rc;
    }
    return worst;
}

const weld_cmd cmd_parse = {
    "parse", "decode a binary or read a text module (WAT) and write it from the tree",
    "usage: weld parse IN -o OUT [--reencode] [--check] [--names]\n"
    "       weld parse --check [--reencode] IN...\n\n"
    "Decodes the WebAssembly binary IN (every section and every instruction) and writes it\n"
    "back from the decoded tree to OUT. Input with minimal LEB128s comes back byte for byte.\n\n"
    "  -o OUT       where to write the result (written atomically)\n"
    "  --reencode   re-encode every instruction from its decoded form instead of copying\n"
    "               function bodies and constant expressions as read\n"
    "  --check      decode the result again and compare: prints \"identical bytes\" or\n"
    "               \"bytes differ\" and \"equal trees\", or the first section that differs\n"
    "               (exit 1); -o is optional with --check, and several inputs are\n"
    "               checked one after the other (one line each; errors on stderr)\n"
    "\nIN may be a core module in the WebAssembly text format (anything not starting with\n"
    "\\0asm whose first token is '(' ): it is parsed and encoded (as wat2wasm encodes it);\n"
    "syntax errors give FILE:LINE:COL, what was found and what was expected. With --names\n"
    "the identifiers ($f, $x) are written to a name section (module, functions, locals).\n"
    "\nComponents are decoded section by section (nested modules by the core reader) and\n"
    "written back with their nested modules as read (or, with --reencode, re-encoded).\n",
    run_parse,
};
