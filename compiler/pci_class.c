/* pci_class.c — PCI class code to device kind (PCI Code and ID Assignment
 * Specification: base class, sub-class, programming interface). */
#include "pci_class.h"

static const struct class_kind {
    enum dev_kind kind;
    uint32_t value, mask;
    const char *want;
} table[] = {
    /* order matters: the USB4 router is also a 0c03xx serial-bus device */
    {DEV_USB4, PCI_CLASS_USB4, 0xffffff, "0c0340 (USB4 host interface)"},
    {DEV_USB, 0x0c0300, 0xffff00, "0c03xx (USB controller)"},
    {DEV_GPU, 0x030000, 0xff0000, "03xxxx (display)"},
    {DEV_AUDIO, 0x040300, 0xffff00, "0403xx (HD audio)"},
    {DEV_NVME, 0x010800, 0xffff00, "0108xx (NVM Express)"},
    {DEV_NIC, 0x020000, 0xff0000, "02xxxx (network)"},
};
#define NTABLE (sizeof table / sizeof table[0])

enum dev_kind pci_class_kind(uint32_t class_code)
{
    for (size_t i = 0; i < NTABLE; i++)
        if ((class_code & table[i].mask) == table[i].value)
            return table[i].kind;
    return DEV_PCI;
}

bool pci_class_fits(enum dev_kind kind, uint32_t class_code, const char **want)
{
    for (size_t i = 0; i < NTABLE; i++)
        if (table[i].kind == kind) {
            if (want)
                *want = table[i].want;
            return (class_code & table[i].mask) == table[i].value;
        }
    if (want)
        *want = NULL;
    return true;
}
