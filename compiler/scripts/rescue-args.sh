#@ rescue-args.sh: the rescue boot entry's name and command line, included
#@ by the GRUB generator (rescue-grub.sh), the kernel hook (rescue-hook.sh),
#@ rescue.sh and verify.sh; emit_recover.c gives rescue_title.
#@if lint
# shellcheck shell=sh disable=SC2034  # a library: its includers use rescue_title
#@end
rescue_title=@rescue_title@

# rescue_args CMDLINE: the normal kernel command line made into the rescue
# one.  module_blacklist=vfio_pci keeps a modular vfio_pci from loading, so
# the devices stay with their host drivers.  That is enough for a driver
# that vfio.conf gives "softdep DRIVER pre: vfio-pci" too: kmod loads
# softdeps as not required and ignores their failure (kmod,
# libkmod/libkmod-module.c, kmod_module_probe_insert_module:
# `if (err == -EEXIST || !m->required) err = 0;`; `required` is set only on
# the module asked for and its hard dependencies), so the native driver
# still loads.  A vfio_pci built into the kernel (P032) ignores
# module_blacklist= and binds what vfio-pci.ids= names: that parameter is
# dropped, which undoes passc's command-line edit.  A module_blacklist=
# already there is merged (the kernel keeps only the last one).
# systemd.mask=pve-guests.service: no VM starts by itself.
rescue_args() {
    r_out='' r_bl=''
    set -f
    for w in $1; do
        case $w in
        vfio-pci.ids=* | vfio_pci.ids=*) ;;
        module_blacklist=*) r_bl=$r_bl${w#module_blacklist=}, ;;
        *) r_out=$r_out$w' ' ;;
        esac
    done
    set +f
    printf '%smodule_blacklist=%svfio_pci systemd.mask=pve-guests.service\n' "$r_out" "$r_bl"
}
