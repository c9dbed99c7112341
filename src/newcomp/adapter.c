/* adapter.c - a WASI preview1 adapter module trimmed to what a main module uses: the
 * functions reachable from the exports it needs (calls, ref.func, tables, start), its
 * function imports cut to those reached, every index rewritten; the lazily allocated
 * stack wit-component gives adapters (a function that takes 64 KiB from the main
 * module's cabi_realloc, called first by every export) injected when the adapter has
 * `__stack_pointer` and `allocation_state` globals. */
#include "base/base.h"
#include "newcomp/newcomp_int.h"
#include "weld/insn.h"
#include <stdlib.h>
#include <string.h>

/* The index of the global named `name` by the name section (subsection 7), or -1. */
static int64_t global_named(const weld_module *m, const char *name)
{
    if (!m->has_names) return -1;
    size_t nl = strlen(name);
    for (uint32_t s = 0; s < m->names.nsubsections; s++) {
        const weld_name_subsection *ss = &m->names.subsections[s];
        if (ss->id != 7) continue;
        const uint8_t *p = ss->data, *end = ss->data + ss->len;
        uint32_t n;
        if (!weld_leb_u32(&p, end, &n)) return -1;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t idx, len;
            if (!weld_leb_u32(&p, end, &idx) || !weld_leb_u32(&p, end, &len) || len > (size_t)(end - p)) return -1;
            if (len == nl && memcmp(p, name, nl) == 0) return idx;
            p += len;
        }
    }
    return -1;
}

static bool op_has_func(uint16_t op) { return weld_opinfos[op].imm == WELD_IMM_FUNC; }

/* Mark what `e` calls or references. */
static weld_status scan(const weld_expr *e, uint32_t *stack, uint32_t *nstack, bool *live, uint32_t nfuncs, weld_diag *d)
{
    weld_insn_reader r;
    weld_insn_reader_init(&r, e->code, e->len, e->offset);
    weld_insn in;
    while (!weld_insn_reader_done(&r)) {
        weld_status st = weld_insn_read(&r, &in, d);
        if (st != WELD_OK) return st;
        if (op_has_func(in.op) && in.u.index < nfuncs && !live[in.u.index]) {
            live[in.u.index] = true;
            stack[(*nstack)++] = in.u.index;
        }
    }
    return WELD_OK;
}

/* `e` with function indices rewritten through map, into arena memory. */
weld_status nc_rewrite_funcs(weld_arena *a, const weld_expr *e, const uint32_t *map, uint32_t nmap, int64_t prefix_call,
                             weld_expr *out, weld_diag *d)
{
    weld_buf b;
    weld_buf_init(&b);
    if (prefix_call >= 0) {
        weld_buf_byte(&b, 0x10);
        weld_buf_u32leb(&b, (uint32_t)prefix_call);
    }
    weld_insn_reader r;
    weld_insn_reader_init(&r, e->code, e->len, e->offset);
    weld_insn in;
    while (!weld_insn_reader_done(&r)) {
        const uint8_t *start = r.p;
        weld_status st = weld_insn_read(&r, &in, d);
        if (st != WELD_OK) {
            weld_buf_free(&b);
            return st;
        }
        if (op_has_func(in.op)) {
            if (in.u.index >= nmap) {
                weld_buf_free(&b);
                return weld_diag_set(d, WELD_ERR_INVALID, in.offset, "function index %u out of range", in.u.index);
            }
            in.u.index = map[in.u.index];
            weld_insn_write(&b, &in);
        } else {
            weld_buf_append(&b, start, (size_t)(r.p - start));
        }
    }
    uint8_t *p = b.oom ? NULL : weld_arena_alloc(a, b.len ? b.len : 1);
    if (!p) {
        weld_buf_free(&b);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory rewriting function indices");
    }
    memcpy(p, b.data, b.len);
    out->code = p;
    out->len = (uint32_t)b.len;
    out->offset = e->offset;
    weld_buf_free(&b);
    return WELD_OK;
}

weld_status nc_adapter_trim(weld_arena *a, const weld_module *m, const char *const *keep, uint32_t nkeep, bool synth_realloc,
                            uint8_t **out, size_t *out_len, weld_diag *d)
{
    uint32_t ni = m->nimported_funcs, nf = ni + m->nfuncs;
    bool *live = weld_arena_alloc(a, nf + 2);
    uint32_t *stack = weld_arena_alloc(a, sizeof *stack * (nf + 2));
    uint32_t *map = weld_arena_alloc(a, sizeof *map * (nf + 2));
    if (!live || !stack || !map) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory trimming the adapter");
    memset(live, 0, nf + 2);
    uint32_t nstack = 0;
    bool *keep_export = weld_arena_alloc(a, m->nexports + 1);
    if (!keep_export) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory trimming the adapter");
    memset(keep_export, 0, m->nexports + 1);
    for (uint32_t i = 0; i < m->nexports; i++) {
        const weld_export *e = &m->exports[i];
        bool k = e->kind != WELD_EXTERN_FUNC;
        for (uint32_t j = 0; j < nkeep && !k; j++)
            if (strcmp(e->name.ptr, keep[j]) == 0) k = true;
        keep_export[i] = k;
        if (k && e->kind == WELD_EXTERN_FUNC && e->index < nf && !live[e->index]) {
            live[e->index] = true;
            stack[nstack++] = e->index;
        }
    }
    if (m->has_start && m->start < nf && !live[m->start]) {
        live[m->start] = true;
        stack[nstack++] = m->start;
    }
    for (uint32_t i = 0; i < m->nelems; i++) {
        const weld_elem *e = &m->elems[i];
        for (uint32_t k = 0; k < e->count; k++) {
            if (!e->uses_exprs) {
                if (e->funcs[k] < nf && !live[e->funcs[k]]) {
                    live[e->funcs[k]] = true;
                    stack[nstack++] = e->funcs[k];
                }
            } else {
                NC_TRY(scan(&e->exprs[k], stack, &nstack, live, nf, d));
            }
        }
    }
    for (uint32_t i = 0; i < m->nglobals; i++) NC_TRY(scan(&m->globals[i].init, stack, &nstack, live, nf, d));
    /* the stack allocator needs the main module's realloc */
    int64_t sp = global_named(m, "__stack_pointer"), as = global_named(m, "allocation_state");
    int64_t main_realloc = -1;
    for (uint32_t i = 0, k = 0; i < m->nimports; i++) {
        if (m->imports[i].type.kind != WELD_EXTERN_FUNC) continue;
        if (strcmp(m->imports[i].module.ptr, "__main_module__") == 0 && strcmp(m->imports[i].name.ptr, "cabi_realloc") == 0)
            main_realloc = k;
        k++;
    }
    bool inject = sp >= 0 && as >= 0 && main_realloc >= 0;
    if (inject && !live[main_realloc]) {
        live[main_realloc] = true;
    }
    if (main_realloc < 0) synth_realloc = false;
    while (nstack) {
        uint32_t f = stack[--nstack];
        if (f < ni) continue;
        if (f - ni >= m->ncode) return weld_diag_set(d, WELD_ERR_MALFORMED, WELD_NO_OFFSET, "adapter: function %u has no body", f);
        NC_TRY(scan(&m->code[f - ni].code, stack, &nstack, live, nf, d));
    }
    /* the new index space: kept imports, kept definitions, then the allocator */
    uint32_t n = 0;
    for (uint32_t f = 0; f < nf; f++)
        map[f] = live[f] && !(synth_realloc && (int64_t)f == main_realloc) ? n++ : UINT32_MAX;
    uint32_t alloc_func = inject ? n++ : UINT32_MAX;
    uint32_t realloc_func = synth_realloc && live[main_realloc] ? n++ : UINT32_MAX;
    if (realloc_func != UINT32_MAX) map[main_realloc] = realloc_func;
    weld_module t = *m;
    t.sections = NULL;
    t.nsections = 0;
    t.ncustoms = 0;
    t.customs = NULL;
    t.has_names = false;
    weld_import *imports = weld_arena_alloc(a, sizeof *imports * (m->nimports + 1));
    uint32_t *ftypes = weld_arena_alloc(a, sizeof *ftypes * (m->nfuncs + 3));
    weld_func_body *code = weld_arena_alloc(a, sizeof *code * (m->nfuncs + 3));
    weld_export *exports = weld_arena_alloc(a, sizeof *exports * (m->nexports + 1));
    weld_elem *elems = weld_arena_alloc(a, sizeof *elems * (m->nelems + 1));
    weld_functype *types = weld_arena_alloc(a, sizeof *types * (m->ntypes + 1));
    if (!imports || !ftypes || !code || !exports || !elems || !types)
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory trimming the adapter");
    t.nimports = 0;
    t.nimported_funcs = 0;
    for (uint32_t i = 0, k = 0; i < m->nimports; i++) {
        bool fn = m->imports[i].type.kind == WELD_EXTERN_FUNC;
        if (!fn || (live[k] && !(realloc_func != UINT32_MAX && (int64_t)k == main_realloc))) {
            imports[t.nimports++] = m->imports[i];
            if (fn) t.nimported_funcs++;
        }
        if (fn) k++;
    }
    t.imports = imports;
    /* the () -> () type of the allocator */
    if (m->ntypes) memcpy(types, m->types, sizeof *types * m->ntypes);
    t.types = types;
    uint32_t unit = UINT32_MAX;
    for (uint32_t i = 0; i < m->ntypes && unit == UINT32_MAX; i++)
        if (!m->types[i].nparams && !m->types[i].nresults) unit = i;
    if (inject && unit == UINT32_MAX) {
        memset(&types[m->ntypes], 0, sizeof types[0]);
        unit = t.ntypes++;
    }
    t.nfuncs = 0;
    for (uint32_t f = ni; f < nf; f++) {
        if (!live[f]) continue;
        bool exported = false;
        for (uint32_t i = 0; i < m->nexports && !exported; i++)
            if (keep_export[i] && m->exports[i].kind == WELD_EXTERN_FUNC && m->exports[i].index == f) exported = true;
        ftypes[t.nfuncs] = m->func_types[f - ni];
        code[t.nfuncs] = m->code[f - ni];
        NC_TRY(nc_rewrite_funcs(a, &m->code[f - ni].code, map, nf, inject && exported ? (int64_t)alloc_func : -1, &code[t.nfuncs].code, d));
        t.nfuncs++;
    }
    if (inject) {
        weld_buf b;
        weld_buf_init(&b);
        uint32_t g_sp = (uint32_t)sp, g_as = (uint32_t)as;
        weld_buf_byte(&b, 0x23), weld_buf_u32leb(&b, g_as);
        weld_buf_byte(&b, 0x45); /* i32.eqz */
        weld_buf_byte(&b, 0x04), weld_buf_byte(&b, 0x40);
        weld_buf_byte(&b, 0x41), weld_buf_s32leb(&b, 1);
        weld_buf_byte(&b, 0x24), weld_buf_u32leb(&b, g_as);
        weld_buf_byte(&b, 0x41), weld_buf_s32leb(&b, 0);
        weld_buf_byte(&b, 0x41), weld_buf_s32leb(&b, 0);
        weld_buf_byte(&b, 0x41), weld_buf_s32leb(&b, 8);
        weld_buf_byte(&b, 0x41), weld_buf_s32leb(&b, 65536);
        weld_buf_byte(&b, 0x10), weld_buf_u32leb(&b, map[main_realloc]);
        weld_buf_byte(&b, 0x41), weld_buf_s32leb(&b, 65536);
        weld_buf_byte(&b, 0x6a); /* i32.add */
        weld_buf_byte(&b, 0x24), weld_buf_u32leb(&b, g_sp);
        weld_buf_byte(&b, 0x41), weld_buf_s32leb(&b, 2);
        weld_buf_byte(&b, 0x24), weld_buf_u32leb(&b, g_as);
        weld_buf_byte(&b, 0x0b);
        weld_buf_byte(&b, 0x0b);
        uint8_t *p = b.oom ? NULL : weld_arena_alloc(a, b.len);
        if (!p) {
            weld_buf_free(&b);
            return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory trimming the adapter");
        }
        memcpy(p, b.data, b.len);
        memset(&code[t.nfuncs], 0, sizeof code[0]);
        code[t.nfuncs].code.code = p;
        code[t.nfuncs].code.len = (uint32_t)b.len;
        ftypes[t.nfuncs] = unit;
        t.nfuncs++;
        weld_buf_free(&b);
    }
    if (realloc_func != UINT32_MAX) {
        /* the main module exports no cabi_realloc: allocate whole pages with memory.grow
         * (new allocations only, as the adapter needs them) */
        static const uint8_t body[] = {0x20, 0x00, 0x04, 0x40, 0x00, 0x0b,             /* old ptr: trap */
                                       0x20, 0x03, 0x41, 0xff, 0xff, 0x03, 0x6a, 0x41, 0x10, 0x76,
                                       0x40, 0x00, 0x22, 0x04, 0x41, 0x7f, 0x46, 0x04, 0x40, 0x00, 0x0b,
                                       0x20, 0x04, 0x41, 0x10, 0x74, 0x0b};
        static const weld_local_group one_i32 = {1, WELD_I32};
        uint32_t ti = UINT32_MAX;
        for (uint32_t i = 0, k = 0; i < m->nimports; i++) {
            if (m->imports[i].type.kind != WELD_EXTERN_FUNC) continue;
            if ((int64_t)k++ == main_realloc) ti = m->imports[i].type.u.func;
        }
        memset(&code[t.nfuncs], 0, sizeof code[0]);
        code[t.nfuncs].nlocal_groups = 1;
        code[t.nfuncs].locals = &one_i32;
        code[t.nfuncs].nlocals = 1;
        code[t.nfuncs].code.code = body;
        code[t.nfuncs].code.len = sizeof body;
        ftypes[t.nfuncs] = ti;
        t.nfuncs++;
    }
    t.func_types = ftypes;
    t.code = code;
    t.ncode = t.nfuncs;
    t.nexports = 0;
    for (uint32_t i = 0; i < m->nexports; i++) {
        if (!keep_export[i]) continue;
        exports[t.nexports] = m->exports[i];
        if (m->exports[i].kind == WELD_EXTERN_FUNC) exports[t.nexports].index = map[m->exports[i].index];
        t.nexports++;
    }
    t.exports = exports;
    for (uint32_t i = 0; i < m->nelems; i++) {
        elems[i] = m->elems[i];
        if (m->elems[i].uses_exprs) {
            weld_expr *ex = weld_arena_alloc(a, sizeof *ex * (m->elems[i].count + 1));
            if (!ex) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory trimming the adapter");
            for (uint32_t k = 0; k < m->elems[i].count; k++) NC_TRY(nc_rewrite_funcs(a, &m->elems[i].exprs[k], map, nf, -1, &ex[k], d));
            elems[i].exprs = ex;
        } else {
            uint32_t *fs = weld_arena_alloc(a, sizeof *fs * (m->elems[i].count + 1));
            if (!fs) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory trimming the adapter");
            for (uint32_t k = 0; k < m->elems[i].count; k++) fs[k] = map[m->elems[i].funcs[k]];
            elems[i].funcs = fs;
        }
    }
    t.elems = elems;
    if (m->has_start) t.start = map[m->start];
    return weld_module_write(&t, NULL, out, out_len, d);
}
