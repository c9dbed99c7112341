/* main.c - the weld command: dispatches to one subcommand per file in src/cli/. */
#include "cli.h"
#include <stdarg.h>
#include <string.h>

extern const weld_cmd cmd_parse, cmd_dump, cmd_print, cmd_validate, cmd_run, cmd_serve, cmd_wit, cmd_inspect, cmd_audit, cmd_targets, cmd_compose, cmd_plug, cmd_graph, cmd_embed, cmd_new, cmd_wast, cmd_version;

/* Every subcommand, in the order `weld --help` lists them. */
static const weld_cmd *const commands[] = {
    &cmd_parse,
    &cmd_dump,
    &cmd_print,
    &cmd_validate,
    &cmd_run,
    &cmd_serve,
    &cmd_wit,
    &cmd_inspect,
    &cmd_audit,
    &cmd_targets,
    &cmd_compose,
    &cmd_plug,
    &cmd_graph,
    &cmd_embed,
    &cmd_new,
    &cmd_wast,
    &cmd_version,
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static const weld_cmd *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0) return commands[i];
    return NULL;
}

static void print_overview(FILE *f)
{
    fprintf(f, "weld %s - WebAssembly components: read, write, validate, compose, run\n\n"
               "usage: weld COMMAND [ARGS...]\n\ncommands:\n",
            WELD_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "  %-10s %s\n", "help", "show help for a command (weld help COMMAND)");
    fprintf(f, "\nRun `weld help COMMAND` or `weld COMMAND --help` for a command's options.\n");
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
    }
    return 0;
}

int cli_print_help(const weld_cmd *cmd)
{
    fputs(cmd->help, stdout);
    return CLI_OK;
}

int cli_usage_error(const weld_cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "weld %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see `weld help %s`)\n", cmd->name);
    return CLI_USAGE;
}

int cli_report(const weld_diag *d, const char *src, size_t src_len)
{
    char buf[2048];
    weld_diag_format(d, buf, sizeof buf);
    fprintf(stderr, "weld: error: %s\n", buf);
    if (src && d->line) {
        /* show the source line with a caret under the span */
        const char *p = src, *end = src + src_len;
        for (uint32_t l = 1; l < d->line && p < end; p++)
            if (*p == '\n') l++;
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) e = end;
        fprintf(stderr, "%5u | %.*s\n      | ", d->line, (int)(e - p), p);
        for (uint32_t c = 1; c < d->col; c++) fputc(p + c - 1 < e && p[c - 1] == '\t' ? '\t' : ' ', stderr);
        uint32_t span = d->span ? d->span : 1;
        for (uint32_t c = 0; c < span; c++) fputc('^', stderr);
        fputc('\n', stderr);
    }
    switch (d->status) {
    case WELD_OK: return CLI_OK;
    case WELD_ERR_USAGE: return CLI_USAGE;
    default: return CLI_REJECTED;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        print_overview(stdout);
        return CLI_OK;
    }
    if (strcmp(name, "--version") == 0) name = "version";
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            print_overview(stdout);
            return CLI_OK;
        }
        const weld_cmd *cmd = find_command(argv[2]);
        if (!cmd) {
            fprintf(stderr, "weld: unknown command '%s' (see `weld --help`)\n", argv[2]);
            return CLI_USAGE;
        }
        return cli_print_help(cmd);
    }
    const weld_cmd *cmd = find_command(name);
    if (!cmd) {
        fprintf(stderr, "weld: unknown command '%s' (see `weld --help`)\n", name);
        return CLI_USAGE;
    }
    if (cli_wants_help(argc - 1, argv + 1)) return cli_print_help(cmd);
    return cmd->run(argc - 1, argv + 1);
}
