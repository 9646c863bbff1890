/* cmd.h — the subcommands; main.c only dispatches.  Each returns an exit
 * code from diag.h (EXIT_*).  argv[0] is the subcommand name. */
#ifndef PASSC_CMD_H
#define PASSC_CMD_H

#include <getopt.h>
#include <stdbool.h>

#include "cmd_build.h"

int cmd_build(int argc, char **argv);    /* cmd_build.c */
int cmd_lint(int argc, char **argv);     /* cmd_build.c */
int cmd_facts(int argc, char **argv);    /* cmd_facts.c */
int cmd_import(int argc, char **argv);   /* cmd_import.c */
int cmd_init(int argc, char **argv);     /* cmd_init.c */
int cmd_fmt(int argc, char **argv);      /* cmd_import.c (shares the printer) */
int cmd_rules(int argc, char **argv);    /* cmd_rules.c */
int cmd_explain(int argc, char **argv);  /* cmd_rules.c */

/* "passc CMD: MSG ARG" and the --help hint on stderr; returns EXIT_USAGE. */
int cmd_usage_error(const char *cmd, const char *msg, const char *arg);

/* ---- the one command-line parser (cmd_util.c) ----
 * Each command lists its options as a getopt_long table; cmd_args_next
 * walks argv with it, the same way for every command: options and operands
 * in any order, "--" ends options, "--opt=value" and "--opt value" alike,
 * long options only as written in full (an abbreviation today would become
 * ambiguous, and so break, when an option is added), and every error as
 * one cmd_usage_error.  --help is main.c's (before the command runs). */

enum {
    CMD_END = 0,             /* no more arguments */
    CMD_OPERAND = 1,         /* c->arg is an operand (a spec, a VM config) */
    /* the facts source: list CMD_FACTS_OPTIONS (or a subset) in the table
     * and cmd_args_next fills c->facts_src / c->facts_arg itself */
    CMD_OPT_FACTS = 0x100,
    CMD_OPT_ROOT,
    CMD_OPT_NO_FACTS,
    CMD_OPT_LONG = 0x110,    /* first value for a command's long-only option */
};
#define CMD_FACTS_OPTION   {"facts", required_argument, NULL, CMD_OPT_FACTS}
#define CMD_ROOT_OPTION    {"root", required_argument, NULL, CMD_OPT_ROOT}
#define CMD_NO_FACTS_OPTION {"no-facts", no_argument, NULL, CMD_OPT_NO_FACTS}

struct cmd_args {
    const char *cmd;                 /* "build": for messages */
    int argc;
    char **argv;
    const struct option *longopts;   /* ends with a zero entry */
    char shortopts[32];
    const char *arg;                 /* the option's value, or the operand */
    bool rest;                       /* past "--" or the last option */
    enum facts_src facts_src;        /* FACTS_AUTO unless one was given */
    const char *facts_arg;
};

/* shortopts as for getopt ("o:f:"), without any leading '+', '-' or ':'. */
void cmd_args_init(struct cmd_args *c, int argc, char **argv,
                   const char *shortopts, const struct option *longopts);
/* The next option's value (a short option's letter or the table's val),
 * CMD_OPERAND, CMD_END, or -1 after a usage error (already reported). */
int cmd_args_next(struct cmd_args *c);

/* A Proxmox VMID given on the command line; -1 (reported) when it is not
 * a number in PVE_VMID_MIN..PVE_VMID_MAX. */
int cmd_vmid_parse(const char *cmd, const char *s, unsigned *out);

#endif
