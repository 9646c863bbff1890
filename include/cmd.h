/* cmd.h — the subcommands; main.c only dispatches.  Each returns an exit
 * code from diag.h (EXIT_*).  argv[0] is the subcommand name. */
#ifndef PASSC_CMD_H
#define PASSC_CMD_H

int cmd_build(int argc, char **argv);    /* driver.c */
int cmd_lint(int argc, char **argv);     /* driver.c */
int cmd_facts(int argc, char **argv);    /* cmd_facts.c */
int cmd_import(int argc, char **argv);   /* cmd_import.c */
int cmd_fmt(int argc, char **argv);      /* cmd_import.c (shares the printer) */
int cmd_rules(int argc, char **argv);    /* cmd_rules.c */
int cmd_explain(int argc, char **argv);  /* cmd_rules.c */

/* "passc CMD: MSG ARG" and the --help hint on stderr; returns EXIT_USAGE. */
int cmd_usage_error(const char *cmd, const char *msg, const char *arg);

#endif
