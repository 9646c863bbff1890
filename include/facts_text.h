/* facts_text.h — the facts for people: `passc facts --format text`. */
#ifndef PASSC_FACTS_TEXT_H
#define PASSC_FACTS_TEXT_H

#include <stdbool.h>
#include <stdio.h>
#include "facts.h"

/* The host's IOMMU groups in order, every device with what the host needs
 * it for, and per group whether it can go to a VM on its own.  color: ANSI
 * colour (a terminal).  Names from the facts are printed with control bytes
 * and invalid UTF-8 shown as '?', so a hostile snapshot cannot drive the
 * terminal.  Returns -1 when out fails. */
int facts_write_text(arena *a, const struct facts *f, FILE *out, bool color);

/* "VGA compatible controller", "USB controller", …: the PCI class name
 * (PCI Code and ID Assignment Specification), from a built-in table so the
 * text is the same on every machine; NULL when the table has none. */
const char *pci_class_name(uint32_t class_code);

#endif
