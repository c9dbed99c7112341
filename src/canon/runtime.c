/* runtime.c - the component runtime object: its core engine, layout cache, resource types,
 * owned objects and the trap message of the call in progress. */
#include "canon/canon.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

weld_crt *weld_crt_new(const weld_rt_limits *limits)
{
    weld_crt *rt = calloc(1, sizeof *rt);
    if (!rt) return NULL;
    rt->e = weld_rt_engine_new(limits);
    rt->arena = weld_arena_new();
    rt->layouts.arena = weld_arena_new();
    if (!rt->e || !rt->arena || !rt->layouts.arena) {
        weld_crt_free(rt);
        return NULL;
    }
    return rt;
}

void weld_crt_free(weld_crt *rt)
{
    if (!rt) return;
    for (crt_owned *o = rt->owned, *n; o; o = n) {
        n = o->next;
        o->free(o->p);
        free(o);
    }
    for (weld_crt_resource_type *t = rt->rtypes, *n; t; t = n) {
        n = t->next;
        free(t->name);
        free(t);
    }
    canon_layouts_free(&rt->layouts);
    weld_arena_free(rt->arena);
    weld_rt_engine_free(rt->e);
    free(rt);
}

bool crt_own(weld_crt *rt, void (*free_fn)(void *), void *p)
{
    crt_owned *o = malloc(sizeof *o);
    if (!o) return false;
    *o = (crt_owned){free_fn, p, rt->owned};
    rt->owned = o;
    return true;
}

weld_rt_engine *weld_crt_engine(weld_crt *rt) { return rt->e; }
weld_rt_engine *crt_engine(weld_crt *rt) { return rt->e; }
canon_layouts *crt_layouts(weld_crt *rt) { return &rt->layouts; }
const char *weld_crt_backtrace(const weld_crt *rt) { return rt->backtrace; }

weld_status crt_trap(weld_crt *rt, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rt->trap, sizeof rt->trap, fmt, ap);
    va_end(ap);
    return WELD_ERR_TRAP;
}

weld_crt_resource_type *weld_crt_resource_type_new(weld_crt *rt, const char *name,
                                                   weld_crt_dtor_fn dtor, void *ctx)
{
    weld_crt_resource_type *t = calloc(1, sizeof *t);
    if (!t || !(t->name = strdup(name ? name : ""))) {
        free(t);
        return NULL;
    }
    t->host_dtor = dtor;
    t->host_ctx = ctx;
    t->next = rt->rtypes;
    rt->rtypes = t;
    return t;
}

const char *weld_crt_resource_type_name(const weld_crt_resource_type *t) { return t->name; }

const weld_crt_resource_type *crt_inst_resource(crt_inst *inst, const weld_tnode *res)
{
    for (crt_inst *i = inst; i; i = i->parent) {
        const void *v = pmap_get(&i->resources, res);
        if (v) return v;
    }
    return NULL;
}

crt_table *crt_inst_table(crt_inst *inst) { return &inst->table; }
