/* The grammar: AST shape, spans, and where syntax errors point. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "fe_test.h"
#include "strbuf.h"

/* kw(v1,v2){...} with values tagged by kind: w n s a p j. */
static void dump(struct strbuf *sb, const struct ast_stmt *s)
{
    for (; s; s = s->next) {
        sb_add(sb, s->keyword);
        sb_add(sb, "(");
        for (size_t i = 0; i < s->nvals; i++) {
            static const char tag[] = "wnsapj";
            sb_printf(sb, "%s%c:%s", i ? "," : "", tag[s->vals[i].kind],
                      s->vals[i].text);
        }
        sb_add(sb, ")");
        if (s->has_block) {
            sb_add(sb, "{");
            dump(sb, s->body);
            sb_add(sb, "}");
        }
        if (s->next)
            sb_add(sb, " ");
    }
}

static const struct {
    const char *in;
    const char *ast;
} shapes[] = {
    {"", ""},
    {"\n\n;;\n", ""},
    {"vm 102", "vm(n:102)"},
    {"vm 102 \"win\" { cores 24 }", "vm(n:102,s:win){cores(n:24)}"},
    {"vm 102 {\n}\n", "vm(n:102){}"},
    {"a; b\nc", "a() b() c()"},
    {"gpu 02:00.0 10de:2783 \"RTX\" { primary; audio 02:00.1 10de:22bc }",
     "gpu(a:02:00.0,p:10de:2783,s:RTX){primary() audio(a:02:00.1,p:10de:22bc)}"},
    {"host { a { b { c } } }", "host(){a(){b(){c()}}}"},
    {"memory 96 GiB # comment\nnuma on", "memory(n:96,w:GiB) numa(w:on)"},
    {"x {}\ny {}", "x(){} y(){}"},
    /* texts live in the scanner buffer and end on the byte after them:
     * tokens that touch must still come out whole */
    {"a\"b\"c{d}", "a(s:b,w:c){d()}"},
    {"x 1#c\ny\"\" 2;z", "x(n:1) y(s:,n:2) z()"},
    {"usb4 78:00.0{tunnels 79:00.3 79:00.4}", "usb4(a:78:00.0){tunnels(a:79:00.3,a:79:00.4)}"},
    /* a joined list is one value; `;` with a blank or a keyword after it
     * still ends the statement */
    {"pci 01:00.0;02:00.0{x}", "pci(j:01:00.0;02:00.0){x()}"},
    {"pci 01:00.0;02:00.0;x", "pci(j:01:00.0;02:00.0) x()"},
    {"gpu 01:00.0; audio 01:00.1", "gpu(a:01:00.0) audio(a:01:00.1)"},
    {"gpu 01:00.0;audio 01:00.1", "gpu(a:01:00.0) audio(a:01:00.1)"},
    {"pci 01:00.0;\n", "pci(a:01:00.0)"},
};

START_TEST(parser_shapes)
{
    struct fe_run r;
    fe_run(&r, shapes[_i].in, 1);
    ck_assert_ptr_nonnull(r.ast);
    struct strbuf sb;
    sb_init(&sb, r.a);
    dump(&sb, r.ast->stmts);
    ck_assert_str_eq(sb_str(&sb), shapes[_i].ast);
    ck_assert_uint_eq(fe_count(&r, "P001"), 0);
    fe_done(&r);
}
END_TEST

START_TEST(parser_statement_spans)
{
    struct fe_run r;
    const char *text = "vm 102 {\n  gpu 02:00.0 {\n    primary\n  }\n}\n";
    fe_run(&r, text, 1);
    const struct ast_stmt *vm = r.ast->stmts;
    ck_assert_uint_eq(vm->loc.start, 0);
    ck_assert_uint_eq(vm->loc.end, strlen(text) - 1);   /* through '}' */
    ck_assert_uint_eq(vm->kw_loc.end, 2);
    const struct ast_stmt *gpu = vm->body;
    ck_assert_uint_eq(gpu->loc.start, 11);
    ck_assert_int_eq(text[gpu->loc.end - 1], '}');
    ck_assert_uint_eq(gpu->vals[0].loc.start, 15);
    ck_assert_uint_eq(gpu->vals[0].loc.end, 22);
    ck_assert_str_eq(gpu->body->keyword, "primary");
    fe_done(&r);
}
END_TEST

/* Where the first syntax error points, how many there are, and what the
 * message starts with. */
static const struct {
    const char *in;
    const char *where;
    unsigned count;
    const char *msg;
} errors[] = {
    {"vm 102 {\n  cores 24\n", "3:1", 1, "unexpected end of file"},
    {"}\n", "1:1", 1, "unexpected '}'"},
    {"vm 102 { { }\n", "1:10", 2, "unexpected '{'"},
    {"\"x\"\n", "1:1", 1, "unexpected string"},
    {"02:00.0 gpu\n", "1:1", 1, "unexpected PCI address"},
    {"a {\n  b \"open\n}\n", "2:5", 1, "unterminated string"},
    {"a\n}\nb\n}\nc\n", "2:1", 2, "unexpected '}'"},
    {"x 1 { y 2 } z\n", "1:13", 1, "unexpected word"},
    {"a \x01\nb \x02\n", "1:3", 2, "control character 0x01"},
    {"a \xc3\n", "1:3", 1, "invalid UTF-8 byte 0xc3"},
    {"pci 01:00.0;;02:00.0\n", "1:13", 1, "empty address in a ';'-joined list"},
    {"pci ;02:00.0\n", "1:6", 1, "unexpected PCI address"},
    {"pci 01:00.0; 02:00.0\n", "1:14", 1, "unexpected PCI address"},
    {"pci 01:00.0;02:00.0; {\n}\n", "1:22", 2, "unexpected '{'"},
};

START_TEST(parser_errors)
{
    struct fe_run r;
    fe_run(&r, errors[_i].in, 1);
    ck_assert_ptr_nonnull(r.ast);
    ck_assert_uint_eq(fe_count(&r, "P001"), errors[_i].count);
    const struct diag *d = fe_first(&r, "P001");
    ck_assert_str_eq(fe_where(r.a, d), errors[_i].where);
    ck_assert_msg(!strncmp(d->msg, errors[_i].msg, strlen(errors[_i].msg)),
                  "message '%s'", d->msg);
    fe_done(&r);
}
END_TEST

/* Recovery: statements around a bad line are still in the AST. */
START_TEST(parser_recovers_per_statement)
{
    struct fe_run r;
    fe_run(&r, "vm 102 {\n  cores 24\n  } }\n  numa on\n}\nvm 103 { }\n", 1);
    ck_assert_uint_ge(fe_count(&r, "P001"), 1);
    size_t n = 0;
    for (const struct ast_stmt *s = r.ast->stmts; s; s = s->next)
        n++;
    ck_assert_uint_ge(n, 1);
    fe_done(&r);
}
END_TEST

/* Meaning-level findings wait until the syntax is right: they would echo
 * what recovery skipped. */
START_TEST(parser_errors_mute_later_stages)
{
    struct fe_run r;
    fe_run(&r, "vm 102\n{\n  cores 0\n  gpu 02:00.0\n}\n", 3);
    ck_assert_uint_ge(fe_count(&r, "P001"), 1);
    for (const struct diag *d = r.d.head; d; d = d->next)
        ck_assert_str_eq(d->rule, "P001");
    fe_done(&r);
}
END_TEST

START_TEST(parser_caps_errors)
{
    arena *a = arena_new();
    size_t len = 1000;
    char *text = arena_alloc(a, len);
    for (size_t i = 0; i < len; i++)
        text[i] = i % 2 ? '\n' : '}';
    struct fe_run r;
    fe_run_text(&r, text, len, 1);
    /* 20 located errors plus one "giving up" */
    ck_assert_uint_eq(fe_count(&r, "P001"), 21);
    fe_done(&r);
    arena_free(a);
}
END_TEST

START_TEST(parser_deep_nesting_does_not_crash)
{
    arena *a = arena_new();
    size_t n = 200000;
    char *text = arena_alloc(a, 4 * n);
    for (size_t i = 0; i < n; i++)
        memcpy(text + 4 * i, "a { ", 4);
    struct fe_run r;
    fe_run_text(&r, text, 4 * n, 3);
    ck_assert_uint_ge(fe_count(&r, "P001"), 1);
    fe_done(&r);
    arena_free(a);
}
END_TEST

/* Spec fragments and stray bytes shuffled by a fixed LCG: whatever comes
 * in, the whole spec-only pipeline must not crash (ASan run included) and
 * every diagnostic must lie inside the text. */
START_TEST(parser_survives_shuffled_fragments)
{
    static const char *frag[] = {
        "host", "vm", "102", "\"x\"", "{", "}", "\n", ";", "gpu", "audio",
        "02:00.0", "10de:2783", "all-functions", "slot", "16", "tunnels",
        "usb4", "# passc: ignore P013 \"r\"\n", "memory", "GiB", "\"open",
        "\x00", "\xff", "\xc3\xa9", "\x01", "primary", "pcie", "machine",
        "pc", "q35", "cores", "0", "1:2:3:4.5", " ", "\t", "\r\n", "#",
    };
    enum { NFRAG = sizeof frag / sizeof frag[0] };
    uint32_t seed = 12345u + (uint32_t)_i * 7919u;
    char text[4096];
    size_t len = 0;
    for (int k = 0; k < 200; k++) {
        seed = seed * 1103515245u + 12345u;
        const char *f = frag[(seed >> 16) % NFRAG];
        size_t fl = f[0] ? strlen(f) : 1;   /* "\x00" is one NUL byte */
        if (len + fl + 1 >= sizeof text)
            break;
        memcpy(text + len, f, fl);
        len += fl;
        text[len++] = (seed >> 8) & 1 ? ' ' : '\n';
    }
    struct fe_run r;
    fe_run_text(&r, text, len, 3);
    for (const struct diag *d = r.d.head; d; d = d->next) {
        ck_assert_ptr_nonnull(d->rule);
        if (d->loc.src) {
            ck_assert_uint_le(d->loc.start, len);
            ck_assert_uint_le(d->loc.end, len);
            ck_assert_uint_le(d->loc.start, d->loc.end);
        }
    }
    fe_done(&r);
}
END_TEST

START_TEST(parser_rejects_overlong_tokens)
{
    arena *a = arena_new();
    char *w = arena_alloc(a, 400);
    memset(w, 'w', 300);
    memcpy(w + 300, " 4\n", 3);
    struct fe_run r;
    fe_run_text(&r, w, 303, 1);
    ck_assert_uint_eq(fe_count(&r, "P001"), 1);
    ck_assert_ptr_nonnull(strstr(fe_first(&r, "P001")->msg, "too long"));
    fe_done(&r);
    arena_free(a);
}
END_TEST

Suite *suite_parser(void)
{
    Suite *s = suite_create("parser");
    TCase *tc = tcase_create("parser");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, parser_shapes, 0, sizeof shapes / sizeof shapes[0]);
    tcase_add_test(tc, parser_statement_spans);
    tcase_add_loop_test(tc, parser_errors, 0, sizeof errors / sizeof errors[0]);
    tcase_add_test(tc, parser_recovers_per_statement);
    tcase_add_test(tc, parser_errors_mute_later_stages);
    tcase_add_test(tc, parser_caps_errors);
    tcase_add_test(tc, parser_deep_nesting_does_not_crash);
    tcase_add_loop_test(tc, parser_survives_shuffled_fragments, 0, 300);
    tcase_add_test(tc, parser_rejects_overlong_tokens);
    suite_add_tcase(s, tc);
    return s;
}
