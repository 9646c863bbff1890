/* emit_text.c — putting spec text into generated files as data only. */
#include <string.h>

#include "emit_parts.h"

const char *emit_spec_name(const struct model *m)
{
    if (!m->src || !m->src->path)
        return "(unnamed spec)";
    const char *slash = strrchr(m->src->path, '/');
    return slash ? slash + 1 : m->src->path;
}

void emit_comment_text(struct strbuf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        sb_addc(out, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
}

void emit_ps_quote(struct strbuf *out, const char *s)
{
    sb_addc(out, '\'');
    const unsigned char *p = (const unsigned char *)s, *run = p;
    /* plain bytes go in as runs, not one sb_addc each */
    for (; *p; p++) {
        bool quote = *p == '\'' || (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x98 && p[2] <= 0x9b);
        if (!quote && *p >= 0x20 && *p != 0x7f)
            continue;
        sb_addn(out, (const char *)run, (size_t)(p - run));
        if (*p == '\'') {
            sb_add(out, "''");
        } else if (quote) {
            /* U+2018..U+201B: PowerShell ends a '…' string on these too;
             * doubling one escapes it just like a plain quote. */
            sb_addn(out, (const char *)p, 3);
            sb_addn(out, (const char *)p, 3);
            p += 2;
        } else {
            sb_addc(out, ' ');
        }
        run = p + 1;
    }
    sb_addn(out, (const char *)run, (size_t)(p - run));
    sb_addc(out, '\'');
}
