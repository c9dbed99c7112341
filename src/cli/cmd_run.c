/* cmd_run.c - `weld run FILE --invoke NAME ARGS...`: instantiate a core module (without
 * imports) and call one export with arguments parsed by its parameter types; prints each
 * result as TYPE:VALUE on a line. A trap prints its message and backtrace, exit 1. */
#include "cli.h"
#include "weld/runtime.h"
#include "weld/validate.h"
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

static int run_run(int argc, char **argv)
{
    const char *path = NULL, *invoke = NULL;
    weld_rt_limits lim = {0};
    bool timing = false;
    int first_arg = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--invoke") == 0 && i + 1 < argc) {
            invoke = argv[++i];
            first_arg = i + 1;
            break;
        } else if (strcmp(argv[i], "--fuel") == 0 && i + 1 < argc) {
            if (!parse_u64(argv[++i], &lim.fuel) || !lim.fuel)
                return cli_usage_error(self(), "--fuel takes a positive count");
        } else if (strcmp(argv[i], "--max-memory") == 0 && i + 1 < argc) {
            if (!parse_u64(argv[++i], &lim.max_memory_bytes) || !lim.max_memory_bytes)
                return cli_usage_error(self(), "--max-memory takes a byte count (K, M, G suffixes)");
        } else if (strcmp(argv[i], "--time") == 0) timing = true;
        else if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error(self(), "unknown option '%s'", argv[i]);
        else if (path) return cli_usage_error(self(), "more than one input file");
        else path = argv[i];
    }
    if (!path) return cli_usage_error(self(), "missing input file");
    if (!invoke) return cli_usage_error(self(), "missing --invoke NAME (running _start needs WASI)");
    weld_diag d;
    weld_diag_init(&d, path);
    uint8_t *data = NULL;
    size_t len = 0;
    if (weld_file_read(path, &data, &len, &d)) return cli_report(&d, NULL, 0);
    int rc = CLI_OK;
    weld_rt_engine *e = weld_rt_engine_new(&lim);
    weld_rt_module *m = NULL;
    weld_rt_instance *in = NULL;
    weld_rt_extern ex;
    if (!e) {
        fprintf(stderr, "weld run: out of memory\n");
        free(data);
        return CLI_REJECTED;
    }
    if (weld_rt_module_load(e, data, len, &m, &d) ||
        weld_rt_instantiate(e, m, NULL, weld_rt_module_ast(m)->nimports, &in, &d)) {
        rc = cli_report(&d, NULL, 0);
        if (d.status == WELD_ERR_TRAP) fputs(weld_rt_backtrace(e), stderr);
        goto out;
    }
    if (!weld_rt_instance_export(in, invoke, &ex) || ex.kind != WELD_EXTERN_FUNC) {
        fprintf(stderr, "weld run: %s: no exported function \"%s\"\n", path, invoke);
        rc = CLI_REJECTED;
        goto out;
    }
    const weld_functype *t = weld_rt_func_type(ex.u.func);
    int nargs = argc - first_arg;
    if ((uint32_t)nargs != t->nparams) {
        rc = cli_usage_error(self(), "\"%s\" takes %u argument(s), %d given", invoke, t->nparams, nargs);
        goto out;
    }
    weld_rt_val *args = calloc(t->nparams + 1, sizeof *args), *res = calloc(t->nresults + 1, sizeof *res);
    if (!args || !res) {
        free(args);
        free(res);
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
        if (st) {
            fprintf(stderr, "weld run: %s: trap: %s\n", path, d.message);
            fputs(weld_rt_backtrace(e), stderr);
            rc = CLI_REJECTED;
        } else {
            for (uint32_t i = 0; i < t->nresults; i++) print_val(&res[i]);
        }
        if (timing)
            fprintf(stderr, "weld run: %.3f s CPU\n",
                    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    }
    free(args);
    free(res);
out:
    weld_rt_engine_free(e);
    free(data);
    return rc;
}

const weld_cmd cmd_run = {
    "run", "run an exported function of a core module in the interpreter",
    "usage: weld run [--fuel N] [--max-memory BYTES] [--time] FILE --invoke NAME [ARGS...]\n\n"
    "Validates and compiles the core module FILE, instantiates it (it must have no imports)\n"
    "and calls its exported function NAME with ARGS, parsed by the parameter types (i32 and\n"
    "i64 decimal or 0x hex, floats as C floating literals, v128 as 0x and up to 32 hex\n"
    "digits: the 128-bit number whose low bits are lane 0). Prints each result as TYPE:VALUE.\n"
    "A trap prints its message and the Wasm backtrace and exits 1.\n\n"
    "  --fuel N            trap \"all fuel consumed\" rather than run more than N Wasm\n"
    "                      instructions (charged a basic block at a time, at its entry)\n"
    "  --max-memory BYTES  the largest a linear memory may grow (K, M, G suffixes)\n"
    "  --time              print the CPU time of the call to stderr\n",
    run_run,
};

static const weld_cmd *self(void) { return &cmd_run; }
