/* facts_text.c — `passc facts --format text`: what lspci -nnk and an
 * IOMMU-group script would show, plus what passc knows and they do not:
 * what the host needs each device for, and per group whether it can be
 * passed on its own.  Stable output (sorted as the facts are, no
 * timestamps), so two runs can be diffed. */
#include <string.h>

#include "facts_text.h"
#include "pci_class.h"
#include "utf8.h"

/* Driverless functions the host does not use (AMD's Dummy Host Bridge and
 * Reserved SPP) and host bridges: vfio-pci takes them at VM start and the
 * host loses nothing, as P024 counts them. */
static bool is_placeholder(const struct facts_device *d)
{
    return (d->class_code >> 8) == 0x0600 || (!d->driver && !d->uses);
}

static const struct {
    uint32_t code;   /* base class, sub-class (16 bits) or with prog-if (24) */
    const char *name;
} classes[] = {
    {0x0c0330, "USB controller (xHCI)"},
    {PCI_CLASS_USB4, "USB4 host interface"},
    {0x0100, "SCSI storage controller"},
    {0x0101, "IDE interface"},
    {0x0104, "RAID bus controller"},
    {0x0106, "SATA controller"},
    {0x0107, "Serial Attached SCSI controller"},
    {0x0108, "Non-Volatile memory controller"},
    {0x0180, "Mass storage controller"},
    {0x0200, "Ethernet controller"},
    {0x0207, "Infiniband controller"},
    {0x0280, "Network controller"},
    {0x0300, "VGA compatible controller"},
    {0x0301, "XGA compatible controller"},
    {0x0302, "3D controller"},
    {0x0380, "Display controller"},
    {0x0400, "Multimedia video controller"},
    {0x0401, "Multimedia audio controller"},
    {0x0403, "Audio device"},
    {0x0480, "Multimedia controller"},
    {0x0500, "RAM memory"},
    {0x0580, "Memory controller"},
    {0x0600, "Host bridge"},
    {0x0601, "ISA bridge"},
    {0x0604, "PCI bridge"},
    {0x0680, "Bridge"},
    {0x0700, "Serial controller"},
    {0x0780, "Communication controller"},
    {0x0800, "PIC"},
    {0x0806, "IOMMU"},
    {0x0880, "System peripheral"},
    {0x0c03, "USB controller"},
    {0x0c05, "SMBus"},
    {0x0c80, "Serial bus controller"},
    {0x0d11, "Bluetooth"},
    {0x0d80, "Wireless controller"},
    {0x1080, "Encryption controller"},
    {0x1101, "Performance counters"},
    {0x1180, "Signal processing controller"},
    {0x1200, "Processing accelerators"},
    {0x1300, "Non-Essential Instrumentation"},
};

const char *pci_class_name(uint32_t class_code)
{
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (classes[i].code > 0xffff ? classes[i].code == class_code
                                     : classes[i].code == class_code >> 8)
            return classes[i].name;
    return NULL;
}

struct out {
    FILE *f;
    bool color;
};

enum paint { P_BOLD, P_GOOD, P_WARN, P_BAD, P_DIM };

static void on(struct out *o, enum paint p)
{
    static const char *const sgr[] = {"1", "32", "33", "1;31", "2"};
    if (o->color)
        fprintf(o->f, "\033[%sm", sgr[p]);
}

static void off(struct out *o)
{
    if (o->color)
        fputs("\033[0m", o->f);
}

/* A string from the facts (a snapshot may hold anything): UTF-8 as it is,
 * control bytes and broken sequences as '?'. */
static void put_safe(struct out *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(p + i, n - i);
        if (k == 0 || (k == 1 && (p[i] < 0x20 || p[i] == 0x7f))) {
            fputc('?', o->f);
            i++;
            continue;
        }
        fwrite(p + i, 1, k, o->f);
        i += k;
    }
}

/* "02:00.0" in domain 0 (what lspci and the specs write), else in full. */
static void put_addr(struct out *o, const struct pci_addr *a)
{
    char buf[24];
    pci_addr_format(a, buf);
    fputs(a->domain == 0 ? buf + 5 : buf, o->f);
}

static void put_uses(struct out *o, unsigned uses)
{
    const char *sep = "";
    for (unsigned b = 0; b < HOST_USE_COUNT; b++)
        if (uses & (1u << b)) {
            fprintf(o->f, "%s%s", sep, host_use_name(b));
            sep = ", ";
        }
}

static void put_links(struct out *o, const char *what,
                      const struct pci_addr *v, size_t n)
{
    if (n == 0)
        return;
    fprintf(o->f, "      %s", what);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : " ", o->f);
        put_addr(o, &v[i]);
    }
    fputc('\n', o->f);
}

static void put_device(struct out *o, const struct facts_device *d)
{
    char id[10];
    const char *cls = pci_class_name(d->class_code);
    fputs("  ", o->f);
    on(o, P_BOLD);
    put_addr(o, &d->addr);
    off(o);
    fprintf(o->f, "  %s  ", pci_id_format(&d->id, id));
    if (cls)
        fputs(cls, o->f);
    else
        fprintf(o->f, "class %06x", (unsigned)d->class_code);
    if (d->vendor_name || d->device_name)
        fputs(":", o->f);
    if (d->vendor_name) {
        fputc(' ', o->f);
        put_safe(o, d->vendor_name);
    }
    if (d->device_name) {
        fputc(' ', o->f);
        put_safe(o, d->device_name);
    }
    fputc('\n', o->f);
    fputs("      driver ", o->f);
    put_safe(o, d->driver ? d->driver : "none");
    fputs(", reset ", o->f);
    if (!d->reset_methods)
        fputs("unknown", o->f);
    else
        put_safe(o, *d->reset_methods ? d->reset_methods : "none");
    if (facts_is_bridge(d))
        fputs(", bridge (stays with the host)", o->f);
    fputc('\n', o->f);
    if (d->uses) {
        fputs("      ", o->f);
        on(o, P_BAD);
        fputs("host needs it:", o->f);
        off(o);
        fputc(' ', o->f);
        /* the detail names each use ("root-disk: /dev/nvme0n1p2 (/)") */
        if (d->use_detail)
            put_safe(o, d->use_detail);
        else
            put_uses(o, d->uses);
        fputc('\n', o->f);
    }
    /* firmware device links: a USB4 router's tunnels end on these xHCIs */
    bool router = d->class_code == PCI_CLASS_USB4;
    put_links(o, router ? "tied to xHCI" : "supplies", d->consumers, d->nconsumers);
    put_links(o, d->class_code == PCI_CLASS_XHCI ? "tied to USB4 router" : "supplied by",
              d->suppliers, d->nsuppliers);
}

/* The verdict on one group (the n devices at g share it): what passing any of
 * its devices to a VM means. */
static void put_verdict(struct out *o, const struct facts_device *const *g, size_t n)
{
    const struct facts_device *first = NULL;
    bool one_card = true, needed = false, platform = true;
    size_t npass = 0, nplace = 0;
    for (size_t i = 0; i < n; i++) {
        if (facts_is_bridge(g[i]))
            continue;
        if (is_placeholder(g[i])) {
            nplace++;
            continue;
        }
        npass++;
        /* host bridges and the like (class 06xx): nobody passes those */
        platform = platform && (g[i]->class_code >> 16) == 0x06;
        needed = needed || g[i]->uses;
        if (!first)
            first = g[i];
        else if (!pci_addr_same_device(&first->addr, &g[i]->addr))
            one_card = false;
    }
    if (npass == 0 || (platform && !needed)) {
        on(o, P_DIM);
        fputs("bridges only: nothing to pass", o->f);
    } else if (needed) {
        on(o, P_BAD);
        fputs("holds something the host needs:", o->f);
        for (size_t i = 0; i < n; i++)
            if (!facts_is_bridge(g[i]) && g[i]->uses) {
                fputc(' ', o->f);
                put_addr(o, &g[i]->addr);
                fputs(" (", o->f);
                put_uses(o, g[i]->uses);
                fputc(')', o->f);
            }
    } else if (one_card) {
        on(o, P_GOOD);
        fputs(npass == 1 ? "passes alone" : "passes alone (one card, all its functions)", o->f);
        if (nplace) {
            fputs("; driverless placeholders go along:", o->f);
            for (size_t i = 0; i < n; i++)
                if (!facts_is_bridge(g[i]) && is_placeholder(g[i])) {
                    fputc(' ', o->f);
                    put_addr(o, &g[i]->addr);
                }
        }
    } else {
        on(o, P_WARN);
        fputs("passing one drags these along:", o->f);
        for (size_t i = 0; i < n; i++)
            if (!facts_is_bridge(g[i]) && !is_placeholder(g[i])) {
                fputc(' ', o->f);
                put_addr(o, &g[i]->addr);
            }
    }
    off(o);
}

/* Group order, then address: qsort over indices would need the facts in a
 * global, so a small insertion sort (a host has a few hundred functions). */
static void sort_by_group(const struct facts_device **v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const struct facts_device *x = v[i];
        size_t j = i;
        while (j > 0 && (v[j - 1]->iommu_group > x->iommu_group ||
                         (v[j - 1]->iommu_group == x->iommu_group &&
                          pci_addr_cmp(&v[j - 1]->addr, &x->addr) > 0))) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

int facts_write_text(arena *a, const struct facts *f, FILE *file, bool color)
{
    struct out o = {file, color};
    on(&o, P_BOLD);
    fputs("host ", file);
    put_safe(&o, f->hostname ? f->hostname : "(unknown)");
    off(&o);
    if (f->kernel_release) {
        fputs(", kernel ", file);
        put_safe(&o, f->kernel_release);
    }
    if (f->cpu_vendor) {
        fputs(", ", file);
        put_safe(&o, f->cpu_vendor);
    }
    fputs(", IOMMU ", file);
    if (f->iommu_on) {
        fputs("on", file);
    } else {
        on(&o, P_BAD);
        fputs("off: nothing can be passed", file);
        off(&o);
    }
    fputc('\n', file);

    /* One sorted copy of pointers: group -1 (none) sorts first and is
     * printed last, apart. */
    const struct facts_device **v = arena_calloc(a, f->ndevs + 1, sizeof *v);
    for (size_t i = 0; i < f->ndevs; i++)
        v[i] = &f->devs[i];
    sort_by_group(v, f->ndevs);
    size_t nogroup = 0;
    while (nogroup < f->ndevs && v[nogroup]->iommu_group < 0)
        nogroup++;
    for (size_t i = nogroup; i < f->ndevs;) {
        size_t j = i;
        while (j < f->ndevs && v[j]->iommu_group == v[i]->iommu_group)
            j++;
        fputc('\n', file);
        on(&o, P_BOLD);
        fprintf(file, "IOMMU group %d", v[i]->iommu_group);
        off(&o);
        fputs(": ", file);
        put_verdict(&o, v + i, j - i);
        fputc('\n', file);
        for (size_t k = i; k < j; k++)
            put_device(&o, v[k]);
        i = j;
    }
    if (nogroup) {
        fputc('\n', file);
        on(&o, P_BOLD);
        fputs("no IOMMU group", file);
        off(&o);
        fputs(": ", file);
        on(&o, P_BAD);
        fputs("cannot be passed (the IOMMU is off or does not cover them)", file);
        off(&o);
        fputc('\n', file);
        for (size_t k = 0; k < nogroup; k++)
            put_device(&o, v[k]);
    }
    return ferror(file) ? -1 : 0;
}
