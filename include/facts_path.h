/* facts_path.h — where a spec's own `facts "…"` file may be. */
#ifndef PASSC_FACTS_PATH_H
#define PASSC_FACTS_PATH_H
#include "arena.h"

/* The path of the snapshot a spec names, relative to the spec's directory,
 * or NULL with *why set when it leaves the spec's repository: the git work
 * tree holding the spec (the nearest directory above it with a .git), or
 * the spec's directory when it is in none.  A path given with --facts is
 * the user's choice and does not come here. */
const char *facts_path_for_spec(arena *a, const char *spec_path,
                                const char *facts_path, const char **why);

#endif
