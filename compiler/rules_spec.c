/* SCAFFOLD: front-end owner replaces. */
#include "rules.h"
void rules_spec_run(const struct model *m, struct diag_list *diags) { (void)m; (void)diags; }
void rules_apply_ignores(const struct ast_spec *spec, struct diag_list *diags) { (void)spec; (void)diags; }
