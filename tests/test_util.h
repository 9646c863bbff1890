/* test_util.h — small helpers several suites need: where the checkout is,
 * a whole file's bytes, diagnostics by rule id.  Everything is static
 * inline: this header is included by several translation units that are
 * linked into the one check_passc binary. */
#ifndef PASSC_TEST_UTIL_H
#define PASSC_TEST_UTIL_H

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "strbuf.h"

/* The repository root: $PASSC_SRCDIR (make check sets it), else the
 * current directory (running build/check_passc from the checkout). */
static inline const char *tu_srcdir(void)
{
    const char *d = getenv("PASSC_SRCDIR");
    return d && *d ? d : ".";
}

/* The whole file, NUL-terminated, its length (which may count NUL bytes)
 * in *len unless len is NULL.  A file that cannot be read fails the test:
 * every caller compares against it, and a missing file is a defect. */
static inline char *tu_slurp(arena *a, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s: %s", path, strerror(errno));
    struct strbuf sb;
    sb_init(&sb, a);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_addn(&sb, buf, n);
    ck_assert_msg(!ferror(f), "error reading %s", path);
    fclose(f);
    if (len)
        *len = sb.len;
    return (char *)sb_str(&sb);
}

/* How many diagnostics of l carry rule. */
static inline size_t tu_count_rule(const struct diag_list *l, const char *rule)
{
    size_t n = 0;
    for (const struct diag *d = l->head; d; d = d->next)
        n += d->rule && !strcmp(d->rule, rule);
    return n;
}

/* The first diagnostic of l that carries rule, or NULL. */
static inline const struct diag *tu_first_rule(const struct diag_list *l,
                                               const char *rule)
{
    for (const struct diag *d = l->head; d; d = d->next)
        if (d->rule && !strcmp(d->rule, rule))
            return d;
    return NULL;
}

#endif
