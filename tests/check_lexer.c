/* The scanner on its own: token kinds, spans, bad bytes. */
#include <check.h>
#include <string.h>

#include "parser.h"
#include "lexer.h"
#include "fe_test.h"

/* Token kinds of text as one short string: W N S A P J(oined) ; { } E(rror). */
static const char *scan(arena *a, const char *text, size_t len,
                        struct diag_list *d, struct ast_spec *spec)
{
    struct source *src = source_from_text(a, "t.pass", text, len);
    struct parse_ctx ctx = {.a = a, .src = src, .diags = d, .spec = spec,
                            .ignore_tail = &spec->ignores};
    char *buf = arena_alloc(a, len + 2);
    memcpy(buf, text, len);
    ctx.base = buf;
    yyscan_t sc;
    ck_assert_int_eq(yylex_init_extra(&ctx, &sc), 0);
    ck_assert_ptr_nonnull(yy_scan_buffer(buf, len + 2, sc));
    char *out = arena_alloc(a, 4 * len + 8);
    size_t n = 0;
    YYSTYPE v;
    YYLTYPE l;
    for (int t; (t = yylex(&v, &l, sc)) != YYEOF;) {
        ck_assert_uint_le(l.start, l.end);
        ck_assert_uint_le(l.end, len);
        switch (t) {
        case WORD: out[n++] = 'W'; break;
        case NUMBER: out[n++] = 'N'; break;
        case STRING: out[n++] = 'S'; break;
        case ADDR: out[n++] = 'A'; break;
        case PAIR: out[n++] = 'P'; break;
        case ADDRS: out[n++] = 'J'; break;
        case NL: out[n++] = ';'; break;
        case LBRACE: out[n++] = '{'; break;
        case RBRACE: out[n++] = '}'; break;
        default: out[n++] = 'E'; break;
        }
    }
    yylex_destroy(sc);
    out[n] = '\0';
    return out;
}

static const struct {
    const char *in;
    size_t len;        /* 0: strlen */
    const char *tokens;
    unsigned p001;     /* expected syntax errors */
} cases[] = {
    {"gpu 02:00.0 10de:2783 \"RTX\" {", 0, "WAPS{", 0},
    {"cores 24\nmemory 96 GiB;", 0, "WN;WNW;", 0},
    {"0000:79:00.4 79:00.4 02:00 1b21:2426", 0, "AAPP", 0},
    {"pc-q35-9.0 0x10de all-functions sub-vendor-id x+y", 0, "WWWWW", 0},
    {"02:00.0x 1:2:3:4 zz:zz", 0, "AAA", 0},
    {"# a comment \"with quotes\"\nvm", 0, ";W", 0},
    {"board \"a # not a comment\"", 0, "WS", 0},
    {"{ } ; \r\n", 0, "{};;", 0},
    {"\"unterminated\nx", 0, "E;W", 1},
    {"a \x01 b", 0, "WEW", 1},
    {"a \xff b", 0, "WEW", 1},
    {"a \xc3\xa9 b", 0, "WEW", 1},           /* é outside a string */
    {"\"caf\xc3\xa9\"", 0, "S", 0},          /* é inside a string */
    {"\"bad \xc3\x28\"", 0, "S", 1},         /* broken UTF-8 in a string */
    {"# bad \xed\xa0\x80 surrogate", 0, "", 1},
    {"a\0b", 3, "WEW", 1},
    {"\"nul\0in\"", 8, "S", 1},
    {"", 0, "", 0},
    /* `;` between addresses, no blanks: one slot; anything else ends a statement */
    {"pci 01:00.0;02:00.0 10de:1234", 0, "WJP", 0},
    {"0000:01:00.0;02:00;zz:00.0x", 0, "J", 0},
    {"gpu 01:00.0;audio 01:00.1", 0, "WA;WA", 0},
    {"gpu 01:00.0; audio 01:00.1", 0, "WA;WA", 0},
    {"pci 01:00.0 ;02:00.0", 0, "WA;A", 0},
    {"pci 01:00.0;;audio", 0, "WA;;W", 0},
    {"pci 01:00.0;\n", 0, "WA;;", 0},
    {"pci 01:00.0;;02:00.0 x", 0, "WEW", 1},
    {"10de:2783;0x10", 0, "P;W", 0},
    {"a:b;c:d{", 0, "J{", 0},
};

START_TEST(lexer_tokens)
{
    arena *a = arena_new();
    struct diag_list d;
    diag_init(&d, a);
    struct ast_spec spec = {0};
    size_t len = cases[_i].len ? cases[_i].len : strlen(cases[_i].in);
    const char *got = scan(a, cases[_i].in, len, &d, &spec);
    ck_assert_msg(!strcmp(got, cases[_i].tokens), "case %d: tokens %s, expected %s",
                  _i, got, cases[_i].tokens);
    ck_assert_uint_eq(d.n[SEV_ERROR], cases[_i].p001);
    for (const struct diag *x = d.head; x; x = x->next)
        ck_assert_str_eq(x->rule, "P001");
    arena_free(a);
}
END_TEST

START_TEST(lexer_spans_are_byte_offsets)
{
    arena *a = arena_new();
    const char *text = "  usb4 78:00.0 \"x\"";
    struct source *src = source_from_text(a, "t.pass", text, strlen(text));
    struct diag_list d;
    diag_init(&d, a);
    struct ast_spec spec = {0};
    struct parse_ctx ctx = {.a = a, .src = src, .diags = &d, .spec = &spec,
                            .ignore_tail = &spec.ignores};
    char *buf = arena_alloc(a, strlen(text) + 2);
    memcpy(buf, text, strlen(text));
    ctx.base = buf;
    yyscan_t sc;
    yylex_init_extra(&ctx, &sc);
    yy_scan_buffer(buf, strlen(text) + 2, sc);
    YYSTYPE v;
    YYLTYPE l;
    ck_assert_int_eq(yylex(&v, &l, sc), WORD);
    ck_assert_uint_eq(l.start, 2);
    ck_assert_uint_eq(l.end, 6);
    ck_assert_str_eq(v.text, "usb4");
    ck_assert_int_eq(yylex(&v, &l, sc), ADDR);
    ck_assert_uint_eq(l.start, 7);
    ck_assert_str_eq(v.text, "78:00.0");
    ck_assert_int_eq(yylex(&v, &l, sc), STRING);
    ck_assert_uint_eq(l.start, 15);
    ck_assert_uint_eq(l.end, 18);
    ck_assert_str_eq(v.text, "x");
    ck_assert_int_eq(yylex(&v, &l, sc), YYEOF);
    ck_assert_uint_eq(l.start, strlen(text));
    yylex_destroy(sc);
    arena_free(a);
}
END_TEST

static const struct {
    const char *in;
    const char *rule;    /* NULL: no ignore collected */
    const char *reason;
    unsigned p001;
} ignores[] = {
    {"# passc: ignore P024 \"shared group is fine\"\n", "P024", "shared group is fine", 0},
    {"#passc: ignore P013\n", "P013", NULL, 0},
    {"  # passc:   ignore   P011   \"x\"  \n", "P011", "x", 0},
    {"# passc: ignore p024 \"x\"\n", NULL, NULL, 1},
    {"# passc: ignore P24 \"x\"\n", NULL, NULL, 1},
    {"# passc: silence P024\n", NULL, NULL, 1},
    {"# passc: ignore P024 \"x\" trailing\n", NULL, NULL, 1},
    {"# passc: ignore P024 \"unterminated\n", NULL, NULL, 1},
    {"# not passc: ignore P024\n", NULL, NULL, 0},
};

START_TEST(lexer_ignore_comments)
{
    struct fe_run r;
    fe_run(&r, ignores[_i].in, 1);
    if (ignores[_i].rule) {
        ck_assert_ptr_nonnull(r.ast->ignores);
        ck_assert_str_eq(r.ast->ignores->rule, ignores[_i].rule);
        if (ignores[_i].reason)
            ck_assert_str_eq(r.ast->ignores->reason, ignores[_i].reason);
        else
            ck_assert_ptr_null(r.ast->ignores->reason);
    } else {
        ck_assert_ptr_null(r.ast->ignores);
    }
    ck_assert_uint_eq(fe_count(&r, "P001"), ignores[_i].p001);
    fe_done(&r);
}
END_TEST

Suite *suite_lexer(void)
{
    Suite *s = suite_create("lexer");
    TCase *tc = tcase_create("lexer");
    tcase_add_loop_test(tc, lexer_tokens, 0, sizeof cases / sizeof cases[0]);
    tcase_add_test(tc, lexer_spans_are_byte_offsets);
    tcase_add_loop_test(tc, lexer_ignore_comments, 0,
                        sizeof ignores / sizeof ignores[0]);
    suite_add_tcase(s, tc);
    return s;
}
