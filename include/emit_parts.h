/* emit_parts.h — pieces the emitters share (not used outside emit_*.c).
 *
 * The VM settings list is computed once here so that <vmid>.conf and the
 * scripts that compare and set those settings can never disagree. */
#ifndef PASSC_EMIT_PARTS_H
#define PASSC_EMIT_PARTS_H

#include <stdbool.h>

#include "emit.h"

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

/* The spec's file name without directories, for "generated from" lines. */
const char *emit_spec_name(const struct model *m);

/* Text from the spec on one comment line: control characters (newlines
 * above all) become spaces so the text cannot start a line of its own. */
void emit_comment_text(struct strbuf *out, const char *s);

/* A PowerShell single-quoted string: ' and its typographic look-alikes
 * (which PowerShell also takes as quotes) are doubled, control characters
 * become spaces. */
void emit_ps_quote(struct strbuf *out, const char *s);

/* The part of apply.sh and rollback.sh that describes the spec: paths under
 * PASSC_ROOT, the wanted vfio.conf, the wanted settings of each VM, and the
 * shell helpers both scripts use. */
void emit_sh_common(const struct model *m, struct strbuf *out);

/* The rest of the head of apply.sh and rollback.sh, after each script's
 * own description: the shellcheck note, `set -eu`, then emit_sh_common.
 * A spec without VMs gets a script that only refuses ("there is nothing
 * to WHAT"), and false, so the caller adds no body. */
bool emit_sh_head(const struct model *m, struct strbuf *out, const char *what);

#endif
