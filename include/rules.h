/* rules.h — the lint rule catalogue and the checks.
 *
 * Ids are stable forever (rules.md); a retired rule keeps its id unused.
 * Rules read the model (and facts); they never print: they queue diags. */
#ifndef PASSC_RULES_H
#define PASSC_RULES_H

#include "diag.h"
#include "facts.h"
#include "model.h"

struct ast_spec;

struct rule_info {
    const char *id;          /* "P024" */
    const char *name;        /* "group-not-viable" */
    enum severity sev;       /* default severity */
    bool needs_facts;
    const char *summary;     /* one line */
    const char *explain;     /* why it matters, how to fix, an example */
    unsigned sevs;           /* SEVS_* it may be raised with (rules_list.h) */
    enum rule_id rule;       /* R_P024 */
};

/* Every rule in catalogue order (rules_list.h), RULE_NONE not included. */
const struct rule_info *rule_catalogue(size_t *n);
const struct rule_info *rule_info_of(enum rule_id id);  /* NULL for RULE_NONE */
const struct rule_info *rule_find(const char *id);   /* id or name */

/* P005–P013: checks that need only the spec.  (P001 comes from the parser,
 * P002–P004 and slot-range P006 from resolve.) */
void rules_spec_run(const struct model *m, struct diag_list *diags);

/* Device knowledge kept as data (data/quirks.yaml). */
struct quirks;
struct quirks *quirks_load(arena *a, const char *path, struct diag_list *d);

/* P020–P033 against facts.  Only judges: what the build does about the
 * facts is plan_build()'s (plan.h). */
void rules_facts_run(const struct model *m, const struct facts *f,
                     const struct quirks *q, struct diag_list *diags);
/* P050–P059 against the host's own configuration (modprobe.d, command
 * line, VM configs; rules_hostconf.c); rules_facts_run calls it. */
void rules_hostconf_run(const struct model *m, const struct facts *f,
                        struct diag_list *diags);

/* P015: bind ids with a device whose id neither the spec nor the facts
 * (f may be NULL) know, and no host `vfio ids`. */
void rules_ids_run(const struct model *m, const struct facts *f,
                   struct diag_list *diags);

/* `# passc: ignore Pxxx "reason"`: drops matching diagnostics on the next
 * statement; an ignore that silences nothing is reported (P014). */
void rules_apply_ignores(const struct ast_spec *spec, struct diag_list *diags);

#endif
