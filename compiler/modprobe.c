/* modprobe.c — reads a modprobe.d file with kmod's rules (lines joined at
 * a trailing backslash, '#' only in column 1, whitespace-separated words)
 * and the kernel's parameter rules (options split at spaces, the last ids=
 * wins), so that import knows which ids vfio-pci really gets. */
#include "modprobe.h"
#include "names.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pveconf.h"   /* rule ids */

/* A line after joining continuations, with the source offset of each byte
 * so that diagnostics point into the file. */
struct logical_line {
    char *text;
    uint32_t *off;
    size_t len;
    uint32_t first_off;
};

struct mp_reader {
    arena *a;
    const struct source *src;
    struct modprobe_conf *out;
    struct diag_list *diags;
    size_t cap_soft, cap_black, cap_other;
};

static src_loc span(const struct mp_reader *r, const struct logical_line *l,
                    size_t from, size_t to)
{
    src_loc loc = {r->src, 0, 0};
    if (!l->len) {
        loc.start = loc.end = l->first_off;
        return loc;
    }
    if (from >= l->len)
        from = l->len - 1;
    if (to > l->len)
        to = l->len;
    loc.start = l->off[from];
    loc.end = to > from ? l->off[to - 1] + 1 : loc.start + 1;
    return loc;
}

static struct diag *trap(struct mp_reader *r, src_loc loc, const char *fmt,
                         const char *arg)
{
    return diag_add(r->diags, R_P042, loc, fmt, arg);
}

static void push(arena *a, const char ***v, size_t *n, size_t *cap,
                 const char *s)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        *v = arena_realloc(a, (void *)*v, *cap * sizeof **v, nc * sizeof **v);
        *cap = nc;
    }
    (*v)[(*n)++] = s;
}

static bool is_ws(char c) { return c == ' ' || c == '\t'; }

/* ids=A,B,…  as vfio-pci parses it: entries split at ',', each
 * "vendor:device[:subvendor:subdevice[:class:mask]]" in hex. */
static void parse_ids(struct mp_reader *r, const struct logical_line *l,
                      size_t from, size_t to, struct modprobe_id **ids,
                      size_t *nids)
{
    size_t cap = 8;
    *ids = arena_calloc(r->a, cap, sizeof **ids);
    *nids = 0;
    size_t p = from;
    while (p < to) {
        size_t q = p;
        while (q < to && l->text[q] != ',')
            q++;
        if (q > p) {
            char *entry = arena_strndup(r->a, l->text + p, q - p);
            char *fields = entry;
            while (*fields == ' ')
                fields++;
            struct pci_id id;
            const char *why = NULL;
            char pair[10] = {0};
            size_t flen = strlen(fields);
            bool extra = flen > 9 && fields[9] == ':';
            if (flen >= 9)
                memcpy(pair, fields, 9);
            if ((flen != 9 && !extra) || pci_id_parse(pair, &id, &why) < 0) {
                struct diag *d = trap(r, span(r, l, p, q),
                    "'%s' is not a vendor:device id; vfio-pci skips it",
                    entry);
                diag_fix(r->diags, d, "write ids as vvvv:dddd in hex, "
                         "separated by commas");
            } else {
                if (extra) {
                    struct diag *d = diag_add_sev(r->diags,
                        R_P041, SEV_INFO, span(r, l, p, q),
                        "subsystem/class fields of '%s' are not imported; "
                        "only %s is", entry, pair);
                    (void)d;
                }
                if (*nids == cap) {
                    *ids = arena_realloc(r->a, *ids, cap * sizeof **ids,
                                         cap * 2 * sizeof **ids);
                    cap *= 2;
                }
                (*ids)[*nids].id = id;
                (*ids)[(*nids)++].loc = span(r, l, p, q);
            }
        }
        p = q + 1;
    }
}

/* `options vfio-pci …`: the kernel splits parameters at whitespace
 * (double quotes group), so anything after a space inside ids= is a
 * separate, unknown parameter. */
static void options_line(struct mp_reader *r, const struct logical_line *l,
                         size_t p)
{
    const char *t = l->text;
    size_t n = l->len;
    while (p < n) {
        while (p < n && is_ws(t[p]))
            p++;
        if (p >= n)
            break;
        size_t s = p;
        bool quoted = false;
        while (p < n && (quoted || !is_ws(t[p]))) {
            if (t[p] == '"')
                quoted = !quoted;
            p++;
        }
        size_t e = p;
        if (t[s] == '#') {
            struct diag *d = trap(r, span(r, l, s, n),
                "'#' does not start a comment here: kmod passes '%s' to "
                "vfio-pci as parameters, which it rejects", "#…");
            diag_fix(r->diags, d, "put the comment on its own line, '#' in "
                     "column 1");
            break;
        }
        if (e - s > 4 && !strncmp(t + s, "ids=", 4)) {
            size_t vs = s + 4, ve = e;
            if (t[vs] == '"' && ve > vs + 1 && t[ve - 1] == '"') {
                vs++;
                ve--;
            }
            struct modprobe_id *ids;
            size_t nids;
            parse_ids(r, l, vs, ve, &ids, &nids);
            if (r->out->has_ids) {
                unsigned line, col;
                source_line_col(r->src, l->off[s], &line, &col);
                struct diag *d = trap(r, r->out->ids_loc,
                    "this ids= is overridden by the one on %s: vfio-pci "
                    "keeps only the last ids= it is given",
                    arena_printf(r->a, "line %u", line));
                diag_note(r->diags, d, span(r, l, s, e), "the ids= that wins");
                diag_fix(r->diags, d, "merge all ids into one ids= list");
            }
            r->out->has_ids = true;
            r->out->ids_loc = span(r, l, s, e);
            r->out->ids = ids;
            r->out->nids = nids;
            /* Words that follow and look like ids were meant to be in the
             * list: "ids=10de:2783, 10de:22bc". */
            size_t q = e;
            while (q < n) {
                while (q < n && is_ws(t[q]))
                    q++;
                size_t ws = q;
                while (q < n && !is_ws(t[q]))
                    q++;
                if (q == ws)
                    break;
                size_t c = ws;
                while (c < q && t[c] == ',')
                    c++;
                bool id_like = q - c >= 9 && isxdigit((unsigned char)t[c]) &&
                               t[c + 4] == ':';
                if (id_like || c > ws || t[e - 1] == ',') {
                    struct diag *d = trap(r, span(r, l, e, q),
                        "a space ends the ids= list: '%s' is not passed to "
                        "vfio-pci (the kernel rejects it as an unknown "
                        "parameter)",
                        arena_strndup(r->a, t + ws, q - ws));
                    diag_fix(r->diags, d, "remove the spaces inside the ids= "
                             "list");
                    p = q;
                    e = q;
                } else {
                    break;
                }
            }
            continue;
        }
        push(r->a, &r->out->other_options, &r->out->nother_options,
                 &r->cap_other, arena_strndup(r->a, t + s, e - s));
    }
}

static void logical(struct mp_reader *r, const struct logical_line *l)
{
    const char *t = l->text;
    size_t n = l->len;
    size_t s = 0;
    while (s < n && is_ws(t[s]))
        s++;
    if (s == n || t[0] == '#')
        return;
    if (t[s] == '#') {
        struct diag *d = trap(r, span(r, l, 0, n),
            "an indented comment is not a comment for kmod: it reports "
            "'ignoring bad line starting with '#'' at every modprobe%s", "");
        diag_fix(r->diags, d, "start comment lines with '#' in column 1");
        return;
    }
    size_t ce = s;
    while (ce < n && !is_ws(t[ce]))
        ce++;
    size_t ms = ce;
    while (ms < n && is_ws(t[ms]))
        ms++;
    size_t me = ms;
    while (me < n && !is_ws(t[me]))
        me++;
    const char *cmd = t + s;
    size_t clen = ce - s;
    if (clen == 7 && !strncmp(cmd, "options", 7)) {
        if (me > ms && module_name_eq_n(t + ms, me - ms, "vfio-pci"))
            options_line(r, l, me);
    } else if (clen == 7 && !strncmp(cmd, "softdep", 7)) {
        /* softdep MOD pre: A B post: C — record MOD when vfio-pci is pre */
        if (me > ms) {
            bool pre = false, has_vfio = false;
            size_t p = me;
            while (p < n) {
                while (p < n && is_ws(t[p]))
                    p++;
                size_t w = p;
                while (p < n && !is_ws(t[p]))
                    p++;
                if (p == w)
                    break;
                if (p - w == 4 && !strncmp(t + w, "pre:", 4))
                    pre = true;
                else if (p - w == 5 && !strncmp(t + w, "post:", 5))
                    pre = false;
                else if (pre && module_name_eq_n(t + w, p - w, "vfio-pci"))
                    has_vfio = true;
            }
            if (has_vfio)
                push(r->a, &r->out->softdeps, &r->out->nsoftdeps,
                     &r->cap_soft, arena_strndup(r->a, t + ms, me - ms));
        }
    } else if (clen == 9 && !strncmp(cmd, "blacklist", 9)) {
        if (me > ms)
            push(r->a, &r->out->blacklist, &r->out->nblacklist,
                 &r->cap_black, arena_strndup(r->a, t + ms, me - ms));
    } else if (!(clen == 5 && !strncmp(cmd, "alias", 5)) &&
               !(clen == 7 && !strncmp(cmd, "install", 7)) &&
               !(clen == 6 && !strncmp(cmd, "remove", 6)) &&
               !(clen == 7 && !strncmp(cmd, "weakdep", 7))) {
        trap(r, span(r, l, s, ce),
             "kmod does not know the command '%s' and ignores the line",
             arena_strndup(r->a, cmd, clen > 64 ? 64 : clen));
    }
}

int modprobe_parse(arena *a, const struct source *src,
                   struct modprobe_conf *out, struct diag_list *diags)
{
    memset(out, 0, sizeof *out);
    out->src = src;
    struct mp_reader r = {a, src, out, diags, 0, 0, 0};
    if (memchr(src->text, 0, src->len)) {
        src_loc loc = {src, 0, 1};
        diag_add_sev(diags, R_P042, SEV_ERROR, loc,
                 "this is not a modprobe.d file: it contains binary data");
        return -1;
    }
    /* One buffer (and offset map) reused for every logical line. */
    char *buf = arena_alloc(a, src->len + 1);
    uint32_t *map = arena_alloc(a, (src->len + 1) * sizeof *map);
    size_t off = 0;
    while (off < src->len) {
        struct logical_line l = {buf, map, 0, (uint32_t)off};
        for (;;) {
            const char *line = src->text + off;
            const char *nl = memchr(line, '\n', src->len - off);
            size_t n = nl ? (size_t)(nl - line) : src->len - off;
            size_t keep = n;
            if (keep && line[keep - 1] == '\r')
                keep--;
            bool cont = keep && line[keep - 1] == '\\' && nl;
            if (cont)
                keep--;
            for (size_t i = 0; i < keep; i++) {
                buf[l.len] = line[i];
                map[l.len++] = (uint32_t)(off + i);
            }
            off += n + (nl ? 1 : 0);
            if (!cont || off >= src->len)
                break;
            /* A comment inside a continued line is joined into it: its
             * words become module parameters. */
            const char *nx = src->text + off;
            size_t k = 0;
            while (off + k < src->len && is_ws(nx[k]))
                k++;
            if (off + k < src->len && nx[k] == '#') {
                src_loc loc = {src, (uint32_t)(off + k), (uint32_t)(off + k + 1)};
                struct diag *d = trap(&r, loc,
                    "this comment continues the line above (it ends with "
                    "'\\'): kmod reads its words as part of that line%s", "");
                diag_fix(diags, d, "remove the trailing backslash above or "
                         "move the comment");
            }
        }
        buf[l.len] = 0;
        logical(&r, &l);
    }
    return 0;
}
