/* sysfs_util.h — reading small files under a host root (the live "/" or a
 * generated tree) for the facts readers. */
#ifndef PASSC_SYSFS_UTIL_H
#define PASSC_SYSFS_UTIL_H

#include <stddef.h>
#include "arena.h"

/* ROOT/rel ("/sys/…" for the live root), in the arena. */
const char *sysfs_path(arena *a, const char *root, const char *rel);
/* Whole file, NUL-terminated, at most max bytes (longer: NULL, errno
 * EFBIG).  NULL with errno set when it cannot be read. */
char *sysfs_read(arena *a, const char *path, size_t max);
/* First line without trailing blanks/newline ("" for an empty file);
 * NULL when unreadable or longer than 64 KiB. */
char *sysfs_read_line(arena *a, const char *path);
/* The same for rel below the open directory dir_fd (or AT_FDCWD). */
char *sysfs_read_line_at(arena *a, int dir_fd, const char *rel);

#endif
