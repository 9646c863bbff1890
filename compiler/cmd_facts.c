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

#include "atomic_file.h"
#include "cmd.h"
#include "facts.h"

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "passc facts: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
    fprintf(stderr, "usage: passc facts [--root DIR | --facts FILE] [-o FILE] [--pci-ids FILE]\n");
    return EXIT_USAGE;
}

static int fill_yaml(FILE *out, void *f)
{
    return facts_write_yaml(f, out);
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
        /* 0644: a snapshot is meant to be copied and read */
        if (atomic_write(ar, out_path, 0644, fill_yaml, &f, &err) < 0) {
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
