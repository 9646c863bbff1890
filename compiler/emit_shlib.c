/* emit_shlib.c — the head that apply.sh and rollback.sh share: where things
 * live (under PASSC_ROOT), what the spec wants (vfio.conf and each VM's
 * settings, as quoted data), and small helpers.  Emitting it once for both
 * scripts is what makes rollback's "byte-identical to what passc wrote"
 * test mean the same bytes apply.sh installs. */
#include <string.h>

#include "emit_parts.h"

/* printf '%s\n' 'line' … : every line one single-quoted word, so no byte of
 * it is ever shell syntax. */
static void printf_lines(struct strbuf *out, const char *text, size_t len)
{
    sb_add(out, "    printf '%s\\n'");
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        sb_add(out, " \\\n        ");
        sb_shell_quote(out, arena_strndup(out->a, p, n));
        p += n + (nl ? 1 : 0);
    }
    sb_addc(out, '\n');
}

static const char helpers[] =
    "\n"
    "say() { printf 'passc: %s\\n' \"$*\"; }\n"
    "die() {\n"
    "    printf 'passc: error: %s\\n' \"$*\" >&2\n"
    "    exit 1\n"
    "}\n"
    "\n"
    "# $1 as one shell word, for commands printed for people to run.\n"
    "quote() { printf \"'%s'\" \"$(printf '%s' \"$1\" | sed \"s/'/'\\\\\\\\''/g\")\"; }\n"
    "\n"
    "# The value of setting $1 in $conf (output of `qm config`); fails when the\n"
    "# VM does not have it.  Proxmox never stores an empty value.\n"
    "conf_get() {\n"
    "    got=$(printf '%s\\n' \"$conf\" | sed -n \"/^$1: /{s///p;q;}\")\n"
    "    [ -n \"$got\" ] && printf '%s\\n' \"$got\"\n"
    "}\n"
    "\n"
    "# hostpci changes on a running VM only go to [PENDING] until it is stopped\n"
    "# and started, so a run against a running VM would not really be done (a\n"
    "# dry run, which changes nothing, only says so).\n"
    "check_stopped() {\n"
    "    for vmid in $vmids; do\n"
    "        st=$(qm status \"$vmid\") || die \"qm status $vmid failed: is there a VM $vmid on this host?\"\n"
    "        case $st in\n"
    "        *'status: running'*)\n"
    "            if [ \"$force\" = 1 ]; then\n"
    "                say \"VM $vmid is running (--force): its hostpci changes stay pending until it is stopped and started\"\n"
    "            elif [ \"${dry_run:-0}\" = 1 ]; then\n"
    "                say \"VM $vmid is running: without --force, a real run refuses (hostpci changes would only go pending)\"\n"
    "            else\n"
    "                die \"VM $vmid is running: hostpci changes would only go pending. Shut it down first, or give --force\"\n"
    "            fi\n"
    "            ;;\n"
    "        esac\n"
    "    done\n"
    "}\n"
    "\n"
    "# Checked before anything changes: a tool missing half way would leave\n"
    "# the work half done.\n"
    "need() {\n"
    "    for tool in \"$@\"; do\n"
    "        command -v \"$tool\" >/dev/null 2>&1 ||\n"
    "            die \"$tool not found on PATH: run this on the Proxmox VE host, as root\"\n"
    "    done\n"
    "}\n"
    "\n"
    "update_initramfs_if_pending() {\n"
    "    if [ -f \"$lib/state/initramfs.pending\" ]; then\n"
    "        say 'running update-initramfs -u -k all (vfio.conf changed)'\n"
    "        update-initramfs -u -k all\n"
    "        rm -f \"$lib/state/initramfs.pending\"\n"
    "        reboot_needed=1\n"
    "    fi\n"
    "}\n";

bool emit_sh_head(const struct model *m, const struct plan *p,
                  struct strbuf *out, const char *what)
{
    sb_add(out, "# Text from the spec appears only as single-quoted data, so shellcheck's\n"
                "# guesses about quotes and $ inside such strings do not apply:\n"
                "# shellcheck disable=SC1112,SC2016\n"
                "set -eu\n\n");
    if (m->nvms == 0) {
        /* Backups are kept per VM: with none there is nowhere to record
         * what would change, so nothing is changed. */
        sb_printf(out, "echo 'passc: error: the spec names no VM: there is nothing to %s' >&2\n"
                       "exit 1\n", what);
        return false;
    }
    emit_sh_common(m, p, out);
    return true;
}

void emit_sh_common(const struct model *m, const struct plan *p,
                    struct strbuf *out)
{
    arena *a = out->a;
    sb_add(out, "root=${PASSC_ROOT:-}\n"
                "vfio_conf=$root/etc/modprobe.d/vfio.conf\n"
                "lib=$root/var/lib/passc\n"
                "vmids=");
    struct strbuf ids;
    sb_init(&ids, a);
    for (size_t v = 0; v < m->nvms; v++)
        sb_printf(&ids, "%s%u", v ? " " : "", m->vms[v]->vmid);
    sb_shell_quote(out, sb_str(&ids));
    sb_add(out, "\nfirst_vmid=");
    sb_shell_quote(out, m->nvms ? arena_printf(a, "%u", m->vms[0]->vmid) : "");
    sb_add(out, "\nforce=0\nreboot_needed=0\n");
    sb_add(out, helpers);
    emit_sh_cmdline(m, p, out);

    sb_add(out, "\n# The vfio.conf this spec installs, byte for byte.\nwant_vfio() {\n");
    struct strbuf vf;
    sb_init(&vf, a);
    emit_vfio_conf(m, p, &vf);
    printf_lines(out, sb_str(&vf), vf.len);
    sb_add(out, "}\n");

    for (size_t v = 0; v < m->nvms; v++) {
        const struct m_vm *vm = m->vms[v];
        size_t n = p->vms[v].nsettings;
        const struct vm_setting *s = p->vms[v].settings;
        sb_printf(out, "\n# KEY=VALUE: the settings passc manages on VM %u.\n"
                       "want_vm_%u() {\n", vm->vmid, vm->vmid);
        if (n == 0) {
            sb_add(out, "    :\n}\n");
            continue;
        }
        struct strbuf kv;
        sb_init(&kv, a);
        for (size_t i = 0; i < n; i++)
            sb_printf(&kv, "%s=%s\n", s[i].key, s[i].value);
        printf_lines(out, sb_str(&kv), kv.len - 1);
        sb_add(out, "}\n");
    }
}

void emit_sh_body(struct strbuf *out, const char *body,
                  const struct sh_part *parts, size_t nparts, bool on)
{
    const char *p = body;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
        const struct sh_part *part = NULL;
        for (size_t i = 0; *p == '@' && i < nparts; i++)
            if (strlen(parts[i].name) + 1 == n && !strncmp(p, parts[i].name, n - 1))
                part = &parts[i];
        if (part)
            sb_add(out, on ? part->on : part->off);
        else
            sb_addn(out, p, n);
        p += n;
    }
}
