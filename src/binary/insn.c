/* insn.c - the opcode table, the instruction decoder and encoder. */
#include "weld/insn.h"
#include "weld/module.h"
#include "base/base.h"
#include "binary/insn_fast.h"

const weld_opinfo weld_opinfos[WELD_OP_COUNT] = {
#define OP(id, name, prefix, code, imm, sig, arg) {name, sig, code, prefix, WELD_IMM_##imm, arg},
#include "binary/opcodes.def"
#undef OP
};

/* Reverse map: (prefix slot, code) -> opcode id + 1 (0: unknown). Codes are < 512. */
#define SLOT(prefix) ((prefix) == 0 ? 0 : (prefix) == 0xFC ? 1 : (prefix) == 0xFD ? 2 : 3)
/* weld_opcode + 1 of each (prefix slot, code); 0 for none. Slot 0 (single-byte opcodes)
 * is also what binary/insn_fast.h reads. */
const uint16_t weld_insn_op_lookup[4 * 512] = {
#define OP(id, name, prefix, code, imm, sig, arg) [SLOT(prefix) * 512 + (code)] = WELD_OP_##id + 1,
#include "binary/opcodes.def"
#undef OP
};

void weld_insn_reader_init(weld_insn_reader *r, const uint8_t *code, size_t len,
                           uint64_t offset)
{
    r->start = r->p = code;
    r->end = code + len;
    r->base = offset;
    r->memory64 = false;
    r->mem64 = NULL;
    r->nmems = 0;
}

void weld_insn_reader_use_module(weld_insn_reader *r, const weld_module *m)
{
    r->nmems = m->nimported_memories + m->nmemories;
    r->mem64 = m->mem64;
    r->memory64 = false;
    if (m->mem64) return;
    for (uint32_t i = 0; i < m->nmemories; i++)
        if (m->memories[i].flags & WELD_LIMITS_64) r->memory64 = true;
    for (uint32_t i = 0; i < m->nimports; i++)
        if (m->imports[i].type.kind == WELD_EXTERN_MEMORY &&
            (m->imports[i].type.u.memory.flags & WELD_LIMITS_64))
            r->memory64 = true;
}

/* Is memory x's memarg offset a u64? (An unknown memory: a u32; the validator rejects it.) */
static inline bool offset64(const weld_insn_reader *r, uint32_t x)
{
    if (!r->mem64) return r->memory64;
    return x < r->nmems && r->mem64[x];
}

/* Why a LEB128 at p failed: truncated input, or too many / too large bytes. */
static weld_status leb_error(const weld_insn_reader *r, const uint8_t *p, const char *what,
                             weld_diag *d)
{
    const uint8_t *q = p;
    while (q < r->end && (*q & 0x80)) q++;
    uint64_t off = r->base + (uint64_t)(p - r->start);
    if (q >= r->end)
        return weld_diag_set(d, WELD_ERR_MALFORMED, off, "%s: unexpected end", what);
    if (q - p >= 5)
        return weld_diag_set(d, WELD_ERR_MALFORMED, off,
                             "%s: integer representation too long", what);
    return weld_diag_set(d, WELD_ERR_MALFORMED, off, "%s: integer too large", what);
}

#define U32(dst, what)                                                                  \
    do {                                                                                \
        if (WELD_UNLIKELY(!weld_leb_u32(&p, end, &(dst)))) return leb_error(r, p, what, d); \
    } while (0)

static bool is_valtype(uint8_t b)
{
    return (b >= 0x7B && b <= 0x7F) || b == 0x70 || b == 0x6F || b == 0x69;
}

static bool is_abstract_heaptype(uint8_t b)
{
    return (b >= 0x69 && b <= 0x74);
}

static weld_status read_blocktype(weld_insn_reader *r, const uint8_t **pp, weld_blocktype *bt,
                                  weld_diag *d)
{
    const uint8_t *p = *pp, *end = r->end;
    if (p >= end) return leb_error(r, p, "block type", d);
    uint8_t b = *p;
    if (b == 0x40) {
        bt->kind = WELD_BLOCK_EMPTY;
        *pp = p + 1;
        return WELD_OK;
    }
    if (is_valtype(b)) {
        bt->kind = WELD_BLOCK_VALUE;
        bt->value = b;
        *pp = p + 1;
        return WELD_OK;
    }
    int64_t v;
    if (!weld_leb_s33(&p, end, &v)) return leb_error(r, *pp, "block type", d);
    if (v < 0)
        return weld_diag_set(d, WELD_ERR_MALFORMED, r->base + (uint64_t)(*pp - r->start),
                             "malformed block type 0x%02x", b);
    bt->kind = WELD_BLOCK_TYPEIDX;
    bt->index = (uint32_t)v;
    *pp = p;
    return WELD_OK;
}

static weld_status read_memarg(weld_insn_reader *r, const uint8_t **pp, weld_memarg *m,
                               weld_diag *d)
{
    const uint8_t *p = *pp, *end = r->end;
    uint32_t flags;
    U32(flags, "memarg alignment");
    if (flags >= 128)
        return weld_diag_set(d, WELD_ERR_MALFORMED, r->base + (uint64_t)(*pp - r->start),
                             "malformed memop alignment flag 0x%x", flags);
    m->align = flags & 63;
    m->memory = 0;
    if (flags & 64) U32(m->memory, "memarg memory index");
    if (offset64(r, m->memory)) {
        if (!weld_leb_u64(&p, end, &m->offset)) return leb_error(r, p, "memarg offset", d);
    } else {
        uint32_t off;
        U32(off, "memarg offset");
        m->offset = off;
    }
    *pp = p;
    return WELD_OK;
}

/* Validate a vector of count LEB128 u32s at *pp and skip it. */
static weld_status skip_u32s(weld_insn_reader *r, const uint8_t **pp, uint32_t count,
                             const char *what, weld_diag *d)
{
    const uint8_t *p = *pp, *end = r->end;
    uint32_t v;
    for (uint32_t i = 0; i < count; i++) U32(v, what);
    *pp = p;
    return WELD_OK;
}

weld_status weld_insn_read(weld_insn_reader *r, weld_insn *insn, weld_diag *d)
{
    const uint8_t *p = r->p, *end = r->end;
    weld_status st;
    insn->offset = r->base + (uint64_t)(p - r->start);
    if (WELD_UNLIKELY(p >= end))
        return weld_diag_set(d, WELD_ERR_MALFORMED, insn->offset, "unexpected end");
    uint8_t b = *p++;
    unsigned id;
    if (b >= 0xFC && b <= 0xFE) {
        uint32_t code;
        U32(code, "opcode");
        id = code < 512 ? weld_insn_op_lookup[SLOT(b) * 512 + code] : 0;
        if (!id)
            return weld_diag_set(d, WELD_ERR_MALFORMED, insn->offset,
                                 "unknown opcode 0x%02x 0x%x", b, code);
    } else {
        id = weld_insn_op_lookup[b];
        if (!id)
            return weld_diag_set(d, WELD_ERR_MALFORMED, insn->offset, "unknown opcode 0x%02x",
                                 b);
    }
    insn->op = (uint16_t)(id - 1);
    switch ((weld_imm_kind)weld_opinfos[id - 1].imm) {
    case WELD_IMM_NONE:
        break;
    case WELD_IMM_BLOCK:
        if ((st = read_blocktype(r, &p, &insn->u.block, d))) return st;
        break;
    case WELD_IMM_LABEL:
    case WELD_IMM_FUNC:
    case WELD_IMM_LOCAL:
    case WELD_IMM_GLOBAL:
    case WELD_IMM_TABLE:
    case WELD_IMM_MEMORY:
    case WELD_IMM_DATA:
    case WELD_IMM_ELEM:
    case WELD_IMM_TAG:
        U32(insn->u.index, weld_opinfos[id - 1].name);
        break;
    case WELD_IMM_CALL_INDIRECT:
    case WELD_IMM_MEMORY_INIT:
    case WELD_IMM_MEMORY_COPY:
    case WELD_IMM_TABLE_INIT:
    case WELD_IMM_TABLE_COPY:
        U32(insn->u.pair.a, weld_opinfos[id - 1].name);
        U32(insn->u.pair.b, weld_opinfos[id - 1].name);
        break;
    case WELD_IMM_BR_TABLE: {
        uint32_t n;
        U32(n, "br_table");
        if (n > (size_t)(end - p))
            return weld_diag_set(d, WELD_ERR_MALFORMED, insn->offset,
                                 "br_table: %u targets do not fit: unexpected end", n);
        insn->u.br_table.count = n;
        insn->u.br_table.targets = p;
        if ((st = skip_u32s(r, &p, n, "br_table", d))) return st;
        U32(insn->u.br_table.default_label, "br_table");
        break;
    }
    case WELD_IMM_MEMARG:
        if ((st = read_memarg(r, &p, &insn->u.memarg, d))) return st;
        break;
    case WELD_IMM_MEMARG_LANE:
        if ((st = read_memarg(r, &p, &insn->u.memarg, d))) return st;
        if (p >= end) return leb_error(r, p, "lane index", d);
        insn->lane = *p++;
        break;
    case WELD_IMM_I32:
        if (!weld_leb_s32(&p, end, &insn->u.i32)) return leb_error(r, p, "i32 constant", d);
        break;
    case WELD_IMM_I64:
        if (!weld_leb_s64(&p, end, &insn->u.i64)) return leb_error(r, p, "i64 constant", d);
        break;
    case WELD_IMM_F32:
        if (end - p < 4) return leb_error(r, end, "f32 constant", d);
        insn->u.f32 = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                      (uint32_t)p[3] << 24;
        p += 4;
        break;
    case WELD_IMM_F64:
        if (end - p < 8) return leb_error(r, end, "f64 constant", d);
        insn->u.f64 = 0;
        for (int i = 7; i >= 0; i--) insn->u.f64 = insn->u.f64 << 8 | p[i];
        p += 8;
        break;
    case WELD_IMM_V128:
    case WELD_IMM_SHUFFLE:
        if (end - p < 16) return leb_error(r, end, weld_opinfos[id - 1].name, d);
        memcpy(insn->u.v128, p, 16);
        p += 16;
        break;
    case WELD_IMM_LANE:
        if (p >= end) return leb_error(r, p, "lane index", d);
        insn->lane = *p++;
        break;
    case WELD_IMM_SELECT_T: {
        uint32_t n;
        U32(n, "select");
        if (n > (size_t)(end - p)) return leb_error(r, end, "select types", d);
        insn->u.select.count = n;
        insn->u.select.types = p;
        for (uint32_t i = 0; i < n; i++)
            if (!is_valtype(p[i]))
                return weld_diag_set(d, WELD_ERR_MALFORMED, r->base + (uint64_t)(p + i - r->start),
                                     "select: malformed value type 0x%02x", p[i]);
        p += n;
        break;
    }
    case WELD_IMM_HEAPTYPE: {
        if (p >= end) return leb_error(r, p, "heap type", d);
        const uint8_t *at = p;
        if (is_abstract_heaptype(*p)) {
            insn->u.heap.abstract = *p++;
            insn->u.heap.index = 0;
            break;
        }
        int64_t v;
        if (!weld_leb_s33(&p, end, &v)) return leb_error(r, at, "heap type", d);
        if (v < 0)
            return weld_diag_set(d, WELD_ERR_MALFORMED, r->base + (uint64_t)(at - r->start),
                                 "malformed reference type 0x%02x", *at);
        insn->u.heap.abstract = 0;
        insn->u.heap.index = (uint32_t)v;
        break;
    }
    case WELD_IMM_TRY_TABLE: {
        if ((st = read_blocktype(r, &p, &insn->u.try_table.block, d))) return st;
        uint32_t n, v;
        U32(n, "try_table");
        if (n > (size_t)(end - p)) return leb_error(r, end, "try_table catches", d);
        insn->u.try_table.count = n;
        insn->u.try_table.catches = p;
        for (uint32_t i = 0; i < n; i++) {
            if (p >= end) return leb_error(r, p, "try_table catch", d);
            uint8_t k = *p++;
            if (k > WELD_CATCH_ALL_REF)
                return weld_diag_set(d, WELD_ERR_MALFORMED, r->base + (uint64_t)(p - 1 - r->start),
                                     "try_table: malformed catch kind 0x%02x", k);
            if (k < WELD_CATCH_ALL) U32(v, "try_table catch tag");
            U32(v, "try_table catch label");
        }
        break;
    }
    case WELD_IMM_FENCE:
        if (p >= end) return leb_error(r, p, "atomic.fence", d);
        if (*p != 0)
            return weld_diag_set(d, WELD_ERR_MALFORMED, r->base + (uint64_t)(p - r->start),
                                 "atomic.fence: expected a zero byte, found 0x%02x", *p);
        p++;
        break;
    }
    r->p = p;
    return WELD_OK;
}

/* Skip the immediates of the commonest instructions (single-byte opcodes whose immediate
 * is nothing, one u32 index, an i32/i64 constant or a memarg) without building a weld_insn.
 * Returns the position after the instruction, or NULL when the full decoder must handle
 * it (other immediates, control structure, or anything malformed). */
static const uint8_t *skip_simple(const weld_insn_reader *r, const uint8_t *p)
{
    const uint8_t *end = r->end;
    unsigned id = weld_insn_op_lookup[*p];
    if (!id) return NULL;
    uint32_t u;
    int32_t s32;
    int64_t s64;
    const uint8_t *q = p + 1;
    switch ((weld_imm_kind)weld_opinfos[id - 1].imm) {
    case WELD_IMM_NONE:
        return *p == 0x0B ? NULL : q; /* `end` changes the depth */
    case WELD_IMM_LOCAL:
    case WELD_IMM_GLOBAL:
    case WELD_IMM_FUNC:
        return weld_leb_u32(&q, end, &u) ? q : NULL;
    case WELD_IMM_LABEL:
        return *p != 0x18 && weld_leb_u32(&q, end, &u) ? q : NULL; /* delegate ends a try */
    case WELD_IMM_I32:
        return weld_leb_s32(&q, end, &s32) ? q : NULL;
    case WELD_IMM_I64:
        return weld_leb_s64(&q, end, &s64) ? q : NULL;
    case WELD_IMM_MEMARG:
        if (q >= end || *q >= 0x40 || offset64(r, 0)) return NULL; /* memory 0, no LEB flags */
        q++;
        return weld_leb_u32(&q, end, &u) ? q : NULL;
    default:
        return NULL;
    }
}

static weld_status scan(weld_insn_reader *rp, const uint8_t *code, uint32_t *len, bool *uses_data,
                        weld_diag *d);

weld_status weld_expr_scan(const uint8_t *code, size_t avail, uint64_t offset, bool memory64,
                           uint32_t *len, bool *uses_data, weld_diag *d)
{
    weld_insn_reader r;
    weld_insn_reader_init(&r, code, avail, offset);
    r.memory64 = memory64;
    return scan(&r, code, len, uses_data, d);
}

weld_status weld_expr_scan_mems(const uint8_t *code, size_t avail, uint64_t offset,
                                const bool *mem64, uint32_t nmems, uint32_t *len,
                                bool *uses_data, weld_diag *d)
{
    weld_insn_reader r;
    weld_insn_reader_init(&r, code, avail, offset);
    r.mem64 = mem64;
    r.nmems = nmems;
    return scan(&r, code, len, uses_data, d);
}

static weld_status scan(weld_insn_reader *rp, const uint8_t *code, uint32_t *len, bool *uses_data,
                        weld_diag *d)
{
    weld_insn_reader r = *rp;
    weld_insn insn;
    uint32_t depth = 0;
    weld_status st;
    for (;;) {
        /* fast path: runs of simple instructions */
        while (r.p < r.end) {
            const uint8_t *next = skip_simple(&r, r.p);
            if (!next) break;
            r.p = next;
        }
        if ((st = weld_insn_read(&r, &insn, d))) return st;
        switch (insn.op) {
        case WELD_OP_BLOCK:
        case WELD_OP_LOOP:
        case WELD_OP_IF:
        case WELD_OP_TRY:
        case WELD_OP_TRY_TABLE:
            depth++;
            break;
        case WELD_OP_END:
        case WELD_OP_DELEGATE:
            if (depth == 0) {
                if (insn.op == WELD_OP_DELEGATE)
                    return weld_diag_set(d, WELD_ERR_MALFORMED, insn.offset,
                                         "delegate outside a try block");
                *len = (uint32_t)(r.p - code);
                return WELD_OK;
            }
            depth--;
            break;
        case WELD_OP_MEMORY_INIT:
        case WELD_OP_DATA_DROP:
            if (uses_data) *uses_data = true;
            break;
        default:
            break;
        }
    }
}

/* ---- encoder ------------------------------------------------------------------------ */

static void write_blocktype(weld_buf *b, const weld_blocktype *bt)
{
    switch (bt->kind) {
    case WELD_BLOCK_EMPTY: weld_buf_byte(b, 0x40); break;
    case WELD_BLOCK_VALUE: weld_buf_byte(b, bt->value); break;
    default: weld_buf_s64leb(b, (int64_t)bt->index); break;
    }
}

static void write_memarg(weld_buf *b, const weld_memarg *m)
{
    if (m->memory) {
        weld_buf_u32leb(b, m->align | 64);
        weld_buf_u32leb(b, m->memory);
    } else {
        weld_buf_u32leb(b, m->align);
    }
    weld_buf_u64leb(b, m->offset);
}

void weld_insn_write(weld_buf *b, const weld_insn *insn)
{
    const weld_opinfo *oi = &weld_opinfos[insn->op];
    if (oi->prefix) {
        weld_buf_byte(b, oi->prefix);
        weld_buf_u32leb(b, oi->code);
    } else {
        weld_buf_byte(b, (uint8_t)oi->code);
    }
    switch ((weld_imm_kind)oi->imm) {
    case WELD_IMM_NONE: break;
    case WELD_IMM_BLOCK: write_blocktype(b, &insn->u.block); break;
    case WELD_IMM_LABEL:
    case WELD_IMM_FUNC:
    case WELD_IMM_LOCAL:
    case WELD_IMM_GLOBAL:
    case WELD_IMM_TABLE:
    case WELD_IMM_MEMORY:
    case WELD_IMM_DATA:
    case WELD_IMM_ELEM:
    case WELD_IMM_TAG: weld_buf_u32leb(b, insn->u.index); break;
    case WELD_IMM_CALL_INDIRECT:
    case WELD_IMM_MEMORY_INIT:
    case WELD_IMM_MEMORY_COPY:
    case WELD_IMM_TABLE_INIT:
    case WELD_IMM_TABLE_COPY:
        weld_buf_u32leb(b, insn->u.pair.a);
        weld_buf_u32leb(b, insn->u.pair.b);
        break;
    case WELD_IMM_BR_TABLE: {
        weld_buf_u32leb(b, insn->u.br_table.count);
        const uint8_t *t = insn->u.br_table.targets;
        for (uint32_t i = 0; i < insn->u.br_table.count; i++)
            weld_buf_u32leb(b, weld_insn_label_next(&t));
        weld_buf_u32leb(b, insn->u.br_table.default_label);
        break;
    }
    case WELD_IMM_MEMARG: write_memarg(b, &insn->u.memarg); break;
    case WELD_IMM_MEMARG_LANE:
        write_memarg(b, &insn->u.memarg);
        weld_buf_byte(b, insn->lane);
        break;
    case WELD_IMM_I32: weld_buf_s64leb(b, insn->u.i32); break;
    case WELD_IMM_I64: weld_buf_s64leb(b, insn->u.i64); break;
    case WELD_IMM_F32:
        for (int i = 0; i < 4; i++) weld_buf_byte(b, (uint8_t)(insn->u.f32 >> (8 * i)));
        break;
    case WELD_IMM_F64:
        for (int i = 0; i < 8; i++) weld_buf_byte(b, (uint8_t)(insn->u.f64 >> (8 * i)));
        break;
    case WELD_IMM_V128:
    case WELD_IMM_SHUFFLE: weld_buf_append(b, insn->u.v128, 16); break;
    case WELD_IMM_LANE: weld_buf_byte(b, insn->lane); break;
    case WELD_IMM_SELECT_T:
        weld_buf_u32leb(b, insn->u.select.count);
        weld_buf_append(b, insn->u.select.types, insn->u.select.count);
        break;
    case WELD_IMM_HEAPTYPE:
        if (insn->u.heap.abstract) weld_buf_byte(b, insn->u.heap.abstract);
        else weld_buf_s64leb(b, (int64_t)insn->u.heap.index);
        break;
    case WELD_IMM_TRY_TABLE: {
        write_blocktype(b, &insn->u.try_table.block);
        weld_buf_u32leb(b, insn->u.try_table.count);
        const uint8_t *c = insn->u.try_table.catches;
        for (uint32_t i = 0; i < insn->u.try_table.count; i++) {
            weld_catch k = weld_insn_catch_next(&c);
            weld_buf_byte(b, k.kind);
            if (k.kind < WELD_CATCH_ALL) weld_buf_u32leb(b, k.tag);
            weld_buf_u32leb(b, k.label);
        }
        break;
    }
    case WELD_IMM_FENCE: weld_buf_byte(b, 0); break;
    }
}

static bool blocktype_equal(const weld_blocktype *a, const weld_blocktype *b)
{
    if (a->kind != b->kind) return false;
    if (a->kind == WELD_BLOCK_VALUE) return a->value == b->value;
    if (a->kind == WELD_BLOCK_TYPEIDX) return a->index == b->index;
    return true;
}

bool weld_insn_equal(const weld_insn *a, const weld_insn *b)
{
    if (a->op != b->op) return false;
    switch ((weld_imm_kind)weld_opinfos[a->op].imm) {
    case WELD_IMM_NONE:
    case WELD_IMM_FENCE: return true;
    case WELD_IMM_BLOCK: return blocktype_equal(&a->u.block, &b->u.block);
    case WELD_IMM_LABEL:
    case WELD_IMM_FUNC:
    case WELD_IMM_LOCAL:
    case WELD_IMM_GLOBAL:
    case WELD_IMM_TABLE:
    case WELD_IMM_MEMORY:
    case WELD_IMM_DATA:
    case WELD_IMM_ELEM:
    case WELD_IMM_TAG: return a->u.index == b->u.index;
    case WELD_IMM_CALL_INDIRECT:
    case WELD_IMM_MEMORY_INIT:
    case WELD_IMM_MEMORY_COPY:
    case WELD_IMM_TABLE_INIT:
    case WELD_IMM_TABLE_COPY: return a->u.pair.a == b->u.pair.a && a->u.pair.b == b->u.pair.b;
    case WELD_IMM_BR_TABLE: {
        if (a->u.br_table.count != b->u.br_table.count ||
            a->u.br_table.default_label != b->u.br_table.default_label)
            return false;
        const uint8_t *p = a->u.br_table.targets, *q = b->u.br_table.targets;
        for (uint32_t i = 0; i < a->u.br_table.count; i++)
            if (weld_insn_label_next(&p) != weld_insn_label_next(&q)) return false;
        return true;
    }
    case WELD_IMM_MEMARG_LANE:
        if (a->lane != b->lane) return false;
        /* fall through */
    case WELD_IMM_MEMARG:
        return a->u.memarg.align == b->u.memarg.align &&
               a->u.memarg.memory == b->u.memarg.memory &&
               a->u.memarg.offset == b->u.memarg.offset;
    case WELD_IMM_I32: return a->u.i32 == b->u.i32;
    case WELD_IMM_I64: return a->u.i64 == b->u.i64;
    case WELD_IMM_F32: return a->u.f32 == b->u.f32;
    case WELD_IMM_F64: return a->u.f64 == b->u.f64;
    case WELD_IMM_V128:
    case WELD_IMM_SHUFFLE: return memcmp(a->u.v128, b->u.v128, 16) == 0;
    case WELD_IMM_LANE: return a->lane == b->lane;
    case WELD_IMM_SELECT_T:
        return a->u.select.count == b->u.select.count &&
               memcmp(a->u.select.types, b->u.select.types, a->u.select.count) == 0;
    case WELD_IMM_HEAPTYPE:
        return a->u.heap.abstract == b->u.heap.abstract && a->u.heap.index == b->u.heap.index;
    case WELD_IMM_TRY_TABLE: {
        if (!blocktype_equal(&a->u.try_table.block, &b->u.try_table.block) ||
            a->u.try_table.count != b->u.try_table.count)
            return false;
        const uint8_t *p = a->u.try_table.catches, *q = b->u.try_table.catches;
        for (uint32_t i = 0; i < a->u.try_table.count; i++) {
            weld_catch x = weld_insn_catch_next(&p), y = weld_insn_catch_next(&q);
            if (x.kind != y.kind || x.tag != y.tag || x.label != y.label) return false;
        }
        return true;
    }
    }
    return false;
}
