/* check_registry.c — rules_list.h is the one source of rule ids and
 * severities: the catalogue agrees with the enum, and every call site in
 * the sources raises a rule with a severity its catalogue entry allows.
 *
 * The call-site check reads the sources (compiler/ with any subfolders,
 * grammar/) rather than running them: a severity chosen on a path no test
 * reaches would slip past diag_add_sev()'s run-time assertion. */
#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "rules.h"
#include "test_util.h"

START_TEST(catalogue_is_the_enum)
{
    size_t n;
    const struct rule_info *cat = rule_catalogue(&n);
    ck_assert_uint_eq(n, RULE_COUNT - 1);
    for (size_t i = 0; i < n; i++) {
        const struct rule_info *r = &cat[i];
        ck_assert_int_eq(r->rule, (int)(i + 1));
        ck_assert_ptr_eq(rule_info_of(r->rule), r);
        ck_assert_ptr_eq(rule_find(r->id), r);
        ck_assert_msg(strlen(r->id) == 4 && (r->id[0] == 'P' || r->id[0] == 'F') &&
                      isdigit((unsigned char)r->id[1]) &&
                      isdigit((unsigned char)r->id[2]) &&
                      isdigit((unsigned char)r->id[3]), "bad id %s", r->id);
        ck_assert_msg(r->sevs & (1u << r->sev), "%s: default not allowed", r->id);
        ck_assert_msg(!(r->sevs & ~(unsigned)(SEVS_INFO | SEVS_WARNING | SEVS_ERROR)),
                      "%s: unknown severity bits", r->id);
        /* ascending within a letter: the order is SARIF's ruleIndex and
         * `passc rules`'s, so a new rule goes in its place */
        if (i && cat[i - 1].id[0] == r->id[0])
            ck_assert_msg(strcmp(cat[i - 1].id, r->id) < 0, "%s out of order", r->id);
    }
    ck_assert_ptr_null(rule_info_of(RULE_NONE));
    ck_assert_ptr_null(rule_info_of(RULE_COUNT));
}
END_TEST

/* The printed id comes from the catalogue; a finding outside it has none. */
START_TEST(diag_takes_id_and_default_severity)
{
    arena *a = arena_new();
    struct diag_list l;
    diag_init(&l, a);
    struct diag *d = diag_add(&l, R_P024, (src_loc){0}, "x");
    ck_assert_int_eq(d->id, R_P024);
    ck_assert_str_eq(d->rule, "P024");
    ck_assert_int_eq(d->sev, SEV_WARNING);
    d = diag_add_sev(&l, R_P024, SEV_ERROR, (src_loc){0}, "y");
    ck_assert_int_eq(d->sev, SEV_ERROR);
    d = diag_add_sev(&l, RULE_NONE, SEV_WARNING, (src_loc){0}, "z");
    ck_assert_ptr_null(d->rule);
    ck_assert_uint_eq(l.n[SEV_WARNING], 2);
    ck_assert_uint_eq(l.n[SEV_ERROR], 1);
    arena_free(a);
}
END_TEST

/* A severity outside the catalogue's set is a bug at the call site. */
START_TEST(diag_add_sev_refuses_a_severity_not_allowed)
{
    arena *a = arena_new();
    struct diag_list l;
    diag_init(&l, a);
    diag_add_sev(&l, R_P012, SEV_WARNING, (src_loc){0}, "x");
    arena_free(a);
}
END_TEST

/* ---- call sites in the sources --------------------------------------- */

/* Comments, string and character literals blanked to spaces (newlines
 * kept), so that a ',' or '(' in a message does not count as code. */
static void blank_non_code(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < n && !(s[j] == '*' && s[j + 1] == '/'))
                j++;
            size_t end = j + 2 < n ? j + 2 : n;
            for (; i < end; i++)
                if (s[i] != '\n')
                    s[i] = ' ';
            i--;
        } else if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
            while (i < n && s[i] != '\n')
                s[i++] = ' ';
        } else if (s[i] == '"' || s[i] == '\'') {
            char q = s[i];
            s[i++] = ' ';
            while (i < n && s[i] != q && s[i] != '\n') {
                if (s[i] == '\\' && i + 1 < n)
                    s[i++] = ' ';
                s[i++] = ' ';
            }
            if (i < n && s[i] == q)
                s[i] = ' ';
        }
    }
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The rule a token names (R_P024), RULE_NONE for "RULE_NONE", or -1. */
static int rule_of_token(const char *s, size_t len)
{
    if (len == 9 && !strncmp(s, "RULE_NONE", 9))
        return RULE_NONE;
    if (len != 6 || strncmp(s, "R_", 2))
        return -1;
    char id[5];
    memcpy(id, s + 2, 4);
    id[4] = 0;
    const struct rule_info *r = rule_find(id);
    return r && !strcmp(r->id, id) ? (int)r->rule : -1;
}

struct scan {
    arena *a;
    size_t calls;                  /* diag_add / diag_add_sev calls seen */
    bool raised[RULE_COUNT];       /* rule's R_ token appears in code */
    struct strbuf errors;
};

/* The severities (SEVS_* bits) named in s[0..n): SEV_INFO and so on. */
static unsigned sevs_named(const char *s, size_t n)
{
    static const struct { const char *name; unsigned bit; } sev[] = {
        {"SEV_INFO", SEVS_INFO}, {"SEV_WARNING", SEVS_WARNING},
        {"SEV_ERROR", SEVS_ERROR}};
    unsigned m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ident_char(s[i]) || (i && ident_char(s[i - 1])))
            continue;
        size_t j = i;
        while (j < n && ident_char(s[j]))
            j++;
        for (size_t k = 0; k < 3; k++)
            if (j - i == strlen(sev[k].name) && !strncmp(s + i, sev[k].name, j - i))
                m |= sev[k].bit;
        i = j;
    }
    return m;
}

static const char *trimmed(arena *a, const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return arena_strndup(a, s, n);
}

static unsigned line_of(const char *text, size_t off)
{
    unsigned line = 1;
    for (size_t i = 0; i < off; i++)
        line += text[i] == '\n';
    return line;
}

/* One call starting at text[open] == '('; with_sev: diag_add_sev. */
static void check_call(struct scan *sc, const char *path, const char *text,
                       size_t len, size_t open, bool with_sev)
{
    size_t arg_at[4], arg_end[4], nargs = 0;
    int depth = 0;
    size_t start = open + 1, i;
    for (i = open; i < len; i++) {
        char c = text[i];
        if (c == '(' || c == '[' || c == '{')
            depth++;
        else if (c == ')' || c == ']' || c == '}')
            depth--;
        if ((c == ',' && depth == 1) || depth == 0) {
            if (nargs < 4) {
                arg_at[nargs] = start;
                arg_end[nargs] = i;
                nargs++;
            }
            start = i + 1;
        }
        if (depth == 0)
            break;
    }
    unsigned line = line_of(text, open);
    if (nargs < (with_sev ? 4u : 3u)) {
        sb_printf(&sc->errors, "%s:%u: cannot read the call\n", path, line);
        return;
    }
    sc->calls++;
    const char *rule = trimmed(sc->a, text + arg_at[1], arg_end[1] - arg_at[1]);
    int r = rule_of_token(rule, strlen(rule));
    if (!with_sev) {
        /* a helper may pass its own rule parameter on: its callers name
         * the R_ token, and the default severity is always allowed */
        if (r == RULE_NONE)
            sb_printf(&sc->errors, "%s:%u: RULE_NONE has no default severity: "
                      "diag_add_sev\n", path, line);
        return;
    }
    if (r < 0) {
        sb_printf(&sc->errors, "%s:%u: diag_add_sev needs a literal rule id "
                  "(R_P024 or RULE_NONE), not '%s'\n", path, line, rule);
        return;
    }
    unsigned named = sevs_named(text + arg_at[2], arg_end[2] - arg_at[2]);
    if (!named) {
        sb_printf(&sc->errors, "%s:%u: diag_add_sev names no SEV_*: write the "
                  "severities out at the call\n", path, line);
        return;
    }
    const struct rule_info *ri = rule_info_of((enum rule_id)r);
    if (ri && (named & ~ri->sevs))
        sb_printf(&sc->errors, "%s:%u: %s raised with a severity rules_list.h "
                  "does not allow for it\n", path, line, ri->id);
}

static void scan_file(struct scan *sc, const char *path)
{
    size_t len;
    char *text = tu_slurp(sc->a, path, &len);
    blank_non_code(text, len);
    for (size_t i = 0; i < len; i++) {
        if (!ident_char(text[i]) || (i && ident_char(text[i - 1])))
            continue;
        size_t j = i;
        while (j < len && ident_char(text[j]))
            j++;
        int r = rule_of_token(text + i, j - i);
        if (r > RULE_NONE)
            sc->raised[r] = true;
        bool add = j - i == 8 && !strncmp(text + i, "diag_add", 8);
        bool add_sev = j - i == 12 && !strncmp(text + i, "diag_add_sev", 12);
        size_t k = j;
        while (k < len && isspace((unsigned char)text[k]))
            k++;
        size_t p = i;
        while (p && isspace((unsigned char)text[p - 1]))
            p--;
        /* `struct diag *diag_add(` is the definition, not a call */
        if ((add || add_sev) && k < len && text[k] == '(' && !(p && text[p - 1] == '*'))
            check_call(sc, path, text, len, k, add_sev);
        i = j - 1;
    }
}

static void scan_dir(struct scan *sc, const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        const char *path = arena_printf(sc->a, "%s/%s", dir, e->d_name);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        size_t n = strlen(e->d_name);
        if (S_ISDIR(st.st_mode))
            scan_dir(sc, path);
        else if (n > 2 && (!strcmp(e->d_name + n - 2, ".c") ||
                           !strcmp(e->d_name + n - 2, ".y") ||
                           !strcmp(e->d_name + n - 2, ".l")))
            scan_file(sc, path);
    }
    closedir(d);
}

START_TEST(every_call_site_raises_a_catalogued_severity)
{
    arena *a = arena_new();
    struct scan sc = {.a = a};
    sb_init(&sc.errors, a);
    scan_dir(&sc, arena_printf(a, "%s/compiler", tu_srcdir()));
    scan_dir(&sc, arena_printf(a, "%s/grammar", tu_srcdir()));
    /* today about 80: far fewer means the scan stopped seeing them */
    ck_assert_uint_gt(sc.calls, 40);
    for (int r = RULE_NONE + 1; r < RULE_COUNT; r++)
        if (!sc.raised[r])
            sb_printf(&sc.errors, "%s: in the catalogue, raised nowhere\n",
                      rule_info_of((enum rule_id)r)->id);
    ck_assert_msg(sc.errors.len == 0, "%s", sb_str(&sc.errors));
    arena_free(a);
}
END_TEST

/* The scanner itself: it must see an escalation outside the set. */
START_TEST(scan_catches_a_bad_call)
{
    arena *a = arena_new();
    struct scan sc = {.a = a};
    sb_init(&sc.errors, a);
    static const char *const bad[] = {
        "d = diag_add_sev(l, R_P012, x ? SEV_WARNING : SEV_ERROR, loc, \"a, b\");",
        "diag_add_sev(l, R_P024, sev, loc, \"(\");",
        "diag_add_sev(l, rule, SEV_ERROR, loc, \"m\");",
        "diag_add(l, RULE_NONE, loc, \"m\");",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t before = sc.errors.len;
        char *t = arena_strdup(a, bad[i]);
        size_t n = strlen(t);
        blank_non_code(t, n);
        const char *call = strchr(t, '(');
        check_call(&sc, "t.c", t, n, (size_t)(call - t), strstr(t, "diag_add_sev") != NULL);
        ck_assert_msg(sc.errors.len > before, "case %zu not caught", i);
    }
    size_t before = sc.errors.len;
    char *ok = arena_strdup(a, "diag_add_sev(l, R_P024, c ? SEV_ERROR : SEV_WARNING, "
                               "loc, \"%s, (x\", y);");
    blank_non_code(ok, strlen(ok));
    check_call(&sc, "t.c", ok, strlen(ok), (size_t)(strchr(ok, '(') - ok), true);
    ck_assert_uint_eq(sc.errors.len, before);
    arena_free(a);
}
END_TEST

Suite *suite_registry(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, catalogue_is_the_enum);
    tcase_add_test(tc, diag_takes_id_and_default_severity);
#ifndef NDEBUG  /* the check is an assert */
    tcase_add_test_raise_signal(tc, diag_add_sev_refuses_a_severity_not_allowed, SIGABRT);
#endif
    tcase_add_test(tc, every_call_site_raises_a_catalogued_severity);
    tcase_add_test(tc, scan_catches_a_bad_call);
    suite_add_tcase(s, tc);
    return s;
}
