/* cmd_rules.c — `passc rules` (the catalogue, one line per rule) and
 * `passc explain RULE` (one rule in full; id or name). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "rules.h"

static const struct option no_options[] = {{NULL, 0, NULL, 0}};

/* The operands of a command that takes no options; -1 after a usage error
 * (reported).  Up to max are kept, the count is what was given. */
static int operands(int argc, char **argv, const char **v, int max)
{
    struct cmd_args c;
    cmd_args_init(&c, argc, argv, "", no_options);
    int n = 0, opt;
    while ((opt = cmd_args_next(&c)) == CMD_OPERAND)
        if (n++ < max)
            v[n - 1] = c.arg;
    return opt < 0 ? -1 : n;
}

/* Text as roff prints it literally: a backslash is \e, a line's leading
 * '.' or '\'' is no request, '-' is a minus (not a hyphen to break at). */
static void roff_text(const char *s)
{
    bool bol = true;
    for (; *s; s++) {
        if (bol && (*s == '.' || *s == '\''))
            fputs("\\&", stdout);
        if (*s == '\\')
            fputs("\\e", stdout);
        else if (*s == '-')
            fputs("\\-", stdout);
        else
            putchar(*s);
        bol = *s == '\n';
    }
}

/* `passc rules --man` (not in --help: the build's): the catalogue as the
 * roff of passc.pass(5)'s RULES section, from the same table as `passc
 * explain`, so the manual cannot drift from the tool. */
static int rules_man(void)
{
    size_t n;
    const struct rule_info *r = rule_catalogue(&n);
    for (size_t i = 0; i < n; i++) {
        printf(".TP\n.B %s ", r[i].id);
        roff_text(r[i].name);
        printf("\n(%s%s) ", severity_name(r[i].sev), r[i].needs_facts ? ", needs facts" : "");
        roff_text(r[i].summary);
        fputs("\n.RS\n.nf\n", stdout);
        roff_text(r[i].explain);
        fputs(".fi\n.RE\n", stdout);
    }
    return EXIT_CLEAN;
}

int cmd_rules(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--man"))
        return rules_man();
    const char *none[1];
    int given = operands(argc, argv, none, 0);
    if (given < 0)
        return EXIT_USAGE;
    if (given > 0) {
        fputs("passc rules: takes no arguments (passc explain RULE for one rule)\n",
              stderr);
        return EXIT_USAGE;
    }
    size_t n;
    const struct rule_info *r = rule_catalogue(&n);
    for (size_t i = 0; i < n; i++)
        printf("%s  %-20s %-8s %s%s\n", r[i].id, r[i].name,
               severity_name(r[i].sev), r[i].summary,
               r[i].needs_facts ? " (facts)" : "");
    return EXIT_CLEAN;
}

int cmd_explain(int argc, char **argv)
{
    const char *id = NULL;
    int n = operands(argc, argv, &id, 1);
    if (n < 0)
        return EXIT_USAGE;
    if (n != 1) {
        fputs("usage: passc explain RULE   (an id like P024 or a name like group-not-viable)\n",
              stderr);
        return EXIT_USAGE;
    }
    const struct rule_info *r = rule_find(id);
    if (!r) {
        fprintf(stderr, "passc explain: unknown rule '%s' (passc rules lists them)\n",
                id);
        return EXIT_USAGE;
    }
    printf("%s %s (%s%s)\n%s\n\n%s", r->id, r->name, severity_name(r->sev),
           r->needs_facts ? ", needs facts" : "", r->summary, r->explain);
    return EXIT_CLEAN;
}
