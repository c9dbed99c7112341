/* diff_run.c - the weld side of the differential Canonical ABI test (tests/cli/canon_diff.sh).
 *
 * usage: canon_diff [--known FILE] COMPONENT.wasm VALUES.txt [EXPECTED.txt]
 *
 * COMPONENT (fixtures/canon/roundtrip.wasm, made by tests/canon/gen.py) imports
 * `echo-N: func(x: T) -> T` and exports `run-N: func(x: T) -> T`, whose core code forwards
 * the lowered arguments to the import and returns what it returned. Here every `echo-N`
 * is a host function returning a deep copy of its argument, so a call of `run-N` lowers
 * the argument into the guest (host -> guest), lifts it again at the import (guest ->
 * host), lowers the copy back as the import's result and lifts the export's result.
 *
 * VALUES holds "run-N<TAB>WAVE" lines; EXPECTED the results jco gave for the same lines,
 * "run-N<TAB>WAVE" or "run-N<TAB>!trap MESSAGE" (tests/canon/jco_run.mjs). Without
 * EXPECTED each argument is its own expected result (the echo is the identity). Each
 * argument is parsed against the export's parameter type, the export called, and the
 * result compared as a value (not as text) with the expected one parsed against the
 * result type; the result's WAVE text (weld_wave_print) must also parse back to the same
 * value. The known-differences FILE lists lines where jco departs from the spec:
 * "run-N<TAB>ARGUMENT<TAB>SPEC-RESULT<TAB>REASON" (SPEC-RESULT "!trap" for a trap); those
 * lines are checked against SPEC-RESULT and counted apart.
 *
 * Output: TAP, one test per function (its number of values in the description), the
 * first differences of a failing function as comments, and a last line
 * "# compared N values, M differ, K known differences".
 *
 * usage: canon_diff --reenter COMPONENT.wasm
 *
 * The reentrance rule (fixtures/canon-traps/reenter.wat, which `weld run` cannot wire):
 * the component's export f calls its import cb; here cb calls the same instance's export
 * g, which must trap (an instance may not be reentered), and so must f. TAP output.
 */
#include "weld/crt.h"
#include "weld/wave.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static weld_status echo(void *ctx, weld_crt_host_call *call, const weld_cval *args, uint32_t nargs,
                        weld_cval *result)
{
    (void)ctx;
    if (nargs != 1) {
        weld_crt_trap(call, "echo: %u arguments", nargs);
        return WELD_ERR_TRAP;
    }
    return weld_cval_copy(result, &args[0]);
}

/* ---- value equality ------------------------------------------------------------- */

static bool feq32(float a, float b)
{
    uint32_t x, y;
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    memcpy(&x, &a, 4);
    memcpy(&y, &b, 4);
    return x == y; /* -0.0 differs from 0.0 */
}

static bool feq64(double a, double b)
{
    uint64_t x, y;
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    memcpy(&x, &a, 8);
    memcpy(&y, &b, 8);
    return x == y;
}

static bool val_eq(const weld_tnode *t, const weld_cval *a, const weld_cval *b);

static bool payload_eq(const weld_tnode *t, const weld_cval *a, const weld_cval *b)
{
    if (!t)
        return a == NULL && b == NULL;
    return a && b && val_eq(t, a, b);
}

static bool val_eq(const weld_tnode *t, const weld_cval *a, const weld_cval *b)
{
    t = weld_tnode_strip(t);
    switch (t->kind) {
    case WELD_TK_PRIM:
        switch (t->u.prim) {
        case WELD_CV_BOOL:
            return a->u.b == b->u.b;
        case WELD_CV_S8: case WELD_CV_S16: case WELD_CV_S32: case WELD_CV_S64:
            return a->u.s == b->u.s;
        case WELD_CV_U8: case WELD_CV_U16: case WELD_CV_U32: case WELD_CV_U64:
            return a->u.u == b->u.u;
        case WELD_CV_F32:
            return feq32(a->u.f32, b->u.f32);
        case WELD_CV_F64:
            return feq64(a->u.f64, b->u.f64);
        case WELD_CV_CHAR:
            return a->u.c == b->u.c;
        case WELD_CV_STRING:
            return a->u.str.len == b->u.str.len &&
                   (a->u.str.len == 0 || memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0);
        default:
            return false;
        }
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST: {
        const weld_tnode *e = t->u.list.elem;
        uint32_t n = a->u.list.count, sz = weld_cval_list_packed(e);
        if (n != b->u.list.count)
            return false;
        if (sz) {
            const weld_tnode *se = weld_tnode_strip(e);
            const unsigned char *p = a->u.list.bytes, *q = b->u.list.bytes;
            if (n && (!p || !q))
                return false;
            for (uint32_t i = 0; i < n; i++) {
                if (se->u.prim == WELD_CV_F32) {
                    float x, y;
                    memcpy(&x, p + 4 * i, 4);
                    memcpy(&y, q + 4 * i, 4);
                    if (!feq32(x, y))
                        return false;
                } else if (se->u.prim == WELD_CV_F64) {
                    double x, y;
                    memcpy(&x, p + 8 * i, 8);
                    memcpy(&y, q + 8 * i, 8);
                    if (!feq64(x, y))
                        return false;
                } else if (memcmp(p + sz * i, q + sz * i, sz) != 0) {
                    return false;
                }
            }
            return true;
        }
        for (uint32_t i = 0; i < n; i++)
            if (!val_eq(e, &a->u.list.items[i], &b->u.list.items[i]))
                return false;
        return true;
    }
    case WELD_TK_RECORD:
        if (a->u.list.count != t->u.record.count || b->u.list.count != t->u.record.count)
            return false;
        for (uint32_t i = 0; i < t->u.record.count; i++)
            if (!val_eq(t->u.record.fields[i].type, &a->u.list.items[i], &b->u.list.items[i]))
                return false;
        return true;
    case WELD_TK_TUPLE:
        if (a->u.list.count != t->u.tuple.count || b->u.list.count != t->u.tuple.count)
            return false;
        for (uint32_t i = 0; i < t->u.tuple.count; i++)
            if (!val_eq(t->u.tuple.types[i], &a->u.list.items[i], &b->u.list.items[i]))
                return false;
        return true;
    case WELD_TK_VARIANT:
        if (a->u.var.tag != b->u.var.tag || a->u.var.tag >= t->u.variant.count)
            return false;
        return payload_eq(t->u.variant.cases[a->u.var.tag].type, a->u.var.payload, b->u.var.payload);
    case WELD_TK_ENUM:
        return a->u.var.tag == b->u.var.tag;
    case WELD_TK_OPTION:
        if (a->u.var.tag != b->u.var.tag || a->u.var.tag > 1)
            return false;
        return payload_eq(a->u.var.tag ? t->u.option : NULL, a->u.var.payload, b->u.var.payload);
    case WELD_TK_RESULT:
        if (a->u.var.tag != b->u.var.tag || a->u.var.tag > 1)
            return false;
        return payload_eq(a->u.var.tag ? t->u.result.err : t->u.result.ok, a->u.var.payload,
                          b->u.var.payload);
    case WELD_TK_FLAGS:
        return a->u.flags == b->u.flags;
    default:
        return false;
    }
}

/* ---- files ---------------------------------------------------------------------- */

typedef struct line {
    char *name, *text; /* text: after the tab */
} line;

typedef struct lines {
    line *v;
    size_t n;
    char *buf;
} lines;

static bool read_lines(const char *path, lines *out)
{
    uint8_t *data;
    size_t len;
    weld_diag d;
    weld_diag_init(&d, path);
    if (weld_file_read(path, &data, &len, &d) != WELD_OK) {
        fprintf(stderr, "canon_diff: %s: %s\n", path, d.message);
        return false;
    }
    char *s = realloc(data, len + 1);
    if (!s)
        return false;
    s[len] = '\0';
    size_t cap = 1024;
    out->v = malloc(cap * sizeof *out->v);
    out->n = 0;
    out->buf = s;
    for (char *p = s; *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (*p && *p != '#') {
            char *tab = strchr(p, '\t');
            if (!tab) {
                fprintf(stderr, "canon_diff: %s: line without a tab: %.60s\n", path, p);
                return false;
            }
            *tab = '\0';
            if (out->n == cap)
                out->v = realloc(out->v, (cap *= 2) * sizeof *out->v);
            out->v[out->n++] = (line){p, tab + 1};
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return true;
}

/* ---- the run -------------------------------------------------------------------- */

typedef struct known {
    char *name, *arg, *result, *reason;
} known;

static known *known_v;
static size_t known_n;
static lines known_lines;

static void lines_free(lines *ls)
{
    free(ls->v);
    free(ls->buf);
    *ls = (lines){0};
}

static bool read_known(const char *path)
{
    lines ls;
    if (!read_lines(path, &ls))
        return false;
    known_lines = ls;
    known_v = calloc(ls.n + 1, sizeof *known_v);
    for (size_t i = 0; i < ls.n; i++) {
        char *arg = ls.v[i].text, *res = strchr(arg, '\t'), *why = res ? strchr(res + 1, '\t') : NULL;
        if (!why) {
            fprintf(stderr, "canon_diff: %s: want run-N<TAB>ARG<TAB>SPEC-RESULT<TAB>REASON\n", path);
            return false;
        }
        *res++ = '\0';
        *why++ = '\0';
        known_v[known_n++] = (known){ls.v[i].name, arg, res, why};
    }
    return true;
}

static const known *find_known(const char *name, const char *arg)
{
    for (size_t i = 0; i < known_n; i++)
        if (strcmp(known_v[i].name, name) == 0 && strcmp(known_v[i].arg, arg) == 0)
            return &known_v[i];
    return NULL;
}

enum { MAX_NOTES = 4 };

typedef struct fstat {
    const char *name;
    size_t values, differ, known;
    char notes[MAX_NOTES][600];
    int nnotes;
} fstat;

static void note(fstat *f, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void note(fstat *f, const char *fmt, ...)
{
    if (f->nnotes < MAX_NOTES) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->notes[f->nnotes], sizeof f->notes[0], fmt, ap);
        va_end(ap);
    }
    f->nnotes++;
}

/* Compare one line; returns false when weld's outcome differs from the expected one. */
static bool run_line(weld_crt *rt, weld_crt_instance *inst, fstat *f, const char *name,
                     const char *arg_text, const char *exp_text)
{
    weld_crt_func *fn = weld_crt_instance_func(inst, name);
    if (!fn) {
        note(f, "%s: no such export", name);
        return false;
    }
    const weld_tnode *ft = weld_crt_func_type(fn);
    if (ft->u.func.nparams != 1 || !ft->u.func.result) {
        note(f, "%s: not a func(x: T) -> T", name);
        return false;
    }
    const weld_tnode *pt = ft->u.func.params[0].type, *rtype = ft->u.func.result;
    weld_cval arg, res, exp, back;
    weld_diag d;
    weld_diag_init(&d, NULL);
    if (weld_wave_parse(pt, arg_text, strlen(arg_text), &arg, &d) != WELD_OK) {
        note(f, "argument %s does not parse: %s", arg_text, d.message);
        return false;
    }
    weld_diag_init(&d, NULL);
    weld_status st = weld_crt_call(rt, fn, &arg, 1, &res, &d);
    weld_cval_free(&arg);
    bool exp_trap = strncmp(exp_text, "!trap", 5) == 0;
    if (st != WELD_OK) {
        if (exp_trap && st == WELD_ERR_TRAP)
            return true;
        note(f, "%s: weld trapped (%s), expected %s", arg_text, d.message, exp_text);
        return false;
    }
    bool ok = true;
    char *printed = weld_wave_print(&res, rtype);
    if (exp_trap) {
        note(f, "%s: weld returned %s, expected %s", arg_text, printed ? printed : "?", exp_text);
        ok = false;
    } else {
        weld_diag_init(&d, NULL);
        if (weld_wave_parse(rtype, exp_text, strlen(exp_text), &exp, &d) != WELD_OK) {
            note(f, "expected %s does not parse: %s", exp_text, d.message);
            ok = false;
        } else {
            if (!val_eq(rtype, &res, &exp)) {
                note(f, "%s: weld returned %s, expected %s", arg_text, printed ? printed : "?", exp_text);
                ok = false;
            }
            weld_cval_free(&exp);
        }
    }
    /* the printed result must read back as the same value */
    if (ok) {
        weld_diag_init(&d, NULL);
        if (!printed) {
            note(f, "%s: weld_wave_print failed on the result", arg_text);
            ok = false;
        } else if (weld_wave_parse(rtype, printed, strlen(printed), &back, &d) != WELD_OK) {
            note(f, "%s: the printed result %s does not parse back: %s", arg_text, printed, d.message);
            ok = false;
        } else {
            if (!val_eq(rtype, &res, &back)) {
                note(f, "%s: the printed result %s parses back to another value", arg_text, printed);
                ok = false;
            }
            weld_cval_free(&back);
        }
    }
    free(printed);
    weld_cval_free(&res);
    return ok;
}

/* ---- reentrance ------------------------------------------------------------------ */

typedef struct reenter_ctx {
    weld_crt *rt;
    weld_crt_instance *inst;
    int calls;
    weld_status inner;
    char inner_msg[1024];
} reenter_ctx;

static weld_status call_g(void *ctx, weld_crt_host_call *call, const weld_cval *args, uint32_t nargs,
                          weld_cval *result)
{
    reenter_ctx *c = ctx;
    weld_diag d;
    weld_cval r;
    weld_diag_init(&d, NULL);
    c->calls++;
    c->inner = weld_crt_call(c->rt, weld_crt_instance_func(c->inst, "g"), NULL, 0, &r, &d);
    snprintf(c->inner_msg, sizeof c->inner_msg, "%s", d.message);
    if (c->inner == WELD_OK) {
        weld_cval_free(&r);
        return WELD_OK;
    }
    weld_crt_trap(call, "%s", d.message);
    return WELD_ERR_TRAP;
}

static bool mentions_enter(const char *s)
{
    for (; *s; s++)
        if (strncmp(s, "enter", 5) == 0 || strncmp(s, "Enter", 5) == 0)
            return true;
    return false;
}

static int reenter_main(const char *wasm)
{
    uint8_t *bytes;
    size_t len;
    weld_diag d;
    weld_diag_init(&d, wasm);
    if (weld_file_read(wasm, &bytes, &len, &d) != WELD_OK) {
        fprintf(stderr, "canon_diff: %s: %s\n", wasm, d.message);
        return 2;
    }
    reenter_ctx c = {.rt = weld_crt_new(NULL)};
    weld_crt_component *comp;
    if (!c.rt || weld_crt_component_load(c.rt, bytes, len, &comp, &d) != WELD_OK) {
        fprintf(stderr, "canon_diff: %s: load: %s\n", wasm, d.message);
        return 2;
    }
    free(bytes);
    weld_crt_linker *l = weld_crt_linker_new(c.rt);
    if (weld_crt_linker_func(l, NULL, "cb", call_g, &c) != WELD_OK ||
        weld_crt_instantiate(c.rt, comp, l, &c.inst, &d) != WELD_OK) {
        fprintf(stderr, "canon_diff: %s: instantiate: %s\n", wasm, d.message);
        return 2;
    }
    weld_crt_func *f = weld_crt_instance_func(c.inst, "f"), *g = weld_crt_instance_func(c.inst, "g");
    if (!f || !g) {
        fprintf(stderr, "canon_diff: %s: no exports f and g\n", wasm);
        return 2;
    }
    weld_cval r;
    weld_diag_init(&d, NULL);
    weld_status st = weld_crt_call(c.rt, g, NULL, 0, &r, &d);
    if (st == WELD_OK && r.u.u == 7)
        printf("ok 1 - reenter: g called from the host returns 7\n");
    else
        printf("not ok 1 - reenter: g called from the host returns 7\n# status %d: %s\n", (int)st, d.message);
    if (st == WELD_OK)
        weld_cval_free(&r);
    weld_diag_init(&d, NULL);
    st = weld_crt_call(c.rt, f, NULL, 0, &r, &d);
    if (c.calls == 1 && c.inner == WELD_ERR_TRAP && mentions_enter(c.inner_msg))
        printf("ok 2 - reenter: g called while f runs (through the import cb) traps: %s\n", c.inner_msg);
    else
        printf("not ok 2 - reenter: g called while f runs (through the import cb) traps\n"
               "# cb ran %d times; the inner call: status %d, message '%s'\n", c.calls, (int)c.inner,
               c.inner_msg);
    if (st == WELD_ERR_TRAP)
        printf("ok 3 - reenter: f traps: %s\n", d.message);
    else
        printf("not ok 3 - reenter: f traps\n# status %d: %s\n", (int)st, d.message);
    if (st == WELD_OK)
        weld_cval_free(&r);
    printf("1..3\n");
    weld_crt_free(c.rt);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--reenter") == 0)
        return reenter_main(argv[2]);
    int a = 1;
    if (a + 1 < argc && strcmp(argv[a], "--known") == 0) {
        if (!read_known(argv[a + 1]))
            return 2;
        a += 2;
    }
    if (argc - a < 2 || argc - a > 3) {
        fprintf(stderr, "usage: canon_diff [--known FILE] COMPONENT.wasm VALUES.txt [EXPECTED.txt]\n"
                        "       canon_diff --reenter COMPONENT.wasm\n");
        return 2;
    }
    const char *wasm = argv[a], *vpath = argv[a + 1], *epath = argc - a == 3 ? argv[a + 2] : NULL;
    lines vals, exps = {0};
    if (!read_lines(vpath, &vals) || (epath && !read_lines(epath, &exps)))
        return 2;
    if (epath && exps.n != vals.n) {
        fprintf(stderr, "canon_diff: %s has %zu lines, %s %zu\n", vpath, vals.n, epath, exps.n);
        return 2;
    }

    uint8_t *bytes;
    size_t len;
    weld_diag d;
    weld_diag_init(&d, wasm);
    if (weld_file_read(wasm, &bytes, &len, &d) != WELD_OK) {
        fprintf(stderr, "canon_diff: %s: %s\n", wasm, d.message);
        return 2;
    }
    weld_crt *rt = weld_crt_new(NULL);
    weld_crt_component *c;
    weld_crt_instance *inst;
    if (!rt || weld_crt_component_load(rt, bytes, len, &c, &d) != WELD_OK) {
        fprintf(stderr, "canon_diff: %s: load: %s\n", wasm, d.message);
        return 2;
    }
    free(bytes);
    weld_crt_linker *l = weld_crt_linker_new(rt);
    const weld_tnode *ct = weld_crt_component_type(c);
    for (uint32_t i = 0; i < ct->u.ext.nimports; i++) {
        const weld_textern *im = &ct->u.ext.imports[i];
        if (im->sort != WELD_EXT_FUNC)
            continue;
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)im->name.len, im->name.ptr);
        if (weld_crt_linker_func(l, NULL, name, echo, NULL) != WELD_OK) {
            fprintf(stderr, "canon_diff: cannot define %s\n", name);
            return 2;
        }
    }
    if (weld_crt_instantiate(rt, c, l, &inst, &d) != WELD_OK) {
        fprintf(stderr, "canon_diff: %s: instantiate: %s\n", wasm, d.message);
        return 2;
    }

    size_t total = 0, differ = 0, nknown = 0, known_differ = 0;
    int tapn = 0;
    for (size_t i = 0; i < vals.n;) {
        fstat f = {.name = vals.v[i].name};
        for (; i < vals.n && strcmp(vals.v[i].name, f.name) == 0; i++) {
            const char *exp = vals.v[i].text;
            if (epath) {
                if (strcmp(exps.v[i].name, f.name) != 0) {
                    fprintf(stderr, "canon_diff: line %zu: %s in %s, %s in %s\n", i + 1, f.name, vpath,
                            exps.v[i].name, epath);
                    return 2;
                }
                exp = exps.v[i].text;
            }
            const known *k = find_known(f.name, vals.v[i].text);
            if (k)
                exp = k->result;
            bool same = run_line(rt, inst, &f, f.name, vals.v[i].text, exp);
            f.values++;
            if (k) {
                f.known++;
                known_differ += !same;
            }
            f.differ += !same;
        }
        total += f.values;
        differ += f.differ;
        nknown += f.known;
        char kn[128] = "";
        if (f.known)
            snprintf(kn, sizeof kn, " (%zu known differences from jco, checked against the spec)", f.known);
        if (f.differ == 0) {
            printf("ok %d - %s: %zu values equal%s\n", ++tapn, f.name, f.values, kn);
        } else {
            printf("not ok %d - %s: %zu of %zu values differ%s\n", ++tapn, f.name, f.differ, f.values, kn);
            for (int j = 0; j < f.nnotes && j < MAX_NOTES; j++)
                printf("# %.580s\n", f.notes[j]);
            if (f.nnotes > MAX_NOTES)
                printf("# ... %d more\n", f.nnotes - MAX_NOTES);
        }
        fflush(stdout);
    }
    printf("1..%d\n", tapn);
    printf("# compared %zu values, %zu differ, %zu known differences (%zu of them differ from the spec)\n",
           total, differ, nknown, known_differ);
    weld_crt_free(rt);
    lines_free(&vals);
    lines_free(&exps);
    lines_free(&known_lines);
    free(known_v);
    return 0;
}
