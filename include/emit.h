/* emit.h — artifacts from the resolved model and the build's plan.
 *
 * Emitters render; they decide nothing the plan (plan.h) decides, and see
 * neither the AST nor the facts.  Each appends one file's text to a strbuf; writing files is the
 * build step's job (output.c: temp dir + rename, all or nothing). */
#ifndef PASSC_EMIT_H
#define PASSC_EMIT_H

#include "model.h"
#include "plan.h"
#include "strbuf.h"

/* /etc/modprobe.d/vfio.conf: options vfio-pci ids=…, softdep lines. */
void emit_vfio_conf(const struct model *m, const struct plan *p,
                    struct strbuf *out);
/* The VM's hostpciN and settings lines, as `qm config` would show them. */
void emit_vm_conf(const struct model *m, const struct plan *p,
                  const struct m_vm *vm, struct strbuf *out);
/* Generated shell scripts (POSIX sh, set -eu, PASSC_ROOT, tools on PATH). */
void emit_apply_sh(const struct model *m, const struct plan *p,
                   struct strbuf *out);
void emit_rollback_sh(const struct model *m, const struct plan *p,
                      struct strbuf *out);
void emit_verify_sh(const struct model *m, const struct plan *p,
                    struct strbuf *out);
/* When the host does not come up: recover.sh puts back what apply.sh
 * changed on the host's files (also on a mounted root), RECOVERY.txt says
 * how to get there (emit_recover.c). */
void emit_recover_sh(const struct model *m, const struct plan *p,
                     struct strbuf *out);
void emit_recovery_txt(const struct model *m, const struct plan *p,
                       struct strbuf *out);
/* In the Windows guest: each passed device present with Status OK. */
void emit_verify_ps1(const struct model *m, const struct plan *p,
                     const struct m_vm *vm, struct strbuf *out);

/* /etc/pve/mapping/pci.cfg with the spec's mappings (mapping "…" blocks),
 * as Proxmox's own writer prints it; emit_map_value: one `map` value. */
void emit_pci_cfg(const struct model *m, const struct plan *p,
                  struct strbuf *out);
void emit_map_value(const struct m_map_entry *e, struct strbuf *out);
/* mapping.sh: pci.cfg through pvesh, with backup and rollback. */
void emit_mapping_sh(const struct model *m, const struct plan *p,
                     struct strbuf *out);

/* A named output file for the build step. */
struct artifact {
    const char *name;      /* "vfio.conf", "102.conf", "pve2/apply.sh" … */
    const char *text;
    size_t len;
    int mode;              /* 0644 or 0755 */
};

struct node_build;

/* All artifacts of a build, in a stable order: from the spec m and its
 * plan p what is the cluster's (<vmid>.conf, pci.cfg, mapping.sh, the
 * guest's verify.ps1), from each node's view and plan its host side
 * (vfio.conf, apply.sh, …): in the top directory for one node, in a
 * directory named after each node for several. */
struct artifact *emit_all(arena *a, const struct model *m, const struct plan *p,
                          const struct node_build *nodes, size_t nnodes,
                          size_t *n);

/* emit_all's artifacts one at a time, each built in an arena of its own
 * that is freed once sink returns (copy what must outlive the call).  Stops
 * at the first sink that does not return 0 and returns its value. */
typedef int (*emit_sink)(void *ctx, const struct artifact *art);
int emit_each(const struct model *m, const struct plan *p,
              const struct node_build *nodes, size_t nnodes,
              emit_sink sink, void *ctx);

/* Every build directory holds this file.  An existing DIR is replaced only
 * when it is empty or holds it: `-o ~` or `-o /etc/modprobe.d` must never
 * wipe what passc did not write. */
#define OUTPUT_MARKER ".passc-build"

/* dir without trailing slashes ("out/vm102/" is "out/vm102"; "/" stays):
 * the name output_write_dir() works on, and the one to report. */
char *output_dir_name(arena *a, const char *dir);

/* Writes all artifacts (plus OUTPUT_MARKER) into dir or nothing (a name
 * may have one directory part, "pve2/apply.sh"): a temp dir
 * beside it, one syncfs, then rename (exchange when dir exists).  Returns 0, or
 * -1 with *err. */
int output_write_dir(arena *a, const char *dir, const struct artifact *arts,
                     size_t n, const char **err);

/* The same, artifact by artifact: output_open checks dir and makes the temp
 * directory, output_put writes one artifact into it, output_close swaps it
 * in.  A failure of any of them removes the temp directory (DIR is as it
 * was) and sets *err; output_abort does that for a caller that gives up. */
struct output;
struct output *output_open(arena *a, const char *dir, const char **err);
int output_put(struct output *w, const struct artifact *art, const char **err);
int output_close(struct output *w, const char **err);
void output_abort(struct output *w);

#endif
