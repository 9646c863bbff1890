#include "atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int atomic_write(arena *a, const char *path, int mode,
                 int (*fill)(FILE *out, void *ctx), void *ctx,
                 const char **err)
{
    const char *target = path;
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* replace what the link points to, not the link */
        char *real = realpath(path, NULL);
        if (real) {
            target = arena_strdup(a, real);
            free(real);
        }
    }
    if (stat(target, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            *err = arena_printf(a, "cannot write %s: not a regular file", path);
            return -1;
        }
        mode = (int)(st.st_mode & 07777);
    }
    char *tmp = arena_printf(a, "%s.passc-XXXXXX", target);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *err = arena_printf(a, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    FILE *out = fdopen(fd, "w");
    if (!out) {
        *err = arena_printf(a, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    errno = 0;
    int rc = fill(out, ctx);
    int e = errno;
    if (rc == 0 && (fflush(out) != 0 || fchmod(fd, (mode_t)mode) != 0 ||
                    fsync(fd) != 0))
        rc = -1, e = errno;
    if (fclose(out) != 0 && rc == 0)
        rc = -1, e = errno;
    if (rc == 0 && rename(tmp, target) != 0)
        rc = -1, e = errno;
    if (rc != 0) {
        unlink(tmp);
        *err = arena_printf(a, "cannot write %s: %s", path, strerror(e ? e : EIO));
    }
    return rc;
}

struct text { const char *p; size_t n; };

static int put_text(FILE *out, void *ctx)
{
    const struct text *t = ctx;
    return fwrite(t->p, 1, t->n, out) == t->n ? 0 : -1;
}

int atomic_write_text(arena *a, const char *path, int mode, const char *text,
                      size_t len, const char **err)
{
    struct text t = {text, len};
    return atomic_write(a, path, mode, put_text, &t, err);
}
