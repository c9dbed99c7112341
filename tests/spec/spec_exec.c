/* spec_exec.c - see spec_exec.h. */
#include "spec_exec.h"
#include "weld/runtime.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct named {
    char name[128];
    weld_rt_instance *inst;
} named;

struct spec_exec {
    weld_rt_engine *e;
    weld_rt_instance *current;
    named regs[64], names[256];
    unsigned nregs, nnames;
    /* the spectest module's exports */
    weld_rt_func *print[7];
    weld_rt_global *g_i32, *g_i64, *g_f32, *g_f64;
    weld_rt_table *table;
    weld_rt_memory *memory;
};

static weld_status print_fn(void *ctx, weld_rt_host_call *call, const uint64_t *a, uint64_t *r)
{
    (void)ctx; (void)call; (void)a; (void)r;
    return WELD_OK;
}

static const char *const print_names[7] = {"print", "print_i32", "print_i64", "print_f32",
                                           "print_f64", "print_i32_f32", "print_f64_f64"};

spec_exec *spec_exec_new(void)
{
    spec_exec *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    weld_rt_limits lim = {.max_call_depth = 4000};
    x->e = weld_rt_engine_new(&lim);
    if (!x->e) {
        free(x);
        return NULL;
    }
    static const weld_valtype params[7][2] = {{0}, {WELD_I32}, {WELD_I64}, {WELD_F32}, {WELD_F64},
                                              {WELD_I32, WELD_F32}, {WELD_F64, WELD_F64}};
    static const uint32_t nparams[7] = {0, 1, 1, 1, 1, 2, 2};
    for (int i = 0; i < 7; i++) {
        weld_functype t = {nparams[i], 0, params[i], NULL};
        x->print[i] = weld_rt_func_new_host(x->e, &t, print_fn, x);
    }
    weld_rt_val v = {.type = WELD_I32, .u.i32 = 666};
    x->g_i32 = weld_rt_global_new(x->e, &(weld_globaltype){WELD_I32, false}, &v);
    v = (weld_rt_val){.type = WELD_I64, .u.i64 = 666};
    x->g_i64 = weld_rt_global_new(x->e, &(weld_globaltype){WELD_I64, false}, &v);
    v = (weld_rt_val){.type = WELD_F32, .u.f32 = 666.6f};
    x->g_f32 = weld_rt_global_new(x->e, &(weld_globaltype){WELD_F32, false}, &v);
    v = (weld_rt_val){.type = WELD_F64, .u.f64 = 666.6};
    x->g_f64 = weld_rt_global_new(x->e, &(weld_globaltype){WELD_F64, false}, &v);
    weld_tabletype tt = {WELD_FUNCREF, {WELD_LIMITS_HAS_MAX, 10, 20}};
    x->table = weld_rt_table_new(x->e, &tt, 0);
    weld_limits ml = {WELD_LIMITS_HAS_MAX, 1, 2};
    x->memory = weld_rt_memory_new(x->e, &ml);
    return x;
}

void spec_exec_free(spec_exec *x)
{
    if (!x) return;
    weld_rt_engine_free(x->e);
    free(x);
}

static bool spectest_export(spec_exec *x, const char *name, weld_rt_extern *out)
{
    for (int i = 0; i < 7; i++)
        if (strcmp(name, print_names[i]) == 0) {
            out->kind = WELD_EXTERN_FUNC;
            out->u.func = x->print[i];
            return true;
        }
    out->kind = WELD_EXTERN_GLOBAL;
    if (strcmp(name, "global_i32") == 0) out->u.global = x->g_i32;
    else if (strcmp(name, "global_i64") == 0) out->u.global = x->g_i64;
    else if (strcmp(name, "global_f32") == 0) out->u.global = x->g_f32;
    else if (strcmp(name, "global_f64") == 0) out->u.global = x->g_f64;
    else if (strcmp(name, "table") == 0) {
        out->kind = WELD_EXTERN_TABLE;
        out->u.table = x->table;
    } else if (strcmp(name, "memory") == 0) {
        out->kind = WELD_EXTERN_MEMORY;
        out->u.memory = x->memory;
    } else return false;
    return true;
}

static weld_rt_instance *find(named *list, unsigned n, const char *name)
{
    for (unsigned i = n; i-- > 0;)
        if (strcmp(list[i].name, name) == 0) return list[i].inst;
    return NULL;
}

weld_status spec_exec_module(spec_exec *x, const char *path, const char *name, weld_diag *d)
{
    uint8_t *data = NULL;
    size_t len = 0;
    weld_diag_init(d, path);
    weld_status st = weld_file_read(path, &data, &len, d);
    if (st) return st;
    weld_rt_module *m = NULL;
    st = weld_rt_module_load(x->e, data, len, &m, d);
    free(data);
    if (st) return st;
    const weld_module *ast = weld_rt_module_ast(m);
    weld_rt_extern *imps = calloc(ast->nimports + 1, sizeof *imps);
    if (!imps) return WELD_ERR_NOMEM;
    for (uint32_t i = 0; i < ast->nimports; i++) {
        const weld_import *im = &ast->imports[i];
        weld_rt_instance *from = find(x->regs, x->nregs, im->module.ptr);
        bool ok = from ? weld_rt_instance_export(from, im->name.ptr, &imps[i])
                       : strcmp(im->module.ptr, "spectest") == 0 &&
                             spectest_export(x, im->name.ptr, &imps[i]);
        if (!ok) {
            free(imps);
            snprintf(d->message, sizeof d->message, "unknown import \"%s\" \"%s\"", im->module.ptr,
                     im->name.ptr);
            d->status = WELD_ERR_LINK;
            return WELD_ERR_LINK;
        }
    }
    weld_rt_instance *in = NULL;
    st = weld_rt_instantiate(x->e, m, imps, ast->nimports, &in, d);
    free(imps);
    if (st) return st;
    x->current = in;
    if (name && x->nnames < sizeof x->names / sizeof x->names[0]) {
        snprintf(x->names[x->nnames].name, sizeof x->names[0].name, "%s", name);
        x->names[x->nnames++].inst = in;
    }
    return WELD_OK;
}

bool spec_exec_register(spec_exec *x, const char *name, const char *as)
{
    weld_rt_instance *in = name ? find(x->names, x->nnames, name) : x->current;
    if (!in || x->nregs >= sizeof x->regs / sizeof x->regs[0]) return false;
    snprintf(x->regs[x->nregs].name, sizeof x->regs[0].name, "%s", as);
    x->regs[x->nregs++].inst = in;
    return true;
}

static weld_valtype type_of(const char *t)
{
    if (!t) return 0;
    if (!strcmp(t, "i32")) return WELD_I32;
    if (!strcmp(t, "i64")) return WELD_I64;
    if (!strcmp(t, "f32")) return WELD_F32;
    if (!strcmp(t, "f64")) return WELD_F64;
    if (!strcmp(t, "funcref")) return WELD_FUNCREF;
    if (!strcmp(t, "externref")) return WELD_EXTERNREF;
    if (!strcmp(t, "v128")) return WELD_V128;
    return 0;
}

/* The width in bytes of a v128 lane type ("i8", "f32", ...), 0 if unknown. */
static unsigned lane_width(const char *lt)
{
    if (!lt) return 0;
    if (!strcmp(lt, "i8")) return 1;
    if (!strcmp(lt, "i16")) return 2;
    if (!strcmp(lt, "i32") || !strcmp(lt, "f32")) return 4;
    if (!strcmp(lt, "i64") || !strcmp(lt, "f64")) return 8;
    return 0;
}

/* A v128 {"lane_type":..,"value":[lanes]} into 16 bytes (NaN patterns are not values). */
static bool parse_v128(json_t *j, uint8_t out[16])
{
    unsigned w = lane_width(json_string_value(json_object_get(j, "lane_type")));
    json_t *lanes = json_object_get(j, "value");
    if (!w || json_array_size(lanes) != 16 / w) return false;
    for (unsigned i = 0; i < 16 / w; i++) {
        const char *l = json_string_value(json_array_get(lanes, i));
        if (!l || !isdigit((unsigned char)l[0])) return false;
        uint64_t x = strtoull(l, NULL, 10);
        for (unsigned b = 0; b < w; b++) out[i * w + b] = (uint8_t)(x >> (8 * b));
    }
    return true;
}

/* A JSON value {"type":..,"value":..} as a weld_rt_val; false for what is not supported. */
static bool parse_val(json_t *j, weld_rt_val *v)
{
    memset(v, 0, sizeof *v);
    v->type = type_of(json_string_value(json_object_get(j, "type")));
    if (v->type == WELD_V128) return parse_v128(j, v->u.v128);
    const char *s = json_string_value(json_object_get(j, "value"));
    switch (v->type) {
    case WELD_I32: case WELD_F32:
        if (!s) return false;
        v->u.f32_bits = (uint32_t)strtoull(s, NULL, 10);
        return true;
    case WELD_I64: case WELD_F64:
        if (!s) return false;
        v->u.f64_bits = strtoull(s, NULL, 10);
        return true;
    case WELD_FUNCREF: case WELD_EXTERNREF:
        if (!s || !strcmp(s, "null")) v->u.ref = 0;
        else v->u.ref = v->type == WELD_EXTERNREF ? weld_rt_extern_ref(strtoull(s, NULL, 10)) : 1;
        return true;
    default:
        return false;
    }
}

static void val_str(const weld_rt_val *v, char *buf, size_t cap)
{
    switch (v->type) {
    case WELD_I32: case WELD_F32: snprintf(buf, cap, "%s:%u", v->type == WELD_I32 ? "i32" : "f32", v->u.f32_bits); break;
    case WELD_I64: case WELD_F64: snprintf(buf, cap, "%s:%llu", v->type == WELD_I64 ? "i64" : "f64", (unsigned long long)v->u.f64_bits); break;
    case WELD_V128: {
        int k = snprintf(buf, cap, "v128:");
        for (int i = 0; i < 16 && k > 0 && (size_t)k + 3 < cap; i++)
            k += snprintf(buf + k, cap - (size_t)k, "%02x", v->u.v128[i]);
        break;
    }
    default: snprintf(buf, cap, "ref:%llu", (unsigned long long)v->u.ref); break;
    }
}

/* Does result r match the expectation j? */
static bool matches(json_t *j, const weld_rt_val *r, char *why, size_t cap)
{
    weld_valtype t = type_of(json_string_value(json_object_get(j, "type")));
    const char *s = json_string_value(json_object_get(j, "value"));
    char got[64];
    val_str(r, got, sizeof got);
    if (t != r->type) {
        snprintf(why, cap, "expected a %s, got %s", json_string_value(json_object_get(j, "type")), got);
        return false;
    }
    bool ok;
    if (t == WELD_V128) {
        /* lane by lane: a NaN pattern matches a float lane, anything else its bits */
        const char *lt = json_string_value(json_object_get(j, "lane_type"));
        unsigned w = lane_width(lt);
        json_t *lanes = json_object_get(j, "value");
        ok = w && json_array_size(lanes) == 16 / w;
        for (unsigned i = 0; ok && i < 16 / w; i++) {
            const char *l = json_string_value(json_array_get(lanes, i));
            uint64_t x = 0;
            for (unsigned b = 0; b < w; b++) x |= (uint64_t)r->u.v128[i * w + b] << (8 * b);
            if (!l) ok = false;
            else if (!strncmp(l, "nan:", 4)) {
                bool canon = !strcmp(l, "nan:canonical");
                uint64_t mag = w == 4 ? x & 0x7fffffffu : x & 0x7fffffffffffffffull;
                uint64_t q = w == 4 ? 0x7fc00000u : 0x7ff8000000000000ull;
                ok = lt[0] == 'f' && (canon ? mag == q : (mag & q) == q);
            } else ok = strtoull(l, NULL, 10) == x;
        }
        if (!ok) {
            char want[300];
            int k = snprintf(want, sizeof want, "%s", lt ? lt : "?");
            for (size_t i = 0; i < json_array_size(lanes) && k > 0 && (size_t)k < sizeof want - 40; i++)
                k += snprintf(want + k, sizeof want - (size_t)k, " %s",
                              json_string_value(json_array_get(lanes, i)) ? json_string_value(json_array_get(lanes, i)) : "?");
            snprintf(why, cap, "expected %s, got %s", want, got);
        }
        return ok;
    }
    if (s && !strncmp(s, "nan:", 4)) {
        bool canon = !strcmp(s, "nan:canonical");
        if (t == WELD_F32) {
            uint32_t b = r->u.f32_bits & 0x7fffffffu;
            ok = canon ? b == 0x7fc00000u : (b & 0x7fc00000u) == 0x7fc00000u;
        } else {
            uint64_t b = r->u.f64_bits & 0x7fffffffffffffffull;
            ok = canon ? b == 0x7ff8000000000000ull : (b & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
        }
    } else if (t == WELD_FUNCREF && s && strcmp(s, "null") != 0) {
        ok = r->u.ref != 0;
    } else {
        weld_rt_val e;
        if (!parse_val(j, &e)) {
            snprintf(why, cap, "expected value not supported");
            return false;
        }
        ok = (t == WELD_I32 || t == WELD_F32) ? e.u.f32_bits == r->u.f32_bits : e.u.f64_bits == r->u.f64_bits;
    }
    if (!ok) snprintf(why, cap, "expected %s, got %s", s ? s : "?", got);
    return ok;
}

static bool message_has(const char *msg, const char *expected)
{
    char want[256], got[1100];
    size_t n = strlen(expected);
    if (n >= sizeof want) n = sizeof want - 1;
    while (n && (isdigit((unsigned char)expected[n - 1]) || expected[n - 1] == ' ')) n--;
    for (size_t i = 0; i < n; i++) want[i] = (char)tolower((unsigned char)expected[i]);
    want[n] = 0;
    size_t k = 0;
    for (; msg[k] && k < sizeof got - 1; k++) got[k] = (char)tolower((unsigned char)msg[k]);
    got[k] = 0;
    return strstr(got, want) != NULL;
}

bool spec_exec_command(spec_exec *x, json_t *cmd, const char *type, char *detail, size_t cap)
{
    json_t *a = json_object_get(cmd, "action");
    const char *atype = json_string_value(json_object_get(a, "type"));
    const char *mod = json_string_value(json_object_get(a, "module"));
    const char *field = json_string_value(json_object_get(a, "field"));
    weld_rt_instance *in = mod ? find(x->names, x->nnames, mod) : x->current;
    detail[0] = 0;
    if (!in || !field || !atype) {
        snprintf(detail, cap, "no module instance to run the action on");
        return false;
    }
    weld_rt_extern ex;
    if (!weld_rt_instance_export_n(in, field, json_string_length(json_object_get(a, "field")), &ex)) {
        snprintf(detail, cap, "no export \"%s\"", field);
        return false;
    }
    json_t *expected = json_object_get(cmd, "expected");
    weld_rt_val res[64];
    size_t nres = 0;
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_status st = WELD_OK;
    if (!strcmp(atype, "get")) {
        if (ex.kind != WELD_EXTERN_GLOBAL) {
            snprintf(detail, cap, "export \"%s\" is not a global", field);
            return false;
        }
        res[0] = weld_rt_global_get(ex.u.global);
        nres = 1;
    } else {
        if (ex.kind != WELD_EXTERN_FUNC) {
            snprintf(detail, cap, "export \"%s\" is not a function", field);
            return false;
        }
        json_t *args = json_object_get(a, "args");
        weld_rt_val av[64];
        size_t na = json_array_size(args);
        if (na > 64) na = 64;
        for (size_t i = 0; i < na; i++)
            if (!parse_val(json_array_get(args, i), &av[i])) {
                snprintf(detail, cap, "argument %zu: value type not supported", i);
                return false;
            }
        const weld_functype *ft = weld_rt_func_type(ex.u.func);
        nres = ft->nresults > 64 ? 64 : ft->nresults;
        st = weld_rt_call(x->e, ex.u.func, av, (uint32_t)na, res, (uint32_t)nres, &d);
    }
    if (!strcmp(type, "assert_exception")) {
        /* an exception no handler caught: a status of its own, never a trap */
        if (st != WELD_ERR_EXCEPTION) {
            snprintf(detail, cap, "expected an uncaught exception, got %s%s%s",
                     st ? weld_status_name(st) : "no exception", st ? ": " : "", st ? d.message : "");
            return false;
        }
        return true;
    }
    if (!strcmp(type, "assert_trap") || !strcmp(type, "assert_exhaustion")) {
        const char *text = json_string_value(json_object_get(cmd, "text"));
        if (st != WELD_ERR_TRAP) {
            snprintf(detail, cap, "expected trap \"%s\", got %s%s%s", text ? text : "",
                     st ? weld_status_name(st) : "no trap", st ? ": " : "", st ? d.message : "");
            return false;
        }
        if (!message_has(d.message, text ? text : "")) {
            snprintf(detail, cap, "expected trap \"%s\", got \"%s\"", text ? text : "", d.message);
            return false;
        }
        return true;
    }
    if (st) {
        snprintf(detail, cap, "%s: %s", weld_status_name(st), d.message);
        return false;
    }
    if (!strcmp(type, "action")) return true;
    json_t *alts = json_object_get(cmd, "either");
    if (alts && !expected) {
        /* wast2json writes (either v1 v2 ...) of a one-result command at the command level */
        char why[512] = "no alternatives";
        if (nres != 1) {
            snprintf(detail, cap, "expected 1 result, got %zu", nres);
            return false;
        }
        for (size_t k = 0; k < json_array_size(alts); k++)
            if (matches(json_array_get(alts, k), &res[0], why, sizeof why)) return true;
        snprintf(detail, cap, "result 0 matches none of the alternatives: %s", why);
        return false;
    }
    if (json_array_size(expected) != nres) {
        snprintf(detail, cap, "expected %zu results, got %zu", json_array_size(expected), nres);
        return false;
    }
    for (size_t i = 0; i < nres; i++) {
        json_t *ej = json_array_get(expected, i);
        json_t *either = json_object_get(ej, "either");
        char why[512];
        if (either) {
            bool any = false;
            for (size_t k = 0; k < json_array_size(either) && !any; k++)
                any = matches(json_array_get(either, k), &res[i], why, sizeof why);
            if (!any) {
                snprintf(detail, cap, "result %zu: %s", i, why);
                return false;
            }
        } else if (!matches(ej, &res[i], why, sizeof why)) {
            snprintf(detail, cap, "result %zu: %s", i, why);
            return false;
        }
    }
    return true;
}
