#!/bin/sh
# run-props.sh — cpu/vga/machine options and the host's vfio lines (issue
# 14): each checked against Proxmox's schema at the option (P002), emitted
# in Proxmox's form, printed canonically by fmt; P015 fires and does not.
. "$(dirname "$0")/runner_lib.sh"
cd "$S" || exit 1
tmp=$T

# spec HOSTLINES VMLINES -> $tmp/s.pass
spec() {
    printf 'host {\n    bind ids\n%s\n}\nvm 101 {\n    machine q35\n%s\n    gpu 01:00.0 10de:1b81\n}\n' "$1" "$2" >"$tmp/s.pass"
}
# lints SPEC, wants exit RC and (when given) TEXT in the output
lint_is() {
    rc_want=$1 text=$2 what=$3
    "$PASSC" lint "$tmp/s.pass" --no-facts >"$tmp/out" 2>&1; rc=$?
    if [ "$rc" = "$rc_want" ] && { [ -z "$text" ] || grep -qF -- "$text" "$tmp/out"; }; then ok; else
        bad "$what: rc $rc (want $rc_want)"; cat "$tmp/out"; fi
}
# builds SPEC, wants LINE in FILE of the output
built_has() {
    file=$1 line=$2 what=$3
    rm -rf "$tmp/b"
    if "$PASSC" build "$tmp/s.pass" --no-facts -o "$tmp/b" >"$tmp/out" 2>&1 && grep -qxF -- "$line" "$tmp/b/$file"; then ok; else
        bad "$what: no '$line' in $file"; cat "$tmp/out"; cat "$tmp/b/$file" 2>/dev/null; fi
}

spec '' '    cpu host hidden flags "+pcid;-md-clear" hv-vendor-id "whatever" phys-bits 40 reported-model kvm64
    vga qxl memory 32 clipboard vnc'
lint_is 0 "" "every cpu and vga option"
built_has 101.conf 'cpu: host,hidden=1,flags=+pcid;-md-clear,hv-vendor-id=whatever,phys-bits=40,reported-model=kvm64' "cpu in Proxmox's form"
built_has 101.conf 'vga: qxl,memory=32,clipboard=vnc' "vga in Proxmox's form"
spec '' '    cpu host hidden off phys-bits host'
built_has 101.conf 'cpu: host,hidden=0,phys-bits=host' "hidden off, phys-bits host"
sed -i 's/machine q35/machine pc-q35-9.0 viommu intel enable-s3 enable-s4 off aw-bits 48/' "$tmp/s.pass"
built_has 101.conf 'machine: pc-q35-9.0,viommu=intel,enable-s3=1,enable-s4=0,aw-bits=48' "machine options"

spec '' '    cpu host hiden'
lint_is 1 "7:14: error: unknown cpu option 'hiden'" "unknown cpu option, located"
spec '' '    cpu host flags "+pcid;+avx512"'
lint_is 1 "bad cpu flags '+pcid;+avx512'" "a flag a VM config may not set"
spec '' '    cpu host flags pcid'
lint_is 1 "bad cpu flags 'pcid'" "flags as a word"
spec '' '    cpu host phys-bits 99'
lint_is 1 "bad cpu phys-bits '99'" "phys-bits out of range"
spec '' '    cpu host hv-vendor-id "thirteenchars"'
lint_is 1 "bad cpu hv-vendor-id" "hv-vendor-id longer than 12"
spec '' '    cpu host hidden hidden'
lint_is 1 "cpu option 'hidden' given twice" "option twice"
spec '' '    vga qxl memory 1024'
lint_is 1 "bad vga memory '1024'" "vga memory out of range"
spec '' '    vga std memory'
lint_is 1 "vga option 'memory' needs a value" "option without value"
sed -i 's/machine q35/machine q35 viommu amd/' "$tmp/s.pass"
lint_is 1 "bad machine viommu 'amd'" "viommu enum"

# fmt keeps the options on the statement's line, canonically spaced
printf 'host {\n bind start\n}\nvm 101 {\n cpu   host   hidden  flags "+pcid"\n vga qxl   memory 32\n}\n' >"$tmp/f.pass"
"$PASSC" fmt "$tmp/f.pass" >"$tmp/f.out" 2>&1
if grep -qxF '    cpu host hidden flags "+pcid"' "$tmp/f.out" && grep -qxF '    vga qxl memory 32' "$tmp/f.out"; then ok; else
    bad "fmt of options"; cat "$tmp/f.out"; fi

# vfio-pci options and ids in the host block
spec '    vfio disable_vga 1
    vfio disable_idle_d3 1
    vfio ids 10de:10f0' ''
built_has vfio.conf 'options vfio-pci ids=10de:10f0,10de:1b81 disable_vga=1 disable_idle_d3=1' "vfio options and ids"
spec '    bind start
    vfio disable_vga 1' ''
sed -i '2d' "$tmp/s.pass"
built_has vfio.conf 'options vfio-pci disable_vga=1' "vfio options under bind start"
spec '    vfio disable_vgaa 1' ''
lint_is 1 "unknown vfio-pci option 'disable_vgaa'; did you mean 'disable_vga'?" "unknown vfio option"
spec '    vfio disable_vga "1; rm -rf /"' ''
lint_is 1 "bad value '1; rm -rf /' for vfio-pci option disable_vga" "vfio value that is no word"
spec '    vfio disable_vga 1
    vfio disable_vga 0' ''
lint_is 1 "duplicate vfio-pci option 'disable_vga'" "vfio option twice"
spec '    vfio ids 10de:zz' ''
lint_is 1 "bad vendor:device id '10de:zz'" "bad vfio id"

# P015: bind ids, a device without id, no facts, no vfio ids
printf 'host {\n    bind ids\n}\nvm 101 {\n    gpu 01:00.0\n}\n' >"$tmp/s.pass"
lint_is 1 "5:9: error: 0000:01:00.0 in VM 101 has no vendor:device id and no facts were read" "P015 fires at the device"
if "$PASSC" build "$tmp/s.pass" --no-facts -o "$tmp/b15" >/dev/null 2>&1 || [ -e "$tmp/b15" ]; then
    bad "P015: the build wrote output"; else ok; fi
printf 'host {\n    bind ids\n    vfio ids 10de:1b81\n}\nvm 101 {\n    gpu 01:00.0\n}\n' >"$tmp/s.pass"
lint_is 0 "" "P015 quiet with host vfio ids"
printf 'host {\n    bind start\n}\nvm 101 {\n    gpu 01:00.0\n}\n' >"$tmp/s.pass"
lint_is 0 "" "P015 quiet under bind start"
# with facts, the id comes from the facts and is bound
printf 'host {\n    bind ids\n}\nvm 102 {\n    machine q35\n    gpu 02:00.0\n}\n' >"$tmp/s.pass"
"$PASSC" lint "$tmp/s.pass" --facts examples/hosts/x870e-creator.yaml >"$tmp/out" 2>&1
if grep -q P015 "$tmp/out" || ! grep -q "02:00.0" "$tmp/out"; then bad "P015 fires although the facts know the id"; cat "$tmp/out"; else ok; fi
rm -rf "$tmp/b"
"$PASSC" build "$tmp/s.pass" --facts examples/hosts/x870e-creator.yaml -o "$tmp/b" >/dev/null 2>&1
if grep -q '^options vfio-pci ids=10de:2783$' "$tmp/b/vfio.conf" 2>/dev/null; then ok; else
    bad "the facts' id is not bound"; cat "$tmp/b/vfio.conf" 2>/dev/null; fi
"$PASSC" explain P015 | grep -q 'vfio ids' && ok || bad "explain P015"

runner_done
