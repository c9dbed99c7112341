/* exec.c - the dispatch loop: runs internal code (see rt.h) with computed goto (GCC,
 * Clang) or a switch. Wasm calls push a frame on the engine's own frame stack; the native
 * stack does not grow with Wasm call depth. Traps return their code; the engine's
 * backtrace names the frames.
 */
#include "rt/rt.h"
#include "rt/numeric.h"
#include "rt/simd_ops.h"
#include "base/base.h"
#include <stdio.h>
#include <string.h>

#if RT_COMPUTED_GOTO
#define CASE(x) L_##x:
#define NEXT() goto *ip->h
#define DISPATCH() NEXT();
#else
#define CASE(x) case x:
#define NEXT() goto dispatch
#define DISPATCH() dispatch: switch (ip->u)
#endif

#define S0 ip[1].s[0]
#define S1 ip[1].s[1]
#define T0 ip[2].s[0]
#define T1 ip[2].s[1]
#define U2 ip[2].u
#define R(i) fp[i]
#define TRAP(t) do { trap = (t); goto trapped; } while (0)

#define BIN(ID, T, F, OF, expr) CASE(WELD_OP_##ID) { \
        T x = R(S0).F, y = R(S1).F; R(T0).OF = (expr); ip += 3; NEXT(); }
#define BINT(ID, T, F, RT, OF, fn) CASE(WELD_OP_##ID) { \
        rt_trap t_ = RT_TRAP_NONE; RT r_ = fn(R(S0).F, R(S1).F, &t_); \
        if (t_) TRAP(t_); \
        R(T0).OF = r_; ip += 3; NEXT(); }
#define UN(ID, T, F, OF, expr) CASE(WELD_OP_##ID) { \
        T x = R(S0).F; R(S1).OF = (expr); ip += 2; NEXT(); }
#define UNT(ID, T, F, RT, OF, fn) CASE(WELD_OP_##ID) { \
        rt_trap t_ = RT_TRAP_NONE; RT r_ = fn(R(S0).F, &t_); \
        if (t_) TRAP(t_); \
        R(S1).OF = r_; ip += 2; NEXT(); }
#define LOAD(ID, N, T, OF, conv) CASE(WELD_OP_##ID) { \
        uint64_t ea = (uint64_t)R(S0).u32 + U2; \
        if (ea + N > memsize) TRAP(RT_TRAP_MEMORY_OOB); \
        T v_; \
        memcpy(&v_, mem + ea, N); R(S1).OF = conv v_; ip += 3; NEXT(); }
#define STORE(ID, N, T, F) CASE(WELD_OP_##ID) { \
        uint64_t ea = (uint64_t)R(S0).u32 + U2; \
        if (ea + N > memsize) TRAP(RT_TRAP_MEMORY_OOB); \
        T v_ = (T)R(S1).F; \
        memcpy(mem + ea, &v_, N); ip += 3; NEXT(); }

/* Load the cached memory 0 of the current instance. */
#define RELOAD_MEM() do { \
        weld_rt_memory *m0_ = inst && inst->mod->ast->nmemories + inst->mod->ast->nimported_memories \
                              ? inst->mems[0] : NULL; \
        mem = m0_ ? m0_->data : NULL; memsize = m0_ ? m0_->size : 0; } while (0)

/* A load (RT_LOAD_ANY) or store (RT_STORE_ANY) through memory m: op is the weld_opcode,
 * ea the address operand (already of its type's width). False when out of bounds. */
static bool access_any(weld_rt_memory *m, unsigned op, uint64_t a, uint64_t off, rt_slot *v)
{
    unsigned n;
    int sign = 0;        /* sign-extend from n bytes */
    bool r32 = false;    /* an i32 (or f32) result: zero-extend from 32 bits */
    switch (op) {
    case WELD_OP_I32_LOAD: case WELD_OP_F32_LOAD: n = 4; r32 = true; break;
    case WELD_OP_I64_LOAD: case WELD_OP_F64_LOAD: n = 8; break;
    case WELD_OP_I32_LOAD8_S: n = 1; sign = 1; r32 = true; break;
    case WELD_OP_I32_LOAD8_U: n = 1; r32 = true; break;
    case WELD_OP_I32_LOAD16_S: n = 2; sign = 1; r32 = true; break;
    case WELD_OP_I32_LOAD16_U: n = 2; r32 = true; break;
    case WELD_OP_I64_LOAD8_S: n = 1; sign = 1; break;
    case WELD_OP_I64_LOAD8_U: n = 1; break;
    case WELD_OP_I64_LOAD16_S: n = 2; sign = 1; break;
    case WELD_OP_I64_LOAD16_U: n = 2; break;
    case WELD_OP_I64_LOAD32_S: n = 4; sign = 1; break;
    case WELD_OP_I64_LOAD32_U: n = 4; break;
    case WELD_OP_I32_STORE: case WELD_OP_F32_STORE: case WELD_OP_I64_STORE32: n = 4; sign = -1; break;
    case WELD_OP_I64_STORE: case WELD_OP_F64_STORE: n = 8; sign = -1; break;
    case WELD_OP_I32_STORE8: case WELD_OP_I64_STORE8: n = 1; sign = -1; break;
    case WELD_OP_I32_STORE16: case WELD_OP_I64_STORE16: n = 2; sign = -1; break;
    default: return false;
    }
    /* a + off + n <= size, without overflow */
    if (off > m->size || a > m->size - off || n > m->size - off - a) return false;
    uint8_t *p = m->data + a + off;
    if (sign < 0) { /* little-endian host, as the fast path */
        uint64_t x = v->u64;
        memcpy(p, &x, n);
        return true;
    }
    uint64_t x = 0;
    memcpy(&x, p, n);
    if (sign && n < 8) {
        uint64_t bit = (uint64_t)1 << (8 * n - 1);
        x = (x ^ bit) - bit;
    }
    v->u64 = r32 ? (uint32_t)x : x;
    return true;
}

static void record_backtrace(weld_rt_engine *e, weld_rt_func *f, const rt_frame *fr, uint32_t n)
{
    size_t used = 0;
    e->backtrace[0] = 0;
    for (uint32_t k = 0; f && used + 100 < sizeof e->backtrace && k < 32; k++) {
        const char *name = NULL;
        uint32_t nlen = 0;
        if (f->inst) {
            const weld_module *m = f->inst->mod->ast;
            for (uint32_t i = 0; m->has_names && i < m->names.funcs.count; i++)
                if (m->names.funcs.items[i].index == f->index) {
                    name = m->names.funcs.items[i].name.ptr;
                    nlen = m->names.funcs.items[i].name.len;
                    break;
                }
        }
        int w;
        if (name) w = snprintf(e->backtrace + used, sizeof e->backtrace - used, "  #%u %.*s (func %u)\n",
                               k, (int)(nlen > 60 ? 60 : nlen), name, f->index);
        else if (f->inst) w = snprintf(e->backtrace + used, sizeof e->backtrace - used, "  #%u func %u\n", k, f->index);
        else w = snprintf(e->backtrace + used, sizeof e->backtrace - used, "  #%u <host>\n", k);
        if (w < 0) break;
        used += (size_t)w;
        if (!n) break;
        f = fr[--n].func;
    }
}


/* Unwind exception x raised in r's frame at the cell before r->ip: look the function's
 * handler table up (rt.h rt_handler, innermost first; a delegate entry limits the depth of
 * the handlers after it), deliver the payload and exnref to the handler's slots; without a
 * handler pop the frame and look again in the caller, at its call's cell, down to the
 * run's entry frame (frame r->fbase). True with r set where the run resumes; false when
 * the exception escaped the run (r is then at the entry frame). */
static bool unwind(weld_rt_engine *e, rt_exn *x, rt_resume *r)
{
    const rt_frame *frames = e->frames;
    const rt_cell *ip = r->ip;
    rt_slot *fp = r->fp;
    weld_rt_func *func = r->func;
    uint32_t nf = r->nf, fbase = r->fbase;
    for (;;) {
        const rt_code *cd = func->code;
        weld_rt_instance *inst = func->inst;
        uint32_t at = (uint32_t)(ip - 1 - cd->cells), limit = UINT32_MAX;
        const rt_handler *hd = NULL;
        for (uint32_t k = 0; k < cd->nhandlers; k++) {
            const rt_handler *h = &cd->handlers[k];
            if (at < h->start || at >= h->end || h->depth > limit) continue;
            if (h->kind == RT_H_DELEGATE) {
                limit = h->tag;
                continue;
            }
            if (h->kind <= WELD_CATCH_REF && inst->tags[h->tag] != x->tag) continue;
            hd = h;
            break;
        }
        if (hd) {
            rt_slot *dst = fp + hd->dst;
            uint32_t n = 0;
            if (hd->kind <= WELD_CATCH_REF) {
                n = x->nvals;
                if (n) memcpy(dst, x->vals, n * sizeof *dst);
            }
            if (hd->kind == WELD_CATCH_REF || hd->kind == WELD_CATCH_ALL_REF) {
                memset(&dst[n], 0, sizeof dst[n]);
                dst[n].u64 = (uint64_t)(uintptr_t)x;
                x->escaped = true;
            }
            if (hd->exn_slot != UINT32_MAX) {
                memset(&fp[hd->exn_slot], 0, sizeof fp[hd->exn_slot]);
                fp[hd->exn_slot].u64 = (uint64_t)(uintptr_t)x;
                x->escaped = true;
            }
            if (!x->escaped) { /* no one can see it any more: the next throw reuses it */
                x->next_free = e->exn_free;
                e->exn_free = x;
            }
            *r = (rt_resume){cd->cells + hd->target, fp, func, nf, fbase};
            return true;
        }
        if (nf == fbase + 1) {
            *r = (rt_resume){ip, fp, func, nf, fbase};
            return false;
        }
        nf--;
        ip = frames[nf].ip;
        fp = frames[nf].fp;
        func = frames[nf].func;
    }
}

/* Run entry; without entry, resume the run stopped at e->raise where the exception
 * handler unwind() found continues it. */
/* A label on a path the hot loop should not pay for (gcc lays it out of line). */
#if defined(__GNUC__) && !defined(__clang__)
#define COLD_LABEL __attribute__((cold))
#else
#define COLD_LABEL __attribute__((unused))
#endif

static rt_trap run(weld_rt_engine *e, weld_rt_func *entry, const void *const **table)
{
#if RT_COMPUTED_GOTO
    static const void *const labels[RT_OP_COUNT] = {
#define L(x) [x] = &&L_##x,
#define W(x) L(WELD_OP_##x)
#include "rt/ops.inc"
#undef W
#undef L
    };
    if (table) {
        *table = labels;
        return RT_TRAP_NONE;
    }
#else
    (void)table;
#endif
    rt_trap trap = RT_TRAP_NONE;
    rt_frame *frames = e->frames;
    /* without entry, the run resumes at e->raise (its fbase is e->nframes, as when the run
     * began) */
    const uint32_t fbase = e->nframes;
    uint32_t nf = entry ? fbase : e->raise.nf;
    const uint32_t maxf = e->lim.max_call_depth;
    rt_slot *const stack_end = e->stack + e->lim.stack_slots;
    rt_slot *fp = entry ? e->stack + e->sp : e->raise.fp;
    weld_rt_func *func = entry ? NULL : e->raise.func;
    weld_rt_instance *inst = NULL;
    uint8_t *mem = NULL;
    uint64_t memsize = 0;
    uint64_t fuel = e->fuel;
    const rt_cell *ip = entry ? NULL : e->raise.ip;
    weld_rt_func *f = entry;
    uint32_t base = 0;
    if (WELD_UNLIKELY(!entry)) {
        inst = func->inst;
        RELOAD_MEM();
        NEXT();
    }
    /* the entry frame: returning to it ends the run */
    goto do_call;

    DISPATCH() {
    CASE(RT_COPY) R(S1) = R(S0); ip += 2; NEXT();
    CASE(RT_COPY2) R(S1) = R(S0); R(T1) = R(T0); ip += 3; NEXT();
    CASE(RT_BR) ip = ip[1].target; NEXT();
    CASE(RT_BR_IF) if (R(S0).u32) ip = ip[2].target; else ip += 3; NEXT();
    CASE(RT_BR_UNLESS) if (!R(S0).u32) ip = ip[2].target; else ip += 3; NEXT();
    CASE(RT_BR_TABLE) {
        uint32_t i = R(S0).u32, n = S1;
        ip = ip[2 + (i < n ? i : n)].target;
        NEXT();
    }
    CASE(RT_FUEL)
        if (fuel < ip[1].u) TRAP(RT_TRAP_FUEL);
        fuel -= ip[1].u;
        ip += 2;
        NEXT();
    CASE(RT_CALL)
        f = inst->funcs[S0];
        base = S1;
        ip += 2;
        goto do_call;
    /* f = the function at table S1's index in T0, checked against type S0 */
#define INDIRECT_CALLEE() do { \
        weld_rt_table *t_ = inst->tables[S1]; \
        uint32_t i_ = R(T0).u32; \
        if (i_ >= t_->size) TRAP(RT_TRAP_UNDEFINED_ELEM); \
        f = (weld_rt_func *)(uintptr_t)t_->elems[i_]; \
        if (!f) TRAP(RT_TRAP_UNINIT_ELEM); \
        const weld_functype *want_ = &inst->mod->ast->types[S0]; \
        if (f->type != want_ && !rt_functype_eq(f->type, want_)) TRAP(RT_TRAP_INDIRECT_TYPE); \
    } while (0)
    CASE(RT_CALL_INDIRECT)
        INDIRECT_CALLEE();
        base = T1;
        ip += 3;
        goto do_call;
    CASE(RT_RETURN1)
        R(0) = R(S0);
        /* fall through */
    CASE(RT_RETURN)
        if (nf == fbase + 1) goto done;
        nf--;
        ip = frames[nf].ip;
        fp = frames[nf].fp;
        func = frames[nf].func;
        if (func->inst != inst) {
            inst = func->inst;
            RELOAD_MEM();
        }
        NEXT();
    CASE(RT_UNSUPPORTED) TRAP(RT_TRAP_UNSUPPORTED);
    CASE(RT_LOAD_ANY) CASE(RT_STORE_ANY) {
        uint32_t o = ip[3].s[1];
        uint64_t a = (o & RT_ADDR64) ? R(S0).u64 : R(S0).u32;
        rt_slot *v = &R(S1);
        if (!access_any(inst->mems[ip[3].s[0]], o & ~RT_ADDR64, a, U2, v)) TRAP(RT_TRAP_MEMORY_OOB);
        ip += 4;
        NEXT();
    }
    CASE(RT_I32_ADD_IMM) R(S1).u32 = R(S0).u32 + (uint32_t)U2; ip += 3; NEXT();
    CASE(RT_I64_ADD_IMM) R(S1).u64 = R(S0).u64 + U2; ip += 3; NEXT();
#define BRC(ID, F, o) CASE(RT_BR_##ID) if (R(S0).F o R(S1).F) ip = ip[2].target; else ip += 3; NEXT();
    BRC(EQ, u32, ==) BRC(NE, u32, !=)
    BRC(LT_S, i32, <) BRC(LT_U, u32, <) BRC(GT_S, i32, >) BRC(GT_U, u32, >)
    BRC(LE_S, i32, <=) BRC(LE_U, u32, <=) BRC(GE_S, i32, >=) BRC(GE_U, u32, >=)
#undef BRC
    CASE(WELD_OP_UNREACHABLE) TRAP(RT_TRAP_UNREACHABLE);

    CASE(WELD_OP_SELECT) R(T0) = R(T1).u32 ? R(S0) : R(S1); ip += 3; NEXT();
    CASE(WELD_OP_GLOBAL_GET) R(S1) = inst->globals[S0]->val; ip += 2; NEXT();
    CASE(WELD_OP_GLOBAL_SET) inst->globals[S0]->val = R(S1); ip += 2; NEXT();
    CASE(WELD_OP_I32_CONST) CASE(WELD_OP_I64_CONST) CASE(WELD_OP_F32_CONST) CASE(WELD_OP_F64_CONST)
        R(S0).u64 = U2; ip += 3; NEXT();

    LOAD(I32_LOAD, 4, uint32_t, u32, )
    LOAD(I64_LOAD, 8, uint64_t, u64, )
    LOAD(F32_LOAD, 4, uint32_t, u32, )
    LOAD(F64_LOAD, 8, uint64_t, u64, )
    LOAD(I32_LOAD8_S, 1, int8_t, i32, (int32_t))
    LOAD(I32_LOAD8_U, 1, uint8_t, u32, (uint32_t))
    LOAD(I32_LOAD16_S, 2, int16_t, i32, (int32_t))
    LOAD(I32_LOAD16_U, 2, uint16_t, u32, (uint32_t))
    LOAD(I64_LOAD8_S, 1, int8_t, i64, (int64_t))
    LOAD(I64_LOAD8_U, 1, uint8_t, u64, (uint64_t))
    LOAD(I64_LOAD16_S, 2, int16_t, i64, (int64_t))
    LOAD(I64_LOAD16_U, 2, uint16_t, u64, (uint64_t))
    LOAD(I64_LOAD32_S, 4, int32_t, i64, (int64_t))
    LOAD(I64_LOAD32_U, 4, uint32_t, u64, (uint64_t))
    STORE(I32_STORE, 4, uint32_t, u32)
    STORE(I64_STORE, 8, uint64_t, u64)
    STORE(F32_STORE, 4, uint32_t, u32)
    STORE(F64_STORE, 8, uint64_t, u64)
    STORE(I32_STORE8, 1, uint8_t, u32)
    STORE(I32_STORE16, 2, uint16_t, u32)
    STORE(I64_STORE8, 1, uint8_t, u64)
    STORE(I64_STORE16, 2, uint16_t, u64)
    STORE(I64_STORE32, 4, uint32_t, u64)

    CASE(WELD_OP_MEMORY_SIZE) R(S1).u64 = inst->mems[S0]->size / RT_PAGE; ip += 2; NEXT();
    CASE(WELD_OP_MEMORY_GROW) {
        weld_rt_memory *m = inst->mems[S0];
        bool m64 = m->limits.flags & WELD_LIMITS_64;
        int64_t old = rt_memory_grow(e, m, m64 ? R(S1).u64 : R(S1).u32);
        R(T0).u64 = m64 ? (uint64_t)old : (uint32_t)(int32_t)old;
        RELOAD_MEM();
        ip += 3;
        NEXT();
    }
    CASE(WELD_OP_MEMORY_FILL) {
        weld_rt_memory *m = inst->mems[S0];
        bool m64 = m->limits.flags & WELD_LIMITS_64;
        uint64_t d = m64 ? R(T0).u64 : R(T0).u32, n = m64 ? R(ip[3].s[0]).u64 : R(ip[3].s[0]).u32;
        if (d > m->size || n > m->size - d) TRAP(RT_TRAP_MEMORY_OOB);
        memset(m->data + d, (int)(R(T1).u32 & 0xff), n);
        ip += 4;
        NEXT();
    }
    CASE(WELD_OP_MEMORY_COPY) {
        weld_rt_memory *md = inst->mems[S0], *ms = inst->mems[S1];
        bool d64 = md->limits.flags & WELD_LIMITS_64, s64 = ms->limits.flags & WELD_LIMITS_64;
        uint64_t d = d64 ? R(T0).u64 : R(T0).u32, s = s64 ? R(T1).u64 : R(T1).u32;
        uint64_t n = d64 && s64 ? R(ip[3].s[0]).u64 : R(ip[3].s[0]).u32;
        if (d > md->size || n > md->size - d || s > ms->size || n > ms->size - s)
            TRAP(RT_TRAP_MEMORY_OOB);
        memmove(md->data + d, ms->data + s, n);
        ip += 4;
        NEXT();
    }
    CASE(WELD_OP_MEMORY_INIT) {
        const weld_data *seg = &inst->mod->ast->datas[S0];
        weld_rt_memory *m = inst->mems[S1];
        uint64_t d = (m->limits.flags & WELD_LIMITS_64) ? R(T0).u64 : R(T0).u32;
        uint64_t s = R(T1).u32, n = R(ip[3].s[0]).u32;
        uint64_t len = inst->data_dropped[S0] ? 0 : seg->len;
        if (s + n > len || d > m->size || n > m->size - d) TRAP(RT_TRAP_MEMORY_OOB);
        if (n) memcpy(m->data + d, seg->bytes + s, n);
        ip += 4;
        NEXT();
    }
    CASE(WELD_OP_DATA_DROP) inst->data_dropped[S0] = true; ip += 2; NEXT();

    CASE(WELD_OP_REF_NULL) R(S0).u64 = 0; ip += 2; NEXT();
    CASE(WELD_OP_REF_IS_NULL) R(S1).u64 = R(S0).u64 == 0; ip += 2; NEXT();
    CASE(WELD_OP_REF_FUNC) R(S1).u64 = (uint64_t)(uintptr_t)inst->funcs[S0]; ip += 2; NEXT();
    CASE(WELD_OP_TABLE_GET) {
        weld_rt_table *t = inst->tables[S0];
        uint32_t i = R(S1).u32;
        if (i >= t->size) TRAP(RT_TRAP_TABLE_OOB);
        R(T0).u64 = t->elems[i];
        ip += 3;
        NEXT();
    }
    CASE(WELD_OP_TABLE_SET) {
        weld_rt_table *t = inst->tables[S0];
        uint32_t i = R(S1).u32;
        if (i >= t->size) TRAP(RT_TRAP_TABLE_OOB);
        t->elems[i] = R(T0).u64;
        ip += 3;
        NEXT();
    }
    CASE(WELD_OP_TABLE_SIZE) R(S1).u64 = inst->tables[S0]->size; ip += 2; NEXT();
    CASE(WELD_OP_TABLE_GROW) {
        int64_t old = rt_table_grow(e, inst->tables[S0], R(T0).u32, R(S1).u64);
        R(T1).u64 = (uint32_t)(int32_t)old;
        ip += 3;
        NEXT();
    }
    CASE(WELD_OP_TABLE_FILL) {
        weld_rt_table *t = inst->tables[S0];
        uint64_t d = R(T0).u32, n = R(ip[3].s[0]).u32;
        uint64_t v = R(T1).u64;
        if (d + n > t->size) TRAP(RT_TRAP_TABLE_OOB);
        for (uint64_t k = 0; k < n; k++) t->elems[d + k] = v;
        ip += 4;
        NEXT();
    }
    CASE(WELD_OP_TABLE_COPY) {
        weld_rt_table *td = inst->tables[S0], *ts = inst->tables[S1];
        uint64_t d = R(T0).u32, s = R(T1).u32, n = R(ip[3].s[0]).u32;
        if (d + n > td->size || s + n > ts->size) TRAP(RT_TRAP_TABLE_OOB);
        memmove(td->elems + d, ts->elems + s, n * sizeof *td->elems);
        ip += 4;
        NEXT();
    }
    CASE(WELD_OP_TABLE_INIT) {
        weld_rt_table *t = inst->tables[S1];
        uint64_t d = R(T0).u32, s = R(T1).u32, n = R(ip[3].s[0]).u32;
        uint64_t len = inst->elems[S0] ? inst->elem_lens[S0] : 0;
        if (s + n > len || d + n > t->size) TRAP(RT_TRAP_TABLE_OOB);
        if (n) memcpy(t->elems + d, inst->elems[S0] + s, n * sizeof *t->elems);
        ip += 4;
        NEXT();
    }
    CASE(WELD_OP_ELEM_DROP) inst->elems[S0] = NULL; ip += 2; NEXT();

#include "rt/exec_numeric.inc"
#include "rt/exec_simd.inc"
#include "rt/exec_exn.inc"

    /* Tail calls (do_tail_call). Their handlers stay last: placed among the call handlers
     * they moved the hot handlers of other loops and slowed them (crc32 by half). */
    CASE(RT_RETURN_CALL)
        f = inst->funcs[S0];
        base = S1;
        ip += 2;
        goto do_tail_call;
    CASE(RT_RETURN_CALL_INDIRECT)
        INDIRECT_CALLEE();
        base = T1;
        ip += 3;
        goto do_tail_call;
#undef INDIRECT_CALLEE

#if !RT_COMPUTED_GOTO
    default:
        TRAP(RT_TRAP_UNSUPPORTED);
#endif
    }

do_call:
    if (f->host) {
        /* host functions take 64-bit slots (a v128 in two): the arguments are packed into
         * the stack past the frame's values, the results unpacked from there */
        weld_rt_host_call hc = {e, inst, NULL};
        uint32_t saved_sp = e->sp, saved_nf = e->nframes;
        const weld_functype *ht = f->type;
        uint32_t np = ht->nparams, nr = ht->nresults;
        rt_slot *args = fp + base;
        if ((uint64_t)(stack_end - args) < 2 * ((uint64_t)np + nr) + 16) TRAP(RT_TRAP_EXHAUSTED);
        uint64_t *pa = (uint64_t *)(args + np + nr), *pr = (uint64_t *)(args + 2 * np + nr);
        for (uint32_t i = 0, k = 0; i < np; i++) {
            memcpy(pa + k, &args[i], 8);
            if (ht->params[i] == WELD_V128) memcpy(pa + k + 1, (const uint8_t *)&args[i] + 8, 8);
            k += ht->params[i] == WELD_V128 ? 2 : 1;
        }
        e->sp = (uint32_t)(args - e->stack) + 2 * (np + nr);
        e->nframes = nf;
        e->fuel = fuel;
        weld_status st = f->host(f->ctx, &hc, pa, pr);
        fuel = e->fuel;
        e->sp = saved_sp;
        e->nframes = saved_nf;
        if (st) {
            if (st == WELD_ERR_EXCEPTION && e->exn) { /* thrown by (or through) the host */
                if (!ip) goto done_host_exn; /* the host function is the run's entry */
                e->raising = e->exn;
                e->exn = NULL;
                TRAP(RT_TRAP_RAISE);
            }
            snprintf(e->host_trap, sizeof e->host_trap, "%s", hc.trap ? hc.trap : "host function failed");
            TRAP(RT_TRAP_HOST);
        }
        for (uint32_t i = 0, k = 0; i < nr; i++) {
            bool wide = ht->results[i] == WELD_V128;
            memset(&args[i], 0, sizeof args[i]);
            memcpy(&args[i], pr + k, wide ? 16 : 8);
            k += wide ? 2 : 1;
        }
        RELOAD_MEM();
        if (!ip) goto done_host;
        NEXT();
    }
    {
        const rt_code *c = f->code;
        rt_slot *nfp = fp + base;
        if (nf >= maxf || (uint64_t)(stack_end - nfp) < c->frame_size) TRAP(RT_TRAP_EXHAUSTED);
        frames[nf].ip = ip;
        frames[nf].fp = fp;
        frames[nf].func = func;
        nf++;
        fp = nfp;
        memset(fp + c->nparams, 0, (size_t)(c->nlocals - c->nparams) * sizeof *fp);
        if (c->nconsts) memcpy(fp + c->nlocals, c->consts, (size_t)c->nconsts * sizeof *fp);
        func = f;
        if (f->inst != inst) {
            inst = f->inst;
            RELOAD_MEM();
        }
        ip = c->cells;
        NEXT();
    }

    /* A tail call: the callee's parameters move down to the start of the current frame,
     * which is popped; the call then pushes the callee's frame in its place, so neither
     * stack grows. A host callee is called as by RT_CALL: the compiler follows the tail
     * call with the code returning its results. */
do_tail_call: COLD_LABEL;
    if (f->host) goto do_call;
    memmove(fp, fp + base, (size_t)f->code->nparams * sizeof *fp);
    nf--;
    base = (uint32_t)(fp - frames[nf].fp);
    ip = frames[nf].ip;
    fp = frames[nf].fp;
    func = frames[nf].func;
    goto do_call;

done_host_exn: COLD_LABEL;
    e->fuel = fuel;
    return RT_TRAP_EXCEPTION;
trapped: COLD_LABEL;
    if (trap == RT_TRAP_RAISE) { /* an exception: rt_exec unwinds and resumes the run */
        e->raise = (rt_resume){ip, fp, func, nf, fbase};
        e->fuel = fuel;
        return trap;
    }
    if (trap == RT_TRAP_EXHAUSTED && f && nf >= maxf) func = func ? func : f;
    record_backtrace(e, func ? func : f, frames + fbase, nf - fbase);
    e->fuel = fuel;
    return trap;
done:
done_host:
    e->fuel = fuel;
    return RT_TRAP_NONE;
}

const void *const *rt_handlers(void)
{
    const void *const *t = NULL;
#if RT_COMPUTED_GOTO
    run(NULL, NULL, &t);
#endif
    return t;
}

rt_trap rt_exec(weld_rt_engine *e, weld_rt_func *f)
{
    e->backtrace[0] = 0;
    for (;;) {
        rt_trap t = run(e, f, NULL);
        if (t != RT_TRAP_RAISE) return t;
        /* unwinding is kept out of the dispatch loop: the loop stays as fast */
        rt_exn *x = e->raising;
        rt_resume *r = &e->raise;
        e->raising = NULL;
        if (!unwind(e, x, r)) {
            x->escaped = true;
            e->exn = x;
            record_backtrace(e, r->func, e->frames + r->fbase, r->nf - r->fbase);
            return RT_TRAP_EXCEPTION;
        }
        f = NULL; /* resume at e->raise */
    }
}
