/* insn.h - WebAssembly instructions: the opcode table, a decoder that yields one
 * instruction at a time from a byte range, and an encoder.
 *
 * Every layer that handles instructions (reader, writer, validator, printer, interpreter
 * compiler) works from the one table in src/binary/opcodes.def, exposed here as the
 * weld_opcode enum and the weld_opinfos[] array.
 */
#ifndef WELD_INSN_H
#define WELD_INSN_H

#include "weld/weld.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What follows an opcode in the binary format. */
typedef enum weld_imm_kind {
    WELD_IMM_NONE,
    WELD_IMM_BLOCK,         /* block type */
    WELD_IMM_LABEL,         /* label index (br, br_if, rethrow, delegate) */
    WELD_IMM_BR_TABLE,      /* vec(label) label */
    WELD_IMM_FUNC,          /* function index */
    WELD_IMM_CALL_INDIRECT, /* type index, table index */
    WELD_IMM_LOCAL,
    WELD_IMM_GLOBAL,
    WELD_IMM_TABLE,
    WELD_IMM_MEMARG,        /* alignment flags [memory index] offset */
    WELD_IMM_MEMARG_LANE,   /* memarg, then a lane byte */
    WELD_IMM_MEMORY,        /* memory index (memory.size/grow/fill) */
    WELD_IMM_I32,
    WELD_IMM_I64,
    WELD_IMM_F32,
    WELD_IMM_F64,
    WELD_IMM_V128,
    WELD_IMM_LANE,          /* one lane byte */
    WELD_IMM_SHUFFLE,       /* 16 lane bytes */
    WELD_IMM_SELECT_T,      /* vec(valtype) */
    WELD_IMM_HEAPTYPE,      /* ref.null */
    WELD_IMM_DATA,          /* data index (data.drop) */
    WELD_IMM_ELEM,          /* element index (elem.drop) */
    WELD_IMM_MEMORY_INIT,   /* data index, memory index */
    WELD_IMM_MEMORY_COPY,   /* destination memory, source memory */
    WELD_IMM_TABLE_INIT,    /* element index, table index */
    WELD_IMM_TABLE_COPY,    /* destination table, source table */
    WELD_IMM_TAG,           /* tag index */
    WELD_IMM_TRY_TABLE,     /* block type, vec(catch) */
    WELD_IMM_FENCE          /* one reserved 0x00 byte */
} weld_imm_kind;

/* The opcode ids: WELD_OP_I32_ADD, WELD_OP_MEMORY_ATOMIC_NOTIFY, ... */
typedef enum weld_opcode {
#define OP(id, name, prefix, code, imm, sig, arg) WELD_OP_##id,
#include "binary/opcodes.def"
#undef OP
    WELD_OP_COUNT
} weld_opcode;

typedef struct weld_opinfo {
    const char *name; /* text format name */
    const char *sig;  /* operand signature (see opcodes.def) */
    uint16_t code;    /* opcode after the prefix */
    uint8_t prefix;   /* 0, 0xFC, 0xFD or 0xFE */
    uint8_t imm;      /* weld_imm_kind */
    uint8_t arg;      /* natural alignment (log2) of memory accesses; lane count of LANE */
} weld_opinfo;

extern const weld_opinfo weld_opinfos[WELD_OP_COUNT];

/* Block types. */
enum { WELD_BLOCK_EMPTY, WELD_BLOCK_VALUE, WELD_BLOCK_TYPEIDX };
typedef struct weld_blocktype {
    uint8_t kind;    /* WELD_BLOCK_* */
    uint8_t value;   /* the valtype byte when kind == WELD_BLOCK_VALUE */
    uint32_t index;  /* the type index when kind == WELD_BLOCK_TYPEIDX */
} weld_blocktype;

typedef struct weld_memarg {
    uint32_t align;  /* log2 of the alignment */
    uint32_t memory; /* memory index (encoded only when nonzero, with flag bit 6) */
    uint64_t offset;
} weld_memarg;

/* try_table catch clause kinds, by their binary encoding. */
enum { WELD_CATCH = 0, WELD_CATCH_REF = 1, WELD_CATCH_ALL = 2, WELD_CATCH_ALL_REF = 3 };
typedef struct weld_catch {
    uint8_t kind;
    uint32_t tag;   /* for WELD_CATCH and WELD_CATCH_REF */
    uint32_t label;
} weld_catch;

/* One decoded instruction. Variable-length immediates (br_table targets, select types,
 * try_table catches) point into the input and are walked with the iterators below. */
typedef struct weld_insn {
    uint16_t op;      /* weld_opcode */
    uint8_t lane;     /* LANE and MEMARG_LANE */
    uint64_t offset;  /* file offset of the instruction's first byte */
    union {
        weld_blocktype block;            /* BLOCK */
        uint32_t index;                  /* LABEL FUNC LOCAL GLOBAL TABLE MEMORY DATA ELEM TAG */
        struct { uint32_t a, b; } pair;  /* CALL_INDIRECT (type, table), MEMORY_INIT (data,
                                            memory), MEMORY_COPY / TABLE_COPY (dst, src),
                                            TABLE_INIT (elem, table) */
        weld_memarg memarg;              /* MEMARG, MEMARG_LANE */
        int32_t i32;
        int64_t i64;
        uint32_t f32;                    /* raw bits */
        uint64_t f64;                    /* raw bits */
        uint8_t v128[16];                /* V128 (little-endian bytes), SHUFFLE (lanes) */
        struct {
            uint32_t count;              /* targets, not counting the default */
            uint32_t default_label;
            const uint8_t *targets;      /* count LEB128 labels */
        } br_table;
        struct {
            uint32_t count;
            const uint8_t *types;        /* count valtype bytes */
        } select;
        struct {
            uint8_t abstract;            /* abstract heap type byte (0x70 func, 0x6f extern,
                                            ...), or 0 when `index` is a type index */
            uint32_t index;
        } heap;
        struct {
            weld_blocktype block;
            uint32_t count;
            const uint8_t *catches;      /* count encoded catch clauses */
        } try_table;
    } u;
} weld_insn;

/* Walk already-decoded variable immediates: each call returns the next item and advances
 * *p (start from insn.u.br_table.targets or insn.u.try_table.catches). */
static inline uint32_t weld_insn_label_next(const uint8_t **p)
{
    const uint8_t *q = *p;
    uint32_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
        b = *q++;
        v |= (uint32_t)(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    *p = q;
    return v;
}
static inline weld_catch weld_insn_catch_next(const uint8_t **p)
{
    weld_catch c;
    c.kind = *(*p)++;
    c.tag = c.kind < WELD_CATCH_ALL ? weld_insn_label_next(p) : 0;
    c.label = weld_insn_label_next(p);
    return c;
}

/* A decoder over a byte range [code, code+len) whose first byte is at file offset `offset`. */
typedef struct weld_insn_reader {
    const uint8_t *start, *p, *end;
    uint64_t base;   /* file offset of start */
    /* A memarg's offset is a u64 when the memory it names is 64-bit, else a u32: mem64[x]
     * says whether memory x (imports first; nmems of them) is 64-bit. When mem64 is NULL,
     * memory64 says it for every memory. */
    bool memory64;
    const bool *mem64;
    uint32_t nmems;
} weld_insn_reader;

void weld_insn_reader_init(weld_insn_reader *r, const uint8_t *code, size_t len,
                           uint64_t offset);
struct weld_module;
/* Decode memargs by the memories of module m (its mem64, else whether any is 64-bit). */
void weld_insn_reader_use_module(weld_insn_reader *r, const struct weld_module *m);

static inline bool weld_insn_reader_done(const weld_insn_reader *r)
{
    return r->p >= r->end;
}

/* Decode the next instruction. On malformed input returns WELD_ERR_MALFORMED with the
 * offset and "unknown opcode 0xfc 0x55", "unexpected end", "integer representation too
 * long", ... in d; the reader is then left at the failing instruction. */
weld_status weld_insn_read(weld_insn_reader *r, weld_insn *insn, weld_diag *d);

/* Decode an instruction sequence that ends with the `end` closing depth 0: on success
 * *len is its length including that `end`. Flags out: *uses_data is set when memory.init
 * or data.drop occurs (the data count section is then required). */
weld_status weld_expr_scan(const uint8_t *code, size_t avail, uint64_t offset, bool memory64,
                           uint32_t *len, bool *uses_data, weld_diag *d);
/* The same with memargs decoded per memory (see weld_insn_reader.mem64). */
weld_status weld_expr_scan_mems(const uint8_t *code, size_t avail, uint64_t offset,
                                const bool *mem64, uint32_t nmems, uint32_t *len,
                                bool *uses_data, weld_diag *d);

struct weld_buf;
/* Append the binary encoding of insn (minimal LEB128s) to b. */
void weld_insn_write(struct weld_buf *b, const weld_insn *insn);

/* Do two decoded instructions have the same opcode and immediates? */
bool weld_insn_equal(const weld_insn *a, const weld_insn *b);

#ifdef __cplusplus
}
#endif
#endif
