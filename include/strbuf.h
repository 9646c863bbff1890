/* strbuf.h — growable text in the compilation's arena (emitters, printers). */
#ifndef PASSC_STRBUF_H
#define PASSC_STRBUF_H

#include <stddef.h>
#include "arena.h"

struct strbuf {
    arena *a;
    char *buf;   /* always NUL-terminated once anything was added */
    size_t len, cap;
};

void sb_init(struct strbuf *sb, arena *a);
void sb_add(struct strbuf *sb, const char *s);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_addc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as one POSIX shell word in single quotes ('it'\''s'); any byte,
 * newline included, comes out as data, never as syntax. */
void sb_shell_quote(struct strbuf *sb, const char *s);
/* The same for n bytes of s (a line inside a larger text). */
void sb_shell_quoten(struct strbuf *sb, const char *s, size_t n);
const char *sb_str(struct strbuf *sb);

#endif
