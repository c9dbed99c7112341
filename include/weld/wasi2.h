/* wasi2.h - a WASI 0.2 host for weld's component runtime (weld/crt.h): the interfaces a
 * command component imports (wasi:cli, wasi:io, wasi:clocks, wasi:random,
 * wasi:filesystem, wasi:sockets (off unless the context allows networking); wasi:http is
 * served through weld/wasi2_http.h), defined at version 0.2.0 so that
 * every 0.2.x import binds to them (an interface imported at two patch versions binds to
 * the same host functions and resource types).
 *
 * The file system is the sandbox of the preview1 host (weld/wasi.h): only the preopened
 * directories are reachable, paths are resolved one component at a time inside the
 * descriptor they are relative to, and `..` above it, absolute paths and symbolic links
 * that would leave it fail with `not-permitted`. The library never prints or exits: the
 * program's output goes to the host descriptors of the configuration, and wasi:cli/exit
 * records the code and ends the call with a trap recognised by weld_wasi2_exited().
 *
 * wasi:sockets (tcp, udp, ip-name-lookup) uses the host's sockets when the configuration
 * sets allow_net, with the host process's reach (any address, any port it may use);
 * without it creating a socket and resolving a name fail with access-denied. Sockets are
 * non-blocking: connect, accept and receive report would-block until their pollables
 * are ready, and wasi:io/poll waits on them with the other pollables. A write to a TCP
 * output stream never blocks: what the socket cannot take waits in the stream, and
 * check-write grants nothing until it has gone (dropping the stream waits for the peer
 * up to 10 s at a time); name resolution (getaddrinfo) is synchronous.
 *
 *   weld_wasi2_config c = {.argc = argc, .argv = argv, .stdin_fd = 0, .stdout_fd = 1,
 *                          .stderr_fd = 2};
 *   weld_wasi2 *w = weld_wasi2_new(&c, rt, &d);
 *   weld_wasi2_preopen(w, "data", "/data", &d);
 *   weld_crt_linker *l = weld_crt_linker_new(rt);
 *   weld_wasi2_link(w, l, &d);
 *   weld_crt_instantiate(rt, component, l, &inst, &d);
 *   int code;  weld_wasi2_run(w, rt, inst, &code, &d);   // WELD_OK: the program ended
 *   weld_crt_free(rt); weld_wasi2_free(w);
 */
#ifndef WELD_WASI2_H
#define WELD_WASI2_H

#include "weld/crt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weld_wasi2 weld_wasi2;

typedef struct weld_wasi2_config {
    int argc;                 /* wasi:cli/environment get-arguments (argv[0] included) */
    const char *const *argv;
    int envc;                 /* get-environment, each entry "NAME=VALUE" */
    const char *const *envp;
    int npreopens;            /* directories granted, each "HOST" or "HOST::GUEST" */
    const char *const *preopens;
    int stdin_fd, stdout_fd, stderr_fd; /* host descriptors of the stdio streams (-1:
                                           none: reads end at once, writes are dropped);
                                           the context never closes them */
    bool allow_net;           /* wasi:sockets reaches the network (true) or every socket
                                 and name lookup fails with access-denied (false) */
    const char *initial_cwd;  /* initial-cwd (NULL: none) */
} weld_wasi2_config;

/* A context for the runtime rt (its resource types are made in rt and live as long). */
weld_wasi2 *weld_wasi2_new(const weld_wasi2_config *config, weld_crt *rt, weld_diag *d);
/* Closes every descriptor the context opened. Free it after the runtime (whose teardown
 * may drop handles the context implements). */
void weld_wasi2_free(weld_wasi2 *w);

/* Grant the host directory `host_path` to the program under the name `guest_path`
 * (NULL: the same name); get-directories lists them in the order granted. */
weld_status weld_wasi2_preopen(weld_wasi2 *w, const char *host_path, const char *guest_path,
                               weld_diag *d);

/* Define every function and resource type of the host in linker l (its runtime must be
 * the context's). */
weld_status weld_wasi2_link(weld_wasi2 *w, weld_crt_linker *l, weld_diag *d);

/* True once the program called wasi:cli/exit (the call then ends in a WELD_ERR_TRAP whose
 * message is "wasi exit"); *code receives the exit code. */
bool weld_wasi2_exited(const weld_wasi2 *w, uint32_t *code);

/* Run a command: call the wasi:cli/run@0.2.x `run` export of instance i. WELD_OK when
 * the program ended (returned or exited): *exit_code is 0 for ok, 1 for err, or the code
 * given to exit. A trap is WELD_ERR_TRAP with its message in d (and the frames in
 * weld_crt_backtrace(rt)); WELD_ERR_LINK when there is no run export. */
weld_status weld_wasi2_run(weld_wasi2 *w, weld_crt *rt, weld_crt_instance *i, int *exit_code,
                           weld_diag *d);

#ifdef __cplusplus
}
#endif
#endif
