/* rules_catalogue.c — every lint rule's id, name, default severity, one-line
 * summary and long explanation (`passc rules`, `passc explain`, SARIF
 * tool.driver.rules).  Id, name, severities and summary come from the one
 * list in rules_list.h; the long texts live here, one explain_ID each.
 * Ids are stable forever (docs rules.md): a retired rule keeps its entry
 * out of the list but its id is never reused. */
#include <string.h>
#include <strings.h>

#include "rules.h"

/* The default severity is one a call site may raise the rule with. */
#define RULE(ID, NAME, SEV, SEVS, FACTS, SUMMARY) \
    _Static_assert((SEVS) & (1u << (SEV)), #ID ": default severity not in its SEVS");
#include "rules_list.h"
#undef RULE

static const char explain_P001[] =
 "Why: passc cannot check or build what it cannot read; the parser stops at\n"
 "the token it did not expect and says what would have been valid there.\n"
 "Fix: correct the statement at the caret. Statements are one per line (or\n"
 "separated by ';'), blocks use { }, strings are \"...\" on one line.\n"
 "Example:\n"
 "    gpu 02:00.0 10de:2783 \"RTX 4070 SUPER\" {   # '{' must end the line\n"
 "        primary\n"
 "    }\n";
static const char explain_P002[] =
 "Why: Proxmox rejects or silently drops settings it does not know, so a\n"
 "typo would leave the VM different from the spec.\n"
 "Fix: use a known key and a value in range: cores >= 1, memory with MiB,\n"
 "GiB or TiB (a bare number is MiB), slot 0-15, os one of Proxmox's ostypes.\n"
 "Example:\n"
 "    memory 96 GiB        # not: memory 96 GB\n";
static const char explain_P003[] =
 "Why: an impossible address can never match a device; Proxmox only notices\n"
 "at VM start.\n"
 "Fix: copy the address from `lspci -D` (or `passc facts`): [dddd:]bb:ss.f\n"
 "in hex, slot 00-1f, function 0-7.\n"
 "Example:\n"
 "    usb 79:00.3 1022:15b6      # not 79:00.8\n";
static const char explain_P004[] =
 "Why: ids go into `options vfio-pci ids=` and are compared with the\n"
 "host's devices; a malformed one matches nothing.\n"
 "Fix: write vvvv:dddd as `lspci -nn` shows it in brackets.\n"
 "Example:\n"
 "    gpu 02:00.0 10de:2783      # not 10de:783\n";
static const char explain_P005[] =
 "Why: QEMU cannot assign one function twice; the VM does not start. With\n"
 "all-functions, every function of the card counts as listed; so does each\n"
 "address of a ';'-joined line (01:00.0;02:00.0), also within the line.\n"
 "Fix: keep one line per function (or one all-functions line per card).\n"
 "Example:\n"
 "    gpu 02:00.0 10de:2783 { all-functions }   # then no separate 02:00.1\n";
static const char explain_P006[] =
 "Why: Proxmox knows hostpci0 to hostpci15 only; a pinned slot can hold one\n"
 "device.\n"
 "Fix: pass fewer devices (all-functions folds a card into one slot), or pin\n"
 "different slots.\n"
 "Example:\n"
 "    usb 77:00.0 1b21:2426 { slot 2 }\n";
static const char explain_P007[] =
 "Why: Proxmox refuses to start it: \"q35 machine model is not enabled\".\n"
 "Fix: use `machine q35` (or pc-q35-X.Y), or `pcie off` on the device.\n"
 "Example:\n"
 "    machine q35\n";
static const char explain_P008[] =
 "Why: a VM has one primary display adapter; QEMU rejects a second x-vga.\n"
 "Fix: keep `primary` on the GPU that should show the boot screen.\n"
 "Example:\n"
 "    gpu 02:00.0 10de:2783 { primary }\n";
static const char explain_P009[] =
 "Why: USB 3.x devices plugged into USB4 ports are tunnelled to xHCI\n"
 "controllers; if those stay on the host, the devices appear on the host\n"
 "and not in the VM.\n"
 "Fix: pass every controller named under `tunnels` to the same VM.\n"
 "Example:\n"
 "    usb4 78:00.0 1b21:2425 { tunnels 79:00.3 79:00.4 }\n"
 "    usb  79:00.3 1022:15b6\n"
 "    usb  79:00.4 1022:15b7\n";
static const char explain_P010[] =
 "Why: without the tunnel controllers, only native USB4/Thunderbolt devices\n"
 "work in the VM; USB 3.x devices on the same ports stay on the host.\n"
 "Fix: name the xHCI controllers the router tunnels through (`passc facts`\n"
 "shows the firmware's links; rule P033 checks them).\n"
 "Example:\n"
 "    usb4 78:00.0 1b21:2425 { tunnels 79:00.3 79:00.4 }\n";
static const char explain_P011[] =
 "Why: functions of one card usually share an IOMMU group and a reset;\n"
 "leaving the GPU's audio function on the host makes the group not viable\n"
 "and the card's reset unreliable.\n"
 "Without facts the rule guesses from the address (function 1 is usually\n"
 "the HDMI/DP audio). With facts it names only the functions the host\n"
 "has, says nothing for a GPU alone on its card (a BMC's VGA, many\n"
 "workstation cards), and nothing for a line that failed P020/P021.\n"
 "Fix: pass all functions (nest `audio` in the `gpu`, or `all-functions`).\n"
 "Example:\n"
 "    gpu 02:00.0 10de:2783 { audio 02:00.1 10de:22bc }\n";
static const char explain_P012[] =
 "Why: Proxmox accepts the configs and fails only when the second VM\n"
 "starts while the first runs.\n"
 "Fix: give each device to one VM (or make sure they never run together and\n"
 "silence this with `# passc: ignore P012 \"reason\"`).\n"
 "Example:\n"
 "    # passc: ignore P012 \"vm 103 is the rescue twin of vm 102\"\n";
static const char explain_P013[] =
 "Why: without an id, a BIOS update or a new card that moves devices makes\n"
 "the address point at something else and nothing notices.\n"
 "Fix: add the id `lspci -nn -s ADDR` shows.\n"
 "Example:\n"
 "    usb 77:00.0 1b21:2426\n";
static const char explain_P014[] =
 "Why: a stale ignore hides a future real finding of that rule.\n"
 "Fix: delete the comment, or move it to the line before the statement the\n"
 "finding points at.\n"
 "Example:\n"
 "    # passc: ignore P024 \"the SATA controller is unused\"\n"
 "    gpu 02:00.0 10de:2783\n";
static const char explain_P015[] =
 "Why: `bind ids` writes `options vfio-pci ids=` from the devices' ids. A\n"
 "device whose id is neither on its line nor in the facts would be left\n"
 "out, and a host that binds it at boot today would stop doing so.\n"
 "Fix: add the id after the address, give facts, or list the host's ids.\n"
 "Example:\n"
 "    host { bind ids; vfio ids 10de:0be3 10de:10c5 }\n"
 "    gpu 01:00.0 10de:0be3\n";
static const char explain_P020[] =
 "Why: after a BIOS update, a new card or a moved slot, addresses shift;\n"
 "Proxmox would pass whatever is there now, or fail to start the VM.\n"
 "Fix: update the address. passc searches the host for the same\n"
 "vendor:device (narrowed by sub-vendor/sub-device when several match) and\n"
 "names the likely new address. A line that fails here takes no further\n"
 "part in the facts rules (no group or split-card advice about it, nor\n"
 "about the device its id names elsewhere): one cause, one finding.\n"
 "A spec without host block is checked against no host unless --facts or\n"
 "--root names one (the machine lint runs on is not its target).\n"
 "Example:\n"
 "    error: nothing at 0000:02:00.0, spec says 10de:2783 [P020]\n"
 "      = fix: 10de:2783 is at 0000:03:00.0: moved there?\n";
static const char explain_P021[] =
 "Why: the address now holds a different device; passing it would give the\n"
 "VM (and vfio-pci) the wrong hardware, possibly the host's own disk.\n"
 "Fix: point the line at the address where the intended id lives now (passc\n"
 "names it), or update the id if the hardware was changed on purpose.\n"
 "Like P020, the line then takes no further part in the facts rules.\n"
 "Example:\n"
 "    error: 0000:78:00.0 is 1b21:2426, spec says 1b21:2425 [P021]\n";
static const char explain_P022[] =
 "Why: the kind decides which checks apply (a `usb4` router is expected to\n"
 "be class 0c0340, a `gpu` 03xxxx, `usb` 0c03xx, `nvme` 0108xx, `nic`\n"
 "02xxxx, `audio` 0403xx); a mismatch usually means a wrong address.\n"
 "An error when the line is `primary` (x-vga) and the device is no display\n"
 "controller (class not 03xxxx, or the kind is not `gpu`): the VM would\n"
 "not start (facts from the wrong host, a wrong address).\n"
 "Fix: use the kind that matches `lspci -nn -s ADDR`, or `pci` for anything\n"
 "else; put `primary` on the VM's GPU only.\n"
 "Example:\n"
 "    usb4 78:00.0 1b21:2425      # class 0c0340 (USB4 host interface)\n";
static const char explain_P023[] =
 "Why: without an IOMMU, VFIO cannot isolate a device; no passthrough VM\n"
 "starts.\n"
 "Fix: enable VT-d (Intel) or IOMMU/AMD-Vi (AMD) in the firmware. AMD CPUs\n"
 "have the IOMMU on by default (amd_iommu=on does nothing); Intel CPUs with\n"
 "kernels older than 6.8 also need intel_iommu=on on the kernel command\n"
 "line. Where: with systemd-boot (proxmox-boot-tool), /etc/kernel/cmdline\n"
 "then `proxmox-boot-tool refresh`; with GRUB, GRUB_CMDLINE_LINUX_DEFAULT\n"
 "in /etc/default/grub then `update-grub`. Reboot, then check\n"
 "`dmesg | grep -e DMAR -e IOMMU -e AMD-Vi`.\n"
 "Example:\n"
 "    GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\"\n";
static const char explain_P024[] =
 "Why: VFIO assigns whole IOMMU groups. At VM start Proxmox binds every\n"
 "non-bridge member of the group to vfio-pci, taking it from the host even\n"
 "though the spec never mentions it. It is an error when that device is one\n"
 "the host needs (root/swap/ZFS disk controller, management NIC, bridge\n"
 "port, console GPU, keyboard USB controller), a warning when a mate has a\n"
 "driver (the host loses what it did), and only an info when every mate has\n"
 "no driver and no host use: AMD's \"Dummy Host Bridge\" (class 0600) and\n"
 "\"Reserved SPP\" (class 1300) functions are bound to vfio-pci at VM start\n"
 "and the host loses nothing. PCI bridges and root ports in the group never\n"
 "count, and a host bridge is never advised to be passed.\n"
 "Fix: pass the group-mates too (if the host does not need them), move the\n"
 "card to a slot with its own group (usually a CPU-attached slot), or check\n"
 "the firmware for an ACS option.\n"
 "Example:\n"
 "    # group 14: 0000:0e:00.0 (passed) and 0000:0e:00.1 (SATA: root disk)\n";
static const char explain_P025[] =
 "Why: the device disappears from the host when the VM starts: the root\n"
 "file system, the network path you manage the host through, or the\n"
 "keyboard you would repair it with go with it. Group-mates the host needs\n"
 "are reported by P024 as errors; a passed console GPU by P029.\n"
 "Fix: remove the device from the VM, or move the host's use (disk, NIC\n"
 "bridge port, keyboard) to another controller first.\n"
 "Example:\n"
 "    error: 0000:01:00.0 holds the host's root disk [P025]\n";
static const char explain_P026[] =
 "Why: `options vfio-pci ids=` binds every device with that vendor:device,\n"
 "at any address. Two identical xHCI controllers: the one the spec passes\n"
 "and the one the host keyboard hangs off both go to vfio-pci. Error when a\n"
 "captured device is one the host needs. One finding per spec line, the\n"
 "captured devices as its notes.\n"
 "Fix: `bind start` (Proxmox binds exactly the passed addresses when the VM\n"
 "starts), or pass the other device too.\n"
 "Example:\n"
 "    host \"pve\" { bind start }\n";
static const char explain_P027[] =
 "Why: without a reset (FLR, PM, bus, device-specific), the device keeps\n"
 "its state when the VM stops; the VM often fails on its second start, or\n"
 "the host hangs. Some devices advertise a reset that does not work (the\n"
 "AMD Navi/Vega reset bug, from the quirks table).\n"
 "Fix: for AMD GPUs, the vendor-reset module; otherwise reboot the host\n"
 "between VM starts, or pass the whole card (all functions) so a bus reset\n"
 "becomes possible.\n"
 "Example:\n"
 "    warning: 0000:03:00.0 (1002:731f, AMD Navi 10) has no working reset [P027]\n";
static const char explain_P028[] =
 "Why: with `bind ids`, vfio-pci must bind the device before its native\n"
 "driver (nvidia, nouveau, amdgpu, xhci_pci, snd_hda_intel, thunderbolt...).\n"
 "For drivers that are modules, passc writes `softdep DRIVER pre: vfio-pci`\n"
 "into vfio.conf so vfio-pci loads first, and this rule stays quiet. A\n"
 "built-in driver probes at boot before any module loads: neither a softdep\n"
 "nor vfio-pci.ids= keeps it off the device. Proxmox still moves the device\n"
 "to vfio-pci when the VM starts, but until then the host drives it (and\n"
 "a GPU's framebuffer may hold on to it).\n"
 "Fix: usually nothing for the VM; do not expect verify.sh to show\n"
 "vfio-pci before the VM starts. For a GPU, prefer a kernel where the\n"
 "driver is a module, or keep the host off the card in the firmware.\n"
 "Example:\n"
 "    softdep nouveau pre: vfio-pci         # what passc writes for a module\n";
static const char explain_P029[] =
 "Why: the host's firmware framebuffer (efifb/simplefb) holds the GPU's\n"
 "memory; vfio-pci then fails with \"BAR 0: can't reserve\" or the guest\n"
 "shows nothing, and the host loses its local console.\n"
 "Fix: make another GPU (the iGPU) the primary display in the firmware, or\n"
 "free the framebuffer with `initcall_blacklist=sysfb_init` on the kernel\n"
 "command line (older kernels: video=efifb:off). When it is the host's only\n"
 "GPU, the host runs headless once the VM starts: manage it over SSH or the\n"
 "web UI, a serial console (console=ttyS0,115200) or the board's IPMI/BMC.\n"
 "Example:\n"
 "    firmware: Primary Display = iGPU\n";
static const char explain_P030[] =
 "Why: some devices pass through fine but the guest has no inbox driver:\n"
 "the ASMedia ASM4242 USB4 router in Windows shows Code 28/31 until the\n"
 "ASMedia USB4 driver is installed.\n"
 "Fix: install the driver in the guest and record it in the spec with\n"
 "`guest-driver \"...\"` (which also silences this note).\n"
 "Example:\n"
 "    usb4 78:00.0 1b21:2425 {\n"
 "        guest-driver \"ASMedia USB4 Windows driver 1.0.0.0 or later\"\n"
 "    }\n";
static const char explain_P031[] =
 "Why: VFIO cannot assign bridges (\"error getting device from group N\");\n"
 "they stay with the host even when they share a group with the device.\n"
 "Fix: pass the endpoint devices behind the bridge instead (passc lists\n"
 "them).\n"
 "Example:\n"
 "    gpu 02:00.0 10de:2783     # the card, not its root port 00:01.1\n";
static const char explain_P032[] =
 "Why: /etc/modprobe.d options and softdeps apply to modules only; with a\n"
 "built-in vfio_pci the `options vfio-pci ids=` line does nothing. (A\n"
 "built-in competing driver is P028: it binds before any vfio-pci setting\n"
 "is read, command line included.)\n"
 "Fix: passc puts the ids on the kernel command line (vfio-pci.ids=...):\n"
 "systemd-boot: append to /etc/kernel/cmdline, `proxmox-boot-tool refresh`;\n"
 "GRUB: GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, `update-grub`.\n"
 "Example:\n"
 "    vfio-pci.ids=10de:2783,10de:22bc\n";
static const char explain_P033[] =
 "Why: the firmware (ACPI usb4-host-interface) ties a USB4 router to the\n"
 "xHCI controllers its USB 3.x traffic is tunnelled through; Linux shows\n"
 "them as device links (consumer:/supplier: in sysfs). A linked controller\n"
 "left on the host keeps USB 3.x devices on the USB4 ports out of the VM.\n"
 "Fix: pass each linked controller to the same VM and list it under\n"
 "`tunnels`.\n"
 "Example:\n"
 "    usb4 78:00.0 1b21:2425 { tunnels 79:00.3 79:00.4 }\n";
static const char explain_P050[] =
 "Why: modprobe (libkmod) reads every modprobe.d file by name across\n"
 "/etc, /run, /usr/local/lib, /lib and /usr/lib (a name in /etc hides the\n"
 "same name further down); the `options` of one module add up and the\n"
 "last ids= read wins. A file sorted after vfio.conf with its own\n"
 "`options vfio_pci ids=` gives vfio-pci other ids than the spec's, and\n"
 "the devices stay with their native drivers. Located at the spec's bind\n"
 "line; the note names the other file and line.\n"
 "Fix: remove the ids= from that file (keep other options it sets).\n"
 "Example:\n"
 "    /etc/modprobe.d/zz-gpu.conf:2: options vfio-pci ids=10de:1b80\n";
static const char explain_P051[] =
 "Why: `blacklist vfio_pci` stops modprobe from loading vfio-pci for a\n"
 "device's alias; it still loads by name (passc's softdeps, an initramfs\n"
 "module list), so binding by ids works only as long as something names\n"
 "it. Usually left over from an earlier attempt.\n"
 "Fix: remove the blacklist line.\n"
 "Example:\n"
 "    /etc/modprobe.d/blacklist.conf:4: blacklist vfio_pci\n";
static const char explain_P052[] =
 "Why: `install vfio_pci COMMAND` makes modprobe run COMMAND instead of\n"
 "loading the module: passc's options and softdeps apply only if the\n"
 "command itself loads vfio-pci with them.\n"
 "Fix: remove the install line (passc's vfio.conf does the ordering with\n"
 "softdeps).\n"
 "Example:\n"
 "    /etc/modprobe.d/old.conf:1: install vfio-pci /sbin/vfio-bind.sh\n";
static const char explain_P053[] =
 "Why: modprobe adds `vfio-pci.ids=` from the kernel command line to the\n"
 "module's options, before modprobe.d's; an id there that the spec does\n"
 "not pass binds a device the spec leaves to the host (whenever vfio.conf\n"
 "is not read: a built-in module, an initramfs without it).\n"
 "(A built-in vfio_pci takes its ids only from the command line, which\n"
 "apply.sh rewrites itself: not reported then.)\n"
 "Fix: remove vfio-pci.ids= from GRUB_CMDLINE_LINUX_DEFAULT or\n"
 "/etc/kernel/cmdline and refresh the boot loader.\n"
 "Example:\n"
 "    cmdline: quiet amd_iommu=on vfio-pci.ids=10de:1111\n";
static const char explain_P054[] =
 "Why: a softdep elsewhere that makes vfio_pci wait for a passed device's\n"
 "native driver (`softdep vfio_pci pre: nouveau`) or loads vfio_pci after\n"
 "it (`softdep nouveau post: vfio_pci`) lets the native driver claim the\n"
 "device first: the opposite of passc's softdeps.\n"
 "Fix: remove that softdep line.\n"
 "Example:\n"
 "    /etc/modprobe.d/nvidia.conf:3: softdep vfio-pci pre: nouveau\n";
static const char explain_P055[] =
 "Why: passc orders the native driver of each passed device after\n"
 "vfio-pci with a softdep. It finds that driver the way modprobe does,\n"
 "from the device's modalias through the host's modules.alias (libkmod),\n"
 "whatever driver is bound now. When no module claims the modalias,\n"
 "there is nothing to order and vfio.conf gets no softdep for it; this\n"
 "note says so instead of leaving it out silently. Only with facts that\n"
 "looked the aliases up (a live host, a --root tree with\n"
 "modules.alias.bin, a version 2 snapshot).\n"
 "Fix: none needed; if the driver comes from outside the kernel's modules\n"
 "(DKMS), take the facts after it is installed.\n"
 "Example:\n"
 "    note: no module of kernel 6.8.12-4-pve claims this device's modalias\n";
static const char explain_P056[] =
 "Why: a VM of the host that is not in the spec and already passes one of\n"
 "the spec's devices cannot run at the same time as the spec's VM (the\n"
 "cross-VM form of P012); a VM with `onboot: 1` that holds a device the\n"
 "spec gives another VM takes it at every boot. Read from\n"
 "/etc/pve/qemu-server/*.conf (or the snapshot's vms).\n"
 "Fix: `qm set VMID --delete hostpciN` on the other VM, or leave the\n"
 "device out of the spec.\n"
 "Example:\n"
 "    /etc/pve/qemu-server/105.conf: hostpci0: 0000:01:00,pcie=1\n";
static const char explain_P057[] =
 "Why: a guest installed with SeaBIOS (MBR boot) does not boot under OVMF\n"
 "(UEFI), nor the other way round; the spec's `bios` differs from the\n"
 "installed VM's and the VM has a disk. When the guest was converted\n"
 "first, say so with `# passc: ignore P057 \"why\"` above the VM.\n"
 "Fix: keep the VM's current firmware in the spec, or convert the guest\n"
 "(mbr2gpt, a new ESP) before applying.\n"
 "Example:\n"
 "    vm 100 { bios ovmf }   # 100.conf: no bios (seabios), scsi0 present\n";
static const char explain_P058[] =
 "Why: OVMF keeps its variables (boot entries, Secure Boot keys) on\n"
 "efidisk0; without one they are lost at every stop and the guest may not\n"
 "find its boot loader.\n"
 "Fix: qm set VMID --efidisk0 STORAGE:1,efitype=4m,pre-enrolled-keys=1\n"
 "Example:\n"
 "    vm 100 { bios ovmf }   # 100.conf has no efidisk0\n";
static const char explain_P059[] =
 "Why: i440fx and q35 are different chipsets: an installed guest sees new\n"
 "PCI paths (Linux NIC names change), and Windows rescans its drivers and\n"
 "may ask for reactivation.\n"
 "Fix: keep the VM's machine type, or expect to fix the guest's network\n"
 "configuration after the first boot.\n"
 "Example:\n"
 "    vm 100 { machine q35 }   # 100.conf: machine: pc-i440fx-8.1\n";
static const char explain_P040[] =
 "Why: Proxmox reads <vmid>.conf non-strictly: a line it cannot parse, an\n"
 "unknown setting, a value its schema rejects (a hostpci value included),\n"
 "`delete:` outside [PENDING] or the lines of an unknown [section] only\n"
 "cause a warning at load, and the line is gone after the next write. When\n"
 "a hostpciN is set twice, only the last one counts. passc imports what\n"
 "Proxmox keeps, so such a line is not imported. A file with binary data\n"
 "(a NUL byte) is not a VM config at all: that is an error and nothing is\n"
 "imported.\n"
 "Fix: correct or delete the line in the config (`qm set` writes values\n"
 "Proxmox accepts), or add what it meant to the spec by hand.\n"
 "Example:\n"
 "    hostpci0: 0000:02:00.0,pcie=2     # pcie is a boolean: 1/0, on/off\n";
static const char explain_P041[] =
 "Why: some hostpci values work in Proxmox but have no spec form yet: a\n"
 "PCI resource mapping (mapping=), a ';' list mixing ids with and without\n"
 "a function ('.f'), driver=keep, a romfile/mdev with '\"' or control\n"
 "characters, no host= at all, or an address that matches Proxmox's\n"
 "pattern but cannot exist (slot > 1f, function > 7). Such a slot is left\n"
 "out of the imported spec, and a build from it would drop the slot.\n"
 "As a note (info): vfio.conf subsystem/class fields after vendor:device,\n"
 "and, with facts, a vfio.conf id no device of the imported VM has\n"
 "(`passc build` writes ids= from the spec's devices only, so it would\n"
 "leave it out).\n"
 "Fix: keep the hostpci line by hand, or write the device in the spec\n"
 "another way: the mapped device's address, each id of a ';' list with its\n"
 "function (or none with one), one slot per function.\n"
 "Example:\n"
 "    hostpci0: 0000:02:00;0000:03:00.0   # spec: pci 02:00.0;02:00.1;03:00.0\n";
static const char explain_P042[] =
 "Why: kmod takes '#' as a comment only in column 1 and splits options at\n"
 "whitespace; vfio-pci keeps only the last ids= it is given. So an\n"
 "indented comment, a '#' after an option, a comment continued by a\n"
 "trailing '\\' on the line above, a space inside the ids= list, a second\n"
 "ids= line, an entry that is not vvvv:dddd, or an unknown command each\n"
 "make the file bind fewer devices than it lists, with at most a line in\n"
 "the kernel log. Binary data (a NUL byte) is an error: not a modprobe.d\n"
 "file.\n"
 "Fix: one `options vfio-pci ids=` line, ids comma-separated without\n"
 "spaces, comments on their own line with '#' in column 1.\n"
 "Example:\n"
 "    options vfio-pci ids=10de:2783,10de:22bc     # not: ids=10de:2783, 10de:22bc\n";
static const char explain_P043[] =
 "Why: Proxmox keeps changes that cannot be applied to a running VM in\n"
 "[PENDING] and applies them at the next VM start or stop. passc imports\n"
 "the values in effect now; the pending keys are listed in the message and\n"
 "in a comment of the imported spec.\n"
 "Fix: stop and start the VM (`qm pending VMID` shows what changes), then\n"
 "import again; or edit the spec to the pending values.\n"
 "Example:\n"
 "    [PENDING]\n"
 "    hostpci2: 0000:77:00.0,pcie=1\n";
static const char explain_P044[] =
 "Why: with facts (--facts, --root or the live host), import checks the\n"
 "config against the host: Proxmox fails to start a VM whose hostpci\n"
 "address holds no device (\"no PCI device found\"), and an ids= entry no\n"
 "device has binds nothing (often left over from old hardware). The slot\n"
 "is still imported, with the kind its options suggest (gpu for x-vga or\n"
 "legacy-igd, else pci), so `passc lint` with the same facts reports it\n"
 "again as P020.\n"
 "Fix: find where the device is now (`lspci -nn`, `passc facts`) and\n"
 "correct the address in the spec; remove stale ids from ids=.\n"
 "Example:\n"
 "    warning: hostpci0: 0000:02:00.0 is not on this host (live /sys) [P044]\n";
static const char explain_P070[] =
 "Why: when a VM with `hostpciN: mapping=NAME` starts, Proxmox checks\n"
 "every entry of the mapping for that node against sysfs, strictly: the\n"
 "device must be at the path with exactly that id and subsystem id, and\n"
 "the first path in exactly that IOMMU group (an entry without subsystem\n"
 "id or group fails too when the device has one). Any difference aborts\n"
 "the start: \"PCI device mapping invalid (hardware probably changed)\".\n"
 "passc checks each entry against the facts of the host block with the\n"
 "entry's node name.\n"
 "Fix: correct the entry (the message says what the node has), or refresh\n"
 "the node's facts snapshot (`passc facts -o NODE.yaml` on that node).\n"
 "Example:\n"
 "    error: mapping 'gpu-pool': 0000:01:00.0 on node pve2 is in IOMMU group 12, the entry says 14 [P070]\n";
static const char explain_P071[] =
 "Why: a node without an entry for the mapping cannot start the VM\n"
 "(\"PCI device mapping not found\"), so HA or a migration to it fails.\n"
 "Every host block of the spec is taken as a node that may run the VM.\n"
 "Fix: add a `node` entry for that node, or leave the node out of the spec.\n"
 "Example:\n"
 "    warning: mapping 'gpu-pool' has no entry for node 'pve3': VM 101 cannot start there [P071]\n";
static const char explain_P072[] =
 "Why: each entry is checked against the facts of the host block with its\n"
 "node name, and each node's host side (groups, host-critical devices, ids,\n"
 "vfio-pci) against the same facts. An entry for a node the spec does not\n"
 "describe, or a node whose host block names no `facts` snapshot (only the\n"
 "first host block can use the live host or --facts), goes into pci.cfg and\n"
 "that node's scripts unchecked.\n"
 "Fix: add `host \"NODE\" { facts \"NODE.yaml\" }` (`passc facts -o NODE.yaml`\n"
 "on that node), or correct the node name.\n"
 "Example:\n"
 "    warning: node 'pve9' has no host block in this spec: this entry is not checked against its facts [P072]\n"
 "    warning: node 'pve2' has no facts snapshot: its mapping entries and host side are not checked [P072]\n";
static const char explain_F001[] =
 "Why: rules trust the snapshot about the host; one that says something\n"
 "wrong is worse than none. So any doubt (a file that cannot be read, YAML\n"
 "that does not parse, no `passc-facts: 1`, a missing host/devices section\n"
 "or required key, a value of the wrong type, a bad address or id, a key\n"
 "or device given twice) refuses the whole snapshot: passc stops with\n"
 "exit code 3 at the offending node. An unknown key only gets a warning\n"
 "and is ignored (a snapshot from a newer passc). A file whose first key\n"
 "is not `passc-facts` is refused at its first line and none of it is\n"
 "shown (`facts \"/etc/shadow\"` must not print the file). A spec's own\n"
 "`facts \"…\"` path is relative to the spec and must stay inside the\n"
 "spec's repository (the git work tree holding it, or its directory when\n"
 "it is in none; symlinks resolved); --facts on the command line may name\n"
 "any file.\n"
 "Fix: write the snapshot again with `passc facts -o FILE` on the host,\n"
 "or correct the place the message points at (see examples/hosts/).\n"
 "Example:\n"
 "    host.yaml:1:1: error: snapshot lacks 'devices' [F001]\n";
static const char explain_F002[] =
 "Why: reading a live host (or a --root tree) goes on when a single sysfs\n"
 "file or libpci field fails: the fact (reset methods, IOMMU group) stays\n"
 "unknown and the rules that need it stay quiet about it; a device whose\n"
 "id or class cannot be read is left out. A finding that is missing for\n"
 "that reason is not proof that all is well.\n"
 "Fix: check the device or file the message names (permissions, a device\n"
 "removed during the scan), then run again, as root if access was denied.\n"
 "Example:\n"
 "    warning: 0000:02:00.0: reset_method unreadable; reset methods unknown [F002]\n";
static const char explain_F003[] =
 "Why: without the device list (no /sys/bus/pci/devices, a --root that is\n"
 "not a directory, a missing libpci file, an entry that is not a PCI\n"
 "address, a device listed twice, an unreadable --pci-ids file, libpci\n"
 "failing) there are no facts to check against; passc stops with exit\n"
 "code 3 rather than lint against an empty host.\n"
 "Fix: check the path in the message (--root must be the root of a host\n"
 "tree, with sys/bus/pci/devices below it), or use a snapshot (--facts).\n"
 "Example:\n"
 "    error: cannot read host facts: /tmp/host is not a directory [F003]\n";

/* Indexed by enum rule_id; entry 0 (RULE_NONE) is left empty. */
static const struct rule_info catalogue[RULE_COUNT] = {
#define RULE(ID, NAME, SEV, SEVS, FACTS, SUMMARY) \
    [R_##ID] = {#ID, NAME, SEV, FACTS, SUMMARY, explain_##ID, SEVS, R_##ID},
#include "rules_list.h"
#undef RULE
};

const struct rule_info *rule_catalogue(size_t *n)
{
    *n = RULE_COUNT - 1;
    return catalogue + 1;
}

const struct rule_info *rule_info_of(enum rule_id id)
{
    return id > RULE_NONE && id < RULE_COUNT ? &catalogue[id] : NULL;
}

const struct rule_info *rule_find(const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 1; i < RULE_COUNT; i++)
        if (!strcasecmp(catalogue[i].id, id) || !strcmp(catalogue[i].name, id))
            return &catalogue[i];
    return NULL;
}
