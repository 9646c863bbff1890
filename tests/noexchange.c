/* noexchange.c — LD_PRELOAD shim for run-cli.sh: renameat2() fails with
 * EINVAL, as on file systems without RENAME_EXCHANGE (ZFS before 2.2, so
 * Proxmox VE 7; NFS), which sends passc build -o down its fallback.  Each
 * call is noted in $NOEXCHANGE_LOG, so the test knows the shim was used. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int renameat2(int olddirfd, const char *oldpath, int newdirfd,
              const char *newpath, unsigned int flags)
{
    (void)olddirfd, (void)newdirfd, (void)flags;
    const char *log = getenv("NOEXCHANGE_LOG");
    FILE *f = log ? fopen(log, "a") : NULL;
    if (f) {
        fprintf(f, "renameat2 %s %s\n", oldpath, newpath);
        fclose(f);
    }
    errno = EINVAL;
    return -1;
}
