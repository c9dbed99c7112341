/* cmd_audit.c - `weld audit`: a component's imports against an allow/deny policy. */
#include "input.h"
#include "weld/audit.h"
#include "base/base.h"
#include <stdlib.h>
#include <string.h>

extern const weld_cmd cmd_audit;

static bool add(const char ***v, uint32_t *n, const char *s)
{
    const char **nv = realloc((void *)*v, sizeof *nv * (*n + 1));
    if (!nv) return false;
    nv[(*n)++] = s;
    *v = nv;
    return true;
}

static int run_audit(int argc, char **argv)
{
    const char *path = NULL, *policy_file = NULL;
    const char **allow = NULL, **deny = NULL;
    uint32_t nallow = 0, ndeny = 0;
    bool quiet = false;
    int rc = CLI_OK;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--deny") == 0 || strcmp(a, "--allow") == 0) && i + 1 < argc) {
            bool ok = a[2] == 'd' ? add(&deny, &ndeny, argv[++i]) : add(&allow, &nallow, argv[++i]);
            if (!ok) rc = CLI_REJECTED;
        } else if (strcmp(a, "--policy") == 0 && i + 1 < argc) {
            policy_file = argv[++i];
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_usage_error(&cmd_audit, "unknown option '%s'", a);
        } else if (!path) {
            path = a;
        } else {
            rc = cli_usage_error(&cmd_audit, "more than one COMPONENT given ('%s')", a);
        }
    }
    if (rc == CLI_OK && !path) rc = cli_usage_error(&cmd_audit, "missing COMPONENT");
    if (rc == CLI_OK && !nallow && !ndeny && !policy_file)
        rc = cli_usage_error(&cmd_audit, "no policy: give --deny PATTERN, --allow PATTERN or --policy FILE");
    weld_arena *arena = rc == CLI_OK ? weld_arena_new() : NULL;
    if (rc == CLI_OK && !arena) rc = CLI_REJECTED;
    weld_audit_policy pol;
    memset(&pol, 0, sizeof pol);
    for (uint32_t i = 0; arena && i < nallow; i++) add(&pol.allow, &pol.nallow, allow[i]);
    for (uint32_t i = 0; arena && i < ndeny; i++) add(&pol.deny, &pol.ndeny, deny[i]);
    if (rc == CLI_OK && policy_file) {
        weld_diag d;
        weld_diag_init(&d, policy_file);
        uint8_t *text = NULL;
        size_t len = 0;
        weld_status st = weld_file_read(policy_file, &text, &len, &d);
        weld_audit_policy y;
        memset(&y, 0, sizeof y);
        if (st == WELD_OK) st = weld_audit_policy_yaml(arena, policy_file, (const char *)text, len, &y, &d);
        if (st != WELD_OK) rc = cli_report(&d, (const char *)text, len);
        for (uint32_t i = 0; rc == CLI_OK && i < y.nallow; i++) add(&pol.allow, &pol.nallow, y.allow[i]);
        for (uint32_t i = 0; rc == CLI_OK && i < y.ndeny; i++) add(&pol.deny, &pol.ndeny, y.deny[i]);
        free(text);
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
        weld_component_read_opts ro = {.skip_modules = true};
        if (weld_component_read(arena, in.data, in.len, &ro, &c, &in.diag) != WELD_OK) rc = cli_report(&in.diag, NULL, 0);
    }
    if (rc == CLI_OK) {
        weld_audit_report rep;
        if (weld_audit(arena, c, &pol, &rep, &in.diag) != WELD_OK) {
            rc = cli_report(&in.diag, NULL, 0);
        } else if (rep.nviolations) {
            fprintf(stderr, "weld audit: %s: %u of %u imports break the policy:\n", path, rep.nviolations, rep.nimports);
            for (uint32_t i = 0; i < rep.nviolations; i++) {
                const weld_audit_violation *v = &rep.violations[i];
                if (v->rule) printf("%s: denied by `%s`", v->name, v->rule);
                else printf("%s: not allowed (no --allow pattern matches)", v->name);
                for (uint32_t k = 0; k < v->npaths; k++) printf("%s%s", k ? ", " : "; needed by nested components: ", v->paths[k]);
                printf("\n");
            }
            rc = CLI_REJECTED;
        } else if (!quiet) {
            printf("%s: all %u imports conform to the policy\n", path, rep.nimports);
        }
    }
    cli_input_free(&in);
    free(allow);
    free(deny);
    free(pol.allow);
    free(pol.deny);
    weld_arena_free(arena);
    return rc;
}

const weld_cmd cmd_audit = {
    "audit", "check a component's imports against allow/deny patterns of interface names",
    "usage: weld audit COMPONENT [--deny PATTERN]... [--allow PATTERN]... [--policy FILE.yaml] [-q]\n\n"
    "Checks every import of COMPONENT (what it asks of its host) against the policy. An\n"
    "import breaks it when a --deny pattern matches its name, or when --allow patterns are\n"
    "given and none matches. Patterns are globs over names (`*` any run of characters,\n"
    "`?` one): `wasi:sockets/*`, `wasi:filesystem/*@0.2.*`; a pattern without `@` matches\n"
    "every version. Exit 1 lists each offending import (on stdout), with the nested\n"
    "components that import it; exit 0 when all conform.\n\n"
    "  --deny PATTERN   refuse imports matching PATTERN (repeatable)\n"
    "  --allow PATTERN  accept only imports matching some PATTERN (repeatable)\n"
    "  --policy FILE    a YAML mapping: `allow:` and `deny:`, each a list of patterns\n"
    "  -q, --quiet      print nothing when the component conforms\n",
    run_audit,
};
