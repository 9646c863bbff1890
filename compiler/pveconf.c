/* pveconf.c — reads a Proxmox VM config the way qemu-server's
 * parse_vm_config does (non-strict load), so that import sees exactly what
 * Proxmox keeps and can say which lines Proxmox silently drops. */
#include "pveconf.h"
#include "strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Beyond this many dropped lines one summary replaces the rest: hostile or
 * binary input must not turn into megabytes of diagnostics. */
#define MAX_DROPPED_DIAGS 50

struct conf_reader {
    arena *a;
    const struct source *src;
    struct pve_conf *conf;
    struct diag_list *diags;
    struct pve_section *cur, *tail;
    size_t nlisted;  /* P040 diagnostics actually queued (cap applies) */
};

static src_loc loc_at(const struct source *src, size_t start, size_t end)
{
    src_loc l = {src, (uint32_t)start, (uint32_t)end};
    return l;
}

/* Keys of qemu-server's config schema ($confdesc plus the numbered device
 * families and the snapshot/pending-only keys).  A key outside it is an
 * "unknown setting" that Proxmox drops. */
static const char *const plain_keys[] = {
    "acpi", "affinity", "agent", "allow-ksm", "amd-sev", "arch", "args",
    "audio0", "autostart", "balloon", "bios", "boot", "bootdisk", "cdrom",
    "cicustom", "cipassword", "citype", "ciupgrade", "ciuser", "cores", "cpu",
    "cpulimit", "cpuunits", "description", "digest", "efidisk0", "freeze",
    "hookscript", "hotplug", "hugepages", "intel-tdx", "ivshmem",
    "keephugepages", "keyboard", "kvm", "localtime", "lock", "machine",
    "memory", "meta", "migrate_downtime", "migrate_speed", "name",
    "nameserver", "numa", "onboot", "ostype", "protection", "reboot", "rng0",
    "runningcpu", "runningmachine", "scsihw", "searchdomain", "shares",
    "smbios1", "smp", "sockets", "spice_enhancements", "sshkeys", "startdate",
    "startup", "tablet", "tags", "tdf", "template", "tpmstate0", "vcpus",
    "vga", "vmgenid", "vmstatestorage", "watchdog",
};
static const struct { const char *prefix; unsigned max; } numbered_keys[] = {
    {"hostpci", 15}, {"ide", 3}, {"ipconfig", 31}, {"net", 31}, {"numa", 7},
    {"parallel", 2}, {"sata", 5}, {"scsi", 30}, {"serial", 3},
    {"unused", 255}, {"usb", 13}, {"virtio", 15}, {"virtiofs", 9},
};

static bool key_known(const char *key, enum pve_section_kind kind)
{
    for (size_t i = 0; i < sizeof plain_keys / sizeof *plain_keys; i++)
        if (!strcmp(key, plain_keys[i]))
            return true;
    /* snapshot bookkeeping; `parent` also names the current config's
     * snapshot in the main section */
    if (!strcmp(key, "parent") || (kind == PVE_SNAPSHOT &&
                                   (!strcmp(key, "snaptime") ||
                                    !strcmp(key, "vmstate") ||
                                    !strcmp(key, "snapstate"))))
        return true;
    for (size_t i = 0; i < sizeof numbered_keys / sizeof *numbered_keys; i++) {
        size_t n = strlen(numbered_keys[i].prefix);
        if (strncmp(key, numbered_keys[i].prefix, n) || !key[n])
            continue;
        const char *d = key + n;
        if (!isdigit((unsigned char)*d) || (d[0] == '0' && d[1]))
            continue;
        char *end;
        unsigned long v = strtoul(d, &end, 10);
        if (!*end && v <= numbered_keys[i].max && strlen(d) <= 3)
            return true;
    }
    return false;
}

static void dropped(struct conf_reader *r, src_loc loc, const char *fmt,
                    const char *arg)
{
    r->conf->ndropped++;
    if (r->nlisted >= MAX_DROPPED_DIAGS)
        return;
    r->nlisted++;
    struct diag *d = diag_add(r->diags, R_P040,
                              loc, fmt, arg);
    diag_note(r->diags, d, (src_loc){0},
              "Proxmox drops this line when it loads the config and loses it "
              "on the next write; it is not imported");
}

/* %XX decoding of description lines (PVE::ParseUtils::decode_text). */
static char *url_decode(arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n &&
            isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            *o++ = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = 0;
    return out;
}

static struct pve_section *new_section(struct conf_reader *r,
                                       enum pve_section_kind kind,
                                       const char *name, src_loc loc)
{
    struct pve_section *s = arena_alloc(r->a, sizeof *s);
    s->kind = kind;
    s->name = name;
    s->loc = loc;
    if (r->tail)
        r->tail->next = s;
    r->tail = s;
    return s;
}

static void add_setting(struct conf_reader *r, const char *key,
                        const char *value, src_loc line, src_loc vloc)
{
    struct pve_section *s = r->cur;
    if (s->nsettings == s->cap_settings) {
        size_t ncap = s->cap_settings ? s->cap_settings * 2 : 16;
        s->settings = arena_realloc(r->a, s->settings,
                                    s->cap_settings * sizeof *s->settings,
                                    ncap * sizeof *s->settings);
        s->cap_settings = ncap;
    }
    struct pve_setting *st = &s->settings[s->nsettings++];
    st->key = key;
    st->value = value;
    st->line_loc = line;
    st->value_loc = vloc;
}

const struct pve_setting *pve_get(const struct pve_section *s, const char *key)
{
    const struct pve_setting *found = NULL;
    for (size_t i = 0; s && i < s->nsettings; i++)
        if (!strcmp(s->settings[i].key, key))
            found = &s->settings[i];
    return found;
}

/* Section headers: [PENDING], [special:…], [snapname]. */
static void section_header(struct conf_reader *r, const char *l, size_t n,
                           src_loc loc)
{
    /* l[0] == '[' and the trimmed line ends with ']' */
    const char *name = l + 1;
    size_t nlen = n - 2;
    char *nm = arena_strndup(r->a, name, nlen);
    if (!strcasecmp(nm, "PENDING")) {
        r->cur = new_section(r, PVE_PENDING, "PENDING", loc);
        if (!r->conf->pending)
            r->conf->pending = r->cur;
        return;
    }
    if (!strncmp(nm, "special:", 8)) {
        r->cur = new_section(r, PVE_SPECIAL, nm, loc);
        r->conf->nspecial++;
        return;
    }
    bool ok = nlen >= 2 && isalpha((unsigned char)nm[0]);
    for (size_t i = 1; ok && i < nlen; i++)
        ok = isalnum((unsigned char)nm[i]) || nm[i] == '_' || nm[i] == '-';
    if (ok) {
        r->cur = new_section(r, PVE_SNAPSHOT, nm, loc);
        r->conf->nsnapshots++;
        return;
    }
    /* Proxmox skips the lines of an unknown section. */
    dropped(r, loc, "'[%s]' is not a section Proxmox knows; it skips it and "
            "every line up to the next section", nm);
    r->cur = new_section(r, PVE_SPECIAL, nm, loc);
}

static bool key_char(char c, bool first)
{
    return first ? (c >= 'a' && c <= 'z')
                 : ((c >= 'a' && c <= 'z') || c == '_' || c == '-');
}

/* Checks one value the way check_type would for the keys import reads;
 * other keys' values are kept as written (import does not use them). */
static const char *value_error(const char *key, const char *v)
{
    static const char *const bool_words[] = {"1", "0", "on", "off", "yes",
                                             "no", "true", "false"};
    if (!strcmp(key, "cores") || !strcmp(key, "sockets") ||
        !strcmp(key, "balloon")) {
        for (const char *p = v; *p; p++)
            if (!isdigit((unsigned char)*p))
                return "is not an integer";
        return NULL;
    }
    if (!strcmp(key, "numa")) {
        for (size_t i = 0; i < sizeof bool_words / sizeof *bool_words; i++)
            if (!strcasecmp(v, bool_words[i]))
                return NULL;
        return "is not a boolean";
    }
    if (!strcmp(key, "bios"))
        return strcmp(v, "seabios") && strcmp(v, "ovmf")
                   ? "is not seabios or ovmf" : NULL;
    if (!strcmp(key, "ostype")) {
        static const char *const os[] = {"other", "wxp", "w2k", "w2k3",
            "w2k8", "wvista", "win7", "win8", "win10", "win11", "l24", "l26",
            "solaris"};
        for (size_t i = 0; i < sizeof os / sizeof *os; i++)
            if (!strcmp(v, os[i]))
                return NULL;
        return "is not a Proxmox ostype";
    }
    return NULL;
}

static void key_line(struct conf_reader *r, const char *line, size_t n,
                     size_t off)
{
    const struct source *src = r->src;
    src_loc lloc = loc_at(src, off, off + n);
    size_t k = 0;
    while (k < n && key_char(line[k], k == 0))
        k++;
    size_t kend = k;
    while (k < n && isdigit((unsigned char)line[k]))
        k++;
    size_t v = k + 1;
    while (v < n && isspace((unsigned char)line[v]))
        v++;
    /* `tags:  `: Perl's `:\s*(.+?)\s*$` takes one blank as the value, so
     * Proxmox keeps the line; passc has nothing to read in it. */
    if (kend > 0 && k < n && line[k] == ':' && v >= n && off + n < src->len &&
        src->text[off + n] != '\n' && isspace((unsigned char)src->text[off + n]))
        return;
    if (kend == 0 || k >= n || line[k] != ':' || v >= n) {
        dropped(r, lloc, "Proxmox cannot parse this line%s",
                "");
        return;
    }
    char *key = arena_strndup(r->a, line, k);
    char *value = arena_strndup(r->a, line + v, n - v);
    src_loc vloc = loc_at(src, off + v, off + n);
    if (strlen(value) != n - v) {
        dropped(r, lloc, "the value of '%s' contains a NUL byte", key);
        return;
    }
    enum pve_section_kind kind = r->cur->kind;
    if (!strcmp(key, "delete")) {
        if (kind != PVE_PENDING)
            dropped(r, lloc, "'%s:' is only allowed in [PENDING]", key);
        else
            add_setting(r, key, value, lloc, vloc);
        return;
    }
    if (!key_known(key, kind)) {
        dropped(r, loc_at(src, off, off + k),
                "unknown setting '%s'", key);
        return;
    }
    const char *why = value_error(key, value);
    if (why) {
        char *msg = arena_printf(r->a, "'%s' value '%s' %s", key, value, why);
        dropped(r, vloc, "%s", msg);
        return;
    }
    if (!strncmp(key, "hostpci", 7)) {
        struct pve_hostpci *h = arena_alloc(r->a, sizeof *h);
        int bad = pve_hostpci_parse(r->a, value, vloc, h, r->diags);
        if (bad < 0) {
            /* Only a line Proxmox drops (P040) counts towards the "N more
             * lines that Proxmox drops" summary; an impossible address
             * (P041) stays in Proxmox's file. */
            /* pve_hostpci_parse queued its own P040, past the cap too */
            if (bad == -1) {
                r->conf->ndropped++;
                r->nlisted++;
            }
            return;
        }
        h->index = (unsigned)atoi(key + 7);
        h->line_loc = lloc;
        const struct pve_hostpci *before = r->cur->hostpci[h->index];
        if (before) {
            unsigned again, col;
            source_line_col(src, lloc.start, &again, &col);
            dropped(r, before->line_loc, "%s", arena_printf(r->a,
                    "hostpci%u is set again on line %u; Proxmox keeps only "
                    "the last one", h->index, again));
        }
        r->cur->hostpci[h->index] = h;
    }
    add_setting(r, key, value, lloc, vloc);
}

int pveconf_parse(arena *a, const struct source *src, struct pve_conf *out,
                  struct diag_list *diags)
{
    memset(out, 0, sizeof *out);
    out->src = src;
    struct conf_reader r = {.a = a, .src = src, .conf = out, .diags = diags};
    /* A config is text: NUL bytes mean someone named the wrong file. */
    const char *nul = memchr(src->text, 0, src->len);
    if (nul) {
        size_t o = (size_t)(nul - src->text);
        diag_add_sev(diags, R_P040, SEV_ERROR, loc_at(src, o, o + 1),
                 "this is not a Proxmox VM config: it contains binary data "
                 "(a NUL byte)");
        return -1;
    }
    out->main = r.cur = new_section(&r, PVE_MAIN, NULL, (src_loc){0});
    struct strbuf desc;
    sb_init(&desc, a);
    struct pve_section *desc_of = r.cur;
    size_t off = 0;
    while (off < src->len) {
        const char *line = src->text + off;
        const char *nl = memchr(line, '\n', src->len - off);
        size_t n = nl ? (size_t)(nl - line) : src->len - off;
        size_t next = off + n + (nl ? 1 : 0);
        /* trim like Perl's (.+?)\s*$ and skip blank lines */
        size_t s = 0, e = n;
        while (e > 0 && isspace((unsigned char)line[e - 1]))
            e--;
        while (s < e && isspace((unsigned char)line[s]))
            s++;
        if (s == e) {
            off = next;
            continue;
        }
        /* Proxmox does not validate special sections and skips unknown
         * ones (their header was reported) */
        if (r.cur->kind == PVE_SPECIAL && !(line[s] == '[' && line[e - 1] == ']')) {
            off = next;
            continue;
        }
        if (r.cur != desc_of) {
            if (desc.len)
                desc_of->description = arena_strdup(a, sb_str(&desc));
            sb_init(&desc, a);
            desc_of = r.cur;
        }
        /* Proxmox matches a line from its first byte (parse_vm_config:
         * m/^([a-z][a-z_]*\d*):\s*(.+?)\s*$/, m/^\#/, m/^\[/): an
         * indented line is none of these, and it warns and drops it. */
        const char *t = line + s;
        size_t tn = e - s, toff = off + s;
        if (s > 0) {
            dropped(&r, loc_at(src, off, toff + tn),
                    "a line that starts with blanks is not a setting%s",
                    ": Proxmox drops it");
        } else if (t[0] == '[' && t[tn - 1] == ']') {
            section_header(&r, t, tn, loc_at(src, toff, toff + tn));
        } else if (t[0] == '#') {
            if (desc.len)
                sb_addc(&desc, '\n');
            sb_add(&desc, url_decode(a, t + 1, tn - 1));
        } else if (key_char(t[0], true)) {
            key_line(&r, t, tn, toff);
        } else {
            dropped(&r, loc_at(src, toff, toff + tn),
                    "Proxmox cannot parse this line%s", "");
        }
        off = next;
    }
    if (desc.len)
        desc_of->description = arena_strdup(a, sb_str(&desc));
    /* the summary counts exactly the dropped lines that were not listed */
    if (out->ndropped > r.nlisted)
        diag_add(diags, R_P040, (src_loc){0},
                 "%s: %zu more lines that Proxmox drops are not listed",
                 src->path, out->ndropped - r.nlisted);
    return 0;
}

/* ---- hostpci property strings ---------------------------------------- */

static bool is_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* $PCIRE: (?:[a-f0-9]{4,}:)?[a-f0-9]{2}:[a-f0-9]{2}(?:\.[a-f0-9])? */
static bool pcire_match(const char *s, size_t n)
{
    size_t c1 = 0;
    while (c1 < n && s[c1] != ':')
        c1++;
    if (c1 == n)
        return false;
    const char *rest = s;
    size_t rn = n;
    const char *c2 = memchr(s + c1 + 1, ':', n - c1 - 1);
    if (c2) {
        if (c1 < 4 || !is_lower_hex(s, c1))
            return false;
        rest = s + c1 + 1;
        rn = n - c1 - 1;
    }
    if (rn != 5 && rn != 7)
        return false;
    if (!is_lower_hex(rest, 2) || rest[2] != ':' || !is_lower_hex(rest + 3, 2))
        return false;
    if (rn == 7 && (rest[5] != '.' || !is_lower_hex(rest + 6, 1)))
        return false;
    return true;
}

static int parse_bool(const char *v)
{
    static const char *const t[] = {"1", "on", "yes", "true"};
    static const char *const f[] = {"0", "off", "no", "false"};
    for (int i = 0; i < 4; i++) {
        if (!strcasecmp(v, t[i]))
            return 1;
        if (!strcasecmp(v, f[i]))
            return 0;
    }
    return -1;
}

static int parse_id_override(const char *v)
{
    if (strlen(v) != 6 || v[0] != '0' || v[1] != 'x')
        return -1;
    for (int i = 2; i < 6; i++)
        if (!isxdigit((unsigned char)v[i]))
            return -1;
    return (int)strtol(v + 2, NULL, 16);
}

static bool configid_ok(const char *v)
{
    size_t n = strlen(v);
    if (n < 2 || !isalpha((unsigned char)v[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char)v[i]) && v[i] != '_' && v[i] != '-')
            return false;
    return true;
}

static int hostpci_fail(struct diag_list *diags, src_loc loc, const char *msg)
{
    struct diag *d = diag_add(diags, R_P040, loc,
                              "hostpci value rejected by Proxmox's schema: %s",
                              msg);
    diag_note(diags, d, (src_loc){0},
              "Proxmox drops this line when it loads the config ('unable to "
              "parse value'); it is not imported");
    return -1;
}

int pve_hostpci_parse(arena *a, const char *value, src_loc value_loc,
                      struct pve_hostpci *h, struct diag_list *diags)
{
    memset(h, 0, sizeof *h);
    h->value = value;
    h->value_loc = value_loc;
    h->pcie = h->x_vga = h->rombar = h->legacy_igd = -1;
    h->vendor_id = h->device_id = h->sub_vendor_id = h->sub_device_id = -1;
    bool seen[13] = {0};
    static const char *const keys[13] = {"host", "mapping", "pcie", "x-vga",
        "rombar", "romfile", "mdev", "vendor-id", "device-id", "sub-vendor-id",
        "sub-device-id", "legacy-igd", "driver"};
    size_t len = strlen(value);
    size_t p = 0;
    while (p <= len) {
        size_t q = p;
        while (q < len && value[q] != ',')
            q++;
        if (q == p) {       /* empty parts are ignored */
            p = q + 1;
            continue;
        }
        src_loc ploc = value_loc;
        if (value_loc.src) {
            ploc.start = value_loc.start + (uint32_t)p;
            ploc.end = value_loc.start + (uint32_t)q;
        }
        char *part = arena_strndup(a, value + p, q - p);
        char *eq = strchr(part, '=');
        const char *key = "host", *v = part;
        if (eq) {
            *eq = 0;
            key = part;
            v = eq + 1;
        }
        int ki = -1;
        for (int i = 0; i < 13; i++)
            if (!strcmp(key, keys[i]))
                ki = i;
        if (ki < 0)
            return hostpci_fail(diags, ploc, arena_printf(a,
                "property '%s' is not defined in the schema", key));
        if (seen[ki])
            return hostpci_fail(diags, ploc, arena_printf(a,
                "duplicate key '%s'%s", key, eq ? "" :
                " (a second bare value: flags must be written key=1)"));
        seen[ki] = true;
        int b;
        switch (ki) {
        case 0: {           /* host: $PCIRE(;$PCIRE)* */
            h->host_set = true;
            size_t n = 1;
            for (const char *c = v; *c; c++)
                n += *c == ';';
            h->hosts = arena_calloc(a, n, sizeof *h->hosts);
            h->host_locs = arena_calloc(a, n, sizeof *h->host_locs);
            const char *s = v;
            size_t voff = (size_t)(v - part) + p;
            for (;;) {
                const char *e = strchr(s, ';');
                size_t sn = e ? (size_t)(e - s) : strlen(s);
                src_loc iloc = ploc;
                if (value_loc.src) {
                    iloc.start = value_loc.start + (uint32_t)(voff + (size_t)(s - v));
                    iloc.end = iloc.start + (uint32_t)sn;
                }
                if (!pcire_match(s, sn))
                    return hostpci_fail(diags, iloc, arena_printf(a,
                        "'%.*s' is not a PCI address as Proxmox writes them "
                        "(lowercase hex, bb:dd.f, optional domain)",
                        (int)(sn > 64 ? 64 : sn), s));
                char *one = arena_strndup(a, s, sn);
                const char *why = NULL;
                struct pci_addr ad;
                if (pci_addr_parse(one, true, &ad, &why) < 0) {
                    /* The regex accepts slot 20-ff and function 8-f; no
                     * such device exists, so Proxmox fails at start. */
                    struct diag *d = diag_add(diags, R_P041,
                        iloc, "'%s' is not a real PCI address "
                        "(%s); the slot is not imported", one, why);
                    diag_note(diags, d, (src_loc){0}, "Proxmox accepts it in "
                              "the file but cannot start the VM with it");
                    return -2;
                }
                h->host_locs[h->nhosts] = iloc;
                h->hosts[h->nhosts++] = ad;
                if (!e)
                    break;
                s = e + 1;
            }
            break;
        }
        case 1:
            if (!configid_ok(v))
                return hostpci_fail(diags, ploc, arena_printf(a,
                    "mapping '%s' is not a valid mapping id", v));
            h->mapping = arena_strdup(a, v);
            h->mapping_loc = ploc;
            break;
        case 2: case 3: case 4: case 11:
            b = parse_bool(v);
            if (b < 0)
                return hostpci_fail(diags, ploc, arena_printf(a,
                    "'%s=%s' is not a boolean (1/0, on/off, yes/no, true/false)",
                    key, v));
            if (ki == 2) h->pcie = b;
            else if (ki == 3) h->x_vga = b;
            else if (ki == 4) h->rombar = b;
            else h->legacy_igd = b;
            break;
        case 5:
            if (!*v || strchr(v, ';'))
                return hostpci_fail(diags, ploc, "romfile must be a file name "
                                    "without ',' or ';'");
            h->romfile = arena_strdup(a, v);
            break;
        case 6:
            if (!*v || strpbrk(v, "/.:"))
                return hostpci_fail(diags, ploc, "mdev type must not contain "
                                    "'/', '.' or ':'");
            h->mdev = arena_strdup(a, v);
            break;
        case 7: case 8: case 9: case 10: {
            int id = parse_id_override(v);
            if (id < 0)
                return hostpci_fail(diags, ploc, arena_printf(a,
                    "'%s=%s' must be 0x followed by 4 hex digits", key, v));
            if (ki == 7) h->vendor_id = id;
            else if (ki == 8) h->device_id = id;
            else if (ki == 9) h->sub_vendor_id = id;
            else h->sub_device_id = id;
            break;
        }
        case 12:
            if (strcmp(v, "vfio") && strcmp(v, "keep"))
                return hostpci_fail(diags, ploc, arena_printf(a,
                    "driver '%s' is not vfio or keep", v));
            h->driver = arena_strdup(a, v);
            h->driver_loc = ploc;
            break;
        }
        p = q + 1;
    }
    return 0;
}

const char *pve_prop_default(arena *a, const char *value,
                             const char *default_key)
{
    size_t klen = strlen(default_key);
    const char *p = value;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (n && !eq)
            return arena_strndup(a, p, n);
        if (eq && (size_t)(eq - p) == klen && !strncmp(p, default_key, klen))
            return arena_strndup(a, eq + 1, n - klen - 1);
        if (!e)
            break;
        p = e + 1;
    }
    return NULL;
}

bool pve_vmid_valid(unsigned long long n)
{
    return n >= PVE_VMID_MIN && n <= PVE_VMID_MAX;
}

unsigned pve_vmid_from_path(const char *path)
{
    size_t n = strlen(path);
    if (n < 6 || strcmp(path + n - 5, ".conf"))
        return 0;
    size_t e = n - 5, s = e;
    while (s > 0 && isdigit((unsigned char)path[s - 1]))
        s--;
    if (s == e || e - s > 9 || path[s] == '0')
        return 0;
    unsigned long v = strtoul(path + s, NULL, 10);
    return pve_vmid_valid(v) ? (unsigned)v : 0;
}
