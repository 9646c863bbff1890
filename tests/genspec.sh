#!/bin/sh
# Writes a spec of N VMs shaped like VM 102 (GPU + audio, USB4 router with
# two tunnelled xHCIs, another xHCI) to stdout, for `make bench`.  Each VM
# gets its own PCI domain so no device is shared and the spec lints clean.
set -eu
n=${1:?usage: genspec.sh N}
awk -v n="$n" 'BEGIN {
    print "host \"bench\" {\n    iommu required\n    bind ids\n}"
    for (i = 0; i < n; i++) {
        d = sprintf("%04x", i + 1)
        printf "vm %d \"bench-%d\" {\n", 1000 + i, i
        print  "    os      win11\n    machine q35\n    bios    ovmf\n    cpu     host\n    cores   8\n    memory  16 GiB\n    numa    on"
        printf "    gpu %s:02:00.0 10de:2783 \"RTX 4070 SUPER\" {\n        primary\n        audio %s:02:00.1 10de:22bc\n    }\n", d, d
        printf "    usb  %s:77:00.0 1b21:2426 \"ASMedia USB 3.2 20 Gbps\"\n", d
        printf "    usb4 %s:78:00.0 1b21:2425 \"ASMedia ASM4242 USB4 host router\" {\n        tunnels %s:79:00.3 %s:79:00.4\n    }\n", d, d, d
        printf "    usb  %s:79:00.3 1022:15b6 \"AMD USB 3.1\"\n", d
        printf "    usb  %s:79:00.4 1022:15b7 \"AMD USB 3.1\"\n}\n", d
    }
}'
