/* validate.h - validation of core WebAssembly modules (the Wasm 2.0 rules, plus tail
 * calls, extended constant expressions, multiple memories and threads' shared memories).
 *
 * weld_validate_module() checks a module read by weld_module_read(): every index space,
 * limits, constant expressions, the start function, export names, element and data
 * segments, declared function references, and every function body instruction by
 * instruction with the operand and control stacks.
 *
 * The body walk is shared with consumers that need the types the validator computes (the
 * interpreter's compiler): a weld_validator can call hooks before each instruction is
 * typed, with a read-only view of the operand and control stacks at that point.
 */
#ifndef WELD_VALIDATE_H
#define WELD_VALIDATE_H

#include "weld/component.h"
#include "weld/insn.h"
#include "weld/module.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A reusable validator: its stacks and tables survive from one module to the next. */
typedef struct weld_validator weld_validator;

/* The state of a function body walk, as a hook sees it (before the instruction). */
typedef struct weld_valid_view {
    uint32_t func;               /* function index (imports count first) */
    const weld_functype *type;   /* the function's type */
    uint32_t height;             /* operand stack height */
    const uint8_t *stack;        /* operand types, bottom first; 0 = unknown (unreachable) */
    uint32_t depth;              /* control stack depth (1 = the function's own block) */
    bool unreachable;            /* the rest of the current block is unreachable */
} weld_valid_view;

/* What a branch to a label (0 = innermost) sees: its arity, its types, the operand stack
 * height at its block's start, and whether it is a loop (branches go to its start). */
typedef struct weld_valid_label {
    uint32_t arity;
    const weld_valtype *types;
    uint32_t height;
    bool is_loop;
} weld_valid_label;

typedef struct weld_valid_hooks {
    void *ctx;
    /* Before a defined function's body is walked. Non-OK aborts the validation. */
    weld_status (*func_begin)(void *ctx, const weld_valid_view *v, const weld_func_body *body);
    /* Before each instruction is typed (including the final `end`). */
    weld_status (*insn)(void *ctx, const weld_valid_view *v, const weld_insn *insn);
    /* After the body's final `end` was typed. */
    weld_status (*func_end)(void *ctx, const weld_valid_view *v);
} weld_valid_hooks;

weld_validator *weld_validator_new(void);
void weld_validator_free(weld_validator *v);

/* Features beyond Wasm 2.0 the validator accepts; all are on by default.
 *  MULTI_MEMORY    more than one memory, and memory indices where Wasm 2.0 has a reserved
 *                  0x00 byte (off: "multiple memories", "zero byte expected")
 *  EXTENDED_CONST  i32/i64 add, sub and mul in constant expressions
 *  EXCEPTIONS      exception handling (Wasm 3.0): tags, throw, throw_ref, try_table and
 *                  exnref, and the legacy try/catch/catch_all/rethrow/delegate
 *                  (off: "exception handling is not enabled")
 * Tail calls, 64-bit memories, threads' atomics and shared memories are always accepted. */
enum {
    WELD_VALID_MULTI_MEMORY = 1u << 0,
    WELD_VALID_EXTENDED_CONST = 1u << 1,
    WELD_VALID_EXCEPTIONS = 1u << 3,
    WELD_VALID_ALL = WELD_VALID_MULTI_MEMORY | WELD_VALID_EXTENDED_CONST | WELD_VALID_EXCEPTIONS,
    WELD_VALID_WASM2 = 0 /* the Wasm 2.0 rules only */
};
void weld_validator_set_features(weld_validator *v, unsigned features);

/* Validate module m; hooks may be NULL. On failure d names the item, the byte offset and
 * the rule ("func 12 at 0x3f1: type mismatch: expected i32 on the stack, found f64"). */
weld_status weld_validator_run(weld_validator *v, const weld_module *m,
                               const weld_valid_hooks *hooks, weld_diag *d);

/* Label `depth` of the walk in progress; false if out of range. Meant for hooks: a hook's
 * context keeps the validator it runs on and asks it about branch targets (for `br`,
 * `br_if`, `br_table`, and label 0 on `else`/`end` is the block being closed). */
bool weld_validator_label(const weld_validator *v, uint32_t depth, weld_valid_label *out);

/* One-shot: a fresh validator, run, free. */
weld_status weld_validate_module(const weld_module *m, weld_diag *d);

/* Validate a component (the rules of the component model's binary format, as wasmparser
 * applies them): index spaces and aliases, type well-formedness, canonical definitions
 * against their flattened core signatures, instantiation arguments by subtyping,
 * import/export names, values used exactly once, and every nested core module by the
 * core validator (nested modules left undecoded by the reader are decoded here). The
 * component type model (weld/ctypes.h) is what it builds and discards; on failure d holds
 * the offset of the offending item within the outermost input and wasmparser's message. */
weld_status weld_validate_component(const weld_component *c, weld_diag *d);

/* Features of the component model and of core Wasm, by wasmparser's names (its
 * WasmFeatures). WELD_FEAT_DEFAULT is wasmparser's default set; a component that uses a
 * feature outside the set is refused with wasmparser's message naming it ("`error-context`
 * requires the component model error-context feature"). weld_validate_component accepts
 * everything weld implements (WELD_FEAT_ALL). The core features the core validator always
 * applies (memory64, threads, tail-call, simd, ...) are named so that a set can list them;
 * turning them off is not supported (weld_feature_can_disable). */
enum {
    WELD_FEAT_CM_ASYNC = 1ull << 0,
    WELD_FEAT_CM_ASYNC_STACKFUL = 1ull << 1,
    WELD_FEAT_CM_MORE_ASYNC_BUILTINS = 1ull << 2,
    WELD_FEAT_CM_THREADING = 1ull << 3,
    WELD_FEAT_CM_ERROR_CONTEXT = 1ull << 4,
    WELD_FEAT_CM_FIXED_LENGTH_LISTS = 1ull << 5,
    WELD_FEAT_CM_GC = 1ull << 6,
    WELD_FEAT_CM_MAP = 1ull << 7,
    WELD_FEAT_CM64 = 1ull << 8,
    WELD_FEAT_CM_VALUES = 1ull << 9,
    WELD_FEAT_CM_NESTED_NAMES = 1ull << 10,
    WELD_FEAT_SHARED_EVERYTHING_THREADS = 1ull << 11,
    WELD_FEAT_MULTI_MEMORY = 1ull << 12,
    WELD_FEAT_EXTENDED_CONST = 1ull << 13,
    /* core features weld always applies */
    WELD_FEAT_CORE_FIXED = 1ull << 14,
    WELD_FEAT_EXCEPTIONS = 1ull << 15
};
#define WELD_FEAT_DEFAULT                                                                    \
    ((uint64_t)(WELD_FEAT_CM_ASYNC | WELD_FEAT_MULTI_MEMORY | WELD_FEAT_EXTENDED_CONST | \
                WELD_FEAT_EXCEPTIONS | WELD_FEAT_CORE_FIXED))
#define WELD_FEAT_ALL ((uint64_t)((1ull << 16) - 1))

/* The feature bit of a wasmparser feature name ("cm-async", "cm-error-context", "gc",
 * "memory64", ...), 0 for an unknown name. */
uint64_t weld_feature_by_name(const char *name);
/* Whether weld can validate without this feature (false for the core features its core
 * validator always applies). */
bool weld_feature_can_disable(uint64_t bit);
/* The list of feature names, comma-separated, for messages. */
const char *weld_feature_names(void);

/* weld_validate_component with only the features in `features` (WELD_FEAT_*). */
weld_status weld_validate_component_features(const weld_component *c, uint64_t features,
                                             weld_diag *d);

#ifdef __cplusplus
}
#endif
#endif
