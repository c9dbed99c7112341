/* run.h - the parts of `weld run` for components, shared by cmd_run.c (arguments, core
 * modules) and the files it dispatches to. */
#ifndef WELD_CLI_RUN_H
#define WELD_CLI_RUN_H

#include "weld/runtime.h"
#include <stdbool.h>

/* What the WASI hosts of `weld run` get: the program's arguments (argv[0] is FILE), its
 * environment ("NAME=VALUE"), the directories granted ("HOST" or "HOST::GUEST") and
 * whether wasi:sockets may reach the network (--net). */
typedef struct cli_wasi_args {
    int argc;
    const char *const *argv;
    int envc;
    const char *const *envp;
    int ndirs;
    const char *const *dirs;
    bool net;
} cli_wasi_args;

/* run_component.c: `weld run COMPONENT --invoke 'NAME(ARGS)' [--invoke ...]`: the calls in
 * order on one instance (WASI 0.2 imports served) */
int cli_run_component(const char *path, const uint8_t *data, size_t len, const char *const *invokes,
                      int ninvokes, int nextra, const cli_wasi_args *wasi, const weld_rt_limits *lim,
                      bool timing);

/* run_command.c: a component without --invoke runs as a WASI 0.2 command */
int cli_run_command(const char *path, const uint8_t *data, size_t len, const cli_wasi_args *wasi,
                    const weld_rt_limits *lim, bool timing);

#endif
