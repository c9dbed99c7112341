/* render.c - pictures of a composition (Graphviz dot, Mermaid, JSON): from a linked
 * composer, or recovered from a component binary's instances, aliases and exports. */
#include "compose/compose_int.h"
#include <stdio.h>
#include <stdlib.h>

/* The neutral graph both sources fill. */
enum { GN_INSTANCE, GN_IMPORT, GN_EXPORT };
typedef struct gnode {
    uint8_t kind;
    const char *name;
    const char *component; /* GN_INSTANCE: the component's name */
} gnode;
typedef struct gedge {
    uint32_t from, to;
    const char *import;  /* the importer's import name (or the export name for exports) */
    const char *export_name; /* what the source gives: one of its exports, or NULL (itself) */
} gedge;
typedef struct gview {
    weld_arena *a;
    gnode *nodes;
    uint32_t nnodes, capnodes;
    gedge *edges;
    uint32_t nedges, capedges;
} gview;

static uint32_t add_node(gview *g, uint8_t kind, const char *name, const char *comp)
{
    if (!compose_grow(g->a, (void **)&g->nodes, g->nnodes, &g->capnodes, sizeof *g->nodes))
        return UINT32_MAX;
    g->nodes[g->nnodes] = (gnode){kind, name ? name : "", comp};
    return g->nnodes++;
}

static bool add_edge(gview *g, uint32_t from, uint32_t to, const char *import, const char *ex)
{
    if (from == UINT32_MAX || to == UINT32_MAX) return true;
    if (!compose_grow(g->a, (void **)&g->edges, g->nedges, &g->capedges, sizeof *g->edges))
        return false;
    g->edges[g->nedges++] = (gedge){from, to, import, ex};
    return true;
}

/* ---- output ----------------------------------------------------------------------------- */

static void put_escaped(weld_buf *b, const char *s, char fmt)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (fmt == 'j' && (ch == '"' || ch == '\\')) weld_buf_printf(b, "\\%c", ch);
        else if (fmt == 'j' && ch < 0x20) weld_buf_printf(b, "\\u%04x", ch);
        else if (fmt == 'd' && (ch == '"' || ch == '\\')) weld_buf_printf(b, "\\%c", ch);
        else if (fmt == 'm' && ch == '"') weld_buf_puts(b, "#quot;");
        else weld_buf_byte(b, ch);
    }
}

static const char *edge_label(const gedge *e, char *buf, size_t n)
{
    if (e->export_name && strcmp(e->export_name, e->import) != 0)
        snprintf(buf, n, "%s <- %s", e->import, e->export_name);
    else
        snprintf(buf, n, "%s", e->import);
    return buf;
}

static void render_dot(const gview *g, weld_buf *b)
{
    weld_buf_puts(b, "digraph composition {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for (uint32_t i = 0; i < g->nnodes; i++) {
        const gnode *n = &g->nodes[i];
        weld_buf_printf(b, "  n%u [", i);
        if (n->kind == GN_INSTANCE) {
            weld_buf_puts(b, "shape=box, style=rounded, label=\"");
            put_escaped(b, n->name, 'd');
            if (n->component) {
                weld_buf_puts(b, "\\n(");
                put_escaped(b, n->component, 'd');
                weld_buf_puts(b, ")");
            }
        } else {
            weld_buf_printf(b, "shape=%s, label=\"%s ", n->kind == GN_IMPORT ? "invhouse" : "house",
                            n->kind == GN_IMPORT ? "import" : "export");
            put_escaped(b, n->name, 'd');
        }
        weld_buf_puts(b, "\"];\n");
    }
    for (uint32_t i = 0; i < g->nedges; i++) {
        char lb[600];
        weld_buf_printf(b, "  n%u -> n%u [label=\"", g->edges[i].from, g->edges[i].to);
        put_escaped(b, edge_label(&g->edges[i], lb, sizeof lb), 'd');
        weld_buf_puts(b, "\"];\n");
    }
    weld_buf_puts(b, "}\n");
}

static void render_mermaid(const gview *g, weld_buf *b)
{
    weld_buf_puts(b, "flowchart LR\n");
    for (uint32_t i = 0; i < g->nnodes; i++) {
        const gnode *n = &g->nodes[i];
        weld_buf_printf(b, "  n%u%s\"", i, n->kind == GN_INSTANCE ? "[" : n->kind == GN_IMPORT ? "[/" : "[\\");
        if (n->kind != GN_INSTANCE) weld_buf_puts(b, n->kind == GN_IMPORT ? "import " : "export ");
        put_escaped(b, n->name, 'm');
        if (n->kind == GN_INSTANCE && n->component) {
            weld_buf_puts(b, "<br/>(");
            put_escaped(b, n->component, 'm');
            weld_buf_puts(b, ")");
        }
        weld_buf_printf(b, "\"%s\n", n->kind == GN_INSTANCE ? "]" : n->kind == GN_IMPORT ? "/]" : "\\]");
    }
    for (uint32_t i = 0; i < g->nedges; i++) {
        char lb[600];
        weld_buf_printf(b, "  n%u -->|\"", g->edges[i].from);
        put_escaped(b, edge_label(&g->edges[i], lb, sizeof lb), 'm');
        weld_buf_printf(b, "\"| n%u\n", g->edges[i].to);
    }
}

static void json_str(weld_buf *b, const char *s)
{
    weld_buf_byte(b, '"');
    put_escaped(b, s ? s : "", 'j');
    weld_buf_byte(b, '"');
}

static void render_json(const gview *g, weld_buf *b)
{
    static const char *const kinds[] = {"instance", "import", "export"};
    weld_buf_puts(b, "{\n  \"nodes\": [");
    for (uint32_t i = 0; i < g->nnodes; i++) {
        const gnode *n = &g->nodes[i];
        weld_buf_printf(b, "%s\n    {\"id\": %u, \"kind\": \"%s\", \"name\": ", i ? "," : "", i, kinds[n->kind]);
        json_str(b, n->name);
        if (n->component) {
            weld_buf_puts(b, ", \"component\": ");
            json_str(b, n->component);
        }
        weld_buf_puts(b, "}");
    }
    weld_buf_puts(b, g->nnodes ? "\n  ],\n  \"edges\": [" : "],\n  \"edges\": [");
    for (uint32_t i = 0; i < g->nedges; i++) {
        const gedge *e = &g->edges[i];
        weld_buf_printf(b, "%s\n    {\"from\": %u, \"to\": %u, \"import\": ", i ? "," : "", e->from, e->to);
        json_str(b, e->import);
        weld_buf_puts(b, ", \"export\": ");
        if (e->export_name) json_str(b, e->export_name);
        else weld_buf_puts(b, "null");
        weld_buf_puts(b, "}");
    }
    weld_buf_puts(b, g->nedges ? "\n  ]\n}\n" : "]\n}\n");
}

static weld_status render(const gview *g, weld_graph_format fmt, char **out, size_t *out_len,
                          weld_diag *d)
{
    weld_buf b;
    weld_buf_init(&b);
    if (fmt == WELD_GRAPH_DOT) render_dot(g, &b);
    else if (fmt == WELD_GRAPH_MERMAID) render_mermaid(g, &b);
    else render_json(g, &b);
    weld_buf_byte(&b, 0);
    if (b.oom) {
        weld_buf_free(&b);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    }
    *out = (char *)b.data;
    *out_len = b.len - 1;
    return WELD_OK;
}

/* ---- from a composer ------------------------------------------------------------------------- */

weld_status weld_composer_graph(const weld_composer *c, weld_graph_format fmt, char **out,
                                size_t *out_len, weld_diag *d)
{
    if (!c->linked)
        return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET, "weld_composer_graph: link first");
    weld_arena *a = weld_arena_new();
    if (!a) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    gview g = {.a = a};
    bool ok = true;
    uint32_t *outer_node = weld_arena_alloc(a, (c->nouter + 1) * sizeof *outer_node);
    ok = outer_node != NULL;
    for (uint32_t o = 0; ok && o < c->nouter; o++)
        ok = (outer_node[o] = add_node(&g, GN_IMPORT, c->outer[o].name, NULL)) != UINT32_MAX;
    uint32_t first = g.nnodes;
    for (uint32_t i = 0; ok && i < c->ninsts; i++)
        ok = add_node(&g, GN_INSTANCE, c->insts[i].name, c->defs[c->insts[i].def].name) != UINT32_MAX;
    for (uint32_t i = 0; ok && i < c->ninsts; i++) {
        const cdef *k = &c->defs[c->insts[i].def];
        for (uint32_t j = 0; ok && j < k->nimports; j++) {
            const binding *b = &c->insts[i].args[j];
            const char *in = k->imports[j]->name.name.ptr;
            if (b->kind == BIND_EDGE) ok = add_edge(&g, first + b->from, first + i, in, b->export_name);
            else if (b->kind == BIND_OUTER) ok = add_edge(&g, outer_node[b->outer], first + i, in, NULL);
        }
    }
    for (uint32_t x = 0; ok && x < c->nexports; x++) {
        uint32_t n = add_node(&g, GN_EXPORT, c->exports[x].as, NULL);
        ok = n != UINT32_MAX &&
             add_edge(&g, first + c->exports[x].inst, n, c->exports[x].as, c->exports[x].export_name);
    }
    weld_status st = ok ? render(&g, fmt, out, out_len, d)
                        : weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    weld_arena_free(a);
    return st;
}

/* ---- recovered from a binary ------------------------------------------------------------------- */

/* Names from the component-name section: sort (component 4 / instance 5) -> index -> name. */
static const char *lookup_name(const weld_component *cc, uint8_t sort, uint32_t idx, weld_arena *a)
{
    for (uint32_t i = 0; i < cc->nsections; i++) {
        const weld_csection *s = &cc->sections[i];
        if (s->id != WELD_CSEC_CUSTOM || s->u.custom->name.len != 14 ||
            memcmp(s->u.custom->name.ptr, "component-name", 14) != 0)
            continue;
        const uint8_t *p = s->u.custom->data, *end = p + s->u.custom->len;
        while (p < end) {
            uint8_t id = *p++;
            uint32_t size;
            if (!weld_leb_u32(&p, end, &size) || size > (size_t)(end - p)) return NULL;
            const uint8_t *q = p, *qe = p + size;
            p = qe;
            if (id != 1 || q >= qe) continue;
            uint8_t so = *q++;
            if (so == 0x00) continue; /* core sorts */
            if (so != sort) continue;
            uint32_t n;
            if (!weld_leb_u32(&q, qe, &n)) return NULL;
            for (uint32_t k = 0; k < n; k++) {
                uint32_t ix, len;
                if (!weld_leb_u32(&q, qe, &ix) || !weld_leb_u32(&q, qe, &len) || len > (size_t)(qe - q))
                    return NULL;
                if (ix == idx) return weld_arena_strndup(a, (const char *)q, len);
                q += len;
            }
        }
    }
    return NULL;
}

/* The node an item of the top level comes from, and which of its exports (or NULL). */
static uint32_t source_of(const cs_spaces *sp, const uint32_t *node_of_inst,
                          uint32_t *const *import_node, uint8_t sort, uint32_t idx,
                          const char **export_name, int depth)
{
    const cs_entry *e = cs_get(sp, sort, idx);
    *export_name = NULL;
    if (!e || depth > 32) return UINT32_MAX;
    switch (e->orig) {
    case ORIG_IMPORT: return import_node[sort][idx];
    case ORIG_INSTANTIATE: return node_of_inst[idx];
    case ORIG_ALIAS_EXPORT: {
        const char *dummy;
        uint32_t n = source_of(sp, node_of_inst, import_node, WELD_SORT_INSTANCE, e->a, &dummy, depth + 1);
        *export_name = e->name.ptr;
        return n;
    }
    case ORIG_EXPORT: {
        const weld_cexport *x = e->p;
        return source_of(sp, node_of_inst, import_node, x->item.sort.sort, x->item.index, export_name,
                         depth + 1);
    }
    default: return UINT32_MAX;
    }
}

weld_status weld_graph_from_component(const uint8_t *data, size_t len, const char *file,
                                      weld_graph_format fmt, char **out, size_t *out_len, weld_diag *d)
{
    weld_arena *a = weld_arena_new();
    if (!a) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    weld_component *cc;
    weld_component_read_opts ro = {.skip_modules = true};
    weld_status st = weld_component_read(a, data, len, &ro, &cc, d);
    if (st) {
        weld_arena_free(a);
        return st;
    }
    cs_cache *cache = cs_cache_new(a);
    const cs_spaces *sp = cache ? cs_component_spaces(cache, cc) : NULL;
    gview g = {.a = a};
    bool ok = sp != NULL;
    /* import nodes: one per top-level import (index into each sort's space) */
    uint32_t maxn = 1;
    for (int s = 1; ok && s <= 5; s++) maxn = sp->s[s].n > maxn ? sp->s[s].n : maxn;
    uint32_t *import_node[6] = {0};
    for (int s = 1; ok && s <= 5; s++) {
        import_node[s] = weld_arena_alloc(a, (sp->s[s].n + 1) * sizeof **import_node);
        ok = import_node[s] != NULL;
        for (uint32_t i = 0; ok && i < sp->s[s].n; i++) {
            const cs_entry *e = &sp->s[s].items[i];
            import_node[s][i] = UINT32_MAX;
            if (e->orig == ORIG_IMPORT)
                ok = (import_node[s][i] = add_node(&g, GN_IMPORT, e->name.ptr, NULL)) != UINT32_MAX;
        }
    }
    uint32_t ninst = ok ? sp->s[WELD_SORT_INSTANCE].n : 0;
    uint32_t *node_of_inst = weld_arena_alloc(a, (ninst + 1) * sizeof *node_of_inst);
    ok = ok && node_of_inst;
    for (uint32_t i = 0; ok && i < ninst; i++) {
        const cs_entry *e = &sp->s[WELD_SORT_INSTANCE].items[i];
        node_of_inst[i] = UINT32_MAX;
        if (e->orig != ORIG_INSTANTIATE) continue;
        const weld_instance *in = e->p;
        const char *name = lookup_name(cc, WELD_SORT_INSTANCE, i, a);
        char buf[32];
        snprintf(buf, sizeof buf, "instance %u", i);
        if (!name) name = weld_arena_strndup(a, buf, strlen(buf));
        const char *comp = NULL;
        if (in->kind == 0x00) {
            comp = lookup_name(cc, WELD_SORT_COMPONENT, in->component, a);
            snprintf(buf, sizeof buf, "component %u", in->component);
            if (!comp) comp = weld_arena_strndup(a, buf, strlen(buf));
        }
        ok = (node_of_inst[i] = add_node(&g, GN_INSTANCE, name, comp)) != UINT32_MAX;
    }
    for (uint32_t i = 0; ok && i < ninst; i++) {
        const cs_entry *e = &sp->s[WELD_SORT_INSTANCE].items[i];
        if (e->orig != ORIG_INSTANTIATE) continue;
        const weld_instance *in = e->p;
        for (uint32_t j = 0; ok && j < in->count; j++) {
            uint8_t so = in->items[j].item.sort.sort;
            if (so == 0 || so > 5) continue;
            const char *ex;
            uint32_t from = source_of(sp, node_of_inst, import_node, so, in->items[j].item.index, &ex, 0);
            ok = add_edge(&g, from, node_of_inst[i], in->items[j].name.name.ptr, ex);
        }
    }
    for (uint32_t i = 0; ok && i < cc->nsections; i++) {
        const weld_csection *s = &cc->sections[i];
        if (s->id != WELD_CSEC_EXPORT) continue;
        for (uint32_t j = 0; ok && j < s->count; j++) {
            const weld_cexport *x = &s->u.exports[j];
            uint8_t so = x->item.sort.sort;
            if (so == 0 || so > 5) continue;
            const char *ex;
            uint32_t from = source_of(sp, node_of_inst, import_node, so, x->item.index, &ex, 0);
            uint32_t n = add_node(&g, GN_EXPORT, x->name.name.ptr, NULL);
            ok = n != UINT32_MAX && add_edge(&g, from, n, x->name.name.ptr, ex);
        }
    }
    (void)file;
    st = ok ? render(&g, fmt, out, out_len, d)
            : weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    weld_arena_free(a);
    return st;
}
