/* fe_test.h — helpers shared by the front-end suites: run the spec-only
 * pipeline on text and look at the diagnostics it queued. */
#ifndef PASSC_FE_TEST_H
#define PASSC_FE_TEST_H

#include <string.h>

#include "ast.h"
#include "diag.h"
#include "model.h"
#include "rules.h"
#include "source.h"
#include "test_util.h"

struct fe_run {
    arena *a;
    struct source *src;
    struct diag_list d;
    struct ast_spec *ast;
    struct model *m;
};

/* parse -> resolve -> spec rules -> ignores, as driver.c does without facts.
 * stages: 1 parse only, 2 + resolve, 3 + rules and ignores. */
static inline void fe_run_text(struct fe_run *r, const char *text, size_t len,
                               int stages)
{
    memset(r, 0, sizeof *r);
    r->a = arena_new();
    diag_init(&r->d, r->a);
    r->src = source_from_text(r->a, "t.pass", text, len);
    r->ast = parse_spec(r->a, r->src, &r->d);
    if (stages >= 2 && r->ast)
        r->m = resolve_spec(r->a, r->ast, &r->d);
    if (stages >= 3 && r->m) {
        rules_spec_run(r->m, &r->d);
        rules_apply_ignores(r->ast, &r->d);
    }
    diag_sort(&r->d);
}

static inline void fe_run(struct fe_run *r, const char *text, int stages)
{
    fe_run_text(r, text, strlen(text), stages);
}

static inline size_t fe_count(const struct fe_run *r, const char *rule)
{
    return tu_count_rule(&r->d, rule);
}

static inline const struct diag *fe_first(const struct fe_run *r,
                                          const char *rule)
{
    return tu_first_rule(&r->d, rule);
}

/* "line:col" of a diagnostic, for location checks. */
static inline const char *fe_where(arena *a, const struct diag *d)
{
    unsigned line, col;
    source_line_col(d->loc.src, d->loc.start, &line, &col);
    return arena_printf(a, "%u:%u", line, col);
}

static inline void fe_done(struct fe_run *r)
{
    arena_free(r->a);
}

/* The brief's VM 102, used by several suites. */
static const char fe_vm102[] =
    "host \"pve\" {\n"
    "    board    \"ASUS ProArt X870E-CREATOR WIFI\"\n"
    "    iommu    required\n"
    "    bind     ids\n"
    "    snapshot zfs \"rpool/ROOT/pve-1\"\n"
    "    facts    \"hosts/x870e-creator.yaml\"\n"
    "}\n"
    "vm 102 \"win-server-2025\" {\n"
    "    os      win11\n"
    "    machine q35\n"
    "    bios    ovmf\n"
    "    cpu     host\n"
    "    cores   24\n"
    "    memory  96 GiB\n"
    "    numa    on\n"
    "    vga     none\n"
    "    gpu 02:00.0 10de:2783 \"RTX 4070 SUPER\" {\n"
    "        primary\n"
    "        audio 02:00.1 10de:22bc\n"
    "    }\n"
    "    usb  77:00.0 1b21:2426 \"ASMedia USB 3.2 20 Gbps\"\n"
    "    usb4 78:00.0 1b21:2425 \"ASMedia ASM4242 USB4 host router\" {\n"
    "        tunnels 79:00.3 79:00.4\n"
    "        guest-driver \"ASMedia USB4 Windows driver 1.0.0.0 or later\"\n"
    "    }\n"
    "    usb  79:00.3 1022:15b6 \"AMD USB 3.1\"\n"
    "    usb  79:00.4 1022:15b7 \"AMD USB 3.1\"\n"
    "}\n";

#endif
