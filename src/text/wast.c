/* wast.c - WebAssembly script files (.wast): the commands of the spec testsuite's
 * scripts, with their modules (text, binary and quote forms), actions and expectations. */
#include "text_int.h"
#include <stdlib.h>

typedef struct sp {
    const tok *t;
    size_t i, n;
    weld_arena *arena;
    weld_diag *d;
    const char *file;
    weld_status st;
} sp;

static const tok *cur(sp *S) { return &S->t[S->i]; }
static const tok *peekk(sp *S, size_t k) { return S->i + k < S->n ? &S->t[S->i + k] : &S->t[S->n - 1]; }
static bool at_lpar_kw(sp *S, const char *kw) { return cur(S)->kind == TK_LPAR && tok_is(peekk(S, 1), kw); }

static bool err(sp *S, const char *what)
{
    const tok *t = cur(S);
    char b[64];
    if (t->kind == TK_EOF) snprintf(b, sizeof b, "the end of the input");
    else snprintf(b, sizeof b, "'%.*s'", t->len > 40 ? 40 : (int)t->len, t->p);
    S->st = text_err(S->d, t, "expected %s, found %s", what, b);
    return false;
}

static bool expect_rpar(sp *S)
{
    if (cur(S)->kind != TK_RPAR) return err(S, "')'");
    S->i++;
    return true;
}

static void skip_group(sp *S)
{
    int depth = 0;
    do {
        if (cur(S)->kind == TK_EOF) return;
        if (cur(S)->kind == TK_LPAR) depth++;
        else if (cur(S)->kind == TK_RPAR) depth--;
        S->i++;
    } while (depth > 0);
}

static char *dup_tok(sp *S, const tok *t)
{
    return weld_arena_strndup(S->arena, t->p, t->len);
}

/* one or more strings, concatenated and decoded */
static bool strings(sp *S, weld_buf *b)
{
    while (cur(S)->kind == TK_STRING) {
        const char *why = NULL;
        if (!text_string(cur(S), b, &why)) {
            S->st = text_err(S->d, cur(S), "%s", why);
            return false;
        }
        S->i++;
    }
    return true;
}

static bool string_arena(sp *S, const char **out, size_t *len)
{
    if (cur(S)->kind != TK_STRING) return err(S, "a string");
    weld_buf b;
    weld_buf_init(&b);
    bool ok = strings(S, &b);
    if (ok) {
        char *p = weld_arena_alloc(S->arena, b.len + 1);
        if (p) {
            if (b.len) memcpy(p, b.data, b.len);
            p[b.len] = 0;
        }
        *out = p;
        if (len) *len = b.len;
    }
    weld_buf_free(&b);
    return ok;
}

/* (module $id? ...) in its three forms */
static bool module(sp *S, weld_wast_cmd *c)
{
    if (!at_lpar_kw(S, "module")) return err(S, "'(module ...)'");
    size_t start = S->i;
    c->line = cur(S)->line;
    c->col = cur(S)->col;
    S->i += 2;
    if (cur(S)->kind == TK_ID) c->name = dup_tok(S, cur(S)), S->i++;
    if (tok_is(cur(S), "binary") || tok_is(cur(S), "quote")) {
        c->form = tok_is(cur(S), "binary") ? WELD_WAST_BINARY : WELD_WAST_QUOTE;
        S->i++;
        weld_buf b;
        weld_buf_init(&b);
        bool ok = strings(S, &b);
        if (ok) {
            uint8_t *p = weld_arena_alloc(S->arena, b.len + 1);
            if (p) {
                if (b.len) memcpy(p, b.data, b.len);
                p[b.len] = 0;
            }
            c->bytes = p;
            c->len = b.len;
        }
        weld_buf_free(&b);
        return ok && expect_rpar(S);
    }
    c->form = WELD_WAST_TEXT;
    size_t pos = start;
    weld_diag_init(&c->parse_diag, S->file);
    c->parse_status = text_parse_module(S->arena, S->t, S->n, &pos, true, false, &c->module, &c->parse_diag);
    S->i = start;
    skip_group(S);
    return true;
}

static bool lane_shape(const tok *t, unsigned *w, bool *fl)
{
    *fl = false;
    if (tok_is(t, "i8x16")) *w = 1;
    else if (tok_is(t, "i16x8")) *w = 2;
    else if (tok_is(t, "i32x4")) *w = 4;
    else if (tok_is(t, "i64x2")) *w = 8;
    else if (tok_is(t, "f32x4")) *w = 4, *fl = true;
    else if (tok_is(t, "f64x2")) *w = 8, *fl = true;
    else return false;
    return true;
}

static int nan_pattern(const tok *t)
{
    if (t->kind != TK_KEYWORD) return 0;
    if (tok_is(t, "nan:canonical")) return WELD_WAST_NAN_CANONICAL;
    if (tok_is(t, "nan:arithmetic")) return WELD_WAST_NAN_ARITHMETIC;
    return 0;
}

/* (i32.const 1) (f32.const nan:canonical) (v128.const i32x4 ...) (ref.null func) ... */
static bool value(sp *S, weld_wast_value *v, bool result)
{
    memset(v, 0, sizeof *v);
    if (cur(S)->kind != TK_LPAR || peekk(S, 1)->kind != TK_KEYWORD) return err(S, "a constant such as '(i32.const 0)'");
    const tok *k = peekk(S, 1);
    S->i += 2;
    const tok *t = cur(S);
    bool ok = true;
    if (tok_is(k, "i32.const")) {
        v->type = WELD_I32;
        ok = text_int(t, 32, &v->bits);
        S->i++;
    } else if (tok_is(k, "i64.const")) {
        v->type = WELD_I64;
        ok = text_int(t, 64, &v->bits);
        S->i++;
    } else if (tok_is(k, "f32.const") || tok_is(k, "f64.const")) {
        bool is32 = k->p[1] == '3';
        v->type = is32 ? WELD_F32 : WELD_F64;
        if (result && nan_pattern(t)) v->nan = (uint8_t)nan_pattern(t);
        else if (is32) {
            uint32_t b;
            ok = text_f32(t, &b);
            v->bits = b;
        } else ok = text_f64(t, &v->bits);
        S->i++;
    } else if (tok_is(k, "v128.const")) {
        v->type = WELD_V128;
        unsigned w;
        bool fl;
        if (!lane_shape(t, &w, &fl)) return err(S, "a v128 shape");
        v->lane_width = (uint8_t)w;
        v->lane_float = fl;
        S->i++;
        for (unsigned l = 0; ok && l < 16 / w; l++) {
            t = cur(S);
            uint64_t x = 0;
            if (result && fl && nan_pattern(t)) v->lane_nan[l] = (uint8_t)nan_pattern(t);
            else if (fl && w == 4) {
                uint32_t b;
                ok = text_f32(t, &b);
                x = b;
            } else if (fl) ok = text_f64(t, &x);
            else ok = text_int(t, w * 8, &x);
            for (unsigned b = 0; b < w; b++) v->v128[l * w + b] = (uint8_t)(x >> (8 * b));
            S->i++;
        }
    } else if (tok_is(k, "ref.null")) {
        v->is_null = true;
        v->type = tok_is(t, "extern") ? WELD_EXTERNREF : WELD_FUNCREF;
        if (t->kind != TK_RPAR) S->i++;
    } else if (tok_is(k, "ref.extern") || tok_is(k, "ref.host")) {
        v->type = WELD_EXTERNREF;
        if (t->kind == TK_RPAR) v->any_ref = true;
        else {
            ok = text_u64(t, &v->bits);
            S->i++;
        }
    } else if (tok_is(k, "ref.func")) {
        v->type = WELD_FUNCREF;
        v->any_ref = true;
        if (t->kind != TK_RPAR) S->i++;
    } else {
        S->i -= 1;
        return err(S, "a constant (i32.const, i64.const, f32.const, f64.const, v128.const, ref.null, ref.extern, ref.func)");
    }
    if (!ok) {
        S->st = text_err(S->d, t, "malformed constant");
        return false;
    }
    return expect_rpar(S);
}

static bool values(sp *S, uint32_t *n, const weld_wast_value **out, bool result)
{
    size_t cap = 0;
    weld_wast_value *vs = NULL;
    *n = 0;
    while (cur(S)->kind == TK_LPAR && !at_lpar_kw(S, "either")) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            weld_wast_value *nv = realloc(vs, cap * sizeof *nv);
            if (!nv) {
                free(vs);
                return false;
            }
            vs = nv;
        }
        if (!value(S, &vs[*n], result)) {
            free(vs);
            return false;
        }
        (*n)++;
    }
    weld_wast_value *a = NULL;
    if (*n) {
        a = weld_arena_alloc(S->arena, *n * sizeof *a);
        if (a) memcpy(a, vs, *n * sizeof *a);
    }
    free(vs);
    *out = a;
    return true;
}

static bool action(sp *S, weld_wast_cmd *c)
{
    bool invoke = at_lpar_kw(S, "invoke"), get = at_lpar_kw(S, "get");
    if (!invoke && !get) return err(S, "an action '(invoke ...)' or '(get ...)'");
    c->line = cur(S)->line;
    c->col = cur(S)->col;
    S->i += 2;
    c->is_get = get;
    if (cur(S)->kind == TK_ID) c->target = dup_tok(S, cur(S)), S->i++;
    const char *f;
    size_t flen;
    if (!string_arena(S, &f, &flen)) return false;
    c->field.ptr = f;
    c->field.len = flen;
    if (invoke && !values(S, &c->nargs, &c->args, false)) return false;
    return expect_rpar(S);
}

static bool message(sp *S, weld_wast_cmd *c)
{
    size_t len;
    return string_arena(S, &c->text, &len);
}

static bool command(sp *S, weld_wast_cmd *c)
{
    memset(c, 0, sizeof *c);
    c->line = cur(S)->line;
    c->col = cur(S)->col;
    if (cur(S)->kind != TK_LPAR) return err(S, "a command '(...)'");
    const tok *k = peekk(S, 1);
    if (tok_is(k, "module")) {
        c->kind = WELD_WAST_MODULE;
        return module(S, c);
    }
    if (tok_is(k, "invoke") || tok_is(k, "get")) {
        c->kind = WELD_WAST_ACTION;
        return action(S, c);
    }
    S->i += 2;
    if (tok_is(k, "register")) {
        c->kind = WELD_WAST_REGISTER;
        if (!string_arena(S, &c->as, NULL)) return false;
        if (cur(S)->kind == TK_ID) c->target = dup_tok(S, cur(S)), S->i++;
        return expect_rpar(S);
    }
    uint32_t line = c->line, col = c->col;
    bool ok;
    if (tok_is(k, "assert_return")) {
        c->kind = WELD_WAST_ASSERT_RETURN;
        ok = action(S, c);
        if (ok && at_lpar_kw(S, "either")) {
            S->i += 2;
            c->either = true;
            ok = values(S, &c->nresults, &c->results, true) && expect_rpar(S);
        } else if (ok) ok = values(S, &c->nresults, &c->results, true);
    } else if (tok_is(k, "assert_trap")) {
        c->kind = WELD_WAST_ASSERT_TRAP;
        ok = (at_lpar_kw(S, "module") ? module(S, c) : action(S, c)) && message(S, c);
    } else if (tok_is(k, "assert_exhaustion")) {
        c->kind = WELD_WAST_ASSERT_EXHAUSTION;
        ok = action(S, c) && message(S, c);
    } else if (tok_is(k, "assert_exception")) {
        c->kind = WELD_WAST_ASSERT_EXCEPTION;
        ok = action(S, c);
    } else if (tok_is(k, "assert_invalid") || tok_is(k, "assert_malformed") ||
               tok_is(k, "assert_unlinkable") || tok_is(k, "assert_uninstantiable")) {
        c->kind = tok_is(k, "assert_invalid") ? WELD_WAST_ASSERT_INVALID
                : tok_is(k, "assert_malformed") ? WELD_WAST_ASSERT_MALFORMED
                : tok_is(k, "assert_unlinkable") ? WELD_WAST_ASSERT_UNLINKABLE
                                                 : WELD_WAST_ASSERT_UNINSTANTIABLE;
        ok = module(S, c) && message(S, c);
    } else {
        S->i -= 1;
        return err(S, "a command (module, register, invoke, get, assert_return, assert_trap, "
                      "assert_exhaustion, assert_exception, assert_invalid, assert_malformed, "
                      "assert_unlinkable, assert_uninstantiable)");
    }
    c->line = line;
    c->col = col;
    return ok && expect_rpar(S);
}

weld_status weld_parse_wast(weld_arena *arena, const char *file, const char *text, size_t len,
                            weld_wast_cmd **cmds, size_t *ncmds, weld_diag *d)
{
    lexer lx;
    weld_status st = text_lex(&lx, text, len, 1, 1, d);
    *cmds = NULL;
    *ncmds = 0;
    if (st) {
        text_lex_free(&lx);
        return st;
    }
    sp S = {lx.toks, 0, lx.ntoks, arena, d, file, WELD_OK};
    size_t cap = 0, n = 0;
    weld_wast_cmd *cs = NULL;
    /* a script of bare module fields is one module */
    if (cur(&S)->kind == TK_LPAR && peekk(&S, 1)->kind == TK_KEYWORD && !tok_is(peekk(&S, 1), "module")) {
        const tok *k = peekk(&S, 1);
        static const char *const fields[] = {"type", "import", "func", "table", "memory", "global",
                                             "tag", "export", "start", "elem", "data"};
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
            if (tok_is(k, fields[f])) {
                cs = weld_arena_alloc(arena, sizeof *cs);
                if (!cs) break;
                memset(cs, 0, sizeof *cs);
                cs->kind = WELD_WAST_MODULE;
                cs->line = cs->col = 1;
                size_t pos = 0;
                weld_diag_init(&cs->parse_diag, file);
                cs->parse_status = text_parse_module(arena, lx.toks, lx.ntoks, &pos, false, false, &cs->module, &cs->parse_diag);
                *cmds = cs;
                *ncmds = 1;
                text_lex_free(&lx);
                return WELD_OK;
            }
    }
    while (cur(&S)->kind != TK_EOF) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            weld_wast_cmd *nc = realloc(cs, cap * sizeof *nc);
            if (!nc) {
                st = weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
                break;
            }
            cs = nc;
        }
        if (!command(&S, &cs[n])) {
            st = S.st ? S.st : WELD_ERR_SYNTAX;
            break;
        }
        n++;
    }
    if (!st && n) {
        *cmds = weld_arena_alloc(arena, n * sizeof **cmds);
        if (!*cmds) st = weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
        else {
            memcpy(*cmds, cs, n * sizeof *cs);
            *ncmds = n;
        }
    }
    free(cs);
    text_lex_free(&lx);
    return st;
}
