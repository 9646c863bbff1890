/* names.h — values that go verbatim into generated configuration (a
 * modprobe softdep line, a Proxmox property string) must be plain names:
 * nothing in them can start another option or another line. */
#ifndef PASSC_NAMES_H
#define PASSC_NAMES_H

#include <stdbool.h>

/* Non-empty, and only ASCII letters, digits and the characters of extra. */
bool plain_name(const char *s, const char *extra);

#endif
