/* SCAFFOLD: facts owner replaces. */
#include "facts.h"
#include "cmd.h"
const char *host_use_name(unsigned i) { (void)i; return NULL; }
int host_use_parse(const char *name, unsigned *bit) { (void)name; (void)bit; return -1; }
const char *mod_state_name(enum mod_state s) { (void)s; return "unknown"; }
const struct facts_device *facts_find(const struct facts *f, const struct pci_addr *addr) { (void)f; (void)addr; return NULL; }
enum mod_state facts_module_state(const struct facts *f, const char *name) { (void)f; (void)name; return MOD_UNKNOWN; }
int facts_read_sysfs(arena *a, const char *root, const char *ids_file, struct facts *out, struct diag_list *diags) { (void)a; (void)root; (void)ids_file; (void)out; (void)diags; return -1; }
int facts_read_yaml(arena *a, const char *path, struct facts *out, struct diag_list *diags) { (void)a; (void)path; (void)out; (void)diags; return -1; }
int facts_write_yaml(const struct facts *f, FILE *out) { (void)f; (void)out; return -1; }
int cmd_facts(int argc, char **argv) { (void)argc; (void)argv; return EXIT_USAGE; }
