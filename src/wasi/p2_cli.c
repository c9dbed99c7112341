/* p2_cli.c - wasi:cli (environment, exit, stdio, terminals), wasi:clocks (monotonic and
 * wall clocks; the monotonic subscriptions are in p2_io.c with the pollables) and
 * wasi:random for the WASI 0.2 host. */
#include "wasi/p2_int.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define OOM(call) p2_trap(call, "wasi: out of memory")

/* ---- wasi:cli/environment ----------------------------------------------------------------- */

static weld_status env_get_environment(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                       weld_cval *res)
{
    weld_wasi2 *w = ctx;
    weld_cval *items = p2_items(res, (uint32_t)w->envc);
    if (!items) return OOM(call);
    for (int i = 0; i < w->envc; i++) {
        const char *e = w->envp[i], *eq = strchr(e, '=');
        size_t kl = eq ? (size_t)(eq - e) : strlen(e);
        weld_cval *kv = p2_items(&items[i], 2);
        if (!kv || !p2_str(&kv[0], e, kl) || !p2_str(&kv[1], eq ? eq + 1 : "", eq ? strlen(eq + 1) : 0))
            return OOM(call);
    }
    return WELD_OK;
}

static weld_status env_get_arguments(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                     weld_cval *res)
{
    weld_wasi2 *w = ctx;
    weld_cval *items = p2_items(res, (uint32_t)w->argc);
    if (!items) return OOM(call);
    for (int i = 0; i < w->argc; i++)
        if (!p2_str(&items[i], w->argv[i], strlen(w->argv[i]))) return OOM(call);
    return WELD_OK;
}

static weld_status env_initial_cwd(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                   weld_cval *res)
{
    weld_wasi2 *w = ctx;
    if (!w->cwd) return p2_var(res, 0, NULL) ? WELD_OK : OOM(call);
    weld_cval s;
    if (!p2_str(&s, w->cwd, strlen(w->cwd)) || !p2_var(res, 1, &s)) return OOM(call);
    return WELD_OK;
}

/* ---- wasi:cli/exit ---------------------------------------------------------------------- */

static weld_status do_exit(weld_wasi2 *w, weld_crt_host_call *call, uint32_t code)
{
    w->exited = true;
    w->exit_code = code;
    return p2_trap(call, "wasi exit");
}

static weld_status exit_exit(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return do_exit(ctx, call, a[0].u.var.tag ? 1 : 0);
}

static weld_status exit_with_code(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    return do_exit(ctx, call, (uint32_t)(a[0].u.u & 0xff));
}

/* ---- wasi:cli stdio and terminals -------------------------------------------------------- */

static weld_status stdio_stream(weld_wasi2 *w, weld_crt_host_call *call, weld_cval *res, int which)
{
    p2_kind k = which == 0 ? P2_IN : P2_OUT;
    uint32_t rep = p2_stream_new(w, k, S_PIPE, w->stdio[which], false, 0, false);
    if (!rep) return OOM(call);
    *res = p2_own(w, k, rep);
    return WELD_OK;
}
static weld_status get_stdin(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return stdio_stream(ctx, call, res, 0);
}
static weld_status get_stdout(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return stdio_stream(ctx, call, res, 1);
}
static weld_status get_stderr(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return stdio_stream(ctx, call, res, 2);
}

static weld_status terminal(weld_wasi2 *w, weld_crt_host_call *call, weld_cval *res, int which)
{
    int fd = w->stdio[which];
    if (fd < 0 || !isatty(fd)) return p2_var(res, 0, NULL) ? WELD_OK : OOM(call);
    p2_kind k = which == 0 ? P2_TIN : P2_TOUT;
    uint32_t rep = p2_new(w, k);
    weld_cval t = p2_own(w, k, rep);
    if (!rep || !p2_var(res, 1, &t)) return OOM(call);
    return WELD_OK;
}
static weld_status get_terminal_stdin(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                      weld_cval *res)
{
    return terminal(ctx, call, res, 0);
}
static weld_status get_terminal_stdout(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                       weld_cval *res)
{
    return terminal(ctx, call, res, 1);
}
static weld_status get_terminal_stderr(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                       weld_cval *res)
{
    return terminal(ctx, call, res, 2);
}

/* ---- wasi:clocks ------------------------------------------------------------------------ */

static uint64_t ns_of(clockid_t c, bool res)
{
    struct timespec t = {0, 0};
    if (res) clock_getres(c, &t);
    else clock_gettime(c, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static weld_status mono_now(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    *res = p2_u(ns_of(CLOCK_MONOTONIC, false));
    return WELD_OK;
}
static weld_status mono_resolution(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                   weld_cval *res)
{
    uint64_t r = ns_of(CLOCK_MONOTONIC, true);
    *res = p2_u(r ? r : 1);
    return WELD_OK;
}

static weld_status datetime(weld_crt_host_call *call, weld_cval *res, bool resolution)
{
    struct timespec t = {0, 0};
    if (resolution) clock_getres(CLOCK_REALTIME, &t);
    else clock_gettime(CLOCK_REALTIME, &t);
    if (resolution && t.tv_sec == 0 && t.tv_nsec == 0) t.tv_nsec = 1;
    weld_cval *f = p2_items(res, 2);
    if (!f) return OOM(call);
    f[0] = p2_u((uint64_t)t.tv_sec);
    f[1] = p2_u((uint64_t)t.tv_nsec);
    return WELD_OK;
}
static weld_status wall_now(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return datetime(call, res, false);
}
static weld_status wall_resolution(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                   weld_cval *res)
{
    return datetime(call, res, true);
}

/* ---- wasi:random -------------------------------------------------------------------------- */

static bool fill_random(void *p, size_t n)
{
    uint8_t *b = p;
    while (n) {
        ssize_t k = getrandom(b, n, 0);
        if (k < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        b += k;
        n -= (size_t)k;
    }
    return true;
}

#define MAX_RANDOM (64u << 20)

static weld_status random_bytes(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                weld_cval *res)
{
    uint64_t len = a[0].u.u;
    if (len > MAX_RANDOM) return p2_trap(call, "wasi:random: too many bytes requested");
    memset(res, 0, sizeof *res);
    if (len == 0) return WELD_OK;
    uint8_t *b = malloc((size_t)len);
    if (!b) return OOM(call);
    if (!fill_random(b, (size_t)len)) {
        free(b);
        return p2_trap(call, "wasi:random: the host has no randomness");
    }
    res->u.list.bytes = b;
    res->u.list.count = (uint32_t)len;
    return WELD_OK;
}

static weld_status random_u64(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                              weld_cval *res)
{
    uint64_t v;
    if (!fill_random(&v, sizeof v)) return p2_trap(call, "wasi:random: the host has no randomness");
    *res = p2_u(v);
    return WELD_OK;
}

static weld_status insecure_seed(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    uint64_t v[2];
    if (!fill_random(v, sizeof v)) return p2_trap(call, "wasi:random: the host has no randomness");
    weld_cval *f = p2_items(res, 2);
    if (!f) return OOM(call);
    f[0] = p2_u(v[0]);
    f[1] = p2_u(v[1]);
    return WELD_OK;
}

const p2_def p2_cli_defs[] = {
    {"wasi:cli/environment", "get-environment", env_get_environment},
    {"wasi:cli/environment", "get-arguments", env_get_arguments},
    {"wasi:cli/environment", "initial-cwd", env_initial_cwd},
    {"wasi:cli/exit", "exit", exit_exit},
    {"wasi:cli/exit", "exit-with-code", exit_with_code},
    {"wasi:cli/stdin", "get-stdin", get_stdin},
    {"wasi:cli/stdout", "get-stdout", get_stdout},
    {"wasi:cli/stderr", "get-stderr", get_stderr},
    {"wasi:cli/terminal-stdin", "get-terminal-stdin", get_terminal_stdin},
    {"wasi:cli/terminal-stdout", "get-terminal-stdout", get_terminal_stdout},
    {"wasi:cli/terminal-stderr", "get-terminal-stderr", get_terminal_stderr},
    {"wasi:clocks/monotonic-clock", "now", mono_now},
    {"wasi:clocks/monotonic-clock", "resolution", mono_resolution},
    {"wasi:clocks/wall-clock", "now", wall_now},
    {"wasi:clocks/wall-clock", "resolution", wall_resolution},
    {"wasi:random/random", "get-random-bytes", random_bytes},
    {"wasi:random/random", "get-random-u64", random_u64},
    {"wasi:random/insecure", "get-insecure-random-bytes", random_bytes},
    {"wasi:random/insecure", "get-insecure-random-u64", random_u64},
    {"wasi:random/insecure-seed", "insecure-seed", insecure_seed},
    {NULL, NULL, NULL},
};
