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
rc=0
$vg "$passc" lint "$spec" || rc=$?
[ "$rc" -le 1 ] || exit "$rc"
echo
echo "\$ passc build $spec -o $out"
$vg "$passc" build "$spec" -o "$out"
echo
for f in "$out"/vfio.conf "$out"/102.conf; do
    echo "--- $f"
    cat "$f"
done
echo
echo "Scripts (run on the Proxmox host as root; PASSC_ROOT=DIR runs them against a copy):"
echo "  $out/apply.sh     stops if VM 102 runs; backs up vfio.conf and every VM key it"
echo "                    changes under /var/lib/passc/backup/102/<time>/; snapshots"
echo "                    rpool/ROOT/pve-1; installs vfio.conf; qm set the hostpci and"
echo "                    settings lines; update-initramfs -u -k all; asks for a reboot."
echo "  $out/rollback.sh  restores exactly what apply.sh changed from its newest backup"
echo "                    (or the one named), update-initramfs, reboot hint; prints the"
echo "                    zfs rollback command instead of running it."
echo "  $out/verify.sh    after the reboot: each device at its address, with its id,"
echo "                    bound to vfio-pci, and the IOMMU on; non-zero exit on failure."
echo "  $out/verify.ps1   in the Windows guest: each device present with Status OK,"
echo "                    USB4 Host Router included."
