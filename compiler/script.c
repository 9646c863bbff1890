/* script.c — rendering the embedded script sources; see script.h. */
#include "script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16
#define MAX_NAME 64

struct render {
    struct strbuf *out;
    const char *flags;
    script_value_fn *value;
    const void *ctx;
};

static _Noreturn void broken(const char *file, const char *why,
                             const char *text, size_t n)
{
    fprintf(stderr, "passc: internal error: compiler/scripts/%s: %s: %.*s\n",
            file, why, (int)n, text);
    abort();
}

const struct script_file *script_file(const char *name)
{
    for (size_t i = 0; i < script_nfiles; i++)
        if (!strcmp(script_files[i].name, name))
            return &script_files[i];
    return NULL;
}

static bool has_flag(const char *flags, const char *name, size_t n)
{
    for (const char *p = flags; *p;) {
        size_t k = strcspn(p, " ");
        if (k == n && !strncmp(p, name, n))
            return true;
        p += k;
        p += strspn(p, " ");
    }
    return false;
}

/* n bytes at p are a value name: [a-z0-9_]+ */
static bool is_name(const char *p, size_t n)
{
    if (!n || n >= MAX_NAME)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
            return false;
    return true;
}

static void value(const struct render *r, const char *file, const char *p, size_t n)
{
    char name[MAX_NAME];
    memcpy(name, p, n);
    name[n] = '\0';
    if (!r->value || !r->value(r->out, name, r->ctx))
        broken(file, "no value for", p - 1, n + 2);
}

/* One line of source (n bytes, its newline included when it has one). */
static void emit_line(const struct render *r, const char *file, const char *p, size_t n)
{
    size_t body = n && p[n - 1] == '\n' ? n - 1 : n;
    size_t ind = strspn(p, " ");
    if (ind + 2 < body && p[ind] == '@' && p[body - 1] == '@' &&
        is_name(p + ind + 1, body - ind - 2)) {
        value(r, file, p + ind + 1, body - ind - 2);
        return;
    }
    const char *end = p + n;
    while (p < end) {
        const char *at = memchr(p, '@', (size_t)(end - p));
        const char *close = at ? memchr(at + 1, '@', (size_t)(end - at - 1)) : NULL;
        if (!close) {
            sb_addn(r->out, p, (size_t)(end - p));
            return;
        }
        if (is_name(at + 1, (size_t)(close - at - 1))) {
            sb_addn(r->out, p, (size_t)(at - p));
            value(r, file, at + 1, (size_t)(close - at - 1));
            p = close + 1;
        } else {
            sb_addn(r->out, p, (size_t)(close - p));
            p = close;
        }
    }
}

/* #@WORD ARG: true when the directive (d, n bytes) is word, *arg its rest. */
static bool directive(const char *d, size_t n, const char *word,
                      const char **arg, size_t *argn)
{
    size_t w = strlen(word);
    if (n < w || strncmp(d, word, w) || (n > w && d[w] != ' '))
        return false;
    *arg = n > w ? d + w + 1 : d + n;
    *argn = n > w ? n - w - 1 : 0;
    return true;
}

/* False when #@exit ended the script. */
static bool render(const struct render *r, const char *file)
{
    const struct script_file *f = script_file(file);
    if (!f)
        broken(file, "no such script source", "", 0);
    /* on[d]: lines at depth d are emitted; cond[d]: the #@if was true;
     * incl[d]: the level is an #@include's stand-in lines. */
    bool on[MAX_DEPTH] = {true}, cond[MAX_DEPTH] = {false}, incl[MAX_DEPTH] = {false};
    bool in_else[MAX_DEPTH] = {false};
    int depth = 0;
    const char *p = f->text, *end = f->text + f->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
        size_t body = nl ? n - 1 : n;
        if (body < 2 || p[0] != '#' || p[1] != '@') {
            if (on[depth])
                emit_line(r, file, p, n);
            p += n;
            continue;
        }
        const char *d = p + 2, *arg;
        size_t dn = body - 2, argn;
        if (dn == 0 || d[0] == ' ') {
            /* a note in the source */
        } else if (directive(d, dn, "if", &arg, &argn) && argn) {
            if (depth + 1 == MAX_DEPTH)
                broken(file, "nested too deep", p, body);
            depth++;
            cond[depth] = has_flag(r->flags, arg, argn);
            on[depth] = on[depth - 1] && cond[depth];
            incl[depth] = in_else[depth] = false;
        } else if (directive(d, dn, "else", &arg, &argn) && !argn) {
            if (!depth || incl[depth] || in_else[depth])
                broken(file, "#@else without its #@if", p, body);
            in_else[depth] = true;
            on[depth] = on[depth - 1] && !cond[depth];
        } else if (directive(d, dn, "end", &arg, &argn) && !argn) {
            if (!depth)
                broken(file, "#@end without #@if or #@include", p, body);
            depth--;
        } else if (directive(d, dn, "include", &arg, &argn) && argn) {
            if (depth + 1 == MAX_DEPTH)
                broken(file, "nested too deep", p, body);
            if (on[depth]) {
                char name[MAX_NAME];
                if (argn >= MAX_NAME)
                    broken(file, "bad file name", p, body);
                memcpy(name, arg, argn);
                name[argn] = '\0';
                if (!render(r, name))
                    return false;
            }
            depth++;
            on[depth] = false;
            incl[depth] = true;
            in_else[depth] = false;
        } else if (directive(d, dn, "exit", &arg, &argn) && argn) {
            if (on[depth]) {
                sb_add(r->out, "exit ");
                sb_addn(r->out, arg, argn);
                sb_addc(r->out, '\n');
                return false;
            }
        } else {
            broken(file, "unknown directive", p, body);
        }
        p += n;
    }
    if (depth)
        broken(file, "#@if or #@include without #@end", "", 0);
    return true;
}

void script_render(struct strbuf *out, const char *file, const char *flags,
                   script_value_fn *value_fn, const void *ctx)
{
    const struct render r = {out, flags ? flags : "", value_fn, ctx};
    render(&r, file);
}
