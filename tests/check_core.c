/* Core helpers: arena, strbuf, source locations, PCI addresses, diag order. */
#include <check.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "pci_addr.h"
#include "source.h"
#include "strbuf.h"

START_TEST(arena_grows_last_block_in_place)
{
    arena *a = arena_new();
    char *p = arena_alloc(a, 10);
    char *q = arena_realloc(a, p, 10, 100);
    ck_assert_ptr_eq(p, q);
    char *big = arena_alloc(a, 1 << 20);
    big[(1 << 20) - 1] = 1;
    ck_assert_uint_ge(arena_used(a), (1u << 20) + 100);
    arena_free(a);
}
END_TEST

/* A strbuf-sized big block grows by realloc: arena_used counts each byte
 * once, not every doubling's old copy; what was written stays, and big
 * blocks allocated around it stay valid (arena_free under ASan/valgrind
 * finds a broken chunk list). */
START_TEST(arena_resize_leaves_no_copy)
{
    arena *a = arena_new();
    char *first = arena_alloc(a, 1 << 16);
    first[0] = 'f';
    size_t before = arena_used(a);
    size_t n = 1 << 15;
    char *p = arena_resize(a, NULL, 0, n);
    memset(p, 'x', n);
    while (n < (1u << 22)) {
        p = arena_resize(a, p, n, 2 * n);
        ck_assert_int_eq(p[n - 1], 'x');
        ck_assert_int_eq(p[n], 0);   /* zeroed like any arena memory */
        memset(p + n, 'x', n);
        n *= 2;
        (void)arena_alloc(a, 100);   /* small blocks in between do not matter */
    }
    ck_assert_uint_le(arena_used(a) - before, n + 64 * 1024);
    ck_assert_int_eq(first[0], 'f');
    struct strbuf sb;
    sb_init(&sb, a);
    for (int i = 0; i < 100000; i++)
        sb_add(&sb, "0123456789");
    ck_assert_uint_eq(strlen(sb_str(&sb)), 1000000);
    arena_free(a);
}
END_TEST

/* a helper thread's arena handed to its owner: what it allocated stays
 * valid, the owner keeps growing in place, one arena_free releases all */
START_TEST(arena_adopt_keeps_child_memory)
{
    arena *a = arena_new();
    char *p = arena_alloc(a, 10);
    arena *child = arena_new();
    char *s = arena_strdup(child, "from the helper");
    char *big = arena_alloc(child, 1 << 20);
    big[0] = 'x';
    size_t before = arena_used(a);
    arena_adopt(a, child);
    ck_assert_uint_ge(arena_used(a), before + (1u << 20));
    ck_assert_str_eq(s, "from the helper");
    ck_assert_ptr_eq(arena_realloc(a, p, 10, 40), p);
    arena *empty = arena_new();
    arena_adopt(a, empty);
    arena *fresh = arena_new();
    arena *kid = arena_new();
    ck_assert_str_eq(arena_strdup(kid, "k"), "k");
    arena_adopt(fresh, kid);   /* an owner with no chunk yet */
    ck_assert_ptr_nonnull(arena_alloc(fresh, 8));
    arena_free(fresh);
    arena_free(a);
}
END_TEST

START_TEST(strbuf_shell_quote_is_data)
{
    arena *a = arena_new();
    struct strbuf sb;
    sb_init(&sb, a);
    sb_shell_quote(&sb, "it's $(rm -rf /)\n`x`");
    ck_assert_str_eq(sb_str(&sb), "'it'\\''s $(rm -rf /)\n`x`'");
    arena_free(a);
}
END_TEST

static const struct {
    const char *in;
    int ok;
    const char *canon;
} addr_cases[] = {
    {"02:00.0", 1, "0000:02:00.0"},
    {"0000:79:00.4", 1, "0000:79:00.4"},
    {"0A:1f.7", 1, "0000:0a:1f.7"},
    {"10000:01:00.0", 1, "10000:01:00.0"},
    {"02:20.0", 0, NULL},
    {"100:00.0", 0, NULL},
    {"02:00.8", 0, NULL},
    {"02:00", 0, NULL},
    {"000:02:00.0", 0, NULL},
    {"02:00.0x", 0, NULL},
};

START_TEST(pci_addr_table)
{
    struct pci_addr a;
    const char *why = NULL;
    char buf[24];
    int r = pci_addr_parse(addr_cases[_i].in, false, &a, &why);
    ck_assert_int_eq(r == 0, addr_cases[_i].ok);
    if (r == 0)
        ck_assert_str_eq(pci_addr_format(&a, buf), addr_cases[_i].canon);
    else
        ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(pci_addr_all_functions)
{
    struct pci_addr a;
    const char *why;
    char buf[24];
    ck_assert_int_eq(pci_addr_parse("02:00", true, &a, &why), 0);
    ck_assert_str_eq(pci_addr_format(&a, buf), "0000:02:00");
}
END_TEST

START_TEST(pci_id_parse_cases)
{
    struct pci_id id;
    const char *why;
    char buf[10];
    ck_assert_int_eq(pci_id_parse("10DE:2783", &id, &why), 0);
    ck_assert_str_eq(pci_id_format(&id, buf), "10de:2783");
    ck_assert_int_eq(pci_id_parse("10de:278", &id, &why), -1);
    ck_assert_int_eq(pci_id_parse("10de2783", &id, &why), -1);
    ck_assert_int_eq(pci_id_parse("10de:27830", &id, &why), -1);
}
END_TEST

START_TEST(source_lines_and_columns)
{
    arena *a = arena_new();
    struct source *s = source_from_text(a, "t.pass", "ab\r\ncd\n\nxyz", 11);
    unsigned line, col;
    source_line_col(s, 5, &line, &col);
    ck_assert_uint_eq(line, 2);
    ck_assert_uint_eq(col, 2);
    size_t len;
    const char *t = source_line(s, 1, &len);
    ck_assert_uint_eq(len, 2);
    ck_assert_int_eq(memcmp(t, "ab", 2), 0);
    ck_assert_uint_eq(source_offset(s, 4, 3), 10);
    arena_free(a);
}
END_TEST

START_TEST(diag_sort_is_stable_by_place)
{
    arena *a = arena_new();
    struct source *s = source_from_text(a, "t.pass", "aaaa\nbbbb\n", 10);
    struct diag_list l;
    diag_init(&l, a);
    diag_add(&l, R_P010, (src_loc){s, 6, 7}, "second");
    diag_add(&l, R_P002, (src_loc){s, 0, 1}, "first");
    diag_add(&l, R_P002, (src_loc){s, 6, 7}, "third");
    diag_sort(&l);
    ck_assert_str_eq(l.head->msg, "first");
    ck_assert_str_eq(l.head->next->msg, "third");
    ck_assert_str_eq(l.tail->msg, "second");
    diag_remove(&l, l.head);
    ck_assert_uint_eq(l.n[SEV_ERROR], 1);
    ck_assert_uint_eq(l.n[SEV_WARNING], 1);
    arena_free(a);
}
END_TEST

Suite *suite_core(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, arena_grows_last_block_in_place);
    tcase_add_test(tc, arena_resize_leaves_no_copy);
    tcase_add_test(tc, arena_adopt_keeps_child_memory);
    tcase_add_test(tc, strbuf_shell_quote_is_data);
    tcase_add_loop_test(tc, pci_addr_table, 0,
                        sizeof addr_cases / sizeof addr_cases[0]);
    tcase_add_test(tc, pci_addr_all_functions);
    tcase_add_test(tc, pci_id_parse_cases);
    tcase_add_test(tc, source_lines_and_columns);
    tcase_add_test(tc, diag_sort_is_stable_by_place);
    suite_add_tcase(s, tc);
    return s;
}
