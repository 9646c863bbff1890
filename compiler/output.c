/* output.c — writing a build's artifacts into DIR all at once or not at all.
 *
 * Everything is written in a temp directory beside DIR (same parent, so
 * the same file system), made durable with one syncfs, then swapped in with
 * one rename — an exchange when DIR exists, so no moment shows a half-new
 * DIR.  Any failure before the swap removes the temp directory and leaves
 * DIR as it was.  One syncfs instead of an fsync per file: each fsync waits
 * for its own journal commit, which was most of a build's time (about half
 * for vm102, and 20,000 of them for a 10,000-VM spec). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int remove_tree(const char *path)
{
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int fail(arena *a, const char **err, const char *tmp, const char *fmt,
                const char *what, int e)
{
    if (tmp)
        remove_tree(tmp);
    *err = arena_printf(a, fmt, what, strerror(e));
    return -1;
}

/* An existing output directory may be replaced only when it is empty or
 * was written by passc (it holds OUTPUT_MARKER).  Returns 1 if so, 0 if
 * not, -1 with errno when it cannot be read. */
static int replaceable(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return -1;
    int empty = 1, marked = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        empty = 0;
        if (!strcmp(e->d_name, OUTPUT_MARKER))
            marked = 1;
    }
    closedir(dp);
    return empty || marked;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

/* Without RENAME_EXCHANGE (old kernels, some file systems): move DIR aside,
 * move the new one in, and put DIR back if that fails. */
static int swap_in_fallback(arena *a, const char *tmp, const char *dir,
                            const char *parent, const char *base,
                            const char **err)
{
    char *aside = arena_printf(a, "%s/.%s.passc-old-XXXXXX", parent, base);
    if (!mkdtemp(aside))
        return fail(a, err, tmp, "cannot write output: no room beside %s: %s", dir, errno);
    if (rename(dir, aside) < 0) {
        int e = errno;
        rmdir(aside);
        return fail(a, err, tmp, "cannot write output: cannot replace %s: %s", dir, e);
    }
    if (rename(tmp, dir) < 0) {
        int e = errno;
        rename(aside, dir);
        return fail(a, err, tmp, "cannot write output: cannot replace %s: %s", dir, e);
    }
    remove_tree(aside);
    return 0;
}

/* "file" or "node/file": one directory level at most, no "." or ".."
 * parts, nothing that could name the marker or leave the directory. */
static bool part_ok(const char *p, size_t n)
{
    return n > 0 && !(n == 1 && p[0] == '.') && !(n == 2 && p[0] == '.' && p[1] == '.') &&
           !(n == sizeof OUTPUT_MARKER - 1 && !memcmp(p, OUTPUT_MARKER, n));
}

static bool name_ok(const char *nm)
{
    const char *sl = strchr(nm, '/');
    if (!sl)
        return part_ok(nm, strlen(nm));
    return part_ok(nm, (size_t)(sl - nm)) && !strchr(sl + 1, '/') &&
           part_ok(sl + 1, strlen(sl + 1));
}

char *output_dir_name(arena *a, const char *dir)
{
    size_t len = strlen(dir ? dir : "");
    while (len > 1 && dir[len - 1] == '/')
        len--;
    return arena_strndup(a, dir ? dir : "", len);
}

struct output {
    arena *a;
    char *dir, *parent, *tmp;
    const char *base;
    bool exists;
    int dfd;
};

struct output *output_open(arena *a, const char *dir, const char **err)
{
    char *d = output_dir_name(a, dir);
    if (!*d) {
        *err = "cannot write output: empty directory name";
        return NULL;
    }
    char *slash = strrchr(d, '/');
    char *parent = slash ? (slash == d ? arena_strdup(a, "/") : arena_strndup(a, d, (size_t)(slash - d)))
                         : arena_strdup(a, ".");
    const char *base = slash ? slash + 1 : d;
    if (!strcmp(base, ".") || !strcmp(base, "..") || !strcmp(d, "/")) {
        *err = arena_printf(a, "cannot write output: give a directory name, not '%s'", dir);
        return NULL;
    }

    struct stat st;
    bool exists = false;
    if (lstat(d, &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            *err = arena_printf(a, "cannot write output: %s is a symbolic link; give the directory it points to", d);
            return NULL;
        }
        if (!S_ISDIR(st.st_mode)) {
            *err = arena_printf(a, "cannot write output: %s exists and is not a directory", d);
            return NULL;
        }
        exists = true;
        int ok = replaceable(d);
        if (ok < 0)
            return fail(a, err, NULL, "cannot write output: %s: %s", d, errno), NULL;
        if (!ok) {
            *err = arena_printf(a, "cannot write output: %s is not empty and was not "
                                "written by passc (no %s); choose another -o DIR",
                                d, OUTPUT_MARKER);
            return NULL;
        }
    } else if (errno != ENOENT && errno != ENOTDIR) {
        return fail(a, err, NULL, "cannot write output: %s: %s", d, errno), NULL;
    }
    if (stat(parent, &st) < 0)
        return fail(a, err, NULL, "cannot write output: %s: %s", parent, errno), NULL;
    if (!S_ISDIR(st.st_mode)) {
        *err = arena_printf(a, "cannot write output: %s is not a directory", parent);
        return NULL;
    }

    char *tmp = arena_printf(a, "%s/.%s.passc-XXXXXX", parent, base);
    if (!mkdtemp(tmp))
        return fail(a, err, NULL, "cannot write output: cannot create a directory in %s: %s", parent, errno), NULL;
    int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return fail(a, err, tmp, "cannot write output: %s: %s", tmp, errno), NULL;
    struct output *w = arena_alloc(a, sizeof *w);
    *w = (struct output){a, d, parent, tmp, base, exists, dfd};
    return w;
}

void output_abort(struct output *w)
{
    if (w->dfd >= 0)
        close(w->dfd);
    w->dfd = -1;
    remove_tree(w->tmp);
}

int output_put(struct output *w, const struct artifact *art, const char **err)
{
    arena *a = w->a;
    if (!name_ok(art->name)) {
        *err = arena_printf(a, "cannot write output: bad artifact name '%s'", art->name);
        output_abort(w);
        return -1;
    }
    const char *sl = strchr(art->name, '/');
    if (sl) {
        char *sub = arena_strndup(a, art->name, (size_t)(sl - art->name));
        if (mkdirat(w->dfd, sub, 0755) < 0 && errno != EEXIST) {
            int e = errno;
            output_abort(w);
            return fail(a, err, NULL, "cannot write output: creating %s: %s", sub, e);
        }
    }
    int fd = openat(w->dfd, art->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                    (mode_t)art->mode);
    if (fd < 0 || write_all(fd, art->text, art->len) < 0 ||
        fchmod(fd, (mode_t)art->mode) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        output_abort(w);
        return fail(a, err, NULL, "cannot write output: writing %s: %s", art->name, e);
    }
    if (close(fd) < 0) {
        int e = errno;
        output_abort(w);
        return fail(a, err, NULL, "cannot write output: writing %s: %s", art->name, e);
    }
    return 0;
}

int output_close(struct output *w, const char **err)
{
    arena *a = w->a;
    static const char marker_text[] =
        "This directory was written by passc build; the next build into it\n"
        "replaces it whole.  Keep nothing else here.\n";
    const struct artifact marker = {OUTPUT_MARKER, marker_text,
                                    sizeof marker_text - 1, 0644};
    /* the marker is the one name output_put refuses */
    int fd = openat(w->dfd, OUTPUT_MARKER, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, marker.text, marker.len) < 0 || close(fd) < 0) {
        int e = errno;
        output_abort(w);
        return fail(a, err, NULL, "cannot write output: writing %s: %s", OUTPUT_MARKER, e);
    }
    /* mkdtemp made it 0700; the result is an ordinary output directory.
     * syncfs writes back every file and the directory before the rename
     * publishes them, and since Linux 5.8 reports a failed writeback.  It
     * also writes whatever else is dirty on that file system: on a busy
     * one that costs more than a build's own fsyncs would, but only once. */
    if (fchmod(w->dfd, 0755) < 0 || syncfs(w->dfd) < 0) {
        int e = errno;
        output_abort(w);
        return fail(a, err, NULL, "cannot write output: %s: %s", w->tmp, e);
    }
    close(w->dfd);
    w->dfd = -1;

    const char *tmp = w->tmp, *d = w->dir;
    if (!w->exists && rename(tmp, d) == 0) {
        /* done */
    } else if (!w->exists && errno != EEXIST && errno != ENOTEMPTY) {
        return fail(a, err, tmp, "cannot write output: cannot create %s: %s", d, errno);
    } else if (renameat2(AT_FDCWD, tmp, AT_FDCWD, d, RENAME_EXCHANGE) == 0) {
        /* tmp now names the old contents */
        remove_tree(tmp);
    } else if (errno == EINVAL || errno == ENOSYS) {
        if (swap_in_fallback(a, tmp, d, w->parent, w->base, err) < 0)
            return -1;
    } else {
        return fail(a, err, tmp, "cannot write output: cannot replace %s: %s", d, errno);
    }
    fsync_dir(w->parent);
    return 0;
}

int output_write_dir(arena *a, const char *dir, const struct artifact *arts,
                     size_t n, const char **err)
{
    /* every name first: a bad one must not cost a temp directory */
    for (size_t i = 0; i < n; i++)
        if (!name_ok(arts[i].name)) {
            *err = arena_printf(a, "cannot write output: bad artifact name '%s'", arts[i].name);
            return -1;
        }
    struct output *w = output_open(a, dir, err);
    if (!w)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (output_put(w, &arts[i], err) < 0)
            return -1;
    return output_close(w, err);
}
