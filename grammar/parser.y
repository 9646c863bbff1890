/* parser.y — the grammar of a .pass spec.
 *
 * A spec is a list of statements; a statement is a keyword, its values and
 * an optional `{ … }` block of further statements.  Actions only build AST
 * nodes: what the keywords mean is resolve.c's business, so the parser can
 * stay small and the messages about meaning can be precise.
 *
 * Pure parser, reentrant scanner, no globals: the context below holds the
 * arena, the source and the diagnostics of one parse. */
%code requires {
#include <stdbool.h>
#include <stdint.h>
#include "ast.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* Byte offsets into the source; line and column come only when printing. */
struct pass_loc {
    uint32_t start, end;
};

#define YYLLOC_DEFAULT(cur, rhs, n)                                  \
    do {                                                             \
        if (n) {                                                     \
            (cur).start = YYRHSLOC(rhs, 1).start;                    \
            (cur).end = YYRHSLOC(rhs, n).end;                        \
        } else {                                                     \
            (cur).start = (cur).end = YYRHSLOC(rhs, 0).end;          \
        }                                                            \
    } while (0)

struct stmt_list {
    struct ast_stmt *head, *tail;
};

/* Syntax errors per parse before giving up: enough to fix a file in one go,
 * few enough that a binary file does not flood the terminal. */
#define PARSE_MAX_ERRORS 20
#define PARSE_MAX_OPEN 64

struct parse_ctx {
    arena *a;
    const struct source *src;
    struct diag_list *diags;
    const char *base;             /* scanner buffer: offsets are from here */
    struct ast_spec *spec;
    struct ast_ignore **ignore_tail;
    unsigned nerrors;
    bool gave_up;
    /* Values of the statement being read: one statement's values are
     * complete before any nested statement starts, so one reused vector
     * serves the whole parse (no per-value list nodes). */
    struct ast_value *vals;
    size_t nvals, vals_cap;
    /* Open braces, so "expected '}'" can point at the block left open. */
    struct pass_loc open[PARSE_MAX_OPEN];
    size_t depth;
    size_t max_depth;             /* deepest nesting seen, for the text pass */
};

void lex_error(struct parse_ctx *c, src_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void lex_bad_byte(struct parse_ctx *c, unsigned char b, uint32_t off,
                  const char *where);
void lex_check_text(struct parse_ctx *c, const char *text, size_t len,
                    const char *what);
void lex_comment(struct parse_ctx *c, const char *text, size_t len,
                 struct pass_loc loc);
void lex_open_brace(struct parse_ctx *c, struct pass_loc loc);
void lex_close_brace(struct parse_ctx *c);
}

%code {
#include <stdarg.h>
#include <string.h>
#include "lexer.h"
#include "utf8.h"

static src_loc to_src(struct parse_ctx *c, struct pass_loc l)
{
    return (src_loc){c->src, l.start, l.end};
}

static void vals_append(struct parse_ctx *c, enum ast_value_kind k,
                        const char *text, struct pass_loc loc)
{
    if (c->nvals == c->vals_cap) {
        size_t cap = c->vals_cap ? 2 * c->vals_cap : 16;
        struct ast_value *v = arena_alloc(c->a, cap * sizeof *v);
        if (c->nvals)
            memcpy(v, c->vals, c->nvals * sizeof *v);
        c->vals = v;
        c->vals_cap = cap;
    }
    c->vals[c->nvals++] = (struct ast_value){k, text, to_src(c, loc)};
}

/* A statement without its block: keyword and the values just read. */
static struct ast_stmt *stmt_new(struct parse_ctx *c, const char *kw,
                                 struct pass_loc kw_loc, struct pass_loc loc)
{
    struct ast_stmt *s = arena_alloc(c->a, sizeof *s);
    s->keyword = kw;
    s->kw_loc = to_src(c, kw_loc);
    s->loc = to_src(c, loc);
    if (c->nvals) {
        s->vals = arena_alloc(c->a, c->nvals * sizeof *s->vals);
        memcpy(s->vals, c->vals, c->nvals * sizeof *s->vals);
        s->nvals = c->nvals;
    }
    c->nvals = 0;
    return s;
}

static struct stmt_list stmts_append(struct stmt_list l, struct ast_stmt *s)
{
    if (l.tail)
        l.tail->next = s;
    else
        l.head = s;
    l.tail = s;
    return l;
}

static void yyerror(YYLTYPE *loc, yyscan_t scanner, struct parse_ctx *c,
                    const char *msg);
}

%define api.pure full
%define parse.error custom
/* Canonical LR and no default reductions in inconsistent states: an
 * unexpected token is then seen while the statement list is still on the
 * stack, so `stmts error NL` can recover instead of aborting the parse, and
 * the "expected …" lists are exact. */
%define lr.type canonical-lr
%define lr.default-reduction consistent
%locations
%define api.location.type {struct pass_loc}
%param {yyscan_t scanner}
%parse-param {struct parse_ctx *ctx}

%union {
    const char *text;
    struct ast_stmt *stmt;
    struct stmt_list stmts;
}

%token <text> WORD   "word"
%token <text> NUMBER "number"
%token <text> STRING "string"
%token <text> ADDR   "PCI address"
%token <text> PAIR   "id"
%token <text> ADDRS  "joined PCI addresses"
%token NL            "end of line"
%token LBRACE        "'{'"
%token RBRACE        "'}'"

%type <stmt> stmt head
%type <stmts> stmts body

%%

spec
    : body                      { ctx->spec->stmts = $1.head; }
    ;

/* Statements end at a newline or ';'; the last one of a block or of the
 * file may end at '}' or the end of the file instead. */
body
    : stmts
    | stmts stmt                { $$ = stmts_append($1, $2); }
    ;

stmts
    : %empty                    { $$ = (struct stmt_list){NULL, NULL}; }
    | stmts NL
    | stmts stmt NL             { $$ = stmts_append($1, $2); }
    | stmts error NL            { yyerrok; }
    ;

stmt
    : head
    | head LBRACE body RBRACE
        {
            $$ = $1;
            $$->loc.end = @4.end;
            $$->has_block = true;
            $$->body = $3.head;
        }
    ;

head
    : WORD values               { $$ = stmt_new(ctx, $1, @1, @$); }
    ;

/* Collected in ctx->vals until the statement's head is reduced. */
values
    : %empty                    { ctx->nvals = 0; }
    | values WORD               { vals_append(ctx, AV_WORD, $2, @2); }
    | values NUMBER             { vals_append(ctx, AV_NUMBER, $2, @2); }
    | values STRING             { vals_append(ctx, AV_STRING, $2, @2); }
    | values ADDR               { vals_append(ctx, AV_ADDR, $2, @2); }
    | values PAIR               { vals_append(ctx, AV_PAIR, $2, @2); }
    | values ADDRS              { vals_append(ctx, AV_ADDRS, $2, @2); }
    ;

%%

/* ---- diagnostics ------------------------------------------------------ */

/* Counts one more syntax error at loc; false once the cap is passed (the
 * last message says so, where the parse stopped). */
static bool note_error(struct parse_ctx *c, src_loc loc)
{
    if (c->gave_up)
        return false;
    if (++c->nerrors > PARSE_MAX_ERRORS) {
        c->gave_up = true;
        diag_add(c->diags, R_P001, loc,
                 "too many syntax errors (more than %d); giving up here",
                 PARSE_MAX_ERRORS);
        return false;
    }
    return true;
}

void lex_error(struct parse_ctx *c, src_loc loc, const char *fmt, ...)
{
    if (!note_error(c, loc))
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(c->a, fmt, ap);
    va_end(ap);
    diag_add(c->diags, R_P001, loc, "%s", msg);
}

void lex_bad_byte(struct parse_ctx *c, unsigned char b, uint32_t off,
                  const char *where)
{
    src_loc loc = {c->src, off, off + 1};
    if (b == 0)
        lex_error(c, loc, "NUL byte%s: a spec is text", where);
    else if (b >= 0x80)
        lex_error(c, loc, "invalid UTF-8 byte 0x%02x%s", b, where);
    else if (b < 0x20 || b == 0x7f)
        lex_error(c, loc, "control character 0x%02x%s", b, where);
    else
        lex_error(c, loc, "unexpected character '%c'%s", b, where);
}

/* Strings and comments may hold any UTF-8 text, but no NUL, control
 * character (tab aside) or broken sequence: the text may end up in scripts
 * and in terminal output.  Reports the first bad byte only. */
void lex_check_text(struct parse_ctx *c, const char *text, size_t len,
                    const char *what)
{
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        unsigned char b = p[i];
        size_t n = 1;
        bool bad;
        if (b >= 0x80) {
            n = utf8_len(p + i, len - i);
            bad = n == 0;
        } else {
            bad = (b < 0x20 && b != '\t') || b == 0x7f;
        }
        if (bad) {
            lex_bad_byte(c, b, (uint32_t)(text + i - c->base),
                         arena_printf(c->a, " in %s", what));
            return;
        }
        i += n;
    }
}

static bool is_rule_id(const char *s, size_t n)
{
    if (n != 4 || s[0] != 'P')
        return false;
    for (size_t i = 1; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* `# passc: ignore P024 "reason"` is kept for rules_apply_ignores(); any
 * other comment is skipped.  A comment that starts with "passc:" but does
 * not have that shape is an error: a silently dead ignore is worse. */
void lex_comment(struct parse_ctx *c, const char *text, size_t len,
                 struct pass_loc loc)
{
    lex_check_text(c, text, len, "comment");
    const char *p = text + 1, *end = text + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(end - p) < 6 || memcmp(p, "passc:", 6) != 0)
        return;
    p += 6;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    const char *bad = p;
    if ((size_t)(end - p) < 6 || memcmp(p, "ignore", 6) != 0)
        goto malformed;
    p += 6;
    if (p >= end || (*p != ' ' && *p != '\t'))
        goto malformed;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    bad = p;
    const char *rule = p;
    while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
        p++;
    if (!is_rule_id(rule, (size_t)(p - rule)))
        goto malformed;
    size_t rule_len = (size_t)(p - rule);
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    const char *reason = NULL;
    if (p < end) {
        bad = p;
        const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
        if (*p != '"' || !q)
            goto malformed;
        reason = arena_strndup(c->a, p + 1, (size_t)(q - p - 1));
        for (p = q + 1; p < end && (*p == ' ' || *p == '\t' || *p == '\r'); p++)
            ;
        if (p < end) {
            bad = p;
            goto malformed;
        }
    }
    struct ast_ignore *ig = arena_alloc(c->a, sizeof *ig);
    ig->rule = arena_strndup(c->a, rule, rule_len);
    ig->reason = reason;
    ig->loc = to_src(c, loc);
    *c->ignore_tail = ig;
    c->ignore_tail = &ig->next;
    return;
malformed: {
        uint32_t off = (uint32_t)(bad - c->base);
        lex_error(c, (src_loc){c->src, off, off < loc.end ? off + 1 : off},
                  "malformed passc comment: write `# passc: ignore P0xx \"reason\"`");
    }
}

void lex_open_brace(struct parse_ctx *c, struct pass_loc loc)
{
    if (c->depth < PARSE_MAX_OPEN)
        c->open[c->depth] = loc;
    c->depth++;
    if (c->depth > c->max_depth)
        c->max_depth = c->depth;
}

void lex_close_brace(struct parse_ctx *c)
{
    if (c->depth)
        c->depth--;
}

static void yyerror(YYLTYPE *loc, yyscan_t scanner, struct parse_ctx *c,
                    const char *msg)
{
    (void)scanner;
    /* Only bison's own failures get here ("memory exhausted" when blocks
     * nest absurdly deep); syntax errors go through yyreport_syntax_error. */
    if (!strcmp(msg, "memory exhausted"))
        msg = "blocks nest too deeply: a spec needs three levels (vm, device, options)";
    lex_error(c, to_src(c, *loc), "%s", msg);
}

static const char *token_phrase(yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_YYEOF: return "end of file";
    case YYSYMBOL_YYerror: return "error";
    default: return yysymbol_name(k);
    }
}

/* Only blanks between the start of the line and off (C-style braces). */
static bool starts_line(const struct parse_ctx *c, uint32_t off)
{
    while (off > 0 && (c->base[off - 1] == ' ' || c->base[off - 1] == '\t'))
        off--;
    return off == 0 || c->base[off - 1] == '\n';
}

static bool is_value_token(yysymbol_kind_t k)
{
    return k == YYSYMBOL_WORD || k == YYSYMBOL_NUMBER || k == YYSYMBOL_STRING ||
           k == YYSYMBOL_ADDR || k == YYSYMBOL_PAIR || k == YYSYMBOL_ADDRS;
}
#define VALUE_TOKENS 6

/* `pci 01:00.0; 02:00.0`, `pci ;02:00.0`, `pci 01:00.0; {`: a ';' that is
 * not between two addresses ends the statement. */
static bool after_semicolon(const struct parse_ctx *c, uint32_t off)
{
    while (off > 0 && (c->base[off - 1] == ' ' || c->base[off - 1] == '\t'))
        off--;
    return off > 0 && c->base[off - 1] == ';';
}

static int yyreport_syntax_error(const yypcontext_t *pc, yyscan_t scanner,
                                 struct parse_ctx *c)
{
    (void)scanner;
    yysymbol_kind_t expected[YYNTOKENS];
    int n = yypcontext_expected_tokens(pc, expected, YYNTOKENS);
    yysymbol_kind_t got = yypcontext_token(pc);
    const YYLTYPE *l = yypcontext_location(pc);
    src_loc loc = to_src(c, *l);
    /* Point at the text of the token; at the end of file there is none. */
    if (got == YYSYMBOL_YYEOF || got == YYSYMBOL_NL)
        loc.end = loc.start + (got == YYSYMBOL_NL && loc.end > loc.start);
    if (!note_error(c, loc))
        return 0;
    /* Where any value may come, say "a value" rather than list five. */
    int values = 0;
    for (int i = 0; i < n; i++)
        values += is_value_token(expected[i]);
    const char *phrases[YYNTOKENS];
    int np = 0;
    if (values == VALUE_TOKENS)
        phrases[np++] = "a value";
    for (int i = 0; i < n; i++)
        if (values != VALUE_TOKENS || !is_value_token(expected[i]))
            phrases[np++] = token_phrase(expected[i]);
    char buf[256];
    size_t used = (size_t)snprintf(buf, sizeof buf, "unexpected %s",
                                   token_phrase(got));
    for (int i = 0; i < np && used < sizeof buf; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                 i == 0 ? ", expected " : i == np - 1 ? " or " : ", ",
                                 phrases[i]);
    struct diag *d = diag_add(c->diags, R_P001, loc, "%s", buf);
    if (got == YYSYMBOL_LBRACE && starts_line(c, loc.start))
        diag_fix(c->diags, d, "a block opens on the line of its statement: move this '{' up to the end of the line before");
    else if (got == YYSYMBOL_LBRACE && after_semicolon(c, loc.start))
        diag_fix(c->diags, d, "the ';' before this '{' ended the statement: remove it");
    else if ((got == YYSYMBOL_ADDR || got == YYSYMBOL_ADDRS || got == YYSYMBOL_PAIR) &&
             after_semicolon(c, loc.start))
        diag_fix(c->diags, d, "';' ends a statement; it joins host functions into one hostpci slot only between addresses, with no blanks: 01:00.0;02:00.0");
    if (got == YYSYMBOL_YYEOF && c->depth > 0 && c->depth <= PARSE_MAX_OPEN)
        diag_note(c->diags, d, to_src(c, c->open[c->depth - 1]),
                  "this '{' is never closed");
    return 0;
}

/* Keywords and values point into the scanner's buffer (a copy per token
 * was most of the AST's memory on a big spec); once the scanner is done with
 * the buffer, each text gets its NUL.  The byte after a token is never part
 * of another token's text: two word-like tokens cannot touch (the longest
 * match would have made them one), a string's text starts after its opening
 * quote.  Statements dropped by error recovery are not in the tree and keep
 * their bytes; nothing points at them.  Iterative, with a stack as deep as
 * the deepest block, so absurd nesting cannot exhaust the C stack. */
static void terminate_texts(arena *a, char *base, struct ast_stmt *s,
                            size_t max_depth)
{
    struct ast_stmt **stack = arena_alloc(a, (max_depth + 1) * sizeof *stack);
    size_t sp = 0;
    while (s || sp) {
        if (!s) {
            s = stack[--sp];
            continue;
        }
        base[s->kw_loc.end] = '\0';
        for (size_t i = 0; i < s->nvals; i++)
            if (s->vals[i].kind != AV_STRING)  /* the lexer ended those */
                base[s->vals[i].loc.end] = '\0';
        if (s->body && sp <= max_depth) {
            stack[sp++] = s->next;
            s = s->body;
        } else {
            s = s->next;
        }
    }
}

struct ast_spec *parse_spec(arena *a, const struct source *src,
                            struct diag_list *diags)
{
    struct ast_spec *spec = arena_alloc(a, sizeof *spec);
    spec->src = src;
    struct parse_ctx ctx = {
        .a = a, .src = src, .diags = diags, .spec = spec,
        .ignore_tail = &spec->ignores,
    };
    /* flex scans in place and needs two NULs at the end; a copy keeps the
     * source text untouched (flex writes into its buffer while scanning, and
     * terminate_texts() turns it into the AST's strings afterwards). */
    char *buf = arena_alloc(a, src->len + 2);
    memcpy(buf, src->text, src->len);
    /* Editors on Windows may start UTF-8 files with a byte-order mark:
     * read it as blanks, so offsets and columns stay those of the file. */
    if (src->len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
        memset(buf, ' ', 3);
    ctx.base = buf;
    yyscan_t scanner;
    if (yylex_init_extra(&ctx, &scanner) != 0)
        return NULL;
    if (!yy_scan_buffer(buf, src->len + 2, scanner)) {
        yylex_destroy(scanner);
        return NULL;
    }
    yyparse(scanner, &ctx);
    yylex_destroy(scanner);
    terminate_texts(a, buf, spec->stmts, ctx.max_depth);
    return spec;
}
