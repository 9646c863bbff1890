#include "pci_addr.h"

#include <stdio.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads hex digits up to a stop char; returns digit count or -1. */
static int hexfield(const char **p, uint64_t *v)
{
    int n = 0;
    *v = 0;
    while (hexval(**p) >= 0) {
        if (n < 16)
            *v = *v * 16 + (uint64_t)hexval(**p);
        (*p)++;
        n++;
    }
    return n;
}

int pci_addr_parse(const char *s, bool allow_all, struct pci_addr *out,
                   const char **why)
{
    uint64_t f[4];
    int nd[4];
    int nf = 0;
    const char *p = s;
    for (;;) {
        nd[nf] = hexfield(&p, &f[nf]);
        if (nd[nf] == 0) {
            *why = "expected hex digits";
            return -1;
        }
        nf++;
        if (*p == ':' && nf < 3) {
            p++;
            continue;
        }
        break;
    }
    bool has_func = false;
    uint64_t func = 0;
    if (*p == '.') {
        p++;
        int n = hexfield(&p, &func);
        if (n == 0) {
            *why = "expected a function number after '.'";
            return -1;
        }
        has_func = true;
        if (n > 1 || func > 7) {
            *why = "function is above 7";
            return -1;
        }
    }
    if (*p) {
        *why = "unexpected character in address";
        return -1;
    }
    if (nf < 2) {
        *why = "expected bus:slot.function";
        return -1;
    }
    int b = nf - 2;
    uint64_t domain = 0;
    if (nf == 3) {
        if (nd[0] < 4 || nd[0] > 8 || f[0] > 0xffffffffu) {
            *why = "domain must be 4 to 8 hex digits";
            return -1;
        }
        domain = f[0];
    }
    if (f[b] > 0xff || nd[b] > 2) {
        *why = "bus is above ff";
        return -1;
    }
    if (f[b + 1] > 0x1f || nd[b + 1] > 2) {
        *why = "slot is above 1f";
        return -1;
    }
    if (!has_func && !allow_all) {
        *why = "expected a function (.0 to .7)";
        return -1;
    }
    out->domain = (uint32_t)domain;
    out->bus = (uint8_t)f[b];
    out->slot = (uint8_t)f[b + 1];
    out->func = has_func ? (uint8_t)func : PCI_FUNC_ALL;
    return 0;
}

/* v in lowercase hex, at least min digits; returns the end.  By hand:
 * addresses and ids are formatted for every device of a facts scan and
 * snapshot, and sprintf was a tenth of it. */
static char *put_hex(char *p, uint32_t v, int min)
{
    int n = 1;
    while (n < 8 && v >> (4 * n))
        n++;
    if (n < min)
        n = min;
    for (int i = n - 1; i >= 0; i--, v >>= 4)
        p[i] = "0123456789abcdef"[v & 0xf];
    return p + n;
}

char *pci_addr_format(const struct pci_addr *a, char *buf)
{
    /* "%04x:%02x:%02x.%x" */
    char *p = put_hex(buf, a->domain, 4);
    *p++ = ':';
    p = put_hex(p, a->bus, 2);
    *p++ = ':';
    p = put_hex(p, a->slot, 2);
    if (a->func != PCI_FUNC_ALL) {
        *p++ = '.';
        p = put_hex(p, a->func, 1);
    }
    *p = '\0';
    return buf;
}

int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b)
{
    if (a->domain != b->domain) return a->domain < b->domain ? -1 : 1;
    if (a->bus != b->bus) return a->bus < b->bus ? -1 : 1;
    if (a->slot != b->slot) return a->slot < b->slot ? -1 : 1;
    if (a->func != b->func) return a->func < b->func ? -1 : 1;
    return 0;
}

bool pci_addr_eq(const struct pci_addr *a, const struct pci_addr *b)
{
    return pci_addr_cmp(a, b) == 0;
}

bool pci_addr_same_device(const struct pci_addr *a, const struct pci_addr *b)
{
    return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
}

int pci_id_parse(const char *s, struct pci_id *out, const char **why)
{
    const char *p = s;
    uint64_t v, d;
    int nv = hexfield(&p, &v);
    if (nv != 4 || *p != ':') {
        *why = "vendor id must be 4 hex digits";
        return -1;
    }
    p++;
    int ndv = hexfield(&p, &d);
    if (ndv != 4 || *p) {
        *why = "device id must be 4 hex digits";
        return -1;
    }
    out->vendor = (uint16_t)v;
    out->device = (uint16_t)d;
    return 0;
}

char *pci_id_format(const struct pci_id *id, char *buf)
{
    char *p = put_hex(buf, id->vendor, 4);
    *p++ = ':';
    p = put_hex(p, id->device, 4);
    *p = '\0';
    return buf;
}

bool pci_id_eq(const struct pci_id *a, const struct pci_id *b)
{
    return a->vendor == b->vendor && a->device == b->device;
}
