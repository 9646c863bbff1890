/* emit_recover.c — the way back when the host does not come up after
 * apply.sh: the rescue boot entry's files (compiler/scripts/rescue-grub.sh,
 * a GRUB generator, and rescue-hook.sh, a kernel hook for systemd-boot
 * through proxmox-boot-tool), whose texts apply.sh carries in rescue.sh;
 * recover.sh, which puts the host's files back from passc's backups; and
 * RECOVERY.txt, the same steps in plain words.  The entry's files hold no
 * spec data: every spec installs the same bytes, so two specs on one host
 * do not fight over them. */
#include <string.h>

#include "emit_parts.h"

/* The rescue entry's name in the boot menu; GRUB adds ", Linux VERSION". */
static const char rescue_title[] =
    "Proxmox VE rescue (passc: no vfio-pci, no VM autostart)";

static bool rescue_file_value(struct strbuf *out, const char *name, const void *ctx)
{
    (void)ctx;
    if (strcmp(name, "rescue_title"))
        return false;
    sb_shell_quote(out, rescue_title);
    return true;
}

bool emit_sh_rescue(const struct emit_ctx *c, const char *name,
                    struct strbuf *out)
{
    (void)c;
    /* Inside a quoted here-document ('PASSC_RESCUE_…'): passc's own text,
     * which has no line of that name, goes in byte for byte. */
    if (!strcmp(name, "rescue_grub"))
        script_render(out, "rescue-grub.sh", "", rescue_file_value, NULL);
    else if (!strcmp(name, "rescue_hook"))
        script_render(out, "rescue-hook.sh", "", rescue_file_value, NULL);
    else
        return rescue_file_value(out, name, NULL);
    return true;
}

static bool recover_value(struct strbuf *out, const char *name, const void *ctx)
{
    const struct emit_ctx *c = ctx;
    const struct model *m = c->m;
    if (!strcmp(name, "vm_list")) {
        emit_vm_list(m, out, true);
    } else if (!strcmp(name, "rescue_title_text")) {
        sb_add(out, rescue_title);
    } else if (!strcmp(name, "snapshot")) {
        /* plain text in RECOVERY.txt, so one line of it */
        if (m->has_host && m->host.zfs_dataset && m->nvms) {
            emit_comment_text(out, m->host.zfs_dataset);
            sb_printf(out, "@passc-%u-<TIME>", emit_first_vm(m)->vmid);
        } else {
            sb_add(out, "none: the spec names no ZFS dataset to snapshot");
        }
    } else {
        return emit_sh_common(c, name, out) || emit_sh_rescue(c, name, out);
    }
    return true;
}

void emit_recover_sh(const struct model *m, const struct plan *p,
                     struct strbuf *out)
{
    struct emit_ctx c = {m, p};
    script_render(out, "recover.sh", emit_sh_flags(m, p), recover_value, &c);
}

void emit_recovery_txt(const struct model *m, const struct plan *p,
                       struct strbuf *out)
{
    struct emit_ctx c = {m, p};
    script_render(out, "RECOVERY.txt", emit_sh_flags(m, p), recover_value, &c);
}
