/* component.h - the in-memory form of a WebAssembly component (component-model binary
 * format, version 0x0d, layer 1), its reader, writer and structural comparison.
 *
 * A component is owned by one weld_arena. The reader does not copy the input: names,
 * custom section payloads, value bytes and nested core modules point into the caller's
 * buffer, which must outlive the component. Sections keep their input order; every
 * section's items are decoded into the typed structures below, and the writer
 * re-encodes them (with minimal LEB128s), so a minimally encoded input is reproduced
 * byte for byte.
 */
#ifndef WELD_COMPONENT_H
#define WELD_COMPONENT_H

#include "weld/module.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Component section ids. */
enum {
    WELD_CSEC_CUSTOM = 0,
    WELD_CSEC_CORE_MODULE = 1,
    WELD_CSEC_CORE_INSTANCE = 2,
    WELD_CSEC_CORE_TYPE = 3,
    WELD_CSEC_COMPONENT = 4,
    WELD_CSEC_INSTANCE = 5,
    WELD_CSEC_ALIAS = 6,
    WELD_CSEC_TYPE = 7,
    WELD_CSEC_CANON = 8,
    WELD_CSEC_START = 9,
    WELD_CSEC_IMPORT = 10,
    WELD_CSEC_EXPORT = 11,
    WELD_CSEC_VALUE = 12
};

/* Sorts: `sort` is the component sort byte; when it is WELD_SORT_CORE, `core` holds the
 * core sort byte (0x00 func .. 0x04 tag, 0x10 type, 0x11 module, 0x12 instance). */
enum {
    WELD_SORT_CORE = 0x00,
    WELD_SORT_FUNC = 0x01,
    WELD_SORT_VALUE = 0x02,
    WELD_SORT_TYPE = 0x03,
    WELD_SORT_COMPONENT = 0x04,
    WELD_SORT_INSTANCE = 0x05
};
enum {
    WELD_CORE_SORT_FUNC = 0x00,
    WELD_CORE_SORT_TABLE = 0x01,
    WELD_CORE_SORT_MEMORY = 0x02,
    WELD_CORE_SORT_GLOBAL = 0x03,
    WELD_CORE_SORT_TAG = 0x04,
    WELD_CORE_SORT_TYPE = 0x10,
    WELD_CORE_SORT_MODULE = 0x11,
    WELD_CORE_SORT_INSTANCE = 0x12
};

typedef struct weld_sort {
    uint8_t sort, core;
} weld_sort;

typedef struct weld_sortidx {
    weld_sort sort;
    uint32_t index;
} weld_sortidx;

/* An import/export name: `tag` is the nameattributes byte (0x00 or 0x01: a bare name;
 * 0x02: the name followed by attributes). */
typedef struct weld_name_attr {
    uint8_t kind;   /* 0x00 implements, 0x01 versionsuffix, 0x02 external-id */
    weld_str value;
} weld_name_attr;

typedef struct weld_cname {
    uint8_t tag;
    weld_str name;
    uint32_t nattrs;
    const weld_name_attr *attrs;
} weld_cname;

/* A component value type: a primitive (prim != 0, its type opcode 0x64, 0x73..0x7f) or
 * an index into the type index space (prim == 0). */
typedef struct weld_cvaltype {
    uint8_t prim;
    uint32_t index;
} weld_cvaltype;

/* Primitive value type opcodes. */
enum {
    WELD_CV_BOOL = 0x7f, WELD_CV_S8 = 0x7e, WELD_CV_U8 = 0x7d, WELD_CV_S16 = 0x7c,
    WELD_CV_U16 = 0x7b, WELD_CV_S32 = 0x7a, WELD_CV_U32 = 0x79, WELD_CV_S64 = 0x78,
    WELD_CV_U64 = 0x77, WELD_CV_F32 = 0x76, WELD_CV_F64 = 0x75, WELD_CV_CHAR = 0x74,
    WELD_CV_STRING = 0x73, WELD_CV_ERROR_CONTEXT = 0x64
};

/* Type definition opcodes (the first byte of a deftype). */
enum {
    WELD_CT_PRIM = 0x00, /* a primitive used as a defvaltype: see weld_ctype.u.prim */
    WELD_CT_RECORD = 0x72,
    WELD_CT_VARIANT = 0x71,
    WELD_CT_LIST = 0x70,
    WELD_CT_TUPLE = 0x6f,
    WELD_CT_FLAGS = 0x6e,
    WELD_CT_ENUM = 0x6d,
    WELD_CT_OPTION = 0x6b,
    WELD_CT_RESULT = 0x6a,
    WELD_CT_OWN = 0x69,
    WELD_CT_BORROW = 0x68,
    WELD_CT_FIXED_LIST = 0x67,
    WELD_CT_STREAM = 0x66,
    WELD_CT_FUTURE = 0x65,
    WELD_CT_MAP = 0x63,
    WELD_CT_FUNC = 0x40,
    WELD_CT_FUNC_ASYNC = 0x43,
    WELD_CT_COMPONENT = 0x41,
    WELD_CT_INSTANCE = 0x42,
    WELD_CT_RESOURCE = 0x3f
};

/* A labelled value type: a record field or a function parameter. */
typedef struct weld_cfield {
    weld_str name;
    weld_cvaltype type;
} weld_cfield;

/* A variant case; `refines` is the legacy trailing immediate (0x01 idx), kept to re-encode. */
typedef struct weld_ccase {
    weld_str name;
    bool has_type, has_refines;
    weld_cvaltype type;
    uint32_t refines;
} weld_ccase;

/* An extern type (externdesc) of an import, an export or a declaration. */
enum {
    WELD_EXT_MODULE = 0x00,    /* 0x00 0x11 core type index */
    WELD_EXT_FUNC = 0x01,
    WELD_EXT_VALUE = 0x02,
    WELD_EXT_TYPE = 0x03,
    WELD_EXT_COMPONENT = 0x04,
    WELD_EXT_INSTANCE = 0x05
};
typedef struct weld_cextern {
    uint8_t kind;
    /* type bound (kind TYPE): bound 0x00 (eq index) or 0x01 (sub resource) */
    uint8_t bound;
    uint32_t index;           /* the type index */
    weld_cvaltype val;        /* kind VALUE: the value's type (encoded as a bare valtype,
                               * the form wasm-tools reads and writes) */
} weld_cextern;

typedef struct weld_alias weld_alias;
typedef struct weld_ctype weld_ctype;
typedef struct weld_core_type weld_core_type;

/* An alias: `tag` 0x00 export of an instance, 0x01 core export of a core instance,
 * 0x02 outer (count, index). */
struct weld_alias {
    weld_sort sort;
    uint8_t tag;
    uint32_t instance; /* export aliases; `count` for outer */
    weld_str name;     /* export aliases */
    uint32_t index;    /* outer aliases */
};

/* A declaration inside a component type or an instance type. */
enum {
    WELD_DECL_CORE_TYPE = 0x00,
    WELD_DECL_TYPE = 0x01,
    WELD_DECL_ALIAS = 0x02,
    WELD_DECL_IMPORT = 0x03,
    WELD_DECL_EXPORT = 0x04
};
typedef struct weld_cdecl {
    uint8_t kind;
    union {
        const weld_core_type *core_type;
        const weld_ctype *type;
        weld_alias alias;
        struct {
            weld_cname name;
            weld_cextern type;
        } ext; /* import or export */
    } u;
} weld_cdecl;

/* A type definition (type section item or declared type). */
struct weld_ctype {
    uint8_t kind; /* WELD_CT_* */
    union {
        uint8_t prim;                /* PRIM */
        struct {
            uint32_t count;
            const weld_cfield *fields;
        } record;
        struct {
            uint32_t count;
            const weld_ccase *cases;
        } variant;
        struct {
            weld_cvaltype elem;
            uint32_t len;            /* FIXED_LIST */
        } list;
        struct {
            uint32_t count;
            const weld_cvaltype *types;
        } tuple;
        struct {
            uint32_t count;
            const weld_str *names;
        } labels;                    /* FLAGS, ENUM */
        weld_cvaltype option;
        struct {
            bool has_ok, has_err;
            weld_cvaltype ok, err;
        } result;
        uint32_t handle;             /* OWN, BORROW: resource type index */
        struct {
            bool has_elem;
            weld_cvaltype elem;
        } async_value;               /* STREAM, FUTURE */
        struct {
            weld_cvaltype key, value;
        } map;
        struct {
            uint32_t nparams;
            const weld_cfield *params;
            bool has_result;
            weld_cvaltype result;
        } func;                      /* FUNC, FUNC_ASYNC */
        struct {
            uint32_t count;
            const weld_cdecl *decls;
        } decls;                     /* COMPONENT, INSTANCE */
        struct {
            weld_valtype rep;
            bool has_dtor;
            uint32_t dtor;
        } resource;
    } u;
};

/* Core types of component core type sections: function types and module types. */
enum { WELD_CORE_TYPE_FUNC = 0x60, WELD_CORE_TYPE_MODULE = 0x50 };
enum {
    WELD_MDECL_IMPORT = 0x00,
    WELD_MDECL_TYPE = 0x01,
    WELD_MDECL_ALIAS = 0x02,
    WELD_MDECL_EXPORT = 0x03
};
typedef struct weld_core_decl {
    uint8_t kind;
    union {
        weld_import import;                 /* IMPORT */
        const weld_core_type *type;         /* TYPE */
        struct {
            uint32_t count, index;
        } outer;                            /* ALIAS: outer type alias */
        struct {
            weld_str name;
            weld_externtype type;
        } export;                           /* EXPORT */
    } u;
} weld_core_decl;

struct weld_core_type {
    uint8_t kind; /* WELD_CORE_TYPE_* */
    weld_functype func;
    uint32_t ndecls;
    const weld_core_decl *decls;
};

/* Core instances: `kind` 0x00 instantiate `module` with args, 0x01 inline exports. */
typedef struct weld_core_arg {
    weld_str name;
    uint8_t sort;   /* core sort (0x12 instance) */
    uint32_t index;
} weld_core_arg;

typedef struct weld_core_instance {
    uint8_t kind;
    uint32_t module;
    uint32_t count;
    const weld_core_arg *items; /* args, or inline exports (name, core sort, index) */
} weld_core_instance;

/* Component instances: `kind` 0x00 instantiate `component` with args, 0x01 inline exports. */
typedef struct weld_inst_arg {
    weld_cname name;   /* args use tag 0 and no attributes (a plain name) */
    weld_sortidx item;
} weld_inst_arg;

typedef struct weld_instance {
    uint8_t kind;
    uint32_t component;
    uint32_t count;
    const weld_inst_arg *items;
} weld_instance;

/* Canonical definitions. `op` is the opcode byte; the immediates present depend on it
 * (see weld_canon_info). */
typedef struct weld_canonopt {
    uint8_t kind;   /* 0..2 string encodings, 3 memory, 4 realloc, 5 post-return, 6 async,
                     * 7 callback */
    uint32_t index;
} weld_canonopt;

typedef struct weld_canon {
    uint8_t op;
    uint8_t flag;          /* async? / cancel? / shared? byte */
    weld_valtype core_type;/* context.get/set */
    uint32_t a, b;         /* index immediates in encoding order */
    bool has_result;       /* task.return */
    weld_cvaltype result;
    uint32_t nopts;
    const weld_canonopt *opts;
} weld_canon;

/* The immediates of a canonical definition, as a string of codes in encoding order:
 *  'S' a 0x00 sort byte, 'a'/'b' u32 immediates, 'o' options, 'r' a result list,
 *  'f' a 0x00/0x01 flag byte, 'v' a core value type.
 * Returns NULL for an unknown opcode. `name` is the text-format name. */
typedef struct weld_canon_info {
    uint8_t op;
    const char *name;
    const char *imm;
} weld_canon_info;
const weld_canon_info *weld_canon_info_of(uint8_t op);

typedef struct weld_cstart {
    uint32_t func;
    uint32_t nargs;
    const uint32_t *args;
    uint32_t nresults;
} weld_cstart;

typedef struct weld_cimport {
    weld_cname name;
    weld_cextern type;
} weld_cimport;

typedef struct weld_cexport {
    weld_cname name;
    weld_sortidx item;
    bool has_type;
    weld_cextern type;
} weld_cexport;

/* A value definition, kept as its type and raw encoded bytes. */
typedef struct weld_cvalue {
    weld_cvaltype type;
    const uint8_t *bytes;
    uint32_t len;
} weld_cvalue;

/* A nested core module: its bytes in the input and, once decoded, its tree. */
typedef struct weld_nested_module {
    const uint8_t *data;
    uint32_t len;
    uint64_t offset;        /* offset of its preamble within the outermost input */
    weld_module *module;    /* NULL when the reader was asked not to decode modules */
} weld_nested_module;

typedef struct weld_component weld_component;

/* One section, in input order. `count` is the number of items it holds (1 for custom,
 * module, component and start sections). */
typedef struct weld_csection {
    uint8_t id;
    uint64_t offset;  /* of the id byte, within the outermost input */
    uint32_t size;    /* payload size */
    uint32_t count;
    /* the offset of each item within the outermost input (count entries; NULL for custom,
     * module and component sections) */
    const uint64_t *item_offsets;
    union {
        const weld_custom *custom;
        const weld_nested_module *module;
        const weld_core_instance *core_instances;
        const weld_core_type *const *core_types;
        const weld_component *component;
        const weld_instance *instances;
        const weld_alias *aliases;
        const weld_ctype *const *types;
        const weld_canon *canons;
        const weld_cstart *start;
        const weld_cimport *imports;
        const weld_cexport *exports;
        const weld_cvalue *values;
    } u;
} weld_csection;

struct weld_component {
    weld_arena *arena;
    uint32_t nsections;
    const weld_csection *sections;
    const uint8_t *input;   /* the bytes this component was read from (with preamble) */
    size_t input_len;
    uint64_t base_offset;   /* offset of the component within the outermost input */
    uint32_t depth;         /* 0 for the outermost component */
};

typedef struct weld_component_read_opts {
    /* Leave nested core modules undecoded (module == NULL): framing only. */
    bool skip_modules;
    /* Passed to the core reader for nested modules. */
    bool skip_bodies;
    /* Added to every offset in diagnostics. */
    uint64_t base_offset;
} weld_component_read_opts;

/* Does the buffer start with the component preamble (version 0x0d, layer 1)? */
bool weld_is_component(const uint8_t *data, size_t len);

/* Decode a component (with its preamble) into a tree allocated in `arena`. */
weld_status weld_component_read(weld_arena *arena, const uint8_t *data, size_t len,
                                const weld_component_read_opts *opts, weld_component **out,
                                weld_diag *d);

/* Encode a component; *out is malloc'd (free with free()). Nested core modules are written
 * as the bytes they were read from. */
weld_status weld_component_write(const weld_component *c, uint8_t **out, size_t *out_len,
                                 weld_diag *d);
/* The same, with nested core modules (those decoded) encoded by weld_module_write with
 * `module_opts` instead of copied; NULL module_opts is weld_component_write. */
weld_status weld_component_write_with(const weld_component *c, const weld_write_opts *module_opts,
                                      uint8_t **out, size_t *out_len, weld_diag *d);

/* Structural equality: same sections, in the same order, with the same items. */
bool weld_component_equal(const weld_component *a, const weld_component *b);

/* Walk the tree depth first: `fn` is called for every nested core module and every nested
 * component (pre-order), with its nesting depth (1 for direct children). Returning false
 * from `fn` stops the walk; weld_component_walk then returns false. */
typedef struct weld_walk_item {
    uint32_t depth;
    const weld_component *parent;
    const weld_csection *section;
    const weld_nested_module *module;       /* set for a core module */
    const weld_component *component;        /* set for a nested component */
} weld_walk_item;
typedef bool (*weld_walk_fn)(const weld_walk_item *item, void *ud);
bool weld_component_walk(const weld_component *c, weld_walk_fn fn, void *ud);

/* Print a component in the text format, laid out as wasm-tools prints it. *out is a
 * malloc'd NUL-terminated string of *out_len bytes (free with free()). */
weld_status weld_component_print(const weld_component *c, char **out, size_t *out_len,
                                 weld_diag *d);

/* The name of a component section id ("core module", "type", ...). */
const char *weld_csection_name(uint8_t id);

#ifdef __cplusplus
}
#endif
#endif
