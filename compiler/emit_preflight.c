/* emit_preflight.c — what the build checked, as data for apply.sh's
 * pre-flight (compiler/scripts/preflight.sh, issue 13): the facts are often
 * days old or from another machine, so apply.sh looks again at the live
 * host before it changes anything.  Everything comes from the plan; every
 * value is one single-quoted word. */
#include <string.h>

#include "emit_parts.h"

static const char *vfio_state(enum plan_vfio v)
{
    switch (v) {
    case PLAN_VFIO_ABSENT: return "absent";
    case PLAN_VFIO_MODULE: return "module";
    case PLAN_VFIO_BUILTIN: return "builtin";
    case PLAN_VFIO_UNKNOWN: break;
    }
    return "unknown";
}

/* One line per passed device: ADDR ID CLASS GROUP, "-" for what the build
 * did not know (no id on the spec line; not seen; no IOMMU group), GROUP
 * the members by address joined with commas, as apply.sh lists them. */
static void device_lines(const struct plan *p, struct strbuf *out)
{
    sb_add(out, "    printf '%s\\n'");
    for (size_t i = 0; i < p->ndevices; i++) {
        const struct plan_device *d = &p->devices[i];
        char abuf[32], ibuf[16];
        struct strbuf line;
        sb_init(&line, out->a);
        sb_printf(&line, "%s %s", pci_addr_format(&d->addr, abuf),
                  d->has_id ? pci_id_format(&d->id, ibuf) : "-");
        if (d->seen)
            sb_printf(&line, " %06x", (unsigned)d->class_code & 0xffffffu);
        else
            sb_add(&line, " -");
        if (d->seen && d->ngroup > 0) {
            for (size_t g = 0; g < d->ngroup; g++)
                sb_printf(&line, "%c%s", g ? ',' : ' ', pci_addr_format(&d->group[g], abuf));
        } else {
            sb_add(&line, " -");
        }
        sb_add(out, " \\\n        ");
        sb_shell_quote(out, sb_str(&line));
    }
    if (p->ndevices == 0)
        sb_add(out, " ''");
    sb_addc(out, '\n');
}

bool emit_sh_preflight(const struct emit_ctx *c, const char *name,
                       struct strbuf *out)
{
    const struct plan *p = c->p;
    if (!strcmp(name, "pf_facts")) {
        sb_shell_quote(out, p->have_facts ? "1" : "0");
    } else if (!strcmp(name, "pf_hostname")) {
        sb_shell_quote(out, p->have_facts && p->hostname ? p->hostname : "");
    } else if (!strcmp(name, "pf_iommu")) {
        sb_shell_quote(out, p->have_facts && p->iommu_on ? "1" : "0");
    } else if (!strcmp(name, "pf_vfio")) {
        sb_shell_quote(out, p->have_facts ? vfio_state(p->vfio_pci) : "unknown");
    } else if (!strcmp(name, "pf_devices")) {
        device_lines(p, out);
    } else {
        return false;
    }
    return true;
}
