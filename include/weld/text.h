/* text.h - printing binaries in the WebAssembly text format.
 *
 * The output follows the layout of wasm-tools' printer (`wasm-tools print`, `jco print`):
 * flat instructions, `(;N;)` index comments, `;; label = @N` block comments, names from
 * the name section as `$name`. */
#ifndef WELD_TEXT_H
#define WELD_TEXT_H

#include "weld/module.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse a core module in the text format (WAT): "(module ...)" or bare module fields.
 * The module is built in `arena`; its instruction sequences are encoded there with the
 * opcode table, so weld_module_write encodes it. The text must outlive nothing: names are
 * copied. Errors are WELD_ERR_SYNTAX with line:col (and a span) in d. */
weld_status weld_parse_wat(weld_arena *arena, const char *text, size_t len, weld_module **out,
                           weld_diag *d);

typedef struct weld_wat_opts {
    /* Write a `name` custom section (module, function and local names) for the text's
     * identifiers, as wasm-tools does (wat2wasm only with --debug-names). */
    bool names;
} weld_wat_opts;
/* weld_parse_wat with options (NULL: the defaults, all false). */
weld_status weld_parse_wat_opts(weld_arena *arena, const char *text, size_t len,
                                const weld_wat_opts *opts, weld_module **out, weld_diag *d);

/* ---- scripts (.wast) ---------------------------------------------------------------- */

typedef enum weld_wast_kind {
    WELD_WAST_MODULE,
    WELD_WAST_REGISTER,
    WELD_WAST_ACTION,
    WELD_WAST_ASSERT_RETURN,
    WELD_WAST_ASSERT_TRAP,          /* on an action, or on a module (instantiation traps) */
    WELD_WAST_ASSERT_EXHAUSTION,
    WELD_WAST_ASSERT_INVALID,
    WELD_WAST_ASSERT_MALFORMED,
    WELD_WAST_ASSERT_UNLINKABLE,
    WELD_WAST_ASSERT_UNINSTANTIABLE,
    WELD_WAST_ASSERT_EXCEPTION      /* exception handling: the action throws */
} weld_wast_kind;

/* A constant argument or an expected result. */
enum { WELD_WAST_NAN_NONE, WELD_WAST_NAN_CANONICAL, WELD_WAST_NAN_ARITHMETIC };
typedef struct weld_wast_value {
    weld_valtype type;        /* i32 i64 f32 f64 v128 funcref externref */
    uint8_t nan;              /* scalar floats: a NaN pattern instead of bits */
    uint8_t lane_width;       /* v128: bytes per lane of the literal's shape */
    bool lane_float;          /* v128: f32x4 / f64x2 */
    uint8_t lane_nan[16];     /* v128: per lane NaN pattern */
    bool is_null;             /* references: ref.null */
    bool any_ref;             /* expected (ref.func) / (ref.extern) without a value */
    uint64_t bits;            /* i32/f32 in the low 32 bits; externref host value */
    uint8_t v128[16];
} weld_wast_value;

enum { WELD_WAST_TEXT, WELD_WAST_BINARY, WELD_WAST_QUOTE };
typedef struct weld_wast_cmd {
    uint8_t kind;             /* weld_wast_kind */
    uint32_t line, col;
    /* modules (MODULE and the assertions on modules) */
    uint8_t form;             /* WELD_WAST_TEXT / BINARY / QUOTE */
    const char *name;         /* $id of the module, NULL if none */
    weld_module *module;      /* TEXT form parsed: the tree (NULL when parse_status != OK) */
    weld_status parse_status; /* TEXT form: the parse's status, with parse_diag */
    weld_diag parse_diag;
    const uint8_t *bytes;     /* BINARY: the module's bytes; QUOTE: the text */
    size_t len;
    /* actions */
    bool is_get;
    const char *target;       /* module $id the action names, NULL: the current one */
    weld_str field;
    uint32_t nargs, nresults;
    const weld_wast_value *args, *results;
    bool either;              /* results are alternatives for one result */
    /* assertions: the expected message; register: the name */
    const char *text;
    const char *as;           /* register: the name; its module is `target` */
} weld_wast_cmd;

/* Parse a script. Modules in the text form are parsed here (their errors are kept in the
 * command, for assert_malformed/assert_invalid); a script that does not parse as a script
 * is a WELD_ERR_SYNTAX with line:col. Everything lives in `arena`. `file` names the input
 * in the diagnostics of the modules. */
weld_status weld_parse_wast(weld_arena *arena, const char *file, const char *text, size_t len,
                            weld_wast_cmd **cmds, size_t *ncmds, weld_diag *d);

/* Print a core module as text; *out is malloc'd and NUL-terminated (free with free()). */
weld_status weld_print_module(const weld_module *m, char **out, size_t *out_len, weld_diag *d);

#ifdef __cplusplus
}
#endif
#endif
