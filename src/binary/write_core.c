/* write_core.c - the core module writer (weld_module -> bytes) and structural equality.
 *
 * Sections are written in the order recorded by the reader (so custom sections land where
 * they were); a module built in memory without that record gets the canonical order.
 * Instruction sequences are copied as read unless reencode_code asks to re-encode every
 * instruction from its decoded form. */
#include "binary.h"
#include "weld/insn.h"
#include <stdlib.h>

typedef struct wr {
    weld_buf *b;
    const weld_module *m;
    bool reencode;
    int too_big;         /* the id + 1 of a section that reached 4 GiB (0: none) */
} wr;

/* A section's or a body's size is a u32: one of 4 GiB or more cannot be written. */
static void size_end(wr *w, size_t at, uint8_t id)
{
    if (w->b->len - at > UINT32_MAX && !w->too_big) w->too_big = id + 1;
    weld_buf_size_end(w->b, at);
}

/* A lower bound of section s's size, known before writing it: what its payloads add up
 * to (so that a section of 4 GiB or more is refused before copying them). */
static uint64_t size_floor(const wr *w, const weld_section_ref *s)
{
    const weld_module *m = w->m;
    uint64_t n = 0;
    switch (s->id) {
    case WELD_SEC_CUSTOM:
        if (s->index < m->ncustoms) n = (uint64_t)m->customs[s->index].name.len + m->customs[s->index].len;
        break;
    case WELD_SEC_CODE:
        for (uint32_t i = 0; i < m->ncode; i++) n += m->code[i].code.len;
        break;
    case WELD_SEC_DATA:
        for (uint32_t i = 0; i < m->ndatas; i++) n += m->datas[i].len;
        break;
    }
    return n;
}

static void put_str(weld_buf *b, weld_str s)
{
    weld_buf_name(b, s.ptr, s.len);
}

static void put_limits(weld_buf *b, const weld_limits *l)
{
    weld_buf_byte(b, l->flags);
    weld_buf_u64leb(b, l->min);
    if (l->flags & WELD_LIMITS_HAS_MAX) weld_buf_u64leb(b, l->max);
}

static void put_tabletype(weld_buf *b, const weld_tabletype *t)
{
    weld_buf_byte(b, t->elem);
    put_limits(b, &t->limits);
}

/* An instruction sequence: raw, or re-encoded instruction by instruction. The tree came
 * from the reader (or was checked by the caller), so decoding cannot fail; if it does, the
 * raw bytes are kept. */
static void put_expr(wr *w, const weld_expr *e)
{
    if (!w->reencode) {
        weld_buf_append(w->b, e->code, e->len);
        return;
    }
    size_t mark = w->b->len;
    weld_insn_reader r;
    weld_insn insn;
    weld_insn_reader_init(&r, e->code, e->len, e->offset);
    weld_insn_reader_use_module(&r, w->m);
    while (!weld_insn_reader_done(&r)) {
        if (weld_insn_read(&r, &insn, NULL) != WELD_OK) {
            w->b->len = mark;
            weld_buf_append(w->b, e->code, e->len);
            return;
        }
        weld_insn_write(w->b, &insn);
    }
}

static void write_types(wr *w)
{
    weld_buf *b = w->b;
    weld_buf_u32leb(b, w->m->ntypes);
    for (uint32_t i = 0; i < w->m->ntypes; i++) {
        const weld_functype *t = &w->m->types[i];
        weld_buf_byte(b, 0x60);
        weld_buf_u32leb(b, t->nparams);
        weld_buf_append(b, t->params, t->nparams);
        weld_buf_u32leb(b, t->nresults);
        weld_buf_append(b, t->results, t->nresults);
    }
}

static void write_imports(wr *w)
{
    weld_buf *b = w->b;
    weld_buf_u32leb(b, w->m->nimports);
    for (uint32_t i = 0; i < w->m->nimports; i++) {
        const weld_import *im = &w->m->imports[i];
        put_str(b, im->module);
        put_str(b, im->name);
        weld_buf_byte(b, im->type.kind);
        switch (im->type.kind) {
        case WELD_EXTERN_FUNC: weld_buf_u32leb(b, im->type.u.func); break;
        case WELD_EXTERN_TABLE: put_tabletype(b, &im->type.u.table); break;
        case WELD_EXTERN_MEMORY: put_limits(b, &im->type.u.memory); break;
        case WELD_EXTERN_GLOBAL:
            weld_buf_byte(b, im->type.u.global.type);
            weld_buf_byte(b, im->type.u.global.mut);
            break;
        case WELD_EXTERN_TAG:
            weld_buf_byte(b, 0);
            weld_buf_u32leb(b, im->type.u.tag);
            break;
        }
    }
}

static void write_u32s(weld_buf *b, uint32_t n, const uint32_t *v)
{
    weld_buf_u32leb(b, n);
    for (uint32_t i = 0; i < n; i++) weld_buf_u32leb(b, v[i]);
}

static void write_elem(wr *w, const weld_elem *e)
{
    weld_buf *b = w->b;
    uint32_t f = e->flags;
    weld_buf_u32leb(b, f);
    if (e->mode == WELD_SEG_ACTIVE) {
        if (f & 2) weld_buf_u32leb(b, e->table);
        put_expr(w, &e->offset);
    }
    if (f & 3) weld_buf_byte(b, e->uses_exprs ? e->type : 0x00);
    if (e->uses_exprs) {
        weld_buf_u32leb(b, e->count);
        for (uint32_t i = 0; i < e->count; i++) put_expr(w, &e->exprs[i]);
    } else {
        write_u32s(b, e->count, e->funcs);
    }
}

static void write_code(wr *w)
{
    weld_buf *b = w->b;
    weld_buf_u32leb(b, w->m->ncode);
    for (uint32_t i = 0; i < w->m->ncode; i++) {
        const weld_func_body *f = &w->m->code[i];
        size_t at = weld_buf_size_begin(b);
        weld_buf_u32leb(b, f->nlocal_groups);
        for (uint32_t k = 0; k < f->nlocal_groups; k++) {
            weld_buf_u32leb(b, f->locals[k].count);
            weld_buf_byte(b, f->locals[k].type);
        }
        put_expr(w, &f->code);
        size_end(w, at, WELD_SEC_CODE);
    }
}

static void write_datas(wr *w)
{
    weld_buf *b = w->b;
    weld_buf_u32leb(b, w->m->ndatas);
    for (uint32_t i = 0; i < w->m->ndatas; i++) {
        const weld_data *s = &w->m->datas[i];
        weld_buf_u32leb(b, s->flags);
        if (s->flags == 2) weld_buf_u32leb(b, s->memory);
        if (s->flags != 1) put_expr(w, &s->offset);
        weld_buf_u32leb(b, s->len);
        weld_buf_append(b, s->bytes, s->len);
    }
}

static void write_custom(wr *w, const weld_custom *c)
{
    put_str(w->b, c->name);
    /* only the name section the names were decoded from is re-encoded from them (a module
     * may hold several, and later ones are kept as read) */
    const weld_names *nm = &w->m->names;
    bool decoded_here = w->m->has_names && nm->nsubsections && c->data &&
                        nm->subsections[0].data >= c->data &&
                        nm->subsections[0].data < c->data + c->len;
    if (w->reencode && decoded_here && c->name.len == 4 && memcmp(c->name.ptr, "name", 4) == 0)
        weld_names_encode(w->b, nm);
    else
        weld_buf_append(w->b, c->data, c->len);
}

static void write_section(wr *w, const weld_section_ref *s)
{
    const weld_module *m = w->m;
    weld_buf *b = w->b;
    if (w->too_big) return;
    if (size_floor(w, s) > UINT32_MAX) {
        w->too_big = s->id + 1;
        return;
    }
    weld_buf_byte(b, s->id);
    size_t at = weld_buf_size_begin(b);
    switch (s->id) {
    case WELD_SEC_CUSTOM:
        if (s->index < m->ncustoms) write_custom(w, &m->customs[s->index]);
        break;
    case WELD_SEC_TYPE: write_types(w); break;
    case WELD_SEC_IMPORT: write_imports(w); break;
    case WELD_SEC_FUNCTION: write_u32s(b, m->nfuncs, m->func_types); break;
    case WELD_SEC_TABLE:
        weld_buf_u32leb(b, m->ntables);
        for (uint32_t i = 0; i < m->ntables; i++) put_tabletype(b, &m->tables[i]);
        break;
    case WELD_SEC_MEMORY:
        weld_buf_u32leb(b, m->nmemories);
        for (uint32_t i = 0; i < m->nmemories; i++) put_limits(b, &m->memories[i]);
        break;
    case WELD_SEC_TAG:
        weld_buf_u32leb(b, m->ntags);
        for (uint32_t i = 0; i < m->ntags; i++) {
            weld_buf_byte(b, 0);
            weld_buf_u32leb(b, m->tags[i]);
        }
        break;
    case WELD_SEC_GLOBAL:
        weld_buf_u32leb(b, m->nglobals);
        for (uint32_t i = 0; i < m->nglobals; i++) {
            weld_buf_byte(b, m->globals[i].type.type);
            weld_buf_byte(b, m->globals[i].type.mut);
            put_expr(w, &m->globals[i].init);
        }
        break;
    case WELD_SEC_EXPORT:
        weld_buf_u32leb(b, m->nexports);
        for (uint32_t i = 0; i < m->nexports; i++) {
            put_str(b, m->exports[i].name);
            weld_buf_byte(b, m->exports[i].kind);
            weld_buf_u32leb(b, m->exports[i].index);
        }
        break;
    case WELD_SEC_START: weld_buf_u32leb(b, m->start); break;
    case WELD_SEC_ELEMENT:
        weld_buf_u32leb(b, m->nelems);
        for (uint32_t i = 0; i < m->nelems; i++) write_elem(w, &m->elems[i]);
        break;
    case WELD_SEC_DATACOUNT: weld_buf_u32leb(b, m->datacount); break;
    case WELD_SEC_CODE: write_code(w); break;
    case WELD_SEC_DATA: write_datas(w); break;
    }
    size_end(w, at, s->id);
}

/* The canonical section list of a module built in memory (no recorded order). */
static uint32_t default_sections(const weld_module *m, weld_section_ref *out)
{
    static const uint8_t order[] = {1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11};
    uint32_t n = 0;
    for (size_t i = 0; i < sizeof order; i++) {
        uint8_t id = order[i];
        bool present = false;
        switch (id) {
        case WELD_SEC_TYPE: present = m->ntypes; break;
        case WELD_SEC_IMPORT: present = m->nimports; break;
        case WELD_SEC_FUNCTION: present = m->nfuncs; break;
        case WELD_SEC_TABLE: present = m->ntables; break;
        case WELD_SEC_MEMORY: present = m->nmemories; break;
        case WELD_SEC_TAG: present = m->ntags; break;
        case WELD_SEC_GLOBAL: present = m->nglobals; break;
        case WELD_SEC_EXPORT: present = m->nexports; break;
        case WELD_SEC_START: present = m->has_start; break;
        case WELD_SEC_ELEMENT: present = m->nelems; break;
        case WELD_SEC_DATACOUNT: present = m->has_datacount; break;
        case WELD_SEC_CODE: present = m->ncode; break;
        case WELD_SEC_DATA: present = m->ndatas; break;
        }
        if (present) out[n++] = (weld_section_ref){id, 0, 0, 0};
    }
    for (uint32_t i = 0; i < m->ncustoms; i++) out[n++] = (weld_section_ref){0, i, 0, 0};
    return n;
}

weld_status weld_module_write(const weld_module *m, const weld_write_opts *opts,
                              uint8_t **out, size_t *out_len, weld_diag *d)
{
    weld_buf b;
    weld_buf_init(&b);
    /* bodies dominate; reserve roughly the input size */
    weld_buf_reserve(&b, m->input_len ? m->input_len + 16 : 256);
    wr w = {&b, m, opts && opts->reencode_code, 0};
    weld_buf_append(&b, "\0asm\1\0\0\0", 8);
    if (m->sections) {
        for (uint32_t i = 0; i < m->nsections; i++) write_section(&w, &m->sections[i]);
    } else {
        weld_section_ref *refs = malloc((13 + (size_t)m->ncustoms) * sizeof *refs);
        if (!refs) {
            weld_buf_free(&b);
            return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
        }
        uint32_t n = default_sections(m, refs);
        for (uint32_t i = 0; i < n; i++) write_section(&w, &refs[i]);
        free(refs);
    }
    if (w.too_big) {
        weld_buf_free(&b);
        return weld_diag_set(d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET,
                             "%s section: 4 GiB or larger, beyond the binary format's u32 sizes",
                             w.too_big - 1 == WELD_SEC_CUSTOM ? "a custom"
                             : w.too_big - 1 == WELD_SEC_CODE ? "the code"
                             : w.too_big - 1 == WELD_SEC_DATA ? "the data" : "a");
    }
    if (b.oom) {
        weld_buf_free(&b);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory writing a module");
    }
    *out = b.data;
    *out_len = b.len;
    return WELD_OK;
}

/* ---- structural equality -------------------------------------------------------------- */

static bool str_eq(weld_str a, weld_str b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

static bool limits_eq(const weld_limits *a, const weld_limits *b)
{
    return a->flags == b->flags && a->min == b->min &&
           (!(a->flags & WELD_LIMITS_HAS_MAX) || a->max == b->max);
}

/* Do two instruction sequences decode to the same instructions? */
static bool expr_eq(const weld_expr *a, const weld_expr *b, const weld_module *const *mods)
{
    weld_insn_reader ra, rb;
    weld_insn_reader_init(&ra, a->code, a->len, 0);
    weld_insn_reader_init(&rb, b->code, b->len, 0);
    weld_insn_reader_use_module(&ra, mods[0]);
    weld_insn_reader_use_module(&rb, mods[1]);
    weld_insn x, y;
    while (!weld_insn_reader_done(&ra) && !weld_insn_reader_done(&rb)) {
        if (weld_insn_read(&ra, &x, NULL) || weld_insn_read(&rb, &y, NULL))
            return a->len == b->len && memcmp(a->code, b->code, a->len) == 0;
        if (!weld_insn_equal(&x, &y)) return false;
    }
    return weld_insn_reader_done(&ra) && weld_insn_reader_done(&rb);
}

static bool externtype_eq(const weld_externtype *a, const weld_externtype *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case WELD_EXTERN_FUNC: return a->u.func == b->u.func;
    case WELD_EXTERN_TABLE:
        return a->u.table.elem == b->u.table.elem && limits_eq(&a->u.table.limits, &b->u.table.limits);
    case WELD_EXTERN_MEMORY: return limits_eq(&a->u.memory, &b->u.memory);
    case WELD_EXTERN_GLOBAL:
        return a->u.global.type == b->u.global.type && a->u.global.mut == b->u.global.mut;
    case WELD_EXTERN_TAG: return a->u.tag == b->u.tag;
    }
    return false;
}

#define SAME_COUNT(f) if (a->f != b->f) return false

bool weld_module_equal(const weld_module *a, const weld_module *b)
{
    const weld_module *mods[2] = {a, b};
    SAME_COUNT(ntypes);
    for (uint32_t i = 0; i < a->ntypes; i++) {
        const weld_functype *x = &a->types[i], *y = &b->types[i];
        if (x->nparams != y->nparams || x->nresults != y->nresults ||
            memcmp(x->params, y->params, x->nparams) || memcmp(x->results, y->results, x->nresults))
            return false;
    }
    SAME_COUNT(nimports);
    for (uint32_t i = 0; i < a->nimports; i++)
        if (!str_eq(a->imports[i].module, b->imports[i].module) ||
            !str_eq(a->imports[i].name, b->imports[i].name) ||
            !externtype_eq(&a->imports[i].type, &b->imports[i].type))
            return false;
    SAME_COUNT(nfuncs);
    if (a->nfuncs && memcmp(a->func_types, b->func_types, a->nfuncs * sizeof(uint32_t))) return false;
    SAME_COUNT(ntables);
    for (uint32_t i = 0; i < a->ntables; i++)
        if (a->tables[i].elem != b->tables[i].elem || !limits_eq(&a->tables[i].limits, &b->tables[i].limits))
            return false;
    SAME_COUNT(nmemories);
    for (uint32_t i = 0; i < a->nmemories; i++)
        if (!limits_eq(&a->memories[i], &b->memories[i])) return false;
    SAME_COUNT(ntags);
    if (a->ntags && memcmp(a->tags, b->tags, a->ntags * sizeof(uint32_t))) return false;
    SAME_COUNT(nglobals);
    for (uint32_t i = 0; i < a->nglobals; i++)
        if (a->globals[i].type.type != b->globals[i].type.type ||
            a->globals[i].type.mut != b->globals[i].type.mut ||
            !expr_eq(&a->globals[i].init, &b->globals[i].init, mods))
            return false;
    SAME_COUNT(nexports);
    for (uint32_t i = 0; i < a->nexports; i++)
        if (!str_eq(a->exports[i].name, b->exports[i].name) || a->exports[i].kind != b->exports[i].kind ||
            a->exports[i].index != b->exports[i].index)
            return false;
    SAME_COUNT(has_start);
    if (a->has_start && a->start != b->start) return false;
    SAME_COUNT(nelems);
    for (uint32_t i = 0; i < a->nelems; i++) {
        const weld_elem *x = &a->elems[i], *y = &b->elems[i];
        if (x->flags != y->flags || x->mode != y->mode || x->table != y->table ||
            x->type != y->type || x->count != y->count || x->uses_exprs != y->uses_exprs)
            return false;
        if (x->mode == WELD_SEG_ACTIVE && !expr_eq(&x->offset, &y->offset, mods)) return false;
        for (uint32_t k = 0; k < x->count; k++)
            if (x->uses_exprs ? !expr_eq(&x->exprs[k], &y->exprs[k], mods) : x->funcs[k] != y->funcs[k])
                return false;
    }
    SAME_COUNT(has_datacount);
    if (a->has_datacount && a->datacount != b->datacount) return false;
    SAME_COUNT(ncode);
    for (uint32_t i = 0; i < a->ncode; i++) {
        const weld_func_body *x = &a->code[i], *y = &b->code[i];
        if (x->nlocal_groups != y->nlocal_groups) return false;
        for (uint32_t k = 0; k < x->nlocal_groups; k++)
            if (x->locals[k].count != y->locals[k].count || x->locals[k].type != y->locals[k].type)
                return false;
        if (!expr_eq(&x->code, &y->code, mods)) return false;
    }
    SAME_COUNT(ndatas);
    for (uint32_t i = 0; i < a->ndatas; i++) {
        const weld_data *x = &a->datas[i], *y = &b->datas[i];
        if (x->flags != y->flags || x->memory != y->memory || x->len != y->len ||
            memcmp(x->bytes, y->bytes, x->len))
            return false;
        if (x->flags != 1 && !expr_eq(&x->offset, &y->offset, mods)) return false;
    }
    SAME_COUNT(ncustoms);
    for (uint32_t i = 0; i < a->ncustoms; i++)
        if (!str_eq(a->customs[i].name, b->customs[i].name) || a->customs[i].len != b->customs[i].len ||
            memcmp(a->customs[i].data, b->customs[i].data, a->customs[i].len))
            return false;
    SAME_COUNT(nsections);
    for (uint32_t i = 0; i < a->nsections; i++)
        if (a->sections[i].id != b->sections[i].id) return false;
    return true;
}
