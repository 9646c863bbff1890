#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SOURCE_MAX ((size_t)64 << 20)

static void index_lines(arena *a, struct source *s)
{
    /* memchr: the line table is a measurable part of linting a big spec */
    size_t n = 1;
    const char *end = s->text + s->len;
    for (const char *p = s->text; (p = memchr(p, '\n', (size_t)(end - p)));
         p++)
        n++;
    s->line_start = arena_calloc(a, n, sizeof *s->line_start);
    s->nlines = n;
    size_t k = 0;
    s->line_start[k++] = 0;
    for (const char *p = s->text; (p = memchr(p, '\n', (size_t)(end - p)));
         p++)
        s->line_start[k++] = (uint32_t)(p - s->text + 1);
}

struct source *source_from_text(arena *a, const char *path, const char *text,
                                size_t len)
{
    struct source *s = arena_alloc(a, sizeof *s);
    s->path = arena_strdup(a, path);
    char *t = arena_alloc(a, len + 1);
    memcpy(t, text, len);
    s->text = t;
    s->len = len;
    index_lines(a, s);
    return s;
}

struct source *source_read(arena *a, const char *path, const char **err)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        *err = arena_printf(a, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0)
        memset(&st, 0, sizeof st);
    if (S_ISDIR(st.st_mode)) {
        *err = arena_printf(a, "cannot read %s: Is a directory", path);
        if (f != stdin)
            fclose(f);
        return NULL;
    }
    /* A regular file is read into a buffer of its size at once; pipes and
     * files that grow while read fall back to doubling. */
    size_t cap = 64 * 1024, len = 0;
    if (S_ISREG(st.st_mode) && st.st_size > 0 && (size_t)st.st_size < SOURCE_MAX)
        cap = (size_t)st.st_size + 2;
    char *buf = arena_alloc(a, cap);
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= SOURCE_MAX) {
                *err = arena_printf(a, "%s is larger than 64 MiB", path);
                if (f != stdin)
                    fclose(f);
                return NULL;
            }
            buf = arena_realloc(a, buf, cap, cap * 2);
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    int bad = ferror(f);
    int e = errno;
    if (f != stdin)
        fclose(f);
    if (bad) {
        *err = arena_printf(a, "cannot read %s: %s", path, strerror(e));
        return NULL;
    }
    buf[len] = '\0';
    struct source *s = arena_alloc(a, sizeof *s);
    s->path = arena_strdup(a, path);
    s->text = buf;
    s->len = len;
    index_lines(a, s);
    return s;
}

void source_line_col(const struct source *s, uint32_t off, unsigned *line,
                     unsigned *col)
{
    size_t lo = 0, hi = s->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->line_start[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    *line = (unsigned)lo + 1;
    *col = (unsigned)(off - s->line_start[lo]) + 1;
}

const char *source_line(const struct source *s, unsigned line, size_t *len)
{
    if (line == 0 || line > s->nlines) {
        *len = 0;
        return "";
    }
    size_t b = s->line_start[line - 1];
    size_t e = line < s->nlines ? s->line_start[line] - 1 : s->len;
    if (e > b && s->text[e - 1] == '\r')
        e--;
    *len = e - b;
    return s->text + b;
}

uint32_t source_offset(const struct source *s, unsigned line, unsigned col)
{
    if (line == 0)
        line = 1;
    if (line > s->nlines)
        return (uint32_t)s->len;
    size_t llen;
    source_line(s, line, &llen);
    if (col == 0)
        col = 1;
    if (col - 1 > llen)
        col = (unsigned)llen + 1;
    return s->line_start[line - 1] + col - 1;
}

src_loc loc_join(src_loc a, src_loc b)
{
    if (!a.src)
        return b;
    if (!b.src)
        return a;
    src_loc r = a;
    if (b.start < r.start)
        r.start = b.start;
    if (b.end > r.end)
        r.end = b.end;
    return r;
}
