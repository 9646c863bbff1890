/* emit_rollback.c — rollback.sh: takes back exactly what apply.sh changed.
 *
 * With a backup it restores the recorded values and files; without one it
 * removes only what is provably passc's (hostpci slots passc recorded or
 * whose value is passc's, a vfio.conf byte-identical to passc's).  It
 * never runs `zfs rollback`: that destroys everything written since the
 * snapshot, so it only prints the command.  Every step compares first, so
 * a second run changes nothing.  The script is compiler/scripts/rollback.sh;
 * its data is all in the head it shares with apply.sh. */
#include "emit_parts.h"

static bool rollback_value(struct strbuf *out, const char *name, const void *ctx)
{
    return emit_sh_common(ctx, name, out);
}

void emit_rollback_sh(const struct model *m, const struct plan *p,
                      struct strbuf *out)
{
    struct emit_ctx c = {m, p};
    script_render(out, "rollback.sh", emit_sh_flags(m, p), rollback_value, &c);
}
