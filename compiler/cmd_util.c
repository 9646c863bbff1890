/* cmd_util.c — command-line manners every subcommand shares: one parser
 * over each command's getopt_long table, one way to say a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "pveconf.h"

int cmd_usage_error(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "passc %s: %s%s%s\ntry 'passc %s --help'\n", cmd, msg,
            arg ? " " : "", arg ? arg : "", cmd);
    return EXIT_USAGE;
}

void cmd_args_init(struct cmd_args *c, int argc, char **argv,
                   const char *shortopts, const struct option *longopts)
{
    memset(c, 0, sizeof *c);
    c->cmd = argv[0];
    c->argc = argc;
    c->argv = argv;
    c->longopts = longopts;
    /* '-': operands come back in order as CMD_OPERAND, so options may
     * follow them whatever POSIXLY_CORRECT says; ':': errors are ours */
    snprintf(c->shortopts, sizeof c->shortopts, "-:%s", shortopts);
    c->facts_src = FACTS_AUTO;
    optind = 0;  /* glibc: start over (tests parse more than once) */
    opterr = 0;
}

static bool has_facts_option(const struct cmd_args *c, int val)
{
    for (const struct option *o = c->longopts; o->name; o++)
        if (o->val == val)
            return true;
    return false;
}

/* --facts, --root and --no-facts each say where the facts come from; a
 * second one would silently override the first, so it is a usage error. */
static int set_facts_src(struct cmd_args *c, int opt)
{
    if (c->facts_src != FACTS_AUTO)
        return cmd_usage_error(c->cmd, has_facts_option(c, CMD_OPT_NO_FACTS)
                                   ? "give only one of --facts, --root, --no-facts"
                                   : "give only one of --facts, --root", NULL), -1;
    c->facts_src = opt == CMD_OPT_FACTS ? FACTS_FILE
                 : opt == CMD_OPT_ROOT ? FACTS_ROOT : FACTS_NONE;
    c->facts_arg = opt == CMD_OPT_NO_FACTS ? NULL : c->arg;
    return 0;
}

/* The argv element a long option came from: the one before its separate
 * value, else the last one getopt consumed. */
static const char *long_spelling(const struct cmd_args *c)
{
    if (c->arg && optind >= 2 && c->arg == c->argv[optind - 1])
        return c->argv[optind - 2];
    return c->argv[optind - 1];
}

int cmd_args_next(struct cmd_args *c)
{
    for (;;) {
        c->arg = NULL;
        if (c->rest) {
            if (optind >= c->argc)
                return CMD_END;
            c->arg = c->argv[optind++];
            return CMD_OPERAND;
        }
        int idx = -1;
        int opt = getopt_long(c->argc, c->argv, c->shortopts, c->longopts, &idx);
        c->arg = optarg;
        if (opt == -1) {
            c->rest = true;  /* "--": what follows are operands */
            continue;
        }
        if (opt == CMD_OPERAND)
            return CMD_OPERAND;
        const char *last = c->argv[optind - 1];
        if (opt == '?' || opt == ':') {
            bool is_long = !strncmp(last, "--", 2);
            char short_opt[3] = {'-', (char)optopt, '\0'};
            const char *what = is_long ? last : short_opt;
            if (opt == ':')
                return cmd_usage_error(c->cmd, "missing argument for", what), -1;
            if (is_long && optopt)  /* --werror=1 */
                return cmd_usage_error(c->cmd, "no value allowed in", what), -1;
            return cmd_usage_error(c->cmd, "unknown option", what), -1;
        }
        if (idx >= 0) {
            const char *w = long_spelling(c);
            if (strlen(c->longopts[idx].name) != strcspn(w + 2, "="))
                return cmd_usage_error(c->cmd, "unknown option", w), -1;  /* abbreviated */
        }
        if (opt == CMD_OPT_FACTS || opt == CMD_OPT_ROOT || opt == CMD_OPT_NO_FACTS) {
            if (set_facts_src(c, opt) < 0)
                return -1;
            continue;
        }
        return opt;
    }
}

int cmd_vmid_parse(const char *cmd, const char *s, unsigned *out)
{
    char msg[48];
    snprintf(msg, sizeof msg, "a VMID is %u..%u, not", PVE_VMID_MIN, PVE_VMID_MAX);
    /* strtoull would take " 102", "+102" and "-1" (as a huge number) */
    if (*s < '0' || *s > '9')
        return cmd_usage_error(cmd, msg, s), -1;
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (*end || !pve_vmid_valid(n))
        return cmd_usage_error(cmd, msg, s), -1;
    *out = (unsigned)n;
    return 0;
}
