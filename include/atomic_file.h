/* atomic_file.h — replacing one file so readers see the old or the new
 * contents, never half (temp file beside it, fsync, rename).  Used by every
 * command that writes a single file: facts -o, import -o, fmt -w. */
#ifndef PASSC_ATOMIC_FILE_H
#define PASSC_ATOMIC_FILE_H

#include <stdio.h>
#include <stddef.h>
#include "arena.h"

/* Writes through fill(out, ctx), which returns 0 or -1.  An existing file
 * keeps its permission bits (a new one gets `mode`), and a symlink keeps
 * pointing where it did: its target is replaced.  Returns 0, or -1 with a
 * one-line *err (arena text) and the target untouched. */
int atomic_write(arena *a, const char *path, int mode,
                 int (*fill)(FILE *out, void *ctx), void *ctx,
                 const char **err);
int atomic_write_text(arena *a, const char *path, int mode, const char *text,
                      size_t len, const char **err);

#endif
