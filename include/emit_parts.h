/* emit_parts.h — pieces the emitters share (not used outside emit_*.c).
 *
 * The VM settings come from the plan (plan.h), so that <vmid>.conf and
 * the scripts that compare and set those settings can never disagree. */
#ifndef PASSC_EMIT_PARTS_H
#define PASSC_EMIT_PARTS_H

#include <stdbool.h>

#include "emit.h"
#include "script.h"

/* What a script's value callback (script.h) renders from: the script
 * templates take one context pointer, and an emitter needs both. */
struct emit_ctx {
    const struct model *m;
    const struct plan *p;
};

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

/* " 101 102": the VMs whose settings this node's scripts manage (not
 * those living on another node), each after a space; with text, words
 * for a node that manages none. */
void emit_vm_list(const struct model *m, struct strbuf *out, bool text);

/* The VM whose id names this node's backups (and ZFS snapshots): the first
 * it manages, else the spec's first. */
const struct m_vm *emit_first_vm(const struct model *m);

/* The values of compiler/scripts/common.sh, the head apply.sh and
 * rollback.sh share (a script_value_fn, script.h): spec, vmids, first_vmid,
 * want_vfio (the vfio.conf this spec installs), want_vms (want_vm_VMID for
 * each VM: its settings), and those of emit_sh_cmdline.  False for any
 * other name. */
bool emit_sh_common(const struct emit_ctx *c, const char *name,
                    struct strbuf *out);

/* The #@if flags of the scripts for this build: "cmdline" when the plan
 * puts the ids on the kernel command line (P032), "novm" when the spec names no VM (apply.sh and
 * rollback.sh then only refuse: backups are kept per VM). */
const char *emit_sh_flags(const struct model *m, const struct plan *p);

/* The values of the #@if cmdline part of common.sh: cmdline_ids (quoted)
 * and cmdline_awk (compiler/scripts/cmdline.awk as one quoted word).  False
 * for any other name. */
bool emit_sh_cmdline(const struct emit_ctx *c, const char *name,
                     struct strbuf *out);

/* The values of compiler/scripts/preflight.sh (emit_preflight.c): what the
 * build checked on the host, pf_facts, pf_hostname, pf_iommu, pf_vfio and
 * pf_devices.  False for any other name. */
bool emit_sh_preflight(const struct emit_ctx *c, const char *name,
                       struct strbuf *out);

/* The values of compiler/scripts/rescue.sh and rescue-args.sh (the rescue
 * boot entry, emit_recover.c): rescue_title (quoted), rescue_grub and
 * rescue_hook (the entry's files, for quoted here-documents).  False for
 * any other name. */
bool emit_sh_rescue(const struct emit_ctx *c, const char *name,
                    struct strbuf *out);

#endif
