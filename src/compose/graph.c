/* graph.c - the composer's graph: definitions, instances, arguments and exports; name and
 * semver matching; plugging by name; edge type checks; cycles; the imports that stay. */
#include "compose/compose_int.h"
#include <stdio.h>
#include <stdlib.h>

bool compose_grow(weld_arena *a, void **items, uint32_t n, uint32_t *cap, size_t size)
{
    if (n < *cap) return true;
    uint32_t nc = *cap ? *cap * 2 : 8;
    void *p = weld_arena_alloc(a, (size_t)nc * size);
    if (!p) return false;
    if (n) memcpy(p, *items, (size_t)n * size);
    *items = p;
    *cap = nc;
    return true;
}

weld_status compose_fail(const weld_composer *c, weld_diag *d, weld_status st, weld_compose_pos pos,
                         const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!d) return st;
    if (pos.line) {
        if (c->spec_file[0]) snprintf(d->file, sizeof d->file, "%s", c->spec_file);
        return weld_diag_set_text(d, st, pos.line, pos.col, 0, "%s", msg);
    }
    return weld_diag_set(d, st, WELD_NO_OFFSET, "%s", msg);
}

static weld_status nomem(weld_diag *d)
{
    return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while composing");
}

uint8_t compose_import_sort(const weld_cimport *im)
{
    return cs_ext_sort(im->type.kind);
}

weld_composer *weld_composer_new(void)
{
    weld_arena *a = weld_arena_new();
    if (!a) return NULL;
    weld_composer *c = weld_arena_alloc(a, sizeof *c);
    if (!c || !(c->cache = cs_cache_new(a))) {
        weld_arena_free(a);
        return NULL;
    }
    c->arena = a;
    weld_buf_init(&c->explain);
    return c;
}

void weld_composer_free(weld_composer *c)
{
    if (!c) return;
    for (uint32_t i = 0; i < c->ndefs; i++) {
        weld_ctypes_free(c->defs[i].model);
        free(c->defs[i].data);
    }
    weld_buf_free(&c->explain);
    weld_arena_free(c->arena);
}

void weld_composer_set_spec_file(weld_composer *c, const char *path)
{
    snprintf(c->spec_file, sizeof c->spec_file, "%s", path ? path : "");
}

const char *weld_composer_explanation(weld_composer *c)
{
    if (!c->explain.len || c->explain.oom) return "";
    weld_buf *b = &c->explain; /* NUL-terminate without counting it */
    weld_buf_byte(b, 0);
    if (b->oom) return "";
    b->len--;
    return (const char *)b->data;
}

/* ---- names and versions ----------------------------------------------------------------- */

typedef struct semver {
    uint64_t major, minor, patch;
    bool pre;    /* a prerelease or build suffix */
} semver;

static bool parse_semver(const char *s, semver *v)
{
    uint64_t part[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (*s < '0' || *s > '9') return false;
        while (*s >= '0' && *s <= '9') {
            part[i] = part[i] * 10 + (uint64_t)(*s - '0');
            if (part[i] > 0xFFFFF) return false;
            s++;
        }
        if (i < 2 && *s++ != '.') return false;
    }
    v->major = part[0];
    v->minor = part[1];
    v->patch = part[2];
    v->pre = *s != 0;
    return *s == 0 || *s == '-' || *s == '+';
}

/* Split "ns:pkg/iface@1.2.3" at its version '@'; returns the base length. */
static size_t base_len(const char *name, const char **ver)
{
    const char *at = strrchr(name, '@');
    *ver = at ? at + 1 : NULL;
    return at ? (size_t)(at - name) : strlen(name);
}

bool weld_compose_name_matches(const char *want, const char *have, uint64_t *rank)
{
    if (strcmp(want, have) == 0) {
        if (rank) *rank = UINT64_MAX;
        return true;
    }
    const char *wv, *hv;
    size_t wl = base_len(want, &wv), hl = base_len(have, &hv);
    if (wl != hl || memcmp(want, have, wl) != 0 || !wv || !hv) return false;
    semver w, h;
    if (!parse_semver(wv, &w) || !parse_semver(hv, &h) || w.pre || h.pre) return false;
    if (w.major != h.major) return false;
    if (w.major == 0) {
        if (w.minor == 0 || h.minor != w.minor || h.patch < w.patch) return false;
    } else if (h.minor < w.minor || (h.minor == w.minor && h.patch < w.patch)) {
        return false;
    }
    if (rank) *rank = (h.minor << 20) | h.patch;
    return true;
}

/* ---- definitions and instances ---------------------------------------------------------- */

uint32_t weld_composer_find_component(const weld_composer *c, const char *name)
{
    for (uint32_t i = 0; i < c->ndefs; i++)
        if (strcmp(c->defs[i].name, name) == 0) return i;
    return UINT32_MAX;
}

uint32_t weld_composer_find_instance(const weld_composer *c, const char *name)
{
    for (uint32_t i = 0; i < c->ninsts; i++)
        if (strcmp(c->insts[i].name, name) == 0) return i;
    return UINT32_MAX;
}

uint32_t weld_composer_instance_count(const weld_composer *c)
{
    return c->ninsts;
}

weld_status weld_composer_add_file(weld_composer *c, const char *name, const char *path,
                                   weld_compose_pos pos, uint32_t *id, weld_diag *d)
{
    uint8_t *data;
    size_t len;
    weld_diag fd;
    weld_diag_init(&fd, path);
    if (weld_file_read(path, &data, &len, &fd) != WELD_OK)
        return compose_fail(c, d, WELD_ERR_IO, pos, "component `%s`: %s", name, fd.message);
    weld_status st = weld_composer_add_bytes(c, name, path, data, len, pos, id, d);
    free(data);
    return st;
}

weld_status weld_composer_add_bytes(weld_composer *c, const char *name, const char *path,
                                    const uint8_t *data, size_t len, weld_compose_pos pos,
                                    uint32_t *id, weld_diag *d)
{
    if (weld_composer_find_component(c, name) != UINT32_MAX)
        return compose_fail(c, d, WELD_ERR_USAGE, pos, "component `%s` is defined twice", name);
    if (!weld_is_component(data, len))
        return compose_fail(c, d, WELD_ERR_MALFORMED, pos,
                            "component `%s`: %s is not a component (expected the component "
                            "preamble: \\0asm, version 0x0d, layer 1)", name, path);
    if (!compose_grow(c->arena, (void **)&c->defs, c->ndefs, &c->capdefs, sizeof *c->defs))
        return nomem(d);
    cdef *k = &c->defs[c->ndefs];
    memset(k, 0, sizeof *k);
    k->data = malloc(len ? len : 1);
    if (!k->data) return nomem(d);
    memcpy(k->data, data, len);
    k->len = len;
    c->ndefs++; /* owns data from here on */
    k->name = weld_arena_strndup(c->arena, name, strlen(name));
    k->path = weld_arena_strndup(c->arena, path, strlen(path));
    k->pos = pos;
    weld_component_read_opts ro = {.skip_bodies = true}; /* module types, for the model */
    weld_diag rd;
    weld_diag_init(&rd, path);
    if (weld_component_read(c->arena, k->data, len, &ro, &k->tree, &rd) != WELD_OK) {
        if (d) *d = rd;
        return rd.status;
    }
    k->sp = cs_component_spaces(c->cache, k->tree);
    if (!k->sp || !k->name || !k->path) return nomem(d);
    weld_diag md;
    weld_diag_init(&md, path);
    if (weld_ctypes_build(k->tree, NULL, &k->model, &md) != WELD_OK) {
        k->model = NULL;
        if (d) *d = md;
        return md.status;
    }
    for (int pass = 0; pass < 2; pass++) {
        uint32_t ni = 0, ne = 0;
        for (uint32_t i = 0; i < k->tree->nsections; i++) {
            const weld_csection *s = &k->tree->sections[i];
            for (uint32_t j = 0; j < s->count; j++) {
                if (s->id == WELD_CSEC_IMPORT) {
                    if (pass) k->imports[ni] = &s->u.imports[j];
                    ni++;
                } else if (s->id == WELD_CSEC_EXPORT) {
                    if (pass) k->exports[ne] = &s->u.exports[j];
                    ne++;
                }
            }
        }
        if (!pass) {
            k->imports = weld_arena_alloc(c->arena, (ni + 1) * sizeof *k->imports);
            k->exports = weld_arena_alloc(c->arena, (ne + 1) * sizeof *k->exports);
            if (!k->imports || !k->exports) return nomem(d);
            k->nimports = ni;
            k->nexports = ne;
        }
    }
    if (id) *id = c->ndefs - 1;
    return WELD_OK;
}

weld_status weld_composer_add_instance(weld_composer *c, const char *name, uint32_t component,
                                       weld_compose_pos pos, uint32_t *id, weld_diag *d)
{
    if (component >= c->ndefs)
        return compose_fail(c, d, WELD_ERR_USAGE, pos, "instance `%s`: no such component", name);
    if (weld_composer_find_instance(c, name) != UINT32_MAX)
        return compose_fail(c, d, WELD_ERR_USAGE, pos, "instance `%s` is defined twice", name);
    if (!compose_grow(c->arena, (void **)&c->insts, c->ninsts, &c->capinsts, sizeof *c->insts))
        return nomem(d);
    inode *n = &c->insts[c->ninsts];
    memset(n, 0, sizeof *n);
    n->name = weld_arena_strndup(c->arena, name, strlen(name));
    n->def = component;
    n->pos = pos;
    n->args = weld_arena_alloc(c->arena, (c->defs[component].nimports + 1) * sizeof *n->args);
    if (!n->name || !n->args) return nomem(d);
    c->defs[component].used = true;
    c->linked = false;
    if (id) *id = c->ninsts;
    c->ninsts++;
    return WELD_OK;
}

/* The import of a definition named `name`: exact, else the one it semver-matches either
 * way; UINT32_MAX when none (or several). */
static uint32_t find_import(const cdef *k, const char *name)
{
    for (uint32_t i = 0; i < k->nimports; i++)
        if (strcmp(k->imports[i]->name.name.ptr, name) == 0) return i;
    uint32_t found = UINT32_MAX;
    for (uint32_t i = 0; i < k->nimports; i++) {
        const char *in = k->imports[i]->name.name.ptr;
        const char *v1, *v2;
        size_t l1 = base_len(in, &v1), l2 = base_len(name, &v2);
        bool base_only = !v2 && l1 == l2 && memcmp(in, name, l1) == 0;
        if (base_only || weld_compose_name_matches(name, in, NULL) ||
            weld_compose_name_matches(in, name, NULL)) {
            if (found != UINT32_MAX) return UINT32_MAX;
            found = i;
        }
    }
    return found;
}

/* The export of a definition satisfying import name `want`: exact, else the highest
 * semver-compatible; UINT32_MAX when none. */
static uint32_t find_export(const cdef *k, const char *want)
{
    uint32_t best = UINT32_MAX;
    uint64_t best_rank = 0;
    for (uint32_t i = 0; i < k->nexports; i++) {
        uint64_t r;
        if (weld_compose_name_matches(want, k->exports[i]->name.name.ptr, &r) &&
            (best == UINT32_MAX || r > best_rank)) {
            best = i;
            best_rank = r;
        }
    }
    return best;
}

bool weld_composer_has_export(const weld_composer *c, uint32_t inst, const char *name)
{
    return inst < c->ninsts && find_export(&c->defs[c->insts[inst].def], name) != UINT32_MAX;
}

bool weld_composer_has_import(const weld_composer *c, uint32_t inst, const char *name)
{
    return inst < c->ninsts && find_import(&c->defs[c->insts[inst].def], name) != UINT32_MAX;
}

weld_status weld_composer_add_arg(weld_composer *c, uint32_t inst, const char *import,
                                  uint32_t from, const char *export_name, weld_compose_pos pos,
                                  weld_diag *d)
{
    if (inst >= c->ninsts || from >= c->ninsts)
        return compose_fail(c, d, WELD_ERR_USAGE, pos, "argument `%s`: unknown instance", import);
    inode *n = &c->insts[inst];
    const cdef *k = &c->defs[n->def];
    uint32_t i = find_import(k, import);
    if (i == UINT32_MAX)
        return compose_fail(c, d, WELD_ERR_USAGE, pos,
                            "instance `%s` (component %s) has no import `%s`", n->name, k->name,
                            import);
    if (n->args[i].kind != BIND_NONE)
        return compose_fail(c, d, WELD_ERR_USAGE, pos,
                            "import `%s` of instance `%s` is given two arguments", import, n->name);
    const cdef *fk = &c->defs[c->insts[from].def];
    uint8_t esort = compose_import_sort(k->imports[i]);
    const char *ename = NULL;
    if (export_name) {
        uint32_t e = UINT32_MAX;
        for (uint32_t j = 0; j < fk->nexports; j++)
            if (strcmp(fk->exports[j]->name.name.ptr, export_name) == 0) e = j;
        if (e == UINT32_MAX) e = find_export(fk, export_name);
        if (e == UINT32_MAX)
            return compose_fail(c, d, WELD_ERR_USAGE, pos,
                                "instance `%s` (component %s) has no export `%s`",
                                c->insts[from].name, fk->name, export_name);
        ename = fk->exports[e]->name.name.ptr;
        esort = fk->exports[e]->item.sort.sort;
    } else {
        uint32_t e = find_export(fk, k->imports[i]->name.name.ptr);
        if (e != UINT32_MAX) {
            ename = fk->exports[e]->name.name.ptr;
            esort = fk->exports[e]->item.sort.sort;
        } else {
            esort = WELD_SORT_INSTANCE;
        }
    }
    n->args[i] = (binding){BIND_EDGE, true, from, ename, esort, 0, pos, false};
    c->linked = false;
    return WELD_OK;
}

weld_status weld_composer_add_export(weld_composer *c, uint32_t inst, const char *export_name,
                                     const char *as, weld_compose_pos pos, weld_diag *d)
{
    if (inst >= c->ninsts) return compose_fail(c, d, WELD_ERR_USAGE, pos, "export: unknown instance");
    const cdef *k = &c->defs[c->insts[inst].def];
    uint8_t sort = WELD_SORT_INSTANCE;
    if (export_name) {
        uint32_t e = UINT32_MAX;
        for (uint32_t j = 0; j < k->nexports; j++)
            if (strcmp(k->exports[j]->name.name.ptr, export_name) == 0) e = j;
        if (e == UINT32_MAX)
            return compose_fail(c, d, WELD_ERR_USAGE, pos,
                                "instance `%s` (component %s) has no export `%s`",
                                c->insts[inst].name, k->name, export_name);
        sort = k->exports[e]->item.sort.sort;
    }
    const char *name = as ? as : export_name;
    if (!name)
        return compose_fail(c, d, WELD_ERR_USAGE, pos,
                            "exporting the whole instance `%s` needs a name", c->insts[inst].name);
    for (uint32_t i = 0; i < c->nexports; i++)
        if (strcmp(c->exports[i].as, name) == 0)
            return compose_fail(c, d, WELD_ERR_USAGE, pos, "export `%s` is given twice", name);
    if (!compose_grow(c->arena, (void **)&c->exports, c->nexports, &c->capexports,
                      sizeof *c->exports))
        return nomem(d);
    cexport_req *x = &c->exports[c->nexports++];
    x->inst = inst;
    x->export_name = export_name ? weld_arena_strndup(c->arena, export_name, strlen(export_name)) : NULL;
    x->as = weld_arena_strndup(c->arena, name, strlen(name));
    x->sort = sort;
    x->pos = pos;
    return x->as ? WELD_OK : nomem(d);
}

/* ---- edge type checks (through the component type model, weld/ctypes.h) --------------- */

/* The type an import of definition `k` declares: for a func, instance or component import
 * the type definition it names (whose resources are abstract: matched by name when an
 * argument is checked against it), else the import's type in the model. */
static const weld_tnode *import_decl(const cdef *k, uint32_t j)
{
    const weld_cimport *im = k->imports[j];
    if (im->type.kind == WELD_EXT_FUNC || im->type.kind == WELD_EXT_INSTANCE ||
        im->type.kind == WELD_EXT_COMPONENT)
        return weld_ctypes_get(k->model, WELD_TS_TYPE, im->type.index);
    const weld_tnode *self = weld_ctypes_self(k->model);
    return j < self->u.ext.nimports ? self->u.ext.imports[j].type : NULL;
}

/* What an edge provides: one export of the source instance, or the whole instance (an
 * instance type made of the source component's exports). */
static const weld_tnode *provided(weld_composer *c, const binding *b)
{
    cdef *fk = &c->defs[c->insts[b->from].def];
    const weld_tnode *self = weld_ctypes_self(fk->model);
    if (b->export_name) {
        for (uint32_t i = 0; i < self->u.ext.nexports; i++)
            if (strcmp(self->u.ext.exports[i].name.ptr, b->export_name) == 0)
                return self->u.ext.exports[i].type;
        return NULL;
    }
    if (!fk->as_instance) {
        weld_tnode *n = weld_arena_alloc(c->arena, sizeof *n);
        if (!n) return NULL;
        n->kind = WELD_TK_INSTANCE;
        n->u.ext.nexports = self->u.ext.nexports;
        n->u.ext.exports = self->u.ext.exports;
        fk->as_instance = n;
    }
    return fk->as_instance;
}

static const char *sort_word(uint8_t sort);
/* The sort with its article: "a func", "an instance". */
static const char *a_sort(uint8_t sort)
{
    switch (sort) {
    case WELD_SORT_FUNC: return "a func";
    case WELD_SORT_VALUE: return "a value";
    case WELD_SORT_TYPE: return "a type";
    case WELD_SORT_COMPONENT: return "a component";
    case WELD_SORT_INSTANCE: return "an instance";
    default: return "a core item";
    }
}

static const char *sort_word(uint8_t sort)
{
    switch (sort) {
    case WELD_SORT_FUNC: return "func";
    case WELD_SORT_VALUE: return "value";
    case WELD_SORT_TYPE: return "type";
    case WELD_SORT_COMPONENT: return "component";
    case WELD_SORT_INSTANCE: return "instance";
    default: return "core item";
    }
}

/* The one place edges are type-checked: is what binding `b` provides a subtype of what
 * import `imp` of instance `inst` declares (weld_tnode_subtype)? On a mismatch `msg`
 * names the import, the export of the instance that differs with both types in WIT
 * terms, the model's explanation, and where the provided item comes from. */
static int check_edge(weld_composer *c, uint32_t inst, uint32_t imp, const binding *b, char *msg,
                      size_t ml)
{
    const inode *n = &c->insts[inst];
    const cdef *k = &c->defs[n->def];
    const char *iname = k->imports[imp]->name.name.ptr;
    const inode *fn = &c->insts[b->from];
    const cdef *fk = &c->defs[fn->def];
    uint8_t isort = compose_import_sort(k->imports[imp]);
    if (isort != b->export_sort) {
        snprintf(msg, ml, "import `%s` of instance `%s` is %s import, found %s "
                 "(%s%s%s of instance `%s`, component %s)", iname, n->name, a_sort(isort),
                 a_sort(b->export_sort), b->export_name ? "export `" : "the whole instance",
                 b->export_name ? b->export_name : "", b->export_name ? "`" : "", fn->name, fk->path);
        return false;
    }
    const weld_tnode *want = import_decl(k, imp), *have = provided(c, b);
    char why[640] = "";
    if (want && have && weld_tnode_subtype(have, want, why, sizeof why)) return 1;
    /* each component's model gives a resource reached through another import (`thing` of
     * t:r/types inside t:r/use-a) its own identity, which only the composed component, where
     * that import is bound too, can match: the edge is kept and its validation decides */
    if (want && have && strstr(why, "resource types are not the same")) return 2;
    if (!want || !have) {
        snprintf(msg, ml, "import `%s` of instance `%s`: its type or the provided one is unknown",
                 iname, n->name);
        return false;
    }
    /* name the first export of an instance import that does not match, in WIT terms */
    char detail[700] = "";
    if (want->kind == WELD_TK_INSTANCE && have->kind == WELD_TK_INSTANCE) {
        for (uint32_t i = 0; i < want->u.ext.nexports && !detail[0]; i++) {
            const weld_textern *w = &want->u.ext.exports[i], *h = NULL;
            for (uint32_t j = 0; j < have->u.ext.nexports && !h; j++)
                if (have->u.ext.exports[j].name.len == w->name.len &&
                    memcmp(have->u.ext.exports[j].name.ptr, w->name.ptr, w->name.len) == 0)
                    h = &have->u.ext.exports[j];
            char wd[300], hd[300];
            if (!h) {
                snprintf(detail, sizeof detail, ", %s `%s`: missing", sort_word(w->sort), w->name.ptr);
            } else if (w->sort == WELD_EXT_FUNC && h->sort == WELD_EXT_FUNC &&
                       !weld_tnode_subtype(h->type, w->type, NULL, 0)) {
                weld_tnode_describe(w->type, wd, sizeof wd);
                weld_tnode_describe(h->type, hd, sizeof hd);
                snprintf(detail, sizeof detail, ", func `%s`: expected `%s`, found `%s`", w->name.ptr, wd, hd);
            }
        }
    } else if (want->kind == WELD_TK_FUNC && have->kind == WELD_TK_FUNC) {
        char wd[300], hd[300];
        weld_tnode_describe(want, wd, sizeof wd);
        weld_tnode_describe(have, hd, sizeof hd);
        snprintf(detail, sizeof detail, ": expected `%s`, found `%s`", wd, hd);
    }
    snprintf(msg, ml, "import `%s` of instance `%s`%s (from instance `%s`, component %s): %s", iname,
             n->name, detail, fn->name, fk->path, why);
    return false;
}

/* ---- linking ------------------------------------------------------------------------------ */

/* Plug import `imp` of instance `inst` by name from the other instances. */
static weld_status auto_plug(weld_composer *c, uint32_t inst, uint32_t imp, bool explain,
                             weld_diag *d)
{
    inode *n = &c->insts[inst];
    const cdef *k = &c->defs[n->def];
    const char *iname = k->imports[imp]->name.name.ptr;
    if (explain) weld_buf_printf(&c->explain, "instance `%s` import `%s`:\n", n->name, iname);
    uint32_t best = UINT32_MAX, nbest = 0;
    uint64_t best_rank = 0;
    bool best_deferred = false;
    char cands[512] = "", mismatch[1024] = "";
    for (uint32_t j = 0; j < c->ninsts; j++) {
        if (j == inst) continue;
        const cdef *fk = &c->defs[c->insts[j].def];
        uint32_t e = find_export(fk, iname);
        if (e == UINT32_MAX) {
            if (explain)
                weld_buf_printf(&c->explain, "  `%s` (%s): no export named `%s` or a "
                                "semver-compatible version\n", c->insts[j].name, fk->name, iname);
            continue;
        }
        const char *ename = fk->exports[e]->name.name.ptr;
        uint64_t rank;
        weld_compose_name_matches(iname, ename, &rank);
        binding b = {BIND_EDGE, false, j, ename, fk->exports[e]->item.sort.sort, 0, n->pos, false};
        char msg[1024];
        int r = check_edge(c, inst, imp, &b, msg, sizeof msg);
        if (!r) {
            if (explain)
                weld_buf_printf(&c->explain, "  `%s` export `%s`: not taken, the types differ: %s\n",
                                c->insts[j].name, ename, msg);
            if (!mismatch[0]) snprintf(mismatch, sizeof mismatch, "%s", msg);
            continue;
        }
        if (explain)
            weld_buf_printf(&c->explain, "  `%s` export `%s`: candidate (%s)\n", c->insts[j].name,
                            ename, rank == UINT64_MAX ? "exact name" : "semver-compatible version");
        if (best == UINT32_MAX || rank > best_rank) {
            best_deferred = r == 2;
            best = j;
            best_rank = rank;
            nbest = 1;
            snprintf(cands, sizeof cands, "`%s` (export `%s`)", c->insts[j].name, ename);
        } else if (rank == best_rank) {
            nbest++;
            size_t l = strlen(cands);
            snprintf(cands + l, sizeof cands - l, ", `%s` (export `%s`)", c->insts[j].name, ename);
        }
    }
    if (best == UINT32_MAX) {
        if (mismatch[0]) return compose_fail(c, d, WELD_ERR_LINK, n->pos, "%s", mismatch);
        if (explain) weld_buf_printf(&c->explain, "  => left as an import of the composition\n");
        return WELD_OK;
    }
    if (nbest > 1)
        return compose_fail(c, d, WELD_ERR_LINK, n->pos,
                            "ambiguous match for import `%s` of instance `%s`: candidates %s; "
                            "name one with an explicit argument", iname, n->name, cands);
    const cdef *fk = &c->defs[c->insts[best].def];
    uint32_t e = find_export(fk, iname);
    n->args[imp] = (binding){BIND_EDGE, false, best, fk->exports[e]->name.name.ptr,
                             fk->exports[e]->item.sort.sort, 0, n->pos, best_deferred};
    if (explain)
        weld_buf_printf(&c->explain, "  => taken: `%s` export `%s`%s\n", c->insts[best].name,
                        fk->exports[e]->name.name.ptr,
                        best_rank == UINT64_MAX ? "" : " (the highest compatible version)");
    return WELD_OK;
}

/* Depth-first: dependencies before dependents; a back edge is a cycle. */
static weld_status visit(weld_composer *c, uint32_t i, uint32_t *stack, uint32_t depth,
                         uint32_t *norder, weld_diag *d)
{
    inode *n = &c->insts[i];
    if (n->mark == 2) return WELD_OK;
    stack[depth] = i;
    if (n->mark == 1) {
        uint32_t s = 0;
        while (stack[s] != i) s++;
        char path[768] = "";
        size_t l = 0;
        for (uint32_t j = s; j <= depth && l < sizeof path - 1; j++)
            l += (size_t)snprintf(path + l, sizeof path - l, "%s`%s`", j > s ? " -> " : "",
                                  c->insts[stack[j]].name);
        return compose_fail(c, d, WELD_ERR_LINK, n->pos,
                            "dependency cycle: %s (each instance imports from the next)", path);
    }
    n->mark = 1;
    const cdef *k = &c->defs[n->def];
    for (uint32_t a = 0; a < k->nimports; a++) {
        if (n->args[a].kind != BIND_EDGE) continue;
        weld_status st = visit(c, n->args[a].from, stack, depth + 1, norder, d);
        if (st) return st;
    }
    n->mark = 2;
    c->order[(*norder)++] = i;
    return WELD_OK;
}

/* Do two instance types agree on the exports they both have (same sort, and each type a
 * subtype of the other)? Resources are matched by name: the merged import gives them one
 * identity. */
static bool views_agree(const weld_composer *c, const weld_tnode *ta, const char *na,
                        const weld_tnode *tb, const char *nb, char *msg, size_t ml)
{
    (void)c;
    for (uint32_t i = 0; i < tb->u.ext.nexports; i++) {
        const weld_textern *h = &tb->u.ext.exports[i], *w = NULL;
        for (uint32_t j = 0; j < ta->u.ext.nexports && !w; j++)
            if (ta->u.ext.exports[j].name.len == h->name.len &&
                memcmp(ta->u.ext.exports[j].name.ptr, h->name.ptr, h->name.len) == 0)
                w = &ta->u.ext.exports[j];
        if (!w) continue;
        if (w->sort != h->sort) {
            snprintf(msg, ml, "`%s` is a %s for instance `%s` and a %s for instance `%s`",
                     h->name.ptr, sort_word(w->sort), na, sort_word(h->sort), nb);
            return false;
        }
        if (w->sort == WELD_EXT_TYPE) continue;
        char why[640] = "";
        if (!weld_tnode_subtype(h->type, w->type, why, sizeof why) ||
            !weld_tnode_subtype(w->type, h->type, why, sizeof why)) {
            char wd[300] = "", hd[300] = "";
            weld_tnode_describe(w->type, wd, sizeof wd);
            weld_tnode_describe(h->type, hd, sizeof hd);
            /* the same in WIT terms: only resource identities differ, which the merged
             * import unifies (the composed component's validation decides) */
            if (strcmp(wd, hd) == 0) continue;
            snprintf(msg, ml, "%s `%s` is `%s` for instance `%s` and `%s` for instance `%s` (%s)",
                     sort_word(w->sort), h->name.ptr, wd, na, hd, nb, why);
            return false;
        }
    }
    return true;
}

/* Two instances import the same name with types that differ. One import of the
 * composition serves both when its type is a subtype of the other's (an instance type
 * with more exports serves a narrower view). Returns 0 when the existing import `x`
 * serves both, 1 when import `imp` of instance `inst` does, 2 when neither includes the
 * other and the import becomes their union (the exports they share must agree), -1 (with a
 * message) when they disagree. The two types come from two components' models, where resources reached
 * through other imports have distinct identities: when only that could be in the way (the
 * export names agree), the merge is kept and the composed component's validation, where
 * the merged import has one identity, decides (x->deferred). */
static int merge_wider(weld_composer *c, outer_import *x, uint32_t inst, uint32_t imp, char *msg,
                       size_t ml)
{
    const cdef *ka = &c->defs[c->insts[x->inst].def], *kb = &c->defs[c->insts[inst].def];
    const weld_tnode *ta = import_decl(ka, x->import), *tb = import_decl(kb, imp);
    char why[640] = "";
    if (!ta || !tb) {
        snprintf(msg, ml, "their types are unknown");
        return -1;
    }
    if (weld_tnode_subtype(ta, tb, NULL, 0)) return 0;
    if (weld_tnode_subtype(tb, ta, why, sizeof why)) return 1;
    if (ta->kind != WELD_TK_INSTANCE || tb->kind != WELD_TK_INSTANCE) {
        snprintf(msg, ml, "%s", why);
        return -1;
    }
    bool a_has_b = true, b_has_a = true;
    for (int pass = 0; pass < 2; pass++) {
        const weld_tnode *p = pass ? tb : ta, *q = pass ? ta : tb;
        for (uint32_t i = 0; i < p->u.ext.nexports; i++) {
            bool found = false;
            for (uint32_t j = 0; j < q->u.ext.nexports && !found; j++)
                found = p->u.ext.exports[i].name.len == q->u.ext.exports[j].name.len &&
                        memcmp(p->u.ext.exports[i].name.ptr, q->u.ext.exports[j].name.ptr,
                               p->u.ext.exports[i].name.len) == 0;
            if (found) continue;
            if (pass) a_has_b = false;
            else b_has_a = false;
        }
    }
    if (!views_agree(c, ta, c->insts[x->inst].name, tb,
                                              c->insts[inst].name, msg, ml))
        return -1;
    x->deferred = true;
    x->other = inst;
    return !a_has_b && !b_has_a ? 2 : a_has_b ? 0 : 1;
}

weld_status weld_composer_link(weld_composer *c, const weld_compose_opts *opts, bool explain,
                               weld_diag *d)
{
    weld_compose_opts none = {0};
    if (!opts) opts = &none;
    c->explain.len = 0;
    if (c->ninsts == 0)
        return compose_fail(c, d, WELD_ERR_USAGE, (weld_compose_pos){0, 0},
                            "the composition has no instances");
    /* explicit arguments are checked; the rest are plugged by name when asked */
    for (uint32_t i = 0; i < c->ninsts; i++) {
        inode *n = &c->insts[i];
        const cdef *k = &c->defs[n->def];
        for (uint32_t a = 0; a < k->nimports; a++) {
            binding *b = &n->args[a];
            if (b->kind == BIND_OUTER) *b = (binding){0};
            if (b->kind == BIND_EDGE && !b->explicit_arg) *b = (binding){0};
            if (b->kind == BIND_EDGE) {
                char msg[1024];
                int r = check_edge(c, i, a, b, msg, sizeof msg);
                if (!r) return compose_fail(c, d, WELD_ERR_LINK, b->pos, "type mismatch: %s", msg);
                b->deferred = r == 2;
                if (explain)
                    weld_buf_printf(&c->explain, "instance `%s` import `%s`:\n  => given: `%s` %s%s%s\n",
                                    n->name, k->imports[a]->name.name.ptr, c->insts[b->from].name,
                                    b->export_name ? "export `" : "(the whole instance)",
                                    b->export_name ? b->export_name : "", b->export_name ? "`" : "");
            }
        }
    }
    if (opts->auto_plug)
        for (uint32_t i = 0; i < c->ninsts; i++) {
            const cdef *k = &c->defs[c->insts[i].def];
            for (uint32_t a = 0; a < k->nimports; a++)
                if (c->insts[i].args[a].kind == BIND_NONE) {
                    weld_status st = auto_plug(c, i, a, explain, d);
                    if (st) return st;
                }
        }
    /* dependency order; cycles */
    c->order = weld_arena_alloc(c->arena, (size_t)c->ninsts * sizeof *c->order);
    uint32_t *stack = weld_arena_alloc(c->arena, ((size_t)c->ninsts + 1) * sizeof *stack);
    if (!c->order || !stack) return nomem(d);
    for (uint32_t i = 0; i < c->ninsts; i++) c->insts[i].mark = 0;
    uint32_t norder = 0;
    for (uint32_t i = 0; i < c->ninsts; i++) {
        weld_status st = visit(c, i, stack, 0, &norder, d);
        if (st) return st;
    }
    /* what stays unsatisfied becomes an import of the composition, merged by name */
    c->nouter = 0;
    for (uint32_t oi = 0; oi < c->ninsts; oi++) {
        uint32_t i = c->order[oi];
        inode *n = &c->insts[i];
        cdef *k = &c->defs[n->def];
        for (uint32_t a = 0; a < k->nimports; a++) {
            if (n->args[a].kind != BIND_NONE) continue;
            const weld_cimport *im = k->imports[a];
            const char *name = im->name.name.ptr;
            if (opts->no_imports)
                return compose_fail(c, d, WELD_ERR_LINK, n->pos,
                                    "import `%s` of instance `%s` (component %s) is not satisfied "
                                    "and imports are not allowed", name, n->name, k->path);
            uint32_t o = 0;
            while (o < c->nouter && strcmp(c->outer[o].name, name) != 0) o++;
            if (o < c->nouter) {
                outer_import *x = &c->outer[o];
                if (x->sort != compose_import_sort(im)) {
                    return compose_fail(c, d, WELD_ERR_LINK, n->pos,
                                        "instances `%s` and `%s` both import `%s`, as a %s and as a %s",
                                        c->insts[x->inst].name, n->name, name, sort_word(x->sort),
                                        sort_word(compose_import_sort(im)));
                } else if (import_decl(&c->defs[c->insts[x->inst].def], x->import) != import_decl(k, a) ||
                           c->insts[x->inst].def != n->def) {
                    char msg[1024];
                    int wider = x->nviews ? 2 : merge_wider(c, x, i, a, msg, sizeof msg);
                    if (wider == 2 && x->nviews) {
                        /* an existing union: the new view agrees with every view so far */
                        const weld_tnode *tb = import_decl(k, a);
                        for (uint32_t v = 0; v <= x->nviews && wider == 2; v++) {
                            uint32_t vi = v ? x->views[v - 1].inst : x->inst;
                            uint32_t vm = v ? x->views[v - 1].import : x->import;
                            const weld_tnode *ta = import_decl(&c->defs[c->insts[vi].def], vm);
                            if (!ta || !tb || ta->kind != WELD_TK_INSTANCE || tb->kind != WELD_TK_INSTANCE) {
                                snprintf(msg, sizeof msg, "their types are unknown");
                                wider = -1;
                            } else if (!views_agree(c, ta, c->insts[vi].name, tb, n->name, msg, sizeof msg)) {
                                wider = -1;
                            }
                        }
                    }
                    if (wider == 2) {
                        if (!compose_grow(c->arena, (void **)&x->views, x->nviews, &x->capviews,
                                          sizeof *x->views))
                            return nomem(d);
                        x->views[x->nviews++] = (import_view){i, a};
                    }
                    if (wider < 0)
                        return compose_fail(c, d, WELD_ERR_LINK, n->pos,
                                            "instances `%s` and `%s` both import `%s` with types "
                                            "that do not agree: %s", c->insts[x->inst].name,
                                            n->name, name, msg);
                    if (wider == 1) {
                        x->other = x->inst;
                        x->inst = i;
                        x->import = a;
                    }
                }
            } else {
                if (!compose_grow(c->arena, (void **)&c->outer, c->nouter, &c->capouter,
                                  sizeof *c->outer))
                    return nomem(d);
                c->outer[c->nouter++] = (outer_import){name, compose_import_sort(im), i, a, false, 0, NULL, 0, 0};
            }
            n->args[a] = (binding){BIND_OUTER, false, 0, NULL, 0, o, n->pos, false};
        }
    }
    /* no exports named: every export of the instances nothing depends on */
    if (c->nexports == 0) {
        bool *used = weld_arena_alloc(c->arena, c->ninsts * sizeof *used);
        if (!used) return nomem(d);
        for (uint32_t i = 0; i < c->ninsts; i++) {
            const cdef *k = &c->defs[c->insts[i].def];
            for (uint32_t a = 0; a < k->nimports; a++)
                if (c->insts[i].args[a].kind == BIND_EDGE) used[c->insts[i].args[a].from] = true;
        }
        for (uint32_t i = 0; i < c->ninsts; i++) {
            if (used[i]) continue;
            const cdef *k = &c->defs[c->insts[i].def];
            for (uint32_t e = 0; e < k->nexports; e++) {
                const char *en = k->exports[e]->name.name.ptr;
                bool dup = false;
                for (uint32_t x = 0; x < c->nexports; x++) dup |= strcmp(c->exports[x].as, en) == 0;
                if (dup) continue;
                weld_status st = weld_composer_add_export(c, i, en, NULL, c->insts[i].pos, d);
                if (st) return st;
            }
        }
    }
    c->linked = true;
    return WELD_OK;
}

weld_status weld_composer_export_all(weld_composer *c, uint32_t inst, weld_diag *d)
{
    if (inst >= c->ninsts) return compose_fail(c, d, WELD_ERR_USAGE, (weld_compose_pos){0, 0}, "no such instance");
    const cdef *k = &c->defs[c->insts[inst].def];
    for (uint32_t e = 0; e < k->nexports; e++) {
        weld_status st = weld_composer_add_export(c, inst, k->exports[e]->name.name.ptr, NULL,
                                                  c->insts[inst].pos, d);
        if (st) return st;
    }
    return WELD_OK;
}

bool weld_composer_instance_feeds(const weld_composer *c, uint32_t inst)
{
    for (uint32_t i = 0; i < c->ninsts; i++) {
        const cdef *k = &c->defs[c->insts[i].def];
        for (uint32_t j = 0; j < k->nimports; j++)
            if (c->insts[i].args[j].kind == BIND_EDGE && c->insts[i].args[j].from == inst) return true;
    }
    return false;
}

const char *weld_composer_instance_name(const weld_composer *c, uint32_t inst)
{
    return inst < c->ninsts ? c->insts[inst].name : NULL;
}
