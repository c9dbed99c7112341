/* compile.c - translate validated function bodies into the interpreter's internal code.
 *
 * The compiler runs as hooks of the validator's body walk, so it knows the operand stack
 * height before each instruction and the labels' heights and arities. Each operand-stack
 * position has a home slot (after the locals and RT_NCONST constant slots); an operand may
 * also stay "deferred" in the local it was read from (local.get emits nothing), until a
 * local.set of that local, a control instruction or a call needs it in its home slot, or
 * in the constant slot holding its value (a constant emits nothing). Branches copy the values they
 * carry into the target's slots and jump to a resolved cell; forward targets are patched
 * when the block ends.
 *
 * Fuel metering (compiled in when the engine has a fuel budget as the module is loaded):
 * each basic block starts with an RT_FUEL operation charging the number of Wasm
 * instructions in it: every instruction but the structural markers block, loop, else and
 * end counts one. Blocks start at the function's entry, at loop headers, after else and
 * end, and after conditional branches (if, br_if).
 */
#include "rt/rt.h"
#include "weld/validate.h"
#include "base/base.h"
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define NONE UINT32_MAX

typedef struct ctl {
    uint32_t height, arity;
    bool is_loop, dead;
    uint32_t start;     /* loops: the header's cell */
    uint32_t else_fix;  /* ifs: the cell of the false branch's target, or NONE */
    uint32_t fixes;     /* head of this label's list of cells to patch */
    /* exception handling (compile_exn.inc) */
    uint16_t kind;      /* WELD_OP_TRY_TABLE, WELD_OP_TRY (in its body), WELD_OP_CATCH (in a
                           legacy catch), else 0 */
    uint32_t tstart;    /* try, try_table: the protected body's first cell */
    uint32_t tend;      /* try: the body's end, once a catch closed it */
    uint32_t hfirst, hcount; /* try_table: its handlers c->hnd[hfirst, hfirst + hcount) */
    uint32_t level;     /* try: the exception slot of its catches (for rethrow) */
} ctl;

typedef struct fix {
    uint32_t cell, next; /* cell | FIX_HANDLER: the target of handler c->hnd[cell] */
} fix;
#define FIX_HANDLER 0x80000000u

typedef struct comp {
    weld_rt_engine *e;
    weld_rt_module *m;
    weld_validator *v;
    weld_status err;
    /* the function being compiled */
    const weld_functype *ft;
    uint32_t nlocals, maxh;
    rt_cell *cells;
    uint32_t ncells, capcells;
    uint32_t *ops, nops, capops;         /* cells holding an operation number */
    uint32_t *tgts, ntgts, captgts;      /* cells holding a target cell index */
    uint32_t *where, capwhere;           /* slot holding each operand */
    /* Operands deferred in a local, linked per local (so that local.set finds the operands
     * reading the local without scanning the stack): positions [0, linked) of the stack
     * are linked when where[i] < nlocals, into a doubly linked list from lhead[local]. */
    uint32_t *wnext, *wprev;             /* per stack position, capacity capwhere */
    uint32_t *lhead, caplhead;           /* per local */
    uint32_t linked;
    uint32_t lowdef;                     /* operands below it (and below the height) are at home */
    const weld_functype **ftypes;        /* the type of each function (imports first) */
    bool *mem64;                         /* per memory (imports first): 64-bit addresses */
    uint32_t nmems;
    uint32_t cell_limit;                 /* cells per function (engine limit), or NONE */
    rt_cell sink;                        /* where cells go once allocation failed */
    ctl *ctls;
    uint32_t nctls, capctls;
    fix *fixes;
    uint32_t nfixes, capfixes;
    uint32_t last_dst;                   /* 2*cell+half of the previous result's dst, or NONE */
    uint32_t last_op, last_end;          /* the previous instruction's cells [op, end) */
    bool metered;                        /* emit fuel accounting */
    uint64_t consts[RT_NCONST];          /* the constant slots' values */
    uint32_t nconsts;
    uint32_t copy_at;                    /* a single RT_COPY just emitted (no label since), or NONE */
    uint32_t fuel_cell;                  /* the current basic block's count cell, or NONE */
    /* exception handling (compile_exn.inc) */
    const weld_functype **tagtypes;      /* the type of each tag (imports first) */
    uint32_t ntags;
    rt_handler *hnd;                     /* the function's handlers, in creation order */
    uint32_t nhnd, caphnd;
    uint32_t *xslots, nxslots, capxslots; /* cells (2*cell+half) holding an exception slot level */
    uint32_t nlevels;                    /* exception slots the function needs */
} comp;

static bool reserve(void **p, uint32_t *cap, uint32_t need, size_t sz)
{
    if (need <= *cap) return true;
    uint64_t n = *cap ? *cap : 64;
    while (n < need) n *= 2;
    if (n > UINT32_MAX) n = UINT32_MAX;
    if (need > n || n > SIZE_MAX / sz) return false;
    void *q = realloc(*p, (size_t)n * sz);
    if (!q) return false;
    *p = q;
    *cap = (uint32_t)n;
    return true;
}

static uint32_t pc(const comp *c) { return c->ncells; }

/* The next cell. Once an allocation failed (c->err), cells go to c->sink and the code
 * buffer is no longer touched: every patch of an earlier cell checks c->err first. */
static rt_cell *cell(comp *c)
{
    if (!c->err && (c->ncells >= c->cell_limit ||
                    !reserve((void **)&c->cells, &c->capcells, c->ncells + 1, sizeof *c->cells)))
        c->err = WELD_ERR_NOMEM;
    if (c->err) {
        c->sink.u = 0;
        return &c->sink;
    }
    rt_cell *x = &c->cells[c->ncells++];
    x->u = 0;
    return x;
}

static void op(comp *c, unsigned o)
{
    if (c->err || !reserve((void **)&c->ops, &c->capops, c->nops + 1, sizeof *c->ops)) {
        c->err = WELD_ERR_NOMEM;
        return;
    }
    c->ops[c->nops++] = pc(c);
    cell(c)->u = o;
    c->copy_at = NONE;
}

static void s2(comp *c, uint32_t a, uint32_t b)
{
    rt_cell *x = cell(c);
    x->s[0] = a;
    x->s[1] = b;
}

static void u64c(comp *c, uint64_t v) { cell(c)->u = v; }

/* Copy slot src to dst; two copies in a row become one RT_COPY2. */
static void emit_copy(comp *c, uint32_t src, uint32_t dst)
{
    if (c->copy_at != NONE && c->copy_at + 2 == pc(c) && !c->err) {
        c->cells[c->copy_at].u = RT_COPY2;
        s2(c, src, dst);
        c->copy_at = NONE;
        return;
    }
    op(c, RT_COPY);
    s2(c, src, dst);
    c->copy_at = pc(c) - 2;
}

/* A label is placed at the current cell: what follows cannot merge into what precedes. */
static uint32_t label_here(comp *c)
{
    c->copy_at = NONE;
    return pc(c);
}

/* A target cell: `to` is a known cell index, or NONE to add it to label list *list. */
static void target(comp *c, uint32_t to, uint32_t *list)
{
    uint32_t at = pc(c);
    cell(c)->u = to == NONE ? 0 : to;
    if (c->err || !reserve((void **)&c->tgts, &c->captgts, c->ntgts + 1, sizeof *c->tgts)) {
        c->err = WELD_ERR_NOMEM;
        return;
    }
    c->tgts[c->ntgts++] = at;
    if (to == NONE && list) {
        if (!reserve((void **)&c->fixes, &c->capfixes, c->nfixes + 1, sizeof *c->fixes)) {
            c->err = WELD_ERR_NOMEM;
            return;
        }
        c->fixes[c->nfixes] = (fix){at, *list};
        *list = c->nfixes++;
    }
}

static void patch_list(comp *c, uint32_t list, uint32_t to)
{
    for (; list != NONE; list = c->fixes[list].next) {
        if (c->err) continue;
        uint32_t x = c->fixes[list].cell;
        if (x & FIX_HANDLER) c->hnd[x & ~FIX_HANDLER].target = to;
        else c->cells[x].u = to;
    }
}

static uint32_t home(const comp *c, uint32_t i) { return c->nlocals + RT_NCONST + i; }

/* Does memory x take the fast path of memory 0 with 32-bit addresses? */
static bool fast_memory(const comp *c, uint32_t x) { return x == 0 && c->nmems && !c->mem64[0]; }

/* The constant slot holding v (added when there is room), or NONE. */
static uint32_t const_slot(comp *c, uint64_t v)
{
    for (uint32_t k = 0; k < c->nconsts; k++)
        if (c->consts[k] == v) return c->nlocals + k;
    if (c->nconsts == RT_NCONST) return NONE;
    c->consts[c->nconsts] = v;
    return c->nlocals + c->nconsts++;
}

/* A basic block starts here: with metering, an RT_FUEL whose count the following
 * instructions increment. */
static void block_start(comp *c)
{
    if (!c->metered) return;
    op(c, RT_FUEL);
    c->fuel_cell = pc(c);
    u64c(c, 0);
}

/* Link stack position i into its local's list (when it reads a local). */
static void wlink(comp *c, uint32_t i)
{
    uint32_t x = c->where[i];
    if (x >= c->nlocals) return;
    c->wprev[i] = NONE;
    c->wnext[i] = c->lhead[x];
    if (c->lhead[x] != NONE) c->wprev[c->lhead[x]] = i;
    c->lhead[x] = i;
}

static void wunlink(comp *c, uint32_t i)
{
    uint32_t x = c->where[i];
    if (x >= c->nlocals) return;
    if (c->wprev[i] != NONE) c->wnext[c->wprev[i]] = c->wnext[i];
    else c->lhead[x] = c->wnext[i];
    if (c->wnext[i] != NONE) c->wprev[c->wnext[i]] = c->wprev[i];
}

/* Operand i now lives in slot s. */
static void set_where(comp *c, uint32_t i, uint32_t s)
{
    if (i < c->linked) wunlink(c, i);
    c->where[i] = s;
    if (i < c->linked) wlink(c, i);
    if (s != home(c, i) && i < c->lowdef) c->lowdef = i;
}

/* Make the lists cover exactly the positions below height h. */
static void link_to(comp *c, uint32_t h)
{
    while (c->linked > h) wunlink(c, --c->linked);
    while (c->linked < h) wlink(c, c->linked++);
}

/* Room for operand positions [0, n); new positions read no local. */
static bool reserve_where(comp *c, uint32_t n)
{
    uint32_t old = c->capwhere, cap = old;
    if (!reserve((void **)&c->where, &cap, n, sizeof *c->where)) return false;
    for (uint32_t i = old; i < cap; i++) c->where[i] = NONE;
    uint32_t cn = old, cp = old;
    if (!reserve((void **)&c->wnext, &cn, cap, sizeof *c->wnext) ||
        !reserve((void **)&c->wprev, &cp, cap, sizeof *c->wprev))
        return false; /* capwhere stays: the arrays are at least that large */
    c->capwhere = cap;
    return true;
}

static void materialize(comp *c, uint32_t i)
{
    if (c->where[i] != home(c, i)) {
        emit_copy(c, c->where[i], home(c, i));
        set_where(c, i, home(c, i));
    }
}

/* Every operand below h to its home slot: only those from c->lowdef on can be elsewhere. */
static void materialize_all(comp *c, uint32_t h)
{
    for (uint32_t i = c->lowdef; i < h; i++) materialize(c, i);
    c->lowdef = h;
}

/* n results were pushed from stack position pos: they live in their home slots. */
static void pushed(comp *c, uint32_t pos, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) set_where(c, pos + i, home(c, pos + i));
}

static void block_sig(const comp *c, const weld_blocktype *bt, uint32_t *np, uint32_t *nr)
{
    *np = 0;
    *nr = bt->kind == WELD_BLOCK_VALUE;
    if (bt->kind == WELD_BLOCK_TYPEIDX) {
        const weld_functype *t = &c->m->ast->types[bt->index];
        *np = t->nparams;
        *nr = t->nresults;
    }
}

static const weld_functype *func_type(const comp *c, uint32_t f)
{
    return c->ftypes[f];
}

/* Copy the n values at homes [from, from+n) to slots starting at `to` (to <= from). */
static void copy_down(comp *c, uint32_t from, uint32_t to, uint32_t n)
{
    if (from == to) return;
    for (uint32_t k = 0; k < n; k++) {
        emit_copy(c, from + k, to + k);
    }
}

static void emit_return(comp *c, uint32_t h)
{
    uint32_t nr = c->ft->nresults;
    if (nr == 1 && h >= 1) {
        op(c, RT_RETURN1);
        s2(c, c->where[h - 1], 0);
        return;
    }
    copy_down(c, home(c, h - nr), 0, nr);
    op(c, RT_RETURN);
}

/* Branch to label `depth` with the operand stack at height h (all values at home). */
static void emit_branch(comp *c, uint32_t depth, uint32_t h)
{
    if (depth + 1 >= c->nctls) {
        emit_return(c, h);
        return;
    }
    ctl *t = &c->ctls[c->nctls - 1 - depth];
    copy_down(c, home(c, h - t->arity), home(c, t->height), t->arity);
    op(c, RT_BR);
    target(c, t->is_loop ? t->start : NONE, &t->fixes);
}

/* Does a branch to `depth` at height h need no copies (a plain jump)? */
static bool plain_branch(const comp *c, uint32_t depth, uint32_t h)
{
    if (depth + 1 >= c->nctls) return false;
    const ctl *t = &c->ctls[c->nctls - 1 - depth];
    return t->arity == 0 || h - t->arity == t->height;
}

/* Emit a conditional branch on slot cond, taken when cond is nonzero (when_true) or zero,
 * without its target cell. When the previous instruction computed cond with an i32
 * comparison, it becomes the branch (the comparison's result is never stored). */
static void cond_branch(comp *c, bool when_true, uint32_t cond, uint32_t prev_op, uint32_t prev_end)
{
    static const struct { uint16_t cmp; uint16_t yes, no; } fuse[] = {
        {WELD_OP_I32_EQ, RT_BR_EQ, RT_BR_NE},       {WELD_OP_I32_NE, RT_BR_NE, RT_BR_EQ},
        {WELD_OP_I32_LT_S, RT_BR_LT_S, RT_BR_GE_S}, {WELD_OP_I32_LT_U, RT_BR_LT_U, RT_BR_GE_U},
        {WELD_OP_I32_GT_S, RT_BR_GT_S, RT_BR_LE_S}, {WELD_OP_I32_GT_U, RT_BR_GT_U, RT_BR_LE_U},
        {WELD_OP_I32_LE_S, RT_BR_LE_S, RT_BR_GT_S}, {WELD_OP_I32_LE_U, RT_BR_LE_U, RT_BR_GT_U},
        {WELD_OP_I32_GE_S, RT_BR_GE_S, RT_BR_LT_S}, {WELD_OP_I32_GE_U, RT_BR_GE_U, RT_BR_LT_U},
    };
    if (prev_op != NONE && prev_end == pc(c) && !c->err) {
        uint64_t o = c->cells[prev_op].u;
        if (o == WELD_OP_I32_EQZ && c->cells[prev_op + 1].s[1] == cond) {
            c->cells[prev_op].u = when_true ? RT_BR_UNLESS : RT_BR_IF;
            c->cells[prev_op + 1].s[1] = 0;
            return;
        }
        for (size_t i = 0; i < sizeof fuse / sizeof fuse[0]; i++)
            if (o == fuse[i].cmp && c->cells[prev_op + 2].s[0] == cond) {
                c->cells[prev_op].u = when_true ? fuse[i].yes : fuse[i].no;
                c->ncells = prev_op + 2;
                return;
            }
    }
    op(c, when_true ? RT_BR_IF : RT_BR_UNLESS);
    s2(c, cond, 0);
}

static void push_ctl(comp *c, uint32_t height, uint32_t arity, bool is_loop, bool dead)
{
    if (!reserve((void **)&c->ctls, &c->capctls, c->nctls + 1, sizeof *c->ctls)) {
        c->err = WELD_ERR_NOMEM;
        return;
    }
    c->ctls[c->nctls++] = (ctl){height, arity, is_loop, dead, NONE, NONE, NONE, 0, 0, 0, 0, 0, 0};
}

static void reset_where(comp *c, uint32_t h)
{
    for (uint32_t i = 0; i < h; i++) set_where(c, i, home(c, i));
    c->lowdef = h;
}

static weld_status hook_begin(void *ctx, const weld_valid_view *v, const weld_func_body *b)
{
    comp *c = ctx;
    c->ft = v->type;
    uint64_t nl = (uint64_t)v->type->nparams + b->nlocals;
    if (nl + RT_NCONST > c->e->lim.stack_slots) {
        c->err = WELD_ERR_UNSUPPORTED;
        return WELD_ERR_UNSUPPORTED;
    }
    c->nlocals = (uint32_t)nl;
    uint32_t cap = c->caplhead;
    if (!reserve((void **)&c->lhead, &cap, c->nlocals + 1, sizeof *c->lhead)) {
        c->err = WELD_ERR_NOMEM;
        return c->err;
    }
    for (uint32_t i = c->caplhead; i < cap; i++) c->lhead[i] = NONE;
    c->caplhead = cap;
    c->linked = c->lowdef = 0;
    c->maxh = 0;
    c->ncells = c->nops = c->ntgts = c->nctls = c->nfixes = 0;
    c->last_dst = c->last_op = NONE;
    c->fuel_cell = NONE;
    c->nconsts = 0;
    c->copy_at = NONE;
    c->nhnd = c->nxslots = c->nlevels = 0;
    push_ctl(c, 0, v->type->nresults, false, false);
    block_start(c);
    return c->err;
}

/* Plain operations: operands popped per the table's signature, one result at most. */
static void emit_plain(comp *c, const weld_insn *in, uint32_t h, const char *sig,
                       uint32_t prev_op, uint32_t prev_end)
{
    uint32_t npop = 0, npush = 0;
    const char *p = sig;
    while (*p && *p != ':') npop++, p++;
    if (*p) p++;
    while (*p) npush++, p++;
    const weld_opinfo *oi = &weld_opinfos[in->op];
    if (oi->prefix == 0xFD || oi->prefix == 0xFE || npop > 2 || npush > 1 || npop > h) {
        op(c, RT_UNSUPPORTED);
        return;
    }
    uint32_t base = h - npop;
    uint32_t a = npop > 0 ? c->where[base] : 0, b = npop > 1 ? c->where[base + 1] : 0;
    uint32_t dst = home(c, base);
    if (npush) pushed(c, base, 1);
    uint32_t start = pc(c);
    switch (oi->imm) {
    case WELD_IMM_NONE: {
        bool is32 = in->op == WELD_OP_I32_ADD || in->op == WELD_OP_I32_SUB;
        bool is64 = in->op == WELD_OP_I64_ADD || in->op == WELD_OP_I64_SUB;
        if ((is32 || is64) && prev_op != NONE && prev_end == pc(c) && !c->err && b == home(c, base + 1) &&
            c->cells[prev_op].u == (is32 ? WELD_OP_I32_CONST : WELD_OP_I64_CONST) &&
            c->cells[prev_op + 1].s[0] == b) {
            /* x (const k) add/sub: one instruction with an immediate */
            uint64_t k = c->cells[prev_op + 2].u;
            if (in->op == WELD_OP_I32_SUB || in->op == WELD_OP_I64_SUB) k = (uint64_t)0 - k;
            c->cells[prev_op].u = is32 ? RT_I32_ADD_IMM : RT_I64_ADD_IMM;
            c->cells[prev_op + 1].s[0] = a;
            c->cells[prev_op + 1].s[1] = dst;
            c->cells[prev_op + 2].u = is32 ? (uint32_t)k : k;
            c->last_dst = (prev_op + 1) * 2 + 1;
            c->last_op = prev_op;
            c->last_end = pc(c);
            return;
        }
        op(c, in->op);
        if (npop == 2) {
            s2(c, a, b);
            c->last_dst = npush ? pc(c) * 2 : NONE;
            s2(c, dst, 0);
        } else if (npop == 1) {
            c->last_dst = npush ? pc(c) * 2 + 1 : NONE;
            s2(c, a, dst);
        } else {
            op(c, RT_UNSUPPORTED);
        }
        break;
    }
    case WELD_IMM_I32: case WELD_IMM_I64: case WELD_IMM_F32: case WELD_IMM_F64:
        op(c, in->op);
        c->last_dst = pc(c) * 2;
        s2(c, dst, 0);
        u64c(c, oi->imm == WELD_IMM_I32 ? (uint64_t)(uint32_t)in->u.i32
                : oi->imm == WELD_IMM_F32 ? in->u.f32 : (uint64_t)in->u.i64);
        break;
    case WELD_IMM_MEMARG:
        if (!fast_memory(c, in->u.memarg.memory)) {
            uint32_t x = in->u.memarg.memory;
            if (x >= c->nmems) { /* invalid: the validator rejects it */
                op(c, RT_UNSUPPORTED);
                break;
            }
            op(c, npush ? RT_LOAD_ANY : RT_STORE_ANY);
            if (npush) c->last_dst = pc(c) * 2 + 1;
            s2(c, a, npush ? dst : b);
            u64c(c, in->u.memarg.offset);
            s2(c, x, in->op | (c->mem64[x] ? RT_ADDR64 : 0));
            break;
        }
        op(c, in->op);
        if (npush) c->last_dst = pc(c) * 2 + 1;
        s2(c, a, npush ? dst : b);
        u64c(c, in->u.memarg.offset);
        break;
    default:
        op(c, RT_UNSUPPORTED);
        break;
    }
    c->last_op = start;
    c->last_end = pc(c);
}

#include "rt/compile_exn.inc"

/* How many operands the compiler reads for instruction in (NONE when an index is out of
 * range). The hook runs before the validator types the instruction: an instruction that
 * underflows the stack or names a missing function or type is rejected right after, and
 * must only not be compiled. */
static uint32_t operands_read(const comp *c, const weld_insn *in)
{
    const weld_module *m = c->m->ast;
    uint32_t np = 0;
    switch (in->op) {
    case WELD_OP_BLOCK:
    case WELD_OP_LOOP:
    case WELD_OP_IF:
        if (in->u.block.kind == WELD_BLOCK_TYPEIDX) {
            if (in->u.block.index >= m->ntypes) return NONE;
            np = m->types[in->u.block.index].nparams;
        }
        return np + (in->op == WELD_OP_IF);
    case WELD_OP_CALL:
    case WELD_OP_RETURN_CALL: {
        if (in->u.index >= m->nimported_funcs + m->nfuncs) return NONE;
        const weld_functype *t = func_type(c, in->u.index);
        return t ? t->nparams : NONE;
    }
    case WELD_OP_CALL_INDIRECT:
    case WELD_OP_RETURN_CALL_INDIRECT:
        return in->u.pair.a < m->ntypes ? m->types[in->u.pair.a].nparams + 1 : NONE;
    case WELD_OP_SELECT: case WELD_OP_SELECT_T:
    case WELD_OP_TABLE_FILL: case WELD_OP_TABLE_COPY: case WELD_OP_TABLE_INIT:
    case WELD_OP_MEMORY_FILL: case WELD_OP_MEMORY_COPY: case WELD_OP_MEMORY_INIT:
        return 3;
    case WELD_OP_TABLE_SET: case WELD_OP_TABLE_GROW:
        return 2;
    case WELD_OP_LOCAL_GET:
        return in->u.index < c->nlocals ? 0 : NONE;
    case WELD_OP_LOCAL_SET: case WELD_OP_LOCAL_TEE:
        return in->u.index < c->nlocals ? 1 : NONE;
    case WELD_OP_GLOBAL_SET:
    case WELD_OP_MEMORY_GROW: case WELD_OP_REF_IS_NULL: case WELD_OP_TABLE_GET:
    case WELD_OP_BR_IF: case WELD_OP_BR_TABLE:
        return 1;
    case WELD_OP_RETURN:
        return c->ft->nresults;
    case WELD_OP_THROW: case WELD_OP_THROW_REF: case WELD_OP_TRY_TABLE: case WELD_OP_TRY:
    case WELD_OP_CATCH: case WELD_OP_RETHROW: case WELD_OP_DELEGATE:
        return exn_operands_read(c, in);
    default:
        if (weld_opinfos[in->op].prefix == 0xFD) { /* emit_simd reads its operands unchecked */
            uint32_t n = 0;
            for (const char *p = weld_opinfos[in->op].sig; *p && *p != ':' && *p != '*'; p++) n++;
            return n;
        }
        return 0; /* plain operations check their own operand count */
    }
}

#include "rt/compile_simd.inc"

static weld_status hook_insn(void *ctx, const weld_valid_view *v, const weld_insn *in)
{
    comp *c = ctx;
    if (c->err) return c->err;
    uint32_t h = v->height;
    if (!reserve_where(c, h + 2)) return c->err = WELD_ERR_NOMEM;
    link_to(c, h);
    if (h > c->maxh) c->maxh = h;
    ctl *top = &c->ctls[c->nctls - 1];
    bool live = !top->dead && !v->unreachable;
    uint32_t need = operands_read(c, in);
    if (need == NONE || (live && need > h)) return c->err; /* invalid: the validator says why */
    uint32_t prev_dst = c->last_dst, prev_op = c->last_op, prev_end = c->last_end;
    c->last_dst = c->last_op = NONE;
    uint32_t np, nr;
    bool marker = in->op == WELD_OP_BLOCK || in->op == WELD_OP_LOOP || in->op == WELD_OP_ELSE ||
                  in->op == WELD_OP_END;
    if (live && !marker && c->fuel_cell != NONE && !c->err) c->cells[c->fuel_cell].u++;
    switch (in->op) {
    case WELD_OP_BLOCK:
    case WELD_OP_LOOP:
    case WELD_OP_IF: {
        block_sig(c, &in->u.block, &np, &nr);
        bool is_if = in->op == WELD_OP_IF, is_loop = in->op == WELD_OP_LOOP;
        uint32_t hh = h - is_if - np;
        if (!live) {
            push_ctl(c, hh, 0, is_loop, true);
            return c->err;
        }
        materialize_all(c, h);
        uint32_t else_fix = NONE;
        if (is_if) {
            cond_branch(c, false, home(c, h - 1), prev_op, prev_end);
            else_fix = pc(c);
            target(c, NONE, NULL);
            block_start(c);
        }
        push_ctl(c, hh, is_loop ? np : nr, is_loop, false);
        ctl *n = &c->ctls[c->nctls - 1];
        n->else_fix = else_fix;
        if (is_loop) {
            n->start = label_here(c);
            block_start(c);
        }
        return c->err;
    }
    case WELD_OP_ELSE:
        if (top->dead) return c->err;
        if (live) {
            materialize_all(c, h);
            op(c, RT_BR);
            target(c, NONE, &top->fixes);
        }
        if (top->else_fix != NONE && !c->err) c->cells[top->else_fix].u = label_here(c);
        top->else_fix = NONE;
        reset_where(c, h);
        block_start(c);
        return c->err;
    case WELD_OP_TRY_TABLE:
        return exn_try_table(c, in, h, live);
    case WELD_OP_TRY:
        return exn_try(c, in, h, live);
    case WELD_OP_CATCH:
    case WELD_OP_CATCH_ALL:
        return exn_catch(c, in, h, live);
    case WELD_OP_DELEGATE: /* the try ends as a block does */
        exn_delegate(c, in->u.index);
        /* fall through */
    case WELD_OP_END:
        if (c->nctls == 1) {
            if (live) {
                materialize_all(c, h);
                emit_return(c, h);
            }
            c->nctls--;
            return c->err;
        }
        if (!top->dead) {
            if (live) materialize_all(c, h);
            if (top->else_fix != NONE && !c->err) c->cells[top->else_fix].u = pc(c);
            if (top->kind == WELD_OP_TRY_TABLE) exn_end_try_table(c, top);
            patch_list(c, top->fixes, label_here(c));
        }
        bool reached = !top->dead;
        /* the results are in their homes also when the end is unreachable but the label
         * is reached (a branch, or an exception handler delivering values) */
        uint32_t hr = top->is_loop || top->dead ? h : top->height + top->arity;
        if (hr < h) hr = h;
        if (!reserve_where(c, hr + 2)) return c->err = WELD_ERR_NOMEM;
        c->nctls--;
        reset_where(c, hr);
        if (reached) block_start(c);
        return c->err;
    default:
        break;
    }
    if (!live) return c->err;
    const weld_module *mod = c->m->ast;
    switch (in->op) {
    case WELD_OP_NOP:
    case WELD_OP_DROP:
        break;
    case WELD_OP_UNREACHABLE:
        op(c, WELD_OP_UNREACHABLE);
        break;
    case WELD_OP_BR:
        materialize_all(c, h);
        emit_branch(c, in->u.index, h);
        break;
    case WELD_OP_BR_IF: {
        materialize_all(c, h);
        uint32_t cond = home(c, h - 1);
        if (plain_branch(c, in->u.index, h - 1)) {
            ctl *t = &c->ctls[c->nctls - 1 - in->u.index];
            cond_branch(c, true, cond, prev_op, prev_end);
            target(c, t->is_loop ? t->start : NONE, &t->fixes);
        } else {
            cond_branch(c, false, cond, prev_op, prev_end);
            uint32_t skip = pc(c);
            target(c, NONE, NULL);
            emit_branch(c, in->u.index, h - 1);
            if (!c->err) c->cells[skip].u = label_here(c);
        }
        block_start(c);
        break;
    }
    case WELD_OP_BR_TABLE: {
        materialize_all(c, h);
        uint32_t n = in->u.br_table.count;
        op(c, RT_BR_TABLE);
        s2(c, home(c, h - 1), n);
        uint32_t first = pc(c);
        for (uint32_t k = 0; k <= n && !c->err; k++) target(c, 0, NULL);
        const uint8_t *tp = in->u.br_table.targets;
        for (uint32_t k = 0; k <= n && !c->err; k++) {
            uint32_t l = k < n ? weld_insn_label_next(&tp) : in->u.br_table.default_label;
            if (plain_branch(c, l, h - 1)) {
                ctl *t = &c->ctls[c->nctls - 1 - l];
                if (t->is_loop) c->cells[first + k].u = t->start;
                else {
                    if (!reserve((void **)&c->fixes, &c->capfixes, c->nfixes + 1, sizeof *c->fixes))
                        return WELD_ERR_NOMEM;
                    c->fixes[c->nfixes] = (fix){first + k, t->fixes};
                    t->fixes = c->nfixes++;
                }
            } else {
                c->cells[first + k].u = label_here(c);
                emit_branch(c, l, h - 1);
            }
        }
        break;
    }
    case WELD_OP_RETURN:
        materialize_all(c, h);
        emit_return(c, h);
        break;
    case WELD_OP_CALL: {
        const weld_functype *t = func_type(c, in->u.index);
        materialize_all(c, h);
        op(c, RT_CALL);
        s2(c, in->u.index, home(c, h - t->nparams));
        if (!reserve_where(c, h - t->nparams + t->nresults + 1)) return c->err = WELD_ERR_NOMEM;
        pushed(c, h - t->nparams, t->nresults);
        break;
    }
    case WELD_OP_CALL_INDIRECT: {
        const weld_functype *t = &mod->types[in->u.pair.a];
        materialize_all(c, h);
        op(c, RT_CALL_INDIRECT);
        s2(c, in->u.pair.a, in->u.pair.b);
        s2(c, home(c, h - 1), home(c, h - 1 - t->nparams));
        if (!reserve_where(c, h - 1 - t->nparams + t->nresults + 1)) return c->err = WELD_ERR_NOMEM;
        pushed(c, h - 1 - t->nparams, t->nresults);
        break;
    }
    /* tail calls: the arguments at their homes; the callee's frame replaces this one.
     * A host callee returns here instead: then the code that follows returns its results. */
    case WELD_OP_RETURN_CALL:
    case WELD_OP_RETURN_CALL_INDIRECT: {
        bool ind = in->op == WELD_OP_RETURN_CALL_INDIRECT;
        const weld_functype *t = ind ? &mod->types[in->u.pair.a] : func_type(c, in->u.index);
        uint32_t base = h - ind - t->nparams;
        materialize_all(c, h);
        if (ind) {
            op(c, RT_RETURN_CALL_INDIRECT);
            s2(c, in->u.pair.a, in->u.pair.b);
            s2(c, home(c, h - 1), home(c, base));
        } else {
            op(c, RT_RETURN_CALL);
            s2(c, in->u.index, home(c, base));
        }
        if (!reserve_where(c, base + t->nresults + 1)) return c->err = WELD_ERR_NOMEM;
        pushed(c, base, t->nresults);
        if (base + t->nresults > c->maxh) c->maxh = base + t->nresults;
        emit_return(c, base + t->nresults);
        break;
    }
    case WELD_OP_SELECT:
    case WELD_OP_SELECT_T:
        op(c, WELD_OP_SELECT);
        s2(c, c->where[h - 3], c->where[h - 2]);
        c->last_dst = pc(c) * 2;
        s2(c, home(c, h - 3), c->where[h - 1]);
        pushed(c, h - 3, 1);
        break;
    case WELD_OP_LOCAL_GET:
        set_where(c, h, in->u.index);
        if (h + 1 > c->maxh) c->maxh = h + 1;
        break;
    case WELD_OP_I32_CONST:
    case WELD_OP_I64_CONST:
    case WELD_OP_F32_CONST:
    case WELD_OP_F64_CONST: {
        uint64_t k = in->op == WELD_OP_I32_CONST ? (uint64_t)(uint32_t)in->u.i32
                   : in->op == WELD_OP_F32_CONST ? in->u.f32 : (uint64_t)in->u.i64;
        uint32_t s = const_slot(c, k);
        if (s == NONE) {
            emit_plain(c, in, h, weld_opinfos[in->op].sig, prev_op, prev_end);
            break;
        }
        set_where(c, h, s);
        if (h + 1 > c->maxh) c->maxh = h + 1;
        break;
    }
    case WELD_OP_LOCAL_SET:
    case WELD_OP_LOCAL_TEE: {
        uint32_t x = in->u.index, src = c->where[h - 1];
        /* the operands below the top reading x keep its old value: to their homes */
        bool refs = false;
        for (uint32_t i = c->lhead[x], n; i != NONE; i = n) {
            n = c->wnext[i];
            if (i + 1 < h) {
                materialize(c, i);
                refs = true;
            }
        }
        if (src == x) {
            /* local.set x of local.get x: nothing to do */
        } else if (!refs && !c->err && prev_dst != NONE && src == home(c, h - 1) &&
                   c->cells[prev_dst >> 1].s[prev_dst & 1] == src) {
            c->cells[prev_dst >> 1].s[prev_dst & 1] = x;
        } else {
            emit_copy(c, src, x);
        }
        if (in->op == WELD_OP_LOCAL_TEE) set_where(c, h - 1, x);
        break;
    }
    case WELD_OP_GLOBAL_GET:
        op(c, WELD_OP_GLOBAL_GET);
        s2(c, in->u.index, home(c, h));
        pushed(c, h, 1);
        break;
    case WELD_OP_GLOBAL_SET:
        op(c, WELD_OP_GLOBAL_SET);
        s2(c, in->u.index, c->where[h - 1]);
        break;
    case WELD_OP_MEMORY_SIZE:
        op(c, in->op);
        s2(c, in->u.index, home(c, h));
        pushed(c, h, 1);
        break;
    case WELD_OP_MEMORY_GROW:
        op(c, in->op);
        s2(c, in->u.index, c->where[h - 1]);
        s2(c, home(c, h - 1), 0);
        pushed(c, h - 1, 1);
        break;
    case WELD_OP_REF_NULL:
        op(c, in->op);
        s2(c, home(c, h), 0);
        pushed(c, h, 1);
        break;
    case WELD_OP_REF_IS_NULL:
        op(c, in->op);
        s2(c, c->where[h - 1], home(c, h - 1));
        pushed(c, h - 1, 1);
        break;
    case WELD_OP_REF_FUNC:
        op(c, in->op);
        s2(c, in->u.index, home(c, h));
        pushed(c, h, 1);
        break;
    case WELD_OP_TABLE_GET:
        op(c, in->op);
        s2(c, in->u.index, c->where[h - 1]);
        s2(c, home(c, h - 1), 0);
        pushed(c, h - 1, 1);
        break;
    case WELD_OP_TABLE_SET:
        op(c, in->op);
        s2(c, in->u.index, c->where[h - 2]);
        s2(c, c->where[h - 1], 0);
        break;
    case WELD_OP_TABLE_SIZE:
        op(c, in->op);
        s2(c, in->u.index, home(c, h));
        pushed(c, h, 1);
        break;
    case WELD_OP_TABLE_GROW:
        op(c, in->op);
        s2(c, in->u.index, c->where[h - 2]);
        s2(c, c->where[h - 1], home(c, h - 2));
        pushed(c, h - 2, 1);
        break;
    case WELD_OP_TABLE_FILL:
    case WELD_OP_TABLE_COPY:
    case WELD_OP_TABLE_INIT:
    case WELD_OP_MEMORY_COPY:
    case WELD_OP_MEMORY_INIT:
    case WELD_OP_MEMORY_FILL:
        op(c, in->op);
        if (in->op == WELD_OP_TABLE_FILL || in->op == WELD_OP_MEMORY_FILL) s2(c, in->u.index, 0);
        else s2(c, in->u.pair.a, in->u.pair.b);
        s2(c, c->where[h - 3], c->where[h - 2]);
        s2(c, c->where[h - 1], 0);
        break;
    case WELD_OP_THROW:
    case WELD_OP_THROW_REF:
    case WELD_OP_RETHROW:
        exn_throw(c, in, h);
        break;
    case WELD_OP_DATA_DROP:
    case WELD_OP_ELEM_DROP:
        op(c, in->op);
        s2(c, in->u.index, 0);
        break;
    default:
        if (weld_opinfos[in->op].prefix == 0xFD) emit_simd(c, in, h);
        else if (weld_opinfos[in->op].sig[0] == '*') op(c, RT_UNSUPPORTED);
        else emit_plain(c, in, h, weld_opinfos[in->op].sig, prev_op, prev_end);
        break;
    }
    return c->err;
}

static weld_status hook_end(void *ctx, const weld_valid_view *v)
{
    comp *c = ctx;
    if (c->err) return c->err;
    link_to(c, 0);
    op(c, RT_RETURN); /* never reached; keeps every target inside the code */
    if (c->err) return c->err;
    weld_arena *a = c->m->ast->arena;
    rt_code *code = &c->m->codes[v->func - c->m->ast->nimported_funcs];
    code->cells = weld_arena_alloc(a, (size_t)c->ncells * sizeof *code->cells);
    if (!code->cells) return c->err = WELD_ERR_NOMEM;
    memcpy(code->cells, c->cells, (size_t)c->ncells * sizeof *code->cells);
    code->ncells = c->ncells;
    code->nparams = c->ft->nparams;
    code->nlocals = c->nlocals;
    code->nconsts = c->nconsts;
    if (c->nconsts) {
        rt_slot *k = weld_arena_alloc(a, c->nconsts * sizeof *k);
        if (!k) return c->err = WELD_ERR_NOMEM;
        memset(k, 0, c->nconsts * sizeof *k);
        for (uint32_t i = 0; i < c->nconsts; i++) k[i].u64 = c->consts[i];
        code->consts = k;
    }
    uint64_t fs = (uint64_t)c->nlocals + RT_NCONST + c->maxh + 2;
    if (exn_finish(c, code, fs)) return c->err;
    fs += c->nlevels;
    if (fs < c->ft->nresults) fs = c->ft->nresults;
    if (fs > c->e->lim.stack_slots) return c->err = WELD_ERR_UNSUPPORTED;
    code->frame_size = (uint32_t)fs;
    const void *const *hs = rt_handlers();
    for (uint32_t i = 0; i < c->ntgts; i++) {
        rt_cell *t = &code->cells[c->tgts[i]];
        t->target = code->cells + t->u;
    }
    if (hs)
        for (uint32_t i = 0; i < c->nops; i++) {
            rt_cell *o = &code->cells[c->ops[i]];
            const void *lab = hs[o->u];
            o->h = lab ? lab : hs[RT_UNSUPPORTED];
        }
    return WELD_OK;
}

weld_status rt_compile_module(weld_rt_engine *e, weld_rt_module *m, weld_diag *d)
{
    comp c = {0};
    c.e = e;
    c.m = m;
    c.metered = e->lim.fuel != 0;
    c.cell_limit = e->lim.max_code_cells ? e->lim.max_code_cells : NONE;
    const weld_module *ast = m->ast;
    m->codes = weld_arena_alloc(ast->arena, ((size_t)ast->nfuncs + 1) * sizeof *m->codes);
    c.ftypes = weld_arena_alloc(ast->arena, ((size_t)ast->nimported_funcs + ast->nfuncs + 1) *
                                            sizeof *c.ftypes);
    if (!m->codes || !c.ftypes) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    for (uint32_t i = 0, k = 0; i < ast->nimports; i++)
        if (ast->imports[i].type.kind == WELD_EXTERN_FUNC)
            c.ftypes[k++] = &ast->types[ast->imports[i].type.u.func];
    for (uint32_t i = 0; i < ast->nfuncs; i++)
        c.ftypes[ast->nimported_funcs + i] = &ast->types[ast->func_types[i]];
    c.nmems = ast->nimported_memories + ast->nmemories;
    c.mem64 = weld_arena_alloc(ast->arena, (size_t)c.nmems + 1);
    if (!c.mem64) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    c.ntags = ast->nimported_tags + ast->ntags;
    c.tagtypes = weld_arena_alloc(ast->arena, ((size_t)c.ntags + 1) * sizeof *c.tagtypes);
    if (!c.tagtypes) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    for (uint32_t i = 0, k = 0; i < ast->nimports; i++)
        if (ast->imports[i].type.kind == WELD_EXTERN_TAG && ast->imports[i].type.u.tag < ast->ntypes)
            c.tagtypes[k++] = &ast->types[ast->imports[i].type.u.tag];
        else if (ast->imports[i].type.kind == WELD_EXTERN_TAG)
            c.tagtypes[k++] = NULL;
    for (uint32_t i = 0; i < ast->ntags; i++)
        c.tagtypes[ast->nimported_tags + i] = ast->tags[i] < ast->ntypes ? &ast->types[ast->tags[i]] : NULL;
    for (uint32_t i = 0, k = 0; i < ast->nimports; i++)
        if (ast->imports[i].type.kind == WELD_EXTERN_MEMORY)
            c.mem64[k++] = ast->imports[i].type.u.memory.flags & WELD_LIMITS_64;
    for (uint32_t i = 0; i < ast->nmemories; i++)
        c.mem64[ast->nimported_memories + i] = ast->memories[i].flags & WELD_LIMITS_64;
    c.v = weld_validator_new();
    if (!c.v) return WELD_ERR_NOMEM;
    weld_validator_set_features(c.v, WELD_VALID_WASM2 | WELD_VALID_EXTENDED_CONST | WELD_VALID_MULTI_MEMORY |
                                         WELD_VALID_EXCEPTIONS);
    weld_valid_hooks hooks = {&c, hook_begin, hook_insn, hook_end};
    weld_status st = weld_validator_run(c.v, m->ast, &hooks, d);
    if (st && c.err && d) {
        if (c.err == WELD_ERR_NOMEM) weld_diag_set(d, st, WELD_NO_OFFSET, "out of memory");
        else weld_diag_set(d, st, WELD_NO_OFFSET, "function too large for the interpreter's stack");
    }
    weld_validator_free(c.v);
    free(c.cells);
    free(c.ops);
    free(c.tgts);
    free(c.where);
    free(c.wnext);
    free(c.wprev);
    free(c.lhead);
    free(c.ctls);
    free(c.fixes);
    free(c.hnd);
    free(c.xslots);
    return st;
}
