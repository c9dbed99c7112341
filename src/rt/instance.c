/* instance.c - instantiation: import checks, the instance's index spaces, globals from
 * constant expressions, element and data segments (in order, trapping like table.init and
 * memory.init), the start function; and export lookup. */
#include "rt/rt.h"
#include "base/base.h"
#include <stdlib.h>
#include <string.h>

/* Evaluate a validated constant expression. Its operand stack (extended-const nests
 * arithmetic) is at most one value per byte of the expression. */
static weld_status eval_const(weld_rt_instance *in, const weld_expr *x, rt_slot *out, weld_diag *d)
{
    weld_insn_reader r;
    weld_insn_reader_init(&r, x->code, x->len, x->offset);
    rt_slot small[16], *st = small;
    if (x->len > 16 && !(st = malloc((size_t)x->len * sizeof *st)))
        return weld_diag_set(d, WELD_ERR_NOMEM, x->offset, "out of memory");
    uint32_t n = 0, cap = x->len > 16 ? x->len : 16;
    memset(st, 0, (size_t)cap * sizeof *st);
    weld_status s = WELD_OK;
    weld_insn i;
    while (!weld_insn_reader_done(&r)) {
        if ((s = weld_insn_read(&r, &i, d))) break;
        if (n >= cap) break;
        switch (i.op) {
        case WELD_OP_I32_CONST: st[n++].u64 = (uint32_t)i.u.i32; break;
        case WELD_OP_I64_CONST: st[n++].u64 = (uint64_t)i.u.i64; break;
        case WELD_OP_F32_CONST: st[n++].u64 = i.u.f32; break;
        case WELD_OP_F64_CONST: st[n++].u64 = i.u.f64; break;
        case WELD_OP_V128_CONST: memcpy(&st[n++].v128, i.u.v128, 16); break;
        case WELD_OP_REF_NULL: st[n++].u64 = 0; break;
        case WELD_OP_REF_FUNC: st[n++].u64 = (uint64_t)(uintptr_t)in->funcs[i.u.index]; break;
        case WELD_OP_GLOBAL_GET: st[n++] = in->globals[i.u.index]->val; break;
        case WELD_OP_I32_ADD: case WELD_OP_I32_SUB: case WELD_OP_I32_MUL:
        case WELD_OP_I64_ADD: case WELD_OP_I64_SUB: case WELD_OP_I64_MUL: {
            if (n < 2) goto unsupported;
            uint64_t a = st[n - 2].u64, b = st[n - 1].u64, v;
            if (i.op == WELD_OP_I32_ADD || i.op == WELD_OP_I64_ADD) v = a + b;
            else if (i.op == WELD_OP_I32_SUB || i.op == WELD_OP_I64_SUB) v = a - b;
            else v = a * b;
            bool is32 = i.op == WELD_OP_I32_ADD || i.op == WELD_OP_I32_SUB || i.op == WELD_OP_I32_MUL;
            n--;
            st[n - 1].u64 = is32 ? (uint32_t)v : v;
            break;
        }
        case WELD_OP_END:
            if (n == 1) {
                *out = st[0];
                goto finish;
            }
            goto unsupported;
        default:
            goto unsupported;
        }
    }
unsupported:
    if (!s) s = weld_diag_set(d, WELD_ERR_UNSUPPORTED, x->offset, "constant expression not supported");
finish:
    if (st != small) free(st);
    return s;
}

static bool limits_match(const weld_limits *have, uint64_t have_min, const weld_limits *want)
{
    if (have_min < want->min) return false;
    if (want->flags & WELD_LIMITS_HAS_MAX) {
        if (!(have->flags & WELD_LIMITS_HAS_MAX)) return false;
        if (have->max > want->max) return false;
    }
    return true;
}

static weld_status link_imports(weld_rt_instance *in, const weld_module *m,
                                const weld_rt_extern *imports, weld_diag *d)
{
    uint32_t nf = 0, nt = 0, nm = 0, ng = 0, nx = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const weld_import *im = &m->imports[i];
        const weld_rt_extern *x = &imports[i];
        bool ok = x->kind == im->type.kind && x->u.func;
        if (ok) switch (im->type.kind) {
        case WELD_EXTERN_FUNC:
            ok = rt_functype_eq(x->u.func->type, &m->types[im->type.u.func]);
            if (ok) in->funcs[nf++] = x->u.func;
            break;
        case WELD_EXTERN_TABLE: {
            const weld_tabletype *want = &im->type.u.table;
            weld_rt_table *t = x->u.table;
            ok = t->type.elem == want->elem && limits_match(&t->type.limits, t->size, &want->limits);
            if (ok) in->tables[nt++] = t;
            break;
        }
        case WELD_EXTERN_MEMORY: {
            weld_rt_memory *mm = x->u.memory;
            ok = limits_match(&mm->limits, mm->size / RT_PAGE, &im->type.u.memory) &&
                 (mm->limits.flags & WELD_LIMITS_64) == (im->type.u.memory.flags & WELD_LIMITS_64);
            if (ok) in->mems[nm++] = mm;
            break;
        }
        case WELD_EXTERN_GLOBAL:
            ok = x->u.global->type.type == im->type.u.global.type &&
                 x->u.global->type.mut == im->type.u.global.mut;
            if (ok) in->globals[ng++] = x->u.global;
            break;
        case WELD_EXTERN_TAG:
            ok = rt_functype_eq(x->u.tag->type, &m->types[im->type.u.tag]);
            if (ok) in->tags[nx++] = x->u.tag;
            break;
        default:
            ok = false;
        }
        if (!ok)
            return weld_diag_set(d, WELD_ERR_LINK, WELD_NO_OFFSET,
                                 "incompatible import type for import %u \"%s\" \"%s\"", i,
                                 im->module.ptr, im->name.ptr);
    }
    return WELD_OK;
}

#define ALLOC(p, n) ((p) = weld_arena_alloc(e->arena, ((size_t)(n) + 1) * sizeof *(p)))

weld_status weld_rt_instantiate(weld_rt_engine *e, weld_rt_module *mod, const weld_rt_extern *imports,
                                uint32_t nimports, weld_rt_instance **out, weld_diag *d)
{
    const weld_module *m = mod->ast;
    *out = NULL;
    if (nimports != m->nimports)
        return weld_diag_set(d, WELD_ERR_LINK, WELD_NO_OFFSET, "the module has %u imports, %u given",
                             m->nimports, nimports);
    weld_rt_instance *in = weld_arena_alloc(e->arena, sizeof *in);
    if (!in) return WELD_ERR_NOMEM;
    in->mod = mod;
    uint32_t nf = m->nimported_funcs + m->nfuncs, nt = m->nimported_tables + m->ntables;
    uint32_t nm = m->nimported_memories + m->nmemories, ng = m->nimported_globals + m->nglobals;
    if (!ALLOC(in->funcs, nf) || !ALLOC(in->tables, nt) || !ALLOC(in->mems, nm) ||
        !ALLOC(in->globals, ng) || !ALLOC(in->tags, (size_t)m->nimported_tags + m->ntags) ||
        !ALLOC(in->elems, m->nelems) || !ALLOC(in->elem_lens, m->nelems) ||
        !ALLOC(in->data_dropped, m->ndatas))
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    weld_status st = link_imports(in, m, imports, d);
    if (st) return st;
    weld_rt_func *fs = NULL;
    if (!ALLOC(fs, m->nfuncs)) return WELD_ERR_NOMEM;
    for (uint32_t i = 0; i < m->nfuncs; i++) {
        fs[i].type = &m->types[m->func_types[i]];
        fs[i].inst = in;
        fs[i].code = &mod->codes[i];
        fs[i].index = m->nimported_funcs + i;
        in->funcs[m->nimported_funcs + i] = &fs[i];
    }
    weld_rt_tag *tg = NULL;
    if (!ALLOC(tg, m->ntags)) return WELD_ERR_NOMEM;
    for (uint32_t i = 0; i < m->ntags; i++) {
        tg[i].type = &m->types[m->tags[i]];
        tg[i].inst = in;
        tg[i].index = m->nimported_tags + i;
        in->tags[m->nimported_tags + i] = &tg[i];
    }
    for (uint32_t i = 0; i < m->ntables; i++) {
        weld_rt_table *t = weld_rt_table_new(e, &m->tables[i], 0);
        if (!t) return weld_diag_set(d, WELD_ERR_LINK, WELD_NO_OFFSET,
                                     "table %u: its size exceeds the embedder's limit", i);
        in->tables[m->nimported_tables + i] = t;
    }
    for (uint32_t i = 0; i < m->nmemories; i++) {
        weld_rt_memory *mm = weld_rt_memory_new(e, &m->memories[i]);
        if (!mm) return weld_diag_set(d, WELD_ERR_LINK, WELD_NO_OFFSET,
                                      "memory %u: its size exceeds the embedder's limit", i);
        in->mems[m->nimported_memories + i] = mm;
    }
    for (uint32_t i = 0; i < m->nglobals; i++) {
        weld_rt_global *g = weld_rt_global_new(e, &m->globals[i].type, NULL);
        if (!g) return WELD_ERR_NOMEM;
        in->globals[m->nimported_globals + i] = g;
        if ((st = eval_const(in, &m->globals[i].init, &g->val, d))) return st;
    }
    for (uint32_t i = 0; i < m->nelems; i++) {
        const weld_elem *el = &m->elems[i];
        if (!ALLOC(in->elems[i], el->count)) return WELD_ERR_NOMEM;
        in->elem_lens[i] = el->count;
        for (uint32_t k = 0; k < el->count; k++) {
            if (el->uses_exprs) {
                rt_slot v;
                if ((st = eval_const(in, &el->exprs[k], &v, d))) return st;
                in->elems[i][k] = v.u64;
            } else {
                in->elems[i][k] = (uint64_t)(uintptr_t)in->funcs[el->funcs[k]];
            }
        }
    }
    /* active segments, in order; a failing one traps after the earlier ones took effect */
    for (uint32_t i = 0; i < m->nelems; i++) {
        const weld_elem *el = &m->elems[i];
        if (el->mode == WELD_SEG_ACTIVE) {
            rt_slot off;
            if ((st = eval_const(in, &el->offset, &off, d))) return st;
            weld_rt_table *t = in->tables[el->table];
            if ((uint64_t)off.u32 + el->count > t->size)
                return weld_diag_set(d, WELD_ERR_TRAP, WELD_NO_OFFSET, "out of bounds table access");
            if (el->count) memcpy(t->elems + off.u32, in->elems[i], el->count * sizeof *t->elems);
        }
        if (el->mode != WELD_SEG_PASSIVE) in->elems[i] = NULL;
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const weld_data *da = &m->datas[i];
        if (da->mode != WELD_SEG_ACTIVE) continue;
        rt_slot off;
        if ((st = eval_const(in, &da->offset, &off, d))) return st;
        weld_rt_memory *mm = in->mems[da->memory];
        uint64_t o = (mm->limits.flags & WELD_LIMITS_64) ? off.u64 : off.u32;
        if (o > mm->size || da->len > mm->size - o)
            return weld_diag_set(d, WELD_ERR_TRAP, WELD_NO_OFFSET, "out of bounds memory access");
        if (da->len) memcpy(mm->data + o, da->bytes, da->len);
        in->data_dropped[i] = true;
    }
    if (m->has_start) {
        st = weld_rt_call(e, in->funcs[m->start], NULL, 0, NULL, 0, d);
        if (st) return st;
    }
    *out = in;
    return WELD_OK;
}

bool weld_rt_instance_export(const weld_rt_instance *in, const char *name, weld_rt_extern *out)
{
    return weld_rt_instance_export_n(in, name, strlen(name), out);
}

bool weld_rt_instance_export_n(const weld_rt_instance *in, const char *name, size_t n,
                               weld_rt_extern *out)
{
    const weld_module *m = in->mod->ast;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const weld_export *x = &m->exports[i];
        if (x->name.len != n || memcmp(x->name.ptr, name, n) != 0) continue;
        out->kind = x->kind;
        switch (x->kind) {
        case WELD_EXTERN_FUNC: out->u.func = in->funcs[x->index]; return true;
        case WELD_EXTERN_TABLE: out->u.table = in->tables[x->index]; return true;
        case WELD_EXTERN_MEMORY: out->u.memory = in->mems[x->index]; return true;
        case WELD_EXTERN_GLOBAL: out->u.global = in->globals[x->index]; return true;
        case WELD_EXTERN_TAG: out->u.tag = in->tags[x->index]; return true;
        default: return false;
        }
    }
    return false;
}
