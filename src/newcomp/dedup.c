/* dedup.c - a core module's repeated function imports made one. Go's wasip1 port imports
 * some preview1 functions twice under the same module and name (once from the runtime,
 * once from the syscall package); a core module inside a component may not (wasmparser
 * rejects "duplicate import name"), so each is kept once, at its first position, and
 * every function index after it moves down: calls, ref.func, element segments, global
 * initializers, exports and the start function. */
#include "base/base.h"
#include "newcomp/newcomp_int.h"
#include <stdlib.h>
#include <string.h>

static bool same_functype(const weld_functype *a, const weld_functype *b)
{
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           (!a->nparams || memcmp(a->params, b->params, a->nparams * sizeof *a->params) == 0) &&
           (!a->nresults || memcmp(a->results, b->results, a->nresults * sizeof *a->results) == 0);
}

static bool str_same(weld_str a, weld_str b) { return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0; }

#define DD_OOM() weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory merging repeated imports")

weld_status nc_dedup_imports(weld_arena *a, const weld_module *m, uint64_t import_off, bool *changed, uint8_t **out,
                             size_t *out_len, weld_diag *d)
{
    *changed = false;
    uint32_t ni = m->nimported_funcs, nf = ni + m->nfuncs;
    /* first[k]: the function index of the first import with import k's module and name */
    uint32_t *first = weld_arena_alloc(a, sizeof *first * (ni + 1));
    uint32_t *fidx = weld_arena_alloc(a, sizeof *fidx * (m->nimports + 1)); /* import -> function index */
    if (!first || !fidx) return DD_OOM();
    uint32_t ndup = 0;
    for (uint32_t i = 0, k = 0; i < m->nimports; i++) {
        const weld_import *im = &m->imports[i];
        if (im->type.kind != WELD_EXTERN_FUNC) continue;
        fidx[i] = k;
        first[k] = k;
        for (uint32_t j = 0; j < i; j++) {
            const weld_import *pj = &m->imports[j];
            if (pj->type.kind != WELD_EXTERN_FUNC || !str_same(pj->module, im->module) || !str_same(pj->name, im->name))
                continue;
            if (im->type.u.func >= m->ntypes || pj->type.u.func >= m->ntypes ||
                !same_functype(&m->types[im->type.u.func], &m->types[pj->type.u.func]))
                return weld_diag_set(d, WELD_ERR_UNSUPPORTED, import_off,
                                     "core import `%.*s` `%.*s` is imported twice with different types; a component's "
                                     "core module may import it once",
                                     (int)im->module.len, im->module.ptr, (int)im->name.len, im->name.ptr);
            first[k] = fidx[j];
            ndup++;
            break;
        }
        k++;
    }
    if (!ndup) return WELD_OK;
    uint32_t *map = weld_arena_alloc(a, sizeof *map * (nf + 1));
    weld_import *imports = weld_arena_alloc(a, sizeof *imports * m->nimports);
    weld_func_body *code = weld_arena_alloc(a, sizeof *code * (m->ncode + 1));
    weld_export *exports = weld_arena_alloc(a, sizeof *exports * (m->nexports + 1));
    weld_elem *elems = weld_arena_alloc(a, sizeof *elems * (m->nelems + 1));
    weld_global *globals = weld_arena_alloc(a, sizeof *globals * (m->nglobals + 1));
    if (!map || !imports || !code || !exports || !elems || !globals) return DD_OOM();
    uint32_t n = 0;
    for (uint32_t f = 0; f < ni; f++) map[f] = first[f] == f ? n++ : UINT32_MAX;
    for (uint32_t f = 0; f < ni; f++)
        if (first[f] != f) map[f] = map[first[f]];
    for (uint32_t f = ni; f < nf; f++) map[f] = n++;
    weld_module t = *m;
    t.sections = NULL;
    t.nsections = 0;
    t.has_names = false; /* function indices moved */
    t.nimports = 0;
    t.nimported_funcs = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        bool fn = m->imports[i].type.kind == WELD_EXTERN_FUNC;
        if (fn && first[fidx[i]] != fidx[i]) continue;
        imports[t.nimports++] = m->imports[i];
        if (fn) t.nimported_funcs++;
    }
    t.imports = imports;
    for (uint32_t i = 0; i < m->ncode; i++) {
        code[i] = m->code[i];
        NC_TRY(nc_rewrite_funcs(a, &m->code[i].code, map, nf, -1, &code[i].code, d));
    }
    t.code = code;
    for (uint32_t i = 0; i < m->nglobals; i++) {
        globals[i] = m->globals[i];
        NC_TRY(nc_rewrite_funcs(a, &m->globals[i].init, map, nf, -1, &globals[i].init, d));
    }
    t.globals = globals;
    for (uint32_t i = 0; i < m->nexports; i++) {
        exports[i] = m->exports[i];
        if (exports[i].kind == WELD_EXTERN_FUNC && exports[i].index < nf) exports[i].index = map[exports[i].index];
    }
    t.exports = exports;
    for (uint32_t i = 0; i < m->nelems; i++) {
        elems[i] = m->elems[i];
        if (m->elems[i].uses_exprs) {
            weld_expr *ex = weld_arena_alloc(a, sizeof *ex * (m->elems[i].count + 1));
            if (!ex) return DD_OOM();
            for (uint32_t k = 0; k < m->elems[i].count; k++) NC_TRY(nc_rewrite_funcs(a, &m->elems[i].exprs[k], map, nf, -1, &ex[k], d));
            elems[i].exprs = ex;
        } else {
            uint32_t *fs = weld_arena_alloc(a, sizeof *fs * (m->elems[i].count + 1));
            if (!fs) return DD_OOM();
            for (uint32_t k = 0; k < m->elems[i].count; k++)
                fs[k] = m->elems[i].funcs[k] < nf ? map[m->elems[i].funcs[k]] : m->elems[i].funcs[k];
            elems[i].funcs = fs;
        }
    }
    t.elems = elems;
    if (m->has_start && m->start < nf) t.start = map[m->start];
    NC_TRY(weld_module_write(&t, NULL, out, out_len, d));
    *changed = true;
    return WELD_OK;
}
