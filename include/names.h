/* names.h — values that go verbatim into generated configuration (a
 * modprobe softdep line, a Proxmox property string) must be plain names:
 * nothing in them can start another option or another line. */
#ifndef PASSC_NAMES_H
#define PASSC_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Non-empty, and only ASCII letters, digits and the characters of extra. */
bool plain_name(const char *s, const char *extra);

/* Kernel module names compare with '-' and '_' as one (kmod does the same:
 * vfio-pci and vfio_pci are one module).  _n: a is n bytes, not a string. */
bool module_name_eq(const char *a, const char *b);
bool module_name_eq_n(const char *a, size_t n, const char *b);

#endif
