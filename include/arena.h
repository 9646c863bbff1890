/* arena.h — the one allocation strategy of passc.
 *
 * Every compilation (one spec, its facts, its diagnostics and its outputs)
 * owns one arena.  Nothing allocated from it is freed on its own: the whole
 * arena goes at once with arena_free().  That keeps the front end, rules and
 * emitters free of ownership bookkeeping and makes valgrind runs clean.
 * Memory owned by libraries (libpci, libyaml, json-c) is released by those
 * libraries' own calls before the function that used them returns. */
#ifndef PASSC_ARENA_H
#define PASSC_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena;

arena *arena_new(void);
void arena_free(arena *a);

/* Zeroed memory, aligned for any type.  Aborts on out-of-memory: passc is a
 * short-lived command and has no useful way to continue. */
void *arena_alloc(arena *a, size_t size);
void *arena_calloc(arena *a, size_t n, size_t size);
/* Grows the block in place when it is the arena's last allocation. */
void *arena_realloc(arena *a, void *old, size_t old_size, size_t new_size);
/* arena_realloc for a block nothing else points into (a strbuf's text):
 * the newest block of its own chunk (over 16 KiB) is realloc'ed, so growing
 * one leaves no old copy behind; old is invalid afterwards. */
void *arena_resize(arena *a, void *old, size_t old_size, size_t new_size);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena *a, const char *fmt, va_list ap);

/* Moves everything child holds into a, so that it lives and goes with a;
 * child itself is freed.  An arena is not thread-safe: a helper thread
 * allocates from an arena of its own, which its owner adopts after joining
 * the thread. */
void arena_adopt(arena *a, arena *child);

/* Bytes handed out so far (for `make bench`: memory against input size). */
size_t arena_used(const arena *a);

#endif
