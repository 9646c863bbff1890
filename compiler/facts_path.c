/* facts_path.c — a spec may only name facts inside its own repository.
 *
 * A spec is shared (pulled from a repository, linted by a pre-commit hook
 * in CI): `facts "/etc/shadow"` or "../../../proc/self/environ" would make
 * lint read a file the spec's author chose on the linting machine.  So the
 * spec's facts path is resolved (symlinks too) and must stay below the
 * spec's repository.  Why the repository and not the spec's directory:
 * specs in a repository commonly keep snapshots in a sibling hosts/. */
#include "facts_path.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool below(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return true;
    return !strncmp(path, root, n) && (path[n] == '/' || path[n] == '\0');
}

const char *facts_path_for_spec(arena *a, const char *spec_path,
                                const char *facts_path, const char **why)
{
    char *copy = arena_strdup(a, spec_path);
    char *dir = realpath(dirname(copy), NULL);
    if (!dir) {
        *why = "the spec's directory cannot be resolved";
        return NULL;
    }
    /* The repository: the nearest directory with a .git (a directory, or a
     * file in a linked worktree), else the spec's directory. */
    char *root = arena_strdup(a, dir);
    for (char *p = arena_strdup(a, dir);;) {
        struct stat st;
        if (stat(arena_printf(a, "%s/.git", p), &st) == 0) {
            root = p;
            break;
        }
        char *slash = strrchr(p, '/');
        if (!slash || slash == p)
            break;
        *slash = '\0';
    }
    const char *p = facts_path[0] == '/' ? facts_path
                                         : arena_printf(a, "%s/%s", dir, facts_path);
    free(dir);
    char *real = realpath(p, NULL);
    if (!real) {
        /* Missing: the reader says so, when its directory is inside. */
        char *pc = arena_strdup(a, p);
        real = realpath(dirname(pc), NULL);
        if (!real) {
            *why = arena_printf(a, "its directory cannot be resolved: %s", strerror(errno));
            return NULL;
        }
    }
    bool ok = below(real, root);
    free(real);
    if (!ok) {
        *why = arena_printf(a, "it is outside the spec's repository %s", root);
        return NULL;
    }
    return p;
}
