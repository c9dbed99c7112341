/* spec_runner.c - runs the WebAssembly spec testsuite's commands that need no interpreter.
 *
 * usage: spec_runner [-v] [--proposals[=FEATURE,...]] [--exec] FILE.json...
 *
 * By default the validator applies the Wasm 2.0 rules only (the top-level suite tests
 * Wasm 2.0); --proposals enables every feature for the proposals' suites, or only the
 * listed ones (multi-memory, extended-const), for suites written before the others.
 * --exec runs a proposal's suite with the interpreter (relaxed-simd, multi-memory,
 * memory64, tail-call, extended-const, exception-handling: the proposals the interpreter
 * executes).
 *
 * Each FILE.json is what wast2json wrote for one .wast file (the binary modules it names sit
 * beside it). Commands run here:
 *   module                    the binary must decode and validate
 *   assert_invalid            must decode, then fail validation with the expected message
 *   assert_malformed (binary) must fail decoding or validation
 *   assert_unlinkable, assert_uninstantiable
 *                             the module must decode and validate (linking and
 *                             instantiation need the interpreter)
 *   register                  the registered module must have loaded
 * With the interpreter (spec_exec.c), modules are also instantiated (imports from the
 * `spectest` host module and registered instances), assert_unlinkable/uninstantiable must
 * fail linking/instantiation, and action, assert_return, assert_trap, assert_exhaustion
 * and assert_exception (the call must end with an uncaught exception, not a trap) run. Execution is off for the proposals' suites without --exec (the interpreter does
 * not implement their features): their execution commands are counted per file and
 * reported as one TAP SKIP line "not run";
 * text-form assert_malformed commands do not apply to a binary tool and are reported the
 * same way. Output: TAP lines, and per file a line "# NAME.wast: N passed, M failed".
 */
#include "weld/module.h"
#include "weld/validate.h"
#include "spec_exec.h"
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Commands whose binary, as wast2json writes it, no longer carries what the command tests.
 * They are reported as visible TAP SKIP lines with the reason, never silently. */
static const struct {
    const char *file;
    long line;
    const char *reason;
} not_applicable_cmds[] = {
    {"select.wast", 324, "wast2json encodes `select (result)` as the untyped select 0x1b, so "
                         "the binary is the valid-shaped select.1 case, not an arity-0 select"},
};

static const char *why_not_applicable(const char *file, long line)
{
    for (size_t i = 0; i < sizeof not_applicable_cmds / sizeof not_applicable_cmds[0]; i++)
        if (not_applicable_cmds[i].line == line && strcmp(not_applicable_cmds[i].file, file) == 0)
            return not_applicable_cmds[i].reason;
    return NULL;
}

typedef struct runner {
    weld_validator *v;
    bool verbose;
    bool proposals;             /* name files "PROPOSAL/NAME.wast" */
    bool exec;                  /* run a proposal's suite with the interpreter */
    unsigned tap;               /* TAP test number */
    unsigned passed, failed;    /* of the current file */
    unsigned total_passed, total_failed, total_not_run, total_na;
} runner;

/* Decode and validate the binary at path; the status, with d filled on failure. */
static weld_status load(runner *r, const char *path, weld_diag *d)
{
    uint8_t *data = NULL;
    size_t len = 0;
    weld_diag_init(d, path);
    weld_status st = weld_file_read(path, &data, &len, d);
    if (st) return st;
    weld_arena *arena = weld_arena_new();
    weld_module *m = NULL;
    weld_read_opts opts = {.skip_bodies = true};
    st = weld_module_read(arena, data, len, &opts, &m, d);
    if (!st) st = weld_validator_run(r->v, m, NULL, d);
    weld_arena_free(arena);
    free(data);
    return st;
}

/* Does the message contain the expected text, ignoring case and a trailing index? The
 * exception-handling proposal's reference interpreter spells type errors out with the
 * stacks ("type mismatch: instruction requires [i32] but stack has []"), weld its own
 * way: for those only "type mismatch" must match. */
static bool message_matches(const char *msg, const char *expected)
{
    char want[256], got[1100];
    if (strncmp(expected, "type mismatch: ", 15) == 0 && strstr(expected, " but stack has ["))
        expected = "type mismatch";
    size_t n = strlen(expected);
    if (n >= sizeof want) n = sizeof want - 1;
    while (n && (isdigit((unsigned char)expected[n - 1]) || expected[n - 1] == ' ')) n--;
    for (size_t i = 0; i < n; i++) want[i] = (char)tolower((unsigned char)expected[i]);
    want[n] = 0;
    size_t k = 0;
    for (; msg[k] && k < sizeof got - 1; k++) got[k] = (char)tolower((unsigned char)msg[k]);
    got[k] = 0;
    return strstr(got, want) != NULL;
}

static void result(runner *r, bool ok, const char *file, long line, const char *what,
                   const char *detail)
{
    r->tap++;
    if (ok) r->passed++;
    else r->failed++;
    if (ok && !r->verbose) {
        printf("ok %u - %s:%ld %s\n", r->tap, file, line, what);
        return;
    }
    printf("%s %u - %s:%ld %s\n", ok ? "ok" : "not ok", r->tap, file, line, what);
    if (detail && *detail) printf("# %s\n", detail);
}

static void run_file(runner *r, const char *json_path)
{
    json_error_t err;
    json_t *root = json_load_file(json_path, JSON_ALLOW_NUL, &err);
    const char *slash = strrchr(json_path, '/');
    size_t dirlen = slash ? (size_t)(slash - json_path + 1) : 0;
    char name[256];
    snprintf(name, sizeof name, "%s", slash ? slash + 1 : json_path);
    char *dot = strstr(name, ".json");
    if (dot) strcpy(dot, ".wast");
    if (r->proposals && slash) {
        /* .../PROPOSAL/NAME/NAME.json: prefix the proposal's directory name */
        const char *p = slash, *q = NULL;
        int seen = 0;
        while (p > json_path && seen < 2) {
            p--;
            if (*p == '/') {
                seen++;
                if (seen == 1) q = p;
            }
        }
        if (seen == 2 && q) {
            char pre[128];
            snprintf(pre, sizeof pre, "%.*s", (int)(q - p - 1), p + 1);
            char *slash2 = strchr(pre, '/');
            if (slash2) *slash2 = 0;
            char full[400];
            snprintf(full, sizeof full, "%s/%s", pre, name);
            snprintf(name, sizeof name, "%.255s", full);
        }
    }
    r->passed = r->failed = 0;
    spec_exec *x = NULL;
    if (!r->proposals || r->exec) x = spec_exec_new();
    if (!root) {
        result(r, false, name, 0, "read the wast2json output", err.text);
        printf("# %s: %u passed, %u failed\n", name, r->passed, r->failed);
        spec_exec_free(x);
        return;
    }
    unsigned not_run = 0, not_applicable = 0, msg_differs = 0;
    bool last_ok = false;
    json_t *cmds = json_object_get(root, "commands");
    size_t i;
    json_t *c;
    json_array_foreach(cmds, i, c) {
        const char *type = json_string_value(json_object_get(c, "type"));
        const char *file = json_string_value(json_object_get(c, "filename"));
        const char *mtype = json_string_value(json_object_get(c, "module_type"));
        const char *text = json_string_value(json_object_get(c, "text"));
        long line = (long)json_integer_value(json_object_get(c, "line"));
        if (!type) continue;
        const char *why = why_not_applicable(name, line);
        if (why) {
            r->tap++;
            printf("ok %u - %s:%ld %s # SKIP %s\n", r->tap, name, line, type, why);
            not_applicable++;
            continue;
        }
        char path[4096], what[512];
        if (file) snprintf(path, sizeof path, "%.*s%s", (int)dirlen, json_path, file);
        bool binary = !mtype || strcmp(mtype, "binary") == 0;
        weld_diag d;
        char detail[1400];
        if (strcmp(type, "module") == 0) {
            if (!file || !binary) { not_applicable++; continue; }
            weld_status st = load(r, path, &d);
            if (!st && x)
                st = spec_exec_module(x, path, json_string_value(json_object_get(c, "name")), &d);
            last_ok = st == WELD_OK;
            snprintf(detail, sizeof detail, "%s: %s", weld_status_name(st), d.message);
            snprintf(what, sizeof what, "module %s decodes and validates%s", file,
                     x ? ", and instantiates" : "");
            result(r, last_ok, name, line, what, last_ok ? NULL : detail);
        } else if (strcmp(type, "assert_invalid") == 0 || strcmp(type, "assert_malformed") == 0) {
            bool invalid = type[7] == 'i';
            if (!file || !binary) { not_applicable++; continue; }
            weld_status st = load(r, path, &d);
            bool ok;
            if (invalid) {
                ok = st == WELD_ERR_INVALID && message_matches(d.message, text ? text : "");
                snprintf(detail, sizeof detail, "expected invalid \"%s\", got %s%s%s",
                         text ? text : "", weld_status_name(st), st ? ": " : "", st ? d.message : "");
            } else {
                ok = st == WELD_ERR_MALFORMED || st == WELD_ERR_INVALID;
                if (ok && !message_matches(d.message, text ? text : "")) msg_differs++;
                snprintf(detail, sizeof detail, "expected malformed \"%s\", got %s%s%s",
                         text ? text : "", weld_status_name(st), st ? ": " : "", st ? d.message : "");
            }
            snprintf(what, sizeof what, "%s %s (%s)", type, file, text ? text : "");
            result(r, ok, name, line, what, ok ? NULL : detail);
        } else if (strcmp(type, "assert_unlinkable") == 0 ||
                   strcmp(type, "assert_uninstantiable") == 0) {
            if (!file || !binary) { not_applicable++; continue; }
            weld_status st = load(r, path, &d);
            bool ok = st == WELD_OK;
            if (ok && x) {
                bool link = strcmp(type, "assert_unlinkable") == 0;
                const char *text = json_string_value(json_object_get(c, "text"));
                st = spec_exec_module(x, path, NULL, &d);
                ok = st == (link ? WELD_ERR_LINK : WELD_ERR_TRAP) &&
                     (link || message_matches(d.message, text ? text : ""));
                snprintf(detail, sizeof detail, "expected %s \"%s\", got %s%s%s",
                         link ? "a link error" : "a trap", text ? text : "",
                         st ? weld_status_name(st) : "success", st ? ": " : "", st ? d.message : "");
                snprintf(what, sizeof what, "%s %s (%s)", type, file, text ? text : "");
            } else {
                snprintf(detail, sizeof detail, "%s: %s", weld_status_name(st), d.message);
                snprintf(what, sizeof what, "%s %s validates (linking needs the interpreter)", type, file);
            }
            result(r, ok, name, line, what, ok ? NULL : detail);
        } else if (strcmp(type, "register") == 0) {
            snprintf(what, sizeof what, "register \"%s\" of a loaded module",
                     json_string_value(json_object_get(c, "as")));
            bool ok = last_ok;
            if (ok && x)
                ok = spec_exec_register(x, json_string_value(json_object_get(c, "name")),
                                        json_string_value(json_object_get(c, "as")));
            result(r, ok, name, line, what, ok ? NULL : "the module did not load");
        } else if (x) {
            char d2[1400];
            json_t *act = json_object_get(c, "action");
            bool ok = spec_exec_command(x, c, type, d2, sizeof d2);
            snprintf(what, sizeof what, "%s %s", type,
                     json_string_value(json_object_get(act, "field")) ? json_string_value(json_object_get(act, "field")) : "");
            result(r, ok, name, line, what, ok ? NULL : d2);
        } else {
            not_run++; /* assert_return, assert_trap, assert_exhaustion, assert_exception, action */
        }
    }
    if (not_run) {
        r->tap++;
        printf("ok %u - %s: %u commands # SKIP not run: execution is off for this suite "
               "(stands for %u check%s)\n", r->tap, name, not_run, not_run, not_run == 1 ? "" : "s");
    }
    if (not_applicable) {
        r->tap++;
        printf("ok %u - %s: %u text-form commands # SKIP not applicable to a binary tool "
               "(stands for %u check%s)\n", r->tap, name, not_applicable, not_applicable,
               not_applicable == 1 ? "" : "s");
    }
    printf("# %s: %u passed, %u failed", name, r->passed, r->failed);
    if (not_run) printf(", %u not run (execution off for this suite)", not_run);
    if (not_applicable) printf(", %u text-form not applicable", not_applicable);
    if (msg_differs) printf(", %u malformed with another message", msg_differs);
    printf("\n");
    r->total_passed += r->passed;
    r->total_failed += r->failed;
    r->total_not_run += not_run;
    r->total_na += not_applicable;
    spec_exec_free(x);
    json_decref(root);
}

int main(int argc, char **argv)
{
    runner r = {0};
    r.v = weld_validator_new();
    if (!r.v) return 2;
    unsigned features = WELD_VALID_WASM2;
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strcmp(argv[first], "-v") == 0) r.verbose = true;
        else if (strcmp(argv[first], "--exec") == 0) r.exec = true;
        else if (strncmp(argv[first], "--proposals", 11) == 0) {
            /* --proposals[=multi-memory,extended-const,exceptions]: the named features
             * (default all) */
            r.proposals = true;
            const char *list = argv[first][11] == '=' ? argv[first] + 12 : NULL;
            features = list ? 0 : WELD_VALID_ALL;
            if (list && strstr(list, "multi-memory")) features |= WELD_VALID_MULTI_MEMORY;
            if (list && strstr(list, "extended-const")) features |= WELD_VALID_EXTENDED_CONST;
            if (list && strstr(list, "exceptions")) features |= WELD_VALID_EXCEPTIONS;
        }
        else {
            fprintf(stderr, "spec_runner: unknown option %s\n", argv[first]);
            return 2;
        }
    }
    weld_validator_set_features(r.v, features);
    for (int i = first; i < argc; i++) run_file(&r, argv[i]);
    printf("# total: %u passed, %u failed, %u not run (execution off), %u text-form not applicable\n",
           r.total_passed, r.total_failed, r.total_not_run, r.total_na);
    printf("1..%u\n", r.tap);
    weld_validator_free(r.v);
    return r.total_failed ? 1 : 0;
}
