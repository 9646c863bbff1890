/* emit_parts.h — pieces the emitters share (not used outside emit_*.c).
 *
 * The VM settings list is computed once here so that <vmid>.conf and the
 * scripts that compare and set those settings can never disagree. */
#ifndef PASSC_EMIT_PARTS_H
#define PASSC_EMIT_PARTS_H

#include <stdbool.h>

#include "emit.h"
#include "script.h"

/* One managed VM setting as Proxmox stores it ("hostpci0", "0000:02:00.0,…"). */
struct vm_setting {
    const char *key;
    const char *value;
};

/* The settings passc manages on vm, in the order of <vmid>.conf: hostpci
 * slots by number, then machine, bios, cpu, cores, memory, numa, ostype,
 * vga, balloon (only those the spec sets). */
struct vm_setting *vm_settings(arena *a, const struct model *m,
                               const struct m_vm *vm, size_t *n);

/* Ids comma separated, "10de:2783,10de:22bc": the one spelling of
 * `options vfio-pci ids=` and of vfio-pci.ids= on the command line. */
void emit_id_list(struct strbuf *out, const struct pci_id *ids, size_t n);

/* The spec's file name without directories, for "generated from" lines. */
const char *emit_spec_name(const struct model *m);

/* Text from the spec on one comment line: control characters (newlines
 * above all) become spaces so the text cannot start a line of its own. */
void emit_comment_text(struct strbuf *out, const char *s);

/* A PowerShell single-quoted string: ' and its typographic look-alikes
 * (which PowerShell also takes as quotes) are doubled, control characters
 * become spaces. */
void emit_ps_quote(struct strbuf *out, const char *s);

/* The values of compiler/scripts/common.sh, the head apply.sh and
 * rollback.sh share (a script_value_fn, script.h): spec, vmids, first_vmid,
 * want_vfio (the vfio.conf this spec installs), want_vms (want_vm_VMID for
 * each VM: its settings), and those of emit_sh_cmdline.  False for any
 * other name. */
bool emit_sh_common(const struct model *m, const char *name, struct strbuf *out);

/* The #@if flags of the scripts for this model: "cmdline" when
 * emit_cmdline_applies, "novm" when the spec names no VM (apply.sh and
 * rollback.sh then only refuse: backups are kept per VM). */
const char *emit_sh_flags(arena *a, const struct model *m);

/* A built-in vfio_pci (P032) with `bind ids` and ids to bind: apply.sh
 * puts vfio-pci.ids= on the kernel command line (emit_cmdline.c). */
bool emit_cmdline_applies(arena *a, const struct model *m);

/* The vfio-pci.ids= value: the ids of `bind ids`, comma separated. */
void emit_cmdline_ids(const struct model *m, struct strbuf *out);

/* The values of the #@if cmdline part of common.sh: cmdline_ids (quoted)
 * and cmdline_awk (compiler/scripts/cmdline.awk as one quoted word).  False
 * for any other name. */
bool emit_sh_cmdline(const struct model *m, const char *name, struct strbuf *out);

#endif
