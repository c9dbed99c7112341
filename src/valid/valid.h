/* valid.h - what the module checks (validate_module.c), the constant expression checks
 * (const_expr.c) and the function body walk (validate_func.c) share. Not public API. */
#ifndef WELD_VALID_H
#define WELD_VALID_H

#include "base/base.h"
#include "weld/validate.h"

/* The unknown operand type of unreachable code (matches every type). */
#define VT_UNKNOWN 0

/* An instruction's operand signature, parsed once from opcodes.def's column (8 bytes). */
enum { SIG_PLAIN, SIG_CHECK, SIG_SPECIAL };
typedef struct valid_sig {
    uint8_t kind;     /* SIG_PLAIN, SIG_CHECK (immediates to check: memory, lanes,
                         segments, tables) or SIG_SPECIAL ("*": handled by name) */
    uint8_t npop, npush;
    uint8_t pop[3];   /* in push order: pop[npop-1] is the top of the stack */
    uint8_t push[2];
} valid_sig;

/* One entry of the control stack. */
typedef struct valid_ctrl {
    const weld_valtype *params, *results;
    uint32_t nparams, nresults;
    uint32_t height;    /* operand stack height at the block's start (below its params) */
    uint16_t op;        /* WELD_OP_BLOCK, _LOOP, _IF, _ELSE, _TRY_TABLE, _TRY, _CATCH,
                           _CATCH_ALL, or _END for the function */
    bool unreachable;
} valid_ctrl;

struct weld_validator {
    valid_sig sigs[WELD_OP_COUNT];
    bool multi_memory, extended_const, exceptions; /* see weld_validator_set_features */

    /* the module's index spaces (imports first), rebuilt per module */
    const weld_module *m;
    uint32_t nfuncs, ntables, nmems, nglobals, ntags;
    uint32_t *tag_types;           /* type index per tag (imports first) */
    size_t cap_tags;
    uint32_t nconst_globals;       /* globals a segment offset may read */
    uint32_t *func_types;          /* type index per function */
    weld_tabletype *tables;
    weld_limits *mems;
    bool *mem64;                   /* per memory: 64-bit (memarg offsets are u64) */
    weld_globaltype *globals;
    uint8_t *refs;                 /* per function: 1 if in C.refs (ref.func allowed) */
    size_t cap_funcs, cap_refs, cap_tables, cap_mems, cap_mem64, cap_globals;

    /* the body walk, reused from function to function */
    uint8_t *vals;
    uint32_t nvals, cap_vals;
    valid_ctrl *ctrls;
    uint32_t nctrls, cap_ctrls;
    weld_valtype *locals;          /* expanded local types (params first) */
    uint64_t nlocals;
    size_t cap_locals;
    uint32_t func;                 /* index of the function being walked */
    const weld_functype *ftype;
};

/* Valid value types of the supported feature set. */
static inline bool valid_is_valtype(uint8_t t)
{
    return (t >= WELD_V128 && t <= WELD_I32) || t == WELD_FUNCREF || t == WELD_EXTERNREF ||
           t == WELD_EXNREF;
}
static inline bool valid_is_ref(uint8_t t)
{
    return t == WELD_FUNCREF || t == WELD_EXTERNREF || t == WELD_EXNREF;
}
/* The address type of a memory or table with these limits. */
static inline weld_valtype valid_addr_type(const weld_limits *l)
{
    return (l->flags & WELD_LIMITS_64) ? WELD_I64 : WELD_I32;
}

/* Check a constant expression of type `want` (const_expr.c). `nglobals` bounds the globals
 * it may read (the imported ones for global initialisers, all for segment offsets).
 * `what` names the item for messages ("global 3", "data 0 offset"). */
weld_status valid_const_expr(weld_validator *v, const weld_expr *e, weld_valtype want,
                             uint32_t nglobals, const char *what, weld_diag *d);

/* Walk every defined function body (validate_func.c). */
weld_status valid_functions(weld_validator *v, const weld_valid_hooks *hooks, weld_diag *d);

/* Grow a malloc'd array to hold n items of size sz; false on exhaustion. */
bool valid_reserve(void **p, size_t *cap, size_t n, size_t sz);

#endif
