/* rt.h - internals of the interpreter: the runtime objects, the internal code format the
 * compiler emits and the dispatch loop runs, and the trap codes.
 *
 * Internal code is an array of 64-bit cells. Each instruction is a handler cell (a label
 * address with computed goto, else an operation number) followed by operand cells:
 * frame-slot indices packed two to a cell, 64-bit immediates, branch targets (cell
 * pointers). A frame is an array of slots: parameters, locals, then one slot per
 * operand-stack position. A slot is 128 bits wide so that a v128 value fits in one slot
 * like any other value: the compiler and the copies, selects, branches and calls stay
 * type-agnostic (scalars use the low bits). Wasm operations use their weld_opcode number as operation
 * number; the interpreter's own operations are numbered after WELD_OP_COUNT.
 */
#ifndef WELD_RT_H
#define WELD_RT_H

#include "weld/insn.h"
#include "weld/runtime.h"
#include "rt/simd.h"

/* Computed goto with GCC and Clang; build with -DRT_COMPUTED_GOTO=0 for the switch. */
#ifndef RT_COMPUTED_GOTO
#if defined(__GNUC__) || defined(__clang__)
#define RT_COMPUTED_GOTO 1
#else
#define RT_COMPUTED_GOTO 0
#endif
#endif

typedef union rt_slot {
    uint64_t u64;
    int64_t i64;
    uint32_t u32;
    int32_t i32;
    float f32;
    double f64;
    weld_v128 v128;
} rt_slot;

typedef union rt_cell {
    const void *h;
    uint64_t u;
    uint32_t s[2];
    const union rt_cell *target;
    void (*fn)(void);        /* a SIMD operation (rt/simd.h), cast back by its handler */
} rt_cell;

/* The interpreter's own operations (operands in brackets, cells separated by |). */
enum {
    RT_COPY = WELD_OP_COUNT, /* [src dst]                                    */
    RT_COPY2,                /* [src dst] | [src dst]: two copies, in order  */
    RT_BR,                   /* [target]                                     */
    RT_BR_IF,                /* [cond] | [target]                            */
    RT_BR_UNLESS,            /* [cond] | [target]                            */
    RT_BR_TABLE,             /* [index n] | n+1 targets                      */
    RT_CALL,                 /* [funcidx base]                               */
    RT_CALL_INDIRECT,        /* [typeidx table] | [index base]               */
    RT_RETURN_CALL,          /* [funcidx base]: the callee's frame replaces the caller's */
    RT_RETURN_CALL_INDIRECT, /* [typeidx table] | [index base]: the same     */
    RT_RETURN,               /*                                              */
    RT_RETURN1,              /* [src]: copy src to slot 0, return           */
    RT_FUEL,                 /* | count: charges a basic block's instructions */
    RT_UNSUPPORTED,          /* traps "unsupported instruction"             */
    RT_LOAD_ANY,             /* [a dst] | offset | [memidx op]: a load from a memory other
                                than a 32-bit memory 0 (op: its weld_opcode, | RT_ADDR64
                                when the address is an i64) */
    RT_STORE_ANY,            /* [a value] | offset | [memidx op]: the same for stores */
    /* fused forms the compiler makes of adjacent instructions */
    RT_I32_ADD_IMM,          /* [a dst] | imm        (i32.const; i32.add/sub) */
    RT_I64_ADD_IMM,          /* [a dst] | imm        (i64.const; i64.add/sub) */
    RT_BR_EQ, RT_BR_NE,      /* [a b] | [target]     (i32 compare; br_if / if) */
    RT_BR_LT_S, RT_BR_LT_U, RT_BR_GT_S, RT_BR_GT_U,
    RT_BR_LE_S, RT_BR_LE_U, RT_BR_GE_S, RT_BR_GE_U,
    /* 0xFD instructions: one handler per calling shape of rt/simd.h, the operation's
     * function in a cell (fn); a/b/c operands, d result, off memarg offset, n access size */
    RT_SIMD_CONST,           /* [d] | 16 immediate bytes (2 cells)           */
    RT_SIMD_LOAD,            /* [a d] | off | [n] | fn                       */
    RT_SIMD_STORE,           /* [a b] | off | fn                             */
    RT_SIMD_LOAD_LANE,       /* [a b] | off | [d lane] | [n] | fn            */
    RT_SIMD_STORE_LANE,      /* [a b] | off | [lane n] | fn                  */
    RT_SIMD_SPLAT,           /* [a d] | fn                                   */
    RT_SIMD_EXTRACT,         /* [a d] | [lane] | fn                          */
    RT_SIMD_REPLACE,         /* [a b] | [d lane] | fn                        */
    RT_SIMD_SHUFFLE,         /* [a b] | [d] | fn | 16 lane bytes (2 cells)   */
    RT_SIMD_UNARY,           /* [a d] | fn                                   */
    RT_SIMD_BINARY,          /* [a b] | [d] | fn                             */
    RT_SIMD_TERNARY,         /* [a b] | [c d] | fn                           */
    RT_SIMD_TEST,            /* [a d] | fn                                   */
    RT_SIMD_SHIFT,           /* [a b] | [d] | fn                             */
    RT_OP_COUNT
};

typedef enum rt_trap {
    RT_TRAP_NONE,
    RT_TRAP_UNREACHABLE,
    RT_TRAP_DIV_ZERO,
    RT_TRAP_INT_OVERFLOW,
    RT_TRAP_INVALID_CONV,
    RT_TRAP_MEMORY_OOB,
    RT_TRAP_TABLE_OOB,
    RT_TRAP_UNDEFINED_ELEM,
    RT_TRAP_UNINIT_ELEM,
    RT_TRAP_INDIRECT_TYPE,
    RT_TRAP_EXHAUSTED,
    RT_TRAP_FUEL,
    RT_TRAP_UNSUPPORTED,
    RT_TRAP_HOST,
    RT_TRAP_NULL_EXN,        /* throw_ref of a null exnref */
    RT_TRAP_EXN_NOMEM,       /* no memory for a new exception */
    RT_TRAP_EXCEPTION,       /* not a trap: an exception escaped the run (engine's exn) */
    RT_TRAP_RAISE,           /* internal to exec.c: the run stopped to unwind (e->raise) */
    RT_TRAP_COUNT
} rt_trap;

/* The spec's message for a trap code. */
const char *rt_trap_message(rt_trap t);

/* Constant slots a frame reserves after its locals: the first RT_NCONST distinct constants
 * of a function are read from there (copied in at entry) rather than made by an
 * instruction. Operand-stack slots follow them. */
#define RT_NCONST 24

/* An exception handler of a compiled function: an exception raised while executing cells
 * [start, end) (a throw, or a call that returned by unwinding) is handled by the first
 * entry in order (innermost first) whose range holds it, whose depth is at most the limit
 * a delegate set, and that matches (catch and catch_ref: the tag). */
enum { RT_H_DELEGATE = 4 };  /* after WELD_CATCH .. WELD_CATCH_ALL_REF */
typedef struct rt_handler {
    uint32_t start, end;       /* cells */
    uint32_t depth;            /* the try's nesting depth (function body = 0) */
    uint32_t kind;             /* WELD_CATCH .. WELD_CATCH_ALL_REF, or RT_H_DELEGATE */
    uint32_t tag;              /* catch, catch_ref: tag index; delegate: the depth exceptions
                                  go on to (handlers deeper than it are skipped) */
    uint32_t dst;              /* slot of the first value delivered (payload, then exnref) */
    uint32_t exn_slot;         /* legacy catch: slot keeping the exception for rethrow, or
                                  UINT32_MAX */
    uint32_t target;           /* cell to continue at (returning from the function: the
                                  RT_RETURN ending the code) */
} rt_handler;

/* A compiled function body. */
typedef struct rt_code {
    rt_cell *cells;
    uint32_t ncells;
    uint32_t nparams, nlocals; /* nlocals counts the parameters */
    uint32_t frame_size;       /* slots */
    uint32_t nconsts;          /* constant slots in use, from slot nlocals */
    const rt_slot *consts;
    const rt_handler *handlers; /* exception handlers, innermost first */
    uint32_t nhandlers;
} rt_code;

struct weld_rt_func {
    const weld_functype *type;
    weld_rt_instance *inst;    /* NULL for host functions */
    const rt_code *code;
    uint32_t index;            /* in its instance's function index space */
    weld_rt_host_fn host;
    void *ctx;
};

struct weld_rt_table {
    weld_tabletype type;
    uint64_t *elems;
    uint32_t size, max;
    struct weld_rt_table *next; /* the engine's list */
};

/* A linear memory: the address range for max_pages is reserved (mapped inaccessible) when
 * the memory is made, and growing makes pages of it accessible: data never moves. */
struct weld_rt_memory {
    weld_limits limits;
    uint8_t *data;
    uint64_t size;              /* bytes */
    uint64_t max_pages;         /* what the reservation holds (the limits and the engine's) */
    uint64_t reserved;          /* bytes mapped at data */
    struct weld_rt_memory *next;
};

/* A tag: identity is the object (an imported tag is the exporter's). */
struct weld_rt_tag {
    const weld_functype *type;
    weld_rt_instance *inst;     /* the defining instance (NULL: made by the host) */
    uint32_t index;             /* in the defining instance's tag index space */
};

/* An exception: its tag and payload. An exnref is a pointer to one. Exceptions live in
 * the engine's list until the engine is freed; one that never became visible as a value
 * (caught by catch or catch_all of try_table) is reused by the next throw. */
typedef struct rt_exn {
    weld_rt_tag *tag;
    struct rt_exn *next;        /* the engine's list of every exception */
    struct rt_exn *next_free;
    uint32_t nvals, cap;
    bool escaped;               /* held as an exnref, by a legacy catch, or by the host */
    rt_slot vals[];
} rt_exn;

struct weld_rt_global {
    weld_globaltype type;
    rt_slot val;
};

struct weld_rt_module {
    weld_module *ast;
    uint8_t *bytes;
    rt_code *codes;             /* one per defined function */
    struct weld_rt_module *next;
};

struct weld_rt_instance {
    weld_rt_module *mod;
    weld_rt_func **funcs;
    weld_rt_table **tables;
    weld_rt_memory **mems;
    weld_rt_global **globals;
    weld_rt_tag **tags;
    uint64_t **elems;           /* element segments' references (NULL when dropped) */
    uint32_t *elem_lens;
    bool *data_dropped;
};

typedef struct rt_frame {
    const rt_cell *ip;
    rt_slot *fp;
    weld_rt_func *func;
} rt_frame;

/* Where a run stopped to unwind an exception, or resumes at a handler: the current
 * frame and its function, the frames in use and the run's entry frame. */
typedef struct rt_resume {
    const rt_cell *ip;
    rt_slot *fp;
    weld_rt_func *func;
    uint32_t nf, fbase;
} rt_resume;

struct weld_rt_host_call {
    weld_rt_engine *e;
    weld_rt_instance *inst;
    const char *trap;
};

struct weld_rt_engine {
    weld_rt_limits lim;
    weld_arena *arena;
    rt_slot *stack;
    rt_frame *frames;
    uint32_t nframes;           /* frames in use (nested calls from host functions) */
    uint32_t sp;                /* first free stack slot for a nested entry */
    uint64_t fuel;              /* remaining (UINT64_MAX when unlimited) */
    weld_rt_table *tables;
    weld_rt_memory *memories;
    weld_rt_module *modules;
    rt_exn *exns, *exn_free;    /* every exception; the reusable ones */
    rt_exn *exn;                /* the exception that escaped the last run, or NULL */
    rt_exn *raising;            /* the exception being unwound (exec.c) */
    rt_resume raise;            /* where it was raised */
    char host_trap[256];
    char backtrace[4096];
};

/* Compile every defined function of m (validating it on the way). */
weld_status rt_compile_module(weld_rt_engine *e, weld_rt_module *m, weld_diag *d);

/* The handler table (label addresses, or NULL in switch mode). */
const void *const *rt_handlers(void);

/* Run f with its arguments in e->stack[e->sp...]; results replace them. */
rt_trap rt_exec(weld_rt_engine *e, weld_rt_func *f);

/* Call f with arguments and results as 64-bit slots (no v128), as host functions see
 * them: the embedding layers' fast path (no type checks, no diagnostic). The trap's text
 * is rt_trap_text(). */
rt_trap rt_call_slots(weld_rt_engine *e, weld_rt_func *f, const uint64_t *args, uint64_t *results);
const char *rt_trap_text(const weld_rt_engine *e, rt_trap t);

/* Do two function types have the same parameters and results? */
bool rt_functype_eq(const weld_functype *a, const weld_functype *b);

/* Memory and table growth under the engine's limits; the old size, or -1. */
int64_t rt_memory_grow(weld_rt_engine *e, weld_rt_memory *m, uint64_t delta_pages);
int64_t rt_table_grow(weld_rt_engine *e, weld_rt_table *t, uint32_t delta, uint64_t init);

/* A new exception of tag t with its payload copied from vals; NULL when out of memory. */
rt_exn *rt_exn_new(weld_rt_engine *e, weld_rt_tag *t, const rt_slot *vals);
/* "uncaught exception: tag 1 \"e\"" into buf. */
void rt_exn_describe(const rt_exn *x, char *buf, size_t cap);

#define RT_PAGE 65536u
#define RT_ADDR64 0x10000u    /* in RT_LOAD_ANY / RT_STORE_ANY: the address is 64-bit */

#endif
