/* ast.h — the parse tree of a .pass spec.
 *
 * The grammar is deliberately small: a spec is a list of statements, and a
 * statement is a keyword, its values and an optional `{ … }` block of further
 * statements.  What the keywords mean (host, vm, gpu, cores, tunnels …) is
 * decided in resolve.c, which can then say "unknown VM setting 'coress'; did
 * you mean 'cores'?" instead of a parser's "unexpected WORD". */
#ifndef PASSC_AST_H
#define PASSC_AST_H

#include <stdbool.h>
#include <stddef.h>
#include "arena.h"
#include "diag.h"
#include "source.h"

enum ast_value_kind {
    AV_WORD,    /* q35, on, GiB, pc-q35-9.0, 0x10de */
    AV_NUMBER,  /* 24 */
    AV_STRING,  /* "RTX 4070 SUPER" (text without the quotes) */
    AV_ADDR,    /* 02:00.0, 0000:02:00.0 (text as written) */
    AV_PAIR,    /* 10de:2783, 02:00 (text as written) */
    AV_ADDRS,   /* 01:00.0;02:00.0: host functions joined into one hostpci
                 * slot (text as written, ';' between; no blanks) */
};

struct ast_value {
    enum ast_value_kind kind;
    const char *text;
    src_loc loc;
};

struct ast_stmt {
    const char *keyword;
    src_loc kw_loc;
    src_loc loc;              /* keyword to end of values or closing brace */
    struct ast_value *vals;
    size_t nvals;
    bool has_block;
    struct ast_stmt *body;    /* first statement of the block */
    struct ast_stmt *next;
};

/* `# passc: ignore P024 "reason"` comments, in source order. */
struct ast_ignore {
    const char *rule;
    const char *reason;       /* may be NULL */
    src_loc loc;
    struct ast_ignore *next;
};

struct ast_spec {
    const struct source *src;
    struct ast_stmt *stmts;
    struct ast_ignore *ignores;
};

/* The addresses of an AV_ADDRS value, in order, each an AV_ADDR with its
 * own span (ast_addrs.c); *n gets their number. */
struct ast_value *ast_addrs_split(arena *a, const struct ast_value *v,
                                  size_t *n);

/* Parses src into the arena.  Syntax errors are queued as P001 in diags
 * (several per run thanks to statement-level recovery).  Returns NULL only
 * when nothing could be parsed at all. */
struct ast_spec *parse_spec(arena *a, const struct source *src,
                            struct diag_list *diags);

#endif
