#!/bin/sh
# facts-root.sh FACTS ROOT — makes the fake host under ROOT what the facts
# snapshot FACTS says (tests/scripts_lib.sh runs it in every fresh
# sandbox): host name, kernel release, vfio_pci in modules.dep or
# modules.builtin, and for every device its vendor, device and class
# files and its IOMMU group, so that apply.sh's pre-flight finds the host
# the build checked.  The tests then change one thing and expect a refusal.
# Drivers and other files already under ROOT are left as they are.
set -eu
facts=$1 root=$2
rm -rf "$root/sys/kernel/iommu_groups"
LC_ALL=C awk '
    function flush() {
        if (addr == "") return
        split(id, v, ":")
        printf "%s %s %s %s %s\n", addr, v[1], v[2], cls, grp
        addr = ""; grp = ""
    }
    /^host:/ { sect = "host"; next }
    /^modules:/ { sect = "modules"; next }
    /^[a-z]/ { sect = "" }
    { gsub(/"/, "") }
    sect == "host" && $1 == "hostname:" { print "hostname " $2 }
    sect == "host" && $1 == "kernel:" { print "kernel " $2 }
    sect == "modules" && $1 == "vfio_pci:" { print "vfio_pci " $2 }
    $1 == "-" && $2 == "address:" { flush(); addr = $3 }
    addr != "" && $1 == "id:" { id = $2 }
    addr != "" && $1 == "class:" { cls = $2 }
    addr != "" && $1 == "iommu-group:" { grp = $2 }
    END { flush() }
' "$facts" | {
    kernel=unknown vfio=module
    while read -r a b c d e; do
        case $a in
        hostname) printf '%s\n' "$b" >"$root/etc/hostname" ;;
        kernel) kernel=$b ;;
        vfio_pci) vfio=$b ;;
        *)
            dev=$root/sys/bus/pci/devices/$a
            mkdir -p "$dev"
            printf '0x%s\n' "$b" >"$dev/vendor"
            printf '0x%s\n' "$c" >"$dev/device"
            printf '0x%s\n' "$d" >"$dev/class"
            if [ -n "$e" ]; then
                mkdir -p "$root/sys/kernel/iommu_groups/$e/devices"
                ln -sfn "../../../../kernel/iommu_groups/$e" "$dev/iommu_group"
                ln -sfn "../../../../bus/pci/devices/$a" "$root/sys/kernel/iommu_groups/$e/devices/$a"
            fi
            ;;
        esac
    done
    mkdir -p "$root/proc/sys/kernel" "$root/lib/modules/$kernel"
    printf '%s\n' "$kernel" >"$root/proc/sys/kernel/osrelease"
    : >"$root/lib/modules/$kernel/modules.builtin"
    : >"$root/lib/modules/$kernel/modules.dep"
    case $vfio in
    module) echo 'kernel/drivers/vfio/pci/vfio-pci.ko: kernel/drivers/vfio/vfio.ko' >>"$root/lib/modules/$kernel/modules.dep" ;;
    builtin) echo 'kernel/drivers/vfio/pci/vfio-pci.ko' >>"$root/lib/modules/$kernel/modules.builtin" ;;
    esac
}
