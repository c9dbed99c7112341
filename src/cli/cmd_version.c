/* cmd_version.c - `weld version` */
#include "cli.h"

static int run_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("weld %s\n", WELD_VERSION);
    return CLI_OK;
}

const weld_cmd cmd_version = {
    "version", "print weld's version",
    "usage: weld version\n\nPrints the version of the weld tool and library.\n",
    run_version,
};
