/* `snapshot zfs "…"` names: each rule of OpenZFS's zfs_namecheck.c and
 * libzfs that apply.sh's `zfs snapshot DATASET@passc-…` meets, from both
 * sides (the name it refuses, the nearest name it takes), and P002 at the
 * string when a spec holds a refused one. */
#include <check.h>
#include <string.h>

#include "fe_test.h"
#include "zfs_name.h"

static const struct {
    const char *name;
    const char *says; /* NULL: ZFS takes it */
} cases[] = {
    /* characters: letters, digits, '_', '-', '.', ':', ' ' */
    {"rpool/ROOT/pve-1", NULL},
    {"Tank_2/a.b:c d-e", NULL},
    {"rpool/ROOT/pve$1", "only letters, digits"},
    {"rpool/ROOT/pve+1", "only letters, digits"},
    {"rpool/ROOT/pv\303\251", "only letters, digits"}, /* UTF-8 é */
    {"rpool/ROOT/pve\t1", "only letters, digits"},
    /* '%': ZFS's temporary clones only; zfs snapshot refuses it */
    {"rpool/data/%recv", "'%' is only in ZFS's own temporary names"},
    {"rpool/data/recv", NULL},
    /* '@' and '#' are delimiters, not dataset characters */
    {"rpool/ROOT/pve-1@before", "'@' starts a snapshot name"},
    {"rpool/ROOT/pve-1#mark", "'#' starts a bookmark name"},
    /* slashes and components */
    {"", "empty"},
    {"/rpool/ROOT", "does not start with '/'"},
    {"rpool/ROOT/", "does not end with '/'"},
    {"rpool//ROOT", "empty component"},
    {"rpool/./pve-1", "'.' and '..'"},
    {"rpool/../pve-1", "'.' and '..'"},
    {"rpool/ROOT/..", "'.' and '..'"},
    {"rpool/.../pve-1", NULL},
    {"rpool/.hidden", NULL},
    {"rpool/..x", NULL},
    /* only the pool must start with a letter */
    {"rpool/1data", NULL},
    {"rpool/-x", NULL},
    {"rpool/ x", NULL},
    {"rpool/:", NULL},
    {"1pool/data", "must start with a letter"},
    {"-pool/data", "must start with a letter"},
    {".pool/data", "must start with a letter"},
    {"_pool", "must start with a letter"},
    {" rpool", "must start with a letter"},
    {"p", NULL},
    {"Z9", NULL},
    /* reserved pool names: pool_namecheck's three, exactly */
    {"mirror/data", "a word ZFS reserves"},
    {"raidz", "a word ZFS reserves"},
    {"draid/x", "a word ZFS reserves"},
    {"mirror2/data", NULL},
    {"raidz1x/data", NULL},
    {"spare/data", NULL},
    {"log/data", NULL},
    {"data/mirror", NULL},
    /* no disk-name rule in OpenZFS */
    {"c0t0d0/data", NULL},
};

START_TEST(zfs_name_rules)
{
    const char *why = zfs_dataset_problem(cases[_i].name);
    if (!cases[_i].says)
        ck_assert_msg(why == NULL, "'%s' refused: %s", cases[_i].name, why);
    else
        ck_assert_msg(why && strstr(why, cases[_i].says), "'%s': got %s, want '%s'",
                      cases[_i].name, why ? why : "(taken)", cases[_i].says);
}
END_TEST

/* The whole snapshot name stays under ZFS_MAX_DATASET_NAME_LEN (256):
 * apply.sh adds at most 41 bytes, so a dataset name has 214. */
START_TEST(zfs_name_length)
{
    char name[300];
    memset(name, 'a', sizeof name);
    name[5] = '/';
    name[214] = '\0';
    ck_assert_ptr_null(zfs_dataset_problem(name));
    name[214] = 'a';
    name[215] = '\0';
    const char *why = zfs_dataset_problem(name);
    ck_assert(why && strstr(why, "too long"));
    /* apply.sh's longest suffix: VMID of 9 digits, PID of 7 */
    ck_assert_uint_eq(strlen("@passc-999999999-20261205T035737Z-4194304"), ZFS_SNAPSHOT_SUFFIX_MAX);
}
END_TEST

/* zfs_max_dataset_nesting (50): a dataset 49 '/' deep exists, 50 not */
START_TEST(zfs_name_nesting)
{
    char name[128] = "p";
    for (int i = 0; i < 49; i++)
        strcat(name, "/a");
    ck_assert_ptr_null(zfs_dataset_problem(name));
    strcat(name, "/a");
    const char *why = zfs_dataset_problem(name);
    ck_assert(why && strstr(why, "nests datasets at most 49 deep"));
}
END_TEST

/* In a spec: P002 at the string, with the name and the reason. */
START_TEST(zfs_name_in_spec)
{
    struct fe_run r;
    fe_run(&r, "host \"x\" {\n    snapshot zfs \"mirror/ROOT\"\n}\n", 2);
    const struct diag *d = fe_first(&r, "P002");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(fe_where(r.a, d), "2:18");
    ck_assert(strstr(d->msg, "ZFS dataset \"mirror/ROOT\": the pool name is a word ZFS reserves"));
    fe_done(&r);
    fe_run(&r, "host \"x\" {\n    snapshot zfs \"log/ROOT/pve 1\"\n}\n", 2);
    for (d = r.d.head; d; d = d->next)
        ck_abort_msg("unexpected %s: %s", d->rule, d->msg);
    ck_assert_str_eq(r.m->host.zfs_dataset, "log/ROOT/pve 1");
    fe_done(&r);
}
END_TEST

Suite *suite_zfs_name(void)
{
    Suite *s = suite_create("zfs_name");
    TCase *tc = tcase_create("zfs_name");
    tcase_add_loop_test(tc, zfs_name_rules, 0, sizeof cases / sizeof cases[0]);
    tcase_add_test(tc, zfs_name_length);
    tcase_add_test(tc, zfs_name_nesting);
    tcase_add_test(tc, zfs_name_in_spec);
    suite_add_tcase(s, tc);
    return s;
}
