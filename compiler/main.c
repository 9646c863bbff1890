/* passc — compile a PCI passthrough spec for Proxmox VE into the files and
 * scripts that apply it and take it back out.  See README.md. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"

static const char usage[] =
    "usage: passc build SPEC [-o DIR] [FACTS] [--werror]\n"
    "       passc lint SPEC... [--format text|gcc|json|sarif] [FACTS] [--werror]\n"
    "       passc facts [--root DIR | --facts FILE] [-o FILE] [--pci-ids FILE]\n"
    "       passc import VMID.conf [--vfio FILE] [--vmid N] [FACTS] [-o FILE]\n"
    "       passc fmt [-w | --check] SPEC\n"
    "       passc rules | passc explain RULE\n"
    "FACTS: --facts FILE | --root DIR | --no-facts\n";

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        {"build", cmd_build},     {"lint", cmd_lint},
        {"facts", cmd_facts},     {"import", cmd_import},
        {"fmt", cmd_fmt},         {"rules", cmd_rules},
        {"explain", cmd_explain},
    };
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        fputs(usage, stdout);
        return EXIT_CLEAN;
    }
    if (!strcmp(argv[1], "--version")) {
        puts("passc 0.1");
        return EXIT_CLEAN;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name))
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "passc: unknown command '%s'\n%s", argv[1], usage);
    return EXIT_USAGE;
}
