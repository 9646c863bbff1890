/* zfs_name.h — ZFS dataset names as ZFS itself checks them
 * (zfs_namecheck.c: dataset_namecheck, pool_namecheck), so that a bad
 * `snapshot zfs "…"` stops lint instead of apply.sh's `zfs snapshot`. */
#ifndef PASSC_ZFS_NAME_H
#define PASSC_ZFS_NAME_H

#include <stddef.h>

/* What apply.sh appends: "@passc-VMID-YYYYMMDDTHHMMSSZ-PID" at its longest
 * (VMID up to 9 digits, PID up to 7). */
#define ZFS_SNAPSHOT_SUFFIX_MAX 41
/* ZFS_MAX_DATASET_NAME_LEN: a full name is shorter. */
#define ZFS_NAME_MAX 256

/* NULL when name is a dataset name ZFS accepts and leaves room for the
 * snapshot suffix; else a static phrase saying what is wrong. */
const char *zfs_dataset_problem(const char *name);

#endif
