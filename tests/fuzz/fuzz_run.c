/* fuzz_run.c - libFuzzer target: arbitrary bytes are loaded as a core module (read,
 * validate, compile), instantiated with every import satisfied by a stub of its type (host
 * functions returning zeros, fresh tables, memories and zero globals), and every exported
 * function is called with zero arguments, under a fuel budget and small memory, table and
 * call-depth limits. A crash, leak, out-of-bounds access or undefined behaviour is a bug;
 * traps are expected outcomes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "weld/runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static weld_status stub(void *ctx, weld_rt_host_call *call, const uint64_t *args, uint64_t *results)
{
    const weld_functype *t = ctx;
    (void)call;
    (void)args;
    for (uint32_t i = 0; i < t->nresults; i++) results[i] = 0;
    return WELD_OK;
}

static weld_rt_val zero(weld_valtype t)
{
    weld_rt_val v;
    memset(&v, 0, sizeof v);
    v.type = t;
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    weld_rt_limits lim = {0};
    lim.max_memory_bytes = 1u << 20;
    lim.max_table_elems = 10000;
    lim.max_call_depth = 200;
    lim.stack_slots = 1u << 16;
    lim.fuel = 200000;
    weld_rt_engine *e = weld_rt_engine_new(&lim);
    if (!e) return 0;
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_rt_module *m = NULL;
    weld_rt_extern *imps = NULL;
    weld_rt_instance *in = NULL;
    if (weld_rt_module_load(e, data, size, &m, &d)) goto out;
    const weld_module *ast = weld_rt_module_ast(m);
    imps = calloc(ast->nimports + 1, sizeof *imps);
    if (!imps) goto out;
    for (uint32_t i = 0; i < ast->nimports; i++) {
        const weld_externtype *t = &ast->imports[i].type;
        imps[i].kind = t->kind;
        switch (t->kind) {
        case WELD_EXTERN_FUNC:
            imps[i].u.func = weld_rt_func_new_host(e, &ast->types[t->u.func], stub,
                                                   (void *)&ast->types[t->u.func]);
            if (!imps[i].u.func) goto out;
            break;
        case WELD_EXTERN_TABLE:
            imps[i].u.table = weld_rt_table_new(e, &t->u.table, 0);
            if (!imps[i].u.table) goto out;
            break;
        case WELD_EXTERN_MEMORY:
            imps[i].u.memory = weld_rt_memory_new(e, &t->u.memory);
            if (!imps[i].u.memory) goto out;
            break;
        case WELD_EXTERN_GLOBAL: {
            weld_rt_val v = zero(t->u.global.type);
            imps[i].u.global = weld_rt_global_new(e, &t->u.global, &v);
            if (!imps[i].u.global) goto out;
            break;
        }
        default:
            goto out; /* tags: not supported by the interpreter */
        }
    }
    if (weld_rt_instantiate(e, m, imps, ast->nimports, &in, &d)) goto out;
    for (uint32_t i = 0; i < ast->nexports; i++) {
        const weld_export *x = &ast->exports[i];
        weld_rt_extern f;
        if (x->kind != WELD_EXTERN_FUNC || !weld_rt_instance_export_n(in, x->name.ptr, x->name.len, &f))
            continue;
        const weld_functype *t = weld_rt_func_type(f.u.func);
        weld_rt_val args[8], res[8];
        if (t->nparams > 8 || t->nresults > 8) continue;
        for (uint32_t k = 0; k < t->nparams; k++) args[k] = zero(t->params[k]);
        weld_rt_call(e, f.u.func, args, t->nparams, res, t->nresults, &d);
    }
out:
    free(imps);
    weld_rt_engine_free(e);
    return 0;
}
