/* cmd_facts.c — `passc facts [--root DIR | --facts FILE] [-o FILE]
 * [--pci-ids FILE] [--format yaml|text]`: this host's (or a fake root's)
 * facts as a YAML snapshot, or (--format text) for people to read.
 * --facts re-reads a snapshot and writes it again: checks and normalises a
 * hand-edited one (and is how tests prove the round trip).
 * Exit codes: 0 written, 2 usage or output not writable, 3 facts unreadable. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cmd.h"
#include "diag.h"
#include "facts.h"
#include "facts_text.h"

enum { OPT_PCI_IDS = CMD_OPT_LONG, OPT_FORMAT, OPT_COLOR, OPT_NO_COLOR };

static const struct option facts_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"pci-ids", required_argument, NULL, OPT_PCI_IDS},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"color", no_argument, NULL, OPT_COLOR},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    CMD_FACTS_OPTION, CMD_ROOT_OPTION,  /* --no-facts would leave nothing to write */
    {NULL, 0, NULL, 0},
};

struct writer {
    arena *a;
    const struct facts *f;
    bool text, color;
};

static int fill(FILE *out, void *ctx)
{
    const struct writer *w = ctx;
    return w->text ? facts_write_text(w->a, w->f, out, w->color)
                   : facts_write_yaml(w->f, out);
}

/* -o /dev/stdout, a FIFO, a terminal: there is no file to replace
 * atomically, so write to it as it is. */
static bool is_stream(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

static int write_stream(const char *path, struct writer *w)
{
    FILE *out = fopen(path, "w");
    if (!out)
        return -1;
    int r = fill(out, w);
    return fclose(out) != 0 || r < 0 ? -1 : 0;
}

/* `--root /sys` (or a copy of one) is a common slip: the facts need the
 * root above it (sys/bus/pci, proc, etc). */
static bool looks_like_sys(const char *root)
{
    char buf[4096];
    struct stat st;
    snprintf(buf, sizeof buf, "%s/bus/pci/devices", root);
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    snprintf(buf, sizeof buf, "%s/sys/bus/pci/devices", root);
    return stat(buf, &st) != 0;
}

int cmd_facts(int argc, char **argv)
{
    const char *out_path = NULL, *ids = NULL;
    bool text = false;
    int color = 0;  /* --color 1, --no-color -1, else the terminal decides */
    struct cmd_args c;
    cmd_args_init(&c, argc, argv, "o:", facts_options);
    int opt;
    while ((opt = cmd_args_next(&c)) > 0) {
        switch (opt) {
        case 'o': out_path = c.arg; break;
        case OPT_PCI_IDS: ids = c.arg; break;
        case OPT_FORMAT:
            if (strcmp(c.arg, "yaml") && strcmp(c.arg, "text"))
                return cmd_usage_error(c.cmd, "--format is yaml or text, not", c.arg);
            text = !strcmp(c.arg, "text");
            break;
        case OPT_COLOR: color = 1; break;
        case OPT_NO_COLOR: color = -1; break;
        case CMD_OPERAND: return cmd_usage_error(c.cmd, "unexpected argument", c.arg);
        }
    }
    if (opt < 0)
        return EXIT_USAGE;
    const char *root = c.facts_src == FACTS_ROOT ? c.facts_arg : "/";
    const char *snap = c.facts_src == FACTS_FILE ? c.facts_arg : NULL;
    if (c.facts_src == FACTS_ROOT && looks_like_sys(root)) {
        fprintf(stderr, "passc facts: %s looks like /sys; --root wants the host root\n", root);
        return EXIT_USAGE;
    }
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
    struct writer w = {ar, &f, text, false};
    if (out_path) {
        const char *err = NULL;
        /* -o names a file: colour only when asked for */
        w.color = text && color > 0;
        if (is_stream(out_path)) {
            if (write_stream(out_path, &w) < 0) {
                fprintf(stderr, "passc facts: cannot write %s: %s\n", out_path, strerror(errno));
                rc = EXIT_USAGE;
            }
        } else if (atomic_write(ar, out_path, 0644, fill, &w, &err) < 0) {
            /* 0644: a snapshot is meant to be copied and read */
            fprintf(stderr, "passc facts: %s\n", err);
            rc = EXIT_USAGE;
        }
    } else {
        w.color = text && (color ? color > 0 : diag_color_wanted(stdout));
        if (fill(stdout, &w) < 0 || fflush(stdout) != 0) {
            fprintf(stderr, "passc facts: cannot write the %s to stdout\n",
                    text ? "facts" : "snapshot");
            rc = EXIT_USAGE;
        }
    }
    arena_free(ar);
    return rc;
}
