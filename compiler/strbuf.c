#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sb_init(struct strbuf *sb, arena *a)
{
    sb->a = a;
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return;
    /* Small first: most strbufs are one short line (a device's
     * description, a pattern), and each is its own arena block. */
    size_t ncap = sb->cap ? sb->cap * 2 : 32;
    while (ncap < sb->len + extra + 1)
        ncap *= 2;
    sb->buf = arena_resize(sb->a, sb->buf, sb->cap, ncap);
    sb->cap = ncap;
}

void sb_addn(struct strbuf *sb, const char *s, size_t n)
{
    sb_grow(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void sb_add(struct strbuf *sb, const char *s)
{
    sb_addn(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
    sb_addn(sb, &c, 1);
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n > 0) {
        sb_grow(sb, (size_t)n);
        vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
        sb->len += (size_t)n;
    }
    va_end(ap);
}

void sb_shell_quoten(struct strbuf *sb, const char *s, size_t n)
{
    sb_addc(sb, '\'');
    const char *end = s + n;
    while (s < end) {
        const char *q = memchr(s, '\'', (size_t)(end - s));
        size_t k = q ? (size_t)(q - s) : (size_t)(end - s);
        sb_addn(sb, s, k);
        if (!q)
            break;
        sb_add(sb, "'\\''");
        s = q + 1;
    }
    sb_addc(sb, '\'');
}

void sb_shell_quote(struct strbuf *sb, const char *s)
{
    sb_shell_quoten(sb, s, strlen(s));
}

const char *sb_str(struct strbuf *sb)
{
    if (!sb->buf)
        sb_grow(sb, 0), sb->buf[0] = '\0';
    return sb->buf;
}
