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

char *sysfs_read(arena *a, const char *path, size_t max)
{
    /* O_NONBLOCK: a FIFO planted in a fake tree must not hang the scan */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    size_t cap = 256, len = 0;
    char *buf = arena_alloc(a, cap);
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

char *sysfs_read_line(arena *a, const char *path)
{
    char *s = sysfs_read(a, path, 64u * 1024u);
    if (!s)
        return NULL;
    s[strcspn(s, "\n")] = '\0';
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}
