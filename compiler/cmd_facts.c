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

enum { OPT_PCI_IDS = CMD_OPT_LONG };

static const struct option facts_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"pci-ids", required_argument, NULL, OPT_PCI_IDS},
    CMD_FACTS_OPTION, CMD_ROOT_OPTION,  /* --no-facts would leave nothing to write */
    {NULL, 0, NULL, 0},
};

static int fill_yaml(FILE *out, void *f)
{
    return facts_write_yaml(f, out);
}

int cmd_facts(int argc, char **argv)
{
    const char *out_path = NULL, *ids = NULL;
    struct cmd_args c;
    cmd_args_init(&c, argc, argv, "o:", facts_options);
    int opt;
    while ((opt = cmd_args_next(&c)) > 0) {
        switch (opt) {
        case 'o': out_path = c.arg; break;
        case OPT_PCI_IDS: ids = c.arg; break;
        case CMD_OPERAND: return cmd_usage_error(c.cmd, "unexpected argument", c.arg);
        }
    }
    if (opt < 0)
        return EXIT_USAGE;
    const char *root = c.facts_src == FACTS_ROOT ? c.facts_arg : "/";
    const char *snap = c.facts_src == FACTS_FILE ? c.facts_arg : NULL;
    arena *ar = arena_new();
    struct diag_list d;
    diag_init(&d, ar);
    struct facts f;
    int rc = EXIT_CLEAN;
    int r = snap ? facts_read_yaml(ar, snap, &f, &d)
                 : facts_read_sysfs(ar, root, ids, &f, &d);
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
