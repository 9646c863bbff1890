/* emit_parts.h — pieces the emitters share (not used outside emit_*.c).
 *
 * The VM settings come from the plan (plan.h), so that <vmid>.conf and the
 * scripts that compare and set those settings can never disagree. */
#ifndef PASSC_EMIT_PARTS_H
#define PASSC_EMIT_PARTS_H

#include <stdbool.h>

#include "emit.h"

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

/* The part of apply.sh and rollback.sh that describes the spec: paths under
 * PASSC_ROOT, the wanted vfio.conf, the wanted settings of each VM, and the
 * shell helpers both scripts use. */
void emit_sh_common(const struct model *m, const struct plan *p,
                    struct strbuf *out);

/* The rest of the head of apply.sh and rollback.sh, after each script's
 * own description: the shellcheck note, `set -eu`, then emit_sh_common.
 * A spec without VMs gets a script that only refuses ("there is nothing
 * to WHAT"), and false, so the caller adds no body. */
bool emit_sh_head(const struct model *m, const struct plan *p,
                  struct strbuf *out, const char *what);

/* When the plan puts the ids on the kernel command line (P032):
 * cmdline_ids, the command line editor and the boot_* shell helpers
 * apply.sh and rollback.sh share; else nothing. */
void emit_sh_cmdline(const struct model *m, const struct plan *p,
                     struct strbuf *out);

/* A script body whose lines "@name@" are replaced by the part of that
 * name: its `on` text when on, else its `off` text (the same script as
 * without the feature, byte for byte). */
struct sh_part {
    const char *name;   /* "@name@" */
    const char *off;
    const char *on;
};
void emit_sh_body(struct strbuf *out, const char *body,
                  const struct sh_part *parts, size_t nparts, bool on);

#endif
