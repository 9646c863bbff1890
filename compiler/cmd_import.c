/* SCAFFOLD: import owner replaces. */
#include "cmd.h"
#include "diag.h"
int cmd_import(int argc, char **argv) { (void)argc; (void)argv; return EXIT_USAGE; }
int cmd_fmt(int argc, char **argv) { (void)argc; (void)argv; return EXIT_USAGE; }
