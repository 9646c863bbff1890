/* passc — compile a PCI passthrough spec for Proxmox VE into the files and
 * scripts that apply it and take it back out.  See README.md. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"

static const struct command {
    const char *name;
    int (*fn)(int, char **);
    const char *args;       /* the usage after "passc NAME" */
} cmds[] = {
    {"build", cmd_build, "SPEC [-o DIR] [-q] [FACTS] [--werror] [--color|--no-color]"},
    {"lint", cmd_lint, "SPEC... [--format text|gcc|json|sarif] [FACTS] [--werror] [--color|--no-color]"},
    {"facts", cmd_facts, "[--root DIR | --facts FILE] [-o FILE] [--pci-ids FILE] [--format yaml|text] [--color|--no-color]"},
    {"init", cmd_init, "--vm N ADDR... [-o FILE] [--vm-conf FILE] [FACTS]"},
    {"import", cmd_import, "VMID.conf [--vfio FILE] [--mapping FILE] [--vmid N] [FACTS] [-o FILE]"},
    {"fmt", cmd_fmt, "[-w | --check] SPEC"},
    {"rules", cmd_rules, ""},
    {"explain", cmd_explain, "RULE"},
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

static const char facts_line[] = "FACTS: --facts FILE | --root DIR | --no-facts\n";

/* Every command's usage, or only c's. */
static void usage(FILE *f, const struct command *c)
{
    const char *lead = "usage: ";
    for (size_t i = 0; i < NCMDS; i++) {
        if (c && c != &cmds[i])
            continue;
        fprintf(f, "%spassc %s%s%s\n", lead, cmds[i].name, *cmds[i].args ? " " : "",
                cmds[i].args);
        lead = "       ";
    }
    if (!c)
        fprintf(f, "%spassc --version | passc help\n", lead);
    if (!c || strstr(c->args, "[FACTS]"))
        fputs(facts_line, f);
    if (!c || strstr(c->args, "--color"))
        fputs("--color/--no-color: colour even off a terminal / never (default: on a terminal "
              "unless NO_COLOR is set)\n", f);
}

static int is_help(const char *a)
{
    return !strcmp(a, "-h") || !strcmp(a, "--help");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr, NULL);
        return EXIT_USAGE;
    }
    if (is_help(argv[1]) || !strcmp(argv[1], "help")) {
        usage(stdout, NULL);
        return EXIT_CLEAN;
    }
    if (!strcmp(argv[1], "--version")) {
        puts("passc 0.1");
        return EXIT_CLEAN;
    }
    for (size_t i = 0; i < NCMDS; i++) {
        if (strcmp(argv[1], cmds[i].name))
            continue;
        /* `passc build --help`: that command's usage, as git does */
        for (int k = 2; k < argc; k++)
            if (is_help(argv[k])) {
                usage(stdout, &cmds[i]);
                return EXIT_CLEAN;
            }
        return cmds[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "passc: unknown command '%s'\n", argv[1]);
    usage(stderr, NULL);
    return EXIT_USAGE;
}
