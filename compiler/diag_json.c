/* diag_json.c — the machine formats: JSON (an array of findings) and SARIF
 * 2.1.0 (for code-scanning), both built as json-c objects so that quoting
 * and escaping are json-c's job, never ours.
 *
 * Positions: JSON carries gcc's 1-based line and byte column (what editors
 * fed by `--format gcc` expect); end_line/end_column point just past the
 * span.  SARIF counts columns in Unicode code points (its
 * "unicodeCodePoints" column kind, declared in the run). */
#include <json-c/json.h>
#include <string.h>

#include "diag.h"
#include "rules.h"
#include "strbuf.h"
#include "utf8.h"

/* json-c copies bytes as they are; a spec may hold invalid UTF-8 in a
 * name, and JSON must not.  Bad bytes become U+FFFD. */
static json_object *jstr(arena *a, const char *s)
{
    if (!s)
        return NULL;
    struct strbuf sb;
    sb_init(&sb, a);
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + strlen(s);
    while (p < end) {
        size_t n = utf8_len(p, (size_t)(end - p));
        if (n) {
            sb_addn(&sb, (const char *)p, n);
            p += n;
        } else {
            sb_add(&sb, "\xef\xbf\xbd");
            p++;
        }
    }
    return json_object_new_string(sb.len ? sb_str(&sb) : "");
}

struct pos {
    unsigned line, col, end_line, end_col;
};

/* Code-point column of a byte offset on its line. */
static unsigned cp_col(const struct source *s, unsigned line, unsigned bytecol)
{
    size_t len;
    const char *t = source_line(s, line, &len);
    unsigned col = 1;
    for (size_t i = 0; i + 1 < bytecol && i < len; i++)
        if (((unsigned char)t[i] & 0xc0) != 0x80)
            col++;
    return col + (bytecol - 1 > len ? (unsigned)(bytecol - 1 - len) : 0);
}

static struct pos pos_of(src_loc loc, bool codepoints)
{
    struct pos p = {0};
    uint32_t end = loc.end > loc.start ? loc.end : loc.start + 1;
    if (end > loc.src->len && loc.src->len > loc.start)
        end = (uint32_t)loc.src->len;
    source_line_col(loc.src, loc.start, &p.line, &p.col);
    source_line_col(loc.src, end, &p.end_line, &p.end_col);
    if (p.end_line == p.line && p.end_col <= p.col)
        p.end_col = p.col + 1;
    if (codepoints) {
        p.col = cp_col(loc.src, p.line, p.col);
        p.end_col = cp_col(loc.src, p.end_line, p.end_col);
    }
    return p;
}

static void add_int(json_object *o, const char *k, unsigned v)
{
    json_object_object_add(o, k, json_object_new_int((int)v));
}

static void print_json_value(FILE *f, json_object *root)
{
    fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                               JSON_C_TO_STRING_NOSLASHESCAPE),
          f);
    fputc('\n', f);
    json_object_put(root);
}

void diag_print_json(FILE *f, const struct diag_list *l)
{
    json_object *arr = json_object_new_array();
    for (const struct diag *d = l->head; d; d = d->next) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", jstr(l->a, d->rule));
        json_object_object_add(o, "severity", jstr(l->a, severity_name(d->sev)));
        if (d->loc.src) {
            struct pos p = pos_of(d->loc, false);
            json_object_object_add(o, "file", jstr(l->a, d->loc.src->path));
            add_int(o, "line", p.line);
            add_int(o, "column", p.col);
            add_int(o, "end_line", p.end_line);
            add_int(o, "end_column", p.end_col);
        } else {
            const char *keys[] = {"file", "line", "column", "end_line", "end_column"};
            for (size_t i = 0; i < 5; i++)
                json_object_object_add(o, keys[i], NULL);
        }
        json_object_object_add(o, "message", jstr(l->a, d->msg));
        json_object *notes = json_object_new_array();
        for (const struct diag_note *n = d->notes; n; n = n->next) {
            json_object *no = json_object_new_object();
            if (n->loc.src) {
                struct pos p = pos_of(n->loc, false);
                json_object_object_add(no, "file", jstr(l->a, n->loc.src->path));
                add_int(no, "line", p.line);
                add_int(no, "column", p.col);
            } else {
                json_object_object_add(no, "file", NULL);
                json_object_object_add(no, "line", NULL);
                json_object_object_add(no, "column", NULL);
            }
            json_object_object_add(no, "message", jstr(l->a, n->msg));
            json_object_array_add(notes, no);
        }
        json_object_object_add(o, "notes", notes);
        json_object_object_add(o, "fix", jstr(l->a, d->fix));
        json_object_array_add(arr, o);
    }
    print_json_value(f, arr);
}

/* RFC 3986: keep unreserved characters and '/', percent-encode the rest, so
 * a spec path with spaces is still a valid artifact URI. */
static const char *path_uri(arena *a, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    struct strbuf sb;
    sb_init(&sb, a);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
            sb_addc(&sb, (char)*p);
        else {
            sb_addc(&sb, '%');
            sb_addc(&sb, hex[*p >> 4]);
            sb_addc(&sb, hex[*p & 15]);
        }
    }
    return sb.len ? sb_str(&sb) : "";
}

static const char *sarif_level(enum severity s)
{
    return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

static json_object *text_obj(arena *a, const char *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "text", jstr(a, s));
    return o;
}

static json_object *physical(arena *a, src_loc loc)
{
    struct pos p = pos_of(loc, true);
    json_object *region = json_object_new_object();
    add_int(region, "startLine", p.line);
    add_int(region, "startColumn", p.col);
    add_int(region, "endLine", p.end_line);
    add_int(region, "endColumn", p.end_col);
    json_object *art = json_object_new_object();
    json_object_object_add(art, "uri", jstr(a, path_uri(a, loc.src->path)));
    json_object *phys = json_object_new_object();
    json_object_object_add(phys, "artifactLocation", art);
    json_object_object_add(phys, "region", region);
    json_object *l = json_object_new_object();
    json_object_object_add(l, "physicalLocation", phys);
    return l;
}

static json_object *sarif_rules(arena *a)
{
    size_t n;
    const struct rule_info *r = rule_catalogue(&n);
    json_object *rules = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", jstr(a, r[i].id));
        json_object_object_add(o, "name", jstr(a, r[i].name));
        json_object_object_add(o, "shortDescription", text_obj(a, r[i].summary));
        json_object_object_add(o, "fullDescription", text_obj(a, r[i].summary));
        json_object_object_add(o, "help", text_obj(a, r[i].explain));
        json_object *cfg = json_object_new_object();
        json_object_object_add(cfg, "level", jstr(a, sarif_level(r[i].sev)));
        json_object_object_add(o, "defaultConfiguration", cfg);
        json_object_array_add(rules, o);
    }
    return rules;
}

void diag_print_sarif(FILE *f, const struct diag_list *l)
{
    arena *a = l->a;
    size_t nrules;
    const struct rule_info *cat = rule_catalogue(&nrules);

    json_object *drv = json_object_new_object();
    json_object_object_add(drv, "name", jstr(a, "passc"));
    json_object_object_add(drv, "version", jstr(a, "0.1"));
    json_object_object_add(drv, "rules", sarif_rules(a));
    json_object *tool = json_object_new_object();
    json_object_object_add(tool, "driver", drv);

    json_object *results = json_object_new_array();
    for (const struct diag *d = l->head; d; d = d->next) {
        json_object *r = json_object_new_object();
        if (d->rule) {
            json_object_object_add(r, "ruleId", jstr(a, d->rule));
            for (size_t i = 0; i < nrules; i++)
                if (!strcmp(cat[i].id, d->rule))
                    add_int(r, "ruleIndex", (unsigned)i);
        }
        json_object_object_add(r, "level", jstr(a, sarif_level(d->sev)));
        /* Notes without a place and the fix read as part of the message;
         * notes with a place become related locations. */
        struct strbuf msg;
        sb_init(&msg, a);
        sb_add(&msg, d->msg);
        json_object *related = json_object_new_array();
        int rid = 1;
        for (const struct diag_note *n = d->notes; n; n = n->next) {
            if (n->loc.src) {
                json_object *rl = physical(a, n->loc);
                add_int(rl, "id", (unsigned)rid++);
                json_object_object_add(rl, "message", text_obj(a, n->msg));
                json_object_array_add(related, rl);
            } else {
                sb_printf(&msg, "\nnote: %s", n->msg);
            }
        }
        if (d->fix)
            sb_printf(&msg, "\nfix: %s", d->fix);
        json_object_object_add(r, "message", text_obj(a, sb_str(&msg)));
        json_object *locs = json_object_new_array();
        if (d->loc.src)
            json_object_array_add(locs, physical(a, d->loc));
        json_object_object_add(r, "locations", locs);
        if (json_object_array_length(related))
            json_object_object_add(r, "relatedLocations", related);
        else
            json_object_put(related);
        if (d->fix) {
            json_object *props = json_object_new_object();
            json_object_object_add(props, "fix", jstr(a, d->fix));
            json_object_object_add(r, "properties", props);
        }
        json_object_array_add(results, r);
    }

    json_object *run = json_object_new_object();
    json_object_object_add(run, "tool", tool);
    json_object_object_add(run, "columnKind", jstr(a, "unicodeCodePoints"));
    json_object_object_add(run, "results", results);
    json_object *runs = json_object_new_array();
    json_object_array_add(runs, run);

    json_object *root = json_object_new_object();
    json_object_object_add(root, "$schema",
                           jstr(a, "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"));
    json_object_object_add(root, "version", jstr(a, "2.1.0"));
    json_object_object_add(root, "runs", runs);
    print_json_value(f, root);
}
