/* flat.c - the core signature a WIT function lifts from or lowers to (the canonical
 * ABI's flattening), and whether it needs a memory and a realloc. */
#include "newcomp/newcomp_flat.h"
#include <stdio.h>
#include <string.h>

static void push(nc_flat *f, weld_valtype t)
{
    if (f->n < NC_FLAT_CAP) f->v[f->n] = t;
    f->n++;
}

static weld_valtype join(weld_valtype a, weld_valtype b)
{
    if (a == b) return a;
    if ((a == WELD_I32 && b == WELD_F32) || (a == WELD_F32 && b == WELD_I32)) return WELD_I32;
    return WELD_I64;
}

/* Flatten `t` onto f; sets *mem when it holds a string or a list. */
static void flatten(const weld_wit_resolve *r, weld_wit_tref t, nc_flat *f, bool *mem, int depth)
{
    if (depth > 64) return;
    switch (t) {
    case WELD_WIT_T_NONE: return;
    case WELD_WIT_T_BOOL: case WELD_WIT_T_S8: case WELD_WIT_T_U8: case WELD_WIT_T_S16: case WELD_WIT_T_U16:
    case WELD_WIT_T_S32: case WELD_WIT_T_U32: case WELD_WIT_T_CHAR: case WELD_WIT_T_ERROR_CONTEXT:
        push(f, WELD_I32);
        return;
    case WELD_WIT_T_S64: case WELD_WIT_T_U64: push(f, WELD_I64); return;
    case WELD_WIT_T_F32: push(f, WELD_F32); return;
    case WELD_WIT_T_F64: push(f, WELD_F64); return;
    case WELD_WIT_T_STRING:
        *mem = true;
        push(f, WELD_I32);
        push(f, WELD_I32);
        return;
    default: break;
    }
    if (!WELD_WIT_IS_ID(t) || WELD_WIT_ID(t) >= r->ntypes) return;
    const weld_wit_typedef *td = &r->types[WELD_WIT_ID(t)];
    switch (td->kind) {
    case WELD_WIT_ALIAS: flatten(r, td->a, f, mem, depth + 1); return;
    case WELD_WIT_RECORD: case WELD_WIT_TUPLE:
        for (uint32_t i = 0; i < td->nfields; i++) flatten(r, td->fields[i].type, f, mem, depth + 1);
        return;
    case WELD_WIT_LIST: case WELD_WIT_MAP:
        *mem = true;
        push(f, WELD_I32);
        push(f, WELD_I32);
        return;
    case WELD_WIT_FIXED_LIST:
        for (uint32_t i = 0; i < td->n; i++) flatten(r, td->a, f, mem, depth + 1);
        return;
    case WELD_WIT_FLAGS:
        for (uint32_t i = 0; i < (td->nfields + 31) / 32; i++) push(f, WELD_I32);
        return;
    case WELD_WIT_ENUM: case WELD_WIT_OWN: case WELD_WIT_BORROW: case WELD_WIT_FUTURE: case WELD_WIT_STREAM:
    case WELD_WIT_RESOURCE:
        push(f, WELD_I32);
        return;
    case WELD_WIT_OPTION: case WELD_WIT_RESULT: case WELD_WIT_VARIANT: {
        weld_wit_tref cases[2];
        uint32_t ncases = 0;
        const weld_wit_field *fields = NULL;
        if (td->kind == WELD_WIT_OPTION) {
            cases[0] = td->a;
            ncases = 1;
        } else if (td->kind == WELD_WIT_RESULT) {
            cases[0] = td->a;
            cases[1] = td->b;
            ncases = 2;
        } else {
            fields = td->fields;
            ncases = td->nfields;
        }
        push(f, WELD_I32);
        uint32_t base = f->n;
        uint32_t width = 0;
        weld_valtype acc[NC_FLAT_CAP];
        for (uint32_t i = 0; i < ncases; i++) {
            nc_flat c = {0};
            flatten(r, fields ? fields[i].type : cases[i], &c, mem, depth + 1);
            for (uint32_t k = 0; k < c.n && k < NC_FLAT_CAP; k++) {
                if (k < width) acc[k] = join(acc[k], c.v[k]);
                else acc[k] = c.v[k];
            }
            if (c.n > width) width = c.n;
        }
        (void)base;
        for (uint32_t k = 0; k < width; k++) push(f, k < NC_FLAT_CAP ? acc[k] : WELD_I32);
        return;
    }
    default: return;
    }
}

void nc_func_sig(const weld_wit_resolve *r, const weld_wit_func *fn, bool lower, nc_sig *s)
{
    memset(s, 0, sizeof *s);
    nc_flat p = {0}, res = {0};
    bool pmem = false, rmem = false;
    for (uint32_t i = 0; i < fn->nparams; i++) flatten(r, fn->params[i].type, &p, &pmem, 0);
    flatten(r, fn->result, &res, &rmem, 0);
    bool pspill = p.n > 16, rspill = res.n > 1;
    if (pspill) {
        s->params.n = 1;
        s->params.v[0] = WELD_I32;
    } else {
        s->params = p;
    }
    if (rspill) {
        if (lower) {
            push(&s->params, WELD_I32);
        } else {
            s->results.n = 1;
            s->results.v[0] = WELD_I32;
        }
    } else {
        s->results = res;
    }
    s->memory = pmem || rmem || pspill || rspill;
    s->realloc = lower ? rmem : (pmem || pspill);
}

bool nc_sig_matches(const nc_sig *s, const weld_functype *ft)
{
    if (ft->nparams != s->params.n || ft->nresults != s->results.n) return false;
    if (s->params.n > NC_FLAT_CAP || s->results.n > NC_FLAT_CAP) return false;
    for (uint32_t i = 0; i < ft->nparams; i++)
        if (ft->params[i] != s->params.v[i]) return false;
    for (uint32_t i = 0; i < ft->nresults; i++)
        if (ft->results[i] != s->results.v[i]) return false;
    return true;
}

static size_t put_list(char *buf, size_t cap, size_t at, const char *what, const weld_valtype *v, uint32_t n)
{
    if (!n) return at;
    if (at < cap) at += (size_t)snprintf(buf + at, cap - at, " (%s", what);
    for (uint32_t i = 0; i < n && at < cap; i++) at += (size_t)snprintf(buf + at, cap - at, " %s", weld_valtype_name(v[i]));
    if (at < cap) at += (size_t)snprintf(buf + at, cap - at, ")");
    return at;
}

void nc_functype_text(const weld_valtype *p, uint32_t np, const weld_valtype *rs, uint32_t nr, char *buf, size_t cap)
{
    size_t at = (size_t)snprintf(buf, cap, "(func");
    at = put_list(buf, cap, at, "param", p, np);
    at = put_list(buf, cap, at, "result", rs, nr);
    if (at < cap) snprintf(buf + at, cap - at, ")");
}

void nc_sig_text(const nc_sig *s, char *buf, size_t cap)
{
    nc_functype_text(s->params.v, s->params.n, s->results.v, s->results.n, buf, cap);
}
