/* write_component.c - encoding the tree of component.h back into the binary format.
 * Every LEB128 is minimal and every section size is recomputed, so a minimally encoded
 * input comes back byte for byte. Nested core modules are written as the bytes they were
 * read from. */
#include "base/base.h"
#include "weld/component.h"
#include <stdlib.h>

static void put_name(weld_buf *b, weld_str s)
{
    weld_buf_name(b, s.ptr, s.len);
}

static void put_sort(weld_buf *b, weld_sort s)
{
    weld_buf_byte(b, s.sort);
    if (s.sort == WELD_SORT_CORE) weld_buf_byte(b, s.core);
}

static void put_sortidx(weld_buf *b, weld_sortidx s)
{
    put_sort(b, s.sort);
    weld_buf_u32leb(b, s.index);
}

static void put_valtype(weld_buf *b, weld_cvaltype t)
{
    if (t.prim) weld_buf_byte(b, t.prim);
    else weld_buf_s64leb(b, (int64_t)t.index); /* type indices are non-negative s33s */
}

static void put_opt_valtype(weld_buf *b, bool has, weld_cvaltype t)
{
    weld_buf_byte(b, has);
    if (has) put_valtype(b, t);
}

static void put_cname(weld_buf *b, const weld_cname *n)
{
    weld_buf_byte(b, n->tag);
    put_name(b, n->name);
    if (n->tag != 0x02) return;
    weld_buf_u32leb(b, n->nattrs);
    for (uint32_t i = 0; i < n->nattrs; i++) {
        weld_buf_byte(b, n->attrs[i].kind);
        put_name(b, n->attrs[i].value);
    }
}

static void put_cextern(weld_buf *b, const weld_cextern *e)
{
    weld_buf_byte(b, e->kind);
    switch (e->kind) {
    case WELD_EXT_MODULE:
        weld_buf_byte(b, 0x11);
        weld_buf_u32leb(b, e->index);
        break;
    case WELD_EXT_VALUE: put_valtype(b, e->val); break;
    case WELD_EXT_TYPE:
        weld_buf_byte(b, e->bound);
        if (e->bound == 0x00) weld_buf_u32leb(b, e->index);
        break;
    default:
        weld_buf_u32leb(b, e->index);
        break;
    }
}

static void put_limits(weld_buf *b, const weld_limits *l)
{
    weld_buf_byte(b, l->flags);
    weld_buf_u64leb(b, l->min);
    if (l->flags & WELD_LIMITS_HAS_MAX) weld_buf_u64leb(b, l->max);
}

static void put_core_externtype(weld_buf *b, const weld_externtype *t)
{
    weld_buf_byte(b, t->kind);
    switch (t->kind) {
    case WELD_EXTERN_FUNC: weld_buf_u32leb(b, t->u.func); break;
    case WELD_EXTERN_TABLE:
        weld_buf_byte(b, t->u.table.elem);
        put_limits(b, &t->u.table.limits);
        break;
    case WELD_EXTERN_MEMORY: put_limits(b, &t->u.memory); break;
    case WELD_EXTERN_GLOBAL:
        weld_buf_byte(b, t->u.global.type);
        weld_buf_byte(b, t->u.global.mut);
        break;
    case WELD_EXTERN_TAG:
        weld_buf_byte(b, 0x00);
        weld_buf_u32leb(b, t->u.tag);
        break;
    }
}

static void put_core_type(weld_buf *b, const weld_core_type *t)
{
    weld_buf_byte(b, t->kind);
    if (t->kind == WELD_CORE_TYPE_FUNC) {
        weld_buf_u32leb(b, t->func.nparams);
        weld_buf_append(b, t->func.params, t->func.nparams);
        weld_buf_u32leb(b, t->func.nresults);
        weld_buf_append(b, t->func.results, t->func.nresults);
        return;
    }
    weld_buf_u32leb(b, t->ndecls);
    for (uint32_t i = 0; i < t->ndecls; i++) {
        const weld_core_decl *d = &t->decls[i];
        weld_buf_byte(b, d->kind);
        switch (d->kind) {
        case WELD_MDECL_IMPORT:
            put_name(b, d->u.import.module);
            put_name(b, d->u.import.name);
            put_core_externtype(b, &d->u.import.type);
            break;
        case WELD_MDECL_TYPE: put_core_type(b, d->u.type); break;
        case WELD_MDECL_ALIAS:
            weld_buf_byte(b, 0x10);
            weld_buf_byte(b, 0x01);
            weld_buf_u32leb(b, d->u.outer.count);
            weld_buf_u32leb(b, d->u.outer.index);
            break;
        case WELD_MDECL_EXPORT:
            put_name(b, d->u.export.name);
            put_core_externtype(b, &d->u.export.type);
            break;
        }
    }
}

static void put_alias(weld_buf *b, const weld_alias *a)
{
    put_sort(b, a->sort);
    weld_buf_byte(b, a->tag);
    weld_buf_u32leb(b, a->instance);
    if (a->tag == 0x02) weld_buf_u32leb(b, a->index);
    else put_name(b, a->name);
}

static void put_fields(weld_buf *b, uint32_t n, const weld_cfield *f)
{
    weld_buf_u32leb(b, n);
    for (uint32_t i = 0; i < n; i++) {
        put_name(b, f[i].name);
        put_valtype(b, f[i].type);
    }
}

static void put_ctype(weld_buf *b, const weld_ctype *t)
{
    if (t->kind == WELD_CT_PRIM) {
        weld_buf_byte(b, t->u.prim);
        return;
    }
    weld_buf_byte(b, t->kind);
    switch (t->kind) {
    case WELD_CT_RECORD: put_fields(b, t->u.record.count, t->u.record.fields); break;
    case WELD_CT_VARIANT:
        weld_buf_u32leb(b, t->u.variant.count);
        for (uint32_t i = 0; i < t->u.variant.count; i++) {
            const weld_ccase *c = &t->u.variant.cases[i];
            put_name(b, c->name);
            put_opt_valtype(b, c->has_type, c->type);
            weld_buf_byte(b, c->has_refines);
            if (c->has_refines) weld_buf_u32leb(b, c->refines);
        }
        break;
    case WELD_CT_LIST: put_valtype(b, t->u.list.elem); break;
    case WELD_CT_FIXED_LIST:
        put_valtype(b, t->u.list.elem);
        weld_buf_u32leb(b, t->u.list.len);
        break;
    case WELD_CT_TUPLE:
        weld_buf_u32leb(b, t->u.tuple.count);
        for (uint32_t i = 0; i < t->u.tuple.count; i++) put_valtype(b, t->u.tuple.types[i]);
        break;
    case WELD_CT_FLAGS:
    case WELD_CT_ENUM:
        weld_buf_u32leb(b, t->u.labels.count);
        for (uint32_t i = 0; i < t->u.labels.count; i++) put_name(b, t->u.labels.names[i]);
        break;
    case WELD_CT_OPTION: put_valtype(b, t->u.option); break;
    case WELD_CT_RESULT:
        put_opt_valtype(b, t->u.result.has_ok, t->u.result.ok);
        put_opt_valtype(b, t->u.result.has_err, t->u.result.err);
        break;
    case WELD_CT_OWN:
    case WELD_CT_BORROW: weld_buf_u32leb(b, t->u.handle); break;
    case WELD_CT_STREAM:
    case WELD_CT_FUTURE: put_opt_valtype(b, t->u.async_value.has_elem, t->u.async_value.elem); break;
    case WELD_CT_MAP:
        put_valtype(b, t->u.map.key);
        put_valtype(b, t->u.map.value);
        break;
    case WELD_CT_FUNC:
    case WELD_CT_FUNC_ASYNC:
        put_fields(b, t->u.func.nparams, t->u.func.params);
        if (t->u.func.has_result) {
            weld_buf_byte(b, 0x00);
            put_valtype(b, t->u.func.result);
        } else {
            weld_buf_byte(b, 0x01);
            weld_buf_byte(b, 0x00);
        }
        break;
    case WELD_CT_COMPONENT:
    case WELD_CT_INSTANCE:
        weld_buf_u32leb(b, t->u.decls.count);
        for (uint32_t i = 0; i < t->u.decls.count; i++) {
            const weld_cdecl *d = &t->u.decls.decls[i];
            weld_buf_byte(b, d->kind);
            switch (d->kind) {
            case WELD_DECL_CORE_TYPE: put_core_type(b, d->u.core_type); break;
            case WELD_DECL_TYPE: put_ctype(b, d->u.type); break;
            case WELD_DECL_ALIAS: put_alias(b, &d->u.alias); break;
            default:
                put_cname(b, &d->u.ext.name);
                put_cextern(b, &d->u.ext.type);
                break;
            }
        }
        break;
    case WELD_CT_RESOURCE:
        weld_buf_byte(b, t->u.resource.rep);
        weld_buf_byte(b, t->u.resource.has_dtor);
        if (t->u.resource.has_dtor) weld_buf_u32leb(b, t->u.resource.dtor);
        break;
    }
}

static void put_canon(weld_buf *b, const weld_canon *c)
{
    const weld_canon_info *info = weld_canon_info_of(c->op);
    weld_buf_byte(b, c->op);
    if (!info) return;
    for (const char *k = info->imm; *k; k++) {
        switch (*k) {
        case 'S': weld_buf_byte(b, 0x00); break;
        case 'a': weld_buf_u32leb(b, c->a); break;
        case 'b': weld_buf_u32leb(b, c->b); break;
        case 'f': weld_buf_byte(b, c->flag); break;
        case 'v': weld_buf_byte(b, c->core_type); break;
        case 'r':
            if (c->has_result) {
                weld_buf_byte(b, 0x00);
                put_valtype(b, c->result);
            } else {
                weld_buf_byte(b, 0x01);
                weld_buf_byte(b, 0x00);
            }
            break;
        case 'o':
            weld_buf_u32leb(b, c->nopts);
            for (uint32_t i = 0; i < c->nopts; i++) {
                uint8_t o = c->opts[i].kind;
                weld_buf_byte(b, o);
                if (o == 0x03 || o == 0x04 || o == 0x05 || o == 0x07)
                    weld_buf_u32leb(b, c->opts[i].index);
            }
            break;
        }
    }
}

/* What the section writers share: how nested modules are written, and the first error. */
typedef struct writer {
    const weld_write_opts *module_opts; /* NULL: nested modules are copied as read */
    bool skip_modules;                  /* leave nested modules out (equality compares them) */
    weld_diag *diag;
    weld_status status;
} writer;

static void put_component(weld_buf *b, const weld_component *c, writer *w);

/* A nested module: its input bytes, or re-encoded by the core writer when asked to. */
static void put_module(weld_buf *b, const weld_nested_module *m, writer *w)
{
    if (w->skip_modules) return;
    if (!w->module_opts || !m->module) {
        weld_buf_append(b, m->data, m->len);
        return;
    }
    uint8_t *bytes = NULL;
    size_t n = 0;
    weld_status st = weld_module_write(m->module, w->module_opts, &bytes, &n, w->diag);
    if (st != WELD_OK) {
        if (w->status == WELD_OK) w->status = st;
        return;
    }
    weld_buf_append(b, bytes, n);
    free(bytes);
}

/* The payload of one section. */
static void put_section_payload(weld_buf *b, const weld_csection *s, writer *w)
{
    uint32_t n = s->count;
    switch (s->id) {
    case WELD_CSEC_CUSTOM:
        put_name(b, s->u.custom->name);
        weld_buf_append(b, s->u.custom->data, s->u.custom->len);
        return;
    case WELD_CSEC_CORE_MODULE:
        put_module(b, s->u.module, w);
        return;
    case WELD_CSEC_COMPONENT: put_component(b, s->u.component, w); return;
    case WELD_CSEC_START: {
        const weld_cstart *st = s->u.start;
        weld_buf_u32leb(b, st->func);
        weld_buf_u32leb(b, st->nargs);
        for (uint32_t i = 0; i < st->nargs; i++) weld_buf_u32leb(b, st->args[i]);
        weld_buf_u32leb(b, st->nresults);
        return;
    }
    default: break;
    }
    weld_buf_u32leb(b, n);
    for (uint32_t i = 0; i < n; i++) {
        switch (s->id) {
        case WELD_CSEC_CORE_INSTANCE: {
            const weld_core_instance *it = &s->u.core_instances[i];
            weld_buf_byte(b, it->kind);
            if (it->kind == 0x00) weld_buf_u32leb(b, it->module);
            weld_buf_u32leb(b, it->count);
            for (uint32_t j = 0; j < it->count; j++) {
                put_name(b, it->items[j].name);
                weld_buf_byte(b, it->items[j].sort);
                weld_buf_u32leb(b, it->items[j].index);
            }
            break;
        }
        case WELD_CSEC_CORE_TYPE: put_core_type(b, s->u.core_types[i]); break;
        case WELD_CSEC_INSTANCE: {
            const weld_instance *it = &s->u.instances[i];
            weld_buf_byte(b, it->kind);
            if (it->kind == 0x00) weld_buf_u32leb(b, it->component);
            weld_buf_u32leb(b, it->count);
            for (uint32_t j = 0; j < it->count; j++) {
                if (it->kind == 0x00) put_name(b, it->items[j].name.name);
                else put_cname(b, &it->items[j].name);
                put_sortidx(b, it->items[j].item);
            }
            break;
        }
        case WELD_CSEC_ALIAS: put_alias(b, &s->u.aliases[i]); break;
        case WELD_CSEC_TYPE: put_ctype(b, s->u.types[i]); break;
        case WELD_CSEC_CANON: put_canon(b, &s->u.canons[i]); break;
        case WELD_CSEC_IMPORT:
            put_cname(b, &s->u.imports[i].name);
            put_cextern(b, &s->u.imports[i].type);
            break;
        case WELD_CSEC_EXPORT: {
            const weld_cexport *e = &s->u.exports[i];
            put_cname(b, &e->name);
            put_sortidx(b, e->item);
            weld_buf_byte(b, e->has_type);
            if (e->has_type) put_cextern(b, &e->type);
            break;
        }
        case WELD_CSEC_VALUE: {
            const weld_cvalue *v = &s->u.values[i];
            put_valtype(b, v->type);
            weld_buf_u32leb(b, v->len);
            weld_buf_append(b, v->bytes, v->len);
            break;
        }
        }
    }
}

static void put_component(weld_buf *b, const weld_component *c, writer *w)
{
    static const uint8_t pre[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
    weld_buf_append(b, pre, sizeof pre);
    for (uint32_t i = 0; i < c->nsections; i++) {
        const weld_csection *s = &c->sections[i];
        weld_buf_byte(b, s->id);
        size_t pos = weld_buf_size_begin(b);
        put_section_payload(b, s, w);
        weld_buf_size_end(b, pos);
    }
}

weld_status weld_component_write_with(const weld_component *c, const weld_write_opts *module_opts,
                                      uint8_t **out, size_t *out_len, weld_diag *d)
{
    if (!c || !out || !out_len)
        return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET,
                             "weld_component_write: component and outputs are required");
    weld_buf b;
    weld_buf_init(&b);
    weld_buf_reserve(&b, c->input_len ? c->input_len : 256);
    writer w = {module_opts, false, d, WELD_OK};
    put_component(&b, c, &w);
    if (w.status != WELD_OK || b.oom) {
        weld_buf_free(&b);
        if (w.status != WELD_OK) return w.status;
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET,
                             "out of memory while encoding a component");
    }
    *out = b.data;
    *out_len = b.len;
    return WELD_OK;
}

weld_status weld_component_write(const weld_component *c, uint8_t **out, size_t *out_len,
                                 weld_diag *d)
{
    return weld_component_write_with(c, NULL, out, out_len, d);
}

/* The nested modules of a component, in walk order. */
typedef struct module_list {
    size_t n, cap;
    const weld_nested_module **items;
} module_list;

static bool collect_module(const weld_walk_item *it, void *ud)
{
    module_list *l = ud;
    if (!it->module) return true;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        const weld_nested_module **p = realloc(l->items, cap * sizeof *p);
        if (!p) return false;
        l->items = p;
        l->cap = cap;
    }
    l->items[l->n++] = it->module;
    return true;
}

static bool modules_equal(const weld_nested_module *a, const weld_nested_module *b)
{
    if (a->module && b->module) return weld_module_equal(a->module, b->module);
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* Encode a component without its nested modules (whose bytes are compared apart). */
static bool encode_shell(const weld_component *c, uint8_t **out, size_t *n)
{
    weld_buf b;
    weld_buf_init(&b);
    writer w = {NULL, true, NULL, WELD_OK};
    put_component(&b, c, &w);
    if (b.oom) {
        weld_buf_free(&b);
        return false;
    }
    *out = b.data;
    *n = b.len;
    return true;
}

/* Two trees are equal when their encodings without nested modules are (the encoding is a
 * function of every field of the tree, and of nothing else: offsets and sizes are not
 * encoded) and their nested modules are pairwise equal (structurally when decoded). */
bool weld_component_equal(const weld_component *a, const weld_component *b)
{
    uint8_t *ea = NULL, *eb = NULL;
    size_t la = 0, lb = 0;
    bool eq = encode_shell(a, &ea, &la) && encode_shell(b, &eb, &lb) && la == lb &&
              memcmp(ea, eb, la) == 0;
    free(ea);
    free(eb);
    if (!eq) return false;
    module_list ma = {0}, mb = {0};
    eq = weld_component_walk(a, collect_module, &ma) && weld_component_walk(b, collect_module, &mb) &&
         ma.n == mb.n;
    for (size_t i = 0; eq && i < ma.n; i++) eq = modules_equal(ma.items[i], mb.items[i]);
    free(ma.items);
    free(mb.items);
    return eq;
}
