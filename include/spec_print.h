/* spec_print.h — the canonical text of a .pass spec, from its AST.
 *
 * Used by `passc fmt` (AST from the parser: comments and blank lines are
 * taken from the source between statements) and by `passc import` (AST
 * built in memory: comments come as notes).  Printing the parse of the
 * output gives the output again. */
#ifndef PASSC_SPEC_PRINT_H
#define PASSC_SPEC_PRINT_H

#include <stddef.h>
#include "ast.h"
#include "strbuf.h"

/* Comment lines printed right above a statement ("\n" separates lines,
 * each is printed as "# line"); stmt NULL: the file's header comment. */
struct spec_note {
    const struct ast_stmt *stmt;
    const char *text;
};

void spec_print(struct strbuf *out, const struct ast_spec *spec,
                const struct spec_note *notes, size_t nnotes);

/* Device keywords (gpu audio usb usb4 nvme nic pci). */
bool spec_is_device_keyword(const char *kw);

#endif
