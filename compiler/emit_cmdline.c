/* emit_cmdline.c — vfio-pci.ids= on the kernel command line, for a host
 * whose kernel has vfio_pci built in (P032): such a vfio_pci never reads
 * modprobe.d, so apply.sh edits what the boot loader passes instead, the
 * way the Proxmox docs (system-booting.adoc) say to: the one line of
 * /etc/kernel/cmdline then `proxmox-boot-tool refresh` (systemd-boot), else
 * GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub then `update-grub`.
 *
 * The edit touches one parameter and nothing else, byte for byte, and
 * refuses (before apply.sh changes anything) whatever it cannot edit that
 * way: it is the line the host boots with. */
#include "emit_parts.h"

/* The editor, one awk program for both files (LC_ALL=C: bytes stay bytes).
 * Reads the file on stdin; -v mode= check | write | check-remove | remove,
 * kind= cmdline | grub, ids= passc's list, nonl=1 when the file does not
 * end in a newline (kept that way).
 *   check         prints add, same, replace OLD, or refuse WHY
 *   check-remove  prints same (none there), change (exactly passc's),
 *                 other OLD, or refuse WHY
 *   write/remove  print the new file.
 * Parameters split on blanks outside double quotes, as the kernel's
 * next_arg() does, so `foo="a vfio-pci.ids=x"` is foo's value, not ours.
 * vfio_pci.ids= is the same parameter (the kernel takes - and _ alike). */
static const char editor[] =
    "function ws(c) { return c == \" \" || c == \"\\t\" || c == \"\\r\" || c == \"\\v\" || c == \"\\f\" }\n"
    "function refuse(why) {\n"
    "    if (mode ~ /^check/) {\n"
    "        print \"refuse \" why\n"
    "        exit 0\n"
    "    }\n"
    "    print \"passc: error: \" why | \"cat 1>&2\"\n"
    "    exit 1\n"
    "}\n"
    "{ L[NR] = $0 }\n"
    "END {\n"
    "    sq = sprintf(\"%c\", 39)\n"
    "    dq = sprintf(\"%c\", 34)\n"
    "    nl = NR\n"
    "    t = 0\n"
    "    if (kind == \"cmdline\") {\n"
    "        for (i = 1; i <= nl; i++)\n"
    "            if (L[i] !~ /^[ \\t\\r]*$/) {\n"
    "                if (t) refuse(\"holds more than one line; the kernel command line is the one line of this file\")\n"
    "                t = i\n"
    "            }\n"
    "        if (!t) refuse(\"is empty (not even root=): fix that first\")\n"
    "        from = 1\n"
    "        to = length(L[t])\n"
    "    } else {\n"
    "        for (i = 1; i <= nl; i++)\n"
    "            if (L[i] ~ /^[ \\t]*GRUB_CMDLINE_LINUX_DEFAULT=/) t = i\n"
    "        if (t) {\n"
    "            s = L[t]\n"
    "            eq = index(s, \"=\")\n"
    "            q = substr(s, eq + 1, 1)\n"
    "            if (q != dq && q != sq) refuse(\"line \" t \": the value of GRUB_CMDLINE_LINUX_DEFAULT is not in quotes\")\n"
    "            rest = substr(s, eq + 2)\n"
    "            cl = index(rest, q)\n"
    "            if (!cl) refuse(\"line \" t \": the value of GRUB_CMDLINE_LINUX_DEFAULT does not end on its line\")\n"
    "            if (substr(rest, cl + 1) !~ /^[ \\t\\r]*(#.*)?$/) refuse(\"line \" t \": more than one quoted value for GRUB_CMDLINE_LINUX_DEFAULT\")\n"
    "            if (q == dq && substr(rest, 1, cl - 1) ~ /[\\\\`]/) refuse(\"line \" t \": GRUB_CMDLINE_LINUX_DEFAULT holds a backslash or backquote\")\n"
    "            from = eq + 2\n"
    "            to = eq + cl\n"
    "        }\n"
    "    }\n"
    "    re = \"(^|[ \\t\" dq sq \"=])\" dq \"?vfio[-_]pci[.]ids=\"\n"
    "    for (i = 1; i <= nl; i++)\n"
    "        if (i != t && L[i] !~ /^[ \\t]*#/ && L[i] ~ re)\n"
    "            refuse(\"line \" i \" sets vfio-pci.ids= too (outside GRUB_CMDLINE_LINUX_DEFAULT)\")\n"
    "    n = 0\n"
    "    s = L[t]\n"
    "    if (t) {\n"
    "        st = 0\n"
    "        inq = 0\n"
    "        for (i = from; i <= to + 1; i++) {\n"
    "            c = (i <= to) ? substr(s, i, 1) : \" \"\n"
    "            if (!inq && ws(c)) {\n"
    "                if (st) {\n"
    "                    n++\n"
    "                    PS[n] = st\n"
    "                    PE[n] = i - 1\n"
    "                    st = 0\n"
    "                }\n"
    "                continue\n"
    "            }\n"
    "            if (!st) st = i\n"
    "            if (c == dq) inq = !inq\n"
    "        }\n"
    "    }\n"
    "    k = 0\n"
    "    for (j = 1; j <= n; j++)\n"
    "        if (substr(s, PS[j], PE[j] - PS[j] + 1) ~ (\"^\" dq \"?vfio[-_]pci[.]ids=\")) {\n"
    "            if (k) refuse(\"sets vfio-pci.ids= twice\")\n"
    "            k = j\n"
    "        }\n"
    "    old = \"\"\n"
    "    if (k) {\n"
    "        vs = PS[k] + index(substr(s, PS[k]), \"=\")\n"
    "        old = substr(s, vs, PE[k] - vs + 1)\n"
    "        if (old !~ /^[0-9A-Fa-f:,]*$/) refuse(\"sets vfio-pci.ids=\" old \", which is not a plain list of ids\")\n"
    "    }\n"
    "    if (mode == \"check\") {\n"
    "        print !k ? \"add\" : old == ids ? \"same\" : \"replace \" old\n"
    "        exit 0\n"
    "    }\n"
    "    if (mode == \"check-remove\") {\n"
    "        print !k ? \"same\" : old == ids ? \"change\" : \"other \" old\n"
    "        exit 0\n"
    "    }\n"
    "    if (mode == \"write\" && k) {\n"
    "        L[t] = substr(s, 1, vs - 1) ids substr(s, PE[k] + 1)\n"
    "    } else if (mode == \"write\" && t) {\n"
    "        p = to\n"
    "        while (p >= from && ws(substr(s, p, 1))) p--\n"
    "        L[t] = substr(s, 1, p) (p >= from ? \" \" : \"\") \"vfio-pci.ids=\" ids substr(s, p + 1)\n"
    "    } else if (mode == \"write\") {\n"
    "        L[++nl] = \"GRUB_CMDLINE_LINUX_DEFAULT=\" dq \"vfio-pci.ids=\" ids dq\n"
    "        nonl = 0\n"
    "    } else if (mode == \"remove\" && k && old == ids) {\n"
    "        a = PS[k]\n"
    "        b = PE[k]\n"
    "        if (a > from && ws(substr(s, a - 1, 1))) a--\n"
    "        else if (b < to && ws(substr(s, b + 1, 1))) b++\n"
    "        L[t] = substr(s, 1, a - 1) substr(s, b + 1)\n"
    "    }\n"
    "    for (i = 1; i <= nl; i++)\n"
    "        printf \"%s%s\", L[i], (i < nl || !nonl) ? \"\\n\" : \"\"\n"
    "}\n"
;

static const char helpers[] =
    "\n"
    "# How this host boots (Proxmox docs, system-booting): /etc/kernel/cmdline\n"
    "# is proxmox-boot-tool's (systemd-boot); without it GRUB reads\n"
    "# GRUB_CMDLINE_LINUX_DEFAULT from /etc/default/grub.  A systemd-boot host\n"
    "# has /etc/default/grub too, which is why /etc/kernel/cmdline goes first,\n"
    "# unless the running kernel was started by GRUB (only GRUB passes\n"
    "# BOOT_IMAGE=; ZFS hosts booting GRUB through proxmox-boot-tool, e.g.\n"
    "# with Secure Boot, can have an /etc/kernel/cmdline nothing reads).\n"
    "boot_detect() {\n"
    "    boot_kind='' boot_file='' boot_tool='' boot_backup=''\n"
    "    [ ! -f \"$root/etc/default/grub\" ] || boot_kind=grub\n"
    "    if [ -f \"$root/etc/kernel/cmdline\" ] &&\n"
    "        ! { [ \"$boot_kind\" = grub ] && grep -q 'BOOT_IMAGE=' \"$root/proc/cmdline\" 2>/dev/null; }; then\n"
    "        boot_kind=cmdline\n"
    "    fi\n"
    "    [ -z \"$boot_kind\" ] || boot_target \"$boot_kind\"\n"
    "}\n"
    "\n"
    "# boot_target KIND: the file, the tool that makes the boot loader read it,\n"
    "# and the file's name in a backup.\n"
    "boot_target() {\n"
    "    case $1 in\n"
    "    cmdline) boot_file=$root/etc/kernel/cmdline boot_tool=proxmox-boot-tool boot_backup=etc-kernel-cmdline ;;\n"
    "    grub) boot_file=$root/etc/default/grub boot_tool=update-grub boot_backup=etc-default-grub ;;\n"
    "    esac\n"
    "}\n"
    "\n"
    "# cmdline_edit MODE: the editor (cmdline_awk) on $boot_file.\n"
    "cmdline_edit() {\n"
    "    nonl=0\n"
    "    [ ! -s \"$boot_file\" ] || [ -z \"$(tail -c 1 \"$boot_file\")\" ] || nonl=1\n"
    "    LC_ALL=C awk -v mode=\"$1\" -v kind=\"$boot_kind\" -v ids=\"$cmdline_ids\" \\\n"
    "        -v nonl=\"$nonl\" \"$cmdline_awk\" <\"$boot_file\"\n"
    "}\n"
    "\n"
    "# cmdline_install MODE: $boot_file edited by MODE (write or remove), put in\n"
    "# place atomically with its owner and mode.  The refresh is recorded\n"
    "# first: if it fails, the next apply.sh or rollback.sh runs it again.\n"
    "cmdline_install() {\n"
    "    boot_pending \"$boot_tool\"\n"
    "    cp -p \"$boot_file\" \"$boot_file.passc-new\"\n"
    "    cmdline_edit \"$1\" >\"$boot_file.passc-new\"\n"
    "    mv -f \"$boot_file.passc-new\" \"$boot_file\"\n"
    "}\n"
    "\n"
    "boot_pending() { printf '%s\\n' \"$1\" >\"$lib/state/bootloader.pending\"; }\n"
    "\n"
    "boot_refresh_if_pending() {\n"
    "    [ -f \"$lib/state/bootloader.pending\" ] || return 0\n"
    "    tool=$(cat \"$lib/state/bootloader.pending\")\n"
    "    case $tool in\n"
    "    proxmox-boot-tool)\n"
    "        need proxmox-boot-tool\n"
    "        say 'running proxmox-boot-tool refresh (the kernel command line changed)'\n"
    "        proxmox-boot-tool refresh\n"
    "        ;;\n"
    "    update-grub)\n"
    "        need update-grub\n"
    "        say 'running update-grub (the kernel command line changed)'\n"
    "        update-grub\n"
    "        ;;\n"
    "    *) die \"$lib/state/bootloader.pending is damaged\" ;;\n"
    "    esac\n"
    "    rm -f \"$lib/state/bootloader.pending\"\n"
    "    reboot_needed=1\n"
    "}\n";

void emit_sh_cmdline(const struct model *m, const struct plan *p,
                     struct strbuf *out)
{
    (void)m;
    if (!p->ids_on_cmdline)
        return;
    struct strbuf ids;
    sb_init(&ids, out->a);
    emit_id_list(&ids, p->ids, p->nids);
    sb_add(out, "\n# vfio_pci is built into this host's kernel and never reads modprobe.d:\n"
                "# these ids go on the kernel command line instead (vfio-pci.ids=).\n"
                "cmdline_ids=");
    sb_shell_quote(out, sb_str(&ids));
    sb_add(out, "\ncmdline_awk=");
    sb_shell_quote(out, editor);
    sb_addc(out, '\n');
    sb_add(out, helpers);
}
