/* cmd_import.c — `passc import` (an existing setup as a spec) and
 * `passc fmt` (a spec in canonical form); both print through spec_print. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cmd.h"
#include "diag.h"
#include "cmd_build.h"
#include "import.h"
#include "spec_print.h"

/* Path of `target` relative to directory `from_dir` (both made absolute);
 * the absolute path when that fails. */
static const char *relative_path(arena *a, const char *target,
                                 const char *from_dir)
{
    char t[PATH_MAX], d[PATH_MAX];
    if (!realpath(target, t))
        return target;
    if (!realpath(from_dir, d))
        return arena_strdup(a, t);
    size_t common = 0, i = 0;
    while (t[i] && d[i] && t[i] == d[i]) {
        if (t[i] == '/')
            common = i;
        i++;
    }
    if (!d[i] && (t[i] == '/' || !t[i]))
        common = i;
    struct strbuf sb;
    sb_init(&sb, a);
    for (const char *p = d + common; *p; p++)
        if (*p == '/')
            sb_add(&sb, "../");
    sb_add(&sb, t[common] == '/' ? t + common + 1 : t + common);
    return sb_str(&sb);
}

enum { OPT_VFIO = CMD_OPT_LONG, OPT_VMID, OPT_MAPPING };

/* Same file by device and inode, so `-o ./102.conf` and a hard link count
 * too; an output that does not exist yet is no input. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static const struct option import_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"vfio", required_argument, NULL, OPT_VFIO},
    {"vmid", required_argument, NULL, OPT_VMID},
    {"mapping", required_argument, NULL, OPT_MAPPING},
    CMD_FACTS_OPTION, CMD_ROOT_OPTION, CMD_NO_FACTS_OPTION,
    {NULL, 0, NULL, 0},
};

int cmd_import(int argc, char **argv)
{
    const char *conf_path = NULL, *vfio_path = NULL, *out_path = NULL;
    const char *map_path = NULL;
    unsigned vmid = 0;
    struct cmd_args c;
    cmd_args_init(&c, argc, argv, "o:", import_options);
    int opt;
    while ((opt = cmd_args_next(&c)) > 0) {
        switch (opt) {
        case 'o': out_path = c.arg; break;
        case OPT_VFIO: vfio_path = c.arg; break;
        case OPT_MAPPING: map_path = c.arg; break;
        case OPT_VMID:
            if (cmd_vmid_parse(c.cmd, c.arg, &vmid) < 0)
                return EXIT_USAGE;
            break;
        case CMD_OPERAND:
            if (conf_path)
                return cmd_usage_error(c.cmd, "only one VM config at a time; extra", c.arg);
            conf_path = c.arg;
            break;
        }
    }
    if (opt < 0)
        return EXIT_USAGE;
    const char *cmd = c.cmd;
    /* import reads facts only when asked: a VM config is often imported
     * away from its host */
    enum facts_src fsrc = c.facts_src == FACTS_AUTO ? FACTS_NONE : c.facts_src;
    const char *facts_arg = c.facts_arg;
    if (!conf_path)
        return cmd_usage_error(cmd, "which VM config? e.g. passc import "
                           "/etc/pve/qemu-server/102.conf", NULL);
    if (!vmid)
        vmid = pve_vmid_from_path(conf_path);
    if (!vmid)
        return cmd_usage_error(cmd, "cannot tell the VMID from the file name "
                           "(expected …/NNN.conf); give --vmid N for", conf_path);

    /* the spec would replace the VM config (or vfio.conf, or the facts) */
    const char *inputs[] = {conf_path, vfio_path,
                            fsrc == FACTS_FILE ? facts_arg : NULL};
    for (size_t i = 0; out_path && i < sizeof inputs / sizeof *inputs; i++)
        if (inputs[i] && same_file(out_path, inputs[i])) {
            fprintf(stderr, "passc import: -o %s is the input %s: refusing to "
                    "write the spec over it\n", out_path, inputs[i]);
            return EXIT_USAGE;
        }

    arena *a = arena_new();
    struct diag_list diags;
    diag_init(&diags, a);
    int rc = EXIT_CLEAN;
    const char *err = NULL;
    struct source *src = source_read(a, conf_path, &err);
    if (!src) {
        fprintf(stderr, "passc import: %s\n", err);
        arena_free(a);
        return EXIT_USAGE;
    }
    struct pve_conf conf;
    if (pveconf_parse(a, src, &conf, &diags) < 0)
        rc = EXIT_FINDINGS;
    struct modprobe_conf mp, *mpp = NULL;
    if (rc == EXIT_CLEAN && vfio_path) {
        struct source *vsrc = source_read(a, vfio_path, &err);
        if (!vsrc) {
            fprintf(stderr, "passc import: %s\n", err);
            arena_free(a);
            return EXIT_USAGE;
        }
        if (modprobe_parse(a, vsrc, &mp, &diags) < 0)
            rc = EXIT_FINDINGS;
        mpp = &mp;
    }
    struct facts facts, *fp = NULL;
    const char *facts_path = NULL;
    if (rc == EXIT_CLEAN && fsrc != FACTS_NONE) {
        memset(&facts, 0, sizeof facts);
        int r = fsrc == FACTS_FILE
                    ? facts_read_yaml(a, facts_arg, &facts, &diags)
                    : facts_read_sysfs(a, facts_arg, NULL, &facts, &diags);
        if (r < 0) {
            diag_sort(&diags);
            diag_print_text(stderr, &diags, diag_color_wanted(stderr));
            fprintf(stderr, "passc import: facts could not be read from %s\n",
                    facts_arg);
            arena_free(a);
            return EXIT_FACTS;
        }
        fp = &facts;
        if (!facts.origin)
            facts.origin = arena_printf(a, "%s %s", fsrc == FACTS_FILE ?
                                        "snapshot" : "root", facts_arg);
        if (fsrc == FACTS_FILE) {
            /* the spec's facts path is relative to the spec's directory */
            char *dir = arena_strdup(a, out_path ? out_path : "./x");
            facts_path = relative_path(a, facts_arg, dirname(dir));
        }
    }
    struct strbuf text;
    sb_init(&text, a);
    if (rc == EXIT_CLEAN) {
        struct import_input in = {&conf, vmid, mpp, fp, NULL, facts_path, NULL};
        /* mapping= slots name the cluster's pci.cfg: --mapping, else the
         * one under --root when there is one */
        const char *mpath = map_path;
        if (!mpath) {
            const char *p = arena_printf(a, "%s/etc/pve/mapping/pci.cfg",
                                         fsrc == FACTS_ROOT ? facts_arg : "");
            if (access(p, R_OK) == 0)
                mpath = p;
        }
        struct pcicfg pc;
        if (mpath) {
            struct source *msrc = source_read(a, mpath, &err);
            if (!msrc) {
                fprintf(stderr, "passc import: %s\n", err);
                arena_free(a);
                return EXIT_USAGE;
            }
            pcicfg_parse(a, msrc, &pc);
            in.mapping = &pc;
        }
        struct import_result res;
        import_build(a, &in, &res, &diags);
        spec_print(&text, res.spec, res.notes, res.nnotes);
    }
    diag_sort(&diags);
    diag_print_text(stderr, &diags, diag_color_wanted(stderr));
    if (diag_has_errors(&diags, false))
        rc = EXIT_FINDINGS;
    if (rc == EXIT_CLEAN) {
        if (out_path) {
            if (atomic_write_text(a, out_path, 0644, text.buf, text.len, &err) < 0) {
                fprintf(stderr, "passc import: %s\n", err);
                rc = EXIT_USAGE;
            }
        } else {
            fwrite(text.buf, 1, text.len, stdout);
            if (fflush(stdout) != 0)
                rc = EXIT_USAGE;
        }
    }
    arena_free(a);
    return rc;
}

static const struct option fmt_options[] = {
    {"write", no_argument, NULL, 'w'},
    {"check", no_argument, NULL, 'c'},
    {NULL, 0, NULL, 0},
};

int cmd_fmt(int argc, char **argv)
{
    const char *path = NULL;
    bool write_back = false, check = false;
    struct cmd_args c;
    /* no -c: --check only, as before */
    cmd_args_init(&c, argc, argv, "w", fmt_options);
    int opt;
    while ((opt = cmd_args_next(&c)) > 0) {
        switch (opt) {
        case 'w': write_back = true; break;
        case 'c': check = true; break;
        case CMD_OPERAND:
            if (path)
                return cmd_usage_error(c.cmd, "one spec at a time; extra", c.arg);
            path = c.arg;
            break;
        }
    }
    if (opt < 0)
        return EXIT_USAGE;
    const char *cmd = c.cmd;
    if (!path)
        return cmd_usage_error(cmd, "which spec?", NULL);
    arena *a = arena_new();
    struct diag_list diags;
    diag_init(&diags, a);
    const char *err = NULL;
    struct source *src = source_read(a, path, &err);
    if (!src) {
        fprintf(stderr, "passc fmt: %s: %s\n", path, err);
        arena_free(a);
        return EXIT_USAGE;
    }
    struct ast_spec *spec = parse_spec(a, src, &diags);
    int rc = EXIT_CLEAN;
    if (!spec || diag_has_errors(&diags, false)) {
        /* a spec that does not parse is never rewritten */
        diag_sort(&diags);
        diag_print_text(stderr, &diags, diag_color_wanted(stderr));
        arena_free(a);
        return EXIT_FINDINGS;
    }
    struct strbuf text;
    sb_init(&text, a);
    spec_print(&text, spec, NULL, 0);
    sb_add(&text, "");
    bool same = text.len == src->len && !memcmp(text.buf, src->text, src->len);
    if (check) {
        if (!same) {
            fprintf(stderr, "%s: not in canonical form (passc fmt -w %s)\n",
                    path, path);
            rc = EXIT_FINDINGS;
        }
    } else if (write_back) {
        if (!same && atomic_write_text(a, path, 0644, text.buf, text.len, &err) < 0) {
            fprintf(stderr, "passc fmt: %s\n", err);
            rc = EXIT_USAGE;
        }
    } else {
        fwrite(text.buf, 1, text.len, stdout);
    }
    arena_free(a);
    return rc;
}
