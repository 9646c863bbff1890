/* ignore.c — `# passc: ignore P024 "reason"` comments.
 *
 * An ignore applies to the first statement that starts after the comment,
 * with all of that statement's span (its block included).  It drops the
 * diagnostics of its rule whose primary location lies in that span.  An
 * ignore that drops nothing, or names a rule passc does not have, is itself
 * reported (P014): a stale ignore would silently hide the next real finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "rules.h"

struct span {
    const struct ast_ignore *ig;
    uint32_t start, end;       /* the statement's span; start > end: none */
    src_loc kw;
    bool used;
};

/* Statements in source order (pre-order walk), without recursion so a
 * deeply nested spec cannot exhaust the C stack. */
static const struct ast_stmt **flatten(arena *a, const struct ast_spec *spec,
                                       size_t *n)
{
    size_t cap = 64, len = 0, sp = 0, scap = 16;
    const struct ast_stmt **out = arena_alloc(a, cap * sizeof *out);
    const struct ast_stmt **stack = arena_alloc(a, scap * sizeof *stack);
    const struct ast_stmt *s = spec->stmts;
    while (s || sp) {
        if (!s) {
            s = stack[--sp];
            continue;
        }
        if (len == cap) {
            out = arena_realloc(a, out, cap * sizeof *out, 2 * cap * sizeof *out);
            cap *= 2;
        }
        out[len++] = s;
        if (s->body) {
            if (sp == scap) {
                stack = arena_realloc(a, stack, scap * sizeof *stack,
                                      2 * scap * sizeof *stack);
                scap *= 2;
            }
            stack[sp++] = s->next;
            s = s->body;
        } else {
            s = s->next;
        }
    }
    *n = len;
    return out;
}

static int diag_by_start(const void *pa, const void *pb)
{
    const struct diag *a = *(const struct diag *const *)pa;
    const struct diag *b = *(const struct diag *const *)pb;
    return a->loc.start < b->loc.start ? -1 : a->loc.start > b->loc.start;
}

static int by_address(const void *pa, const void *pb)
{
    uintptr_t a = (uintptr_t)*(const struct diag *const *)pa;
    uintptr_t b = (uintptr_t)*(const struct diag *const *)pb;
    return a < b ? -1 : a > b;
}

static bool rule_known(const char *id)
{
    size_t n = 0;
    rule_catalogue(&n);
    /* Without a catalogue linked in, the lexer's P-and-3-digits check is
     * all there is to go on. */
    return n == 0 || rule_find(id) != NULL;
}

void rules_apply_ignores(const struct ast_spec *spec, struct diag_list *diags)
{
    if (!spec || !spec->ignores)
        return;
    arena *a = diags->a;
    size_t nst, nig = 0;
    const struct ast_stmt **st = flatten(a, spec, &nst);
    for (const struct ast_ignore *ig = spec->ignores; ig; ig = ig->next)
        nig++;
    struct span *sp = arena_calloc(a, nig, sizeof *sp);
    /* Ignores and statements are both in source order: one merge pass. */
    size_t k = 0, i = 0;
    for (const struct ast_ignore *ig = spec->ignores; ig; ig = ig->next, i++) {
        while (k < nst && st[k]->loc.start < ig->loc.end)
            k++;
        sp[i].ig = ig;
        if (k < nst) {
            sp[i].start = st[k]->loc.start;
            sp[i].end = st[k]->loc.end;
            sp[i].kw = st[k]->kw_loc;
        } else {
            sp[i].start = 1;
            sp[i].end = 0;
        }
    }

    /* This spec's diagnostics by offset, so each ignore looks only at
     * the diagnostics inside its span. */
    size_t nd = 0;
    for (struct diag *d = diags->head; d; d = d->next)
        nd += d->loc.src == spec->src;
    struct diag **ds = arena_calloc(a, nd + 1, sizeof *ds);
    nd = 0;
    for (struct diag *d = diags->head; d; d = d->next)
        if (d->loc.src == spec->src)
            ds[nd++] = d;
    qsort(ds, nd, sizeof *ds, diag_by_start);
    bool *drop = arena_calloc(a, nd + 1, sizeof *drop);
    for (i = 0; i < nig; i++) {
        if (sp[i].start > sp[i].end)
            continue;
        size_t lo = 0, hi = nd;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (ds[mid]->loc.start < sp[i].start)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t j = lo; j < nd && ds[j]->loc.start < sp[i].end; j++)
            if (ds[j]->rule && !strcmp(ds[j]->rule, sp[i].ig->rule) &&
                ds[j]->id != R_P014) {
                drop[j] = true;
                sp[i].used = true;
            }
    }
    /* Unlink the dropped ones in one pass (diag_remove walks the list
     * each time): look them up by address. */
    size_t ndrop = 0;
    for (size_t j = 0; j < nd; j++)
        if (drop[j])
            ds[ndrop++] = ds[j];
    qsort(ds, ndrop, sizeof *ds, by_address);
    struct diag *head = NULL, *tail = NULL;
    for (struct diag *d = diags->head, *next; d; d = next) {
        next = d->next;
        if (ndrop && d->loc.src == spec->src &&
            bsearch(&d, ds, ndrop, sizeof *ds, by_address)) {
            diags->n[d->sev]--;
            continue;
        }
        d->next = NULL;
        if (tail)
            tail->next = d;
        else
            head = d;
        tail = d;
    }
    diags->head = head;
    diags->tail = tail;

    for (i = 0; i < nig; i++) {
        const struct ast_ignore *ig = sp[i].ig;
        if (!rule_known(ig->rule)) {
            diag_add(diags, R_P014, ig->loc,
                     "ignore names %s, which is no passc rule; remove the comment or fix the id",
                     ig->rule);
        } else if (sp[i].start > sp[i].end) {
            diag_add(diags, R_P014, ig->loc,
                     "ignore %s is followed by no statement; remove the comment",
                     ig->rule);
        } else if (!sp[i].used) {
            unsigned line, col;
            source_line_col(spec->src, sp[i].start, &line, &col);
            struct diag *d = diag_add(diags, R_P014, ig->loc,
                                      "ignore %s silences nothing in the statement on line %u; remove the comment",
                                      ig->rule, line);
            diag_note(diags, d, sp[i].kw, "the statement it applies to");
        }
    }
}
