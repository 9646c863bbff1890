/* sysfs_util.c — small-file reads under a host root.  sysfs files report
 * a size of 4096 whatever they hold, so reads go until EOF, bounded. */
#include "sysfs_util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

const char *sysfs_path(arena *a, const char *root, const char *rel)
{
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    if (n == 1 && root[0] == '/')
        return arena_printf(a, "/%s", rel);
    return arena_printf(a, "%.*s/%s", (int)n, root, rel);
}

/* Reads fd to its end, at most max bytes, after the n bytes already read
 * into have; closes fd. */
static char *read_fd(arena *a, int fd, size_t max, const char *have, size_t n)
{
    size_t cap = 256, len = n;
    while (cap <= n + 1)
        cap *= 2;
    char *buf = arena_alloc(a, cap);
    if (n)
        memcpy(buf, have, n);
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > max) {
                close(fd);
                errno = EFBIG;
                return NULL;
            }
            buf = arena_realloc(a, buf, cap, cap * 2);
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    if (len > max) {
        errno = EFBIG;
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

char *sysfs_read(arena *a, const char *path, size_t max)
{
    /* O_NONBLOCK: a FIFO planted in a fake tree must not hang the scan */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    return read_fd(a, fd, max, NULL, 0);
}

/* First line of s in place, without trailing blanks. */
static char *first_line(char *s)
{
    s[strcspn(s, "\n")] = '\0';
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

char *sysfs_read_line(arena *a, const char *path)
{
    char *s = sysfs_read(a, path, 64u * 1024u);
    return s ? first_line(s) : NULL;
}

char *sysfs_read_line_at(arena *a, int dir_fd, const char *rel)
{
    int fd = openat(dir_fd, rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    /* A sysfs attribute is at most a page and comes whole in the first
     * read, and a regular file reads short only at its end: a read that
     * leaves room saw everything, and the read that would return 0 is
     * saved (a syscall per device and file on a facts scan).  Not for /proc
     * files, whose reads may stop at any record. */
    char buf[4096];
    ssize_t r;
    do
        r = read(fd, buf, sizeof buf);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    if ((size_t)r < sizeof buf) {
        close(fd);
        return first_line(arena_strndup(a, buf, (size_t)r));
    }
    char *s = read_fd(a, fd, 64u * 1024u, buf, (size_t)r);
    return s ? first_line(s) : NULL;
}
