/* cmd_run.c - `weld run FILE [ARGS...]`: run a WASI command's _start with weld's WASI
 * preview1 host and exit with its proc_exit code; `weld run FILE --invoke NAME ARGS...`:
 * call one export with arguments parsed by its parameter types and print each result as
 * TYPE:VALUE on a line. A trap prints its message and backtrace. A component FILE goes to
 * run_component.c (`--invoke 'NAME(ARGS)'` in WAVE). */
#include "cli.h"
#include "input.h"
#include "run.h"
#include "weld/audit.h"
#include "weld/component.h"
#include "weld/runtime.h"
#include "weld/validate.h"
#include "weld/wasi.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const weld_cmd *self(void);

/* Parse a command-line argument as a value of type t. */
static bool parse_arg(const char *s, weld_valtype t, weld_rt_val *v)
{
    char *end;
    errno = 0;
    memset(v, 0, sizeof *v);
    v->type = t;
    switch (t) {
    case WELD_I32: {
        long long x = strtoll(s, &end, 0);
        if (x < INT32_MIN || x > UINT32_MAX) return false;
        v->u.i32 = (int32_t)(uint32_t)x;
        break;
    }
    case WELD_I64:
        if (s[0] == '-') v->u.i64 = strtoll(s, &end, 0);
        else v->u.i64 = (int64_t)strtoull(s, &end, 0);
        break;
    case WELD_F32: v->u.f32 = strtof(s, &end); break;
    case WELD_F64: v->u.f64 = strtod(s, &end); break;
    case WELD_V128: {
        /* 0x and up to 32 hex digits: the 128-bit number whose low bits are lane 0 */
        size_t n = strlen(s);
        if (n < 3 || n > 34 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
        for (size_t i = 2; i < n; i++) {
            int c = s[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return false;
            size_t k = n - 1 - i; /* nibble index from the low end */
            v->u.v128[k / 2] |= (uint8_t)(d << (4 * (k % 2)));
        }
        return true;
    }
    default: return false;
    }
    return *s && !*end && errno == 0;
}

static void print_val(const weld_rt_val *v)
{
    switch (v->type) {
    case WELD_I32: printf("i32:%" PRId32 "\n", v->u.i32); break;
    case WELD_I64: printf("i64:%" PRId64 "\n", v->u.i64); break;
    case WELD_F32: printf("f32:%.9g\n", (double)v->u.f32); break;
    case WELD_F64: printf("f64:%.17g\n", v->u.f64); break;
    case WELD_V128:
        printf("v128:0x");
        for (int i = 15; i >= 0; i--) printf("%02x", v->u.v128[i]);
        printf("\n");
        break;
    default: printf("%s:%s\n", weld_valtype_name(v->type), v->u.ref ? "ref" : "null"); break;
    }
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    uint64_t mul = 1;
    if (*end == 'K' || *end == 'k') mul = 1024, end++;
    else if (*end == 'M' || *end == 'm') mul = 1024 * 1024, end++;
    else if (*end == 'G' || *end == 'g') mul = 1024ull * 1024 * 1024, end++;
    if (!*s || *s == '-' || *end || errno) return false;
    *out = (uint64_t)x * mul;
    return true;
}

#define TRAP_EXIT 134 /* a trap in a WASI command: 128 + SIGABRT, as wasmtime exits */

/* --deny / --allow: a component whose imports break the policy does not run (exit 1,
 * each offending import listed, as `weld audit` lists them). */
static int cli_run_policy(const char *path, const uint8_t *data, size_t len, const weld_audit_policy *pol)
{
    weld_arena *a = weld_arena_new();
    weld_component *c;
    weld_audit_report rep;
    weld_diag d;
    weld_diag_init(&d, path);
    weld_component_read_opts ro = {.skip_modules = true};
    int rc = CLI_OK;
    if (!a) {
        fprintf(stderr, "weld run: out of memory\n");
        return CLI_REJECTED;
    }
    if (weld_component_read(a, data, len, &ro, &c, &d) || weld_audit(a, c, pol, &rep, &d)) {
        rc = cli_report(&d, NULL, 0);
    } else if (rep.nviolations) {
        fprintf(stderr, "weld run: %s: not run: %u of %u imports break the --deny/--allow policy:\n",
                path, rep.nviolations, rep.nimports);
        for (uint32_t i = 0; i < rep.nviolations; i++) {
            const weld_audit_violation *v = &rep.violations[i];
            if (v->rule) fprintf(stderr, "  %s: denied by `%s`\n", v->name, v->rule);
            else fprintf(stderr, "  %s: not allowed (no --allow pattern matches)\n", v->name);
        }
        rc = CLI_REJECTED;
    }
    weld_arena_free(a);
    return rc;
}

static int run_run(int argc, char **argv)
{
    const char *path = NULL, *invoke = NULL;
    weld_rt_limits lim = {0};
    bool timing = false, net = false;
    int first_arg = argc;
    int ndirs = 0, nenv = 0;
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs), **envs = calloc((size_t)argc + 1, sizeof *envs);
    const char **invokes = calloc((size_t)argc + 1, sizeof *invokes);
    const char **denies = calloc((size_t)argc + 1, sizeof *denies);
    const char **allows = calloc((size_t)argc + 1, sizeof *allows);
    int ninvokes = 0, ndeny = 0, nallow = 0;
    if (!dirs || !envs || !invokes || !denies || !allows) {
        free(dirs);
        free(envs);
        free(invokes);
        free(denies);
        free(allows);
        fprintf(stderr, "weld run: out of memory\n");
        return CLI_REJECTED;
    }
    int rc = CLI_OK;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--invoke") == 0 && i + 1 < argc) {
            /* the last option: ARGS follow (a component takes several --invoke calls) */
            invoke = argv[i + 1];
            do {
                invokes[ninvokes++] = argv[i + 1];
                i += 2;
            } while (i + 1 < argc && strcmp(argv[i], "--invoke") == 0);
            first_arg = i;
            break;
        } else if (strcmp(argv[i], "--") == 0) {
            first_arg = i + 1;
            break;
        } else if (strcmp(argv[i], "--fuel") == 0 && i + 1 < argc) {
            if (!parse_u64(argv[++i], &lim.fuel) || !lim.fuel) {
                rc = cli_usage_error(self(), "--fuel takes a positive count");
                goto done_args;
            }
        } else if (strcmp(argv[i], "--max-memory") == 0 && i + 1 < argc) {
            if (!parse_u64(argv[++i], &lim.max_memory_bytes) || !lim.max_memory_bytes) {
                rc = cli_usage_error(self(), "--max-memory takes a byte count (K, M, G suffixes)");
                goto done_args;
            }
        } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            dirs[ndirs++] = argv[++i];
        } else if (strcmp(argv[i], "--env") == 0 && i + 1 < argc) {
            envs[nenv++] = argv[++i];
        } else if (strcmp(argv[i], "--deny") == 0 && i + 1 < argc) {
            denies[ndeny++] = argv[++i];
        } else if (strcmp(argv[i], "--allow") == 0 && i + 1 < argc) {
            allows[nallow++] = argv[++i];
        } else if (strcmp(argv[i], "--net") == 0) net = true;
        else if (strcmp(argv[i], "--time") == 0) timing = true;
        else if (argv[i][0] == '-' && argv[i][1]) {
            rc = cli_usage_error(self(), "unknown option '%s'", argv[i]);
            goto done_args;
        } else if (path) { /* the program's arguments start here */
            first_arg = i;
            break;
        } else path = argv[i];
    }
    if (!path) rc = cli_usage_error(self(), "missing input file");
done_args:
    if (rc) {
        free(dirs);
        free(envs);
        free(invokes);
        free(denies);
        free(allows);
        return rc;
    }
    weld_diag d;
    weld_diag_init(&d, path);
    uint8_t *data = NULL;
    size_t len = 0;
    int lrc = cli_read_input(path, &data, &len, &d);
    if (lrc) {
        free(dirs);
        free(envs);
        free(invokes);
        free(denies);
        free(allows);
        return lrc;
    }
    /* The WASI program sees FILE as argv[0], then the arguments after FILE or "--";
     * --env NAME=VALUE sets a variable, --env NAME passes the host's value of NAME. */
    int gargc = invoke ? 1 : 1 + (argc - first_arg);
    const char **gargv = calloc((size_t)gargc + 1, sizeof *gargv);
    char **genv = calloc((size_t)nenv + 1, sizeof *genv);
    weld_rt_engine *e = weld_rt_engine_new(&lim);
    weld_wasi *w = NULL;
    weld_rt_module *m = NULL;
    weld_rt_instance *in = NULL;
    weld_rt_extern ex, *imports = NULL;
    weld_rt_val *args = NULL, *res = NULL;
    if (!e || !gargv || !genv) {
        fprintf(stderr, "weld run: out of memory\n");
        rc = CLI_REJECTED;
        goto out;
    }
    gargv[0] = path;
    for (int i = 1; i < gargc; i++) gargv[i] = argv[first_arg + i - 1];
    for (int i = 0; i < nenv; i++) {
        const char *v = strchr(envs[i], '=') ? NULL : getenv(envs[i]);
        if (!strchr(envs[i], '=') && !v) {
            rc = cli_usage_error(self(), "--env %s: no such variable in the environment (give NAME=VALUE)", envs[i]);
            goto out;
        }
        size_t l = strlen(envs[i]) + (v ? strlen(v) + 2 : 1);
        if (!(genv[i] = malloc(l))) {
            rc = CLI_REJECTED;
            goto out;
        }
        snprintf(genv[i], l, v ? "%s=%s" : "%s", envs[i], v);
    }
    if (ninvokes > 1 && !weld_is_component(data, len)) {
        rc = cli_usage_error(self(), "several --invoke calls are for components; a core module takes one --invoke NAME ARGS...");
        goto out;
    }
    if (net && !weld_is_component(data, len)) {
        rc = cli_usage_error(self(), "--net serves wasi:sockets (WASI 0.2) to components; %s is a core module", path);
        goto out;
    }
    if ((ndeny || nallow) && !weld_is_component(data, len)) {
        rc = cli_usage_error(self(), "--deny and --allow judge a component's imports; %s is a core module", path);
        goto out;
    }
    if (weld_is_component(data, len) && (ndeny || nallow)) {
        weld_audit_policy pol = {(uint32_t)nallow, (uint32_t)ndeny, allows, denies};
        if ((rc = cli_run_policy(path, data, len, &pol))) goto out;
    }
    if (weld_is_component(data, len)) {
        cli_wasi_args wa = {gargc, gargv, nenv, (const char *const *)genv, ndirs, dirs, net};
        rc = invoke ? cli_run_component(path, data, len, invokes, ninvokes, argc - first_arg, &wa, &lim,
                                        timing)
                    : cli_run_command(path, data, len, &wa, &lim, timing);
        goto out;
    }
    weld_wasi_config wc = {gargc, gargv, nenv, (const char *const *)genv, 0, 1, 2};
    if (!(w = weld_wasi_new(&wc, &d))) {
        rc = cli_report(&d, NULL, 0);
        goto out;
    }
    for (int i = 0; i < ndirs; i++) {
        const char *sep = strstr(dirs[i], "::");
        char host[4096];
        snprintf(host, sizeof host, "%.*s", sep ? (int)(sep - dirs[i]) : (int)strlen(dirs[i]), dirs[i]);
        weld_diag dd;
        weld_diag_init(&dd, NULL);
        if (weld_wasi_preopen(w, host, sep ? sep + 2 : host, &dd)) {
            rc = cli_usage_error(self(), "--dir %s: %s", dirs[i], dd.message);
            goto out;
        }
    }
    if (weld_rt_module_load(e, data, len, &m, &d)) {
        rc = cli_report(&d, NULL, 0);
        goto out;
    }
    const weld_module *ast = weld_rt_module_ast(m);
    imports = calloc(ast->nimports + 1, sizeof *imports);
    if (!imports) {
        rc = CLI_REJECTED;
        goto out;
    }
    if (weld_wasi_link(w, e, ast, imports, &d) || weld_rt_instantiate(e, m, imports, ast->nimports, &in, &d)) {
        rc = cli_report(&d, NULL, 0);
        if (d.status == WELD_ERR_TRAP) fputs(weld_rt_backtrace(e), stderr);
        goto out;
    }
    const char *name = invoke ? invoke : "_start";
    if (!weld_rt_instance_export(in, name, &ex) || ex.kind != WELD_EXTERN_FUNC) {
        fprintf(stderr, "weld run: %s: no exported function \"%s\"%s\n", path, name,
                invoke ? "" : " (give --invoke NAME to call another export)");
        rc = CLI_REJECTED;
        goto out;
    }
    const weld_functype *t = weld_rt_func_type(ex.u.func);
    int nargs = invoke ? argc - first_arg : 0;
    if ((uint32_t)nargs != t->nparams) {
        rc = cli_usage_error(self(), "\"%s\" takes %u argument(s), %d given", name, t->nparams, nargs);
        goto out;
    }
    args = calloc(t->nparams + 1, sizeof *args);
    res = calloc(t->nresults + 1, sizeof *res);
    if (!args || !res) {
        rc = CLI_REJECTED;
        goto out;
    }
    for (uint32_t i = 0; i < t->nparams && rc == CLI_OK; i++)
        if (!parse_arg(argv[first_arg + (int)i], t->params[i], &args[i]))
            rc = cli_usage_error(self(), "argument %u: '%s' is not a valid %s", i + 1, argv[first_arg + (int)i],
                                 weld_valtype_name(t->params[i]));
    if (rc == CLI_OK) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
        weld_status st = weld_rt_call(e, ex.u.func, args, t->nparams, res, t->nresults, &d);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
        uint32_t code;
        if (st == WELD_ERR_TRAP && weld_wasi_exited(w, &code)) {
            rc = (int)(code & 0xff);
        } else if (st) {
            /* a trap, or an exception no handler caught ("uncaught exception: tag ...") */
            fprintf(stderr, "weld run: %s: %s%s\n", path, st == WELD_ERR_EXCEPTION ? "" : "trap: ", d.message);
            fputs(weld_rt_backtrace(e), stderr);
            rc = invoke ? CLI_REJECTED : TRAP_EXIT;
        } else {
            for (uint32_t i = 0; i < t->nresults; i++) print_val(&res[i]);
        }
        if (timing)
            fprintf(stderr, "weld run: %.3f s CPU\n",
                    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    }
out:
    free(args);
    free(res);
    free(imports);
    weld_wasi_free(w);
    weld_rt_engine_free(e);
    for (int i = 0; genv && i < nenv; i++) free(genv[i]);
    free(genv);
    free(gargv);
    free(dirs);
    free(envs);
    free(invokes);
    free(denies);
    free(allows);
    free(data);
    return rc;
}

const weld_cmd cmd_run = {
    "run", "run a WASI command (_start), or call an export of a core module or component",
    "usage: weld run [OPTIONS] FILE [ARGS...]\n"
    "       weld run [OPTIONS] FILE --invoke NAME [ARGS...]\n"
    "       weld run [OPTIONS] COMPONENT --invoke 'NAME(ARGS)'\n\n"
    "Validates and compiles the core module FILE, links its wasi_snapshot_preview1 imports\n"
    "to weld's WASI host (any other import is a link error naming it) and instantiates it.\n"
    "Without --invoke it calls \"_start\" with ARGS as the program's arguments (FILE is\n"
    "argv[0]; put \"--\" before ARGS that start with '-') and exits with the program's\n"
    "proc_exit code (0 when _start returns); a trap prints its message and the Wasm\n"
    "backtrace and exits 134. With --invoke it calls the export NAME with ARGS parsed by\n"
    "its parameter types (i32 and i64 decimal or 0x hex, floats as C floating literals,\n"
    "v128 as 0x and up to 32 hex digits: the 128-bit number whose low bits are lane 0),\n"
    "prints each result as TYPE:VALUE and exits 1 on a trap.\n\n"
    "When FILE is a component, --invoke takes one call written in WAVE, the WebAssembly\n"
    "Value Encoding (https://github.com/bytecodealliance/wasm-tools/tree/main/crates/wasm-wave);\n"
    "--invoke may be given several times: the calls run in order on one instance, each\n"
    "result on its own line:\n"
    "  weld run greet.wasm --invoke 'greet(\"world\")'\n"
    "  weld run c.wasm --invoke 'ns:pkg/iface@1.0.0#lookup({id: 7, tags: [\"a\"]}, some(3))'\n"
    "NAME is a top-level export or INSTANCE#FUNC of an exported instance; a bare NAME calls\n"
    "with no arguments. The arguments are parsed against the function's parameter types\n"
    "(trailing option arguments may be left out) and the result is printed in WAVE on one\n"
    "line (nothing when the function has no result). Values: true, 42, -1.5, nan, 'c',\n"
    "\"str\\n\", [1, 2], (1, \"x\"), {field: 1}, case(payload), some(x), none, ok(x), err(e),\n"
    "{flag-a, flag-b}; a % before a case named like a keyword (%none). Resource handles are\n"
    "printed as #NAME<REP> and cannot be passed. A bad argument or an unknown function\n"
    "(the exported functions are listed) exits 1; a trap prints \"weld: trap: MESSAGE\" and\n"
    "the backtrace and exits 134. Its wasi:* imports are served by weld's WASI 0.2 host (with\n"
    "--dir and --env); any other import missing fails before anything runs, listing them.\n\n"
    "  --dir HOST[::GUEST]  grant the host directory HOST to the program as GUEST (default\n"
    "                       HOST); nothing else of the file system is reachable\n"
    "  --env NAME=VALUE     set an environment variable (--env NAME: the host's value)\n"
    "  --net                (components) let wasi:sockets reach the network: TCP, UDP and\n"
    "                       name lookup on the host's interfaces, as the host user; without\n"
    "                       it every socket and lookup fails with access-denied\n"
    "  --fuel N             trap \"all fuel consumed\" rather than run more than N Wasm\n"
    "                       instructions (charged a basic block at a time, at its entry)\n"
    "  --max-memory BYTES   the largest a linear memory may grow (K, M, G suffixes)\n"
    "  --time               print the CPU time of the call to stderr\n"
    "  --deny PATTERN       (components) refuse to run when an import matches PATTERN, a\n"
    "                       glob over interface names as `weld audit` takes them\n"
    "                       ('wasi:sockets/*', 'wasi:filesystem/*@0.2.*'); repeatable\n"
    "  --allow PATTERN      (components) refuse to run when an import matches no --allow\n"
    "                       pattern; repeatable\n\n"
    "A component FILE without --invoke runs as a WASI 0.2 command: its imports are bound to\n"
    "weld's WASI 0.2 host (wasi:cli, io, clocks, random, filesystem, sockets with --net;\n"
    "any 0.2.x version; a missing import is reported before anything runs), its\n"
    "wasi:cli/run export is called, and weld exits 0 when it returns ok, 1 for err, or the\n"
    "code given to wasi:cli/exit.\n",
    run_run,
};

static const weld_cmd *self(void) { return &cmd_run; }
