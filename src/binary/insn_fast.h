/* insn_fast.h - an inline fast path of weld_insn_read for the commonest instructions:
 * single-byte opcodes whose immediate is nothing, a one-byte index, a one-byte i32
 * constant or a two-byte memarg. Everything else (and anything near the end of the code)
 * is left to weld_insn_read, which gives the same result and the errors. */
#ifndef WELD_INSN_FAST_H
#define WELD_INSN_FAST_H

#include "weld/insn.h"

/* weld_opcode + 1 by (prefix slot * 512 + code); slot 0, indexed by the byte, holds the
 * single-byte opcodes (0: none, or a prefix byte). */
extern const uint16_t weld_insn_op_lookup[4 * 512];

/* Decode the instruction at r->p into *in when it has one of the simple forms above;
 * false (nothing consumed) otherwise. */
static inline bool weld_insn_read_fast(weld_insn_reader *r, weld_insn *in)
{
    const uint8_t *p = r->p;
    if (r->end - p < 3) return false;
    unsigned id = weld_insn_op_lookup[p[0]];
    if (!id) return false;
    switch ((weld_imm_kind)weld_opinfos[id - 1].imm) {
    case WELD_IMM_NONE:
        r->p = p + 1;
        break;
    case WELD_IMM_LOCAL:
    case WELD_IMM_GLOBAL:
    case WELD_IMM_FUNC:
    case WELD_IMM_LABEL:
        if (p[1] & 0x80) return false;
        in->u.index = p[1];
        r->p = p + 2;
        break;
    case WELD_IMM_I32:
        if (p[1] & 0x80) return false;
        in->u.i32 = (int32_t)(p[1] & 0x40 ? p[1] | ~(uint32_t)0x7F : p[1]);
        r->p = p + 2;
        break;
    case WELD_IMM_MEMARG:
        if (p[1] >= 64 || (p[2] & 0x80)) return false;
        in->u.memarg.align = p[1];
        in->u.memarg.memory = 0;
        in->u.memarg.offset = p[2];
        r->p = p + 3;
        break;
    default:
        return false;
    }
    in->op = (uint16_t)(id - 1);
    in->offset = r->base + (uint64_t)(p - r->start);
    return true;
}

#endif
