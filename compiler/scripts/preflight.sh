#@ preflight.sh: apply.sh's look at the live host before it changes
#@ anything (issue 13), included by apply.sh (emit_preflight.c gives the
#@ data).  The facts a build checked are often days old or from another
#@ machine: a BIOS update renumbers buses, a card moves, vfio_pci changes
#@ from module to built in.  Each mismatch is one line; any stops apply.sh.
#@if lint
# shellcheck shell=sh disable=SC2034,SC2154  # a part of apply.sh: it sets root and uses pf_fail
#@end
# What the build checked: 1 when it read facts (0: --no-facts); the host
# name the facts named; whether IOMMU was on; vfio_pci's state then
# (module, builtin, absent, unknown).
pf_facts=@pf_facts@
pf_hostname=@pf_hostname@
pf_iommu=@pf_iommu@
pf_vfio=@pf_vfio@
# ADDRESS ID CLASS GROUP of every passed device; "-" where the build knew
# nothing (no id on the spec line; not in the facts; no IOMMU group).
pf_devices() {
    @pf_devices@
}

pf_bad=0
pf_fail() {
    printf 'passc: error: %s\n' "$*" >&2
    pf_bad=1
}

# A sysfs hex file ("0x10de") without its 0x; "?" when unreadable.
pf_hex() {
    v=$(cat "$1" 2>/dev/null) || v='?'
    printf '%s' "${v#0x}"
}

# Whether module $2 is in modules.builtin/modules.dep text $1, named as
# facts_sysfs.c names it (base name, no .ko*, - as _).
pf_listed() {
    sed 's/:.*//; s|.*/||; s/\.ko.*//; s/-/_/g' "$1" 2>/dev/null | grep -qx "$2"
}

# vfio_pci in the running kernel, decided as `passc facts` decides it.
pf_vfio_now() {
    rel=$(head -n 1 "$root/proc/sys/kernel/osrelease" 2>/dev/null) || rel=$(uname -r)
    mods=$root/lib/modules/$rel
    if [ -r "$mods/modules.builtin" ] && pf_listed "$mods/modules.builtin" vfio_pci; then
        echo builtin
    elif [ -r "$mods/modules.dep" ] && pf_listed "$mods/modules.dep" vfio_pci; then
        echo module
    elif [ -r "$mods/modules.builtin" ] && [ -r "$mods/modules.dep" ]; then
        echo absent
    else
        echo unknown
    fi
}

pf_host() {
    h=$(head -n 1 "$root/proc/sys/kernel/hostname" 2>/dev/null) ||
        h=$(head -n 1 "$root/etc/hostname" 2>/dev/null) || h=''
    printf '%s' "$h"
}

# The modprobe.d files kmod reads, in its order (a name in an earlier
# directory hides the same name in a later one; then all by name), one
# path a line, passc's own vfio.conf left out.
pf_modprobe_files() {
    seen=''
    for dir in etc/modprobe.d run/modprobe.d usr/local/lib/modprobe.d lib/modprobe.d usr/lib/modprobe.d; do
        for f in "$root/$dir"/*.conf; do
            [ -f "$f" ] || continue
            b=${f##*/}
            case $nl$seen in *"$nl$b$nl"*) continue ;; esac
            seen=$seen$b$nl
            [ "$f" = "$vfio_conf" ] || printf '%s %s\n' "$b" "$f"
        done
    done | LC_ALL=C sort | sed 's/^[^ ]* //'
}

# Lines of the host's other modprobe.d files that undo vfio.conf: a
# blacklist or install of vfio-pci anywhere; ids= for it in a file read
# after vfio.conf (for ids, the last value read wins).
pf_modprobe() {
    ours=0
    want_vfio | grep -q '^options vfio-pci ids=' && ours=1
    pf_modprobe_files | while IFS= read -r f; do
        later=0
        b=${f##*/}
        [ "$(printf '%s\n%s\n' vfio.conf "$b" | LC_ALL=C sort | tail -n 1)" = vfio.conf ] || later=1
        LC_ALL=C awk -v f="$f" -v later="$later" -v ours="$ours" '
            { sub(/^[ \t]+/, "") }
            $2 != "vfio_pci" && $2 != "vfio-pci" { next }
            $1 == "blacklist" { print f ":" NR ": \"" $0 "\" keeps vfio-pci from loading by alias" }
            $1 == "install" { print f ":" NR ": \"" $0 "\" replaces how vfio-pci loads" }
            $1 == "options" && later && ours && / ids=/ {
                print f ":" NR ": \"" $0 "\" is read after vfio.conf, so its ids= win" }
        ' "$f"
    done
}

preflight() {
    # whose word a mismatch contradicts
    said='the build checked' saw='; the build saw one'
    [ "$pf_facts" = 1 ] || said='the spec says' saw=''
    while read -r addr id cls grp; do
        [ -n "$addr" ] || continue
        d=$root/sys/bus/pci/devices/$addr
        if [ ! -e "$d" ]; then
            pf_fail "there is no device $addr on this host now$saw: rebuild with fresh facts"
            continue
        fi
        if [ "$id" != - ]; then
            now=$(pf_hex "$d/vendor"):$(pf_hex "$d/device")
            [ "$now" = "$id" ] ||
                pf_fail "$addr is $now now; $said $id: rebuild with fresh facts"
        fi
        if [ "$cls" != - ]; then
            now=$(pf_hex "$d/class")
            [ "$now" = "$cls" ] ||
                pf_fail "$addr has class $now now; the build checked class $cls: rebuild with fresh facts"
        fi
        if [ "$grp" != - ]; then
            now=''
            for m in "$d"/iommu_group/devices/*; do
                [ ! -e "$m" ] || now=$now${m##*/},
            done
            now=${now%,}
            [ "$now" = "$grp" ] ||
                pf_fail "the IOMMU group of $addr holds ${now:-nothing} now; the build checked $grp: rebuild with fresh facts"
        fi
    done <<EOF2
$(pf_devices)
EOF2
    if [ "$pf_facts" != 1 ]; then
        say 'built with --no-facts: checked only that each address exists and holds the id the spec gives; not classes, IOMMU groups, the host, IOMMU or vfio_pci'
    else
        h=$(pf_host)
        [ -z "$pf_hostname" ] || [ "$h" = "$pf_hostname" ] ||
            pf_fail "this host is ${h:-unnamed}; the facts came from $pf_hostname: rebuild with this host's facts"
        if [ "$pf_iommu" = 1 ]; then
            on=0
            for e in "$root"/sys/class/iommu/* "$root"/sys/kernel/iommu_groups/*; do
                [ ! -e "$e" ] || on=1
            done
            [ "$on" = 1 ] ||
                pf_fail 'IOMMU is off now (/sys/class/iommu and /sys/kernel/iommu_groups are empty); the build saw it on: enable it in the firmware setup'
        fi
        case $pf_vfio in
        module | builtin)
            now=$(pf_vfio_now)
            [ "$now" = "$pf_vfio" ] ||
                pf_fail "vfio_pci is $now in the running kernel; the build planned for $pf_vfio: rebuild with fresh facts"
            ;;
        esac
    fi
    found=$(pf_modprobe)
    if [ -n "$found" ]; then
        while IFS= read -r line; do
            pf_fail "$line: remove it, or vfio.conf does not take effect"
        done <<EOF2
$found
EOF2
    fi
    if want_vfio | grep -q '^options vfio-pci ids='; then
        for w in $(tr -s ' \t' '\n' 2>/dev/null <"$root/proc/cmdline" | grep -E '^vfio[-_]pci\.ids=' || true); do
            pf_fail "the kernel command line has $w, which contends with vfio.conf's ids=: take it off the boot loader's command line and reboot"
        done
    fi
    [ "$pf_bad" = 0 ] || die 'the host is not what this build was made for: nothing changed'
}
