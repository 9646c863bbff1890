/* SCAFFOLD: emitters owner replaces. */
#include "emit.h"
void emit_vfio_conf(const struct model *m, struct strbuf *out) { (void)m; (void)out; }
void emit_vm_conf(const struct model *m, const struct m_vm *vm, struct strbuf *out) { (void)m; (void)vm; (void)out; }
void emit_hostpci_value(const struct m_device *d, struct strbuf *out) { (void)d; (void)out; }
void emit_apply_sh(const struct model *m, struct strbuf *out) { (void)m; (void)out; }
void emit_rollback_sh(const struct model *m, struct strbuf *out) { (void)m; (void)out; }
void emit_verify_sh(const struct model *m, struct strbuf *out) { (void)m; (void)out; }
void emit_verify_ps1(const struct model *m, const struct m_vm *vm, struct strbuf *out) { (void)m; (void)vm; (void)out; }
struct artifact *emit_all(arena *a, const struct model *m, size_t *n) { (void)a; (void)m; *n = 0; return NULL; }
int output_write_dir(arena *a, const char *dir, const struct artifact *arts, size_t n, const char **err) { (void)a; (void)dir; (void)arts; (void)n; *err = "not implemented"; return -1; }
