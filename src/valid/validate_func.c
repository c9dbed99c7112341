/* validate_func.c - type-checks function bodies with an operand stack and a control stack,
 * following the algorithm of the core spec's validation appendix (unreachable code makes
 * the stack polymorphic: pops below the block's height yield the unknown type).
 *
 * Instructions with a plain operand signature in opcodes.def are typed from the parsed
 * signature; the rest ("*") are handled by name below. The stacks live in the validator
 * and are reused, so the walk allocates only when a stack outgrows its largest size yet. */
#include "valid.h"
#include "binary/insn_fast.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* One static byte per value type, so a block type of one result can point at its type. */
static const weld_valtype one_type[256] = {
    [WELD_I32] = WELD_I32,         [WELD_I64] = WELD_I64,           [WELD_F32] = WELD_F32,
    [WELD_F64] = WELD_F64,         [WELD_V128] = WELD_V128,         [WELD_FUNCREF] = WELD_FUNCREF,
    [WELD_EXTERNREF] = WELD_EXTERNREF, [WELD_EXNREF] = WELD_EXNREF,
};

/* The walk's state for one body: the validator, the diagnostic and the current offset. */
typedef struct walk {
    weld_validator *v;
    weld_diag *d;
    uint64_t at;          /* offset of the instruction being typed */
    const uint8_t *iend;  /* just past its encoding */
} walk;

static weld_status fail(walk *w, weld_status st, const char *fmt, ...) WELD_PRINTF(3, 4);
static weld_status fail(walk *w, weld_status st, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return weld_diag_set(w->d, st, w->at, "func %" PRIu32 " at 0x%" PRIx64 ": %s", w->v->func,
                         w->at, msg);
}

static const char *tname(uint8_t t)
{
    return t == VT_UNKNOWN ? "unknown" : weld_valtype_name(t);
}

/* ---- operand stack ------------------------------------------------------------------ */

static bool grow_vals(weld_validator *v, uint32_t extra)
{
    size_t cap = v->cap_vals;
    if (!valid_reserve((void **)&v->vals, &cap, (size_t)v->nvals + extra, 1)) return false;
    v->cap_vals = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
    return true;
}

static inline weld_status push(walk *w, uint8_t t)
{
    weld_validator *v = w->v;
    if (WELD_UNLIKELY(v->nvals == v->cap_vals) && !grow_vals(v, 1))
        return fail(w, WELD_ERR_NOMEM, "out of memory");
    v->vals[v->nvals++] = t;
    return WELD_OK;
}

static weld_status push_n(walk *w, const weld_valtype *ts, uint32_t n)
{
    weld_validator *v = w->v;
    if (n == 0) return WELD_OK;
    if (WELD_UNLIKELY(v->cap_vals - v->nvals < n) && !grow_vals(v, n))
        return fail(w, WELD_ERR_NOMEM, "out of memory");
    memcpy(v->vals + v->nvals, ts, n);
    v->nvals += n;
    return WELD_OK;
}

/* Pop one operand into *out (VT_UNKNOWN below the block's base in unreachable code). */
static inline weld_status pop_any(walk *w, uint8_t want, uint8_t *out)
{
    weld_validator *v = w->v;
    valid_ctrl *c = &v->ctrls[v->nctrls - 1];
    if (WELD_UNLIKELY(v->nvals == c->height)) {
        if (c->unreachable) {
            *out = VT_UNKNOWN;
            return WELD_OK;
        }
        if (want != VT_UNKNOWN)
            return fail(w, WELD_ERR_INVALID, "type mismatch: expected %s on the stack, found nothing",
                        tname(want));
        return fail(w, WELD_ERR_INVALID, "type mismatch: expected a value on the stack, found nothing");
    }
    *out = v->vals[--v->nvals];
    return WELD_OK;
}

/* Pop one operand of type want. */
static inline weld_status pop(walk *w, uint8_t want)
{
    weld_validator *v = w->v;
    valid_ctrl *c = &v->ctrls[v->nctrls - 1];
    if (WELD_LIKELY(v->nvals > c->height)) {
        uint8_t got = v->vals[v->nvals - 1];
        if (WELD_LIKELY(got == want || got == VT_UNKNOWN)) {
            v->nvals--;
            return WELD_OK;
        }
        return fail(w, WELD_ERR_INVALID, "type mismatch: expected %s on the stack, found %s",
                    tname(want), tname(got));
    }
    uint8_t got = 0;
    return pop_any(w, want, &got);
}

/* Pop n operands of the given types (ts[n-1] on top). */
static weld_status pop_n(walk *w, const weld_valtype *ts, uint32_t n)
{
    weld_status st;
    for (uint32_t i = n; i-- > 0;)
        if ((st = pop(w, ts[i]))) return st;
    return WELD_OK;
}

/* Check, without popping, that the top n operands have the types ts (ts[n-1] on top). */
static weld_status peek_n(walk *w, const weld_valtype *ts, uint32_t n)
{
    weld_validator *v = w->v;
    const valid_ctrl *c = &v->ctrls[v->nctrls - 1];
    uint32_t avail = v->nvals - c->height;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t want = ts[n - 1 - i];
        if (i >= avail) {
            if (c->unreachable) return WELD_OK;
            return fail(w, WELD_ERR_INVALID, "type mismatch: expected %s on the stack, found nothing",
                        tname(want));
        }
        uint8_t got = v->vals[v->nvals - 1 - i];
        if (got != want && got != VT_UNKNOWN)
            return fail(w, WELD_ERR_INVALID, "type mismatch: expected %s on the stack, found %s",
                        tname(want), tname(got));
    }
    return WELD_OK;
}

/* ---- control stack ------------------------------------------------------------------ */

static weld_status push_ctrl(walk *w, uint16_t op, const weld_valtype *params, uint32_t np,
                             const weld_valtype *results, uint32_t nr)
{
    weld_validator *v = w->v;
    if (WELD_UNLIKELY(v->nctrls == v->cap_ctrls)) {
        size_t cap = v->cap_ctrls;
        if (!valid_reserve((void **)&v->ctrls, &cap, (size_t)v->nctrls + 1, sizeof *v->ctrls))
            return fail(w, WELD_ERR_NOMEM, "out of memory");
        v->cap_ctrls = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
    }
    valid_ctrl *c = &v->ctrls[v->nctrls++];
    c->params = params;
    c->nparams = np;
    c->results = results;
    c->nresults = nr;
    c->height = v->nvals;
    c->op = op;
    c->unreachable = false;
    return push_n(w, params, np);
}

/* Pop the innermost frame after checking its results; *out receives a copy. */
static weld_status pop_ctrl(walk *w, valid_ctrl *out)
{
    weld_validator *v = w->v;
    valid_ctrl *c = &v->ctrls[v->nctrls - 1];
    weld_status st = pop_n(w, c->results, c->nresults);
    if (st) return st;
    if (v->nvals != c->height)
        return fail(w, WELD_ERR_INVALID,
                    "type mismatch: %" PRIu32 " extra value(s) on the stack at the end of the block",
                    v->nvals - c->height);
    *out = *c;
    v->nctrls--;
    return WELD_OK;
}

static inline void set_unreachable(weld_validator *v)
{
    valid_ctrl *c = &v->ctrls[v->nctrls - 1];
    v->nvals = c->height;
    c->unreachable = true;
}

/* The types a branch to label `depth` carries; NULL (after failing) if out of range. */
static const valid_ctrl *label(walk *w, uint32_t depth, weld_status *st)
{
    weld_validator *v = w->v;
    if (depth >= v->nctrls) {
        *st = fail(w, WELD_ERR_INVALID, "unknown label %" PRIu32 " (%" PRIu32 " enclosing blocks)",
                   depth, v->nctrls);
        return NULL;
    }
    return &v->ctrls[v->nctrls - 1 - depth];
}
#define LABEL_TYPES(c) ((c)->op == WELD_OP_LOOP ? (c)->params : (c)->results)
#define LABEL_ARITY(c) ((c)->op == WELD_OP_LOOP ? (c)->nparams : (c)->nresults)

/* ---- index spaces ------------------------------------------------------------------- */

static weld_status blocktype(walk *w, const weld_blocktype *bt, const weld_valtype **p,
                             uint32_t *np, const weld_valtype **r, uint32_t *nr)
{
    const weld_module *m = w->v->m;
    switch (bt->kind) {
    case WELD_BLOCK_EMPTY:
        *np = *nr = 0;
        *p = *r = NULL;
        return WELD_OK;
    case WELD_BLOCK_VALUE:
        if (!valid_is_valtype(bt->value))
            return fail(w, WELD_ERR_INVALID, "unsupported block type 0x%02x", bt->value);
        *np = 0;
        *p = NULL;
        *nr = 1;
        *r = &one_type[bt->value];
        return WELD_OK;
    default:
        if (bt->index >= m->ntypes)
            return fail(w, WELD_ERR_INVALID, "unknown type %" PRIu32 " (%" PRIu32 " types)",
                        bt->index, m->ntypes);
        *p = m->types[bt->index].params;
        *np = m->types[bt->index].nparams;
        *r = m->types[bt->index].results;
        *nr = m->types[bt->index].nresults;
        return WELD_OK;
    }
}

static weld_status check_memory(walk *w, uint32_t idx, const weld_limits **out)
{
    if (idx >= w->v->nmems)
        return fail(w, WELD_ERR_INVALID, "unknown memory %" PRIu32, idx);
    *out = &w->v->mems[idx];
    return WELD_OK;
}

static weld_status check_table(walk *w, uint32_t idx, const weld_tabletype **out)
{
    if (idx >= w->v->ntables) return fail(w, WELD_ERR_INVALID, "unknown table %" PRIu32, idx);
    *out = &w->v->tables[idx];
    return WELD_OK;
}

static weld_status check_func(walk *w, uint32_t idx, const weld_functype **out)
{
    if (idx >= w->v->nfuncs) return fail(w, WELD_ERR_INVALID, "unknown function %" PRIu32, idx);
    *out = &w->v->m->types[w->v->func_types[idx]];
    return WELD_OK;
}

static weld_status check_type(walk *w, uint32_t idx, const weld_functype **out)
{
    if (idx >= w->v->m->ntypes) return fail(w, WELD_ERR_INVALID, "unknown type %" PRIu32, idx);
    *out = &w->v->m->types[idx];
    return WELD_OK;
}

static weld_status check_data(walk *w, uint32_t idx)
{
    const weld_module *m = w->v->m;
    uint32_t n = m->has_datacount ? m->datacount : m->ndatas;
    if (idx >= n) return fail(w, WELD_ERR_INVALID, "unknown data segment %" PRIu32, idx);
    if (!m->has_datacount)
        return fail(w, WELD_ERR_MALFORMED, "data count section required");
    return WELD_OK;
}

static weld_status check_elem(walk *w, uint32_t idx)
{
    if (idx >= w->v->m->nelems)
        return fail(w, WELD_ERR_INVALID, "unknown elem segment %" PRIu32, idx);
    return WELD_OK;
}

/* Memory access immediates: memory index, alignment, lane index. Sets *addr. */
static weld_status check_memarg(walk *w, const weld_insn *in, const weld_opinfo *info,
                                uint8_t *addr)
{
    const weld_limits *mem = NULL;
    weld_status st = check_memory(w, in->u.memarg.memory, &mem);
    if (st) return st;
    *addr = valid_addr_type(mem);
    if (!(mem->flags & WELD_LIMITS_64) && in->u.memarg.offset > UINT32_MAX)
        return fail(w, WELD_ERR_INVALID, "%s: offset out of range: must be <= 2**32 for a 32-bit memory",
                    info->name);
    if (info->prefix == 0xFE) {
        if (in->u.memarg.align != info->arg)
            return fail(w, WELD_ERR_INVALID, "%s: alignment must be exactly natural (2^%u), found 2^%" PRIu32,
                        info->name, info->arg, in->u.memarg.align);
    } else if (in->u.memarg.align > info->arg) {
        return fail(w, WELD_ERR_INVALID, "%s: alignment must not be larger than natural (2^%u), found 2^%" PRIu32,
                    info->name, info->arg, in->u.memarg.align);
    }
    if (info->imm == WELD_IMM_MEMARG_LANE && in->lane >= (16u >> info->arg))
        return fail(w, WELD_ERR_INVALID, "%s: invalid lane index %u (%u lanes)", info->name,
                    in->lane, 16u >> info->arg);
    return WELD_OK;
}

/* ---- instructions with a plain signature ------------------------------------------- */

static weld_status plain(walk *w, const weld_insn *in, const valid_sig *s)
{
    const weld_opinfo *info = &weld_opinfos[in->op];
    weld_status st;
    uint8_t addr = WELD_I32;
    switch ((weld_imm_kind)info->imm) {
    case WELD_IMM_MEMARG:
    case WELD_IMM_MEMARG_LANE:
        if ((st = check_memarg(w, in, info, &addr))) return st;
        break;
    case WELD_IMM_LANE:
        if (in->lane >= info->arg)
            return fail(w, WELD_ERR_INVALID, "%s: invalid lane index %u (%u lanes)", info->name,
                        in->lane, info->arg);
        break;
    case WELD_IMM_SHUFFLE:
        for (int i = 0; i < 16; i++)
            if (in->u.v128[i] >= 32)
                return fail(w, WELD_ERR_INVALID, "i8x16.shuffle: invalid lane index %u (32 lanes)",
                            in->u.v128[i]);
        break;
    case WELD_IMM_DATA:
        if ((st = check_data(w, in->u.index))) return st;
        break;
    case WELD_IMM_ELEM:
        if ((st = check_elem(w, in->u.index))) return st;
        break;
    case WELD_IMM_TABLE: { /* table.size */
        const weld_tabletype *t = NULL;
        if ((st = check_table(w, in->u.index, &t))) return st;
        break;
    }
    case WELD_IMM_TABLE_INIT: {
        const weld_tabletype *t = NULL;
        if ((st = check_table(w, in->u.pair.b, &t))) return st;
        if ((st = check_elem(w, in->u.pair.a))) return st;
        if (w->v->m->elems[in->u.pair.a].type != t->elem)
            return fail(w, WELD_ERR_INVALID, "type mismatch: table.init of elem segment %" PRIu32
                        " (%s) into table %" PRIu32 " (%s)", in->u.pair.a,
                        tname(w->v->m->elems[in->u.pair.a].type), in->u.pair.b, tname(t->elem));
        break;
    }
    case WELD_IMM_TABLE_COPY: {
        const weld_tabletype *dst = NULL, *src = NULL;
        if ((st = check_table(w, in->u.pair.a, &dst))) return st;
        if ((st = check_table(w, in->u.pair.b, &src))) return st;
        if (dst->elem != src->elem)
            return fail(w, WELD_ERR_INVALID, "type mismatch: table.copy from table %" PRIu32
                        " (%s) to table %" PRIu32 " (%s)", in->u.pair.b, tname(src->elem),
                        in->u.pair.a, tname(dst->elem));
        break;
    }
    default:
        break;
    }
    /* pops, top first; the first operand of a memory access is its address */
    for (uint32_t i = s->npop; i-- > 0;) {
        uint8_t t = s->pop[i];
        if (i == 0 && addr != WELD_I32) t = addr;
        if ((st = pop(w, t))) return st;
    }
    for (uint32_t i = 0; i < s->npush; i++)
        if ((st = push(w, s->push[i]))) return st;
    return WELD_OK;
}

/* ---- instructions the walk handles by name ------------------------------------------ */

static weld_status local_type(walk *w, uint32_t idx, uint8_t *t)
{
    weld_validator *v = w->v;
    if (idx >= v->nlocals)
        return fail(w, WELD_ERR_INVALID, "unknown local %" PRIu32 " (%" PRIu64 " locals)", idx,
                    v->nlocals);
    *t = v->locals[idx];
    return WELD_OK;
}

static weld_status call_type(walk *w, const weld_functype *ft, bool tail)
{
    weld_status st = pop_n(w, ft->params, ft->nparams);
    if (st) return st;
    if (!tail) return push_n(w, ft->results, ft->nresults);
    const weld_functype *self = w->v->ftype;
    if (ft->nresults != self->nresults ||
        (ft->nresults && memcmp(ft->results, self->results, ft->nresults) != 0))
        return fail(w, WELD_ERR_INVALID, "type mismatch: tail call's results differ from the function's");
    set_unreachable(w->v);
    return WELD_OK;
}

static weld_status call_indirect(walk *w, const weld_insn *in, bool tail)
{
    const weld_tabletype *t = NULL;
    const weld_functype *ft = NULL;
    weld_status st;
    if ((st = check_table(w, in->u.pair.b, &t))) return st;
    if (t->elem != WELD_FUNCREF)
        return fail(w, WELD_ERR_INVALID, "type mismatch: call_indirect through table %" PRIu32
                    " of %s, expected funcref", in->u.pair.b, tname(t->elem));
    if ((st = check_type(w, in->u.pair.a, &ft))) return st;
    if ((st = pop(w, valid_addr_type(&t->limits)))) return st;
    return call_type(w, ft, tail);
}

/* Wasm 2.0 encodes the memory index of memory.size/grow/fill/init/copy as reserved zero
 * bytes (n of them, the instruction's last bytes); multi-memory made them LEB128 indices. */
static weld_status reserved_zeros(walk *w, unsigned n)
{
    if (w->v->multi_memory) return WELD_OK;
    const uint8_t *e = w->iend;
    for (unsigned i = 1; i <= n; i++)
        if (e[-(int)i] != 0) return fail(w, WELD_ERR_MALFORMED, "zero byte expected");
    if (e[-(int)n - 1] & 0x80) return fail(w, WELD_ERR_MALFORMED, "zero byte expected");
    return WELD_OK;
}

/* ---- exception handling ------------------------------------------------------------ */

static weld_status check_tag(walk *w, uint32_t idx, const weld_functype **out)
{
    if (idx >= w->v->ntags) return fail(w, WELD_ERR_INVALID, "unknown tag %" PRIu32, idx);
    *out = &w->v->m->types[w->v->tag_types[idx]];
    return WELD_OK;
}

/* A try_table catch clause: label l must take the tag's parameters (catch, catch_ref),
 * followed by an exnref (catch_ref, catch_all_ref). */
static weld_status check_catch(walk *w, const weld_catch *k)
{
    weld_status st = WELD_OK;
    const weld_functype *ft = NULL;
    if (k->kind > WELD_CATCH_ALL_REF)
        return fail(w, WELD_ERR_MALFORMED, "malformed catch clause kind %u", k->kind);
    if (k->kind < WELD_CATCH_ALL && (st = check_tag(w, k->tag, &ft))) return st;
    const valid_ctrl *lc = label(w, k->label, &st);
    if (!lc) return st;
    uint32_t np = ft ? ft->nparams : 0;
    bool ref = k->kind == WELD_CATCH_REF || k->kind == WELD_CATCH_ALL_REF;
    uint32_t n = np + ref;
    const weld_valtype *lt = LABEL_TYPES(lc);
    bool ok = LABEL_ARITY(lc) == n && (!np || memcmp(lt, ft->params, np) == 0) &&
              (!ref || lt[np] == WELD_EXNREF);
    if (!ok)
        return fail(w, WELD_ERR_INVALID, "type mismatch: catch clause for label %" PRIu32
                    " (%" PRIu32 " value(s)) does not match the values it delivers (%" PRIu32 ")",
                    k->label, LABEL_ARITY(lc), n);
    return WELD_OK;
}

static weld_status exceptions(walk *w, const weld_insn *in)
{
    weld_validator *v = w->v;
    weld_status st = WELD_OK;
    const weld_functype *ft = NULL;
    const weld_valtype *p = NULL, *r = NULL;
    uint32_t np = 0, nr = 0;
    valid_ctrl *top = &v->ctrls[v->nctrls - 1];
    if (!v->exceptions)
        return fail(w, WELD_ERR_UNSUPPORTED, "%s: exception handling is not enabled",
                    weld_opinfos[in->op].name);
    switch (in->op) {
    case WELD_OP_THROW:
        if ((st = check_tag(w, in->u.index, &ft))) return st;
        if ((st = pop_n(w, ft->params, ft->nparams))) return st;
        set_unreachable(v);
        return WELD_OK;
    case WELD_OP_THROW_REF:
        if ((st = pop(w, WELD_EXNREF))) return st;
        set_unreachable(v);
        return WELD_OK;
    case WELD_OP_TRY_TABLE: {
        if ((st = blocktype(w, &in->u.try_table.block, &p, &np, &r, &nr))) return st;
        if ((st = pop_n(w, p, np))) return st;
        const uint8_t *c = in->u.try_table.catches;
        for (uint32_t i = 0; i < in->u.try_table.count; i++) {
            weld_catch k = weld_insn_catch_next(&c);
            if ((st = check_catch(w, &k))) return st;
        }
        return push_ctrl(w, WELD_OP_TRY_TABLE, p, np, r, nr);
    }
    case WELD_OP_TRY:
        if ((st = blocktype(w, &in->u.block, &p, &np, &r, &nr))) return st;
        if ((st = pop_n(w, p, np))) return st;
        return push_ctrl(w, WELD_OP_TRY, p, np, r, nr);
    case WELD_OP_CATCH:
    case WELD_OP_CATCH_ALL: {
        valid_ctrl c;
        if (top->op != WELD_OP_TRY && top->op != WELD_OP_CATCH)
            return fail(w, WELD_ERR_INVALID, "%s without a matching try%s", weld_opinfos[in->op].name,
                        top->op == WELD_OP_CATCH_ALL ? " (after catch_all)" : "");
        if (in->op == WELD_OP_CATCH && (st = check_tag(w, in->u.index, &ft))) return st;
        if ((st = pop_ctrl(w, &c))) return st;
        if ((st = push_ctrl(w, in->op, ft ? ft->params : NULL, ft ? ft->nparams : 0, c.results,
                            c.nresults)))
            return st;
        return WELD_OK;
    }
    case WELD_OP_RETHROW: {
        const valid_ctrl *lc = label(w, in->u.index, &st);
        if (!lc) return st;
        if (lc->op != WELD_OP_CATCH && lc->op != WELD_OP_CATCH_ALL)
            return fail(w, WELD_ERR_INVALID, "invalid rethrow label %" PRIu32 ": not a catch block",
                        in->u.index);
        set_unreachable(v);
        return WELD_OK;
    }
    case WELD_OP_DELEGATE: {
        valid_ctrl c;
        if (top->op != WELD_OP_TRY)
            return fail(w, WELD_ERR_INVALID, "delegate without a matching try");
        if ((st = pop_ctrl(w, &c))) return st;
        if (in->u.index >= v->nctrls)
            return fail(w, WELD_ERR_INVALID, "unknown label %" PRIu32 " (%" PRIu32 " enclosing blocks)",
                        in->u.index, v->nctrls);
        return push_n(w, c.results, c.nresults);
    }
    default:
        return fail(w, WELD_ERR_UNSUPPORTED, "%s is not supported by the validator",
                    weld_opinfos[in->op].name);
    }
}

static weld_status special(walk *w, const weld_insn *in)
{
    weld_validator *v = w->v;
    weld_status st = WELD_OK;
    uint8_t t = 0, t1 = 0, t2 = 0;
    const valid_ctrl *lc;
    const weld_valtype *p = NULL, *r = NULL;
    uint32_t np = 0, nr = 0;

    switch (in->op) {
    case WELD_OP_UNREACHABLE:
        set_unreachable(v);
        return WELD_OK;
    case WELD_OP_BLOCK:
    case WELD_OP_LOOP:
    case WELD_OP_IF:
        if ((st = blocktype(w, &in->u.block, &p, &np, &r, &nr))) return st;
        if (in->op == WELD_OP_IF && (st = pop(w, WELD_I32))) return st;
        if ((st = pop_n(w, p, np))) return st;
        return push_ctrl(w, in->op, p, np, r, nr);
    case WELD_OP_ELSE: {
        valid_ctrl c;
        if (v->ctrls[v->nctrls - 1].op != WELD_OP_IF)
            return fail(w, WELD_ERR_MALFORMED, "else without a matching if");
        if ((st = pop_ctrl(w, &c))) return st;
        return push_ctrl(w, WELD_OP_ELSE, c.params, c.nparams, c.results, c.nresults);
    }
    case WELD_OP_END: {
        valid_ctrl c;
        if ((st = pop_ctrl(w, &c))) return st;
        if (c.op == WELD_OP_IF &&
            (c.nparams != c.nresults || (c.nparams && memcmp(c.params, c.results, c.nparams))))
            return fail(w, WELD_ERR_INVALID, "type mismatch: if without else must leave its parameters as results");
        return push_n(w, c.results, c.nresults);
    }
    case WELD_OP_BR:
        if (!(lc = label(w, in->u.index, &st))) return st;
        if ((st = pop_n(w, LABEL_TYPES(lc), LABEL_ARITY(lc)))) return st;
        set_unreachable(v);
        return WELD_OK;
    case WELD_OP_BR_IF:
        if ((st = pop(w, WELD_I32))) return st;
        if (!(lc = label(w, in->u.index, &st))) return st;
        if ((st = pop_n(w, LABEL_TYPES(lc), LABEL_ARITY(lc)))) return st;
        return push_n(w, LABEL_TYPES(lc), LABEL_ARITY(lc));
    case WELD_OP_BR_TABLE: {
        if ((st = pop(w, WELD_I32))) return st;
        const valid_ctrl *def = label(w, in->u.br_table.default_label, &st);
        if (!def) return st;
        uint32_t arity = LABEL_ARITY(def);
        const uint8_t *q = in->u.br_table.targets;
        for (uint32_t i = 0; i < in->u.br_table.count; i++) {
            if (!(lc = label(w, weld_insn_label_next(&q), &st))) return st;
            if (LABEL_ARITY(lc) != arity)
                return fail(w, WELD_ERR_INVALID, "type mismatch: br_table targets of different arity (%" PRIu32 " and %" PRIu32 ")",
                            LABEL_ARITY(lc), arity);
            if ((st = peek_n(w, LABEL_TYPES(lc), arity))) return st;
        }
        if ((st = pop_n(w, LABEL_TYPES(def), arity))) return st;
        set_unreachable(v);
        return WELD_OK;
    }
    case WELD_OP_RETURN:
        if ((st = pop_n(w, v->ftype->results, v->ftype->nresults))) return st;
        set_unreachable(v);
        return WELD_OK;
    case WELD_OP_CALL:
    case WELD_OP_RETURN_CALL: {
        const weld_functype *ft = NULL;
        if ((st = check_func(w, in->u.index, &ft))) return st;
        return call_type(w, ft, in->op == WELD_OP_RETURN_CALL);
    }
    case WELD_OP_CALL_INDIRECT:
    case WELD_OP_RETURN_CALL_INDIRECT:
        return call_indirect(w, in, in->op == WELD_OP_RETURN_CALL_INDIRECT);
    case WELD_OP_DROP:
        return pop_any(w, VT_UNKNOWN, &t);
    case WELD_OP_SELECT:
        if ((st = pop(w, WELD_I32))) return st;
        if ((st = pop_any(w, VT_UNKNOWN, &t1)) || (st = pop_any(w, VT_UNKNOWN, &t2))) return st;
        if (valid_is_ref(t1) || valid_is_ref(t2))
            return fail(w, WELD_ERR_INVALID, "type mismatch: select without a type on %s operands",
                        tname(valid_is_ref(t1) ? t1 : t2));
        if (t1 != t2 && t1 != VT_UNKNOWN && t2 != VT_UNKNOWN)
            return fail(w, WELD_ERR_INVALID, "type mismatch: select of %s and %s", tname(t2), tname(t1));
        return push(w, t1 == VT_UNKNOWN ? t2 : t1);
    case WELD_OP_SELECT_T:
        if (in->u.select.count != 1)
            return fail(w, WELD_ERR_INVALID, "invalid result arity: select with %" PRIu32 " types, expected 1",
                        in->u.select.count);
        t = in->u.select.types[0];
        if (!valid_is_valtype(t)) return fail(w, WELD_ERR_INVALID, "unsupported select type 0x%02x", t);
        if ((st = pop(w, WELD_I32)) || (st = pop(w, t)) || (st = pop(w, t))) return st;
        return push(w, t);
    case WELD_OP_LOCAL_GET:
        if ((st = local_type(w, in->u.index, &t))) return st;
        return push(w, t);
    case WELD_OP_LOCAL_SET:
        if ((st = local_type(w, in->u.index, &t))) return st;
        return pop(w, t);
    case WELD_OP_LOCAL_TEE:
        if ((st = local_type(w, in->u.index, &t))) return st;
        if ((st = pop(w, t))) return st;
        return push(w, t);
    case WELD_OP_GLOBAL_GET:
    case WELD_OP_GLOBAL_SET: {
        if (in->u.index >= v->nglobals)
            return fail(w, WELD_ERR_INVALID, "unknown global %" PRIu32, in->u.index);
        const weld_globaltype *g = &v->globals[in->u.index];
        if (in->op == WELD_OP_GLOBAL_GET) return push(w, g->type);
        if (!g->mut) return fail(w, WELD_ERR_INVALID, "global is immutable: global.set of global %" PRIu32, in->u.index);
        return pop(w, g->type);
    }
    case WELD_OP_TABLE_GET:
    case WELD_OP_TABLE_SET: {
        const weld_tabletype *tt = NULL;
        if ((st = check_table(w, in->u.index, &tt))) return st;
        if (in->op == WELD_OP_TABLE_SET && (st = pop(w, tt->elem))) return st;
        if ((st = pop(w, valid_addr_type(&tt->limits)))) return st;
        return in->op == WELD_OP_TABLE_GET ? push(w, tt->elem) : WELD_OK;
    }
    case WELD_OP_TABLE_GROW:
    case WELD_OP_TABLE_FILL: {
        const weld_tabletype *tt = NULL;
        if ((st = check_table(w, in->u.index, &tt))) return st;
        uint8_t a = valid_addr_type(&tt->limits);
        if ((st = pop(w, a)) || (st = pop(w, tt->elem))) return st;
        if (in->op == WELD_OP_TABLE_GROW) return push(w, a);
        return pop(w, a);
    }
    case WELD_OP_MEMORY_SIZE:
    case WELD_OP_MEMORY_GROW: {
        const weld_limits *mem = NULL;
        if ((st = reserved_zeros(w, 1)) || (st = check_memory(w, in->u.index, &mem))) return st;
        uint8_t a = valid_addr_type(mem);
        if (in->op == WELD_OP_MEMORY_GROW && (st = pop(w, a))) return st;
        return push(w, a);
    }
    case WELD_OP_MEMORY_FILL: {
        const weld_limits *mem = NULL;
        if ((st = reserved_zeros(w, 1)) || (st = check_memory(w, in->u.index, &mem))) return st;
        uint8_t a = valid_addr_type(mem);
        if ((st = pop(w, a)) || (st = pop(w, WELD_I32)) || (st = pop(w, a))) return st;
        return WELD_OK;
    }
    case WELD_OP_MEMORY_COPY: {
        const weld_limits *dst = NULL, *src = NULL;
        if ((st = reserved_zeros(w, 2)) || (st = check_memory(w, in->u.pair.a, &dst)) || (st = check_memory(w, in->u.pair.b, &src)))
            return st;
        uint8_t ad = valid_addr_type(dst), as = valid_addr_type(src);
        uint8_t n = (ad == WELD_I64 && as == WELD_I64) ? WELD_I64 : WELD_I32;
        if ((st = pop(w, n)) || (st = pop(w, as)) || (st = pop(w, ad))) return st;
        return WELD_OK;
    }
    case WELD_OP_MEMORY_INIT: {
        const weld_limits *mem = NULL;
        if ((st = reserved_zeros(w, 1)) || (st = check_memory(w, in->u.pair.b, &mem)) ||
            (st = check_data(w, in->u.pair.a)))
            return st;
        if ((st = pop(w, WELD_I32)) || (st = pop(w, WELD_I32)) || (st = pop(w, valid_addr_type(mem))))
            return st;
        return WELD_OK;
    }
    case WELD_OP_THROW: case WELD_OP_THROW_REF: case WELD_OP_TRY_TABLE: case WELD_OP_TRY:
    case WELD_OP_CATCH: case WELD_OP_CATCH_ALL: case WELD_OP_RETHROW: case WELD_OP_DELEGATE:
        return exceptions(w, in);
    case WELD_OP_REF_NULL:
        if (in->u.heap.abstract == WELD_EXNREF && v->exceptions) return push(w, WELD_EXNREF);
        if (in->u.heap.abstract != WELD_FUNCREF && in->u.heap.abstract != WELD_EXTERNREF)
            return fail(w, WELD_ERR_INVALID, "ref.null: unsupported heap type");
        return push(w, in->u.heap.abstract);
    case WELD_OP_REF_IS_NULL:
        if ((st = pop_any(w, VT_UNKNOWN, &t))) return st;
        if (t != VT_UNKNOWN && !valid_is_ref(t))
            return fail(w, WELD_ERR_INVALID, "type mismatch: ref.is_null of %s, expected a reference",
                        tname(t));
        return push(w, WELD_I32);
    case WELD_OP_REF_FUNC: {
        const weld_functype *ft = NULL;
        if ((st = check_func(w, in->u.index, &ft))) return st;
        if (!v->refs[in->u.index])
            return fail(w, WELD_ERR_INVALID, "undeclared function reference: ref.func %" PRIu32
                        " is not in an element segment, export or global", in->u.index);
        return push(w, WELD_FUNCREF);
    }
    default:
        return fail(w, WELD_ERR_UNSUPPORTED, "%s is not supported by the validator",
                    weld_opinfos[in->op].name);
    }
}

/* ---- one body ----------------------------------------------------------------------- */

/* Expand the parameter and local types into v->locals. */
static weld_status setup_locals(walk *w, const weld_functype *ft, const weld_func_body *b)
{
    weld_validator *v = w->v;
    uint64_t n = (uint64_t)ft->nparams + b->nlocals;
    /* the implementation limit every engine shares (V8, SpiderMonkey, wasmparser): it keeps
     * the expansion of a hostile body's local declarations small */
    if (n > 50000)
        return fail(w, WELD_ERR_UNSUPPORTED, "too many locals: %" PRIu64 " (the limit is 50000)", n);
    if (!valid_reserve((void **)&v->locals, &v->cap_locals, (size_t)n, 1))
        return fail(w, WELD_ERR_NOMEM, "out of memory for %" PRIu64 " locals", n);
    if (ft->nparams) memcpy(v->locals, ft->params, ft->nparams);
    uint64_t k = ft->nparams;
    for (uint32_t g = 0; g < b->nlocal_groups; g++) {
        weld_valtype t = b->locals[g].type;
        if (!valid_is_valtype(t))
            return fail(w, WELD_ERR_INVALID, "local group %" PRIu32 ": unsupported type 0x%02x", g, t);
        if (!b->locals[g].count) continue; /* (an empty group; v->locals may still be NULL) */
        memset(v->locals + k, t, b->locals[g].count);
        k += b->locals[g].count;
    }
    v->nlocals = n;
    return WELD_OK;
}

static void fill_view(const weld_validator *v, weld_valid_view *view)
{
    view->func = v->func;
    view->type = v->ftype;
    view->height = v->nvals;
    view->stack = v->vals;
    view->depth = v->nctrls;
    view->unreachable = v->nctrls && v->ctrls[v->nctrls - 1].unreachable;
}

static weld_status walk_body(weld_validator *v, const weld_func_body *b,
                             const weld_valid_hooks *hooks, weld_diag *d)
{
    walk w = {v, d, b->code.offset, b->code.code};
    weld_status st;
    if ((st = setup_locals(&w, v->ftype, b))) return st;
    v->nvals = v->nctrls = 0;
    if ((st = push_ctrl(&w, WELD_OP_END, NULL, 0, v->ftype->results, v->ftype->nresults)))
        return st;
    weld_valid_view view;
    if (hooks && hooks->func_begin) {
        fill_view(v, &view);
        if ((st = hooks->func_begin(hooks->ctx, &view, b))) return st;
    }
    weld_insn_reader r;
    weld_insn_reader_init(&r, b->code.code, b->code.len, b->code.offset);
    r.mem64 = v->mem64;
    r.nmems = v->nmems;
    weld_insn in;
    const valid_sig *sigs = v->sigs;
    while (v->nctrls) {
        if (weld_insn_reader_done(&r)) {
            w.at = r.base + (uint64_t)(r.p - r.start);
            return fail(&w, WELD_ERR_MALFORMED, "unexpected end of function body: END opcode expected");
        }
        if (!weld_insn_read_fast(&r, &in) && (st = weld_insn_read(&r, &in, d))) {
            /* keep the decoder's message, name the function */
            char msg[sizeof d->message];
            if (d) {
                memcpy(msg, d->message, sizeof msg);
                weld_diag_set(d, st, d->offset, "func %" PRIu32 ": %s", v->func, msg);
            }
            return st;
        }
        w.at = in.offset;
        w.iend = r.p;
        if (hooks && hooks->insn) {
            fill_view(v, &view);
            if ((st = hooks->insn(hooks->ctx, &view, &in))) return st;
        }
        const valid_sig *s = &sigs[in.op];
        if (WELD_LIKELY(s->kind == SIG_PLAIN)) {
            /* the common case, inline: pops of plain operands, then pushes */
            uint32_t base = v->ctrls[v->nctrls - 1].height, k = s->npop, n = v->nvals;
            const uint8_t *vals = v->vals;
            while (k && n > base && vals[n - 1] == s->pop[k - 1]) {
                n--;
                k--;
            }
            v->nvals = n;
            for (; k; k--)
                if ((st = pop(&w, s->pop[k - 1]))) return st;
            if (WELD_UNLIKELY(v->cap_vals - v->nvals < 2) && !grow_vals(v, 2))
                return fail(&w, WELD_ERR_NOMEM, "out of memory");
            if (s->npush) v->vals[v->nvals++] = s->push[0];
            if (WELD_UNLIKELY(s->npush > 1)) v->vals[v->nvals++] = s->push[1];
            continue;
        }
        /* the most frequent special instructions, inline */
        switch (in.op) {
        case WELD_OP_LOCAL_GET:
            if (WELD_LIKELY(in.u.index < v->nlocals) && WELD_LIKELY(v->nvals < v->cap_vals)) {
                v->vals[v->nvals++] = v->locals[in.u.index];
                continue;
            }
            break;
        case WELD_OP_LOCAL_SET:
        case WELD_OP_LOCAL_TEE:
            if (WELD_LIKELY(in.u.index < v->nlocals)) {
                uint32_t base = v->ctrls[v->nctrls - 1].height;
                if (WELD_LIKELY(v->nvals > base && v->vals[v->nvals - 1] == v->locals[in.u.index])) {
                    if (in.op == WELD_OP_LOCAL_SET) v->nvals--;
                    continue;
                }
            }
            break;
        default:
            break;
        }
        st = s->kind == SIG_SPECIAL ? special(&w, &in) : plain(&w, &in, s);
        if (st) return st;
    }
    if (!weld_insn_reader_done(&r)) {
        w.at = r.base + (uint64_t)(r.p - r.start);
        return fail(&w, WELD_ERR_MALFORMED, "operators remaining after the end of the function");
    }
    if (hooks && hooks->func_end) {
        fill_view(v, &view);
        if ((st = hooks->func_end(hooks->ctx, &view))) return st;
    }
    return WELD_OK;
}

weld_status valid_functions(weld_validator *v, const weld_valid_hooks *hooks, weld_diag *d)
{
    const weld_module *m = v->m;
    for (uint32_t i = 0; i < m->ncode && i < m->nfuncs; i++) {
        v->func = m->nimported_funcs + i;
        v->ftype = &m->types[m->func_types[i]];
        weld_status st = walk_body(v, &m->code[i], hooks, d);
        if (st) return st;
    }
    return WELD_OK;
}

bool weld_validator_label(const weld_validator *v, uint32_t depth, weld_valid_label *out)
{
    if (depth >= v->nctrls) return false;
    const valid_ctrl *c = &v->ctrls[v->nctrls - 1 - depth];
    out->arity = LABEL_ARITY(c);
    out->types = LABEL_TYPES(c);
    out->height = c->height;
    out->is_loop = c->op == WELD_OP_LOOP;
    return true;
}
