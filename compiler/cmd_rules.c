/* cmd_rules.c — `passc rules` (the catalogue, one line per rule) and
 * `passc explain RULE` (one rule in full; id or name). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "rules.h"

int cmd_rules(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
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
    if (argc != 2) {
        fputs("usage: passc explain RULE   (an id like P024 or a name like group-not-viable)\n",
              stderr);
        return EXIT_USAGE;
    }
    const struct rule_info *r = rule_find(argv[1]);
    if (!r) {
        fprintf(stderr, "passc explain: unknown rule '%s' (passc rules lists them)\n",
                argv[1]);
        return EXIT_USAGE;
    }
    printf("%s %s (%s%s)\n%s\n\n%s", r->id, r->name, severity_name(r->sev),
           r->needs_facts ? ", needs facts" : "", r->summary, r->explain);
    return EXIT_CLEAN;
}
