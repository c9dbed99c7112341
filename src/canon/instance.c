/* instance.c - loading and instantiating components, the canonical trampolines and calls.
 *
 * Instantiation walks a component's sections once, in order, growing one array of runtime
 * items per index space, in lock-step with the type model's spaces (weld_ctypes_get_in
 * gives the type of every entry, nested components included):
 *
 *   core func/table/memory/global  weld_rt_func / _table / _memory / _global
 *   core module                    weld_rt_module (compiled once, at load)
 *   core instance                  core_inst: a weld_rt_instance, or a bundle of exports
 *   func                           weld_crt_func: lifted core code, or a host function
 *   type                           weld_crt_resource_type for a resource, else NULL
 *   component                      comp_def: a nested definition and its enclosing env
 *   instance                       cinst: named exports
 *
 * Every canon definition is resolved here into a trampoline that holds what a call needs
 * (callee, options, types, flattened signatures), so a call looks nothing up by name. */
#include "canon/canon.h"
#include "weld/validate.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- runtime items -------------------------------------------------------------- */

typedef struct core_inst {
    weld_rt_instance *inst;  /* an instantiated module, or NULL for a bundle */
    uint32_t n;
    const weld_str *names;   /* bundle exports */
    weld_rt_extern *items;
} core_inst;

typedef struct cexport {
    weld_str name;
    uint8_t sort;            /* WELD_EXT_* */
    void *item;
} cexport;

typedef struct cinst {
    uint32_t n;
    cexport *v;
} cinst;

typedef struct env env;
typedef struct comp_def {
    const weld_component *c;
    env *outer;              /* where it was defined (outer aliases resolve there) */
} comp_def;

struct env {
    env *parent;
    const weld_component *c;
    crt_inst *inst;
    void **sp[WELD_TS_COUNT];
    uint32_t n[WELD_TS_COUNT], cap[WELD_TS_COUNT];
    cexport *exports;
    uint32_t nexports, capexports;
    const cinst *args;       /* the instantiation's arguments, by import name */
};

enum { FN_LIFTED, FN_HOST };

struct weld_crt_func {
    uint8_t kind;
    weld_crt *rt;
    const weld_tnode *type;
    /* lifted */
    weld_rt_func *core;
    canon_opts opts;
    /* host */
    weld_crt_host_fn fn;
    void *ctx;
};

struct weld_crt_component {
    weld_crt *rt;
    weld_arena *arena;
    uint8_t *bytes;
    weld_component *c;
    weld_ctypes *model;
    pmap modules;            /* const weld_nested_module * -> weld_rt_module */
};

struct weld_crt_instance {
    weld_crt_component *comp;
    crt_inst *inst;
    env *root;
};

struct weld_crt_host_call {
    weld_crt *rt;
    const weld_tnode *type;
};

/* The lowering of a component function into a core function. */
typedef struct lower_tramp {
    weld_crt *rt;
    weld_crt_func *callee;
    const weld_tnode *type;  /* the caller's view of the function type */
    canon_opts opts;         /* the caller's options */
} lower_tramp;

typedef struct res_tramp {
    weld_crt *rt;
    crt_inst *inst;
    const weld_crt_resource_type *type;
} res_tramp;

/* ---- the linker ---------------------------------------------------------------------- */

enum { DEF_FUNC, DEF_RESOURCE, DEF_INSTANCE };
typedef struct ldef {
    uint8_t kind;
    char *instance, *name;
    weld_crt_host_fn fn;
    void *ctx;
    weld_crt_resource_type *rtype;
    weld_crt_instance *provider;
} ldef;

struct weld_crt_linker {
    weld_crt *rt;
    ldef *v;
    uint32_t n, cap;
};

static void linker_free(void *p)
{
    weld_crt_linker *l = p;
    for (uint32_t i = 0; i < l->n; i++) {
        free(l->v[i].instance);
        free(l->v[i].name);
    }
    free(l->v);
    free(l);
}

weld_crt_linker *weld_crt_linker_new(weld_crt *rt)
{
    weld_crt_linker *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->rt = rt;
    if (!crt_own(rt, linker_free, l)) {
        free(l);
        return NULL;
    }
    return l;
}

static weld_status linker_add(weld_crt_linker *l, ldef def, const char *instance, const char *name)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 64;
        ldef *v = realloc(l->v, cap * sizeof *v);
        if (!v) return WELD_ERR_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    def.instance = strdup(instance ? instance : "");
    def.name = strdup(name ? name : "");
    if (!def.instance || !def.name) {
        free(def.instance);
        free(def.name);
        return WELD_ERR_NOMEM;
    }
    l->v[l->n++] = def;
    return WELD_OK;
}

weld_status weld_crt_linker_func(weld_crt_linker *l, const char *instance, const char *name,
                                 weld_crt_host_fn fn, void *ctx)
{
    return linker_add(l, (ldef){.kind = DEF_FUNC, .fn = fn, .ctx = ctx}, instance, name);
}

weld_status weld_crt_linker_resource(weld_crt_linker *l, const char *instance, const char *name,
                                     weld_crt_resource_type *t)
{
    return linker_add(l, (ldef){.kind = DEF_RESOURCE, .rtype = t}, instance, name);
}

weld_status weld_crt_linker_instance(weld_crt_linker *l, const char *instance,
                                     weld_crt_instance *provider)
{
    return linker_add(l, (ldef){.kind = DEF_INSTANCE, .provider = provider}, instance, NULL);
}

/* Semantic versions: "major.minor.patch[-pre][+build]". */
typedef struct semver {
    uint64_t v[3];
    bool pre;
} semver;

static bool parse_semver(const char *s, size_t n, semver *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    for (int k = 0; k < 3; k++) {
        if (i >= n || s[i] < '0' || s[i] > '9') return false;
        while (i < n && s[i] >= '0' && s[i] <= '9') out->v[k] = out->v[k] * 10 + (uint64_t)(s[i++] - '0');
        if (k < 2) {
            if (i >= n || s[i] != '.') return false;
            i++;
        }
    }
    if (i < n && s[i] == '-') out->pre = true;
    else if (i < n && s[i] != '+') return false;
    return true;
}

/* Does an import named `want` bind to a definition named `have`? 0: no; 2: exactly; 1: a
 * semver-compatible version of the same interface. */
static int name_match(const char *want, size_t wn, const char *have)
{
    size_t hn = strlen(have);
    if (wn == hn && !memcmp(want, have, wn)) return 2;
    const char *wa = memchr(want, '@', wn), *ha = strchr(have, '@');
    if (!wa || !ha || (size_t)(wa - want) != (size_t)(ha - have) || memcmp(want, have, (size_t)(wa - want)))
        return 0;
    semver a, b;
    if (!parse_semver(wa + 1, wn - (size_t)(wa - want) - 1, &a) ||
        !parse_semver(ha + 1, hn - (size_t)(ha - have) - 1, &b) || a.pre || b.pre)
        return 0;
    if (a.v[0] != b.v[0]) return 0;
    if (a.v[0] > 0) return 1;
    if (a.v[1] != b.v[1]) return 0;
    return a.v[1] > 0 ? 1 : 0;
}

/* The best definition of kind `kind` for (instance, name): exact names first. */
static const ldef *linker_find(const weld_crt_linker *l, uint8_t kind, weld_str instance,
                               weld_str name)
{
    const ldef *best = NULL;
    int best_score = 0;
    if (!l) return NULL;
    for (uint32_t i = 0; i < l->n; i++) {
        const ldef *d = &l->v[i];
        if (d->kind != kind) continue;
        int s = instance.len || d->instance[0] ? name_match(instance.ptr, instance.len, d->instance) : 2;
        if (!s) continue;
        if (kind != DEF_INSTANCE && (strlen(d->name) != name.len || memcmp(d->name, name.ptr, name.len)))
            continue;
        if (s > best_score) {
            best = d;
            best_score = s;
        }
    }
    return best;
}

/* ---- helpers --------------------------------------------------------------------------- */

static weld_status nomem(weld_diag *d)
{
    return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
}


static weld_status env_push(env *e, int space, void *item)
{
    if (e->n[space] == e->cap[space]) {
        uint32_t cap = e->cap[space] ? e->cap[space] * 2 : 16;
        void **v = realloc(e->sp[space], cap * sizeof *v);
        if (!v) return WELD_ERR_NOMEM;
        e->sp[space] = v;
        e->cap[space] = cap;
    }
    e->sp[space][e->n[space]++] = item;
    return WELD_OK;
}

static void env_free(void *p)
{
    env *e = p;
    for (int i = 0; i < WELD_TS_COUNT; i++) free(e->sp[i]);
    free(e->exports);
    free(e);
}

static void inst_free(void *p)
{
    crt_inst *i = p;
    crt_table_free(&i->table);
    pmap_free(&i->resources);
    free(i);
}

/* Objects that live as long as the runtime come from its arena. */
static void *arena(weld_crt *rt, size_t n) { return weld_arena_alloc(rt->arena, n); }

static const char *sort_name(uint8_t sort)
{
    switch (sort) {
    case WELD_EXT_MODULE: return "core module";
    case WELD_EXT_FUNC: return "func";
    case WELD_EXT_VALUE: return "value";
    case WELD_EXT_TYPE: return "type";
    case WELD_EXT_COMPONENT: return "component";
    case WELD_EXT_INSTANCE: return "instance";
    default: return "item";
    }
}

static int space_of_ext(uint8_t sort)
{
    switch (sort) {
    case WELD_EXT_MODULE: return WELD_TS_CORE_MODULE;
    case WELD_EXT_FUNC: return WELD_TS_FUNC;
    case WELD_EXT_VALUE: return WELD_TS_VALUE;
    case WELD_EXT_TYPE: return WELD_TS_TYPE;
    case WELD_EXT_COMPONENT: return WELD_TS_COMPONENT;
    case WELD_EXT_INSTANCE: return WELD_TS_INSTANCE;
    default: return -1;
    }
}

static uint8_t ext_of_space(int space)
{
    switch (space) {
    case WELD_TS_CORE_MODULE: return WELD_EXT_MODULE;
    case WELD_TS_FUNC: return WELD_EXT_FUNC;
    case WELD_TS_VALUE: return WELD_EXT_VALUE;
    case WELD_TS_TYPE: return WELD_EXT_TYPE;
    case WELD_TS_COMPONENT: return WELD_EXT_COMPONENT;
    default: return WELD_EXT_INSTANCE;
    }
}

static bool str_is(weld_str a, const char *b, size_t n) { return a.len == n && !memcmp(a.ptr, b, n); }

static const cexport *cinst_find(const cinst *ci, const char *name, size_t n)
{
    for (uint32_t i = 0; i < ci->n; i++)
        if (str_is(ci->v[i].name, name, n)) return &ci->v[i];
    return NULL;
}

/* ---- loading --------------------------------------------------------------------------- */

static void component_free(void *p)
{
    weld_crt_component *c = p;
    weld_ctypes_free(c->model);
    pmap_free(&c->modules);
    weld_arena_free(c->arena);
    free(c->bytes);
    free(c);
}

typedef struct load_cx {
    weld_crt_component *comp;
    weld_diag *d;
    weld_status st;
} load_cx;

static bool compile_module(const weld_walk_item *it, void *ud)
{
    load_cx *lc = ud;
    if (!it->module) return true;
    weld_rt_module *m;
    weld_status st = weld_rt_module_load(lc->comp->rt->e, it->module->data, it->module->len, &m, lc->d);
    if (st) {
        if (lc->d && lc->d->offset != WELD_NO_OFFSET) lc->d->offset += it->module->offset;
        lc->st = st;
        return false;
    }
    if (!pmap_put(&lc->comp->modules, it->module, m)) {
        lc->st = nomem(lc->d);
        return false;
    }
    return true;
}

weld_status weld_crt_component_load(weld_crt *rt, const uint8_t *data, size_t len,
                                    weld_crt_component **out, weld_diag *d)
{
    *out = NULL;
    if (!weld_is_component(data, len))
        return weld_diag_set(d, WELD_ERR_USAGE, 0, "not a component (a core module?)");
    weld_crt_component *c = calloc(1, sizeof *c);
    if (!c) return nomem(d);
    c->rt = rt;
    c->arena = weld_arena_new();
    c->bytes = malloc(len ? len : 1);
    if (!c->arena || !c->bytes) {
        component_free(c);
        return nomem(d);
    }
    memcpy(c->bytes, data, len);
    weld_status st = weld_component_read(c->arena, c->bytes, len, NULL, &c->c, d);
    /* every rule of the component; each nested core module is validated once, by the
     * compiler below (weld_rt_module_load validates as it compiles) */
    weld_ctypes_opts o = {.validate = true, .skip_module_bodies = true};
    if (!st) st = weld_ctypes_build(c->c, &o, &c->model, d);
    if (!st) {
        load_cx lc = {c, d, WELD_OK};
        weld_component_walk(c->c, compile_module, &lc);
        st = lc.st;
    }
    if (!st && !crt_own(rt, component_free, c)) st = nomem(d);
    if (st) {
        component_free(c);
        return st;
    }
    *out = c;
    return WELD_OK;
}

const weld_tnode *weld_crt_component_type(const weld_crt_component *c)
{
    return weld_ctypes_self(c->model);
}

/* ---- calls ----------------------------------------------------------------------------- */

/* Run a core function on 64-bit slots (the host-call convention). */
static weld_status core_call(weld_crt *rt, weld_rt_func *f, const uint64_t *args, uint64_t *results)
{
    rt_trap tr = rt_call_slots(rt->e, f, args, results);
    if (!tr) return WELD_OK;
    size_t used = strlen(rt->backtrace);
    snprintf(rt->backtrace + used, sizeof rt->backtrace - used, "%s", weld_rt_backtrace(rt->e));
    return crt_trap(rt, "%s", rt_trap_text(rt->e, tr));
}

static weld_status scope_finish(weld_crt *rt, crt_scope *s, weld_status st)
{
    const char *msg = crt_scope_end(s);
    free(s->lenders);
    rt->scope = s->parent;
    if (!st && msg) st = crt_trap(rt, "%s", msg);
    return st;
}

/* A lifted function called with core values already lowered into its instance (by the host
 * path or a fused trampoline): enter, run, and leave `results` for the caller to lift;
 * post-return is the caller's to run (after lifting) through finish_lifted. */
static weld_status enter(weld_crt *rt, weld_crt_func *f)
{
    crt_inst *ci = f->opts.inst;
    if (!ci->may_enter)
        return crt_trap(rt, "canonical ABI: cannot reenter component instance `%s` (a call into "
                        "it is still running)", ci->name ? ci->name : "");
    ci->may_enter = false;
    return WELD_OK;
}

static weld_status finish_lifted(weld_crt *rt, weld_crt_func *f, const uint64_t *core_results,
                                 uint32_t nresults, weld_status st)
{
    crt_inst *ci = f->opts.inst;
    if (!st && f->opts.post_return) {
        ci->may_leave = false;
        uint64_t none[1];
        uint64_t args[1] = {nresults ? core_results[0] : 0};
        st = core_call(rt, f->opts.post_return, args, none);
        ci->may_leave = true;
    }
    ci->may_enter = true;
    return st;
}

static weld_status host_invoke(weld_crt *rt, weld_crt_func *f, const weld_cval *args,
                               uint32_t nargs, weld_cval *result)
{
    weld_crt_host_call hc = {rt, f->type};
    rt->trap[0] = 0;
    weld_status st = f->fn(f->ctx, &hc, args, nargs, result);
    if (st) {
        if (f->type->u.func.result) canon_cval_free_as(result, f->type->u.func.result);
        else weld_cval_free(result);
        if (!rt->trap[0]) crt_trap(rt, "host function failed (%s)", weld_status_name(st));
        return WELD_ERR_TRAP;
    }
    return WELD_OK;
}

/* The core function a lowered import becomes. */
static weld_status lower_call(void *ctx, weld_rt_host_call *hcall, const uint64_t *args,
                              uint64_t *results)
{
    lower_tramp *lt = ctx;
    weld_crt *rt = lt->rt;
    weld_crt_func *f = lt->callee;
    weld_status st;
    if (!lt->opts.inst->may_leave) {
        crt_trap(rt, "canonical ABI: cannot leave component instance `%s` here (during "
                 "post-return or realloc)", lt->opts.inst->name ? lt->opts.inst->name : "");
        weld_rt_trap(hcall, rt->trap);
        return WELD_ERR_TRAP;
    }
    crt_scope scope = {.inst = f->kind == FN_LIFTED ? f->opts.inst : NULL, .parent = rt->scope};
    rt->scope = &scope;
    canon_cx from = {rt, &lt->opts, &scope, false};
    if (f->kind == FN_HOST) {
        uint32_t np = f->type->u.func.nparams;
        weld_cval vals[64], res;
        weld_cval *v = np <= 64 ? vals : calloc(np, sizeof *v);
        memset(&res, 0, sizeof res);
        if (!v) st = crt_trap(rt, "out of memory");
        else {
            memset(v, 0, sizeof *v * np);
            st = canon_lift_params(&from, lt->type, args, v);
            if (!st) st = host_invoke(rt, f, v, np, &res);
            if (!st && lt->type->u.func.result)
                st = canon_lower_result(&from, lt->type, &res, args, results);
            for (uint32_t i = 0; i < np; i++) weld_cval_free(&v[i]);
            /* the host built it: its nodes may carry no type, so free it by the result's */
            if (lt->type->u.func.result) canon_cval_free_as(&res, lt->type->u.func.result);
            else weld_cval_free(&res);
            if (v != vals) free(v);
        }
    } else {
        canon_cx to = {rt, &f->opts, &scope, true};
        uint64_t cargs[CANON_MAX_FLAT_PARAMS + 1], cres[2] = {0, 0};
        const weld_functype *ct = weld_rt_func_type(f->core);
        st = enter(rt, f);
        if (!st) {
            st = canon_transfer_params(&from, lt->type, &to, f->type, args, cargs);
            if (!st) st = core_call(rt, f->core, cargs, cres);
            if (!st) st = canon_transfer_result(&to, f->type, &from, lt->type, cres, args, results);
            st = finish_lifted(rt, f, cres, ct->nresults, st);
        }
    }
    st = scope_finish(rt, &scope, st);
    if (st) {
        weld_rt_trap(hcall, rt->trap);
        return WELD_ERR_TRAP;
    }
    return WELD_OK;
}

weld_status weld_crt_call(weld_crt *rt, weld_crt_func *f, const weld_cval *args, uint32_t nargs,
                          weld_cval *result, weld_diag *d)
{
    const weld_tnode *ft = f->type;
    if (nargs != ft->u.func.nparams)
        return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET,
                             "the function takes %u argument(s), called with %u",
                             ft->u.func.nparams, nargs);
    if (result) memset(result, 0, sizeof *result);
    weld_cval scratch;
    if (!result) result = &scratch;
    memset(result, 0, sizeof *result);
    if (!rt->scope) rt->backtrace[0] = 0;
    weld_status st;
    if (f->kind == FN_HOST) {
        st = host_invoke(rt, f, args, nargs, result);
    } else {
        crt_scope scope = {.inst = f->opts.inst, .parent = rt->scope};
        rt->scope = &scope;
        canon_cx cx = {rt, &f->opts, &scope, true};
        uint64_t cargs[CANON_MAX_FLAT_PARAMS + 1], cres[2] = {0, 0};
        const weld_functype *ct = weld_rt_func_type(f->core);
        st = enter(rt, f);
        if (!st) {
            st = canon_lower_params(&cx, ft, args, cargs);
            if (!st) st = core_call(rt, f->core, cargs, cres);
            if (!st && ft->u.func.result) st = canon_lift_result(&cx, ft, cres, result);
            st = finish_lifted(rt, f, cres, ct->nresults, st);
        }
        st = scope_finish(rt, &scope, st);
    }
    if (result == &scratch) weld_cval_free(&scratch);
    if (st) {
        if (result != &scratch) weld_cval_free(result);
        return weld_diag_set(d, st == WELD_ERR_NOMEM ? st : WELD_ERR_TRAP, WELD_NO_OFFSET, "%s",
                             rt->trap[0] ? rt->trap : "trap");
    }
    return WELD_OK;
}

void weld_crt_trap(weld_crt_host_call *call, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(call->rt->trap, sizeof call->rt->trap, fmt, ap);
    va_end(ap);
}

const weld_tnode *weld_crt_call_type(const weld_crt_host_call *call) { return call->type; }
weld_crt *weld_crt_call_runtime(const weld_crt_host_call *call) { return call->rt; }
const weld_tnode *weld_crt_func_type(const weld_crt_func *f) { return f->type; }

/* ---- resource built-ins ------------------------------------------------------------------ */

static weld_status host_trap(weld_rt_host_call *hc, weld_crt *rt)
{
    weld_rt_trap(hc, rt->trap);
    return WELD_ERR_TRAP;
}

static weld_status resource_new(void *ctx, weld_rt_host_call *hc, const uint64_t *args,
                                uint64_t *results)
{
    res_tramp *t = ctx;
    crt_handle h = {.rt = t->type, .rep = (uint32_t)args[0], .used = true, .own = true};
    uint32_t i = crt_table_add(&t->inst->table, h);
    if (!i) {
        crt_trap(t->rt, "resource.new: out of memory");
        return host_trap(hc, t->rt);
    }
    results[0] = i;
    return WELD_OK;
}

static crt_handle *handle_of(res_tramp *t, uint32_t i, const char *what)
{
    crt_handle *h = crt_table_get(&t->inst->table, i);
    if (!h) {
        crt_trap(t->rt, "canonical ABI: %s: unknown handle index %u", what, i);
        return NULL;
    }
    if (h->rt != t->type) {
        crt_trap(t->rt, "canonical ABI: %s: handle index %u is a `%s` resource, expected `%s`",
                 what, i, h->rt->name, t->type->name);
        return NULL;
    }
    return h;
}

static weld_status resource_rep(void *ctx, weld_rt_host_call *hc, const uint64_t *args,
                                uint64_t *results)
{
    res_tramp *t = ctx;
    crt_handle *h = handle_of(t, (uint32_t)args[0], "resource.rep");
    if (!h) return host_trap(hc, t->rt);
    results[0] = h->rep;
    return WELD_OK;
}

/* Drop handle i of inst's table as resource.drop does; the destructor runs for an own. */
static weld_status drop_handle(weld_crt *rt, crt_inst *inst, const weld_crt_resource_type *type,
                               uint32_t i)
{
    res_tramp t = {rt, inst, type};
    crt_handle *h = handle_of(&t, i, "resource.drop");
    if (!h) return WELD_ERR_TRAP;
    crt_handle copy = *h;
    if (copy.own && copy.lends)
        return crt_trap(rt, "canonical ABI: resource.drop: own handle %u has %u outstanding "
                        "borrow(s)", i, copy.lends);
    crt_table_remove(&inst->table, i);
    if (!copy.own) {
        if (copy.scope && copy.scope->borrow_count) copy.scope->borrow_count--;
        return WELD_OK;
    }
    if (type->impl && type->dtor) {
        if (!type->impl->may_enter)
            return crt_trap(rt, "canonical ABI: cannot reenter component instance `%s` to run "
                            "the destructor of `%s`", type->impl->name ? type->impl->name : "",
                            type->name);
        uint64_t a[1] = {copy.rep}, r[1];
        return core_call(rt, type->dtor, a, r);
    }
    if (!type->impl && type->host_dtor) type->host_dtor(type->host_ctx, copy.rep);
    return WELD_OK;
}

static weld_status resource_drop(void *ctx, weld_rt_host_call *hc, const uint64_t *args,
                                 uint64_t *results)
{
    res_tramp *t = ctx;
    if (drop_handle(t->rt, t->inst, t->type, (uint32_t)args[0])) return host_trap(hc, t->rt);
    return WELD_OK;
}

weld_status weld_crt_resource_drop(weld_crt *rt, const weld_cval *own, weld_diag *d)
{
    const weld_crt_resource_type *type = own->u.res.rt;
    weld_status st = WELD_OK;
    if (!type) return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET, "not a resource value");
    if (type->impl && type->dtor) {
        uint64_t a[1] = {own->u.res.rep}, r[1];
        rt->backtrace[0] = 0;
        st = core_call(rt, type->dtor, a, r);
    } else if (!type->impl && type->host_dtor) {
        type->host_dtor(type->host_ctx, own->u.res.rep);
    }
    if (st) return weld_diag_set(d, WELD_ERR_TRAP, WELD_NO_OFFSET, "%s", rt->trap);
    return WELD_OK;
}

/* ---- instantiation ------------------------------------------------------------------- */

typedef struct icx {
    weld_crt *rt;
    weld_crt_component *comp;
    weld_diag *d;
    uint64_t off;        /* the item being instantiated, for messages */
} icx;

static weld_status fail(icx *x, weld_status st, const char *fmt, ...) WELD_PRINTF(3, 4);
static weld_status fail(icx *x, weld_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    weld_diag_vset(x->d, st, x->off, fmt, ap);
    va_end(ap);
    return st;
}

#define TRY(e)                                                                                  \
    do {                                                                                        \
        weld_status st_ = (e);                                                                  \
        if (st_) return st_;                                                                    \
    } while (0)
#define PUSH(e, space, item)                                                                    \
    do {                                                                                        \
        if (env_push((e), (space), (item))) return nomem(x->d);                                 \
    } while (0)

static const weld_tnode *type_at(icx *x, env *e, int space, uint32_t i)
{
    return weld_ctypes_get_in(x->comp->model, e->c, space, i);
}

static weld_status get_item(icx *x, env *e, int space, uint32_t i, void **out)
{
    if (i >= e->n[space])
        return fail(x, WELD_ERR_INVALID, "%s index %u out of range", weld_tspace_name(space), i);
    *out = e->sp[space][i];
    return WELD_OK;
}

/* Record that resource node `node` (of e's type space) is the runtime type `rt`. */
static weld_status bind_resource(icx *x, env *e, const weld_tnode *node, const weld_crt_resource_type *rt)
{
    if (!node || !rt) return WELD_OK;
    node = weld_tnode_strip(node);
    if (node->kind != WELD_TK_RESOURCE) return WELD_OK;
    if (!pmap_put(&e->inst->resources, node, rt)) return nomem(x->d);
    return WELD_OK;
}

/* Bind the resources an instance type exports to what the runtime instance exports. */
static weld_status bind_instance_resources(icx *x, env *e, const weld_tnode *itype, const cinst *ci)
{
    if (!itype || itype->kind != WELD_TK_INSTANCE) return WELD_OK;
    for (uint32_t k = 0; k < itype->u.ext.nexports; k++) {
        const weld_textern *ex = &itype->u.ext.exports[k];
        if (ex->sort != WELD_EXT_TYPE) continue;
        const cexport *c = cinst_find(ci, ex->name.ptr, ex->name.len);
        if (c && c->sort == WELD_EXT_TYPE) TRY(bind_resource(x, e, ex->type, c->item));
    }
    return WELD_OK;
}


static weld_status run_sections(icx *x, env *e);
static weld_status name_resource(icx *x, env *e, weld_crt_resource_type *r, weld_str name);

static weld_status new_env(icx *x, env *outer, const weld_component *c, const cinst *args,
                           const char *name, env **out)
{
    env *e = calloc(1, sizeof *e);
    if (!e || !crt_own(x->rt, env_free, e)) {
        free(e);
        return nomem(x->d);
    }
    crt_inst *ci = calloc(1, sizeof *ci);
    if (!ci || !crt_own(x->rt, inst_free, ci)) {
        free(ci);
        return nomem(x->d);
    }
    ci->rt = x->rt;
    ci->parent = outer ? outer->inst : NULL;
    ci->may_enter = ci->may_leave = true;
    ci->name = name;
    e->parent = outer;
    e->c = c;
    e->inst = ci;
    e->args = args;
    *out = e;
    return WELD_OK;
}

static weld_status instantiate_def(icx *x, const comp_def *def, const cinst *args, const char *name,
                                   cinst **out)
{
    env *e;
    TRY(new_env(x, def->outer, def->c, args, name, &e));
    TRY(run_sections(x, e));
    cinst *res = arena(x->rt, sizeof *res);
    if (!res) return nomem(x->d);
    res->n = e->nexports;
    res->v = e->exports;
    *out = res;
    return WELD_OK;
}

/* A weld_rt_extern from a core index space entry. */
static weld_status core_extern(icx *x, env *e, uint8_t core_sort, uint32_t index, weld_rt_extern *out)
{
    static const int spaces[] = {WELD_TS_CORE_FUNC, WELD_TS_CORE_TABLE, WELD_TS_CORE_MEMORY,
                                 WELD_TS_CORE_GLOBAL};
    if (core_sort > WELD_CORE_SORT_GLOBAL)
        return fail(x, WELD_ERR_UNSUPPORTED, "core sort 0x%02x is not supported by weld's runtime",
                    core_sort);
    void *item = NULL;
    TRY(get_item(x, e, spaces[core_sort], index, &item));
    out->kind = core_sort;
    out->u.func = item;
    switch (core_sort) {
    case WELD_CORE_SORT_TABLE: out->u.table = item; break;
    case WELD_CORE_SORT_MEMORY: out->u.memory = item; break;
    case WELD_CORE_SORT_GLOBAL: out->u.global = item; break;
    default: break;
    }
    return WELD_OK;
}

static bool core_inst_export(const core_inst *ci, weld_str name, weld_rt_extern *out)
{
    if (ci->inst) return weld_rt_instance_export_n(ci->inst, name.ptr, name.len, out);
    for (uint32_t i = 0; i < ci->n; i++)
        if (ci->names[i].len == name.len && !memcmp(ci->names[i].ptr, name.ptr, name.len)) {
            *out = ci->items[i];
            return true;
        }
    return false;
}

static void *extern_ptr(const weld_rt_extern *x) { return x->u.func; }

static weld_status core_instance(icx *x, env *e, const weld_core_instance *in)
{
    core_inst *ci = arena(x->rt, sizeof *ci);
    if (!ci) return nomem(x->d);
    if (in->kind == 0) {
        void *mp = NULL;
        TRY(get_item(x, e, WELD_TS_CORE_MODULE, in->module, &mp));
        weld_rt_module *m = mp;
        const weld_module *ast = weld_rt_module_ast(m);
        weld_rt_extern *imps = calloc(ast->nimports ? ast->nimports : 1, sizeof *imps);
        if (!imps) return nomem(x->d);
        weld_status st = WELD_OK;
        for (uint32_t i = 0; i < ast->nimports && !st; i++) {
            const weld_import *im = &ast->imports[i];
            const weld_core_arg *arg = NULL;
            for (uint32_t k = 0; k < in->count; k++)
                if (in->items[k].name.len == im->module.len &&
                    !memcmp(in->items[k].name.ptr, im->module.ptr, im->module.len))
                    arg = &in->items[k];
            void *ap = NULL;
            if (!arg) st = fail(x, WELD_ERR_LINK, "core instance: no argument named `%s` for the "
                                "import `%s`.`%s`", im->module.ptr, im->module.ptr, im->name.ptr);
            else st = get_item(x, e, WELD_TS_CORE_INSTANCE, arg->index, &ap);
            if (!st && !core_inst_export(ap, im->name, &imps[i]))
                st = fail(x, WELD_ERR_LINK, "core instance: the argument `%s` has no export `%s`",
                          im->module.ptr, im->name.ptr);
        }
        if (!st) {
            uint64_t off = x->off;
            st = weld_rt_instantiate(x->rt->e, m, imps, ast->nimports, &ci->inst, x->d);
            if (st && x->d && x->d->offset == WELD_NO_OFFSET) x->d->offset = off;
        }
        free(imps);
        TRY(st);
    } else {
        ci->n = in->count;
        weld_str *names = arena(x->rt, sizeof *names * (in->count ? in->count : 1));
        ci->items = arena(x->rt, sizeof *ci->items * (in->count ? in->count : 1));
        if (!names || !ci->items) return nomem(x->d);
        for (uint32_t i = 0; i < in->count; i++) {
            names[i] = in->items[i].name;
            TRY(core_extern(x, e, in->items[i].sort, in->items[i].index, &ci->items[i]));
        }
        ci->names = names;
    }
    PUSH(e, WELD_TS_CORE_INSTANCE, ci);
    return WELD_OK;
}

static weld_status instance(icx *x, env *e, const weld_instance *in)
{
    cinst *res = NULL;
    if (in->kind == 0) {
        void *dp = NULL;
        TRY(get_item(x, e, WELD_TS_COMPONENT, in->component, &dp));
        cinst *args = arena(x->rt, sizeof *args);
        cexport *v = arena(x->rt, sizeof *v * (in->count ? in->count : 1));
        if (!args || !v) return nomem(x->d);
        for (uint32_t i = 0; i < in->count; i++) {
            int space = weld_tspace_of(in->items[i].item.sort);
            if (space < 0) return fail(x, WELD_ERR_INVALID, "unknown sort in instantiation argument");
            v[i].name = in->items[i].name.name;
            v[i].sort = ext_of_space(space);
            TRY(get_item(x, e, space, in->items[i].item.index, &v[i].item));
        }
        args->n = in->count;
        args->v = v;
        char *name = arena(x->rt, 32);
        if (!name) return nomem(x->d);
        snprintf(name, 32, "instance %u", e->n[WELD_TS_INSTANCE]);
        TRY(instantiate_def(x, dp, args, name, &res));
    } else {
        res = arena(x->rt, sizeof *res);
        cexport *v = arena(x->rt, sizeof *v * (in->count ? in->count : 1));
        if (!res || !v) return nomem(x->d);
        for (uint32_t i = 0; i < in->count; i++) {
            int space = weld_tspace_of(in->items[i].item.sort);
            if (space < 0) return fail(x, WELD_ERR_INVALID, "unknown sort in instance export");
            v[i].name = in->items[i].name.name;
            v[i].sort = ext_of_space(space);
            TRY(get_item(x, e, space, in->items[i].item.index, &v[i].item));
            if (space == WELD_TS_TYPE && v[i].item) TRY(name_resource(x, e, v[i].item, v[i].name));
        }
        res->n = in->count;
        res->v = v;
    }
    TRY(bind_instance_resources(x, e, type_at(x, e, WELD_TS_INSTANCE, e->n[WELD_TS_INSTANCE]), res));
    PUSH(e, WELD_TS_INSTANCE, res);
    return WELD_OK;
}

static weld_status alias(icx *x, env *e, const weld_alias *al)
{
    int space = weld_tspace_of(al->sort);
    if (space < 0) return fail(x, WELD_ERR_INVALID, "unknown sort in alias");
    void *item = NULL;
    if (al->tag == 0) {
        void *ip = NULL;
        TRY(get_item(x, e, WELD_TS_INSTANCE, al->instance, &ip));
        const cexport *c = cinst_find(ip, al->name.ptr, al->name.len);
        if (!c) return fail(x, WELD_ERR_LINK, "instance %u has no export `%s`", al->instance, al->name.ptr);
        item = c->item;
    } else if (al->tag == 1) {
        void *cp = NULL;
        TRY(get_item(x, e, WELD_TS_CORE_INSTANCE, al->instance, &cp));
        weld_rt_extern ex;
        if (!core_inst_export(cp, al->name, &ex))
            return fail(x, WELD_ERR_LINK, "core instance %u has no export `%s`", al->instance, al->name.ptr);
        item = extern_ptr(&ex);
    } else {
        env *o = e;
        for (uint32_t k = 0; k < al->instance && o; k++) o = o->parent;
        if (!o) return fail(x, WELD_ERR_INVALID, "outer alias count %u out of range", al->instance);
        TRY(get_item(x, o, space, al->index, &item));
    }
    uint32_t at = e->n[space];
    if (space == WELD_TS_TYPE) TRY(bind_resource(x, e, type_at(x, e, space, at), item));
    if (space == WELD_TS_INSTANCE) TRY(bind_instance_resources(x, e, type_at(x, e, space, at), item));
    PUSH(e, space, item);
    return WELD_OK;
}

static weld_status deftype(icx *x, env *e)
{
    const weld_tnode *t = type_at(x, e, WELD_TS_TYPE, e->n[WELD_TS_TYPE]);
    weld_crt_resource_type *rtype = NULL;
    if (t && t->kind == WELD_TK_RESOURCE && t->u.resource.defined) {
        rtype = weld_crt_resource_type_new(x->rt, "resource", NULL, NULL);
        if (!rtype) return nomem(x->d);
        rtype->impl = e->inst;
        if (t->u.resource.has_dtor) {
            void *f = NULL;
            TRY(get_item(x, e, WELD_TS_CORE_FUNC, t->u.resource.dtor, &f));
            rtype->dtor = f;
        }
        TRY(bind_resource(x, e, t, rtype));
    }
    PUSH(e, WELD_TS_TYPE, rtype);
    return WELD_OK;
}

static weld_status canon_options(icx *x, env *e, const weld_canon *cn, canon_opts *o)
{
    memset(o, 0, sizeof *o);
    o->inst = e->inst;
    for (uint32_t i = 0; i < cn->nopts; i++) {
        const weld_canonopt *op = &cn->opts[i];
        void *item = NULL;
        switch (op->kind) {
        case 0: o->encoding = CANON_UTF8; break;
        case 1: o->encoding = CANON_UTF16; break;
        case 2: o->encoding = CANON_LATIN1_UTF16; break;
        case 3: TRY(get_item(x, e, WELD_TS_CORE_MEMORY, op->index, &item)); o->mem = item; break;
        case 4: TRY(get_item(x, e, WELD_TS_CORE_FUNC, op->index, &item)); o->realloc = item; break;
        case 5: TRY(get_item(x, e, WELD_TS_CORE_FUNC, op->index, &item)); o->post_return = item; break;
        default:
            return fail(x, WELD_ERR_UNSUPPORTED, "canonical option %u (async) is not supported by "
                        "weld's runtime", op->kind);
        }
    }
    return WELD_OK;
}

static weld_status canon(icx *x, env *e, const weld_canon *cn)
{
    weld_crt *rt = x->rt;
    const weld_tnode *core_t = NULL;
    switch (cn->op) {
    case 0x00: { /* lift */
        weld_crt_func *f = arena(rt, sizeof *f);
        void *core = NULL;
        if (!f) return nomem(x->d);
        TRY(get_item(x, e, WELD_TS_CORE_FUNC, cn->a, &core));
        f->kind = FN_LIFTED;
        f->rt = rt;
        f->core = core;
        f->type = type_at(x, e, WELD_TS_FUNC, e->n[WELD_TS_FUNC]);
        if (!f->type) return fail(x, WELD_ERR_INVALID, "canon lift: no function type");
        TRY(canon_options(x, e, cn, &f->opts));
        PUSH(e, WELD_TS_FUNC, f);
        return WELD_OK;
    }
    case 0x01: { /* lower */
        lower_tramp *lt = arena(rt, sizeof *lt);
        void *callee = NULL;
        if (!lt) return nomem(x->d);
        TRY(get_item(x, e, WELD_TS_FUNC, cn->a, &callee));
        if (!callee) return fail(x, WELD_ERR_LINK, "canon lower: function %u is not available", cn->a);
        lt->rt = rt;
        lt->callee = callee;
        lt->type = type_at(x, e, WELD_TS_FUNC, cn->a);
        TRY(canon_options(x, e, cn, &lt->opts));
        core_t = type_at(x, e, WELD_TS_CORE_FUNC, e->n[WELD_TS_CORE_FUNC]);
        if (!lt->type || !core_t) return fail(x, WELD_ERR_INVALID, "canon lower: no type");
        weld_rt_func *cf = weld_rt_func_new_host(rt->e, core_t->u.core.func, lower_call, lt);
        if (!cf) return nomem(x->d);
        PUSH(e, WELD_TS_CORE_FUNC, cf);
        return WELD_OK;
    }
    case 0x02: /* resource.new */
    case 0x03: /* resource.drop */
    case 0x04: /* resource.rep */ {
        res_tramp *t = arena(rt, sizeof *t);
        void *type = NULL;
        if (!t) return nomem(x->d);
        TRY(get_item(x, e, WELD_TS_TYPE, cn->a, &type));
        if (!type) return fail(x, WELD_ERR_INVALID, "type %u is not a resource type", cn->a);
        *t = (res_tramp){rt, e->inst, type};
        core_t = type_at(x, e, WELD_TS_CORE_FUNC, e->n[WELD_TS_CORE_FUNC]);
        if (!core_t) return fail(x, WELD_ERR_INVALID, "canon: no core type");
        weld_rt_host_fn fn = cn->op == 0x02 ? resource_new : cn->op == 0x03 ? resource_drop : resource_rep;
        weld_rt_func *cf = weld_rt_func_new_host(rt->e, core_t->u.core.func, fn, t);
        if (!cf) return nomem(x->d);
        PUSH(e, WELD_TS_CORE_FUNC, cf);
        return WELD_OK;
    }
    default: {
        const weld_canon_info *ci = weld_canon_info_of(cn->op);
        return fail(x, WELD_ERR_UNSUPPORTED, "canon `%s` is not supported by weld's runtime",
                    ci ? ci->name : "?");
    }
    }
}

static weld_status import_item(icx *x, env *e, const weld_cimport *im)
{
    const cexport *arg = e->args ? cinst_find(e->args, im->name.name.ptr, im->name.name.len) : NULL;
    int space = space_of_ext(im->type.kind);
    if (space < 0) return fail(x, WELD_ERR_INVALID, "unknown import sort");
    if (!arg) return fail(x, WELD_ERR_LINK, "missing import `%s` (%s)", im->name.name.ptr,
                          sort_name(im->type.kind));
    uint32_t at = e->n[space];
    if (space == WELD_TS_TYPE) TRY(bind_resource(x, e, type_at(x, e, space, at), arg->item));
    if (space == WELD_TS_INSTANCE) TRY(bind_instance_resources(x, e, type_at(x, e, space, at), arg->item));
    PUSH(e, space, arg->item);
    return WELD_OK;
}

/* A resource type defined here takes the first name it is exported under. */
static weld_status name_resource(icx *x, env *e, weld_crt_resource_type *r, weld_str name)
{
    if (r->impl != e->inst || strcmp(r->name, "resource")) return WELD_OK;
    char *n = strdup(name.ptr);
    if (!n) return nomem(x->d);
    free(r->name);
    r->name = n;
    return WELD_OK;
}

static weld_status export_item(icx *x, env *e, const weld_cexport *ex)
{
    int space = weld_tspace_of(ex->item.sort);
    if (space < 0) return fail(x, WELD_ERR_INVALID, "unknown export sort");
    void *item = NULL;
    TRY(get_item(x, e, space, ex->item.index, &item));
    uint32_t at = e->n[space];
    if (space == WELD_TS_TYPE && item) {
        TRY(name_resource(x, e, item, ex->name.name));
        TRY(bind_resource(x, e, type_at(x, e, space, at), item));
    }
    if (space == WELD_TS_INSTANCE) TRY(bind_instance_resources(x, e, type_at(x, e, space, at), item));
    PUSH(e, space, item);
    if (e->nexports == e->capexports) {
        uint32_t cap = e->capexports ? e->capexports * 2 : 8;
        cexport *v = realloc(e->exports, cap * sizeof *v);
        if (!v) return nomem(x->d);
        e->exports = v;
        e->capexports = cap;
    }
    e->exports[e->nexports++] = (cexport){ex->name.name, ext_of_space(space), item};
    return WELD_OK;
}

static weld_status start(icx *x, env *e, const weld_cstart *s)
{
    void *f = NULL;
    TRY(get_item(x, e, WELD_TS_FUNC, s->func, &f));
    if (s->nargs) return fail(x, WELD_ERR_UNSUPPORTED, "component start functions with arguments "
                              "are not supported by weld's runtime");
    weld_cval res;
    TRY(weld_crt_call(x->rt, f, NULL, 0, &res, x->d));
    weld_cval_free(&res);
    for (uint32_t i = 0; i < s->nresults; i++) PUSH(e, WELD_TS_VALUE, NULL);
    return WELD_OK;
}

static weld_status run_sections(icx *x, env *e)
{
    const weld_component *c = e->c;
    for (uint32_t s = 0; s < c->nsections; s++) {
        const weld_csection *sec = &c->sections[s];
        for (uint32_t i = 0; i < (sec->count ? sec->count : 1); i++) {
            x->off = sec->item_offsets ? sec->item_offsets[i] : sec->offset;
            switch (sec->id) {
            case WELD_CSEC_CUSTOM: break;
            case WELD_CSEC_CORE_MODULE: {
                void *m = (void *)pmap_get(&x->comp->modules, sec->u.module);
                if (!m) return fail(x, WELD_ERR_INVALID, "core module not compiled");
                PUSH(e, WELD_TS_CORE_MODULE, m);
                break;
            }
            case WELD_CSEC_CORE_INSTANCE: TRY(core_instance(x, e, &sec->u.core_instances[i])); break;
            case WELD_CSEC_CORE_TYPE: PUSH(e, WELD_TS_CORE_TYPE, NULL); break;
            case WELD_CSEC_COMPONENT: {
                comp_def *def = arena(x->rt, sizeof *def);
                if (!def) return nomem(x->d);
                def->c = sec->u.component;
                def->outer = e;
                PUSH(e, WELD_TS_COMPONENT, def);
                break;
            }
            case WELD_CSEC_INSTANCE: TRY(instance(x, e, &sec->u.instances[i])); break;
            case WELD_CSEC_ALIAS: TRY(alias(x, e, &sec->u.aliases[i])); break;
            case WELD_CSEC_TYPE: TRY(deftype(x, e)); break;
            case WELD_CSEC_CANON: TRY(canon(x, e, &sec->u.canons[i])); break;
            case WELD_CSEC_START: TRY(start(x, e, sec->u.start)); break;
            case WELD_CSEC_IMPORT: TRY(import_item(x, e, &sec->u.imports[i])); break;
            case WELD_CSEC_EXPORT: TRY(export_item(x, e, &sec->u.exports[i])); break;
            case WELD_CSEC_VALUE: PUSH(e, WELD_TS_VALUE, NULL); break;
            default: return fail(x, WELD_ERR_INVALID, "unknown section %u", sec->id);
            }
            if (sec->id == WELD_CSEC_CUSTOM || sec->id == WELD_CSEC_CORE_MODULE ||
                sec->id == WELD_CSEC_COMPONENT || sec->id == WELD_CSEC_START)
                break;
        }
    }
    return WELD_OK;
}

/* ---- the outermost instantiation: imports from the linker ------------------------------ */

typedef struct missing {
    weld_buf text;
    uint32_t n;
} missing;

static void note_missing(missing *m, weld_str instance, const weld_textern *ex)
{
    char ty[256];
    weld_tnode_describe(ex->type, ty, sizeof ty);
    if (m->n < 40) {
        if (instance.len)
            weld_buf_printf(&m->text, "\n  import %s: %s `%s`: %s", instance.ptr, sort_name(ex->sort),
                            ex->name.ptr, ty);
        else
            weld_buf_printf(&m->text, "\n  import `%s`: %s", ex->name.ptr, ty);
    }
    m->n++;
}

static weld_crt_func *host_func(icx *x, const ldef *d, const weld_tnode *type)
{
    weld_crt_func *f = arena(x->rt, sizeof *f);
    if (!f) return NULL;
    f->kind = FN_HOST;
    f->rt = x->rt;
    f->type = type;
    f->fn = d->fn;
    f->ctx = d->ctx;
    return f;
}

/* The arguments of the outermost component: each import resolved through the linker. */
static weld_status root_args(icx *x, const weld_crt_linker *l, cinst **out)
{
    const weld_tnode *self = weld_ctypes_self(x->comp->model);
    cinst *args = arena(x->rt, sizeof *args);
    uint32_t n = self->u.ext.nimports;
    cexport *v = arena(x->rt, sizeof *v * (n ? n : 1));
    if (!args || !v) return nomem(x->d);
    missing m = {.n = 0};
    weld_buf_init(&m.text);
    weld_str none = {"", 0};
    for (uint32_t i = 0; i < n; i++) {
        const weld_textern *im = &self->u.ext.imports[i];
        v[i].name = im->name;
        v[i].sort = im->sort;
        const ldef *d;
        switch (im->sort) {
        case WELD_EXT_FUNC:
            if ((d = linker_find(l, DEF_FUNC, none, im->name))) v[i].item = host_func(x, d, im->type);
            else note_missing(&m, none, im);
            break;
        case WELD_EXT_TYPE:
            if (im->type->kind != WELD_TK_RESOURCE) break;
            if ((d = linker_find(l, DEF_RESOURCE, none, im->name))) v[i].item = d->rtype;
            else note_missing(&m, none, im);
            break;
        case WELD_EXT_INSTANCE: {
            if ((d = linker_find(l, DEF_INSTANCE, im->name, none))) {
                cinst *p = arena(x->rt, sizeof *p);
                if (!p) return nomem(x->d);
                p->n = d->provider->root->nexports;
                p->v = d->provider->root->exports;
                v[i].item = p;
                break;
            }
            const weld_tnode *it = im->type;
            cinst *ci = arena(x->rt, sizeof *ci);
            cexport *cv = arena(x->rt, sizeof *cv * (it->u.ext.nexports ? it->u.ext.nexports : 1));
            if (!ci || !cv) return nomem(x->d);
            for (uint32_t k = 0; k < it->u.ext.nexports; k++) {
                const weld_textern *ex = &it->u.ext.exports[k];
                cv[k].name = ex->name;
                cv[k].sort = ex->sort;
                if (ex->sort == WELD_EXT_FUNC) {
                    if ((d = linker_find(l, DEF_FUNC, im->name, ex->name))) cv[k].item = host_func(x, d, ex->type);
                    else note_missing(&m, im->name, ex);
                } else if (ex->sort == WELD_EXT_TYPE) {
                    if (ex->type->kind != WELD_TK_RESOURCE) continue;
                    if ((d = linker_find(l, DEF_RESOURCE, im->name, ex->name))) cv[k].item = d->rtype;
                    else note_missing(&m, im->name, ex);
                } else {
                    note_missing(&m, im->name, ex);
                }
            }
            ci->n = it->u.ext.nexports;
            ci->v = cv;
            v[i].item = ci;
            break;
        }
        default:
            note_missing(&m, none, im);
            break;
        }
    }
    if (m.n) {
        weld_status st = weld_diag_set(x->d, WELD_ERR_LINK, WELD_NO_OFFSET,
                                       "%u import(s) not provided by the host:%.*s%s", m.n,
                                       (int)m.text.len, m.text.data ? (const char *)m.text.data : "",
                                       m.n > 40 ? "\n  ..." : "");
        weld_buf_free(&m.text);
        return st;
    }
    weld_buf_free(&m.text);
    args->n = n;
    args->v = v;
    *out = args;
    return WELD_OK;
}

weld_status weld_crt_instantiate(weld_crt *rt, weld_crt_component *c, weld_crt_linker *l,
                                 weld_crt_instance **out, weld_diag *d)
{
    *out = NULL;
    icx x = {rt, c, d, WELD_NO_OFFSET};
    cinst *args = NULL;
    TRY(root_args(&x, l, &args));
    weld_crt_instance *in = arena(rt, sizeof *in);
    if (!in) return nomem(d);
    env *e;
    TRY(new_env(&x, NULL, c->c, args, "root", &e));
    rt->backtrace[0] = 0;
    weld_status st = run_sections(&x, e);
    if (st) return st;
    in->comp = c;
    in->inst = e->inst;
    in->root = e;
    *out = in;
    return WELD_OK;
}

/* "iface" names the exported instance `iface`, or `ns:pkg/iface` at any version. */
static bool instance_name_matches(weld_str have, const char *want, size_t n)
{
    if (have.len == n && !memcmp(have.ptr, want, n)) return true;
    if (memchr(want, '/', n) || memchr(want, '@', n)) {
        const char *at = memchr(have.ptr, '@', have.len);
        return at && (size_t)(at - have.ptr) == n && !memcmp(have.ptr, want, n);
    }
    const char *slash = memchr(have.ptr, '/', have.len);
    if (!slash) return false;
    const char *rest = slash + 1, *end = have.ptr + have.len;
    const char *at = memchr(rest, '@', (size_t)(end - rest));
    size_t rn = (size_t)((at ? at : end) - rest);
    return rn == n && !memcmp(rest, want, n);
}

weld_crt_func *weld_crt_instance_func(weld_crt_instance *i, const char *name)
{
    const env *e = i->root;
    const char *hash = strrchr(name, '#');
    if (!hash) {
        for (uint32_t k = 0; k < e->nexports; k++)
            if (e->exports[k].sort == WELD_EXT_FUNC && str_is(e->exports[k].name, name, strlen(name)))
                return e->exports[k].item;
        return NULL;
    }
    const cinst *found = NULL;
    for (uint32_t k = 0; k < e->nexports; k++) {
        if (e->exports[k].sort != WELD_EXT_INSTANCE) continue;
        if (instance_name_matches(e->exports[k].name, name, (size_t)(hash - name))) {
            if (found) return NULL; /* ambiguous */
            found = e->exports[k].item;
        }
    }
    if (!found) return NULL;
    const cexport *f = cinst_find(found, hash + 1, strlen(hash + 1));
    return f && f->sort == WELD_EXT_FUNC ? f->item : NULL;
}
