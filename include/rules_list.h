/* rules_list.h — the one list of lint rules; every other place that names a
 * rule is generated from it or checked against it.
 *
 * An X-macro list: define RULE(ID, NAME, SEV, SEVS, NEEDS_FACTS, SUMMARY)
 * before including it (no include guard, on purpose).  diag.h turns it into
 * enum rule_id (R_P001 ...), rules_catalogue.c into the catalogue that
 * `passc rules`, `passc explain` and SARIF read, with a long text
 * explain_ID there for each entry (the build fails if one is missing).
 *
 *   SEV   the default severity: diag_add() raises the rule with it.
 *   SEVS  every severity a call site may raise it with (SEVS_* bits).  A
 *         second one means a call site decides, through diag_add_sev(),
 *         e.g. an error instead of a warning when the host needs the device;
 *         the explain text says when.  check_registry.c holds every call
 *         site to this set, and diag_add_sev() asserts it at run time.
 *
 * Ids are stable forever (docs rules.md): a retired rule leaves this list,
 * its id is never reused.  The order is the catalogue's (and SARIF's
 * ruleIndex). */

/* From the spec alone: P001 from the parser, P002-P004 (and slot-range P006)
 * from resolve.c, P005-P013 from rules_spec.c, P014 from ignore.c. */
RULE(P001, "syntax", SEV_ERROR, SEVS_ERROR, false,
     "the spec does not parse")
RULE(P002, "bad-value", SEV_ERROR, SEVS_ERROR, false,
     "unknown key, out-of-range cores/memory/slot, or bad unit")
RULE(P003, "bad-address", SEV_ERROR, SEVS_ERROR, false,
     "a PCI address is out of range (bus > ff, slot > 1f, function > 7, bad domain)")
RULE(P004, "bad-id", SEV_ERROR, SEVS_ERROR, false,
     "a vendor:device id is not 4 hex digits each")
RULE(P005, "duplicate-device", SEV_ERROR, SEVS_ERROR, false,
     "one PCI function appears twice in the same VM")
RULE(P006, "slots", SEV_ERROR, SEVS_ERROR, false,
     "more than 16 hostpci slots, or two devices pinned to one slot")
RULE(P007, "pcie-needs-q35", SEV_ERROR, SEVS_ERROR, false,
     "`pcie` on a VM whose machine is not q35")
RULE(P008, "multiple-primary", SEV_ERROR, SEVS_ERROR, false,
     "more than one `primary` (x-vga) device in a VM")
RULE(P009, "usb4-tunnel-missing", SEV_ERROR, SEVS_ERROR, false,
     "a usb4 router's `tunnels` controllers are not passed to the same VM")
RULE(P010, "usb4-no-tunnels", SEV_WARNING, SEVS_WARNING, false,
     "a usb4 router declares no `tunnels`")
RULE(P011, "split-card", SEV_WARNING, SEVS_WARNING, false,
     "some functions of a multi-function card go to the VM, others stay")
RULE(P012, "shared-device", SEV_ERROR, SEVS_ERROR, false,
     "two VMs of the spec take the same device")
RULE(P013, "identity-unchecked", SEV_INFO, SEVS_INFO, false,
     "a device line has no vendor:device id")
RULE(P014, "unused-ignore", SEV_WARNING, SEVS_WARNING, false,
     "a `# passc: ignore` comment silences nothing")
RULE(P015, "ids-unknown", SEV_ERROR, SEVS_ERROR, false,
     "bind ids, but a passed device's vendor:device id is known neither from the spec nor from facts")
/* Against facts (rules_facts.c). */
RULE(P020, "device-missing", SEV_ERROR, SEVS_ERROR, true,
     "nothing at the device's address; says where the id lives now")
RULE(P021, "id-mismatch", SEV_ERROR, SEVS_ERROR, true,
     "the device at the address has another vendor:device id")
RULE(P022, "class-mismatch", SEV_WARNING, SEVS_WARNING | SEVS_ERROR, true,
     "the device kind and its PCI class disagree")
RULE(P023, "iommu-off", SEV_ERROR, SEVS_ERROR, true,
     "the host has no IOMMU groups")
RULE(P024, "group-not-viable", SEV_WARNING, SEVS_INFO | SEVS_WARNING | SEVS_ERROR, true,
     "a non-bridge device shares an IOMMU group with a passed device and is not passed")
RULE(P025, "host-critical", SEV_ERROR, SEVS_ERROR, true,
     "a passed device is one the host needs (root/swap/ZFS disk controller, management NIC, bridge port, keyboard USB)")
RULE(P026, "ids-capture", SEV_WARNING, SEVS_WARNING | SEVS_ERROR, true,
     "`bind ids` also captures devices with the same id that the spec does not pass")
RULE(P027, "no-reset", SEV_WARNING, SEVS_WARNING, true,
     "the device offers no working reset method")
RULE(P028, "driver-race", SEV_WARNING, SEVS_WARNING, true,
     "a native driver claims the device before vfio-pci and no softdep can stop it")
RULE(P029, "console-gpu", SEV_WARNING, SEVS_WARNING, true,
     "a passed GPU is the host's boot VGA / framebuffer console")
RULE(P030, "guest-driver", SEV_INFO, SEVS_INFO, true,
     "the guest needs a driver for this device (from the quirks table)")
RULE(P031, "bridge-passed", SEV_ERROR, SEVS_ERROR, true,
     "a passed device is a PCI bridge or root port")
RULE(P032, "vfio-builtin", SEV_WARNING, SEVS_WARNING, true,
     "vfio_pci is built into the kernel: modprobe.d options are ignored")
RULE(P033, "usb4-links", SEV_ERROR, SEVS_ERROR, true,
     "the firmware links the USB4 router to xHCI controllers the spec does not pass or name under `tunnels`")
/* `passc import` reading <vmid>.conf and vfio.conf (pveconf.c, modprobe.c,
 * import.c). */
RULE(P040, "import-dropped-line", SEV_WARNING, SEVS_WARNING | SEVS_ERROR, false,
     "a line of the VM config that Proxmox drops when it loads the file")
RULE(P041, "import-unsupported", SEV_WARNING, SEVS_WARNING | SEVS_INFO, false,
     "valid for Proxmox, but a spec cannot express it; not imported")
RULE(P042, "modprobe-trap", SEV_WARNING, SEVS_WARNING | SEVS_ERROR, false,
     "modprobe.d text that silently does less than it says")
RULE(P043, "import-pending", SEV_INFO, SEVS_INFO, false,
     "the config has [PENDING] changes; the current values are imported")
RULE(P044, "import-not-on-host", SEV_WARNING, SEVS_WARNING, true,
     "a hostpci address or vfio.conf id that the host's facts do not know")
/* Against the host's own configuration (rules_hostconf.c): its modprobe.d
 * files and command line as kmod reads them, and its VM configs.  A block
 * of its own, so the facts range above keeps room. */
RULE(P050, "ids-overridden", SEV_ERROR, SEVS_ERROR, true,
     "another modprobe.d file sets `options vfio_pci ids=` and is read after passc's vfio.conf")
RULE(P051, "vfio-blacklisted", SEV_WARNING, SEVS_WARNING, true,
     "a modprobe.d file blacklists vfio_pci")
RULE(P052, "vfio-install", SEV_ERROR, SEVS_ERROR, true,
     "a modprobe.d `install vfio_pci` command replaces loading the module")
RULE(P053, "cmdline-ids", SEV_WARNING, SEVS_WARNING, true,
     "the kernel command line's vfio-pci.ids= binds an id the spec does not pass")
RULE(P054, "softdep-conflict", SEV_WARNING, SEVS_WARNING, true,
     "a softdep elsewhere loads a passed device's native driver before vfio_pci")
RULE(P055, "no-native-driver", SEV_INFO, SEVS_INFO, true,
     "no module of the host claims a passed device's modalias, so it gets no softdep")
RULE(P056, "vm-holds-device", SEV_ERROR, SEVS_ERROR, true,
     "a VM of the host passes a device the spec gives another VM (outside the spec, or starting at boot)")
RULE(P057, "firmware-switch", SEV_ERROR, SEVS_ERROR, true,
     "the spec changes an installed VM's bios (seabios <-> ovmf): the guest will not boot")
RULE(P058, "efidisk-missing", SEV_WARNING, SEVS_WARNING, true,
     "`bios ovmf` on a VM without efidisk0: EFI variables are not kept")
RULE(P059, "machine-switch", SEV_WARNING, SEVS_WARNING, true,
     "the spec moves an installed VM between i440fx and q35")
/* Cluster resource mappings (mapping.c, issue 17). */
RULE(P070, "mapping-mismatch", SEV_ERROR, SEVS_ERROR, true,
     "a mapping entry does not match its node's facts (device, id, subsystem id, IOMMU group)")
RULE(P071, "mapping-node-missing", SEV_WARNING, SEVS_WARNING, false,
     "a VM's mapping has no entry for a node of the spec: the VM cannot start there")
RULE(P072, "mapping-unknown-node", SEV_WARNING, SEVS_WARNING, false,
     "a mapping node nothing checks: no host block for it, or one without a facts snapshot")
/* The facts layer's own findings (facts_yaml.c, facts_sysfs.c).  Facts are
 * only read when asked for, so they count as needing facts. */
RULE(F001, "facts-snapshot", SEV_ERROR, SEVS_ERROR | SEVS_WARNING, true,
     "a facts snapshot cannot be read as facts")
RULE(F002, "host-fact-unreadable", SEV_WARNING, SEVS_WARNING, true,
     "one device or file of the host could not be read; that fact is left unknown")
RULE(F003, "host-unreadable", SEV_ERROR, SEVS_ERROR | SEVS_WARNING, true,
     "the host's PCI tree as a whole cannot be read")
