/* module.h - the in-memory form of a core WebAssembly module, its reader and writer,
 * and the instruction decoder that every later layer (validator, printer, interpreter
 * compiler) shares.
 *
 * A module is owned by one weld_arena. The reader does not copy the input: byte slices in
 * the tree (function bodies, data segments, custom sections, constant expressions) point
 * into the caller's buffer, which must outlive the module.
 */
#ifndef WELD_MODULE_H
#define WELD_MODULE_H

#include "weld/weld.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- types ----------------------------------------------------------------------- */

/* Value types, by their binary encoding. */
enum {
    WELD_I32 = 0x7F,
    WELD_I64 = 0x7E,
    WELD_F32 = 0x7D,
    WELD_F64 = 0x7C,
    WELD_V128 = 0x7B,
    WELD_FUNCREF = 0x70,
    WELD_EXTERNREF = 0x6F,
    WELD_EXNREF = 0x69
};
typedef uint8_t weld_valtype;

/* The text name of a value type ("i32", "funcref", ...; "?" if not one). */
const char *weld_valtype_name(weld_valtype t);

typedef struct weld_functype {
    uint32_t nparams, nresults;
    const weld_valtype *params;
    const weld_valtype *results;
} weld_functype;

/* Limits of a memory or table; `flags` is the binary flags byte (bit 0: has max,
 * bit 1: shared, bit 2: 64-bit index), kept so the writer reproduces it. */
typedef struct weld_limits {
    uint8_t flags;
    uint64_t min, max;
} weld_limits;
#define WELD_LIMITS_HAS_MAX 0x01
#define WELD_LIMITS_SHARED 0x02
#define WELD_LIMITS_64 0x04

typedef struct weld_tabletype {
    weld_valtype elem;
    weld_limits limits;
} weld_tabletype;

typedef struct weld_globaltype {
    weld_valtype type;
    bool mut;
} weld_globaltype;

/* External kinds, by their binary encoding. */
typedef enum weld_extern_kind {
    WELD_EXTERN_FUNC = 0,
    WELD_EXTERN_TABLE = 1,
    WELD_EXTERN_MEMORY = 2,
    WELD_EXTERN_GLOBAL = 3,
    WELD_EXTERN_TAG = 4
} weld_extern_kind;

/* The type of an import (or, in module types, an export). */
typedef struct weld_externtype {
    uint8_t kind; /* weld_extern_kind */
    union {
        uint32_t func;    /* type index */
        weld_tabletype table;
        weld_limits memory;
        weld_globaltype global;
        uint32_t tag;     /* type index (attribute 0) */
    } u;
} weld_externtype;

/* A constant expression or any instruction sequence, raw, including its final `end`.
 * Decode it with weld_insn_reader. `offset` is its position in the input. */
typedef struct weld_expr {
    const uint8_t *code;
    uint32_t len;
    uint32_t offset;
} weld_expr;

/* ---- module items ---------------------------------------------------------------- */

typedef struct weld_import {
    weld_str module, name;
    weld_externtype type;
} weld_import;

typedef struct weld_export {
    weld_str name;
    uint8_t kind; /* weld_extern_kind */
    uint32_t index;
} weld_export;

typedef struct weld_global {
    weld_globaltype type;
    weld_expr init;
} weld_global;

/* Element segments: all eight binary forms; `flags` is the form (0..7). */
typedef enum weld_segment_mode {
    WELD_SEG_ACTIVE,
    WELD_SEG_PASSIVE,
    WELD_SEG_DECLARATIVE
} weld_segment_mode;

typedef struct weld_elem {
    uint32_t flags;
    uint8_t mode;          /* weld_segment_mode */
    uint32_t table;        /* active only */
    weld_expr offset;      /* active only */
    weld_valtype type;     /* reference type (elemkind 0x00 means funcref) */
    uint32_t count;
    bool uses_exprs;       /* forms 4..7: init is expressions; else function indices */
    const uint32_t *funcs; /* count function indices (forms 0..3) */
    const weld_expr *exprs;/* count expressions (forms 4..7) */
} weld_elem;

typedef struct weld_data {
    uint32_t flags;        /* 0: active mem 0, 1: passive, 2: active with memory index */
    uint8_t mode;          /* weld_segment_mode (never declarative) */
    uint32_t memory;
    weld_expr offset;
    const uint8_t *bytes;
    uint32_t len;
} weld_data;

typedef struct weld_local_group {
    uint32_t count;
    weld_valtype type;
} weld_local_group;

typedef struct weld_func_body {
    uint32_t nlocal_groups;
    const weld_local_group *locals;
    uint64_t nlocals;      /* sum of the groups' counts */
    weld_expr code;        /* the instructions after the locals, up to and including `end` */
    uint32_t offset;       /* offset of the body's size field in the input */
} weld_func_body;

typedef struct weld_custom {
    weld_str name;
    const uint8_t *data;   /* the payload after the name */
    uint32_t len;
    uint32_t offset;       /* offset of the section id byte in the input */
} weld_custom;

/* The decoded `name` custom section (subsections 0 module, 1 functions, 2 locals; the
 * extended-name subsections 3.. are kept raw in `other`). */
typedef struct weld_name_assoc {
    uint32_t index;
    weld_str name;
} weld_name_assoc;

typedef struct weld_name_map {
    uint32_t count;
    const weld_name_assoc *items;
} weld_name_map;

typedef struct weld_indirect_name_map {
    uint32_t count;
    const uint32_t *indices;
    const weld_name_map *maps;
} weld_indirect_name_map;

typedef struct weld_name_subsection {
    uint8_t id;
    const uint8_t *data;
    uint32_t len;
} weld_name_subsection;

typedef struct weld_names {
    bool has_module;
    weld_str module;
    weld_name_map funcs;
    weld_indirect_name_map locals;
    /* every subsection in input order, raw (so a writer can reproduce it exactly) */
    uint32_t nsubsections;
    const weld_name_subsection *subsections;
} weld_names;

/* Section ids. */
enum {
    WELD_SEC_CUSTOM = 0,
    WELD_SEC_TYPE = 1,
    WELD_SEC_IMPORT = 2,
    WELD_SEC_FUNCTION = 3,
    WELD_SEC_TABLE = 4,
    WELD_SEC_MEMORY = 5,
    WELD_SEC_GLOBAL = 6,
    WELD_SEC_EXPORT = 7,
    WELD_SEC_START = 8,
    WELD_SEC_ELEMENT = 9,
    WELD_SEC_CODE = 10,
    WELD_SEC_DATA = 11,
    WELD_SEC_DATACOUNT = 12,
    WELD_SEC_TAG = 13
};

/* The order sections appeared in, so custom sections land where they were. */
typedef struct weld_section_ref {
    uint8_t id;
    uint32_t index;  /* for custom sections: index into customs[] */
    uint32_t offset; /* offset of the id byte in the input */
    uint32_t size;   /* payload size */
} weld_section_ref;

typedef struct weld_module {
    weld_arena *arena;

    uint32_t ntypes;
    const weld_functype *types;
    uint32_t nimports;
    const weld_import *imports;
    uint32_t nfuncs;                 /* defined functions (function section) */
    const uint32_t *func_types;      /* type index of each defined function */
    uint32_t ntables;
    const weld_tabletype *tables;
    uint32_t nmemories;
    const weld_limits *memories;
    const bool *mem64;               /* per memory, imports first: 64-bit (the reader sets it;
                                        NULL: not known) */
    uint32_t ntags;
    const uint32_t *tags;            /* type index of each defined tag */
    uint32_t nglobals;
    const weld_global *globals;
    uint32_t nexports;
    const weld_export *exports;
    bool has_start;
    uint32_t start;
    uint32_t nelems;
    const weld_elem *elems;
    bool has_datacount;
    uint32_t datacount;
    uint32_t ncode;                  /* bodies in the code section (== nfuncs when valid) */
    const weld_func_body *code;
    uint32_t ndatas;
    const weld_data *datas;
    uint32_t ncustoms;
    const weld_custom *customs;
    bool has_names;
    weld_names names;                /* decoded from the "name" custom section */

    uint32_t nsections;
    const weld_section_ref *sections;

    /* counts including imports, for index spaces */
    uint32_t nimported_funcs, nimported_tables, nimported_memories, nimported_globals,
        nimported_tags;

    /* the input span this module was read from */
    const uint8_t *input;
    size_t input_len;
    uint64_t base_offset;            /* offset of the module within the outermost file */
} weld_module;

/* ---- reading and writing -------------------------------------------------------------- */

typedef struct weld_read_opts {
    /* Skip decoding instruction sequences (bodies stay raw; only their framing is checked).
     * The default (false) decodes every instruction with the opcode table. */
    bool skip_bodies;
    /* Added to every offset in diagnostics (for modules nested in components). */
    uint64_t base_offset;
} weld_read_opts;

/* Decode `len` bytes (a module with its preamble) into a module allocated in `arena`. */
weld_status weld_module_read(weld_arena *arena, const uint8_t *data, size_t len,
                             const weld_read_opts *opts, weld_module **out, weld_diag *d);

typedef struct weld_write_opts {
    /* Re-encode every instruction from its decoded form (with minimal LEB128s) instead
     * of copying function bodies and constant expressions as they were read. */
    bool reencode_code;
} weld_write_opts;

/* Encode a module; *out is malloc'd (free with free()). */
weld_status weld_module_write(const weld_module *m, const weld_write_opts *opts,
                              uint8_t **out, size_t *out_len, weld_diag *d);

/* Structural equality: same items and types, and instruction sequences that decode to the
 * same instructions (whatever their LEB128 widths); custom sections compare by bytes. */
bool weld_module_equal(const weld_module *a, const weld_module *b);

/* Does the buffer start with the core module preamble (version 1)? */
bool weld_is_core_module(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
