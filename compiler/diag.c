#include "diag.h"
#include "rules.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utf8.h"

void diag_init(struct diag_list *l, arena *a)
{
    memset(l, 0, sizeof *l);
    l->a = a;
}

static struct diag *diag_addv(struct diag_list *l, enum rule_id rule,
                              enum severity sev, src_loc loc, const char *fmt,
                              va_list ap)
{
    const struct rule_info *ri = rule_info_of(rule);
    /* A severity the catalogue does not list for the rule is a bug at the
     * call site: the catalogue (passc explain, SARIF) would lie about it. */
    assert(rule == RULE_NONE || (ri && (ri->sevs & (1u << sev))));
    struct diag *d = arena_alloc(l->a, sizeof *d);
    d->msg = arena_vprintf(l->a, fmt, ap);
    d->id = rule;
    d->rule = ri ? ri->id : NULL;
    d->sev = sev;
    d->loc = loc;
    if (l->tail)
        l->tail->next = d;
    else
        l->head = d;
    l->tail = d;
    l->n[sev]++;
    return d;
}

struct diag *diag_add(struct diag_list *l, enum rule_id rule, src_loc loc,
                      const char *fmt, ...)
{
    const struct rule_info *ri = rule_info_of(rule);
    assert(ri);  /* RULE_NONE has no default severity: diag_add_sev */
    va_list ap;
    va_start(ap, fmt);
    struct diag *d = diag_addv(l, rule, ri ? ri->sev : SEV_ERROR, loc, fmt, ap);
    va_end(ap);
    return d;
}

struct diag *diag_add_sev(struct diag_list *l, enum rule_id rule,
                          enum severity sev, src_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct diag *d = diag_addv(l, rule, sev, loc, fmt, ap);
    va_end(ap);
    return d;
}

void diag_note(struct diag_list *l, struct diag *d, src_loc loc,
               const char *fmt, ...)
{
    struct diag_note *n = arena_alloc(l->a, sizeof *n);
    va_list ap;
    va_start(ap, fmt);
    n->msg = arena_vprintf(l->a, fmt, ap);
    va_end(ap);
    n->loc = loc;
    if (d->notes_tail)
        d->notes_tail->next = n;
    else
        d->notes = n;
    d->notes_tail = n;
}

void diag_fix(struct diag_list *l, struct diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    d->fix = arena_vprintf(l->a, fmt, ap);
    va_end(ap);
}

void diag_move(struct diag_list *to, struct diag_list *from)
{
    if (!from->head)
        return;
    if (to->tail)
        to->tail->next = from->head;
    else
        to->head = from->head;
    to->tail = from->tail;
    for (size_t i = 0; i < 3; i++)
        to->n[i] += from->n[i];
    from->head = from->tail = NULL;
    from->n[0] = from->n[1] = from->n[2] = 0;
}

void diag_remove(struct diag_list *l, struct diag *d)
{
    struct diag **pp = &l->head, *prev = NULL;
    while (*pp && *pp != d) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp)
        return;
    *pp = d->next;
    if (l->tail == d)
        l->tail = prev;
    l->n[d->sev]--;
}

static int diag_cmp(const void *pa, const void *pb)
{
    const struct diag *a = *(const struct diag *const *)pa;
    const struct diag *b = *(const struct diag *const *)pb;
    const char *fa = a->loc.src ? a->loc.src->path : "";
    const char *fb = b->loc.src ? b->loc.src->path : "";
    int c = strcmp(fa, fb);
    if (c)
        return c;
    if (a->loc.start != b->loc.start)
        return a->loc.start < b->loc.start ? -1 : 1;
    return strcmp(a->rule ? a->rule : "", b->rule ? b->rule : "");
}

void diag_sort(struct diag_list *l)
{
    size_t n = l->n[0] + l->n[1] + l->n[2];
    if (n < 2)
        return;
    /* Merge sort on an array of the records: stable, so diagnostics at one
     * place keep the order the checks found them in. */
    struct diag **p = arena_calloc(l->a, n, sizeof *p);
    size_t i = 0;
    for (struct diag *d = l->head; d; d = d->next)
        p[i++] = d;
    struct diag **tmp = arena_calloc(l->a, n, sizeof *tmp);
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n;
            size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi) {
                if (diag_cmp(&p[b], &p[a]) < 0)
                    tmp[o++] = p[b++];
                else
                    tmp[o++] = p[a++];
            }
            while (a < mid)
                tmp[o++] = p[a++];
            while (b < hi)
                tmp[o++] = p[b++];
        }
        struct diag **t = p;
        p = tmp;
        tmp = t;
    }
    for (size_t k = 0; k < n; k++)
        p[k]->next = k + 1 < n ? p[k + 1] : NULL;
    l->head = p[0];
    l->tail = p[n - 1];
}

bool diag_has_errors(const struct diag_list *l, bool werror)
{
    return l->n[SEV_ERROR] > 0 || (werror && l->n[SEV_WARNING] > 0);
}

const char *severity_name(enum severity s)
{
    switch (s) {
    case SEV_INFO: return "info";
    case SEV_WARNING: return "warning";
    case SEV_ERROR: return "error";
    }
    return "?";
}

bool diag_color_wanted(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(fileno(f)) && !(nc && *nc);
}

int diag_format_parse(const char *s, enum diag_format *out)
{
    static const char *names[] = {"text", "gcc", "json", "sarif"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = (enum diag_format)i;
            return 0;
        }
    return -1;
}

static void print_where(FILE *f, src_loc loc)
{
    if (!loc.src) {
        fputs("passc: ", f);
        return;
    }
    unsigned line, col;
    source_line_col(loc.src, loc.start, &line, &col);
    fprintf(f, "%s:%u:%u: ", loc.src->path, line, col);
}

/* One displayed character at text[i]: its byte length, printed to f when
 * `print` (a control byte or a byte of invalid UTF-8 shows as '?', so the
 * terminal is never garbled and carets stay aligned). */
static size_t show_char(FILE *f, const char *text, size_t i, size_t end,
                        bool print)
{
    const unsigned char *p = (const unsigned char *)text + i;
    size_t n = utf8_len(p, end - i);
    if (n == 0 || (n == 1 && (p[0] < 0x20 || p[0] == 0x7f))) {
        if (print)
            fputc(p[0] == '\t' ? ' ' : '?', f);
        return 1;
    }
    if (print)
        fwrite(p, 1, n, f);
    return n;
}

/* Prints the source line of loc, then a marker line under [start, end) of
 * that line, one mark per displayed character. */
static void print_excerpt(FILE *f, src_loc loc, char mark, bool color,
                          const char *on)
{
    unsigned line, col;
    source_line_col(loc.src, loc.start, &line, &col);
    size_t len;
    const char *text = source_line(loc.src, line, &len);
    /* Very long lines are cut around the column so a 1 MB line stays one
     * readable line. */
    size_t from = 0, to = len;
    if (len > 160) {
        from = col > 60 ? col - 60 : 0;
        to = from + 160 < len ? from + 160 : len;
        /* do not start or end inside a UTF-8 sequence */
        while (from > 0 && ((unsigned char)text[from] & 0xc0) == 0x80)
            from--;
        while (to < len && ((unsigned char)text[to] & 0xc0) == 0x80)
            to++;
    }
    fprintf(f, "%5u | %s", line, from ? "..." : "");
    for (size_t i = from; i < to;)
        i += show_char(f, text, i, to, true);
    fprintf(f, "%s\n      | %s", to < len ? "..." : "", from ? "   " : "");
    size_t c0 = col - 1;
    size_t span_end = loc.end > loc.start ? c0 + (loc.end - loc.start) : c0 + 1;
    if (span_end > to)
        span_end = to > c0 ? to : c0 + 1;
    size_t i = from;
    while (i < c0 && i < to) {
        i += show_char(f, text, i, to, false);
        fputc(' ', f);
    }
    if (color)
        fputs(on, f);
    size_t marks = 0;
    do {
        fputc(marks == 0 && mark == '^' ? '^' : mark, f);
        marks++;
        i += i < to ? show_char(f, text, i, to, false) : 1;
    } while (i < span_end && marks < 160);
    if (color)
        fputs("\033[0m", f);
    fputc('\n', f);
}

/* Message text carries data from facts, VM configs and modprobe files (a
 * device name, a line): a control byte or invalid UTF-8 in it must not
 * reach a terminal or a CI log as an escape sequence.  Shown as \xNN (C1
 * controls as \u00NN), so the text stays on its line and says what was
 * there.  JSON and SARIF get the raw text: json-c escapes it as data. */
static void put_clean(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        size_t k = p[i] < 0x80 ? 1 : utf8_len(p + i, n - i);
        if (k == 0 || p[i] < 0x20 || p[i] == 0x7f) {
            fprintf(f, "\\x%02x", p[i]);
        } else if (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) {
            fprintf(f, "\\u%04x", p[i + 1]);
            i++;
        } else {
            fwrite(p + i, 1, k, f);
            i += k - 1;
        }
    }
}

/* "PREFIX" MSG "SUFFIX": the message cleaned, the rest is ours. */
static void put_msg(FILE *f, const char *prefix, const char *msg, const char *suffix)
{
    fputs(prefix, f);
    put_clean(f, msg);
    fputs(suffix, f);
}

void diag_print_text(FILE *f, const struct diag_list *l, bool color)
{
    static const char *sev_color[] = {"\033[1;36m", "\033[1;35m", "\033[1;31m"};
    for (const struct diag *d = l->head; d; d = d->next) {
        if (color)
            fputs("\033[1m", f);
        print_where(f, d->loc);
        if (color) {
            fprintf(f, "%s%s:\033[0m\033[1m ", sev_color[d->sev],
                    severity_name(d->sev));
            put_msg(f, "", d->msg, "\033[0m");
        } else {
            fprintf(f, "%s: ", severity_name(d->sev));
            put_clean(f, d->msg);
        }
        if (d->rule)
            fprintf(f, " [%s]", d->rule);
        fputc('\n', f);
        if (d->loc.src)
            print_excerpt(f, d->loc, '^', color, "\033[1;32m");
        for (const struct diag_note *n = d->notes; n; n = n->next) {
            if (n->loc.src) {
                print_where(f, n->loc);
                put_msg(f, "note: ", n->msg, "\n");
                print_excerpt(f, n->loc, '~', color, "\033[1;34m");
            } else {
                put_msg(f, "      = note: ", n->msg, "\n");
            }
        }
        if (d->fix)
            put_msg(f, "      = fix: ", d->fix, "\n");
    }
}

void diag_print_gcc(FILE *f, const struct diag_list *l)
{
    for (const struct diag *d = l->head; d; d = d->next) {
        print_where(f, d->loc);
        fprintf(f, "%s: ", severity_name(d->sev));
        put_clean(f, d->msg);
        if (d->rule)
            fprintf(f, " [%s]", d->rule);
        fputc('\n', f);
        for (const struct diag_note *n = d->notes; n; n = n->next) {
            print_where(f, n->loc.src ? n->loc : d->loc);
            put_msg(f, "note: ", n->msg, "\n");
        }
    }
}

void diag_print(FILE *f, const struct diag_list *l, enum diag_format fmt,
                bool color)
{
    switch (fmt) {
    case FMT_TEXT: diag_print_text(f, l, color); break;
    case FMT_GCC: diag_print_gcc(f, l); break;
    case FMT_JSON: diag_print_json(f, l); break;
    case FMT_SARIF: diag_print_sarif(f, l); break;
    }
}
