/* ast_addrs.c — the parts of a `01:00.0;02:00.0` value (AV_ADDRS).
 *
 * The lexer takes a joined list as one token so that `;` keeps ending
 * statements everywhere else; its users (device lines, mapping entries)
 * want the addresses one by one, each with its own span for messages. */
#include <string.h>

#include "ast.h"

struct ast_value *ast_addrs_split(arena *a, const struct ast_value *v,
                                  size_t *n)
{
    size_t k = 1;
    for (const char *p = v->text; *p; p++)
        k += *p == ';';
    struct ast_value *out = arena_calloc(a, k, sizeof *out);
    size_t i = 0;
    for (const char *p = v->text;; i++) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        out[i].kind = AV_ADDR;
        out[i].text = arena_strndup(a, p, len);
        /* a value built without a source (import) has no span to share */
        if (v->loc.src) {
            out[i].loc = v->loc;
            out[i].loc.start = v->loc.start + (uint32_t)(p - v->text);
            out[i].loc.end = out[i].loc.start + (uint32_t)len;
        }
        if (!e)
            break;
        p = e + 1;
    }
    *n = i + 1;
    return out;
}
