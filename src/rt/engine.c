/* engine.c - the engine (limits, stacks, ownership of every runtime object), module
 * loading, host-created functions/tables/memories/globals, growth under the limits, trap
 * messages, and calls from the embedder. */
#include "rt/rt.h"
#include "base/base.h"
#include "weld/validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const char *const trap_messages[RT_TRAP_COUNT] = {
    [RT_TRAP_NONE] = "no trap",
    [RT_TRAP_UNREACHABLE] = "unreachable",
    [RT_TRAP_DIV_ZERO] = "integer divide by zero",
    [RT_TRAP_INT_OVERFLOW] = "integer overflow",
    [RT_TRAP_INVALID_CONV] = "invalid conversion to integer",
    [RT_TRAP_MEMORY_OOB] = "out of bounds memory access",
    [RT_TRAP_TABLE_OOB] = "out of bounds table access",
    [RT_TRAP_UNDEFINED_ELEM] = "undefined element",
    [RT_TRAP_UNINIT_ELEM] = "uninitialized element",
    [RT_TRAP_INDIRECT_TYPE] = "indirect call type mismatch",
    [RT_TRAP_EXHAUSTED] = "call stack exhausted",
    [RT_TRAP_FUEL] = "all fuel consumed",
    [RT_TRAP_UNSUPPORTED] = "unsupported instruction",
    [RT_TRAP_HOST] = "host function trapped",
    [RT_TRAP_NULL_EXN] = "null exception reference",
    [RT_TRAP_EXN_NOMEM] = "out of memory for an exception",
    [RT_TRAP_EXCEPTION] = "uncaught exception",
    [RT_TRAP_RAISE] = "uncaught exception",
};

const char *rt_trap_message(rt_trap t)
{
    return t < RT_TRAP_COUNT ? trap_messages[t] : "trap";
}

weld_rt_engine *weld_rt_engine_new(const weld_rt_limits *limits)
{
    weld_rt_engine *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    if (limits) e->lim = *limits;
    if (!e->lim.max_memory_bytes || e->lim.max_memory_bytes > 65536ull * RT_PAGE)
        e->lim.max_memory_bytes = 65536ull * RT_PAGE;
    if (!e->lim.max_table_elems) e->lim.max_table_elems = 10000000;
    if (!e->lim.max_call_depth) e->lim.max_call_depth = 10000;
    if (!e->lim.stack_slots) e->lim.stack_slots = 1u << 20;
    e->fuel = e->lim.fuel ? e->lim.fuel : UINT64_MAX;
    e->arena = weld_arena_new();
    e->stack = calloc(e->lim.stack_slots, sizeof *e->stack);
    e->frames = calloc((size_t)e->lim.max_call_depth + 1, sizeof *e->frames);
    if (!e->arena || !e->stack || !e->frames) {
        weld_rt_engine_free(e);
        return NULL;
    }
    return e;
}

void weld_rt_engine_free(weld_rt_engine *e)
{
    if (!e) return;
    for (weld_rt_table *t = e->tables, *n; t; t = n) {
        n = t->next;
        free(t->elems);
    }
    for (weld_rt_memory *m = e->memories, *n; m; m = n) {
        n = m->next;
        munmap(m->data, m->reserved);
    }
    for (weld_rt_module *m = e->modules, *n; m; m = n) {
        n = m->next;
        weld_arena_free(m->ast->arena);
        free(m->bytes);
    }
    for (rt_exn *x = e->exns, *n; x; x = n) {
        n = x->next;
        free(x);
    }
    weld_arena_free(e->arena);
    free(e->stack);
    free(e->frames);
    free(e);
}

void weld_rt_set_fuel(weld_rt_engine *e, uint64_t fuel)
{
    e->lim.fuel = fuel;
    e->fuel = fuel ? fuel : UINT64_MAX;
}

uint64_t weld_rt_fuel_left(const weld_rt_engine *e) { return e->fuel; }

weld_status weld_rt_module_load(weld_rt_engine *e, const uint8_t *data, size_t len,
                                weld_rt_module **out, weld_diag *d)
{
    *out = NULL;
    weld_rt_module *m = weld_arena_alloc(e->arena, sizeof *m);
    uint8_t *bytes = malloc(len ? len : 1);
    weld_arena *a = weld_arena_new();
    if (!m || !bytes || !a) {
        free(bytes);
        weld_arena_free(a);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    }
    memcpy(bytes, data, len);
    weld_read_opts opts = {.skip_bodies = true};
    weld_status st = weld_module_read(a, bytes, len, &opts, &m->ast, d);
    if (!st) st = rt_compile_module(e, m, d);
    if (st) {
        weld_arena_free(a);
        free(bytes);
        return st;
    }
    m->bytes = bytes;
    m->next = e->modules;
    e->modules = m;
    *out = m;
    return WELD_OK;
}

const weld_module *weld_rt_module_ast(const weld_rt_module *m) { return m->ast; }

/* A copy of a function type in the engine's arena. */
static const weld_functype *copy_type(weld_rt_engine *e, const weld_functype *t)
{
    weld_functype *c = weld_arena_alloc(e->arena, sizeof *c);
    weld_valtype *v = weld_arena_alloc(e->arena, (size_t)t->nparams + t->nresults + 1);
    if (!c || !v) return NULL;
    if (t->nparams) memcpy(v, t->params, t->nparams);
    if (t->nresults) memcpy(v + t->nparams, t->results, t->nresults);
    *c = (weld_functype){t->nparams, t->nresults, v, v + t->nparams};
    return c;
}

weld_rt_func *weld_rt_func_new_host(weld_rt_engine *e, const weld_functype *type,
                                    weld_rt_host_fn fn, void *ctx)
{
    weld_rt_func *f = weld_arena_alloc(e->arena, sizeof *f);
    if (!f) return NULL;
    f->type = copy_type(e, type);
    if (!f->type) return NULL;
    f->host = fn;
    f->ctx = ctx;
    return f;
}

void weld_rt_trap(weld_rt_host_call *call, const char *message) { call->trap = message; }

weld_rt_memory *weld_rt_host_memory(weld_rt_host_call *call)
{
    weld_rt_instance *i = call->inst;
    if (!i || i->mod->ast->nmemories + i->mod->ast->nimported_memories == 0) return NULL;
    return i->mems[0];
}

weld_rt_table *weld_rt_table_new(weld_rt_engine *e, const weld_tabletype *type, weld_rt_ref init)
{
    if (type->limits.min > e->lim.max_table_elems) return NULL;
    weld_rt_table *t = weld_arena_alloc(e->arena, sizeof *t);
    if (!t) return NULL;
    t->type = *type;
    t->size = (uint32_t)type->limits.min;
    uint64_t max = (type->limits.flags & WELD_LIMITS_HAS_MAX) ? type->limits.max : UINT32_MAX;
    t->max = (uint32_t)(max < e->lim.max_table_elems ? max : e->lim.max_table_elems);
    t->elems = calloc(t->size ? t->size : 1, sizeof *t->elems);
    if (!t->elems) return NULL;
    for (uint32_t i = 0; i < t->size; i++) t->elems[i] = init;
    t->next = e->tables;
    e->tables = t;
    return t;
}

/* Map `bytes` of address space, inaccessible, without committing memory; NULL on failure. */
static uint8_t *reserve_range(uint64_t bytes)
{
    if (bytes > SIZE_MAX) return NULL;
    void *p = mmap(NULL, (size_t)bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Make bytes [from, to) of m's reservation readable and writable (fresh zero pages). */
static bool commit_range(weld_rt_memory *m, uint64_t from, uint64_t to)
{
    return to == from ||
           mprotect(m->data + from, (size_t)(to - from), PROT_READ | PROT_WRITE) == 0;
}

weld_rt_memory *weld_rt_memory_new(weld_rt_engine *e, const weld_limits *limits)
{
    uint64_t cap = e->lim.max_memory_bytes / RT_PAGE;
    if (limits->min > cap) return NULL;
    weld_rt_memory *m = weld_arena_alloc(e->arena, sizeof *m);
    if (!m) return NULL;
    m->limits = *limits;
    m->max_pages = (limits->flags & WELD_LIMITS_HAS_MAX) && limits->max < cap ? limits->max : cap;
    m->size = limits->min * RT_PAGE;
    /* the whole range up to the maximum at once; when the address space is short, only
     * the initial size (the memory then cannot grow) */
    m->reserved = (m->max_pages ? m->max_pages : 1) * RT_PAGE;
    m->data = reserve_range(m->reserved);
    if (!m->data) {
        m->max_pages = limits->min;
        m->reserved = (m->max_pages ? m->max_pages : 1) * RT_PAGE;
        m->data = reserve_range(m->reserved);
    }
    if (!m->data) return NULL;
    if (!commit_range(m, 0, m->size)) {
        munmap(m->data, m->reserved);
        return NULL;
    }
    m->next = e->memories;
    e->memories = m;
    return m;
}

weld_rt_global *weld_rt_global_new(weld_rt_engine *e, const weld_globaltype *type,
                                   const weld_rt_val *init)
{
    weld_rt_global *g = weld_arena_alloc(e->arena, sizeof *g);
    if (!g) return NULL;
    g->type = *type;
    if (init) memcpy(&g->val, &init->u, type->type == WELD_V128 ? 16 : 8);
    return g;
}

const weld_functype *weld_rt_func_type(const weld_rt_func *f) { return f->type; }

weld_rt_tag *weld_rt_tag_new(weld_rt_engine *e, const weld_functype *type)
{
    if (type->nresults) return NULL;
    weld_rt_tag *t = weld_arena_alloc(e->arena, sizeof *t);
    if (!t) return NULL;
    t->type = copy_type(e, type);
    t->inst = NULL;
    t->index = 0;
    return t->type ? t : NULL;
}

const weld_functype *weld_rt_tag_type(const weld_rt_tag *t) { return t->type; }

rt_exn *rt_exn_new(weld_rt_engine *e, weld_rt_tag *t, const rt_slot *vals)
{
    uint32_t n = t->type->nparams;
    rt_exn *x = e->exn_free;
    if (x && x->cap >= n) {
        e->exn_free = x->next_free;
    } else {
        x = malloc(sizeof *x + ((size_t)n + 1) * sizeof(rt_slot));
        if (!x) return NULL;
        x->cap = n;
        x->next = e->exns;
        e->exns = x;
    }
    x->tag = t;
    x->next_free = NULL;
    x->nvals = n;
    x->escaped = false;
    if (n) memcpy(x->vals, vals, (size_t)n * sizeof *vals);
    return x;
}

void rt_exn_describe(const rt_exn *x, char *buf, size_t cap)
{
    const weld_rt_tag *t = x->tag;
    if (!t->inst) {
        snprintf(buf, cap, "uncaught exception: a tag of the host");
        return;
    }
    const weld_module *m = t->inst->mod->ast;
    for (uint32_t i = 0; i < m->nexports; i++)
        if (m->exports[i].kind == WELD_EXTERN_TAG && m->exports[i].index == t->index) {
            snprintf(buf, cap, "uncaught exception: tag %u \"%.*s\"", t->index,
                     (int)(m->exports[i].name.len > 100 ? 100 : m->exports[i].name.len),
                     m->exports[i].name.ptr);
            return;
        }
    snprintf(buf, cap, "uncaught exception: tag %u", t->index);
}

weld_status weld_rt_throw(weld_rt_host_call *call, weld_rt_tag *tag, const weld_rt_val *payload,
                          uint32_t npayload)
{
    const weld_functype *t = tag->type;
    if (npayload != t->nparams) {
        call->trap = "weld_rt_throw: payload does not match the tag's type";
        return WELD_ERR_TRAP;
    }
    rt_slot vals[64];
    memset(vals, 0, sizeof vals);
    rt_slot *v = npayload <= 64 ? vals : calloc(npayload, sizeof *v);
    if (!v) {
        call->trap = "out of memory";
        return WELD_ERR_TRAP;
    }
    for (uint32_t i = 0; i < npayload; i++) {
        memset(&v[i], 0, sizeof v[i]);
        if (payload[i].type != t->params[i]) {
            if (v != vals) free(v);
            call->trap = "weld_rt_throw: payload does not match the tag's type";
            return WELD_ERR_TRAP;
        }
        memcpy(&v[i], &payload[i].u, payload[i].type == WELD_V128 ? 16 : 8);
    }
    rt_exn *x = rt_exn_new(call->e, tag, v);
    if (v != vals) free(v);
    if (!x) {
        call->trap = "out of memory";
        return WELD_ERR_TRAP;
    }
    x->escaped = true;
    call->e->exn = x;
    return WELD_ERR_EXCEPTION;
}

weld_rt_tag *weld_rt_exception_tag(const weld_rt_engine *e) { return e->exn ? e->exn->tag : NULL; }

uint32_t weld_rt_exception_payload(const weld_rt_engine *e, weld_rt_val *vals, uint32_t cap)
{
    if (!e->exn) return 0;
    const rt_exn *x = e->exn;
    for (uint32_t i = 0; i < x->nvals && i < cap; i++) {
        memset(&vals[i], 0, sizeof vals[i]);
        vals[i].type = x->tag->type->params[i];
        memcpy(&vals[i].u, &x->vals[i], vals[i].type == WELD_V128 ? 16 : 8);
    }
    return x->nvals;
}

uint8_t *weld_rt_memory_data(weld_rt_memory *m, uint64_t *len)
{
    *len = m->size;
    return m->data;
}

weld_rt_val weld_rt_global_get(const weld_rt_global *g)
{
    weld_rt_val v;
    memset(&v, 0, sizeof v);
    v.type = g->type.type;
    memcpy(&v.u, &g->val, v.type == WELD_V128 ? 16 : 8);
    return v;
}

bool rt_functype_eq(const weld_functype *a, const weld_functype *b)
{
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           (!a->nparams || memcmp(a->params, b->params, a->nparams) == 0) &&
           (!a->nresults || memcmp(a->results, b->results, a->nresults) == 0);
}

int64_t rt_memory_grow(weld_rt_engine *e, weld_rt_memory *m, uint64_t delta)
{
    (void)e;
    uint64_t old = m->size / RT_PAGE;
    if (delta > m->max_pages - old) return -1;
    if (!delta) return (int64_t)old;
    /* in place: the pages past the size were never accessible, so they are still zero */
    uint64_t nsize = (old + delta) * RT_PAGE;
    if (!commit_range(m, m->size, nsize)) return -1;
    m->size = nsize;
    return (int64_t)old;
}

int64_t rt_table_grow(weld_rt_engine *e, weld_rt_table *t, uint32_t delta, uint64_t init)
{
    (void)e;
    uint32_t old = t->size;
    if (delta > t->max - old) return -1;
    if (!delta) return old;
    uint64_t *n = realloc(t->elems, ((size_t)old + delta) * sizeof *n);
    if (!n) return -1;
    for (uint32_t i = 0; i < delta; i++) n[old + i] = init;
    t->elems = n;
    t->size = old + delta;
    return old;
}

weld_status weld_rt_call(weld_rt_engine *e, weld_rt_func *f, const weld_rt_val *args,
                         uint32_t nargs, weld_rt_val *results, uint32_t nresults, weld_diag *d)
{
    const weld_functype *t = f->type;
    if (nargs != t->nparams || nresults != t->nresults)
        return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET,
                             "the function takes %u argument(s) and returns %u result(s), "
                             "called with %u and %u", t->nparams, t->nresults, nargs, nresults);
    for (uint32_t i = 0; i < nargs; i++)
        if (args[i].type != t->params[i])
            return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET,
                                 "argument %u: expected %s", i, weld_valtype_name(t->params[i]));
    uint32_t need = (nargs > nresults ? nargs : nresults) + 1;
    if (e->lim.stack_slots - e->sp < need || e->nframes >= e->lim.max_call_depth)
        return weld_diag_set(d, WELD_ERR_TRAP, WELD_NO_OFFSET, "call stack exhausted");
    rt_slot *s = e->stack + e->sp;
    for (uint32_t i = 0; i < nargs; i++) {
        memset(&s[i], 0, sizeof s[i]);
        memcpy(&s[i], &args[i].u, args[i].type == WELD_V128 ? 16 : 8);
    }
    if (e->nframes == 0) e->fuel = e->lim.fuel ? e->lim.fuel : UINT64_MAX;
    e->exn = NULL;
    rt_trap tr = rt_exec(e, f);
    if (tr == RT_TRAP_EXCEPTION && e->exn) {
        char msg[200];
        rt_exn_describe(e->exn, msg, sizeof msg);
        return weld_diag_set(d, WELD_ERR_EXCEPTION, WELD_NO_OFFSET, "%s", msg);
    }
    if (tr) {
        return weld_diag_set(d, WELD_ERR_TRAP, WELD_NO_OFFSET, "%s",
                             tr == RT_TRAP_HOST ? e->host_trap : rt_trap_message(tr));
    }
    for (uint32_t i = 0; i < nresults; i++) {
        memset(&results[i], 0, sizeof results[i]);
        results[i].type = t->results[i];
        memcpy(&results[i].u, &s[i], results[i].type == WELD_V128 ? 16 : 8);
    }
    return WELD_OK;
}

rt_trap rt_call_slots(weld_rt_engine *e, weld_rt_func *f, const uint64_t *args, uint64_t *results)
{
    const weld_functype *t = f->type;
    uint32_t need = (t->nparams > t->nresults ? t->nparams : t->nresults) + 1;
    if (e->lim.stack_slots - e->sp < need || e->nframes >= e->lim.max_call_depth)
        return RT_TRAP_EXHAUSTED;
    rt_slot *s = e->stack + e->sp;
    for (uint32_t i = 0; i < t->nparams; i++) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].u64 = args[i];
    }
    if (e->nframes == 0) e->fuel = e->lim.fuel ? e->lim.fuel : UINT64_MAX;
    e->exn = NULL;
    rt_trap tr = rt_exec(e, f);
    if (tr) return tr;
    for (uint32_t i = 0; i < t->nresults; i++) results[i] = s[i].u64;
    return RT_TRAP_NONE;
}

const char *rt_trap_text(const weld_rt_engine *e, rt_trap t)
{
    return t == RT_TRAP_HOST ? e->host_trap : rt_trap_message(t);
}

const char *weld_rt_backtrace(const weld_rt_engine *e) { return e->backtrace; }
