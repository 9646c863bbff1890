/* cmd_util.c — command-line manners every subcommand shares. */
#include <stdio.h>

#include "cmd.h"
#include "diag.h"

int cmd_usage_error(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "passc %s: %s%s%s\ntry 'passc %s --help'\n", cmd, msg,
            arg ? " " : "", arg ? arg : "", cmd);
    return EXIT_USAGE;
}
