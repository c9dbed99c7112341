/* fuzz_crt.c - libFuzzer target for the component runtime: arbitrary bytes are loaded as a
 * component (read, validate, compile its core modules), instantiated with every import
 * satisfied by the host (functions returning a default value of their result type, fresh
 * host resource types), and every exported function (top level and of exported instances)
 * is called with default arguments, under fuel and small memory, table and call-depth
 * limits. A crash, leak, out-of-bounds access or undefined behaviour is a bug; traps and
 * refusals are expected outcomes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "weld/crt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A default value of type t (zeros, empty, the first case); false when t holds a handle
 * or a type the host cannot build. */
static bool make_default(const weld_tnode *t, weld_cval *v, int depth)
{
    memset(v, 0, sizeof *v);
    if (!t || depth > 20) return false;
    t = weld_tnode_strip(t);
    v->type = t;
    switch (t->kind) {
    case WELD_TK_PRIM:
        if (t->u.prim == WELD_CV_STRING) {
            *v = weld_cval_string("fuzz");
            v->type = t;
            return v->u.str.ptr != NULL;
        }
        return t->u.prim != WELD_CV_ERROR_CONTEXT;
    case WELD_TK_LIST: return true; /* empty */
    case WELD_TK_ENUM: case WELD_TK_FLAGS: return true;
    case WELD_TK_OPTION: return true; /* none */
    case WELD_TK_RECORD:
    case WELD_TK_TUPLE:
    case WELD_TK_FIXED_LIST: {
        uint32_t n = t->kind == WELD_TK_RECORD ? t->u.record.count
                     : t->kind == WELD_TK_TUPLE ? t->u.tuple.count : t->u.list.len;
        if (n > 64) return false;
        if (t->kind == WELD_TK_FIXED_LIST && weld_cval_list_packed(t->u.list.elem)) {
            v->u.list.bytes = calloc(n ? n : 1, 8);
            v->u.list.count = n;
            return v->u.list.bytes != NULL;
        }
        v->u.list.items = calloc(n ? n : 1, sizeof *v->u.list.items);
        if (!v->u.list.items) return false;
        v->u.list.count = n;
        for (uint32_t i = 0; i < n; i++) {
            const weld_tnode *et = t->kind == WELD_TK_RECORD  ? t->u.record.fields[i].type
                                   : t->kind == WELD_TK_TUPLE ? t->u.tuple.types[i]
                                                              : t->u.list.elem;
            if (!make_default(et, &v->u.list.items[i], depth + 1)) return false;
        }
        return true;
    }
    case WELD_TK_VARIANT:
    case WELD_TK_RESULT: {
        const weld_tnode *p = t->kind == WELD_TK_VARIANT
                                  ? (t->u.variant.count ? t->u.variant.cases[0].type : NULL)
                                  : t->u.result.ok;
        if (t->kind == WELD_TK_VARIANT && !t->u.variant.count) return false;
        if (!p) return true;
        v->u.var.payload = calloc(1, sizeof *v->u.var.payload);
        return v->u.var.payload && make_default(p, v->u.var.payload, depth + 1);
    }
    default: return false; /* handles, streams, futures, maps */
    }
}

static weld_status stub(void *ctx, weld_crt_host_call *call, const weld_cval *args, uint32_t nargs,
                        weld_cval *result)
{
    (void)ctx, (void)args, (void)nargs;
    const weld_tnode *ft = weld_crt_call_type(call);
    if (!ft->u.func.result) return WELD_OK;
    if (make_default(ft->u.func.result, result, 0)) return WELD_OK;
    weld_crt_trap(call, "fuzz stub: cannot make this result");
    return WELD_ERR_TRAP;
}

/* Call the exported function `name` with default arguments (skipped when none can be made). */
static void call_named(weld_crt *rt, weld_crt_instance *in, const char *name)
{
    weld_crt_func *f = weld_crt_instance_func(in, name);
    const weld_tnode *ft = f ? weld_crt_func_type(f) : NULL;
    if (!ft || ft->u.func.nparams > 32) return;
    weld_cval args[32], res;
    bool ok = true;
    uint32_t n = ft->u.func.nparams;
    for (uint32_t p = 0; p < n; p++) ok = make_default(ft->u.func.params[p].type, &args[p], 0) && ok;
    weld_diag d;
    if (ok && !weld_crt_call(rt, f, args, n, &res, &d)) weld_cval_free(&res);
    for (uint32_t p = 0; p < n; p++) weld_cval_free(&args[p]);
}

static void call_all(weld_crt *rt, weld_crt_instance *in, const weld_tnode *ct)
{
    char name[512];
    for (uint32_t i = 0; i < ct->u.ext.nexports; i++) {
        const weld_textern *ex = &ct->u.ext.exports[i];
        if (ex->sort == WELD_EXT_FUNC && ex->name.len < sizeof name) {
            memcpy(name, ex->name.ptr, ex->name.len + 1);
            call_named(rt, in, name);
        }
        if (ex->sort != WELD_EXT_INSTANCE) continue;
        for (uint32_t k = 0; k < ex->type->u.ext.nexports; k++) {
            const weld_textern *fx = &ex->type->u.ext.exports[k];
            if (fx->sort != WELD_EXT_FUNC || (size_t)ex->name.len + fx->name.len + 2 > sizeof name) continue;
            memcpy(name, ex->name.ptr, ex->name.len);
            name[ex->name.len] = '#';
            memcpy(name + ex->name.len + 1, fx->name.ptr, fx->name.len + 1);
            call_named(rt, in, name);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    weld_rt_limits lim = {0};
    lim.max_memory_bytes = 1u << 20;
    lim.max_table_elems = 10000;
    lim.max_call_depth = 200;
    lim.stack_slots = 1u << 16;
    lim.fuel = 200000;
    weld_crt *rt = weld_crt_new(&lim);
    if (!rt) return 0;
    weld_diag d;
    weld_crt_component *c;
    weld_crt_instance *in;
    char name[512];
    if (weld_crt_component_load(rt, data, size, &c, &d)) goto out;
    const weld_tnode *ct = weld_crt_component_type(c);
    weld_crt_linker *l = weld_crt_linker_new(rt);
    if (!l) goto out;
    for (uint32_t i = 0; i < ct->u.ext.nimports; i++) {
        const weld_textern *im = &ct->u.ext.imports[i];
        if (im->name.len >= sizeof name) continue;
        memcpy(name, im->name.ptr, im->name.len + 1);
        if (im->sort == WELD_EXT_FUNC) weld_crt_linker_func(l, NULL, name, stub, NULL);
        if (im->sort == WELD_EXT_TYPE)
            weld_crt_linker_resource(l, NULL, name, weld_crt_resource_type_new(rt, name, NULL, NULL));
        if (im->sort != WELD_EXT_INSTANCE) continue;
        for (uint32_t k = 0; k < im->type->u.ext.nexports; k++) {
            const weld_textern *ex = &im->type->u.ext.exports[k];
            if (ex->sort == WELD_EXT_FUNC) weld_crt_linker_func(l, name, ex->name.ptr, stub, NULL);
            if (ex->sort == WELD_EXT_TYPE)
                weld_crt_linker_resource(l, name, ex->name.ptr,
                                         weld_crt_resource_type_new(rt, ex->name.ptr, NULL, NULL));
        }
    }
    if (weld_crt_instantiate(rt, c, l, &in, &d)) goto out;
    call_all(rt, in, ct);
out:
    weld_crt_free(rt);
    return 0;
}
