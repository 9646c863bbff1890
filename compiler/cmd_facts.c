/* cmd_facts.c — `passc facts [--root DIR | --facts FILE] [-o FILE]
 * [--pci-ids FILE]`: this host's (or a fake root's) facts as a YAML
 * snapshot.  --facts re-reads a snapshot and writes it again: checks and
 * normalises a hand-edited one (and is how tests prove the round trip).
 * Exit codes: 0 written, 2 usage or output not writable, 3 facts unreadable. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "facts.h"

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "passc facts: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
    fprintf(stderr, "usage: passc facts [--root DIR | --facts FILE] [-o FILE] [--pci-ids FILE]\n");
    return EXIT_USAGE;
}

/* Temp file beside the target, then rename: a reader of FILE sees the old
 * snapshot or the new one, never half of one. */
static int write_atomic(arena *a, const char *path, const struct facts *f,
                        const char **err)
{
    char *tmp = arena_printf(a, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *err = arena_printf(a, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    /* mkstemp makes 0600; a snapshot is meant to be copied and read */
    (void)fchmod(fd, 0644);
    FILE *out = fdopen(fd, "w");
    if (!out) {
        *err = arena_printf(a, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    int rc = facts_write_yaml(f, out);
    if (fflush(out) != 0 || fsync(fileno(out)) != 0)
        rc = -1;
    int e = errno;
    if (fclose(out) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0) {
        e = errno;
        rc = -1;
    }
    if (rc != 0) {
        *err = arena_printf(a, "cannot write %s: %s", path, strerror(e ? e : EIO));
        unlink(tmp);
    }
    return rc;
}

int cmd_facts(int argc, char **argv)
{
    const char *root = NULL, *out_path = NULL, *ids = NULL, *snap = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--root") || !strcmp(a, "-o") || !strcmp(a, "--output") ||
            !strcmp(a, "--pci-ids") || !strcmp(a, "--facts")) {
            if (i + 1 >= argc)
                return usage("missing argument for", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--root"))
                root = v;
            else if (!strcmp(a, "--pci-ids"))
                ids = v;
            else if (!strcmp(a, "--facts"))
                snap = v;
            else
                out_path = v;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: passc facts [--root DIR | --facts FILE] [-o FILE] [--pci-ids FILE]\n");
            return EXIT_CLEAN;
        } else {
            return usage("unexpected argument", a);
        }
    }
    if (root && snap)
        return usage("give only one of --root and --facts", NULL);
    arena *ar = arena_new();
    struct diag_list d;
    diag_init(&d, ar);
    struct facts f;
    int rc = EXIT_CLEAN;
    int r = snap ? facts_read_yaml(ar, snap, &f, &d)
                 : facts_read_sysfs(ar, root ? root : "/", ids, &f, &d);
    if (r < 0) {
        diag_print_text(stderr, &d, false);
        arena_free(ar);
        return EXIT_FACTS;
    }
    diag_print_text(stderr, &d, false);  /* warnings: facts left unknown */
    if (out_path) {
        const char *err = NULL;
        if (write_atomic(ar, out_path, &f, &err) < 0) {
            fprintf(stderr, "passc facts: %s\n", err);
            rc = EXIT_USAGE;
        }
    } else if (facts_write_yaml(&f, stdout) < 0 || fflush(stdout) != 0) {
        fprintf(stderr, "passc facts: cannot write the snapshot to stdout\n");
        rc = EXIT_USAGE;
    }
    arena_free(ar);
    return rc;
}
