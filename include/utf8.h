/* utf8.h — what counts as UTF-8, written once (the lexer, the diagnostic
 * printers and the snapshot writer all ask). */
#ifndef PASSC_UTF8_H
#define PASSC_UTF8_H

#include <stddef.h>

/* Length of the well-formed UTF-8 sequence at p (at most n bytes, n >= 1):
 * 1-4, or 0 when it is not one (overlong, a surrogate, above U+10FFFF,
 * truncated, a stray continuation byte).  RFC 3629, table 3-7 of Unicode. */
size_t utf8_len(const unsigned char *p, size_t n);

#endif
