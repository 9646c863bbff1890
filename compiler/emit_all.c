/* emit_all.c — the artifact list of one build, in a stable order. */
#include <string.h>

#include "emit_parts.h"

/* Each artifact is built in an arena of its own, handed to the sink and
 * dropped: the emitters' temporaries (a want_vfio copy in every script,
 * strbuf growth) and the text itself never pile up, so a build holds the
 * model, the plan and one artifact at a time (issue 12: memory per input
 * byte). */
struct emitter {
    emit_sink sink;
    void *ctx;
    int rc;
    arena *scratch;
    struct strbuf sb;
};

static void begin(struct emitter *e)
{
    e->scratch = arena_new();
    sb_init(&e->sb, e->scratch);
}

static void put(struct emitter *e, const char *name, int mode)
{
    struct artifact art = {name, sb_str(&e->sb), e->sb.len, mode};
    if (e->rc == 0)
        e->rc = e->sink(e->ctx, &art);
    arena_free(e->scratch);
    e->scratch = NULL;
}

/* One node's host side from part `from` on; prefix "" or "pve2/". */
static void emit_host_side(struct emitter *e, const struct model *v,
                           const struct plan *p, size_t from, const char *node)
{
    static const struct {
        const char *name;
        void (*emit)(const struct model *, const struct plan *, struct strbuf *);
        int mode;
    } parts[] = {
        {"vfio.conf", emit_vfio_conf, 0644},
        {"apply.sh", emit_apply_sh, 0755},
        {"rollback.sh", emit_rollback_sh, 0755},
        {"verify.sh", emit_verify_sh, 0755},
        {"recover.sh", emit_recover_sh, 0755},
        {"RECOVERY.txt", emit_recovery_txt, 0644},
    };
    for (size_t i = from; i < sizeof parts / sizeof parts[0] && !e->rc; i++) {
        begin(e);
        parts[i].emit(v, p, &e->sb);
        put(e, node ? arena_printf(e->scratch, "%s/%s", node, parts[i].name)
                    : parts[i].name, parts[i].mode);
    }
}

int emit_each(const struct model *m, const struct plan *p,
              const struct node_build *nodes, size_t nnodes,
              emit_sink sink, void *ctx)
{
    struct emitter e = {sink, ctx, 0, NULL, {0}};
    bool one = nnodes == 1;
    /* the seed's order for one node: vfio.conf, <vmid>.conf, then scripts */
    if (one) {
        begin(&e);
        emit_vfio_conf(nodes[0].view, nodes[0].plan, &e.sb);
        put(&e, "vfio.conf", 0644);
    }
    for (size_t v = 0; v < m->nvms && !e.rc; v++) {
        begin(&e);
        emit_vm_conf(m, p, m->vms[v], &e.sb);
        put(&e, arena_printf(e.scratch, "%u.conf", m->vms[v]->vmid), 0644);
    }
    if (m->nmaps && !e.rc) {
        begin(&e);
        emit_pci_cfg(m, p, &e.sb);
        put(&e, "pci.cfg", 0644);
        begin(&e);
        emit_mapping_sh(m, p, &e.sb);
        put(&e, "mapping.sh", 0755);
    }
    for (size_t i = 0; i < nnodes && !e.rc; i++)
        emit_host_side(&e, nodes[i].view, nodes[i].plan, one ? 1 : 0,
                       one ? NULL : nodes[i].host->name);
    /* One VM: the name the seed's workflow expects; several: one each. */
    for (size_t v = 0; v < m->nvms && !e.rc; v++) {
        /* PowerShell runs in Windows guests; a spec without `os` may be
         * one (as before), a Linux or other guest never is */
        const char *os = m->vms[v]->ostype;
        if (os && strncmp(os, "win", 3))
            continue;
        begin(&e);
        emit_verify_ps1(m, p, m->vms[v], &e.sb);
        put(&e, m->nvms == 1 ? "verify.ps1"
                             : arena_printf(e.scratch, "verify-%u.ps1", m->vms[v]->vmid),
            0644);
    }
    return e.rc;
}

struct collect {
    arena *a;
    struct artifact *arts;
    size_t n, cap;
};

static int collect(void *ctx, const struct artifact *art)
{
    struct collect *c = ctx;
    if (c->n == c->cap) {
        size_t nc = c->cap ? 2 * c->cap : 16;
        c->arts = arena_realloc(c->a, c->arts, c->cap * sizeof *c->arts, nc * sizeof *c->arts);
        c->cap = nc;
    }
    c->arts[c->n++] = (struct artifact){arena_strdup(c->a, art->name),
                                        arena_strndup(c->a, art->text, art->len),
                                        art->len, art->mode};
    return 0;
}

struct artifact *emit_all(arena *a, const struct model *m, const struct plan *p,
                          const struct node_build *nodes, size_t nnodes,
                          size_t *n)
{
    struct collect c = {a, NULL, 0, 0};
    emit_each(m, p, nodes, nnodes, collect, &c);
    *n = c.n;
    return c.arts;
}
