/* script.h — the sources of the generated scripts (compiler/scripts/),
 * embedded at build time (contrib/embed-scripts makes build/scripts.c),
 * and the renderer that makes one spec's script of one.
 *
 * A source is plain shell (or awk) that shellcheck reads as it is, plus
 * lines starting "#@", which belong to the template and are never emitted:
 *   #@ text          a note for the reader of the source
 *   #@if FLAG        the lines up to the matching #@else or #@end only when
 *   #@else           FLAG is on (they nest); shellcheck sees both branches
 *   #@end
 *   #@include FILE   FILE rendered here; the lines up to its #@end (". ./FILE"
 *                    for shellcheck -x) are the source's only
 *   #@exit N         "exit N", and the rendered script ends there (a real
 *                    exit would make shellcheck call the rest unreachable)
 * Elsewhere @name@ is replaced by the emitter's value for name: spec data,
 * which the emitter quotes.  A line that is only @name@ (indent allowed) is
 * replaced whole, newline included: the value brings its own lines.
 * A source that breaks these rules is passc's bug: rendering aborts. */
#ifndef PASSC_SCRIPT_H
#define PASSC_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct script_file {
    const char *name;   /* "apply.sh": the base name under compiler/scripts/ */
    const char *text;
    size_t len;
};

/* build/scripts.c */
extern const struct script_file script_files[];
extern const size_t script_nfiles;

/* The embedded source of that name, or NULL. */
const struct script_file *script_file(const char *name);

/* Appends the value of @name@ to out; false when name has none. */
typedef bool script_value_fn(struct strbuf *out, const char *name,
                             const void *ctx);

/* Appends the source file rendered: flags are the #@if names that are on,
 * blank separated ("cmdline novm"). */
void script_render(struct strbuf *out, const char *file, const char *flags,
                   script_value_fn *value, const void *ctx);

#endif
