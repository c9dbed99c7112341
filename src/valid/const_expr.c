/* const_expr.c - constant expressions: global initialisers, segment offsets, element
 * expressions. Allowed: the t.const instructions, ref.null, ref.func, global.get of an
 * immutable global in reach, and (extended-const) i32/i64 add, sub and mul. */
#include "valid.h"
#include <inttypes.h>

weld_status valid_const_expr(weld_validator *v, const weld_expr *e, weld_valtype want,
                             uint32_t nglobals, const char *what, weld_diag *d)
{
    weld_insn_reader r;
    weld_insn_reader_init(&r, e->code, e->len, e->offset);
    r.mem64 = v->mem64;
    r.nmems = v->nmems;
    weld_insn in;
    weld_status st;
    uint32_t n = 0; /* operand stack height; types in v->vals */
    for (;;) {
        if (weld_insn_reader_done(&r))
            return weld_diag_set(d, WELD_ERR_MALFORMED, r.base + (uint64_t)(r.p - r.start),
                                 "%s: constant expression: unexpected end, END opcode expected", what);
        if ((st = weld_insn_read(&r, &in, d))) return st;
        uint8_t push = 0, pop = 0;
        switch (in.op) {
        case WELD_OP_I32_CONST: push = WELD_I32; break;
        case WELD_OP_I64_CONST: push = WELD_I64; break;
        case WELD_OP_F32_CONST: push = WELD_F32; break;
        case WELD_OP_F64_CONST: push = WELD_F64; break;
        case WELD_OP_V128_CONST: push = WELD_V128; break;
        case WELD_OP_I32_ADD: case WELD_OP_I32_SUB: case WELD_OP_I32_MUL:
            if (!v->extended_const) goto not_const;
            pop = push = WELD_I32;
            break;
        case WELD_OP_I64_ADD: case WELD_OP_I64_SUB: case WELD_OP_I64_MUL:
            if (!v->extended_const) goto not_const;
            pop = push = WELD_I64;
            break;
        case WELD_OP_REF_NULL:
            if (in.u.heap.abstract != WELD_FUNCREF && in.u.heap.abstract != WELD_EXTERNREF &&
                !(in.u.heap.abstract == WELD_EXNREF && v->exceptions))
                return weld_diag_set(d, WELD_ERR_INVALID, in.offset,
                                     "%s: ref.null: unsupported heap type", what);
            push = in.u.heap.abstract;
            break;
        case WELD_OP_REF_FUNC:
            if (in.u.index >= v->nfuncs)
                return weld_diag_set(d, WELD_ERR_INVALID, in.offset, "%s: unknown function %" PRIu32,
                                     what, in.u.index);
            push = WELD_FUNCREF;
            break;
        case WELD_OP_GLOBAL_GET:
            if (in.u.index >= nglobals)
                return weld_diag_set(d, WELD_ERR_INVALID, in.offset,
                                     "%s: unknown global %" PRIu32 " (%" PRIu32 " in reach of a constant expression)",
                                     what, in.u.index, nglobals);
            if (v->globals[in.u.index].mut)
                return weld_diag_set(d, WELD_ERR_INVALID, in.offset,
                                     "%s: constant expression required: global.get of mutable global %" PRIu32,
                                     what, in.u.index);
            push = v->globals[in.u.index].type;
            break;
        case WELD_OP_END:
            if (!weld_insn_reader_done(&r))
                return weld_diag_set(d, WELD_ERR_MALFORMED, in.offset,
                                     "%s: constant expression: operators after END", what);
            if (n != 1 || v->vals[0] != want)
                return weld_diag_set(d, WELD_ERR_INVALID, in.offset,
                                     "%s: type mismatch: constant expression must produce one %s, found %s",
                                     what, weld_valtype_name(want),
                                     n == 0 ? "nothing" : n > 1 ? "several values"
                                                                : weld_valtype_name(v->vals[0]));
            return WELD_OK;
        default:
        not_const:
            return weld_diag_set(d, WELD_ERR_INVALID, in.offset,
                                 "%s: constant expression required, found %s", what,
                                 weld_opinfos[in.op].name);
        }
        if (pop) {
            if (n < 2 || v->vals[n - 1] != pop || v->vals[n - 2] != pop)
                return weld_diag_set(d, WELD_ERR_INVALID, in.offset,
                                     "%s: type mismatch: %s expects two %s operands", what,
                                     weld_opinfos[in.op].name, weld_valtype_name(pop));
            n -= 2;
        }
        if (n == v->cap_vals) {
            size_t cap = v->cap_vals;
            if (!valid_reserve((void **)&v->vals, &cap, (size_t)n + 1, 1))
                return weld_diag_set(d, WELD_ERR_NOMEM, in.offset, "%s: out of memory", what);
            v->cap_vals = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
        }
        v->vals[n++] = push;
    }
}
