/* cmd_wast.c - `weld wast`: run WebAssembly script files (.wast) with the interpreter.
 *
 * Modules are instantiated with imports from the `spectest` host module and from
 * registered instances; actions run with weld_rt_call. Each command passes or fails;
 * the summary is "N passed, N failed". */
#include "cli.h"
#include "input.h"
#include "base/base.h"
#include "weld/runtime.h"
#include "weld/text.h"
#include "weld/validate.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

extern const weld_cmd cmd_wast;

typedef struct named {
    const char *name;
    weld_rt_instance *inst;
} named;

typedef struct wast_run {
    const char *file;
    weld_rt_engine *e;
    weld_rt_instance *current;
    named *regs, *names;
    size_t nregs, nnames, capregs, capnames;
    weld_rt_func *print[7];
    weld_rt_global *g_i32, *g_i64, *g_f32, *g_f64;
    weld_rt_table *table;
    weld_rt_memory *memory;
    bool tap, verbose;
    weld_validator *wasm2;     /* --wasm2: validate by the Wasm 2.0 rules first */
    unsigned tapn, passed, failed;
} wast_run;

static weld_status print_fn(void *ctx, weld_rt_host_call *call, const uint64_t *a, uint64_t *r)
{
    (void)ctx; (void)call; (void)a; (void)r;
    return WELD_OK;
}

static const char *const print_names[7] = {"print", "print_i32", "print_i64", "print_f32",
                                           "print_f64", "print_i32_f32", "print_f64_f64"};

static bool spectest_init(wast_run *x)
{
    weld_rt_limits lim = {.max_call_depth = 4000};
    x->e = weld_rt_engine_new(&lim);
    if (!x->e) return false;
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
    return true;
}

static bool spectest_export(wast_run *x, const char *name, weld_rt_extern *out)
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

static weld_rt_instance *find(named *list, size_t n, const char *name)
{
    for (size_t i = n; i-- > 0;)
        if (strcmp(list[i].name, name) == 0) return list[i].inst;
    return NULL;
}

static bool add_named(named **list, size_t *n, size_t *cap, const char *name, weld_rt_instance *in)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        named *nl = realloc(*list, nc * sizeof *nl);
        if (!nl) return false;
        *list = nl;
        *cap = nc;
    }
    (*list)[*n].name = name;
    (*list)[(*n)++].inst = in;
    return true;
}

/* The command's module as a binary (*out malloc'd): text forms are encoded, a quote form
 * is parsed first. A parse error is returned with d filled. */
static weld_status module_bytes(wast_run *x, const weld_wast_cmd *c, uint8_t **out, size_t *len,
                                weld_diag *d)
{
    weld_diag_init(d, x->file);
    if (c->form == WELD_WAST_BINARY) {
        *out = malloc(c->len ? c->len : 1);
        if (!*out) return WELD_ERR_NOMEM;
        memcpy(*out, c->bytes, c->len);
        *len = c->len;
        return WELD_OK;
    }
    if (c->form == WELD_WAST_TEXT) {
        if (c->parse_status) {
            *d = c->parse_diag;
            return c->parse_status;
        }
        return weld_module_write(c->module, NULL, out, len, d);
    }
    weld_arena *a = weld_arena_new();
    weld_module *m = NULL;
    if (!a) return WELD_ERR_NOMEM;
    weld_status st = weld_parse_wat(a, (const char *)c->bytes, c->len, &m, d);
    if (!st) st = weld_module_write(m, NULL, out, len, d);
    weld_arena_free(a);
    return st;
}

/* Load (decode, validate, compile) and, when `inst`, instantiate. */
static weld_status load_module(wast_run *x, const weld_wast_cmd *c, bool inst, weld_rt_instance **out,
                               weld_diag *d)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    weld_status st = module_bytes(x, c, &bytes, &len, d);
    if (st) {
        free(bytes);
        return st;
    }
    weld_rt_module *m = NULL;
    weld_diag_init(d, x->file);
    if (x->wasm2) {
        weld_arena *a = weld_arena_new();
        weld_module *mm = NULL;
        weld_read_opts ro = {.skip_bodies = true};
        if (!a) st = WELD_ERR_NOMEM;
        else {
            st = weld_module_read(a, bytes, len, &ro, &mm, d);
            if (!st) st = weld_validator_run(x->wasm2, mm, NULL, d);
        }
        weld_arena_free(a);
        if (st) {
            free(bytes);
            return st;
        }
    }
    st = weld_rt_module_load(x->e, bytes, len, &m, d);
    free(bytes);
    if (st || !inst) return st;
    const weld_module *ast = weld_rt_module_ast(m);
    weld_rt_extern *imps = calloc(ast->nimports + 1, sizeof *imps);
    if (!imps) return WELD_ERR_NOMEM;
    for (uint32_t i = 0; i < ast->nimports; i++) {
        const weld_import *im = &ast->imports[i];
        weld_rt_instance *from = find(x->regs, x->nregs, im->module.ptr);
        bool ok = from ? weld_rt_instance_export_n(from, im->name.ptr, im->name.len, &imps[i])
                       : strcmp(im->module.ptr, "spectest") == 0 && spectest_export(x, im->name.ptr, &imps[i]);
        if (!ok) {
            free(imps);
            weld_diag_set(d, WELD_ERR_LINK, WELD_NO_OFFSET, "unknown import \"%s\" \"%s\"",
                          im->module.ptr, im->name.ptr);
            return WELD_ERR_LINK;
        }
    }
    st = weld_rt_instantiate(x->e, m, imps, ast->nimports, out, d);
    free(imps);
    return st;
}

/* Does msg contain the expected text, ignoring case and a trailing index? */
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

static void to_rt(const weld_wast_value *v, weld_rt_val *r)
{
    memset(r, 0, sizeof *r);
    r->type = v->type;
    switch (v->type) {
    case WELD_I32: case WELD_F32: r->u.f32_bits = (uint32_t)v->bits; break;
    case WELD_I64: case WELD_F64: r->u.f64_bits = v->bits; break;
    case WELD_V128: memcpy(r->u.v128, v->v128, 16); break;
    case WELD_EXTERNREF: r->u.ref = v->is_null ? 0 : weld_rt_extern_ref(v->bits); break;
    default: r->u.ref = 0; break;
    }
}

static bool nan_ok(uint64_t x, unsigned w, uint8_t pat)
{
    uint64_t mag = w == 4 ? x & 0x7fffffffu : x & 0x7fffffffffffffffull;
    uint64_t q = w == 4 ? 0x7fc00000u : 0x7ff8000000000000ull;
    uint64_t inf = w == 4 ? 0x7f800000u : 0x7ff0000000000000ull;
    if (pat == WELD_WAST_NAN_CANONICAL) return mag == q;
    return (mag & q) == q && (mag & inf) == inf;
}

static void val_str(const weld_rt_val *v, char *buf, size_t cap)
{
    switch (v->type) {
    case WELD_I32: case WELD_F32: snprintf(buf, cap, "%s:0x%08x", v->type == WELD_I32 ? "i32" : "f32", v->u.f32_bits); break;
    case WELD_I64: case WELD_F64: snprintf(buf, cap, "%s:0x%016llx", v->type == WELD_I64 ? "i64" : "f64", (unsigned long long)v->u.f64_bits); break;
    case WELD_V128: {
        int k = snprintf(buf, cap, "v128:");
        for (int i = 0; i < 16 && k > 0 && (size_t)k + 3 < cap; i++)
            k += snprintf(buf + k, cap - (size_t)k, "%02x", v->u.v128[i]);
        break;
    }
    default: snprintf(buf, cap, "ref:%llu", (unsigned long long)v->u.ref); break;
    }
}

static bool matches(const weld_wast_value *e, const weld_rt_val *r)
{
    if (e->type != r->type) return false;
    switch (e->type) {
    case WELD_I32: return (uint32_t)e->bits == r->u.f32_bits;
    case WELD_I64: return e->bits == r->u.f64_bits;
    case WELD_F32: return e->nan ? nan_ok(r->u.f32_bits, 4, e->nan) : (uint32_t)e->bits == r->u.f32_bits;
    case WELD_F64: return e->nan ? nan_ok(r->u.f64_bits, 8, e->nan) : e->bits == r->u.f64_bits;
    case WELD_V128: {
        unsigned w = e->lane_width ? e->lane_width : 16;
        for (unsigned l = 0; l < 16 / w; l++) {
            uint64_t x = 0, y = 0;
            for (unsigned b = 0; b < w && b < 8; b++) {
                x |= (uint64_t)r->u.v128[l * w + b] << (8 * b);
                y |= (uint64_t)e->v128[l * w + b] << (8 * b);
            }
            if (e->lane_nan[l] ? !nan_ok(x, w, e->lane_nan[l]) : x != y) return false;
        }
        return true;
    }
    case WELD_FUNCREF:
        return e->is_null ? r->u.ref == 0 : r->u.ref != 0;
    case WELD_EXTERNREF:
        if (e->is_null) return r->u.ref == 0;
        if (e->any_ref) return r->u.ref != 0;
        return r->u.ref == weld_rt_extern_ref(e->bits);
    default: return false;
    }
}

static void result(wast_run *x, const weld_wast_cmd *c, bool ok, const char *what, const char *detail)
{
    x->tapn++;
    if (ok) x->passed++;
    else x->failed++;
    if (x->tap) {
        printf("%s %u - %s:%u %s\n", ok ? "ok" : "not ok", x->tapn, x->file, c->line, what);
        if (!ok && detail && *detail) printf("# %s\n", detail);
    } else if (!ok || x->verbose) {
        printf("%s:%u:%u: %s: %s%s%s\n", x->file, c->line, c->col, ok ? "passed" : "failed", what,
               detail && *detail ? ": " : "", detail && *detail ? detail : "");
    }
}

/* Run an action: status of the call, results in res. */
static weld_status run_action(wast_run *x, const weld_wast_cmd *c, weld_rt_val *res, size_t *nres,
                              char *detail, size_t cap, weld_diag *d)
{
    weld_rt_instance *in = c->target ? find(x->names, x->nnames, c->target) : x->current;
    weld_diag_init(d, NULL);
    *nres = 0;
    if (!in) {
        snprintf(detail, cap, "no module instance%s%s", c->target ? " named " : "", c->target ? c->target : "");
        return WELD_ERR_USAGE;
    }
    weld_rt_extern ex;
    if (!weld_rt_instance_export_n(in, c->field.ptr, c->field.len, &ex)) {
        snprintf(detail, cap, "no export \"%s\"", c->field.ptr);
        return WELD_ERR_USAGE;
    }
    if (c->is_get) {
        if (ex.kind != WELD_EXTERN_GLOBAL) {
            snprintf(detail, cap, "export \"%s\" is not a global", c->field.ptr);
            return WELD_ERR_USAGE;
        }
        res[0] = weld_rt_global_get(ex.u.global);
        *nres = 1;
        return WELD_OK;
    }
    if (ex.kind != WELD_EXTERN_FUNC) {
        snprintf(detail, cap, "export \"%s\" is not a function", c->field.ptr);
        return WELD_ERR_USAGE;
    }
    weld_rt_val av[64];
    uint32_t na = c->nargs > 64 ? 64 : c->nargs;
    for (uint32_t i = 0; i < na; i++) to_rt(&c->args[i], &av[i]);
    const weld_functype *ft = weld_rt_func_type(ex.u.func);
    *nres = ft->nresults > 64 ? 64 : ft->nresults;
    weld_status st = weld_rt_call(x->e, ex.u.func, av, na, res, (uint32_t)*nres, d);
    if (st) snprintf(detail, cap, "%s: %s", weld_status_name(st), d->message);
    return st;
}

static void run_cmd(wast_run *x, const weld_wast_cmd *c)
{
    char detail[1400] = "", what[300];
    weld_diag d;
    weld_rt_instance *in = NULL;
    weld_status st;
    switch ((weld_wast_kind)c->kind) {
    case WELD_WAST_MODULE:
        st = load_module(x, c, true, &in, &d);
        snprintf(what, sizeof what, "module%s%s", c->name ? " " : "", c->name ? c->name : "");
        if (!st) {
            x->current = in;
            if (c->name) add_named(&x->names, &x->nnames, &x->capnames, c->name, in);
        } else {
            x->current = NULL;
            if (d.line) snprintf(detail, sizeof detail, "%s: %u:%u: %s", weld_status_name(st), d.line, d.col, d.message);
            else snprintf(detail, sizeof detail, "%s: %s", weld_status_name(st), d.message);
        }
        result(x, c, !st, what, detail);
        return;
    case WELD_WAST_REGISTER: {
        in = c->target ? find(x->names, x->nnames, c->target) : x->current;
        snprintf(what, sizeof what, "register \"%s\"", c->as);
        bool ok = in && add_named(&x->regs, &x->nregs, &x->capregs, c->as, in);
        result(x, c, ok, what, ok ? NULL : "no module instance to register");
        return;
    }
    case WELD_WAST_ASSERT_INVALID:
    case WELD_WAST_ASSERT_MALFORMED: {
        bool invalid = c->kind == WELD_WAST_ASSERT_INVALID;
        st = load_module(x, c, false, NULL, &d);
        bool ok = invalid ? (st == WELD_ERR_INVALID || st == WELD_ERR_SYNTAX) && message_has(d.message, c->text)
                          : st == WELD_ERR_MALFORMED || st == WELD_ERR_SYNTAX || st == WELD_ERR_INVALID;
        snprintf(what, sizeof what, "%s (%s)", invalid ? "assert_invalid" : "assert_malformed", c->text);
        snprintf(detail, sizeof detail, "expected %s \"%s\", got %s%s%s", invalid ? "invalid" : "malformed",
                 c->text, st ? weld_status_name(st) : "a valid module", st ? ": " : "", st ? d.message : "");
        result(x, c, ok, what, detail);
        return;
    }
    case WELD_WAST_ASSERT_UNLINKABLE:
    case WELD_WAST_ASSERT_UNINSTANTIABLE:
        st = load_module(x, c, true, &in, &d);
        {
            bool link = c->kind == WELD_WAST_ASSERT_UNLINKABLE;
            bool ok = st == (link ? WELD_ERR_LINK : WELD_ERR_TRAP) && (link || message_has(d.message, c->text));
            snprintf(what, sizeof what, "%s (%s)", link ? "assert_unlinkable" : "assert_uninstantiable", c->text);
            snprintf(detail, sizeof detail, "expected %s \"%s\", got %s%s%s", link ? "a link error" : "a trap",
                     c->text, st ? weld_status_name(st) : "success", st ? ": " : "", st ? d.message : "");
            result(x, c, ok, what, detail);
        }
        return;
    case WELD_WAST_ASSERT_EXCEPTION:
        snprintf(what, sizeof what, "assert_exception %s", c->field.ptr);
        result(x, c, false, what, "exceptions are not supported by the interpreter");
        return;
    case WELD_WAST_ASSERT_TRAP:
        if (!c->field.ptr) {
            st = load_module(x, c, true, &in, &d);
            bool ok = st == WELD_ERR_TRAP && message_has(d.message, c->text);
            snprintf(what, sizeof what, "assert_trap module (%s)", c->text);
            snprintf(detail, sizeof detail, "expected a trap \"%s\", got %s%s%s", c->text,
                     st ? weld_status_name(st) : "success", st ? ": " : "", st ? d.message : "");
            result(x, c, ok, what, detail);
            return;
        }
        /* fall through */
    case WELD_WAST_ASSERT_EXHAUSTION:
    case WELD_WAST_ACTION:
    case WELD_WAST_ASSERT_RETURN: {
        weld_rt_val res[64];
        size_t nres = 0;
        st = run_action(x, c, res, &nres, detail, sizeof detail, &d);
        static const char *const kinds[] = {"", "", "action", "assert_return", "assert_trap", "assert_exhaustion"};
        snprintf(what, sizeof what, "%s %s", kinds[c->kind], c->field.ptr);
        bool ok;
        if (c->kind == WELD_WAST_ASSERT_TRAP || c->kind == WELD_WAST_ASSERT_EXHAUSTION) {
            ok = st == WELD_ERR_TRAP && message_has(d.message, c->text);
            snprintf(detail, sizeof detail, "expected a trap \"%s\", got %s%s%s", c->text,
                     st == WELD_ERR_TRAP ? "trap " : st ? weld_status_name(st) : "no trap",
                     st ? ": " : "", st ? d.message : "");
        } else if (st) ok = false;
        else if (c->kind == WELD_WAST_ACTION) ok = true;
        else if (c->either) {
            ok = false;
            for (uint32_t k = 0; k < c->nresults && !ok; k++) ok = nres == 1 && matches(&c->results[k], &res[0]);
            char got[64] = "";
            if (nres) val_str(&res[0], got, sizeof got);
            snprintf(detail, sizeof detail, "result %s matches none of the alternatives", got);
        } else if (nres != c->nresults) {
            ok = false;
            snprintf(detail, sizeof detail, "expected %u results, got %zu", c->nresults, nres);
        } else {
            ok = true;
            for (size_t k = 0; k < nres && ok; k++)
                if (!matches(&c->results[k], &res[k])) {
                    char got[64], want[64];
                    weld_rt_val e;
                    to_rt(&c->results[k], &e);
                    val_str(&res[k], got, sizeof got);
                    val_str(&e, want, sizeof want);
                    snprintf(detail, sizeof detail, "result %zu: expected %s%s, got %s", k, want,
                             c->results[k].nan ? " (a NaN pattern)" : "", got);
                    ok = false;
                }
        }
        result(x, c, ok, what, detail);
        return;
    }
    }
}

static int run_file(const char *path, bool tap, bool verbose, weld_validator *wasm2, unsigned *tp,
                    unsigned *tf)
{
    uint8_t *text = NULL;
    size_t len = 0;
    weld_diag d;
    weld_diag_init(&d, path);
    if (weld_file_read(path, &text, &len, &d)) return cli_report(&d, NULL, 0);
    weld_arena *arena = weld_arena_new();
    weld_wast_cmd *cmds = NULL;
    size_t n = 0;
    if (!arena) {
        free(text);
        return CLI_REJECTED;
    }
    if (weld_parse_wast(arena, path, (const char *)text, len, &cmds, &n, &d)) {
        int rc = cli_report(&d, (const char *)text, len);
        weld_arena_free(arena);
        free(text);
        return rc;
    }
    wast_run x = {0};
    x.file = path;
    x.tap = tap;
    x.verbose = verbose;
    x.wasm2 = wasm2;
    if (!spectest_init(&x)) {
        weld_arena_free(arena);
        free(text);
        return CLI_REJECTED;
    }
    for (size_t i = 0; i < n; i++) run_cmd(&x, &cmds[i]);
    if (tap) printf("1..%u\n", x.tapn);
    printf("%s%s: %u passed, %u failed\n", tap ? "# " : "", path, x.passed, x.failed);
    *tp += x.passed;
    *tf += x.failed;
    weld_rt_engine_free(x.e);
    free(x.regs);
    free(x.names);
    weld_arena_free(arena);
    free(text);
    return x.failed ? CLI_REJECTED : CLI_OK;
}

static int run_wast(int argc, char **argv)
{
    bool tap = false, verbose = false, wasm2 = false;
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") || !strcmp(argv[i], "--tap")) tap = true;
        else if (!strcmp(argv[i], "-v")) verbose = true;
        else if (!strcmp(argv[i], "--wasm2")) wasm2 = true;
        else if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error(&cmd_wast, "unknown option '%s'", argv[i]);
        else n++;
    }
    if (!n) return cli_usage_error(&cmd_wast, "missing input file");
    int worst = CLI_OK;
    unsigned tp = 0, tf = 0;
    weld_validator *v = NULL;
    if (wasm2) {
        v = weld_validator_new();
        if (!v) return CLI_REJECTED;
        weld_validator_set_features(v, WELD_VALID_WASM2);
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) continue;
        int rc = run_file(argv[i], tap, verbose, v, &tp, &tf);
        if (rc > worst) worst = rc;
    }
    weld_validator_free(v);
    if (n > 1) printf("%stotal: %u passed, %u failed\n", tap ? "# " : "", tp, tf);
    return worst;
}

const weld_cmd cmd_wast = {
    "wast", "run WebAssembly script files (.wast) with the interpreter",
    "usage: weld wast [-t] [-v] [--wasm2] FILE.wast...\n\n"
    "Runs each script's commands: module (text, binary and quote forms), register, invoke,\n"
    "get, assert_return (NaN patterns, v128 lanes, either), assert_trap, assert_exhaustion,\n"
    "assert_exception (read; fails: the interpreter has no exceptions),\n"
    "assert_invalid, assert_malformed, assert_unlinkable, assert_uninstantiable. Imports\n"
    "come from the `spectest` module and registered instances. Prints failed commands as\n"
    "FILE:LINE:COL and a summary \"N passed, N failed\"; exit 1 when any failed.\n\n"
    "  -t, --tap   print TAP: one line per command and the plan\n"
    "  -v          print passed commands too\n"
    "  --wasm2     validate by the Wasm 2.0 rules only (no multi-memory, extended-const),\n"
    "              as the spec testsuite's top-level scripts expect\n",
    run_wast,
};
