/* source.h — an input text and cheap locations into it (after jq's locfile).
 *
 * Nodes and diagnostics carry byte offsets; line and column are computed from
 * the line-start table only when a message is printed. */
#ifndef PASSC_SOURCE_H
#define PASSC_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"

struct source {
    const char *path;   /* as the user named it */
    const char *text;   /* whole file, NUL-terminated (may contain NULs) */
    size_t len;
    uint32_t *line_start;  /* byte offset of each line */
    size_t nlines;
};

/* A span [start, end) of one source; src NULL means "no location". */
typedef struct src_loc {
    const struct source *src;
    uint32_t start, end;
} src_loc;

/* Reads a whole file into the arena.  Returns NULL and sets *err (static or
 * arena text) when it cannot be read or is larger than 64 MiB. */
struct source *source_read(arena *a, const char *path, const char **err);
/* Wraps text already in memory (tests, generated specs). */
struct source *source_from_text(arena *a, const char *path, const char *text,
                                size_t len);

/* 1-based line and column (column in bytes) of an offset. */
void source_line_col(const struct source *s, uint32_t off, unsigned *line,
                     unsigned *col);
/* The text of a 1-based line without its newline. */
const char *source_line(const struct source *s, unsigned line, size_t *len);
/* Offset of a 1-based line and column (clamped), e.g. from a libyaml mark. */
uint32_t source_offset(const struct source *s, unsigned line, unsigned col);

src_loc loc_join(src_loc a, src_loc b);

#endif
