/* spec_print.c — one canonical text per spec: 4-space indent, keywords of
 * a paragraph padded to one column, one blank line between top-level
 * blocks, comments kept.  The AST has no comments, so with a source the
 * printer takes them (and blank lines) from the text between statements;
 * an AST built in memory brings its comments as notes. */
#include "spec_print.h"
#include "utf8.h"

#include <string.h>

/* Trailing comments start in this column (0-based) when the line is
 * shorter, as in the examples. */
#define COMMENT_COLUMN 39

struct printer {
    struct strbuf *out;
    const struct source *src;     /* NULL: no comments from text */
    const struct spec_note *notes;
    size_t nnotes;
    size_t line_start;            /* offset in out of the current last line */
    bool any_line;
};

bool spec_is_device_keyword(const char *kw)
{
    static const char *const kinds[] = {"gpu", "audio", "usb", "usb4",
                                        "nvme", "nic", "pci"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (!strcmp(kw, kinds[i]))
            return true;
    return false;
}

static void indent(struct printer *p, int depth)
{
    for (int i = 0; i < depth; i++)
        sb_add(p->out, "    ");
}

static void begin_line(struct printer *p, int depth)
{
    p->line_start = p->out->len;
    p->any_line = true;
    indent(p, depth);
}

static void end_line(struct printer *p)
{
    sb_addc(p->out, '\n');
}

static void blank_line(struct printer *p)
{
    if (p->any_line && p->out->len >= 2 &&
        !(p->out->buf[p->out->len - 1] == '\n' &&
          p->out->buf[p->out->len - 2] == '\n'))
        sb_addc(p->out, '\n');
}

/* Comment text from '#' to the end of its line, trailing blanks dropped. */
static void comment_text(const char *s, size_t n, size_t *len)
{
    size_t e = 0;
    while (e < n && s[e] != '\n')
        e++;
    while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
        e--;
    *len = e;
}

/* Appends a comment to the last printed line (which ends in '\n'). */
static void trailing_comment(struct printer *p, const char *c, size_t n)
{
    struct strbuf *o = p->out;
    if (o->len && o->buf[o->len - 1] == '\n')
        o->len--;
    size_t col = o->len - p->line_start;
    if (col < COMMENT_COLUMN)
        for (; col < COMMENT_COLUMN; col++)
            sb_addc(o, ' ');
    else
        sb_addc(o, ' ');
    sb_addn(o, c, n);
    sb_addc(o, '\n');
}

/* Prints the comments in src[from, to) and reports whether a blank line
 * separated the previous item from the next one.  `after_item`: something
 * was printed right before `from` on the same source line, so a comment
 * before the first newline belongs to it. */
static bool print_gap(struct printer *p, uint32_t from, uint32_t to,
                      int depth, bool after_item, bool force_blank)
{
    if (!p->src || from >= to || to > p->src->len)
        return force_blank;
    const char *t = p->src->text;
    unsigned newlines = 0;
    bool blank_pending = force_blank;
    uint32_t i = from;
    while (i < to) {
        char c = t[i];
        if (c == '\n') {
            if (++newlines >= 2)
                blank_pending = true;
            i++;
            continue;
        }
        if (c != '#') {
            i++;
            continue;
        }
        size_t n;
        comment_text(t + i, to - i, &n);
        if (after_item && newlines == 0) {
            trailing_comment(p, t + i, n);
        } else {
            if (blank_pending)
                blank_line(p);
            blank_pending = false;
            begin_line(p, depth);
            sb_addn(p->out, t + i, n);
            end_line(p);
        }
        after_item = false;
        newlines = 0;
        i += (uint32_t)n;
    }
    return blank_pending;
}

/* Note lines longer than this are wrapped at spaces. */
#define NOTE_WIDTH 76

static void print_notes(struct printer *p, const struct ast_stmt *st,
                        int depth)
{
    size_t width = NOTE_WIDTH > (size_t)depth * 4 + 20
                       ? NOTE_WIDTH - (size_t)depth * 4 : 20;
    for (size_t i = 0; i < p->nnotes; i++) {
        if (p->notes[i].stmt != st || !p->notes[i].text)
            continue;
        const char *s = p->notes[i].text;
        while (*s) {
            const char *e = strchr(s, '\n');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            size_t lead = 0;            /* continuation keeps the indent */
            while (lead < n && s[lead] == ' ')
                lead++;
            if (lead == n)              /* no trailing blanks in comments */
                n = 0;
            if (lead + 2 >= width / 2)
                lead = 0;
            size_t done = 0;
            bool first = true;
            do {
                size_t take = n - done;
                size_t room = width - (first ? 0 : lead + 2);
                if (take > room) {
                    size_t cut = done + room;
                    while (cut > done && s[cut] != ' ')
                        cut--;
                    take = cut > done ? cut - done : room;
                }
                begin_line(p, depth);
                sb_add(p->out, "#");
                if (take) {
                    sb_addc(p->out, ' ');
                    if (!first)
                        for (size_t k = 0; k < lead + 2; k++)
                            sb_addc(p->out, ' ');
                    /* a note is data (a VM description, say): never a
                     * `# passc:` directive the lexer would obey */
                    size_t b = 0;
                    while (b < take && (s[done + b] == ' ' || s[done + b] == '\t'))
                        b++;
                    if (take - b >= 6 && !memcmp(s + done + b, "passc:", 6))
                        sb_add(p->out, "| ");
                    /* the lexer refuses control bytes and invalid UTF-8
                     * even in comments: a note quoting raw config text
                     * shows such a byte as '?' */
                    const unsigned char *u = (const unsigned char *)s + done;
                    for (size_t k = 0; k < take;) {
                        size_t len = utf8_len(u + k, take - k);
                        if (len == 0 || (len == 1 && ((u[k] < 0x20 && u[k] != '\t') || u[k] == 0x7f))) {
                            sb_addc(p->out, '?');
                            k++;
                        } else {
                            sb_addn(p->out, (const char *)u + k, len);
                            k += len;
                        }
                    }
                }
                end_line(p);
                done += take;
                while (done < n && s[done] == ' ')
                    done++;
                first = false;
            } while (done < n);
            if (!e)
                break;
            s = e + 1;
        }
    }
}

static void print_value(struct printer *p, const struct ast_value *v)
{
    if (v->kind == AV_STRING) {
        sb_addc(p->out, '"');
        sb_add(p->out, v->text);
        sb_addc(p->out, '"');
    } else {
        sb_add(p->out, v->text);
    }
}

/* Offset just past the '{' that opens st's block (skipping comments). */
static uint32_t block_open(const struct printer *p, const struct ast_stmt *st)
{
    uint32_t i = st->kw_loc.end;
    if (st->nvals)
        i = st->vals[st->nvals - 1].loc.end;
    const char *t = p->src->text;
    while (i < p->src->len && i < st->loc.end) {
        if (t[i] == '#')
            while (i < p->src->len && t[i] != '\n')
                i++;
        if (i < p->src->len && t[i] == '{')
            return i + 1;
        i++;
    }
    return st->kw_loc.end;
}

/* Offset of the '}' that closes st's block. */
static uint32_t block_close(const struct printer *p, const struct ast_stmt *st)
{
    uint32_t e = st->loc.end;
    const char *t = p->src->text;
    while (e > st->kw_loc.end && e <= p->src->len && t[e - 1] != '}')
        e--;
    return e > st->kw_loc.end ? e - 1 : st->loc.end;
}

static bool has_src_locs(const struct printer *p, const struct ast_stmt *st)
{
    return p->src && st->loc.src == p->src && st->loc.end <= p->src->len &&
           st->loc.start <= st->loc.end;
}

static void print_block(struct printer *p, const struct ast_stmt *first,
                        int depth, uint32_t from, uint32_t to, bool top);

static void print_stmt(struct printer *p, const struct ast_stmt *st,
                       int depth, size_t pad)
{
    print_notes(p, st, depth);
    begin_line(p, depth);
    sb_add(p->out, st->keyword);
    if (st->nvals) {
        size_t kl = strlen(st->keyword);
        for (size_t i = kl; i < pad; i++)
            sb_addc(p->out, ' ');
        for (size_t i = 0; i < st->nvals; i++) {
            sb_addc(p->out, ' ');
            print_value(p, &st->vals[i]);
        }
    }
    if (!st->has_block) {
        end_line(p);
        return;
    }
    sb_add(p->out, " {");
    end_line(p);
    uint32_t from = 0, to = 0;
    if (has_src_locs(p, st)) {
        from = block_open(p, st);
        to = block_close(p, st);
    }
    print_block(p, st->body, depth + 1, from, to, false);
    begin_line(p, depth);
    sb_addc(p->out, '}');
    end_line(p);
}

/* Whether a blank line separates b from the statement before it. */
static bool blank_before(const struct printer *p, const struct ast_stmt *prev,
                         const struct ast_stmt *b, int depth)
{
    if (has_src_locs(p, prev) && has_src_locs(p, b)) {
        /* a whitespace-only line strictly between the two statements */
        const char *t = p->src->text;
        uint32_t i = prev->loc.end;
        while (i < b->loc.start && t[i] != '\n')
            i++;
        while (i < b->loc.start) {
            i++;                       /* past '\n': a new line starts */
            bool empty = true;
            uint32_t j = i;
            while (j < b->loc.start && t[j] != '\n') {
                if (t[j] != ' ' && t[j] != '\t' && t[j] != '\r')
                    empty = false;
                j++;
            }
            if (j >= b->loc.start)
                return false;          /* that is b's own line */
            if (empty)
                return true;
            i = j;
        }
        return false;
    }
    /* In-memory AST: only the separation below. */
    return depth == 1 && !spec_is_device_keyword(prev->keyword) &&
           spec_is_device_keyword(b->keyword);
}

/* A VM's settings and its devices are separated by one blank line, as in
 * the examples, whether or not the source had it. */
static bool settings_then_device(const struct ast_stmt *prev,
                                 const struct ast_stmt *b, int depth)
{
    return depth == 1 && !spec_is_device_keyword(prev->keyword) &&
           spec_is_device_keyword(b->keyword);
}

/* Statements that share one keyword column: at depth 1 only (settings
 * blocks), a run of the same class (settings or devices) without blank
 * lines. */
static bool same_column(const struct printer *p, const struct ast_stmt *prev,
                        const struct ast_stmt *b, int depth)
{
    return depth == 1 &&
           spec_is_device_keyword(prev->keyword) ==
               spec_is_device_keyword(b->keyword) &&
           !blank_before(p, prev, b, depth);
}

static void print_block(struct printer *p, const struct ast_stmt *first,
                        int depth, uint32_t from, uint32_t to, bool top)
{
    uint32_t cursor = from;
    bool after_item = !top;   /* the "{" line */
    const struct ast_stmt *prev = NULL;
    size_t pad = 0;
    for (const struct ast_stmt *st = first; st; st = st->next) {
        bool blank = prev && (top || blank_before(p, prev, st, depth) ||
                              settings_then_device(prev, st, depth));
        if (!prev || !same_column(p, prev, st, depth)) {
            /* a new group: one keyword column for all of it */
            pad = 0;
            for (const struct ast_stmt *q = st, *qp = NULL; q;
                 qp = q, q = q->next) {
                if (qp && !same_column(p, qp, q, depth))
                    break;
                size_t kl = strlen(q->keyword);
                if (q->nvals && kl > pad && depth == 1)
                    pad = kl;
            }
        }
        if (has_src_locs(p, st)) {
            if (print_gap(p, cursor, st->loc.start, depth, after_item,
                          blank && (top || settings_then_device(prev, st, depth))))
                blank_line(p);
            cursor = st->loc.end;
        } else if (blank) {
            blank_line(p);
        }
        print_stmt(p, st, depth, pad);
        after_item = true;
        prev = st;
    }
    if (p->src && to > cursor)
        print_gap(p, cursor, to, depth, after_item, false);
}

void spec_print(struct strbuf *out, const struct ast_spec *spec,
                const struct spec_note *notes, size_t nnotes)
{
    struct printer p = {out, spec->src, notes, nnotes, out->len, false};
    print_notes(&p, NULL, 0);
    if (p.any_line && spec->stmts)
        sb_addc(out, '\n');
    uint32_t end = spec->src ? (uint32_t)spec->src->len : 0;
    print_block(&p, spec->stmts, 0, 0, end, true);
    if (!out->buf)
        sb_add(out, "");
}
