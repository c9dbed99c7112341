/* wasi.h - a WASI preview1 (`wasi_snapshot_preview1`) host for weld's interpreter.
 *
 * A weld_wasi context holds what a WASI program sees: its arguments, its environment, its
 * file descriptors (0, 1, 2 are host file descriptors the embedder chooses; preopened
 * directories follow from 3) and, once the program called proc_exit, its exit code.
 * Nothing of the host file system is reachable except the preopened directories: every
 * path is resolved one component at a time from the directory descriptor it names, with
 * O_NOFOLLOW; `..` above that directory, absolute paths and symbolic links that would
 * leave it fail with ENOTCAPABLE (76). Symbolic links inside the directory are followed.
 *
 * Guest pointers are bounds-checked against the caller's memory 0: a buffer out of range
 * makes the call return EFAULT (21) rather than trap. The library never prints: the
 * program's output goes to the host file descriptors given in the configuration.
 *
 *   weld_wasi_config c = {.argc = argc, .argv = argv, .stdin_fd = 0, .stdout_fd = 1,
 *                         .stderr_fd = 2};
 *   weld_wasi *w = weld_wasi_new(&c, &d);
 *   weld_wasi_preopen(w, "data", "/data", &d);
 *   weld_wasi_link(w, engine, weld_rt_module_ast(m), imports, &d);  // every import
 *   ... weld_rt_instantiate, weld_rt_call of "_start" ...
 *   if (st == WELD_ERR_TRAP && weld_wasi_exited(w, &code)) exit(code);
 */
#ifndef WELD_WASI_H
#define WELD_WASI_H

#include "weld/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weld_wasi weld_wasi;

typedef struct weld_wasi_config {
    int argc;                 /* arguments the program sees (argv[0] included) */
    const char *const *argv;
    int envc;                 /* environment entries, each "NAME=VALUE" */
    const char *const *envp;
    int stdin_fd, stdout_fd, stderr_fd; /* host descriptors behind fds 0-2 (-1: none);
                                           the context never closes them */
} weld_wasi_config;

/* The name of the import module weld_wasi_link provides. */
#define WELD_WASI_MODULE "wasi_snapshot_preview1"

weld_wasi *weld_wasi_new(const weld_wasi_config *config, weld_diag *d);
/* Closes every descriptor the context opened. */
void weld_wasi_free(weld_wasi *w);

/* Grant the host directory `host_path` to the program under the name `guest_path`
 * (NULL: the same name). It becomes the next file descriptor (3, 4, ...). */
weld_status weld_wasi_preopen(weld_wasi *w, const char *host_path, const char *guest_path,
                              weld_diag *d);

/* A host function for the WASI function `name` of WELD_WASI_MODULE in engine e.
 * WELD_ERR_LINK if WASI preview1 has no such function. */
weld_status weld_wasi_func(weld_wasi *w, weld_rt_engine *e, const char *name, size_t len,
                           weld_rt_extern *out, weld_diag *d);

/* Fill imports[0..m->nimports) for module m: every import must be a function of
 * WELD_WASI_MODULE; any other import is a WELD_ERR_LINK naming its module and field. */
weld_status weld_wasi_link(weld_wasi *w, weld_rt_engine *e, const weld_module *m,
                           weld_rt_extern *imports, weld_diag *d);

/* True once the program called proc_exit (the call then ends in a WELD_ERR_TRAP whose
 * message is "wasi proc_exit"); *code receives the exit code. */
bool weld_wasi_exited(const weld_wasi *w, uint32_t *code);

#ifdef __cplusplus
}
#endif
#endif
