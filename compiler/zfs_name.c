/* zfs_name.c — ZFS's dataset name rules (OpenZFS
 * module/zcommon/zfs_namecheck.c): components of letters, digits, '_',
 * '-', '.', ':' and ' ' separated by '/', none empty, none "." or "..",
 * no leading or trailing '/'; '@' and '#' start snapshot and bookmark
 * names, '%' only internal (temporary) names; the pool (first component)
 * starts with a letter and is not a reserved vdev word (mirror, raidz,
 * draid, spare, log) or a disk-like c[0-9]… name. */
#include <string.h>

#include "zfs_name.h"

static int valid_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == ':' || c == ' ';
}

static int is(const char *p, size_t n, const char *word)
{
    return n == strlen(word) && !strncmp(p, word, n);
}

static const char *pool_problem(const char *pool, size_t n)
{
    if (!((pool[0] >= 'a' && pool[0] <= 'z') || (pool[0] >= 'A' && pool[0] <= 'Z')))
        return "the pool name (before the first '/') must start with a letter";
    if (is(pool, n, "mirror") || is(pool, n, "raidz") || is(pool, n, "draid") ||
        is(pool, n, "spare") || is(pool, n, "log"))
        return "the pool name is a word ZFS reserves (mirror, raidz, draid, spare, log)";
    if (pool[0] == 'c' && n > 1 && pool[1] >= '0' && pool[1] <= '9')
        return "a pool name 'c' followed by a digit is reserved by ZFS (disk names)";
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
    int first = 1;
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
                return "'%' is only in ZFS's own temporary names";
            if (!valid_char(p[i]))
                return "ZFS allows only letters, digits, '_', '-', '.', ':' and ' ' in a dataset name";
        }
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return "'.' and '..' are not dataset names";
        if (first) {
            const char *why = pool_problem(p, n);
            if (why)
                return why;
            first = 0;
        }
        if (p[n] == '\0')
            return NULL;
        p += n + 1;
    }
}
