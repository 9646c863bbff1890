/* fuzz_common.h — what the libFuzzer harnesses share: the bundled snapshot
 * and quirks table (read once per process: they are inputs, never
 * changed), the diagnostic printers, and a loud failure.
 *
 * A harness must not exit() or keep state between inputs; what it checks
 * beyond the sanitizers (a round trip, a reparse) ends in fuzz_fail(), so
 * libFuzzer keeps the input as a crash artifact. */
#ifndef PASSC_FUZZ_COMMON_H
#define PASSC_FUZZ_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "facts.h"
#include "plan.h"
#include "rules.h"

#ifndef PASSC_SRCDIR
#define PASSC_SRCDIR "."
#endif
#define FUZZ_SNAPSHOT PASSC_SRCDIR "/examples/hosts/x870e-creator.yaml"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static arena *fuzz_fixed;              /* lives as long as the process */
static struct facts fuzz_snapshot;
static const struct quirks *fuzz_quirks;
static FILE *fuzz_devnull;

static void fuzz_fail(const char *what, const char *a, size_t alen,
                      const char *b, size_t blen)
{
    fprintf(stderr, "fuzz: %s\n--- first (%zu bytes)\n%.*s\n--- second (%zu bytes)\n%.*s\n",
            what, alen, (int)alen, a ? a : "", blen, (int)blen, b ? b : "");
    abort();
}

/* The snapshot and quirks every harness may use; a broken checkout is
 * not a finding, so it stops before the first input. */
static void fuzz_load_fixed(void)
{
    fuzz_fixed = arena_new();
    struct diag_list d;
    diag_init(&d, fuzz_fixed);
    if (facts_read_yaml(fuzz_fixed, FUZZ_SNAPSHOT, &fuzz_snapshot, &d) < 0) {
        diag_print_text(stderr, &d, false);
        fprintf(stderr, "fuzz: cannot read %s\n", FUZZ_SNAPSHOT);
        exit(2);
    }
    fuzz_quirks = quirks_load(fuzz_fixed, PASSC_SRCDIR "/data/quirks.yaml", &d);
    fuzz_devnull = fopen("/dev/null", "w");
    if (!fuzz_devnull || !fuzz_quirks) {
        fprintf(stderr, "fuzz: cannot open /dev/null or %s/data/quirks.yaml\n",
                PASSC_SRCDIR);
        exit(2);
    }
}

/* Every output format of the diagnostics, as `passc lint --format` would
 * print them (sorted first, as the commands do). */
static void fuzz_print_all(struct diag_list *d)
{
    diag_sort(d);
    diag_print(fuzz_devnull, d, FMT_TEXT, false);
    diag_print(fuzz_devnull, d, FMT_TEXT, true);
    diag_print(fuzz_devnull, d, FMT_GCC, false);
    diag_print(fuzz_devnull, d, FMT_JSON, false);
    diag_print(fuzz_devnull, d, FMT_SARIF, false);
}

/* The one place that knows how a rule id is spelled in a diag. */
static bool fuzz_has_rule(const struct diag_list *d, const char *id)
{
    for (const struct diag *x = d->head; x; x = x->next)
        if (x->rule && !strcmp(x->rule, id))
            return true;
    return false;
}

#endif
