/* cli.h - what the subcommands of the weld CLI share. The CLI is a thin layer: it parses
 * arguments, calls libweld, and renders diagnostics; no logic lives here. */
#ifndef WELD_CLI_H
#define WELD_CLI_H

#include "weld/weld.h"
#include <stdio.h>

typedef struct weld_cmd {
    const char *name;
    const char *summary; /* one line for `weld --help` */
    const char *help;    /* the full text for `weld help CMD` / `weld CMD --help` */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} weld_cmd;

/* Exit codes: 0 success, 1 the input was rejected (malformed, invalid, policy), 2 usage. */
enum { CLI_OK = 0, CLI_REJECTED = 1, CLI_USAGE = 2 };

/* Print "weld: FILE: offset 0x..: message" (or file:line:col with a caret line when the
 * source text is given) to stderr. Returns the exit code for the diagnostic's status. */
int cli_report(const weld_diag *d, const char *source_text, size_t source_len);
/* Print "weld CMD: message" and the command's usage hint; returns CLI_USAGE. */
int cli_usage_error(const weld_cmd *cmd, const char *fmt, ...);
/* True when argv[i] is --help or -h. */
int cli_wants_help(int argc, char **argv);
/* Print the command's help text to stdout; returns CLI_OK. */
int cli_print_help(const weld_cmd *cmd);

#endif
