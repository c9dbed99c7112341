/* realloc.c - a cabi_realloc of weld's own for a module that exports none: a bump
 * allocator over pages taken with memory.grow (two globals appended: the next free byte
 * and the end of the pages taken), copying the old block when asked to grow one. */
#include "base/base.h"
#include "newcomp/newcomp_int.h"
#include <stdlib.h>
#include <string.h>

/* locals: 0 old_ptr, 1 old_size, 2 align, 3 new_size, 4 p, 5 pages/i */
static void body(weld_buf *b, uint32_t g_ptr, uint32_t g_end)
{
#define OP(x) weld_buf_byte(b, (x))
#define U(x) weld_buf_u32leb(b, (x))
#define S(x) weld_buf_s32leb(b, (x))
    /* p = (ptr + align - 1) & -align */
    OP(0x23), U(g_ptr), OP(0x20), U(2), OP(0x6a), OP(0x41), S(1), OP(0x6b);
    OP(0x41), S(0), OP(0x20), U(2), OP(0x6b), OP(0x71), OP(0x22), U(4);
    /* if p + new_size > end: take ceil((new_size + align) / 64Ki) fresh pages */
    OP(0x20), U(3), OP(0x6a), OP(0x23), U(g_end), OP(0x4b), OP(0x04), OP(0x40);
    OP(0x20), U(3), OP(0x20), U(2), OP(0x6a), OP(0x41), S(65535), OP(0x6a), OP(0x41), S(16), OP(0x76), OP(0x22), U(5);
    OP(0x40), OP(0x00), OP(0x22), U(4), OP(0x41), S(-1), OP(0x46), OP(0x04), OP(0x40), OP(0x00), OP(0x0b);
    OP(0x20), U(4), OP(0x41), S(16), OP(0x74), OP(0x22), U(4);
    OP(0x20), U(5), OP(0x41), S(16), OP(0x74), OP(0x6a), OP(0x24), U(g_end);
    OP(0x0b);
    /* ptr = p + new_size */
    OP(0x20), U(4), OP(0x20), U(3), OP(0x6a), OP(0x24), U(g_ptr);
    /* a block that grows: copy min(old_size, new_size) bytes */
    OP(0x20), U(0), OP(0x04), OP(0x40);
    OP(0x20), U(1), OP(0x20), U(3), OP(0x20), U(1), OP(0x20), U(3), OP(0x49), OP(0x1b), OP(0x21), U(1);
    OP(0x41), S(0), OP(0x21), U(5);
    OP(0x02), OP(0x40), OP(0x03), OP(0x40);
    OP(0x20), U(5), OP(0x20), U(1), OP(0x4f), OP(0x0d), U(1);
    OP(0x20), U(4), OP(0x20), U(5), OP(0x6a);
    OP(0x20), U(0), OP(0x20), U(5), OP(0x6a), OP(0x2d), U(0), U(0);
    OP(0x3a), U(0), U(0);
    OP(0x20), U(5), OP(0x41), S(1), OP(0x6a), OP(0x21), U(5);
    OP(0x0c), U(0);
    OP(0x0b), OP(0x0b);
    OP(0x0b);
    OP(0x20), U(4);
    OP(0x0b);
#undef OP
#undef U
#undef S
}

weld_status nc_add_realloc(weld_arena *a, const weld_module *m, uint8_t **out, size_t *out_len, weld_diag *d)
{
    static const weld_valtype four[4] = {WELD_I32, WELD_I32, WELD_I32, WELD_I32};
    static const weld_valtype one[1] = {WELD_I32};
    static const weld_local_group locals = {2, WELD_I32};
    static const uint8_t zero_init[] = {0x41, 0x00, 0x0b};
    if (m->nmemories + m->nimported_memories == 0)
        return weld_diag_set(d, WELD_ERR_LINK, WELD_NO_OFFSET, "cannot synthesize cabi_realloc: the module has no memory");
    weld_module t = *m;
    t.sections = NULL;
    t.nsections = 0;
    weld_functype *types = weld_arena_alloc(a, sizeof *types * (m->ntypes + 1));
    uint32_t *ftypes = weld_arena_alloc(a, sizeof *ftypes * (m->nfuncs + 1));
    weld_func_body *code = weld_arena_alloc(a, sizeof *code * (m->ncode + 1));
    weld_global *globals = weld_arena_alloc(a, sizeof *globals * (m->nglobals + 2));
    weld_export *exports = weld_arena_alloc(a, sizeof *exports * (m->nexports + 1));
    if (!types || !ftypes || !code || !globals || !exports)
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory adding cabi_realloc");
    if (m->ntypes) memcpy(types, m->types, sizeof *types * m->ntypes);
    uint32_t ti = UINT32_MAX;
    for (uint32_t i = 0; i < m->ntypes && ti == UINT32_MAX; i++)
        if (types[i].nparams == 4 && types[i].nresults == 1 && memcmp(types[i].params, four, 4) == 0 && types[i].results[0] == WELD_I32)
            ti = i;
    if (ti == UINT32_MAX) {
        types[t.ntypes] = (weld_functype){4, 1, four, one};
        ti = t.ntypes++;
    }
    t.types = types;
    uint32_t g_ptr = m->nimported_globals + m->nglobals, g_end = g_ptr + 1;
    if (m->nglobals) memcpy(globals, m->globals, sizeof *globals * m->nglobals);
    for (uint32_t i = 0; i < 2; i++) {
        memset(&globals[m->nglobals + i], 0, sizeof globals[0]);
        globals[m->nglobals + i].type.type = WELD_I32;
        globals[m->nglobals + i].type.mut = 1;
        globals[m->nglobals + i].init.code = zero_init;
        globals[m->nglobals + i].init.len = sizeof zero_init;
    }
    t.globals = globals;
    t.nglobals = m->nglobals + 2;
    if (m->nfuncs) memcpy(ftypes, m->func_types, sizeof *ftypes * m->nfuncs);
    ftypes[m->nfuncs] = ti;
    t.func_types = ftypes;
    t.nfuncs = m->nfuncs + 1;
    weld_buf b;
    weld_buf_init(&b);
    body(&b, g_ptr, g_end);
    uint8_t *p = b.oom ? NULL : weld_arena_alloc(a, b.len);
    if (!p) {
        weld_buf_free(&b);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory adding cabi_realloc");
    }
    memcpy(p, b.data, b.len);
    if (m->ncode) memcpy(code, m->code, sizeof *code * m->ncode);
    memset(&code[m->ncode], 0, sizeof code[0]);
    code[m->ncode].nlocal_groups = 1;
    code[m->ncode].locals = &locals;
    code[m->ncode].nlocals = 2;
    code[m->ncode].code.code = p;
    code[m->ncode].code.len = (uint32_t)b.len;
    weld_buf_free(&b);
    t.code = code;
    t.ncode = m->ncode + 1;
    if (m->nexports) memcpy(exports, m->exports, sizeof *exports * m->nexports);
    memset(&exports[m->nexports], 0, sizeof exports[0]);
    exports[m->nexports].name.ptr = "cabi_realloc";
    exports[m->nexports].name.len = 12;
    exports[m->nexports].kind = WELD_EXTERN_FUNC;
    exports[m->nexports].index = m->nimported_funcs + m->nfuncs;
    t.exports = exports;
    t.nexports = m->nexports + 1;
    return weld_module_write(&t, NULL, out, out_len, d);
}
