/* zfs_name.c — the name rules OpenZFS applies when apply.sh runs
 * `zfs snapshot DATASET@passc-…`, as its module/zcommon/zfs_namecheck.c and
 * libzfs say them (read at openzfs/zfs be7657e, 2026-08; written here from
 * that reading, no code taken):
 *
 *  - `zfs snapshot` opens DATASET first (entity_namecheck, '%' allowed),
 *    then checks DATASET@SNAP as a name it creates: no '%' there, one '@',
 *    no '#', and the whole under ZFS_MAX_DATASET_NAME_LEN (256) bytes;
 *  - entity_namecheck: no leading '/', no trailing '/', no empty component,
 *    no component "." or "..", only [A-Za-z0-9_.: -] (and '%');
 *  - no dataset is nested zfs_max_dataset_nesting (50) deep: creating one
 *    fails, so no such dataset exists to snapshot;
 *  - the first component is a pool, which pool_namecheck (at create and
 *    import) wants to start with a letter and not to be "mirror", "raidz"
 *    or "draid" (its length limit, 240 bytes, is never the one hit: the
 *    snapshot suffix leaves a dataset name 214).  zpool create refuses
 *    more (names starting with mirror, raidz, draid or spare, and "log"),
 *    but pools named so before that rule still import: passc takes them.
 *
 * Nothing else is refused: a component after the pool may start with a
 * digit, '-' or '.', hold spaces, or be ":"; a pool may be named c0d0. */
#include <string.h>

#include "zfs_name.h"

/* zfs_max_dataset_nesting's default (a module parameter) */
#define ZFS_NESTING_MAX 50

static int letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int valid_char(char c)
{
    return letter(c) || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == ':' || c == ' ';
}

static int is(const char *p, size_t n, const char *word)
{
    return n == strlen(word) && !strncmp(p, word, n);
}

static const char *pool_problem(const char *pool, size_t n)
{
    if (!letter(pool[0]))
        return "the pool name (before the first '/') must start with a letter";
    if (is(pool, n, "mirror") || is(pool, n, "raidz") || is(pool, n, "draid"))
        return "the pool name is a word ZFS reserves (mirror, raidz, draid)";
    return NULL;
}

const char *zfs_dataset_problem(const char *name)
{
    size_t len = strlen(name);
    if (len == 0)
        return "the dataset name is empty";
    if (name[0] == '/')
        return "a dataset name does not start with '/' (it is pool/path, not a mount point)";
    if (len >= ZFS_NAME_MAX - ZFS_SNAPSHOT_SUFFIX_MAX)
        return "the name is too long: ZFS names stay under 256 bytes, and apply.sh adds up to 41 for its snapshot";
    const char *p = name;
    int depth = 0;
    for (;;) {
        size_t n = strcspn(p, "/");
        if (n == 0)
            return p[0] == '\0' ? "a dataset name does not end with '/'"
                                : "the dataset name has an empty component ('//')";
        for (size_t i = 0; i < n; i++) {
            if (p[i] == '@')
                return "'@' starts a snapshot name: give the dataset only; apply.sh names the snapshot";
            if (p[i] == '#')
                return "'#' starts a bookmark name: give the dataset only";
            if (p[i] == '%')
                return "'%' is only in ZFS's own temporary names: zfs snapshot refuses it";
            if (!valid_char(p[i]))
                return "ZFS allows only letters, digits, '_', '-', '.', ':' and ' ' in a dataset name";
        }
        if (is(p, n, ".") || is(p, n, ".."))
            return "'.' and '..' are not dataset names";
        if (depth == 0) {
            const char *why = pool_problem(p, n);
            if (why)
                return why;
        }
        if (p[n] == '\0')
            return NULL;
        if (++depth >= ZFS_NESTING_MAX)
            return "ZFS nests datasets at most 49 deep (zfs_max_dataset_nesting)";
        p += n + 1;
    }
}
