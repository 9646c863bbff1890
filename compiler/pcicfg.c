/* pcicfg.c — /etc/pve/mapping/pci.cfg as Proxmox's SectionConfig reads it
 * (proxmox-formats.md §3.1): a header in column 0, indented `key value`
 * lines, a blank line ends the section, `#` lines skipped, `map` repeated.
 * For `passc import --mapping`: the mappings a VM's slots name. */
#include <string.h>
#include <strings.h>

#include "pcicfg.h"

static const char *trim_end(arena *a, const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return arena_strndup(a, s, n);
}

int pcicfg_parse(arena *a, const struct source *src, struct pcicfg *out)
{
    memset(out, 0, sizeof *out);
    out->src = src;
    size_t cap = 0;
    struct pcicfg_section *cur = NULL;
    const char *p = src->text, *end = src->text + src->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - p);
        const char *q = p;
        while (q < le && (*q == ' ' || *q == '\t'))
            q++;
        if (q == le || (q < le && *q == '\r' && q + 1 == le)) {
            cur = NULL;                      /* a blank line ends a section */
        } else if (*q == '#') {
            /* comment */
        } else if (q == p) {
            const char *h = trim_end(a, p, n);
            if (!strpbrk(h, " \t")) {
                if (out->n == cap) {
                    size_t nc = cap ? 2 * cap : 8;
                    out->sections = arena_realloc(a, out->sections, cap * sizeof *out->sections,
                                                  nc * sizeof *out->sections);
                    cap = nc;
                }
                cur = &out->sections[out->n++];
                memset(cur, 0, sizeof *cur);
                cur->id = h;
                cur->loc = (src_loc){src, (uint32_t)(p - src->text), (uint32_t)(le - src->text)};
            }
        } else if (cur) {
            const char *k = q;
            while (q < le && *q != ' ' && *q != '\t')
                q++;
            const char *key = arena_strndup(a, k, (size_t)(q - k));
            while (q < le && (*q == ' ' || *q == '\t'))
                q++;
            const char *val = trim_end(a, q, (size_t)(le - q));
            if (!strcmp(key, "map")) {
                cur->maps = arena_realloc(a, cur->maps, cur->nmaps * sizeof *cur->maps,
                                          (cur->nmaps + 1) * sizeof *cur->maps);
                cur->maps[cur->nmaps++] = val;
            } else if (!strcmp(key, "description")) {
                cur->description = val;
            } else if (!strcmp(key, "mdev")) {
                cur->mdev = val;
            } else if (!strcmp(key, "live-migration-capable")) {
                cur->live_migration = val;
            }
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

const struct pcicfg_section *pcicfg_find(const struct pcicfg *c, const char *id)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (!strcasecmp(c->sections[i].id, id))
            return &c->sections[i];
    return NULL;
}
