/* propstr.h — the VM settings Proxmox stores as property strings (cpu, vga,
 * machine): their schema once, for resolve (spec → Proxmox text, checked at
 * lint time) and for import (Proxmox text → spec values).
 *
 * In a spec the type comes first and options follow as `name [value]`:
 *     cpu host hidden flags "+pcid;-md-clear" phys-bits 40
 *     vga qxl memory 32
 *     machine q35 viommu intel enable-s3 off
 * A boolean option alone means on (`hidden` is hidden=1); `hidden off` is
 * hidden=0.  The Proxmox value keeps the spec's order:
 * `host,hidden=1,flags=+pcid;-md-clear,phys-bits=40`. */
#ifndef PASSC_PROPSTR_H
#define PASSC_PROPSTR_H

#include <stdbool.h>
#include "arena.h"
#include "ast.h"
#include "diag.h"

enum propstr_kind { PS_CPU, PS_VGA, PS_MACHINE };

/* The Proxmox value of statement s (its first value is the type, already
 * checked by the caller), or NULL after queuing P002 at the bad option. */
const char *propstr_resolve(arena *a, struct diag_list *d,
                            const struct ast_stmt *s, enum propstr_kind k);

/* Appends the spec values of Proxmox value `value` to s (type first).
 * False, with *why naming the key or value, when the spec cannot say it
 * exactly; then s is left as it was. */
bool propstr_import(arena *a, enum propstr_kind k, const char *value,
                    struct ast_stmt *s, const char **why);

/* The type's check, shared with resolve's own messages. */
bool propstr_type_ok(enum propstr_kind k, const char *type);

#endif
