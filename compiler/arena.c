/* Bump allocator in chunks; see arena.h for why passc uses one. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16u
#define ARENA_CHUNK (64u * 1024u)

struct chunk {
    struct chunk *prev;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

struct arena {
    struct chunk *cur;
    void *last;  /* last allocation, for in-place growth */
    /* The newest block with a chunk of its own, and the link that points
     * to that chunk: a growing big buffer (a strbuf holding a whole
     * script) is realloc'ed there instead of copied, which would leave
     * each old copy behind in the arena. */
    struct chunk *big, **big_ref;
    size_t total;
};

static _Noreturn void oom(void)
{
    fputs("passc: out of memory\n", stderr);
    abort();
}

arena *arena_new(void)
{
    arena *a = calloc(1, sizeof *a);
    if (!a)
        oom();
    return a;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    struct chunk *c = a->cur;
    while (c) {
        struct chunk *p = c->prev;
        free(c);
        c = p;
    }
    free(a);
}

void arena_adopt(arena *a, arena *child)
{
    if (!child)
        return;
    struct chunk *oldest = child->cur;
    while (oldest && oldest->prev)
        oldest = oldest->prev;
    if (oldest) {
        /* behind a's current chunk, whose free tail stays in use */
        if (a->cur) {
            oldest->prev = a->cur->prev;
            a->cur->prev = child->cur;
        } else {
            a->cur = child->cur;
            a->last = NULL;
        }
    }
    a->big = NULL;   /* its link may have moved */
    a->total += child->total;
    free(child);
}

static size_t round_up(size_t n)
{
    return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void *arena_alloc(arena *a, size_t size)
{
    size_t need = round_up(size ? size : 1);
    struct chunk *c = a->cur;
    if (!c || c->size - c->used < need) {
        size_t csize = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;
        if (csize > SIZE_MAX - sizeof *c)
            oom();
        struct chunk *n = malloc(sizeof *n + csize);
        if (!n)
            oom();
        n->size = csize;
        n->used = 0;
        /* A big block gets a chunk of its own behind the current one, so the
         * current chunk's free tail stays usable. */
        if (c && csize != ARENA_CHUNK) {
            n->prev = c->prev;
            c->prev = n;
            a->big = n;
            a->big_ref = &c->prev;
            n->used = need;
            memset(n->data, 0, need);
            a->total += need;
            return n->data;
        }
        n->prev = c;
        a->cur = c = n;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->total += need;
    memset(p, 0, need);
    a->last = p;
    return p;
}

void *arena_calloc(arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        oom();
    return arena_alloc(a, n * size);
}

void *arena_resize(arena *a, void *old, size_t old_size, size_t new_size)
{
    if (old && a->big && old == (void *)a->big->data) {
        struct chunk *c = a->big;
        size_t need = round_up(new_size ? new_size : 1);
        if (need > c->used) {
            if (need > SIZE_MAX - sizeof *c)
                oom();
            c = realloc(c, sizeof *c + need);
            if (!c)
                oom();
            memset(c->data + c->used, 0, need - c->used);
            a->total += need - c->used;
            c->size = c->used = need;
            *a->big_ref = a->big = c;
        }
        return c->data;
    }
    return arena_realloc(a, old, old_size, new_size);
}

void *arena_realloc(arena *a, void *old, size_t old_size, size_t new_size)
{
    if (old && old == a->last) {
        struct chunk *c = a->cur;
        size_t start = (size_t)((unsigned char *)old - c->data);
        size_t need = round_up(new_size ? new_size : 1);
        if (c->size - start >= need) {
            size_t old_used = c->used;
            c->used = start + need;
            if (c->used > old_used) {
                memset(c->data + old_used, 0, c->used - old_used);
                a->total += c->used - old_used;
            }
            return old;
        }
    }
    void *p = arena_alloc(a, new_size);
    if (old)
        memcpy(p, old, old_size < new_size ? old_size : new_size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        oom();
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

size_t arena_used(const arena *a)
{
    return a->total;
}
