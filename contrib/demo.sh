#!/bin/sh
# make demo: the main job on the bundled example, VM 102 of the seed, checked
# against the bundled snapshot of its host (examples/hosts/x870e-creator.yaml,
# named in the spec's host block) and compiled into out/vm102/.
set -eu
passc=${1:-build/passc}
spec=examples/vm102.pass
out=out/vm102
vg=
if command -v valgrind >/dev/null 2>&1; then
    # The demo doubles as the leak check of a whole real run.
    vg="valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --error-exitcode=99"
fi

echo "\$ passc lint $spec"
# The example lints clean; any other exit (findings, or valgrind's own
# error exit) stops the demo.
$vg "$passc" lint "$spec"
echo "(clean: no findings; exit 0)"
echo
mkdir -p "$(dirname "$out")"
echo "\$ passc build $spec -o $out"
$vg "$passc" build "$spec" -o "$out"
echo
for f in "$out"/vfio.conf "$out"/102.conf; do
    echo "--- $f"
    cat "$f"
done
echo
echo "Scripts in $out/ (run on the Proxmox host as root; PASSC_ROOT=DIR runs them against a copy):"
cat <<'EOT'
  apply.sh     first re-checks the live host against what this build checked (each
               device's id, class and IOMMU group, host name, IOMMU, vfio_pci, other
               modprobe.d files) and refuses on any difference, changing nothing; takes a
               lock; compares the spec with the host and changes nothing if they match;
               refuses while VM 102 runs (--force overrides); backs up vfio.conf and every VM key
               it changes under /var/lib/passc/backup/102/<time>/; zfs snapshot
               rpool/ROOT/pve-1@passc-102-<time>; installs vfio.conf atomically; qm set
               the hostpci and settings lines; installs a rescue boot entry (no vfio-pci,
               no VM autostart); update-initramfs -u -k all; asks for a reboot.
               apply.sh --dry-run shows all of that as a plan and changes nothing.
  rollback.sh  restores exactly what apply.sh changed (the state before this build's first
               apply, or the backup named), keeping values edited since unless --force;
               removes the rescue entry; update-initramfs; reboot hint; prints the zfs
               rollback command instead of running it.
  recover.sh   when the host does not come back: from the rescue entry, an emergency shell
               or a live system (PASSC_ROOT=/mnt); RECOVERY.txt says the steps in words.
  verify.sh    after the reboot: IOMMU on, each device at its address with its id and
               bound to vfio-pci; one line per check, exit 1 on any failure.
  verify.ps1   in the Windows guest: each device present with Status OK, the USB4 Host
               Router included; exit 1 on any failure.
EOT
