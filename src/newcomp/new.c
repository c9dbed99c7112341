/* new.c - a component from a core module carrying a `component-type` section.
 *
 * Layout of the component built (that of wit-component):
 *   the world's imports and the types they need (the world's component type replayed
 *   declaration by declaration, so that type indices are the world type's);
 *   the main module, a shim module whose functions call through a table (for imports
 *   whose lowering needs the main module's memory or realloc, which do not exist before
 *   the main instance does), a fixup module that fills the table;
 *   canon lower of the imports, the main instance, the indirect lowers and the fixup;
 *   a tiny module whose start function calls `_initialize`;
 *   canon lift of the exports; an exported interface goes through a nested component
 *   that mirrors the interface's instance type so that its types keep their names.
 */
#include "base/base.h"
#include "newcomp/newcomp_flat.h"
#include "newcomp/newcomp_int.h"
#include "weld/component.h"
#include "weld/validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building a component one item per section ------------------------------------ */

typedef struct bld {
    weld_arena *a;
    bool oom;
    weld_csection *secs;
    uint32_t nsecs, cap;
    uint32_t ntypes, nfuncs, ninstances, ncomponents;
    uint32_t ncore_funcs, ncore_instances, ncore_modules, ncore_memories, ncore_tables;
} bld;

static void *bzalloc(bld *b, size_t n)
{
    void *p = weld_arena_alloc(b->a, n ? n : 1);
    if (!p) {
        b->oom = true;
        return NULL;
    }
    memset(p, 0, n ? n : 1);
    return p;
}

static weld_str bstr(bld *b, const char *s)
{
    weld_str w = {"", 0};
    size_t n = strlen(s);
    char *c = weld_arena_strndup(b->a, s, n);
    if (!c) {
        b->oom = true;
        return w;
    }
    w.ptr = c;
    w.len = (uint32_t)n;
    return w;
}

static weld_csection *bsec(bld *b, uint8_t id)
{
    if (b->nsecs == b->cap) {
        uint32_t nc = b->cap ? b->cap * 2 : 32;
        weld_csection *nv = bzalloc(b, sizeof *nv * nc);
        if (!nv) return NULL;
        if (b->nsecs) memcpy(nv, b->secs, sizeof *nv * b->nsecs);
        b->secs = nv;
        b->cap = nc;
    }
    weld_csection *s = &b->secs[b->nsecs++];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->count = 1;
    return s;
}

static void count_sort(bld *b, weld_sort s)
{
    if (s.sort == WELD_SORT_CORE) {
        switch (s.core) {
        case WELD_CORE_SORT_FUNC: b->ncore_funcs++; break;
        case WELD_CORE_SORT_MEMORY: b->ncore_memories++; break;
        case WELD_CORE_SORT_TABLE: b->ncore_tables++; break;
        case WELD_CORE_SORT_MODULE: b->ncore_modules++; break;
        case WELD_CORE_SORT_INSTANCE: b->ncore_instances++; break;
        default: break;
        }
        return;
    }
    switch (s.sort) {
    case WELD_SORT_FUNC: b->nfuncs++; break;
    case WELD_SORT_TYPE: b->ntypes++; break;
    case WELD_SORT_INSTANCE: b->ninstances++; break;
    case WELD_SORT_COMPONENT: b->ncomponents++; break;
    default: break;
    }
}

static uint32_t sort_count(const bld *b, weld_sort s)
{
    if (s.sort == WELD_SORT_CORE) {
        switch (s.core) {
        case WELD_CORE_SORT_FUNC: return b->ncore_funcs;
        case WELD_CORE_SORT_MEMORY: return b->ncore_memories;
        case WELD_CORE_SORT_TABLE: return b->ncore_tables;
        case WELD_CORE_SORT_MODULE: return b->ncore_modules;
        case WELD_CORE_SORT_INSTANCE: return b->ncore_instances;
        default: return 0;
        }
    }
    switch (s.sort) {
    case WELD_SORT_FUNC: return b->nfuncs;
    case WELD_SORT_TYPE: return b->ntypes;
    case WELD_SORT_INSTANCE: return b->ninstances;
    case WELD_SORT_COMPONENT: return b->ncomponents;
    default: return 0;
    }
}

static uint32_t ext_sort(uint8_t kind)
{
    switch (kind) {
    case WELD_EXT_FUNC: return WELD_SORT_FUNC;
    case WELD_EXT_TYPE: return WELD_SORT_TYPE;
    case WELD_EXT_INSTANCE: return WELD_SORT_INSTANCE;
    case WELD_EXT_COMPONENT: return WELD_SORT_COMPONENT;
    case WELD_EXT_VALUE: return WELD_SORT_VALUE;
    default: return WELD_SORT_CORE;
    }
}

static uint32_t b_type(bld *b, const weld_ctype *t)
{
    weld_csection *s = bsec(b, WELD_CSEC_TYPE);
    const weld_ctype **v = bzalloc(b, sizeof *v);
    if (!s || !v) return 0;
    v[0] = t;
    s->u.types = v;
    return b->ntypes++;
}

static uint32_t b_alias(bld *b, const weld_alias *al)
{
    weld_csection *s = bsec(b, WELD_CSEC_ALIAS);
    weld_alias *v = bzalloc(b, sizeof *v);
    if (!s || !v) return 0;
    *v = *al;
    s->u.aliases = v;
    uint32_t idx = sort_count(b, al->sort);
    count_sort(b, al->sort);
    return idx;
}

static uint32_t b_core_alias(bld *b, uint32_t inst, const char *name, uint8_t core_sort)
{
    weld_alias al;
    memset(&al, 0, sizeof al);
    al.sort.sort = WELD_SORT_CORE;
    al.sort.core = core_sort;
    al.tag = 0x01;
    al.instance = inst;
    al.name = bstr(b, name);
    return b_alias(b, &al);
}

static uint32_t b_inst_alias(bld *b, uint32_t inst, const char *name, uint8_t sort)
{
    weld_alias al;
    memset(&al, 0, sizeof al);
    al.sort.sort = sort;
    al.tag = 0x00;
    al.instance = inst;
    al.name = bstr(b, name);
    return b_alias(b, &al);
}

static uint32_t b_import(bld *b, weld_str name, weld_cextern x)
{
    weld_csection *s = bsec(b, WELD_CSEC_IMPORT);
    weld_cimport *v = bzalloc(b, sizeof *v);
    if (!s || !v) return 0;
    v->name.name = name;
    v->type = x;
    s->u.imports = v;
    weld_sort so = {(uint8_t)ext_sort(x.kind), 0};
    uint32_t idx = sort_count(b, so);
    count_sort(b, so);
    return idx;
}

static uint32_t b_export(bld *b, const char *name, uint8_t sort, uint32_t index)
{
    weld_csection *s = bsec(b, WELD_CSEC_EXPORT);
    weld_cexport *v = bzalloc(b, sizeof *v);
    if (!s || !v) return 0;
    v->name.name = bstr(b, name);
    v->item.sort.sort = sort;
    v->item.index = index;
    s->u.exports = v;
    weld_sort so = {sort, 0};
    uint32_t idx = sort_count(b, so);
    count_sort(b, so);
    return idx;
}

static uint32_t b_module(bld *b, const uint8_t *data, size_t len)
{
    weld_csection *s = bsec(b, WELD_CSEC_CORE_MODULE);
    weld_nested_module *m = bzalloc(b, sizeof *m);
    if (!s || !m) return 0;
    m->data = data;
    m->len = (uint32_t)len;
    s->u.module = m;
    return b->ncore_modules++;
}

/* Instantiate core module `module` with `n` instance args. */
static uint32_t b_core_instantiate(bld *b, uint32_t module, const char **names, const uint32_t *insts, uint32_t n)
{
    weld_csection *s = bsec(b, WELD_CSEC_CORE_INSTANCE);
    weld_core_instance *ci = bzalloc(b, sizeof *ci);
    weld_core_arg *args = bzalloc(b, sizeof *args * n);
    if (!s || !ci || !args) return 0;
    for (uint32_t i = 0; i < n; i++) {
        args[i].name = bstr(b, names[i]);
        args[i].sort = WELD_CORE_SORT_INSTANCE;
        args[i].index = insts[i];
    }
    ci->kind = 0x00;
    ci->module = module;
    ci->count = n;
    ci->items = args;
    s->u.core_instances = ci;
    return b->ncore_instances++;
}

/* A core instance of inline exports. */
static uint32_t b_core_exports(bld *b, const weld_core_arg *items, uint32_t n)
{
    weld_csection *s = bsec(b, WELD_CSEC_CORE_INSTANCE);
    weld_core_instance *ci = bzalloc(b, sizeof *ci);
    weld_core_arg *v = bzalloc(b, sizeof *v * n);
    if (!s || !ci || !v) return 0;
    if (n) memcpy(v, items, sizeof *v * n);
    ci->kind = 0x01;
    ci->count = n;
    ci->items = v;
    s->u.core_instances = ci;
    return b->ncore_instances++;
}

static uint32_t b_canon(bld *b, const weld_canon *c, bool core_result)
{
    weld_csection *s = bsec(b, WELD_CSEC_CANON);
    weld_canon *v = bzalloc(b, sizeof *v);
    if (!s || !v) return 0;
    *v = *c;
    if (c->nopts) {
        weld_canonopt *o = bzalloc(b, sizeof *o * c->nopts);
        if (!o) return 0;
        memcpy(o, c->opts, sizeof *o * c->nopts);
        v->opts = o;
    }
    s->u.canons = v;
    return core_result ? b->ncore_funcs++ : b->nfuncs++;
}

static weld_component *b_finish(bld *b, uint32_t depth)
{
    weld_component *c = bzalloc(b, sizeof *c);
    if (!c) return NULL;
    c->arena = b->a;
    c->nsections = b->nsecs;
    c->sections = b->secs;
    c->depth = depth;
    return c;
}

/* ---- type copies with remapped indices ---------------------------------------------- */

typedef struct remap {
    const uint32_t *map;
    uint32_t n;
    bool bad;
} remap;

static weld_cvaltype rv(remap *m, weld_cvaltype v)
{
    if (v.prim) return v;
    if (v.index >= m->n || m->map[v.index] == UINT32_MAX) {
        m->bad = true;
        return v;
    }
    v.index = m->map[v.index];
    return v;
}

static const weld_ctype *remap_type(bld *b, const weld_ctype *t, remap *m)
{
    weld_ctype *c = bzalloc(b, sizeof *c);
    if (!c) return NULL;
    *c = *t;
    switch (t->kind) {
    case WELD_CT_RECORD: {
        weld_cfield *f = bzalloc(b, sizeof *f * t->u.record.count);
        if (!f) return NULL;
        for (uint32_t i = 0; i < t->u.record.count; i++) {
            f[i] = t->u.record.fields[i];
            f[i].type = rv(m, f[i].type);
        }
        c->u.record.fields = f;
        break;
    }
    case WELD_CT_VARIANT: {
        weld_ccase *f = bzalloc(b, sizeof *f * t->u.variant.count);
        if (!f) return NULL;
        for (uint32_t i = 0; i < t->u.variant.count; i++) {
            f[i] = t->u.variant.cases[i];
            if (f[i].has_type) f[i].type = rv(m, f[i].type);
        }
        c->u.variant.cases = f;
        break;
    }
    case WELD_CT_LIST: case WELD_CT_FIXED_LIST: c->u.list.elem = rv(m, t->u.list.elem); break;
    case WELD_CT_TUPLE: {
        weld_cvaltype *f = bzalloc(b, sizeof *f * t->u.tuple.count);
        if (!f) return NULL;
        for (uint32_t i = 0; i < t->u.tuple.count; i++) f[i] = rv(m, t->u.tuple.types[i]);
        c->u.tuple.types = f;
        break;
    }
    case WELD_CT_OPTION: c->u.option = rv(m, t->u.option); break;
    case WELD_CT_RESULT:
        if (t->u.result.has_ok) c->u.result.ok = rv(m, t->u.result.ok);
        if (t->u.result.has_err) c->u.result.err = rv(m, t->u.result.err);
        break;
    case WELD_CT_OWN: case WELD_CT_BORROW: {
        weld_cvaltype h = {0, t->u.handle};
        c->u.handle = rv(m, h).index;
        break;
    }
    case WELD_CT_STREAM: case WELD_CT_FUTURE:
        if (t->u.async_value.has_elem) c->u.async_value.elem = rv(m, t->u.async_value.elem);
        break;
    case WELD_CT_MAP:
        c->u.map.key = rv(m, t->u.map.key);
        c->u.map.value = rv(m, t->u.map.value);
        break;
    case WELD_CT_FUNC: case WELD_CT_FUNC_ASYNC: {
        weld_cfield *f = bzalloc(b, sizeof *f * t->u.func.nparams);
        if (!f) return NULL;
        for (uint32_t i = 0; i < t->u.func.nparams; i++) {
            f[i] = t->u.func.params[i];
            f[i].type = rv(m, f[i].type);
        }
        c->u.func.params = f;
        if (t->u.func.has_result) c->u.func.result = rv(m, t->u.func.result);
        break;
    }
    case WELD_CT_PRIM: case WELD_CT_FLAGS: case WELD_CT_ENUM: break;
    default: m->bad = true; break;
    }
    return c;
}

/* ---- the small core modules -------------------------------------------------------- */

static void put_functype(weld_buf *o, const weld_functype *ft)
{
    weld_buf_byte(o, 0x60);
    weld_buf_u32leb(o, ft->nparams);
    weld_buf_append(o, ft->params, ft->nparams);
    weld_buf_u32leb(o, ft->nresults);
    weld_buf_append(o, ft->results, ft->nresults);
}

static const uint8_t core_preamble[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

static void put_types(weld_buf *o, const weld_functype *const *types, uint32_t n)
{
    weld_buf_byte(o, 1);
    size_t pos = weld_buf_size_begin(o);
    weld_buf_u32leb(o, n);
    for (uint32_t i = 0; i < n; i++) put_functype(o, types[i]);
    weld_buf_size_end(o, pos);
}

static void put_table_type(weld_buf *o, uint32_t n)
{
    weld_buf_byte(o, WELD_FUNCREF);
    weld_buf_byte(o, 0x01);
    weld_buf_u32leb(o, n);
    weld_buf_u32leb(o, n);
}

/* The shim: function i forwards its arguments to table slot i. */
static void shim_module(weld_buf *o, const weld_functype *const *types, uint32_t n)
{
    char name[16];
    weld_buf_append(o, core_preamble, 8);
    put_types(o, types, n);
    weld_buf_byte(o, 3);
    size_t pos = weld_buf_size_begin(o);
    weld_buf_u32leb(o, n);
    for (uint32_t i = 0; i < n; i++) weld_buf_u32leb(o, i);
    weld_buf_size_end(o, pos);
    weld_buf_byte(o, 4);
    pos = weld_buf_size_begin(o);
    weld_buf_u32leb(o, 1);
    put_table_type(o, n);
    weld_buf_size_end(o, pos);
    weld_buf_byte(o, 7);
    pos = weld_buf_size_begin(o);
    weld_buf_u32leb(o, n + 1);
    for (uint32_t i = 0; i < n; i++) {
        int k = snprintf(name, sizeof name, "%u", i);
        weld_buf_name(o, name, (size_t)k);
        weld_buf_byte(o, WELD_EXTERN_FUNC);
        weld_buf_u32leb(o, i);
    }
    weld_buf_name(o, "$imports", 8);
    weld_buf_byte(o, WELD_EXTERN_TABLE);
    weld_buf_u32leb(o, 0);
    weld_buf_size_end(o, pos);
    weld_buf_byte(o, 10);
    pos = weld_buf_size_begin(o);
    weld_buf_u32leb(o, n);
    for (uint32_t i = 0; i < n; i++) {
        size_t fpos = weld_buf_size_begin(o);
        weld_buf_u32leb(o, 0);
        for (uint32_t p = 0; p < types[i]->nparams; p++) {
            weld_buf_byte(o, 0x20);
            weld_buf_u32leb(o, p);
        }
        weld_buf_byte(o, 0x41);
        weld_buf_s32leb(o, (int32_t)i);
        weld_buf_byte(o, 0x11);
        weld_buf_u32leb(o, i);
        weld_buf_byte(o, 0x00);
        weld_buf_byte(o, 0x0b);
        weld_buf_size_end(o, fpos);
    }
    weld_buf_size_end(o, pos);
}

/* The fixup: imports the shim's table and the real functions, and fills the table. */
static void fixup_module(weld_buf *o, const weld_functype *const *types, uint32_t n)
{
    char name[16];
    weld_buf_append(o, core_preamble, 8);
    put_types(o, types, n);
    weld_buf_byte(o, 2);
    size_t pos = weld_buf_size_begin(o);
    weld_buf_u32leb(o, n + 1);
    weld_buf_name(o, "", 0);
    weld_buf_name(o, "$imports", 8);
    weld_buf_byte(o, WELD_EXTERN_TABLE);
    put_table_type(o, n);
    for (uint32_t i = 0; i < n; i++) {
        int k = snprintf(name, sizeof name, "%u", i);
        weld_buf_name(o, "", 0);
        weld_buf_name(o, name, (size_t)k);
        weld_buf_byte(o, WELD_EXTERN_FUNC);
        weld_buf_u32leb(o, i);
    }
    weld_buf_size_end(o, pos);
    weld_buf_byte(o, 9);
    pos = weld_buf_size_begin(o);
    weld_buf_u32leb(o, 1);
    weld_buf_byte(o, 0x00);
    weld_buf_byte(o, 0x41);
    weld_buf_byte(o, 0x00);
    weld_buf_byte(o, 0x0b);
    weld_buf_u32leb(o, n);
    for (uint32_t i = 0; i < n; i++) weld_buf_u32leb(o, i);
    weld_buf_size_end(o, pos);
}

/* A module whose start function calls the imported `_initialize`. */
static void init_module(weld_buf *o)
{
    static const weld_functype unit = {0, 0, NULL, NULL};
    const weld_functype *t = &unit;
    weld_buf_append(o, core_preamble, 8);
    put_types(o, &t, 1);
    weld_buf_byte(o, 2);
    size_t pos = weld_buf_size_begin(o);
    weld_buf_u32leb(o, 1);
    weld_buf_name(o, "", 0);
    weld_buf_name(o, "_initialize", 11);
    weld_buf_byte(o, WELD_EXTERN_FUNC);
    weld_buf_u32leb(o, 0);
    weld_buf_size_end(o, pos);
    weld_buf_byte(o, 8);
    weld_buf_byte(o, 1);
    weld_buf_byte(o, 0);
}

static const uint8_t *buf_to_arena(bld *b, weld_buf *o, size_t *len)
{
    uint8_t *p = NULL;
    if (!o->oom) p = bzalloc(b, o->len);
    if (p) memcpy(p, o->data, o->len);
    else b->oom = true;
    *len = o->len;
    weld_buf_free(o);
    return p;
}

/* ---- matching the module to the world ------------------------------------------------ */

typedef struct lower {
    uint32_t imp;              /* core import index */
    bool drop;                 /* [resource-drop]: canon resource.drop */
    bool indirect;             /* lowered after the main instance, through the shim */
    bool dup;                  /* same module and name as an earlier import */
    uint32_t item;             /* world import item */
    const weld_wit_func *fn;
    const char *resname;
    nc_sig sig;
    uint32_t core_func;
    uint32_t shim_slot;
    uint8_t mod;               /* 0: the main module's import, 1: the adapter's */
    uint32_t res_id;           /* [resource-drop]: the resource's type id */
    bool root_res;             /* [resource-drop] of a resource the world itself imports */
    bool p1;                   /* the main module's import of an adapter function */
    uint8_t exp_op;            /* [export] intrinsics: canon resource.new 0x02 / drop 0x03 / rep 0x04 */
    uint32_t exp_res;          /* ... of this exported resource */
} lower;

/* A resource defined by an exported interface: a resource type of the component. */
typedef struct exp_resource {
    uint32_t item;             /* world export item */
    const char *name;
    int dtor_export;           /* core export index of `KEY#[dtor]name`, or -1 */
    uint32_t shim_slot;        /* the destructor's slot in the shim */
    uint32_t type;             /* its top-level type index */
} exp_resource;

typedef struct nc nc;
struct nc {
    bool ignore_extra_exports; /* opts->ignore_extra_exports */
    weld_arena *a;
    weld_diag *d;
    const weld_wit_resolve *r;
    weld_wit_resolve *rw;      /* the same, writable: imports are pruned to those used */
    uint32_t world;
    const weld_module *m;
    weld_strenc enc;
    bld top;
    const weld_ctype **wtypes; /* world-type index -> its definition (NULL: alias/import) */
    uint32_t nwtypes;
    uint32_t *import_index;    /* world import item -> top instance/func index */
    uint32_t *type_import;     /* world import item of kind type -> its top type index */
    uint32_t *export_type;     /* world export item -> its type index */
    lower *lowers;
    uint32_t nlowers;
    bool *export_used;
    uint32_t main_inst;
    uint32_t memory, realloc_lift, realloc_lower;
    bool has_memory, has_realloc_lift, has_realloc_lower;
    bool *is_res;              /* top type index -> is a resource (aliased from an import) */
    uint32_t nres;
    const weld_ctype **inst_type; /* top instance index -> its instance type */
    uint32_t *alias_inst;         /* top type index -> the instance it is aliased from */
    const char **alias_name;      /* ... and the export's name (NULL when not an alias) */
    uint64_t imp_off, exp_off;    /* the import and export sections, for diagnostics */
    exp_resource *eres;
    uint32_t neres;
    /* the preview1 adapter, when one is fused */
    const char *ad_name;
    const weld_module *am;      /* the trimmed adapter */
    const uint8_t *ad_bytes;
    size_t ad_len;
    uint32_t ad_inst, ad_realloc;
    bool has_ad_realloc;
    uint32_t nmain_exports;     /* world exports from here on are the adapter's */
    bool lifting_adapter;       /* lift() takes the adapter's exports */
};

/* Is `name` a resource (an export bounded `sub resource`) of imported instance `inst`? */
static bool instance_export_is_resource(const nc *x, uint32_t inst, weld_str name);

#define NC_OOM(x) weld_diag_set((x)->d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while building the component")

static const char *world_label(nc *x)
{
    const weld_wit_world *w = &x->r->worlds[x->world];
    return w->name ? w->name : "?";
}

static void iface_key(const weld_wit_resolve *r, const weld_wit_world_item *it, char *buf, size_t cap)
{
    if (it->name) {
        snprintf(buf, cap, "%s", it->name);
        return;
    }
    const weld_wit_interface *i = &r->interfaces[it->id];
    if (i->package < r->npackages) {
        const weld_wit_package *p = &r->packages[i->package];
        snprintf(buf, cap, "%s:%s/%s%s%s", p->ns, p->name, i->name ? i->name : "", p->version ? "@" : "",
                 p->version ? p->version : "");
    } else {
        snprintf(buf, cap, "%s", i->name ? i->name : "");
    }
}

/* `want` (a core import module name) names interface `have` (ns:pkg/name@version) at a
 * semver-compatible version: the same major (for 0.x, the same minor). */
static bool key_matches(const char *have, const char *want)
{
    if (strcmp(have, want) == 0) return true;
    const char *ha = strchr(have, '@'), *wa = strchr(want, '@');
    if (!ha || !wa || ha - have != wa - want || memcmp(have, want, (size_t)(ha - have)) != 0) return false;
    unsigned hm = 0, hn = 0, wm = 0, wn = 0;
    int hk = sscanf(ha + 1, "%u.%u", &hm, &hn), wk = sscanf(wa + 1, "%u.%u", &wm, &wn);
    if (hk < 1 || wk < 1) return false;
    /* `@1` names 1.x.y; `@0.2` names 0.2.z */
    return hm == wm && (hm != 0 || (hk == 2 && wk == 2 && hn == wn));
}

static int find_export(const weld_module *m, const char *name)
{
    for (uint32_t i = 0; i < m->nexports; i++)
        if (m->exports[i].name.len == strlen(name) && memcmp(m->exports[i].name.ptr, name, m->exports[i].name.len) == 0)
            return (int)i;
    return -1;
}

/* The newer name of an interface's item, `cm32p2|KEY|item`, with KEY's version as given
 * or abbreviated (`@1` for 1.x.y, `@0.2` for 0.2.z); its export index or -1. */
static int find_cm_export(const weld_module *m, const char *key, const char *item, char *buf, size_t cap)
{
    snprintf(buf, cap, "cm32p2|%s|%s", key, item);
    int e = find_export(m, buf);
    const char *at = strchr(key, '@');
    unsigned maj = 0, min = 0;
    if (e < 0 && at && sscanf(at + 1, "%u.%u", &maj, &min) == 2) {
        if (maj) snprintf(buf, cap, "cm32p2|%.*s@%u|%s", (int)(at - key), key, maj, item);
        else snprintf(buf, cap, "cm32p2|%.*s@0.%u|%s", (int)(at - key), key, min, item);
        e = find_export(m, buf);
    }
    return e;
}

static bool str_eq(weld_str s, const char *z)
{
    return s.len == strlen(z) && memcmp(s.ptr, z, s.len) == 0;
}

static const weld_functype *func_type_of_import(const weld_module *m, uint32_t i)
{
    uint32_t t = m->imports[i].type.u.func;
    return t < m->ntypes ? &m->types[t] : NULL;
}

static const weld_functype *func_type_of_func(const weld_module *m, uint32_t f)
{
    if (f < m->nimported_funcs) {
        for (uint32_t i = 0, k = 0; i < m->nimports; i++) {
            if (m->imports[i].type.kind != WELD_EXTERN_FUNC) continue;
            if (k++ == f) return func_type_of_import(m, i);
        }
        return NULL;
    }
    f -= m->nimported_funcs;
    if (f >= m->nfuncs || m->func_types[f] >= m->ntypes) return NULL;
    return &m->types[m->func_types[f]];
}

static weld_status sig_mismatch(nc *x, const char *what, const char *name, const char *witname, const nc_sig *s,
                                const weld_functype *ft, uint64_t off)
{
    char want[256], have[256];
    nc_sig_text(s, want, sizeof want);
    nc_functype_text(ft->params, ft->nparams, ft->results, ft->nresults, have, sizeof have);
    return weld_diag_set(x->d, WELD_ERR_INVALID, off, "core %s `%s` has type %s, but `%s` of world `%s` needs %s", what,
                         name, have, witname, world_label(x), want);
}

/* The resources exported interfaces define. */
static weld_status collect_exported_resources(nc *x)
{
    const weld_wit_world *w = &x->r->worlds[x->world];
    uint32_t n = 0;
    for (uint32_t i = 0; i < w->nexports; i++)
        if (w->exports[i].kind == WELD_WIT_ITEM_INTERFACE) n += x->r->interfaces[w->exports[i].id].ntypes;
    x->eres = weld_arena_alloc(x->a, sizeof *x->eres * (n + 1));
    if (!x->eres) return NC_OOM(x);
    for (uint32_t i = 0; i < w->nexports; i++) {
        const weld_wit_world_item *it = &w->exports[i];
        if (it->kind != WELD_WIT_ITEM_INTERFACE) continue;
        const weld_wit_interface *ifc = &x->r->interfaces[it->id];
        char key[400], dtor[900];
        iface_key(x->r, it, key, sizeof key);
        for (uint32_t t = 0; t < ifc->ntypes; t++) {
            if (x->r->types[ifc->types[t].id].kind != WELD_WIT_RESOURCE) continue;
            exp_resource *e = &x->eres[x->neres++];
            memset(e, 0, sizeof *e);
            e->item = i;
            e->name = ifc->types[t].name;
            snprintf(dtor, sizeof dtor, "%s#[dtor]%s", key, e->name);
            e->dtor_export = find_export(x->m, dtor);
            if (e->dtor_export < 0) {
                char item[300];
                snprintf(item, sizeof item, "%s_dtor", e->name);
                e->dtor_export = find_cm_export(x->m, key, item, dtor, sizeof dtor);
            }
            if (e->dtor_export >= 0) {
                const weld_export *ex = &x->m->exports[e->dtor_export];
                const weld_functype *ft = ex->kind == WELD_EXTERN_FUNC ? func_type_of_func(x->m, ex->index) : NULL;
                if (!ft || ft->nparams != 1 || ft->params[0] != WELD_I32 || ft->nresults != 0)
                    return weld_diag_set(x->d, WELD_ERR_INVALID, x->exp_off,
                                         "core export `%s` must be a function of type (func (param i32))", dtor);
            }
        }
    }
    return WELD_OK;
}

/* `[export]KEY` `[resource-new|rep|drop]R`: an intrinsic of an exported resource. */
static bool match_export_intrinsic(nc *x, lower *lw, const char *mod, const char *nm)
{
    static const struct { const char *prefix; uint8_t op; } ops[] = {
        {"[resource-new]", 0x02}, {"[resource-drop]", 0x03}, {"[resource-rep]", 0x04}};
    const weld_wit_world *w = &x->r->worlds[x->world];
    if (strncmp(mod, "[export]", 8) != 0) return false;
    for (uint32_t k = 0; k < 3; k++) {
        size_t pl = strlen(ops[k].prefix);
        if (strncmp(nm, ops[k].prefix, pl) != 0) continue;
        for (uint32_t e = 0; e < x->neres; e++) {
            char key[400];
            iface_key(x->r, &w->exports[x->eres[e].item], key, sizeof key);
            if (key_matches(key, mod + 8) && strcmp(x->eres[e].name, nm + pl) == 0) {
                lw->exp_op = ops[k].op;
                lw->exp_res = e;
                lw->resname = x->eres[e].name;
                return true;
            }
        }
    }
    return false;
}

/* Match the core module's function imports to the world's imports. */
static weld_status match_imports(nc *x, const weld_module *m, uint8_t modid)
{
    const weld_wit_world *w = &x->r->worlds[x->world];
    uint32_t first = x->nlowers;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const weld_import *im = &m->imports[i];
        const char *mod = im->module.ptr, *nm = im->name.ptr;
        if (modid == 1 && (strcmp(mod, "env") == 0 || strcmp(mod, "__main_module__") == 0)) continue;
        if (modid == 0 && x->ad_name && strcmp(mod, x->ad_name) == 0) {
            if (im->type.kind != WELD_EXTERN_FUNC)
                return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, x->imp_off, "core import `%s` `%s` is not a function", mod, nm);
            int e = find_export(x->am, nm);
            const weld_functype *at = e >= 0 && x->am->exports[e].kind == WELD_EXTERN_FUNC
                                          ? func_type_of_func(x->am, x->am->exports[e].index) : NULL;
            const weld_functype *ft = func_type_of_import(m, i);
            if (!at)
                return weld_diag_set(x->d, WELD_ERR_LINK, x->imp_off, "core import `%s` `%s`: the adapter exports no function `%s`",
                                     mod, nm, nm);
            bool same = ft && at->nparams == ft->nparams && at->nresults == ft->nresults &&
                        (!ft->nparams || memcmp(at->params, ft->params, ft->nparams) == 0) &&
                        (!ft->nresults || memcmp(at->results, ft->results, ft->nresults) == 0);
            if (!same) {
                char want[256], have[256];
                nc_functype_text(at->params, at->nparams, at->results, at->nresults, want, sizeof want);
                if (ft) nc_functype_text(ft->params, ft->nparams, ft->results, ft->nresults, have, sizeof have);
                else snprintf(have, sizeof have, "?");
                return weld_diag_set(x->d, WELD_ERR_LINK, x->imp_off,
                                     "core import `%s` `%s` has type %s, but the adapter's `%s` has type %s", mod, nm, have, nm, want);
            }
            lower *lw = &x->lowers[x->nlowers];
            memset(lw, 0, sizeof *lw);
            lw->imp = i;
            lw->mod = modid;
            lw->p1 = true;
            lw->indirect = true;
            for (uint32_t p = first; p < x->nlowers; p++)
                if (str_eq(m->imports[x->lowers[p].imp].module, mod) && str_eq(m->imports[x->lowers[p].imp].name, nm)) lw->dup = true;
            x->nlowers++;
            continue;
        }
        if (im->type.kind != WELD_EXTERN_FUNC)
            return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, x->imp_off,
                                 "core import `%s` `%s` is not a function; weld new lowers only function imports",
                                 mod, nm);
        lower *lw = &x->lowers[x->nlowers];
        memset(lw, 0, sizeof *lw);
        lw->imp = i;
        lw->mod = modid;
        bool found = false;
        /* the newer names: `cm32p2|ns:pkg/iface@v` and `cm32p2` for the world's own,
         * `cm32p2|_ex_KEY` for the intrinsics of exported resources, `R_drop`, `R_new`,
         * `R_rep` for [resource-drop]R, [resource-new]R, [resource-rep]R */
        char cmod[600], cnm[400];
        if (strcmp(mod, "cm32p2") == 0) {
            mod = "$root";
            size_t nl = strlen(nm);
            if (nl > 5 && strcmp(nm + nl - 5, "_drop") == 0) {
                snprintf(cnm, sizeof cnm, "[resource-drop]%.*s", (int)(nl - 5), nm);
                nm = cnm;
            }
        } else if (strncmp(mod, "cm32p2|", 7) == 0) {
            bool ex = strncmp(mod + 7, "_ex_", 4) == 0;
            snprintf(cmod, sizeof cmod, "%s%s", ex ? "[export]" : "", mod + 7 + (ex ? 4 : 0));
            mod = cmod;
            static const struct { const char *suffix, *prefix; } intr[] = {
                {"_drop", "[resource-drop]"}, {"_new", "[resource-new]"}, {"_rep", "[resource-rep]"}};
            size_t nl = strlen(nm);
            for (uint32_t k = 0; k < 3; k++) {
                size_t sl = strlen(intr[k].suffix);
                if (nl > sl && strcmp(nm + nl - sl, intr[k].suffix) == 0 && (ex || k == 0)) {
                    snprintf(cnm, sizeof cnm, "%s%.*s", intr[k].prefix, (int)(nl - sl), nm);
                    nm = cnm;
                    break;
                }
            }
        }
        if (modid == 0 && match_export_intrinsic(x, lw, mod, nm)) {
            found = true;
        } else if (strcmp(mod, "$root") == 0) {
            for (uint32_t k = 0; k < w->nimports && !found; k++)
                if (w->imports[k].kind == WELD_WIT_ITEM_FUNC && strcmp(w->imports[k].name, nm) == 0) {
                    lw->item = k;
                    lw->fn = &w->imports[k].func;
                    found = true;
                }
            /* a resource defined at world level: its drop */
            for (uint32_t k = 0; k < w->nimports && !found && strncmp(nm, "[resource-drop]", 15) == 0; k++) {
                const weld_wit_world_item *it = &w->imports[k];
                if (it->kind != WELD_WIT_ITEM_TYPE || strcmp(it->name, nm + 15) != 0) continue;
                if (it->id >= x->r->ntypes || x->r->types[it->id].kind != WELD_WIT_RESOURCE) continue;
                lw->item = k;
                lw->drop = true;
                lw->root_res = true;
                lw->resname = it->name;
                lw->res_id = it->id;
                found = true;
            }
        } else {
            for (uint32_t k = 0; k < w->nimports && !found; k++) {
                const weld_wit_world_item *it = &w->imports[k];
                if (it->kind != WELD_WIT_ITEM_INTERFACE) continue;
                char key[400];
                iface_key(x->r, it, key, sizeof key);
                if (!key_matches(key, mod)) continue;
                const weld_wit_interface *ifc = &x->r->interfaces[it->id];
                for (uint32_t f = 0; f < ifc->nfuncs && !found; f++)
                    if (strcmp(ifc->funcs[f].name, nm) == 0) {
                        lw->item = k;
                        lw->fn = &ifc->funcs[f];
                        found = true;
                    }
                if (!found && strncmp(nm, "[resource-drop]", 15) == 0) {
                    for (uint32_t t = 0; t < ifc->ntypes && !found; t++) {
                        const weld_wit_typedef *td = &x->r->types[ifc->types[t].id];
                        if (td->kind == WELD_WIT_RESOURCE && strcmp(ifc->types[t].name, nm + 15) == 0) {
                            lw->item = k;
                            lw->drop = true;
                            lw->resname = ifc->types[t].name;
                            lw->res_id = ifc->types[t].id;
                            found = true;
                        }
                    }
                }
                if (!found)
                    return weld_diag_set(x->d, WELD_ERR_LINK, x->imp_off,
                                         "core import `%s` `%s`: interface `%s` of world `%s` has no function `%s`",
                                         mod, nm, key, world_label(x), nm);
            }
        }
        if (!found) {
            if (strncmp(mod, "[export]", 8) == 0)
                return weld_diag_set(x->d, WELD_ERR_LINK, x->imp_off,
                                     "core import `%s` `%s` names no resource of an interface world `%s` exports",
                                     mod, nm, world_label(x));
            bool p1 = strcmp(mod, "wasi_snapshot_preview1") == 0 || strcmp(mod, "wasi_unstable") == 0;
            return weld_diag_set(x->d, WELD_ERR_LINK, x->imp_off,
                                 "core import `%s` `%s` matches nothing that world `%s` imports%s", mod, nm,
                                 world_label(x), p1 ? " (a WASI preview1 import: fuse a preview1 adapter)" : "");
        }
        char full[1100];
        snprintf(full, sizeof full, "%s` `%s", mod, nm);
        const weld_functype *ft = func_type_of_import(m, i);
        if (!ft) return weld_diag_set(x->d, WELD_ERR_MALFORMED, x->imp_off, "core import `%s` `%s` has no type", mod, nm);
        if (lw->drop || lw->exp_op) {
            bool has_result = lw->exp_op == 0x02 || lw->exp_op == 0x04;
            if (ft->nparams != 1 || ft->params[0] != WELD_I32 || ft->nresults != (has_result ? 1u : 0u) ||
                (has_result && ft->results[0] != WELD_I32)) {
                nc_sig s;
                memset(&s, 0, sizeof s);
                s.params.n = 1;
                s.params.v[0] = WELD_I32;
                s.results.n = has_result ? 1 : 0;
                s.results.v[0] = WELD_I32;
                return sig_mismatch(x, "import", full, nm, &s, ft, x->imp_off);
            }
        } else {
            nc_func_sig(x->r, lw->fn, true, &lw->sig);
            if (!nc_sig_matches(&lw->sig, ft)) return sig_mismatch(x, "import", full, lw->fn->name, &lw->sig, ft, x->imp_off);
            lw->indirect = lw->sig.memory || lw->sig.realloc;
        }
        for (uint32_t p = first; p < x->nlowers; p++) {
            const weld_import *o = &m->imports[x->lowers[p].imp];
            if (str_eq(o->module, mod) && str_eq(o->name, nm)) lw->dup = true;
        }
        x->nlowers++;
    }
    return WELD_OK;
}

/* Whether core export name `n` could name something a world exports: an interface's
 * function (`...#f`), a cm32p2 name, an annotated name (`[method]r.m`) or a plain
 * kebab-case name. Anything else (`syscall.seek`, `output_ptr`, which TinyGo and Go
 * modules export for their own hosts) names no world item and is left alone, as
 * wit-component leaves it. */
static bool world_item_name(const char *n)
{
    if (strchr(n, '#') || strchr(n, '|') || n[0] == '[') return true;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    return true;
}

/* Core exports that name no world export are errors, but for the ABI's own (and all
 * are left alone with ignore_extra_exports). */
static weld_status check_exports(nc *x)
{
    const weld_module *m = x->m;
    if (x->ignore_extra_exports) return WELD_OK;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const weld_export *e = &m->exports[i];
        if (e->kind != WELD_EXTERN_FUNC || x->export_used[i]) continue;
        const char *n = e->name.ptr;
        if (strcmp(n, "cabi_realloc") == 0 || strcmp(n, "cabi_import_realloc") == 0 ||
            strcmp(n, "cabi_export_realloc") == 0 || strcmp(n, "_initialize") == 0 || strncmp(n, "cabi_post_", 10) == 0 ||
            strcmp(n, "cm32p2_realloc") == 0 || strcmp(n, "cm32p2_initialize") == 0 ||
            strncmp(n, "cabi_", 5) == 0 || !world_item_name(n))
            continue;
        return weld_diag_set(x->d, WELD_ERR_LINK, x->exp_off, "core export `%s` matches nothing that world `%s` exports",
                             n, world_label(x));
    }
    return WELD_OK;
}

/* ---- pruning the world's imports to those the module uses ---------------------------
 * As wit-component does: an imported interface stays when the module calls one of its
 * functions or when a kept item uses its types; of its functions only those called stay. */

static void need_type(const weld_wit_resolve *r, weld_wit_tref t, bool *need_iface, bool *seen, int depth)
{
    if (!WELD_WIT_IS_ID(t) || WELD_WIT_ID(t) >= r->ntypes || depth > 100) return;
    uint32_t id = WELD_WIT_ID(t);
    if (seen[id]) return;
    seen[id] = true;
    const weld_wit_typedef *td = &r->types[id];
    if (td->owner_kind == WELD_WIT_OWNER_INTERFACE && td->owner < r->ninterfaces) need_iface[td->owner] = true;
    need_type(r, td->a, need_iface, seen, depth + 1);
    need_type(r, td->b, need_iface, seen, depth + 1);
    for (uint32_t i = 0; i < td->nfields; i++) need_type(r, td->fields[i].type, need_iface, seen, depth + 1);
}

static void need_func(const weld_wit_resolve *r, const weld_wit_func *f, bool *need_iface, bool *seen)
{
    for (uint32_t i = 0; i < f->nparams; i++) need_type(r, f->params[i].type, need_iface, seen, 0);
    need_type(r, f->result, need_iface, seen, 0);
}

static void need_interface(const weld_wit_resolve *r, uint32_t id, bool *need_iface, bool *seen)
{
    const weld_wit_interface *ifc = &r->interfaces[id];
    for (uint32_t i = 0; i < ifc->ntypes; i++) need_type(r, WELD_WIT_TREF(ifc->types[i].id), need_iface, seen, 0);
}

static weld_status prune_imports(nc *x)
{
    weld_wit_resolve *r = x->rw;
    weld_wit_world *w = &r->worlds[x->world];
    uint32_t ni = r->ninterfaces, nt = r->ntypes;
    bool *need = weld_arena_alloc(x->a, ni + 1), *done = weld_arena_alloc(x->a, ni + 1);
    bool *seen = weld_arena_alloc(x->a, nt + 1), *used = weld_arena_alloc(x->a, w->nimports + 1);
    uint32_t *newidx = weld_arena_alloc(x->a, sizeof *newidx * (w->nimports + 1));
    weld_wit_world_item *items = weld_arena_alloc(x->a, sizeof *items * (w->nimports + 1));
    if (!need || !done || !seen || !used || !newidx || !items) return NC_OOM(x);
    memset(need, 0, ni + 1);
    memset(done, 0, ni + 1);
    memset(seen, 0, nt + 1);
    memset(used, 0, w->nimports + 1);
    for (uint32_t i = 0; i < x->nlowers; i++) {
        if (x->lowers[i].exp_op || x->lowers[i].p1) continue;
        used[x->lowers[i].item] = true;
        if (x->lowers[i].fn) need_func(r, x->lowers[i].fn, need, seen);
        if (x->lowers[i].drop) need_type(r, WELD_WIT_TREF(x->lowers[i].res_id), need, seen, 0);
    }
    for (uint32_t i = 0; i < w->nexports; i++) {
        const weld_wit_world_item *it = &w->exports[i];
        if (it->kind == WELD_WIT_ITEM_FUNC) need_func(r, &it->func, need, seen);
        else if (it->kind == WELD_WIT_ITEM_INTERFACE) {
            need_interface(r, it->id, need, seen);
            const weld_wit_interface *ifc = &r->interfaces[it->id];
            for (uint32_t f = 0; f < ifc->nfuncs; f++) need_func(r, &ifc->funcs[f], need, seen);
        } else {
            need_type(r, WELD_WIT_TREF(it->id), need, seen, 0);
        }
    }
    for (uint32_t i = 0; i < w->nimports; i++)
        if (used[i] && w->imports[i].kind == WELD_WIT_ITEM_INTERFACE) need[w->imports[i].id] = true;
    (void)done;
    uint32_t n = 0;
    for (uint32_t i = 0; i < w->nimports; i++) {
        const weld_wit_world_item *it = &w->imports[i];
        bool keep = it->kind == WELD_WIT_ITEM_FUNC ? used[i]
                  : it->kind == WELD_WIT_ITEM_INTERFACE ? need[it->id]
                  : true;
        newidx[i] = UINT32_MAX;
        if (!keep) continue;
        newidx[i] = n;
        items[n++] = *it;
        if (it->kind != WELD_WIT_ITEM_INTERFACE) continue;
        weld_wit_interface *ifc = &r->interfaces[it->id];
        weld_wit_func *funcs = weld_arena_alloc(x->a, sizeof *funcs * (ifc->nfuncs + 1));
        if (!funcs) return NC_OOM(x);
        uint32_t nf = 0;
        for (uint32_t f = 0; f < ifc->nfuncs; f++) {
            bool called = false;
            for (uint32_t k = 0; k < x->nlowers && !called; k++)
                if (!x->lowers[k].exp_op && !x->lowers[k].p1 && x->lowers[k].item == i && x->lowers[k].fn && strcmp(x->lowers[k].fn->name, ifc->funcs[f].name) == 0)
                    called = true;
            if (called) funcs[nf++] = ifc->funcs[f];
        }
        ifc->funcs = funcs;
        ifc->nfuncs = nf;
        /* and of its types those the kept functions and the exports use */
        weld_wit_named *types = weld_arena_alloc(x->a, sizeof *types * (ifc->ntypes + 1));
        if (!types) return NC_OOM(x);
        uint32_t nt2 = 0;
        for (uint32_t t = 0; t < ifc->ntypes; t++)
            if (ifc->types[t].id < nt && seen[ifc->types[t].id]) types[nt2++] = ifc->types[t];
        ifc->types = types;
        ifc->ntypes = nt2;
    }
    for (uint32_t k = 0; k < x->nlowers; k++) {
        if (x->lowers[k].exp_op || x->lowers[k].p1) continue;
        x->lowers[k].item = newidx[x->lowers[k].item];
        if (x->lowers[k].fn && items[x->lowers[k].item].kind == WELD_WIT_ITEM_FUNC) x->lowers[k].fn = &items[x->lowers[k].item].func;
    }
    w->imports = items;
    w->nimports = n;
    return WELD_OK;
}

/* ---- the component -------------------------------------------------------------- */

static bool instance_export_is_resource(const nc *x, uint32_t inst, weld_str name)
{
    if (inst >= x->nres || !x->inst_type[inst]) return false;
    const weld_ctype *t = x->inst_type[inst];
    if (t->kind != WELD_CT_INSTANCE) return false;
    for (uint32_t i = 0; i < t->u.decls.count; i++) {
        const weld_cdecl *dc = &t->u.decls.decls[i];
        if (dc->kind == WELD_DECL_EXPORT && dc->u.ext.type.kind == WELD_EXT_TYPE && dc->u.ext.name.name.len == name.len &&
            memcmp(dc->u.ext.name.name.ptr, name.ptr, name.len) == 0)
            return dc->u.ext.type.bound == 0x01;
    }
    return false;
}

static weld_status replay_world(nc *x, const weld_ctype *wt)
{
    bld *b = &x->top;
    const weld_wit_world *w = &x->r->worlds[x->world];
    uint32_t nd = wt->u.decls.count;
    x->wtypes = weld_arena_alloc(x->a, sizeof *x->wtypes * (nd + 1));
    x->import_index = weld_arena_alloc(x->a, sizeof *x->import_index * (w->nimports + 1));
    x->type_import = weld_arena_alloc(x->a, sizeof *x->type_import * (w->nimports + 1));
    if (!x->type_import) return NC_OOM(x);
    memset(x->type_import, 0, sizeof *x->type_import * (w->nimports + 1));
    x->export_type = weld_arena_alloc(x->a, sizeof *x->export_type * (w->nexports + 1));
    x->alias_inst = weld_arena_alloc(x->a, sizeof *x->alias_inst * (nd + 1));
    x->alias_name = weld_arena_alloc(x->a, sizeof *x->alias_name * (nd + 1));
    if (!x->alias_inst || !x->alias_name) return NC_OOM(x);
    memset(x->alias_name, 0, sizeof *x->alias_name * (nd + 1));
    x->is_res = weld_arena_alloc(x->a, sizeof *x->is_res * (nd + 1));
    x->inst_type = weld_arena_alloc(x->a, sizeof *x->inst_type * (nd + 1));
    if (!x->wtypes || !x->import_index || !x->export_type || !x->is_res || !x->inst_type) return NC_OOM(x);
    memset(x->is_res, 0, sizeof *x->is_res * (nd + 1));
    memset(x->wtypes, 0, sizeof *x->wtypes * (nd + 1));
    x->nres = nd;
    uint32_t ki = 0, ke = 0;
    for (uint32_t i = 0; i < nd; i++) {
        const weld_cdecl *dc = &wt->u.decls.decls[i];
        switch (dc->kind) {
        case WELD_DECL_TYPE: {
            uint32_t idx = b_type(b, dc->u.type);
            if (idx < nd) x->wtypes[idx] = dc->u.type;
            x->nwtypes = b->ntypes;
            break;
        }
        case WELD_DECL_ALIAS:
            if (dc->u.alias.tag == 0x00 && dc->u.alias.instance >= b->ninstances)
                return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET,
                                     "world `%s`: an export using a type of another export is not supported yet",
                                     world_label(x));
            {
                bool res = false;
                const weld_alias *al = &dc->u.alias;
                if (al->tag == 0x00 && al->sort.sort == WELD_SORT_TYPE) res = instance_export_is_resource(x, al->instance, al->name);
                uint32_t idx = b_alias(b, al);
                if (idx < nd && res) x->is_res[idx] = true;
                if (idx < nd && al->tag == 0x00 && al->sort.sort == WELD_SORT_TYPE) {
                    x->alias_inst[idx] = al->instance;
                    x->alias_name[idx] = al->name.ptr;
                }
                if (dc->u.alias.sort.sort == WELD_SORT_TYPE && idx < nd) x->wtypes[idx] = NULL;
                x->nwtypes = b->ntypes;
            }
            break;
        case WELD_DECL_IMPORT: {
            uint32_t idx = b_import(b, dc->u.ext.name.name, dc->u.ext.type);
            if (dc->u.ext.type.kind == WELD_EXT_INSTANCE && idx < nd)
                x->inst_type[idx] = dc->u.ext.type.index < nd ? x->wtypes[dc->u.ext.type.index] : NULL;
            if (dc->u.ext.type.kind != WELD_EXT_TYPE) { /* world-level types are type imports, not items */
                while (ki < w->nimports && w->imports[ki].kind == WELD_WIT_ITEM_TYPE) ki++;
                if (ki < w->nimports) x->import_index[ki++] = idx;
            } else {
                for (uint32_t k = 0; k < w->nimports; k++)
                    if (w->imports[k].kind == WELD_WIT_ITEM_TYPE && str_eq(dc->u.ext.name.name, w->imports[k].name))
                        x->type_import[k] = idx;
            }
            x->nwtypes = b->ntypes;
            break;
        }
        case WELD_DECL_EXPORT:
            while (ke < w->nexports && w->exports[ke].kind == WELD_WIT_ITEM_TYPE) ke++;
            if (ke < w->nexports) x->export_type[ke++] = dc->u.ext.type.index;
            break;
        default:
            return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "world `%s`: unexpected declaration",
                                 world_label(x));
        }
    }
    return b->oom ? NC_OOM(x) : WELD_OK;
}

static weld_canonopt *opts_for_realloc(nc *x, const nc_sig *s, uint32_t realloc, uint32_t *n, weld_canonopt *o)
{
    *n = 0;
    if (s->memory) {
        o[(*n)++] = (weld_canonopt){(uint8_t)x->enc, 0};
        o[(*n)++] = (weld_canonopt){3, x->memory};
    }
    if (s->realloc) o[(*n)++] = (weld_canonopt){4, realloc};
    return o;
}

static weld_canonopt *opts_for(nc *x, const nc_sig *s, bool lift, int post, uint32_t *n, weld_canonopt *o)
{
    *n = 0;
    if (s->memory) {
        o[(*n)++] = (weld_canonopt){(uint8_t)x->enc, 0};
        o[(*n)++] = (weld_canonopt){3, x->memory};
    }
    if (s->realloc) o[(*n)++] = (weld_canonopt){4, lift ? x->realloc_lift : x->realloc_lower};
    if (post >= 0) o[(*n)++] = (weld_canonopt){5, (uint32_t)post};
    return o;
}

static weld_status need_abi(nc *x, const nc_sig *s, bool lift, const char *what)
{
    if (s->memory && !x->has_memory)
        return weld_diag_set(x->d, WELD_ERR_LINK, WELD_NO_OFFSET,
                             "`%s` passes strings, lists or spilled values: the core module must export `memory`", what);
    if (s->realloc && !(lift ? x->has_realloc_lift : x->has_realloc_lower))
        return weld_diag_set(x->d, WELD_ERR_LINK, WELD_NO_OFFSET,
                             "`%s` needs a realloc: the core module must export `cabi_realloc` (func (param i32 i32 i32 i32) (result i32))",
                             what);
    return WELD_OK;
}

/* Lift core export `name` as a function of type `type` (a top-level index). */
static weld_status lift(nc *x, const char *name, const weld_wit_func *fn, uint32_t type, uint32_t *out)
{
    bld *b = &x->top;
    const weld_module *lm = x->lifting_adapter ? x->am : x->m;
    uint32_t linst = x->lifting_adapter ? x->ad_inst : x->main_inst;
    int e = find_export(lm, name);
    char alt[900];
    bool cm = false;
    if (e < 0) {
        /* cm32p2||f for the world's functions, cm32p2|ns:pkg/iface@v|f for an interface's */
        const char *hash = strrchr(name, '#');
        if (hash) {
            char key[600];
            snprintf(key, sizeof key, "%.*s", (int)(hash - name), name);
            e = find_cm_export(lm, key, hash + 1, alt, sizeof alt);
        } else {
            snprintf(alt, sizeof alt, "cm32p2||%s", name);
            e = find_export(lm, alt);
        }
        if (e >= 0) {
            name = alt;
            cm = true;
        }
    }
    nc_sig s;
    nc_func_sig(x->r, fn, false, &s);
    if (e < 0 || lm->exports[e].kind != WELD_EXTERN_FUNC) {
        char want[256];
        nc_sig_text(&s, want, sizeof want);
        return weld_diag_set(x->d, WELD_ERR_LINK, x->exp_off,
                             "world `%s` exports `%s`, but the core module exports no function `%s` %s", world_label(x),
                             fn->name, name, want);
    }
    if (!x->lifting_adapter) x->export_used[e] = true;
    const weld_functype *ft = func_type_of_func(lm, lm->exports[e].index);
    if (!ft || !nc_sig_matches(&s, ft)) return sig_mismatch(x, "export", name, fn->name, &s, ft, x->exp_off);
    if (x->lifting_adapter && s.realloc) {
        if (!x->has_ad_realloc) return weld_diag_set(x->d, WELD_ERR_LINK, WELD_NO_OFFSET, "the adapter exports no `cabi_import_realloc`");
    } else {
        weld_status st = need_abi(x, &s, true, fn->name);
        if (st != WELD_OK) return st;
    }
    uint32_t core = b_core_alias(b, linst, name, WELD_CORE_SORT_FUNC);
    char post[1000];
    if (cm) snprintf(post, sizeof post, "%s_post", name);
    else snprintf(post, sizeof post, "cabi_post_%s", name);
    int pe = find_export(lm, post);
    int postf = -1;
    if (pe >= 0 && lm->exports[pe].kind == WELD_EXTERN_FUNC) {
        if (!x->lifting_adapter) x->export_used[pe] = true;
        postf = (int)b_core_alias(b, linst, post, WELD_CORE_SORT_FUNC);
    }
    weld_canonopt o[4];
    weld_canon c;
    memset(&c, 0, sizeof c);
    c.op = 0x00;
    c.a = core;
    c.b = type;
    uint32_t saved = x->realloc_lift;
    if (x->lifting_adapter) x->realloc_lift = x->ad_realloc;
    c.opts = opts_for(x, &s, true, postf, &c.nopts, o);
    x->realloc_lift = saved;
    *out = b_canon(b, &c, false);
    return b->oom ? NC_OOM(x) : WELD_OK;
}

static uint32_t b_component(bld *b, const weld_component *c)
{
    weld_csection *s = bsec(b, WELD_CSEC_COMPONENT);
    if (!s) return 0;
    s->u.component = c;
    return b->ncomponents++;
}

/* The nested component's import name for function `f` ("import-func-f",
 * "import-method-r-m", "import-constructor-r", "import-static-r-s"): a plain kebab name. */
static void shim_func_name(const char *f, char *buf, size_t cap)
{
    static const struct { const char *prefix, *kind; } kinds[] = {
        {"[method]", "method"}, {"[static]", "static"}, {"[constructor]", "constructor"}};
    for (uint32_t k = 0; k < 3; k++) {
        size_t pl = strlen(kinds[k].prefix);
        if (strncmp(f, kinds[k].prefix, pl) != 0) continue;
        int n = snprintf(buf, cap, "import-%s-%s", kinds[k].kind, f + pl);
        for (int i = 0; i < n && (size_t)i < cap; i++)
            if (buf[i] == '.') buf[i] = '-';
        return;
    }
    snprintf(buf, cap, "import-func-%s", f);
}

static const exp_resource *find_eres(const nc *x, const weld_wit_world_item *it, weld_str name)
{
    for (uint32_t e = 0; e < x->neres; e++)
        if (&x->r->worlds[x->world].exports[x->eres[e].item] == it && str_eq(name, x->eres[e].name)) return &x->eres[e];
    return NULL;
}

/* The definition of top-level type `idx` (an alias of an imported instance's type export)
 * when it refers to no other type (a record of primitives, an enum, flags, ...), else
 * NULL: such a type can be copied into a nested component as it is. */
static const weld_ctype *outer_leaf_type(nc *x, uint32_t idx)
{
    if (idx >= x->nres || !x->alias_name[idx] || x->alias_inst[idx] >= x->nres) return NULL;
    const weld_ctype *it = x->inst_type[x->alias_inst[idx]];
    if (!it || it->kind != WELD_CT_INSTANCE) return NULL;
    uint32_t nd = it->u.decls.count, k = 0;
    const weld_ctype **defs = weld_arena_alloc(x->a, sizeof *defs * (nd + 1));
    if (!defs) return NULL;
    for (uint32_t i = 0; i < nd; i++) {
        const weld_cdecl *dc = &it->u.decls.decls[i];
        bool creates = dc->kind == WELD_DECL_TYPE || (dc->kind == WELD_DECL_ALIAS && dc->u.alias.sort.sort == WELD_SORT_TYPE) ||
                       ((dc->kind == WELD_DECL_EXPORT || dc->kind == WELD_DECL_IMPORT) && dc->u.ext.type.kind == WELD_EXT_TYPE);
        if (!creates) continue;
        defs[k] = dc->kind == WELD_DECL_TYPE ? dc->u.type : NULL;
        if (dc->kind == WELD_DECL_EXPORT && dc->u.ext.type.bound == 0x00 && strcmp(dc->u.ext.name.name.ptr, x->alias_name[idx]) == 0) {
            uint32_t src = dc->u.ext.type.index;
            const weld_ctype *def = src < k ? defs[src] : NULL;
            if (!def) return NULL;
            remap none = {NULL, 0, false};
            bld scratch;
            memset(&scratch, 0, sizeof scratch);
            scratch.a = x->a;
            const weld_ctype *copy = remap_type(&scratch, def, &none);
            return copy && !none.bad ? copy : NULL;
        }
        k++;
    }
    return NULL;
}

/* An exported interface that defines resources: a nested component, laid out as
 * wit-component lays it out: first the imports (resources as `sub resource`, named types
 * as `eq` imports of local copies, functions with types over those imports), then the
 * exports (types re-exported, functions exported with types over the exported types
 * ascribed). Resources cannot be ascribed onto an instance of the root. */
static weld_status export_interface_nested(nc *x, const weld_wit_world_item *it, uint32_t tidx)
{
    bld *b = &x->top;
    char key[400];
    iface_key(x->r, it, key, sizeof key);
    const weld_ctype *t = x->wtypes[tidx];
    const weld_wit_interface *ifc = &x->r->interfaces[it->id];
    uint32_t nd = t->u.decls.count;
    uint32_t *imap = weld_arena_alloc(x->a, sizeof *imap * (nd + 1));
    uint32_t *emap = weld_arena_alloc(x->a, sizeof *emap * (nd + 1));
    uint32_t *tmap = weld_arena_alloc(x->a, sizeof *tmap * (nd + 1));
    uint32_t *fidx = weld_arena_alloc(x->a, sizeof *fidx * (nd + 1));
    weld_inst_arg *args = weld_arena_alloc(x->a, sizeof *args * (nd + 1));
    if (!imap || !emap || !tmap || !fidx || !args) return NC_OOM(x);
    bld c;
    memset(&c, 0, sizeof c);
    c.a = x->a;
    uint32_t tn = 0, nargs = 0;
    char imp[600];
    /* pass 1: the imports */
    for (uint32_t i = 0; i < nd; i++) {
        const weld_cdecl *dc = &t->u.decls.decls[i];
        remap im = {imap, tn, false}, tm = {tmap, tn, false};
        weld_cextern xt;
        memset(&xt, 0, sizeof xt);
        weld_sortidx arg = {{WELD_SORT_TYPE, 0}, 0};
        imp[0] = 0;
        if (dc->kind == WELD_DECL_TYPE) {
            const weld_ctype *ct = remap_type(&c, dc->u.type, &im);
            const weld_ctype *tt = remap_type(b, dc->u.type, &tm);
            if (!ct || !tt) return NC_OOM(x);
            if (im.bad || tm.bad)
                return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "export `%s`: a type weld new cannot copy yet", key);
            imap[tn] = b_type(&c, ct);
            tmap[tn] = b_type(b, tt);
            tn++;
            continue;
        } else if (dc->kind == WELD_DECL_ALIAS && dc->u.alias.tag == 0x02 && dc->u.alias.instance == 1 &&
                   dc->u.alias.sort.sort == WELD_SORT_TYPE) {
            uint32_t outer = dc->u.alias.index;
            snprintf(imp, sizeof imp, "import-type-%u", tn);
            xt.kind = WELD_EXT_TYPE;
            if (outer < x->nres && x->is_res[outer]) {
                xt.bound = 0x01;
            } else {
                /* a type of another interface: a copy, made nameable by an `eq` import */
                const weld_ctype *leaf = outer_leaf_type(x, outer);
                if (!leaf)
                    return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET,
                                         "export `%s`: an interface defining resources and using a type of another "
                                         "interface that refers to further types is not supported yet", key);
                xt.bound = 0x00;
                xt.index = b_type(&c, leaf);
            }
            tmap[tn] = outer;
            arg.index = outer;
        } else if (dc->kind == WELD_DECL_EXPORT && dc->u.ext.type.kind == WELD_EXT_TYPE) {
            const char *tname = dc->u.ext.name.name.ptr;
            snprintf(imp, sizeof imp, "import-type-%s", tname);
            xt.kind = WELD_EXT_TYPE;
            if (dc->u.ext.type.bound == 0x01) {
                const exp_resource *er = find_eres(x, it, dc->u.ext.name.name);
                if (!er) return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "export `%s`: resource `%s`", key, tname);
                xt.bound = 0x01;
                tmap[tn] = er->type;
            } else {
                uint32_t src = dc->u.ext.type.index;
                if (src >= tn) return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "export `%s`: bad type index", key);
                xt.bound = 0x00;
                xt.index = imap[src];
                tmap[tn] = tmap[src];
            }
            arg.index = tmap[tn];
        } else if (dc->kind == WELD_DECL_EXPORT && dc->u.ext.type.kind == WELD_EXT_FUNC) {
            uint32_t src = dc->u.ext.type.index;
            const char *fname = dc->u.ext.name.name.ptr;
            const weld_wit_func *fn = NULL;
            for (uint32_t f = 0; f < ifc->nfuncs; f++)
                if (strcmp(ifc->funcs[f].name, fname) == 0) fn = &ifc->funcs[f];
            if (!fn || src >= tn) return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "export `%s`: function `%s`", key, fname);
            char core[900];
            snprintf(core, sizeof core, "%s#%s", key, fname);
            uint32_t lf;
            weld_status st = lift(x, core, fn, tmap[src], &lf);
            if (st != WELD_OK) return st;
            shim_func_name(fname, imp, sizeof imp);
            xt.kind = WELD_EXT_FUNC;
            xt.index = imap[src];
            fidx[i] = b_import(&c, bstr(&c, imp), xt);
            memset(&args[nargs], 0, sizeof args[nargs]);
            args[nargs].name.name = bstr(b, imp);
            args[nargs].item.sort.sort = WELD_SORT_FUNC;
            args[nargs].item.index = lf;
            nargs++;
            continue;
        } else {
            return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "export `%s`: a declaration weld new cannot mirror yet",
                                 key);
        }
        imap[tn++] = b_import(&c, bstr(&c, imp), xt);
        memset(&args[nargs], 0, sizeof args[nargs]);
        args[nargs].name.name = bstr(b, imp);
        args[nargs].item = arg;
        nargs++;
    }
    /* pass 2: the exports */
    tn = 0;
    for (uint32_t i = 0; i < nd; i++) {
        const weld_cdecl *dc = &t->u.decls.decls[i];
        remap em = {emap, tn, false};
        if (dc->kind == WELD_DECL_TYPE) {
            const weld_ctype *ct = remap_type(&c, dc->u.type, &em);
            if (!ct) return NC_OOM(x);
            if (em.bad)
                return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "export `%s`: a type weld new cannot copy yet", key);
            emap[tn++] = b_type(&c, ct);
        } else if (dc->kind == WELD_DECL_ALIAS) {
            emap[tn] = imap[tn];
            tn++;
        } else if (dc->kind == WELD_DECL_EXPORT && dc->u.ext.type.kind == WELD_EXT_TYPE) {
            emap[tn] = b_export(&c, dc->u.ext.name.name.ptr, WELD_SORT_TYPE, imap[tn]);
            tn++;
        } else if (dc->kind == WELD_DECL_EXPORT && dc->u.ext.type.kind == WELD_EXT_FUNC) {
            weld_csection *es = bsec(&c, WELD_CSEC_EXPORT);
            weld_cexport *v = bzalloc(&c, sizeof *v);
            if (!es || !v) return NC_OOM(x);
            v->name.name = dc->u.ext.name.name;
            v->item.sort.sort = WELD_SORT_FUNC;
            v->item.index = fidx[i];
            v->has_type = true;
            v->type.kind = WELD_EXT_FUNC;
            v->type.index = emap[dc->u.ext.type.index];
            es->u.exports = v;
            c.nfuncs++;
        }
    }
    weld_component *cc = b_finish(&c, 1);
    if (!cc || c.oom) return NC_OOM(x);
    uint32_t comp = b_component(b, cc);
    weld_csection *s = bsec(b, WELD_CSEC_INSTANCE);
    weld_instance *in = bzalloc(b, sizeof *in);
    if (!s || !in) return NC_OOM(x);
    in->kind = 0x00;
    in->component = comp;
    in->count = nargs;
    in->items = args;
    s->u.instances = in;
    uint32_t inst = b->ninstances++;
    b_export(b, key, WELD_SORT_INSTANCE, inst);
    return b->oom ? NC_OOM(x) : WELD_OK;
}

/* An exported interface: an instance of the lifted functions and the interface's types
 * (copied to the top level, or aliased when used from an import), exported with the
 * world's instance type ascribed so that its types keep their names. */
static weld_status export_interface(nc *x, const weld_wit_world_item *it, uint32_t tidx)
{
    bld *b = &x->top;
    char key[400];
    iface_key(x->r, it, key, sizeof key);
    const weld_ctype *t = tidx < x->nwtypes ? x->wtypes[tidx] : NULL;
    if (!t || t->kind != WELD_CT_INSTANCE)
        return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "export `%s`: no instance type", key);
    for (uint32_t i = 0; i < t->u.decls.count; i++) {
        const weld_cdecl *dc = &t->u.decls.decls[i];
        if (dc->kind == WELD_DECL_EXPORT && dc->u.ext.type.kind == WELD_EXT_TYPE && dc->u.ext.type.bound == 0x01)
            return export_interface_nested(x, it, tidx);
    }
    const weld_wit_interface *ifc = &x->r->interfaces[it->id];
    uint32_t nd = t->u.decls.count;
    uint32_t *tmap = weld_arena_alloc(x->a, sizeof *tmap * (nd + 1));
    weld_inst_arg *items = weld_arena_alloc(x->a, sizeof *items * (nd + 1));
    if (!tmap || !items) return NC_OOM(x);
    uint32_t tn = 0, nitems = 0;
    for (uint32_t i = 0; i < nd; i++) {
        const weld_cdecl *dc = &t->u.decls.decls[i];
        remap tm = {tmap, tn, false};
        if (dc->kind == WELD_DECL_TYPE) {
            const weld_ctype *tt = remap_type(b, dc->u.type, &tm);
            if (!tt) return NC_OOM(x);
            if (tm.bad)
                return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "export `%s`: a type weld new cannot copy yet", key);
            tmap[tn++] = b_type(b, tt);
        } else if (dc->kind == WELD_DECL_ALIAS && dc->u.alias.tag == 0x02 && dc->u.alias.instance == 1 &&
                   dc->u.alias.sort.sort == WELD_SORT_TYPE) {
            tmap[tn++] = dc->u.alias.index;
        } else if (dc->kind == WELD_DECL_EXPORT && dc->u.ext.type.kind == WELD_EXT_TYPE && dc->u.ext.type.bound == 0x00) {
            uint32_t src = dc->u.ext.type.index;
            if (src >= tn) return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "export `%s`: bad type index", key);
            tmap[tn++] = tmap[src];
            memset(&items[nitems], 0, sizeof items[nitems]);
            items[nitems].name.name = dc->u.ext.name.name;
            items[nitems].item.sort.sort = WELD_SORT_TYPE;
            items[nitems].item.index = tmap[src];
            nitems++;
        } else if (dc->kind == WELD_DECL_EXPORT && dc->u.ext.type.kind == WELD_EXT_FUNC) {
            uint32_t src = dc->u.ext.type.index;
            const char *fname = dc->u.ext.name.name.ptr;
            const weld_wit_func *fn = NULL;
            for (uint32_t f = 0; f < ifc->nfuncs; f++)
                if (strcmp(ifc->funcs[f].name, fname) == 0) fn = &ifc->funcs[f];
            if (!fn || src >= tn) return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "export `%s`: function `%s`", key, fname);
            char core[900];
            snprintf(core, sizeof core, "%s#%s", key, fname);
            uint32_t lf;
            weld_status st = lift(x, core, fn, tmap[src], &lf);
            if (st != WELD_OK) return st;
            memset(&items[nitems], 0, sizeof items[nitems]);
            items[nitems].name.name = dc->u.ext.name.name;
            items[nitems].item.sort.sort = WELD_SORT_FUNC;
            items[nitems].item.index = lf;
            nitems++;

        } else {
            return weld_diag_set(x->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "export `%s`: a declaration weld new cannot mirror yet",
                                 key);
        }
    }
    weld_csection *s = bsec(b, WELD_CSEC_INSTANCE);
    weld_instance *in = bzalloc(b, sizeof *in);
    if (!s || !in) return NC_OOM(x);
    in->kind = 0x01;
    in->count = nitems;
    in->items = items;
    s->u.instances = in;
    uint32_t inst = b->ninstances++;
    weld_csection *es = bsec(b, WELD_CSEC_EXPORT);
    weld_cexport *v = bzalloc(b, sizeof *v);
    if (!es || !v) return NC_OOM(x);
    v->name.name = bstr(b, key);
    v->item.sort.sort = WELD_SORT_INSTANCE;
    v->item.index = inst;
    v->has_type = true;
    v->type.kind = WELD_EXT_INSTANCE;
    v->type.index = tidx;
    es->u.exports = v;
    b->ninstances++;
    return b->oom ? NC_OOM(x) : WELD_OK;
}

#define NC_MAX_CT 16 /* component-type sections merged into one world */

typedef struct find_ct {
    const uint8_t *payload;
    size_t len;
    uint64_t offset;
    uint32_t count;
    weld_buf *main;
    /* the second and later sections with a different payload */
    uint32_t nmore;
    const uint8_t *more[NC_MAX_CT];
    size_t more_len[NC_MAX_CT];
    uint64_t more_off[NC_MAX_CT];
} find_ct;

static weld_status take_section(const nc_section *s, void *ud, weld_diag *d)
{
    find_ct *f = ud;
    if (s->id == 0 && nc_is_component_type_name(s->name, s->name_len)) {
        if (f->count++ == 0) {
            f->payload = s->body;
            f->len = s->body_len;
            f->offset = s->offset;
        } else if (s->body_len != f->len || memcmp(s->body, f->payload, f->len) != 0) {
            for (uint32_t i = 0; i < f->nmore; i++)
                if (f->more_len[i] == s->body_len && memcmp(f->more[i], s->body, s->body_len) == 0) return WELD_OK;
            if (f->nmore == NC_MAX_CT)
                return weld_diag_set(d, WELD_ERR_UNSUPPORTED, s->offset, "more than %d different `component-type` sections",
                                     NC_MAX_CT + 1);
            f->more[f->nmore] = s->body;
            f->more_len[f->nmore] = s->body_len;
            f->more_off[f->nmore++] = s->offset;
        }
        return WELD_OK;
    }
    weld_buf_append(f->main, s->raw, s->raw_len);
    return WELD_OK;
}

/* The world of the payload: its export's name, and the string encoding. */
static weld_status read_payload(nc *x, const find_ct *f, weld_wit_resolve *r, uint32_t *world)
{
    weld_component *pc = NULL;
    weld_component_read_opts ro = {0};
    ro.skip_modules = true;
    weld_status st = weld_component_read(x->a, f->payload, f->len, &ro, &pc, x->d);
    if (st != WELD_OK) return st;
    const char *wname = NULL;
    x->enc = WELD_STRENC_UTF8;
    for (uint32_t i = 0; i < pc->nsections; i++) {
        const weld_csection *s = &pc->sections[i];
        if (s->id == WELD_CSEC_CUSTOM && str_eq(s->u.custom->name, "wit-component-encoding") && s->u.custom->len >= 2)
            x->enc = (weld_strenc)s->u.custom->data[1];
        if (s->id == WELD_CSEC_EXPORT && s->count >= 1) wname = s->u.exports[s->count - 1].name.name.ptr;
    }
    if (x->enc > WELD_STRENC_COMPACT_UTF16)
        return weld_diag_set(x->d, WELD_ERR_MALFORMED, f->offset, "`component-type` section: unknown string encoding %u",
                             (unsigned)x->enc);
    uint32_t main = 0;
    bool is_pkg = false;
    st = weld_wit_decode(r, f->payload, f->len, &main, &is_pkg, x->d);
    if (st != WELD_OK) return st;
    if (!wname) return weld_diag_set(x->d, WELD_ERR_MALFORMED, f->offset, "`component-type` section names no world");
    return weld_wit_select_world(r, main, wname, world, x->d);
}

/* World `aw` merged into world `main_world` as a new world, made x->world: the imports of
 * both, each once (an interface by identity or by its name), then the exports of both
 * (an export both have, once). */
static bool same_item(const weld_wit_resolve *r, const weld_wit_world_item *o, const weld_wit_world_item *it)
{
    if (o->kind != it->kind) return false;
    if (it->kind != WELD_WIT_ITEM_INTERFACE) return o->name && it->name && strcmp(o->name, it->name) == 0;
    if (o->name || it->name) return o->name && it->name && strcmp(o->name, it->name) == 0;
    if (o->id == it->id) return true;
    char a[400], b[400];
    iface_key(r, o, a, sizeof a);
    iface_key(r, it, b, sizeof b);
    return strcmp(a, b) == 0;
}

static weld_status merge_worlds(nc *x, weld_wit_resolve *r, uint32_t main_world, uint32_t aw)
{
    const weld_wit_world *mw = &r->worlds[main_world], *adw = &r->worlds[aw];
    weld_wit_world_item *imps = weld_arena_alloc(x->a, sizeof *imps * (mw->nimports + adw->nimports + 1));
    weld_wit_world *worlds = weld_arena_alloc(x->a, sizeof *worlds * (r->nworlds + 1));
    if (!imps || !worlds) return NC_OOM(x);
    uint32_t n = 0;
    for (uint32_t i = 0; i < mw->nimports; i++) imps[n++] = mw->imports[i];
    for (uint32_t i = 0; i < adw->nimports; i++) {
        const weld_wit_world_item *it = &adw->imports[i];
        bool dup = false;
        for (uint32_t k = 0; k < mw->nimports && !dup; k++)
            if (same_item(r, &mw->imports[k], it)) dup = true;
        if (!dup) imps[n++] = *it;
    }
    weld_wit_world_item *exps = weld_arena_alloc(x->a, sizeof *exps * (mw->nexports + adw->nexports + 1));
    if (!exps) return NC_OOM(x);
    uint32_t ne = 0;
    for (uint32_t i = 0; i < mw->nexports; i++) exps[ne++] = mw->exports[i];
    for (uint32_t i = 0; i < adw->nexports; i++) {
        bool dup = false;
        for (uint32_t k = 0; k < mw->nexports && !dup; k++)
            if (same_item(r, &mw->exports[k], &adw->exports[i])) dup = true;
        if (!dup) exps[ne++] = adw->exports[i];
    }
    memcpy(worlds, r->worlds, sizeof *worlds * r->nworlds);
    worlds[r->nworlds] = *mw;
    worlds[r->nworlds].imports = imps;
    worlds[r->nworlds].nimports = n;
    worlds[r->nworlds].exports = exps;
    worlds[r->nworlds].nexports = ne;
    r->worlds = worlds;
    x->world = r->nworlds++;
    r->cap_worlds = r->nworlds;
    return WELD_OK;
}

/* The adapter: its world merged into the module's, the module trimmed to what the main
 * module imports from it. */
static weld_status load_adapter(nc *x, const weld_new_opts *opts, weld_wit_resolve *r, const weld_module *m)
{
    weld_diag *d = x->d;
    weld_buf scratch;
    weld_buf_init(&scratch);
    find_ct f;
    memset(&f, 0, sizeof f);
    f.main = &scratch;
    weld_status st = nc_sections(opts->adapter, opts->adapter_len, take_section, &f, d);
    weld_buf_free(&scratch);
    if (st != WELD_OK) return st;
    if (!f.count) return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET, "the adapter has no `component-type` section");
    uint32_t main_world = x->world, aw = 0;
    nc ax = *x;
    NC_TRY(read_payload(&ax, &f, r, &aw));
    x->nmain_exports = r->worlds[main_world].nexports;
    NC_TRY(merge_worlds(x, r, main_world, aw));
    const weld_wit_world *adw = &r->worlds[aw];
    /* trim */
    uint32_t nkeep = m->nimports + 2;
    for (uint32_t i = 0; i < adw->nexports; i++)
        nkeep += 2 * (adw->exports[i].kind == WELD_WIT_ITEM_INTERFACE ? r->interfaces[adw->exports[i].id].nfuncs : 1);
    const char **keep = weld_arena_alloc(x->a, sizeof *keep * nkeep);
    if (!keep) return NC_OOM(x);
    uint32_t nk = 0;
    for (uint32_t i = 0; i < m->nimports; i++)
        if (strcmp(m->imports[i].module.ptr, opts->adapter_name) == 0) keep[nk++] = m->imports[i].name.ptr;
    keep[nk++] = "cabi_import_realloc";
    for (uint32_t i = 0; i < adw->nexports; i++) {
        const weld_wit_world_item *it = &adw->exports[i];
        if (it->kind == WELD_WIT_ITEM_FUNC) {
            keep[nk++] = it->name;
            size_t kl = strlen(it->name) + 11;
            char *post = weld_arena_alloc(x->a, kl);
            if (!post) return NC_OOM(x);
            snprintf(post, kl, "cabi_post_%s", it->name);
            keep[nk++] = post;
        } else if (it->kind == WELD_WIT_ITEM_INTERFACE) {
            char key[400];
            iface_key(r, it, key, sizeof key);
            const weld_wit_interface *ifc = &r->interfaces[it->id];
            for (uint32_t f = 0; f < ifc->nfuncs; f++) {
                size_t kl = strlen(key) + strlen(ifc->funcs[f].name) + 2;
                char *nm = weld_arena_alloc(x->a, kl);
                if (!nm) return NC_OOM(x);
                snprintf(nm, kl, "%s#%s", key, ifc->funcs[f].name);
                keep[nk++] = nm;
                char *post = weld_arena_alloc(x->a, kl + 10);
                if (!post) return NC_OOM(x);
                snprintf(post, kl + 10, "cabi_post_%s", nm);
                keep[nk++] = post;
            }
        }
    }
    int mr = find_export(m, "cabi_realloc");
    bool synth = mr < 0 || m->exports[mr].kind != WELD_EXTERN_FUNC || opts->adapter_realloc_via_grow;
    weld_module *am = NULL;
    weld_read_opts ro = {0};
    NC_TRY(weld_module_read(x->a, opts->adapter, opts->adapter_len, &ro, &am, d));
    uint8_t *tb = NULL;
    size_t tl = 0;
    NC_TRY(nc_adapter_trim(x->a, am, keep, nk, synth, &tb, &tl, d));
    uint8_t *copy = weld_arena_alloc(x->a, tl);
    if (!copy) {
        free(tb);
        return NC_OOM(x);
    }
    memcpy(copy, tb, tl);
    free(tb);
    weld_module *tm = NULL;
    ro.skip_bodies = true;
    NC_TRY(weld_module_read(x->a, copy, tl, &ro, &tm, d));
    x->am = tm;
    x->ad_bytes = copy;
    x->ad_len = tl;
    x->ad_name = opts->adapter_name;
    return WELD_OK;
}

static weld_status build(nc *x, const uint8_t *main_bytes, size_t main_len)
{
    bld *b = &x->top;
    const weld_module *m = x->m;
    const weld_wit_world *w = &x->r->worlds[x->world];
    const weld_ctype *wt = NULL;
    NC_TRY(collect_exported_resources(x));
    x->lowers = weld_arena_alloc(x->a, sizeof *x->lowers * (m->nimports + (x->am ? x->am->nimports : 0) + 1));
    if (!x->lowers) return NC_OOM(x);
    NC_TRY(match_imports(x, m, 0));
    if (x->am) NC_TRY(match_imports(x, x->am, 1));
    NC_TRY(prune_imports(x));
    weld_status st = weld_wit_world_ctype(x->r, x->world, x->a, &wt, x->d);
    if (st != WELD_OK) return st;
    NC_TRY(replay_world(x, wt));
    x->export_used = weld_arena_alloc(x->a, sizeof *x->export_used * (m->nexports + 1));
    if (!x->export_used) return NC_OOM(x);
    memset(x->export_used, 0, sizeof *x->export_used * (m->nexports + 1));
    int mem = find_export(m, "memory");
    if (mem < 0) mem = find_export(m, "cm32p2_memory");
    x->has_memory = mem >= 0 && m->exports[mem].kind == WELD_EXTERN_MEMORY;
    int rl = find_export(m, "cabi_export_realloc");
    if (rl < 0) rl = find_export(m, "cabi_realloc");
    if (rl < 0) rl = find_export(m, "cm32p2_realloc");
    int rli = find_export(m, "cabi_import_realloc");
    if (rli < 0) rli = find_export(m, "cabi_realloc");
    if (rli < 0) rli = find_export(m, "cm32p2_realloc");
    x->has_realloc_lift = rl >= 0 && m->exports[rl].kind == WELD_EXTERN_FUNC;
    x->has_realloc_lower = rli >= 0 && m->exports[rli].kind == WELD_EXTERN_FUNC;

    uint32_t main_mod = b_module(b, main_bytes, main_len);
    uint32_t ad_mod = x->am ? b_module(b, x->ad_bytes, x->ad_len) : 0;
    if (x->am) {
        int ar = find_export(x->am, "cabi_import_realloc");
        x->has_ad_realloc = ar >= 0 && x->am->exports[ar].kind == WELD_EXTERN_FUNC;
        if (!x->has_memory)
            return weld_diag_set(x->d, WELD_ERR_LINK, x->exp_off, "the adapter needs the core module to export `memory`");
    }
    uint32_t nind = 0;
    for (uint32_t i = 0; i < x->nlowers; i++)
        if (x->lowers[i].indirect && !x->lowers[i].dup) {
            if (!x->lowers[i].p1) {
                if (x->lowers[i].mod == 1) {
                    if (x->lowers[i].sig.realloc && !x->has_ad_realloc)
                        return weld_diag_set(x->d, WELD_ERR_LINK, WELD_NO_OFFSET, "the adapter exports no `cabi_import_realloc`");
                } else {
                    NC_TRY(need_abi(x, &x->lowers[i].sig, false, x->lowers[i].fn->name));
                }
            }
            x->lowers[i].shim_slot = nind++;
        }
    static const weld_valtype i32p = WELD_I32;
    static const weld_functype dtor_type = {1, 0, &i32p, NULL};
    for (uint32_t e = 0; e < x->neres; e++)
        if (x->eres[e].dtor_export >= 0) x->eres[e].shim_slot = nind++;
    uint32_t shim_inst = 0, fixup_mod = 0;
    const weld_functype **itypes = weld_arena_alloc(x->a, sizeof *itypes * (nind + 1));
    if (!itypes) return NC_OOM(x);
    if (nind) {
        for (uint32_t i = 0; i < x->nlowers; i++)
            if (x->lowers[i].indirect && !x->lowers[i].dup)
                itypes[x->lowers[i].shim_slot] = func_type_of_import(x->lowers[i].mod ? x->am : m, x->lowers[i].imp);
        for (uint32_t e = 0; e < x->neres; e++)
            if (x->eres[e].dtor_export >= 0) itypes[x->eres[e].shim_slot] = &dtor_type;
        weld_buf o;
        weld_buf_init(&o);
        shim_module(&o, itypes, nind);
        size_t n;
        const uint8_t *p = buf_to_arena(b, &o, &n);
        if (!p) return NC_OOM(x);
        uint32_t shim_mod = b_module(b, p, n);
        weld_buf_init(&o);
        fixup_module(&o, itypes, nind);
        p = buf_to_arena(b, &o, &n);
        if (!p) return NC_OOM(x);
        fixup_mod = b_module(b, p, n);
        shim_inst = b_core_instantiate(b, shim_mod, NULL, NULL, 0);
    }
    /* the resources exported interfaces define (destructors through the shim) */
    for (uint32_t e = 0; e < x->neres; e++) {
        exp_resource *er = &x->eres[e];
        weld_ctype *rt = bzalloc(b, sizeof *rt);
        if (!rt) return NC_OOM(x);
        rt->kind = WELD_CT_RESOURCE;
        rt->u.resource.rep = WELD_I32;
        if (er->dtor_export >= 0) {
            char slot[16];
            snprintf(slot, sizeof slot, "%u", er->shim_slot);
            rt->u.resource.has_dtor = true;
            rt->u.resource.dtor = b_core_alias(b, shim_inst, slot, WELD_CORE_SORT_FUNC);
        }
        er->type = b_type(b, rt);
    }
    /* the lowers the main instance needs, and one core instance per module name */
    for (uint32_t i = 0; i < x->nlowers; i++) {
        lower *lw = &x->lowers[i];
        if (lw->dup) continue;
        if (lw->exp_op) {
            weld_canon c;
            memset(&c, 0, sizeof c);
            c.op = lw->exp_op;
            c.a = x->eres[lw->exp_res].type;
            lw->core_func = b_canon(b, &c, true);
            continue;
        }
        if (lw->p1) {
            char slot[16];
            snprintf(slot, sizeof slot, "%u", lw->shim_slot);
            lw->core_func = b_core_alias(b, shim_inst, slot, WELD_CORE_SORT_FUNC);
            continue;
        }
        const weld_wit_world_item *it = &w->imports[lw->item];
        if (lw->drop) {
            uint32_t ty = lw->root_res ? x->type_import[lw->item]
                                       : b_inst_alias(b, x->import_index[lw->item], lw->resname, WELD_SORT_TYPE);
            weld_canon c;
            memset(&c, 0, sizeof c);
            c.op = 0x03;
            c.a = ty;
            lw->core_func = b_canon(b, &c, true);
        } else if (lw->indirect) {
            char slot[16];
            snprintf(slot, sizeof slot, "%u", lw->shim_slot);
            lw->core_func = b_core_alias(b, shim_inst, slot, WELD_CORE_SORT_FUNC);
        } else {
            uint32_t f = it->kind == WELD_WIT_ITEM_FUNC ? x->import_index[lw->item]
                                                        : b_inst_alias(b, x->import_index[lw->item], lw->fn->name, WELD_SORT_FUNC);
            weld_canon c;
            memset(&c, 0, sizeof c);
            c.op = 0x01;
            c.a = f;
            lw->core_func = b_canon(b, &c, true);
        }
    }
    const char **argn = weld_arena_alloc(x->a, sizeof *argn * (x->nlowers + 1));
    uint32_t *argi = weld_arena_alloc(x->a, sizeof *argi * (x->nlowers + 1));
    /* (also the adapter's __main_module__ imports, one item each) */
    weld_core_arg *items =
        weld_arena_alloc(x->a, sizeof *items * (x->nlowers + x->neres + (x->am ? x->am->nimports : 0) + 3));
    if (!argn || !argi || !items) return NC_OOM(x);
    uint32_t nargs = 0;
    for (uint32_t i = 0; i < x->nlowers; i++) {
        if (x->lowers[i].mod != 0) continue;
        const char *mod = m->imports[x->lowers[i].imp].module.ptr;
        bool seen = false;
        for (uint32_t k = 0; k < nargs; k++)
            if (strcmp(argn[k], mod) == 0) seen = true;
        if (seen) continue;
        uint32_t n = 0;
        for (uint32_t k = i; k < x->nlowers; k++) {
            if (x->lowers[k].mod != 0) continue;
            const weld_import *im = &m->imports[x->lowers[k].imp];
            if (!str_eq(im->module, mod) || x->lowers[k].dup) continue;
            items[n].name = im->name;
            items[n].sort = WELD_CORE_SORT_FUNC;
            items[n].index = x->lowers[k].core_func;
            n++;
        }
        argn[nargs] = mod;
        argi[nargs] = b_core_exports(b, items, n);
        nargs++;
    }
    x->main_inst = b_core_instantiate(b, main_mod, argn, argi, nargs);
    if (x->has_memory) x->memory = b_core_alias(b, x->main_inst, m->exports[mem].name.ptr, WELD_CORE_SORT_MEMORY);
    bool want_rli = false, want_rl = x->has_realloc_lift;
    for (uint32_t i = 0; i < x->nlowers; i++)
        if (x->lowers[i].mod == 0 && !x->lowers[i].p1 && x->lowers[i].indirect && x->lowers[i].sig.realloc) want_rli = true;
    if (want_rl) {
        x->realloc_lift = b_core_alias(b, x->main_inst, m->exports[rl].name.ptr, WELD_CORE_SORT_FUNC);
        x->export_used[rl] = true;
    }
    if (want_rli && x->has_realloc_lower) {
        if (rli == rl && want_rl) x->realloc_lower = x->realloc_lift;
        else x->realloc_lower = b_core_alias(b, x->main_inst, m->exports[rli].name.ptr, WELD_CORE_SORT_FUNC);
        x->export_used[rli] = true;
    }
    if (x->am) {
        /* the adapter: the main module's memory and realloc, and its own lowered imports */
        const char **an = weld_arena_alloc(x->a, sizeof *an * (x->nlowers + 3));
        uint32_t *ai = weld_arena_alloc(x->a, sizeof *ai * (x->nlowers + 3));
        if (!an || !ai) return NC_OOM(x);
        uint32_t na = 0;
        items[0].name = bstr(b, "memory");
        items[0].sort = WELD_CORE_SORT_MEMORY;
        items[0].index = x->memory;
        an[na] = "env";
        ai[na++] = b_core_exports(b, items, 1);
        uint32_t nmm = 0;
        for (uint32_t i = 0; i < x->am->nimports; i++) {
            const weld_import *im = &x->am->imports[i];
            if (strcmp(im->module.ptr, "__main_module__") != 0 || im->type.kind != WELD_EXTERN_FUNC) continue;
            int e = find_export(m, im->name.ptr);
            if (e < 0 || m->exports[e].kind != WELD_EXTERN_FUNC)
                return weld_diag_set(x->d, WELD_ERR_LINK, x->exp_off, "the adapter needs the core module to export `%s`",
                                     im->name.ptr);
            x->export_used[e] = true;
            items[nmm].name = im->name;
            items[nmm].sort = WELD_CORE_SORT_FUNC;
            items[nmm].index = (x->has_realloc_lift && e == rl) ? x->realloc_lift
                                                                : b_core_alias(b, x->main_inst, im->name.ptr, WELD_CORE_SORT_FUNC);
            nmm++;
        }
        if (nmm) {
            an[na] = "__main_module__";
            ai[na++] = b_core_exports(b, items, nmm);
        }
        for (uint32_t i = 0; i < x->nlowers; i++) {
            if (x->lowers[i].mod != 1) continue;
            const char *mod = x->am->imports[x->lowers[i].imp].module.ptr;
            bool seen = false;
            for (uint32_t k = 0; k < na; k++)
                if (strcmp(an[k], mod) == 0) seen = true;
            if (seen) continue;
            uint32_t n = 0;
            for (uint32_t k = i; k < x->nlowers; k++) {
                if (x->lowers[k].mod != 1 || x->lowers[k].dup) continue;
                const weld_import *im = &x->am->imports[x->lowers[k].imp];
                if (!str_eq(im->module, mod)) continue;
                items[n].name = im->name;
                items[n].sort = WELD_CORE_SORT_FUNC;
                items[n].index = x->lowers[k].core_func;
                n++;
            }
            an[na] = mod;
            ai[na++] = b_core_exports(b, items, n);
        }
        x->ad_inst = b_core_instantiate(b, ad_mod, an, ai, na);
        if (x->has_ad_realloc) x->ad_realloc = b_core_alias(b, x->ad_inst, "cabi_import_realloc", WELD_CORE_SORT_FUNC);
    }
    if (nind) {
        uint32_t n = 0;
        items[n].name = bstr(b, "$imports");
        items[n].sort = WELD_CORE_SORT_TABLE;
        items[n].index = b_core_alias(b, shim_inst, "$imports", WELD_CORE_SORT_TABLE);
        n++;
        for (uint32_t i = 0; i < x->nlowers; i++) {
            lower *lw = &x->lowers[i];
            if (!lw->indirect || lw->dup) continue;
            if (lw->p1) {
                char slot[16];
                snprintf(slot, sizeof slot, "%u", lw->shim_slot);
                items[n].name = bstr(b, slot);
                items[n].sort = WELD_CORE_SORT_FUNC;
                items[n].index = b_core_alias(b, x->ad_inst, m->imports[lw->imp].name.ptr, WELD_CORE_SORT_FUNC);
                n++;
                continue;
            }
            const weld_wit_world_item *it = &w->imports[lw->item];
            uint32_t f = it->kind == WELD_WIT_ITEM_FUNC ? x->import_index[lw->item]
                                                        : b_inst_alias(b, x->import_index[lw->item], lw->fn->name, WELD_SORT_FUNC);
            weld_canonopt o[4];
            weld_canon c;
            memset(&c, 0, sizeof c);
            c.op = 0x01;
            c.a = f;
            c.opts = opts_for_realloc(x, &lw->sig, lw->mod ? x->ad_realloc : x->realloc_lower, &c.nopts, o);
            char slot[16];
            snprintf(slot, sizeof slot, "%u", lw->shim_slot);
            items[n].name = bstr(b, slot);
            items[n].sort = WELD_CORE_SORT_FUNC;
            items[n].index = b_canon(b, &c, true);
            n++;
        }
        for (uint32_t e = 0; e < x->neres; e++) {
            exp_resource *er = &x->eres[e];
            if (er->dtor_export < 0) continue;
            char slot[16];
            snprintf(slot, sizeof slot, "%u", er->shim_slot);
            items[n].name = bstr(b, slot);
            items[n].sort = WELD_CORE_SORT_FUNC;
            items[n].index = b_core_alias(b, x->main_inst, m->exports[er->dtor_export].name.ptr, WELD_CORE_SORT_FUNC);
            x->export_used[er->dtor_export] = true;
            n++;
        }
        uint32_t fx = b_core_exports(b, items, n);
        const char *empty = "";
        b_core_instantiate(b, fixup_mod, &empty, &fx, 1);
    }
    int init = find_export(m, "_initialize");
    if (init < 0) init = find_export(m, "cm32p2_initialize");
    if (init >= 0 && m->exports[init].kind == WELD_EXTERN_FUNC) {
        const weld_functype *ft = func_type_of_func(m, m->exports[init].index);
        if (!ft || ft->nparams || ft->nresults)
            return weld_diag_set(x->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "core export `_initialize` must have type (func)");
        weld_buf o;
        weld_buf_init(&o);
        init_module(&o);
        size_t n;
        const uint8_t *p = buf_to_arena(b, &o, &n);
        if (!p) return NC_OOM(x);
        uint32_t imod = b_module(b, p, n);
        items[0].name = bstr(b, "_initialize");
        items[0].sort = WELD_CORE_SORT_FUNC;
        items[0].index = b_core_alias(b, x->main_inst, m->exports[init].name.ptr, WELD_CORE_SORT_FUNC);
        uint32_t ie = b_core_exports(b, items, 1);
        const char *empty = "";
        b_core_instantiate(b, imod, &empty, &ie, 1);
        x->export_used[init] = true;
    }
    /* exports */
    for (uint32_t i = 0; i < w->nexports; i++) {
        const weld_wit_world_item *it = &w->exports[i];
        if (it->kind == WELD_WIT_ITEM_TYPE) continue;
        x->lifting_adapter = x->am && i >= x->nmain_exports;
        if (it->kind == WELD_WIT_ITEM_FUNC) {
            uint32_t f;
            NC_TRY(lift(x, it->name, &it->func, x->export_type[i], &f));
            b_export(b, it->name, WELD_SORT_FUNC, f);
        } else {
            NC_TRY(export_interface(x, it, x->export_type[i]));
        }
    }
    x->lifting_adapter = false;
    NC_TRY(check_exports(x));
    return b->oom ? NC_OOM(x) : WELD_OK;
}

/* Whether the adapter's `component-type` world exports anything (read on a scratch
 * resolve, so the real one is left as it was when the adapter is not fused). */
static bool adapter_exports(const weld_new_opts *opts)
{
    weld_diag d;
    weld_diag_init(&d, NULL);
    nc y;
    memset(&y, 0, sizeof y);
    y.d = &d;
    y.a = weld_arena_new();
    if (!y.a) return false;
    y.top.a = y.a;
    weld_buf scratch;
    weld_buf_init(&scratch);
    find_ct f;
    memset(&f, 0, sizeof f);
    f.main = &scratch;
    bool any = false;
    weld_wit_resolve *r = NULL;
    uint32_t w = 0;
    if (nc_sections(opts->adapter, opts->adapter_len, take_section, &f, &d) == WELD_OK && f.count &&
        (r = weld_wit_resolve_new(y.a)) != NULL && read_payload(&y, &f, r, &w) == WELD_OK)
        any = r->worlds[w].nexports > 0;
    weld_buf_free(&scratch);
    weld_arena_free(y.a);
    return any;
}

weld_status weld_new_component(const uint8_t *core, size_t len, const weld_new_opts *opts, uint8_t **out,
                               size_t *out_len, weld_diag *d)
{
    *out = NULL;
    *out_len = 0;
    weld_new_opts defaults = {0};
    if (!opts) opts = &defaults;
    nc x;
    memset(&x, 0, sizeof x);
    x.d = d;
    x.ignore_extra_exports = opts->ignore_extra_exports;
    x.a = weld_arena_new();
    if (!x.a) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    x.top.a = x.a;
    if (opts->synthesize_realloc) {
        weld_module *pre = NULL;
        weld_read_opts pro = {0};
        pro.skip_bodies = true;
        weld_status pst = weld_module_read(x.a, core, len, &pro, &pre, d);
        if (pst == WELD_OK) {
            int e = find_export(pre, "cabi_realloc");
            if (e < 0) e = find_export(pre, "cm32p2_realloc");
            if (e < 0) {
                uint8_t *nb = NULL;
                size_t nl = 0;
                pst = nc_add_realloc(x.a, pre, &nb, &nl, d);
                uint8_t *copy = pst == WELD_OK ? weld_arena_alloc(x.a, nl) : NULL;
                if (pst == WELD_OK && !copy) pst = NC_OOM(&x);
                if (copy) {
                    memcpy(copy, nb, nl);
                    core = copy;
                    len = nl;
                }
                free(nb);
            }
        }
        if (pst != WELD_OK) {
            weld_arena_free(x.a);
            return pst;
        }
    }
    {
        /* a function imported twice under one name (Go's wasip1 port) is imported once */
        weld_module *pre = NULL;
        weld_read_opts pro = {0};
        pro.skip_bodies = true;
        weld_status pst = weld_module_read(x.a, core, len, &pro, &pre, d);
        if (pst == WELD_OK) {
            uint64_t ioff = WELD_NO_OFFSET;
            for (uint32_t i = 0; i < pre->nsections; i++)
                if (pre->sections[i].id == 2) ioff = pre->sections[i].offset;
            uint8_t *nb = NULL;
            size_t nl = 0;
            bool changed = false;
            pst = nc_dedup_imports(x.a, pre, ioff, &changed, &nb, &nl, d);
            if (pst == WELD_OK && changed) {
                uint8_t *copy = weld_arena_alloc(x.a, nl);
                if (!copy) pst = NC_OOM(&x);
                else {
                    memcpy(copy, nb, nl);
                    core = copy;
                    len = nl;
                }
            }
            free(nb);
        }
        if (pst != WELD_OK) {
            weld_arena_free(x.a);
            return pst;
        }
    }
    weld_buf mainb;
    weld_buf_init(&mainb);
    find_ct f = {0};
    f.main = &mainb;
    if (len >= 8) weld_buf_append(&mainb, core, 8);
    weld_status st = nc_sections(core, len, take_section, &f, d);
    weld_module *m = NULL;
    weld_wit_resolve *r = NULL;
    const uint8_t *main_bytes = NULL;
    size_t main_len = 0;
    if (st == WELD_OK && !f.count && !(opts->adapter && opts->adapter_name))
        st = weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET,
                           "the core module has no `component-type` section: embed a world first (weld embed, or weld new --wit)");
    if (st == WELD_OK && mainb.oom) st = NC_OOM(&x);
    if (st == WELD_OK) {
        main_bytes = buf_to_arena(&x.top, &mainb, &main_len);
        if (!main_bytes) st = NC_OOM(&x);
    } else {
        weld_buf_free(&mainb);
    }
    if (st == WELD_OK) {
        weld_read_opts ro = {0};
        ro.skip_bodies = true;
        st = weld_module_read(x.a, core, len, &ro, &m, d);
    }
    if (st == WELD_OK) {
        r = weld_wit_resolve_new(x.a);
        if (!r) st = NC_OOM(&x);
    }
    bool had_world = st == WELD_OK && f.count;
    if (had_world) st = read_payload(&x, &f, r, &x.world);
    /* further component-type sections (bindings generated for several worlds): their
     * worlds merged into the first's */
    for (uint32_t i = 0; st == WELD_OK && i < f.nmore; i++) {
        find_ct g = f;
        g.payload = f.more[i];
        g.len = f.more_len[i];
        g.offset = f.more_off[i];
        weld_strenc enc = x.enc;
        uint32_t w2 = 0;
        st = read_payload(&x, &g, r, &w2);
        if (st == WELD_OK && x.enc != enc)
            st = weld_diag_set(d, WELD_ERR_UNSUPPORTED, g.offset, "`component-type` sections with different string encodings");
        if (st == WELD_OK) st = merge_worlds(&x, r, x.world, w2);
    }
    if (st == WELD_OK && !had_world) {
        /* no world of its own (a command): an empty one, the adapter's merged into it */
        static const char empty[] = "package root:component;\nworld root {}\n";
        uint32_t pk = 0;
        st = weld_wit_add_source(r, "(empty world)", empty, sizeof empty - 1, &pk, d);
        if (st == WELD_OK) st = weld_wit_select_world(r, pk, "root", &x.world, d);
    }
    if (st == WELD_OK && opts->adapter && opts->adapter_name) {
        bool uses = false;
        for (uint32_t i = 0; i < m->nimports; i++)
            if (strcmp(m->imports[i].module.ptr, opts->adapter_name) == 0) uses = true;
        /* an adapter the module imports nothing from is fused when its world exports
         * something: glue that lifts the module's own exports (its __main_module__ imports) */
        if (uses || adapter_exports(opts)) st = load_adapter(&x, opts, r, m);
    }
    if (st == WELD_OK) {
        x.imp_off = x.exp_off = WELD_NO_OFFSET;
        for (uint32_t i = 0; i < m->nsections; i++) {
            if (m->sections[i].id == 2) x.imp_off = m->sections[i].offset;
            if (m->sections[i].id == 7) x.exp_off = m->sections[i].offset;
        }
        x.r = r;
        x.rw = r;
        x.m = m;
        st = build(&x, main_bytes, main_len);
    }
    if (st == WELD_OK) {
        weld_component *c = b_finish(&x.top, 0);
        if (!c) st = NC_OOM(&x);
        else st = weld_component_write(c, out, out_len, d);
    }
    if (st == WELD_OK && !opts->skip_validation) {
        weld_component *back = NULL;
        weld_component_read_opts ro = {0};
        st = weld_component_read(x.a, *out, *out_len, &ro, &back, d);
        if (st == WELD_OK) st = weld_validate_component(back, d);
        if (st != WELD_OK && d) {
            char msg[sizeof d->message];
            snprintf(msg, sizeof msg, "the component built does not validate: %.900s", d->message);
            memcpy(d->message, msg, sizeof msg);
        }
    }
    if (st != WELD_OK) {
        free(*out);
        *out = NULL;
        *out_len = 0;
    }
    weld_arena_free(x.a);
    return st;
}
