/* run_component.c - `weld run COMPONENT --invoke 'NAME(ARGS)'`: load and instantiate a
 * component with weld's component runtime (weld/crt.h), call one exported function with
 * arguments written in WAVE (weld/wave.h) and print its result in WAVE. cmd_run.c
 * dispatches here when FILE is a component. */
#include "cli.h"
#include "run.h"
#include "weld/wasi2.h"
#include "weld/crt.h"
#include "weld/wave.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TRAP_EXIT 134 /* 128 + SIGABRT, as for core modules (and wasmtime) */
#define CLI_EXITED (-1) /* wasi:cli/exit(ok): stop the calls, exit 0 */

/* Print the exported functions (top level and of exported instances) with their types. */
static void list_exports(FILE *f, const weld_tnode *ct)
{
    char ty[1024];
    uint32_t n = 0;
    for (uint32_t i = 0; ct && i < ct->u.ext.nexports; i++) {
        const weld_textern *ex = &ct->u.ext.exports[i];
        if (ex->sort == WELD_EXT_FUNC) {
            weld_tnode_describe(ex->type, ty, sizeof ty);
            fprintf(f, "  %s: %s\n", ex->name.ptr, ty);
            n++;
        } else if (ex->sort == WELD_EXT_INSTANCE && ex->type) {
            for (uint32_t k = 0; k < ex->type->u.ext.nexports; k++) {
                const weld_textern *fx = &ex->type->u.ext.exports[k];
                if (fx->sort != WELD_EXT_FUNC) continue;
                weld_tnode_describe(fx->type, ty, sizeof ty);
                fprintf(f, "  %s#%s: %s\n", ex->name.ptr, fx->name.ptr, ty);
                n++;
            }
        }
    }
    if (!n) fprintf(f, "  (none)\n");
}

/* A diagnostic about the argument text, moved to its place in the whole --invoke text. */
static void shift_diag(weld_diag *d, const char *whole, const char *part)
{
    size_t off = (size_t)(part - whole), line_start = 0;
    uint32_t lines = 0;
    for (size_t i = 0; i < off; i++)
        if (whole[i] == '\n') lines++, line_start = i + 1;
    if (!d->line) return;
    if (d->line == 1) d->col += (uint32_t)(off - line_start);
    d->line += lines;
}

/* One --invoke call on the instance; its result printed in WAVE. Returns the exit code
 * (CLI_OK to go on). */
static int invoke_one(const char *path, weld_crt *rt, weld_crt_component *c, weld_crt_instance *inst,
                      weld_wasi2 *w2, const char *invoke, bool timing)
{
    weld_diag d, ed;
    weld_diag_init(&d, path);
    weld_diag_init(&ed, "--invoke");
    weld_str name, args;
    if (weld_wave_split_call(invoke, &name, &args, &ed)) return cli_report(&ed, invoke, strlen(invoke));
    int rc = CLI_OK;
    weld_cval *argv = NULL, res;
    uint32_t nparams = 0;
    bool have_res = false;
    memset(&res, 0, sizeof res);
    char *fname = malloc((size_t)name.len + 1);
    if (!fname) {
        fprintf(stderr, "weld run: out of memory\n");
        return CLI_REJECTED;
    }
    memcpy(fname, name.ptr, name.len);
    fname[name.len] = 0;
    weld_crt_func *f = weld_crt_instance_func(inst, fname);
    if (!f) {
        fprintf(stderr, "weld run: %s: no exported function `%s`; the component exports:\n", path, fname);
        list_exports(stderr, weld_crt_component_type(c));
        rc = CLI_REJECTED;
        goto out;
    }
    const weld_tnode *ft = weld_crt_func_type(f);
    nparams = ft->u.func.nparams;
    if (!(argv = calloc((size_t)nparams + 1, sizeof *argv))) {
        fprintf(stderr, "weld run: out of memory\n");
        rc = CLI_REJECTED;
        goto out;
    }
    if (weld_wave_parse_args(ft, args.ptr, args.len, argv, &ed)) {
        shift_diag(&ed, invoke, args.ptr);
        rc = cli_report(&ed, invoke, strlen(invoke));
        goto out;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    weld_status st = weld_crt_call(rt, f, argv, nparams, &res, &d);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    if (timing)
        fprintf(stderr, "weld run: %.3f s CPU\n",
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    uint32_t code;
    if (st == WELD_ERR_TRAP && weld_wasi2_exited(w2, &code)) { /* wasi:cli/exit */
        fflush(stdout);
        rc = code ? (int)(code & 0xff) : CLI_EXITED;
        goto out;
    }
    if (st == WELD_ERR_TRAP) {
        fflush(stdout);
        fprintf(stderr, "weld: trap: %s\n", d.message);
        fputs(weld_crt_backtrace(rt), stderr);
        rc = TRAP_EXIT;
        goto out;
    }
    if (st) {
        rc = cli_report(&d, NULL, 0);
        goto out;
    }
    if (ft->u.func.result) {
        have_res = true;
        char *s = weld_wave_print(&res, ft->u.func.result);
        if (!s) {
            fprintf(stderr, "weld run: out of memory\n");
            rc = CLI_REJECTED;
            goto out;
        }
        printf("%s\n", s);
        free(s);
    }
out:
    if (have_res) weld_cval_free(&res);
    for (uint32_t i = 0; argv && i < nparams; i++) weld_cval_free(&argv[i]);
    free(argv);
    free(fname);
    return rc;
}

int cli_run_component(const char *path, const uint8_t *data, size_t len, const char *const *invokes,
                      int ninvokes, int nextra, const cli_wasi_args *wasi, const weld_rt_limits *lim,
                      bool timing)
{
    if (ninvokes < 1) {
        fprintf(stderr, "weld run: %s is a component: give --invoke 'NAME(ARGS)' to call one of its exports\n", path);
        return CLI_USAGE;
    }
    if (nextra > 0) {
        fprintf(stderr,
                "weld run: the arguments of a component function go inside the --invoke text, in WAVE: "
                "--invoke 'NAME(ARG, ...)'\n");
        return CLI_USAGE;
    }
    /* every call's text is checked before anything is loaded */
    for (int i = 0; i < ninvokes; i++) {
        weld_diag ed;
        weld_diag_init(&ed, "--invoke");
        weld_str name, args;
        if (weld_wave_split_call(invokes[i], &name, &args, &ed))
            return cli_report(&ed, invokes[i], strlen(invokes[i]));
    }
    weld_diag d;
    weld_diag_init(&d, path);
    int rc = CLI_OK;
    weld_wasi2 *w2 = NULL;
    weld_crt *rt = weld_crt_new(lim);
    if (!rt) {
        fprintf(stderr, "weld run: out of memory\n");
        return CLI_REJECTED;
    }
    weld_crt_component *c;
    if (weld_crt_component_load(rt, data, len, &c, &d)) {
        rc = cli_report(&d, NULL, 0);
        goto out;
    }
    weld_crt_linker *l = weld_crt_linker_new(rt);
    if (!l) {
        fprintf(stderr, "weld run: out of memory\n");
        rc = CLI_REJECTED;
        goto out;
    }
    /* the WASI 0.2 host: the component's wasi:* imports, with --dir, --env and --net */
    weld_wasi2_config wc = {.argc = wasi->argc, .argv = wasi->argv, .envc = wasi->envc,
                            .envp = wasi->envp, .npreopens = wasi->ndirs, .preopens = wasi->dirs,
                            .stdin_fd = 0, .stdout_fd = 1, .stderr_fd = 2, .allow_net = wasi->net};
    if (!(w2 = weld_wasi2_new(&wc, rt, &d)) || weld_wasi2_link(w2, l, &d)) {
        rc = cli_report(&d, NULL, 0);
        goto out;
    }
    weld_crt_instance *inst;
    weld_status st = weld_crt_instantiate(rt, c, l, &inst, &d);
    if (st) {
        if (st == WELD_ERR_TRAP) {
            fprintf(stderr, "weld: trap: %s\n", d.message);
            fputs(weld_crt_backtrace(rt), stderr);
            rc = TRAP_EXIT;
        } else rc = cli_report(&d, NULL, 0);
        goto out;
    }
    /* the calls, in order, on the one instance */
    for (int i = 0; i < ninvokes && rc == CLI_OK; i++)
        rc = invoke_one(path, rt, c, inst, w2, invokes[i], timing);
    if (rc == CLI_EXITED) rc = CLI_OK;
out:
    weld_crt_free(rt);
    weld_wasi2_free(w2);
    return rc;
}
