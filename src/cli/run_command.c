/* run_command.c - `weld run COMPONENT [ARGS...]` for a component without --invoke: run a
 * WASI 0.2 command (its wasi:cli/run export) with weld's WASI 0.2 host (weld/wasi2.h) and
 * exit with the program's code. cmd_run.c parses the options and calls cli_run_command. */
#include "cli.h"
#include "run.h"
#include "weld/crt.h"
#include "weld/wasi2.h"
#include <string.h>
#include <time.h>

#define TRAP_EXIT 134 /* a trap in a WASI command: 128 + SIGABRT, as wasmtime exits */

extern const weld_cmd cmd_run;

/* Whether the component type exports the instance wasi:cli/run (at some version). */
static bool exports_run(const weld_tnode *ct)
{
    static const char name[] = "wasi:cli/run";
    size_t n = sizeof name - 1;
    for (uint32_t i = 0; ct && i < ct->u.ext.nexports; i++) {
        const weld_textern *ex = &ct->u.ext.exports[i];
        if (ex->sort == WELD_EXT_INSTANCE && ex->name.len >= n && !memcmp(ex->name.ptr, name, n) &&
            (ex->name.len == n || ex->name.ptr[n] == '@'))
            return true;
    }
    return false;
}

int cli_run_command(const char *path, const uint8_t *data, size_t len, const cli_wasi_args *wasi,
                    const weld_rt_limits *lim, bool timing)
{
    int ndirs = wasi->ndirs;
    const char *const *dirs = wasi->dirs;
    weld_diag d;
    weld_diag_init(&d, path);
    weld_crt *rt = weld_crt_new(lim);
    if (!rt) {
        fprintf(stderr, "weld run: out of memory\n");
        return CLI_REJECTED;
    }
    int rc = CLI_OK;
    weld_wasi2 *w = NULL;
    weld_crt_component *c;
    weld_crt_instance *in;
    weld_crt_linker *l;
    if (weld_crt_component_load(rt, data, len, &c, &d)) {
        rc = cli_report(&d, NULL, 0);
        goto out;
    }
    if (!exports_run(weld_crt_component_type(c))) {
        fprintf(stderr,
                "weld run: %s is a component without a wasi:cli/run export (not a WASI command): give "
                "--invoke 'NAME(ARGS)' to call one of its exports\n",
                path);
        rc = CLI_USAGE;
        goto out;
    }
    weld_wasi2_config wc = {.argc = wasi->argc, .argv = wasi->argv, .envc = wasi->envc, .envp = wasi->envp,
                            .stdin_fd = 0, .stdout_fd = 1, .stderr_fd = 2, .allow_net = wasi->net};
    if (!(w = weld_wasi2_new(&wc, rt, &d))) {
        rc = cli_report(&d, NULL, 0);
        goto out;
    }
    for (int i = 0; i < ndirs; i++) {
        const char *sep = strstr(dirs[i], "::");
        char host[4096];
        snprintf(host, sizeof host, "%.*s", sep ? (int)(sep - dirs[i]) : (int)strlen(dirs[i]), dirs[i]);
        weld_diag dd;
        weld_diag_init(&dd, NULL);
        if (weld_wasi2_preopen(w, host, sep ? sep + 2 : host, &dd)) {
            rc = cli_usage_error(&cmd_run, "--dir %s: %s", dirs[i], dd.message);
            goto out;
        }
    }
    if (!(l = weld_crt_linker_new(rt)) || weld_wasi2_link(w, l, &d) || weld_crt_instantiate(rt, c, l, &in, &d)) {
        if (!l) fprintf(stderr, "weld run: out of memory\n");
        else if (d.status == WELD_ERR_TRAP) {
            fprintf(stderr, "weld run: %s: trap: %s\n", path, d.message);
            fputs(weld_crt_backtrace(rt), stderr);
            rc = TRAP_EXIT;
            goto out;
        }
        rc = l ? cli_report(&d, NULL, 0) : CLI_REJECTED;
        goto out;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    int code = 0;
    weld_status st = weld_wasi2_run(w, rt, in, &code, &d);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    fflush(stdout);
    if (st == WELD_ERR_TRAP) {
        fprintf(stderr, "weld run: %s: trap: %s\n", path, d.message);
        fputs(weld_crt_backtrace(rt), stderr);
        rc = TRAP_EXIT;
    } else if (st) {
        rc = cli_report(&d, NULL, 0);
        if (st == WELD_ERR_LINK)
            fprintf(stderr, "  (to call one of its functions, give --invoke 'NAME(ARGS)')\n");
    } else {
        rc = code & 0xff;
    }
    if (timing)
        fprintf(stderr, "weld run: %.3f s CPU\n",
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
out:
    weld_crt_free(rt); /* first: its teardown may drop host handles of w */
    weld_wasi2_free(w);
    return rc;
}
