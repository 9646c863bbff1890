/* diag.h — diagnostics as data (after nftables' error records).
 *
 * Every stage queues typed records; nothing prints while checking.  One
 * printer per output format turns the list into text at the end, so text,
 * gcc, JSON and SARIF differ only in their printer. */
#ifndef PASSC_DIAG_H
#define PASSC_DIAG_H

#include <stdbool.h>
#include <stdio.h>
#include "arena.h"
#include "source.h"

/* Process exit codes; documented in README and stable. */
enum {
    EXIT_CLEAN = 0,     /* no errors (warnings allowed) */
    EXIT_FINDINGS = 1,  /* at least one error (or warning with --werror) */
    EXIT_USAGE = 2,     /* bad command line or unreadable input */
    EXIT_FACTS = 3,     /* facts could not be read */
};

enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR };
/* Sets of severities, for the SEVS column of rules_list.h. */
enum {
    SEVS_INFO = 1u << SEV_INFO,
    SEVS_WARNING = 1u << SEV_WARNING,
    SEVS_ERROR = 1u << SEV_ERROR,
};

/* Rule ids, one per entry of rules_list.h: R_P001 ... R_F003.  RULE_NONE is
 * a finding outside the catalogue (a problem in data/quirks.yaml): it
 * prints no [id] and cannot be ignored. */
enum rule_id {
    RULE_NONE,
#define RULE(ID, NAME, SEV, SEVS, FACTS, SUMMARY) R_##ID,
#include "rules_list.h"
#undef RULE
    RULE_COUNT
};

struct diag_note {
    src_loc loc;        /* related span, printed with ~~~; may be empty */
    const char *msg;
    struct diag_note *next;
};

struct diag {
    enum rule_id id;    /* R_P012 */
    const char *rule;   /* "P012", its printed form; NULL for RULE_NONE */
    enum severity sev;
    src_loc loc;        /* primary span, printed with ^^^ */
    const char *msg;
    const char *fix;    /* one-line suggested change, or NULL */
    struct diag_note *notes, *notes_tail;
    struct diag *next;
};

struct diag_list {
    arena *a;
    struct diag *head, *tail;
    size_t n[3];        /* counts by severity */
};

void diag_init(struct diag_list *l, arena *a);
/* Queues a finding of `rule` with the catalogue's default severity. */
struct diag *diag_add(struct diag_list *l, enum rule_id rule, src_loc loc,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same with a severity the call site chooses, which must be one the
 * catalogue allows for the rule (asserted): write the choice out at the
 * call, e.g. `crit ? SEV_ERROR : SEV_WARNING`, so that check_registry.c
 * can hold it against rules_list.h.  RULE_NONE needs this form. */
struct diag *diag_add_sev(struct diag_list *l, enum rule_id rule,
                          enum severity sev, src_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void diag_note(struct diag_list *l, struct diag *d, src_loc loc,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void diag_fix(struct diag_list *l, struct diag *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Drops a diagnostic (used by ignore comments); counts are kept right. */
void diag_remove(struct diag_list *l, struct diag *d);
/* Appends every finding of from (same arena) to `to`; from is left empty. */
void diag_move(struct diag_list *to, struct diag_list *from);
/* Stable order for printing: by file, then offset, then rule id. */
void diag_sort(struct diag_list *l);
bool diag_has_errors(const struct diag_list *l, bool werror);

enum diag_format { FMT_TEXT, FMT_GCC, FMT_JSON, FMT_SARIF };
int diag_format_parse(const char *s, enum diag_format *out);

/* text: gcc-like with the source line and a caret/underline, colour when
 * `color`; gcc: one line per diagnostic and per note, for editors. */
void diag_print_text(FILE *f, const struct diag_list *l, bool color);
void diag_print_gcc(FILE *f, const struct diag_list *l);
/* Machine formats (diag_json.c, through json-c). */
void diag_print_json(FILE *f, const struct diag_list *l);
void diag_print_sarif(FILE *f, const struct diag_list *l);
void diag_print(FILE *f, const struct diag_list *l, enum diag_format fmt,
                bool color);

const char *severity_name(enum severity s);

/* Colour for text output on f: only a terminal, and not when NO_COLOR is
 * set to a non-empty value (no-color.org). */
bool diag_color_wanted(FILE *f);

#endif
