/* emit_cmdline.c — vfio-pci.ids= on the kernel command line, for a host
 * whose kernel has vfio_pci built in (P032): such a vfio_pci never reads
 * modprobe.d, so apply.sh edits what the boot loader passes instead, the
 * way the Proxmox docs (system-booting.adoc) say to: the one line of
 * /etc/kernel/cmdline then `proxmox-boot-tool refresh` (systemd-boot), else
 * GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub then `update-grub`.
 *
 * The edit touches one parameter and nothing else, byte for byte, and
 * refuses (before apply.sh changes anything) whatever it cannot edit that
 * way: it is the line the host boots with.  The editor is
 * compiler/scripts/cmdline.awk, the shell around it is in common.sh. */
#include <string.h>

#include "emit_parts.h"

bool emit_sh_cmdline(const struct emit_ctx *c, const char *name,
                     struct strbuf *out)
{
    if (!strcmp(name, "cmdline_ids")) {
        struct strbuf ids;
        sb_init(&ids, out->a);
        emit_id_list(&ids, c->p->ids, c->p->nids);
        sb_shell_quote(out, sb_str(&ids));
    } else if (!strcmp(name, "cmdline_awk")) {
        struct strbuf awk;
        sb_init(&awk, out->a);
        script_render(&awk, "cmdline.awk", "", NULL, NULL);
        sb_shell_quote(out, sb_str(&awk));
    } else {
        return false;
    }
    return true;
}
